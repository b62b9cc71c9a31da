//! The per-install rate limits of the operation table
//! ([`Operation::rate_limit`]), applied by the router around an operation's
//! handler: a `429` with `Retry-After` while the install's last accepted call
//! is too recent.

use std::time::Duration;

use uuid::Uuid;

use super::reply::Fail;
use super::request::{visible_install, Req};
use super::state::State;
use super::FakeConfig;
use crate::operations::{Operation, RateLimit};

/// A call that falls under a rate limit and may go ahead.
pub(crate) struct Limited {
    install: Uuid,
    name: &'static str,
}

/// Whether a request may go ahead under its operation's rate limit:
/// `Ok(None)` when it is not limited (no limit, or a body the limit does not
/// apply to), `Ok(Some(_))` when it is limited and may go ahead (then
/// [`record`] it once it succeeds), a `429` while the install's last call is
/// too recent.
///
/// An install or domain the path names that the caller cannot see is a `404`
/// before the limit is looked at, as the handler would answer.
pub(crate) fn check(state: &State, req: &Req<'_>, op: &Operation) -> Result<Option<Limited>, Fail> {
    let Some(limit) = op.rate_limit.filter(|limit| limit.applies_to(req.body)) else {
        return Ok(None);
    };
    let at = op.param_index("install_id").unwrap_or_else(|| {
        panic!(
            "{}: a per-install limit needs an install in the path",
            op.id
        )
    });
    let install = visible_install(state, req, req.id(at)?)?;
    if let Some(at) = op.param_index("domain_id") {
        let domain = req.id(at)?;
        let installed = state.installs.get(&install);
        if !installed.is_some_and(|i| i.domains.iter().any(|d| d.id == domain)) {
            return Err(Fail::not_found());
        }
    }
    let (interval, calls) = setting(&req.shared.config, op, &limit);
    let last = state.last_limited_call.get(&(install, limit.name));
    if let Some(ready) = last
        .map(|at| *at + interval)
        .filter(|ready| *ready > req.now)
    {
        return Err(Fail::too_many(
            format!(
                "{calls} are rate-limited to one request every {} seconds for each install",
                interval.as_secs()
            ),
            ceil_secs(ready - req.now),
        ));
    }
    Ok(Some(Limited {
        install,
        name: limit.name,
    }))
}

/// Records a limited call that succeeded: the next one waits from `now`.
pub(crate) fn record(state: &mut State, limited: Limited, now: tokio::time::Instant) {
    state
        .last_limited_call
        .insert((limited.install, limited.name), now);
}

/// The interval the configuration sets for an operation's limit, and what
/// its 429 calls the operation's requests.
fn setting(config: &FakeConfig, op: &Operation, limit: &RateLimit) -> (Duration, &'static str) {
    match op.id {
        super::OBJECT_CACHE_PURGE => (config.object_cache_purge_interval, "Object cache purges"),
        super::DOMAIN_CHECK => (config.domain_check_interval, "Domain status checks"),
        _ => (limit.interval, "Requests"),
    }
}

/// Whole seconds, rounded up, and at least one.
fn ceil_secs(duration: Duration) -> u64 {
    let secs = duration.as_secs();
    if duration.subsec_nanos() > 0 {
        secs + 1
    } else {
        secs.max(1)
    }
}
