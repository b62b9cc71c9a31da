//! `sync-spec --import`: converts what upstream added (operations, definitions, optional properties,
//! enum values) into our OpenAPI 3.0 conventions and writes it into our document.
//!
//! Only compatible additions are applied. Everything else the diff finds (removed fields, type
//! changes, newly required parameters ...) stays in the report for a maintainer to decide, and
//! every text that must be written in our words is left as a [`MARKER`] that `--check` counts.

mod additions;
mod bodies;
mod compare;
mod conventions;
mod convert;
mod operation;
mod pointer;
mod scaffold;
mod schema;
mod todo;

pub use self::conventions::{ConventionNote, RULE_KINDS};
pub use self::todo::{marker_pointers, snake_case, todo};

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::Value;

use crate::deviations::Deviation;
use crate::diff::{Change, Kind};

use self::conventions::{apply_deviations, RefConvention};
use self::convert::Converter;
use self::scaffold::{
    add_tag, ensure_object, insert_operation, path_segments, scaffold, schema_names,
};

/// Prefix of every placeholder the importer leaves for a maintainer; `--check` fails while one remains.
pub const MARKER: &str = "TODO(import)";

/// What a description placeholder says.
pub const DESCRIBE: &str = "TODO(import): describe in our words";

/// What the placeholder for one value of an open enum says (in `x-wpe-enum-descriptions`).
pub const DESCRIBE_VALUE: &str = "TODO(import): describe this value in our words";

/// Statuses every operation answers with the shared error response, besides upstream's own.
const ERROR_RANGES: [&str; 2] = ["4XX", "5XX"];

/// Where the shared error response lives in our document.
const ERROR_RESPONSE: &str = "#/components/responses/Error";

/// An operation the import added.
#[derive(Debug, Clone, Serialize)]
pub struct ImportedOperation {
    /// Its `operationId` (generated when upstream has none).
    pub operation_id: String,
    /// HTTP method, upper case.
    pub method: String,
    /// Path template.
    pub path: String,
    /// Upstream gave it no `operationId`; the importer made one up.
    pub generated_id: bool,
}

/// A fact the importer inferred rather than copied: the maintainer confirms it.
#[derive(Debug, Clone, Serialize)]
pub struct Inference {
    /// Where: an `operationId` or a component name.
    pub target: String,
    /// What was set, and why.
    pub fact: String,
}

/// A schema a maintainer must decide about: ours and upstream's differ under the same name, or
/// the import could not give a new schema the name it wanted.
#[derive(Debug, Clone, Serialize)]
pub struct SchemaDecision {
    /// Ours' component name (the one the import used).
    pub schema: String,
    /// What upstream's schema is (`upstream definition Foo`, `the inline 200 body of listFoos`).
    pub upstream: String,
    /// What the import did, and what is left to decide.
    pub decision: String,
    /// Where they differ (`Foo.bar property-added: ...`); empty for a naming decision.
    pub differences: Vec<String>,
}

/// Everything one import did and left undone.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportReport {
    /// Operations added, in upstream's order.
    pub operations: Vec<ImportedOperation>,
    /// Component schemas added (upstream definitions and extracted open enums).
    pub schemas: Vec<String>,
    /// Optional properties added to existing schemas (`Component.property` or a JSON pointer).
    pub properties: Vec<String>,
    /// Enum values added to existing schemas.
    pub enum_values: Vec<String>,
    /// Tags added to the top-level list.
    pub tags: Vec<String>,
    /// Facts set by inference, to confirm.
    pub inferences: Vec<Inference>,
    /// Differences left for a maintainer: what a `--check` against upstream still reports after the import.
    pub decisions: Vec<Change>,
    /// Placeholders (`TODO(import)`) in the resulting document.
    pub markers: usize,
    /// Schemas to decide about: ours used where upstream's of the same name differs, or a new
    /// schema that could not get its name.
    pub schema_decisions: Vec<SchemaDecision>,
    /// Anything else worth knowing (an upstream schema that is ours' of the same name ...).
    pub notes: Vec<String>,
    /// Our spec's conventions applied to what the import wrote (reference objects, deviation
    /// entries), each where it was applied.
    pub conventions: Vec<ConventionNote>,
    /// Conventions the import could not apply, each with where: a person applies them.
    pub conventions_unapplied: Vec<ConventionNote>,
    /// The result was written to our spec (false for `--dry-run` or an invalid result).
    pub written: bool,
    /// What a person does next, in order (see [`todo()`]).
    pub todo: Vec<String>,
}

/// Counts the [`MARKER`] placeholders in a document (string values starting with it).
pub fn count_markers(doc: &Value) -> usize {
    match doc {
        Value::String(s) => usize::from(s.starts_with(MARKER)),
        Value::Array(a) => a.iter().map(count_markers).sum(),
        Value::Object(m) => m.values().map(count_markers).sum(),
        _ => 0,
    }
}

/// Imports into `ours` what upstream (a Swagger 2.0 document) added, as listed by `drift`
/// (the unacknowledged changes of a diff of upstream against ours), in ours' conventions:
/// those the importer knows, ours' way of writing references to other resources, and the
/// entries of `deviations` that say what ours writes (see the `conventions` module). Returns
/// the new document and the report (without `decisions`, which the caller fills from a fresh
/// diff, and `todo`, which [`todo()`] then makes).
pub fn import(
    upstream: &Value,
    ours: &Value,
    drift: &[Change],
    deviations: &[Deviation],
) -> Result<(Value, ImportReport), String> {
    if upstream.get("swagger").is_none() {
        return Err(
            "--import reads a Swagger 2.0 upstream document (it has no `swagger` field)".into(),
        );
    }
    let mut doc = ours.clone();
    let mut report = ImportReport::default();
    scaffold(&mut doc, upstream, &mut report);

    let mut cx = Converter::new(upstream, schema_names(&doc));
    cx.refs = RefConvention::learn(&doc);
    cx.learn_names(&doc);

    // 1. Operations upstream has and ours lacks, in upstream's document order.
    let added: BTreeSet<(String, String)> = drift
        .iter()
        .filter(|c| c.kind == Kind::OperationAdded)
        .map(|c| (c.method.to_ascii_lowercase(), c.path.clone()))
        .collect();
    let mut new_ops: Vec<(String, String, Value)> = Vec::new();
    if let Some(paths) = upstream.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            let Some(item) = item.as_object() else {
                continue;
            };
            for (method, op) in item {
                if !added.contains(&(method.clone(), path.clone())) {
                    continue;
                }
                let converted = cx.operation(
                    new_ops.len(),
                    &doc,
                    path,
                    method,
                    op,
                    item.get("parameters"),
                );
                report.operations.push(ImportedOperation {
                    operation_id: converted.id.clone(),
                    method: method.to_ascii_uppercase(),
                    path: path.clone(),
                    generated_id: converted.generated_id,
                });
                for tag in converted.tags {
                    if add_tag(&mut doc, &tag) {
                        report.tags.push(tag);
                    }
                }
                new_ops.push((path.clone(), method.clone(), converted.value));
            }
        }
    }

    // 2. Compatible additions to what ours already has.
    for change in drift {
        match change.kind {
            Kind::PropertyAdded => cx.add_property(&mut doc, change, &mut report),
            Kind::EnumValuesAdded => cx.add_enum_values(&mut doc, change, &mut report),
            _ => {}
        }
    }

    // 3. The definitions all that needs, the inline bodies named, then the operations, each in
    // a stable place.
    cx.drain();
    let placements = cx.name_inline_bodies();
    bodies::place(&mut new_ops, placements);
    let schemas = ensure_object(&mut doc, &["components", "schemas"]);
    for (name, value) in cx.new_schemas.drain(..) {
        if !schemas.contains_key(&name) {
            report.schemas.push(name.clone());
            schemas.insert(name, value);
        }
    }
    let mut written = Vec::new();
    for (path, method, op) in new_ops {
        let id = op["operationId"].as_str().unwrap_or_default().to_string();
        written.push((id, method.clone(), path.clone()));
        insert_operation(&mut doc, &path, &method, op);
    }

    // 4. The deviation entries that say what ours writes, applied to what the import wrote.
    let new_schemas: BTreeSet<String> = report.schemas.iter().cloned().collect();
    apply_deviations(
        &mut doc,
        &written,
        &new_schemas,
        deviations,
        &mut cx.conventions,
        &mut cx.unapplied,
    );

    // 5. Ours' schemas used for upstream's of the same name: the same, or a decision.
    let reused = std::mem::take(&mut cx.reused);
    let names: BTreeSet<String> = reused.iter().map(|r| r.ours.clone()).collect();
    let mut compared = BTreeSet::new();
    for reuse in reused {
        if !compared.insert((reuse.ours.clone(), reuse.upstream.to_string())) {
            continue;
        }
        let differences =
            compare::differences(upstream, &reuse.upstream, &doc, &reuse.ours, &names);
        if differences.is_empty() {
            cx.notes.push(format!(
                "{} is ours' {} (the same structure): reused ours",
                reuse.what, reuse.ours
            ));
        } else {
            report.schema_decisions.push(SchemaDecision {
                schema: reuse.ours.clone(),
                upstream: reuse.what,
                decision: format!(
                    "ours and upstream's differ; the import used ours ({} difference{}): align ours, or record the difference as a deviation",
                    differences.len(),
                    if differences.len() == 1 { "" } else { "s" }
                ),
                differences,
            });
        }
    }
    report.schema_decisions.append(&mut cx.schema_decisions);
    report.inferences = cx.inferences;
    report.notes.extend(cx.notes);
    report.conventions = cx.conventions;
    report.conventions_unapplied = cx.unapplied;
    report.markers = count_markers(&doc);
    Ok((doc, report))
}

/// Reports, as conventions not applied, the deviation entries still stale after the import
/// that name (without a glob) an operation the import added: ours records a difference for
/// it that the import did not write (an entry already reported is not repeated).
pub fn stale_for_new_operations(
    report: &mut ImportReport,
    stale: &[crate::report::Stale],
    deviations: &[Deviation],
) {
    for s in stale {
        if report
            .conventions_unapplied
            .iter()
            .any(|n| n.convention == s.id)
        {
            continue;
        }
        let Some(d) = deviations.iter().find(|d| d.id == s.id) else {
            continue;
        };
        let named: Vec<&str> = d
            .operation
            .as_ref()
            .map(|o| o.patterns.as_slice())
            .unwrap_or_default()
            .iter()
            .flat_map(|p| p.trim_matches(['{', '}']).split(','))
            .filter(|id| report.operations.iter().any(|op| op.operation_id == *id))
            .collect();
        if !named.is_empty() {
            report.conventions_unapplied.push(ConventionNote {
                convention: s.id.clone(),
                target: named.join(", "),
                detail: "recorded for an operation the import added, yet it matches nothing after the import: the import did not write ours' way there; write it by hand (or drop the entry)".into(),
            });
        }
    }
}

/// `status` -> `Status`, `ownership_status` -> `OwnershipStatus`, `createArchive` -> `CreateArchive`.
fn pascal(s: &str) -> String {
    s.split(['_', '-', ' '])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// `post /accounts/{account_id}/usage/refresh_disk_usage` -> `postAccountsUsageRefreshDiskUsage`.
pub fn generated_operation_id(method: &str, path: &str) -> String {
    let mut id = method.to_ascii_lowercase();
    for seg in path_segments(path)
        .into_iter()
        .filter(|s| !s.starts_with('{'))
    {
        id.push_str(&pascal(seg));
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_name_method_and_fixed_segments() {
        assert_eq!(
            generated_operation_id("POST", "/accounts/{account_id}/usage/refresh_disk_usage"),
            "postAccountsUsageRefreshDiskUsage"
        );
    }
}
