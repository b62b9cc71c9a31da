//! `wpe inventory`, `wpe audit` and `wpe report usage` with `--from-mirror`
//! against the stand-in over HTTP: `wpe fleet sync` writes a mirror of the
//! stand-in's fleet, then each command answers from the mirror with no
//! credentials and no request, and its answer is the live command's.
//!
//! The stand-in runs on a virtual clock that stands still at [`T0`], so
//! nothing in its fleet changes between the sync and the live run unless a
//! test changes it; the audit is run `--at` a given time, both ways.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Datelike as _, Months, Utc};
use serde_json::{json, Value};
use wpe_api::clock::VirtualClock;
use wpe_api::fake::{FakeConfig, Seed};

use crate::common::{json_of, ok, run, wpe_without_credentials, Stand};

/// When the stand-in's clock starts (and stays).
const T0: &str = "2025-07-01T12:00:00Z";

fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(T0)
        .unwrap()
        .with_timezone(&Utc)
}

/// `T0` plus `days`, as `--at` takes it.
fn at(days: i64) -> String {
    (t0() + chrono::Duration::days(days)).to_rfc3339()
}

/// The demo fleet on a clock that stands still at [`T0`].
fn stand() -> Stand {
    Stand::with_config(FakeConfig {
        clock: Arc::new(VirtualClock::manual().starting_at(t0())),
        ..FakeConfig::with_seed(Seed::Demo)
    })
}

/// A folder for the test's mirror, and the mirror's path in it.
fn mirror_path() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fleet.sqlite");
    (dir, path)
}

/// `wpe fleet sync --db DB ARGS` against the stand-in.
fn sync(stand: &Stand, db: &Path, args: &[&str]) {
    ok(stand
        .wpe()
        .args(["fleet", "sync", "--db"])
        .arg(db)
        .args(args));
}

/// `wpe` with no credentials and no URL: any request would fail.
fn offline() -> assert_cmd::Command {
    let mut command = wpe_without_credentials();
    command.env_remove("WPE_FLEET_DB");
    command
}

/// `wpe ARGS --from-mirror --db DB` offline: its standard output and error
/// (exit 0 expected).
fn from_mirror(db: &Path, args: &[&str]) -> (String, String) {
    let ran = run(offline()
        .args(args)
        .arg("--from-mirror")
        .arg("--db")
        .arg(db));
    assert_eq!(ran.code, 0, "{args:?}: {}", ran.stderr);
    (ran.stdout, ran.stderr)
}

/// `wpe ARGS` against the stand-in (exit 0 expected).
fn live(stand: &Stand, args: &[&str]) -> String {
    ok(stand.wpe().args(args))
}

/// How many answers the stand-in has sent.
fn sent(stand: &Stand) -> usize {
    stand.server.sent_responses().len()
}

/// The items of a JSON list, each as its text, sorted: the same rows in any order.
fn as_set(value: &Value) -> Vec<String> {
    let mut items: Vec<String> = value
        .as_array()
        .unwrap()
        .iter()
        .map(Value::to_string)
        .collect();
    items.sort();
    items
}

#[test]
fn inventory_from_the_mirror_is_the_live_inventory_without_a_request_or_credentials() {
    let stand = stand();
    let (_dir, db) = mirror_path();
    sync(&stand, &db, &[]);
    let sorted = json_of(&live(&stand, &["inventory", "--json", "--sort"]));
    let streamed = json_of(&live(&stand, &["inventory", "--json"]));
    assert_eq!(sorted.as_array().unwrap().len(), 10, "{sorted}");
    let formats: Vec<(&str, String)> = ["csv", "ndjson", "markdown"]
        .into_iter()
        .map(|f| (f, live(&stand, &["inventory", "--sort", "--format", f])))
        .collect();
    let one = json_of(&live(
        &stand,
        &["inventory", "--json", "--sort", "--account", "demoagency"],
    ));
    let id = one[0]["account_id"].as_str().unwrap().to_owned();

    let before = sent(&stand);
    let (out, err) = from_mirror(&db, &["inventory", "--json"]);
    assert_eq!(json_of(&out), sorted, "the mirror's rows come sorted");
    assert_eq!(as_set(&json_of(&out)), as_set(&streamed), "the same rows");
    assert!(
        err.starts_with("wpe: from the mirror's snapshot 1 of ") && err.contains(" old"),
        "{err}"
    );
    let (sorted_too, _) = from_mirror(&db, &["inventory", "--json", "--sort"]);
    assert_eq!(json_of(&sorted_too), sorted);
    for (format, expected) in &formats {
        let (out, _) = from_mirror(&db, &["inventory", "--sort", "--format", format]);
        assert_eq!(out, *expected, "{format}");
    }
    // One account, by name or by ID.
    for given in ["demoagency", id.as_str()] {
        let (out, _) = from_mirror(&db, &["inventory", "--json", "--account", given]);
        assert_eq!(json_of(&out), one, "{given}");
    }
    // WPE_FLEET_DB names the mirror when --db does not.
    let by_env =
        ok(offline()
            .env("WPE_FLEET_DB", &db)
            .args(["inventory", "--json", "--from-mirror"]));
    assert_eq!(json_of(&by_env), sorted);
    // With credentials and the stand-in's URL at hand, still no request.
    let with_credentials = ok(stand
        .wpe()
        .args(["inventory", "--json", "--from-mirror", "--db"])
        .arg(&db));
    assert_eq!(json_of(&with_credentials), sorted);
    assert_eq!(sent(&stand), before, "no request from the mirror's runs");
}

#[test]
fn audit_from_the_mirror_finds_what_the_live_audit_finds_as_of_any_time() {
    let stand = stand();
    let (_dir, db) = mirror_path();
    sync(&stand, &db, &[]);
    let db_text = db.to_str().unwrap();
    let mut answers = Vec::new();
    for days in [0, 60, 400] {
        let when = at(days);
        answers.push((
            when.clone(),
            live(&stand, &["audit", "--json", "--at", &when]),
            live(&stand, &["audit", "--format", "csv", "--at", &when]),
        ));
    }
    let account = live(
        &stand,
        &["audit", "--json", "--at", T0, "--account", "democlient"],
    );
    let failing = run(stand
        .wpe()
        .args(["audit", "--json", "--at", T0, "--fail-on", "warning"]));
    let before = sent(&stand);
    for (when, json, csv) in &answers {
        let (out, err) = from_mirror(&db, &["audit", "--json", "--at", when]);
        assert_eq!(out, *json, "at {when}");
        assert!(err.contains("snapshot 1"), "{err}");
        let (out, _) = from_mirror(&db, &["audit", "--format", "csv", "--at", when]);
        assert_eq!(out, *csv, "at {when}");
    }
    assert!(
        json_of(&answers[2].1).as_array().unwrap().len()
            > json_of(&answers[0].1).as_array().unwrap().len(),
        "more expires in 400 days: {}",
        answers[2].1
    );
    let (out, _) = from_mirror(
        &db,
        &["audit", "--json", "--at", T0, "--account", "democlient"],
    );
    assert_eq!(out, account);
    // --fail-on exits the same way, with the same findings.
    let offline_failing = run(offline().args([
        "audit",
        "--json",
        "--at",
        T0,
        "--fail-on",
        "warning",
        "--from-mirror",
        "--db",
        db_text,
    ]));
    assert_eq!(failing.code, 1, "{}", failing.stderr);
    assert_eq!(
        offline_failing.code, failing.code,
        "{}",
        offline_failing.stderr
    );
    assert_eq!(offline_failing.stdout, failing.stdout);
    assert_eq!(sent(&stand), before, "no request from the mirror's runs");
}

/// `YYYY-MM` of the month `months_back` before today's.
fn month(months_back: u32) -> String {
    let first = Utc::now()
        .date_naive()
        .with_day(1)
        .unwrap()
        .checked_sub_months(Months::new(months_back))
        .unwrap();
    first.format("%Y-%m").to_string()
}

/// `text` without the lines that say when it was made and from where.
fn without_provenance(text: &str) -> String {
    text.lines()
        .filter(|l| !l.contains("Generated: ") && !l.contains("Source: "))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn report_usage_from_the_mirror_is_the_live_report_of_the_month_it_holds() {
    let stand = stand();
    let (_dir, db) = mirror_path();
    sync(&stand, &db, &[]);
    let held = month(1);
    let json = live(&stand, &["report", "usage", "--json"]);
    let rows = json_of(&json);
    assert_eq!(rows.as_array().unwrap().len(), 3, "{rows}");
    assert!(
        rows[0]["installs"]
            .as_array()
            .is_some_and(|i| !i.is_empty()),
        "each account's installs: {rows}"
    );
    let csv = live(&stand, &["report", "usage", "--format", "csv"]);
    let markdown = live(&stand, &["report", "usage", "--format", "markdown"]);
    let flagged = live(&stand, &["report", "usage", "--json", "--only-flagged"]);
    let one = live(
        &stand,
        &["report", "usage", "--json", "--account", "democlient"],
    );
    let before = sent(&stand);

    let (out, err) = from_mirror(&db, &["report", "usage", "--json"]);
    assert_eq!(out, json);
    assert!(err.contains("snapshot 1"), "{err}");
    let (out, _) = from_mirror(&db, &["report", "usage", "--json", "--month", &held]);
    assert_eq!(out, json, "the month it holds, named");
    let (out, _) = from_mirror(&db, &["report", "usage", "--format", "csv"]);
    assert_eq!(out, csv);
    let (out, _) = from_mirror(&db, &["report", "usage", "--json", "--only-flagged"]);
    assert_eq!(out, flagged);
    let (out, _) = from_mirror(
        &db,
        &["report", "usage", "--json", "--account", "democlient"],
    );
    assert_eq!(out, one);
    let (out, _) = from_mirror(&db, &["report", "usage", "--format", "markdown"]);
    assert!(
        out.lines()
            .any(|l| l.starts_with("- Source: the mirror's snapshot 1 of ")),
        "{out}"
    );
    assert_eq!(without_provenance(&out), without_provenance(&markdown));

    // Another period is not in the mirror: a usage error naming the month it holds.
    let db_text = db.to_str().unwrap();
    let other = month(2);
    for period in [
        vec!["--month", other.as_str()],
        vec!["--quarter", "2025Q1"],
        vec!["--from", "2025-01-01", "--to", "2025-01-31"],
    ] {
        let ran = run(offline()
            .args([
                "report",
                "usage",
                "--json",
                "--from-mirror",
                "--db",
                db_text,
            ])
            .args(&period));
        assert_eq!(ran.code, 2, "{period:?}: {}", ran.stderr);
        assert!(
            ran.stderr
                .contains(&format!("holds the usage of {held} only")),
            "{period:?}: {}",
            ran.stderr
        );
        assert!(ran.stdout.is_empty(), "{}", ran.stdout);
    }
    let refresh = run(offline().args([
        "report",
        "usage",
        "--refresh",
        "--from-mirror",
        "--db",
        db_text,
    ]));
    assert_eq!(refresh.code, 2, "{}", refresh.stderr);
    assert!(refresh.stderr.contains("--refresh"), "{}", refresh.stderr);
    assert_eq!(sent(&stand), before, "no request from the mirror's runs");
}

#[test]
fn the_newest_snapshot_answers_and_a_partial_one_says_how_old_the_rest_is() {
    let stand = stand();
    let (_dir, db) = mirror_path();
    sync(&stand, &db, &[]);
    let install = stand.install_id("torquemag").parse().unwrap();
    stand.server.set_php_version(install, "7.4");
    sync(&stand, &db, &[]);
    let audit = live(&stand, &["audit", "--json", "--at", T0]);
    assert!(
        json_of(&audit)
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["install"] == "torquemag" && f["subject"] == "7.4"),
        "{audit}"
    );
    let (out, err) = from_mirror(&db, &["audit", "--json", "--at", T0]);
    assert_eq!(out, audit);
    assert!(err.contains("snapshot 2 of"), "{err}");

    // A sync of one account: its answers come from it, the others' from
    // the snapshot before, which the note says.
    stand.server.set_php_version(install, "8.3");
    sync(&stand, &db, &["--account", "democlient"]);
    let (_, err) = from_mirror(&db, &["inventory", "--account", "democlient"]);
    assert!(
        err.contains("snapshot 3 of") && !err.contains("newer snapshots"),
        "{err}"
    );
    let (out, err) = from_mirror(&db, &["audit", "--json", "--at", T0]);
    assert!(
        err.contains("snapshot 2 of") && err.contains("newer snapshots read other accounts"),
        "{err}"
    );
    assert_eq!(out, audit, "torquemag's account was not read again");
}

#[test]
fn without_a_mirror_or_with_db_alone_the_error_says_what_to_do() {
    let (dir, db) = mirror_path();
    for command in [vec!["inventory"], vec!["audit"], vec!["report", "usage"]] {
        let ran = run(offline()
            .args(&command)
            .args(["--from-mirror", "--db"])
            .arg(&db));
        assert_eq!(ran.code, 2, "{command:?}: {}", ran.stderr);
        assert!(
            ran.stderr.contains("no mirror at") && ran.stderr.contains("wpe fleet sync"),
            "{command:?}: {}",
            ran.stderr
        );
        // --db without --from-mirror would read the API: refused.
        let ran = run(offline().args(&command).arg("--db").arg(&db));
        assert_eq!(ran.code, 2, "{command:?}: {}", ran.stderr);
        assert!(ran.stderr.contains("--from-mirror"), "{}", ran.stderr);
    }
    let notes = dir.path().join("notes.txt");
    std::fs::write(
        &notes,
        "not a mirror at all, but long enough to look at ".repeat(4),
    )
    .unwrap();
    let ran = run(offline()
        .args(["inventory", "--from-mirror", "--db"])
        .arg(&notes));
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    assert!(ran.stderr.contains("is not a mirror"), "{}", ran.stderr);
}

#[test]
fn the_mcp_tools_answer_from_the_mirror_with_its_snapshot_and_no_request() {
    let stand = stand();
    let (_dir, db) = mirror_path();
    sync(&stand, &db, &[]);
    let mut command = crate::mcp_common::against(&stand.server, &[]);
    command.env("WPE_FLEET_DB", &db);
    stand.block_on(async {
        let client = crate::mcp_common::connect(command).await;
        let call = |tool: &'static str, arguments: Value| {
            let client = &client;
            async move {
                let result = crate::mcp_common::call(client, tool, arguments).await;
                assert_eq!(result.is_error, Some(false), "{tool}: {result:?}");
                result.structured_content.expect("structured content")
            }
        };
        for (tool, arguments) in [
            ("inventory", json!({})),
            ("audit", json!({"at": T0})),
            ("report_usage", json!({})),
        ] {
            let mut live = call(tool, arguments.clone()).await;
            let mut with = arguments;
            with["from_mirror"] = json!(true);
            let before = sent(&stand);
            let mut mirrored = call(tool, with).await;
            assert_eq!(sent(&stand), before, "{tool}: no request");
            let source = mirrored
                .as_object_mut()
                .unwrap()
                .remove("mirror")
                .unwrap_or_else(|| panic!("{tool}: no `mirror` in {mirrored}"));
            assert_eq!(source["snapshot"], 1, "{tool}: {source}");
            assert!(source["age_seconds"].is_i64(), "{tool}: {source}");
            assert!(live.get("mirror").is_none(), "{tool}: {live}");
            for answer in [&mut live, &mut mirrored] {
                answer.as_object_mut().unwrap().remove("generated_at");
            }
            assert_eq!(mirrored, live, "{tool}");
        }
        client.cancel().await.unwrap();
    });
}
