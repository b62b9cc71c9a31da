//! Each request runs in a `wpe_api.request` span with operation id, method,
//! path template, attempts, status and elapsed time, and never credentials,
//! ids or bodies.

use std::io::Write;
use std::sync::{Arc, Mutex};

use serde_json::json;
use tracing_subscriber::fmt::format::FmtSpan;
use uuid::Uuid;
use wpe_api::retry::RetryPolicy;
use wpe_api_tests::{fixture, Canned, RecordingServer, TEST_PASSWORD};

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn a_request_span_names_the_operation_but_no_secrets() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_span_events(FmtSpan::CLOSE)
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let clock = wpe_api::clock::VirtualClock::new();
    let server = RecordingServer::start().await;
    server.respond(Canned::json(503, &json!({"message": "busy"})));
    server.respond(Canned::json(200, &fixture("getInstall")));
    let install = Uuid::from_u128(0xfeed_beef);
    let client = server.client_with(RetryPolicy::default().clock(clock.clone()));
    client
        .get_install()
        .install_id(install)
        .send()
        .await
        .unwrap();

    let log = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(log.contains("wpe_api.request"), "{log}");
    assert!(
        log.contains("operation=\"get_install\"") || log.contains("operation=get_install"),
        "{log}"
    );
    assert!(
        log.contains("path=\"/installs/{install_id}\"")
            || log.contains("path=/installs/{install_id}"),
        "{log}"
    );
    assert!(log.contains("method=GET"), "{log}");
    assert!(log.contains("attempts=2"), "{log}");
    assert!(log.contains("status=200"), "{log}");
    let [wait] = clock.sleeps()[..] else {
        panic!("one wait: {:?}", clock.sleeps())
    };
    assert!(
        log.contains(&format!("elapsed_ms={}", wait.as_millis())),
        "the elapsed time is the {wait:?} back-off on the client's clock: {log}"
    );
    assert!(log.contains("retrying"), "the retry is logged: {log}");
    assert!(
        !log.contains(&install.to_string()),
        "no concrete ids: {log}"
    );
    assert!(
        !log.contains(TEST_PASSWORD) && !log.contains("Basic "),
        "no credentials: {log}"
    );
    assert!(!log.contains("torquemag"), "no bodies: {log}");
}
