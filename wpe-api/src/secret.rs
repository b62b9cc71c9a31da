//! Secret strings (passwords, private keys): values the API takes but that
//! must never be shown. Each schema the spec marks `x-wpe-secret` becomes a
//! type of its own here (written by `build/secrets.rs`), with the spec's
//! length bounds checked when the value is made; its `Debug` prints
//! `<redacted>`, it has no `Display`, and an error about it never holds it.
//!
//! ```
//! use wpe_api::types::SftpPassword;
//!
//! let password = SftpPassword::try_from("correct horse battery").unwrap();
//! assert_eq!(format!("{password:?}"), "SftpPassword(<redacted>)");
//! assert_eq!(password.expose(), "correct horse battery");
//! let short = SftpPassword::try_from("short").unwrap_err();
//! assert_eq!(short.to_string(), "SftpPassword must be 8 to 64 characters long, not 5 (the value is not shown)");
//! ```

#[cfg(feature = "schemars")]
use std::borrow::Cow;
use std::fmt;

/// A secret whose length the API refuses. Holds the length, never the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} must be {} characters long, not {length} (the value is not shown)", bounds(*.min, *.max))]
pub struct SecretLengthError {
    /// Which secret (its schema name).
    pub what: &'static str,
    /// Its length in characters.
    pub length: usize,
    /// The fewest characters accepted, if the spec gives a bound.
    pub min: Option<usize>,
    /// The most characters accepted, if the spec gives a bound.
    pub max: Option<usize>,
}

fn bounds(min: Option<usize>, max: Option<usize>) -> String {
    match (min, max) {
        (Some(min), Some(max)) => format!("{min} to {max}"),
        (Some(min), None) => format!("at least {min}"),
        (None, Some(max)) => format!("at most {max}"),
        (None, None) => "any number of".to_owned(),
    }
}

/// Checks a secret's length; the error never holds the value.
fn checked(
    what: &'static str,
    value: String,
    min: Option<usize>,
    max: Option<usize>,
) -> Result<String, SecretLengthError> {
    let length = value.chars().count();
    if min.is_some_and(|min| length < min) || max.is_some_and(|max| length > max) {
        return Err(SecretLengthError {
            what,
            length,
            min,
            max,
        });
    }
    Ok(value)
}

/// Defines a secret string type with optional length bounds.
macro_rules! secret_string {
    ($(#[$meta:meta])* $name:ident { min: $min:expr, max: $max:expr }) => {
        $(#[$meta])*
        ///
        /// Its `Debug` output is `<redacted>` and it has no `Display`: read
        /// the value with [`expose`](Self::expose) where it must be sent.
        #[derive(Clone, PartialEq, Eq)]
        pub struct $name(pub(crate) String);

        impl $name {
            /// The fewest characters the API accepts, if it says.
            pub const MIN_LENGTH: Option<usize> = $min;
            /// The most characters the API accepts, if it says.
            pub const MAX_LENGTH: Option<usize> = $max;

            /// Checks the value's length against the spec's bounds.
            pub fn new(value: impl Into<String>) -> Result<Self, SecretLengthError> {
                checked(stringify!($name), value.into(), Self::MIN_LENGTH, Self::MAX_LENGTH).map(Self)
            }

            /// The secret itself, for sending it; never log it.
            pub fn expose(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "(<redacted>)"))
            }
        }

        impl TryFrom<String> for $name {
            type Error = SecretLengthError;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::new(value)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = SecretLengthError;
            fn try_from(value: &str) -> Result<Self, Self::Error> {
                Self::new(value)
            }
        }

        impl TryFrom<&String> for $name {
            type Error = SecretLengthError;
            fn try_from(value: &String) -> Result<Self, Self::Error> {
                Self::new(value.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = SecretLengthError;
            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Self::new(value)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                Self::new(String::deserialize(deserializer)?).map_err(serde::de::Error::custom)
            }
        }

        #[cfg(feature = "schemars")]
        impl schemars::JsonSchema for $name {
            fn schema_name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($name))
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                let mut schema = schemars::json_schema!({"type": "string", "format": "password", "writeOnly": true});
                if let Some(min) = Self::MIN_LENGTH {
                    schema.insert("minLength".into(), min.into());
                }
                if let Some(max) = Self::MAX_LENGTH {
                    schema.insert("maxLength".into(), max.into());
                }
                schema
            }
        }
    };
}

// One `secret_string!` per schema the spec marks `x-wpe-secret`, written by
// `build/secrets.rs`.
include!(concat!(env!("OUT_DIR"), "/secrets.rs"));
