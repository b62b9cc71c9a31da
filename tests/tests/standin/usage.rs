//! Usage metrics of accounts and installs, and disk-usage refreshes.

use crate::support::{
    account_named, assert_field_error, demo, install_named, raw, raw_fields, served, Served,
};

pub async fn usage_metrics_and_disk_refresh() -> Served {
    let (server, client) = demo().await;
    let agency = account_named(&client, "demoagency").await;
    let today = chrono::Utc::now().date_naive();
    let first = today - chrono::Duration::days(10);
    let last = first + chrono::Duration::days(2);
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
    // Most recent day first (upstream's `InstallDailyUsageMetricsSeries`).
    let days: Vec<String> = env
        .metrics
        .iter()
        .map(|m| m.date.clone().unwrap())
        .collect();
    let expected: Vec<String> = [last, first + chrono::Duration::days(1), first]
        .iter()
        .map(|d| d.format("%Y-%m-%d").to_string())
        .collect();
    assert_eq!(days, expected);
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
    // A second request while the first runs joins it: the expected time stays.
    server.advance(server.config().disk_usage_refresh_delay / 2);
    client
        .refresh_account_disk_usage()
        .account_id(agency.id)
        .send()
        .await
        .unwrap();
    let again = client
        .get_account_usage_metrics()
        .account_id(agency.id)
        .send()
        .await
        .unwrap();
    assert_eq!(again.account_storage_refresh_expected_time, Some(expected));
    server.advance(server.config().disk_usage_refresh_delay / 2);
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
    let install_expected = series.storage_refresh_expected_time.unwrap();
    assert_eq!(series.metrics.len(), 30, "the last 30 days by default");
    // Here too a second request joins the running one.
    server.advance(server.config().disk_usage_refresh_delay / 2);
    client
        .refresh_environment_disk_usage()
        .install_id(torquemag.id)
        .send()
        .await
        .unwrap();
    let again = client
        .get_install_usage_metrics()
        .install_id(torquemag.id)
        .send()
        .await
        .unwrap();
    assert_eq!(again.storage_refresh_expected_time, Some(install_expected));
    server.advance(server.config().disk_usage_refresh_delay / 2);
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

/// The date rules WP Engine's reference states for the usage operations:
/// no dates means the last 30 days, the two dates come both or neither,
/// `first_date` reaches at most 13 months back, and the summary and insights
/// cover at most 31 days (the daily metrics have no such cap).
pub async fn usage_dates_follow_the_documented_rules() -> Served {
    let (server, client) = demo().await;
    let agency = account_named(&client, "demoagency").await;
    let torquemag = install_named(&client, "torquemag").await;
    // The stand-in's calendar is the real one: take today from it, as a
    // user would, so a run near midnight does not straddle two days.
    let series = client
        .get_install_usage_metrics()
        .install_id(torquemag.id)
        .send()
        .await
        .unwrap();
    assert_eq!(series.metrics.len(), 30, "no dates: the last 30 days");
    let today =
        chrono::NaiveDate::parse_from_str(series.metrics[0].date.as_deref().unwrap(), "%Y-%m-%d")
            .unwrap();
    let first_default =
        chrono::NaiveDate::parse_from_str(series.metrics[29].date.as_deref().unwrap(), "%Y-%m-%d")
            .unwrap();
    assert_eq!(today - first_default, chrono::Duration::days(29));
    let summary = client
        .get_account_usage_summary()
        .account_id(agency.id)
        .send()
        .await
        .unwrap();
    let dated = client
        .get_account_usage_summary()
        .account_id(agency.id)
        .first_date(first_default)
        .last_date(today)
        .send()
        .await
        .unwrap();
    let sum = |rollup: &wpe_api::types::UsageMetricsRollup| {
        rollup.visit_count.as_ref().and_then(|v| v.sum.clone())
    };
    assert!(sum(&summary).is_some());
    assert_eq!(
        sum(&summary),
        sum(&dated),
        "the default period of the summary is the same 30 days"
    );

    let account_wide = client
        .get_account_usage_metrics()
        .account_id(agency.id)
        .send()
        .await
        .unwrap();
    for environment in &account_wide.environment_metrics {
        assert_eq!(environment.metrics.len(), 30, "no dates: the last 30 days");
    }
    let insights = client
        .get_account_usage_insights()
        .account_id(agency.id)
        .send()
        .await
        .unwrap();
    assert!(insights.visit_count.is_some());

    // Both or neither, for every usage operation.
    let week_ago = (today - chrono::Duration::days(7)).to_string();
    let alone = [
        format!("/accounts/{}/usage?first_date={week_ago}", agency.id),
        format!("/accounts/{}/usage/summary?last_date={today}", agency.id),
        format!(
            "/accounts/{}/usage/insights?first_date={week_ago}",
            agency.id
        ),
        format!("/installs/{}/usage?last_date={today}", torquemag.id),
    ];
    for path in alone {
        let (status, body) = raw(&server, reqwest::Method::GET, &path, None).await;
        assert_eq!(status, 400, "{path}: {body}");
        let missing = if path.contains("first_date") {
            "last_date"
        } else {
            "first_date"
        };
        assert_eq!(raw_fields(&body), [missing], "{path}");
        assert!(body.to_string().contains("give both"), "{body}");
    }

    // 31 days is the rollups' longest period; 32 is refused. The daily
    // metrics take a longer one.
    let first_31 = today - chrono::Duration::days(30);
    let first_32 = today - chrono::Duration::days(31);
    for insights in [false, true] {
        let send = |first: chrono::NaiveDate| {
            let client = &client;
            async move {
                if insights {
                    client
                        .get_account_usage_insights()
                        .account_id(agency.id)
                        .first_date(first)
                        .last_date(today)
                        .send()
                        .await
                        .map(drop)
                } else {
                    client
                        .get_account_usage_summary()
                        .account_id(agency.id)
                        .first_date(first)
                        .last_date(today)
                        .send()
                        .await
                        .map(drop)
                }
            }
        };
        send(first_31).await.unwrap();
        let err = send(first_32).await.unwrap_err();
        assert_field_error(&err, "last_date");
        assert!(err.to_string().contains("at most 31 days"), "{err}");
    }
    let long = client
        .get_install_usage_metrics()
        .install_id(torquemag.id)
        .first_date(today - chrono::Duration::days(89))
        .last_date(today)
        .send()
        .await
        .unwrap();
    assert_eq!(long.metrics.len(), 90);

    // 13 months back is the earliest first_date, for every usage operation.
    let earliest = today.checked_sub_months(chrono::Months::new(13)).unwrap();
    let too_early = earliest - chrono::Duration::days(1);
    let series = client
        .get_install_usage_metrics()
        .install_id(torquemag.id)
        .first_date(earliest)
        .last_date(earliest + chrono::Duration::days(1))
        .send()
        .await
        .unwrap();
    assert_eq!(series.metrics.len(), 2);
    for path in [
        format!("/accounts/{}/usage", agency.id),
        format!("/accounts/{}/usage/summary", agency.id),
        format!("/accounts/{}/usage/insights", agency.id),
        format!("/installs/{}/usage", torquemag.id),
    ] {
        let query = format!(
            "{path}?first_date={too_early}&last_date={}",
            too_early + chrono::Duration::days(1)
        );
        let (status, body) = raw(&server, reqwest::Method::GET, &query, None).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert_eq!(raw_fields(&body), ["first_date"], "{query}");
        assert!(body.to_string().contains("13 months"), "{body}");
    }
    served(&server)
}

/// The demo's `democlient` has never had its storage measured: its storage
/// figures (daily, rolled up, and when last measured) are null until a
/// disk-usage refresh finishes, and present from that day on; its traffic
/// is reported as usual.
pub async fn storage_never_measured_is_null_until_a_refresh() -> Served {
    let (server, client) = demo().await;
    let democlient = account_named(&client, "democlient").await;
    let usage = client
        .get_account_usage_metrics()
        .account_id(democlient.id)
        .send()
        .await
        .unwrap();
    assert_eq!(usage.last_account_storage_refresh_time, None);
    let today = chrono::NaiveDate::parse_from_str(
        usage.environment_metrics[0].metrics[0]
            .date
            .as_deref()
            .unwrap(),
        "%Y-%m-%d",
    )
    .unwrap();
    for environment in &usage.environment_metrics {
        for day in &environment.metrics {
            assert_eq!(day.storage_file_bytes, None);
            assert_eq!(day.storage_database_bytes, None);
            assert_eq!(day.storage_update_time, None);
            assert!(day.visit_count.is_some());
        }
    }
    let summary = client
        .get_account_usage_summary()
        .account_id(democlient.id)
        .send()
        .await
        .unwrap();
    let storage = summary.storage_file_bytes.as_ref().unwrap();
    assert!(storage.sum.is_none() && storage.latest.is_none());
    assert!(summary.visit_count.as_ref().unwrap().sum.is_some());

    client
        .refresh_account_disk_usage()
        .account_id(democlient.id)
        .send()
        .await
        .unwrap();
    server.advance(server.config().disk_usage_refresh_delay);
    let usage = client
        .get_account_usage_metrics()
        .account_id(democlient.id)
        .send()
        .await
        .unwrap();
    assert!(usage.last_account_storage_refresh_time.is_some());
    let latest_day = &usage.environment_metrics[0].metrics[0];
    assert!(latest_day.storage_file_bytes.is_some());
    assert!(latest_day.storage_update_time.is_some());
    let summary = client
        .get_account_usage_summary()
        .account_id(democlient.id)
        .send()
        .await
        .unwrap();
    let latest = summary
        .storage_file_bytes
        .as_ref()
        .and_then(|s| s.latest.as_ref())
        .expect("measured today");
    assert!(latest.value.as_deref().unwrap().parse::<u64>().unwrap() > 0);
    // The days before the refresh stay unmeasured.
    let yesterday = today.pred_opt().unwrap();
    let before = client
        .get_account_usage_summary()
        .account_id(democlient.id)
        .first_date(yesterday)
        .last_date(yesterday)
        .send()
        .await
        .unwrap();
    assert!(before.storage_file_bytes.as_ref().unwrap().latest.is_none());
    served(&server)
}
