//! Backups, restores and archives, which progress over the stand-in's clock.

use uuid::Uuid;
use wpe_api::fake::{FakeServer, RestoreState};
use wpe_api::types::{self, ArchiveState, BackupStatus};
use wpe_api::Client;

use crate::support::{assert_field_error, demo, install_named, served, status_of, Served};

fn emails() -> Vec<String> {
    vec!["ops@example.com".to_owned()]
}

/// Takes a backup of `install` and returns its ID.
async fn take_backup(client: &Client, install: Uuid, description: &str) -> Uuid {
    client
        .create_backup()
        .install_id(install)
        .body_map(|b| b.description(description).notification_emails(emails()))
        .send()
        .await
        .unwrap()
        .into_inner()
        .id
}

/// Takes a backup of `install` and lets it complete.
async fn completed_backup(server: &FakeServer, client: &Client, install: Uuid) -> Uuid {
    let id = take_backup(client, install, "Nightly").await;
    server.advance(server.config().backup_step_delay * 2);
    id
}

/// Every backup of `install`, in the order listed.
async fn backups_of(client: &Client, install: Uuid) -> Vec<types::Backup> {
    let page = client
        .list_backups()
        .install_id(install)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(page.count, Some(page.results.len() as i64));
    page.results
}

/// Every archive of `install`, in the order listed.
async fn archives_of(client: &Client, install: Uuid) -> Vec<types::Archive> {
    let page = client
        .list_archives()
        .install_id(install)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(page.count, Some(page.results.len() as i64));
    page.results
}

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
    // complete_time stays null until the backup has finished.
    let shown = show().await.unwrap();
    assert_eq!(
        (shown.status.clone(), shown.complete_time),
        (BackupStatus::Requested, None)
    );
    let step = server.config().backup_step_delay;
    server.advance(step);
    let shown = show().await.unwrap();
    assert_eq!(
        (shown.status.clone(), shown.complete_time),
        (BackupStatus::InProgress, None)
    );
    server.advance(step);
    let shown = show().await.unwrap();
    assert_eq!(shown.status, BackupStatus::Completed);
    assert!(shown.complete_time.is_some());

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
    served(&server)
}

pub async fn backups_listed_in_every_status() -> Served {
    let (server, client) = demo().await;
    let listed = install_named(&client, "torquemag").await;
    // Only a single install's fetch carries its WordPress version.
    let install = client
        .get_install()
        .install_id(listed.id)
        .send()
        .await
        .unwrap()
        .into_inner();
    let step = server.config().backup_step_delay;
    assert!(backups_of(&client, install.id).await.is_empty());
    let first = take_backup(&client, install.id, "first").await;
    server.abort_next_backup();
    let doomed = take_backup(&client, install.id, "doomed").await;
    server.advance(step);
    let second = take_backup(&client, install.id, "second").await;
    server.advance(step);
    let third = take_backup(&client, install.id, "third").await;
    let other = install_named(&client, "demoshop").await;
    take_backup(&client, other.id, "elsewhere").await;

    // Oldest first, each in its own status.
    let all = backups_of(&client, install.id).await;
    let seen: Vec<(Uuid, BackupStatus, Option<&str>)> = all
        .iter()
        .map(|b| (b.id, b.status.clone(), b.description.as_deref()))
        .collect();
    assert_eq!(
        seen,
        [
            (first, BackupStatus::Completed, Some("first")),
            (doomed, BackupStatus::Aborted, Some("doomed")),
            (second, BackupStatus::InProgress, Some("second")),
            (third, BackupStatus::Requested, Some("third")),
        ]
    );
    for backup in &all {
        assert_eq!(backup.wordpress_version, install.wp_version);
        assert!(backup.create_time.is_some());
        assert_eq!(
            backup.complete_time.is_some(),
            backup.status == BackupStatus::Completed
        );
    }
    let created = all[0].create_time.unwrap();
    let completed = all[0].complete_time.unwrap();
    assert_eq!((completed - created).to_std().unwrap(), step * 2);
    // showBackup agrees with the list.
    let shown = client
        .show_backup()
        .install_id(install.id)
        .backup_id(second)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        serde_json::to_value(&shown).unwrap(),
        serde_json::to_value(&all[2]).unwrap()
    );

    // Paged by limit and offset.
    let page = client
        .list_backups()
        .install_id(install.id)
        .limit(2u64)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(page.count, Some(4));
    assert_eq!(page.results.len(), 2);
    assert!(page.previous.is_none());
    let next = page.next.expect("a second page");
    assert!(next.ends_with(&format!(
        "/installs/{}/backups?limit=2&offset=2",
        install.id
    )));
    let page = client
        .list_backups()
        .install_id(install.id)
        .limit(2u64)
        .offset(2u64)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(page.results.len(), 2);
    assert_eq!(page.results[1].id, third);
    assert!(page.next.is_none());

    assert_eq!(backups_of(&client, other.id).await.len(), 1);
    let err = client
        .list_backups()
        .install_id(Uuid::from_u128(5))
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 404);
    served(&server)
}

pub async fn restore_with_and_without_checkpoint() -> Served {
    let (server, client) = demo().await;
    let install = install_named(&client, "torquemag").await;
    let step = server.config().backup_step_delay;
    let backup = completed_backup(&server, &client, install.id).await;
    let restore = |backup: Uuid| {
        client
            .restore_backup()
            .install_id(install.id)
            .backup_id(backup)
    };

    // An unfinished backup cannot be restored.
    let running = take_backup(&client, install.id, "Not yet").await;
    let err = restore(running)
        .body_map(|b| b.notification_emails(emails()))
        .send()
        .await
        .unwrap_err();
    assert_field_error(&err, "backup_id");
    assert_eq!(err.field_errors()[0].code.as_deref(), Some("not_completed"));
    let err = restore(Uuid::from_u128(5))
        .body_map(|b| b.notification_emails(emails()))
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 404);
    let err = restore(backup)
        .body_map(|b| b.notification_emails(vec!["not-an-email".to_owned()]))
        .send()
        .await
        .unwrap_err();
    assert_field_error(&err, "notification_emails");
    assert!(server.restores(install.id).is_empty());

    // By default a checkpoint is taken first, listed like any backup.
    let accepted = restore(backup)
        .body_map(|b| b.notification_emails(emails()))
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status().as_u16(), 202);
    let backups = backups_of(&client, install.id).await;
    assert_eq!(backups.len(), 3);
    let checkpoint = &backups[2];
    assert_eq!(checkpoint.status, BackupStatus::Requested);
    assert_eq!(
        checkpoint.description.as_deref(),
        Some(format!("Checkpoint before restoring {backup}").as_str())
    );
    let restores = server.restores(install.id);
    assert_eq!(restores.len(), 1);
    assert_eq!(restores[0].backup_id, backup);
    assert_eq!(restores[0].checkpoint_id, Some(checkpoint.id));
    assert_eq!(restores[0].notification_emails, emails());
    assert!(restores[0].restore_database);
    assert_eq!(restores[0].state, RestoreState::Requested);
    assert!(restores[0].completed_at.is_none());

    // One restore of an install at a time.
    let err = restore(backup)
        .body_map(|b| b.notification_emails(emails()))
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 409);

    // It waits for the checkpoint, then takes one step.
    server.advance(step);
    assert_eq!(
        server.restores(install.id)[0].state,
        RestoreState::Requested
    );
    server.advance(step);
    assert_eq!(
        backups_of(&client, install.id).await[2].status,
        BackupStatus::Completed
    );
    assert_eq!(
        server.restores(install.id)[0].state,
        RestoreState::InProgress
    );
    let err = restore(backup)
        .body_map(|b| b.notification_emails(emails()))
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 409);
    server.advance(step);
    let done = &server.restores(install.id)[0];
    assert_eq!(done.state, RestoreState::Completed);
    assert_eq!(
        (done.completed_at.unwrap() - done.requested_at)
            .to_std()
            .unwrap(),
        step * 3
    );

    // Without a checkpoint: no new backup, and one step sooner.
    restore(backup)
        .body_map(|b| {
            b.notification_emails(emails())
                .create_checkpoint(false)
                .restore_database(false)
        })
        .send()
        .await
        .unwrap();
    assert_eq!(backups_of(&client, install.id).await.len(), 3);
    let second = &server.restores(install.id)[1];
    assert_eq!(second.checkpoint_id, None);
    assert!(!second.restore_database);
    assert_eq!(second.state, RestoreState::Requested);
    server.advance(step);
    assert_eq!(
        server.restores(install.id)[1].state,
        RestoreState::InProgress
    );
    server.advance(step);
    assert_eq!(
        server.restores(install.id)[1].state,
        RestoreState::Completed
    );

    // A backup belongs to its install.
    let other = install_named(&client, "demoshop").await;
    let err = client
        .restore_backup()
        .install_id(other.id)
        .backup_id(backup)
        .body_map(|b| b.notification_emails(emails()))
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 404);
    assert!(server.restores(other.id).is_empty());
    served(&server)
}

pub async fn archive_completes_with_a_download() -> Served {
    let (server, client) = demo().await;
    let install = install_named(&client, "torquemag").await;
    let step = server.config().archive_step_delay;
    let backup = completed_backup(&server, &client, install.id).await;
    assert!(archives_of(&client, install.id).await.is_empty());
    let accepted = client
        .create_archive()
        .install_id(install.id)
        .body_map(|b| b.backup_id(backup).notification_emails(emails()))
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status().as_u16(), 202);

    let archive = archives_of(&client, install.id).await.remove(0);
    assert_eq!(archive.backup.id, backup);
    assert_eq!(archive.state, ArchiveState::Requested);
    assert_eq!(archive.notification_emails, emails());
    assert!(archive.create_time.is_some());
    assert!(archive.start_time.is_none());
    assert!(archive.download_uri.is_none());

    server.advance(step);
    let archive = archives_of(&client, install.id).await.remove(0);
    assert_eq!(archive.state, ArchiveState::InProgress);
    assert!(archive.start_time.is_some());
    assert!(archive.complete_time.is_none());
    assert!(archive.download_uri.is_none());

    server.advance(step);
    let archive = archives_of(&client, install.id).await.remove(0);
    assert_eq!(archive.state, ArchiveState::Completed);
    assert!(archive.complete_time.is_some());
    assert!(archive.abort_time.is_none());
    let uri = archive.download_uri.expect("a download once completed");
    let url = reqwest::Url::parse(&uri).unwrap();
    assert_eq!(url.scheme(), "https");
    assert!(url.host_str().unwrap().ends_with(".invalid"), "{uri}");
    assert!(url.path().ends_with(".zip"), "{uri}");

    // Paged by limit and offset.
    client
        .create_archive()
        .install_id(install.id)
        .body_map(|b| b.backup_id(backup).notification_emails(emails()))
        .send()
        .await
        .unwrap();
    let page = client
        .list_archives()
        .install_id(install.id)
        .limit(1u64)
        .offset(1u64)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(page.count, Some(2));
    assert_eq!(page.results.len(), 1);
    assert_eq!(page.results[0].state, ArchiveState::Requested);
    assert!(page.previous.is_some() && page.next.is_none());
    served(&server)
}

pub async fn archive_aborts_when_told_to() -> Served {
    let (server, client) = demo().await;
    let install = install_named(&client, "torquemag").await;
    let step = server.config().archive_step_delay;
    let backup = completed_backup(&server, &client, install.id).await;
    let archive = || {
        client
            .create_archive()
            .install_id(install.id)
            .body_map(|b| b.backup_id(backup).notification_emails(emails()))
            .send()
    };
    server.abort_next_archive();
    archive().await.unwrap();
    archive().await.unwrap();
    server.advance(step);
    let states: Vec<ArchiveState> = archives_of(&client, install.id)
        .await
        .into_iter()
        .map(|a| a.state)
        .collect();
    assert_eq!(states, [ArchiveState::InProgress, ArchiveState::InProgress]);
    server.advance(step);
    let archives = archives_of(&client, install.id).await;
    let aborted = &archives[0];
    assert_eq!(aborted.state, ArchiveState::Aborted);
    assert!(aborted.abort_time.is_some());
    assert!(aborted.complete_time.is_none());
    assert!(aborted.download_uri.is_none());
    // Only the next archive aborts; the one after completes.
    assert_eq!(archives[1].state, ArchiveState::Completed);
    assert!(archives[1].download_uri.is_some());
    served(&server)
}

pub async fn archive_needs_a_completed_backup_of_the_install() -> Served {
    let (server, client) = demo().await;
    let install = install_named(&client, "torquemag").await;
    let archive = |backup: Uuid| {
        client
            .create_archive()
            .install_id(install.id)
            .body_map(move |b| b.backup_id(backup).notification_emails(emails()))
            .send()
    };
    let err = archive(Uuid::from_u128(5)).await.unwrap_err();
    assert_field_error(&err, "backup_id");
    assert_eq!(
        err.field_errors()[0].code.as_deref(),
        Some("unknown_backup")
    );
    let running = take_backup(&client, install.id, "Not yet").await;
    let err = archive(running).await.unwrap_err();
    assert_field_error(&err, "backup_id");
    assert_eq!(err.field_errors()[0].code.as_deref(), Some("not_completed"));
    // A backup of another install is unknown here.
    let other = install_named(&client, "demoshop").await;
    let elsewhere = completed_backup(&server, &client, other.id).await;
    let err = archive(elsewhere).await.unwrap_err();
    assert_eq!(
        err.field_errors()[0].code.as_deref(),
        Some("unknown_backup")
    );
    let err = client
        .create_archive()
        .install_id(install.id)
        .body_map(|b| b.backup_id(running).notification_emails(vec![]))
        .send()
        .await
        .unwrap_err();
    assert_field_error(&err, "notification_emails");
    assert!(archives_of(&client, install.id).await.is_empty());
    served(&server)
}

#[tokio::test]
async fn the_next_backup_can_be_made_to_abort() {
    let (server, client) = demo().await;
    let install = install_named(&client, "torquemag").await.id;
    server.abort_next_backup();
    let aborted = take_backup(&client, install, "doomed").await;
    let fine = take_backup(&client, install, "fine").await;
    server.advance(server.config().backup_step_delay * 2);
    let status = |backup: Uuid| {
        let client = client.clone();
        async move {
            client
                .show_backup()
                .install_id(install)
                .backup_id(backup)
                .send()
                .await
                .unwrap()
                .into_inner()
        }
    };
    let aborted = status(aborted).await;
    assert_eq!(aborted.status, BackupStatus::Aborted);
    assert_eq!(aborted.complete_time, None);
    assert_eq!(status(fine).await.status, BackupStatus::Completed);
}
