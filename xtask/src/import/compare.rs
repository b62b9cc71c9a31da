//! Structural comparison of an upstream schema with a component schema of ours, under our
//! conventions: the same normalisation and diff as `sync-spec` itself (descriptions, examples
//! and `x-` keys ignored, `x-nullable` and a `null` enum member read as `nullable`, `$ref`s
//! resolved on both sides), so "they agree" means "the diff would find nothing".

use std::collections::BTreeSet;

use serde_json::{json, Value};

use super::pointer::{parse_location, resolve_ptr, step_pointer, Step};
use crate::{diff, model};

/// Where the synthetic operation of both sides keeps the compared schema.
const BODY: &str = "response.200.body";

/// The differences between `upstream` (a Swagger 2.0 schema, which may reference upstream's
/// definitions) and ours' component schema `ours_name` in `ours_doc`, one line each:
/// `<ours_name><location below it> <kind>: <detail>`. Empty when they agree. Differences at or
/// below a `$ref` of ours to one of the `compared` schemas (other than `ours_name`) are left out:
/// that schema's own comparison reports them.
pub(super) fn differences(
    up_doc: &Value,
    upstream: &Value,
    ours_doc: &Value,
    ours_name: &str,
    compared: &BTreeSet<String>,
) -> Vec<String> {
    let up = json!({
        "swagger": "2.0",
        "info": {"title": "compare", "version": "0"},
        "definitions": up_doc.get("definitions").cloned().unwrap_or_else(|| json!({})),
        "paths": {"/compare": {"get": {"operationId": "compare",
            "responses": {"200": {"description": "", "schema": upstream}}}}}
    });
    let reference = format!("#/components/schemas/{}", super::pointer::escape(ours_name));
    let ours = json!({
        "openapi": "3.0.3",
        "info": {"title": "compare", "version": "0"},
        "components": ours_doc.get("components").cloned().unwrap_or_else(|| json!({})),
        "paths": {"/compare": {"get": {"operationId": "compare",
            "responses": {"200": {"description": "",
                "content": {"application/json": {"schema": {"$ref": reference}}}}}}}}
    });
    let (Ok(up), Ok(ours)) = (
        model::normalise(&up, "upstream"),
        model::normalise(&ours, "ours"),
    ) else {
        return vec![format!("{ours_name}: cannot be compared")];
    };
    let root = format!("/components/schemas/{}", super::pointer::escape(ours_name));
    diff::diff(&up, &ours)
        .into_iter()
        .filter_map(|c| {
            let below = c.location.strip_prefix(BODY)?;
            let (_, steps) = parse_location(&c.location)?;
            if under_compared(ours_doc, &root, &steps, ours_name, compared) {
                return None;
            }
            Some(format!(
                "{ours_name}{below} {}: {}",
                c.kind.as_str(),
                c.detail
            ))
        })
        .collect()
}

/// Whether walking `steps` from ours' schema at `root` passes a `$ref` to one of `compared`
/// (other than `own`), the location reached included.
fn under_compared(
    doc: &Value,
    root: &str,
    steps: &[Step],
    own: &str,
    compared: &BTreeSet<String>,
) -> bool {
    let Some(mut ptr) = resolve_ptr(doc, root.to_string()) else {
        return false;
    };
    for step in steps {
        let Some(next) = step_pointer(doc, &ptr, step) else {
            return false;
        };
        let node = doc.pointer(&next);
        let reference = node
            .and_then(|n| n.get("$ref"))
            .or_else(|| node.and_then(|n| n.get("allOf")?.get(0)?.get("$ref")))
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
            .map(super::pointer::unescape);
        if reference.is_some_and(|r| r != own && compared.contains(&r)) {
            return true;
        }
        match resolve_ptr(doc, next) {
            Some(p) => ptr = p,
            None => return false,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ours(schemas: Value) -> Value {
        json!({"openapi": "3.0.3", "components": {"schemas": schemas}})
    }

    #[test]
    fn conventions_do_not_count_as_differences() {
        let up = json!({"swagger": "2.0", "definitions": {
            "Thing": {"type": "object", "description": "upstream's words", "required": ["id"],
                "properties": {
                    "id": {"type": "string", "example": "x", "x-other": 1},
                    "when": {"type": "string", "x-nullable": true},
                    "kind": {"type": "string", "enum": ["a", "b", null]},
                    "state": {"type": "string", "enum": ["on", "off"]},
                    "part": {"$ref": "#/definitions/Part"}}},
            "Part": {"type": "object", "properties": {"n": {"type": "integer"}}}}});
        let doc = ours(json!({
            "Thing": {"type": "object", "description": "Ours.", "required": ["id"], "properties": {
                "id": {"type": "string", "description": "Ours."},
                "when": {"type": "string", "nullable": true},
                "kind": {"type": "string", "nullable": true, "enum": ["b", "a"]},
                "state": {"$ref": "#/components/schemas/ThingState"},
                "part": {"$ref": "#/components/schemas/OurPart"}}},
            "ThingState": {"type": "string", "enum": ["on", "off"], "x-wpe-open-enum": true,
                "x-wpe-enum-descriptions": {"on": "On.", "off": "Off."}},
            "OurPart": {"type": "object", "properties": {"n": {"type": "integer", "description": "N."}}}}));
        let found = differences(
            &up,
            &json!({"$ref": "#/definitions/Thing"}),
            &doc,
            "Thing",
            &BTreeSet::new(),
        );
        assert_eq!(found, Vec::<String>::new());
    }

    #[test]
    fn differences_name_their_location() {
        let up = json!({"swagger": "2.0", "definitions": {
            "Thing": {"type": "object", "properties": {
                "id": {"type": "string", "format": "uuid"},
                "parts": {"type": "array", "items": {"type": "object", "properties": {"n": {"type": "integer"}}}},
                "new": {"type": "boolean"}}}}});
        let doc = ours(json!({"Thing": {"type": "object", "properties": {
            "id": {"type": "string"},
            "parts": {"type": "array", "items": {"type": "object", "properties": {"n": {"type": "string"}}}}}}}));
        let found = differences(
            &up,
            &json!({"$ref": "#/definitions/Thing"}),
            &doc,
            "Thing",
            &BTreeSet::new(),
        );
        let kinds: Vec<&str> = found
            .iter()
            .map(|d| d.split(':').next().unwrap_or_default())
            .collect();
        assert_eq!(
            kinds,
            [
                "Thing.id format-changed",
                "Thing.new property-added",
                "Thing.parts[].n type-changed"
            ]
        );
    }
}

#[cfg(test)]
mod nested {
    use super::*;

    #[test]
    fn a_nested_schema_compared_on_its_own_is_left_to_its_own_comparison() {
        let up = json!({"swagger": "2.0", "definitions": {
            "Thing": {"type": "object", "properties": {
                "n": {"type": "integer"},
                "part": {"$ref": "#/definitions/Part"}}},
            "Part": {"type": "object", "properties": {"id": {"type": "string", "format": "uuid"}}}}});
        let doc = json!({"components": {"schemas": {
            "Thing": {"type": "object", "properties": {
                "n": {"type": "string"},
                "part": {"$ref": "#/components/schemas/Part"}}},
            "Part": {"type": "object", "properties": {"id": {"type": "string"}}}}}});
        let thing = json!({"$ref": "#/definitions/Thing"});
        let both: BTreeSet<String> = ["Thing".to_string(), "Part".to_string()].into();
        let found = differences(&up, &thing, &doc, "Thing", &both);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].starts_with("Thing.n type-changed"), "{found:?}");
        let alone = differences(&up, &thing, &doc, "Thing", &BTreeSet::new());
        assert_eq!(alone.len(), 2, "{alone:?}");
        let part = differences(
            &up,
            &json!({"$ref": "#/definitions/Part"}),
            &doc,
            "Part",
            &both,
        );
        assert_eq!(part.len(), 1, "{part:?}");
    }
}
