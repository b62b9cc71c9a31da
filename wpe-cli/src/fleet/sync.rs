//! `wpe fleet sync`: reads the fleet through the API and writes it to the
//! mirror as one snapshot.
//!
//! # What is read
//!
//! The accounts the credentials see (those `--account` names, by name or
//! ID, when given) and, for each, its users, sites, installs and the usage
//! summary of the last full calendar month; for each install, its domains,
//! certificates, the five newest backups, SFTP users, cache exclusions and
//! offload settings; and the API user's SSH keys. Each record's body is the
//! API's JSON of it, whole (see [`super::store::Kind`] for the keys), with
//! any field named as a secret in the spec (`password`, `private_key`)
//! taken out first, at any depth: the API does not send them, and should
//! it ever, the mirror does not keep them.
//!
//! The spec does not require a certificate's `id` nor an SSH key's `uuid`:
//! without one, a certificate is keyed by its `serial_number` (else its
//! `common_name`), an SSH key by its `fingerprint`. An item with none of
//! its keys stops the sync (it could not be told from the others).
//!
//! The usage summary is that of the last full calendar month, read as
//! `wpe report usage` reads a month: the summary, the insights, each
//! install's figures of the month (its rollup, without the daily series)
//! and the plan limits of the account (all but the summary `null` when
//! refused), in one body with the month and its first and last days.
//!
//! # Concurrency
//!
//! Every list is a piece of work of its own, walked one page at a time
//! through the client's page streams (so with its retries). At most
//! `--concurrency` pieces run at once, so at most that many requests are in
//! flight; the lists of an install are queued as soon as its account's
//! installs list has been read.
//!
//! # What stops a sync
//!
//! A list the credentials may not read (a 403), or one of an account or
//! install gone while the sync ran (a 404), is *unread*: it is warned about
//! and named in the summary, and the mirror keeps what it had of it. A 404
//! that means "none" is not an error: an install with no certificates, or
//! no offload settings, has none. Any other failure, once the client's
//! retries are spent, stops the sync before anything is written, and says
//! which list failed.
//!
//! The mirror is opened (and refused, when the file is not a mirror, is
//! from a newer `wpe`, or is damaged) before any request is sent, and
//! written once, in one transaction, after every read: a sync that fails or
//! is killed leaves it as it was.

use std::collections::{HashSet, VecDeque};
use std::io::{self, BufWriter, IsTerminal, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use clap::{value_parser, Arg, ArgAction, ArgMatches, Command};
use futures::stream::FuturesUnordered;
use futures::{StreamExt, TryStreamExt};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use serde_json::{json, Value};
use wpe_api::activity::{self, Activity};
use wpe_api::operations::{self, Args, Operation};
use wpe_api::{Client, PageOptions};

use super::store::{Kind, Mirror, NewSnapshot, Record, Unread, Written};
use crate::error::{may_not_read, CliError};
// The month whose usage a sync reads: the one `wpe report usage` reports by
// default, read the same way.
use crate::names;
use crate::output::{self, Format};
use crate::report::Period as Month;

/// The command's name.
pub const NAME: &str = "sync";

/// The id of `--account`.
const ACCOUNT: &str = "account";

/// The id of `--concurrency`.
const CONCURRENCY: &str = "concurrency";

/// How many lists are read at once unless `--concurrency` says otherwise.
const DEFAULT_CONCURRENCY: u16 = 8;

/// The most lists `--concurrency` lets a sync read at once.
const MAX_CONCURRENCY: u16 = 64;

/// How many of an install's backups are kept: the newest.
const BACKUPS_KEPT: usize = 5;

/// The message of `getOffloadSettings`' 404 for an install that never had
/// offload settings (see the spec's description of the operation).
const NO_OFFLOAD_SETTINGS: &str = "LargeFS settings not found";

/// `wpe fleet sync`.
pub fn command() -> Command {
    Command::new(NAME)
        .about("Read the fleet through the API into the mirror, as one new snapshot")
        .long_about(
            "Read every account the credentials see (or those --account names) into the \
             mirror as one new snapshot: accounts, account users, sites, installs, domains, \
             certificates, the five newest backups of each install, the API user's SSH \
             keys, SFTP users, cache exclusions, offload settings and last month's usage \
             summary. A record found as it was is not written again; one no longer \
             answered is closed. --concurrency lists are read at once, each one page at a \
             time.\n\n\
             A list the credentials may not read (403), or of an install or account gone \
             while the sync ran (404), is warned about on stderr, named in the summary, and \
             kept in the mirror as it was. Any other failure stops the sync and nothing is \
             written. Nothing is written either until every list has been read: a sync \
             that is interrupted leaves the mirror as it was.\n\n\
             The summary (--json: an object) has: snapshot (the new snapshot's ID), mirror \
             (the file), added, changed, removed and unchanged (records), rows_written \
             (versions added to the mirror), requests (sent to the API, retries \
             included), unread (the lists not read: kind, account, account_id, install, \
             install_id, reason) and elapsed_seconds.\n\n\
             Exit codes: 0 written (unread lists or not), 1 an API error or a damaged \
             mirror, 2 a usage error or a file that is not a mirror of this wpe.",
        )
        .arg(
            Arg::new(ACCOUNT)
                .long(ACCOUNT)
                .value_name("ACCOUNT")
                .action(ArgAction::Append)
                .help("Only this account (its name or ID); repeat for several [default: all]"),
        )
        .arg(
            Arg::new(CONCURRENCY)
                .long(CONCURRENCY)
                .value_name("N")
                .default_value(DEFAULT_CONCURRENCY.to_string())
                .value_parser(value_parser!(u16).range(1..=i64::from(MAX_CONCURRENCY)))
                .help("How many lists to read at once (1: one after another)"),
        )
}

/// `wpe fleet sync`: `fleet` holds `--db`, `matches` the command's own flags.
pub async fn run(
    demo: bool,
    fleet: &ArgMatches,
    matches: &ArgMatches,
    format: Format,
) -> Result<(), CliError> {
    let path = super::db_path(fleet, demo)?;
    let concurrency = matches
        .get_one::<u16>(CONCURRENCY)
        .copied()
        .unwrap_or(DEFAULT_CONCURRENCY);
    let given: Vec<String> = matches
        .get_many::<String>(ACCOUNT)
        .map(|values| values.cloned().collect())
        .unwrap_or_default();
    // Neither sends a request: the client is only built, and the mirror is
    // checked (and refused when it is not one) before anything is read.
    let target = crate::target::Target::connect(demo).await?;
    let mut mirror = Mirror::open_for_sync(&path)?;
    let started = Instant::now();
    let started_at = Utc::now();
    let sent = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&sent);
    let read = activity::watch(
        move |activity: &Activity| {
            if let Activity::Sending { .. } = activity {
                counter.fetch_add(1, Ordering::Relaxed);
            }
        },
        read_fleet(
            &target.client,
            &given,
            usize::from(concurrency),
            started_at.date_naive(),
        ),
    )
    .await?;
    for unread in &read.unread {
        eprintln!(
            "wpe: warning: could not read {}: {}; the mirror keeps what it had of them",
            read.describe_unread(unread),
            unread.reason
        );
    }
    let unread = read.unread_entries();
    let snapshot = NewSnapshot {
        started_at,
        api_url: wpe_api::ClientInfo::baseurl(&target.client).to_owned(),
        accounts: read.scope,
        records: read.records,
        unread: read.unread,
        requests: sent.load(Ordering::Relaxed),
    };
    let written = mirror.write(&snapshot)?;
    let summary = Summary::new(
        &written,
        mirror.path(),
        snapshot.requests,
        unread,
        started.elapsed(),
    );
    let mut out = BufWriter::new(io::stdout().lock());
    summary.print(&mut out, format)?;
    out.flush()?;
    Ok(())
}

/// What `wpe fleet sync` prints when it has written a snapshot.
#[derive(Debug, Clone)]
pub struct Summary {
    /// The new snapshot's ID.
    pub snapshot: i64,
    /// The mirror's file.
    pub mirror: String,
    /// Records seen for the first time.
    pub added: u64,
    /// Records whose body changed (a new version written for each).
    pub changed: u64,
    /// Records no longer answered (closed).
    pub removed: u64,
    /// Records found as they were (nothing written for them).
    pub unchanged: u64,
    /// Rows added to the mirror: one per record added or changed.
    pub rows_written: u64,
    /// Requests sent to the API, each retry counted.
    pub requests: u64,
    /// The lists that could not be read, whose records were kept as they were.
    pub unread: Vec<UnreadEntry>,
    /// How long the sync took, reads and write, in seconds.
    pub elapsed_seconds: f64,
}

/// A list a sync could not read, as the summary names it.
#[derive(Debug, Clone, Serialize)]
pub struct UnreadEntry {
    /// The kind of records the list holds (`sftp_user`, `domain`, ...).
    pub kind: &'static str,
    /// The name of the account the list is of, or of the install's account.
    pub account: Option<String>,
    /// That account's ID.
    pub account_id: Option<String>,
    /// The name of the install the list is of, for a list of an install.
    pub install: Option<String>,
    /// That install's ID.
    pub install_id: Option<String>,
    /// Why: the API's answer.
    pub reason: String,
    /// The list in words, for a table.
    #[serde(skip)]
    text: String,
}

impl Summary {
    fn new(
        written: &Written,
        mirror: &std::path::Path,
        requests: u64,
        unread: Vec<UnreadEntry>,
        elapsed: Duration,
    ) -> Summary {
        Summary {
            snapshot: written.snapshot,
            mirror: mirror.display().to_string(),
            added: written.added,
            changed: written.changed,
            removed: written.removed,
            unchanged: written.unchanged,
            rows_written: written.rows_inserted(),
            requests,
            unread,
            // To the millisecond.
            elapsed_seconds: (elapsed.as_millis() as f64) / 1000.0,
        }
    }

    /// Prints the summary in `format`: an object in JSON, `field  value`
    /// lines in a table, in the order of the fields above (the unread
    /// lists in words there: their reasons are in the warnings).
    fn print(&self, out: &mut impl Write, format: Format) -> Result<(), CliError> {
        let unread = match format {
            Format::Table | Format::Markdown if self.unread.is_empty() => json!("none"),
            Format::Table | Format::Markdown => json!(self
                .unread
                .iter()
                .map(|u| u.text.as_str())
                .collect::<Vec<_>>()
                .join("; ")),
            _ => crate::workflow::to_json(&self.unread)?,
        };
        let fields = [
            ("snapshot", json!(self.snapshot)),
            ("mirror", json!(self.mirror)),
            ("added", json!(self.added)),
            ("changed", json!(self.changed)),
            ("removed", json!(self.removed)),
            ("unchanged", json!(self.unchanged)),
            ("rows_written", json!(self.rows_written)),
            ("requests", json!(self.requests)),
            ("unread", unread),
            ("elapsed_seconds", json!(self.elapsed_seconds)),
        ];
        Ok(output::print_fields(out, format, &fields)?)
    }
}

/// An account in scope.
#[derive(Debug)]
struct Account {
    id: String,
    name: String,
}

/// An install of an account in scope.
#[derive(Debug)]
struct Install {
    id: String,
    name: String,
    account: Arc<Account>,
}

/// One list to read.
#[derive(Debug, Clone)]
enum Job {
    /// The API user's SSH keys.
    SshKeys,
    /// A list of an account: its users, sites, installs or usage summary.
    OfAccount(Kind, Arc<Account>),
    /// A list of an install: its domains, certificates, backups, SFTP
    /// users, cache exclusions or offload settings.
    OfInstall(Kind, Arc<Install>),
}

/// The lists read of each install.
const INSTALL_KINDS: [Kind; 6] = [
    Kind::Domain,
    Kind::Certificate,
    Kind::Backup,
    Kind::SftpUser,
    Kind::CacheExclusions,
    Kind::OffloadSettings,
];

/// The lists read of each account (besides the account itself).
const ACCOUNT_KINDS: [Kind; 4] = [
    Kind::Install,
    Kind::Site,
    Kind::AccountUser,
    Kind::UsageSummary,
];

impl Job {
    fn kind(&self) -> Kind {
        match self {
            Job::SshKeys => Kind::SshKey,
            Job::OfAccount(kind, _) | Job::OfInstall(kind, _) => *kind,
        }
    }

    fn account(&self) -> Option<&Arc<Account>> {
        match self {
            Job::SshKeys => None,
            Job::OfAccount(_, account) => Some(account),
            Job::OfInstall(_, install) => Some(&install.account),
        }
    }

    fn install(&self) -> Option<&Arc<Install>> {
        match self {
            Job::OfInstall(_, install) => Some(install),
            _ => None,
        }
    }

    /// The list in words: `the SFTP users of install clientblog (account democlient)`.
    fn describe(&self) -> String {
        describe(
            self.kind(),
            self.account().map(|a| a.name.as_str()),
            self.install().map(|i| i.name.as_str()),
        )
    }
}

/// A list in words, from its kind and the names of its account and install.
fn describe(kind: Kind, account: Option<&str>, install: Option<&str>) -> String {
    let what = match kind {
        Kind::Account => "the accounts",
        Kind::AccountUser => "the users",
        Kind::Site => "the sites",
        Kind::Install => "the installs",
        Kind::Domain => "the domains",
        Kind::Certificate => "the certificates",
        Kind::Backup => "the backups",
        Kind::SshKey => "the API user's SSH keys",
        Kind::SftpUser => "the SFTP users",
        Kind::CacheExclusions => "the cache exclusions",
        Kind::OffloadSettings => "the offload settings",
        Kind::UsageSummary => "last month's usage summary",
    };
    match (install, account) {
        (Some(install), Some(account)) => {
            format!("{what} of install {install} (account {account})")
        }
        (Some(install), None) => format!("{what} of install {install}"),
        (None, Some(account)) => format!("{what} of account {account}"),
        (None, None) => what.to_owned(),
    }
}

/// Everything a sync read.
struct Read {
    /// The account IDs `--account` chose, or `None` for all.
    scope: Option<Vec<String>>,
    records: Vec<Record>,
    unread: Vec<Unread>,
    /// The names of the accounts and installs read, for the unread lists' words.
    names: std::collections::HashMap<String, String>,
}

impl Read {
    fn name_of(&self, id: Option<&String>) -> Option<String> {
        id.map(|id| self.names.get(id).cloned().unwrap_or_else(|| id.clone()))
    }

    fn describe_unread(&self, unread: &Unread) -> String {
        describe(
            unread.kind,
            self.name_of(unread.account_id.as_ref()).as_deref(),
            self.name_of(unread.install_id.as_ref()).as_deref(),
        )
    }

    fn unread_entries(&self) -> Vec<UnreadEntry> {
        self.unread
            .iter()
            .map(|unread| UnreadEntry {
                kind: unread.kind.as_str(),
                account: self.name_of(unread.account_id.as_ref()),
                account_id: unread.account_id.clone(),
                install: self.name_of(unread.install_id.as_ref()),
                install_id: unread.install_id.clone(),
                reason: unread.reason.clone(),
                text: self.describe_unread(unread),
            })
            .collect()
    }
}

/// What reading one list gave.
enum Outcome {
    /// Its records.
    Read(Vec<Record>),
    /// It could not be read (a 403, or a 404 of something gone).
    Unread(String),
}

/// Reads the accounts in scope and every list of them, at most
/// `concurrency` at once.
async fn read_fleet(
    client: &Client,
    given: &[String],
    concurrency: usize,
    today: NaiveDate,
) -> Result<Read, CliError> {
    let mut chosen = Vec::new();
    for value in given {
        let id = names::resolve(client, names::Kind::Account, value).await?;
        chosen.push((value.clone(), id));
    }
    let month = Month::previous_month(today);
    let progress = progress_bar();
    let accounts: Vec<Value> = match list(client, "list_accounts", Args::new()).await {
        Ok(accounts) => accounts,
        Err(err) => return Err(failed(&describe(Kind::Account, None, None), err)),
    };
    let mut records = Vec::new();
    let mut names = std::collections::HashMap::new();
    let mut in_scope = Vec::new();
    for body in accounts {
        let id = text_field(&body, "id", "an account")?;
        let name = body
            .get("name")
            .and_then(Value::as_str)
            .map_or_else(|| id.clone(), str::to_owned);
        if !chosen.is_empty() && !chosen.iter().any(|(_, chosen)| *chosen == id) {
            continue;
        }
        names.insert(id.clone(), name.clone());
        in_scope.push(Arc::new(Account {
            id: id.clone(),
            name,
        }));
        records.push(record(Kind::Account, id.clone(), Some(id), None, body));
    }
    // A name or ID that is not among the accounts these credentials list.
    if let Some((value, _)) = chosen
        .iter()
        .find(|(_, id)| !in_scope.iter().any(|a| a.id == *id))
    {
        return Err(CliError::NotFound(names::NotFound::not_visible(
            names::Kind::Account,
            value,
        )));
    }
    let scope = (!chosen.is_empty()).then(|| in_scope.iter().map(|a| a.id.clone()).collect());

    let mut pending: VecDeque<Job> = VecDeque::new();
    pending.push_back(Job::SshKeys);
    for account in &in_scope {
        for kind in ACCOUNT_KINDS {
            pending.push_back(Job::OfAccount(kind, Arc::clone(account)));
        }
    }
    progress.set_length(pending.len() as u64);
    let mut unread = Vec::new();
    let mut running = FuturesUnordered::new();
    loop {
        while running.len() < concurrency {
            let Some(job) = pending.pop_front() else {
                break;
            };
            running.push(read_job(client, job, month));
        }
        let Some((job, outcome)) = running.next().await else {
            break;
        };
        progress.inc(1);
        match outcome? {
            Outcome::Read(read) => {
                if let Job::OfAccount(Kind::Install, account) = &job {
                    for install in &read {
                        let name = install
                            .body
                            .get("name")
                            .and_then(Value::as_str)
                            .map_or_else(|| install.key.clone(), str::to_owned);
                        names.insert(install.key.clone(), name.clone());
                        let install = Arc::new(Install {
                            id: install.key.clone(),
                            name,
                            account: Arc::clone(account),
                        });
                        for kind in INSTALL_KINDS {
                            pending.push_back(Job::OfInstall(kind, Arc::clone(&install)));
                        }
                        progress.inc_length(INSTALL_KINDS.len() as u64);
                    }
                }
                records.extend(read);
            }
            Outcome::Unread(reason) => unread.push(Unread {
                kind: job.kind(),
                account_id: job.account().map(|a| a.id.clone()),
                install_id: job.install().map(|i| i.id.clone()),
                reason,
            }),
        }
    }
    progress.finish_and_clear();
    // Warnings and the summary list them in a steady order.
    unread.sort_by(|a, b| {
        (a.kind, &a.account_id, &a.install_id).cmp(&(b.kind, &b.account_id, &b.install_id))
    });
    Ok(Read {
        scope,
        records,
        unread,
        names,
    })
}

/// "N of M lists read" on a terminal; nothing elsewhere.
fn progress_bar() -> ProgressBar {
    if !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let style = ProgressStyle::with_template("{spinner} {pos} of {len} lists read ({elapsed})")
        .unwrap_or_else(|_| ProgressStyle::default_spinner());
    let bar = ProgressBar::new(0).with_style(style);
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// Reads one list: its records, or why the credentials could not read
/// it; any other failure is the sync's error.
async fn read_job(client: &Client, job: Job, month: Month) -> (Job, Result<Outcome, CliError>) {
    let fetched = fetch(client, &job, month).await;
    let outcome = match fetched {
        Ok(items) => records_of(&job, items, month).map(Outcome::Read),
        Err(err) if may_not_read(&err) => Ok(Outcome::Unread(err.to_string())),
        Err(err) => Err(failed(&job.describe(), err)),
    };
    (job, outcome)
}

/// The error that stops a sync whose read of `what` failed.
fn failed(what: &str, err: wpe_api::Error) -> CliError {
    let status = err.status().map(|s| s.as_u16());
    let advice = match (&err, status) {
        (wpe_api::Error::CommunicationError(_), _) | (_, Some(429 | 500..=599)) => {
            "the API or the way to it is failing: run `wpe fleet sync` again later"
        }
        (_, Some(401)) => "check WPE_API_USER and WPE_API_PASSWORD, then run it again",
        _ => "run `wpe fleet sync` again; should it fail again, leave that account out with --account",
    };
    let message =
        format!("could not read {what}: {err}; nothing was written to the mirror: {advice}");
    match err {
        wpe_api::Error::InvalidRequest(_) => CliError::Usage(message),
        _ => CliError::Failed(message),
    }
}

/// The items of the list `job` reads, as the API's JSON.
async fn fetch(client: &Client, job: &Job, month: Month) -> Result<Vec<Value>, wpe_api::Error> {
    let install_args = || match job.install() {
        Some(install) => Args::new().with("install_id", install.id.as_str()),
        None => Args::new(),
    };
    let account_args = || match job.account() {
        Some(account) => Args::new().with("account_id", account.id.as_str()),
        None => Args::new(),
    };
    match job.kind() {
        Kind::Account => list(client, "list_accounts", Args::new()).await,
        Kind::SshKey => list(client, "list_ssh_keys", Args::new()).await,
        Kind::AccountUser => list(client, "list_account_users", account_args()).await,
        Kind::Site => list(client, "list_sites", account_args()).await,
        Kind::Install => list(client, "list_installs", account_args()).await,
        Kind::UsageSummary => usage(client, account_args(), month).await.map(|u| vec![u]),
        Kind::Domain => list(client, "list_domains", install_args()).await,
        Kind::Certificate => list(client, "get_install_certificates", install_args()).await,
        Kind::Backup => newest_backups(client, install_args()).await,
        Kind::SftpUser => list(client, "list_sftp_users", install_args()).await,
        Kind::CacheExclusions => list(client, "list_cache_exclusions", install_args())
            .await
            .map(|all| vec![json!({ "results": all })]),
        Kind::OffloadSettings => match call(client, "get_offload_settings", install_args()).await {
            Ok(settings) => Ok(settings.into_iter().collect()),
            Err(err) if none_configured(&err) => Ok(Vec::new()),
            Err(err) => Err(err),
        },
    }
}

/// Whether `err` is `getOffloadSettings`' answer for an install that never
/// had offload settings (a 404 whose message says so, not one of an
/// install gone).
fn none_configured(err: &wpe_api::Error) -> bool {
    err.status().map(|s| s.as_u16()) == Some(404)
        && err
            .api_error()
            .is_some_and(|body| body.message.contains(NO_OFFLOAD_SETTINGS))
}

/// The operation `id` of the spec's table.
fn operation(id: &str) -> Result<&'static Operation, wpe_api::Error> {
    operations::find(id).ok_or_else(|| {
        wpe_api::Error::InvalidRequest(format!("this wpe's operation table has no `{id}`"))
    })
}

/// One list's page walk: every item, one page at a time (a sync reads many
/// lists at once; each keeps to one request in flight).
fn walk<'c>(
    client: &'c Client,
    id: &str,
    args: Args,
) -> Result<wpe_api::PageStream<'c, Value>, wpe_api::Error> {
    operations::stream(
        client,
        operation(id)?,
        &args,
        PageOptions::default().concurrency(1),
    )
}

/// Every item of a list.
async fn list(client: &Client, id: &str, args: Args) -> Result<Vec<Value>, wpe_api::Error> {
    walk(client, id, args)?.try_collect().await
}

/// One answer that is not a list.
async fn call(client: &Client, id: &str, args: Args) -> Result<Option<Value>, wpe_api::Error> {
    operations::call(client, operation(id)?, &args, None).await
}

/// An answer that may be refused (a 403 or 404): `null` then.
async fn optional(client: &Client, id: &str, args: Args) -> Result<Value, wpe_api::Error> {
    match call(client, id, args).await {
        Ok(answer) => Ok(answer.unwrap_or(Value::Null)),
        Err(err) if may_not_read(&err) => Ok(Value::Null),
        Err(err) => Err(err),
    }
}

/// An account's usage of `month`, read with the requests `wpe report
/// usage` makes for it: the summary (required), the insights, each
/// install's figures (`metrics`, every item of `getAccountUsageMetrics`
/// without its daily series) and the plan limits (`null` when refused),
/// one after another.
async fn usage(client: &Client, account: Args, month: Month) -> Result<Value, wpe_api::Error> {
    let period = account
        .clone()
        .with("first_date", month.first.to_string())
        .with("last_date", month.last.to_string());
    let summary = call(client, "get_account_usage_summary", period.clone())
        .await?
        .unwrap_or(Value::Null);
    let insights = optional(client, "get_account_usage_insights", period.clone()).await?;
    let metrics = match list(client, "get_account_usage_metrics", period).await {
        Ok(items) => Value::Array(items.into_iter().map(without_daily_figures).collect()),
        Err(err) if may_not_read(&err) => Value::Null,
        Err(err) => return Err(err),
    };
    let limits = optional(client, "get_accounts_limits", account).await?;
    Ok(json!({
        "month": month.month_label(),
        "from": month.first.to_string(),
        "to": month.last.to_string(),
        "summary": summary,
        "insights": insights,
        "metrics": metrics,
        "limits": limits,
    }))
}

/// An install's usage figures of the month without their daily series
/// (`metrics`): the mirror keeps the month's rollup, which is what the
/// report reads. The days are 30 figures a month per install, some 14 KB of
/// JSON each: 93% of a 1,000-install mirror's bytes before they were left
/// out (`cargo bench -p wpe-cli --bench fleet`).
fn without_daily_figures(mut item: Value) -> Value {
    if let Some(fields) = item.as_object_mut() {
        fields.remove("metrics");
    }
    item
}

/// The [`BACKUPS_KEPT`] newest backups of an install, newest first: the
/// whole list is walked (the API promises no order), keeping only those.
async fn newest_backups(client: &Client, args: Args) -> Result<Vec<Value>, wpe_api::Error> {
    let mut backups = walk(client, "list_backups", args)?;
    let mut newest: Vec<Value> = Vec::with_capacity(BACKUPS_KEPT + 1);
    while let Some(backup) = backups.try_next().await? {
        keep_newest(&mut newest, backup);
    }
    Ok(newest)
}

/// Puts `backup` among `newest` (newest first) when it is one of the
/// [`BACKUPS_KEPT`] newest.
fn keep_newest(newest: &mut Vec<Value>, backup: Value) {
    let key = backup_age(&backup);
    let at = newest
        .iter()
        .position(|kept| backup_age(kept) < key)
        .unwrap_or(newest.len());
    if at < BACKUPS_KEPT {
        newest.insert(at, backup);
        newest.truncate(BACKUPS_KEPT);
    }
}

/// What orders backups by age: when it was made (an unreadable or missing
/// time is older than any), then its ID.
fn backup_age(backup: &Value) -> (Option<DateTime<Utc>>, String) {
    let created = backup
        .get("create_time")
        .and_then(Value::as_str)
        .and_then(|text| DateTime::parse_from_rfc3339(text).ok())
        .map(|time| time.with_timezone(&Utc));
    let id = backup
        .get("id")
        .map(|id| match id {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        })
        .unwrap_or_default();
    (created, id)
}

/// The records of `job`'s items, keyed as [`Kind`] says.
fn records_of(job: &Job, items: Vec<Value>, month: Month) -> Result<Vec<Record>, CliError> {
    let kind = job.kind();
    let account_id = job.account().map(|a| a.id.clone());
    let install_id = job.install().map(|i| i.id.clone());
    let what = job.describe();
    let under = |key: String| match (&install_id, &account_id) {
        (Some(install), _) => format!("{install}/{key}"),
        (None, Some(account)) => format!("{account}/{key}"),
        (None, None) => key,
    };
    items
        .into_iter()
        .map(|mut body| {
            let key = match kind {
                Kind::Account | Kind::Site | Kind::Install => text_field(&body, "id", &what)?,
                Kind::AccountUser => under(text_field(&body, "user_id", &what)?),
                Kind::Domain | Kind::Backup => under(text_field(&body, "id", &what)?),
                Kind::Certificate => under(first_field(
                    &body,
                    &["id", "serial_number", "common_name"],
                    &what,
                )?),
                Kind::SftpUser => under(text_field(&body, "name", &what)?),
                Kind::SshKey => first_field(&body, &["uuid", "fingerprint"], &what)?,
                Kind::CacheExclusions | Kind::OffloadSettings => {
                    install_id.clone().unwrap_or_default()
                }
                Kind::UsageSummary => under(month.month_label()),
            };
            if kind == Kind::Site {
                // The installs are records of their own.
                if let Value::Object(site) = &mut body {
                    site.remove("installs");
                }
            }
            Ok(record(
                kind,
                key,
                account_id.clone(),
                install_id.clone(),
                body,
            ))
        })
        .collect()
}

/// A record, its body cleared of secrets.
fn record(
    kind: Kind,
    key: String,
    account_id: Option<String>,
    install_id: Option<String>,
    mut body: Value,
) -> Record {
    strip_secrets(&mut body, secret_names());
    Record {
        kind,
        key,
        account_id,
        install_id,
        body,
    }
}

/// The names of the fields the spec marks as secrets in any request body
/// (`password`, `private_key`), and `password` whatever the spec says.
fn secret_names() -> &'static HashSet<&'static str> {
    static NAMES: OnceLock<HashSet<&'static str>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut names: HashSet<&'static str> = operations::OPERATIONS
            .iter()
            .filter_map(|op| op.body)
            .flat_map(|body| body.secrets.iter().copied())
            .collect();
        names.insert("password");
        names
    })
}

/// Takes every field named in `secrets` out of `value`, at any depth.
fn strip_secrets(value: &mut Value, secrets: &HashSet<&'static str>) {
    match value {
        Value::Object(map) => {
            map.retain(|key, _| !secrets.contains(key.as_str()));
            for item in map.values_mut() {
                strip_secrets(item, secrets);
            }
        }
        Value::Array(items) => {
            for item in items {
                strip_secrets(item, secrets);
            }
        }
        _ => {}
    }
}

/// The text of `field` of an item (a string, or a number as text); an
/// item without it cannot be keyed, and stops the sync.
fn text_field(body: &Value, field: &str, what: &str) -> Result<String, CliError> {
    first_field(body, &[field], what)
}

/// The text of the first of `fields` the item has.
fn first_field(body: &Value, fields: &[&str], what: &str) -> Result<String, CliError> {
    fields
        .iter()
        .find_map(|field| match body.get(*field) {
            Some(Value::String(text)) if !text.is_empty() => Some(text.clone()),
            Some(Value::Number(number)) => Some(number.to_string()),
            _ => None,
        })
        .ok_or_else(|| {
            CliError::Failed(format!(
                "{what}: the API answered an item without {}, which the mirror keys it by; \
                 nothing was written to the mirror: report this answer to the maintainers \
                 of wpe",
                fields.join(" or ")
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_month_read_is_the_calendar_month_before_today() {
        let march = Month::previous_month(day("2025-03-31"));
        assert_eq!(
            (march.first, march.last),
            (day("2025-02-01"), day("2025-02-28"))
        );
        assert_eq!(march.month_label(), "2025-02");
        let january = Month::previous_month(day("2025-01-01"));
        assert_eq!(
            (january.first, january.last),
            (day("2024-12-01"), day("2024-12-31"))
        );
        assert_eq!(
            Month::previous_month(day("2024-03-15")).last,
            day("2024-02-29")
        );
    }

    #[test]
    fn an_installs_usage_keeps_its_rollup_and_not_its_days() {
        let item = json!({
            "environment_name": "torquemag",
            "metrics": [{"date": "2026-11-01", "visit_count": "10"}],
            "metrics_rollup": {"visit_count": {"sum": "300"}},
            "storage_refresh_expected_time": null,
        });
        assert_eq!(
            without_daily_figures(item),
            json!({
                "environment_name": "torquemag",
                "metrics_rollup": {"visit_count": {"sum": "300"}},
                "storage_refresh_expected_time": null,
            })
        );
    }

    #[test]
    fn secrets_are_taken_out_at_any_depth() {
        let mut body = json!({
            "name": "torquemag-dev",
            "password": "hunter22",
            "nested": [{"private_key": "-----BEGIN", "keep": 1}],
            "passwords_rotated": true,
        });
        strip_secrets(&mut body, secret_names());
        assert_eq!(
            body,
            json!({"name": "torquemag-dev", "nested": [{"keep": 1}], "passwords_rotated": true})
        );
        assert!(secret_names().contains("private_key"), "read from the spec");
    }

    #[test]
    fn the_five_newest_backups_are_kept_whatever_order_they_come_in() {
        let backup = |id: &str, time: &str| json!({"id": id, "create_time": time});
        let mut newest = Vec::new();
        for (id, day) in [
            ("c", 3),
            ("a", 1),
            ("g", 7),
            ("e", 5),
            ("b", 2),
            ("f", 6),
            ("d", 4),
        ] {
            keep_newest(
                &mut newest,
                backup(id, &format!("2025-06-0{day}T00:00:00Z")),
            );
        }
        keep_newest(&mut newest, json!({"id": "no-time"}));
        let ids: Vec<&str> = newest.iter().map(|b| b["id"].as_str().unwrap()).collect();
        assert_eq!(ids, ["g", "f", "e", "d", "c"]);
    }

    fn install_job(kind: Kind) -> Job {
        Job::OfInstall(
            kind,
            Arc::new(Install {
                id: "i1".into(),
                name: "torquemag".into(),
                account: Arc::new(Account {
                    id: "a1".into(),
                    name: "demoagency".into(),
                }),
            }),
        )
    }

    #[test]
    fn records_are_keyed_under_their_install_and_sites_lose_their_installs() {
        let month = Month::previous_month(day("2025-07-02"));
        let sftp = records_of(
            &install_job(Kind::SftpUser),
            vec![json!({"name": "torquemag-dev", "path": "/"})],
            month,
        )
        .unwrap();
        assert_eq!(sftp[0].key, "i1/torquemag-dev");
        assert_eq!(
            (sftp[0].account_id.as_deref(), sftp[0].install_id.as_deref()),
            (Some("a1"), Some("i1"))
        );
        let certificate = records_of(
            &install_job(Kind::Certificate),
            vec![json!({"id": 42, "common_name": "torquemag.io"})],
            month,
        )
        .unwrap();
        assert_eq!(certificate[0].key, "i1/42");
        let account = Arc::new(Account {
            id: "a1".into(),
            name: "demoagency".into(),
        });
        let site = records_of(
            &Job::OfAccount(Kind::Site, Arc::clone(&account)),
            vec![json!({"id": "s1", "name": "Torque", "installs": [{"id": "i1"}]})],
            month,
        )
        .unwrap();
        assert_eq!(
            (site[0].key.as_str(), &site[0].body),
            ("s1", &json!({"id": "s1", "name": "Torque"}))
        );
        let usage = records_of(
            &Job::OfAccount(Kind::UsageSummary, account),
            vec![json!({"month": "2025-06"})],
            month,
        )
        .unwrap();
        assert_eq!(usage[0].key, "a1/2025-06");
        let err = records_of(
            &install_job(Kind::Domain),
            vec![json!({"name": "x"})],
            month,
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("the domains of install torquemag (account demoagency)")
                && err.contains("without id")
                && err.contains("nothing was written"),
            "{err}"
        );
    }
}
