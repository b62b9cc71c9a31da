//! `wpe audit` against the stand-in over HTTP. The stand-in runs on a
//! virtual clock that starts at [`T0`] and moves only when a test moves it,
//! and `wpe audit --at` gives the binary the same time: no test waits.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::Value;
use wpe_api::clock::VirtualClock;
use wpe_api::fake::{FakeConfig, Seed};
use wpe_api::Paginate;

mod common;
use common::{json_of, ok, run, Stand};

/// When the stand-in starts.
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

/// A stand-in with `seed` whose clock starts at [`T0`] and stands still.
fn stand(seed: Seed) -> Stand {
    Stand::with_config(FakeConfig {
        clock: Arc::new(VirtualClock::manual().starting_at(t0())),
        ..FakeConfig::with_seed(seed)
    })
}

/// The findings of `wpe audit --json ARGS` (exit 0 expected).
fn audit(stand: &Stand, args: &[&str]) -> Vec<Value> {
    let out = ok(stand.wpe().args(["audit", "--json"]).args(args));
    json_of(&out).as_array().unwrap().clone()
}

/// `(severity, check, install, subject)` of each finding, in order.
fn summary(findings: &[Value]) -> Vec<(String, String, String, String)> {
    findings
        .iter()
        .map(|f| {
            let text = |c: &str| f[c].as_str().unwrap_or("-").to_owned();
            (
                text("severity"),
                text("check"),
                text("install"),
                text("subject"),
            )
        })
        .collect()
}

fn row(
    severity: &str,
    check: &str,
    install: &str,
    subject: &str,
) -> (String, String, String, String) {
    (
        severity.to_owned(),
        check.to_owned(),
        install.to_owned(),
        subject.to_owned(),
    )
}

fn find<'f>(findings: &'f [Value], check: &str, install: &str) -> Option<&'f Value> {
    findings
        .iter()
        .find(|f| f["check"] == check && f["install"] == install)
}

#[test]
fn the_demo_fleet_has_one_finding_of_each_kind_named_and_sorted() {
    let stand = stand(Seed::Demo);
    let run = run(stand.wpe().args(["audit", "--json", "--at", T0]));
    assert_eq!(run.code, 0, "findings alone do not fail: {}", run.stderr);
    assert_eq!(run.stderr, "", "no progress or summary off a terminal");
    let findings = json_of(&run.stdout).as_array().unwrap().clone();
    assert_eq!(
        summary(&findings),
        [
            row("warning", "backup", "demoshop", "-"),
            row("warning", "certificate", "demoshop", "shop.example.com"),
            row("warning", "php", "demoshopdev", "7.4"),
            row("warning", "backup", "torquemag", "-"),
            row("warning", "domain", "torquemagstg", "staging.torquemag.io"),
            row("warning", "backup", "clientblog", "2025-06-19"),
            row("info", "status", "clientblogdev", "pending"),
        ]
    );
    let cert = find(&findings, "certificate", "demoshop").unwrap();
    assert_eq!(cert["detail"], "expires on 2025-07-11, in 10 days");
    let backup = find(&findings, "backup", "clientblog").unwrap();
    assert_eq!(backup["detail"], "newest completed backup is 12 days old");
    assert_eq!(backup["fix"], "wpe backup clientblog");
    let domain = find(&findings, "domain", "torquemagstg").unwrap();
    let fix = domain["fix"].as_str().unwrap();
    assert!(
        fix.contains("_wpe_verification.staging.torquemag.io")
            && fix.contains("wpe-verify-")
            && fix.contains("wpe domains verify-txt-record torquemagstg "),
        "{fix}"
    );

    // Names, with the IDs beside them.
    let client = stand.client();
    let installs = stand
        .block_on(client.list_installs().collect_all())
        .unwrap();
    let accounts = stand
        .block_on(client.list_accounts().collect_all())
        .unwrap();
    for finding in &findings {
        let install = installs
            .iter()
            .find(|i| finding["install"] == i.name.as_str())
            .unwrap();
        let account = accounts
            .iter()
            .find(|a| a.id == install.account.id)
            .unwrap();
        assert_eq!(finding["install_id"], install.id.to_string());
        assert_eq!(finding["account_id"], account.id.to_string());
        assert_eq!(finding["account"], account.name.as_str());
    }
    let served = stand.server.served_operations();
    for op in [
        "listInstalls",
        "listBackups",
        "listDomains",
        "getInstallCertificates",
    ] {
        assert!(served.contains(op), "{op} not served: {served:?}");
    }
}

#[test]
fn certificates_expire_into_warnings_then_a_critical_finding_sorted_first() {
    let stand = stand(Seed::Demo);
    let certificates = |args: &[&str]| -> Vec<(String, String, String)> {
        audit(&stand, args)
            .iter()
            .filter(|f| f["check"] == "certificate")
            .map(|f| {
                let text = |c: &str| f[c].as_str().unwrap().to_owned();
                (text("severity"), text("install"), text("detail"))
            })
            .collect()
    };
    // shop.example.com expires 10 days after T0, torquemag.io 70 days after.
    assert_eq!(
        certificates(&["--at", T0, "--cert-days", "9"]),
        [],
        "10 days left is outside a 9-day window"
    );
    assert_eq!(
        certificates(&["--at", T0, "--cert-days", "80"]),
        [
            (
                "warning".into(),
                "demoshop".into(),
                "expires on 2025-07-11, in 10 days".into()
            ),
            (
                "warning".into(),
                "torquemag".into(),
                "expires on 2025-09-09, in 70 days".into()
            ),
        ]
    );
    let later = audit(&stand, &["--at", &at(15)]);
    assert_eq!(later[0]["severity"], "critical", "most severe first");
    assert_eq!(later[0]["check"], "certificate");
    assert_eq!(later[0]["install"], "demoshop");
    assert_eq!(later[0]["detail"], "expired on 2025-07-11");
    assert_eq!(
        later.iter().filter(|f| f["severity"] == "critical").count(),
        1
    );
}

#[test]
fn php_versions_compare_as_numbers() {
    let stand = stand(Seed::Demo);
    let php = |min: &str| -> Vec<String> {
        audit(&stand, &["--at", T0, "--min-php", min])
            .iter()
            .filter(|f| f["check"] == "php")
            .map(|f| f["install"].as_str().unwrap().to_owned())
            .collect()
    };
    // demoshopdev runs 7.4, every other install 8.2.
    assert_eq!(php("7.4"), Vec::<String>::new());
    assert_eq!(php("7.10"), ["demoshopdev"], "7.4 is older than 7.10");
    assert_eq!(php("8.2"), ["demoshopdev"]);
    assert_eq!(php("8.10").len(), 9, "8.2 is older than 8.10");
    let bad = run(stand.wpe().args(["audit", "--min-php", "eight"]));
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("not a PHP version"), "{}", bad.stderr);
}

#[test]
fn backups_older_than_the_window_or_missing_are_warnings() {
    let stand = stand(Seed::Demo);
    let backups = |args: &[&str]| -> Vec<String> {
        audit(&stand, args)
            .iter()
            .filter(|f| f["check"] == "backup")
            .map(|f| f["install"].as_str().unwrap().to_owned())
            .collect()
    };
    // clientblog's newest backup is 12 days old; torquemag and demoshop have none.
    assert_eq!(
        backups(&["--at", T0]),
        ["demoshop", "torquemag", "clientblog"]
    );
    assert_eq!(
        backups(&["--at", T0, "--backup-days", "12"]),
        ["demoshop", "torquemag"]
    );
    // A backup taken now (and completed) clears torquemag.
    ok(stand.wpe().args(["backup", "torquemag"]));
    stand
        .server
        .advance(stand.server.config().backup_step_delay * 2);
    assert_eq!(
        backups(&["--at", &at(1), "--backup-days", "13"]),
        ["demoshop"],
        "clientblog's backup is 13 days old a day later"
    );
    // The others' daily backups are 2 days old a day later: inside 7 days, outside 1.
    let strict = backups(&["--at", &at(1), "--backup-days", "1"]);
    assert_eq!(strict.len(), 7, "{strict:?}");
    assert!(!strict.contains(&"torquemag".to_owned()));
}

#[test]
fn a_pending_install_is_info_and_is_backup_checked_once_active() {
    let stand = stand(Seed::Demo);
    let of = |findings: &[Value]| -> Vec<(String, String)> {
        findings
            .iter()
            .filter(|f| f["install"] == "clientblogdev")
            .map(|f| {
                (
                    f["severity"].as_str().unwrap().to_owned(),
                    f["check"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    assert_eq!(
        of(&audit(&stand, &["--at", T0])),
        [("info".to_owned(), "status".to_owned())]
    );
    // Active an hour after the start, without a backup.
    stand.server.advance(Duration::from_secs(3600));
    assert_eq!(
        of(&audit(&stand, &["--at", T0])),
        [("warning".to_owned(), "backup".to_owned())]
    );
}

#[test]
fn a_domain_is_a_finding_until_its_txt_record_is_verified() {
    let stand = stand(Seed::Demo);
    let findings = audit(&stand, &["--at", T0]);
    let domain = find(&findings, "domain", "torquemagstg").unwrap();
    let install: uuid::Uuid = domain["install_id"].as_str().unwrap().parse().unwrap();
    let client = stand.client();
    let pending = stand
        .block_on(client.list_domains().install_id(install).collect_all())
        .unwrap()
        .into_iter()
        .find(|d| d.name == "staging.torquemag.io")
        .unwrap();
    stand.server.publish_txt_record(
        "_wpe_verification.staging.torquemag.io",
        pending.txt_verification_value.as_deref().unwrap(),
    );
    // The command the finding's fix names.
    let fix = domain["fix"].as_str().unwrap();
    let command = fix.split('`').nth(5).unwrap();
    assert_eq!(
        command,
        format!("wpe domains verify-txt-record torquemagstg {}", pending.id)
    );
    ok(stand.wpe().args(command.split(' ').skip(1)));
    let findings = audit(&stand, &["--at", T0]);
    assert!(
        !findings.iter().any(|f| f["check"] == "domain"),
        "{findings:?}"
    );
}

#[test]
fn fail_on_exits_1_only_when_a_finding_reaches_the_level() {
    let stand = stand(Seed::Demo);
    let exit = |args: &[&str]| {
        let run = run(stand.wpe().args(["audit", "--json"]).args(args));
        (run.code, run)
    };
    let (code, plain) = exit(&["--at", T0]);
    assert_eq!(code, 0, "without --fail-on: {}", plain.stderr);

    let (code, warned) = exit(&["--at", T0, "--fail-on", "warning"]);
    assert_eq!(code, 1);
    assert_eq!(warned.stdout, plain.stdout, "the findings still print");
    assert!(
        warned.stderr.contains("6 finding(s) at or above warning"),
        "{}",
        warned.stderr
    );

    let (code, _) = exit(&["--at", T0, "--fail-on", "critical"]);
    assert_eq!(code, 0, "no critical finding at T0");
    let (code, critical) = exit(&["--at", &at(15), "--fail-on", "critical"]);
    assert_eq!(code, 1, "the certificate has expired 15 days on");
    assert!(critical
        .stderr
        .contains("1 finding(s) at or above critical"));

    let (code, usage) = exit(&["--fail-on", "sometimes"]);
    assert_eq!(code, 2, "{}", usage.stderr);
}

#[test]
fn findings_print_as_json_ndjson_csv_or_a_table_and_parse_back() {
    let stand = stand(Seed::Demo);
    let json = audit(&stand, &["--at", T0]);
    assert_eq!(json.len(), 7);

    let ndjson = ok(stand
        .wpe()
        .args(["audit", "--format", "ndjson", "--at", T0]));
    let lines: Vec<Value> = ndjson.lines().map(json_of).collect();
    assert_eq!(lines, json);

    let csv = ok(stand.wpe().args(["audit", "--format", "csv", "--at", T0]));
    let mut rows = csv.lines();
    assert_eq!(
        rows.next().unwrap(),
        "severity,check,account,install,subject,detail,fix,account_id,install_id"
    );
    let rows: Vec<&str> = rows.collect();
    assert_eq!(rows.len(), 7);
    for (line, finding) in rows.iter().zip(&json) {
        assert!(line.starts_with(&format!(
            "{},{},{},{},",
            finding["severity"].as_str().unwrap(),
            finding["check"].as_str().unwrap(),
            finding["account"].as_str().unwrap(),
            finding["install"].as_str().unwrap()
        )));
        assert!(line.ends_with(&format!(
            ",{},{}",
            finding["account_id"].as_str().unwrap(),
            finding["install_id"].as_str().unwrap()
        )));
    }

    let table = ok(stand.wpe().args(["audit", "--format", "table", "--at", T0]));
    let mut lines = table.lines();
    let header: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
    assert_eq!(
        header,
        ["SEVERITY", "CHECK", "ACCOUNT", "INSTALL", "SUBJECT", "DETAIL"]
    );
    let lines: Vec<&str> = lines.collect();
    assert_eq!(lines.len(), 7);
    assert!(lines[0].starts_with("warning   backup"), "{table}");
    assert!(lines[6].starts_with("info"), "{table}");
}

#[test]
fn account_limits_the_audit_to_one_account_by_name_or_id() {
    let stand = stand(Seed::Demo);
    let by_name = audit(&stand, &["--at", T0, "--account", "democlient"]);
    assert_eq!(
        summary(&by_name),
        [
            row("warning", "backup", "clientblog", "2025-06-19"),
            row("info", "status", "clientblogdev", "pending"),
        ]
    );
    let id = by_name[0]["account_id"].as_str().unwrap().to_owned();
    assert_eq!(audit(&stand, &["--at", T0, "--account", &id]), by_name);
    let unknown = run(stand.wpe().args(["audit", "--account", "democlien"]));
    assert_eq!(unknown.code, 2);
    assert!(
        unknown.stderr.contains("did you mean democlient"),
        "{}",
        unknown.stderr
    );
}

#[test]
fn concurrent_checks_find_what_sequential_ones_find() {
    let demo = stand(Seed::Demo);
    let sequential = audit(&demo, &["--at", T0, "--concurrency", "1"]);
    assert_eq!(sequential.len(), 7);
    assert_eq!(audit(&demo, &["--at", T0]), sequential);
    assert_eq!(
        audit(&demo, &["--at", T0, "--concurrency", "64"]),
        sequential
    );

    // 250 installs over three pages of the installs list, none backed up.
    let fleet = stand(Seed::Installs(250));
    let sequential = audit(&fleet, &["--at", T0, "--concurrency", "1"]);
    assert_eq!(sequential.len(), 250);
    assert!(sequential.iter().all(|f| f["check"] == "backup"));
    let mut names: Vec<&str> = sequential
        .iter()
        .map(|f| f["install"].as_str().unwrap())
        .collect();
    let sorted = {
        let mut sorted = names.clone();
        sorted.sort();
        sorted
    };
    assert_eq!(names, sorted, "sorted by install within a severity");
    names.dedup();
    assert_eq!(names.len(), 250, "each install checked once");
    assert_eq!(
        audit(&fleet, &["--at", T0, "--concurrency", "16"]),
        sequential
    );
    let zero = run(fleet.wpe().args(["audit", "--concurrency", "0"]));
    assert_eq!(zero.code, 2, "{}", zero.stderr);
}
