//! Answers kept whole: what the build does so that a value decoded from an
//! answer holds everything the server sent, and writes it all back.
//!
//! - **Input:** every object schema an answer can hold (the 2xx bodies and
//!   everything they refer to, inline objects included) gets
//!   `additionalProperties: {}` in the copy progenitor reads, unless it says
//!   something about them already. typify then gives its struct an `extra`
//!   map (`#[serde(flatten)]`) that keeps each field the spec does not name
//!   with its JSON value, and writes it back.
//! - **Input:** in the schemas only answers use (not request bodies), an
//!   optional property the spec marks `nullable` is made required in that
//!   copy: typify then writes its `None` as `null` instead of leaving the
//!   field out, and `build/adapt.rs` makes it decode as `None` when the body
//!   leaves it out, as for every required nullable property. A `null` the
//!   server sent is written back.
//! - **Output:** in the structs of those answer-only schemas, an empty list
//!   or map is written back (`[]`, `{}`) instead of being left out, so an
//!   empty list the server sent is not lost.
//!
//! Request bodies keep typify's ways (nothing sent that the caller did not
//! set); the schemas both a request and an answer use (offload settings,
//! cache exclusions, ...) get the `extra` map too, so a value read and sent
//! back keeps what the client does not know, but no other change. An
//! inline object inside such a schema is left as typify makes it (the
//! curated spec has none).

use std::collections::BTreeSet;

use serde_json::{json, Value};

/// What [`keep_unknown_fields`] changed, for [`write_back_empty`] and the
/// build's checks.
pub struct Kept {
    /// The component schemas both a request and an answer use.
    pub shared: BTreeSet<String>,
    /// How many object schemas got `additionalProperties: {}`.
    pub marked: usize,
}

/// Changes the copy of the spec progenitor reads (see the module docs).
pub fn keep_unknown_fields(spec: &mut Value) -> Kept {
    let answers = crate::marked::answer_schemas(spec);
    let requests = crate::marked::request_schemas(spec);
    let shared: BTreeSet<String> = answers.intersection(&requests).cloned().collect();
    let mut marked = 0;
    let schemas = spec["components"]["schemas"]
        .as_object_mut()
        .expect("components.schemas");
    for name in &answers {
        let answer_only = !shared.contains(name);
        let schema = schemas.get_mut(name).expect("a referenced schema exists");
        marked += mark(schema, answer_only, true);
    }
    Kept { shared, marked }
}

fn is_object(map: &serde_json::Map<String, Value>) -> bool {
    map.get("type").and_then(Value::as_str) == Some("object") || map.contains_key("properties")
}

/// Marks `schema` and the inline schemas in it; returns how many objects it marked.
fn mark(schema: &mut Value, answer_only: bool, top: bool) -> usize {
    let Some(map) = schema.as_object_mut() else {
        return 0;
    };
    if map.contains_key("$ref") {
        return 0;
    }
    let mut marked = 0;
    if is_object(map) {
        if !(top || answer_only) {
            // An inline object inside a schema requests use too: its struct's
            // name is typify's to choose, so `write_back_empty` could not
            // tell it from an answer's, and would send empty lists a caller
            // never set. Left as typify makes it (the curated spec has none;
            // an import may write one).
            return 0;
        }
        if !map.contains_key("additionalProperties") {
            map.insert("additionalProperties".into(), json!({}));
            marked += 1;
        }
        if answer_only {
            let nullable: Vec<String> = map
                .get("properties")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .filter(|(_, p)| p.get("nullable") == Some(&Value::Bool(true)))
                .map(|(key, _)| key.clone())
                .collect();
            let required = map
                .entry("required")
                .or_insert_with(|| json!([]))
                .as_array_mut()
                .expect("required is a list");
            for key in nullable {
                if !required.iter().any(|r| r.as_str() == Some(key.as_str())) {
                    required.push(json!(key));
                }
            }
        }
    }
    for (key, inner) in map.iter_mut() {
        match key.as_str() {
            "properties" => {
                for property in inner
                    .as_object_mut()
                    .into_iter()
                    .flat_map(|m| m.values_mut())
                {
                    marked += mark(property, answer_only, false);
                }
            }
            "items" | "additionalProperties" => marked += mark(inner, answer_only, false),
            "allOf" | "anyOf" | "oneOf" => {
                for member in inner.as_array_mut().into_iter().flatten() {
                    marked += mark(member, answer_only, false);
                }
            }
            _ => {}
        }
    }
    marked
}

/// In every generated struct that keeps unknown fields (has typify's
/// flattened `extra`) and is not one of `shared`'s, writes an empty list or
/// map back instead of leaving it out; returns how many fields it changed.
pub fn write_back_empty(items: &mut [syn::Item], shared: &BTreeSet<String>) -> usize {
    let shared: BTreeSet<String> = shared.iter().map(|n| normalized(n)).collect();
    rewrite(items, &shared)
}

fn rewrite(items: &mut [syn::Item], shared: &BTreeSet<String>) -> usize {
    let mut rewritten = 0;
    for item in items {
        match item {
            // typify's builders of the request bodies that keep unknown
            // fields would refuse to build until `extra` is set: it starts empty.
            syn::Item::Impl(block) if implements_default(block) => {
                let text = quote::ToTokens::to_token_stream(&*block).to_string();
                if text.contains(UNSET_EXTRA) {
                    let text = text.replace(UNSET_EXTRA, "extra : Ok (Default :: default ())");
                    *block = syn::parse_str(&text).expect("the rewritten builder default parses");
                }
            }
            syn::Item::Mod(module) => {
                if let Some((_, inner)) = module.content.as_mut() {
                    rewritten += rewrite(inner, shared);
                }
            }
            syn::Item::Struct(item) => {
                if !keeps_extra(item) {
                    continue;
                }
                document_extra(item);
                if shared.contains(&normalized(&item.ident.to_string())) {
                    continue;
                }
                for field in item.fields.iter_mut() {
                    rewritten += crate::adapt::serde_to_default(field, WRITTEN_ONLY_WHEN_FULL);
                }
            }
            _ => {}
        }
    }
    rewritten
}

/// A schema or type name compared without case or separators (typify writes
/// `LargeFSConfig` as `LargeFsConfig`).
fn normalized(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// typify's `serde` arguments that leave an empty list or map out.
const WRITTEN_ONLY_WHEN_FULL: &[&str] = &[
    r#"default,skip_serializing_if="::std::vec::Vec::is_empty""#,
    r#"default,skip_serializing_if="::serde_json::Map::is_empty""#,
];

/// How typify's builder starts a field that has no default, for `extra`.
const UNSET_EXTRA: &str = r#"extra : Err ("no value supplied for extra" . to_string ())"#;

/// Whether `block` is an `impl Default for ...`.
fn implements_default(block: &syn::ItemImpl) -> bool {
    block
        .trait_
        .as_ref()
        .is_some_and(|(path, _)| path.segments.last().is_some_and(|s| s.ident == "Default"))
}

/// Documents typify's `extra` field, which it leaves without docs.
fn document_extra(item: &mut syn::ItemStruct) {
    for field in item.fields.iter_mut() {
        if field.ident.as_ref().is_some_and(|name| name == "extra") {
            field.attrs.insert(
                0,
                syn::parse_quote!(
                    #[doc = " Every field of the answer that the spec does not name, with its JSON value as it came; written back as it is."]
                ),
            );
        }
    }
}

/// Whether `item` has typify's flattened map of unknown fields.
fn keeps_extra(item: &syn::ItemStruct) -> bool {
    item.fields.iter().any(|field| {
        field
            .attrs
            .iter()
            .any(|attr| crate::adapt::serde_args(attr).as_deref() == Some("flatten"))
    })
}
