//! `wpe fleet snapshots`, `changes` and `access` as a user runs them: the
//! `wpe` binary on a mirror that `wpe fleet sync` wrote from the stand-in,
//! its output, messages and exit codes.

use std::path::Path;

use crate::common::Stand;
use serde_json::Value;

/// Two syncs of the demo stand-in into `path`, torquemag moved from PHP 8.2
/// to 8.3 between them: the stand-in, the account's and the install's IDs.
fn mirror(path: &Path) -> (Stand, String, String) {
    let stand = Stand::demo();
    let sync = || {
        let output = stand
            .wpe()
            .args(["fleet", "sync", "--json", "--db"])
            .arg(path)
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", text(&output.stderr));
    };
    sync();
    let install = stand.install_id("torquemag");
    stand
        .server
        .set_php_version(install.parse().unwrap(), "8.3");
    sync();
    let account = stand.account_id("demoagency");
    (stand, account, install)
}

fn wpe(db: &Path, args: &[&str]) -> std::process::Output {
    crate::common::wpe_without_credentials()
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
    let (_stand, account, install) = mirror(&db);
    let changed = wpe(&db, &["changes", "--format", "csv", "--fail-on-change"]);
    assert_eq!(changed.status.code(), Some(1), "{}", text(&changed.stderr));
    let stdout = text(&changed.stdout);
    assert_eq!(
        stdout.lines().nth(1).unwrap(),
        format!(
            "demoagency,torquemag,install,torquemag,changed,php_version,8.2,8.3,{account},\
             {install},{install}"
        ),
        "{stdout}"
    );
    assert_eq!(stdout.lines().count(), 2, "{stdout}");
    assert!(
        text(&changed.stderr).contains("1 change(s) between snapshot 1 ("),
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
    let (_stand, account, install) = mirror(&db);
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
    assert_eq!(brief.len(), 2, "{brief:?}");
    assert_eq!((brief[0].0, brief[1].0), (1, 2));
    assert_eq!((&*brief[0].1, &*brief[1].1), ("all", "all"));
    assert_eq!(
        brief[0].2, brief[1].2,
        "a changed record is still one record"
    );
    let access = wpe(&db, &["access", "--install", "torquemag", "--json"]);
    assert_eq!(access.status.code(), Some(0), "{}", text(&access.stderr));
    let access: Value = serde_json::from_slice(&access.stdout).unwrap();
    let mut who: Vec<(&str, &str, &str)> = access
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            assert_eq!(row["install_id"], install.as_str(), "{row}");
            assert_eq!(row["account_id"], account.as_str(), "{row}");
            (
                row["via"].as_str().unwrap(),
                row["who"].as_str().unwrap(),
                row["role"].as_str().unwrap(),
            )
        })
        .collect();
    who.sort();
    assert_eq!(
        who[..3],
        [
            ("account_user", "demo@example.com", "owner"),
            ("account_user", "jane@example.com", "full,billing"),
            ("account_user", "pat@example.com", "partial"),
        ],
        "the account's users, Pat (partial) among them on torquemag: {access}"
    );
    assert!(who.iter().any(|(via, ..)| *via == "ssh_key"), "{who:?}");
    assert!(who.iter().any(|(via, ..)| *via == "sftp_user"), "{who:?}");
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
