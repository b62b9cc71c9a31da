//! `wpe fleet snapshots`: the snapshots of the mirror, oldest first, with
//! the accounts each covered, the lists it could not read and how many
//! records were current at it.

use std::collections::HashMap;
use std::io::{self, BufWriter, Write};

use clap::{ArgMatches, Command};
use serde::Serialize;

use super::changes::{self, Names};
use super::store::{timestamp, Kind, Unread};
use super::Mirror;
use crate::error::CliError;
use crate::output::Format;

/// The command's name.
pub const NAME: &str = "snapshots";

/// The columns of a row, in the order CSV prints them (a table prints the
/// first [`TABLE_COLUMNS`]).
pub const COLUMNS: [&str; 10] = [
    "id",
    "started_at",
    "finished_at",
    "accounts",
    "records",
    "unread",
    "requests",
    "api_url",
    "account_ids",
    "wpe_version",
];

/// How many of [`COLUMNS`] a table shows.
const TABLE_COLUMNS: usize = 6;

/// `wpe fleet snapshots`.
pub fn command() -> Command {
    Command::new(NAME)
        .about("The snapshots of the mirror: when, which accounts, what could not be read")
        .long_about(
            "The snapshots of the mirror, oldest first: each one's ID (what `wpe fleet \
             changes --from/--to` take), when its sync started and was written, the accounts \
             it covered (all, or those given to `wpe fleet sync --account`), the number of \
             records current at it, and the lists it could not read (their records were kept \
             as they were).",
        )
}

/// One snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SnapshotRow {
    /// Its ID.
    pub id: i64,
    /// When its sync started reading (RFC 3339, UTC).
    pub started_at: String,
    /// When it was written.
    pub finished_at: String,
    /// The accounts it covered, by name: `all`, or the names.
    pub accounts: String,
    /// How many records were current at it.
    pub records: u64,
    /// The lists it could not read: `sftp_user of torquemag: 403 Forbidden`.
    pub unread: Vec<String>,
    /// How many requests its sync made.
    pub requests: i64,
    /// The API it read.
    pub api_url: String,
    /// The IDs of the accounts it covered (null: every account).
    pub account_ids: Option<Vec<String>>,
    /// The `wpe` that wrote it.
    pub wpe_version: String,
}

/// Runs `wpe fleet snapshots`.
pub fn run(mirror: &Mirror, _matches: &ArgMatches, format: Format) -> Result<(), CliError> {
    let rows = collect(mirror)?;
    let mut out = BufWriter::new(io::stdout().lock());
    print(&mut out, format, &rows)?;
    out.flush()?;
    if rows.is_empty() {
        eprintln!(
            "wpe: the mirror at {} has no snapshot yet: run `wpe fleet sync`",
            mirror.path().display()
        );
    }
    Ok(())
}

/// Prints `rows` in `format`.
pub fn print(out: &mut impl Write, format: Format, rows: &[SnapshotRow]) -> Result<(), CliError> {
    super::print_rows(out, format, &COLUMNS, TABLE_COLUMNS, rows)
}

/// Every snapshot, oldest first.
pub fn collect(mirror: &Mirror) -> Result<Vec<SnapshotRow>, CliError> {
    let fail = changes::sqlite(mirror, "reading its snapshots");
    let conn = mirror.conn();
    // Records current at a snapshot: those current at the one before, plus
    // those that appeared in it, less those that disappeared in it.
    let count = |sql: &str| -> Result<HashMap<i64, u64>, CliError> {
        let mut statement = conn.prepare(sql).map_err(&fail)?;
        let counts = statement
            .query_map([], |row| Ok((row.get::<_, i64>(0)?, row.get::<_, i64>(1)?)))
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(&fail)?;
        Ok(counts
            .into_iter()
            .map(|(id, n)| (id, u64::try_from(n).unwrap_or(0)))
            .collect())
    };
    let appeared = count("SELECT appeared, count(*) FROM records GROUP BY appeared")?;
    let disappeared = count(
        "SELECT disappeared, count(*) FROM records WHERE disappeared IS NOT NULL \
         GROUP BY disappeared",
    )?;
    let snapshots = mirror.snapshots()?;
    let mut names = Names::new(mirror);
    let mut current: u64 = 0;
    let mut rows = Vec::with_capacity(snapshots.len());
    for snapshot in snapshots {
        let id = snapshot.id;
        current = current
            .saturating_add(appeared.get(&id).copied().unwrap_or(0))
            .saturating_sub(disappeared.get(&id).copied().unwrap_or(0));
        let accounts = match &snapshot.accounts {
            None => "all".to_owned(),
            Some(ids) => ids
                .iter()
                .map(|account| names.name_or_id(Kind::Account, account, id, id))
                .collect::<Result<Vec<_>, _>>()?
                .join(", "),
        };
        let unread = snapshot
            .unread
            .unwrap_or_default()
            .iter()
            .map(|list| unread_words(list, id, &mut names))
            .collect::<Result<Vec<_>, _>>()?;
        rows.push(SnapshotRow {
            id,
            started_at: timestamp(snapshot.started_at),
            finished_at: timestamp(snapshot.finished_at),
            accounts,
            records: current,
            unread,
            requests: snapshot.requests,
            api_url: snapshot.api_url,
            account_ids: snapshot.accounts,
            wpe_version: snapshot.wpe_version,
        });
    }
    Ok(rows)
}

/// A list a snapshot could not read, in words: its kind, of which install
/// or account (by name), and why.
fn unread_words(list: &Unread, snapshot: i64, names: &mut Names<'_>) -> Result<String, CliError> {
    let of = match (&list.install_id, &list.account_id) {
        (Some(install), _) => Some(names.name_or_id(Kind::Install, install, snapshot, snapshot)?),
        (None, Some(account)) => {
            Some(names.name_or_id(Kind::Account, account, snapshot, snapshot)?)
        }
        (None, None) => None,
    };
    let kind = list.kind;
    let reason = match list.reason.as_str() {
        "" => "no reason given",
        reason => reason,
    };
    Ok(match of {
        Some(of) => format!("{kind} of {of}: {reason}"),
        None => format!("{kind}: {reason}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fleet::changes::tests::*;
    use crate::fleet::store::Unread;

    #[test]
    fn each_snapshot_has_its_accounts_unread_lists_and_records_current_at_it() {
        let (_dir, mut mirror) = mirror_with(vec![first_fleet(), second_fleet()]);
        // A sync of democlient alone, whose SFTP users of clientblog could not be read.
        let mut third = snapshot(
            second_fleet()
                .into_iter()
                .filter(|r| {
                    r.kind == Kind::SshKey || r.account_id.as_deref() == Some(OTHER_ACCOUNT)
                })
                .collect(),
        );
        third.accounts = Some(vec![OTHER_ACCOUNT.to_owned()]);
        third.unread = vec![Unread {
            kind: Kind::SftpUser,
            account_id: Some(OTHER_ACCOUNT.to_owned()),
            install_id: Some(CLIENTBLOG.to_owned()),
            reason: "403 Forbidden".to_owned(),
        }];
        mirror.write(&third).unwrap();
        let rows = collect(&mirror).unwrap();
        let brief: Vec<(i64, &str, u64, Vec<&str>)> = rows
            .iter()
            .map(|r| {
                (
                    r.id,
                    r.accounts.as_str(),
                    r.records,
                    r.unread.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            brief,
            vec![
                (1, "all", 11, vec![]),
                (2, "all", 12, vec![]),
                (
                    3,
                    "democlient",
                    12,
                    vec!["sftp_user of clientblog: 403 Forbidden"]
                ),
            ]
        );
        // The sums agree with counting each snapshot's state outright.
        for row in &rows {
            let counted: i64 = mirror
                .conn()
                .query_row(
                    "SELECT count(*) FROM records WHERE appeared <= ?1 \
                     AND (disappeared IS NULL OR disappeared > ?1)",
                    [row.id],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(row.records, counted as u64, "snapshot {}", row.id);
        }
        assert_eq!(rows[2].account_ids, Some(vec![OTHER_ACCOUNT.to_owned()]));
        let mut out = Vec::new();
        print(&mut out, Format::Csv, &rows[2..]).unwrap();
        let csv = String::from_utf8(out).unwrap();
        assert_eq!(
            csv.lines().next().unwrap(),
            "id,started_at,finished_at,accounts,records,unread,requests,api_url,account_ids,\
             wpe_version"
        );
        assert!(
            csv.lines()
                .nth(1)
                .unwrap()
                .contains(",democlient,12,sftp_user of clientblog: 403 Forbidden,1,"),
            "{csv}"
        );
    }

    #[test]
    fn an_empty_mirror_has_no_snapshot() {
        let (_dir, mirror) = mirror_with(vec![]);
        assert_eq!(collect(&mirror).unwrap(), Vec::new());
    }
}
