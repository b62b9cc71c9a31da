//! `wpe mcp` as an MCP client sees it: rmcp's client spawns the real binary
//! and talks to it over stdio; the binary talks over HTTP to a stand-in of
//! the API (its own with `--demo`, or one the test runs, whose log of
//! answered operations shows what was sent).

use std::process::Stdio;
use std::time::Duration;

use rmcp::model::{CallToolRequestParams, CallToolResult, Tool};
use rmcp::transport::TokioChildProcess;
use rmcp::ServiceExt;
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use wpe_api::fake::{FakeConfig, FakeServer, Seed, DEMO_USER};
use wpe_api::operations::OPERATIONS;

mod mcp_common;

use mcp_common::{
    against, call, conforms, connect, demo, output_validators, schema_problems, wpe, Client,
};

/// The structured answer of a call that succeeded; its text is the same JSON.
fn answer(tool: &str, result: &CallToolResult) -> Value {
    assert_eq!(result.is_error, Some(false), "{tool}: {result:?}");
    let structured = result
        .structured_content
        .clone()
        .expect("structured content");
    assert!(structured.is_object(), "{tool}: {structured}");
    let text = result.content[0]
        .as_text()
        .expect("a text block")
        .text
        .clone();
    assert_eq!(
        serde_json::from_str::<Value>(&text).unwrap(),
        structured,
        "{tool}"
    );
    structured
}

/// The `error` object of a call that failed as a tool error.
fn failure(tool: &str, result: &CallToolResult) -> Value {
    assert_eq!(result.is_error, Some(true), "{tool}: {result:?}");
    let structured = result
        .structured_content
        .clone()
        .expect("structured content");
    let text = &result.content[0].as_text().expect("a text block").text;
    assert_eq!(structured["error"]["message"], json!(text), "{tool}");
    structured["error"].clone()
}

/// The tools a server started with these flags lists.
async fn tools(command: tokio::process::Command) -> Vec<Tool> {
    let client = connect(command).await;
    let tools = client.list_all_tools().await.expect("tools/list");
    client.cancel().await.expect("the session closes");
    tools
}

fn named<'t>(tools: &'t [Tool], name: &str) -> Option<&'t Tool> {
    tools.iter().find(|t| t.name == name)
}

/// Operations answered by `server` since `before` of them, by operationId.
fn sent_since(server: &FakeServer, before: usize) -> Vec<&'static str> {
    server.sent_responses()[before..]
        .iter()
        .map(|r| r.operation_id)
        .collect()
}

#[tokio::test]
async fn each_mode_lists_its_tools_with_annotations_and_input_schemas_that_compile() {
    let read = tools(demo(&["--toolsets", "all"])).await;
    let write = tools(demo(&["--toolsets", "all", "--allow-writes"])).await;
    let all = tools(demo(&[
        "--toolsets",
        "all",
        "--allow-writes",
        "--allow-destructive",
    ]))
    .await;

    // One tool per operation, the four workflows and the four fleet tools.
    let gets = OPERATIONS.iter().filter(|op| op.method == "GET").count();
    let destructive = OPERATIONS.iter().filter(|op| op.destructive).count();
    assert_eq!(
        read.len(),
        gets + 7,
        "read-only: the GETs, inventory, audit, report_usage and the fleet's whois, query, \
         changes, access"
    );
    assert_eq!(write.len(), OPERATIONS.len() - destructive + 8);
    assert_eq!(all.len(), OPERATIONS.len() + 8);
    for op in OPERATIONS {
        let tool = named(&all, op.id).unwrap_or_else(|| panic!("no tool {}", op.id));
        let hints = tool.annotations.clone().expect("annotations");
        assert_eq!(hints.read_only_hint, Some(op.method == "GET"), "{}", op.id);
        assert_eq!(
            hints.destructive_hint,
            Some(op.destructive || op.replaces.is_some()),
            "{}: destructive or replacing is not only additive",
            op.id
        );
        if op.method != "GET" {
            assert_eq!(hints.idempotent_hint, Some(op.idempotent), "{}", op.id);
        }
        assert_eq!(
            named(&read, op.id).is_some(),
            op.method == "GET",
            "{}",
            op.id
        );
        assert_eq!(named(&write, op.id).is_some(), !op.destructive, "{}", op.id);
    }
    for tool in &read {
        assert_eq!(
            tool.annotations.as_ref().unwrap().read_only_hint,
            Some(true),
            "{}",
            tool.name
        );
    }
    for workflow in ["inventory", "audit", "report_usage", "backup_and_wait"] {
        assert!(named(&all, workflow).is_some(), "{workflow}");
    }
    assert!(named(&read, "backup_and_wait").is_none());
    // report_usage's refresh (a measurement it starts) needs writes.
    let refresh = |tools: &[Tool]| {
        named(tools, "report_usage").unwrap().input_schema["properties"]
            .get("refresh")
            .is_some()
    };
    assert!(!refresh(&read) && refresh(&write));

    for tool in &all {
        let schema = Value::Object((*tool.input_schema).clone());
        jsonschema::validator_for(&schema).unwrap_or_else(|err| {
            panic!("{}: the input schema does not compile: {err}", tool.name)
        });
        assert_eq!(schema["type"], "object", "{}", tool.name);
        assert!(
            !tool.description.as_deref().unwrap_or_default().is_empty(),
            "{}",
            tool.name
        );
    }
    // Names where the CLI takes them; the API's offset is a cursor.
    let list_backups = &named(&read, "list_backups").unwrap().input_schema;
    assert_eq!(
        list_backups["properties"]["install_id"]["description"],
        "The install's ID or name."
    );
    assert!(list_backups["properties"].get("offset").is_none());
    assert!(list_backups["properties"].get("cursor").is_some());
    let sftp = &named(&write, "create_sftp_user").unwrap().input_schema;
    assert_eq!(sftp["properties"]["password"]["writeOnly"], true);
}

#[tokio::test]
async fn reads_answer_structured_content_and_lists_page_with_a_cursor() {
    let server = FakeServer::start(FakeConfig::with_seed(Seed::Installs(7))).await;
    let client = connect(against(&server, &[])).await;

    let mut names = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut arguments = json!({"limit": 3});
        if let Some(cursor) = &cursor {
            arguments["cursor"] = json!(cursor);
        }
        let page = answer(
            "list_installs",
            &call(&client, "list_installs", arguments).await,
        );
        pages += 1;
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 3);
        names.extend(items.iter().map(|i| i["name"].as_str().unwrap().to_owned()));
        assert_eq!(page["total"], 7);
        match page.get("next_cursor") {
            Some(next) => cursor = Some(next.as_str().unwrap().to_owned()),
            None => break,
        }
    }
    assert_eq!(pages, 3, "7 installs, 3 a page");
    let mut unique = names.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 7, "{names:?}");

    // A name where the API takes an ID.
    let install = answer(
        "get_install",
        &call(&client, "get_install", json!({"install_id": names[4]})).await,
    );
    assert_eq!(install["name"], json!(names[4]));

    // Without a limit, a list answers the server's page size (25).
    let accounts = answer(
        "list_accounts",
        &call(&client, "list_accounts", json!({})).await,
    );
    assert!(accounts["items"].as_array().unwrap().len() <= 25);

    let inventory = answer("inventory", &call(&client, "inventory", json!({})).await);
    let rows = inventory["items"].as_array().unwrap();
    assert_eq!(rows.iter().filter(|r| r["install"].is_string()).count(), 7);
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn the_demo_answers_the_workflows() {
    let client = connect(demo(&[])).await;
    let audit = answer(
        "audit",
        &call(&client, "audit", json!({"min_php": "8.1"})).await,
    );
    let findings = audit["findings"].as_array().unwrap();
    assert!(
        findings
            .iter()
            .any(|f| f["check"] == "php" && f["install"] == "demoshopdev"),
        "{audit}"
    );
    assert_eq!(
        audit["warning"].as_u64().unwrap() as usize,
        findings
            .iter()
            .filter(|f| f["severity"] == "warning")
            .count()
    );

    let report = answer(
        "report_usage",
        &call(&client, "report_usage", json!({"account": ["democlient"]})).await,
    );
    assert_eq!(report["accounts"][0]["account"], "democlient");
    assert_eq!(report["accounts"][0]["flag"], "over");

    let error = failure(
        "report_usage",
        &call(&client, "report_usage", json!({"month": "last"})).await,
    );
    assert_eq!(error["kind"], "invalid_arguments");
    assert!(
        error["message"].as_str().unwrap().contains("`month`"),
        "{error}"
    );
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn writes_are_refused_read_only_and_run_when_allowed() {
    // A backup is completed when it is first looked at, so `backup_and_wait`
    // ends on its first look: nothing in the test waits out time.
    let server = FakeServer::start(FakeConfig {
        backup_step_delay: Duration::ZERO,
        ..FakeConfig::with_seed(Seed::Demo)
    })
    .await;
    let backup = json!({"install_id": "torquemag", "description": "before the deploy", "notification_emails": ["ops@example.com"]});

    let read_only = connect(against(&server, &[])).await;
    let before = server.sent_responses().len();
    let refused = failure(
        "create_backup",
        &call(&read_only, "create_backup", backup.clone()).await,
    );
    assert_eq!(refused["kind"], "not_allowed");
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("--allow-writes"),
        "{refused}"
    );
    let refused = failure(
        "delete_install",
        &call(
            &read_only,
            "delete_install",
            json!({"install_id": "torquemagdev"}),
        )
        .await,
    );
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("--allow-destructive"),
        "{refused}"
    );
    assert_eq!(
        sent_since(&server, before),
        Vec::<&str>::new(),
        "a refused call sends nothing"
    );
    read_only.cancel().await.unwrap();

    let writer = connect(against(&server, &["--allow-writes"])).await;
    let taken = answer(
        "create_backup",
        &call(&writer, "create_backup", backup.clone()).await,
    );
    assert_eq!(taken["description"], "before the deploy");
    let waited = answer(
        "backup_and_wait",
        &call(
            &writer,
            "backup_and_wait",
            json!({"install": "torquemag", "timeout": 120}),
        )
        .await,
    );
    assert_eq!(waited["status"], "completed", "{waited}");
    let backups = answer(
        "list_backups",
        &call(&writer, "list_backups", json!({"install_id": "torquemag"})).await,
    );
    assert!(backups["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|b| b["id"] == taken["id"]));
    // Destructive ones still need --allow-destructive.
    let before = server.sent_responses().len();
    let refused = failure(
        "delete_install",
        &call(
            &writer,
            "delete_install",
            json!({"install_id": "torquemagdev"}),
        )
        .await,
    );
    assert_eq!(refused["kind"], "not_allowed");
    assert!(!sent_since(&server, before).contains(&"deleteInstall"));
    writer.cancel().await.unwrap();

    let destroyer = connect(against(&server, &["--allow-writes", "--allow-destructive"])).await;
    answer(
        "delete_install",
        &call(
            &destroyer,
            "delete_install",
            json!({"install_id": "torquemagdev"}),
        )
        .await,
    );
    let gone = failure(
        "get_install",
        &call(
            &destroyer,
            "get_install",
            json!({"install_id": "torquemagdev"}),
        )
        .await,
    );
    assert_eq!(
        gone["kind"], "not_found",
        "the name no longer names an install: {gone}"
    );
    destroyer.cancel().await.unwrap();
}

/// An install copy overwrites its destination: with writes allowed it is
/// neither offered nor run, and `--allow-destructive` runs it.
#[tokio::test]
async fn copy_install_needs_allow_destructive() {
    let server = FakeServer::start(FakeConfig::with_seed(Seed::Demo)).await;
    let copy = json!({
        "source_environment_id": "torquemagstg",
        "destination_environment_id": "torquemag",
    });
    let writer = connect(against(&server, &["--allow-writes"])).await;
    let offered = writer.list_all_tools().await.expect("tools/list");
    assert!(named(&offered, "copy_install").is_none());
    let refused = failure(
        "copy_install",
        &call(&writer, "copy_install", copy.clone()).await,
    );
    assert_eq!(refused["kind"], "not_allowed", "{refused}");
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("--allow-destructive"),
        "{refused}"
    );
    assert!(
        server.install_copies().is_empty(),
        "a refused copy is not sent"
    );
    writer.cancel().await.unwrap();

    let destroyer = connect(against(&server, &["--allow-writes", "--allow-destructive"])).await;
    let offered = destroyer.list_all_tools().await.expect("tools/list");
    let tool = named(&offered, "copy_install").expect("copy_install is offered");
    assert_eq!(
        tool.annotations.as_ref().unwrap().destructive_hint,
        Some(true)
    );
    answer(
        "copy_install",
        &call(&destroyer, "copy_install", copy).await,
    );
    assert_eq!(server.install_copies().len(), 1);
    destroyer.cancel().await.unwrap();
}

#[tokio::test]
async fn bad_arguments_name_the_field_and_nothing_is_sent() {
    let server = FakeServer::start(FakeConfig::with_seed(Seed::Demo)).await;
    let client = connect(against(&server, &["--allow-writes"])).await;
    let before = server.sent_responses().len();
    let cases = [
        ("list_installs", json!({"limit": 500}), "limit"),
        ("list_installs", json!({"limit": "ten"}), "limit"),
        ("list_installs", json!({"page": 2}), "page"),
        ("list_installs", json!({"cursor": "page two"}), "cursor"),
        ("get_install", json!({}), "install_id"),
        (
            "create_install",
            json!({"name": "blog2", "environment": "live", "account_id": "demoagency"}),
            "environment",
        ),
        (
            "create_sftp_user",
            json!({"install_id": "torquemag", "name": "deployer", "password": "x9q!z"}),
            "password",
        ),
        (
            "show_backup",
            json!({"install_id": "torquemag", "backup_id": "not-a-uuid"}),
            "backup_id",
        ),
    ];
    for (tool, arguments, field) in cases {
        let error = failure(tool, &call(&client, tool, arguments.clone()).await);
        assert_eq!(
            error["kind"], "invalid_arguments",
            "{tool} {arguments}: {error}"
        );
        let message = error["message"].as_str().unwrap();
        assert!(
            message.contains(&format!("`{field}`")),
            "{tool} {arguments}: {message}"
        );
        assert!(message.contains("nothing was sent"), "{message}");
        assert!(
            !message.contains("x9q!z"),
            "a secret is never quoted: {message}"
        );
    }
    assert_eq!(sent_since(&server, before), Vec::<&str>::new());

    // A name that names nothing is looked up (a read), and nothing else is sent.
    let error = failure("create_backup", &call(&client, "create_backup", json!({"install_id": "nosuchinstall", "description": "x", "notification_emails": ["a@example.com"]})).await);
    assert_eq!(error["kind"], "not_found");
    assert!(!sent_since(&server, before).contains(&"createBackup"));

    // What the API refuses is a tool error with its status.
    let error = failure(
        "show_backup",
        &call(
            &client,
            "show_backup",
            json!({"install_id": "torquemag", "backup_id": "00000000-0000-0000-0000-000000000000"}),
        )
        .await,
    );
    assert_eq!(error["kind"], "api");
    assert_eq!(error["status"], 404);

    // A tool that does not exist is a protocol error.
    let unknown = client
        .call_tool(CallToolRequestParams::new("drop_everything"))
        .await;
    assert!(unknown.is_err(), "{unknown:?}");
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn wrong_credentials_are_an_api_error_with_the_hint_and_never_shown() {
    let server = FakeServer::start(FakeConfig::with_seed(Seed::Demo)).await;
    let password = "a-password-nobody-may-see-9f3e";
    let mut command = against(&server, &[]);
    command.env("WPE_API_PASSWORD", password);
    let (transport, stderr) = TokioChildProcess::builder(command)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let client = ().serve(transport).await.unwrap();
    let result = call(&client, "list_accounts", json!({})).await;
    let error = failure("list_accounts", &result);
    assert_eq!(error["kind"], "api");
    assert_eq!(error["status"], 401);
    assert!(
        error["hint"]
            .as_str()
            .unwrap()
            .contains("username and password"),
        "{error}"
    );
    client.cancel().await.unwrap();
    let mut log = String::new();
    stderr.unwrap().read_to_string(&mut log).await.unwrap();
    assert!(log.contains("list_accounts: error (api)"), "{log}");
    let everything = format!("{result:?}{log}");
    assert!(
        !everything.contains(password) && !everything.contains(DEMO_USER),
        "{everything}"
    );
}

#[tokio::test]
async fn standard_output_carries_only_protocol_messages() {
    let mut child = demo(&["--allow-writes"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
    let messages = [
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "test", "version": "0"}}}),
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}),
        json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "inventory", "arguments": {}}}),
        json!({"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": {"name": "audit", "arguments": {}}}),
        json!({"jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": {"name": "report_usage", "arguments": {}}}),
        json!({"jsonrpc": "2.0", "id": 6, "method": "tools/call", "params": {"name": "backup_and_wait", "arguments": {"install": "demoshop"}}}),
        json!({"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {"name": "get_install", "arguments": {"install_id": "nosuch"}}}),
    ];
    let mut answered = Vec::new();
    for message in messages {
        let id = message.get("id").cloned();
        stdin
            .write_all(format!("{message}\n").as_bytes())
            .await
            .unwrap();
        stdin.flush().await.unwrap();
        let Some(id) = id else { continue };
        let line = stdout.next_line().await.unwrap().expect("an answer");
        let answer: Value = serde_json::from_str(&line)
            .unwrap_or_else(|err| panic!("not JSON-RPC ({err}): {line}"));
        assert_eq!(answer["jsonrpc"], "2.0", "{line}");
        assert_eq!(answer["id"], id, "{line}");
        assert!(answer.get("result").is_some(), "{line}");
        answered.push(answer);
    }
    assert_eq!(answered[6]["result"]["isError"], true);
    drop(stdin);
    let rest = stdout.next_line().await.unwrap();
    assert_eq!(rest, None, "nothing after the answers");
    let mut log = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .await
        .unwrap();
    assert!(child.wait().await.unwrap().success(), "{log}");
    assert!(
        log.contains("wpe mcp: ") && log.contains("backup_and_wait: ok"),
        "{log}"
    );
}

#[tokio::test]
async fn without_credentials_it_does_not_start_and_says_why() {
    let output = wpe()
        .arg("mcp")
        .stdin(Stdio::null())
        .output()
        .await
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("WPE_API_USER"), "{stderr}");
    let output = wpe()
        .args(["--demo", "mcp", "--allow-destructive"])
        .output()
        .await
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(2),
        "--allow-destructive needs --allow-writes"
    );
}

/// `get_install_certificates` of an install without certificates answers an
/// empty page (the API's "No SSL certs found" 404 means none), while an
/// install ID nobody has is a tool error with the API's 404.
#[tokio::test]
async fn certificates_of_an_install_without_any_are_empty_and_of_a_missing_install_an_error() {
    let client = connect(demo(&[])).await;
    let tool = "get_install_certificates";
    let none = answer(
        tool,
        &call(&client, tool, json!({"install_id": "torquemagdev"})).await,
    );
    assert_eq!(none, json!({"items": []}));
    let made_up = "11111111-2222-4333-8444-555555555555";
    let error = failure(
        tool,
        &call(&client, tool, json!({"install_id": made_up})).await,
    );
    assert_eq!(error["status"], 404, "{error}");
    let some = answer(
        tool,
        &call(&client, tool, json!({"install_id": "torquemag"})).await,
    );
    assert_eq!(some["items"].as_array().unwrap().len(), 1, "{some}");
    client.cancel().await.unwrap();
}

// Workflows' typed options, output schemas and hints; prompts (issue 35).

/// Asserts that an error an agent reads names properties and tools, not
/// flags or `wpe` commands (`given`: values of the call it may quote).
fn speaks_to_agents(tool: &str, error: &Value, given: &[&str]) {
    let mut message = error["message"].as_str().unwrap().to_owned();
    for value in given {
        message = message.replace(value, "");
    }
    assert!(
        !message.contains("--") && !message.contains("wpe "),
        "{tool}: {}",
        error["message"]
    );
}

/// `backup_and_wait {"install": "--help"}` is an install that is not found,
/// not a request for help; `--timeout=0` is not a flag. Neither sends a
/// thing: a value that cannot be an install's name is not even looked up.
#[tokio::test]
async fn workflow_arguments_are_data_never_flags() {
    let server = FakeServer::start(FakeConfig {
        backup_step_delay: Duration::ZERO,
        ..FakeConfig::with_seed(Seed::Demo)
    })
    .await;
    let client = connect(against(&server, &["--allow-writes"])).await;
    let validators = output_validators(&client).await;
    for install in ["--help", "--timeout=0", "-h", "torquemag --wait"] {
        let before = server.sent_responses().len();
        let result = call(&client, "backup_and_wait", json!({ "install": install })).await;
        conforms(&validators, "backup_and_wait", &result);
        let error = failure("backup_and_wait", &result);
        assert_eq!(error["kind"], "not_found", "{install}: {error}");
        let message = error["message"].as_str().unwrap();
        assert!(
            message.contains(&format!("no install named `{install}`"))
                && message.contains("`list_installs`"),
            "{message}"
        );
        speaks_to_agents("backup_and_wait", &error, &[install]);
        assert_eq!(sent_since(&server, before), Vec::<&str>::new(), "{install}");
    }
    // A name that could be an install's is looked up, and no backup is taken.
    let before = server.sent_responses().len();
    let result = call(&client, "backup_and_wait", json!({"install": "torquemagg"})).await;
    conforms(&validators, "backup_and_wait", &result);
    let error = failure("backup_and_wait", &result);
    assert_eq!(error["kind"], "not_found");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("did you mean torquemag"),
        "{error}"
    );
    assert!(!sent_since(&server, before).contains(&"createBackup"));
    // Options that are not the tool's are refused by name, before anything is sent.
    let before = server.sent_responses().len();
    let cases = [
        ("audit", json!({"install": "torquemag"}), "install"),
        ("audit", json!({"fail_on": "warning"}), "fail_on"),
        ("inventory", json!({"sort": true}), "sort"),
        (
            "backup_and_wait",
            json!({"install": "torquemag", "wait": false}),
            "wait",
        ),
        ("report_usage", json!({"month": "--help"}), "month"),
        (
            "backup_and_wait",
            json!({"install": "x".repeat(256)}),
            "install",
        ),
    ];
    for (tool, arguments, property) in cases {
        let result = call(&client, tool, arguments.clone()).await;
        conforms(&validators, tool, &result);
        let error = failure(tool, &result);
        assert_eq!(error["kind"], "invalid_arguments", "{tool} {arguments}");
        assert!(
            error["message"]
                .as_str()
                .unwrap()
                .contains(&format!("`{property}`")),
            "{tool} {arguments}: {error}"
        );
        assert_eq!(error["fields"][0]["field"], property, "{error}");
    }
    assert_eq!(sent_since(&server, before), Vec::<&str>::new());
    // The backup is taken when the install is one.
    let taken = call(&client, "backup_and_wait", json!({"install": "torquemag"})).await;
    conforms(&validators, "backup_and_wait", &taken);
    assert_eq!(answer("backup_and_wait", &taken)["status"], "completed");
    client.cancel().await.unwrap();
}

/// Every answer and every error of the four workflows in the demo conforms
/// to the output schema the tool declares, and every error speaks of
/// properties and tools.
#[tokio::test]
async fn every_workflow_answer_and_error_conforms_to_its_output_schema() {
    let client = connect(demo(&["--allow-writes"])).await;
    let validators = output_validators(&client).await;
    let answers = [
        ("inventory", json!({})),
        ("inventory", json!({"account": "democlient"})),
        ("audit", json!({})),
        (
            "audit",
            json!({"account": "demoagency", "cert_days": 90, "min_php": "8.3", "backup_days": 0, "concurrency": 2, "at": "2030-01-01T00:00:00Z"}),
        ),
        ("report_usage", json!({})),
        (
            "report_usage",
            json!({"account": ["democlient", "demoagency"], "refresh": true, "prepared_for": "Acme"}),
        ),
        ("report_usage", json!({"min_percent": 50.5})),
        ("report_usage", json!({"only_flagged": true})),
        (
            "backup_and_wait",
            json!({"install": "demoshop", "description": "before a deploy", "email": ["ops@example.com"]}),
        ),
    ];
    for (tool, arguments) in answers {
        let result = call(&client, tool, arguments.clone()).await;
        conforms(&validators, tool, &result);
        answer(tool, &result);
    }
    let inventory = answer("inventory", &call(&client, "inventory", json!({})).await);
    assert_eq!(
        inventory["total"].as_u64().unwrap() as usize,
        inventory["items"].as_array().unwrap().len()
    );
    // A page at a time: every row once, in the same order.
    let mut paged = Vec::new();
    let mut arguments = json!({"limit": 3});
    loop {
        let result = call(&client, "inventory", arguments.clone()).await;
        conforms(&validators, "inventory", &result);
        let page = answer("inventory", &result);
        assert_eq!(page["total"], inventory["total"]);
        paged.extend(page["items"].as_array().unwrap().clone());
        match page.get("next_cursor") {
            Some(cursor) => arguments["cursor"] = cursor.clone(),
            None => break,
        }
    }
    assert_eq!(&paged, inventory["items"].as_array().unwrap());
    let findings = answer("audit", &call(&client, "audit", json!({"limit": 1})).await);
    assert_eq!(findings["findings"].as_array().unwrap().len(), 1);
    assert_eq!(findings["next_cursor"], "offset:1", "{findings}");
    assert!(findings["total"].as_u64().unwrap() > 1);
    let refreshed = answer(
        "report_usage",
        &call(
            &client,
            "report_usage",
            json!({"account": ["democlient"], "refresh": true}),
        )
        .await,
    );
    assert_eq!(refreshed["accounts"][0]["storage_refreshed"], true);
    let stale = answer(
        "report_usage",
        &call(&client, "report_usage", json!({"account": ["demosandbox"]})).await,
    );
    let notes = stale["accounts"][0]["notes"].as_str().unwrap();
    assert!(notes.contains("`refresh` measures it"), "{notes}");
    let audit = answer("audit", &call(&client, "audit", json!({})).await);
    for finding in audit["findings"].as_array().unwrap() {
        let fix = finding["fix"].as_str().unwrap_or_default();
        assert!(!fix.contains("wpe "), "a fix names tools: {fix}");
    }
    assert!(
        audit.to_string().contains("`backup_and_wait` {"),
        "a missing backup's fix is a tool call: {audit}"
    );

    let errors = [
        ("inventory", json!({"account": "democlien"}), "not_found"),
        ("inventory", json!({"account": "nobody"}), "not_found"),
        ("audit", json!({"min_php": "8.x"}), "invalid_arguments"),
        ("audit", json!({"min_php": "08.1"}), "invalid_arguments"),
        ("audit", json!({"at": "yesterday"}), "invalid_arguments"),
        ("audit", json!({"cert_days": 5000}), "invalid_arguments"),
        ("audit", json!({"cursor": "page 2"}), "invalid_arguments"),
        ("inventory", json!({"limit": 0}), "invalid_arguments"),
        ("inventory", json!({"limit": 100000}), "invalid_arguments"),
        (
            "report_usage",
            json!({"month": "2026-13"}),
            "invalid_arguments",
        ),
        (
            "report_usage",
            json!({"month": "2026-11", "quarter": "2026Q3"}),
            "invalid_arguments",
        ),
        (
            "report_usage",
            json!({"from": "2026-11-02", "to": "2026-11-01"}),
            "invalid_arguments",
        ),
        (
            "report_usage",
            json!({"from": "2026-11-01"}),
            "invalid_arguments",
        ),
        (
            "report_usage",
            json!({"to": "2026-02-30"}),
            "invalid_arguments",
        ),
        (
            "report_usage",
            json!({"only_flagged": true, "min_percent": 90}),
            "invalid_arguments",
        ),
        (
            "report_usage",
            json!({"min_percent": 1.234}),
            "invalid_arguments",
        ),
        (
            "report_usage",
            json!({"month": "2001-01"}),
            "invalid_arguments",
        ),
        (
            "report_usage",
            json!({"account": ["demoagencyy"]}),
            "not_found",
        ),
        (
            "report_usage",
            json!({"account": ["11111111-2222-4333-8444-555555555555"]}),
            "not_found",
        ),
        ("backup_and_wait", json!({}), "invalid_arguments"),
        ("backup_and_wait", json!({"install": "nosuch"}), "not_found"),
        (
            "backup_and_wait",
            json!({"install": "demoshop", "timeout": -1}),
            "invalid_arguments",
        ),
    ];
    for (tool, arguments, kind) in errors {
        let result = call(&client, tool, arguments.clone()).await;
        conforms(&validators, tool, &result);
        let error = failure(tool, &result);
        assert_eq!(error["kind"], kind, "{tool} {arguments}: {error}");
        speaks_to_agents(tool, &error, &[]);
    }
    let both = failure(
        "report_usage",
        &call(
            &client,
            "report_usage",
            json!({"from": "2026-11-02", "to": "2026-11-01"}),
        )
        .await,
    );
    assert!(
        both["message"]
            .as_str()
            .unwrap()
            .starts_with("`from` 2026-11-02 is after `to` 2026-11-01"),
        "{both}"
    );
    assert_eq!(both["fields"][0]["field"], "from");
    client.cancel().await.unwrap();
}

/// A workflow's hints follow the mode: `report_usage` is read-only until
/// `refresh` (a measurement it starts) is offered; `backup_and_wait` adds a
/// backup, which is neither read-only, idempotent nor destructive.
#[tokio::test]
async fn workflow_hints_follow_the_mode() {
    let read = tools(demo(&[])).await;
    let write = tools(demo(&["--allow-writes"])).await;
    let hints = |tools: &[Tool], name: &str| {
        let hints = named(tools, name).unwrap().annotations.clone().unwrap();
        (
            hints.read_only_hint,
            hints.idempotent_hint,
            hints.destructive_hint,
        )
    };
    assert_eq!(
        hints(&read, "report_usage"),
        (Some(true), Some(true), Some(false))
    );
    assert_eq!(
        hints(&write, "report_usage"),
        (Some(false), Some(false), Some(false))
    );
    assert_eq!(
        hints(&write, "backup_and_wait"),
        (Some(false), Some(false), Some(false))
    );
    for workflow in ["inventory", "audit"] {
        assert_eq!(
            hints(&write, workflow),
            (Some(true), Some(true), Some(false))
        );
    }
    for tool in &write {
        let Some(schema) = &tool.output_schema else {
            continue;
        };
        assert!(schema.get("$schema").is_none(), "{}", tool.name);
    }
}

/// The prompts: listed by mode, each argument required or optional as
/// declared, a missing required one an invalid-params error (-32602), and
/// every tool a prompt names offered in the mode it needs.
#[tokio::test]
async fn prompts_name_tools_the_mode_offers_and_check_their_arguments() {
    use rmcp::model::{ErrorCode, GetPromptRequestParams};
    let full = [
        (
            "monthly_usage_report",
            json!({"account": "democlient", "month": "2026-11"}),
            false,
        ),
        (
            "backup_before_deploy",
            json!({"install": "torquemag"}),
            true,
        ),
        (
            "take_domain_live",
            json!({"install": "torquemag", "domain": "www.example.com"}),
            true,
        ),
        ("access_review", json!({"account": "demoagency"}), false),
    ];
    let required = |name: &str| match name {
        "monthly_usage_report" => vec!["account"],
        "backup_before_deploy" => vec!["install"],
        "take_domain_live" => vec!["install", "domain"],
        _ => vec![],
    };
    for flags in [&[][..], &["--allow-writes"][..]] {
        let writes = !flags.is_empty();
        let client = connect(demo(flags)).await;
        let offered: Vec<String> = client
            .list_all_tools()
            .await
            .unwrap()
            .into_iter()
            .map(|t| t.name.to_string())
            .collect();
        let prompts = client.list_all_prompts().await.expect("prompts/list");
        let listed: Vec<&str> = prompts.iter().map(|p| p.name.as_str()).collect();
        let expected: Vec<&str> = full
            .iter()
            .filter(|(_, _, needs_writes)| writes || !needs_writes)
            .map(|(name, _, _)| *name)
            .collect();
        assert_eq!(listed, expected, "writes: {writes}");
        for prompt in &prompts {
            let (_, arguments, _) = full.iter().find(|(n, _, _)| *n == prompt.name).unwrap();
            let declared = prompt.arguments.clone().unwrap_or_default();
            for argument in &declared {
                assert_eq!(
                    argument.required,
                    Some(required(&prompt.name).contains(&argument.name.as_str())),
                    "{} {}",
                    prompt.name,
                    argument.name
                );
            }
            let got = client
                .get_prompt(
                    GetPromptRequestParams::new(prompt.name.clone())
                        .with_arguments(arguments.as_object().unwrap().clone()),
                )
                .await
                .unwrap_or_else(|err| panic!("{}: {err}", prompt.name));
            let text = got.messages[0].content.as_text().unwrap().text.clone();
            let named: Vec<&str> = text
                .split('`')
                .skip(1)
                .step_by(2)
                .filter(|t| *t != "wpe mcp")
                .collect();
            assert!(named.len() >= 2, "{}: {text}", prompt.name);
            for tool in &named {
                if offered.iter().any(|o| o == tool) {
                    continue;
                }
                // A tool the listing leaves out is reached through the
                // dynamic tools, and the prompt says so.
                assert!(
                    offered.iter().any(|o| o == "call_operation")
                        && text.contains("`call_operation`"),
                    "{} names `{tool}`, which this mode does not offer",
                    prompt.name
                );
                let described = call(&client, "describe_operation", json!({ "name": tool })).await;
                assert_eq!(
                    described.is_error,
                    Some(false),
                    "{} names `{tool}`, which this mode does not run: {described:?}",
                    prompt.name
                );
            }
            assert_eq!(
                text.contains("--allow-writes"),
                required(&prompt.name).contains(&"install"),
                "{}: says when it needs writes",
                prompt.name
            );
            for missing in required(&prompt.name) {
                let mut without = arguments.as_object().unwrap().clone();
                without.remove(missing);
                let refused = client
                    .get_prompt(
                        GetPromptRequestParams::new(prompt.name.clone()).with_arguments(without),
                    )
                    .await;
                match refused {
                    Err(rmcp::ServiceError::McpError(err)) => {
                        assert_eq!(err.code, ErrorCode::INVALID_PARAMS, "{}", prompt.name);
                        assert!(
                            err.message.contains(&format!("`{missing}`")),
                            "{}",
                            err.message
                        );
                    }
                    other => panic!("{} without {missing}: {other:?}", prompt.name),
                }
            }
        }
        // A prompt whose tools the mode does not offer, or none at all, is refused.
        for name in ["backup_before_deploy", "no_such_prompt"] {
            let refused =
                client
                    .get_prompt(GetPromptRequestParams::new(name).with_arguments(
                        json!({"install": "torquemag"}).as_object().unwrap().clone(),
                    ))
                    .await;
            match (name, refused) {
                ("backup_before_deploy", Ok(_)) if writes => {}
                (_, Err(rmcp::ServiceError::McpError(err))) => {
                    assert_eq!(err.code, ErrorCode::INVALID_PARAMS, "{name}")
                }
                (_, other) => panic!("{name}: {other:?}"),
            }
        }
        client.cancel().await.unwrap();
    }
}

/// A backup that runs out of time is a `timeout` error and one that is
/// aborted a `job_failed` error: both conform to the output schema and tell
/// the agent what to do in its own terms.
#[tokio::test]
async fn a_backup_out_of_time_or_aborted_is_a_tool_error_that_conforms() {
    let server = FakeServer::start(FakeConfig {
        backup_step_delay: Duration::from_secs(3600),
        ..FakeConfig::with_seed(Seed::Demo)
    })
    .await;
    let client = connect(against(&server, &["--allow-writes"])).await;
    let validators = output_validators(&client).await;
    let late = call(
        &client,
        "backup_and_wait",
        json!({"install": "torquemag", "timeout": 0}),
    )
    .await;
    conforms(&validators, "backup_and_wait", &late);
    let error = failure("backup_and_wait", &late);
    assert_eq!(error["kind"], "timeout", "{error}");
    speaks_to_agents("backup_and_wait", &error, &[]);
    client.cancel().await.unwrap();

    // A backup the first look finds ended: aborted.
    let server = FakeServer::start(FakeConfig {
        backup_step_delay: Duration::ZERO,
        ..FakeConfig::with_seed(Seed::Demo)
    })
    .await;
    server.abort_next_backup();
    let client = connect(against(&server, &["--allow-writes"])).await;
    let aborted = call(&client, "backup_and_wait", json!({"install": "torquemag"})).await;
    conforms(&validators, "backup_and_wait", &aborted);
    let error = failure("backup_and_wait", &aborted);
    assert_eq!(error["kind"], "job_failed", "{error}");
    speaks_to_agents("backup_and_wait", &error, &[]);
    client.cancel().await.unwrap();
}

// ---- Toolsets, --tools and the dynamic tools (issue 35, a small context) ----

/// The names a listing holds.
fn names(tools: &[Tool]) -> Vec<String> {
    tools.iter().map(|t| t.name.to_string()).collect()
}

/// The dynamic tools.
const DYNAMIC: [&str; 3] = ["search_operations", "describe_operation", "call_operation"];

/// Every tool but the dynamic ones, with the access it needs: 0 reads,
/// 1 writes (--allow-writes), 2 destroys (--allow-destructive too).
fn every_tool() -> Vec<(&'static str, u8)> {
    let mut all: Vec<(&'static str, u8)> = OPERATIONS
        .iter()
        .map(|op| {
            let access = match (op.method, op.destructive) {
                (_, true) => 2,
                ("GET", false) => 0,
                _ => 1,
            };
            (op.id, access)
        })
        .collect();
    all.extend([
        ("inventory", 0),
        ("audit", 0),
        ("report_usage", 0),
        ("backup_and_wait", 1),
        ("fleet_whois", 0),
        ("fleet_query", 0),
        ("fleet_changes", 0),
        ("fleet_access", 0),
    ]);
    all
}

/// The access `flags` allow, as [`every_tool`] counts it.
fn allowed_by(flags: &[&str]) -> u8 {
    if flags.contains(&"--allow-destructive") {
        2
    } else if flags.contains(&"--allow-writes") {
        1
    } else {
        0
    }
}

/// `call_operation` of `name` with `arguments`.
async fn call_through(client: &Client, name: &str, arguments: Value) -> CallToolResult {
    call(
        client,
        "call_operation",
        json!({"name": name, "arguments": arguments}),
    )
    .await
}

#[tokio::test]
async fn toolsets_and_tools_choose_what_is_listed_and_the_flags_what_is_allowed() {
    // The default: installs, workflows, and the dynamic tools since that
    // leaves tools out.
    let default = names(&tools(demo(&[])).await);
    let mut expected = vec![
        "list_installs",
        "get_install",
        "inventory",
        "audit",
        "report_usage",
    ];
    expected.extend(DYNAMIC);
    assert_eq!(default, expected);
    let writes = names(&tools(demo(&["--allow-writes"])).await);
    assert!(writes.contains(&"create_install".to_owned()), "{writes:?}");
    assert!(writes.contains(&"backup_and_wait".to_owned()), "{writes:?}");
    assert!(!writes.contains(&"delete_install".to_owned()), "{writes:?}");

    // A toolset, and a tool beside it; what needs a flag only with the flag.
    let cache = names(&tools(demo(&["--toolsets", "cache", "--tools", "get_site"])).await);
    let mut expected = vec!["list_cache_exclusions", "get_site"];
    expected.extend(DYNAMIC);
    assert_eq!(cache, expected);
    let cache = names(&tools(demo(&["--toolsets=cache", "--allow-writes"])).await);
    let mut expected = vec![
        "list_cache_exclusions",
        "update_cache_exclusions",
        "purge_cache",
    ];
    expected.extend(DYNAMIC);
    assert_eq!(cache, expected);
    // --tools alone, repeated or with commas.
    let two = names(&tools(demo(&["--tools", "purge_cache", "--tools=status,swagger"])).await);
    let mut expected = vec!["status", "swagger"];
    expected.extend(DYNAMIC);
    assert_eq!(two, expected, "purge_cache is not allowed read-only");

    // `all` lists every allowed tool and then needs no dynamic tool;
    // `dynamic` alone is the three.
    let all = names(&tools(demo(&["--toolsets", "all"])).await);
    assert_eq!(
        all.len(),
        every_tool().iter().filter(|(_, a)| *a == 0).count()
    );
    assert!(DYNAMIC.iter().all(|d| !all.contains(&d.to_string())));
    let dynamic = names(&tools(demo(&["--toolsets", "dynamic"])).await);
    assert_eq!(dynamic, DYNAMIC);
    let both = names(&tools(demo(&["--toolsets", "all,dynamic"])).await);
    assert_eq!(both.len(), all.len() + 3);

    // The instructions point to the dynamic tools when tools are left out.
    for (flags, mentioned) in [(&[][..], true), (&["--toolsets", "all"][..], false)] {
        let client = connect(demo(flags)).await;
        let info = client.peer_info().expect("the server's initialize answer");
        let instructions = info.instructions.clone().unwrap_or_default();
        assert_eq!(
            instructions.contains("search_operations"),
            mentioned,
            "{flags:?}: {instructions}"
        );
        client.cancel().await.unwrap();
    }
}

#[tokio::test]
async fn an_unknown_toolset_or_tool_is_a_usage_error_that_names_the_valid_ones() {
    let output = wpe()
        .args(["--demo", "mcp", "--toolsets", "installs,nosuchset"])
        .stdin(Stdio::null())
        .output()
        .await
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("nosuchset"), "{stderr}");
    for valid in [
        "accounts",
        "account-users",
        "installs",
        "cache",
        "workflows",
        "dynamic",
        "all",
        "default",
    ] {
        assert!(stderr.contains(valid), "{valid}: {stderr}");
    }

    let output = wpe()
        .args(["--demo", "mcp", "--tools", "list_instals"])
        .stdin(Stdio::null())
        .output()
        .await
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("list_instals") && stderr.contains("list_installs"),
        "{stderr}"
    );

    // The toolsets for a person: no credentials needed, every tool named.
    let output = wpe()
        .args(["mcp", "--list-toolsets"])
        .stdin(Stdio::null())
        .output()
        .await
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let listing = String::from_utf8(output.stdout).unwrap();
    for (tool, _) in every_tool() {
        assert!(listing.contains(tool), "{tool}: {listing}");
    }
    assert!(listing.contains("purge_cache (w)"), "{listing}");
    assert!(listing.contains("delete_install (d)"), "{listing}");
}

#[tokio::test]
async fn the_dynamic_tools_find_describe_and_call_through_the_same_checks() {
    let server = FakeServer::start(FakeConfig::with_seed(Seed::Demo)).await;
    let client = connect(against(&server, &["--toolsets", "dynamic"])).await;
    let listed = client.list_all_tools().await.expect("tools/list");
    assert_eq!(names(&listed), DYNAMIC);
    let before = server.sent_responses().len();

    // Search: "cache" finds purge_cache, which says what it needs here.
    let found = answer(
        "search_operations",
        &call(&client, "search_operations", json!({"query": "cache"})).await,
    );
    let items = found["items"].as_array().unwrap();
    let purge = items
        .iter()
        .find(|i| i["name"] == "purge_cache")
        .unwrap_or_else(|| panic!("{found}"));
    assert_eq!(purge["access"], "write");
    assert_eq!(purge["needs"], "--allow-writes");
    assert_eq!(purge["summary"], "Purge a cache");
    assert!(items.iter().any(|i| i["name"] == "list_cache_exclusions"));
    assert!(found["total"].as_u64().unwrap() >= 3, "{found}");
    let first = answer(
        "search_operations",
        &call(
            &client,
            "search_operations",
            json!({"query": "backup", "limit": 2}),
        )
        .await,
    );
    assert_eq!(first["items"].as_array().unwrap().len(), 2, "{first}");
    assert!(first["total"].as_u64().unwrap() > 2, "{first}");

    // Describe: what tools/list says of it where it is listed, and more.
    let described = answer(
        "describe_operation",
        &call(
            &client,
            "describe_operation",
            json!({"name": "purge_cache"}),
        )
        .await,
    );
    let writer = connect(against(&server, &["--toolsets", "all", "--allow-writes"])).await;
    let direct = writer.list_all_tools().await.expect("tools/list");
    let direct = serde_json::to_value(named(&direct, "purge_cache").unwrap()).unwrap();
    for (key, value) in direct.as_object().unwrap() {
        assert_eq!(&described[key], value, "{key}");
    }
    assert_eq!(described["toolset"], "cache");
    assert_eq!(described["needs"], "--allow-writes");
    assert!(described["inputSchema"]["properties"]["type"]["enum"]
        .as_array()
        .unwrap()
        .contains(&json!("object")));

    // Call a read: the same result as the tool called directly.
    let arguments = json!({"limit": 2, "account_id": "demoagency"});
    let through = call_through(&client, "list_installs", arguments.clone()).await;
    let direct = call(&client, "list_installs", arguments).await;
    assert_eq!(through, direct);
    let page = answer("call_operation", &through);
    assert_eq!(page["items"].as_array().unwrap().len(), 2, "{page}");
    assert!(page.get("next_cursor").is_some(), "{page}");
    assert_eq!(
        sent_since(&server, before)
            .iter()
            .filter(|id| **id == "listInstalls")
            .count(),
        2
    );

    // A write is refused read-only, and nothing is sent.
    let before = server.sent_responses().len();
    let purge = json!({"install_id": "torquemag", "type": "page"});
    let refused = failure(
        "call_operation",
        &call_through(&client, "purge_cache", purge.clone()).await,
    );
    assert_eq!(refused["kind"], "not_allowed", "{refused}");
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("--allow-writes"),
        "{refused}"
    );
    // Bad arguments are the tool's own problems, each named by its field.
    for (tool, arguments, field) in [
        ("list_installs", json!({"limit": "ten"}), "limit"),
        ("get_install", json!({}), "install_id"),
        (
            "show_backup",
            json!({"install_id": "torquemag", "backup_id": "nope"}),
            "backup_id",
        ),
    ] {
        let error = failure(tool, &call_through(&client, tool, arguments).await);
        assert_eq!(error["kind"], "invalid_arguments", "{tool}: {error}");
        let message = error["message"].as_str().unwrap();
        assert!(message.contains(&format!("`{field}`")), "{tool}: {message}");
    }
    // A name that names no tool is looked up, never run, and quoted short.
    let long = format!("drop_{}", "x".repeat(200));
    for name in ["drop_everything", long.as_str(), "call_operation"] {
        let error = failure(name, &call_through(&client, name, json!({})).await);
        assert_eq!(error["kind"], "invalid_arguments", "{error}");
        let message = error["message"].as_str().unwrap();
        assert!(
            message.contains("`name`") && message.contains("search_operations"),
            "{message}"
        );
        assert!(message.len() < 200, "{message}");
        let error = failure(
            name,
            &call(&client, "describe_operation", json!({"name": name})).await,
        );
        assert_eq!(error["kind"], "invalid_arguments", "{error}");
    }
    assert_eq!(sent_since(&server, before), Vec::<&str>::new());
    client.cancel().await.unwrap();

    // With --allow-writes the same call runs, by the same path.
    let dynamic_writer = connect(against(
        &server,
        &["--toolsets", "dynamic", "--allow-writes"],
    ))
    .await;
    answer(
        "call_operation",
        &call_through(&dynamic_writer, "purge_cache", purge).await,
    );
    assert!(sent_since(&server, before).contains(&"purgeCache"));
    dynamic_writer.cancel().await.unwrap();
    writer.cancel().await.unwrap();
}

/// In every mode, each tool the flags allow is listed, or found, described
/// and reached by call_operation (an argument no tool has shows that the
/// call got to the tool's own checks, and sends nothing); each tool they do
/// not allow is refused.
#[tokio::test]
async fn every_allowed_tool_is_reachable_in_every_mode() {
    let server = FakeServer::start(FakeConfig::with_seed(Seed::Demo)).await;
    let modes: [&[&str]; 9] = [
        &[],
        &["--allow-writes"],
        &["--allow-writes", "--allow-destructive"],
        &["--toolsets", "dynamic"],
        &[
            "--toolsets",
            "dynamic",
            "--allow-writes",
            "--allow-destructive",
        ],
        &["--tools", "get_site"],
        &["--toolsets", "cache,backups", "--allow-writes"],
        &["--toolsets", "all"],
        &["--toolsets", "all", "--allow-writes", "--allow-destructive"],
    ];
    let before = server.sent_responses().len();
    for flags in modes {
        let allowed = allowed_by(flags);
        let client = connect(against(&server, flags)).await;
        let listed = names(&client.list_all_tools().await.expect("tools/list"));
        let dynamic = DYNAMIC.iter().all(|d| listed.contains(&d.to_string()));
        let mut left_out = 0;
        for (tool, access) in every_tool() {
            if access > allowed {
                assert!(!listed.contains(&tool.to_owned()), "{flags:?}: {tool}");
                if dynamic {
                    let refused = failure(tool, &call_through(&client, tool, json!({})).await);
                    assert_eq!(refused["kind"], "not_allowed", "{flags:?}: {tool}");
                }
                continue;
            }
            if listed.contains(&tool.to_owned()) {
                continue;
            }
            left_out += 1;
            assert!(
                dynamic,
                "{flags:?}: {tool} is allowed, not listed, and unreachable"
            );
            let found = answer(
                "search_operations",
                &call(&client, "search_operations", json!({"query": tool})).await,
            );
            assert_eq!(found["items"][0]["name"], tool, "{flags:?}: {found}");
            let described = answer(
                "describe_operation",
                &call(&client, "describe_operation", json!({"name": tool})).await,
            );
            assert_eq!(described["name"], tool);
            assert_eq!(described["inputSchema"]["type"], "object", "{tool}");
            let error = failure(
                tool,
                &call_through(&client, tool, json!({"not_an_argument": 1})).await,
            );
            assert_eq!(
                error["kind"], "invalid_arguments",
                "{flags:?}: {tool}: {error}"
            );
            assert!(
                error["message"]
                    .as_str()
                    .unwrap()
                    .contains("`not_an_argument`"),
                "{flags:?}: {tool}: {error}"
            );
        }
        assert_eq!(
            dynamic,
            left_out > 0 || flags.contains(&"dynamic"),
            "{flags:?}: the dynamic tools are listed when, and only when, an allowed tool is not"
        );
        client.cancel().await.unwrap();
    }
    assert_eq!(sent_since(&server, before), Vec::<&str>::new());
}

// ---- Typed answers and bounded input (issue 35: outputSchema, maxLength,
// ---- bounded errors, `fields`, `summary`).

/// A compiled validator of each listed operation tool's `outputSchema`, by
/// name (every one has one).
fn operation_output_validators(
    tools: &[Tool],
) -> std::collections::BTreeMap<String, jsonschema::Validator> {
    tools
        .iter()
        .filter(|tool| OPERATIONS.iter().any(|op| op.id == tool.name))
        .map(|tool| {
            let schema = tool
                .output_schema
                .as_ref()
                .unwrap_or_else(|| panic!("{}: no outputSchema", tool.name));
            let validator = jsonschema::validator_for(&Value::Object((**schema).clone()))
                .unwrap_or_else(|err| {
                    panic!("{}: the outputSchema does not compile: {err}", tool.name)
                });
            (tool.name.to_string(), validator)
        })
        .collect()
}

/// Calls `tool` and checks that its structuredContent (an answer or a tool
/// error) validates against the tool's outputSchema.
async fn call_checked(
    client: &Client,
    validators: &std::collections::BTreeMap<String, jsonschema::Validator>,
    tool: &str,
    arguments: Value,
) -> CallToolResult {
    let result = call(client, tool, arguments.clone()).await;
    let structured = result
        .structured_content
        .as_ref()
        .unwrap_or_else(|| panic!("{tool} {arguments}: no structuredContent"));
    let problems = schema_problems(&validators[tool], structured);
    assert!(
        problems.is_empty(),
        "{tool} {arguments}: the structuredContent does not match the outputSchema: {problems:#?}\n{structured}"
    );
    result
}

/// The ID of the item of a list answer whose `key` is `value`.
fn id_where(page: &Value, key: &str, value: &str, id: &str) -> String {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item[key] == value)
        .and_then(|item| item[id].as_str())
        .unwrap_or_else(|| panic!("no item with {key} {value} in {page}"))
        .to_owned()
}

/// Every read tool of the demo, and the writes it needs for data, called
/// with valid arguments (IDs taken from list answers), and a few failures:
/// each structuredContent validates against its tool's outputSchema. The
/// tools that could not be called with success are returned.
async fn every_answer_fits_its_output_schema(shapes: &str) -> Vec<String> {
    let mut command = demo(&["--allow-writes", "--allow-destructive", "--toolsets", "all"]);
    command.env("WPE_FAKE_SHAPES", shapes);
    let client = connect(command).await;
    let tools = client.list_all_tools().await.expect("tools/list");
    let validators = operation_output_validators(&tools);
    let v = &validators;
    // A call whose answer is checked against its schema and must succeed.
    let checked = |tool: &'static str, arguments: Value| {
        let client = &client;
        async move { answer(tool, &call_checked(client, v, tool, arguments).await) }
    };

    let accounts = checked("list_accounts", json!({})).await;
    let agency = id_where(&accounts, "name", "demoagency", "id");
    let client_account = id_where(&accounts, "name", "democlient", "id");
    let sites = checked("list_sites", json!({})).await;
    let torque = id_where(&sites, "name", "Torque Magazine", "id");
    let shop = id_where(&sites, "name", "Demo Shop", "id");
    let domains = checked("list_domains", json!({"install_id": "torquemag"})).await;
    let domain = id_where(&domains, "name", "torquemag.io", "id");
    let users = checked("list_account_users", json!({"account_id": agency})).await;
    let user = id_where(&users, "email", "jane@example.com", "user_id");
    let sftp = checked("list_sftp_users", json!({"install_id": "torquemag"})).await;
    let username = id_where(&sftp, "path", "/wp-content/themes", "name");

    // The writes that make what the reads read: a backup, a status report,
    // a transfer, offload settings (each answer checked too).
    let backup = checked("create_backup", json!({"install_id": "torquemag", "description": "before", "notification_emails": ["ops@example.com"]})).await;
    let backup = backup["id"].as_str().unwrap().to_owned();
    let report = checked(
        "check_status",
        json!({"install_id": "torquemag", "domain_id": domain}),
    )
    .await;
    let report = report["report_id"].as_str().unwrap().to_owned();
    let transfer = checked(
        "create_site_transfer",
        json!({"site_id": shop, "destination_account_id": client_account}),
    )
    .await;
    let transfer = transfer["id"].as_str().unwrap().to_owned();
    checked("update_offload_settings", json!({"install_id": "torquemag", "largefs_settings": {"cloud": "s3", "bucket": "torque-media", "bucket_region": "us-east-1", "path_settings": [{"path": "/wp-content/uploads", "redirect_type": "break"}]}})).await;

    let mut not_called = Vec::new();
    for op in OPERATIONS.iter().filter(|op| op.method == "GET") {
        let mut arguments = serde_json::Map::new();
        for param in op.params.iter().filter(|p| p.required) {
            let value = match param.name {
                "account_id" => agency.clone(),
                "site_id" if op.path.contains("site_transfers") => shop.clone(),
                "site_id" => torque.clone(),
                "install_id" => "torquemag".to_owned(),
                "domain_id" => domain.clone(),
                "backup_id" => backup.clone(),
                "report_id" => report.clone(),
                "user_id" => user.clone(),
                "username" => username.clone(),
                "transfer_id" => transfer.clone(),
                other => panic!("{}: no value for {other}", op.id),
            };
            arguments.insert(param.name.to_owned(), json!(value));
        }
        let result = call_checked(&client, v, op.id, Value::Object(arguments.clone())).await;
        if result.is_error == Some(true) {
            not_called.push(format!(
                "{} {arguments:?}: {:?}",
                op.id, result.structured_content
            ));
        }
        // Cut to one field: each item (or the answer) keeps only it.
        if result.is_error == Some(false) {
            arguments.insert("fields".into(), json!(["name"]));
            let cut = checked(op.id, Value::Object(arguments)).await;
            let objects: Vec<&Value> = match cut.get("items") {
                Some(Value::Array(items)) if op.is_paged() => items.iter().collect(),
                _ => vec![&cut],
            };
            for object in objects {
                let keys: Vec<&String> = object.as_object().unwrap().keys().collect();
                assert!(keys.iter().all(|k| *k == "name"), "{}: {object}", op.id);
            }
        }
    }

    // The whole usage series is reachable, and the summary is smaller.
    let usage = json!({"account_id": agency});
    let summary = checked("get_account_usage_metrics", usage.clone()).await;
    let mut whole_args = usage.clone();
    whole_args["summary"] = json!(false);
    let whole = checked("get_account_usage_metrics", whole_args).await;
    assert!(summary["items"][0].get("metrics").is_none(), "{summary}");
    assert!(
        summary["items"][0]["metrics_rollup"].is_object(),
        "{summary}"
    );
    assert!(whole["items"][0]["metrics"].is_array(), "{whole}");
    assert!(summary.to_string().len() * 3 < whole.to_string().len());

    // Failures fit too: a name that names nothing, an ID nobody has, a bad value.
    for (tool, arguments) in [
        ("get_install", json!({"install_id": "nosuchinstall"})),
        (
            "get_install",
            json!({"install_id": "11111111-2222-4333-8444-555555555555"}),
        ),
        ("list_installs", json!({"limit": "ten"})),
        (
            "show_backup",
            json!({"install_id": "torquemag", "backup_id": "not-a-uuid"}),
        ),
    ] {
        let result = call_checked(&client, v, tool, arguments.clone()).await;
        failure(tool, &result);
    }

    // The writes tests/mcp.rs calls elsewhere.
    let copy = json!({"source_environment_id": "torquemagstg", "destination_environment_id": "torquemagdev"});
    checked("copy_install", copy).await;
    checked("delete_install", json!({"install_id": "demoshopdev"})).await;
    client.cancel().await.unwrap();
    not_called
}

#[tokio::test]
async fn every_structured_answer_validates_against_its_output_schema() {
    for shapes in ["documented", "live"] {
        let not_called = every_answer_fits_its_output_schema(shapes).await;
        assert!(not_called.is_empty(), "{shapes}: {not_called:#?}");
    }
}

/// An agent's megabyte is refused before anything is sent, with an answer
/// that quotes a short prefix of it: a 1 MB install ID, cursor, field name,
/// enum value or description each get a tool error under 1 KB.
#[tokio::test]
async fn a_megabyte_argument_is_refused_with_a_small_answer_and_nothing_sent() {
    let server = FakeServer::start(FakeConfig::with_seed(Seed::Demo)).await;
    let client = connect(against(&server, &["--allow-writes", "--toolsets", "all"])).await;
    let tools = client.list_all_tools().await.expect("tools/list");
    let validators = operation_output_validators(&tools);
    let huge = "x".repeat(1_000_000);
    let before = server.sent_responses().len();
    let cases = [
        ("get_install", json!({"install_id": huge}), "install_id"),
        ("list_installs", json!({"cursor": huge}), "cursor"),
        ("list_installs", json!({"fields": [huge]}), "fields/0"),
        ("list_installs", json!({huge.clone(): 1}), "xxxxxxxxxx"),
        (
            "create_install",
            json!({"name": "blog2", "environment": huge, "account_id": "demoagency"}),
            "environment",
        ),
        (
            "create_backup",
            json!({"install_id": "torquemag", "description": huge, "notification_emails": ["ops@example.com"]}),
            "description",
        ),
    ];
    for (tool, arguments, field) in cases {
        let result = call_checked(&client, &validators, tool, arguments).await;
        let error = failure(tool, &result);
        assert_eq!(error["kind"], "invalid_arguments", "{tool}: {error}");
        let message = error["message"].as_str().unwrap();
        assert!(message.contains(field), "{tool}: {message}");
        let answered = serde_json::to_string(&result).unwrap().len();
        assert!(
            answered < 1024,
            "{tool}: a {answered}-byte answer: {message}"
        );
    }
    assert_eq!(
        sent_since(&server, before),
        Vec::<&str>::new(),
        "nothing is sent, not even a name lookup"
    );
    client.cancel().await.unwrap();
}

/// A tool name the server does not have is an invalid-params error that
/// quotes a short prefix of it, however long the agent made it.
#[tokio::test]
async fn an_unknown_tool_name_is_refused_by_a_prefix() {
    let client = connect(demo(&[])).await;
    let name = "x".repeat(100_000);
    let err = client
        .call_tool(CallToolRequestParams::new(name).with_arguments(serde_json::Map::new()))
        .await
        .expect_err("no tool has that name");
    let rmcp::ServiceError::McpError(error) = err else {
        panic!("not an error answer: {err}")
    };
    assert_eq!(error.code, rmcp::model::ErrorCode::INVALID_PARAMS);
    assert!(error.message.len() < 200, "{}", error.message);
    assert!(
        error.message.contains("(100000 characters)"),
        "{}",
        error.message
    );
    client.cancel().await.unwrap();
}
