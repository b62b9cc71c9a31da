//! The client under injected faults from the stand-in: transient failures
//! are ridden out, nothing is lost or done twice, limits are kept. Stand-in
//! and client share a virtual clock, so `Retry-After`, back-off, spacing and
//! slow answers take virtual time only.

use std::sync::Arc;
use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use wpe_api::clock::VirtualClock;
use wpe_api::fake::{FakeConfig, FakeServer, FaultKind, Faults, Seed};
use wpe_api::retry::RetryPolicy;
use wpe_api::types::PurgeCacheType;
use wpe_api::{PageOptions, Paginate};

fn patient(clock: &VirtualClock) -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(12)
        .base_delay(Duration::from_millis(5))
        .max_delay(Duration::from_millis(50))
        .clock(clock.clone())
}

/// A stand-in with `config` on a new virtual clock, and the clock.
async fn start_on_a_virtual_clock(config: FakeConfig) -> (FakeServer, VirtualClock) {
    let clock = VirtualClock::new();
    let server = FakeServer::start(FakeConfig {
        clock: Arc::new(clock.clone()),
        ..config
    })
    .await;
    (server, clock)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_walk_of_10000_installs_under_20_percent_faults_loses_nothing() {
    let (server, clock) = start_on_a_virtual_clock(FakeConfig {
        seed: Seed::Installs(10_000),
        faults: Faults::transient(0.2).seed(42),
        ..FakeConfig::default()
    })
    .await;
    let client = server
        .client_builder()
        .retry_policy(patient(&clock))
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let installs: Vec<_> = client
        .list_installs()
        .stream_with(PageOptions::default().page_size(50).concurrency(8))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(installs.len(), 10_000);
    let unique: std::collections::HashSet<_> = installs.iter().map(|i| i.id).collect();
    assert_eq!(unique.len(), 10_000);
    let names: Vec<_> = installs.iter().map(|i| i.name.as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted, "API order kept");
    let faults = server.fault_counts();
    println!("faults injected: {faults:?}");
    assert!(
        FaultKind::ALL.iter().all(|kind| faults.get(*kind) > 0),
        "every kind of fault was injected"
    );
    assert!(
        clock.sleeps().contains(&Duration::from_secs(1)),
        "a 429's Retry-After was waited out"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_storm_creates_exactly_one_backup_per_request() {
    let (server, clock) = start_on_a_virtual_clock(FakeConfig {
        seed: Seed::Installs(100),
        faults: Faults::rate_limited(0.5, Duration::from_secs(1)).seed(7),
        ..FakeConfig::default()
    })
    .await;
    // On the virtual clock a wait ends at once, so 429s that real time would
    // bunch into one second of shared back-off come one after another: give
    // the calls an hour of virtual time rather than the default 2 minutes.
    let client = server
        .client_builder()
        .retry_policy(
            RetryPolicy::default()
                .max_attempts(30)
                .deadline(Duration::from_secs(3600))
                .clock(clock.clone()),
        )
        .build()
        .unwrap();
    let installs = client.list_installs().collect_all().await;
    // The listing itself may meet 429s; it is retried like everything else.
    let installs = installs.unwrap();
    assert_eq!(installs.len(), 100);
    let results: Vec<_> = futures::stream::iter(installs.iter().map(|install| {
        let client = client.clone();
        let id = install.id;
        async move {
            client
                .create_backup()
                .install_id(id)
                .body_map(|b| {
                    b.description("storm")
                        .notification_emails(vec!["ops@example.com".to_owned()])
                })
                .send()
                .await
        }
    }))
    .buffer_unordered(100)
    .collect()
    .await;
    let failures: Vec<_> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    assert!(failures.is_empty(), "{failures:?}");
    let taken = server.backups_taken();
    assert_eq!(taken.len(), 100, "every install has a backup");
    assert!(
        taken.values().all(|n| *n == 1),
        "no install has two: {taken:?}"
    );
    assert!(
        server.fault_counts().get(FaultKind::TooManyRequests) >= 50,
        "a storm: {:?}",
        server.fault_counts()
    );
    assert!(
        clock
            .sleeps()
            .iter()
            .all(|wait| *wait <= Duration::from_secs(1)),
        "no wait longer than the Retry-After: {:?}",
        clock.sleeps()
    );
    println!(
        "100 backups through {} injected 429s in {:.1} s of virtual time",
        server.fault_counts().get(FaultKind::TooManyRequests),
        clock.elapsed().as_secs_f64()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn purging_the_object_cache_of_200_installs_twice_meets_no_429() {
    // The stand-in enforces the documented 60 s object-cache limit and the
    // client keeps the same spacing, on one clock; with retries off, any 429
    // would surface as an error.
    let interval = Duration::from_secs(60);
    let (server, clock) = start_on_a_virtual_clock(FakeConfig {
        seed: Seed::Installs(200),
        object_cache_purge_interval: interval,
        ..FakeConfig::default()
    })
    .await;
    let policy = RetryPolicy::default()
        .max_attempts(1)
        .install_limit_interval("object-cache-purge", interval)
        .clock(clock.clone());
    let client = server
        .client_builder()
        .retry_policy(policy)
        .build()
        .unwrap();
    let installs = client.list_installs().collect_all().await.unwrap();
    assert_eq!(installs.len(), 200);
    let purges = installs.iter().chain(installs.iter()).map(|install| {
        let client = client.clone();
        let id = install.id;
        async move {
            client
                .purge_cache()
                .install_id(id)
                .body_map(|b| b.type_(PurgeCacheType::Object))
                .send()
                .await
        }
    });
    let results: Vec<_> = futures::stream::iter(purges)
        .buffer_unordered(50)
        .collect()
        .await;
    let rejected: Vec<_> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    assert!(
        rejected.is_empty(),
        "{} purges refused, first: {:?}",
        rejected.len(),
        rejected.first()
    );
    assert_eq!(server.cache_purges().len(), 400);
    assert!(
        clock.elapsed() >= interval,
        "the second round waited for the limit"
    );
    assert!(
        clock.sleeps().iter().all(|wait| *wait <= interval),
        "no install waited longer than the limit: {:?}",
        clock.sleeps()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_whose_answer_breaks_off_is_an_error_not_a_second_backup() {
    let (server, clock) = start_on_a_virtual_clock(FakeConfig {
        seed: Seed::Installs(1),
        faults: Faults::none()
            .with_rate(FaultKind::TruncatedBody, 0.5)
            .seed(3),
        ..FakeConfig::default()
    })
    .await;
    let client = server
        .client_builder()
        .retry_policy(patient(&clock))
        .build()
        .unwrap();
    // A GET is read in full and retried until a whole body arrives.
    let install = client
        .list_installs()
        .send()
        .await
        .unwrap()
        .into_inner()
        .results
        .remove(0)
        .id;
    let mut broken = 0;
    for _ in 0..20 {
        let result = client
            .create_backup()
            .install_id(install)
            .body_map(|b| {
                b.description("x")
                    .notification_emails(vec!["ops@example.com".to_owned()])
            })
            .send()
            .await;
        match result {
            Ok(backup) => assert_eq!(backup.status, wpe_api::types::BackupStatus::Requested),
            Err(err) => {
                assert!(!matches!(err, wpe_api::Error::ErrorResponse(_)), "{err:?}");
                broken += 1;
            }
        }
    }
    assert!(broken > 0, "some answers broke off");
    assert_eq!(
        server.backups_taken().get(&install),
        Some(&20),
        "each POST processed once, none sent twice"
    );
}
