//! Sites: create, list, read, rename, delete.

use wpe_api::types::Environment;

use crate::support::{account_named, assert_field_error, demo, served, status_of, Served};

pub async fn sites_lifecycle() -> Served {
    let (server, client) = demo().await;
    let agency = account_named(&client, "demoagency").await;
    let all = client.list_sites().send().await.unwrap();
    assert_eq!(
        all.count,
        Some(4),
        "three sites and demosandbox's sandbox site"
    );
    let agency_sites = client
        .list_sites()
        .account_id(agency.id)
        .send()
        .await
        .unwrap();
    assert_eq!(agency_sites.count, Some(2));
    let torque = agency_sites
        .results
        .iter()
        .find(|s| s.name == "Torque Magazine")
        .unwrap();
    let envs: Vec<_> = torque
        .installs
        .iter()
        .map(|i| i.environment.clone().unwrap())
        .collect();
    assert_eq!(
        envs,
        [
            Environment::Production,
            Environment::Staging,
            Environment::Development
        ]
    );

    let created = client
        .create_site()
        .body_map(|b| b.name("Launch Site").account_id(agency.id))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    assert_eq!(created.name, "Launch Site");
    assert!(created.installs.is_empty());
    let site_id = created.id;

    let install = client
        .create_install()
        .body_map(|b| {
            b.name("launchprod")
                .account_id(agency.id)
                .site_id(Some(site_id))
                .environment(Environment::Production)
        })
        .send()
        .await
        .unwrap();
    let site = client.get_site().site_id(site_id).send().await.unwrap();
    assert_eq!(site.installs.len(), 1);
    assert_eq!(site.installs[0].id, Some(install.id));

    let renamed = client
        .update_site()
        .site_id(site_id)
        .body_map(|b| b.name(Some("Launched".to_owned())))
        .send()
        .await
        .unwrap();
    assert_eq!(renamed.name, "Launched");
    assert_eq!(
        client
            .get_site()
            .site_id(site_id)
            .send()
            .await
            .unwrap()
            .name,
        "Launched"
    );
    let err = client
        .update_site()
        .site_id(site_id)
        .body_map(|b| b.name(Some("   ".to_owned())))
        .send()
        .await
        .unwrap_err();
    assert_field_error(&err, "name");
    let err = client
        .create_site()
        .body_map(|b| b.name("").account_id(agency.id))
        .send()
        .await
        .unwrap_err();
    assert_field_error(&err, "name");

    let deleted = client.delete_site().site_id(site_id).send().await.unwrap();
    assert_eq!(deleted.status().as_u16(), 204);
    let err = client.get_site().site_id(site_id).send().await.unwrap_err();
    assert_eq!(status_of(&err), 404);
    // Deleting a site deletes its installs.
    let err = client
        .get_install()
        .install_id(install.id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 404);
    assert_eq!(client.list_sites().send().await.unwrap().count, Some(4));
    served(&server)
}
