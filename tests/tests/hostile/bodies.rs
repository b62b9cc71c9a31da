//! Bodies against a hostile server: cut off, far larger than announced or
//! than any answer of the API, never ending, or carrying terminal escape
//! sequences. An answer keeps its status whatever its body does, memory
//! stays near the client's caps (measured in a child process,
//! `hostile-call`), and what an error prints is bounded and inert.

use serde_json::json;
use uuid::Uuid;
use wpe_api::retry::RetryPolicy;
use wpe_api::Error;
use wpe_api_tests::hostile::{Hostile, Step};

const MIB: u64 = 1 << 20;

/// A client of `server` that sends each call once.
fn once(server: &Hostile) -> wpe_api::Client {
    server
        .client_builder()
        .retry_policy(RetryPolicy::none())
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
