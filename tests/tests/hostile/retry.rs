//! `Retry-After` and the shared 429 gate against any value a server sends.

use std::time::Duration;

use wpe_api::clock::VirtualClock;
use wpe_api::retry::RetryPolicy;
use wpe_api_tests::hostile::{Hostile, Step};

#[tokio::test]
async fn the_harness_serves_a_scripted_answer_and_records_the_request() {
    let server = Hostile::always(Step::json(
        200,
        &serde_json::json!({
            "previous": null, "next": null, "count": 0, "results": []
        }),
    ));
    let client = server
        .client_builder()
        .retry_policy(RetryPolicy::default().clock(VirtualClock::new()))
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let accounts = client.list_accounts().send().await.unwrap().into_inner();
    assert!(accounts.results.is_empty());
    let seen = server.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].method, "GET");
    assert_eq!(seen[0].path(), "/v1/accounts");
    assert!(seen[0].header("authorization").is_some());
}
