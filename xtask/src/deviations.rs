//! Reads `spec/deviations.json` and matches its selectors against changes (acknowledged vs. stale).
//!
//! An entry whose `kind` names only `answer-*` kinds is an *answer entry*: it covers findings of
//! `sync-spec --answers` (recorded answers against our spec), never a difference from upstream;
//! every other entry covers upstream differences only.

use serde_json::Value;

use crate::answers::{self, Finding};
use crate::diff::{Change, Kind};

/// A selector value as written (one glob or a list of globs, any may match), brace groups pre-expanded.
#[derive(Debug, Clone, PartialEq)]
pub struct Selector {
    /// The patterns as written in the file.
    pub patterns: Vec<String>,
    compiled: Vec<Vec<char>>,
}

impl Selector {
    /// Builds a selector from its patterns.
    pub fn new(patterns: Vec<String>) -> Self {
        let compiled = patterns
            .iter()
            .flat_map(|p| expand_braces(p))
            .map(|p| p.chars().collect())
            .collect();
        Selector { patterns, compiled }
    }

    /// Does any pattern match `value`? (`sep` as for [`glob`]; `fold` ignores ASCII case.)
    pub fn matches(&self, value: &str, sep: char, fold: bool) -> bool {
        let sep = if sep == '\0' { None } else { Some(sep) };
        let text: Vec<char> = if fold {
            value.to_ascii_lowercase().chars().collect()
        } else {
            value.chars().collect()
        };
        self.compiled.iter().any(|p| {
            if fold {
                let p: Vec<char> = p.iter().map(char::to_ascii_lowercase).collect();
                glob_chars(&p, &text, sep, true)
            } else {
                glob_chars(p, &text, sep, true)
            }
        })
    }
}

/// One recorded deliberate difference between ours and upstream.
#[derive(Debug, Clone, PartialEq)]
pub struct Deviation {
    /// Short slug.
    pub id: String,
    /// One line saying why ours differs.
    pub reason: String,
    /// Glob over the change's operationId (`*` also matches operations without one).
    pub operation: Option<Selector>,
    /// HTTP method, case-insensitive glob.
    pub method: Option<Selector>,
    /// Glob over the path template; `*` stays within one `/` segment, `**` spans segments.
    pub path: Option<Selector>,
    /// Glob over the dotted location; `*` stays within one `.` segment, `**` spans segments.
    pub location: Option<Selector>,
    /// Change kind(s), e.g. `parameter-added`; globs allowed.
    pub kind: Option<Selector>,
    /// Class(es): `breaking`, `additive`, `cosmetic` (answer findings: `breaking`, `additive`, `info`).
    pub class: Option<Selector>,
    /// Answer entries only: glob over the schema location of the finding (`Domain.redirect_to`);
    /// `*` stays within one `.` segment, `**` spans segments.
    pub schema: Option<Selector>,
    /// The recording(s) that show the difference, by file name (`listDomains.json`). On an answer
    /// entry it is required and selects the recordings whose findings it covers (globs allowed);
    /// on any other entry it only documents where the evidence is.
    pub evidence: Option<Selector>,
}

/// Selector field names an entry may carry.
pub const SELECTOR_FIELDS: [&str; 6] = ["operation", "method", "path", "location", "kind", "class"];

/// The prefix of every kind an answer entry names.
pub const ANSWER_KIND_PREFIX: &str = "answer-";

/// Whether `sel`, when present, matches `value` (as [`Selector::matches`]).
fn selected(sel: &Option<Selector>, value: &str, sep: char, fold: bool) -> bool {
    sel.as_ref().is_none_or(|s| s.matches(value, sep, fold))
}

impl Deviation {
    /// True when at least one selector is set (an entry without any matches nothing).
    pub fn has_selectors(&self) -> bool {
        self.operation.is_some()
            || self.method.is_some()
            || self.path.is_some()
            || self.location.is_some()
            || self.kind.is_some()
            || self.class.is_some()
    }

    /// True for an answer entry: its `kind` names `answer-*` kinds only. It covers findings of
    /// `sync-spec --answers` and is left out of the comparison with upstream.
    pub fn is_answer(&self) -> bool {
        self.kind.as_ref().is_some_and(|k| {
            !k.patterns.is_empty() && k.patterns.iter().all(|p| p.starts_with(ANSWER_KIND_PREFIX))
        })
    }

    /// Does this entry acknowledge `change`? Every selector present must match; an answer
    /// entry never does.
    pub fn matches(&self, change: &Change) -> bool {
        if !self.has_selectors() || self.is_answer() {
            return false;
        }
        self.selects(
            change.operation.as_deref().unwrap_or(""),
            &change.method,
            &change.path,
            &change.location,
            change.kind.as_str(),
            change.class.as_str(),
        )
    }

    /// Does this answer entry cover `finding`? Every selector present must match (`path` is
    /// our path template, `evidence` the recording's file name); an entry that is not an
    /// answer entry never does.
    pub fn matches_finding(&self, finding: &Finding) -> bool {
        if !self.is_answer() {
            return false;
        }
        self.selects(
            finding.operation.as_deref().unwrap_or(""),
            &finding.method,
            finding.path.as_deref().unwrap_or(""),
            &finding.location,
            finding.kind.as_str(),
            finding.kind.class(),
        ) && selected(
            &self.schema,
            finding.schema.as_deref().unwrap_or(""),
            '.',
            false,
        ) && selected(&self.evidence, &finding.recording, '\0', false)
    }

    /// Whether the selectors both kinds of entry have (operation, method, path, location,
    /// kind, class) each match their value, where present.
    fn selects(
        &self,
        operation: &str,
        method: &str,
        path: &str,
        location: &str,
        kind: &str,
        class: &str,
    ) -> bool {
        selected(&self.operation, operation, '\0', false)
            && selected(&self.method, method, '\0', true)
            && selected(&self.path, path, '/', false)
            && selected(&self.location, location, '.', false)
            && selected(&self.kind, kind, '\0', false)
            && selected(&self.class, class, '\0', false)
    }

    /// Problems with the entry itself (unknown kinds, no selectors), for the stale report.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if !self.has_selectors() {
            out.push(format!(
                "has no selector field ({})",
                SELECTOR_FIELDS.join(", ")
            ));
        }
        if let Some(k) = &self.kind {
            for p in &k.patterns {
                let known = if self.is_answer() {
                    answers::Kind::ALL
                        .iter()
                        .any(|kind| glob(p, kind.as_str(), '\0'))
                } else {
                    Kind::ALL.iter().any(|kind| glob(p, kind.as_str(), '\0'))
                };
                if !known {
                    out.push(format!("kind {p:?} names no known change kind"));
                }
            }
        }
        if self.schema.is_some() && !self.is_answer() {
            out.push("has a `schema` selector, which only answer-* entries use".into());
        }
        out
    }
}

/// Parses the deviations document: `{"deviations": [...]}` (other top-level keys such as
/// `$comment` are ignored) or a bare list of entries.
pub fn parse(doc: &Value) -> Result<Vec<Deviation>, String> {
    let list = match doc {
        Value::Array(a) => a,
        Value::Object(m) => match m.get("deviations") {
            Some(Value::Array(a)) => a,
            Some(_) => return Err("`deviations` is not a list".into()),
            None => return Err("expected a `deviations` list at the top level".into()),
        },
        _ => return Err("expected an object with a `deviations` list".into()),
    };
    let mut out = Vec::with_capacity(list.len());
    for (i, entry) in list.iter().enumerate() {
        let Some(m) = entry.as_object() else {
            return Err(format!("entry {i} is not an object"));
        };
        let text = |key: &str| -> Result<String, String> {
            match m.get(key) {
                Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
                _ => Err(format!("entry {i} has no `{key}` string")),
            }
        };
        let id = text("id")?;
        let reason = text("reason").map_err(|e| format!("{e} (id {id})"))?;
        let selector = |key: &str| -> Result<Option<Selector>, String> {
            match m.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(Selector::new(vec![s.clone()]))),
                Some(Value::Array(a)) => a
                    .iter()
                    .map(|v| {
                        v.as_str()
                            .map(str::to_string)
                            .ok_or_else(|| format!("entry {id}: `{key}` list holds a non-string"))
                    })
                    .collect::<Result<Vec<_>, _>>()
                    .map(|v| Some(Selector::new(v))),
                Some(_) => Err(format!(
                    "entry {id}: `{key}` must be a string or a list of strings"
                )),
            }
        };
        let entry = Deviation {
            operation: selector("operation")?,
            method: selector("method")?,
            path: selector("path")?,
            location: selector("location")?,
            kind: selector("kind")?,
            class: selector("class")?,
            schema: selector("schema")?,
            evidence: selector("evidence")?,
            id,
            reason,
        };
        if let Some(kind) = &entry.kind {
            let answer = kind
                .patterns
                .iter()
                .filter(|p| p.starts_with(ANSWER_KIND_PREFIX))
                .count();
            if answer > 0 && answer < kind.patterns.len() {
                return Err(format!(
                    "entry {}: `kind` mixes answer-* kinds with upstream change kinds; split it in two",
                    entry.id
                ));
            }
        }
        if entry.is_answer() && entry.evidence.is_none() {
            return Err(format!(
                "entry {}: an answer-* entry needs `evidence` naming the recording(s) it covers",
                entry.id
            ));
        }
        out.push(entry);
    }
    Ok(out)
}

/// Glob match over `text`, whose segments are separated by `sep` (`'\0'`: no separator).
///
/// * `*` matches any run of characters within one segment; `?` one such character;
/// * `**` matches any run of characters across segments, and `**` standing as a whole
///   segment also matches zero segments (`a.**.b` matches `a.b`, `a.**` matches `a`);
/// * `{x,y,z}` matches any of the alternatives (braces without a comma, such as the
///   `{install_id}` of a path template or the `{}` of a map location, are literal);
/// * everything else, `[]` included, is literal.
pub fn glob(pattern: &str, text: &str, sep: char) -> bool {
    let sep = if sep == '\0' { None } else { Some(sep) };
    let text: Vec<char> = text.chars().collect();
    expand_braces(pattern).iter().any(|p| {
        let p: Vec<char> = p.chars().collect();
        glob_chars(&p, &text, sep, true)
    })
}

/// Expands the first `{a,b}` group (recursively), leaving comma-less braces alone.
fn expand_braces(pattern: &str) -> Vec<String> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut start = 0;
    while let Some(open) = chars[start..]
        .iter()
        .position(|c| *c == '{')
        .map(|i| i + start)
    {
        let mut depth = 0;
        let mut commas = Vec::new();
        let mut close = None;
        for (i, c) in chars.iter().enumerate().skip(open) {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        close = Some(i);
                        break;
                    }
                }
                ',' if depth == 1 => commas.push(i),
                _ => {}
            }
        }
        let Some(close) = close else { break };
        if commas.is_empty() {
            start = open + 1;
            continue;
        }
        let head: String = chars[..open].iter().collect();
        let tail: String = chars[close + 1..].iter().collect();
        let mut bounds = vec![open];
        bounds.extend(&commas);
        bounds.push(close);
        let mut out = Vec::new();
        for w in bounds.windows(2) {
            let alt: String = chars[w[0] + 1..w[1]].iter().collect();
            out.extend(expand_braces(&format!("{head}{alt}{tail}")));
        }
        return out;
    }
    vec![pattern.to_string()]
}

fn glob_chars(p: &[char], t: &[char], sep: Option<char>, at_segment_start: bool) -> bool {
    // `.**` standing as whole segments may also match zero segments: `a.**` matches `a`,
    // `a.**.b` matches `a.b`.
    if let (Some(s), [c, '*', '*', after @ ..]) = (sep, p) {
        if *c == s && after.first().is_none_or(|n| *n == s) && glob_chars(after, t, Some(s), false)
        {
            return true;
        }
    }
    match p {
        [] => t.is_empty(),
        ['*', '*', rest @ ..] => {
            // `**` as a whole segment followed by a separator may match zero segments.
            if let (true, Some(s), [first, after @ ..]) = (at_segment_start, sep, rest) {
                if *first == s && glob_chars(after, t, sep, true) {
                    return true;
                }
            }
            (0..=t.len()).any(|i| glob_chars(rest, &t[i..], sep, i == 0 && at_segment_start))
        }
        ['*', rest @ ..] => {
            let limit = t.iter().position(|c| Some(*c) == sep).unwrap_or(t.len());
            (0..=limit).any(|i| glob_chars(rest, &t[i..], sep, i == 0 && at_segment_start))
        }
        ['?', rest @ ..] => match t.split_first() {
            Some((c, trest)) if Some(*c) != sep => glob_chars(rest, trest, sep, false),
            _ => false,
        },
        [c, rest @ ..] => match t.split_first() {
            Some((d, trest)) if c == d => glob_chars(rest, trest, sep, Some(*c) == sep),
            _ => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_globs_split_on_dots() {
        assert!(glob(
            "response.*.body.**.status",
            "response.200.body.results[].status",
            '.'
        ));
        assert!(glob(
            "response.*.body.**.status",
            "response.200.body.status",
            '.'
        ));
        assert!(!glob(
            "response.*.body.**.status",
            "response.200.body.results[].state",
            '.'
        ));
        assert!(glob("response.4*.body.**", "response.404.body", '.'));
        assert!(glob(
            "response.4*.body.**",
            "response.429.body.errors[].code",
            '.'
        ));
        assert!(!glob("response.4*", "response.200", '.'));
        assert!(glob(
            "parameter.header.authorization",
            "parameter.header.authorization",
            '.'
        ));
        assert!(!glob("parameter.*", "parameter.header.authorization", '.'));
        assert!(glob("**.nickname", "response.200.body.nickname", '.'));
        assert!(glob("**.nickname", "nickname", '.'));
        assert!(!glob("**.nickname", "response.200.body.nickname_x", '.'));
        assert!(glob(
            "response.{4*,5*,default}.body**",
            "response.404.body",
            '.'
        ));
        assert!(glob(
            "response.{4*,5*,default}.body**",
            "response.default.body.errors[].code",
            '.'
        ));
        assert!(!glob(
            "response.{4*,5*,default}.body**",
            "response.200.body",
            '.'
        ));
        assert!(glob(
            "**.{account,site,installs[]}.id",
            "response.200.body.results[].installs[].id",
            '.'
        ));
        assert!(glob(
            "response.200.body.map{}",
            "response.200.body.map{}",
            '.'
        ));
    }

    #[test]
    fn a_star_matches_one_path_segment_and_a_double_star_any_number() {
        assert!(glob("/installs/**", "/installs/{install_id}/domains", '/'));
        assert!(glob("/installs/*", "/installs/{install_id}", '/'));
        assert!(!glob("/installs/*", "/installs/{install_id}/domains", '/'));
        assert!(glob("*", "", '\0'));
        assert!(glob("list*", "listInstalls", '\0'));
        assert!(glob("enum-*", "enum-values-added", '\0'));
        assert!(glob(
            "{pattern-removed,pattern-added}",
            "pattern-added",
            '\0'
        ));
        assert!(glob(
            "/installs/{install_id}",
            "/installs/{install_id}",
            '/'
        ));
    }

    #[test]
    fn parse_accepts_object_or_list_and_rejects_missing_reason() {
        let doc = serde_json::json!({"$comment": "x", "deviations": [
            {"id": "a", "reason": "r", "kind": ["parameter-added", "enum-*"], "operation": "*"}
        ]});
        let d = parse(&doc).expect("parses");
        assert_eq!(d.len(), 1);
        assert!(d[0].problems().is_empty());
        let bare = serde_json::json!([{"id": "a", "reason": "r", "kind": "nonsense"}]);
        let d = parse(&bare).expect("parses");
        assert_eq!(d[0].problems().len(), 1);
        let bad = serde_json::json!([{"id": "a"}]);
        assert!(parse(&bad).expect_err("no reason").contains("reason"));
    }

    #[test]
    fn answer_entries_are_told_apart_by_their_kinds() {
        let doc = serde_json::json!([
            {"id": "ans", "reason": "r", "kind": ["answer-field-added", "answer-*"], "evidence": "x.json"},
            {"id": "up", "reason": "r", "kind": "*", "schema": "Domain.x"},
            {"id": "any", "reason": "r", "location": "**"}
        ]);
        let d = parse(&doc).expect("parses");
        assert!(d[0].is_answer());
        assert!(d[0].problems().is_empty());
        assert!(!d[1].is_answer(), "`*` is not an answer kind");
        assert_eq!(d[1].problems().len(), 1, "schema is for answer entries");
        assert!(!d[2].is_answer(), "no kind: an upstream entry");
        let mixed = serde_json::json!([{"id": "m", "reason": "r", "kind": ["answer-field-added", "property-added"], "evidence": "x"}]);
        assert!(parse(&mixed).expect_err("mixed").contains("mixes"));
        let bare = serde_json::json!([{"id": "e", "reason": "r", "kind": "answer-field-added"}]);
        assert!(parse(&bare).expect_err("no evidence").contains("evidence"));
    }
}
