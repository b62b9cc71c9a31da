//! Each request runs in a `wpe_api.request` span with operation id, method,
//! path template, attempts, status and elapsed time, and never credentials,
//! ids or bodies.

use serde_json::json;
use uuid::Uuid;
use wpe_api::retry::RetryPolicy;
use wpe_api_tests::capture::Capture;
use wpe_api_tests::{fixture, Canned, RecordingServer, TEST_PASSWORD};

#[tokio::test]
async fn a_request_span_names_the_operation_but_no_secrets() {
    let (capture, _guard) = Capture::start();

    let clock = wpe_api::clock::VirtualClock::new();
    let server = RecordingServer::start().await;
    server.respond(Canned::json(503, &json!({"message": "busy"})));
    server.respond(Canned::json(200, &fixture("getInstall")));
    let install = Uuid::from_u128(0xfeed_beef);
    let client = server.client_with(RetryPolicy::default().clock(clock.clone()));
    client
        .get_install()
        .install_id(install)
        .send()
        .await
        .unwrap();

    let log = capture.text();
    assert!(log.contains("wpe_api.request"), "{log}");
    assert!(
        log.contains("operation=\"get_install\"") || log.contains("operation=get_install"),
        "{log}"
    );
    assert!(
        log.contains("path=\"/installs/{install_id}\"")
            || log.contains("path=/installs/{install_id}"),
        "{log}"
    );
    assert!(log.contains("method=GET"), "{log}");
    assert!(log.contains("attempts=2"), "{log}");
    assert!(log.contains("status=200"), "{log}");
    let [wait] = clock.sleeps()[..] else {
        panic!("one wait: {:?}", clock.sleeps())
    };
    assert!(
        log.contains(&format!("elapsed_ms={}", wait.as_millis())),
        "the elapsed time is the {wait:?} back-off on the client's clock: {log}"
    );
    assert!(log.contains("retrying"), "the retry is logged: {log}");
    assert!(
        !log.contains(&install.to_string()),
        "no concrete ids: {log}"
    );
    assert!(
        !log.contains(TEST_PASSWORD) && !log.contains("Basic "),
        "no credentials: {log}"
    );
    assert!(!log.contains("torquemag"), "no bodies: {log}");
}

#[tokio::test]
async fn a_transport_failure_after_retries_logs_its_attempts_and_last_failure() {
    let (capture, _guard) = Capture::start();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let client = wpe_api::Client::builder()
        .credentials(wpe_api::Credentials::new("u", TEST_PASSWORD))
        .base_url(format!("http://{addr}/v1"))
        .retry_policy(
            RetryPolicy::default()
                .max_attempts(3)
                .base_delay(std::time::Duration::from_millis(1)),
        )
        .build()
        .unwrap();
    let err = client.list_accounts().send().await.unwrap_err();
    assert!(
        matches!(err, wpe_api::Error::CommunicationError(ref e) if e.is_connect()),
        "{err:?}"
    );
    let log = capture.text();
    let giving_up = capture.line("giving up");
    assert!(giving_up.contains("WARN"), "{giving_up}");
    assert!(giving_up.contains("attempts=3"), "{giving_up}");
    assert!(giving_up.contains("could not connect"), "{giving_up}");
    assert!(giving_up.contains("list_accounts"), "{giving_up}");
    assert!(
        log.contains("status=\"transport-error\"") || log.contains("status=transport-error"),
        "{log}"
    );
    assert!(!log.contains(TEST_PASSWORD), "no credentials: {log}");
}
