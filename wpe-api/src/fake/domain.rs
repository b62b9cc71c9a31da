//! Domains of an install, redirects between them, and domain status reports.

use axum::http::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use super::check::{valid_domain_name, Check};
use super::install::cname;
use super::paging::paginate;
use super::reply::{empty, ok, with_status, Fail, Reply};
use super::request::{domain_index, inst, inst_mut, install_id, Req};
use super::state::{DomainRec, InstallRec, ReportRec, State, TXT_VERIFICATION_KEY};
use crate::types;

/// The A records every domain is told to point at.
pub(crate) const A_RECORDS: &[&str] = &["141.193.213.10", "141.193.213.11"];

fn domain_json(install: &InstallRec, rec: &DomainRec) -> types::Domain {
    let verified = rec.txt_verified.is_some();
    let target = rec
        .redirect_to
        .and_then(|id| install.domains.iter().find(|d| d.id == id));
    types::Domain {
        extra: Default::default(),
        duplicate: false,
        id: rec.id,
        name: rec.name.clone(),
        network_details: Some(types::NetworkDetails {
            extra: Default::default(),
            dns_config_info: Some(types::DnsConfigInfo {
                extra: Default::default(),
                a_records: A_RECORDS.iter().map(|s| (*s).to_owned()).collect(),
                cname: Some(cname(&install.name)),
            }),
            network_info: Some(types::NetworkInfo {
                extra: Default::default(),
                ssl: Some(types::DomainSslInfo {
                    extra: Default::default(),
                    status: Some(
                        if install.certs.iter().any(|c| c.domains.contains(&rec.name)) {
                            "ACTIVE"
                        } else {
                            "NONE"
                        }
                        .to_owned(),
                    ),
                }),
                // An unverified domain serves no traffic.
                status: Some(if verified { "ACTIVE" } else { "PENDING" }.to_owned()),
            }),
        }),
        network_type: Some(rec.network_type.to_owned()),
        ownership_status: Some(if verified {
            types::DomainOwnershipStatus::TxtVerified
        } else {
            types::DomainOwnershipStatus::TxtVerificationPending
        }),
        txt_verification_key: (!verified).then(|| TXT_VERIFICATION_KEY.to_owned()),
        txt_verification_value: (!verified).then(|| rec.txt_value.clone()),
        txt_verified_domain: Some(rec.name.clone()),
        txt_verified_time: rec.txt_verified.map(|t| t.to_rfc3339()),
        primary: rec.primary,
        redirects_to: target
            .map(|t| types::DomainRef {
                extra: Default::default(),
                id: Some(t.id),
                name: Some(t.name.clone()),
            })
            .into_iter()
            .collect(),
        // As upstream's document has it; `FakeConfig::live_shapes` answers
        // with the live API's `redirect_to` instead.
        redirect_to: None,
        secure_all_urls: Some(rec.secure_all_urls),
    }
}

/// `GET /installs/{install_id}/domains` (`listDomains`).
pub(crate) fn list_domains(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = install_id(state, req)?;
    let install = inst(state, &id);
    paginate(
        req,
        &format!("installs/{id}/domains"),
        None,
        install.domains.iter(),
        |d| domain_json(install, d),
    )
}

fn check_new_domain_name(state: &State, check: &mut Check<'_>, field: &str, name: &str) {
    if !valid_domain_name(name) {
        check.error(
            field,
            "invalid_value",
            "invalid_domain",
            &format!("{name} is not a valid domain name"),
        );
    } else if state.domain_names.contains_key(name) {
        check.error(
            field,
            "value_unavailable",
            "already_taken",
            &format!("{name} is already configured on an install"),
        );
    }
}

fn set_primary(install: &mut InstallRec, index: usize) {
    for (i, domain) in install.domains.iter_mut().enumerate() {
        domain.primary = i == index;
    }
}

/// `POST /installs/{install_id}/domains` (`createDomain`).
pub(crate) fn create_domain(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = install_id(state, req)?;
    let body = req.json("Domain")?;
    let mut check = Check::new("Domain", &body);
    let name = check.req_str("name").map(|n| n.to_ascii_lowercase());
    if let Some(name) = &name {
        check_new_domain_name(state, &mut check, "name", name);
    }
    let primary = check.opt_bool("primary").unwrap_or(false);
    let redirect = check.opt_uuid("redirect_to");
    let install = inst(state, &id);
    if let Some(target) = redirect {
        match install.domains.iter().find(|d| d.id == target) {
            None => check.error(
                "redirect_to",
                "invalid_value",
                "unknown_domain",
                "redirect_to is not a domain of this install",
            ),
            Some(d) if d.redirect_to.is_some() => check.error(
                "redirect_to",
                "invalid_value",
                "redirect_chain",
                "redirect_to may not point at a domain that redirects itself",
            ),
            Some(_) => {}
        }
        if primary {
            check.error(
                "primary",
                "invalid_value",
                "redirect_primary",
                "A redirecting domain cannot be primary",
            );
        }
    }
    check.finish()?;
    let name = name.unwrap_or_default();
    let domain_id = state.new_id();
    state.domain_names.insert(name.clone(), id);
    let domain = state.new_domain(domain_id, name, redirect);
    let rec = inst_mut(state, &id);
    rec.domains.push(domain);
    let index = rec.domains.len() - 1;
    if primary {
        set_primary(rec, index);
    }
    let install = inst(state, &id);
    with_status(
        StatusCode::CREATED,
        domain_json(install, &install.domains[index]),
    )
}

/// `POST /installs/{install_id}/domains/bulk` (`createBulkDomains`).
pub(crate) fn create_bulk_domains(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = install_id(state, req)?;
    let body = req.json("Domain")?;
    let mut check = Check::new("Domain", &body);
    let items = match check.present("domains") {
        None => {
            check.required("domains");
            Vec::new()
        }
        Some(Value::Array(items)) => items.clone(),
        Some(_) => {
            check.wrong_type("domains", "an array");
            Vec::new()
        }
    };
    if check.errors.is_empty() && (items.is_empty() || items.len() > 20) {
        check.error(
            "domains",
            "invalid_value",
            if items.is_empty() {
                "too_short"
            } else {
                "too_long"
            },
            "domains must hold 1 to 20 domains",
        );
    }
    let install = inst(state, &id);
    let mut names: Vec<(String, Option<String>)> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let field = format!("domains[{i}]");
        let Value::Object(item) = item else {
            check.wrong_type(&field, "an object");
            continue;
        };
        let mut one = Check::nested("Domain", &field, item);
        let name = one.req_str("name").map(|n| n.to_ascii_lowercase());
        let redirect = one.opt_str("redirect_to").map(|n| n.to_ascii_lowercase());
        if let Some(name) = &name {
            check_new_domain_name(state, &mut one, "name", name);
            if names.iter().any(|(n, _)| n == name) {
                one.error(
                    "name",
                    "invalid_value",
                    "duplicate",
                    &format!("{name} appears twice in the request"),
                );
            }
        }
        check.errors.append(&mut one.errors);
        if let Some(name) = name {
            names.push((name, redirect));
        }
    }
    for (i, (_, redirect)) in names.iter().enumerate() {
        let Some(target) = redirect else { continue };
        let in_request = names.iter().any(|(n, r)| n == target && r.is_none());
        let on_install = install
            .domains
            .iter()
            .any(|d| &d.name == target && d.redirect_to.is_none());
        if !in_request && !on_install {
            check.error(
                &format!("domains[{i}].redirect_to"),
                "invalid_value",
                "unknown_domain",
                &format!("{target} is neither in the request nor a non-redirecting domain of the install"),
            );
        }
    }
    check.finish()?;
    let ids: Vec<Uuid> = names.iter().map(|_| state.new_id()).collect();
    for (name, _) in &names {
        state.domain_names.insert(name.clone(), id);
    }
    let domains: Vec<DomainRec> = names
        .iter()
        .zip(&ids)
        .map(|((name, _), domain_id)| state.new_domain(*domain_id, name.clone(), None))
        .collect();
    let rec = inst_mut(state, &id);
    let first_new = rec.domains.len();
    rec.domains.extend(domains);
    for (offset, (_, redirect)) in names.iter().enumerate() {
        if let Some(target) = redirect {
            let target_id = rec.domains.iter().find(|d| &d.name == target).map(|d| d.id);
            rec.domains[first_new + offset].redirect_to = target_id;
        }
    }
    let install = inst(state, &id);
    let created: Vec<types::DomainOrRedirect> = install.domains[first_new..]
        .iter()
        .map(|d| {
            let target = d
                .redirect_to
                .and_then(|t| install.domains.iter().find(|x| x.id == t));
            types::DomainOrRedirect {
                extra: Default::default(),
                duplicate: false,
                id: d.id,
                name: d.name.clone(),
                primary: d.primary,
                redirects_to: target.map(|t| types::DomainRef {
                    extra: Default::default(),
                    id: Some(t.id),
                    name: Some(t.name.clone()),
                }),
            }
        })
        .collect();
    with_status(StatusCode::CREATED, types::BulkDomainsResult::new(created))
}

/// `GET /installs/{install_id}/domains/{domain_id}` (`getDomain`).
pub(crate) fn get_domain(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = install_id(state, req)?;
    let install = inst(state, &id);
    let index = domain_index(install, req)?;
    ok(domain_json(install, &install.domains[index]))
}

/// `PATCH /installs/{install_id}/domains/{domain_id}` (`updateDomain`).
pub(crate) fn update_domain(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = install_id(state, req)?;
    let index = domain_index(inst(state, &id), req)?;
    let body = req.json("Domain")?;
    let mut check = Check::new("Domain", &body);
    let primary = check.opt_bool("primary");
    let secure = check.opt_bool("secure_all_urls");
    let redirect_text = check.opt_str("redirect_to");
    let install = inst(state, &id);
    let this = &install.domains[index];
    // The string `nil` removes the redirect, as WP Engine's reference says
    // (the stand-in also takes an empty string).
    let redirect: Option<Option<Uuid>> = match redirect_text.as_deref() {
        None => None,
        Some("nil" | "") => Some(None),
        Some(text) => match Uuid::parse_str(text)
            .ok()
            .and_then(|t| install.domains.iter().find(|d| d.id == t))
        {
            None => {
                check.error(
                    "redirect_to",
                    "invalid_value",
                    "unknown_domain",
                    "redirect_to must be the ID of a domain of this install, or nil to remove the redirect",
                );
                None
            }
            Some(target) if target.id == this.id => {
                check.error(
                    "redirect_to",
                    "invalid_value",
                    "redirect_self",
                    "A domain cannot redirect to itself",
                );
                None
            }
            Some(target) if target.redirect_to.is_some() => {
                check.error(
                    "redirect_to",
                    "invalid_value",
                    "redirect_chain",
                    "redirect_to may not point at a domain that redirects itself",
                );
                None
            }
            Some(target) => Some(Some(target.id)),
        },
    };
    let will_redirect = redirect.unwrap_or(this.redirect_to).is_some();
    let will_be_primary = primary.unwrap_or(this.primary);
    if will_redirect && will_be_primary {
        check.error(
            "primary",
            "invalid_value",
            "redirect_primary",
            "A redirecting domain cannot be primary",
        );
    }
    if will_redirect
        && install
            .domains
            .iter()
            .any(|d| d.redirect_to == Some(this.id))
    {
        check.error(
            "redirect_to",
            "invalid_value",
            "redirect_chain",
            "Other domains redirect to this one, so it cannot redirect",
        );
    }
    check.finish()?;
    let rec = inst_mut(state, &id);
    if let Some(redirect) = redirect {
        rec.domains[index].redirect_to = redirect;
    }
    if let Some(secure) = secure {
        rec.domains[index].secure_all_urls = secure;
    }
    match primary {
        Some(true) => set_primary(rec, index),
        Some(false) => rec.domains[index].primary = false,
        None => {}
    }
    let install = inst(state, &id);
    ok(domain_json(install, &install.domains[index]))
}

/// `DELETE /installs/{install_id}/domains/{domain_id}` (`deleteDomain`).
pub(crate) fn delete_domain(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = install_id(state, req)?;
    let index = domain_index(inst(state, &id), req)?;
    let rec = inst_mut(state, &id);
    let domain_id = rec.domains[index].id;
    if rec.domains.iter().any(|d| d.redirect_to == Some(domain_id)) {
        return Err(Fail::field(
            "Domain",
            "domain_id",
            "invalid_value",
            "has_redirects",
            "Other domains redirect to this domain; remove those redirects first",
        ));
    }
    let removed = rec.domains.remove(index);
    state.domain_names.remove(&removed.name);
    empty(StatusCode::NO_CONTENT)
}

/// `POST /installs/{install_id}/domains/{domain_id}/check_status` (`checkStatus`).
pub(crate) fn check_status(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = install_id(state, req)?;
    let index = domain_index(inst(state, &id), req)?;
    let name = inst(state, &id).domains[index].name.clone();
    let report = state.new_id();
    state.reports.insert(
        report,
        ReportRec {
            install_id: id,
            domains: vec![name],
            created: req.now,
        },
    );
    with_status(
        StatusCode::ACCEPTED,
        types::DomainReport {
            extra: Default::default(),
            report_id: report,
        },
    )
}

/// `GET /installs/{install_id}/domains/check_status/{report_id}` (`getDomainReportStatus`).
pub(crate) fn get_domain_report_status(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = install_id(state, req)?;
    let report_id = req.id(4)?;
    let report = state
        .reports
        .get(&report_id)
        .filter(|r| r.install_id == id)
        .ok_or_else(Fail::not_found)?;
    let complete = report.created + req.shared.config.domain_report_delay <= req.now;
    let install = inst(state, &id);
    let domains: Vec<Value> = report
        .domains
        .iter()
        .map(|name| {
            let mut finding = json!({ "name": name, "complete": complete });
            if complete {
                let has_cert = install.certs.iter().any(|c| c.domains.contains(name));
                finding = json!({
                    "name": name,
                    "complete": true,
                    "result": "pointed_correctly",
                    "cname": cname(&install.name),
                    "a_record": A_RECORDS[0],
                    "dns_provider": "Example DNS",
                    "dns_error": false,
                    "install_name": install.name,
                    "cluster_id": "100432",
                    "http_error": false,
                    "ns": [{ "host": "ns1.example-dns.net" }, { "host": "ns2.example-dns.net" }],
                    "mx": [{ "Host": "mx.example.net", "Pref": 10 }],
                    "txt": ["v=spf1 -all"],
                    "ip": A_RECORDS,
                    "address": A_RECORDS,
                    "ssl": {
                        "status": if has_cert { "valid" } else { "missing" },
                        "issuer": "R3",
                        "common_name": name,
                        "dns_names": [name],
                    },
                });
            }
            finding
        })
        .collect();
    ok(json!({
        "report": {
            "complete": complete,
            "id": report_id.to_string(),
            "install_name": install.name,
            "install_ip": A_RECORDS[0],
            "admin": false,
            "domains": domains,
        }
    }))
}

/// The DNS name a domain's ownership TXT record is published at:
/// `_wpe_verification.<domain>`.
pub(crate) fn txt_record_name(domain: &str) -> String {
    format!("{TXT_VERIFICATION_KEY}.{domain}")
}

/// A DNS name as the stand-in keeps it: lower case, without a trailing dot.
pub(crate) fn normalize_dns_name(name: &str) -> String {
    name.trim().trim_end_matches('.').to_ascii_lowercase()
}

fn verification_json(rec: &DomainRec) -> types::DomainVerification {
    let verified = rec.txt_verified.is_some();
    types::DomainVerification {
        extra: Default::default(),
        id: Some(rec.id),
        name: Some(rec.name.clone()),
        txt_verified_time: rec.txt_verified.map(|t| t.to_rfc3339()),
        txt_verified_domain: Some(rec.name.clone()),
        txt_verification_key: (!verified).then(|| TXT_VERIFICATION_KEY.to_owned()),
        txt_verification_value: (!verified).then(|| rec.txt_value.clone()),
    }
}

/// `POST /installs/{install_id}/domains/{domain_id}/verification` (`verifyDomainTxtRecord`).
///
/// Looks the domain's TXT record up among the records published with
/// [`FakeServer::publish_txt_record`](super::FakeServer::publish_txt_record):
/// a record at `_wpe_verification.<domain>` (the domain's
/// `txt_verification_key` under its `txt_verified_domain`) holding the
/// domain's `txt_verification_value`. When it is there, the domain becomes
/// `TXT_VERIFIED` (`txt_verified_time` set, key and value null) and the
/// answer is `200` with that state; a domain already verified answers the
/// same. When it is not, the answer is a `400` whose message names the
/// record to publish and its value, with a `txt_verification_key` field
/// error coded `txt_record_not_found`, and the domain stays pending. (Upstream
/// documents no status for a missing record; the stand-in never answers
/// `200` with a null `txt_verified_time`.)
pub(crate) fn verify_domain_txt_record(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = install_id(state, req)?;
    let index = domain_index(inst(state, &id), req)?;
    let rec = &inst(state, &id).domains[index];
    if rec.txt_verified.is_none() {
        let record = txt_record_name(&rec.name);
        let published = state
            .txt_records
            .get(&record)
            .is_some_and(|values| values.contains(&rec.txt_value));
        if !published {
            let message = format!(
                "No TXT record {record} with the value {} was found; publish it and verify again",
                rec.txt_value
            );
            return Err(Fail::explained(
                StatusCode::BAD_REQUEST,
                "Domain",
                "txt_verification_key",
                "txt_record_not_found",
                message,
            ));
        }
        let at = state.wall(req.now);
        inst_mut(state, &id).domains[index].txt_verified = Some(at);
    }
    ok(verification_json(&inst(state, &id).domains[index]))
}

/// `POST /installs/{install_id}/domains/{domain_id}/sharing_link` (`createDomainSharingLink`).
///
/// Only domains on the `AN` or `GES` network have links; any other answers
/// `400`. Each call answers a new link, on the reserved `.invalid` domain
/// so that nothing can follow it.
pub(crate) fn create_domain_sharing_link(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = install_id(state, req)?;
    let index = domain_index(inst(state, &id), req)?;
    let network = inst(state, &id).domains[index].network_type;
    if !matches!(network, "AN" | "GES") {
        return Err(Fail::explained(
            StatusCode::BAD_REQUEST,
            "Domain",
            "network_type",
            "unsupported_network",
            format!("Sharing links are only for domains on the AN or GES network; this one is on {network}"),
        ));
    }
    let token = state.new_token();
    ok(types::SharingLink {
        extra: Default::default(),
        url: format!("https://domains.wpengine.invalid/share/{token}"),
    })
}
