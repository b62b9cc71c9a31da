//! Domains of an install, one at a time and in bulk, and domain status reports.

use std::time::Duration;

use uuid::Uuid;
use wpe_api::types;
use wpe_api::ApiErrorExt;

use crate::support::{
    assert_field_error, demo, domains_of, install_named, retry_after, status_of, Served,
};

pub async fn domains_lifecycle() -> Served {
    let (server, client) = demo().await;
    let torquemag = install_named(&client, "torquemag").await;
    let domains = domains_of(&client, torquemag.id).await;
    assert_eq!(domains.len(), 2);
    assert!(domains[0].primary);
    assert_eq!(
        domains[1].redirects_to[0].name.as_deref(),
        Some("torquemag.io")
    );

    let created = client
        .create_domain()
        .install_id(torquemag.id)
        .body_map(|b| b.name("torque.example.com").primary(Some(true)))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    assert!(created.primary);
    let new_id = created.id.clone();
    // One primary per install.
    let domains = domains_of(&client, torquemag.id).await;
    assert_eq!(domains.iter().filter(|d| d.primary).count(), 1);
    assert_eq!(
        client
            .get_install()
            .install_id(torquemag.id)
            .send()
            .await
            .unwrap()
            .primary_domain
            .as_deref(),
        Some("torque.example.com")
    );

    // Duplicates, here or on another install, are refused.
    for name in ["torque.example.com", "shop.example.com"] {
        let err = client
            .create_domain()
            .install_id(torquemag.id)
            .body_map(|b| b.name(name))
            .send()
            .await
            .unwrap_err();
        assert_field_error(&err, "name");
    }
    let err = client
        .create_domain()
        .install_id(torquemag.id)
        .body_map(|b| b.name("not a domain"))
        .send()
        .await
        .unwrap_err();
    assert_field_error(&err, "name");

    let fetched = client
        .get_domain()
        .install_id(torquemag.id)
        .domain_id(new_id.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(fetched.name, "torque.example.com");
    assert!(fetched.network_details.is_some());

    // Make torquemag.io primary again and point the new domain at it.
    let old_primary = domains.iter().find(|d| d.name == "torquemag.io").unwrap();
    let updated = client
        .update_domain()
        .install_id(torquemag.id)
        .domain_id(old_primary.id.as_str())
        .body_map(|b| b.primary(Some(true)).secure_all_urls(Some(true)))
        .send()
        .await
        .unwrap();
    assert!(updated.primary);
    let redirected = client
        .update_domain()
        .install_id(torquemag.id)
        .domain_id(new_id.as_str())
        .body_map(|b| b.redirect_to(Some(old_primary.id.clone())))
        .send()
        .await
        .unwrap();
    assert!(!redirected.primary);
    assert_eq!(
        redirected.redirects_to[0].id.as_deref(),
        Some(old_primary.id.as_str())
    );
    // A redirect cannot become primary.
    let err = client
        .update_domain()
        .install_id(torquemag.id)
        .domain_id(new_id.as_str())
        .body_map(|b| b.primary(Some(true)))
        .send()
        .await
        .unwrap_err();
    assert_field_error(&err, "primary");
    // A domain others redirect to cannot be deleted.
    let err = client
        .delete_domain()
        .install_id(torquemag.id)
        .domain_id(old_primary.id.as_str())
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 400);

    let deleted = client
        .delete_domain()
        .install_id(torquemag.id)
        .domain_id(new_id.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status().as_u16(), 204);
    let err = client
        .get_domain()
        .install_id(torquemag.id)
        .domain_id(new_id.as_str())
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 404);
    assert_eq!(domains_of(&client, torquemag.id).await.len(), 2);
    // The name can be used again, on another install.
    let shop = install_named(&client, "demoshop").await;
    client
        .create_domain()
        .install_id(shop.id)
        .body_map(|b| b.name("torque.example.com"))
        .send()
        .await
        .unwrap();
    server.served_operations()
}

pub async fn bulk_domains() -> Served {
    let (server, client) = demo().await;
    let install = install_named(&client, "demoshopstg").await;
    let created = client
        .create_bulk_domains()
        .install_id(install.id)
        .body_map(|b| {
            b.domains(vec![
                types::BulkDomain {
                    name: "stage.example.com".into(),
                    redirect_to: None,
                },
                types::BulkDomain {
                    name: "www.stage.example.com".into(),
                    redirect_to: Some("stage.example.com".into()),
                },
            ])
        })
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    let created = created.into_inner().domains;
    assert_eq!(created.len(), 2);
    assert_eq!(
        created[1].redirects_to.as_ref().unwrap().name.as_deref(),
        Some("stage.example.com")
    );
    let listed = domains_of(&client, install.id).await;
    assert_eq!(listed.len(), 2);
    assert_eq!(
        listed[1].redirects_to[0].id.as_deref(),
        Some(created[0].id.as_str())
    );

    // More than 20: refused, nothing created.
    let many: Vec<types::BulkDomain> = (0..21)
        .map(|i| types::BulkDomain {
            name: format!("d{i}.example.com"),
            redirect_to: None,
        })
        .collect();
    let err = client
        .create_bulk_domains()
        .install_id(install.id)
        .body_map(|b| b.domains(many))
        .send()
        .await
        .unwrap_err();
    assert_field_error(&err, "domains");
    // One bad entry refuses the whole request.
    let err = client
        .create_bulk_domains()
        .install_id(install.id)
        .body_map(|b| {
            b.domains(vec![
                types::BulkDomain {
                    name: "fine.example.com".into(),
                    redirect_to: None,
                },
                types::BulkDomain {
                    name: "stage.example.com".into(),
                    redirect_to: None,
                },
            ])
        })
        .send()
        .await
        .unwrap_err();
    assert_field_error(&err, "domains[1].name");
    assert_eq!(domains_of(&client, install.id).await.len(), 2);
    server.served_operations()
}

pub async fn domain_status_reports_and_rate_limit() -> Served {
    let (server, client) = demo().await;
    let install = install_named(&client, "torquemag").await;
    let domain = domains_of(&client, install.id).await.remove(0);
    let report = client
        .check_status()
        .install_id(install.id)
        .domain_id(domain.id.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(report.status().as_u16(), 202);
    let report_id = report.into_inner().report_id;
    let status = client
        .get_domain_report_status()
        .install_id(install.id)
        .report_id(report_id)
        .send()
        .await
        .unwrap()
        .into_inner()
        .report
        .unwrap();
    assert_eq!(status.complete, Some(false));
    assert_eq!(status.install_name.as_deref(), Some("torquemag"));

    // Once per 5 s per install.
    let err = client
        .check_status()
        .install_id(install.id)
        .domain_id(domain.id.as_str())
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 429);
    assert!(err.api_error().unwrap().message.contains("5 seconds"));
    assert_eq!(retry_after(&err), 5);
    // After a 429 the client holds back every call until Retry-After has
    // passed (`wpe_api::retry`), even without retries: go on with a fresh one.
    let client = server.client();
    // While the install is held back, a domain it does not have is still a 404.
    let err = client
        .check_status()
        .install_id(install.id)
        .domain_id(Uuid::nil().to_string().as_str())
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 404);

    server.advance(server.config().domain_report_delay);
    let status = client
        .get_domain_report_status()
        .install_id(install.id)
        .report_id(report_id)
        .send()
        .await
        .unwrap()
        .into_inner()
        .report
        .unwrap();
    assert_eq!(status.complete, Some(true));
    assert_eq!(status.domains[0].name.as_deref(), Some("torquemag.io"));
    assert_eq!(status.domains[0].complete, Some(true));
    assert_eq!(
        status.domains[0].cname.as_deref(),
        Some("torquemag.wpengine.com")
    );

    let err = client
        .check_status()
        .install_id(install.id)
        .domain_id(domain.id.as_str())
        .send()
        .await
        .unwrap_err();
    assert_eq!(retry_after(&err), 4);
    // After a 429 the client holds back every call until Retry-After has
    // passed (`wpe_api::retry`), even without retries: go on with a fresh one.
    let client = server.client();
    server.advance(Duration::from_secs(4));
    client
        .check_status()
        .install_id(install.id)
        .domain_id(domain.id.as_str())
        .send()
        .await
        .unwrap();

    // A report belongs to its install.
    let other = install_named(&client, "demoshop").await;
    let err = client
        .get_domain_report_status()
        .install_id(other.id)
        .report_id(report_id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 404);
    server.served_operations()
}
