//! What the generators of `build/` share: the schemas the spec marks with
//! an `x-wpe-*` flag, every operation object of the spec, and doc
//! attributes written from a description.

use serde_json::Value;

/// The component schemas whose `flag` (`x-wpe-open-enum`, `x-wpe-secret`)
/// is `true`, in the spec's order.
pub fn schemas<'a>(spec: &'a Value, flag: &'a str) -> impl Iterator<Item = (&'a str, &'a Value)> {
    spec["components"]["schemas"]
        .as_object()
        .expect("components/schemas")
        .iter()
        .filter(move |(_, schema)| schema.get(flag).and_then(Value::as_bool) == Some(true))
        .map(|(name, schema)| (name.as_str(), schema))
}

/// `#[doc = ...]` attributes for `text`, one per line, each after `indent`.
pub fn docs(text: &str, indent: &str) -> String {
    text.lines()
        .map(|line| format!("{indent}#[doc = {:?}]\n", format!(" {line}")))
        .collect()
}

/// Every operation object of `spec` (each method of each path item), for
/// the build steps that change the copy progenitor reads.
pub fn operations_mut(spec: &mut Value) -> impl Iterator<Item = &mut Value> {
    spec["paths"]
        .as_object_mut()
        .expect("paths")
        .values_mut()
        .flat_map(|item| item.as_object_mut().expect("path item").iter_mut())
        .filter(|(method, _)| method.as_str() != "parameters")
        .map(|(_, operation)| operation)
}

/// The `$ref`s to component schemas anywhere in `value`.
fn refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                match (key.as_str(), inner.as_str()) {
                    ("$ref", Some(target)) => {
                        if let Some(name) = target.strip_prefix("#/components/schemas/") {
                            out.push(name.to_owned());
                        }
                    }
                    _ => refs(inner, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| refs(item, out)),
        _ => {}
    }
}

/// `roots` and every component schema they refer to, all the way down.
fn closure(spec: &Value, mut todo: Vec<String>) -> std::collections::BTreeSet<String> {
    let mut seen = std::collections::BTreeSet::new();
    while let Some(name) = todo.pop() {
        if seen.insert(name.clone()) {
            refs(&spec["components"]["schemas"][&name], &mut todo);
        }
    }
    seen
}

/// Every operation object of `spec`, read-only.
fn operations(spec: &Value) -> impl Iterator<Item = (&str, &Value)> {
    spec["paths"]
        .as_object()
        .expect("paths")
        .values()
        .flat_map(|item| item.as_object().expect("path item").iter())
        .map(|(method, operation)| (method.as_str(), operation))
}

/// The component schemas a request can hold: those its body or parameters
/// refer to, and everything they refer to in turn.
pub fn request_schemas(spec: &Value) -> std::collections::BTreeSet<String> {
    let mut roots = Vec::new();
    for (method, operation) in operations(spec) {
        if method == "parameters" {
            refs(operation, &mut roots);
        } else {
            refs(&operation["requestBody"], &mut roots);
            refs(&operation["parameters"], &mut roots);
        }
    }
    closure(spec, roots)
}

/// The component schemas a success answer (a 2xx body) can hold, and
/// everything they refer to in turn.
pub fn answer_schemas(spec: &Value) -> std::collections::BTreeSet<String> {
    let mut roots = Vec::new();
    for (method, operation) in operations(spec) {
        if method == "parameters" {
            continue;
        }
        for (status, response) in operation["responses"].as_object().into_iter().flatten() {
            if status.starts_with('2') {
                refs(response, &mut roots);
            }
        }
    }
    closure(spec, roots)
}
