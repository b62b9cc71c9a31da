//! Users of an account: list, create with the nested user, read, patch roles, delete.

use serde_json::{json, Value};
use wpe_api::types;

use crate::support::{assert_request, serve_empty, serve_fixture, ACCOUNT, INSTALL, USER};

#[tokio::test]
async fn list_account_users_reads_users() {
    let (server, client) = serve_fixture(200, "listAccountUsers").await;
    let users = client
        .list_account_users()
        .account_id(ACCOUNT)
        .send()
        .await
        .unwrap();
    let user = &users.results[0];
    assert_eq!(user.user_id, USER);
    assert_eq!(user.roles, "billing, partial");
    assert_eq!(user.mfa_enabled, Some(true));
    assert_request(
        &server.single_request(),
        "GET",
        &format!("/v1/accounts/{ACCOUNT}/account_users"),
        &[],
        Value::Null,
    );
}

#[tokio::test]
async fn create_account_user_sends_the_nested_user() {
    let (server, client) = serve_fixture(201, "createAccountUser").await;
    let user = types::NewAccountUser::builder()
        .account_id(ACCOUNT)
        .first_name("Joe")
        .last_name("Smith")
        .email("joe@example.com")
        .roles("full,billing")
        .install_ids(vec![INSTALL]);
    let created = client
        .create_account_user()
        .account_id(ACCOUNT)
        .body_map(|body| body.user(user))
        .send()
        .await
        .unwrap();
    assert_eq!(
        created.message.as_deref(),
        Some("Your change was successful.")
    );
    assert_eq!(
        created.account_user.as_ref().unwrap().invite_accepted,
        None,
        "absent in the docs' example"
    );
    assert_request(
        &server.single_request(),
        "POST",
        &format!("/v1/accounts/{ACCOUNT}/account_users"),
        &[],
        json!({"user": {"account_id": ACCOUNT, "first_name": "Joe", "last_name": "Smith", "email": "joe@example.com", "roles": "full,billing", "install_ids": [INSTALL]}}),
    );
}

#[tokio::test]
async fn get_account_user_reads_one_user() {
    let (server, client) = serve_fixture(200, "getAccountUser").await;
    let user = client
        .get_account_user()
        .account_id(ACCOUNT)
        .user_id(USER)
        .send()
        .await
        .unwrap();
    assert_eq!(user.email, "joe@example.com");
    // The docs' example has no `phone`, which the spec requires (nullable,
    // as upstream): a missing field still decodes, as `None`.
    assert_eq!(user.phone, None);
    assert_request(
        &server.single_request(),
        "GET",
        &format!("/v1/accounts/{ACCOUNT}/account_users/{USER}"),
        &[],
        Value::Null,
    );
}

#[tokio::test]
async fn update_account_user_patches_roles() {
    let (server, client) = serve_fixture(200, "updateAccountUser").await;
    let updated = client
        .update_account_user()
        .account_id(ACCOUNT)
        .user_id(USER)
        .body_map(|body| body.roles("full,billing"))
        .send()
        .await
        .unwrap();
    let user = updated.into_inner().account_user.unwrap();
    assert_eq!(user.roles, "full,billing");
    assert_eq!(user.installs.unwrap()[0].name.as_deref(), Some("torquemag"));
    assert_request(
        &server.single_request(),
        "PATCH",
        &format!("/v1/accounts/{ACCOUNT}/account_users/{USER}"),
        &[],
        json!({"roles": "full,billing"}),
    );
}

#[tokio::test]
async fn delete_account_user_sends_delete() {
    let (server, client) = serve_empty(204).await;
    let response = client
        .delete_account_user()
        .account_id(ACCOUNT)
        .user_id(USER)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 204);
    assert_request(
        &server.single_request(),
        "DELETE",
        &format!("/v1/accounts/{ACCOUNT}/account_users/{USER}"),
        &[],
        Value::Null,
    );
}
