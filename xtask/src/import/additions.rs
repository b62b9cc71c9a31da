//! Compatible additions to what ours already has: optional properties and enum values.

use serde_json::{json, Value};

use super::convert::Converter;
use super::pointer::{
    body_pointer, escape, find_operation, find_property, parse_location, unescape, walk, Step,
};
use super::{ImportReport, DESCRIBE_VALUE};
use crate::diff::Change;

impl Converter<'_> {
    /// Adds an optional property upstream has to the schema of ours the change points at.
    pub(super) fn add_property(
        &mut self,
        doc: &mut Value,
        change: &Change,
        report: &mut ImportReport,
    ) {
        let Some((status, steps)) = parse_location(&change.location) else {
            return;
        };
        let Some((Step::Prop(name), parent)) = steps.split_last() else {
            return;
        };
        let Some((up_parent, our_parent)) = self.locate(doc, change, status.as_deref(), parent)
        else {
            return;
        };
        let Some(up_prop) = self
            .up
            .pointer(&format!("{up_parent}/properties/{}", escape(name)))
            .cloned()
        else {
            return;
        };
        if find_property(doc, &our_parent, name).is_some() {
            return;
        }
        let owner = our_parent
            .strip_prefix("/components/schemas/")
            .filter(|n| !n.contains('/'))
            .map(unescape);
        let converted = self.schema(&up_prop, owner.as_deref(), Some(name));
        let Some(target) = doc.pointer_mut(&our_parent).and_then(Value::as_object_mut) else {
            return;
        };
        let props = target.entry("properties").or_insert_with(|| json!({}));
        if let Some(props) = props.as_object_mut() {
            props.insert(name.clone(), converted);
            report.properties.push(match owner {
                Some(owner) => format!("{owner}.{name}"),
                None => format!(
                    "{} {}",
                    change.operation.as_deref().unwrap_or("-"),
                    change.location
                ),
            });
        }
    }

    /// Appends enum values upstream has to the enum of ours the change points at.
    pub(super) fn add_enum_values(
        &mut self,
        doc: &mut Value,
        change: &Change,
        report: &mut ImportReport,
    ) {
        let Some((status, steps)) = parse_location(&change.location) else {
            return;
        };
        let Some((up_ptr, our_ptr)) = self.locate(doc, change, status.as_deref(), &steps) else {
            return;
        };
        let up_values: Vec<Value> = self
            .up
            .pointer(&format!("{up_ptr}/enum"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let Some(target) = doc.pointer_mut(&our_ptr).and_then(Value::as_object_mut) else {
            return;
        };
        let where_ = our_ptr
            .strip_prefix("/components/schemas/")
            .map(unescape)
            .unwrap_or_else(|| our_ptr.clone());
        let Some(values) = target.get_mut("enum").and_then(Value::as_array_mut) else {
            return;
        };
        let mut added = Vec::new();
        for v in up_values {
            if !v.is_null() && !values.contains(&v) {
                values.push(v.clone());
                added.push(v);
            }
        }
        if up_values_null(self.up, &up_ptr) && target.get("nullable").is_none() {
            target.insert("nullable".into(), json!(true));
        }
        // wpe-api's build writes an open enum's type from its values' descriptions.
        if target.get("x-wpe-open-enum") == Some(&json!(true)) && !added.is_empty() {
            let words = target
                .entry("x-wpe-enum-descriptions")
                .or_insert_with(|| json!({}));
            if let Some(words) = words.as_object_mut() {
                for v in added.iter().filter_map(Value::as_str) {
                    words
                        .entry(v.to_string())
                        .or_insert_with(|| json!(DESCRIBE_VALUE));
                }
            }
        }
        for v in added {
            report.enum_values.push(format!("{where_}: {v}"));
        }
    }

    /// The pointers (upstream, ours) of the schema at `steps` below a change's body.
    fn locate(
        &self,
        doc: &Value,
        change: &Change,
        status: Option<&str>,
        steps: &[Step],
    ) -> Option<(String, String)> {
        let up_op = find_operation(
            self.up,
            &change.method,
            &change.path,
            change.operation.as_deref(),
        )?;
        let our_op = find_operation(
            doc,
            &change.method,
            &change.path,
            change.operation.as_deref(),
        )?;
        let up = walk(self.up, body_pointer(self.up, &up_op, status)?, steps)?;
        let ours = walk(doc, body_pointer(doc, &our_op, status)?, steps)?;
        Some((up, ours))
    }
}

fn up_values_null(up: &Value, ptr: &str) -> bool {
    up.pointer(&format!("{ptr}/enum"))
        .and_then(Value::as_array)
        .is_some_and(|a| a.iter().any(Value::is_null))
}
