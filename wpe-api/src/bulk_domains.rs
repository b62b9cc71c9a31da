//! What `createBulkDomains` answers, read in either of the two shapes servers use.
//!
//! WP Engine's reference pages show the created domains in an envelope,
//! `{"domains": [...]}`; the Swagger document of 1.21.2 declares a single
//! domain object instead. By the time the answer arrives the domains exist,
//! so failing to read it would leave a caller who retries facing "already
//! taken". [`BulkDomainsResult`] therefore accepts both shapes and always
//! gives a list: the envelope's domains, or the one object as a list of one.
//! It is written back (`Serialize`) as the envelope, the shape the curated
//! spec documents.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeStruct, Serializer};
use serde::{Deserialize, Serialize};

use crate::types::DomainOrRedirect;

/// The domains a `createBulkDomains` call created, in the order the server listed them.
///
/// Decodes `{"domains": [ ... ]}` and a single domain object alike:
///
/// ```
/// use wpe_api::types::BulkDomainsResult;
///
/// let envelope: BulkDomainsResult = serde_json::from_str(
///     r#"{"domains": [{"id": "1", "name": "example.com", "duplicate": false, "primary": false}]}"#,
/// )?;
/// let single: BulkDomainsResult = serde_json::from_str(
///     r#"{"id": "1", "name": "example.com", "duplicate": false, "primary": false}"#,
/// )?;
/// assert_eq!(envelope.domains()[0].name, single.domains()[0].name);
/// for domain in &single {
///     println!("{} ({})", domain.name, domain.id);
/// }
/// // Written back as the envelope.
/// assert!(serde_json::to_string(&single)?.starts_with(r#"{"domains":"#));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct BulkDomainsResult {
    /// The domains created.
    domains: Vec<DomainOrRedirect>,
}

impl BulkDomainsResult {
    /// A result holding these domains.
    pub fn new(domains: Vec<DomainOrRedirect>) -> Self {
        Self { domains }
    }

    /// The domains created.
    pub fn domains(&self) -> &[DomainOrRedirect] {
        &self.domains
    }

    /// The domains created, by value.
    pub fn into_domains(self) -> Vec<DomainOrRedirect> {
        self.domains
    }

    /// How many domains were created.
    pub fn len(&self) -> usize {
        self.domains.len()
    }

    /// Whether the answer named no domain.
    pub fn is_empty(&self) -> bool {
        self.domains.is_empty()
    }

    /// The created domains, in order.
    pub fn iter(&self) -> std::slice::Iter<'_, DomainOrRedirect> {
        self.domains.iter()
    }
}

impl From<Vec<DomainOrRedirect>> for BulkDomainsResult {
    fn from(domains: Vec<DomainOrRedirect>) -> Self {
        Self::new(domains)
    }
}

impl IntoIterator for BulkDomainsResult {
    type Item = DomainOrRedirect;
    type IntoIter = std::vec::IntoIter<DomainOrRedirect>;
    fn into_iter(self) -> Self::IntoIter {
        self.domains.into_iter()
    }
}

impl<'a> IntoIterator for &'a BulkDomainsResult {
    type Item = &'a DomainOrRedirect;
    type IntoIter = std::slice::Iter<'a, DomainOrRedirect>;
    fn into_iter(self) -> Self::IntoIter {
        self.domains.iter()
    }
}

impl Serialize for BulkDomainsResult {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut envelope = serializer.serialize_struct("BulkDomainsResult", 1)?;
        envelope.serialize_field("domains", &self.domains)?;
        envelope.end()
    }
}

/// The key that makes an object the envelope rather than a single domain.
const ENVELOPE_KEY: &str = "domains";

impl<'de> Deserialize<'de> for BulkDomainsResult {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(EitherShape)
    }
}

/// Reads an object: its `domains` array when it has one (the envelope; any
/// other keys are ignored, as unknown fields are elsewhere), otherwise the
/// whole object as one domain.
struct EitherShape;

impl<'de> Visitor<'de> for EitherShape {
    type Value = BulkDomainsResult;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(r#"an object: {"domains": [...]} or a single domain"#)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut single = serde_json::Map::new();
        let mut envelope: Option<Vec<DomainOrRedirect>> = None;
        while let Some(key) = map.next_key::<String>()? {
            if key == ENVELOPE_KEY {
                // Read in place, so an error names the field inside the list.
                envelope = Some(map.next_value()?);
            } else if envelope.is_some() {
                map.next_value::<de::IgnoredAny>()?;
            } else {
                single.insert(key, map.next_value()?);
            }
        }
        if let Some(domains) = envelope {
            return Ok(BulkDomainsResult::new(domains));
        }
        let domain: DomainOrRedirect =
            serde_path_to_error::deserialize(serde_json::Value::Object(single)).map_err(|e| {
                let path = e.path().to_string();
                de::Error::custom(format_args!(
                    "a single domain (no `domains` list): {path}: {}",
                    e.into_inner()
                ))
            })?;
        Ok(BulkDomainsResult::new(vec![domain]))
    }
}
