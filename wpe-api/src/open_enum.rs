//! Enums whose values WP Engine may extend: known values are variants, any
//! other value is kept in `Other` instead of failing the whole response.

use std::borrow::Cow;
use std::fmt;

/// Defines a string enum that tolerates values it does not know.
macro_rules! open_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $value:literal,)+ }) => {
        $(#[$meta])*
        ///
        /// Unknown values sent by the server are kept verbatim in `Other`, so
        /// a new value added by WP Engine does not break deserialization.
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
            /// A value this version of the crate does not know.
            Other(String),
        }

        impl $name {
            /// Every value this version of the crate knows, as sent on the wire.
            pub const KNOWN: &'static [&'static str] = &[$($value),+];

            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $value,)+
                    Self::Other(other) => other.as_str(),
                }
            }

            /// Whether this is a value this version of the crate knows.
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Other(_))
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $($value => Self::$variant,)+
                    other => Self::Other(other.to_owned()),
                }
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                match Self::from(value.as_str()) {
                    Self::Other(_) => Self::Other(value),
                    known => known,
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;
            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                Ok(Self::from(Cow::<'de, str>::deserialize(deserializer)?.into_owned()))
            }
        }

        #[cfg(feature = "schemars")]
        impl schemars::JsonSchema for $name {
            fn schema_name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($name))
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({
                    "type": "string",
                    "description": concat!("Known values: ", $($value, " "),+, "; others are accepted."),
                })
            }
        }
    };
}

// One `open_enum!` per schema the spec marks `x-wpe-open-enum`, written by
// `build/open_enums.rs` from the spec's values and descriptions.
include!(concat!(env!("OUT_DIR"), "/open_enums.rs"));

impl BackupStatus {
    /// Whether the backup is still running: `requested`, `initiated` or
    /// `in_progress` (the last two are the same state under its old and new
    /// name).
    ///
    /// ```
    /// use wpe_api::types::BackupStatus;
    /// assert!(BackupStatus::Initiated.is_running());
    /// assert!(BackupStatus::InProgress.is_running());
    /// assert!(!BackupStatus::Completed.is_running());
    /// ```
    pub fn is_running(&self) -> bool {
        matches!(self, Self::Requested | Self::Initiated | Self::InProgress)
    }
}

impl SiteTransferStatus {
    /// Whether the transfer has ended: `completed`, `failed` or `cancelled`.
    ///
    /// ```
    /// use wpe_api::types::SiteTransferStatus;
    /// assert!(SiteTransferStatus::Cancelled.is_final());
    /// assert!(!SiteTransferStatus::Scheduled.is_final());
    /// ```
    pub fn is_final(&self) -> bool {
        matches!(self, Self::Completed | Self::Failed | Self::Cancelled)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_values_are_kept_and_written_back_verbatim() {
        let status: InstallStatus = serde_json::from_str("\"migrating\"").unwrap();
        assert_eq!(status, InstallStatus::Other("migrating".into()));
        assert!(!status.is_known());
        assert_eq!(serde_json::to_string(&status).unwrap(), "\"migrating\"");
        let known: BackupStatus = serde_json::from_str("\"completed\"").unwrap();
        assert_eq!(known, BackupStatus::Completed);
        assert_eq!(known.to_string(), "completed");
    }
}

#[cfg(test)]
mod spec_agreement {
    /// There is a generated enum for every `x-wpe-open-enum` schema, and it
    /// lists exactly the values the spec gives, in the spec's order.
    #[test]
    fn known_values_match_the_spec() {
        let spec: serde_json::Value =
            serde_json::from_str(include_str!("../spec/openapi.json")).unwrap();
        let schemas = spec["components"]["schemas"].as_object().unwrap();
        let mut open: Vec<&str> = schemas
            .iter()
            .filter(|(_, s)| s.get("x-wpe-open-enum").is_some())
            .map(|(name, _)| name.as_str())
            .collect();
        let mut generated: Vec<&str> = super::ALL.iter().map(|(name, _)| *name).collect();
        // The build may read the spec with its keys sorted; the order of
        // the enums does not matter, their values' order does.
        open.sort_unstable();
        generated.sort_unstable();
        assert_eq!(generated, open);
        for (name, known) in super::ALL {
            let values: Vec<&str> = schemas[*name]["enum"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap())
                .collect();
            assert_eq!(&values, known, "{name}");
        }
        assert_eq!(super::BackupStatus::InProgress.as_str(), "in_progress");
        assert_eq!(super::CertSource::LetsEncrypt.as_str(), "LETS_ENCRYPT");
    }
}
