//! Site reports: generated reports, their sections, schedules and templates.

use axum::http::StatusCode;

use super::reply::{Fail, Reply};
use super::request::Req;
use super::state::State;

/// Placeholder until the stand-in serves `get_site_reports`.
pub(crate) fn get_site_reports(_state: &mut State, _req: &Req<'_>) -> Result<Reply, Fail> {
    Err(Fail::new(
        StatusCode::NOT_IMPLEMENTED,
        "not in the stand-in yet",
    ))
}

/// Placeholder until the stand-in serves `get_site_reports_sections`.
pub(crate) fn get_site_reports_sections(_state: &mut State, _req: &Req<'_>) -> Result<Reply, Fail> {
    Err(Fail::new(
        StatusCode::NOT_IMPLEMENTED,
        "not in the stand-in yet",
    ))
}

/// Placeholder until the stand-in serves `get_site_reports_schedules`.
pub(crate) fn get_site_reports_schedules(
    _state: &mut State,
    _req: &Req<'_>,
) -> Result<Reply, Fail> {
    Err(Fail::new(
        StatusCode::NOT_IMPLEMENTED,
        "not in the stand-in yet",
    ))
}

/// Placeholder until the stand-in serves `create_site_report_schedule`.
pub(crate) fn create_site_report_schedule(
    _state: &mut State,
    _req: &Req<'_>,
) -> Result<Reply, Fail> {
    Err(Fail::new(
        StatusCode::NOT_IMPLEMENTED,
        "not in the stand-in yet",
    ))
}

/// Placeholder until the stand-in serves `update_site_report_schedule`.
pub(crate) fn update_site_report_schedule(
    _state: &mut State,
    _req: &Req<'_>,
) -> Result<Reply, Fail> {
    Err(Fail::new(
        StatusCode::NOT_IMPLEMENTED,
        "not in the stand-in yet",
    ))
}

/// Placeholder until the stand-in serves `delete_site_report_schedule`.
pub(crate) fn delete_site_report_schedule(
    _state: &mut State,
    _req: &Req<'_>,
) -> Result<Reply, Fail> {
    Err(Fail::new(
        StatusCode::NOT_IMPLEMENTED,
        "not in the stand-in yet",
    ))
}

/// Placeholder until the stand-in serves `list_site_report_templates`.
pub(crate) fn list_site_report_templates(
    _state: &mut State,
    _req: &Req<'_>,
) -> Result<Reply, Fail> {
    Err(Fail::new(
        StatusCode::NOT_IMPLEMENTED,
        "not in the stand-in yet",
    ))
}
