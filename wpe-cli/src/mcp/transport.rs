//! `wpe mcp`'s standard input and output: every line the client sends is
//! bounded and checked before rmcp reads it, and every line that is not a
//! usable message is answered with the JSON-RPC error it deserves.
//!
//! rmcp's own stdio transport leaves a line that is not JSON unanswered (on
//! purpose, since rmcp 2.1), answers a message of the wrong shape without
//! its `id`, reads params that do not fit a method as an unknown method, and
//! parses a deeply nested line only to drop it. [`LineTransport`] reads the
//! lines itself and hands rmcp only the messages that parse; a valid message
//! reaches rmcp exactly as rmcp's transport would have parsed it.
//!
//! | the line | the answer |
//! |---|---|
//! | not UTF-8, or not JSON | `-32700`, `id` null |
//! | longer than [`MAX_MESSAGE`] (1 MiB) | `-32600` "message too large", with its `id` if the first [`ID_PREFIX`] bytes show it |
//! | nested deeper than [`MAX_DEPTH`] | `-32600`, with its `id` if the first [`ID_PREFIX`] bytes show it |
//! | JSON but not a JSON-RPC request (a batch, no `jsonrpc: "2.0"`, an `id` neither string nor integer) | `-32600`, with its `id` if it has a usable one |
//! | a request of a known method whose `params` rmcp's types refuse | `-32602`, with its `id` |
//! | a notification that does not parse | nothing (a notification is never answered) |
//!
//! Errors are answered at most [`ERROR_BURST`] at once and [`ERRORS_PER_SECOND`]
//! a second after that ([`ErrorBudget`]); past that, bad lines are dropped
//! unanswered and standard error says how many, at most once a second. An
//! error message quotes at most a short prefix of any value ([`limits::quote`]);
//! standard error names the kind of each error answered, never a value.
//!
//! One task writes standard output: rmcp's messages and these errors go
//! through it line by line, so an error never lands inside another message.

use std::future::Future;
use std::io;
use std::time::Duration;

use rmcp::model::{
    CallToolRequest, CallToolRequestMethod, CancelTaskMethod, CancelTaskRequest,
    ClientJsonRpcMessage, ClientRequest, CompleteRequest, CompleteRequestMethod, ConstString,
    DiscoverRequest, DiscoverRequestMethod, ErrorCode, GetPromptRequest, GetPromptRequestMethod,
    GetSkillRequest, GetSkillRequestMethod, GetTaskMethod, GetTaskRequest, InitializeRequest,
    InitializeResultMethod, JsonRpcMessage, JsonRpcRequest, ListPromptsRequest,
    ListPromptsRequestMethod, ListResourceTemplatesRequest, ListResourceTemplatesRequestMethod,
    ListResourcesRequest, ListResourcesRequestMethod, ListSkillsRequest, ListSkillsRequestMethod,
    ListToolsRequest, ListToolsRequestMethod, PingRequest, PingRequestMethod,
    ReadResourceDirectoryRequest, ReadResourceDirectoryRequestMethod, ReadResourceRequest,
    ReadResourceRequestMethod, RequestId, ServerJsonRpcMessage, SetLevelRequestMethod,
    SubscribeRequestMethod, SubscriptionsListenRequest, SubscriptionsListenRequestMethod,
    UnsubscribeRequestMethod, UpdateTaskMethod, UpdateTaskRequest,
};
use rmcp::transport::Transport;
use rmcp::RoleServer;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::limits;

/// The longest line (one JSON-RPC message, without its newline) that is
/// read: 1 MiB. A longer one is never held whole: its first bytes are kept
/// to find its `id`, the rest is skipped up to its newline, and it is
/// answered `-32600`.
pub const MAX_MESSAGE: usize = 1 << 20;

/// How deep a message may nest objects and arrays (the message itself is
/// level 1; a tool's arguments start at level 4). Checked by a scan of the
/// bytes before any parser sees the line, so a line of thousands of `[`
/// costs a pass over it and nothing more.
pub const MAX_DEPTH: usize = 64;

/// How many bytes at the start of an oversized line are searched for its
/// `id` (a client writes `jsonrpc` and `id` first).
pub const ID_PREFIX: usize = 4096;

/// The longest `id` read from the prefix of an oversized line, so that the
/// answer stays short; a longer one is answered with `id` null.
const MAX_ID: usize = limits::MAX_NAME as usize;

/// How many errors are answered at once before the rate applies.
pub const ERROR_BURST: u32 = 20;

/// How many errors a second are answered past the burst.
pub const ERRORS_PER_SECOND: u32 = 10;

/// The longest error message the transport sends, in characters.
const MAX_ERROR_MESSAGE: usize = 300;

/// How much of standard input is read at a time.
const READ_BUFFER: usize = 64 * 1024;

/// `wpe mcp`'s transport on standard input and output (rmcp's non-blocking
/// pipes where both are pipes).
pub fn stdio() -> LineTransport<rmcp::transport::StdioReader> {
    let (read, write) = rmcp::transport::stdio_pipes();
    LineTransport::new(read, write)
}

/// A server transport of newline-delimited JSON-RPC messages that answers
/// protocol errors itself (see the [module](self)). Must be created inside
/// a Tokio runtime: it starts the task that writes the output.
pub struct LineTransport<R> {
    read: BufReader<R>,
    /// The line being read, without its newline; of an oversized line, its
    /// first [`ID_PREFIX`] bytes.
    line: Vec<u8>,
    /// The length so far of the line being read, once it is known to be
    /// longer than [`MAX_MESSAGE`].
    too_large: Option<u64>,
    /// Lines for the writer; `None` once closed.
    output: Option<mpsc::UnboundedSender<Outgoing>>,
    writer: Option<JoinHandle<()>>,
    budget: ErrorBudget,
}

/// A line for the writer, and who waits to hear it was written.
struct Outgoing {
    line: Vec<u8>,
    written: Option<oneshot::Sender<io::Result<()>>>,
}

impl<R: AsyncRead + Send + Unpin> LineTransport<R> {
    /// A transport reading messages from `read` and writing them to `write`.
    pub fn new<W>(read: R, write: W) -> Self
    where
        W: AsyncWrite + Send + Unpin + 'static,
    {
        let (output, lines) = mpsc::unbounded_channel();
        LineTransport {
            read: BufReader::with_capacity(READ_BUFFER, read),
            line: Vec::new(),
            too_large: None,
            output: Some(output),
            writer: Some(tokio::spawn(write_lines(write, lines))),
            budget: ErrorBudget::new(Instant::now()),
        }
    }

    /// Reads the next line into `self.line`, never more than
    /// [`MAX_MESSAGE`] bytes of it. Cancel-safe: what was read stays in
    /// `self` for the next call (rmcp polls `receive` in a `select!`).
    async fn read_line(&mut self) -> LineRead {
        loop {
            let available = match self.read.fill_buf().await {
                Ok(available) => available,
                Err(err) => return LineRead::Failed(err),
            };
            if available.is_empty() {
                return LineRead::End;
            }
            let newline = find_newline(available);
            let chunk = &available[..newline.unwrap_or(available.len())];
            match self.too_large.as_mut() {
                Some(length) => *length += chunk.len() as u64,
                None if self.line.len() + chunk.len() > MAX_MESSAGE => {
                    self.too_large = Some((self.line.len() + chunk.len()) as u64);
                    self.line.truncate(ID_PREFIX);
                    let keep = (ID_PREFIX - self.line.len()).min(chunk.len());
                    self.line.extend_from_slice(&chunk[..keep]);
                }
                None => self.line.extend_from_slice(chunk),
            }
            let consumed = newline.map_or(available.len(), |at| at + 1);
            self.read.consume(consumed);
            if newline.is_some() {
                return match self.too_large.take() {
                    Some(length) => LineRead::TooLarge(length),
                    None => LineRead::Line,
                };
            }
        }
    }

    /// Answers `refusal` if the budget allows, or counts it as dropped.
    fn answer(&mut self, refusal: Refusal) {
        let now = Instant::now();
        if self.budget.spend(now) {
            eprintln!(
                "wpe mcp: answered a malformed message with {} ({})",
                refusal.code.0,
                refusal.kind()
            );
            if let Some(output) = &self.output {
                // The writer only goes away with `output`.
                let _ = output.send(Outgoing {
                    line: refusal.line(),
                    written: None,
                });
            }
        } else {
            self.budget.drop_one();
        }
        self.report_dropped(now);
    }

    /// Says on standard error how many bad lines went unanswered, when the
    /// budget says it is time.
    fn report_dropped(&mut self, now: Instant) {
        if let Some(dropped) = self.budget.due_report(now) {
            report(dropped);
        }
    }
}

/// One line on standard error: how many malformed messages went unanswered.
fn report(dropped: u64) {
    eprintln!(
        "wpe mcp: {dropped} malformed messages left unanswered (errors are answered at most \
         {ERROR_BURST} at once and {ERRORS_PER_SECOND} a second)"
    );
}

/// What one bounded read of a line gave.
enum LineRead {
    /// A whole line is in `line`.
    Line,
    /// A line longer than [`MAX_MESSAGE`], of this many bytes; `line` holds
    /// its first [`ID_PREFIX`] bytes.
    TooLarge(u64),
    /// The client closed standard input.
    End,
    Failed(io::Error),
}

/// Where the first newline of `bytes` is. std's `BufRead` on a slice finds
/// it with the platform's `memchr`, fast even in a debug build.
fn find_newline(bytes: &[u8]) -> Option<usize> {
    let mut rest = bytes;
    let read = io::BufRead::skip_until(&mut rest, b'\n').ok()?;
    (read > 0 && bytes[read - 1] == b'\n').then(|| read - 1)
}

/// Writes each line it is given, whole, in order: the one writer of
/// standard output.
async fn write_lines<W: AsyncWrite + Unpin>(
    mut write: W,
    mut lines: mpsc::UnboundedReceiver<Outgoing>,
) {
    while let Some(Outgoing { line, written }) = lines.recv().await {
        let result = async {
            write.write_all(&line).await?;
            write.flush().await
        }
        .await;
        if let Some(written) = written {
            let _ = written.send(result);
        }
    }
    let _ = write.shutdown().await;
}

fn closed() -> io::Error {
    io::Error::new(
        io::ErrorKind::NotConnected,
        "the MCP transport is closed: nothing more can be sent",
    )
}

impl<R: AsyncRead + Send + Unpin> Transport<RoleServer> for LineTransport<R> {
    type Error = io::Error;

    fn send(
        &mut self,
        item: ServerJsonRpcMessage,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send + 'static {
        let queued = match (&self.output, serde_json::to_vec(&item)) {
            (None, _) => Err(closed()),
            (Some(_), Err(err)) => Err(io::Error::new(io::ErrorKind::InvalidData, err)),
            (Some(output), Ok(mut line)) => {
                line.push(b'\n');
                let (written, done) = oneshot::channel();
                output
                    .send(Outgoing {
                        line,
                        written: Some(written),
                    })
                    .map(|()| done)
                    .map_err(|_| closed())
            }
        };
        async move { queued?.await.unwrap_or_else(|_| Err(closed())) }
    }

    async fn receive(&mut self) -> Option<ClientJsonRpcMessage> {
        loop {
            let read = self.read_line().await;
            let checked = match read {
                LineRead::Line => check(&self.line),
                LineRead::TooLarge(length) => {
                    Checked::Refuse(Refusal::too_large(length, id_in_prefix(&self.line)))
                }
                LineRead::End => {
                    if let Some(dropped) = self.budget.take_dropped() {
                        report(dropped);
                    }
                    return None;
                }
                LineRead::Failed(err) => {
                    eprintln!("wpe mcp: standard input failed: {err}");
                    return None;
                }
            };
            self.line.clear();
            match checked {
                Checked::Pass(message) => {
                    self.report_dropped(Instant::now());
                    return Some(message);
                }
                Checked::Skip => {}
                Checked::Refuse(refusal) => self.answer(refusal),
            }
        }
    }

    async fn close(&mut self) -> Result<(), Self::Error> {
        // The writer ends once it has written what it was given.
        drop(self.output.take());
        if let Some(writer) = self.writer.take() {
            writer.await.map_err(io::Error::other)?;
        }
        Ok(())
    }
}

/// What becomes of one line.
// Lives only until the message is handed to rmcp, which takes it unboxed.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
enum Checked {
    /// A message for rmcp, as rmcp's own transport would have parsed it.
    Pass(ClientJsonRpcMessage),
    /// Nothing to do: a blank line, or a notification that does not parse.
    Skip,
    /// An error to answer.
    Refuse(Refusal),
}

/// A JSON-RPC error the transport answers itself.
#[derive(Debug, Clone, PartialEq)]
struct Refusal {
    code: ErrorCode,
    /// The request's `id`; `None` is sent as `null`.
    id: Option<RequestId>,
    message: String,
}

impl Refusal {
    fn new(code: ErrorCode, id: Option<RequestId>, message: String) -> Refusal {
        Refusal {
            code,
            id,
            message: shortened(&message),
        }
    }

    fn parse_error(why: String) -> Refusal {
        Refusal::new(
            ErrorCode::PARSE_ERROR,
            None,
            format!("parse error: {why}; send one JSON-RPC message per line"),
        )
    }

    fn invalid_request(id: Option<RequestId>, why: &str) -> Refusal {
        Refusal::new(
            ErrorCode::INVALID_REQUEST,
            id,
            format!("invalid request: {why}"),
        )
    }

    fn invalid_params(id: RequestId, method: &str, problem: &str) -> Refusal {
        Refusal::new(
            ErrorCode::INVALID_PARAMS,
            Some(id),
            format!("invalid params of `{method}`: {problem}"),
        )
    }

    fn too_large(length: u64, id: Option<RequestId>) -> Refusal {
        Refusal::new(
            ErrorCode::INVALID_REQUEST,
            id,
            format!(
                "message too large ({length} bytes; the limit is 1 MiB): nothing of it was read"
            ),
        )
    }

    /// What kind of error it is, for the log: the message up to its first
    /// colon, which never holds anything the client sent (only the message
    /// after it quotes values).
    fn kind(&self) -> &str {
        self.message.split(':').next().unwrap_or_default()
    }

    /// The answer as a line of JSON-RPC.
    fn line(&self) -> Vec<u8> {
        #[derive(serde::Serialize)]
        struct Answer<'a> {
            jsonrpc: &'static str,
            id: &'a Option<RequestId>,
            error: Error<'a>,
        }
        #[derive(serde::Serialize)]
        struct Error<'a> {
            code: i32,
            message: &'a str,
        }
        let mut line = serde_json::to_vec(&Answer {
            jsonrpc: "2.0",
            id: &self.id,
            error: Error {
                code: self.code.0,
                message: &self.message,
            },
        })
        .expect("an answer of numbers and text serializes");
        line.push(b'\n');
        line
    }
}

/// Checks one line (without its newline): a message for rmcp, or why not.
fn check(line: &[u8]) -> Checked {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    // RFC 8259 lets a parser ignore a byte order mark; rmcp does.
    let line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
    if line.iter().all(u8::is_ascii_whitespace) {
        return Checked::Skip;
    }
    if let Err(err) = std::str::from_utf8(line) {
        return Checked::Refuse(Refusal::parse_error(format!(
            "the line is not UTF-8 text (byte {} is not)",
            err.valid_up_to()
        )));
    }
    if nested_deeper_than(line, MAX_DEPTH) {
        return Checked::Refuse(Refusal::invalid_request(
            id_in_prefix(line),
            &format!("objects and arrays nest deeper than {MAX_DEPTH} levels; nothing was read"),
        ));
    }
    match serde_json::from_slice::<ClientJsonRpcMessage>(line) {
        Ok(message) => {
            // rmcp reads a request of its own method whose params do not
            // fit as a custom one, and answers "method not found".
            if let JsonRpcMessage::Request(JsonRpcRequest {
                id,
                request: ClientRequest::CustomRequest(custom),
                ..
            }) = &message
            {
                if let Some(problem) = params_problem(&custom.method, custom.params.as_ref()) {
                    return Checked::Refuse(Refusal::invalid_params(
                        id.clone(),
                        &custom.method,
                        &problem,
                    ));
                }
            }
            Checked::Pass(message)
        }
        Err(err) => match serde_json::from_slice::<Value>(line) {
            Err(syntax) => Checked::Refuse(Refusal::parse_error(format!(
                "the line is not JSON ({syntax})"
            ))),
            Ok(value) => shape_problem(&value, &err),
        },
    }
}

/// Why `value`, JSON that rmcp's message type refused with `err`, is not a
/// message: an error to answer, or nothing for a notification.
fn shape_problem(value: &Value, err: &serde_json::Error) -> Checked {
    let refuse =
        |id: Option<RequestId>, why: &str| Checked::Refuse(Refusal::invalid_request(id, why));
    let message = match value {
        Value::Object(message) => message,
        Value::Array(_) => {
            return refuse(
                None,
                "a batch (an array) is not supported; send one message per line",
            )
        }
        _ => return refuse(None, "a JSON-RPC message is an object"),
    };
    let id = match message.get("id").map(RequestId::deserialize) {
        None => None,
        Some(Ok(id)) => Some(id),
        Some(Err(_)) => return refuse(None, "`id` must be a string or an integer"),
    };
    if id.is_none() && message.contains_key("method") {
        // A notification is never answered, not even when it is wrong;
        // rmcp's transport also drops the ones it cannot read.
        return Checked::Skip;
    }
    if message.get("jsonrpc") != Some(&json!("2.0")) {
        return refuse(id, "`jsonrpc` must be \"2.0\"");
    }
    match (message.get("method"), &id) {
        (Some(Value::String(method)), Some(id)) => {
            if let Some(problem) = params_problem(method, message.get("params")) {
                return Checked::Refuse(Refusal::invalid_params(id.clone(), method, &problem));
            }
        }
        (Some(method), _) if !method.is_string() => return refuse(id, "`method` must be a string"),
        _ => {}
    }
    refuse(
        id,
        &format!("not a JSON-RPC 2.0 request, notification or response ({err})"),
    )
}

/// When `method` is one of rmcp's and `params` do not fit its type, what
/// serde says of them; `None` for a method rmcp does not know (or params
/// that fit after all).
// rmcp still reads the methods of older protocol versions (logging,
// resources/subscribe), so their params are checked too.
#[allow(deprecated)]
fn params_problem(method: &str, params: Option<&Value>) -> Option<String> {
    let mut request = Map::new();
    request.insert("method".to_owned(), json!(method));
    if let Some(params) = params {
        request.insert("params".to_owned(), params.clone());
    }
    let request = Value::Object(request);
    use rmcp::model::{SetLevelRequest, SubscribeRequest, UnsubscribeRequest};
    macro_rules! typed {
        ($($method:ty => $request:ty),* $(,)?) => {
            $(
                if method == <$method as ConstString>::VALUE {
                    return <$request>::deserialize(&request).err().map(|e| plain(&e.to_string()));
                }
            )*
        };
    }
    typed!(
        InitializeResultMethod => InitializeRequest,
        PingRequestMethod => PingRequest,
        DiscoverRequestMethod => DiscoverRequest,
        CompleteRequestMethod => CompleteRequest,
        SetLevelRequestMethod => SetLevelRequest,
        GetPromptRequestMethod => GetPromptRequest,
        ListPromptsRequestMethod => ListPromptsRequest,
        ListResourcesRequestMethod => ListResourcesRequest,
        ListResourceTemplatesRequestMethod => ListResourceTemplatesRequest,
        ReadResourceRequestMethod => ReadResourceRequest,
        SubscriptionsListenRequestMethod => SubscriptionsListenRequest,
        SubscribeRequestMethod => SubscribeRequest,
        UnsubscribeRequestMethod => UnsubscribeRequest,
        CallToolRequestMethod => CallToolRequest,
        ListToolsRequestMethod => ListToolsRequest,
        GetTaskMethod => GetTaskRequest,
        UpdateTaskMethod => UpdateTaskRequest,
        CancelTaskMethod => CancelTaskRequest,
        ListSkillsRequestMethod => ListSkillsRequest,
        GetSkillRequestMethod => GetSkillRequest,
        ReadResourceDirectoryRequestMethod => ReadResourceDirectoryRequest,
    );
    None
}

/// serde's message without the names of rmcp's Rust types: "expected
/// struct WithMeta" says "expected an object".
fn plain(message: &str) -> String {
    const STRUCT: &str = "expected struct ";
    match message.find(STRUCT) {
        None => message.to_owned(),
        Some(at) => {
            let rest = &message[at + STRUCT.len()..];
            let name = rest
                .find(|c: char| !c.is_alphanumeric() && c != '_')
                .unwrap_or(rest.len());
            format!("{}expected an object{}", &message[..at], &rest[name..])
        }
    }
}

/// `text` with every quoted run (`"..."` or `` `...` ``) longer than
/// [`limits::MAX_QUOTE`] characters cut to a prefix ([`limits::quote`]), and
/// the whole at most [`MAX_ERROR_MESSAGE`] characters: serde quotes the
/// values it refuses, and those come from the client.
fn shortened(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(open) = rest.find(['"', '`']) {
        out.push_str(&rest[..open]);
        let mark = rest.as_bytes()[open];
        let body = &rest[open + 1..];
        let mut escaped = false;
        let close = body.char_indices().find_map(|(at, c)| {
            let closes = c == mark as char && !escaped;
            escaped = mark == b'"' && c == '\\' && !escaped;
            closes.then_some(at)
        });
        let Some(close) = close else {
            out.push_str(&rest[open..]);
            rest = "";
            break;
        };
        let quoted = &body[..close];
        if quoted.chars().count() > limits::MAX_QUOTE {
            out.push_str(&limits::quote(quoted));
        } else {
            out.push_str(&rest[open..open + close + 2]);
        }
        rest = &body[close + 1..];
    }
    out.push_str(rest);
    match out.char_indices().nth(MAX_ERROR_MESSAGE) {
        Some((end, _)) => format!("{}…", &out[..end]),
        None => out,
    }
}

/// Where a walk over the bytes of JSON stands: inside a string (its
/// escapes known) or not, and how deep in objects and arrays. The one
/// string-aware walk both byte scans ([`nested_deeper_than`],
/// [`value_end`]) take, so that brackets and quotes in a string never count.
#[derive(Debug, Default)]
struct Walk {
    depth: usize,
    in_string: bool,
    escaped: bool,
}

/// What one byte was to a [`Walk`].
#[derive(Debug, PartialEq, Eq)]
enum Seen {
    /// A byte inside a string, its opening quote included.
    InString,
    /// The quote that closes a string.
    StringEnd,
    /// `{` or `[`: one level deeper.
    Open,
    /// `}` or `]`, and the depth before it.
    Close { from: usize },
    /// Any other byte outside a string.
    Other,
}

impl Walk {
    fn step(&mut self, byte: u8) -> Seen {
        if self.in_string {
            if self.escaped {
                self.escaped = false;
            } else if byte == b'\\' {
                self.escaped = true;
            } else if byte == b'"' {
                self.in_string = false;
                return Seen::StringEnd;
            }
            return Seen::InString;
        }
        match byte {
            b'"' => {
                self.in_string = true;
                Seen::InString
            }
            b'{' | b'[' => {
                self.depth += 1;
                Seen::Open
            }
            b'}' | b']' => {
                let from = self.depth;
                self.depth = from.saturating_sub(1);
                Seen::Close { from }
            }
            _ => Seen::Other,
        }
    }
}

/// Whether `bytes` nest objects and arrays deeper than `max` levels, in a
/// single pass ([`Walk`]) that stops at the first level too deep.
fn nested_deeper_than(bytes: &[u8], max: usize) -> bool {
    let mut walk = Walk::default();
    bytes
        .iter()
        .any(|&byte| walk.step(byte) == Seen::Open && walk.depth > max)
}

/// The `id` of the message that `bytes` start, if its top level shows one
/// (a string of at most [`MAX_ID`] bytes or an integer) before `bytes` or
/// [`ID_PREFIX`] bytes end. Reads only the top level: an `id` inside
/// `params` is not the message's; a nested value is skipped without
/// recursion.
fn id_in_prefix(bytes: &[u8]) -> Option<RequestId> {
    let bytes = &bytes[..bytes.len().min(ID_PREFIX)];
    let mut at = skip_space(bytes, 0);
    if bytes.get(at) != Some(&b'{') {
        return None;
    }
    at += 1;
    loop {
        at = skip_space(bytes, at);
        if bytes.get(at) != Some(&b'"') {
            return None;
        }
        let key_end = value_end(bytes, at)?;
        let key = &bytes[at..key_end];
        at = skip_space(bytes, key_end);
        if bytes.get(at) != Some(&b':') {
            return None;
        }
        at = skip_space(bytes, at + 1);
        let end = value_end(bytes, at)?;
        if key == b"\"id\"" {
            let value = &bytes[at..end];
            if value.len() > MAX_ID + 2 {
                return None;
            }
            return serde_json::from_slice(value).ok();
        }
        at = skip_space(bytes, end);
        match bytes.get(at) {
            Some(b',') => at += 1,
            _ => return None,
        }
    }
}

fn skip_space(bytes: &[u8], mut at: usize) -> usize {
    while bytes.get(at).is_some_and(u8::is_ascii_whitespace) {
        at += 1;
    }
    at
}

/// Where the JSON value starting at `start` ends (one past its last byte),
/// if it ends within `bytes`.
fn value_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut walk = Walk::default();
    for (at, &byte) in bytes.iter().enumerate().skip(start) {
        let top = walk.depth == 0;
        match walk.step(byte) {
            Seen::StringEnd if top => return Some(at + 1),
            Seen::Close { from: 1 } => return Some(at + 1),
            // A scalar ends where the next delimiter starts.
            Seen::Close { from: 0 } => return (at > start).then_some(at),
            Seen::Other if top && matches!(byte, b',' | b' ' | b'\t' | b'\r' | b'\n') => {
                return (at > start).then_some(at)
            }
            _ => {}
        }
    }
    None
}

/// How many errors may be answered: a token bucket of [`ERROR_BURST`]
/// tokens that refills at [`ERRORS_PER_SECOND`], and the count of the
/// errors dropped since standard error last said so. Time is given to each
/// call, so a test sets the clock.
#[derive(Debug)]
pub struct ErrorBudget {
    /// Time's worth of tokens: one token is [`ErrorBudget::EVERY`].
    credit: Duration,
    /// When `credit` was last brought up to date.
    updated: Instant,
    dropped: u64,
    /// When the dropped ones were last reported.
    reported: Instant,
}

impl ErrorBudget {
    /// The time one token takes to come back.
    const EVERY: Duration = Duration::from_nanos(1_000_000_000 / ERRORS_PER_SECOND as u64);
    /// The most credit the bucket holds: [`ERROR_BURST`] tokens.
    const FULL: Duration =
        Duration::from_nanos(ERROR_BURST as u64 * (1_000_000_000 / ERRORS_PER_SECOND as u64));
    /// How often standard error may say how many were dropped.
    const REPORT_EVERY: Duration = Duration::from_secs(1);

    /// A full bucket at `now`.
    pub fn new(now: Instant) -> ErrorBudget {
        ErrorBudget {
            credit: Self::FULL,
            updated: now,
            dropped: 0,
            reported: now,
        }
    }

    /// Takes a token at `now`: whether an error may be answered.
    pub fn spend(&mut self, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.updated);
        self.credit = (self.credit + elapsed).min(Self::FULL);
        self.updated = now;
        match self.credit.checked_sub(Self::EVERY) {
            Some(left) => {
                self.credit = left;
                true
            }
            None => false,
        }
    }

    /// Counts an error that was not answered.
    pub fn drop_one(&mut self) {
        self.dropped += 1;
    }

    /// How many were dropped since the last report, when there are some
    /// and the last report is at least a second old at `now`.
    pub fn due_report(&mut self, now: Instant) -> Option<u64> {
        if self.dropped == 0 || now.saturating_duration_since(self.reported) < Self::REPORT_EVERY {
            return None;
        }
        self.reported = now;
        self.take_dropped()
    }

    /// How many were dropped and not reported yet (at the end, whenever).
    pub fn take_dropped(&mut self) -> Option<u64> {
        (self.dropped > 0).then(|| std::mem::take(&mut self.dropped))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;

    fn id(value: Value) -> Option<RequestId> {
        Some(RequestId::deserialize(&value).unwrap())
    }

    #[test]
    fn nesting_is_counted_outside_strings_only() {
        let nest = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(!nested_deeper_than(nest(MAX_DEPTH).as_bytes(), MAX_DEPTH));
        assert!(nested_deeper_than(
            nest(MAX_DEPTH + 1).as_bytes(),
            MAX_DEPTH
        ));
        assert!(nested_deeper_than(nest(5_000).as_bytes(), MAX_DEPTH));
        // Brackets in a string, after an escaped quote, do not count.
        let in_string = format!(r#"{{"a":"\"{}"}}"#, "[{".repeat(100));
        assert!(!nested_deeper_than(in_string.as_bytes(), 2));
        // An escaped backslash ends in a real quote: what follows counts.
        let after = format!(r#"{{"a":"\\",{}"#, "[".repeat(3));
        assert!(nested_deeper_than(after.as_bytes(), 3));
        assert!(!nested_deeper_than(after.as_bytes(), 4));
        // Closing brackets do not make room for deeper ones.
        assert!(!nested_deeper_than(b"[[]][[]]", 2));
        assert!(nested_deeper_than(b"[[]][[[]]]", 2));
    }

    #[test]
    fn the_id_is_read_from_the_top_level_of_a_prefix() {
        let read = |text: &str| id_in_prefix(text.as_bytes());
        assert_eq!(
            read(r#"{"jsonrpc":"2.0","id":7,"method":"x"}"#),
            id(json!(7))
        );
        assert_eq!(
            read(r#" { "jsonrpc" : "2.0" , "id" : "a-b" , "params":"#),
            id(json!("a-b"))
        );
        // Not an id inside params, nor a key's text in a string value.
        assert_eq!(
            read(r#"{"params":{"id":1,"x":["id",{"id":2}]},"note":"\"id\":5","id":"real"}"#),
            id(json!("real"))
        );
        // An escaped string id is decoded.
        assert_eq!(read(r#"{"id":"a\"b","method""#), id(json!("a\"b")));
        // No id, or none that can be answered with.
        assert_eq!(read(r#"{"jsonrpc":"2.0","method":"x"}"#), None);
        assert_eq!(read(r#"{"id":1.5,"method":"x"}"#), None);
        assert_eq!(read(r#"{"id":null,"method":"x"}"#), None);
        assert_eq!(read(r#"{"id":{"a":1},"method":"x"}"#), None);
        assert_eq!(read(r#"["id",1]"#), None);
        assert_eq!(read("not json"), None);
        // Cut off: an id that may go on past the prefix is not guessed.
        assert_eq!(read(r#"{"jsonrpc":"2.0","id":12"#), None);
        assert_eq!(read(r#"{"jsonrpc":"2.0","id":"ab"#), None);
        // After ID_PREFIX bytes, or too long to echo.
        let late = format!(r#"{{"pad":"{}","id":3}}"#, "x".repeat(ID_PREFIX));
        assert_eq!(read(&late), None);
        let long = format!(r#"{{"id":"{}"}}"#, "x".repeat(MAX_ID + 1));
        assert_eq!(read(&long), None);
        let longest = format!(r#"{{"id":"{}"}}"#, "x".repeat(MAX_ID));
        assert!(read(&longest).is_some());
    }

    #[test]
    fn an_error_message_quotes_only_a_prefix_of_long_values() {
        let long = "x".repeat(10_000);
        let message = shortened(&format!(
            "invalid type: string \"{long}\", expected a map; unknown field `{long}`"
        ));
        assert!(
            message.chars().count() <= MAX_ERROR_MESSAGE + 1,
            "{message}"
        );
        assert!(message.contains("(10000 characters)"), "{message}");
        assert!(
            message.starts_with("invalid type: string `xxx"),
            "{message}"
        );
        // Short quotes and escaped quotes stay as they are.
        let short = r#"missing field `name` in "a \"b\" c""#;
        assert_eq!(shortened(short), short);
        // Unbalanced quotes are still cut at the end.
        let open = shortened(&format!("at \"{long}"));
        assert!(open.chars().count() <= MAX_ERROR_MESSAGE + 1, "{open}");
    }

    #[test]
    fn the_budget_answers_a_burst_then_ten_a_second_and_reports_drops_once_a_second() {
        let start = Instant::now();
        let at = |ms: u64| start + Duration::from_millis(ms);
        let mut budget = ErrorBudget::new(start);
        assert_eq!((0..100).filter(|_| budget.spend(at(0))).count(), 20);
        assert!(!budget.spend(at(99)));
        assert!(budget.spend(at(100)));
        assert!(!budget.spend(at(100)));
        // A second refills ten, and a long pause never more than the burst.
        assert_eq!((0..100).filter(|_| budget.spend(at(1_100))).count(), 10);
        assert_eq!((0..100).filter(|_| budget.spend(at(60_000))).count(), 20);
        // A flood over 3 s: the burst, then 10 a second.
        let mut budget = ErrorBudget::new(start);
        let answered = (0..3_000).filter(|ms| budget.spend(at(*ms))).count();
        assert_eq!(answered, 20 + 30 - 1);

        let mut budget = ErrorBudget::new(start);
        budget.drop_one();
        assert_eq!(budget.due_report(at(500)), None, "not within a second");
        budget.drop_one();
        assert_eq!(budget.due_report(at(1_000)), Some(2));
        assert_eq!(budget.due_report(at(5_000)), None, "nothing new");
        budget.drop_one();
        assert_eq!(budget.due_report(at(5_500)), Some(1));
        budget.drop_one();
        assert_eq!(budget.due_report(at(6_000)), None);
        assert_eq!(budget.take_dropped(), Some(1), "at the end, whenever");
        assert_eq!(budget.take_dropped(), None);
    }

    #[test]
    fn valid_messages_pass_as_rmcp_parses_them_and_the_rest_is_refused() {
        let pass = |text: &str| match check(text.as_bytes()) {
            Checked::Pass(message) => message,
            other => panic!("{text}: {other:?}"),
        };
        let refused = |text: &[u8]| match check(text) {
            Checked::Refuse(refusal) => refusal,
            other => panic!("{}: {other:?}", String::from_utf8_lossy(text)),
        };
        let ping = r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#;
        assert_eq!(
            serde_json::to_value(pass(ping)).unwrap(),
            serde_json::to_value(serde_json::from_str::<ClientJsonRpcMessage>(ping).unwrap())
                .unwrap()
        );
        pass("\u{feff}{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\r");
        // An unknown method goes to rmcp, which answers -32601.
        pass(r#"{"jsonrpc":"2.0","id":2,"method":"made/up","params":{"a":1}}"#);
        assert!(matches!(check(b"   "), Checked::Skip));
        // A notification that does not parse is not answered.
        assert!(matches!(
            check(br#"{"method":"notifications/initialized"}"#),
            Checked::Skip
        ));

        let garbage = refused(b"this is not json");
        assert_eq!(
            (garbage.code, garbage.id.clone()),
            (ErrorCode::PARSE_ERROR, None)
        );
        let latin1 = refused(b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"p\xe9\"}");
        assert_eq!((latin1.code, latin1.id), (ErrorCode::PARSE_ERROR, None));
        assert!(latin1.message.contains("UTF-8"), "{}", latin1.message);

        let deep = format!(
            r#"{{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{}{}}}"#,
            "[".repeat(5_000),
            "]".repeat(5_000)
        );
        let deep = refused(deep.as_bytes());
        assert_eq!(
            (deep.code, deep.id),
            (ErrorCode::INVALID_REQUEST, id(json!(4)))
        );

        for (text, expected) in [
            (r#"{"jsonrpc":"2.0","id":5,"method":7}"#, id(json!(5))),
            (
                r#"{"jsonrpc":"1.0","id":"x","method":"ping"}"#,
                id(json!("x")),
            ),
            (r#"{"id":6,"method":"ping"}"#, id(json!(6))),
            (r#"{"jsonrpc":"2.0","id":1.5,"method":"ping"}"#, None),
            (r#"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#, None),
            (r#"{"foo":"bar"}"#, None),
            ("42", None),
        ] {
            let refusal = refused(text.as_bytes());
            assert_eq!(
                (refusal.code, refusal.id),
                (ErrorCode::INVALID_REQUEST, expected),
                "{text}: {}",
                refusal.message
            );
        }

        for (text, field) in [
            (
                r#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"arguments":{}}}"#,
                "name",
            ),
            (
                r#"{"jsonrpc":"2.0","id":7,"method":"tools/call"}"#,
                "params",
            ),
            (
                r#"{"jsonrpc":"2.0","id":7,"method":"tools/list","params":5}"#,
                "integer `5`, expected an object",
            ),
            (
                r#"{"jsonrpc":"2.0","id":7,"method":"prompts/get","params":{}}"#,
                "name",
            ),
            (
                r#"{"jsonrpc":"2.0","id":7,"method":"initialize","params":{"protocolVersion":1}}"#,
                "invalid params of `initialize`: ",
            ),
        ] {
            let refusal = refused(text.as_bytes());
            assert_eq!(
                (refusal.code, refusal.id),
                (ErrorCode::INVALID_PARAMS, id(json!(7))),
                "{text}: {}",
                refusal.message
            );
            assert!(
                refusal.message.contains(field),
                "{text}: {}",
                refusal.message
            );
        }
        let long = format!(
            r#"{{"jsonrpc":"2.0","id":8,"method":"tools/call","params":"{}"}}"#,
            "y".repeat(100_000)
        );
        let refusal = refused(long.as_bytes());
        assert_eq!(refusal.code, ErrorCode::INVALID_PARAMS);
        // The log says what kind of error, never the value.
        assert_eq!(refusal.kind(), "invalid params of `tools/call`");
        assert!(refusal.line().len() < 400, "{}", refusal.message);
    }

    /// Standard input as `input`; what the transport hands rmcp, and what
    /// it wrote to standard output, once the input ends.
    async fn run(input: Vec<u8>) -> (Vec<Value>, Vec<Value>) {
        let (output, mut written) = tokio::io::duplex(1 << 16);
        let reading = tokio::spawn(async move {
            let mut bytes = Vec::new();
            written.read_to_end(&mut bytes).await.unwrap();
            bytes
        });
        let mut transport = LineTransport::new(&input[..], output);
        let mut passed = Vec::new();
        while let Some(message) = transport.receive().await {
            passed.push(serde_json::to_value(message).unwrap());
        }
        transport.close().await.unwrap();
        let written = reading.await.unwrap();
        let answers = written
            .split(|b| *b == b'\n')
            .filter(|line| !line.is_empty())
            .map(|line| serde_json::from_slice(line).unwrap())
            .collect();
        (passed, answers)
    }

    #[tokio::test]
    async fn a_line_over_the_limit_is_skipped_and_answered_with_its_id_and_the_next_passes() {
        let ping = |id: u64, pad: usize| {
            let mut line = format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"ping","pad":""#);
            line.push_str(&"z".repeat(pad - line.len() - 2));
            line.push_str("\"}");
            assert_eq!(line.len(), pad);
            line + "\n"
        };
        let mut input = ping(1, MAX_MESSAGE).into_bytes();
        input.extend(ping(2, MAX_MESSAGE + 1).into_bytes());
        input.extend(ping(3, 3 * MAX_MESSAGE).into_bytes());
        input.extend(ping(4, 100).into_bytes());
        let (passed, answers) = run(input).await;
        let ids: Vec<&Value> = passed.iter().map(|m| &m["id"]).collect();
        assert_eq!(ids, [&json!(1), &json!(4)], "the limit is inclusive");
        assert_eq!(answers.len(), 2, "{answers:?}");
        for (answer, (id, length)) in answers
            .iter()
            .zip([(2, MAX_MESSAGE + 1), (3, 3 * MAX_MESSAGE)])
        {
            assert_eq!(answer["id"], id, "{answer}");
            assert_eq!(answer["error"]["code"], -32600, "{answer}");
            assert_eq!(
                answer["error"]["message"],
                format!("message too large ({length} bytes; the limit is 1 MiB): nothing of it was read"),
            );
        }
    }

    /// With the clock paused, the whole flood arrives at one instant.
    #[tokio::test(start_paused = true)]
    async fn a_flood_of_garbage_is_answered_within_the_budget_and_valid_messages_still_pass() {
        let mut input = b"garbage\n".repeat(500);
        input.extend(br#"{"jsonrpc":"2.0","id":9,"method":"ping"}"#);
        input.push(b'\n');
        let (passed, answers) = run(input).await;
        assert_eq!(passed.len(), 1);
        assert_eq!(answers.len(), ERROR_BURST as usize);
        assert!(answers
            .iter()
            .all(|a| a["error"]["code"] == -32700 && a["id"].is_null()));
    }

    #[test]
    fn the_limit_is_the_one_the_messages_name() {
        assert_eq!(MAX_MESSAGE, 1024 * 1024, "the errors say 1 MiB");
    }
}
