//! Domains of an install: list, create, bulk create, read, patch, delete, domain status reports, TXT ownership verification and sharing links.

use serde_json::{json, Value};
use wpe_api::types;

use crate::support::{assert_request, serve_empty, serve_fixture, DOMAIN, INSTALL, REPORT};

#[tokio::test]
async fn list_domains_reads_domains_and_redirects() {
    let (server, client) = serve_fixture(200, "listDomains").await;
    let page = client
        .list_domains()
        .install_id(INSTALL)
        .limit(2)
        .send()
        .await
        .unwrap();
    assert_eq!(page.count, Some(2));
    assert!(page.results[0].primary);
    assert_eq!(
        page.results[1].redirects_to[0].name.as_deref(),
        Some("example.com")
    );
    assert_request(
        &server.single_request(),
        "GET",
        &format!("/v1/installs/{INSTALL}/domains"),
        &[("limit", "2")],
        Value::Null,
    );
}

#[tokio::test]
async fn create_domain_sends_name_and_primary() {
    let (server, client) = serve_fixture(201, "createDomain").await;
    let domain = client
        .create_domain()
        .install_id(INSTALL)
        .body_map(|body| body.name("example.com").primary(Some(true)))
        .send()
        .await
        .unwrap();
    assert_eq!(domain.id, DOMAIN.to_string());
    assert_eq!(domain.secure_all_urls, None);
    assert_request(
        &server.single_request(),
        "POST",
        &format!("/v1/installs/{INSTALL}/domains"),
        &[],
        json!({"name": "example.com", "primary": true}),
    );
}

#[tokio::test]
async fn create_bulk_domains_sends_the_list_and_reads_the_envelope() {
    let (server, client) = serve_fixture(201, "createBulkDomains").await;
    let domains = vec![
        types::BulkDomain {
            name: "example.com".into(),
            redirect_to: None,
        },
        types::BulkDomain {
            name: "www.example.com".into(),
            redirect_to: Some("example.com".into()),
        },
    ];
    let created = client
        .create_bulk_domains()
        .install_id(INSTALL)
        .body_map(|body| body.domains(domains))
        .send()
        .await
        .unwrap();
    assert_eq!(created.domains.len(), 2);
    assert_eq!(
        created.domains[1].id, "f52gb98f-ea80-4654-b229-a9b765d0863b",
        "non-UUID ids from the docs are accepted"
    );
    assert_eq!(
        created.domains[1]
            .redirects_to
            .as_ref()
            .unwrap()
            .name
            .as_deref(),
        Some("example.com")
    );
    assert_request(
        &server.single_request(),
        "POST",
        &format!("/v1/installs/{INSTALL}/domains/bulk"),
        &[],
        json!({"domains": [{"name": "example.com"}, {"name": "www.example.com", "redirect_to": "example.com"}]}),
    );
}

#[tokio::test]
async fn get_domain_reads_network_details() {
    let (server, client) = serve_fixture(200, "getDomain").await;
    let domain = client
        .get_domain()
        .install_id(INSTALL)
        .domain_id(DOMAIN)
        .send()
        .await
        .unwrap();
    let details = domain.network_details.as_ref().unwrap();
    assert_eq!(
        details.dns_config_info.as_ref().unwrap().a_records,
        vec!["141.193.213.10".to_owned()]
    );
    assert_eq!(domain.secure_all_urls, Some(true));
    assert_request(
        &server.single_request(),
        "GET",
        &format!("/v1/installs/{INSTALL}/domains/{DOMAIN}"),
        &[],
        Value::Null,
    );
}

#[tokio::test]
async fn update_domain_patches_flags() {
    let (server, client) = serve_fixture(200, "updateDomain").await;
    let target = "6977805b-1f65-4a5d-8d36-6fe609a4d9f3";
    let domain = client
        .update_domain()
        .install_id(INSTALL)
        .domain_id(DOMAIN)
        .body_map(|body| {
            body.primary(Some(true))
                .redirect_to(Some(target.to_owned()))
        })
        .send()
        .await
        .unwrap();
    assert!(domain.primary);
    assert_request(
        &server.single_request(),
        "PATCH",
        &format!("/v1/installs/{INSTALL}/domains/{DOMAIN}"),
        &[],
        json!({"primary": true, "redirect_to": target}),
    );
}

#[tokio::test]
async fn delete_domain_sends_delete() {
    let (server, client) = serve_empty(204).await;
    client
        .delete_domain()
        .install_id(INSTALL)
        .domain_id(DOMAIN)
        .send()
        .await
        .unwrap();
    assert_request(
        &server.single_request(),
        "DELETE",
        &format!("/v1/installs/{INSTALL}/domains/{DOMAIN}"),
        &[],
        Value::Null,
    );
}

#[tokio::test]
async fn check_status_returns_a_report_id() {
    let (server, client) = serve_fixture(202, "checkStatus").await;
    let report = client
        .check_status()
        .install_id(INSTALL)
        .domain_id(DOMAIN)
        .send()
        .await
        .unwrap();
    assert_eq!(report.report_id, REPORT);
    assert_request(
        &server.single_request(),
        "POST",
        &format!("/v1/installs/{INSTALL}/domains/{DOMAIN}/check_status"),
        &[],
        Value::Null,
    );
}

#[tokio::test]
async fn get_domain_report_status_reads_dns_findings() {
    let (server, client) = serve_fixture(200, "getDomainReportStatus").await;
    let status = client
        .get_domain_report_status()
        .install_id(INSTALL)
        .report_id(REPORT)
        .send()
        .await
        .unwrap();
    let report = status.into_inner().report.unwrap();
    assert_eq!(report.complete, Some(true));
    let domain = &report.domains[0];
    assert_eq!(domain.mx[0].host.as_deref(), Some("mx.example.net"));
    assert_eq!(domain.soa[0].minttl, Some(300));
    assert_eq!(domain.ssl.as_ref().unwrap().issuer.as_deref(), Some("R3"));
    assert_request(
        &server.single_request(),
        "GET",
        &format!("/v1/installs/{INSTALL}/domains/check_status/{REPORT}"),
        &[],
        Value::Null,
    );
}

#[tokio::test]
async fn verify_domain_txt_record_posts_without_a_body() {
    let (server, client) = serve_fixture(200, "verifyDomainTxtRecord").await;
    let verification = client
        .verify_domain_txt_record()
        .install_id(INSTALL)
        .domain_id(DOMAIN)
        .send()
        .await
        .unwrap();
    assert_eq!(verification.id, Some(DOMAIN));
    assert_eq!(
        verification.txt_verified_time.as_deref(),
        Some("2026-03-14T09:26:53Z")
    );
    assert_eq!(verification.txt_verification_key, None);
    assert_eq!(verification.txt_verification_value, None);
    assert_request(
        &server.single_request(),
        "POST",
        &format!("/v1/installs/{INSTALL}/domains/{DOMAIN}/verification"),
        &[],
        Value::Null,
    );
}

#[tokio::test]
async fn create_domain_sharing_link_posts_without_a_body() {
    let (server, client) = serve_fixture(200, "createDomainSharingLink").await;
    let link = client
        .create_domain_sharing_link()
        .install_id(INSTALL)
        .domain_id(DOMAIN)
        .send()
        .await
        .unwrap();
    assert_eq!(link.url, "https://share.example.net/dns/7f3c9a21d04b4e6f");
    assert_request(
        &server.single_request(),
        "POST",
        &format!("/v1/installs/{INSTALL}/domains/{DOMAIN}/sharing_link"),
        &[],
        Value::Null,
    );
}

#[tokio::test]
async fn domains_read_their_ownership_state() {
    let (_server, client) = serve_fixture(200, "listDomains").await;
    let page = client
        .list_domains()
        .install_id(INSTALL)
        .send()
        .await
        .unwrap();
    let pending = &page.results[1];
    assert_eq!(
        pending.ownership_status,
        Some(types::DomainOwnershipStatus::TxtVerificationPending)
    );
    assert_eq!(
        pending.txt_verification_key.as_deref(),
        Some("_wpe_verification")
    );
    assert_eq!(pending.txt_verified_time, None);
    // The first result predates the ownership fields.
    assert_eq!(page.results[0].ownership_status, None);
}
