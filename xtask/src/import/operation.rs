//! Converting one Swagger 2.0 operation (and its parameters) to our OpenAPI 3.0 conventions.

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

use super::convert::Converter;
use super::pointer::resolve;
use super::{generated_operation_id, Inference, DESCRIBE, ERROR_RANGES, ERROR_RESPONSE, MARKER};

pub(super) struct ConvertedOperation {
    pub(super) id: String,
    pub(super) generated_id: bool,
    pub(super) tags: Vec<String>,
    pub(super) value: Value,
}

impl Converter<'_> {
    /// Converts one upstream operation to our conventions.
    pub(super) fn operation(
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
}
