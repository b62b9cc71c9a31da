//! `wpe fleet schema`: the mirror documented, for people and for programs.
//!
//! What a snapshot is, how history is kept, every table and view with its
//! columns and what each holds, and example queries. The columns are the
//! real ones: read from a database built in memory by the real migrations
//! (`PRAGMA table_info` of each table and view); only what they hold is
//! written here, keyed by column. A test fails when a column has no
//! description or a description names no column.

use std::path::Path;

use clap::{Arg, ArgAction, ArgMatches, Command};
use serde::Serialize;
use serde_json::json;

use super::{Mirror, MirrorError};
use crate::error::CliError;
use crate::output::{Format, ListPrinter};

/// The command's name.
pub const NAME: &str = "schema";

/// The id of `--sql`.
const SQL: &str = "sql";

/// `wpe fleet schema`.
pub fn command() -> Command {
    Command::new(NAME)
        .about("Document the mirror: snapshots, history, every table and view, example queries")
        .long_about(
            "Document the mirror for `wpe fleet query`: what a snapshot is, how history is \
             kept, every table and view with its columns and what they hold, and example \
             queries. Printed as text unless --format (or --json) asks otherwise: JSON gives \
             it as data, CSV a row per column. --sql prints the CREATE statements instead. \
             Needs no mirror: the columns come from the schema this wpe writes.",
        )
        .arg(
            Arg::new(SQL)
                .long(SQL)
                .action(ArgAction::SetTrue)
                .help("Print the CREATE statements of the tables, indexes and views"),
        )
}

/// What the mirror is, in a paragraph.
const ABOUT: &str = "The mirror is an SQLite file that `wpe fleet sync` writes: every record the \
     API answered for the fleet (accounts, their users, sites, installs, domains, certificates, \
     the newest backups, SSH keys, SFTP users, cache exclusions, offload settings and last \
     month's usage), as the API's own JSON. A snapshot is one sync written whole: it is in the \
     mirror completely or not at all. The other `wpe fleet` commands, and `wpe fleet query`, \
     read it with no API call.";

/// How history is kept, in a paragraph.
const HISTORY: &str = "Each record is kept once per version. A row of `records` is one version: \
     `appeared` is the snapshot it was first seen in, `disappeared` the first snapshot it was no \
     longer seen in (NULL while it is current). A sync that finds a record unchanged writes \
     nothing; a changed record closes its old row and adds a new one; a record the API no \
     longer answers is closed. So the fleet as it was at snapshot S is every row with \
     `appeared <= S AND (disappeared IS NULL OR disappeared > S)`, and at a time T the same \
     with the `versions` view's `appeared_at` and `disappeared_at`. A list the sync could not \
     read (see `snapshots.unread`) keeps its records as they were. The views named after the \
     kinds of record show the current version of each, with the fields most asked for as \
     columns; `body` holds the whole JSON (read more of it with `body ->> '$.field'`).";

/// A table or view: what it holds, and each column's description.
struct Described {
    name: &'static str,
    about: &'static str,
    columns: &'static [(&'static str, &'static str)],
}

/// The ID of the account a record belongs to.
const ACCOUNT_ID: &str = "The ID of the account it belongs to.";
/// The ID of the install a record belongs to.
const INSTALL_ID: &str = "The ID of the install it belongs to.";

/// What each table and view holds, column by column.
const DESCRIBED: &[Described] = &[
    Described {
        name: "snapshots",
        about: "One row per sync written whole.",
        columns: &[
            (
                "id",
                "The snapshot's number; later snapshots have higher ones.",
            ),
            (
                "started_at",
                "When the sync started reading (RFC 3339, UTC).",
            ),
            (
                "finished_at",
                "When the snapshot was written (RFC 3339, UTC).",
            ),
            ("api_url", "The API the sync read."),
            (
                "accounts",
                "The IDs of the accounts the sync covered, as a JSON list; NULL for every \
                 account the credentials see.",
            ),
            (
                "unread",
                "The lists the sync could not read, as a JSON list of {kind, account_id, \
                 install_id, reason}; their records were left as they were.",
            ),
            ("requests", "How many API requests the sync made."),
            ("wpe_version", "The version of wpe that wrote the snapshot."),
        ],
    },
    Described {
        name: "records",
        about: "Every version of every record: the history itself.",
        columns: &[
            ("id", "The version's row number."),
            (
                "kind",
                "What the record is: account, account_user, site, install, domain, \
                 certificate, backup, ssh_key, sftp_user, cache_exclusions, offload_settings \
                 or usage_summary.",
            ),
            (
                "key",
                "The record's key, unique within its kind: an ID, or INSTALL_ID/ID for what \
                 belongs to an install (ACCOUNT_ID/USER_ID for a user, ACCOUNT_ID/YYYY-MM for \
                 a usage summary).",
            ),
            (
                "account_id",
                "The ID of the account it belongs to (NULL for an SSH key).",
            ),
            (
                "install_id",
                "The ID of the install it belongs to, for what belongs to one.",
            ),
            ("body", "The API's JSON of the record, keys sorted."),
            ("appeared", "The snapshot this version was first seen in."),
            (
                "disappeared",
                "The first snapshot this version was no longer seen in; NULL while current.",
            ),
        ],
    },
    Described {
        name: "versions",
        about: "Every version, with the times of the snapshots it appeared and disappeared \
                in: the fleet at a time T is every row with appeared_at <= T and \
                (disappeared_at IS NULL or disappeared_at > T).",
        columns: &[
            ("id", "The version's row number in `records`."),
            ("kind", "What the record is (see `records.kind`)."),
            ("key", "The record's key within its kind."),
            ("account_id", ACCOUNT_ID),
            ("install_id", INSTALL_ID),
            ("body", "The API's JSON of this version."),
            ("appeared", "The snapshot this version was first seen in."),
            ("appeared_at", "When that snapshot was written."),
            (
                "disappeared",
                "The first snapshot without this version; NULL while current.",
            ),
            (
                "disappeared_at",
                "When that snapshot was written; NULL while current.",
            ),
        ],
    },
    Described {
        name: "current_records",
        about: "The current version of every record, of every kind.",
        columns: &[
            ("id", "The version's row number in `records`."),
            ("kind", "What the record is (see `records.kind`)."),
            ("key", "The record's key within its kind."),
            ("account_id", ACCOUNT_ID),
            ("install_id", INSTALL_ID),
            ("body", "The API's JSON of the record."),
            (
                "appeared",
                "The snapshot the current version was first seen in.",
            ),
        ],
    },
    Described {
        name: "accounts",
        about: "The accounts, as listAccounts answers them.",
        columns: &[
            ("id", "The account's ID."),
            ("name", "Its name (the short one)."),
            ("nickname", "Its display name."),
            ("body", "The API's JSON of the account."),
        ],
    },
    Described {
        name: "account_users",
        about: "The users of each account, as listAccountUsers answers them.",
        columns: &[
            ("account_id", "The account's ID."),
            ("user_id", "The user's ID."),
            ("email", "The user's e-mail address."),
            ("first_name", "The user's first name."),
            ("last_name", "The user's last name."),
            (
                "roles",
                "The user's roles in the account (owner, full, full,billing, partial, ...).",
            ),
            (
                "mfa_enabled",
                "Whether the user signs in with a second factor (1 or 0).",
            ),
            (
                "invite_accepted",
                "Whether the user accepted the invitation (1 or 0).",
            ),
            (
                "installs",
                "For a partial user, the installs the user may reach (a JSON list).",
            ),
            ("body", "The API's JSON of the user."),
        ],
    },
    Described {
        name: "sites",
        about: "The sites, as listSites answers them, without their installs (see installs).",
        columns: &[
            ("id", "The site's ID."),
            ("name", "Its name."),
            ("account_id", ACCOUNT_ID),
            ("group_name", "The group it is in, if any."),
            ("sandbox", "Whether it is a sandbox site (1 or 0)."),
            ("body", "The API's JSON of the site."),
        ],
    },
    Described {
        name: "installs",
        about: "The installs (environments), as listInstalls answers them.",
        columns: &[
            ("id", "The install's ID."),
            ("name", "Its name (also the start of its cname)."),
            ("account_id", ACCOUNT_ID),
            ("site_id", "The ID of its site."),
            ("environment", "production, staging or development."),
            ("status", "Its status (active, pending, ...)."),
            ("php_version", "The PHP version it runs."),
            ("primary_domain", "Its primary domain, if it has one."),
            (
                "cname",
                "Its own host name at WP Engine (NAME.wpengine.com).",
            ),
            (
                "is_multisite",
                "Whether it is a WordPress multisite (1 or 0).",
            ),
            ("body", "The API's JSON of the install."),
        ],
    },
    Described {
        name: "domains",
        about: "The domains of each install, as listDomains answers them.",
        columns: &[
            ("id", "The domain's ID."),
            ("install_id", INSTALL_ID),
            ("account_id", ACCOUNT_ID),
            ("name", "The domain name."),
            (
                "primary",
                "Whether it is the install's primary domain (1 or 0).",
            ),
            (
                "duplicate",
                "Whether the API marks it a duplicate (1 or 0).",
            ),
            (
                "redirect_to_id",
                "The ID of the domain it redirects to, if it redirects.",
            ),
            (
                "redirect_to",
                "The name of the domain it redirects to, if it redirects.",
            ),
            (
                "ownership_status",
                "Whether its ownership is verified (TXT_VERIFIED, TXT_PENDING, ...).",
            ),
            (
                "network_type",
                "The network it is served by (AN: the Advanced Network, ...).",
            ),
            ("network_status", "The status of its network set-up."),
            (
                "ssl_status",
                "The status of its certificate on the network.",
            ),
            (
                "dns",
                "Its DNS as the API last reported it (a JSON object: a_records, cname, ...).",
            ),
            ("body", "The API's JSON of the domain."),
        ],
    },
    Described {
        name: "certificates",
        about: "The certificates of each install, as getInstallCertificates answers them.",
        columns: &[
            ("id", "The certificate's ID."),
            ("install_id", INSTALL_ID),
            ("account_id", ACCOUNT_ID),
            ("common_name", "Its common name."),
            ("status", "Its status (ENABLED, ...)."),
            ("expires_time", "When it expires (RFC 3339)."),
            ("auto_renew", "Whether it renews itself (1 or 0)."),
            ("wildcard", "Whether it is a wildcard certificate (1 or 0)."),
            (
                "domains",
                "The names it covers (a JSON list; `*.example.com` covers one label under \
                 example.com).",
            ),
            ("body", "The API's JSON of the certificate."),
        ],
    },
    Described {
        name: "backups",
        about: "The newest backups of each install (the five newest at each sync), as \
                listBackups answers them.",
        columns: &[
            ("id", "The backup's ID."),
            ("install_id", INSTALL_ID),
            ("account_id", ACCOUNT_ID),
            ("status", "Its status (requested, completed, aborted, ...)."),
            ("description", "The description it was taken with."),
            ("create_time", "When it was requested."),
            ("complete_time", "When it completed, once it has."),
            ("body", "The API's JSON of the backup."),
        ],
    },
    Described {
        name: "ssh_keys",
        about: "The API user's SSH keys, as listSshKeys answers them: each opens every \
                install the user can reach.",
        columns: &[
            ("uuid", "The key's ID."),
            ("fingerprint", "Its fingerprint."),
            ("comment", "Its comment (often its owner's address)."),
            ("created_at", "When it was added."),
            ("body", "The API's JSON of the key."),
        ],
    },
    Described {
        name: "sftp_users",
        about: "The SFTP users of each install, as listSftpUsers answers them (never a \
                password: the API does not answer one).",
        columns: &[
            ("install_id", INSTALL_ID),
            ("account_id", ACCOUNT_ID),
            ("name", "The SFTP user's name."),
            (
                "path",
                "The folder it is confined to (NULL: the whole install).",
            ),
            ("body", "The API's JSON of the SFTP user."),
        ],
    },
    Described {
        name: "cache_exclusions",
        about: "Each install's cache exclusions, as one record per install.",
        columns: &[
            ("install_id", INSTALL_ID),
            ("account_id", ACCOUNT_ID),
            ("body", "{\"results\": [every exclusion of the install]}."),
        ],
    },
    Described {
        name: "offload_settings",
        about: "Each install's offload (LargeFS) settings; an install with none configured \
                has no row.",
        columns: &[
            ("install_id", INSTALL_ID),
            ("account_id", ACCOUNT_ID),
            (
                "body",
                "The API's JSON of the settings (getOffloadSettings).",
            ),
        ],
    },
    Described {
        name: "usage_summaries",
        about: "Each account's usage of the last full month before a sync.",
        columns: &[
            ("account_id", "The account's ID."),
            ("month", "The month (YYYY-MM)."),
            (
                "body",
                "{month, from, to, summary, insights, limits}: the usage summary, insights \
                 and plan limits the API answered for that month (insights and limits NULL \
                 when not read).",
            ),
        ],
    },
    Described {
        name: "access",
        about: "Who and what can reach each install now: the users of its account (a \
                partial user only the installs it lists), the API user's SSH keys (every \
                install) and the install's SFTP users.",
        columns: &[
            ("account_id", ACCOUNT_ID),
            ("install_id", "The install's ID."),
            ("install", "The install's name."),
            ("via", "How: account_user, ssh_key or sftp_user."),
            (
                "who",
                "The user's address, the key's comment (or fingerprint), or the SFTP user's name.",
            ),
            (
                "role",
                "The user's roles, `ssh key FINGERPRINT`, or `sftp PATH`.",
            ),
            (
                "subject",
                "The key of the record that grants it (ACCOUNT_ID/USER_ID, the key's ID, or \
                 INSTALL_ID/NAME).",
            ),
        ],
    },
];

/// Example queries: a title and the statement.
pub const EXAMPLES: &[(&str, &str)] = &[
    (
        "The installs as they were at a date (any kind works the same way)",
        "SELECT key AS install_id, body ->> '$.name' AS install, body ->> '$.php_version' AS php\n  \
         FROM versions\n \
         WHERE kind = 'install'\n   \
         AND appeared_at <= '2026-11-30T23:59:59Z'\n   \
         AND (disappeared_at IS NULL OR disappeared_at > '2026-11-30T23:59:59Z')\n \
         ORDER BY install;",
    ),
    (
        "Each install's PHP version now, the oldest first",
        "SELECT name, environment, php_version FROM installs ORDER BY php_version, name;",
    ),
    (
        "When each install's PHP version changed (every version, newest last)",
        "SELECT install, php_version, seen_from FROM (\n  \
         SELECT body ->> '$.name' AS install, body ->> '$.php_version' AS php_version,\n         \
         appeared_at AS seen_from,\n         \
         lag(body ->> '$.php_version') OVER (PARTITION BY key ORDER BY appeared) AS before\n    \
         FROM versions WHERE kind = 'install')\n \
         WHERE before IS NULL OR before IS NOT php_version\n \
         ORDER BY install, seen_from;",
    ),
    (
        "Domains that no certificate of their install covers (a wildcard covers one label)",
        "SELECT d.name, i.name AS install, i.environment\n  \
         FROM domains d JOIN installs i ON i.id = d.install_id\n \
         WHERE NOT EXISTS (\n   \
         SELECT 1 FROM certificates c, json_each(c.domains) n\n    \
         WHERE c.install_id = d.install_id\n      \
         AND (n.value = d.name\n           \
         OR (n.value LIKE '*.%' AND d.name LIKE '%.' || substr(n.value, 3)\n               \
         AND instr(substr(d.name, 1, length(d.name) - length(n.value) + 1), '.') = 0)))\n \
         ORDER BY install, d.name;",
    ),
    (
        "Certificates that expire within 30 days",
        "SELECT i.name AS install, c.common_name, c.status, c.expires_time\n  \
         FROM certificates c JOIN installs i ON i.id = c.install_id\n \
         WHERE c.expires_time < strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '+30 days')\n \
         ORDER BY c.expires_time;",
    ),
    (
        "Who can reach an install",
        "SELECT via, who, role FROM access WHERE install = 'torquemag' ORDER BY via, who;",
    ),
    (
        "What the newest snapshot changed",
        "SELECT kind, key,\n       \
         CASE WHEN appeared = s.id THEN 'new version' ELSE 'closed' END AS change\n  \
         FROM records, (SELECT max(id) AS id FROM snapshots) s\n \
         WHERE appeared = s.id OR disappeared = s.id\n \
         ORDER BY kind, key;",
    ),
];

/// The mirror's schema as data: `wpe fleet schema --format json`.
#[derive(Debug, Clone, Serialize)]
pub struct Schema {
    /// What the mirror is.
    pub about: &'static str,
    /// How history is kept.
    pub history: &'static str,
    /// The schema version this wpe writes.
    pub version: i32,
    /// Every table and view.
    pub tables: Vec<Table>,
    /// Example queries.
    pub examples: Vec<Example>,
}

/// A table or a view.
#[derive(Debug, Clone, Serialize)]
pub struct Table {
    /// Its name.
    pub name: String,
    /// `table` or `view`.
    #[serde(rename = "type")]
    pub kind: String,
    /// What it holds.
    pub about: &'static str,
    /// Its columns, in order.
    pub columns: Vec<Column>,
}

/// A column.
#[derive(Debug, Clone, Serialize)]
pub struct Column {
    /// Its name.
    pub name: String,
    /// Its declared type (a view's columns mostly have none).
    #[serde(rename = "type")]
    pub declared: String,
    /// What it holds.
    pub about: &'static str,
}

/// An example query.
#[derive(Debug, Clone, Serialize)]
pub struct Example {
    /// What it answers.
    pub title: &'static str,
    /// The statement.
    pub sql: &'static str,
}

/// A mirror in memory, built by the real migrations.
fn in_memory() -> Result<Mirror, MirrorError> {
    // SQLite's name for a database of its own in memory: no file is made.
    Mirror::open_for_sync(Path::new(":memory:"))
}

/// A table or view as SQLite has it: its name, `table` or `view`, and its
/// columns as (name, declared type).
type RealTable = (String, String, Vec<(String, String)>);

/// The tables and views of `mirror` with their real columns, in the order
/// they were made.
fn real_tables(mirror: &Mirror) -> rusqlite::Result<Vec<RealTable>> {
    let conn = mirror.conn();
    let mut statement = conn.prepare(
        "SELECT name, type FROM sqlite_schema \
          WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' ORDER BY rowid",
    )?;
    let names = statement
        .query_map([], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut tables = Vec::with_capacity(names.len());
    for (name, kind) in names {
        let mut info = conn.prepare("SELECT name, type FROM pragma_table_info(?1) ORDER BY cid")?;
        let columns = info
            .query_map([&name], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        tables.push((name, kind, columns));
    }
    Ok(tables)
}

/// The description of `column` of `table`, if written.
fn description(table: &str, column: &str) -> Option<&'static str> {
    DESCRIBED
        .iter()
        .find(|d| d.name == table)?
        .columns
        .iter()
        .find(|(name, _)| *name == column)
        .map(|(_, about)| *about)
}

/// The mirror's schema: the real tables and columns with their
/// descriptions, and the examples.
pub fn schema() -> Result<Schema, MirrorError> {
    let mirror = in_memory()?;
    let tables =
        real_tables(&mirror).map_err(|source| mirror.failed("reading its schema", source))?;
    Ok(Schema {
        about: ABOUT,
        history: HISTORY,
        version: super::store::VERSION,
        tables: tables
            .into_iter()
            .map(|(name, kind, columns)| Table {
                about: DESCRIBED
                    .iter()
                    .find(|d| d.name == name)
                    .map_or("", |d| d.about),
                columns: columns
                    .into_iter()
                    .map(|(column, declared)| Column {
                        about: description(&name, &column).unwrap_or(""),
                        name: column,
                        declared,
                    })
                    .collect(),
                name,
                kind,
            })
            .collect(),
        examples: EXAMPLES
            .iter()
            .map(|(title, sql)| Example { title, sql })
            .collect(),
    })
}

/// The CREATE statements of the real schema, in the order they run.
pub fn create_statements() -> Result<Vec<String>, MirrorError> {
    let mirror = in_memory()?;
    let fail = |source| mirror.failed("reading its schema", source);
    let mut statement = mirror
        .conn()
        .prepare(
            "SELECT sql FROM sqlite_schema \
              WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY rowid",
        )
        .map_err(fail)?;
    let rows = statement
        .query_map([], |row| row.get::<_, String>(0))
        .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
        .map_err(fail)?;
    Ok(rows)
}

/// The format asked for on the command line, if one was: the text is the
/// default on a terminal and off it.
fn asked_format(matches: &ArgMatches) -> Option<Format> {
    if matches
        .try_get_one::<bool>(crate::cli::JSON)
        .ok()
        .flatten()
        .copied()
        .unwrap_or(false)
    {
        return Some(Format::Json);
    }
    matches
        .try_get_one::<String>(crate::cli::FORMAT)
        .ok()
        .flatten()
        .and_then(|name| Format::from_name(name))
}

/// `wpe fleet schema`.
pub fn run(matches: &ArgMatches, _format: Format) -> Result<(), CliError> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if matches.get_flag(SQL) {
        for statement in create_statements()? {
            use std::io::Write;
            writeln!(out, "{statement};\n")?;
        }
        return Ok(());
    }
    let schema = schema()?;
    print(&mut out, asked_format(matches), &schema)?;
    Ok(())
}

/// Prints `schema`: as text (no format asked, a table or Markdown), as
/// data (JSON), a column per line (NDJSON) or a row per column (CSV).
pub fn print(
    out: &mut impl std::io::Write,
    format: Option<Format>,
    schema: &Schema,
) -> std::io::Result<()> {
    match format {
        Some(Format::Json) => {
            serde_json::to_writer_pretty(&mut *out, schema)?;
            writeln!(out)
        }
        Some(format @ (Format::Ndjson | Format::Csv)) => {
            let columns = ["table", "type", "column", "declared_type", "about"];
            let mut list = ListPrinter::with_columns(
                out,
                format,
                columns.iter().map(|c| (*c).to_owned()).collect(),
            );
            for table in &schema.tables {
                for column in &table.columns {
                    list.item(json!({
                        "table": table.name,
                        "type": table.kind,
                        "column": column.name,
                        "declared_type": column.declared,
                        "about": column.about,
                    }))?;
                }
            }
            list.finish()
        }
        None | Some(Format::Table | Format::Markdown) => text(out, schema),
    }
}

/// The schema as Markdown text.
fn text(out: &mut impl std::io::Write, schema: &Schema) -> std::io::Result<()> {
    writeln!(
        out,
        "# The mirror of `wpe fleet` (schema version {})\n",
        schema.version
    )?;
    writeln!(out, "{}\n", schema.about)?;
    writeln!(out, "## Snapshots and history\n")?;
    writeln!(out, "{}\n", schema.history)?;
    writeln!(out, "## Tables and views\n")?;
    for table in &schema.tables {
        writeln!(out, "### `{}` ({})\n", table.name, table.kind)?;
        writeln!(out, "{}\n", table.about)?;
        writeln!(out, "| column | what it holds |")?;
        writeln!(out, "| --- | --- |")?;
        for column in &table.columns {
            let about = column.about.replace('|', "\\|");
            writeln!(out, "| `{}` | {about} |", column.name)?;
        }
        writeln!(out)?;
    }
    writeln!(out, "## Examples\n")?;
    for example in &schema.examples {
        writeln!(out, "{}:\n", example.title)?;
        writeln!(out, "```sql\n{}\n```\n", example.sql)?;
    }
    writeln!(
        out,
        "Run one with `wpe fleet query \"SELECT ...\"`; `wpe fleet schema --sql` prints the \
         CREATE statements."
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn every_real_column_is_described_and_every_description_names_a_real_column() {
        let mirror = in_memory().unwrap();
        let tables = real_tables(&mirror).unwrap();
        assert!(tables.len() >= 17, "{tables:?}");
        let mut missing = Vec::new();
        for (name, _, columns) in &tables {
            let Some(described) = DESCRIBED.iter().find(|d| d.name == name) else {
                missing.push(format!("{name}: the table or view itself"));
                continue;
            };
            assert!(!described.about.is_empty(), "{name}");
            for (column, _) in columns {
                match description(name, column) {
                    Some(about) if !about.trim().is_empty() => {}
                    _ => missing.push(format!("{name}.{column}")),
                }
            }
        }
        assert!(missing.is_empty(), "no description of: {missing:?}");
        let mut stray = Vec::new();
        for described in DESCRIBED {
            let Some((_, _, columns)) = tables.iter().find(|(name, ..)| name == described.name)
            else {
                stray.push(described.name.to_owned());
                continue;
            };
            for (column, _) in described.columns {
                if !columns.iter().any(|(real, _)| real == column) {
                    stray.push(format!("{}.{column}", described.name));
                }
            }
        }
        assert!(
            stray.is_empty(),
            "described, but not in the schema: {stray:?}"
        );
        // And the document is built from the same: nothing left blank.
        let schema = schema().unwrap();
        assert!(schema
            .tables
            .iter()
            .all(|t| !t.about.is_empty() && t.columns.iter().all(|c| !c.about.is_empty())));
        assert!(schema
            .tables
            .iter()
            .any(|t| t.name == "domains" && t.kind == "view"));
    }

    #[test]
    fn every_example_runs_on_a_mirror() {
        let dir = tempfile::tempdir().unwrap();
        let mirror = crate::fleet::whois::fixture::mirror(&dir.path().join("m.sqlite"));
        for (title, sql) in EXAMPLES {
            let mut statement = mirror
                .conn()
                .prepare(sql)
                .unwrap_or_else(|err| panic!("{title}: {err}"));
            assert!(statement.readonly(), "{title}");
            let rows = statement
                .query_map([], |_| Ok(()))
                .unwrap_or_else(|err| panic!("{title}: {err}"))
                .count();
            let _ = rows;
        }
        // The domains without a certificate: only the one two labels under
        // a wildcard.
        let (_, sql) = EXAMPLES
            .iter()
            .find(|(title, _)| title.starts_with("Domains that no certificate"))
            .unwrap();
        let mut statement = mirror.conn().prepare(sql).unwrap();
        let names: Vec<String> = statement
            .query_map([], |row| row.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(names, ["news.blog.example.org"]);
    }

    #[test]
    fn the_text_names_every_table_and_the_sql_creates_them() {
        let schema = schema().unwrap();
        let mut out = Vec::new();
        print(&mut out, None, &schema).unwrap();
        let text = String::from_utf8(out).unwrap();
        for table in &schema.tables {
            assert!(
                text.contains(&format!("### `{}`", table.name)),
                "{}",
                table.name
            );
        }
        assert!(
            text.contains("disappeared IS NULL OR disappeared > S"),
            "{text}"
        );
        let mut out = Vec::new();
        print(&mut out, Some(Format::Json), &schema).unwrap();
        let data: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(
            data["tables"].as_array().unwrap().len(),
            schema.tables.len()
        );
        let statements = create_statements().unwrap();
        assert!(statements
            .iter()
            .any(|s| s.starts_with("CREATE VIEW domains")));
        assert!(statements
            .iter()
            .any(|s| s.starts_with("CREATE TABLE records")));
        // The CREATE statements build the same schema again.
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch(&statements.join(";\n")).unwrap();
    }
}
