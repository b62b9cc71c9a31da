//! Helpers shared by the scenarios: a demo server and client, error inspection, raw requests, lookups by name.

use std::collections::BTreeSet;

use serde_json::Value;
use uuid::Uuid;
use wpe_api::fake::{FakeConfig, FakeServer, SentResponse, DEMO_PASSWORD, DEMO_USER};
use wpe_api::types;
use wpe_api::{Client, Error};

/// What a scenario's server did, for the checks that run every scenario.
pub struct Served {
    /// The operationIds it answered with success.
    pub operations: BTreeSet<&'static str>,
    /// Every response it sent, errors included.
    pub responses: Vec<SentResponse>,
}

/// What `server` has served so far: the end of every scenario.
pub fn served(server: &FakeServer) -> Served {
    Served {
        operations: server.served_operations(),
        responses: server.sent_responses(),
    }
}

/// The demo stand-in on a [`VirtualClock`](wpe_api::clock::VirtualClock),
/// and a client of it on the same clock: the scenario's time moves only by
/// `server.advance` and the client's own waits, never by how long the
/// machine takes, so a `Retry-After` or a job's progress is exact however
/// loaded the machine is.
pub async fn demo() -> (FakeServer, Client) {
    let server = FakeServer::start(FakeConfig {
        clock: std::sync::Arc::new(wpe_api::clock::VirtualClock::new()),
        ..FakeConfig::default()
    })
    .await;
    let client = server.client();
    (server, client)
}

/// A client of `server` that sends every call once and returns the
/// stand-in's answer as it is, a 429 included: for the scenarios about the
/// stand-in's own rate limits (`server.client()` would keep the spacing
/// and wait out a 429 instead).
pub fn raw_client(server: &FakeServer) -> Client {
    let policy = wpe_api::retry::RetryPolicy::none().clock(server.config().clock.clone());
    server
        .client_builder()
        .retry_policy(policy)
        .build()
        .expect("client for the stand-in")
}

pub fn status_of(err: &Error) -> u16 {
    err.status().map(|s| s.as_u16()).unwrap_or(0)
}

/// The fields a rejected request's field errors name, in order.
pub fn rejected_fields(err: &Error) -> Vec<String> {
    err.field_errors()
        .iter()
        .filter_map(|e| e.field.clone())
        .collect()
}

/// Asserts a 400 whose field errors include `field` (as `resource.field` or a suffix of it).
pub fn assert_field_error(err: &Error, field: &str) {
    assert_eq!(status_of(err), 400, "expected 400, got {err:?}");
    let fields = rejected_fields(err);
    assert!(
        fields
            .iter()
            .any(|f| f == field || f.ends_with(&format!(".{field}"))),
        "expected a field error on {field}, got {fields:?}"
    );
    for e in err.field_errors() {
        assert!(
            e.resource.is_some() && e.type_.is_some() && e.code.is_some() && e.message.is_some()
        );
    }
}

pub fn retry_after(err: &Error) -> u64 {
    match err {
        Error::ErrorResponse(response) => response
            .headers()
            .get("retry-after")
            .expect("Retry-After header")
            .to_str()
            .unwrap()
            .parse()
            .unwrap(),
        other => panic!("expected an error response, got {other:?}"),
    }
}

/// A raw request, for what the typed client refuses to send.
pub async fn raw(
    server: &FakeServer,
    method: reqwest::Method,
    path: &str,
    body: Option<&str>,
) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .request(method, format!("{}{path}", server.base_url()))
        .basic_auth(DEMO_USER, Some(DEMO_PASSWORD));
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body.to_owned());
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

pub fn raw_fields(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["field"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

pub async fn install_named(client: &Client, name: &str) -> types::Installation {
    let page = client.list_installs().send().await.unwrap();
    page.results
        .iter()
        .find(|i| i.name == name)
        .unwrap_or_else(|| panic!("install {name}"))
        .clone()
}

pub async fn account_named(client: &Client, name: &str) -> types::Account {
    let page = client.list_accounts().send().await.unwrap();
    page.results
        .iter()
        .find(|a| a.name == name)
        .unwrap_or_else(|| panic!("account {name}"))
        .clone()
}

pub async fn domains_of(client: &Client, install: Uuid) -> Vec<types::Domain> {
    client
        .list_domains()
        .install_id(install)
        .send()
        .await
        .unwrap()
        .into_inner()
        .results
}
