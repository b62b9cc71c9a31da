//! The waiters against the stand-in's asynchronous jobs, with the stand-in
//! and the client on one virtual clock: the jobs take their default (real)
//! durations, the waits are checked exactly, and no wall time passes. The
//! waits whose every answer matters (both names of a running backup, the
//! archive found among others, each end of a site transfer) run against a
//! recording server answering a script instead, on the same kind of clock.

use std::sync::Arc;
use std::time::Duration;

use wpe_api::clock::{Clock, VirtualClock};
use wpe_api::fake::{FakeConfig, FakeServer, Seed};
use wpe_api::types::{BackupStatus, CertificateStatus, InstallStatus};
use wpe_api::wait::{WaitError, WaitOptions};
use wpe_api_tests::archive_json;

/// Looks after 2 s, 3 s, 4.5 s, ... up to 30 s apart, for up to 30 minutes.
fn options() -> WaitOptions {
    WaitOptions::default()
}

/// The stand-in (bind it: it stops when dropped), a client, their clock,
/// and the first install and its account.
struct Setup {
    _server: FakeServer,
    client: wpe_api::Client,
    clock: VirtualClock,
    install: uuid::Uuid,
    account: uuid::Uuid,
}

/// A stand-in on a virtual clock, a client on the same clock, and the first install.
async fn setup(config: FakeConfig) -> Setup {
    let clock = VirtualClock::new();
    let server = FakeServer::start(FakeConfig {
        clock: Arc::new(clock.clone()),
        ..config
    })
    .await;
    let client = server.client();
    let install = client
        .list_installs()
        .send()
        .await
        .unwrap()
        .into_inner()
        .results
        .remove(0);
    Setup {
        _server: server,
        client,
        clock,
        install: install.id,
        account: install.account.id,
    }
}

/// Asks the stand-in for a backup of `install`.
async fn start_backup(
    client: &wpe_api::Client,
    install: uuid::Uuid,
    description: &str,
) -> wpe_api::types::Backup {
    client
        .create_backup()
        .install_id(install)
        .body_map(|b| {
            b.description(description)
                .notification_emails(vec!["ops@example.com".to_owned()])
        })
        .send()
        .await
        .unwrap()
        .into_inner()
}

#[tokio::test]
async fn a_backup_is_waited_for_until_completed_and_no_longer() {
    // requested for 1 s, in_progress for 1 s, then completed.
    let Setup {
        _server,
        client,
        clock,
        install,
        account: _,
    } = setup(FakeConfig::with_seed(Seed::Installs(1))).await;
    let backup = start_backup(&client, install, "wait").await;
    assert_eq!(backup.status, BackupStatus::Requested);
    let done = client
        .wait_for_backup(install, backup.id, options())
        .await
        .unwrap();
    assert_eq!(done.status, BackupStatus::Completed);
    assert_eq!(
        clock.sleeps(),
        [Duration::from_secs(2)],
        "one look at 0 s (requested), one at 2 s (completed)"
    );
}

#[tokio::test]
async fn a_backup_wait_reports_each_state_it_sees_until_the_end() {
    // requested for 1 s, in_progress for 1 s, then completed; looks at 0 s,
    // 0.5 s, 1.25 s and 2.375 s.
    let Setup {
        _server,
        client,
        clock: _clock,
        install,
        account: _,
    } = setup(FakeConfig::with_seed(Seed::Installs(1))).await;
    let backup = start_backup(&client, install, "progress").await;
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let record = Arc::clone(&seen);
    let options = options()
        .first_interval(Duration::from_millis(500))
        .on_progress(move |p| {
            record
                .lock()
                .unwrap()
                .push((p.state.to_owned(), p.looks, p.waited.as_millis()))
        });
    let done = client
        .wait_for_backup(install, backup.id, options)
        .await
        .unwrap();
    assert_eq!(done.status, BackupStatus::Completed);
    let seen = seen.lock().unwrap().clone();
    assert_eq!(
        seen,
        [
            ("requested".to_owned(), 1, 0),
            ("requested".to_owned(), 2, 500),
            ("in_progress".to_owned(), 3, 1250),
        ]
    );
}

#[tokio::test]
async fn a_new_install_is_waited_for_until_active() {
    // pending for 2 s by default
    let Setup {
        _server,
        client,
        clock,
        account,
        install: _,
    } = setup(FakeConfig::with_seed(Seed::Installs(1))).await;
    let created = client
        .create_install()
        .body_map(|b| b.name("waitsite").account_id(account))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status, Some(InstallStatus::Pending));
    clock.advance(Duration::from_millis(500));
    let active = client
        .wait_for_install_active(created.id, options())
        .await
        .unwrap();
    assert_eq!(active.status, Some(InstallStatus::Active));
    assert_eq!(clock.sleeps(), [Duration::from_secs(2)]);
}

#[tokio::test]
async fn an_install_still_pending_at_the_timeout_is_a_timeout_naming_its_state() {
    let Setup {
        _server,
        client,
        clock,
        account,
        install: _,
    } = setup(FakeConfig {
        install_activation_delay: Duration::from_secs(600),
        ..FakeConfig::with_seed(Seed::Installs(1))
    })
    .await;
    let created = client
        .create_install()
        .body_map(|b| b.name("slowsite").account_id(account))
        .send()
        .await
        .unwrap();
    let err = client
        .wait_for_install_active(created.id, options().timeout(Duration::from_secs(60)))
        .await
        .unwrap_err();
    let state = timed_out_at_the_last_look_before_60_s(&err, &clock);
    assert_eq!(state, "pending");
    assert!(err.to_string().contains("was still pending"), "{err}");
}

/// The state a [`WaitError::Timeout`] of a 60 s wait with the test options
/// names, after checking it gave up at the last look before 60 s (looks at
/// 0, 2, 5, 9.5, 16.25, 26.375 and 41.5625 s; the next would pass 60 s),
/// without waiting further.
fn timed_out_at_the_last_look_before_60_s(err: &WaitError, clock: &VirtualClock) -> String {
    let WaitError::Timeout { state, waited, .. } = err else {
        panic!("expected a timeout, got {err:?}")
    };
    assert_eq!(*waited, Duration::from_micros(41_562_500));
    assert_eq!(clock.elapsed(), *waited, "gave up without waiting further");
    state.clone()
}

#[tokio::test]
async fn a_domain_report_is_waited_for_until_complete() {
    // complete after 1 s by default
    let Setup {
        _server,
        client,
        clock,
        install,
        account: _,
    } = setup(FakeConfig::with_seed(Seed::Installs(1))).await;
    let domain = client
        .create_domain()
        .install_id(install)
        .body_map(|b| b.name("wait.example.com"))
        .send()
        .await
        .unwrap();
    let report = client
        .check_status()
        .install_id(install)
        .domain_id(domain.id)
        .send()
        .await
        .unwrap();
    let done = client
        .wait_for_domain_report(install, report.report_id, options())
        .await
        .unwrap();
    assert_eq!(done.complete, Some(true));
    assert_eq!(done.domains[0].name.as_deref(), Some("wait.example.com"));
    assert_eq!(clock.sleeps(), [Duration::from_secs(2)]);
}

#[tokio::test]
async fn a_disk_usage_refresh_is_waited_for_until_its_expected_time() {
    // 30 s by default
    let Setup {
        _server,
        client,
        clock,
        account,
        install: _,
    } = setup(FakeConfig::with_seed(Seed::Installs(2))).await;
    let requested_at = clock.now_utc();
    client
        .refresh_account_disk_usage()
        .account_id(account)
        .send()
        .await
        .unwrap();
    let pending = client
        .get_account_usage_metrics()
        .account_id(account)
        .send()
        .await
        .unwrap();
    let expected = pending
        .account_storage_refresh_expected_time
        .expect("the refresh is under way");
    let usage = client
        .wait_for_account_disk_usage(account, requested_at, options())
        .await
        .unwrap();
    let refreshed = usage
        .last_account_storage_refresh_time
        .or(usage.account_storage_refresh_expected_time)
        .unwrap();
    assert!(refreshed >= requested_at, "{refreshed} >= {requested_at}");
    assert!(
        clock.now_utc() >= expected,
        "waited until the expected time {expected}, now {}",
        clock.now_utc()
    );
    // Looks at 0, 2, 5, 9.5, 16.25, 26.375 and 41.5625 s: the first one past 30 s.
    assert_eq!(clock.elapsed(), Duration::from_micros(41_562_500));
}

/// A recording server and a client on one virtual clock, without retries,
/// for waits whose every answer the test writes.
async fn scripted() -> (
    wpe_api_tests::RecordingServer,
    wpe_api::Client,
    VirtualClock,
) {
    let clock = VirtualClock::new();
    let server = wpe_api_tests::RecordingServer::start_on(clock.clone()).await;
    let client = server.client_with(wpe_api::retry::RetryPolicy::none().clock(clock.clone()));
    (server, client, clock)
}

const INSTALL: uuid::Uuid = uuid::Uuid::from_u128(0x1);
const BACKUP: uuid::Uuid = uuid::Uuid::from_u128(0xb);

fn backup_in(status: &str) -> wpe_api_tests::Canned {
    wpe_api_tests::Canned::json(200, &serde_json::json!({"id": BACKUP, "status": status}))
}

fn archives(list: &[serde_json::Value]) -> wpe_api_tests::Canned {
    wpe_api_tests::Canned::json(
        200,
        &serde_json::json!({"previous": null, "next": null, "count": list.len(), "results": list}),
    )
}

/// When the scripted archives of `BACKUP` were requested: the newest is
/// created then, the older ones before.
fn archive_requested_at() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339("2026-11-23T10:00:00Z")
        .unwrap()
        .to_utc()
}

#[tokio::test]
async fn a_backup_reported_initiated_or_in_progress_is_running_under_either_name() {
    let (server, client, clock) = scripted().await;
    for status in ["requested", "initiated", "in_progress", "completed"] {
        server.respond(backup_in(status));
    }
    let done = client
        .wait_for_backup(INSTALL, BACKUP, options())
        .await
        .unwrap();
    assert_eq!(done.status, BackupStatus::Completed);
    assert_eq!(server.requests().len(), 4, "one look per state");
    let ms = Duration::from_millis;
    assert_eq!(clock.sleeps(), [ms(2000), ms(3000), ms(4500)]);
}

#[tokio::test]
async fn an_archive_is_found_by_its_backup_and_waited_for_until_it_has_a_download_link() {
    let (server, client, clock) = scripted().await;
    let other_backup = uuid::Uuid::from_u128(0xc);
    // Not listed yet; then requested beside an archive of another backup;
    // then an older aborted archive of the same backup beside the new one.
    server.respond(archives(&[]));
    server.respond(archives(&[
        archive_json(1, other_backup, "completed", "2026-11-01T00:00:00Z"),
        archive_json(2, BACKUP, "requested", "2026-11-23T10:00:00Z"),
    ]));
    server.respond(archives(&[
        archive_json(1, other_backup, "completed", "2026-11-01T00:00:00Z"),
        archive_json(2, BACKUP, "in_progress", "2026-11-23T10:00:00Z"),
        archive_json(3, BACKUP, "aborted", "2026-11-20T10:00:00Z"),
    ]));
    server.respond(archives(&[
        archive_json(3, BACKUP, "aborted", "2026-11-20T10:00:00Z"),
        archive_json(2, BACKUP, "completed", "2026-11-23T10:00:00Z"),
    ]));
    let ready = client
        .wait_for_archive(INSTALL, BACKUP, archive_requested_at(), options())
        .await
        .unwrap();
    assert_eq!(ready.id, uuid::Uuid::from_u128(2));
    assert_eq!(
        ready.download_uri.as_deref(),
        Some("https://downloads.invalid/2.zip")
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 4);
    assert!(requests
        .iter()
        .all(|r| r.path == format!("/v1/installs/{INSTALL}/archives")));
    assert_eq!(clock.sleeps().len(), 3);
}

#[tokio::test]
async fn an_aborted_archive_ends_the_wait_as_failed() {
    let (server, client, _clock) = scripted().await;
    server.respond(archives(&[archive_json(
        2,
        BACKUP,
        "aborted",
        "2026-11-23T10:00:00Z",
    )]));
    let err = client
        .wait_for_archive(INSTALL, BACKUP, archive_requested_at(), options())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, WaitError::Failed { state, .. } if state == "aborted"),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!("archive of backup {BACKUP} ended aborted: it did not complete")
    );
}

#[tokio::test]
async fn a_site_transfer_is_waited_for_to_its_end_and_only_completed_is_success() {
    const SITE: uuid::Uuid = uuid::Uuid::from_u128(0x5);
    const TRANSFER: uuid::Uuid = uuid::Uuid::from_u128(0x7);
    let transfer = |status: &str| {
        wpe_api_tests::Canned::json(
            200,
            &serde_json::json!({
                "id": TRANSFER, "site": "shop", "installs": ["shop", "shopstg"],
                "origin_account": "Agency", "destination_account": "Client",
                "status": status, "scheduled_time": null,
                "created_at": "2026-11-23T10:00:00Z", "updated_at": "2026-11-23T10:00:00Z"
            }),
        )
    };
    for (steps, end) in [
        (["pending", "scheduled", "in_progress"], "completed"),
        (["pending", "scheduled", "an_unknown_state"], "cancelled"),
        (["pending", "in_progress", "in_progress"], "failed"),
    ] {
        let (server, client, clock) = scripted().await;
        for status in steps.iter().chain([&end]) {
            server.respond(transfer(status));
        }
        let result = client
            .wait_for_site_transfer(SITE, TRANSFER, options())
            .await;
        match (end, result) {
            ("completed", Ok(done)) => {
                assert_eq!(done.status, wpe_api::types::SiteTransferStatus::Completed)
            }
            (end, Err(WaitError::Failed { state, .. })) => assert_eq!(state, end),
            (end, other) => panic!("ended {end}: {other:?}"),
        }
        assert_eq!(server.requests().len(), 4, "{end}");
        assert_eq!(
            server.requests()[0].path,
            format!("/v1/sites/{SITE}/site_transfers/{TRANSFER}")
        );
        assert_eq!(clock.sleeps().len(), 3, "{end}");
    }
}

/// The latest `storage_update_time` of an install's usage answer.
fn last_measured(
    usage: &wpe_api::types::InstallDailyUsageMetricsSeries,
) -> Option<chrono::DateTime<chrono::Utc>> {
    usage
        .metrics
        .iter()
        .filter_map(|day| day.storage_update_time)
        .max()
}

#[tokio::test]
async fn an_install_disk_usage_refresh_is_waited_for_until_its_expected_time() {
    // 30 s by default
    let Setup {
        _server,
        client,
        clock,
        install,
        account: _,
    } = setup(FakeConfig::with_seed(Seed::Installs(1))).await;
    let requested_at = clock.now_utc();
    client
        .refresh_environment_disk_usage()
        .install_id(install)
        .send()
        .await
        .unwrap();
    let pending = client
        .get_install_usage_metrics()
        .install_id(install)
        .send()
        .await
        .unwrap()
        .into_inner();
    let expected = pending
        .storage_refresh_expected_time
        .expect("the refresh is under way");
    let usage = client
        .wait_for_install_disk_usage(install, requested_at, options())
        .await
        .unwrap();
    assert_eq!(usage.storage_refresh_expected_time, None, "done");
    let measured = last_measured(&usage).unwrap();
    assert!(measured >= requested_at, "{measured} >= {requested_at}");
    assert!(
        clock.now_utc() >= expected,
        "waited until the expected time {expected}, now {}",
        clock.now_utc()
    );
    // Looks at 0, 2, 5, 9.5, 16.25, 26.375 and 41.5625 s: the first one past 30 s.
    assert_eq!(clock.elapsed(), Duration::from_micros(41_562_500));
}

#[tokio::test]
async fn an_install_disk_usage_wait_from_long_ago_returns_at_once_unless_a_refresh_runs() {
    let Setup {
        _server,
        client,
        clock,
        install,
        account: _,
    } = setup(FakeConfig::with_seed(Seed::Installs(1))).await;
    let long_ago = chrono::DateTime::UNIX_EPOCH;
    // No refresh running: the last measurement is after the epoch.
    let usage = client
        .wait_for_install_disk_usage(install, long_ago, options())
        .await
        .unwrap();
    assert_eq!(usage.storage_refresh_expected_time, None);
    assert!(last_measured(&usage).is_some());
    assert!(clock.sleeps().is_empty(), "one look, no wait");

    // A refresh running: waited for even though the epoch is long past.
    client
        .refresh_environment_disk_usage()
        .install_id(install)
        .send()
        .await
        .unwrap();
    let expected = client
        .get_install_usage_metrics()
        .install_id(install)
        .send()
        .await
        .unwrap()
        .into_inner()
        .storage_refresh_expected_time
        .expect("the refresh is under way");
    let started = clock.elapsed();
    let usage = client
        .wait_for_install_disk_usage(install, long_ago, options())
        .await
        .unwrap();
    assert_eq!(usage.storage_refresh_expected_time, None);
    assert!(
        last_measured(&usage).unwrap() >= expected,
        "measured by the refresh"
    );
    assert_eq!(
        clock.elapsed() - started,
        Duration::from_micros(41_562_500),
        "the first look past the refresh's 30 s"
    );
}

#[tokio::test]
async fn an_install_disk_usage_refresh_still_running_at_the_timeout_is_a_timeout() {
    let Setup {
        _server,
        client,
        clock,
        install,
        account: _,
    } = setup(FakeConfig {
        disk_usage_refresh_delay: Duration::from_secs(600),
        ..FakeConfig::with_seed(Seed::Installs(1))
    })
    .await;
    let requested_at = clock.now_utc();
    client
        .refresh_environment_disk_usage()
        .install_id(install)
        .send()
        .await
        .unwrap();
    let err = client
        .wait_for_install_disk_usage(
            install,
            requested_at,
            options().timeout(Duration::from_secs(60)),
        )
        .await
        .unwrap_err();
    let state = timed_out_at_the_last_look_before_60_s(&err, &clock);
    assert!(state.starts_with("expected at "), "{state}");
}

/// A new domain of `install` and its order of a Let's Encrypt certificate.
async fn order_certificate(client: &wpe_api::Client, install: uuid::Uuid) -> uuid::Uuid {
    let domain = client
        .create_domain()
        .install_id(install)
        .body_map(|b| b.name("secure.example.com"))
        .send()
        .await
        .unwrap();
    let domain: uuid::Uuid = domain.id;
    let ordered = client
        .create_domain_certificate_order()
        .install_id(install)
        .domain_id(domain)
        .body_map(|b| {
            b.email_address("ops@example.com")
                .given_name("Jo")
                .family_name("Ops")
                .region_code("US")
        })
        .send()
        .await
        .unwrap();
    assert_eq!(ordered.status().as_u16(), 202);
    domain
}

#[tokio::test]
async fn an_ordered_certificate_is_waited_for_until_enabled() {
    // SUBMITTED for 5 s by default
    let Setup {
        _server,
        client,
        clock,
        install,
        account: _,
    } = setup(FakeConfig::with_seed(Seed::Installs(1))).await;
    let domain = order_certificate(&client, install).await;
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let record = Arc::clone(&seen);
    let options = options().on_progress(move |p| record.lock().unwrap().push(p.state.to_owned()));
    let issued = client
        .wait_for_certificate(install, domain, options)
        .await
        .unwrap();
    let certificate = issued.certificate.unwrap();
    assert_eq!(certificate.status, Some(CertificateStatus::Enabled));
    assert_eq!(certificate.domains, ["secure.example.com"]);
    assert_eq!(*seen.lock().unwrap(), ["SUBMITTED", "SUBMITTED"]);
    // Looks at 0 s, 2 s (SUBMITTED) and 5 s (ENABLED).
    assert_eq!(
        clock.sleeps(),
        [Duration::from_secs(2), Duration::from_secs(3)]
    );
}

#[tokio::test]
async fn an_issued_certificate_is_returned_at_once() {
    let Setup {
        _server,
        client,
        clock,
        install,
        account: _,
    } = setup(FakeConfig::with_seed(Seed::Installs(1))).await;
    let domain = order_certificate(&client, install).await;
    clock.advance(Duration::from_secs(5));
    let issued = client
        .wait_for_certificate(install, domain, options())
        .await
        .unwrap();
    assert_eq!(
        issued.certificate.unwrap().status,
        Some(CertificateStatus::Enabled)
    );
    assert!(clock.sleeps().is_empty(), "one look, no wait");
}

#[tokio::test]
async fn a_certificate_still_submitted_at_the_timeout_is_a_timeout_naming_its_state() {
    let Setup {
        _server,
        client,
        clock,
        install,
        account: _,
    } = setup(FakeConfig {
        certificate_issue_delay: Duration::from_secs(600),
        ..FakeConfig::with_seed(Seed::Installs(1))
    })
    .await;
    let domain = order_certificate(&client, install).await;
    let err = client
        .wait_for_certificate(install, domain, options().timeout(Duration::from_secs(60)))
        .await
        .unwrap_err();
    let state = timed_out_at_the_last_look_before_60_s(&err, &clock);
    assert_eq!(state, "SUBMITTED");
    assert!(err.to_string().contains("was still SUBMITTED"), "{err}");
}

#[tokio::test]
async fn a_domain_without_a_certificate_is_an_api_error_at_once() {
    let Setup {
        _server,
        client,
        clock,
        install,
        account: _,
    } = setup(FakeConfig::with_seed(Seed::Installs(1))).await;
    let domain = client
        .create_domain()
        .install_id(install)
        .body_map(|b| b.name("plain.example.com"))
        .send()
        .await
        .unwrap();
    let err = client
        .wait_for_certificate(install, domain.id, options())
        .await
        .unwrap_err();
    assert!(matches!(err, WaitError::Api { .. }), "{err:?}");
    assert!(clock.sleeps().is_empty());
}

#[tokio::test]
async fn a_certificate_order_ends_failed_when_rejected_and_waits_through_odd_answers() {
    const DOMAIN: uuid::Uuid = uuid::Uuid::from_u128(0xd);
    let answer = |certificate: serde_json::Value| {
        wpe_api_tests::Canned::json(
            200,
            &serde_json::json!({"cert_name": "shop.example.com", "certificate": certificate}),
        )
    };
    for end in ["REJECTED", "CANCELED", "EXPIRED", "DISABLED"] {
        let (server, client, clock) = scripted().await;
        server.respond(wpe_api_tests::Canned::json(200, &serde_json::json!({})));
        server.respond(answer(serde_json::json!({"id": 7})));
        server.respond(answer(
            serde_json::json!({"id": 7, "status": "SSL_STATE_UNSPECIFIED"}),
        ));
        server.respond(answer(
            serde_json::json!({"id": 7, "status": "a_new_state"}),
        ));
        server.respond(answer(serde_json::json!({"id": 7, "status": end})));
        let err = client
            .wait_for_certificate(INSTALL, DOMAIN, options())
            .await
            .unwrap_err();
        assert!(
            matches!(&err, WaitError::Failed { state, .. } if state == end),
            "{end}: {err:?}"
        );
        assert_eq!(
            err.to_string(),
            format!("certificate of domain {DOMAIN} ended {end}: it did not complete")
        );
        let requests = server.requests();
        assert_eq!(requests.len(), 5, "{end}");
        assert!(requests
            .iter()
            .all(|r| r.path == format!("/v1/installs/{INSTALL}/domains/{DOMAIN}/ssl_certificate")));
        assert_eq!(clock.sleeps().len(), 4, "{end}");
    }
}
