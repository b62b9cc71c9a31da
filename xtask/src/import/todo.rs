//! The to-do list that ends an import's report: what a person does next, in order.

use serde_json::Value;

use super::pointer::escape;
use super::{ImportReport, MARKER};

/// Marker pointers listed by name in the to-do entry; the rest are counted.
const LISTED_MARKERS: usize = 20;

/// `snake_case` the way heck's `to_snake_case` does it (wpe-api's build uses heck): words split
/// at anything not alphanumeric, before an upper-case letter that follows a lower-case one (or a
/// digit that follows one), and before the last capital of a run followed by a lower-case
/// letter: `importThirdPartySSLCertificate` -> `import_third_party_ssl_certificate`,
/// `SFTP User` -> `sftp_user`.
pub fn snake_case(s: &str) -> String {
    #[derive(Clone, Copy, PartialEq)]
    enum Mode {
        Boundary,
        Lower,
        Upper,
    }
    let mut words: Vec<String> = Vec::new();
    for part in s.split(|c: char| !c.is_alphanumeric()) {
        let chars: Vec<char> = part.chars().collect();
        let mut init = 0;
        let mut mode = Mode::Boundary;
        for (i, &c) in chars.iter().enumerate() {
            let Some(&next) = chars.get(i + 1) else {
                words.push(chars[init..].iter().collect());
                break;
            };
            let next_mode = if c.is_lowercase() {
                Mode::Lower
            } else if c.is_uppercase() {
                Mode::Upper
            } else {
                mode
            };
            if next_mode == Mode::Lower && next.is_uppercase() {
                words.push(chars[init..=i].iter().collect());
                init = i + 1;
                mode = Mode::Boundary;
            } else if mode == Mode::Upper && c.is_uppercase() && next.is_lowercase() {
                words.push(chars[init..i].iter().collect());
                init = i;
                mode = Mode::Boundary;
            } else {
                mode = next_mode;
            }
        }
    }
    words.retain(|w| !w.is_empty());
    words
        .iter()
        .map(|w| w.to_lowercase())
        .collect::<Vec<_>>()
        .join("_")
}

/// JSON pointers of every [`MARKER`] string in `doc`, in document order.
pub fn marker_pointers(doc: &Value) -> Vec<String> {
    fn walk(v: &Value, at: &mut String, out: &mut Vec<String>) {
        match v {
            Value::String(s) if s.starts_with(MARKER) => out.push(at.clone()),
            Value::Array(a) => {
                for (i, item) in a.iter().enumerate() {
                    let len = at.len();
                    at.push_str(&format!("/{i}"));
                    walk(item, at, out);
                    at.truncate(len);
                }
            }
            Value::Object(m) => {
                for (k, item) in m {
                    let len = at.len();
                    at.push('/');
                    at.push_str(&escape(k));
                    walk(item, at, out);
                    at.truncate(len);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(doc, &mut String::new(), &mut out);
    out
}

/// The to-do list for a finished import (`decisions` filled in) whose result is `doc`.
pub fn todo(report: &ImportReport, doc: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for op in &report.operations {
        let tag = find_op(doc, &op.method, &op.path)
            .and_then(|o| o["tags"][0].as_str())
            .unwrap_or_default();
        let module = snake_case(tag);
        out.push(format!(
            "write the stand-in handler `fake::{module}::{}` in wpe-api/src/fake/{module}.rs, and a fixture/scenario test for it; \
             record in its `x-wpe-behaviours` what {}'s reference page states beyond the schema \
             (rules, defaults, limits, asynchronous effects, roles), each with the scenario that proves it or why not modelled",
            snake_case(&op.operation_id),
            op.operation_id
        ));
    }
    for op in &report.operations {
        let accepted = find_op(doc, &op.method, &op.path)
            .and_then(|o| o["responses"].as_object())
            .is_some_and(|r| r.contains_key("202"));
        if accepted {
            out.push(format!(
                "decide `x-wpe-job` for {} (what polls it), or none",
                op.operation_id
            ));
        }
    }
    for op in &report.operations {
        let judged = find_op(doc, &op.method, &op.path).is_some_and(|o| {
            o.get("x-wpe-replaces").is_some() || o.get("x-wpe-destructive").is_some()
        });
        if !judged && !matches!(op.method.as_str(), "GET" | "DELETE") {
            out.push(format!(
                "decide `x-wpe-replaces` for {} (the reason, if it replaces or removes more than it sends), or none",
                op.operation_id
            ));
        }
    }
    let markers = marker_pointers(doc);
    if !markers.is_empty() {
        let mut listed: Vec<String> = markers
            .iter()
            .take(LISTED_MARKERS)
            .map(|p| format!("`{p}`"))
            .collect();
        if markers.len() > LISTED_MARKERS {
            listed.push("…".into());
        }
        out.push(format!(
            "replace the {} `{MARKER}` marker{} ({})",
            markers.len(),
            if markers.len() == 1 { "" } else { "s" },
            listed.join(", ")
        ));
    }
    for c in &report.decisions {
        out.push(format!(
            "decide {} {} {} {} ({}): {}; follow upstream, or record a deviation",
            c.operation.as_deref().unwrap_or("-"),
            c.method,
            c.path,
            c.location,
            c.kind.as_str(),
            c.detail
        ));
    }
    for d in &report.schema_decisions {
        let differences = if d.differences.is_empty() {
            String::new()
        } else {
            format!(" ({})", d.differences.join("; "))
        };
        out.push(format!(
            "decide schema {} ({}): {}{differences}",
            d.schema, d.upstream, d.decision
        ));
    }
    for c in &report.conventions_unapplied {
        out.push(format!(
            "apply convention {} by hand at {}: {}",
            c.convention, c.target, c.detail
        ));
    }
    if !report.inferences.is_empty() {
        out.push("confirm the inferences above".into());
    }
    out
}

fn find_op<'d>(doc: &'d Value, method: &str, path: &str) -> Option<&'d Value> {
    doc.pointer(&format!(
        "/paths/{}/{}",
        escape(path),
        method.to_ascii_lowercase()
    ))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn snake_case_reads_runs_of_capitals_as_one_word() {
        for (id, snake) in [
            (
                "importThirdPartySSLCertificate",
                "import_third_party_ssl_certificate",
            ),
            ("getLargeFSValidationFile", "get_large_fs_validation_file"),
            ("createSftpUser", "create_sftp_user"),
            ("SFTP User", "sftp_user"),
            ("Cache", "cache"),
            ("Account User", "account_user"),
            ("Site-Reports", "site_reports"),
            ("getV1Thing", "get_v1_thing"),
            ("HTTPServer", "http_server"),
            (
                "postAccountsUsageRefreshDiskUsage",
                "post_accounts_usage_refresh_disk_usage",
            ),
        ] {
            assert_eq!(snake_case(id), snake, "{id}");
        }
    }

    #[test]
    fn marker_pointers_are_escaped_json_pointers() {
        let doc = json!({"paths": {"/a/{b}": {"get": {"summary": "TODO(import): x", "tags": ["T"]}}},
            "list": ["ok", "TODO(import): y"]});
        assert_eq!(
            marker_pointers(&doc),
            ["/paths/~1a~1{b}/get/summary", "/list/1"]
        );
    }
}
