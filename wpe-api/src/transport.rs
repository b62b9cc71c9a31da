//! A call that got no answer ([`Error::CommunicationError`]): reqwest's
//! error, the operation it was, and what to do, which depends on whether
//! the operation may be sent again.
//!
//! [`Error::CommunicationError`]: crate::Error::CommunicationError

use std::fmt;
use std::ops::Deref;

use crate::operations::{self, Operation, Paging};

/// No answer arrived, or a success's body broke off: reqwest's error (reachable
/// through `Deref`, so `err.is_timeout()` and `err.is_connect()` work as on
/// a `reqwest::Error`) and the operation that was sent.
///
/// Its message says what to do. A connection that could not be made sent
/// nothing, and an idempotent operation may be sent again: check the network
/// and the base URL, then try again. Any other operation (a `POST` or
/// `PATCH`: creating a backup, an install, a domain) may have taken effect
/// without an answer arriving, and the client did not send it again: the
/// message names what to read to check whether it did (the list of
/// backups, domains, installs, ...) before trying again.
///
/// ```
/// # async fn run(client: &wpe_api::Client, install: uuid::Uuid) {
/// match client.create_backup().install_id(install).send().await {
///     Err(wpe_api::Error::CommunicationError(failure)) if failure.may_have_taken_effect() => {
///         eprintln!("{failure}"); // ...: check with list_backups (GET ...) before trying again
///     }
///     Err(wpe_api::Error::CommunicationError(failure)) if failure.is_timeout() => {}
///     _ => {}
/// }
/// # }
/// ```
pub struct CommunicationFailure {
    source: reqwest::Error,
    operation: Option<&'static Operation>,
}

impl CommunicationFailure {
    /// The failure of a call of `operation` (a method name, e.g. `create_backup`).
    pub(crate) fn new(source: reqwest::Error, operation: &str) -> Self {
        Self {
            source,
            operation: operations::find(operation),
        }
    }

    /// The operation that got no answer, when it is one of the table's.
    pub fn operation(&self) -> Option<&'static Operation> {
        self.operation
    }

    /// Whether the request may have reached the API and taken effect: the
    /// operation is not idempotent and a connection was made. Then the
    /// client did not send it again, and neither should a caller before
    /// checking.
    pub fn may_have_taken_effect(&self) -> bool {
        self.operation.is_some_and(|op| !op.idempotent) && !self.source.is_connect()
    }

    /// reqwest's error.
    pub fn reqwest(&self) -> &reqwest::Error {
        &self.source
    }

    /// reqwest's error, owned.
    pub fn into_reqwest(self) -> reqwest::Error {
        self.source
    }
}

/// The operation to read to see whether `op` took effect: the `GET` of its
/// own path (the list after a create, the resource after an update), else
/// the list one level up (the domains after a bulk add).
fn check_for(op: &Operation) -> Option<&'static Operation> {
    let get_at = |path: &str| {
        operations::OPERATIONS
            .iter()
            .find(|other| other.method == "GET" && other.path == path)
    };
    get_at(op.path).or_else(|| {
        let (parent, _) = op.path.rsplit_once('/')?;
        get_at(parent).filter(|list| !matches!(list.paging, Paging::NotAList))
    })
}

impl Deref for CommunicationFailure {
    type Target = reqwest::Error;

    fn deref(&self) -> &reqwest::Error {
        &self.source
    }
}

impl fmt::Display for CommunicationFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "no answer from the API ({}): ", self.source)?;
        match self.operation.filter(|_| self.may_have_taken_effect()) {
            None => write!(f, "check the network and the base URL, then try again"),
            Some(op) => {
                write!(
                    f,
                    "{} may have taken effect, so it was not sent again; ",
                    op.id
                )?;
                match check_for(op) {
                    Some(check) => write!(
                        f,
                        "check with {} ({} {}) before trying again",
                        check.id, check.method, check.path
                    ),
                    None => write!(f, "check whether it did before trying again"),
                }
            }
        }
    }
}

impl fmt::Debug for CommunicationFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CommunicationFailure")
            .field("source", &self.source)
            .field("operation", &self.operation.map(|op| op.id))
            .finish()
    }
}

impl std::error::Error for CommunicationFailure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(id: &str) -> Option<&'static str> {
        check_for(operations::find(id).unwrap()).map(|op| op.id)
    }

    #[test]
    fn a_create_is_checked_by_its_list_an_update_by_its_resource() {
        assert_eq!(check("create_backup"), Some("list_backups"));
        assert_eq!(check("create_install"), Some("list_installs"));
        assert_eq!(check("create_domain"), Some("list_domains"));
        assert_eq!(check("update_domain"), Some("get_domain"));
        assert_eq!(check("create_bulk_domains"), Some("list_domains"));
    }

    #[test]
    fn nothing_is_suggested_where_no_read_shows_the_effect() {
        // The install's own GET says nothing about a purge.
        assert_eq!(check("purge_cache"), None);
    }
}
