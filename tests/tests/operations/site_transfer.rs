//! Site transfers: list by account and by site, create, read, cancel.

use chrono::{TimeZone, Utc};
use serde_json::{json, Value};
use uuid::Uuid;
use wpe_api::types::SiteTransferStatus;

use crate::support::{assert_request, serve_empty, serve_fixture, ACCOUNT, SITE};

const TRANSFER: Uuid = uuid::uuid!("7d1e5c3a-42b8-4f96-a0d1-93c6e2b4f815");

#[tokio::test]
async fn list_account_site_transfers_pages_by_account() {
    let (server, client) = serve_fixture(200, "listAccountSiteTransfers").await;
    let page = client
        .list_account_site_transfers()
        .account_id(ACCOUNT)
        .limit(5)
        .offset(0)
        .send()
        .await
        .unwrap();
    assert_eq!(page.count, Some(2));
    assert_eq!(page.results[0].status, SiteTransferStatus::Completed);
    assert_eq!(page.results[1].status, SiteTransferStatus::InProgress);
    assert_eq!(page.results[1].installs, vec!["clientblog".to_owned()]);
    assert_eq!(page.results[0].scheduled_time, None);
    assert_request(
        &server.single_request(),
        "GET",
        &format!("/v1/accounts/{ACCOUNT}/site_transfers"),
        &[("limit", "5"), ("offset", "0")],
        Value::Null,
    );
}

#[tokio::test]
async fn list_site_transfers_pages_by_site() {
    let (server, client) = serve_fixture(200, "listSiteTransfers").await;
    let page = client
        .list_site_transfers()
        .site_id(SITE)
        .limit(1)
        .send()
        .await
        .unwrap();
    assert_eq!(page.results.len(), 1);
    assert_eq!(page.results[0].status, SiteTransferStatus::Cancelled);
    assert!(page.next.as_deref().unwrap().ends_with("offset=1"));
    assert_request(
        &server.single_request(),
        "GET",
        &format!("/v1/sites/{SITE}/site_transfers"),
        &[("limit", "1")],
        Value::Null,
    );
}

#[tokio::test]
async fn create_site_transfer_sends_destination_schedule_and_maintenance_mode() {
    let (server, client) = serve_fixture(202, "createSiteTransfer").await;
    let at = Utc.with_ymd_and_hms(2026, 4, 2, 3, 0, 0).unwrap();
    let transfer = client
        .create_site_transfer()
        .site_id(SITE)
        .body_map(|b| {
            b.destination_account_id(ACCOUNT)
                .scheduled_time(Some(at))
                .maintenance_mode(true)
        })
        .send()
        .await
        .unwrap();
    assert_eq!(transfer.status().as_u16(), 202);
    assert_eq!(transfer.id, TRANSFER);
    assert_eq!(transfer.status, SiteTransferStatus::Pending);
    assert_eq!(transfer.scheduled_time, Some(at));
    assert_eq!(transfer.destination_account, "democlient");
    assert_request(
        &server.single_request(),
        "POST",
        &format!("/v1/sites/{SITE}/site_transfers"),
        &[],
        json!({
            "destination_account_id": ACCOUNT,
            "scheduled_time": "2026-04-02T03:00:00Z",
            "maintenance_mode": true,
        }),
    );
}

#[tokio::test]
async fn get_site_transfer_reads_one_transfer() {
    let (server, client) = serve_fixture(200, "getSiteTransfer").await;
    let transfer = client
        .get_site_transfer()
        .site_id(SITE)
        .transfer_id(TRANSFER)
        .send()
        .await
        .unwrap();
    assert_eq!(transfer.site, "Torque Magazine");
    assert_eq!(transfer.origin_account, "demoagency");
    assert_eq!(transfer.status, SiteTransferStatus::Scheduled);
    assert_eq!(transfer.installs.len(), 3);
    assert_request(
        &server.single_request(),
        "GET",
        &format!("/v1/sites/{SITE}/site_transfers/{TRANSFER}"),
        &[],
        Value::Null,
    );
}

#[tokio::test]
async fn cancel_site_transfer_sends_delete() {
    let (server, client) = serve_empty(204).await;
    client
        .cancel_site_transfer()
        .site_id(SITE)
        .transfer_id(TRANSFER)
        .send()
        .await
        .unwrap();
    assert_request(
        &server.single_request(),
        "DELETE",
        &format!("/v1/sites/{SITE}/site_transfers/{TRANSFER}"),
        &[],
        Value::Null,
    );
}
