//! The authenticated API user.

use serde_json::Value;

use crate::support::{assert_request, serve_fixture};

#[tokio::test]
async fn get_current_user_reads_the_user() {
    let (server, client) = serve_fixture(200, "getCurrentUser").await;
    let user = client.get_current_user().send().await.unwrap();
    assert_eq!(user.email, "joe@example.com");
    assert_eq!(user.phone_number.as_deref(), Some("123456789"));
    assert_request(
        &server.single_request(),
        "GET",
        "/v1/user",
        &[],
        Value::Null,
    );
}
