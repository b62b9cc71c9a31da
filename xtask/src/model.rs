//! Normalises Swagger 2.0 and OpenAPI 3.x documents into one comparable model of operations and schemas.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

/// HTTP methods an OpenAPI path item can hold, in the order they are read.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Deepest schema nesting followed before giving up (guards against pathological documents).
const MAX_DEPTH: usize = 64;

/// Most schema nodes expanded per document: `$ref`s are expanded in place, so a document whose
/// definitions reference each other many times over could otherwise grow exponentially.
const MAX_SCHEMA_NODES: usize = 250_000;

/// Locations kept per note (the rest are only counted).
const MAX_NOTE_LOCATIONS: usize = 20;

/// Which family of specification a document belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    /// Swagger 2.0 (`"swagger": "2.0"`).
    Swagger2,
    /// OpenAPI 3.0 or 3.1 (`"openapi": "3.x.y"`).
    OpenApi3,
}

/// Where a parameter travels in the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ParamLocation {
    /// A `{name}` segment of the path.
    Path,
    /// The query string.
    Query,
    /// A request header (names compared case-insensitively).
    Header,
    /// A cookie.
    Cookie,
}

impl ParamLocation {
    /// The lower-case name used in change locations (`parameter.query.limit`).
    pub fn as_str(self) -> &'static str {
        match self {
            ParamLocation::Path => "path",
            ParamLocation::Query => "query",
            ParamLocation::Header => "header",
            ParamLocation::Cookie => "cookie",
        }
    }
}

/// A normalised schema: `$ref`s resolved, nullability folded into one flag.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Schema {
    /// JSON type (`object`, `array`, `string`, ...), inferred as `object`/`array` from
    /// `properties`/`items` when absent; `None` means "any".
    pub ty: Option<String>,
    /// The `format` annotation (`uuid`, `date-time`, `int64`, ...).
    pub format: Option<String>,
    /// Whether `null` is allowed (`nullable`, `x-nullable`, `type: [.., "null"]`, or `null` in `enum`).
    pub nullable: bool,
    /// Allowed values, `null` excluded; `None` when the schema has no `enum`.
    pub enum_values: Option<Vec<Value>>,
    /// Object properties by name.
    pub properties: BTreeMap<String, Schema>,
    /// Names of required properties.
    pub required: BTreeSet<String>,
    /// Array item schema.
    pub items: Option<Box<Schema>>,
    /// Schema of `additionalProperties` when it is a schema (map values).
    pub additional: Option<Box<Schema>>,
    /// `oneOf`/`anyOf` alternatives that could not be folded into this schema.
    pub variants: Vec<Schema>,
    /// Numeric and size bounds, by keyword (`minimum`, `maxLength`, ...).
    pub bounds: BTreeMap<String, Value>,
    /// The `pattern` keyword.
    pub pattern: Option<String>,
    /// The `default` keyword.
    pub default: Option<Value>,
    /// Set when this position re-enters a schema already being expanded (a cycle): the `$ref` it named.
    pub recursive_ref: Option<String>,
    /// The enum is declared open (an `x-…open-enum: true` extension such as `x-wpe-open-enum`):
    /// clients keep unknown values instead of failing.
    pub open_enum: bool,
}

/// A normalised parameter (path, query, header or cookie).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Parameter {
    /// The parameter name as written in the document.
    pub name: String,
    /// Where the parameter travels.
    pub location: ParamLocation,
    /// Whether the parameter must be sent.
    pub required: bool,
    /// Type, format, enum, bounds, default and pattern of the value.
    pub schema: Schema,
}

impl Parameter {
    /// The key used to match parameters between documents: location plus name
    /// (header names lower-cased, because HTTP header names are case-insensitive).
    pub fn key(&self) -> (ParamLocation, String) {
        let name = if self.location == ParamLocation::Header {
            self.name.to_ascii_lowercase()
        } else {
            self.name.clone()
        };
        (self.location, name)
    }
}

/// A normalised request body.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequestBody {
    /// Whether the body must be sent.
    pub required: bool,
    /// The body schema, if the document gives one.
    pub schema: Option<Schema>,
}

/// A normalised response for one status code.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Response {
    /// The body schema, `None` for a response without a body.
    pub schema: Option<Schema>,
}

/// One operation, identified by method and path.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Operation {
    /// Upper-case HTTP method.
    pub method: String,
    /// Path template as written (`/installs/{install_id}`).
    pub path: String,
    /// The `operationId`, if any.
    pub operation_id: Option<String>,
    /// Parameters (path-level merged with operation-level), by [`Parameter::key`].
    pub parameters: BTreeMap<(ParamLocation, String), Parameter>,
    /// The request body, if any.
    pub request_body: Option<RequestBody>,
    /// Responses by status code (`200`, `4XX`, `default`).
    pub responses: BTreeMap<String, Response>,
}

/// Something odd found while normalising a document; reported, never fatal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Note {
    /// Which document: `upstream` or `ours`.
    pub side: String,
    /// What is odd, independent of where (so equal notes can be grouped).
    pub message: String,
    /// Where it was seen (`GET /installs response.429`, ...); the first few only.
    pub locations: Vec<String>,
    /// How many times it was seen.
    pub occurrences: usize,
}

/// A whole document, normalised.
#[derive(Debug, Clone, Serialize)]
pub struct Api {
    /// Swagger 2 or OpenAPI 3.
    pub dialect: Dialect,
    /// The `swagger`/`openapi` version string.
    pub spec_version: String,
    /// `info.title`, if any.
    pub title: Option<String>,
    /// `info.version`, if any.
    pub version: Option<String>,
    /// Operations keyed by (METHOD, path).
    pub operations: BTreeMap<(String, String), Operation>,
    /// Oddities met while normalising, grouped by message.
    pub notes: Vec<Note>,
}

/// Why a document could not be read as a spec at all.
#[derive(Debug)]
pub struct NotASpec(pub String);

impl std::fmt::Display for NotASpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Parses bytes as JSON (or YAML when they do not look like JSON or `yaml_hint` is set).
pub fn parse_document(bytes: &[u8], yaml_hint: bool) -> Result<Value, NotASpec> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| NotASpec(format!("document is not UTF-8 text: {e}")))?;
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.is_empty() {
        return Err(NotASpec("document is empty".into()));
    }
    let looks_json = trimmed.starts_with('{') || trimmed.starts_with('[');
    if looks_json && !yaml_hint {
        return serde_json::from_str(trimmed)
            .map_err(|e| NotASpec(format!("document is not valid JSON: {e}")));
    }
    serde_norway::from_str::<Value>(trimmed).map_err(|e| {
        NotASpec(format!(
            "document is not valid {}: {e}",
            if looks_json { "JSON" } else { "YAML" }
        ))
    })
}

/// Checks that a parsed document is Swagger 2.0 or OpenAPI 3.x and normalises it.
///
/// `side` (`upstream` or `ours`) labels the notes.
pub fn normalise(doc: &Value, side: &str) -> Result<Api, NotASpec> {
    let Some(root) = doc.as_object() else {
        return Err(NotASpec(
            "document is not a Swagger/OpenAPI spec: top level is not an object".into(),
        ));
    };
    let (dialect, spec_version) = match (root.get("swagger"), root.get("openapi")) {
        (Some(v), _) => (Dialect::Swagger2, scalar_string(v)),
        (None, Some(v)) => (Dialect::OpenApi3, scalar_string(v)),
        (None, None) => {
            return Err(NotASpec(
                "document is not a Swagger/OpenAPI spec: it has neither a `swagger` nor an `openapi` field".into(),
            ))
        }
    };
    let supported = match dialect {
        Dialect::Swagger2 => spec_version.starts_with('2'),
        Dialect::OpenApi3 => spec_version.starts_with('3'),
    };
    if !supported {
        return Err(NotASpec(format!(
            "unsupported spec version {spec_version:?} (expected Swagger 2.0 or OpenAPI 3.x)"
        )));
    }
    let mut n = Normaliser {
        root: doc,
        dialect,
        side: side.to_string(),
        notes: Vec::new(),
        budget: MAX_SCHEMA_NODES,
    };
    let operations = n.operations();
    let info = root.get("info");
    Ok(Api {
        dialect,
        spec_version,
        title: info
            .and_then(|i| i.get("title"))
            .and_then(Value::as_str)
            .map(str::to_string),
        version: info.and_then(|i| i.get("version")).map(scalar_string),
        operations,
        notes: n.notes,
    })
}

fn scalar_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

struct Normaliser<'a> {
    root: &'a Value,
    dialect: Dialect,
    side: String,
    notes: Vec<Note>,
    budget: usize,
}

impl<'a> Normaliser<'a> {
    fn note(&mut self, message: impl Into<String>, location: impl Into<String>) {
        let message = message.into();
        let location = location.into();
        if let Some(n) = self.notes.iter_mut().find(|n| n.message == message) {
            if !n.locations.contains(&location) {
                n.occurrences += 1;
                if n.locations.len() < MAX_NOTE_LOCATIONS {
                    n.locations.push(location);
                }
            }
        } else {
            self.notes.push(Note {
                side: self.side.clone(),
                message,
                locations: vec![location],
                occurrences: 1,
            });
        }
    }

    /// Resolves a local `$ref` (`#/a/b`) to the value it points at.
    fn lookup(&self, reference: &str) -> Option<&'a Value> {
        let pointer = reference.strip_prefix('#')?;
        if pointer.is_empty() {
            return Some(self.root);
        }
        let mut cur = self.root;
        for raw in pointer.strip_prefix('/')?.split('/') {
            let seg = percent_decode(raw).replace("~1", "/").replace("~0", "~");
            cur = match cur {
                Value::Object(m) => m.get(&seg)?,
                Value::Array(a) => a.get(seg.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(cur)
    }

    /// Follows `$ref` chains on a non-schema object (parameter, response, request body).
    fn deref_object(&mut self, v: &'a Value, at: &str) -> Option<&'a Value> {
        let mut cur = v;
        let mut seen = Vec::new();
        while let Some(r) = cur.get("$ref").and_then(Value::as_str) {
            if seen.iter().any(|s| s == r) {
                self.note(format!("$ref cycle through {r}"), at);
                return None;
            }
            seen.push(r.to_string());
            match self.lookup(r) {
                Some(t) => cur = t,
                None => {
                    self.note(format!("unresolvable $ref {r}"), at);
                    return None;
                }
            }
        }
        Some(cur)
    }

    fn operations(&mut self) -> BTreeMap<(String, String), Operation> {
        let mut ops = BTreeMap::new();
        let Some(paths) = self.root.get("paths").and_then(Value::as_object) else {
            self.note("document has no `paths` object", "paths");
            return ops;
        };
        let mut seen_ids: BTreeMap<String, String> = BTreeMap::new();
        for (path, item) in paths {
            let Some(item) = self.deref_object(item, path) else {
                continue;
            };
            if !item.is_object() {
                self.note("path item is not an object", path.clone());
                continue;
            }
            let shared = item.get("parameters");
            for method in METHODS {
                let Some(op) = item.get(method) else { continue };
                let upper = method.to_ascii_uppercase();
                let at = format!("{upper} {path}");
                if !op.is_object() {
                    self.note("operation is not an object", at);
                    continue;
                }
                let operation = self.operation(&upper, path, shared, op);
                match &operation.operation_id {
                    None => self.note("operation has no operationId", at.clone()),
                    Some(id) => {
                        if let Some(prev) = seen_ids.insert(id.clone(), at.clone()) {
                            self.note(
                                format!("operationId {id} is used more than once"),
                                format!("{prev} and {at}"),
                            );
                        }
                    }
                }
                ops.insert((upper, path.clone()), operation);
            }
        }
        ops
    }

    fn operation(
        &mut self,
        method: &str,
        path: &str,
        shared: Option<&'a Value>,
        op: &'a Value,
    ) -> Operation {
        let at = format!("{method} {path}");
        let mut parameters = BTreeMap::new();
        let mut request_body = None;
        let mut form_fields: Vec<(String, bool, Schema)> = Vec::new();
        for list in [shared, op.get("parameters")].into_iter().flatten() {
            let Some(list) = list.as_array() else {
                self.note("`parameters` is not a list", at.clone());
                continue;
            };
            for raw in list {
                let Some(p) = self.deref_object(raw, &at) else {
                    continue;
                };
                let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
                let location = p.get("in").and_then(Value::as_str).unwrap_or_default();
                let required = p.get("required").and_then(Value::as_bool).unwrap_or(false);
                let here = format!("{at} parameter.{location}.{name}");
                let loc = match location {
                    "path" => ParamLocation::Path,
                    "query" => ParamLocation::Query,
                    "header" => ParamLocation::Header,
                    "cookie" => ParamLocation::Cookie,
                    "body" => {
                        let here = format!("{at} request.body");
                        let schema = match p.get("schema") {
                            Some(s) => Some(self.schema(s, &here, &mut Vec::new(), 0)),
                            None => {
                                self.note("body parameter has no schema", here.clone());
                                None
                            }
                        };
                        request_body = Some(RequestBody { required, schema });
                        continue;
                    }
                    "formData" => {
                        let schema = self.schema(p, &here, &mut Vec::new(), 0);
                        form_fields.push((name.to_string(), required, schema));
                        continue;
                    }
                    other => {
                        self.note(
                            format!("parameter has unknown location {other:?}; ignored"),
                            here,
                        );
                        continue;
                    }
                };
                if name.is_empty() {
                    self.note("parameter has no name; ignored", here);
                    continue;
                }
                let schema = match (self.dialect, p.get("schema"), p.get("content")) {
                    (Dialect::OpenApi3, Some(s), _) => self.schema(s, &here, &mut Vec::new(), 0),
                    (Dialect::OpenApi3, None, Some(c)) => {
                        match self.pick_media(c, &here).and_then(|m| m.get("schema")) {
                            Some(s) => self.schema(s, &here, &mut Vec::new(), 0),
                            None => Schema::default(),
                        }
                    }
                    (Dialect::OpenApi3, None, None) => {
                        self.note("parameter has no schema", here);
                        Schema::default()
                    }
                    (Dialect::Swagger2, _, _) => self.schema(p, &here, &mut Vec::new(), 0),
                };
                let param = Parameter {
                    name: name.to_string(),
                    location: loc,
                    required: required || loc == ParamLocation::Path,
                    schema,
                };
                // Operation-level parameters come second and override path-level ones.
                parameters.insert(param.key(), param);
            }
        }
        if !form_fields.is_empty() {
            let mut schema = Schema {
                ty: Some("object".into()),
                ..Schema::default()
            };
            let mut any_required = false;
            for (name, required, s) in form_fields {
                if required {
                    schema.required.insert(name.clone());
                    any_required = true;
                }
                schema.properties.insert(name, s);
            }
            request_body = Some(RequestBody {
                required: any_required,
                schema: Some(schema),
            });
        }
        if let Some(rb) = op.get("requestBody") {
            if let Some(rb) = self.deref_object(rb, &format!("{at} request.body")) {
                let required = rb.get("required").and_then(Value::as_bool).unwrap_or(false);
                let here = format!("{at} request.body");
                let schema = match rb.get("content") {
                    Some(c) => self
                        .pick_media(c, &here)
                        .and_then(|m| m.get("schema"))
                        .map(|s| self.schema(s, &here, &mut Vec::new(), 0)),
                    None => None,
                };
                request_body = Some(RequestBody { required, schema });
            }
        }
        let mut responses = BTreeMap::new();
        match op.get("responses").and_then(Value::as_object) {
            None => self.note("operation has no `responses` object", at.clone()),
            Some(map) => {
                for (status, raw) in map {
                    if status.starts_with("x-") {
                        continue;
                    }
                    let here = format!("{at} response.{status}");
                    if let Some(r) = raw.get("$ref").and_then(Value::as_str) {
                        let expected = match self.dialect {
                            Dialect::Swagger2 => "#/responses/",
                            Dialect::OpenApi3 => "#/components/responses/",
                        };
                        if !r.starts_with(expected) {
                            self.note(
                                format!("response is a $ref to {r}, which is not a response definition; read as a response"),
                                here.clone(),
                            );
                        }
                    }
                    let Some(resp) = self.deref_object(raw, &here) else {
                        responses.insert(status.clone(), Response { schema: None });
                        continue;
                    };
                    let schema = match self.dialect {
                        Dialect::Swagger2 => resp.get("schema"),
                        Dialect::OpenApi3 => resp
                            .get("content")
                            .and_then(|c| self.pick_media(c, &here))
                            .and_then(|m| m.get("schema")),
                    }
                    .map(|s| self.schema(s, &here, &mut Vec::new(), 0));
                    responses.insert(status.clone(), Response { schema });
                }
            }
        }
        Operation {
            method: method.to_string(),
            path: path.to_string(),
            operation_id: op
                .get("operationId")
                .and_then(Value::as_str)
                .map(str::to_string),
            parameters,
            request_body,
            responses,
        }
    }

    /// Picks the media type object to compare: JSON first, else the first one listed.
    fn pick_media(&mut self, content: &'a Value, at: &str) -> Option<&'a Value> {
        let map = content.as_object()?;
        let json = map
            .iter()
            .find(|(k, _)| k.as_str() == "application/json")
            .or_else(|| map.iter().find(|(k, _)| k.contains("json")))
            .or_else(|| map.iter().next());
        let (_, media) = json?;
        self.deref_object(media, at)
    }

    /// Normalises one schema, resolving `$ref`s; `stack` holds the refs being expanded.
    fn schema(&mut self, v: &'a Value, at: &str, stack: &mut Vec<String>, depth: usize) -> Schema {
        if depth > MAX_DEPTH {
            self.note("schema nesting too deep; truncated", at);
            return Schema::default();
        }
        if self.budget == 0 {
            self.note("schemas expand to too many nodes; truncated", at);
            return Schema::default();
        }
        self.budget -= 1;
        let Some(obj) = v.as_object() else {
            if v.as_bool() != Some(true) {
                self.note("schema is not an object", at);
            }
            return Schema::default();
        };
        if let Some(r) = obj.get("$ref") {
            let Some(r) = r.as_str() else {
                self.note("$ref is not a string", at);
                return Schema::default();
            };
            if stack.iter().any(|s| s == r) {
                return Schema {
                    recursive_ref: Some(r.to_string()),
                    ..Schema::default()
                };
            }
            let mut resolved = match self.lookup(r) {
                Some(target) => {
                    stack.push(r.to_string());
                    let s = self.schema(target, at, stack, depth + 1);
                    stack.pop();
                    s
                }
                None => {
                    let why = if r.starts_with('#') {
                        "unresolvable"
                    } else {
                        "external (not followed)"
                    };
                    self.note(format!("{why} $ref {r}"), at);
                    Schema::default()
                }
            };
            // Siblings of $ref: only nullability is honoured (x-nullable/nullable next to $ref is a common idiom).
            if obj.get("x-nullable").and_then(Value::as_bool) == Some(true)
                || obj.get("nullable").and_then(Value::as_bool) == Some(true)
            {
                resolved.nullable = true;
            }
            return resolved;
        }

        let mut s = Schema::default();
        match obj.get("type") {
            Some(Value::String(t)) => s.ty = Some(t.clone()),
            Some(Value::Array(ts)) => {
                let mut non_null: Vec<String> = Vec::new();
                for t in ts {
                    match t.as_str() {
                        Some("null") => s.nullable = true,
                        Some(t) => non_null.push(t.to_string()),
                        None => self.note("`type` list holds a non-string", at),
                    }
                }
                match non_null.len() {
                    0 => {}
                    1 => s.ty = non_null.pop(),
                    _ => s.ty = Some(non_null.join("|")),
                }
            }
            Some(_) => self.note("`type` is neither a string nor a list", at),
            None => {}
        }
        if s.ty.as_deref() == Some("null") {
            s.ty = None;
            s.nullable = true;
        }
        s.format = obj
            .get("format")
            .and_then(Value::as_str)
            .map(str::to_string);
        s.open_enum = obj.iter().any(|(k, v)| {
            k.starts_with("x-") && k.ends_with("open-enum") && v == &Value::Bool(true)
        });
        if obj.get("x-nullable").and_then(Value::as_bool) == Some(true)
            || obj.get("nullable").and_then(Value::as_bool) == Some(true)
        {
            s.nullable = true;
        }
        if let Some(e) = obj.get("enum") {
            match e.as_array() {
                Some(values) => {
                    let mut kept = Vec::new();
                    for value in values {
                        if value.is_null() {
                            s.nullable = true;
                            if self.dialect == Dialect::Swagger2 || s.ty.is_some() {
                                self.note("enum lists null; read as a nullable enum", at);
                            }
                        } else {
                            kept.push(value.clone());
                        }
                    }
                    s.enum_values = Some(kept);
                }
                None => self.note("`enum` is not a list", at),
            }
        }
        if let Some(c) = obj.get("const") {
            if !c.is_null() {
                s.enum_values = Some(vec![c.clone()]);
            }
        }
        for key in [
            "minimum",
            "maximum",
            "exclusiveMinimum",
            "exclusiveMaximum",
            "multipleOf",
            "minLength",
            "maxLength",
            "minItems",
            "maxItems",
            "uniqueItems",
            "minProperties",
            "maxProperties",
        ] {
            if let Some(b) = obj.get(key) {
                if b != &Value::Bool(false) {
                    s.bounds.insert(key.to_string(), b.clone());
                }
            }
        }
        s.pattern = obj
            .get("pattern")
            .and_then(Value::as_str)
            .map(str::to_string);
        s.default = obj.get("default").cloned();
        if let Some(props) = obj.get("properties") {
            match props.as_object() {
                Some(props) => {
                    for (name, p) in props {
                        let child = self.schema(p, &format!("{at}.{name}"), stack, depth + 1);
                        s.properties.insert(name.clone(), child);
                    }
                }
                None => self.note("`properties` is not an object", at),
            }
        }
        if let Some(req) = obj.get("required").and_then(Value::as_array) {
            for r in req {
                match r.as_str() {
                    Some(name) => {
                        s.required.insert(name.to_string());
                    }
                    None => self.note("`required` lists a non-string", at),
                }
            }
        }
        if let Some(items) = obj.get("items") {
            if items.is_array() {
                self.note("tuple-style `items` list; compared as untyped items", at);
                s.items = Some(Box::default());
            } else {
                s.items = Some(Box::new(self.schema(
                    items,
                    &format!("{at}[]"),
                    stack,
                    depth + 1,
                )));
            }
        }
        if let Some(ap) = obj.get("additionalProperties") {
            if ap.is_object() {
                s.additional = Some(Box::new(self.schema(
                    ap,
                    &format!("{at}{{}}"),
                    stack,
                    depth + 1,
                )));
            }
        }
        if s.ty.is_none() {
            if !s.properties.is_empty() {
                s.ty = Some("object".into());
            } else if s.items.is_some() {
                s.ty = Some("array".into());
            }
        }
        if let Some(all) = obj.get("allOf").and_then(Value::as_array) {
            for part in all {
                let part = self.schema(part, at, stack, depth + 1);
                merge_into(&mut s, part);
            }
        }
        for key in ["oneOf", "anyOf"] {
            let Some(alts) = obj.get(key).and_then(Value::as_array) else {
                continue;
            };
            let mut kept = Vec::new();
            for alt in alts {
                let alt = self.schema(alt, at, stack, depth + 1);
                if is_null_only(&alt) {
                    s.nullable = true;
                } else {
                    kept.push(alt);
                }
            }
            if kept.len() == 1 && s.ty.is_none() && s.properties.is_empty() {
                if let Some(only) = kept.pop() {
                    let nullable = s.nullable;
                    merge_into(&mut s, only);
                    s.nullable |= nullable;
                }
            } else {
                s.variants.extend(kept);
            }
        }
        s
    }
}

/// True for a schema that only admits `null` (`{type: "null"}`, `{enum: [null]}`).
fn is_null_only(s: &Schema) -> bool {
    s.nullable
        && s.ty.is_none()
        && s.properties.is_empty()
        && s.items.is_none()
        && s.variants.is_empty()
        && s.enum_values.as_ref().is_none_or(Vec::is_empty)
}

/// Merges an `allOf` member into the schema being built.
fn merge_into(s: &mut Schema, part: Schema) {
    if s.ty.is_none() {
        s.ty = part.ty;
    }
    if s.format.is_none() {
        s.format = part.format;
    }
    s.nullable |= part.nullable;
    if s.enum_values.is_none() {
        s.enum_values = part.enum_values;
    }
    for (k, v) in part.properties {
        s.properties.entry(k).or_insert(v);
    }
    s.required.extend(part.required);
    if s.items.is_none() {
        s.items = part.items;
    }
    if s.additional.is_none() {
        s.additional = part.additional;
    }
    s.variants.extend(part.variants);
    for (k, v) in part.bounds {
        s.bounds.entry(k).or_insert(v);
    }
    if s.pattern.is_none() {
        s.pattern = part.pattern;
    }
    if s.default.is_none() {
        s.default = part.default;
    }
    if s.recursive_ref.is_none() {
        s.recursive_ref = part.recursive_ref;
    }
    s.open_enum |= part.open_enum;
}

fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Some(b) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn x_nullable_and_oas3_nullable_and_null_enum_all_mean_nullable() {
        let swagger = json!({"swagger": "2.0", "paths": {"/a": {"get": {"operationId": "a", "responses": {"200": {"description": "", "schema": {
        "type": "object", "properties": {
            "x": {"type": "string", "x-nullable": true},
            "e": {"type": "string", "enum": ["a", null]}
        }}}}}}}});
        let api = normalise(&swagger, "upstream").expect("spec");
        let op = &api.operations[&("GET".to_string(), "/a".to_string())];
        let body = op.responses["200"].schema.as_ref().expect("schema");
        assert!(body.properties["x"].nullable);
        assert!(body.properties["e"].nullable);
        assert_eq!(
            body.properties["e"].enum_values,
            Some(vec![json!("a")]),
            "null is folded into the nullable flag, not kept as a value"
        );
        assert!(api
            .notes
            .iter()
            .any(|n| n.message.contains("enum lists null")));

        let oas = json!({"openapi": "3.1.0", "paths": {"/a": {"get": {"operationId": "a", "responses": {"200": {"description": "", "content": {"application/json": {"schema": {
            "type": "object", "properties": {
                "x": {"type": ["string", "null"]},
                "y": {"allOf": [{"$ref": "#/components/schemas/Y"}], "nullable": true},
                "z": {"oneOf": [{"$ref": "#/components/schemas/Y"}, {"type": "null"}]}
            }}}}}}}}}, "components": {"schemas": {"Y": {"type": "integer"}}}});
        let api = normalise(&oas, "ours").expect("spec");
        let op = &api.operations[&("GET".to_string(), "/a".to_string())];
        let body = op.responses["200"].schema.as_ref().expect("schema");
        for p in ["x", "y", "z"] {
            assert!(body.properties[p].nullable, "{p} should be nullable");
        }
        assert_eq!(body.properties["z"].ty.as_deref(), Some("integer"));
    }

    #[test]
    fn recursive_schemas_terminate_with_a_marker() {
        let doc = json!({"swagger": "2.0", "paths": {"/t": {"get": {"operationId": "t", "responses": {"200": {"description": "", "schema": {"$ref": "#/definitions/Node"}}}}}},
            "definitions": {"Node": {"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#/definitions/Node"}}}}}});
        let api = normalise(&doc, "upstream").expect("spec");
        let op = &api.operations[&("GET".to_string(), "/t".to_string())];
        let body = op.responses["200"].schema.as_ref().expect("schema");
        let items = body.properties["children"].items.as_ref().expect("items");
        assert_eq!(items.recursive_ref.as_deref(), Some("#/definitions/Node"));
    }

    #[test]
    fn broken_refs_become_notes_not_panics() {
        let doc = json!({"swagger": "2.0", "paths": {"/t": {"get": {"parameters": [{"$ref": "#/parameters/missing"}],
            "responses": {"200": {"description": "", "schema": {"$ref": "#/definitions/Nope"}}, "429": {"$ref": "#/definitions/Odd"}}}}},
            "definitions": {"Odd": {"description": "Too many requests"}}});
        let api = normalise(&doc, "upstream").expect("spec");
        let messages: Vec<&str> = api.notes.iter().map(|n| n.message.as_str()).collect();
        assert!(messages.contains(&"unresolvable $ref #/parameters/missing"));
        assert!(messages.contains(&"unresolvable $ref #/definitions/Nope"));
        assert!(messages.contains(&"operation has no operationId"));
        assert!(messages.iter().any(|m| m.contains("#/definitions/Odd")));
        let op = &api.operations[&("GET".to_string(), "/t".to_string())];
        assert_eq!(op.responses["429"].schema, None);
    }

    #[test]
    fn documents_without_swagger_or_openapi_are_rejected() {
        let err = normalise(&json!({"hello": "world"}), "upstream").expect_err("not a spec");
        assert!(err.0.contains("neither a `swagger` nor an `openapi`"));
        assert!(parse_document(b"{not json", false)
            .expect_err("invalid")
            .0
            .contains("not valid JSON"));
    }

    #[test]
    fn percent_encoded_ref_segments_are_decoded() {
        assert_eq!(percent_decode("a%20b"), "a b");
        assert_eq!(percent_decode("100%"), "100%");
    }
}
