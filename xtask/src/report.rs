//! Assembles the sync report (drift, acknowledged, stale, notes, lock status) and renders it as text or JSON.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::deviations::Deviation;
use crate::diff::{Change, Class};
use crate::import::ImportReport;
use crate::model::{Api, Dialect, Note};

/// What the report says about one of the two documents.
#[derive(Debug, Clone, Serialize)]
pub struct DocSummary {
    /// URL or file path.
    pub source: String,
    /// Swagger 2 or OpenAPI 3.
    pub dialect: Dialect,
    /// The `swagger`/`openapi` field.
    pub spec_version: String,
    /// `info.title`.
    pub title: Option<String>,
    /// `info.version`.
    pub version: Option<String>,
    /// Number of operations.
    pub operations: usize,
    /// Hex sha256 of the document's bytes.
    pub sha256: String,
}

impl DocSummary {
    /// Summarises a normalised document.
    pub fn new(source: &str, api: &Api, sha256: String) -> Self {
        DocSummary {
            source: source.to_string(),
            dialect: api.dialect,
            spec_version: api.spec_version.clone(),
            title: api.title.clone(),
            version: api.version.clone(),
            operations: api.operations.len(),
            sha256,
        }
    }
}

/// Contents of `spec/upstream.lock.json`: which upstream document the last sync saw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lock {
    /// Upstream `info.version`.
    pub version: Option<String>,
    /// Hex sha256 of the fetched bytes.
    pub sha256: String,
    /// Number of upstream operations.
    pub operations: usize,
    /// UTC date of the sync (`YYYY-MM-DD`).
    pub date: String,
    /// Where the document came from.
    pub source: String,
}

/// How the current upstream compares with the lock file.
#[derive(Debug, Clone, Serialize)]
pub struct LockStatus {
    /// Path of the lock file.
    pub path: String,
    /// What the lock recorded, if it exists and is readable.
    pub recorded: Option<Lock>,
    /// Upstream's `info.version` differs from the recorded one.
    pub version_changed: bool,
    /// Upstream's bytes differ from the recorded digest.
    pub digest_changed: bool,
    /// This run wrote a new lock (`--write-lock`).
    pub written: bool,
}

/// A change that a deviation entry acknowledges.
#[derive(Debug, Clone, Serialize)]
pub struct Acknowledged {
    /// The change.
    #[serde(flatten)]
    pub change: Change,
    /// Ids of every deviation entry that matches it.
    pub deviations: Vec<String>,
}

/// A deviation entry that matched no change.
#[derive(Debug, Clone, Serialize)]
pub struct Stale {
    /// The entry's id.
    pub id: String,
    /// The entry's reason.
    pub reason: String,
    /// What is wrong with the entry itself, if anything (no selectors, unknown kind).
    pub problems: Vec<String>,
}

/// Counts for the closing line.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    /// Unacknowledged changes.
    pub drift: usize,
    /// Unacknowledged breaking changes.
    pub breaking: usize,
    /// Unacknowledged additive changes.
    pub additive: usize,
    /// Unacknowledged cosmetic changes.
    pub cosmetic: usize,
    /// Acknowledged changes.
    pub acknowledged: usize,
    /// Stale deviation entries.
    pub stale_deviations: usize,
    /// Distinct notes.
    pub notes: usize,
    /// Milliseconds spent parsing, normalising, diffing and matching (fetch excluded).
    pub elapsed_ms: f64,
    /// `TODO(import)` placeholders left in our spec by `--import`.
    pub todo_markers: usize,
    /// Whether `--check` fails: unacknowledged drift, placeholders, or (with `--strict`) stale deviations.
    pub check_fails: bool,
}

/// The whole result of one sync.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The live/new document.
    pub upstream: DocSummary,
    /// Our curated document.
    pub ours: DocSummary,
    /// Lock comparison, when a lock exists or was written.
    pub lock: Option<LockStatus>,
    /// Unacknowledged changes.
    pub drift: Vec<Change>,
    /// Acknowledged changes.
    pub acknowledged: Vec<Acknowledged>,
    /// Deviation entries that matched nothing.
    pub stale_deviations: Vec<Stale>,
    /// Oddities found in either document.
    pub notes: Vec<Note>,
    /// What `--import` did (the rest of the report describes the spec after the import).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub import: Option<ImportReport>,
    /// Counts.
    pub summary: Summary,
}

/// Splits changes into drift and acknowledged, and finds stale deviations.
///
/// Answer entries ([`Deviation::is_answer`]) are left out: they cover recorded answers, not
/// differences from upstream, so they neither acknowledge a change nor count as stale here.
pub fn triage(
    changes: Vec<Change>,
    deviations: &[Deviation],
) -> (Vec<Change>, Vec<Acknowledged>, Vec<Stale>) {
    let entries: Vec<&Deviation> = deviations.iter().filter(|d| !d.is_answer()).collect();
    let (matched, stale) = cover(changes, &entries, Deviation::matches);
    let mut drift = Vec::new();
    let mut acknowledged = Vec::new();
    for (change, ids) in matched {
        if ids.is_empty() {
            drift.push(change);
        } else {
            acknowledged.push(Acknowledged {
                change,
                deviations: ids,
            });
        }
    }
    (drift, acknowledged, stale)
}

/// Pairs each of `items` with the ids of the `entries` that `matches` it (none: not
/// covered), and lists the entries that matched no item as stale.
pub fn cover<T>(
    items: Vec<T>,
    entries: &[&Deviation],
    matches: impl Fn(&Deviation, &T) -> bool,
) -> (Vec<(T, Vec<String>)>, Vec<Stale>) {
    let mut hits = vec![0usize; entries.len()];
    let matched = items
        .into_iter()
        .map(|item| {
            let ids = entries
                .iter()
                .enumerate()
                .filter(|(_, d)| matches(d, &item))
                .map(|(i, d)| {
                    hits[i] += 1;
                    d.id.clone()
                })
                .collect();
            (item, ids)
        })
        .collect();
    let stale = entries
        .iter()
        .zip(hits)
        .filter(|(_, n)| *n == 0)
        .map(|(d, _)| Stale {
            id: d.id.clone(),
            reason: d.reason.clone(),
            problems: d.problems(),
        })
        .collect();
    (matched, stale)
}

/// Writes the stale entries under `title` ("Stale deviations"), saying what they
/// failed to match (`matching no difference`).
pub fn render_stale(s: &mut String, title: &str, what: &str, stale: &[Stale]) {
    if stale.is_empty() {
        let _ = writeln!(s, "{title}: none");
        return;
    }
    let _ = writeln!(
        s,
        "{title} ({}), {what} (warning; fails --check only with --strict):",
        stale.len()
    );
    for st in stale {
        let _ = writeln!(s, "  {}: {}", st.id, st.reason);
        for p in &st.problems {
            let _ = writeln!(s, "    entry {p}");
        }
    }
}

/// Counts drift by class and fills in the summary.
pub fn summarise(report: &mut Report, elapsed_ms: f64, strict: bool, todo_markers: usize) {
    let count = |c: Class| report.drift.iter().filter(|d| d.class == c).count();
    report.summary = Summary {
        drift: report.drift.len(),
        breaking: count(Class::Breaking),
        additive: count(Class::Additive),
        cosmetic: count(Class::Cosmetic),
        acknowledged: report.acknowledged.len(),
        stale_deviations: report.stale_deviations.len(),
        notes: report.notes.len(),
        elapsed_ms,
        todo_markers,
        check_fails: !report.drift.is_empty()
            || todo_markers > 0
            || (strict && !report.stale_deviations.is_empty()),
    };
}

fn short(digest: &str) -> &str {
    digest.get(..12).unwrap_or(digest)
}

/// One line naming a document: its source, title, version, dialect, operations and digest.
pub fn doc_line(label: &str, d: &DocSummary) -> String {
    let dialect = match d.dialect {
        Dialect::Swagger2 => "swagger",
        Dialect::OpenApi3 => "openapi",
    };
    format!(
        "{label} {} — {} {} ({dialect} {}), {} operations, sha256 {}…",
        d.source,
        d.title.as_deref().unwrap_or("(untitled)"),
        d.version.as_deref().unwrap_or("(no version)"),
        d.spec_version,
        d.operations,
        short(&d.sha256),
    )
}

fn change_line(c: &Change) -> String {
    format!(
        "[{}] {}  {}: {}",
        c.class.as_str(),
        c.location,
        c.kind.as_str(),
        c.detail
    )
}

/// Renders the human-readable report. `verbose` lists every acknowledged change.
pub fn render_text(r: &Report, verbose: bool) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{}", doc_line("upstream:", &r.upstream));
    let _ = writeln!(s, "{}", doc_line("ours:    ", &r.ours));
    if let Some(lock) = &r.lock {
        match &lock.recorded {
            Some(rec) => {
                let v = if lock.version_changed {
                    format!(
                        "version CHANGED {} -> {}",
                        rec.version.as_deref().unwrap_or("none"),
                        r.upstream.version.as_deref().unwrap_or("none")
                    )
                } else {
                    "version unchanged".to_string()
                };
                let d = if lock.digest_changed {
                    format!(
                        "digest CHANGED {}… -> {}…",
                        short(&rec.sha256),
                        short(&r.upstream.sha256)
                    )
                } else {
                    "digest unchanged".to_string()
                };
                let _ = writeln!(
                    s,
                    "lock:     {} records {} sha256 {}… from {}; since then: {v}, {d}",
                    lock.path,
                    rec.version.as_deref().unwrap_or("(no version)"),
                    short(&rec.sha256),
                    rec.date
                );
            }
            None => {
                let _ = writeln!(s, "lock:     {} (none before this run)", lock.path);
            }
        }
        if lock.written {
            let _ = writeln!(s, "          wrote {}", lock.path);
        }
    }

    let _ = writeln!(s);
    if r.drift.is_empty() {
        let _ = writeln!(s, "Drift: none");
    } else {
        let _ = writeln!(
            s,
            "Drift ({} unacknowledged change{}), by operation:",
            r.drift.len(),
            if r.drift.len() == 1 { "" } else { "s" }
        );
        let mut groups: BTreeMap<(String, String, String), Vec<&Change>> = BTreeMap::new();
        for c in &r.drift {
            let name = c
                .operation
                .clone()
                .unwrap_or_else(|| "(no operationId)".into());
            groups
                .entry((name, c.method.clone(), c.path.clone()))
                .or_default()
                .push(c);
        }
        for ((name, method, path), changes) in groups {
            let _ = writeln!(s, "  {name}  {method} {path}");
            for c in changes {
                let _ = writeln!(s, "    {}", change_line(c));
            }
        }
    }

    let _ = writeln!(s);
    if r.acknowledged.is_empty() {
        let _ = writeln!(s, "Acknowledged: none");
    } else {
        let mut by_dev: BTreeMap<&str, Vec<&Acknowledged>> = BTreeMap::new();
        for a in &r.acknowledged {
            if let Some(first) = a.deviations.first() {
                by_dev.entry(first.as_str()).or_default().push(a);
            }
        }
        let _ = writeln!(
            s,
            "Acknowledged ({} change{} matched by {} deviation{}):",
            r.acknowledged.len(),
            if r.acknowledged.len() == 1 { "" } else { "s" },
            by_dev.len(),
            if by_dev.len() == 1 { "" } else { "s" }
        );
        for (id, list) in by_dev {
            let _ = writeln!(s, "  {id} ({}):", list.len());
            let shown = if verbose { list.len() } else { 3 };
            for a in list.iter().take(shown) {
                let c = &a.change;
                let _ = writeln!(
                    s,
                    "    {} {} {}  {}",
                    c.operation.as_deref().unwrap_or("-"),
                    c.method,
                    c.path,
                    change_line(c)
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
    render_stale(
        &mut s,
        "Stale deviations",
        "matching no difference",
        &r.stale_deviations,
    );

    let _ = writeln!(s);
    if r.notes.is_empty() {
        let _ = writeln!(s, "Notes: none");
    } else {
        let _ = writeln!(s, "Notes ({}):", r.notes.len());
        for n in &r.notes {
            let examples: Vec<&str> = n.locations.iter().take(2).map(String::as_str).collect();
            let more = if n.occurrences > 2 {
                format!(", … {} places", n.occurrences)
            } else {
                String::new()
            };
            let _ = writeln!(
                s,
                "  [{}] {} ({}{more})",
                n.side,
                n.message,
                examples.join("; ")
            );
        }
    }

    if let Some(imp) = &r.import {
        render_import(&mut s, imp);
    }
    let m = &r.summary;
    if m.todo_markers > 0 {
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "TODO(import) markers: {} in ours (descriptions to write, generated names to confirm); --check fails until none is left",
            m.todo_markers
        );
    }
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "Summary: {} drift ({} breaking, {} additive, {} cosmetic), {} acknowledged, {} stale deviation{}, {} note{}; {} upstream / {} ours operations; compared in {:.1} ms{}",
        m.drift,
        m.breaking,
        m.additive,
        m.cosmetic,
        m.acknowledged,
        m.stale_deviations,
        if m.stale_deviations == 1 { "" } else { "s" },
        m.notes,
        if m.notes == 1 { "" } else { "s" },
        r.upstream.operations,
        r.ours.operations,
        m.elapsed_ms,
        if m.check_fails { " — check FAILS" } else { " — check passes" },
    );
    s
}

/// Differences listed per schema decision in the text report (`--json` has all).
const SCHEMA_DIFFERENCES_SHOWN: usize = 5;

/// The `--import` section: what was imported, what was inferred, what is left for a maintainer.
fn render_import(s: &mut String, imp: &ImportReport) {
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "Import ({}): {} operation{}, {} schema{}, {} propert{}, {} enum value{}, {} tag{}",
        if imp.written {
            "written"
        } else {
            "dry run, nothing written"
        },
        imp.operations.len(),
        if imp.operations.len() == 1 { "" } else { "s" },
        imp.schemas.len(),
        if imp.schemas.len() == 1 { "" } else { "s" },
        imp.properties.len(),
        if imp.properties.len() == 1 {
            "y"
        } else {
            "ies"
        },
        imp.enum_values.len(),
        if imp.enum_values.len() == 1 { "" } else { "s" },
        imp.tags.len(),
        if imp.tags.len() == 1 { "" } else { "s" },
    );
    for op in &imp.operations {
        let generated = if op.generated_id {
            "  (operationId generated)"
        } else {
            ""
        };
        let _ = writeln!(
            s,
            "  + {} {} {}{generated}",
            op.operation_id, op.method, op.path
        );
    }
    let lists = [
        ("schemas", &imp.schemas),
        ("properties", &imp.properties),
        ("enum values", &imp.enum_values),
        ("tags", &imp.tags),
    ];
    for (label, list) in lists {
        if !list.is_empty() {
            let _ = writeln!(s, "  {label}: {}", list.join(", "));
        }
    }
    if !imp.inferences.is_empty() {
        let _ = writeln!(s, "  Inferred, to confirm ({}):", imp.inferences.len());
        for i in &imp.inferences {
            let _ = writeln!(s, "    {}: {}", i.target, i.fact);
        }
    }
    for n in &imp.notes {
        let _ = writeln!(s, "  note: {n}");
    }
    if !imp.conventions.is_empty() {
        let _ = writeln!(s, "  Conventions applied ({}):", imp.conventions.len());
        for c in &imp.conventions {
            let _ = writeln!(s, "    {} at {}: {}", c.convention, c.target, c.detail);
        }
    }
    if !imp.conventions_unapplied.is_empty() {
        let _ = writeln!(
            s,
            "  Conventions not applied ({}):",
            imp.conventions_unapplied.len()
        );
        for c in &imp.conventions_unapplied {
            let _ = writeln!(s, "    {} at {}: {}", c.convention, c.target, c.detail);
        }
    }
    if !imp.schema_decisions.is_empty() {
        let _ = writeln!(s, "  Schema decisions ({}):", imp.schema_decisions.len());
        for d in &imp.schema_decisions {
            let _ = writeln!(s, "    {} ({}): {}", d.schema, d.upstream, d.decision);
            for difference in d.differences.iter().take(SCHEMA_DIFFERENCES_SHOWN) {
                let _ = writeln!(s, "      {difference}");
            }
            if d.differences.len() > SCHEMA_DIFFERENCES_SHOWN {
                let _ = writeln!(
                    s,
                    "      … and {} more (--json lists all)",
                    d.differences.len() - SCHEMA_DIFFERENCES_SHOWN
                );
            }
        }
    }
    let _ = writeln!(
        s,
        "  Left for a maintainer: {} decision{} (the drift listed above, not changed by the import), {} schema decision{} and {} TODO(import) marker{}",
        imp.decisions.len(),
        if imp.decisions.len() == 1 { "" } else { "s" },
        imp.schema_decisions.len(),
        if imp.schema_decisions.len() == 1 { "" } else { "s" },
        imp.markers,
        if imp.markers == 1 { "" } else { "s" },
    );
    if !imp.todo.is_empty() {
        let _ = writeln!(s, "  To do:");
        for (i, item) in imp.todo.iter().enumerate() {
            let _ = writeln!(s, "    {}. {item}", i + 1);
        }
    }
}
