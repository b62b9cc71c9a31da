//! `wpe mcp` when a client cancels a call or a rate limit stands in the
//! way: rmcp's client spawns the real binary and talks to it over stdio,
//! the binary talks over HTTP to a stand-in whose log of answered
//! operations shows what was sent, and `wpe mcp`'s standard error says how
//! each call ended.
//!
//! Nothing here waits for time to pass: each step waits for an event (a
//! progress notification, a line of the log, the stand-in holding a
//! request on its manual clock). The only timeouts are fail-safes, so
//! that a test that would hang fails instead.

use std::future::Future;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use rmcp::handler::client::ClientHandler;
use rmcp::model::{
    CallToolRequest, CallToolRequestParams, CallToolResult, ClientRequest,
    ProgressNotificationParam, ProgressToken, ServerResult,
};
use rmcp::service::{NotificationContext, PeerRequestOptions, RequestHandle, RunningService};
use rmcp::transport::TokioChildProcess;
use rmcp::{RoleClient, ServiceExt};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::sync::mpsc;
use wpe_api::clock::VirtualClock;
use wpe_api::fake::{FakeConfig, FakeServer, Seed};

mod mcp_common;

use mcp_common::against;

/// How long a step may take before the test gives up: a fail-safe against
/// a hang, never what a step waits for.
const FAIL_SAFE: Duration = Duration::from_secs(60);

/// How long the stand-in holds each request on its manual clock.
const LATENCY: Duration = Duration::from_secs(1);

/// `what`, or a failure after [`FAIL_SAFE`].
async fn within<T>(what: &str, step: impl Future<Output = T>) -> T {
    tokio::time::timeout(FAIL_SAFE, step)
        .await
        .unwrap_or_else(|_| panic!("no {what} within {FAIL_SAFE:?}"))
}

/// A client that hands every progress notification on to the test.
struct Progress(mpsc::UnboundedSender<ProgressNotificationParam>);

impl ClientHandler for Progress {
    async fn on_progress(
        &self,
        params: ProgressNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        let _ = self.0.send(params);
    }
}

/// An MCP session with `wpe mcp`: its progress notifications and the lines
/// of its standard error, as they come.
struct Session {
    client: RunningService<RoleClient, Progress>,
    progress: mpsc::UnboundedReceiver<ProgressNotificationParam>,
    log: mpsc::UnboundedReceiver<String>,
}

impl Session {
    async fn start(command: tokio::process::Command) -> Session {
        let (transport, stderr) = TokioChildProcess::builder(command)
            .stderr(Stdio::piped())
            .spawn()
            .expect("wpe starts");
        let (lines, log) = mpsc::unbounded_channel();
        let mut stderr = BufReader::new(stderr.expect("standard error")).lines();
        tokio::spawn(async move {
            while let Ok(Some(line)) = stderr.next_line().await {
                let _ = lines.send(line);
            }
        });
        let (notes, progress) = mpsc::unbounded_channel();
        let client = Progress(notes)
            .serve(transport)
            .await
            .expect("the MCP session starts");
        Session {
            client,
            progress,
            log,
        }
    }

    /// Sends a `tools/call` and returns its handle (its id and progress
    /// token; rmcp's client asks every request for progress).
    async fn start_call(&self, tool: &str, arguments: Value) -> RequestHandle<RoleClient> {
        let Value::Object(arguments) = arguments else {
            panic!("arguments are an object")
        };
        let params = CallToolRequestParams::new(tool.to_owned()).with_arguments(arguments);
        self.client
            .send_cancellable_request(
                ClientRequest::CallToolRequest(CallToolRequest::new(params)),
                PeerRequestOptions::no_options(),
            )
            .await
            .expect("the request is sent")
    }

    async fn call(&self, tool: &str, arguments: Value) -> CallToolResult {
        outcome(self.start_call(tool, arguments).await).await
    }

    /// The message of the next progress notification of `token` that
    /// contains `needle`.
    async fn progress_of(&mut self, token: &ProgressToken, needle: &str) -> String {
        within(&format!("progress `{needle}`"), async {
            loop {
                let note = self.progress.recv().await.expect("the session is open");
                let message = note.message.unwrap_or_default();
                if note.progress_token == *token && message.contains(needle) {
                    return message;
                }
            }
        })
        .await
    }

    /// The next line of the log that contains `needle`.
    async fn line(&mut self, needle: &str) -> String {
        within(&format!("log line `{needle}`"), async {
            loop {
                let line = self.log.recv().await.expect("wpe mcp runs");
                if line.contains(needle) {
                    return line;
                }
            }
        })
        .await
    }
}

/// The answer of a call.
async fn outcome(call: RequestHandle<RoleClient>) -> CallToolResult {
    match within("answer", call.await_response()).await {
        Ok(ServerResult::CallToolResult(result)) => result,
        other => panic!("not a tool result: {other:?}"),
    }
}

fn succeeded(result: &CallToolResult) -> &Value {
    assert_eq!(result.is_error, Some(false), "{result:?}");
    result.structured_content.as_ref().expect("structured")
}

fn failed(result: &CallToolResult) -> &Value {
    assert_eq!(result.is_error, Some(true), "{result:?}");
    &result.structured_content.as_ref().expect("structured")["error"]
}

/// How many object-cache purges `server` has answered (with any status).
fn purges_answered(server: &FakeServer) -> Vec<u16> {
    server
        .sent_responses()
        .iter()
        .filter(|r| r.operation_id == "purgeCache")
        .map(|r| r.status)
        .collect()
}

/// The ID of the demo seed's install `name` (the seed's IDs are the same
/// in every stand-in), so that a call sends its purge and nothing else.
async fn seeded_install(name: &str) -> String {
    let server = FakeServer::start(FakeConfig::with_seed(Seed::Demo)).await;
    let installs = server.client().list_installs().send().await.unwrap();
    let install = installs.results.iter().find(|i| i.name == name).unwrap();
    install.id.to_string()
}

/// The demo stand-in holding each request for [`LATENCY`] on a manual
/// clock (so the test sees a request arrive, and says when it is
/// answered), with no spacing of its own between object-cache purges.
async fn holding_stand_in() -> (FakeServer, VirtualClock) {
    let clock = VirtualClock::manual();
    let server = FakeServer::start(FakeConfig {
        latency: LATENCY,
        object_cache_purge_interval: Duration::ZERO,
        clock: Arc::new(clock.clone()),
        ..FakeConfig::with_seed(Seed::Demo)
    })
    .await;
    (server, clock)
}

/// Waits for `call`, answering each request the stand-in holds meanwhile.
async fn answering<T>(clock: &VirtualClock, call: impl Future<Output = T>) -> T {
    let mut call = std::pin::pin!(call);
    within("answer", async {
        loop {
            tokio::select! {
                output = &mut call => return output,
                _ = clock.next_sleep() => clock.advance(LATENCY),
            }
        }
    })
    .await
}

/// Calls of one install take turns: the first purge holds the turn while
/// the stand-in holds its request. The second waits behind it and is
/// cancelled on the news that it waits; the third then waits behind the
/// first alone, and goes when the first is answered. On a server that only
/// dropped the cancelled call's answer, the second would go before the
/// third, and the stand-in would have answered three purges.
#[tokio::test]
async fn cancelling_a_queued_object_purge_sends_no_purge() {
    let install = seeded_install("torquemag").await;
    let (server, clock) = holding_stand_in().await;
    let mut command = against(&server, &["--allow-writes"]);
    // The stand-in spaces nothing; the client, told so, only takes turns.
    command.env("WPE_API_INSTALL_LIMITS", "object-cache-purge=0s");
    let mut session = Session::start(command).await;
    let purge = json!({"install_id": install, "type": "object"});

    let first = session.start_call("purge_cache", purge.clone()).await;
    within("first purge at the stand-in", clock.next_sleep()).await;

    let second = session.start_call("purge_cache", purge.clone()).await;
    let waiting = session.progress_of(&second.progress_token, "waiting").await;
    assert!(
        waiting.contains("object cache purge turn (1 call ahead)"),
        "{waiting}"
    );
    second
        .cancel(Some("the agent changed its mind".into()))
        .await
        .unwrap();
    let cancelled = session.line("purge_cache: cancelled").await;
    assert!(
        cancelled.contains("purge_cache: cancelled before anything was sent"),
        "{cancelled}"
    );

    let third = session.start_call("purge_cache", purge.clone()).await;
    let waiting = session.progress_of(&third.progress_token, "waiting").await;
    assert!(
        waiting.contains("(1 call ahead)"),
        "the cancelled call left the line: {waiting}"
    );
    assert!(
        purges_answered(&server).is_empty(),
        "the first is still held"
    );

    // The stand-in answers the first purge, then each request that follows.
    clock.advance(LATENCY);
    let third = answering(&clock, outcome(third)).await;
    succeeded(&third);
    succeeded(&outcome(first).await);
    assert_eq!(
        purges_answered(&server),
        [202, 202],
        "the first and the third purge, and no other"
    );
    assert_eq!(server.cache_purges().len(), 2);
}

/// A purge cancelled while the stand-in holds its request went out: the
/// log says it may have taken effect, and the next purge of the install
/// keeps the API's spacing from then (a turn 60 s away, past the 30 s the
/// server waits: `rate_limited` at once).
#[tokio::test]
async fn a_purge_cancelled_after_its_request_went_out_is_logged_as_maybe_done() {
    let install = seeded_install("torquemag").await;
    let (server, clock) = holding_stand_in().await;
    let mut session = Session::start(against(&server, &["--allow-writes"])).await;
    let purge = json!({"install_id": install, "type": "object"});

    let call = session.start_call("purge_cache", purge.clone()).await;
    within("the purge at the stand-in", clock.next_sleep()).await;
    call.cancel(None).await.unwrap();
    let cancelled = session.line("purge_cache: cancelled").await;
    assert!(
        cancelled.contains(
            "purge_cache: cancelled after the request was sent; it may have taken effect"
        ),
        "{cancelled}"
    );

    let next = session.call("purge_cache", purge).await;
    let error = failed(&next);
    assert_eq!(error["kind"], "rate_limited", "{error}");
    let seconds = error["retry_after_seconds"].as_u64().unwrap();
    assert!((31..=60).contains(&seconds), "{error}");
}

/// With the API's limits (an object-cache purge per install every 60 s)
/// and the default `--max-wait` of 30 s, a second purge answers at once,
/// unsent; so does one the API itself refuses with a longer `Retry-After`.
#[tokio::test]
async fn an_object_purge_whose_turn_is_past_the_max_wait_answers_rate_limited_at_once() {
    let server = FakeServer::start(FakeConfig::with_seed(Seed::Demo)).await;
    let purge = json!({"install_id": "torquemag", "type": "object"});
    let session = Session::start(against(&server, &["--allow-writes"])).await;
    succeeded(&session.call("purge_cache", purge.clone()).await);
    assert_eq!(purges_answered(&server), [202]);

    let refused = session.call("purge_cache", purge.clone()).await;
    let error = failed(&refused);
    assert_eq!(error["kind"], "rate_limited", "{error}");
    assert_eq!(error["sent"], false, "{error}");
    let seconds = error["retry_after_seconds"].as_u64().unwrap();
    assert!((31..=60).contains(&seconds), "{error}");
    let message = error["message"].as_str().unwrap();
    assert!(
        message.contains("not sent") && message.contains(&format!("call again in {seconds} s")),
        "{message}"
    );
    assert_eq!(purges_answered(&server), [202], "nothing was sent");

    // Another `wpe mcp` (another agent) keeps its own turns: its purge goes
    // out, and the stand-in answers 429 with a Retry-After past 30 s.
    let other = Session::start(against(&server, &["--allow-writes"])).await;
    let refused = other.call("purge_cache", purge).await;
    let error = failed(&refused);
    assert_eq!(error["kind"], "rate_limited", "{error}");
    assert_eq!(error["status"], 429, "{error}");
    let seconds = error["retry_after_seconds"].as_u64().unwrap();
    assert!((31..=60).contains(&seconds), "{error}");
    assert_eq!(
        purges_answered(&server),
        [202, 429],
        "sent once, not retried"
    );
}

/// `--max-wait` raises the bound: the second purge then waits its turn,
/// says at once how long, and a cancel ends it with nothing sent.
#[tokio::test]
async fn with_a_longer_max_wait_a_purge_says_how_long_it_waits_and_a_cancel_sends_nothing() {
    let server = FakeServer::start(FakeConfig::with_seed(Seed::Demo)).await;
    let purge = json!({"install_id": "torquemag", "type": "object"});
    let mut session =
        Session::start(against(&server, &["--allow-writes", "--max-wait", "120"])).await;
    succeeded(&session.call("purge_cache", purge.clone()).await);

    let second = session.start_call("purge_cache", purge).await;
    let waiting = session.progress_of(&second.progress_token, "waiting").await;
    let seconds: u64 = waiting
        .strip_prefix("purge_cache: waiting ")
        .and_then(|rest| rest.strip_suffix(" s for the install's object cache purge turn"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{waiting}"));
    assert!((31..=60).contains(&seconds), "{waiting}");
    second.cancel(None).await.unwrap();
    let cancelled = session.line("purge_cache: cancelled").await;
    assert!(
        cancelled.contains(
            "purge_cache: cancelled before anything that changes things was sent \
             (1 request that only reads went out)"
        ),
        "the name was looked up, the purge not sent: {cancelled}"
    );
    assert_eq!(purges_answered(&server), [202]);
}
