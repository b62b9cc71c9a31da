//! Backups of an install, restores of them, and archives (downloadable zips)
//! of them; all three progress with the server's clock.
//!
//! - A backup is `requested`, then `in_progress` (upstream 1.21.2's name of
//!   the running state; older servers say `initiated`), then `completed`,
//!   one [`FakeConfig::backup_step_delay`] each.
//! - A restore has no ID and no status route in the API; the stand-in keeps
//!   it as a job that tests read with [`FakeServer::restores`]. When
//!   `create_checkpoint` is true (the default), a checkpoint backup of the
//!   install is taken first and the restore stays `requested` until that
//!   backup is complete; without one, it is `requested` for one step. Then it
//!   is `in_progress` for one step and `completed`.
//! - An archive is `requested`, then `in_progress`, one
//!   [`FakeConfig::archive_step_delay`] each, then `completed` with a
//!   `download_uri`, or `aborted` when [`FakeServer::abort_next_archive`]
//!   asked for it.
//!
//! [`FakeConfig::backup_step_delay`]: super::FakeConfig::backup_step_delay
//! [`FakeConfig::archive_step_delay`]: super::FakeConfig::archive_step_delay
//! [`FakeServer::restores`]: super::FakeServer::restores
//! [`FakeServer::abort_next_archive`]: super::FakeServer::abort_next_archive

use std::time::Duration;

use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use tokio::time::Instant;
use uuid::Uuid;

use super::check::Check;
use super::paging::paginate;
use super::reply::{empty, ok, with_status, Fail, Reply};
use super::request::{inst, install_id, Req};
use super::state::{ArchiveRec, BackupRec, RestoreRec, State};
use crate::types::{self, ArchiveState, BackupStatus};

/// Where a job that spends one `step` in each of its first two states is at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Accepted, not started.
    Requested,
    /// Started, not finished.
    Running,
    /// Finished.
    Done,
}

fn phase(requested: Instant, step: Duration, now: Instant) -> Phase {
    let elapsed = now.saturating_duration_since(requested);
    if elapsed < step {
        Phase::Requested
    } else if elapsed < step.saturating_mul(2) {
        Phase::Running
    } else {
        Phase::Done
    }
}

/// Records an error unless `field` holds at least one valid email address;
/// the addresses given (possibly none).
fn check_emails(check: &mut Check<'_>, field: &str) -> Vec<String> {
    match check.opt_strings(field) {
        None if check.present(field).is_none() => {
            check.required(field);
            Vec::new()
        }
        None => Vec::new(),
        Some(emails) if emails.is_empty() => {
            check.error(
                field,
                "invalid_value",
                "too_short",
                &format!("{field} must hold at least one address"),
            );
            emails
        }
        Some(emails) => {
            check.emails_valid(field, &emails);
            emails
        }
    }
}

/// A backup in the API's shape, as it stands at `now`.
fn backup_json(state: &State, rec: &BackupRec, step: Duration, now: Instant) -> types::Backup {
    let (status, complete_time) = match phase(rec.requested, step, now) {
        Phase::Requested => (BackupStatus::Requested, None),
        Phase::Running => (BackupStatus::InProgress, None),
        Phase::Done if rec.aborts => (BackupStatus::Aborted, None),
        Phase::Done => (
            BackupStatus::Completed,
            Some(state.wall(rec.requested + step.saturating_mul(2))),
        ),
    };
    types::Backup {
        extra: Default::default(),
        id: rec.id,
        status,
        description: Some(rec.description.clone()),
        create_time: Some(state.wall(rec.requested)),
        complete_time,
        wordpress_version: Some(rec.wordpress_version.clone()),
    }
}

/// Starts a backup of `install_id` now (one that ends `aborted` when
/// `aborts`); its ID.
fn take_backup(
    state: &mut State,
    install_id: Uuid,
    description: String,
    now: Instant,
    aborts: bool,
) -> Uuid {
    let id = state.new_id();
    let wordpress_version = inst(state, &install_id).wp_version.clone();
    state.backups.insert(
        id,
        BackupRec {
            id,
            install_id,
            requested: now,
            description,
            wordpress_version,
            aborts,
        },
    );
    id
}

/// The backup of path segment 3 (`/backups/{backup_id}`) of install `id`; a 404 when absent.
fn backup_of<'s>(state: &'s State, req: &Req<'_>, id: Uuid) -> Result<&'s BackupRec, Fail> {
    let backup_id = req.id(3)?;
    state
        .backups
        .get(&backup_id)
        .filter(|b| b.install_id == id)
        .ok_or_else(Fail::not_found)
}

/// `GET /installs/{install_id}/backups` (`listBackups`): every backup of the
/// install, whatever its status, oldest first.
pub(crate) fn list_backups(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = install_id(state, req)?;
    let step = req.shared.config.backup_step_delay;
    let state = &*state;
    paginate(
        req,
        &format!("installs/{id}/backups"),
        None,
        state.backups.iter().filter(|b| b.install_id == id),
        |b| backup_json(state, b, step, req.now),
    )
}

/// `POST /installs/{install_id}/backups` (`createBackup`).
pub(crate) fn create_backup(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = install_id(state, req)?;
    let body = req.json("Backup")?;
    let mut check = Check::new("Backup", &body);
    let description = check.req_str("description");
    check_emails(&mut check, "notification_emails");
    check.finish()?;
    let aborts = std::mem::take(&mut state.abort_next_backup);
    let backup = take_backup(state, id, description.unwrap_or_default(), req.now, aborts);
    let step = req.shared.config.backup_step_delay;
    let rec = state.backups.get(&backup).ok_or_else(Fail::not_found)?;
    with_status(StatusCode::ACCEPTED, backup_json(state, rec, step, req.now))
}

/// `GET /installs/{install_id}/backups/{backup_id}` (`showBackup`).
pub(crate) fn show_backup(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = install_id(state, req)?;
    let backup = backup_of(state, req, id)?;
    let step = req.shared.config.backup_step_delay;
    ok(backup_json(state, backup, step, req.now))
}

/// Progress of a restore in the stand-in, which the API does not report (it
/// only emails when a restore ends).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestoreState {
    /// Accepted; waiting for its checkpoint backup, if it takes one.
    Requested,
    /// Restoring.
    InProgress,
    /// The install is back at the backup.
    Completed,
}

/// A restore the stand-in accepted (`restoreBackup`), as it stands at the
/// server's current time (see [`FakeServer::restores`](super::FakeServer::restores)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreRecord {
    /// The backup being restored.
    pub backup_id: Uuid,
    /// Who is to be emailed when the restore ends.
    pub notification_emails: Vec<String>,
    /// Whether the database is restored as well as the files.
    pub restore_database: bool,
    /// The checkpoint backup taken before restoring, when `create_checkpoint`
    /// was true; it is listed by `listBackups` like any backup.
    pub checkpoint_id: Option<Uuid>,
    /// Where the restore is.
    pub state: RestoreState,
    /// When the restore was requested.
    pub requested_at: DateTime<Utc>,
    /// When the restore completed; `None` until it has.
    pub completed_at: Option<DateTime<Utc>>,
}

/// Where `rec` is at `now`, and when it completes.
fn restore_progress(rec: &RestoreRec, step: Duration, now: Instant) -> (RestoreState, Instant) {
    let done = rec.starts + step;
    let state = if now < rec.starts {
        RestoreState::Requested
    } else if now < done {
        RestoreState::InProgress
    } else {
        RestoreState::Completed
    };
    (state, done)
}

/// The restores of `install`, oldest first, as they stand at `now`.
pub(crate) fn restore_records(
    state: &State,
    install: Uuid,
    step: Duration,
    now: Instant,
) -> Vec<RestoreRecord> {
    state
        .restores
        .iter()
        .filter(|r| r.install_id == install)
        .map(|r| {
            let (progress, done) = restore_progress(r, step, now);
            RestoreRecord {
                backup_id: r.backup_id,
                notification_emails: r.notification_emails.clone(),
                restore_database: r.restore_database,
                checkpoint_id: r.checkpoint,
                state: progress,
                requested_at: state.wall(r.requested),
                completed_at: (progress == RestoreState::Completed).then(|| state.wall(done)),
            }
        })
        .collect()
}

/// `POST /installs/{install_id}/backups/{backup_id}/restore` (`restoreBackup`):
/// a `202` without a body.
///
/// Only a `completed` backup can be restored: any other is a `400` with a
/// field error on `backup_id` (code `not_completed`), as the API answers a
/// request it cannot act on as sent, and the caller's remedy is to wait for
/// the backup (or pick another). While a restore of the install has not
/// completed, another is a `409 Conflict`: two restores of one install would
/// race, and the remedy, waiting, differs from fixing the request.
pub(crate) fn restore_backup(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = install_id(state, req)?;
    let step = req.shared.config.backup_step_delay;
    let backup = backup_of(state, req, id)?;
    let backup_id = backup.id;
    let backup_done = phase(backup.requested, step, req.now) == Phase::Done;
    let body = req.json("RestoreBackupRequest")?;
    let mut check = Check::new("RestoreBackupRequest", &body);
    let emails = check_emails(&mut check, "notification_emails");
    let restore_database = check.opt_bool("restore_database").unwrap_or(true);
    let create_checkpoint = check.opt_bool("create_checkpoint").unwrap_or(true);
    if !backup_done {
        check.error(
            "backup_id",
            "invalid_value",
            "not_completed",
            &format!(
                "Backup {backup_id} is not completed yet; only a completed backup can be restored"
            ),
        );
    }
    check.finish()?;
    let running = state.restores.iter().any(|r| {
        r.install_id == id && restore_progress(r, step, req.now).0 != RestoreState::Completed
    });
    if running {
        return Err(Fail::new(
            StatusCode::CONFLICT,
            "A restore of this install is already running; try again once it has completed",
        ));
    }
    let (checkpoint, starts) = if create_checkpoint {
        let description = format!("Checkpoint before restoring {backup_id}");
        let checkpoint = take_backup(state, id, description, req.now, false);
        (Some(checkpoint), req.now + step.saturating_mul(2))
    } else {
        (None, req.now + step)
    };
    state.restores.push(RestoreRec {
        install_id: id,
        backup_id,
        notification_emails: emails,
        restore_database,
        checkpoint,
        requested: req.now,
        starts,
    });
    empty(StatusCode::ACCEPTED)
}

/// An archive in the API's shape, as it stands at `now`.
fn archive_json(state: &State, rec: &ArchiveRec, step: Duration, now: Instant) -> types::Archive {
    let started = rec.requested + step;
    let ended = rec.requested + step.saturating_mul(2);
    let mut archive = types::Archive {
        extra: Default::default(),
        id: rec.id,
        backup: types::BackupRef {
            extra: Default::default(),
            id: rec.backup_id,
        },
        notification_emails: rec.notification_emails.clone(),
        state: ArchiveState::Requested,
        create_time: Some(state.wall(rec.requested)),
        start_time: None,
        complete_time: None,
        abort_time: None,
        download_uri: None,
    };
    match phase(rec.requested, step, now) {
        Phase::Requested => {}
        Phase::Running => {
            archive.state = ArchiveState::InProgress;
            archive.start_time = Some(state.wall(started));
        }
        Phase::Done if rec.aborts => {
            archive.state = ArchiveState::Aborted;
            archive.start_time = Some(state.wall(started));
            archive.abort_time = Some(state.wall(ended));
        }
        Phase::Done => {
            archive.state = ArchiveState::Completed;
            archive.start_time = Some(state.wall(started));
            archive.complete_time = Some(state.wall(ended));
            archive.download_uri = Some(download_uri(rec));
        }
    }
    archive
}

/// Where a completed archive is downloaded from: a host under `.invalid`, so
/// nothing ever fetches it by mistake.
fn download_uri(rec: &ArchiveRec) -> String {
    format!(
        "https://archives.wpe-stand-in.invalid/{}/{}.zip",
        rec.install_id, rec.id
    )
}

/// `GET /installs/{install_id}/archives` (`listArchives`): every archive of
/// the install, whatever its state, oldest first.
pub(crate) fn list_archives(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = install_id(state, req)?;
    let step = req.shared.config.archive_step_delay;
    let state = &*state;
    paginate(
        req,
        &format!("installs/{id}/archives"),
        None,
        state.archives.iter().filter(|a| a.install_id == id),
        |a| archive_json(state, a, step, req.now),
    )
}

/// `POST /installs/{install_id}/archives` (`createArchive`): a `202` without
/// a body; the archive shows up in `listArchives` under its `backup.id`.
///
/// `backup_id` must name a completed backup of the install: an unknown one
/// (or one of another install) and an unfinished one are both `400`s with a
/// field error on `backup_id`, since the backup is named in the body, not
/// the path.
pub(crate) fn create_archive(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = install_id(state, req)?;
    let body = req.json("CreateArchiveRequest")?;
    let mut check = Check::new("CreateArchiveRequest", &body);
    let backup_id = check.req_uuid("backup_id");
    let emails = check_emails(&mut check, "notification_emails");
    if let Some(backup_id) = backup_id {
        let step = req.shared.config.backup_step_delay;
        match state.backups.get(&backup_id).filter(|b| b.install_id == id) {
            None => check.error(
                "backup_id",
                "invalid_value",
                "unknown_backup",
                &format!("{backup_id} is not a backup of this install"),
            ),
            Some(b) if phase(b.requested, step, req.now) != Phase::Done => check.error(
                "backup_id",
                "invalid_value",
                "not_completed",
                &format!("Backup {backup_id} is not completed yet; only a completed backup can be archived"),
            ),
            Some(_) => {}
        }
    }
    check.finish()?;
    let Some(backup_id) = backup_id else {
        return Err(Fail::not_found());
    };
    let archive = state.new_id();
    let aborts = std::mem::take(&mut state.abort_next_archive);
    state.archives.push(ArchiveRec {
        id: archive,
        install_id: id,
        backup_id,
        notification_emails: emails,
        requested: req.now,
        aborts,
    });
    empty(StatusCode::ACCEPTED)
}
