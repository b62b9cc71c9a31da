//! Backups that progress over the stand-in's clock.

use uuid::Uuid;
use wpe_api::types::BackupStatus;

use crate::support::{assert_field_error, demo, install_named, status_of, Served};

pub async fn backups_progress_over_time() -> Served {
    let (server, client) = demo().await;
    let install = install_named(&client, "torquemag").await;
    let backup = client
        .create_backup()
        .install_id(install.id)
        .body_map(|b| {
            b.description("Before deploy")
                .notification_emails(vec!["team@example.com".to_owned()])
        })
        .send()
        .await
        .unwrap();
    assert_eq!(backup.status().as_u16(), 202);
    assert_eq!(backup.status, BackupStatus::Requested);
    let id = backup.into_inner().id;
    let show = || {
        client
            .show_backup()
            .install_id(install.id)
            .backup_id(id)
            .send()
    };
    assert_eq!(show().await.unwrap().status, BackupStatus::Requested);
    let step = server.config().backup_step_delay;
    server.advance(step);
    assert_eq!(show().await.unwrap().status, BackupStatus::Initiated);
    server.advance(step);
    assert_eq!(show().await.unwrap().status, BackupStatus::Completed);

    let err = client
        .create_backup()
        .install_id(install.id)
        .body_map(|b| b.description("").notification_emails(vec![]))
        .send()
        .await
        .unwrap_err();
    assert_field_error(&err, "description");
    assert_field_error(&err, "notification_emails");
    let err = client
        .show_backup()
        .install_id(install.id)
        .backup_id(Uuid::from_u128(5))
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 404);
    // A backup belongs to its install.
    let other = install_named(&client, "demoshop").await;
    let err = client
        .show_backup()
        .install_id(other.id)
        .backup_id(id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 404);
    server.served_operations()
}
