//! Our spec's recorded conventions, applied to what an import writes, or reported where they
//! cannot be.
//!
//! Two sources, each a fact written once:
//!
//! - **reference objects**, learned from ours' components: a component named `<Thing>Ref`
//!   whose only property is `id` (`AccountRef`, `SiteRef`) is how ours writes a reference to
//!   another resource. An inline object upstream writes with `id` as its only property becomes
//!   such a component, `<Property>Ref`, with `id` required when every one of ours' requires it,
//!   and its format checked against theirs ([`RefConvention`], used by the schema conversion);
//! - **deviations**, read from `spec/deviations.json`: an entry says where ours deliberately
//!   differs from upstream. Where its selectors match a location of what the import wrote, the
//!   import writes it ours' way when the entry's kind says what that way is (one literal kind
//!   of [`RULE_KINDS`]); any other entry matching there is reported, never silently skipped
//!   ([`apply_deviations`]).

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::{json, Value};

use super::pointer::escape;
use crate::deviations::Deviation;
use crate::diff::{Change, Class, Kind};

/// One convention applied, or one that could not be, and where.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConventionNote {
    /// The convention: `reference-object`, or the id of a deviation entry.
    pub convention: String,
    /// Where: a component, or `operationId location`.
    pub target: String,
    /// What was done, or why it could not be.
    pub detail: String,
}

/// How ours writes a reference to another resource, learned from ours' components.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct RefConvention {
    /// Ours' reference components (`AccountRef`, `SiteRef`).
    pub(super) examples: Vec<String>,
    /// Every one of them requires its `id`.
    pub(super) id_required: bool,
    /// The format every one of their ids has, if they agree.
    pub(super) id_format: Option<String>,
}

impl RefConvention {
    /// Learns the convention from ours' component schemas: those named `<Thing>Ref` whose only
    /// property is `id`. `None` when ours has none (then nothing is applied).
    pub(super) fn learn(ours: &Value) -> Option<Self> {
        let schemas = ours.pointer("/components/schemas")?.as_object()?;
        let refs: Vec<(&String, &Value)> = schemas
            .iter()
            .filter(|(name, s)| name.ends_with("Ref") && is_reference(s))
            .collect();
        if refs.is_empty() {
            return None;
        }
        let id_required = refs.iter().all(|(_, s)| requires(s, "id"));
        let formats: BTreeSet<Option<&str>> = refs
            .iter()
            .map(|(_, s)| s["properties"]["id"]["format"].as_str())
            .collect();
        let id_format = match formats.into_iter().collect::<Vec<_>>().as_slice() {
            [Some(f)] => Some(f.to_string()),
            _ => None,
        };
        Some(RefConvention {
            examples: refs.iter().map(|(n, _)| n.to_string()).collect(),
            id_required,
            id_format,
        })
    }

    /// Applies the convention to a converted reference object `schema` named `name`; notes
    /// what was applied and what could not be.
    pub(super) fn apply(
        &self,
        name: &str,
        schema: &mut Value,
        applied: &mut Vec<ConventionNote>,
        unapplied: &mut Vec<ConventionNote>,
    ) {
        let ours = self.examples.join(", ");
        let note = |detail: String| ConventionNote {
            convention: "reference-object".into(),
            target: name.to_string(),
            detail,
        };
        if self.id_required && !requires(schema, "id") {
            add_required(schema, "id");
            applied.push(note(format!("`id` required, as in ours' {ours}")));
        }
        let format = schema["properties"]["id"]["format"].as_str();
        match (&self.id_format, format) {
            (Some(want), Some(have)) if want != have => unapplied.push(note(format!(
                "upstream's `id` is format {have}, ours' {ours} are {want}: kept upstream's; decide"
            ))),
            (Some(want), None) => unapplied.push(note(format!(
                "upstream gives `id` no format, ours' {ours} are {want}: left without; decide whether this API's ids are {want}"
            ))),
            _ => {}
        }
    }
}

/// An object schema whose only property is `id`: a reference to another resource.
pub(super) fn is_reference(s: &Value) -> bool {
    s.get("$ref").is_none()
        && s["type"].as_str().is_none_or(|t| t == "object")
        && s["properties"]
            .as_object()
            .is_some_and(|p| p.len() == 1 && p.contains_key("id"))
}

fn requires(s: &Value, name: &str) -> bool {
    s["required"]
        .as_array()
        .is_some_and(|r| r.iter().any(|v| v == name))
}

fn add_required(s: &mut Value, name: &str) {
    let Some(m) = s.as_object_mut() else {
        return;
    };
    if !m.contains_key("required") {
        // `required` goes before `properties`, as ours writes it.
        super::scaffold::set_before(m, "required", json!([]), "properties");
    }
    if let Some(list) = m.get_mut("required").and_then(Value::as_array_mut) {
        if !list.iter().any(|v| v == name) {
            list.push(json!(name));
        }
    }
}

fn remove_required(s: &mut Value, name: &str) {
    let Some(m) = s.as_object_mut() else {
        return;
    };
    if let Some(list) = m.get_mut("required").and_then(Value::as_array_mut) {
        list.retain(|v| v != name);
        if list.is_empty() {
            m.remove("required");
        }
    }
}

/// The deviation kinds whose entries say what ours writes, so the import can write it:
/// `required-removed` (ours requires it), `required-added` (ours leaves it optional),
/// `pattern-added` (ours has no pattern there).
pub const RULE_KINDS: [Kind; 3] = [
    Kind::RequiredRemoved,
    Kind::RequiredAdded,
    Kind::PatternAdded,
];

/// Request or response: the class of a change depends on it.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Flow {
    Request,
    Response,
}

/// What holds a location's `required` flag.
#[derive(Debug, Clone)]
enum Holder {
    /// Property `name` of the object schema at this pointer.
    Property(String, String),
    /// The parameter at this pointer.
    Parameter(String),
}

/// One location of what the import wrote: the diff's dotted location and where it lives.
#[derive(Debug, Clone)]
struct Site {
    op: String,
    method: String,
    path: String,
    location: String,
    flow: Flow,
    holder: Holder,
    /// The schema at the location, resolved when it is inline or a new component (`None` when
    /// it is one of ours' components, which already follow ours' conventions).
    schema: Option<String>,
}

/// The class the diff gives `kind` in `flow` (for deviation entries selecting by class).
fn class_of(kind: Kind, flow: Flow) -> Class {
    match (kind, flow) {
        (Kind::RequiredRemoved, Flow::Request) => Class::Additive,
        (Kind::RequiredRemoved, Flow::Response) => Class::Breaking,
        (Kind::RequiredAdded, Flow::Request) => Class::Breaking,
        (Kind::RequiredAdded, Flow::Response) => Class::Cosmetic,
        (Kind::PatternAdded, Flow::Request) => Class::Breaking,
        _ => Class::Cosmetic,
    }
}

/// The locations of the operations the import added (`(operationId, method, path)`), below
/// their parameters and their request and 2xx bodies, following `$ref`s into the components
/// named in `new` (what the import wrote) and stopping at ours' own.
fn sites(doc: &Value, ops: &[(String, String, String)], new: &BTreeSet<String>) -> Vec<Site> {
    let mut out = Vec::new();
    for (id, method, path) in ops {
        let method = method.to_ascii_lowercase();
        let op_ptr = format!("/paths/{}/{method}", escape(path));
        let Some(op) = doc.pointer(&op_ptr) else {
            continue;
        };
        let base = Site {
            op: id.clone(),
            method: method.to_ascii_uppercase(),
            path: path.clone(),
            location: String::new(),
            flow: Flow::Request,
            holder: Holder::Parameter(String::new()),
            schema: None,
        };
        for (i, p) in op["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
        {
            if p.get("$ref").is_some() {
                continue;
            }
            let ptr = format!("{op_ptr}/parameters/{i}");
            out.push(Site {
                location: format!(
                    "parameter.{}.{}",
                    p["in"].as_str().unwrap_or_default(),
                    p["name"].as_str().unwrap_or_default()
                ),
                holder: Holder::Parameter(ptr.clone()),
                schema: inline_or_new(doc, format!("{ptr}/schema"), new),
                ..base.clone()
            });
        }
        let mut bodies = vec![(
            format!("{op_ptr}/requestBody/content/application~1json/schema"),
            "request.body".to_string(),
            Flow::Request,
        )];
        for status in op["responses"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(s, _)| s)
        {
            if status.starts_with('2') {
                bodies.push((
                    format!(
                        "{op_ptr}/responses/{}/content/application~1json/schema",
                        escape(status)
                    ),
                    format!("response.{status}.body"),
                    Flow::Response,
                ));
            }
        }
        for (ptr, location, flow) in bodies {
            if doc.pointer(&ptr).is_none() {
                continue;
            }
            let site = Site {
                location,
                flow,
                ..base.clone()
            };
            walk(doc, ptr, &site, new, &mut out, 0);
        }
    }
    out
}

/// The pointer of the schema at `ptr` once `$ref`s (into new components only) and lone
/// `allOf` wrappers are followed; `None` when it is one of ours' components.
fn inline_or_new(doc: &Value, ptr: String, new: &BTreeSet<String>) -> Option<String> {
    super::pointer::resolve_ptr_following(doc, ptr, |target| {
        target
            .strip_prefix("#/components/schemas/")
            .is_some_and(|name| new.contains(&super::pointer::unescape(name)))
    })
}

fn walk(
    doc: &Value,
    ptr: String,
    at: &Site,
    new: &BTreeSet<String>,
    out: &mut Vec<Site>,
    depth: usize,
) {
    if depth > 16 {
        return;
    }
    let Some(ptr) = inline_or_new(doc, ptr, new) else {
        return;
    };
    let Some(s) = doc.pointer(&ptr) else {
        return;
    };
    for name in s["properties"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(n, _)| n)
    {
        let prop = format!("{ptr}/properties/{}", escape(name));
        let site = Site {
            location: format!("{}.{name}", at.location),
            holder: Holder::Property(ptr.clone(), name.clone()),
            schema: inline_or_new(doc, prop.clone(), new),
            ..at.clone()
        };
        out.push(site.clone());
        walk(doc, prop, &site, new, out, depth + 1);
    }
    for (key, suffix) in [("items", "[]"), ("additionalProperties", "{}")] {
        if s.get(key).is_some_and(Value::is_object) {
            let site = Site {
                location: format!("{}{suffix}", at.location),
                ..at.clone()
            };
            walk(doc, format!("{ptr}/{key}"), &site, new, out, depth + 1);
        }
    }
}

impl Site {
    fn change(&self, kind: Kind) -> Change {
        Change {
            operation: Some(self.op.clone()),
            method: self.method.clone(),
            path: self.path.clone(),
            location: self.location.clone(),
            kind,
            class: class_of(kind, self.flow),
            detail: String::new(),
            upstream: None,
            ours: None,
        }
    }

    fn required(&self, doc: &Value) -> bool {
        match &self.holder {
            Holder::Property(parent, name) => {
                doc.pointer(parent).is_some_and(|p| requires(p, name))
            }
            Holder::Parameter(ptr) => doc
                .pointer(ptr)
                .and_then(|p| p["required"].as_bool())
                .unwrap_or(false),
        }
    }

    fn has_pattern(&self, doc: &Value) -> bool {
        self.schema
            .as_ref()
            .and_then(|s| doc.pointer(s))
            .is_some_and(|s| s.get("pattern").is_some())
    }

    /// Writes the location ours' way for `kind`; what was done.
    fn apply(&self, doc: &mut Value, kind: Kind) -> Option<&'static str> {
        match (kind, &self.holder) {
            (Kind::RequiredRemoved, Holder::Property(parent, name)) => {
                add_required(doc.pointer_mut(parent)?, name);
                Some("required")
            }
            (Kind::RequiredAdded, Holder::Property(parent, name)) => {
                remove_required(doc.pointer_mut(parent)?, name);
                Some("optional")
            }
            (Kind::RequiredRemoved | Kind::RequiredAdded, Holder::Parameter(ptr)) => {
                let required = kind == Kind::RequiredRemoved;
                doc.pointer_mut(ptr)?
                    .as_object_mut()?
                    .insert("required".into(), json!(required));
                Some(if required { "required" } else { "optional" })
            }
            (Kind::PatternAdded, _) => {
                doc.pointer_mut(self.schema.as_ref()?)?
                    .as_object_mut()?
                    .remove("pattern");
                Some("pattern left out")
            }
            _ => None,
        }
    }

    /// Whether upstream's value (as the import wrote it) is what `kind` changes: ours would differ.
    fn differs_for(&self, doc: &Value, kind: Kind) -> bool {
        match kind {
            Kind::RequiredRemoved => !self.required(doc),
            Kind::RequiredAdded => self.required(doc),
            Kind::PatternAdded => self.has_pattern(doc),
            _ => true,
        }
    }
}

/// The one rule kind an entry names as a literal (no glob, no list), if any.
fn rule_kind(d: &Deviation) -> Option<Kind> {
    let kinds = &d.kind.as_ref()?.patterns;
    let [only] = kinds.as_slice() else {
        return None;
    };
    RULE_KINDS.into_iter().find(|k| k.as_str() == only)
}

/// The kinds an entry may acknowledge (its `kind` selector, or every kind).
fn kinds_of(d: &Deviation) -> Vec<Kind> {
    Kind::ALL
        .into_iter()
        .filter(|k| {
            d.kind
                .as_ref()
                .is_none_or(|sel| sel.matches(k.as_str(), '\0', false))
        })
        .collect()
}

/// Locations listed per unapplied entry; the rest are counted.
const LISTED_LOCATIONS: usize = 5;

/// Applies the deviation entries to what the import wrote: the operations `ops` and, through
/// them, the components named in `new`. An entry whose kind is one literal [`RULE_KINDS`] kind is
/// applied where it matches and upstream's value differs from ours' way; any other entry that
/// matches a location is reported (once per entry, with its locations), since the import cannot
/// tell what ours writes there.
pub(super) fn apply_deviations(
    doc: &mut Value,
    ops: &[(String, String, String)],
    new: &BTreeSet<String>,
    deviations: &[Deviation],
    applied: &mut Vec<ConventionNote>,
    unapplied: &mut Vec<ConventionNote>,
) {
    let sites = sites(doc, ops, new);
    for d in deviations {
        if let Some(kind) = rule_kind(d) {
            for site in &sites {
                if d.matches(&site.change(kind)) && site.differs_for(doc, kind) {
                    if let Some(done) = site.apply(doc, kind) {
                        applied.push(ConventionNote {
                            convention: d.id.clone(),
                            target: format!("{} {}", site.op, site.location),
                            detail: format!("{done} ({})", kind.as_str()),
                        });
                    }
                }
            }
            continue;
        }
        let kinds = kinds_of(d);
        let mut hits: Vec<String> = Vec::new();
        for site in &sites {
            let hit = kinds.iter().any(|&k| {
                site.differs_for(doc, k)
                    && [Class::Breaking, Class::Additive, Class::Cosmetic]
                        .into_iter()
                        .any(|class| {
                            d.matches(&Change {
                                class,
                                ..site.change(k)
                            })
                        })
            });
            if hit {
                let here = format!("{} {}", site.op, site.location);
                if !hits.contains(&here) {
                    hits.push(here);
                }
            }
        }
        if hits.is_empty() {
            continue;
        }
        let mut listed: Vec<String> = hits.iter().take(LISTED_LOCATIONS).cloned().collect();
        if hits.len() > LISTED_LOCATIONS {
            listed.push(format!("… {} more", hits.len() - LISTED_LOCATIONS));
        }
        let kinds = d
            .kind
            .as_ref()
            .map(|k| k.patterns.join(", "))
            .unwrap_or_else(|| "any kind".into());
        unapplied.push(ConventionNote {
            convention: d.id.clone(),
            target: listed.join("; "),
            detail: format!(
                "matches what the import wrote, but its kind ({kinds}) does not say what ours writes there: write it ours' way by hand, or narrow the entry"
            ),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reference_convention_is_what_all_of_ours_agree_on() {
        let ours = json!({"components": {"schemas": {
            "AccountRef": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string", "format": "uuid"}}},
            "SiteRef": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string", "format": "uuid"}}},
            "DomainRef": {"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"}}},
            "Account": {"type": "object", "properties": {"id": {"type": "string"}}}}}});
        let c = RefConvention::learn(&ours).expect("a convention");
        assert_eq!(
            c.examples,
            ["AccountRef", "SiteRef"],
            "id-only *Ref components"
        );
        assert!(c.id_required);
        assert_eq!(c.id_format.as_deref(), Some("uuid"));

        let mixed = json!({"components": {"schemas": {
            "AccountRef": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string", "format": "uuid"}}},
            "TagRef": {"type": "object", "properties": {"id": {"type": "integer"}}}}}});
        let c = RefConvention::learn(&mixed).expect("a convention");
        assert!(
            !c.id_required,
            "not every reference of ours requires its id"
        );
        assert_eq!(c.id_format, None);
        assert_eq!(RefConvention::learn(&json!({})), None);
    }

    #[test]
    fn only_a_single_literal_rule_kind_makes_an_entry_a_rule() {
        let entry = |kind: &str| {
            crate::deviations::parse(
                &json!([{"id": "x", "reason": "r", "location": "**", "kind": kind}]),
            )
            .expect("entry")
            .remove(0)
        };
        assert_eq!(
            rule_kind(&entry("required-removed")),
            Some(Kind::RequiredRemoved)
        );
        assert_eq!(rule_kind(&entry("pattern-added")), Some(Kind::PatternAdded));
        assert_eq!(
            rule_kind(&entry("{required-removed,property-removed}")),
            None
        );
        assert_eq!(rule_kind(&entry("required-*")), None);
        assert_eq!(rule_kind(&entry("format-changed")), None);
    }
}
