//! Sites: list by account, create, read, rename, delete.

use serde_json::{json, Value};
use wpe_api::types::Environment;

use crate::support::{assert_request, serve_empty, serve_fixture, ACCOUNT, SITE};

#[tokio::test]
async fn list_sites_filters_by_account() {
    let (server, client) = serve_fixture(200, "listSites").await;
    let page = client
        .list_sites()
        .account_id(ACCOUNT)
        .limit(10)
        .send()
        .await
        .unwrap();
    let site = &page.results[0];
    assert_eq!(site.name, "Torque Magazine");
    assert_eq!(site.installs[0].environment, Some(Environment::Production));
    assert_eq!(page.previous, None);
    assert_request(
        &server.single_request(),
        "GET",
        "/v1/sites",
        &[("account_id", &ACCOUNT.to_string()), ("limit", "10")],
        Value::Null,
    );
}

#[tokio::test]
async fn create_site_sends_name_and_account() {
    let (server, client) = serve_fixture(201, "createSite").await;
    let site = client
        .create_site()
        .body_map(|body| body.name("Torque Magazine").account_id(ACCOUNT))
        .send()
        .await
        .unwrap();
    assert_eq!(site.id, SITE);
    assert_eq!(site.account.id, ACCOUNT);
    assert_request(
        &server.single_request(),
        "POST",
        "/v1/sites",
        &[],
        json!({"name": "Torque Magazine", "account_id": ACCOUNT}),
    );
}

#[tokio::test]
async fn get_site_reads_one_site() {
    let (server, client) = serve_fixture(200, "getSite").await;
    let site = client.get_site().site_id(SITE).send().await.unwrap();
    assert_eq!(site.name, "Torque Magazine");
    assert!(site.installs.is_empty());
    assert_request(
        &server.single_request(),
        "GET",
        &format!("/v1/sites/{SITE}"),
        &[],
        Value::Null,
    );
}

#[tokio::test]
async fn update_site_patches_the_name() {
    let (server, client) = serve_fixture(200, "updateSite").await;
    let site = client
        .update_site()
        .site_id(SITE)
        .body_map(|body| body.name(Some("My New Name".to_owned())))
        .send()
        .await
        .unwrap();
    assert_eq!(site.name, "My New Name");
    assert_request(
        &server.single_request(),
        "PATCH",
        &format!("/v1/sites/{SITE}"),
        &[],
        json!({"name": "My New Name"}),
    );
}

#[tokio::test]
async fn delete_site_sends_delete() {
    let (server, client) = serve_empty(204).await;
    client.delete_site().site_id(SITE).send().await.unwrap();
    assert_request(
        &server.single_request(),
        "DELETE",
        &format!("/v1/sites/{SITE}"),
        &[],
        Value::Null,
    );
}
