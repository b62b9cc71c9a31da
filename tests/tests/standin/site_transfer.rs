//! Site transfers between the demo user's accounts: the lifecycle over the
//! stand-in's clock, scheduling, cancelling, refusals, a failure made on
//! purpose, and both lists with paging.

use std::time::Duration;

use chrono::{SubsecRound, Utc};
use uuid::Uuid;
use wpe_api::fake::{OTHER_PASSWORD, OTHER_USER, PARTIAL_PASSWORD, PARTIAL_USER};
use wpe_api::types::{self, SiteTransferStatus};
use wpe_api::{Client, Credentials};

use crate::support::{
    account_named, assert_field_error, demo, install_named, raw, raw_fields, served, status_of,
    Served,
};

/// The demo site of this name.
async fn site_named(client: &Client, name: &str) -> types::Site {
    let page = client.list_sites().send().await.unwrap();
    page.results
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("site {name}"))
        .clone()
}

/// Requests a transfer of `site` to `destination`, now.
async fn transfer(client: &Client, site: Uuid, destination: Uuid) -> types::SiteTransfer {
    let created = client
        .create_site_transfer()
        .site_id(site)
        .body_map(|b| b.destination_account_id(destination))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 202);
    created.into_inner()
}

async fn status(client: &Client, site: Uuid, transfer: Uuid) -> SiteTransferStatus {
    client
        .get_site_transfer()
        .site_id(site)
        .transfer_id(transfer)
        .send()
        .await
        .unwrap()
        .into_inner()
        .status
}

async fn cancel_status(client: &Client, site: Uuid, transfer: Uuid) -> u16 {
    match client
        .cancel_site_transfer()
        .site_id(site)
        .transfer_id(transfer)
        .send()
        .await
    {
        Ok(answer) => answer.status().as_u16(),
        Err(err) => status_of(&err),
    }
}

pub async fn transfer_moves_the_site_when_completed() -> Served {
    let (server, client) = demo().await;
    let agency = account_named(&client, "demoagency").await;
    let destination = account_named(&client, "democlient").await;
    let shop = site_named(&client, "Demo Shop").await;
    let step = server.config().site_transfer_step_delay;

    let created = transfer(&client, shop.id, destination.id).await;
    assert_eq!(created.status, SiteTransferStatus::Pending);
    assert_eq!(created.site, "Demo Shop");
    assert_eq!(created.installs, ["demoshop", "demoshopstg", "demoshopdev"]);
    assert_eq!(created.origin_account, "demoagency");
    assert_eq!(created.destination_account, "democlient");
    assert_eq!(created.scheduled_time, None);
    assert_eq!(created.created_at, created.updated_at);

    server.advance(step);
    assert_eq!(
        status(&client, shop.id, created.id).await,
        SiteTransferStatus::Scheduled
    );
    server.advance(step);
    let moving = client
        .get_site_transfer()
        .site_id(shop.id)
        .transfer_id(created.id)
        .send()
        .await
        .unwrap();
    assert_eq!(moving.status, SiteTransferStatus::InProgress);
    assert!(moving.updated_at > created.updated_at);
    // Still in the origin account while it moves.
    let site = client.get_site().site_id(shop.id).send().await.unwrap();
    assert_eq!(site.account.id, agency.id);

    server.advance(step);
    let done = client
        .get_site_transfer()
        .site_id(shop.id)
        .transfer_id(created.id)
        .send()
        .await
        .unwrap();
    assert_eq!(done.status, SiteTransferStatus::Completed);
    assert!(done.status.is_final());
    // The site and its installs now belong to the destination.
    let site = client.get_site().site_id(shop.id).send().await.unwrap();
    assert_eq!(site.account.id, destination.id);
    let in_destination = client
        .list_sites()
        .account_id(destination.id)
        .send()
        .await
        .unwrap();
    assert!(in_destination.results.iter().any(|s| s.id == shop.id));
    let in_origin = client
        .list_sites()
        .account_id(agency.id)
        .send()
        .await
        .unwrap();
    assert!(in_origin.results.iter().all(|s| s.id != shop.id));
    for name in ["demoshop", "demoshopstg", "demoshopdev"] {
        let install = install_named(&client, name).await;
        assert_eq!(install.account.id, destination.id, "{name}");
    }
    let moved = client
        .list_installs()
        .account_id(destination.id)
        .send()
        .await
        .unwrap();
    assert_eq!(moved.count, Some(6));

    // An ended transfer does not block another; it can go back.
    let back = transfer(&client, shop.id, agency.id).await;
    assert_eq!(back.origin_account, "democlient");
    assert_eq!(back.destination_account, "demoagency");
    served(&server)
}

pub async fn scheduled_transfer_waits_for_its_time() -> Served {
    let (server, client) = demo().await;
    let destination = account_named(&client, "democlient").await;
    let torque = site_named(&client, "Torque Magazine").await;
    let step = server.config().site_transfer_step_delay;
    let request = |at: chrono::DateTime<Utc>| {
        client
            .create_site_transfer()
            .site_id(torque.id)
            .body_map(move |b| {
                b.destination_account_id(destination.id)
                    .scheduled_time(Some(at))
                    .maintenance_mode(true)
            })
            .send()
    };

    // Too soon, too late.
    let now = Utc::now().trunc_subsecs(0);
    for at in [
        now + chrono::Duration::minutes(30),
        now - chrono::Duration::hours(2),
        now + chrono::Duration::days(8),
    ] {
        let err = request(at).await.unwrap_err();
        assert_field_error(&err, "scheduled_time");
    }

    let at = now + chrono::Duration::hours(2);
    let created = request(at).await.unwrap().into_inner();
    assert_eq!(created.status, SiteTransferStatus::Pending);
    assert_eq!(created.scheduled_time, Some(at));
    let ahead = (at - created.created_at).to_std().unwrap();

    server.advance(step);
    assert_eq!(
        status(&client, torque.id, created.id).await,
        SiteTransferStatus::Scheduled
    );
    // A site has one open transfer at a time.
    let err = client
        .create_site_transfer()
        .site_id(torque.id)
        .body_map(|b| b.destination_account_id(destination.id))
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 409);
    // Still scheduled a minute before its time, long after the step delay.
    server.advance(ahead - step - Duration::from_secs(60));
    assert_eq!(
        status(&client, torque.id, created.id).await,
        SiteTransferStatus::Scheduled
    );
    let site = client.get_site().site_id(torque.id).send().await.unwrap();
    assert_ne!(site.account.id, destination.id);
    // Once its time has come and it has moved: completed.
    server.advance(Duration::from_secs(60) + step * 2);
    let done = client
        .get_site_transfer()
        .site_id(torque.id)
        .transfer_id(created.id)
        .send()
        .await
        .unwrap();
    assert_eq!(done.status, SiteTransferStatus::Completed);
    assert!(done.updated_at >= at + chrono::Duration::from_std(step).unwrap());
    let site = client.get_site().site_id(torque.id).send().await.unwrap();
    assert_eq!(site.account.id, destination.id);
    served(&server)
}

pub async fn transfers_cancel_only_before_they_start() -> Served {
    let (server, client) = demo().await;
    let destination = account_named(&client, "demoagency").await;
    let blog = site_named(&client, "Client Blog").await;
    let step = server.config().site_transfer_step_delay;

    // Pending: cancelled.
    let first = transfer(&client, blog.id, destination.id).await;
    assert_eq!(cancel_status(&client, blog.id, first.id).await, 204);
    let cancelled = client
        .get_site_transfer()
        .site_id(blog.id)
        .transfer_id(first.id)
        .send()
        .await
        .unwrap();
    assert_eq!(cancelled.status, SiteTransferStatus::Cancelled);
    // Cancelled for good: time does not move it on, cancelling again is refused.
    server.advance(step * 5);
    assert_eq!(
        status(&client, blog.id, first.id).await,
        SiteTransferStatus::Cancelled
    );
    assert_eq!(cancel_status(&client, blog.id, first.id).await, 409);
    let site = client.get_site().site_id(blog.id).send().await.unwrap();
    assert_ne!(site.account.id, destination.id);

    // Scheduled: cancelled.
    let second = transfer(&client, blog.id, destination.id).await;
    server.advance(step);
    assert_eq!(
        status(&client, blog.id, second.id).await,
        SiteTransferStatus::Scheduled
    );
    assert_eq!(cancel_status(&client, blog.id, second.id).await, 204);

    // In progress, then completed: too late.
    let third = transfer(&client, blog.id, destination.id).await;
    server.advance(step * 2);
    assert_eq!(
        status(&client, blog.id, third.id).await,
        SiteTransferStatus::InProgress
    );
    assert_eq!(cancel_status(&client, blog.id, third.id).await, 409);
    server.advance(step);
    assert_eq!(cancel_status(&client, blog.id, third.id).await, 409);
    assert_eq!(
        status(&client, blog.id, third.id).await,
        SiteTransferStatus::Completed
    );

    // Unknown transfers, and transfers of another site, are not found.
    assert_eq!(
        cancel_status(&client, blog.id, Uuid::from_u128(3)).await,
        404
    );
    let torque = site_named(&client, "Torque Magazine").await;
    assert_eq!(cancel_status(&client, torque.id, third.id).await, 404);
    let err = client
        .get_site_transfer()
        .site_id(torque.id)
        .transfer_id(third.id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 404);
    served(&server)
}

pub async fn transfer_refusals() -> Served {
    let (server, client) = demo().await;
    let agency = account_named(&client, "demoagency").await;
    let torque = site_named(&client, "Torque Magazine").await;
    let refused = |destination: Uuid| {
        client
            .create_site_transfer()
            .site_id(torque.id)
            .body_map(move |b| b.destination_account_id(destination))
            .send()
    };
    // The site's own account, an unknown account, another user's account: 422.
    let other = server.client_with(Credentials::new(OTHER_USER, OTHER_PASSWORD));
    let other_account = other.list_accounts().send().await.unwrap().results[0].id;
    for destination in [agency.id, Uuid::from_u128(77), other_account] {
        let err = refused(destination).await.unwrap_err();
        assert_eq!(status_of(&err), 422, "{destination}: {err:?}");
    }

    // A sandbox site cannot move: 409, whatever the destination.
    let playground = site_named(&client, "Sandbox Playground").await;
    assert_eq!(playground.sandbox, Some(true));
    let err = client
        .create_site_transfer()
        .site_id(playground.id)
        .body_map(|b| b.destination_account_id(agency.id))
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 409);
    assert!(err.to_string().contains("Sandbox"), "{err}");

    // Malformed bodies: 400.
    let path = format!("/sites/{}/site_transfers", torque.id);
    for (body, field) in [
        ("{}", "destination_account_id"),
        (
            r#"{"destination_account_id": "not-a-uuid"}"#,
            "destination_account_id",
        ),
        (r#"{"destination_account_id": 5}"#, "destination_account_id"),
        ("[1]", "body"),
        ("{", "body"),
    ] {
        let (status, answer) = raw(&server, reqwest::Method::POST, &path, Some(body)).await;
        assert_eq!(status, 400, "{body}");
        assert!(
            raw_fields(&answer).iter().any(|f| f == field),
            "{body}: {answer}"
        );
    }
    let democlient = account_named(&client, "democlient").await;
    let body = format!(
        r#"{{"destination_account_id": "{}", "maintenance_mode": "yes", "scheduled_time": "tomorrow"}}"#,
        democlient.id
    );
    let (status, answer) = raw(&server, reqwest::Method::POST, &path, Some(&body)).await;
    assert_eq!(status, 400);
    let fields = raw_fields(&answer);
    assert!(fields.contains(&"maintenance_mode".to_owned()), "{answer}");
    assert!(fields.contains(&"scheduled_time".to_owned()), "{answer}");

    // Sites the caller cannot see are not found.
    let other_site = other.list_sites().send().await.unwrap().results[0].id;
    for site in [other_site, Uuid::from_u128(5)] {
        let err = client
            .create_site_transfer()
            .site_id(site)
            .body_map(|b| b.destination_account_id(democlient.id))
            .send()
            .await
            .unwrap_err();
        assert_eq!(status_of(&err), 404);
        let err = client
            .list_site_transfers()
            .site_id(site)
            .send()
            .await
            .unwrap_err();
        assert_eq!(status_of(&err), 404);
    }
    let err = client
        .list_account_site_transfers()
        .account_id(other_account)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 404);
    // Nothing was created.
    let page = client
        .list_site_transfers()
        .site_id(torque.id)
        .send()
        .await
        .unwrap();
    assert_eq!(page.count, Some(0));
    served(&server)
}

pub async fn failed_transfer_on_request() -> Served {
    let (server, client) = demo().await;
    let origin = account_named(&client, "democlient").await;
    let destination = account_named(&client, "demosandbox").await;
    let blog = site_named(&client, "Client Blog").await;
    let step = server.config().site_transfer_step_delay;

    server.fail_next_site_transfer();
    let failing = transfer(&client, blog.id, destination.id).await;
    assert_eq!(failing.status, SiteTransferStatus::Pending);
    server.advance(step * 2);
    assert_eq!(
        status(&client, blog.id, failing.id).await,
        SiteTransferStatus::InProgress
    );
    server.advance(step);
    assert_eq!(
        status(&client, blog.id, failing.id).await,
        SiteTransferStatus::Failed
    );
    let site = client.get_site().site_id(blog.id).send().await.unwrap();
    assert_eq!(
        site.account.id, origin.id,
        "a failed transfer moves nothing"
    );
    let install = install_named(&client, "clientblog").await;
    assert_eq!(install.account.id, origin.id);

    // The control fails one transfer only: the next goes through.
    let next = transfer(&client, blog.id, destination.id).await;
    server.advance(step * 3);
    assert_eq!(
        status(&client, blog.id, next.id).await,
        SiteTransferStatus::Completed
    );
    let site = client.get_site().site_id(blog.id).send().await.unwrap();
    assert_eq!(site.account.id, destination.id);
    served(&server)
}

pub async fn transfer_lists_page() -> Served {
    let (server, client) = demo().await;
    let agency = account_named(&client, "demoagency").await;
    let democlient = account_named(&client, "democlient").await;
    let sandbox = account_named(&client, "demosandbox").await;
    let torque = site_named(&client, "Torque Magazine").await;
    let blog = site_named(&client, "Client Blog").await;

    // Three transfers of Torque Magazine (two cancelled), one of Client Blog.
    let mut torque_transfers = Vec::new();
    for i in 0..3 {
        let t = transfer(&client, torque.id, democlient.id).await;
        torque_transfers.push(t.id);
        if i < 2 {
            assert_eq!(cancel_status(&client, torque.id, t.id).await, 204);
        }
    }
    let blog_transfer = transfer(&client, blog.id, agency.id).await;

    let by_site = |offset: u64| {
        client
            .list_site_transfers()
            .site_id(torque.id)
            .limit(2)
            .offset(offset)
            .send()
    };
    let first = by_site(0).await.unwrap();
    assert_eq!(first.count, Some(3));
    assert_eq!(first.results.len(), 2);
    assert_eq!(first.previous, None);
    assert!(first.next.as_deref().unwrap().contains("offset=2"));
    let second = by_site(2).await.unwrap();
    assert_eq!(second.results.len(), 1);
    assert_eq!(second.next, None);
    assert!(second.previous.is_some());
    let listed: Vec<Uuid> = first
        .results
        .iter()
        .chain(&second.results)
        .map(|t| t.id)
        .collect();
    assert_eq!(listed, torque_transfers, "oldest first");
    assert_eq!(first.results[0].status, SiteTransferStatus::Cancelled);
    assert_eq!(second.results[0].status, SiteTransferStatus::Pending);

    // Entries keep the names the site had when the transfer was requested.
    client
        .update_site()
        .site_id(torque.id)
        .body_map(|b| b.name(Some("Torque Renamed".to_owned())))
        .send()
        .await
        .unwrap();
    let renamed = by_site(0).await.unwrap();
    assert_eq!(renamed.results[0].site, "Torque Magazine");

    // An account lists the transfers started from it (upstream 1.17.0:
    // "initiated from the given account"), not those joining it.
    let by_account = |account: Uuid, limit: u64, offset: u64| {
        client
            .list_account_site_transfers()
            .account_id(account)
            .limit(limit)
            .offset(offset)
            .send()
    };
    let page = by_account(agency.id, 2, 0).await.unwrap();
    assert_eq!(page.count, Some(3));
    let rest = by_account(agency.id, 2, 2).await.unwrap();
    assert_eq!(rest.next, None);
    let leaving: Vec<Uuid> = page
        .results
        .iter()
        .chain(&rest.results)
        .map(|t| t.id)
        .collect();
    assert_eq!(leaving, torque_transfers);
    let client_page = by_account(democlient.id, 10, 0).await.unwrap();
    assert_eq!(client_page.count, Some(1));
    assert_eq!(client_page.results[0].id, blog_transfer.id);
    let none = by_account(sandbox.id, 10, 0).await.unwrap();
    assert_eq!(none.count, Some(0));
    assert!(none.results.is_empty());
    served(&server)
}

/// WP Engine's reference: listing and requesting site transfers needs the
/// role Owner or Full with Billing, and a transfer needs it on both
/// accounts. The demo's second API user, Pat, is partial on Demo Agency and
/// Full with Billing on Demo Client Co.
pub async fn site_transfers_need_owner_or_full_with_billing() -> Served {
    let (server, client) = demo().await;
    let pat = server.client_with(Credentials::new(PARTIAL_USER, PARTIAL_PASSWORD));
    let agency = account_named(&client, "demoagency").await;
    let democlient = account_named(&client, "democlient").await;
    let torque = site_named(&client, "Torque Magazine").await;
    let blog = site_named(&client, "Client Blog").await;
    let message = |err: &wpe_api::Error| err.api_error().unwrap().message.clone();

    // Partial on Demo Agency: its transfers are not Pat's to list or request.
    let err = pat
        .list_site_transfers()
        .site_id(torque.id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 403);
    assert!(message(&err).contains("owner or full,billing"), "{err}");
    assert!(message(&err).contains("partial"), "{err}");
    let err = pat
        .list_account_site_transfers()
        .account_id(agency.id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 403);
    let err = pat
        .create_site_transfer()
        .site_id(torque.id)
        .body_map(|b| b.destination_account_id(democlient.id))
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 403, "the origin account needs the role");
    // Full with Billing on the origin is not enough: the destination too.
    let err = pat
        .create_site_transfer()
        .site_id(blog.id)
        .body_map(|b| b.destination_account_id(agency.id))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        status_of(&err),
        403,
        "the destination account needs the role"
    );
    assert!(message(&err).contains("demoagency"), "{err}");

    // Full with Billing on Demo Client Co: its transfers are Pat's to list.
    let listed = pat
        .list_site_transfers()
        .site_id(blog.id)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.count, Some(0));
    pat.list_account_site_transfers()
        .account_id(democlient.id)
        .send()
        .await
        .unwrap();

    // Once the owner makes Pat Full with Billing on Demo Agency too, the
    // transfer goes through.
    let users = client
        .list_account_users()
        .account_id(agency.id)
        .send()
        .await
        .unwrap()
        .into_inner()
        .results;
    let pat_user = users.iter().find(|u| u.email == "pat@example.com").unwrap();
    client
        .update_account_user()
        .account_id(agency.id)
        .user_id(pat_user.user_id)
        .body_map(|b| b.roles("full,billing"))
        .send()
        .await
        .unwrap();
    let moving = transfer(&pat, blog.id, agency.id).await;
    assert_eq!(moving.status, SiteTransferStatus::Pending);
    let nothing_created_by_refusals = client
        .list_account_site_transfers()
        .account_id(democlient.id)
        .send()
        .await
        .unwrap();
    assert_eq!(nothing_created_by_refusals.count, Some(1));
    served(&server)
}
