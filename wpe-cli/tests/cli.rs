//! The `wpe` binary against the stand-in of the API over HTTP: a test
//! starts a `FakeServer` and gives the binary its URL and the demo user's
//! credentials through `WPE_API_URL`, `WPE_API_USER` and `WPE_API_PASSWORD`.

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use serde_json::{json, Value};
use wpe_api::fake::{FakeConfig, Seed, DEMO_PASSWORD, DEMO_USER};
use wpe_api::operations::{ParamKind, OPERATIONS};
use wpe_api::Paginate;

mod common;
use common::{json_of, ok, run, wpe_without_credentials, Stand};

/// The hand-written commands below a group: inside a generated group, or
/// of a hand-written group with subcommands (`wpe report`); the others, such
/// as `wpe backup`, are groups of their own with no subcommands.
const HAND_WRITTEN_IN_GROUPS: &[(&str, &str)] = &[("domains", "add"), ("report", "usage")];

/// Hand-written groups whose commands are none of the API's operations
/// (`wpe fleet`: the local mirror).
const HAND_WRITTEN_GROUPS: &[&str] = &["fleet"];

/// Every generated command as the binary names it, by operationId, read
/// from its help (so the test does not re-derive the names).
fn commands_by_operation_id() -> HashMap<String, (String, String)> {
    let mut commands = HashMap::new();
    for group in subcommands(&ok(wpe_without_credentials().arg("--help"))) {
        if HAND_WRITTEN_GROUPS.contains(&group.as_str()) {
            continue;
        }
        let group_help = ok(wpe_without_credentials().args([group.as_str(), "--help"]));
        for verb in subcommands(&group_help) {
            // `wait` commands follow a job; they are no operation of their own.
            if HAND_WRITTEN_IN_GROUPS.contains(&(group.as_str(), verb.as_str()))
                || verb == "wait"
                || verb.starts_with("wait-")
            {
                continue;
            }
            let verb_help = ok(wpe_without_credentials().args([group.as_str(), &verb, "--help"]));
            let operation_id = verb_help
                .split("(operation ")
                .nth(1)
                .and_then(|rest| rest.split(',').next())
                .unwrap_or_else(|| panic!("wpe {group} {verb} --help names no operation"));
            commands.insert(operation_id.to_owned(), (group.clone(), verb.clone()));
        }
    }
    commands
}

/// The command names listed under `Commands:` in a help text.
fn subcommands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help" && *name != "completions")
        .map(str::to_owned)
        .collect()
}

/// For every resource, a read-only operation whose required parameters are
/// all installs, sites or accounts is run by its generated command, with
/// names (`torquemag`, `Torque Magazine`, `demoagency`) for them, is
/// answered with success and prints JSON; the stand-in saw that operation.
#[test]
fn every_group_has_a_generated_command_that_reaches_its_operation() {
    let stand = Stand::demo();
    let name_of = |param: &str| match param {
        "install_id" => Some("torquemag"),
        "site_id" => Some("Torque Magazine"),
        "account_id" => Some("demoagency"),
        _ => None,
    };
    let commands = commands_by_operation_id();
    assert_eq!(commands.len(), OPERATIONS.len(), "a command per operation");
    let mut resources = BTreeSet::new();
    let mut run_groups = BTreeSet::new();
    for op in OPERATIONS {
        resources.insert(op.resource);
        let required: Vec<_> = op.params.iter().filter(|p| p.required).collect();
        let nameable = required
            .iter()
            .all(|p| p.kind == ParamKind::Uuid && name_of(p.name).is_some());
        if op.method != "GET" || !nameable || run_groups.contains(op.resource) {
            continue;
        }
        let (group, verb) = &commands[op.operation_id];
        let mut command = stand.wpe();
        command.args([group.as_str(), verb.as_str(), "--json"]);
        let mut path: Vec<_> = required
            .iter()
            .filter(|p| p.location == wpe_api::operations::Location::Path)
            .collect();
        path.sort_by_key(|p| op.param_index(p.name));
        for param in path {
            command.arg(name_of(param.name).unwrap());
        }
        for param in required
            .iter()
            .filter(|p| p.location == wpe_api::operations::Location::Query)
        {
            command.arg(param.flag()).arg(name_of(param.name).unwrap());
        }
        let answer = run(&mut command);
        if answer.code == 1 {
            // An API answer such as getOffloadSettings' 404 for an install
            // without LargeFS: the command worked; try the group's next one.
            assert!(answer.stderr.contains("404"), "{}", answer.stderr);
            continue;
        }
        assert_eq!(answer.code, 0, "wpe {group} {verb}: {}", answer.stderr);
        json_of(&answer.stdout);
        assert!(
            stand.server.served_operations().contains(op.operation_id),
            "wpe {group} {verb} did not reach {}",
            op.operation_id
        );
        run_groups.insert(op.resource);
    }
    // The cache has no read operation: its purge is run with a body.
    let (group, verb) = &commands["purgeCache"];
    ok(stand
        .wpe()
        .args([group.as_str(), verb.as_str(), "torquemag", "--body", "-"])
        .write_stdin(r#"{"type": "page"}"#));
    run_groups.insert("cache");
    assert_eq!(run_groups, resources, "a group without a command run");
}

#[test]
fn a_list_prints_as_json_ndjson_csv_or_a_table_and_parses_back() {
    let stand = Stand::demo();
    let expected: Vec<String> = stand
        .block_on(stand.client().list_installs().send())
        .unwrap()
        .into_inner()
        .results
        .iter()
        .map(|i| i.name.to_string())
        .collect();
    assert_eq!(expected.len(), 9);

    let json = json_of(&ok(stand.wpe().args(["installs", "list", "--json"])));
    let names: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, expected);
    // Not a terminal: JSON unless told otherwise.
    assert_eq!(json_of(&ok(stand.wpe().args(["installs", "list"]))), json);

    let ndjson = ok(stand.wpe().args(["installs", "list", "--format", "ndjson"]));
    let lines: Vec<Value> = ndjson.lines().map(json_of).collect();
    assert_eq!(Value::Array(lines), json);

    let csv = ok(stand.wpe().args(["installs", "list", "--format", "csv"]));
    let mut rows = csv.lines();
    let header: Vec<&str> = rows.next().unwrap().split(',').collect();
    assert_eq!(&header[..2], ["name", "id"]);
    let csv_names: Vec<&str> = rows.map(|r| r.split(',').next().unwrap()).collect();
    assert_eq!(csv_names, expected);

    let table = ok(stand.wpe().args(["installs", "list", "--format", "table"]));
    let mut lines = table.lines();
    assert!(lines.next().unwrap().starts_with("NAME "));
    let table_names: Vec<&str> = lines
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(table_names, expected);
}

#[test]
fn one_page_is_asked_for_with_limit_and_offset() {
    let stand = Stand::demo();
    let page = json_of(&ok(stand.wpe().args([
        "installs", "list", "--limit", "2", "--offset", "3", "--json",
    ])));
    let names: Vec<&str> = page
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["demoshop", "demoshopstg"]);
}

#[test]
fn a_long_list_streams_every_item_once() {
    let stand = Stand::start(Seed::Installs(450));
    let out = ok(stand.wpe().args(["installs", "list", "--format", "ndjson"]));
    let names: Vec<String> = out
        .lines()
        .map(|l| json_of(l)["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names.len(), 450);
    assert_eq!(names.first().unwrap(), "i0000000");
    assert_eq!(names.last().unwrap(), "i0000449");
}

#[test]
fn an_install_site_or_account_is_found_by_name() {
    let stand = Stand::demo();
    let install = json_of(&ok(stand.wpe().args([
        "installs",
        "get",
        "torquemag",
        "--json",
    ])));
    assert_eq!(install["id"], stand.install_id("torquemag"));
    // An ID works as well.
    let by_id = json_of(&ok(stand.wpe().args([
        "installs",
        "get",
        &stand.install_id("torquemag"),
        "--json",
    ])));
    assert_eq!(by_id, install);

    let site = json_of(&ok(stand.wpe().args([
        "sites",
        "get",
        "Torque Magazine",
        "--json",
    ])));
    assert_eq!(site["id"], install["site"]["id"]);
    let account = json_of(&ok(stand.wpe().args([
        "accounts",
        "get",
        "demoagency",
        "--json",
    ])));
    assert_eq!(account["id"], install["account"]["id"]);
    // A query parameter takes a name too.
    let installs = json_of(&ok(stand.wpe().args([
        "installs",
        "list",
        "--account-id",
        "democlient",
        "--json",
    ])));
    let names: Vec<&str> = installs
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["clientblog", "clientblogstg", "clientblogdev"]);
}

#[test]
fn an_unknown_name_is_a_usage_error_that_suggests_close_names() {
    let stand = Stand::demo();
    let run = run(stand.wpe().args(["installs", "get", "torqemag"]));
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("no install named `torqemag`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("did you mean torquemag"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty());
}

#[test]
fn an_ambiguous_name_lists_every_match() {
    let stand = Stand::demo();
    let client = stand.client();
    let accounts = stand.block_on(client.list_accounts().send()).unwrap();
    let democlient = accounts
        .results
        .iter()
        .find(|a| a.name == "democlient")
        .unwrap()
        .id;
    let second = stand
        .block_on(
            client
                .create_site()
                .body_map(|b| b.name("Torque Magazine").account_id(democlient))
                .send(),
        )
        .unwrap();
    let run = run(stand.wpe().args(["sites", "get", "Torque Magazine"]));
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("2 sites are named `Torque Magazine`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(&second.id.to_string()),
        "{}",
        run.stderr
    );
    let first = json_of(&ok(stand.wpe().args([
        "installs",
        "get",
        "torquemag",
        "--json",
    ])));
    assert!(
        run.stderr.contains(first["site"]["id"].as_str().unwrap()),
        "{}",
        run.stderr
    );
}

#[test]
fn usage_errors_exit_2_and_api_errors_exit_1() {
    let stand = Stand::demo();
    for args in [
        vec!["installs", "get"],
        vec!["installs", "frobnicate"],
        vec!["installs", "list", "--limit", "500"],
        vec!["installs", "list", "--format", "yaml"],
        vec![
            "backups",
            "create",
            "torquemag",
            "--body",
            "/nonexistent/body.json",
        ],
        vec!["domains", "get", "torquemag", "not-a-uuid"],
    ] {
        let run = run(stand.wpe().args(&args));
        assert_eq!(run.code, 2, "wpe {args:?}: {}", run.stderr);
        assert!(!run.stderr.is_empty());
    }
    let run_limit = run(stand.wpe().args(["installs", "list", "--limit", "500"]));
    assert!(run_limit.stderr.contains("--limit"), "{}", run_limit.stderr);
    // A domain is looked up by name within its install.
    let run_domain = run(stand
        .wpe()
        .args(["domains", "get", "torquemag", "not-a-uuid"]));
    assert!(
        run_domain.stderr.contains("no domain named `not-a-uuid`"),
        "{}",
        run_domain.stderr
    );

    let missing = uuid::Uuid::new_v4().to_string();
    let not_found = run(stand.wpe().args(["installs", "get", &missing]));
    assert_eq!(not_found.code, 1, "{}", not_found.stderr);
    assert!(not_found.stderr.contains("404"), "{}", not_found.stderr);

    let bad_password = run(stand
        .wpe()
        .env("WPE_API_PASSWORD", "wrong-secret-123")
        .args(["installs", "list"]));
    assert_eq!(bad_password.code, 1, "{}", bad_password.stderr);
    assert!(
        bad_password.stderr.contains("401"),
        "{}",
        bad_password.stderr
    );
    assert!(!bad_password.stderr.contains("wrong-secret-123"));
}

#[test]
fn missing_credentials_say_where_to_make_them_and_print_no_secret() {
    let run_none = run(wpe_without_credentials().args(["installs", "list"]));
    assert_eq!(run_none.code, 2, "{}", run_none.stderr);
    assert!(
        run_none.stderr.contains("WPE_API_USER"),
        "{}",
        run_none.stderr
    );
    assert!(
        run_none
            .stderr
            .contains("https://my.wpengine.com/api_access"),
        "{}",
        run_none.stderr
    );
    let run_half = run(wpe_without_credentials()
        .env("WPE_API_PASSWORD", "s3cret-value")
        .args(["installs", "list"]));
    assert_eq!(run_half.code, 2);
    assert!(!run_half.stderr.contains("s3cret-value"));
}

#[test]
fn demo_runs_without_an_account() {
    let install = json_of(&ok(wpe_without_credentials().args([
        "--demo",
        "installs",
        "get",
        "torquemag",
        "--json",
    ])));
    assert_eq!(install["name"], "torquemag");
    assert_eq!(install["environment"], "production");
}

#[test]
fn a_request_body_comes_from_a_file_or_standard_input() {
    let stand = Stand::demo();
    let backup = json_of(&ok(stand
        .wpe()
        .args(["backups", "create", "torquemag", "--body", "-", "--json"])
        .write_stdin(
            json!({"description": "before deploy", "notification_emails": ["ops@example.com"]})
                .to_string(),
        )));
    assert_eq!(backup["status"], "requested");
    assert_eq!(backup["description"], "before deploy");

    let dir = std::env::temp_dir().join(format!("wpe-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("purge.json");
    std::fs::write(&file, r#"{"type": "object"}"#).unwrap();
    let out = ok(stand
        .wpe()
        .args(["cache", "purge", "torquemag", "--body"])
        .arg(&file));
    assert!(out.is_empty(), "a 202 prints nothing when piped: {out}");
    let purges = stand.server.cache_purges();
    assert_eq!(purges.len(), 1);
    std::fs::remove_dir_all(&dir).unwrap();

    let invalid = run(stand
        .wpe()
        .args(["backups", "create", "torquemag", "--body", "-"])
        .write_stdin(r#"{"description": "x", "notification_emails": "ops@example.com"}"#));
    assert_eq!(invalid.code, 2, "{}", invalid.stderr);
    assert!(
        invalid.stderr.contains("notification_emails"),
        "{}",
        invalid.stderr
    );
}

/// A password comes in the body (from standard input or a file) or at a
/// prompt, never as an argument, and nothing `wpe` prints holds it.
#[test]
fn an_sftp_password_is_read_from_the_body_and_never_printed() {
    let stand = Stand::demo();
    let password = "Plugins-Only-2026";
    let created = run(stand
        .wpe()
        .args(["sftp-users", "create", "torquemag", "--body", "-", "--json"])
        .write_stdin(json!({"name": "developer", "password": password}).to_string()));
    assert_eq!(created.code, 0, "{}", created.stderr);
    assert_eq!(json_of(&created.stdout)["name"], "torquemag-developer");
    assert!(!created.stdout.contains(password) && !created.stderr.contains(password));

    // Too short: refused before sending, the value not shown.
    let short = run(stand
        .wpe()
        .args(["sftp-users", "create", "torquemag", "--body", "-"])
        .write_stdin(json!({"name": "ops", "password": "Short-7"}).to_string()));
    assert_eq!(short.code, 2, "{}", short.stderr);
    assert!(
        short.stderr.contains("8 to 64 characters"),
        "{}",
        short.stderr
    );
    assert!(!short.stderr.contains("Short-7"), "{}", short.stderr);
    // A rule only the server checks: its answer, not the password.
    let named = run(stand
        .wpe()
        .args([
            "sftp-users",
            "update",
            "torquemag",
            "torquemag-developer",
            "--body",
            "-",
        ])
        .write_stdin(json!({"password": "torquemag-is-great"}).to_string()));
    assert_eq!(named.code, 1, "{}", named.stderr);
    assert!(named.stderr.contains("install's name"), "{}", named.stderr);
    assert!(
        !named.stderr.contains("torquemag-is-great"),
        "{}",
        named.stderr
    );

    // Left out of the body with no terminal to ask on: a usage error that says where to put it.
    let missing = run(stand
        .wpe()
        .args(["sftp-users", "create", "torquemag", "--body", "-"])
        .write_stdin(json!({"name": "ops"}).to_string()));
    assert_eq!(missing.code, 2, "{}", missing.stderr);
    assert!(
        missing.stderr.contains("no `password`"),
        "{}",
        missing.stderr
    );
    assert!(
        missing.stderr.contains("never taken as an argument"),
        "{}",
        missing.stderr
    );
    // There is no flag to pass it on the command line.
    let flag = run(stand.wpe().args([
        "sftp-users",
        "create",
        "torquemag",
        "--password",
        "Plugins-Only-2026",
    ]));
    assert_eq!(flag.code, 2, "{}", flag.stderr);
    let users = json_of(&ok(stand.wpe().args([
        "sftp-users",
        "list",
        "torquemag",
        "--json",
    ])));
    assert_eq!(users.as_array().map(Vec::len), Some(2), "{users}");
    assert!(!users.to_string().contains("password"), "{users}");
}

#[test]
fn aliases_name_commands_by_operation_id() {
    let stand = Stand::demo();
    let by_verb = json_of(&ok(stand.wpe().args(["installs", "get", "torquemag"])));
    let by_id = json_of(&ok(stand.wpe().args([
        "installs",
        "getInstall",
        "torquemag",
    ])));
    let by_method = json_of(&ok(stand.wpe().args([
        "installs",
        "get_install",
        "torquemag",
    ])));
    assert_eq!(by_verb, by_id);
    assert_eq!(by_verb, by_method);
}

#[test]
fn completions_are_printed_for_each_shell() {
    for shell in ["bash", "zsh", "fish"] {
        let script = ok(wpe_without_credentials().args(["completions", shell]));
        assert!(script.contains("installs"), "{shell}");
    }
    let run = run(wpe_without_credentials().args(["completions", "tcsh"]));
    assert_eq!(run.code, 2);
}

/// A stand-in whose backups take `step` in each of `requested` and
/// `in_progress`: zero for a backup the first look finds ended (so a test
/// waits nothing out), an hour for one that is never done in a test.
fn backups_taking(step: Duration) -> Stand {
    Stand::with_config(FakeConfig {
        backup_step_delay: step,
        ..FakeConfig::default()
    })
}

#[test]
fn backup_wait_follows_the_backup_until_it_is_completed() {
    let stand = backups_taking(Duration::ZERO);
    let run = run(stand.wpe().args([
        "backup",
        "torquemag",
        "--wait",
        "--description",
        "before deploy",
        "--json",
    ]));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stderr, "", "no progress when stderr is not a terminal");
    let backup = json_of(&run.stdout);
    assert_eq!(backup["status"], "completed");
    assert_eq!(backup["description"], "before deploy");
    let install = stand.install_id("torquemag").parse().unwrap();
    assert_eq!(stand.server.backups_taken()[&install], 1);
    assert!(stand.server.served_operations().contains("showBackup"));
}

#[test]
fn backup_without_wait_prints_the_requested_backup() {
    let stand = backups_taking(Duration::from_secs(3600));
    let backup = json_of(&ok(stand.wpe().args([
        "backup",
        "torquemag",
        "--email",
        "ops@example.com",
    ])));
    assert_eq!(backup["status"], "requested");
    assert!(!stand.server.served_operations().contains("showBackup"));
}

#[test]
fn an_aborted_backup_exits_1() {
    let stand = backups_taking(Duration::ZERO);
    stand.server.abort_next_backup();
    let run = run(stand.wpe().args(["backup", "torquemag", "--wait"]));
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("aborted"), "{}", run.stderr);
    assert!(run.stdout.is_empty());
}

#[test]
fn a_backup_wait_that_times_out_exits_3() {
    let stand = backups_taking(Duration::from_secs(3600));
    let run = run(stand
        .wpe()
        .args(["backup", "torquemag", "--wait", "--timeout", "0"]));
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("still requested"), "{}", run.stderr);
}

#[test]
fn purge_purges_the_named_cache_of_an_install() {
    let stand = Stand::demo();
    let out = json_of(&ok(stand.wpe().args([
        "purge",
        "torquemag",
        "--type",
        "object",
        "--json",
    ])));
    assert_eq!(out["type"], "object");
    let purges = stand.server.cache_purges();
    assert_eq!(purges.len(), 1);
    assert_eq!(
        purges[0].install_id.to_string(),
        stand.install_id("torquemag")
    );
    assert_eq!(purges[0].kind, wpe_api::types::PurgeCacheType::Object);

    let unknown = run(stand
        .wpe()
        .args(["purge", "torquemag", "--type", "everything"]));
    assert_eq!(unknown.code, 2);
    let no_type = run(stand.wpe().args(["purge", "torquemag"]));
    assert_eq!(no_type.code, 2);
    assert_eq!(stand.server.cache_purges().len(), 1);
}

/// A stand-in whose domain status reports take `delay` to complete.
fn domain_reports_taking(delay: Duration) -> Stand {
    Stand::with_config(FakeConfig {
        domain_report_delay: delay,
        ..FakeConfig::default()
    })
}

#[test]
fn domains_add_wait_adds_the_domain_and_reports_its_status() {
    // A report done at once: the first look finds it complete, so nothing is waited out.
    let stand = domain_reports_taking(Duration::ZERO);
    let out = json_of(&ok(stand.wpe().args([
        "domains",
        "add",
        "torquemag",
        "new.example.com",
        "--wait",
        "--json",
    ])));
    assert_eq!(out["domain"]["name"], "new.example.com");
    assert_eq!(out["status"]["name"], "new.example.com");
    assert_eq!(out["status"]["complete"], true);
    assert_eq!(out["status"]["result"], "pointed_correctly");
    assert_eq!(out["status"]["install_name"], "torquemag");
    let served = stand.server.served_operations();
    for op in ["createDomain", "checkStatus", "getDomainReportStatus"] {
        assert!(served.contains(op), "{op} not served: {served:?}");
    }
    // The domain is there, once.
    let listed = ok(stand
        .wpe()
        .args(["domains", "list", "torquemag", "--format", "ndjson"]));
    let added: Vec<Value> = listed
        .lines()
        .map(json_of)
        .filter(|d| d["name"] == "new.example.com")
        .collect();
    assert_eq!(added.len(), 1);
    assert_eq!(added[0]["id"], out["domain"]["id"]);

    // A table or CSV is a summary in a set order. (Another install: checks
    // of one install are limited to one per 5 s.)
    let csv = ok(stand.wpe().args([
        "domains",
        "add",
        "demoshop",
        "other.example.com",
        "--wait",
        "--format",
        "csv",
    ]));
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(
        &header[..5],
        ["name", "id", "primary", "result", "points_to"]
    );
    let row: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(row[0], "other.example.com");
    assert_eq!(row[3], "pointed_correctly");
    assert_eq!(row[4], "demoshop");
}

#[test]
fn domains_add_without_wait_prints_the_domain_and_checks_nothing() {
    let stand = Stand::demo();
    let domain = json_of(&ok(stand.wpe().args([
        "domains",
        "add",
        "torquemag",
        "new.example.com",
        "--primary",
    ])));
    assert_eq!(domain["name"], "new.example.com");
    assert_eq!(domain["primary"], true);
    assert!(!stand.server.served_operations().contains("checkStatus"));
}

#[test]
fn domains_add_wait_that_times_out_exits_3_and_says_the_domain_was_added() {
    let stand = domain_reports_taking(Duration::from_secs(3600));
    let run = run(stand.wpe().args([
        "domains",
        "add",
        "torquemag",
        "new.example.com",
        "--wait",
        "--timeout",
        "0",
    ]));
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("still incomplete"), "{}", run.stderr);
    assert!(
        run.stderr.contains("the domain new.example.com was added"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty());
}

#[test]
fn domains_add_of_a_domain_already_there_exits_1_with_the_apis_reason() {
    let stand = Stand::demo();
    let run = run(stand
        .wpe()
        .args(["domains", "add", "torquemag", "torquemag.io", "--wait"]));
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("400 Bad Request") && run.stderr.contains("already configured"),
        "{}",
        run.stderr
    );
    assert!(!stand.server.served_operations().contains("checkStatus"));
}

/// Every inventory row of the demo data, as JSON.
fn inventory_rows(stand: &Stand, args: &[&str]) -> Vec<Value> {
    let rows = json_of(&ok(stand.wpe().arg("inventory").args(args).arg("--json")));
    rows.as_array().unwrap().clone()
}

#[test]
fn inventory_lists_every_account_site_and_install_with_its_names() {
    let stand = Stand::demo();
    let rows = inventory_rows(&stand, &[]);
    let client = stand.client();
    let installs = stand
        .block_on(wpe_api::Paginate::collect_all(client.list_installs()))
        .unwrap();
    assert_eq!(installs.len(), 9);
    // One row per install, with its account's and site's names.
    for install in &installs {
        let row = rows
            .iter()
            .find(|r| r["install"] == install.name.as_str())
            .unwrap_or_else(|| panic!("no row for {}", install.name.as_str()));
        assert_eq!(row["install_id"], install.id.to_string());
        assert_eq!(row["account_id"], install.account.id.to_string());
        assert_eq!(
            row["site_id"],
            install.site.as_ref().unwrap().id.to_string()
        );
    }
    let torquemag = rows.iter().find(|r| r["install"] == "torquemag").unwrap();
    assert_eq!(torquemag["account"], "demoagency");
    assert_eq!(torquemag["site"], "Torque Magazine");
    assert_eq!(torquemag["environment"], "production");
    assert_eq!(torquemag["primary_domain"], "torquemag.io");
    // The account without installs has a row of its own; the other user's does not.
    let sandbox: Vec<&Value> = rows
        .iter()
        .filter(|r| r["account"] == "demosandbox")
        .collect();
    assert_eq!(sandbox.len(), 1);
    assert_eq!(sandbox[0]["install"], Value::Null);
    assert_eq!(rows.len(), 10);
    assert!(!rows.iter().any(|r| r["account"] == "otheragency"));
    let served = stand.server.served_operations();
    for op in ["listAccounts", "listSites", "listInstalls"] {
        assert!(served.contains(op), "{op} not served: {served:?}");
    }
}

#[test]
fn inventory_prints_csv_and_a_table_with_set_columns_and_sorts_on_request() {
    let stand = Stand::demo();
    let run = run(stand.wpe().args(["inventory", "--format", "csv"]));
    assert_eq!(run.stderr, "", "no progress when stderr is not a terminal");
    let csv = run.stdout;
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "account,site,install,environment,status,primary_domain,php_version,cname,install_id,site_id,account_id"
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 10);
    assert!(rows.iter().all(|r| r.len() == 11), "{csv}");
    let sandbox = rows.iter().find(|r| r[0] == "demosandbox").unwrap();
    assert_eq!(sandbox[2], "", "an account without installs has no install");

    let table = ok(stand.wpe().args(["inventory", "--format", "table"]));
    let header: Vec<&str> = table.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(
        header,
        [
            "ACCOUNT",
            "SITE",
            "INSTALL",
            "ENVIRONMENT",
            "STATUS",
            "PRIMARY_DOMAIN",
            "PHP_VERSION"
        ]
    );
    assert_eq!(table.lines().count(), 11);

    let sorted = inventory_rows(&stand, &["--sort"]);
    let keys: Vec<(String, String, String)> = sorted
        .iter()
        .map(|r| {
            let text = |c: &str| r[c].as_str().unwrap_or("").to_owned();
            (text("account"), text("site"), text("install"))
        })
        .collect();
    let mut expected = keys.clone();
    expected.sort();
    assert_eq!(keys, expected);
    assert_eq!(keys[0].2, "demoshop");
}

#[test]
fn inventory_of_one_account_by_name() {
    let stand = Stand::demo();
    let rows = inventory_rows(&stand, &["--account", "democlient"]);
    let installs: Vec<&str> = rows
        .iter()
        .map(|r| r["install"].as_str().unwrap())
        .collect();
    assert_eq!(installs.len(), 3, "{rows:?}");
    assert!(installs.iter().all(|i| i.starts_with("clientblog")));
    assert!(rows.iter().all(|r| r["account"] == "democlient"));
    let unknown = run(stand.wpe().args(["inventory", "--account", "democlien"]));
    assert_eq!(unknown.code, 2);
    assert!(
        unknown.stderr.contains("did you mean democlient"),
        "{}",
        unknown.stderr
    );
}

#[test]
fn inventory_prints_its_first_rows_before_the_walk_is_done() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;

    let stand = Stand::start(Seed::Installs(10_000));
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_wpe"))
        .args(["inventory", "--format", "ndjson"])
        .env("WPE_API_URL", stand.server.base_url())
        .env("WPE_API_USER", DEMO_USER)
        .env("WPE_API_PASSWORD", DEMO_PASSWORD)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    assert_eq!(json_of(&first)["install"], "i0000000");
    // The reader has taken one line: the binary can only have walked as far
    // as the pipe, its queue and the pages in flight hold, far from the 100
    // pages of 10,000 installs.
    let pages = stand
        .server
        .sent_responses()
        .iter()
        .filter(|r| r.operation_id == "listInstalls")
        .count();
    assert!(
        pages < 50,
        "{pages} pages of installs were read before the first row"
    );
    // Read the rest: every install once, in order.
    let mut count = 1;
    let mut line = String::new();
    while out.read_line(&mut line).unwrap() > 0 {
        count += 1;
        line.clear();
    }
    assert!(child.wait().unwrap().success());
    assert_eq!(
        count, 10_000,
        "one row per install (the account has installs)"
    );
}

/// The peak resident memory (KiB) of `wpe inventory ARGS` against `stand`,
/// and the rows it printed (written to a file, so nothing is held here).
#[cfg(target_os = "linux")]
fn inventory_peak_rss(stand: &Stand, args: &[&str]) -> (i64, usize) {
    use std::io::{BufRead, BufReader};

    let path = std::env::temp_dir().join(format!(
        "wpe-inventory-{}-{}.ndjson",
        std::process::id(),
        args.join("")
    ));
    // `wpe` is started by a fresh copy of this test binary (`rss_probe`),
    // not by this process: a child's peak RSS counts the memory of the
    // process it was spawned from (Linux keeps the spawner's high-water mark
    // across exec), and this process holds the stand-ins and every other
    // test's data. The probe is a few megabytes.
    let probe = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "rss_probe",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(PROBE_OUT, &path)
        .env(PROBE_ARGS, args.join("\n"))
        .env("WPE_API_URL", stand.server.base_url())
        .env("WPE_API_USER", DEMO_USER)
        .env("WPE_API_PASSWORD", DEMO_PASSWORD)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&probe.stdout);
    assert!(probe.status.success(), "the probe failed: {report}");
    // The harness prints `test rss_probe ... ` before the probe's own line.
    let maxrss = report
        .split("maxrss=")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("the probe reported no maxrss: {report}"));
    let rows = BufReader::new(std::fs::File::open(&path).unwrap())
        .lines()
        .count();
    std::fs::remove_file(&path).unwrap();
    (maxrss, rows)
}

/// Where [`rss_probe`] writes `wpe`'s output.
const PROBE_OUT: &str = "WPE_TEST_PROBE_OUT";
/// The extra arguments of `wpe inventory` for [`rss_probe`], one per line.
const PROBE_ARGS: &str = "WPE_TEST_PROBE_ARGS";

/// Not a test: the small process `inventory_peak_rss` starts `wpe` from
/// (run by it with `--ignored --exact`). Runs `wpe inventory --format
/// ndjson` with the arguments it is given, waits for it with wait4, and
/// prints its peak RSS in KiB as `maxrss=N`.
#[cfg(target_os = "linux")]
#[test]
#[ignore = "run by inventory_peak_rss in a process of its own"]
fn rss_probe() {
    let (Ok(out), Ok(args)) = (std::env::var(PROBE_OUT), std::env::var(PROBE_ARGS)) else {
        panic!("rss_probe is run by inventory_peak_rss, which sets {PROBE_OUT} and {PROBE_ARGS}");
    };
    // Reaped by wait4 below, which std's `Child` does not know about.
    #[allow(clippy::zombie_processes)]
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_wpe"))
        .args(["inventory", "--format", "ndjson"])
        .args(args.lines().filter(|a| !a.is_empty()))
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: `rusage` is plain data that wait4 fills in; `pid` is our child,
    // not yet waited for (std's `Child` only waits when asked to).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid);
    assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0);
    println!("maxrss={}", usage.ru_maxrss);
}

/// Peak memory of the same walk over 1,000 and 20,000 installs, streamed
/// (the default) and collected (`--sort` holds every row); run with
/// `--nocapture` to see the figures. The allocator moves a streamed walk's
/// peak by some hundreds of KiB from run to run, so the large fleet is
/// large enough for what collecting costs to stand well clear of that.
#[cfg(target_os = "linux")]
#[test]
fn inventory_memory_stays_flat_when_streamed_and_grows_when_collected() {
    const LARGE: usize = 20_000;
    let small = Stand::start(Seed::Installs(1_000));
    let large = Stand::start(Seed::Installs(LARGE));
    let (streamed_small, rows) = inventory_peak_rss(&small, &[]);
    assert_eq!(rows, 1_000);
    let (streamed_large, rows) = inventory_peak_rss(&large, &[]);
    assert_eq!(rows, LARGE);
    let (collected_small, _) = inventory_peak_rss(&small, &["--sort"]);
    let (collected_large, rows) = inventory_peak_rss(&large, &["--sort"]);
    assert_eq!(rows, LARGE);
    let streamed_growth = streamed_large - streamed_small;
    let collected_growth = collected_large - collected_small;
    println!(
        "peak RSS of `wpe inventory` (KiB): 1,000 installs streamed {streamed_small}, \
         collected {collected_small}; {LARGE} installs streamed {streamed_large}, \
         collected {collected_large}; growth from 1,000 to {LARGE}: streamed \
         {streamed_growth}, collected {collected_growth}"
    );
    // Holding 19,000 more rows costs megabytes (a typed row is a few hundred
    // bytes); streaming them costs next to nothing.
    assert!(
        collected_growth > 4 * 1024,
        "collecting 19,000 more rows should cost more than 4 MiB: {collected_growth} KiB"
    );
    assert!(
        streamed_growth < collected_growth / 4,
        "streamed memory grew {streamed_growth} KiB, collected {collected_growth} KiB"
    );
}

#[test]
fn a_purge_inside_the_per_install_limit_is_refused_with_the_apis_429() {
    // Object-cache purges once an hour: the second purge's Retry-After is
    // beyond the client's retry deadline, so it gives up at once with the 429.
    let stand = Stand::with_config(FakeConfig {
        object_cache_purge_interval: Duration::from_secs(3600),
        ..FakeConfig::default()
    });
    ok(stand.wpe().args(["purge", "torquemag", "--type", "object"]));
    let run = run(stand.wpe().args(["purge", "torquemag", "--type", "object"]));
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("429 Too Many Requests") && run.stderr.contains("rate limit"),
        "{}",
        run.stderr
    );
    assert_eq!(stand.server.cache_purges().len(), 1);
    // Another install has a limit of its own.
    ok(stand.wpe().args(["purge", "demoshop", "--type", "object"]));
    assert_eq!(stand.server.cache_purges().len(), 2);
}

#[test]
fn purge_in_a_table_says_which_caches_of_which_install_and_that_it_was_accepted() {
    let stand = Stand::demo();
    let id = stand.install_id("torquemag");
    let out = ok(stand
        .wpe()
        .args(["purge", "torquemag", "--type", "all", "--format", "table"]));
    assert_eq!(
        out.trim(),
        format!("purge of every cache of torquemag ({id}) accepted")
    );
    let out = ok(stand
        .wpe()
        .args(["purge", "torquemag", "--type", "page", "--format", "table"]));
    assert_eq!(
        out.trim(),
        format!("purge of the page cache of torquemag ({id}) accepted")
    );
}

#[test]
fn help_lists_the_rules_the_api_enforces() {
    let commands = commands_by_operation_id();
    let (group, verb) = &commands["getAccountUsageSummary"];
    let help = ok(wpe_without_credentials().args([group.as_str(), verb, "--help"]));
    assert!(help.contains("Rules the API enforces"), "{help}");
    assert!(help.contains("at most 31 days"), "{help}");
    assert!(help.contains("13 months"), "{help}");
    // Unverified claims of the agent skills stay out of the help.
    assert!(!help.contains("zero visits"), "{help}");
    let without = wpe_api::operations::OPERATIONS
        .iter()
        .find(|op| op.behaviours.is_empty() && commands.contains_key(op.operation_id))
        .expect("an operation without stated rules");
    let (group, verb) = &commands[without.operation_id];
    let plain = ok(wpe_without_credentials().args([group.as_str(), verb, "--help"]));
    assert!(!plain.contains("Rules the API enforces"), "{plain}");
}

/// `wpe --demo` with these arguments: its exit code, stdout and stderr.
fn demo(args: &[&str]) -> common::Run {
    run(wpe_without_credentials().arg("--demo").args(args))
}

#[test]
fn accepted_work_says_so_on_stderr_and_stdout_stays_the_answer() {
    // A copy: no ID to follow, never resent; with --json stdout is empty.
    let copy = demo(&[
        "installs",
        "copy",
        "--source-environment-id",
        "torquemagstg",
        "--destination-environment-id",
        "torquemag",
        "--notification-emails",
        "ops@example.com",
        "--yes",
        "--json",
    ]);
    assert_eq!(copy.code, 0, "{}", copy.stderr);
    assert_eq!(copy.stdout, "");
    assert!(
        copy.stderr
            .contains("accepted: copy one install onto another;")
            && copy.stderr.contains("gives it no ID to follow")
            && copy.stderr.contains("Do not send it again")
            && copy
                .stderr
                .contains("ops@example.com will be emailed when it ends"),
        "{}",
        copy.stderr
    );

    // Offload settings: applied later; the GET shows them.
    let offload = run(wpe_without_credentials()
        .args([
            "--demo",
            "offload-settings",
            "update",
            "torquemag",
            "--body",
            "-",
        ])
        .write_stdin(r#"{"largefs_settings": {"cloud": "s3", "bucket": "media", "bucket_region": "us-east-1"}}"#));
    assert_eq!(offload.code, 0, "{}", offload.stderr);
    assert_eq!(offload.stdout, "");
    assert!(
        offload.stderr.contains(
            "WP Engine applies it after this answer. See where it stands with \
             `wpe offload-settings get torquemag`."
        ),
        "{}",
        offload.stderr
    );
    // A disk-usage refresh: its wait command, with the account as given.
    let refresh = demo(&["usage", "refresh-account-disk", "demoagency"]);
    assert_eq!(refresh.code, 0, "{}", refresh.stderr);
    assert_eq!(refresh.stdout, "");
    assert!(
        refresh
            .stderr
            .contains("Follow it with `wpe usage wait-account-disk-usage demoagency`"),
        "{}",
        refresh.stderr
    );

    // A backup: stdout is the backup, as JSON; stderr names its wait command.
    let backup = demo(&["backup", "torquemag", "--json"]);
    assert_eq!(backup.code, 0, "{}", backup.stderr);
    let taken = json_of(&backup.stdout);
    assert!(
        backup.stderr.contains(&format!(
            "Follow it with `wpe backups wait torquemag {}`",
            taken["id"].as_str().unwrap()
        )),
        "{}",
        backup.stderr
    );

    // Work done with its answer says nothing.
    let list = demo(&["installs", "get", "torquemag", "--json"]);
    assert_eq!(list.stderr, "");
}

/// The cells of the row of `name` in CSV output, by column, read from the
/// right (cells after the last quoted one only: enough for plain columns).
fn csv_row(csv: &str, name: &str) -> HashMap<String, String> {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().rsplit(',').collect();
    let row = lines
        .find(|l| l.starts_with(&format!("{name},")))
        .unwrap_or_else(|| panic!("no row {name} in {csv}"));
    header
        .iter()
        .map(|c| (*c).to_owned())
        .zip(
            row.rsplit(',')
                .take_while(|c| !c.ends_with('"'))
                .map(str::to_owned),
        )
        .collect()
}

/// `domains list` of the demo's torquemag shows that `www.torquemag.io`
/// redirects to `torquemag.io`, in a table, CSV and Markdown (whether the
/// answer names the redirect `redirects_to`, as upstream's document, or
/// `redirect_to`, as the live API).
#[test]
fn domains_list_shows_the_redirect_in_every_table_format() {
    let list = |format: &str| {
        ok(wpe_without_credentials().args([
            "--demo",
            "domains",
            "list",
            "torquemag",
            "--format",
            format,
        ]))
    };
    let csv = list("csv");
    let www = csv_row(&csv, "www.torquemag.io");
    assert!(
        www.iter()
            .any(|(c, v)| c.starts_with("redirect") && v == "torquemag.io"),
        "{csv}"
    );
    let table = list("table");
    let header = table.lines().next().unwrap();
    let row = table
        .lines()
        .find(|l| l.starts_with("www.torquemag.io "))
        .unwrap();
    assert!(
        header
            .match_indices("REDIRECT")
            .any(|(at, _)| row[at..].starts_with("torquemag.io ")),
        "{table}"
    );
    let markdown = list("markdown");
    let header: Vec<&str> = markdown.lines().next().unwrap().split(" | ").collect();
    let row: Vec<&str> = markdown
        .lines()
        .find(|l| l.starts_with("| www.torquemag.io |"))
        .unwrap()
        .split(" | ")
        .collect();
    assert!(
        header
            .iter()
            .zip(&row)
            .any(|(c, v)| c.starts_with("redirect") && *v == "torquemag.io"),
        "{markdown}"
    );
}

/// `certificates get-install` of an install without certificates prints an
/// empty list and succeeds, whole or one page (`--limit`); of an install ID
/// nobody has it is the API's 404 and exit 1, as `domains list` of it is.
#[test]
fn certificates_of_an_install_without_any_are_none_and_of_a_missing_install_a_404() {
    let made_up = "11111111-2222-4333-8444-555555555555";
    for page in [&[][..], &["--limit", "5"][..]] {
        let certificates = |install: &str| {
            let mut command = wpe_without_credentials();
            command
                .args(["--demo", "certificates", "get-install", install, "--json"])
                .args(page);
            run(&mut command)
        };
        let none = certificates("torquemagdev");
        assert_eq!(none.code, 0, "{page:?}: {}", none.stderr);
        assert_eq!(json_of(&none.stdout), json!([]), "{page:?}");
        let missing = certificates(made_up);
        assert_eq!(missing.code, 1, "{page:?}: {}", missing.stdout);
        assert!(
            missing.stderr.contains("404"),
            "{page:?}: {}",
            missing.stderr
        );
        assert!(missing.stdout.is_empty(), "{page:?}: {}", missing.stdout);
    }
    let domains = run(wpe_without_credentials().args(["--demo", "domains", "list", made_up]));
    assert_eq!(domains.code, 1, "{}", domains.stderr);
}

/// The domains of the install called `install` on the stand-in, by name,
/// with the name each redirects to (`None`: no redirect), read with the
/// client, not the binary, in either answer shape.
fn redirects_on(stand: &Stand, install: &str) -> HashMap<String, Option<String>> {
    let install = stand.install_id(install);
    let domains = stand
        .block_on(
            stand
                .client()
                .list_domains()
                .install_id(install.as_str())
                .collect_all(),
        )
        .unwrap();
    domains
        .into_iter()
        .map(|d| {
            // Upstream's document lists it in `redirects_to`; the live API
            // names it in `redirect_to` (kept with the fields the spec lacks).
            let d = serde_json::to_value(d).unwrap();
            let target = d["redirects_to"][0]["name"]
                .as_str()
                .or(d["redirect_to"]["name"].as_str())
                .map(str::to_owned);
            (d["name"].as_str().unwrap().to_owned(), target)
        })
        .collect()
}

/// `domains add --redirect-to` takes the target domain's name, as `domains
/// create --redirect-to` does, and the stand-in records the redirect.
#[test]
fn domains_add_redirects_to_a_domain_given_by_name() {
    let stand = Stand::demo();
    ok(stand.wpe().args([
        "domains",
        "add",
        "torquemag",
        "blog.example.com",
        "--redirect-to",
        "torquemag.io",
    ]));
    let redirects = redirects_on(&stand, "torquemag");
    assert_eq!(
        redirects["blog.example.com"].as_deref(),
        Some("torquemag.io"),
        "{redirects:?}"
    );
    let unknown = run(stand.wpe().args([
        "domains",
        "add",
        "torquemag",
        "other.example.com",
        "--redirect-to",
        "nowhere.example.com",
    ]));
    assert_eq!(unknown.code, 2, "{}", unknown.stderr);
    assert!(!redirects_on(&stand, "torquemag").contains_key("other.example.com"));
}

/// `domains create-bulk --domain` is repeated per domain, each with its own
/// redirect (to a domain of the same request by name, or to one on the
/// install by ID); the stand-in holds the domains and redirects asked for.
/// `--domains JSON` still works alone, and with `--domain` is a usage error
/// that sends nothing.
#[test]
fn domains_create_bulk_takes_each_domain_with_its_own_redirect() {
    let stand = Stand::demo();
    let redirects = redirects_on(&stand, "torquemag");
    let apex_id = stand
        .block_on(
            stand
                .client()
                .list_domains()
                .install_id(stand.install_id("torquemag").as_str())
                .collect_all(),
        )
        .unwrap()
        .into_iter()
        .find(|d| d.name == "torquemag.io")
        .unwrap()
        .id
        .to_string();
    assert!(!redirects.contains_key("bulk.example.org"));
    ok(stand.wpe().args([
        "domains",
        "create-bulk",
        "torquemag",
        "--domain",
        "bulk.example.org",
        "--domain",
        "www.bulk.example.org,redirect-to=bulk.example.org",
        "--domain",
        &format!("old.example.org,redirect-to={apex_id}"),
    ]));
    let redirects = redirects_on(&stand, "torquemag");
    assert_eq!(redirects["bulk.example.org"], None, "{redirects:?}");
    assert_eq!(
        redirects["www.bulk.example.org"].as_deref(),
        Some("bulk.example.org")
    );
    assert_eq!(
        redirects["old.example.org"].as_deref(),
        Some("torquemag.io")
    );

    ok(stand.wpe().args([
        "domains",
        "create-bulk",
        "torquemag",
        "--domains",
        r#"[{"name": "json.example.org"}]"#,
    ]));
    assert!(redirects_on(&stand, "torquemag").contains_key("json.example.org"));

    let before = stand.server.sent_responses().len();
    for args in [
        &[
            "--domain",
            "x.example.com",
            "--domains",
            r#"[{"name": "y.example.com"}]"#,
        ][..],
        &["--domain", "x.example.com,redirect=y.example.com"][..],
    ] {
        let both = run(stand
            .wpe()
            .args(["domains", "create-bulk", "torquemag"])
            .args(args));
        assert_eq!(both.code, 2, "{args:?}: {}", both.stderr);
        assert!(both.stderr.contains("--domain"), "{}", both.stderr);
    }
    assert_eq!(stand.server.sent_responses().len(), before, "nothing sent");
}

/// `installs get` in a table or Markdown shows the install's addresses and
/// where they came from: without stable IPs (the demo has none), the A
/// records WP Engine reports for its domains. JSON is the API's answer as it
/// came, without those two fields.
#[test]
fn installs_get_shows_its_addresses_and_their_source_but_json_stays_the_answer() {
    let stand = Stand::demo();
    let domains = json_of(&ok(stand.wpe().args([
        "domains",
        "list",
        "torquemag",
        "--json",
    ])));
    let a_records = domains[0]["network_details"]["dns_config_info"]["a_records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|ip| ip.as_str().unwrap())
        .collect::<Vec<_>>()
        .join(", ");
    assert!(!a_records.is_empty());
    let table = ok(stand
        .wpe()
        .args(["installs", "get", "torquemag", "--format", "table"]));
    let field = |text: &str, key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key).filter(|rest| rest.starts_with(' ')))
            .map(|rest| rest.trim().to_owned())
            .unwrap_or_else(|| panic!("no {key} in {text}"))
    };
    assert_eq!(field(&table, "ips"), a_records);
    assert_eq!(
        field(&table, "ips_source"),
        "dns A of torquemag.io, www.torquemag.io"
    );
    let markdown = ok(stand
        .wpe()
        .args(["installs", "get", "torquemag", "--format", "markdown"]));
    assert!(
        markdown.contains(&format!("| ips | {a_records} |")),
        "{markdown}"
    );
    let before = stand.server.sent_responses().len();
    let json = json_of(&ok(stand.wpe().args([
        "installs",
        "get",
        "torquemag",
        "--json",
    ])));
    assert!(json.get("ips").is_none() && json.get("ips_source").is_none());
    assert_eq!(json["stable_ips"], Value::Null);
    let sent: Vec<_> = stand.server.sent_responses()[before..]
        .iter()
        .map(|r| r.operation_id)
        .collect();
    assert!(!sent.contains(&"listDomains"), "{sent:?}");
}

/// `installs list --addresses` in a table gives every install its addresses
/// the way `installs get` does, with one `listDomains` per install without
/// stable IPs (every demo install); without the flag the list sends no such
/// request, and with a format that prints the answer as it came the flag is
/// a usage error.
#[test]
fn installs_list_shows_addresses_only_when_asked_and_only_for_people() {
    let stand = Stand::demo();
    let listed = |stand: &Stand, args: &[&str]| {
        let before = stand.server.sent_responses().len();
        let out = ok(stand.wpe().args(["installs", "list"]).args(args));
        let domain_requests = stand.server.sent_responses()[before..]
            .iter()
            .filter(|r| r.operation_id == "listDomains")
            .count();
        (out, domain_requests)
    };
    let (json, none) = listed(&stand, &["--json"]);
    assert_eq!(none, 0);
    let installs = json_of(&json);
    let installs = installs.as_array().unwrap();
    let without_stable_ips = installs
        .iter()
        .filter(|i| i["stable_ips"].as_array().is_none_or(Vec::is_empty))
        .count();
    assert!(without_stable_ips > 1);

    let (table, domain_requests) = listed(&stand, &["--addresses", "--format", "table"]);
    assert_eq!(domain_requests, without_stable_ips);
    let row = |name: &str| {
        table
            .lines()
            .find(|l| l.split_whitespace().next() == Some(name))
            .unwrap_or_else(|| panic!("no row {name} in {table}"))
            .to_owned()
    };
    let columns = |table: &str| -> Vec<String> {
        let header = table.lines().next().unwrap_or_default();
        header.split_whitespace().map(str::to_owned).collect()
    };
    assert!(columns(&table).contains(&"IPS".to_owned()), "{table}");
    assert!(
        columns(&table).contains(&"IPS_SOURCE".to_owned()),
        "{table}"
    );
    let torquemag = row("torquemag");
    assert!(torquemag.contains("dns A of torquemag.io"), "{torquemag}");
    let ip = torquemag
        .split_whitespace()
        .find(|w| {
            w.trim_end_matches(',')
                .parse::<std::net::Ipv4Addr>()
                .is_ok()
        })
        .unwrap_or_else(|| panic!("no IP in {torquemag}"));
    assert!(row("demoshop").contains("dns A of shop.example.com"));
    assert!(row("demoshop").contains(ip));
    // torquemagdev has no domain: no IP, and the source says so.
    let torquemagdev = row("torquemagdev");
    assert!(torquemagdev.contains("none"), "{torquemagdev}");
    assert!(!torquemagdev.contains(ip), "{torquemagdev}");
    // The rows keep the list's order.
    let names: Vec<&str> = installs
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    let rows: Vec<&str> = table
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(rows, names);

    let (table, none) = listed(&stand, &["--format", "table"]);
    assert_eq!(none, 0);
    assert!(!columns(&table).contains(&"IPS".to_owned()), "{table}");

    let (markdown, _) = listed(&stand, &["--addresses", "--format", "markdown"]);
    assert!(markdown.contains("dns A of torquemag.io"), "{markdown}");

    for format in [["--json", ""], ["--format", "ndjson"], ["--format", "csv"]] {
        let before = stand.server.sent_responses().len();
        let args: Vec<&str> = format.into_iter().filter(|a| !a.is_empty()).collect();
        let refused = run(stand
            .wpe()
            .args(["installs", "list", "--addresses"])
            .args(&args));
        assert_eq!(refused.code, 2, "{args:?}: {}", refused.stderr);
        assert!(
            refused.stderr.contains("only in a table or Markdown"),
            "{}",
            refused.stderr
        );
        assert_eq!(stand.server.sent_responses().len(), before, "{args:?}");
    }
}
