//! SFTP users against the stand-in: the rules WP Engine's reference states
//! for names, passwords and paths, Autoscale accounts refused, no password
//! in any answer, and `updateSftpUser` as a PUT.

use wpe_api::fake::SentResponse;

use crate::support::{
    assert_field_error, demo, install_named, raw, raw_fields, served, status_of, Served,
};

/// Every body the stand-in sent for an SFTP operation.
fn sftp_answers(sent: &[SentResponse]) -> Vec<String> {
    sent.iter()
        .filter(|r| r.operation_id.contains("SftpUser"))
        .map(|r| String::from_utf8_lossy(&r.body).into_owned())
        .collect()
}

pub async fn sftp_users_lifecycle() -> Served {
    let (server, client) = demo().await;
    let install = install_named(&client, "torquemag").await;
    let list = || async {
        client
            .list_sftp_users()
            .install_id(install.id)
            .send()
            .await
            .unwrap()
            .into_inner()
            .results
    };
    let seeded = list().await;
    assert_eq!(seeded[0].name, "torquemag-designer");

    // The install's name goes in front of the requested name.
    let created = client
        .create_sftp_user()
        .install_id(install.id)
        .body_map(|b| b.name("developer").password("Plugins-Only-2026"))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    assert_eq!(created.name, "torquemag-developer");
    assert_eq!(created.path, None);
    assert_eq!(list().await.len(), 2);

    // PUT: the password and the path are set together.
    let changed = client
        .update_sftp_user()
        .install_id(install.id)
        .username("torquemag-developer")
        .body_map(|b| {
            b.password("Another-Secret-77")
                .path(Some("/wp-content/plugins".parse().unwrap()))
        })
        .send()
        .await
        .unwrap();
    assert_eq!(changed.path.as_deref(), Some("/wp-content/plugins"));
    let (status, _) = raw(
        &server,
        reqwest::Method::PATCH,
        &format!("/installs/{}/sftp_users/torquemag-developer", install.id),
        Some(r#"{"password": "Another-Secret-77"}"#),
    )
    .await;
    assert_eq!(
        status, 403,
        "only PUT changes a user (PATCH is an unknown route)"
    );
    // A name that is not the full name is not found.
    let err = client
        .update_sftp_user()
        .install_id(install.id)
        .username("developer")
        .body_map(|b| b.password("Another-Secret-77"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 404);

    let deleted = client
        .delete_sftp_user()
        .install_id(install.id)
        .username("torquemag-developer")
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status().as_u16(), 204);
    assert_eq!(list().await.len(), 1);

    // No answer holds a password.
    let answers = sftp_answers(&server.sent_responses());
    assert!(answers.len() >= 6, "{answers:?}");
    for body in &answers {
        assert!(
            !body.contains("Secret")
                && !body.contains("Plugins-Only")
                && !body.contains("password\":"),
            "{body}"
        );
    }
    served(&server)
}

pub async fn sftp_user_rules() -> Served {
    let (server, client) = demo().await;
    let install = install_named(&client, "torquemag").await;
    let path = format!("/installs/{}/sftp_users", install.id);
    let create = |body: &'static str| raw(&server, reqwest::Method::POST, &path, Some(body));

    // The full name, install name in front, is at most 32 characters:
    // "torquemag-" is 10, so 22 are left.
    let (status, body) =
        create(r#"{"name": "abcdefghijklmnopqrstuv", "password": "Long-enough-1"}"#).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["name"], "torquemag-abcdefghijklmnopqrstuv");
    let (status, body) =
        create(r#"{"name": "abcdefghijklmnopqrstuvw", "password": "Long-enough-1"}"#).await;
    assert_eq!((status, raw_fields(&body)), (400, vec!["name".to_owned()]));
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("33 characters"),
        "{body}"
    );
    // Letters, digits, '-' and '_' only; the same name twice is refused.
    let (status, body) = create(r#"{"name": "dev.eloper", "password": "Long-enough-1"}"#).await;
    assert_eq!((status, raw_fields(&body)), (400, vec!["name".to_owned()]));
    let (status, body) =
        create(r#"{"name": "abcdefghijklmnopqrstuv", "password": "Long-enough-1"}"#).await;
    assert_eq!((status, raw_fields(&body)), (400, vec!["name".to_owned()]));

    // Passwords: 8 to 64 characters, neither `wpengine` nor the install's name.
    for password in [
        "Short-7",
        "My-WPEngine-pass",
        "torquemag-2026!",
        &"x".repeat(65),
    ] {
        let body = format!(r#"{{"name": "ops", "password": "{password}"}}"#);
        let (status, answer) = raw(&server, reqwest::Method::POST, &path, Some(&body)).await;
        assert_eq!(
            (status, raw_fields(&answer)),
            (400, vec!["password".to_owned()]),
            "{password}"
        );
        assert!(!answer.to_string().contains(password), "{answer}");
    }
    // No `..` in the path.
    let (status, body) =
        create(r#"{"name": "ops", "password": "Long-enough-1", "path": "/wp-content/../.."}"#)
            .await;
    assert_eq!((status, raw_fields(&body)), (400, vec!["path".to_owned()]));

    // The typed client refuses what the spec states before sending.
    let err = client
        .create_sftp_user()
        .install_id(install.id)
        .body_map(|b| b.name("ops").password("Short-7"))
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, wpe_api::Error::InvalidRequest(_)), "{err}");
    // What only the server can check (the install's name) comes back as a field error.
    let err = client
        .create_sftp_user()
        .install_id(install.id)
        .body_map(|b| b.name("ops").password("torquemag-rules"))
        .send()
        .await
        .unwrap_err();
    assert_field_error(&err, "password");
    assert!(!format!("{err} {err:?}").contains("torquemag-rules"));
    served(&server)
}

pub async fn sftp_users_refused_on_autoscale_and_unseen_installs() -> Served {
    let (server, client) = demo().await;
    // Each operation, first on an install that is not on Autoscale (it
    // works), then on one that is (403).
    let sftp = |install: uuid::Uuid| {
        let client = client.clone();
        async move {
            let list = client.list_sftp_users().install_id(install).send().await;
            let create = client
                .create_sftp_user()
                .install_id(install)
                .body_map(|b| b.name("ops").password("Long-enough-1"))
                .send()
                .await;
            let name = format!("{}-ops", install_name(&client, install).await);
            let update = client
                .update_sftp_user()
                .install_id(install)
                .username(name.as_str())
                .body_map(|b| b.password("Long-enough-2"))
                .send()
                .await;
            let delete = client
                .delete_sftp_user()
                .install_id(install)
                .username(name.as_str())
                .send()
                .await;
            [
                list.map(|r| r.status().as_u16()),
                create.map(|r| r.status().as_u16()),
                update.map(|r| r.status().as_u16()),
                delete.map(|r| r.status().as_u16()),
            ]
            .map(|answer| answer.unwrap_or_else(|err| status_of(&err)))
        }
    };
    let torquemag = install_named(&client, "torquemag").await;
    assert_eq!(sftp(torquemag.id).await, [200, 201, 200, 204]);
    // Demo Client Co is on Autoscale.
    let install = install_named(&client, "clientblog").await;
    assert_eq!(sftp(install.id).await, [403, 403, 403, 403]);
    // An install the caller cannot see: 404, but 403 on delete, as the reference says.
    let unseen = uuid::Uuid::new_v4();
    let err = client
        .list_sftp_users()
        .install_id(unseen)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 404);
    let err = client
        .delete_sftp_user()
        .install_id(unseen)
        .username("x-ops")
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 403);
    served(&server)
}

/// The name of an install, from its fetch.
async fn install_name(client: &wpe_api::Client, install: uuid::Uuid) -> String {
    client
        .get_install()
        .install_id(install)
        .send()
        .await
        .unwrap()
        .into_inner()
        .name
}
