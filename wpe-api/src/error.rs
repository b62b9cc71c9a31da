//! The error of every operation, and typed access to the API's error body.
//!
//! Every answer with an error status (4xx, 5xx) is an
//! [`Error::ErrorResponse`], whatever its body: the API's own JSON error, API
//! Gateway's `{"message": "Missing Authentication Token"}`, a CDN's HTML
//! page, an empty body, `problem+json`, plain text. Its status is always
//! there ([`Error::status`]), the API's error body when the server sent
//! one ([`Error::api_error`]), and its message names the status and
//! the start of the body:
//!
//! ```text
//! 502 Bad Gateway: <html><head><title>502 Bad Gateway</title></head> ... (a gateway in front of the API failed: try again later)
//! 404 Not Found: LargeFS settings not found
//! ```

use std::fmt;

use progenitor_client::ResponseValue;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;

pub use crate::transport::CommunicationFailure;
use crate::types::ErrorResponse;

/// How many characters of a body an error message quotes.
const EXCERPT_CHARS: usize = 160;

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
    /// No answer arrived, or its body broke off: the connection was refused
    /// or reset, or a timeout passed. reqwest's error tells which
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
    #[error("{response}: the body does not match the spec ({source}); if the API changed, update wpe-api")]
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
}

/// An answer that made a call fail: its status, headers and body.
pub struct FailedResponse {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
    api_error: Option<ErrorResponse>,
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

    /// The body as it arrived.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The API's error body, when the body is one (JSON with a `message`).
    pub fn api_error(&self) -> Option<&ErrorResponse> {
        self.api_error.as_ref()
    }

    /// The start of the body as text, runs of whitespace made one space,
    /// cut at 160 characters (`...` then marks the cut).
    pub fn excerpt(&self) -> String {
        let text = String::from_utf8_lossy(&self.body);
        let mut words = text.split_whitespace();
        let mut out = String::new();
        for word in words.by_ref() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(word);
            if out.chars().count() >= EXCERPT_CHARS {
                break;
            }
        }
        let cut = out.chars().count() > EXCERPT_CHARS || words.next().is_some();
        if cut {
            out = out.chars().take(EXCERPT_CHARS).collect();
            out.push_str(" ...");
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
                write!(f, ": {}", body.message)?;
                for field in &body.errors {
                    let name = field.field.as_deref().unwrap_or("request");
                    let message = field.message.as_deref().unwrap_or("invalid");
                    write!(f, "; {name}: {message}")?;
                }
            }
            None if self.body.is_empty() => write!(f, " (empty body)")?,
            None if self.status.is_client_error() || self.status.is_server_error() => {
                write!(f, ": {}", self.excerpt())?
            }
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
            .field("api_error", &self.api_error)
            .finish()
    }
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
        | Generated::ResponseBodyError(err) => {
            Error::CommunicationError(CommunicationFailure::new(err, operation))
        }
        // The build hands progenitor no error responses, so every error
        // answer arrives here undecoded, whatever its body.
        Generated::UnexpectedResponse(response) => {
            let status = response.status();
            let headers = response.headers().clone();
            let body = match response.bytes().await {
                Ok(body) => body.to_vec(),
                Err(err) => {
                    let failure = CommunicationFailure::new(err, operation);
                    return Err(Error::CommunicationError(failure));
                }
            };
            let response = Box::new(FailedResponse::new(status, headers, body));
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

impl Error {
    /// The answer behind the error, when one arrived.
    pub fn response(&self) -> Option<&FailedResponse> {
        match self {
            Error::ErrorResponse(response) | Error::UnexpectedResponse(response) => Some(response),
            Error::InvalidResponsePayload { response, .. } => Some(response),
            Error::InvalidRequest(_) | Error::CommunicationError(_) => None,
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
