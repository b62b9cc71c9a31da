//! `wpe mcp` at the level of JSON-RPC lines: what it answers to a line that
//! is not a usable message (not JSON, not UTF-8, nested too deep, too
//! large, the wrong shape, params that do not fit), how many such answers a
//! flood gets, and that the session goes on after each. The real binary is
//! spawned; raw lines are written where a client library would refuse to
//! send them, and rmcp's client is used for the 16 MB argument.

use std::pin::Pin;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use rmcp::model::CallToolRequestParams;
use rmcp::{ServiceError, ServiceExt};
use serde_json::{json, Value};
use tokio::io::{
    AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWriteExt, BufReader, Lines, ReadBuf,
};
use tokio::process::{Child, ChildStdin, ChildStdout};
use wpe_api::fake::{FakeConfig, FakeServer, Seed};

mod mcp_common;

use mcp_common::{against, demo};

/// How long a test waits for an answer before it fails (a guard against a
/// server that never answers, not a measure of speed).
const ANSWER_WITHIN: Duration = Duration::from_secs(60);

/// What the server says it answers at once and then a second (the module
/// doc of `wpe-cli/src/mcp/transport.rs`).
const ERROR_BURST: usize = 20;
const ERRORS_PER_SECOND: f64 = 10.0;

/// A session spoken line by line: the raw bytes go in, each answer line
/// comes out parsed.
struct Raw {
    child: Child,
    stdin: ChildStdin,
    stdout: Lines<BufReader<ChildStdout>>,
}

impl Raw {
    /// `wpe --demo mcp`, initialized.
    async fn start() -> Raw {
        let mut child = demo(&[])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("wpe starts");
        let mut raw = Raw {
            stdin: child.stdin.take().unwrap(),
            stdout: BufReader::new(child.stdout.take().unwrap()).lines(),
            child,
        };
        let init = raw
            .ask(
                &json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
                "protocolVersion": "2025-06-18", "capabilities": {},
                "clientInfo": {"name": "test", "version": "0"}}}),
            )
            .await;
        assert!(init["result"]["serverInfo"].is_object(), "{init}");
        raw.send(
            json!({"jsonrpc": "2.0", "method": "notifications/initialized"})
                .to_string()
                .as_bytes(),
        )
        .await;
        raw
    }

    /// Writes `line` and its newline.
    async fn send(&mut self, line: &[u8]) {
        self.stdin.write_all(line).await.expect("wpe reads");
        self.stdin.write_all(b"\n").await.expect("wpe reads");
        self.stdin.flush().await.expect("wpe reads");
    }

    /// The next line the server writes, parsed, and its length in bytes.
    async fn next(&mut self) -> (Value, usize) {
        let line = tokio::time::timeout(ANSWER_WITHIN, self.stdout.next_line())
            .await
            .expect("wpe answers")
            .expect("wpe's output is readable")
            .expect("wpe answers before closing its output");
        let answer = serde_json::from_str(&line)
            .unwrap_or_else(|err| panic!("not JSON-RPC ({err}): {line}"));
        (answer, line.len())
    }

    /// Sends `message` and reads the answer.
    async fn ask(&mut self, message: &Value) -> Value {
        self.send(message.to_string().as_bytes()).await;
        self.next().await.0
    }

    /// Sends `line` and reads the JSON-RPC error it is answered with: the
    /// answer (checked to be an error with `code` and `id`) and its length.
    async fn refused(&mut self, line: &[u8], code: i64, id: Value) -> (Value, usize) {
        self.send(line).await;
        let (answer, length) = self.next().await;
        let shown = String::from_utf8_lossy(&line[..line.len().min(200)]).into_owned();
        assert_eq!(answer["jsonrpc"], "2.0", "{shown}: {answer}");
        assert_eq!(answer["error"]["code"], code, "{shown}: {answer}");
        assert_eq!(answer.get("id"), Some(&id), "{shown}: {answer}");
        assert!(answer.get("result").is_none(), "{shown}: {answer}");
        (answer, length)
    }

    /// The session still answers a request: a ping with `id`.
    async fn still_answers(&mut self, id: u64) {
        let pong = self
            .ask(&json!({"jsonrpc": "2.0", "id": id, "method": "ping"}))
            .await;
        assert_eq!(pong, json!({"jsonrpc": "2.0", "id": id, "result": {}}));
    }

    /// Closes the input: the rest of the output (checked to be nothing)
    /// and standard error, once `wpe` has exited 0.
    async fn finish(mut self) -> String {
        drop(self.stdin);
        let rest = self.stdout.next_line().await.unwrap();
        assert_eq!(rest, None, "nothing after the answers");
        let mut log = String::new();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut log)
            .await
            .unwrap();
        assert!(self.child.wait().await.unwrap().success(), "{log}");
        log
    }
}

#[tokio::test]
async fn a_line_that_is_not_json_or_not_utf8_is_a_parse_error_with_a_null_id() {
    let mut raw = Raw::start().await;
    let (answer, _) = raw.refused(b"this is not json", -32700, Value::Null).await;
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not JSON"),
        "{answer}"
    );
    // A request in Latin-1: JSON-RPC's parse error even though the id is plain.
    let (answer, _) = raw
        .refused(
            b"{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"caf\xe9\"}",
            -32700,
            Value::Null,
        )
        .await;
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("UTF-8"),
        "{answer}"
    );
    raw.refused(b"{\"jsonrpc\":\"2.0\",\"id\":4,", -32700, Value::Null)
        .await;
    raw.still_answers(5).await;
    raw.finish().await;
}

#[tokio::test]
async fn a_request_nested_5000_deep_is_refused_with_its_id() {
    let mut raw = Raw::start().await;
    let deep = format!("{}{}", "[".repeat(5_000), "]".repeat(5_000));
    let line = format!(
        r#"{{"jsonrpc":"2.0","id":"deep","method":"tools/call","params":{{"name":"get_install","arguments":{{"install_id":{deep}}}}}}}"#
    );
    let (answer, length) = raw.refused(line.as_bytes(), -32600, json!("deep")).await;
    assert!(
        answer["error"]["message"].as_str().unwrap().contains("64"),
        "{answer}"
    );
    assert!(length < 1024, "{length}");
    // The id after the nesting is not looked for: the answer has none.
    let line = format!(r#"{{"jsonrpc":"2.0","params":{deep},"method":"ping","id":7}}"#);
    raw.refused(line.as_bytes(), -32600, Value::Null).await;
    // 64 levels are read: a message, a tool's arguments and 60 more.
    let nest = format!("{}{}", "[".repeat(60), "]".repeat(60));
    let call = json!({"jsonrpc": "2.0", "id": 8, "method": "tools/call", "params": {
        "name": "get_install", "arguments": {"install_id": "PLACE"}}})
    .to_string()
    .replace("\"PLACE\"", &nest);
    raw.send(call.as_bytes()).await;
    let (answer, _) = raw.next().await;
    assert_eq!(answer["id"], 8, "{answer}");
    assert_eq!(
        answer["result"]["isError"], true,
        "a tool error about the argument, from the tool: {answer}"
    );
    raw.still_answers(9).await;
    raw.finish().await;
}

#[tokio::test]
async fn an_invalid_request_is_answered_with_its_id_when_it_has_one() {
    let mut raw = Raw::start().await;
    raw.refused(
        br#"{"jsonrpc":"2.0","id":10,"method":7}"#,
        -32600,
        json!(10),
    )
    .await;
    raw.refused(
        br#"{"jsonrpc":"1.0","id":"eleven","method":"ping"}"#,
        -32600,
        json!("eleven"),
    )
    .await;
    raw.refused(br#"{"id":12,"method":"ping"}"#, -32600, json!(12))
        .await;
    // No id to answer with: null, never left out.
    raw.refused(
        br#"{"jsonrpc":"2.0","id":1.5,"method":"ping"}"#,
        -32600,
        Value::Null,
    )
    .await;
    raw.refused(br#"{"foo":"bar"}"#, -32600, Value::Null).await;
    let (batch, _) = raw
        .refused(
            br#"[{"jsonrpc":"2.0","id":13,"method":"ping"}]"#,
            -32600,
            Value::Null,
        )
        .await;
    assert!(
        batch["error"]["message"]
            .as_str()
            .unwrap()
            .contains("batch"),
        "{batch}"
    );
    // A line over 1 MiB whose id comes only at its end.
    let late = format!(
        r#"{{"jsonrpc":"2.0","method":"ping","pad":"{}","id":14}}"#,
        "x".repeat(2 << 20)
    );
    let (large, length) = raw.refused(late.as_bytes(), -32600, Value::Null).await;
    assert!(
        large["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with(&format!(
                "message too large ({} bytes; the limit is 1 MiB)",
                late.len()
            )),
        "{large}"
    );
    assert!(length < 1024, "{length}");
    // A method nobody has is still rmcp's "method not found".
    let unknown = raw
        .ask(&json!({"jsonrpc": "2.0", "id": 15, "method": "made/up"}))
        .await;
    assert_eq!(unknown["error"]["code"], -32601, "{unknown}");
    assert_eq!(unknown["id"], 15, "{unknown}");
    // A notification is never answered, even a wrong one: the next answer is the ping's.
    raw.send(br#"{"method":"notifications/initialized"}"#).await;
    raw.still_answers(16).await;
    raw.finish().await;
}

#[tokio::test]
async fn bad_params_of_a_known_method_are_invalid_params_with_the_id() {
    let mut raw = Raw::start().await;
    let cases = [
        (
            json!({"jsonrpc": "2.0", "id": 20, "method": "tools/call", "params": {"arguments": {}}}),
            "missing field `name`",
        ),
        (
            json!({"jsonrpc": "2.0", "id": 21, "method": "tools/call", "params": {"name": 5}}),
            "invalid type: integer `5`",
        ),
        (
            json!({"jsonrpc": "2.0", "id": 22, "method": "tools/call"}),
            "missing field `params`",
        ),
        (
            json!({"jsonrpc": "2.0", "id": 23, "method": "tools/list", "params": 5}),
            "expected an object",
        ),
        (
            json!({"jsonrpc": "2.0", "id": 24, "method": "prompts/get", "params": {}}),
            "missing field `name`",
        ),
        (
            json!({"jsonrpc": "2.0", "id": 25, "method": "initialize", "params": {"capabilities": 1}}),
            "invalid params of `initialize`",
        ),
    ];
    for (message, says) in cases {
        let id = message["id"].clone();
        let (answer, _) = raw
            .refused(message.to_string().as_bytes(), -32602, id)
            .await;
        let text = answer["error"]["message"].as_str().unwrap();
        assert!(text.contains(says), "{message}: {text}");
        assert!(text.contains(message["method"].as_str().unwrap()), "{text}");
    }
    // A long value is quoted by a prefix only.
    let long =
        json!({"jsonrpc": "2.0", "id": 26, "method": "tools/call", "params": "y".repeat(100_000)});
    let (answer, length) = raw
        .refused(long.to_string().as_bytes(), -32602, json!(26))
        .await;
    assert!(length < 1024, "{length}: {answer}");
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("(100000 characters)"),
        "{answer}"
    );
    raw.still_answers(27).await;
    raw.finish().await;
}

#[tokio::test]
async fn a_flood_of_garbage_gets_a_bounded_number_of_answers_and_the_session_goes_on() {
    const FLOOD: usize = 2_000;
    let mut raw = Raw::start().await;
    let mut flood = b"garbage\n".repeat(FLOOD - 1);
    flood.extend_from_slice(b"garbage");
    let started = Instant::now();
    raw.send(&flood).await;
    raw.send(br#"{"jsonrpc":"2.0","id":99,"method":"ping"}"#)
        .await;
    let mut answered = 0;
    loop {
        let (answer, _) = raw.next().await;
        if answer["id"] == 99 {
            assert_eq!(answer["result"], json!({}), "{answer}");
            break;
        }
        assert_eq!(answer["error"]["code"], -32700, "{answer}");
        assert_eq!(answer["id"], Value::Null, "{answer}");
        answered += 1;
    }
    // The bound the server keeps for however long the flood took to read.
    let bound = ERROR_BURST + (started.elapsed().as_secs_f64() * ERRORS_PER_SECOND).ceil() as usize;
    assert!(
        (ERROR_BURST..=bound).contains(&answered),
        "{answered} answers to {FLOOD} bad lines; at most {bound}"
    );
    assert!(answered < FLOOD / 2, "{answered}");
    raw.still_answers(100).await;
    let log = raw.finish().await;
    // Standard error counts the rest.
    let dropped: usize = log
        .lines()
        .filter_map(|line| line.strip_prefix("wpe mcp: "))
        .filter_map(|line| line.split_once(" malformed messages left unanswered"))
        .map(|(count, _)| count)
        .map(|count| count.parse::<usize>().expect("a count"))
        .sum();
    assert_eq!(answered + dropped, FLOOD, "{log}");
}

/// The bytes a reader gave, kept for the test to look at.
struct Tap<R> {
    inner: R,
    seen: Arc<Mutex<Vec<u8>>>,
}

impl<R: AsyncRead + Unpin> AsyncRead for Tap<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if polled.is_ready() {
            let read = buf.filled()[before..].to_vec();
            self.seen.lock().unwrap().extend_from_slice(&read);
        }
        polled
    }
}

/// Whether `list_installs` answered (not a tool error).
async fn list_installs(
    client: &rmcp::service::RunningService<rmcp::RoleClient, ()>,
) -> Option<bool> {
    let result = client
        .call_tool(CallToolRequestParams::new("list_installs"))
        .await
        .expect("list_installs is answered");
    result.is_error.map(|failed| !failed)
}

#[tokio::test]
async fn a_16_mb_argument_is_refused_with_a_short_answer_and_nothing_is_sent() {
    let server = FakeServer::start(FakeConfig::with_seed(Seed::Demo)).await;
    let mut child = against(&server, &[])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("wpe starts");
    let seen = Arc::new(Mutex::new(Vec::new()));
    let stdout = Tap {
        inner: child.stdout.take().unwrap(),
        seen: seen.clone(),
    };
    let client =
        ().serve((stdout, child.stdin.take().unwrap()))
            .await
            .expect("the MCP session starts");
    assert_eq!(list_installs(&client).await, Some(true));

    let before = server.sent_responses().len();
    let huge = "x".repeat(16 << 20);
    let mut arguments = serde_json::Map::new();
    arguments.insert("install_id".into(), json!(huge));
    let refused = tokio::time::timeout(
        ANSWER_WITHIN,
        client.call_tool(CallToolRequestParams::new("get_install").with_arguments(arguments)),
    )
    .await
    .expect("wpe answers");
    let Err(ServiceError::McpError(error)) = refused else {
        panic!("a JSON-RPC error, not {refused:?}");
    };
    assert_eq!(error.code.0, -32600, "{error:?}");
    assert!(
        error.message.contains("message too large") && error.message.contains("1 MiB"),
        "{error:?}"
    );
    let sent: Vec<&str> = server.sent_responses()[before..]
        .iter()
        .map(|r| r.operation_id)
        .collect();
    assert!(sent.is_empty(), "nothing reaches the API: {sent:?}");
    let output = seen.lock().unwrap().clone();
    let answer = output
        .split(|b| *b == b'\n')
        .find(|line| line.windows(6).any(|w| w == b"-32600"))
        .expect("the answer is on standard output");
    assert!(
        answer.len() < 1024,
        "{} bytes: {}",
        answer.len(),
        String::from_utf8_lossy(answer)
    );

    // The session goes on.
    assert_eq!(list_installs(&client).await, Some(true));
    assert_eq!(
        server.sent_responses()[before..]
            .iter()
            .map(|r| r.operation_id)
            .collect::<Vec<_>>(),
        ["listInstalls"]
    );
    client.cancel().await.expect("the session closes");
    child.wait().await.unwrap();
}
