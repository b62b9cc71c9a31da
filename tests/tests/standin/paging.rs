//! Paging by `limit` and `offset` through large seeds of installs.

use std::time::Duration;

use serde_json::Value;
use wpe_api::fake::{FakeConfig, FakeServer, Seed, DEMO_PASSWORD, DEMO_USER};

use crate::support::{raw, raw_fields, served, Served};

pub async fn paging_through_250_installs() -> Served {
    let server = FakeServer::start(FakeConfig::with_seed(Seed::Installs(250))).await;
    let client = server.client();
    let base = server.base_url().to_owned();
    let account = client.list_accounts().send().await.unwrap().results[0].id;

    let mut names = Vec::new();
    let mut offset = 0u64;
    let mut pages = Vec::new();
    loop {
        let page = client
            .list_installs()
            .offset(offset)
            .send()
            .await
            .unwrap()
            .into_inner();
        assert_eq!(page.count, Some(250));
        names.extend(page.results.iter().map(|i| i.name.clone()));
        pages.push((page.results.len(), page.previous.clone(), page.next.clone()));
        match page.next {
            Some(next) => {
                offset = next.rsplit_once("offset=").unwrap().1.parse().unwrap();
            }
            None => break,
        }
    }
    assert_eq!(
        pages,
        [
            (
                100,
                None,
                Some(format!("{base}/installs?limit=100&offset=100"))
            ),
            (
                100,
                Some(format!("{base}/installs?limit=100&offset=0")),
                Some(format!("{base}/installs?limit=100&offset=200"))
            ),
            (
                50,
                Some(format!("{base}/installs?limit=100&offset=100")),
                None
            ),
        ]
    );
    let expected: Vec<String> = (0..250).map(|i| format!("i{i:07}")).collect();
    assert_eq!(names, expected, "every install once, in order");

    // The next URL can be fetched as is, and keeps the account filter.
    let page = client
        .list_installs()
        .account_id(account)
        .limit(30)
        .offset(240u64)
        .send()
        .await
        .unwrap();
    assert_eq!(page.results.len(), 10);
    assert_eq!(page.next, None);
    assert_eq!(
        page.previous.as_deref(),
        Some(format!("{base}/installs?account_id={account}&limit=30&offset=210").as_str())
    );
    let next = client
        .list_installs()
        .limit(7)
        .send()
        .await
        .unwrap()
        .into_inner()
        .next
        .unwrap();
    let raw_next = reqwest::Client::new()
        .get(&next)
        .basic_auth(DEMO_USER, Some(DEMO_PASSWORD))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(raw_next["results"][0]["name"], "i0000007");
    assert_eq!(raw_next["results"].as_array().unwrap().len(), 7);

    // Past the end: an empty page.
    let empty = client.list_installs().offset(1000u64).send().await.unwrap();
    assert!(empty.results.is_empty());
    assert_eq!(empty.count, Some(250));

    // limit above 100: the client refuses, and so does the server.
    let (status, body) = raw(&server, reqwest::Method::GET, "/installs?limit=101", None).await;
    assert_eq!(status, 400);
    assert_eq!(raw_fields(&body), ["limit"]);
    let (status, _) = raw(&server, reqwest::Method::GET, "/accounts?offset=-1", None).await;
    assert_eq!(status, 400);
    served(&server)
}

#[tokio::test]
async fn a_hundred_thousand_installs_seed_and_page_quickly() {
    let started = std::time::Instant::now();
    let server = FakeServer::start(FakeConfig::with_seed(Seed::Installs(100_000))).await;
    let client = server.client();
    let last = client
        .list_installs()
        .offset(99_990u64)
        .send()
        .await
        .unwrap();
    assert_eq!(last.count, Some(100_000));
    assert_eq!(last.results.len(), 10);
    assert_eq!(last.results[9].name, "i0099999");
    let created = client
        .create_install()
        .body_map(|b| b.name("onemore").account_id(last.results[0].account.id))
        .send()
        .await
        .unwrap();
    client
        .get_install()
        .install_id(created.id)
        .send()
        .await
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
}

/// The lists added with 1.21.2 (backups, archives, site transfers of a site
/// and of an account) walked with `Paginate` two at a time: every item once,
/// in the stand-in's order, over several pages.
pub async fn streams_of_the_1_21_2_lists() -> Served {
    use futures::TryStreamExt;
    use wpe_api::{PageOptions, Paginate};

    let (server, client) = crate::support::demo().await;
    let two = PageOptions::default().page_size(2);
    let torquemag = crate::support::install_named(&client, "torquemag").await;

    let mut backups = Vec::new();
    for n in 0..5 {
        let backup = client
            .create_backup()
            .install_id(torquemag.id)
            .body_map(move |b| {
                b.description(format!("backup {n}"))
                    .notification_emails(vec!["ops@example.com".to_owned()])
            })
            .send()
            .await
            .unwrap();
        backups.push(backup.into_inner().id);
    }
    let listed: Vec<_> = client
        .list_backups()
        .install_id(torquemag.id)
        .stream_with(two)
        .map_ok(|b| b.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(listed, backups, "five backups over three pages");

    server.advance(server.config().backup_step_delay * 2);
    for backup in &backups[..3] {
        let backup = *backup;
        client
            .create_archive()
            .install_id(torquemag.id)
            .body_map(move |b| {
                b.backup_id(backup)
                    .notification_emails(vec!["ops@example.com".to_owned()])
            })
            .send()
            .await
            .unwrap();
    }
    let archived: Vec<_> = client
        .list_archives()
        .install_id(torquemag.id)
        .stream_with(two)
        .map_ok(|a| a.backup.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(archived, backups[..3], "three archives over two pages");

    // One open transfer per site: three in a row, each cancelled before the next.
    let agency = crate::support::account_named(&client, "demoagency").await;
    let destination = crate::support::account_named(&client, "democlient").await;
    let site = torquemag.site.as_ref().expect("torquemag's site").id;
    let mut transfers = Vec::new();
    for _ in 0..3 {
        let transfer = client
            .create_site_transfer()
            .site_id(site)
            .body_map(move |b| b.destination_account_id(destination.id))
            .send()
            .await
            .unwrap()
            .into_inner();
        client
            .cancel_site_transfer()
            .site_id(site)
            .transfer_id(transfer.id)
            .send()
            .await
            .unwrap();
        transfers.push(transfer.id);
    }
    let of_site: Vec<_> = client
        .list_site_transfers()
        .site_id(site)
        .stream_with(two)
        .map_ok(|t| t.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(of_site, transfers);
    let of_account: Vec<_> = client
        .list_account_site_transfers()
        .account_id(agency.id)
        .stream_with(two)
        .map_ok(|t| t.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(of_account, transfers);
    served(&server)
}

/// Every offset-paged list of an install or of sites answers at most 100
/// rows when no `limit` is sent, takes `limit=100`, and refuses `limit=101`
/// with a 400 naming `limit` (sent raw: the typed client refuses it first),
/// as WP Engine's reference says of each. Each list is first filled past 100.
pub async fn offset_lists_default_to_100_and_refuse_more() -> Served {
    use wpe_api::types;

    let (server, client) = crate::support::demo().await;
    let torquemag = crate::support::install_named(&client, "torquemag").await;
    let staging = crate::support::install_named(&client, "demoshopstg").await;
    let agency = crate::support::account_named(&client, "demoagency").await;
    let emails = || vec!["ops@example.com".to_owned()];

    // More than 100 of each.
    for batch in 0..6 {
        let domains = (0..20)
            .map(|i| types::BulkDomain {
                name: format!("d{batch}x{i}.paging.example.com"),
                redirect_to: None,
            })
            .collect::<Vec<_>>();
        client
            .create_bulk_domains()
            .install_id(staging.id)
            .body_map(|b| b.domains(domains))
            .send()
            .await
            .unwrap();
    }
    for n in 0..101 {
        client
            .create_site()
            .body_map(|b| b.name(format!("Paged {n}")).account_id(agency.id))
            .send()
            .await
            .unwrap();
    }
    let mut backups = Vec::new();
    for n in 0..101 {
        let backup = client
            .create_backup()
            .install_id(torquemag.id)
            .body_map(|b| {
                b.description(format!("backup {n}"))
                    .notification_emails(emails())
            })
            .send()
            .await
            .unwrap();
        backups.push(backup.into_inner().id);
    }
    server.advance(server.config().backup_step_delay * 2);
    for _ in 0..101 {
        let backup = backups[0];
        client
            .create_archive()
            .install_id(torquemag.id)
            .body_map(|b| b.backup_id(backup).notification_emails(emails()))
            .send()
            .await
            .unwrap();
    }
    let rules = (0..101)
        .map(|n| types::CacheExclusion {
            extra: Default::default(),
            type_: types::CacheExclusionType::UrlPath,
            value: format!("/paged-{n}/"),
        })
        .collect::<Vec<_>>();
    client
        .update_cache_exclusions()
        .install_id(torquemag.id)
        .body_map(|b| b.exclusions(rules))
        .send()
        .await
        .unwrap();
    let pem = |text: &str| wpe_api_tests::base64_by_hand(text.as_bytes());
    let certificate = types::ThirdPartyCertificate {
        extra: Default::default(),
        certificate: pem("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"),
        private_key: wpe_api::secret::PrivateKeyPem::new(pem(
            "-----BEGIN PRIVATE KEY-----\nMIGH\n-----END PRIVATE KEY-----\n",
        ))
        .unwrap(),
    };
    for _ in 0..101 {
        client
            .import_third_party_ssl_certificate()
            .install_id(torquemag.id)
            .body(certificate.clone())
            .send()
            .await
            .unwrap();
    }

    // Without a limit: the first 100, with a next page of 100 more.
    let domains = client
        .list_domains()
        .install_id(staging.id)
        .send()
        .await
        .unwrap();
    assert_eq!((domains.count, domains.results.len()), (Some(120), 100));
    let sites = client
        .list_sites()
        .account_id(agency.id)
        .send()
        .await
        .unwrap();
    assert_eq!((sites.count, sites.results.len()), (Some(103), 100));
    let listed_backups = client
        .list_backups()
        .install_id(torquemag.id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        (listed_backups.count, listed_backups.results.len()),
        (Some(101), 100)
    );
    let archives = client
        .list_archives()
        .install_id(torquemag.id)
        .send()
        .await
        .unwrap();
    assert_eq!((archives.count, archives.results.len()), (Some(101), 100));
    let exclusions = client
        .list_cache_exclusions()
        .install_id(torquemag.id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        (exclusions.count, exclusions.results.len()),
        (Some(103), 100)
    );
    for next in [
        &domains.next,
        &sites.next,
        &listed_backups.next,
        &archives.next,
        &exclusions.next,
    ] {
        let next = next.as_deref().expect("a next page");
        assert!(next.ends_with("limit=100&offset=100"), "{next}");
    }
    let certificates = client
        .get_install_certificates()
        .install_id(torquemag.id)
        .send()
        .await
        .unwrap();
    assert_eq!(certificates.certificates.len(), 100);
    assert_eq!(certificates.next_page_token.as_deref(), Some("100"));

    // limit=100 is taken, limit=101 refused.
    let t = torquemag.id;
    for path in [
        format!("/installs/{}/domains", staging.id),
        format!("/sites?account_id={}", agency.id),
        format!("/installs/{t}/backups"),
        format!("/installs/{t}/archives"),
        format!("/installs/{t}/cache_exclusions"),
        format!("/installs/{t}/ssl_certificates"),
    ] {
        let join = if path.contains('?') { '&' } else { '?' };
        let (status, _) = raw(
            &server,
            reqwest::Method::GET,
            &format!("{path}{join}limit=100"),
            None,
        )
        .await;
        assert_eq!(status, 200, "{path}");
        let (status, body) = raw(
            &server,
            reqwest::Method::GET,
            &format!("{path}{join}limit=101"),
            None,
        )
        .await;
        assert_eq!(
            (status, raw_fields(&body)),
            (400, vec!["limit".to_owned()]),
            "{path}"
        );
    }
    served(&server)
}
