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
