//! Usage metrics and disk-usage refreshes, from made-up but reproducible daily figures.

use axum::http::StatusCode;
use chrono::{DateTime, Datelike as _, NaiveDate, Utc};
use serde_json::{json, Map, Value};
use tokio::time::Instant;

use super::hashes::fnv;
use super::reply::{empty, field_error, ok, Fail, Reply};
use super::request::{account_id, inst, inst_mut, install_id, Req};
use super::state::{InstallRec, State};
use crate::types::Environment;

const METRICS: [&str; 8] = [
    "visit_count",
    "billable_visits",
    "network_origin_bytes",
    "network_cdn_bytes",
    "network_total_bytes",
    "request_origin_count",
    "storage_file_bytes",
    "storage_database_bytes",
];

/// Deterministic daily figures of an install, in the order of [`METRICS`].
fn daily_figures(install: &str, date: NaiveDate) -> [u64; 8] {
    let day = date.format("%Y-%m-%d").to_string();
    let h = fnv(&[install.as_bytes(), day.as_bytes()]);
    let base = fnv(&[install.as_bytes()]);
    let visits = 100 + h % 1900;
    let origin = visits * (20_000 + (h >> 16) % 30_000);
    let cdn = origin * 3;
    let days = u64::try_from(date.num_days_from_ce()).unwrap_or(0) % 1000;
    [
        visits,
        visits * 9 / 10,
        origin,
        cdn,
        origin + cdn,
        visits * 4 + (h >> 32) % 50,
        500_000_000 + base % 1_000_000_000 + days * 1_000_000,
        50_000_000 + (base >> 20) % 100_000_000 + days * 100_000,
    ]
}

/// The indices in [`METRICS`] of the storage figures, which are null on the
/// days before an install's storage was first measured.
const STORAGE: [usize; 2] = [6, 7];

/// An install's daily figures with its storage masked: null before
/// [`InstallRec::storage_since`].
fn measured_figures(install: &InstallRec, date: NaiveDate) -> [Option<u64>; 8] {
    let measured = install.storage_since.is_some_and(|since| since <= date);
    let mut figures = daily_figures(&install.name, date).map(Some);
    if !measured {
        for i in STORAGE {
            figures[i] = None;
        }
    }
    figures
}

/// Marks the storage of installs never measured as measured from the day
/// a disk-usage refresh of theirs, or of their account, finished.
fn settle_storage(state: &mut State, now: Instant, delay: std::time::Duration) {
    let done = |requested: Option<Instant>| requested.map(|r| r + delay).filter(|d| *d <= now);
    let mut measured = Vec::new();
    for install in state.installs.iter().filter(|i| i.storage_since.is_none()) {
        let account = state
            .accounts
            .get(&install.account_id)
            .and_then(|a| done(a.refresh_requested));
        if let Some(at) = done(install.refresh_requested)
            .into_iter()
            .chain(account)
            .min()
        {
            measured.push((install.id, state.wall(at).date_naive()));
        }
    }
    for (id, day) in measured {
        if let Some(install) = state.installs.get_mut(&id) {
            install.storage_since = Some(day);
        }
    }
}

struct Period {
    first: NaiveDate,
    last: NaiveDate,
}

impl Period {
    fn days(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.first.iter_days().take_while(move |d| *d <= self.last)
    }
}

/// The days a usage answer covers without `first_date` and `last_date`:
/// the 30 days that end today.
const DEFAULT_DAYS: i64 = 30;

/// The longest period, in days, `getAccountUsageSummary` and
/// `getAccountUsageInsights` accept.
pub(crate) const ROLLUP_MAX_DAYS: i64 = 31;

/// How far back, in months, `first_date` may reach.
const MONTHS_BACK: u32 = 13;

/// The period a usage request asks for, by the rules WP Engine's reference
/// states for every usage operation: the dates come both or neither, none
/// means the last 30 days, `first_date` reaches at most 13 months back, and
/// (for the rollups, `max_days`) the period is at most 31 days long.
fn period(state: &State, req: &Req<'_>, max_days: Option<i64>) -> Result<Period, Fail> {
    let mut fail = Fail::new(StatusCode::BAD_REQUEST, "Invalid Request");
    let mut date = |name: &str| {
        req.query(name).and_then(|text| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map_err(|_| {
                    fail.errors.push(field_error(
                        "Usage",
                        name,
                        "invalid_value",
                        "invalid_date",
                        &format!("{name} must be a date (YYYY-MM-DD)"),
                    ));
                })
                .ok()
        })
    };
    let first = date("first_date");
    let last = date("last_date");
    if !fail.errors.is_empty() {
        return Err(fail);
    }
    let today = state.wall(req.now).date_naive();
    let (first, last) = match (first, last) {
        (Some(first), Some(last)) => (first, last),
        (None, None) => (today - chrono::Duration::days(DEFAULT_DAYS - 1), today),
        (Some(_), None) | (None, Some(_)) => {
            let missing = if first.is_none() {
                "first_date"
            } else {
                "last_date"
            };
            return Err(Fail::field(
                "Usage",
                missing,
                "missing_value",
                "date_pair",
                "first_date and last_date go together: give both, or neither for the last 30 days",
            ));
        }
    };
    if first > last {
        return Err(Fail::field(
            "Usage",
            "first_date",
            "invalid_value",
            "invalid_range",
            "first_date must not be after last_date",
        ));
    }
    let earliest = today
        .checked_sub_months(chrono::Months::new(MONTHS_BACK))
        .unwrap_or(NaiveDate::MIN);
    if first < earliest {
        return Err(Fail::field(
            "Usage",
            "first_date",
            "invalid_value",
            "out_of_range",
            &format!("first_date may be at most {MONTHS_BACK} months back: {earliest} or later"),
        ));
    }
    if let Some(max) = max_days {
        if (last - first).num_days() + 1 > max {
            return Err(Fail::field(
                "Usage",
                "last_date",
                "invalid_value",
                "out_of_range",
                &format!("The period may span at most {max} days: split a longer one"),
            ));
        }
    }
    Ok(Period { first, last })
}

fn daily_json(install: &InstallRec, date: NaiveDate, storage_time: Option<DateTime<Utc>>) -> Value {
    let figures = measured_figures(install, date);
    let mut day = Map::new();
    day.insert("date".into(), json!(date.format("%Y-%m-%d").to_string()));
    for (name, value) in METRICS.iter().zip(figures) {
        day.insert((*name).into(), json!(value.map(|v| v.to_string())));
    }
    day.insert(
        "storage_update_time".into(),
        json!(storage_time.map(|t| t.to_rfc3339())),
    );
    day.insert("traffic_metrics_source".into(), json!("ONHOST"));
    day.insert("database_tables_count".into(), json!("42"));
    let database = figures[7];
    day.insert(
        "database_sql_bytes".into(),
        json!(database.map(|b| (b * 4 / 5).to_string())),
    );
    day.insert(
        "autoloaded_bytes".into(),
        json!(database.map(|b| (b / 100).to_string())),
    );
    Value::Object(day)
}

/// Sum, average and latest of each metric over installs and days. A storage
/// metric no install measured in the period is null; one none measured on
/// its last day has a null `latest`.
fn rollup(installs: &[&InstallRec], period: &Period) -> Value {
    let mut sums = [0u64; 8];
    let mut measured = [installs.is_empty(); 8];
    let mut latest = [None::<u64>; 8];
    let mut days = 0u64;
    for date in period.days() {
        days += 1;
        let mut today = [None::<u64>; 8];
        for install in installs {
            for (i, figure) in measured_figures(install, date).into_iter().enumerate() {
                if let Some(value) = figure {
                    today[i] = Some(today[i].unwrap_or(0) + value);
                }
            }
        }
        for i in 0..8 {
            sums[i] += today[i].unwrap_or(0);
            measured[i] |= today[i].is_some();
        }
        latest = today;
    }
    if installs.is_empty() {
        latest = [Some(0); 8];
    }
    let last = period.last.format("%Y-%m-%d").to_string();
    let mut out = Map::new();
    for (i, name) in METRICS.iter().enumerate() {
        let rolled = if measured[i] {
            json!({
                "sum": sums[i].to_string(),
                "average": (sums[i] / days.max(1)).to_string(),
                "latest": latest[i].map(|v| json!({ "date": last, "value": v.to_string() })),
            })
        } else {
            json!({ "sum": null, "average": null, "latest": null })
        };
        out.insert((*name).into(), rolled);
    }
    Value::Object(out)
}

/// `(expected, last)`: when a requested refresh will be done (while it runs),
/// and when storage was last measured (none when it never was: `measured`
/// says whether it was before any refresh).
fn refresh_times(
    state: &State,
    done_at: Option<Instant>,
    now: Instant,
    measured: bool,
) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
    let seeded = measured.then(|| state.start_wall - chrono::Duration::hours(6));
    match done_at {
        Some(done) if done > now => (Some(state.wall(done)), seeded),
        Some(done) => (None, Some(state.wall(done))),
        None => (None, seeded),
    }
}

/// `GET /accounts/{account_id}/usage` (`getAccountUsageMetrics`).
pub(crate) fn get_account_usage_metrics(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = account_id(req)?;
    let period = period(state, req, None)?;
    let limit = match req.query("limit") {
        None => 100,
        Some(text) => match text.parse::<usize>() {
            Ok(n) if n <= 1000 => n,
            _ => {
                return Err(Fail::field(
                    "Usage",
                    "limit",
                    "invalid_value",
                    "out_of_range",
                    "limit must be an integer up to 1000",
                ))
            }
        },
    };
    let offset = match req.query("offset").filter(|t| !t.is_empty()) {
        None => 0,
        Some(token) => token.parse::<usize>().map_err(|_| {
            Fail::field(
                "Usage",
                "offset",
                "invalid_value",
                "invalid_token",
                "offset must be a next_page_token from a previous page",
            )
        })?,
    };
    let delay = req.shared.config.disk_usage_refresh_delay;
    settle_storage(state, req.now, delay);
    let installs: Vec<&InstallRec> = state
        .installs
        .iter()
        .filter(|i| i.account_id == id)
        .collect();
    let total = installs.len();
    let mut environments = Vec::new();
    for install in installs.iter().skip(offset).take(limit) {
        let mut series = install_series(state, install, &period, req);
        series.insert("environment_name".into(), json!(install.name));
        environments.push(Value::Object(series));
    }
    let account = state.accounts.get(&id).ok_or_else(Fail::not_found)?;
    let measured_before = installs
        .iter()
        .any(|i| i.storage_since == Some(NaiveDate::MIN));
    let (expected, last) = refresh_times(
        state,
        account.refresh_requested.map(|r| r + delay),
        req.now,
        measured_before,
    );
    let next = (offset + limit < total && limit > 0).then(|| (offset + limit).to_string());
    ok(json!({
        "environment_metrics": environments,
        "total_size": total,
        "next_page_token": next,
        "all_environments_included": next.is_none() && offset == 0,
        "last_account_storage_refresh_time": last.map(|t| t.to_rfc3339()),
        "account_storage_refresh_expected_time": expected.map(|t| t.to_rfc3339()),
    }))
}

/// When a disk-usage refresh asked for `now` counts as requested: a request
/// while one is still running joins it (the reference says repeated requests
/// collapse into one recalculation), so its expected time does not move.
fn collapse(running: Option<Instant>, delay: std::time::Duration, now: Instant) -> Instant {
    match running {
        Some(requested) if requested + delay > now => requested,
        _ => now,
    }
}

/// `POST /accounts/{account_id}/usage/refresh_disk_usage` (`refreshAccountDiskUsage`).
pub(crate) fn refresh_account_disk_usage(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = account_id(req)?;
    let delay = req.shared.config.disk_usage_refresh_delay;
    let account = state.accounts.get_mut(&id).ok_or_else(Fail::not_found)?;
    account.refresh_requested = Some(collapse(account.refresh_requested, delay, req.now));
    empty(StatusCode::OK)
}

/// `GET /accounts/{account_id}/usage/summary` (`getAccountUsageSummary`).
pub(crate) fn get_account_usage_summary(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = account_id(req)?;
    let period = period(state, req, Some(ROLLUP_MAX_DAYS))?;
    settle_storage(state, req.now, req.shared.config.disk_usage_refresh_delay);
    let installs: Vec<&InstallRec> = state
        .installs
        .iter()
        .filter(|i| i.account_id == id)
        .collect();
    ok(rollup(&installs, &period))
}

/// `GET /accounts/{account_id}/usage/insights` (`getAccountUsageInsights`).
pub(crate) fn get_account_usage_insights(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = account_id(req)?;
    let period = period(state, req, Some(ROLLUP_MAX_DAYS))?;
    settle_storage(state, req.now, req.shared.config.disk_usage_refresh_delay);
    // [total, production, staging, development, standard, transferable, sandbox]
    let mut sums = [[0u64; 7]; 8];
    for install in state.installs.iter().filter(|i| i.account_id == id) {
        let env_slot = match install.environment.as_ref().map(Environment::as_str) {
            Some("production") => Some(1),
            Some("staging") => Some(2),
            Some("development") => Some(3),
            _ => None,
        };
        let site = install.site_id.and_then(|s| state.sites.get(&s));
        let site_slot = match site {
            Some(s) if s.sandbox => 6,
            Some(s) if s.transferable => 5,
            _ => 4,
        };
        for date in period.days() {
            let figures = measured_figures(install, date).map(|f| f.unwrap_or(0));
            for (metric, value) in figures.iter().enumerate() {
                sums[metric][0] += value;
                if let Some(slot) = env_slot {
                    sums[metric][slot] += value;
                }
                sums[metric][site_slot] += value;
            }
        }
    }
    let mut out = Map::new();
    for (metric, name) in METRICS.iter().enumerate() {
        let s = sums[metric].map(|v| v.to_string());
        out.insert(
            (*name).into(),
            json!({
                "total": s[0],
                "environment_types": { "production": s[1], "staging": s[2], "development": s[3] },
                "site_types": { "standard": s[4], "transferable": s[5], "sandbox": s[6] },
            }),
        );
    }
    ok(Value::Object(out))
}

/// `GET /installs/{install_id}/usage` (`getInstallUsageMetrics`).
pub(crate) fn get_install_usage_metrics(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = install_id(state, req)?;
    let period = period(state, req, None)?;
    settle_storage(state, req.now, req.shared.config.disk_usage_refresh_delay);
    let install = inst(state, &id);
    let mut series = install_series(state, install, &period, req);
    series.insert("install_name".into(), json!(install.name));
    ok(Value::Object(series))
}

/// One install's daily figures over `period`, their rollup and when its
/// disk-usage refresh is expected: what the account and install usage
/// answers report per install.
fn install_series(
    state: &State,
    install: &InstallRec,
    period: &Period,
    req: &Req<'_>,
) -> Map<String, Value> {
    let delay = req.shared.config.disk_usage_refresh_delay;
    let (expected, last) = refresh_times(
        state,
        install.refresh_requested.map(|r| r + delay),
        req.now,
        install.storage_since == Some(NaiveDate::MIN),
    );
    // Storage first measured by a refresh of the account: measured then.
    let account_done = state
        .accounts
        .get(&install.account_id)
        .and_then(|a| a.refresh_requested)
        .map(|r| r + delay)
        .filter(|done| *done <= req.now);
    let last = last.or_else(|| {
        install
            .storage_since
            .and(account_done)
            .map(|done| state.wall(done))
    });
    // Most recent day first, as upstream's `InstallDailyUsageMetricsSeries` says.
    let mut metrics: Vec<Value> = period
        .days()
        .map(|d| daily_json(install, d, last))
        .collect();
    metrics.reverse();
    let mut series = Map::new();
    series.insert("metrics".into(), Value::Array(metrics));
    series.insert("metrics_rollup".into(), rollup(&[install], period));
    series.insert(
        "storage_refresh_expected_time".into(),
        json!(expected.map(|t| t.to_rfc3339())),
    );
    series
}

/// `POST /installs/{install_id}/usage/refresh_disk_usage` (`refreshEnvironmentDiskUsage`).
pub(crate) fn refresh_environment_disk_usage(
    state: &mut State,
    req: &Req<'_>,
) -> Result<Reply, Fail> {
    let id = install_id(state, req)?;
    let delay = req.shared.config.disk_usage_refresh_delay;
    let install = inst_mut(state, &id);
    install.refresh_requested = Some(collapse(install.refresh_requested, delay, req.now));
    empty(StatusCode::OK)
}
