//! Validation of request bodies: the JSON object, field by field ([`Check`]), and the name, domain and email rules.

use axum::body::Bytes;
use axum::http::StatusCode;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::reply::{field_error, Fail};
use crate::types::Environment;

/// The body as a JSON object, or a 400 naming `resource` (missing, not JSON, not an object).
pub(crate) fn parse_object(
    body: &Bytes,
    resource: &'static str,
) -> Result<Map<String, Value>, Fail> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(Fail::field(
            resource,
            "body",
            "invalid_value",
            "missing",
            "A JSON request body is required",
        ));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(Fail::field(
            resource,
            "body",
            "invalid_value",
            "invalid_type",
            "The request body must be a JSON object",
        )),
        Err(e) => Err(Fail::field(
            resource,
            "body",
            "invalid_value",
            "invalid_json",
            &format!("The request body is not valid JSON: {e}"),
        )),
    }
}

/// Collects field errors while reading a JSON object.
pub(crate) struct Check<'a> {
    pub(crate) resource: &'static str,
    pub(crate) prefix: String,
    pub(crate) obj: &'a Map<String, Value>,
    pub(crate) errors: Vec<Value>,
}

impl<'a> Check<'a> {
    /// Checks the top-level fields of `obj`.
    pub(crate) fn new(resource: &'static str, obj: &'a Map<String, Value>) -> Self {
        Self {
            resource,
            prefix: String::new(),
            obj,
            errors: Vec::new(),
        }
    }
    /// Checks the fields of an object nested at `prefix` (errors name `prefix.field`).
    pub(crate) fn nested(
        resource: &'static str,
        prefix: &str,
        obj: &'a Map<String, Value>,
    ) -> Self {
        Self {
            resource,
            prefix: format!("{prefix}."),
            obj,
            errors: Vec::new(),
        }
    }
    /// Records an error of `field`.
    pub(crate) fn error(&mut self, field: &str, kind: &str, code: &str, message: &str) {
        let field = format!("{}{field}", self.prefix);
        self.errors
            .push(field_error(self.resource, &field, kind, code, message));
    }
    /// Records that `field` is missing.
    pub(crate) fn required(&mut self, field: &str) {
        self.error(
            field,
            "invalid_value",
            "required",
            &format!("{field} is required"),
        );
    }
    /// Records that `field` is not of the `expected` type.
    pub(crate) fn wrong_type(&mut self, field: &str, expected: &str) {
        self.error(
            field,
            "invalid_value",
            "invalid_type",
            &format!("{field} must be {expected}"),
        );
    }
    /// The field's value, unless absent or `null`.
    pub(crate) fn present(&self, field: &str) -> Option<&'a Value> {
        self.obj.get(field).filter(|v| !v.is_null())
    }
    /// An optional string field.
    pub(crate) fn opt_str(&mut self, field: &str) -> Option<String> {
        match self.present(field)? {
            Value::String(s) => Some(s.clone()),
            _ => {
                self.wrong_type(field, "a string");
                None
            }
        }
    }
    /// A required, non-blank string field.
    pub(crate) fn req_str(&mut self, field: &str) -> Option<String> {
        if self.present(field).is_none() {
            self.required(field);
            return None;
        }
        let value = self.opt_str(field)?;
        if value.trim().is_empty() {
            self.error(
                field,
                "invalid_value",
                "blank",
                &format!("{field} can't be blank"),
            );
            return None;
        }
        Some(value)
    }
    /// An optional boolean field.
    pub(crate) fn opt_bool(&mut self, field: &str) -> Option<bool> {
        match self.present(field)? {
            Value::Bool(b) => Some(*b),
            _ => {
                self.wrong_type(field, "true or false");
                None
            }
        }
    }
    /// An optional UUID field.
    pub(crate) fn opt_uuid(&mut self, field: &str) -> Option<Uuid> {
        let text = self.opt_str(field)?;
        match Uuid::parse_str(&text) {
            Ok(id) => Some(id),
            Err(_) => {
                self.error(
                    field,
                    "invalid_value",
                    "invalid_uuid",
                    &format!("{field} must be a UUID"),
                );
                None
            }
        }
    }
    /// A required UUID field.
    pub(crate) fn req_uuid(&mut self, field: &str) -> Option<Uuid> {
        if self.present(field).is_none() {
            self.required(field);
            return None;
        }
        self.opt_uuid(field)
    }
    /// An optional array of strings.
    pub(crate) fn opt_strings(&mut self, field: &str) -> Option<Vec<String>> {
        match self.present(field)? {
            Value::Array(items) if items.iter().all(Value::is_string) => Some(
                items
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect(),
            ),
            _ => {
                self.wrong_type(field, "an array of strings");
                None
            }
        }
    }
    /// An error on `field` for each of `emails` that is not a valid address.
    pub(crate) fn emails_valid(&mut self, field: &str, emails: &[String]) {
        for email in emails.iter().filter(|e| !valid_email(e)) {
            self.error(
                field,
                "invalid_value",
                "invalid_email",
                &format!("{email} is not a valid email address"),
            );
        }
    }
    /// An optional object field.
    pub(crate) fn opt_object(&mut self, field: &str) -> Option<&'a Map<String, Value>> {
        match self.present(field)? {
            Value::Object(map) => Some(map),
            _ => {
                self.wrong_type(field, "an object");
                None
            }
        }
    }
    /// A 400 with every recorded error, if any.
    pub(crate) fn finish(self) -> Result<(), Fail> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            let mut fail = Fail::new(StatusCode::BAD_REQUEST, "Invalid Request");
            fail.errors = self.errors;
            Err(fail)
        }
    }
}

/// 3 to 14 lower-case letters or digits, starting with a letter.
pub(crate) fn valid_install_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    (3..=14).contains(&bytes.len())
        && bytes[0].is_ascii_lowercase()
        && bytes[1..]
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// A lower-case DNS name with at least two labels.
pub(crate) fn valid_domain_name(name: &str) -> bool {
    name.len() <= 253
        && name.contains('.')
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}

/// Something `@` something with a dot, without spaces.
pub(crate) fn valid_email(email: &str) -> bool {
    match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !email.contains(' ')
        }
        None => false,
    }
}

/// An optional `environment` field (`production`, `staging` or `development`);
/// `None` after recording an error.
pub(crate) fn parse_environment(check: &mut Check<'_>, field: &str) -> Option<Option<Environment>> {
    let text = match check.present(field) {
        None => return Some(None),
        Some(Value::String(s)) => s.clone(),
        Some(_) => {
            check.wrong_type(field, "a string");
            return None;
        }
    };
    let env = Environment::from(text.as_str());
    if env.is_known() {
        Some(Some(env))
    } else {
        check.error(
            field,
            "invalid_value",
            "invalid_value",
            "environment must be one of production, staging, development",
        );
        None
    }
}
