//! A domain's redirect, read in either of the shapes servers send.
//!
//! Upstream's document gives a domain `redirects_to`, a list of domain
//! references. The live API has been recorded sending `redirect_to`
//! instead: one reference, and `{}` when the domain does not redirect
//! (`spec/deviations.json`, `domain-redirect-to-live-shape`). The typed
//! [`Domain`] has both fields, and [`Domain::redirect`] reads whichever the
//! server filled.

use crate::types::{Domain, DomainRef};

impl Domain {
    /// The domain this one redirects to, or `None` when it serves its own
    /// content: the live API's `redirect_to` when it names a domain, else
    /// the first entry of the document's `redirects_to`.
    ///
    /// ```
    /// use wpe_api::types::Domain;
    ///
    /// // As the live API answered in 2021:
    /// let live: Domain = serde_json::from_str(
    ///     r#"{"id": "6eac0494-51d2-49be-8da1-ea6649bb50f8", "name": "www.example.com",
    ///         "duplicate": false, "primary": false,
    ///         "redirect_to": {"id": "c2663ce5-e1bf-42d3-8b78-89b032f1dd03", "name": "example.com"}}"#,
    /// )?;
    /// assert_eq!(live.redirect().and_then(|r| r.name.as_deref()), Some("example.com"));
    ///
    /// // As upstream's document describes it:
    /// let documented: Domain = serde_json::from_str(
    ///     r#"{"id": "5d1c0f4e-8a2b-4b7e-b1d0-3e9f6a2c7b11", "name": "www.example.com", "duplicate": false, "primary": false,
    ///         "redirects_to": [{"id": "5d1c0f4e-8a2b-4b7e-b1d0-3e9f6a2c7b12", "name": "example.com"}]}"#,
    /// )?;
    /// assert_eq!(documented.redirect().and_then(|r| r.name.as_deref()), Some("example.com"));
    ///
    /// // No redirect: the live API's `{}`, or no field at all.
    /// let own: Domain = serde_json::from_str(
    ///     r#"{"id": "5d1c0f4e-8a2b-4b7e-b1d0-3e9f6a2c7b13", "name": "example.com", "duplicate": false, "primary": true, "redirect_to": {}}"#,
    /// )?;
    /// assert!(own.redirect().is_none());
    /// // Written back as it came.
    /// assert_eq!(serde_json::to_value(&own)?["redirect_to"], serde_json::json!({}));
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn redirect(&self) -> Option<&DomainRef> {
        self.redirect_to
            .as_ref()
            .filter(|to| to.id.is_some() || to.name.is_some())
            .or_else(|| self.redirects_to.first())
    }
}
