//! The JSON the site-report routes answer with: dates, recipients, schedules, templates.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Value};
use uuid::Uuid;

use super::FILES;
use crate::fake::state::{Frequency, RecipientRec, ReportScheduleRec, ReportTemplateRec, State};

pub(super) fn date_time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

pub(super) fn names_json(names: &[String]) -> Vec<Value> {
    names.iter().map(|name| json!({ "name": name })).collect()
}

pub(super) fn recipients_json(recipients: &[RecipientRec]) -> Vec<Value> {
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

pub(super) fn schedule_json(state: &State, rec: &ReportScheduleRec) -> Value {
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

pub(super) fn template_json(rec: &ReportTemplateRec) -> Value {
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
