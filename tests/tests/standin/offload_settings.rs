//! Large-file offload settings of an install and their validation file.

use serde_json::json;
use wpe_api::types;

use crate::support::{assert_field_error, demo, install_named, served, Served};

pub async fn offload_settings() -> Served {
    let (server, client) = demo().await;
    let install = install_named(&client, "demoshop").await;
    let file = client
        .get_large_fs_validation_file()
        .install_id(install.id)
        .send()
        .await
        .unwrap();
    assert_eq!(file.name.as_deref(), Some("wpe-largefs-validation.txt"));
    assert_eq!(file.content.as_deref().map(str::len), Some(16));

    let before = client
        .get_offload_settings()
        .install_id(install.id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(before.largefs_settings.is_none());

    let config: types::LargeFsConfig = serde_json::from_value(json!({
        "largefs_settings": {
            "cloud": "s3",
            "bucket": "demo-media",
            "bucket_region": "us-east-1",
            "path_settings": [
                { "path": "/wp-content/uploads", "excluded_paths": ["/wp-content/uploads/private"], "redirect_type": "permanent" }
            ]
        }
    }))
    .unwrap();
    let accepted = client
        .update_offload_settings()
        .install_id(install.id)
        .body(config)
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status().as_u16(), 202);
    let stored = client
        .get_offload_settings()
        .install_id(install.id)
        .send()
        .await
        .unwrap()
        .into_inner()
        .largefs_settings
        .unwrap();
    assert_eq!(stored.bucket.as_deref(), Some("demo-media"));
    assert_eq!(
        stored.path_settings[0].redirect_type,
        Some(types::OffloadRedirectType::Permanent)
    );

    let patch: types::LargeFsConfig =
        serde_json::from_value(json!({ "largefs_settings": { "bucket": "demo-media-2" } }))
            .unwrap();
    client
        .patch_offload_settings()
        .install_id(install.id)
        .body(patch)
        .send()
        .await
        .unwrap();
    let stored = client
        .get_offload_settings()
        .install_id(install.id)
        .send()
        .await
        .unwrap()
        .into_inner()
        .largefs_settings
        .unwrap();
    assert_eq!(stored.bucket.as_deref(), Some("demo-media-2"));
    assert_eq!(
        stored.bucket_region.as_deref(),
        Some("us-east-1"),
        "patch keeps the rest"
    );

    // A full update needs the bucket; paths must be absolute.
    let bad: types::LargeFsConfig = serde_json::from_value(json!({
        "largefs_settings": { "cloud": "s3", "bucket_region": "us-east-1", "path_settings": [{ "path": "uploads" }] }
    }))
    .unwrap();
    let err = client
        .update_offload_settings()
        .install_id(install.id)
        .body(bad)
        .send()
        .await
        .unwrap_err();
    assert_field_error(&err, "bucket");
    assert_field_error(&err, "path");
    served(&server)
}
