//! The IDs the fixtures use, servers that answer with a fixture or an empty body, and the check of a recorded request.

use serde_json::Value;
use uuid::Uuid;
use wpe_api::Client;
use wpe_api_tests::{fixture, Canned, RecordedRequest, RecordingServer, TEST_PASSWORD, TEST_USER};

pub const ACCOUNT: Uuid = uuid::uuid!("eeda3227-9a39-46ae-9e14-20958bb4e6c9");
pub const SITE: Uuid = uuid::uuid!("28c78b6d-c2da-4f09-85f5-1ad588089b2d");
pub const INSTALL: Uuid = uuid::uuid!("294deacc-d8b8-4005-82c4-0727ba8ddde0");
pub const DOMAIN: Uuid = uuid::uuid!("e41fa98f-ea80-4654-b229-a9b765d0863a");
pub const USER: Uuid = uuid::uuid!("28c78b6d-c2da-4f09-85f5-1ad588089b2d");
pub const BACKUP: Uuid = uuid::uuid!("28c78b6d-c2da-4f09-85f5-1ad588089b2d");
pub const REPORT: Uuid = uuid::uuid!("0b9e1f2a-7c3d-4e5f-8a9b-1c2d3e4f5a6b");
pub const SSH_KEY: Uuid = uuid::uuid!("e41fa98f-ea80-1f16-a7b7-d748bcc9e64d");

/// A server that answers the next request with `operation`'s fixture.
pub async fn serve_fixture(status: u16, operation: &str) -> (RecordingServer, Client) {
    let server = RecordingServer::start().await;
    server.respond(Canned::json(status, &fixture(operation)));
    let client = server.client();
    (server, client)
}

/// A server that answers the next request with `status` and no body.
pub async fn serve_empty(status: u16) -> (RecordingServer, Client) {
    let server = RecordingServer::start().await;
    server.respond(Canned::empty(status));
    let client = server.client();
    (server, client)
}

pub fn assert_request(
    req: &RecordedRequest,
    method: &str,
    path: &str,
    query: &[(&str, &str)],
    body: Value,
) {
    assert_eq!(req.method.as_str(), method, "method of {path}");
    assert_eq!(req.path, path);
    let expected: Vec<(String, String)> = query
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    assert_eq!(req.query, expected, "query of {method} {path}");
    assert_eq!(req.body, body, "body of {method} {path}");
    let auth = req
        .headers
        .get("authorization")
        .expect("Authorization header")
        .to_str()
        .unwrap();
    assert_eq!(
        auth,
        basic_auth(),
        "HTTP Basic credentials on {method} {path}"
    );
    let agent = req
        .headers
        .get("user-agent")
        .expect("User-Agent")
        .to_str()
        .unwrap();
    assert!(agent.starts_with("wpe-api/"), "user agent {agent}");
}

fn basic_auth() -> String {
    wpe_api_tests::basic_auth(TEST_USER, TEST_PASSWORD)
}
