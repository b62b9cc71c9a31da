//! What a new user meets in their first hour: the stand-in's easy path,
//! the messages of a value refused before sending, and of a call that got
//! no answer.

use std::sync::Arc;
use std::time::Duration;

use wpe_api::clock::VirtualClock;
use wpe_api::fake::{FakeConfig, FakeServer};
use wpe_api::retry::RetryPolicy;
use wpe_api::Error;
use wpe_api_tests::hostile::{Hostile, Step};

/// The stand-in on a virtual clock, and that clock.
async fn standin_on_virtual_clock() -> (FakeServer, VirtualClock) {
    let clock = VirtualClock::new();
    let server = FakeServer::start(FakeConfig {
        clock: Arc::new(clock.clone()),
        ..FakeConfig::default()
    })
    .await;
    (server, clock)
}

/// The demo install `torquemag`, and its domains.
async fn torquemag_and_domains(
    client: &wpe_api::Client,
) -> (wpe_api::types::Installation, Vec<wpe_api::types::Domain>) {
    let installs = client.list_installs().send().await.unwrap().into_inner();
    let install = installs
        .results
        .into_iter()
        .find(|install| install.name == "torquemag")
        .unwrap();
    let domains = client
        .list_domains()
        .install_id(install.id)
        .send()
        .await
        .unwrap()
        .into_inner()
        .results;
    (install, domains)
}

#[tokio::test]
async fn two_domain_checks_of_one_install_through_server_client_both_succeed_5_s_apart() {
    let (server, clock) = standin_on_virtual_clock().await;
    // The documented easy path: no builder, no policy.
    let client = server.client();
    let (install, domains) = torquemag_and_domains(&client).await;
    let domain = &domains[0];

    let before = clock.elapsed();
    for check in 1..=2 {
        let report = client
            .check_status()
            .install_id(install.id)
            .domain_id(domain.id)
            .send()
            .await
            .unwrap_or_else(|err| panic!("domain check {check}: {err}"));
        assert_eq!(report.status().as_u16(), 202);
    }
    // The second check waited out the API's 5 s per install, on the
    // stand-in's clock: no wall time, and no 429 from the stand-in.
    assert_eq!(clock.elapsed() - before, Duration::from_secs(5));
    assert_eq!(clock.sleeps(), vec![Duration::from_secs(5)]);
    let statuses: Vec<u16> = server
        .sent_responses()
        .iter()
        .filter(|sent| sent.operation_id == "checkStatus")
        .map(|sent| sent.status)
        .collect();
    assert_eq!(statuses, [202, 202]);
}

/// The section of the workspace's README under `heading`, up to the next
/// heading of the same level.
fn readme_section(heading: &str) -> Option<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md");
    let readme = std::fs::read_to_string(&path).expect("the workspace's README.md");
    let start = readme.find(&format!("\n{heading}\n"))? + 1;
    let rest = &readme[start + heading.len()..];
    let end = rest.find("\n## ").map_or(rest.len(), |at| at + 1);
    Some(rest[..end].to_owned())
}

#[test]
fn the_readme_shows_a_test_on_the_stand_in_that_the_doctests_run() {
    let section = readme_section("## Testing with the stand-in")
        .expect("README.md has a section `## Testing with the stand-in`");
    // The dependency line: a dev-dependency with the feature the stand-in is behind.
    let toml = section
        .split("```toml\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("the section shows the dependency lines");
    assert!(toml.contains("[dev-dependencies]"), "{toml}");
    let line = toml
        .lines()
        .find(|line| line.starts_with("wpe-api"))
        .expect("a wpe-api line");
    assert!(line.contains(r#"features = ["fake"]"#), "{line}");
    let manifest = include_str!("../../../wpe-api/Cargo.toml");
    assert!(
        manifest.contains("\nfake = ["),
        "wpe-api has no feature `fake`"
    );
    // The example: a plain `rust` block, so `cargo test --doc` (the README
    // is wpe-api's crate documentation) compiles and runs it.
    let example = section
        .split("```rust\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("the section has a ```rust block (not ignore, no_run)");
    for needed in [
        "FakeServer::start",
        "VirtualClock",
        "clock: Arc::new(clock.clone())",
        "server.client()",
        "assert_eq!(clock.elapsed()",
    ] {
        assert!(example.contains(needed), "the example lacks {needed}");
    }
}

#[tokio::test]
async fn ids_read_from_answers_are_the_uuids_the_next_call_takes() {
    let (server, _clock) = standin_on_virtual_clock().await;
    let client = server.client();
    // A domain's id (and a redirect's) goes to `domain_id` as it is.
    let (torquemag, domains) = torquemag_and_domains(&client).await;
    let www = domains
        .iter()
        .find(|domain| domain.name == "www.torquemag.io")
        .unwrap();
    let domain_id: uuid::Uuid = www.id;
    let target: uuid::Uuid = www.redirect().and_then(|to| to.id).unwrap();
    let fetched = client
        .get_domain()
        .install_id(torquemag.id)
        .domain_id(target)
        .send()
        .await
        .unwrap();
    assert_eq!(fetched.name, "torquemag.io");

    // A domain status report's id is the report_id the check answered.
    let report = client
        .check_status()
        .install_id(torquemag.id)
        .domain_id(domain_id)
        .send()
        .await
        .unwrap()
        .into_inner();
    let status = client
        .get_domain_report_status()
        .install_id(torquemag.id)
        .report_id(report.report_id)
        .send()
        .await
        .unwrap()
        .into_inner();
    let report_id: Option<uuid::Uuid> = status.report.and_then(|report| report.id);
    assert_eq!(report_id, Some(report.report_id));

    // The current user's id, and the installs of a partial user, are UUIDs too.
    let me = client.get_current_user().send().await.unwrap().into_inner();
    let _: uuid::Uuid = me.id;
    let account = torquemag.account.id;
    let users = client
        .list_account_users()
        .account_id(account)
        .send()
        .await
        .unwrap()
        .into_inner();
    let reachable: Vec<uuid::Uuid> = users
        .results
        .iter()
        .flat_map(|user| user.installs.iter().flatten())
        .filter_map(|install| install.id)
        .collect();
    assert_eq!(
        reachable,
        [torquemag.id],
        "Pat (partial) reaches torquemag only"
    );
    // ... and are sent back as they were read.
    let pat = users
        .results
        .iter()
        .find(|user| user.installs.is_some())
        .unwrap();
    client
        .update_account_user()
        .account_id(account)
        .user_id(pat.user_id)
        .body_map(|body| body.roles("partial").install_ids(reachable.clone()))
        .send()
        .await
        .unwrap();
}

/// A server that must not be reached, and a client of it.
fn unreachable_server() -> (Hostile, wpe_api::Client) {
    let server = Hostile::always(Step::json(500, &serde_json::json!({"message": "sent"})));
    let client = server
        .client_builder()
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    (server, client)
}

/// The message of an error that must be `InvalidRequest`.
fn refused(err: Error) -> String {
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    err.to_string()
}

#[tokio::test]
async fn a_parameter_that_is_not_a_uuid_names_itself_its_value_and_the_form() {
    let (server, client) = unreachable_server();
    let err = client
        .get_install()
        .install_id("torquemag")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        refused(err),
        "request not sent: install_id: \"torquemag\" is not a UUID \
         (expected the form 294deacc-d8b8-4005-82c4-0727ba8ddde0)"
    );

    // A long value is cut, control characters are escaped.
    let hostile = format!("{}\n\u{1b}[2J{}", "a".repeat(20), "b".repeat(10_000));
    let err = client
        .show_backup()
        .install_id(uuid::Uuid::nil())
        .backup_id(hostile.as_str())
        .send()
        .await
        .unwrap_err();
    let message = refused(err);
    assert!(
        message.starts_with(&format!(
            "request not sent: backup_id: \"{}\\n\\u{{1b}}[2Jbbb",
            "a".repeat(20)
        )),
        "{message}"
    );
    assert!(message.contains("bbb... is not a UUID"), "{message}");
    assert!(message.len() < 200, "{} bytes: {message}", message.len());
    assert!(
        !message.contains('\n') && !message.contains('\u{1b}'),
        "{message:?}"
    );
    assert!(server.requests().is_empty(), "nothing is sent");
}

#[tokio::test]
async fn a_page_size_out_of_range_names_the_parameter_the_value_and_the_range() {
    let (server, client) = unreachable_server();
    let err = client.list_installs().limit(500).send().await.unwrap_err();
    let message = refused(err);
    assert!(
        message.starts_with("request not sent: limit: 500 "),
        "{message}"
    );
    assert!(message.contains("0 to 100"), "{message}");
    let err = client
        .list_installs()
        .offset("ten")
        .send()
        .await
        .unwrap_err();
    let message = refused(err);
    assert!(
        message.starts_with("request not sent: offset: \"ten\" is not accepted"),
        "{message}"
    );
    assert!(server.requests().is_empty(), "nothing is sent");
}

#[tokio::test]
async fn a_missing_body_field_says_it_is_a_field_of_the_request_body() {
    let (server, client) = unreachable_server();
    let err = client
        .create_install()
        .body_map(|body| body.account_id(uuid::Uuid::nil()))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        refused(err),
        "request not sent: the request body's field `name` is required (no value supplied)"
    );
    // Named as the JSON has it (`type`, not typify's `type_`).
    let err = client
        .purge_cache()
        .install_id(uuid::Uuid::nil())
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        refused(err),
        "request not sent: the request body's field `type` is required (no value supplied)"
    );
    // In a nested object, by its path.
    let err = client
        .create_account_user()
        .account_id(uuid::Uuid::nil())
        .body_map(|body| {
            body.user(
                wpe_api::types::NewAccountUser::builder()
                    .account_id(uuid::Uuid::nil())
                    .first_name("Nina")
                    .last_name("New")
                    .roles("full"),
            )
        })
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        refused(err),
        "request not sent: the request body's field `user.email` is required (no value supplied)"
    );
    // A refused value is named by its field, and a secret is not quoted.
    let err = client
        .create_sftp_user()
        .install_id(uuid::Uuid::nil())
        .body_map(|body| body.name("developer").password("hunter2"))
        .send()
        .await
        .unwrap_err();
    let message = refused(err);
    assert!(
        message
            .starts_with("request not sent: the request body's field `password` is not accepted: "),
        "{message}"
    );
    assert!(!message.contains("hunter2"), "{message}");
    assert!(server.requests().is_empty(), "nothing is sent");
}

/// A client of a server that reads each request and never answers.
fn hung_server() -> (Hostile, wpe_api::Client) {
    let server = Hostile::always(vec![Step::Hang]);
    let client = server
        .client_builder()
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    (server, client)
}

#[tokio::test(start_paused = true)]
async fn a_post_without_an_answer_says_to_check_whether_it_took_effect_before_trying_again() {
    let (_server, client) = hung_server();
    let err = client
        .create_backup()
        .install_id(uuid::Uuid::nil())
        .body_map(|body| {
            body.description("before deploy")
                .notification_emails(vec!["ops@example.com".into()])
        })
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::CommunicationError(e) if e.is_timeout()),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(message.starts_with("no answer from the API ("), "{message}");
    assert!(
        message.contains("create_backup may have taken effect"),
        "{message}"
    );
    assert!(message.contains("list_backups"), "{message}");
    assert!(!message.contains("then try again"), "{message}");
}

#[tokio::test(start_paused = true)]
async fn a_get_without_an_answer_says_to_check_the_network_and_try_again() {
    let (_server, client) = hung_server();
    let err = client
        .list_backups()
        .install_id(uuid::Uuid::nil())
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::CommunicationError(e) if e.is_timeout()),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(
        message.ends_with("check the network and the base URL, then try again"),
        "{message}"
    );
    assert!(!message.contains("may have taken effect"), "{message}");
}
