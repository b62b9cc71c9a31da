//! Cache purges of an install, by cache type, and its cache exclusions.

use serde_json::{json, Value};
use wpe_api::types::{CacheExclusion, CacheExclusionType, PurgeCacheType};

use crate::support::{assert_request, serve_empty, serve_fixture, INSTALL};

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

#[tokio::test]
async fn list_cache_exclusions_reads_a_page_of_rules() {
    let (server, client) = serve_fixture(200, "listCacheExclusions").await;
    let page = client
        .list_cache_exclusions()
        .install_id(INSTALL)
        .limit(2)
        .send()
        .await
        .unwrap();
    assert_eq!(page.count, Some(3));
    assert_eq!(page.results[0].type_, CacheExclusionType::Cookie);
    assert_eq!(page.results[1].type_, CacheExclusionType::UrlPath);
    assert_eq!(page.results[1].value, "/members/");
    assert!(page.next.is_some());
    assert_request(
        &server.single_request(),
        "GET",
        &format!("/v1/installs/{INSTALL}/cache_exclusions"),
        &[("limit", "2")],
        Value::Null,
    );
}

#[tokio::test]
async fn update_cache_exclusions_puts_the_whole_list() {
    let (server, client) = serve_fixture(200, "updateCacheExclusions").await;
    let rule = |kind: CacheExclusionType, value: &str| CacheExclusion {
        extra: Default::default(),
        type_: kind,
        value: value.to_owned(),
    };
    let set = client
        .update_cache_exclusions()
        .install_id(INSTALL)
        .body_map(|body| {
            body.exclusions(vec![
                rule(CacheExclusionType::UrlPath, "/checkout/"),
                rule(CacheExclusionType::QueryArg, "preview"),
            ])
        })
        .send()
        .await
        .unwrap();
    assert_eq!(set.results.len(), 3);
    assert_request(
        &server.single_request(),
        "PUT",
        &format!("/v1/installs/{INSTALL}/cache_exclusions"),
        &[],
        json!({"exclusions": [
            {"type": "url path", "value": "/checkout/"},
            {"type": "query arg", "value": "preview"}
        ]}),
    );
}
