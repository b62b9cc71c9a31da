//! The per-operation table, generated from the spec's paths and their
//! `x-wpe-*` extensions (see `src/operations.rs` for what each one means).
//!
//! Writes four files into `OUT_DIR`:
//! - `operations.rs`: the `OPERATIONS` array (with each operation's
//!   parameters and request body), the `index_of` lookup, and (feature
//!   `schemars`) the JSON Schemas of request bodies and of answers by name;
//! - `dispatch.rs`: one function per operation that sets a typed builder from
//!   text values and a JSON body, and the `send`/`stream` dispatchers over
//!   them (see `src/operations/dispatch.rs`);
//! - `paged.rs`: one `Paginate` implementation per operation with `x-wpe-paging`;
//! - `fake_handlers.rs`: the stand-in's handler of every operation, in table
//!   order (`None` where `src/fake/` has none yet).

use heck::{ToSnakeCase, ToUpperCamelCase};
use serde_json::Value;
use std::fmt::Write as _;

/// One operation as the generators need it.
struct Op<'a> {
    path: &'a str,
    method: &'a str,
    raw: &'a Value,
    operation_id: &'a str,
    params: Vec<Param>,
    /// The schema name of the JSON request body, and whether it is required.
    body: Option<(String, bool)>,
}

/// One path or query parameter, resolved from `components/parameters`.
struct Param {
    name: String,
    location: &'static str,
    required: bool,
    description: String,
    /// `ParamKind` as Rust source, e.g. `ParamKind::Uuid`.
    kind: String,
    /// The Rust type the typed builder's setter takes.
    rust_type: String,
}

/// Follows a `#/components/<section>/<name>` reference; returns the name too.
fn resolve<'a>(spec: &'a Value, value: &'a Value) -> (Option<&'a str>, &'a Value) {
    match value.get("$ref").and_then(Value::as_str) {
        None => (None, value),
        Some(reference) => {
            let mut parts = reference
                .strip_prefix("#/components/")
                .unwrap_or_else(|| panic!("unsupported $ref {reference}"))
                .split('/');
            let (section, name) = (parts.next().unwrap(), parts.next().unwrap());
            let target = spec["components"][section]
                .get(name)
                .unwrap_or_else(|| panic!("dangling $ref {reference}"));
            (Some(name), target)
        }
    }
}

/// The first line of a description, for one-line help.
fn one_line(text: &str) -> String {
    text.lines().next().unwrap_or("").trim().to_owned()
}

fn param(spec: &Value, raw: &Value, op: &str) -> Param {
    let (_, p) = resolve(spec, raw);
    let name = str_field(p, "name", op).to_owned();
    let location = match str_field(p, "in", op) {
        "path" => "Path",
        "query" => "Query",
        other => panic!("{op}: parameter {name} is in {other}: only path and query are supported"),
    };
    let (schema_name, schema) = resolve(spec, &p["schema"]);
    let (kind, natural) = scalar_kind(schema).unwrap_or_else(|| {
        panic!(
            "{op}: parameter {name} has unsupported type {:?}",
            schema["type"]
        )
    });
    // A named schema is a type of its own in `crate::types`; an inline one
    // is the natural Rust type, as progenitor makes them.
    let rust_type = match (schema_name, natural) {
        (Some(schema), _) => format!("crate::types::{}", schema.to_upper_camel_case()),
        (None, Some(natural)) => natural.to_owned(),
        (None, None) => {
            panic!(
                "{op}: parameter {name}: an inline enum needs a named schema (components/schemas)"
            )
        }
    };
    let description = one_line(p["description"].as_str().unwrap_or_else(|| {
        panic!("{op}: parameter {name} needs a description (it is the CLI's help)")
    }));
    Param {
        required: p["required"].as_bool().unwrap_or(false),
        name,
        location,
        description,
        kind,
        rust_type,
    }
}

/// A scalar schema's `ParamKind` as Rust source, and the natural Rust type
/// of an inline schema of that kind (`None` for an enum, which needs a
/// named schema); `None` for an object or an array.
fn scalar_kind(schema: &Value) -> Option<(String, Option<&'static str>)> {
    let int = |key: &str| match schema.get(key) {
        None => "None".to_owned(),
        Some(v) => format!("Some({})", v.as_i64().expect("integer bound")),
    };
    Some(match (schema["type"].as_str(), schema["format"].as_str()) {
        (Some("string"), _) if schema.get("enum").is_some() => {
            let values: Vec<&str> = schema["enum"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().expect("string enum value"))
                .collect();
            (format!("ParamKind::Enum(&{values:?})"), None)
        }
        (Some("string"), Some("uuid")) => ("ParamKind::Uuid".to_owned(), Some("uuid::Uuid")),
        (Some("string"), Some("date")) => ("ParamKind::Date".to_owned(), Some("chrono::NaiveDate")),
        (Some("string"), Some("date-time")) => (
            "ParamKind::DateTime".to_owned(),
            Some("chrono::DateTime<chrono::Utc>"),
        ),
        (Some("string"), _) => ("ParamKind::String".to_owned(), Some("String")),
        (Some("integer"), _) => {
            let natural = if schema["minimum"].as_i64().is_some_and(|m| m >= 0) {
                "u64"
            } else {
                "i64"
            };
            (
                format!(
                    "ParamKind::Integer {{ minimum: {}, maximum: {} }}",
                    int("minimum"),
                    int("maximum")
                ),
                Some(natural),
            )
        }
        (Some("boolean"), _) => ("ParamKind::Boolean".to_owned(), Some("bool")),
        _ => return None,
    })
}

/// A property's schema with `$ref` and a one-member `allOf` (how the spec
/// makes a referenced schema nullable or gives it a description) followed.
fn property_schema<'a>(spec: &'a Value, property: &'a Value) -> &'a Value {
    let (_, target) = resolve(spec, property);
    match target
        .get("allOf")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
    {
        Some([one]) => property_schema(spec, one),
        _ => target,
    }
}

/// The top-level fields of the request body schema `name`, as `Field`
/// literals: a scalar by its kind, an array of scalars as a list of that
/// kind, anything else (an object, a list of objects) as JSON text.
fn body_fields(spec: &Value, name: &str) -> String {
    let schema = &spec["components"]["schemas"][name];
    let required: Vec<&str> = schema["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let mut fields = String::new();
    for (field, property) in schema["properties"].as_object().into_iter().flatten() {
        let target = property_schema(spec, property);
        let kind = match scalar_kind(target) {
            Some((kind, _)) => format!("FieldKind::Scalar({kind})"),
            None if target["type"] == "array" => {
                match scalar_kind(property_schema(spec, &target["items"])) {
                    Some((kind, _)) => format!("FieldKind::List({kind})"),
                    None => "FieldKind::Json".to_owned(),
                }
            }
            None => "FieldKind::Json".to_owned(),
        };
        // An imported spec may leave a field undescribed: its name, in words,
        // is the help then (our curated spec describes every field).
        let description = [property, target]
            .iter()
            .find_map(|v| v["description"].as_str())
            .map_or_else(|| format!("The {}.", field.replace('_', " ")), one_line);
        let _ = write!(
            fields,
            "Field {{ name: {field:?}, kind: {kind}, required: {}, description: {description:?} }}, ",
            required.contains(&field.as_str())
        );
    }
    fields
}

fn request_body(spec: &Value, raw: &Value, op: &str) -> Option<(String, bool)> {
    let (_, body) = resolve(spec, raw.get("requestBody")?);
    let schema = body["content"]["application/json"]["schema"]["$ref"]
        .as_str()
        .unwrap_or_else(|| panic!("{op}: a request body must be a JSON $ref"));
    let name = schema
        .trim_start_matches("#/components/schemas/")
        .to_owned();
    Some((name, body["required"].as_bool().unwrap_or(false)))
}

impl Op<'_> {
    fn snake(&self) -> String {
        self.operation_id.to_snake_case()
    }
    fn builder(&self) -> String {
        self.operation_id.to_upper_camel_case()
    }
    fn resource(&self) -> String {
        let tag = self.raw["tags"][0]
            .as_str()
            .unwrap_or_else(|| panic!("{}: no tag", self.operation_id));
        tag.to_snake_case()
    }
    /// The success status and the schema name of its JSON body, if any.
    fn success(&self) -> (u16, Option<&str>) {
        let responses = self.raw["responses"].as_object().expect("responses");
        let (status, response) = responses
            .iter()
            .find(|(status, _)| status.starts_with('2'))
            .unwrap_or_else(|| panic!("{}: no 2xx response", self.operation_id));
        let schema = response["content"]["application/json"]["schema"]["$ref"]
            .as_str()
            .map(|r| r.trim_start_matches("#/components/schemas/"));
        (status.parse().expect("numeric 2xx status"), schema)
    }
}

fn operations(spec: &Value) -> Vec<Op<'_>> {
    let mut ops = Vec::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for (method, raw) in item.as_object().expect("path item") {
            assert_ne!(
                method, "parameters",
                "{path}: path-level parameters are not supported"
            );
            let operation_id = raw["operationId"].as_str().expect("operationId");
            let params: Vec<Param> = raw
                .get("parameters")
                .and_then(Value::as_array)
                .map(|list| list.iter().map(|p| param(spec, p, operation_id)).collect())
                .unwrap_or_default();
            let mut names: Vec<&str> = params.iter().map(|p| p.name.as_str()).collect();
            names.sort_unstable();
            names.dedup();
            assert_eq!(
                names.len(),
                params.len(),
                "{operation_id}: a parameter name repeats"
            );
            ops.push(Op {
                path,
                method,
                raw,
                operation_id,
                params,
                body: request_body(spec, raw, operation_id),
            });
        }
    }
    ops
}

/// `x-wpe-paging.empty_status` and `empty_message`: the error answer that
/// stands for a list with no items, if the API answers one instead of an
/// empty page, as the Rust expression of an `Option<EmptyAnswer>`. The status
/// must be a 4xx, and comes with the text the "none" answer's message holds
/// (a status alone would also swallow a missing parent's error).
fn empty_answer(paging: &Value, op: &str) -> String {
    let status = paging.get("empty_status").map(|status| {
        status
            .as_u64()
            .and_then(|s| u16::try_from(s).ok())
            .filter(|s| (400..500).contains(s))
            .unwrap_or_else(|| panic!("{op}: `empty_status` must be a 4xx status, not {status}"))
    });
    let message = paging.get("empty_message").map(|message| {
        message
            .as_str()
            .filter(|m| !m.trim().is_empty())
            .unwrap_or_else(|| {
                panic!("{op}: `empty_message` must be the non-empty text the \"none\" answer's message holds, not {message}")
            })
    });
    match (status, message) {
        (None, None) => "None".to_owned(),
        (Some(status), Some(message)) => {
            format!("Some(EmptyAnswer {{ status: {status}, message: {message:?} }})")
        }
        (Some(_), None) => panic!(
            "{op}: `empty_status` needs `empty_message`, the text its \"none\" answer's message holds \
             (the status alone also stands for a missing parent)"
        ),
        (None, Some(_)) => panic!("{op}: `empty_message` needs `empty_status`"),
    }
}

/// `x-wpe-paging.key`: the property that tells items apart, or a list of
/// properties that do so together.
fn key_fields<'a>(paging: &'a Value, op: &str) -> Vec<&'a str> {
    match &paging["key"] {
        Value::String(key) => vec![key.as_str()],
        Value::Array(keys) if !keys.is_empty() => keys
            .iter()
            .map(|k| {
                k.as_str()
                    .unwrap_or_else(|| panic!("{op}: a key is a property name"))
            })
            .collect(),
        other => panic!("{op}: `key` must be a property name or a list of them, not {other}"),
    }
}

/// The Rust field typify makes of a property (`type` -> `type_`).
fn rust_field(property: &str) -> String {
    let field = property.to_snake_case();
    match field.as_str() {
        "type" | "match" | "ref" | "self" | "loop" | "move" | "use" | "where" | "static" => {
            format!("{field}_")
        }
        _ => field,
    }
}

fn str_field<'a>(value: &'a Value, key: &str, op: &str) -> &'a str {
    value[key]
        .as_str()
        .unwrap_or_else(|| panic!("{op}: `{key}` must be a string in {value}"))
}

/// Writes the generated files into `out`.
pub fn write(spec: &Value, out: &std::path::Path) {
    let ops = operations(spec);
    std::fs::write(out.join("operations.rs"), table(spec, &ops)).expect("write operations.rs");
    std::fs::write(out.join("paged.rs"), paged(spec, &ops)).expect("write paged.rs");
    std::fs::write(out.join("dispatch.rs"), dispatch(&ops)).expect("write dispatch.rs");
    let fake = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/fake");
    std::fs::write(out.join("fake_handlers.rs"), handlers(&ops, &fake))
        .expect("write fake_handlers.rs");
}

/// The properties of the schema `name` whose schema is marked `x-wpe-secret`.
fn secret_fields<'a>(spec: &'a Value, name: &str) -> Vec<&'a str> {
    let schema = &spec["components"]["schemas"][name];
    let mut fields = Vec::new();
    for (field, property) in schema["properties"].as_object().into_iter().flatten() {
        let (_, target) = resolve(spec, property);
        if target.get("x-wpe-secret").and_then(Value::as_bool) == Some(true) {
            fields.push(field.as_str());
        }
    }
    fields
}

fn table(spec: &Value, ops: &[Op<'_>]) -> String {
    let ids: std::collections::HashSet<&str> = ops.iter().map(|op| op.operation_id).collect();
    let mut code = String::from("/// Every operation of the spec, in the spec's order.\n");
    let _ = writeln!(code, "pub static OPERATIONS: &[Operation] = &[");
    for op in ops {
        let id = op.operation_id;
        let x = op.raw;
        let idempotent = x["x-wpe-idempotent"]
            .as_bool()
            .unwrap_or_else(|| panic!("{id}: `x-wpe-idempotent` (true or false) is required"));
        let authenticated = x
            .get("security")
            .and_then(Value::as_array)
            .is_none_or(|s| !s.is_empty());
        let paging = match x.get("x-wpe-paging") {
            None => "Paging::NotAList".to_owned(),
            Some(p) => {
                let items = str_field(p, "items", id);
                match str_field(p, "style", id) {
                    "offset" => format!(
                        "Paging::Offset {{ items: {items:?}, key: {:?}, empty: {} }}",
                        key_fields(p, id).join("+"),
                        empty_answer(p, id)
                    ),
                    "token" => format!(
                        "Paging::Token {{ items: {items:?}, next: {:?}, param: {:?} }}",
                        str_field(p, "next", id),
                        str_field(p, "param", id)
                    ),
                    "none" => format!("Paging::Whole {{ items: {items:?} }}"),
                    other => panic!("{id}: unknown paging style {other:?}"),
                }
            }
        };
        let rate_limit = match x.get("x-wpe-rate-limit") {
            None => "None".to_owned(),
            Some(l) => {
                assert_eq!(
                    str_field(l, "scope", id),
                    "install",
                    "{id}: only per-install limits exist"
                );
                let seconds = l["interval_seconds"].as_u64().expect("interval_seconds");
                let when = match l.get("when") {
                    None => "None".to_owned(),
                    Some(w) => format!(
                        "Some(BodyField {{ field: {:?}, equals: {:?} }})",
                        str_field(w, "field", id),
                        str_field(w, "equals", id)
                    ),
                };
                format!(
                    "Some(RateLimit {{ name: {:?}, interval: Duration::from_secs({seconds}), when: {when} }})",
                    str_field(l, "name", id)
                )
            }
        };
        let job = match x.get("x-wpe-job") {
            None => "None".to_owned(),
            Some(j) => {
                let poll = str_field(j, "poll", id);
                assert!(
                    ids.contains(poll),
                    "{id}: job polls unknown operation {poll}"
                );
                format!(
                    "Some(Job {{ name: {:?}, poll: {poll:?} }})",
                    str_field(j, "name", id)
                )
            }
        };
        let destructive = match (op.method, x.get("x-wpe-destructive")) {
            ("delete", Some(Value::Bool(false))) => {
                panic!("{id}: every DELETE is destructive; drop `x-wpe-destructive: false`")
            }
            ("delete", _) => true,
            (_, None) => false,
            (_, Some(Value::Object(_))) => true,
            (_, Some(v)) => v.as_bool().unwrap_or_else(|| {
                panic!("{id}: `x-wpe-destructive` is true, false or {{\"target\": BODY_FIELD}}")
            }),
        };
        // What an operation that is not destructive replaces or removes
        // beyond the values it is sent: optional, so that an imported spec
        // builds before anyone has judged its writes.
        let replaces = match x.get("x-wpe-replaces") {
            None => "None".to_owned(),
            Some(Value::String(reason)) if !reason.trim().is_empty() => {
                assert!(
                    op.method != "get",
                    "{id}: a GET changes nothing; drop `x-wpe-replaces`"
                );
                assert!(
                    !destructive,
                    "{id}: `x-wpe-destructive` already says more than `x-wpe-replaces`; drop it"
                );
                format!("Some({:?})", one_line(reason))
            }
            Some(other) => panic!(
                "{id}: `x-wpe-replaces` is the reason, in a sentence, why the operation is not \
                 only additive, not {other}"
            ),
        };
        // What a destructive operation overwrites, when no path parameter names it.
        let target = match x.get("x-wpe-destructive").and_then(|d| d.get("target")) {
            None => "None".to_owned(),
            Some(_) => {
                let field = str_field(&x["x-wpe-destructive"], "target", id);
                let schema = op.body.as_ref().map(|(schema, _)| schema.as_str());
                let known = schema.is_some_and(|schema| {
                    spec["components"]["schemas"][schema]["properties"]
                        .get(field)
                        .is_some()
                });
                assert!(
                    known,
                    "{id}: the destructive target {field} is no field of its body"
                );
                format!("Some({field:?})")
            }
        };
        let (status, schema) = op.success();
        let accepted = match x.get("x-wpe-accepted") {
            // A 202 without either still runs on (`Operation::runs_on`); an
            // imported spec may not say more yet, and a unit test holds ours to it.
            None => "None".to_owned(),
            Some(a) => {
                assert!(
                    x.get("x-wpe-job").is_none(),
                    "{id}: `x-wpe-job` already says the work goes on; drop `x-wpe-accepted`"
                );
                let follow = match a.get("follow") {
                    None => "None".to_owned(),
                    Some(_) => {
                        let follow = str_field(a, "follow", id);
                        assert!(
                            ops.iter()
                                .any(|o| o.operation_id == follow && o.method == "get"),
                            "{id}: `x-wpe-accepted` follows {follow}, which is no GET of the spec"
                        );
                        format!("Some({follow:?})")
                    }
                };
                let resend = match a.get("resend") {
                    None => true,
                    Some(v) => v
                        .as_bool()
                        .unwrap_or_else(|| panic!("{id}: `resend` is true or false")),
                };
                format!("Some(Accepted {{ follow: {follow}, resend: {resend} }})")
            }
        };
        let (response, decode) = match schema {
            None => ("None".to_owned(), "None".to_owned()),
            Some(name) => (
                format!("Some({name:?})"),
                format!(
                    "Some(round_trip::<crate::types::{}>)",
                    name.to_upper_camel_case()
                ),
            ),
        };
        let summary = one_line(
            x["summary"]
                .as_str()
                .unwrap_or_else(|| panic!("{id}: a summary is required (it is the CLI's help)")),
        );
        let mut params = String::new();
        for p in &op.params {
            let _ = write!(
                params,
                "Param {{ name: {:?}, location: Location::{}, kind: {}, required: {}, description: {:?} }}, ",
                p.name, p.location, p.kind, p.required, p.description
            );
        }
        let body = match &op.body {
            None => "None".to_owned(),
            Some((schema, required)) => format!(
                "Some(RequestBody {{ schema: {schema:?}, required: {required}, secrets: &{:?}, fields: &[{}] }})",
                secret_fields(spec, schema),
                body_fields(spec, schema)
            ),
        };
        let _ = writeln!(
            code,
            "    Operation {{ id: {snake:?}, operation_id: {id:?}, method: {method:?}, path: {path:?}, \
             resource: {resource:?}, summary: {summary:?}, params: &[{params}], body: {body}, \
             authenticated: {authenticated}, idempotent: {idempotent}, destructive: {destructive}, replaces: {replaces}, target: {target}, \
             paging: {paging}, rate_limit: {rate_limit}, job: {job}, accepted: {accepted}, success_status: {status}, \
             response: {response}, #[cfg(feature = \"dispatch\")] decode: {decode}, behaviours: {behaviours} }},",
            snake = op.snake(),
            method = op.method.to_uppercase(),
            path = op.path,
            resource = op.resource(),
            behaviours = crate::behaviours::table_field(x, id),
        );
    }
    code += "];\n\n/// The position in [`OPERATIONS`] of a client method name.\n";
    code += "fn index_of(id: &str) -> Option<usize> {\n    Some(match id {\n";
    for (index, op) in ops.iter().enumerate() {
        let _ = writeln!(code, "        {:?} => {index},", op.snake());
    }
    code += "        _ => return None,\n    })\n}\n";
    code += "\n/// The JSON Schema of the request body schema `name`, from the type the\n\
             /// client sends (`crate::types::<name>`); `None` for a name no body has.\n\
             #[cfg(feature = \"schemars\")]\n\
             fn body_schema_of(name: &str) -> Option<schemars::Schema> {\n    Some(match name {\n";
    let mut bodies: Vec<&str> = ops
        .iter()
        .filter_map(|op| op.body.as_ref().map(|(schema, _)| schema.as_str()))
        .collect();
    bodies.sort_unstable();
    bodies.dedup();
    for schema in bodies {
        let _ = writeln!(
            code,
            "        {schema:?} => schemars::schema_for!(crate::types::{}),",
            schema.to_upper_camel_case()
        );
    }
    code += "        _ => return None,\n    })\n}\n";
    code += "\n/// The JSON Schema of the success schema `name` as the client writes the\n\
             /// decoded answer back (`crate::types::<name>`, schemars' serialize\n\
             /// contract); `None` for a name no answer has.\n\
             #[cfg(feature = \"schemars\")]\n\
             fn response_schema_of(name: &str) -> Option<schemars::Schema> {\n    \
             let generator = schemars::generate::SchemaSettings::draft2020_12()\n        \
             .for_serialize()\n        .into_generator();\n    Some(match name {\n";
    let mut answers: Vec<&str> = ops.iter().filter_map(|op| op.success().1).collect();
    answers.sort_unstable();
    answers.dedup();
    for schema in answers {
        let _ = writeln!(
            code,
            "        {schema:?} => generator.into_root_schema_for::<crate::types::{}>(),",
            schema.to_upper_camel_case()
        );
    }
    code += "        _ => return None,\n    })\n}\n";
    code
}

/// The `Paginate` implementations, one macro call per paged operation.
fn paged(spec: &Value, ops: &[Op<'_>]) -> String {
    let schemas = &spec["components"]["schemas"];
    let schema = |name: &str| -> &Value {
        schemas
            .get(name)
            .unwrap_or_else(|| panic!("no schema {name}"))
    };
    let ref_name = |v: &Value| -> String {
        v["$ref"]
            .as_str()
            .unwrap_or_else(|| panic!("expected a $ref, got {v}"))
            .trim_start_matches("#/components/schemas/")
            .to_owned()
    };
    let mut code = String::new();
    for op in ops {
        let Some(p) = op.raw.get("x-wpe-paging") else {
            continue;
        };
        let id = op.operation_id;
        let (_, page) = op.success();
        let page =
            schema(page.unwrap_or_else(|| panic!("{id}: a paged operation needs a JSON body")));
        let items = str_field(p, "items", id);
        let item_name = ref_name(&page["properties"][items]["items"]);
        let item_type = format!("types::{}", item_name.to_upper_camel_case());
        let builder = op.builder();
        let required = |obj: &Value, key: &str| {
            obj["required"]
                .as_array()
                .is_some_and(|r| r.iter().any(|k| k == key))
        };
        match str_field(p, "style", id) {
            "offset" => {
                let item = schema(&item_name);
                let mut types = Vec::new();
                let mut values = Vec::new();
                let mut all_required = true;
                for key in key_fields(p, id) {
                    let prop = &item["properties"][key];
                    let field = rust_field(key);
                    let (key_type, owned) = match (prop["type"].as_str(), prop["format"].as_str()) {
                        _ if prop.get("$ref").is_some() => {
                            let (name, _) = resolve(spec, prop);
                            let name = name.expect("a named schema");
                            (format!("types::{}", name.to_upper_camel_case()), true)
                        }
                        (Some("string"), Some("uuid")) => ("uuid::Uuid".to_owned(), false),
                        (Some("string"), _) => ("String".to_owned(), true),
                        (Some("integer"), _) => ("i64".to_owned(), false),
                        other => panic!("{id}: key {key} has unsupported type {other:?}"),
                    };
                    types.push(key_type);
                    values.push(if owned {
                        format!("item.{field}.clone()")
                    } else {
                        format!("item.{field}")
                    });
                    all_required &= required(item, key);
                }
                let (key_type, key_expr) = match (types.as_slice(), values.as_slice()) {
                    ([key_type], [value]) if all_required => {
                        (key_type.clone(), format!("Some({value})"))
                    }
                    ([key_type], [value]) => (key_type.clone(), value.clone()),
                    _ => {
                        assert!(
                            all_required,
                            "{id}: the fields of a composite key must be required"
                        );
                        (
                            format!("({})", types.join(", ")),
                            format!("Some(({}))", values.join(", ")),
                        )
                    }
                };
                // A count written inline is an `i64`; one that refers to a
                // named integer schema is typify's newtype of one.
                let count_of = |c: &str| match page["properties"]["count"].get("$ref") {
                    Some(_) => format!("u64::try_from(i64::from({c})).ok()"),
                    None => format!("u64::try_from({c}).ok()"),
                };
                let count = match page["properties"].get("count") {
                    None => "None".to_owned(),
                    Some(_) if required(page, "count") => count_of("page.count"),
                    Some(_) => format!("page.count.and_then(|c| {})", count_of("c")),
                };
                let empty = empty_answer(p, id);
                let _ = writeln!(
                    code,
                    "offset_paged!({builder} => {item_type}, key {key_type}, |item| {key_expr}, |page| (page.{items}, {count}), empty on {empty});"
                );
            }
            "token" => {
                let _ = writeln!(
                    code,
                    "token_paged!({builder} => {item_type}, items {items}, next {}, param {});",
                    str_field(p, "next", id),
                    str_field(p, "param", id)
                );
            }
            "none" => {
                let _ = writeln!(
                    code,
                    "whole_list!({builder} => {item_type}, items {items});"
                );
            }
            other => panic!("{id}: unknown paging style {other:?}"),
        }
    }
    code
}

/// The dispatcher: per operation, a function that sets the typed builder
/// from text values and a JSON body (`request_<id>`), then `send` (every
/// operation) and `stream` (every operation with `x-wpe-paging`) that call
/// the right one. Every value goes through the builder's own setters.
fn dispatch(ops: &[Op<'_>]) -> String {
    let mut code = String::new();
    for op in ops {
        let snake = op.snake();
        let _ = writeln!(
            code,
            "/// Sets `{snake}`'s builder from `args` and `body`.\n\
             #[allow(unused_variables, unused_mut)]\n\
             fn request_{snake}<'a>(client: &'a Client, op: &Operation, args: &Args, body: Option<Value>) \
             -> Result<builder::{builder}<'a>, Error> {{\n    let mut request = client.{snake}();",
            builder = op.builder(),
        );
        for p in &op.params {
            let setter = p.name.to_snake_case();
            let _ = writeln!(
                code,
                "    if let Some(value) = args.typed::<{ty}>(op, {name:?})? {{ request = request.{setter}(value); }}",
                ty = p.rust_type,
                name = p.name,
            );
        }
        if let Some((schema, _)) = &op.body {
            let _ = writeln!(
                code,
                "    if let Some(body) = body {{ request = request.body(body_as::<crate::types::{}>(op, body)?); }}",
                schema.to_upper_camel_case()
            );
        }
        code += "    Ok(request)
}

";
    }
    code += "/// Sends the operation through its typed builder; the answer's body as JSON.
";
    code += "async fn send_typed(client: &Client, op: &Operation, args: &Args, body: Option<Value>) -> Result<Option<Value>, Error> {
";
    code += "    match op.id {
";
    for op in ops {
        let snake = op.snake();
        let answer = if op.success().1.is_some() {
            "Some(to_json(op, answer.into_inner())?)"
        } else {
            "{ let () = answer.into_inner(); None }"
        };
        let _ = writeln!(
            code,
            "        {snake:?} => {{ let answer = request_{snake}(client, op, args, body)?.send().await?; Ok({answer}) }}"
        );
    }
    code += "        other => Err(unknown_operation(other)),
    }
}

";
    code += "/// Streams the items of a paged operation through its typed builder's `Paginate`.
";
    code += "fn stream_typed<'a>(client: &'a Client, op: &Operation, args: &Args, options: PageOptions) -> Result<PageStream<'a, Value>, Error> {
";
    code += "    let op_id = op.id;
    Ok(match op_id {
";
    for op in ops.iter().filter(|op| op.raw.get("x-wpe-paging").is_some()) {
        let snake = op.snake();
        let _ = writeln!(
            code,
            "        {snake:?} => items_as_json(op_id, request_{snake}(client, op, args, None)?.stream_with(options)),"
        );
    }
    code += "        other => return Err(not_a_list(other)),
    })
}
";
    code
}

/// The stand-in's handlers in table order: `Some(fake::<resource>::<operation>)`
/// where `src/fake/<resource>.rs` defines that function, else `None` (the
/// stand-in answers 501 and a test names what to write), so that an import
/// that adds operations builds before anyone has written their handlers.
fn handlers(ops: &[Op<'_>], fake: &std::path::Path) -> String {
    let mut code = String::from("[\n");
    for op in ops {
        let (resource, snake) = (op.resource(), op.snake());
        let source =
            std::fs::read_to_string(fake.join(format!("{resource}.rs"))).unwrap_or_default();
        if defines_fn(&source, &snake) {
            let _ = writeln!(code, "    Some(super::{resource}::{snake} as Handler),");
        } else {
            let _ = writeln!(
                code,
                "    None, // {}: no fn {snake} in src/fake/{resource}.rs",
                op.operation_id
            );
        }
    }
    code + "]\n"
}

/// Whether `source` defines a function `name` (`fn name(` or `fn name<`).
fn defines_fn(source: &str, name: &str) -> bool {
    source.match_indices("fn ").any(|(at, _)| {
        let rest = &source[at + 3..];
        rest.strip_prefix(name)
            .is_some_and(|after| after.starts_with('(') || after.starts_with('<'))
            && source[..at]
                .chars()
                .next_back()
                .is_none_or(|c| !(c.is_alphanumeric() || c == '_'))
    })
}
