//! `wpe fleet snapshots`, `changes` and `access` as a user runs them: the
//! `wpe` binary on a mirror file, its output, messages and exit codes.
//!
//! The mirror is written here row by row in the layout of
//! `src/fleet/schema_v1.sql` (the tables `snapshots` and `records` are the
//! mirror's documented format), so that these commands are tested on their
//! own; `wpe fleet sync` has tests of its own.

mod common;

use std::path::Path;

use rusqlite::{params, Connection};
use serde_json::{json, Value};

const ACCOUNT: &str = "d9872d6a-a29a-4b9b-954a-ae4211a9280f";
const INSTALL: &str = "89924e65-96da-4303-9a0c-fabb92ebc62d";

/// A mirror of one account and one install, in two snapshots: the install
/// moved from PHP 8.2 to 8.3 in the second.
fn mirror(path: &Path) {
    let conn = Connection::open(path).unwrap();
    conn.execute_batch(include_str!("../src/fleet/schema_v1.sql"))
        .unwrap();
    conn.pragma_update(None, "application_id", 0x5750_4546)
        .unwrap();
    conn.pragma_update(None, "user_version", 1).unwrap();
    for (id, finished) in [
        (1, "2026-12-01T00:00:00.000Z"),
        (2, "2026-12-06T00:00:00.000Z"),
    ] {
        conn.execute(
            "INSERT INTO snapshots (id, started_at, finished_at, api_url, wpe_version) \
             VALUES (?1, ?2, ?2, 'http://stand-in', 'test')",
            params![id, finished],
        )
        .unwrap();
    }
    let install = |php: &str| {
        json!({"account": {"id": ACCOUNT}, "id": INSTALL, "name": "torquemag",
               "php_version": php})
        .to_string()
    };
    let rows: [(&str, &str, String, i64, Option<i64>); 4] = [
        (
            "account",
            ACCOUNT,
            json!({"id": ACCOUNT, "name": "demoagency"}).to_string(),
            1,
            None,
        ),
        ("install", INSTALL, install("8.2"), 1, Some(2)),
        ("install", INSTALL, install("8.3"), 2, None),
        (
            "account_user",
            &format!("{ACCOUNT}/u1"),
            json!({"email": "jane@example.com", "roles": "full", "user_id": "u1",
                   "account_id": ACCOUNT})
            .to_string(),
            1,
            None,
        ),
    ];
    for (kind, key, body, appeared, disappeared) in rows {
        conn.execute(
            "INSERT INTO records (kind, key, account_id, body, appeared, disappeared) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![kind, key, ACCOUNT, body, appeared, disappeared],
        )
        .unwrap();
    }
}

fn wpe(db: &Path, args: &[&str]) -> std::process::Output {
    common::wpe_without_credentials()
        .arg("fleet")
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn fail_on_change_exits_1_after_printing_the_changes_and_0_when_nothing_changed() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("fleet.sqlite");
    mirror(&db);
    let changed = wpe(&db, &["changes", "--format", "csv", "--fail-on-change"]);
    assert_eq!(changed.status.code(), Some(1), "{}", text(&changed.stderr));
    let stdout = text(&changed.stdout);
    assert_eq!(
        stdout.lines().nth(1).unwrap(),
        format!(
            "demoagency,torquemag,install,torquemag,changed,php_version,8.2,8.3,{ACCOUNT},\
             {INSTALL},{INSTALL}"
        ),
        "{stdout}"
    );
    assert_eq!(stdout.lines().count(), 2, "{stdout}");
    assert!(
        text(&changed.stderr)
            .contains("1 change(s) between snapshot 1 (2026-12-01 00:00 UTC) and snapshot 2"),
        "{}",
        text(&changed.stderr)
    );
    let listed = wpe(&db, &["changes", "--json"]);
    assert_eq!(listed.status.code(), Some(0));
    let rows: Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(rows[0]["field"], "php_version");
    // The newest against itself: nothing, said on stderr, exit 0.
    let same = wpe(
        &db,
        &["changes", "--from", "2", "--json", "--fail-on-change"],
    );
    assert_eq!(same.status.code(), Some(0), "{}", text(&same.stderr));
    assert_eq!(text(&same.stdout).trim(), "[]");
    assert!(
        text(&same.stderr).contains("nothing changed between snapshot 2"),
        "{}",
        text(&same.stderr)
    );
}

#[test]
fn snapshots_access_and_a_wrong_snapshot_or_path_answer_from_the_mirror() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("fleet.sqlite");
    mirror(&db);
    let snapshots = wpe(&db, &["snapshots", "--json"]);
    assert_eq!(
        snapshots.status.code(),
        Some(0),
        "{}",
        text(&snapshots.stderr)
    );
    let snapshots: Value = serde_json::from_slice(&snapshots.stdout).unwrap();
    let brief: Vec<(i64, String, i64)> = snapshots
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["id"].as_i64().unwrap(),
                s["accounts"].as_str().unwrap().to_owned(),
                s["records"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(brief, [(1, "all".into(), 3), (2, "all".into(), 3)]);
    let access = wpe(&db, &["access", "--install", "torquemag", "--json"]);
    assert_eq!(access.status.code(), Some(0), "{}", text(&access.stderr));
    let access: Value = serde_json::from_slice(&access.stdout).unwrap();
    assert_eq!(
        access,
        json!([{"account": "demoagency", "install": "torquemag", "via": "account_user",
                "who": "jane@example.com", "role": "full", "account_id": ACCOUNT,
                "install_id": INSTALL, "key": format!("{ACCOUNT}/u1")}])
    );
    let unknown = wpe(&db, &["changes", "--from", "9"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        text(&unknown.stderr).contains("has no snapshot 9: its snapshots run from 1 to 2"),
        "{}",
        text(&unknown.stderr)
    );
    let none = wpe(&dir.path().join("none.sqlite"), &["changes"]);
    assert_eq!(none.status.code(), Some(2));
    assert!(
        text(&none.stderr).contains("run `wpe fleet sync` first"),
        "{}",
        text(&none.stderr)
    );
}
