//! The generated commands' body-field flags, names for the IDs of bodies,
//! domains and users, the guard of destructive commands, the `wait`
//! commands and names in tables, against the stand-in over HTTP.

use std::time::Duration;

use serde_json::{json, Value};
use wpe_api::fake::FakeConfig;
use wpe_api::operations::OPERATIONS;

mod common;
use common::{json_of, ok, run, Stand};

#[test]
fn body_fields_are_flags_and_take_names_for_ids() {
    let stand = Stand::demo();
    let created = json_of(&ok(stand.wpe().args([
        "installs",
        "create",
        "--name",
        "blog2",
        "--account-id",
        "demosandbox",
        "--site-id",
        "Sandbox Playground",
        "--environment",
        "staging",
        "--json",
    ])));
    assert_eq!(created["name"], "blog2");
    assert_eq!(created["environment"], "staging");
    assert_eq!(created["account"]["id"], stand.account_id("demosandbox"));
    let install = stand
        .block_on(
            stand
                .client()
                .get_install()
                .install_id(
                    created["id"]
                        .as_str()
                        .unwrap()
                        .parse::<uuid::Uuid>()
                        .unwrap(),
                )
                .send(),
        )
        .unwrap()
        .into_inner();
    assert_eq!(install.name.as_str(), "blog2");
    assert!(install.site.is_some(), "the site was given by name");
}

#[test]
fn flags_override_the_keys_of_the_body_and_lists_repeat() {
    let stand = Stand::demo();
    let body = json!({
        "name": "fromfile",
        "account_id": stand.account_id("demoagency"),
        "environment": "production",
    });
    let created = json_of(&ok(stand
        .wpe()
        .args([
            "installs",
            "create",
            "--body",
            "-",
            "--environment",
            "development",
            "--json",
        ])
        .write_stdin(body.to_string())));
    assert_eq!(created["name"], "fromfile", "kept from the body");
    assert_eq!(created["environment"], "development", "the flag wins");

    let backup = json_of(&ok(stand.wpe().args([
        "backups",
        "create",
        "torquemag",
        "--description",
        "before the deploy",
        "--notification-emails",
        "ops@example.com",
        "--notification-emails",
        "dev@example.com",
        "--json",
    ])));
    assert_eq!(backup["description"], "before the deploy");

    // A list of IDs repeats its flag, and takes names.
    let pat = json_of(&ok(stand.wpe().args([
        "account-users",
        "update",
        "demoagency",
        "pat@example.com",
        "--roles",
        "partial",
        "--install-ids",
        "torquemag",
        "--install-ids",
        "demoshop",
        "--json",
    ])));
    let mut names: Vec<&str> = pat["account_user"]["installs"]
        .as_array()
        .unwrap_or_else(|| panic!("{pat}"))
        .iter()
        .filter_map(|i| i["name"].as_str())
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["demoshop", "torquemag"], "{pat}");
}

#[test]
fn a_missing_required_field_or_a_bad_value_is_a_usage_error_that_names_the_flag() {
    let stand = Stand::demo();
    let missing = run(stand.wpe().args(["installs", "create", "--name", "blog3"]));
    assert_eq!(missing.code, 2, "{}", missing.stderr);
    assert!(
        missing.stderr.contains("--account-id"),
        "{}",
        missing.stderr
    );
    // A required body given no flag at all: the same, before anything is sent.
    let nothing = run(stand.wpe().args(["backups", "create", "torquemag"]));
    assert_eq!(nothing.code, 2, "{}", nothing.stderr);
    assert!(
        nothing
            .stderr
            .contains("--description, --notification-emails"),
        "{}",
        nothing.stderr
    );

    let bad_enum = run(stand.wpe().args([
        "installs",
        "create",
        "--name",
        "blog3",
        "--account-id",
        "demoagency",
        "--environment",
        "qa",
    ]));
    assert_eq!(bad_enum.code, 2, "{}", bad_enum.stderr);
    assert!(bad_enum.stderr.contains("staging"), "{}", bad_enum.stderr);

    let bad_json = run(stand.wpe().args([
        "domains",
        "create-bulk",
        "torquemag",
        "--domains",
        "[{not json",
    ]));
    assert_eq!(bad_json.code, 2, "{}", bad_json.stderr);
    assert!(
        bad_json.stderr.contains("--domains: not JSON"),
        "{}",
        bad_json.stderr
    );

    let unknown = run(stand.wpe().args([
        "installs",
        "create",
        "--name",
        "blog3",
        "--account-id",
        "demoagencyy",
    ]));
    assert_eq!(unknown.code, 2, "{}", unknown.stderr);
    assert!(
        unknown.stderr.contains("did you mean demoagency"),
        "{}",
        unknown.stderr
    );
}

#[test]
fn a_secret_comes_from_standard_input_never_from_a_flag() {
    let stand = Stand::demo();
    let password = "Plugins-Only-2026";
    let created = run(stand
        .wpe()
        .args([
            "sftp-users",
            "create",
            "torquemag",
            "--name",
            "deployer",
            "--json",
        ])
        .write_stdin(format!("{password}\n")));
    assert_eq!(created.code, 0, "{}", created.stderr);
    assert_eq!(json_of(&created.stdout)["name"], "torquemag-deployer");
    assert!(!created.stdout.contains(password) && !created.stderr.contains(password));

    // Nothing on standard input and no terminal: refused, saying where it goes.
    let none = run(stand
        .wpe()
        .args(["sftp-users", "create", "torquemag", "--name", "other"])
        .write_stdin(""));
    assert_eq!(none.code, 2, "{}", none.stderr);
    assert!(
        none.stderr.contains("pipe it on standard input"),
        "{}",
        none.stderr
    );

    let help = ok(stand.wpe().args(["sftp-users", "create", "--help"]));
    assert!(help.contains("--name"), "{help}");
    assert!(!help.contains("--password"), "{help}");
}

#[test]
fn a_domain_is_found_by_name_in_its_install_and_a_user_by_email() {
    let stand = Stand::demo();
    let domain = json_of(&ok(stand.wpe().args([
        "domains",
        "get",
        "torquemag",
        "www.torquemag.io",
        "--json",
    ])));
    assert_eq!(domain["name"], "www.torquemag.io");
    let apex = json_of(&ok(stand.wpe().args([
        "domains",
        "get",
        "torquemag",
        "torquemag.io",
        "--json",
    ])));
    // redirect_to takes a domain of the same install by name.
    let updated = json_of(&ok(stand.wpe().args([
        "domains",
        "update",
        "torquemag",
        "www.torquemag.io",
        "--redirect-to",
        "torquemag.io",
        "--json",
    ])));
    // As the document has it (`redirects_to`), or as the live API answers
    // (`redirect_to`, with WPE_FAKE_SHAPES=live).
    let target = match &updated["redirect_to"]["id"] {
        Value::Null => &updated["redirects_to"][0]["id"],
        id => id,
    };
    assert_eq!(target, &apex["id"], "{updated}");
    // A domain of another install is not found in this one.
    let elsewhere = run(stand
        .wpe()
        .args(["domains", "get", "demoshop", "torquemag.io"]));
    assert_eq!(elsewhere.code, 2, "{}", elsewhere.stderr);
    assert!(
        elsewhere.stderr.contains("no domain named `torquemag.io`"),
        "{}",
        elsewhere.stderr
    );

    let jane = json_of(&ok(stand.wpe().args([
        "account-users",
        "get",
        "demoagency",
        "jane@example.com",
        "--json",
    ])));
    assert_eq!(jane["email"], "jane@example.com", "{jane}");
    let nobody =
        run(stand
            .wpe()
            .args(["account-users", "get", "demoagency", "nobody@example.com"]));
    assert_eq!(nobody.code, 2, "{}", nobody.stderr);
    assert!(
        nobody.stderr.contains("no account user with the email"),
        "{}",
        nobody.stderr
    );
}

#[test]
fn destructive_operations_are_every_delete_restoring_copying_and_cancelling() {
    let mut marked: Vec<&str> = OPERATIONS
        .iter()
        .filter(|op| op.destructive)
        .map(|op| op.operation_id)
        .collect();
    marked.sort_unstable();
    let mut expected: Vec<&str> = OPERATIONS
        .iter()
        .filter(|op| {
            op.method == "DELETE" || ["restoreBackup", "copyInstall"].contains(&op.operation_id)
        })
        .map(|op| op.operation_id)
        .collect();
    expected.sort_unstable();
    assert_eq!(marked, expected);
    assert!(marked.contains(&"cancelSiteTransfer"));
    for op in OPERATIONS {
        let help = ok(common::wpe_without_credentials().args([
            &wpe_group(op.resource),
            op.operation_id,
            "--help",
        ]));
        assert_eq!(
            help.contains("--yes"),
            op.destructive,
            "{}",
            op.operation_id
        );
    }
}

/// The group of a resource, as `wpe --help` lists it.
fn wpe_group(resource: &str) -> String {
    let help = ok(common::wpe_without_credentials().arg("--help"));
    let kebab = resource.replace('_', "-");
    let groups: Vec<&str> = help
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    [format!("{kebab}s"), kebab]
        .into_iter()
        .find(|g| groups.contains(&g.as_str()))
        .unwrap_or_else(|| panic!("no group for {resource}"))
}

#[test]
fn a_destructive_command_without_a_terminal_needs_yes() {
    let stand = Stand::demo();
    let refused = run(stand.wpe().args(["installs", "delete", "torquemagdev"]));
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(refused.stderr.contains("pass --yes"), "{}", refused.stderr);
    // Nothing was sent: the install is still there.
    ok(stand.wpe().args(["installs", "get", "torquemagdev"]));

    let install: uuid::Uuid = stand.install_id("torquemag").parse().unwrap();
    let backup = stand.block_on(async {
        let client = stand.client();
        client
            .create_backup()
            .install_id(install)
            .body_map(|b| {
                b.description("before")
                    .notification_emails(vec!["ops@example.com".into()])
            })
            .send()
            .await
            .unwrap()
            .into_inner()
    });
    let restore = run(stand.wpe().args([
        "backups",
        "restore",
        "torquemag",
        &backup.id.to_string(),
        "--notification-emails",
        "ops@example.com",
    ]));
    assert_eq!(restore.code, 2, "{}", restore.stderr);
    assert!(restore.stderr.contains("pass --yes"), "{}", restore.stderr);

    ok(stand
        .wpe()
        .args(["installs", "delete", "torquemagdev", "--yes"]));
    let gone = run(stand.wpe().args(["installs", "get", "torquemagdev"]));
    assert_ne!(gone.code, 0, "deleted: {}", gone.stdout);
}

#[test]
fn tables_show_account_and_site_names_and_json_keeps_ids() {
    let stand = Stand::demo();
    let table = ok(stand.wpe().args(["installs", "list", "--format", "table"]));
    let agency = stand.account_id("demoagency");
    assert!(table.contains("demoagency"), "{table}");
    assert!(table.contains("Torque Magazine"), "{table}");
    assert!(!table.contains(&agency), "{table}");
    let one = ok(stand
        .wpe()
        .args(["installs", "get", "torquemag", "--format", "table"]));
    assert!(
        one.lines()
            .any(|l| l.starts_with("account") && l.contains("demoagency")),
        "{one}"
    );

    let json: Value = json_of(&ok(stand.wpe().args(["installs", "list", "--json"])));
    let first = &json[0];
    assert_eq!(first["account"], json!({"id": agency}), "{first}");
}

/// `wpe` on a pseudo-terminal (standard input, output and error), answering
/// `answer` once it asks; what it wrote and its exit code.
#[cfg(target_os = "linux")]
fn on_a_terminal(stand: &Stand, args: &[&str], answer: &str) -> (String, i32) {
    use std::io::{Read, Write};
    use std::os::fd::{FromRawFd, OwnedFd};

    let (mut master, mut slave) = (0, 0);
    // SAFETY: openpty writes two new descriptors into the two integers; the
    // other arguments may be null.
    let opened = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    assert_eq!(opened, 0, "openpty failed");
    // SAFETY: both descriptors were just opened and are owned here alone.
    let (master, slave) = unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_wpe"))
        .args(args)
        .env("WPE_API_URL", stand.server.base_url())
        .env("WPE_API_USER", wpe_api::fake::DEMO_USER)
        .env("WPE_API_PASSWORD", wpe_api::fake::DEMO_PASSWORD)
        .stdin(slave.try_clone().unwrap())
        .stdout(slave.try_clone().unwrap())
        .stderr(slave)
        .spawn()
        .unwrap();
    let mut terminal = std::fs::File::from(master);
    let mut seen = Vec::new();
    let mut buffer = [0u8; 1024];
    let mut answered = false;
    // Reading fails (EIO) once wpe has exited and closed the terminal.
    while let Ok(n @ 1..) = terminal.read(&mut buffer) {
        seen.extend_from_slice(&buffer[..n]);
        if !answered && String::from_utf8_lossy(&seen).contains("to go on: ") {
            terminal.write_all(answer.as_bytes()).unwrap();
            terminal.write_all(b"\n").unwrap();
            answered = true;
        }
    }
    let code = child.wait().unwrap().code().unwrap_or(-1);
    (String::from_utf8_lossy(&seen).into_owned(), code)
}

#[cfg(target_os = "linux")]
#[test]
fn on_a_terminal_a_destructive_command_asks_for_the_targets_name() {
    let stand = Stand::demo();
    let (seen, code) = on_a_terminal(&stand, &["installs", "delete", "torquemagdev"], "torquemag");
    assert_eq!(code, 2, "{seen}");
    assert!(seen.contains("Type the install's name to go on"), "{seen}");
    assert!(seen.contains("not confirmed"), "{seen}");
    ok(stand.wpe().args(["installs", "get", "torquemagdev"]));

    // Given by ID, the name is looked up to be typed.
    let id = stand.install_id("torquemagdev");
    let (seen, code) = on_a_terminal(&stand, &["installs", "delete", &id], "torquemagdev");
    assert_eq!(code, 0, "{seen}");
    assert!(
        seen.contains(&format!("install torquemagdev ({id})")),
        "{seen}"
    );
    let gone = run(stand.wpe().args(["installs", "get", "torquemagdev"]));
    assert_ne!(gone.code, 0, "deleted: {}", gone.stdout);

    // A domain is confirmed by its name, a user by their email.
    let (seen, code) = on_a_terminal(
        &stand,
        &["domains", "delete", "torquemag", "www.torquemag.io"],
        "www.torquemag.io",
    );
    assert_eq!(code, 0, "{seen}");
    let (seen, code) = on_a_terminal(
        &stand,
        &["account-users", "delete", "demoagency", "jane@example.com"],
        "jane",
    );
    assert_eq!(code, 2, "{seen}");
    assert!(seen.contains("Type the account user's email"), "{seen}");
}

#[test]
fn wait_follows_a_backup_that_already_exists() {
    let stand = Stand::with_config(FakeConfig {
        backup_step_delay: Duration::ZERO,
        ..FakeConfig::default()
    });
    let backup = json_of(&ok(stand.wpe().args([
        "backups",
        "create",
        "torquemag",
        "--description",
        "nightly",
        "--notification-emails",
        "ops@example.com",
        "--json",
    ])));
    let waited = json_of(&ok(stand.wpe().args([
        "backups",
        "wait",
        "torquemag",
        backup["id"].as_str().unwrap(),
        "--json",
    ])));
    assert_eq!(waited["id"], backup["id"]);
    assert_eq!(waited["status"], "completed", "{waited}");
}

#[test]
fn a_wait_that_runs_out_of_time_exits_3() {
    let stand = Stand::with_config(FakeConfig {
        backup_step_delay: Duration::from_secs(3600),
        ..FakeConfig::default()
    });
    let backup = json_of(&ok(stand.wpe().args([
        "backups",
        "create",
        "torquemag",
        "--description",
        "nightly",
        "--notification-emails",
        "ops@example.com",
        "--json",
    ])));
    let run = run(stand.wpe().args([
        "backups",
        "wait",
        "torquemag",
        backup["id"].as_str().unwrap(),
        "--timeout",
        "0",
    ]));
    assert_eq!(run.code, 3, "{}", run.stderr);
}

#[test]
fn every_job_kind_has_a_wait_command() {
    let help = ok(common::wpe_without_credentials().args(["backups", "--help"]));
    assert!(
        help.contains("wait ") && help.contains("wait-archive"),
        "{help}"
    );
    for op in OPERATIONS.iter().filter(|op| op.job.is_some()) {
        let group = wpe_group(op.resource);
        let help = ok(common::wpe_without_credentials().args([&group, "--help"]));
        assert!(
            help.lines().any(|l| l.trim_start().starts_with("wait")),
            "{group} has no wait command for {}: {help}",
            op.operation_id
        );
    }
}

#[test]
fn an_install_activation_is_waited_for_by_name() {
    let stand = Stand::with_config(FakeConfig {
        install_activation_delay: Duration::ZERO,
        ..FakeConfig::default()
    });
    ok(stand.wpe().args([
        "installs",
        "create",
        "--name",
        "fresh",
        "--account-id",
        "demoagency",
    ]));
    let active = json_of(&ok(stand
        .wpe()
        .args(["installs", "wait", "fresh", "--json"])));
    assert_eq!(active["status"], "active", "{active}");
    let table = ok(stand
        .wpe()
        .args(["installs", "wait", "fresh", "--format", "table"]));
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("account") && l.contains("demoagency")),
        "{table}"
    );
}

#[test]
fn waits_on_a_certificate_and_a_disk_usage_refresh_take_names() {
    let stand = Stand::demo();
    // torquemag.io's certificate is issued already: the wait ends at once.
    let certificate = json_of(&ok(stand.wpe().args([
        "certificates",
        "wait",
        "torquemag",
        "torquemag.io",
        "--json",
    ])));
    assert_eq!(
        certificate["certificate"]["status"], "ENABLED",
        "{certificate}"
    );
    // No refresh running: the last figures at once.
    let usage = json_of(&ok(stand.wpe().args([
        "usage",
        "wait-install-disk-usage",
        "torquemag",
        "--json",
    ])));
    assert!(usage.is_object(), "{usage}");
    let account = json_of(&ok(stand.wpe().args([
        "usage",
        "wait-account-disk-usage",
        "demoagency",
        "--json",
    ])));
    assert!(account.is_object(), "{account}");
}

/// The names of the demo account's users, read through the stand-in.
fn user_emails(stand: &Stand) -> Vec<String> {
    let users = json_of(&ok(stand.wpe().args([
        "account-users",
        "list",
        "demoagency",
        "--json",
    ])));
    users
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap().to_owned())
        .collect()
}

#[cfg(target_os = "linux")]
#[test]
fn an_install_delete_names_its_environment_account_and_newest_backup() {
    let stand = Stand::demo();
    // torquemagdev has a day-old backup; a wrong name sends nothing.
    let (seen, code) = on_a_terminal(&stand, &["installs", "delete", "torquemagdev"], "nope");
    assert_eq!(code, 2, "{seen}");
    assert!(
        seen.contains("torquemagdev: development install of account demoagency"),
        "{seen}"
    );
    // Its age, and when it completed, as the API says.
    let backups = json_of(&ok(stand.wpe().args([
        "backups",
        "list",
        "torquemagdev",
        "--json",
    ])));
    let completed = backups[0]["complete_time"].as_str().unwrap();
    let completed = chrono::DateTime::parse_from_rfc3339(completed).unwrap();
    assert!(
        seen.contains("newest completed backup of torquemagdev: ")
            && seen.contains(&format!(
                " ago ({})",
                completed.format("%Y-%m-%d %H:%M UTC")
            )),
        "{seen}"
    );
    ok(stand.wpe().args(["installs", "get", "torquemagdev"]));

    // torquemag has none: the prompt says how to take one.
    let (seen, code) = on_a_terminal(&stand, &["installs", "delete", "torquemag"], "nope");
    assert_eq!(code, 2, "{seen}");
    assert!(
        seen.contains(
            "torquemag has no completed backup: take one first with `wpe backup torquemag --wait`"
        ),
        "{seen}"
    );
    let (seen, code) = on_a_terminal(&stand, &["installs", "delete", "torquemag"], "torquemag");
    assert_eq!(code, 0, "{seen}");
    assert_ne!(
        run(stand.wpe().args(["installs", "get", "torquemag"])).code,
        0
    );
}

#[cfg(target_os = "linux")]
#[test]
fn a_domain_delete_says_whether_it_is_primary_or_redirects() {
    let stand = Stand::demo();
    let domains = |stand: &Stand| ok(stand.wpe().args(["domains", "list", "torquemag", "--json"]));
    let before = domains(&stand);
    let (seen, code) = on_a_terminal(
        &stand,
        &["domains", "delete", "torquemag", "torquemag.io"],
        "www.torquemag.io",
    );
    assert_eq!(code, 2, "{seen}");
    assert!(
        seen.contains("it is the install's primary domain"),
        "{seen}"
    );
    assert_eq!(domains(&stand), before, "nothing was sent");

    let (seen, code) = on_a_terminal(
        &stand,
        &["domains", "delete", "torquemag", "www.torquemag.io"],
        "www.torquemag.io",
    );
    assert_eq!(code, 0, "{seen}");
    assert!(
        seen.contains("it is not primary; it redirects to torquemag.io"),
        "{seen}"
    );
    assert!(!domains(&stand).contains("www.torquemag.io"));

    let refused = run(stand
        .wpe()
        .args(["domains", "delete", "torquemag", "torquemag.io"]));
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(
        !refused.stderr.contains("primary"),
        "no reads without a terminal"
    );
    assert!(domains(&stand).contains("\"torquemag.io\""));
}

#[cfg(target_os = "linux")]
#[test]
fn an_account_user_delete_gives_their_roles_and_account() {
    let stand = Stand::demo();
    let (seen, code) = on_a_terminal(
        &stand,
        &["account-users", "delete", "demoagency", "jane@example.com"],
        "pat@example.com",
    );
    assert_eq!(code, 2, "{seen}");
    assert!(
        seen.contains("roles full,billing in account demoagency"),
        "{seen}"
    );
    assert!(user_emails(&stand).contains(&"jane@example.com".to_owned()));

    let refused =
        run(stand
            .wpe()
            .args(["account-users", "delete", "demoagency", "jane@example.com"]));
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(user_emails(&stand).contains(&"jane@example.com".to_owned()));

    let (seen, code) = on_a_terminal(
        &stand,
        &["account-users", "delete", "demoagency", "jane@example.com"],
        "jane@example.com",
    );
    assert_eq!(code, 0, "{seen}");
    assert!(!user_emails(&stand).contains(&"jane@example.com".to_owned()));
}

#[cfg(target_os = "linux")]
#[test]
fn an_install_copy_asks_for_the_destination_and_names_both_ends() {
    let stand = Stand::demo();
    let copy = [
        "installs",
        "copy",
        "--source-environment-id",
        "torquemagstg",
        "--destination-environment-id",
        "torquemag",
    ];
    // Without a terminal: refused, nothing sent.
    let refused = run(stand.wpe().args(copy));
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(refused.stderr.contains("pass --yes"), "{}", refused.stderr);
    assert!(stand.server.install_copies().is_empty());

    // The source's name is not the destination's.
    let (seen, code) = on_a_terminal(&stand, &copy, "torquemagstg");
    assert_eq!(code, 2, "{seen}");
    assert!(seen.contains("Type the install's name to go on"), "{seen}");
    assert!(
        seen.contains("from: torquemagstg: staging install of account demoagency"),
        "{seen}"
    );
    assert!(
        seen.contains("onto: torquemag: production install of account demoagency"),
        "{seen}"
    );
    assert!(
        seen.contains(
            "torquemag has no completed backup: take one first with `wpe backup torquemag --wait`"
        ),
        "{seen}"
    );
    assert!(stand.server.install_copies().is_empty());

    let (seen, code) = on_a_terminal(&stand, &copy, "torquemag");
    assert_eq!(code, 0, "{seen}");
    assert!(seen.contains("Do not send it again"), "{seen}");
    let copies = stand.server.install_copies();
    assert_eq!(copies.len(), 1);
    assert_eq!(
        copies[0].destination.to_string(),
        stand.install_id("torquemag")
    );

    let mut with_yes = copy.to_vec();
    with_yes.push("--yes");
    ok(stand.wpe().args(&with_yes));
    assert_eq!(stand.server.install_copies().len(), 2);
}
