//! The input JSON Schema (2020-12) of each operation's tool in `wpe mcp`:
//! its parameters and body fields from the operation table (the body's
//! object fields with the schema of the type the client sends). Where the
//! CLI takes a name for an ID, so does the schema: the property is text,
//! described as "an ID or the install's name". (A workflow's schema is its
//! options' type: [`super::workflows`].)

use serde_json::{json, Map, Value};
use wpe_api::operations::{FieldKind, Location, Operation, Paging, Param, ParamKind};

use crate::commands;

/// The property of a list tool that takes the cursor of the next page.
pub const CURSOR: &str = "cursor";

/// The property that sets the page size of a list tool.
pub const LIMIT: &str = "limit";

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

    fn finish(self) -> Map<String, Value> {
        let mut schema = Map::new();
        schema.insert(
            "$schema".into(),
            json!("https://json-schema.org/draft/2020-12/schema"),
        );
        schema.insert("type".into(), json!("object"));
        schema.insert("properties".into(), Value::Object(self.properties));
        if !self.required.is_empty() {
            schema.insert("required".into(), json!(self.required));
        }
        schema.insert("additionalProperties".into(), json!(false));
        if !self.defs.is_empty() {
            schema.insert("$defs".into(), Value::Object(self.defs));
        }
        schema
    }
}

/// The schema of one value of `kind`. `named`: the value may be a name
/// instead of an ID, so it is any text.
fn scalar(kind: ParamKind, named: bool, description: String) -> Value {
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
    schema["description"] = Value::String(description);
    schema
}

/// " An ID or the install's name." for a value that takes a name.
fn name_note(kind: Option<crate::names::Kind>) -> String {
    kind.map(|kind| format!(" An ID or the {}'s {}.", kind.noun(), kind.name_word()))
        .unwrap_or_default()
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
                    "description": "Where the page starts: the `next_cursor` of the page \
                                    before (leave it out for the first page)."
                }),
                false,
            );
            continue;
        }
        let kind = commands::named(param);
        let mut description = format!("{}{}", param.description, name_note(kind));
        if pages(op) && param.name == LIMIT {
            description.push_str(&format!(" Default: {page_size}."));
        }
        let required = param.required || param.location == Location::Path;
        schema.property(
            param.name,
            scalar(param.kind, kind.is_some(), description),
            required,
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
        let mut description = format!("{}{}", field.description, name_note(kind));
        if secret {
            description.push_str(" A secret: it is sent, and never shown in an answer or a log.");
        }
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
            (_, FieldKind::Scalar(scalar_kind)) => scalar(scalar_kind, kind.is_some(), description),
            (_, FieldKind::List(item)) => {
                let mut items = scalar(item, kind.is_some(), String::new());
                items.as_object_mut().map(|i| i.remove("description"));
                json!({"type": "array", "items": items, "description": description})
            }
            (_, FieldKind::Json) => json!({ "description": description }),
        };
        if secret {
            property["writeOnly"] = json!(true);
        }
        // An optional body's required fields are checked when a field is given.
        schema.property(field.name, property, field.required && body.required);
    }
    if let Some(defs) = typed.get("$defs").and_then(Value::as_object) {
        schema.defs.extend(defs.clone());
    }
    schema.finish()
}
