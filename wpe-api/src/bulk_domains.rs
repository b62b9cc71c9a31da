//! What `createBulkDomains` answers, read in either of the two shapes servers use.
//!
//! WP Engine's reference pages show the created domains in an envelope,
//! `{"domains": [...]}`; the Swagger document of 1.21.2 declares a single
//! domain object instead. By the time the answer arrives the domains exist,
//! so failing to read it would leave a caller who retries facing "already
//! taken". [`BulkDomainsResult`] therefore accepts both shapes and always
//! gives a list: the envelope's domains, or the one object as a list of one.
//! It is written back (`Serialize`) in the shape it came in, with every
//! field the server sent (the envelope's other fields are kept in
//! [`BulkDomainsResult::extra`]); a value made here is written as the
//! envelope, the shape the curated spec documents.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
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
///     r#"{"domains": [{"id": "0b7e5c1a-3f1d-4c2e-9a55-6d2f8e4b1c01", "name": "example.com", "duplicate": false, "primary": false}]}"#,
/// )?;
/// let single: BulkDomainsResult = serde_json::from_str(
///     r#"{"id": "0b7e5c1a-3f1d-4c2e-9a55-6d2f8e4b1c01", "name": "example.com", "duplicate": false, "primary": false}"#,
/// )?;
/// assert_eq!(envelope.domains()[0].name, single.domains()[0].name);
/// for domain in &single {
///     println!("{} ({})", domain.name, domain.id);
/// }
/// // A field of the envelope the spec does not name is kept.
/// let grown: BulkDomainsResult = serde_json::from_str(
///     r#"{"job": "j1", "domains": [{"id": "0b7e5c1a-3f1d-4c2e-9a55-6d2f8e4b1c01", "name": "example.com", "duplicate": false, "primary": false}]}"#,
/// )?;
/// assert_eq!(grown.extra["job"], "j1");
/// assert_eq!(serde_json::to_value(&grown)?["job"], "j1");
/// // Written back in the shape it came in.
/// assert!(serde_json::to_string(&envelope)?.starts_with(r#"{"domains":"#));
/// let written = serde_json::to_value(&single)?;
/// assert!(written.get("domains").is_none());
/// assert_eq!(written["name"], "example.com");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct BulkDomainsResult {
    /// The domains created.
    domains: Vec<DomainOrRedirect>,
    /// The envelope's fields other than `domains`, kept as they came.
    pub extra: serde_json::Map<String, serde_json::Value>,
    /// Whether the answer was one domain object rather than the envelope.
    came_single: bool,
}

/// Either shape it is read from and written back in: the envelope, or one
/// domain object.
#[cfg(feature = "schemars")]
impl schemars::JsonSchema for BulkDomainsResult {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("BulkDomainsResult")
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let domain = generator.subschema_for::<DomainOrRedirect>();
        schemars::json_schema!({
            "description": "The domains created: `{\"domains\": [...]}`, or one domain object.",
            "anyOf": [
                {
                    "type": "object",
                    "required": ["domains"],
                    "properties": {"domains": {"type": "array", "items": domain}},
                },
                domain,
            ],
        })
    }
}

impl BulkDomainsResult {
    /// A result holding these domains.
    pub fn new(domains: Vec<DomainOrRedirect>) -> Self {
        Self {
            domains,
            extra: serde_json::Map::new(),
            came_single: false,
        }
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
        if let (true, [domain]) = (self.came_single, self.domains.as_slice()) {
            return domain.serialize(serializer);
        }
        let mut envelope = serializer.serialize_map(Some(1 + self.extra.len()))?;
        envelope.serialize_entry(ENVELOPE_KEY, &self.domains)?;
        for (key, value) in &self.extra {
            envelope.serialize_entry(key, value)?;
        }
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

/// Reads an object: its `domains` array when it has one (the envelope; its
/// other keys are kept), otherwise the whole object as one domain.
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
            } else {
                single.insert(key, map.next_value()?);
            }
        }
        if let Some(domains) = envelope {
            let mut result = BulkDomainsResult::new(domains);
            result.extra = single;
            return Ok(result);
        }
        let domain: DomainOrRedirect =
            serde_path_to_error::deserialize(serde_json::Value::Object(single)).map_err(|e| {
                let path = e.path().to_string();
                de::Error::custom(format_args!(
                    "a single domain (no `domains` list): {path}: {}",
                    e.into_inner()
                ))
            })?;
        let mut result = BulkDomainsResult::new(vec![domain]);
        result.came_single = true;
        Ok(result)
    }
}
