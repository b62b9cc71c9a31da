//! What the tests of `wpe mcp` (`mcp.rs`, `mcp_cancel.rs`,
//! `mcp_protocol.rs`, `fleet_mcp.rs`, `fleet_offline.rs`) share: `wpe` as a
//! child process, with no credentials or settings from the test's
//! environment, pointed at a stand-in the test runs or at its own demo; an
//! MCP session with it, and a tool call.
#![allow(dead_code)] // each test file uses its own share of it

use std::process::Stdio;

use rmcp::model::{CallToolRequestParams, CallToolResult};
use rmcp::service::RunningService;
use rmcp::transport::TokioChildProcess;
use rmcp::{RoleClient, ServiceExt};
use serde_json::Value;
use wpe_api::fake::{FakeServer, DEMO_PASSWORD, DEMO_USER};

/// A client's session with `wpe mcp`.
pub type Client = RunningService<RoleClient, ()>;

/// An MCP session with the server `command` starts (its standard error kept quiet).
pub async fn connect(command: tokio::process::Command) -> Client {
    let (transport, _stderr) = TokioChildProcess::builder(command)
        .stderr(Stdio::null())
        .spawn()
        .expect("wpe starts");
    ().serve(transport).await.expect("the MCP session starts")
}

/// Calls `tool` with `arguments` (an object); a failure at the protocol
/// level fails the test (a tool error is an answer).
pub async fn call(client: &Client, tool: &str, arguments: Value) -> CallToolResult {
    let Value::Object(arguments) = arguments else {
        panic!("arguments are an object")
    };
    client
        .call_tool(CallToolRequestParams::new(tool.to_owned()).with_arguments(arguments))
        .await
        .unwrap_or_else(|err| panic!("{tool}: the call failed at the protocol level: {err}"))
}

/// `wpe` for `wpe mcp`: no credentials, URL or per-install spacing from the
/// test's environment, the demo state of no earlier command (`--demo mcp`
/// starts from the demo data), and killed when the test drops it.
pub fn wpe() -> tokio::process::Command {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_wpe"));
    command
        .env_remove("WPE_API_URL")
        .env_remove("WPE_API_USER")
        .env_remove("WPE_API_PASSWORD")
        .env_remove("WPE_API_INSTALL_LIMITS")
        .env(
            "WPE_DEMO_STATE",
            std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
                .join(format!("mcp-demo-state-{}.json", std::process::id())),
        )
        .kill_on_drop(true);
    command
}

/// `wpe mcp FLAGS` pointed at `server` (its URL and the demo user's
/// credentials in the environment).
pub fn against(server: &FakeServer, flags: &[&str]) -> tokio::process::Command {
    let mut command = wpe();
    command
        .env("WPE_API_URL", server.base_url())
        .env("WPE_API_USER", DEMO_USER)
        .env("WPE_API_PASSWORD", DEMO_PASSWORD)
        .arg("mcp")
        .args(flags);
    command
}

/// `wpe --demo mcp FLAGS`.
pub fn demo(flags: &[&str]) -> tokio::process::Command {
    let mut command = wpe();
    command.args(["--demo", "mcp"]).args(flags);
    command
}

/// Each listed tool's output schema, compiled, by tool name.
pub async fn output_validators(client: &Client) -> Vec<(String, jsonschema::Validator)> {
    let tools = client.list_all_tools().await.expect("tools/list");
    tools
        .iter()
        .filter_map(|tool| {
            let schema = Value::Object((*tool.output_schema.clone()?).clone());
            let validator = jsonschema::validator_for(&schema).unwrap_or_else(|err| {
                panic!("{}: the output schema does not compile: {err}", tool.name)
            });
            Some((tool.name.to_string(), validator))
        })
        .collect()
}

/// Where `content` breaks `validator`'s schema: the first five problems,
/// each with where in `content` it is.
pub fn schema_problems(validator: &jsonschema::Validator, content: &Value) -> Vec<String> {
    validator
        .iter_errors(content)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .take(5)
        .collect()
}

/// Asserts that the structured content of `result` conforms to `tool`'s
/// output schema, answer or error.
pub fn conforms(
    validators: &[(String, jsonschema::Validator)],
    tool: &str,
    result: &CallToolResult,
) {
    let (_, validator) = validators
        .iter()
        .find(|(name, _)| name == tool)
        .unwrap_or_else(|| panic!("{tool} declares no output schema"));
    let content = result
        .structured_content
        .as_ref()
        .unwrap_or_else(|| panic!("{tool}: no structured content"));
    let errors = schema_problems(validator, content);
    assert!(errors.is_empty(), "{tool}: {errors:?} in {content}");
}
