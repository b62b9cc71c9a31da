//! Naming the inline request and 2xx response bodies of new operations as components: wpe-api's
//! build wants every body to be a `$ref` to a named schema.

use serde_json::{json, Map, Value};

use super::convert::{Converter, Named};
use super::schema::describe;
use super::Inference;

/// Where one named body goes: the operation's index among the new ones, the pointer of the
/// body schema inside it, the component name.
pub(super) type Placement = (usize, String, String);

impl Converter<'_> {
    /// Names every inline body recorded while converting operations. Bodies of the same
    /// structure share one component, named after a page when one of them is a page, else
    /// after the first of them. Returns where each `$ref` goes.
    pub(super) fn name_inline_bodies(&mut self) -> Vec<Placement> {
        let bodies = std::mem::take(&mut self.inline_bodies);
        let mut groups: Vec<(Value, Vec<usize>)> = Vec::new();
        for (i, body) in bodies.iter().enumerate() {
            let shape = structure(&body.schema);
            match groups.iter_mut().find(|(s, _)| *s == shape) {
                Some((_, members)) => members.push(i),
                None => groups.push((shape, vec![i])),
            }
        }
        let mut placements = Vec::new();
        for (_, members) in groups {
            let chosen = members
                .iter()
                .copied()
                .find(|&i| bodies[i].page)
                .unwrap_or(members[0]);
            let first = &bodies[chosen];
            let what = format!("the inline {} of {}", first.what, first.op);
            let (name, new) = match self.name_for(&first.wanted, &first.upstream, &what) {
                Named::Ours(n) => (n, false),
                Named::New(n) => (n, true),
            };
            if new {
                let mut schema = first.schema.clone();
                if let Some(m) = schema.as_object_mut() {
                    describe(m);
                }
                self.new_schemas.push((name.clone(), schema));
            }
            let others: Vec<String> = members
                .iter()
                .filter(|&&i| i != chosen)
                .map(|&i| format!("the {} of {}", bodies[i].what, bodies[i].op))
                .collect();
            let shared = if others.is_empty() {
                String::new()
            } else {
                format!("; shared by {} (the same structure)", others.join(", "))
            };
            let how = if new {
                "names".to_string()
            } else {
                "ours' schema of that name stands for".to_string()
            };
            self.inferences.push(Inference {
                target: name.clone(),
                fact: format!("{how} {what}: {}{shared}", first.why),
            });
            for &i in &members {
                placements.push((bodies[i].op_index, bodies[i].pointer.clone(), name.clone()));
            }
        }
        placements
    }
}

/// Puts each named body's `$ref` into its operation.
pub(super) fn place(ops: &mut [(String, String, Value)], placements: Vec<Placement>) {
    for (index, pointer, name) in placements {
        if let Some(slot) = ops
            .get_mut(index)
            .and_then(|(_, _, op)| op.pointer_mut(&pointer))
        {
            *slot = json!({"$ref": format!("#/components/schemas/{name}")});
        }
    }
}

/// A schema without its descriptions (the texts are markers anyway): what "the same
/// structure" compares. Property names (`properties` keys) are kept, even `description`.
fn structure(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut out = Map::new();
            for (k, v) in m {
                match k.as_str() {
                    "description" => {}
                    "properties" => {
                        let props = v
                            .as_object()
                            .map(|p| {
                                p.iter()
                                    .map(|(name, s)| (name.clone(), structure(s)))
                                    .collect()
                            })
                            .unwrap_or_default();
                        out.insert(k.clone(), Value::Object(props));
                    }
                    _ => {
                        out.insert(k.clone(), structure(v));
                    }
                }
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(structure).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::super::convert::InlineBody;
    use super::*;

    fn body(op: &str, index: usize, wanted: &str, page: bool, schema: Value) -> InlineBody {
        InlineBody {
            op_index: index,
            op: op.into(),
            pointer: "/responses/200/content/application~1json/schema".into(),
            what: "200 body".into(),
            wanted: wanted.into(),
            why: "why".into(),
            page,
            schema: schema.clone(),
            upstream: schema,
        }
    }

    #[test]
    fn equal_bodies_share_one_component_named_after_the_page() {
        let up = json!({"swagger": "2.0"});
        let mut cx = Converter::new(&up, BTreeSet::new());
        let list = json!({"type": "object", "properties": {"results": {"type": "array", "description": "a"}}});
        let same = json!({"type": "object", "properties": {"results": {"type": "array", "description": "b"}}});
        let other = json!({"type": "object", "properties": {"description": {"type": "string"}}});
        cx.inline_bodies = vec![
            body("updateThings", 0, "ThingsList", false, list),
            body("listThings", 1, "ThingsPage", true, same),
            body("getThing", 2, "GetThingResponse", false, other),
        ];
        let placed = cx.name_inline_bodies();
        let names: Vec<(usize, &str)> = placed.iter().map(|(i, _, n)| (*i, n.as_str())).collect();
        assert_eq!(
            names,
            [
                (0, "ThingsPage"),
                (1, "ThingsPage"),
                (2, "GetThingResponse")
            ]
        );
        let schemas: Vec<&str> = cx.new_schemas.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(schemas, ["ThingsPage", "GetThingResponse"]);
        assert_eq!(
            cx.new_schemas[0].1["description"],
            json!(super::super::DESCRIBE)
        );
        assert!(cx.inferences[0]
            .fact
            .contains("shared by the 200 body of updateThings"));
    }
}
