//! SSH keys of the API user, with fingerprints as `ssh-keygen` computes them.

use wpe_api::fake::{OTHER_PASSWORD, OTHER_USER};
use wpe_api::Credentials;

use crate::support::{assert_field_error, demo, served, status_of, Served};

// Keys and fingerprints made with `ssh-keygen`, fingerprints from `ssh-keygen -l -E md5`.
const ED25519_KEY: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIF3WN6aFABgyAkT/bXxt3ckDLWb1P+87C7yhsn9PfNsQ dev@example.com";

const ED25519_MD5: &str = "3b:2b:b1:d6:13:db:4b:fc:e3:e1:05:82:8a:72:a4:09";

const RSA_KEY: &str = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDjdqSMqWS6zY6EhU2Z0G0kCDO5c0Myj3DgwLYgskCeNmp4RXW4387NsUD4jzO7oBRZb08MYLyZgc9F6aFLc28Al6PEOxyAWC8Fej+mGXpXo8WPujWXkfQZQ3f734AGkmLkoqJJHBpZbIZk4OqWkUzJqMvEXcFkWnIRcky9YCLJ4w== rsa@example.com";

const RSA_MD5: &str = "30:02:44:a3:40:70:4c:f9:cb:11:67:00:41:e4:21:cf";

pub async fn ssh_keys() -> Served {
    let (server, client) = demo().await;
    let seeded = client.list_ssh_keys().send().await.unwrap();
    assert_eq!(seeded.count, Some(1));

    let created = client
        .create_ssh_key()
        .body_map(|b| b.public_key(ED25519_KEY))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    assert_eq!(created.fingerprint.as_deref(), Some(ED25519_MD5));
    assert_eq!(created.comment.as_deref(), Some("dev@example.com"));
    let rsa = client
        .create_ssh_key()
        .body_map(|b| b.public_key(RSA_KEY))
        .send()
        .await
        .unwrap();
    assert_eq!(rsa.fingerprint.as_deref(), Some(RSA_MD5));

    let page = client.list_ssh_keys().limit(2).send().await.unwrap();
    assert_eq!(page.count, Some(3));
    assert_eq!(page.results.len(), 2);
    assert!(page
        .next
        .as_deref()
        .unwrap()
        .ends_with("/ssh_keys?limit=2&offset=2"));

    for bad in [
        "ssh-ed25519 not-base64!!",
        "ssh-foo AAAAC3NzaC1lZDI1NTE5AAAAIF3WN6aFABgyAkT/bXxt3ckDLWb1P+87C7yhsn9PfNsQ",
        // An RSA blob labelled as Ed25519.
        "ssh-ed25519 AAAAB3NzaC1yc2EAAAADAQABAAAAgQDjdqSMqWS6zY6EhU2Z0G0kCDO5c0Myj3DgwLYgskCeNmp4RXW4387NsUD4jzO7oBRZb08MYLyZgc9F6aFLc28Al6PEOxyAWC8Fej+mGXpXo8WPujWXkfQZQ3f734AGkmLkoqJJHBpZbIZk4OqWkUzJqMvEXcFkWnIRcky9YCLJ4w==",
        ED25519_KEY,
    ] {
        let err = client
            .create_ssh_key()
            .body_map(|b| b.public_key(bad))
            .send()
            .await
            .unwrap_err();
        assert_field_error(&err, "public_key");
    }

    let id = created.uuid.unwrap();
    let deleted = client.delete_ssh_key().ssh_key_id(id).send().await.unwrap();
    assert_eq!(deleted.status().as_u16(), 204);
    let listed = client.list_ssh_keys().send().await.unwrap();
    assert_eq!(listed.count, Some(2));
    assert!(listed.results.iter().all(|k| k.uuid != Some(id)));
    let err = client
        .delete_ssh_key()
        .ssh_key_id(id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 404);
    // Keys are per user.
    let other = server.client_with(Credentials::new(OTHER_USER, OTHER_PASSWORD));
    assert_eq!(other.list_ssh_keys().send().await.unwrap().count, Some(0));
    served(&server)
}
