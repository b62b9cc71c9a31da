//! Retries over real HTTP: what is retried, what never is, how long the
//! client waits, and how clones of a client back off together. Client and
//! server run on a virtual clock: every wait is checked exactly and none
//! takes wall time.

use std::time::Duration;

use serde_json::json;
use uuid::Uuid;
use wpe_api::clock::VirtualClock;
use wpe_api::retry::RetryPolicy;
use wpe_api::{Client, Credentials, Error};
use wpe_api_tests::{fixture, Canned, RecordingServer};

const INSTALL: Uuid = Uuid::from_u128(0x1234);
const BASE_DELAY: Duration = Duration::from_millis(10);
const MAX_DELAY: Duration = Duration::from_millis(50);

/// Short back-off (10 ms doubling up to 50 ms) on `clock`.
fn fast(clock: &VirtualClock) -> RetryPolicy {
    RetryPolicy::default()
        .base_delay(BASE_DELAY)
        .max_delay(MAX_DELAY)
        .clock(clock.clone())
}

/// A recording server and a virtual clock for it and its clients.
async fn server_on_a_virtual_clock() -> (RecordingServer, VirtualClock) {
    let clock = VirtualClock::new();
    (RecordingServer::start_on(clock.clone()).await, clock)
}

fn busy() -> Canned {
    Canned::json(429, &json!({"message": "Too many requests"}))
}

/// Asserts each wait is the exponential back-off of its attempt: between half
/// and all of `BASE_DELAY * 2^n`, capped at `MAX_DELAY`.
fn assert_exponential_backoff(sleeps: &[Duration]) {
    for (n, sleep) in sleeps.iter().enumerate() {
        let full = (BASE_DELAY * 2u32.pow(n as u32)).min(MAX_DELAY);
        assert!(
            *sleep >= full / 2 && *sleep <= full,
            "wait {n} was {sleep:?}, not within {:?}..={full:?}: {sleeps:?}",
            full / 2
        );
    }
}

#[tokio::test]
async fn a_429_is_retried_after_exactly_its_retry_after_even_for_a_post() {
    let (server, clock) = server_on_a_virtual_clock().await;
    server.respond(busy().header("retry-after", "1"));
    server.respond(Canned::json(202, &fixture("createBackup")));
    let backup = server
        .client_with(fast(&clock))
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
    assert_eq!(clock.sleeps(), [Duration::from_secs(1)], "Retry-After: 1");
    let requests = server.requests();
    assert_eq!(requests.len(), 2, "one 429, one success");
    assert_eq!(requests[1].at - requests[0].at, Duration::from_secs(1));
    assert_eq!(
        requests[0].body, requests[1].body,
        "the same body both times"
    );
}

#[tokio::test]
async fn a_retry_after_http_date_is_waited_for_until_that_date() {
    let now = chrono::DateTime::parse_from_rfc3339("2025-07-01T12:00:00Z")
        .unwrap()
        .to_utc();
    let clock = VirtualClock::new().starting_at(now);
    let server = RecordingServer::start_on(clock.clone()).await;
    server.respond(busy().header("retry-after", "Tue, 01 Jul 2025 12:00:02 GMT"));
    server.respond(Canned::json(200, &fixture("status")));
    server
        .client_with(fast(&clock))
        .status()
        .send()
        .await
        .unwrap();
    assert_eq!(clock.sleeps(), [Duration::from_secs(2)]);
    let requests = server.requests();
    assert_eq!(requests[1].at - requests[0].at, Duration::from_secs(2));
}

#[tokio::test]
async fn gateway_errors_are_retried_for_a_get_after_exponential_back_off() {
    let (server, clock) = server_on_a_virtual_clock().await;
    server.respond(Canned::raw(502, "<html>bad gateway</html>"));
    server.respond(Canned::json(503, &json!({"message": "unavailable"})));
    server.respond(Canned::empty(504));
    server.respond(Canned::json(200, &fixture("getInstall")));
    let install = server
        .client_with(fast(&clock))
        .get_install()
        .install_id(INSTALL)
        .send()
        .await
        .unwrap();
    assert_eq!(install.name, "torquemag");
    assert_eq!(server.requests().len(), 4);
    let sleeps = clock.sleeps();
    assert_eq!(sleeps.len(), 3, "{sleeps:?}");
    assert_exponential_backoff(&sleeps);
}

#[tokio::test]
async fn a_post_is_never_retried_on_a_gateway_error() {
    let (server, clock) = server_on_a_virtual_clock().await;
    server.respond(Canned::json(503, &json!({"message": "unavailable"})));
    server.respond(Canned::json(202, &fixture("createBackup")));
    let err = server
        .client_with(fast(&clock))
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
    assert!(clock.sleeps().is_empty());
}

#[tokio::test]
async fn giving_up_after_max_attempts_returns_the_last_answer_with_the_attempts() {
    let (server, clock) = server_on_a_virtual_clock().await;
    for _ in 0..3 {
        server.respond(Canned::json(503, &json!({"message": "unavailable"})));
    }
    let err = server
        .client_with(fast(&clock).max_attempts(3))
        .get_current_user()
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.attempts(), Some(3));
    assert_eq!(err.api_error().unwrap().message, "unavailable");
    assert_eq!(
        err.to_string(),
        "503 Service Unavailable: unavailable [after 3 attempts]"
    );
    assert_eq!(server.requests().len(), 3);
    assert_eq!(clock.sleeps().len(), 2, "no wait after the last attempt");
}

#[tokio::test]
async fn the_deadline_stops_retrying_before_a_long_retry_after() {
    let (server, clock) = server_on_a_virtual_clock().await;
    server.respond(busy().header("retry-after", "3600"));
    let err = server
        .client_with(fast(&clock).deadline(Duration::from_secs(5)))
        .get_current_user()
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(429));
    assert!(clock.sleeps().is_empty(), "did not sleep for an hour");
    assert_eq!(clock.elapsed(), Duration::ZERO);
    assert_eq!(server.requests().len(), 1);
}

/// A client with three attempts on `clock`, against a port where nothing listens.
fn client_of_a_closed_port(clock: &VirtualClock) -> Client {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    Client::builder()
        .credentials(Credentials::new("u", "p"))
        .base_url(format!("http://{addr}/v1"))
        .retry_policy(fast(clock).max_attempts(3))
        .build()
        .unwrap()
}

#[tokio::test]
async fn connection_failures_retried_for_a_get_stay_a_communication_error() {
    let clock = VirtualClock::new();
    let client = client_of_a_closed_port(&clock);
    let err = client.list_accounts().send().await.unwrap_err();
    // The same variant as without retries, so `is_connect()` still tells a
    // refused connection from a timeout (the attempts are in the span).
    assert!(
        matches!(err, Error::CommunicationError(ref e) if e.is_connect() && !e.is_timeout()),
        "{err:?}"
    );
    assert_eq!(err.attempts(), None);
    let sleeps = clock.sleeps();
    assert_eq!(sleeps.len(), 2, "three attempts: {sleeps:?}");
    assert_exponential_backoff(&sleeps);
}

#[tokio::test]
async fn connection_failures_are_not_retried_for_a_post() {
    let clock = VirtualClock::new();
    let client = client_of_a_closed_port(&clock);
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
    assert!(clock.sleeps().is_empty());
}

#[tokio::test]
async fn clones_of_a_client_back_off_together_after_a_429() {
    // On a manual clock every wait holds until the test advances the clock,
    // so the test sees each one begin.
    let clock = VirtualClock::manual();
    let server = RecordingServer::start_on(clock.clone()).await;
    server.respond(busy().header("retry-after", "1"));
    for _ in 0..3 {
        server.respond(Canned::json(200, &fixture("status")));
    }
    let first = server.client_with(fast(&clock));
    let second = first.clone();
    let a = tokio::spawn(async move { first.status().send().await.map(|_| ()) });
    assert_eq!(
        clock.next_sleep().await,
        Duration::from_secs(1),
        "the first request met its 429 and waits out its Retry-After"
    );
    let mut b = tokio::spawn(async move { second.status().send().await.map(|_| ()) });
    tokio::select! {
        wait = clock.next_sleep() => assert_eq!(
            wait,
            Duration::from_secs(1),
            "the clone waits for the same gate"
        ),
        sent = &mut b => panic!("the clone went ahead during the back-off: {sent:?}"),
    }
    assert_eq!(
        server.requests().len(),
        1,
        "nothing sent while the gate is closed"
    );
    clock.advance(Duration::from_secs(1));
    a.await.unwrap().unwrap();
    b.await.unwrap().unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    for later in &requests[1..] {
        assert_eq!(later.at - requests[0].at, Duration::from_secs(1));
    }
}

#[tokio::test]
async fn domain_status_checks_of_one_install_are_spaced_client_side() {
    let (server, clock) = server_on_a_virtual_clock().await;
    for _ in 0..3 {
        server.respond(Canned::json(202, &fixture("checkStatus")));
    }
    let client = server.client_with(fast(&clock));
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
    assert_eq!(
        requests[1].at, requests[0].at,
        "another install is not held back"
    );
    assert_eq!(
        requests[2].at - requests[0].at,
        Duration::from_secs(5),
        "the same install again 5 s after its last answer"
    );
    assert_eq!(clock.sleeps(), [Duration::from_secs(5)]);
}

/// Each POST or PATCH added in 1.21.2, sent once through `client`: each
/// starts work (a restore, an archive, a transfer, a link, a schedule) that a
/// second request would start again.
#[allow(clippy::result_large_err)] // `wpe_api::Error` is what the calls return
fn posts_of_1_21_2(
    client: &Client,
) -> Vec<(
    &'static str,
    futures::future::BoxFuture<'_, Result<(), Error>>,
)> {
    use futures::FutureExt;
    use wpe_api::types::ReportRecipient;
    let id = Uuid::from_u128(0x5678);
    let emails = || vec!["ops@example.com".to_owned()];
    let recipient = || {
        vec![ReportRecipient {
            extra: Default::default(),
            email: "client@example.com".into(),
            name: None,
        }]
    };
    vec![
        (
            "restoreBackup",
            client
                .restore_backup()
                .install_id(INSTALL)
                .backup_id(id)
                .body_map(move |b| b.notification_emails(emails()))
                .send()
                .map(|r| r.map(drop))
                .boxed(),
        ),
        (
            "createArchive",
            client
                .create_archive()
                .install_id(INSTALL)
                .body_map(move |b| b.backup_id(id).notification_emails(emails()))
                .send()
                .map(|r| r.map(drop))
                .boxed(),
        ),
        (
            "createSiteTransfer",
            client
                .create_site_transfer()
                .site_id(id)
                .body_map(move |b| b.destination_account_id(id))
                .send()
                .map(|r| r.map(drop))
                .boxed(),
        ),
        (
            "verifyDomainTxtRecord",
            client
                .verify_domain_txt_record()
                .install_id(INSTALL)
                .domain_id(id.to_string())
                .send()
                .map(|r| r.map(drop))
                .boxed(),
        ),
        (
            "createDomainSharingLink",
            client
                .create_domain_sharing_link()
                .install_id(INSTALL)
                .domain_id(id.to_string())
                .send()
                .map(|r| r.map(drop))
                .boxed(),
        ),
        (
            "createSiteReportSchedule",
            client
                .create_site_report_schedule()
                .body_map(move |b| b.site_id(id).title("Monthly").recipients(recipient()))
                .send()
                .map(|r| r.map(drop))
                .boxed(),
        ),
        (
            "updateSiteReportSchedule",
            client
                .update_site_report_schedule()
                .schedule_id(id)
                .body_map(|b| b.title(Some("Weekly".to_owned())))
                .send()
                .map(|r| r.map(drop))
                .boxed(),
        ),
    ]
}

#[tokio::test]
async fn no_post_of_1_21_2_is_resent_after_a_gateway_error() {
    let clock = VirtualClock::new();
    let probe = RecordingServer::start_on(clock.clone()).await;
    let count = posts_of_1_21_2(&probe.client()).len();
    assert_eq!(count, 7);
    for index in 0..count {
        let server = RecordingServer::start_on(clock.clone()).await;
        server.respond(Canned::json(502, &json!({"message": "bad gateway"})));
        server.respond(Canned::empty(202));
        let client = server.client_with(fast(&clock));
        let (operation, call) = posts_of_1_21_2(&client).swap_remove(index);
        assert!(
            !wpe_api::operations::by_operation_id(operation)
                .unwrap()
                .idempotent,
            "{operation} is marked idempotent in the spec"
        );
        let err = call.await.unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(502), "{operation}");
        assert_eq!(err.attempts(), Some(1), "{operation}");
        assert_eq!(server.requests().len(), 1, "{operation} was sent once");
    }
    assert!(clock.sleeps().is_empty(), "no retry waited");
}

#[tokio::test]
async fn no_post_of_1_21_2_is_resent_after_a_dropped_connection() {
    let clock = VirtualClock::new();
    let client = client_of_a_closed_port(&clock);
    for (operation, call) in posts_of_1_21_2(&client) {
        let err = call.await.unwrap_err();
        assert!(
            matches!(err, Error::CommunicationError(ref e) if e.is_connect()),
            "{operation}: {err:?}"
        );
    }
    assert!(clock.sleeps().is_empty(), "no retry waited");
}
