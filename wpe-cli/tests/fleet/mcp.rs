//! `wpe mcp`'s fleet tools as an MCP client sees them: rmcp's client
//! spawns the real binary and talks to it over stdio. The mirror they read
//! is a real one, written by `wpe fleet sync` from a stand-in of the API;
//! the stand-in's log of answered operations shows that the tools send
//! nothing to the API.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use rmcp::model::{CallToolResult, Tool};
use serde_json::{json, Value};
use wpe_api::fake::{FakeConfig, FakeServer, Seed, DEMO_PASSWORD, DEMO_USER};

use crate::mcp_common::{against, call, connect, demo, wpe, Client};

/// A stand-in with the demo data, a folder of the test's own, and a mirror
/// in it that one `wpe fleet sync` wrote.
struct Fleet {
    server: FakeServer,
    dir: tempfile::TempDir,
    db: PathBuf,
}

impl Fleet {
    async fn synced() -> Fleet {
        let server = FakeServer::start(FakeConfig::with_seed(Seed::Demo)).await;
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("fleet.sqlite");
        let fleet = Fleet { server, dir, db };
        fleet.sync().await;
        fleet
    }

    /// `wpe fleet sync` of the stand-in into the mirror.
    async fn sync(&self) {
        let output = wpe()
            .env_remove("WPE_FLEET_DB")
            .env("WPE_API_URL", self.server.base_url())
            .env("WPE_API_USER", DEMO_USER)
            .env("WPE_API_PASSWORD", DEMO_PASSWORD)
            .args(["fleet", "sync", "--json", "--db"])
            .arg(&self.db)
            .stdin(Stdio::null())
            .output()
            .await
            .unwrap();
        assert!(
            output.status.success(),
            "the sync failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// `wpe mcp --db MIRROR FLAGS` against the stand-in, in the test's
    /// folder (a file a statement made would be made there).
    fn mcp(&self, flags: &[&str]) -> tokio::process::Command {
        let mut command = against(&self.server, &["--db"]);
        command
            .arg(&self.db)
            .args(flags)
            .env_remove("WPE_FLEET_DB")
            .current_dir(self.dir.path());
        command
    }

    /// How many requests the stand-in has answered.
    fn answered(&self) -> usize {
        self.server.sent_responses().len()
    }
}

/// The tools the server lists, and a validator of each one's outputSchema.
struct Schemas(Vec<(String, jsonschema::Validator)>);

impl Schemas {
    async fn of(client: &Client) -> Schemas {
        Schemas(crate::mcp_common::output_validators(client).await)
    }

    /// Asserts that `result`'s structured content validates against
    /// `tool`'s outputSchema, whether it is an answer or an error.
    fn conforms(&self, tool: &str, result: &CallToolResult) {
        crate::mcp_common::conforms(&self.0, tool, result);
    }

    /// The answer of a call that succeeded, checked against the schema;
    /// its text is the same JSON.
    fn answer(&self, tool: &str, result: &CallToolResult) -> Value {
        assert_eq!(result.is_error, Some(false), "{tool}: {result:?}");
        self.conforms(tool, result);
        let structured = result.structured_content.clone().unwrap();
        let text = &result.content[0].as_text().expect("a text block").text;
        assert_eq!(serde_json::from_str::<Value>(text).unwrap(), structured);
        structured
    }

    /// The `error` of a call that failed as a tool error, checked against
    /// the schema.
    fn failure(&self, tool: &str, result: &CallToolResult) -> Value {
        assert_eq!(result.is_error, Some(true), "{tool}: {result:?}");
        self.conforms(tool, result);
        result.structured_content.clone().unwrap()["error"].clone()
    }
}

fn named<'t>(tools: &'t [Tool], name: &str) -> Option<&'t Tool> {
    tools.iter().find(|t| t.name == name)
}

async fn listed(command: tokio::process::Command) -> Vec<Tool> {
    let client = connect(command).await;
    let tools = client.list_all_tools().await.expect("tools/list");
    client.cancel().await.expect("the session closes");
    tools
}

#[tokio::test]
async fn the_fleet_tools_are_their_own_toolset_read_only_and_closed_world() {
    let fleet = listed(demo(&["--toolsets", "fleet"])).await;
    for name in ["fleet_whois", "fleet_query"] {
        let tool = named(&fleet, name).unwrap_or_else(|| panic!("{name} is not listed"));
        let hints = tool.annotations.clone().expect("annotations");
        assert_eq!(hints.read_only_hint, Some(true), "{name}");
        assert_eq!(hints.destructive_hint, Some(false), "{name}");
        assert_eq!(hints.idempotent_hint, Some(true), "{name}");
        // No API is called: the mirror is local.
        assert_eq!(hints.open_world_hint, Some(false), "{name}");
        let input = Value::Object((*tool.input_schema).clone());
        assert_eq!(input["additionalProperties"], false, "{name}");
    }
    // Not in the default listing (they need a sync first), in `all`.
    let default = listed(demo(&[])).await;
    assert!(named(&default, "fleet_whois").is_none());
    let all = listed(demo(&["--toolsets", "all"])).await;
    assert!(named(&all, "fleet_whois").is_some() && named(&all, "fleet_query").is_some());
    // Reachable from the default listing through the dynamic tools.
    let client = connect(demo(&[])).await;
    let found = call(
        &client,
        "search_operations",
        json!({"query": "whois domain"}),
    )
    .await;
    let items = found.structured_content.unwrap()["items"].clone();
    assert_eq!(items[0]["name"], "fleet_whois", "{items}");
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn fleet_whois_answers_from_the_mirror_and_sends_nothing_to_the_api() {
    let fleet = Fleet::synced().await;
    let client = connect(fleet.mcp(&["--toolsets", "fleet"])).await;
    let schemas = Schemas::of(&client).await;
    let before = fleet.answered();

    let result = call(&client, "fleet_whois", json!({"name": "TorqueMag.IO"})).await;
    let found = schemas.answer("fleet_whois", &result);
    let first = &found["matches"][0];
    assert_eq!(first["name"], "torquemag.io", "{found}");
    assert_eq!(first["exact"], true);
    assert_eq!(first["install"]["name"], "torquemag");
    assert_eq!(first["environment"], "production");
    assert_eq!(first["site"]["name"], "Torque Magazine");
    assert_eq!(first["account"]["name"], "demoagency");
    assert_eq!(first["primary"], true);
    assert_eq!(first["ownership_status"], "TXT_VERIFIED");
    assert_eq!(first["certificate"]["status"], "ENABLED");
    assert_eq!(first["certificate"]["covered_by"], "torquemag.io");
    assert_eq!(first["dns"]["cname"], "torquemag.wpengine.com");
    assert_eq!(found["snapshot"]["snapshot"], 1);
    // The partial matches after the exact one; www redirects.
    let matches = found["matches"].as_array().unwrap();
    assert!(matches.len() > 1 && matches[1..].iter().all(|m| m["exact"] == false));
    let www = matches
        .iter()
        .find(|m| m["name"] == "www.torquemag.io")
        .unwrap();
    assert_eq!(www["redirect_to"], "torquemag.io");

    // An install's cname.
    let result = call(
        &client,
        "fleet_whois",
        json!({"name": "torquemagstg.wpengine.com"}),
    )
    .await;
    let cname = schemas.answer("fleet_whois", &result);
    assert_eq!(cname["matches"][0]["via"], "cname", "{cname}");
    assert_eq!(cname["matches"][0]["environment"], "staging");

    // Nothing found is an answer with a hint, not an error.
    let result = call(&client, "fleet_whois", json!({"name": "nowhere.example"})).await;
    let none = schemas.answer("fleet_whois", &result);
    assert_eq!(none["matches"], json!([]));
    assert!(
        none["hint"].as_str().unwrap().contains("nowhere.example"),
        "{none}"
    );

    // A name longer than a domain can be is refused by the schema.
    let result = call(&client, "fleet_whois", json!({"name": "a".repeat(256)})).await;
    let error = schemas.failure("fleet_whois", &result);
    assert_eq!(error["kind"], "invalid_arguments", "{error}");

    assert_eq!(fleet.answered(), before, "a fleet tool called the API");
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn fleet_query_answers_a_bounded_page_with_the_statements_columns() {
    let fleet = Fleet::synced().await;
    let client = connect(fleet.mcp(&["--toolsets", "fleet"])).await;
    let schemas = Schemas::of(&client).await;
    let before = fleet.answered();

    let result = call(
        &client,
        "fleet_query",
        json!({"sql": "SELECT name, environment, php_version FROM installs ORDER BY name",
               "limit": 2}),
    )
    .await;
    let page = schemas.answer("fleet_query", &result);
    assert_eq!(
        page["columns"],
        json!(["name", "environment", "php_version"])
    );
    assert_eq!(page["items"].as_array().unwrap().len(), 2, "{page}");
    assert_eq!(page["items"][0]["name"], "clientblog");
    assert_eq!(page["truncated"], true);

    // A huge value is cut, and says how long it was.
    let result = call(
        &client,
        "fleet_query",
        json!({"sql": "SELECT hex(zeroblob(5000)) AS big, 1 AS one"}),
    )
    .await;
    let cut = schemas.answer("fleet_query", &result);
    let big = cut["items"][0]["big"].as_str().unwrap();
    assert!(
        big.len() < 3000 && big.ends_with("… (10000 characters)"),
        "{big}"
    );
    assert_eq!(
        (cut["cells_cut"].clone(), cut["truncated"].clone()),
        (json!(1), json!(false))
    );

    // The same through call_operation, as an agent of the default listing would.
    let sql = json!({"sql": "SELECT count(*) AS installs FROM installs"});
    let direct = schemas.answer(
        "fleet_query",
        &call(&client, "fleet_query", sql.clone()).await,
    );
    let dynamic = call(
        &client,
        "call_operation",
        json!({"name": "fleet_query", "arguments": sql}),
    )
    .await;
    assert_eq!(dynamic.structured_content.unwrap(), direct);
    assert_eq!(direct["items"][0]["installs"], 9);

    // More rows than the bound allows is refused by the schema.
    let result = call(
        &client,
        "fleet_query",
        json!({"sql": "SELECT 1", "limit": 1001}),
    )
    .await;
    assert_eq!(
        schemas.failure("fleet_query", &result)["kind"],
        "invalid_arguments"
    );
    assert_eq!(fleet.answered(), before, "a fleet tool called the API");
    client.cancel().await.unwrap();
}

/// The bytes of the mirror's file.
fn bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

#[tokio::test]
async fn fleet_query_refuses_to_write_or_attach_and_the_mirror_is_unchanged() {
    let fleet = Fleet::synced().await;
    let before = bytes(&fleet.db);
    let client = connect(fleet.mcp(&["--toolsets", "fleet"])).await;
    let schemas = Schemas::of(&client).await;
    for (sql, kind) in [
        ("DELETE FROM records", "not_allowed"),
        ("UPDATE records SET body = '{}'", "not_allowed"),
        ("INSERT INTO snapshots (started_at, finished_at, api_url, wpe_version) VALUES ('a', 'b', 'c', 'd')", "not_allowed"),
        ("DROP VIEW installs", "not_allowed"),
        ("CREATE TABLE t (x)", "not_allowed"),
        ("PRAGMA user_version = 9", "not_allowed"),
        ("VACUUM INTO 'copy.sqlite'", "not_allowed"),
        ("ATTACH 'x.db' AS x", "not_allowed"),
        ("SELECT 1; DELETE FROM records", "invalid_arguments"),
        ("SELEC name FROM installs", "invalid_arguments"),
    ] {
        let result = call(&client, "fleet_query", json!({ "sql": sql })).await;
        let error = schemas.failure("fleet_query", &result);
        assert_eq!(error["kind"], kind, "{sql}: {error}");
    }
    let result = call(
        &client,
        "fleet_query",
        json!({"sql": "SELECT nope FROM installs"}),
    )
    .await;
    let error = schemas.failure("fleet_query", &result);
    let message = error["message"].as_str().unwrap();
    assert!(
        message.contains("no such column: nope") && message.contains("pragma_table_info"),
        "{message}"
    );
    assert!(
        !message.contains("wpe "),
        "an agent runs no command: {message}"
    );
    // Nothing was written, and no file was made beside it.
    assert_eq!(bytes(&fleet.db), before);
    for made in ["x.db", "copy.sqlite"] {
        assert!(!fleet.dir.path().join(made).exists(), "{made}");
    }
    let result = call(
        &client,
        "fleet_query",
        json!({"sql": "PRAGMA user_version"}),
    )
    .await;
    let version = schemas.answer("fleet_query", &result);
    assert_eq!(version["items"][0]["user_version"], 1, "{version}");
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn a_runaway_query_is_stopped_at_its_budget_and_the_server_answers_on() {
    let fleet = Fleet::synced().await;
    let client = connect(fleet.mcp(&["--toolsets", "fleet", "--query-budget", "1"])).await;
    let schemas = Schemas::of(&client).await;
    let runaway = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) \
                   SELECT count(*) FROM n";
    let result = call(&client, "fleet_query", json!({ "sql": runaway })).await;
    let error = schemas.failure("fleet_query", &result);
    assert_eq!(error["kind"], "timeout", "{error}");
    assert!(
        error["message"].as_str().unwrap().contains("1 s budget"),
        "{error}"
    );
    let result = call(
        &client,
        "fleet_query",
        json!({"sql": "SELECT count(*) AS n FROM installs"}),
    )
    .await;
    assert_eq!(schemas.answer("fleet_query", &result)["items"][0]["n"], 9);
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn each_call_opens_the_mirror_so_a_sync_beside_the_server_is_seen() {
    let fleet = Fleet::synced().await;
    let client = connect(fleet.mcp(&["--toolsets", "fleet"])).await;
    let schemas = Schemas::of(&client).await;
    let newest =
        |result: CallToolResult| schemas.answer("fleet_query", &result)["items"][0]["id"].clone();
    let sql = json!({"sql": "SELECT max(id) AS id FROM snapshots"});
    assert_eq!(newest(call(&client, "fleet_query", sql.clone()).await), 1);
    fleet.sync().await;
    assert_eq!(newest(call(&client, "fleet_query", sql).await), 2);
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn a_missing_mirror_is_a_mirror_error_that_says_how_to_make_one() {
    let fleet = Fleet::synced().await;
    let none = fleet.dir.path().join("none.sqlite");
    let mut command = against(&fleet.server, &["--toolsets", "fleet", "--db"]);
    command.arg(&none).env_remove("WPE_FLEET_DB");
    let client = connect(command).await;
    let schemas = Schemas::of(&client).await;
    for (tool, arguments) in [
        ("fleet_whois", json!({"name": "torquemag.io"})),
        ("fleet_query", json!({"sql": "SELECT 1"})),
    ] {
        let result = call(&client, tool, arguments).await;
        let error = schemas.failure(tool, &result);
        assert_eq!(error["kind"], "mirror", "{tool}: {error}");
        assert!(
            error["message"]
                .as_str()
                .unwrap()
                .contains("wpe fleet sync"),
            "{error}"
        );
    }
    assert!(!none.exists(), "a read made the mirror");
    client.cancel().await.unwrap();
}
