//! Usage metrics of accounts and installs, and disk-usage refreshes.

use crate::support::{
    account_named, assert_field_error, demo, install_named, raw, raw_fields, served, Served,
};

pub async fn usage_metrics_and_disk_refresh() -> Served {
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
    served(&server)
}
