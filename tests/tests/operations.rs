//! Every one of the 50 operations, over real HTTP against a recording server:
//! the documented response example deserializes into the generated type, and
//! the request the client builds has the right method, path, query and body.

use serde_json::{json, Value};
use uuid::Uuid;
use wpe_api::types::{self, BackupStatus, Environment, InstallStatus, PurgeCacheType};
use wpe_api::Client;
use wpe_api_tests::{fixture, Canned, RecordedRequest, RecordingServer, TEST_PASSWORD, TEST_USER};

const ACCOUNT: Uuid = uuid::uuid!("eeda3227-9a39-46ae-9e14-20958bb4e6c9");
const SITE: Uuid = uuid::uuid!("28c78b6d-c2da-4f09-85f5-1ad588089b2d");
const INSTALL: Uuid = uuid::uuid!("294deacc-d8b8-4005-82c4-0727ba8ddde0");
const DOMAIN: Uuid = uuid::uuid!("e41fa98f-ea80-4654-b229-a9b765d0863a");
const USER: Uuid = uuid::uuid!("28c78b6d-c2da-4f09-85f5-1ad588089b2d");
const BACKUP: Uuid = uuid::uuid!("28c78b6d-c2da-4f09-85f5-1ad588089b2d");
const REPORT: Uuid = uuid::uuid!("0b9e1f2a-7c3d-4e5f-8a9b-1c2d3e4f5a6b");
const SSH_KEY: Uuid = uuid::uuid!("e41fa98f-ea80-1f16-a7b7-d748bcc9e64d");

/// A server that answers the next request with `operation`'s fixture.
async fn serve_fixture(status: u16, operation: &str) -> (RecordingServer, Client) {
    let server = RecordingServer::start().await;
    server.respond(Canned::json(status, &fixture(operation)));
    let client = server.client();
    (server, client)
}

/// A server that answers the next request with `status` and no body.
async fn serve_empty(status: u16) -> (RecordingServer, Client) {
    let server = RecordingServer::start().await;
    server.respond(Canned::empty(status));
    let client = server.client();
    (server, client)
}

fn assert_request(
    req: &RecordedRequest,
    method: &str,
    path: &str,
    query: &[(&str, &str)],
    body: Value,
) {
    assert_eq!(req.method.as_str(), method, "method of {path}");
    assert_eq!(req.path, path);
    let expected: Vec<(String, String)> = query
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    assert_eq!(req.query, expected, "query of {method} {path}");
    assert_eq!(req.body, body, "body of {method} {path}");
    let auth = req
        .headers
        .get("authorization")
        .expect("Authorization header")
        .to_str()
        .unwrap();
    assert_eq!(
        auth,
        basic_auth(),
        "HTTP Basic credentials on {method} {path}"
    );
    let agent = req
        .headers
        .get("user-agent")
        .expect("User-Agent")
        .to_str()
        .unwrap();
    assert!(agent.starts_with("wpe-api/"), "user agent {agent}");
}

fn basic_auth() -> String {
    wpe_api_tests::basic_auth(TEST_USER, TEST_PASSWORD)
}

// ---- status

#[tokio::test]
async fn status_reports_api_health() {
    let (server, client) = serve_fixture(200, "status").await;
    let status = client.status().send().await.unwrap();
    assert_eq!(status.success, Some(true));
    assert_eq!(
        status.created_on.as_deref(),
        Some("2023-05-17T16:20:40+00:00")
    );
    assert_request(
        &server.single_request(),
        "GET",
        "/v1/status",
        &[],
        Value::Null,
    );
}

#[tokio::test]
async fn swagger_returns_the_document_as_json() {
    let (server, client) = serve_fixture(200, "swagger").await;
    let doc = client.swagger().send().await.unwrap().into_inner();
    assert_eq!(doc.get("swagger"), Some(&json!("2.0")));
    assert_request(
        &server.single_request(),
        "GET",
        "/v1/swagger",
        &[],
        Value::Null,
    );
}

// ---- accounts

#[tokio::test]
async fn list_accounts_sends_paging_and_reads_a_page() {
    let (server, client) = serve_fixture(200, "listAccounts").await;
    let page = client
        .list_accounts()
        .limit(100)
        .offset(100u64)
        .send()
        .await
        .unwrap();
    assert_eq!(page.count, Some(225));
    assert_eq!(page.results[0].id, ACCOUNT);
    assert_eq!(page.results[0].name, "joesaccount");
    assert_eq!(page.results[0].nickname, None, "nickname is optional");
    assert!(page.next.as_deref().unwrap().ends_with("offset=200"));
    assert_request(
        &server.single_request(),
        "GET",
        "/v1/accounts",
        &[("limit", "100"), ("offset", "100")],
        Value::Null,
    );
}

#[tokio::test]
async fn get_account_reads_one_account() {
    let (server, client) = serve_fixture(200, "getAccount").await;
    let account = client
        .get_account()
        .account_id(ACCOUNT)
        .send()
        .await
        .unwrap();
    assert_eq!(account.name, "joesaccount");
    assert_request(
        &server.single_request(),
        "GET",
        &format!("/v1/accounts/{ACCOUNT}"),
        &[],
        Value::Null,
    );
}

#[tokio::test]
async fn get_accounts_limits_reads_nullable_limits() {
    let (server, client) = serve_fixture(200, "getAccountsLimits").await;
    let limits = client
        .get_accounts_limits()
        .account_id(ACCOUNT)
        .send()
        .await
        .unwrap();
    assert_eq!(limits.visitors, Some(400000));
    assert_eq!(limits.bandwidth, None);
    assert_request(
        &server.single_request(),
        "GET",
        &format!("/v1/accounts/{ACCOUNT}/limits"),
        &[],
        Value::Null,
    );
}

// ---- usage

#[tokio::test]
async fn get_account_usage_metrics_sends_dates_and_token() {
    let (server, client) = serve_fixture(200, "getAccountUsageMetrics").await;
    let usage = client
        .get_account_usage_metrics()
        .account_id(ACCOUNT)
        .first_date(chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap())
        .last_date(chrono::NaiveDate::from_ymd_opt(2024, 1, 30).unwrap())
        .limit(500)
        .offset("tok-2")
        .send()
        .await
        .unwrap();
    assert_eq!(usage.total_size, Some(1));
    let env = &usage.environment_metrics[0];
    assert_eq!(env.environment_name.as_deref(), Some("torquemag"));
    assert_eq!(env.metrics[0].visit_count.as_deref(), Some("1200"));
    assert_eq!(
        env.metrics[0].traffic_metrics_source,
        Some(types::TrafficMetricsSource::Onhost)
    );
    assert!(usage.last_account_storage_refresh_time.is_some());
    assert_request(
        &server.single_request(),
        "GET",
        &format!("/v1/accounts/{ACCOUNT}/usage"),
        &[
            ("first_date", "2024-01-01"),
            ("last_date", "2024-01-30"),
            ("limit", "500"),
            ("offset", "tok-2"),
        ],
        Value::Null,
    );
}

#[tokio::test]
async fn refresh_account_disk_usage_posts_without_body() {
    let (server, client) = serve_empty(200).await;
    client
        .refresh_account_disk_usage()
        .account_id(ACCOUNT)
        .send()
        .await
        .unwrap();
    assert_request(
        &server.single_request(),
        "POST",
        &format!("/v1/accounts/{ACCOUNT}/usage/refresh_disk_usage"),
        &[],
        Value::Null,
    );
}

#[tokio::test]
async fn get_account_usage_summary_reads_rollups() {
    let (server, client) = serve_fixture(200, "getAccountUsageSummary").await;
    let summary = client
        .get_account_usage_summary()
        .account_id(ACCOUNT)
        .first_date(chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap())
        .send()
        .await
        .unwrap();
    let visits = summary.visit_count.as_ref().unwrap();
    assert_eq!(visits.sum.as_deref(), Some("36000"));
    assert_eq!(
        visits.latest.as_ref().unwrap().value.as_deref(),
        Some("1300")
    );
    assert_request(
        &server.single_request(),
        "GET",
        &format!("/v1/accounts/{ACCOUNT}/usage/summary"),
        &[("first_date", "2024-01-01")],
        Value::Null,
    );
}

#[tokio::test]
async fn get_account_usage_insights_reads_breakdowns() {
    let (server, client) = serve_fixture(200, "getAccountUsageInsights").await;
    let insights = client
        .get_account_usage_insights()
        .account_id(ACCOUNT)
        .send()
        .await
        .unwrap();
    let visits = insights.visit_count.as_ref().unwrap();
    assert_eq!(visits.total.as_deref(), Some("1000"));
    assert_eq!(visits.environment_types.as_ref().unwrap().development, None);
    assert_eq!(
        visits.site_types.as_ref().unwrap().transferable.as_deref(),
        Some("100")
    );
    assert_request(
        &server.single_request(),
        "GET",
        &format!("/v1/accounts/{ACCOUNT}/usage/insights"),
        &[],
        Value::Null,
    );
}

#[tokio::test]
async fn get_install_usage_metrics_reads_a_series() {
    let (server, client) = serve_fixture(200, "getInstallUsageMetrics").await;
    let series = client
        .get_install_usage_metrics()
        .install_id(INSTALL)
        .last_date(chrono::NaiveDate::from_ymd_opt(2024, 1, 30).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(series.install_name.as_deref(), Some("torquemag"));
    assert_eq!(series.metrics.len(), 1);
    assert!(series.storage_refresh_expected_time.is_some());
    assert_request(
        &server.single_request(),
        "GET",
        &format!("/v1/installs/{INSTALL}/usage"),
        &[("last_date", "2024-01-30")],
        Value::Null,
    );
}

#[tokio::test]
async fn refresh_environment_disk_usage_posts_without_body() {
    let (server, client) = serve_empty(200).await;
    client
        .refresh_environment_disk_usage()
        .install_id(INSTALL)
        .send()
        .await
        .unwrap();
    assert_request(
        &server.single_request(),
        "POST",
        &format!("/v1/installs/{INSTALL}/usage/refresh_disk_usage"),
        &[],
        Value::Null,
    );
}

// ---- account users

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
        .install_ids(vec![INSTALL.to_string()]);
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

// ---- sites

#[tokio::test]
async fn list_sites_filters_by_account() {
    let (server, client) = serve_fixture(200, "listSites").await;
    let page = client
        .list_sites()
        .account_id(ACCOUNT)
        .limit(10)
        .send()
        .await
        .unwrap();
    let site = &page.results[0];
    assert_eq!(site.name, "Torque Magazine");
    assert_eq!(site.installs[0].environment, Some(Environment::Production));
    assert_eq!(page.previous, None);
    assert_request(
        &server.single_request(),
        "GET",
        "/v1/sites",
        &[("account_id", &ACCOUNT.to_string()), ("limit", "10")],
        Value::Null,
    );
}

#[tokio::test]
async fn create_site_sends_name_and_account() {
    let (server, client) = serve_fixture(201, "createSite").await;
    let site = client
        .create_site()
        .body_map(|body| body.name("Torque Magazine").account_id(ACCOUNT))
        .send()
        .await
        .unwrap();
    assert_eq!(site.id, SITE);
    assert_eq!(site.account.id, ACCOUNT);
    assert_request(
        &server.single_request(),
        "POST",
        "/v1/sites",
        &[],
        json!({"name": "Torque Magazine", "account_id": ACCOUNT}),
    );
}

#[tokio::test]
async fn get_site_reads_one_site() {
    let (server, client) = serve_fixture(200, "getSite").await;
    let site = client.get_site().site_id(SITE).send().await.unwrap();
    assert_eq!(site.name, "Torque Magazine");
    assert!(site.installs.is_empty());
    assert_request(
        &server.single_request(),
        "GET",
        &format!("/v1/sites/{SITE}"),
        &[],
        Value::Null,
    );
}

#[tokio::test]
async fn update_site_patches_the_name() {
    let (server, client) = serve_fixture(200, "updateSite").await;
    let site = client
        .update_site()
        .site_id(SITE)
        .body_map(|body| body.name(Some("My New Name".to_owned())))
        .send()
        .await
        .unwrap();
    assert_eq!(site.name, "My New Name");
    assert_request(
        &server.single_request(),
        "PATCH",
        &format!("/v1/sites/{SITE}"),
        &[],
        json!({"name": "My New Name"}),
    );
}

#[tokio::test]
async fn delete_site_sends_delete() {
    let (server, client) = serve_empty(204).await;
    client.delete_site().site_id(SITE).send().await.unwrap();
    assert_request(
        &server.single_request(),
        "DELETE",
        &format!("/v1/sites/{SITE}"),
        &[],
        Value::Null,
    );
}

// ---- installs

#[tokio::test]
async fn list_installs_reads_typed_installs() {
    let (server, client) = serve_fixture(200, "listInstalls").await;
    let page = client
        .list_installs()
        .account_id(ACCOUNT)
        .offset(100u64)
        .send()
        .await
        .unwrap();
    let install = &page.results[0];
    assert_eq!(install.name, "torquemag");
    assert_eq!(install.status, Some(InstallStatus::Active));
    assert_eq!(install.environment, Some(Environment::Production));
    assert_eq!(install.site.as_ref().unwrap().id, SITE);
    assert_eq!(install.stable_ips, None);
    assert!(install.created_at.is_some());
    assert_request(
        &server.single_request(),
        "GET",
        "/v1/installs",
        &[("account_id", &ACCOUNT.to_string()), ("offset", "100")],
        Value::Null,
    );
}

#[tokio::test]
async fn create_install_sends_a_valid_name() {
    let (server, client) = serve_fixture(201, "createInstall").await;
    let install = client
        .create_install()
        .body_map(|body| {
            body.name("torquemag")
                .account_id(ACCOUNT)
                .site_id(Some(SITE))
                .environment(Environment::Staging)
        })
        .send()
        .await
        .unwrap();
    assert_eq!(install.status, Some(InstallStatus::Pending));
    assert_request(
        &server.single_request(),
        "POST",
        "/v1/installs",
        &[],
        json!({"name": "torquemag", "account_id": ACCOUNT, "site_id": SITE, "environment": "staging"}),
    );
}

#[tokio::test]
async fn get_install_reads_one_install() {
    let (server, client) = serve_fixture(200, "getInstall").await;
    let install = client
        .get_install()
        .install_id(INSTALL)
        .send()
        .await
        .unwrap();
    assert_eq!(install.environment, Some(Environment::Staging));
    assert_request(
        &server.single_request(),
        "GET",
        &format!("/v1/installs/{INSTALL}"),
        &[],
        Value::Null,
    );
}

#[tokio::test]
async fn update_install_patches_site_and_environment() {
    let (server, client) = serve_fixture(200, "updateInstall").await;
    let install = client
        .update_install()
        .install_id(INSTALL)
        .body_map(|body| {
            body.site_id(Some(SITE))
                .environment(Environment::Development)
        })
        .send()
        .await
        .unwrap();
    assert_eq!(install.php_version, None, "absent in the docs' example");
    assert_eq!(install.environment, Some(Environment::Development));
    assert_request(
        &server.single_request(),
        "PATCH",
        &format!("/v1/installs/{INSTALL}"),
        &[],
        json!({"site_id": SITE, "environment": "development"}),
    );
}

#[tokio::test]
async fn delete_install_sends_delete() {
    let (server, client) = serve_empty(204).await;
    client
        .delete_install()
        .install_id(INSTALL)
        .send()
        .await
        .unwrap();
    assert_request(
        &server.single_request(),
        "DELETE",
        &format!("/v1/installs/{INSTALL}"),
        &[],
        Value::Null,
    );
}

#[tokio::test]
async fn copy_install_sends_source_destination_and_options() {
    let (server, client) = serve_empty(202).await;
    let destination = Uuid::from_u128(7);
    let options = types::CopyOptions::try_from(
        types::CopyOptions::builder()
            .include_files(Some(true))
            .include_db(Some(false)),
    )
    .unwrap();
    client
        .copy_install()
        .body_map(|body| {
            body.source_environment_id(INSTALL)
                .destination_environment_id(destination)
                .notification_emails(vec!["ops@example.com".to_owned()])
                .custom_options(Some(options))
        })
        .send()
        .await
        .unwrap();
    assert_request(
        &server.single_request(),
        "POST",
        "/v1/install_copy",
        &[],
        json!({"source_environment_id": INSTALL, "destination_environment_id": destination, "notification_emails": ["ops@example.com"], "custom_options": {"include_files": true, "include_db": false}}),
    );
}

// ---- offload settings

#[tokio::test]
async fn get_large_fs_validation_file_reads_name_and_content() {
    let (server, client) = serve_fixture(200, "getLargeFSValidationFile").await;
    let file = client
        .get_large_fs_validation_file()
        .install_id(INSTALL)
        .send()
        .await
        .unwrap();
    assert_eq!(file.name.as_deref(), Some("wpe-largefs-validation.txt"));
    assert_eq!(file.content.as_deref(), Some("3f1c9a2b"));
    assert_request(
        &server.single_request(),
        "GET",
        &format!("/v1/installs/{INSTALL}/offload_settings/largefs_validation_file"),
        &[],
        Value::Null,
    );
}

#[tokio::test]
async fn get_offload_settings_reads_typed_settings() {
    let (server, client) = serve_fixture(200, "getOffloadSettings").await;
    let config = client
        .get_offload_settings()
        .install_id(INSTALL)
        .send()
        .await
        .unwrap()
        .into_inner();
    let settings = config.largefs_settings.unwrap();
    assert_eq!(settings.cloud, Some(types::OffloadCloud::S3));
    assert_eq!(
        settings.path_settings[0].redirect_type,
        Some(types::OffloadRedirectType::Permanent)
    );
    assert_request(
        &server.single_request(),
        "GET",
        &format!("/v1/installs/{INSTALL}/offload_settings/files"),
        &[],
        Value::Null,
    );
}

fn offload_config() -> types::LargeFsConfig {
    serde_json::from_value(fixture("getOffloadSettings")).unwrap()
}

#[tokio::test]
async fn update_offload_settings_posts_the_config() {
    let (server, client) = serve_empty(202).await;
    client
        .update_offload_settings()
        .install_id(INSTALL)
        .body(offload_config())
        .send()
        .await
        .unwrap();
    assert_request(
        &server.single_request(),
        "POST",
        &format!("/v1/installs/{INSTALL}/offload_settings/files"),
        &[],
        fixture("getOffloadSettings"),
    );
}

#[tokio::test]
async fn patch_offload_settings_patches_the_config() {
    let (server, client) = serve_empty(202).await;
    client
        .patch_offload_settings()
        .install_id(INSTALL)
        .body(offload_config())
        .send()
        .await
        .unwrap();
    assert_request(
        &server.single_request(),
        "PATCH",
        &format!("/v1/installs/{INSTALL}/offload_settings/files"),
        &[],
        fixture("getOffloadSettings"),
    );
}

// ---- domains

#[tokio::test]
async fn list_domains_reads_domains_and_redirects() {
    let (server, client) = serve_fixture(200, "listDomains").await;
    let page = client
        .list_domains()
        .install_id(INSTALL)
        .limit(2)
        .send()
        .await
        .unwrap();
    assert_eq!(page.count, Some(2));
    assert!(page.results[0].primary);
    assert_eq!(
        page.results[1].redirects_to[0].name.as_deref(),
        Some("example.com")
    );
    assert_request(
        &server.single_request(),
        "GET",
        &format!("/v1/installs/{INSTALL}/domains"),
        &[("limit", "2")],
        Value::Null,
    );
}

#[tokio::test]
async fn create_domain_sends_name_and_primary() {
    let (server, client) = serve_fixture(201, "createDomain").await;
    let domain = client
        .create_domain()
        .install_id(INSTALL)
        .body_map(|body| body.name("example.com").primary(Some(true)))
        .send()
        .await
        .unwrap();
    assert_eq!(domain.id, DOMAIN.to_string());
    assert_eq!(domain.secure_all_urls, None);
    assert_request(
        &server.single_request(),
        "POST",
        &format!("/v1/installs/{INSTALL}/domains"),
        &[],
        json!({"name": "example.com", "primary": true}),
    );
}

#[tokio::test]
async fn create_bulk_domains_sends_the_list_and_reads_the_envelope() {
    let (server, client) = serve_fixture(201, "createBulkDomains").await;
    let domains = vec![
        types::BulkDomain {
            name: "example.com".into(),
            redirect_to: None,
        },
        types::BulkDomain {
            name: "www.example.com".into(),
            redirect_to: Some("example.com".into()),
        },
    ];
    let created = client
        .create_bulk_domains()
        .install_id(INSTALL)
        .body_map(|body| body.domains(domains))
        .send()
        .await
        .unwrap();
    assert_eq!(created.domains.len(), 2);
    assert_eq!(
        created.domains[1].id, "f52gb98f-ea80-4654-b229-a9b765d0863b",
        "non-UUID ids from the docs are accepted"
    );
    assert_eq!(
        created.domains[1]
            .redirects_to
            .as_ref()
            .unwrap()
            .name
            .as_deref(),
        Some("example.com")
    );
    assert_request(
        &server.single_request(),
        "POST",
        &format!("/v1/installs/{INSTALL}/domains/bulk"),
        &[],
        json!({"domains": [{"name": "example.com"}, {"name": "www.example.com", "redirect_to": "example.com"}]}),
    );
}

#[tokio::test]
async fn get_domain_reads_network_details() {
    let (server, client) = serve_fixture(200, "getDomain").await;
    let domain = client
        .get_domain()
        .install_id(INSTALL)
        .domain_id(DOMAIN)
        .send()
        .await
        .unwrap();
    let details = domain.network_details.as_ref().unwrap();
    assert_eq!(
        details.dns_config_info.as_ref().unwrap().a_records,
        vec!["141.193.213.10".to_owned()]
    );
    assert_eq!(domain.secure_all_urls, Some(true));
    assert_request(
        &server.single_request(),
        "GET",
        &format!("/v1/installs/{INSTALL}/domains/{DOMAIN}"),
        &[],
        Value::Null,
    );
}

#[tokio::test]
async fn update_domain_patches_flags() {
    let (server, client) = serve_fixture(200, "updateDomain").await;
    let target = "6977805b-1f65-4a5d-8d36-6fe609a4d9f3";
    let domain = client
        .update_domain()
        .install_id(INSTALL)
        .domain_id(DOMAIN)
        .body_map(|body| {
            body.primary(Some(true))
                .redirect_to(Some(target.to_owned()))
        })
        .send()
        .await
        .unwrap();
    assert!(domain.primary);
    assert_request(
        &server.single_request(),
        "PATCH",
        &format!("/v1/installs/{INSTALL}/domains/{DOMAIN}"),
        &[],
        json!({"primary": true, "redirect_to": target}),
    );
}

#[tokio::test]
async fn delete_domain_sends_delete() {
    let (server, client) = serve_empty(204).await;
    client
        .delete_domain()
        .install_id(INSTALL)
        .domain_id(DOMAIN)
        .send()
        .await
        .unwrap();
    assert_request(
        &server.single_request(),
        "DELETE",
        &format!("/v1/installs/{INSTALL}/domains/{DOMAIN}"),
        &[],
        Value::Null,
    );
}

#[tokio::test]
async fn check_status_returns_a_report_id() {
    let (server, client) = serve_fixture(202, "checkStatus").await;
    let report = client
        .check_status()
        .install_id(INSTALL)
        .domain_id(DOMAIN)
        .send()
        .await
        .unwrap();
    assert_eq!(report.report_id, REPORT);
    assert_request(
        &server.single_request(),
        "POST",
        &format!("/v1/installs/{INSTALL}/domains/{DOMAIN}/check_status"),
        &[],
        Value::Null,
    );
}

#[tokio::test]
async fn get_domain_report_status_reads_dns_findings() {
    let (server, client) = serve_fixture(200, "getDomainReportStatus").await;
    let status = client
        .get_domain_report_status()
        .install_id(INSTALL)
        .report_id(REPORT)
        .send()
        .await
        .unwrap();
    let report = status.into_inner().report.unwrap();
    assert_eq!(report.complete, Some(true));
    let domain = &report.domains[0];
    assert_eq!(domain.mx[0].host.as_deref(), Some("mx.example.net"));
    assert_eq!(domain.soa[0].minttl, Some(300));
    assert_eq!(domain.ssl.as_ref().unwrap().issuer.as_deref(), Some("R3"));
    assert_request(
        &server.single_request(),
        "GET",
        &format!("/v1/installs/{INSTALL}/domains/check_status/{REPORT}"),
        &[],
        Value::Null,
    );
}

// ---- certificates

#[tokio::test]
async fn get_install_certificates_reads_typed_certificates() {
    let (server, client) = serve_fixture(200, "getInstallCertificates").await;
    let certs = client
        .get_install_certificates()
        .install_id(INSTALL)
        .limit(5)
        .offset(0u64)
        .send()
        .await
        .unwrap();
    let cert = &certs.certificates[0];
    assert_eq!(cert.cert_source, Some(types::CertSource::LetsEncrypt));
    assert_eq!(cert.status, Some(types::CertificateStatus::Enabled));
    assert_eq!(cert.domains.len(), 2);
    assert_request(
        &server.single_request(),
        "GET",
        &format!("/v1/installs/{INSTALL}/ssl_certificates"),
        &[("limit", "5"), ("offset", "0")],
        Value::Null,
    );
}

#[tokio::test]
async fn get_domain_certificate_reads_the_certificate() {
    let (server, client) = serve_fixture(200, "getDomainCertificate").await;
    let cert = client
        .get_domain_certificate()
        .install_id(INSTALL)
        .domain_id(DOMAIN)
        .send()
        .await
        .unwrap();
    assert_eq!(cert.certificate.as_ref().unwrap().id, Some(1234));
    assert_eq!(cert.criteria.as_deref(), Some("exact match"));
    assert_request(
        &server.single_request(),
        "GET",
        &format!("/v1/installs/{INSTALL}/domains/{DOMAIN}/ssl_certificate"),
        &[],
        Value::Null,
    );
}

#[tokio::test]
async fn create_domain_certificate_order_sends_the_contact() {
    let (server, client) = serve_empty(202).await;
    client
        .create_domain_certificate_order()
        .install_id(INSTALL)
        .domain_id(DOMAIN)
        .body_map(|body| {
            body.email_address("joe@example.com")
                .given_name("Joe")
                .family_name("Smith")
                .region_code("US")
        })
        .send()
        .await
        .unwrap();
    assert_request(
        &server.single_request(),
        "POST",
        &format!("/v1/installs/{INSTALL}/domains/{DOMAIN}/ssl_certificate"),
        &[],
        json!({"email_address": "joe@example.com", "given_name": "Joe", "family_name": "Smith", "region_code": "US"}),
    );
}

#[tokio::test]
async fn import_third_party_ssl_certificate_sends_pem() {
    let (server, client) = serve_fixture(200, "importThirdPartySSLCertificate").await;
    let pem = fixture("importThirdPartySSLCertificate");
    let imported = client
        .import_third_party_ssl_certificate()
        .install_id(INSTALL)
        .body_map(|body| {
            body.certificate(pem["certificate"].as_str().unwrap())
                .private_key(pem["private_key"].as_str().unwrap())
        })
        .send()
        .await
        .unwrap();
    assert!(imported
        .certificate
        .starts_with("-----BEGIN CERTIFICATE-----"));
    assert_request(
        &server.single_request(),
        "POST",
        &format!("/v1/installs/{INSTALL}/ssl_certificates/third_party"),
        &[],
        pem,
    );
}

// ---- backups and cache

#[tokio::test]
async fn create_backup_sends_description_and_emails() {
    let (server, client) = serve_fixture(202, "createBackup").await;
    let backup = client
        .create_backup()
        .install_id(INSTALL)
        .body_map(|body| {
            body.description("Before deploy")
                .notification_emails(vec!["team@example.com".to_owned()])
        })
        .send()
        .await
        .unwrap();
    assert_eq!(backup.status, BackupStatus::Requested);
    assert_request(
        &server.single_request(),
        "POST",
        &format!("/v1/installs/{INSTALL}/backups"),
        &[],
        json!({"description": "Before deploy", "notification_emails": ["team@example.com"]}),
    );
}

#[tokio::test]
async fn show_backup_reads_progress() {
    let (server, client) = serve_fixture(200, "showBackup").await;
    let backup = client
        .show_backup()
        .install_id(INSTALL)
        .backup_id(BACKUP)
        .send()
        .await
        .unwrap();
    assert_eq!(backup.status, BackupStatus::Completed);
    assert_request(
        &server.single_request(),
        "GET",
        &format!("/v1/installs/{INSTALL}/backups/{BACKUP}"),
        &[],
        Value::Null,
    );
}

#[tokio::test]
async fn purge_cache_sends_the_cache_type() {
    let (server, client) = serve_empty(202).await;
    client
        .purge_cache()
        .install_id(INSTALL)
        .body_map(|body| body.type_(PurgeCacheType::All))
        .send()
        .await
        .unwrap();
    assert_request(
        &server.single_request(),
        "POST",
        &format!("/v1/installs/{INSTALL}/purge_cache"),
        &[],
        json!({"type": "all"}),
    );
}

// ---- user and SSH keys

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
