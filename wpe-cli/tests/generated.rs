//! The generated commands' body-field flags, names for the IDs of bodies,
//! domains and users, the guard of destructive commands, the `wait`
//! commands and names in tables, against the stand-in over HTTP.

use serde_json::{json, Value};

mod common;
use common::{json_of, ok, run, Stand};

fn account_id(stand: &Stand, name: &str) -> String {
    let accounts = stand
        .block_on(stand.client().list_accounts().send())
        .unwrap()
        .into_inner();
    accounts
        .results
        .iter()
        .find(|a| a.name == name)
        .unwrap()
        .id
        .to_string()
}

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
    assert_eq!(created["account"]["id"], account_id(&stand, "demosandbox"));
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
        "account_id": account_id(&stand, "demoagency"),
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
    assert_eq!(updated["redirects_to"][0]["id"], apex["id"], "{updated}");
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
fn tables_show_account_and_site_names_and_json_keeps_ids() {
    let stand = Stand::demo();
    let table = ok(stand.wpe().args(["installs", "list", "--format", "table"]));
    let agency = account_id(&stand, "demoagency");
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
