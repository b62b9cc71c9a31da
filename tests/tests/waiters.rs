//! The waiters against the stand-in's asynchronous jobs, with short delays.

use std::time::Duration;

use wpe_api::fake::{FakeConfig, FakeServer, Seed};
use wpe_api::types::{BackupStatus, InstallStatus};
use wpe_api::wait::{WaitError, WaitOptions};

fn quick() -> WaitOptions {
    WaitOptions::default()
        .first_interval(Duration::from_millis(50))
        .max_interval(Duration::from_millis(100))
        .timeout(Duration::from_secs(10))
}

async fn server(config: FakeConfig) -> (FakeServer, wpe_api::Client, uuid::Uuid, uuid::Uuid) {
    let server = FakeServer::start(config).await;
    let client = server.client();
    let install = client
        .list_installs()
        .send()
        .await
        .unwrap()
        .into_inner()
        .results
        .remove(0);
    (server, client, install.id, install.account.id)
}

#[tokio::test]
async fn a_backup_is_waited_for_until_completed() {
    let (_server, client, install, _) = server(FakeConfig {
        backup_step_delay: Duration::from_millis(150),
        ..FakeConfig::with_seed(Seed::Installs(1))
    })
    .await;
    let backup = client
        .create_backup()
        .install_id(install)
        .body_map(|b| {
            b.description("wait")
                .notification_emails(vec!["ops@example.com".to_owned()])
        })
        .send()
        .await
        .unwrap();
    assert_eq!(backup.status, BackupStatus::Requested);
    let done = client
        .wait_for_backup(install, &backup.id, quick())
        .await
        .unwrap();
    assert_eq!(done.status, BackupStatus::Completed);
}

#[tokio::test]
async fn a_new_install_is_waited_for_until_active_or_timeout() {
    let (_server, client, _, account) = server(FakeConfig {
        install_activation_delay: Duration::from_millis(200),
        ..FakeConfig::with_seed(Seed::Installs(1))
    })
    .await;
    let created = client
        .create_install()
        .body_map(|b| b.name("waitsite").account_id(account))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status, Some(InstallStatus::Pending));
    let active = client
        .wait_for_install_active(created.id, quick())
        .await
        .unwrap();
    assert_eq!(active.status, Some(InstallStatus::Active));

    let (_server, client, _, account) = server(FakeConfig {
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
        .wait_for_install_active(created.id, quick().timeout(Duration::from_millis(300)))
        .await
        .unwrap_err();
    let WaitError::Timeout { state, .. } = &err else {
        panic!("expected a timeout, got {err:?}")
    };
    assert_eq!(state, "pending");
    assert!(err.to_string().contains("was still pending"), "{err}");
}

#[tokio::test]
async fn a_domain_report_is_waited_for_until_complete() {
    let (_server, client, install, _) = server(FakeConfig {
        domain_report_delay: Duration::from_millis(150),
        ..FakeConfig::with_seed(Seed::Installs(1))
    })
    .await;
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
        .domain_id(domain.id.as_str())
        .send()
        .await
        .unwrap();
    let done = client
        .wait_for_domain_report(install, report.report_id, quick())
        .await
        .unwrap();
    assert_eq!(done.complete, Some(true));
    assert_eq!(done.domains[0].name.as_deref(), Some("wait.example.com"));
}

#[tokio::test]
async fn a_disk_usage_refresh_is_waited_for_until_its_expected_time() {
    let (_server, client, _, account) = server(FakeConfig {
        disk_usage_refresh_delay: Duration::from_millis(400),
        ..FakeConfig::with_seed(Seed::Installs(2))
    })
    .await;
    let requested_at = chrono::Utc::now();
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
    assert!(
        pending.account_storage_refresh_expected_time.is_some(),
        "the refresh is under way"
    );
    let usage = client
        .wait_for_account_disk_usage(account, requested_at, quick())
        .await
        .unwrap();
    let refreshed = usage
        .last_account_storage_refresh_time
        .or(usage.account_storage_refresh_expected_time)
        .unwrap();
    assert!(refreshed >= requested_at, "{refreshed} >= {requested_at}");
}
