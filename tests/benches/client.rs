//! Benchmarks against the local stand-in, each printed as a ratio measured in
//! one run:
//!
//! 1. walking 10,000 installs with 20 ms latency per request: the concurrent
//!    page stream (8 and 4 in flight) vs a sequential follow-the-`next` loop;
//! 2. peak resident memory of a client process streaming 100,000 installs
//!    without keeping them vs collecting them into a `Vec`.
//!
//! Memory is measured in child processes running only the client, with the
//! stand-in in this process. Run with
//! `cargo bench -p wpe-api-tests --bench client`. Client CPU per request is
//! counted in instructions by `benches/instructions.rs`.

use std::time::{Duration, Instant};

use futures::TryStreamExt;
use wpe_api::fake::{FakeConfig, FakeServer, Seed, DEMO_PASSWORD, DEMO_USER};
use wpe_api::retry::RetryPolicy;
use wpe_api::{Client, Credentials, PageOptions, Paginate};

fn client_for(base_url: &str) -> Client {
    Client::builder()
        .credentials(Credentials::new(DEMO_USER, DEMO_PASSWORD))
        .base_url(base_url)
        .retry_policy(RetryPolicy::default())
        .build()
        .expect("client")
}

/// The loop people write today: request a page, follow `next` until it is null.
async fn follow_next_links(client: &Client) -> usize {
    let mut seen = 0;
    let mut offset = 0u64;
    loop {
        let page = client
            .list_installs()
            .limit(100)
            .offset(offset)
            .send()
            .await
            .expect("page")
            .into_inner();
        seen += page.results.len();
        let Some(next) = page.next else { break };
        let query = next.split_once('?').map_or("", |(_, q)| q);
        offset = query
            .split('&')
            .find_map(|kv| kv.strip_prefix("offset="))
            .and_then(|o| o.parse().ok())
            .expect("offset in next");
    }
    seen
}

async fn timed<F: std::future::Future<Output = usize>>(f: F) -> (usize, Duration) {
    let started = Instant::now();
    let n = f.await;
    (n, started.elapsed())
}

async fn paging_benchmark(latency: Duration) {
    let server = FakeServer::start(FakeConfig {
        seed: Seed::Installs(10_000),
        latency,
        ..FakeConfig::default()
    })
    .await;
    let client = client_for(server.base_url());
    let stream = |concurrency: usize| {
        let client = client.clone();
        async move {
            client
                .list_installs()
                .stream_with(PageOptions::default().concurrency(concurrency))
                .try_fold(0usize, |n, _| async move { Ok(n + 1) })
                .await
                .expect("walk")
        }
    };
    // Warm up connections once, then take the best of three of each.
    stream(8).await;
    let mut sequential = Duration::MAX;
    let mut at8 = Duration::MAX;
    let mut at4 = Duration::MAX;
    for _ in 0..3 {
        let (n, t) = timed(follow_next_links(&client)).await;
        assert_eq!(n, 10_000);
        sequential = sequential.min(t);
        let (n, t) = timed(stream(8)).await;
        assert_eq!(n, 10_000);
        at8 = at8.min(t);
        let (n, t) = timed(stream(4)).await;
        assert_eq!(n, 10_000);
        at4 = at4.min(t);
    }
    println!(
        "walk 10,000 installs, {} ms latency per request (best of 3):",
        latency.as_millis()
    );
    println!(
        "  sequential follow-next loop  {:>7.0} ms",
        sequential.as_secs_f64() * 1e3
    );
    println!(
        "  stream, 4 in flight          {:>7.0} ms   {:.1}x faster",
        at4.as_secs_f64() * 1e3,
        sequential.as_secs_f64() / at4.as_secs_f64()
    );
    println!(
        "  stream, 8 in flight          {:>7.0} ms   {:.1}x faster",
        at8.as_secs_f64() * 1e3,
        sequential.as_secs_f64() / at8.as_secs_f64()
    );
}

/// Runs this binary again as a client-only child and returns what it printed.
fn child(args: &[&str]) -> String {
    let exe = std::env::current_exe().expect("own path");
    let out = std::process::Command::new(exe)
        .arg("--child")
        .args(args)
        .output()
        .expect("run child");
    assert!(
        out.status.success(),
        "child {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

fn field(text: &str, key: &str) -> f64 {
    text.split_whitespace()
        .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('=')?.parse().ok())
        .unwrap_or_else(|| panic!("{key} missing in {text:?}"))
}

async fn memory_benchmark() {
    let server = FakeServer::start(FakeConfig::with_seed(Seed::Installs(100_000))).await;
    let url = server.base_url().to_owned();
    let (stream, collect) =
        tokio::task::spawn_blocking(move || (child(&["stream", &url]), child(&["collect", &url])))
            .await
            .expect("children");
    let (s, c) = (field(&stream, "peak_kib"), field(&collect, "peak_kib"));
    println!("100,000 installs, peak resident memory of the client process:");
    println!("  streamed, not kept   {:>8.1} MiB", s / 1024.0);
    println!(
        "  collected in a Vec   {:>8.1} MiB   {:.1}x the streamed peak",
        c / 1024.0,
        c / s
    );
}

fn peak_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn run_child(args: &[String]) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        match args {
            [mode, url] if mode == "stream" || mode == "collect" => {
                let client = client_for(url);
                let walk = client.list_installs().stream();
                let n = if mode == "stream" {
                    walk.try_fold(0usize, |n, _| async move { Ok(n + 1) })
                        .await
                        .expect("walk")
                } else {
                    let all: Vec<_> = walk.try_collect().await.expect("walk");
                    all.len()
                };
                assert_eq!(n, 100_000);
                println!("items={n} peak_kib={}", peak_kib());
            }
            other => panic!("unknown child arguments {other:?}"),
        }
    });
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(pos) = args.iter().position(|a| a == "--child") {
        run_child(&args[pos + 1..]);
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let only = std::env::var("WPE_BENCH_ONLY").unwrap_or_default();
    runtime.block_on(async {
        if only.is_empty() || only == "paging" {
            paging_benchmark(Duration::from_millis(20)).await;
            paging_benchmark(Duration::ZERO).await;
        }
        if only.is_empty() || only == "memory" {
            memory_benchmark().await;
        }
    });
}
