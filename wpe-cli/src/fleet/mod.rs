//! `wpe fleet`: a local mirror of the whole fleet in SQLite, with its
//! history.
//!
//! `wpe fleet sync` reads every account, account user, site, install,
//! domain, certificate, the newest backups, SSH keys, SFTP users, cache
//! exclusions, offload settings and the last full month's usage summary
//! into one snapshot ([`sync`]); the mirror keeps each version of a record
//! once, with the snapshots it appeared and disappeared in ([`store`]).
//! The other commands answer from the mirror alone, with no API call:
//! [`snapshots`] (the syncs written), [`changes`] (what changed between
//! two snapshots), [`access`] (who and what can reach each install),
//! [`whois`] (a domain to its install), [`query`] (read-only SQL over the
//! documented views) and [`schema`].

pub mod access;
pub mod changes;
pub mod current;
pub mod query;
pub mod schema;
pub mod snapshots;
pub mod store;
pub mod sync;
pub mod whois;

use std::path::PathBuf;

use clap::{Arg, ArgMatches, Command};

use crate::error::CliError;
use crate::output::Format;

pub use store::{Mirror, MirrorError};

/// The command's name.
pub const NAME: &str = "fleet";

/// The id of `--db`.
pub const DB: &str = "db";

/// The environment variable that names the mirror when `--db` does not.
pub const DB_ENV: &str = "WPE_FLEET_DB";

/// `wpe fleet` and its commands.
pub fn command() -> Command {
    Command::new(NAME)
        .about("A local mirror of the fleet with its history: sync, changes, access, whois, query")
        .long_about(
            "A local mirror of the whole fleet in SQLite, with its history. `wpe fleet sync` \
             reads every account, user, site, install, domain, certificate, the newest \
             backups, SSH keys, SFTP users, cache exclusions, offload settings and last \
             month's usage into one snapshot; a record that did not change is not written \
             again. The other commands answer from the mirror alone, with no API call.",
        )
        .subcommand_required(true)
        .arg(
            Arg::new(DB)
                .long(DB)
                .global(true)
                .value_name("PATH")
                .env(DB_ENV)
                .value_parser(clap::value_parser!(PathBuf))
                .help(
                    "The mirror's file [default: fleet.sqlite in wpe's folder of the user's \
                     data directory; fleet-demo.sqlite with --demo]",
                ),
        )
        .subcommand(sync::command())
        .subcommand(snapshots::command())
        .subcommand(changes::command())
        .subcommand(access::command())
        .subcommand(whois::command())
        .subcommand(query::command())
        .subcommand(schema::command())
}

/// The mirror's path: `--db`, `WPE_FLEET_DB`, or the default under the
/// user's data directory (a file of its own for `--demo`, so the demo's
/// snapshots never mix with the real fleet's).
pub fn db_path(matches: &ArgMatches, demo: bool) -> Result<PathBuf, CliError> {
    mirror_path(matches.get_one::<PathBuf>(DB).map(PathBuf::as_path), demo)
}

/// The mirror's path, for every command that reads or writes it: `db` (a
/// `--db`), else `WPE_FLEET_DB`, else [`default_path`].
pub fn mirror_path(db: Option<&std::path::Path>, demo: bool) -> Result<PathBuf, CliError> {
    if let Some(db) = db {
        return Ok(db.to_owned());
    }
    match std::env::var_os(DB_ENV) {
        Some(value) if !value.is_empty() => Ok(PathBuf::from(value)),
        _ => default_path(demo),
    }
}

/// The default mirror: `wpe/fleet.sqlite` (or `fleet-demo.sqlite`) in the
/// user's data directory.
pub fn default_path(demo: bool) -> Result<PathBuf, CliError> {
    let dir = dirs::data_dir().ok_or_else(|| {
        CliError::Usage(format!(
            "no data directory is known for this user: give the mirror's path with --db or \
             {DB_ENV}"
        ))
    })?;
    Ok(dir.join("wpe").join(if demo {
        "fleet-demo.sqlite"
    } else {
        "fleet.sqlite"
    }))
}

/// Prints `rows` in `format` with `columns` (a table: the first `table` of
/// them), as every list of `wpe fleet` prints.
pub fn print_rows<T: serde::Serialize>(
    out: &mut impl std::io::Write,
    format: Format,
    columns: &[&str],
    table: usize,
    rows: &[T],
) -> Result<(), CliError> {
    let columns = crate::output::shown_columns(format, columns, table);
    let mut printer = crate::output::ListPrinter::with_columns(out, format, columns);
    for row in rows {
        printer.item(crate::workflow::to_json(row)?)?;
    }
    printer.finish()?;
    Ok(())
}

/// Opens the mirror read-only for a command that only reads it.
pub fn open_read_only(matches: &ArgMatches, demo: bool) -> Result<Mirror, CliError> {
    Ok(Mirror::open_read_only(&db_path(matches, demo)?)?)
}

/// `wpe fleet …`.
pub async fn run(demo: bool, matches: &ArgMatches, format: Format) -> Result<(), CliError> {
    match matches.subcommand() {
        Some((sync::NAME, sub)) => sync::run(demo, matches, sub, format).await,
        Some((snapshots::NAME, sub)) => {
            snapshots::run(&open_read_only(matches, demo)?, sub, format)
        }
        Some((changes::NAME, sub)) => changes::run(&open_read_only(matches, demo)?, sub, format),
        Some((access::NAME, sub)) => access::run(&open_read_only(matches, demo)?, sub, format),
        Some((whois::NAME, sub)) => whois::run(&open_read_only(matches, demo)?, sub, format),
        Some((query::NAME, sub)) => query::run(&mut open_read_only(matches, demo)?, sub, format),
        Some((schema::NAME, sub)) => schema::run(sub, format),
        _ => Err(CliError::Usage(
            "wpe fleet: a command is required (see wpe fleet --help)".into(),
        )),
    }
}
