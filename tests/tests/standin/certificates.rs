//! SSL certificates: per install and per domain, ordered and imported.

use wpe_api::types::{CertSource, CertificateStatus};

use crate::support::{
    assert_field_error, demo, domains_of, install_named, served, status_of, Served,
};

pub async fn certificates() -> Served {
    let (server, client) = demo().await;
    let install = install_named(&client, "torquemag").await;
    let certs = client
        .get_install_certificates()
        .install_id(install.id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(certs.certificates.len(), 1);
    assert_eq!(
        certs.certificates[0].cert_source,
        Some(CertSource::LetsEncrypt)
    );
    assert_eq!(
        certs.certificates[0].status,
        Some(CertificateStatus::Enabled)
    );
    assert_eq!(certs.next_page_token.as_deref(), Some(""));

    let domains = domains_of(&client, install.id).await;
    let cert = client
        .get_domain_certificate()
        .install_id(install.id)
        .domain_id(domains[0].id.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(
        cert.certificate.as_ref().unwrap().domains,
        ["torquemag.io", "www.torquemag.io"]
    );

    let new_domain = client
        .create_domain()
        .install_id(install.id)
        .body_map(|b| b.name("secure.example.com"))
        .send()
        .await
        .unwrap()
        .into_inner();
    let err = client
        .get_domain_certificate()
        .install_id(install.id)
        .domain_id(new_domain.id.as_str())
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 404);
    let ordered = client
        .create_domain_certificate_order()
        .install_id(install.id)
        .domain_id(new_domain.id.as_str())
        .body_map(|b| {
            b.email_address("joe@example.com")
                .given_name("Joe")
                .family_name("Smith")
                .region_code("US")
        })
        .send()
        .await
        .unwrap();
    assert_eq!(ordered.status().as_u16(), 202);
    let cert = client
        .get_domain_certificate()
        .install_id(install.id)
        .domain_id(new_domain.id.as_str())
        .send()
        .await
        .unwrap()
        .into_inner()
        .certificate
        .unwrap();
    assert_eq!(cert.status, Some(CertificateStatus::Submitted));
    server.advance(server.config().certificate_issue_delay);
    let certs = client
        .get_install_certificates()
        .install_id(install.id)
        .send()
        .await
        .unwrap()
        .into_inner()
        .certificates;
    assert_eq!(certs.len(), 2);
    assert_eq!(certs[1].status, Some(CertificateStatus::Enabled));
    let paged = client
        .get_install_certificates()
        .install_id(install.id)
        .limit(1)
        .send()
        .await
        .unwrap();
    assert_eq!(paged.certificates.len(), 1);
    assert_eq!(paged.next_page_token.as_deref(), Some("1"));

    let err = client
        .create_domain_certificate_order()
        .install_id(install.id)
        .domain_id(new_domain.id.as_str())
        .body_map(|b| {
            b.email_address("not-an-email")
                .given_name("Joe")
                .family_name("Smith")
                .region_code("usa")
        })
        .send()
        .await
        .unwrap_err();
    assert_field_error(&err, "email_address");
    assert_field_error(&err, "region_code");

    let pem = wpe_api_tests::fixture("importThirdPartySSLCertificate");
    let imported = client
        .import_third_party_ssl_certificate()
        .install_id(install.id)
        .body_map(|b| {
            b.certificate(pem["certificate"].as_str().unwrap())
                .private_key(pem["private_key"].as_str().unwrap())
        })
        .send()
        .await
        .unwrap();
    assert!(imported
        .certificate
        .starts_with("-----BEGIN CERTIFICATE-----"));
    let certs = client
        .get_install_certificates()
        .install_id(install.id)
        .send()
        .await
        .unwrap()
        .into_inner()
        .certificates;
    assert_eq!(certs.len(), 3);
    assert_eq!(certs[2].cert_source, Some(CertSource::ThirdParty));
    let err = client
        .import_third_party_ssl_certificate()
        .install_id(install.id)
        .body_map(|b| {
            b.certificate("MIIB...")
                .private_key("-----BEGIN PRIVATE KEY-----")
        })
        .send()
        .await
        .unwrap_err();
    assert_field_error(&err, "certificate");
    assert_field_error(&err, "private_key");
    served(&server)
}
