//! Page streams against list servers whose pages and `count` disagree: a
//! server that caps its pages below the `limit` asked, one that overstates
//! or understates `count`, one that ignores `offset`; and the `limit` a
//! list builder carries into a walk. Also the base URL that carries
//! credentials.

use futures::StreamExt;
use proptest::prelude::*;
use serde_json::{json, Value};
use wpe_api::paginate::PageMismatch;
use wpe_api::retry::RetryPolicy;
use wpe_api::{Client, Error, PageOptions, Paginate};
use wpe_api_tests::hostile::{Hostile, Step};
use wpe_api_tests::paged::install_id;

/// What a list server's `count` says.
#[derive(Debug, Clone, Copy)]
enum Count {
    /// The real number of items.
    True,
    /// This number, whatever the real one.
    Says(u64),
    /// No `count` at all.
    Absent,
}

/// A list of installs, served as a misbehaving server may serve it.
#[derive(Debug, Clone, Copy)]
struct Lister {
    /// How many installs exist.
    items: usize,
    /// The most items a page holds, whatever `limit` asks for.
    cap: usize,
    /// What every page's `count` says.
    count: Count,
    /// Whether `offset` is read (else every page is the first).
    honours_offset: bool,
}

impl Lister {
    fn honest(items: usize) -> Self {
        Self {
            items,
            cap: 100,
            count: Count::True,
            honours_offset: true,
        }
    }

    fn serve(self) -> Hostile {
        Hostile::start(move |request, _| {
            let number = |name: &str| request.query(name).and_then(|v| v.parse::<usize>().ok());
            let limit = number("limit").unwrap_or(100);
            let offset = if self.honours_offset {
                number("offset").unwrap_or(0)
            } else {
                0
            };
            let results: Vec<Value> = (offset..self.items)
                .take(limit.min(self.cap))
                .map(install)
                .collect();
            let mut page = json!({"previous": null, "next": null, "results": results});
            match self.count {
                Count::True => page["count"] = json!(self.items),
                Count::Says(count) => page["count"] = json!(count),
                Count::Absent => {}
            }
            Step::json(200, &page)
        })
    }
}

fn install(index: usize) -> Value {
    json!({
        "id": install_id(index),
        "name": format!("install{index}"),
        "account": {"id": uuid::Uuid::from_u128(0xacc0_0000)},
        "status": "active",
    })
}

fn client(server: &Hostile) -> Client {
    server
        .client_builder()
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
}

/// The `offset` of every request, in the order the server read them.
fn offsets(server: &Hostile) -> Vec<usize> {
    server
        .requests()
        .iter()
        .map(|r| r.query("offset").map_or(0, |o| o.parse().unwrap()))
        .collect()
}

/// The items a stream yielded, and the error it ended with.
async fn walk(
    stream: wpe_api::PageStream<'_, wpe_api::types::Installation>,
) -> (Vec<uuid::Uuid>, Option<Error>) {
    let results: Vec<_> = stream.collect().await;
    let mut ids = Vec::new();
    let mut error = None;
    for (index, result) in results.into_iter().enumerate() {
        match result {
            Ok(install) => {
                assert!(error.is_none(), "item {index} after the error");
                ids.push(install.id);
            }
            Err(err) => {
                assert!(error.is_none(), "a second error: {err}");
                error = Some(err);
            }
        }
    }
    (ids, error)
}

fn first(n: usize) -> Vec<uuid::Uuid> {
    (0..n).map(install_id).collect()
}

#[tokio::test]
async fn a_server_capping_pages_at_50_is_walked_50_at_a_time() {
    let server = Lister {
        cap: 50,
        ..Lister::honest(250)
    }
    .serve();
    let installs = client(&server).list_installs().collect_all().await.unwrap();
    let ids: Vec<_> = installs.iter().map(|i| i.id).collect();
    assert_eq!(ids, first(250), "every install, in API order");
    let mut asked = offsets(&server);
    asked.sort_unstable();
    assert_eq!(asked, [0, 50, 100, 150, 200]);
}

#[tokio::test]
async fn a_server_ignoring_offset_ends_the_walk_with_an_error_in_a_handful_of_requests() {
    let server = Lister {
        items: 1000,
        count: Count::Says(1_000_000),
        honours_offset: false,
        ..Lister::honest(0)
    }
    .serve();
    let client = client(&server);
    let (ids, error) = walk(client.list_installs().stream()).await;
    assert_eq!(ids, first(100), "the first page once");
    let error = error.expect("the walk ends with an error");
    assert!(
        server.requests().len() <= 5,
        "the first page and at most the 4 in flight: {} requests",
        server.requests().len()
    );
    assert!(
        matches!(
            error,
            Error::PageMismatch(PageMismatch::NothingNew {
                offset: 100,
                count: Some(1_000_000),
                yielded: 100,
                ..
            })
        ),
        "{error:?}"
    );
    assert!(
        error.to_string().starts_with(
            "the list's pages stopped bringing new items: the page at offset 100 holds only items already yielded"
        ),
        "{error}"
    );
}

#[tokio::test]
async fn an_overstated_count_ends_with_an_error_after_every_real_item() {
    let server = Lister {
        count: Count::Says(10_000),
        ..Lister::honest(250)
    }
    .serve();
    let (ids, error) = walk(client(&server).list_installs().stream()).await;
    assert_eq!(ids, first(250));
    let error = error.expect("the walk ends with an error");
    assert!(
        matches!(
            error,
            Error::PageMismatch(PageMismatch::EmptyBeforeCount {
                offset: 250,
                count: 10_000,
                yielded: 250,
                ..
            })
        ),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "the list ended before its count: the page at offset 250 is empty, but the server counts \
         10000 items (250 yielded); if the list shrank during the walk, walk it again; if this \
         repeats, the server's count is wrong"
    );
}

#[tokio::test]
async fn a_walk_stopped_by_max_pages_ends_with_the_error() {
    let server = Lister::honest(250).serve();
    let (ids, error) = walk(
        client(&server)
            .list_installs()
            .stream_with(PageOptions::default().page_size(50).max_pages(2)),
    )
    .await;
    assert_eq!(ids, first(100));
    let error = error.expect("the walk ends with an error, not in silence");
    assert!(
        matches!(
            error,
            Error::PageMismatch(PageMismatch::MaxPages {
                pages: 2,
                yielded: 100,
                ..
            })
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains("raise max_pages"), "{error}");
    assert_eq!(server.requests().len(), 2);
}

/// The same disagreement is the same error, whichever way the list is walked.
#[tokio::test]
async fn every_way_of_walking_ends_with_the_same_error() {
    let server = Lister {
        cap: 30,
        count: Count::Says(100),
        ..Lister::honest(70)
    }
    .serve();
    let client = client(&server);
    let expected = PageMismatch::EmptyBeforeCount {
        offset: 70,
        count: 100,
        yielded: 70,
    };
    let mismatch = |err: Error| match err {
        Error::PageMismatch(mismatch) => mismatch,
        other => panic!("not a page mismatch: {other:?}"),
    };

    let err = client.list_installs().collect_all().await.unwrap_err();
    assert_eq!(mismatch(err), expected, "collect_all");

    for (how, stream) in [
        ("stream", client.list_installs().stream()),
        (
            "stream_with",
            client
                .list_installs()
                .stream_with(PageOptions::default().concurrency(1)),
        ),
    ] {
        let (ids, error) = walk(stream).await;
        assert_eq!(ids, first(70), "{how}");
        assert_eq!(mismatch(error.expect(how)), expected, "{how}");
    }

    let list = wpe_api::operations::find("list_installs").unwrap();
    let args = wpe_api::operations::Args::new();
    let results: Vec<_> = wpe_api::operations::stream(&client, list, &args, PageOptions::default())
        .unwrap()
        .collect()
        .await;
    assert_eq!(
        results.len(),
        71,
        "operations::stream: 70 installs, then the error"
    );
    assert_eq!(results[69].as_ref().unwrap()["name"], "install69");
    let err = results.into_iter().last().unwrap().unwrap_err();
    assert_eq!(mismatch(err), expected, "operations::stream");
}

#[tokio::test]
async fn a_builder_limit_is_the_page_size_of_the_walk() {
    let server = Lister::honest(25).serve();
    let client = client(&server);
    let installs = client
        .list_installs()
        .limit(10)
        .collect_all()
        .await
        .unwrap();
    assert_eq!(installs.len(), 25);
    let limits: Vec<_> = server
        .requests()
        .iter()
        .map(|r| r.query("limit").unwrap_or_default())
        .collect();
    assert_eq!(limits, ["10", "10", "10"]);
    let mut asked = offsets(&server);
    asked.sort_unstable();
    assert_eq!(asked, [0, 10, 20]);
}

#[tokio::test]
async fn a_builder_offset_is_where_the_walk_starts() {
    let server = Lister::honest(250).serve();
    let client = client(&server);
    let installs = client
        .list_installs()
        .offset(120)
        .limit(50)
        .collect_all()
        .await
        .unwrap();
    let ids: Vec<_> = installs.iter().map(|i| i.id).collect();
    assert_eq!(ids, (120..250).map(install_id).collect::<Vec<_>>());
    let mut asked = offsets(&server);
    asked.sort_unstable();
    assert_eq!(asked, [120, 170, 220]);
}

#[tokio::test]
async fn a_page_size_of_the_options_wins_over_the_builder_limit() {
    let server = Lister::honest(12).serve();
    let client = client(&server);
    let (ids, error) = walk(
        client
            .list_installs()
            .limit(10)
            .stream_with(PageOptions::default().page_size(5).concurrency(1)),
    )
    .await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(ids, first(12));
    assert!(server
        .requests()
        .iter()
        .all(|r| r.query("limit").as_deref() == Some("5")));
    assert_eq!(offsets(&server), [0, 5, 10]);
}

#[tokio::test]
async fn a_builder_limit_the_api_refuses_is_an_error_before_any_request() {
    let server = Lister::honest(25).serve();
    let client = client(&server);
    let err = client
        .list_installs()
        .limit(101)
        .collect_all()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    assert!(err.to_string().contains("limit"), "{err}");
    assert!(server.requests().is_empty());
}

#[test]
fn a_base_url_with_credentials_is_refused_without_printing_them() {
    for url in [
        // Parses.
        "https://apiuser:TopSecretPw1@api.wpengineapi.com/v1",
        // Does not parse: an invalid port; a '/' in the password; no scheme.
        "https://apiuser:TopSecretPw1@api.wpengineapi.com:99999/v1",
        "https://apiuser:Top/SecretPw1@api.wpengineapi.com/v1",
        "apiuser:TopSecretPw1@api.wpengineapi.com/v1",
        "https:apiuser:TopSecretPw1@api.wpengineapi.com/v1",
    ] {
        let err = Client::builder()
            .credentials(wpe_api::Credentials::new("u", "p"))
            .base_url(url)
            .build()
            .unwrap_err();
        assert!(
            matches!(err, wpe_api::ConfigError::InvalidBaseUrl { .. }),
            "{url}: {err:?}"
        );
        for text in [err.to_string(), format!("{err:?}")] {
            for secret in ["apiuser", "TopSecretPw1", "Top/Secret", "SecretPw1"] {
                assert!(!text.contains(secret), "{url}: {secret} printed: {text}");
            }
            assert!(text.contains("***@api.wpengineapi.com"), "{url}: {text}");
        }
    }
}

/// One walk of `lister`'s list on a runtime of its own: the ids yielded, the
/// error it ended with, and how many requests the server read.
fn walk_once(lister: Lister, options: PageOptions) -> (Vec<uuid::Uuid>, Option<Error>, usize) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let server = lister.serve();
    let client = client(&server);
    let (ids, error) = runtime.block_on(walk(client.list_installs().stream_with(options)));
    (ids, error, server.requests().len())
}

fn lister() -> impl Strategy<Value = Lister> {
    (
        0usize..=150,
        prop_oneof![1usize..=10, 10usize..=120],
        0u8..4,
        0u64..1000,
        any::<bool>(),
    )
        .prop_map(|(items, cap, kind, n, honours_offset)| {
            let items_u64 = items as u64;
            let count = match kind {
                0 => Count::True,
                // Overstated.
                1 => Count::Says(items_u64 + 1 + n),
                // Understated (or true).
                2 => Count::Says(n % (items_u64 + 1)),
                _ => Count::Absent,
            };
            Lister {
                items,
                cap,
                count,
                honours_offset,
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Whatever the server's page cap, `count` and handling of `offset`:
    /// the walk ends in a bounded number of requests, yields a prefix of the
    /// list in API order (so each item at most once), and yields every item
    /// or ends with the error, but where the server's `count` understates
    /// the list (the walk ends at the count) or is absent (a short page ends
    /// the walk: nothing says more items exist). A server that ignores
    /// `offset` ends the walk with the error after its first page, unless
    /// that page is the whole list.
    #[test]
    fn a_walk_yields_every_item_once_or_ends_with_the_error(
        lister in lister(),
        page_size in prop_oneof![1u16..=10, 10u16..=100],
        concurrency in 1usize..=4,
    ) {
        let options = PageOptions::default().page_size(page_size).concurrency(concurrency);
        let (ids, error, requests) = walk_once(lister, options);
        prop_assert_eq!(&ids, &first(ids.len()), "a prefix, in API order, each item once");
        prop_assert!(
            requests <= ids.len() + 1 + 2 * concurrency,
            "{} requests for {} items", requests, ids.len()
        );
        let all = ids.len() == lister.items;
        match (&error, lister.count) {
            (Some(err), _) => prop_assert!(is_mismatch(err), "{:?}", err),
            (None, Count::True) => prop_assert!(all, "{} of {} items and no error", ids.len(), lister.items),
            (None, Count::Says(count)) if count as usize >= lister.items => {
                prop_assert!(all, "{} of {} items and no error", ids.len(), lister.items)
            }
            (None, Count::Says(count)) => prop_assert!(
                ids.len() >= count as usize,
                "an understated count {} ends the walk, not before it: {} items", count, ids.len()
            ),
            (None, Count::Absent) => {}
        }
        if lister.honours_offset {
            match lister.count {
                Count::True => prop_assert!(all && error.is_none()),
                Count::Says(count) if count as usize > lister.items => {
                    prop_assert!(all && error.is_some(), "an overstated count is an error after every item")
                }
                // Without a count, a short page ends the walk.
                Count::Absent => prop_assert!(
                    error.is_none() && (all || lister.cap < usize::from(page_size))
                ),
                _ => {}
            }
        }
    }
}

fn is_mismatch(err: &Error) -> bool {
    matches!(err, Error::PageMismatch(_))
}
