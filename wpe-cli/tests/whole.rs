//! Nothing the API sends is lost on the way to the user: every answer
//! recorded from the live API (`../shared/real-responses`), and the same
//! answers with fields no spec names added at every level, served over
//! HTTP, come out of `wpe --json`, `wpe --format ndjson` and `wpe mcp`'s
//! `structuredContent` with every key path they had, `null`s and empty
//! objects included.

use std::process::Stdio;

use rmcp::model::CallToolRequestParams;
use rmcp::transport::TokioChildProcess;
use rmcp::ServiceExt;
use serde_json::{json, Value};
use wpe_api_tests::recordings::{live_recordings, lost_key_paths, Recording};
use wpe_api_tests::{Canned, RecordingServer, TEST_PASSWORD, TEST_USER};

/// A recording served once per request, as often as it is asked for.
struct Served {
    server: RecordingServer,
    runtime: tokio::runtime::Runtime,
}

impl Served {
    fn new(rec: &Recording, requests: usize) -> Served {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let server = runtime.block_on(RecordingServer::start());
        for _ in 0..requests {
            server.respond(
                Canned::raw(rec.status, &rec.body.to_string())
                    .header("content-type", rec.content_type.clone()),
            );
        }
        Served { server, runtime }
    }

    /// `wpe` pointed at this server, with the test credentials.
    fn wpe(&self) -> std::process::Command {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_wpe"));
        command
            .env("WPE_API_URL", self.server.base_url())
            .env("WPE_API_USER", TEST_USER)
            .env("WPE_API_PASSWORD", TEST_PASSWORD);
        command
    }
}

/// The `wpe` arguments and the `wpe mcp` tool and arguments that make the
/// request the recording answers.
fn command_of(rec: &Recording) -> (Vec<String>, &'static str, Value) {
    let words = |w: &[&str]| w.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    match rec.operation_id.as_str() {
        "getCurrentUser" => (
            words(&["user", "get-current"]),
            "get_current_user",
            json!({}),
        ),
        "listAccounts" => (words(&["accounts", "list"]), "list_accounts", json!({})),
        "listSites" => (words(&["sites", "list"]), "list_sites", json!({})),
        "listInstalls" => (words(&["installs", "list"]), "list_installs", json!({})),
        "listDomains" => {
            let install = rec.path_id("installs").to_string();
            (
                words(&["domains", "list", &install]),
                "list_domains",
                json!({ "install_id": install }),
            )
        }
        other => panic!(
            "{}: a recording of {other}, which this test does not call yet: add it",
            rec.file
        ),
    }
}

/// The recorded answer and the printed one, item by item for a list.
fn assert_whole(rec: &Recording, printed: &Value, how: &str) {
    let lost = match (rec.body.get("results"), printed) {
        (Some(Value::Array(sent)), Value::Array(items)) => {
            assert_eq!(items.len(), sent.len(), "{} ({how}): items", rec.file);
            lost_key_paths(&Value::Array(sent.clone()), printed)
        }
        _ => lost_key_paths(&rec.body, printed),
    };
    assert!(lost.is_empty(), "{} ({how}) lost {lost:#?}", rec.file);
}

fn recordings() -> Option<Vec<Recording>> {
    let live = live_recordings()?;
    let grown: Vec<Recording> = live.iter().map(Recording::with_unknown_fields).collect();
    Some(live.into_iter().chain(grown).collect())
}

#[test]
fn wpe_json_and_ndjson_print_every_field_the_api_sent() {
    let Some(recordings) = recordings() else {
        return;
    };
    for rec in &recordings {
        let (args, _, _) = command_of(rec);
        for format in ["json", "ndjson"] {
            let served = Served::new(rec, 1);
            let output = served
                .wpe()
                .args(["--format", format])
                .args(&args)
                .output()
                .expect("wpe runs");
            let stdout = String::from_utf8(output.stdout).unwrap();
            assert!(
                output.status.success(),
                "{} ({format}): {}",
                rec.file,
                String::from_utf8_lossy(&output.stderr)
            );
            let printed: Value = if format == "json" {
                serde_json::from_str(&stdout).unwrap()
            } else if rec.body.get("results").is_some() {
                stdout
                    .lines()
                    .map(|line| serde_json::from_str::<Value>(line).unwrap())
                    .collect()
            } else {
                serde_json::from_str(stdout.trim()).unwrap()
            };
            assert_whole(rec, &printed, format);
            assert_eq!(
                served.server.requests().len(),
                1,
                "{}: one request",
                rec.file
            );
        }
    }
}

#[test]
fn wpe_mcp_structured_content_holds_every_field_the_api_sent() {
    let Some(recordings) = recordings() else {
        return;
    };
    for rec in &recordings {
        let (_, tool, arguments) = command_of(rec);
        let served = Served::new(rec, 1);
        let mut command = tokio::process::Command::from(served.wpe());
        command.arg("mcp");
        let structured = served.runtime.block_on(async {
            let (transport, _stderr) = TokioChildProcess::builder(command)
                .stderr(Stdio::null())
                .spawn()
                .expect("wpe mcp starts");
            let client = ().serve(transport).await.expect("the MCP session starts");
            let Value::Object(arguments) = arguments else {
                unreachable!()
            };
            let result = client
                .call_tool(CallToolRequestParams::new(tool.to_owned()).with_arguments(arguments))
                .await
                .unwrap_or_else(|err| panic!("{tool}: {err}"));
            client.cancel().await.expect("the session closes");
            assert_eq!(result.is_error, Some(false), "{}: {result:?}", rec.file);
            result.structured_content.expect("structured content")
        });
        let printed = match rec.body.get("results") {
            Some(_) => structured["items"].clone(),
            None => structured,
        };
        assert_whole(rec, &printed, "wpe mcp");
    }
}
