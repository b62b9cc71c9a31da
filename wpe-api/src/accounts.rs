//! Valid credentials that reach no account: what it means and what to do.
//!
//! The API answers `listAccounts` with 200 and an empty list, not an error,
//! when API access is not switched on for the account the credentials belong
//! to (or the credentials belong to another account). Everything else then
//! looks empty too, which is easy to mistake for a bug. [`NoAccountsReachable`]
//! turns that answer into an error that says what to do:
//!
//! ```no_run
//! use wpe_api::accounts::NoAccountsReachable;
//!
//! # async fn run(client: &wpe_api::Client) -> Result<(), Box<dyn std::error::Error>> {
//! let accounts = client.list_accounts().send().await?.into_inner();
//! NoAccountsReachable::check(&accounts.results)?;
//! # Ok(()) }
//! ```

use crate::types::Account;

/// WP Engine's page in the User Portal where API access is switched on for
/// an account.
pub const API_ACCESS_URL: &str = "https://my.wpengine.com/api_access";

/// The credentials are valid but reach no account: API access is off for the
/// account, or the credentials belong to another one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, thiserror::Error)]
#[error(
    "the API credentials are valid but reach no account. Turn on API access for the \
     account on WP Engine's API access page in the User Portal ({API_ACCESS_URL}), \
     and check that the API user name and password were created for that account"
)]
pub struct NoAccountsReachable;

impl NoAccountsReachable {
    /// `Err(NoAccountsReachable)` when `accounts` (a `listAccounts` answer's
    /// `results`) is empty.
    ///
    /// ```
    /// use wpe_api::accounts::{NoAccountsReachable, API_ACCESS_URL};
    ///
    /// let err = NoAccountsReachable::check(&[]).unwrap_err();
    /// assert!(err.to_string().contains(API_ACCESS_URL));
    /// ```
    pub fn check(accounts: &[Account]) -> Result<(), Self> {
        if accounts.is_empty() {
            Err(Self)
        } else {
            Ok(())
        }
    }
}
