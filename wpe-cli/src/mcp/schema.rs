//! The input JSON Schema (2020-12) of each operation's tool in `wpe mcp`:
//! its parameters and body fields from the operation table (the body's
//! object fields with the schema of the type the client sends). Where the
//! CLI takes a name for an ID, so does the schema: the property is text,
//! described as "an ID or the install's name". (A workflow's schema is its
//! options' type: [`super::workflows`].)
//!
//! Every text property of an operation tool has a `maxLength` (the agent is
//! an untrusted caller; see [`limits`]): upstream's where its schema states
//! one (an install name's 14, an SFTP password's 64); else
//! [`limits::MAX_TEXT`] for the free text of [`FREE_TEXT`] (a backup's
//! description, an SSH public key), [`MAX_PEM`] for the base64 PEM files of
//! [`PEM_FILES`], and [`limits::MAX_NAME`] for every other: names, IDs,
//! dates, domains, e-mail addresses, paths, keys and open enums. A list
//! answer's `cursor` is at most [`limits::MAX_TEXT`] (the API's page token
//! is opaque).
//!
//! A read tool also takes `fields` ([`FIELDS`]): the top-level fields kept
//! in each item of a list, or in the object answered; and the tools of
//! [`SUMMARISED`] take `summary` ([`SUMMARY`]), on by default, which leaves
//! out the long series of each item and keeps its totals.

use serde_json::{json, Map, Value};
use wpe_api::operations::{FieldKind, Location, Operation, Paging, Param, ParamKind};

use super::{answer, limits};
use crate::commands;

/// The property of a list tool that takes the cursor of the next page.
pub const CURSOR: &str = "cursor";

/// The property that sets the page size of a list tool.
pub const LIMIT: &str = "limit";

/// The property of a read tool that names the top-level fields to keep.
pub const FIELDS: &str = "fields";

/// The property of a tool of [`SUMMARISED`] that leaves the series out.
pub const SUMMARY: &str = "summary";

/// The most field names `fields` takes.
const MAX_FIELDS: u64 = 64;

/// The read tools whose answers hold long series, and the field of each
/// item that holds it: with `summary` (the default) it is left out, and the
/// item's totals stay (`get_account_usage_metrics`: each install's daily
/// figures, beside `metrics_rollup`, their sum, average and latest value).
pub const SUMMARISED: &[(&str, &str)] = &[("get_account_usage_metrics", "metrics")];

/// The body fields that are free text, at most [`limits::MAX_TEXT`] characters.
pub const FREE_TEXT: &[&str] = &["description", "public_key"];

/// The body fields that hold a base64 PEM file (a certificate chain, its key).
pub const PEM_FILES: &[&str] = &["certificate", "private_key"];

/// The longest base64 PEM file a body field takes: a certificate chain of
/// several certificates is longer than [`limits::MAX_TEXT`].
pub const MAX_PEM: u64 = 4 * limits::MAX_TEXT;

/// The `maxLength` of text named `name` whose schema states none.
pub fn max_length(name: &str) -> u64 {
    if FREE_TEXT.contains(&name) {
        limits::MAX_TEXT
    } else if PEM_FILES.contains(&name) {
        MAX_PEM
    } else {
        limits::MAX_NAME
    }
}

/// Gives every text schema in `schema` (nested objects and lists too) a
/// `maxLength` when it has neither one nor an `enum`: `limit` at the top,
/// and by its property's name ([`max_length`]) inside. `$defs` are bounded
/// by [`bound_defs`].
fn bound_text(schema: &mut Value, limit: u64) {
    let Value::Object(map) = schema else { return };
    let text = match &map.get("type") {
        Some(Value::String(t)) => t == "string",
        Some(Value::Array(types)) => types.iter().any(|t| t == "string"),
        _ => false,
    };
    if text && !map.contains_key("maxLength") && !map.contains_key("enum") {
        map.insert("maxLength".into(), json!(limit));
    }
    for (keyword, value) in map.iter_mut() {
        match (keyword.as_str(), value) {
            ("properties", Value::Object(named)) => {
                for (inner, value) in named.iter_mut() {
                    bound_text(value, max_length(inner));
                }
            }
            ("items" | "additionalProperties", value) => bound_text(value, limit),
            ("anyOf" | "allOf" | "oneOf", Value::Array(list)) => {
                list.iter_mut().for_each(|v| bound_text(v, limit))
            }
            _ => {}
        }
    }
}

/// Notes in `limits` the largest bound each definition is referred to
/// with: that of the property whose schema (or list item) refers to it.
fn def_limits(schema: &Value, limit: u64, limits: &mut Map<String, Value>) {
    let Value::Object(map) = schema else { return };
    if let Some(name) = answer::ref_name(schema) {
        let known = limits.get(name).and_then(Value::as_u64).unwrap_or(0);
        limits.insert(name.to_owned(), json!(known.max(limit)));
    }
    for (keyword, value) in map {
        match (keyword.as_str(), value) {
            ("properties", Value::Object(named)) => {
                for (inner, value) in named {
                    def_limits(value, max_length(inner), limits);
                }
            }
            ("$defs", Value::Object(named)) => {
                for value in named.values() {
                    def_limits(value, limits::MAX_NAME, limits);
                }
            }
            ("items" | "additionalProperties", value) => def_limits(value, limit, limits),
            ("anyOf" | "allOf" | "oneOf", Value::Array(list)) => {
                list.iter().for_each(|v| def_limits(v, limit, limits))
            }
            _ => {}
        }
    }
}

/// Bounds the text of each of `schema`'s `$defs` as the properties that
/// refer to it are bounded (a PEM file's key, [`MAX_PEM`]).
fn bound_defs(schema: &mut Map<String, Value>) {
    let mut limits = Map::new();
    def_limits(
        &Value::Object(schema.clone()),
        limits::MAX_NAME,
        &mut limits,
    );
    if let Some(Value::Object(defs)) = schema.get_mut("$defs") {
        for (name, def) in defs.iter_mut() {
            let limit = limits.get(name).and_then(Value::as_u64);
            bound_text(def, limit.unwrap_or(limits::MAX_NAME));
        }
    }
}

/// Whether `op`'s tool takes [`FIELDS`]: a read whose answer has a body.
pub fn takes_fields(op: &Operation) -> bool {
    op.method == "GET" && op.response.is_some()
}

/// The field of each item that `op`'s tool leaves out under [`SUMMARY`].
pub fn summarised(op: &Operation) -> Option<&'static str> {
    SUMMARISED
        .iter()
        .find(|(id, _)| *id == op.id)
        .map(|(_, field)| *field)
}

/// An input schema being put together.
struct Builder {
    properties: Map<String, Value>,
    required: Vec<String>,
    defs: Map<String, Value>,
}

impl Builder {
    fn new() -> Self {
        Self {
            properties: Map::new(),
            required: Vec::new(),
            defs: Map::new(),
        }
    }

    /// Adds property `name`; a name given twice is a bug in the table.
    fn property(&mut self, name: &str, schema: Value, required: bool) {
        let earlier = self.properties.insert(name.to_owned(), schema);
        assert!(earlier.is_none(), "property {name} is given twice");
        if required {
            self.required.push(name.to_owned());
        }
    }

    /// The schema: no `$schema` (MCP reads a schema without one as 2020-12,
    /// and the URL would be repeated in every tool), and only the `$defs`
    /// that a property reaches.
    fn finish(self) -> Map<String, Value> {
        let defs = reached_defs(&self.properties, &self.defs);
        let mut schema = Map::new();
        schema.insert("type".into(), json!("object"));
        schema.insert("properties".into(), Value::Object(self.properties));
        if !self.required.is_empty() {
            schema.insert("required".into(), json!(self.required));
        }
        schema.insert("additionalProperties".into(), json!(false));
        if !defs.is_empty() {
            schema.insert("$defs".into(), Value::Object(defs));
        }
        schema
    }
}

/// The entries of `defs` that `properties` refer to (`"$ref": "#/$defs/X"`),
/// directly or through other entries. A body's typed schema brings every
/// type it names, some of which no property uses once enums and names are
/// given inline.
fn reached_defs(properties: &Map<String, Value>, defs: &Map<String, Value>) -> Map<String, Value> {
    let mut reached = Map::new();
    let mut todo: Vec<&Value> = properties.values().collect();
    while let Some(value) = todo.pop() {
        match value {
            Value::Object(object) => {
                if let Some((name, def)) =
                    answer::ref_name(value).and_then(|n| defs.get_key_value(n))
                {
                    if !reached.contains_key(name) {
                        reached.insert(name.clone(), def.clone());
                        todo.push(def);
                    }
                }
                todo.extend(object.values());
            }
            Value::Array(items) => todo.extend(items),
            _ => {}
        }
    }
    reached
}

/// The schema of one value of `kind` called `name`. `named`: the value may
/// be a name instead of an ID, so it is any text.
fn scalar(kind: ParamKind, name: &str, named: bool, description: String) -> Value {
    let mut schema = match kind {
        ParamKind::Uuid if named => json!({"type": "string", "minLength": 1}),
        ParamKind::Uuid => json!({"type": "string", "format": "uuid"}),
        ParamKind::String => json!({"type": "string"}),
        ParamKind::Integer { minimum, maximum } => {
            let mut schema = json!({"type": "integer"});
            if let Some(minimum) = minimum {
                schema["minimum"] = json!(minimum);
            }
            if let Some(maximum) = maximum {
                schema["maximum"] = json!(maximum);
            }
            schema
        }
        ParamKind::Boolean => json!({"type": "boolean"}),
        ParamKind::Enum(values) => json!({"type": "string", "enum": values}),
        ParamKind::Date => json!({"type": "string", "format": "date"}),
        ParamKind::DateTime => json!({"type": "string", "format": "date-time"}),
    };
    bound_text(&mut schema, max_length(name));
    schema["description"] = Value::String(description);
    schema
}

/// The description of a value that may be a name instead of an ID: "The
/// install's ID." becomes "The install's ID or name."; another description
/// gets " (ID or name)" before its full stop. Unchanged when `kind` is none.
fn with_name(description: &str, kind: Option<crate::names::Kind>) -> String {
    let Some(kind) = kind else {
        return description.to_owned();
    };
    let word = kind.name_word();
    if description == format!("The {}'s ID.", kind.noun()) {
        return format!("The {}'s ID or {word}.", kind.noun());
    }
    format!("{} (ID or {word}).", description.trim_end_matches('.'))
}

/// How many items a list tool answers at most when `limit` is not given.
pub fn page_size(op: &Operation, default: u32) -> u32 {
    match op.param(LIMIT).map(|p| p.kind) {
        Some(ParamKind::Integer {
            maximum: Some(max), ..
        }) => default.min(u32::try_from(max).unwrap_or(default)),
        _ => default,
    }
}

/// Whether `param` is the one a list tool replaces with [`CURSOR`]: the
/// offset, or the token that names the next page.
pub fn is_cursor_param(op: &Operation, param: &Param) -> bool {
    match op.paging {
        Paging::Offset { .. } => param.name == "offset",
        Paging::Token { param: token, .. } => param.name == token,
        Paging::NotAList | Paging::Whole { .. } => false,
    }
}

/// Whether `op`'s tool answers one page and a cursor to the next.
pub fn pages(op: &Operation) -> bool {
    matches!(op.paging, Paging::Offset { .. } | Paging::Token { .. })
}

/// The input schema of `op`'s tool: its parameters (path ones required),
/// then its body's fields. A list answers one page: `limit` (at most
/// `page_size` unless given) and `cursor` take the place of the API's
/// offset or page token. Secret fields (`writeOnly`) are sent but never shown.
pub fn of_operation(op: &Operation, page_size: u32) -> Map<String, Value> {
    let mut schema = Builder::new();
    for param in commands::path_params(op)
        .into_iter()
        .chain(op.params.iter().filter(|p| p.location == Location::Query))
    {
        if is_cursor_param(op, param) {
            schema.property(
                CURSOR,
                json!({
                    "type": "string",
                    "minLength": 1,
                    "maxLength": limits::MAX_TEXT,
                    "description": "The `next_cursor` of the previous page."
                }),
                false,
            );
            continue;
        }
        let kind = commands::named(param);
        let required = param.required || param.location == Location::Path;
        // A list's page size: its bounds are the schema's, its default
        // ours, and the tool's description says it answers a page.
        if pages(op) && param.name == LIMIT {
            let mut limit = scalar(param.kind, param.name, false, String::new());
            limit.as_object_mut().map(|l| l.remove("description"));
            limit["default"] = json!(page_size);
            schema.property(param.name, limit, required);
            continue;
        }
        let description = with_name(param.description, kind);
        schema.property(
            param.name,
            scalar(param.kind, param.name, kind.is_some(), description),
            required,
        );
    }
    if takes_fields(op) {
        schema.property(
            FIELDS,
            json!({
                "type": "array",
                "items": {"type": "string", "maxLength": limits::MAX_NAME},
                "maxItems": MAX_FIELDS,
                "description": if op.is_paged() {
                    "Top-level fields to keep in each item; all if left out."
                } else {
                    "Top-level fields to keep; all if left out."
                },
            }),
            false,
        );
    }
    if let Some(series) = summarised(op) {
        schema.property(
            SUMMARY,
            json!({
                "type": "boolean",
                "default": true,
                "description": format!(
                    "Leave out each item's `{series}` (the long daily series) and keep its \
                     totals; false for the whole series."
                ),
            }),
            false,
        );
    }
    let Some(body) = op.body else {
        return schema.finish();
    };
    let typed = body.json_schema();
    let typed_properties = typed.get("properties").and_then(Value::as_object);
    for field in body.fields {
        let secret = body.secrets.contains(&field.name);
        let kind = commands::named_field(field);
        // A secret is `writeOnly`, and its own description says it is never shown.
        let description = with_name(field.description, kind);
        // The typed schema where it says more than the kind: an object's
        // fields, a text's pattern or length. Not for values that may be
        // names, nor for enums (the typed ones are open: they take values a
        // newer API may send, which the API refuses when sent to it).
        let says_more = matches!(
            field.kind,
            FieldKind::Json
                | FieldKind::Scalar(ParamKind::String)
                | FieldKind::List(ParamKind::String)
        );
        let typed_property = typed_properties
            .and_then(|p| p.get(field.name))
            .filter(|_| kind.is_none() && says_more)
            .cloned();
        let mut property = match (typed_property, field.kind) {
            (Some(Value::Object(mut typed)), _) => {
                typed.insert("description".into(), Value::String(description));
                Value::Object(typed)
            }
            (_, FieldKind::Scalar(scalar_kind)) => {
                scalar(scalar_kind, field.name, kind.is_some(), description)
            }
            (_, FieldKind::List(item)) => {
                let mut items = scalar(item, field.name, kind.is_some(), String::new());
                items.as_object_mut().map(|i| i.remove("description"));
                json!({"type": "array", "items": items, "description": description})
            }
            (_, FieldKind::Json) => json!({ "description": description }),
        };
        bound_text(&mut property, max_length(field.name));
        if secret {
            property["writeOnly"] = json!(true);
        }
        // An optional body's required fields are checked when a field is given.
        schema.property(field.name, property, field.required && body.required);
    }
    if let Some(defs) = typed.get("$defs").and_then(Value::as_object) {
        schema.defs.extend(defs.clone());
    }
    let mut schema = schema.finish();
    bound_defs(&mut schema);
    schema
}

#[cfg(test)]
mod tests {
    use super::*;
    use wpe_api::operations::{find, OPERATIONS};

    fn schema_of(id: &str) -> Map<String, Value> {
        of_operation(find(id).unwrap(), 25)
    }

    #[test]
    fn a_schema_names_no_dialect_and_keeps_only_the_defs_it_uses() {
        for op in OPERATIONS {
            let schema = of_operation(op, 25);
            assert!(schema.get("$schema").is_none(), "{}", op.id);
            let text = serde_json::to_string(&schema).unwrap();
            for name in schema
                .get("$defs")
                .and_then(Value::as_object)
                .into_iter()
                .flat_map(|defs| defs.keys())
            {
                let reference = format!("\"#/$defs/{name}\"");
                assert!(text.contains(&reference), "{}: {name} is unused", op.id);
            }
            // A secret says so in its own words, and is writeOnly.
            for secret in op.body.map(|b| b.secrets).unwrap_or_default() {
                let property = &schema["properties"][*secret];
                let description = property["description"].as_str().unwrap();
                assert!(
                    description.to_lowercase().contains("never shown"),
                    "{}: {secret}: {description}",
                    op.id
                );
                assert_eq!(property["writeOnly"], true, "{}", op.id);
            }
        }
        // The cache type is given inline: its type's definition goes.
        assert!(schema_of("purge_cache").get("$defs").is_none());
        let schedule = schema_of("create_site_report_schedule");
        for used in ["ReportFrequency", "ReportFrequencyUnit", "ReportRecipient"] {
            assert!(schedule["$defs"].get(used).is_some(), "{used}");
        }
    }

    #[test]
    fn names_and_pages_are_said_in_few_words() {
        let backups = schema_of("list_backups");
        assert_eq!(
            backups["properties"]["install_id"]["description"],
            "The install's ID or name."
        );
        assert_eq!(backups["properties"]["limit"]["default"], 25);
        assert!(backups["properties"]["limit"].get("description").is_none());
        assert_eq!(
            schema_of("list_sites")["properties"]["account_id"]["description"],
            "Only what belongs to this account (ID or name)."
        );
        assert_eq!(
            schema_of("get_account_user")["properties"]["user_id"]["description"],
            "The account user's ID or email."
        );
        assert_eq!(
            schema_of("show_backup")["properties"]["backup_id"]["description"],
            "The backup's ID."
        );
    }

    /// The text schemas in `schema` without a `maxLength` or an `enum`, by path.
    fn unbounded(schema: &Value, at: &str, found: &mut Vec<String>) {
        match schema {
            Value::Object(map) => {
                let text = match map.get("type") {
                    Some(Value::String(t)) => t == "string",
                    Some(Value::Array(types)) => types.contains(&json!("string")),
                    _ => false,
                };
                if text && !map.contains_key("maxLength") && !map.contains_key("enum") {
                    found.push(at.to_owned());
                }
                for (key, value) in map {
                    unbounded(value, &format!("{at}/{key}"), found);
                }
            }
            Value::Array(list) => {
                for (i, value) in list.iter().enumerate() {
                    unbounded(value, &format!("{at}/{i}"), found);
                }
            }
            _ => {}
        }
    }

    #[test]
    fn every_text_property_of_an_operation_tool_is_bounded() {
        for op in OPERATIONS {
            let schema = Value::Object(of_operation(op, 25));
            let mut found = Vec::new();
            unbounded(&schema, "", &mut found);
            assert!(found.is_empty(), "{}: no maxLength at {found:?}", op.id);
        }
        let at = |id: &str, pointer: &str| {
            of_operation(wpe_api::operations::find(id).unwrap(), 25)
                .get("properties")
                .and_then(|p| p.pointer(pointer))
                .cloned()
                .unwrap_or_else(|| panic!("{id}: {pointer}"))
        };
        // Upstream's own bounds stay; free text, PEM files and names get ours.
        let install = Value::Object(of_operation(
            wpe_api::operations::find("create_install").unwrap(),
            25,
        ));
        assert_eq!(install["$defs"]["InstallName"]["maxLength"], 14);
        let sftp = Value::Object(of_operation(
            wpe_api::operations::find("create_sftp_user").unwrap(),
            25,
        ));
        assert_eq!(sftp["$defs"]["SftpPassword"]["maxLength"], 64);
        assert_eq!(
            at("create_backup", "/description/maxLength"),
            limits::MAX_TEXT
        );
        assert_eq!(
            at("create_ssh_key", "/public_key/maxLength"),
            limits::MAX_TEXT
        );
        assert_eq!(
            at(
                "import_third_party_ssl_certificate",
                "/certificate/maxLength"
            ),
            MAX_PEM
        );
        assert_eq!(at("get_install", "/install_id/maxLength"), limits::MAX_NAME);
        assert_eq!(at("list_installs", "/cursor/maxLength"), limits::MAX_TEXT);
        let certificate = Value::Object(of_operation(
            wpe_api::operations::find("import_third_party_ssl_certificate").unwrap(),
            25,
        ));
        assert_eq!(certificate["$defs"]["PrivateKeyPem"]["maxLength"], MAX_PEM);
    }

    #[test]
    fn reads_take_fields_and_the_usage_series_a_summary() {
        for op in OPERATIONS {
            let schema = of_operation(op, 25);
            let fields = schema["properties"].get(FIELDS);
            assert_eq!(fields.is_some(), takes_fields(op), "{}", op.id);
            assert_eq!(
                takes_fields(op),
                op.method == "GET",
                "{}: every GET answers a body",
                op.id
            );
        }
        let usage = of_operation(
            wpe_api::operations::find("get_account_usage_metrics").unwrap(),
            25,
        );
        assert_eq!(usage["properties"][SUMMARY]["default"], true);
    }
}
