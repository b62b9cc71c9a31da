//! Routing by the operation table: a request's method and path pick an
//! operation of [`OPERATIONS`] (any other route gets API Gateway's 403
//! `Missing Authentication Token`), whose handler runs once the caller is
//! authenticated and the operation's rate limit allows; what succeeds is
//! recorded as served, and every answer of an operation as sent. Site
//! transfers that have completed by then move their sites first, so every
//! operation sees the accounts as they are.

use axum::body::Bytes;
use axum::http::{header, HeaderMap, Method, Uri};
use axum::response::Response;
use base64::Engine as _;

use super::rate_limit;
use super::reply::{rendered, unknown_route, Fail, Reply};
use super::request::{Caller, Req};
use super::site_transfer;
use super::state::State;
use super::Shared;
use crate::operations::{Operation, OPERATIONS};

/// What every operation's handler looks like.
pub(crate) type Handler = fn(&mut State, &Req<'_>) -> Result<Reply, Fail>;

/// The handler of each operation, in [`OPERATIONS`] order:
/// `super::<resource>::<operation>`, as `build/table.rs` writes it from the
/// spec, or `None` while that function is not written (an operation just
/// imported): the stand-in then answers 501, and [`unwritten`] lists it.
const HANDLERS: &[Option<Handler>] = &include!(concat!(env!("OUT_DIR"), "/fake_handlers.rs"));

/// The operations the stand-in has no handler for, each with the function to
/// write (`fake::<resource>::<operation>` in `src/fake/<resource>.rs`).
#[cfg(test)]
fn unwritten() -> Vec<String> {
    HANDLERS
        .iter()
        .zip(OPERATIONS)
        .filter(|(handler, _)| handler.is_none())
        .map(|(_, op)| {
            format!(
                "{}: write `pub(crate) fn {}(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail>` in wpe-api/src/fake/{}.rs (a new file needs `mod {};` in fake/mod.rs)",
                op.operation_id, op.id, op.resource, op.resource
            )
        })
        .collect()
}

/// Answers one request: route, authenticate, apply the rate limit, run the
/// operation's handler.
pub(crate) fn handle(
    shared: &Shared,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &Bytes,
) -> Response {
    // Unknown routes are answered by the gateway in front of the API, before
    // any credentials are looked at.
    let Some(rest) = uri.path().strip_prefix("/v1") else {
        return unknown_route();
    };
    let segs: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let Some(index) = route(method.as_str(), &segs) else {
        return unknown_route();
    };
    let op = &OPERATIONS[index];
    let query = form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .into_owned()
        .collect();
    let mut state = shared
        .state
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let now = state.now();
    site_transfer::settle(&mut state, now, shared.config.site_transfer_step_delay);
    let draws = state.draws();
    let mut user = None;
    let result = authorize(&state, op, headers).and_then(|caller| {
        user = caller.as_ref().map(|c| c.user);
        let req = Req {
            shared,
            segs,
            query,
            body,
            caller,
            now,
        };
        let limited = rate_limit::check(&state, &req, op)?;
        let result = match HANDLERS[index] {
            Some(handler) => handler(&mut state, &req),
            None => Err(Fail::new(
                axum::http::StatusCode::NOT_IMPLEMENTED,
                format!(
                    "the stand-in has no handler for {} yet: write fake::{}::{}",
                    op.operation_id, op.resource, op.id
                ),
            )),
        };
        if let (Some(limited), Ok(_)) = (limited, &result) {
            rate_limit::record(&mut state, limited, now);
        }
        result
    });
    if matches!(&result, Ok(reply) if reply.status.is_success()) {
        state.served.insert(op.operation_id);
    }
    let mut out = rendered(result);
    if shared.config.shapes == super::Shapes::Live && out.status.is_success() {
        if let Some(body) = out.body.as_mut() {
            super::live::reshape(op.operation_id, body);
        }
    }
    let user = user.map(|u| state.users[u].username.clone());
    let at = now.saturating_duration_since(state.start);
    let drew = state.draws() != draws;
    if let Some(entry) =
        super::journal::entry(op, (method, uri, body), user, out.status.as_u16(), at, drew)
    {
        state.journal.push(entry);
    }
    state.sent.push(super::SentResponse {
        operation_id: op.operation_id,
        status: out.status.as_u16(),
        body: out.body.clone().map(String::into_bytes).unwrap_or_default(),
    });
    out.into_response()
}

/// The position in [`OPERATIONS`] of the operation a method and path
/// (segments after `/v1`) call. When several path templates match, the one
/// whose first differing segment is a literal wins:
/// `/installs/{id}/domains/check_status/{report_id}` over
/// `/installs/{id}/domains/{domain_id}/ssl_certificate`.
fn route(method: &str, segs: &[&str]) -> Option<usize> {
    let mut best: Option<usize> = None;
    for (index, op) in OPERATIONS.iter().enumerate() {
        if op.method != method || !matches(op.path, segs) {
            continue;
        }
        if best.is_none_or(|b| more_specific(op.path, OPERATIONS[b].path)) {
            best = Some(index);
        }
    }
    best
}

fn template(path: &str) -> impl Iterator<Item = &str> + '_ {
    path.split('/').filter(|s| !s.is_empty())
}

fn is_param(segment: &str) -> bool {
    segment.starts_with('{')
}

/// Whether a path template such as `/installs/{install_id}` matches the segments.
fn matches(path: &str, segs: &[&str]) -> bool {
    let mut parts = template(path);
    segs.iter()
        .all(|seg| parts.next().is_some_and(|p| is_param(p) || p == *seg))
        && parts.next().is_none()
}

/// Whether template `a` has a literal where `b` first has a parameter.
fn more_specific(a: &str, b: &str) -> bool {
    template(a)
        .zip(template(b))
        .find(|(x, y)| is_param(x) != is_param(y))
        .is_some_and(|(x, _)| !is_param(x))
}

/// The caller of an operation that needs credentials (a 401 without valid
/// ones); `None` for the operations that need none.
fn authorize(state: &State, op: &Operation, headers: &HeaderMap) -> Result<Option<Caller>, Fail> {
    if !op.authenticated {
        return Ok(None);
    }
    let user = authenticate(state, headers).ok_or_else(Fail::unauthorized)?;
    // An account with API access switched off is out of reach, as on the
    // live API: the caller still signs in, and lists come back empty.
    let accounts = state.users[user]
        .accounts
        .iter()
        .filter(|id| !state.api_access_off.contains(id))
        .copied()
        .collect();
    Ok(Some(Caller { user, accounts }))
}

/// The index in `State::users` of the user whose HTTP Basic credentials
/// the request carries.
fn authenticate(state: &State, headers: &HeaderMap) -> Option<usize> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    state
        .users
        .iter()
        .position(|u| u.username == user && u.password == password)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn routed(method: &str, path: &str) -> Option<&'static str> {
        let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        route(method, &segs).map(|index| OPERATIONS[index].operation_id)
    }

    #[test]
    fn every_operation_has_a_handler() {
        assert_eq!(HANDLERS.len(), OPERATIONS.len());
        let unwritten = unwritten();
        assert!(
            unwritten.is_empty(),
            "the stand-in lacks {} handler(s):\n{}",
            unwritten.len(),
            unwritten.join("\n")
        );
    }

    #[test]
    fn every_path_template_routes_to_its_own_operation() {
        for op in OPERATIONS {
            let path = template(op.path)
                .map(|p| if is_param(p) { "x1" } else { p })
                .collect::<Vec<_>>()
                .join("/");
            assert_eq!(routed(op.method, &path), Some(op.operation_id), "{path}");
        }
    }

    #[test]
    fn a_literal_segment_beats_a_parameter() {
        let x = "11111111-1111-1111-1111-111111111111";
        let report = format!("installs/{x}/domains/check_status/{x}");
        assert_eq!(routed("GET", &report), Some("getDomainReportStatus"));
        let domain = format!("installs/{x}/domains/{x}");
        assert_eq!(routed("GET", &domain), Some("getDomain"));
        let both = format!("installs/{x}/domains/check_status/ssl_certificate");
        assert_eq!(routed("GET", &both), Some("getDomainReportStatus"));
        let bulk = format!("installs/{x}/domains/bulk");
        assert_eq!(routed("POST", &bulk), Some("createBulkDomains"));
        assert_eq!(routed("GET", &bulk), Some("getDomain"));
        let check = format!("installs/{x}/domains/bulk/check_status");
        assert_eq!(routed("POST", &check), Some("checkStatus"));
    }

    #[test]
    fn unknown_methods_and_paths_route_nowhere() {
        assert_eq!(routed("GET", ""), None);
        assert_eq!(routed("PUT", "installs"), None);
        assert_eq!(routed("HEAD", "status"), None);
        assert_eq!(routed("GET", "installs/x/nothing"), None);
        assert_eq!(routed("GET", "accounts/x/limits/more"), None);
        assert_eq!(routed("DELETE", "ssh_keys"), None);
    }
}
