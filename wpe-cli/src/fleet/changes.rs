//! `wpe fleet changes`: what changed in the fleet between two snapshots of
//! the mirror, field by field.
//!
//! A record that was added or removed is one row; a record that changed is
//! a row per field that differs, named by its dotted JSON path
//! (`php_version`, `network_details.network_info.ssl.status`; a list is
//! compared as one value). Rows are grouped by account and install, with
//! the names the mirror had at the later snapshot (at the earlier one for
//! what was removed).
//!
//! Only the rows of `records` that appeared or disappeared between the two
//! snapshots are read (through the `records_appeared` and
//! `records_disappeared` indexes), never the whole mirror, so the time
//! taken follows the size of the change, not of the fleet.
//!
//! The choice of the two snapshots (`--since`, `--from`, `--to`, or the
//! last two), the names and the records that differ are shared with
//! `wpe fleet access --changes` ([`super::access`]).

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::io::{self, BufWriter, Write};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use clap::builder::PossibleValue;
use clap::{value_parser, ArgMatches, Args, Command, FromArgMatches, ValueEnum};
use rusqlite::{params, OptionalExtension};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::store::{timestamp, Kind, Snapshot};
use super::Mirror;
use crate::error::CliError;
use crate::mcp::limits::{quote, DEFAULT_ROWS, MAX_NAME, MAX_ROWS};
use crate::output::Format;
use crate::surface::Invalid;

/// The command's name.
pub const NAME: &str = "changes";

/// The columns of a row, in the order CSV prints them (a table prints the
/// first [`TABLE_COLUMNS`]; JSON has them all).
pub const COLUMNS: [&str; 11] = [
    "account",
    "install",
    "kind",
    "subject",
    "change",
    "field",
    "before",
    "after",
    "account_id",
    "install_id",
    "key",
];

/// How many of [`COLUMNS`] a table shows: not the IDs.
const TABLE_COLUMNS: usize = 8;

/// The largest snapshot ID a tool's argument may give.
const MAX_SNAPSHOT: i64 = i64::MAX;

/// What `wpe fleet changes` and `wpe mcp`'s tool of it take: flags on the
/// command line, properties of the tool's arguments.
#[derive(Debug, Clone, Args, Deserialize, JsonSchema)]
#[group(skip)]
#[serde(deny_unknown_fields)]
pub struct Options {
    /// From the newest snapshot at least this old (7d, 12h, 2weeks, or an RFC 3339 time) to the newest
    #[arg(long, value_name = "AGE", value_parser = Since::parse, conflicts_with_all = ["from", "to"])]
    pub since: Option<Since>,
    /// From this snapshot (its ID, as `wpe fleet snapshots` lists them)
    #[arg(long, value_name = "SNAP", value_parser = value_parser!(i64).range(1..))]
    #[schemars(range(min = 1, max = MAX_SNAPSHOT))]
    pub from: Option<i64>,
    /// To this snapshot (its ID) [default: the newest]
    #[arg(long, value_name = "SNAP", requires = "from", value_parser = value_parser!(i64).range(1..))]
    #[schemars(range(min = 1, max = MAX_SNAPSHOT))]
    pub to: Option<i64>,
    /// Only records of this kind (repeatable) [default: every kind but backup]
    #[arg(long, value_name = "KIND", value_enum, value_delimiter = ',')]
    #[serde(default)]
    #[schemars(length(max = 12))]
    pub kind: Vec<RecordKind>,
    /// Only the records of this account (its name or ID, as the mirror has it)
    #[arg(long, value_name = "ACCOUNT")]
    #[schemars(length(min = 1, max = MAX_NAME))]
    pub account: Option<String>,
    /// Exit 1 when anything changed, after printing it (for CI)
    #[arg(long)]
    #[serde(skip)]
    pub fail_on_change: bool,
    /// How many rows a page of the tool's answer has (the command prints every row)
    #[arg(skip = DEFAULT_ROWS)]
    #[serde(default = "crate::mcp::limits::default_rows")]
    #[schemars(
        description = "How many rows to answer; `next_cursor` leads to the rest.",
        range(min = 1, max = MAX_ROWS)
    )]
    pub limit: u32,
    /// Where a page of the tool's answer starts: the `next_cursor` of the page before
    #[arg(skip)]
    #[schemars(
        description = "Where the page starts: the `next_cursor` of the page before (leave it \
                       out for the first page).",
        length(min = 1, max = MAX_NAME)
    )]
    pub cursor: Option<String>,
}

/// `wpe fleet changes`.
pub fn command() -> Command {
    Options::augment_args(Command::new(NAME))
        .about("What changed between two snapshots of the mirror, field by field")
        .long_about(
            "What was added, removed or changed in the fleet between two snapshots of the \
             mirror: by default the one before the newest and the newest; --since 7d from the \
             newest snapshot at least 7 days old; --from and --to by ID (`wpe fleet \
             snapshots` lists them). A changed record has a row per field that differs, named \
             by its JSON path (php_version, network_details.network_info.ssl.status); a list \
             is compared as a whole. Rows are grouped by account, install, kind and subject. \
             Backups are left out unless --kind backup is given: the newest backups of every \
             install come and go every day. SSH keys belong to the API user, not to an \
             account, so --account leaves them out (`wpe fleet access --changes` shows what \
             they reach). Answers from the mirror alone, with no API call.",
        )
}

/// A kind of record, as `--kind` and the rows name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct RecordKind(pub Kind);

impl RecordKind {
    /// Every kind, in the order rows are grouped.
    const ALL: [RecordKind; 12] = {
        let all = Kind::ALL;
        [
            RecordKind(all[0]),
            RecordKind(all[1]),
            RecordKind(all[2]),
            RecordKind(all[3]),
            RecordKind(all[4]),
            RecordKind(all[5]),
            RecordKind(all[6]),
            RecordKind(all[7]),
            RecordKind(all[8]),
            RecordKind(all[9]),
            RecordKind(all[10]),
            RecordKind(all[11]),
        ]
    };
}

impl From<RecordKind> for String {
    fn from(kind: RecordKind) -> String {
        kind.0.as_str().to_owned()
    }
}

impl TryFrom<String> for RecordKind {
    type Error = String;

    fn try_from(name: String) -> Result<Self, String> {
        Kind::from_name(&name).map(RecordKind).ok_or_else(|| {
            format!(
                "{} is not a kind of record; the kinds are {}",
                quote(&name),
                kind_names().join(", ")
            )
        })
    }
}

impl ValueEnum for RecordKind {
    fn value_variants<'a>() -> &'a [Self] {
        &Self::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.0.as_str()))
    }
}

impl JsonSchema for RecordKind {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "RecordKind".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "enum": kind_names(),
            "maxLength": 16,
        })
    }
}

/// The names of the kinds, in the order rows are grouped.
fn kind_names() -> Vec<&'static str> {
    Kind::ALL.iter().map(|kind| kind.as_str()).collect()
}

/// Where a kind's rows come in the order of [`Kind::ALL`].
fn kind_rank(kind: Kind) -> usize {
    Kind::ALL
        .iter()
        .position(|k| *k == kind)
        .unwrap_or(Kind::ALL.len())
}

/// How far back `--since` reaches: a span of time before now, or a time.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub enum Since {
    /// A span before now (`7d`, `12h`, `2weeks`, `1h 30m`).
    Ago(Duration),
    /// A time (RFC 3339, or a day `YYYY-MM-DD` at midnight UTC).
    At(DateTime<Utc>),
}

impl Since {
    /// Reads a span (`7d`) or a time (`2026-11-01T00:00:00Z`, `2026-11-01`).
    pub fn parse(text: &str) -> Result<Since, String> {
        let text = text.trim();
        if let Ok(span) = humantime::parse_duration(text) {
            return Ok(Since::Ago(span));
        }
        if let Ok(at) = DateTime::parse_from_rfc3339(text) {
            return Ok(Since::At(at.with_timezone(&Utc)));
        }
        if let Some(midnight) = NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()
            .and_then(|day| day.and_hms_opt(0, 0, 0))
        {
            return Ok(Since::At(midnight.and_utc()));
        }
        Err(format!(
            "{} is neither a span of time (7d, 12h, 2weeks, 1h 30m) nor a time (RFC 3339, \
             like 2026-11-01T00:00:00Z, or a day like 2026-11-01)",
            quote(text)
        ))
    }

    /// The time it names, given the time it is now.
    pub fn cutoff(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        match self {
            Since::At(at) => *at,
            Since::Ago(span) => chrono::Duration::from_std(*span)
                .ok()
                .and_then(|span| now.checked_sub_signed(span))
                .unwrap_or(DateTime::<Utc>::MIN_UTC),
        }
    }
}

impl TryFrom<String> for Since {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        Since::parse(&text)
    }
}

impl fmt::Display for Since {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // As given when it was whole days or hours (7d, 12h).
            Since::Ago(span) => match span.as_secs() {
                secs if span.subsec_nanos() == 0 && secs > 0 && secs % 86_400 == 0 => {
                    write!(f, "{}d", secs / 86_400)
                }
                secs if span.subsec_nanos() == 0 && secs > 0 && secs % 3_600 == 0 => {
                    write!(f, "{}h", secs / 3_600)
                }
                _ => write!(f, "{}", humantime::format_duration(*span)),
            },
            Since::At(at) => f.write_str(&timestamp(*at)),
        }
    }
}

impl JsonSchema for Since {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Since".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "minLength": 1,
            "maxLength": MAX_NAME,
        })
    }
}

/// Which two snapshots to compare, as the options give them: `since`, or
/// `from` and maybe `to`, or neither (the last two).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Range {
    /// From the newest snapshot at least this old.
    pub since: Option<Since>,
    /// From this snapshot.
    pub from: Option<i64>,
    /// To this snapshot (with `from`; the newest without).
    pub to: Option<i64>,
}

/// A snapshot as a comparison names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct SnapshotRef {
    /// Its ID.
    pub id: i64,
    /// When it was written.
    pub finished_at: DateTime<Utc>,
}

impl From<&Snapshot> for SnapshotRef {
    fn from(snapshot: &Snapshot) -> Self {
        SnapshotRef {
            id: snapshot.id,
            finished_at: snapshot.finished_at,
        }
    }
}

impl fmt::Display for SnapshotRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "snapshot {} ({})",
            self.id,
            self.finished_at.format("%Y-%m-%d %H:%M UTC")
        )
    }
}

/// The two snapshots compared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Between {
    /// The earlier.
    pub from: SnapshotRef,
    /// The later.
    pub to: SnapshotRef,
    /// Something to know about the choice (no snapshot as old as `since`,
    /// only one snapshot), for stderr.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Chooses the two snapshots `range` names: `--from` (and `--to`, or the
/// newest); `--since` (from the newest snapshot finished at or before
/// `now` less the span, or the oldest with a note when none is that old,
/// to the newest); otherwise the one before the newest and the newest.
pub fn between(mirror: &Mirror, range: &Range, now: DateTime<Utc>) -> Result<Between, CliError> {
    if range.since.is_some() && range.from.is_some() {
        return Err(CliError::Invalid(Invalid::Conflicts {
            option: "since",
            other: "from",
        }));
    }
    if range.since.is_some() && range.to.is_some() {
        return Err(CliError::Invalid(Invalid::Conflicts {
            option: "since",
            other: "to",
        }));
    }
    if range.to.is_some() && range.from.is_none() {
        return Err(CliError::Invalid(Invalid::Requires {
            option: "to",
            needs: "from",
        }));
    }
    let snapshots = mirror.snapshots()?;
    let (Some(oldest), Some(newest)) = (snapshots.first(), snapshots.last()) else {
        return Err(CliError::Usage(format!(
            "the mirror at {} has no snapshot yet: run `wpe fleet sync` first",
            mirror.path().display()
        )));
    };
    let find = |id: i64| {
        snapshots.iter().find(|s| s.id == id).ok_or_else(|| {
            CliError::Usage(format!(
                "the mirror at {} has no snapshot {id}: its snapshots run from {} to {} \
                 (`wpe fleet snapshots` lists them)",
                mirror.path().display(),
                oldest.id,
                newest.id
            ))
        })
    };
    let (from, to, note) = if let Some(from) = range.from {
        let from = find(from)?;
        let to = match range.to {
            Some(to) => find(to)?,
            None => newest,
        };
        if from.id > to.id {
            return Err(CliError::Usage(format!(
                "snapshot {} is newer than snapshot {}: give the older one as the start \
                 (--from) and the newer as the end (--to)",
                from.id, to.id
            )));
        }
        (from, to, None)
    } else if let Some(since) = &range.since {
        let cutoff = since.cutoff(now);
        match snapshots.iter().rev().find(|s| s.finished_at <= cutoff) {
            Some(from) if from.id == newest.id => (
                from,
                newest,
                Some(format!(
                    "no snapshot was written after {}: run `wpe fleet sync` to see what \
                     changed since",
                    timestamp(cutoff)
                )),
            ),
            Some(from) => (from, newest, None),
            None => (
                oldest,
                newest,
                Some(format!(
                    "no snapshot was written by {}{}: comparing from the oldest, {}",
                    timestamp(cutoff),
                    match since {
                        Since::Ago(_) => format!(" ({since} ago)"),
                        Since::At(_) => String::new(),
                    },
                    SnapshotRef::from(oldest)
                )),
            ),
        }
    } else if snapshots.len() < 2 {
        (
            newest,
            newest,
            Some(format!(
                "the mirror has one snapshot ({}), and nothing before it to compare it with: \
                 run `wpe fleet sync` again later",
                newest.id
            )),
        )
    } else {
        (&snapshots[snapshots.len() - 2], newest, None)
    };
    Ok(Between {
        from: from.into(),
        to: to.into(),
        note,
    })
}

/// What happened to a record between two snapshots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// It is at the later snapshot, not at the earlier.
    Added,
    /// It is at the earlier snapshot, not at the later.
    Removed,
    /// It is at both, with a field that differs.
    Changed,
}

/// One row of `wpe fleet changes`: a record added or removed, or one field
/// of a record that changed.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Change {
    /// The account's name (its ID when the mirror has no name for it); null
    /// for an SSH key, which belongs to the API user.
    pub account: Option<String>,
    /// The install's name, for a record of an install (or an install).
    pub install: Option<String>,
    /// What kind of record it is.
    pub kind: RecordKind,
    /// A name for people: a domain's name, a user's email, a key's comment,
    /// a certificate's common name, an install's name, …
    pub subject: String,
    /// Added, removed or changed.
    pub change: ChangeKind,
    /// The dotted JSON path of the field that changed (null for a record
    /// added or removed, or whose whole body is not an object).
    pub field: Option<String>,
    /// The field's value at the earlier snapshot (null when it had none).
    pub before: Value,
    /// The field's value at the later snapshot (null when it has none).
    pub after: Value,
    /// The account's ID.
    pub account_id: Option<String>,
    /// The install's ID.
    pub install_id: Option<String>,
    /// The record's key (unique within its kind).
    pub key: String,
}

/// What `wpe fleet changes` answers: the two snapshots and the rows.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Changes {
    /// The snapshots compared.
    #[serde(flatten)]
    pub between: Between,
    /// The rows, by account, install, kind, subject and field.
    pub items: Vec<Change>,
}

/// Runs `wpe fleet changes`.
pub fn run(mirror: &Mirror, matches: &ArgMatches, format: Format) -> Result<(), CliError> {
    let options =
        Options::from_arg_matches(matches).map_err(|err| CliError::Usage(err.to_string()))?;
    let changes = collect(mirror, &options, Utc::now())?;
    if let Some(note) = &changes.between.note {
        eprintln!("wpe: {note}");
    }
    let mut out = BufWriter::new(io::stdout().lock());
    print(&mut out, format, &changes.items)?;
    out.flush()?;
    let Between { from, to, .. } = &changes.between;
    let count = changes.items.len();
    if count == 0 {
        eprintln!("wpe: nothing changed between {from} and {to}");
    } else if options.fail_on_change {
        return Err(CliError::Failed(format!(
            "{count} change(s) between {from} and {to} (--fail-on-change)"
        )));
    }
    Ok(())
}

/// Prints `rows` in `format`: a table of the names, or every column.
pub fn print(out: &mut impl Write, format: Format, rows: &[Change]) -> Result<(), CliError> {
    super::print_rows(out, format, &COLUMNS, TABLE_COLUMNS, rows)
}

/// The changes `options` asks for, `now` being the time `--since` counts
/// back from: for the command and for `wpe mcp`.
pub fn collect(
    mirror: &Mirror,
    options: &Options,
    now: DateTime<Utc>,
) -> Result<Changes, CliError> {
    let between = between(
        mirror,
        &Range {
            since: options.since.clone(),
            from: options.from,
            to: options.to,
        },
        now,
    )?;
    let kinds: Vec<Kind> = if options.kind.is_empty() {
        Kind::ALL
            .into_iter()
            .filter(|kind| *kind != Kind::Backup)
            .collect()
    } else {
        options.kind.iter().map(|kind| kind.0).collect()
    };
    let account = match &options.account {
        Some(given) => Some(resolve(mirror, Kind::Account, given)?),
        None => None,
    };
    let differs = differing(mirror, &between, &kinds, account.as_deref())?;
    let mut names = Names::new(mirror);
    let mut rows = Vec::new();
    for record in &differs {
        rows_of(record, &between, &mut names, &mut rows)?;
    }
    rows.sort_by(|a, b| {
        (
            &a.account,
            &a.install,
            kind_rank(a.kind.0),
            &a.subject,
            &a.field,
        )
            .cmp(&(
                &b.account,
                &b.install,
                kind_rank(b.kind.0),
                &b.subject,
                &b.field,
            ))
            .then_with(|| (a.change, &a.key).cmp(&(b.change, &b.key)))
    });
    Ok(Changes {
        between,
        items: rows,
    })
}

/// The rows of one record that differs.
fn rows_of(
    record: &Differs,
    between: &Between,
    names: &mut Names<'_>,
    rows: &mut Vec<Change>,
) -> Result<(), CliError> {
    let (first, then) = match &record.after {
        Some(_) => (between.to.id, between.from.id),
        None => (between.from.id, between.to.id),
    };
    let account = match &record.account_id {
        Some(id) => Some(names.name_or_id(Kind::Account, id, first, then)?),
        None => None,
    };
    // An install is under itself.
    let install_id = match (&record.install_id, record.kind) {
        (Some(id), _) => Some(id.clone()),
        (None, Kind::Install) => Some(record.key.clone()),
        (None, _) => None,
    };
    let install = match &install_id {
        Some(id) => Some(names.name_or_id(Kind::Install, id, first, then)?),
        None => None,
    };
    let body = record.after.as_ref().or(record.before.as_ref());
    let row = |change, field, before, after| Change {
        account: account.clone(),
        install: install.clone(),
        kind: RecordKind(record.kind),
        subject: subject(record.kind, &record.key, body.unwrap_or(&Value::Null)),
        change,
        field,
        before,
        after,
        account_id: record.account_id.clone(),
        install_id: install_id.clone(),
        key: record.key.clone(),
    };
    match (&record.before, &record.after) {
        (None, Some(_)) => rows.push(row(ChangeKind::Added, None, Value::Null, Value::Null)),
        (Some(_), None) => rows.push(row(ChangeKind::Removed, None, Value::Null, Value::Null)),
        (Some(before), Some(after)) => {
            let mut fields = Vec::new();
            diff_fields("", before, after, &mut fields);
            for (field, before, after) in fields {
                rows.push(row(ChangeKind::Changed, field, before, after));
            }
        }
        (None, None) => {}
    }
    Ok(())
}

/// A name for people of a record of `kind`, from its body; the last part
/// of its key when the body has none.
pub fn subject(kind: Kind, key: &str, body: &Value) -> String {
    let text = |field: &str| {
        body.get(field)
            .and_then(Value::as_str)
            .filter(|text| !text.is_empty())
            .map(str::to_owned)
    };
    let found = match kind {
        Kind::AccountUser => text("email"),
        Kind::Certificate => text("common_name"),
        Kind::SshKey => text("comment").or_else(|| text("fingerprint")),
        Kind::Backup => None,
        Kind::CacheExclusions => Some("cache exclusions".to_owned()),
        Kind::OffloadSettings => Some("offload settings".to_owned()),
        Kind::UsageSummary => text("month").map(|month| format!("usage of {month}")),
        Kind::Account | Kind::Site | Kind::Install | Kind::Domain | Kind::SftpUser => text("name"),
    };
    found.unwrap_or_else(|| key.rsplit('/').next().unwrap_or(key).to_owned())
}

/// The fields that differ between `before` and `after` (two versions of a
/// body, or of a field at `path`), as (path, before, after): objects are
/// compared field by field, anything else (a list too) as one value; a
/// field one side lacks is null there.
pub fn diff_fields(
    path: &str,
    before: &Value,
    after: &Value,
    out: &mut Vec<(Option<String>, Value, Value)>,
) {
    match (before, after) {
        (Value::Object(b), Value::Object(a)) => {
            let keys: BTreeSet<&String> = b.keys().chain(a.keys()).collect();
            for key in keys {
                let (bv, av) = (
                    b.get(key).unwrap_or(&Value::Null),
                    a.get(key).unwrap_or(&Value::Null),
                );
                if bv != av {
                    diff_fields(&join_path(path, key), bv, av, out);
                }
            }
        }
        _ if before == after => {}
        _ => out.push((
            (!path.is_empty()).then(|| path.to_owned()),
            before.clone(),
            after.clone(),
        )),
    }
}

/// `path.key`; a key that is not plain letters, digits, `_` and `-` is
/// quoted as a JSON string, so that a path reads back unambiguously.
fn join_path(path: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    let key = if plain {
        key.to_owned()
    } else {
        Value::from(key).to_string()
    };
    if path.is_empty() {
        key
    } else {
        format!("{path}.{key}")
    }
}

/// A record that differs between two snapshots: its body at the earlier
/// (`None`: not there) and at the later (`None`: gone).
#[derive(Debug, Clone, PartialEq)]
pub struct Differs {
    /// Its kind.
    pub kind: Kind,
    /// Its key.
    pub key: String,
    /// The account it belongs to.
    pub account_id: Option<String>,
    /// The install it belongs to.
    pub install_id: Option<String>,
    /// Its body at the earlier snapshot.
    pub before: Option<Value>,
    /// Its body at the later snapshot.
    pub after: Option<Value>,
}

/// The statement that reads what differs: the versions that became
/// current between the two snapshots and are still current at the later
/// (their `after`), and the versions current at the earlier that were
/// closed by the later (their `before`). `+kind` and `+account_id` keep
/// SQLite on the `appeared` and `disappeared` indexes: only the rows that
/// changed are read.
const DIFFERING: &str = "\
SELECT 1, kind, key, account_id, install_id, body FROM records
 WHERE appeared > ?1 AND appeared <= ?2 AND (disappeared IS NULL OR disappeared > ?2)
   AND +kind IN (SELECT value FROM json_each(?3))
   AND (?4 IS NULL OR +account_id = ?4)
UNION ALL
SELECT 0, kind, key, account_id, install_id, body FROM records
 WHERE disappeared > ?1 AND disappeared <= ?2 AND appeared <= ?1
   AND +kind IN (SELECT value FROM json_each(?3))
   AND (?4 IS NULL OR +account_id = ?4)";

/// The records of `kinds` (of `account`, when given) that differ between
/// the two snapshots of `between`, in no order.
pub fn differing(
    mirror: &Mirror,
    between: &Between,
    kinds: &[Kind],
    account: Option<&str>,
) -> Result<Vec<Differs>, CliError> {
    let (from, to) = (between.from.id, between.to.id);
    if from >= to || kinds.is_empty() {
        return Ok(Vec::new());
    }
    let fail = sqlite(mirror, "reading what changed");
    let kinds = Value::from(kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>()).to_string();
    let mut statement = mirror.conn().prepare_cached(DIFFERING).map_err(&fail)?;
    let mut rows = statement
        .query(params![from, to, kinds, account])
        .map_err(&fail)?;
    // (kind, key) -> (account, install, body before, body after), as text.
    type Sides = (
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let mut found: HashMap<(String, String), Sides> = HashMap::new();
    while let Some(row) = rows.next().map_err(&fail)? {
        let after: bool = row.get(0).map_err(&fail)?;
        let kind: String = row.get(1).map_err(&fail)?;
        let key: String = row.get(2).map_err(&fail)?;
        let account_id: Option<String> = row.get(3).map_err(&fail)?;
        let install_id: Option<String> = row.get(4).map_err(&fail)?;
        let body: String = row.get(5).map_err(&fail)?;
        let sides = found.entry((kind, key)).or_default();
        // The later version's account and install win (a record that moved).
        if after || sides.0.is_none() {
            sides.0 = account_id;
        }
        if after || sides.1.is_none() {
            sides.1 = install_id;
        }
        if after {
            sides.3 = Some(body);
        } else {
            sides.2 = Some(body);
        }
    }
    let mut differs = Vec::new();
    for ((kind, key), (account_id, install_id, before, after)) in found {
        if before == after {
            continue;
        }
        let Some(kind) = Kind::from_name(&kind) else {
            continue;
        };
        differs.push(Differs {
            kind,
            key,
            account_id,
            install_id,
            before: before.as_deref().map(body),
            after: after.as_deref().map(body),
        });
    }
    Ok(differs)
}

/// A body as JSON (the mirror checks it is; one too deep for serde is kept
/// as its text).
fn body(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned()))
}

/// The error of a failed query of the mirror, saying what was being done.
pub fn sqlite<'m>(
    mirror: &'m Mirror,
    doing: &'static str,
) -> impl Fn(rusqlite::Error) -> CliError + 'm {
    move |source| CliError::Mirror(mirror.failed(doing, source))
}

/// The `name` of records as the mirror had them at a snapshot, looked up
/// one record at a time (by the `records_key` index) and kept.
pub struct Names<'m> {
    mirror: &'m Mirror,
    known: HashMap<(Kind, String, i64), Option<String>>,
}

impl<'m> Names<'m> {
    /// Names from `mirror`.
    pub fn new(mirror: &'m Mirror) -> Self {
        Names {
            mirror,
            known: HashMap::new(),
        }
    }

    /// The `name` of the record `kind`/`key` current at `snapshot`, if it
    /// was there and has one.
    pub fn at(&mut self, kind: Kind, key: &str, snapshot: i64) -> Result<Option<String>, CliError> {
        if let Some(known) = self.known.get(&(kind, key.to_owned(), snapshot)) {
            return Ok(known.clone());
        }
        let fail = sqlite(self.mirror, "reading a name");
        let name: Option<Option<String>> = self
            .mirror
            .conn()
            .prepare_cached(
                "SELECT body ->> '$.name' FROM records WHERE kind = ?1 AND key = ?2 \
                 AND appeared <= ?3 AND (disappeared IS NULL OR disappeared > ?3) LIMIT 1",
            )
            .and_then(|mut s| {
                s.query_row(params![kind.as_str(), key, snapshot], |row| row.get(0))
                    .optional()
            })
            .map_err(fail)?;
        let name = name.flatten();
        self.known
            .insert((kind, key.to_owned(), snapshot), name.clone());
        Ok(name)
    }

    /// The name at `first`, else at `then`, else the key itself.
    pub fn name_or_id(
        &mut self,
        kind: Kind,
        key: &str,
        first: i64,
        then: i64,
    ) -> Result<String, CliError> {
        if let Some(name) = self.at(kind, key, first)? {
            return Ok(name);
        }
        Ok(self.at(kind, key, then)?.unwrap_or_else(|| key.to_owned()))
    }
}

/// The ID of the account or install (`kind`) named or identified by
/// `given` in the mirror: by ID, or by name (any case), the current one
/// first, else one that was removed. No API call.
pub fn resolve(mirror: &Mirror, kind: Kind, given: &str) -> Result<String, CliError> {
    let fail = sqlite(mirror, "looking up a name");
    let found: Option<String> = mirror
        .conn()
        .prepare_cached(
            "SELECT key FROM records WHERE kind = ?1 \
               AND (key = ?2 OR lower(body ->> '$.name') = lower(?2)) \
             ORDER BY key = ?2 DESC, disappeared IS NULL DESC, appeared DESC LIMIT 1",
        )
        .and_then(|mut s| {
            s.query_row(params![kind.as_str(), given], |row| row.get(0))
                .optional()
        })
        .map_err(&fail)?;
    if let Some(id) = found {
        return Ok(id);
    }
    let noun = match kind {
        Kind::Install => "install",
        _ => "account",
    };
    let mut statement = mirror
        .conn()
        .prepare_cached(
            "SELECT DISTINCT body ->> '$.name' AS name FROM current_records WHERE kind = ?1 \
               AND name IS NOT NULL ORDER BY name LIMIT 11",
        )
        .map_err(&fail)?;
    let known: Vec<String> = statement
        .query_map([kind.as_str()], |row| row.get(0))
        .and_then(|rows| rows.collect())
        .map_err(&fail)?;
    let listed = match known.len() {
        0 => format!("it has no {noun}"),
        1..=10 => format!("its {noun}s are {}", known.join(", ")),
        _ => format!("its {noun}s include {}, …", known[..10].join(", ")),
    };
    Err(CliError::Usage(format!(
        "the mirror has no {noun} named {} (nor with that ID): {listed}; one created since the \
         last `wpe fleet sync` needs another sync",
        quote(given)
    )))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    pub use crate::fleet::store::testing::{record, snapshot};
    use crate::fleet::store::Record;
    use serde_json::json;

    pub const ACCOUNT: &str = "d9872d6a-a29a-4b9b-954a-ae4211a9280f";
    pub const OTHER_ACCOUNT: &str = "5163c5cb-5477-48aa-9533-acef00e607aa";
    pub const TORQUEMAG: &str = "89924e65-96da-4303-9a0c-fabb92ebc62d";
    pub const STAGING: &str = "118b8695-7171-4e01-a1ed-f723ef42f7ea";
    pub const CLIENTBLOG: &str = "355467da-7781-4070-9a61-5ddc5bf93f7a";
    pub const PAT: &str = "76f86620-00d8-4c8e-aee7-a44c10e7c26e";
    pub const JANE: &str = "ed9e2b39-8a71-409a-acbc-d28054150c60";
    pub const KEY: &str = "66917af4-17e4-4cb7-90e5-c277189d3c24";
    pub const NEW_KEY: &str = "0b7e1c2d-3f4a-4b5c-8d6e-7f8091a2b3c4";

    pub fn account(id: &str, name: &str) -> Record {
        record(
            Kind::Account,
            id,
            Some(id),
            None,
            json!({"id": id, "name": name}),
        )
    }

    pub fn install(id: &str, account: &str, name: &str, php: &str) -> Record {
        record(
            Kind::Install,
            id,
            Some(account),
            None,
            json!({"account": {"id": account}, "cname": format!("{name}.wpengine.com"),
                   "environment": "production", "id": id, "name": name,
                   "php_version": php, "primary_domain": null, "status": "active"}),
        )
    }

    pub fn user(account: &str, id: &str, email: &str, roles: &str, installs: Value) -> Record {
        record(
            Kind::AccountUser,
            format!("{account}/{id}"),
            Some(account),
            None,
            json!({"account_id": account, "email": email, "first_name": "A", "installs": installs,
                   "invite_accepted": true, "last_name": "User", "mfa_enabled": true,
                   "roles": roles, "user_id": id}),
        )
    }

    pub fn domain(install: &str, account: &str, id: &str, name: &str, ssl: &str) -> Record {
        record(
            Kind::Domain,
            format!("{install}/{id}"),
            Some(account),
            Some(install),
            json!({"duplicate": false, "id": id, "name": name,
                   "network_details": {"dns_config_info": {"a_records": ["141.193.213.10"]},
                                       "network_info": {"ssl": {"status": ssl},
                                                        "status": "ACTIVE"}},
                   "primary": false, "redirects_to": []}),
        )
    }

    pub fn ssh_key(uuid: &str, comment: &str, fingerprint: &str) -> Record {
        record(
            Kind::SshKey,
            uuid,
            None,
            None,
            json!({"comment": comment, "created_at": "2026-11-27T14:37:06+00:00",
                   "fingerprint": fingerprint, "uuid": uuid}),
        )
    }

    pub fn sftp(install: &str, account: &str, name: &str, path: &str) -> Record {
        record(
            Kind::SftpUser,
            format!("{install}/{name}"),
            Some(account),
            Some(install),
            json!({"name": name, "path": path}),
        )
    }

    pub fn backup(install: &str, account: &str, id: &str) -> Record {
        record(
            Kind::Backup,
            format!("{install}/{id}"),
            Some(account),
            Some(install),
            json!({"id": id, "status": "completed", "description": "nightly"}),
        )
    }

    /// The fleet of the first snapshot: demoagency (torquemag and its
    /// staging, jane full, pat partial on torquemag, a domain, an SFTP user,
    /// a backup) and democlient (clientblog), one SSH key.
    pub fn first_fleet() -> Vec<Record> {
        vec![
            account(ACCOUNT, "demoagency"),
            account(OTHER_ACCOUNT, "democlient"),
            install(TORQUEMAG, ACCOUNT, "torquemag", "8.2"),
            install(STAGING, ACCOUNT, "torquemagstg", "8.2"),
            install(CLIENTBLOG, OTHER_ACCOUNT, "clientblog", "8.2"),
            user(
                ACCOUNT,
                JANE,
                "jane@example.com",
                "full,billing",
                Value::Null,
            ),
            user(
                ACCOUNT,
                PAT,
                "pat@example.com",
                "partial",
                json!([{"id": TORQUEMAG, "name": "torquemag"}]),
            ),
            domain(TORQUEMAG, ACCOUNT, "d1", "torquemag.io", "ACTIVE"),
            ssh_key(KEY, "demo@example.com", "be:86:90"),
            sftp(
                TORQUEMAG,
                ACCOUNT,
                "torquemag-designer",
                "/wp-content/themes",
            ),
            backup(TORQUEMAG, ACCOUNT, "b1"),
        ]
    }

    /// A mirror in a temporary folder with one snapshot per fleet given.
    pub fn mirror_with(fleets: Vec<Vec<Record>>) -> (tempfile::TempDir, Mirror) {
        let dir = tempfile::tempdir().unwrap();
        let mut mirror = Mirror::open_for_sync(&dir.path().join("fleet.sqlite")).unwrap();
        for fleet in fleets {
            mirror.write(&snapshot(fleet)).unwrap();
        }
        (dir, mirror)
    }

    /// The second fleet of the spec: torquemag on PHP 8.3, a domain added,
    /// pat removed, an SSH key added.
    pub fn second_fleet() -> Vec<Record> {
        let mut fleet: Vec<Record> = first_fleet()
            .into_iter()
            .filter(|r| r.key != format!("{ACCOUNT}/{PAT}"))
            .map(|r| match r.key.as_str() {
                TORQUEMAG if r.kind == Kind::Install => {
                    install(TORQUEMAG, ACCOUNT, "torquemag", "8.3")
                }
                _ => r,
            })
            .collect();
        fleet.push(domain(
            TORQUEMAG,
            ACCOUNT,
            "d2",
            "www.torquemag.io",
            "ACTIVE",
        ));
        fleet.push(ssh_key(NEW_KEY, "ci@example.com", "aa:bb:cc"));
        fleet
    }

    pub fn options() -> Options {
        Options {
            since: None,
            from: None,
            to: None,
            kind: Vec::new(),
            account: None,
            fail_on_change: false,
            limit: DEFAULT_ROWS,
            cursor: None,
        }
    }

    /// (account, install, kind, subject, change, field, before, after).
    type Brief = (
        Option<String>,
        Option<String>,
        String,
        String,
        ChangeKind,
        Option<String>,
        Value,
        Value,
    );

    fn brief(rows: &[Change]) -> Vec<Brief> {
        rows.iter()
            .map(|r| {
                (
                    r.account.clone(),
                    r.install.clone(),
                    r.kind.0.as_str().to_owned(),
                    r.subject.clone(),
                    r.change,
                    r.field.clone(),
                    r.before.clone(),
                    r.after.clone(),
                )
            })
            .collect()
    }

    fn s(text: &str) -> Option<String> {
        Some(text.to_owned())
    }

    #[test]
    fn the_four_changes_of_two_snapshots_are_four_rows_in_order() {
        let (_dir, mirror) = mirror_with(vec![first_fleet(), second_fleet()]);
        let changes = collect(&mirror, &options(), Utc::now()).unwrap();
        assert_eq!((changes.between.from.id, changes.between.to.id), (1, 2));
        assert_eq!(changes.between.note, None);
        assert_eq!(
            brief(&changes.items),
            vec![
                (
                    None,
                    None,
                    "ssh_key".into(),
                    "ci@example.com".into(),
                    ChangeKind::Added,
                    None,
                    Value::Null,
                    Value::Null
                ),
                (
                    s("demoagency"),
                    None,
                    "account_user".into(),
                    "pat@example.com".into(),
                    ChangeKind::Removed,
                    None,
                    Value::Null,
                    Value::Null
                ),
                (
                    s("demoagency"),
                    s("torquemag"),
                    "install".into(),
                    "torquemag".into(),
                    ChangeKind::Changed,
                    s("php_version"),
                    json!("8.2"),
                    json!("8.3")
                ),
                (
                    s("demoagency"),
                    s("torquemag"),
                    "domain".into(),
                    "www.torquemag.io".into(),
                    ChangeKind::Added,
                    None,
                    Value::Null,
                    Value::Null
                ),
            ]
        );
        let php = &changes.items[2];
        assert_eq!(
            (
                php.account_id.as_deref(),
                php.install_id.as_deref(),
                php.key.as_str()
            ),
            (Some(ACCOUNT), Some(TORQUEMAG), TORQUEMAG)
        );
        let domain = &changes.items[3];
        assert_eq!(domain.install_id.as_deref(), Some(TORQUEMAG));
        assert_eq!(domain.key, format!("{TORQUEMAG}/d2"));
    }

    #[test]
    fn a_removal_and_a_nested_change_are_found_and_filtered_by_kind_and_account() {
        let mut third = second_fleet();
        third.retain(|r| r.kind != Kind::SftpUser && r.kind != Kind::Backup);
        third.push(backup(TORQUEMAG, ACCOUNT, "b2"));
        for r in third.iter_mut() {
            if r.key == format!("{TORQUEMAG}/d1") {
                *r = domain(TORQUEMAG, ACCOUNT, "d1", "torquemag.io", "PENDING");
            }
            if r.key == CLIENTBLOG {
                *r = install(CLIENTBLOG, OTHER_ACCOUNT, "clientblog", "7.4");
            }
        }
        let (_dir, mirror) = mirror_with(vec![first_fleet(), second_fleet(), third]);
        let all = collect(&mirror, &options(), Utc::now()).unwrap();
        assert_eq!(
            brief(&all.items),
            vec![
                (
                    s("demoagency"),
                    s("torquemag"),
                    "domain".into(),
                    "torquemag.io".into(),
                    ChangeKind::Changed,
                    s("network_details.network_info.ssl.status"),
                    json!("ACTIVE"),
                    json!("PENDING")
                ),
                (
                    s("demoagency"),
                    s("torquemag"),
                    "sftp_user".into(),
                    "torquemag-designer".into(),
                    ChangeKind::Removed,
                    None,
                    Value::Null,
                    Value::Null
                ),
                (
                    s("democlient"),
                    s("clientblog"),
                    "install".into(),
                    "clientblog".into(),
                    ChangeKind::Changed,
                    s("php_version"),
                    json!("8.2"),
                    json!("7.4")
                ),
            ],
            "backups are left out by default"
        );
        // Only the kinds asked for; backup when asked for.
        let only = |kinds: &[Kind]| Options {
            kind: kinds.iter().map(|k| RecordKind(*k)).collect(),
            ..options()
        };
        let backups = collect(&mirror, &only(&[Kind::Backup]), Utc::now()).unwrap();
        let seen: Vec<(String, ChangeKind)> = backups
            .items
            .iter()
            .map(|r| (r.subject.clone(), r.change))
            .collect();
        assert_eq!(
            seen,
            vec![
                ("b1".to_owned(), ChangeKind::Removed),
                ("b2".to_owned(), ChangeKind::Added)
            ]
        );
        let installs = collect(&mirror, &only(&[Kind::Install, Kind::Domain]), Utc::now())
            .unwrap()
            .items;
        assert_eq!(installs.len(), 2);
        assert!(installs
            .iter()
            .all(|r| matches!(r.kind.0, Kind::Install | Kind::Domain)));
        // One account, by name (any case) or by ID.
        for given in ["democlient", "DemoClient", OTHER_ACCOUNT] {
            let client = Options {
                account: Some(given.into()),
                ..options()
            };
            let rows = collect(&mirror, &client, Utc::now()).unwrap().items;
            assert_eq!(brief(&rows), brief(&all.items[2..]), "{given}");
        }
        let err = collect(
            &mirror,
            &Options {
                account: Some("nosuch".into()),
                ..options()
            },
            Utc::now(),
        )
        .unwrap_err();
        assert!(matches!(err, CliError::Usage(_)), "{err}");
        assert!(
            err.to_string().contains(
                "no account named `nosuch` (nor with that ID): its accounts are \
                           demoagency, democlient"
            ),
            "{err}"
        );
    }

    /// Sets when a snapshot was written: the store writes the clock's time.
    fn finished(mirror: &Mirror, id: i64, at: &str) {
        mirror
            .conn()
            .execute(
                "UPDATE snapshots SET finished_at = ?1 WHERE id = ?2",
                params![at, id],
            )
            .unwrap();
    }

    #[test]
    fn since_picks_the_newest_snapshot_at_least_that_old_or_the_oldest_with_a_note() {
        let (_dir, mirror) = mirror_with(vec![
            first_fleet(),
            second_fleet(),
            first_fleet(),
            second_fleet(),
        ]);
        finished(&mirror, 1, "2026-11-01T00:00:00.000Z");
        finished(&mirror, 2, "2026-11-20T00:00:00.000Z");
        finished(&mirror, 3, "2026-11-28T00:00:00.000Z");
        finished(&mirror, 4, "2026-12-06T00:00:00.000Z");
        let now: DateTime<Utc> = "2026-12-07T00:00:00Z".parse().unwrap();
        let since = |text: &str| Range {
            since: Some(Since::parse(text).unwrap()),
            ..Range::default()
        };
        let pick = |range: &Range| {
            let b = between(&mirror, range, now).unwrap();
            (b.from.id, b.to.id, b.note.is_some())
        };
        assert_eq!(pick(&since("7d")), (3, 4, false));
        // Finished exactly then counts as old enough.
        assert_eq!(pick(&since("9d")), (3, 4, false));
        assert_eq!(pick(&since("10d")), (2, 4, false));
        assert_eq!(pick(&since("17d")), (2, 4, false));
        assert_eq!(pick(&since("36d")), (1, 4, false));
        assert_eq!(pick(&since("2026-11-28")), (3, 4, false));
        assert_eq!(pick(&since("2026-11-28T00:00:00Z")), (3, 4, false));
        assert_eq!(pick(&since("12h")), (4, 4, true));
        let old = between(&mirror, &since("60d"), now).unwrap();
        assert_eq!((old.from.id, old.to.id), (1, 4));
        let note = old.note.unwrap();
        assert_eq!(
            note,
            "no snapshot was written by 2026-10-08T00:00:00.000Z (60d ago): comparing from the \
             oldest, snapshot 1 (2026-11-01 00:00 UTC)"
        );
        // The default: the last two; --from alone: to the newest.
        assert_eq!(pick(&Range::default()), (3, 4, false));
        let from = |from, to| Range {
            from: Some(from),
            to,
            ..Range::default()
        };
        assert_eq!(pick(&from(1, None)), (1, 4, false));
        assert_eq!(pick(&from(1, Some(2))), (1, 2, false));
        // What was removed and added back is no change from 1 to 3.
        let same = collect(
            &mirror,
            &Options {
                from: Some(1),
                to: Some(3),
                ..options()
            },
            now,
        )
        .unwrap();
        assert_eq!(same.items, Vec::new());
        assert!(Since::parse("soon").is_err());
    }

    #[test]
    fn an_unknown_or_reversed_snapshot_and_options_that_clash_are_clear_errors() {
        let (_dir, mirror) = mirror_with(vec![first_fleet(), second_fleet()]);
        let err = between(
            &mirror,
            &Range {
                from: Some(7),
                ..Range::default()
            },
            Utc::now(),
        )
        .unwrap_err();
        assert!(matches!(err, CliError::Usage(_)), "{err}");
        assert!(
            err.to_string()
                .contains("has no snapshot 7: its snapshots run from 1 to 2 (`wpe fleet snapshots` lists them)"),
            "{err}"
        );
        let err = between(
            &mirror,
            &Range {
                from: Some(2),
                to: Some(1),
                ..Range::default()
            },
            Utc::now(),
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("snapshot 2 is newer than snapshot 1"),
            "{err}"
        );
        let err = between(
            &mirror,
            &Range {
                to: Some(2),
                ..Range::default()
            },
            Utc::now(),
        )
        .unwrap_err();
        assert!(
            matches!(
                err,
                CliError::Invalid(Invalid::Requires {
                    option: "to",
                    needs: "from"
                })
            ),
            "{err}"
        );
        let err = between(
            &mirror,
            &Range {
                since: Some(Since::Ago(Duration::from_secs(60))),
                from: Some(1),
                to: None,
            },
            Utc::now(),
        )
        .unwrap_err();
        assert!(
            matches!(err, CliError::Invalid(Invalid::Conflicts { .. })),
            "{err}"
        );
        // The command line refuses them before: --to without --from.
        let refused = command()
            .try_get_matches_from(["changes", "--to", "2"])
            .unwrap_err();
        assert_eq!(
            refused.kind(),
            clap::error::ErrorKind::MissingRequiredArgument
        );
        let refused = command()
            .try_get_matches_from(["changes", "--since", "7d", "--from", "1"])
            .unwrap_err();
        assert_eq!(refused.kind(), clap::error::ErrorKind::ArgumentConflict);
        // One snapshot: nothing to compare, and a note saying so.
        let (_dir, single) = mirror_with(vec![first_fleet()]);
        let one = collect(&single, &options(), Utc::now()).unwrap();
        assert!(one.items.is_empty());
        assert!(one.between.note.unwrap().contains("one snapshot"));
        // None: run a sync.
        let (_dir, empty) = mirror_with(vec![]);
        let err = collect(&empty, &options(), Utc::now()).unwrap_err();
        assert!(
            err.to_string()
                .contains("no snapshot yet: run `wpe fleet sync`"),
            "{err}"
        );
    }

    #[test]
    fn the_command_line_reads_kinds_and_the_tool_reads_the_same_options() {
        let matches = command()
            .try_get_matches_from([
                "changes",
                "--kind",
                "backup",
                "--kind",
                "domain,install",
                "--since",
                "7d",
            ])
            .unwrap();
        let options = Options::from_arg_matches(&matches).unwrap();
        assert_eq!(
            options.kind,
            vec![
                RecordKind(Kind::Backup),
                RecordKind(Kind::Domain),
                RecordKind(Kind::Install)
            ]
        );
        assert_eq!(
            options.since,
            Some(Since::Ago(Duration::from_secs(7 * 86_400)))
        );
        assert!(command()
            .try_get_matches_from(["changes", "--kind", "nosuch"])
            .is_err());
        let tool: Options = serde_json::from_value(json!({
            "kind": ["ssh_key"], "from": 1, "to": 2, "account": "demoagency"
        }))
        .unwrap();
        assert_eq!(tool.kind, vec![RecordKind(Kind::SshKey)]);
        assert_eq!(
            (tool.from, tool.to, tool.limit),
            (Some(1), Some(2), DEFAULT_ROWS)
        );
        let unknown = serde_json::from_value::<Options>(json!({"fail_on_change": true}));
        assert!(unknown.is_err());
        let bad = serde_json::from_value::<Options>(json!({"kind": ["nosuch"]})).unwrap_err();
        assert!(bad.to_string().contains("not a kind of record"), "{bad}");
        let schema = serde_json::to_value(schemars::schema_for!(Options)).unwrap();
        assert_eq!(schema["properties"]["kind"]["maxItems"], 12);
        assert_eq!(schema["properties"]["kind"]["items"]["enum"][0], "account");
        assert_eq!(schema["properties"]["since"]["maxLength"], MAX_NAME);
    }

    /// What `wpe mcp` asks of a tool's input schema: every string, number
    /// and list bounded, and no command-line flag named in it.
    pub fn assert_bounded<T: JsonSchema>() {
        let schema = serde_json::to_value(schemars::schema_for!(T)).unwrap();
        let text = schema.to_string();
        assert!(!text.contains("--"), "{text}");
        let properties = schema["properties"].as_object().unwrap();
        for (name, property) in properties {
            let types = match &property["type"] {
                Value::Array(types) => types.clone(),
                one => vec![one.clone()],
            };
            let bound = if types.contains(&json!("string")) {
                "maxLength"
            } else if types.contains(&json!("integer")) {
                "maximum"
            } else if types.contains(&json!("array")) {
                assert!(property["items"].get("maxLength").is_some(), "{name}");
                "maxItems"
            } else {
                assert!(types.contains(&json!("boolean")), "{name}: {property}");
                continue;
            };
            assert!(property.get(bound).is_some(), "{name}: {property}");
        }
    }

    #[test]
    fn the_tools_input_is_bounded() {
        assert_bounded::<Options>();
    }

    #[test]
    fn only_the_rows_that_changed_are_read() {
        let (_dir, mirror) = mirror_with(vec![first_fleet(), second_fleet()]);
        let mut statement = mirror
            .conn()
            .prepare(&format!("EXPLAIN QUERY PLAN {DIFFERING}"))
            .unwrap();
        let plan: Vec<String> = statement
            .query_map(params![1, 2, "[\"install\"]", ACCOUNT], |row| row.get(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let plan = plan.join("\n");
        assert!(plan.contains("records_appeared"), "{plan}");
        assert!(plan.contains("records_disappeared"), "{plan}");
        assert!(!plan.contains("SCAN records"), "{plan}");
    }

    fn printed(format: Format, rows: &[Change]) -> String {
        let mut out = Vec::new();
        print(&mut out, format, rows).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn changes_print_as_csv_and_markdown() {
        let (_dir, mirror) = mirror_with(vec![first_fleet(), second_fleet()]);
        let rows = collect(&mirror, &options(), Utc::now()).unwrap().items;
        let csv = printed(Format::Csv, &rows);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(
            lines,
            [
                "account,install,kind,subject,change,field,before,after,account_id,install_id,key"
                    .to_owned(),
                format!(",,ssh_key,ci@example.com,added,,,,,,{NEW_KEY}"),
                format!(
                    "demoagency,,account_user,pat@example.com,removed,,,,{ACCOUNT},,{ACCOUNT}/{PAT}"
                ),
                format!(
                    "demoagency,torquemag,install,torquemag,changed,php_version,8.2,8.3,{ACCOUNT},{TORQUEMAG},{TORQUEMAG}"
                ),
                format!(
                    "demoagency,torquemag,domain,www.torquemag.io,added,,,,{ACCOUNT},{TORQUEMAG},{TORQUEMAG}/d2"
                ),
            ]
        );
        let markdown = printed(Format::Markdown, &rows[2..3]);
        let lines: Vec<&str> = markdown.lines().collect();
        assert_eq!(
            lines,
            [
                "| account | install | kind | subject | change | field | before | after | account_id | install_id | key |".to_owned(),
                "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |".to_owned(),
                format!("| demoagency | torquemag | install | torquemag | changed | php_version | 8.2 | 8.3 | {ACCOUNT} | {TORQUEMAG} | {TORQUEMAG} |"),
            ]
        );
        assert_eq!(printed(Format::Markdown, &[]).trim(), "(none)");
        assert_eq!(printed(Format::Json, &[]).trim(), "[]");
        let table = printed(Format::Table, &rows[2..3]);
        assert!(table.starts_with("ACCOUNT     INSTALL    KIND"), "{table}");
        assert!(!table.contains(TORQUEMAG), "{table}");
    }

    #[test]
    fn a_field_path_names_nested_fields_and_quotes_odd_keys() {
        let mut out = Vec::new();
        diff_fields(
            "",
            &json!({"a": {"b.c": 1, "d": [1, 2]}, "gone": true, "same": 1}),
            &json!({"a": {"b.c": 2, "d": [2, 1]}, "new": null, "same": 1}),
            &mut out,
        );
        assert_eq!(
            out,
            vec![
                (s("a.\"b.c\""), json!(1), json!(2)),
                (s("a.d"), json!([1, 2]), json!([2, 1])),
                (s("gone"), json!(true), Value::Null),
            ]
        );
        let mut out = Vec::new();
        diff_fields("", &json!("x"), &json!(["x"]), &mut out);
        assert_eq!(out, vec![(None, json!("x"), json!(["x"]))]);
    }
}
