//! JSON pointers and diff locations: escaping, `$ref` resolution, and finding operations, bodies and properties.

use serde_json::Value;

/// JSON-pointer escaping of one reference token.
pub(super) fn escape(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

/// Follows local `$ref`s (and a lone `allOf` wrapper) to the schema they name.
pub(super) fn resolve<'d>(doc: &'d Value, mut v: &'d Value) -> &'d Value {
    for _ in 0..32 {
        if let Some(r) = v.get("$ref").and_then(Value::as_str) {
            match r.strip_prefix('#').and_then(|p| doc.pointer(p)) {
                Some(t) => v = t,
                None => return &Value::Null,
            }
        } else if let Some([only]) = v.get("allOf").and_then(Value::as_array).map(Vec::as_slice) {
            v = only;
        } else {
            return v;
        }
    }
    &Value::Null
}

/// Like [`resolve`], but returns the JSON pointer of the schema reached from `ptr`.
pub(super) fn resolve_ptr(doc: &Value, ptr: String) -> Option<String> {
    resolve_ptr_following(doc, ptr, |_| true)
}

/// Like [`resolve_ptr`], but follows only the `$ref`s `follow` accepts (by their target,
/// `#/components/schemas/X`): `None` at any other.
pub(super) fn resolve_ptr_following(
    doc: &Value,
    mut ptr: String,
    follow: impl Fn(&str) -> bool,
) -> Option<String> {
    for _ in 0..32 {
        let v = doc.pointer(&ptr)?;
        if let Some(r) = v.get("$ref").and_then(Value::as_str) {
            if !follow(r) {
                return None;
            }
            ptr = r.strip_prefix('#')?.to_string();
        } else if let Some([_]) = v.get("allOf").and_then(Value::as_array).map(Vec::as_slice) {
            ptr = format!("{ptr}/allOf/0");
        } else {
            return Some(ptr);
        }
    }
    None
}

/// One step of a diff location below `body`.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Step {
    Prop(String),
    Items,
    Values,
    Variant(usize),
}

/// Splits a diff location into the schema it starts from and the steps below it:
/// `response.200.body.results[].status` -> (`response 200`, [results, [], status]).
pub(super) fn parse_location(location: &str) -> Option<(Option<String>, Vec<Step>)> {
    let (status, mut rest) = if let Some(r) = location.strip_prefix("request.body") {
        (None, r)
    } else {
        let r = location.strip_prefix("response.")?;
        let (status, r) = r.split_once(".body").unwrap_or((r, "\u{0}"));
        if r == "\u{0}" {
            return None;
        }
        (Some(status.to_string()), r)
    };
    let mut steps = Vec::new();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("[]") {
            steps.push(Step::Items);
            rest = r;
        } else if let Some(r) = rest.strip_prefix("{}") {
            steps.push(Step::Values);
            rest = r;
        } else if let Some(r) = rest.strip_prefix(".oneOf[") {
            let (n, r) = r.split_once(']')?;
            steps.push(Step::Variant(n.parse().ok()?));
            rest = r;
        } else if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[', '{']).unwrap_or(r.len());
            steps.push(Step::Prop(r[..end].to_string()));
            rest = &r[end..];
        } else {
            return None;
        }
    }
    Some((status, steps))
}

/// The pointer one `step` below the schema at `ptr` (not resolved); `None` for a property
/// the schema lacks.
pub(super) fn step_pointer(doc: &Value, ptr: &str, step: &Step) -> Option<String> {
    Some(match step {
        Step::Prop(name) => find_property(doc, ptr, name)?,
        Step::Items => format!("{ptr}/items"),
        Step::Values => format!("{ptr}/additionalProperties"),
        Step::Variant(i) => {
            let key = if doc.pointer(&format!("{ptr}/oneOf")).is_some() {
                "oneOf"
            } else {
                "anyOf"
            };
            format!("{ptr}/{key}/{i}")
        }
    })
}

/// Walks `steps` from the schema at `ptr`, resolving references; returns the pointer reached.
pub(super) fn walk(doc: &Value, ptr: String, steps: &[Step]) -> Option<String> {
    let mut ptr = resolve_ptr(doc, ptr)?;
    for step in steps {
        ptr = resolve_ptr(doc, step_pointer(doc, &ptr, step)?)?;
    }
    Some(ptr)
}

/// The pointer of property `name` of the object schema at `ptr` (looking into `allOf` parts too).
pub(super) fn find_property(doc: &Value, ptr: &str, name: &str) -> Option<String> {
    let here = format!("{ptr}/properties/{}", escape(name));
    if doc.pointer(&here).is_some() {
        return Some(here);
    }
    let parts = doc.pointer(&format!("{ptr}/allOf"))?.as_array()?.len();
    (0..parts).find_map(|i| {
        let part = resolve_ptr(doc, format!("{ptr}/allOf/{i}"))?;
        find_property(doc, &part, name)
    })
}

/// Where an operation keeps its request or response schema (Swagger 2.0 or OpenAPI 3).
pub(super) fn body_pointer(doc: &Value, op_ptr: &str, status: Option<&str>) -> Option<String> {
    let op = doc.pointer(op_ptr)?;
    match status {
        None => {
            if op.get("requestBody").is_some() {
                let rb = resolve_ptr(doc, format!("{op_ptr}/requestBody"))?;
                return content_schema(doc, &rb);
            }
            let params = op.get("parameters")?.as_array()?;
            let i = params
                .iter()
                .position(|p| resolve(doc, p)["in"] == "body")?;
            let p = resolve_ptr(doc, format!("{op_ptr}/parameters/{i}"))?;
            Some(format!("{p}/schema"))
        }
        Some(status) => {
            let r = resolve_ptr(doc, format!("{op_ptr}/responses/{}", escape(status)))?;
            if doc.pointer(&format!("{r}/schema")).is_some() {
                Some(format!("{r}/schema"))
            } else {
                content_schema(doc, &r)
            }
        }
    }
}

fn content_schema(doc: &Value, ptr: &str) -> Option<String> {
    let content = doc.pointer(&format!("{ptr}/content"))?.as_object()?;
    let media = content
        .keys()
        .find(|k| k.contains("json"))
        .or_else(|| content.keys().next())?;
    Some(format!("{ptr}/content/{}/schema", escape(media)))
}

/// Finds an operation's pointer by method and path, else by `operationId`.
pub(super) fn find_operation(
    doc: &Value,
    method: &str,
    path: &str,
    id: Option<&str>,
) -> Option<String> {
    let direct = format!("/paths/{}/{}", escape(path), method.to_ascii_lowercase());
    if doc.pointer(&direct).is_some() {
        return Some(direct);
    }
    let id = id?;
    for (p, item) in doc.get("paths")?.as_object()? {
        for (m, op) in item.as_object()? {
            if op.get("operationId").and_then(Value::as_str) == Some(id) {
                return Some(format!("/paths/{}/{m}", escape(p)));
            }
        }
    }
    None
}

pub(super) fn unescape(s: &str) -> String {
    s.replace("~1", "/").replace("~0", "~")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_split_into_steps() {
        let (status, steps) = parse_location("response.200.body.results[].status").expect("parses");
        assert_eq!(status.as_deref(), Some("200"));
        assert_eq!(
            steps,
            vec![
                Step::Prop("results".into()),
                Step::Items,
                Step::Prop("status".into())
            ]
        );
        let (status, steps) = parse_location("request.body.map{}.oneOf[1].x").expect("parses");
        assert_eq!(status, None);
        assert_eq!(
            steps,
            vec![
                Step::Prop("map".into()),
                Step::Values,
                Step::Variant(1),
                Step::Prop("x".into())
            ]
        );
        assert!(parse_location("parameter.query.limit").is_none());
        assert_eq!(
            parse_location("response.200.body").expect("parses").1,
            vec![]
        );
    }
}
