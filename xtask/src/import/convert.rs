//! The `Converter`'s state, and how upstream definitions map to our component names.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use super::conventions::{ConventionNote, RefConvention};
use super::pointer::{body_pointer, escape, find_operation, resolve_ptr, unescape};
use super::{Inference, SchemaDecision, DESCRIBE};

/// What an upstream definition becomes in ours.
#[derive(Debug, Clone)]
pub(super) enum Target {
    /// A component schema of ours (existing, or imported under this name).
    Component(String),
    /// Ours writes it inline (e.g. the `next`/`previous`/`count` of pages): this schema.
    Inline(Value),
}

/// What a wanted component name turned out to be.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Named {
    /// Ours already has a schema of that name: it is used (and compared with upstream's).
    Ours(String),
    /// A new component of this name (the wanted one unless this import already made it).
    New(String),
}

/// A schema of ours that stands for one of upstream's (same name), to compare once the
/// document is complete.
#[derive(Debug, Clone)]
pub(super) struct Reuse {
    /// Ours' component name.
    pub(super) ours: String,
    /// Upstream's schema, as upstream writes it (Swagger 2.0, may reference definitions).
    pub(super) upstream: Value,
    /// What upstream's schema is, for the report (`upstream definition Foo`).
    pub(super) what: String,
}

/// An inline request or 2xx response body of a new operation, to be named as a component.
#[derive(Debug, Clone)]
pub(super) struct InlineBody {
    /// Index of the operation among the new operations.
    pub(super) op_index: usize,
    /// Its `operationId`.
    pub(super) op: String,
    /// JSON pointer of the body schema inside the converted operation.
    pub(super) pointer: String,
    /// `request body`, `200 body` ...
    pub(super) what: String,
    /// The name the rules give it on its own.
    pub(super) wanted: String,
    /// Why that name.
    pub(super) why: String,
    /// The name wins over the other bodies' names when bodies are shared (a page's name).
    pub(super) page: bool,
    /// The converted schema.
    pub(super) schema: Value,
    /// Upstream's schema as written.
    pub(super) upstream: Value,
}

pub(super) struct Converter<'u> {
    pub(super) up: &'u Value,
    /// Upstream definition name -> what it is in ours.
    pub(super) targets: BTreeMap<String, Target>,
    /// Definitions referenced by converted schemas and not yet converted.
    pub(super) queued: Vec<String>,
    /// Converted definitions (and extracted enums), in the order first needed.
    pub(super) new_schemas: Vec<(String, Value)>,
    pub(super) inferences: Vec<Inference>,
    pub(super) notes: Vec<String>,
    /// Names of ours' component schemas before the import.
    pub(super) taken: BTreeSet<String>,
    /// Inline bodies of the new operations, named once every operation is converted.
    pub(super) inline_bodies: Vec<InlineBody>,
    /// Schemas of ours used for upstream's of the same name, compared at the end.
    pub(super) reused: Vec<Reuse>,
    /// Names that need a maintainer's decision (a name this import had to change).
    pub(super) schema_decisions: Vec<SchemaDecision>,
    /// How ours writes references to other resources, when ours has any.
    pub(super) refs: Option<RefConvention>,
    /// Reference components this import made: wanted name -> upstream's inline object.
    pub(super) made_refs: BTreeMap<String, Value>,
    /// Conventions applied to what the import wrote.
    pub(super) conventions: Vec<ConventionNote>,
    /// Conventions that could not be applied, and where.
    pub(super) unapplied: Vec<ConventionNote>,
}

impl<'u> Converter<'u> {
    /// A converter from `up` into a document whose component schemas are named `taken`.
    pub(super) fn new(up: &'u Value, taken: BTreeSet<String>) -> Self {
        Converter {
            up,
            targets: BTreeMap::new(),
            queued: Vec::new(),
            new_schemas: Vec::new(),
            inferences: Vec::new(),
            notes: Vec::new(),
            taken,
            inline_bodies: Vec::new(),
            reused: Vec::new(),
            schema_decisions: Vec::new(),
            refs: None,
            made_refs: BTreeMap::new(),
            conventions: Vec::new(),
            unapplied: Vec::new(),
        }
    }

    /// Learns which upstream definition is which schema of ours by walking the request and
    /// success-response schemas of every operation both documents have, side by side.
    pub(super) fn learn_names(&mut self, ours: &Value) {
        let Some(paths) = ours.get("paths").and_then(Value::as_object) else {
            return;
        };
        let mut pairs = Vec::new();
        for (path, item) in paths {
            let Some(item) = item.as_object() else {
                continue;
            };
            for (method, op) in item {
                let id = op.get("operationId").and_then(Value::as_str);
                let Some(up_ptr) = find_operation(self.up, method, path, id) else {
                    continue;
                };
                let our_ptr = format!("/paths/{}/{method}", escape(path));
                if let (Some(u), Some(o)) = (
                    body_pointer(self.up, &up_ptr, None),
                    body_pointer(ours, &our_ptr, None),
                ) {
                    pairs.push((u, o));
                }
                for status in op["responses"]
                    .as_object()
                    .into_iter()
                    .flat_map(|m| m.keys())
                {
                    if !status.starts_with('2') {
                        continue;
                    }
                    if let (Some(u), Some(o)) = (
                        body_pointer(self.up, &up_ptr, Some(status)),
                        body_pointer(ours, &our_ptr, Some(status)),
                    ) {
                        pairs.push((u, o));
                    }
                }
            }
        }
        let mut seen = BTreeSet::new();
        for (u, o) in pairs {
            self.pair(ours, &u, &o, &mut seen, 0);
        }
    }

    fn pair(
        &mut self,
        ours: &Value,
        u: &str,
        o: &str,
        seen: &mut BTreeSet<(String, String)>,
        depth: usize,
    ) {
        if depth > 24 || !seen.insert((u.to_string(), o.to_string())) {
            return;
        }
        let (Some(uv), Some(ov)) = (self.up.pointer(u), ours.pointer(o)) else {
            return;
        };
        // A lone allOf wrapper on our side (nullable references) is looked through.
        if let Some([_]) = ov.get("allOf").and_then(Value::as_array).map(Vec::as_slice) {
            return self.pair(ours, u, &format!("{o}/allOf/0"), seen, depth + 1);
        }
        if let Some(name) = uv
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/definitions/"))
        {
            let target = match ov
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
            {
                Some(ours_name) => Some(Target::Component(ours_name.to_string())),
                // An object definition ours writes inline gets a component of its own: the
                // inline schema may differ from it (that is drift, reported where it is).
                None if self.up_definition_is_object(name) => None,
                None => {
                    // Ours' words describe ours' use; a new use gets a placeholder.
                    let mut inline = ov.clone();
                    if let Some(d) = inline.get_mut("description") {
                        *d = json!(DESCRIBE);
                    }
                    Some(Target::Inline(inline))
                }
            };
            if let Some(target) = target {
                self.targets.entry(unescape(name)).or_insert(target);
            }
        }
        let (Some(u), Some(o)) = (
            resolve_ptr(self.up, u.to_string()),
            resolve_ptr(ours, o.to_string()),
        ) else {
            return;
        };
        let (uv, ov) = (
            &self.up.pointer(&u).cloned().unwrap_or_default(),
            ours.pointer(&o).cloned().unwrap_or_default(),
        );
        if let (Some(up_props), Some(our_props)) =
            (uv["properties"].as_object(), ov["properties"].as_object())
        {
            for name in up_props.keys() {
                if our_props.contains_key(name) {
                    let (pu, po) = (
                        format!("{u}/properties/{}", escape(name)),
                        format!("{o}/properties/{}", escape(name)),
                    );
                    self.pair(ours, &pu, &po, seen, depth + 1);
                }
            }
        }
        for key in ["items", "additionalProperties"] {
            if uv.get(key).is_some_and(Value::is_object)
                && ov.get(key).is_some_and(Value::is_object)
            {
                self.pair(
                    ours,
                    &format!("{u}/{key}"),
                    &format!("{o}/{key}"),
                    seen,
                    depth + 1,
                );
            }
        }
    }

    fn up_definition_is_object(&self, name: &str) -> bool {
        let def = self.up.pointer(&format!("/definitions/{name}"));
        def.is_some_and(|d| d["type"] == "object" || d.get("properties").is_some())
    }

    /// What a definition becomes in ours: learned, else ours' schema of the same name, else a
    /// new component (queued for import).
    pub(super) fn target(&mut self, name: &str) -> Target {
        if let Some(t) = self.targets.get(name) {
            return t.clone();
        }
        let upstream = json!({"$ref": format!("#/definitions/{}", escape(name))});
        let what = format!("upstream definition {name}");
        let t = match self.name_for(name, &upstream, &what) {
            Named::Ours(n) => Target::Component(n),
            Named::New(n) => {
                self.queued.push(name.to_string());
                Target::Component(n)
            }
        };
        self.targets.insert(name.to_string(), t.clone());
        t
    }

    /// The component to use for `wanted` (what upstream calls `what`, written `upstream`):
    /// ours' schema of that name when ours has one (compared with upstream's once the document
    /// is complete), else a new name.
    pub(super) fn name_for(&mut self, wanted: &str, upstream: &Value, what: &str) -> Named {
        if self.taken.contains(wanted) {
            self.reused.push(Reuse {
                ours: wanted.to_string(),
                upstream: upstream.clone(),
                what: what.to_string(),
            });
            return Named::Ours(wanted.to_string());
        }
        Named::New(self.free_name(wanted, what))
    }

    /// A name for something new: `wanted`, or `wantedImported` when this import already made
    /// `wanted` (never silent: that is a schema decision).
    pub(super) fn free_name(&mut self, wanted: &str, what: &str) -> String {
        let clash = |n: &str| {
            self.taken.contains(n)
                || self.new_schemas.iter().any(|(m, _)| m == n)
                || self
                    .targets
                    .values()
                    .any(|t| matches!(t, Target::Component(m) if m == n))
        };
        if !clash(wanted) {
            return wanted.to_string();
        }
        let mut i = 1;
        loop {
            let candidate = if i == 1 {
                format!("{wanted}Imported")
            } else {
                format!("{wanted}Imported{i}")
            };
            if !clash(&candidate) {
                self.schema_decisions.push(SchemaDecision {
                    schema: candidate.clone(),
                    upstream: what.to_string(),
                    decision: format!(
                        "imported as {candidate}: this import already names another schema {wanted}; choose a name"
                    ),
                    differences: Vec::new(),
                });
                return candidate;
            }
            i += 1;
        }
    }
}
