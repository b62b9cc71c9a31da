//! `sync-spec --answers DIR`: checks answers recorded from the live API against our spec.
//!
//! Each recording (one `.json` file: `operationId`, `request {method, url}`,
//! `response {status, headers, body}`) is matched to an operation of our spec, by its
//! `operationId` or else by method and URL path against the path templates. The body is then
//! walked against the schema of the response for the recorded status (`$ref`s followed,
//! `allOf` merged, nullability honoured), and every disagreement becomes a [`Finding`]: a
//! field the spec lacks, a required field that is absent, a type, format or enum value the
//! spec does not allow, a `null` where the spec has no `nullable`. Findings at the same
//! location of the same recording are grouped (`results[]` items count once, with how many of
//! them showed it). A new value of an open enum (`x-wpe-open-enum`) is only information.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::Value;

use crate::deviations::Deviation;
use crate::report::{DocSummary, Stale};

/// Deepest `$ref`/`allOf` chain followed while resolving one schema.
const MAX_DEPTH: usize = 64;

/// Distinct example values kept per finding.
const MAX_EXAMPLES: usize = 3;

/// HTTP methods a path item can hold.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// What a finding says about a recorded answer, compared with our spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// No operation of our spec has the recording's `operationId`, nor its method and path.
    AnswerOperationUnknown,
    /// The operation documents no response for the recorded status.
    AnswerStatusUndocumented,
    /// The recorded answer has a body where the spec documents none.
    AnswerBodyUndocumented,
    /// The answer has a field the schema does not declare.
    AnswerFieldAdded,
    /// A field the schema requires is absent from the answer.
    AnswerRequiredAbsent,
    /// A value of another JSON type than the schema's.
    AnswerTypeMismatch,
    /// A string (or number) that does not fit the schema's `format`.
    AnswerFormatMismatch,
    /// A value outside a closed enum.
    AnswerEnumMismatch,
    /// A value outside an open enum (`x-…open-enum: true`): information, never a failure.
    AnswerOpenEnumValue,
    /// `null` where the schema is not nullable.
    AnswerNullNotNullable,
}

impl Kind {
    /// Every kind, in declaration order.
    pub const ALL: [Kind; 10] = [
        Kind::AnswerOperationUnknown,
        Kind::AnswerStatusUndocumented,
        Kind::AnswerBodyUndocumented,
        Kind::AnswerFieldAdded,
        Kind::AnswerRequiredAbsent,
        Kind::AnswerTypeMismatch,
        Kind::AnswerFormatMismatch,
        Kind::AnswerEnumMismatch,
        Kind::AnswerOpenEnumValue,
        Kind::AnswerNullNotNullable,
    ];

    /// The kebab-case name used in reports and deviation entries.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::AnswerOperationUnknown => "answer-operation-unknown",
            Kind::AnswerStatusUndocumented => "answer-status-undocumented",
            Kind::AnswerBodyUndocumented => "answer-body-undocumented",
            Kind::AnswerFieldAdded => "answer-field-added",
            Kind::AnswerRequiredAbsent => "answer-required-absent",
            Kind::AnswerTypeMismatch => "answer-type-mismatch",
            Kind::AnswerFormatMismatch => "answer-format-mismatch",
            Kind::AnswerEnumMismatch => "answer-enum-mismatch",
            Kind::AnswerOpenEnumValue => "answer-open-enum-value",
            Kind::AnswerNullNotNullable => "answer-null-not-nullable",
        }
    }

    /// What it means for a client generated from our spec: `breaking` (the answer may fail to
    /// decode or be misread), `additive` (the answer carries data the client drops) or `info`.
    pub fn class(self) -> &'static str {
        match self {
            Kind::AnswerFieldAdded => "additive",
            Kind::AnswerOpenEnumValue => "info",
            _ => "breaking",
        }
    }

    /// Whether an uncovered finding of this kind fails `--check`.
    pub fn fails(self) -> bool {
        self != Kind::AnswerOpenEnumValue
    }
}

/// One recorded answer, as read from its file.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The file's name (`listDomains.json`), which deviations name as `evidence`.
    pub file: String,
    /// The recorded `operationId`, if any.
    pub operation_id: Option<String>,
    /// Upper-case request method.
    pub method: String,
    /// The request URL as recorded.
    pub url: String,
    /// The response status.
    pub status: u16,
    /// The response's `content-type` header, if recorded.
    pub content_type: Option<String>,
    /// The response body (`None` when the recording has none).
    pub body: Option<Value>,
}

/// Reads every `.json` file of `dir` (sorted by name; other files are ignored) as an answer.
///
/// Errors (an unreadable directory, a directory without recordings, a file that is not JSON
/// or not in the recording format) are one line naming the file.
pub fn read_dir(dir: &Path) -> Result<Vec<Answer>, String> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read answers directory {}: {e}", dir.display()))?;
    let mut files: Vec<PathBuf> = Vec::new();
    for entry in entries {
        let entry =
            entry.map_err(|e| format!("cannot read answers directory {}: {e}", dir.display()))?;
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) == Some("json") && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    if files.is_empty() {
        return Err(format!(
            "answers directory {} holds no .json recording",
            dir.display()
        ));
    }
    files
        .iter()
        .map(|path| {
            let bytes =
                std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            parse_answer(&name, &bytes).map_err(|e| format!("{}: {e}", path.display()))
        })
        .collect()
}

/// Parses one recording; the error says what is wrong with it (not where: the caller adds the file).
pub fn parse_answer(file: &str, bytes: &[u8]) -> Result<Answer, String> {
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| format!("not valid JSON: {e}"))?;
    let Some(root) = doc.as_object() else {
        return Err("not a recorded answer: the top level is not an object".into());
    };
    let operation_id = match root.get("operationId") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err("not a recorded answer: `operationId` is not a string".into()),
    };
    let text = |v: Option<&Value>, what: &str| -> Result<String, String> {
        v.and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| format!("not a recorded answer: `{what}` is missing or not a string"))
    };
    let request = root.get("request");
    let method = text(request.and_then(|r| r.get("method")), "request.method")?.to_uppercase();
    let url = text(request.and_then(|r| r.get("url")), "request.url")?;
    let Some(response) = root.get("response").and_then(Value::as_object) else {
        return Err("not a recorded answer: `response` is missing or not an object".into());
    };
    let status = response
        .get("status")
        .and_then(Value::as_u64)
        .filter(|s| (100..600).contains(s))
        .ok_or("not a recorded answer: `response.status` is missing or not an HTTP status")?;
    let content_type = response
        .get("headers")
        .and_then(Value::as_object)
        .and_then(|h| {
            h.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
                .and_then(|(_, v)| v.as_str())
        })
        .map(str::to_string);
    Ok(Answer {
        file: file.to_string(),
        operation_id,
        method,
        url,
        status: status as u16,
        content_type,
        body: response.get("body").cloned(),
    })
}

/// A disagreement between recorded answers and our spec, grouped over the items at one location.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// The recording's file name.
    pub recording: String,
    /// The operation of our spec it was matched to (its `operationId`), else the recorded one.
    pub operation: Option<String>,
    /// The request method.
    pub method: String,
    /// Our path template, when an operation was matched.
    pub path: Option<String>,
    /// The recorded status.
    pub status: u16,
    /// Dotted location, as in the upstream comparison: `response.200.body.results[].redirect_to`.
    pub location: String,
    /// Where in our schemas: `Domain.redirect_to` (the schema the value belongs to, then the property path).
    pub schema: Option<String>,
    /// What disagrees.
    pub kind: Kind,
    /// `breaking`, `additive` or `info` (from the kind).
    pub class: &'static str,
    /// One line saying what the spec allows and what the answer has.
    pub detail: String,
    /// How many values at this location showed it.
    pub count: usize,
    /// How many values were seen at the location it counts against (the objects, for a field
    /// added or absent).
    pub of: usize,
}

/// How one recording was matched to our spec.
#[derive(Debug, Clone, Serialize)]
pub struct Recording {
    /// The file name.
    pub file: String,
    /// The recorded `operationId`.
    pub recorded_operation: Option<String>,
    /// The matched operation's `operationId`.
    pub operation: Option<String>,
    /// The request method.
    pub method: String,
    /// The recorded URL.
    pub url: String,
    /// Our path template, when matched.
    pub path: Option<String>,
    /// `operationId`, `path`, or `none`.
    pub matched_by: &'static str,
    /// The recorded status.
    pub status: u16,
    /// The response schema walked (its component name, or where it is inline).
    pub schema: Option<String>,
}

/// A finding covered by at least one answer entry of the deviations.
#[derive(Debug, Clone, Serialize)]
pub struct Covered {
    /// The finding.
    #[serde(flatten)]
    pub finding: Finding,
    /// Ids of every entry that covers it.
    pub deviations: Vec<String>,
}

/// Counts for the closing line.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    /// Recordings read.
    pub recordings: usize,
    /// Findings no deviation covers (information excluded).
    pub findings: usize,
    /// Findings covered by a deviation.
    pub covered: usize,
    /// Uncovered information (new values of open enums).
    pub info: usize,
    /// Answer entries that cover nothing.
    pub stale_deviations: usize,
    /// Notes.
    pub notes: usize,
    /// Milliseconds spent matching and walking.
    pub elapsed_ms: f64,
    /// Whether `--check` fails.
    pub check_fails: bool,
}

/// The whole result of `sync-spec --answers`.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The directory of recordings.
    pub answers: String,
    /// Our spec.
    pub ours: DocSummary,
    /// Each recording and what it was matched to.
    pub recordings: Vec<Recording>,
    /// Findings that no deviation covers and that fail `--check`.
    pub findings: Vec<Finding>,
    /// Findings covered by answer entries of the deviations.
    pub covered: Vec<Covered>,
    /// New values of open enums, not covered (information only).
    pub info: Vec<Finding>,
    /// Answer entries that matched no finding.
    pub stale_deviations: Vec<Stale>,
    /// Anything odd met on the way (an operationId that is not ours, a non-JSON body ...).
    pub notes: Vec<String>,
    /// Counts.
    pub summary: Summary,
}

/// Matches every answer to our spec (`spec`, the parsed document) and walks its body.
pub fn check(spec: &Value, answers: &[Answer]) -> (Vec<Recording>, Vec<Finding>, Vec<String>) {
    let mut recordings = Vec::new();
    let mut findings = Vec::new();
    let mut notes = Vec::new();
    let ops = operations(spec);
    let bases = base_paths(spec);
    for a in answers {
        let url_path = url_path(&a.url, &bases);
        let by_path = match_path(&ops, &a.method, &url_path);
        let by_id = a
            .operation_id
            .as_ref()
            .and_then(|id| ops.iter().find(|o| o.id.as_deref() == Some(id.as_str())));
        let (op, matched_by) = match (by_id, by_path) {
            (Some(op), other) => {
                if other.is_none_or(|o| o.id != op.id) {
                    notes.push(format!(
                        "{}: {} {} does not match {} {}, the operation of operationId {}",
                        a.file,
                        a.method,
                        a.url,
                        op.method,
                        op.path,
                        op.id.as_deref().unwrap_or_default()
                    ));
                }
                (Some(op), "operationId")
            }
            (None, Some(op)) => {
                if let Some(id) = &a.operation_id {
                    notes.push(format!(
                        "{}: operationId {id} is not in our spec; matched {} {} by its URL",
                        a.file, op.method, op.path
                    ));
                }
                (Some(op), "path")
            }
            (None, None) => (None, "none"),
        };
        let mut rec = Recording {
            file: a.file.clone(),
            recorded_operation: a.operation_id.clone(),
            operation: op.and_then(|o| o.id.clone()),
            method: a.method.clone(),
            url: a.url.clone(),
            path: op.map(|o| o.path.clone()),
            matched_by,
            status: a.status,
            schema: None,
        };
        let finding = |location: String, kind: Kind, detail: String| Finding {
            recording: a.file.clone(),
            operation: op
                .and_then(|o| o.id.clone())
                .or_else(|| a.operation_id.clone()),
            method: a.method.clone(),
            path: op.map(|o| o.path.clone()),
            status: a.status,
            location,
            schema: None,
            kind,
            class: kind.class(),
            detail,
            count: 1,
            of: 1,
        };
        let Some(op) = op else {
            findings.push(finding(
                "operation".into(),
                Kind::AnswerOperationUnknown,
                format!(
                    "no operation of ours has {} nor matches {} {url_path}",
                    a.operation_id
                        .as_ref()
                        .map_or("an operationId (none recorded)".to_string(), |id| format!(
                            "operationId {id}"
                        )),
                    a.method
                ),
            ));
            recordings.push(rec);
            continue;
        };
        let status_loc = format!("response.{}", a.status);
        let Some(response) = response_for(spec, op.op, a.status) else {
            findings.push(finding(
                status_loc,
                Kind::AnswerStatusUndocumented,
                format!(
                    "{} {} documents no response {} (nor {}XX or default)",
                    op.method,
                    op.path,
                    a.status,
                    a.status / 100
                ),
            ));
            recordings.push(rec);
            continue;
        };
        let body_loc = format!("{status_loc}.body");
        let body = a.body.as_ref().filter(|b| !b.is_null() && *b != "");
        let schema = response_schema(spec, response);
        match (schema, &a.body) {
            (_, None) => {}
            (None, Some(_)) => {
                if let Some(b) = body {
                    findings.push(finding(
                        body_loc,
                        Kind::AnswerBodyUndocumented,
                        format!(
                            "response {} has no JSON body in our spec; the answer has {}",
                            a.status,
                            json_type(b)
                        ),
                    ));
                }
            }
            (Some(schema), Some(recorded)) => {
                let json = a
                    .content_type
                    .as_deref()
                    .is_none_or(|ct| ct.to_ascii_lowercase().contains("json"));
                if !json && recorded.is_string() {
                    notes.push(format!(
                        "{}: content-type {} is not JSON; body not checked",
                        a.file,
                        a.content_type.as_deref().unwrap_or_default()
                    ));
                } else {
                    let root_name = ref_name(schema).unwrap_or_else(|| {
                        format!(
                            "{}.{}",
                            op.id.as_deref().unwrap_or("(no operationId)"),
                            a.status
                        )
                    });
                    rec.schema = Some(root_name.clone());
                    let mut w = Walker::new(spec);
                    w.walk(recorded, schema, &body_loc, &root_name);
                    for g in w.findings() {
                        let mut out = finding(g.location, g.kind, g.detail);
                        out.schema = Some(g.schema);
                        out.count = g.count;
                        out.of = g.of;
                        findings.push(out);
                    }
                }
            }
        }
        recordings.push(rec);
    }
    (recordings, findings, notes)
}

/// Splits findings into uncovered failures, covered ones and uncovered information, and finds
/// the answer entries that cover nothing (entries that are not answer entries are ignored).
pub fn triage(
    findings: Vec<Finding>,
    deviations: &[Deviation],
) -> (Vec<Finding>, Vec<Covered>, Vec<Finding>, Vec<Stale>) {
    let entries: Vec<&Deviation> = deviations.iter().filter(|d| d.is_answer()).collect();
    let (matched, stale) = crate::report::cover(findings, &entries, Deviation::matches_finding);
    let (mut failing, mut covered, mut info) = (Vec::new(), Vec::new(), Vec::new());
    for (f, ids) in matched {
        if !ids.is_empty() {
            covered.push(Covered {
                finding: f,
                deviations: ids,
            });
        } else if f.kind.fails() {
            failing.push(f);
        } else {
            info.push(f);
        }
    }
    (failing, covered, info, stale)
}

/// Fills in the summary; `--check` fails on an uncovered finding (and, with `strict`, a stale entry).
pub fn summarise(r: &mut Report, elapsed_ms: f64, strict: bool) {
    r.summary = Summary {
        recordings: r.recordings.len(),
        findings: r.findings.len(),
        covered: r.covered.len(),
        info: r.info.len(),
        stale_deviations: r.stale_deviations.len(),
        notes: r.notes.len(),
        elapsed_ms,
        check_fails: !r.findings.is_empty() || (strict && !r.stale_deviations.is_empty()),
    };
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn finding_line(f: &Finding) -> String {
    let schema = f
        .schema
        .as_deref()
        .map(|s| format!(" ({s})"))
        .unwrap_or_default();
    let times = if f.of > 1 || f.count > 1 {
        format!(" [{} of {}]", f.count, f.of)
    } else {
        String::new()
    };
    format!(
        "[{}] {}{schema}  {}: {}{times}",
        f.class,
        f.location,
        f.kind.as_str(),
        f.detail
    )
}

/// Renders the human-readable report. `verbose` lists every covered finding.
pub fn render_text(r: &Report, verbose: bool) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "answers: {} — {}",
        r.answers,
        plural(r.recordings.len(), "recording", "recordings")
    );
    let _ = writeln!(s, "{}", crate::report::doc_line("ours:   ", &r.ours));
    let _ = writeln!(s);
    let _ = writeln!(s, "Recordings:");
    for rec in &r.recordings {
        let target = match (&rec.operation, &rec.path) {
            (Some(id), Some(path)) => format!("{id}  {} {path}", rec.method),
            (None, Some(path)) => format!("(no operationId)  {} {path}", rec.method),
            _ => format!("(no operation of ours)  {} {}", rec.method, rec.url),
        };
        let by = if rec.matched_by == "path" {
            "  (matched by URL)"
        } else {
            ""
        };
        let schema = rec
            .schema
            .as_deref()
            .map(|s| format!(" -> {s}"))
            .unwrap_or_default();
        let _ = writeln!(s, "  {}  {target}  {}{schema}{by}", rec.file, rec.status);
    }

    let _ = writeln!(s);
    if r.findings.is_empty() {
        let _ = writeln!(s, "Findings: none");
    } else {
        let _ = writeln!(
            s,
            "Findings ({} not covered by a deviation), by recording:",
            r.findings.len()
        );
        render_grouped(&mut s, &r.findings);
    }

    let _ = writeln!(s);
    if r.covered.is_empty() {
        let _ = writeln!(s, "Covered: none");
    } else {
        let mut by_dev: BTreeMap<&str, Vec<&Covered>> = BTreeMap::new();
        for c in &r.covered {
            if let Some(first) = c.deviations.first() {
                by_dev.entry(first.as_str()).or_default().push(c);
            }
        }
        let _ = writeln!(
            s,
            "Covered ({} finding{} matched by {}):",
            r.covered.len(),
            if r.covered.len() == 1 { "" } else { "s" },
            plural(by_dev.len(), "deviation", "deviations")
        );
        for (id, list) in by_dev {
            let _ = writeln!(s, "  {id} ({}):", list.len());
            let shown = if verbose { list.len() } else { 3 };
            for c in list.iter().take(shown) {
                let _ = writeln!(
                    s,
                    "    {}  {}",
                    c.finding.recording,
                    finding_line(&c.finding)
                );
            }
            if list.len() > shown {
                let _ = writeln!(
                    s,
                    "    … and {} more (--verbose lists all)",
                    list.len() - shown
                );
            }
        }
    }

    let _ = writeln!(s);
    if r.info.is_empty() {
        let _ = writeln!(s, "New values of open enums: none");
    } else {
        let _ = writeln!(
            s,
            "New values of open enums ({}; information, never a failure):",
            r.info.len()
        );
        render_grouped(&mut s, &r.info);
    }

    let _ = writeln!(s);
    crate::report::render_stale(
        &mut s,
        "Stale answer deviations",
        "covering no finding",
        &r.stale_deviations,
    );

    let _ = writeln!(s);
    if r.notes.is_empty() {
        let _ = writeln!(s, "Notes: none");
    } else {
        let _ = writeln!(s, "Notes ({}):", r.notes.len());
        for n in &r.notes {
            let _ = writeln!(s, "  {n}");
        }
    }

    let m = &r.summary;
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "Summary: {}, {} not covered, {} covered, {} of open enums, {}, {}; checked in {:.1} ms{}",
        plural(m.recordings, "recording", "recordings"),
        plural(m.findings, "finding", "findings"),
        m.covered,
        plural(m.info, "new value", "new values"),
        plural(m.stale_deviations, "stale deviation", "stale deviations"),
        plural(m.notes, "note", "notes"),
        m.elapsed_ms,
        if m.check_fails {
            " — check FAILS"
        } else {
            " — check passes"
        },
    );
    s
}

fn render_grouped(s: &mut String, findings: &[Finding]) {
    let mut groups: BTreeMap<(&str, String), Vec<&Finding>> = BTreeMap::new();
    for f in findings {
        let op = match (&f.operation, &f.path) {
            (Some(id), Some(path)) => format!("{id}  {} {path}", f.method),
            (Some(id), None) => format!("{id}  {}", f.method),
            (None, _) => format!("(no operation)  {}", f.method),
        };
        groups.entry((&f.recording, op)).or_default().push(f);
    }
    for ((file, op), list) in groups {
        let _ = writeln!(s, "  {file}  {op}");
        for f in list {
            let _ = writeln!(s, "    {}", finding_line(f));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Our spec: operations, responses, schemas.

struct Op<'a> {
    id: Option<String>,
    method: String,
    path: String,
    op: &'a Value,
}

fn operations(spec: &Value) -> Vec<Op<'_>> {
    let mut out = Vec::new();
    let Some(paths) = spec.get("paths").and_then(Value::as_object) else {
        return out;
    };
    for (path, item) in paths {
        let item = match item.get("$ref").and_then(Value::as_str) {
            Some(r) => match lookup(spec, r) {
                Some(t) => t,
                None => continue,
            },
            None => item,
        };
        for m in METHODS {
            if let Some(op) = item.get(m).filter(|o| o.is_object()) {
                out.push(Op {
                    id: op
                        .get("operationId")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                    method: m.to_ascii_uppercase(),
                    path: path.clone(),
                    op,
                });
            }
        }
    }
    out
}

/// Path prefixes the spec's servers (OpenAPI 3) or `basePath` (Swagger 2) put before every path.
fn base_paths(spec: &Value) -> Vec<String> {
    let mut out: Vec<String> = spec
        .get("servers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|s| s.get("url").and_then(Value::as_str))
        .map(|u| url_path(u, &[]))
        .collect();
    if let Some(b) = spec.get("basePath").and_then(Value::as_str) {
        out.push(url_path(b, &[]));
    }
    out.retain(|b| b != "/");
    out
}

/// The path of `url` (no scheme, host, query or fragment), repeated `/` collapsed, and the
/// first of `bases` it starts with removed.
fn url_path(url: &str, bases: &[String]) -> String {
    let rest = match url.find("://") {
        Some(i) => {
            let after = &url[i + 3..];
            after.find('/').map_or("", |j| &after[j..])
        }
        None => url,
    };
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let path = format!("/{}", segments.join("/"));
    for b in bases {
        if path == *b {
            return "/".into();
        }
        if let Some(r) = path.strip_prefix(b.as_str()) {
            if r.starts_with('/') {
                return r.to_string();
            }
        }
    }
    path
}

/// The operation whose template matches `path` with the most literal segments.
fn match_path<'s, 'a>(ops: &'s [Op<'a>], method: &str, path: &str) -> Option<&'s Op<'a>> {
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    ops.iter()
        .filter(|o| o.method.eq_ignore_ascii_case(method))
        .filter_map(|o| {
            let tpl: Vec<&str> = o.path.split('/').filter(|s| !s.is_empty()).collect();
            if tpl.len() != segs.len() {
                return None;
            }
            let mut literal = 0;
            for (t, s) in tpl.iter().zip(&segs) {
                if t.starts_with('{') && t.ends_with('}') {
                    continue;
                }
                if t != s {
                    return None;
                }
                literal += 1;
            }
            Some((literal, o))
        })
        .max_by_key(|(literal, _)| *literal)
        .map(|(_, o)| o)
}

fn lookup<'a>(root: &'a Value, reference: &str) -> Option<&'a Value> {
    let pointer = reference.strip_prefix('#')?;
    root.pointer(pointer)
}

/// Follows `$ref`s of a response object.
fn deref<'a>(root: &'a Value, mut v: &'a Value) -> Option<&'a Value> {
    for _ in 0..MAX_DEPTH {
        match v.get("$ref").and_then(Value::as_str) {
            Some(r) => v = lookup(root, r)?,
            None => return Some(v),
        }
    }
    None
}

/// The response for `status`: the exact code, else its range (`2XX`), else `default`.
fn response_for<'a>(root: &'a Value, op: &'a Value, status: u16) -> Option<&'a Value> {
    let responses = op.get("responses")?.as_object()?;
    let exact = status.to_string();
    let range = format!("{}XX", status / 100);
    let found = responses
        .get(&exact)
        .or_else(|| {
            responses
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(&range))
                .map(|(_, v)| v)
        })
        .or_else(|| responses.get("default"))?;
    deref(root, found)
}

/// The JSON schema of a response (OpenAPI 3 `content`, JSON media first; Swagger 2 `schema`).
fn response_schema<'a>(root: &'a Value, response: &'a Value) -> Option<&'a Value> {
    if let Some(content) = response.get("content").and_then(Value::as_object) {
        let media = content
            .get("application/json")
            .or_else(|| {
                content
                    .iter()
                    .find(|(k, _)| k.contains("json"))
                    .map(|(_, v)| v)
            })
            .or_else(|| content.values().next())?;
        return deref(root, media)?.get("schema");
    }
    response.get("schema")
}

/// The component name a schema `$ref` names (`#/components/schemas/Domain` -> `Domain`).
fn ref_name(schema: &Value) -> Option<String> {
    let r = schema.get("$ref")?.as_str()?;
    let name = r
        .strip_prefix("#/components/schemas/")
        .or_else(|| r.strip_prefix("#/definitions/"))?;
    Some(name.replace("~1", "/").replace("~0", "~"))
}

/// A schema with `$ref`s followed and `allOf` merged, as the walker needs it.
#[derive(Default)]
struct View<'a> {
    /// The component a `$ref` led to, if any.
    component: Option<String>,
    ty: Option<String>,
    format: Option<String>,
    nullable: bool,
    enum_values: Option<Vec<Value>>,
    open_enum: bool,
    /// Properties, with the name of the schema that declares each.
    properties: Vec<(String, &'a Value, String)>,
    /// Required properties, with the name of the schema that requires each.
    required: Vec<(String, String)>,
    items: Option<&'a Value>,
    /// `additionalProperties`: `Some(Some(schema))`, `Some(None)` for `true`.
    additional: Option<Option<&'a Value>>,
    variants: Vec<&'a Value>,
}

impl View<'_> {
    /// No constraint at all (`{}`, an unresolved `$ref`, a cycle cut short).
    fn is_any(&self) -> bool {
        self.ty.is_none()
            && self.enum_values.is_none()
            && self.properties.is_empty()
            && self.required.is_empty()
            && self.items.is_none()
            && self.variants.is_empty()
    }
}

fn type_matches(ty: &str, v: &Value) -> bool {
    ty.split('|').any(|t| match t {
        "string" => v.is_string(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "boolean" => v.is_boolean(),
        "array" => v.is_array(),
        "object" => v.is_object(),
        _ => true,
    })
}

/// JSON type of a value, with integers told apart from other numbers.
fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Does `v` fit `format`? `None` for a format (or a value type) this tool does not check.
fn format_matches(format: &str, v: &Value) -> Option<bool> {
    match (format, v) {
        ("uuid", Value::String(s)) => Some(is_uuid(s)),
        ("date-time", Value::String(s)) => Some(chrono::DateTime::parse_from_rfc3339(s).is_ok()),
        ("date", Value::String(s)) => {
            Some(chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok() && s.len() == 10)
        }
        ("int64", Value::String(s)) => Some(s.parse::<i64>().is_ok()),
        ("int32", Value::String(s)) => Some(s.parse::<i32>().is_ok()),
        ("int64", Value::Number(n)) => Some(n.is_i64()),
        ("int32", Value::Number(n)) => Some(n.as_i64().is_some_and(|i| i32::try_from(i).is_ok())),
        ("uri", Value::String(s)) => Some(is_uri(s)),
        ("email", Value::String(s)) => Some(is_email(s)),
        _ => None,
    }
}

fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

fn is_uri(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        && !rest.is_empty()
        && !s.chars().any(char::is_whitespace)
}

fn is_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !s.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

/// What the answer showed, for a format's or an enum's detail: strings quoted, others as JSON.
fn shown_value(v: &Value) -> String {
    let text = v.to_string();
    if text.chars().count() > 60 {
        let cut: String = text.chars().take(57).collect();
        format!("{cut}…")
    } else {
        text
    }
}

/// One disagreement at one value, before grouping.
struct Occurrence {
    location: String,
    /// The location whose visits the count is out of.
    counted_at: String,
    schema: String,
    kind: Kind,
    /// What the spec allows (the same for every occurrence at a location).
    expected: String,
    /// What this value showed.
    seen: String,
}

/// A grouped finding before it is given its recording and operation.
struct Grouped {
    location: String,
    schema: String,
    kind: Kind,
    detail: String,
    count: usize,
    of: usize,
}

struct Walker<'a> {
    root: &'a Value,
    occurrences: Vec<Occurrence>,
    visits: BTreeMap<String, usize>,
}

impl<'a> Walker<'a> {
    fn new(root: &'a Value) -> Self {
        Walker {
            root,
            occurrences: Vec::new(),
            visits: BTreeMap::new(),
        }
    }

    /// Resolves `schema` (named `name` when it is inline) into a view.
    fn resolve(&self, schema: &'a Value, name: &str, depth: usize) -> (View<'a>, String) {
        let mut view = View::default();
        if depth > MAX_DEPTH {
            return (view, name.to_string());
        }
        let Some(obj) = schema.as_object() else {
            return (view, name.to_string());
        };
        let nullable_here = obj.get("nullable").and_then(Value::as_bool) == Some(true)
            || obj.get("x-nullable").and_then(Value::as_bool) == Some(true);
        if let Some(r) = obj.get("$ref").and_then(Value::as_str) {
            let Some(target) = lookup(self.root, r) else {
                return (view, name.to_string());
            };
            let component = ref_name(schema);
            let inner = component.clone().unwrap_or_else(|| name.to_string());
            let (mut view, _) = self.resolve(target, &inner, depth + 1);
            view.nullable |= nullable_here;
            if component.is_some() {
                view.component = component;
            }
            return (view, inner);
        }
        view.nullable = nullable_here;
        match obj.get("type") {
            Some(Value::String(t)) if t == "null" => view.nullable = true,
            Some(Value::String(t)) => view.ty = Some(t.clone()),
            Some(Value::Array(ts)) => {
                let mut kept = Vec::new();
                for t in ts.iter().filter_map(Value::as_str) {
                    if t == "null" {
                        view.nullable = true;
                    } else {
                        kept.push(t);
                    }
                }
                if !kept.is_empty() {
                    view.ty = Some(kept.join("|"));
                }
            }
            _ => {}
        }
        view.format = obj
            .get("format")
            .and_then(Value::as_str)
            .map(str::to_string);
        view.open_enum = obj.iter().any(|(k, v)| {
            k.starts_with("x-") && k.ends_with("open-enum") && v == &Value::Bool(true)
        });
        if let Some(values) = obj.get("enum").and_then(Value::as_array) {
            let mut kept = Vec::new();
            for v in values {
                if v.is_null() {
                    view.nullable = true;
                } else {
                    kept.push(v.clone());
                }
            }
            view.enum_values = Some(kept);
        }
        if let Some(props) = obj.get("properties").and_then(Value::as_object) {
            for (k, v) in props {
                view.properties.push((k.clone(), v, name.to_string()));
            }
        }
        if let Some(req) = obj.get("required").and_then(Value::as_array) {
            for r in req.iter().filter_map(Value::as_str) {
                view.required.push((r.to_string(), name.to_string()));
            }
        }
        view.items = obj.get("items").filter(|i| i.is_object());
        view.additional = match obj.get("additionalProperties") {
            Some(Value::Bool(true)) => Some(None),
            Some(v @ Value::Object(_)) => Some(Some(v)),
            _ => None,
        };
        if view.ty.is_none() {
            if !view.properties.is_empty() {
                view.ty = Some("object".into());
            } else if view.items.is_some() {
                view.ty = Some("array".into());
            }
        }
        if let Some(parts) = obj.get("allOf").and_then(Value::as_array) {
            for part in parts {
                let (p, _) = self.resolve(part, name, depth + 1);
                merge(&mut view, p);
            }
        }
        for key in ["oneOf", "anyOf"] {
            let Some(alts) = obj.get(key).and_then(Value::as_array) else {
                continue;
            };
            let mut kept = Vec::new();
            for alt in alts {
                let (a, _) = self.resolve(alt, name, depth + 1);
                if a.nullable && a.is_any() {
                    view.nullable = true;
                } else {
                    kept.push(alt);
                }
            }
            if kept.len() == 1 && view.ty.is_none() && view.properties.is_empty() {
                let (only, _) = self.resolve(kept[0], name, depth + 1);
                merge(&mut view, only);
            } else {
                view.variants.extend(kept);
            }
        }
        (view, name.to_string())
    }

    fn record(&mut self, o: Occurrence) {
        self.occurrences.push(o);
    }

    /// Walks `value` against `schema`; `name` is where the schema is (`Domain.redirect_to`).
    fn walk(&mut self, value: &Value, schema: &'a Value, loc: &str, name: &str) {
        *self.visits.entry(loc.to_string()).or_default() += 1;
        let (view, owner) = self.resolve(schema, name, 0);
        let component = view
            .component
            .as_deref()
            .filter(|c| *c != name)
            .map(|c| format!(" ({c})"))
            .unwrap_or_default();
        let occurrence = |kind: Kind, expected: String, seen: String| Occurrence {
            location: loc.to_string(),
            counted_at: loc.to_string(),
            schema: name.to_string(),
            kind,
            expected,
            seen,
        };
        if value.is_null() {
            if !view.nullable && !view.is_any() {
                let what = view.ty.clone().unwrap_or_else(|| "a value".to_string());
                self.record(occurrence(
                    Kind::AnswerNullNotNullable,
                    format!("null, where the spec wants {what}{component} and has no `nullable`"),
                    "null".into(),
                ));
            }
            return;
        }
        if !view.variants.is_empty() {
            self.walk_variants(value, &view, loc, name);
            return;
        }
        if let Some(ty) = &view.ty {
            if !type_matches(ty, value) {
                let format = view
                    .format
                    .as_deref()
                    .map(|f| format!(", format {f}"))
                    .unwrap_or_default();
                self.record(occurrence(
                    Kind::AnswerTypeMismatch,
                    format!("the spec wants {ty}{format}{component}"),
                    json_type(value).to_string(),
                ));
                return;
            }
        }
        if let Some(format) = &view.format {
            if format_matches(format, value) == Some(false) {
                self.record(occurrence(
                    Kind::AnswerFormatMismatch,
                    format!("not a valid {format}{component}"),
                    shown_value(value),
                ));
            }
        }
        if let Some(values) = &view.enum_values {
            if !values.contains(value) {
                let allowed: Vec<String> = values.iter().map(shown_value).collect();
                let (kind, expected) = if view.open_enum {
                    (
                        Kind::AnswerOpenEnumValue,
                        format!(
                            "new value of an open enum{component} [{}]",
                            allowed.join(", ")
                        ),
                    )
                } else {
                    (
                        Kind::AnswerEnumMismatch,
                        format!("not in the enum{component} [{}]", allowed.join(", ")),
                    )
                };
                self.record(occurrence(kind, expected, shown_value(value)));
            }
        }
        match value {
            Value::Object(map) => {
                for (field, required_by) in &view.required {
                    if !map.contains_key(field) {
                        self.record(Occurrence {
                            location: format!("{loc}.{field}"),
                            counted_at: loc.to_string(),
                            schema: format!("{required_by}.{field}"),
                            kind: Kind::AnswerRequiredAbsent,
                            expected: format!("{required_by} requires `{field}`; absent"),
                            seen: String::new(),
                        });
                    }
                }
                let free_form = view.properties.is_empty() && view.additional.is_none();
                for (key, v) in map {
                    if let Some((_, prop, declared_by)) =
                        view.properties.iter().find(|(k, _, _)| k == key)
                    {
                        self.walk(
                            v,
                            prop,
                            &format!("{loc}.{key}"),
                            &format!("{declared_by}.{key}"),
                        );
                    } else if let Some(additional) = view.additional {
                        if let Some(schema) = additional {
                            self.walk(v, schema, &format!("{loc}{{}}"), &format!("{owner}{{}}"));
                        }
                    } else if !free_form {
                        self.record(Occurrence {
                            location: format!("{loc}.{key}"),
                            counted_at: loc.to_string(),
                            schema: format!("{owner}.{key}"),
                            kind: Kind::AnswerFieldAdded,
                            expected: format!("{owner} has no property `{key}`"),
                            seen: json_type(v).to_string(),
                        });
                    }
                }
            }
            Value::Array(items) => {
                if let Some(item_schema) = view.items {
                    for item in items {
                        self.walk(
                            item,
                            item_schema,
                            &format!("{loc}[]"),
                            &format!("{owner}[]"),
                        );
                    }
                }
            }
            _ => {}
        }
    }

    /// `oneOf`/`anyOf`: the value is read against each alternative; the first without a
    /// failing finding wins, else the one with the fewest, whose findings are kept.
    fn walk_variants(&mut self, value: &Value, view: &View<'a>, loc: &str, name: &str) {
        let mut best: Option<Walker<'a>> = None;
        for (i, alt) in view.variants.iter().enumerate() {
            let mut w = Walker::new(self.root);
            w.walk(value, alt, loc, &format!("{name}.oneOf[{i}]"));
            let failing = |w: &Walker| w.occurrences.iter().filter(|o| o.kind.fails()).count();
            let better = best.as_ref().is_none_or(|b| failing(&w) < failing(b));
            if better {
                let done = failing(&w) == 0;
                best = Some(w);
                if done {
                    break;
                }
            }
        }
        if let Some(w) = best {
            // The alternative counted this location once already.
            if let Some(n) = self.visits.get_mut(loc) {
                *n -= 1;
            }
            for (k, n) in w.visits {
                *self.visits.entry(k).or_default() += n;
            }
            self.occurrences.extend(w.occurrences);
        }
    }

    /// The occurrences grouped by location and kind.
    fn findings(self) -> Vec<Grouped> {
        struct Group {
            first: Occurrence,
            count: usize,
            examples: Vec<String>,
        }
        let mut groups: Vec<Group> = Vec::new();
        for o in self.occurrences {
            let at = groups
                .iter()
                .position(|g| g.first.location == o.location && g.first.kind == o.kind);
            match at {
                Some(i) => {
                    let g = &mut groups[i];
                    g.count += 1;
                    if !o.seen.is_empty() && !g.examples.contains(&o.seen) {
                        g.examples.push(o.seen);
                    }
                }
                None => {
                    let examples = if o.seen.is_empty() {
                        Vec::new()
                    } else {
                        vec![o.seen.clone()]
                    };
                    groups.push(Group {
                        first: o,
                        count: 1,
                        examples,
                    });
                }
            }
        }
        groups
            .into_iter()
            .map(|g| {
                let o = g.first;
                let of = self.visits.get(&o.counted_at).copied().unwrap_or(g.count);
                let shown: Vec<&str> = g
                    .examples
                    .iter()
                    .take(MAX_EXAMPLES)
                    .map(String::as_str)
                    .collect();
                let more = if g.examples.len() > MAX_EXAMPLES {
                    format!(", … {} distinct", g.examples.len())
                } else {
                    String::new()
                };
                let detail = match o.kind {
                    Kind::AnswerRequiredAbsent | Kind::AnswerNullNotNullable => o.expected,
                    Kind::AnswerFieldAdded | Kind::AnswerTypeMismatch => {
                        format!(
                            "{}; the answer has {}{more}",
                            o.expected,
                            shown.join(" or ")
                        )
                    }
                    _ => format!("{}: {}{more}", o.expected, shown.join(", ")),
                };
                Grouped {
                    location: o.location,
                    schema: o.schema,
                    kind: o.kind,
                    detail,
                    count: g.count,
                    of,
                }
            })
            .collect()
    }
}

/// Merges an `allOf` part (or the one non-null alternative of a `oneOf`) into `view`.
fn merge<'a>(view: &mut View<'a>, part: View<'a>) {
    if view.ty.is_none() {
        view.ty = part.ty;
    }
    if view.format.is_none() {
        view.format = part.format;
    }
    view.nullable |= part.nullable;
    if view.enum_values.is_none() {
        view.enum_values = part.enum_values;
    }
    view.open_enum |= part.open_enum;
    if view.component.is_none() {
        view.component = part.component;
    }
    for p in part.properties {
        if !view.properties.iter().any(|(k, _, _)| *k == p.0) {
            view.properties.push(p);
        }
    }
    for r in part.required {
        if !view.required.iter().any(|(k, _)| *k == r.0) {
            view.required.push(r);
        }
    }
    if view.items.is_none() {
        view.items = part.items;
    }
    if view.additional.is_none() {
        view.additional = part.additional;
    }
    view.variants.extend(part.variants);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_paths_lose_host_query_base_and_doubled_slashes() {
        let bases = vec!["/v1".to_string()];
        assert_eq!(
            url_path(
                "https://api.wpengineapi.com/v1//installs/abc/domains?limit=10&offset=0",
                &bases
            ),
            "/installs/abc/domains"
        );
        assert_eq!(
            url_path("https://api.wpengineapi.com/v1/user", &bases),
            "/user"
        );
        assert_eq!(url_path("/v10/user", &bases), "/v10/user");
        assert_eq!(url_path("https://h", &bases), "/");
    }

    #[test]
    fn formats_are_checked_as_our_spec_uses_them() {
        use serde_json::json;
        assert_eq!(
            format_matches("uuid", &json!("77815c5d-e25c-41a3-ba2d-29f8ceb82ac1")),
            Some(true)
        );
        assert_eq!(format_matches("uuid", &json!("f52gb98f-x")), Some(false));
        assert_eq!(
            format_matches("date-time", &json!("2021-07-05T11:36:14Z")),
            Some(true)
        );
        assert_eq!(
            format_matches("date-time", &json!("2021-07-05")),
            Some(false)
        );
        assert_eq!(format_matches("date", &json!("2021-07-05")), Some(true));
        assert_eq!(format_matches("int64", &json!("123456789012")), Some(true));
        assert_eq!(format_matches("int64", &json!("12.5")), Some(false));
        assert_eq!(format_matches("uri", &json!("https://x/y")), Some(true));
        assert_eq!(format_matches("uri", &json!("not a uri")), Some(false));
        assert_eq!(format_matches("email", &json!("a@b.c")), Some(true));
        assert_eq!(format_matches("hostname", &json!("x")), None);
    }
}
