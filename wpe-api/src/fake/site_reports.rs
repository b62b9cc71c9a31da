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
//!
//! As WP Engine's guide to scheduling site reports says, a new schedule
//! needs the site's production environment to have a custom domain
//! connected (here: TXT-verified) for at least two days, and a site has at
//! most three active schedules.

mod catalogue;
mod fields;
mod schedule;
mod seed;
mod wire;

use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use uuid::Uuid;

use super::check::Check;
use super::reply::{empty, ok, with_status, Fail, Reply};
use super::request::{query_uuid_opt, Req};
use super::site::visible_site;
use super::state::{Frequency, ReportScheduleRec, SiteReportRec, State};
use catalogue::{with_mandatory, GROUPS, SECTIONS};
use fields::schedule_fields;
use schedule::{catch_up, first_due};
use wire::{date_time, recipients_json, schedule_json, template_json};

pub(crate) use seed::seed_demo;

/// Where the stand-in's report files, logos and previews would live.
const FILES: &str = "https://reports.example.com";

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

const SCHEDULE: &str = "SiteReportSchedule";

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
    if let Some(site) = site {
        check_site_can_report(state, &mut check, site, now);
    }
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

/// The most active schedules a site may have (WP Engine's guide to
/// scheduling site reports: three per environment; a schedule reports on
/// its site's production environment).
const MAX_SCHEDULES: usize = 3;

/// How long a custom domain must have been connected to the production
/// environment before reports can be scheduled (the same guide).
const DOMAIN_AGE: chrono::Duration = chrono::Duration::days(2);

/// The guide's conditions for a new schedule of `site`: a production
/// install with a custom domain connected (verified) at least two days ago,
/// and fewer than three schedules already.
fn check_site_can_report(state: &State, check: &mut Check<'_>, site: Uuid, now: DateTime<Utc>) {
    let Some(rec) = state.sites.get(&site) else {
        return;
    };
    let established = rec
        .installs
        .iter()
        .filter_map(|id| state.installs.get(id))
        .filter(|i| i.environment == Some(crate::types::Environment::Production))
        .flat_map(|i| &i.domains)
        .any(|d| d.txt_verified.is_some_and(|at| at + DOMAIN_AGE <= now));
    if !established {
        check.error(
            "site_id",
            "invalid_value",
            "no_established_domain",
            "Reports need the site's production environment to have a custom domain connected \
             for at least two days: add and verify one (createDomain, verifyDomainTxtRecord), \
             then schedule two days later",
        );
    }
    let active = state
        .report_schedules
        .iter()
        .filter(|s| s.site_id == site)
        .count();
    if active >= MAX_SCHEDULES {
        check.error(
            "site_id",
            "invalid_value",
            "too_many_schedules",
            "A site has at most three active report schedules: delete one \
             (deleteSiteReportSchedule) or change one (updateSiteReportSchedule) instead",
        );
    }
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
