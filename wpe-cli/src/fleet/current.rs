//! The mirror's current state, as the offline answers read it:
//! `wpe inventory`, `wpe audit` and `wpe report usage` with `--from-mirror`
//! read the same API answers a sync stored ([`super::store`]'s records)
//! instead of asking the API, and say which snapshot they answered from.
//!
//! The current state is every record no snapshot has closed: the newest
//! snapshot's view of the fleet. A sync of some accounts only leaves the
//! others as an older snapshot saw them, so the snapshot an answer is "from"
//! is the oldest of the newest snapshots that read each account it covers
//! ([`Current::source`]).
//!
//! Everything is read before the answer is computed, and the connection is
//! not held across an `.await`: an answer from the mirror never waits on
//! anything but the file.

use std::path::Path;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use super::store::{Kind, Mirror, Record, Snapshot, Unread};
use crate::error::CliError;
use crate::names;

/// The text of `--db` in the commands that take `--from-mirror`.
pub const DB_HELP: &str = "The mirror's file, with --from-mirror [default: WPE_FLEET_DB, else \
                           the file wpe fleet uses]";

/// A mirror opened read-only, with its newest snapshot.
#[derive(Debug)]
pub struct Current {
    mirror: Mirror,
    /// Every snapshot, oldest first.
    snapshots: Vec<Snapshot>,
    /// The newest of them.
    latest: Snapshot,
    /// The lists the newest snapshot could not read.
    unread: Vec<Unread>,
}

/// Which snapshot an answer comes from and how old it is: printed on
/// standard error by the commands, a field of `wpe mcp`'s answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Source {
    /// The snapshot's ID (`wpe fleet snapshots` lists them).
    pub snapshot: i64,
    /// When the snapshot was written (RFC 3339, UTC).
    pub synced_at: String,
    /// How long before the answer it was written, in seconds.
    pub age_seconds: i64,
    /// The account the snapshot is the newest read of, when a newer
    /// snapshot read other accounts only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oldest_account: Option<String>,
}

impl Source {
    /// "from the mirror's snapshot 3 of 2026-12-07 14:02 UTC, 2 hours old".
    pub fn describe(&self) -> String {
        format!("from {}", self.snapshot_text())
    }

    /// "the mirror's snapshot 3 of 2026-12-07 14:02 UTC, 2 hours old".
    pub fn snapshot_text(&self) -> String {
        let when = DateTime::parse_from_rfc3339(&self.synced_at)
            .map(|t| {
                t.with_timezone(&Utc)
                    .format("%Y-%m-%d %H:%M UTC")
                    .to_string()
            })
            .unwrap_or_else(|_| self.synced_at.clone());
        let mut text = format!(
            "the mirror's snapshot {} of {when}, {}",
            self.snapshot,
            age(self.age_seconds)
        );
        if let Some(account) = &self.oldest_account {
            text.push_str(&format!(
                " (its newest read of account {account}: newer snapshots read other accounts)"
            ));
        }
        text
    }

    /// Says on standard error where the answer comes from.
    pub fn tell(&self) {
        eprintln!("wpe: {}", self.describe());
    }
}

/// An age in words: "less than a minute old", "5 minutes old", "2 hours
/// old", "3 days old"; a time ahead of this machine's clock is "just
/// written".
pub fn age(seconds: i64) -> String {
    let (count, unit) = match seconds {
        s if s < 0 => return "just written".to_owned(),
        s if s < 60 => return "less than a minute old".to_owned(),
        s if s < 3600 => (s / 60, "minute"),
        s if s < 2 * 86_400 => (s / 3600, "hour"),
        s => (s / 86_400, "day"),
    };
    let plural = if count == 1 { "" } else { "s" };
    format!("{count} {unit}{plural} old")
}

impl Current {
    /// Opens the mirror at [`super::mirror_path`] read-only; one without a snapshot is
    /// an error that says to sync first.
    pub fn open(db: Option<&Path>, demo: bool) -> Result<Current, CliError> {
        Current::of(Mirror::open_read_only(&super::mirror_path(db, demo)?)?)
    }

    /// The current state of an open mirror.
    pub fn of(mirror: Mirror) -> Result<Current, CliError> {
        let snapshots = mirror.snapshots()?;
        let Some(latest) = snapshots.last().cloned() else {
            return Err(CliError::Usage(format!(
                "the mirror at {} has no snapshot yet: run `wpe fleet sync` first",
                mirror.path().display()
            )));
        };
        let Some(unread) = latest.unread.clone() else {
            return Err(CliError::Failed(format!(
                "the mirror at {}: snapshot {} does not say which lists it could not read; \
                 run `wpe fleet sync` again",
                mirror.path().display(),
                latest.id
            )));
        };
        Ok(Current {
            mirror,
            snapshots,
            latest,
            unread,
        })
    }

    /// The mirror's file.
    pub fn path(&self) -> &Path {
        self.mirror.path()
    }

    /// The newest snapshot.
    pub fn latest(&self) -> &Snapshot {
        &self.latest
    }

    /// The snapshot an answer about `accounts` (their IDs; every account
    /// the mirror holds when `None`) comes from, as of `now`: the oldest of
    /// the newest snapshots that read each of them.
    pub fn source(&self, accounts: Option<&[String]>, now: DateTime<Utc>) -> Source {
        let latest = self.latest();
        let held;
        let accounts = match accounts {
            Some(accounts) => accounts,
            None => {
                held = self.account_ids().unwrap_or_default();
                &held
            }
        };
        let mut used = latest;
        let mut oldest_account = None;
        for account in accounts {
            let newest = self.snapshots.iter().rev().find(|s| {
                s.accounts
                    .as_ref()
                    .is_none_or(|ids| ids.iter().any(|id| id == account))
            });
            if let Some(snapshot) = newest.filter(|s| s.id < used.id) {
                used = snapshot;
                oldest_account = Some(account.clone());
            }
        }
        Source {
            snapshot: used.id,
            synced_at: used
                .finished_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            age_seconds: now.signed_duration_since(used.finished_at).num_seconds(),
            oldest_account,
        }
    }

    /// The IDs of the accounts the mirror holds.
    fn account_ids(&self) -> Result<Vec<String>, CliError> {
        Ok(self
            .records(Kind::Account, None)?
            .into_iter()
            .map(|r| r.key)
            .collect())
    }

    /// The current records of `kind` (of one account, with `account`),
    /// by key.
    pub fn records(&self, kind: Kind, account: Option<&str>) -> Result<Vec<Record>, CliError> {
        let mut statement = self
            .mirror
            .conn()
            .prepare(
                "SELECT key, account_id, install_id, body FROM current_records \
                 WHERE kind = ?1 AND (?2 IS NULL OR account_id = ?2) ORDER BY key",
            )
            .map_err(|err| failed(&self.mirror, "reading its records", err))?;
        let rows = statement
            .query_map(rusqlite::params![kind.as_str(), account], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, Option<String>>(1)?,
                    row.get::<_, Option<String>>(2)?,
                    row.get::<_, String>(3)?,
                ))
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(|err| failed(&self.mirror, "reading its records", err))?;
        rows.into_iter()
            .map(|(key, account_id, install_id, body)| {
                let body = serde_json::from_str(&body).map_err(|err| {
                    CliError::Failed(format!(
                        "the mirror at {}: the body of {kind} {key} is not JSON ({err}); move \
                         the mirror aside and run `wpe fleet sync` to start a new one",
                        self.mirror.path().display()
                    ))
                })?;
                Ok(Record {
                    kind,
                    key,
                    account_id,
                    install_id,
                    body,
                })
            })
            .collect()
    }

    /// The current records of `kind` (of one account, with `account`) read
    /// as the API's type `T`, each with its record.
    pub fn typed<T: DeserializeOwned>(
        &self,
        kind: Kind,
        account: Option<&str>,
    ) -> Result<Vec<(Record, T)>, CliError> {
        self.records(kind, account)?
            .into_iter()
            .map(|record| {
                let value = read_as(&record.body, kind, &record.key)?;
                Ok((record, value))
            })
            .collect()
    }

    /// The list of `kind` (of `account`'s, of `install`'s) the newest
    /// snapshot could not read, if it could not.
    pub fn unread(
        &self,
        kind: Kind,
        account: Option<&str>,
        install: Option<&str>,
    ) -> Option<&Unread> {
        self.unread.iter().find(|u| {
            u.kind == kind
                && (u.account_id.is_none() || u.account_id.as_deref() == account)
                && (u.install_id.is_none() || u.install_id.as_deref() == install)
        })
    }

    /// An error when the newest snapshot could not read the list of `kind`
    /// of any of `accounts` (every account when `None`): what the mirror
    /// holds of it is older than the snapshot, and an answer from the API
    /// would have failed.
    pub fn require(&self, kind: Kind, accounts: Option<&[String]>) -> Result<(), CliError> {
        let missed = self.unread.iter().find(|u| {
            u.kind == kind
                && match (&u.account_id, accounts) {
                    (None, _) | (Some(_), None) => true,
                    (Some(id), Some(ids)) => ids.contains(id),
                }
        });
        match missed {
            None => Ok(()),
            Some(unread) => Err(CliError::Failed(format!(
                "the mirror's newest snapshot ({}) could not read the {kind} records{} ({}): \
                 what it holds of them is older; run `wpe fleet sync` with credentials that \
                 may read them, or ask the API instead",
                self.latest().id,
                unread
                    .account_id
                    .as_deref()
                    .map(|a| format!(" of account {a}"))
                    .unwrap_or_default(),
                unread.reason
            ))),
        }
    }

    /// The ID of the account `given` names (a name or an ID), among those
    /// the mirror holds, with the errors of a lookup through the API.
    pub fn resolve_account(&self, given: &str) -> Result<String, CliError> {
        let candidates = self
            .records(Kind::Account, None)?
            .into_iter()
            .map(|record| {
                let text = |field: &str| {
                    record
                        .body
                        .get(field)
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned()
                };
                (record.key.clone(), text("name"), text("nickname"))
            });
        names::resolve_among(names::Kind::Account, given, candidates)
    }
}

/// `body` (a record of `kind` with `key`) as the API's type `T`.
pub fn read_as<T: DeserializeOwned>(body: &Value, kind: Kind, key: &str) -> Result<T, CliError> {
    T::deserialize(body).map_err(|err| {
        CliError::Failed(format!(
            "the mirror's {kind} {key} does not read as one ({err}): it was stored by another \
             version of wpe or of the API; run `wpe fleet sync` again"
        ))
    })
}

/// SQLite's error while reading the mirror.
fn failed(mirror: &Mirror, doing: &'static str, err: rusqlite::Error) -> CliError {
    CliError::Mirror(mirror.failed(doing, err))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fleet::store::NewSnapshot;
    use serde_json::json;

    /// A record of `account`, under no install.
    fn record(kind: Kind, key: &str, account: &str, body: Value) -> Record {
        crate::fleet::store::testing::record(kind, key, Some(account), None, body)
    }

    fn write(
        mirror: &mut Mirror,
        accounts: Option<Vec<String>>,
        records: Vec<Record>,
        unread: Vec<Unread>,
    ) {
        mirror
            .write(&NewSnapshot {
                accounts,
                unread,
                ..crate::fleet::store::testing::snapshot(records)
            })
            .unwrap();
    }

    #[test]
    fn a_mirror_without_snapshots_is_an_error_that_says_to_sync() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.sqlite");
        drop(Mirror::open_for_sync(&path).unwrap());
        let err = Current::open(Some(&path), false).unwrap_err().to_string();
        assert!(
            err.contains("no snapshot yet") && err.contains("wpe fleet sync"),
            "{err}"
        );
        let none = dir.path().join("none.sqlite");
        let err = Current::open(Some(&none), false).unwrap_err();
        assert!(matches!(err, CliError::Mirror(_)), "{err}");
    }

    #[test]
    fn the_source_is_the_oldest_newest_read_of_the_accounts_asked_about() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.sqlite");
        let mut mirror = Mirror::open_for_sync(&path).unwrap();
        let a1 = record(Kind::Account, "a1", "a1", json!({"name": "one"}));
        let a2 = record(Kind::Account, "a2", "a2", json!({"name": "two"}));
        write(&mut mirror, None, vec![a1.clone(), a2], Vec::new());
        write(&mut mirror, Some(vec!["a1".into()]), vec![a1], Vec::new());
        let current = Current::of(mirror).unwrap();
        let now = current.latest().finished_at + chrono::Duration::hours(2);
        let one = current.source(Some(&["a1".to_owned()]), now);
        assert_eq!((one.snapshot, one.oldest_account.as_deref()), (2, None));
        assert_eq!(one.describe().split(", ").last(), Some("2 hours old"));
        let all = current.source(None, now);
        assert_eq!(
            (all.snapshot, all.oldest_account.as_deref()),
            (1, Some("a2"))
        );
        assert!(all.describe().contains("account a2"), "{}", all.describe());
        assert_eq!(
            current.resolve_account("two").unwrap(),
            "a2",
            "names resolve among the mirror's accounts"
        );
        assert!(matches!(
            current.resolve_account("three"),
            Err(CliError::NotFound(_))
        ));
    }

    #[test]
    fn a_list_the_newest_snapshot_could_not_read_is_known_and_required_ones_fail() {
        let dir = tempfile::tempdir().unwrap();
        let mut mirror = Mirror::open_for_sync(&dir.path().join("m.sqlite")).unwrap();
        let unread = |kind, account: Option<&str>, install: Option<&str>| Unread {
            kind,
            account_id: account.map(Into::into),
            install_id: install.map(Into::into),
            reason: "403 Forbidden".into(),
        };
        write(
            &mut mirror,
            None,
            vec![record(Kind::Account, "a1", "a1", json!({"name": "one"}))],
            vec![
                unread(Kind::Backup, Some("a1"), Some("i1")),
                unread(Kind::Install, Some("a2"), None),
            ],
        );
        let current = Current::of(mirror).unwrap();
        assert!(current
            .unread(Kind::Backup, Some("a1"), Some("i1"))
            .is_some());
        assert!(current
            .unread(Kind::Backup, Some("a1"), Some("i2"))
            .is_none());
        assert!(current
            .unread(Kind::Domain, Some("a1"), Some("i1"))
            .is_none());
        assert!(current
            .require(Kind::Install, Some(&["a1".to_owned()]))
            .is_ok());
        let err = current
            .require(Kind::Install, None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("account a2") && err.contains("403"), "{err}");
    }

    #[test]
    fn ages_read_in_words() {
        assert_eq!(age(-5), "just written");
        assert_eq!(age(59), "less than a minute old");
        assert_eq!(age(60), "1 minute old");
        assert_eq!(age(7200), "2 hours old");
        assert_eq!(age(47 * 3600), "47 hours old");
        assert_eq!(age(3 * 86_400 + 5), "3 days old");
    }

    #[test]
    fn the_path_is_db_then_the_environment_then_the_default() {
        let given = Path::new("/tmp/given.sqlite");
        assert_eq!(
            crate::fleet::mirror_path(Some(given), false).unwrap(),
            given
        );
    }
}
