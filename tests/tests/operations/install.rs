//! Installs: list, create, read, patch, delete, and copy one install onto another.

use serde_json::{json, Value};
use uuid::Uuid;
use wpe_api::types::{self, Environment, InstallStatus};

use crate::support::{assert_request, serve_empty, serve_fixture, ACCOUNT, INSTALL, SITE};

#[tokio::test]
async fn list_installs_reads_typed_installs() {
    let (server, client) = serve_fixture(200, "listInstalls").await;
    let page = client
        .list_installs()
        .account_id(ACCOUNT)
        .offset(100u64)
        .send()
        .await
        .unwrap();
    let install = &page.results[0];
    assert_eq!(install.name, "torquemag");
    assert_eq!(install.status, Some(InstallStatus::Active));
    assert_eq!(install.environment, Some(Environment::Production));
    assert_eq!(install.site.as_ref().unwrap().id, SITE);
    assert_eq!(install.stable_ips, None);
    assert!(install.created_at.is_some());
    assert_request(
        &server.single_request(),
        "GET",
        "/v1/installs",
        &[("account_id", &ACCOUNT.to_string()), ("offset", "100")],
        Value::Null,
    );
}

#[tokio::test]
async fn create_install_sends_a_valid_name() {
    let (server, client) = serve_fixture(201, "createInstall").await;
    let install = client
        .create_install()
        .body_map(|body| {
            body.name("torquemag")
                .account_id(ACCOUNT)
                .site_id(Some(SITE))
                .environment(Environment::Staging)
        })
        .send()
        .await
        .unwrap();
    assert_eq!(install.status, Some(InstallStatus::Pending));
    assert_request(
        &server.single_request(),
        "POST",
        "/v1/installs",
        &[],
        json!({"name": "torquemag", "account_id": ACCOUNT, "site_id": SITE, "environment": "staging"}),
    );
}

#[tokio::test]
async fn get_install_reads_one_install() {
    let (server, client) = serve_fixture(200, "getInstall").await;
    let install = client
        .get_install()
        .install_id(INSTALL)
        .send()
        .await
        .unwrap();
    assert_eq!(install.environment, Some(Environment::Staging));
    assert_request(
        &server.single_request(),
        "GET",
        &format!("/v1/installs/{INSTALL}"),
        &[],
        Value::Null,
    );
}

#[tokio::test]
async fn update_install_patches_site_and_environment() {
    let (server, client) = serve_fixture(200, "updateInstall").await;
    let install = client
        .update_install()
        .install_id(INSTALL)
        .body_map(|body| {
            body.site_id(Some(SITE))
                .environment(Environment::Development)
        })
        .send()
        .await
        .unwrap();
    assert_eq!(install.php_version, None, "absent in the docs' example");
    assert_eq!(install.environment, Some(Environment::Development));
    assert_request(
        &server.single_request(),
        "PATCH",
        &format!("/v1/installs/{INSTALL}"),
        &[],
        json!({"site_id": SITE, "environment": "development"}),
    );
}

#[tokio::test]
async fn delete_install_sends_delete() {
    let (server, client) = serve_empty(204).await;
    client
        .delete_install()
        .install_id(INSTALL)
        .send()
        .await
        .unwrap();
    assert_request(
        &server.single_request(),
        "DELETE",
        &format!("/v1/installs/{INSTALL}"),
        &[],
        Value::Null,
    );
}

#[tokio::test]
async fn copy_install_sends_source_destination_and_options() {
    let (server, client) = serve_empty(202).await;
    let destination = Uuid::from_u128(7);
    let options = types::CopyOptions::try_from(
        types::CopyOptions::builder()
            .include_files(Some(true))
            .include_db(Some(false)),
    )
    .unwrap();
    client
        .copy_install()
        .body_map(|body| {
            body.source_environment_id(INSTALL)
                .destination_environment_id(destination)
                .notification_emails(vec!["ops@example.com".to_owned()])
                .custom_options(Some(options))
        })
        .send()
        .await
        .unwrap();
    assert_request(
        &server.single_request(),
        "POST",
        "/v1/install_copy",
        &[],
        json!({"source_environment_id": INSTALL, "destination_environment_id": destination, "notification_emails": ["ops@example.com"], "custom_options": {"include_files": true, "include_db": false}}),
    );
}
