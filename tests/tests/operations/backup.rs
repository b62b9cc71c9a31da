//! Backups of an install: list them, create one, read its progress, restore
//! one; archives of backups: list them, create one.

use serde_json::{json, Value};
use wpe_api::types::{ArchiveState, BackupStatus};

use crate::support::{assert_request, serve_empty, serve_fixture, BACKUP, INSTALL};

#[tokio::test]
async fn list_backups_reads_every_status_and_sends_paging() {
    let (server, client) = serve_fixture(200, "listBackups").await;
    let page = client
        .list_backups()
        .install_id(INSTALL)
        .limit(3u64)
        .offset(0u64)
        .send()
        .await
        .unwrap();
    assert_eq!(page.count, Some(4));
    assert!(page.next.is_some() && page.previous.is_none());
    let statuses: Vec<&BackupStatus> = page.results.iter().map(|b| &b.status).collect();
    assert_eq!(
        statuses,
        [
            &BackupStatus::Completed,
            &BackupStatus::Initiated,
            &BackupStatus::InProgress
        ]
    );
    assert!(page.results.iter().skip(1).all(|b| b.status.is_running()));
    let done = &page.results[0];
    assert_eq!(done.id, BACKUP);
    assert_eq!(done.description.as_deref(), Some("Nightly safety copy"));
    assert_eq!(done.wordpress_version.as_deref(), Some("6.5.2"));
    assert!(done.create_time.unwrap() < done.complete_time.unwrap());
    assert_eq!(page.results[1].complete_time, None);
    assert_eq!(page.results[2].description, None);
    assert_request(
        &server.single_request(),
        "GET",
        &format!("/v1/installs/{INSTALL}/backups"),
        &[("limit", "3"), ("offset", "0")],
        Value::Null,
    );
}

#[tokio::test]
async fn create_backup_sends_description_and_emails() {
    let (server, client) = serve_fixture(202, "createBackup").await;
    let backup = client
        .create_backup()
        .install_id(INSTALL)
        .body_map(|body| {
            body.description("Before deploy")
                .notification_emails(vec!["team@example.com".to_owned()])
        })
        .send()
        .await
        .unwrap();
    assert_eq!(backup.status, BackupStatus::Requested);
    assert_request(
        &server.single_request(),
        "POST",
        &format!("/v1/installs/{INSTALL}/backups"),
        &[],
        json!({"description": "Before deploy", "notification_emails": ["team@example.com"]}),
    );
}

#[tokio::test]
async fn show_backup_reads_progress() {
    let (server, client) = serve_fixture(200, "showBackup").await;
    let backup = client
        .show_backup()
        .install_id(INSTALL)
        .backup_id(BACKUP)
        .send()
        .await
        .unwrap();
    assert_eq!(backup.status, BackupStatus::Completed);
    assert_request(
        &server.single_request(),
        "GET",
        &format!("/v1/installs/{INSTALL}/backups/{BACKUP}"),
        &[],
        Value::Null,
    );
}

#[tokio::test]
async fn restore_backup_sends_emails_and_options_and_reads_no_body() {
    let (server, client) = serve_empty(202).await;
    let accepted = client
        .restore_backup()
        .install_id(INSTALL)
        .backup_id(BACKUP)
        .body_map(|body| {
            body.notification_emails(vec!["ops@example.com".to_owned()])
                .restore_database(false)
        })
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status().as_u16(), 202);
    assert_request(
        &server.single_request(),
        "POST",
        &format!("/v1/installs/{INSTALL}/backups/{BACKUP}/restore"),
        &[],
        json!({"notification_emails": ["ops@example.com"], "restore_database": false, "create_checkpoint": true}),
    );
}

#[tokio::test]
async fn list_archives_reads_completed_and_aborted_archives() {
    let (server, client) = serve_fixture(200, "listArchives").await;
    let page = client
        .list_archives()
        .install_id(INSTALL)
        .offset(0u64)
        .send()
        .await
        .unwrap();
    assert_eq!(page.count, Some(2));
    let (done, aborted) = (&page.results[0], &page.results[1]);
    assert_eq!(done.backup.id, BACKUP);
    assert_eq!(done.state, ArchiveState::Completed);
    assert!(done.download_uri.as_deref().unwrap().ends_with(".zip"));
    assert!(done.complete_time.is_some() && done.abort_time.is_none());
    assert_eq!(aborted.state, ArchiveState::Aborted);
    assert_eq!(aborted.download_uri, None);
    assert_eq!(aborted.notification_emails.len(), 2);
    assert!(aborted.abort_time.is_some() && aborted.complete_time.is_none());
    assert_request(
        &server.single_request(),
        "GET",
        &format!("/v1/installs/{INSTALL}/archives"),
        &[("offset", "0")],
        Value::Null,
    );
}

#[tokio::test]
async fn create_archive_sends_backup_and_emails_and_reads_no_body() {
    let (server, client) = serve_empty(202).await;
    let accepted = client
        .create_archive()
        .install_id(INSTALL)
        .body_map(|body| {
            body.backup_id(BACKUP)
                .notification_emails(vec!["ops@example.com".to_owned()])
        })
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status().as_u16(), 202);
    assert_request(
        &server.single_request(),
        "POST",
        &format!("/v1/installs/{INSTALL}/archives"),
        &[],
        json!({"backup_id": BACKUP, "notification_emails": ["ops@example.com"]}),
    );
}
