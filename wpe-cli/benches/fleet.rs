//! `wpe fleet` over a fleet of 1,000 installs on the stand-in, each answer
//! delayed by 20 ms as a distant API's would be, measured in one run:
//!
//! - the first sync's wall time with the default concurrency, against the
//!   same reads one after another (`--concurrency 1`, into a mirror of its
//!   own);
//! - a second sync after 1% of the records changed (installs' PHP
//!   versions): its wall time and the rows it wrote, which must be exactly
//!   the changed ones;
//! - the mirror's size per install, and what its bodies are by kind;
//! - `wpe fleet changes`, `access` and `whois`: the median wall time of a
//!   whole `wpe` run (start-up included) over several runs, against the
//!   goal of 100 ms, with `wpe --version` beside them for the start-up.
//!
//! Each install gets one domain before the first sync (through the API), so
//! that a mirrored install has what a real one has: the install, a domain,
//! its cache exclusions, its SFTP users and backups lists.
//!
//! ```text
//! cargo bench -p wpe-cli --bench fleet
//! ```

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use futures::{StreamExt, TryStreamExt};
use serde_json::Value;
use wpe_api::fake::{FakeConfig, FakeServer, Seed, DEMO_PASSWORD, DEMO_USER};
use wpe_api::Paginate;

/// Installs in the fleet.
const INSTALLS: usize = 1_000;
/// Added to every answer of the stand-in.
const LATENCY: Duration = Duration::from_millis(20);
/// Runs of each read command; the median is reported.
const RUNS: usize = 9;
/// The goal for `changes`, `access` and `whois`.
const GOAL: Duration = Duration::from_millis(100);

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
    let installs = runtime.block_on(add_domains(&server));
    let dir = tempfile::tempdir().expect("a folder for the mirrors");
    let db = dir.path().join("fleet.sqlite");
    let sequential_db = dir.path().join("sequential.sqlite");
    println!(
        "wpe fleet over {INSTALLS} installs (one domain each) on the stand-in, {} ms added to \
         every answer",
        LATENCY.as_millis()
    );

    let (first, first_wall) = sync(&server, &db, &[]);
    let (sequential, sequential_wall) = sync(&server, &sequential_db, &["--concurrency", "1"]);
    let records = first["added"]
        .as_u64()
        .expect("the summary counts what it added");
    assert_eq!(
        records,
        sequential["added"].as_u64().unwrap(),
        "both syncs read the same records"
    );
    println!(
        "first sync: {records} records, {} requests; default concurrency {:.2} s, \
         --concurrency 1 {:.2} s: {:.1}x faster",
        first["requests"],
        first_wall.as_secs_f64(),
        sequential_wall.as_secs_f64(),
        sequential_wall.as_secs_f64() / first_wall.as_secs_f64()
    );

    // 1% of the records change: that many installs get another PHP version.
    let changed = (records as usize).div_ceil(100);
    for id in installs.iter().take(changed) {
        server.set_php_version(*id, "8.3");
    }
    let (second, second_wall) = sync(&server, &db, &[]);
    let inserted = second["rows_written"]
        .as_u64()
        .expect("the summary counts the rows it wrote");
    assert_eq!(
        inserted as usize, changed,
        "the second sync writes exactly the changed records"
    );
    println!(
        "second sync, {changed} records changed (1%): {:.2} s, {inserted} rows written, {} \
         unchanged records not written",
        second_wall.as_secs_f64(),
        second["unchanged"]
    );

    let (file, log) = mirror_bytes(&db);
    println!(
        "mirror after two snapshots: {:.1} KiB ({:.1} KiB file + {:.1} KiB write-ahead log), \
         {:.0} bytes per install",
        (file + log) as f64 / 1024.0,
        file as f64 / 1024.0,
        log as f64 / 1024.0,
        (file + log) as f64 / INSTALLS as f64
    );

    // What the bytes are: the bodies of each kind, as the mirror holds them.
    let by_kind = succeeded(wpe(
        &[
            Path::new("fleet"),
            Path::new("query"),
            Path::new(
                "SELECT kind, count(*) AS records, sum(length(body)) AS bytes FROM records \
                 GROUP BY kind ORDER BY bytes DESC",
            ),
            Path::new("--json"),
        ],
        Some(&db),
    ));
    let by_kind: Vec<Value> = serde_json::from_slice(&by_kind.stdout).expect("query prints JSON");
    let shown: Vec<String> = by_kind
        .iter()
        .map(|row| {
            format!(
                "{} {} ({} KiB)",
                row["records"],
                row["kind"].as_str().unwrap_or("?"),
                row["bytes"].as_u64().unwrap_or(0) / 1024
            )
        })
        .collect();
    println!("  bodies by kind, every version: {}", shown.join(", "));

    let start_up = median(&[Path::new("--version")], None);
    println!("wpe --version: {:>6.1} ms (start-up alone)", ms(start_up));
    let changes = run_reads(&db, &["fleet", "changes", "--json"], |out| {
        let rows: Vec<Value> = serde_json::from_slice(out).expect("changes print JSON");
        assert_eq!(rows.len(), changed, "changes lists each changed install");
    });
    let access = run_reads(&db, &["fleet", "access", "--json"], |out| {
        let rows: Vec<Value> = serde_json::from_slice(out).expect("access prints JSON");
        assert!(
            rows.len() >= INSTALLS,
            "a key or user reaches every install"
        );
    });
    let whois = run_reads(
        &db,
        &["fleet", "whois", "i0000500.example.com", "--json"],
        |out| {
            let text = String::from_utf8_lossy(out);
            assert!(text.contains("i0000500"), "whois finds the install: {text}");
        },
    );
    for (label, took) in [("changes", changes), ("access", access), ("whois", whois)] {
        println!(
            "wpe fleet {label:<8} {:>6.1} ms (median of {RUNS}, whole run; goal < {} ms: {})",
            ms(took),
            GOAL.as_millis(),
            if took < GOAL { "met" } else { "NOT met" }
        );
    }
}

/// Adds a domain `NAME.example.com` to every install, 32 requests at a
/// time; the installs' IDs in the order of their names.
async fn add_domains(server: &FakeServer) -> Vec<uuid::Uuid> {
    let client = server.client();
    let mut installs: Vec<(String, uuid::Uuid)> = client
        .list_installs()
        .stream()
        .map_ok(|install| (install.name.to_string(), install.id))
        .try_collect()
        .await
        .expect("the installs list");
    installs.sort();
    futures::stream::iter(installs.iter().cloned())
        .map(|(name, id)| {
            let client = client.clone();
            async move {
                client
                    .create_domain()
                    .install_id(id)
                    .body_map(|body| body.name(format!("{name}.example.com")))
                    .send()
                    .await
                    .expect("a domain is added");
            }
        })
        .buffer_unordered(32)
        .collect::<Vec<()>>()
        .await;
    installs.into_iter().map(|(_, id)| id).collect()
}

/// Runs `wpe fleet sync --json` into `db`: its summary and wall time.
fn sync(server: &FakeServer, db: &Path, args: &[&str]) -> (Value, Duration) {
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_wpe"))
        .args(["fleet", "sync", "--json", "--db"])
        .arg(db)
        .args(args)
        .env("WPE_API_URL", server.base_url())
        .env("WPE_API_USER", DEMO_USER)
        .env("WPE_API_PASSWORD", DEMO_PASSWORD)
        .output()
        .expect("wpe runs");
    let took = started.elapsed();
    let output = succeeded(output);
    (
        serde_json::from_slice(&output.stdout).expect("the summary is JSON"),
        took,
    )
}

/// The median wall time of `RUNS` runs of `wpe ARGS --db DB`, each checked
/// by `check`.
fn run_reads(db: &Path, args: &[&str], check: impl Fn(&[u8])) -> Duration {
    let args: Vec<&Path> = args.iter().map(Path::new).collect();
    let output = succeeded(wpe(&args, Some(db)));
    check(&output.stdout);
    median(&args, Some(db))
}

/// The median wall time of `RUNS` runs of `wpe ARGS` (with `--db DB`).
fn median(args: &[&Path], db: Option<&Path>) -> Duration {
    let mut took: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            succeeded(wpe(args, db));
            started.elapsed()
        })
        .collect();
    took.sort();
    took[RUNS / 2]
}

/// One run of `wpe ARGS` without credentials: the mirror's commands make
/// no API call.
fn wpe(args: &[&Path], db: Option<&Path>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_wpe"));
    command
        .args(args)
        .env_remove("WPE_API_USER")
        .env_remove("WPE_API_PASSWORD");
    if let Some(db) = db {
        command.arg("--db").arg(db);
    }
    command.output().expect("wpe runs")
}

fn succeeded(output: Output) -> Output {
    assert!(
        output.status.success(),
        "wpe exits 0: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// The mirror's bytes on disk: the database file and its write-ahead log.
fn mirror_bytes(db: &Path) -> (u64, u64) {
    let size = |path: &Path| std::fs::metadata(path).map_or(0, |meta| meta.len());
    (size(db), size(&db.with_extension("sqlite-wal")))
}

fn ms(took: Duration) -> f64 {
    took.as_secs_f64() * 1000.0
}
