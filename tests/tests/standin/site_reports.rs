//! Site reports: the section catalogue, the accounts' templates, report
//! schedules (create, list, change, delete, validation) and the reports a
//! schedule generates as the server's clock passes its due dates.

use std::time::Duration;

use chrono::{DateTime, Utc};
use wpe_api::fake::{OTHER_PASSWORD, OTHER_USER};
use wpe_api::types::{self, ReportFrequencyUnit};
use wpe_api::{Client, Credentials};

use crate::support::{
    account_named, assert_field_error, demo, raw, raw_fields, served, status_of, Served,
};

async fn site_named(client: &Client, name: &str) -> types::Site {
    let page = client.list_sites().send().await.unwrap();
    page.results
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("site {name}"))
        .clone()
}

fn recipient(email: &str) -> types::ReportRecipient {
    types::ReportRecipient {
        extra: Default::default(),
        name: None,
        email: email.to_owned(),
    }
}

fn section(name: &str) -> types::ReportSectionRef {
    types::ReportSectionRef {
        extra: Default::default(),
        name: Some(name.to_owned()),
    }
}

fn frequency(unit: &str, value: i64) -> Option<types::ReportFrequency> {
    Some(types::ReportFrequency {
        extra: Default::default(),
        unit: ReportFrequencyUnit::from(unit),
        value,
    })
}

fn section_names(sections: &[types::ReportSectionRef]) -> Vec<&str> {
    sections.iter().filter_map(|s| s.name.as_deref()).collect()
}

fn parse(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

async fn schedules_of(client: &Client, site: uuid::Uuid) -> Vec<types::SiteReportSchedule> {
    client
        .get_site_reports_schedules()
        .site_id(site)
        .send()
        .await
        .unwrap()
        .into_inner()
        .schedules
}

/// The catalogue, the templates of each account and the seeded reports and
/// schedule of Torque Magazine, readable out of the box; other users' sites
/// and accounts are invisible.
pub async fn reports_sections_and_templates() -> Served {
    let (server, client) = demo().await;
    let catalogue = client.get_site_reports_sections().send().await.unwrap();
    assert_eq!(catalogue.resource_type.as_deref(), Some("site"));
    let names: Vec<&str> = catalogue
        .sections
        .iter()
        .filter_map(|s| s.name.as_deref())
        .collect();
    for name in ["cover", "overview", "usage", "plugins", "themes"] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }
    let orders: Vec<i64> = catalogue.sections.iter().filter_map(|s| s.order).collect();
    assert!(orders.windows(2).all(|w| w[0] < w[1]), "{orders:?}");
    assert_eq!(catalogue.sections[0].mandatory, Some(true));
    assert!(catalogue
        .sections
        .iter()
        .all(|s| s.display_text.is_some() && s.group_display_text.is_some()));

    let agency = account_named(&client, "demoagency").await;
    let client_co = account_named(&client, "democlient").await;
    let sandbox = account_named(&client, "demosandbox").await;
    let templates = client
        .list_site_report_templates()
        .account_id(agency.id)
        .send()
        .await
        .unwrap();
    assert_eq!(templates.templates.len(), 2);
    let monthly = &templates.templates[0];
    assert_eq!(monthly.template_name.as_str(), "Agency monthly");
    assert_eq!(monthly.company_name.as_deref(), Some("Demo Agency"));
    assert!(section_names(&monthly.sections).starts_with(&["cover", "overview"]));
    let count = |id| {
        let client = client.clone();
        async move {
            client
                .list_site_report_templates()
                .account_id(id)
                .send()
                .await
                .unwrap()
                .templates
                .len()
        }
    };
    assert_eq!(count(client_co.id).await, 1);
    assert_eq!(count(sandbox.id).await, 0);

    let torque = site_named(&client, "Torque Magazine").await;
    let reports = client
        .get_site_reports()
        .site_id(torque.id)
        .send()
        .await
        .unwrap();
    assert_eq!(reports.reports.len(), 2);
    let (newer, older) = (&reports.reports[0], &reports.reports[1]);
    assert!(newer.created_at > older.created_at, "newest first");
    let range = newer.date_range.as_ref().unwrap();
    assert_eq!(range.start_date, older.created_at);
    assert_eq!(range.end_date, newer.created_at);
    assert_eq!(newer.recipients.len(), 2);
    assert!(newer.download_url.is_some());
    let schedules = schedules_of(&client, torque.id).await;
    assert_eq!(schedules.len(), 1);
    let seeded = &schedules[0];
    assert_eq!(seeded.template_uuid, Some(monthly.template_uuid));
    let branding = seeded.branding.as_ref().unwrap();
    assert_eq!(branding.brand_color, monthly.brand_color);
    let next = parse(seeded.next_scheduled_date.as_deref().unwrap());
    assert!(next > newer.created_at.unwrap());
    // Other sites have none.
    let shop = site_named(&client, "Demo Shop").await;
    let none = client
        .get_site_reports()
        .site_id(shop.id)
        .send()
        .await
        .unwrap();
    assert!(none.reports.is_empty());

    // The other user's site and account are not found; neither is a made-up site.
    let other = server.client_with(Credentials::new(OTHER_USER, OTHER_PASSWORD));
    let err = other
        .get_site_reports()
        .site_id(torque.id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 404);
    let err = other
        .get_site_reports_schedules()
        .site_id(torque.id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 404);
    let err = other
        .list_site_report_templates()
        .account_id(agency.id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 404);
    let err = client
        .get_site_reports()
        .site_id(uuid::Uuid::nil())
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 404);
    // The required query parameters.
    for (path, field) in [
        ("/site_reports", "site_id"),
        ("/site_reports/schedules?site_id=nope", "site_id"),
        ("/site_reports/templates", "account_id"),
    ] {
        let (status, body) = raw(&server, reqwest::Method::GET, path, None).await;
        assert_eq!(status, 400, "{path}");
        assert_eq!(raw_fields(&body), [field], "{path}");
    }
    served(&server)
}

/// A schedule is created (with defaults), found by listing, changed field by
/// field, and deleted.
pub async fn report_schedules_lifecycle() -> Served {
    let (server, client) = demo().await;
    let shop = site_named(&client, "Demo Shop").await;
    let agency = account_named(&client, "demoagency").await;
    let templates = client
        .list_site_report_templates()
        .account_id(agency.id)
        .send()
        .await
        .unwrap();
    let security = templates
        .templates
        .iter()
        .find(|t| t.template_name.as_str() == "Security review")
        .unwrap();

    let created = client
        .create_site_report_schedule()
        .body_map(|b| {
            b.site_id(shop.id)
                .title("Shop report")
                .recipients(vec![recipient("owner@example.com")])
        })
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    assert!(created.message.is_some());

    let listed = schedules_of(&client, shop.id).await;
    assert_eq!(listed.len(), 1);
    let schedule = &listed[0];
    let id = schedule.uuid.unwrap();
    assert_eq!(schedule.title.as_deref(), Some("Shop report"));
    // Defaults: monthly on the 1st, due at the next 1st, every section.
    let freq = schedule.frequency.as_ref().unwrap();
    assert_eq!(
        (freq.unit.clone(), freq.value),
        (ReportFrequencyUnit::Monthly, 1)
    );
    let next = parse(schedule.next_scheduled_date.as_deref().unwrap());
    assert_eq!(next.format("%d %H:%M:%S").to_string(), "01 00:00:00");
    let catalogue = client.get_site_reports_sections().send().await.unwrap();
    assert_eq!(schedule.sections.len(), catalogue.sections.len());
    assert_eq!(schedule.template_uuid, None);
    assert!(schedule.branding.is_none());
    assert_eq!(schedule.recipients[0].email, "owner@example.com");

    // Only the fields given change.
    let changed = client
        .update_site_report_schedule()
        .schedule_id(id)
        .body_map(|b| b.title(Some("Shop fortnightly".to_owned())))
        .send()
        .await
        .unwrap();
    assert!(changed.message.is_some());
    let after = &schedules_of(&client, shop.id).await[0];
    assert_eq!(after.title.as_deref(), Some("Shop fortnightly"));
    assert_eq!(after.next_scheduled_date, schedule.next_scheduled_date);
    assert_eq!(after.frequency.as_ref().unwrap().value, 1);
    assert_eq!(after.sections.len(), schedule.sections.len());

    client
        .update_site_report_schedule()
        .schedule_id(id)
        .body_map(|b| {
            b.frequency(frequency("DAYS", 14))
                .next_scheduled_date(Some("2999-03-01T08:30:00Z".to_owned()))
                .template_uuid(Some(security.template_uuid))
                .sections(vec![section("plugins"), section("usage")])
                .recipients(vec![
                    recipient("owner@example.com"),
                    types::ReportRecipient {
                        extra: Default::default(),
                        name: Some("Sam Ops".into()),
                        email: "sam@example.com".into(),
                    },
                ])
        })
        .send()
        .await
        .unwrap();
    let after = &schedules_of(&client, shop.id).await[0];
    assert_eq!(after.title.as_deref(), Some("Shop fortnightly"));
    let freq = after.frequency.as_ref().unwrap();
    assert_eq!(
        (freq.unit.clone(), freq.value),
        (ReportFrequencyUnit::Days, 14)
    );
    assert_eq!(
        after.next_scheduled_date.as_deref(),
        Some("2999-03-01T08:30:00Z")
    );
    assert_eq!(after.template_uuid, Some(security.template_uuid));
    assert_eq!(
        after.branding.as_ref().unwrap().company_name.as_deref(),
        Some("Demo Agency")
    );
    // The mandatory sections are kept, in catalogue order.
    assert_eq!(
        section_names(&after.sections),
        ["cover", "overview", "usage", "plugins"]
    );
    assert_eq!(after.recipients.len(), 2);
    assert_eq!(after.recipients[1].name.as_deref(), Some("Sam Ops"));

    // A second schedule from a template takes the template's sections.
    client
        .create_site_report_schedule()
        .body_map(|b| {
            b.site_id(shop.id)
                .title("Security")
                .recipients(vec![recipient("sec@example.com")])
                .template_uuid(Some(security.template_uuid))
                .frequency(frequency("MONTHLY", 31))
        })
        .send()
        .await
        .unwrap();
    let both = schedules_of(&client, shop.id).await;
    assert_eq!(both.len(), 2);
    assert_eq!(
        section_names(&both[1].sections),
        section_names(&security.sections)
    );

    let deleted = client
        .delete_site_report_schedule()
        .schedule_id(id)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status().as_u16(), 204);
    let left = schedules_of(&client, shop.id).await;
    assert_eq!(left.len(), 1);
    assert!(left.iter().all(|s| s.uuid != Some(id)));
    let err = client
        .delete_site_report_schedule()
        .schedule_id(id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 404);
    let err = client
        .update_site_report_schedule()
        .schedule_id(id)
        .body_map(|b| b.title(Some("Gone".to_owned())))
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 404);
    // Another user cannot touch the schedules of the demo user's sites.
    let other = server.client_with(Credentials::new(OTHER_USER, OTHER_PASSWORD));
    let err = other
        .delete_site_report_schedule()
        .schedule_id(left[0].uuid.unwrap())
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 404);
    served(&server)
}

/// Each rule of a schedule body is a 400 naming the field.
pub async fn report_schedule_validation() -> Served {
    let (server, client) = demo().await;
    let torque = site_named(&client, "Torque Magazine").await;
    let client_co = account_named(&client, "democlient").await;
    let foreign_template = client
        .list_site_report_templates()
        .account_id(client_co.id)
        .send()
        .await
        .unwrap()
        .templates[0]
        .template_uuid;

    let create = |edit: fn(
        types::builder::CreateSiteReportScheduleRequest,
    ) -> types::builder::CreateSiteReportScheduleRequest| {
        let client = client.clone();
        let site = torque.id;
        async move {
            client
                .create_site_report_schedule()
                .body_map(|b| {
                    edit(
                        b.site_id(site)
                            .title("Checked")
                            .recipients(vec![recipient("ok@example.com")]),
                    )
                })
                .send()
                .await
                .map(|_| ())
                .unwrap_err()
        }
    };
    let cases: [(_, &str); 10] = [
        (
            create(|b| b.frequency(frequency("DAYS", 10))).await,
            "frequency.value",
        ),
        (
            create(|b| b.frequency(frequency("MONTHLY", 0))).await,
            "frequency.value",
        ),
        (
            create(|b| b.frequency(frequency("MONTHLY", 32))).await,
            "frequency.value",
        ),
        (
            create(|b| b.frequency(frequency("WEEKLY", 1))).await,
            "frequency.unit",
        ),
        (
            create(|b| b.recipients(vec![recipient("ok@example.com"), recipient("not-an-email")]))
                .await,
            "recipients[1].email",
        ),
        (create(|b| b.title("  ")).await, "title"),
        (
            create(|b| b.sections(vec![section("usage"), section("horoscope")])).await,
            "sections[1].name",
        ),
        (
            create(|b| b.next_scheduled_date(Some("next tuesday".to_owned()))).await,
            "next_scheduled_date",
        ),
        (
            create(|b| b.next_scheduled_date(Some("2001-01-01T00:00:00Z".to_owned()))).await,
            "next_scheduled_date",
        ),
        (
            create(|b| b.template_uuid(Some(uuid::Uuid::nil()))).await,
            "template_uuid",
        ),
    ];
    for (err, field) in &cases {
        assert_field_error(err, field);
    }
    // A template of another account of the same user is not the site's.
    let err = client
        .create_site_report_schedule()
        .body_map(|b| {
            b.site_id(torque.id)
                .title("Checked")
                .recipients(vec![recipient("ok@example.com")])
                .template_uuid(Some(foreign_template))
        })
        .send()
        .await
        .unwrap_err();
    assert_field_error(&err, "template_uuid");
    // Recipients are required and not empty (the typed client leaves an empty list out).
    let site = torque.id;
    for body in [
        format!(r#"{{"site_id": "{site}", "title": "t"}}"#),
        format!(r#"{{"site_id": "{site}", "title": "t", "recipients": []}}"#),
        format!(r#"{{"site_id": "{site}", "title": "t", "recipients": [{{"name": "No Mail"}}]}}"#),
        format!(
            r#"{{"site_id": "{site}", "title": "t", "recipients": [{{"email": "a@example.com"}}], "frequency": {{"unit": "DAYS"}}}}"#
        ),
    ] {
        let (status, body) = raw(
            &server,
            reqwest::Method::POST,
            "/site_reports/schedules",
            Some(&body),
        )
        .await;
        assert_eq!(status, 400, "{body}");
        let fields = raw_fields(&body);
        assert!(
            fields
                .iter()
                .any(|f| f.starts_with("recipients") || f == "frequency.value"),
            "{fields:?}"
        );
    }
    // Several problems at once are all reported.
    let (status, body) = raw(
        &server,
        reqwest::Method::POST,
        "/site_reports/schedules",
        Some(&format!(
            r#"{{"site_id": "{site}", "title": "", "recipients": [{{"email": "x"}}], "frequency": {{"unit": "DAYS", "value": 3}}}}"#
        )),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        raw_fields(&body),
        ["title", "frequency.value", "recipients[0].email"]
    );
    // An unknown or invisible site is not found.
    let err = client
        .create_site_report_schedule()
        .body_map(|b| {
            b.site_id(uuid::Uuid::nil())
                .title("Nowhere")
                .recipients(vec![recipient("ok@example.com")])
        })
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 404);
    let other = server.client_with(Credentials::new(OTHER_USER, OTHER_PASSWORD));
    let err = other
        .create_site_report_schedule()
        .body_map(|b| {
            b.site_id(torque.id)
                .title("Not mine")
                .recipients(vec![recipient("ok@example.com")])
        })
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 404);

    // The same rules on a change; nothing changes when one fails.
    let seeded = schedules_of(&client, torque.id).await.remove(0);
    let id = seeded.uuid.unwrap();
    let err = client
        .update_site_report_schedule()
        .schedule_id(id)
        .body_map(|b| {
            b.title(Some("Renamed".to_owned()))
                .frequency(frequency("DAYS", 30))
        })
        .send()
        .await
        .unwrap_err();
    assert_field_error(&err, "frequency.value");
    let err = client
        .update_site_report_schedule()
        .schedule_id(id)
        .body_map(|b| b.template_uuid(Some(foreign_template)))
        .send()
        .await
        .unwrap_err();
    assert_field_error(&err, "template_uuid");
    let err = client
        .update_site_report_schedule()
        .schedule_id(id)
        .body_map(|b| b.recipients(vec![recipient("@example.com")]))
        .send()
        .await
        .unwrap_err();
    assert_field_error(&err, "recipients[0].email");
    let (status, body) = raw(
        &server,
        reqwest::Method::PATCH,
        &format!("/site_reports/schedules/{id}"),
        Some(r#"{"site_id": "00000000-0000-0000-0000-000000000000"}"#),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(raw_fields(&body), ["site_id"]);
    let after = schedules_of(&client, torque.id).await.remove(0);
    assert_eq!(after.title, seeded.title);
    assert_eq!(after.frequency.unwrap().value, 1);
    served(&server)
}

/// As the server's clock passes a schedule's due dates, each one generates a
/// report for the site, and the schedule moves on.
pub async fn due_schedules_generate_reports() -> Served {
    let (server, client) = demo().await;
    let shop = site_named(&client, "Demo Shop").await;
    client
        .create_site_report_schedule()
        .body_map(|b| {
            b.site_id(shop.id)
                .title("Weekly shop report")
                .recipients(vec![recipient("owner@example.com")])
                .frequency(frequency("DAYS", 7))
        })
        .send()
        .await
        .unwrap();
    let first = parse(
        schedules_of(&client, shop.id).await[0]
            .next_scheduled_date
            .as_deref()
            .unwrap(),
    );
    let none = client
        .get_site_reports()
        .site_id(shop.id)
        .send()
        .await
        .unwrap();
    assert!(none.reports.is_empty());

    // Fifteen days later the first two due dates have passed.
    server.advance(Duration::from_secs(15 * 24 * 3600));
    let reports = client
        .get_site_reports()
        .site_id(shop.id)
        .send()
        .await
        .unwrap()
        .into_inner()
        .reports;
    assert_eq!(reports.len(), 2);
    let week = chrono::Duration::days(7);
    assert_eq!(reports[1].created_at, Some(first));
    assert_eq!(reports[0].created_at, Some(first + week));
    let range = reports[0].date_range.as_ref().unwrap();
    assert_eq!(range.start_date, Some(first));
    assert_eq!(range.end_date, Some(first + week));
    assert_eq!(reports[0].title.as_deref(), Some("Weekly shop report"));
    assert_eq!(reports[0].recipients[0].email, "owner@example.com");
    assert_ne!(reports[0].uuid, reports[1].uuid);
    let next = schedules_of(&client, shop.id).await[0]
        .next_scheduled_date
        .clone()
        .unwrap();
    assert_eq!(parse(&next), first + week + week);
    // Reading again generates nothing new.
    let again = client
        .get_site_reports()
        .site_id(shop.id)
        .send()
        .await
        .unwrap();
    assert_eq!(again.reports.len(), 2);

    // Deleting the site takes its schedules and reports with it.
    client.delete_site().site_id(shop.id).send().await.unwrap();
    let err = client
        .get_site_reports()
        .site_id(shop.id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 404);
    served(&server)
}

/// The server's clock, as `status` tells it.
async fn server_now(client: &Client) -> DateTime<Utc> {
    parse(
        client
            .status()
            .send()
            .await
            .unwrap()
            .into_inner()
            .created_on
            .as_deref()
            .unwrap(),
    )
}

/// The time from the server's clock until `at`.
fn until(now: DateTime<Utc>, at: DateTime<Utc>) -> Duration {
    (at - now).to_std().unwrap()
}

/// The cadence WP Engine's reference states, on create, update and in the
/// listing: `MONTHLY` with a day of the month 1 to 31 (a day a month lacks
/// falls on its last day), or `DAYS` 7 or 14, on the weekday of
/// `next_scheduled_date`; other values are refused.
pub async fn report_schedule_cadence_follows_the_reference() -> Served {
    use chrono::{Datelike, NaiveDate, TimeZone};

    let (server, client) = demo().await;
    let shop = site_named(&client, "Demo Shop").await.id;
    let now = server_now(&client).await;
    let year = now.year() + 1;
    let at = |month: u32, day: u32| Utc.with_ymd_and_hms(year, month, day, 9, 0, 0).unwrap();
    let schedule = |title: &'static str, unit: &'static str, value: i64, next: DateTime<Utc>| {
        let client = client.clone();
        async move {
            client
                .create_site_report_schedule()
                .body_map(|b| {
                    b.site_id(shop)
                        .title(title)
                        .recipients(vec![recipient("owner@example.com")])
                        .frequency(frequency(unit, value))
                        .next_scheduled_date(Some(next.to_rfc3339()))
                })
                .send()
                .await
        }
    };
    for (unit, value) in [("DAYS", 10), ("DAYS", 30), ("MONTHLY", 0), ("MONTHLY", 32)] {
        let err = schedule("Refused", unit, value, at(1, 31))
            .await
            .unwrap_err();
        assert_field_error(&err, "frequency.value");
    }
    schedule("Month end", "MONTHLY", 31, at(1, 31))
        .await
        .unwrap();
    schedule("Fortnightly", "DAYS", 14, at(1, 6)).await.unwrap();

    // Into April: the 31st falls on February's last day.
    server.advance(until(now, at(4, 1)));
    let reports = client
        .get_site_reports()
        .site_id(shop)
        .send()
        .await
        .unwrap()
        .into_inner()
        .reports;
    let dates = |title: &str| report_dates(&reports, title);
    let february_end = NaiveDate::from_ymd_opt(year, 3, 1)
        .unwrap()
        .pred_opt()
        .unwrap();
    assert_eq!(
        dates("Month end"),
        [at(1, 31), at(2, february_end.day()), at(3, 31)]
    );
    let fortnightly = dates("Fortnightly");
    assert_eq!(fortnightly.len(), 7, "{fortnightly:?}");
    for (n, date) in fortnightly.iter().enumerate() {
        assert_eq!(*date, at(1, 6) + chrono::Duration::days(14 * n as i64));
        assert_eq!(date.weekday(), at(1, 6).weekday());
    }
    let listed = schedules_of(&client, shop).await;
    let next_of = |title: &str| {
        let found = listed
            .iter()
            .find(|s| s.title.as_deref() == Some(title))
            .unwrap();
        parse(found.next_scheduled_date.as_deref().unwrap())
    };
    assert_eq!(next_of("Month end"), at(4, 30));
    assert_eq!(
        next_of("Fortnightly"),
        at(1, 6) + chrono::Duration::days(98)
    );

    // A change follows the same rules: weekly from the 9th, on its weekday.
    let month_end = listed
        .iter()
        .find(|s| s.title.as_deref() == Some("Month end"))
        .unwrap()
        .uuid
        .unwrap();
    let change = |unit: &'static str, value: i64| {
        let client = client.clone();
        async move {
            client
                .update_site_report_schedule()
                .schedule_id(month_end)
                .body_map(|b| {
                    b.frequency(frequency(unit, value))
                        .next_scheduled_date(Some(at(4, 9).to_rfc3339()))
                })
                .send()
                .await
        }
    };
    assert_field_error(&change("DAYS", 3).await.unwrap_err(), "frequency.value");
    assert_field_error(&change("MONTHLY", 32).await.unwrap_err(), "frequency.value");
    change("DAYS", 7).await.unwrap();
    server.advance(until(at(4, 1), at(4, 24)));
    let reports = client
        .get_site_reports()
        .site_id(shop)
        .send()
        .await
        .unwrap()
        .into_inner()
        .reports;
    let mut weekly = report_dates(&reports, "Month end");
    weekly.retain(|d| *d > at(4, 1));
    assert_eq!(weekly, [at(4, 9), at(4, 16), at(4, 23)]);
    served(&server)
}

/// When the reports of a schedule titled `title` were made, oldest first.
fn report_dates(reports: &[types::SiteReport], title: &str) -> Vec<DateTime<Utc>> {
    let mut dates: Vec<DateTime<Utc>> = reports
        .iter()
        .filter(|r| r.title.as_deref() == Some(title))
        .filter_map(|r| r.created_at)
        .collect();
    dates.sort();
    dates
}

/// WP Engine's guide to scheduling site reports: a schedule needs the site's
/// production environment to have a custom domain connected for at least two
/// days, and a site has at most three active schedules.
pub async fn report_schedules_need_an_established_domain_and_at_most_three() -> Served {
    let (server, client) = demo().await;
    let agency = account_named(&client, "demoagency").await;
    let site = client
        .create_site()
        .body_map(|b| b.name("Reported").account_id(agency.id))
        .send()
        .await
        .unwrap()
        .into_inner()
        .id;
    let production = client
        .create_install()
        .body_map(|b| {
            b.name("reportedprod")
                .account_id(agency.id)
                .site_id(Some(site))
                .environment(types::Environment::Production)
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    let create = |title: &'static str| {
        let client = client.clone();
        async move {
            client
                .create_site_report_schedule()
                .body_map(|b| {
                    b.site_id(site)
                        .title(title)
                        .recipients(vec![recipient("owner@example.com")])
                })
                .send()
                .await
        }
    };
    let refused_for = |err: wpe_api::Error, code: &str| {
        assert_field_error(&err, "site_id");
        let codes: Vec<_> = err
            .field_errors()
            .iter()
            .filter_map(|e| e.code.clone())
            .collect();
        assert_eq!(codes, [code], "{err:?}");
    };

    // No domain yet.
    refused_for(create("First").await.unwrap_err(), "no_established_domain");
    // A domain connected just now is not enough.
    let domain = client
        .create_domain()
        .install_id(production.id)
        .body_map(|b| b.name("reported.example.com"))
        .send()
        .await
        .unwrap()
        .into_inner();
    server.publish_txt_record(
        "_wpe_verification.reported.example.com",
        domain.txt_verification_value.as_deref().unwrap(),
    );
    client
        .verify_domain_txt_record()
        .install_id(production.id)
        .domain_id(domain.id)
        .send()
        .await
        .unwrap();
    server.advance(Duration::from_secs(47 * 3600));
    let err = create("First").await.unwrap_err();
    refused_for(err, "no_established_domain");
    // Two days after: accepted, three times.
    server.advance(Duration::from_secs(3600));
    for title in ["First", "Second", "Third"] {
        assert_eq!(create(title).await.unwrap().status().as_u16(), 201);
    }
    let err = create("Fourth").await.unwrap_err();
    assert!(
        err.field_errors()[0]
            .message
            .as_deref()
            .unwrap()
            .contains("at most three"),
        "{err:?}"
    );
    refused_for(err, "too_many_schedules");
    // Deleting one makes room.
    let first = schedules_of(&client, site).await[0].uuid.unwrap();
    client
        .delete_site_report_schedule()
        .schedule_id(first)
        .send()
        .await
        .unwrap();
    create("Fourth").await.unwrap();
    assert_eq!(schedules_of(&client, site).await.len(), 3);
    served(&server)
}
