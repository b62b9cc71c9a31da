//! A hostile server: raw TCP on 127.0.0.1, scripted per case, for answers no
//! well-behaved HTTP server library would send (a `Content-Length` the body
//! does not meet, a body that never ends, a connection held open in
//! silence, headers of any value).
//!
//! Each connection is served on a thread of its own, so the server runs on
//! no async runtime and no clock of the test's: a paused tokio clock in the
//! test does not slow or speed it. Requests on one connection are read one
//! after another (keep-alive) until a script closes it or the client does.
//!
//! ```no_run
//! use wpe_api_tests::hostile::{Hostile, Step};
//! let server = Hostile::start(|_request, _index| {
//!     vec![Step::head(429, &[("retry-after", "3600"), ("content-length", "0")])]
//! });
//! let client = server.client_builder().build().unwrap();
//! ```

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// One request as the hostile server read it.
#[derive(Debug, Clone)]
pub struct RawRequest {
    /// The method, as sent.
    pub method: String,
    /// The request target: path and query.
    pub target: String,
    /// The header lines, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// The body (read by `Content-Length`).
    pub body: Vec<u8>,
}

impl RawRequest {
    /// The path, without the query.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }

    /// A query parameter's value.
    pub fn query(&self, name: &str) -> Option<String> {
        let query = self.target.split_once('?')?.1;
        query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.to_owned())
    }

    /// A header's value (the name in any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// One thing the server does on a connection, in order.
#[derive(Debug, Clone)]
pub enum Step {
    /// Writes these bytes as they are.
    Send(Vec<u8>),
    /// Writes `chunk` again and again, `total` bytes in all (the last copy cut to fit).
    Repeat {
        /// What is written.
        chunk: Vec<u8>,
        /// How many bytes in all.
        total: u64,
    },
    /// Writes `chunk` again and again until the client goes away.
    Forever(Vec<u8>),
    /// Writes nothing more and keeps the connection open until the client
    /// closes it (a hung server).
    Hang,
    /// Closes the connection (the rest of a promised body never comes).
    Close,
}

impl Step {
    /// A status line and header lines, then the blank line: nothing is
    /// added, not even `Content-Length` (say it, or say `connection: close`).
    pub fn head(status: u16, headers: &[(&str, &str)]) -> Step {
        let mut head = format!("HTTP/1.1 {status} {}\r\n", reason(status));
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        Step::Send(head.into_bytes())
    }

    /// A whole answer: status, headers, a right `Content-Length` and the
    /// body, in one write.
    pub fn answer(status: u16, headers: &[(&str, &str)], body: &[u8]) -> Vec<Step> {
        let length = body.len().to_string();
        let mut all: Vec<(&str, &str)> = headers.to_vec();
        all.push(("content-length", &length));
        let Step::Send(mut bytes) = Step::head(status, &all) else {
            unreachable!("a head is bytes to send")
        };
        bytes.extend_from_slice(body);
        vec![Step::Send(bytes)]
    }

    /// A whole JSON answer.
    pub fn json(status: u16, body: &serde_json::Value) -> Vec<Step> {
        Step::answer(
            status,
            &[("content-type", "application/json")],
            body.to_string().as_bytes(),
        )
    }
}

fn reason(status: u16) -> &'static str {
    axum::http::StatusCode::from_u16(status)
        .ok()
        .and_then(|status| status.canonical_reason())
        .unwrap_or("Whatever")
}

/// What the script of a request is made from: the request and its index
/// (0 for the first request the server read, on any connection).
pub type Handler = dyn Fn(&RawRequest, usize) -> Vec<Step> + Send + Sync;

struct Shared {
    handler: Box<Handler>,
    seen: Mutex<Vec<RawRequest>>,
    stop: AtomicBool,
    /// Bytes written to clients, all connections together.
    sent: AtomicU64,
}

/// A hostile server on an ephemeral port of 127.0.0.1; stops accepting when dropped.
pub struct Hostile {
    addr: SocketAddr,
    shared: Arc<Shared>,
}

impl Hostile {
    /// Starts a server whose answer to each request is `handler`'s script.
    pub fn start(
        handler: impl Fn(&RawRequest, usize) -> Vec<Step> + Send + Sync + 'static,
    ) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("local address");
        let shared = Arc::new(Shared {
            handler: Box::new(handler),
            seen: Mutex::new(Vec::new()),
            stop: AtomicBool::new(false),
            sent: AtomicU64::new(0),
        });
        let accepting = Arc::clone(&shared);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if accepting.stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let serving = Arc::clone(&accepting);
                std::thread::spawn(move || serve(stream, &serving));
            }
        });
        Self { addr, shared }
    }

    /// The same answer to every request.
    pub fn always(script: Vec<Step>) -> Self {
        Self::start(move |_, _| script.clone())
    }

    /// The base URL of the API on this server (`http://127.0.0.1:PORT/v1`).
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// A client builder for this server, with credentials.
    pub fn client_builder(&self) -> wpe_api::ClientBuilder {
        wpe_api::Client::builder()
            .base_url(self.base_url())
            .credentials(wpe_api::Credentials::new(
                "hostile-user",
                "hostile-password",
            ))
    }

    /// Every request read so far, in order.
    pub fn requests(&self) -> Vec<RawRequest> {
        self.shared
            .seen
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// How many bytes the server has written, all connections together: a
    /// bound on what a client read (the rest of an abandoned body is in
    /// socket buffers at most).
    pub fn bytes_sent(&self) -> u64 {
        self.shared.sent.load(Ordering::SeqCst)
    }
}

impl Drop for Hostile {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Wakes the accepting thread so it sees the stop.
        let _ = TcpStream::connect(self.addr);
    }
}

fn serve(stream: TcpStream, shared: &Shared) {
    // Each step goes out as it is written: no wait on the client's delayed
    // acknowledgement between a head and its body (about 40 ms each).
    let _ = stream.set_nodelay(true);
    let Ok(writer) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    let mut writer = writer;
    loop {
        let Some(request) = read_request(&mut reader) else {
            return;
        };
        let index = {
            let mut seen = shared.seen.lock().unwrap_or_else(|p| p.into_inner());
            seen.push(request.clone());
            seen.len() - 1
        };
        if shared.stop.load(Ordering::SeqCst) {
            return;
        }
        for step in (shared.handler)(&request, index) {
            let written = match step {
                Step::Send(bytes) => writer.write_all(&bytes).inspect(|()| {
                    shared.sent.fetch_add(bytes.len() as u64, Ordering::SeqCst);
                }),
                Step::Repeat { chunk, total } => repeat(&mut writer, &chunk, total, &shared.sent),
                Step::Forever(chunk) => loop {
                    if let Err(err) = writer.write_all(&chunk) {
                        break Err(err);
                    }
                    shared.sent.fetch_add(chunk.len() as u64, Ordering::SeqCst);
                },
                Step::Hang => {
                    // Until the client closes or resets the connection.
                    let mut sink = Vec::new();
                    let _ = reader.read_to_end(&mut sink);
                    return;
                }
                Step::Close => {
                    let _ = writer.flush();
                    let _ = writer.shutdown(Shutdown::Both);
                    return;
                }
            };
            if written.is_err() {
                return;
            }
        }
        let _ = writer.flush();
    }
}

fn repeat(
    writer: &mut TcpStream,
    chunk: &[u8],
    total: u64,
    sent: &AtomicU64,
) -> std::io::Result<()> {
    let mut left = total;
    while left > 0 {
        let take = chunk.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        writer.write_all(&chunk[..take])?;
        sent.fetch_add(take as u64, Ordering::SeqCst);
        left -= take as u64;
    }
    Ok(())
}

fn read_request(reader: &mut BufReader<TcpStream>) -> Option<RawRequest> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let target = parts.next()?.to_owned();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':')?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
    }
    let length: usize = headers
        .iter()
        .find(|(name, _)| name == "content-length")
        .and_then(|(_, value)| value.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(RawRequest {
        method,
        target,
        headers,
        body,
    })
}

/// What the `hostile-call` child process reported: a call made in a process
/// of its own, so that its peak memory is the call's alone.
#[derive(Debug, Clone)]
pub struct ChildCall {
    /// The child's peak resident memory (`VmHWM`), in KiB.
    pub peak_kib: u64,
    /// The status of the error, if it had one.
    pub status: Option<u16>,
    /// What the call ended with: `ok`, or the error's `Display`.
    pub outcome: String,
    /// How long the call took, by the child's clock, in milliseconds.
    pub elapsed_ms: u64,
    /// Whether the client's timeout ended the call (a reqwest timeout
    /// behind the error).
    pub timed_out: bool,
}

/// Runs `hostile-call` (the binary of this crate) against `base_url`:
/// `operation` is `list_accounts` (a GET) or `create_backup` (a POST);
/// `retries` turns on the default retry policy (else none);
/// `timeout_ms` is the client's timeout.
pub fn child_call(
    binary: &str,
    base_url: &str,
    operation: &str,
    retries: bool,
    timeout_ms: u64,
) -> ChildCall {
    let output = std::process::Command::new(binary)
        .args([
            base_url,
            operation,
            if retries { "retries" } else { "once" },
            &timeout_ms.to_string(),
        ])
        .output()
        .expect("hostile-call runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "hostile-call failed: {}\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let value: serde_json::Value = serde_json::from_str(stdout.trim())
        .unwrap_or_else(|err| panic!("hostile-call printed {stdout:?}: {err}"));
    ChildCall {
        peak_kib: value["peak_kib"].as_u64().expect("peak_kib"),
        status: value["status"].as_u64().map(|s| s as u16),
        outcome: value["outcome"].as_str().unwrap_or_default().to_owned(),
        elapsed_ms: value["elapsed_ms"].as_u64().unwrap_or_default(),
        timed_out: value["timed_out"].as_bool().unwrap_or_default(),
    }
}
