//! Sites: the groups of up to three installs (production, staging, development).

use axum::http::StatusCode;
use uuid::Uuid;

use super::check::Check;
use super::install::cname;
use super::paging::paginate;
use super::reply::{empty, ok, with_status, Fail, Reply};
use super::request::{account_filter, Req};
use super::state::{SiteRec, State};
use crate::types;

fn site_json(state: &State, rec: &SiteRec) -> types::Site {
    types::Site {
        extra: Default::default(),
        account: types::AccountRef {
            extra: Default::default(),
            id: rec.account_id,
        },
        created_at: Some(rec.created_at),
        group_name: rec.group_name.clone(),
        id: rec.id,
        installs: rec
            .installs
            .iter()
            .filter_map(|id| state.installs.get(id))
            .map(|i| types::SiteInstall {
                extra: Default::default(),
                cname: Some(cname(&i.name)),
                environment: i.environment.clone(),
                id: Some(i.id),
                is_multisite: Some(i.is_multisite),
                name: Some(i.name.clone()),
                php_version: Some(i.php_version.clone()),
            })
            .collect(),
        name: rec.name.clone(),
        sandbox: Some(rec.sandbox),
        tags: rec.tags.clone(),
        transferable: Some(rec.transferable),
    }
}

/// `GET /sites` (`listSites`).
pub(crate) fn list_sites(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let filter = account_filter(req)?;
    let visible: Vec<Uuid> = req.accounts().iter().copied().collect();
    let rows = state
        .sites
        .iter()
        .filter(|s| visible.contains(&s.account_id) && filter.is_none_or(|f| f == s.account_id));
    let st: &State = state;
    paginate(
        req,
        "sites",
        filter.map(|f| ("account_id", f.to_string())),
        rows,
        |s| site_json(st, s),
    )
}

/// The site of path segment 1 (`/sites/{site_id}`); a 404 unless the caller may see it.
pub(crate) fn site_id(state: &State, req: &Req<'_>) -> Result<Uuid, Fail> {
    visible_site(state, req, req.id(1)?)
}

/// `id` when it is a site of one of the caller's accounts; else a 404.
pub(crate) fn visible_site(state: &State, req: &Req<'_>, id: Uuid) -> Result<Uuid, Fail> {
    match state.sites.get(&id) {
        Some(site) if req.accounts().contains(&site.account_id) => Ok(id),
        _ => Err(Fail::not_found()),
    }
}

/// `POST /sites` (`createSite`).
pub(crate) fn create_site(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let body = req.json("Site")?;
    let mut check = Check::new("Site", &body);
    let name = check.req_str("name");
    if name.as_ref().is_some_and(|n| n.chars().count() > 40) {
        check.error(
            "name",
            "invalid_value",
            "too_long",
            "name is too long (maximum is 40 characters)",
        );
    }
    let account = check.req_uuid("account_id");
    check.finish()?;
    let account = account.unwrap_or_default();
    if !req.accounts().contains(&account) {
        return Err(Fail::forbidden());
    }
    let id = state.new_id();
    let rec = SiteRec {
        id,
        account_id: account,
        name: name.unwrap_or_default(),
        created_at: state.wall(req.now),
        installs: Vec::new(),
        group_name: None,
        tags: Vec::new(),
        sandbox: false,
        transferable: false,
    };
    let site = site_json(state, &rec);
    state.sites.insert(id, rec);
    with_status(StatusCode::CREATED, site)
}

/// `GET /sites/{site_id}` (`getSite`).
pub(crate) fn get_site(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = site_id(state, req)?;
    ok(site_json(
        state,
        state.sites.get(&id).ok_or_else(Fail::not_found)?,
    ))
}

/// `PATCH /sites/{site_id}` (`updateSite`).
pub(crate) fn update_site(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = site_id(state, req)?;
    let body = req.json("Site")?;
    let mut check = Check::new("Site", &body);
    let name = check.opt_str("name");
    if let Some(name) = &name {
        if name.trim().is_empty() {
            check.error("name", "invalid_value", "blank", "name can't be blank");
        } else if name.chars().count() > 40 {
            check.error(
                "name",
                "invalid_value",
                "too_long",
                "name is too long (maximum is 40 characters)",
            );
        }
    }
    check.finish()?;
    let site = state.sites.get_mut(&id).ok_or_else(Fail::not_found)?;
    if let Some(name) = name {
        site.name = name;
    }
    ok(site_json(
        state,
        state.sites.get(&id).ok_or_else(Fail::not_found)?,
    ))
}

/// `DELETE /sites/{site_id}` (`deleteSite`).
pub(crate) fn delete_site(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = site_id(state, req)?;
    let site = state.sites.remove(&id).ok_or_else(Fail::not_found)?;
    for install in &site.installs {
        state.remove_install(install);
    }
    super::site_reports::forget_site(state, id);
    empty(StatusCode::NO_CONTENT)
}
