//! Injected latency and faults: what a flaky gateway in front of the API does
//! to requests (429 storms, 502/503, slow answers, dropped connections,
//! truncated bodies), at configurable rates and reproducibly from a seed.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// A kind of fault the stand-in can inject in front of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FaultKind {
    /// `429 Too Many Requests` with `Retry-After` ([`Faults::retry_after`]).
    TooManyRequests,
    /// `502 Bad Gateway` with an HTML body.
    BadGateway,
    /// `503 Service Unavailable`.
    ServiceUnavailable,
    /// An answer delayed by [`Faults::slow_delay`].
    Slow,
    /// A connection closed without an answer.
    DroppedConnection,
    /// An answer whose body stops halfway.
    TruncatedBody,
}

impl FaultKind {
    /// Every kind, in the order the dice are read.
    pub const ALL: [FaultKind; 6] = [
        FaultKind::TooManyRequests,
        FaultKind::BadGateway,
        FaultKind::ServiceUnavailable,
        FaultKind::Slow,
        FaultKind::DroppedConnection,
        FaultKind::TruncatedBody,
    ];

    /// The kind's position in [`FaultKind::ALL`].
    fn index(self) -> usize {
        self as usize
    }
}

/// Rates (0.0 to 1.0) of faults injected in front of every operation, one
/// per [`FaultKind`].
///
/// A 429, 502, 503 or dropped connection is decided before the request
/// reaches the stand-in, so the request is not processed (as when a gateway
/// refuses it). A slow answer is processed after [`Faults::slow_delay`]; a
/// truncated body is processed and then cut off halfway.
///
/// ```
/// use wpe_api::fake::{FaultKind, Faults};
///
/// let faults = Faults::transient(0.2).seed(7);
/// assert!((faults.total_rate() - 0.2).abs() < 1e-9);
/// let cut = Faults::none().with_rate(FaultKind::TruncatedBody, 0.5);
/// assert_eq!(cut.rate(FaultKind::TruncatedBody), 0.5);
/// assert_eq!(cut.total_rate(), 0.5);
/// ```
#[derive(Debug, Clone)]
pub struct Faults {
    /// The rate of each kind, indexed by [`FaultKind::index`].
    rates: [f64; FaultKind::ALL.len()],
    /// The `Retry-After` sent with an injected 429 (whole seconds; 1 s by default).
    pub retry_after: Duration,
    /// How long a slow answer takes (300 ms by default).
    pub slow_delay: Duration,
    /// Seed of the dice, for reproducible runs.
    pub seed: u64,
}

impl Default for Faults {
    fn default() -> Self {
        Self::none()
    }
}

impl Faults {
    /// No faults.
    pub fn none() -> Self {
        Self {
            rates: [0.0; FaultKind::ALL.len()],
            retry_after: Duration::from_secs(1),
            slow_delay: Duration::from_millis(300),
            seed: 0x5eed,
        }
    }

    /// `rate` of all requests fail, spread evenly over every [`FaultKind`]:
    /// 429, 502, 503, slow answers, dropped connections and truncated bodies.
    pub fn transient(rate: f64) -> Self {
        let each = rate / FaultKind::ALL.len() as f64;
        Self {
            rates: [each; FaultKind::ALL.len()],
            ..Self::none()
        }
    }

    /// Only 429s, at `rate`, each asking for `retry_after`.
    pub fn rate_limited(rate: f64, retry_after: Duration) -> Self {
        Self {
            retry_after,
            ..Self::none().with_rate(FaultKind::TooManyRequests, rate)
        }
    }

    /// The same faults with `kind` at `rate`.
    pub fn with_rate(mut self, kind: FaultKind, rate: f64) -> Self {
        self.rates[kind.index()] = rate;
        self
    }

    /// The rate of one kind.
    pub fn rate(&self, kind: FaultKind) -> f64 {
        self.rates[kind.index()]
    }

    /// The same faults from another seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The share of requests that meet some fault.
    pub fn total_rate(&self) -> f64 {
        self.rates.iter().sum()
    }
}

/// How many faults of each kind were injected.
///
/// ```
/// use wpe_api::fake::{FaultCounts, FaultKind};
///
/// let counts = FaultCounts::default();
/// assert_eq!(counts.get(FaultKind::BadGateway), 0);
/// assert_eq!(counts.total(), 0);
/// ```
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub struct FaultCounts {
    counts: [u64; FaultKind::ALL.len()],
}

impl FaultCounts {
    /// How many faults of `kind` were injected.
    pub fn get(&self, kind: FaultKind) -> u64 {
        self.counts[kind.index()]
    }

    /// All faults together.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }
}

impl std::fmt::Debug for FaultCounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map()
            .entries(FaultKind::ALL.iter().map(|kind| (kind, self.get(*kind))))
            .finish()
    }
}

/// Rolls the dice for each request and counts what it injected.
#[derive(Debug)]
pub(crate) struct Injector {
    faults: Faults,
    dice: AtomicU64,
    counts: [AtomicU64; FaultKind::ALL.len()],
}

impl Injector {
    pub(crate) fn new(faults: Faults) -> Self {
        let dice = AtomicU64::new(faults.seed | 1);
        Self {
            faults,
            dice,
            counts: Default::default(),
        }
    }

    fn roll(&self) -> f64 {
        // splitmix64 over an atomic counter: reproducible for one seed and request order.
        let mut z = self
            .dice
            .fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }

    /// The fault for the next request, if any, counted.
    pub(crate) fn pick(&self) -> Option<FaultKind> {
        if self.faults.total_rate() <= 0.0 {
            return None;
        }
        let mut roll = self.roll();
        for kind in FaultKind::ALL {
            let rate = self.faults.rate(kind);
            if roll < rate {
                self.counts[kind.index()].fetch_add(1, Ordering::Relaxed);
                return Some(kind);
            }
            roll -= rate;
        }
        None
    }

    /// How many faults of each kind were injected so far.
    pub(crate) fn counts(&self) -> FaultCounts {
        FaultCounts {
            counts: self.counts.each_ref().map(|n| n.load(Ordering::Relaxed)),
        }
    }

    pub(crate) fn slow_delay(&self) -> Duration {
        self.faults.slow_delay
    }

    /// The answer for a fault decided before processing.
    pub(crate) fn refusal(&self, fault: FaultKind) -> Response {
        match fault {
            FaultKind::TooManyRequests => {
                let seconds = self.faults.retry_after.as_secs().to_string();
                let mut response = (
                    StatusCode::TOO_MANY_REQUESTS,
                    axum::Json(serde_json::json!({"message": "Too many requests, slow down"})),
                )
                    .into_response();
                if let Ok(value) = HeaderValue::from_str(&seconds) {
                    response.headers_mut().insert(header::RETRY_AFTER, value);
                }
                response
            }
            FaultKind::BadGateway => (
                StatusCode::BAD_GATEWAY,
                [(header::CONTENT_TYPE, "text/html")],
                "<html><body>502 Bad Gateway</body></html>",
            )
                .into_response(),
            FaultKind::ServiceUnavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(serde_json::json!({"message": "Service unavailable, try again later"})),
            )
                .into_response(),
            // Unwinding out of the handler makes the server drop the
            // connection without an answer; `resume_unwind` skips the panic hook.
            FaultKind::DroppedConnection => {
                std::panic::resume_unwind(Box::new("fake: injected dropped connection"))
            }
            FaultKind::Slow | FaultKind::TruncatedBody => {
                StatusCode::INTERNAL_SERVER_ERROR.into_response()
            }
        }
    }
}

/// Sends the head of `response` with its full `Content-Length`, then only half the body.
pub(crate) async fn truncate(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    parts.headers.insert(
        header::CONTENT_LENGTH,
        HeaderValue::from(bytes.len().max(2)),
    );
    let half = bytes.slice(..bytes.len() / 2);
    let stream = futures::stream::iter([Ok::<_, std::io::Error>(half)]);
    Response::from_parts(parts, Body::from_stream(stream))
}
