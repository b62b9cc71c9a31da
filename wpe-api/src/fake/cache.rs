//! Cache purges of an install, and its cache exclusions (what the page
//! cache never stores: URL paths, query arguments, and the platform's
//! cookies).

use axum::http::StatusCode;
use serde_json::Value;

use super::check::Check;
use super::paging::paginate;
use super::reply::{empty, ok, Fail, Reply};
use super::request::{inst, inst_mut, install_id, Req};
use super::state::{CacheExclusionRec, CachePurge, State};
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

/// The kinds of cache exclusion a customer may set; `cookie` ones are the
/// platform's.
const WRITABLE_KINDS: &[&str] = &["query arg", "url path"];

fn cache_exclusion_json(rec: &CacheExclusionRec) -> types::CacheExclusion {
    types::CacheExclusion {
        extra: Default::default(),
        type_: types::CacheExclusionType::from(rec.kind.as_str()),
        value: rec.value.clone(),
    }
}

/// `GET /installs/{install_id}/cache_exclusions` (`listCacheExclusions`):
/// paged by `limit` and `offset`, the platform's `cookie` entries included.
pub(crate) fn list_cache_exclusions(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = install_id(state, req)?;
    paginate(
        req,
        &format!("installs/{id}/cache_exclusions"),
        None,
        inst(state, &id).cache_exclusions.iter(),
        cache_exclusion_json,
    )
}

/// `PUT /installs/{install_id}/cache_exclusions` (`updateCacheExclusions`):
/// the body's list replaces every writable entry (an empty list clears
/// them), duplicates collapse, and `cookie` entries sent are accepted and
/// ignored: the platform's stay as they are, so a list read back can be
/// sent again unchanged. Answers the whole resulting list.
pub(crate) fn update_cache_exclusions(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = install_id(state, req)?;
    let body = req.json("CacheExclusions")?;
    let mut check = Check::new("CacheExclusions", &body);
    let mut wanted: Vec<CacheExclusionRec> = Vec::new();
    match check.present("exclusions") {
        None => check.required("exclusions"),
        Some(Value::Array(items)) => {
            for (index, item) in items.iter().enumerate() {
                let field = format!("exclusions[{index}]");
                let Value::Object(entry) = item else {
                    check.wrong_type(&field, "an object with type and value");
                    continue;
                };
                let mut inner = Check::nested("CacheExclusions", &field, entry);
                let kind = inner.req_str("type");
                let value = inner.req_str("value");
                if let Some(kind) = &kind {
                    if kind != "cookie" && !WRITABLE_KINDS.contains(&kind.as_str()) {
                        inner.error(
                            "type",
                            "invalid_value",
                            "invalid_value",
                            "type must be one of query arg, url path, cookie",
                        );
                    }
                }
                let ok = inner.errors.is_empty();
                check.errors.append(&mut inner.errors);
                if let (true, Some(kind), Some(value)) = (ok, kind, value) {
                    let rec = CacheExclusionRec { kind, value };
                    if rec.kind != "cookie" && !wanted.contains(&rec) {
                        wanted.push(rec);
                    }
                }
            }
        }
        Some(_) => check.wrong_type("exclusions", "a list of exclusions"),
    }
    check.finish()?;
    let install = inst_mut(state, &id);
    install.cache_exclusions.retain(|rec| rec.kind == "cookie");
    install.cache_exclusions.extend(wanted);
    let results: Vec<types::CacheExclusion> = install
        .cache_exclusions
        .iter()
        .map(cache_exclusion_json)
        .collect();
    ok(types::CacheExclusionsPage {
        extra: Default::default(),
        previous: None,
        next: None,
        count: Some(results.len() as i64),
        results,
    })
}
