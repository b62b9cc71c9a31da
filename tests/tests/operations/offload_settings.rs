//! Large-file offload settings of an install, read, replaced and patched, and their validation file.

use serde_json::Value;
use wpe_api::types;
use wpe_api_tests::fixture;

use crate::support::{assert_request, serve_empty, serve_fixture, INSTALL};

#[tokio::test]
async fn get_large_fs_validation_file_reads_name_and_content() {
    let (server, client) = serve_fixture(200, "getLargeFSValidationFile").await;
    let file = client
        .get_large_fs_validation_file()
        .install_id(INSTALL)
        .send()
        .await
        .unwrap();
    assert_eq!(file.name.as_deref(), Some("wpe-largefs-validation.txt"));
    assert_eq!(file.content.as_deref(), Some("3f1c9a2b"));
    assert_request(
        &server.single_request(),
        "GET",
        &format!("/v1/installs/{INSTALL}/offload_settings/largefs_validation_file"),
        &[],
        Value::Null,
    );
}

#[tokio::test]
async fn get_offload_settings_reads_typed_settings() {
    let (server, client) = serve_fixture(200, "getOffloadSettings").await;
    let config = client
        .get_offload_settings()
        .install_id(INSTALL)
        .send()
        .await
        .unwrap()
        .into_inner();
    let settings = config.largefs_settings.unwrap();
    assert_eq!(settings.cloud, Some(types::OffloadCloud::S3));
    assert_eq!(
        settings.path_settings[0].redirect_type,
        Some(types::OffloadRedirectType::Permanent)
    );
    assert_request(
        &server.single_request(),
        "GET",
        &format!("/v1/installs/{INSTALL}/offload_settings/files"),
        &[],
        Value::Null,
    );
}

fn offload_config() -> types::LargeFsConfig {
    serde_json::from_value(fixture("getOffloadSettings")).unwrap()
}

#[tokio::test]
async fn update_offload_settings_posts_the_config() {
    let (server, client) = serve_empty(202).await;
    client
        .update_offload_settings()
        .install_id(INSTALL)
        .body(offload_config())
        .send()
        .await
        .unwrap();
    assert_request(
        &server.single_request(),
        "POST",
        &format!("/v1/installs/{INSTALL}/offload_settings/files"),
        &[],
        fixture("getOffloadSettings"),
    );
}

#[tokio::test]
async fn patch_offload_settings_patches_the_config() {
    let (server, client) = serve_empty(202).await;
    client
        .patch_offload_settings()
        .install_id(INSTALL)
        .body(offload_config())
        .send()
        .await
        .unwrap();
    assert_request(
        &server.single_request(),
        "PATCH",
        &format!("/v1/installs/{INSTALL}/offload_settings/files"),
        &[],
        fixture("getOffloadSettings"),
    );
}
