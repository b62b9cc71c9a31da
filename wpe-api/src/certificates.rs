//! Third-party certificates: the API takes each PEM file base64-encoded; these
//! helpers encode PEM text for it and decode what it echoes back.
//!
//! `importThirdPartySSLCertificate` wants `certificate` and `private_key` as
//! PEM files encoded with standard base64, not as the PEM text itself. Give
//! the helpers the PEM text as you have it (from a file, say) and they do the
//! encoding:
//!
//! ```no_run
//! use wpe_api::types::ThirdPartyCertificate;
//!
//! # async fn run(client: &wpe_api::Client, install: uuid::Uuid) -> Result<(), Box<dyn std::error::Error>> {
//! let chain = std::fs::read_to_string("fullchain.pem")?;
//! let key = std::fs::read_to_string("privkey.pem")?;
//! client
//!     .import_third_party_ssl_certificate()
//!     .install_id(install)
//!     .body(ThirdPartyCertificate::from_pem(&chain, &key))
//!     .send()
//!     .await?;
//! // Or on the request's body builder:
//! client
//!     .import_third_party_ssl_certificate()
//!     .install_id(install)
//!     .body_map(|body| body.certificate_pem(&chain).private_key_pem(&key))
//!     .send()
//!     .await?;
//! # Ok(()) }
//! ```

use base64::Engine as _;

use crate::types::{self, ThirdPartyCertificate};

/// Encodes PEM text as the API wants it: standard base64 (with padding) of
/// the text's bytes, on one line.
///
/// ```
/// let encoded = wpe_api::certificates::encode_pem("-----BEGIN CERTIFICATE-----\n");
/// assert_eq!(encoded, "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==");
/// ```
pub fn encode_pem(pem: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(pem.as_bytes())
}

/// Decodes a base64-encoded PEM file back to its text. Line breaks and other
/// whitespace in the encoding (as `base64` tools wrap it) are ignored.
///
/// ```
/// let pem = wpe_api::certificates::decode_pem("LS0tLS1CRUdJTiBDRVJU\nSUZJQ0FURS0tLS0tCg==").unwrap();
/// assert_eq!(pem, "-----BEGIN CERTIFICATE-----\n");
/// assert!(wpe_api::certificates::decode_pem("-----BEGIN CERTIFICATE-----").is_err());
/// ```
pub fn decode_pem(encoded: &str) -> Result<String, PemDecodeError> {
    let compact: String = encoded
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact)
        .map_err(|e| PemDecodeError::NotBase64(e.to_string()))?;
    String::from_utf8(bytes).map_err(|_| PemDecodeError::NotText)
}

/// Why a value is not a base64-encoded PEM file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PemDecodeError {
    /// The value is not standard base64.
    #[error("not base64 ({0}); the API sends certificates and keys as base64-encoded PEM files")]
    NotBase64(String),
    /// The base64 decodes to bytes that are not UTF-8 text, so not PEM.
    #[error("the base64 does not decode to text, so it holds no PEM file")]
    NotText,
}

impl ThirdPartyCertificate {
    /// The request body for certificate and key PEM text: each is
    /// base64-encoded here ([`encode_pem`]), as the API requires.
    pub fn from_pem(certificate_pem: &str, private_key_pem: &str) -> Self {
        Self {
            extra: Default::default(),
            certificate: encode_pem(certificate_pem),
            private_key: crate::secret::PrivateKeyPem(encode_pem(private_key_pem)),
        }
    }

    /// The certificate chain as PEM text (`certificate` decoded).
    pub fn certificate_pem(&self) -> Result<String, PemDecodeError> {
        decode_pem(&self.certificate)
    }

    /// The private key as PEM text (`private_key` decoded).
    pub fn private_key_pem(&self) -> Result<String, PemDecodeError> {
        decode_pem(self.private_key.expose())
    }
}

impl types::builder::ThirdPartyCertificate {
    /// Sets `certificate` from the chain's PEM text, base64-encoding it.
    pub fn certificate_pem(self, pem: &str) -> Self {
        self.certificate(encode_pem(pem))
    }

    /// Sets `private_key` from the key's PEM text, base64-encoding it.
    pub fn private_key_pem(self, pem: &str) -> Self {
        self.private_key(encode_pem(pem))
    }
}
