//! Cache purges and their rate limit; cache exclusions, replaced as a whole.

use std::sync::Arc;
use std::time::Duration;

use futures::TryStreamExt;
use wpe_api::clock::VirtualClock;
use wpe_api::fake::{FakeConfig, FakeServer};
use wpe_api::types::{CacheExclusion, CacheExclusionType, PurgeCacheType};
use wpe_api::Paginate;

use crate::support::{
    demo, install_named, raw, raw_client, raw_fields, retry_after, served, status_of, Served,
};

pub async fn cache_purges_and_rate_limit() -> Served {
    // The server's clock moves only when told (`advance`), so the
    // Retry-After it computes is exact however long the run takes.
    let server = FakeServer::start(FakeConfig {
        clock: Arc::new(VirtualClock::new()),
        ..FakeConfig::default()
    })
    .await;
    // A client that sends every call once, so each 429 comes back as it is.
    let client = raw_client(&server);
    let install = install_named(&client, "torquemag").await;
    let install_id = install.id;
    let purge = |kind: PurgeCacheType| {
        let client = client.clone();
        async move {
            client
                .purge_cache()
                .install_id(install_id)
                .body_map(move |b| b.type_(kind))
                .send()
                .await
        }
    };
    assert_eq!(
        purge(PurgeCacheType::Page).await.unwrap().status().as_u16(),
        202
    );
    purge(PurgeCacheType::Object).await.unwrap();
    // Object cache: once per 60 s per install.
    let err = purge(PurgeCacheType::Object).await.unwrap_err();
    assert_eq!(status_of(&err), 429);
    assert_eq!(
        err.api_error().unwrap().message,
        "Object cache purges are rate-limited to one request every 60 seconds for each install"
    );
    assert_eq!(retry_after(&err), 60);
    // Other caches and other installs are not held back.
    purge(PurgeCacheType::Cdn).await.unwrap();
    let client = raw_client(&server);
    let staging = install_named(&client, "torquemagstg").await;
    client
        .purge_cache()
        .install_id(staging.id)
        .body_map(|b| b.type_(PurgeCacheType::Object))
        .send()
        .await
        .unwrap();

    server.advance(Duration::from_secs(45));
    let err = purge(PurgeCacheType::Object).await.unwrap_err();
    assert_eq!(retry_after(&err), 15);
    server.advance(Duration::from_secs(15));
    purge(PurgeCacheType::Object).await.unwrap();

    let kinds: Vec<PurgeCacheType> = server.cache_purges().iter().map(|p| p.kind).collect();
    assert_eq!(
        kinds,
        [
            PurgeCacheType::Page,
            PurgeCacheType::Object,
            PurgeCacheType::Cdn,
            PurgeCacheType::Object,
            PurgeCacheType::Object
        ]
    );
    // An unknown type: the client cannot send it, the server refuses it.
    let (status, body) = raw(
        &server,
        reqwest::Method::POST,
        &format!("/installs/{}/purge_cache", install.id),
        Some(r#"{"type":"everything"}"#),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(raw_fields(&body), ["type"]);
    served(&server)
}

pub async fn cache_exclusions_replace_the_set() -> Served {
    let (server, client) = demo().await;
    let install = install_named(&client, "torquemag").await;
    let rule = |kind: CacheExclusionType, value: &str| CacheExclusion {
        extra: Default::default(),
        type_: kind,
        value: value.to_owned(),
    };
    let listed = client
        .list_cache_exclusions()
        .install_id(install.id)
        .collect_all()
        .await
        .unwrap();
    let kinds: Vec<&str> = listed.iter().map(|r| r.type_.as_str()).collect();
    assert_eq!(kinds, ["cookie", "cookie", "url path"]);

    // What was read can be sent back unchanged: the set stays the same.
    let put = |rules: Vec<CacheExclusion>| {
        let client = client.clone();
        async move {
            client
                .update_cache_exclusions()
                .install_id(install.id)
                .body_map(|b| b.exclusions(rules))
                .send()
                .await
                .unwrap()
                .into_inner()
                .results
        }
    };
    let same = put(listed.clone()).await;
    assert_eq!(as_json(&same), as_json(&listed));

    // A full replacement: left-out rules go, duplicates collapse, cookies sent are ignored.
    let after = put(vec![
        rule(CacheExclusionType::QueryArg, "preview"),
        rule(CacheExclusionType::QueryArg, "preview"),
        rule(CacheExclusionType::UrlPath, "/checkout/"),
        rule(CacheExclusionType::Cookie, "my_cookie"),
    ])
    .await;
    let values: Vec<(&str, &str)> = after
        .iter()
        .map(|r| (r.type_.as_str(), r.value.as_str()))
        .collect();
    assert_eq!(
        values,
        [
            ("cookie", "wordpress_logged_in_"),
            ("cookie", "wp-postpass_"),
            ("query arg", "preview"),
            ("url path", "/checkout/"),
        ]
    );
    // A cookie and a query argument of the same value are two rules, also to the page stream.
    let two = put(vec![rule(CacheExclusionType::QueryArg, "wp-postpass_")]).await;
    assert_eq!(two.len(), 3);
    let streamed = client
        .list_cache_exclusions()
        .install_id(install.id)
        .stream_with(wpe_api::PageOptions::default().page_size(1))
        .try_collect::<Vec<_>>()
        .await
        .unwrap();
    assert_eq!(as_json(&streamed), as_json(&two));

    // An empty list clears every writable rule; the platform's cookies stay.
    let cleared = put(Vec::new()).await;
    assert!(cleared
        .iter()
        .all(|r| r.type_ == CacheExclusionType::Cookie));
    assert_eq!(cleared.len(), 2);

    // Refusals: an unknown type, a missing value, no list at all.
    let path = format!("/installs/{}/cache_exclusions", install.id);
    let (status, body) = raw(
        &server,
        reqwest::Method::PUT,
        &path,
        Some(r#"{"exclusions": [{"type": "header", "value": "x"}, {"type": "url path"}]}"#),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        raw_fields(&body),
        ["exclusions[0].type", "exclusions[1].value"]
    );
    let (status, body) = raw(&server, reqwest::Method::PUT, &path, Some("{}")).await;
    assert_eq!(
        (status, raw_fields(&body)),
        (400, vec!["exclusions".to_owned()])
    );
    served(&server)
}

fn as_json(rules: &[CacheExclusion]) -> serde_json::Value {
    serde_json::to_value(rules).unwrap()
}
