//! `wpe audit`: checks every install of the fleet against what the API
//! reports, and prints what needs attention, most severe first.
//!
//! | check            | finds                                                   | severity |
//! |------------------|---------------------------------------------------------|----------|
//! | `certificate`    | a certificate that has expired                          | critical |
//! | `certificate`    | one that expires within `--cert-days` (30)              | warning  |
//! | `php`            | PHP older than `--min-php` (8.1)                        | warning  |
//! | `backup`         | no completed backup newer than `--backup-days` (7)      | warning  |
//! | `domain`         | a domain whose TXT ownership verification is pending    | warning  |
//! | `status`         | an install that is neither `active` nor `pending`       | warning  |
//! | `status`         | an install still `pending` (being provisioned)          | info     |
//! | any              | a value the check cannot read (a date, a PHP version)   | info     |
//! | `unreadable`     | a list the credentials may not read (403, 404)          | warning  |
//!
//! Each finding names its account and install (JSON and CSV add their IDs)
//! and says what to do about it (`fix`, in JSON and CSV: often longer than
//! a table cell). Findings print most severe first, then by account,
//! install and check; `--fail-on` makes a finding at that level or above
//! exit 1.
//!
//! Critical is for what is broken now (visitors get certificate errors);
//! warning for what will break or cannot be recovered from (no recent
//! backup: the API cannot tell whether WP Engine's own daily backups exist,
//! so a missing one is a warning, not an outage); info for what is only
//! worth knowing.
//!
//! A certificate renewed by a newer one that covers all its domains and
//! outlives the window is not reported, nor is one `CANCELED`, `REJECTED`,
//! `DISABLED` or still `SUBMITTED`. A `pending` install has no backup check
//! (it has had no time to be backed up).
//!
//! # Requests and limits
//!
//! Per install the audit reads three lists, one after another, one page at a
//! time: backups, domains and certificates (the installs list carries the
//! status and PHP version). At most `--concurrency` installs (8) are checked
//! at once, so at most that many requests are in flight, plus one for the
//! installs list, which is walked page by page as the checks need installs.
//! The API documents no account-wide request rate; its only limits are per
//! install, on object-cache purges and domain status checks, which an audit
//! never calls. Should the API answer 429 anyway, the client waits for its
//! `Retry-After` and every request backs off together.
//!
//! On a terminal, one more request (a page of one install) gives the
//! progress bar its total.
//!
//! Memory holds a page of installs, the installs being checked and the
//! findings (and the 16 bytes of ID per install the page stream keeps to
//! skip repeats), never the fleet.
//!
//! Ages and expiries are counted from now, or from `--at`: an audit as of a
//! later date says what will have expired by then.
//!
//! # From the mirror
//!
//! With `--from-mirror` the audit reads the same lists from the fleet's
//! mirror (`wpe fleet sync` stored them) and makes no request: the checks
//! are the same code, only where their lists come from differs. A list the
//! newest snapshot could not read is an `unreadable` finding, as it would be
//! through the API. The mirror holds each install's five newest backups, so
//! an install whose five newest did not complete is reported without a
//! completed backup, where the API's whole list might show an older one.

use std::collections::HashMap;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, Utc};
use clap::{value_parser, ArgMatches, Args, Command, FromArgMatches};
use futures::{StreamExt, TryStreamExt};
use indicatif::{ProgressBar, ProgressStyle};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;
use wpe_api::types::{
    Account, Backup, BackupStatus, Certificate, CertificateStatus, Domain, DomainOwnershipStatus,
    InstallStatus, Installation,
};
use wpe_api::{Client, PageOptions, Paginate};

use crate::error::CliError;
use crate::fleet::current::{self, Current, Source};
use crate::fleet::store::Kind as RecordKind;
use crate::mcp::limits::{quote, DEFAULT_ROWS, MAX_NAME, MAX_ROWS};
use crate::names::{self, Kind};
use crate::output::{Format, ListPrinter};
use crate::surface::Surface;

/// The command's name.
pub const NAME: &str = "audit";

/// The columns of a finding, in the order CSV prints them (a table prints
/// the first [`TABLE_COLUMNS`]; JSON has them all).
pub const COLUMNS: [&str; 9] = [
    "severity",
    "check",
    "account",
    "install",
    "subject",
    "detail",
    "fix",
    "account_id",
    "install_id",
];

/// How many of [`COLUMNS`] a table shows: what was found, not what to do
/// about it (often longer than a table cell) nor the IDs.
const TABLE_COLUMNS: usize = 6;

/// The most installs checked at once unless `--concurrency` says otherwise.
const DEFAULT_CONCURRENCY: u16 = 8;

/// The most installs `--concurrency` lets an audit check at once.
const MAX_CONCURRENCY: u16 = 64;

/// The most days `--cert-days` and `--backup-days` take (ten years).
const MAX_DAYS: i64 = 3650;

/// The window of `--cert-days` unless told otherwise.
const DEFAULT_CERT_DAYS: i64 = 30;

/// The age `--backup-days` allows the newest backup unless told otherwise.
const DEFAULT_BACKUP_DAYS: i64 = 7;

/// The oldest PHP `--min-php` accepts unless told otherwise.
const DEFAULT_MIN_PHP: &str = "8.1";

/// The longest PHP version `--min-php` takes in `wpe mcp`.
const MAX_PHP_VERSION: u64 = 32;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; nothing to do yet.
    Info,
    /// Will break, or could not be recovered from, if left alone.
    Warning,
    /// Broken now.
    Critical,
}

impl Severity {
    /// The name printed and taken by `--fail-on`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }

    fn from_name(name: &str) -> Option<Severity> {
        Some(match name {
            "info" => Severity::Info,
            "warning" => Severity::Warning,
            "critical" => Severity::Critical,
            _ => return None,
        })
    }
}

/// One thing an install needs looked at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Finding {
    /// How bad it is.
    severity: Severity,
    /// What found it: certificate, php, backup, domain, status or unreadable.
    check: &'static str,
    /// The account's name.
    account: String,
    /// The install's name.
    install: String,
    /// What the finding is about: a domain, a certificate, a version.
    subject: Option<String>,
    /// What was found, short enough for a table cell.
    detail: String,
    /// What to do about it.
    fix: Option<String>,
    /// The account's ID.
    account_id: Uuid,
    /// The install's ID.
    install_id: Uuid,
}

impl Finding {
    /// Most severe first, then by account, install, check and subject.
    fn sort_key(&self) -> impl Ord + '_ {
        (
            std::cmp::Reverse(self.severity),
            &self.account,
            &self.install,
            self.check,
            &self.subject,
            &self.detail,
        )
    }
}

/// An audit as `wpe mcp`'s `audit` tool answers it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Audit {
    /// How many installs were checked.
    pub installs_checked: usize,
    /// How many findings are critical.
    pub critical: usize,
    /// How many are warnings.
    pub warning: usize,
    /// How many are only worth knowing.
    pub info: usize,
    /// How many findings there are in all.
    pub total: usize,
    /// The findings of this page, most severe first, then by account,
    /// install and check.
    pub findings: Vec<Finding>,
    /// Where the next page starts, while there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    /// With `from_mirror`: the mirror's snapshot the audit read, and its age.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mirror: Option<Source>,
}

/// What `wpe audit` and `wpe mcp`'s `audit` tool take: flags on the
/// command line, properties of the tool's arguments.
#[derive(Debug, Clone, Args, Deserialize, JsonSchema)]
#[group(skip)]
#[serde(deny_unknown_fields)]
pub struct Options {
    /// Only this account (its name or ID)
    #[arg(long, value_name = "ACCOUNT")]
    #[schemars(length(min = 1, max = MAX_NAME))]
    pub account: Option<String>,
    /// Warn about certificates that expire within this many days
    #[arg(
        long,
        value_name = "DAYS",
        default_value_t = DEFAULT_CERT_DAYS,
        value_parser = value_parser!(i64).range(0..=MAX_DAYS),
    )]
    #[serde(default = "default_cert_days")]
    #[schemars(range(min = 0, max = MAX_DAYS))]
    pub cert_days: i64,
    /// Warn about installs on a PHP older than this (8.1, 8.10, ...)
    #[arg(long, value_name = "VERSION", default_value = DEFAULT_MIN_PHP, value_parser = parse_php)]
    #[serde(default = "default_min_php")]
    pub min_php: PhpVersion,
    /// Warn about installs without a completed backup newer than this many days
    #[arg(
        long,
        value_name = "DAYS",
        default_value_t = DEFAULT_BACKUP_DAYS,
        value_parser = value_parser!(i64).range(0..=MAX_DAYS),
    )]
    #[serde(default = "default_backup_days")]
    #[schemars(range(min = 0, max = MAX_DAYS))]
    pub backup_days: i64,
    /// Exit 1 when a finding is at least this severe (for CI)
    #[arg(long, value_name = "SEVERITY", value_parser = ["warning", "critical"])]
    #[serde(skip)]
    pub fail_on: Option<String>,
    /// How many installs to check at once (1: one after another)
    #[arg(
        long,
        value_name = "N",
        default_value_t = DEFAULT_CONCURRENCY,
        value_parser = value_parser!(u16).range(1..=i64::from(MAX_CONCURRENCY)),
    )]
    #[serde(default = "default_concurrency")]
    #[schemars(range(min = 1, max = MAX_CONCURRENCY))]
    pub concurrency: u16,
    /// Audit as of this time (RFC 3339) instead of now, e.g. what will have expired by then
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    #[schemars(length(max = MAX_NAME))]
    pub at: Option<DateTime<Utc>>,
    /// Answer from the fleet's mirror (wpe fleet sync) with no API call
    #[arg(long)]
    #[serde(default)]
    #[schemars(
        description = "Answer from the local mirror (the newest `wpe fleet sync`) instead of the API."
    )]
    pub from_mirror: bool,
    /// The mirror's file, with `--from-mirror` (see [`crate::fleet::mirror_path`])
    #[arg(long, value_name = "PATH", requires = "from_mirror", help = current::DB_HELP)]
    #[serde(skip)]
    #[schemars(skip)]
    pub db: Option<PathBuf>,
    /// How many findings a page of the tool's answer has (the command prints every one)
    #[arg(skip = DEFAULT_ROWS)]
    #[serde(default = "crate::mcp::limits::default_rows")]
    #[schemars(
        description = "How many findings to answer, most severe first; `next_cursor` leads to \
                       the rest.",
        range(min = 1, max = MAX_ROWS)
    )]
    pub limit: u32,
    /// Where a page of the tool's answer starts: the `next_cursor` of the page before
    #[arg(skip)]
    #[schemars(
        description = "Where the page starts: the `next_cursor` of the page before (leave it \
                       out for the first page; the audit runs again).",
        length(min = 1, max = MAX_NAME)
    )]
    pub cursor: Option<String>,
}

fn default_cert_days() -> i64 {
    DEFAULT_CERT_DAYS
}

fn default_backup_days() -> i64 {
    DEFAULT_BACKUP_DAYS
}

fn default_concurrency() -> u16 {
    DEFAULT_CONCURRENCY
}

fn default_min_php() -> PhpVersion {
    PhpVersion::parse(DEFAULT_MIN_PHP).unwrap_or(PhpVersion(vec![8, 1]))
}

/// `wpe audit`.
pub fn command() -> Command {
    Options::augment_args(Command::new(NAME))
        .about("Check every install: certificates, PHP, backups, domains, status")
        .long_about(
            "Check every install the credentials can see and print what needs attention, \
             most severe first: certificates that expired (critical) or expire within \
             --cert-days (warning), PHP older than --min-php (warning), no completed backup \
             newer than --backup-days (warning), domains whose TXT ownership verification is \
             pending (warning), installs not active (pending: info, anything else: warning). \
             Installs are checked --concurrency at a time.\n\n\
             Exit codes: 0 done (findings or not, unless --fail-on), 1 a finding at or above \
             the --fail-on level, or an API error, 2 a usage error.",
        )
}

/// A PHP version as its numeric parts: `8.10` is `[8, 10]`, newer than `[8, 9]`.
/// As JSON, its text (`"8.10"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhpVersion(Vec<u64>);

impl TryFrom<String> for PhpVersion {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        parse_php(&text)
    }
}

impl From<PhpVersion> for String {
    fn from(version: PhpVersion) -> String {
        version.to_string()
    }
}

impl JsonSchema for PhpVersion {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "PhpVersion".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^[0-9]+(\\.[0-9]+)*$",
            "maxLength": MAX_PHP_VERSION,
        })
    }
}

impl PhpVersion {
    /// The leading `N.N.N` of `text`; `None` when it does not start with a number.
    fn parse(text: &str) -> Option<PhpVersion> {
        let mut parts = Vec::new();
        for part in text.trim().split('.') {
            let digits: String = part.chars().take_while(char::is_ascii_digit).collect();
            match digits.parse::<u64>() {
                Ok(n) => parts.push(n),
                Err(_) => break,
            }
            if digits.len() < part.len() {
                break;
            }
        }
        (!parts.is_empty()).then_some(PhpVersion(parts))
    }

    /// Whether this is older than `other`; missing parts count as 0 (8.1 is 8.1.0).
    fn older_than(&self, other: &PhpVersion) -> bool {
        let len = self.0.len().max(other.0.len());
        let part = |v: &PhpVersion, i: usize| v.0.get(i).copied().unwrap_or(0);
        (0..len)
            .map(|i| part(self, i).cmp(&part(other, i)))
            .find(|o| o.is_ne())
            .is_some_and(|o| o.is_lt())
    }
}

impl std::fmt::Display for PhpVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self.0.iter().map(u64::to_string).collect();
        f.write_str(&parts.join("."))
    }
}

fn parse_php(text: &str) -> Result<PhpVersion, String> {
    PhpVersion::parse(text)
        .filter(|v| v.to_string() == text.trim())
        .ok_or_else(|| format!("{} is not a PHP version such as 8.1 or 8.10", quote(text)))
}

fn parse_time(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|err| {
            format!(
                "{} is not an RFC 3339 time such as 2026-01-31T12:00:00Z: {err}",
                quote(text)
            )
        })
}

/// What the checks compare against.
struct Settings {
    now: DateTime<Utc>,
    cert_days: i64,
    min_php: PhpVersion,
    backup_days: i64,
    /// Who reads the fixes: commands for a person, tool calls for an agent.
    surface: Surface,
}

/// An install as findings name it.
struct Subject<'a> {
    account: &'a str,
    account_id: Uuid,
    install: &'a str,
    install_id: Uuid,
    surface: Surface,
}

impl Subject<'_> {
    fn finding(
        &self,
        severity: Severity,
        check: &'static str,
        subject: Option<String>,
        detail: String,
        fix: Option<String>,
    ) -> Finding {
        Finding {
            severity,
            check,
            account: self.account.to_owned(),
            account_id: self.account_id,
            install: self.install.to_owned(),
            install_id: self.install_id,
            subject,
            detail,
            fix,
        }
    }
}

/// Runs `wpe audit`: through the API (`demo`: the stand-in's), or from the
/// mirror with `--from-mirror`.
pub async fn run(demo: bool, matches: &ArgMatches, format: Format) -> Result<(), CliError> {
    let options =
        Options::from_arg_matches(matches).map_err(|err| CliError::Usage(err.to_string()))?;
    let fail_on = options.fail_on.as_deref().and_then(Severity::from_name);
    let (checked, findings) = if options.from_mirror {
        let (checked, findings, source) = audit_mirror(demo, &options, Surface::Cli)?;
        source.tell();
        (checked, findings)
    } else {
        let target = crate::target::Target::connect(demo).await?;
        audit(&target.client, &options, Surface::Cli).await?
    };
    print_findings(&findings, format)?;
    if io::stderr().is_terminal() {
        eprintln!("{}", summary(checked, &findings));
    }
    match fail_on {
        Some(level) => {
            let reached = findings.iter().filter(|f| f.severity >= level).count();
            if reached > 0 {
                return Err(CliError::Failed(format!(
                    "{reached} finding(s) at or above {} (--fail-on {})",
                    level.as_str(),
                    level.as_str()
                )));
            }
            Ok(())
        }
        None => Ok(()),
    }
}

/// The audit `options` asks for, for `wpe mcp`'s `audit` tool: how many
/// installs were checked, the count per severity, and every finding (as
/// `--format json` prints them, their fixes naming tools), most severe
/// first; the tool answers them a page at a time. With `from_mirror`, from
/// the mirror (`demo`: the demo's), saying which snapshot.
pub async fn collect(client: &Client, demo: bool, options: &Options) -> Result<Audit, CliError> {
    let (checked, findings, source) = if options.from_mirror {
        let (checked, findings, source) = audit_mirror(demo, options, Surface::Mcp)?;
        (checked, findings, Some(source))
    } else {
        let (checked, findings) = audit(client, options, Surface::Mcp).await?;
        (checked, findings, None)
    };
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    Ok(Audit {
        installs_checked: checked,
        critical: count(Severity::Critical),
        warning: count(Severity::Warning),
        info: count(Severity::Info),
        total: findings.len(),
        findings,
        next_cursor: None,
        mirror: source,
    })
}

/// What the checks compare against, as `options` set it.
fn settings(options: &Options, surface: Surface) -> Settings {
    Settings {
        now: options.at.unwrap_or_else(Utc::now),
        cert_days: options.cert_days,
        min_php: options.min_php.clone(),
        backup_days: options.backup_days,
        surface,
    }
}

/// Checks the installs `options` chooses through the API: how many were
/// checked, and the findings (their fixes worded for `surface`), most
/// severe first.
async fn audit(
    client: &Client,
    options: &Options,
    surface: Surface,
) -> Result<(usize, Vec<Finding>), CliError> {
    let account = match &options.account {
        Some(given) => Some(names::parse_id(
            &names::resolve(client, Kind::Account, given).await?,
        )?),
        None => None,
    };
    let settings = settings(options, surface);
    let concurrency = usize::from(options.concurrency.max(1));

    let accounts = account_names(client, account).await?;
    let progress = progress_bar(client, account).await;
    let mut request = client.list_installs();
    if let Some(account) = account {
        request = request.account_id(account);
    }
    // One page at a time: the checks take installs far slower than a page comes.
    let installs = request.stream_with(PageOptions::default().concurrency(1));
    let mut checks = installs
        .map(|install| {
            let (accounts, settings) = (&accounts, &settings);
            async move {
                let install = install?;
                let lists = read_lists(client, &install).await?;
                Ok::<_, CliError>(check_install(settings, accounts, &install, lists))
            }
        })
        .buffer_unordered(concurrency);
    let mut findings = Vec::new();
    let mut checked = 0usize;
    while let Some(found) = checks.try_next().await? {
        findings.extend(found);
        checked += 1;
        progress.inc(1);
    }
    progress.finish_and_clear();
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));

    Ok((checked, findings))
}

/// Checks the installs `options` chooses as the mirror's newest snapshot
/// holds them (`--db`, `WPE_FLEET_DB` or the default file), with the same
/// checks as [`audit`]: how many were checked, the findings, and which
/// snapshot they come from.
fn audit_mirror(
    demo: bool,
    options: &Options,
    surface: Surface,
) -> Result<(usize, Vec<Finding>, Source), CliError> {
    let current = Current::open(options.db.as_deref(), demo)?;
    let account = match &options.account {
        Some(given) => Some(current.resolve_account(given)?),
        None => None,
    };
    let scope = account.clone().map(|a| vec![a]);
    current.require(RecordKind::Account, scope.as_deref())?;
    current.require(RecordKind::Install, scope.as_deref())?;
    let account = account.as_deref();
    let settings = settings(options, surface);
    let accounts: HashMap<Uuid, String> = current
        .typed::<Account>(RecordKind::Account, account)?
        .into_iter()
        .map(|(_, a)| (a.id, a.name))
        .collect();
    let backups = by_install::<Backup>(&current, RecordKind::Backup, account)?;
    let mut domains = by_install::<Domain>(&current, RecordKind::Domain, account)?;
    let mut certificates = by_install::<Certificate>(&current, RecordKind::Certificate, account)?;
    let installs = current.typed::<Installation>(RecordKind::Install, account)?;
    let mut findings = Vec::new();
    for (record, install) in &installs {
        let id = install.id.to_string();
        let unread = |kind| {
            current
                .unread(kind, record.account_id.as_deref(), Some(&id))
                .map(|u| u.reason.clone())
        };
        let lists = Lists {
            newest_backup: (install.status != Some(InstallStatus::Pending)).then(|| {
                match unread(RecordKind::Backup) {
                    Some(reason) => Err(reason),
                    None => Ok(newest_completed(backups.get(&id).into_iter().flatten())),
                }
            }),
            domains: match unread(RecordKind::Domain) {
                Some(reason) => (Vec::new(), Some(reason)),
                None => (domains.remove(&id).unwrap_or_default(), None),
            },
            certificates: match unread(RecordKind::Certificate) {
                Some(reason) => Err(reason),
                None => Ok(certificates.remove(&id).unwrap_or_default()),
            },
        };
        findings.extend(check_install(&settings, &accounts, install, lists));
    }
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let source = current.source(scope.as_deref(), Utc::now());
    Ok((installs.len(), findings, source))
}

/// The mirror's current records of `kind` (of one account, with
/// `account`) as the API's type `T`, by the install they belong to.
fn by_install<T: serde::de::DeserializeOwned>(
    current: &Current,
    kind: RecordKind,
    account: Option<&str>,
) -> Result<HashMap<String, Vec<T>>, CliError> {
    let mut out: HashMap<String, Vec<T>> = HashMap::new();
    for (record, value) in current.typed::<T>(kind, account)? {
        if let Some(install) = record.install_id {
            out.entry(install).or_default().push(value);
        }
    }
    Ok(out)
}

/// `9 installs checked: 1 critical, 5 warning, 1 info`.
fn summary(checked: usize, findings: &[Finding]) -> String {
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    format!(
        "{checked} installs checked: {} critical, {} warning, {} info",
        count(Severity::Critical),
        count(Severity::Warning),
        count(Severity::Info)
    )
}

/// The names of the accounts (of one, with `--account`).
async fn account_names(
    client: &Client,
    account: Option<Uuid>,
) -> Result<HashMap<Uuid, String>, CliError> {
    Ok(client
        .list_accounts()
        .stream()
        .try_filter(|a| futures::future::ready(account.is_none_or(|id| a.id == id)))
        .map_ok(|a| (a.id, a.name))
        .try_collect()
        .await?)
}

/// "N of M installs checked" on a terminal (M from one small page of the
/// installs list), and nothing elsewhere.
async fn progress_bar(client: &Client, account: Option<Uuid>) -> ProgressBar {
    if !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let mut request = client.list_installs().limit(1u64);
    if let Some(account) = account {
        request = request.account_id(account);
    }
    let total = match request.send().await {
        Ok(page) => page.into_inner().count.and_then(|c| u64::try_from(c).ok()),
        Err(_) => None,
    };
    let (bar, template) = match total {
        Some(total) => (
            ProgressBar::new(total),
            "{spinner} {pos} of {len} installs checked ({elapsed})",
        ),
        None => (
            ProgressBar::new_spinner(),
            "{spinner} {pos} installs checked ({elapsed})",
        ),
    };
    let style =
        ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_spinner());
    bar.set_style(style);
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// The lists of one install the checks read, wherever they were read
/// from; a list the credentials may not read is the reason it could not
/// be, which becomes an `unreadable` finding.
struct Lists {
    /// When its newest completed backup completed (none without one); not
    /// read (`None`) for a pending install.
    newest_backup: Option<Result<Option<DateTime<Utc>>, String>>,
    /// Its domains, as far as they could be read, and why not further.
    domains: (Vec<Domain>, Option<String>),
    /// Its certificates.
    certificates: Result<Vec<Certificate>, String>,
}

/// Reads an install's lists through the API, one after another, one page
/// at a time; any error but a list the credentials may not read ends the
/// audit (its results would be incomplete without saying so).
async fn read_lists(client: &Client, install: &Installation) -> Result<Lists, CliError> {
    let newest_backup = if install.status == Some(InstallStatus::Pending) {
        None
    } else {
        Some(
            newest_completed_backup(client, install.id, one_page_at_a_time())
                .await
                .map_or_else(|err| may_not_read(err).map(Err), |newest| Ok(Ok(newest)))?,
        )
    };
    let mut domains = (Vec::new(), None);
    let mut stream = client
        .list_domains()
        .install_id(install.id)
        .stream_with(one_page_at_a_time());
    loop {
        match stream.try_next().await {
            Ok(Some(domain)) => domains.0.push(domain),
            Ok(None) => break,
            Err(err) => {
                domains.1 = Some(may_not_read(err)?);
                break;
            }
        }
    }
    // An install has a handful: they are kept to see which were renewed.
    let certificates = client
        .get_install_certificates()
        .install_id(install.id)
        .stream_with(one_page_at_a_time())
        .try_collect::<Vec<Certificate>>()
        .await
        .map_or_else(|err| may_not_read(err).map(Err), |read| Ok(Ok(read)))?;
    Ok(Lists {
        newest_backup,
        domains,
        certificates,
    })
}

/// The reason of a list the credentials may not read (403, 404), as an
/// `unreadable` finding gives it; any other error is the audit's.
fn may_not_read(err: wpe_api::Error) -> Result<String, CliError> {
    if crate::error::may_not_read(&err) {
        Ok(err.to_string())
    } else {
        Err(err.into())
    }
}

/// Every check of one install, on its lists.
fn check_install(
    settings: &Settings,
    accounts: &HashMap<Uuid, String>,
    install: &Installation,
    lists: Lists,
) -> Vec<Finding> {
    let account_id = install.account.id;
    let account_name = accounts
        .get(&account_id)
        .cloned()
        .unwrap_or_else(|| account_id.to_string());
    let at = Subject {
        account: &account_name,
        account_id,
        install: &install.name,
        install_id: install.id,
        surface: settings.surface,
    };
    let mut findings = Vec::new();
    check_status(&at, install.status.as_ref(), &mut findings);
    check_php(&at, settings, install.php_version.as_deref(), &mut findings);
    match lists.newest_backup {
        None => {}
        Some(Ok(newest)) => check_backups(&at, settings, newest, &mut findings),
        Some(Err(reason)) => unreadable(&at, "backups", &reason, &mut findings),
    }
    let (domains, stopped) = lists.domains;
    check_domains(&at, &domains, &mut findings);
    if let Some(reason) = stopped {
        unreadable(&at, "domains", &reason, &mut findings);
    }
    match lists.certificates {
        Ok(certificates) => certificate_findings(&at, settings, &certificates, &mut findings),
        Err(reason) => unreadable(&at, "certificates", &reason, &mut findings),
    }
    findings
}

fn check_status(at: &Subject<'_>, status: Option<&InstallStatus>, findings: &mut Vec<Finding>) {
    match status {
        None | Some(InstallStatus::Active) => {}
        Some(InstallStatus::Pending) => findings.push(at.finding(
            Severity::Info,
            "status",
            Some("pending".to_owned()),
            "still being provisioned".to_owned(),
            None,
        )),
        Some(other) => findings.push(at.finding(
            Severity::Warning,
            "status",
            Some(other.to_string()),
            format!("status `{other}`, not active"),
            Some(format!(
                "see {} and the User Portal",
                at.surface.action(
                    format_args!("wpe installs get {}", at.install),
                    "get_install",
                    json!({"install_id": at.install}),
                )
            )),
        )),
    }
}

fn check_php(
    at: &Subject<'_>,
    settings: &Settings,
    php: Option<&str>,
    findings: &mut Vec<Finding>,
) {
    let Some(text) = php.filter(|t| !t.trim().is_empty()) else {
        return;
    };
    match PhpVersion::parse(text) {
        Some(version) if version.older_than(&settings.min_php) => findings.push(at.finding(
            Severity::Warning,
            "php",
            Some(text.to_owned()),
            format!("PHP {text} is older than {}", settings.min_php),
            Some("upgrade PHP in the User Portal".to_owned()),
        )),
        Some(_) => {}
        None => findings.push(at.finding(
            Severity::Info,
            "php",
            Some(text.to_owned()),
            format!("PHP `{text}` is not a version number"),
            Some("check the PHP version by hand".to_owned()),
        )),
    }
}

/// A list the credentials may not read (`reason`, as the API said it) is a
/// finding.
fn unreadable(at: &Subject<'_>, what: &str, reason: &str, findings: &mut Vec<Finding>) {
    findings.push(at.finding(
        Severity::Warning,
        "unreadable",
        Some(what.to_owned()),
        format!("could not read its {what}: {reason}"),
        Some(format!(
            "audit it with credentials that may read its {what}"
        )),
    ));
}

/// The checks' own lists: one page at a time, so an install makes one
/// request at a time.
fn one_page_at_a_time() -> PageOptions {
    PageOptions::default().concurrency(1)
}

/// When the install's newest completed backup completed (or was requested,
/// when the API gives no completion time); `None` when it has none. Read
/// here for the audit's `backup` check and by the guard of destructive
/// commands, which says how old it is.
pub async fn newest_completed_backup(
    client: &Client,
    install: Uuid,
    options: PageOptions,
) -> Result<Option<DateTime<Utc>>, wpe_api::Error> {
    let mut backups = client
        .list_backups()
        .install_id(install)
        .stream_with(options);
    let mut newest: Option<DateTime<Utc>> = None;
    while let Some(backup) = backups.try_next().await? {
        newest = newest.max(newest_completed(std::iter::once(&backup)));
    }
    Ok(newest)
}

/// When the newest completed one of `backups` completed (or was requested,
/// when there is no completion time); `None` when none has.
fn newest_completed<'b>(backups: impl IntoIterator<Item = &'b Backup>) -> Option<DateTime<Utc>> {
    backups
        .into_iter()
        .filter(|backup| backup.status == BackupStatus::Completed)
        .filter_map(|backup| backup.complete_time.or(backup.create_time))
        .max()
}

fn check_backups(
    at: &Subject<'_>,
    settings: &Settings,
    newest: Option<DateTime<Utc>>,
    findings: &mut Vec<Finding>,
) {
    let days = settings.backup_days;
    match newest {
        None => findings.push(at.finding(
            Severity::Warning,
            "backup",
            None,
            "no completed backup".to_owned(),
            Some(backup_fix(at)),
        )),
        Some(time) => {
            let age = settings.now.signed_duration_since(time);
            if age > chrono::Duration::days(days) {
                findings.push(at.finding(
                    Severity::Warning,
                    "backup",
                    Some(time.format("%Y-%m-%d").to_string()),
                    format!("newest completed backup is {} days old", whole_days(age)),
                    Some(backup_fix(at)),
                ));
            }
        }
    }
}

/// The fix of a missing or old backup: take one.
fn backup_fix(at: &Subject<'_>) -> String {
    match at.surface {
        Surface::Cli => format!("wpe backup {}", at.install),
        Surface::Mcp => format!(
            "take one: `backup_and_wait` {} (with writes allowed)",
            json!({"install": at.install})
        ),
    }
}

/// The findings about an install's domains: those awaiting TXT verification.
fn check_domains(at: &Subject<'_>, domains: &[Domain], findings: &mut Vec<Finding>) {
    let pending = domains
        .iter()
        .filter(|d| d.ownership_status == Some(DomainOwnershipStatus::TxtVerificationPending));
    for domain in pending {
        let record = match (&domain.txt_verification_key, &domain.txt_verification_value) {
            (Some(key), Some(value)) => {
                format!("a TXT record `{key}.{}` holding `{value}`", domain.name)
            }
            _ => format!(
                "the TXT record {} shows",
                at.surface.action(
                    format_args!("wpe domains list {}", at.install),
                    "list_domains",
                    json!({"install_id": at.install}),
                )
            ),
        };
        findings.push(at.finding(
            Severity::Warning,
            "domain",
            Some(domain.name.clone()),
            "TXT verification pending: serves no traffic".to_owned(),
            Some(format!(
                "publish {record}, then {}",
                at.surface.action(
                    format_args!("wpe domains verify-txt-record {} {}", at.install, domain.id),
                    "verify_domain_txt_record",
                    json!({"install_id": at.install, "domain_id": domain.id}),
                )
            )),
        ));
    }
}

/// Whether a certificate in this state can be serving (or have served) traffic.
fn may_serve(status: Option<&CertificateStatus>) -> bool {
    !matches!(
        status,
        Some(
            CertificateStatus::Canceled
                | CertificateStatus::Rejected
                | CertificateStatus::Disabled
                | CertificateStatus::Submitted
        )
    )
}

/// What a certificate is called in a finding: its common name, else its
/// domains, else its ID.
fn certificate_name(cert: &Certificate) -> String {
    if let Some(name) = cert.common_name.as_ref().filter(|n| !n.is_empty()) {
        return name.clone();
    }
    if !cert.domains.is_empty() {
        return cert.domains.join(", ");
    }
    match cert.id {
        Some(id) => format!("certificate {id}"),
        None => "a certificate".to_owned(),
    }
}

/// The findings about an install's certificates.
fn certificate_findings(
    at: &Subject<'_>,
    settings: &Settings,
    certificates: &[Certificate],
    findings: &mut Vec<Finding>,
) {
    let window_end = settings
        .now
        .checked_add_signed(chrono::Duration::days(settings.cert_days))
        .unwrap_or(DateTime::<Utc>::MAX_UTC);
    let mut expiring = Vec::new();
    let mut lasting = Vec::new();
    for cert in certificates.iter().filter(|c| may_serve(c.status.as_ref())) {
        let Some(text) = cert.expires_time.as_deref() else {
            continue;
        };
        match DateTime::parse_from_rfc3339(text) {
            Ok(expires) => {
                let expires = expires.with_timezone(&Utc);
                if expires > window_end && cert.status != Some(CertificateStatus::Expired) {
                    lasting.push(cert);
                } else {
                    expiring.push((cert, expires));
                }
            }
            Err(_) => findings.push(at.finding(
                Severity::Info,
                "certificate",
                Some(certificate_name(cert)),
                format!("expiry `{text}` is not a date"),
                Some("check the certificate by hand".to_owned()),
            )),
        }
    }
    for (cert, expires) in expiring {
        // Renewed: a certificate that outlives the window covers every domain.
        let renewed = !cert.domains.is_empty()
            && cert
                .domains
                .iter()
                .all(|d| lasting.iter().any(|l| l.domains.contains(d)));
        if renewed {
            continue;
        }
        let date = expires.format("%Y-%m-%d");
        let left = expires.signed_duration_since(settings.now);
        let (severity, detail, fix) =
            if expires <= settings.now || cert.status == Some(CertificateStatus::Expired) {
                (
                    Severity::Critical,
                    format!("expired on {date}"),
                    "renew or replace the certificate now",
                )
            } else if cert.auto_renew == Some(true) {
                (
                    Severity::Warning,
                    format!("expires on {date}, in {} days", whole_days(left)),
                    "it renews itself: check that it does",
                )
            } else {
                (
                    Severity::Warning,
                    format!("expires on {date}, in {} days", whole_days(left)),
                    "renew or replace the certificate",
                )
            };
        findings.push(at.finding(
            severity,
            "certificate",
            Some(certificate_name(cert)),
            detail,
            Some(fix.to_owned()),
        ));
    }
}

/// A span of time in days, to the nearest day (a backup taken 12 days
/// before, give or take a few seconds, is 12 days old).
fn whole_days(span: chrono::Duration) -> i64 {
    (span.num_seconds() + 12 * 3600).div_euclid(24 * 3600)
}

/// Prints the findings in `format`.
fn print_findings(findings: &[Finding], format: Format) -> Result<(), CliError> {
    let mut out = BufWriter::new(io::stdout().lock());
    let columns = crate::output::shown_columns(format, &COLUMNS, TABLE_COLUMNS);
    let mut printer = ListPrinter::with_columns(&mut out, format, columns);
    for finding in findings {
        printer.item(crate::workflow::to_json(finding)?)?;
    }
    printer.finish()?;
    out.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> PhpVersion {
        PhpVersion::parse(text).unwrap()
    }

    #[test]
    fn php_versions_compare_by_number_not_by_text() {
        assert!(v("7.4").older_than(&v("8.0")));
        assert!(v("8.9").older_than(&v("8.10")));
        assert!(!v("8.10").older_than(&v("8.9")));
        assert!(!v("8.1").older_than(&v("8.1.0")));
        assert!(v("8.1").older_than(&v("8.1.1")));
        assert!(!v("8.2").older_than(&v("8.1")));
        assert_eq!(v("8.3-fpm").0, [8, 3]);
        assert_eq!(v(" 8.2 ").0, [8, 2]);
        assert!(PhpVersion::parse("latest").is_none());
        assert!(PhpVersion::parse("").is_none());
        assert!(parse_php("8.x").is_err());
        assert!(parse_php("8.10").is_ok());
    }

    fn settings() -> Settings {
        Settings {
            now: parse_time("2025-07-01T00:00:00Z").unwrap(),
            cert_days: 30,
            min_php: v("8.1"),
            backup_days: 7,
            surface: Surface::Cli,
        }
    }

    fn subject() -> Subject<'static> {
        Subject {
            account: "acme",
            account_id: Uuid::nil(),
            install: "acmeprod",
            install_id: Uuid::nil(),
            surface: Surface::Cli,
        }
    }

    fn cert(domains: &[&str], expires: &str, status: Option<&str>) -> Certificate {
        serde_json::from_value(json!({
            "domains": domains,
            "expires_time": expires,
            "status": status,
            "auto_renew": false,
        }))
        .unwrap()
    }

    fn certificates(certs: &[Certificate]) -> Vec<(Severity, String, String)> {
        let mut findings = Vec::new();
        certificate_findings(&subject(), &settings(), certs, &mut findings);
        findings
            .into_iter()
            .map(|f| (f.severity, f.subject.unwrap_or_default(), f.detail))
            .collect()
    }

    #[test]
    fn certificates_past_or_near_expiry_unless_renewed_or_not_serving() {
        let expired = cert(&["a.example"], "2025-06-30T00:00:00Z", Some("ENABLED"));
        let soon = cert(&["b.example"], "2025-07-11T00:00:00+02:00", None);
        let later = cert(&["c.example"], "2025-09-01T00:00:00Z", Some("ENABLED"));
        assert_eq!(
            certificates(&[expired.clone(), soon.clone(), later.clone()]),
            [
                (
                    Severity::Critical,
                    "a.example".to_owned(),
                    "expired on 2025-06-30".to_owned()
                ),
                (
                    Severity::Warning,
                    "b.example".to_owned(),
                    "expires on 2025-07-10, in 10 days".to_owned()
                ),
            ]
        );
        // Renewed: a later certificate covers every domain of the old one.
        let renewal = cert(&["a.example", "b.example"], "2025-09-01T00:00:00Z", None);
        assert_eq!(certificates(&[expired.clone(), soon, renewal]), []);
        // Not serving: cancelled, rejected, disabled, or not issued yet.
        for status in ["CANCELED", "REJECTED", "DISABLED", "SUBMITTED"] {
            let old = cert(&["a.example"], "2025-06-30T00:00:00Z", Some(status));
            assert_eq!(certificates(&[old]), [], "{status}");
        }
        // A state this version does not know is read like ENABLED; EXPIRED is critical.
        let odd = cert(
            &["a.example"],
            "2025-06-30T00:00:00Z",
            Some("REVOKED_SOMEHOW"),
        );
        assert_eq!(certificates(&[odd]).len(), 1);
        let flagged = cert(&["d.example"], "2030-01-01T00:00:00Z", Some("EXPIRED"));
        assert_eq!(certificates(&[flagged])[0].0, Severity::Critical);
        // A date that is not one is worth a look, not a failure.
        let garbled = cert(&["e.example"], "next Tuesday", None);
        assert_eq!(
            certificates(&[garbled]),
            [(
                Severity::Info,
                "e.example".to_owned(),
                "expiry `next Tuesday` is not a date".to_owned()
            )]
        );
        let bare: Certificate = serde_json::from_value(json!({})).unwrap();
        assert_eq!(certificates(&[bare]), []);
    }

    #[test]
    fn a_status_other_than_active_or_pending_is_a_warning() {
        let mut findings = Vec::new();
        check_status(&subject(), Some(&InstallStatus::Active), &mut findings);
        check_status(&subject(), None, &mut findings);
        assert!(findings.is_empty());
        let suspended = InstallStatus::from("suspended");
        check_status(&subject(), Some(&suspended), &mut findings);
        check_status(&subject(), Some(&InstallStatus::Pending), &mut findings);
        let found: Vec<(Severity, Option<String>)> = findings
            .into_iter()
            .map(|f| (f.severity, f.subject))
            .collect();
        assert_eq!(
            found,
            [
                (Severity::Warning, Some("suspended".to_owned())),
                (Severity::Info, Some("pending".to_owned())),
            ]
        );
    }

    #[test]
    fn an_unreadable_php_version_is_info_and_none_is_nothing() {
        let mut findings = Vec::new();
        check_php(&subject(), &settings(), None, &mut findings);
        check_php(&subject(), &settings(), Some(""), &mut findings);
        check_php(&subject(), &settings(), Some("8.3"), &mut findings);
        assert!(findings.is_empty());
        check_php(&subject(), &settings(), Some("latest"), &mut findings);
        check_php(&subject(), &settings(), Some("8.0.30"), &mut findings);
        let found: Vec<Severity> = findings.iter().map(|f| f.severity).collect();
        assert_eq!(found, [Severity::Info, Severity::Warning]);
    }

    #[test]
    fn a_list_the_newest_snapshot_could_not_read_is_an_unreadable_finding_from_the_mirror() {
        use crate::fleet::store::{testing, Mirror, NewSnapshot, Unread};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.sqlite");
        let (account, install) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let (account_id, install_id) = (account.to_string(), install.to_string());
        let record = |kind, key: String, body: serde_json::Value| {
            let under = (kind != RecordKind::Account && kind != RecordKind::Install)
                .then_some(install_id.as_str());
            testing::record(kind, key, Some(&account_id), under, body)
        };
        let records = vec![
            record(
                RecordKind::Account,
                account.to_string(),
                json!({"id": account, "name": "acme"}),
            ),
            record(
                RecordKind::Install,
                install.to_string(),
                json!({"id": install, "name": "acmeprod", "account": {"id": account},
                       "status": "active", "php_version": "8.3"}),
            ),
            // Kept from before, but the newest snapshot could not read backups.
            record(
                RecordKind::Backup,
                format!("{install}/b1"),
                json!({"id": Uuid::from_u128(3), "status": "completed",
                       "create_time": "2025-06-30T00:00:00Z"}),
            ),
        ];
        let mut mirror = Mirror::open_for_sync(&path).unwrap();
        mirror
            .write(&NewSnapshot {
                unread: vec![Unread {
                    kind: RecordKind::Backup,
                    account_id: Some(account.to_string()),
                    install_id: Some(install.to_string()),
                    reason: "403 Forbidden: not yours".into(),
                }],
                requests: 3,
                ..testing::snapshot(records)
            })
            .unwrap();
        drop(mirror);
        let matches = command()
            .try_get_matches_from([
                "audit",
                "--from-mirror",
                "--db",
                path.to_str().unwrap(),
                "--at",
                "2025-07-01T00:00:00Z",
            ])
            .unwrap();
        let options = Options::from_arg_matches(&matches).unwrap();
        let (checked, findings, source) = audit_mirror(false, &options, Surface::Cli).unwrap();
        assert_eq!((checked, source.snapshot), (1, 1));
        let found: Vec<(&str, Option<&str>, &str)> = findings
            .iter()
            .map(|f| (f.check, f.subject.as_deref(), f.detail.as_str()))
            .collect();
        assert_eq!(
            found,
            [(
                "unreadable",
                Some("backups"),
                "could not read its backups: 403 Forbidden: not yours"
            )]
        );
    }

    #[test]
    fn severities_order_from_info_to_critical() {
        assert!(Severity::Info < Severity::Warning && Severity::Warning < Severity::Critical);
        assert_eq!(whole_days(chrono::Duration::seconds(12 * 86400 - 2)), 12);
        assert_eq!(whole_days(chrono::Duration::seconds(9 * 86400 + 86399)), 10);
        assert_eq!(whole_days(chrono::Duration::zero()), 0);
        for s in [Severity::Info, Severity::Warning, Severity::Critical] {
            assert_eq!(Severity::from_name(s.as_str()), Some(s));
        }
    }
}
