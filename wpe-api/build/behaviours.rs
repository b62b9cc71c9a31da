//! The documented behaviours: each operation's `x-wpe-behaviours`, the rules,
//! defaults, limits, asynchronous effects and required roles WP Engine states
//! for it beyond its schema, each with its source and either the stand-in
//! scenario that proves the stand-in follows it (`test`) or why the stand-in
//! does not model it (`not_modelled`). Claims from outside the reference (WP
//! Engine's agent skills) carry `"claim": "unverified"`, and
//! `upstream_wins` where they contradict upstream's document.
//!
//! The build checks each row's shape (a malformed row stops the build with
//! the operation and row named), writes the rows into the operation table
//! (`src/operations.rs`, `Operation::behaviours`) and appends them to the
//! operation's description in the copy of the spec progenitor reads, so the
//! client method's docs say them.

use serde_json::Value;

/// One row of `x-wpe-behaviours`, checked.
pub struct Row<'a> {
    pub rule: &'a str,
    pub source: &'a str,
    /// `Some(why upstream wins)` or `Some("")` for an unverified claim,
    /// `None` for a documented rule.
    pub claim: Option<&'a str>,
    /// `Ok(scenario)` or `Err(why not modelled)`.
    pub proof: Result<&'a str, &'a str>,
}

const KEYS: [&str; 6] = [
    "rule",
    "source",
    "test",
    "not_modelled",
    "claim",
    "upstream_wins",
];

/// The checked rows of an operation (`raw` is its object in the spec).
pub fn rows<'a>(raw: &'a Value, id: &str) -> Vec<Row<'a>> {
    let Some(list) = raw.get("x-wpe-behaviours") else {
        return Vec::new();
    };
    let list = list
        .as_array()
        .unwrap_or_else(|| panic!("{id}: x-wpe-behaviours must be a list of rows"));
    list.iter()
        .enumerate()
        .map(|(at, row)| {
            let here = format!("{id}: x-wpe-behaviours[{at}]");
            let object = row
                .as_object()
                .unwrap_or_else(|| panic!("{here} must be an object"));
            if let Some(key) = object.keys().find(|k| !KEYS.contains(&k.as_str())) {
                panic!("{here}: unknown key {key:?} (known: {KEYS:?})");
            }
            let text = |key: &str| -> Option<&'a str> {
                row.get(key).map(|v| {
                    let s = v
                        .as_str()
                        .unwrap_or_else(|| panic!("{here}: {key} must be a string"));
                    assert!(!s.trim().is_empty(), "{here}: {key} must not be empty");
                    s
                })
            };
            let rule = text("rule").unwrap_or_else(|| panic!("{here}: `rule` is required"));
            let source = text("source").unwrap_or_else(|| panic!("{here}: `source` is required"));
            let proof = match (text("test"), text("not_modelled")) {
                (Some(test), None) => Ok(test),
                (None, Some(why)) => Err(why),
                _ => panic!(
                    "{here} ({rule:?}) needs exactly one of `test` (the stand-in scenario \
                     that proves it, `module::scenario`) or `not_modelled` (why not)"
                ),
            };
            let claim = match (text("claim"), text("upstream_wins")) {
                (None, None) => None,
                (Some("unverified"), wins) => Some(wins.unwrap_or("")),
                (Some(other), _) => panic!("{here}: claim must be \"unverified\", not {other:?}"),
                (None, Some(_)) => {
                    panic!("{here}: upstream_wins goes with \"claim\": \"unverified\"")
                }
            };
            Row {
                rule,
                source,
                claim,
                proof,
            }
        })
        .collect()
}

/// Appends each operation's rows to its description, in `spec` (the copy
/// progenitor reads): documented rules first, then unverified claims.
pub fn document(spec: &mut Value) {
    for operation in crate::marked::operations_mut(spec) {
        let id = operation["operationId"].as_str().unwrap_or("?").to_owned();
        let rows = rows(operation, &id);
        let mut text = String::new();
        let documented: Vec<&Row<'_>> = rows.iter().filter(|r| r.claim.is_none()).collect();
        if !documented.is_empty() {
            text += "\n\nWhat WP Engine's reference states beyond the schema (the server \
                     enforces it; the client does not check rules across fields):\n";
            for row in documented {
                text += &format!("\n- {}", row.rule);
            }
        }
        let claims: Vec<&Row<'_>> = rows.iter().filter(|r| r.claim.is_some()).collect();
        if !claims.is_empty() {
            text += "\n\nUnverified claims from WP Engine's agent skills (not in the reference):\n";
            for row in claims {
                text += &format!("\n- {}", row.rule);
                if let Some(wins) = row.claim.filter(|w| !w.is_empty()) {
                    text += &format!(
                        " Upstream's document says otherwise, and this crate follows it: {wins}."
                    );
                }
            }
        }
        if text.is_empty() {
            continue;
        }
        let description = operation["description"].as_str().unwrap_or("").to_owned();
        operation["description"] = Value::String(description + &text);
    }
}

/// The `behaviours: &[...]` field of the operation table's row for `raw`.
pub fn table_field(raw: &Value, id: &str) -> String {
    let mut code = String::from("&[");
    for row in rows(raw, id) {
        let standing = match row.claim {
            None => "Standing::Documented".to_owned(),
            Some("") => "Standing::Unverified { upstream_wins: None }".to_owned(),
            Some(wins) => format!("Standing::Unverified {{ upstream_wins: Some({wins:?}) }}"),
        };
        let proof = match row.proof {
            Ok(test) => format!("Proof::Scenario({test:?})"),
            Err(why) => format!("Proof::NotModelled({why:?})"),
        };
        code += &format!(
            "Behaviour {{ rule: {:?}, source: {:?}, standing: {standing}, proof: {proof} }}, ",
            row.rule, row.source
        );
    }
    code + "]"
}
