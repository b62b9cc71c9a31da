//! Backups of an install, which progress `requested` → `initiated` → `completed` with time.

use axum::http::StatusCode;

use super::check::{valid_email, Check};
use super::reply::{ok, with_status, Fail, Reply};
use super::request::{install_id, Req};
use super::state::{BackupRec, State};
use crate::types::{self, BackupStatus};

/// `POST /installs/{install_id}/backups` (`createBackup`).
pub(crate) fn create_backup(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = install_id(state, req)?;
    let body = req.json("Backup")?;
    let mut check = Check::new("Backup", &body);
    check.req_str("description");
    match check.opt_strings("notification_emails") {
        None if check.present("notification_emails").is_none() => {
            check.required("notification_emails")
        }
        None => {}
        Some(emails) if emails.is_empty() => check.error(
            "notification_emails",
            "invalid_value",
            "too_short",
            "notification_emails must hold at least one address",
        ),
        Some(emails) => {
            for email in emails.iter().filter(|e| !valid_email(e)) {
                check.error(
                    "notification_emails",
                    "invalid_value",
                    "invalid_email",
                    &format!("{email} is not a valid email address"),
                );
            }
        }
    }
    check.finish()?;
    let backup = state.new_id();
    state.backups.insert(
        backup,
        BackupRec {
            install_id: id,
            requested: req.now,
        },
    );
    with_status(
        StatusCode::ACCEPTED,
        types::Backup {
            id: backup,
            status: BackupStatus::Requested,
            description: None,
            create_time: None,
            complete_time: None,
            wordpress_version: None,
        },
    )
}

/// `GET /installs/{install_id}/backups/{backup_id}` (`showBackup`).
pub(crate) fn show_backup(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = install_id(state, req)?;
    let backup_id = req.id(3)?;
    let backup = state
        .backups
        .get(&backup_id)
        .filter(|b| b.install_id == id)
        .ok_or_else(Fail::not_found)?;
    let step = req.shared.config.backup_step_delay;
    let elapsed = req.now.saturating_duration_since(backup.requested);
    let status = if elapsed < step {
        BackupStatus::Requested
    } else if elapsed < step * 2 {
        BackupStatus::Initiated
    } else {
        BackupStatus::Completed
    };
    ok(types::Backup {
        id: backup_id,
        status,
        description: None,
        create_time: None,
        complete_time: None,
        wordpress_version: None,
    })
}

/// Placeholder until the stand-in serves `list_backups`.
pub(crate) fn list_backups(_state: &mut State, _req: &Req<'_>) -> Result<Reply, Fail> {
    Err(Fail::new(
        StatusCode::NOT_IMPLEMENTED,
        "not in the stand-in yet",
    ))
}

/// Placeholder until the stand-in serves `restore_backup`.
pub(crate) fn restore_backup(_state: &mut State, _req: &Req<'_>) -> Result<Reply, Fail> {
    Err(Fail::new(
        StatusCode::NOT_IMPLEMENTED,
        "not in the stand-in yet",
    ))
}

/// Placeholder until the stand-in serves `list_archives`.
pub(crate) fn list_archives(_state: &mut State, _req: &Req<'_>) -> Result<Reply, Fail> {
    Err(Fail::new(
        StatusCode::NOT_IMPLEMENTED,
        "not in the stand-in yet",
    ))
}

/// Placeholder until the stand-in serves `create_archive`.
pub(crate) fn create_archive(_state: &mut State, _req: &Req<'_>) -> Result<Reply, Fail> {
    Err(Fail::new(
        StatusCode::NOT_IMPLEMENTED,
        "not in the stand-in yet",
    ))
}
