//! Domains of an install, one at a time and in bulk, domain status reports, ownership by TXT record and sharing links.

use std::time::Duration;

use uuid::Uuid;
use wpe_api::types;

use crate::support::{
    assert_field_error, demo, domains_of, install_named, raw, raw_client, raw_fields, retry_after,
    served, status_of, Served,
};

pub async fn domains_lifecycle() -> Served {
    let (server, client) = demo().await;
    let torquemag = install_named(&client, "torquemag").await;
    let domains = domains_of(&client, torquemag.id).await;
    assert_eq!(domains.len(), 2);
    assert!(domains[0].primary);
    assert_eq!(
        domains[1].redirect().unwrap().name.as_deref(),
        Some("torquemag.io")
    );

    let created = client
        .create_domain()
        .install_id(torquemag.id)
        .body_map(|b| b.name("torque.example.com").primary(Some(true)))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    assert!(created.primary);
    let new_id = created.id;
    // One primary per install.
    let domains = domains_of(&client, torquemag.id).await;
    assert_eq!(domains.iter().filter(|d| d.primary).count(), 1);
    assert_eq!(
        client
            .get_install()
            .install_id(torquemag.id)
            .send()
            .await
            .unwrap()
            .primary_domain
            .as_deref(),
        Some("torque.example.com")
    );

    // Duplicates, here or on another install, are refused.
    for name in ["torque.example.com", "shop.example.com"] {
        let err = client
            .create_domain()
            .install_id(torquemag.id)
            .body_map(|b| b.name(name))
            .send()
            .await
            .unwrap_err();
        assert_field_error(&err, "name");
    }
    let err = client
        .create_domain()
        .install_id(torquemag.id)
        .body_map(|b| b.name("not a domain"))
        .send()
        .await
        .unwrap_err();
    assert_field_error(&err, "name");

    let fetched = client
        .get_domain()
        .install_id(torquemag.id)
        .domain_id(new_id)
        .send()
        .await
        .unwrap();
    assert_eq!(fetched.name, "torque.example.com");
    assert!(fetched.network_details.is_some());

    // Make torquemag.io primary again and point the new domain at it.
    let old_primary = domains.iter().find(|d| d.name == "torquemag.io").unwrap();
    let updated = client
        .update_domain()
        .install_id(torquemag.id)
        .domain_id(old_primary.id)
        .body_map(|b| b.primary(Some(true)).secure_all_urls(Some(true)))
        .send()
        .await
        .unwrap();
    assert!(updated.primary);
    let redirected = client
        .update_domain()
        .install_id(torquemag.id)
        .domain_id(new_id)
        .body_map(|b| b.redirect_to(Some(old_primary.id.to_string())))
        .send()
        .await
        .unwrap();
    assert!(!redirected.primary);
    assert_eq!(redirected.redirect().unwrap().id, Some(old_primary.id));
    // A redirect cannot become primary.
    let err = client
        .update_domain()
        .install_id(torquemag.id)
        .domain_id(new_id)
        .body_map(|b| b.primary(Some(true)))
        .send()
        .await
        .unwrap_err();
    assert_field_error(&err, "primary");
    // A domain others redirect to cannot be deleted.
    let err = client
        .delete_domain()
        .install_id(torquemag.id)
        .domain_id(old_primary.id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 400);

    let deleted = client
        .delete_domain()
        .install_id(torquemag.id)
        .domain_id(new_id)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status().as_u16(), 204);
    let err = client
        .get_domain()
        .install_id(torquemag.id)
        .domain_id(new_id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 404);
    assert_eq!(domains_of(&client, torquemag.id).await.len(), 2);
    // The name can be used again, on another install.
    let shop = install_named(&client, "demoshop").await;
    client
        .create_domain()
        .install_id(shop.id)
        .body_map(|b| b.name("torque.example.com"))
        .send()
        .await
        .unwrap();
    served(&server)
}

pub async fn bulk_domains() -> Served {
    let (server, client) = demo().await;
    let install = install_named(&client, "demoshopstg").await;
    let created = client
        .create_bulk_domains()
        .install_id(install.id)
        .body_map(|b| {
            b.domains(vec![
                types::BulkDomain {
                    name: "stage.example.com".into(),
                    redirect_to: None,
                },
                types::BulkDomain {
                    name: "www.stage.example.com".into(),
                    redirect_to: Some("stage.example.com".into()),
                },
            ])
        })
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    let created = created.into_inner().into_domains();
    assert_eq!(created.len(), 2);
    assert_eq!(
        created[1].redirects_to.as_ref().unwrap().name.as_deref(),
        Some("stage.example.com")
    );
    let listed = domains_of(&client, install.id).await;
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[1].redirect().unwrap().id, Some(created[0].id));

    // More than 20: refused, nothing created.
    let many: Vec<types::BulkDomain> = (0..21)
        .map(|i| types::BulkDomain {
            name: format!("d{i}.example.com"),
            redirect_to: None,
        })
        .collect();
    let err = client
        .create_bulk_domains()
        .install_id(install.id)
        .body_map(|b| b.domains(many))
        .send()
        .await
        .unwrap_err();
    assert_field_error(&err, "domains");
    // One bad entry refuses the whole request.
    let err = client
        .create_bulk_domains()
        .install_id(install.id)
        .body_map(|b| {
            b.domains(vec![
                types::BulkDomain {
                    name: "fine.example.com".into(),
                    redirect_to: None,
                },
                types::BulkDomain {
                    name: "stage.example.com".into(),
                    redirect_to: None,
                },
            ])
        })
        .send()
        .await
        .unwrap_err();
    assert_field_error(&err, "domains[1].name");
    assert_eq!(domains_of(&client, install.id).await.len(), 2);
    served(&server)
}

pub async fn domain_status_reports_and_rate_limit() -> Served {
    let (server, _) = demo().await;
    // A client that sends every call once, so each 429 comes back as it is.
    let client = raw_client(&server);
    let install = install_named(&client, "torquemag").await;
    let domain = domains_of(&client, install.id).await.remove(0);
    let report = client
        .check_status()
        .install_id(install.id)
        .domain_id(domain.id)
        .send()
        .await
        .unwrap();
    assert_eq!(report.status().as_u16(), 202);
    let report_id = report.into_inner().report_id;
    let status = client
        .get_domain_report_status()
        .install_id(install.id)
        .report_id(report_id)
        .send()
        .await
        .unwrap()
        .into_inner()
        .report
        .unwrap();
    assert_eq!(status.complete, Some(false));
    assert_eq!(status.install_name.as_deref(), Some("torquemag"));

    // Once per 5 s per install.
    let err = client
        .check_status()
        .install_id(install.id)
        .domain_id(domain.id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 429);
    assert!(err.api_error().unwrap().message.contains("5 seconds"));
    assert_eq!(retry_after(&err), 5);
    // After a 429 the client holds back every call until Retry-After has
    // passed (`wpe_api::retry`), even without retries: go on with a fresh one.
    let client = raw_client(&server);
    // While the install is held back, a domain it does not have is still a 404.
    let err = client
        .check_status()
        .install_id(install.id)
        .domain_id(Uuid::nil().to_string().as_str())
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 404);

    server.advance(server.config().domain_report_delay);
    let status = client
        .get_domain_report_status()
        .install_id(install.id)
        .report_id(report_id)
        .send()
        .await
        .unwrap()
        .into_inner()
        .report
        .unwrap();
    assert_eq!(status.complete, Some(true));
    assert_eq!(status.domains[0].name.as_deref(), Some("torquemag.io"));
    assert_eq!(status.domains[0].complete, Some(true));
    assert_eq!(
        status.domains[0].cname.as_deref(),
        Some("torquemag.wpengine.com")
    );

    let err = client
        .check_status()
        .install_id(install.id)
        .domain_id(domain.id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(retry_after(&err), 4);
    // After a 429 the client holds back every call until Retry-After has
    // passed (`wpe_api::retry`), even without retries: go on with a fresh one.
    let client = raw_client(&server);
    server.advance(Duration::from_secs(4));
    client
        .check_status()
        .install_id(install.id)
        .domain_id(domain.id)
        .send()
        .await
        .unwrap();

    // A report belongs to its install.
    let other = install_named(&client, "demoshop").await;
    let err = client
        .get_domain_report_status()
        .install_id(other.id)
        .report_id(report_id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 404);
    served(&server)
}

/// The message of an API error.
fn message_of(err: &wpe_api::Error) -> String {
    err.api_error()
        .map(|body| body.message.clone())
        .unwrap_or_default()
}

pub async fn domain_txt_verification() -> Served {
    let (server, client) = demo().await;
    let torquemag = install_named(&client, "torquemag").await;
    // The seeded domains are verified: no record left to publish.
    for domain in domains_of(&client, torquemag.id).await {
        assert_eq!(
            domain.ownership_status,
            Some(types::DomainOwnershipStatus::TxtVerified)
        );
        assert_eq!(domain.txt_verification_key, None);
        assert_eq!(domain.txt_verification_value, None);
        assert!(domain.txt_verified_time.is_some());
    }

    let created = client
        .create_domain()
        .install_id(torquemag.id)
        .body_map(|b| b.name("proof.example.com"))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        created.ownership_status,
        Some(types::DomainOwnershipStatus::TxtVerificationPending)
    );
    assert_eq!(
        created.txt_verification_key.as_deref(),
        Some("_wpe_verification")
    );
    assert_eq!(
        created.txt_verified_domain.as_deref(),
        Some("proof.example.com")
    );
    assert_eq!(created.txt_verified_time, None);
    let value = created.txt_verification_value.clone().unwrap();
    // An unverified domain serves no traffic.
    let network = created.network_details.as_ref().unwrap();
    assert_eq!(
        network.network_info.as_ref().unwrap().status.as_deref(),
        Some("PENDING")
    );

    // Domains created in bulk are pending too, each with a value of its own.
    client
        .create_bulk_domains()
        .install_id(torquemag.id)
        .body_map(|b| {
            b.domains(vec![
                types::BulkDomain {
                    name: "a.proof.example.com".into(),
                    redirect_to: None,
                },
                types::BulkDomain {
                    name: "b.proof.example.com".into(),
                    redirect_to: None,
                },
            ])
        })
        .send()
        .await
        .unwrap();
    let mut values = vec![value.clone()];
    for domain in domains_of(&client, torquemag.id).await {
        if domain.name.ends_with(".proof.example.com") {
            assert_eq!(
                domain.ownership_status,
                Some(types::DomainOwnershipStatus::TxtVerificationPending)
            );
            values.push(domain.txt_verification_value.unwrap());
        }
    }
    values.sort();
    values.dedup();
    assert_eq!(values.len(), 3, "one TXT value per domain");

    let verify = || {
        client
            .verify_domain_txt_record()
            .install_id(torquemag.id)
            .domain_id(created.id)
            .send()
    };
    // Nothing published yet: a 400 naming the record to publish.
    let err = verify().await.unwrap_err();
    assert_eq!(status_of(&err), 400);
    let message = message_of(&err);
    assert!(
        message.contains("_wpe_verification.proof.example.com") && message.contains(&value),
        "{message}"
    );
    assert_eq!(
        err.field_errors()[0].field.as_deref(),
        Some("txt_verification_key")
    );
    // A wrong value, or the right value at the wrong name, does not count.
    server.publish_txt_record("_wpe_verification.proof.example.com", "something-else");
    server.publish_txt_record("proof.example.com", &value);
    server.publish_txt_record("_wpe_verification.a.proof.example.com", &value);
    assert_eq!(status_of(&verify().await.unwrap_err()), 400);
    let still = client
        .get_domain()
        .install_id(torquemag.id)
        .domain_id(created.id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        still.ownership_status,
        Some(types::DomainOwnershipStatus::TxtVerificationPending)
    );

    // Published (case and a trailing dot do not matter): verified.
    server.publish_txt_record("_WPE_verification.Proof.example.com.", &value);
    let verified = verify().await.unwrap();
    assert_eq!(verified.status().as_u16(), 200);
    assert_eq!(verified.id, Some(created.id));
    assert_eq!(verified.name.as_deref(), Some("proof.example.com"));
    assert_eq!(verified.txt_verification_key, None);
    assert_eq!(verified.txt_verification_value, None);
    let when = verified.txt_verified_time.clone().unwrap();
    let domain = client
        .get_domain()
        .install_id(torquemag.id)
        .domain_id(created.id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        domain.ownership_status,
        Some(types::DomainOwnershipStatus::TxtVerified)
    );
    assert_eq!(domain.txt_verified_time.as_deref(), Some(when.as_str()));
    assert_eq!(domain.txt_verification_key, None);
    assert_eq!(domain.txt_verification_value, None);
    let network = domain.network_details.as_ref().unwrap();
    assert_eq!(
        network.network_info.as_ref().unwrap().status.as_deref(),
        Some("ACTIVE")
    );
    let listed = domains_of(&client, torquemag.id).await;
    let listed = listed.iter().find(|d| d.id == created.id).unwrap();
    assert_eq!(
        listed.ownership_status,
        Some(types::DomainOwnershipStatus::TxtVerified)
    );
    // Verifying again answers the same, without moving the time.
    server.advance(Duration::from_secs(60));
    let again = verify().await.unwrap();
    assert_eq!(again.txt_verified_time.as_deref(), Some(when.as_str()));
    // The other new domains are still pending.
    let others = domains_of(&client, torquemag.id).await;
    assert!(others
        .iter()
        .filter(|d| d.name.ends_with(".proof.example.com"))
        .all(|d| d.txt_verified_time.is_none()));

    let err = client
        .verify_domain_txt_record()
        .install_id(torquemag.id)
        .domain_id(Uuid::from_u128(9))
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 404);
    served(&server)
}

pub async fn domain_sharing_links() -> Served {
    let (server, client) = demo().await;
    let client = &client;
    let link_for = |install: Uuid, domain: Uuid| async move {
        client
            .create_domain_sharing_link()
            .install_id(install)
            .domain_id(domain)
            .send()
            .await
    };
    let torquemag = install_named(client, "torquemag").await;
    let domains = domains_of(client, torquemag.id).await;
    let apex = domains.iter().find(|d| d.name == "torquemag.io").unwrap();
    assert_eq!(apex.network_type.as_deref(), Some("AN"));
    let first = link_for(torquemag.id, apex.id).await.unwrap();
    assert_eq!(first.status().as_u16(), 200);
    let second = link_for(torquemag.id, apex.id).await.unwrap();
    assert_ne!(first.url, second.url, "each call makes a new link");
    for link in [&first.url, &second.url] {
        let url = reqwest::Url::parse(link).unwrap();
        assert!(url.host_str().unwrap().ends_with(".invalid"), "{link}");
    }

    // GES domains have links too.
    let demoshop = install_named(client, "demoshop").await;
    let shop = &domains_of(client, demoshop.id).await[0];
    assert_eq!(shop.network_type.as_deref(), Some("GES"));
    link_for(demoshop.id, shop.id).await.unwrap();

    // Other networks do not.
    let clientblog = install_named(client, "clientblog").await;
    let blog = &domains_of(client, clientblog.id).await[0];
    assert_eq!(blog.network_type.as_deref(), Some("LEGACY"));
    let err = link_for(clientblog.id, blog.id).await.unwrap_err();
    assert_field_error(&err, "network_type");
    assert!(message_of(&err).contains("AN or GES"), "{err:?}");

    let err = link_for(torquemag.id, Uuid::from_u128(9))
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 404);
    // A domain of another install is not found through this one.
    let err = link_for(clientblog.id, apex.id).await.unwrap_err();
    assert_eq!(status_of(&err), 404);
    served(&server)
}

/// `createDomain` and `updateDomain` name a redirect's target by its domain
/// ID (a name is refused), and `updateDomain` with `redirect_to: "nil"`
/// drops the redirect, as WP Engine's reference says.
pub async fn domain_redirects_take_ids_and_nil_drops_them() -> Served {
    let (server, client) = demo().await;
    let torquemag = install_named(&client, "torquemag").await;
    let domains = domains_of(&client, torquemag.id).await;
    let apex = domains.iter().find(|d| d.name == "torquemag.io").unwrap();

    // By name, not by ID: refused (the typed client cannot send it).
    let (status, body) = raw(
        &server,
        reqwest::Method::POST,
        &format!("/installs/{}/domains", torquemag.id),
        Some(r#"{"name": "old.torquemag.io", "redirect_to": "torquemag.io"}"#),
    )
    .await;
    assert_eq!(
        (status, raw_fields(&body)),
        (400, vec!["redirect_to".to_owned()])
    );
    let created = client
        .create_domain()
        .install_id(torquemag.id)
        .body_map(|b| b.name("old.torquemag.io").redirect_to(Some(apex.id)))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        created.redirect().unwrap().name.as_deref(),
        Some("torquemag.io")
    );

    let dropped = client
        .update_domain()
        .install_id(torquemag.id)
        .domain_id(created.id)
        .body_map(|b| b.redirect_to(Some("nil".to_owned())))
        .send()
        .await
        .unwrap();
    assert!(dropped.redirect().is_none(), "{dropped:?}");
    let fetched = client
        .get_domain()
        .install_id(torquemag.id)
        .domain_id(created.id)
        .send()
        .await
        .unwrap();
    assert!(fetched.redirect().is_none());
    // No longer a redirect, it may become primary.
    let primary = client
        .update_domain()
        .install_id(torquemag.id)
        .domain_id(created.id)
        .body_map(|b| b.primary(Some(true)))
        .send()
        .await
        .unwrap();
    assert!(primary.primary);

    // Anything else that is not a domain ID is refused, saying what to send.
    let err = client
        .update_domain()
        .install_id(torquemag.id)
        .domain_id(created.id)
        .body_map(|b| b.redirect_to(Some("torquemag.io".to_owned())))
        .send()
        .await
        .unwrap_err();
    assert_field_error(&err, "redirect_to");
    let said = err.field_errors()[0].message.clone().unwrap_or_default();
    assert!(said.contains("nil"), "{said}");
    served(&server)
}
