//! Installs: create, read, update, delete, and copying one install onto another.

use uuid::Uuid;
use wpe_api::types::{self, Environment, InstallStatus};

use crate::support::{
    account_named, assert_field_error, demo, install_named, served, status_of, Served,
};

pub async fn installs_lifecycle() -> Served {
    let (server, client) = demo().await;
    let agency = account_named(&client, "demoagency").await;
    let client_co = account_named(&client, "democlient").await;
    let all = client.list_installs().send().await.unwrap();
    assert_eq!(all.count, Some(9));
    let filtered = client
        .list_installs()
        .account_id(client_co.id)
        .send()
        .await
        .unwrap();
    assert_eq!(filtered.count, Some(3));
    assert!(filtered
        .results
        .iter()
        .all(|i| i.account.id == client_co.id));
    let torquemag = install_named(&client, "torquemag").await;
    assert_eq!(torquemag.status, Some(InstallStatus::Active));
    assert_eq!(torquemag.primary_domain.as_deref(), Some("torquemag.io"));
    assert_eq!(torquemag.cname.as_deref(), Some("torquemag.wpengine.com"));

    let created = client
        .create_install()
        .body_map(|b| b.name("freshinstall").account_id(agency.id))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    assert_eq!(created.status, Some(InstallStatus::Pending));
    assert!(created.site.is_none());
    let id = created.id;
    let fetched = client.get_install().install_id(id).send().await.unwrap();
    assert_eq!(fetched.status, Some(InstallStatus::Pending));
    server.advance(server.config().install_activation_delay);
    let fetched = client.get_install().install_id(id).send().await.unwrap();
    assert_eq!(fetched.status, Some(InstallStatus::Active));
    assert_eq!(client.list_installs().send().await.unwrap().count, Some(10));

    // Names are unique: 400 with a field error.
    let err = client
        .create_install()
        .body_map(|b| b.name("torquemag").account_id(agency.id))
        .send()
        .await
        .unwrap_err();
    assert_field_error(&err, "name");
    assert_eq!(err.field_errors()[0].code.as_deref(), Some("already_taken"));

    // Move it into a new site as its development install.
    let site = client
        .create_site()
        .body_map(|b| b.name("Fresh").account_id(agency.id))
        .send()
        .await
        .unwrap();
    let moved = client
        .update_install()
        .install_id(id)
        .body_map(|b| {
            b.site_id(Some(site.id))
                .environment(Environment::Development)
        })
        .send()
        .await
        .unwrap();
    assert_eq!(moved.site.as_ref().unwrap().id, site.id);
    assert_eq!(moved.environment, Some(Environment::Development));
    let site_now = client.get_site().site_id(site.id).send().await.unwrap();
    assert_eq!(site_now.installs[0].name.as_deref(), Some("freshinstall"));

    // A site holds one install per environment.
    let torque_site = torquemag.site.as_ref().unwrap().id;
    let err = client
        .update_install()
        .install_id(id)
        .body_map(|b| {
            b.site_id(Some(torque_site))
                .environment(Environment::Production)
        })
        .send()
        .await
        .unwrap_err();
    assert_field_error(&err, "environment");

    let deleted = client.delete_install().install_id(id).send().await.unwrap();
    assert_eq!(deleted.status().as_u16(), 204);
    let err = client
        .get_install()
        .install_id(id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 404);
    assert!(client
        .get_site()
        .site_id(site.id)
        .send()
        .await
        .unwrap()
        .installs
        .is_empty());
    // The name is free again.
    client
        .create_install()
        .body_map(|b| b.name("freshinstall").account_id(agency.id))
        .send()
        .await
        .unwrap();
    served(&server)
}

pub async fn install_copy_is_recorded() -> Served {
    let (server, client) = demo().await;
    let production = install_named(&client, "torquemag").await;
    let staging = install_named(&client, "torquemagstg").await;
    let options = types::CopyOptions::try_from(
        types::CopyOptions::builder()
            .include_files(Some(true))
            .include_db(Some(true))
            .db_tables(vec!["wp_posts".to_owned()]),
    )
    .unwrap();
    let response = client
        .copy_install()
        .body_map(|b| {
            b.source_environment_id(production.id)
                .destination_environment_id(staging.id)
                .notification_emails(vec!["ops@example.com".to_owned()])
                .custom_options(Some(options))
        })
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 202);
    let copies = server.install_copies();
    assert_eq!(copies.len(), 1);
    assert_eq!(copies[0].source, production.id);
    assert_eq!(copies[0].destination, staging.id);
    assert_eq!(copies[0].db_tables, ["wp_posts"]);
    assert_eq!(copies[0].include_files, Some(true));

    let err = client
        .copy_install()
        .body_map(|b| {
            b.source_environment_id(production.id)
                .destination_environment_id(production.id)
        })
        .send()
        .await
        .unwrap_err();
    assert_field_error(&err, "destination_environment_id");
    let err = client
        .copy_install()
        .body_map(|b| {
            b.source_environment_id(production.id)
                .destination_environment_id(Uuid::from_u128(7))
        })
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 404);
    assert_eq!(server.install_copies().len(), 1);
    served(&server)
}

/// `copyInstall` copies between two installs of one account, and refuses
/// `db_tables` when the database is not copied (`include_db: false`), as
/// WP Engine's reference says; nothing is copied when refused.
pub async fn install_copy_stays_in_one_account_and_needs_the_database_for_tables() -> Served {
    let (server, client) = demo().await;
    let production = install_named(&client, "torquemag").await;
    let staging = install_named(&client, "torquemagstg").await;
    let elsewhere = install_named(&client, "clientblog").await;
    assert_ne!(elsewhere.account.id, production.account.id);

    let err = client
        .copy_install()
        .body_map(|b| {
            b.source_environment_id(production.id)
                .destination_environment_id(elsewhere.id)
        })
        .send()
        .await
        .unwrap_err();
    assert_field_error(&err, "destination_environment_id");
    let message = err.api_error().unwrap().message.clone();
    assert!(message.contains("same account"), "{message}");

    let options = |include_db: bool| {
        types::CopyOptions::try_from(
            types::CopyOptions::builder()
                .include_db(Some(include_db))
                .db_tables(vec!["wp_posts".to_owned()]),
        )
        .unwrap()
    };
    let err = client
        .copy_install()
        .body_map(|b| {
            b.source_environment_id(production.id)
                .destination_environment_id(staging.id)
                .custom_options(Some(options(false)))
        })
        .send()
        .await
        .unwrap_err();
    assert_field_error(&err, "db_tables");
    assert!(server.install_copies().is_empty());

    // Within the account, with the database: accepted.
    let accepted = client
        .copy_install()
        .body_map(|b| {
            b.source_environment_id(production.id)
                .destination_environment_id(staging.id)
                .custom_options(Some(options(true)))
        })
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status().as_u16(), 202);
    assert_eq!(server.install_copies().len(), 1);
    served(&server)
}

/// `wp_version` (and `defer_wordpress_upgrades_until`) come only with a
/// single install's fetch, not in the list, as WP Engine's reference says.
pub async fn only_a_single_install_fetch_has_the_wordpress_version() -> Served {
    let (server, client) = demo().await;
    let listed = client.list_installs().send().await.unwrap().into_inner();
    assert!(!listed.results.is_empty());
    for install in &listed.results {
        assert_eq!(install.wp_version, None, "{}", install.name);
        assert_eq!(install.defer_wordpress_upgrades_until, None);
    }
    let torquemag = install_named(&client, "torquemag").await;
    let fetched = client
        .get_install()
        .install_id(torquemag.id)
        .send()
        .await
        .unwrap();
    assert!(fetched.wp_version.is_some(), "{fetched:?}");
    served(&server)
}
