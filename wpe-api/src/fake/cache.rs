//! Cache purges of an install.

use axum::http::StatusCode;

use super::check::Check;
use super::reply::{empty, Fail, Reply};
use super::request::{install_id, Req};
use super::state::{CachePurge, State};
use crate::types;

/// `POST /installs/{install_id}/purge_cache` (`purgeCache`).
pub(crate) fn purge_cache(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = install_id(state, req)?;
    let body = req.json("PurgeCache")?;
    let mut check = Check::new("PurgeCache", &body);
    let kind = check.req_str("type");
    let kind = kind.and_then(|k| match k.as_str() {
        "object" => Some(types::PurgeCacheType::Object),
        "page" => Some(types::PurgeCacheType::Page),
        "cdn" => Some(types::PurgeCacheType::Cdn),
        "all" => Some(types::PurgeCacheType::All),
        _ => {
            check.error(
                "type",
                "invalid_value",
                "invalid_value",
                "type must be one of object, page, cdn, all",
            );
            None
        }
    });
    check.finish()?;
    let Some(kind) = kind else {
        return Err(Fail::not_found());
    };
    state.purges.push(CachePurge {
        install_id: id,
        kind,
    });
    empty(StatusCode::ACCEPTED)
}
