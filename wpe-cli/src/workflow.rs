//! The hand-written commands that do more than one call: `wpe backup`
//! (take a backup, and with `--wait` follow it to its end) and `wpe purge`
//! (purge an install's cache, within the API's per-install limit).

use std::io::{self, Write};
use std::str::FromStr;
use std::time::Duration;

use clap::{Arg, ArgAction, ArgMatches, Command};
use serde_json::json;
use uuid::Uuid;
use wpe_api::types::PurgeCacheType;
use wpe_api::wait::{WaitError, WaitOptions};
use wpe_api::Client;

use crate::error::CliError;
use crate::names::{self, Kind};
use crate::output::{self, Format};
use crate::progress::spinner;

/// The caches `--type` names, as the API's `PurgeCacheType` does.
const CACHE_TYPES: [&str; 4] = ["page", "object", "cdn", "all"];

/// `wpe backup` and `wpe purge`.
pub fn commands() -> [Command; 2] {
    [
        Command::new("backup")
            .about("Take a backup of an install; with --wait, follow it until it ends")
            .arg(install_arg())
            .arg(
                Arg::new("description")
                    .long("description")
                    .value_name("TEXT")
                    .default_value("Backup taken with wpe")
                    .help("Why the backup is taken (shown in the User Portal)"),
            )
            .arg(
                Arg::new("email")
                    .long("email")
                    .value_name("ADDRESS")
                    .action(ArgAction::Append)
                    .help(
                        "Who to email when it ends (repeatable) [default: the API user's address]",
                    ),
            )
            .arg(
                Arg::new("wait")
                    .long("wait")
                    .action(ArgAction::SetTrue)
                    .help(
                    "Wait until the backup is completed (exit 1 if it is aborted, 3 on timeout)",
                ),
            )
            .arg(
                Arg::new("timeout")
                    .long("timeout")
                    .value_name("SECONDS")
                    .default_value("1800")
                    .value_parser(clap::value_parser!(u64))
                    .help("How long --wait waits"),
            ),
        Command::new("purge")
            .about("Purge an install's cache (the object cache at most once a minute per install)")
            .arg(install_arg())
            .arg(
                Arg::new("type")
                    .long("type")
                    .value_name("CACHE")
                    .required(true)
                    .value_parser(CACHE_TYPES)
                    .help("Which cache"),
            ),
    ]
}

fn install_arg() -> Arg {
    Arg::new("install")
        .value_name("INSTALL")
        .required(true)
        .help("The install: its name or ID")
}

/// Runs `wpe backup` or `wpe purge`; `None` for any other command.
pub async fn run(
    client: &Client,
    name: &str,
    matches: &ArgMatches,
    format: Format,
) -> Option<Result<(), CliError>> {
    Some(match name {
        "backup" => backup(client, matches, format).await,
        "purge" => purge(client, matches, format).await,
        _ => return None,
    })
}

async fn install_id(client: &Client, matches: &ArgMatches) -> Result<Uuid, CliError> {
    let given = matches
        .get_one::<String>("install")
        .ok_or_else(|| CliError::Usage("an install is required".into()))?;
    let id = names::resolve(client, Kind::Install, given).await?;
    Uuid::parse_str(&id).map_err(|err| CliError::Usage(format!("install {id}: {err}")))
}

async fn backup(client: &Client, matches: &ArgMatches, format: Format) -> Result<(), CliError> {
    let install = install_id(client, matches).await?;
    let description = matches
        .get_one::<String>("description")
        .cloned()
        .unwrap_or_default();
    let emails: Vec<String> = match matches.get_many::<String>("email") {
        Some(emails) => emails.cloned().collect(),
        None => vec![client.get_current_user().send().await?.into_inner().email],
    };
    let backup = client
        .create_backup()
        .install_id(install)
        .body_map(|b| b.description(description).notification_emails(emails))
        .send()
        .await?
        .into_inner();
    let backup = if matches.get_flag("wait") {
        let seconds = matches.get_one::<u64>("timeout").copied().unwrap_or(1800);
        let options = WaitOptions::default()
            .timeout(Duration::from_secs(seconds))
            .first_interval(Duration::from_secs(1))
            .max_interval(Duration::from_secs(10));
        let progress = spinner(format!(
            "waiting for backup {} ({})",
            backup.id, backup.status
        ));
        let waited = client.wait_for_backup(install, backup.id, options).await;
        progress.finish_and_clear();
        match waited {
            Ok(done) => done,
            Err(err @ WaitError::Timeout { .. }) => return Err(CliError::Timeout(err.to_string())),
            Err(err @ WaitError::Failed { .. }) => return Err(CliError::Failed(err.to_string())),
            Err(WaitError::Api { source, .. }) => return Err(CliError::Api(source)),
            Err(other) => return Err(CliError::Failed(other.to_string())),
        }
    } else {
        backup
    };
    let value = serde_json::to_value(&backup)
        .map_err(|err| CliError::Failed(format!("could not print the backup: {err}")))?;
    let mut out = io::stdout().lock();
    output::print_value(&mut out, format, &value)?;
    out.flush()?;
    Ok(())
}

async fn purge(client: &Client, matches: &ArgMatches, format: Format) -> Result<(), CliError> {
    let install = install_id(client, matches).await?;
    let name = matches
        .get_one::<String>("type")
        .map(String::as_str)
        .unwrap_or("page");
    let kind = PurgeCacheType::from_str(name)
        .map_err(|err| CliError::Usage(format!("--type {name}: {err}")))?;
    // The retry hook keeps the per-install limit: a second object-cache purge
    // within a minute waits, and an answer of 429 is retried after Retry-After.
    let progress = spinner(format!("purging the {name} cache"));
    let purged = client
        .purge_cache()
        .install_id(install)
        .body_map(|b| b.type_(kind))
        .send()
        .await;
    progress.finish_and_clear();
    purged?;
    let mut out = io::stdout().lock();
    match format {
        Format::Table => writeln!(out, "purged the {name} cache of install {install}")?,
        _ => output::print_value(
            &mut out,
            format,
            &json!({"install_id": install, "type": name}),
        )?,
    }
    out.flush()?;
    Ok(())
}
