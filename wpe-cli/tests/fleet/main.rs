//! `wpe fleet` through the `wpe` binary, in one test binary (one link
//! instead of six): here, end to end, two syncs of the stand-in with four
//! changes between them and what `changes` and `access --changes` say about
//! them, and a damaged mirror; in the modules, each command on its own.

#[path = "../common/mod.rs"]
mod common;
#[path = "../mcp_common/mod.rs"]
mod mcp_common;

mod changes;
mod mcp;
mod offline;
mod sync;
mod whois;

use std::path::Path;

use common::Stand;
use serde_json::Value;

/// A public key the stand-in accepts (its comment names it).
const NEW_KEY: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIF3WN6aFABgyAkT/bXxt3ckDLWb1P+87C7yhsn9PfNsQ dev@example.com";

fn sync(stand: &Stand, db: &Path) -> Value {
    let output = stand
        .wpe()
        .args(["fleet", "sync", "--json", "--db"])
        .arg(db)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "the sync succeeds: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// `wpe fleet ARGS --json --db DB` without credentials (the mirror's
/// commands call no API): its rows.
fn rows(db: &Path, args: &[&str]) -> Vec<Value> {
    let output = common::wpe_without_credentials()
        .arg("fleet")
        .args(args)
        .args(["--json", "--db"])
        .arg(db)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "wpe fleet {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn changes_list_exactly_what_changed_between_two_syncs_and_access_the_grants_and_revokes() {
    let stand = Stand::demo();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("fleet.sqlite");
    let first = sync(&stand, &db);
    assert!(first["added"].as_u64().unwrap() > 20, "{first}");

    // Between the syncs: one install's PHP version, a new domain, an
    // account user removed, an SSH key added.
    let client = stand.client();
    let torquemag: uuid::Uuid = stand.install_id("torquemag").parse().unwrap();
    stand.server.set_php_version(torquemag, "8.3");
    stand
        .block_on(
            client
                .create_domain()
                .install_id(torquemag)
                .body_map(|body| body.name("blog.torquemag.io"))
                .send(),
        )
        .unwrap();
    let agency: uuid::Uuid = stand.account_id("demoagency").parse().unwrap();
    let users = stand
        .block_on(client.list_account_users().account_id(agency).send())
        .unwrap();
    let jane = users
        .results
        .iter()
        .find(|u| u.email.as_str() == "jane@example.com")
        .unwrap()
        .user_id;
    stand
        .block_on(
            client
                .delete_account_user()
                .account_id(agency)
                .user_id(jane)
                .send(),
        )
        .unwrap();
    stand
        .block_on(
            client
                .create_ssh_key()
                .body_map(|b| b.public_key(NEW_KEY))
                .send(),
        )
        .unwrap();

    let second = sync(&stand, &db);
    assert_eq!(second["changed"], 1, "{second}");
    assert_eq!(second["removed"], 1, "{second}");

    let changes = rows(&db, &["changes"]);
    let mut seen: Vec<(String, String, String)> = changes
        .iter()
        .map(|row| {
            (
                row["kind"].as_str().unwrap().to_owned(),
                row["change"].as_str().unwrap().to_owned(),
                row["subject"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        vec![
            (
                "account_user".into(),
                "removed".into(),
                "jane@example.com".into()
            ),
            ("domain".into(), "added".into(), "blog.torquemag.io".into()),
            ("install".into(), "changed".into(), "torquemag".into()),
            ("ssh_key".into(), "added".into(), "dev@example.com".into()),
        ],
        "exactly the four changes: {changes:#?}"
    );
    let php = changes.iter().find(|row| row["kind"] == "install").unwrap();
    assert_eq!(
        (&php["field"], &php["before"], &php["after"]),
        (
            &Value::from("php_version"),
            &Value::from("8.2"),
            &Value::from("8.3")
        ),
        "{php}"
    );

    let access = rows(&db, &["access", "--changes"]);
    let mut who: Vec<(String, String)> = access
        .iter()
        .map(|row| {
            (
                row["who"].as_str().unwrap().to_owned(),
                row["change"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    who.sort();
    who.dedup();
    assert_eq!(
        who,
        vec![
            ("dev@example.com".into(), "granted".into()),
            ("jane@example.com".into(), "revoked".into()),
        ],
        "the user and the key: {access:#?}"
    );
}

#[test]
fn a_damaged_mirror_is_said_to_be_damaged_by_every_command_that_reads_it() {
    let stand = Stand::demo();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("fleet.sqlite");
    sync(&stand, &db);
    // The header and the catalogue (page 1) intact, every other page garbage.
    let mut bytes = std::fs::read(&db).unwrap();
    assert!(bytes.len() > 8192, "the mirror has pages beyond the first");
    bytes[4096..].fill(0xA5);
    std::fs::write(&db, &bytes).unwrap();
    for args in [
        &["changes"][..],
        &["access"],
        &["snapshots"],
        &["whois", "torquemag.io"],
        &["query", "SELECT count(*) FROM records"],
    ] {
        let output = common::wpe_without_credentials()
            .arg("fleet")
            .args(args)
            .args(["--json", "--db"])
            .arg(&db)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.contains("is damaged") && stderr.contains("move it aside"),
            "{args:?}: {stderr}"
        );
        assert_eq!(std::fs::read(&db).unwrap(), bytes, "{args:?} wrote nothing");
    }
}
