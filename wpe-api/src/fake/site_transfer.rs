//! Site transfers between accounts, which progress `pending` → `scheduled`
//! → `in_progress` → `completed` with time and then move the site.
//!
//! A transfer spends one [`FakeConfig::site_transfer_step_delay`] `pending`,
//! then is `scheduled` for at least one more (until its `scheduled_time`,
//! when it has one), then `in_progress` for one, then `completed` (or
//! `failed`, see [`FakeServer::fail_next_site_transfer`]). Nothing runs in
//! the background: the status is worked out from the clock when asked, and
//! [`settle`] moves the sites of the transfers that have completed before
//! each request is handled.
//!
//! [`FakeConfig::site_transfer_step_delay`]: super::FakeConfig::site_transfer_step_delay
//! [`FakeServer::fail_next_site_transfer`]: super::FakeServer::fail_next_site_transfer

use std::time::Duration;

use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use tokio::time::Instant;
use uuid::Uuid;

use super::account_user::{require_role, TRANSFER_ROLES};
use super::check::Check;
use super::paging::paginate;
use super::reply::{empty, ok, with_status, Fail, Reply};
use super::request::{account_id, Req};
use super::site::site_id;
use super::state::{State, TransferRec};
use crate::types::{self, SiteTransferStatus};

/// The least time ahead a `scheduled_time` may be.
const MIN_AHEAD: Duration = Duration::from_secs(60 * 60);
/// The most time ahead a `scheduled_time` may be.
const MAX_AHEAD: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// A transfer's status at `now`, and when it took that status.
fn status_at(rec: &TransferRec, now: Instant, step: Duration) -> (SiteTransferStatus, Instant) {
    if let Some(cancelled) = rec.cancelled {
        return (SiteTransferStatus::Cancelled, cancelled);
    }
    let scheduled = rec.created + step;
    let ends = rec.starts + step;
    if now < scheduled {
        (SiteTransferStatus::Pending, rec.created)
    } else if now < rec.starts {
        (SiteTransferStatus::Scheduled, scheduled)
    } else if now < ends {
        (SiteTransferStatus::InProgress, rec.starts)
    } else if rec.fails {
        (SiteTransferStatus::Failed, ends)
    } else {
        (SiteTransferStatus::Completed, ends)
    }
}

/// Moves the site (and its installs) of every transfer that has completed
/// by `now` to the transfer's destination account. A transfer whose site
/// is gone by then fails instead.
pub(crate) fn settle(state: &mut State, now: Instant, step: Duration) {
    let due: Vec<(Uuid, Uuid, Uuid)> = state
        .transfers
        .iter()
        .filter(|t| {
            !t.moved && !t.fails && status_at(t, now, step).0 == SiteTransferStatus::Completed
        })
        .map(|t| (t.id, t.site_id, t.destination))
        .collect();
    for (transfer, site, destination) in due {
        let installs = match state.sites.get_mut(&site) {
            Some(site) => {
                site.account_id = destination;
                site.installs.clone()
            }
            None => {
                if let Some(rec) = state.transfers.get_mut(&transfer) {
                    rec.fails = true;
                }
                continue;
            }
        };
        for install in &installs {
            if let Some(install) = state.installs.get_mut(install) {
                install.account_id = destination;
            }
        }
        if let Some(rec) = state.transfers.get_mut(&transfer) {
            rec.moved = true;
        }
    }
}

fn account_name(state: &State, id: &Uuid) -> String {
    state
        .accounts
        .get(id)
        .map(|a| a.name.clone())
        .unwrap_or_default()
}

fn transfer_json(state: &State, req: &Req<'_>, rec: &TransferRec) -> types::SiteTransfer {
    let (status, since) = status_at(rec, req.now, req.shared.config.site_transfer_step_delay);
    types::SiteTransfer {
        extra: Default::default(),
        id: rec.id,
        site: rec.site_name.clone(),
        installs: rec.installs.clone(),
        origin_account: account_name(state, &rec.origin),
        destination_account: account_name(state, &rec.destination),
        status,
        scheduled_time: rec.scheduled_time,
        created_at: state.wall(rec.created),
        updated_at: state.wall(since),
    }
}

/// `GET /accounts/{account_id}/site_transfers` (`listAccountSiteTransfers`).
///
/// Lists the transfers started from the account (its sites that leave or
/// left it), oldest first; a 403 unless the caller is Owner or Full with
/// Billing on it.
pub(crate) fn list_account_site_transfers(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = account_id(req)?;
    require_role(state, req, id, TRANSFER_ROLES, "Listing site transfers")?;
    let st: &State = state;
    paginate(
        req,
        &format!("accounts/{id}/site_transfers"),
        None,
        st.transfers.iter().filter(|t| t.origin == id),
        |t| transfer_json(st, req, t),
    )
}

/// `GET /sites/{site_id}/site_transfers` (`listSiteTransfers`): the site's
/// transfers, oldest first; a 403 unless the caller is Owner or Full with
/// Billing on the site's account.
pub(crate) fn list_site_transfers(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = site_id(state, req)?;
    let account = state.sites.get(&id).ok_or_else(Fail::not_found)?.account_id;
    require_role(
        state,
        req,
        account,
        TRANSFER_ROLES,
        "Listing site transfers",
    )?;
    let st: &State = state;
    paginate(
        req,
        &format!("sites/{id}/site_transfers"),
        None,
        st.transfers.iter().filter(|t| t.site_id == id),
        |t| transfer_json(st, req, t),
    )
}

/// The optional `scheduled_time` of a request: an RFC 3339 date-time from
/// one hour to seven days after `now` (the server's wall-clock time).
fn scheduled_time(check: &mut Check<'_>, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let text = check.opt_str("scheduled_time")?;
    let Ok(at) = DateTime::parse_from_rfc3339(&text) else {
        check.error(
            "scheduled_time",
            "invalid_value",
            "invalid_datetime",
            "scheduled_time must be an RFC 3339 date-time",
        );
        return None;
    };
    let at = at.with_timezone(&Utc);
    let ahead = (at - now).to_std().unwrap_or(Duration::ZERO);
    if !(MIN_AHEAD..=MAX_AHEAD).contains(&ahead) {
        check.error(
            "scheduled_time",
            "invalid_value",
            "out_of_range",
            "scheduled_time must be between 1 hour and 7 days ahead",
        );
        return None;
    }
    Some(at)
}

/// `POST /sites/{site_id}/site_transfers` (`createSiteTransfer`).
///
/// Answers `202` with the new transfer, `pending`. Refuses with `400` a
/// malformed body or a `scheduled_time` not between 1 hour and 7 days ahead;
/// with `422` a destination account the caller does not belong to (or that
/// does not exist) or the site's own account; with `403` a caller who is
/// neither Owner nor Full with Billing on both accounts; with `409` a sandbox site or
/// a site that already has an open (not ended) transfer.
pub(crate) fn create_site_transfer(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = site_id(state, req)?;
    let body = req.json("SiteTransfer")?;
    let mut check = Check::new("SiteTransfer", &body);
    let destination = check.req_uuid("destination_account_id");
    let scheduled = scheduled_time(&mut check, state.wall(req.now));
    // Maintenance mode has nothing to show in the stand-in; it is only checked.
    check.opt_bool("maintenance_mode");
    check.finish()?;
    let destination = destination.unwrap_or_default();
    let site = state.sites.get(&id).ok_or_else(Fail::not_found)?;
    let refuse = |message: &str| {
        Fail::explained(
            StatusCode::UNPROCESSABLE_ENTITY,
            "SiteTransfer",
            "destination_account_id",
            "invalid_destination",
            message.to_owned(),
        )
    };
    if !req.accounts().contains(&destination) {
        return Err(refuse(
            "destination_account_id is not an account these credentials can reach",
        ));
    }
    if destination == site.account_id {
        return Err(refuse(
            "The site already belongs to the destination account",
        ));
    }
    for account in [site.account_id, destination] {
        require_role(state, req, account, TRANSFER_ROLES, "Transferring a site")?;
    }
    if site.sandbox {
        return Err(Fail::new(
            StatusCode::CONFLICT,
            "Sandbox sites cannot be transferred",
        ));
    }
    let step = req.shared.config.site_transfer_step_delay;
    if state
        .transfers
        .iter()
        .any(|t| t.site_id == id && !status_at(t, req.now, step).0.is_final())
    {
        return Err(Fail::new(
            StatusCode::CONFLICT,
            "The site already has an open transfer; wait for it to end or cancel it",
        ));
    }
    let site_name = site.name.clone();
    let origin = site.account_id;
    let installs = site
        .installs
        .iter()
        .filter_map(|i| state.installs.get(i))
        .map(|i| i.name.clone())
        .collect();
    let ahead = scheduled
        .and_then(|at| (at - state.wall(req.now)).to_std().ok())
        .unwrap_or(Duration::ZERO);
    let starts = (req.now + ahead).max(req.now + step * 2);
    let fails = std::mem::take(&mut state.fail_next_transfer);
    let transfer = state.new_id();
    let rec = TransferRec {
        id: transfer,
        site_id: id,
        site_name,
        installs,
        origin,
        destination,
        scheduled_time: scheduled,
        created: req.now,
        starts,
        cancelled: None,
        fails,
        moved: false,
    };
    let answer = transfer_json(state, req, &rec);
    state.transfers.insert(transfer, rec);
    with_status(StatusCode::ACCEPTED, answer)
}

/// The transfer of path segment 3 (`/site_transfers/{transfer_id}`) of the
/// site `site`; a 404 when there is none.
fn transfer_id(state: &State, req: &Req<'_>, site: Uuid) -> Result<Uuid, Fail> {
    let id = req.id(3)?;
    match state.transfers.get(&id) {
        Some(t) if t.site_id == site => Ok(id),
        _ => Err(Fail::not_found()),
    }
}

/// `GET /sites/{site_id}/site_transfers/{transfer_id}` (`getSiteTransfer`).
pub(crate) fn get_site_transfer(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let site = site_id(state, req)?;
    let id = transfer_id(state, req, site)?;
    let rec = state.transfers.get(&id).ok_or_else(Fail::not_found)?;
    ok(transfer_json(state, req, rec))
}

/// `DELETE /sites/{site_id}/site_transfers/{transfer_id}` (`cancelSiteTransfer`).
///
/// Cancels a `pending` or `scheduled` transfer (`204`); one `in_progress`
/// or ended answers `409`.
pub(crate) fn cancel_site_transfer(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let site = site_id(state, req)?;
    let id = transfer_id(state, req, site)?;
    let step = req.shared.config.site_transfer_step_delay;
    let rec = state.transfers.get_mut(&id).ok_or_else(Fail::not_found)?;
    let (status, _) = status_at(rec, req.now, step);
    match status {
        SiteTransferStatus::Pending | SiteTransferStatus::Scheduled => {
            rec.cancelled = Some(req.now);
            empty(StatusCode::NO_CONTENT)
        }
        other => Err(Fail::new(
            StatusCode::CONFLICT,
            format!(
                "The transfer is {} and can no longer be cancelled",
                other.as_str()
            ),
        )),
    }
}
