//! The API user: wrong or missing credentials are refused.

use serde_json::Value;
use wpe_api::fake::DEMO_USER;
use wpe_api::Credentials;

use crate::support::{demo, served, status_of, Served};

pub async fn credentials_are_checked() -> Served {
    let (server, _client) = demo().await;
    let wrong = server.client_with(Credentials::new(DEMO_USER, "wrong-password"));
    let err = wrong.list_accounts().send().await.unwrap_err();
    assert_eq!(status_of(&err), 401);
    assert_eq!(err.api_error().unwrap().message, "Bad Credentials");
    let err = wrong.get_current_user().send().await.unwrap_err();
    assert_eq!(status_of(&err), 401);

    let missing = reqwest::get(format!("{}/accounts", server.base_url()))
        .await
        .unwrap();
    assert_eq!(missing.status().as_u16(), 401);
    let body: Value = missing.json().await.unwrap();
    assert_eq!(body["message"], "Bad Credentials");
    assert!(
        server.served_operations().is_empty(),
        "nothing succeeds without credentials"
    );
    served(&server)
}
