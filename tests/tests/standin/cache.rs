//! Cache purges and their rate limit.

use std::time::Duration;

use wpe_api::types::PurgeCacheType;

use crate::support::{
    demo, install_named, raw, raw_fields, retry_after, served, status_of, Served,
};

pub async fn cache_purges_and_rate_limit() -> Served {
    let (server, client) = demo().await;
    let install = install_named(&client, "torquemag").await;
    let install_id = install.id;
    // The stand-in's clients send every call once (`RetryPolicy::none()`), so
    // each 429 comes back as it is.
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
    let client = server.client();
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
