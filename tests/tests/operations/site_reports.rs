//! Site reports: generated reports, the section catalogue, report schedules
//! (list, create, change, delete) and report templates.

use serde_json::{json, Value};
use uuid::Uuid;
use wpe_api::types::{self, ReportFrequencyUnit};

use crate::support::{assert_request, serve_empty, serve_fixture, ACCOUNT, SITE};

const SCHEDULE: Uuid = uuid::uuid!("a3c1e5f7-2b4d-4f68-8a0c-1e3f5a7b9c2d");
const TEMPLATE: Uuid = uuid::uuid!("7f2e9d4c-6b1a-4e3f-a5d8-0c9b8a7f6e5d");

fn recipient(name: Option<&str>, email: &str) -> types::ReportRecipient {
    types::ReportRecipient {
        extra: Default::default(),
        name: name.map(str::to_owned),
        email: email.to_owned(),
    }
}

fn section(name: &str) -> types::ReportSectionRef {
    types::ReportSectionRef {
        extra: Default::default(),
        name: Some(name.to_owned()),
    }
}

#[tokio::test]
async fn get_site_reports_asks_by_site() {
    let (server, client) = serve_fixture(200, "getSiteReports").await;
    let list = client
        .get_site_reports()
        .site_id(SITE)
        .send()
        .await
        .unwrap();
    let report = &list.reports[0];
    assert_eq!(
        report.uuid,
        Some(uuid::uuid!("5d0c8a1e-3b7f-4c2a-9e61-2f4b8d7c6a10"))
    );
    let range = report.date_range.as_ref().unwrap();
    assert!(range.start_date.unwrap() < range.end_date.unwrap());
    assert_eq!(report.created_at, range.end_date);
    assert_eq!(report.recipients.len(), 2);
    assert_eq!(report.recipients[1].name, None);
    assert!(report.download_url.as_deref().unwrap().ends_with(".pdf"));
    assert_request(
        &server.single_request(),
        "GET",
        "/v1/site_reports",
        &[("site_id", &SITE.to_string())],
        Value::Null,
    );
}

#[tokio::test]
async fn get_site_reports_sections_reads_the_catalogue() {
    let (server, client) = serve_fixture(200, "getSiteReportsSections").await;
    let catalogue = client.get_site_reports_sections().send().await.unwrap();
    assert_eq!(catalogue.resource_type.as_deref(), Some("site"));
    let cover = &catalogue.sections[0];
    assert_eq!(cover.name.as_deref(), Some("cover"));
    assert_eq!(cover.order, Some(1));
    assert_eq!(cover.mandatory, Some(true));
    assert_eq!(catalogue.sections[1].mandatory, Some(false));
    assert_request(
        &server.single_request(),
        "GET",
        "/v1/site_reports/sections",
        &[],
        Value::Null,
    );
}

#[tokio::test]
async fn get_site_reports_schedules_keeps_an_unknown_frequency_unit() {
    let (server, client) = serve_fixture(200, "getSiteReportsSchedules").await;
    let list = client
        .get_site_reports_schedules()
        .site_id(SITE)
        .send()
        .await
        .unwrap();
    let monthly = &list.schedules[0];
    assert_eq!(monthly.uuid, Some(SCHEDULE));
    let frequency = monthly.frequency.as_ref().unwrap();
    assert_eq!(frequency.unit, ReportFrequencyUnit::Monthly);
    assert_eq!(frequency.value, 1);
    assert_eq!(monthly.template_uuid, Some(TEMPLATE));
    let branding = monthly.branding.as_ref().unwrap();
    assert_eq!(branding.company_name.as_deref(), Some("Demo Agency"));
    // A unit this crate does not know decodes and is kept as sent.
    let weekly = list.schedules[1].frequency.as_ref().unwrap();
    assert_eq!(weekly.unit, ReportFrequencyUnit::Other("WEEKLY".into()));
    assert!(!weekly.unit.is_known());
    assert!(list.schedules[1].branding.is_none());
    assert_request(
        &server.single_request(),
        "GET",
        "/v1/site_reports/schedules",
        &[("site_id", &SITE.to_string())],
        Value::Null,
    );
}

#[tokio::test]
async fn create_site_report_schedule_sends_the_schedule() {
    let (server, client) = serve_fixture(201, "createSiteReportSchedule").await;
    let created = client
        .create_site_report_schedule()
        .body_map(|b| {
            b.site_id(SITE)
                .title("Weekly digest")
                .recipients(vec![
                    recipient(Some("Jane Editor"), "jane@example.com"),
                    recipient(None, "ops@example.com"),
                ])
                .frequency(Some(types::ReportFrequency {
                    extra: Default::default(),
                    unit: ReportFrequencyUnit::Days,
                    value: 7,
                }))
                .next_scheduled_date(Some("2030-01-07T09:00:00Z".to_owned()))
                .template_uuid(Some(TEMPLATE))
                .sections(vec![section("usage"), section("plugins")])
        })
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    assert_eq!(
        created.message.as_deref(),
        Some("The report schedule was created.")
    );
    assert_request(
        &server.single_request(),
        "POST",
        "/v1/site_reports/schedules",
        &[],
        json!({
            "site_id": SITE,
            "title": "Weekly digest",
            "recipients": [
                {"name": "Jane Editor", "email": "jane@example.com"},
                {"email": "ops@example.com"},
            ],
            "frequency": {"unit": "DAYS", "value": 7},
            "next_scheduled_date": "2030-01-07T09:00:00Z",
            "template_uuid": TEMPLATE,
            "sections": [{"name": "usage"}, {"name": "plugins"}],
        }),
    );
}

#[tokio::test]
async fn update_site_report_schedule_sends_only_the_fields_given() {
    let (server, client) = serve_fixture(200, "updateSiteReportSchedule").await;
    let changed = client
        .update_site_report_schedule()
        .schedule_id(SCHEDULE)
        .body_map(|b| {
            b.title(Some("Fortnightly digest".to_owned()))
                .frequency(Some(types::ReportFrequency {
                    extra: Default::default(),
                    unit: ReportFrequencyUnit::Days,
                    value: 14,
                }))
        })
        .send()
        .await
        .unwrap();
    assert_eq!(
        changed.message.as_deref(),
        Some("The report schedule was changed.")
    );
    assert_request(
        &server.single_request(),
        "PATCH",
        &format!("/v1/site_reports/schedules/{SCHEDULE}"),
        &[],
        json!({
            "title": "Fortnightly digest",
            "frequency": {"unit": "DAYS", "value": 14},
        }),
    );
}

#[tokio::test]
async fn delete_site_report_schedule_sends_delete() {
    let (server, client) = serve_empty(204).await;
    let deleted = client
        .delete_site_report_schedule()
        .schedule_id(SCHEDULE)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status().as_u16(), 204);
    assert_request(
        &server.single_request(),
        "DELETE",
        &format!("/v1/site_reports/schedules/{SCHEDULE}"),
        &[],
        Value::Null,
    );
}

#[tokio::test]
async fn list_site_report_templates_asks_by_account() {
    let (server, client) = serve_fixture(200, "listSiteReportTemplates").await;
    let list = client
        .list_site_report_templates()
        .account_id(ACCOUNT)
        .send()
        .await
        .unwrap();
    let template = &list.templates[0];
    assert_eq!(template.template_uuid, TEMPLATE);
    assert_eq!(template.template_name.as_str(), "Agency monthly");
    assert_eq!(template.brand_color.as_deref(), Some("#1f6feb"));
    let names: Vec<_> = template
        .sections
        .iter()
        .filter_map(|s| s.name.as_deref())
        .collect();
    assert_eq!(names, ["cover", "overview", "usage"]);
    assert_request(
        &server.single_request(),
        "GET",
        "/v1/site_reports/templates",
        &[("account_id", &ACCOUNT.to_string())],
        Value::Null,
    );
}
