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
