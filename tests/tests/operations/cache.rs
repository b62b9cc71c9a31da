//! Cache purges of an install, by cache type.

use serde_json::json;
use wpe_api::types::PurgeCacheType;

use crate::support::{assert_request, serve_empty, INSTALL};

#[tokio::test]
async fn purge_cache_sends_the_cache_type() {
    let (server, client) = serve_empty(202).await;
    client
        .purge_cache()
        .install_id(INSTALL)
        .body_map(|body| body.type_(PurgeCacheType::All))
        .send()
        .await
        .unwrap();
    assert_request(
        &server.single_request(),
        "POST",
        &format!("/v1/installs/{INSTALL}/purge_cache"),
        &[],
        json!({"type": "all"}),
    );
}
