//! `wpe fleet query "SELECT …"`: one read-only SQL statement over the
//! mirror, printed in any of the CLI's formats.
//!
//! # Read-only, three times over
//!
//! - The mirror is opened read-only ([`Mirror::open_read_only`]): SQLite
//!   itself refuses to write to it.
//! - A statement that would write anything (`sqlite3_stmt_readonly` is
//!   false: `DELETE`, `CREATE TEMP TABLE`, `VACUUM INTO 'file'`, setting a
//!   pragma) is refused before it runs, so nothing is written anywhere, the
//!   temporary database and new files included.
//! - `ATTACH` is refused by SQLite: the connection may attach no database
//!   (`SQLITE_LIMIT_ATTACHED` is 0), so no file is created or opened
//!   through it.
//!
//! One statement only: a second one after a `;` is refused, not dropped.
//!
//! # Bounds
//!
//! The command line prints every row as it comes. `wpe mcp`'s
//! `fleet_query` sets [`Bounds`]: at most so many rows, each text cut short
//! past so many characters, and a time budget that SQLite's progress
//! handler enforces: a runaway statement (a recursive CTE without end) is
//! interrupted with [`QueryError::OverBudget`].

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::{Arg, ArgMatches, Command};
use rusqlite::limits::Limit;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, ErrorCode};
use serde_json::{Map, Value};

use super::{store, Mirror, MirrorError};
use crate::error::CliError;
use crate::output::{Format, ListPrinter};

/// The command's name.
pub const NAME: &str = "query";

/// The id of the statement argument.
const SQL: &str = "sql";

/// The longest statement taken, in bytes.
pub const MAX_SQL: usize = 16_384;

/// How many virtual machine steps SQLite runs between two looks at the
/// time budget.
const STEPS_BETWEEN_LOOKS: i32 = 1_000;

/// `wpe fleet query`.
pub fn command() -> Command {
    Command::new(NAME)
        .about("Run one read-only SQL statement over the mirror (see wpe fleet schema)")
        .long_about(
            "Run one read-only SQL statement (SQLite's dialect) over the mirror and print \
             its rows: the columns are the statement's. `wpe fleet schema` documents the \
             views (accounts, installs, domains, certificates, ..., and `versions` for \
             history). The mirror is opened read-only: a statement that would write \
             (INSERT, UPDATE, DELETE, CREATE, DROP, setting a pragma, VACUUM INTO) is \
             refused before it runs, ATTACH is refused, and only one statement is taken. \
             A text value prints as text, a number as a number, a blob as hex.",
        )
        .arg(
            Arg::new(SQL)
                .value_name("SQL")
                .required(true)
                .help("The statement, e.g. \"SELECT name, php_version FROM installs\""),
        )
}

/// `wpe fleet query`: the rows of the statement, every one, in `format`.
pub fn run(mirror: &mut Mirror, matches: &ArgMatches, format: Format) -> Result<(), CliError> {
    let sql = matches
        .get_one::<String>(SQL)
        .map(String::as_str)
        .unwrap_or_default();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    // The printer is made at the first row, from the statement's columns.
    let mut unused = Some(&mut out);
    let mut printer: Option<(Vec<String>, ListPrinter<'_, _>)> = None;
    let mut failed: Option<std::io::Error> = None;
    let outcome = execute(mirror, sql, &Bounds::default(), |columns, row| {
        let (names, printer) = match (&mut printer, unused.take()) {
            (Some(made), _) => made,
            (None, Some(out)) => {
                let names = unique_names(columns);
                let list = ListPrinter::with_columns(out, format, names.clone());
                printer.insert((names, list))
            }
            (None, None) => return false,
        };
        let object = names
            .iter()
            .cloned()
            .zip(row)
            .collect::<Map<String, Value>>();
        match printer.item(Value::Object(object)) {
            Ok(()) => true,
            Err(err) => {
                failed = Some(err);
                false
            }
        }
    });
    if let Some(err) = failed {
        return Err(err.into());
    }
    let outcome = outcome.map_err(QueryError::into_cli)?;
    let printer = match (printer, unused) {
        (Some((_, printer)), _) => printer,
        (None, Some(out)) => ListPrinter::with_columns(out, format, unique_names(&outcome.columns)),
        (None, None) => return Ok(()),
    };
    printer.finish()?;
    Ok(())
}

/// How far a statement may go. The default: no bound.
#[derive(Debug, Clone, Default)]
pub struct Bounds {
    /// The most rows answered; past them the statement is stopped and the
    /// outcome says it was cut.
    pub max_rows: Option<usize>,
    /// The most characters of a text (or of a blob's hex) answered whole;
    /// a longer one is cut, with its length said ([`cut_text`]).
    pub max_cell_chars: Option<usize>,
    /// The most bytes of values (as JSON) answered; past them no more rows
    /// are taken, and the outcome says it was cut.
    pub max_bytes: Option<usize>,
    /// How long the statement may run; past it SQLite interrupts it.
    pub budget: Option<Duration>,
    /// Set by another thread to stop the statement (its caller went away).
    pub stop: Option<Arc<AtomicBool>>,
}

/// What a statement did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Its columns, as the statement names them (two may share a name).
    pub columns: Vec<String>,
    /// How many rows were handed on.
    pub rows: usize,
    /// Whether it had more rows than the bounds allowed.
    pub truncated: bool,
    /// How many values were cut short.
    pub cells_cut: usize,
}

/// Why a statement was not run, or stopped.
#[derive(Debug)]
pub enum QueryError {
    /// No statement was given (nothing, or only a comment).
    Empty,
    /// The statement is longer than [`MAX_SQL`] bytes.
    TooLong(usize),
    /// More than one statement was given.
    Several,
    /// The statement would write (to the mirror, the temporary database or
    /// a new file).
    Writes,
    /// The statement tried to attach a database.
    Attach,
    /// SQLite did not take the statement (a syntax error, no such column):
    /// its message.
    Invalid(String),
    /// The statement ran past its time budget and was interrupted.
    OverBudget(Duration),
    /// The statement was stopped because its caller went away.
    Stopped,
    /// The mirror failed (busy, damaged, the disk).
    Mirror(MirrorError),
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QueryError::Empty => f.write_str(
                "no SQL statement was given: give one, e.g. \"SELECT name FROM installs\"",
            ),
            QueryError::TooLong(length) => write!(
                f,
                "the statement is {length} bytes long; at most {MAX_SQL} are taken"
            ),
            QueryError::Several => f.write_str(
                "more than one statement was given: give one (a `;` ends it; nothing may \
                 follow but a comment)",
            ),
            QueryError::Writes => f.write_str(
                "the statement would write, and the mirror is read-only: only a statement \
                 that reads (SELECT, WITH ... SELECT, VALUES, a pragma that reads) is run. \
                 Nothing was written. The mirror changes only through `wpe fleet sync`",
            ),
            QueryError::Attach => f.write_str(
                "ATTACH is refused: a query reads the mirror alone (no file was opened or \
                 created)",
            ),
            QueryError::Invalid(message) => write!(
                f,
                "SQLite did not take the statement: {message} (`wpe fleet schema` lists the \
                 views and their columns)"
            ),
            QueryError::OverBudget(budget) => write!(
                f,
                "the statement ran longer than its {} budget and was stopped: narrow it \
                 (a WHERE, a LIMIT), or look for a recursive CTE without an end",
                seconds(*budget)
            ),
            QueryError::Stopped => f.write_str("the statement was stopped: its caller went away"),
            QueryError::Mirror(err) => write!(f, "{err}"),
        }
    }
}

impl std::error::Error for QueryError {}

impl QueryError {
    /// The error of the command line: a statement it will not run is a
    /// usage error (exit 2), one that ran too long a time-out (exit 3), a
    /// failing mirror a mirror error.
    pub fn into_cli(self) -> CliError {
        match self {
            QueryError::Mirror(err) => CliError::Mirror(err),
            QueryError::OverBudget(_) | QueryError::Stopped => CliError::Timeout(self.to_string()),
            other => CliError::Usage(other.to_string()),
        }
    }
}

/// A budget in words: `10 s`, `250 ms`.
fn seconds(budget: Duration) -> String {
    if budget.as_millis() < 1000 || budget.subsec_millis() != 0 {
        format!("{} ms", budget.as_millis())
    } else {
        format!("{} s", budget.as_secs())
    }
}

/// Runs `sql` on `mirror` (opened read-only) within `bounds`, handing each
/// row to `row` (with the columns) as it comes; `row` answers whether to
/// go on. Refuses what [the module](self) says before anything runs.
pub fn execute(
    mirror: &mut Mirror,
    sql: &str,
    bounds: &Bounds,
    mut row: impl FnMut(&[String], Vec<Value>) -> bool,
) -> Result<Outcome, QueryError> {
    if sql.len() > MAX_SQL {
        return Err(QueryError::TooLong(sql.len()));
    }
    let path = mirror.path().to_owned();
    let conn = mirror.conn_mut();
    let over = Arc::new(AtomicBool::new(false));
    conn.set_limit(Limit::SQLITE_LIMIT_ATTACHED, 0)
        .and_then(|_| watch(conn, bounds, &over))
        .map_err(|err| QueryError::Mirror(store::classify(&path, "setting it up", err)))?;
    let result = run_statement(conn, sql, bounds, &mut row);
    // The handler holds the bounds' flag: gone with the statement.
    let _ = conn.progress_handler(0, None::<fn() -> bool>);
    result.map_err(|failure| match failure {
        Failure::Writes => QueryError::Writes,
        Failure::Sqlite(err) => classify(&path, err, bounds, &over),
    })
}

/// Why [`run_statement`] stopped.
enum Failure {
    /// The statement would write: refused before it ran.
    Writes,
    /// SQLite failed.
    Sqlite(rusqlite::Error),
}

impl From<rusqlite::Error> for Failure {
    fn from(err: rusqlite::Error) -> Self {
        Failure::Sqlite(err)
    }
}

/// Sets SQLite's progress handler to interrupt the statement once its
/// budget is spent (`over` tells it was that) or its caller stops it.
fn watch(conn: &mut Connection, bounds: &Bounds, over: &Arc<AtomicBool>) -> rusqlite::Result<()> {
    if bounds.budget.is_none() && bounds.stop.is_none() {
        return conn.progress_handler(0, None::<fn() -> bool>);
    }
    // A budget too long to add to now never runs out.
    let deadline = bounds
        .budget
        .and_then(|budget| Instant::now().checked_add(budget));
    let stop = bounds.stop.clone();
    let over = Arc::clone(over);
    conn.progress_handler(
        STEPS_BETWEEN_LOOKS,
        Some(move || {
            if stop.as_ref().is_some_and(|s| s.load(Ordering::Relaxed)) {
                return true;
            }
            if deadline.is_some_and(|deadline| Instant::now() >= deadline) {
                over.store(true, Ordering::Relaxed);
                return true;
            }
            false
        }),
    )
}

/// Why SQLite failed, as a [`QueryError`].
fn classify(
    path: &std::path::Path,
    err: rusqlite::Error,
    bounds: &Bounds,
    over: &AtomicBool,
) -> QueryError {
    match &err {
        rusqlite::Error::Empty => return QueryError::Empty,
        rusqlite::Error::MultipleStatement => return QueryError::Several,
        rusqlite::Error::Utf8Error(..) | rusqlite::Error::NulError(_) => {
            return QueryError::Invalid(err.to_string())
        }
        // A statement SQLite could not read: the message and where.
        rusqlite::Error::SqlInputError { .. } => return QueryError::Invalid(sqlite_message(&err)),
        _ => {}
    }
    match err.sqlite_error_code() {
        Some(ErrorCode::OperationInterrupted) => match bounds.budget {
            Some(budget) if over.load(Ordering::Relaxed) => QueryError::OverBudget(budget),
            _ => QueryError::Stopped,
        },
        // The read-only connection's own refusal, should a statement that
        // writes ever pass as one that reads.
        Some(ErrorCode::ReadOnly) => QueryError::Writes,
        Some(ErrorCode::Unknown) if sqlite_message(&err).contains("too many attached") => {
            QueryError::Attach
        }
        // SQLITE_ERROR: the statement itself (syntax, no such table or
        // column, a wrong number of arguments).
        Some(ErrorCode::Unknown) => QueryError::Invalid(sqlite_message(&err)),
        _ => QueryError::Mirror(store::classify(path, "running the query", err)),
    }
}

/// SQLite's own message of an error, without rusqlite's wrapping.
fn sqlite_message(err: &rusqlite::Error) -> String {
    match err {
        rusqlite::Error::SqliteFailure(_, Some(message)) => message.clone(),
        rusqlite::Error::SqlInputError { msg, offset, .. } => {
            format!("{msg} (at byte {offset})")
        }
        other => other.to_string(),
    }
}

/// Prepares `sql`, refuses a statement that writes, and steps through its
/// rows within `bounds`.
fn run_statement(
    conn: &Connection,
    sql: &str,
    bounds: &Bounds,
    row: &mut impl FnMut(&[String], Vec<Value>) -> bool,
) -> Result<Outcome, Failure> {
    let mut statement = conn.prepare(sql)?;
    if !statement.readonly() {
        return Err(Failure::Writes);
    }
    let columns: Vec<String> = statement.column_names().map(str::to_owned).collect();
    let mut outcome = Outcome {
        columns: columns.clone(),
        rows: 0,
        truncated: false,
        cells_cut: 0,
    };
    let mut bytes = 0usize;
    let mut rows = statement.query([])?;
    while let Some(found) = rows.next()? {
        if bounds.max_rows.is_some_and(|max| outcome.rows >= max)
            || bounds.max_bytes.is_some_and(|max| bytes >= max)
        {
            outcome.truncated = true;
            break;
        }
        let mut values = Vec::with_capacity(columns.len());
        for index in 0..columns.len() {
            let (value, cut) = json_value(found.get_ref(index)?, bounds.max_cell_chars);
            outcome.cells_cut += usize::from(cut);
            bytes = bytes.saturating_add(value_bytes(&value));
            values.push(value);
        }
        outcome.rows += 1;
        if !row(&columns, values) {
            break;
        }
    }
    Ok(outcome)
}

/// About how many bytes `value` takes as JSON.
fn value_bytes(value: &Value) -> usize {
    match value {
        Value::String(text) => text.len() + 2,
        Value::Null => 4,
        other => other.to_string().len(),
    }
}

/// A value of SQLite as JSON: an integer or a real as a number (a real
/// that JSON cannot hold, an infinity, as its text), text as text, a blob
/// as lower-case hex, null as null; a text or hex longer than `max`
/// characters cut short ([`cut_text`]). Also whether it was cut.
pub fn json_value(value: ValueRef<'_>, max: Option<usize>) -> (Value, bool) {
    let max = max.unwrap_or(usize::MAX);
    match value {
        ValueRef::Null => (Value::Null, false),
        ValueRef::Integer(n) => (Value::from(n), false),
        ValueRef::Real(x) => (
            serde_json::Number::from_f64(x)
                .map(Value::Number)
                .unwrap_or_else(|| Value::String(x.to_string())),
            false,
        ),
        ValueRef::Text(bytes) => {
            let text = String::from_utf8_lossy(bytes);
            match cut_text(&text, max, None) {
                Some(cut) => (Value::String(cut), true),
                None => (Value::String(text.into_owned()), false),
            }
        }
        ValueRef::Blob(bytes) => {
            let whole = bytes.len().saturating_mul(2);
            if whole <= max {
                return (Value::String(hex(bytes)), false);
            }
            // Only the hex that is shown is written.
            let prefix = hex(&bytes[..max.div_ceil(2)]);
            let cut = cut_text(&prefix, max, Some(whole)).unwrap_or(prefix);
            (Value::String(cut), true)
        }
    }
}

/// `bytes` as lower-case hex.
fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        let _ = write!(text, "{byte:02x}");
    }
    text
}

/// `text` cut to its first `max` characters, an ellipsis and its whole
/// length (`whole`, or its own), when it is longer than `max` (or `whole`
/// is); `None` when it is whole.
pub fn cut_text(text: &str, max: usize, whole: Option<usize>) -> Option<String> {
    let end = match text.char_indices().nth(max) {
        Some((end, _)) => end,
        None if whole.is_some_and(|whole| whole > max) => text.len(),
        None => return None,
    };
    let whole = whole.unwrap_or_else(|| text.chars().count());
    Some(format!("{}… ({whole} characters)", &text[..end]))
}

/// The columns as the keys of a row's object: a name that came before
/// gets `:2`, `:3`, … (`SELECT 1 AS n, 2 AS n` gives `n` and `n:2`).
pub fn unique_names(columns: &[String]) -> Vec<String> {
    let mut names: Vec<String> = Vec::with_capacity(columns.len());
    for column in columns {
        let mut name = column.clone();
        let mut n = 1;
        while names.contains(&name) {
            n += 1;
            name = format!("{column}:{n}");
        }
        names.push(name);
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fleet::whois::fixture;

    /// A fixture mirror at a path of its own, read-only, and its folder.
    fn mirror() -> (tempfile::TempDir, Mirror) {
        let dir = tempfile::tempdir().unwrap();
        let mirror = fixture::mirror(&dir.path().join("m.sqlite"));
        (dir, mirror)
    }

    /// Every row of `sql` within `bounds`.
    fn rows(
        mirror: &mut Mirror,
        sql: &str,
        bounds: &Bounds,
    ) -> Result<(Outcome, Vec<Vec<Value>>), QueryError> {
        let mut all = Vec::new();
        let outcome = execute(mirror, sql, bounds, |_, row| {
            all.push(row);
            true
        })?;
        Ok((outcome, all))
    }

    /// The files of `dir`, each with its bytes.
    fn files(dir: &std::path::Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| {
                let path = entry.unwrap().path();
                let bytes = std::fs::read(&path).unwrap();
                (path, bytes)
            })
            .collect();
        files.sort();
        files
    }

    #[test]
    fn a_select_answers_its_columns_and_json_values() {
        let (_dir, mut mirror) = mirror();
        let (outcome, all) = rows(
            &mut mirror,
            "SELECT name, 1 AS one, 2.5 AS half, NULL AS none, x'00ff' AS blob, \
             1e999 AS big FROM installs WHERE name = 'torquemag'",
            &Bounds::default(),
        )
        .unwrap();
        assert_eq!(
            outcome.columns,
            ["name", "one", "half", "none", "blob", "big"]
        );
        assert_eq!(
            all,
            [vec![
                Value::from("torquemag"),
                Value::from(1),
                Value::from(2.5),
                Value::Null,
                Value::from("00ff"),
                Value::from("inf"),
            ]]
        );
        assert_eq!((outcome.rows, outcome.truncated), (1, false));
        assert_eq!(
            unique_names(&["n".into(), "n".into(), "m".into(), "n".into()]),
            ["n", "n:2", "m", "n:3"]
        );
    }

    #[test]
    fn a_statement_that_writes_is_refused_and_the_file_is_unchanged() {
        let (dir, mut mirror) = mirror();
        let before = files(dir.path());
        for sql in [
            "DELETE FROM records",
            "UPDATE records SET body = '{}'",
            "INSERT INTO snapshots (started_at, finished_at, api_url, wpe_version) \
             VALUES ('a', 'b', 'c', 'd')",
            "DROP VIEW installs",
            "CREATE TABLE t (x)",
            "CREATE TEMP TABLE t AS SELECT * FROM installs",
            "PRAGMA user_version = 9",
            "VACUUM INTO 'copy.sqlite'",
            "REINDEX",
        ] {
            let err = rows(&mut mirror, sql, &Bounds::default()).unwrap_err();
            assert!(matches!(err, QueryError::Writes), "{sql}: {err:?}");
            let cli = err.into_cli();
            assert_eq!(cli.exit_code(), std::process::ExitCode::from(2), "{sql}");
            assert!(cli.to_string().contains("read-only"), "{sql}: {cli}");
        }
        assert_eq!(files(dir.path()), before);
        assert!(!std::path::Path::new("copy.sqlite").exists());
        // Reading goes on as before.
        let (_, all) = rows(
            &mut mirror,
            "SELECT count(*) FROM installs",
            &Bounds::default(),
        )
        .unwrap();
        assert_eq!(all, [vec![Value::from(3)]]);
        // Under the refusal, SQLite's own: the connection is read-only.
        let err = mirror
            .conn()
            .execute("DELETE FROM records", [])
            .unwrap_err();
        assert_eq!(err.sqlite_error_code(), Some(ErrorCode::ReadOnly));
    }

    #[test]
    fn attach_is_refused_and_creates_no_file() {
        let (dir, mut mirror) = mirror();
        let before = files(dir.path());
        let target = dir.path().join("x.db");
        for sql in [
            format!("ATTACH '{}' AS x", target.display()),
            "ATTACH 'x.db' AS x".to_owned(),
            format!("SELECT * FROM installs; ATTACH '{}' AS x", target.display()),
        ] {
            let err = rows(&mut mirror, &sql, &Bounds::default()).unwrap_err();
            assert!(
                matches!(
                    err,
                    QueryError::Attach | QueryError::Writes | QueryError::Several
                ),
                "{sql}: {err:?}"
            );
        }
        assert!(!target.exists());
        assert!(!std::path::Path::new("x.db").exists());
        assert_eq!(files(dir.path()), before);
        // The limit is SQLite's own, whatever the statement check says.
        let err = mirror
            .conn()
            .execute_batch(&format!("ATTACH '{}' AS x", target.display()))
            .unwrap_err();
        assert!(err.to_string().contains("too many attached"), "{err}");
        assert!(!target.exists());
    }

    #[test]
    fn one_statement_only_and_none_is_no_statement() {
        let (_dir, mut mirror) = mirror();
        for sql in [
            "SELECT 1; SELECT 2",
            "SELECT 1; DELETE FROM records",
            "SELECT name FROM installs;\nDROP VIEW installs;",
        ] {
            let err = rows(&mut mirror, sql, &Bounds::default()).unwrap_err();
            assert!(matches!(err, QueryError::Several), "{sql}: {err:?}");
        }
        // A trailing `;` and a comment are one statement.
        let (_, all) = rows(&mut mirror, "SELECT 1; -- done", &Bounds::default()).unwrap();
        assert_eq!(all, [vec![Value::from(1)]]);
        for sql in ["", "  ", "-- nothing"] {
            let err = rows(&mut mirror, sql, &Bounds::default()).unwrap_err();
            assert!(matches!(err, QueryError::Empty), "{sql:?}: {err:?}");
        }
        let err = rows(&mut mirror, "SELEC 1", &Bounds::default()).unwrap_err();
        assert!(
            matches!(&err, QueryError::Invalid(m) if m.contains("syntax error")),
            "{err:?}"
        );
        let err = rows(&mut mirror, "SELECT nope FROM installs", &Bounds::default()).unwrap_err();
        assert!(err.to_string().contains("no such column: nope"), "{err}");
        let long = format!("SELECT '{}'", "x".repeat(MAX_SQL));
        assert!(matches!(
            rows(&mut mirror, &long, &Bounds::default()),
            Err(QueryError::TooLong(_))
        ));
    }

    #[test]
    fn a_runaway_recursive_cte_is_interrupted_by_the_budget() {
        let (_dir, mut mirror) = mirror();
        let runaway = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) \
                       SELECT count(*) FROM n";
        let bounds = Bounds {
            budget: Some(Duration::from_millis(50)),
            ..Bounds::default()
        };
        let err = rows(&mut mirror, runaway, &bounds).unwrap_err();
        assert!(matches!(err, QueryError::OverBudget(_)), "{err:?}");
        assert!(err.to_string().contains("50 ms budget"), "{err}");
        assert_eq!(err.into_cli().exit_code(), std::process::ExitCode::from(3));
        // The connection is fine afterwards, and a query within budget runs.
        let (_, all) = rows(
            &mut mirror,
            "SELECT count(*) FROM installs",
            &Bounds {
                budget: Some(Duration::from_secs(3600)),
                ..Bounds::default()
            },
        )
        .unwrap();
        assert_eq!(all, [vec![Value::from(3)]]);
        // A caller that goes away stops it too.
        let stop = Arc::new(AtomicBool::new(true));
        let err = rows(
            &mut mirror,
            runaway,
            &Bounds {
                stop: Some(stop),
                ..Bounds::default()
            },
        )
        .unwrap_err();
        assert!(matches!(err, QueryError::Stopped), "{err:?}");
    }

    #[test]
    fn rows_and_cells_are_bounded_when_asked() {
        let (_dir, mut mirror) = mirror();
        let bounds = Bounds {
            max_rows: Some(2),
            max_cell_chars: Some(10),
            ..Bounds::default()
        };
        let (outcome, all) = rows(
            &mut mirror,
            "SELECT body, randomblob(100) FROM records ORDER BY id",
            &bounds,
        )
        .unwrap();
        assert_eq!(
            (outcome.rows, outcome.truncated, outcome.cells_cut),
            (2, true, 4)
        );
        let body = all[0][0].as_str().unwrap();
        assert!(
            body.starts_with("{\"id\":\"d98") && body.ends_with(" characters)"),
            "{body}"
        );
        assert!(
            all[0][1].as_str().unwrap().ends_with("… (200 characters)"),
            "{:?}",
            all[0][1]
        );
        // Exactly as many rows as the bound: not cut.
        let (outcome, _) = rows(&mut mirror, "SELECT 1 UNION ALL SELECT 2", &bounds).unwrap();
        assert_eq!((outcome.rows, outcome.truncated), (2, false));
        // A byte bound stops taking rows once passed.
        let (outcome, _) = rows(
            &mut mirror,
            "SELECT body FROM records",
            &Bounds {
                max_bytes: Some(100),
                ..Bounds::default()
            },
        )
        .unwrap();
        assert!(outcome.truncated && outcome.rows < 5, "{outcome:?}");
        assert_eq!(cut_text("abc", 3, None), None);
        assert_eq!(cut_text("abcd", 3, None).unwrap(), "abc… (4 characters)");
    }
}
