//! Waiting on jobs that already exist: one `wait` command per job kind of
//! the operation table ([`Operation::job`]), in the group of the operation
//! that starts the job: `wpe backups wait INSTALL BACKUP_ID`, `wpe installs
//! wait INSTALL`, `wpe usage wait-account-disk-usage ACCOUNT`. A group with
//! two kinds of job (backups and archives; the two disk-usage refreshes)
//! names all but its own `wait-<job>`.
//!
//! Each waits with the library's waiter (`wpe_api::Client::wait_for_*`)
//! and prints what the job ended with. Exit codes as for `--wait`: 0 done,
//! 1 the job failed, 3 out of time.

use std::io::{self, Write};

use clap::{Arg, ArgMatches, Command};
use serde_json::Value;
use uuid::Uuid;
use wpe_api::operations::{Operation, OPERATIONS};
use wpe_api::wait::WaitError;
use wpe_api::Client;

use crate::commands;
use crate::error::CliError;
use crate::names;
use crate::output::{self, Format};
use crate::progress::spinner;
use crate::workflow::{timeout_arg, to_json, wait_failed, wait_options};

/// What a `wait` command takes, in order: the parameter names the waiter
/// needs, by job name. Each kind of [`Operation::job`] has an entry (a test
/// checks it); the names are those of the job's operations' parameters.
const WAITERS: &[(&str, &[&str])] = &[
    ("account-disk-usage", &["account_id"]),
    ("install-disk-usage", &["install_id"]),
    ("site-transfer", &["site_id", "transfer_id"]),
    ("install-activation", &["install_id"]),
    ("domain-report", &["install_id", "report_id"]),
    ("certificate-order", &["install_id", "domain_id"]),
    ("backup", &["install_id", "backup_id"]),
    ("archive", &["install_id", "backup_id"]),
];

/// What the `wait` command of the job called `job` takes ([`WAITERS`]).
pub fn waiter_params(job: &str) -> Option<&'static [&'static str]> {
    WAITERS
        .iter()
        .find(|(name, _)| *name == job)
        .map(|(_, params)| *params)
}

/// The operations that start a job, each once per job kind.
fn starters() -> impl Iterator<Item = &'static Operation> {
    OPERATIONS.iter().filter(|op| op.job.is_some())
}

/// The verb of the `wait` command of the job `op` starts.
pub fn verb(op: &Operation) -> String {
    let Some(job) = op.job else {
        return "wait".to_owned();
    };
    let alone = starters()
        .filter(|other| other.resource == op.resource)
        .count()
        == 1;
    if alone || job.name == op.resource.replace('_', "-") {
        "wait".to_owned()
    } else {
        format!("wait-{}", job.name)
    }
}

/// The `wait` commands of the group of `resource`.
pub fn commands(resource: &str) -> Vec<Command> {
    starters()
        .filter(|op| op.resource == resource)
        .filter_map(command)
        .collect()
}

fn command(op: &'static Operation) -> Option<Command> {
    let job = op.job?;
    let params = waiter_params(job.name)?;
    let mut command = Command::new(verb(op))
        .about(format!(
            "Wait for a {} job that is already running (started by {}) until it ends",
            job.name, op.operation_id
        ))
        .long_about(format!(
            "Wait for a {} job that is already running, as `{}` starts it, polling {} \
             with back-off, and print what it ended with. Exit codes: 0 done, 1 the job \
             failed, 2 usage, 3 out of time.",
            job.name, op.operation_id, job.poll
        ));
    for name in params {
        let kind = commands::named_id(name);
        let value_name = match kind {
            Some(kind) => kind.noun().replace(' ', "_").to_uppercase(),
            None => name.to_uppercase(),
        };
        let help = match kind {
            Some(kind) => format!("The {}: an ID or its {}", kind.noun(), kind.name_word()),
            None => format!("The {}", name.replace('_', " ").replace(" id", "'s ID")),
        };
        command = command.arg(
            Arg::new(*name)
                .value_name(value_name)
                .required(true)
                .help(help),
        );
    }
    if job.name == "archive" {
        command = command.arg(
            Arg::new(SINCE)
                .long(SINCE)
                .value_name("TIME")
                .value_parser(clap::value_parser!(chrono::DateTime<chrono::Utc>))
                .help(
                    "Only an archive requested at or after TIME (RFC 3339, e.g. \
                     2026-01-31T09:00:00Z) ends the wait [default: the backup's newest archive]",
                ),
        );
    }
    Some(command.arg(timeout_arg("1800")))
}

/// `wait-archive --since TIME`.
const SINCE: &str = "since";

/// Fails at once, naming the command that requests one, when `install` has
/// no archive of `backup` requested at or after `since`: there is nothing
/// to wait for.
async fn archive_requested(
    client: &Client,
    install: Uuid,
    backup: Uuid,
    since: chrono::DateTime<chrono::Utc>,
    given: (&str, &str),
) -> Result<(), CliError> {
    use futures::TryStreamExt;
    use wpe_api::Paginate;

    let since = chrono::SubsecRound::trunc_subsecs(since, 0);
    let archives: Vec<wpe_api::types::Archive> = client
        .list_archives()
        .install_id(install)
        .stream()
        .try_filter(|archive| {
            futures::future::ready(
                archive.backup.id == backup
                    && archive.create_time.is_none_or(|created| created >= since),
            )
        })
        .try_collect()
        .await?;
    if !archives.is_empty() {
        return Ok(());
    }
    let (install_given, backup_given) = given;
    let when = if since == chrono::DateTime::<chrono::Utc>::UNIX_EPOCH {
        String::new()
    } else {
        format!(" since {}", since.to_rfc3339())
    };
    Err(CliError::Failed(format!(
        "no archive of backup {backup_given} of {install_given} was requested{when}, so there \
         is nothing to wait for: request one with `wpe backups create-archive {install_given} \
         --backup-id {backup_given} --notification-emails YOU@EXAMPLE.COM`, then wait again"
    )))
}

/// The job whose `wait` command `group verb` is.
pub fn find(group: &str, verb_name: &str) -> Option<&'static Operation> {
    starters().find(|op| commands::group_name(op.resource) == group && verb(op) == verb_name)
}

/// Runs the `wait` command of the job `op` starts.
pub async fn run(
    client: &Client,
    op: &'static Operation,
    matches: &ArgMatches,
    format: Format,
) -> Result<(), CliError> {
    let job = op
        .job
        .ok_or_else(|| CliError::Usage(format!("{} starts no job", op.operation_id)))?;
    let mut ids: Vec<(&str, Uuid)> = Vec::new();
    let params = waiter_params(job.name).unwrap_or_default();
    for name in params {
        let given = matches
            .get_one::<String>(name)
            .ok_or_else(|| CliError::Usage(format!("{} is required", name.to_uppercase())))?;
        let id = match commands::named_id(name) {
            Some(kind) => {
                let parent = commands::parent_param(kind)
                    .and_then(|p| ids.iter().find(|(n, _)| *n == p))
                    .map(|(_, id)| id.to_string());
                names::resolve_in(client, kind, given, parent.as_deref()).await?
            }
            None => given.clone(),
        };
        let id = Uuid::parse_str(&id).map_err(|err| {
            CliError::Usage(format!(
                "{}: `{id}` is not an ID: {err}",
                name.to_uppercase()
            ))
        })?;
        ids.push((name, id));
    }
    let id = |name: &str| {
        ids.iter()
            .find(|(n, _)| *n == name)
            .map(|(_, id)| *id)
            .ok_or_else(|| CliError::Usage(format!("{} is required", name.to_uppercase())))
    };
    let since = matches
        .try_get_one::<chrono::DateTime<chrono::Utc>>(SINCE)
        .ok()
        .flatten()
        .copied()
        .unwrap_or(chrono::DateTime::<chrono::Utc>::UNIX_EPOCH);
    if job.name == "archive" {
        let given = |name: &str| matches.get_one::<String>(name).map_or("", String::as_str);
        archive_requested(
            client,
            id("install_id")?,
            id("backup_id")?,
            since,
            (given("install_id"), given("backup_id")),
        )
        .await?;
    }
    let progress = spinner(format!("waiting for the {}", job.name));
    let options = wait_options(matches, &progress);
    // An epoch start (no --since): a refresh that is running is waited
    // for, and with none running the last figures are printed at once; of
    // a backup's archives, the newest is waited for.
    let ended: Result<Value, CliError> = async {
        Ok(match job.name {
            "backup" => ended(
                client
                    .wait_for_backup(id("install_id")?, id("backup_id")?, options)
                    .await,
            )?,
            "archive" => ended(
                client
                    .wait_for_archive(id("install_id")?, id("backup_id")?, since, options)
                    .await,
            )?,
            "site-transfer" => ended(
                client
                    .wait_for_site_transfer(id("site_id")?, id("transfer_id")?, options)
                    .await,
            )?,
            "install-activation" => ended(
                client
                    .wait_for_install_active(id("install_id")?, options)
                    .await,
            )?,
            "domain-report" => ended(
                client
                    .wait_for_domain_report(id("install_id")?, id("report_id")?, options)
                    .await,
            )?,
            "account-disk-usage" => ended(
                client
                    .wait_for_account_disk_usage(id("account_id")?, since, options)
                    .await,
            )?,
            "install-disk-usage" => ended(
                client
                    .wait_for_install_disk_usage(id("install_id")?, since, options)
                    .await,
            )?,
            "certificate-order" => ended(
                client
                    .wait_for_certificate(id("install_id")?, id("domain_id")?, options)
                    .await,
            )?,
            other => {
                return Err(CliError::Usage(format!(
                    "this wpe cannot wait for a {other} job; update wpe"
                )))
            }
        })
    }
    .await;
    progress.finish_and_clear();
    let mut ended = ended?;
    // A table names the account and site beside their IDs, as the generated commands do.
    if format == Format::Table {
        names::Namer::new(client).annotate(&mut ended).await?;
    }
    let mut out = io::stdout().lock();
    output::print_value(&mut out, format, &ended)?;
    out.flush()?;
    Ok(())
}

/// What a waiter ended with, as JSON; a failed wait as the command's error.
fn ended<T: serde::Serialize>(waited: Result<T, WaitError>) -> Result<Value, CliError> {
    to_json(&waited.map_err(wait_failed)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_job_of_the_table_has_one_wait_command_with_its_parameters() {
        for op in starters() {
            let job = op.job.unwrap();
            let params = waiter_params(job.name)
                .unwrap_or_else(|| panic!("no waiter for the {} job", job.name));
            let poll = wpe_api::operations::OPERATIONS
                .iter()
                .find(|p| p.operation_id == job.poll)
                .unwrap();
            for param in params {
                let known = poll.param(param).is_some()
                    || op.param(param).is_some()
                    || op.body.is_some_and(|b| b.field(param).is_some());
                assert!(
                    known,
                    "{}: {param} is no parameter of its operations",
                    job.name
                );
            }
            let found = find(&commands::group_name(op.resource), &verb(op)).unwrap();
            assert_eq!(found.operation_id, op.operation_id);
        }
        assert_eq!(WAITERS.len(), starters().count());
        assert_eq!(
            verb(wpe_api::operations::find("create_backup").unwrap()),
            "wait"
        );
        assert_eq!(
            verb(wpe_api::operations::find("create_archive").unwrap()),
            "wait-archive"
        );
        assert_eq!(
            verb(wpe_api::operations::find("create_install").unwrap()),
            "wait"
        );
    }
}
