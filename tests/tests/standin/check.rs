//! Malformed requests: bad JSON, invalid fields, unknown IDs and unknown routes.

use serde_json::json;
use uuid::Uuid;

use crate::support::{account_named, demo, raw, raw_fields, served, status_of, Served};

pub async fn malformed_requests() -> Served {
    let (server, client) = demo().await;
    let agency = account_named(&client, "demoagency").await;
    // Malformed JSON: 400 with a field error on the body.
    let (status, body) = raw(
        &server,
        reqwest::Method::POST,
        "/sites",
        Some("{\"name\": "),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(raw_fields(&body), ["body"]);
    assert!(body["message"].is_string());
    // Missing and invalid fields, all at once.
    let (status, body) = raw(
        &server,
        reqwest::Method::POST,
        "/installs",
        Some(&json!({ "name": "Bad-Name", "environment": "qa" }).to_string()),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(raw_fields(&body), ["name", "account_id", "environment"]);
    let (status, body) = raw(
        &server,
        reqwest::Method::POST,
        "/installs",
        Some(&json!({ "name": "waytoolongname123", "account_id": agency.id }).to_string()),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["errors"][0]["code"], "invalid_format");
    // Malformed or unknown IDs: 404.
    let (status, body) = raw(&server, reqwest::Method::GET, "/installs/not-a-uuid", None).await;
    assert_eq!(status, 404);
    assert_eq!(body["message"], "Not Found");
    // An unknown route is the gateway's 403, as on the live API.
    let (status, body) = raw(&server, reqwest::Method::GET, "/nothing/here", None).await;
    assert_eq!(status, 403);
    assert_eq!(body, json!({ "message": "Missing Authentication Token" }));
    let err = client
        .get_site()
        .site_id(Uuid::from_u128(1))
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 404);
    served(&server)
}
