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
];

/// The schema of a tool error's `structuredContent`.
pub fn error_schema() -> Value {
    json!({
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["kind", "message"],
                "properties": {
                    "kind": {"enum": ERROR_KINDS},
                    "message": {"type": "string"},
                }
            }
        }
    })
}

/// The `outputSchema` of a tool whose answer is described by `success` (an
/// object schema): the answer, or a tool error.
pub fn output_schema(success: Value) -> Map<String, Value> {
    let mut schema = Map::new();
    schema.insert("type".into(), json!("object"));
    schema.insert("anyOf".into(), json!([success, error_schema()]));
    schema
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
        assert!(!validator.is_valid(&json!({"error": {"kind": "made_up", "message": "no"}})));
        assert!(!validator.is_valid(&json!({"results": []})));
    }
}
