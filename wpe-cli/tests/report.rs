//! `wpe report usage` against the stand-in over HTTP: the period (the
//! previous month by default, a month, a quarter read in 31-day chunks, a
//! range) and its checks, the flags and their order, the accounts chosen,
//! each format, a refresh of stale storage, and an account without limits.
//!
//! The stand-in's calendar is the real one, so the periods are worked out
//! from today; its disk-usage refresh takes no time here, so nothing waits.

use std::time::Duration;

use chrono::{Datelike as _, Months, NaiveDate};
use serde_json::Value;
use wpe_api::fake::{FakeConfig, Seed};

mod common;
use common::{json_of, ok, run, Stand};

/// The fields of a JSON or CSV row, in CSV's order.
const COLUMNS: &str = "account,account_id,from,to,sites,flag,notes,visits,billable_visits,\
visits_limit,visits_percent,bandwidth_bytes,bandwidth_limit_bytes,bandwidth_percent,\
storage_bytes,storage_files_bytes,storage_database_bytes,storage_limit_bytes,storage_percent,storage_as_of,storage_stale,storage_refreshed,\
production_visits,production_billable_visits,production_bandwidth_bytes,staging_visits,\
staging_billable_visits,staging_bandwidth_bytes,development_visits,development_billable_visits,\
development_bandwidth_bytes";

fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

/// The first and last day of the month `months_back` before today's.
fn month(months_back: u32) -> (NaiveDate, NaiveDate) {
    let first = today()
        .with_day(1)
        .unwrap()
        .checked_sub_months(Months::new(months_back))
        .unwrap();
    let last = first
        .checked_add_months(Months::new(1))
        .unwrap()
        .pred_opt()
        .unwrap();
    (first, last)
}

fn yyyy_mm(day: NaiveDate) -> String {
    day.format("%Y-%m").to_string()
}

/// `wpe report usage ARGS --format json` as rows.
fn report(stand: &Stand, args: &[&str]) -> Vec<Value> {
    let out = ok(stand
        .wpe()
        .args(["report", "usage", "--format", "json"])
        .args(args));
    match json_of(&out) {
        Value::Array(rows) => rows,
        other => panic!("not a list: {other}"),
    }
}

fn row<'a>(rows: &'a [Value], account: &str) -> &'a Value {
    rows.iter()
        .find(|r| r["account"] == account)
        .unwrap_or_else(|| panic!("no row of {account}: {rows:?}"))
}

/// How many answers the stand-in has sent for an operation.
fn answered(stand: &Stand, operation_id: &str) -> usize {
    stand
        .server
        .sent_responses()
        .iter()
        .filter(|r| r.operation_id == operation_id)
        .count()
}

fn number(value: &Value) -> u64 {
    value
        .as_u64()
        .unwrap_or_else(|| panic!("not a JSON number: {value}"))
}

#[test]
fn the_default_period_is_the_previous_month_read_in_one_request_per_account() {
    let stand = Stand::demo();
    let before = month(1);
    let rows = report(&stand, &[]);
    // A run across midnight at a month's end may see either month.
    let expected = [before, month(1)];
    assert_eq!(rows.len(), 3, "every account the demo user sees");
    for row in &rows {
        let period = (
            NaiveDate::parse_from_str(row["from"].as_str().unwrap(), "%Y-%m-%d").unwrap(),
            NaiveDate::parse_from_str(row["to"].as_str().unwrap(), "%Y-%m-%d").unwrap(),
        );
        assert!(expected.contains(&period), "{period:?} in {row}");
    }
    assert_eq!(answered(&stand, "getAccountUsageSummary"), 3);
    assert_eq!(answered(&stand, "getAccountUsageInsights"), 3);
    // The figures are JSON numbers, not the API's strings.
    let agency = row(&rows, "demoagency");
    for field in [
        "visits",
        "billable_visits",
        "visits_limit",
        "bandwidth_bytes",
        "storage_bytes",
        "sites",
        "production_visits",
        "development_bandwidth_bytes",
    ] {
        number(&agency[field]);
    }
    assert!(agency["visits_percent"].is_f64(), "{agency}");
    assert_eq!(agency["sites"], 2);
    let split: u64 = ["production", "staging", "development"]
        .iter()
        .map(|env| number(&agency[format!("{env}_visits")]))
        .sum();
    assert_eq!(split, number(&agency["visits"]), "the split adds up");
}

#[test]
fn a_month_is_the_calendar_month_asked_for() {
    let stand = Stand::demo();
    let (first, last) = month(2);
    let rows = report(&stand, &["--month", &yyyy_mm(first)]);
    for row in &rows {
        assert_eq!(row["from"], first.to_string());
        assert_eq!(row["to"], last.to_string());
    }
    let (first, _) = month(0);
    let rows = report(
        &stand,
        &["--month", &yyyy_mm(first), "--account", "demoagency"],
    );
    assert_eq!(rows[0]["to"], today().to_string(), "this month ends today");
}

#[test]
fn a_quarter_is_read_in_31_day_chunks_summing_traffic_and_keeping_the_latest_storage() {
    let stand = Stand::demo();
    // The last whole quarter: well within 13 months.
    let this_quarter =
        NaiveDate::from_ymd_opt(today().year(), (today().month0() / 3) * 3 + 1, 1).unwrap();
    let first = this_quarter.checked_sub_months(Months::new(3)).unwrap();
    let quarter = format!("{}Q{}", first.year(), first.month0() / 3 + 1);
    let rows = report(&stand, &["--quarter", &quarter, "--account", "demoagency"]);
    assert_eq!(
        answered(&stand, "getAccountUsageSummary"),
        3,
        "92 or fewer days: 3 chunks"
    );
    assert_eq!(answered(&stand, "getAccountUsageInsights"), 3);
    let whole = &rows[0];
    assert_eq!(whole["from"], first.to_string());
    let months: Vec<Value> = (0..3)
        .map(|i| {
            let month = first.checked_add_months(Months::new(i)).unwrap();
            report(
                &stand,
                &["--month", &yyyy_mm(month), "--account", "demoagency"],
            )
            .remove(0)
        })
        .collect();
    assert_eq!(whole["to"], months[2]["to"]);
    for field in [
        "visits",
        "billable_visits",
        "bandwidth_bytes",
        "production_visits",
        "staging_billable_visits",
        "development_bandwidth_bytes",
    ] {
        let sum: u64 = months.iter().map(|m| number(&m[field])).sum();
        assert_eq!(number(&whole[field]), sum, "{field}: the sum of the months");
    }
    assert_eq!(
        whole["storage_bytes"], months[2]["storage_bytes"],
        "storage: the last month's latest"
    );
    assert_ne!(months[0]["storage_bytes"], months[2]["storage_bytes"]);
    // A quarter's allowance is three months'.
    assert_eq!(
        number(&whole["visits_limit"]),
        3 * number(&months[0]["visits_limit"])
    );
}

#[test]
fn a_range_is_checked_before_anything_is_asked() {
    let stand = Stand::demo();
    let usage_error = |args: &[&str], says: &[&str]| {
        let result = run(stand.wpe().args(["report", "usage"]).args(args));
        assert_eq!(result.code, 2, "{args:?}: {}", result.stderr);
        for words in says {
            assert!(result.stderr.contains(words), "{args:?}: {}", result.stderr);
        }
    };
    usage_error(&["--from", "2026-11-01"], &["--to"]);
    usage_error(&["--to", "2026-11-01"], &["--from"]);
    usage_error(
        &["--from", "2026-11-31", "--to", "2026-12-01"],
        &["YYYY-MM-DD"],
    );
    usage_error(&["--month", "2026-13"], &["YYYY-MM"]);
    usage_error(&["--quarter", "2026Q5"], &["YYYYQn"]);
    usage_error(
        &["--month", "2026-11", "--quarter", "2026Q3"],
        &["cannot be used with"],
    );
    usage_error(
        &[
            "--month",
            "2026-11",
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-02",
        ],
        &["cannot be used with"],
    );
    let (first, last) = month(1);
    usage_error(
        &["--from", &last.to_string(), "--to", &first.to_string()],
        &["is after --to"],
    );
    let too_early = today()
        .checked_sub_months(Months::new(13))
        .unwrap()
        .pred_opt()
        .unwrap();
    usage_error(
        &[
            "--from",
            &too_early.to_string(),
            "--to",
            &today().to_string(),
        ],
        &["13 months", "choose a later period"],
    );
    usage_error(&["--month", &yyyy_mm(month(14).0)], &["13 months"]);
    let tomorrow = today().succ_opt().unwrap().to_string();
    usage_error(&["--from", &tomorrow, "--to", &tomorrow], &["after today"]);
    assert_eq!(answered(&stand, "getAccountUsageSummary"), 0);
    // Thirteen months back is still reported, in chunks of at most 31 days.
    let earliest = today().checked_sub_months(Months::new(13)).unwrap();
    let rows = report(
        &stand,
        &[
            "--from",
            &earliest.to_string(),
            "--to",
            &today().to_string(),
            "--account",
            "demoagency",
        ],
    );
    assert_eq!(rows[0]["from"], earliest.to_string());
    let days = (today() - earliest).num_days() + 1;
    let chunks = usize::try_from((days + 30) / 31).unwrap();
    assert_eq!(answered(&stand, "getAccountUsageSummary"), chunks);
}

#[test]
fn flagged_accounts_come_first_and_each_flag_follows_the_utilisation() {
    let stand = Stand::demo();
    let rows = report(&stand, &[]);
    let names: Vec<&str> = rows
        .iter()
        .map(|r| r["account"].as_str().unwrap())
        .collect();
    // democlient is over its visits and its storage was never measured;
    // demosandbox has no installs, so storage 0; demoagency is within its plan.
    assert_eq!(names, ["democlient", "demosandbox", "demoagency"]);
    let client = &rows[0];
    assert_eq!(client["flag"], "over");
    assert!(
        client["visits_percent"].as_f64().unwrap() > 100.0,
        "{client}"
    );
    assert_eq!(client["storage_bytes"], Value::Null);
    assert_eq!(client["storage_stale"], true);
    assert!(client["notes"].as_str().unwrap().contains("--refresh"));
    assert_eq!(rows[1]["flag"], "stale");
    assert_eq!(rows[1]["storage_bytes"], 0);
    for row in &rows {
        let worst = ["visits_percent", "bandwidth_percent", "storage_percent"]
            .iter()
            .filter_map(|f| row[*f].as_f64())
            .fold(0.0, f64::max);
        let expected = if worst > 100.0 {
            Some("over")
        } else if worst > 80.0 {
            Some("warning")
        } else if row["storage_stale"] == true {
            Some("stale")
        } else {
            None
        };
        assert_eq!(row["flag"].as_str(), expected, "{row}");
    }
}

#[test]
fn accounts_are_chosen_by_name_or_id_and_may_repeat() {
    let stand = Stand::demo();
    let all = report(&stand, &[]);
    let agency_id = row(&all, "demoagency")["account_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let rows = report(
        &stand,
        &[
            "--account",
            "demoagency",
            "--account",
            "democlient",
            "--account",
            &agency_id,
        ],
    );
    let names: Vec<&str> = rows
        .iter()
        .map(|r| r["account"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["democlient", "demoagency"],
        "each once, flagged first"
    );
    let unknown = run(stand
        .wpe()
        .args(["report", "usage", "--account", "demoagencyy"]));
    assert_eq!(unknown.code, 2);
    assert!(
        unknown.stderr.contains("did you mean demoagency"),
        "{}",
        unknown.stderr
    );
}

#[test]
fn each_format_prints_the_report() {
    let stand = Stand::demo();
    let csv = ok(stand.wpe().args(["report", "usage", "--format", "csv"]));
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some(COLUMNS));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0][0], "democlient");
    assert!(
        rows[0][7].parse::<u64>().is_ok(),
        "visits as digits: {:?}",
        rows[0]
    );

    let lines: Vec<Value> = ok(stand.wpe().args(["report", "usage", "--format", "ndjson"]))
        .lines()
        .map(json_of)
        .collect();
    assert_eq!(lines.len(), 3);
    number(&lines[2]["visits"]);

    let markdown = ok(stand
        .wpe()
        .args(["report", "usage", "--format", "markdown"]));
    assert!(markdown.starts_with("# Usage from "), "{markdown}");
    let summary =
        &markdown[markdown.find("## Summary").unwrap()..markdown.find("## democlient").unwrap()];
    let table: Vec<&str> = summary.lines().filter(|l| l.starts_with('|')).collect();
    assert_eq!(
        table.len(),
        2 + 3,
        "header, separator and a row per account"
    );
    assert!(
        table[0].starts_with("| account | sites | flag |"),
        "{}",
        table[0]
    );
    assert!(table[1].starts_with("| --- |"));
    let cells = |line: &str| line.split(" | ").count();
    assert!(
        table.iter().all(|l| cells(l) == cells(table[0])),
        "{markdown}"
    );
    assert!(
        table[2].starts_with("| democlient | 1 | over |"),
        "{}",
        table[2]
    );

    let text = ok(stand.wpe().args(["report", "usage", "--format", "table"]));
    let header = text.lines().position(|l| l.starts_with("ACCOUNT")).unwrap();
    assert_eq!(text.lines().nth(header - 1), Some(""), "{text}");
    assert!(
        text.lines()
            .nth(header + 1)
            .unwrap()
            .starts_with("democlient"),
        "{text}"
    );
}

#[test]
fn refresh_measures_stale_storage_and_reports_the_fresh_value() {
    let stand = Stand::with_config(FakeConfig {
        disk_usage_refresh_delay: Duration::ZERO,
        ..FakeConfig::with_seed(Seed::Demo)
    });
    let stale = report(&stand, &["--account", "democlient"]);
    assert_eq!(stale[0]["storage_bytes"], Value::Null);
    assert_eq!(
        answered(&stand, "refreshAccountDiskUsage"),
        0,
        "only when asked"
    );
    let rows = report(
        &stand,
        &[
            "--account",
            "democlient",
            "--account",
            "demoagency",
            "--refresh",
        ],
    );
    assert_eq!(
        answered(&stand, "refreshAccountDiskUsage"),
        1,
        "only the stale account is refreshed"
    );
    let client = row(&rows, "democlient");
    assert!(number(&client["storage_bytes"]) > 0, "{client}");
    assert_eq!(client["storage_stale"], false);
    assert_eq!(client["storage_refreshed"], true);
    assert_eq!(client["storage_as_of"], today().to_string());
    assert!(client["storage_percent"].is_f64());
    assert!(client["notes"]
        .as_str()
        .unwrap()
        .contains("storage refreshed"));
    assert_eq!(client["flag"], "over", "still over its visits");
    assert_eq!(row(&rows, "demoagency")["storage_refreshed"], false);
}

#[test]
fn an_account_without_plan_limits_still_reports() {
    let stand = Stand::demo();
    let rows = report(&stand, &["--account", "demosandbox"]);
    let sandbox = &rows[0];
    for field in [
        "visits_limit",
        "visits_percent",
        "bandwidth_limit_bytes",
        "bandwidth_percent",
        "storage_limit_bytes",
        "storage_percent",
    ] {
        assert_eq!(sandbox[field], Value::Null, "{field}");
    }
    assert_eq!(sandbox["visits"], 0);
    assert_eq!(sandbox["sites"], 1);
    assert!(sandbox["notes"]
        .as_str()
        .unwrap()
        .contains("no plan limits"));
    let text = ok(stand.wpe().args([
        "report",
        "usage",
        "--account",
        "demosandbox",
        "--format",
        "markdown",
    ]));
    let line = text
        .lines()
        .find(|l| l.starts_with("| demosandbox"))
        .unwrap();
    assert!(line.contains("| - | - |"), "utilisation shown as -: {line}");
}

/// Today or, for a run across midnight, yesterday (UTC), as YYYY-MM-DD.
fn today_or_yesterday() -> [String; 2] {
    [today().to_string(), today().pred_opt().unwrap().to_string()]
}

#[test]
fn markdown_is_a_report_for_a_client_a_section_per_account_with_its_installs() {
    let stand = Stand::demo();
    let markdown = ok(stand.wpe().args([
        "report",
        "usage",
        "--format",
        "markdown",
        "--prepared-for",
        "Example Client Ltd",
    ]));
    let lines: Vec<&str> = markdown.lines().collect();
    assert!(
        lines.contains(&"- Prepared for: Example Client Ltd"),
        "{markdown}"
    );
    let generated = lines
        .iter()
        .find_map(|l| l.strip_prefix("- Generated: "))
        .unwrap_or_else(|| panic!("no generated date: {markdown}"));
    assert!(generated.ends_with(" UTC"), "{generated}");
    assert!(
        today_or_yesterday()
            .iter()
            .any(|d| generated.starts_with(d.as_str())),
        "{generated}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with("- Units: GB are decimal gigabytes (1 GB = 1,000,000,000 bytes")),
        "{markdown}"
    );
    let sections: Vec<&str> = lines.iter().filter_map(|l| l.strip_prefix("## ")).collect();
    assert_eq!(
        sections,
        ["Summary", "democlient", "demosandbox", "demoagency"]
    );
    assert_eq!(
        lines.iter().filter(|l| **l == "### Environments").count(),
        3,
        "an environment table per account"
    );

    // demoagency's installs, against its exact figures in JSON.
    let rows = report(&stand, &["--account", "demoagency"]);
    let agency = &rows[0];
    let installs = agency["installs"].as_array().unwrap();
    assert_eq!(installs.len(), 6, "{agency}");
    let section = &markdown[markdown.find("## demoagency").unwrap()..];
    let table: Vec<&str> = section
        .lines()
        .skip_while(|l| *l != "### Environments")
        .filter(|l| l.starts_with('|'))
        .collect();
    assert_eq!(
        table[0],
        "| install | site | environment | visits | billable | bandwidth | storage | files | database |"
    );
    assert_eq!(table.len(), 2 + installs.len());
    for install in installs {
        let name = install["install"].as_str().unwrap();
        let line = table
            .iter()
            .find(|l| l.starts_with(&format!("| {name} |")))
            .unwrap_or_else(|| panic!("no row of {name}: {section}"));
        let cells: Vec<&str> = line.trim_matches('|').split(" | ").map(str::trim).collect();
        let gb = |field: &str| format!("{:.1} GB", number(&install[field]) as f64 / 1e9);
        assert_eq!(cells[5], gb("bandwidth_bytes"), "{line}");
        assert_eq!(cells[7], gb("storage_files_bytes"), "{line}");
        assert_eq!(cells[8], gb("storage_database_bytes"), "{line}");
    }
    for (field, total) in [
        ("visits", "visits"),
        ("billable_visits", "billable_visits"),
        ("bandwidth_bytes", "bandwidth_bytes"),
        ("storage_files_bytes", "storage_files_bytes"),
        ("storage_database_bytes", "storage_database_bytes"),
    ] {
        let sum: u64 = installs.iter().map(|i| number(&i[field])).sum();
        assert_eq!(
            sum,
            number(&agency[total]),
            "{field}: the installs add up to the account"
        );
    }
    assert!(installs
        .iter()
        .all(|i| i["environment"].is_string() && i["site"].is_string()));
}

#[test]
fn storage_is_split_into_files_and_database_that_sum_to_the_total() {
    let stand = Stand::demo();
    let rows = report(&stand, &[]);
    let agency = row(&rows, "demoagency");
    let files = number(&agency["storage_files_bytes"]);
    let database = number(&agency["storage_database_bytes"]);
    assert!(files > 0 && database > 0, "{agency}");
    assert_eq!(files + database, number(&agency["storage_bytes"]));
    for install in agency["installs"].as_array().unwrap() {
        assert_eq!(
            number(&install["storage_files_bytes"]) + number(&install["storage_database_bytes"]),
            number(&install["storage_bytes"]),
            "{install}"
        );
    }
    // Never measured: each part and the total unknown, not 0.
    let client = row(&rows, "democlient");
    for field in [
        "storage_bytes",
        "storage_files_bytes",
        "storage_database_bytes",
    ] {
        assert_eq!(client[field], Value::Null, "{field}");
    }
}

fn names(rows: &[Value]) -> Vec<&str> {
    rows.iter()
        .map(|r| r["account"].as_str().unwrap())
        .collect()
}

#[test]
fn only_flagged_keeps_the_accounts_with_a_flag_in_every_format() {
    let stand = Stand::demo();
    let all = report(&stand, &[]);
    let flagged: Vec<&str> = all
        .iter()
        .filter(|r| !r["flag"].is_null())
        .map(|r| r["account"].as_str().unwrap())
        .collect();
    assert_eq!(flagged, ["democlient", "demosandbox"]);
    let rows = report(&stand, &["--only-flagged"]);
    assert_eq!(names(&rows), flagged);
    let csv = ok(stand
        .wpe()
        .args(["report", "usage", "--only-flagged", "--format", "csv"]));
    assert_eq!(csv.lines().count(), 1 + 2, "{csv}");
    assert!(!csv.contains("demoagency"), "{csv}");
    let markdown =
        ok(stand
            .wpe()
            .args(["report", "usage", "--only-flagged", "--format", "markdown"]));
    assert!(!markdown.contains("## demoagency"), "{markdown}");
    assert!(
        markdown.contains("- Showing: only the accounts flagged over, warning or stale"),
        "{markdown}"
    );
}

/// The highest utilisation of an account, in hundredths of a percent,
/// rounded down: the largest `--min-percent` that keeps it.
fn floor_hundredths(row: &Value) -> u64 {
    [
        ("billable_visits", "visits_limit"),
        ("bandwidth_bytes", "bandwidth_limit_bytes"),
        ("storage_bytes", "storage_limit_bytes"),
    ]
    .iter()
    .filter_map(|(used, limit)| Some((row[*used].as_u64()?, row[*limit].as_u64()?)))
    .filter(|(_, limit)| *limit > 0)
    .map(|(used, limit)| u64::try_from(u128::from(used) * 10_000 / u128::from(limit)).unwrap())
    .max()
    .unwrap()
}

fn as_percent(hundredths: u64) -> String {
    format!("{}.{:02}", hundredths / 100, hundredths % 100)
}

#[test]
fn min_percent_keeps_the_accounts_at_or_over_n_percent_to_the_hundredth() {
    let stand = Stand::demo();
    let all = report(&stand, &[]);
    let agency = floor_hundredths(row(&all, "demoagency"));
    let client = floor_hundredths(row(&all, "democlient"));
    assert!(agency < client, "demoagency {agency} < democlient {client}");
    // At demoagency's highest share (to the hundredth): both.
    let rows = report(&stand, &["--min-percent", &as_percent(agency)]);
    assert_eq!(names(&rows), ["democlient", "demoagency"]);
    // A hundredth more: demoagency is below it.
    let rows = report(&stand, &["--min-percent", &as_percent(agency + 1)]);
    assert_eq!(names(&rows), ["democlient"]);
    let rows = report(&stand, &["--min-percent", &as_percent(client + 1)]);
    assert!(rows.is_empty(), "{rows:?}");
    // demosandbox has no limits: never at any percent.
    let rows = report(&stand, &["--min-percent", "0.01"]);
    assert_eq!(names(&rows), ["democlient", "demoagency"]);
}

#[test]
fn a_bad_min_percent_is_a_usage_error_that_says_how_to_write_it() {
    let stand = Stand::demo();
    for bad in ["abc", "0", "-5", "1.234", "90%", ""] {
        let result = run(stand.wpe().args(["report", "usage", "--min-percent", bad]));
        assert_eq!(result.code, 2, "{bad}: {}", result.stderr);
        assert!(
            result.stderr.contains("is not a percentage") && result.stderr.contains("e.g. 90"),
            "{bad}: {}",
            result.stderr
        );
    }
    let both = run(stand
        .wpe()
        .args(["report", "usage", "--only-flagged", "--min-percent", "90"]));
    assert_eq!(both.code, 2);
    assert!(
        both.stderr.contains("cannot be used with"),
        "{}",
        both.stderr
    );
    let empty = run(stand.wpe().args(["report", "usage", "--prepared-for", ""]));
    assert_eq!(empty.code, 2, "{}", empty.stderr);
    assert_eq!(
        answered(&stand, "getAccountUsageSummary"),
        0,
        "nothing asked"
    );
}

#[test]
fn the_table_names_who_it_is_for_when_it_was_made_and_its_units_and_help_states_them() {
    let stand = Stand::demo();
    let text = ok(stand.wpe().args([
        "report",
        "usage",
        "--format",
        "table",
        "--prepared-for",
        "Example Client Ltd",
    ]));
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("Usage from "), "{text}");
    assert_eq!(lines[1], "Prepared for: Example Client Ltd");
    assert!(
        lines[2].starts_with("Generated: ") && lines[2].ends_with(" UTC"),
        "{text}"
    );
    assert!(
        lines[3].starts_with("Units: GB are decimal gigabytes"),
        "{text}"
    );
    let help = ok(stand.wpe().args(["report", "usage", "--help"]));
    for words in [
        "1 GB = 1,000,000,000 bytes",
        "--prepared-for",
        "--only-flagged",
        "--min-percent",
        "files and database",
    ] {
        assert!(help.contains(words), "{words}: {help}");
    }
}

#[test]
fn refresh_also_measures_the_installs_storage() {
    let stand = Stand::with_config(FakeConfig {
        disk_usage_refresh_delay: Duration::ZERO,
        ..FakeConfig::with_seed(Seed::Demo)
    });
    let rows = report(&stand, &["--account", "democlient", "--refresh"]);
    let client = &rows[0];
    let installs = client["installs"].as_array().unwrap();
    assert!(!installs.is_empty());
    let sum: u64 = installs.iter().map(|i| number(&i["storage_bytes"])).sum();
    assert_eq!(sum, number(&client["storage_bytes"]), "{client}");
}
