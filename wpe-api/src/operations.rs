//! The table of every API operation and what the client knows about it,
//! generated at build time from `spec/openapi.json`.
//!
//! Each fact is written once, in the spec, as an extension of the operation;
//! the retry hook, the page streams ([`crate::Paginate`]) and the stand-in
//! (`wpe_api::fake`) all read it from here:
//!
//! | extension | field | meaning |
//! | --- | --- | --- |
//! | `x-wpe-idempotent` (required) | [`Operation::idempotent`] | a retry may resend the request after a 502/503/504 or a dropped connection |
//! | `x-wpe-paging` | [`Operation::paging`] | how the list is walked: `offset`, `token`, or `none` (one response); for `offset`, `empty_status` and `empty_message` describe the error the API answers, instead of an empty page, for a list with no items: its status and a text its message holds (which tells it from the same status for a missing parent, a made-up install) |
//! | `x-wpe-rate-limit` | [`Operation::rate_limit`] | a per-install spacing the API enforces, kept client-side |
//! | `x-wpe-job` | [`Operation::job`] | the asynchronous job the operation starts, and the operation that polls it |
//! | `x-wpe-accepted` | [`Operation::accepted`] | the work goes on after the answer but starts no job to poll (every `202` without `x-wpe-job` has it): `follow` names a GET that shows the result, `resend: false` says WP Engine asks that it not be sent again while it runs |
//! | `x-wpe-destructive` | [`Operation::destructive`], [`Operation::target`] | the operation destroys or overwrites what cannot be had back; every `DELETE` is, without saying so; `{"target": FIELD}` instead of `true` names the body field holding what it overwrites |
//! | `x-wpe-replaces` | [`Operation::replaces`] | the operation, not destructive, still replaces or removes state beyond the values it is sent (a whole list or configuration, a role another resource held, a cache); the value is the reason, in a sentence |
//! | `x-wpe-behaviours` | [`Operation::behaviours`] | what WP Engine states about the operation beyond its schema (rules across fields, defaults, limits, asynchronous effects, required roles), each with its source and the stand-in scenario that proves the stand-in follows it, or why it does not |
//!
//! Beside them, each operation's parameters ([`Operation::params`]: name,
//! path or query, kind, whether required, a one-line description) and
//! request body ([`Operation::body`], with its top-level fields) come from
//! the spec too. With the
//! `dispatch` feature, `call` and `stream` send any operation by name, from
//! text values and a JSON body, through its typed builder: what a command
//! line needs.
//!
//! ```
//! use wpe_api::operations::{self, Paging};
//!
//! let purge = operations::find("purge_cache").unwrap();
//! assert_eq!((purge.method, purge.path), ("POST", "/installs/{install_id}/purge_cache"));
//! assert!(!purge.idempotent);
//! assert_eq!(purge.rate_limit.unwrap().interval.as_secs(), 60);
//!
//! let installs = operations::find("list_installs").unwrap();
//! assert!(matches!(installs.paging, Paging::Offset { items: "results", .. }));
//! ```

use std::time::Duration;

/// One operation of the API.
#[derive(Debug, Clone, Copy)]
pub struct Operation {
    /// The client's method name, e.g. `list_installs`.
    pub id: &'static str,
    /// WP Engine's `operationId`, e.g. `listInstalls`.
    pub operation_id: &'static str,
    /// The HTTP method, upper case.
    pub method: &'static str,
    /// The path template below the base URL, e.g. `/installs/{install_id}`.
    pub path: &'static str,
    /// The resource the operation belongs to: its first tag in snake case
    /// (`install`, `account_user`, `ssh_key`, ...).
    pub resource: &'static str,
    /// The spec's one-line summary, e.g. `List installs`.
    pub summary: &'static str,
    /// The path and query parameters, in the spec's order.
    pub params: &'static [Param],
    /// The JSON request body the operation takes, if any.
    pub body: Option<RequestBody>,
    /// Whether the operation needs credentials (all but `status` and `swagger`).
    pub authenticated: bool,
    /// Whether a retry may send the request again after a gateway error or a
    /// dropped connection (`x-wpe-idempotent`). A 429 is retried either way:
    /// the API did not process the request.
    pub idempotent: bool,
    /// Whether the operation destroys or overwrites something that cannot
    /// be had back: every `DELETE`, and the operations the spec marks
    /// `x-wpe-destructive` (restoring a backup over an install, copying an
    /// install onto another, cancelling a site transfer). A command line asks before sending one.
    pub destructive: bool,
    /// Why an operation that is not [`destructive`](Operation::destructive)
    /// is not only additive either (`x-wpe-replaces`): it replaces or
    /// removes state beyond the values it is sent, though nothing that
    /// cannot be set again. A whole list or configuration replaced (what the
    /// request leaves out is lost: `updateCacheExclusions`,
    /// `updateOffloadSettings`, `updateSftpUser`, `updateAccountUser`), a role
    /// taken from another resource (a new primary domain), a cache emptied,
    /// a site moved out of its account. A partial update that changes only
    /// the values it names (renaming a site) has none. `wpe mcp` gives such
    /// tools `destructiveHint: true`, as MCP defines `false` as "only
    /// additive updates", while `--allow-writes` still runs them.
    ///
    /// ```
    /// use wpe_api::operations::find;
    ///
    /// assert!(find("update_cache_exclusions").unwrap().replaces.is_some());
    /// assert!(find("patch_offload_settings").unwrap().replaces.is_none());
    /// assert!(find("update_site").unwrap().replaces.is_none());
    /// ```
    pub replaces: Option<&'static str>,
    /// The request body field that names what a destructive operation
    /// overwrites when no path parameter does (`x-wpe-destructive:
    /// {"target": ...}`): `destination_environment_id` of `copyInstall`.
    pub target: Option<&'static str>,
    /// How the operation's list is walked (`x-wpe-paging`).
    pub paging: Paging,
    /// The per-install spacing the API requires between calls (`x-wpe-rate-limit`).
    pub rate_limit: Option<RateLimit>,
    /// The asynchronous job the operation starts (`x-wpe-job`).
    pub job: Option<Job>,
    /// What is known about work that goes on after the answer when the
    /// operation starts no [`Job`] (`x-wpe-accepted`): an offload-settings
    /// change, a purge, a restore, an install copy. See
    /// [`Operation::runs_on`].
    pub accepted: Option<Accepted>,
    /// The status of a successful answer (200, 201, 202 or 204).
    pub success_status: u16,
    /// The schema of the successful answer's JSON body, if it has one.
    pub response: Option<&'static str>,
    #[cfg(feature = "dispatch")]
    decode: Option<Decode>,
    /// What WP Engine states about the operation beyond its schema
    /// (`x-wpe-behaviours`); the method's docs list the same rules.
    pub behaviours: &'static [Behaviour],
}

/// A path or query parameter of an operation.
///
/// ```
/// use wpe_api::operations::{self, Location, ParamKind};
///
/// let list = operations::find("list_installs").unwrap();
/// let limit = list.param("limit").unwrap();
/// assert_eq!(limit.location, Location::Query);
/// assert_eq!(limit.kind, ParamKind::Integer { minimum: Some(0), maximum: Some(100) });
/// assert!(!limit.required);
/// assert_eq!(limit.flag(), "--limit");
/// let account = list.param("account_id").unwrap();
/// assert_eq!((account.kind, account.flag()), (ParamKind::Uuid, "--account-id".to_owned()));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Param {
    /// The name in the spec (and of the builder's setter), e.g. `install_id`.
    pub name: &'static str,
    /// Where the value goes.
    pub location: Location,
    /// What values it takes.
    pub kind: ParamKind,
    /// Whether the operation needs it (every path parameter does).
    pub required: bool,
    /// The spec's one-line description, e.g. `The install's ID.`.
    pub description: &'static str,
}

impl Param {
    /// The name as a command-line flag: `--install-id` for `install_id`.
    pub fn flag(&self) -> String {
        format!("--{}", self.name.replace('_', "-"))
    }
}

/// Where a parameter's value goes in the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// A segment of the path (`/installs/{install_id}`).
    Path,
    /// The query string (`?limit=10`).
    Query,
}

/// What values a parameter takes, as the spec says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    /// A UUID, such as an install's or an account's ID.
    Uuid,
    /// Any text.
    String,
    /// A whole number, within the bounds when the spec gives them.
    Integer {
        /// The smallest accepted value.
        minimum: Option<i64>,
        /// The largest accepted value.
        maximum: Option<i64>,
    },
    /// `true` or `false`.
    Boolean,
    /// One of these values.
    Enum(&'static [&'static str]),
    /// A calendar day, `YYYY-MM-DD`.
    Date,
    /// A moment, RFC 3339 (`2024-05-01T12:00:00Z`).
    DateTime,
}

/// The JSON request body of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestBody {
    /// The schema the body must match, e.g. `CreateBackupRequest`
    /// (`crate::types::CreateBackupRequest`).
    pub schema: &'static str,
    /// Whether the operation needs one.
    pub required: bool,
    /// Its top-level fields that hold a secret (a schema marked
    /// `x-wpe-secret`: a password, a private key). Their values are never
    /// shown: not in errors, logs or output, and a command line asks for
    /// them instead of taking them as arguments.
    pub secrets: &'static [&'static str],
    /// Its top-level fields, in the schema's order.
    pub fields: &'static [Field],
}

impl RequestBody {
    /// The field called `name`, if the body has one.
    pub fn field(&self, name: &str) -> Option<&'static Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The body's JSON Schema (2020-12), from the type the client sends
    /// (`crate::types::<schema>`), with the schemas it refers to under
    /// `$defs`: what a tool that takes the body as JSON can check it with
    /// (`wpe mcp` gives its fields' schemas to AI agents). Feature `schemars`.
    ///
    /// ```
    /// use wpe_api::operations;
    ///
    /// let body = operations::find("create_backup").unwrap().body.unwrap();
    /// let schema = body.json_schema();
    /// assert_eq!(schema.get("title").and_then(|t| t.as_str()), Some("CreateBackupRequest"));
    /// assert!(schema.get("properties").unwrap().get("notification_emails").is_some());
    /// ```
    #[cfg(feature = "schemars")]
    pub fn json_schema(&self) -> schemars::Schema {
        match body_schema_of(self.schema) {
            Some(schema) => schema,
            // The table writes a schema for every body it names.
            None => unreachable!("no JSON Schema for body {}", self.schema),
        }
    }
}

impl Operation {
    /// The JSON Schema (2020-12) of the successful answer's body, as the
    /// client writes the decoded answer back (`crate::types::<response>`,
    /// schemars' serialize contract: what `operations::call` returns), with
    /// the schemas it refers to under `$defs`; `None` when the answer has no
    /// body. Answer types keep the fields the spec does not name, so the
    /// schema admits them. Feature `schemars`.
    ///
    /// ```
    /// use wpe_api::operations;
    ///
    /// let schema = operations::find("get_install").unwrap().response_schema().unwrap();
    /// assert!(schema.get("properties").unwrap().get("name").is_some());
    /// assert!(operations::find("delete_install").unwrap().response_schema().is_none());
    /// ```
    #[cfg(feature = "schemars")]
    pub fn response_schema(&self) -> Option<schemars::Schema> {
        let name = self.response?;
        match response_schema_of(name) {
            Some(schema) => Some(schema),
            // The table writes a schema for every answer it names.
            None => unreachable!("no JSON Schema for answer {name}"),
        }
    }
}

/// A top-level field of a request body.
///
/// ```
/// use wpe_api::operations::{self, FieldKind, ParamKind};
///
/// let body = operations::find("create_backup").unwrap().body.unwrap();
/// let emails = body.field("notification_emails").unwrap();
/// assert_eq!(emails.kind, FieldKind::List(ParamKind::String));
/// assert!(emails.required);
/// let install = operations::find("create_install").unwrap().body.unwrap();
/// assert_eq!(install.field("account_id").unwrap().kind, FieldKind::Scalar(ParamKind::Uuid));
/// assert!(matches!(install.field("environment").unwrap().kind, FieldKind::Scalar(ParamKind::Enum(_))));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// The JSON property, e.g. `account_id`.
    pub name: &'static str,
    /// What values it takes.
    pub kind: FieldKind,
    /// Whether the schema requires it.
    pub required: bool,
    /// The spec's one-line description.
    pub description: &'static str,
}

impl Field {
    /// The name as a command-line flag: `--account-id` for `account_id`.
    pub fn flag(&self) -> String {
        format!("--{}", self.name.replace('_', "-"))
    }
}

/// What values a body field takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// One value of this kind.
    Scalar(ParamKind),
    /// A list of values of this kind.
    List(ParamKind),
    /// Anything else (an object, a list of objects): JSON.
    Json,
}

/// The error answer that stands for a list with no items, for the few lists
/// the API answers so instead of with an empty page (`x-wpe-paging`'s
/// `empty_status` and `empty_message`).
///
/// The status alone does not say "none": the same 404 comes for a parent
/// that does not exist (an install ID nobody has). Only an answer with the
/// status whose API message holds [`EmptyAnswer::message`] is the empty list.
///
/// ```
/// use wpe_api::operations::{self, Paging};
///
/// let certificates = operations::find("get_install_certificates").unwrap();
/// let Paging::Offset { empty: Some(empty), .. } = certificates.paging else { panic!() };
/// assert_eq!((empty.status, empty.message), (404, "No SSL certs found"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmptyAnswer {
    /// The answer's HTTP status.
    pub status: u16,
    /// A text the API error's `message` holds in that answer, and in no
    /// other answer with the same status.
    pub message: &'static str,
}

impl EmptyAnswer {
    /// Whether `err` is this answer: the status, and an API error body
    /// whose message holds [`EmptyAnswer::message`].
    pub fn is(&self, err: &crate::Error) -> bool {
        err.status().map(|s| s.as_u16()) == Some(self.status)
            && err
                .api_error()
                .is_some_and(|body| body.message.contains(self.message))
    }
}

/// How a list operation is walked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paging {
    /// Not a list.
    NotAList,
    /// Paged by `limit` and `offset`; items are told apart by `key`.
    Offset {
        /// The body property holding the page's items.
        items: &'static str,
        /// The item property that identifies an item, or the properties
        /// that do so together, joined by `+` (`type+value`).
        key: &'static str,
        /// The error the API answers instead of an empty page when the
        /// list has no items at all (`empty_status` and `empty_message`; a
        /// 404 "No SSL certs found ..." for an install's certificates),
        /// which the page streams, `wpe` and `wpe mcp` read as an empty
        /// list.
        empty: Option<EmptyAnswer>,
    },
    /// Paged by an opaque token: each page names the next.
    Token {
        /// The body property holding the page's items.
        items: &'static str,
        /// The body property holding the next page's token.
        next: &'static str,
        /// The query parameter that takes the token.
        param: &'static str,
    },
    /// The whole list in one response.
    Whole {
        /// The body property holding the items.
        items: &'static str,
    },
}

/// A spacing the API requires between calls of one operation for one install.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// The limit's name, e.g. `object-cache-purge`.
    pub name: &'static str,
    /// The least time between the answer to one call and the next call.
    pub interval: Duration,
    /// When set, only requests whose JSON body has this field value are limited.
    pub when: Option<BodyField>,
}

/// A top-level string field of a JSON request body and the value it must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyField {
    /// The field name, e.g. `type`.
    pub field: &'static str,
    /// The value, e.g. `object`.
    pub equals: &'static str,
}

impl RateLimit {
    /// Whether a request with this JSON body falls under the limit.
    ///
    /// ```
    /// let limit = wpe_api::operations::find("purge_cache").unwrap().rate_limit.unwrap();
    /// assert!(limit.applies_to(br#"{"type":"object"}"#));
    /// assert!(!limit.applies_to(br#"{"type":"page"}"#));
    /// ```
    pub fn applies_to(&self, body: &[u8]) -> bool {
        let Some(when) = self.when else { return true };
        serde_json::from_slice::<serde_json::Value>(body)
            .is_ok_and(|value| value.get(when.field).and_then(|v| v.as_str()) == Some(when.equals))
    }
}

/// An asynchronous job an operation starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Job {
    /// The job's name, e.g. `backup`.
    pub name: &'static str,
    /// The `operationId` that reports the job's progress, e.g. `showBackup`.
    pub poll: &'static str,
}

/// Work an operation leaves running after its answer without a job to
/// poll (`x-wpe-accepted`).
///
/// ```
/// use wpe_api::operations;
///
/// let copy = operations::find("copy_install").unwrap().accepted.unwrap();
/// assert_eq!((copy.follow, copy.resend), (None, false));
/// let offload = operations::find("patch_offload_settings").unwrap().accepted.unwrap();
/// assert_eq!(offload.follow, Some("getOffloadSettings"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Accepted {
    /// The `operationId` of a GET that shows the result once the work is
    /// done (e.g. `getOffloadSettings`), if there is one.
    pub follow: Option<&'static str>,
    /// Whether sending the request again while the work runs is allowed;
    /// `false` where WP Engine asks that it never be resent (an install
    /// copy: it has no ID to tell whether the first one is still running).
    pub resend: bool,
}

/// One documented behaviour of an operation: a rule, default, limit,
/// asynchronous effect or required role that its schema cannot say.
///
/// ```
/// use wpe_api::operations::{self, Proof, Standing};
///
/// let summary = operations::find("get_account_usage_summary").unwrap();
/// let rule = summary
///     .behaviours
///     .iter()
///     .find(|b| b.rule.contains("31 days"))
///     .unwrap();
/// assert_eq!(rule.standing, Standing::Documented);
/// assert!(matches!(rule.proof, Proof::Scenario(_)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Behaviour {
    /// The rule, in this crate's words.
    pub rule: &'static str,
    /// Where WP Engine states it: a reference page's URL, a document and
    /// operation, or a file of WP Engine's agent skills.
    pub source: &'static str,
    /// Whether the reference states it, or only a claim outside it does.
    pub standing: Standing,
    /// How the stand-in (`wpe_api::fake`) is shown to follow it.
    pub proof: Proof,
}

/// Whether a [`Behaviour`] is documented by WP Engine's API reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Stated by WP Engine's API reference or upstream's own document.
    Documented,
    /// Claimed elsewhere (WP Engine's agent skills) and not confirmed by
    /// the reference.
    Unverified {
        /// Where the claim contradicts upstream's document: what upstream
        /// says, which this crate follows.
        upstream_wins: Option<&'static str>,
    },
}

/// How the stand-in is shown to follow a [`Behaviour`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proof {
    /// The stand-in scenario (`module::scenario` in `tests/tests/standin`)
    /// that exercises the rule over HTTP.
    Scenario(&'static str),
    /// The stand-in does not model the rule, and why.
    NotModelled(&'static str),
}

impl Operation {
    /// The position of path parameter `name` (e.g. `install_id`) among the
    /// segments of [`Operation::path`].
    ///
    /// ```
    /// let get = wpe_api::operations::find("get_domain").unwrap();
    /// assert_eq!(get.param_index("domain_id"), Some(3));
    /// assert_eq!(get.param_index("site_id"), None);
    /// ```
    pub fn param_index(&self, name: &str) -> Option<usize> {
        self.path
            .split('/')
            .filter(|s| !s.is_empty())
            .position(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) == Some(name))
    }

    /// The value of path parameter `name` in the segments of a request path
    /// that ends with this operation's path (whatever base path comes first).
    ///
    /// ```
    /// let purge = wpe_api::operations::find("purge_cache").unwrap();
    /// let segments = ["v1", "installs", "i1", "purge_cache"];
    /// assert_eq!(purge.path_param("install_id", &segments), Some("i1"));
    /// ```
    pub fn path_param<'s>(&self, name: &str, segments: &[&'s str]) -> Option<&'s str> {
        let len = self.path.split('/').filter(|s| !s.is_empty()).count();
        let base = segments.len().checked_sub(len)?;
        segments.get(base + self.param_index(name)?).copied()
    }

    /// The parameter called `name`, if the operation has one.
    pub fn param(&self, name: &str) -> Option<&'static Param> {
        self.params.iter().find(|p| p.name == name)
    }

    /// Whether the operation's work goes on after its answer: it starts a
    /// [`Job`], it is [`Accepted`], or it answers `202` (accepted, not done).
    ///
    /// ```
    /// use wpe_api::operations::find;
    ///
    /// assert!(find("create_backup").unwrap().runs_on());
    /// assert!(find("refresh_account_disk_usage").unwrap().runs_on());
    /// assert!(find("copy_install").unwrap().runs_on());
    /// assert!(!find("delete_install").unwrap().runs_on());
    /// ```
    pub fn runs_on(&self) -> bool {
        self.job.is_some() || self.accepted.is_some() || self.success_status == 202
    }

    /// Whether the operation lists something page by page (it has `x-wpe-paging`),
    /// so that `operations::stream` (feature `dispatch`) walks it.
    pub fn is_paged(&self) -> bool {
        !matches!(self.paging, Paging::NotAList)
    }

    /// Whether `err` is the answer this list operation gives, instead of an
    /// empty page, when it has no items ([`EmptyAnswer`]); `false` for every
    /// other error and operation.
    pub fn is_empty_list_answer(&self, err: &crate::Error) -> bool {
        match self.paging {
            Paging::Offset { empty, .. } => empty.is_some_and(|empty| empty.is(err)),
            _ => false,
        }
    }

    /// The page with no items that stands for `err`, when `err` is this
    /// list's "none" answer ([`Operation::is_empty_list_answer`]): an object
    /// whose items property is an empty array. `None` for any other error.
    pub fn empty_page_for(&self, err: &crate::Error) -> Option<serde_json::Value> {
        match self.paging {
            Paging::Offset { items, .. } if self.is_empty_list_answer(err) => {
                let mut page = serde_json::Map::new();
                page.insert(items.to_owned(), serde_json::Value::Array(Vec::new()));
                Some(serde_json::Value::Object(page))
            }
            _ => None,
        }
    }
}

#[cfg(feature = "dispatch")]
mod dispatch;
#[cfg(feature = "dispatch")]
pub use dispatch::{call, decode_error_body, stream, Args, DecodeError};
#[cfg(feature = "dispatch")]
use dispatch::{round_trip, Decode};

include!(concat!(env!("OUT_DIR"), "/operations.rs"));

/// The operation behind a client method name (as in `OperationInfo::operation_id`).
pub fn find(id: &str) -> Option<&'static Operation> {
    index_of(id).map(|index| &OPERATIONS[index])
}

/// The operation with this `operationId` (as in the spec, e.g. `listInstalls`).
pub fn by_operation_id(operation_id: &str) -> Option<&'static Operation> {
    OPERATIONS.iter().find(|op| op.operation_id == operation_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "schemars")]
    #[test]
    fn every_body_has_a_json_schema_with_each_of_its_fields() {
        for op in OPERATIONS {
            let Some(body) = op.body else { continue };
            let schema = body.json_schema();
            let properties = schema.get("properties").and_then(|p| p.as_object());
            for field in body.fields {
                assert!(
                    properties.is_some_and(|p| p.contains_key(field.name)),
                    "{}: the schema of {} has no property {}",
                    op.id,
                    body.schema,
                    field.name
                );
            }
        }
    }

    #[cfg(feature = "schemars")]
    #[test]
    fn every_answer_has_a_json_schema_that_admits_fields_the_spec_does_not_name() {
        for op in OPERATIONS {
            let schema = op.response_schema();
            assert_eq!(op.response.is_some(), schema.is_some(), "{}", op.id);
            let Some(schema) = schema else { continue };
            let text = serde_json::to_string(&schema).unwrap();
            assert!(
                !text.contains(r#""additionalProperties":false"#),
                "{}: {text}",
                op.id
            );
        }
        let install = find("get_install").unwrap().response_schema().unwrap();
        assert_eq!(
            install.get("additionalProperties"),
            Some(&serde_json::json!(true))
        );
        // Either shape the bulk answer comes in.
        let bulk = find("create_bulk_domains")
            .unwrap()
            .response_schema()
            .unwrap();
        assert_eq!(bulk.get("anyOf").unwrap().as_array().unwrap().len(), 2);
    }

    #[cfg(feature = "schemars")]
    #[test]
    fn a_bounded_string_keeps_its_bounds_in_the_json_schema() {
        let body = find("create_install").unwrap().body.unwrap().json_schema();
        let name = &body.get("$defs").unwrap()["InstallName"];
        assert_eq!(name["maxLength"], 14, "{name}");
        assert_eq!(name["minLength"], 3, "{name}");
        assert_eq!(name["pattern"], "^[a-z][a-z0-9]{2,13}$", "{name}");
    }

    fn spec() -> serde_json::Value {
        serde_json::from_str(include_str!("../spec/openapi.json")).unwrap()
    }

    /// The JSON pointers of the `TODO(import)` placeholders under `at`.
    fn markers(value: &serde_json::Value, at: &str, found: &mut Vec<String>) {
        match value {
            serde_json::Value::String(s) if s.starts_with("TODO(import)") => {
                found.push(at.to_owned());
            }
            serde_json::Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    markers(item, &format!("{at}/{i}"), found);
                }
            }
            serde_json::Value::Object(map) => {
                for (key, item) in map {
                    let key = key.replace('~', "~0").replace('/', "~1");
                    markers(item, &format!("{at}/{key}"), found);
                }
            }
            _ => {}
        }
    }

    #[test]
    fn the_spec_has_no_import_placeholders_left() {
        let mut found = Vec::new();
        markers(&spec(), "", &mut found);
        assert!(
            found.is_empty(),
            "spec/openapi.json has {} `TODO(import)` placeholder(s) left by `cargo xtask sync-spec --import`: \
             write each text in our own words (they become the docs and the CLI's help), then \
             `cargo xtask sync-spec --check` passes. At:\n{}",
            found.len(),
            found.join("\n")
        );
    }

    #[test]
    fn every_operation_is_found_by_its_method_name_and_its_operation_id() {
        let in_spec: usize = spec()["paths"]
            .as_object()
            .unwrap()
            .values()
            .map(|item| item.as_object().unwrap().len())
            .sum();
        assert_eq!(OPERATIONS.len(), in_spec);
        for (index, op) in OPERATIONS.iter().enumerate() {
            assert_eq!(index_of(op.id), Some(index), "{}", op.id);
            assert_eq!(find(op.id).unwrap().operation_id, op.operation_id);
            assert_eq!(by_operation_id(op.operation_id).unwrap().id, op.id);
        }
        assert!(find("no_such_operation").is_none());
    }

    #[test]
    fn every_path_parameter_is_in_the_path_and_required() {
        for op in OPERATIONS {
            let placeholders = op
                .path
                .split('/')
                .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')));
            for name in placeholders {
                let param = op
                    .param(name)
                    .unwrap_or_else(|| panic!("{}: {name}", op.id));
                assert_eq!(param.location, Location::Path, "{}: {name}", op.id);
                assert!(param.required, "{}: {name}", op.id);
            }
            for param in op.params.iter().filter(|p| p.location == Location::Path) {
                assert!(
                    op.param_index(param.name).is_some(),
                    "{}: {}",
                    op.id,
                    param.name
                );
            }
            for param in op.params {
                assert!(!param.description.is_empty(), "{}: {}", op.id, param.name);
            }
            assert!(!op.summary.is_empty(), "{}", op.id);
        }
    }

    #[test]
    fn bodies_go_with_writes_and_lists_are_gets() {
        for op in OPERATIONS {
            if op.body.is_some() {
                assert!(matches!(op.method, "POST" | "PATCH" | "PUT"), "{}", op.id);
            }
            if op.is_paged() {
                assert_eq!(op.method, "GET", "{}", op.id);
            }
        }
        let backup = find("create_backup").unwrap().body.unwrap();
        assert_eq!(
            (backup.schema, backup.required),
            ("CreateBackupRequest", true)
        );
        assert!(find("get_install").unwrap().body.is_none());
        let usage = find("get_account_usage_metrics").unwrap();
        assert_eq!(usage.param("first_date").unwrap().kind, ParamKind::Date);
        assert_eq!(usage.param("offset").unwrap().kind, ParamKind::String);
    }

    #[test]
    fn a_job_is_polled_by_a_get_of_the_table() {
        for op in OPERATIONS {
            if let Some(job) = op.job {
                let poll = by_operation_id(job.poll).unwrap();
                assert_eq!(poll.method, "GET", "{} polls {}", op.id, job.poll);
            }
        }
    }

    #[test]
    fn every_accepted_answer_goes_with_a_job_or_what_follows_it() {
        for op in OPERATIONS {
            if op.success_status == 202 {
                assert!(
                    op.job.is_some() || op.accepted.is_some(),
                    "{}: a 202 needs x-wpe-job or x-wpe-accepted",
                    op.id
                );
            }
            if let Some(follow) = op.accepted.and_then(|a| a.follow) {
                assert_eq!(by_operation_id(follow).unwrap().method, "GET", "{}", op.id);
            }
        }
        let copy = find("copy_install").unwrap();
        assert!(copy.destructive && !copy.accepted.unwrap().resend);
        assert_eq!(copy.target, Some("destination_environment_id"));
    }

    #[test]
    fn the_full_replacements_are_marked_and_only_writes_that_are_not_destructive() {
        for op in OPERATIONS {
            if let Some(reason) = op.replaces {
                assert_ne!(op.method, "GET", "{}", op.id);
                assert!(!op.destructive, "{}", op.id);
                assert!(reason.ends_with('.') && reason.len() > 20, "{}", op.id);
            }
        }
        // A PUT replaces the whole resource, and the POST of offload settings
        // the whole configuration; their PATCH twin changes what it carries.
        for op in OPERATIONS.iter().filter(|op| op.method == "PUT") {
            assert!(op.replaces.is_some(), "{}: a PUT replaces", op.id);
        }
        for id in [
            "update_offload_settings",
            "update_account_user",
            "update_sftp_user",
            "update_cache_exclusions",
        ] {
            assert!(find(id).unwrap().replaces.is_some(), "{id}");
        }
        for id in ["patch_offload_settings", "create_backup", "update_site"] {
            assert!(find(id).unwrap().replaces.is_none(), "{id}");
        }
    }

    #[test]
    fn a_rate_limit_with_a_body_condition_needs_that_field_value() {
        let limit = find("purge_cache").unwrap().rate_limit.unwrap();
        assert!(limit.applies_to(br#"{"type": "object"}"#));
        assert!(!limit.applies_to(br#"{"type": "page"}"#));
        assert!(!limit.applies_to(br#"{"kind": "object"}"#));
        assert!(!limit.applies_to(b"not json"));
        let check = find("check_status").unwrap().rate_limit.unwrap();
        assert!(check.applies_to(b""));
    }
}
