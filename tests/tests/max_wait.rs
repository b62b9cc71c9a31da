//! `RetryPolicy::max_wait` and `wpe_api::activity` over real HTTP: a turn
//! too far away is refused unsent as `Error::RateLimited`, however the call
//! is made; a 429 whose `Retry-After` passes the bound is answered at once;
//! and a watch sees every request put on the wire and every wait for a
//! turn. Client and stand-in share a virtual clock: no test waits.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;
use uuid::Uuid;
use wpe_api::activity::{self, Activity};
use wpe_api::clock::VirtualClock;
use wpe_api::fake::{FakeConfig, FakeServer, Seed};
use wpe_api::operations::{self, Args};
use wpe_api::retry::RetryPolicy;
use wpe_api::types::PurgeCacheType;
use wpe_api::{Client, Error};
use wpe_api_tests::{Canned, RecordingServer};

const SIXTY: Duration = Duration::from_secs(60);
const THIRTY: Duration = Duration::from_secs(30);

/// The demo stand-in on a virtual clock, and the clock.
async fn stand_in() -> (FakeServer, VirtualClock) {
    let clock = VirtualClock::new();
    let server = FakeServer::start(FakeConfig {
        clock: Arc::new(clock.clone()),
        ..FakeConfig::with_seed(Seed::Demo)
    })
    .await;
    (server, clock)
}

/// A client of `server` that waits at most 30 s before a request.
fn impatient(server: &FakeServer, clock: &VirtualClock) -> Client {
    server
        .client_builder()
        .retry_policy(RetryPolicy::default().clock(clock.clone()).max_wait(THIRTY))
        .build()
        .unwrap()
}

async fn install_id(client: &Client, name: &str) -> Uuid {
    let installs = client.list_installs().send().await.unwrap();
    installs
        .results
        .iter()
        .find(|i| i.name == name)
        .map(|i| i.id)
        .unwrap()
}

async fn purge(client: &Client, install: Uuid, kind: PurgeCacheType) -> Result<(), Error> {
    client
        .purge_cache()
        .install_id(install)
        .body_map(|b| b.type_(kind))
        .send()
        .await
        .map(|_| ())
}

/// Runs `work` and returns its output and every activity it reported.
async fn watched<F: std::future::Future>(work: F) -> (F::Output, Vec<Activity>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&seen);
    let output = activity::watch(
        move |activity: &Activity| record.lock().unwrap().push(activity.clone()),
        work,
    )
    .await;
    let seen = seen.lock().unwrap().clone();
    (output, seen)
}

fn sends(activities: &[Activity]) -> Vec<(&'static str, u32)> {
    activities
        .iter()
        .filter_map(|a| match a {
            Activity::Sending {
                operation, attempt, ..
            } => Some((*operation, *attempt)),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn a_turn_past_max_wait_is_refused_unsent_the_same_way_however_called() {
    let (server, clock) = stand_in().await;
    let client = impatient(&server, &clock);
    let install = install_id(&client, "torquemag").await;
    purge(&client, install, PurgeCacheType::Object)
        .await
        .unwrap();

    let (refused, seen) = watched(purge(&client, install, PurgeCacheType::Object)).await;
    let Err(Error::RateLimited(refusal)) = &refused else {
        panic!("{refused:?}")
    };
    assert_eq!(refusal.retry_after(), SIXTY);
    assert_eq!(refusal.limit(), "object-cache-purge");
    assert_eq!(refusal.operation(), "purge_cache");
    let err = refused.unwrap_err();
    assert_eq!(err.retry_after(), Some(SIXTY));
    assert_eq!(err.status(), None, "no answer: nothing was sent");
    assert!(
        err.to_string().contains("call again in 60 s"),
        "the message says what to do: {err}"
    );
    assert_eq!(seen, [], "no request, no wait");
    assert!(clock.sleeps().is_empty(), "nothing waited");

    // Through the operation table (what `wpe` sends), the same variant.
    let op = operations::find("purge_cache").unwrap();
    let args = Args::new().with("install_id", install.to_string());
    let err = operations::call(&client, op, &args, Some(json!({"type": "object"})))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::RateLimited(_)), "{err:?}");

    // A page-cache purge falls under no limit and goes.
    purge(&client, install, PurgeCacheType::Page).await.unwrap();
    let kinds: Vec<_> = server.cache_purges().iter().map(|p| p.kind).collect();
    assert_eq!(kinds, [PurgeCacheType::Object, PurgeCacheType::Page]);

    // Once the turn is within 30 s, it is waited for.
    clock.advance(Duration::from_secs(40));
    let (done, seen) = watched(purge(&client, install, PurgeCacheType::Object)).await;
    done.unwrap();
    assert_eq!(clock.sleeps(), [Duration::from_secs(20)]);
    assert!(
        matches!(seen[0], Activity::WaitingForTurn { wait, calls_ahead: 0, limit: "object-cache-purge", .. } if wait == Duration::from_secs(20)),
        "{seen:?}"
    );
    assert_eq!(sends(&seen), [("purge_cache", 1)]);
    assert_eq!(server.cache_purges().len(), 3);
}

#[tokio::test]
async fn a_429_whose_retry_after_passes_max_wait_is_the_answer_at_once() {
    let (server, clock) = stand_in().await;
    let first = impatient(&server, &clock);
    let install = install_id(&first, "torquemag").await;
    purge(&first, install, PurgeCacheType::Object)
        .await
        .unwrap();
    // Another client (another process, say) keeps its own turns: its purge
    // goes out, and the stand-in refuses it with `Retry-After: 60`.
    let other = impatient(&server, &clock);
    let (refused, seen) = watched(purge(&other, install, PurgeCacheType::Object)).await;
    let err = refused.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(429), "{err:?}");
    assert_eq!(err.retry_after(), Some(SIXTY));
    assert_eq!(sends(&seen), [("purge_cache", 1)], "sent once, not retried");
    assert!(
        clock.sleeps().is_empty(),
        "a 60 s Retry-After is not waited"
    );
    assert_eq!(server.cache_purges().len(), 1);
}

#[tokio::test]
async fn a_watch_sees_each_attempt_put_on_the_wire() {
    let clock = VirtualClock::new();
    let server = RecordingServer::start_on(clock.clone()).await;
    server.respond(Canned::json(503, &json!({"message": "busy"})).header("retry-after", "1"));
    server.respond(Canned::json(200, &wpe_api_tests::fixture("status")));
    let client = server.client_with(RetryPolicy::default().clock(clock.clone()));
    let (answer, seen) = watched(client.status().send()).await;
    answer.unwrap();
    assert_eq!(sends(&seen), [("status", 1), ("status", 2)]);
    assert_eq!(server.requests().len(), 2);

    // A `Retry-After` past the bound is not waited, as one past the deadline.
    server.respond(Canned::json(503, &json!({"message": "busy"})).header("retry-after", "31"));
    let impatient =
        server.client_with(RetryPolicy::default().clock(clock.clone()).max_wait(THIRTY));
    let (answer, seen) = watched(impatient.status().send()).await;
    let err = answer.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(err.retry_after(), Some(Duration::from_secs(31)));
    assert_eq!(sends(&seen), [("status", 1)]);
    assert_eq!(
        clock.sleeps(),
        [Duration::from_secs(1)],
        "only the first call waited"
    );
}
