//! SFTP users of an install: list, create, change (PUT), delete. The
//! password is sent, never shown.

use serde_json::{json, Value};
use wpe_api::types::SftpPassword;
use wpe_api::Error;

use crate::support::{assert_request, serve_empty, serve_fixture, INSTALL};

#[tokio::test]
async fn list_sftp_users_reads_full_names_and_null_paths() {
    let (server, client) = serve_fixture(200, "listSftpUsers").await;
    let users = client
        .list_sftp_users()
        .install_id(INSTALL)
        .send()
        .await
        .unwrap();
    assert_eq!(users.results[0].name, "mysite-designer");
    assert_eq!(users.results[0].path.as_deref(), Some("/wp-content/themes"));
    assert_eq!(users.results[1].path, None);
    assert_request(
        &server.single_request(),
        "GET",
        &format!("/v1/installs/{INSTALL}/sftp_users"),
        &[],
        Value::Null,
    );
}

#[tokio::test]
async fn create_sftp_user_sends_name_password_and_path() {
    let (server, client) = serve_fixture(201, "createSftpUser").await;
    let created = client
        .create_sftp_user()
        .install_id(INSTALL)
        .body_map(|body| {
            body.name("developer")
                .password("a long passphrase")
                .path(Some("/wp-content/plugins".parse().unwrap()))
        })
        .send()
        .await
        .unwrap();
    assert_eq!(created.name, "mysite-developer");
    assert_request(
        &server.single_request(),
        "POST",
        &format!("/v1/installs/{INSTALL}/sftp_users"),
        &[],
        json!({"name": "developer", "password": "a long passphrase", "path": "/wp-content/plugins"}),
    );
}

#[tokio::test]
async fn update_sftp_user_puts_the_password_under_the_full_name() {
    let (server, client) = serve_fixture(200, "updateSftpUser").await;
    let password: SftpPassword = "another passphrase".parse().unwrap();
    let changed = client
        .update_sftp_user()
        .install_id(INSTALL)
        .username("mysite-developer")
        .body_map(|body| body.password(password))
        .send()
        .await
        .unwrap();
    assert_eq!(changed.path, None);
    assert_request(
        &server.single_request(),
        "PUT",
        &format!("/v1/installs/{INSTALL}/sftp_users/mysite-developer"),
        &[],
        json!({"password": "another passphrase"}),
    );
}

#[tokio::test]
async fn delete_sftp_user_sends_delete() {
    let (server, client) = serve_empty(204).await;
    client
        .delete_sftp_user()
        .install_id(INSTALL)
        .username("mysite-developer")
        .send()
        .await
        .unwrap();
    assert_request(
        &server.single_request(),
        "DELETE",
        &format!("/v1/installs/{INSTALL}/sftp_users/mysite-developer"),
        &[],
        Value::Null,
    );
}

/// What the spec states is checked before sending, and no message, error
/// or `Debug` output holds the password.
#[tokio::test]
async fn sftp_rules_the_spec_states_are_checked_before_sending_without_showing_the_password() {
    let server = wpe_api_tests::RecordingServer::start().await;
    let client = server.client();
    for (name, password, refused) in [
        ("developer", "short7!", "password"),
        ("developer", "x".repeat(65).leak() as &str, "password"),
        ("dev/eloper", "a long passphrase", "name"),
    ] {
        let err = client
            .create_sftp_user()
            .install_id(INSTALL)
            .body_map(|body| body.name(name).password(password))
            .send()
            .await
            .unwrap_err();
        let message = format!("{err} {err:?}");
        assert!(matches!(err, Error::InvalidRequest(_)), "{message}");
        assert!(message.contains(refused), "{message}");
        assert!(!message.contains(password), "{message}");
    }
    let err = "/wp-content/../../etc"
        .parse::<wpe_api::types::CreateSftpUserRequestPath>()
        .unwrap_err();
    assert!(!err.to_string().is_empty());
    assert!("/wp-content/uploads"
        .parse::<wpe_api::types::CreateSftpUserRequestPath>()
        .is_ok());
    assert_eq!(server.requests().len(), 0, "nothing was sent");

    let password: SftpPassword = "correct horse battery".parse().unwrap();
    let body = wpe_api::types::UpdateSftpUserRequest {
        password: password.clone(),
        path: None,
    };
    assert!(!format!("{body:?}").contains("correct horse"), "{body:?}");
    assert_eq!(format!("{password:?}"), "SftpPassword(<redacted>)");
}
