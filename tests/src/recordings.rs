//! The answers recorded from the live API (`../shared/real-responses`, read
//! from there and never copied into the project), and the checks that a
//! re-serialized answer kept every field of them.

use serde_json::{json, Value};

use crate::shared_file;

/// One recording: the operation, the request as sent, the response as received.
#[derive(Debug, Clone)]
pub struct Recording {
    /// The file's name, e.g. `listDomains.json`.
    pub file: String,
    /// The operationId it is an answer of.
    pub operation_id: String,
    /// The request's path, with the recorder's doubled `/` made single.
    pub path: String,
    /// The request's query pairs, in order.
    pub query: Vec<(String, String)>,
    /// The answer's status.
    pub status: u16,
    /// The answer's `content-type`.
    pub content_type: String,
    /// The answer's body.
    pub body: Value,
}

impl Recording {
    /// The UUID in the recorded path right after `segment`.
    pub fn path_id(&self, segment: &str) -> uuid::Uuid {
        let parts: Vec<&str> = self.path.split('/').collect();
        let at = parts.iter().position(|p| *p == segment).expect("segment");
        parts[at + 1].parse().expect("a UUID in the path")
    }

    /// The numeric query value `name`, if the request had one.
    pub fn query_number(&self, name: &str) -> Option<u64> {
        self.query
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.parse().expect("numeric query value"))
    }

    /// The same answer with fields no spec names added at every level (on
    /// the envelope, on each item, and inside nested objects), some `null`,
    /// some lists and objects: what a server that grew new fields sends.
    pub fn with_unknown_fields(&self) -> Recording {
        fn grow(value: &mut Value, depth: usize) {
            match value {
                Value::Object(map) => {
                    for inner in map.values_mut() {
                        grow(inner, depth + 1);
                    }
                    map.insert(format!("x_new_{depth}"), json!({"a": [1, null], "b": "c"}));
                    map.insert(format!("x_null_{depth}"), Value::Null);
                    map.insert(format!("x_empty_{depth}"), json!([]));
                }
                Value::Array(items) => items.iter_mut().for_each(|item| grow(item, depth + 1)),
                _ => {}
            }
        }
        let mut grown = self.clone();
        grown.file = format!("{} with unknown fields", self.file);
        grow(&mut grown.body, 0);
        grown
    }
}

/// Every recording of `../shared/real-responses`, by file name; `None`
/// (after saying why) when `../shared` is absent off CI.
pub fn live_recordings() -> Option<Vec<Recording>> {
    let dir = shared_file("real-responses")?;
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no recordings in {}", dir.display());
    Some(
        files
            .iter()
            .map(|path| {
                let text = std::fs::read_to_string(path).expect("read recording");
                let rec: Value = serde_json::from_str(&text).expect("recording is JSON");
                let url = reqwest::Url::parse(rec["request"]["url"].as_str().expect("url"))
                    .expect("recorded URL parses");
                let response = &rec["response"];
                Recording {
                    file: path.file_name().unwrap().to_string_lossy().into_owned(),
                    operation_id: rec["operationId"].as_str().expect("operationId").to_owned(),
                    // The recorder sent one listDomains request to `/v1//installs/...`.
                    path: url.path().replace("//", "/"),
                    query: url.query_pairs().into_owned().collect(),
                    status: response["status"].as_u64().expect("status") as u16,
                    content_type: response["headers"]["content-type"]
                        .as_str()
                        .unwrap_or("application/json")
                        .to_owned(),
                    body: response["body"].clone(),
                }
            })
            .collect(),
    )
}

/// The key paths of `sent` (`$.results[0].redirect_to.id`, nulls and empty
/// lists included) that `kept` does not have: what a re-serialization lost.
///
/// ```
/// use serde_json::json;
/// use wpe_api_tests::recordings::lost_key_paths;
///
/// let sent = json!({"a": null, "b": [{"c": 1, "d": {}}]});
/// assert!(lost_key_paths(&sent, &json!({"a": null, "b": [{"c": 1, "d": {}}], "e": 2})).is_empty());
/// assert_eq!(lost_key_paths(&sent, &json!({"b": [{"c": 1}]})), ["$.a", "$.b[0].d"]);
/// ```
pub fn lost_key_paths(sent: &Value, kept: &Value) -> Vec<String> {
    fn walk(sent: &Value, kept: &Value, at: &str, out: &mut Vec<String>) {
        match (sent, kept) {
            (Value::Object(sent), Value::Object(kept)) => {
                for (key, value) in sent {
                    let place = format!("{at}.{key}");
                    match kept.get(key) {
                        Some(inner) => walk(value, inner, &place, out),
                        None => out.push(place),
                    }
                }
            }
            (Value::Array(sent), Value::Array(kept)) => {
                for (i, value) in sent.iter().enumerate() {
                    let place = format!("{at}[{i}]");
                    match kept.get(i) {
                        Some(inner) => walk(value, inner, &place, out),
                        None => out.push(place),
                    }
                }
            }
            (Value::Object(sent), _) if !sent.is_empty() => {
                out.extend(sent.keys().map(|key| format!("{at}.{key}")))
            }
            (Value::Array(sent), _) if !sent.is_empty() => {
                out.extend((0..sent.len()).map(|i| format!("{at}[{i}]")))
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(sent, kept, "$", &mut out);
    out
}
