//! Converting one Swagger 2.0 operation (and its parameters) to our OpenAPI 3.0 conventions.

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

use super::convert::{Converter, InlineBody, Named};
use super::pointer::{escape, resolve};
use super::scaffold::{path_segments, set_before};
use super::schema::describe;
use super::{
    generated_operation_id, pascal, Inference, DESCRIBE, ERROR_RANGES, ERROR_RESPONSE, MARKER,
};

/// The `x-wpe-replaces` reason an import gives a PUT.
const PUT_REPLACES: &str =
    "A PUT replaces the whole resource: whatever the request leaves out is lost.";

pub(super) struct ConvertedOperation {
    pub(super) id: String,
    pub(super) generated_id: bool,
    pub(super) tags: Vec<String>,
    pub(super) value: Value,
}

impl Converter<'_> {
    /// Converts one upstream operation to our conventions; `index` is its place among the new
    /// operations (its inline bodies are named once all are converted).
    pub(super) fn operation(
        &mut self,
        index: usize,
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
        let mut tags: Vec<String> = op["tags"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| t.as_str().map(str::to_string))
            .collect();
        if tags.is_empty() {
            // wpe-api files every operation under its first tag.
            let (tag, why) = neighbour_tag(ours, path);
            self.inferences.push(Inference {
                target: id.clone(),
                fact: format!("tags [{tag}]: upstream gives it none; {why}"),
            });
            tags.push(tag);
        }
        out.insert("tags".into(), json!(tags));
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
                Some(location @ ("header" | "cookie")) => self.notes.push(format!(
                    "{id}: {location} parameter {name} not imported (wpe-api sends path and query parameters only)"
                )),
                _ => parameters.push(self.parameter(ours, p, &id)),
            }
        }
        if !parameters.is_empty() {
            out.insert("parameters".into(), Value::Array(parameters));
        }
        if let Some(b) = body {
            let schema = self.schema(&b["schema"], None, None);
            if schema.get("$ref").is_none() {
                let op_name = pascal(&id);
                self.inline_bodies.push(InlineBody {
                    op_index: index,
                    op: id.clone(),
                    pointer: "/requestBody/content/application~1json/schema".into(),
                    what: "request body".into(),
                    wanted: format!("{op_name}Request"),
                    why: "`<OperationId>Request`".into(),
                    page: false,
                    schema: schema.clone(),
                    upstream: b["schema"].clone(),
                });
            }
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
        if method == "put" {
            // A PUT replaces what it addresses: not only additive
            // (wpe-api's `Operation::replaces`, MCP's `destructiveHint`).
            out.insert("x-wpe-replaces".into(), json!(PUT_REPLACES));
            self.inferences.push(Inference {
                target: id.clone(),
                fact: "x-wpe-replaces: a PUT replaces the whole resource".into(),
            });
        }

        let mut responses = Map::new();
        let mut errors = BTreeSet::new();
        let mut bodies = Vec::new();
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
                if converted.get("$ref").is_none() {
                    bodies.push((status.clone(), converted.clone(), schema));
                }
                r.insert(
                    "content".into(),
                    json!({"application/json": {"schema": converted}}),
                );
            }
            responses.insert(status.clone(), Value::Object(r));
        }
        let paging = if method == "get" {
            self.paging(&id, &params, op)
        } else {
            None
        };
        if let Some(paging) = &paging {
            set_before(&mut out, "x-wpe-paging", paging.clone(), "x-wpe-idempotent");
        }
        for (status, converted, upstream) in bodies {
            let item = results_item(&converted);
            let paged = status == "200" && paging.is_some() && item.is_some();
            let (wanted, why) = match item {
                Some(item) if paged => (
                    format!("{}Page", plural(&item)),
                    format!("`<Item>sPage`: a page of {item} (x-wpe-paging)"),
                ),
                Some(item) => (
                    format!("{}List", plural(&item)),
                    format!("`<Item>sList`: a `results` list of {item}"),
                ),
                None => (
                    format!("{}Response", pascal(&id)),
                    "`<OperationId>Response`".into(),
                ),
            };
            self.inline_bodies.push(InlineBody {
                op_index: index,
                op: id.clone(),
                pointer: format!(
                    "/responses/{}/content/application~1json/schema",
                    escape(&status)
                ),
                what: format!("{status} body"),
                wanted,
                why,
                page: paged,
                schema: converted,
                upstream,
            });
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

    /// A parameter: a `$ref` to one of ours' component parameters when one says the same, else
    /// inline (an inline enum as a component schema `<OperationId><Param>` of its own).
    fn parameter(&mut self, ours: &Value, p: &Value, op: &str) -> Value {
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
        let mut schema = Value::Object(schema);
        if schema.get("enum").is_some() {
            let name = p["name"].as_str().unwrap_or_default();
            let wanted = format!("{}{}", pascal(op), pascal(name));
            let mut upstream = schema.clone();
            if let Some(m) = upstream.as_object_mut() {
                m.remove("nullable");
                if p.get("x-nullable").is_some() {
                    m.insert("x-nullable".into(), p["x-nullable"].clone());
                }
            }
            let what = format!("the enum of {op}'s {location} parameter {name}");
            let component = match self.name_for(&wanted, &upstream, &what) {
                Named::Ours(n) => n,
                Named::New(n) => {
                    if let Some(m) = schema.as_object_mut() {
                        describe(m);
                    }
                    self.new_schemas.push((n.clone(), schema));
                    n
                }
            };
            self.inferences.push(Inference {
                target: component.clone(),
                fact: format!(
                    "names {what} (`<OperationId><Param>`: wpe-api needs a named type for it)"
                ),
            });
            schema = json!({"$ref": format!("#/components/schemas/{component}")});
        }
        json!({"name": p["name"], "in": location, "required": required, "description": DESCRIBE, "schema": schema})
    }

    /// `x-wpe-paging` for a GET with `limit` and `offset` query parameters whose 200 body has a
    /// `results` array of objects: keyed by `id`, else by the items' first required string or
    /// integer property that is not an enum (to confirm).
    fn paging(&mut self, id: &str, params: &[Value], op: &Value) -> Option<Value> {
        let query: BTreeSet<&str> = params
            .iter()
            .filter(|p| p["in"] == "query")
            .filter_map(|p| p["name"].as_str())
            .collect();
        if !(query.contains("limit") && query.contains("offset")) {
            return None;
        }
        let response = resolve(self.up, &op["responses"]["200"]);
        let body = match op["responses"]["200"].get("$ref").and_then(Value::as_str) {
            Some(r) if r.starts_with("#/definitions/") => &op["responses"]["200"],
            _ => &response["schema"],
        };
        let body = resolve(self.up, body);
        let results = resolve(self.up, &body["properties"]["results"]);
        if results["type"] != "array" || results["items"].get("$ref").is_none() {
            return None;
        }
        let item_ref = results["items"]["$ref"].as_str().unwrap_or_default();
        let item_name = item_ref.rsplit('/').next().unwrap_or(item_ref).to_string();
        let item = resolve(self.up, &results["items"]);
        let props = item["properties"].as_object()?;
        let (key, why) = if props.contains_key("id") {
            (
                "id".to_string(),
                "a `results` array of objects with an `id`".to_string(),
            )
        } else {
            let key = item["required"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .find(|k| {
                    props.get(*k).is_some_and(|p| {
                        let p = resolve(self.up, p);
                        (p["type"] == "string" || p["type"] == "integer") && p.get("enum").is_none()
                    })
                })?;
            (
                key.to_string(),
                format!("a `results` array of {item_name}, which has no `id`: its first required string or integer property that is not an enum, `{key}`, is the key the page streams tell items apart by; check that no two items share it"),
            )
        };
        self.inferences.push(Inference {
            target: id.to_string(),
            fact: format!(
                "x-wpe-paging {{style: offset, items: results, key: {key}}}: limit+offset query parameters and {why}"
            ),
        });
        Some(json!({"style": "offset", "items": "results", "key": key}))
    }
}

/// The item schema name of a converted body whose `results` is an array of `$ref`s.
fn results_item(body: &Value) -> Option<String> {
    if body.get("type").is_some_and(|t| t != "object") {
        return None;
    }
    let results = &body["properties"]["results"];
    if results["type"] != "array" {
        return None;
    }
    let item = results["items"]["$ref"].as_str()?;
    item.strip_prefix("#/components/schemas/")
        .map(super::pointer::unescape)
}

/// `Archive` -> `Archives`, `Policy` -> `Policies`, `Address` -> `Addresses`.
pub(super) fn plural(name: &str) -> String {
    let consonant_y =
        name.ends_with('y') && !name[..name.len() - 1].ends_with(['a', 'e', 'i', 'o', 'u']);
    if consonant_y {
        format!("{}ies", &name[..name.len() - 1])
    } else if ["s", "x", "z", "ch", "sh"]
        .iter()
        .any(|e| name.ends_with(e))
    {
        format!("{name}es")
    } else {
        format!("{name}s")
    }
}

/// The tag for an operation upstream gives none: the first tag of ours' operation that shares
/// the most leading path segments with it, else one made of its first fixed segment.
fn neighbour_tag(ours: &Value, path: &str) -> (String, String) {
    let segs = path_segments(path);
    let mut best: Option<(usize, String, String)> = None;
    for (p, item) in ours["paths"].as_object().into_iter().flatten() {
        let shared = path_segments(p)
            .iter()
            .zip(&segs)
            .take_while(|(a, b)| a == b)
            .count();
        if shared == 0 || best.as_ref().is_some_and(|(n, _, _)| *n >= shared) {
            continue;
        }
        let found = item.as_object().into_iter().flatten().find_map(|(m, op)| {
            let tag = op["tags"][0].as_str()?;
            let id = op["operationId"].as_str().unwrap_or(m);
            Some((tag.to_string(), id.to_string()))
        });
        if let Some((tag, op)) = found {
            best = Some((shared, tag, op));
        }
    }
    match best {
        Some((_, tag, op)) => (tag, format!("{op}'s, the nearest path of ours")),
        None => {
            let first = segs
                .iter()
                .find(|s| !s.starts_with('{'))
                .copied()
                .unwrap_or("api");
            let words: Vec<String> = first
                .split(['_', '-'])
                .filter(|w| !w.is_empty())
                .map(pascal)
                .collect();
            (words.join(" "), "made from its first path segment".into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plurals() {
        assert_eq!(plural("Archive"), "Archives");
        assert_eq!(plural("SiteTransfer"), "SiteTransfers");
        assert_eq!(plural("Policy"), "Policies");
        assert_eq!(plural("Key"), "Keys");
        assert_eq!(plural("Address"), "Addresses");
    }

    #[test]
    fn an_operation_without_tags_takes_its_neighbours() {
        let ours = json!({"paths": {
            "/accounts": {"get": {"operationId": "listAccounts", "tags": ["Account"]}},
            "/installs/{install_id}": {"get": {"operationId": "getInstall", "tags": ["Install"]}}}});
        assert_eq!(
            neighbour_tag(&ours, "/installs/{install_id}/things").0,
            "Install"
        );
        assert_eq!(neighbour_tag(&ours, "/sftp_users").0, "Sftp Users");
    }
}
