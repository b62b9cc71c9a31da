//! Any operation by name, from text values and a JSON body, through its
//! typed builder: the dispatcher a command line (or a script runner) needs.
//!
//! The code that picks and sets each builder is generated from the spec by
//! `build/table.rs`, one function per operation; nothing here lists
//! operations by hand.

use std::collections::BTreeMap;

use futures::stream::{Stream, StreamExt};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{Operation, Param, ParamKind, OPERATIONS};
use crate::paginate::{PageOptions, PageStream, Paginate};
use crate::{builder, Client, Error};

/// The parameter values of one call, as text (as a command line gives
/// them), by parameter name (`install_id`, `limit`, ...).
///
/// ```
/// let args = wpe_api::operations::Args::new()
///     .with("install_id", "294deacc-d8b8-4005-82c4-0727ba8ddde0")
///     .with("limit", "10");
/// assert_eq!(args.get("limit"), Some("10"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Args {
    values: BTreeMap<String, String>,
}

impl Args {
    /// No values.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets parameter `name` to `value` (replacing an earlier value).
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.values.insert(name.into(), value.into());
        self
    }

    /// These values with parameter `name` set to `value`.
    pub fn with(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.set(name, value);
        self
    }

    /// The value of parameter `name`, if set.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// The names and values set, by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The value of `op`'s parameter `name` as the type its builder's setter
    /// takes, checked as the type checks it (a UUID, a bounded page size, a
    /// date, ...); `None` when it is not set.
    fn typed<T: DeserializeOwned>(&self, op: &Operation, name: &str) -> Result<Option<T>, Error> {
        let Some(text) = self.get(name) else {
            return Ok(None);
        };
        let param = op
            .param(name)
            .ok_or_else(|| Error::InvalidRequest(format!("{}: no parameter `{name}`", op.id)))?;
        let json = as_json(param, text)?;
        serde_json::from_value(json).map(Some).map_err(|err| {
            Error::InvalidRequest(format!(
                "{} ({}): `{text}` is not accepted: {err}",
                param.name,
                param.flag()
            ))
        })
    }

    /// Refuses names `op` has no parameter for, and required parameters not set.
    fn check(&self, op: &Operation) -> Result<(), Error> {
        if let Some((name, _)) = self.iter().find(|(name, _)| op.param(name).is_none()) {
            let known: Vec<&str> = op.params.iter().map(|p| p.name).collect();
            return Err(Error::InvalidRequest(format!(
                "{} has no parameter `{name}` (it has: {})",
                op.id,
                if known.is_empty() {
                    "none".to_owned()
                } else {
                    known.join(", ")
                }
            )));
        }
        if let Some(missing) = op
            .params
            .iter()
            .find(|p| p.required && self.get(p.name).is_none())
        {
            return Err(Error::InvalidRequest(format!(
                "{} needs {} ({}): {}",
                op.id,
                missing.name,
                missing.flag(),
                missing.description
            )));
        }
        Ok(())
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for Args {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut args = Self::new();
        for (name, value) in iter {
            args.set(name, value);
        }
        args
    }
}

/// Sends `op` with these parameter values and JSON body through the
/// operation's typed builder (so through the same checks as typed code, and
/// through the retry hook), and returns the answer's body as JSON: the
/// typed value the client decoded, encoded back; `None` when the operation
/// answers without a body (a 202 or a 204).
///
/// Refused before anything is sent, as [`Error::InvalidRequest`]: a name
/// the operation has no parameter for, a required parameter or body
/// missing, a body given to an operation that takes none, a value that does
/// not parse as its kind (the message names the parameter and its flag,
/// `--install-id`), a body that does not match its schema (the message
/// names the field). For a list this sends one request (one page); see
/// [`stream`] for every item.
///
/// ```no_run
/// use wpe_api::operations::{self, Args};
///
/// # async fn run(client: &wpe_api::Client) -> Result<(), wpe_api::Error> {
/// let get = operations::find("get_install").unwrap();
/// let args = Args::new().with("install_id", "294deacc-d8b8-4005-82c4-0727ba8ddde0");
/// let install = operations::call(client, get, &args, None).await?.unwrap();
/// println!("{}", install["name"]);
///
/// let purge = operations::find("purge_cache").unwrap();
/// let body = serde_json::json!({"type": "page"});
/// assert!(operations::call(client, purge, &args, Some(body)).await?.is_none());
/// # Ok(()) }
/// ```
pub async fn call(
    client: &Client,
    op: &Operation,
    args: &Args,
    body: Option<Value>,
) -> Result<Option<Value>, Error> {
    args.check(op)?;
    match (&op.body, &body) {
        (None, Some(_)) => {
            return Err(Error::InvalidRequest(format!(
                "{} takes no request body",
                op.id
            )))
        }
        (Some(expected), None) if expected.required => {
            return Err(Error::InvalidRequest(format!(
                "{} needs a JSON request body ({})",
                op.id, expected.schema
            )))
        }
        _ => {}
    }
    send_typed(client, op, args, body).await
}

/// Every item of a paged operation's list (one with `x-wpe-paging`, see
/// [`Operation::is_paged`]), each as JSON, walked by the typed builder's
/// [`Paginate`] stream: pages fetched concurrently as `options` says, items
/// in API order and printed as they come, memory independent of the
/// list's length. `limit` in `args` is the page size unless `options` sets
/// one ([`PageOptions::page_size`]); `offset` is where the walk starts.
///
/// Refused as [`Error::InvalidRequest`] for an operation that is not a
/// list, and for values [`call`] would refuse.
///
/// ```no_run
/// use futures::TryStreamExt;
/// use wpe_api::operations::{self, Args};
/// use wpe_api::PageOptions;
///
/// # async fn run(client: &wpe_api::Client) -> Result<(), wpe_api::Error> {
/// let list = operations::find("list_installs").unwrap();
/// let mut installs = operations::stream(client, list, &Args::new(), PageOptions::default())?;
/// while let Some(install) = installs.try_next().await? {
///     println!("{}", install["name"]);
/// }
/// # Ok(()) }
/// ```
pub fn stream<'a>(
    client: &'a Client,
    op: &Operation,
    args: &Args,
    options: PageOptions,
) -> Result<PageStream<'a, Value>, Error> {
    if !op.is_paged() {
        return Err(not_a_list(op.id));
    }
    args.check(op)?;
    stream_typed(client, op, args, options)
}

/// `text` as the JSON value its kind reads from: a number, a boolean or a string.
fn as_json(param: &Param, text: &str) -> Result<Value, Error> {
    Ok(match param.kind {
        ParamKind::Integer { .. } => {
            let number = text
                .parse::<i64>()
                .map(Value::from)
                .or_else(|_| text.parse::<u64>().map(Value::from));
            number.map_err(|_| invalid_value(param, text, "expected a whole number"))?
        }
        ParamKind::Boolean => match text {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => return Err(invalid_value(param, text, "expected true or false")),
        },
        ParamKind::Enum(values) if !values.contains(&text) => {
            let expected = format!("expected one of {}", values.join(", "));
            return Err(invalid_value(param, text, &expected));
        }
        ParamKind::Uuid
        | ParamKind::String
        | ParamKind::Enum(_)
        | ParamKind::Date
        | ParamKind::DateTime => Value::String(text.to_owned()),
    })
}

fn invalid_value(param: &Param, text: &str, why: &str) -> Error {
    let kind = match param.kind {
        ParamKind::Uuid => "a UUID",
        ParamKind::String => "text",
        ParamKind::Integer { .. } => "a whole number",
        ParamKind::Boolean => "true or false",
        ParamKind::Enum(_) => "one of its values",
        ParamKind::Date => "a date (YYYY-MM-DD)",
        ParamKind::DateTime => "an RFC 3339 time",
    };
    Error::InvalidRequest(format!(
        "{} ({}): `{text}` is not {kind}: {why}",
        param.name,
        param.flag()
    ))
}

/// The request body as the operation's body type, or an error naming the field.
fn body_as<T: DeserializeOwned>(op: &Operation, body: Value) -> Result<T, Error> {
    serde_path_to_error::deserialize(body).map_err(|err| {
        let schema = op.body.map(|b| b.schema).unwrap_or("body");
        let path = err.path().to_string();
        // serde's messages may quote the value (`invalid type: integer
        // `12345678``); for a secret only the secret types' own messages,
        // which never hold it, are kept.
        let secret = op.body.is_some_and(|b| b.secrets.contains(&path.as_str()));
        let problem = err.into_inner().to_string();
        let problem = if secret && !problem.ends_with("(the value is not shown)") {
            "not accepted (the value is not shown)".to_owned()
        } else {
            problem
        };
        Error::InvalidRequest(format!(
            "{}: the request body is not a {schema}: {path}: {problem}",
            op.id
        ))
    })
}

/// A decoded answer encoded back to JSON.
fn to_json<T: serde::Serialize>(op: &Operation, value: T) -> Result<Value, Error> {
    serde_json::to_value(value).map_err(|err| encode_error(op.id, err))
}

/// The typed items of a page stream, each encoded back to JSON.
fn items_as_json<'a, T, S>(op_id: &'static str, items: S) -> PageStream<'a, Value>
where
    T: serde::Serialize + Send + 'a,
    S: Stream<Item = Result<T, Error>> + Send + 'a,
{
    items
        .map(move |item| {
            item.and_then(|item| serde_json::to_value(item).map_err(|err| encode_error(op_id, err)))
        })
        .boxed()
}

/// A typed value that does not encode as JSON (not produced by the
/// generated types, whose maps have string keys).
fn encode_error(op_id: &str, err: serde_json::Error) -> Error {
    let status = super::find(op_id)
        .and_then(|op| reqwest::StatusCode::from_u16(op.success_status).ok())
        .unwrap_or(reqwest::StatusCode::OK);
    Error::InvalidResponsePayload {
        response: Box::new(crate::error::FailedResponse::new(
            status,
            Default::default(),
            Vec::new(),
        )),
        source: err,
    }
}

fn unknown_operation(id: &str) -> Error {
    Error::InvalidRequest(format!(
        "no operation `{id}` (there are {} in wpe_api::operations::OPERATIONS)",
        OPERATIONS.len()
    ))
}

fn not_a_list(id: &str) -> Error {
    Error::InvalidRequest(format!("{id} is not a paged list: use operations::call"))
}

include!(concat!(env!("OUT_DIR"), "/dispatch.rs"));

/// Decodes a body as an operation's successful answer and encodes it back.
pub(super) type Decode = fn(&[u8]) -> Result<serde_json::Value, DecodeError>;

/// Why a body did not decode as an operation's answer: where, and what.
#[derive(Debug)]
pub struct DecodeError {
    path: String,
    source: serde_json::Error,
}

impl DecodeError {
    /// The field the error is about, as `results[0].status` (`.` for the body as a whole).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// serde_json's error, with its line and column.
    pub fn source_error(&self) -> &serde_json::Error {
        &self.source
    }
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.source)
    }
}

impl std::error::Error for DecodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// Decodes `body` as `T`, naming the field on failure, and encodes the value back.
pub(super) fn round_trip<T>(body: &[u8]) -> Result<serde_json::Value, DecodeError>
where
    T: serde::de::DeserializeOwned + serde::Serialize,
{
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let value: T =
        serde_path_to_error::deserialize(&mut deserializer).map_err(|e| DecodeError {
            path: e.path().to_string(),
            source: e.into_inner(),
        })?;
    deserializer.end().map_err(|source| DecodeError {
        path: ".".into(),
        source,
    })?;
    serde_json::to_value(value).map_err(|source| DecodeError {
        path: ".".into(),
        source,
    })
}

impl Operation {
    /// Decodes `body` as this operation's successful answer, as the client
    /// would, and encodes the typed value back to JSON (what the client
    /// made of it); `None` when the answer has no JSON body. An error names
    /// the field that did not decode.
    ///
    /// ```
    /// let show = wpe_api::operations::find("show_backup").unwrap();
    /// let backup = show.decode_response(
    ///     br#"{"id": "28c78b6d-c2da-4f09-85f5-1ad588089b2d", "status": "completed"}"#,
    /// ).unwrap();
    /// assert_eq!(backup.unwrap()["status"], "completed");
    /// let err = show
    ///     .decode_response(br#"{"id": "28c78b6d-c2da-4f09-85f5-1ad588089b2d", "status": 7}"#)
    ///     .unwrap()
    ///     .unwrap_err();
    /// assert_eq!(err.path(), "status");
    /// assert!(wpe_api::operations::find("purge_cache").unwrap().decode_response(b"").is_none());
    /// ```
    pub fn decode_response(&self, body: &[u8]) -> Option<Result<serde_json::Value, DecodeError>> {
        self.decode.map(|decode| decode(body))
    }
}

/// Decodes `body` as the API's error body ([`crate::types::ErrorResponse`]),
/// as the client does for every error status, and encodes it back.
///
/// ```
/// let body = wpe_api::operations::decode_error_body(br#"{"message": "Not Found"}"#).unwrap();
/// assert_eq!(body["message"], "Not Found");
/// ```
pub fn decode_error_body(body: &[u8]) -> Result<serde_json::Value, DecodeError> {
    round_trip::<crate::types::ErrorResponse>(body)
}
