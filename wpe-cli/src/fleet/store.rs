//! The mirror's database: its schema and migrations, how it is opened (for
//! a sync, or read-only for everything else), and how a snapshot is written.
//!
//! # History without copies
//!
//! Every record the API answered (an account, an install, a domain, …) is a
//! row of `records`: its `kind`, its `key` (unique within the kind), the
//! account and install it belongs to, and its `body`, the API's JSON as it
//! came (keys sorted, so that equal answers are equal text). A row is one
//! *version* of a record: `appeared` is the snapshot it was first seen in,
//! `disappeared` the first snapshot it was no longer seen in (null while it
//! is current). A sync that finds a record unchanged writes nothing for it;
//! a changed one closes the old version and adds the new; a record no
//! longer answered is closed. So the state at snapshot `S` is every row with
//! `appeared <= S AND (disappeared IS NULL OR disappeared > S)`.
//!
//! # Which file is ours
//!
//! The file's SQLite header carries [`APPLICATION_ID`] and its schema
//! version ([`VERSION`], as `user_version`). A file that is not SQLite, an
//! SQLite database of something else, one from a newer `wpe`, or a damaged
//! one is refused before anything is written to it.

use std::fmt;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use serde_json::Value;

/// The SQLite `application_id` of a mirror: "WPEF".
pub const APPLICATION_ID: i32 = 0x5750_4546;

/// The schema version this `wpe` writes (`PRAGMA user_version`): the number
/// of [`MIGRATIONS`] applied.
pub const VERSION: i32 = MIGRATIONS.len() as i32;

/// The migrations, in order: migration `n` (from 1) takes a mirror from
/// version `n - 1` to `n`. Never edit one that has shipped; add another.
const MIGRATIONS: &[&str] = &[include_str!("schema_v1.sql")];

/// What kind of record a row of `records` is, and so which API answer its
/// body is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// An account (`listAccounts`); key: its ID.
    Account,
    /// A user of an account (`listAccountUsers`); key: `ACCOUNT_ID/USER_ID`.
    AccountUser,
    /// A site (`listSites`, without its nested `installs`); key: its ID.
    Site,
    /// An install (`listInstalls`); key: its ID.
    Install,
    /// A domain of an install (`listDomains`); key: `INSTALL_ID/DOMAIN_ID`.
    Domain,
    /// A certificate of an install (`getInstallCertificates`); key:
    /// `INSTALL_ID/CERTIFICATE_ID`.
    Certificate,
    /// One of the newest backups of an install (`listBackups`); key:
    /// `INSTALL_ID/BACKUP_ID`.
    Backup,
    /// An SSH key of the API user (`listSshKeys`); key: its UUID. It belongs
    /// to no account: it opens every install the user can reach.
    SshKey,
    /// An SFTP user of an install (`listSftpUsers`); key: `INSTALL_ID/NAME`.
    SftpUser,
    /// An install's cache exclusions (`listCacheExclusions`, the whole
    /// list as one record); key: the install's ID.
    CacheExclusions,
    /// An install's offload (LargeFS) settings (`getOffloadSettings`); key:
    /// the install's ID. None configured (a 404) is no record.
    OffloadSettings,
    /// An account's usage of the last full month, as `wpe report usage`
    /// reads it: `{month, from, to, summary, insights, metrics, limits}`
    /// (`getAccountUsageSummary`, `getAccountUsageInsights`, each install's
    /// rollup of `getAccountUsageMetrics` and `getAccountsLimits`); key:
    /// `ACCOUNT_ID/YYYY-MM`.
    UsageSummary,
}

impl Kind {
    /// Every kind, in the order `changes` groups them.
    pub const ALL: [Kind; 12] = [
        Kind::Account,
        Kind::AccountUser,
        Kind::SshKey,
        Kind::Site,
        Kind::Install,
        Kind::Domain,
        Kind::Certificate,
        Kind::SftpUser,
        Kind::CacheExclusions,
        Kind::OffloadSettings,
        Kind::Backup,
        Kind::UsageSummary,
    ];

    /// Its name in the `kind` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Account => "account",
            Kind::AccountUser => "account_user",
            Kind::Site => "site",
            Kind::Install => "install",
            Kind::Domain => "domain",
            Kind::Certificate => "certificate",
            Kind::Backup => "backup",
            Kind::SshKey => "ssh_key",
            Kind::SftpUser => "sftp_user",
            Kind::CacheExclusions => "cache_exclusions",
            Kind::OffloadSettings => "offload_settings",
            Kind::UsageSummary => "usage_summary",
        }
    }

    /// The kind named `name` in the `kind` column.
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|kind| kind.as_str() == name)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One record as a sync read it.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// What it is.
    pub kind: Kind,
    /// Its key, unique within its kind (see [`Kind`]).
    pub key: String,
    /// The account it belongs to (null for an SSH key).
    pub account_id: Option<String>,
    /// The install it belongs to, for the kinds under an install.
    pub install_id: Option<String>,
    /// The API's JSON of it.
    pub body: Value,
}

/// A list a sync could not read (the credentials may not: a 403, or a 404
/// of something gone while the sync ran). The records it held are kept as
/// they were: neither changed nor closed by this snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unread {
    /// The kind of records the list holds.
    pub kind: Kind,
    /// The account the list is of, for a list of an account.
    pub account_id: Option<String>,
    /// The install the list is of, for a list of an install.
    pub install_id: Option<String>,
    /// Why, as the API said it.
    pub reason: String,
}

/// A whole sync, ready to be written as one snapshot.
#[derive(Debug, Clone)]
pub struct NewSnapshot {
    /// When the sync started reading.
    pub started_at: DateTime<Utc>,
    /// The API it read (its base URL).
    pub api_url: String,
    /// The accounts it covered (their IDs), or `None` for every account the
    /// credentials see. A record of an account outside them (and not of
    /// the user, like an SSH key) is left as it was.
    pub accounts: Option<Vec<String>>,
    /// Every record read.
    pub records: Vec<Record>,
    /// The lists it could not read.
    pub unread: Vec<Unread>,
    /// How many requests the reads took.
    pub requests: u64,
}

/// What writing a snapshot did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Written {
    /// The new snapshot's ID.
    pub snapshot: i64,
    /// Records seen for the first time.
    pub added: u64,
    /// Records whose body changed (each one old version closed, one new added).
    pub changed: u64,
    /// Records no longer answered (closed).
    pub removed: u64,
    /// Records found as they were (nothing written).
    pub unchanged: u64,
}

impl Written {
    /// Rows of `records` inserted (a new record or a new version).
    pub fn rows_inserted(&self) -> u64 {
        self.added + self.changed
    }
}

/// A snapshot of the mirror, as `snapshots` has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// Its ID (they increase).
    pub id: i64,
    /// When its sync started reading.
    pub started_at: DateTime<Utc>,
    /// When it was written.
    pub finished_at: DateTime<Utc>,
    /// The API it read.
    pub api_url: String,
    /// The accounts it covered (IDs), or `None` for all.
    pub accounts: Option<Vec<String>>,
    /// The lists it could not read, or `None` when its `unread` column
    /// does not hold a list (a mirror not written by `wpe`).
    pub unread: Option<Vec<Unread>>,
    /// How many requests its reads took.
    pub requests: i64,
    /// The `wpe` that wrote it.
    pub wpe_version: String,
}

/// Why a mirror could not be opened or written.
#[derive(Debug)]
pub enum MirrorError {
    /// There is no mirror at the path yet (a read needs one).
    Missing(PathBuf),
    /// The file is not a mirror of `wpe fleet`: not SQLite, or another
    /// program's database.
    NotOurs {
        /// The file.
        path: PathBuf,
        /// What it is instead.
        detail: String,
    },
    /// The mirror was written by a newer `wpe`.
    Newer {
        /// The file.
        path: PathBuf,
        /// Its schema version.
        version: i32,
    },
    /// The mirror was written by an older `wpe` and not yet brought up to
    /// date (a read-only open cannot migrate it).
    Older {
        /// The file.
        path: PathBuf,
        /// Its schema version.
        version: i32,
    },
    /// The file is a damaged SQLite database.
    Damaged {
        /// The file.
        path: PathBuf,
        /// What SQLite found.
        detail: String,
    },
    /// SQLite failed otherwise (a full disk, a lock held too long, …).
    Sqlite {
        /// The file.
        path: PathBuf,
        /// What was being done.
        doing: &'static str,
        /// SQLite's error.
        source: rusqlite::Error,
    },
}

impl fmt::Display for MirrorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MirrorError::Missing(path) => write!(
                f,
                "no mirror at {}: run `wpe fleet sync` first (or give --db the mirror's path)",
                path.display()
            ),
            MirrorError::NotOurs { path, detail } => write!(
                f,
                "{} is not a mirror of `wpe fleet` ({detail}); nothing was written to it: \
                 give --db another path",
                path.display()
            ),
            MirrorError::Newer { path, version } => write!(
                f,
                "the mirror at {} has schema version {version}, newer than this wpe's \
                 {VERSION}; nothing was written to it: use a newer wpe, or give --db another \
                 path",
                path.display()
            ),
            MirrorError::Older { path, version } => write!(
                f,
                "the mirror at {} has schema version {version}, older than this wpe's \
                 {VERSION}: run `wpe fleet sync` once to bring it up to date",
                path.display()
            ),
            MirrorError::Damaged { path, detail } => write!(
                f,
                "the mirror at {} is damaged ({detail}); nothing was written to it: move it \
                 aside and run `wpe fleet sync` to start a new one",
                path.display()
            ),
            MirrorError::Sqlite {
                path,
                doing,
                source,
            } => write!(f, "the mirror at {}: {doing}: {source}", path.display()),
        }
    }
}

impl MirrorError {
    /// The exit code of `wpe`: 2 for a path that names no mirror of ours
    /// (a usage error), 1 for a mirror that failed.
    pub fn exit_code(&self) -> u8 {
        match self {
            MirrorError::Missing(_)
            | MirrorError::NotOurs { .. }
            | MirrorError::Newer { .. }
            | MirrorError::Older { .. } => 2,
            MirrorError::Damaged { .. } | MirrorError::Sqlite { .. } => 1,
        }
    }
}

impl std::error::Error for MirrorError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            MirrorError::Sqlite { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// An open mirror.
#[derive(Debug)]
pub struct Mirror {
    conn: Connection,
    path: PathBuf,
}

/// How long a statement waits for another `wpe`'s lock before failing.
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

impl Mirror {
    /// Opens the mirror at `path` to write a snapshot: creates it (and its
    /// folder) when there is none, brings an older one up to [`VERSION`],
    /// and refuses a file that is not ours, newer or damaged without
    /// writing to it.
    pub fn open_for_sync(path: &Path) -> Result<Mirror, MirrorError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|err| MirrorError::NotOurs {
                path: path.to_owned(),
                detail: format!("its folder cannot be made: {err}"),
            })?;
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|err| classify(path, "opening it", err))?;
        let mut mirror = Mirror {
            conn,
            path: path.to_owned(),
        };
        let version = mirror.check(true)?;
        mirror.set_up()?;
        mirror.migrate(version)?;
        Ok(mirror)
    }

    /// Opens the mirror at `path` read-only: SQLite itself refuses any
    /// statement that would write. A missing, foreign, newer, older (not
    /// yet migrated) or damaged file is an error.
    pub fn open_read_only(path: &Path) -> Result<Mirror, MirrorError> {
        if !path.exists() {
            return Err(MirrorError::Missing(path.to_owned()));
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|err| classify(path, "opening it", err))?;
        let mirror = Mirror {
            conn,
            path: path.to_owned(),
        };
        match mirror.check(false)? {
            // An empty file: no mirror yet.
            0 => return Err(MirrorError::Missing(path.to_owned())),
            version if version < VERSION => {
                return Err(MirrorError::Older {
                    path: path.to_owned(),
                    version,
                })
            }
            _ => {}
        }
        mirror
            .conn
            .busy_timeout(BUSY_TIMEOUT)
            .map_err(|err| classify(path, "setting it up", err))?;
        Ok(mirror)
    }

    /// The connection, for the commands' queries.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// The connection, to set what only a `&mut` may (a progress handler).
    pub fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The mirror's error for SQLite's `err` while `doing` something: a
    /// damaged file or one that is not a database told apart from any
    /// other failure, wherever it was reached.
    pub fn failed(&self, doing: &'static str, err: rusqlite::Error) -> MirrorError {
        classify(&self.path, doing, err)
    }

    /// Checks the header (and, when `thorough`, every page) before anything
    /// is written: returns the schema version, 0 for a new empty file.
    fn check(&self, thorough: bool) -> Result<i32, MirrorError> {
        let path = &self.path;
        let application_id: i32 = self
            .conn
            .query_row("PRAGMA application_id", [], |row| row.get(0))
            .map_err(|err| classify(path, "reading its header", err))?;
        let version: i32 = self
            .conn
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .map_err(|err| classify(path, "reading its header", err))?;
        if application_id != APPLICATION_ID {
            let tables: i64 = self
                .conn
                .query_row("SELECT count(*) FROM sqlite_schema", [], |row| row.get(0))
                .map_err(|err| classify(path, "reading its tables", err))?;
            if application_id == 0 && version == 0 && tables == 0 {
                return Ok(0);
            }
            return Err(MirrorError::NotOurs {
                path: path.clone(),
                detail: if application_id == 0 {
                    format!("an SQLite database of another program, with {tables} tables")
                } else {
                    format!("an SQLite database of another program (application id {application_id:#x})")
                },
            });
        }
        if version > VERSION {
            return Err(MirrorError::Newer {
                path: path.clone(),
                version,
            });
        }
        if thorough {
            let verdict: String = self
                .conn
                .query_row("PRAGMA quick_check(1)", [], |row| row.get(0))
                .map_err(|err| classify(path, "checking it", err))?;
            if verdict != "ok" {
                // SQLite's report spans lines: one line for the message.
                return Err(MirrorError::Damaged {
                    path: path.clone(),
                    detail: verdict.split_whitespace().collect::<Vec<_>>().join(" "),
                });
            }
        }
        Ok(version)
    }

    /// Settings for writing: WAL (readers go on while a sync writes), a
    /// wait for another writer's lock.
    fn set_up(&self) -> Result<(), MirrorError> {
        let path = &self.path;
        self.conn
            .busy_timeout(BUSY_TIMEOUT)
            .map_err(|err| classify(path, "setting it up", err))?;
        self.conn
            .pragma_update(None, "journal_mode", "wal")
            .map_err(|err| classify(path, "setting it up", err))?;
        self.conn
            .pragma_update(None, "foreign_keys", true)
            .map_err(|err| classify(path, "setting it up", err))?;
        Ok(())
    }

    /// Applies the migrations after `from`, each in its own transaction
    /// with the version it reaches.
    fn migrate(&mut self, from: i32) -> Result<(), MirrorError> {
        let path = self.path.clone();
        for (index, sql) in MIGRATIONS.iter().enumerate().skip(from as usize) {
            let to = index as i32 + 1;
            let tx = self
                .conn
                .transaction()
                .map_err(|err| classify(&path, "migrating it", err))?;
            tx.execute_batch(sql)
                .and_then(|()| tx.pragma_update(None, "application_id", APPLICATION_ID))
                .and_then(|()| tx.pragma_update(None, "user_version", to))
                .and_then(|()| tx.commit())
                .map_err(|err| classify(&path, "migrating it", err))?;
        }
        Ok(())
    }

    /// Every snapshot, oldest first.
    pub fn snapshots(&self) -> Result<Vec<Snapshot>, MirrorError> {
        let mut statement = self
            .conn
            .prepare(&format!(
                "SELECT {SNAPSHOT_COLUMNS} FROM snapshots ORDER BY id"
            ))
            .map_err(|err| classify(&self.path, "reading its snapshots", err))?;
        let rows = statement
            .query_map([], snapshot_row)
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(|err| classify(&self.path, "reading its snapshots", err))?;
        Ok(rows)
    }

    /// The newest snapshot, if any.
    pub fn latest(&self) -> Result<Option<Snapshot>, MirrorError> {
        self.conn
            .query_row(
                &format!("SELECT {SNAPSHOT_COLUMNS} FROM snapshots ORDER BY id DESC LIMIT 1"),
                [],
                snapshot_row,
            )
            .optional()
            .map_err(|err| classify(&self.path, "reading its snapshots", err))
    }

    /// Writes `snapshot` in one transaction: nothing of it is visible until
    /// all of it is, and a sync that fails or is killed before the commit
    /// leaves the mirror as it was.
    pub fn write(&mut self, snapshot: &NewSnapshot) -> Result<Written, MirrorError> {
        let path = self.path.clone();
        let fail = |err| classify(&path, "writing the snapshot", err);
        let tx = self.conn.transaction().map_err(fail)?;
        let accounts = snapshot
            .accounts
            .as_ref()
            .map(|ids| serde_json::to_string(ids).expect("a list of strings is JSON"));
        let unread = serde_json::to_string(
            &snapshot
                .unread
                .iter()
                .map(|u| {
                    serde_json::json!({
                        "kind": u.kind.as_str(),
                        "account_id": u.account_id,
                        "install_id": u.install_id,
                        "reason": u.reason,
                    })
                })
                .collect::<Vec<_>>(),
        )
        .expect("JSON values are JSON");
        tx.execute(
            "INSERT INTO snapshots (started_at, finished_at, api_url, accounts, unread, requests, \
             wpe_version) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                timestamp(snapshot.started_at),
                timestamp(Utc::now()),
                snapshot.api_url,
                accounts,
                unread,
                snapshot.requests as i64,
                env!("CARGO_PKG_VERSION"),
            ],
        )
        .map_err(fail)?;
        let id = tx.last_insert_rowid();
        let mut written = Written {
            snapshot: id,
            ..Written::default()
        };
        // What is current now: (kind, key) -> (row, body).
        let mut current = std::collections::HashMap::new();
        {
            let mut statement = tx
                .prepare(
                    "SELECT id, kind, key, account_id, install_id, body FROM records \
                     WHERE disappeared IS NULL",
                )
                .map_err(fail)?;
            let mut rows = statement.query([]).map_err(fail)?;
            while let Some(row) = rows.next().map_err(fail)? {
                let row_id: i64 = row.get(0).map_err(fail)?;
                let kind: String = row.get(1).map_err(fail)?;
                let key: String = row.get(2).map_err(fail)?;
                let account_id: Option<String> = row.get(3).map_err(fail)?;
                let install_id: Option<String> = row.get(4).map_err(fail)?;
                let body: String = row.get(5).map_err(fail)?;
                current.insert((kind, key), (row_id, account_id, install_id, body));
            }
        }
        {
            let mut insert = tx
                .prepare(
                    "INSERT INTO records (kind, key, account_id, install_id, body, appeared) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .map_err(fail)?;
            let mut close = tx
                .prepare("UPDATE records SET disappeared = ?1 WHERE id = ?2")
                .map_err(fail)?;
            for record in &snapshot.records {
                let body = canonical(&record.body);
                match current.remove(&(record.kind.as_str().to_owned(), record.key.clone())) {
                    Some((_, _, _, old)) if old == body => {
                        written.unchanged += 1;
                        continue;
                    }
                    Some((row_id, ..)) => {
                        close.execute(params![id, row_id]).map_err(fail)?;
                        written.changed += 1;
                    }
                    None => written.added += 1,
                }
                insert
                    .execute(params![
                        record.kind.as_str(),
                        record.key,
                        record.account_id,
                        record.install_id,
                        body,
                        id
                    ])
                    .map_err(fail)?;
            }
            // What is left was not answered: closed, when this sync covered it.
            for ((kind, _key), (row_id, account_id, install_id, _)) in &current {
                if !covers(snapshot, kind, account_id.as_deref(), install_id.as_deref()) {
                    continue;
                }
                close.execute(params![id, row_id]).map_err(fail)?;
                written.removed += 1;
            }
        }
        tx.commit().map_err(fail)?;
        // The snapshot is in the write-ahead log: move it into the database
        // file and empty the log, so the mirror is one file of its real
        // size between syncs. A reader holding the log open (a `wpe mcp`
        // beside) keeps part of it there, which is no failure: the next
        // checkpoint takes it.
        let _ = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
        Ok(written)
    }
}

/// Whether `snapshot` read the list a record of `kind`, `account_id` and
/// `install_id` comes from: it is in the accounts synced (or the user's,
/// with no account), and its list was not unread.
fn covers(
    snapshot: &NewSnapshot,
    kind: &str,
    account_id: Option<&str>,
    install_id: Option<&str>,
) -> bool {
    if let (Some(accounts), Some(account)) = (&snapshot.accounts, account_id) {
        if !accounts.iter().any(|a| a == account) {
            return false;
        }
    }
    !snapshot.unread.iter().any(|unread| {
        unread.kind.as_str() == kind
            && (unread.account_id.is_none() || unread.account_id.as_deref() == account_id)
            && (unread.install_id.is_none() || unread.install_id.as_deref() == install_id)
    })
}

/// The columns of `snapshots` that [`snapshot_row`] reads, in its order.
const SNAPSHOT_COLUMNS: &str =
    "id, started_at, finished_at, api_url, accounts, unread, requests, wpe_version";

/// A row of `snapshots`.
fn snapshot_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Snapshot> {
    let parse = |index: usize, text: String| {
        DateTime::parse_from_rfc3339(&text)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|err| {
                rusqlite::Error::FromSqlConversionFailure(
                    index,
                    rusqlite::types::Type::Text,
                    Box::new(err),
                )
            })
    };
    let accounts: Option<String> = row.get(4)?;
    let unread: String = row.get(5)?;
    Ok(Snapshot {
        id: row.get(0)?,
        started_at: parse(1, row.get(1)?)?,
        finished_at: parse(2, row.get(2)?)?,
        api_url: row.get(3)?,
        accounts: accounts.and_then(|text| serde_json::from_str(&text).ok()),
        unread: unread_list(&unread),
        requests: row.get(6)?,
        wpe_version: row.get(7)?,
    })
}

/// A snapshot's `unread` column as [`Mirror::write`] writes it: a JSON
/// list of `{kind, account_id, install_id, reason}` (an entry of no kind
/// this `wpe` knows is left out); `None` when it is not a list.
fn unread_list(text: &str) -> Option<Vec<Unread>> {
    let Ok(Value::Array(items)) = serde_json::from_str::<Value>(text) else {
        return None;
    };
    let unread = |item: &Value| {
        let text = |field: &str| item.get(field).and_then(Value::as_str).map(str::to_owned);
        Some(Unread {
            kind: Kind::from_name(item.get("kind")?.as_str()?)?,
            account_id: text("account_id"),
            install_id: text("install_id"),
            reason: text("reason").unwrap_or_default(),
        })
    };
    Some(items.iter().filter_map(unread).collect())
}

/// A time as the mirror writes it: RFC 3339 in UTC with seconds, so that
/// text order is time order.
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// `value` as JSON text with every object's keys sorted, so that two equal
/// answers are the same text whatever order the server sent them in.
pub fn canonical(value: &Value) -> String {
    fn sorted(value: &Value) -> Value {
        match value {
            Value::Object(map) => {
                let mut entries: Vec<_> = map.iter().collect();
                entries.sort_by(|a, b| a.0.cmp(b.0));
                Value::Object(
                    entries
                        .into_iter()
                        .map(|(k, v)| (k.clone(), sorted(v)))
                        .collect(),
                )
            }
            Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    sorted(value).to_string()
}

/// SQLite's error, told apart: a file that is not a database, a damaged
/// one, or anything else (see [`Mirror::failed`], for where the mirror is
/// borrowed otherwise).
pub fn classify(path: &Path, doing: &'static str, err: rusqlite::Error) -> MirrorError {
    use rusqlite::ffi::ErrorCode;
    match err.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => MirrorError::NotOurs {
            path: path.to_owned(),
            detail: "not an SQLite database".into(),
        },
        Some(ErrorCode::DatabaseCorrupt) => MirrorError::Damaged {
            path: path.to_owned(),
            detail: err.to_string(),
        },
        _ => MirrorError::Sqlite {
            path: path.to_owned(),
            doing,
            source: err,
        },
    }
}

/// What the fleet's unit tests build mirrors from: a record as the sync
/// writes it, and a snapshot of every account.
#[cfg(test)]
pub(crate) mod testing {
    use super::{Kind, NewSnapshot, Record};
    use serde_json::Value;

    /// A record of `account` (and `install`).
    pub fn record(
        kind: Kind,
        key: impl Into<String>,
        account: Option<&str>,
        install: Option<&str>,
        body: Value,
    ) -> Record {
        Record {
            kind,
            key: key.into(),
            account_id: account.map(str::to_owned),
            install_id: install.map(str::to_owned),
            body,
        }
    }

    /// A whole snapshot of every account, read now, with nothing unread.
    pub fn snapshot(records: Vec<Record>) -> NewSnapshot {
        NewSnapshot {
            started_at: chrono::Utc::now(),
            api_url: "http://stand-in".into(),
            accounts: None,
            records,
            unread: Vec::new(),
            requests: 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::snapshot;
    use super::*;
    use serde_json::json;

    /// A record of `account`, under no install.
    fn record(kind: Kind, key: &str, account: &str, body: Value) -> Record {
        super::testing::record(kind, key, Some(account), None, body)
    }

    fn versions(mirror: &Mirror) -> Vec<(String, String, i64, Option<i64>)> {
        let mut statement = mirror
            .conn()
            .prepare("SELECT kind, key, appeared, disappeared FROM records ORDER BY id")
            .unwrap();
        statement
            .query_map([], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn a_record_is_written_once_per_version_and_closed_when_gone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/fleet.sqlite");
        let mut mirror = Mirror::open_for_sync(&path).unwrap();
        let a = record(
            Kind::Install,
            "i1",
            "a1",
            json!({"name": "one", "php_version": "8.2"}),
        );
        let b = record(Kind::Install, "i2", "a1", json!({"name": "two"}));
        let first = mirror.write(&snapshot(vec![a.clone(), b.clone()])).unwrap();
        assert_eq!((first.added, first.changed, first.removed), (2, 0, 0));
        // Same bodies, keys in another order: nothing written.
        let reordered = record(
            Kind::Install,
            "i1",
            "a1",
            json!({"php_version": "8.2", "name": "one"}),
        );
        let second = mirror.write(&snapshot(vec![reordered, b.clone()])).unwrap();
        assert_eq!(
            (second.unchanged, second.rows_inserted(), second.removed),
            (2, 0, 0)
        );
        // i1 changes, i2 goes.
        let changed = record(
            Kind::Install,
            "i1",
            "a1",
            json!({"name": "one", "php_version": "8.3"}),
        );
        let third = mirror.write(&snapshot(vec![changed])).unwrap();
        assert_eq!((third.changed, third.removed, third.added), (1, 1, 0));
        assert_eq!(
            versions(&mirror),
            vec![
                ("install".into(), "i1".into(), 1, Some(3)),
                ("install".into(), "i2".into(), 1, Some(3)),
                ("install".into(), "i1".into(), 3, None),
            ]
        );
        let php: String = mirror
            .conn()
            .query_row("SELECT php_version FROM installs", [], |row| row.get(0))
            .unwrap();
        assert_eq!(php, "8.3");
        assert_eq!(mirror.snapshots().unwrap().len(), 3);
    }

    #[test]
    fn a_sync_of_some_accounts_or_with_unread_lists_keeps_the_rest_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let mut mirror = Mirror::open_for_sync(&dir.path().join("m.sqlite")).unwrap();
        let one = record(Kind::Install, "i1", "a1", json!({"name": "one"}));
        let two = record(Kind::Install, "i2", "a2", json!({"name": "two"}));
        let user = record(Kind::AccountUser, "a1/u1", "a1", json!({"email": "u@x"}));
        mirror
            .write(&snapshot(vec![one.clone(), two, user]))
            .unwrap();
        let written = mirror
            .write(&NewSnapshot {
                accounts: Some(vec!["a1".into()]),
                unread: vec![Unread {
                    kind: Kind::AccountUser,
                    account_id: Some("a1".into()),
                    install_id: None,
                    reason: "403 Forbidden".into(),
                }],
                ..snapshot(vec![one])
            })
            .unwrap();
        assert_eq!((written.removed, written.unchanged), (0, 1));
        let current: i64 = mirror
            .conn()
            .query_row("SELECT count(*) FROM current_records", [], |row| row.get(0))
            .unwrap();
        assert_eq!(current, 3);
    }

    #[test]
    fn a_foreign_newer_or_damaged_file_is_refused_and_left_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        // Not SQLite at all.
        let text = dir.path().join("notes.txt");
        std::fs::write(&text, "not a database, but 100 bytes long ".repeat(3)).unwrap();
        let before = std::fs::read(&text).unwrap();
        assert!(matches!(
            Mirror::open_for_sync(&text),
            Err(MirrorError::NotOurs { .. })
        ));
        assert!(matches!(
            Mirror::open_read_only(&text),
            Err(MirrorError::NotOurs { .. })
        ));
        assert_eq!(std::fs::read(&text).unwrap(), before);
        // Another program's SQLite database.
        let other = dir.path().join("other.sqlite");
        Connection::open(&other)
            .unwrap()
            .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
            .unwrap();
        let before = std::fs::read(&other).unwrap();
        let err = Mirror::open_for_sync(&other).unwrap_err();
        assert!(matches!(err, MirrorError::NotOurs { .. }), "{err}");
        assert!(err.to_string().contains("nothing was written"), "{err}");
        assert_eq!(std::fs::read(&other).unwrap(), before);
        // One from a newer wpe.
        let newer = dir.path().join("newer.sqlite");
        drop(Mirror::open_for_sync(&newer).unwrap());
        Connection::open(&newer)
            .unwrap()
            .pragma_update(None, "user_version", VERSION + 1)
            .unwrap();
        let err = Mirror::open_for_sync(&newer).unwrap_err();
        assert!(
            matches!(err, MirrorError::Newer { version, .. } if version == VERSION + 1),
            "{err}"
        );
        assert!(matches!(
            Mirror::open_read_only(&newer),
            Err(MirrorError::Newer { .. })
        ));
        // None at all, for a read.
        assert!(matches!(
            Mirror::open_read_only(&dir.path().join("none.sqlite")),
            Err(MirrorError::Missing(_))
        ));
    }

    #[test]
    fn the_read_only_connection_refuses_to_write() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.sqlite");
        let mut mirror = Mirror::open_for_sync(&path).unwrap();
        mirror
            .write(&snapshot(vec![record(
                Kind::Account,
                "a1",
                "a1",
                json!({"name": "a"}),
            )]))
            .unwrap();
        drop(mirror);
        let reader = Mirror::open_read_only(&path).unwrap();
        let err = reader
            .conn()
            .execute("DELETE FROM records", [])
            .unwrap_err();
        assert_eq!(
            err.sqlite_error_code(),
            Some(rusqlite::ErrorCode::ReadOnly),
            "{err}"
        );
        let name: String = reader
            .conn()
            .query_row("SELECT name FROM accounts", [], |row| row.get(0))
            .unwrap();
        assert_eq!(name, "a");
    }
}
