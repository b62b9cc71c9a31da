//! The operations that need no credentials: the API status and its swagger document.

use serde_json::{json, Value};

use crate::support::{assert_request, serve_fixture};

#[tokio::test]
async fn status_reports_api_health() {
    let (server, client) = serve_fixture(200, "status").await;
    let status = client.status().send().await.unwrap();
    assert_eq!(status.success, Some(true));
    assert_eq!(
        status.created_on.as_deref(),
        Some("2023-05-17T16:20:40+00:00")
    );
    assert_request(
        &server.single_request(),
        "GET",
        "/v1/status",
        &[],
        Value::Null,
    );
}

#[tokio::test]
async fn swagger_returns_the_document_as_json() {
    let (server, client) = serve_fixture(200, "swagger").await;
    let doc = client.swagger().send().await.unwrap().into_inner();
    assert_eq!(doc.get("swagger"), Some(&json!("2.0")));
    assert_request(
        &server.single_request(),
        "GET",
        "/v1/swagger",
        &[],
        Value::Null,
    );
}
