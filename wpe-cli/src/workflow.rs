//! The hand-written commands that do more than one call: `wpe backup`
//! (take a backup, and with `--wait` follow it to its end), `wpe purge`
//! (purge an install's cache, within the API's per-install limit) and
//! `wpe domains add` (add a domain, and with `--wait` report its DNS and
//! certificate status).

use std::io::{self, Write};
use std::str::FromStr;
use std::time::Duration;

use clap::{Arg, ArgAction, ArgMatches, Args as _, Command, FromArgMatches};
use indicatif::ProgressBar;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;
use wpe_api::types::{Backup, PurgeCacheType};
use wpe_api::wait::{WaitError, WaitOptions};
use wpe_api::Client;

use wpe_api::operations::Args;

use crate::accepted;
use crate::error::CliError;
use crate::mcp::limits::{MAX_NAME, MAX_TEXT};
use crate::names::{self, Kind};
use crate::output::{self, Format};
use crate::progress::spinner;

/// The caches `--type` names, as the API's `PurgeCacheType` does.
const CACHE_TYPES: [&str; 4] = ["page", "object", "cdn", "all"];

/// Why a backup is taken unless `--description` says.
const DEFAULT_DESCRIPTION: &str = "Backup taken with wpe";

/// How long `wpe backup --wait` waits unless `--timeout` says, in seconds.
const DEFAULT_BACKUP_TIMEOUT: u64 = 1800;

/// The longest wait `wpe mcp`'s `backup_and_wait` takes, in seconds (a day).
const MAX_BACKUP_TIMEOUT: u64 = 86_400;

/// The most addresses `wpe mcp`'s `backup_and_wait` emails.
const MAX_EMAILS: u64 = 20;

/// What `wpe backup` and `wpe mcp`'s `backup_and_wait` tool take: flags on
/// the command line, properties of the tool's arguments. The tool always
/// waits.
#[derive(Debug, Clone, clap::Args, Deserialize, JsonSchema)]
#[group(skip)]
#[serde(deny_unknown_fields)]
pub struct BackupOptions {
    /// The install: its name or ID
    #[arg(value_name = "INSTALL")]
    #[schemars(length(min = 1, max = MAX_NAME))]
    pub install: String,
    /// Why the backup is taken (shown in the User Portal)
    #[arg(long, value_name = "TEXT", default_value = DEFAULT_DESCRIPTION)]
    #[serde(default = "default_description")]
    #[schemars(length(max = MAX_TEXT))]
    pub description: String,
    /// Who to email when it ends (repeatable) [default: the API user's address]
    #[arg(long, value_name = "ADDRESS", action = ArgAction::Append)]
    #[serde(default)]
    #[schemars(
        description = "Who to email when it ends (default: the API user's address).",
        length(max = MAX_EMAILS),
        inner(length(min = 1, max = MAX_NAME))
    )]
    pub email: Vec<String>,
    /// Wait until the backup is completed (exit 1 if it is aborted, 3 on timeout)
    #[arg(long)]
    #[serde(skip)]
    pub wait: bool,
    /// How long --wait waits
    #[arg(long, value_name = "SECONDS", default_value_t = DEFAULT_BACKUP_TIMEOUT)]
    #[serde(default = "default_backup_timeout")]
    #[schemars(
        description = "How many seconds to wait for the backup to complete; the backup goes \
                       on after that.",
        range(max = MAX_BACKUP_TIMEOUT)
    )]
    pub timeout: u64,
}

fn default_description() -> String {
    DEFAULT_DESCRIPTION.to_owned()
}

fn default_backup_timeout() -> u64 {
    DEFAULT_BACKUP_TIMEOUT
}

/// `wpe backup` and `wpe purge`.
pub fn commands() -> [Command; 2] {
    [
        BackupOptions::augment_args(Command::new("backup"))
            .about("Take a backup of an install; with --wait, follow it until it ends"),
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

/// The group that holds `wpe domains add`, and the command's name.
pub const DOMAIN_ADD: (&str, &str) = ("domains", "add");

/// `wpe domains add`, added to the generated `domains` group.
pub fn domain_add_command() -> Command {
    Command::new(DOMAIN_ADD.1)
        .about("Add a domain to an install; with --wait, check it and report its status")
        .long_about(
            "Add a domain to an install (createDomain). With --wait, then start a \
             status check of the domain (checkStatus) and follow it until it is complete \
             (getDomainReportStatus), and print what it found: where the domain points, \
             its DNS and its certificate. The check is limited to once per 5 s per install; \
             wpe waits its turn.",
        )
        .arg(install_arg())
        .arg(
            Arg::new("name")
                .value_name("NAME")
                .required(true)
                .help("The domain name, e.g. www.example.com"),
        )
        .arg(
            Arg::new("primary")
                .long("primary")
                .action(ArgAction::SetTrue)
                .help("Make it the install's primary domain"),
        )
        .arg(
            Arg::new("redirect-to")
                .long("redirect-to")
                .value_name("DOMAIN")
                .help(
                    "A domain of the install to redirect the new one to: its name \
                     (torquemag.io) or its ID",
                ),
        )
        .arg(wait_arg(
            "Check the domain and wait for the report (exit 3 on timeout)",
        ))
        .arg(timeout_arg("300"))
}

fn wait_arg(help: &'static str) -> Arg {
    Arg::new("wait")
        .long("wait")
        .action(ArgAction::SetTrue)
        .help(help)
}

/// `--timeout SECONDS`, how long `--wait` waits.
pub fn timeout_arg(default: &'static str) -> Arg {
    Arg::new("timeout")
        .long("timeout")
        .value_name("SECONDS")
        .default_value(default)
        .value_parser(clap::value_parser!(u64))
        .help("How long --wait waits")
}

/// `--timeout` as wait options: polls from every second up to every 10 s,
/// and shows each state the job is seen in on the spinner `progress`.
pub fn wait_options(matches: &ArgMatches, progress: &ProgressBar) -> WaitOptions {
    let seconds = matches.get_one::<u64>("timeout").copied().unwrap_or(300);
    waiting(seconds, progress)
}

/// Wait options for `seconds`, as [`wait_options`] makes them.
fn waiting(seconds: u64, progress: &ProgressBar) -> WaitOptions {
    let progress = progress.clone();
    WaitOptions::default()
        .timeout(Duration::from_secs(seconds))
        .first_interval(Duration::from_secs(1))
        .max_interval(Duration::from_secs(10))
        .on_progress(move |seen| {
            progress.set_message(format!("waiting for {} ({})", seen.what, seen.state))
        })
}

/// A failed wait as the command's error: a timeout exits 3, a job that
/// ended badly 1, an API error as any other.
pub fn wait_failed(err: WaitError) -> CliError {
    match err {
        err @ WaitError::Timeout { .. } => CliError::Timeout(err.to_string()),
        WaitError::Api { source, .. } => CliError::Api(source),
        other => CliError::Failed(other.to_string()),
    }
}

fn install_arg() -> Arg {
    Arg::new("install")
        .value_name("INSTALL")
        .required(true)
        .help("The install: its name or ID")
}

/// Runs `wpe backup`, `wpe purge` or (given `add`) `wpe domains add`;
/// `None` for any other command.
pub async fn run(
    client: &Client,
    name: &str,
    matches: &ArgMatches,
    format: Format,
) -> Option<Result<(), CliError>> {
    Some(match name {
        "backup" => backup(client, matches, format).await,
        "purge" => purge(client, matches, format).await,
        "add" => domain_add(client, matches, format).await,
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
    let options =
        BackupOptions::from_arg_matches(matches).map_err(|err| CliError::Usage(err.to_string()))?;
    let value = to_json(&backup_value(client, &options).await?)?;
    if !options.wait {
        let typed = Args::new().with("install_id", options.install.as_str());
        accepted::tell(operation("create_backup")?, &typed, None, Some(&value))?;
    }
    let mut out = io::stdout().lock();
    output::print_value(&mut out, format, &value)?;
    out.flush()?;
    Ok(())
}

/// Takes the backup `options` asks for and, with `wait`, follows it until
/// it ends: the backup, as the API last answered it, whole (for `wpe backup`,
/// and `wpe mcp`'s `backup_and_wait` tool).
pub async fn backup_value(client: &Client, options: &BackupOptions) -> Result<Backup, CliError> {
    let install = names::parse_id(&names::resolve(client, Kind::Install, &options.install).await?)?;
    let description = options.description.clone();
    let emails: Vec<String> = match options.email.as_slice() {
        [] => vec![client.get_current_user().send().await?.into_inner().email],
        given => given.to_vec(),
    };
    let backup = client
        .create_backup()
        .install_id(install)
        .body_map(|b| b.description(description).notification_emails(emails))
        .send()
        .await?
        .into_inner();
    if !options.wait {
        return Ok(backup);
    }
    let progress = spinner(format!(
        "waiting for backup {} ({})",
        backup.id, backup.status
    ));
    let waited = client
        .wait_for_backup(install, backup.id, waiting(options.timeout, &progress))
        .await;
    progress.finish_and_clear();
    waited.map_err(wait_failed)
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
    let given = matches
        .get_one::<String>("install")
        .map_or("", String::as_str);
    accepted::tell(
        operation("purge_cache")?,
        &Args::new().with("install_id", given),
        None,
        None,
    )?;
    let mut out = io::stdout().lock();
    match format {
        Format::Table => {
            let caches = match name {
                "all" => "every cache".to_owned(),
                one => format!("the {one} cache"),
            };
            writeln!(out, "purge of {caches} of {given} ({install}) accepted")?
        }
        _ => output::print_fields(
            &mut out,
            format,
            &[
                ("install_id", Value::from(install.to_string())),
                ("type", Value::from(name)),
            ],
        )?,
    }
    out.flush()?;
    Ok(())
}

async fn domain_add(client: &Client, matches: &ArgMatches, format: Format) -> Result<(), CliError> {
    let install = install_id(client, matches).await?;
    let name = matches
        .get_one::<String>("name")
        .cloned()
        .ok_or_else(|| CliError::Usage("a domain name is required".into()))?;
    let primary = matches.get_flag("primary");
    // A name is looked up among the install's domains, as `domains create
    // --redirect-to` looks it up (`body::resolve_names`).
    let redirect_to = match matches.get_one::<String>("redirect-to") {
        Some(given) => {
            let parent = install.to_string();
            let id = names::resolve_in(client, Kind::Domain, given, Some(&parent)).await?;
            Some(Uuid::parse_str(&id).map_err(|err| {
                CliError::Usage(format!("--redirect-to {given}: not a domain ID ({err})"))
            })?)
        }
        None => None,
    };
    let domain = client
        .create_domain()
        .install_id(install)
        .body_map(|b| b.name(name).primary(primary).redirect_to(redirect_to))
        .send()
        .await?
        .into_inner();
    let domain_json = to_json(&domain)?;
    let mut out = io::stdout().lock();
    if !matches.get_flag("wait") {
        output::print_value(&mut out, format, &domain_json)?;
        out.flush()?;
        return Ok(());
    }
    let progress = spinner(format!("checking {}", domain.name));
    let checked = async {
        let started = client
            .check_status()
            .install_id(install)
            .domain_id(domain.id)
            .send()
            .await?
            .into_inner();
        progress.set_message(format!(
            "checking {} (report {})",
            domain.name, started.report_id
        ));
        client
            .wait_for_domain_report(install, started.report_id, wait_options(matches, &progress))
            .await
            .map_err(wait_failed)
    }
    .await;
    progress.finish_and_clear();
    let checked = checked.map_err(|err| match err {
        CliError::Timeout(message) => CliError::Timeout(format!(
            "{message}; the domain {} was added (ID {})",
            domain.name, domain.id
        )),
        other => other,
    })?;
    let finding = checked
        .domains
        .iter()
        .find(|d| d.name.as_deref() == Some(domain.name.as_str()));
    let finding_json = match finding {
        Some(finding) => to_json(finding)?,
        None => Value::Null,
    };
    let found = |pointer: &str| {
        finding_json
            .pointer(pointer)
            .cloned()
            .unwrap_or(Value::Null)
    };
    match format {
        Format::Table | Format::Csv | Format::Markdown => output::print_fields(
            &mut out,
            format,
            &[
                ("name", Value::from(domain.name.as_str())),
                ("id", domain_json["id"].clone()),
                ("primary", Value::from(domain.primary)),
                ("result", found("/result")),
                ("points_to", found("/install_name")),
                ("cname", found("/cname")),
                ("a_record", found("/a_record")),
                ("dns_provider", found("/dns_provider")),
                ("dns_error", found("/dns_error")),
                ("http_error", found("/http_error")),
                ("ssl", found("/ssl/status")),
                (
                    "report_id",
                    Value::from(checked.id.map(|id| id.to_string())),
                ),
            ],
        )?,
        Format::Json | Format::Ndjson => output::print_value(
            &mut out,
            format,
            &json!({ "domain": domain_json, "status": finding_json, "report_id": checked.id }),
        )?,
    }
    out.flush()?;
    Ok(())
}

/// An answer as JSON, for printing.
/// The operation of the table that a hand-written command sends.
fn operation(id: &str) -> Result<&'static wpe_api::operations::Operation, CliError> {
    wpe_api::operations::find(id)
        .ok_or_else(|| CliError::Usage(format!("this wpe has no operation {id}; update wpe")))
}

pub fn to_json(value: &impl serde::Serialize) -> Result<Value, CliError> {
    serde_json::to_value(value)
        .map_err(|err| CliError::Failed(format!("could not print the answer: {err}")))
}
