//! `wpe audit` over a fleet of 1,000 installs on the stand-in, each answer
//! delayed as a distant API's would be: the wall time and peak memory of the
//! audit with its default concurrency against the sequential equivalent
//! (`--concurrency 1`), measured in one run, and a check that both found
//! the same findings.
//!
//! ```text
//! cargo bench -p wpe-cli --bench audit
//! ```

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use wpe_api::fake::{FakeConfig, FakeServer, Seed, DEMO_PASSWORD, DEMO_USER};

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

fn main() {
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

/// Runs `wpe audit --format json ARGS` against `server`, its findings
/// written to a file (so nothing of them is held by this process meanwhile).
fn audit(server: &FakeServer, args: &[&str]) -> Measured {
    let path = std::env::temp_dir().join(format!(
        "wpe-audit-bench-{}-{}.json",
        std::process::id(),
        args.join("")
    ));
    let before = server.sent_responses().len();
    let started = Instant::now();
    let child = Command::new(env!("CARGO_BIN_EXE_wpe"))
        .args(["audit", "--format", "json"])
        .args(args)
        .env("WPE_API_URL", server.base_url())
        .env("WPE_API_USER", DEMO_USER)
        .env("WPE_API_PASSWORD", DEMO_PASSWORD)
        .stdout(std::fs::File::create(&path).expect("a file for the findings"))
        .stderr(Stdio::inherit())
        .spawn()
        .expect("wpe starts");
    let peak_rss_kib = wait(child);
    let wall = started.elapsed();
    let findings = read_and_remove(&path);
    Measured {
        wall,
        peak_rss_kib,
        requests: server.sent_responses().len() - before,
        findings,
    }
}

/// Waits for `child` to exit 0; its peak RSS in KiB (Linux: `wait4`'s rusage).
#[cfg(target_os = "linux")]
fn wait(child: std::process::Child) -> Option<i64> {
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: `rusage` is plain data that wait4 fills in; `pid` is our
    // child, not yet waited for (std's `Child` only waits when asked to).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid, "wait4 reaps wpe");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "wpe audit exits 0"
    );
    // Reaped by wait4 above, which std's `Child` does not know about.
    std::mem::forget(child);
    Some(usage.ru_maxrss)
}

/// Waits for `child` to exit 0 (no peak RSS off Linux).
#[cfg(not(target_os = "linux"))]
fn wait(mut child: std::process::Child) -> Option<i64> {
    assert!(
        child.wait().expect("wpe runs").success(),
        "wpe audit exits 0"
    );
    None
}

fn read_and_remove(path: &Path) -> String {
    let text = std::fs::read_to_string(path).expect("the findings file");
    let _ = std::fs::remove_file(PathBuf::from(path));
    text
}
