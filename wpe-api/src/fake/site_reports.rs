//! Site reports: the catalogue of report sections, the report templates of
//! the accounts, the report schedules of the sites and the reports they
//! generate.
//!
//! A schedule is due at `next_scheduled_date` and then every 7 or 14 days
//! (`DAYS`) or monthly on a day of the month (`MONTHLY`, the last day in
//! shorter months). Nothing runs in the background: whenever a request
//! touches a site's reports or schedules, every schedule of that site whose
//! due date has passed on the server's clock generates its reports (one per
//! passed due date, dated then, covering the period since the previous due
//! date) and moves on to its next due date.
//!
//! Defaults of `createSiteReportSchedule`: without `frequency`, monthly on
//! the 1st; without `next_scheduled_date`, the first due date of the
//! frequency after the server's clock, at midnight UTC (for `DAYS`, that many
//! days after today); without `sections`, the template's sections, or every
//! section of the catalogue when there is no template. The mandatory
//! sections are always added; sections are kept in catalogue order.
//! A `next_scheduled_date` must be an RFC 3339 date-time in the future.

use axum::http::StatusCode;
use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, NaiveTime, SecondsFormat, Utc};
use serde_json::{json, Map, Value};
use uuid::Uuid;

use super::check::{valid_email, Check};
use super::reply::{empty, ok, with_status, Fail, Reply};
use super::request::{query_uuid_opt, Req};
use super::site::visible_site;
use super::state::{
    Frequency, RecipientRec, ReportScheduleRec, ReportTemplateRec, SiteReportRec, State,
};

/// Where the stand-in's report files, logos and previews would live.
const FILES: &str = "https://reports.example.com";

/// One section of the catalogue.
struct SectionDef {
    name: &'static str,
    display_text: &'static str,
    group: &'static str,
    mandatory: bool,
}

/// The groups of the catalogue: name and title.
const GROUPS: &[(&str, &str)] = &[
    ("introduction", "Introduction"),
    ("hosting", "Hosting"),
    ("wordpress", "WordPress"),
    ("security", "Security"),
    ("closing", "Closing notes"),
];

/// Every section a site report can contain, in report order.
const SECTIONS: &[SectionDef] = &[
    SectionDef {
        name: "cover",
        display_text: "Front page",
        group: "introduction",
        mandatory: true,
    },
    SectionDef {
        name: "overview",
        display_text: "The period at a glance",
        group: "introduction",
        mandatory: true,
    },
    SectionDef {
        name: "usage",
        display_text: "Visits and bandwidth",
        group: "hosting",
        mandatory: false,
    },
    SectionDef {
        name: "storage",
        display_text: "Disk use",
        group: "hosting",
        mandatory: false,
    },
    SectionDef {
        name: "uptime",
        display_text: "Availability",
        group: "hosting",
        mandatory: false,
    },
    SectionDef {
        name: "backups",
        display_text: "Backups taken",
        group: "hosting",
        mandatory: false,
    },
    SectionDef {
        name: "core",
        display_text: "WordPress version",
        group: "wordpress",
        mandatory: false,
    },
    SectionDef {
        name: "plugins",
        display_text: "Plugin updates",
        group: "wordpress",
        mandatory: false,
    },
    SectionDef {
        name: "themes",
        display_text: "Theme updates",
        group: "wordpress",
        mandatory: false,
    },
    SectionDef {
        name: "certificates",
        display_text: "TLS certificates",
        group: "security",
        mandatory: false,
    },
    SectionDef {
        name: "vulnerabilities",
        display_text: "Known vulnerabilities",
        group: "security",
        mandatory: false,
    },
    SectionDef {
        name: "notes",
        display_text: "Notes from your team",
        group: "closing",
        mandatory: false,
    },
];

/// Where a section sits in the catalogue; `None` for an unknown name.
fn section_order(name: &str) -> Option<usize> {
    SECTIONS.iter().position(|s| s.name == name)
}

/// `names` with the mandatory sections added, deduplicated, in catalogue
/// order (names must be known).
fn with_mandatory<'n>(names: impl IntoIterator<Item = &'n str>) -> Vec<String> {
    let mut picked = vec![false; SECTIONS.len()];
    for name in names {
        if let Some(at) = section_order(name) {
            picked[at] = true;
        }
    }
    SECTIONS
        .iter()
        .zip(picked)
        .filter(|(s, picked)| *picked || s.mandatory)
        .map(|(s, _)| s.name.to_owned())
        .collect()
}

fn date_time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn names_json(names: &[String]) -> Vec<Value> {
    names.iter().map(|name| json!({ "name": name })).collect()
}

fn recipients_json(recipients: &[RecipientRec]) -> Vec<Value> {
    recipients
        .iter()
        .map(|r| match &r.name {
            Some(name) => json!({ "name": name, "email": r.email }),
            None => json!({ "email": r.email }),
        })
        .collect()
}

fn logo_url(branding: Uuid) -> String {
    format!("{FILES}/brandings/{branding}/logo.png")
}

fn preview_url(branding: Uuid) -> String {
    format!("{FILES}/brandings/{branding}/preview.png")
}

// ---------------------------------------------------------------------------
// Dates of a schedule.

/// Midnight UTC of a day.
fn midnight(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(NaiveTime::MIN).and_utc()
}

/// Day `day` of the month of `first` (the first of a month), or the month's
/// last day when it is shorter.
fn day_of_month(first: NaiveDate, day: u32) -> Option<NaiveDate> {
    let next_first = first.checked_add_months(Months::new(1))?;
    let last = next_first.pred_opt()?.day();
    first.with_day(day.clamp(1, last))
}

/// The due date after `at`.
fn following(frequency: Frequency, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
    match frequency {
        Frequency::Days(days) => at.checked_add_signed(Duration::days(i64::from(days))),
        Frequency::Monthly(day) => {
            let first = at
                .date_naive()
                .with_day(1)?
                .checked_add_months(Months::new(1))?;
            let date = day_of_month(first, day)?;
            Some(date.and_time(at.time()).and_utc())
        }
    }
}

/// The due date before `at` (the start of the period a report due at `at` covers).
fn preceding(frequency: Frequency, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
    match frequency {
        Frequency::Days(days) => at.checked_sub_signed(Duration::days(i64::from(days))),
        Frequency::Monthly(day) => {
            let first = at
                .date_naive()
                .with_day(1)?
                .checked_sub_months(Months::new(1))?;
            let date = day_of_month(first, day)?;
            Some(date.and_time(at.time()).and_utc())
        }
    }
}

/// The first due date of a new schedule without `next_scheduled_date`.
fn first_due(frequency: Frequency, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let today = now.date_naive();
    match frequency {
        Frequency::Days(days) => Some(midnight(
            today.checked_add_signed(Duration::days(i64::from(days)))?,
        )),
        Frequency::Monthly(day) => {
            let this_month = midnight(day_of_month(today.with_day(1)?, day)?);
            if this_month > now {
                Some(this_month)
            } else {
                following(frequency, this_month)
            }
        }
    }
}

/// At most this many reports are generated for one schedule at a time; the
/// due dates passed beyond them are skipped.
const MAX_CATCH_UP: usize = 100;

/// Generates the reports of every schedule of `site` that is due on the
/// server's clock, and moves those schedules on to their next due date.
fn catch_up(state: &mut State, site: Uuid, now: DateTime<Utc>) {
    let due: Vec<Uuid> = state
        .report_schedules
        .iter()
        .filter(|s| s.site_id == site && s.next <= now)
        .map(|s| s.id)
        .collect();
    for id in due {
        let Some(schedule) = state.report_schedules.get(&id).cloned() else {
            continue;
        };
        let mut at = schedule.next;
        let mut generated = 0;
        while at <= now {
            if generated < MAX_CATCH_UP {
                let report = state.new_id();
                state.site_reports.insert(
                    report,
                    SiteReportRec {
                        id: report,
                        site_id: site,
                        title: schedule.title.clone(),
                        start: preceding(schedule.frequency, at).unwrap_or(at),
                        end: at,
                        created_at: at,
                        recipients: schedule.recipients.clone(),
                    },
                );
                generated += 1;
            }
            match following(schedule.frequency, at) {
                Some(next) => at = next,
                // Past the calendar's end: the schedule stays where it is.
                None => break,
            }
        }
        if let Some(rec) = state.report_schedules.get_mut(&id) {
            rec.next = at;
        }
    }
}

/// Forgets the schedules and reports of a deleted site.
pub(crate) fn forget_site(state: &mut State, site: Uuid) {
    let schedules: Vec<Uuid> = state
        .report_schedules
        .iter()
        .filter(|s| s.site_id == site)
        .map(|s| s.id)
        .collect();
    for id in schedules {
        state.report_schedules.remove(&id);
    }
    let reports: Vec<Uuid> = state
        .site_reports
        .iter()
        .filter(|r| r.site_id == site)
        .map(|r| r.id)
        .collect();
    for id in reports {
        state.site_reports.remove(&id);
    }
}

// ---------------------------------------------------------------------------
// Look-ups.

/// A required UUID query parameter; a 400 naming it when absent or not a UUID.
fn query_uuid(req: &Req<'_>, resource: &str, name: &str) -> Result<Uuid, Fail> {
    query_uuid_opt(req, resource, name)?.ok_or_else(|| {
        Fail::field(
            resource,
            name,
            "invalid_value",
            "required",
            &format!("{name} is required"),
        )
    })
}

/// The site of the `site_id` query parameter, which the caller must see.
fn query_site(state: &State, req: &Req<'_>, resource: &str) -> Result<Uuid, Fail> {
    let id = query_uuid(req, resource, "site_id")?;
    visible_site(state, req, id)
}

/// The schedule of path segment 2 (`/site_reports/schedules/{schedule_id}`)
/// and its site; a 404 unless the caller may see the site.
fn schedule_of_path(state: &State, req: &Req<'_>) -> Result<(Uuid, Uuid), Fail> {
    let id = req.id(2)?;
    let schedule = state
        .report_schedules
        .get(&id)
        .ok_or_else(Fail::not_found)?;
    let site = visible_site(state, req, schedule.site_id)?;
    Ok((id, site))
}

// ---------------------------------------------------------------------------
// Validation of schedule bodies.

const SCHEDULE: &str = "SiteReportSchedule";

/// The fields of a schedule body, as far as they are valid.
#[derive(Default)]
struct ScheduleFields {
    title: Option<String>,
    next: Option<DateTime<Utc>>,
    frequency: Option<Frequency>,
    recipients: Option<Vec<RecipientRec>>,
    sections: Option<Vec<String>>,
    template: Option<Uuid>,
}

/// Reads the fields shared by `createSiteReportSchedule` and
/// `updateSiteReportSchedule`; `account` is the account of the schedule's
/// site, whose templates may be named.
fn schedule_fields(
    state: &State,
    check: &mut Check<'_>,
    account: Option<Uuid>,
    now: DateTime<Utc>,
    creating: bool,
) -> ScheduleFields {
    let mut fields = ScheduleFields::default();
    if creating || check.present("title").is_some() {
        fields.title = check.req_str("title");
    }
    if let Some(text) = check.opt_str("next_scheduled_date") {
        match DateTime::parse_from_rfc3339(&text) {
            Ok(at) if at.with_timezone(&Utc) > now => fields.next = Some(at.with_timezone(&Utc)),
            Ok(_) => check.error(
                "next_scheduled_date",
                "invalid_value",
                "in_past",
                "next_scheduled_date must be in the future",
            ),
            Err(_) => check.error(
                "next_scheduled_date",
                "invalid_value",
                "invalid_date_time",
                "next_scheduled_date must be an RFC 3339 date-time, e.g. 2030-01-01T09:00:00Z",
            ),
        }
    }
    if let Some(frequency) = check.opt_object("frequency") {
        fields.frequency = frequency_field(check, frequency);
    }
    if creating || check.present("recipients").is_some() {
        fields.recipients = recipients_field(check);
    }
    if check.present("sections").is_some() {
        fields.sections = sections_field(check);
    }
    if let Some(template) = check.opt_uuid("template_uuid") {
        let known = state
            .report_templates
            .get(&template)
            .is_some_and(|t| Some(t.account_id) == account);
        if known {
            fields.template = Some(template);
        } else {
            check.error(
                "template_uuid",
                "invalid_value",
                "unknown_template",
                "template_uuid is not a report template of the site's account",
            );
        }
    }
    fields
}

/// `frequency`: both `unit` and `value`; `DAYS` 7 or 14, `MONTHLY` 1 to 31.
fn frequency_field(check: &mut Check<'_>, frequency: &Map<String, Value>) -> Option<Frequency> {
    let mut inner = Check::nested(
        check.resource,
        &format!("{}frequency", check.prefix),
        frequency,
    );
    let unit = inner.req_str("unit");
    let value = match inner.present("value") {
        None => {
            inner.required("value");
            None
        }
        Some(value) => match value.as_i64() {
            Some(n) => Some(n),
            None => {
                inner.wrong_type("value", "an integer");
                None
            }
        },
    };
    let result = match (unit.as_deref(), value) {
        (Some("DAYS"), Some(n @ (7 | 14))) => Some(Frequency::Days(n as u32)),
        (Some("DAYS"), Some(_)) => {
            inner.error(
                "value",
                "invalid_value",
                "out_of_range",
                "With unit DAYS, value must be 7 or 14",
            );
            None
        }
        (Some("MONTHLY"), Some(n @ 1..=31)) => Some(Frequency::Monthly(n as u32)),
        (Some("MONTHLY"), Some(_)) => {
            inner.error(
                "value",
                "invalid_value",
                "out_of_range",
                "With unit MONTHLY, value must be a day of the month from 1 to 31",
            );
            None
        }
        (Some("DAYS" | "MONTHLY"), None) | (None, _) => None,
        (Some(_), _) => {
            inner.error(
                "unit",
                "invalid_value",
                "invalid_value",
                "unit must be DAYS or MONTHLY",
            );
            None
        }
    };
    check.errors.append(&mut inner.errors);
    result
}

/// `recipients`: a non-empty array of `{name?, email}` with valid emails.
fn recipients_field(check: &mut Check<'_>) -> Option<Vec<RecipientRec>> {
    let items = match check.present("recipients") {
        None => {
            check.required("recipients");
            return None;
        }
        Some(Value::Array(items)) => items,
        Some(_) => {
            check.wrong_type("recipients", "an array of recipients");
            return None;
        }
    };
    if items.is_empty() {
        check.error(
            "recipients",
            "invalid_value",
            "too_short",
            "recipients must name at least one recipient",
        );
        return None;
    }
    let mut out = Vec::new();
    let before = check.errors.len();
    for (i, item) in items.iter().enumerate() {
        let field = format!("{}recipients[{i}]", check.prefix);
        let Value::Object(item) = item else {
            check.error(
                &format!("recipients[{i}]"),
                "invalid_value",
                "invalid_type",
                "a recipient must be an object",
            );
            continue;
        };
        let mut one = Check::nested(check.resource, &field, item);
        let name = one.opt_str("name");
        let email = one.req_str("email");
        if let Some(email) = &email {
            if !valid_email(email) {
                one.error(
                    "email",
                    "invalid_value",
                    "invalid_email",
                    "email is not a valid email address",
                );
            }
        }
        if let (Some(email), true) = (email, one.errors.is_empty()) {
            out.push(RecipientRec {
                name: name.filter(|n| !n.trim().is_empty()),
                email,
            });
        }
        check.errors.append(&mut one.errors);
    }
    (check.errors.len() == before).then_some(out)
}

/// `sections`: an array of `{name}` naming sections of the catalogue.
fn sections_field(check: &mut Check<'_>) -> Option<Vec<String>> {
    let Some(Value::Array(items)) = check.present("sections") else {
        check.wrong_type("sections", "an array of sections");
        return None;
    };
    let mut names = Vec::new();
    let before = check.errors.len();
    for (i, item) in items.iter().enumerate() {
        match item.get("name").and_then(Value::as_str) {
            Some(name) if section_order(name).is_some() => names.push(name),
            Some(name) => check.error(
                &format!("sections[{i}].name"),
                "invalid_value",
                "unknown_section",
                &format!("{name} is not a report section (see getSiteReportsSections)"),
            ),
            None => check.error(
                &format!("sections[{i}].name"),
                "invalid_value",
                "required",
                "each section needs a name",
            ),
        }
    }
    (check.errors.len() == before).then(|| with_mandatory(names))
}

// ---------------------------------------------------------------------------
// Handlers.

/// `GET /site_reports?site_id=` (`getSiteReports`): newest first.
pub(crate) fn get_site_reports(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let site = query_site(state, req, "SiteReport")?;
    catch_up(state, site, state.wall(req.now));
    let mut reports: Vec<&SiteReportRec> = state
        .site_reports
        .iter()
        .filter(|r| r.site_id == site)
        .collect();
    reports.sort_by_key(|r| std::cmp::Reverse(r.created_at));
    let reports: Vec<Value> = reports
        .into_iter()
        .map(|r| {
            json!({
                "uuid": r.id,
                "title": r.title,
                "date_range": {
                    "start_date": date_time(r.start),
                    "end_date": date_time(r.end),
                },
                "created_at": date_time(r.created_at),
                "recipients": recipients_json(&r.recipients),
                "download_url": format!("{FILES}/site_reports/{}.pdf", r.id),
            })
        })
        .collect();
    ok(json!({ "reports": reports }))
}

/// `GET /site_reports/sections` (`getSiteReportsSections`): the catalogue.
pub(crate) fn get_site_reports_sections(_state: &mut State, _req: &Req<'_>) -> Result<Reply, Fail> {
    let sections: Vec<Value> = SECTIONS
        .iter()
        .enumerate()
        .map(|(at, s)| {
            let group_display_text = GROUPS
                .iter()
                .find(|(name, _)| *name == s.group)
                .map_or(s.group, |(_, title)| title);
            json!({
                "name": s.name,
                "display_text": s.display_text,
                "order": at + 1,
                "image_url": format!("{FILES}/sections/{}.png", s.name),
                "footer_url": format!("{FILES}/help/{}", s.name),
                "group_name": s.group,
                "group_display_text": group_display_text,
                "mandatory": s.mandatory,
            })
        })
        .collect();
    ok(json!({
        "name": "site_report",
        "resource_type": "site",
        "sections": sections,
    }))
}

fn schedule_json(state: &State, rec: &ReportScheduleRec) -> Value {
    let (unit, value) = match rec.frequency {
        Frequency::Days(n) => ("DAYS", n),
        Frequency::Monthly(day) => ("MONTHLY", day),
    };
    let mut body = json!({
        "uuid": rec.id,
        "title": rec.title,
        "next_scheduled_date": date_time(rec.next),
        "frequency": { "value": value, "unit": unit },
        "recipients": recipients_json(&rec.recipients),
        "sections": names_json(&rec.sections),
    });
    if let Some(template) = rec.template_id.and_then(|t| state.report_templates.get(&t)) {
        body["template_uuid"] = json!(template.id);
        body["branding"] = json!({
            "uuid": template.branding_id,
            "company_name": template.company_name,
            "brand_color": template.brand_color,
            "logo_url": logo_url(template.branding_id),
            "image_preview_url": preview_url(template.branding_id),
        });
    }
    body
}

/// `GET /site_reports/schedules?site_id=` (`getSiteReportsSchedules`): oldest first.
pub(crate) fn get_site_reports_schedules(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let site = query_site(state, req, SCHEDULE)?;
    catch_up(state, site, state.wall(req.now));
    let schedules: Vec<Value> = state
        .report_schedules
        .iter()
        .filter(|s| s.site_id == site)
        .map(|s| schedule_json(state, s))
        .collect();
    ok(json!({ "schedules": schedules }))
}

/// `POST /site_reports/schedules` (`createSiteReportSchedule`): a 201 without
/// the new schedule's ID, as upstream answers.
pub(crate) fn create_site_report_schedule(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let body = req.json(SCHEDULE)?;
    let now = state.wall(req.now);
    let mut check = Check::new(SCHEDULE, &body);
    let site = check.req_uuid("site_id");
    // An unknown or invisible site is a 404, as on the other site routes.
    let site = match site {
        Some(id) => Some(visible_site(state, req, id)?),
        None => None,
    };
    let account = site.and_then(|s| state.sites.get(&s)).map(|s| s.account_id);
    let fields = schedule_fields(state, &mut check, account, now, true);
    check.finish()?;
    let (Some(site), Some(title), Some(recipients)) = (site, fields.title, fields.recipients)
    else {
        return Err(Fail::new(StatusCode::BAD_REQUEST, "Invalid Request"));
    };
    let frequency = fields.frequency.unwrap_or(Frequency::Monthly(1));
    let next = match fields.next.or_else(|| first_due(frequency, now)) {
        Some(next) => next,
        None => {
            return Err(Fail::field(
                SCHEDULE,
                "frequency",
                "invalid_value",
                "out_of_range",
                "no due date can follow the server's clock",
            ))
        }
    };
    let template = fields.template.and_then(|t| state.report_templates.get(&t));
    let sections = match (fields.sections, template) {
        (Some(sections), _) => sections,
        (None, Some(template)) => with_mandatory(template.sections.iter().map(String::as_str)),
        (None, None) => with_mandatory(SECTIONS.iter().map(|s| s.name)),
    };
    catch_up(state, site, now);
    let id = state.new_id();
    state.report_schedules.insert(
        id,
        ReportScheduleRec {
            id,
            site_id: site,
            title,
            next,
            frequency,
            recipients,
            sections,
            template_id: fields.template,
        },
    );
    with_status(
        StatusCode::CREATED,
        json!({ "message": "The report schedule was created." }),
    )
}

/// `PATCH /site_reports/schedules/{schedule_id}` (`updateSiteReportSchedule`):
/// only the fields given change.
pub(crate) fn update_site_report_schedule(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let (id, site) = schedule_of_path(state, req)?;
    let body = req.json(SCHEDULE)?;
    let now = state.wall(req.now);
    let mut check = Check::new(SCHEDULE, &body);
    if check.present("site_id").is_some() {
        check.error(
            "site_id",
            "invalid_value",
            "read_only",
            "a schedule's site cannot change",
        );
    }
    let account = state.sites.get(&site).map(|s| s.account_id);
    let fields = schedule_fields(state, &mut check, account, now, false);
    check.finish()?;
    catch_up(state, site, now);
    let rec = state
        .report_schedules
        .get_mut(&id)
        .ok_or_else(Fail::not_found)?;
    if let Some(title) = fields.title {
        rec.title = title;
    }
    if let Some(next) = fields.next {
        rec.next = next;
    }
    if let Some(frequency) = fields.frequency {
        rec.frequency = frequency;
    }
    if let Some(recipients) = fields.recipients {
        rec.recipients = recipients;
    }
    if let Some(sections) = fields.sections {
        rec.sections = sections;
    }
    if let Some(template) = fields.template {
        rec.template_id = Some(template);
    }
    ok(json!({ "message": "The report schedule was changed." }))
}

/// `DELETE /site_reports/schedules/{schedule_id}` (`deleteSiteReportSchedule`).
pub(crate) fn delete_site_report_schedule(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let (id, site) = schedule_of_path(state, req)?;
    catch_up(state, site, state.wall(req.now));
    state
        .report_schedules
        .remove(&id)
        .ok_or_else(Fail::not_found)?;
    empty(StatusCode::NO_CONTENT)
}

fn template_json(rec: &ReportTemplateRec) -> Value {
    json!({
        "template_uuid": rec.id,
        "template_name": rec.name,
        "company_name": rec.company_name,
        "brand_color": rec.brand_color,
        "logo_url": logo_url(rec.branding_id),
        "preview_image_url": preview_url(rec.branding_id),
        "sections": names_json(&rec.sections),
    })
}

/// `GET /site_reports/templates?account_id=` (`listSiteReportTemplates`).
pub(crate) fn list_site_report_templates(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let account = query_uuid(req, "ReportTemplate", "account_id")?;
    if !req.accounts().contains(&account) {
        return Err(Fail::not_found());
    }
    let templates: Vec<Value> = state
        .report_templates
        .iter()
        .filter(|t| t.account_id == account)
        .map(template_json)
        .collect();
    ok(json!({ "templates": templates }))
}

// ---------------------------------------------------------------------------
// The demo seed.

/// A template of `account` for the demo seed.
fn seed_template(
    state: &mut State,
    account: Uuid,
    name: &str,
    company: &str,
    color: &str,
    sections: &[&str],
) -> Uuid {
    let id = state.new_id();
    let branding_id = state.new_id();
    state.report_templates.insert(
        id,
        ReportTemplateRec {
            id,
            account_id: account,
            name: name.to_owned(),
            company_name: company.to_owned(),
            brand_color: color.to_owned(),
            branding_id,
            sections: with_mandatory(sections.iter().copied()),
        },
    );
    id
}

/// Report templates for the demo accounts (two for `agency`, one for
/// `client`), and for `site` a monthly schedule that already sent two reports.
pub(crate) fn seed_demo(state: &mut State, agency: Uuid, client: Uuid, site: Uuid) {
    let monthly = seed_template(
        state,
        agency,
        "Agency monthly",
        "Demo Agency",
        "#1f6feb",
        &["usage", "uptime", "backups", "plugins", "themes", "notes"],
    );
    seed_template(
        state,
        agency,
        "Security review",
        "Demo Agency",
        "#8250df",
        &["core", "plugins", "certificates", "vulnerabilities"],
    );
    seed_template(
        state,
        client,
        "Client Co board pack",
        "Demo Client Co",
        "#d4a72c",
        &["usage", "storage"],
    );

    let now = state.start_wall;
    let frequency = Frequency::Monthly(1);
    let recipients = vec![
        RecipientRec {
            name: Some("Jane Editor".to_owned()),
            email: "jane@example.com".to_owned(),
        },
        RecipientRec {
            name: None,
            email: "reports@example.com".to_owned(),
        },
    ];
    let title = "Torque Magazine: monthly report";
    let Some(next) = first_due(frequency, now) else {
        return;
    };
    let mut end = preceding(frequency, next).filter(|at| *at <= now);
    let mut past = Vec::new();
    while let (Some(at), true) = (end, past.len() < 2) {
        past.push(at);
        end = preceding(frequency, at);
    }
    for at in past.into_iter().rev() {
        let id = state.new_id();
        state.site_reports.insert(
            id,
            SiteReportRec {
                id,
                site_id: site,
                title: title.to_owned(),
                start: preceding(frequency, at).unwrap_or(at),
                end: at,
                created_at: at,
                recipients: recipients.clone(),
            },
        );
    }
    let sections = state
        .report_templates
        .get(&monthly)
        .map(|t| t.sections.clone())
        .unwrap_or_default();
    let id = state.new_id();
    state.report_schedules.insert(
        id,
        ReportScheduleRec {
            id,
            site_id: site,
            title: title.to_owned(),
            next,
            frequency,
            recipients,
            sections,
            template_id: Some(monthly),
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn monthly_due_dates_keep_their_day_and_fall_back_to_the_month_end() {
        let f = Frequency::Monthly(31);
        let jan = at("2025-01-31T09:00:00Z");
        let feb = following(f, jan).unwrap();
        assert_eq!(feb, at("2025-02-28T09:00:00Z"));
        assert_eq!(following(f, feb).unwrap(), at("2025-03-31T09:00:00Z"));
        assert_eq!(preceding(f, at("2025-03-31T09:00:00Z")).unwrap(), feb);
        assert_eq!(
            following(Frequency::Monthly(29), at("2024-01-29T00:00:00Z")).unwrap(),
            at("2024-02-29T00:00:00Z")
        );
    }

    #[test]
    fn day_schedules_step_by_their_days() {
        let f = Frequency::Days(14);
        assert_eq!(
            following(f, at("2025-12-25T00:00:00Z")).unwrap(),
            at("2026-01-08T00:00:00Z")
        );
        assert_eq!(
            preceding(f, at("2026-01-08T00:00:00Z")).unwrap(),
            at("2025-12-25T00:00:00Z")
        );
    }

    #[test]
    fn first_due_dates_follow_the_clock() {
        let now = at("2025-05-20T10:30:00Z");
        assert_eq!(
            first_due(Frequency::Monthly(1), now).unwrap(),
            at("2025-06-01T00:00:00Z")
        );
        assert_eq!(
            first_due(Frequency::Monthly(25), now).unwrap(),
            at("2025-05-25T00:00:00Z")
        );
        assert_eq!(
            first_due(Frequency::Monthly(20), now).unwrap(),
            at("2025-06-20T00:00:00Z")
        );
        assert_eq!(
            first_due(Frequency::Days(7), now).unwrap(),
            at("2025-05-27T00:00:00Z")
        );
    }

    #[test]
    fn mandatory_sections_are_added_in_catalogue_order() {
        assert_eq!(
            with_mandatory(["plugins", "usage", "plugins"]),
            ["cover", "overview", "usage", "plugins"]
        );
    }

    #[test]
    fn due_dates_at_the_end_of_the_calendar_do_not_panic() {
        let end = DateTime::<Utc>::MAX_UTC;
        assert_eq!(following(Frequency::Days(7), end), None);
        assert_eq!(following(Frequency::Monthly(31), end), None);
        assert!(first_due(Frequency::Monthly(31), end).is_none());
        assert_eq!(
            preceding(Frequency::Days(7), DateTime::<Utc>::MIN_UTC),
            None
        );
    }
}
