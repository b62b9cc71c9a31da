//! Runs the `xtask` binary: exit codes, report formats, the lock file, and fetching from a local HTTP server.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

mod common;

use common::{fixtures, scratch, xtask, Run};

/// `sync-spec` with the fixture spec as ours, a deviations file and a lock path in `dir`.
fn sync(dir: &Path, upstream: &str, extra: &[&str]) -> Run {
    let spec = fixtures().join("base.openapi.json");
    let devs = dir.join("deviations.json");
    if !devs.exists() {
        std::fs::write(&devs, r#"{"deviations": []}"#).expect("write deviations");
    }
    let lock = dir.join("upstream.lock.json");
    let mut args = vec![
        "sync-spec".to_string(),
        "--spec".into(),
        spec.display().to_string(),
        "--deviations".into(),
        devs.display().to_string(),
        "--lock".into(),
        lock.display().to_string(),
    ];
    if upstream.starts_with("http://") {
        args.extend(["--url".into(), upstream.to_string()]);
    } else {
        args.extend(["--from-file".into(), upstream.to_string()]);
    }
    args.extend(extra.iter().map(|s| s.to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    xtask(refs)
}

/// Writes the Swagger fixture with one edit applied and returns its path.
fn edited_upstream(dir: &Path, edit: impl FnOnce(&mut Value)) -> String {
    let text = std::fs::read_to_string(fixtures().join("base.swagger.json")).expect("fixture");
    let mut doc: Value = serde_json::from_str(&text).expect("fixture json");
    edit(&mut doc);
    let path = dir.join("upstream.json");
    std::fs::write(&path, serde_json::to_vec(&doc).expect("json")).expect("write upstream");
    path.display().to_string()
}

fn base_upstream() -> String {
    fixtures().join("base.swagger.json").display().to_string()
}

fn add_status_value(doc: &mut Value) {
    doc["definitions"]["Installation"]["properties"]["status"]["enum"] =
        json!(["active", "pending", "failed"]);
}

#[test]
fn check_exits_0_without_drift_and_1_with_drift() {
    let dir = scratch("check");
    let clean = sync(&dir, &base_upstream(), &["--check"]);
    assert_eq!(clean.code, 0, "{}{}", clean.stdout, clean.stderr);
    assert!(clean.stdout.contains("Drift: none"), "{}", clean.stdout);

    let upstream = edited_upstream(&dir, add_status_value);
    let drift = sync(&dir, &upstream, &["--check"]);
    assert_eq!(drift.code, 1, "{}{}", drift.stdout, drift.stderr);
    assert!(
        drift
            .stdout
            .contains("[breaking] response.200.body.results[].status  enum-values-added"),
        "{}",
        drift.stdout
    );
    assert!(drift.stdout.contains("check FAILS"), "{}", drift.stdout);

    let report_only = sync(&dir, &upstream, &[]);
    assert_eq!(
        report_only.code, 0,
        "without --check drift is only reported"
    );
}

#[test]
fn acknowledged_drift_passes_check_and_stale_entries_fail_only_with_strict() {
    let dir = scratch("deviations");
    std::fs::write(
        dir.join("deviations.json"),
        serde_json::to_vec(&json!({"deviations": [
            {"id": "status-open-enum", "reason": "client keeps unknown statuses", "location": "response.*.body.**.status", "kind": "enum-values-added"},
            {"id": "gone", "reason": "upstream fixed it", "operation": "deleteInstall", "kind": "status-added"}
        ]}))
        .expect("json"),
    )
    .expect("write");
    let upstream = edited_upstream(&dir, add_status_value);
    let run = sync(&dir, &upstream, &["--check"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("Acknowledged (3 changes matched by 1 deviation)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("Stale deviations (1)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("gone: upstream fixed it"),
        "{}",
        run.stdout
    );

    let strict = sync(&dir, &upstream, &["--check", "--strict"]);
    assert_eq!(strict.code, 1, "{}", strict.stdout);
}

#[test]
fn json_report_carries_change_identity_and_counts() {
    let dir = scratch("json");
    let upstream = edited_upstream(&dir, add_status_value);
    let run = sync(&dir, &upstream, &["--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report: Value = serde_json::from_str(&run.stdout).expect("stdout is JSON");
    let list = report["drift"]
        .as_array()
        .expect("drift list")
        .iter()
        .find(|c| c["operation"] == "listInstalls")
        .expect("listInstalls drift");
    assert_eq!(list["kind"], "enum-values-added");
    assert_eq!(list["class"], "breaking");
    assert_eq!(list["method"], "GET");
    assert_eq!(list["path"], "/installs");
    assert_eq!(list["location"], "response.200.body.results[].status");
    assert_eq!(list["upstream"], json!(["failed"]));
    assert_eq!(report["summary"]["drift"], 3);
    assert_eq!(report["summary"]["breaking"], 3);
    assert_eq!(report["upstream"]["operations"], 5);
    assert_eq!(report["upstream"]["dialect"], "swagger2");
}

#[test]
fn yaml_upstream_documents_are_read() {
    let dir = scratch("yaml");
    let path = dir.join("upstream.yaml");
    std::fs::write(
        &path,
        "swagger: '2.0'\ninfo: {title: T, version: '9.9'}\npaths:\n  /ping:\n    get:\n      operationId: ping\n      responses:\n        '200': {description: ok}\n",
    )
    .expect("write yaml");
    let run = sync(&dir, &path.display().to_string(), &["--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report: Value = serde_json::from_str(&run.stdout).expect("json");
    assert_eq!(report["upstream"]["version"], "9.9");
    assert!(report["drift"]
        .as_array()
        .expect("drift")
        .iter()
        .any(|c| c["kind"] == "operation-added" && c["operation"] == "ping"));
}

#[test]
fn files_that_are_not_specs_exit_2_with_one_line() {
    let dir = scratch("notspec");
    let path = dir.join("x.json");
    std::fs::write(&path, r#"{"name": "not a spec"}"#).expect("write");
    let run = sync(&dir, &path.display().to_string(), &["--check"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("neither a `swagger` nor an `openapi` field"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);

    let missing = sync(&dir, &dir.join("absent.json").display().to_string(), &[]);
    assert_eq!(missing.code, 2);
    assert!(missing.stderr.contains("cannot read"), "{}", missing.stderr);
}

#[test]
fn write_lock_records_upstream_and_later_runs_say_what_changed() {
    let dir = scratch("lock");
    let first = sync(&dir, &base_upstream(), &["--write-lock"]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let lock: Value = serde_json::from_slice(
        &std::fs::read(dir.join("upstream.lock.json")).expect("lock written"),
    )
    .expect("lock is JSON");
    assert_eq!(lock["version"], "1.0.0");
    assert_eq!(lock["operations"], 5);
    assert_eq!(lock["sha256"].as_str().map(str::len), Some(64));
    assert!(lock["date"].as_str().is_some_and(|d| d.len() == 10));

    let same = sync(&dir, &base_upstream(), &[]);
    assert!(
        same.stdout.contains("version unchanged, digest unchanged"),
        "{}",
        same.stdout
    );

    let upstream = edited_upstream(&dir, |d| d["info"]["version"] = json!("1.1.0"));
    let changed = sync(&dir, &upstream, &[]);
    assert!(
        changed.stdout.contains("version CHANGED 1.0.0 -> 1.1.0"),
        "{}",
        changed.stdout
    );
    assert!(
        changed.stdout.contains("digest CHANGED"),
        "{}",
        changed.stdout
    );
}

/// What the local server does with one connection.
#[derive(Clone)]
enum Reply {
    Send(u16, &'static str, String),
    /// Read the request, then answer nothing until the client hangs up.
    Hang,
}

/// Serves `replies` in order (the last one repeats) on 127.0.0.1; returns the URL and a request counter.
fn serve(replies: Vec<Reply>) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let url = format!("http://{}/v1/swagger", listener.local_addr().expect("addr"));
    let count = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&count);
    thread::spawn(move || {
        // Bounded: at most 10 connections, then the thread ends.
        for stream in listener.incoming().take(10) {
            let Ok(mut stream) = stream else { return };
            let n = seen.fetch_add(1, Ordering::SeqCst);
            let reply = replies[n.min(replies.len() - 1)].clone();
            read_request(&mut stream);
            match reply {
                Reply::Send(status, content_type, body) => {
                    let head = format!(
                        "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = stream.write_all(head.as_bytes());
                    let _ = stream.write_all(body.as_bytes());
                }
                Reply::Hang => {
                    let _ = stream.set_read_timeout(None);
                    while matches!(stream.read(&mut [0u8; 64]), Ok(n) if n > 0) {}
                }
            }
        }
    });
    (url, count)
}

fn read_request(stream: &mut TcpStream) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

fn fixture_text() -> String {
    std::fs::read_to_string(fixtures().join("base.swagger.json")).expect("fixture")
}

#[test]
fn fetch_of_a_valid_spec_over_http_reports_and_passes() {
    let dir = scratch("fetch200");
    let (url, count) = serve(vec![Reply::Send(200, "application/json", fixture_text())]);
    let run = sync(&dir, &url, &["--check", "--timeout-secs", "5"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains(&format!("upstream: {url}")),
        "{}",
        run.stdout
    );
    assert_eq!(count.load(Ordering::SeqCst), 1);
}

#[test]
fn fetch_retries_429_then_succeeds() {
    let dir = scratch("fetch429");
    let (url, count) = serve(vec![
        Reply::Send(429, "text/plain", "slow down".into()),
        Reply::Send(200, "application/json", fixture_text()),
    ]);
    let run = sync(
        &dir,
        &url,
        &["--check", "--timeout-secs", "5", "--retry-delay-ms", "0"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(count.load(Ordering::SeqCst), 2);
}

#[test]
fn fetch_404_exits_2_without_retrying() {
    let dir = scratch("fetch404");
    let (url, count) = serve(vec![Reply::Send(404, "text/plain", "no".into())]);
    let run = sync(&dir, &url, &["--timeout-secs", "5"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains("HTTP 404"), "{}", run.stderr);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert_eq!(count.load(Ordering::SeqCst), 1);
}

#[test]
fn fetch_500_is_retried_three_times_then_exits_2() {
    let dir = scratch("fetch500");
    let (url, count) = serve(vec![Reply::Send(500, "text/plain", "boom".into())]);
    let run = sync(
        &dir,
        &url,
        &["--timeout-secs", "5", "--retry-delay-ms", "0"],
    );
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stderr
            .contains("HTTP 500 Internal Server Error after 3 attempts"),
        "{}",
        run.stderr
    );
    assert_eq!(count.load(Ordering::SeqCst), 3);
}

#[test]
fn fetch_that_hangs_past_the_timeout_exits_2() {
    let dir = scratch("fetchhang");
    let (url, _) = serve(vec![Reply::Hang]);
    let started = Instant::now();
    let run = sync(&dir, &url, &["--timeout-secs", "1"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains("timed out after 1 s"), "{}", run.stderr);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn fetch_of_invalid_json_exits_2() {
    let dir = scratch("fetchbadjson");
    let (url, _) = serve(vec![Reply::Send(
        200,
        "application/json",
        "{\"swagger\": \"2.0\",".into(),
    )]);
    let run = sync(&dir, &url, &["--timeout-secs", "5"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains("is not valid JSON"), "{}", run.stderr);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
}

#[test]
fn fetch_of_json_that_is_not_a_spec_exits_2() {
    let dir = scratch("fetchnotspec");
    let (url, _) = serve(vec![Reply::Send(
        200,
        "application/json",
        r#"{"message": "hello"}"#.into(),
    )]);
    let run = sync(&dir, &url, &["--timeout-secs", "5"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stderr.contains("is not a Swagger/OpenAPI spec"),
        "{}",
        run.stderr
    );
}

#[test]
fn curated_spec_acknowledges_every_difference_from_upstream_1_23_0() {
    let Some(upstream) = common::shared_file("upstream/wpe-swagger-1.23.0.skeleton.json") else {
        return;
    };
    let dir = scratch("curated");
    let lock = dir.join("lock.json");
    let run = xtask([
        "sync-spec",
        "--from-file",
        &upstream.display().to_string(),
        "--lock",
        &lock.display().to_string(),
        "--check",
    ]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("74 upstream / 74 ours operations"),
        "{}",
        run.stdout
    );
}

#[test]
fn missing_shared_material_fails_the_test_on_ci() {
    let nowhere = scratch("noshared");
    let on_ci = std::panic::catch_unwind(|| common::locate(&nowhere, "upstream/x.json", true));
    let message = on_ci.expect_err("a missing ../shared file must fail on CI");
    let message = message
        .downcast_ref::<String>()
        .expect("a formatted message");
    assert!(message.contains("CI=true"), "{message}");
    assert!(message.contains("upstream/x.json is absent"), "{message}");
}

#[test]
fn missing_shared_material_skips_the_test_off_ci() {
    let nowhere = scratch("noshared-local");
    assert_eq!(common::locate(&nowhere, "upstream/x.json", false), None);
    std::fs::create_dir_all(nowhere.join("upstream")).unwrap();
    std::fs::write(nowhere.join("upstream/x.json"), "{}").unwrap();
    assert_eq!(
        common::locate(&nowhere, "upstream/x.json", false),
        Some(nowhere.join("upstream/x.json"))
    );
}
