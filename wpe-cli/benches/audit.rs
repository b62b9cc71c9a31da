//! `wpe audit` over a fleet of 1,000 installs on the stand-in, each answer
//! delayed as a distant API's would be: the wall time and peak memory of the
//! audit with its default concurrency against the sequential equivalent
//! (`--concurrency 1`), measured in one run, and a check that both found
//! the same findings.
//!
//! ```text
//! cargo bench -p wpe-cli --bench audit
//! ```

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use wpe_api::fake::{FakeConfig, FakeServer, Seed};

mod common;

/// Installs in the fleet.
const INSTALLS: usize = 1_000;
/// Added to every answer of the stand-in.
const LATENCY: Duration = Duration::from_millis(20);

/// What one run of `wpe audit` took.
struct Measured {
    wall: Duration,
    /// Peak resident memory in KiB, where the platform reports it.
    peak_rss_kib: Option<i64>,
    requests: usize,
    findings: String,
}

/// Set in the environment of the probe: the arguments of `wpe`, one per line.
const PROBE: &str = "WPE_AUDIT_BENCH_PROBE";

fn main() {
    if let Ok(args) = std::env::var(PROBE) {
        return probe(&args);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime for the stand-in");
    let server = runtime.block_on(FakeServer::start(FakeConfig {
        latency: LATENCY,
        ..FakeConfig::with_seed(Seed::Installs(INSTALLS))
    }));
    println!(
        "wpe audit over {INSTALLS} installs on the stand-in, {} ms added to every answer",
        LATENCY.as_millis()
    );
    let concurrent = audit(&server, &[]);
    let sequential = audit(&server, &["--concurrency", "1"]);
    assert_eq!(
        concurrent.findings, sequential.findings,
        "both runs find the same findings"
    );
    let findings: Vec<serde_json::Value> =
        serde_json::from_str(&concurrent.findings).expect("the findings are JSON");
    assert_eq!(
        findings.len(),
        INSTALLS,
        "one finding (no backup) per install"
    );
    println!(
        "findings: {} in each run, identical; requests: {} and {}",
        findings.len(),
        concurrent.requests,
        sequential.requests
    );
    report("default concurrency (8)", &concurrent);
    report("--concurrency 1", &sequential);
    println!(
        "sequential / concurrent wall time: {:.1}x",
        sequential.wall.as_secs_f64() / concurrent.wall.as_secs_f64()
    );
    if let (Some(c), Some(s)) = (concurrent.peak_rss_kib, sequential.peak_rss_kib) {
        println!(
            "concurrent / sequential peak RSS: {:.2}x ({:+} KiB)",
            c as f64 / s as f64,
            c - s
        );
    }
}

fn report(label: &str, run: &Measured) {
    let rss = run
        .peak_rss_kib
        .map_or("not measured on this platform".to_owned(), |kib| {
            format!("{kib} KiB")
        });
    println!(
        "{label:>24}: wall {:>7.2} s, peak RSS {rss}",
        run.wall.as_secs_f64()
    );
}

/// Runs `wpe audit --format json ARGS` against `server`, through the probe.
fn audit(server: &FakeServer, args: &[&str]) -> Measured {
    let before = server.sent_responses().len();
    let mut wpe_args = vec!["audit", "--format", "json"];
    wpe_args.extend_from_slice(args);
    let started = Instant::now();
    let findings_and_rss = common::run_probe(PROBE, server, &wpe_args);
    let (findings, peak_rss_kib) = match findings_and_rss.rsplit_once("\nmaxrss=") {
        Some((findings, kib)) => (findings.to_owned(), kib.trim().parse().ok()),
        None => (findings_and_rss, None),
    };
    let wall = started.elapsed();
    Measured {
        wall,
        peak_rss_kib,
        requests: server.sent_responses().len() - before,
        findings,
    }
}

/// The probe: runs `wpe` with the arguments in `args` (one per line), its
/// output written to standard output as it comes, then `maxrss=KIB` on a
/// line of its own where the platform reports it.
fn probe(args: &str) {
    let child = Command::new(env!("CARGO_BIN_EXE_wpe"))
        .args(args.lines())
        .stdout(Stdio::inherit())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("wpe starts");
    let peak = common::wait(child);
    if let Some(kib) = peak {
        println!("\nmaxrss={kib}");
    }
}
