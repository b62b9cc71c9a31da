//! `Retry-After` and the shared 429 gate against any value a server sends,
//! attempts a server cannot forge, and a `giving up` event without URLs.
//!
//! The client runs on a [`VirtualClock`]: every wait it takes shows in
//! `clock.sleeps()` and none takes wall time.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use proptest::prelude::*;

use wpe_api::clock::VirtualClock;
use wpe_api::retry::RetryPolicy;
use wpe_api_tests::capture::Capture;
use wpe_api_tests::hostile::{Hostile, RawRequest, Step};

const INSTALL: uuid::Uuid = uuid::Uuid::from_u128(0x1a2b_3c4d_5e6f_7a8b_9c0d_1e2f_3a4b_5c6d);

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

/// An empty page, as `list_sites` and `list_accounts` answer.
fn empty_page() -> Vec<Step> {
    Step::json(
        200,
        &serde_json::json!({"previous": null, "next": null, "count": 0, "results": []}),
    )
}

/// `status` with `Retry-After: retry_after` (and an API error body).
fn busy(status: u16, retry_after: &str) -> Vec<Step> {
    Step::answer(
        status,
        &[
            ("content-type", "application/json"),
            ("retry-after", retry_after),
        ],
        br#"{"message":"slow down"}"#,
    )
}

/// A server answering `/v1/accounts` and backup requests with `answer`, and
/// every other path (`/v1/sites`) with an empty page at once.
fn busy_accounts(answer: Vec<Step>) -> Hostile {
    Hostile::start(move |request: &RawRequest, _| {
        if request.path() == "/v1/accounts" || request.path().ends_with("/backups") {
            answer.clone()
        } else {
            empty_page()
        }
    })
}

fn count(server: &Hostile, path: &str) -> usize {
    server
        .requests()
        .iter()
        .filter(|r| r.path() == path)
        .count()
}

#[tokio::test]
async fn a_retry_after_past_the_deadline_is_the_answer_and_holds_back_no_clone() {
    for retry_after in ["3600", "Fri, 31 Dec 9999 23:59:59 GMT"] {
        let clock = VirtualClock::new();
        let server = busy_accounts(busy(429, retry_after));
        let client = server
            .client_builder()
            .retry_policy(RetryPolicy::default().clock(clock.clone()))
            .build()
            .unwrap();
        let err = client.list_accounts().send().await.unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(429), "{retry_after}");
        assert_eq!(err.attempts(), Some(1), "{retry_after}");
        assert_eq!(
            err.api_error().map(|e| e.message.as_str()),
            Some("slow down")
        );

        let clone = client.clone();
        let sites = tokio::time::timeout(Duration::from_secs(20), clone.list_sites().send())
            .await
            .unwrap_or_else(|_| panic!("{retry_after}: the clone's call stalled"))
            .unwrap();
        assert!(sites.results.is_empty());
        assert_eq!(
            clock.sleeps(),
            [] as [Duration; 0],
            "{retry_after}: nobody waited for a Retry-After past the deadline"
        );
        assert_eq!(clock.elapsed(), Duration::ZERO, "{retry_after}");
        assert_eq!(count(&server, "/v1/accounts"), 1, "{retry_after}");
        assert_eq!(count(&server, "/v1/sites"), 1, "{retry_after}");
    }
}

#[tokio::test]
async fn a_retry_after_too_large_for_the_clock_is_the_answer_not_a_panic() {
    for retry_after in [
        "18446744073709551615",
        "9223372036854775807",
        "99999999999999999999999999999",
    ] {
        for (status, shared, post) in [
            (429, true, false),
            (429, false, false),
            (429, true, true),
            (503, true, false),
            (503, true, true),
        ] {
            let case = format!("{status} {retry_after} shared={shared} post={post}");
            let clock = VirtualClock::new();
            let server = busy_accounts(busy(status, retry_after));
            let client = server
                .client_builder()
                .retry_policy(
                    RetryPolicy::default()
                        .shared_backoff(shared)
                        .clock(clock.clone()),
                )
                .build()
                .unwrap();
            let caller = client.clone();
            let call = async move {
                let client = caller;
                if post {
                    client
                        .create_backup()
                        .install_id(INSTALL)
                        .body_map(|b| {
                            b.description("x")
                                .notification_emails(vec!["ops@example.com".into()])
                        })
                        .send()
                        .await
                        .map(drop)
                } else {
                    client.list_accounts().send().await.map(drop)
                }
            };
            let err = tokio::spawn(call)
                .await
                .unwrap_or_else(|panic| panic!("{case}: the call panicked: {panic}"))
                .unwrap_err();
            assert_eq!(err.status().map(|s| s.as_u16()), Some(status), "{case}");
            assert_eq!(err.attempts(), Some(1), "{case}");
            assert_eq!(server.requests().len(), 1, "{case}");
            assert_eq!(clock.elapsed(), Duration::ZERO, "{case}");
            let sites = client.list_sites().send().await;
            assert!(sites.is_ok(), "{case}: {sites:?}");
            assert!(clock.sleeps().is_empty(), "{case}: {:?}", clock.sleeps());
        }
    }
}

/// A server whose `/v1/accounts` answers `first` once, then an empty page,
/// and whose `/v1/installs` answers `installs_first` once, then an empty
/// page; `/v1/sites` answers an empty page at once.
fn once_then_ok(first: Vec<Step>, installs_first: Vec<Step>) -> Hostile {
    let accounts = Arc::new(AtomicUsize::new(0));
    let installs = Arc::new(AtomicUsize::new(0));
    Hostile::start(move |request, _| {
        let seen = match request.path() {
            "/v1/accounts" => accounts.fetch_add(1, Ordering::SeqCst),
            "/v1/installs" => installs.fetch_add(1, Ordering::SeqCst),
            _ => return empty_page(),
        };
        match (seen, request.path()) {
            (0, "/v1/accounts") => first.clone(),
            (0, _) => installs_first.clone(),
            _ => empty_page(),
        }
    })
}

#[tokio::test]
async fn a_long_retry_after_holds_back_the_clones_no_longer_than_max_shared_wait() {
    // On a manual clock every wait holds until the test advances the clock,
    // so the test sees each one begin.
    let clock = VirtualClock::manual();
    let server = once_then_ok(busy(429, "100"), empty_page());
    let client = server
        .client_builder()
        .retry_policy(RetryPolicy::default().clock(clock.clone()))
        .build()
        .unwrap();
    let first = client.clone();
    let a = tokio::spawn(async move { first.list_accounts().send().await.map(drop) });
    assert_eq!(
        clock.next_sleep().await,
        Duration::from_secs(100),
        "the call itself waits out its Retry-After, within its 120 s deadline"
    );
    let clone = client.clone();
    let mut b = tokio::spawn(async move { clone.list_sites().send().await.map(drop) });
    tokio::select! {
        wait = clock.next_sleep() => assert_eq!(
            wait,
            Duration::from_secs(60),
            "the clone waits for the gate, 60 s at most"
        ),
        sent = &mut b => panic!("the clone went ahead while the gate was closed: {sent:?}"),
    }
    clock.advance(Duration::from_secs(60));
    b.await.unwrap().unwrap();
    assert_eq!(count(&server, "/v1/sites"), 1);
    assert_eq!(count(&server, "/v1/accounts"), 1, "the call still waits");
    clock.advance(Duration::from_secs(40));
    a.await.unwrap().unwrap();
    assert_eq!(count(&server, "/v1/accounts"), 2);
    assert_eq!(clock.elapsed(), Duration::from_secs(100));
}

#[tokio::test]
async fn a_call_does_not_wait_for_a_gate_that_opens_after_its_deadline() {
    let clock = VirtualClock::manual();
    // `/v1/installs`: 503, come back in 8 s; `/v1/accounts`: 429, in 11 s.
    let server = once_then_ok(busy(429, "11"), busy(503, "8"));
    let client = server
        .client_builder()
        .retry_policy(
            RetryPolicy::default()
                .deadline(Duration::from_secs(15))
                .clock(clock.clone()),
        )
        .build()
        .unwrap();
    let first = client.clone();
    let mut a = tokio::spawn(async move { first.list_installs().send().await.map(drop) });
    assert_eq!(clock.next_sleep().await, Duration::from_secs(8), "A's 503");
    // At 5 s, B's 429 closes the gate until 16 s: within B's deadline
    // (20 s), past A's (15 s).
    clock.advance(Duration::from_secs(5));
    let second = client.clone();
    let b = tokio::spawn(async move { second.list_accounts().send().await.map(drop) });
    assert_eq!(clock.next_sleep().await, Duration::from_secs(11), "B's 429");
    // At 8 s, A's retry is due; its deadline is 7 s away, the gate 8 s.
    clock.advance(Duration::from_secs(3));
    tokio::select! {
        done = &mut a => done.unwrap().unwrap(),
        wait = clock.next_sleep() => panic!("A waited {wait:?} for the gate, past its deadline"),
    }
    assert_eq!(count(&server, "/v1/installs"), 2);
    assert_eq!(clock.elapsed(), Duration::from_secs(8));
    clock.advance(Duration::from_secs(8));
    b.await.unwrap().unwrap();
    assert_eq!(count(&server, "/v1/accounts"), 2);
}

/// `Retry-After` values of every kind: numbers of any size, HTTP dates of
/// any year (some near the clock's now), and junk.
fn any_retry_after() -> impl Strategy<Value = String> {
    let weekday = prop::sample::select(vec!["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]);
    let month = prop::sample::select(vec![
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]);
    prop_oneof![
        any::<u64>().prop_map(|n| n.to_string()),
        (0u64..300).prop_map(|n| n.to_string()),
        any::<u128>().prop_map(|n| n.to_string()),
        "[0-9]{1,60}",
        "-[0-9]{1,25}",
        "[0-9]{1,5}\\.[0-9]{1,5}",
        (weekday, 0u32..40, month, 0u32..400_000, 0u32..30, 0u32..70).prop_map(
            |(weekday, day, month, year, hour, minute)| {
                format!("{weekday}, {day:02} {month} {year:04} {hour:02}:{minute:02}:00 GMT")
            }
        ),
        (-400i64..400)
            .prop_map(|seconds| (now() + chrono::Duration::seconds(seconds)).to_rfc2822()),
        "[ -~]{0,40}",
    ]
}

/// The virtual clock's wall time at its start.
fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339("2026-11-23T10:00:00Z")
        .unwrap()
        .to_utc()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Whatever `Retry-After` comes with a 429 or a 503, to a GET or a POST:
    /// no panic, at most five attempts within the 120 s deadline, the
    /// server's answer returned, and a clone's next call held back 60 s at
    /// most.
    #[test]
    fn any_retry_after_ends_in_bounded_attempts_and_time_and_never_holds_a_clone_past_the_bound(
        retry_after in any_retry_after(),
        status in prop::sample::select(vec![429u16, 503]),
        post in any::<bool>(),
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let clock = VirtualClock::new().starting_at(now());
        let server = busy_accounts(busy(status, &retry_after));
        let client = server
            .client_builder()
            .retry_policy(RetryPolicy::default().clock(clock.clone()))
            .build()
            .unwrap();
        let err = runtime.block_on(async {
            if post {
                client
                    .create_backup()
                    .install_id(INSTALL)
                    .body_map(|b| b.description("x").notification_emails(vec!["ops@example.com".into()]))
                    .send()
                    .await
                    .map(drop)
            } else {
                client.list_accounts().send().await.map(drop)
            }
        }).unwrap_err();
        let sent = server.requests().len();
        prop_assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
        prop_assert!((1..=5).contains(&sent), "{} attempts", sent);
        prop_assert_eq!(err.attempts(), Some(sent as u32));
        if status == 503 && post {
            prop_assert_eq!(sent, 1, "a POST is never resent on a 503");
        }
        let spent = clock.elapsed();
        prop_assert!(spent <= Duration::from_secs(120), "the call took {:?}", spent);

        let sites = runtime.block_on(client.clone().list_sites().send());
        prop_assert!(sites.is_ok(), "{:?}", sites);
        let held = clock.elapsed() - spent;
        prop_assert!(held <= Duration::from_secs(60), "the clone was held {:?}", held);
        prop_assert_eq!(server.requests().len(), sent + 1);
    }
}

#[tokio::test]
async fn a_server_cannot_set_the_attempts_the_client_reports() {
    let forged = |status: u16| {
        Step::answer(
            status,
            &[
                ("content-type", "application/json"),
                ("wpe-api-attempts", "7"),
            ],
            br#"{"message":"nope", "previous": null, "next": null, "count": 0, "results": []}"#,
        )
    };
    let clock = VirtualClock::new();
    let server = Hostile::start(move |request, _| match request.path() {
        "/v1/accounts" => forged(404),
        "/v1/sites" => forged(200),
        _ => forged(503),
    });
    let client = server
        .client_builder()
        .retry_policy(
            RetryPolicy::default()
                .max_attempts(2)
                .base_delay(Duration::from_millis(1))
                .clock(clock.clone()),
        )
        .build()
        .unwrap();

    let err = client.list_accounts().send().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    assert_eq!(
        err.attempts(),
        Some(1),
        "one attempt, whatever the server says"
    );
    assert!(err.to_string().starts_with("404 Not Found: nope"), "{err}");
    assert!(!err.to_string().contains("attempts"), "{err}");

    let sites = client.list_sites().send().await.unwrap();
    assert_eq!(
        sites.headers().get("wpe-api-attempts"),
        None,
        "one attempt: no header"
    );

    let err = client.list_installs().send().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(err.attempts(), Some(2));
    assert_eq!(
        err.to_string(),
        "503 Service Unavailable: nope [after 2 attempts]"
    );
    assert_eq!(server.requests().len(), 4);
}

#[tokio::test]
async fn giving_up_records_what_failed_but_no_url_host_or_id() {
    let (capture, _guard) = Capture::start();
    let clock = VirtualClock::new();
    // Reads each request and closes the connection without a word.
    let server = Hostile::always(vec![Step::Close]);
    let client = server
        .client_builder()
        .retry_policy(RetryPolicy::default().max_attempts(3).clock(clock.clone()))
        .build()
        .unwrap();
    let err = client
        .get_install()
        .install_id(INSTALL)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(err, wpe_api::Error::CommunicationError(_)),
        "{err:?}"
    );
    assert_eq!(server.requests().len(), 3);

    let log = capture.text();
    let giving_up = capture.line("giving up");
    assert!(giving_up.contains("WARN"), "{giving_up}");
    assert!(giving_up.contains("attempts=3"), "{giving_up}");
    assert!(giving_up.contains("get_install"), "{giving_up}");
    // What wpe-api records (hyper's own DEBUG events name the host).
    let ours: Vec<&str> = log
        .lines()
        .filter(|line| line.contains(": wpe_api::"))
        .collect();
    assert!(ours.iter().any(|line| line.contains("retrying")), "{log}");
    for secret in [
        INSTALL.to_string(),
        "127.0.0.1".to_owned(),
        "/v1/installs/".to_owned(),
        "http://".to_owned(),
    ] {
        for line in &ours {
            assert!(!line.contains(&secret), "{secret} logged: {line}");
        }
    }
    assert!(
        giving_up.contains("connection closed before message completed"),
        "the cause is named: {giving_up}"
    );
}

#[tokio::test]
async fn policy_times_of_any_size_end_without_a_panic() {
    // A deadline, back-off and shared wait as long as a `Duration` holds: the
    // virtual clock stops at its limit, and the call at five attempts.
    let clock = VirtualClock::new();
    let server = busy_accounts(busy(503, "junk"));
    let client = server
        .client_builder()
        .retry_policy(
            RetryPolicy::default()
                .deadline(Duration::MAX)
                .base_delay(Duration::MAX)
                .max_delay(Duration::MAX)
                .max_shared_wait(Duration::MAX)
                .clock(clock.clone()),
        )
        .build()
        .unwrap();
    let err = client.list_accounts().send().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(err.attempts(), Some(5));
    assert_eq!(clock.sleeps().len(), 4);
    assert!(clock.sleeps().iter().all(|wait| *wait >= Duration::MAX / 2));
}
