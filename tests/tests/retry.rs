//! Retries over real HTTP: what is retried, what never is, how long the
//! client waits, and how clones of a client back off together.

use std::time::{Duration, Instant};

use serde_json::json;
use uuid::Uuid;
use wpe_api::retry::RetryPolicy;
use wpe_api::{ApiErrorExt, Client, Credentials, Error};
use wpe_api_tests::{fixture, Canned, RecordingServer};

const INSTALL: Uuid = Uuid::from_u128(0x1234);

fn fast() -> RetryPolicy {
    RetryPolicy::default()
        .base_delay(Duration::from_millis(10))
        .max_delay(Duration::from_millis(50))
}

fn busy() -> Canned {
    Canned::json(429, &json!({"message": "Too many requests"}))
}

#[tokio::test]
async fn a_429_is_retried_after_retry_after_even_for_a_post() {
    let server = RecordingServer::start().await;
    server.respond(busy().header("retry-after", "1"));
    server.respond(Canned::json(202, &fixture("createBackup")));
    let started = Instant::now();
    let backup = server
        .client_with(fast())
        .create_backup()
        .install_id(INSTALL)
        .body_map(|b| {
            b.description("before deploy")
                .notification_emails(vec!["ops@example.com".into()])
        })
        .send()
        .await
        .unwrap();
    assert_eq!(backup.status, wpe_api::types::BackupStatus::Requested);
    let requests = server.requests();
    assert_eq!(requests.len(), 2, "one 429, one success");
    let gap = requests[1].at - requests[0].at;
    assert!(
        gap >= Duration::from_millis(950),
        "waited {gap:?} for Retry-After: 1"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(
        requests[0].body, requests[1].body,
        "the same body both times"
    );
}

#[tokio::test]
async fn a_retry_after_http_date_is_understood() {
    let server = RecordingServer::start().await;
    let at = (chrono::Utc::now() + chrono::Duration::seconds(2))
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string();
    server.respond(busy().header("retry-after", at));
    server.respond(Canned::json(200, &fixture("status")));
    server.client_with(fast()).status().send().await.unwrap();
    let requests = server.requests();
    let gap = requests[1].at - requests[0].at;
    assert!(gap >= Duration::from_millis(900), "waited {gap:?}");
}

#[tokio::test]
async fn gateway_errors_are_retried_for_a_get() {
    let server = RecordingServer::start().await;
    server.respond(Canned::raw(502, "<html>bad gateway</html>"));
    server.respond(Canned::json(503, &json!({"message": "unavailable"})));
    server.respond(Canned::empty(504));
    server.respond(Canned::json(200, &fixture("getInstall")));
    let install = server
        .client_with(fast())
        .get_install()
        .install_id(INSTALL)
        .send()
        .await
        .unwrap();
    assert_eq!(install.name, "torquemag");
    assert_eq!(server.requests().len(), 4);
}

#[tokio::test]
async fn a_post_is_never_retried_on_a_gateway_error() {
    let server = RecordingServer::start().await;
    server.respond(Canned::json(503, &json!({"message": "unavailable"})));
    server.respond(Canned::json(202, &fixture("createBackup")));
    let err = server
        .client_with(fast())
        .create_backup()
        .install_id(INSTALL)
        .body_map(|b| b.description("x").notification_emails(Vec::<String>::new()))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(err.attempts(), Some(1));
    assert_eq!(
        server.requests().len(),
        1,
        "the backup request was sent once"
    );
}

#[tokio::test]
async fn giving_up_reports_the_attempts() {
    let server = RecordingServer::start().await;
    for _ in 0..3 {
        server.respond(Canned::json(503, &json!({"message": "unavailable"})));
    }
    let err = server
        .client_with(fast().max_attempts(3))
        .get_current_user()
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.attempts(), Some(3));
    assert_eq!(err.api_error().unwrap().message, "unavailable");
    assert!(err.to_string().contains("wpe-api-attempts"), "{err}");
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn the_deadline_stops_retrying_before_a_long_retry_after() {
    let server = RecordingServer::start().await;
    server.respond(busy().header("retry-after", "3600"));
    let started = Instant::now();
    let err = server
        .client_with(fast().deadline(Duration::from_secs(5)))
        .get_current_user()
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(429));
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "did not sleep for an hour"
    );
    assert_eq!(server.requests().len(), 1);
}

/// A client with three attempts against a port where nothing listens.
fn client_of_a_closed_port() -> Client {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    Client::builder()
        .credentials(Credentials::new("u", "p"))
        .base_url(format!("http://{addr}/v1"))
        .retry_policy(fast().max_attempts(3))
        .build()
        .unwrap()
}

#[tokio::test]
async fn connection_failures_retried_for_a_get_stay_a_communication_error() {
    let client = client_of_a_closed_port();
    let err = client.list_accounts().send().await.unwrap_err();
    // The same variant as without retries, so `is_connect()` still tells a
    // refused connection from a timeout (the attempts are in the span).
    assert!(
        matches!(err, Error::CommunicationError(ref e) if e.is_connect() && !e.is_timeout()),
        "{err:?}"
    );
    assert_eq!(err.attempts(), None);
}

#[tokio::test]
async fn connection_failures_are_not_retried_for_a_post() {
    let client = client_of_a_closed_port();
    let err = client
        .create_site()
        .body_map(|b| b.name("s").account_id(INSTALL))
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::CommunicationError(ref e) if e.is_connect()),
        "{err:?}"
    );
}

#[tokio::test]
async fn clones_of_a_client_back_off_together_after_a_429() {
    let server = RecordingServer::start().await;
    server.respond(busy().header("retry-after", "1"));
    for _ in 0..3 {
        server.respond(Canned::json(200, &fixture("status")));
    }
    let first = server.client_with(fast());
    let second = first.clone();
    let a = tokio::spawn(async move { first.status().send().await.map(|_| ()) });
    // Let the first request meet its 429 before the clone starts.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let b = tokio::spawn(async move { second.status().send().await.map(|_| ()) });
    a.await.unwrap().unwrap();
    b.await.unwrap().unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    for later in &requests[1..] {
        let gap = later.at - requests[0].at;
        assert!(
            gap >= Duration::from_millis(950),
            "a clone went ahead {gap:?} after the 429"
        );
    }
}

#[tokio::test]
async fn domain_status_checks_of_one_install_are_spaced_client_side() {
    let server = RecordingServer::start().await;
    for _ in 0..3 {
        server.respond(Canned::json(202, &fixture("checkStatus")));
    }
    let client = server.client_with(fast());
    let other = Uuid::from_u128(0x5678);
    for install in [INSTALL, other, INSTALL] {
        client
            .check_status()
            .install_id(install)
            .domain_id(Uuid::from_u128(1))
            .send()
            .await
            .unwrap();
    }
    let requests = server.requests();
    assert!(
        requests[1].at - requests[0].at < Duration::from_secs(1),
        "another install is not held back"
    );
    let gap = requests[2].at - requests[0].at;
    assert!(
        gap >= Duration::from_millis(4900),
        "same install again after {gap:?}"
    );
}
