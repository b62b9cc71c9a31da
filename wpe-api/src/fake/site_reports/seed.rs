//! The demo seed of site reports: templates, and a schedule that has sent reports.

use uuid::Uuid;

use super::catalogue::with_mandatory;
use super::schedule::{first_due, preceding};
use crate::fake::state::{
    Frequency, RecipientRec, ReportScheduleRec, ReportTemplateRec, SiteReportRec, State,
};

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
