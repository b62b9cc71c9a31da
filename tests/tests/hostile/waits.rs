//! Waiters against servers that hang, keep failing, or list what the wait
//! is not about: a wait's timeout bounds it, retries included, and a wait
//! for an archive follows the archive requested.

use std::time::Duration;

use serde_json::json;
use wpe_api::clock::VirtualClock;
use wpe_api::retry::RetryPolicy;
use wpe_api::wait::{WaitError, WaitOptions};
use wpe_api_tests::hostile::{Hostile, Step};

const INSTALL: uuid::Uuid = uuid::Uuid::from_u128(0x1);
const BACKUP: uuid::Uuid = uuid::Uuid::from_u128(0xb);

#[tokio::test(start_paused = true)]
async fn a_wait_on_a_hung_server_ends_as_a_timeout_at_its_budget() {
    // Reads each request and never answers. The client keeps its defaults
    // (30 s per request, five attempts, tokio's clock, here paused).
    let server = Hostile::always(vec![Step::Hang]);
    let client = server.client_builder().build().unwrap();
    let started = tokio::time::Instant::now();
    let options = WaitOptions::default().timeout(Duration::from_secs(1));
    let result = tokio::time::timeout(
        Duration::from_secs(3600),
        client.wait_for_backup(INSTALL, BACKUP, options),
    )
    .await
    .expect("the wait ended within the hour");
    let elapsed = started.elapsed();
    let err = result.unwrap_err();
    let WaitError::Timeout { what, waited, .. } = &err else {
        panic!("a timeout after {elapsed:?}, not {err:?}")
    };
    assert_eq!(what, &format!("backup {BACKUP}"));
    assert!(
        elapsed >= Duration::from_secs(1) && elapsed < Duration::from_millis(1100),
        "the wait took its budget, not the retries': {elapsed:?}"
    );
    assert_eq!(*waited, elapsed);
    assert_eq!(
        err.to_string(),
        format!(
            "backup {BACKUP} was still without an answer after 1.0s; wait longer or check it later"
        )
    );
}

fn backup(status: &str) -> Vec<Step> {
    Step::json(200, &json!({"id": BACKUP, "status": status}))
}

#[tokio::test]
async fn a_wait_whose_look_is_being_retried_ends_as_a_timeout_within_its_budget() {
    // In progress at the first look; then 503, come back in 3 s, for ever.
    let clock = VirtualClock::new();
    let server = Hostile::start(|_, index| {
        if index == 0 {
            backup("in_progress")
        } else {
            Step::answer(
                503,
                &[("retry-after", "3"), ("content-type", "application/json")],
                br#"{"message":"unavailable"}"#,
            )
        }
    });
    let client = server
        .client_builder()
        .retry_policy(RetryPolicy::default().clock(clock.clone()))
        .build()
        .unwrap();
    let options = WaitOptions::default()
        .timeout(Duration::from_secs(10))
        .first_interval(Duration::from_secs(2));
    let err = client
        .wait_for_backup(INSTALL, BACKUP, options)
        .await
        .unwrap_err();
    // The second look (at 2 s) got a 503 at 2, 5 and 8 s; a fourth attempt
    // at 11 s would be past the wait's 10 s.
    let WaitError::Timeout { state, waited, .. } = &err else {
        panic!("a timeout, not {err:?}")
    };
    assert_eq!(state, "in_progress", "the last state read");
    assert_eq!(*waited, Duration::from_secs(8));
    assert_eq!(clock.elapsed(), Duration::from_secs(8));
    assert_eq!(server.requests().len(), 4);
    let s = Duration::from_secs;
    assert_eq!(clock.sleeps(), [s(2), s(3), s(3)]);
}

#[tokio::test]
async fn a_wait_does_not_wait_at_the_shared_gate_past_its_timeout() {
    // `/v1/accounts` says 429, come back in 30 s; the backup is completed.
    let clock = VirtualClock::new();
    let server = Hostile::start(|request, _| {
        if request.path() == "/v1/accounts" {
            Step::answer(
                429,
                &[("retry-after", "30"), ("content-type", "application/json")],
                br#"{"message":"slow down"}"#,
            )
        } else {
            backup("completed")
        }
    });
    let client = server
        .client_builder()
        .retry_policy(RetryPolicy::default().max_attempts(1).clock(clock.clone()))
        .build()
        .unwrap();
    let err = client.list_accounts().send().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(429));
    // The gate is closed for 30 s; the wait has 5.
    let done = client
        .wait_for_backup(
            INSTALL,
            BACKUP,
            WaitOptions::default().timeout(Duration::from_secs(5)),
        )
        .await
        .unwrap();
    assert_eq!(done.status, wpe_api::types::BackupStatus::Completed);
    assert!(clock.sleeps().is_empty(), "{:?}", clock.sleeps());
    assert_eq!(server.requests().len(), 2);
}

/// An archive of `BACKUP`.
fn archive(id: u128, state: &str, created: &str) -> serde_json::Value {
    wpe_api_tests::archive_json(id, BACKUP, state, created)
}

#[tokio::test]
async fn a_wait_for_an_archive_follows_the_one_requested_not_an_older_one() {
    // Two older archives of the same backup, an aborted and a completed one
    // (each the newer in turn); the new one is listed from the second look,
    // with its time cut to the second as an API may send it.
    for (aborted_at, completed_at) in [
        ("2026-11-02T00:00:00Z", "2026-11-01T00:00:00Z"),
        ("2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z"),
    ] {
        let clock = VirtualClock::new();
        let old = move || {
            vec![
                archive(1, "aborted", aborted_at),
                archive(2, "completed", completed_at),
            ]
        };
        let server = Hostile::start(move |_, index| {
            let mut list = old();
            match index {
                0 => {}
                1 => list.push(archive(3, "in_progress", "2026-11-23T10:00:00Z")),
                _ => list.push(archive(3, "completed", "2026-11-23T10:00:00Z")),
            }
            Step::json(
                200,
                &json!({"previous": null, "next": null, "count": list.len(), "results": list}),
            )
        });
        let client = server
            .client_builder()
            .retry_policy(RetryPolicy::none().clock(clock.clone()))
            .build()
            .unwrap();
        let requested_at = chrono::DateTime::parse_from_rfc3339("2026-11-23T10:00:00.250Z")
            .unwrap()
            .to_utc();
        let ready = client
            .wait_for_archive(INSTALL, BACKUP, requested_at, WaitOptions::default())
            .await
            .unwrap_or_else(|err| panic!("aborted at {aborted_at}: {err}"));
        assert_eq!(
            ready.id,
            uuid::Uuid::from_u128(3),
            "aborted at {aborted_at}"
        );
        assert_eq!(
            ready.download_uri.as_deref(),
            Some("https://downloads.invalid/3.zip")
        );
        assert_eq!(server.requests().len(), 3, "aborted at {aborted_at}");
        let s = Duration::from_secs;
        assert_eq!(clock.sleeps(), [s(2), s(3)]);
    }
}

#[tokio::test]
async fn a_wait_with_no_time_still_looks_once() {
    let clock = VirtualClock::new();
    let server = Hostile::start(|_, _| backup("requested"));
    let client = server
        .client_builder()
        .retry_policy(RetryPolicy::default().clock(clock.clone()))
        .build()
        .unwrap();
    let err = client
        .wait_for_backup(
            INSTALL,
            BACKUP,
            WaitOptions::default().timeout(Duration::ZERO),
        )
        .await
        .unwrap_err();
    let WaitError::Timeout { state, waited, .. } = &err else {
        panic!("a timeout, not {err:?}")
    };
    assert_eq!(state, "requested", "the state of the one look");
    assert_eq!(*waited, Duration::ZERO);
    assert_eq!(server.requests().len(), 1);
    assert!(clock.sleeps().is_empty());
}
