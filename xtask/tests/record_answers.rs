//! Runs `xtask record-answers` against wpe-api's stand-in (`wpe_api::fake::FakeServer`,
//! started in this process, over real HTTP): what it sends (GETs only, once
//! each), what it writes (the recording format `sync-spec --answers` reads),
//! what it keeps out of the files (every e-mail address, IP address, TXT
//! value, person's name and the password the stand-in knows), and its
//! errors (no credentials, a 401).

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use wpe_api::fake::{FakeConfig, FakeServer, SentResponse, Shapes, DEMO_PASSWORD, DEMO_USER};
use wpe_api::operations::{by_operation_id, OPERATIONS};

mod common;

use common::{read_json, scratch, xtask, Run};

/// A stand-in serving from a runtime of its own, while the test waits on processes.
struct StandIn {
    server: FakeServer,
    runtime: tokio::runtime::Runtime,
}

impl StandIn {
    fn start(config: FakeConfig) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let server = runtime.block_on(FakeServer::start(config));
        Self { server, runtime }
    }

    /// Gives the first install of the demo user what an account holds and a
    /// recording must not show: a backup notifying a person, and a domain
    /// whose TXT verification is pending (its value is a secret until
    /// published). Returns how many responses the stand-in had sent by then.
    fn add_secrets(&self) -> usize {
        let client = self.server.client();
        self.runtime.block_on(async {
            let installs = client.list_installs().send().await.expect("installs");
            let install = installs.results[0].id;
            client
                .create_backup()
                .install_id(install)
                .body_map(|b| {
                    b.description("before the release")
                        .notification_emails(vec!["release.manager@client-corp.example".into()])
                })
                .send()
                .await
                .expect("backup");
            client
                .create_domain()
                .install_id(install)
                .body_map(|b| b.name("pending.client-corp.example"))
                .send()
                .await
                .expect("domain");
        });
        self.server.sent_responses().len()
    }
}

/// Runs `xtask` with exactly these `WPE_API_*` variables.
fn xtask_with_env(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_xtask"));
    command.args(args);
    for var in ["WPE_API_USER", "WPE_API_PASSWORD", "WPE_API_URL"] {
        command.env_remove(var);
    }
    command.envs(env.iter().copied());
    let out = command.output().expect("xtask runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `record-answers --out DIR` against the stand-in with the demo user's credentials.
fn record(server: &FakeServer, out: &Path) -> Run {
    xtask_with_env(
        &[
            "record-answers",
            "--out",
            &out.display().to_string(),
            "--base-url",
            server.base_url(),
        ],
        &[
            ("WPE_API_USER", DEMO_USER),
            ("WPE_API_PASSWORD", DEMO_PASSWORD),
        ],
    )
}

/// The `.json` files of `dir`, by name.
fn written(dir: &Path) -> BTreeMap<String, PathBuf> {
    std::fs::read_dir(dir)
        .expect("out dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), p))
        .collect()
}

/// One run against a stand-in with secrets added: the stand-in, the output
/// directory, the run, and the responses the recorder got (the stand-in's
/// own record, bodies as sent).
fn recorded_run(name: &str, config: FakeConfig) -> (StandIn, PathBuf, Run, Vec<SentResponse>) {
    let standin = StandIn::start(config);
    let before = standin.add_secrets();
    let out = scratch(name).join("answers");
    let run = record(&standin.server, &out);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let sent = standin.server.sent_responses()[before..].to_vec();
    (standin, out, run, sent)
}

/// The stand-in's demo data in these shapes (whatever `WPE_FAKE_SHAPES` says).
fn config(shapes: Shapes) -> FakeConfig {
    FakeConfig {
        shapes,
        ..FakeConfig::default()
    }
}

#[test]
fn records_each_get_once_sends_nothing_else_and_sync_spec_reads_it() {
    records_and_checks("documented", Shapes::Documented);
}

/// As the live API was recorded answering: a domain's `redirect_to`,
/// installs with `stable_ips: null` and without `created_at`, accounts
/// without `nickname`. Our spec and deviations accept it all.
#[test]
fn records_the_live_shapes_and_sync_spec_reads_them() {
    let out = records_and_checks("live", Shapes::Live);
    let domains = read_json(&out.join("listDomains.json"));
    let first = &domains["response"]["body"]["results"][0];
    assert!(first.get("redirect_to").is_some(), "{first}");
    assert!(first.get("redirects_to").is_none(), "{first}");
    let installs = read_json(&out.join("listInstalls.json"));
    assert!(installs["response"]["body"]["results"][0]["stable_ips"].is_null());
}

/// One run in `shapes`, checked; returns the output directory.
fn records_and_checks(name: &str, shapes: Shapes) -> PathBuf {
    let (standin, out, run, sent) = recorded_run(name, config(shapes));
    println!("{}", run.stdout);

    // Nothing but GETs reached the stand-in, each operation once.
    let mut calls: BTreeMap<&str, usize> = BTreeMap::new();
    for response in &sent {
        let op = by_operation_id(response.operation_id).expect("an operation of the table");
        assert_eq!(op.method, "GET", "{} was sent", response.operation_id);
        *calls.entry(response.operation_id).or_default() += 1;
    }
    assert!(calls.values().all(|&n| n == 1), "{calls:?}");
    // The stand-in's own list of what it served agrees: beside the setup's
    // writes (`add_secrets`), only GETs.
    let setup = ["createBackup", "createDomain"];
    for id in standin.server.served_operations() {
        let method = by_operation_id(id).unwrap().method;
        assert!(
            method == "GET" || setup.contains(&id),
            "{id} ({method}) was served"
        );
    }

    // One file per operation answered, none for any other; every GET is
    // recorded or listed as skipped with a reason.
    let files = written(&out);
    let names: BTreeSet<String> = files.keys().cloned().collect();
    let answered: BTreeSet<String> = calls.keys().map(|id| format!("{id}.json")).collect();
    assert_eq!(names, answered);
    let skipped = run
        .stdout
        .split("\nSkipped:")
        .nth(1)
        .expect("a Skipped section");
    for op in OPERATIONS.iter().filter(|op| op.method == "GET") {
        let recorded = calls.contains_key(op.operation_id);
        let listed = skipped.lines().any(|l| {
            l.trim_start()
                .starts_with(&format!("{}  needs", op.operation_id))
        });
        assert!(
            recorded != listed,
            "{}: recorded {recorded}, skipped {listed}",
            op.operation_id
        );
    }
    // The lists gave the IDs: the first install's domain, backup... were read.
    for id in [
        "listAccounts",
        "getAccount",
        "getInstall",
        "getDomain",
        "showBackup",
        "getAccountUser",
        "getSiteReports",
    ] {
        assert!(
            calls.contains_key(id),
            "{id} was not recorded:\n{}",
            run.stdout
        );
    }
    // A report ID comes only from a write.
    assert!(
        skipped.contains("getDomainReportStatus  needs `report_id`"),
        "{skipped}"
    );

    // The format of ../shared/real-responses, with the status sent.
    for (name, path) in &files {
        let file = read_json(path);
        let id = file["operationId"].as_str().expect("operationId");
        assert_eq!(format!("{id}.json"), *name);
        assert_eq!(file["request"]["method"], "GET");
        let url = file["request"]["url"].as_str().expect("url");
        assert!(url.starts_with(standin.server.base_url()), "{url}");
        let status = file["response"]["status"].as_u64().expect("status");
        let sent_status = sent.iter().find(|r| r.operation_id == id).unwrap().status;
        assert_eq!(status, u64::from(sent_status), "{name}");
        let headers = file["response"]["headers"].as_object().expect("headers");
        assert!(
            headers.contains_key("content-type") || file["response"].get("body").is_none(),
            "{name}"
        );
        assert!(!headers
            .keys()
            .any(|k| k.contains("cookie") || k.contains("authorization")));
        assert_eq!(file["source"]["recorded_by"], "cargo xtask record-answers");
        assert_eq!(file["source"]["host"], "127.0.0.1");
    }
    assert!(run.stdout.contains(&format!(
        "Next: cargo xtask sync-spec --answers {}",
        out.display()
    )));

    // What sync-spec --answers makes of it, against our spec and deviations.
    let check = xtask([
        "sync-spec",
        "--answers",
        &out.display().to_string(),
        "--check",
    ]);
    println!("{}", check.stdout);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    assert!(
        check
            .stdout
            .contains(&format!("{} recordings", files.len())),
        "{}",
        check.stdout
    );
    out
}

/// Every string of a JSON value, with the key it is under (if any).
fn strings<'v>(
    value: &'v Value,
    key: Option<&'v str>,
    found: &mut Vec<(Option<&'v str>, &'v str)>,
) {
    match value {
        Value::String(s) => found.push((key, s)),
        Value::Array(items) => items.iter().for_each(|i| strings(i, key, found)),
        Value::Object(map) => map.iter().for_each(|(k, v)| strings(v, Some(k), found)),
        _ => {}
    }
}

/// An e-mail address, as the stand-in writes them (whole strings).
fn is_email(s: &str) -> bool {
    s.split_once('@')
        .is_some_and(|(local, host)| !local.is_empty() && host.contains('.'))
}

#[test]
fn no_address_secret_or_name_the_stand_in_sent_reaches_a_file() {
    let (_standin, out, run, sent) = recorded_run("secrets", config(Shapes::Documented));

    // What must not be written, from the stand-in's own answers.
    let mut emails = BTreeSet::new();
    let mut ips = BTreeSet::new();
    let mut txt = BTreeSet::new();
    let mut names = BTreeSet::new();
    for response in &sent {
        let Ok(body) = serde_json::from_slice::<Value>(&response.body) else {
            continue;
        };
        let mut found = Vec::new();
        strings(&body, None, &mut found);
        for (key, s) in found {
            if is_email(s) {
                emails.insert(s.to_owned());
            }
            if s.parse::<IpAddr>().is_ok() {
                ips.insert(s.to_owned());
            }
            match key {
                Some("txt_verification_value" | "txt") => {
                    txt.insert(s.to_owned());
                }
                Some("first_name" | "last_name" | "phone" | "phone_number") => {
                    names.insert(s.to_owned());
                }
                _ => {}
            }
        }
    }
    // The account's users, the pending domain's TXT value, the installs' IPs.
    assert!(emails.contains("jane@example.com"), "{emails:?}");
    assert!(
        !txt.is_empty() && !names.is_empty() && !ips.is_empty(),
        "{txt:?} {names:?} {ips:?}"
    );
    println!(
        "checked {} e-mail addresses, IP addresses {:?}, {} TXT values, {} names: {}",
        emails.len(),
        ips,
        txt.len(),
        names.len(),
        run.stdout
            .lines()
            .find(|l| l.starts_with("Redacted:"))
            .unwrap_or_default()
    );

    use base64::Engine as _;
    let basic =
        base64::engine::general_purpose::STANDARD.encode(format!("{DEMO_USER}:{DEMO_PASSWORD}"));
    let mut needles: Vec<&str> = vec![DEMO_PASSWORD, &basic];
    needles.extend(emails.iter().map(String::as_str));
    // The stand-in's own address is the API's host, which the files name
    // (`source.host`, `request.url`); every other address is the answers'.
    needles.extend(
        ips.iter()
            .map(String::as_str)
            .filter(|ip| *ip != "127.0.0.1"),
    );
    needles.extend(txt.iter().map(String::as_str));
    for (name, path) in written(&out) {
        let bytes = std::fs::read(&path).expect("read");
        let text = String::from_utf8(bytes).expect("UTF-8");
        for needle in &needles {
            assert!(!text.contains(needle), "{name} holds {needle:?}");
        }
        // Names are short words: no string of the file may be one.
        let file: Value = serde_json::from_str(&text).expect("JSON");
        let mut found = Vec::new();
        strings(&file, None, &mut found);
        for (key, s) in found {
            assert!(
                !names.contains(s),
                "{name} holds the name {s:?} (under {key:?})"
            );
        }
    }
    // What the placeholders look like.
    let user = read_json(&out.join("getCurrentUser.json"));
    assert_eq!(user["response"]["body"]["email"], "redacted@example.com");
    assert_eq!(user["response"]["body"]["first_name"], "REDACTED");
}

#[test]
fn without_credentials_it_exits_2_naming_the_variables() {
    let out = scratch("no-credentials").join("answers");
    let run = xtask_with_env(
        &["record-answers", "--out", &out.display().to_string()],
        &[("WPE_API_USER", "someone")],
    );
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("WPE_API_USER") && run.stderr.contains("WPE_API_PASSWORD"),
        "{}",
        run.stderr
    );
    assert!(!out.exists(), "nothing is created");
}

#[test]
fn a_401_stops_the_run_and_says_so() {
    let standin = StandIn::start(config(Shapes::Documented));
    let out = scratch("unauthorized").join("answers");
    // The API from WPE_API_URL this time, as a maintainer's shell may set it.
    let run = xtask_with_env(
        &["record-answers", "--out", &out.display().to_string()],
        &[
            ("WPE_API_USER", DEMO_USER),
            ("WPE_API_PASSWORD", "wrong-password"),
            ("WPE_API_URL", standin.server.base_url()),
        ],
    );
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("401"), "{}", run.stderr);
    assert!(run.stderr.contains("WPE_API_PASSWORD"), "{}", run.stderr);
    // Only operations without credentials were recorded before the 401, and
    // nothing was sent after it.
    let sent = standin.server.sent_responses();
    let refused: Vec<&SentResponse> = sent.iter().filter(|r| r.status == 401).collect();
    assert_eq!(refused.len(), 1, "{sent:?}");
    assert_eq!(sent.last().unwrap().status, 401);
    for name in written(&out).keys() {
        let id = name.trim_end_matches(".json");
        assert!(!by_operation_id(id).unwrap().authenticated, "{name}");
    }
}

#[test]
fn an_id_given_replaces_the_first_item_of_its_list() {
    let standin = StandIn::start(config(Shapes::Documented));
    let client = standin.server.client();
    let second = standin.runtime.block_on(async {
        let installs = client.list_installs().send().await.expect("installs");
        installs.results[1].id.to_string()
    });
    let out = scratch("given-id").join("answers");
    let credentials = [
        ("WPE_API_USER", DEMO_USER),
        ("WPE_API_PASSWORD", DEMO_PASSWORD),
    ];
    let args = |id: &str| {
        vec![
            "record-answers".to_owned(),
            "--out".into(),
            out.display().to_string(),
            "--base-url".into(),
            standin.server.base_url().to_owned(),
            "--id".into(),
            id.to_owned(),
        ]
    };
    let given = args(&format!("install_id={second}"));
    let given: Vec<&str> = given.iter().map(String::as_str).collect();
    let run = xtask_with_env(&given, &credentials);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    for file in ["getInstall.json", "listDomains.json", "listBackups.json"] {
        let url = read_json(&out.join(file))["request"]["url"].clone();
        assert!(url.as_str().unwrap().contains(&second), "{file}: {url}");
    }

    let bad = args("install_id");
    let bad: Vec<&str> = bad.iter().map(String::as_str).collect();
    let run = xtask_with_env(&bad, &credentials);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("NAME=VALUE"), "{}", run.stderr);
}
