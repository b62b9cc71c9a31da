//! Schedule bodies: reading and validating the fields of create and update.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::catalogue::{section_order, with_mandatory};
use crate::fake::check::{valid_email, Check};
use crate::fake::state::{Frequency, RecipientRec, State};

/// The fields of a schedule body, as far as they are valid.
#[derive(Default)]
pub(super) struct ScheduleFields {
    pub(super) title: Option<String>,
    pub(super) next: Option<DateTime<Utc>>,
    pub(super) frequency: Option<Frequency>,
    pub(super) recipients: Option<Vec<RecipientRec>>,
    pub(super) sections: Option<Vec<String>>,
    pub(super) template: Option<Uuid>,
}

/// Reads the fields shared by `createSiteReportSchedule` and
/// `updateSiteReportSchedule`; `account` is the account of the schedule's
/// site, whose templates may be named.
pub(super) fn schedule_fields(
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
