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
            .domain_id(domain.id.as_str())
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
