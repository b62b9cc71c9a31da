//! SSL certificates: those of an install and of a domain, orders, and third-party imports.

use serde_json::{json, Value};
use wpe_api::types;
use wpe_api_tests::fixture;

use crate::support::{assert_request, serve_empty, serve_fixture, DOMAIN, INSTALL};

#[tokio::test]
async fn get_install_certificates_reads_typed_certificates() {
    let (server, client) = serve_fixture(200, "getInstallCertificates").await;
    let certs = client
        .get_install_certificates()
        .install_id(INSTALL)
        .limit(5)
        .offset(0u64)
        .send()
        .await
        .unwrap();
    let cert = &certs.certificates[0];
    assert_eq!(cert.cert_source, Some(types::CertSource::LetsEncrypt));
    assert_eq!(cert.status, Some(types::CertificateStatus::Enabled));
    assert_eq!(cert.domains.len(), 2);
    assert_request(
        &server.single_request(),
        "GET",
        &format!("/v1/installs/{INSTALL}/ssl_certificates"),
        &[("limit", "5"), ("offset", "0")],
        Value::Null,
    );
}

#[tokio::test]
async fn get_domain_certificate_reads_the_certificate() {
    let (server, client) = serve_fixture(200, "getDomainCertificate").await;
    let cert = client
        .get_domain_certificate()
        .install_id(INSTALL)
        .domain_id(DOMAIN)
        .send()
        .await
        .unwrap();
    assert_eq!(cert.certificate.as_ref().unwrap().id, Some(1234));
    assert_eq!(cert.criteria.as_deref(), Some("exact match"));
    assert_request(
        &server.single_request(),
        "GET",
        &format!("/v1/installs/{INSTALL}/domains/{DOMAIN}/ssl_certificate"),
        &[],
        Value::Null,
    );
}

#[tokio::test]
async fn create_domain_certificate_order_sends_the_contact() {
    let (server, client) = serve_empty(202).await;
    client
        .create_domain_certificate_order()
        .install_id(INSTALL)
        .domain_id(DOMAIN)
        .body_map(|body| {
            body.email_address("joe@example.com")
                .given_name("Joe")
                .family_name("Smith")
                .region_code("US")
        })
        .send()
        .await
        .unwrap();
    assert_request(
        &server.single_request(),
        "POST",
        &format!("/v1/installs/{INSTALL}/domains/{DOMAIN}/ssl_certificate"),
        &[],
        json!({"email_address": "joe@example.com", "given_name": "Joe", "family_name": "Smith", "region_code": "US"}),
    );
}

#[tokio::test]
async fn import_third_party_ssl_certificate_sends_base64_pem() {
    let (server, client) = serve_fixture(200, "importThirdPartySSLCertificate").await;
    let pem = fixture("importThirdPartySSLCertificate");
    let imported = client
        .import_third_party_ssl_certificate()
        .install_id(INSTALL)
        .body_map(|body| {
            body.certificate(pem["certificate"].as_str().unwrap())
                .private_key(pem["private_key"].as_str().unwrap())
        })
        .send()
        .await
        .unwrap();
    assert!(imported
        .certificate_pem()
        .unwrap()
        .starts_with("-----BEGIN CERTIFICATE-----"));
    assert!(imported
        .private_key_pem()
        .unwrap()
        .starts_with("-----BEGIN PRIVATE KEY-----"));
    assert_request(
        &server.single_request(),
        "POST",
        &format!("/v1/installs/{INSTALL}/ssl_certificates/third_party"),
        &[],
        pem,
    );
}
