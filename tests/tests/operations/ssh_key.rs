//! SSH keys of the API user: list, create, delete.

use serde_json::{json, Value};

use crate::support::{assert_request, serve_empty, serve_fixture, SSH_KEY};

#[tokio::test]
async fn list_ssh_keys_reads_keys() {
    let (server, client) = serve_fixture(200, "listSshKeys").await;
    let page = client.list_ssh_keys().limit(1).send().await.unwrap();
    assert_eq!(page.results[0].uuid, Some(SSH_KEY));
    assert_request(
        &server.single_request(),
        "GET",
        "/v1/ssh_keys",
        &[("limit", "1")],
        Value::Null,
    );
}

#[tokio::test]
async fn create_ssh_key_sends_the_public_key() {
    let (server, client) = serve_fixture(201, "createSshKey").await;
    let key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE joe@example.com";
    let created = client
        .create_ssh_key()
        .body_map(|body| body.public_key(key))
        .send()
        .await
        .unwrap();
    assert_eq!(
        created.fingerprint.as_deref(),
        Some("a1:b2:c3:d4:e5:46:a7:88:c9:40:d2:d7:9b:cd:42:05")
    );
    assert_request(
        &server.single_request(),
        "POST",
        "/v1/ssh_keys",
        &[],
        json!({"public_key": key}),
    );
}

#[tokio::test]
async fn delete_ssh_key_sends_delete() {
    let (server, client) = serve_empty(204).await;
    client
        .delete_ssh_key()
        .ssh_key_id(SSH_KEY)
        .send()
        .await
        .unwrap();
    assert_request(
        &server.single_request(),
        "DELETE",
        &format!("/v1/ssh_keys/{SSH_KEY}"),
        &[],
        Value::Null,
    );
}
