//! Shared helpers of the integration tests: a local HTTP server that answers
//! with queued responses and records every request it receives.

pub mod capture;
pub mod hostile;
pub mod paged;
pub mod recordings;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use wpe_api::clock::{Clock, TokioClock};

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    /// HTTP method.
    pub method: Method,
    /// Path, without the query.
    pub path: String,
    /// Query pairs in the order sent.
    pub query: Vec<(String, String)>,
    /// Headers as received.
    pub headers: HeaderMap,
    /// The body parsed as JSON, or `Value::Null` when empty.
    pub body: Value,
    /// When it arrived, on the server's clock ([`RecordingServer::start_on`]).
    pub at: std::time::Instant,
}

/// A canned response.
#[derive(Debug, Clone)]
pub struct Canned {
    status: u16,
    body: Option<String>,
    headers: Vec<(&'static str, String)>,
}

impl Canned {
    /// A JSON response.
    pub fn json(status: u16, body: &Value) -> Self {
        Self {
            status,
            body: Some(body.to_string()),
            headers: Vec::new(),
        }
    }
    /// A response with no body.
    pub fn empty(status: u16) -> Self {
        Self {
            status,
            body: None,
            headers: Vec::new(),
        }
    }
    /// Adds a response header.
    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
    /// A response whose body is sent verbatim (for malformed-body tests).
    pub fn raw(status: u16, body: &str) -> Self {
        Self {
            status,
            body: Some(body.to_owned()),
            headers: Vec::new(),
        }
    }
}

struct State {
    queue: VecDeque<Canned>,
    seen: Vec<RecordedRequest>,
    clock: Arc<dyn Clock>,
}

/// A recording server on 127.0.0.1, on an ephemeral port; stops when dropped.
pub struct RecordingServer {
    state: Arc<Mutex<State>>,
    base_url: String,
    task: tokio::task::JoinHandle<()>,
}

impl RecordingServer {
    /// Starts the server on tokio's clock. Unqueued requests get a 599 so a
    /// test notices them.
    pub async fn start() -> Self {
        Self::start_on(TokioClock).await
    }

    /// Starts the server, recording arrival times from `clock` (give the
    /// client the same clock to compare its waits with the arrivals).
    pub async fn start_on(clock: impl Clock) -> Self {
        let state = Arc::new(Mutex::new(State {
            queue: VecDeque::new(),
            seen: Vec::new(),
            clock: Arc::new(clock),
        }));
        let shared = Arc::clone(&state);
        let app = axum::Router::new().fallback(
            move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                let shared = Arc::clone(&shared);
                async move { record(&shared, method, uri, headers, body) }
            },
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("local addr");
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.expect("serve");
        });
        Self {
            state,
            base_url: format!("http://{addr}/v1"),
            task,
        }
    }

    /// The base URL to give the client (`http://127.0.0.1:PORT/v1`).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// A client for this server with test credentials and no retries, so
    /// every call is exactly one request.
    pub fn client(&self) -> wpe_api::Client {
        self.client_with(wpe_api::retry::RetryPolicy::none())
    }

    /// A client for this server with test credentials and `policy`.
    pub fn client_with(&self, policy: wpe_api::retry::RetryPolicy) -> wpe_api::Client {
        wpe_api::Client::builder()
            .credentials(wpe_api::Credentials::new(TEST_USER, TEST_PASSWORD))
            .base_url(self.base_url())
            .retry_policy(policy)
            .build()
            .expect("client for the recording server")
    }

    /// Queues the answer to the next request.
    pub fn respond(&self, canned: Canned) {
        self.state.lock().unwrap().queue.push_back(canned);
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state.lock().unwrap().seen.clone()
    }

    /// The only request received; panics unless exactly one arrived.
    pub fn single_request(&self) -> RecordedRequest {
        let seen = self.requests();
        assert_eq!(seen.len(), 1, "expected exactly one request, got {seen:?}");
        seen.into_iter().next().unwrap()
    }
}

impl Drop for RecordingServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The API user name the test clients send.
pub const TEST_USER: &str = "test-user";
/// The API password the test clients send.
pub const TEST_PASSWORD: &str = "correct-horse-battery-staple";

fn record(
    state: &Mutex<State>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let query = uri
        .query()
        .map(|q| {
            q.split('&')
                .filter(|pair| !pair.is_empty())
                .map(|pair| {
                    let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                    (k.to_owned(), v.to_owned())
                })
                .collect()
        })
        .unwrap_or_default();
    let body = if body.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&body)
            .unwrap_or(Value::String(String::from_utf8_lossy(&body).into_owned()))
    };
    let mut state = state.lock().unwrap();
    let at = state.clock.now();
    state.seen.push(RecordedRequest {
        method,
        path: uri.path().to_owned(),
        query,
        headers,
        body,
        at,
    });
    let Some(canned) = state.queue.pop_front() else {
        return (StatusCode::from_u16(599).unwrap(), "no response queued").into_response();
    };
    let mut response = match canned.body {
        Some(body) => (
            StatusCode::from_u16(canned.status).unwrap(),
            [("content-type", "application/json")],
            body,
        )
            .into_response(),
        None => StatusCode::from_u16(canned.status).unwrap().into_response(),
    };
    for (name, value) in canned.headers {
        response.headers_mut().insert(name, value.parse().unwrap());
    }
    response
}

/// The `Authorization` value for HTTP Basic, encoded by hand so the tests do
/// not share the encoder under test.
pub fn basic_auth(user: &str, password: &str) -> String {
    format!(
        "Basic {}",
        base64_by_hand(format!("{user}:{password}").as_bytes())
    )
}

/// Standard base64 with padding, written out here so that tests check the
/// library's encoders (credentials, certificates) against an independent one.
pub fn base64_by_hand(input: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            out.push(if i <= chunk.len() {
                TABLE[((n >> (18 - 6 * i)) & 63) as usize] as char
            } else {
                '='
            });
        }
    }
    out
}

/// An archive of backup `backup` as the archives list holds it: `id` made a
/// UUID, its `state` and `create_time`, and a download link once completed.
pub fn archive_json(id: u128, backup: uuid::Uuid, state: &str, created: &str) -> Value {
    let mut archive = serde_json::json!({
        "id": uuid::Uuid::from_u128(id),
        "backup": {"id": backup},
        "state": state,
        "create_time": created,
    });
    if state == "completed" {
        archive["download_uri"] = format!("https://downloads.invalid/{id}.zip").into();
    }
    archive
}

/// Loads `tests/fixtures/<name>.json`.
pub fn fixture(name: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "read {}: {e}. Each operation with a JSON answer needs an example of that answer \
             there (our own values, shaped as the spec says), and a test of it in \
             tests/tests/operations/<resource>.rs",
            path.display()
        )
    });
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parse {}: {e}", path.display()))
}

/// `relative` under the team's `../shared` directory (beside the workspace
/// root), when it exists; it is read from there and never copied into the
/// project.
///
/// When it does not exist the test cannot prove anything: on CI (`CI` is
/// `true` or `1`) this fails the test, saying what is missing; elsewhere it
/// prints why the test is skipped and returns `None`, and the caller returns.
pub fn shared_file(relative: &str) -> Option<std::path::PathBuf> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared")
        .join(relative);
    if path.exists() {
        return Some(path);
    }
    let on_ci =
        std::env::var("CI").is_ok_and(|value| value.eq_ignore_ascii_case("true") || value == "1");
    let reason = format!(
        "{} is absent: this test reads the team's ../shared directory beside the workspace",
        path.display()
    );
    assert!(!on_ci, "CI=true and {reason}");
    eprintln!("skipped: {reason} (on CI, with CI=true, this fails)");
    None
}
