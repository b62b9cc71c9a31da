//! The stand-in's answers: a success ([`Reply`]) or an error in the API's shape ([`Fail`]), and how both become HTTP responses.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

const DOCS: &str = "https://wpengineapi.com/reference";

/// A successful answer.
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    /// The body, already serialized.
    pub(crate) body: Option<String>,
}

/// A `200 OK` with a JSON body.
pub(crate) fn ok(body: impl serde::Serialize) -> Result<Reply, Fail> {
    with_status(StatusCode::OK, body)
}

/// A success with another status and a JSON body.
pub(crate) fn with_status(status: StatusCode, body: impl serde::Serialize) -> Result<Reply, Fail> {
    Ok(Reply {
        status,
        body: Some(serde_json::to_string(&body).expect("responses serialize")),
    })
}

/// A success without a body.
pub(crate) fn empty(status: StatusCode) -> Result<Reply, Fail> {
    Ok(Reply { status, body: None })
}

/// An error answer in the API's shape.
#[derive(Debug)]
pub(crate) struct Fail {
    pub(crate) status: StatusCode,
    pub(crate) message: String,
    pub(crate) errors: Vec<Value>,
    pub(crate) retry_after: Option<u64>,
}

impl Fail {
    /// An error without field errors.
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            errors: Vec::new(),
            retry_after: None,
        }
    }
    /// The API's 404.
    pub(crate) fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "Not Found")
    }
    /// The API's 403.
    pub(crate) fn forbidden() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "You don't have permission to perform this action",
        )
    }
    /// The API's 401.
    pub(crate) fn unauthorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "Bad Credentials")
    }
    /// A 400 with one field error.
    pub(crate) fn field(
        resource: &str,
        field: &str,
        kind: &str,
        code: &str,
        message: &str,
    ) -> Self {
        let mut fail = Self::new(StatusCode::BAD_REQUEST, "Invalid Request");
        fail.errors
            .push(field_error(resource, field, kind, code, message));
        fail
    }
    /// An error whose message explains it, with one field error carrying
    /// the same message.
    pub(crate) fn explained(
        status: StatusCode,
        resource: &str,
        field: &str,
        code: &str,
        message: String,
    ) -> Self {
        let mut fail = Self::new(status, message);
        fail.errors.push(field_error(
            resource,
            field,
            "invalid_value",
            code,
            &fail.message,
        ));
        fail
    }
    /// A 429 asking to come back in `retry_after` seconds.
    pub(crate) fn too_many(message: String, retry_after: u64) -> Self {
        let mut fail = Self::new(StatusCode::TOO_MANY_REQUESTS, message);
        fail.retry_after = Some(retry_after);
        fail
    }
}

/// One entry of an error's `errors` list.
pub(crate) fn field_error(
    resource: &str,
    field: &str,
    kind: &str,
    code: &str,
    message: &str,
) -> Value {
    json!({
        "resource": resource,
        "field": field,
        "type": kind,
        "code": code,
        "message": message,
    })
}

/// A handler's result as it goes out: the status, the body as sent, and
/// the `Retry-After` of a 429.
pub(crate) struct Rendered {
    pub(crate) status: StatusCode,
    /// The JSON body; `None` for a response without one.
    pub(crate) body: Option<String>,
    retry_after: Option<u64>,
}

impl Rendered {
    /// The HTTP response.
    pub(crate) fn into_response(self) -> Response {
        let mut response = match self.body {
            None => self.status.into_response(),
            Some(body) => (
                self.status,
                [(header::CONTENT_TYPE, "application/json")],
                body,
            )
                .into_response(),
        };
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// What a handler's result sends: a success as it is, an error in the
/// API's shape (`message`, `documentation_url`, `errors` when there are any).
pub(crate) fn rendered(result: Result<Reply, Fail>) -> Rendered {
    match result {
        Ok(Reply { status, body }) => Rendered {
            status,
            body,
            retry_after: None,
        },
        Err(fail) => {
            let mut body = json!({ "message": fail.message, "documentation_url": DOCS });
            if !fail.errors.is_empty() {
                body["errors"] = Value::Array(fail.errors);
            }
            Rendered {
                status: fail.status,
                body: Some(body.to_string()),
                retry_after: fail.retry_after,
            }
        }
    }
}

/// API Gateway's answer to a method and path no operation serves, whatever
/// the credentials: a 403 whose JSON body holds only this message.
pub(crate) const MISSING_AUTHENTICATION_TOKEN: &str = "Missing Authentication Token";

/// The response of the gateway in front of the API to a route it does not
/// know: exactly `403 {"message": "Missing Authentication Token"}`.
pub(crate) fn unknown_route() -> Response {
    Rendered {
        status: StatusCode::FORBIDDEN,
        body: Some(json!({ "message": MISSING_AUTHENTICATION_TOKEN }).to_string()),
        retry_after: None,
    }
    .into_response()
}
