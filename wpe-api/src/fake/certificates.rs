//! SSL certificates of an install: listing, per domain, Let's Encrypt orders and third-party imports.

use axum::http::StatusCode;
use tokio::time::Instant;

use super::check::{valid_email, Check};
use super::hashes::fnv;
use super::paging::page_params;
use super::reply::{empty, ok, Fail, Reply};
use super::request::{domain_index, inst, inst_mut, install_id, Req};
use super::state::{CertRec, InstallRec, State};
use crate::types::{self, CertSource, CertificateStatus};

fn cert_json(
    state: &State,
    install: &InstallRec,
    rec: &CertRec,
    now: Instant,
) -> types::Certificate {
    let enabled = rec.issued_at.is_none_or(|at| at <= now);
    let approved = match rec.issued_at {
        None => Some(rec.ordered_time + chrono::Duration::hours(1)),
        Some(at) if at <= now => Some(state.wall(at)),
        Some(_) => None,
    };
    let account = state
        .accounts
        .get(&install.account_id)
        .map(|a| a.name.clone());
    types::Certificate {
        extra: Default::default(),
        account,
        approved_time: approved.map(|t| t.to_rfc3339()),
        approver_email: rec.approver_email.clone(),
        auth_file: None,
        auto_renew: Some(rec.source == CertSource::LetsEncrypt),
        cancel_time: None,
        cert_source: Some(rec.source.clone()),
        common_name: rec.domains.first().cloned(),
        domains: rec.domains.clone(),
        expires_time: Some((rec.ordered_time + chrono::Duration::days(90)).to_rfc3339()),
        id: Some(rec.id),
        ordered_time: Some(rec.ordered_time.to_rfc3339()),
        serial_number: Some(rec.serial_number.clone()),
        status: Some(if enabled {
            CertificateStatus::Enabled
        } else {
            CertificateStatus::Submitted
        }),
        wildcard: Some(rec.domains.iter().any(|d| d.starts_with("*."))),
    }
}

/// `GET /installs/{install_id}/ssl_certificates` (`getInstallCertificates`).
pub(crate) fn get_install_certificates(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = install_id(state, req)?;
    let page = page_params(req, 100)?;
    let install = inst(state, &id);
    if install.certs.is_empty() {
        // The live API has no empty list here: an install without
        // certificates is a 404 (worded as upstream's example).
        return Err(Fail::new(
            StatusCode::NOT_FOUND,
            format!("No SSL certs found for environment '{}'", install.name),
        ));
    }
    let certificates: Vec<types::Certificate> = install
        .certs
        .iter()
        .skip(page.offset)
        .take(page.limit)
        .map(|c| cert_json(state, install, c, req.now))
        .collect();
    let next = if page.limit > 0 && page.offset + page.limit < install.certs.len() {
        (page.offset + page.limit).to_string()
    } else {
        String::new()
    };
    ok(types::InstallSslCertificatesResponse {
        extra: Default::default(),
        certificates,
        next_page_token: Some(next),
    })
}

/// `GET /installs/{install_id}/domains/{domain_id}/ssl_certificate` (`getDomainCertificate`).
pub(crate) fn get_domain_certificate(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = install_id(state, req)?;
    let install = inst(state, &id);
    let index = domain_index(install, req)?;
    let name = &install.domains[index].name;
    let cert = install
        .certs
        .iter()
        .rev()
        .find(|c| c.domains.contains(name))
        .ok_or_else(|| Fail::new(StatusCode::NOT_FOUND, "No certificate serves this domain"))?;
    ok(types::DomainCertificate {
        extra: Default::default(),
        cert_info: None,
        cert_name: cert.domains.first().cloned(),
        certificate: Some(cert_json(state, install, cert, req.now)),
        criteria: Some("exact match".to_owned()),
    })
}

/// `POST /installs/{install_id}/domains/{domain_id}/ssl_certificate` (`createDomainCertificateOrder`).
pub(crate) fn create_domain_certificate_order(
    state: &mut State,
    req: &Req<'_>,
) -> Result<Reply, Fail> {
    let id = install_id(state, req)?;
    let index = domain_index(inst(state, &id), req)?;
    let body = req.json("CertificateOrder")?;
    let mut check = Check::new("CertificateOrder", &body);
    let email = check.req_str("email_address");
    if email.as_deref().is_some_and(|e| !valid_email(e)) {
        check.error(
            "email_address",
            "invalid_value",
            "invalid_email",
            "email_address is not a valid email address",
        );
    }
    check.req_str("given_name");
    check.req_str("family_name");
    let region = check.req_str("region_code");
    if region
        .as_deref()
        .is_some_and(|r| r.len() != 2 || !r.bytes().all(|b| b.is_ascii_uppercase()))
    {
        check.error(
            "region_code",
            "invalid_value",
            "invalid_region",
            "region_code must be an ISO 3166 country code such as US",
        );
    }
    for field in ["state", "city", "phone"] {
        check.opt_str(field);
    }
    check.finish()?;
    let cert_id = state.next_cert_id;
    state.next_cert_id += 1;
    let serial = format!("{:032x}", fnv(&[id.as_bytes(), &cert_id.to_be_bytes()]));
    let ordered = state.wall(req.now);
    let issued = req.now + req.shared.config.certificate_issue_delay;
    let rec = inst_mut(state, &id);
    let name = rec.domains[index].name.clone();
    rec.certs.push(CertRec {
        id: cert_id,
        source: CertSource::LetsEncrypt,
        domains: vec![name],
        ordered_time: ordered,
        issued_at: Some(issued),
        approver_email: email,
        serial_number: serial,
    });
    empty(StatusCode::ACCEPTED)
}

fn pem_ok(text: &str, label: &str) -> bool {
    text.contains(&format!("-----BEGIN {label}-----"))
        && text.contains(&format!("-----END {label}-----"))
}

/// Checks that `field` holds a base64-encoded PEM file with one of `labels`
/// (as upstream documents the import), adding a field error that says what
/// to send when it does not.
fn check_base64_pem(check: &mut Check<'_>, field: &str, value: Option<&str>, labels: &[&str]) {
    let Some(value) = value else { return };
    let wanted = format!("-----BEGIN {}-----", labels[0]);
    if value.contains("-----BEGIN") {
        check.error(
            field,
            "invalid_value",
            "not_base64",
            &format!(
                "{field} must be the PEM file base64-encoded, not PEM text: base64-encode the whole file \
                 (the Rust client's ThirdPartyCertificate::from_pem does it)"
            ),
        );
        return;
    }
    match crate::certificates::decode_pem(value) {
        Err(e) => check.error(
            field,
            "invalid_value",
            "not_base64",
            &format!("{field} must be a base64-encoded PEM file: {e}"),
        ),
        Ok(pem) if !labels.iter().any(|label| pem_ok(&pem, label)) => check.error(
            field,
            "invalid_value",
            "invalid_pem",
            &format!("{field} decodes from base64 but holds no PEM {wanted} … block"),
        ),
        Ok(_) => {}
    }
}

/// `POST /installs/{install_id}/ssl_certificates/third_party` (`importThirdPartySSLCertificate`).
pub(crate) fn import_third_party_ssl_certificate(
    state: &mut State,
    req: &Req<'_>,
) -> Result<Reply, Fail> {
    let id = install_id(state, req)?;
    let body = req.json("ThirdPartyCertificate")?;
    let mut check = Check::new("ThirdPartyCertificate", &body);
    let certificate = check.req_str("certificate");
    let key = check.req_str("private_key");
    check_base64_pem(
        &mut check,
        "certificate",
        certificate.as_deref(),
        &["CERTIFICATE"],
    );
    check_base64_pem(
        &mut check,
        "private_key",
        key.as_deref(),
        &["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"],
    );
    check.finish()?;
    let cert_id = state.next_cert_id;
    state.next_cert_id += 1;
    let ordered = state.wall(req.now);
    let rec = inst_mut(state, &id);
    let domains: Vec<String> = rec
        .domains
        .iter()
        .filter(|d| d.redirect_to.is_none())
        .map(|d| d.name.clone())
        .collect();
    rec.certs.push(CertRec {
        id: cert_id,
        source: CertSource::ThirdParty,
        domains,
        ordered_time: ordered,
        issued_at: None,
        approver_email: None,
        serial_number: format!(
            "{:032x}",
            fnv(&[certificate.as_deref().unwrap_or("").as_bytes()])
        ),
    });
    ok(types::ThirdPartyCertificate {
        extra: Default::default(),
        certificate: certificate.unwrap_or_default(),
        private_key: crate::secret::PrivateKeyPem(key.unwrap_or_default()),
    })
}
