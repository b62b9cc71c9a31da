//! Injected latency and faults: what a flaky gateway in front of the API does
//! to requests (429 storms, 502/503, slow answers, dropped connections,
//! truncated bodies), at configurable rates and reproducibly from a seed.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// Rates (0.0 to 1.0) of faults injected in front of every operation.
///
/// A 429, 502, 503 or dropped connection is decided before the request
/// reaches the stand-in, so the request is not processed (as when a gateway
/// refuses it). A slow answer is processed after [`Faults::slow_delay`]; a
/// truncated body is processed and then cut off halfway.
///
/// ```
/// let faults = wpe_api::fake::Faults::transient(0.2).seed(7);
/// assert!((faults.total_rate() - 0.2).abs() < 1e-9);
/// ```
#[derive(Debug, Clone)]
pub struct Faults {
    /// Rate of `429 Too Many Requests` with `Retry-After`.
    pub too_many_requests: f64,
    /// The `Retry-After` sent with an injected 429 (whole seconds; 1 s by default).
    pub retry_after: Duration,
    /// Rate of `502 Bad Gateway` with an HTML body.
    pub bad_gateway: f64,
    /// Rate of `503 Service Unavailable`.
    pub service_unavailable: f64,
    /// Rate of answers delayed by [`Faults::slow_delay`].
    pub slow: f64,
    /// How long a slow answer takes (300 ms by default).
    pub slow_delay: Duration,
    /// Rate of connections closed without an answer.
    pub dropped_connection: f64,
    /// Rate of answers whose body stops halfway.
    pub truncated_body: f64,
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
            too_many_requests: 0.0,
            retry_after: Duration::from_secs(1),
            bad_gateway: 0.0,
            service_unavailable: 0.0,
            slow: 0.0,
            slow_delay: Duration::from_millis(300),
            dropped_connection: 0.0,
            truncated_body: 0.0,
            seed: 0x5eed,
        }
    }

    /// `rate` of all requests fail, spread evenly over 429, 502, 503, slow
    /// answers, dropped connections and truncated bodies.
    pub fn transient(rate: f64) -> Self {
        let each = rate / 6.0;
        Self {
            too_many_requests: each,
            bad_gateway: each,
            service_unavailable: each,
            slow: each,
            dropped_connection: each,
            truncated_body: each,
            ..Self::none()
        }
    }

    /// Only 429s, at `rate`, each asking for `retry_after`.
    pub fn rate_limited(rate: f64, retry_after: Duration) -> Self {
        Self {
            too_many_requests: rate,
            retry_after,
            ..Self::none()
        }
    }

    /// The same faults from another seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The share of requests that meet some fault.
    pub fn total_rate(&self) -> f64 {
        self.too_many_requests
            + self.bad_gateway
            + self.service_unavailable
            + self.slow
            + self.dropped_connection
            + self.truncated_body
    }
}

/// How many faults of each kind were injected.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FaultCounts {
    /// 429s sent.
    pub too_many_requests: u64,
    /// 502s sent.
    pub bad_gateway: u64,
    /// 503s sent.
    pub service_unavailable: u64,
    /// Answers delayed.
    pub slow: u64,
    /// Connections dropped.
    pub dropped_connection: u64,
    /// Bodies cut off.
    pub truncated_body: u64,
}

impl FaultCounts {
    /// All faults together.
    pub fn total(&self) -> u64 {
        self.too_many_requests
            + self.bad_gateway
            + self.service_unavailable
            + self.slow
            + self.dropped_connection
            + self.truncated_body
    }
}

/// The fault chosen for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    TooManyRequests,
    BadGateway,
    ServiceUnavailable,
    Slow,
    DroppedConnection,
    TruncatedBody,
}

/// Rolls the dice for each request and counts what it injected.
#[derive(Debug)]
pub(crate) struct Injector {
    faults: Faults,
    dice: AtomicU64,
    counts: [AtomicU64; 6],
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

    pub(crate) fn pick(&self) -> Option<Fault> {
        if self.faults.total_rate() <= 0.0 {
            return None;
        }
        let f = &self.faults;
        let mut roll = self.roll();
        let table = [
            (f.too_many_requests, Fault::TooManyRequests),
            (f.bad_gateway, Fault::BadGateway),
            (f.service_unavailable, Fault::ServiceUnavailable),
            (f.slow, Fault::Slow),
            (f.dropped_connection, Fault::DroppedConnection),
            (f.truncated_body, Fault::TruncatedBody),
        ];
        for (index, (rate, fault)) in table.into_iter().enumerate() {
            if roll < rate {
                self.counts[index].fetch_add(1, Ordering::Relaxed);
                return Some(fault);
            }
            roll -= rate;
        }
        None
    }

    pub(crate) fn counts(&self) -> FaultCounts {
        let get = |i: usize| self.counts[i].load(Ordering::Relaxed);
        FaultCounts {
            too_many_requests: get(0),
            bad_gateway: get(1),
            service_unavailable: get(2),
            slow: get(3),
            dropped_connection: get(4),
            truncated_body: get(5),
        }
    }

    pub(crate) fn slow_delay(&self) -> Duration {
        self.faults.slow_delay
    }

    /// The answer for a fault decided before processing.
    pub(crate) fn refusal(&self, fault: Fault) -> Response {
        match fault {
            Fault::TooManyRequests => {
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
            Fault::BadGateway => (
                StatusCode::BAD_GATEWAY,
                [(header::CONTENT_TYPE, "text/html")],
                "<html><body>502 Bad Gateway</body></html>",
            )
                .into_response(),
            Fault::ServiceUnavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(serde_json::json!({"message": "Service unavailable, try again later"})),
            )
                .into_response(),
            // Unwinding out of the handler makes the server drop the
            // connection without an answer; `resume_unwind` skips the panic hook.
            Fault::DroppedConnection => {
                std::panic::resume_unwind(Box::new("fake: injected dropped connection"))
            }
            Fault::Slow | Fault::TruncatedBody => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
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
