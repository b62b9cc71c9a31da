//! What happens around every request: retries of transient failures, one
//! back-off shared by all clones of a client when the API says 429, the
//! documented per-install rate limits kept client-side, and a `tracing` span.
//!
//! This is the `exec` hook of the generated client; it is on by default.
//!
//! - **429** is retried for every method (the request was not processed),
//!   after `Retry-After` (delta-seconds of any length, or an HTTP date),
//!   else after exponential back-off with jitter (a negative, fractional or
//!   unreadable `Retry-After` counts as none). Until then every request of
//!   every clone of the client waits at a shared gate: they back off
//!   together instead of stampeding. The gate stays closed for
//!   [`RetryPolicy::max_shared_wait`] at most (60 s by default), and a call
//!   waits at it only until its own deadline: if the gate opens later, the
//!   request goes at once and the server answers it.
//! - A `Retry-After` past the call's deadline is the answer: the call
//!   returns the 429 (or 503) as it came, at once, and closes no gate, so
//!   one `Retry-After: 3600` holds back no other call.
//! - **502, 503, 504** and transport failures (connection refused or reset,
//!   timeouts, a body that breaks off) are retried only for operations the
//!   spec marks `x-wpe-idempotent` (see [`crate::operations`]: the GETs, PUTs
//!   and DELETEs). No POST or PATCH is ever sent twice, so no backup, install
//!   or domain is ever created twice by a retry. Every response's body is
//!   read before it is handed over, within the client's caps (see
//!   [`crate::error`]): a body past its cap is not a transient failure and
//!   is not retried.
//! - Attempts stop at [`RetryPolicy::max_attempts`] or when the next wait
//!   would pass [`RetryPolicy::deadline`]. What the last attempt got is what
//!   the call returns, as the same error variant as without retries: an
//!   answer is `Error::ErrorResponse` (or a success), a transport failure is
//!   `Error::CommunicationError` with reqwest's error, so `is_timeout()` and
//!   `is_connect()` tell a timeout from a refused connection either way.
//! - How many attempts a call made: an answer that took more than one
//!   carries it in a `wpe-api-attempts` response header
//!   ([`crate::Error::attempts`], `ResponseValue::headers()`; no header
//!   means one attempt). The client sets that header itself: one the server
//!   sent is dropped from every answer. For a transport failure it is the
//!   `attempts` field of the call's span, and a `WARN` event `giving up`
//!   names the operation, the attempts and the last failure (its kind and
//!   causes, never its URL).
//! - Within a waiter ([`crate::wait`]), the wait's timeout bounds each
//!   call too: a request times out when the wait's time does, and a retry
//!   whose wait would pass it is not made.
//! - The per-install limits of the spec (`x-wpe-rate-limit`: object-cache
//!   purges once per 60 s, domain status checks once per 5 s) are kept
//!   client-side, so a loop over installs does not run into the API's limits.
//!   Calls of one install take turns: a call holds the turn from its first
//!   request to its answer, and the next waits until the interval has
//!   passed since that answer (since the call ended, for a call dropped
//!   after a request went out: the API may have received it). A call
//!   dropped while it waits for its turn leaves the line and sends nothing.
//! - [`RetryPolicy::max_wait`] bounds every single wait before a request.
//!   A turn further away than it is not waited for: the call fails at once
//!   with [`Error::RateLimited`](crate::Error::RateLimited), nothing sent.
//!   How far away is known ahead, conservatively: the rest of the interval
//!   since the last answer, plus a whole interval for each call of the
//!   install that holds the turn or waits ahead (each must yet be answered,
//!   and the spacing counts from its answer). A call whose turn seemed near
//!   enough but has not come when the bound passes (a call ahead took long)
//!   fails then, the same way. A `Retry-After` or back-off longer than the
//!   bound is not waited either: the answer is returned as it came, as for
//!   one past the deadline. [`crate::activity`] reports each wait for a
//!   turn as it begins, and each request as it is sent.
//!
//! Every wait (`Retry-After`, back-off, the shared 429 gate, the per-install
//! spacing) and every reading of the time (the deadline, `Retry-After` dates)
//! goes through the policy's [`Clock`]: tokio's by default, a
//! [`VirtualClock`](crate::clock::VirtualClock) in tests. All arithmetic on
//! times saturates: no `Retry-After`, deadline or interval, however large,
//! makes a call panic.
//!
//! Each request runs in a `wpe_api.request` span with the operation id,
//! method, path template, attempt count, final status and elapsed time. No
//! credentials, no bodies, no concrete paths (which carry ids) are recorded.

use std::cell::Cell;
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::{Request, Response, StatusCode};
use std::time::Instant;
use tracing::Instrument;

use crate::clock::{Clock, Deadline, TokioClock};
use crate::operations::{Operation, RateLimit};
use crate::Client;

/// The response header carrying how many attempts a call took, set when it took more than one.
pub const ATTEMPTS_HEADER: &str = "wpe-api-attempts";

/// How transient failures are retried.
///
/// ```
/// use std::time::Duration;
/// let policy = wpe_api::retry::RetryPolicy::default()
///     .max_attempts(6)
///     .deadline(Duration::from_secs(120));
/// let client = wpe_api::Client::builder()
///     .credentials(wpe_api::Credentials::new("user", "password"))
///     .retry_policy(policy)
///     .build()?;
/// # Ok::<(), wpe_api::ConfigError>(())
/// ```
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    max_attempts: u32,
    deadline: Duration,
    base_delay: Duration,
    max_delay: Duration,
    install_limits: bool,
    shared_backoff: bool,
    max_shared_wait: Duration,
    /// The longest single wait before a request, if bounded.
    max_wait: Option<Duration>,
    /// Intervals that replace the spec's for some per-install limits, by limit name.
    limit_intervals: Vec<(&'static str, Duration)>,
    clock: Arc<dyn Clock>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            deadline: Duration::from_secs(120),
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(30),
            install_limits: true,
            shared_backoff: true,
            max_shared_wait: Duration::from_secs(60),
            max_wait: None,
            limit_intervals: Vec::new(),
            clock: Arc::new(TokioClock),
        }
    }
}

impl RetryPolicy {
    /// No retries, no client-side spacing and no shared back-off: every call
    /// is sent once, at once, and a 429 is returned as it is.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            install_limits: false,
            shared_backoff: false,
            ..Self::default()
        }
    }

    /// The most attempts per call, the first included (default 5, at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The longest a call may spend retrying, waits included (default 120 s).
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// The first back-off delay, doubled at each attempt (default 250 ms).
    pub fn base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// The longest single back-off delay (default 30 s).
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// Whether the per-install limits of the spec (object-cache purge every
    /// 60 s, domain status check every 5 s) are kept client-side (default true).
    pub fn install_limits(mut self, on: bool) -> Self {
        self.install_limits = on;
        self
    }

    /// The spacing kept between calls of one per-install limit, by the
    /// limit's name in the spec (`object-cache-purge`: 60 s,
    /// `domain-check-status`: 5 s, as the API documents). Change it only if
    /// WP Engine changes its limits, or to match a stand-in configured with
    /// other limits. A name the spec does not have changes nothing.
    ///
    /// ```
    /// use std::time::Duration;
    /// let policy = wpe_api::retry::RetryPolicy::default()
    ///     .install_limit_interval("object-cache-purge", Duration::from_secs(90));
    /// ```
    pub fn install_limit_interval(mut self, limit: &str, every: Duration) -> Self {
        let known = crate::operations::OPERATIONS
            .iter()
            .filter_map(|op| op.rate_limit)
            .find(|known| known.name == limit);
        if let Some(known) = known {
            self.limit_intervals.retain(|(name, _)| *name != known.name);
            self.limit_intervals.push((known.name, every));
        }
        self
    }

    /// The default policy with the per-install intervals that the
    /// environment variable [`ENV_INSTALL_LIMITS`](crate::config::ENV_INSTALL_LIMITS)
    /// sets, when it is set ([`Client::from_env`] reads it this way).
    ///
    /// Set it only when WP Engine changes its limits, or to match a stand-in
    /// that enforces others: `WPE_API_INSTALL_LIMITS=object-cache-purge=2s`
    /// (`LIMIT=SECONDS` pairs, separated by commas; the `s` is optional).
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidInstallLimits`](crate::ConfigError::InvalidInstallLimits)
    /// for a limit the spec does not name or a spacing that is not whole
    /// seconds; [`ConfigError::InvalidEnv`](crate::ConfigError::InvalidEnv)
    /// when the variable is empty or not UTF-8.
    pub fn from_env() -> Result<Self, crate::ConfigError> {
        let mut policy = Self::default();
        for (limit, every) in crate::config::install_limits_from_env()? {
            policy = policy.install_limit_interval(limit, every);
        }
        Ok(policy)
    }

    /// The longest a call waits before one of its requests (no bound by
    /// default but the [`deadline`](Self::deadline)): for its per-install
    /// turn, for the shared gate a 429 closed, for a `Retry-After` or a
    /// back-off. A turn further away fails at once as
    /// [`Error::RateLimited`](crate::Error::RateLimited), nothing sent (see
    /// the [module documentation](self) for how the wait is told ahead); a
    /// retry that would wait longer is not made, and the answer is returned
    /// as it came; a gate that opens later is not waited for, as with the
    /// deadline.
    ///
    /// A server that calls the API for clients that give up after a time
    /// (an MCP client abandons a request after 60 s) sets it below that
    /// time, so that a call answers "try again in N s" rather than running
    /// on after its client stopped listening.
    ///
    /// ```
    /// use std::time::Duration;
    /// let policy = wpe_api::retry::RetryPolicy::default().max_wait(Duration::from_secs(30));
    /// ```
    pub fn max_wait(mut self, wait: Duration) -> Self {
        self.max_wait = Some(wait);
        self
    }

    /// Whether a wait of `wait` is within [`RetryPolicy::max_wait`].
    fn within_max_wait(&self, wait: Duration) -> bool {
        self.max_wait.is_none_or(|max| wait <= max)
    }

    /// The spacing kept for a per-install limit: the spec's, unless replaced.
    fn interval_of(&self, limit: &RateLimit) -> Duration {
        self.limit_intervals
            .iter()
            .find(|(name, _)| *name == limit.name)
            .map_or(limit.interval, |(_, every)| *every)
    }

    /// Whether a 429 makes every clone of the client wait before its next
    /// request (default true).
    pub fn shared_backoff(mut self, on: bool) -> Self {
        self.shared_backoff = on;
        self
    }

    /// The longest a 429 holds back the other calls of the client and its
    /// clones (default 60 s): a longer `Retry-After` closes the shared gate
    /// for this long only. A `Retry-After` past the call's
    /// [`deadline`](Self::deadline) closes it not at all: the 429 is then
    /// the call's answer.
    ///
    /// ```
    /// use std::time::Duration;
    /// let policy = wpe_api::retry::RetryPolicy::default().max_shared_wait(Duration::from_secs(10));
    /// ```
    pub fn max_shared_wait(mut self, wait: Duration) -> Self {
        self.max_shared_wait = wait;
        self
    }

    /// The clock every wait and deadline goes by (default [`TokioClock`]).
    /// The client's waiters ([`crate::wait`]) use it too.
    ///
    /// ```
    /// use wpe_api::clock::VirtualClock;
    /// let clock = VirtualClock::new();
    /// let policy = wpe_api::retry::RetryPolicy::default().clock(clock.clone());
    /// ```
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// The clock in force.
    pub(crate) fn clock_ref(&self) -> &dyn Clock {
        &*self.clock
    }

    /// Back-off before attempt `attempt + 1`: exponential, with jitter
    /// between half and all of it.
    fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
        let cap = exp.min(self.max_delay);
        (cap / 2)
            .saturating_add(cap.mul_f64(jitter() / 2.0))
            .min(cap)
    }
}

/// State shared by a client and all its clones: the policy, the 429 gate and
/// the per-install limit clocks.
#[derive(Debug, Clone, Default)]
pub struct Shared(Arc<SharedState>);

#[derive(Debug, Default)]
struct SharedState {
    policy: RetryPolicy,
    /// No request may start before this instant (set by a 429).
    gate: Mutex<Option<Instant>>,
    /// Per (limit, install): the turn calls of the install take.
    install_clock: Mutex<HashMap<(&'static str, String), Arc<TurnLine>>>,
    /// How much of a body is read (see `crate::body`).
    body_limits: crate::body::Limits,
    /// The timeout of each request, as set on the client's reqwest client
    /// (none known: reqwest's default).
    request_timeout: Option<Duration>,
}

/// The calls of one install under one limit, taking turns.
#[derive(Debug, Default)]
struct TurnLine {
    /// Held by the call whose turn it is, for the whole call; calls waiting
    /// for it get it in the order they asked (tokio's mutex is fair).
    turn: Arc<tokio::sync::Mutex<()>>,
    /// What a call joining the line reads, whoever holds the turn.
    state: Mutex<LineState>,
}

#[derive(Debug, Default)]
struct LineState {
    /// When the last call that sent a request ended.
    answered: Option<Instant>,
    /// The calls holding the turn or waiting for it.
    queued: usize,
}

impl TurnLine {
    fn state(&self) -> std::sync::MutexGuard<'_, LineState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A call's place in a [`TurnLine`], from joining it to the end of the call
/// (or until the call is dropped): while it lasts, the call counts as ahead
/// of those that join after it.
struct Place(Arc<TurnLine>);

impl Drop for Place {
    fn drop(&mut self) {
        let mut state = self.0.state();
        state.queued = state.queued.saturating_sub(1);
    }
}

impl Shared {
    /// Shared state for a new client.
    pub fn new(policy: RetryPolicy) -> Self {
        Self(Arc::new(SharedState {
            policy,
            ..SharedState::default()
        }))
    }

    /// Shared state for a new client whose requests time out after
    /// `timeout` and whose bodies are read within `limits`.
    pub(crate) fn for_client(
        policy: RetryPolicy,
        timeout: Duration,
        limits: crate::body::Limits,
    ) -> Self {
        Self(Arc::new(SharedState {
            policy,
            request_timeout: Some(timeout),
            body_limits: limits,
            ..SharedState::default()
        }))
    }

    /// The policy in force.
    pub fn policy(&self) -> &RetryPolicy {
        &self.0.policy
    }

    /// Waits until the shared 429 gate is open, but not past `deadline`: a
    /// gate that opens after it is not waited for (the request goes at once
    /// and the server answers it).
    async fn wait_for_gate(&self, deadline: Deadline) {
        let clock = self.policy().clock_ref();
        loop {
            let until = *self.0.gate.lock().unwrap_or_else(|p| p.into_inner());
            let now = clock.now();
            match until {
                Some(until)
                    if until > now
                        && deadline.admits(now, until.saturating_duration_since(now)) =>
                {
                    clock.sleep_until(until).await;
                }
                _ => return,
            }
        }
    }

    /// Closes the shared gate for `wait` from now, at most the policy's
    /// `max_shared_wait` (a later gate already closed stays).
    fn close_gate_for(&self, wait: Duration) {
        let wait = wait.min(self.policy().max_shared_wait);
        if wait.is_zero() {
            return;
        }
        let Some(until) = self.policy().clock_ref().now().checked_add(wait) else {
            return;
        };
        let mut gate = self.0.gate.lock().unwrap_or_else(|p| p.into_inner());
        if gate.is_none_or(|current| current < until) {
            *gate = Some(until);
        }
    }

    /// Waits for the turn of a per-install limited call of `operation`:
    /// until the calls ahead of it are done and `interval` has passed since
    /// the last answer. The guard returned is the turn; dropping it ends
    /// the call's turn (see [`Turn`]). With a [`RetryPolicy::max_wait`], a
    /// turn further away is refused rather than waited for (see the module
    /// documentation).
    async fn install_turn(
        &self,
        operation: &'static str,
        limit: &'static str,
        install: String,
        interval: Duration,
    ) -> Result<Turn, crate::RateLimited> {
        let line = {
            let mut lines = self
                .0
                .install_clock
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            Arc::clone(lines.entry((limit, install)).or_default())
        };
        let policy = self.policy();
        let clock = policy.clock_ref();
        let started = clock.now();
        // Join the line before looking at it, so that calls joining after
        // this one count it as ahead of them.
        let (ahead, answered) = {
            let mut state = line.state();
            let ahead = state.queued;
            state.queued += 1;
            (ahead, state.answered)
        };
        let place = Place(Arc::clone(&line));
        let spacing_left = |now: Instant, answered: Option<Instant>| {
            answered.map_or(Duration::ZERO, |answered| {
                interval.saturating_sub(now.saturating_duration_since(answered))
            })
        };
        let refusal = |retry_after: Duration, calls_ahead: usize| crate::RateLimited {
            operation,
            limit,
            interval,
            retry_after,
            calls_ahead,
            max_wait: policy.max_wait.unwrap_or(Duration::MAX),
        };
        let ahead_intervals = interval.saturating_mul(u32::try_from(ahead).unwrap_or(u32::MAX));
        let wait = spacing_left(started, answered).saturating_add(ahead_intervals);
        if !policy.within_max_wait(wait) {
            return Err(refusal(wait, ahead));
        }
        if ahead > 0 || !wait.is_zero() {
            crate::activity::report(crate::activity::Activity::WaitingForTurn {
                operation,
                limit,
                wait,
                calls_ahead: ahead,
            });
        }
        let guard = match (Arc::clone(&line.turn).try_lock_owned(), policy.max_wait) {
            (Ok(guard), _) => guard,
            (Err(_), None) => Arc::clone(&line.turn).lock_owned().await,
            (Err(_), Some(max_wait)) => {
                let turn = std::pin::pin!(Arc::clone(&line.turn).lock_owned());
                match futures::future::select(turn, clock.sleep(max_wait)).await {
                    futures::future::Either::Left((guard, _)) => guard,
                    futures::future::Either::Right(((), _)) => {
                        // Still behind a call when the bound passed: the
                        // turn is at least an interval after that call's
                        // answer.
                        let answered = line.state().answered;
                        let left = spacing_left(clock.now(), answered).saturating_add(interval);
                        return Err(refusal(left, 1));
                    }
                }
            }
        };
        let now = clock.now();
        let answered = line.state().answered;
        if answered.is_some() {
            let left = spacing_left(now, answered);
            let waited = now.saturating_duration_since(started);
            if !policy.within_max_wait(waited.saturating_add(left)) {
                return Err(refusal(left, 0));
            }
            clock.sleep(left).await;
        }
        Ok(Turn {
            _guard: guard,
            place,
            clock: Arc::clone(&policy.clock),
            sent: false,
        })
    }
}

tokio::task_local! {
    /// The budget of the wait the current task is in (see [`within_budget`]).
    static BUDGET: Budget;
}

/// The time a wait has left, which bounds every call made in it.
struct Budget {
    deadline: Deadline,
    /// Set when a call in the wait ended early because the time ran out.
    spent: Cell<bool>,
}

/// Runs `future` with every call of the client in it bounded by `deadline`:
/// each call's retries stop where the deadline would be passed, and each
/// attempt's timeout is cut to what is left of it. Returns `future`'s output
/// and whether a call in it was cut short by the deadline (its time ran out
/// during an attempt, or a retry it needed would have passed it).
pub(crate) async fn within_budget<F: Future>(deadline: Deadline, future: F) -> (F::Output, bool) {
    let deadline = BUDGET
        .try_with(|outer| outer.deadline.min(deadline))
        .unwrap_or(deadline);
    let budget = Budget {
        deadline,
        spent: Cell::new(false),
    };
    BUDGET
        .scope(budget, async move {
            let output = future.await;
            let spent = BUDGET
                .try_with(|budget| budget.spent.get())
                .unwrap_or(false);
            (output, spent)
        })
        .await
}

/// Records that a call ran out of its wait's time.
fn spend_budget() {
    let _ = BUDGET.try_with(|budget| budget.spent.set(true));
}

/// Cuts the timeout of `request` to `left` when that is shorter than its
/// own or the client's; returns whether it did.
fn cut_timeout(request: &mut Request, left: Duration, client_timeout: Option<Duration>) -> bool {
    let current = request.timeout().copied().or(client_timeout);
    let cut = current.is_none_or(|timeout| left < timeout);
    if cut {
        *request.timeout_mut() = Some(left);
    }
    cut
}

/// The turn of one per-install limited call (see `Shared::install_turn`),
/// held until the call ends or is dropped. When it ends after a request
/// went out, the next call's spacing counts from then.
struct Turn {
    _guard: tokio::sync::OwnedMutexGuard<()>,
    place: Place,
    clock: Arc<dyn Clock>,
    /// Whether a request of the call went out.
    sent: bool,
}

impl Drop for Turn {
    fn drop(&mut self) {
        if self.sent {
            self.place.0.state().answered = Some(self.clock.now());
        }
    }
}

impl ClientHooks<Shared> for Client {
    async fn exec(&self, request: Request, info: &OperationInfo) -> reqwest::Result<Response> {
        let shared = self.inner();
        let operation = crate::operations::find(info.operation_id);
        let span = tracing::info_span!(
            "wpe_api.request",
            operation = info.operation_id,
            method = %request.method(),
            path = operation.map_or("", |op| op.path),
            attempts = tracing::field::Empty,
            status = tracing::field::Empty,
            elapsed_ms = tracing::field::Empty,
        );
        let clock = shared.policy().clock_ref();
        let started = clock.now();
        let url = request.url().clone();
        let outcome = execute(self.client(), shared, info.operation_id, operation, request)
            .instrument(span.clone())
            .await;
        let (result, attempts) = match outcome {
            Ok(sent) => sent,
            Err(refused) => {
                span.record("attempts", 0);
                span.record("status", "not-sent");
                return Ok(not_sent(refused, url));
            }
        };
        let elapsed = clock.now().saturating_duration_since(started);
        span.record("attempts", attempts);
        span.record("elapsed_ms", elapsed.as_millis() as u64);
        match &result {
            Ok(response) => {
                span.record("status", response.status().as_u16());
            }
            Err(err) => {
                span.record("status", "transport-error");
                if attempts > 1 {
                    span.in_scope(|| {
                        tracing::warn!(
                            attempts,
                            elapsed_ms = elapsed.as_millis() as u64,
                            last_failure = %describe_transport_error(err),
                            "giving up"
                        );
                    });
                }
            }
        }
        result
    }
}

/// The answer the hook gives in place of a call it did not send: a `429`
/// without a body, carrying the refusal for `crate::error::finish` to
/// return as [`crate::Error::RateLimited`].
fn not_sent(refused: crate::RateLimited, url: reqwest::Url) -> Response {
    use reqwest::ResponseBuilderExt as _;
    let mut response = http::Response::new(reqwest::Body::from(Vec::<u8>::new()));
    *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
    // The URL goes in as the builder puts it (without it, `Response::from`
    // makes up a placeholder).
    if let Some(with_url) = http::Response::builder().url(url).extensions_mut() {
        response.extensions_mut().extend(std::mem::take(with_url));
    }
    response.extensions_mut().insert(refused);
    Response::from(response)
}

fn describe_transport_error(err: &reqwest::Error) -> String {
    let kind = if err.is_timeout() {
        "timed out"
    } else if err.is_connect() {
        "could not connect"
    } else if err.is_body() || err.is_decode() {
        "the response body broke off"
    } else {
        "transport error"
    };
    // reqwest's own message names the URL, which carries ids: only the
    // causes beneath it are told (hyper's and the system's, which name none).
    let mut text = kind.to_owned();
    let mut cause = std::error::Error::source(err);
    while let Some(error) = cause {
        if !error.is::<reqwest::Error>() {
            text.push_str(": ");
            text.push_str(&error.to_string());
        }
        cause = error.source();
    }
    text
}

/// The per-install limit a request falls under, if any: the limit's name,
/// the install and the spacing to keep.
fn install_limit(
    request: &Request,
    operation: &Operation,
    policy: &RetryPolicy,
) -> Option<(&'static str, String, Duration)> {
    let limit = operation.rate_limit?;
    if limit.when.is_some() {
        let body = request.body().and_then(reqwest::Body::as_bytes)?;
        if !limit.applies_to(body) {
            return None;
        }
    }
    let segments: Vec<&str> = request.url().path_segments()?.collect();
    let install = operation.path_param("install_id", &segments)?.to_owned();
    Some((limit.name, install, policy.interval_of(&limit)))
}

/// Sends the call: waits for its per-install turn, if any, then makes its
/// attempts. A turn refused by [`RetryPolicy::max_wait`] is the error, and
/// nothing is sent.
async fn execute(
    http: &reqwest::Client,
    shared: &Shared,
    operation_id: &'static str,
    operation: Option<&Operation>,
    request: Request,
) -> Result<(reqwest::Result<Response>, u32), crate::RateLimited> {
    let policy = shared.policy();
    let clock = policy.clock_ref();
    let deadline = Deadline::after(clock.now(), policy.deadline);
    let limit = match operation {
        Some(operation) if policy.install_limits => install_limit(&request, operation, policy),
        _ => None,
    };
    let mut turn = match limit {
        Some((limit, install, every)) => Some(
            shared
                .install_turn(operation_id, limit, install, every)
                .await?,
        ),
        None => None,
    };
    // An operation missing from the table (none is) is never resent.
    let idempotent = operation.is_some_and(|op| op.idempotent);
    let call = Call {
        http,
        shared,
        operation_id,
        deadline,
        idempotent,
    };
    // The turn ends when the call does (or when it is dropped).
    Ok(attempt_all(&call, request, turn.as_mut()).await)
}

/// What every attempt of one call shares.
struct Call<'a> {
    http: &'a reqwest::Client,
    shared: &'a Shared,
    operation_id: &'static str,
    deadline: Deadline,
    idempotent: bool,
}

/// Sends `request` until it succeeds, fails for good, or runs out of attempts
/// or time; marks `turn` once a request has gone out.
async fn attempt_all(
    call: &Call<'_>,
    request: Request,
    mut turn: Option<&mut Turn>,
) -> (reqwest::Result<Response>, u32) {
    let Call {
        http,
        shared,
        operation_id,
        deadline,
        idempotent,
    } = *call;
    let policy = shared.policy();
    let clock = policy.clock_ref();
    // Within a wait, its budget bounds the call too.
    let budget = BUDGET.try_with(|budget| budget.deadline).ok();
    let policy_deadline = deadline;
    let deadline = budget.map_or(deadline, |budget| budget.min(deadline));
    let mut request = request;
    let mut attempt = 0;
    loop {
        attempt += 1;
        if policy.shared_backoff {
            let bound = match policy.max_wait {
                Some(max_wait) => deadline.min(Deadline::after(clock.now(), max_wait)),
                None => deadline,
            };
            shared.wait_for_gate(bound).await;
        }
        let timeout_cut = budget.is_some_and(|budget| {
            let left = budget.remaining(clock.now());
            cut_timeout(&mut request, left, shared.0.request_timeout)
        });
        // Keep a copy for the next attempt while this one is in flight.
        let spare = if attempt < policy.max_attempts {
            request.try_clone()
        } else {
            None
        };
        // The body is read now, within the caps: a success body that breaks
        // off is retried (idempotent operations) like a dropped connection,
        // an error answer keeps its status whatever its body does.
        crate::activity::report(crate::activity::Activity::Sending {
            operation: operation_id,
            attempt,
        });
        if let Some(turn) = turn.as_deref_mut() {
            turn.sent = true;
        }
        let result = match http.execute(request).await {
            Ok(response) => crate::body::read(response, shared.0.body_limits).await,
            Err(err) => Err(err),
        };
        let now = clock.now();
        let wait = match &result {
            Ok(response) if response.status() == StatusCode::TOO_MANY_REQUESTS => {
                let wait = retry_after(response, clock.now_utc())
                    .unwrap_or_else(|| policy.backoff(attempt));
                // A wait past the deadline is no reason to hold back other
                // calls: this call returns the 429 as it is.
                if policy.shared_backoff && policy_deadline.admits(now, wait) {
                    shared.close_gate_for(wait);
                }
                Some(wait)
            }
            Ok(response) if idempotent && is_transient_status(response.status()) => Some(
                retry_after(response, clock.now_utc()).unwrap_or_else(|| policy.backoff(attempt)),
            ),
            Err(err)
                if idempotent
                    && (err.is_connect()
                        || err.is_timeout()
                        || err.is_request()
                        || err.is_body()) =>
            {
                Some(policy.backoff(attempt))
            }
            _ => None,
        };
        let budget_timed_out = timeout_cut && matches!(&result, Err(err) if err.is_timeout());
        let retry = match (wait, spare) {
            _ if budget_timed_out => {
                spend_budget();
                None
            }
            (Some(wait), Some(spare))
                if deadline.admits(now, wait) && policy.within_max_wait(wait) =>
            {
                Some((wait, spare))
            }
            (Some(wait), Some(_))
                if policy_deadline.admits(now, wait) && policy.within_max_wait(wait) =>
            {
                // Only the wait's budget stops this retry.
                spend_budget();
                None
            }
            _ => None,
        };
        let Some((wait, spare)) = retry else {
            return (
                result.map(|response| with_attempts(response, attempt)),
                attempt,
            );
        };
        tracing::debug!(
            attempt,
            wait_ms = wait.as_millis() as u64,
            outcome = %match &result {
                Ok(response) => response.status().to_string(),
                Err(err) => describe_transport_error(err),
            },
            "retrying"
        );
        drop(result);
        clock.sleep(wait).await;
        request = spare;
    }
}

fn is_transient_status(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::BAD_GATEWAY | StatusCode::SERVICE_UNAVAILABLE | StatusCode::GATEWAY_TIMEOUT
    )
}

/// Marks a response that took more than one attempt with their number (no
/// header means one attempt; see [`crate::Error::attempts`]). Whatever the
/// server sent under that name is dropped first: what the client reports
/// about itself is not the server's to set.
fn with_attempts(mut response: Response, attempts: u32) -> Response {
    // A ready header name: a `&str` key would be checked and hashed anew per call.
    const NAME: http::HeaderName = http::HeaderName::from_static(ATTEMPTS_HEADER);
    let headers = response.headers_mut();
    headers.remove(NAME);
    if attempts > 1 {
        headers.insert(NAME, attempts.into());
    }
    response
}

/// `Retry-After` as a delay from `now`: delta-seconds or an HTTP date.
pub(crate) fn retry_after(
    response: &Response,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<Duration> {
    retry_after_header(response.headers(), now)
}

/// The `Retry-After` of `headers` as a delay from `now`.
pub(crate) fn retry_after_header(
    headers: &reqwest::header::HeaderMap,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<Duration> {
    let value = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Delta-seconds of any length: more than 64 bits hold is "for ever".
        return Some(value.parse().map_or(Duration::MAX, Duration::from_secs));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let delta = at.with_timezone(&chrono::Utc) - now;
    Some(delta.to_std().unwrap_or(Duration::ZERO))
}

/// A number in [0, 1): cheap jitter without a random-number dependency.
fn jitter() -> f64 {
    static STATE: AtomicU64 = AtomicU64::new(0x9E37_79B9_7F4A_7C15);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let mut x = STATE.fetch_add(0x9E37_79B9_7F4A_7C15 ^ u64::from(nanos), Ordering::Relaxed);
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    (x >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::activity::{self, Activity};
    use futures::FutureExt as _;

    const SIXTY: Duration = Duration::from_secs(60);

    /// The turn of an object-cache purge of `install`, every `every`.
    async fn turn(
        shared: &Shared,
        install: &str,
        every: Duration,
    ) -> Result<Turn, crate::RateLimited> {
        shared
            .install_turn("purge_cache", "object-cache-purge", install.into(), every)
            .await
    }

    /// Ends a turn whose request went out.
    fn answered(mut turn: Turn) {
        turn.sent = true;
    }

    #[tokio::test]
    async fn object_cache_purges_of_one_install_are_sixty_seconds_apart() {
        let clock = crate::clock::VirtualClock::new();
        let shared = Shared::new(RetryPolicy::default().clock(clock.clone()));
        let mut starts = Vec::new();
        for install in ["a", "b", "a", "a"] {
            let turn = turn(&shared, install, SIXTY).await.unwrap();
            starts.push((install, clock.elapsed().as_secs()));
            // The answer takes 3 s; the next turn counts from it.
            clock.advance(Duration::from_secs(3));
            answered(turn);
        }
        assert_eq!(starts, [("a", 0), ("b", 3), ("a", 63), ("a", 126)]);
        assert_eq!(
            clock.sleeps(),
            [Duration::from_secs(57), SIXTY],
            "only the same install's turns waited, from its last answer"
        );
    }

    #[tokio::test]
    async fn a_spacing_too_long_for_the_clock_waits_without_a_panic() {
        let clock = crate::clock::VirtualClock::new();
        let shared = Shared::new(RetryPolicy::default().clock(clock.clone()));
        for _ in 0..2 {
            answered(turn(&shared, "a", Duration::MAX).await.unwrap());
        }
        assert_eq!(clock.sleeps(), [Duration::MAX]);
    }

    #[tokio::test]
    async fn a_turn_further_than_max_wait_is_refused_at_once_and_a_nearer_one_waited() {
        let clock = crate::clock::VirtualClock::new();
        let policy = RetryPolicy::default()
            .clock(clock.clone())
            .max_wait(Duration::from_secs(30));
        let shared = Shared::new(policy);
        answered(turn(&shared, "a", SIXTY).await.unwrap());
        let refused = turn(&shared, "a", SIXTY).await.err().expect("refused");
        assert_eq!(refused.retry_after(), SIXTY);
        assert_eq!(refused.calls_ahead(), 0);
        assert_eq!(refused.max_wait(), Duration::from_secs(30));
        assert!(clock.sleeps().is_empty(), "nothing waited");
        let message = refused.to_string();
        assert!(message.contains("call again in 60 s"), "{message}");

        clock.advance(Duration::from_secs(40));
        answered(turn(&shared, "a", SIXTY).await.unwrap());
        assert_eq!(clock.sleeps(), [Duration::from_secs(20)]);
    }

    #[tokio::test]
    async fn each_call_ahead_counts_a_whole_interval_and_a_dropped_one_leaves_the_line() {
        let clock = crate::clock::VirtualClock::manual();
        let policy = RetryPolicy::default()
            .clock(clock.clone())
            .max_wait(Duration::from_secs(150));
        let shared = Shared::new(policy);
        let waits = Arc::new(Mutex::new(Vec::new()));
        let watched = |label: &'static str| {
            let waits = Arc::clone(&waits);
            move |activity: &Activity| {
                if let Activity::WaitingForTurn {
                    wait, calls_ahead, ..
                } = activity
                {
                    waits
                        .lock()
                        .unwrap()
                        .push((label, wait.as_secs(), *calls_ahead));
                }
            }
        };
        // A holds the turn: its request is out.
        let mut holder = turn(&shared, "a", SIXTY).now_or_never().unwrap().unwrap();
        holder.sent = true;
        let mut second = Box::pin(activity::watch(
            watched("second"),
            turn(&shared, "a", SIXTY),
        ));
        assert!(
            (&mut second).now_or_never().is_none(),
            "waits behind the holder"
        );
        let mut third = Box::pin(activity::watch(watched("third"), turn(&shared, "a", SIXTY)));
        assert!((&mut third).now_or_never().is_none());
        let fourth = activity::watch(watched("fourth"), turn(&shared, "a", SIXTY))
            .now_or_never()
            .expect("answered at once")
            .err()
            .expect("three calls ahead: at least 180 s, past 150 s");
        assert_eq!(
            (fourth.retry_after(), fourth.calls_ahead()),
            (Duration::from_secs(180), 3)
        );
        // The second is cancelled: it leaves the line, and the fourth fits.
        drop(second);
        let mut fourth = Box::pin(activity::watch(
            watched("fourth"),
            turn(&shared, "a", SIXTY),
        ));
        assert!((&mut fourth).now_or_never().is_none());
        assert_eq!(
            *waits.lock().unwrap(),
            [("second", 60, 1), ("third", 120, 2), ("fourth", 120, 2)]
        );
        // The holder is answered; the third takes the turn (the second is
        // gone) and waits out the spacing.
        drop(holder);
        assert!((&mut third).now_or_never().is_none());
        clock.advance(SIXTY);
        let third = (&mut third).now_or_never().unwrap().unwrap();
        assert!((&mut fourth).now_or_never().is_none(), "behind the third");
        drop(third);
        assert!(
            (&mut fourth).now_or_never().unwrap().is_ok(),
            "the fourth is next, the spacing since the holder's answer over"
        );
    }

    #[tokio::test]
    async fn a_call_still_behind_another_when_max_wait_passes_is_refused_then() {
        let clock = crate::clock::VirtualClock::manual();
        let policy = RetryPolicy::default()
            .clock(clock.clone())
            .max_wait(Duration::from_secs(100));
        let shared = Shared::new(policy);
        let mut holder = turn(&shared, "a", SIXTY).now_or_never().unwrap().unwrap();
        holder.sent = true;
        let mut waiting = Box::pin(turn(&shared, "a", SIXTY));
        assert!((&mut waiting).now_or_never().is_none());
        clock.advance(Duration::from_secs(100));
        let refused = waiting.await.err().expect("refused when the bound passed");
        assert_eq!(
            (refused.retry_after(), refused.calls_ahead()),
            (SIXTY, 1),
            "at least the interval after the holder's answer"
        );
        drop(holder);
    }

    #[tokio::test]
    async fn a_turn_dropped_after_its_request_went_out_spaces_the_next_from_then() {
        let clock = crate::clock::VirtualClock::new();
        let shared = Shared::new(RetryPolicy::default().clock(clock.clone()));
        drop(turn(&shared, "a", SIXTY).await.unwrap());
        drop(turn(&shared, "a", SIXTY).await.unwrap());
        assert!(clock.sleeps().is_empty(), "nothing went out: no spacing");
        answered(turn(&shared, "a", SIXTY).await.unwrap());
        clock.advance(Duration::from_secs(10));
        drop(turn(&shared, "a", SIXTY).await.unwrap());
        assert_eq!(clock.sleeps(), [Duration::from_secs(50)]);
    }

    #[test]
    fn backoff_of_any_size_stays_within_its_cap() {
        let policy = RetryPolicy::default()
            .base_delay(Duration::MAX)
            .max_delay(Duration::MAX);
        for attempt in [0, 1, 2, 17, u32::MAX] {
            let wait = policy.backoff(attempt);
            assert!(wait >= Duration::MAX / 2, "{attempt}: {wait:?}");
        }
    }

    #[test]
    fn only_object_cache_purges_and_status_checks_are_limited() {
        let info = |id| crate::operations::find(id).unwrap();
        let policy = RetryPolicy::default();
        let post = |path: &str, body: &str| {
            let mut request = Request::new(
                reqwest::Method::POST,
                format!("http://h/v1{path}").parse().unwrap(),
            );
            *request.body_mut() = Some(body.to_owned().into());
            request
        };
        let purge = |kind: &str| {
            post(
                "/installs/i1/purge_cache",
                &format!("{{\"type\":\"{kind}\"}}"),
            )
        };
        assert_eq!(
            install_limit(&purge("object"), info("purge_cache"), &policy),
            Some(("object-cache-purge", "i1".into(), Duration::from_secs(60)))
        );
        assert_eq!(
            install_limit(&purge("page"), info("purge_cache"), &policy),
            None
        );
        let check = post("/installs/i2/domains/d/check_status", "");
        assert_eq!(
            install_limit(&check, info("check_status"), &policy),
            Some(("domain-check-status", "i2".into(), Duration::from_secs(5)))
        );
        assert_eq!(install_limit(&check, info("get_domain"), &policy), None);
        let slower = policy.install_limit_interval("domain-check-status", Duration::from_secs(9));
        assert_eq!(
            install_limit(&check, info("check_status"), &slower),
            Some(("domain-check-status", "i2".into(), Duration::from_secs(9)))
        );
    }

    #[test]
    fn backoff_grows_and_stays_capped() {
        let policy = RetryPolicy::default()
            .base_delay(Duration::from_millis(100))
            .max_delay(Duration::from_secs(1));
        for _ in 0..100 {
            let first = policy.backoff(1);
            assert!(
                first >= Duration::from_millis(50) && first <= Duration::from_millis(100),
                "{first:?}"
            );
            let later = policy.backoff(10);
            assert!(
                later >= Duration::from_millis(500) && later <= Duration::from_secs(1),
                "{later:?}"
            );
        }
    }
}
