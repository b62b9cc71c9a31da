//! How much of an answer's body the client reads (the caps of
//! [`crate::ClientBuilder::max_body_bytes`] and
//! [`crate::ClientBuilder::max_error_body_bytes`]).
//!
//! Every answer's body is read here, by the `exec` hook, before it is handed
//! over, into one buffer that never grows past the cap:
//!
//! - a success (2xx) whose body passes the success cap, or whose
//!   `Content-Length` announces more (then nothing is read), is handed over
//!   with a body that fails with [`TooLarge`] when read: `crate::error::finish`
//!   finds it behind progenitor's error and makes it
//!   [`crate::Error::ResponseTooLarge`], with the status and the start of the
//!   body. A success body that breaks off is a transport failure, as before.
//! - any other answer (an error status, a redirect) keeps its status
//!   whatever its body does: what arrived up to the error cap is its body,
//!   and a body that passes the cap or breaks off (connection closed, reset
//!   or the client's timeout) is marked with a [`BodyCut`] extension.
//!
//! The frames come from the response's own body, which carries reqwest's
//! total timeout: a body that keeps streaming or stalls is still ended by
//! the client's timeout.

use std::fmt;

use http_body_util::BodyExt as _;
use reqwest::header::HeaderMap;
use reqwest::{Response, StatusCode};

use crate::error::BodyCut;

/// How much of a too-large success body the error keeps, for its excerpt.
const KEPT_OF_TOO_LARGE: usize = 4096;

/// The caps on bodies, set on the [`crate::ClientBuilder`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Limits {
    /// The largest success body read.
    pub(crate) success: u64,
    /// The most of any other answer's body read and kept.
    pub(crate) error: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            success: crate::config::DEFAULT_MAX_BODY_BYTES,
            error: crate::config::DEFAULT_MAX_ERROR_BODY_BYTES,
        }
    }
}

/// A success body larger than the client's cap: the error its body fails
/// with, carrying what `crate::error::finish` needs to say so.
#[derive(Debug, Clone)]
pub(crate) struct TooLarge {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    /// The first bytes of the body (none when its length alone refused it).
    pub(crate) start: Vec<u8>,
    pub(crate) cut: BodyCut,
}

impl fmt::Display for TooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} answer: {}", self.status, self.cut)
    }
}

impl std::error::Error for TooLarge {}

impl TooLarge {
    /// The `TooLarge` behind an error, if any (the error itself or one of its sources).
    pub(crate) fn find<'a>(err: &'a (dyn std::error::Error + 'static)) -> Option<&'a TooLarge> {
        let mut next = Some(err);
        while let Some(err) = next {
            if let Some(found) = err.downcast_ref::<TooLarge>() {
                return Some(found);
            }
            next = err.source();
        }
        None
    }
}

/// Reads `response`'s body within `limits` and hands the response over with
/// the body in memory (see the module docs). A success whose body breaks off
/// is the transport error it met.
pub(crate) async fn read(response: Response, limits: Limits) -> reqwest::Result<Response> {
    use reqwest::ResponseBuilderExt as _;
    let status = response.status();
    let declared = response.content_length();
    // Status, headers and extensions move over as they are; only the URL is
    // copied (without it, `Response::from` parses a placeholder URL).
    let url = response.url().clone();
    let (mut parts, mut body) = http::Response::<reqwest::Body>::from(response).into_parts();
    if let Some(with_url) = http::Response::builder().url(url).extensions_mut() {
        parts.extensions.extend(std::mem::take(with_url));
    }
    let success = status.is_success();
    let limit = if success {
        limits.success
    } else {
        limits.error
    };
    let too_large = |start: &[u8]| TooLarge {
        status,
        headers: parts.headers.clone(),
        start: start[..start.len().min(KEPT_OF_TOO_LARGE)].to_vec(),
        cut: BodyCut::TooLarge { limit, declared },
    };
    if success && declared.is_some_and(|declared| declared > limit) {
        // Refused by its length: not a byte of it is read.
        let err = too_large(&[]);
        drop(body);
        return Ok(failing(parts, err));
    }
    let cap = usize::try_from(limit).unwrap_or(usize::MAX);
    let announced = declared.map_or(0, |d| usize::try_from(d).unwrap_or(usize::MAX));
    let mut kept: Vec<u8> = Vec::with_capacity(announced.min(cap));
    let mut cut = None;
    while let Some(frame) = body.frame().await {
        let data = match frame {
            Ok(frame) => match frame.into_data() {
                Ok(data) => data,
                Err(_trailers) => continue,
            },
            Err(err) if success => return Err(err),
            Err(err) => {
                cut = Some(BodyCut::BrokeOff {
                    after: kept.len() as u64,
                    declared,
                    timed_out: err.is_timeout(),
                });
                break;
            }
        };
        let room = cap - kept.len();
        if data.len() > room {
            grow(&mut kept, room, cap);
            kept.extend_from_slice(&data[..room]);
            if success {
                let err = too_large(&kept);
                drop((kept, body));
                return Ok(failing(parts, err));
            }
            cut = Some(BodyCut::TooLarge { limit, declared });
            break;
        }
        grow(&mut kept, data.len(), cap);
        kept.extend_from_slice(&data);
    }
    // The rest of a cut body is not read: dropping it closes the connection.
    drop(body);
    if let Some(cut) = cut {
        parts.extensions.insert(cut);
    }
    Ok(Response::from(http::Response::from_parts(
        parts,
        reqwest::Body::from(kept),
    )))
}

/// Makes room for `more` bytes, doubling as a `Vec` does but never past `cap`.
fn grow(kept: &mut Vec<u8>, more: usize, cap: usize) {
    let needed = kept.len() + more;
    if needed > kept.capacity() {
        let target = kept.capacity().saturating_mul(2).max(needed).min(cap);
        kept.reserve_exact(target.max(needed) - kept.len());
    }
}

/// The response with a body that fails with `err` when it is read.
fn failing(parts: http::response::Parts, err: TooLarge) -> Response {
    // A one-byte body over a limit of none: its first read is an error,
    // which becomes `err`.
    let body = http_body_util::Limited::new(http_body_util::Full::new(&b"-"[..]), 0)
        .map_err(move |_| err.clone());
    Response::from(http::Response::from_parts(parts, reqwest::Body::wrap(body)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn growth_stops_at_the_cap() {
        let mut kept = Vec::with_capacity(10);
        kept.extend_from_slice(&[0; 10]);
        grow(&mut kept, 5, 16);
        assert_eq!(kept.capacity(), 16);
        kept.extend_from_slice(&[0; 5]);
        grow(&mut kept, 1, 16);
        assert_eq!(kept.capacity(), 16);
    }

    #[tokio::test]
    async fn a_failing_body_fails_with_its_too_large() {
        let err = TooLarge {
            status: StatusCode::OK,
            headers: HeaderMap::new(),
            start: b"[".to_vec(),
            cut: BodyCut::TooLarge {
                limit: 1,
                declared: Some(2),
            },
        };
        let parts = http::Response::new(()).into_parts().0;
        let read = failing(parts, err).bytes().await.unwrap_err();
        let found = TooLarge::find(&read).expect("TooLarge behind reqwest's error");
        assert_eq!(found.start, b"[");
    }
}
