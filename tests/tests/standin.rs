//! The typed client against the stateful stand-in (`wpe_api::fake`) over real
//! HTTP: every operation with the state change it causes, every class of
//! error, paging, rate limits, and a check that the suite exercises every
//! operation of the spec.
//!
//! Each scenario starts its own server and returns the operations that server
//! answered with success. The `scenarios!` list turns each into a test of its
//! own and also feeds `every_spec_operation_is_exercised`, which runs them
//! all and compares what was served with the operationIds of
//! `wpe_api::operations::OPERATIONS` (the spec's, at build time), so the
//! check does not depend on which tests ran before it.

use std::collections::BTreeSet;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use serde_json::{json, Value};
use uuid::Uuid;
use wpe_api::fake::{
    FakeConfig, FakeServer, Seed, DEMO_PASSWORD, DEMO_USER, OTHER_PASSWORD, OTHER_USER,
};
use wpe_api::types::{
    self, BackupStatus, CertSource, CertificateStatus, Environment, InstallStatus, PurgeCacheType,
};
use wpe_api::{ApiErrorExt, Client, Credentials, Error};

type Served = BTreeSet<&'static str>;
type Scenario = fn() -> Pin<Box<dyn Future<Output = Served>>>;

macro_rules! scenarios {
    ($($name:ident),* $(,)?) => {
        mod each {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name().await;
                }
            )*
        }
        const SCENARIOS: &[(&str, Scenario)] = &[
            $((stringify!($name), || Box::pin($name())),)*
        ];
    };
}

scenarios!(
    status_swagger_and_current_user,
    credentials_are_checked,
    accounts_and_limits,
    other_users_accounts_are_invisible,
    account_users_lifecycle,
    sites_lifecycle,
    installs_lifecycle,
    install_copy_is_recorded,
    offload_settings,
    usage_metrics_and_disk_refresh,
    domains_lifecycle,
    bulk_domains,
    domain_status_reports_and_rate_limit,
    certificates,
    backups_progress_over_time,
    cache_purges_and_rate_limit,
    ssh_keys,
    paging_through_250_installs,
    malformed_requests,
);

// ------------------------------------------------------------------ helpers

async fn demo() -> (FakeServer, Client) {
    let server = FakeServer::start(FakeConfig::default()).await;
    let client = server.client();
    (server, client)
}

fn status_of(err: &Error) -> u16 {
    err.status().map(|s| s.as_u16()).unwrap_or(0)
}

/// Asserts a 400 whose field errors include `field` (as `resource.field` or a suffix of it).
fn assert_field_error(err: &Error, field: &str) {
    assert_eq!(status_of(err), 400, "expected 400, got {err:?}");
    let fields: Vec<String> = err
        .field_errors()
        .iter()
        .filter_map(|e| e.field.clone())
        .collect();
    assert!(
        fields
            .iter()
            .any(|f| f == field || f.ends_with(&format!(".{field}"))),
        "expected a field error on {field}, got {fields:?}"
    );
    for e in err.field_errors() {
        assert!(
            e.resource.is_some() && e.type_.is_some() && e.code.is_some() && e.message.is_some()
        );
    }
}

fn retry_after(err: &Error) -> u64 {
    match err {
        Error::ErrorResponse(response) => response
            .headers()
            .get("retry-after")
            .expect("Retry-After header")
            .to_str()
            .unwrap()
            .parse()
            .unwrap(),
        other => panic!("expected an error response, got {other:?}"),
    }
}

/// A raw request, for what the typed client refuses to send.
async fn raw(
    server: &FakeServer,
    method: reqwest::Method,
    path: &str,
    body: Option<&str>,
) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .request(method, format!("{}{path}", server.base_url()))
        .basic_auth(DEMO_USER, Some(DEMO_PASSWORD));
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body.to_owned());
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn raw_fields(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["field"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

async fn install_named(client: &Client, name: &str) -> types::Installation {
    let page = client.list_installs().send().await.unwrap();
    page.results
        .iter()
        .find(|i| i.name == name)
        .unwrap_or_else(|| panic!("install {name}"))
        .clone()
}

async fn account_named(client: &Client, name: &str) -> types::Account {
    let page = client.list_accounts().send().await.unwrap();
    page.results
        .iter()
        .find(|a| a.name == name)
        .unwrap_or_else(|| panic!("account {name}"))
        .clone()
}

async fn domains_of(client: &Client, install: Uuid) -> Vec<types::Domain> {
    client
        .list_domains()
        .install_id(install)
        .send()
        .await
        .unwrap()
        .into_inner()
        .results
}

// ------------------------------------------------------------------ scenarios

async fn status_swagger_and_current_user() -> Served {
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
    server.served_operations()
}

async fn credentials_are_checked() -> Served {
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
    server.served_operations()
}

async fn accounts_and_limits() -> Served {
    let (server, client) = demo().await;
    let page = client.list_accounts().send().await.unwrap();
    assert_eq!(page.count, Some(3));
    let names: Vec<&str> = page.results.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["demoagency", "democlient", "demosandbox"]);
    assert_eq!(page.next, None);
    assert_eq!(page.previous, None);

    let agency = &page.results[0];
    let account = client
        .get_account()
        .account_id(agency.id)
        .send()
        .await
        .unwrap();
    assert_eq!(account.name, "demoagency");
    assert_eq!(account.nickname.as_deref(), Some("Demo Agency"));

    let limits = client
        .get_accounts_limits()
        .account_id(agency.id)
        .send()
        .await
        .unwrap();
    assert_eq!(limits.visitors, Some(400_000));
    assert!(limits.storage.is_some());

    let err = client
        .get_account()
        .account_id(Uuid::from_u128(42))
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 404);
    assert_eq!(err.api_error().unwrap().message, "Not Found");
    server.served_operations()
}

async fn other_users_accounts_are_invisible() -> Served {
    let (server, client) = demo().await;
    let other = server.client_with(Credentials::new(OTHER_USER, OTHER_PASSWORD));
    let theirs = other.list_accounts().send().await.unwrap();
    assert_eq!(theirs.count, Some(1));
    let their_account = theirs.results[0].id;
    let their_install = other.list_installs().send().await.unwrap().results[0].clone();

    // Reading another user's things: 404, as if they did not exist.
    for err in [
        client
            .get_account()
            .account_id(their_account)
            .send()
            .await
            .unwrap_err(),
        client
            .get_accounts_limits()
            .account_id(their_account)
            .send()
            .await
            .map(|_| ())
            .unwrap_err(),
        client
            .list_account_users()
            .account_id(their_account)
            .send()
            .await
            .map(|_| ())
            .unwrap_err(),
        client
            .get_install()
            .install_id(their_install.id)
            .send()
            .await
            .map(|_| ())
            .unwrap_err(),
    ] {
        assert_eq!(status_of(&err), 404, "{err:?}");
    }
    let mine = client.list_installs().send().await.unwrap();
    assert!(mine.results.iter().all(|i| i.account.id != their_account));
    let filtered = client
        .list_sites()
        .account_id(their_account)
        .send()
        .await
        .unwrap();
    assert_eq!(filtered.count, Some(0));

    // Creating in another user's account: 403.
    let err = client
        .create_site()
        .body_map(|b| b.name("Sneaky").account_id(their_account))
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 403);
    let err = client
        .create_install()
        .body_map(|b| b.name("sneaky").account_id(their_account))
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 403);
    assert_eq!(other.list_sites().send().await.unwrap().count, Some(1));

    // A user added at run time sees only their new account.
    let account = server.add_user("newbie", "pw-newbie", "newbieco");
    let newbie = server.client_with(Credentials::new("newbie", "pw-newbie"));
    let page = newbie.list_accounts().send().await.unwrap();
    assert_eq!(page.results.len(), 1);
    assert_eq!(page.results[0].id, account);
    server.served_operations()
}

async fn account_users_lifecycle() -> Served {
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
    let pat = users.iter().find(|u| u.roles == "partial").unwrap();
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
                    .install_ids(vec![torquemag.id.to_string()]),
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

    // Invalid roles and a duplicate email: 400 with field errors.
    let err = client
        .update_account_user()
        .account_id(account.id)
        .user_id(nina.user_id)
        .body_map(|b| b.roles("admin"))
        .send()
        .await
        .unwrap_err();
    assert_field_error(&err, "roles");
    let err = client
        .create_account_user()
        .account_id(account.id)
        .body_map(|b| {
            b.user(
                types::NewAccountUser::builder()
                    .account_id(account.id)
                    .first_name("Nina")
                    .last_name("Again")
                    .email("nina@example.com")
                    .roles("superuser"),
            )
        })
        .send()
        .await
        .unwrap_err();
    assert_field_error(&err, "roles");
    assert_field_error(&err, "email");
    assert_eq!(err.field_errors().len(), 2);

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
    server.served_operations()
}

async fn sites_lifecycle() -> Served {
    let (server, client) = demo().await;
    let agency = account_named(&client, "demoagency").await;
    let all = client.list_sites().send().await.unwrap();
    assert_eq!(all.count, Some(3));
    let agency_sites = client
        .list_sites()
        .account_id(agency.id)
        .send()
        .await
        .unwrap();
    assert_eq!(agency_sites.count, Some(2));
    let torque = agency_sites
        .results
        .iter()
        .find(|s| s.name == "Torque Magazine")
        .unwrap();
    let envs: Vec<_> = torque
        .installs
        .iter()
        .map(|i| i.environment.clone().unwrap())
        .collect();
    assert_eq!(
        envs,
        [
            Environment::Production,
            Environment::Staging,
            Environment::Development
        ]
    );

    let created = client
        .create_site()
        .body_map(|b| b.name("Launch Site").account_id(agency.id))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    assert_eq!(created.name, "Launch Site");
    assert!(created.installs.is_empty());
    let site_id = created.id;

    let install = client
        .create_install()
        .body_map(|b| {
            b.name("launchprod")
                .account_id(agency.id)
                .site_id(Some(site_id))
                .environment(Environment::Production)
        })
        .send()
        .await
        .unwrap();
    let site = client.get_site().site_id(site_id).send().await.unwrap();
    assert_eq!(site.installs.len(), 1);
    assert_eq!(site.installs[0].id, Some(install.id));

    let renamed = client
        .update_site()
        .site_id(site_id)
        .body_map(|b| b.name(Some("Launched".to_owned())))
        .send()
        .await
        .unwrap();
    assert_eq!(renamed.name, "Launched");
    assert_eq!(
        client
            .get_site()
            .site_id(site_id)
            .send()
            .await
            .unwrap()
            .name,
        "Launched"
    );
    let err = client
        .update_site()
        .site_id(site_id)
        .body_map(|b| b.name(Some("   ".to_owned())))
        .send()
        .await
        .unwrap_err();
    assert_field_error(&err, "name");
    let err = client
        .create_site()
        .body_map(|b| b.name("").account_id(agency.id))
        .send()
        .await
        .unwrap_err();
    assert_field_error(&err, "name");

    let deleted = client.delete_site().site_id(site_id).send().await.unwrap();
    assert_eq!(deleted.status().as_u16(), 204);
    let err = client.get_site().site_id(site_id).send().await.unwrap_err();
    assert_eq!(status_of(&err), 404);
    // Deleting a site deletes its installs.
    let err = client
        .get_install()
        .install_id(install.id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 404);
    assert_eq!(client.list_sites().send().await.unwrap().count, Some(3));
    server.served_operations()
}

async fn installs_lifecycle() -> Served {
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
    server.served_operations()
}

async fn install_copy_is_recorded() -> Served {
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
    server.served_operations()
}

async fn offload_settings() -> Served {
    let (server, client) = demo().await;
    let install = install_named(&client, "demoshop").await;
    let file = client
        .get_large_fs_validation_file()
        .install_id(install.id)
        .send()
        .await
        .unwrap();
    assert_eq!(file.name.as_deref(), Some("wpe-largefs-validation.txt"));
    assert_eq!(file.content.as_deref().map(str::len), Some(16));

    let before = client
        .get_offload_settings()
        .install_id(install.id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(before.largefs_settings.is_none());

    let config: types::LargeFsConfig = serde_json::from_value(json!({
        "largefs_settings": {
            "cloud": "s3",
            "bucket": "demo-media",
            "bucket_region": "us-east-1",
            "path_settings": [
                { "path": "/wp-content/uploads", "excluded_paths": ["/wp-content/uploads/private"], "redirect_type": "permanent" }
            ]
        }
    }))
    .unwrap();
    let accepted = client
        .update_offload_settings()
        .install_id(install.id)
        .body(config)
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status().as_u16(), 202);
    let stored = client
        .get_offload_settings()
        .install_id(install.id)
        .send()
        .await
        .unwrap()
        .into_inner()
        .largefs_settings
        .unwrap();
    assert_eq!(stored.bucket.as_deref(), Some("demo-media"));
    assert_eq!(
        stored.path_settings[0].redirect_type,
        Some(types::OffloadRedirectType::Permanent)
    );

    let patch: types::LargeFsConfig =
        serde_json::from_value(json!({ "largefs_settings": { "bucket": "demo-media-2" } }))
            .unwrap();
    client
        .patch_offload_settings()
        .install_id(install.id)
        .body(patch)
        .send()
        .await
        .unwrap();
    let stored = client
        .get_offload_settings()
        .install_id(install.id)
        .send()
        .await
        .unwrap()
        .into_inner()
        .largefs_settings
        .unwrap();
    assert_eq!(stored.bucket.as_deref(), Some("demo-media-2"));
    assert_eq!(
        stored.bucket_region.as_deref(),
        Some("us-east-1"),
        "patch keeps the rest"
    );

    // A full update needs the bucket; paths must be absolute.
    let bad: types::LargeFsConfig = serde_json::from_value(json!({
        "largefs_settings": { "cloud": "s3", "bucket_region": "us-east-1", "path_settings": [{ "path": "uploads" }] }
    }))
    .unwrap();
    let err = client
        .update_offload_settings()
        .install_id(install.id)
        .body(bad)
        .send()
        .await
        .unwrap_err();
    assert_field_error(&err, "bucket");
    assert_field_error(&err, "path");
    server.served_operations()
}

async fn usage_metrics_and_disk_refresh() -> Served {
    let (server, client) = demo().await;
    let agency = account_named(&client, "demoagency").await;
    let first = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    let last = chrono::NaiveDate::from_ymd_opt(2024, 1, 3).unwrap();
    let usage = client
        .get_account_usage_metrics()
        .account_id(agency.id)
        .first_date(first)
        .last_date(last)
        .limit(4)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(usage.total_size, Some(6));
    assert_eq!(usage.environment_metrics.len(), 4);
    assert_eq!(usage.next_page_token.as_deref(), Some("4"));
    assert_eq!(usage.account_storage_refresh_expected_time, None);
    let env = &usage.environment_metrics[0];
    assert_eq!(env.environment_name.as_deref(), Some("torquemag"));
    assert_eq!(env.metrics.len(), 3);
    assert_eq!(env.metrics[0].date.as_deref(), Some("2024-01-01"));
    let rest = client
        .get_account_usage_metrics()
        .account_id(agency.id)
        .first_date(first)
        .last_date(last)
        .limit(4)
        .offset("4")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(rest.environment_metrics.len(), 2);
    assert_eq!(rest.next_page_token, None);

    // Deterministic: the install's own series holds the same figures.
    let series = client
        .get_install_usage_metrics()
        .install_id(install_named(&client, "torquemag").await.id)
        .first_date(first)
        .last_date(last)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(series.install_name.as_deref(), Some("torquemag"));
    assert_eq!(series.metrics[1].visit_count, env.metrics[1].visit_count);
    let visits: u64 = series
        .metrics
        .iter()
        .map(|m| m.visit_count.as_deref().unwrap().parse::<u64>().unwrap())
        .sum();
    let rollup = series.metrics_rollup.as_ref().unwrap();
    assert_eq!(
        rollup.visit_count.as_ref().unwrap().sum.as_deref(),
        Some(visits.to_string().as_str())
    );

    let summary = client
        .get_account_usage_summary()
        .account_id(agency.id)
        .first_date(first)
        .last_date(last)
        .send()
        .await
        .unwrap();
    let total_visits: u64 = usage
        .environment_metrics
        .iter()
        .chain(&rest.environment_metrics)
        .flat_map(|e| &e.metrics)
        .map(|m| m.visit_count.as_deref().unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(
        summary.visit_count.as_ref().unwrap().sum.as_deref(),
        Some(total_visits.to_string().as_str())
    );
    let insights = client
        .get_account_usage_insights()
        .account_id(agency.id)
        .first_date(first)
        .last_date(last)
        .send()
        .await
        .unwrap();
    let visits = insights.visit_count.as_ref().unwrap();
    assert_eq!(
        visits.total.as_deref(),
        Some(total_visits.to_string().as_str())
    );
    let by_env = visits.environment_types.as_ref().unwrap();
    let split: u64 = [&by_env.production, &by_env.staging, &by_env.development]
        .iter()
        .map(|v| v.as_deref().unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(split, total_visits);

    // Disk-usage refreshes set an expected time, which clears when done.
    client
        .refresh_account_disk_usage()
        .account_id(agency.id)
        .send()
        .await
        .unwrap();
    let usage = client
        .get_account_usage_metrics()
        .account_id(agency.id)
        .send()
        .await
        .unwrap();
    let expected = usage.account_storage_refresh_expected_time.unwrap();
    assert!(expected > chrono::Utc::now());
    let torquemag = install_named(&client, "torquemag").await;
    client
        .refresh_environment_disk_usage()
        .install_id(torquemag.id)
        .send()
        .await
        .unwrap();
    let series = client
        .get_install_usage_metrics()
        .install_id(torquemag.id)
        .send()
        .await
        .unwrap();
    assert!(series.storage_refresh_expected_time.is_some());
    assert_eq!(series.metrics.len(), 7, "the last 7 days by default");
    server.advance(server.config().disk_usage_refresh_delay);
    let series = client
        .get_install_usage_metrics()
        .install_id(torquemag.id)
        .send()
        .await
        .unwrap();
    assert_eq!(series.storage_refresh_expected_time, None);
    let usage = client
        .get_account_usage_metrics()
        .account_id(agency.id)
        .send()
        .await
        .unwrap();
    assert_eq!(usage.account_storage_refresh_expected_time, None);
    assert_eq!(usage.last_account_storage_refresh_time, Some(expected));

    // Server-side limits on what the client would not send.
    let (status, body) = raw(
        &server,
        reqwest::Method::GET,
        &format!("/accounts/{}/usage?limit=1001", agency.id),
        None,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(raw_fields(&body), ["limit"]);
    let err = client
        .get_account_usage_summary()
        .account_id(agency.id)
        .first_date(last)
        .last_date(first)
        .send()
        .await
        .unwrap_err();
    assert_field_error(&err, "first_date");
    server.served_operations()
}

async fn domains_lifecycle() -> Served {
    let (server, client) = demo().await;
    let torquemag = install_named(&client, "torquemag").await;
    let domains = domains_of(&client, torquemag.id).await;
    assert_eq!(domains.len(), 2);
    assert!(domains[0].primary);
    assert_eq!(
        domains[1].redirects_to[0].name.as_deref(),
        Some("torquemag.io")
    );

    let created = client
        .create_domain()
        .install_id(torquemag.id)
        .body_map(|b| b.name("torque.example.com").primary(Some(true)))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    assert!(created.primary);
    let new_id = created.id.clone();
    // One primary per install.
    let domains = domains_of(&client, torquemag.id).await;
    assert_eq!(domains.iter().filter(|d| d.primary).count(), 1);
    assert_eq!(
        client
            .get_install()
            .install_id(torquemag.id)
            .send()
            .await
            .unwrap()
            .primary_domain
            .as_deref(),
        Some("torque.example.com")
    );

    // Duplicates, here or on another install, are refused.
    for name in ["torque.example.com", "shop.example.com"] {
        let err = client
            .create_domain()
            .install_id(torquemag.id)
            .body_map(|b| b.name(name))
            .send()
            .await
            .unwrap_err();
        assert_field_error(&err, "name");
    }
    let err = client
        .create_domain()
        .install_id(torquemag.id)
        .body_map(|b| b.name("not a domain"))
        .send()
        .await
        .unwrap_err();
    assert_field_error(&err, "name");

    let fetched = client
        .get_domain()
        .install_id(torquemag.id)
        .domain_id(new_id.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(fetched.name, "torque.example.com");
    assert!(fetched.network_details.is_some());

    // Make torquemag.io primary again and point the new domain at it.
    let old_primary = domains.iter().find(|d| d.name == "torquemag.io").unwrap();
    let updated = client
        .update_domain()
        .install_id(torquemag.id)
        .domain_id(old_primary.id.as_str())
        .body_map(|b| b.primary(Some(true)).secure_all_urls(Some(true)))
        .send()
        .await
        .unwrap();
    assert!(updated.primary);
    let redirected = client
        .update_domain()
        .install_id(torquemag.id)
        .domain_id(new_id.as_str())
        .body_map(|b| b.redirect_to(Some(old_primary.id.clone())))
        .send()
        .await
        .unwrap();
    assert!(!redirected.primary);
    assert_eq!(
        redirected.redirects_to[0].id.as_deref(),
        Some(old_primary.id.as_str())
    );
    // A redirect cannot become primary.
    let err = client
        .update_domain()
        .install_id(torquemag.id)
        .domain_id(new_id.as_str())
        .body_map(|b| b.primary(Some(true)))
        .send()
        .await
        .unwrap_err();
    assert_field_error(&err, "primary");
    // A domain others redirect to cannot be deleted.
    let err = client
        .delete_domain()
        .install_id(torquemag.id)
        .domain_id(old_primary.id.as_str())
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 400);

    let deleted = client
        .delete_domain()
        .install_id(torquemag.id)
        .domain_id(new_id.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status().as_u16(), 204);
    let err = client
        .get_domain()
        .install_id(torquemag.id)
        .domain_id(new_id.as_str())
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 404);
    assert_eq!(domains_of(&client, torquemag.id).await.len(), 2);
    // The name can be used again, on another install.
    let shop = install_named(&client, "demoshop").await;
    client
        .create_domain()
        .install_id(shop.id)
        .body_map(|b| b.name("torque.example.com"))
        .send()
        .await
        .unwrap();
    server.served_operations()
}

async fn bulk_domains() -> Served {
    let (server, client) = demo().await;
    let install = install_named(&client, "demoshopstg").await;
    let created = client
        .create_bulk_domains()
        .install_id(install.id)
        .body_map(|b| {
            b.domains(vec![
                types::BulkDomain {
                    name: "stage.example.com".into(),
                    redirect_to: None,
                },
                types::BulkDomain {
                    name: "www.stage.example.com".into(),
                    redirect_to: Some("stage.example.com".into()),
                },
            ])
        })
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    let created = created.into_inner().domains;
    assert_eq!(created.len(), 2);
    assert_eq!(
        created[1].redirects_to.as_ref().unwrap().name.as_deref(),
        Some("stage.example.com")
    );
    let listed = domains_of(&client, install.id).await;
    assert_eq!(listed.len(), 2);
    assert_eq!(
        listed[1].redirects_to[0].id.as_deref(),
        Some(created[0].id.as_str())
    );

    // More than 20: refused, nothing created.
    let many: Vec<types::BulkDomain> = (0..21)
        .map(|i| types::BulkDomain {
            name: format!("d{i}.example.com"),
            redirect_to: None,
        })
        .collect();
    let err = client
        .create_bulk_domains()
        .install_id(install.id)
        .body_map(|b| b.domains(many))
        .send()
        .await
        .unwrap_err();
    assert_field_error(&err, "domains");
    // One bad entry refuses the whole request.
    let err = client
        .create_bulk_domains()
        .install_id(install.id)
        .body_map(|b| {
            b.domains(vec![
                types::BulkDomain {
                    name: "fine.example.com".into(),
                    redirect_to: None,
                },
                types::BulkDomain {
                    name: "stage.example.com".into(),
                    redirect_to: None,
                },
            ])
        })
        .send()
        .await
        .unwrap_err();
    assert_field_error(&err, "domains[1].name");
    assert_eq!(domains_of(&client, install.id).await.len(), 2);
    server.served_operations()
}

async fn domain_status_reports_and_rate_limit() -> Served {
    let (server, client) = demo().await;
    let install = install_named(&client, "torquemag").await;
    let domain = domains_of(&client, install.id).await.remove(0);
    let report = client
        .check_status()
        .install_id(install.id)
        .domain_id(domain.id.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(report.status().as_u16(), 202);
    let report_id = report.into_inner().report_id;
    let status = client
        .get_domain_report_status()
        .install_id(install.id)
        .report_id(report_id)
        .send()
        .await
        .unwrap()
        .into_inner()
        .report
        .unwrap();
    assert_eq!(status.complete, Some(false));
    assert_eq!(status.install_name.as_deref(), Some("torquemag"));

    // Once per 5 s per install.
    let err = client
        .check_status()
        .install_id(install.id)
        .domain_id(domain.id.as_str())
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 429);
    assert!(err.api_error().unwrap().message.contains("5 seconds"));
    assert_eq!(retry_after(&err), 5);
    // After a 429 the client holds back every call until Retry-After has
    // passed (`wpe_api::retry`), even without retries: go on with a fresh one.
    let client = server.client();
    // While the install is held back, a domain it does not have is still a 404.
    let err = client
        .check_status()
        .install_id(install.id)
        .domain_id(Uuid::nil().to_string().as_str())
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 404);

    server.advance(server.config().domain_report_delay);
    let status = client
        .get_domain_report_status()
        .install_id(install.id)
        .report_id(report_id)
        .send()
        .await
        .unwrap()
        .into_inner()
        .report
        .unwrap();
    assert_eq!(status.complete, Some(true));
    assert_eq!(status.domains[0].name.as_deref(), Some("torquemag.io"));
    assert_eq!(status.domains[0].complete, Some(true));
    assert_eq!(
        status.domains[0].cname.as_deref(),
        Some("torquemag.wpengine.com")
    );

    let err = client
        .check_status()
        .install_id(install.id)
        .domain_id(domain.id.as_str())
        .send()
        .await
        .unwrap_err();
    assert_eq!(retry_after(&err), 4);
    // After a 429 the client holds back every call until Retry-After has
    // passed (`wpe_api::retry`), even without retries: go on with a fresh one.
    let client = server.client();
    server.advance(Duration::from_secs(4));
    client
        .check_status()
        .install_id(install.id)
        .domain_id(domain.id.as_str())
        .send()
        .await
        .unwrap();

    // A report belongs to its install.
    let other = install_named(&client, "demoshop").await;
    let err = client
        .get_domain_report_status()
        .install_id(other.id)
        .report_id(report_id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 404);
    server.served_operations()
}

async fn certificates() -> Served {
    let (server, client) = demo().await;
    let install = install_named(&client, "torquemag").await;
    let certs = client
        .get_install_certificates()
        .install_id(install.id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(certs.certificates.len(), 1);
    assert_eq!(
        certs.certificates[0].cert_source,
        Some(CertSource::LetsEncrypt)
    );
    assert_eq!(
        certs.certificates[0].status,
        Some(CertificateStatus::Enabled)
    );
    assert_eq!(certs.next_page_token.as_deref(), Some(""));

    let domains = domains_of(&client, install.id).await;
    let cert = client
        .get_domain_certificate()
        .install_id(install.id)
        .domain_id(domains[0].id.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(
        cert.certificate.as_ref().unwrap().domains,
        ["torquemag.io", "www.torquemag.io"]
    );

    let new_domain = client
        .create_domain()
        .install_id(install.id)
        .body_map(|b| b.name("secure.example.com"))
        .send()
        .await
        .unwrap()
        .into_inner();
    let err = client
        .get_domain_certificate()
        .install_id(install.id)
        .domain_id(new_domain.id.as_str())
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 404);
    let ordered = client
        .create_domain_certificate_order()
        .install_id(install.id)
        .domain_id(new_domain.id.as_str())
        .body_map(|b| {
            b.email_address("joe@example.com")
                .given_name("Joe")
                .family_name("Smith")
                .region_code("US")
        })
        .send()
        .await
        .unwrap();
    assert_eq!(ordered.status().as_u16(), 202);
    let cert = client
        .get_domain_certificate()
        .install_id(install.id)
        .domain_id(new_domain.id.as_str())
        .send()
        .await
        .unwrap()
        .into_inner()
        .certificate
        .unwrap();
    assert_eq!(cert.status, Some(CertificateStatus::Submitted));
    server.advance(server.config().certificate_issue_delay);
    let certs = client
        .get_install_certificates()
        .install_id(install.id)
        .send()
        .await
        .unwrap()
        .into_inner()
        .certificates;
    assert_eq!(certs.len(), 2);
    assert_eq!(certs[1].status, Some(CertificateStatus::Enabled));
    let paged = client
        .get_install_certificates()
        .install_id(install.id)
        .limit(1)
        .send()
        .await
        .unwrap();
    assert_eq!(paged.certificates.len(), 1);
    assert_eq!(paged.next_page_token.as_deref(), Some("1"));

    let err = client
        .create_domain_certificate_order()
        .install_id(install.id)
        .domain_id(new_domain.id.as_str())
        .body_map(|b| {
            b.email_address("not-an-email")
                .given_name("Joe")
                .family_name("Smith")
                .region_code("usa")
        })
        .send()
        .await
        .unwrap_err();
    assert_field_error(&err, "email_address");
    assert_field_error(&err, "region_code");

    let pem = wpe_api_tests::fixture("importThirdPartySSLCertificate");
    let imported = client
        .import_third_party_ssl_certificate()
        .install_id(install.id)
        .body_map(|b| {
            b.certificate(pem["certificate"].as_str().unwrap())
                .private_key(pem["private_key"].as_str().unwrap())
        })
        .send()
        .await
        .unwrap();
    assert!(imported
        .certificate
        .starts_with("-----BEGIN CERTIFICATE-----"));
    let certs = client
        .get_install_certificates()
        .install_id(install.id)
        .send()
        .await
        .unwrap()
        .into_inner()
        .certificates;
    assert_eq!(certs.len(), 3);
    assert_eq!(certs[2].cert_source, Some(CertSource::ThirdParty));
    let err = client
        .import_third_party_ssl_certificate()
        .install_id(install.id)
        .body_map(|b| {
            b.certificate("MIIB...")
                .private_key("-----BEGIN PRIVATE KEY-----")
        })
        .send()
        .await
        .unwrap_err();
    assert_field_error(&err, "certificate");
    assert_field_error(&err, "private_key");
    server.served_operations()
}

async fn backups_progress_over_time() -> Served {
    let (server, client) = demo().await;
    let install = install_named(&client, "torquemag").await;
    let backup = client
        .create_backup()
        .install_id(install.id)
        .body_map(|b| {
            b.description("Before deploy")
                .notification_emails(vec!["team@example.com".to_owned()])
        })
        .send()
        .await
        .unwrap();
    assert_eq!(backup.status().as_u16(), 202);
    assert_eq!(backup.status, BackupStatus::Requested);
    let id = backup.into_inner().id;
    let show = || {
        client
            .show_backup()
            .install_id(install.id)
            .backup_id(id.as_str())
            .send()
    };
    assert_eq!(show().await.unwrap().status, BackupStatus::Requested);
    let step = server.config().backup_step_delay;
    server.advance(step);
    assert_eq!(show().await.unwrap().status, BackupStatus::Initiated);
    server.advance(step);
    assert_eq!(show().await.unwrap().status, BackupStatus::Completed);

    let err = client
        .create_backup()
        .install_id(install.id)
        .body_map(|b| b.description("").notification_emails(vec![]))
        .send()
        .await
        .unwrap_err();
    assert_field_error(&err, "description");
    assert_field_error(&err, "notification_emails");
    let err = client
        .show_backup()
        .install_id(install.id)
        .backup_id(Uuid::from_u128(5))
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 404);
    // A backup belongs to its install.
    let other = install_named(&client, "demoshop").await;
    let err = client
        .show_backup()
        .install_id(other.id)
        .backup_id(id.as_str())
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 404);
    server.served_operations()
}

async fn cache_purges_and_rate_limit() -> Served {
    let (server, client) = demo().await;
    let install = install_named(&client, "torquemag").await;
    let install_id = install.id;
    // The stand-in's clients send every call once (`RetryPolicy::none()`), so
    // each 429 comes back as it is.
    let purge = |kind: PurgeCacheType| {
        let client = client.clone();
        async move {
            client
                .purge_cache()
                .install_id(install_id)
                .body_map(move |b| b.type_(kind))
                .send()
                .await
        }
    };
    assert_eq!(
        purge(PurgeCacheType::Page).await.unwrap().status().as_u16(),
        202
    );
    purge(PurgeCacheType::Object).await.unwrap();
    // Object cache: once per 60 s per install.
    let err = purge(PurgeCacheType::Object).await.unwrap_err();
    assert_eq!(status_of(&err), 429);
    assert_eq!(
        err.api_error().unwrap().message,
        "Object cache purges are rate-limited to one request every 60 seconds for each install"
    );
    assert_eq!(retry_after(&err), 60);
    // Other caches and other installs are not held back.
    purge(PurgeCacheType::Cdn).await.unwrap();
    let client = server.client();
    let staging = install_named(&client, "torquemagstg").await;
    client
        .purge_cache()
        .install_id(staging.id)
        .body_map(|b| b.type_(PurgeCacheType::Object))
        .send()
        .await
        .unwrap();

    server.advance(Duration::from_secs(45));
    let err = purge(PurgeCacheType::Object).await.unwrap_err();
    assert_eq!(retry_after(&err), 15);
    server.advance(Duration::from_secs(15));
    purge(PurgeCacheType::Object).await.unwrap();

    let kinds: Vec<PurgeCacheType> = server.cache_purges().iter().map(|p| p.kind).collect();
    assert_eq!(
        kinds,
        [
            PurgeCacheType::Page,
            PurgeCacheType::Object,
            PurgeCacheType::Cdn,
            PurgeCacheType::Object,
            PurgeCacheType::Object
        ]
    );
    // An unknown type: the client cannot send it, the server refuses it.
    let (status, body) = raw(
        &server,
        reqwest::Method::POST,
        &format!("/installs/{}/purge_cache", install.id),
        Some(r#"{"type":"everything"}"#),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(raw_fields(&body), ["type"]);
    server.served_operations()
}

// Keys and fingerprints made with `ssh-keygen`, fingerprints from `ssh-keygen -l -E md5`.
const ED25519_KEY: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIF3WN6aFABgyAkT/bXxt3ckDLWb1P+87C7yhsn9PfNsQ dev@example.com";
const ED25519_MD5: &str = "3b:2b:b1:d6:13:db:4b:fc:e3:e1:05:82:8a:72:a4:09";
const RSA_KEY: &str = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDjdqSMqWS6zY6EhU2Z0G0kCDO5c0Myj3DgwLYgskCeNmp4RXW4387NsUD4jzO7oBRZb08MYLyZgc9F6aFLc28Al6PEOxyAWC8Fej+mGXpXo8WPujWXkfQZQ3f734AGkmLkoqJJHBpZbIZk4OqWkUzJqMvEXcFkWnIRcky9YCLJ4w== rsa@example.com";
const RSA_MD5: &str = "30:02:44:a3:40:70:4c:f9:cb:11:67:00:41:e4:21:cf";

async fn ssh_keys() -> Served {
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
    server.served_operations()
}

async fn paging_through_250_installs() -> Served {
    let server = FakeServer::start(FakeConfig::with_seed(Seed::Installs(250))).await;
    let client = server.client();
    let base = server.base_url().to_owned();
    let account = client.list_accounts().send().await.unwrap().results[0].id;

    let mut names = Vec::new();
    let mut offset = 0u64;
    let mut pages = Vec::new();
    loop {
        let page = client
            .list_installs()
            .offset(offset)
            .send()
            .await
            .unwrap()
            .into_inner();
        assert_eq!(page.count, Some(250));
        names.extend(page.results.iter().map(|i| i.name.clone()));
        pages.push((page.results.len(), page.previous.clone(), page.next.clone()));
        match page.next {
            Some(next) => {
                offset = next.rsplit_once("offset=").unwrap().1.parse().unwrap();
            }
            None => break,
        }
    }
    assert_eq!(
        pages,
        [
            (
                100,
                None,
                Some(format!("{base}/installs?limit=100&offset=100"))
            ),
            (
                100,
                Some(format!("{base}/installs?limit=100&offset=0")),
                Some(format!("{base}/installs?limit=100&offset=200"))
            ),
            (
                50,
                Some(format!("{base}/installs?limit=100&offset=100")),
                None
            ),
        ]
    );
    let expected: Vec<String> = (0..250).map(|i| format!("i{i:07}")).collect();
    assert_eq!(names, expected, "every install once, in order");

    // The next URL can be fetched as is, and keeps the account filter.
    let page = client
        .list_installs()
        .account_id(account)
        .limit(30)
        .offset(240u64)
        .send()
        .await
        .unwrap();
    assert_eq!(page.results.len(), 10);
    assert_eq!(page.next, None);
    assert_eq!(
        page.previous.as_deref(),
        Some(format!("{base}/installs?account_id={account}&limit=30&offset=210").as_str())
    );
    let next = client
        .list_installs()
        .limit(7)
        .send()
        .await
        .unwrap()
        .into_inner()
        .next
        .unwrap();
    let raw_next = reqwest::Client::new()
        .get(&next)
        .basic_auth(DEMO_USER, Some(DEMO_PASSWORD))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(raw_next["results"][0]["name"], "i0000007");
    assert_eq!(raw_next["results"].as_array().unwrap().len(), 7);

    // Past the end: an empty page.
    let empty = client.list_installs().offset(1000u64).send().await.unwrap();
    assert!(empty.results.is_empty());
    assert_eq!(empty.count, Some(250));

    // limit above 100: the client refuses, and so does the server.
    let (status, body) = raw(&server, reqwest::Method::GET, "/installs?limit=101", None).await;
    assert_eq!(status, 400);
    assert_eq!(raw_fields(&body), ["limit"]);
    let (status, _) = raw(&server, reqwest::Method::GET, "/accounts?offset=-1", None).await;
    assert_eq!(status, 400);
    server.served_operations()
}

async fn malformed_requests() -> Served {
    let (server, client) = demo().await;
    let agency = account_named(&client, "demoagency").await;
    // Malformed JSON: 400 with a field error on the body.
    let (status, body) = raw(
        &server,
        reqwest::Method::POST,
        "/sites",
        Some("{\"name\": "),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(raw_fields(&body), ["body"]);
    assert!(body["message"].is_string());
    // Missing and invalid fields, all at once.
    let (status, body) = raw(
        &server,
        reqwest::Method::POST,
        "/installs",
        Some(&json!({ "name": "Bad-Name", "environment": "qa" }).to_string()),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(raw_fields(&body), ["name", "account_id", "environment"]);
    let (status, body) = raw(
        &server,
        reqwest::Method::POST,
        "/installs",
        Some(&json!({ "name": "waytoolongname123", "account_id": agency.id }).to_string()),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["errors"][0]["code"], "invalid_format");
    // Malformed or unknown IDs: 404.
    let (status, body) = raw(&server, reqwest::Method::GET, "/installs/not-a-uuid", None).await;
    assert_eq!(status, 404);
    assert_eq!(body["message"], "Not Found");
    let (status, _) = raw(&server, reqwest::Method::GET, "/nothing/here", None).await;
    assert_eq!(status, 404);
    let err = client
        .get_site()
        .site_id(Uuid::from_u128(1))
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 404);
    server.served_operations()
}

// ------------------------------------------------------------------ beyond the scenarios

#[tokio::test]
async fn a_hundred_thousand_installs_seed_and_page_quickly() {
    let started = std::time::Instant::now();
    let server = FakeServer::start(FakeConfig::with_seed(Seed::Installs(100_000))).await;
    let client = server.client();
    let last = client
        .list_installs()
        .offset(99_990u64)
        .send()
        .await
        .unwrap();
    assert_eq!(last.count, Some(100_000));
    assert_eq!(last.results.len(), 10);
    assert_eq!(last.results[9].name, "i0099999");
    let created = client
        .create_install()
        .body_map(|b| b.name("onemore").account_id(last.results[0].account.id))
        .send()
        .await
        .unwrap();
    client
        .get_install()
        .install_id(created.id)
        .send()
        .await
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn an_empty_seed_has_one_empty_account() {
    let server = FakeServer::start(FakeConfig::with_seed(Seed::Empty)).await;
    let client = server.client();
    let accounts = client.list_accounts().send().await.unwrap();
    assert_eq!(accounts.count, Some(1));
    assert_eq!(client.list_sites().send().await.unwrap().count, Some(0));
    assert_eq!(client.list_installs().send().await.unwrap().count, Some(0));
    assert_eq!(client.list_ssh_keys().send().await.unwrap().count, Some(0));
}

/// Every operationId of the spec, from the operation table the client is built with.
fn spec_operation_ids() -> BTreeSet<&'static str> {
    wpe_api::operations::OPERATIONS
        .iter()
        .map(|op| op.operation_id)
        .collect()
}

#[tokio::test]
async fn every_spec_operation_is_exercised() {
    let spec = spec_operation_ids();
    assert_eq!(spec.len(), 50, "the spec has 50 operations");
    let runs = futures::future::join_all(
        SCENARIOS
            .iter()
            .map(|(name, run)| async move { (*name, run().await) }),
    )
    .await;
    let mut covered: BTreeSet<&'static str> = BTreeSet::new();
    for (name, served) in &runs {
        println!(
            "{name}: {}",
            served.iter().copied().collect::<Vec<_>>().join(", ")
        );
        covered.extend(served);
    }
    let unknown: Vec<&str> = covered
        .iter()
        .copied()
        .filter(|op| !spec.contains(*op))
        .collect();
    assert!(
        unknown.is_empty(),
        "served operations not in the spec: {unknown:?}"
    );
    let missing: Vec<&str> = spec
        .iter()
        .copied()
        .filter(|op| !covered.contains(op))
        .collect();
    println!("covered {}/{}", spec.len() - missing.len(), spec.len());
    assert!(
        missing.is_empty(),
        "covered {}/{}; not exercised: {}",
        spec.len() - missing.len(),
        spec.len(),
        missing.join(", ")
    );
}
