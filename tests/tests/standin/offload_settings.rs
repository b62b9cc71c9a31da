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

    let never_set = client
        .get_offload_settings()
        .install_id(install.id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(never_set.status().map(|s| s.as_u16()), Some(404));

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

/// As on the live API, an install that never configured LargeFS answers
/// `getOffloadSettings` with 404 "LargeFS settings not found" (a typed
/// error), and `patchOffloadSettings` with 404 too, until settings are
/// stored; another install's settings do not count.
pub async fn offload_settings_never_configured_are_a_404() -> Served {
    let (server, client) = demo().await;
    let install = install_named(&client, "torquemagstg").await;
    let other = install_named(&client, "clientblog").await;
    let err = client
        .get_offload_settings()
        .install_id(install.id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    assert_eq!(
        err.api_error().map(|body| body.message.as_str()),
        Some("LargeFS settings not found")
    );

    // Nothing to change yet: PATCH is a 404 too, saying to POST first.
    let patch: types::LargeFsConfig =
        serde_json::from_value(json!({ "largefs_settings": { "bucket": "b" } })).unwrap();
    let err = client
        .patch_offload_settings()
        .install_id(install.id)
        .body(patch.clone())
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    assert!(err.api_error().unwrap().message.contains("POST"), "{err:?}");

    let config: types::LargeFsConfig = serde_json::from_value(json!({
        "largefs_settings": { "cloud": "s3", "bucket": "b", "bucket_region": "us-east-1" }
    }))
    .unwrap();
    client
        .update_offload_settings()
        .install_id(install.id)
        .body(config)
        .send()
        .await
        .unwrap();
    let stored = client
        .get_offload_settings()
        .install_id(install.id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        stored.largefs_settings.as_ref().unwrap().bucket.as_deref(),
        Some("b")
    );
    // Once configured, PATCH changes them.
    let patch: types::LargeFsConfig =
        serde_json::from_value(json!({ "largefs_settings": { "bucket": "b2" } })).unwrap();
    client
        .patch_offload_settings()
        .install_id(install.id)
        .body(patch)
        .send()
        .await
        .unwrap();
    let err = client
        .get_offload_settings()
        .install_id(other.id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.api_error().unwrap().message,
        "LargeFS settings not found"
    );
    served(&server)
}
