//! Site transfers between accounts.

use axum::http::StatusCode;

use super::reply::{Fail, Reply};
use super::request::Req;
use super::state::State;

/// Placeholder until the stand-in serves `list_account_site_transfers`.
pub(crate) fn list_account_site_transfers(
    _state: &mut State,
    _req: &Req<'_>,
) -> Result<Reply, Fail> {
    Err(Fail::new(
        StatusCode::NOT_IMPLEMENTED,
        "not in the stand-in yet",
    ))
}

/// Placeholder until the stand-in serves `list_site_transfers`.
pub(crate) fn list_site_transfers(_state: &mut State, _req: &Req<'_>) -> Result<Reply, Fail> {
    Err(Fail::new(
        StatusCode::NOT_IMPLEMENTED,
        "not in the stand-in yet",
    ))
}

/// Placeholder until the stand-in serves `create_site_transfer`.
pub(crate) fn create_site_transfer(_state: &mut State, _req: &Req<'_>) -> Result<Reply, Fail> {
    Err(Fail::new(
        StatusCode::NOT_IMPLEMENTED,
        "not in the stand-in yet",
    ))
}

/// Placeholder until the stand-in serves `get_site_transfer`.
pub(crate) fn get_site_transfer(_state: &mut State, _req: &Req<'_>) -> Result<Reply, Fail> {
    Err(Fail::new(
        StatusCode::NOT_IMPLEMENTED,
        "not in the stand-in yet",
    ))
}

/// Placeholder until the stand-in serves `cancel_site_transfer`.
pub(crate) fn cancel_site_transfer(_state: &mut State, _req: &Req<'_>) -> Result<Reply, Fail> {
    Err(Fail::new(
        StatusCode::NOT_IMPLEMENTED,
        "not in the stand-in yet",
    ))
}
