//! Bodies against a hostile server: cut off, far larger than announced or
//! than any answer of the API, never ending, or carrying terminal escape
//! sequences. An answer keeps its status whatever its body does, memory
//! stays near the client's caps (measured in a child process,
//! `hostile-call`), and what an error prints is bounded and inert.

use std::time::Duration;

use proptest::prelude::*;
use serde_json::json;
use uuid::Uuid;
use wpe_api::clock::VirtualClock;
use wpe_api::retry::RetryPolicy;
use wpe_api::Error;
use wpe_api_tests::hostile::{child_call, ChildCall, Hostile, Step};

const MIB: u64 = 1 << 20;
const GIB: u64 = 1 << 30;

/// The child process that makes one call and reports its peak memory.
const CALL: &str = env!("CARGO_BIN_EXE_hostile-call");

/// A client of `server` that sends each call once.
fn once(server: &Hostile) -> wpe_api::Client {
    server
        .client_builder()
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
}

/// A client of `server` with the default retries, on a virtual clock.
fn retrying(server: &Hostile) -> wpe_api::Client {
    server
        .client_builder()
        .retry_policy(RetryPolicy::default().clock(VirtualClock::new()))
        .build()
        .unwrap()
}

async fn create_backup(client: &wpe_api::Client) -> Result<(), Error> {
    client
        .create_backup()
        .install_id(Uuid::nil())
        .body_map(|b| {
            b.description("hostile")
                .notification_emails(vec!["ops@example.com".to_owned()])
        })
        .send()
        .await
        .map(drop)
}

/// One call of `operation` in the child process (30 s timeout), its
/// figures printed under `label`.
fn measured(label: &str, server: &Hostile, operation: &str, retries: bool) -> ChildCall {
    let call = child_call(CALL, &server.base_url(), operation, retries, 30_000);
    eprintln!(
        "{label}: {call:?}, server sent {} bytes",
        server.bytes_sent()
    );
    call
}

/// The child's peak memory stayed under `peak` bytes, and the server could
/// write fewer than `sent` (what the client read, and socket buffers).
fn assert_bounded(call: &ChildCall, server: &Hostile, peak: u64, sent: u64) {
    assert!(call.peak_kib * 1024 < peak, "peak {} KiB", call.peak_kib);
    assert!(server.bytes_sent() < sent, "sent {}", server.bytes_sent());
}

/// A head, `body` and then the connection closed.
fn head_then(status: u16, headers: &[(&str, &str)], body: &[u8]) -> Vec<Step> {
    vec![
        Step::head(status, headers),
        Step::Send(body.to_vec()),
        Step::Close,
    ]
}

/// `size` bytes of `x` announced by `Content-Length` (or by nothing, the
/// end of the body being the connection's).
fn huge(status: u16, size: u64, with_length: bool) -> Vec<Step> {
    let length = size.to_string();
    let mut headers = vec![("content-type", "application/json")];
    if with_length {
        headers.push(("content-length", &length));
    } else {
        headers.push(("connection", "close"));
    }
    vec![
        Step::head(status, &headers),
        Step::Repeat {
            chunk: vec![b'x'; 64 * 1024],
            total: size,
        },
        Step::Close,
    ]
}

#[tokio::test]
async fn an_error_body_that_breaks_off_keeps_its_status_and_what_arrived() {
    let sent = br#"{"message": "install is busy, try"#;
    let server = Hostile::always(head_then(
        409,
        &[
            ("content-type", "application/json"),
            ("content-length", "200"),
        ],
        sent,
    ));
    for (name, client, is_get) in [
        ("POST without retries", once(&server), false),
        ("GET with retries", retrying(&server), true),
    ] {
        let before = server.requests().len();
        let err = if is_get {
            client.list_accounts().send().await.map(drop).unwrap_err()
        } else {
            create_backup(&client).await.unwrap_err()
        };
        assert_eq!(err.status().map(|s| s.as_u16()), Some(409), "{name}: {err}");
        assert!(matches!(err, Error::ErrorResponse(_)), "{name}: {err:?}");
        assert_eq!(err.response().unwrap().body(), sent, "{name}");
        let text = err.to_string();
        assert!(
            text.starts_with("409 Conflict: {\"message\": \"install is busy, try"),
            "{name}: {text}"
        );
        assert!(
            text.contains(&format!(
                "the body broke off after {} of 200 bytes",
                sent.len()
            )),
            "{name}: {text}"
        );
        assert_eq!(
            server.requests().len() - before,
            1,
            "{name}: a 409 is not retried, cut off or not"
        );
    }
}

#[test]
fn an_error_body_that_stalls_keeps_its_status_when_the_timeout_ends_it() {
    let server = Hostile::always(vec![
        Step::head(409, &[("content-length", "200")]),
        Step::Send(b"{\"message\": \"busy".to_vec()),
        Step::Hang,
    ]);
    let call = child_call(CALL, &server.base_url(), "create_backup", false, 500);
    assert_eq!(call.status, Some(409), "{call:?}");
    assert!(
        call.outcome
            .starts_with("409 Conflict: {\"message\": \"busy")
            && call.outcome.contains("timed out after 17 of 200 bytes"),
        "{call:?}"
    );
}

#[test]
fn a_success_body_that_stalls_is_ended_by_the_timeout() {
    let server = Hostile::always(vec![
        Step::head(202, &[("content-length", "200")]),
        Step::Send(b"{\"id\": ".to_vec()),
        Step::Hang,
    ]);
    let call = child_call(CALL, &server.base_url(), "create_backup", false, 500);
    assert_eq!(call.status, None, "{call:?}");
    assert!(call.timed_out, "{call:?}");
}

#[test]
fn a_1_gib_error_answer_is_read_only_to_the_error_cap() {
    let server = Hostile::always(huge(500, GIB, true));
    let call = measured("1 GiB 500", &server, "create_backup", false);
    assert_eq!(call.status, Some(500), "{call:?}");
    assert!(
        call.outcome.starts_with("500 Internal Server Error: xxxx")
            && call.outcome.contains("body cut at 1 MiB"),
        "{call:?}"
    );
    assert_bounded(&call, &server, 100 * MIB, 64 * MIB);
}

#[test]
fn a_1_gib_success_is_refused_by_its_content_length() {
    let server = Hostile::always(huge(200, GIB, true));
    let call = measured("1 GiB 200 with length", &server, "list_accounts", true);
    assert_eq!(call.status, Some(200), "{call:?}");
    assert!(
        call.outcome.contains("1073741824 bytes")
            && call.outcome.contains("the client's limit of 64 MiB")
            && call.outcome.contains("max_body_bytes"),
        "{call:?}"
    );
    assert_eq!(
        server.requests().len(),
        1,
        "a body too large is not retried"
    );
    assert_bounded(&call, &server, 100 * MIB, 64 * MIB);
}

#[test]
fn a_1_gib_success_without_a_length_is_cut_at_the_cap() {
    let server = Hostile::always(huge(200, GIB, false));
    let call = measured("1 GiB 200 without length", &server, "create_backup", false);
    assert_eq!(call.status, Some(200), "{call:?}");
    assert!(
        call.outcome.starts_with("200 OK: xxxx")
            && call.outcome.contains("the client's limit of 64 MiB"),
        "{call:?}"
    );
    // The cap itself, the binary, the runtime: near 64 MiB, nowhere near 1 GiB.
    assert_bounded(&call, &server, 160 * MIB, 160 * MIB);
}

#[test]
fn a_success_streaming_forever_is_cut_at_the_cap() {
    let server = Hostile::always(vec![
        Step::head(200, &[("connection", "close")]),
        Step::Forever(vec![b' '; 64 * 1024]),
    ]);
    let call = measured("200 forever", &server, "list_accounts", true);
    assert_eq!(call.status, Some(200), "{call:?}");
    assert!(
        call.outcome.starts_with("200 OK (blank body) [body cut at 64 MiB]: the answer passes the client's limit of 64 MiB"),
        "{call:?}"
    );
    assert_eq!(
        server.requests().len(),
        1,
        "a body too large is not retried"
    );
    assert!(call.peak_kib < 160 * 1024, "peak {} KiB", call.peak_kib);
}

#[test]
fn a_512_mib_503_on_a_get_is_read_to_the_error_cap_at_each_attempt() {
    let length = (512 * MIB).to_string();
    let server = Hostile::always(vec![
        Step::head(503, &[("content-length", &length), ("retry-after", "0")]),
        Step::Repeat {
            chunk: vec![b'x'; 64 * 1024],
            total: 512 * MIB,
        },
    ]);
    let call = measured("512 MiB 503 x5", &server, "list_accounts", true);
    assert_eq!(call.status, Some(503), "{call:?}");
    assert!(
        call.outcome.contains("body cut at 1 MiB") && call.outcome.contains("[after 5 attempts]"),
        "{call:?}"
    );
    assert_eq!(server.requests().len(), 5);
    // What five attempts could make the server write: the cap each, and
    // what socket buffers take; not 5 x 512 MiB.
    assert_bounded(&call, &server, 100 * MIB, 5 * 64 * MIB);
}

#[tokio::test]
async fn a_message_of_most_of_a_mebibyte_is_shortened_in_the_message_and_kept_whole() {
    // Under the 1 MiB error cap, JSON and field error included.
    let message = "a".repeat(900_000);
    let server = Hostile::always(Step::json(
        400,
        &json!({
            "message": message,
            "errors": [{"resource": "install", "field": "name".repeat(1000), "type": "invalid", "message": "b".repeat(100_000)}]
        }),
    ));
    let err = create_backup(&once(&server)).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    assert_eq!(err.api_error().unwrap().message, message, "kept whole");
    let text = err.to_string();
    assert!(
        text.starts_with("400 Bad Request: aaaa"),
        "{}",
        &text[..100]
    );
    assert!(
        text.len() < 1000,
        "the message is {} bytes long",
        text.len()
    );
    assert!(text.contains("a ...; name"), "{text}");
    assert!(text.ends_with("bbb ..."), "{text}");
    assert!(format!("{err:?}").len() < 8000, "Debug is bounded too");
}

#[tokio::test]
async fn a_1_mib_message_passes_the_error_cap_and_is_shown_bounded() {
    let message = "a".repeat(MIB as usize);
    let server = Hostile::always(Step::json(400, &json!({ "message": message })));
    let err = create_backup(&once(&server)).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    let response = err.response().unwrap();
    assert_eq!(response.body().len(), MIB as usize, "kept up to the cap");
    assert_eq!(
        response.cut(),
        Some(wpe_api::error::BodyCut::TooLarge {
            limit: MIB,
            declared: Some(MIB + 14)
        })
    );
    let text = err.to_string();
    assert!(text.len() < 400, "the message is {} bytes long", text.len());
    assert!(
        text.starts_with(r#"400 Bad Request: {"message":"aaaa"#)
            && text.ends_with("... [body cut at 1 MiB of 1048590 bytes]"),
        "{text}"
    );
}

#[tokio::test]
async fn escape_sequences_are_shown_escaped_never_sent_to_the_terminal() {
    let evil = "\u{1b}[2J\u{1b}]0;pwned\u{7}cleared\u{9b}31m\u{202e}txt.exe";
    let server = Hostile::start(move |_, index| match index {
        0 => Step::json(
            422,
            &json!({
                "message": evil,
                "errors": [{"resource": "install", "field": evil, "type": "invalid", "message": evil}]
            }),
        ),
        _ => Step::answer(502, &[("content-type", "text/html")], evil.as_bytes()),
    });
    let client = once(&server);
    for _ in 0..2 {
        let err = create_backup(&client).await.unwrap_err();
        let text = err.to_string();
        for bad in ['\u{1b}', '\u{7}', '\u{9b}', '\u{202e}'] {
            assert!(!text.contains(bad), "{bad:?} in {text:?}");
            assert!(!format!("{err:?}").contains(bad), "{bad:?} in Debug");
        }
        assert!(
            text.contains(r"\u{1b}[2J\u{1b}]0;pwned\u{7}cleared\u{9b}31m\u{202e}txt.exe"),
            "{text}"
        );
    }
}

#[tokio::test]
async fn formatting_an_error_at_the_cap_reads_only_its_start() {
    // A body of exactly the error cap whose first megabyte is blank: the
    // excerpt looks at the start, not at the whole body.
    let mut body = vec![b' '; MIB as usize - 9];
    body.extend_from_slice(b"tail-text");
    let server = Hostile::always(Step::answer(500, &[], &body));
    let err = create_backup(&once(&server)).await.unwrap_err();
    assert_eq!(
        err.response().unwrap().body().len(),
        MIB as usize,
        "not cut: at the cap"
    );
    let text = err.to_string();
    assert!(!text.contains("tail-text"), "{text}");
    assert!(text.starts_with("500 Internal Server Error: ..."), "{text}");
}

/// How an answer's `Content-Length` may disagree with its body.
#[derive(Debug, Clone)]
struct Mismatch {
    status: u16,
    declared: usize,
    sent: usize,
}

fn mismatch() -> impl Strategy<Value = Mismatch> {
    (
        prop::sample::select(vec![200u16, 202, 404, 409, 500, 503]),
        0usize..120,
        0usize..120,
    )
        .prop_map(|(status, declared, sent)| Mismatch {
            status,
            declared,
            sent,
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    /// Whatever the `Content-Length` says against what arrives before the
    /// connection closes: no panic, an error answer keeps its status and at
    /// most what was declared, and the call ends at once.
    #[test]
    fn a_content_length_that_lies_never_loses_an_error_status(case in mismatch()) {
        let body: Vec<u8> = br#"{"message":"nope","id":"x"}"#.iter().copied().cycle().take(case.sent).collect();
        let declared = case.declared.to_string();
        let server = Hostile::always(head_then(case.status, &[("content-length", &declared)], &body));
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        // A client per call: bytes past a short `Content-Length` must not
        // meet the next call on a reused connection.
        let client = || {
            server
                .client_builder()
                .retry_policy(RetryPolicy::default().clock(VirtualClock::new()))
                .timeout(Duration::from_secs(20))
                .build()
                .unwrap()
        };
        let (get, post) = runtime.block_on(async {
            let get = client().list_accounts().send().await.map(drop);
            let post = create_backup(&client()).await;
            (get, post)
        });
        for result in [get, post] {
            let Err(err) = result else { continue };
            let text = err.to_string();
            if case.status >= 400 {
                prop_assert_eq!(err.status().map(|s| s.as_u16()), Some(case.status), "{}", text);
                let kept = err.response().unwrap().body();
                prop_assert!(kept.len() <= case.declared.min(case.sent), "{}", text);
                prop_assert!(body.starts_with(kept));
                if case.sent < case.declared {
                    prop_assert!(text.contains("broke off"), "{}", text);
                }
            } else {
                prop_assert!(!matches!(err, Error::ErrorResponse(_)), "{}", text);
            }
            prop_assert!(!text.is_empty());
        }
    }
}

/// A page of accounts whose JSON is `size` bytes long.
fn accounts_page(size: usize) -> Vec<u8> {
    let page = |name: &str| {
        json!({
            "previous": null, "next": null, "count": 1,
            "results": [{"id": Uuid::nil(), "name": name}]
        })
        .to_string()
    };
    let overhead = page("").len();
    let page = page(&"x".repeat(size - overhead));
    assert_eq!(page.len(), size);
    page.into_bytes()
}

#[tokio::test]
async fn the_caps_are_builder_knobs_and_a_body_at_the_cap_is_read() {
    const CAP: usize = 1000;
    let server = Hostile::start(|request, _| match request.path() {
        "/v1/accounts" if request.query("limit").as_deref() == Some("1") => {
            Step::answer(200, &[], &accounts_page(CAP))
        }
        "/v1/accounts" if request.query("limit").as_deref() == Some("2") => {
            Step::answer(200, &[], &accounts_page(CAP + 1))
        }
        "/v1/accounts" => head_then(200, &[("connection", "close")], &accounts_page(CAP + 1)),
        _ => Step::answer(500, &[], &[b'e'; 300]),
    });
    let client = server
        .client_builder()
        .max_body_bytes(CAP as u64)
        .max_error_body_bytes(100)
        .retry_policy(RetryPolicy::default().clock(VirtualClock::new()))
        .build()
        .unwrap();
    let at_the_cap = client.list_accounts().limit(1u32).send().await;
    assert_eq!(
        at_the_cap.expect("a body at the cap is read").results.len(),
        1
    );

    for (name, limit, declared, kept) in [
        ("announced", Some(2u32), Some(CAP as u64 + 1), 0),
        ("streamed", None, None, CAP),
    ] {
        let before = server.requests().len();
        let mut call = client.list_accounts();
        if let Some(limit) = limit {
            call = call.limit(limit);
        }
        let err = call.send().await.map(drop).unwrap_err();
        assert!(matches!(err, Error::ResponseTooLarge(_)), "{name}: {err:?}");
        assert_eq!(err.status().map(|s| s.as_u16()), Some(200), "{name}");
        let response = err.response().unwrap();
        assert_eq!(
            response.cut(),
            Some(wpe_api::error::BodyCut::TooLarge {
                limit: CAP as u64,
                declared
            }),
            "{name}"
        );
        assert_eq!(response.body().len(), kept, "{name}");
        assert!(
            err.to_string().contains("the client's limit of 1000 bytes"),
            "{name}: {err}"
        );
        assert_eq!(server.requests().len() - before, 1, "{name}: not retried");
    }

    let err = create_backup(&client).await.unwrap_err();
    assert!(matches!(err, Error::ErrorResponse(_)), "{err:?}");
    assert_eq!(err.response().unwrap().body(), &[b'e'; 100]);
    assert_eq!(
        err.to_string(),
        format!(
            "500 Internal Server Error: {} [body cut at 100 bytes of 300 bytes]",
            "e".repeat(100)
        )
    );
}
