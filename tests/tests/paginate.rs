//! Pagination streams against a server that lists installs, including
//! servers that misbehave: lying counts, foreign `next` links, ignored
//! offsets, items shifting mid-walk, errors mid-walk.

use std::collections::HashSet;
use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use wpe_api::paginate::{walk_accounts, PageMismatch};
use wpe_api::{PageOptions, Paginate};
use wpe_api_tests::paged::{account_of, install_id, Behaviour, PagedServer};
use wpe_api_tests::{fixture, Canned, RecordingServer};

fn ids(installs: &[wpe_api::types::Installation]) -> Vec<uuid::Uuid> {
    installs.iter().map(|i| i.id).collect()
}

fn offsets(server: &PagedServer) -> Vec<u64> {
    let mut offsets: Vec<u64> = server
        .requests()
        .iter()
        .map(|(q, _)| q.get("offset").map_or(0, |o| o.parse().unwrap()))
        .collect();
    offsets.sort_unstable();
    offsets
}

#[tokio::test]
async fn a_walk_yields_every_item_once_in_api_order() {
    let server = PagedServer::start(Behaviour {
        items: 1050,
        ..Default::default()
    })
    .await;
    let client = server.client();
    let installs = client.list_installs().collect_all().await.unwrap();
    assert_eq!(
        ids(&installs),
        (0..1050).map(install_id).collect::<Vec<_>>()
    );
    assert_eq!(
        offsets(&server),
        (0..11).map(|p| p * 100).collect::<Vec<_>>()
    );
    assert!(server
        .requests()
        .iter()
        .all(|(q, _)| q.get("limit").map(String::as_str) == Some("100")));
}

#[tokio::test]
async fn pages_after_the_first_are_fetched_concurrently_within_the_bound() {
    // The server holds each answer after the first until three requests are
    // in flight (or every page has been asked for).
    let server = PagedServer::start(Behaviour {
        items: 2000,
        hold_until_in_flight: 3,
        ..Default::default()
    })
    .await;
    let client = server.client();
    let walk = client
        .list_installs()
        .stream_with(PageOptions::default().concurrency(3))
        .try_collect::<Vec<_>>();
    // Only a client that never has three pages in flight waits here.
    let installs = tokio::time::timeout(Duration::from_secs(60), walk)
        .await
        .expect("the walk never had three pages in flight at once")
        .unwrap();
    assert_eq!(installs.len(), 2000);
    assert_eq!(
        server.max_in_flight(),
        3,
        "exactly the configured number in flight at peak"
    );
}

#[tokio::test]
async fn a_foreign_next_link_is_never_followed() {
    let server = PagedServer::start(Behaviour {
        items: 350,
        next_override: Some("http://127.0.0.2:9/v1/installs?limit=100&offset=100".into()),
        ..Default::default()
    })
    .await;
    let installs = server.client().list_installs().collect_all().await.unwrap();
    assert_eq!(installs.len(), 350);
    let host = server
        .base_url()
        .trim_start_matches("http://")
        .trim_end_matches("/v1")
        .to_owned();
    for (_, seen_host) in server.requests() {
        assert_eq!(
            seen_host.as_deref(),
            Some(host.as_str()),
            "every request went to the configured base URL"
        );
    }
}

#[tokio::test]
async fn a_server_that_ignores_offset_cannot_make_the_walk_loop() {
    // Every page is the first page, `next` points back at it, and count claims a million.
    let server = PagedServer::start(Behaviour {
        items: 1000,
        ignore_offset: true,
        count_override: Some(1_000_000),
        next_override: Some("SELF".into()),
        ..Default::default()
    })
    .await;
    let options = PageOptions::default().max_pages(50);
    let results: Vec<_> = server
        .client()
        .list_installs()
        .stream_with(options)
        .collect()
        .await;
    let installs: Vec<_> = results
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .cloned()
        .collect();
    assert_eq!(
        ids(&installs),
        (0..100).map(install_id).collect::<Vec<_>>(),
        "each item once"
    );
    // The second page brings nothing new: the walk ends there, with the error.
    let err = results.last().unwrap().as_ref().unwrap_err();
    assert!(
        matches!(
            err,
            wpe_api::Error::PageMismatch(PageMismatch::NothingNew { .. })
        ),
        "{err:?}"
    );
    assert!(
        server.requests().len() <= 5,
        "the first page and the 4 in flight at most: {}",
        server.requests().len()
    );
}

#[tokio::test]
async fn a_count_that_overstates_stops_at_the_first_empty_page() {
    let server = PagedServer::start(Behaviour {
        items: 250,
        count_override: Some(10_000),
        ..Default::default()
    })
    .await;
    let results: Vec<_> = server
        .client()
        .list_installs()
        .stream_with(PageOptions::default().concurrency(2))
        .collect()
        .await;
    assert_eq!(results.len(), 251, "every install, then the error");
    assert!(results[..250].iter().all(Result::is_ok));
    let err = results[250].as_ref().unwrap_err();
    assert!(
        matches!(
            err,
            wpe_api::Error::PageMismatch(PageMismatch::EmptyBeforeCount { .. })
        ),
        "{err:?}"
    );
    assert!(
        server.requests().len() <= 6,
        "stopped near the end, made {}",
        server.requests().len()
    );
}

#[tokio::test]
async fn a_count_is_an_upper_bound_on_the_walk() {
    let server = PagedServer::start(Behaviour {
        items: 350,
        count_override: Some(100),
        ..Default::default()
    })
    .await;
    let installs = server.client().list_installs().collect_all().await.unwrap();
    assert_eq!(ids(&installs), (0..100).map(install_id).collect::<Vec<_>>());
    assert_eq!(
        server.requests().len(),
        1,
        "offset 100 >= count 100: no second request"
    );
}

#[tokio::test]
async fn a_list_without_count_is_walked_until_a_short_page() {
    let server = PagedServer::start(Behaviour {
        items: 250,
        count_override: Some(-1),
        ..Default::default()
    })
    .await;
    let installs = server.client().list_installs().collect_all().await.unwrap();
    assert_eq!(ids(&installs), (0..250).map(install_id).collect::<Vec<_>>());
    assert_eq!(offsets(&server), [0, 100, 200]);
}

#[tokio::test]
async fn items_shifted_by_an_insert_mid_walk_are_not_yielded_twice() {
    // After the first page, 30 items appear at the front: every later page
    // starts 30 items earlier, repeating items already seen.
    let server = PagedServer::start(Behaviour {
        items: 500,
        insert_front_after_first: 30,
        ..Default::default()
    })
    .await;
    let installs = server
        .client()
        .list_installs()
        .stream_with(PageOptions::default().concurrency(1))
        .try_collect::<Vec<_>>()
        .await
        .unwrap();
    let unique: HashSet<_> = ids(&installs).into_iter().collect();
    assert_eq!(unique.len(), installs.len(), "no duplicates");
    // Items still within the first page's `count` were yielded; the last 30
    // were pushed past it by the insert (documented as possibly missed).
    for index in 0..470 {
        assert!(
            unique.contains(&install_id(index)),
            "install {index} missing"
        );
    }
}

#[tokio::test]
async fn an_error_mid_walk_ends_the_stream_after_the_items_before_it() {
    let server = PagedServer::start(Behaviour {
        items: 1000,
        fail_at_offset: Some(300),
        ..Default::default()
    })
    .await;
    let results: Vec<_> = server.client().list_installs().stream().collect().await;
    assert_eq!(results.len(), 301, "300 items then the error");
    assert!(results[..300].iter().all(Result::is_ok));
    let err = results[300].as_ref().unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
}

#[tokio::test]
async fn a_page_size_of_10_walks_95_items_in_10_requests() {
    let server = PagedServer::start(Behaviour {
        items: 95,
        ..Default::default()
    })
    .await;
    let installs = server
        .client()
        .list_installs()
        .stream_with(PageOptions::default().page_size(10))
        .try_collect::<Vec<_>>()
        .await
        .unwrap();
    assert_eq!(installs.len(), 95);
    assert_eq!(server.requests().len(), 10);
}

#[tokio::test]
async fn several_accounts_are_walked_at_once() {
    let server = PagedServer::start(Behaviour {
        items: 900,
        accounts: 3,
        ..Default::default()
    })
    .await;
    let client = server.client();
    let accounts: Vec<_> = (0..3).map(|i| account_of(i, 3)).collect();
    let installs: Vec<_> = walk_accounts(accounts.clone(), 3, PageOptions::default(), |id| {
        client.list_installs().account_id(id)
    })
    .try_collect()
    .await
    .unwrap();
    assert_eq!(installs.len(), 900);
    let unique: HashSet<_> = ids(&installs).into_iter().collect();
    assert_eq!(unique.len(), 900);
    for account in accounts {
        let of_account: Vec<_> = installs
            .iter()
            .filter(|i| i.account.id == account)
            .map(|i| i.id)
            .collect();
        let mut sorted = of_account.clone();
        sorted.sort();
        assert_eq!(
            of_account, sorted,
            "one account's installs stay in API order"
        );
    }
}

#[tokio::test]
async fn usage_pages_follow_the_token_and_stop_on_a_repeated_one() {
    let server = RecordingServer::start().await;
    let mut page = fixture("getAccountUsageMetrics");
    page["next_page_token"] = serde_json::json!("t1");
    server.respond(Canned::json(200, &page));
    page["environment_metrics"][0]["environment_name"] = serde_json::json!("second");
    page["next_page_token"] = serde_json::json!("t2");
    server.respond(Canned::json(200, &page));
    page["environment_metrics"][0]["environment_name"] = serde_json::json!("third");
    page["next_page_token"] = serde_json::json!("t1"); // a loop
    server.respond(Canned::json(200, &page));
    let client = server.client();
    let envs = client
        .get_account_usage_metrics()
        .account_id(uuid::Uuid::from_u128(1))
        .limit(1000)
        .collect_all()
        .await
        .unwrap();
    let names: Vec<_> = envs
        .iter()
        .map(|e| e.environment_name.clone().unwrap())
        .collect();
    assert_eq!(names, ["torquemag", "second", "third"]);
    let offsets: Vec<_> = server
        .requests()
        .iter()
        .map(|r| {
            r.query
                .iter()
                .find(|(k, _)| k == "offset")
                .map(|(_, v)| v.clone())
        })
        .collect();
    assert_eq!(offsets, [None, Some("t1".into()), Some("t2".into())]);
    assert!(server
        .requests()
        .iter()
        .all(|r| r.query.contains(&("limit".into(), "1000".into()))));
}

#[tokio::test]
async fn account_users_stream_from_one_response() {
    let server = RecordingServer::start().await;
    server.respond(Canned::json(200, &fixture("listAccountUsers")));
    let users = server
        .client()
        .list_account_users()
        .account_id(uuid::Uuid::from_u128(1))
        .collect_all()
        .await
        .unwrap();
    assert_eq!(users.len(), 1);
    assert_eq!(users[0].first_name, "Joe");
}

/// The operation table says which list answers an error instead of an empty
/// page (`x-wpe-paging.empty_status` and `empty_message`): only an install's
/// certificates, on a 404 saying "No SSL certs found".
#[test]
fn only_the_certificate_list_reads_an_error_status_as_empty() {
    use wpe_api::operations::{EmptyAnswer, Paging, OPERATIONS};
    let empty_on: Vec<(&str, u16, &str)> = OPERATIONS
        .iter()
        .filter_map(|op| match op.paging {
            Paging::Offset {
                empty: Some(EmptyAnswer { status, message }),
                ..
            } => Some((op.operation_id, status, message)),
            _ => None,
        })
        .collect();
    assert_eq!(
        empty_on,
        [("getInstallCertificates", 404, "No SSL certs found")]
    );
}

/// A 404 of the certificate list whose message is not the "none" one (a
/// missing install's plain 404, or a body that is no API error) ends the
/// stream with that error: it is not read as an empty list.
#[tokio::test]
async fn a_404_without_the_none_message_is_not_an_empty_certificate_list() {
    let install = uuid::Uuid::new_v4();
    let server = RecordingServer::start().await;
    let client = server.client();
    let op = wpe_api::operations::find("get_install_certificates").unwrap();
    for body in [
        serde_json::json!({ "message": "Not Found" }),
        serde_json::json!({ "error": "No SSL certs found, but not as a message" }),
    ] {
        server.respond(Canned::json(404, &body));
        let err = client
            .get_install_certificates()
            .install_id(install)
            .collect_all()
            .await
            .unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(404), "{body}");
        assert!(!op.is_empty_list_answer(&err), "{body}");
    }
    server.respond(Canned::json(
        404,
        &serde_json::json!({ "message": "No SSL certs found for environment 'quiet'" }),
    ));
    let err = client
        .get_install_certificates()
        .install_id(install)
        .send()
        .await
        .unwrap_err();
    assert!(op.is_empty_list_answer(&err));
    assert_eq!(
        op.empty_page_for(&err),
        Some(serde_json::json!({ "certificates": [] }))
    );
}

#[tokio::test]
async fn a_404_for_an_install_without_certificates_streams_as_no_certificates() {
    let install = uuid::Uuid::new_v4();
    let server = RecordingServer::start().await;
    let not_found = serde_json::json!({ "message": "No SSL certs found for environment 'quiet'" });
    server.respond(Canned::json(404, &not_found));
    let client = server.client();
    let certificates = client
        .get_install_certificates()
        .install_id(install)
        .collect_all()
        .await
        .unwrap();
    assert!(certificates.is_empty());
    assert_eq!(
        server.requests().len(),
        1,
        "one request, no retry or second page"
    );

    // `.send()` still reports the 404, for callers who need it.
    server.respond(Canned::json(404, &not_found));
    let err = client
        .get_install_certificates()
        .install_id(install)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));

    // Other failures of the same list stay errors.
    for status in [401u16, 403, 500] {
        server.respond(Canned::json(
            status,
            &serde_json::json!({ "message": "no" }),
        ));
        let err = client
            .get_install_certificates()
            .install_id(install)
            .collect_all()
            .await
            .unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
    }
    // And a 404 of a list without that rule is an error.
    server.respond(Canned::json(
        404,
        &serde_json::json!({ "message": "Not Found" }),
    ));
    let err = client.list_installs().collect_all().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
}
