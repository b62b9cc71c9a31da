//! `wpe fleet access`: every person and key that can reach an install, as
//! the newest snapshot of the mirror has it, and with `--changes` what was
//! granted or revoked between two snapshots.
//!
//! Three ways in (the `access` view of the mirror):
//! - the users of the install's account: every one of them, but a
//!   `partial` user only on the installs the user lists;
//! - the API user's SSH keys: every install;
//! - the install's SFTP users.
//!
//! `--changes` compares two snapshots chosen as `wpe fleet changes` does
//! (the same code, [`super::changes::between`]) and reads only the users,
//! keys and SFTP users that differ between them: one added is granted, one
//! removed is revoked, a user whose roles or listed installs changed and an
//! SFTP user whose path changed are changed; each row says what it reaches.

use std::collections::{BTreeSet, HashMap};
use std::io::{self, BufWriter, Write};

use chrono::{DateTime, Utc};
use clap::{value_parser, ArgMatches, Args, Command, FromArgMatches};
use rusqlite::params;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::changes::{self, Between, Differs, Names, Range, Since};
use super::store::Kind;
use super::Mirror;
use crate::error::CliError;
use crate::mcp::limits::{DEFAULT_ROWS, MAX_NAME, MAX_ROWS};
use crate::output::Format;
use crate::surface::Invalid;

/// The command's name.
pub const NAME: &str = "access";

/// The columns of a row of who can reach what, in the order CSV prints
/// them (a table prints the first [`TABLE_COLUMNS`]).
pub const COLUMNS: [&str; 8] = [
    "account",
    "install",
    "via",
    "who",
    "role",
    "account_id",
    "install_id",
    "key",
];

/// How many of [`COLUMNS`] a table shows: not the IDs.
const TABLE_COLUMNS: usize = 5;

/// The columns of a row of what was granted or revoked (`--changes`), in
/// the order CSV prints them (a table prints the first
/// [`GRANT_TABLE_COLUMNS`]).
pub const GRANT_COLUMNS: [&str; 12] = [
    "account",
    "via",
    "who",
    "role",
    "change",
    "field",
    "before",
    "after",
    "reaches",
    "account_id",
    "key",
    "installs",
];

/// How many of [`GRANT_COLUMNS`] a table shows: not the IDs nor every
/// install's name (`reaches` sums them up).
const GRANT_TABLE_COLUMNS: usize = 9;

/// The largest snapshot ID a tool's argument may give.
const MAX_SNAPSHOT: i64 = i64::MAX;

/// What `wpe fleet access` and `wpe mcp`'s tool of it take: flags on the
/// command line, properties of the tool's arguments.
#[derive(Debug, Clone, Args, Deserialize, JsonSchema)]
#[group(skip)]
#[serde(deny_unknown_fields)]
pub struct Options {
    /// Only the installs of this account (its name or ID, as the mirror has it)
    #[arg(long, value_name = "ACCOUNT")]
    #[schemars(length(min = 1, max = MAX_NAME))]
    pub account: Option<String>,
    /// Only this install (its name or ID, as the mirror has it)
    #[arg(long, value_name = "INSTALL")]
    #[schemars(length(min = 1, max = MAX_NAME))]
    pub install: Option<String>,
    /// What was granted or revoked between two snapshots, instead of who can reach what now
    #[arg(long)]
    #[serde(default)]
    pub changes: bool,
    /// With --changes: from the newest snapshot at least this old (7d, 12h, or an RFC 3339 time)
    #[arg(
        long,
        value_name = "AGE",
        value_parser = Since::parse,
        requires = "changes",
        conflicts_with_all = ["from", "to"]
    )]
    #[schemars(
        description = "With `changes`: from the newest snapshot at least this old (7d, \
                              12h, or an RFC 3339 time) to the newest."
    )]
    pub since: Option<Since>,
    /// With --changes: from this snapshot (its ID, as `wpe fleet snapshots` lists them)
    #[arg(long, value_name = "SNAP", requires = "changes", value_parser = value_parser!(i64).range(1..))]
    #[schemars(
        description = "With `changes`: from this snapshot (its ID).",
        range(min = 1, max = MAX_SNAPSHOT)
    )]
    pub from: Option<i64>,
    /// With --changes: to this snapshot (its ID) [default: the newest]
    #[arg(long, value_name = "SNAP", requires = "from", value_parser = value_parser!(i64).range(1..))]
    #[schemars(
        description = "With `changes` and `from`: to this snapshot (its ID; the newest when \
                       left out).",
        range(min = 1, max = MAX_SNAPSHOT)
    )]
    pub to: Option<i64>,
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

impl Options {
    /// The snapshots `--changes` compares, as given.
    fn range(&self) -> Range {
        Range {
            since: self.since.clone(),
            from: self.from,
            to: self.to,
        }
    }
}

/// `wpe fleet access`.
pub fn command() -> Command {
    Options::augment_args(Command::new(NAME))
        .about("Who and what can reach each install; with --changes, what was granted or revoked")
        .long_about(
            "Every person and key that can reach each install, as the newest snapshot of the \
             mirror has it: the users of its account (a partial user only on the installs \
             the user lists), the API user's SSH keys (every install) and the install's SFTP \
             users, with the role or kind of access. With --changes, what was granted or \
             revoked between two snapshots (chosen as `wpe fleet changes` does: the last two, \
             --since, or --from and --to): users and keys added or removed, a user's roles or \
             installs changed, an SFTP user's path changed, each with what it reaches; \
             --account keeps the API user's SSH keys, which reach every account's installs. \
             Answers from the mirror alone, with no API call.",
        )
}

/// How a row's person or key reaches an install.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Via {
    /// A user of the install's account.
    AccountUser,
    /// An SSH key of the API user.
    SshKey,
    /// An SFTP user of the install.
    SftpUser,
}

impl Via {
    /// The way in of a record of `kind`, if it is one.
    fn of(kind: Kind) -> Option<Via> {
        match kind {
            Kind::AccountUser => Some(Via::AccountUser),
            Kind::SshKey => Some(Via::SshKey),
            Kind::SftpUser => Some(Via::SftpUser),
            _ => None,
        }
    }

    /// As the `access` view names it.
    fn from_name(name: &str) -> Option<Via> {
        match name {
            "account_user" => Some(Via::AccountUser),
            "ssh_key" => Some(Via::SshKey),
            "sftp_user" => Some(Via::SftpUser),
            _ => None,
        }
    }
}

/// One way someone or something reaches one install.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Access {
    /// The account the install is in (its name, or its ID when the mirror
    /// has no name for it).
    pub account: String,
    /// The install's name.
    pub install: String,
    /// The way in.
    pub via: Via,
    /// The user's email, the key's comment (or fingerprint), the SFTP
    /// user's name.
    pub who: String,
    /// The user's roles (`owner`, `full,billing`, `partial`), `ssh key` and
    /// the key's fingerprint, or `sftp` and the SFTP user's path.
    pub role: String,
    /// The account's ID.
    pub account_id: String,
    /// The install's ID.
    pub install_id: String,
    /// The key of the user's, key's or SFTP user's record in the mirror.
    pub key: String,
}

/// What happened to someone's or something's access between two snapshots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum GrantChange {
    /// A user, key or SFTP user that is new.
    Granted,
    /// One that is gone.
    Revoked,
    /// A user whose roles or listed installs changed, an SFTP user whose
    /// path changed.
    Changed,
}

/// One row of `wpe fleet access --changes`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Grant {
    /// The account it comes through (its name); null for an SSH key, which
    /// opens every account's installs.
    pub account: Option<String>,
    /// The way in.
    pub via: Via,
    /// The user's email, the key's comment (or fingerprint), the SFTP
    /// user's name.
    pub who: String,
    /// The role or kind of access, as in `wpe fleet access` (at the later
    /// snapshot; at the earlier for what was revoked).
    pub role: Option<String>,
    /// Granted, revoked or changed.
    pub change: GrantChange,
    /// What changed: `roles` or `installs` of a user, `path` of an SFTP user.
    pub field: Option<String>,
    /// Its value at the earlier snapshot.
    pub before: Value,
    /// Its value at the later snapshot.
    pub after: Value,
    /// What it reaches, in words: `every install (12)`, `every install of
    /// demoagency (6)`, `torquemag, torquemagstg`, `torquemag at /wp-content`.
    pub reaches: String,
    /// The account's ID.
    pub account_id: Option<String>,
    /// The key of the user's, key's or SFTP user's record.
    pub key: String,
    /// The names of the installs it reaches (at the later snapshot; at the
    /// earlier for what was revoked).
    pub installs: Vec<String>,
}

/// What `wpe fleet access --changes` answers: the two snapshots and the
/// rows.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct AccessChanges {
    /// The snapshots compared.
    #[serde(flatten)]
    pub between: Between,
    /// The rows, by account, way in, who and field.
    pub items: Vec<Grant>,
}

/// Runs `wpe fleet access`.
pub fn run(mirror: &Mirror, matches: &ArgMatches, format: Format) -> Result<(), CliError> {
    let options =
        Options::from_arg_matches(matches).map_err(|err| CliError::Usage(err.to_string()))?;
    let mut out = BufWriter::new(io::stdout().lock());
    if !options.changes {
        print(&mut out, format, &collect(mirror, &options)?)?;
        out.flush()?;
        return Ok(());
    }
    let changes = collect_changes(mirror, &options, Utc::now())?;
    if let Some(note) = &changes.between.note {
        eprintln!("wpe: {note}");
    }
    print_grants(&mut out, format, &changes.items)?;
    out.flush()?;
    if changes.items.is_empty() {
        let Between { from, to, .. } = &changes.between;
        eprintln!("wpe: no access was granted or revoked between {from} and {to}");
    }
    Ok(())
}

/// Prints who can reach what in `format`.
pub fn print(out: &mut impl Write, format: Format, rows: &[Access]) -> Result<(), CliError> {
    super::print_rows(out, format, &COLUMNS, TABLE_COLUMNS, rows)
}

/// Prints what was granted or revoked in `format`.
pub fn print_grants(out: &mut impl Write, format: Format, rows: &[Grant]) -> Result<(), CliError> {
    super::print_rows(out, format, &GRANT_COLUMNS, GRANT_TABLE_COLUMNS, rows)
}

/// Who and what can reach each install now (at the newest snapshot), by
/// account, install, way in and who: for the command and for `wpe mcp`.
pub fn collect(mirror: &Mirror, options: &Options) -> Result<Vec<Access>, CliError> {
    for (option, given) in [
        ("since", options.since.is_some()),
        ("from", options.from.is_some()),
        ("to", options.to.is_some()),
    ] {
        if given {
            return Err(CliError::Invalid(Invalid::Requires {
                option,
                needs: "changes",
            }));
        }
    }
    let account = match &options.account {
        Some(given) => Some(changes::resolve(mirror, Kind::Account, given)?),
        None => None,
    };
    let install = match &options.install {
        Some(given) => Some(changes::resolve(mirror, Kind::Install, given)?),
        None => None,
    };
    let fail = changes::sqlite(mirror, "reading who can reach what");
    let mut statement = mirror
        .conn()
        .prepare_cached(
            "SELECT a.account_id, coalesce(acc.name, a.account_id), a.install_id, \
                    coalesce(a.install, a.install_id), a.via, coalesce(a.who, a.subject), \
                    coalesce(a.role, ''), a.subject \
               FROM access a LEFT JOIN accounts acc ON acc.id = a.account_id \
              WHERE (?1 IS NULL OR a.account_id = ?1) AND (?2 IS NULL OR a.install_id = ?2)",
        )
        .map_err(&fail)?;
    let mut rows = statement.query(params![account, install]).map_err(&fail)?;
    let mut found = Vec::new();
    while let Some(row) = rows.next().map_err(&fail)? {
        let via: String = row.get(4).map_err(&fail)?;
        let Some(via) = Via::from_name(&via) else {
            continue;
        };
        found.push(Access {
            account_id: row.get(0).map_err(&fail)?,
            account: row.get(1).map_err(&fail)?,
            install_id: row.get(2).map_err(&fail)?,
            install: row.get(3).map_err(&fail)?,
            via,
            who: row.get(5).map_err(&fail)?,
            role: row.get(6).map_err(&fail)?,
            key: row.get(7).map_err(&fail)?,
        });
    }
    found.sort_by(|a, b| {
        (&a.account, &a.install, a.via, &a.who, &a.key)
            .cmp(&(&b.account, &b.install, b.via, &b.who, &b.key))
    });
    Ok(found)
}

/// What was granted or revoked between the two snapshots `options` names,
/// `now` being the time `since` counts back from: for the command and for
/// `wpe mcp`. `account` keeps that account's users and SFTP users and every
/// SSH key; `install` keeps what reaches that install (before or after).
pub fn collect_changes(
    mirror: &Mirror,
    options: &Options,
    now: DateTime<Utc>,
) -> Result<AccessChanges, CliError> {
    let between = changes::between(mirror, &options.range(), now)?;
    let account = match &options.account {
        Some(given) => Some(changes::resolve(mirror, Kind::Account, given)?),
        None => None,
    };
    let install = match &options.install {
        Some(given) => Some(changes::resolve(mirror, Kind::Install, given)?),
        None => None,
    };
    let differs = changes::differing(
        mirror,
        &between,
        &[Kind::AccountUser, Kind::SshKey, Kind::SftpUser],
        None,
    )?;
    let mut reach = Reach::new(mirror);
    let mut names = Names::new(mirror);
    let mut items = Vec::new();
    for record in &differs {
        for (grant, reached) in grants_of(record, &between, &mut reach, &mut names)? {
            let in_account =
                grant.via == Via::SshKey || account.is_none() || grant.account_id == account;
            let on_install = install
                .as_ref()
                .is_none_or(|install| reached.contains(install));
            if in_account && on_install {
                items.push(grant);
            }
        }
    }
    items.sort_by(|a, b| {
        (&a.account, a.via, &a.who, &a.field, a.change, &a.key)
            .cmp(&(&b.account, b.via, &b.who, &b.field, b.change, &b.key))
    });
    Ok(AccessChanges { between, items })
}

/// The rows of one user, key or SFTP user that differs, each with the IDs
/// of the installs it reached before or reaches now.
fn grants_of(
    record: &Differs,
    between: &Between,
    reach: &mut Reach<'_>,
    names: &mut Names<'_>,
) -> Result<Vec<(Grant, BTreeSet<String>)>, CliError> {
    let Some(via) = Via::of(record.kind) else {
        return Ok(Vec::new());
    };
    let (from, to) = (between.from.id, between.to.id);
    let account_id = record.account_id.clone();
    let account = match &account_id {
        Some(id) => {
            let (first, then) = if record.after.is_some() {
                (to, from)
            } else {
                (from, to)
            };
            Some(names.name_or_id(Kind::Account, id, first, then)?)
        }
        None => None,
    };
    let grant = |body: &Value, change, field, before, after, reached: &Reached| Grant {
        account: account.clone(),
        via,
        who: changes::subject(record.kind, &record.key, body),
        role: role(via, body),
        change,
        field,
        before,
        after,
        reaches: reached.words.clone(),
        account_id: account_id.clone(),
        key: record.key.clone(),
        installs: reached.names.clone(),
    };
    let mut grants = Vec::new();
    match (&record.before, &record.after) {
        (None, Some(after)) => {
            let now = reach.of(record, after, to)?;
            let row = grant(
                after,
                GrantChange::Granted,
                None,
                Value::Null,
                Value::Null,
                &now,
            );
            grants.push((row, now.ids));
        }
        (Some(before), None) => {
            let then = reach.of(record, before, from)?;
            let row = grant(
                before,
                GrantChange::Revoked,
                None,
                Value::Null,
                Value::Null,
                &then,
            );
            grants.push((row, then.ids));
        }
        (Some(before), Some(after)) => {
            let fields: &[&str] = match via {
                Via::AccountUser => &["installs", "roles"],
                Via::SftpUser => &["path"],
                // A key's UUID is its fingerprint's: only its comment can change.
                Via::SshKey => &[],
            };
            let changed: Vec<&str> = fields
                .iter()
                .copied()
                .filter(|field| before.get(field) != after.get(field))
                .collect();
            if changed.is_empty() {
                return Ok(grants);
            }
            let then = reach.of(record, before, from)?;
            let now = reach.of(record, after, to)?;
            let both: BTreeSet<String> = then.ids.union(&now.ids).cloned().collect();
            for field in changed {
                let value = |body: &Value| body.get(field).cloned().unwrap_or(Value::Null);
                let row = grant(
                    after,
                    GrantChange::Changed,
                    Some(field.to_owned()),
                    value(before),
                    value(after),
                    &now,
                );
                grants.push((row, both.clone()));
            }
        }
        (None, None) => {}
    }
    Ok(grants)
}

/// The role or kind of access, as the `access` view writes it.
fn role(via: Via, body: &Value) -> Option<String> {
    let text = |field: &str| body.get(field).and_then(Value::as_str);
    match via {
        Via::AccountUser => text("roles").map(str::to_owned),
        Via::SshKey => Some(format!("ssh key {}", text("fingerprint").unwrap_or(""))),
        Via::SftpUser => Some(format!("sftp {}", text("path").unwrap_or("/"))),
    }
}

/// Whether a user's roles (`partial`, `partial,billing`) limit the user to
/// the installs the user lists.
pub fn is_partial(roles: &str) -> bool {
    roles.split(',').any(|role| role.trim() == "partial")
}

/// What a user, key or SFTP user reaches at a snapshot.
struct Reached {
    /// The installs' IDs.
    ids: BTreeSet<String>,
    /// Their names, sorted.
    names: Vec<String>,
    /// In words.
    words: String,
}

/// The installs at each snapshot asked about, read once per snapshot.
struct Reach<'m> {
    mirror: &'m Mirror,
    /// Snapshot -> install ID -> (name, account ID).
    installs: HashMap<i64, HashMap<String, (String, Option<String>)>>,
}

impl<'m> Reach<'m> {
    fn new(mirror: &'m Mirror) -> Self {
        Reach {
            mirror,
            installs: HashMap::new(),
        }
    }

    /// The installs current at `snapshot`.
    fn installs_at(
        &mut self,
        snapshot: i64,
    ) -> Result<&HashMap<String, (String, Option<String>)>, CliError> {
        if !self.installs.contains_key(&snapshot) {
            let fail = changes::sqlite(self.mirror, "reading the installs");
            let mut statement = self
                .mirror
                .conn()
                .prepare_cached(
                    "SELECT key, coalesce(body ->> '$.name', key), account_id FROM records \
                      WHERE kind = 'install' AND appeared <= ?1 \
                        AND (disappeared IS NULL OR disappeared > ?1)",
                )
                .map_err(&fail)?;
            let installs = statement
                .query_map([snapshot], |row| {
                    Ok((row.get::<_, String>(0)?, (row.get(1)?, row.get(2)?)))
                })
                .and_then(|rows| rows.collect::<Result<HashMap<_, _>, _>>())
                .map_err(&fail)?;
            self.installs.insert(snapshot, installs);
        }
        Ok(self.installs.entry(snapshot).or_default())
    }

    /// What `record`, with `body`, reaches at `snapshot`.
    fn of(&mut self, record: &Differs, body: &Value, snapshot: i64) -> Result<Reached, CliError> {
        let via = Via::of(record.kind);
        let account = record.account_id.clone();
        let installs = self.installs_at(snapshot)?;
        let (ids, every): (BTreeSet<String>, Option<String>) = match via {
            Some(Via::AccountUser) => {
                let roles = body.get("roles").and_then(Value::as_str).unwrap_or("");
                if is_partial(roles) {
                    let listed = body
                        .get("installs")
                        .and_then(Value::as_array)
                        .map(Vec::as_slice)
                        .unwrap_or_default()
                        .iter()
                        .filter_map(|i| i.get("id").and_then(Value::as_str))
                        .filter(|id| {
                            installs
                                .get(*id)
                                .is_some_and(|(_, of)| account.is_none() || *of == account)
                        })
                        .map(str::to_owned)
                        .collect();
                    (listed, None)
                } else {
                    let all = installs
                        .iter()
                        .filter(|(_, (_, of))| *of == account)
                        .map(|(id, _)| id.clone())
                        .collect();
                    (all, Some("every install of".to_owned()))
                }
            }
            Some(Via::SshKey) => (installs.keys().cloned().collect(), Some(String::new())),
            Some(Via::SftpUser) => (
                record
                    .install_id
                    .iter()
                    .filter(|id| installs.contains_key(*id))
                    .cloned()
                    .collect(),
                None,
            ),
            None => (BTreeSet::new(), None),
        };
        let mut names: Vec<String> = ids
            .iter()
            .filter_map(|id| installs.get(id).map(|(name, _)| name.clone()))
            .collect();
        names.sort();
        let words = match (via, every) {
            (Some(Via::SshKey), _) => format!("every install ({})", ids.len()),
            (_, Some(_)) => {
                let account = match &account {
                    Some(id) => {
                        Names::new(self.mirror).name_or_id(Kind::Account, id, snapshot, snapshot)?
                    }
                    None => "its account".to_owned(),
                };
                format!("every install of {account} ({})", ids.len())
            }
            (Some(Via::SftpUser), None) => {
                let path = body.get("path").and_then(Value::as_str).unwrap_or("/");
                match names.first() {
                    Some(name) => format!("{name} at {path}"),
                    None => "no install".to_owned(),
                }
            }
            _ if names.is_empty() => "no install".to_owned(),
            _ => names.join(", "),
        };
        Ok(Reached { ids, names, words })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fleet::changes::tests::*;
    use serde_json::json;

    fn options() -> Options {
        Options {
            account: None,
            install: None,
            changes: false,
            since: None,
            from: None,
            to: None,
            limit: DEFAULT_ROWS,
            cursor: None,
        }
    }

    fn changes_options() -> Options {
        Options {
            changes: true,
            ..options()
        }
    }

    /// (account, install, via, who, role).
    fn brief(rows: &[Access]) -> Vec<(&str, &str, Via, &str, &str)> {
        rows.iter()
            .map(|r| {
                (
                    r.account.as_str(),
                    r.install.as_str(),
                    r.via,
                    r.who.as_str(),
                    r.role.as_str(),
                )
            })
            .collect()
    }

    #[test]
    fn a_partial_user_reaches_only_the_installs_the_user_lists() {
        let (_dir, mirror) = mirror_with(vec![first_fleet()]);
        let rows = collect(&mirror, &options()).unwrap();
        let key = "ssh key be:86:90";
        let sftp = "sftp /wp-content/themes";
        assert_eq!(
            brief(&rows),
            vec![
                (
                    "demoagency",
                    "torquemag",
                    Via::AccountUser,
                    "jane@example.com",
                    "full,billing"
                ),
                (
                    "demoagency",
                    "torquemag",
                    Via::AccountUser,
                    "pat@example.com",
                    "partial"
                ),
                (
                    "demoagency",
                    "torquemag",
                    Via::SshKey,
                    "demo@example.com",
                    key
                ),
                (
                    "demoagency",
                    "torquemag",
                    Via::SftpUser,
                    "torquemag-designer",
                    sftp
                ),
                (
                    "demoagency",
                    "torquemagstg",
                    Via::AccountUser,
                    "jane@example.com",
                    "full,billing"
                ),
                (
                    "demoagency",
                    "torquemagstg",
                    Via::SshKey,
                    "demo@example.com",
                    key
                ),
                (
                    "democlient",
                    "clientblog",
                    Via::SshKey,
                    "demo@example.com",
                    key
                ),
            ]
        );
        assert_eq!(rows[1].key, format!("{ACCOUNT}/{PAT}"));
        assert_eq!(
            (rows[1].account_id.as_str(), rows[1].install_id.as_str()),
            (ACCOUNT, TORQUEMAG)
        );
        // By install (name or ID) and by account.
        for given in ["torquemagstg", STAGING] {
            let staging = Options {
                install: Some(given.into()),
                ..options()
            };
            assert_eq!(
                brief(&collect(&mirror, &staging).unwrap()),
                brief(&rows[4..6])
            );
        }
        let client = Options {
            account: Some("democlient".into()),
            ..options()
        };
        assert_eq!(
            brief(&collect(&mirror, &client).unwrap()),
            brief(&rows[6..])
        );
        let err = collect(
            &mirror,
            &Options {
                install: Some("nosuch".into()),
                ..options()
            },
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("no install named `nosuch`"),
            "{err}"
        );
        // --since without --changes, as a tool's arguments might give it.
        let err = collect(
            &mirror,
            &Options {
                from: Some(1),
                ..options()
            },
        )
        .unwrap_err();
        assert!(
            matches!(
                err,
                CliError::Invalid(Invalid::Requires {
                    option: "from",
                    needs: "changes"
                })
            ),
            "{err}"
        );
    }

    #[test]
    fn a_user_removed_is_revoked_and_a_key_added_is_granted() {
        let (_dir, mirror) = mirror_with(vec![first_fleet(), second_fleet()]);
        let changes = collect_changes(&mirror, &changes_options(), Utc::now()).unwrap();
        /// (account, via, who, change, reaches, installs).
        type Brief<'a> = (
            Option<&'a str>,
            Via,
            &'a str,
            GrantChange,
            &'a str,
            Vec<&'a str>,
        );
        let rows: Vec<Brief> = changes
            .items
            .iter()
            .map(|g| {
                (
                    g.account.as_deref(),
                    g.via,
                    g.who.as_str(),
                    g.change,
                    g.reaches.as_str(),
                    g.installs.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            rows,
            vec![
                (
                    None,
                    Via::SshKey,
                    "ci@example.com",
                    GrantChange::Granted,
                    "every install (3)",
                    vec!["clientblog", "torquemag", "torquemagstg"]
                ),
                (
                    Some("demoagency"),
                    Via::AccountUser,
                    "pat@example.com",
                    GrantChange::Revoked,
                    "torquemag",
                    vec!["torquemag"]
                ),
            ]
        );
        assert_eq!(changes.items[0].role.as_deref(), Some("ssh key aa:bb:cc"));
        assert_eq!(changes.items[1].role.as_deref(), Some("partial"));
    }

    #[test]
    fn roles_installs_and_paths_that_change_are_changed_access_with_what_they_reach() {
        let mut third = second_fleet();
        for r in third.iter_mut() {
            if r.key == format!("{ACCOUNT}/{JANE}") {
                *r = user(
                    ACCOUNT,
                    JANE,
                    "jane@example.com",
                    "partial",
                    json!([{"id": STAGING, "name": "torquemagstg"}]),
                );
            }
            if r.kind == Kind::SftpUser {
                *r = sftp(TORQUEMAG, ACCOUNT, "torquemag-designer", "/");
            }
        }
        let (_dir, mirror) = mirror_with(vec![first_fleet(), second_fleet(), third]);
        let changes = collect_changes(&mirror, &changes_options(), Utc::now()).unwrap();
        let rows: Vec<(&str, Option<&str>, Value, Value, &str)> = changes
            .items
            .iter()
            .map(|g| {
                assert_eq!(g.change, GrantChange::Changed);
                (
                    g.who.as_str(),
                    g.field.as_deref(),
                    g.before.clone(),
                    g.after.clone(),
                    g.reaches.as_str(),
                )
            })
            .collect();
        assert_eq!(
            rows,
            vec![
                (
                    "jane@example.com",
                    Some("installs"),
                    Value::Null,
                    json!([{"id": STAGING, "name": "torquemagstg"}]),
                    "torquemagstg"
                ),
                (
                    "jane@example.com",
                    Some("roles"),
                    json!("full,billing"),
                    json!("partial"),
                    "torquemagstg"
                ),
                (
                    "torquemag-designer",
                    Some("path"),
                    json!("/wp-content/themes"),
                    json!("/"),
                    "torquemag at /"
                ),
            ]
        );
        // Jane lost torquemag: --install torquemag shows it.
        let on = |install: &str| {
            let options = Options {
                install: Some(install.into()),
                ..changes_options()
            };
            collect_changes(&mirror, &options, Utc::now())
                .unwrap()
                .items
                .len()
        };
        assert_eq!(on("torquemag"), 3);
        assert_eq!(on("torquemagstg"), 2);
        assert_eq!(on("clientblog"), 0);
        // From the first snapshot: the new key too, and pat; none of it in democlient but the key.
        let client = Options {
            account: Some("democlient".into()),
            from: Some(1),
            ..changes_options()
        };
        let rows = collect_changes(&mirror, &client, Utc::now()).unwrap().items;
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].via, Via::SshKey);
    }

    #[test]
    fn grants_print_their_columns_and_the_range_flags_need_changes() {
        let (_dir, mirror) = mirror_with(vec![first_fleet(), second_fleet()]);
        let items = collect_changes(&mirror, &changes_options(), Utc::now())
            .unwrap()
            .items;
        let mut out = Vec::new();
        print_grants(&mut out, Format::Csv, &items).unwrap();
        let csv = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(
            lines,
            [
                "account,via,who,role,change,field,before,after,reaches,account_id,key,installs"
                    .to_owned(),
                format!(
                    ",ssh_key,ci@example.com,ssh key aa:bb:cc,granted,,,,every install (3),,\
                     {NEW_KEY},\"clientblog, torquemag, torquemagstg\""
                ),
                format!(
                    "demoagency,account_user,pat@example.com,partial,revoked,,,,torquemag,\
                     {ACCOUNT},{ACCOUNT}/{PAT},torquemag"
                ),
            ]
        );
        let refused = command()
            .try_get_matches_from(["access", "--since", "7d"])
            .unwrap_err();
        assert_eq!(
            refused.kind(),
            clap::error::ErrorKind::MissingRequiredArgument
        );
        assert!(command()
            .try_get_matches_from(["access", "--changes", "--from", "1", "--to", "2"])
            .is_ok());
    }

    #[test]
    fn a_user_partial_by_a_later_role_is_partial_too() {
        let mut fleet = first_fleet();
        fleet.push(user(
            ACCOUNT,
            "u3",
            "sam@example.com",
            "billing,partial",
            json!([{"id": STAGING, "name": "torquemagstg"}]),
        ));
        let (_dir, mirror) = mirror_with(vec![fleet]);
        let sam: Vec<String> = collect(&mirror, &options())
            .unwrap()
            .into_iter()
            .filter(|row| row.who == "sam@example.com")
            .map(|row| row.install)
            .collect();
        assert_eq!(sam, ["torquemagstg"]);
    }

    #[test]
    fn the_tools_input_is_bounded() {
        assert_bounded::<Options>();
        let tool: Options =
            serde_json::from_value(json!({"changes": true, "since": "7d", "install": "x"}))
                .unwrap();
        assert!(tool.changes);
        assert!(serde_json::from_value::<Options>(json!({"sort": true})).is_err());
    }

    #[test]
    fn partial_is_any_of_the_roles() {
        assert!(is_partial("partial"));
        assert!(is_partial("partial,billing"));
        assert!(is_partial("billing, partial"));
        assert!(!is_partial("full,billing"));
        assert!(!is_partial("owner"));
    }
}
