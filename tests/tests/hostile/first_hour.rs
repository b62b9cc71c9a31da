//! What a new user meets in their first hour: the stand-in's easy path,
//! the messages of a value refused before sending, and of a call that got
//! no answer.

use std::sync::Arc;
use std::time::Duration;

use wpe_api::clock::VirtualClock;
use wpe_api::fake::{FakeConfig, FakeServer};

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

#[tokio::test]
async fn two_domain_checks_of_one_install_through_server_client_both_succeed_5_s_apart() {
    let (server, clock) = standin_on_virtual_clock().await;
    // The documented easy path: no builder, no policy.
    let client = server.client();
    let installs = client.list_installs().send().await.unwrap().into_inner();
    let install = installs
        .results
        .iter()
        .find(|install| install.name == "torquemag")
        .unwrap();
    let domains = client
        .list_domains()
        .install_id(install.id)
        .send()
        .await
        .unwrap()
        .into_inner();
    let domain = &domains.results[0];

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
    let installs = client.list_installs().send().await.unwrap().into_inner();
    let torquemag = installs
        .results
        .iter()
        .find(|install| install.name == "torquemag")
        .unwrap();

    // A domain's id (and a redirect's) goes to `domain_id` as it is.
    let domains = client
        .list_domains()
        .install_id(torquemag.id)
        .send()
        .await
        .unwrap()
        .into_inner();
    let www = domains
        .results
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
