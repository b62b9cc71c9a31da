//! `wpe report usage`: each account's usage over a period (the previous
//! calendar month unless told otherwise) against its plan's limits, with
//! the accounts near or over a limit, or whose storage figure is stale,
//! flagged and listed first.
//!
//! The usage rollups (`getAccountUsageSummary` and, for the split by
//! environment, `getAccountUsageInsights`) cover at most 31 days a request
//! and reach at most 13 months back. A longer period is read in chunks of
//! up to 31 days and combined: traffic (visits, billable visits, bandwidth)
//! is summed over the chunks, storage is the latest value of the last one.
//! The API sends its figures as strings of digits; the report shows them
//! as numbers, and a figure that is not one is an error, never a guess.

use std::collections::{BTreeMap, HashMap};
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use chrono::{DateTime, Datelike as _, Months, NaiveDate, Utc};
use clap::{ArgAction, ArgGroup, ArgMatches, Args, Command, FromArgMatches};
use futures::{StreamExt, TryStreamExt};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use uuid::Uuid;
use wpe_api::types::{
    Account, AccountLimits, AccountUsageInsights, EnvironmentMetrics, Installation,
    LatestMetricValue, Site, UsageMetricBreakdown, UsageMetricsRollup, UsageRollup,
};
use wpe_api::wait::WaitOptions;
use wpe_api::{Client, Paginate};

use crate::error::CliError;
use crate::fleet::current::{self, Current, Source};
use crate::fleet::store::Kind as RecordKind;
use crate::mcp::limits::{quote, MAX_NAME};
use crate::names::{self, Kind};
use crate::output::{Format, ListPrinter};
use crate::progress::spinner;
use crate::surface::{Invalid, Surface};

/// The command's name.
pub const NAME: &str = "report";

/// The name of `wpe report usage`.
const USAGE: &str = "usage";

/// The longest period, in days, one usage rollup request may cover.
const CHUNK_DAYS: i64 = 31;

/// How far back, in months, the API keeps usage.
const MONTHS_BACK: u32 = 13;

/// Utilisation above this percentage is a warning.
const WARNING_PERCENT: u64 = 80;

/// Utilisation above this percentage is over the plan.
const OVER_PERCENT: u64 = 100;

/// The unit convention, as the report states it (in its header and help).
const UNITS: &str = "GB are decimal gigabytes (1 GB = 1,000,000,000 bytes, as plans state \
                     their limits); GB and percentages are rounded to one decimal for display \
                     only, flags are decided on the exact figures";

/// Bytes in the GB of the plan's `storage` and `bandwidth` limits (decimal
/// gigabytes, as hosting plans state them).
const BYTES_PER_GB: f64 = 1e9;

/// How many accounts are read at once.
const CONCURRENT_ACCOUNTS: usize = 4;

/// How long before the refresh request a finished disk-usage refresh still
/// counts as the one asked for: the API's clock and this machine's differ,
/// and a measurement that recent is fresh anyway.
const REFRESH_TOLERANCE_SECS: i64 = 60;

/// The install roles usage is split by, as the insights name them.
const ENVIRONMENTS: [&str; 3] = ["production", "staging", "development"];

/// The fields of a row in JSON, NDJSON and CSV (in CSV's column order):
/// figures as numbers, bytes as bytes.
/// A row in JSON and NDJSON also has `installs`: each install's figures.
pub const COLUMNS: [&str; 31] = [
    "account",
    "account_id",
    "from",
    "to",
    "sites",
    "flag",
    "notes",
    "visits",
    "billable_visits",
    "visits_limit",
    "visits_percent",
    "bandwidth_bytes",
    "bandwidth_limit_bytes",
    "bandwidth_percent",
    "storage_bytes",
    "storage_files_bytes",
    "storage_database_bytes",
    "storage_limit_bytes",
    "storage_percent",
    "storage_as_of",
    "storage_stale",
    "storage_refreshed",
    "production_visits",
    "production_billable_visits",
    "production_bandwidth_bytes",
    "staging_visits",
    "staging_billable_visits",
    "staging_bandwidth_bytes",
    "development_visits",
    "development_billable_visits",
    "development_bandwidth_bytes",
];

/// The columns of a table and a Markdown table, for people: thousands
/// separated, bytes in GB.
const HUMAN_COLUMNS: [&str; 17] = [
    "account",
    "sites",
    "flag",
    "visits",
    "billable",
    "allowance",
    "visits %",
    "bandwidth",
    "bw limit",
    "bw %",
    "storage",
    "files",
    "database",
    "storage limit",
    "storage %",
    "visits prod/stg/dev",
    "notes",
];

/// `wpe report`, whose one report is `usage`.
pub fn command() -> Command {
    Command::new(NAME)
        .about("Reports across accounts (wpe report usage)")
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommand(usage_command())
}

/// The most accounts `wpe mcp`'s `report_usage` takes in `account`.
const MAX_ACCOUNTS: u64 = 100;

/// The largest `min_percent` `wpe mcp`'s `report_usage` takes (a hundred
/// times the plan).
const MAX_MIN_PERCENT: u64 = 10_000;

/// What `wpe report usage` and `wpe mcp`'s `report_usage` tool take: flags
/// on the command line, properties of the tool's arguments. The period is
/// one of `month`, `quarter` or `from` with `to` ([`UsageOptions::check`]).
#[derive(Debug, Clone, Default, Args, Deserialize, JsonSchema)]
#[group(skip)]
#[serde(deny_unknown_fields)]
pub struct UsageOptions {
    /// A calendar month, e.g. 2026-11 [default: the previous month]
    #[arg(long, value_name = "YYYY-MM", value_parser = parse_month)]
    #[schemars(
        description = "A calendar month as YYYY-MM, e.g. 2026-11 (default: the previous month)."
    )]
    pub month: Option<Month>,
    /// A calendar quarter, e.g. 2026Q3
    #[arg(long, value_name = "YYYYQn", value_parser = parse_quarter)]
    #[schemars(description = "A calendar quarter as YYYYQn, e.g. 2026Q3.")]
    pub quarter: Option<Quarter>,
    /// The first day of the period (with --to)
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day, requires = "to")]
    #[schemars(
        description = "The first day of the period, YYYY-MM-DD (with `to`).",
        length(max = DAY_LENGTH)
    )]
    pub from: Option<NaiveDate>,
    /// The last day of the period (with --from)
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day, requires = "from")]
    #[schemars(
        description = "The last day of the period, YYYY-MM-DD (with `from`).",
        length(max = DAY_LENGTH)
    )]
    pub to: Option<NaiveDate>,
    /// Only this account (its name or ID); repeat for more [default: every account]
    #[arg(long, value_name = "ACCOUNT", action = ArgAction::Append)]
    #[serde(default)]
    #[schemars(
        description = "Only these accounts, each by name or ID (default: every account).",
        length(max = MAX_ACCOUNTS),
        inner(length(min = 1, max = MAX_NAME))
    )]
    pub account: Vec<String>,
    /// Measure stale storage again (a disk-usage refresh) and wait for it
    #[arg(long)]
    #[serde(default)]
    pub refresh: bool,
    /// Who the report is for, named in its header (table and Markdown)
    #[arg(long, value_name = "NAME", value_parser = clap::builder::NonEmptyStringValueParser::new())]
    #[schemars(
        description = "Who the report is for (given back as `prepared_for`).",
        length(min = 1, max = MAX_NAME)
    )]
    pub prepared_for: Option<String>,
    /// Only the accounts flagged over, warning or stale
    #[arg(long, conflicts_with = "min_percent")]
    #[serde(default)]
    pub only_flagged: bool,
    /// Only the accounts at or over N % of a limit (billable visits, bandwidth or storage), e.g. 90 or 92.5
    #[arg(
        long,
        value_name = "N",
        value_parser = parse_min_percent,
        allow_negative_numbers = true
    )]
    #[schemars(
        description = "Only the accounts at or over this percentage of a limit (billable \
                       visits, bandwidth or storage), e.g. 90 or 92.5: at most two decimals."
    )]
    pub min_percent: Option<Hundredths>,
    /// Answer from the fleet's mirror (wpe fleet sync) with no API call: the month it holds
    #[arg(long, conflicts_with = "refresh")]
    #[serde(default)]
    #[schemars(
        description = "Answer from the local mirror (the newest `wpe fleet sync`): its month only."
    )]
    pub from_mirror: bool,
    /// The mirror's file, with `--from-mirror` (see [`crate::fleet::mirror_path`])
    #[arg(long, value_name = "PATH", requires = "from_mirror", help = current::DB_HELP)]
    #[serde(skip)]
    #[schemars(skip)]
    pub db: Option<PathBuf>,
}

/// The length of a day as YYYY-MM-DD.
const DAY_LENGTH: u64 = 10;

impl UsageOptions {
    /// The options that do not go together: at most one of `month`,
    /// `quarter` and `from`; `from` and `to` both or neither, in order;
    /// `only_flagged` or `min_percent`. The command line's parser refuses
    /// most of these first, in its own words; a tool's arguments meet them
    /// here.
    pub fn check(&self) -> Result<(), Invalid> {
        let given: Vec<&'static str> = [
            ("month", self.month.is_some()),
            ("quarter", self.quarter.is_some()),
            ("from", self.from.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, given)| given.then_some(name))
        .collect();
        if let [option, other, ..] = given[..] {
            return Err(Invalid::Conflicts { option, other });
        }
        match (self.from, self.to) {
            (Some(_), None) => {
                return Err(Invalid::Requires {
                    option: "from",
                    needs: "to",
                })
            }
            (None, Some(_)) => {
                return Err(Invalid::Requires {
                    option: "to",
                    needs: "from",
                })
            }
            (Some(first), Some(last)) if first > last => {
                return Err(Invalid::Reversed {
                    first: "from",
                    first_value: first.to_string(),
                    last: "to",
                    last_value: last.to_string(),
                })
            }
            _ => {}
        }
        if self.only_flagged && self.min_percent.is_some() {
            return Err(Invalid::Conflicts {
                option: "only_flagged",
                other: "min_percent",
            });
        }
        Ok(())
    }
}

fn usage_command() -> Command {
    UsageOptions::augment_args(Command::new(USAGE))
        .about("Each account's usage over a period against its plan's limits")
        .long_about(
            "Each account's visits, billable visits, bandwidth and storage over a period \
             (the previous calendar month by default) against its plan's limits, with \
             utilisation in percent and the split by environment (production, staging, \
             development). Accounts over 80 % of a limit are flagged `warning`, over 100 % \
             `over`; storage reported as 0 or not at all is flagged `stale` (--refresh \
             measures it again and waits for the result). Flagged accounts come first.\n\n\
             Billable visits count against the plan's monthly visits; the monthly visits \
             and bandwidth allowances are prorated to the period (a quarter has three \
             months' worth), storage is a cap. The API reports at most 31 days a request \
             and at most 13 months back: a longer period is read in 31-day chunks, traffic \
             summed and storage taken from the last. A period reaching past today ends \
             today.\n\n\
             Units: GB are decimal gigabytes, 1 GB = 1,000,000,000 bytes (the API counts \
             bytes; plans state storage and bandwidth in GB). Tables and Markdown show GB \
             and percentages to one decimal; JSON, NDJSON and CSV give exact bytes. Flags \
             and --min-percent are decided on the exact figures, never on a rounded \
             percentage. Storage is the API's two figures, files and database, and their \
             sum.\n\n\
             --format markdown is a report to hand on: a header (the period, --prepared-for, \
             when it was generated, in UTC, and the units), a summary table, then a section \
             per account with its figures against the plan and a table of its installs \
             (visits, billable visits, bandwidth, storage as files and database). \
             --only-flagged and --min-percent choose accounts; a chosen account's section \
             lists all its installs.\n\n\
             Exit codes: 0 the report printed (flags or not), 1 an API error, 2 a usage \
             error (a bad period, an unknown account), 3 a --refresh that timed out.",
        )
        .group(
            ArgGroup::new("period")
                .args(["month", "quarter", "from"])
                .multiple(false),
        )
}

/// A period of whole days, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Period {
    /// Its first day.
    pub(crate) first: NaiveDate,
    /// Its last day.
    pub(crate) last: NaiveDate,
}

impl Period {
    /// The calendar month `month` (1–12) of `year`.
    fn month(year: i32, month: u32) -> Option<Period> {
        let first = NaiveDate::from_ymd_opt(year, month, 1)?;
        let last = first.checked_add_months(Months::new(1))?.pred_opt()?;
        Some(Period { first, last })
    }

    /// The calendar month before the one `today` is in (the report's
    /// default, and the month `wpe fleet sync` mirrors).
    pub(crate) fn previous_month(today: NaiveDate) -> Period {
        let before = today
            .with_day(1)
            .and_then(|d| d.pred_opt())
            .unwrap_or(today);
        Period::month(before.year(), before.month()).unwrap_or(Period {
            first: before,
            last: before,
        })
    }

    /// Its first month, `YYYY-MM`: the month of a period of one.
    pub(crate) fn month_label(&self) -> String {
        self.first.format("%Y-%m").to_string()
    }

    /// How many days the period has.
    fn days(&self) -> i64 {
        (self.last - self.first).num_days() + 1
    }

    /// The period in pieces of at most [`CHUNK_DAYS`], in order.
    fn chunks(&self) -> Vec<Period> {
        let mut chunks = Vec::new();
        let mut first = self.first;
        while first <= self.last {
            let last = (first + chrono::Duration::days(CHUNK_DAYS - 1)).min(self.last);
            chunks.push(Period { first, last });
            match last.succ_opt() {
                Some(next) => first = next,
                None => break,
            }
        }
        chunks
    }

    /// How many months' allowance the period has: each day counts as a
    /// share of its month, so a calendar month is 1 and a quarter 3.
    fn months(&self) -> f64 {
        self.first
            .iter_days()
            .take_while(|d| *d <= self.last)
            .map(|d| 1.0 / f64::from(days_in_month(d)))
            .sum()
    }
}

fn days_in_month(day: NaiveDate) -> u32 {
    Period::month(day.year(), day.month()).map_or(30, |m| m.last.day())
}

/// A calendar month (`2026-11`), as the period it covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct Month(Period);

impl TryFrom<String> for Month {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        parse_month(&text)
    }
}

impl JsonSchema for Month {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Month".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$", "maxLength": 7})
    }
}

/// A calendar quarter (`2026Q3`), as the period it covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct Quarter(Period);

impl TryFrom<String> for Quarter {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        parse_quarter(&text)
    }
}

impl JsonSchema for Quarter {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Quarter".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "string", "pattern": "^[0-9]{4}[Qq][1-4]$", "maxLength": 6})
    }
}

fn parse_month(text: &str) -> Result<Month, String> {
    text.split_once('-')
        .filter(|(year, month)| year.len() == 4 && month.len() == 2)
        .and_then(|(year, month)| Period::month(year.parse().ok()?, month.parse().ok()?))
        .map(Month)
        .ok_or_else(|| {
            format!(
                "{} is not a month: give it as YYYY-MM, e.g. 2026-11",
                quote(text)
            )
        })
}

fn parse_quarter(text: &str) -> Result<Quarter, String> {
    let upper = text.to_ascii_uppercase();
    upper
        .split_once('Q')
        .filter(|(year, quarter)| year.len() == 4 && quarter.len() == 1)
        .and_then(|(year, quarter)| {
            let year: i32 = year.parse().ok()?;
            let quarter: u32 = quarter.parse().ok().filter(|q| (1..=4).contains(q))?;
            let first = Period::month(year, quarter * 3 - 2)?.first;
            let last = Period::month(year, quarter * 3)?.last;
            Some(Quarter(Period { first, last }))
        })
        .ok_or_else(|| {
            format!(
                "{} is not a quarter: give it as YYYYQn with n from 1 to 4, e.g. 2026Q3",
                quote(text)
            )
        })
}

fn parse_day(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
        format!(
            "{} is not a day: give it as YYYY-MM-DD, e.g. 2026-11-01",
            quote(text)
        )
    })
}

/// The period `options` ask for (checked by [`UsageOptions::check`]),
/// checked against what the API reports as of `today`: not after today, at
/// most 13 months back. A period that reaches past today ends today.
fn chosen_period(options: &UsageOptions, today: NaiveDate) -> Result<Period, CliError> {
    let asked = if let Some(Month(month)) = options.month {
        month
    } else if let Some(Quarter(quarter)) = options.quarter {
        quarter
    } else if let (Some(first), Some(last)) = (options.from, options.to) {
        Period { first, last }
    } else {
        Period::previous_month(today)
    };
    check_period(asked, today)
}

fn check_period(asked: Period, today: NaiveDate) -> Result<Period, CliError> {
    if asked.first > today {
        return Err(CliError::Usage(format!(
            "the period starts on {}, after today ({today}): usage is reported for days that \
             have begun; choose an earlier period",
            asked.first
        )));
    }
    let earliest = today
        .checked_sub_months(Months::new(MONTHS_BACK))
        .unwrap_or(NaiveDate::MIN);
    if asked.first < earliest {
        return Err(CliError::Usage(format!(
            "the period starts on {}, more than {MONTHS_BACK} months ago: the API keeps usage \
             for {MONTHS_BACK} months, so the earliest day it reports is {earliest}; choose a \
             later period",
            asked.first
        )));
    }
    Ok(Period {
        first: asked.first,
        last: asked.last.min(today),
    })
}

/// Visits, billable visits and bandwidth (bytes); none where the API
/// reported none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Traffic {
    visits: Option<u64>,
    billable: Option<u64>,
    bandwidth: Option<u64>,
}

impl Traffic {
    /// Both summed (the traffic of two periods, or of two parts).
    fn plus(self, other: Traffic) -> Traffic {
        Traffic {
            visits: add(self.visits, other.visits),
            billable: add(self.billable, other.billable),
            bandwidth: add(self.bandwidth, other.bandwidth),
        }
    }
}

/// A sum of figures that may be missing: missing only when both are.
fn add(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (None, None) => None,
        _ => Some(a.unwrap_or(0).saturating_add(b.unwrap_or(0))),
    }
}

/// A figure the API sends as a string of digits, as a number. Nothing (or
/// an empty string) is none; anything else that is not a whole number is
/// an error that names the figure and the account.
fn figure(account: &str, field: &str, text: Option<&str>) -> Result<Option<u64>, CliError> {
    match text.map(str::trim) {
        None | Some("") => Ok(None),
        Some(digits) => digits.parse::<u64>().map(Some).map_err(|_| {
            CliError::Failed(format!(
                "the API answered `{digits}` for {field} of account {account}, which is not a \
                 whole number of 0 or more: the report cannot use it; try again later, and \
                 report it to WP Engine if it persists"
            ))
        }),
    }
}

/// Storage in bytes, as the API splits it: files and databases. The API
/// never sends a total of its own; the total is the sum of the parts it
/// reported, and a part it did not report stays unknown (shown as `-`, and
/// named in the account's notes), never guessed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Storage {
    files: Option<u64>,
    databases: Option<u64>,
}

impl Storage {
    /// Files plus databases; none when neither was reported.
    fn total(self) -> Option<u64> {
        add(self.files, self.databases)
    }
}

/// What one install used over the period.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct InstallUsage {
    /// The install's name.
    name: String,
    /// The site it belongs to, where the account's sites list it.
    site: Option<String>,
    /// Its role in the site (production, staging, development).
    environment: Option<String>,
    traffic: Traffic,
    /// Its storage at the end of the period.
    storage: Storage,
}

/// What one account used over the period, and what its plan allows.
struct AccountUsage {
    id: Uuid,
    name: String,
    sites: usize,
    limits: AccountLimits,
    traffic: Traffic,
    /// Traffic per [`ENVIRONMENTS`].
    environments: [Traffic; 3],
    /// Files and databases at the end of the period.
    storage: Storage,
    /// The day `storage` was measured for.
    storage_as_of: Option<String>,
    /// Whether `storage` comes from a refresh this run asked for.
    refreshed: bool,
    /// Each install's usage, by site, role and name.
    installs: Vec<InstallUsage>,
}

impl AccountUsage {
    /// Storage of 0, or none at all, is not a measurement.
    fn storage_stale(&self) -> bool {
        self.storage.total().unwrap_or(0) == 0
    }
}

/// The usage report as `wpe mcp`'s `report_usage` tool answers it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct UsageReport {
    /// When the report was made (RFC 3339, UTC).
    pub generated_at: String,
    /// Who the report is for, as given.
    pub prepared_for: Option<String>,
    /// The period's first day.
    pub from: NaiveDate,
    /// Its last day (today at the latest).
    pub to: NaiveDate,
    /// How many days it has.
    pub days: i64,
    /// A row per account, flagged ones first (over, warning, stale).
    pub accounts: Vec<AccountRow>,
    /// With `from_mirror`: the mirror's snapshot the usage comes from, and its age.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mirror: Option<Source>,
}

/// Runs `wpe report` (`wpe report usage`): through the API (`demo`: the
/// stand-in's), or from the mirror with `--from-mirror`.
pub async fn run(demo: bool, matches: &ArgMatches, format: Format) -> Result<(), CliError> {
    let Some((USAGE, matches)) = matches.subcommand() else {
        return Err(CliError::Usage(
            "wpe report: a report is required (wpe report usage)".into(),
        ));
    };
    let options =
        UsageOptions::from_arg_matches(matches).map_err(|err| CliError::Usage(err.to_string()))?;
    let generated = Utc::now();
    let (period, rows, source) = if options.from_mirror {
        let (period, rows, source) = report_mirror(demo, &options, generated, Surface::Cli)?;
        source.tell();
        (period, rows, Some(source))
    } else {
        let target = crate::target::Target::connect(demo).await?;
        let today = generated.date_naive();
        let (period, rows) = report(&target.client, &options, today, Surface::Cli).await?;
        (period, rows, None)
    };
    let header = Header {
        period,
        generated,
        prepared_for: options.prepared_for.as_deref(),
        filter: Filter::chosen(&options),
        source,
    };
    let mut out = BufWriter::new(io::stdout().lock());
    print(&mut out, &rows, &header, format)?;
    out.flush()?;
    Ok(())
}

/// The usage report `options` asks for, for `wpe mcp`'s `report_usage`
/// tool: the period and a row per account (as `--format json` prints it,
/// its notes naming the tool's properties), flagged accounts first. With
/// `from_mirror`, from the mirror (`demo`: the demo's), saying which
/// snapshot.
pub async fn collect(
    client: &Client,
    demo: bool,
    options: &UsageOptions,
) -> Result<UsageReport, CliError> {
    let generated = Utc::now();
    let (period, rows, mirror) = if options.from_mirror {
        let (period, rows, source) = report_mirror(demo, options, generated, Surface::Mcp)?;
        (period, rows, Some(source))
    } else {
        let today = generated.date_naive();
        let (period, rows) = report(client, options, today, Surface::Mcp).await?;
        (period, rows, None)
    };
    Ok(UsageReport {
        generated_at: generated.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        prepared_for: options.prepared_for.clone(),
        from: period.first,
        to: period.last,
        days: period.days(),
        accounts: rows.into_iter().map(|row| row.data).collect(),
        mirror,
    })
}

/// The period and the sorted rows of the report `options` asks for, as of
/// `today` (notes worded for `surface`), the rows `only_flagged` or
/// `min_percent` leave out gone.
async fn report(
    client: &Client,
    options: &UsageOptions,
    today: NaiveDate,
    surface: Surface,
) -> Result<(Period, Vec<Row>), CliError> {
    options.check().map_err(CliError::Invalid)?;
    let period = chosen_period(options, today)?;
    let accounts = chosen_accounts(client, &options.account).await?;
    let progress = spinner(format!(
        "reading the usage of {} accounts from {} to {}",
        accounts.len(),
        period.first,
        period.last
    ));
    let chunks = period.chunks();
    let mut usages: Vec<AccountUsage> = futures::stream::iter(accounts)
        .map(|(id, name)| {
            let chunks = &chunks;
            async move { account_usage(id, name, read_account(client, id, chunks).await?) }
        })
        .buffer_unordered(CONCURRENT_ACCOUNTS)
        .try_collect()
        .await?;
    progress.finish_and_clear();
    if options.refresh {
        refresh_storage(client, &mut usages).await?;
    }
    Ok((period, rows(&usages, period, options, surface)))
}

/// The rows of `usages` over `period` (notes worded for `surface`), those
/// `options` filter out gone, flagged ones first.
fn rows(
    usages: &[AccountUsage],
    period: Period,
    options: &UsageOptions,
    surface: Surface,
) -> Vec<Row> {
    let filter = Filter::chosen(options);
    let rows: Vec<Row> = usages
        .iter()
        .map(|u| Row::new(u, period, surface))
        .filter(|row| filter.keeps(row))
        .collect();
    sorted(rows)
}

/// The accounts to report, as `(id, name)`: those `given` names (by name
/// or ID), or every account the credentials see when it names none.
async fn chosen_accounts(
    client: &Client,
    given: &[String],
) -> Result<Vec<(Uuid, String)>, CliError> {
    let all: Vec<(Uuid, String)> = client
        .list_accounts()
        .stream()
        .map_ok(|a| (a.id, a.name))
        .try_collect()
        .await?;
    let mut ids = Vec::new();
    for value in given {
        ids.push(names::resolve(client, Kind::Account, value).await?);
    }
    choose_accounts(all, given, &ids)
}

/// Of `all` accounts, those `given` (as `ids`, resolved), in order and
/// once each; every one when none is given. An ID of none of them is an
/// account the credentials cannot see.
fn choose_accounts(
    all: Vec<(Uuid, String)>,
    given: &[String],
    ids: &[String],
) -> Result<Vec<(Uuid, String)>, CliError> {
    if given.is_empty() {
        return Ok(all);
    }
    let mut chosen: Vec<(Uuid, String)> = Vec::new();
    for (value, id) in given.iter().zip(ids) {
        let account = all
            .iter()
            .find(|(known, _)| known.to_string() == *id)
            .ok_or_else(|| {
                CliError::NotFound(names::NotFound::not_visible(Kind::Account, value))
            })?;
        if !chosen.iter().any(|(known, _)| *known == account.0) {
            chosen.push(account.clone());
        }
    }
    Ok(chosen)
}

/// What the report reads of one account, from the API or the mirror:
/// its plan's limits, its sites, where its installs sit, and each chunk's
/// answers.
struct AccountAnswers {
    limits: AccountLimits,
    /// How many sites it has.
    sites: usize,
    /// Each install's name, site and role, in the order of its sites.
    placed: Vec<Placed>,
    chunks: Vec<ChunkAnswers>,
}

/// An install's site and role, as the account's sites list them.
struct Placed {
    install: String,
    site: String,
    environment: Option<String>,
}

/// The usage answers of one chunk of the period.
struct ChunkAnswers {
    summary: UsageMetricsRollup,
    insights: AccountUsageInsights,
    /// Each install's figures.
    per_install: Vec<EnvironmentMetrics>,
}

/// Reads one account through the API: its limits and sites, and its usage
/// chunk by chunk (each chunk's summary, insights and per-install figures
/// at once).
async fn read_account(
    client: &Client,
    id: Uuid,
    chunks: &[Period],
) -> Result<AccountAnswers, CliError> {
    let limits = async {
        Ok::<_, CliError>(
            client
                .get_accounts_limits()
                .account_id(id)
                .send()
                .await?
                .into_inner(),
        )
    };
    let sites = async {
        Ok::<_, CliError>(
            client
                .list_sites()
                .account_id(id)
                .stream()
                .try_collect::<Vec<Site>>()
                .await?,
        )
    };
    let usage = async {
        let mut answers = Vec::new();
        for chunk in chunks {
            let summary = client
                .get_account_usage_summary()
                .account_id(id)
                .first_date(chunk.first)
                .last_date(chunk.last)
                .send();
            let insights = client
                .get_account_usage_insights()
                .account_id(id)
                .first_date(chunk.first)
                .last_date(chunk.last)
                .send();
            let per_install = client
                .get_account_usage_metrics()
                .account_id(id)
                .first_date(chunk.first)
                .last_date(chunk.last)
                .stream()
                .try_collect::<Vec<EnvironmentMetrics>>();
            let (summary, insights, per_install) =
                futures::try_join!(summary, insights, per_install)?;
            answers.push(ChunkAnswers {
                summary: summary.into_inner(),
                insights: insights.into_inner(),
                per_install,
            });
        }
        Ok::<_, CliError>(answers)
    };
    let (limits, sites, chunks) = futures::try_join!(limits, sites, usage)?;
    let placed = sites
        .iter()
        .flat_map(|site| {
            site.installs.iter().filter_map(|i| {
                Some(Placed {
                    install: i.name.clone()?,
                    site: site.name.clone(),
                    environment: i.environment.as_ref().map(ToString::to_string),
                })
            })
        })
        .collect();
    Ok(AccountAnswers {
        limits,
        sites: sites.len(),
        placed,
        chunks,
    })
}

/// What account `id`, named `name`, used over the period, from its
/// answers: traffic summed over the chunks, storage the latest of the last.
fn account_usage(
    id: Uuid,
    name: String,
    answers: AccountAnswers,
) -> Result<AccountUsage, CliError> {
    let mut traffic = Traffic::default();
    let mut environments = [Traffic::default(); 3];
    let mut storage = (Storage::default(), None);
    let mut installs: BTreeMap<String, (Traffic, Storage)> = BTreeMap::new();
    for chunk in &answers.chunks {
        traffic = traffic.plus(summary_traffic(&name, &chunk.summary)?);
        for (total, part) in environments
            .iter_mut()
            .zip(environment_traffic(&name, &chunk.insights)?)
        {
            *total = total.plus(part);
        }
        storage = latest_storage(&name, &chunk.summary)?;
        for install in &chunk.per_install {
            let (Some(install_name), Some(rollup)) =
                (&install.environment_name, &install.metrics_rollup)
            else {
                continue;
            };
            let entry = installs.entry(install_name.clone()).or_default();
            entry.0 = entry.0.plus(summary_traffic(&name, rollup)?);
            entry.1 = latest_storage(&name, rollup)?.0;
        }
    }
    let (storage, storage_as_of) = storage;
    Ok(AccountUsage {
        id,
        name,
        sites: answers.sites,
        limits: answers.limits,
        traffic,
        environments,
        storage,
        storage_as_of,
        refreshed: false,
        installs: install_usages(&answers.placed, installs),
    })
}

/// The report `options` asks for from the mirror's newest snapshot (`--db`,
/// `WPE_FLEET_DB` or the default file) as of `now`: the period (the month
/// the mirror holds: the one before its sync), the rows, and which snapshot
/// they come from. Another period is a usage error that names the month
/// the mirror holds.
fn report_mirror(
    demo: bool,
    options: &UsageOptions,
    now: DateTime<Utc>,
    surface: Surface,
) -> Result<(Period, Vec<Row>, Source), CliError> {
    options.check().map_err(CliError::Invalid)?;
    if options.refresh {
        return Err(CliError::Invalid(Invalid::Conflicts {
            option: "refresh",
            other: "from_mirror",
        }));
    }
    let current = Current::open(options.db.as_deref(), demo)?;
    let all: Vec<(Uuid, String)> = current
        .typed::<Account>(RecordKind::Account, None)?
        .into_iter()
        .map(|(_, a)| (a.id, a.name))
        .collect();
    let ids = options
        .account
        .iter()
        .map(|given| current.resolve_account(given))
        .collect::<Result<Vec<_>, _>>()?;
    let scope = (!options.account.is_empty()).then_some(&ids[..]);
    current.require(RecordKind::Account, None)?;
    current.require(RecordKind::Site, scope)?;
    current.require(RecordKind::Install, scope)?;
    current.require(RecordKind::UsageSummary, scope)?;
    let accounts = choose_accounts(all, &options.account, &ids)?;
    let mut held: HashMap<String, (Period, Value)> = HashMap::new();
    for record in current.records(RecordKind::UsageSummary, None)? {
        let (Some(account), Some(period)) = (&record.account_id, held_period(&record.body)) else {
            continue;
        };
        let newer = held
            .get(account)
            .is_none_or(|(known, _)| known.first < period.first);
        if newer {
            held.insert(account.clone(), (period, record.body));
        }
    }
    // The month the mirror holds of the accounts asked about (the newest,
    // should a partial sync have left them different).
    let Some(holds) = accounts
        .iter()
        .filter_map(|(id, _)| held.get(&id.to_string()).map(|(p, _)| *p))
        .max_by_key(|p| p.first)
    else {
        return Err(CliError::Failed(format!(
            "the mirror at {} holds no usage of {}: run `wpe fleet sync` (it reads the \
             previous month's), or ask the API instead",
            current.path().display(),
            if options.account.is_empty() {
                "any account".to_owned()
            } else {
                "the accounts asked for".to_owned()
            }
        )));
    };
    let asked = asked_period(options);
    if asked.is_some_and(|asked| asked != holds) {
        return Err(CliError::Usage(format!(
            "the mirror holds the usage of {} only (the month before its sync): leave out the \
             period, or ask for that month, or leave out {} to ask the API for another \
             period",
            holds.month_label(),
            surface.option("from_mirror")
        )));
    }
    let sites = current.typed::<Site>(RecordKind::Site, None)?;
    let installs = current.typed::<Installation>(RecordKind::Install, None)?;
    let mut usages = Vec::new();
    for (id, name) in accounts {
        let key = id.to_string();
        let body = match held.remove(&key) {
            Some((period, body)) if period == holds => body,
            other => {
                return Err(CliError::Failed(format!(
                    "the mirror holds no usage of account {name} for {}{}: run `wpe fleet sync` \
                     again, or ask the API instead",
                    holds.month_label(),
                    other
                        .map(|(p, _)| format!(" (only of {})", p.month_label()))
                        .unwrap_or_default()
                )))
            }
        };
        let of_account = |account: &Option<String>| account.as_deref() == Some(key.as_str());
        let site_names: HashMap<Uuid, &str> = sites
            .iter()
            .filter(|(record, _)| of_account(&record.account_id))
            .map(|(_, site)| (site.id, site.name.as_str()))
            .collect();
        let placed = installs
            .iter()
            .filter(|(record, _)| of_account(&record.account_id))
            .filter_map(|(_, install)| {
                let site = site_names.get(&install.site.as_ref()?.id)?;
                Some(Placed {
                    install: install.name.to_string(),
                    site: (*site).to_owned(),
                    environment: install.environment.as_ref().map(ToString::to_string),
                })
            })
            .collect();
        let answers = held_answers(&name, &body, site_names.len(), placed)?;
        usages.push(account_usage(id, name, answers)?);
    }
    let source = current.source(scope, now);
    Ok((holds, rows(&usages, holds, options, surface), source))
}

/// The period `options` name, if any (checked by [`UsageOptions::check`]).
fn asked_period(options: &UsageOptions) -> Option<Period> {
    if let Some(Month(month)) = options.month {
        Some(month)
    } else if let Some(Quarter(quarter)) = options.quarter {
        Some(quarter)
    } else if let (Some(first), Some(last)) = (options.from, options.to) {
        Some(Period { first, last })
    } else {
        None
    }
}

/// The period a mirror's usage record covers (its `from` and `to`).
fn held_period(body: &Value) -> Option<Period> {
    let day = |field: &str| parse_day(body.get(field)?.as_str()?).ok();
    Some(Period {
        first: day("from")?,
        last: day("to")?,
    })
}

/// An account's answers as a mirror's usage record holds them: the
/// summary, insights, limits and per-install figures of its month, read
/// with the requests of [`read_account`]. One the sync could not read is
/// an error, as it would be through the API.
fn held_answers(
    account: &str,
    body: &Value,
    sites: usize,
    placed: Vec<Placed>,
) -> Result<AccountAnswers, CliError> {
    fn part<T: serde::de::DeserializeOwned>(
        account: &str,
        body: &Value,
        field: &str,
    ) -> Result<T, CliError> {
        match body.get(field) {
            Some(value) if !value.is_null() => current::read_as(
                value,
                RecordKind::UsageSummary,
                &format!("{account}: {field}"),
            ),
            _ => Err(CliError::Failed(format!(
                "the mirror holds no {field} of account {account}'s usage: the sync could not \
                 read it; run `wpe fleet sync` again, or ask the API instead"
            ))),
        }
    }
    // A mirror written before per-install figures were kept has none.
    let per_install = match body.get("metrics") {
        None => Vec::new(),
        Some(_) => part(account, body, "metrics")?,
    };
    Ok(AccountAnswers {
        limits: part(account, body, "limits")?,
        sites,
        placed,
        chunks: vec![ChunkAnswers {
            summary: part(account, body, "summary")?,
            insights: part(account, body, "insights")?,
            per_install,
        }],
    })
}

/// The installs' usage, each with its site and role where the account's
/// sites name them, by site, role (production, staging, development) and
/// name.
fn install_usages(
    placed: &[Placed],
    figures: BTreeMap<String, (Traffic, Storage)>,
) -> Vec<InstallUsage> {
    let mut installs: Vec<InstallUsage> = figures
        .into_iter()
        .map(|(name, (traffic, storage))| {
            let place = placed.iter().find(|p| p.install == name);
            InstallUsage {
                site: place.map(|p| p.site.clone()),
                environment: place.and_then(|p| p.environment.clone()),
                name,
                traffic,
                storage,
            }
        })
        .collect();
    let role = |install: &InstallUsage| {
        install
            .environment
            .as_deref()
            .and_then(|e| ENVIRONMENTS.iter().position(|known| *known == e))
            .unwrap_or(ENVIRONMENTS.len())
    };
    installs.sort_by(|a, b| {
        (a.site.is_none(), &a.site, role(a), &a.name).cmp(&(
            b.site.is_none(),
            &b.site,
            role(b),
            &b.name,
        ))
    });
    installs
}

/// The traffic sums of a summary.
fn summary_traffic(account: &str, summary: &UsageMetricsRollup) -> Result<Traffic, CliError> {
    let sum = |field: &str, rollup: &Option<UsageRollup>| {
        figure(
            account,
            &format!("{field}.sum"),
            rollup.as_ref().and_then(|r| r.sum.as_deref()),
        )
    };
    Ok(Traffic {
        visits: sum("visit_count", &summary.visit_count)?,
        billable: sum("billable_visits", &summary.billable_visits)?,
        bandwidth: sum("network_total_bytes", &summary.network_total_bytes)?,
    })
}

/// The traffic of each of [`ENVIRONMENTS`] in an insights answer.
fn environment_traffic(
    account: &str,
    insights: &AccountUsageInsights,
) -> Result<[Traffic; 3], CliError> {
    let part = |field: &str, breakdown: &Option<UsageMetricBreakdown>, environment: &str| {
        let split = breakdown
            .as_ref()
            .and_then(|b| b.environment_types.as_ref());
        let text = split.and_then(|s| match environment {
            "production" => s.production.as_deref(),
            "staging" => s.staging.as_deref(),
            _ => s.development.as_deref(),
        });
        figure(
            account,
            &format!("{field}.environment_types.{environment}"),
            text,
        )
    };
    let mut out = [Traffic::default(); 3];
    for (traffic, environment) in out.iter_mut().zip(ENVIRONMENTS) {
        *traffic = Traffic {
            visits: part("visit_count", &insights.visit_count, environment)?,
            billable: part("billable_visits", &insights.billable_visits, environment)?,
            bandwidth: part(
                "network_total_bytes",
                &insights.network_total_bytes,
                environment,
            )?,
        };
    }
    Ok(out)
}

/// The latest storage of a summary (files and databases) and its day.
fn latest_storage(
    account: &str,
    summary: &UsageMetricsRollup,
) -> Result<(Storage, Option<String>), CliError> {
    let latest = |rollup: &Option<UsageRollup>| -> Option<LatestMetricValue> {
        rollup.as_ref().and_then(|r| r.latest.clone())
    };
    let files = latest(&summary.storage_file_bytes);
    let databases = latest(&summary.storage_database_bytes);
    let value = |field: &str, latest: &Option<LatestMetricValue>| {
        figure(
            account,
            &format!("{field}.latest.value"),
            latest.as_ref().and_then(|l| l.value.as_deref()),
        )
    };
    let storage = Storage {
        files: value("storage_file_bytes", &files)?,
        databases: value("storage_database_bytes", &databases)?,
    };
    let day = files.or(databases).and_then(|l| l.date);
    Ok((storage, day))
}

/// With `--refresh`: asks for a disk-usage refresh of every account whose
/// storage is stale (so they run at once), then waits for each in turn and
/// takes its storage, and its installs', from answers read after it.
async fn refresh_storage(client: &Client, usages: &mut [AccountUsage]) -> Result<(), CliError> {
    let requested_at = chrono::Utc::now() - chrono::Duration::seconds(REFRESH_TOLERANCE_SECS);
    let stale: Vec<&mut AccountUsage> = usages.iter_mut().filter(|u| u.storage_stale()).collect();
    for usage in &stale {
        client
            .refresh_account_disk_usage()
            .account_id(usage.id)
            .send()
            .await?;
    }
    for usage in stale {
        let progress = spinner(format!("refreshing the disk usage of {}", usage.name));
        let shown = progress.clone();
        let name = usage.name.clone();
        let options = WaitOptions::default().on_progress(move |look| {
            shown.set_message(format!(
                "refreshing the disk usage of {name}: {}",
                look.state
            ))
        });
        let waited = client
            .wait_for_account_disk_usage(usage.id, requested_at, options)
            .await;
        progress.finish_and_clear();
        waited.map_err(crate::workflow::wait_failed)?;
        let fresh = client
            .get_account_usage_summary()
            .account_id(usage.id)
            .send()
            .await?;
        (usage.storage, usage.storage_as_of) = latest_storage(&usage.name, &fresh)?;
        let per_install: Vec<EnvironmentMetrics> = client
            .get_account_usage_metrics()
            .account_id(usage.id)
            .stream()
            .try_collect()
            .await?;
        for measured in &per_install {
            let (Some(name), Some(rollup)) = (&measured.environment_name, &measured.metrics_rollup)
            else {
                continue;
            };
            if let Some(install) = usage.installs.iter_mut().find(|i| &i.name == name) {
                install.storage = latest_storage(&usage.name, rollup)?.0;
            }
        }
        usage.refreshed = true;
    }
    Ok(())
}

/// How far an account is from its plan, worst first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Flag {
    /// Over 100 % of a limit.
    Over,
    /// Over 80 % of a limit.
    Warning,
    /// Storage reported as 0 or not at all.
    Stale,
}

impl Flag {
    fn name(self) -> &'static str {
        match self {
            Flag::Over => "over",
            Flag::Warning => "warning",
            Flag::Stale => "stale",
        }
    }

    /// The flag `used` of `limit` deserves, if any, decided on the whole
    /// numbers (never on a rounded percentage): none without both or with a
    /// limit of 0.
    fn of(used: Option<u64>, limit: Option<u64>) -> Option<Flag> {
        let (used, limit) = (u128::from(used?), u128::from(limit.filter(|l| *l > 0)?));
        if used * 100 > limit * u128::from(OVER_PERCENT) {
            Some(Flag::Over)
        } else if used * 100 > limit * u128::from(WARNING_PERCENT) {
            Some(Flag::Warning)
        } else {
            None
        }
    }
}

/// `used` as a percentage of `limit`, to one decimal, for display; none
/// without both or with a limit of 0.
fn percent(used: Option<u64>, limit: Option<u64>) -> Option<f64> {
    match (used, limit) {
        (Some(used), Some(limit)) if limit > 0 => {
            Some((used as f64 * 1000.0 / limit as f64).round() / 10.0)
        }
        _ => None,
    }
}

/// A plan limit scaled to a period or to bytes, rounded to a whole visit or
/// byte; none when the plan states none (or a negative one).
fn scaled(limit: Option<i64>, factor: f64) -> Option<u64> {
    let limit = u64::try_from(limit?).ok()?;
    Some((limit as f64 * factor).round() as u64)
}

/// A percentage of `--min-percent`, in hundredths of a percent (`92.5` is
/// 9250), so that comparing with it is exact. From JSON, a number read by
/// the same rules as the flag's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "serde_json::Number")]
pub struct Hundredths(u64);

impl TryFrom<serde_json::Number> for Hundredths {
    type Error = String;

    fn try_from(number: serde_json::Number) -> Result<Self, String> {
        parse_min_percent(&number.to_string())
    }
}

impl JsonSchema for Hundredths {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Percent".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "number", "exclusiveMinimum": 0, "maximum": MAX_MIN_PERCENT})
    }
}

fn parse_min_percent(text: &str) -> Result<Hundredths, String> {
    let wrong = || {
        format!(
            "{} is not a percentage: give a number greater than 0 with at most two \
             decimals, e.g. 90 or 92.5 (100 is the plan's limit)",
            quote(text)
        )
    };
    let trimmed = text.trim();
    let (whole, fraction) = match trimmed.split_once('.') {
        Some((_, "")) => return Err(wrong()),
        Some(parts) => parts,
        None => (trimmed, ""),
    };
    let digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(fraction) || fraction.len() > 2 {
        return Err(wrong());
    }
    let whole: u64 = whole.parse().map_err(|_| wrong())?;
    let fraction: u64 = format!("{fraction:0<2}").parse().map_err(|_| wrong())?;
    match whole.checked_mul(100).and_then(|w| w.checked_add(fraction)) {
        Some(0) | None => Err(wrong()),
        Some(hundredths) => Ok(Hundredths(hundredths)),
    }
}

/// Which rows the report keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Filter {
    /// Every account.
    All,
    /// `--only-flagged`: the accounts with a flag (over, warning, stale).
    Flagged,
    /// `--min-percent N`: the accounts at or over N % of a limit.
    AtLeast(Hundredths),
}

impl Filter {
    fn chosen(options: &UsageOptions) -> Filter {
        if options.only_flagged {
            Filter::Flagged
        } else if let Some(min) = options.min_percent {
            Filter::AtLeast(min)
        } else {
            Filter::All
        }
    }

    /// Whether the report keeps `row`.
    fn keeps(self, row: &Row) -> bool {
        match self {
            Filter::All => true,
            Filter::Flagged => row.flag.is_some(),
            Filter::AtLeast(Hundredths(min)) => {
                row.measures
                    .iter()
                    .any(|(used, limit)| match (used, limit) {
                        (Some(used), Some(limit)) if *limit > 0 => {
                            u128::from(*used) * 10_000 >= u128::from(*limit) * u128::from(min)
                        }
                        _ => false,
                    })
            }
        }
    }

    /// What the header says about the rows left out; none for all.
    fn describe(self) -> Option<String> {
        match self {
            Filter::All => None,
            Filter::Flagged => Some("only the accounts flagged over, warning or stale".into()),
            Filter::AtLeast(Hundredths(min)) => {
                let fraction = format!("{:02}", min % 100);
                let fraction = fraction.trim_end_matches('0');
                let dot = if fraction.is_empty() { "" } else { "." };
                Some(format!(
                    "only the accounts at or over {}{dot}{fraction}% of a limit",
                    min / 100
                ))
            }
        }
    }
}

/// One account's line of the report as programs read it (JSON, NDJSON,
/// CSV, `wpe mcp`): figures as numbers, bytes as bytes, none as null.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct AccountRow {
    /// The account's name.
    pub account: String,
    /// The account's ID.
    pub account_id: Uuid,
    /// The period's first day.
    pub from: NaiveDate,
    /// The period's last day.
    pub to: NaiveDate,
    /// How many sites the account has.
    pub sites: usize,
    /// over (a limit passed), warning (over 80 % of one) or stale (storage not measured).
    pub flag: Option<Flag>,
    /// What the flag is about, and figures the API did not report.
    pub notes: String,
    /// Visits over the period.
    pub visits: Option<u64>,
    /// Billable visits over the period.
    pub billable_visits: Option<u64>,
    /// The plan's visits allowance, prorated to the period.
    pub visits_limit: Option<u64>,
    /// Billable visits as a percentage of the allowance (one decimal).
    pub visits_percent: Option<f64>,
    /// Bandwidth over the period, in bytes.
    pub bandwidth_bytes: Option<u64>,
    /// The plan's bandwidth allowance, prorated to the period, in bytes.
    pub bandwidth_limit_bytes: Option<u64>,
    /// Bandwidth as a percentage of the allowance (one decimal).
    pub bandwidth_percent: Option<f64>,
    /// Storage at the end of the period (files and database), in bytes.
    pub storage_bytes: Option<u64>,
    /// Of it, files.
    pub storage_files_bytes: Option<u64>,
    /// Of it, databases.
    pub storage_database_bytes: Option<u64>,
    /// The plan's storage, in bytes.
    pub storage_limit_bytes: Option<u64>,
    /// Storage as a percentage of the plan's (one decimal).
    pub storage_percent: Option<f64>,
    /// The day storage was measured for.
    pub storage_as_of: Option<String>,
    /// Whether storage is 0 or not reported (not a measurement).
    pub storage_stale: bool,
    /// Whether storage comes from a refresh this report asked for.
    pub storage_refreshed: bool,
    /// Visits of production installs.
    pub production_visits: Option<u64>,
    /// Billable visits of production installs.
    pub production_billable_visits: Option<u64>,
    /// Bandwidth of production installs, in bytes.
    pub production_bandwidth_bytes: Option<u64>,
    /// Visits of staging installs.
    pub staging_visits: Option<u64>,
    /// Billable visits of staging installs.
    pub staging_billable_visits: Option<u64>,
    /// Bandwidth of staging installs, in bytes.
    pub staging_bandwidth_bytes: Option<u64>,
    /// Visits of development installs.
    pub development_visits: Option<u64>,
    /// Billable visits of development installs.
    pub development_billable_visits: Option<u64>,
    /// Bandwidth of development installs, in bytes.
    pub development_bandwidth_bytes: Option<u64>,
    /// Each install's figures, by site, role and name.
    pub installs: Vec<InstallRow>,
}

/// One install's figures in an account's row.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct InstallRow {
    /// The install's name.
    pub install: String,
    /// Its site, where the account's sites list it.
    pub site: Option<String>,
    /// Its role in the site.
    pub environment: Option<String>,
    /// Visits over the period.
    pub visits: Option<u64>,
    /// Billable visits over the period.
    pub billable_visits: Option<u64>,
    /// Bandwidth over the period, in bytes.
    pub bandwidth_bytes: Option<u64>,
    /// Storage at the end of the period (files and database), in bytes.
    pub storage_bytes: Option<u64>,
    /// Of it, files.
    pub storage_files_bytes: Option<u64>,
    /// Of it, databases.
    pub storage_database_bytes: Option<u64>,
}

/// One account's line of the report.
struct Row {
    name: String,
    flag: Option<Flag>,
    notes: String,
    /// `(used, limit)` of billable visits, bandwidth and storage, exact.
    measures: [(Option<u64>, Option<u64>); 3],
    visits: Option<u64>,
    storage: Storage,
    installs: Vec<InstallUsage>,
    data: AccountRow,
    human: serde_json::Value,
}

/// The names of [`Row::measures`].
const MEASURES: [&str; 3] = ["billable visits", "bandwidth", "storage"];

impl Row {
    /// The row of `usage` over `period`, its notes worded for `surface`.
    fn new(usage: &AccountUsage, period: Period, surface: Surface) -> Row {
        let months = period.months();
        let visits_limit = scaled(usage.limits.visitors, months);
        let bandwidth_limit = scaled(usage.limits.bandwidth, months * BYTES_PER_GB);
        let storage_limit = scaled(usage.limits.storage, BYTES_PER_GB);
        let traffic = usage.traffic;
        let storage = usage.storage.total();
        let measures = [
            (traffic.billable, visits_limit),
            (traffic.bandwidth, bandwidth_limit),
            (storage, storage_limit),
        ];
        let shares = measures.map(|(used, limit)| percent(used, limit));
        let mut notes = Vec::new();
        let mut flag = None;
        for ((what, (used, limit)), share) in MEASURES.iter().zip(measures).zip(shares) {
            if let Some(level) = Flag::of(used, limit) {
                flag = Some(flag.map_or(level, |worst: Flag| worst.min(level)));
                let share = share.unwrap_or_default();
                notes.push(match level {
                    Flag::Over => format!("{what} over the plan ({share}%)"),
                    _ => format!("{what} near the limit ({share}%)"),
                });
            }
        }
        let stale = usage.storage_stale();
        if stale {
            flag = flag.or(Some(Flag::Stale));
            notes.push(if usage.refreshed {
                "storage stale: still 0 after a refresh".to_owned()
            } else {
                format!(
                    "storage stale (0 or not reported): {} measures it{}",
                    surface.option("refresh"),
                    match surface {
                        Surface::Cli => "",
                        Surface::Mcp => " (with writes allowed)",
                    }
                )
            });
        } else if usage.refreshed {
            notes.push(format!(
                "storage refreshed, as of {}",
                usage.storage_as_of.as_deref().unwrap_or("today")
            ));
        }
        match (usage.storage.files, usage.storage.databases) {
            (Some(_), None) => {
                notes.push("database storage not reported: the total is files only".into())
            }
            (None, Some(_)) => {
                notes.push("file storage not reported: the total is databases only".into())
            }
            _ => {}
        }
        let limits = &usage.limits;
        if limits.visitors.is_none() && limits.bandwidth.is_none() && limits.storage.is_none() {
            notes.push("no plan limits".to_owned());
        }
        let notes = notes.join("; ");
        let [visits_share, bandwidth_share, storage_share] = shares;
        let [production, staging, development] = usage.environments;
        let data = AccountRow {
            account: usage.name.clone(),
            account_id: usage.id,
            from: period.first,
            to: period.last,
            sites: usage.sites,
            flag,
            notes: notes.clone(),
            visits: traffic.visits,
            billable_visits: traffic.billable,
            visits_limit,
            visits_percent: visits_share,
            bandwidth_bytes: traffic.bandwidth,
            bandwidth_limit_bytes: bandwidth_limit,
            bandwidth_percent: bandwidth_share,
            storage_bytes: storage,
            storage_files_bytes: usage.storage.files,
            storage_database_bytes: usage.storage.databases,
            storage_limit_bytes: storage_limit,
            storage_percent: storage_share,
            storage_as_of: usage.storage_as_of.clone(),
            storage_stale: stale,
            storage_refreshed: usage.refreshed,
            production_visits: production.visits,
            production_billable_visits: production.billable,
            production_bandwidth_bytes: production.bandwidth,
            staging_visits: staging.visits,
            staging_billable_visits: staging.billable,
            staging_bandwidth_bytes: staging.bandwidth,
            development_visits: development.visits,
            development_billable_visits: development.billable,
            development_bandwidth_bytes: development.bandwidth,
            installs: usage
                .installs
                .iter()
                .map(|install| InstallRow {
                    install: install.name.clone(),
                    site: install.site.clone(),
                    environment: install.environment.clone(),
                    visits: install.traffic.visits,
                    billable_visits: install.traffic.billable,
                    bandwidth_bytes: install.traffic.bandwidth,
                    storage_bytes: install.storage.total(),
                    storage_files_bytes: install.storage.files,
                    storage_database_bytes: install.storage.databases,
                })
                .collect(),
        };
        let split: Vec<String> = usage
            .environments
            .iter()
            .map(|part| count(part.visits))
            .collect();
        let human = json!({
            "account": usage.name,
            "sites": usage.sites,
            "flag": flag.map(Flag::name),
            "visits": count(traffic.visits),
            "billable": count(traffic.billable),
            "allowance": count(visits_limit),
            "visits %": share_text(visits_share),
            "bandwidth": gigabytes(traffic.bandwidth),
            "bw limit": gigabytes(bandwidth_limit),
            "bw %": share_text(bandwidth_share),
            "storage": gigabytes(storage),
            "files": gigabytes(usage.storage.files),
            "database": gigabytes(usage.storage.databases),
            "storage limit": gigabytes(storage_limit),
            "storage %": share_text(storage_share),
            "visits prod/stg/dev": split.join(" / "),
            "notes": notes,
        });
        Row {
            name: usage.name.clone(),
            flag,
            notes,
            measures,
            visits: traffic.visits,
            storage: usage.storage,
            installs: usage.installs.clone(),
            data,
            human,
        }
    }
}

/// The rows with the flagged accounts first (over, then warning, then
/// stale), each group by name.
fn sorted(mut rows: Vec<Row>) -> Vec<Row> {
    rows.sort_by(|a, b| {
        (a.flag.is_none(), a.flag, &a.name).cmp(&(b.flag.is_none(), b.flag, &b.name))
    });
    rows
}

/// A count with thousands separated (`1,234,567`), or `-` for none.
fn count(value: Option<u64>) -> String {
    let Some(value) = value else {
        return "-".to_owned();
    };
    let digits = value.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// Bytes as GB to one decimal, or `-` for none.
fn gigabytes(bytes: Option<u64>) -> String {
    bytes.map_or_else(
        || "-".to_owned(),
        |b| format!("{:.1} GB", b as f64 / BYTES_PER_GB),
    )
}

/// A percentage, or `-` for none.
fn share_text(share: Option<f64>) -> String {
    share.map_or_else(|| "-".to_owned(), |p| format!("{p:.1}%"))
}

/// What the report says about itself besides its rows.
struct Header<'a> {
    period: Period,
    /// When the report was made.
    generated: DateTime<Utc>,
    /// `--prepared-for`.
    prepared_for: Option<&'a str>,
    filter: Filter,
    /// The mirror's snapshot the figures come from, with `--from-mirror`.
    source: Option<Source>,
}

impl Header<'_> {
    /// The lines under the title: who it is for, when it was made, the
    /// units, which accounts it shows.
    fn lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if let Some(name) = self.prepared_for {
            lines.push(format!("Prepared for: {name}"));
        }
        lines.push(format!(
            "Generated: {} UTC",
            self.generated.format("%Y-%m-%d %H:%M")
        ));
        if let Some(source) = &self.source {
            lines.push(format!("Source: {}", source.snapshot_text()));
        }
        lines.push(format!("Units: {UNITS}"));
        if let Some(shown) = self.filter.describe() {
            lines.push(format!("Showing: {shown}"));
        }
        lines
    }

    fn title(&self) -> String {
        format!(
            "Usage from {} to {} ({} days)",
            self.period.first,
            self.period.last,
            self.period.days()
        )
    }
}

/// The columns of an account's table of installs in Markdown.
const INSTALL_COLUMNS: [&str; 9] = [
    "install",
    "site",
    "environment",
    "visits",
    "billable",
    "bandwidth",
    "storage",
    "files",
    "database",
];

/// Prints the rows: for people (table, Markdown) under a header naming
/// the period, who the report is for, when it was made and its units; for
/// programs (JSON, NDJSON, CSV) as numbers, bytes in bytes. Markdown has a
/// summary table, then a section per account with its installs.
fn print(out: &mut impl Write, rows: &[Row], header: &Header, format: Format) -> io::Result<()> {
    match format {
        Format::Table => {
            writeln!(out, "{}", header.title())?;
            for line in header.lines() {
                writeln!(out, "{line}")?;
            }
            writeln!(out)?;
        }
        Format::Markdown => {
            writeln!(out, "# {}\n", header.title())?;
            for line in header.lines() {
                writeln!(out, "- {line}")?;
            }
            writeln!(out, "\n## Summary\n")?;
        }
        Format::Json | Format::Ndjson | Format::Csv => {}
    }
    let human = matches!(format, Format::Table | Format::Markdown);
    let columns = if human {
        &HUMAN_COLUMNS[..]
    } else {
        &COLUMNS[..]
    };
    let columns = columns.iter().map(|c| (*c).to_owned()).collect();
    let mut printer = ListPrinter::with_columns(&mut *out, format, columns);
    for row in rows {
        printer.item(if human {
            row.human.clone()
        } else {
            serde_json::to_value(&row.data).map_err(io::Error::other)?
        })?;
    }
    printer.finish()?;
    if format == Format::Markdown {
        for row in rows {
            account_section(out, row)?;
        }
    }
    Ok(())
}

/// One account's Markdown section: its flag and notes, its figures against
/// the plan, and a table of its installs.
fn account_section(out: &mut impl Write, row: &Row) -> io::Result<()> {
    writeln!(out, "\n## {}\n", row.name)?;
    let verdict = match row.flag {
        Some(flag) => format!("Flag: **{}**", flag.name()),
        None => "Within the plan".to_owned(),
    };
    match row.notes.as_str() {
        "" => writeln!(out, "{verdict}.\n")?,
        notes => writeln!(out, "{verdict}: {notes}.\n")?,
    }
    let columns = ["measure", "used", "limit", "used %"];
    let mut figures = ListPrinter::with_columns(
        &mut *out,
        Format::Markdown,
        columns.iter().map(|c| (*c).to_owned()).collect(),
    );
    let [visits, bandwidth, storage] = row.measures;
    let line = |measure: &str, used: String, limit: String, share: Option<f64>| json!({"measure": measure, "used": used, "limit": limit, "used %": share_text(share)});
    figures.item(line("visits", count(row.visits), "-".into(), None))?;
    figures.item(line(
        MEASURES[0],
        count(visits.0),
        count(visits.1),
        percent(visits.0, visits.1),
    ))?;
    figures.item(line(
        MEASURES[1],
        gigabytes(bandwidth.0),
        gigabytes(bandwidth.1),
        percent(bandwidth.0, bandwidth.1),
    ))?;
    figures.item(line(
        "storage (files + database)",
        gigabytes(storage.0),
        gigabytes(storage.1),
        percent(storage.0, storage.1),
    ))?;
    figures.item(line(
        "storage: files",
        gigabytes(row.storage.files),
        "-".into(),
        None,
    ))?;
    figures.item(line(
        "storage: database",
        gigabytes(row.storage.databases),
        "-".into(),
        None,
    ))?;
    figures.finish()?;
    writeln!(out, "\n### Environments\n")?;
    let mut installs = ListPrinter::with_columns(
        &mut *out,
        Format::Markdown,
        INSTALL_COLUMNS.iter().map(|c| (*c).to_owned()).collect(),
    );
    for install in &row.installs {
        installs.item(json!({
            "install": install.name,
            "site": install.site.as_deref().unwrap_or("-"),
            "environment": install.environment.as_deref().unwrap_or("-"),
            "visits": count(install.traffic.visits),
            "billable": count(install.traffic.billable),
            "bandwidth": gigabytes(install.traffic.bandwidth),
            "storage": gigabytes(install.storage.total()),
            "files": gigabytes(install.storage.files),
            "database": gigabytes(install.storage.databases),
        }))?;
    }
    installs.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn day(text: &str) -> NaiveDate {
        parse_day(text).unwrap()
    }

    #[test]
    fn months_quarters_and_days_parse_and_bad_ones_say_how_to_write_them() {
        assert_eq!(
            parse_month("2026-02").unwrap().0,
            Period {
                first: day("2026-02-01"),
                last: day("2026-02-28")
            }
        );
        assert_eq!(
            parse_quarter("2026q4").unwrap().0,
            Period {
                first: day("2026-10-01"),
                last: day("2026-12-31")
            }
        );
        for bad in ["2026-13", "2026-1", "26-11", "2026/11", ""] {
            assert!(parse_month(bad).unwrap_err().contains("YYYY-MM"), "{bad}");
        }
        for bad in ["2026Q5", "2026Q0", "2026-Q1", "Q3"] {
            assert!(parse_quarter(bad).unwrap_err().contains("YYYYQn"), "{bad}");
        }
        assert!(parse_day("2026-02-30").unwrap_err().contains("YYYY-MM-DD"));
    }

    #[test]
    fn the_default_is_the_previous_calendar_month() {
        let november = Period::previous_month(day("2026-12-04"));
        assert_eq!(
            (november.first, november.last),
            (day("2026-11-01"), day("2026-11-30"))
        );
        let december = Period::previous_month(day("2027-01-01"));
        assert_eq!(
            (december.first, december.last),
            (day("2026-12-01"), day("2026-12-31"))
        );
    }

    #[test]
    fn a_period_is_at_most_13_months_back_and_ends_today_at_the_latest() {
        let today = day("2026-12-04");
        let month = |text| check_period(parse_month(text).unwrap().0, today);
        assert_eq!(month("2026-12").unwrap().last, today);
        assert!(month("2025-12").is_ok());
        let err = month("2025-11").unwrap_err().to_string();
        assert!(
            err.contains("13 months") && err.contains("2025-11-04"),
            "{err}"
        );
        let err = month("2027-01").unwrap_err().to_string();
        assert!(err.contains("after today"), "{err}");
    }

    #[test]
    fn long_periods_split_into_chunks_of_at_most_31_days_that_cover_them() {
        let quarter = parse_quarter("2026Q3").unwrap().0;
        let chunks = quarter.chunks();
        assert_eq!(chunks.len(), 3);
        assert_eq!(chunks[0].first, quarter.first);
        assert_eq!(chunks[2].last, quarter.last);
        for pair in chunks.windows(2) {
            assert_eq!(pair[0].last.succ_opt(), Some(pair[1].first));
        }
        assert!(chunks.iter().all(|c| c.days() <= CHUNK_DAYS));
        let year = Period {
            first: day("2025-12-05"),
            last: day("2026-12-04"),
        };
        assert_eq!(
            year.chunks().len(),
            12,
            "365 days: 11 chunks of 31 and one of 24"
        );
        let one = Period {
            first: day("2026-11-30"),
            last: day("2026-11-30"),
        };
        assert_eq!(one.chunks(), [one]);
    }

    #[test]
    fn a_month_has_one_months_allowance_and_a_quarter_three() {
        assert!((parse_month("2026-02").unwrap().0.months() - 1.0).abs() < 1e-9);
        assert!((parse_quarter("2026Q1").unwrap().0.months() - 3.0).abs() < 1e-9);
        let half = Period {
            first: day("2026-11-01"),
            last: day("2026-11-15"),
        };
        assert!((half.months() - 0.5).abs() < 1e-9);
    }

    #[test]
    fn figures_are_numbers_from_strings_and_a_malformed_one_is_an_error() {
        assert_eq!(figure("a", "f", Some("123")).unwrap(), Some(123));
        assert_eq!(
            figure("a", "f", Some(" 9223372036854775807 ")).unwrap(),
            Some(i64::MAX as u64)
        );
        assert_eq!(figure("a", "f", None).unwrap(), None);
        assert_eq!(figure("a", "f", Some("")).unwrap(), None);
        for bad in ["-1", "1.5", "12abc", "1e3", "99999999999999999999999"] {
            let err = figure("demoagency", "visit_count.sum", Some(bad)).unwrap_err();
            assert!(matches!(err, CliError::Failed(_)), "{bad}");
            let text = err.to_string();
            assert!(
                text.contains("visit_count.sum") && text.contains("demoagency"),
                "{text}"
            );
        }
    }

    #[test]
    fn utilisation_is_flagged_above_80_and_above_100_percent() {
        assert_eq!(percent(Some(801), Some(1000)), Some(80.1));
        assert_eq!(Flag::of(Some(800), Some(1000)), None);
        assert_eq!(Flag::of(Some(801), Some(1000)), Some(Flag::Warning));
        assert_eq!(Flag::of(Some(1000), Some(1000)), Some(Flag::Warning));
        assert_eq!(Flag::of(Some(1001), Some(1000)), Some(Flag::Over));
        assert_eq!(Flag::of(Some(5), None), None);
        assert_eq!(Flag::of(Some(5), Some(0)), None);
        assert_eq!(Flag::of(None, Some(5)), None);
        assert_eq!(percent(Some(5), None), None);
        assert_eq!(percent(Some(5), Some(0)), None);
        assert_eq!(percent(None, Some(5)), None);
        assert_eq!(scaled(Some(-1), 1.0), None);
        assert_eq!(scaled(Some(400), 3.0), Some(1200));
    }

    #[test]
    fn flags_are_decided_on_the_exact_figures_not_the_rounded_percentage() {
        // 80.04 % shows as 80.0 % but is over 80 %; 100.001 % shows as
        // 100.0 % but is over the plan.
        assert_eq!(percent(Some(80_040), Some(100_000)), Some(80.0));
        assert_eq!(Flag::of(Some(80_040), Some(100_000)), Some(Flag::Warning));
        assert_eq!(percent(Some(100_001), Some(100_000)), Some(100.0));
        assert_eq!(Flag::of(Some(100_001), Some(100_000)), Some(Flag::Over));
        // Bytes beyond f64's exact integers still compare exactly.
        let limit = 50 * 1_000_000_000_000_000u64;
        assert_eq!(Flag::of(Some(limit + 1), Some(limit)), Some(Flag::Over));
        assert_eq!(Flag::of(Some(limit), Some(limit)), Some(Flag::Warning));
    }

    #[test]
    fn min_percent_is_read_in_hundredths_and_anything_else_says_how_to_write_it() {
        assert_eq!(parse_min_percent("90"), Ok(Hundredths(9000)));
        assert_eq!(parse_min_percent("92.5"), Ok(Hundredths(9250)));
        assert_eq!(parse_min_percent("0.01"), Ok(Hundredths(1)));
        assert_eq!(parse_min_percent("150.25"), Ok(Hundredths(15025)));
        for bad in [
            "",
            "0",
            "0.00",
            "-5",
            "abc",
            "1.234",
            ".5",
            "90%",
            "1e2",
            "9.",
            "99999999999999999999",
        ] {
            let err = parse_min_percent(bad).unwrap_err();
            assert!(
                err.contains("not a percentage") && err.contains("e.g. 90"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn min_percent_keeps_an_account_at_exactly_n_percent_and_not_below() {
        let period = parse_month("2026-11").unwrap().0;
        // 900 billable visits of an allowance of 1000: exactly 90 %.
        let row = Row::new(&usage("a", 900, Some(1)), period, Surface::Cli);
        assert!(Filter::AtLeast(Hundredths(9000)).keeps(&row));
        assert!(Filter::AtLeast(Hundredths(8999)).keeps(&row));
        assert!(!Filter::AtLeast(Hundredths(9001)).keeps(&row));
        // Storage counts too: 1 byte of 10 GB is far below 0.01 %.
        assert!(!Filter::AtLeast(Hundredths(1)).keeps(&Row::new(
            &usage("b", 0, Some(1)),
            period,
            Surface::Cli
        )));
        // 90 % is flagged a warning; 80 % is not flagged.
        assert!(Filter::Flagged.keeps(&row));
        assert!(!Filter::Flagged.keeps(&Row::new(&usage("c", 800, Some(1)), period, Surface::Cli)));
        assert!(
            Filter::Flagged.keeps(&Row::new(&usage("d", 800, Some(0)), period, Surface::Cli)),
            "stale"
        );
        assert!(Filter::All.keeps(&Row::new(&usage("c", 800, Some(1)), period, Surface::Cli)));
    }

    #[test]
    fn a_mirrors_usage_record_reads_as_the_apis_answers_and_a_part_not_read_is_an_error() {
        let summary = json!({"visit_count": {"sum": "10"}, "billable_visits": {"sum": "9"}});
        let mut body = json!({
            "month": "2026-11", "from": "2026-11-01", "to": "2026-11-30",
            "summary": summary,
            "insights": {},
            "limits": {"visitors": 100},
            "metrics": [{"environment_name": "shop", "metrics_rollup": summary}],
        });
        assert_eq!(held_period(&body), Some(parse_month("2026-11").unwrap().0));
        let placed = vec![Placed {
            install: "shop".into(),
            site: "Shop".into(),
            environment: Some("production".into()),
        }];
        let answers = held_answers("acme", &body, 1, placed).unwrap();
        let usage = account_usage(Uuid::nil(), "acme".into(), answers).unwrap();
        assert_eq!(usage.traffic.billable, Some(9));
        assert_eq!(usage.installs.len(), 1);
        assert_eq!(usage.installs[0].site.as_deref(), Some("Shop"));
        // Kept by a sync before per-install figures were: no installs.
        body.as_object_mut().unwrap().remove("metrics");
        let answers = held_answers("acme", &body, 1, Vec::new()).unwrap();
        assert!(answers.chunks[0].per_install.is_empty());
        body["limits"] = Value::Null;
        let err = held_answers("acme", &body, 1, Vec::new())
            .err()
            .unwrap()
            .to_string();
        assert!(
            err.contains("no limits of account acme") && err.contains("wpe fleet sync"),
            "{err}"
        );
    }

    #[test]
    fn missing_figures_add_up_to_missing_only_when_all_are() {
        assert_eq!(add(None, None), None);
        assert_eq!(add(Some(2), None), Some(2));
        assert_eq!(add(Some(u64::MAX), Some(1)), Some(u64::MAX));
    }

    #[test]
    fn counts_and_bytes_read_easily() {
        assert_eq!(count(Some(1_234_567)), "1,234,567");
        assert_eq!(count(Some(999)), "999");
        assert_eq!(count(None), "-");
        assert_eq!(gigabytes(Some(26_460_000_000)), "26.5 GB");
        assert_eq!(share_text(Some(47.25)), "47.2%");
    }

    /// An account with a plan of 1000 visits and 10 GB, and `storage`
    /// bytes of files (and no database).
    fn usage(name: &str, billable: u64, storage: Option<u64>) -> AccountUsage {
        AccountUsage {
            id: Uuid::nil(),
            name: name.to_owned(),
            sites: 1,
            limits: AccountLimits {
                extra: Default::default(),
                visitors: Some(1000),
                storage: Some(10),
                bandwidth: None,
            },
            traffic: Traffic {
                visits: Some(billable),
                billable: Some(billable),
                bandwidth: Some(1),
            },
            environments: [Traffic::default(); 3],
            storage: Storage {
                files: storage,
                databases: storage.map(|_| 0),
            },
            storage_as_of: None,
            refreshed: false,
            installs: Vec::new(),
        }
    }

    #[test]
    fn flagged_accounts_come_first_worst_first() {
        let period = parse_month("2026-11").unwrap().0;
        let rows: Vec<Row> = [
            usage("a-fine", 100, Some(1)),
            usage("b-stale", 100, Some(0)),
            usage("c-over", 1001, Some(1)),
            usage("d-warning", 900, None),
        ]
        .iter()
        .map(|u| Row::new(u, period, Surface::Cli))
        .collect();
        let order: Vec<(String, Value)> = sorted(rows)
            .into_iter()
            .map(|r| (r.name, json!(r.data.flag)))
            .collect();
        assert_eq!(
            order,
            [
                ("c-over".to_owned(), json!("over")),
                ("d-warning".to_owned(), json!("warning")),
                ("b-stale".to_owned(), json!("stale")),
                ("a-fine".to_owned(), Value::Null),
            ]
        );
    }

    /// An account of two installs with figures to check by hand: 3,000
    /// billable visits of 4,000 (75 %), 150 GB of bandwidth of 400 GB,
    /// storage 1.2 GB of files and 0.3 GB of database in one install and
    /// 2.0 + 0.5 GB in the other (4.0 GB of 10 GB).
    fn two_installs() -> AccountUsage {
        let install =
            |name: &str, environment: &str, visits: u64, gb: u64, files, databases| InstallUsage {
                name: name.to_owned(),
                site: Some("Shop".to_owned()),
                environment: Some(environment.to_owned()),
                traffic: Traffic {
                    visits: Some(visits),
                    billable: Some(visits / 2),
                    bandwidth: Some(gb * 1_000_000_000),
                },
                storage: Storage {
                    files: Some(files),
                    databases: Some(databases),
                },
            };
        let installs = vec![
            install("shop", "production", 4_000, 100, 1_200_000_000, 300_000_000),
            install("shopstg", "staging", 2_000, 50, 2_000_000_000, 500_000_000),
        ];
        AccountUsage {
            id: Uuid::nil(),
            name: "acme".to_owned(),
            sites: 1,
            limits: AccountLimits {
                extra: Default::default(),
                visitors: Some(4_000),
                storage: Some(10),
                bandwidth: Some(400),
            },
            traffic: Traffic {
                visits: Some(6_000),
                billable: Some(3_000),
                bandwidth: Some(150_000_000_000),
            },
            environments: [Traffic::default(); 3],
            storage: Storage {
                files: Some(3_200_000_000),
                databases: Some(800_000_000),
            },
            storage_as_of: None,
            refreshed: false,
            installs,
        }
    }

    fn rendered(rows: &[Row], filter: Filter, format: Format) -> String {
        let header = Header {
            period: parse_month("2026-11").unwrap().0,
            generated: "2026-12-01T09:30:59Z".parse().unwrap(),
            prepared_for: Some("Acme Ltd"),
            filter,
            source: None,
        };
        let mut out = Vec::new();
        print(&mut out, rows, &header, format).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn markdown_has_a_header_a_section_per_account_and_each_installs_bandwidth_and_storage() {
        let period = parse_month("2026-11").unwrap().0;
        let rows = vec![
            Row::new(&two_installs(), period, Surface::Cli),
            Row::new(&usage("other", 10, Some(5)), period, Surface::Cli),
        ];
        let text = rendered(&rows, Filter::All, Format::Markdown);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "# Usage from 2026-11-01 to 2026-11-30 (30 days)");
        assert!(lines.contains(&"- Prepared for: Acme Ltd"), "{text}");
        assert!(
            lines.contains(&"- Generated: 2026-12-01 09:30 UTC"),
            "{text}"
        );
        assert!(
            lines
                .iter()
                .any(|l| l
                    .starts_with("- Units: GB are decimal gigabytes (1 GB = 1,000,000,000 bytes")),
            "{text}"
        );
        let sections: Vec<&str> = lines
            .iter()
            .filter(|l| l.starts_with("## "))
            .copied()
            .collect();
        assert_eq!(sections, ["## Summary", "## acme", "## other"]);
        let acme = &text[text.find("## acme").unwrap()..text.find("## other").unwrap()];
        for line in [
            "| billable visits | 3,000 | 4,000 | 75.0% |",
            "| bandwidth | 150.0 GB | 400.0 GB | 37.5% |",
            "| storage (files + database) | 4.0 GB | 10.0 GB | 40.0% |",
            "| storage: files | 3.2 GB | - | - |",
            "| storage: database | 0.8 GB | - | - |",
            "### Environments",
            "| install | site | environment | visits | billable | bandwidth | storage | files | database |",
            "| shop | Shop | production | 4,000 | 2,000 | 100.0 GB | 1.5 GB | 1.2 GB | 0.3 GB |",
            "| shopstg | Shop | staging | 2,000 | 1,000 | 50.0 GB | 2.5 GB | 2.0 GB | 0.5 GB |",
        ] {
            assert!(acme.lines().any(|l| l == line), "no `{line}` in:\n{acme}");
        }
        assert!(acme.contains("Within the plan."), "{acme}");
        let other = &text[text.find("## other").unwrap()..];
        assert!(other.contains("### Environments\n\n(none)"), "{other}");
    }

    #[test]
    fn the_table_is_headed_by_who_it_is_for_when_and_its_units_and_json_carries_the_split() {
        let period = parse_month("2026-11").unwrap().0;
        let rows = vec![Row::new(&two_installs(), period, Surface::Cli)];
        let text = rendered(&rows, Filter::AtLeast(Hundredths(7500)), Format::Table);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[..3],
            [
                "Usage from 2026-11-01 to 2026-11-30 (30 days)",
                "Prepared for: Acme Ltd",
                "Generated: 2026-12-01 09:30 UTC"
            ]
        );
        assert!(
            lines[3].starts_with("Units: GB are decimal gigabytes"),
            "{text}"
        );
        assert_eq!(
            lines[4],
            "Showing: only the accounts at or over 75% of a limit"
        );
        let json: Value =
            serde_json::from_str(&rendered(&rows, Filter::All, Format::Json)).unwrap();
        let row = &json[0];
        assert_eq!(row["storage_bytes"], 4_000_000_000u64);
        assert_eq!(row["storage_files_bytes"], 3_200_000_000u64);
        assert_eq!(row["storage_database_bytes"], 800_000_000u64);
        assert_eq!(row["installs"][1]["install"], "shopstg");
        assert_eq!(row["installs"][1]["bandwidth_bytes"], 50_000_000_000u64);
        assert_eq!(row["installs"][1]["storage_bytes"], 2_500_000_000u64);
        let csv = rendered(&rows, Filter::All, Format::Csv);
        assert!(
            !csv.contains("installs"),
            "CSV stays one flat row an account: {csv}"
        );
    }

    #[test]
    fn a_storage_part_not_reported_is_named_and_the_total_is_what_was() {
        let period = parse_month("2026-11").unwrap().0;
        let mut usage = two_installs();
        usage.storage.databases = None;
        let row = Row::new(&usage, period, Surface::Cli);
        assert_eq!(row.data.storage_bytes, Some(3_200_000_000));
        assert_eq!(row.data.storage_database_bytes, None);
        assert!(
            row.notes.contains("database storage not reported"),
            "{}",
            row.notes
        );
    }
}
