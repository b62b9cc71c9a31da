//! The error of every operation, and typed access to the API's error body.
//!
//! Every answer with an error status (4xx, 5xx) is an
//! [`Error::ErrorResponse`], whatever its body: the API's own JSON error, API
//! Gateway's `{"message": "Missing Authentication Token"}`, a CDN's HTML
//! page, an empty body, `problem+json`, plain text, a body cut off or far
//! too large. Its status is always there ([`Error::status`]), the API's
//! error body when the server sent one ([`Error::api_error`]), and its
//! message names the status and the start of the body:
//!
//! ```text
//! 502 Bad Gateway: <html><head><title>502 Bad Gateway</title></head> ... (a gateway in front of the API failed: try again later)
//! 404 Not Found: LargeFS settings not found
//! 409 Conflict: {"message": "install is busy, try [the body broke off after 33 of 200 bytes]
//! ```
//!
//! # Bodies are bounded
//!
//! The client reads at most
//! [`max_body_bytes`](crate::ClientBuilder::max_body_bytes) of a success
//! (default 64 MiB, [`DEFAULT_MAX_BODY_BYTES`](crate::config::DEFAULT_MAX_BODY_BYTES))
//! and keeps at most
//! [`max_error_body_bytes`](crate::ClientBuilder::max_error_body_bytes) of
//! any other answer (default 1 MiB,
//! [`DEFAULT_MAX_ERROR_BODY_BYTES`](crate::config::DEFAULT_MAX_ERROR_BODY_BYTES)),
//! so memory stays near the caps whatever a server sends:
//!
//! - a success past its cap, or whose `Content-Length` announces more (then
//!   it is not read at all), is [`Error::ResponseTooLarge`], with the status
//!   and the first 4 KiB of the body; it is not retried.
//! - an error answer past its cap keeps its status and the first
//!   `max_error_body_bytes` of its body, marked [`BodyCut::TooLarge`]; one
//!   whose body breaks off (connection closed or reset, or the client's
//!   timeout) keeps its status and what arrived, marked
//!   [`BodyCut::BrokeOff`] ([`FailedResponse::cut`]).
//! - a body that keeps streaming is ended by the cap or the client's
//!   timeout ([`crate::ClientBuilder::timeout`] covers the body), whichever
//!   comes first.
//!
//! What an error prints is bounded and inert: the API's message is cut at
//! 300 characters, a field error's name at 100 and its message at 200, the
//! excerpt of a body at 160 (from its first 4 KiB), at most 10 field errors
//! are listed, and control characters (terminal escape sequences among
//! them) and bidirectional overrides are shown escaped (`\u{1b}`), never
//! written as they are. [`FailedResponse::body`] and [`Error::api_error`]
//! keep what the server sent, unchanged.

use std::fmt;

use progenitor_client::ResponseValue;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;

pub use crate::transport::CommunicationFailure;
use crate::types::ErrorResponse;

/// How many characters of a body an error message quotes.
const EXCERPT_CHARS: usize = 160;
/// How many bytes of a body the excerpt looks at.
const EXCERPT_SCAN_BYTES: usize = 4096;
/// How many characters of the API's message an error message quotes.
const MESSAGE_CHARS: usize = 300;
/// How many characters of a field error's name an error message quotes.
const FIELD_NAME_CHARS: usize = 100;
/// How many characters of a field error's message an error message quotes.
const FIELD_MESSAGE_CHARS: usize = 200;
/// How many field errors an error message lists.
const FIELD_ERRORS: usize = 10;

/// The error of every API call.
///
/// The same failure is the same variant however it came about: with or
/// without retries, from a typed call, a page stream or a waiter.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The call was refused before anything was sent: a required parameter
    /// was not set, or a value broke the spec's rules (the message says which).
    #[error("request not sent: {0}")]
    InvalidRequest(String),
    /// No answer arrived, or a success's body broke off (an error answer
    /// whose body breaks off keeps its status: [`FailedResponse::cut`]): the
    /// connection was refused or reset, or a timeout passed. reqwest's error tells which
    /// (`is_connect()`, `is_timeout()`, through [`CommunicationFailure`]).
    /// The message says what to do; for an operation that may have taken
    /// effect (a `POST` or `PATCH`), how to check whether it did before
    /// trying again.
    #[error(transparent)]
    CommunicationError(CommunicationFailure),
    /// The API, or a gateway in front of it, answered with an error status.
    #[error("{0}")]
    ErrorResponse(Box<FailedResponse>),
    /// A successful answer whose body does not match the spec: the API sent
    /// something this client version does not understand.
    #[error("{response}: the body does not match the spec ({}); if the API changed, update wpe-api", clean(&.source.to_string(), MESSAGE_CHARS))]
    InvalidResponsePayload {
        /// The answer; its headers are not kept.
        response: Box<FailedResponse>,
        /// Where and why decoding failed.
        #[source]
        source: serde_json::Error,
    },
    /// An answer with a status the spec does not list for the operation
    /// (a redirect, or a success code other than the documented one).
    #[error("{0}: a status the spec does not list for this operation")]
    UnexpectedResponse(Box<FailedResponse>),
    /// A successful answer whose body passes the client's cap
    /// ([`crate::ClientBuilder::max_body_bytes`], 64 MiB unless set): the
    /// rest is not read, and the call is not retried. The response keeps
    /// the status, the headers, the first 4 KiB of the body and the cap
    /// ([`FailedResponse::cut`]).
    #[error("{0}: the answer passes the client's limit of {limit}; if the API really sends answers this large, raise it with ClientBuilder::max_body_bytes", limit = .0.limit_text())]
    ResponseTooLarge(Box<FailedResponse>),
    /// A page stream could not yield the whole list: the server's pages and
    /// its `count` disagree, or its pages stopped bringing new items (see
    /// [`crate::paginate`]). The items before the error were yielded.
    #[error("{0}")]
    PageMismatch(crate::paginate::PageMismatch),
    /// Not sent: the call falls under a per-install rate limit, and its
    /// turn is further away than the client waits
    /// ([`RetryPolicy::max_wait`](crate::retry::RetryPolicy::max_wait)).
    /// Whether that was clear before waiting or became clear while the call
    /// waited behind another, it is this variant, and nothing was sent.
    ///
    /// A `429` the API answers is a different failure (a request went out
    /// and the API refused it): an [`Error::ErrorResponse`] with its status.
    /// [`Error::retry_after`] tells how long to wait for either.
    #[error("{0}")]
    RateLimited(RateLimited),
}

/// A call the client did not send because its per-install turn is too far
/// away ([`Error::RateLimited`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimited {
    pub(crate) operation: &'static str,
    pub(crate) limit: &'static str,
    pub(crate) interval: std::time::Duration,
    pub(crate) retry_after: std::time::Duration,
    pub(crate) calls_ahead: usize,
    pub(crate) max_wait: std::time::Duration,
}

impl RateLimited {
    /// The operation, as its method on the client names it (`purge_cache`).
    pub fn operation(&self) -> &'static str {
        self.operation
    }

    /// The limit, by its name in the spec (`object-cache-purge`).
    pub fn limit(&self) -> &'static str {
        self.limit
    }

    /// The spacing the client keeps between two calls of the limit for one install.
    pub fn interval(&self) -> std::time::Duration {
        self.interval
    }

    /// How long until the call could go: exact when no other call of the
    /// install was ahead of it, otherwise at least this long (see
    /// [`RateLimited::calls_ahead`]).
    pub fn retry_after(&self) -> std::time::Duration {
        self.retry_after
    }

    /// How many calls of the install held the turn or waited for it ahead
    /// of this one.
    pub fn calls_ahead(&self) -> usize {
        self.calls_ahead
    }

    /// The longest the client waits for a turn, which this one passed.
    pub fn max_wait(&self) -> std::time::Duration {
        self.max_wait
    }
}

impl fmt::Display for RateLimited {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let seconds = ceil_seconds(self.retry_after);
        write!(
            f,
            "{} not sent: the API allows it once every {} s per install ({}), and this \
             install's turn is {}{seconds} s away, longer than the client waits ({} s); \
             call again in {seconds} s",
            self.operation,
            ceil_seconds(self.interval),
            self.limit,
            if self.calls_ahead > 0 {
                "at least "
            } else {
                ""
            },
            ceil_seconds(self.max_wait),
        )
    }
}

/// Whole seconds, rounded up: what "wait N s" must say so that waiting N s is enough.
pub(crate) fn ceil_seconds(duration: std::time::Duration) -> u64 {
    duration
        .as_secs()
        .saturating_add(u64::from(duration.subsec_nanos() > 0))
}

/// Why the body a [`FailedResponse`] keeps is not all the server meant to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BodyCut {
    /// The body passed the client's cap: what was read up to it is kept
    /// (the first 4 KiB of a success; nothing when the `Content-Length`
    /// alone announced more than the cap), the rest was not read.
    TooLarge {
        /// The cap, in bytes.
        limit: u64,
        /// The length the `Content-Length` header announced, if any.
        declared: Option<u64>,
    },
    /// The body ended early: the connection was closed or reset, or the
    /// client's timeout passed. What arrived is kept.
    BrokeOff {
        /// How many bytes arrived.
        after: u64,
        /// The length the `Content-Length` header announced, if any.
        declared: Option<u64>,
        /// Whether the client's timeout ended it.
        timed_out: bool,
    },
}

impl fmt::Display for BodyCut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            BodyCut::TooLarge { limit, declared } => {
                write!(f, "body cut at {}", size_text(limit))?;
                if let Some(declared) = declared {
                    write!(f, " of {declared} bytes")?;
                }
                Ok(())
            }
            BodyCut::BrokeOff {
                after,
                declared,
                timed_out,
            } => {
                let how = if timed_out { "timed out" } else { "broke off" };
                write!(f, "the body {how} after {after}")?;
                if let Some(declared) = declared {
                    write!(f, " of {declared}")?;
                }
                write!(f, " bytes")
            }
        }
    }
}

/// A size as people read it: whole MiB or KiB when it is one, else bytes.
fn size_text(bytes: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * 1024;
    match bytes {
        0 => "0 bytes".to_owned(),
        b if b % MIB == 0 => format!("{} MiB", b / MIB),
        b if b % KIB == 0 => format!("{} KiB", b / KIB),
        b => format!("{b} bytes"),
    }
}

/// An answer that made a call fail: its status, headers and body.
pub struct FailedResponse {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
    api_error: Option<ErrorResponse>,
    cut: Option<BodyCut>,
}

impl FailedResponse {
    pub(crate) fn new(status: StatusCode, headers: HeaderMap, body: Vec<u8>) -> Self {
        let api_error = if status.is_client_error() || status.is_server_error() {
            serde_json::from_slice(&body).ok()
        } else {
            None
        };
        Self {
            status,
            headers,
            body,
            api_error,
            cut: None,
        }
    }

    /// The same response, marked as not holding the whole body.
    pub(crate) fn with_cut(mut self, cut: Option<BodyCut>) -> Self {
        self.cut = cut;
        self
    }

    /// Why the body is not all the server meant to send, when it is not
    /// (too large for the client's cap, or broken off).
    pub fn cut(&self) -> Option<BodyCut> {
        self.cut
    }

    /// The cap a too-large body passed, as people read it.
    fn limit_text(&self) -> String {
        match self.cut {
            Some(BodyCut::TooLarge { limit, .. }) => size_text(limit),
            _ => "the client's cap".to_owned(),
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers (empty for [`Error::InvalidResponsePayload`]).
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The body as it arrived, up to the client's cap ([`FailedResponse::cut`]
    /// says when it is not all of it).
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The API's error body, when the body is one (JSON with a `message`),
    /// as the server sent it: print it through the error's `Display` to have
    /// it bounded and its control characters escaped.
    pub fn api_error(&self) -> Option<&ErrorResponse> {
        self.api_error.as_ref()
    }

    /// The start of the body as text: runs of whitespace made one space,
    /// control characters escaped (`\u{1b}`), cut at 160 characters (`...`
    /// then marks the cut). Only the first 4 KiB of the body are looked at.
    pub fn excerpt(&self) -> String {
        let scanned = &self.body[..self.body.len().min(EXCERPT_SCAN_BYTES)];
        let text = lossy_prefix(scanned, scanned.len() < self.body.len());
        let mut out = clean(&text, EXCERPT_CHARS);
        if scanned.len() < self.body.len() && !out.ends_with("...") {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str("...");
        }
        out
    }

    /// The attempts the retry hook marked on the answer (none: one attempt).
    fn attempts(&self) -> Option<u32> {
        match self.headers.get(crate::retry::ATTEMPTS_HEADER) {
            None => Some(1),
            Some(value) => value.to_str().ok()?.parse().ok(),
        }
    }

    /// What to do about this answer, when its status says (the text in
    /// brackets at the end of the error's message): for a 401, to check the
    /// credentials; for a 429, to wait.
    pub fn hint(&self) -> Option<&'static str> {
        let message = self.api_error.as_ref().map(|body| body.message.as_str());
        match self.status.as_u16() {
            401 => Some("check the API username and password (made on the API Access page of WP Engine's User Portal)"),
            403 if message == Some("Missing Authentication Token") => Some(
                "API Gateway's answer for a route it does not know: check that the base URL ends in /v1 and that the API offers this operation",
            ),
            429 => Some("the API's rate limit: wait before calling again"),
            502..=504 if self.api_error.is_none() => {
                Some("a gateway in front of the API failed: try again later")
            }
            _ => None,
        }
    }
}

impl fmt::Display for FailedResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.status)?;
        match &self.api_error {
            Some(body) => {
                write!(f, ": {}", clean(&body.message, MESSAGE_CHARS))?;
                for field in body.errors.iter().take(FIELD_ERRORS) {
                    let name = field.field.as_deref().unwrap_or("request");
                    let message = field.message.as_deref().unwrap_or("invalid");
                    write!(
                        f,
                        "; {}: {}",
                        clean(name, FIELD_NAME_CHARS),
                        clean(message, FIELD_MESSAGE_CHARS)
                    )?;
                }
                if let Some(more) = body
                    .errors
                    .len()
                    .checked_sub(FIELD_ERRORS)
                    .filter(|n| *n > 0)
                {
                    write!(f, "; and {more} more field errors")?;
                }
            }
            None if self.body.is_empty() && self.cut.is_none() => write!(f, " (empty body)")?,
            None if self.body.is_empty() => {}
            None if self.status.is_client_error()
                || self.status.is_server_error()
                || self.cut.is_some() =>
            {
                match self.excerpt() {
                    excerpt if excerpt.is_empty() => write!(f, " (blank body)")?,
                    excerpt => write!(f, ": {excerpt}")?,
                }
            }
            None => {}
        }
        match self.cut {
            Some(BodyCut::TooLarge {
                declared: Some(declared),
                ..
            }) if self.body.is_empty() => write!(f, " [a body of {declared} bytes, not read]")?,
            Some(cut) => write!(f, " [{cut}]")?,
            None => {}
        }
        if let Some(attempts) = self.attempts().filter(|n| *n > 1) {
            write!(f, " [after {attempts} attempts]")?;
        }
        if let Some(hint) = self.hint() {
            write!(f, " ({hint})")?;
        }
        Ok(())
    }
}

impl fmt::Debug for FailedResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FailedResponse")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body", &self.excerpt())
            .field("cut", &self.cut)
            .field(
                "api_error",
                &self.api_error.as_ref().map(|body| ApiErrorSummary {
                    message: clean(&body.message, MESSAGE_CHARS),
                    errors: body.errors.len(),
                }),
            )
            .finish()
    }
}

/// What `Debug` shows of the API's error body: the message bounded and
/// escaped, and how many field errors there are.
#[derive(Debug)]
#[allow(dead_code)] // Read by `Debug` only.
struct ApiErrorSummary {
    message: String,
    errors: usize,
}

/// `text` on one line and safe for a terminal: runs of whitespace made one
/// space (none at either end), control characters and bidirectional
/// controls escaped (`\u{1b}`), cut at `max_chars` characters (` ...` then
/// marks the cut). Stops reading `text` at the cut.
fn clean(text: &str, max_chars: usize) -> String {
    let mut out = String::new();
    let mut chars = 0;
    let mut space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if chars >= max_chars {
            out.push_str(" ...");
            return out;
        }
        if space && chars > 0 {
            out.push(' ');
            chars += 1;
        }
        space = false;
        if is_unsafe(c) {
            for escaped in c.escape_unicode() {
                out.push(escaped);
                chars += 1;
            }
        } else {
            out.push(c);
            chars += 1;
        }
    }
    out
}

/// A character a terminal acts on rather than shows: C0 and C1 controls,
/// DEL, and the bidirectional controls that reorder the text around them.
fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `bytes` as text, invalid UTF-8 replaced; when `cut` (the bytes are the
/// start of a longer body), a character the cut split is left out rather
/// than shown as invalid.
fn lossy_prefix(bytes: &[u8], cut: bool) -> std::borrow::Cow<'_, str> {
    let mut end = bytes.len();
    if cut {
        if let Err(err) = std::str::from_utf8(&bytes[end.saturating_sub(4)..]) {
            if err.error_len().is_none() {
                end = end.saturating_sub(4) + err.valid_up_to();
            }
        }
    }
    String::from_utf8_lossy(&bytes[..end])
}

/// Turns what a generated `send` returned into the crate's [`Error`]
/// (called by every builder's `send`; see `build/client.rs`).
pub(crate) async fn finish<T>(
    result: Result<ResponseValue<T>, progenitor_client::Error<()>>,
    operation: &'static str,
) -> Result<ResponseValue<T>, Error> {
    use progenitor_client::Error as Generated;
    let err = match result {
        Ok(value) => return Ok(value),
        Err(err) => err,
    };
    Err(match err {
        Generated::InvalidRequest(message) | Generated::Custom(message) => {
            Error::InvalidRequest(message)
        }
        Generated::CommunicationError(err)
        | Generated::InvalidUpgrade(err)
        | Generated::ResponseBodyError(err) => match crate::body::TooLarge::find(&err) {
            Some(too_large) => too_large_error(too_large),
            None => Error::CommunicationError(CommunicationFailure::new(err, operation)),
        },
        // The build hands progenitor no error responses, so every error
        // answer arrives here undecoded, whatever its body. The exec hook
        // has read its body already, within the caps, and marked a cut.
        Generated::UnexpectedResponse(response) => {
            // A call the exec hook did not send: the answer it made up in
            // its place carries why.
            if let Some(refused) = response.extensions().get::<RateLimited>() {
                return Err(Error::RateLimited(refused.clone()));
            }
            let status = response.status();
            let headers = response.headers().clone();
            let cut = response.extensions().get::<BodyCut>().copied();
            let response = match response.bytes().await {
                Ok(body) => FailedResponse::new(status, headers, body.into()).with_cut(cut),
                Err(err) => match crate::body::TooLarge::find(&err) {
                    Some(too_large) => return Err(too_large_error(too_large)),
                    // An answer arrived: its status stays, whatever its body did.
                    None => FailedResponse::new(status, headers, Vec::new()).with_cut(Some(
                        BodyCut::BrokeOff {
                            after: 0,
                            declared: None,
                            timed_out: err.is_timeout(),
                        },
                    )),
                },
            };
            let response = Box::new(response);
            if status.is_client_error() || status.is_server_error() {
                Error::ErrorResponse(response)
            } else {
                Error::UnexpectedResponse(response)
            }
        }
        // Only a documented success answer is decoded, so its status is the operation's.
        Generated::InvalidResponsePayload(body, source) => {
            let status = crate::operations::find(operation)
                .and_then(|op| StatusCode::from_u16(op.success_status).ok())
                .unwrap_or(StatusCode::OK);
            let response = FailedResponse::new(status, HeaderMap::new(), body.to_vec());
            Error::InvalidResponsePayload {
                response: Box::new(response),
                source,
            }
        }
        // Not produced: no error response is left for progenitor to decode.
        Generated::ErrorResponse(value) => Error::ErrorResponse(Box::new(FailedResponse::new(
            value.status(),
            value.headers().clone(),
            Vec::new(),
        ))),
    })
}

/// The error of a success body past the client's cap.
fn too_large_error(too_large: &crate::body::TooLarge) -> Error {
    let response = FailedResponse::new(
        too_large.status,
        too_large.headers.clone(),
        too_large.start.clone(),
    )
    .with_cut(Some(too_large.cut));
    Error::ResponseTooLarge(Box::new(response))
}

impl Error {
    /// The answer behind the error, when one arrived.
    pub fn response(&self) -> Option<&FailedResponse> {
        match self {
            Error::ErrorResponse(response)
            | Error::UnexpectedResponse(response)
            | Error::ResponseTooLarge(response) => Some(response),
            Error::InvalidResponsePayload { response, .. } => Some(response),
            Error::InvalidRequest(_)
            | Error::CommunicationError(_)
            | Error::PageMismatch(_)
            | Error::RateLimited(_) => None,
        }
    }

    /// How long to wait before calling again, when the failure says: the
    /// turn of an [`Error::RateLimited`], or the `Retry-After` of a `429` or
    /// `503` answer (delta-seconds, or an HTTP date counted from the
    /// system's time now). `None` for every other failure.
    ///
    /// ```
    /// let err = wpe_api::Error::InvalidRequest("install_id: not a UUID".into());
    /// assert_eq!(err.retry_after(), None);
    /// ```
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        match self {
            Error::RateLimited(refused) => Some(refused.retry_after),
            Error::ErrorResponse(response) if matches!(response.status.as_u16(), 429 | 503) => {
                crate::retry::retry_after_header(&response.headers, chrono::Utc::now())
            }
            _ => None,
        }
    }

    /// The API's error body (message, documentation URL, field errors), when the server sent one.
    pub fn api_error(&self) -> Option<&ErrorResponse> {
        match self {
            Error::ErrorResponse(response) => response.api_error(),
            _ => None,
        }
    }

    /// The HTTP status of the response, whenever a response arrived.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::CommunicationError(err) => err.status(),
            _ => self.response().map(FailedResponse::status),
        }
    }

    /// How many attempts the call made, when its last attempt got an error
    /// answer (read from the `wpe-api-attempts` header the retry hook adds).
    /// A transport failure (`Error::CommunicationError`) has no answer to
    /// carry it: its attempts are in the `wpe_api.request` span (see
    /// [`crate::retry`]).
    pub fn attempts(&self) -> Option<u32> {
        match self {
            Error::ErrorResponse(response) | Error::UnexpectedResponse(response) => {
                response.attempts()
            }
            _ => None,
        }
    }

    /// What to do about the answer, when its status says (see
    /// [`FailedResponse::hint`]); `None` when no answer arrived.
    ///
    /// ```
    /// let err = wpe_api::Error::InvalidRequest("install_id: not a UUID".into());
    /// assert_eq!(err.hint(), None);
    /// ```
    pub fn hint(&self) -> Option<&'static str> {
        self.response().and_then(FailedResponse::hint)
    }

    /// The field errors of a rejected request (usually a 400), empty when there are none.
    pub fn field_errors(&self) -> &[crate::types::ResourceError] {
        self.api_error()
            .map(|body| body.errors.as_slice())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_escapes_controls_collapses_whitespace_and_cuts() {
        assert_eq!(clean("  a\u{1b}[1m \n\t b  ", 100), "a\\u{1b}[1m b");
        assert_eq!(clean("\u{202e}x\u{7f}", 100), "\\u{202e}x\\u{7f}");
        assert_eq!(clean("abcdef", 3), "abc ...");
        assert_eq!(clean("abc   ", 3), "abc");
    }

    #[test]
    fn an_excerpt_does_not_show_a_character_its_scan_split() {
        let mut body = vec![b' '; EXCERPT_SCAN_BYTES - 1];
        body.extend_from_slice("é and more".as_bytes());
        let response = FailedResponse::new(StatusCode::BAD_GATEWAY, HeaderMap::new(), body);
        assert_eq!(response.excerpt(), "...");
    }
}
