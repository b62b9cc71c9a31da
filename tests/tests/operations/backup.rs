//! Backups of an install: create one, read its progress.

use serde_json::{json, Value};
use wpe_api::types::BackupStatus;

use crate::support::{assert_request, serve_fixture, BACKUP, INSTALL};

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
