//! Converting Swagger 2.0 schemas and definitions to OpenAPI 3.0 component schemas.

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

use super::conventions::{is_reference, RefConvention};
use super::convert::{Converter, Named, Target};
use super::pointer::{escape, unescape};
use super::scaffold::set_before;
use super::{pascal, Inference, DESCRIBE, DESCRIBE_VALUE};

impl Converter<'_> {
    /// Converts a Swagger 2.0 schema. `owner` names the component being converted (for naming
    /// extracted enums), `property` the property this schema is the value of.
    pub(super) fn schema(
        &mut self,
        s: &Value,
        owner: Option<&str>,
        property: Option<&str>,
    ) -> Value {
        let Some(obj) = s.as_object() else {
            return s.clone();
        };
        if let Some(reference) = obj.get("$ref").and_then(Value::as_str) {
            let target = match reference.strip_prefix("#/definitions/") {
                Some(name) => self.target(&unescape(name)),
                None => {
                    self.notes
                        .push(format!("reference {reference} kept as written"));
                    return json!({"$ref": reference});
                }
            };
            let nullable = obj.get("x-nullable").and_then(Value::as_bool) == Some(true);
            return match (target, nullable) {
                (Target::Inline(v), _) => v,
                (Target::Component(n), false) => {
                    json!({"$ref": format!("#/components/schemas/{n}")})
                }
                (Target::Component(n), true) => {
                    json!({"nullable": true, "allOf": [{"$ref": format!("#/components/schemas/{n}")}]})
                }
            };
        }
        if let (Some(property), Some(convention)) = (property, self.refs.clone()) {
            if is_reference(s) {
                return self.reference(s, owner, property, &convention);
            }
        }
        if let (Some(owner), Some(property)) = (owner, property) {
            let state = ["status", "state"]
                .iter()
                .any(|w| property == *w || property.ends_with(&format!("_{w}")));
            if state
                && obj.get("type").and_then(Value::as_str) == Some("string")
                && obj.contains_key("enum")
            {
                let wanted = format!("{owner}{}", pascal(property));
                let what = format!("the enum of upstream's {owner}.{property}");
                let name = match self.name_for(&wanted, s, &what) {
                    Named::Ours(name) => name,
                    Named::New(name) => {
                        let mut e = self.schema(s, None, None);
                        open_enum(&mut e);
                        self.new_schemas.push((name.clone(), e));
                        self.inferences.push(Inference {
                            target: name.clone(),
                            fact: format!("x-wpe-open-enum (state field {owner}.{property}): the server may add values; wpe-api's build generates it; describe its values"),
                        });
                        name
                    }
                };
                return json!({"$ref": format!("#/components/schemas/{name}")});
            }
        }
        let mut out = Map::new();
        let mut nullable = obj.get("x-nullable").and_then(Value::as_bool) == Some(true);
        for (key, value) in obj {
            match key.as_str() {
                "description" => {
                    out.insert(key.clone(), json!(DESCRIBE));
                }
                "example" | "x-nullable" => {}
                k if k.starts_with("x-") => {}
                "enum" => {
                    let values: Vec<Value> = value
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter(|v| !v.is_null())
                        .cloned()
                        .collect();
                    nullable |= value
                        .as_array()
                        .is_some_and(|a| a.iter().any(Value::is_null));
                    out.insert(key.clone(), Value::Array(values));
                }
                "type" if value == "file" => {
                    out.insert("type".into(), json!("string"));
                    out.insert("format".into(), json!("binary"));
                }
                "properties" => {
                    let mut props = Map::new();
                    for (name, p) in value.as_object().into_iter().flatten() {
                        props.insert(name.clone(), self.schema(p, owner, Some(name)));
                    }
                    out.insert(key.clone(), Value::Object(props));
                }
                "items" | "additionalProperties" if value.is_object() => {
                    out.insert(key.clone(), self.schema(value, None, None));
                }
                "allOf" | "oneOf" | "anyOf" => {
                    let parts = value
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|p| self.schema(p, None, None))
                        .collect();
                    out.insert(key.clone(), Value::Array(parts));
                }
                "discriminator" if value.is_string() => {
                    out.insert(key.clone(), json!({"propertyName": value}));
                }
                _ => {
                    out.insert(key.clone(), value.clone());
                }
            }
        }
        if nullable {
            set_before(&mut out, "nullable", json!(true), "description");
        }
        Value::Object(out)
    }

    /// A reference object upstream writes inline as the value of `property` (of `owner`): ours'
    /// way is a component `<Property>Ref` (ours' when it has one, else a new one with ours'
    /// reference convention applied), behind a nullable `allOf` when upstream's is `x-nullable`.
    fn reference(
        &mut self,
        s: &Value,
        owner: Option<&str>,
        property: &str,
        convention: &RefConvention,
    ) -> Value {
        let nullable = s.get("x-nullable").and_then(Value::as_bool) == Some(true);
        let mut plain = s.clone();
        if let Some(m) = plain.as_object_mut() {
            m.remove("x-nullable");
        }
        let wanted = format!("{}Ref", pascal(property));
        let what = format!(
            "the reference object {}.{property} of upstream",
            owner.unwrap_or("(inline)")
        );
        let name = match self.made_refs.get(&wanted) {
            Some(made) if *made == plain => wanted,
            _ => match self.name_for(&wanted, &plain, &what) {
                Named::Ours(name) => name,
                Named::New(name) => {
                    let mut v = self.schema(&plain, None, None);
                    convention.apply(&name, &mut v, &mut self.conventions, &mut self.unapplied);
                    if let Some(m) = v.as_object_mut() {
                        describe(m);
                    }
                    self.new_schemas.push((name.clone(), v));
                    self.made_refs.insert(wanted, plain);
                    self.inferences.push(Inference {
                        target: name.clone(),
                        fact: format!(
                            "names {what} (`<Property>Ref`: ours writes a reference to another resource as such a component, like {})",
                            convention.examples.join(", ")
                        ),
                    });
                    name
                }
            },
        };
        let r = json!({"$ref": format!("#/components/schemas/{name}")});
        if nullable {
            json!({"nullable": true, "allOf": [r]})
        } else {
            r
        }
    }

    /// Converts every queued definition (and those they need).
    pub(super) fn drain(&mut self) {
        let mut done = BTreeSet::new();
        while !self.queued.is_empty() {
            let name = self.queued.remove(0);
            if !done.insert(name.clone()) {
                continue;
            }
            let Target::Component(ours_name) = self.target(&name) else {
                continue;
            };
            let Some(def) = self
                .up
                .pointer(&format!("/definitions/{}", escape(&name)))
                .cloned()
            else {
                self.notes.push(format!(
                    "upstream definition {name} is referenced but missing"
                ));
                continue;
            };
            let pos = self.new_schemas.len();
            let converted = self.schema(&def, Some(&ours_name), None);
            // The definition goes before the enums extracted from it.
            self.new_schemas.insert(pos, (ours_name, converted));
        }
    }
}

/// Marks a converted enum schema open: `x-wpe-open-enum`, a marker per value in
/// `x-wpe-enum-descriptions` (from which, with `description`, wpe-api's build writes the type),
/// and a description marker when it has none.
pub(super) fn open_enum(e: &mut Value) {
    let Some(m) = e.as_object_mut() else {
        return;
    };
    m.insert("x-wpe-open-enum".into(), json!(true));
    let mut words = Map::new();
    for v in m
        .get("enum")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(v) = v.as_str() {
            words.insert(v.to_string(), json!(DESCRIBE_VALUE));
        }
    }
    m.insert("x-wpe-enum-descriptions".into(), Value::Object(words));
    describe(m);
}

/// Gives a new component a description marker (right after `type`) when it has no description.
pub(super) fn describe(m: &mut Map<String, Value>) {
    if m.contains_key("description") {
        return;
    }
    let after = m.keys().position(|k| k == "type").map_or(0, |i| i + 1);
    match m.keys().nth(after).cloned() {
        Some(before) => set_before(m, "description", json!(DESCRIBE), &before),
        None => {
            m.insert("description".into(), json!(DESCRIBE));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swagger_schemas_become_openapi_3() {
        let up = json!({"swagger": "2.0", "definitions": {"Thing": {"type": "object", "properties": {
            "state": {"type": "string", "enum": ["a", "b"]},
            "env": {"type": "string", "enum": ["x", null], "description": "upstream words"},
            "when": {"type": "string", "format": "date-time", "x-nullable": true, "example": "2024"}}}}});
        let mut cx = Converter::new(&up, BTreeSet::new());
        let r = cx.schema(&json!({"$ref": "#/definitions/Thing"}), None, None);
        assert_eq!(r, json!({"$ref": "#/components/schemas/Thing"}));
        cx.drain();
        let names: Vec<&str> = cx.new_schemas.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["Thing", "ThingState"]);
        let thing = &cx.new_schemas[0].1;
        assert_eq!(
            thing["properties"]["state"],
            json!({"$ref": "#/components/schemas/ThingState"})
        );
        assert_eq!(
            thing["properties"]["env"],
            json!({"type": "string", "nullable": true, "description": DESCRIBE, "enum": ["x"]})
        );
        assert_eq!(
            thing["properties"]["when"],
            json!({"type": "string", "format": "date-time", "nullable": true})
        );
        assert_eq!(
            cx.new_schemas[1].1,
            json!({"type": "string", "description": DESCRIBE, "enum": ["a", "b"],
                "x-wpe-open-enum": true, "x-wpe-enum-descriptions": {"a": DESCRIBE_VALUE, "b": DESCRIBE_VALUE}})
        );
    }
}
