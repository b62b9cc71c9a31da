//! SSL certificates: per install and per domain, ordered and imported.

use wpe_api::secret::PrivateKeyPem;
use wpe_api::types::{CertSource, CertificateStatus, ThirdPartyCertificate};
use wpe_api::Paginate;
use wpe_api_tests::base64_by_hand;

use crate::support::{
    assert_field_error, demo, domains_of, install_named, rejected_fields, served, status_of, Served,
};

/// A (made-up) certificate chain and key as PEM text.
const CHAIN_PEM: &str =
    "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n";
const KEY_PEM: &str =
    "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49\n-----END PRIVATE KEY-----\n";

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
        .domain_id(domains[0].id)
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
        .domain_id(new_domain.id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 404);
    let ordered = client
        .create_domain_certificate_order()
        .install_id(install.id)
        .domain_id(new_domain.id)
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
        .domain_id(new_domain.id)
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
        .domain_id(new_domain.id)
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
    assert_eq!(imported.certificate, pem["certificate"].as_str().unwrap());
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

/// The SSL certificates of an install, as the client lists them.
async fn certificate_count(client: &wpe_api::Client, install: uuid::Uuid) -> usize {
    client
        .get_install_certificates()
        .install_id(install)
        .send()
        .await
        .unwrap()
        .into_inner()
        .certificates
        .len()
}

/// Upstream's import takes base64-encoded PEM: encoded by hand it is
/// accepted and echoed as sent, and `ThirdPartyCertificate::from_pem` (and the
/// body builder's `certificate_pem`/`private_key_pem`) encode the same way
/// and decode back to the PEM text.
pub async fn third_party_import_takes_base64_pem() -> Served {
    let (server, client) = demo().await;
    let install = install_named(&client, "torquemag").await;
    let before = certificate_count(&client, install.id).await;

    let by_hand = ThirdPartyCertificate {
        extra: Default::default(),
        certificate: base64_by_hand(CHAIN_PEM.as_bytes()),
        private_key: PrivateKeyPem::new(base64_by_hand(KEY_PEM.as_bytes())).unwrap(),
    };
    let echoed = client
        .import_third_party_ssl_certificate()
        .install_id(install.id)
        .body(by_hand.clone())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (&echoed.certificate, &echoed.private_key),
        (&by_hand.certificate, &by_hand.private_key)
    );
    assert_eq!(echoed.certificate_pem().unwrap(), CHAIN_PEM);
    assert_eq!(echoed.private_key_pem().unwrap(), KEY_PEM);
    // The key is a secret (`x-wpe-secret`): Debug output never holds it.
    let shown = format!("{echoed:?} {by_hand:?}");
    assert!(shown.contains("PrivateKeyPem(<redacted>)"), "{shown}");
    assert!(!shown.contains(by_hand.private_key.expose()), "{shown}");

    let converted = ThirdPartyCertificate::from_pem(CHAIN_PEM, KEY_PEM);
    assert_eq!(
        (&converted.certificate, &converted.private_key),
        (&by_hand.certificate, &by_hand.private_key),
        "from_pem encodes as upstream expects"
    );
    let echoed = client
        .import_third_party_ssl_certificate()
        .install_id(install.id)
        .body(converted)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(echoed.certificate_pem().unwrap(), CHAIN_PEM);
    let echoed = client
        .import_third_party_ssl_certificate()
        .install_id(install.id)
        .body_map(|b| b.certificate_pem(CHAIN_PEM).private_key_pem(KEY_PEM))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (&echoed.certificate, &echoed.private_key),
        (&by_hand.certificate, &by_hand.private_key)
    );
    assert_eq!(echoed.private_key_pem().unwrap(), KEY_PEM);
    // Encoders that wrap base64 at 76 columns are fine too.
    let wrapped = base64_by_hand(CHAIN_PEM.as_bytes())
        .as_bytes()
        .chunks(76)
        .map(|line| std::str::from_utf8(line).unwrap())
        .collect::<Vec<_>>()
        .join("\n");
    client
        .import_third_party_ssl_certificate()
        .install_id(install.id)
        .body_map(|b| b.certificate(wrapped).private_key_pem(KEY_PEM))
        .send()
        .await
        .unwrap();

    let after = client
        .get_install_certificates()
        .install_id(install.id)
        .send()
        .await
        .unwrap()
        .into_inner()
        .certificates;
    assert_eq!(after.len(), before + 4);
    assert!(after[before..]
        .iter()
        .all(|c| c.cert_source == Some(CertSource::ThirdParty)));
    served(&server)
}

/// PEM text sent as is (what the old docs said) is refused with a field
/// error per field that says to base64-encode it and names the helper.
pub async fn third_party_import_refuses_raw_pem_saying_to_encode_it() -> Served {
    let (server, client) = demo().await;
    let install = install_named(&client, "torquemag").await;
    let before = certificate_count(&client, install.id).await;
    let err = client
        .import_third_party_ssl_certificate()
        .install_id(install.id)
        .body_map(|b| b.certificate(CHAIN_PEM).private_key(KEY_PEM))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    for field in ["certificate", "private_key"] {
        let error = err
            .field_errors()
            .iter()
            .find(|e| e.field.as_deref() == Some(field))
            .unwrap_or_else(|| panic!("no field error for {field}: {err:?}"));
        let message = error.message.as_deref().unwrap_or_default();
        assert!(message.contains("base64"), "{message}");
        assert!(
            message.contains("ThirdPartyCertificate::from_pem"),
            "{message}"
        );
    }
    // Only one of the two raw: only that one is named.
    let err = client
        .import_third_party_ssl_certificate()
        .install_id(install.id)
        .body_map(|b| b.certificate_pem(CHAIN_PEM).private_key(KEY_PEM))
        .send()
        .await
        .unwrap_err();
    let fields = rejected_fields(&err);
    assert_eq!(fields, ["private_key"]);
    assert_eq!(
        certificate_count(&client, install.id).await,
        before,
        "nothing imported"
    );
    served(&server)
}

/// Base64 that is not valid, or that decodes to something other than the
/// expected PEM block, is refused with a field error naming the field.
pub async fn third_party_import_refuses_base64_without_pem_inside() -> Served {
    let (server, client) = demo().await;
    let install = install_named(&client, "torquemag").await;
    let before = certificate_count(&client, install.id).await;
    let hello = base64_by_hand(b"hello\n");
    assert_eq!(hello, "aGVsbG8K", "upstream's own example value");
    let key_as_certificate = base64_by_hand(KEY_PEM.as_bytes());
    let cases = [
        (
            "certificate",
            hello.clone(),
            base64_by_hand(KEY_PEM.as_bytes()),
        ),
        (
            "certificate",
            key_as_certificate,
            base64_by_hand(KEY_PEM.as_bytes()),
        ),
        (
            "private_key",
            base64_by_hand(CHAIN_PEM.as_bytes()),
            "not base64 at all!".to_owned(),
        ),
        (
            "private_key",
            base64_by_hand(CHAIN_PEM.as_bytes()),
            base64_by_hand(&[0xff, 0xfe, 0x00]),
        ),
    ];
    for (field, certificate, private_key) in cases {
        let err = client
            .import_third_party_ssl_certificate()
            .install_id(install.id)
            .body(ThirdPartyCertificate {
                extra: Default::default(),
                certificate,
                private_key: PrivateKeyPem::new(private_key).unwrap(),
            })
            .send()
            .await
            .unwrap_err();
        let fields = rejected_fields(&err);
        assert_eq!(fields, [field], "{err:?}");
        assert_eq!(status_of(&err), 400);
    }
    assert_eq!(
        certificate_count(&client, install.id).await,
        before,
        "nothing imported"
    );
    served(&server)
}

/// An install ID that is not the caller's answers the plain 404 of every
/// install path, not the certificates' "none" 404: the page stream, which
/// reads only that one as an empty list, ends with the error.
pub async fn a_missing_install_is_a_404_that_is_not_an_empty_list() -> Served {
    let (server, client) = demo().await;
    let made_up = uuid::Uuid::from_u128(0x1111_2222_4333_8444_5555_6666_7777_8888);
    let err = client
        .get_install_certificates()
        .install_id(made_up)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 404);
    let message = &err.api_error().unwrap().message;
    assert!(!message.contains("No SSL certs found"), "{message}");
    let err = client
        .get_install_certificates()
        .install_id(made_up)
        .collect_all()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 404, "{err}");
    let op = wpe_api::operations::find("get_install_certificates").unwrap();
    assert!(!op.is_empty_list_answer(&err));
    assert!(op.empty_page_for(&err).is_none());
    served(&server)
}

/// As on the live API, an install without SSL certificates answers
/// `getInstallCertificates` with a 404 rather than an empty list; the page
/// stream reads that as no certificates, and lists them once there are some.
pub async fn no_certificates_is_a_404_and_an_empty_stream() -> Served {
    let (server, client) = demo().await;
    let install = install_named(&client, "demoshopstg").await;
    let err = client
        .get_install_certificates()
        .install_id(install.id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 404);
    let message = &err.api_error().unwrap().message;
    assert!(
        message.contains("No SSL certs found") && message.contains("demoshopstg"),
        "{message}"
    );

    let none = client
        .get_install_certificates()
        .install_id(install.id)
        .collect_all()
        .await
        .unwrap();
    assert!(none.is_empty());

    client
        .import_third_party_ssl_certificate()
        .install_id(install.id)
        .body(ThirdPartyCertificate::from_pem(CHAIN_PEM, KEY_PEM))
        .send()
        .await
        .unwrap();
    let some = client
        .get_install_certificates()
        .install_id(install.id)
        .collect_all()
        .await
        .unwrap();
    assert_eq!(some.len(), 1);
    assert_eq!(some[0].cert_source, Some(CertSource::ThirdParty));
    // An install that has certificates streams them as before.
    let torquemag = install_named(&client, "torquemag").await;
    let listed = client
        .get_install_certificates()
        .install_id(torquemag.id)
        .collect_all()
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    served(&server)
}
