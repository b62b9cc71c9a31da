//! `cargo xtask record-answers`: one answer of the API per GET operation,
//! redacted, in the recording format `sync-spec --answers` reads.
//!
//! The operations come from wpe-api's operation table
//! ([`wpe_api::operations::OPERATIONS`]); only its `GET`s are ever sent.
//! Each is sent once. Path IDs come from the lists read before: the list
//! that gives `{X}` is the GET operation at the path of an operation that
//! ends in `/{X}` (`/installs/{install_id}/backups` gives `backup_id`), and
//! the value is the first item's `X`, else its paging key, else its `id`.
//! A required query ID takes the value found for the same name. Date
//! parameters get the last full month; other required values the first enum
//! value, the least integer, `false`. An operation whose parameters cannot
//! be filled is skipped, with the reason.
//!
//! Each request is built on the client's own HTTP client (its credentials,
//! base URL, timeout and user agent) and sent through the client's request
//! hook ([`progenitor_client::ClientHooks::exec`], the one every typed
//! builder's `send` goes through), so retries, the shared 429 back-off and
//! the per-install rate limits apply as to any call of the client; the body
//! is read as the server sent it, not decoded into a typed value and
//! encoded back.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use serde_json::{json, Map, Value};
use wpe_api::operations::{Location, Operation, Paging, Param, ParamKind, OPERATIONS};
use wpe_api::{Client, Credentials};

use crate::redact::{self, Redactor};

/// What one run needs.
#[derive(Debug)]
pub struct Options {
    /// Where the recordings are written (created when missing).
    pub out: PathBuf,
    /// The API's base URL, e.g. `https://api.wpengineapi.com/v1`.
    pub base_url: String,
    /// The API user's credentials.
    pub credentials: Credentials,
    /// Values chosen by the user for some parameters (`install_id`, ...),
    /// used instead of the first item of a list.
    pub ids: BTreeMap<String, String>,
    /// Today, for the date parameters (the last full month before it).
    pub today: NaiveDate,
}

/// One answer written.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// The operationId, also the file's name without `.json`.
    pub operation_id: &'static str,
    /// The path template.
    pub path: &'static str,
    /// The answer's status.
    pub status: u16,
    /// For an error answer, the API's message (redacted).
    pub message: Option<String>,
    /// Where the typed client would fail to decode a successful answer.
    pub undecodable: Option<String>,
}

/// An operation not sent, and why.
#[derive(Debug, Clone)]
pub struct Skipped {
    /// The operationId.
    pub operation_id: &'static str,
    /// Why its parameters could not be filled.
    pub reason: String,
}

/// What a run did.
#[derive(Debug, Default)]
pub struct Outcome {
    /// The API's host.
    pub host: String,
    /// How many GET operations the table has.
    pub gets: usize,
    /// The answers written, in the order they were received.
    pub recorded: Vec<Recorded>,
    /// The operations not sent.
    pub skipped: Vec<Skipped>,
    /// Operations sent that got no answer (a transport failure after the
    /// client's retries), with the cause.
    pub failed: Vec<(&'static str, String)>,
    /// How many values each redaction rule replaced.
    pub redactions: BTreeMap<&'static str, usize>,
    /// Why the run stopped early (a 401), if it did.
    pub stopped: Option<String>,
}

/// Why a run could not happen: exit 2.
#[derive(Debug)]
pub struct Fatal(pub String);

/// The parameters of `op` that can be filled now, or the first that cannot.
enum Fill {
    Ready(Vec<(&'static Param, String)>),
    Missing(&'static str),
}

/// For each ID parameter, the GET list that gives its values: the operation
/// at the path of a GET that ends in `/{name}`.
pub fn providers() -> BTreeMap<&'static str, &'static Operation> {
    let mut found = BTreeMap::new();
    for op in gets() {
        let Some(last) = op.path.rsplit('/').next() else {
            continue;
        };
        let Some(name) = last.strip_prefix('{').and_then(|s| s.strip_suffix('}')) else {
            continue;
        };
        let parent = &op.path[..op.path.len() - last.len() - 1];
        if let Some(list) = gets().find(|o| o.path == parent && o.is_paged()) {
            found.entry(name).or_insert(list);
        }
    }
    found
}

/// The GET operations of the table, in its order.
pub fn gets() -> impl Iterator<Item = &'static Operation> {
    OPERATIONS.iter().filter(|op| op.method == "GET")
}

/// The first and last day of the last full month before `today`.
pub fn last_full_month(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first_of_this = today.with_day(1).unwrap_or(today);
    let last = first_of_this.pred_opt().unwrap_or(first_of_this);
    (last.with_day(1).unwrap_or(last), last)
}

/// The value a parameter that is not an ID gets, if any: dates (required or
/// not) the last full month, other required values the least they may be.
fn chosen_value(param: &Param, today: NaiveDate) -> Option<String> {
    let (first, last) = last_full_month(today);
    let end = param.name.starts_with("last")
        || param.name.ends_with("_end")
        || param.name.ends_with("_to")
        || param.name.ends_with("until");
    let day = if end { last } else { first };
    match param.kind {
        ParamKind::Date => Some(day.format("%Y-%m-%d").to_string()),
        ParamKind::DateTime => Some(format!(
            "{}T{}Z",
            day.format("%Y-%m-%d"),
            if end { "23:59:59" } else { "00:00:00" }
        )),
        _ if !param.required => None,
        ParamKind::Enum(values) => values.first().map(|v| (*v).to_owned()),
        ParamKind::Integer { minimum, .. } => Some(minimum.unwrap_or(1).max(1).to_string()),
        ParamKind::Boolean => Some("false".into()),
        ParamKind::Uuid | ParamKind::String => None,
    }
}

fn fill(op: &Operation, values: &BTreeMap<String, String>, today: NaiveDate) -> Fill {
    let mut args = Vec::new();
    for param in op.params {
        let id_like = param.location == Location::Path || param.kind == ParamKind::Uuid;
        if id_like && (param.required || values.contains_key(param.name)) {
            match values.get(param.name) {
                Some(value) if param.required => args.push((param, value.clone())),
                // An optional filter (`account_id` of `listInstalls`) stays unset.
                Some(_) => {}
                None => return Fill::Missing(param.name),
            }
        } else if let Some(value) = chosen_value(param, today) {
            args.push((param, value));
        } else if param.required {
            return Fill::Missing(param.name);
        }
    }
    Fill::Ready(args)
}

/// `text` percent-encoded for a path segment.
fn encode_segment(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The first item's value for `name` in a list answer: its `name`, else the
/// list's paging key, else its `id`.
fn first_id(list: &Operation, body: &Value, name: &str) -> Option<String> {
    let (items, key) = match list.paging {
        Paging::Offset { items, key, .. } => (items, Some(key)),
        Paging::Whole { items } => (items, None),
        Paging::Token { items, .. } => (items, None),
        Paging::NotAList => return None,
    };
    let item = body
        .get(items)?
        .as_array()?
        .iter()
        .find(|i| i.is_object())?;
    let key = key.filter(|k| !k.contains('+'));
    [Some(name), key, Some("id")]
        .into_iter()
        .flatten()
        .find_map(|field| item.get(field).and_then(Value::as_str))
        .map(str::to_owned)
}

/// Sends every GET operation it can fill once, and writes each answer to
/// `options.out` as `<operationId>.json`.
pub async fn run(options: &Options) -> Result<Outcome, Fatal> {
    let client = Client::builder()
        .credentials(options.credentials.clone())
        .base_url(&options.base_url)
        .build()
        .map_err(|e| Fatal(e.to_string()))?;
    let host = reqwest::Url::parse(client.baseurl())
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_default();
    std::fs::create_dir_all(&options.out)
        .map_err(|e| Fatal(format!("cannot create {}: {e}", options.out.display())))?;
    let mut outcome = Outcome {
        host: host.clone(),
        gets: gets().count(),
        ..Outcome::default()
    };
    let mut redactor = Redactor::new(&host);
    let providers = providers();
    let mut values = options.ids.clone();
    // Why a provider gave no value for a name, for the skip reasons.
    let mut why: BTreeMap<&'static str, String> = BTreeMap::new();
    let mut done: BTreeSet<&'static str> = BTreeSet::new();
    let recorded_at = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    loop {
        let mut progress = false;
        for op in gets() {
            if done.contains(op.id) {
                continue;
            }
            let Fill::Ready(args) = fill(op, &values, options.today) else {
                continue;
            };
            done.insert(op.id);
            progress = true;
            let answer = match send(&client, op, &args).await {
                Ok(answer) => answer,
                Err(cause) => {
                    for (name, list) in &providers {
                        if list.id == op.id {
                            why.entry(name)
                                .or_insert(format!("{} got no answer", list.operation_id));
                        }
                    }
                    outcome.failed.push((op.operation_id, cause));
                    continue;
                }
            };
            if answer.status == 401 {
                outcome.stopped = Some(format!(
                    "{} answered 401 Unauthorized: the API refused the credentials of \
                     {} and {}; nothing more was sent",
                    op.operation_id,
                    wpe_api::config::ENV_USER,
                    wpe_api::config::ENV_PASSWORD
                ));
                outcome.redactions = redactor.counts;
                return Ok(outcome);
            }
            let body: Option<Value> = if answer.body.is_empty() {
                None
            } else {
                Some(serde_json::from_slice(&answer.body).unwrap_or_else(|_| {
                    Value::String(String::from_utf8_lossy(&answer.body).into_owned())
                }))
            };
            let success = (200..300).contains(&answer.status);
            // IDs for the operations after it, from the answer as sent.
            for (name, list) in &providers {
                if list.id != op.id || values.contains_key(*name) {
                    continue;
                }
                let found = if success {
                    body.as_ref().and_then(|b| first_id(list, b, name))
                } else {
                    None
                };
                match found {
                    Some(id) => {
                        values.insert((*name).to_owned(), id);
                    }
                    None => {
                        let given: Vec<String> = args
                            .iter()
                            .filter(|(p, _)| p.location == Location::Path)
                            .map(|(p, v)| format!("{}={v}", p.name))
                            .collect();
                        let call = if given.is_empty() {
                            list.operation_id.to_owned()
                        } else {
                            format!("{} ({})", list.operation_id, given.join(", "))
                        };
                        let what = if success {
                            "listed no item".to_owned()
                        } else {
                            format!("answered {}", answer.status)
                        };
                        why.insert(name, format!("{call} {what}"));
                    }
                }
            }
            let undecodable = if answer.status == op.success_status && !answer.body.is_empty() {
                match op.decode_response(&answer.body) {
                    Some(Err(err)) => Some(format!(
                        "`{}` ({:?} error)",
                        err.path(),
                        err.source_error().classify()
                    )),
                    _ => None,
                }
            } else {
                None
            };
            let message = if success {
                None
            } else {
                let text = body
                    .as_ref()
                    .and_then(|b| b.get("message"))
                    .and_then(Value::as_str)
                    .unwrap_or("(no message)");
                Some(redactor.text(text))
            };
            let file = recording(
                op,
                &answer,
                body,
                &mut redactor,
                &host,
                &recorded_at,
                client.baseurl(),
            );
            write(&options.out, op.operation_id, &file)?;
            outcome.recorded.push(Recorded {
                operation_id: op.operation_id,
                path: op.path,
                status: answer.status,
                message,
                undecodable,
            });
        }
        if !progress {
            break;
        }
    }
    for op in gets().filter(|op| !done.contains(op.id)) {
        let Fill::Missing(name) = fill(op, &values, options.today) else {
            continue;
        };
        let reason = match (why.get(name), providers.get(name)) {
            (Some(cause), _) => format!("needs `{name}`: {cause}"),
            (None, Some(list)) => format!(
                "needs `{name}`, which {} lists, itself not sent",
                list.operation_id
            ),
            (None, None) => {
                let param = op.param(name);
                if param.is_some_and(|p| p.location == Location::Path || p.kind == ParamKind::Uuid)
                {
                    format!("needs `{name}`: no GET operation lists it (it comes from a write); give it with --id {name}=VALUE")
                } else {
                    format!(
                        "needs `{name}`: no value to choose for it; give it with --id {name}=VALUE"
                    )
                }
            }
        };
        outcome.skipped.push(Skipped {
            operation_id: op.operation_id,
            reason,
        });
    }
    outcome.redactions = redactor.counts;
    Ok(outcome)
}

/// An answer as received.
struct Answer {
    url: String,
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// Sends one GET through the client's request hook; a transport failure
/// (after the client's retries) is the error.
async fn send(
    client: &Client,
    op: &'static Operation,
    args: &[(&'static Param, String)],
) -> Result<Answer, String> {
    // The one place a request is made: only a GET of the table is sent.
    assert_eq!(op.method, "GET", "record-answers sends GETs only");
    let mut path = op.path.to_owned();
    let mut query = Vec::new();
    for (param, value) in args {
        match param.location {
            Location::Path => {
                path = path.replace(&format!("{{{}}}", param.name), &encode_segment(value));
            }
            Location::Query => query.push((param.name, value.as_str())),
        }
    }
    let request = client
        .client()
        .get(format!("{}{path}", client.baseurl()))
        .header(reqwest::header::ACCEPT, "application/json")
        .query(&query)
        .build()
        .map_err(|e| e.to_string())?;
    let url = request.url().to_string();
    let info = OperationInfo {
        operation_id: op.id,
    };
    let response = client
        .exec(request, &info)
        .await
        .map_err(|e| e.without_url().to_string())?;
    let status = response.status().as_u16();
    let mut headers: Vec<(String, String)> = Vec::new();
    for (name, value) in response.headers() {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        match headers.iter_mut().find(|(n, _)| n == name.as_str()) {
            Some((_, joined)) => {
                joined.push_str(", ");
                joined.push_str(&value);
            }
            None => headers.push((name.as_str().to_owned(), value)),
        }
    }
    let body = response
        .bytes()
        .await
        .map_err(|e| e.without_url().to_string())?
        .to_vec();
    Ok(Answer {
        url,
        status,
        headers,
        body,
    })
}

/// The recording of one answer, redacted.
fn recording(
    op: &Operation,
    answer: &Answer,
    body: Option<Value>,
    redactor: &mut Redactor,
    host: &str,
    recorded_at: &str,
    base_url: &str,
) -> Value {
    let mut headers = Map::new();
    for (name, value) in &answer.headers {
        // The client's own marker of retried calls is not the server's.
        if redact::drops_header(name) || name == wpe_api::retry::ATTEMPTS_HEADER {
            continue;
        }
        headers.insert(name.clone(), Value::String(redactor.header(value)));
    }
    let mut response = Map::new();
    response.insert("status".into(), json!(answer.status));
    response.insert("headers".into(), Value::Object(headers));
    if let Some(mut body) = body {
        redactor.value(&mut body, op.resource);
        response.insert("body".into(), body);
    }
    json!({
        "source": {
            "recorded_by": "cargo xtask record-answers",
            "date": recorded_at,
            "host": host,
            "base_url": redactor.text(base_url),
            "client": concat!("wpe-api ", env!("CARGO_PKG_VERSION")),
            "spec_version": <Client as ClientInfo<wpe_api::retry::Shared>>::api_version(),
        },
        "operationId": op.operation_id,
        "request": {"method": op.method, "url": redactor.header(&answer.url)},
        "response": Value::Object(response),
    })
}

fn write(dir: &Path, operation_id: &str, file: &Value) -> Result<(), Fatal> {
    let path = dir.join(format!("{operation_id}.json"));
    let mut text = serde_json::to_string_pretty(file)
        .map_err(|e| Fatal(format!("cannot serialise {operation_id}: {e}")))?;
    text.push('\n');
    std::fs::write(&path, text).map_err(|e| Fatal(format!("cannot write {}: {e}", path.display())))
}

/// The summary printed after a run.
pub fn render(outcome: &Outcome, out: &Path) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let errors: Vec<&Recorded> = outcome
        .recorded
        .iter()
        .filter(|r| r.status >= 400)
        .collect();
    let _ = writeln!(
        s,
        "record-answers: {} — {} GET operations of {} in the table",
        outcome.host,
        outcome.gets,
        OPERATIONS.len()
    );
    let _ = writeln!(
        s,
        "\nRecorded {} in {}:",
        outcome.recorded.len(),
        out.display()
    );
    for r in &outcome.recorded {
        let _ = writeln!(s, "  {}  GET {}  {}", r.operation_id, r.path, r.status);
    }
    let _ = writeln!(
        s,
        "\nError answers (recorded): {}",
        count_or_none(errors.len())
    );
    for r in &errors {
        let _ = writeln!(
            s,
            "  {}  {}  {}",
            r.operation_id,
            r.status,
            r.message.as_deref().unwrap_or_default()
        );
    }
    let undecodable: Vec<&Recorded> = outcome
        .recorded
        .iter()
        .filter(|r| r.undecodable.is_some())
        .collect();
    let _ = writeln!(
        s,
        "\nSuccessful answers the typed client would not decode: {}",
        count_or_none(undecodable.len())
    );
    for r in &undecodable {
        let _ = writeln!(
            s,
            "  {}  at {}",
            r.operation_id,
            r.undecodable.as_deref().unwrap_or_default()
        );
    }
    let _ = writeln!(s, "\nSkipped: {}", count_or_none(outcome.skipped.len()));
    for k in &outcome.skipped {
        let _ = writeln!(s, "  {}  {}", k.operation_id, k.reason);
    }
    let _ = writeln!(
        s,
        "\nErrors (sent, no answer): {}",
        count_or_none(outcome.failed.len())
    );
    for (id, cause) in &outcome.failed {
        let _ = writeln!(s, "  {id}  {cause}");
    }
    let redacted: Vec<String> = outcome
        .redactions
        .iter()
        .map(|(rule, n)| format!("{n} {rule}"))
        .collect();
    let _ = writeln!(
        s,
        "\nRedacted: {}",
        if redacted.is_empty() {
            "nothing".to_owned()
        } else {
            redacted.join(", ")
        }
    );
    let _ = writeln!(
        s,
        "\nSummary: recorded {} ({} error answers), skipped {}, errors {}",
        outcome.recorded.len(),
        errors.len(),
        outcome.skipped.len(),
        outcome.failed.len()
    );
    if !outcome.recorded.is_empty() {
        let _ = writeln!(
            s,
            "\nNext: cargo xtask sync-spec --answers {}",
            out.display()
        );
    }
    s
}

fn count_or_none(n: usize) -> String {
    if n == 0 {
        "none".into()
    } else {
        n.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_id_comes_from_the_list_one_level_up() {
        let found: BTreeMap<&str, &str> = providers()
            .into_iter()
            .map(|(name, op)| (name, op.operation_id))
            .collect();
        assert_eq!(found["account_id"], "listAccounts");
        assert_eq!(found["install_id"], "listInstalls");
        assert_eq!(found["site_id"], "listSites");
        assert_eq!(found["domain_id"], "listDomains");
        assert_eq!(found["backup_id"], "listBackups");
        assert_eq!(found["user_id"], "listAccountUsers");
        assert_eq!(found["transfer_id"], "listSiteTransfers");
        assert!(!found.contains_key("report_id"), "{found:?}");
    }

    #[test]
    fn dates_are_the_last_full_month() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(
            last_full_month(day(2024, 3, 15)),
            (day(2024, 2, 1), day(2024, 2, 29))
        );
        assert_eq!(
            last_full_month(day(2025, 1, 1)),
            (day(2024, 12, 1), day(2024, 12, 31))
        );
        let usage = wpe_api::operations::by_operation_id("getAccountUsageSummary").unwrap();
        let mut values = BTreeMap::new();
        values.insert("account_id".to_owned(), "a".to_owned());
        let Fill::Ready(args) = fill(usage, &values, day(2024, 3, 15)) else {
            panic!("fillable");
        };
        let args: Vec<(&str, &str)> = args.iter().map(|(p, v)| (p.name, v.as_str())).collect();
        assert_eq!(
            args,
            [
                ("account_id", "a"),
                ("first_date", "2024-02-01"),
                ("last_date", "2024-02-29")
            ]
        );
    }

    #[test]
    fn an_optional_filter_stays_unset_and_a_missing_id_is_named() {
        let mut values = BTreeMap::new();
        values.insert("account_id".to_owned(), "a".to_owned());
        let today = NaiveDate::from_ymd_opt(2024, 3, 15).unwrap();
        let installs = wpe_api::operations::by_operation_id("listInstalls").unwrap();
        assert!(matches!(fill(installs, &values, today), Fill::Ready(a) if a.is_empty()));
        let backup = wpe_api::operations::by_operation_id("showBackup").unwrap();
        assert!(matches!(
            fill(backup, &values, today),
            Fill::Missing("install_id")
        ));
    }

    #[test]
    fn only_gets_are_planned() {
        assert!(gets().all(|op| op.method == "GET"));
        assert!(gets().count() > 30);
    }
}
