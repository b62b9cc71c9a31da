//! `wpe fleet whois`, `wpe fleet query` and `wpe fleet schema` as a person
//! or a script runs them: the real binary, on a mirror that `wpe fleet
//! sync` wrote from a stand-in of the API, then with no credentials at all
//! (they read the mirror alone).

use std::path::PathBuf;

use crate::common::{json_of, ok, run, wpe_without_credentials, Stand};

/// A folder of the test's own with a mirror one sync of the demo data wrote.
fn synced() -> (tempfile::TempDir, PathBuf) {
    let stand = Stand::demo();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("fleet.sqlite");
    ok(stand
        .wpe()
        .env_remove("WPE_FLEET_DB")
        .args(["fleet", "sync", "--json", "--db"])
        .arg(&db));
    (dir, db)
}

/// `wpe fleet ARGS --db DB`, with no credentials and in the mirror's folder.
fn fleet(dir: &tempfile::TempDir, db: &PathBuf, args: &[&str]) -> assert_cmd::Command {
    let mut command = wpe_without_credentials();
    command
        .env_remove("WPE_FLEET_DB")
        .current_dir(dir.path())
        .arg("fleet")
        .args(args)
        .arg("--db")
        .arg(db);
    command
}

#[test]
fn whois_resolves_a_domain_without_credentials_and_nothing_found_is_exit_1() {
    let (dir, db) = synced();
    let found = json_of(&ok(&mut fleet(
        &dir,
        &db,
        &["whois", "WWW.TorqueMag.io", "--json"],
    )));
    let first = &found["matches"][0];
    assert_eq!(first["name"], "www.torquemag.io", "{found}");
    assert_eq!(first["install"]["name"], "torquemag");
    assert_eq!(first["redirect_to"], "torquemag.io");
    assert_eq!(first["certificate"]["covered_by"], "www.torquemag.io");
    assert_eq!(found["snapshot"]["snapshot"], 1);

    let table = ok(&mut fleet(
        &dir,
        &db,
        &["whois", "torquemag.io", "--format", "table"],
    ));
    let exact = table.lines().nth(1).unwrap();
    assert!(
        exact.starts_with("torquemag.io ") && exact.contains("exact"),
        "{table}"
    );
    let csv = ok(&mut fleet(
        &dir,
        &db,
        &["whois", "demoshop.wpengine.com", "--format", "csv"],
    ));
    assert!(
        csv.lines()
            .nth(1)
            .unwrap()
            .contains(",cname,demoshop,production"),
        "{csv}"
    );

    let none = run(&mut fleet(&dir, &db, &["whois", "nowhere.example"]));
    assert_eq!(none.code, 1, "{}", none.stderr);
    assert!(
        none.stderr
            .contains("no domain or install cname in the mirror matches `nowhere.example`"),
        "{}",
        none.stderr
    );
    let long = "a".repeat(256);
    let refused = run(&mut fleet(&dir, &db, &["whois", &long]));
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(refused.stderr.contains("at most 255"), "{}", refused.stderr);
}

#[test]
fn a_missing_mirror_says_to_sync_and_is_not_made() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("none.sqlite");
    for args in [&["whois", "torquemag.io"][..], &["query", "SELECT 1"]] {
        let missing = run(&mut fleet(&dir, &db, args));
        assert_eq!(missing.code, 2, "{args:?}: {}", missing.stderr);
        assert!(
            missing.stderr.contains("wpe fleet sync"),
            "{}",
            missing.stderr
        );
    }
    assert!(!db.exists());
}

#[test]
fn query_prints_the_statements_columns_in_every_format() {
    let (dir, db) = synced();
    let sql = "SELECT name, environment, php_version FROM installs \
               WHERE name LIKE 'torquemag%' ORDER BY name";
    let rows = json_of(&ok(&mut fleet(&dir, &db, &["query", sql, "--json"])));
    assert_eq!(
        rows[0],
        serde_json::json!({"name": "torquemag", "environment": "production", "php_version": "8.2"})
    );
    assert_eq!(rows.as_array().unwrap().len(), 3);
    let csv = ok(&mut fleet(&dir, &db, &["query", sql, "--format", "csv"]));
    assert_eq!(csv.lines().next(), Some("name,environment,php_version"));
    let ndjson = ok(&mut fleet(&dir, &db, &["query", sql, "--format", "ndjson"]));
    assert_eq!(ndjson.lines().count(), 3);
    let markdown = ok(&mut fleet(
        &dir,
        &db,
        &["query", sql, "--format", "markdown"],
    ));
    assert!(
        markdown.starts_with("| name | environment | php_version |"),
        "{markdown}"
    );
    let table = ok(&mut fleet(&dir, &db, &["query", sql, "--format", "table"]));
    assert!(table.starts_with("NAME "), "{table}");
}

#[test]
fn query_refuses_writes_attach_and_a_second_statement_and_the_file_is_unchanged() {
    let (dir, db) = synced();
    let before = std::fs::read(&db).unwrap();
    for sql in [
        "DELETE FROM records",
        "UPDATE records SET body = '{}'",
        "INSERT INTO records (kind, key, body, appeared) VALUES ('a', 'b', '{}', 1)",
        "DROP TABLE records",
        "CREATE TABLE t (x)",
        "PRAGMA user_version = 9",
        "ATTACH 'x.db' AS x",
        "SELECT 1; DELETE FROM records",
    ] {
        let refused = run(&mut fleet(&dir, &db, &["query", sql]));
        assert_eq!(refused.code, 2, "{sql}: {}", refused.stderr);
        assert!(refused.stdout.is_empty(), "{sql}: {}", refused.stdout);
        assert!(
            ["read-only", "ATTACH is refused", "more than one statement"]
                .iter()
                .any(|why| refused.stderr.contains(why)),
            "{sql}: {}",
            refused.stderr
        );
    }
    assert_eq!(std::fs::read(&db).unwrap(), before);
    assert!(!dir.path().join("x.db").exists());
    let version = json_of(&ok(&mut fleet(
        &dir,
        &db,
        &["query", "PRAGMA user_version", "--json"],
    )));
    assert_eq!(version[0]["user_version"], 1);
}

#[test]
fn schema_is_text_unless_asked_and_names_the_real_columns() {
    // Needs no mirror at all.
    let mut schema = wpe_without_credentials();
    let text = ok(schema.args(["fleet", "schema"]));
    assert!(text.starts_with("# The mirror of `wpe fleet`"), "{text}");
    assert!(text.contains("### `domains` (view)") && text.contains("| `redirect_to` |"));
    let mut schema = wpe_without_credentials();
    let data = json_of(&ok(schema.args(["fleet", "schema", "--json"])));
    let domains = data["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "domains")
        .unwrap();
    assert!(domains["columns"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["name"] == "dns" && !c["about"].as_str().unwrap().is_empty()));
    let mut schema = wpe_without_credentials();
    let sql = ok(schema.args(["fleet", "schema", "--sql"]));
    assert!(sql.contains("CREATE VIEW installs AS"), "{sql}");
}
