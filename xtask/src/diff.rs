//! Semantic diff of two normalised documents: how upstream differs from ours, change by change, each classified.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::{json, Value};

use crate::model::{Api, Operation, ParamLocation, Parameter, Schema};

/// What kind of difference a [`Change`] is; the kebab-case name is what deviations select on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// Upstream has an operation ours lacks.
    OperationAdded,
    /// Ours has an operation upstream lacks.
    OperationRemoved,
    /// Same `operationId`, different method or path.
    OperationMoved,
    /// Same method and path, different (or missing) `operationId`.
    OperationIdChanged,
    /// Upstream has a parameter ours lacks.
    ParameterAdded,
    /// Ours has a parameter upstream lacks.
    ParameterRemoved,
    /// A path parameter has another name at the same position of the template.
    ParameterRenamed,
    /// A parameter of the same name travels elsewhere (query vs header ...).
    ParameterLocationChanged,
    /// Upstream requires a parameter, request body or property that ours leaves optional.
    RequiredAdded,
    /// Ours requires a parameter, request body or property that upstream leaves optional.
    RequiredRemoved,
    /// JSON type differs.
    TypeChanged,
    /// `format` differs (or is present on one side only).
    FormatChanged,
    /// `null` allowed on one side only.
    NullableChanged,
    /// Upstream's enum has values ours lacks.
    EnumValuesAdded,
    /// Ours' enum has values upstream lacks.
    EnumValuesRemoved,
    /// Upstream restricts the value to an enum, ours does not.
    EnumAdded,
    /// Ours restricts the value to an enum, upstream does not.
    EnumRemoved,
    /// A minimum/maximum/length/items bound differs.
    BoundsChanged,
    /// Upstream has a `pattern`, ours none.
    PatternAdded,
    /// Ours has a `pattern`, upstream none.
    PatternRemoved,
    /// Both have a `pattern`, and they differ.
    PatternChanged,
    /// `default` differs.
    DefaultChanged,
    /// Upstream's object has a property ours lacks.
    PropertyAdded,
    /// Ours' object has a property upstream lacks.
    PropertyRemoved,
    /// `additionalProperties` schema present on one side only.
    AdditionalPropertiesChanged,
    /// `oneOf`/`anyOf` alternatives differ in number.
    VariantsChanged,
    /// Upstream takes a request body, ours sends none.
    RequestBodyAdded,
    /// Ours sends a request body, upstream takes none.
    RequestBodyRemoved,
    /// Upstream documents a response status ours lacks.
    StatusAdded,
    /// Ours documents a response status upstream lacks.
    StatusRemoved,
    /// Upstream's response has a body schema, ours none.
    ResponseBodyAdded,
    /// Ours' response has a body schema, upstream none.
    ResponseBodyRemoved,
}

impl Kind {
    /// Every kind, in declaration order.
    pub const ALL: [Kind; 32] = [
        Kind::OperationAdded,
        Kind::OperationRemoved,
        Kind::OperationMoved,
        Kind::OperationIdChanged,
        Kind::ParameterAdded,
        Kind::ParameterRemoved,
        Kind::ParameterRenamed,
        Kind::ParameterLocationChanged,
        Kind::RequiredAdded,
        Kind::RequiredRemoved,
        Kind::TypeChanged,
        Kind::FormatChanged,
        Kind::NullableChanged,
        Kind::EnumValuesAdded,
        Kind::EnumValuesRemoved,
        Kind::EnumAdded,
        Kind::EnumRemoved,
        Kind::BoundsChanged,
        Kind::PatternAdded,
        Kind::PatternRemoved,
        Kind::PatternChanged,
        Kind::DefaultChanged,
        Kind::PropertyAdded,
        Kind::PropertyRemoved,
        Kind::AdditionalPropertiesChanged,
        Kind::VariantsChanged,
        Kind::RequestBodyAdded,
        Kind::RequestBodyRemoved,
        Kind::StatusAdded,
        Kind::StatusRemoved,
        Kind::ResponseBodyAdded,
        Kind::ResponseBodyRemoved,
    ];

    /// The kebab-case name (`enum-values-added`).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::OperationAdded => "operation-added",
            Kind::OperationRemoved => "operation-removed",
            Kind::OperationMoved => "operation-moved",
            Kind::OperationIdChanged => "operation-id-changed",
            Kind::ParameterAdded => "parameter-added",
            Kind::ParameterRemoved => "parameter-removed",
            Kind::ParameterRenamed => "parameter-renamed",
            Kind::ParameterLocationChanged => "parameter-location-changed",
            Kind::RequiredAdded => "required-added",
            Kind::RequiredRemoved => "required-removed",
            Kind::TypeChanged => "type-changed",
            Kind::FormatChanged => "format-changed",
            Kind::NullableChanged => "nullable-changed",
            Kind::EnumValuesAdded => "enum-values-added",
            Kind::EnumValuesRemoved => "enum-values-removed",
            Kind::EnumAdded => "enum-added",
            Kind::EnumRemoved => "enum-removed",
            Kind::BoundsChanged => "bounds-changed",
            Kind::PatternAdded => "pattern-added",
            Kind::PatternRemoved => "pattern-removed",
            Kind::PatternChanged => "pattern-changed",
            Kind::DefaultChanged => "default-changed",
            Kind::PropertyAdded => "property-added",
            Kind::PropertyRemoved => "property-removed",
            Kind::AdditionalPropertiesChanged => "additional-properties-changed",
            Kind::VariantsChanged => "variants-changed",
            Kind::RequestBodyAdded => "request-body-added",
            Kind::RequestBodyRemoved => "request-body-removed",
            Kind::StatusAdded => "status-added",
            Kind::StatusRemoved => "status-removed",
            Kind::ResponseBodyAdded => "response-body-added",
            Kind::ResponseBodyRemoved => "response-body-removed",
        }
    }
}

/// How much a change matters to a client generated from ours that talks to upstream's server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Class {
    /// Requests our client builds may be rejected, or upstream's responses may fail to decode or lose data.
    Breaking,
    /// Upstream offers or accepts more than ours knows about; nothing fails.
    Additive,
    /// No effect on what travels on the wire or how it decodes (names, defaults, tighter response promises).
    Cosmetic,
}

impl Class {
    /// Lower-case name (`breaking`).
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Breaking => "breaking",
            Class::Additive => "additive",
            Class::Cosmetic => "cosmetic",
        }
    }
}

/// One difference between upstream and ours, with a stable identity (operation, method, path, location, kind).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// The `operationId` (ours if set, else upstream's); `None` when neither side has one.
    pub operation: Option<String>,
    /// HTTP method (upstream's, for operations present upstream).
    pub method: String,
    /// Path template (upstream's, for operations present upstream).
    pub path: String,
    /// Dotted location inside the operation: `operation`, `parameter.query.limit`, `request.body.name`,
    /// `response.200`, `response.200.body.results[].status` (`[]` = array items, `{}` = map values).
    pub location: String,
    /// What changed.
    pub kind: Kind,
    /// Breaking, additive or cosmetic.
    pub class: Class,
    /// One human-readable line.
    pub detail: String,
    /// Upstream's value, where one applies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upstream: Option<Value>,
    /// Ours' value, where one applies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ours: Option<Value>,
}

/// Which way data flows through a schema; classification depends on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flow {
    /// Our client sends it (parameters, request bodies).
    Request,
    /// Upstream sends it (response bodies).
    Response,
}

/// Diffs two documents. Changes come out sorted by operation, then location, then kind.
pub fn diff(upstream: &Api, ours: &Api) -> Vec<Change> {
    let mut out = Vec::new();
    let mut unmatched_up: BTreeSet<&(String, String)> = BTreeSet::new();
    let mut unmatched_ours: BTreeSet<&(String, String)> = ours.operations.keys().collect();
    let mut pairs: Vec<(&Operation, &Operation)> = Vec::new();

    // 1. Same method and path.
    for (key, up) in &upstream.operations {
        match ours.operations.get(key) {
            Some(o) => {
                unmatched_ours.remove(key);
                pairs.push((up, o));
            }
            None => {
                unmatched_up.insert(key);
            }
        }
    }
    // 2. Same method and path template with renamed path parameters.
    for key in unmatched_up.clone() {
        let up = &upstream.operations[key];
        let shape = template_shape(&up.path);
        let found = unmatched_ours.iter().copied().find(|k| {
            let o = &ours.operations[*k];
            o.method == up.method && template_shape(&o.path) == shape
        });
        if let Some(ok) = found {
            unmatched_up.remove(key);
            unmatched_ours.remove(ok);
            pairs.push((up, &ours.operations[ok]));
        }
    }
    // 3. Same operationId elsewhere: a move.
    for key in unmatched_up.clone() {
        let up = &upstream.operations[key];
        let Some(id) = &up.operation_id else { continue };
        let found = unmatched_ours
            .iter()
            .copied()
            .find(|k| ours.operations[*k].operation_id.as_deref() == Some(id));
        if let Some(ok) = found {
            let o = &ours.operations[ok];
            unmatched_up.remove(key);
            unmatched_ours.remove(ok);
            out.push(Change {
                operation: Some(id.clone()),
                method: up.method.clone(),
                path: up.path.clone(),
                location: "operation".into(),
                kind: Kind::OperationMoved,
                class: Class::Breaking,
                detail: format!(
                    "upstream serves {id} at {} {}, ours at {} {}",
                    up.method, up.path, o.method, o.path
                ),
                upstream: Some(json!(format!("{} {}", up.method, up.path))),
                ours: Some(json!(format!("{} {}", o.method, o.path))),
            });
            pairs.push((up, o));
        }
    }
    for key in unmatched_up {
        let up = &upstream.operations[key];
        out.push(Change {
            operation: up.operation_id.clone(),
            method: up.method.clone(),
            path: up.path.clone(),
            location: "operation".into(),
            kind: Kind::OperationAdded,
            class: Class::Additive,
            detail: format!("upstream has {} {} which ours lacks", up.method, up.path),
            upstream: None,
            ours: None,
        });
    }
    for key in unmatched_ours {
        let o = &ours.operations[key];
        out.push(Change {
            operation: o.operation_id.clone(),
            method: o.method.clone(),
            path: o.path.clone(),
            location: "operation".into(),
            kind: Kind::OperationRemoved,
            class: Class::Breaking,
            detail: format!("ours has {} {} which upstream lacks", o.method, o.path),
            upstream: None,
            ours: None,
        });
    }
    for (up, o) in pairs {
        let mut cx = OpDiff {
            operation: o.operation_id.clone().or_else(|| up.operation_id.clone()),
            method: up.method.clone(),
            path: up.path.clone(),
            out: &mut out,
        };
        cx.operation_pair(up, o);
    }
    out.sort_by(|a, b| {
        (&a.operation, &a.method, &a.path, &a.location, a.kind).cmp(&(
            &b.operation,
            &b.method,
            &b.path,
            &b.location,
            b.kind,
        ))
    });
    out
}

/// `/installs/{install_id}/domains` -> `/installs/{}/domains`.
fn template_shape(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut depth = 0;
    for c in path.chars() {
        match c {
            '{' => {
                depth += 1;
                if depth == 1 {
                    out.push('{');
                }
            }
            '}' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    out.push('}');
                }
            }
            _ if depth > 0 => {}
            _ => out.push(c),
        }
    }
    out
}

/// Path parameter names in template order.
fn template_params(path: &str) -> Vec<String> {
    path.split('{')
        .skip(1)
        .filter_map(|s| s.split_once('}').map(|(name, _)| name.to_string()))
        .collect()
}

struct OpDiff<'o> {
    operation: Option<String>,
    method: String,
    path: String,
    out: &'o mut Vec<Change>,
}

fn is_success(status: &str) -> bool {
    status.starts_with('2')
}

fn show(v: &Value) -> String {
    match v {
        Value::String(s) => format!("{s:?}"),
        other => other.to_string(),
    }
}

fn show_list(vs: &[&Value]) -> String {
    vs.iter().map(|v| show(v)).collect::<Vec<_>>().join(", ")
}

fn opt(v: &Option<String>) -> String {
    match v {
        Some(s) => s.clone(),
        None => "none".into(),
    }
}

impl OpDiff<'_> {
    fn push(
        &mut self,
        location: &str,
        kind: Kind,
        class: Class,
        detail: String,
        upstream: Option<Value>,
        ours: Option<Value>,
    ) {
        self.out.push(Change {
            operation: self.operation.clone(),
            method: self.method.clone(),
            path: self.path.clone(),
            location: location.to_string(),
            kind,
            class,
            detail,
            upstream,
            ours,
        });
    }

    fn operation_pair(&mut self, up: &Operation, o: &Operation) {
        if up.operation_id != o.operation_id {
            self.push(
                "operationId",
                Kind::OperationIdChanged,
                Class::Cosmetic,
                format!(
                    "operationId upstream {}, ours {}",
                    opt(&up.operation_id),
                    opt(&o.operation_id)
                ),
                up.operation_id.as_ref().map(|s| json!(s)),
                o.operation_id.as_ref().map(|s| json!(s)),
            );
        }
        self.parameters(up, o);
        self.request_body(up, o);
        self.responses(up, o);
    }

    fn parameters(&mut self, up: &Operation, o: &Operation) {
        let mut added: Vec<&Parameter> = Vec::new();
        let mut removed: Vec<&Parameter> = Vec::new();
        for (k, p) in &up.parameters {
            match o.parameters.get(k) {
                Some(q) => self.parameter_pair(p, q),
                None => added.push(p),
            }
        }
        for (k, q) in &o.parameters {
            if !up.parameters.contains_key(k) {
                removed.push(q);
            }
        }
        // Same name, other location.
        added.retain(|p| {
            let Some(i) = removed
                .iter()
                .position(|q| q.key().1 == p.key().1 && q.location != p.location)
            else {
                return true;
            };
            let q = removed.remove(i);
            let location = format!("parameter.{}.{}", p.location.as_str(), p.name);
            self.push(
                &location,
                Kind::ParameterLocationChanged,
                Class::Breaking,
                format!(
                    "parameter {} is sent in {} upstream, in {} ours",
                    p.name,
                    p.location.as_str(),
                    q.location.as_str()
                ),
                Some(json!(p.location.as_str())),
                Some(json!(q.location.as_str())),
            );
            self.parameter_pair(p, q);
            false
        });
        // Path parameters at the same template position under another name.
        let up_names = template_params(&up.path);
        let our_names = template_params(&o.path);
        added.retain(|p| {
            if p.location != ParamLocation::Path {
                return true;
            }
            let Some(pos) = up_names.iter().position(|n| n == &p.name) else {
                return true;
            };
            let Some(their) = our_names.get(pos) else {
                return true;
            };
            let Some(i) = removed
                .iter()
                .position(|q| q.location == ParamLocation::Path && &q.name == their)
            else {
                return true;
            };
            let q = removed.remove(i);
            self.push(
                &format!("parameter.path.{}", p.name),
                Kind::ParameterRenamed,
                Class::Cosmetic,
                format!("path parameter {} upstream is {} ours", p.name, q.name),
                Some(json!(p.name)),
                Some(json!(q.name)),
            );
            self.parameter_pair(p, q);
            false
        });
        for p in added {
            let (class, how) = if p.required {
                (Class::Breaking, "required")
            } else {
                (Class::Additive, "optional")
            };
            self.push(
                &format!("parameter.{}.{}", p.location.as_str(), p.name),
                Kind::ParameterAdded,
                class,
                format!(
                    "upstream takes {how} {} parameter {} which ours lacks",
                    p.location.as_str(),
                    p.name
                ),
                Some(describe_param(p)),
                None,
            );
        }
        for q in removed {
            self.push(
                &format!("parameter.{}.{}", q.location.as_str(), q.name),
                Kind::ParameterRemoved,
                Class::Breaking,
                format!(
                    "ours sends {} parameter {} which upstream does not declare",
                    q.location.as_str(),
                    q.name
                ),
                None,
                Some(describe_param(q)),
            );
        }
    }

    fn parameter_pair(&mut self, p: &Parameter, q: &Parameter) {
        let location = format!("parameter.{}.{}", p.location.as_str(), p.name);
        if p.required != q.required {
            self.required_changed(&location, Flow::Request, p.required, q.required);
        }
        self.schema(&location, Flow::Request, &p.schema, &q.schema);
    }

    fn required_changed(&mut self, location: &str, flow: Flow, up: bool, ours: bool) {
        let word = |b: bool| if b { "required" } else { "optional" };
        let class = match (flow, up) {
            // Upstream demands something our client may omit.
            (Flow::Request, true) => Class::Breaking,
            (Flow::Request, false) => Class::Additive,
            // Upstream may omit something our client insists on decoding.
            (Flow::Response, false) => Class::Breaking,
            (Flow::Response, true) => Class::Cosmetic,
        };
        self.push(
            location,
            if up {
                Kind::RequiredAdded
            } else {
                Kind::RequiredRemoved
            },
            class,
            format!("{} upstream, {} ours", word(up), word(ours)),
            Some(json!(up)),
            Some(json!(ours)),
        );
    }

    fn request_body(&mut self, up: &Operation, o: &Operation) {
        match (&up.request_body, &o.request_body) {
            (None, None) => {}
            (Some(b), None) => self.push(
                "request.body",
                Kind::RequestBodyAdded,
                if b.required {
                    Class::Breaking
                } else {
                    Class::Additive
                },
                format!(
                    "upstream takes a{} request body, ours sends none",
                    if b.required {
                        " required"
                    } else {
                        "n optional"
                    }
                ),
                None,
                None,
            ),
            (None, Some(_)) => self.push(
                "request.body",
                Kind::RequestBodyRemoved,
                Class::Breaking,
                "ours sends a request body, upstream declares none".into(),
                None,
                None,
            ),
            (Some(b), Some(c)) => {
                if b.required != c.required {
                    self.required_changed("request.body", Flow::Request, b.required, c.required);
                }
                if let (Some(s), Some(t)) = (&b.schema, &c.schema) {
                    self.schema("request.body", Flow::Request, s, t);
                }
            }
        }
    }

    fn responses(&mut self, up: &Operation, o: &Operation) {
        for (status, r) in &up.responses {
            let location = format!("response.{status}");
            let Some(q) = o.responses.get(status) else {
                let class = if is_success(status) {
                    Class::Breaking
                } else {
                    Class::Additive
                };
                self.push(
                    &location,
                    Kind::StatusAdded,
                    class,
                    format!("upstream may answer {status}, ours does not document it"),
                    None,
                    None,
                );
                continue;
            };
            let body = format!("{location}.body");
            match (&r.schema, &q.schema) {
                (None, None) => {}
                (Some(_), None) => self.push(
                    &body,
                    Kind::ResponseBodyAdded,
                    Class::Additive,
                    format!("upstream's {status} response has a body schema, ours none"),
                    None,
                    None,
                ),
                (None, Some(_)) => self.push(
                    &body,
                    Kind::ResponseBodyRemoved,
                    if is_success(status) {
                        Class::Breaking
                    } else {
                        Class::Cosmetic
                    },
                    format!("ours expects a body in the {status} response, upstream declares none"),
                    None,
                    None,
                ),
                (Some(s), Some(t)) => self.schema(&body, Flow::Response, s, t),
            }
        }
        for status in o.responses.keys() {
            if !up.responses.contains_key(status) {
                self.push(
                    &format!("response.{status}"),
                    Kind::StatusRemoved,
                    Class::Cosmetic,
                    format!("ours documents {status}, upstream does not"),
                    None,
                    None,
                );
            }
        }
    }

    /// Compares two schemas at `location`, recursing through properties, items, map values and variants.
    fn schema(&mut self, location: &str, flow: Flow, up: &Schema, o: &Schema) {
        if up.recursive_ref.is_some() || o.recursive_ref.is_some() {
            if up.recursive_ref != o.recursive_ref
                && (up.recursive_ref.is_none() || o.recursive_ref.is_none())
            {
                self.push(
                    location,
                    Kind::TypeChanged,
                    Class::Breaking,
                    format!(
                        "recursive reference on one side only (upstream {}, ours {})",
                        opt(&up.recursive_ref),
                        opt(&o.recursive_ref)
                    ),
                    None,
                    None,
                );
            }
            return;
        }
        if up.ty != o.ty {
            self.push(
                location,
                Kind::TypeChanged,
                Class::Breaking,
                format!("type upstream {}, ours {}", opt(&up.ty), opt(&o.ty)),
                up.ty.as_ref().map(|t| json!(t)),
                o.ty.as_ref().map(|t| json!(t)),
            );
            return;
        }
        if up.format != o.format {
            let class = match (flow, &up.format, &o.format) {
                (_, Some(_), Some(_)) => Class::Breaking,
                // Upstream validates a format ours does not promise to send.
                (Flow::Request, Some(_), None) => Class::Breaking,
                (Flow::Request, None, Some(_)) => Class::Cosmetic,
                // Ours decodes a format upstream no longer promises.
                (Flow::Response, None, Some(_)) => Class::Breaking,
                (Flow::Response, Some(_), None) => Class::Cosmetic,
                (_, None, None) => Class::Cosmetic,
            };
            self.push(
                location,
                Kind::FormatChanged,
                class,
                format!(
                    "format upstream {}, ours {}",
                    opt(&up.format),
                    opt(&o.format)
                ),
                up.format.as_ref().map(|t| json!(t)),
                o.format.as_ref().map(|t| json!(t)),
            );
        }
        if up.nullable != o.nullable {
            let class = match (flow, up.nullable) {
                (Flow::Response, true) => Class::Breaking,
                (Flow::Response, false) => Class::Cosmetic,
                (Flow::Request, true) => Class::Additive,
                (Flow::Request, false) => Class::Breaking,
            };
            let word = |b: bool| if b { "nullable" } else { "not nullable" };
            self.push(
                location,
                Kind::NullableChanged,
                class,
                format!("{} upstream, {} ours", word(up.nullable), word(o.nullable)),
                Some(json!(up.nullable)),
                Some(json!(o.nullable)),
            );
        }
        self.enums(location, flow, up, o);
        self.bounds(location, flow, up, o);
        if up.pattern != o.pattern {
            self.push(
                location,
                match (&up.pattern, &o.pattern) {
                    (Some(_), None) => Kind::PatternAdded,
                    (None, Some(_)) => Kind::PatternRemoved,
                    _ => Kind::PatternChanged,
                },
                match flow {
                    Flow::Request => Class::Breaking,
                    Flow::Response => Class::Cosmetic,
                },
                format!(
                    "pattern upstream {}, ours {}",
                    opt(&up.pattern),
                    opt(&o.pattern)
                ),
                up.pattern.as_ref().map(|t| json!(t)),
                o.pattern.as_ref().map(|t| json!(t)),
            );
        }
        if up.default != o.default {
            let d = |v: &Option<Value>| v.as_ref().map_or("none".to_string(), show);
            self.push(
                location,
                Kind::DefaultChanged,
                Class::Cosmetic,
                format!(
                    "default upstream {}, ours {}",
                    d(&up.default),
                    d(&o.default)
                ),
                up.default.clone(),
                o.default.clone(),
            );
        }
        self.properties(location, flow, up, o);
        match (&up.items, &o.items) {
            (Some(a), Some(b)) => self.schema(&format!("{location}[]"), flow, a, b),
            (Some(_), None) | (None, Some(_)) => {}
            (None, None) => {}
        }
        match (&up.additional, &o.additional) {
            (Some(a), Some(b)) => self.schema(&format!("{location}{{}}"), flow, a, b),
            (None, None) => {}
            (a, _) => {
                let upstream_has = a.is_some();
                self.push(
                    location,
                    Kind::AdditionalPropertiesChanged,
                    Class::Breaking,
                    format!(
                        "additionalProperties schema only {}",
                        if upstream_has { "upstream" } else { "ours" }
                    ),
                    None,
                    None,
                );
            }
        }
        if up.variants.len() != o.variants.len() {
            self.push(
                location,
                Kind::VariantsChanged,
                Class::Breaking,
                format!(
                    "{} oneOf/anyOf alternatives upstream, {} ours",
                    up.variants.len(),
                    o.variants.len()
                ),
                Some(json!(up.variants.len())),
                Some(json!(o.variants.len())),
            );
        } else {
            for (i, (a, b)) in up.variants.iter().zip(&o.variants).enumerate() {
                self.schema(&format!("{location}.oneOf[{i}]"), flow, a, b);
            }
        }
    }

    fn enums(&mut self, location: &str, flow: Flow, up: &Schema, o: &Schema) {
        match (&up.enum_values, &o.enum_values) {
            (None, None) => {}
            (Some(a), Some(b)) => {
                let added: Vec<&Value> = a.iter().filter(|v| !b.contains(v)).collect();
                let removed: Vec<&Value> = b.iter().filter(|v| !a.contains(v)).collect();
                if !added.is_empty() {
                    self.push(
                        location,
                        Kind::EnumValuesAdded,
                        match flow {
                            // Ours' closed enum cannot decode the new values; an open one keeps them.
                            Flow::Response if !o.open_enum => Class::Breaking,
                            _ => Class::Additive,
                        },
                        format!(
                            "upstream allows {} which ours lacks{}",
                            show_list(&added),
                            if o.open_enum {
                                " (ours' enum is open: unknown values are kept)"
                            } else {
                                ""
                            }
                        ),
                        Some(Value::Array(added.into_iter().cloned().collect())),
                        None,
                    );
                }
                if !removed.is_empty() {
                    self.push(
                        location,
                        Kind::EnumValuesRemoved,
                        match flow {
                            Flow::Response => Class::Cosmetic,
                            Flow::Request => Class::Breaking,
                        },
                        format!("ours allows {} which upstream lacks", show_list(&removed)),
                        None,
                        Some(Value::Array(removed.into_iter().cloned().collect())),
                    );
                }
            }
            (Some(a), None) => self.push(
                location,
                Kind::EnumAdded,
                match flow {
                    Flow::Response => Class::Cosmetic,
                    Flow::Request => Class::Breaking,
                },
                format!(
                    "upstream restricts values to [{}], ours does not",
                    show_list(&a.iter().collect::<Vec<_>>())
                ),
                Some(Value::Array(a.clone())),
                None,
            ),
            (None, Some(b)) => self.push(
                location,
                Kind::EnumRemoved,
                match flow {
                    Flow::Response => Class::Breaking,
                    Flow::Request => Class::Additive,
                },
                format!(
                    "ours restricts values to [{}], upstream does not",
                    show_list(&b.iter().collect::<Vec<_>>())
                ),
                None,
                Some(Value::Array(b.clone())),
            ),
        }
    }

    fn bounds(&mut self, location: &str, flow: Flow, up: &Schema, o: &Schema) {
        let keys: BTreeSet<&String> = up.bounds.keys().chain(o.bounds.keys()).collect();
        for key in keys {
            let a = up.bounds.get(key);
            let b = o.bounds.get(key);
            if a == b {
                continue;
            }
            let lower_bound = key.starts_with("min") || key == "exclusiveMinimum";
            let upper_bound = key.starts_with("max") || key == "exclusiveMaximum";
            let num = |v: Option<&Value>| v.and_then(Value::as_f64);
            // Does upstream accept less than ours?
            let tighter = match (num(a), num(b)) {
                (Some(x), Some(y)) if lower_bound => x > y,
                (Some(x), Some(y)) if upper_bound => x < y,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                _ => true,
            };
            let class = match flow {
                Flow::Request if tighter => Class::Breaking,
                Flow::Request => Class::Additive,
                Flow::Response => Class::Cosmetic,
            };
            let d = |v: Option<&Value>| v.map_or("none".to_string(), show);
            self.push(
                location,
                Kind::BoundsChanged,
                class,
                format!("{key} upstream {}, ours {}", d(a), d(b)),
                a.map(|v| json!({ key.as_str(): v })),
                b.map(|v| json!({ key.as_str(): v })),
            );
        }
    }

    fn properties(&mut self, location: &str, flow: Flow, up: &Schema, o: &Schema) {
        for (name, p) in &up.properties {
            let here = format!("{location}.{name}");
            match o.properties.get(name) {
                Some(q) => {
                    let (ru, ro) = (up.required.contains(name), o.required.contains(name));
                    if ru != ro {
                        self.required_changed(&here, flow, ru, ro);
                    }
                    self.schema(&here, flow, p, q);
                }
                None => {
                    let required = up.required.contains(name);
                    let class = match flow {
                        Flow::Request if required => Class::Breaking,
                        _ => Class::Additive,
                    };
                    self.push(
                        &here,
                        Kind::PropertyAdded,
                        class,
                        format!(
                            "upstream has {}property {name} ({}) which ours lacks",
                            if required { "required " } else { "" },
                            type_word(p)
                        ),
                        Some(json!(type_word(p))),
                        None,
                    );
                }
            }
        }
        for (name, q) in &o.properties {
            if up.properties.contains_key(name) {
                continue;
            }
            self.push(
                &format!("{location}.{name}"),
                Kind::PropertyRemoved,
                Class::Breaking,
                format!(
                    "ours has {}property {name} ({}) which upstream lacks",
                    if o.required.contains(name) {
                        "required "
                    } else {
                        ""
                    },
                    type_word(q)
                ),
                None,
                Some(json!(type_word(q))),
            );
        }
    }
}

fn type_word(s: &Schema) -> String {
    let mut w = s.ty.clone().unwrap_or_else(|| "any".into());
    if let Some(f) = &s.format {
        w = format!("{w}/{f}");
    }
    if s.nullable {
        w.push('?');
    }
    w
}

fn describe_param(p: &Parameter) -> Value {
    let mut m = BTreeMap::new();
    m.insert("required", json!(p.required));
    m.insert("type", json!(type_word(&p.schema)));
    json!(m)
}
