//! What a handler gets ([`Req`]: path, query, body, caller, clock) and the look-ups of the resources a path names.

use std::collections::HashSet;

use axum::body::Bytes;
use serde_json::{Map, Value};
use tokio::time::Instant;
use uuid::Uuid;

use super::check::parse_object;
use super::reply::Fail;
use super::state::{InstallRec, State};
use super::Shared;

/// What a handler gets besides the state.
pub(crate) struct Req<'a> {
    /// The server: its configuration and base URL.
    pub(crate) shared: &'a Shared,
    /// The path's segments after `/v1`.
    pub(crate) segs: Vec<&'a str>,
    /// The query's pairs, decoded.
    pub(crate) query: Vec<(String, String)>,
    /// The request body, as sent.
    pub(crate) body: &'a Bytes,
    /// The authenticated caller; `None` only for the operations the table
    /// marks as needing no credentials.
    pub(crate) caller: Option<Caller>,
    /// The server's clock when the request arrived.
    pub(crate) now: Instant,
}

/// The authenticated API user behind a request.
pub(crate) struct Caller {
    /// Index of the user in `State::users`.
    pub(crate) user: usize,
    /// The accounts the user belongs to.
    pub(crate) accounts: HashSet<Uuid>,
}

impl Req<'_> {
    /// The UUID in path segment `index`; a 404 when it is not one.
    pub(crate) fn id(&self, index: usize) -> Result<Uuid, Fail> {
        self.segs
            .get(index)
            .and_then(|seg| Uuid::parse_str(seg).ok())
            .ok_or_else(Fail::not_found)
    }
    /// The first value of a query parameter.
    pub(crate) fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
    /// The body as a JSON object, or a 400 naming `resource`.
    pub(crate) fn json(&self, resource: &'static str) -> Result<Map<String, Value>, Fail> {
        parse_object(self.body, resource)
    }
    fn caller(&self) -> &Caller {
        self.caller
            .as_ref()
            .expect("the router authenticates every operation that needs credentials")
    }
    /// The caller's index in `State::users`.
    pub(crate) fn user(&self) -> usize {
        self.caller().user
    }
    /// The accounts the caller belongs to.
    pub(crate) fn accounts(&self) -> &HashSet<Uuid> {
        &self.caller().accounts
    }
}

/// The account of path segment 1 (`/accounts/{account_id}`); a 404 unless the caller belongs to it.
pub(crate) fn account_id(req: &Req<'_>) -> Result<Uuid, Fail> {
    let id = req.id(1)?;
    if req.accounts().contains(&id) {
        Ok(id)
    } else {
        Err(Fail::not_found())
    }
}

/// The install of path segment 1 (`/installs/{install_id}`); a 404 unless the caller may see it.
pub(crate) fn install_id(state: &State, req: &Req<'_>) -> Result<Uuid, Fail> {
    let id = req.id(1)?;
    visible_install(state, req, id)
}

/// `id` when it is an install of one of the caller's accounts; else a 404.
pub(crate) fn visible_install(state: &State, req: &Req<'_>, id: Uuid) -> Result<Uuid, Fail> {
    match state.installs.get(&id) {
        Some(install) if req.accounts().contains(&install.account_id) => Ok(id),
        _ => Err(Fail::not_found()),
    }
}

/// The install behind an ID already looked up.
pub(crate) fn inst<'s>(state: &'s State, id: &Uuid) -> &'s InstallRec {
    state.installs.get(id).expect("install looked up before")
}

/// The install behind an ID already looked up, to change.
pub(crate) fn inst_mut<'s>(state: &'s mut State, id: &Uuid) -> &'s mut InstallRec {
    state
        .installs
        .get_mut(id)
        .expect("install looked up before")
}

/// The position in `install.domains` of path segment 3 (`/domains/{domain_id}`); a 404 when absent.
pub(crate) fn domain_index(install: &InstallRec, req: &Req<'_>) -> Result<usize, Fail> {
    let id = req.id(3)?;
    install
        .domains
        .iter()
        .position(|d| d.id == id)
        .ok_or_else(Fail::not_found)
}

/// The `account_id` query filter of a list, if any; a 400 when it is not a UUID.
pub(crate) fn account_filter(req: &Req<'_>) -> Result<Option<Uuid>, Fail> {
    query_uuid_opt(req, "Pagination", "account_id")
}

/// An optional UUID query parameter; a 400 naming it (as a field of
/// `resource`) when it is given and not a UUID.
pub(crate) fn query_uuid_opt(
    req: &Req<'_>,
    resource: &str,
    name: &str,
) -> Result<Option<Uuid>, Fail> {
    match req.query(name) {
        None => Ok(None),
        Some(text) => Uuid::parse_str(text).map(Some).map_err(|_| {
            Fail::field(
                resource,
                name,
                "invalid_value",
                "invalid_uuid",
                &format!("{name} must be a UUID"),
            )
        }),
    }
}
