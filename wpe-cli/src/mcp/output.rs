//! The `outputSchema` of each operation tool: the answer it sends, derived
//! from the JSON Schema of the operation's success type
//! ([`Operation::response_schema`]) and shaped as the tool answers
//! ([`answer::output_schema`] adds the tool error beside it).
//!
//! - A list answers `{items, total, next_cursor}` and the page's other
//!   fields ([`list_answer`]); `items` holds the item schema.
//! - An operation whose answer has no body answers `{done, status, summary}`.
//! - An object answers as it is; any other value as `{result}`.
//!
//! Answers are whole: no schema forbids a field the spec does not name
//! (`additionalProperties: false` is never kept). A read tool's answer may
//! be cut to some top-level fields (`fields`), so an item's (or the
//! object's) own `required` is dropped. The schemas are paid in an agent's
//! context on every turn, so they are compact: no `$schema`, titles,
//! descriptions, defaults or formats, and a `$defs` entry only for
//! a schema used more than once where that is shorter than writing it out.

use serde_json::{json, Map, Value};
use wpe_api::operations::{Operation, Paging};

use super::answer::{self, compact, holds, ref_name, union_types, Holds};

/// Counts the references to each definition in `schema`.
fn count_refs(schema: &Value, counts: &mut Map<String, Value>) {
    let Value::Object(map) = schema else { return };
    if let Some(name) = ref_name(schema) {
        let n = counts.get(name).and_then(Value::as_u64).unwrap_or(0);
        counts.insert(name.to_owned(), json!(n + 1));
    }
    for (keyword, value) in map {
        match (holds(keyword), value) {
            (Holds::One, value) => count_refs(value, counts),
            (Holds::List, Value::Array(list)) => list.iter().for_each(|v| count_refs(v, counts)),
            (Holds::Map, Value::Object(named)) if keyword != "$defs" => {
                named.values().for_each(|v| count_refs(v, counts))
            }
            _ => {}
        }
    }
}

/// Replaces every reference to `name` in `schema` by `def`.
fn inline(schema: &mut Value, name: &str, def: &Value) {
    if ref_name(schema) == Some(name) {
        let Value::Object(map) = schema else { return };
        map.remove("$ref");
        let siblings = std::mem::take(map);
        let mut merged = def.as_object().cloned().unwrap_or_default();
        let clash = siblings.keys().any(|k| merged.contains_key(k));
        if clash {
            merged = Map::new();
            merged.insert("allOf".into(), json!([def]));
        }
        merged.extend(siblings);
        *map = merged;
        return;
    }
    let Value::Object(map) = schema else { return };
    for (keyword, value) in map.iter_mut() {
        match (holds(keyword), value) {
            (Holds::One, value) => inline(value, name, def),
            (Holds::List, Value::Array(list)) => list.iter_mut().for_each(|v| inline(v, name, def)),
            (Holds::Map, Value::Object(named)) => {
                named.values_mut().for_each(|v| inline(v, name, def))
            }
            _ => {}
        }
    }
}

/// Keeps in `defs` only what `schema` refers to, and writes out in place
/// each definition used once, or short enough that a reference would not
/// be shorter; a definition that refers to itself stays.
fn settle_defs(schema: &mut Value, defs: &mut Map<String, Value>) {
    loop {
        // What the schema reaches, through definitions that are reached.
        let mut counts = Map::new();
        count_refs(schema, &mut counts);
        let mut reached: Vec<String> = counts.keys().cloned().collect();
        let mut seen = std::collections::BTreeSet::new();
        while let Some(name) = reached.pop() {
            if !seen.insert(name.clone()) {
                continue;
            }
            if let Some(def) = defs.get(&name) {
                let mut inner = Map::new();
                count_refs(def, &mut inner);
                for (other, n) in inner {
                    let total = counts.get(&other).and_then(Value::as_u64).unwrap_or(0)
                        + n.as_u64().unwrap_or(0);
                    counts.insert(other.clone(), json!(total));
                    reached.push(other);
                }
            }
        }
        defs.retain(|name, _| counts.contains_key(name));
        let choice = defs.iter().find_map(|(name, def)| {
            let uses = counts.get(name).and_then(Value::as_u64).unwrap_or(0) as usize;
            let mut own = Map::new();
            count_refs(def, &mut own);
            if own.contains_key(name) {
                return None;
            }
            let written = def.to_string().len();
            let reference = format!(r##"{{"$ref":"#/$defs/{name}"}}"##).len();
            let kept = uses * reference + name.len() + 3 + written;
            (uses <= 1 || uses * written <= kept).then(|| (name.clone(), def.clone()))
        });
        let Some((name, def)) = choice else { return };
        defs.remove(&name);
        inline(schema, &name, &def);
        for other in defs.values_mut() {
            inline(other, &name, &def);
        }
    }
}

/// The top-level schema `schema` stands for: a definition's, when it is a
/// reference.
fn resolved(schema: &Value, defs: &Map<String, Value>) -> Value {
    match ref_name(schema).and_then(|name| defs.get(name)) {
        Some(def) => def.clone(),
        None => schema.clone(),
    }
}

/// `schema` without its own `required` (its nested objects keep theirs):
/// an answer cut to some fields (`fields`) holds any of them.
fn any_fields(mut schema: Value) -> Value {
    if let Some(map) = schema.as_object_mut() {
        map.remove("required");
    }
    schema
}

/// The fields of a list operation's page that its tool's answer replaces:
/// the items (as `items`), the count (as `total`), the links and the token
/// of the next page (as `next_cursor`). Every other field of the page is
/// kept in the answer.
pub fn page_fields_replaced(op: &Operation) -> Vec<&'static str> {
    match op.paging {
        Paging::Offset { items, .. } => vec![items, "count", "next", "previous"],
        Paging::Token { items, next, .. } => vec![items, next, "count", "previous"],
        Paging::Whole { items } => vec![items, "count", "next", "previous"],
        Paging::NotAList => Vec::new(),
    }
}

/// The answer of a list tool, from the schema of the operation's page:
/// `items` (the item schema, any of its fields), `total`, `next_cursor`,
/// and the page's other fields.
fn list_answer(op: &Operation, page: &Value, defs: &Map<String, Value>) -> Value {
    let page = resolved(page, defs);
    let replaced = page_fields_replaced(op);
    let items_field = replaced[0];
    let page_properties = page["properties"].as_object().cloned().unwrap_or_default();
    let item = page_properties
        .get(items_field)
        .and_then(|list| list.get("items"))
        .map(|item| any_fields(resolved(item, defs)))
        .unwrap_or_else(|| json!({}));
    let mut properties = Map::new();
    properties.insert("items".into(), json!({"type": "array", "items": item}));
    properties.insert("total".into(), json!({"type": "integer", "minimum": 0}));
    properties.insert("next_cursor".into(), json!({"type": "string"}));
    let mut required = vec![json!("items")];
    for (name, schema) in page_properties {
        if replaced.contains(&name.as_str()) {
            continue;
        }
        if page["required"]
            .as_array()
            .is_some_and(|r| r.contains(&json!(name)))
        {
            required.push(json!(name));
        }
        properties.insert(name, schema);
    }
    json!({"type": "object", "required": required, "properties": properties})
}

/// Whether `schema` describes only objects.
fn is_object(schema: &Value, defs: &Map<String, Value>) -> bool {
    let schema = resolved(schema, defs);
    schema["type"] == "object"
        || schema["anyOf"]
            .as_array()
            .is_some_and(|list| list.iter().all(|s| is_object(s, defs)))
}

/// The answer of a tool whose operation answers no body.
pub fn done_answer() -> Value {
    json!({
        "type": "object",
        "required": ["done", "status", "summary"],
        "properties": {
            "done": {"const": true},
            "status": {"type": "integer"},
            "summary": {"type": "string"},
        }
    })
}

/// The `outputSchema` of `op`'s tool. `cut`: the tool takes `fields`, so
/// an answer's (or each item's) top-level fields may be any of its own.
pub fn of_operation(op: &Operation, cut: bool) -> Map<String, Value> {
    let Some(schema) = op.response_schema() else {
        return answer::output_schema(done_answer());
    };
    let mut root = schema.to_value();
    compact(&mut root);
    let mut defs = match root.as_object_mut().and_then(|m| m.remove("$defs")) {
        Some(Value::Object(defs)) => defs,
        _ => Map::new(),
    };
    let mut success = if op.is_paged() {
        list_answer(op, &root, &defs)
    } else if is_object(&root, &defs) {
        if cut {
            any_fields(root)
        } else {
            root
        }
    } else {
        json!({"type": "object", "required": ["result"], "properties": {"result": root}})
    };
    settle_defs(&mut success, &mut defs);
    union_types(&mut success);
    defs.values_mut().for_each(union_types);
    let mut schema = answer::output_schema(success);
    if !defs.is_empty() {
        schema.insert("$defs".into(), Value::Object(defs));
    }
    schema
}

#[cfg(test)]
mod tests {
    use super::*;
    use wpe_api::operations::{self, OPERATIONS};

    fn validator(op: &Operation, cut: bool) -> jsonschema::Validator {
        jsonschema::validator_for(&Value::Object(of_operation(op, cut)))
            .unwrap_or_else(|err| panic!("{}: the output schema does not compile: {err}", op.id))
    }

    #[test]
    fn every_output_schema_compiles_is_compact_and_forbids_no_field() {
        for op in OPERATIONS {
            let schema = Value::Object(of_operation(op, op.method == "GET"));
            validator(op, op.method == "GET");
            let text = schema.to_string();
            // As keywords their value is text (a property may be called
            // `description`, a backup's, and its value is a schema).
            for word in [
                r#""additionalProperties":false"#,
                r#""description":""#,
                r#""title":""#,
                r#""$schema""#,
                r#""format":""#,
            ] {
                assert!(!text.contains(word), "{}: {word} in {text}", op.id);
            }
            if let Some(defs) = schema.get("$defs").and_then(Value::as_object) {
                for name in defs.keys() {
                    let uses = text.matches(&format!("#/$defs/{name}\"")).count();
                    assert!(uses > 1, "{}: {name} is used {uses} time(s)", op.id);
                }
            }
        }
    }

    #[test]
    fn a_list_answers_items_and_a_cursor_and_keeps_the_page_s_other_fields() {
        let list = operations::find("list_installs").unwrap();
        let validator = validator(list, true);
        let page = json!({"items": [{"id": "5d6e7f80-1a2b-4c3d-8e9f-0a1b2c3d4e5f", "name": "torquemag", "unknown": 1}], "total": 3, "next_cursor": "offset:1"});
        assert!(validator.is_valid(&page));
        // Cut to some fields.
        assert!(validator.is_valid(&json!({"items": [{"name": "torquemag"}]})));
        // The API's own page shape is not what the tool answers.
        assert!(!validator.is_valid(&json!({"results": []})));
        assert!(!validator.is_valid(&json!({"items": [{"name": 7}]})));

        let usage = operations::find("get_account_usage_metrics").unwrap();
        let schema = Value::Object(of_operation(usage, true));
        assert!(schema
            .to_string()
            .contains("account_storage_refresh_expected_time"));
        assert!(!schema.to_string().contains("next_page_token"));

        let users = operations::find("list_account_users").unwrap();
        let validator = self::validator(users, true);
        assert!(validator.is_valid(&json!({"items": [], "total": 0})));
        assert!(!validator.is_valid(&json!({"results": []})));
    }

    #[test]
    fn an_answer_without_a_body_is_done_and_an_error_always_fits() {
        let delete = operations::find("delete_install").unwrap();
        let validator = validator(delete, false);
        assert!(validator
            .is_valid(&json!({"done": true, "status": 204, "summary": "Delete an install"})));
        assert!(!validator.is_valid(&json!({"done": false, "status": 204, "summary": "x"})));
        for op in OPERATIONS {
            let validator = self::validator(op, op.method == "GET");
            assert!(
                validator
                    .is_valid(&json!({"error": {"kind": "api", "message": "no", "status": 404}})),
                "{}",
                op.id
            );
        }
    }
}
