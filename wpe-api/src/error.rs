//! The error type of every operation, and typed access to the API's error body.

use crate::types::ErrorResponse;

/// The error of every API call: the API's error body, a transport failure,
/// a request refused before sending, or a response that did not parse.
pub type Error = progenitor_client::Error<ErrorResponse>;

/// Typed access to what the API said when a call failed.
///
/// ```
/// use wpe_api::ApiErrorExt;
/// fn explain(err: &wpe_api::Error) -> String {
///     match err.api_error() {
///         Some(body) => format!("{}: {}", err.status().map(|s| s.as_u16()).unwrap_or(0), body.message),
///         None => err.to_string(),
///     }
/// }
/// ```
pub trait ApiErrorExt {
    /// The API's error body (message, documentation URL, field errors), when the server sent one.
    fn api_error(&self) -> Option<&ErrorResponse>;
    /// The HTTP status of the response, when there was one.
    fn status(&self) -> Option<reqwest::StatusCode>;
    /// How many attempts the call made, when its last attempt got an answer
    /// (read from the `wpe-api-attempts` header the retry hook adds). A
    /// transport failure (`Error::CommunicationError`) has no answer to carry
    /// it: its attempts are in the `wpe_api.request` span (see [`crate::retry`]).
    fn attempts(&self) -> Option<u32>;
    /// The field errors of a rejected request (usually a 400), empty when there are none.
    fn field_errors(&self) -> &[crate::types::ResourceError] {
        self.api_error()
            .map(|body| body.errors.as_slice())
            .unwrap_or_default()
    }
}

impl ApiErrorExt for Error {
    fn api_error(&self) -> Option<&ErrorResponse> {
        match self {
            progenitor_client::Error::ErrorResponse(response) => Some(response.as_ref()),
            _ => None,
        }
    }

    fn status(&self) -> Option<reqwest::StatusCode> {
        progenitor_client::Error::status(self)
    }

    fn attempts(&self) -> Option<u32> {
        let headers = match self {
            progenitor_client::Error::ErrorResponse(response) => response.headers(),
            progenitor_client::Error::UnexpectedResponse(response) => response.headers(),
            _ => return None,
        };
        // The retry hook marks only answers that took more than one attempt.
        match headers.get(crate::retry::ATTEMPTS_HEADER) {
            None => Some(1),
            Some(value) => value.to_str().ok()?.parse().ok(),
        }
    }
}
