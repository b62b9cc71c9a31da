//! Usage metrics, summaries and insights of accounts and installs, and disk-usage refreshes.

use serde_json::Value;
use wpe_api::types;

use crate::support::{assert_request, serve_empty, serve_fixture, ACCOUNT, INSTALL};

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
