//! Users of an account: add, read, change roles, remove.

use wpe_api::types;

use crate::support::{
    account_named, demo, install_named, raw, raw_fields, served, status_of, Served,
};

pub async fn account_users_lifecycle() -> Served {
    let (server, client) = demo().await;
    let account = account_named(&client, "demoagency").await;
    let torquemag = install_named(&client, "torquemag").await;
    let users = client
        .list_account_users()
        .account_id(account.id)
        .send()
        .await
        .unwrap()
        .into_inner()
        .results;
    assert_eq!(users.len(), 3);
    let owner = users.iter().find(|u| u.roles == "owner").unwrap();
    assert_eq!(owner.last_owner, Some(true));
    // Only owners carry last_owner; only partial users list their installs.
    let jane = users.iter().find(|u| u.roles == "full,billing").unwrap();
    assert_eq!(jane.last_owner, None);
    assert!(jane.installs.is_none());
    let pat = users.iter().find(|u| u.roles == "partial").unwrap();
    assert_eq!(pat.last_owner, None);
    assert_eq!(
        pat.installs.as_ref().unwrap()[0].name.as_deref(),
        Some("torquemag")
    );

    let created = client
        .create_account_user()
        .account_id(account.id)
        .body_map(|b| {
            b.user(
                types::NewAccountUser::builder()
                    .account_id(account.id)
                    .first_name("Nina")
                    .last_name("New")
                    .email("nina@example.com")
                    .roles("partial,billing")
                    .install_ids(vec![torquemag.id]),
            )
        })
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    let nina = created.into_inner().account_user.unwrap();
    assert_eq!(nina.roles, "partial,billing");
    assert_eq!(nina.invite_accepted, Some(false));
    assert_eq!(nina.installs.as_ref().unwrap().len(), 1);

    let listed = client
        .list_account_users()
        .account_id(account.id)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.results.len(), 4);
    let fetched = client
        .get_account_user()
        .account_id(account.id)
        .user_id(nina.user_id)
        .send()
        .await
        .unwrap();
    assert_eq!(fetched.email, "nina@example.com");

    let updated = client
        .update_account_user()
        .account_id(account.id)
        .user_id(nina.user_id)
        .body_map(|b| b.roles("full"))
        .send()
        .await
        .unwrap()
        .into_inner()
        .account_user
        .unwrap();
    assert_eq!(updated.roles, "full");
    assert!(updated.installs.is_none());
    let fetched = client
        .get_account_user()
        .account_id(account.id)
        .user_id(nina.user_id)
        .send()
        .await
        .unwrap();
    assert_eq!(fetched.roles, "full");

    // A role outside the five: the client refuses it before sending (the
    // spec enumerates them), and so does the server.
    let err = client
        .update_account_user()
        .account_id(account.id)
        .user_id(nina.user_id)
        .body_map(|b| b.roles("admin"))
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, wpe_api::Error::InvalidRequest(_)), "{err:?}");
    let path = format!("/accounts/{}/account_users/{}", account.id, nina.user_id);
    let (status, body) = raw(
        &server,
        reqwest::Method::PATCH,
        &path,
        Some(r#"{"roles": "billing"}"#),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(raw_fields(&body), ["roles"]);
    // A role and a duplicate email: 400 with a field error each.
    let path = format!("/accounts/{}/account_users", account.id);
    let body = format!(
        r#"{{"user": {{"account_id": "{}", "first_name": "Nina", "last_name": "Again", "email": "nina@example.com", "roles": "superuser"}}}}"#,
        account.id
    );
    let (status, body) = raw(&server, reqwest::Method::POST, &path, Some(&body)).await;
    assert_eq!(status, 400);
    let mut fields = raw_fields(&body);
    fields.sort();
    assert_eq!(fields, ["user.email", "user.roles"], "{body}");

    // The last owner stays.
    let err = client
        .delete_account_user()
        .account_id(account.id)
        .user_id(owner.user_id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 400);

    let deleted = client
        .delete_account_user()
        .account_id(account.id)
        .user_id(nina.user_id)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status().as_u16(), 204);
    let err = client
        .get_account_user()
        .account_id(account.id)
        .user_id(nina.user_id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 404);
    served(&server)
}
