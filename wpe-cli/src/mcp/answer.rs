//! The shape of every tool's answer, as its `outputSchema` declares it.
//!
//! A call answers `structuredContent` that is either the tool's own answer
//! (an object: for a list `{items, total, next_cursor}`) or a tool error
//! `{"error": {kind, message, ...}}` (with `isError: true`). A tool's
//! `outputSchema` ([`output_schema`]) admits both, so that every
//! `structuredContent` the server sends validates against it, whichever
//! way the call ended. Answers are whole: a schema never forbids a field
//! the API sends and the spec does not name.

use serde_json::{json, Map, Value};

/// The kinds of tool error, as `error.kind` names them.
pub const ERROR_KINDS: &[&str] = &[
    "invalid_arguments",
    "not_allowed",
    "not_found",
    "api",
    "rate_limited",
    "job_failed",
    "timeout",
    "cancelled",
    "io",
    "mirror",
];

/// The schema of a tool error's `structuredContent`: its shape, in few
/// bytes (it is written in every tool's `outputSchema`); the kinds are
/// [`ERROR_KINDS`], as the README and the server's instructions list them.
pub fn error_schema() -> Value {
    json!({
        "required": ["error"],
        "properties": {
            "error": {
                "required": ["kind", "message"],
                "properties": {
                    "kind": {"type": "string"},
                    "message": {"type": "string"},
                }
            }
        }
    })
}

/// The `outputSchema` of a tool whose answer is described by `success` (an
/// object schema): the answer, or a tool error. `success` is made compact
/// first ([`compact`], [`union_types`]).
pub fn output_schema(mut success: Value) -> Map<String, Value> {
    compact(&mut success);
    union_types(&mut success);
    let mut schema = Map::new();
    schema.insert("type".into(), json!("object"));
    schema.insert("anyOf".into(), json!([success, error_schema()]));
    schema
}

/// The `$defs` name a `$ref` points at (`{"$ref": "#/$defs/Backup"}` →
/// `Backup`).
pub fn ref_name(value: &Value) -> Option<&str> {
    value
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/$defs/"))
}

/// Where a schema keyword's value holds schemas: one, a list, or a map of them.
pub enum Holds {
    /// One schema (`items`, `not`).
    One,
    /// A list of schemas (`anyOf`).
    List,
    /// Schemas by name (`properties`, `$defs`).
    Map,
    /// No schema (`type`, `required`).
    Nothing,
}

/// What the value of `keyword` holds.
pub fn holds(keyword: &str) -> Holds {
    match keyword {
        "items"
        | "additionalProperties"
        | "not"
        | "contains"
        | "propertyNames"
        | "if"
        | "then"
        | "else"
        | "unevaluatedProperties"
        | "unevaluatedItems" => Holds::One,
        "anyOf" | "allOf" | "oneOf" | "prefixItems" => Holds::List,
        "properties" | "$defs" | "patternProperties" | "dependentSchemas" => Holds::Map,
        _ => Holds::Nothing,
    }
}

/// Drops what an agent does not need from `schema` and every schema in it,
/// keeping the shape (types, properties, items, the root's `required`):
/// `$schema`, `title`, `description`, `default`, `examples`, `format` (a
/// UUID or a date is plain from its field's name, and a number's format
/// says how Rust stores it), the bounds of numbers, texts and lists (the
/// server's answer is checked by the client as it is read), the `required`
/// of every schema below the root, and a boolean `additionalProperties`
/// (`true` is the default; `false` would forbid fields the API sends).
/// Every output schema is paid in an agent's context on every turn.
pub fn compact(schema: &mut Value) {
    compact_below(schema, false);
}

fn compact_below(schema: &mut Value, nested: bool) {
    let Value::Object(map) = schema else { return };
    if nested {
        map.remove("required");
    }
    for key in [
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "minLength",
        "maxLength",
        "pattern",
        "minItems",
        "maxItems",
        "uniqueItems",
    ] {
        map.remove(key);
    }
    for key in [
        "$schema",
        "title",
        "description",
        "default",
        "examples",
        "deprecated",
        "readOnly",
        "writeOnly",
    ] {
        map.remove(key);
    }
    map.remove("format");
    if map
        .get("additionalProperties")
        .is_some_and(Value::is_boolean)
    {
        map.remove("additionalProperties");
    }
    for (keyword, value) in map.iter_mut() {
        match (holds(keyword), value) {
            (Holds::One, value) => compact_below(value, true),
            (Holds::List, Value::Array(list)) => {
                // The branches of an `anyOf` at the root are roots too.
                list.iter_mut().for_each(|v| compact_below(v, nested))
            }
            (Holds::Map, Value::Object(named)) => {
                named.values_mut().for_each(|v| compact_below(v, true))
            }
            _ => {}
        }
    }
}

/// Writes each `anyOf` of bare types in `schema` (an open enum, or null)
/// as one `type` list.
pub fn union_types(schema: &mut Value) {
    let Value::Object(map) = schema else { return };
    for (keyword, value) in map.iter_mut() {
        match (holds(keyword), value) {
            (Holds::One, value) => union_types(value),
            (Holds::List, Value::Array(list)) => list.iter_mut().for_each(union_types),
            (Holds::Map, Value::Object(named)) => named.values_mut().for_each(union_types),
            _ => {}
        }
    }
    let types: Option<Vec<Value>> = match (map.get("anyOf"), map.get("type")) {
        (Some(Value::Array(list)), None) => list
            .iter()
            .map(|s| match s.as_object() {
                Some(only) if only.len() == 1 => only.get("type").cloned(),
                _ => None,
            })
            .collect(),
        _ => None,
    };
    if let Some(types) = types {
        let mut union: Vec<Value> = Vec::new();
        for t in types {
            for t in t.as_array().cloned().unwrap_or_else(|| vec![t]) {
                if !union.contains(&t) {
                    union.push(t);
                }
            }
        }
        map.remove("anyOf");
        map.insert("type".into(), Value::Array(union));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_and_an_error_both_validate_and_other_shapes_do_not() {
        let schema = Value::Object(output_schema(json!({
            "type": "object",
            "required": ["items"],
            "properties": {"items": {"type": "array"}}
        })));
        let validator = jsonschema::validator_for(&schema).unwrap();
        assert!(validator.is_valid(&json!({"items": [], "total": 0})));
        assert!(
            validator.is_valid(&json!({"error": {"kind": "api", "message": "no", "status": 404}}))
        );
        assert!(!validator.is_valid(&json!({"error": {"kind": "api"}})));
        assert!(!validator.is_valid(&json!({"results": []})));
    }
}
