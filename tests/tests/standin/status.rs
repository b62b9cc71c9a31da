//! Status and swagger, which need no credentials, beside the current user, who does.

use serde_json::json;
use wpe_api::fake::{OTHER_PASSWORD, OTHER_USER};
use wpe_api::Credentials;

use crate::support::{demo, served, Served};

pub async fn status_swagger_and_current_user() -> Served {
    let (server, client) = demo().await;
    let status = client.status().send().await.unwrap();
    assert_eq!(status.success, Some(true));
    assert!(status.created_on.is_some());
    let doc = client.swagger().send().await.unwrap().into_inner();
    assert_eq!(doc.get("swagger"), Some(&json!("2.0")));

    // Neither needs credentials.
    let anonymous = reqwest::get(format!("{}/status", server.base_url()))
        .await
        .unwrap();
    assert_eq!(anonymous.status().as_u16(), 200);
    let anonymous = reqwest::get(format!("{}/swagger", server.base_url()))
        .await
        .unwrap();
    assert_eq!(anonymous.status().as_u16(), 200);

    let user = client.get_current_user().send().await.unwrap();
    assert_eq!(user.email, "demo@example.com");
    assert_eq!(user.first_name.as_deref(), Some("Demo"));
    let other = server
        .client_with(Credentials::new(OTHER_USER, OTHER_PASSWORD))
        .get_current_user()
        .send()
        .await
        .unwrap();
    assert_eq!(other.email, "olga@example.net");
    assert_ne!(other.id, user.id);
    served(&server)
}

/// As API Gateway in front of the live API does, a route no operation serves
/// (here: a client whose base URL has a path the API does not have) gets a
/// JSON 403 "Missing Authentication Token", which the client reads as a
/// typed error; with or without credentials, on any method.
pub async fn unknown_routes_get_the_gateways_403() -> Served {
    let (server, _) = demo().await;
    let lost = server
        .client_builder()
        .base_url(format!("{}/v2", server.base_url()))
        .build()
        .unwrap();
    let err = lost.list_accounts().send().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(403));
    assert_eq!(
        err.api_error().map(|body| body.message.as_str()),
        Some("Missing Authentication Token")
    );
    assert!(err.field_errors().is_empty());

    let bare = reqwest::Client::new();
    let root = server.base_url().trim_end_matches("/v1").to_owned();
    for (method, url) in [
        (reqwest::Method::GET, format!("{root}/v2/status")),
        (
            reqwest::Method::GET,
            format!("{}/nothing/here", server.base_url()),
        ),
        (
            reqwest::Method::DELETE,
            format!("{}/accounts", server.base_url()),
        ),
    ] {
        let response = bare.request(method.clone(), &url).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 403, "{method} {url}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(
            body,
            serde_json::json!({ "message": "Missing Authentication Token" }),
            "{method} {url}"
        );
    }
    served(&server)
}
