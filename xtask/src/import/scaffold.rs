//! Document scaffolding: the parts every import needs, tags, where new operations go.

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

use super::{ImportReport, DESCRIBE};

/// Gives an empty or partial document what every import needs: `openapi`, `info`, `servers`,
/// HTTP Basic security, the shared `Error` response and its `ErrorResponse` schema.
pub(super) fn scaffold(doc: &mut Value, upstream: &Value, report: &mut ImportReport) {
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
pub(super) fn ensure_object<'d>(doc: &'d mut Value, keys: &[&str]) -> &'d mut Map<String, Value> {
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

pub(super) fn schema_names(doc: &Value) -> BTreeSet<String> {
    doc.pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

/// Adds `tag` to the top-level tag list; true when it was new.
pub(super) fn add_tag(doc: &mut Value, tag: &str) -> bool {
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
pub(super) fn set_before(map: &mut Map<String, Value>, key: &str, value: Value, before: &str) {
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

pub(super) fn path_segments(path: &str) -> Vec<&str> {
    path.split('/').filter(|s| !s.is_empty()).collect()
}

/// Puts a new operation in a stable place: a method joins its existing path item; a new path goes
/// right after the last path of ours that shares the most leading segments with it (at the end when none does).
pub(super) fn insert_operation(doc: &mut Value, path: &str, method: &str, op: Value) {
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
