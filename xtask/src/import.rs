//! `sync-spec --import`: converts what upstream added (operations, definitions, optional properties,
//! enum values) into our OpenAPI 3.0 conventions and writes it into our document.
//!
//! Only compatible additions are applied. Everything else the diff finds (removed fields, type
//! changes, newly required parameters ...) stays in the report for a maintainer to decide, and
//! every text that must be written in our words is left as a [`MARKER`] that `--check` counts.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::diff::{Change, Kind};

/// Prefix of every placeholder the importer leaves for a maintainer; `--check` fails while one remains.
pub const MARKER: &str = "TODO(import)";

/// What a description placeholder says.
pub const DESCRIBE: &str = "TODO(import): describe in our words";

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
    /// Anything else worth knowing (an upstream definition renamed to avoid a clash ...).
    pub notes: Vec<String>,
    /// The result was written to our spec (false for `--dry-run` or an invalid result).
    pub written: bool,
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
/// (the unacknowledged changes of a diff of upstream against ours). Returns the new document
/// and the report (without `decisions` and `markers`, which the caller fills from a fresh diff).
pub fn import(
    upstream: &Value,
    ours: &Value,
    drift: &[Change],
) -> Result<(Value, ImportReport), String> {
    if upstream.get("swagger").is_none() {
        return Err(
            "--import reads a Swagger 2.0 upstream document (it has no `swagger` field)".into(),
        );
    }
    let mut doc = ours.clone();
    let mut report = ImportReport::default();
    scaffold(&mut doc, upstream, &mut report);

    let mut cx = Converter {
        up: upstream,
        targets: BTreeMap::new(),
        queued: Vec::new(),
        new_schemas: Vec::new(),
        inferences: Vec::new(),
        notes: Vec::new(),
        taken: schema_names(&doc),
    };
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
                let converted = cx.operation(&doc, path, method, op, item.get("parameters"));
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

    // 3. The definitions all that needs, then the operations, each in a stable place.
    cx.drain();
    let schemas = ensure_object(&mut doc, &["components", "schemas"]);
    for (name, value) in cx.new_schemas.drain(..) {
        if !schemas.contains_key(&name) {
            report.schemas.push(name.clone());
            schemas.insert(name, value);
        }
    }
    for (path, method, op) in new_ops {
        insert_operation(&mut doc, &path, &method, op);
    }
    for path in paging_candidates(&doc, &report.operations) {
        let op = &mut doc["paths"][&path]["get"];
        let id = op["operationId"].as_str().unwrap_or_default().to_string();
        let op_obj = op.as_object_mut().expect("operation object");
        let paging = json!({"style": "offset", "items": "results", "key": "id"});
        set_before(op_obj, "x-wpe-paging", paging, "x-wpe-idempotent");
        cx.inferences.push(Inference {
            target: id,
            fact: "x-wpe-paging {style: offset, items: results, key: id}: limit+offset query parameters and a `results` array of objects with an `id`".into(),
        });
    }
    report.inferences = cx.inferences;
    report.notes.extend(cx.notes);
    report.markers = count_markers(&doc);
    Ok((doc, report))
}

/// Gives an empty or partial document what every import needs: `openapi`, `info`, `servers`,
/// HTTP Basic security, the shared `Error` response and its `ErrorResponse` schema.
fn scaffold(doc: &mut Value, upstream: &Value, report: &mut ImportReport) {
    if !doc.is_object() {
        *doc = json!({});
    }
    let root = doc.as_object_mut().expect("object");
    if !root.contains_key("openapi") {
        root.insert("openapi".into(), json!("3.0.3"));
    }
    if !root.contains_key("info") {
        let title = upstream["info"]["title"]
            .as_str()
            .unwrap_or("WP Engine Customer API");
        let version = upstream["info"]["version"].clone();
        root.insert(
            "info".into(),
            json!({"title": title, "version": version, "description": DESCRIBE}),
        );
    }
    if !root.contains_key("servers") {
        if let Some(host) = upstream["host"].as_str() {
            let scheme = upstream["schemes"][0].as_str().unwrap_or("https");
            let base = upstream["basePath"].as_str().unwrap_or("");
            root.insert(
                "servers".into(),
                json!([{"url": format!("{scheme}://{host}{base}")}]),
            );
        }
    }
    if !root.contains_key("security") {
        root.insert("security".into(), json!([{"basicAuth": []}]));
    }
    if !root.contains_key("tags") {
        root.insert("tags".into(), json!([]));
    }
    if !root.contains_key("paths") {
        root.insert("paths".into(), json!({}));
    }
    let schemes = ensure_object(doc, &["components", "securitySchemes"]);
    if !schemes.contains_key("basicAuth") {
        schemes.insert(
            "basicAuth".into(),
            json!({"type": "http", "scheme": "basic"}),
        );
    }
    let responses = ensure_object(doc, &["components", "responses"]);
    if !responses.contains_key("Error") {
        responses.insert(
            "Error".into(),
            json!({"description": "An error; the body says what went wrong.",
                   "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}}}),
        );
    }
    let schemas = ensure_object(doc, &["components", "schemas"]);
    if !schemas.contains_key("ErrorResponse") {
        schemas.insert(
            "ErrorResponse".into(),
            json!({"type": "object",
                   "description": "The body of every error response, whatever the status code.",
                   "required": ["message"],
                   "properties": {
                       "message": {"type": "string", "description": "What went wrong, in words meant for people."},
                       "documentation_url": {"type": "string", "description": "Where to read more about this error, when the API offers a page."},
                       "errors": {"type": "array", "items": {"$ref": "#/components/schemas/ResourceError"},
                                  "description": "Per-field problems behind a rejected request (usually on 400)."}}}),
        );
        report.schemas.push("ErrorResponse".into());
    }
    if !schemas.contains_key("ResourceError") {
        schemas.insert(
            "ResourceError".into(),
            json!({"type": "object",
                   "description": "One problem with one field of a request.",
                   "properties": {
                       "resource": {"type": "string", "description": "The kind of resource the field belongs to."},
                       "field": {"type": "string", "description": "The field at fault."},
                       "type": {"type": "string", "description": "The kind of problem."},
                       "code": {"type": "string", "description": "A machine-readable code for the problem."},
                       "message": {"type": "string", "description": "The problem, in words meant for people."}}}),
        );
        report.schemas.push("ResourceError".into());
    }
}

/// The object at `keys` under `doc`, created (empty) where missing.
fn ensure_object<'d>(doc: &'d mut Value, keys: &[&str]) -> &'d mut Map<String, Value> {
    let mut at = doc;
    for key in keys {
        let map = at.as_object_mut().expect("an object on the way");
        at = map.entry(key.to_string()).or_insert_with(|| json!({}));
        if !at.is_object() {
            *at = json!({});
        }
    }
    at.as_object_mut().expect("object")
}

fn schema_names(doc: &Value) -> BTreeSet<String> {
    doc.pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

/// Adds `tag` to the top-level tag list; true when it was new.
fn add_tag(doc: &mut Value, tag: &str) -> bool {
    let Some(tags) = doc.get_mut("tags").and_then(Value::as_array_mut) else {
        return false;
    };
    if tags.iter().any(|t| t["name"] == tag) {
        return false;
    }
    tags.push(json!({"name": tag}));
    true
}

/// Inserts `key` into `map` just before `before` (or at the end when `before` is absent).
fn set_before(map: &mut Map<String, Value>, key: &str, value: Value, before: &str) {
    if map.contains_key(key) {
        map.insert(key.into(), value);
        return;
    }
    let old = std::mem::take(map);
    let mut placed = false;
    for (k, v) in old {
        if k == before && !placed {
            map.insert(key.into(), value.clone());
            placed = true;
        }
        map.insert(k, v);
    }
    if !placed {
        map.insert(key.into(), value);
    }
}

fn path_segments(path: &str) -> Vec<&str> {
    path.split('/').filter(|s| !s.is_empty()).collect()
}

/// Puts a new operation in a stable place: a method joins its existing path item; a new path goes
/// right after the last path of ours that shares the most leading segments with it (at the end when none does).
fn insert_operation(doc: &mut Value, path: &str, method: &str, op: Value) {
    let paths = ensure_object(doc, &["paths"]);
    if let Some(item) = paths.get_mut(path).and_then(Value::as_object_mut) {
        item.insert(method.into(), op);
        return;
    }
    let segs = path_segments(path);
    let shared = |other: &str| {
        path_segments(other)
            .iter()
            .zip(&segs)
            .take_while(|(a, b)| a == b)
            .count()
    };
    let best = paths.keys().map(|k| shared(k)).max().unwrap_or(0);
    let after = if best == 0 {
        None
    } else {
        paths.keys().rev().find(|k| shared(k) == best).cloned()
    };
    let old = std::mem::take(paths);
    let item = json!({ method: op });
    let mut pending = Some(item);
    for (k, v) in old {
        let here = after.as_deref() == Some(k.as_str());
        paths.insert(k, v);
        if here {
            paths.insert(path.into(), pending.take().expect("inserted once"));
        }
    }
    if let Some(item) = pending {
        paths.insert(path.into(), item);
    }
}

/// New GET operations that take `limit` and `offset` and answer a `results` array of objects with an `id`.
fn paging_candidates(doc: &Value, ops: &[ImportedOperation]) -> Vec<String> {
    let mut out = Vec::new();
    for imported in ops {
        if imported.method != "GET" {
            continue;
        }
        let Some(op) = doc.pointer(&format!("/paths/{}/get", escape(&imported.path))) else {
            continue;
        };
        let mut names = BTreeSet::new();
        for p in op["parameters"].as_array().into_iter().flatten() {
            let p = resolve(doc, p);
            if p["in"] == "query" {
                if let Some(n) = p["name"].as_str() {
                    names.insert(n.to_string());
                }
            }
        }
        if !(names.contains("limit") && names.contains("offset")) {
            continue;
        }
        let body = resolve(
            doc,
            &op["responses"]["200"]["content"]["application/json"]["schema"],
        );
        let results = resolve(doc, &body["properties"]["results"]);
        let item = resolve(doc, &results["items"]);
        if results["type"] == "array" && item["properties"].get("id").is_some() {
            out.push(imported.path.clone());
        }
    }
    out
}

/// JSON-pointer escaping of one reference token.
fn escape(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

/// Follows local `$ref`s (and a lone `allOf` wrapper) to the schema they name.
fn resolve<'d>(doc: &'d Value, mut v: &'d Value) -> &'d Value {
    for _ in 0..32 {
        if let Some(r) = v.get("$ref").and_then(Value::as_str) {
            match r.strip_prefix('#').and_then(|p| doc.pointer(p)) {
                Some(t) => v = t,
                None => return &Value::Null,
            }
        } else if let Some([only]) = v.get("allOf").and_then(Value::as_array).map(Vec::as_slice) {
            v = only;
        } else {
            return v;
        }
    }
    &Value::Null
}

/// Like [`resolve`], but returns the JSON pointer of the schema reached from `ptr`.
fn resolve_ptr(doc: &Value, mut ptr: String) -> Option<String> {
    for _ in 0..32 {
        let v = doc.pointer(&ptr)?;
        if let Some(r) = v.get("$ref").and_then(Value::as_str) {
            ptr = r.strip_prefix('#')?.to_string();
        } else if let Some([_]) = v.get("allOf").and_then(Value::as_array).map(Vec::as_slice) {
            ptr = format!("{ptr}/allOf/0");
        } else {
            return Some(ptr);
        }
    }
    None
}

/// One step of a diff location below `body`.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Prop(String),
    Items,
    Values,
    Variant(usize),
}

/// Splits a diff location into the schema it starts from and the steps below it:
/// `response.200.body.results[].status` -> (`response 200`, [results, [], status]).
fn parse_location(location: &str) -> Option<(Option<String>, Vec<Step>)> {
    let (status, mut rest) = if let Some(r) = location.strip_prefix("request.body") {
        (None, r)
    } else {
        let r = location.strip_prefix("response.")?;
        let (status, r) = r.split_once(".body").unwrap_or((r, "\u{0}"));
        if r == "\u{0}" {
            return None;
        }
        (Some(status.to_string()), r)
    };
    let mut steps = Vec::new();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("[]") {
            steps.push(Step::Items);
            rest = r;
        } else if let Some(r) = rest.strip_prefix("{}") {
            steps.push(Step::Values);
            rest = r;
        } else if let Some(r) = rest.strip_prefix(".oneOf[") {
            let (n, r) = r.split_once(']')?;
            steps.push(Step::Variant(n.parse().ok()?));
            rest = r;
        } else if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[', '{']).unwrap_or(r.len());
            steps.push(Step::Prop(r[..end].to_string()));
            rest = &r[end..];
        } else {
            return None;
        }
    }
    Some((status, steps))
}

/// Walks `steps` from the schema at `ptr`, resolving references; returns the pointer reached.
fn walk(doc: &Value, ptr: String, steps: &[Step]) -> Option<String> {
    let mut ptr = resolve_ptr(doc, ptr)?;
    for step in steps {
        let next = match step {
            Step::Prop(name) => find_property(doc, &ptr, name)?,
            Step::Items => format!("{ptr}/items"),
            Step::Values => format!("{ptr}/additionalProperties"),
            Step::Variant(i) => {
                let key = if doc.pointer(&format!("{ptr}/oneOf")).is_some() {
                    "oneOf"
                } else {
                    "anyOf"
                };
                format!("{ptr}/{key}/{i}")
            }
        };
        ptr = resolve_ptr(doc, next)?;
    }
    Some(ptr)
}

/// The pointer of property `name` of the object schema at `ptr` (looking into `allOf` parts too).
fn find_property(doc: &Value, ptr: &str, name: &str) -> Option<String> {
    let here = format!("{ptr}/properties/{}", escape(name));
    if doc.pointer(&here).is_some() {
        return Some(here);
    }
    let parts = doc.pointer(&format!("{ptr}/allOf"))?.as_array()?.len();
    (0..parts).find_map(|i| {
        let part = resolve_ptr(doc, format!("{ptr}/allOf/{i}"))?;
        find_property(doc, &part, name)
    })
}

/// Where an operation keeps its request or response schema (Swagger 2.0 or OpenAPI 3).
fn body_pointer(doc: &Value, op_ptr: &str, status: Option<&str>) -> Option<String> {
    let op = doc.pointer(op_ptr)?;
    match status {
        None => {
            if op.get("requestBody").is_some() {
                let rb = resolve_ptr(doc, format!("{op_ptr}/requestBody"))?;
                return content_schema(doc, &rb);
            }
            let params = op.get("parameters")?.as_array()?;
            let i = params
                .iter()
                .position(|p| resolve(doc, p)["in"] == "body")?;
            let p = resolve_ptr(doc, format!("{op_ptr}/parameters/{i}"))?;
            Some(format!("{p}/schema"))
        }
        Some(status) => {
            let r = resolve_ptr(doc, format!("{op_ptr}/responses/{}", escape(status)))?;
            if doc.pointer(&format!("{r}/schema")).is_some() {
                Some(format!("{r}/schema"))
            } else {
                content_schema(doc, &r)
            }
        }
    }
}

fn content_schema(doc: &Value, ptr: &str) -> Option<String> {
    let content = doc.pointer(&format!("{ptr}/content"))?.as_object()?;
    let media = content
        .keys()
        .find(|k| k.contains("json"))
        .or_else(|| content.keys().next())?;
    Some(format!("{ptr}/content/{}/schema", escape(media)))
}

/// Finds an operation's pointer by method and path, else by `operationId`.
fn find_operation(doc: &Value, method: &str, path: &str, id: Option<&str>) -> Option<String> {
    let direct = format!("/paths/{}/{}", escape(path), method.to_ascii_lowercase());
    if doc.pointer(&direct).is_some() {
        return Some(direct);
    }
    let id = id?;
    for (p, item) in doc.get("paths")?.as_object()? {
        for (m, op) in item.as_object()? {
            if op.get("operationId").and_then(Value::as_str) == Some(id) {
                return Some(format!("/paths/{}/{m}", escape(p)));
            }
        }
    }
    None
}

/// What an upstream definition becomes in ours.
#[derive(Debug, Clone)]
enum Target {
    /// A component schema of ours (existing, or imported under this name).
    Component(String),
    /// Ours writes it inline (e.g. the `next`/`previous`/`count` of pages): this schema.
    Inline(Value),
}

struct ConvertedOperation {
    id: String,
    generated_id: bool,
    tags: Vec<String>,
    value: Value,
}

struct Converter<'u> {
    up: &'u Value,
    /// Upstream definition name -> what it is in ours.
    targets: BTreeMap<String, Target>,
    /// Definitions referenced by converted schemas and not yet converted.
    queued: Vec<String>,
    /// Converted definitions (and extracted enums), in the order first needed.
    new_schemas: Vec<(String, Value)>,
    inferences: Vec<Inference>,
    notes: Vec<String>,
    /// Names of ours' component schemas before the import.
    taken: BTreeSet<String>,
}

impl Converter<'_> {
    /// Learns which upstream definition is which schema of ours by walking the request and
    /// success-response schemas of every operation both documents have, side by side.
    fn learn_names(&mut self, ours: &Value) {
        let Some(paths) = ours.get("paths").and_then(Value::as_object) else {
            return;
        };
        let mut pairs = Vec::new();
        for (path, item) in paths {
            let Some(item) = item.as_object() else {
                continue;
            };
            for (method, op) in item {
                let id = op.get("operationId").and_then(Value::as_str);
                let Some(up_ptr) = find_operation(self.up, method, path, id) else {
                    continue;
                };
                let our_ptr = format!("/paths/{}/{method}", escape(path));
                if let (Some(u), Some(o)) = (
                    body_pointer(self.up, &up_ptr, None),
                    body_pointer(ours, &our_ptr, None),
                ) {
                    pairs.push((u, o));
                }
                for status in op["responses"]
                    .as_object()
                    .into_iter()
                    .flat_map(|m| m.keys())
                {
                    if !status.starts_with('2') {
                        continue;
                    }
                    if let (Some(u), Some(o)) = (
                        body_pointer(self.up, &up_ptr, Some(status)),
                        body_pointer(ours, &our_ptr, Some(status)),
                    ) {
                        pairs.push((u, o));
                    }
                }
            }
        }
        let mut seen = BTreeSet::new();
        for (u, o) in pairs {
            self.pair(ours, &u, &o, &mut seen, 0);
        }
    }

    fn pair(
        &mut self,
        ours: &Value,
        u: &str,
        o: &str,
        seen: &mut BTreeSet<(String, String)>,
        depth: usize,
    ) {
        if depth > 24 || !seen.insert((u.to_string(), o.to_string())) {
            return;
        }
        let (Some(uv), Some(ov)) = (self.up.pointer(u), ours.pointer(o)) else {
            return;
        };
        // A lone allOf wrapper on our side (nullable references) is looked through.
        if let Some([_]) = ov.get("allOf").and_then(Value::as_array).map(Vec::as_slice) {
            return self.pair(ours, u, &format!("{o}/allOf/0"), seen, depth + 1);
        }
        if let Some(name) = uv
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/definitions/"))
        {
            let target = match ov
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
            {
                Some(ours_name) => Some(Target::Component(ours_name.to_string())),
                // An object definition ours writes inline gets a component of its own: the
                // inline schema may differ from it (that is drift, reported where it is).
                None if self.up_definition_is_object(name) => None,
                None => {
                    // Ours' words describe ours' use; a new use gets a placeholder.
                    let mut inline = ov.clone();
                    if let Some(d) = inline.get_mut("description") {
                        *d = json!(DESCRIBE);
                    }
                    Some(Target::Inline(inline))
                }
            };
            if let Some(target) = target {
                self.targets.entry(unescape(name)).or_insert(target);
            }
        }
        let (Some(u), Some(o)) = (
            resolve_ptr(self.up, u.to_string()),
            resolve_ptr(ours, o.to_string()),
        ) else {
            return;
        };
        let (uv, ov) = (
            &self.up.pointer(&u).cloned().unwrap_or_default(),
            ours.pointer(&o).cloned().unwrap_or_default(),
        );
        if let (Some(up_props), Some(our_props)) =
            (uv["properties"].as_object(), ov["properties"].as_object())
        {
            for name in up_props.keys() {
                if our_props.contains_key(name) {
                    let (pu, po) = (
                        format!("{u}/properties/{}", escape(name)),
                        format!("{o}/properties/{}", escape(name)),
                    );
                    self.pair(ours, &pu, &po, seen, depth + 1);
                }
            }
        }
        for key in ["items", "additionalProperties"] {
            if uv.get(key).is_some_and(Value::is_object)
                && ov.get(key).is_some_and(Value::is_object)
            {
                self.pair(
                    ours,
                    &format!("{u}/{key}"),
                    &format!("{o}/{key}"),
                    seen,
                    depth + 1,
                );
            }
        }
    }

    fn up_definition_is_object(&self, name: &str) -> bool {
        let def = self.up.pointer(&format!("/definitions/{name}"));
        def.is_some_and(|d| d["type"] == "object" || d.get("properties").is_some())
    }

    /// Converts one upstream operation to our conventions.
    fn operation(
        &mut self,
        ours: &Value,
        path: &str,
        method: &str,
        op: &Value,
        shared: Option<&Value>,
    ) -> ConvertedOperation {
        let mut out = Map::new();
        let (id, generated_id) = match op.get("operationId").and_then(Value::as_str) {
            Some(id) => (id.to_string(), false),
            None => (generated_operation_id(method, path), true),
        };
        out.insert("operationId".into(), json!(id));
        if generated_id {
            out.insert(
                "x-wpe-todo".into(),
                json!(format!("{MARKER}: upstream has no operationId; `{id}` is generated: name it and record the deviation")),
            );
        }
        let tags: Vec<String> = op["tags"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| t.as_str().map(str::to_string))
            .collect();
        if !tags.is_empty() {
            out.insert("tags".into(), json!(tags));
        }
        out.insert(
            "summary".into(),
            json!(format!("{MARKER}: summarise in our words")),
        );
        out.insert("description".into(), json!(DESCRIBE));

        // Parameters: path-level ones first, overridden by the operation's own.
        let mut params: Vec<Value> = Vec::new();
        for p in shared
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .chain(op["parameters"].as_array().into_iter().flatten())
        {
            let p = resolve(self.up, p).clone();
            params.retain(|q| !(q["name"] == p["name"] && q["in"] == p["in"]));
            params.push(p);
        }
        // Ours lists path parameters first.
        params.sort_by_key(|p| p["in"] != "path");
        let mut parameters = Vec::new();
        let mut body = None;
        for p in &params {
            let name = p["name"].as_str().unwrap_or_default();
            match p["in"].as_str() {
                Some("header") if name.eq_ignore_ascii_case("authorization") => {}
                Some("body") => body = Some(p),
                Some("formData") => self.notes.push(format!(
                    "{id}: form parameter {name} not imported (no JSON body)"
                )),
                _ => parameters.push(self.parameter(ours, p)),
            }
        }
        if !parameters.is_empty() {
            out.insert("parameters".into(), Value::Array(parameters));
        }
        if let Some(b) = body {
            let schema = self.schema(&b["schema"], None, None);
            let mut rb = Map::new();
            if b.get("description").is_some() {
                rb.insert("description".into(), json!(DESCRIBE));
            }
            rb.insert(
                "required".into(),
                json!(b["required"].as_bool().unwrap_or(false)),
            );
            rb.insert(
                "content".into(),
                json!({"application/json": {"schema": schema}}),
            );
            out.insert("requestBody".into(), Value::Object(rb));
        }
        let idempotent = matches!(method, "get" | "put" | "delete" | "head" | "options");
        out.insert("x-wpe-idempotent".into(), json!(idempotent));
        self.inferences.push(Inference {
            target: id.clone(),
            fact: format!(
                "x-wpe-idempotent {idempotent}: {} is {}idempotent",
                method.to_ascii_uppercase(),
                if idempotent { "" } else { "not " }
            ),
        });

        let mut responses = Map::new();
        let mut errors = BTreeSet::new();
        for (status, response) in op["responses"].as_object().into_iter().flatten() {
            if status == "default" {
                continue;
            }
            if status.starts_with('4') || status.starts_with('5') {
                errors.insert(status.clone());
                continue;
            }
            let mut r = Map::new();
            r.insert("description".into(), json!(DESCRIBE));
            let schema = match response.get("$ref").and_then(Value::as_str) {
                // A definition where a response belongs: it was meant as the body.
                Some(reference) if reference.starts_with("#/definitions/") => {
                    Some(response.clone())
                }
                Some(_) => resolve(self.up, response).get("schema").cloned(),
                None => response.get("schema").cloned(),
            };
            if let Some(schema) = schema {
                let converted = self.schema(&schema, None, None);
                r.insert(
                    "content".into(),
                    json!({"application/json": {"schema": converted}}),
                );
            }
            responses.insert(status.clone(), Value::Object(r));
        }
        for status in errors.iter().map(String::as_str).chain(ERROR_RANGES) {
            responses.insert(status.to_string(), json!({"$ref": ERROR_RESPONSE}));
        }
        out.insert("responses".into(), Value::Object(responses));
        let open = match (op.get("security"), self.up.get("security")) {
            (Some(Value::Array(s)), _) => s.is_empty(),
            (None, None) => true,
            (None, Some(_)) => false,
            (Some(_), _) => false,
        };
        if open {
            out.insert("security".into(), json!([]));
            self.inferences.push(Inference {
                target: id.clone(),
                fact: "security: [] (upstream declares no credentials for it)".into(),
            });
        }
        ConvertedOperation {
            id,
            generated_id,
            tags,
            value: Value::Object(out),
        }
    }

    /// A parameter: a `$ref` to one of ours' component parameters when one says the same, else inline.
    fn parameter(&mut self, ours: &Value, p: &Value) -> Value {
        let location = p["in"].as_str().unwrap_or("query");
        let required = location == "path" || p["required"].as_bool().unwrap_or(false);
        let mut schema = Map::new();
        for key in [
            "type",
            "format",
            "enum",
            "default",
            "minimum",
            "maximum",
            "exclusiveMinimum",
            "exclusiveMaximum",
            "minLength",
            "maxLength",
            "pattern",
            "items",
            "minItems",
            "maxItems",
            "uniqueItems",
        ] {
            if let Some(v) = p.get(key) {
                let v = if key == "items" {
                    self.schema(v, None, None)
                } else {
                    v.clone()
                };
                schema.insert(key.into(), v);
            }
        }
        if p.get("x-nullable").and_then(Value::as_bool) == Some(true) {
            schema.insert("nullable".into(), json!(true));
        }
        if let Some(components) = ours
            .pointer("/components/parameters")
            .and_then(Value::as_object)
        {
            for (name, q) in components {
                let ours_schema = resolve(ours, &q["schema"]);
                let same = q["name"] == p["name"]
                    && q["in"] == location
                    && q["required"].as_bool().unwrap_or(false) == required
                    && ["type", "format", "enum", "minimum", "maximum", "pattern"]
                        .iter()
                        .all(|k| ours_schema.get(*k) == schema.get(*k));
                if same {
                    return json!({"$ref": format!("#/components/parameters/{name}")});
                }
            }
        }
        json!({"name": p["name"], "in": location, "required": required, "description": DESCRIBE, "schema": schema})
    }

    /// Converts a Swagger 2.0 schema. `owner` names the component being converted (for naming
    /// extracted enums), `property` the property this schema is the value of.
    fn schema(&mut self, s: &Value, owner: Option<&str>, property: Option<&str>) -> Value {
        let Some(obj) = s.as_object() else {
            return s.clone();
        };
        if let Some(reference) = obj.get("$ref").and_then(Value::as_str) {
            let target = match reference.strip_prefix("#/definitions/") {
                Some(name) => self.target(&unescape(name)),
                None => {
                    self.notes
                        .push(format!("reference {reference} kept as written"));
                    return json!({"$ref": reference});
                }
            };
            let nullable = obj.get("x-nullable").and_then(Value::as_bool) == Some(true);
            return match (target, nullable) {
                (Target::Inline(v), _) => v,
                (Target::Component(n), false) => {
                    json!({"$ref": format!("#/components/schemas/{n}")})
                }
                (Target::Component(n), true) => {
                    json!({"nullable": true, "allOf": [{"$ref": format!("#/components/schemas/{n}")}]})
                }
            };
        }
        if let (Some(owner), Some(property)) = (owner, property) {
            let state = ["status", "state"]
                .iter()
                .any(|w| property == *w || property.ends_with(&format!("_{w}")));
            if state
                && obj.get("type").and_then(Value::as_str) == Some("string")
                && obj.contains_key("enum")
            {
                let name = self.free_name(&format!("{owner}{}", pascal(property)));
                let mut e = self.schema(s, None, None);
                if let Some(m) = e.as_object_mut() {
                    m.insert("x-wpe-open-enum".into(), json!(true));
                }
                self.new_schemas.push((name.clone(), e));
                self.inferences.push(Inference {
                    target: name.clone(),
                    fact: format!("x-wpe-open-enum (state field {owner}.{property}): the server may add values; needs crate::open_enum::{name} in wpe-api"),
                });
                return json!({"$ref": format!("#/components/schemas/{name}")});
            }
        }
        let mut out = Map::new();
        let mut nullable = obj.get("x-nullable").and_then(Value::as_bool) == Some(true);
        for (key, value) in obj {
            match key.as_str() {
                "description" => {
                    out.insert(key.clone(), json!(DESCRIBE));
                }
                "example" | "x-nullable" => {}
                k if k.starts_with("x-") => {}
                "enum" => {
                    let values: Vec<Value> = value
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter(|v| !v.is_null())
                        .cloned()
                        .collect();
                    nullable |= value
                        .as_array()
                        .is_some_and(|a| a.iter().any(Value::is_null));
                    out.insert(key.clone(), Value::Array(values));
                }
                "type" if value == "file" => {
                    out.insert("type".into(), json!("string"));
                    out.insert("format".into(), json!("binary"));
                }
                "properties" => {
                    let mut props = Map::new();
                    for (name, p) in value.as_object().into_iter().flatten() {
                        props.insert(name.clone(), self.schema(p, owner, Some(name)));
                    }
                    out.insert(key.clone(), Value::Object(props));
                }
                "items" | "additionalProperties" if value.is_object() => {
                    out.insert(key.clone(), self.schema(value, None, None));
                }
                "allOf" | "oneOf" | "anyOf" => {
                    let parts = value
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|p| self.schema(p, None, None))
                        .collect();
                    out.insert(key.clone(), Value::Array(parts));
                }
                "discriminator" if value.is_string() => {
                    out.insert(key.clone(), json!({"propertyName": value}));
                }
                _ => {
                    out.insert(key.clone(), value.clone());
                }
            }
        }
        if nullable {
            set_before(&mut out, "nullable", json!(true), "description");
        }
        Value::Object(out)
    }

    /// What a definition becomes in ours; an unknown one is queued for import.
    fn target(&mut self, name: &str) -> Target {
        if let Some(t) = self.targets.get(name) {
            return t.clone();
        }
        let t = Target::Component(self.free_name(name));
        self.targets.insert(name.to_string(), t.clone());
        self.queued.push(name.to_string());
        t
    }

    /// Converts every queued definition (and those they need).
    fn drain(&mut self) {
        let mut done = BTreeSet::new();
        while !self.queued.is_empty() {
            let name = self.queued.remove(0);
            if !done.insert(name.clone()) {
                continue;
            }
            let Target::Component(ours_name) = self.target(&name) else {
                continue;
            };
            let Some(def) = self
                .up
                .pointer(&format!("/definitions/{}", escape(&name)))
                .cloned()
            else {
                self.notes.push(format!(
                    "upstream definition {name} is referenced but missing"
                ));
                continue;
            };
            let pos = self.new_schemas.len();
            let converted = self.schema(&def, Some(&ours_name), None);
            // The definition goes before the enums extracted from it.
            self.new_schemas.insert(pos, (ours_name, converted));
        }
    }

    /// A component name for something new: `wanted`, or `wantedImported` when ours or this import has it.
    fn free_name(&mut self, wanted: &str) -> String {
        let clash = |n: &str| {
            self.taken.contains(n)
                || self.new_schemas.iter().any(|(m, _)| m == n)
                || self
                    .targets
                    .values()
                    .any(|t| matches!(t, Target::Component(m) if m == n))
        };
        if !clash(wanted) {
            return wanted.to_string();
        }
        let mut i = 1;
        loop {
            let candidate = if i == 1 {
                format!("{wanted}Imported")
            } else {
                format!("{wanted}Imported{i}")
            };
            if !clash(&candidate) {
                self.notes.push(format!(
                    "{wanted} clashes with a schema of ours: imported as {candidate}"
                ));
                return candidate;
            }
            i += 1;
        }
    }

    /// Adds an optional property upstream has to the schema of ours the change points at.
    fn add_property(&mut self, doc: &mut Value, change: &Change, report: &mut ImportReport) {
        let Some((status, steps)) = parse_location(&change.location) else {
            return;
        };
        let Some((Step::Prop(name), parent)) = steps.split_last() else {
            return;
        };
        let Some((up_parent, our_parent)) = self.locate(doc, change, status.as_deref(), parent)
        else {
            return;
        };
        let Some(up_prop) = self
            .up
            .pointer(&format!("{up_parent}/properties/{}", escape(name)))
            .cloned()
        else {
            return;
        };
        if find_property(doc, &our_parent, name).is_some() {
            return;
        }
        let owner = our_parent
            .strip_prefix("/components/schemas/")
            .filter(|n| !n.contains('/'))
            .map(unescape);
        let converted = self.schema(&up_prop, owner.as_deref(), Some(name));
        let Some(target) = doc.pointer_mut(&our_parent).and_then(Value::as_object_mut) else {
            return;
        };
        let props = target.entry("properties").or_insert_with(|| json!({}));
        if let Some(props) = props.as_object_mut() {
            props.insert(name.clone(), converted);
            report.properties.push(match owner {
                Some(owner) => format!("{owner}.{name}"),
                None => format!(
                    "{} {}",
                    change.operation.as_deref().unwrap_or("-"),
                    change.location
                ),
            });
        }
    }

    /// Appends enum values upstream has to the enum of ours the change points at.
    fn add_enum_values(&mut self, doc: &mut Value, change: &Change, report: &mut ImportReport) {
        let Some((status, steps)) = parse_location(&change.location) else {
            return;
        };
        let Some((up_ptr, our_ptr)) = self.locate(doc, change, status.as_deref(), &steps) else {
            return;
        };
        let up_values: Vec<Value> = self
            .up
            .pointer(&format!("{up_ptr}/enum"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let Some(target) = doc.pointer_mut(&our_ptr).and_then(Value::as_object_mut) else {
            return;
        };
        let where_ = our_ptr
            .strip_prefix("/components/schemas/")
            .map(unescape)
            .unwrap_or_else(|| our_ptr.clone());
        let Some(values) = target.get_mut("enum").and_then(Value::as_array_mut) else {
            return;
        };
        let mut added = Vec::new();
        for v in up_values {
            if !v.is_null() && !values.contains(&v) {
                values.push(v.clone());
                added.push(v);
            }
        }
        if up_values_null(self.up, &up_ptr) && target.get("nullable").is_none() {
            target.insert("nullable".into(), json!(true));
        }
        for v in added {
            report.enum_values.push(format!("{where_}: {v}"));
        }
    }

    /// The pointers (upstream, ours) of the schema at `steps` below a change's body.
    fn locate(
        &self,
        doc: &Value,
        change: &Change,
        status: Option<&str>,
        steps: &[Step],
    ) -> Option<(String, String)> {
        let up_op = find_operation(
            self.up,
            &change.method,
            &change.path,
            change.operation.as_deref(),
        )?;
        let our_op = find_operation(
            doc,
            &change.method,
            &change.path,
            change.operation.as_deref(),
        )?;
        let up = walk(self.up, body_pointer(self.up, &up_op, status)?, steps)?;
        let ours = walk(doc, body_pointer(doc, &our_op, status)?, steps)?;
        Some((up, ours))
    }
}

fn up_values_null(up: &Value, ptr: &str) -> bool {
    up.pointer(&format!("{ptr}/enum"))
        .and_then(Value::as_array)
        .is_some_and(|a| a.iter().any(Value::is_null))
}

fn unescape(s: &str) -> String {
    s.replace("~1", "/").replace("~0", "~")
}

/// `status` -> `Status`, `ownership_status` -> `OwnershipStatus`.
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
    fn locations_split_into_steps() {
        let (status, steps) = parse_location("response.200.body.results[].status").expect("parses");
        assert_eq!(status.as_deref(), Some("200"));
        assert_eq!(
            steps,
            vec![
                Step::Prop("results".into()),
                Step::Items,
                Step::Prop("status".into())
            ]
        );
        let (status, steps) = parse_location("request.body.map{}.oneOf[1].x").expect("parses");
        assert_eq!(status, None);
        assert_eq!(
            steps,
            vec![
                Step::Prop("map".into()),
                Step::Values,
                Step::Variant(1),
                Step::Prop("x".into())
            ]
        );
        assert!(parse_location("parameter.query.limit").is_none());
        assert_eq!(
            parse_location("response.200.body").expect("parses").1,
            vec![]
        );
    }

    #[test]
    fn generated_ids_name_method_and_fixed_segments() {
        assert_eq!(
            generated_operation_id("POST", "/accounts/{account_id}/usage/refresh_disk_usage"),
            "postAccountsUsageRefreshDiskUsage"
        );
    }

    #[test]
    fn swagger_schemas_become_openapi_3() {
        let up = json!({"swagger": "2.0", "definitions": {"Thing": {"type": "object", "properties": {
            "state": {"type": "string", "enum": ["a", "b"]},
            "env": {"type": "string", "enum": ["x", null], "description": "upstream words"},
            "when": {"type": "string", "format": "date-time", "x-nullable": true, "example": "2024"}}}}});
        let mut cx = Converter {
            up: &up,
            targets: BTreeMap::new(),
            queued: Vec::new(),
            new_schemas: Vec::new(),
            inferences: Vec::new(),
            notes: Vec::new(),
            taken: BTreeSet::new(),
        };
        let r = cx.schema(&json!({"$ref": "#/definitions/Thing"}), None, None);
        assert_eq!(r, json!({"$ref": "#/components/schemas/Thing"}));
        cx.drain();
        let names: Vec<&str> = cx.new_schemas.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["Thing", "ThingState"]);
        let thing = &cx.new_schemas[0].1;
        assert_eq!(
            thing["properties"]["state"],
            json!({"$ref": "#/components/schemas/ThingState"})
        );
        assert_eq!(
            thing["properties"]["env"],
            json!({"type": "string", "nullable": true, "description": DESCRIBE, "enum": ["x"]})
        );
        assert_eq!(
            thing["properties"]["when"],
            json!({"type": "string", "format": "date-time", "nullable": true})
        );
        assert_eq!(cx.new_schemas[1].1["x-wpe-open-enum"], json!(true));
    }
}
