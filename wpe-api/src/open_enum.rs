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

open_enum! {
    /// The role of an install within its site.
    Environment {
        /// The live site.
        Production = "production",
        /// A copy for testing changes before they go live.
        Staging = "staging",
        /// A copy for development work.
        Development = "development",
    }
}

open_enum! {
    /// Provisioning state of an install.
    InstallStatus {
        /// Provisioned and serving.
        Active = "active",
        /// Still being provisioned.
        Pending = "pending",
    }
}

open_enum! {
    /// Progress of a backup.
    BackupStatus {
        /// Accepted, not started yet.
        Requested = "requested",
        /// Running, as older servers (and WP Engine's own guides) say it.
        /// Upstream 1.21.2 calls it deprecated in favour of `in_progress`;
        /// treat both alike.
        Initiated = "initiated",
        /// Running, as upstream 1.21.2 says it.
        InProgress = "in_progress",
        /// Finished successfully.
        Completed = "completed",
        /// Gave up; no backup was made.
        Aborted = "aborted",
    }
}

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

open_enum! {
    /// Progress of an archive (a downloadable zip of a backup).
    ArchiveState {
        /// Accepted, not started yet.
        Requested = "requested",
        /// Being built.
        InProgress = "in_progress",
        /// Ready: `download_uri` is set.
        Completed = "completed",
        /// Gave up; there is nothing to download.
        Aborted = "aborted",
    }
}

open_enum! {
    /// Progress of a site's move to another account.
    SiteTransferStatus {
        /// Accepted, not scheduled yet.
        Pending = "pending",
        /// Waiting for its scheduled time.
        Scheduled = "scheduled",
        /// Moving; it can no longer be cancelled.
        InProgress = "in_progress",
        /// The site belongs to the destination account.
        Completed = "completed",
        /// The move did not happen.
        Failed = "failed",
        /// Cancelled before it started.
        Cancelled = "cancelled",
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

open_enum! {
    /// Whether WP Engine has confirmed, by a DNS TXT record, that the
    /// customer owns a domain. An unverified domain serves no traffic.
    DomainOwnershipStatus {
        /// The TXT record was found.
        TxtVerified = "TXT_VERIFIED",
        /// Waiting for the TXT record given in `txt_verification_key` and
        /// `txt_verification_value` to be published.
        TxtVerificationPending = "TXT_VERIFICATION_PENDING",
    }
}

open_enum! {
    /// How a report schedule's `frequency.value` is counted.
    ReportFrequencyUnit {
        /// Every `value` days.
        Days = "DAYS",
        /// Monthly, on day `value` of the month (the last day in shorter months).
        Monthly = "MONTHLY",
    }
}

open_enum! {
    /// Who issued an SSL certificate.
    CertSource {
        /// Not given.
        CertSourceUnspecified = "CERT_SOURCE_UNSPECIFIED",
        /// Imported by the customer.
        ThirdParty = "THIRD_PARTY",
        /// Issued by Let's Encrypt through WP Engine.
        LetsEncrypt = "LETS_ENCRYPT",
        /// Self-signed.
        SelfSigned = "SELF_SIGNED",
    }
}

open_enum! {
    /// State of an SSL certificate.
    CertificateStatus {
        /// Not given.
        SslStateUnspecified = "SSL_STATE_UNSPECIFIED",
        /// Serving traffic.
        Enabled = "ENABLED",
        /// Turned off.
        Disabled = "DISABLED",
        /// Past its expiry date.
        Expired = "EXPIRED",
        /// Cancelled before issue.
        Canceled = "CANCELED",
        /// Refused by the issuer.
        Rejected = "REJECTED",
        /// Ordered, waiting for the issuer.
        Submitted = "SUBMITTED",
    }
}

open_enum! {
    /// Where the traffic figures of a usage record came from.
    TrafficMetricsSource {
        /// Not given.
        TrafficMetricsSourceUnspecified = "TRAFFIC_METRICS_SOURCE_UNSPECIFIED",
        /// Measured on the hosting servers.
        Onhost = "ONHOST",
        /// Computed in WP Engine's data warehouse.
        Bigquery = "BIGQUERY",
    }
}

open_enum! {
    /// Cloud storage provider for offloaded (LargeFS) files.
    OffloadCloud {
        /// Amazon S3.
        S3 = "s3",
    }
}

open_enum! {
    /// How requests for offloaded files are answered.
    OffloadRedirectType {
        /// Serve through the install without redirecting.
        Break = "break",
        /// Answer with a permanent redirect to the bucket.
        Permanent = "permanent",
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
    /// The hand-written variants must list exactly the values the spec gives.
    #[test]
    fn known_values_match_the_spec() {
        let spec: serde_json::Value =
            serde_json::from_str(include_str!("../spec/openapi.json")).unwrap();
        let schemas = spec["components"]["schemas"].as_object().unwrap();
        let ours: &[(&str, &[&str])] = &[
            ("Environment", super::Environment::KNOWN),
            ("InstallStatus", super::InstallStatus::KNOWN),
            ("BackupStatus", super::BackupStatus::KNOWN),
            ("CertSource", super::CertSource::KNOWN),
            ("CertificateStatus", super::CertificateStatus::KNOWN),
            ("TrafficMetricsSource", super::TrafficMetricsSource::KNOWN),
            ("OffloadCloud", super::OffloadCloud::KNOWN),
            ("OffloadRedirectType", super::OffloadRedirectType::KNOWN),
            ("ArchiveState", super::ArchiveState::KNOWN),
            ("SiteTransferStatus", super::SiteTransferStatus::KNOWN),
            ("DomainOwnershipStatus", super::DomainOwnershipStatus::KNOWN),
            ("ReportFrequencyUnit", super::ReportFrequencyUnit::KNOWN),
        ];
        let open: Vec<&String> = schemas
            .iter()
            .filter(|(_, s)| s.get("x-wpe-open-enum").is_some())
            .map(|(name, _)| name)
            .collect();
        assert_eq!(open.len(), ours.len(), "open enums in the spec: {open:?}");
        for (name, known) in ours {
            let values: Vec<&str> = schemas[*name]["enum"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap())
                .collect();
            assert_eq!(&values, known, "{name}");
        }
    }
}
