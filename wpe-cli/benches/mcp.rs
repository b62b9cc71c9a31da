//! What `wpe mcp` costs an MCP client at start: the time from spawning it
//! to its answer to `initialize`, then to `tools/list`, and its peak
//! memory over a short session (a read tool called once), in each mode,
//! against `wpe --version` (the same binary doing nothing) and `wpe installs
//! list` (the same read as a command) measured in the same run. Each figure is the median of several fresh processes.
//! Then how fast a `tools/call` with a 16 MB argument is refused (over the
//! 1 MiB message limit) and how large the refusal is: the median of several
//! in one session, from its first byte sent to its answer read.
//!
//! Then what an agent pays on every turn: the bytes of the `tools/list`
//! answer (and tokens, estimated as bytes / 4) in each mode, against the
//! same flags with every tool listed (`--toolsets all`, measured in this
//! run) and against the listings before toolsets (issue 35: 32.5 KB
//! read-only, 80 KB with every tool).
//!
//! ```text
//! cargo bench -p wpe-cli --bench mcp
//! ```

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use wpe_api::fake::{FakeConfig, FakeServer, Seed, DEMO_PASSWORD, DEMO_USER};

mod common;

/// Fresh processes per mode.
const RUNS: usize = 9;

/// Set in the environment of the probe: the arguments of `wpe`, one per line.
const PROBE: &str = "WPE_MCP_BENCH_PROBE";

/// One session's figures.
#[derive(Debug, Clone, Copy)]
struct Measured {
    /// Spawn to the answer to `initialize`.
    started: Duration,
    /// Spawn to the answer to `tools/list`.
    listed: Duration,
    tools: usize,
    /// The bytes of the `tools/list` result (compact JSON).
    list_bytes: usize,
    peak_rss_kib: Option<i64>,
}

/// The `tools/list` result before toolsets (issue 35), read-only.
const BEFORE_READ_ONLY: f64 = 32.5 * 1024.0;
/// The `tools/list` result before toolsets (issue 35), every tool.
const BEFORE_EVERY_TOOL: f64 = 80.0 * 1024.0;

fn main() {
    if let Ok(args) = std::env::var(PROBE) {
        return probe(&args);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a runtime for the stand-in");
    let server = runtime.block_on(FakeServer::start(FakeConfig::with_seed(Seed::Demo)));
    println!("wpe mcp start-up: median of {RUNS} fresh processes per line");
    let baseline = median(&server, &["--version"]);
    report("wpe --version", &baseline);
    let command = median(&server, &["installs", "list", "--format", "json"]);
    report("wpe installs list", &command);
    println!(
        "{:>28}  {:.1}x the time of wpe --version, peak RSS {:.2}x",
        "",
        command.started.as_secs_f64() / baseline.started.as_secs_f64(),
        command.peak_rss_kib.unwrap_or(0) as f64 / baseline.peak_rss_kib.unwrap_or(1) as f64
    );
    let modes: [(&str, &[&str]); 4] = [
        ("mcp (read-only)", &["mcp"]),
        ("mcp --allow-writes", &["mcp", "--allow-writes"]),
        (
            "mcp + --allow-destructive",
            &["mcp", "--allow-writes", "--allow-destructive"],
        ),
        ("--demo mcp (stand-in in)", &["--demo", "mcp"]),
    ];
    for (label, args) in modes {
        let run = median(&server, args);
        report(label, &run);
        let rss = match (run.peak_rss_kib, baseline.peak_rss_kib) {
            (Some(mcp), Some(base)) => format!(", peak RSS {:.2}x", mcp as f64 / base as f64),
            _ => String::new(),
        };
        println!(
            "{:>28}  start-up {:.1}x wpe --version{rss}",
            "",
            run.started.as_secs_f64() / baseline.started.as_secs_f64()
        );
    }
    listing_bytes(&server);
    refusal(&server);
}

/// The bytes of `tools/list` per mode (the same in every run of a build:
/// one session each), against the same flags with every tool listed and
/// against the issue's figures from before.
fn listing_bytes(server: &FakeServer) {
    println!(
        "\nwpe mcp tools/list per agent turn: bytes, ~tokens (bytes/4), and the ratio to \
         every tool listed with the same flags (this run) and to before (issue 35)"
    );
    type Mode<'a> = (&'a str, &'a [&'a str], &'a [&'a str], Option<f64>);
    let read: &[&str] = &["mcp"];
    let writes: &[&str] = &["mcp", "--allow-writes"];
    let destructive: &[&str] = &["mcp", "--allow-writes", "--allow-destructive"];
    let modes: [Mode; 6] = [
        ("default, read-only", read, &[], Some(BEFORE_READ_ONLY)),
        (
            "--toolsets all, read-only",
            read,
            &["--toolsets", "all"],
            Some(BEFORE_READ_ONLY),
        ),
        ("default, --allow-writes", writes, &[], None),
        ("default, + --allow-destructive", destructive, &[], None),
        (
            "--toolsets all, + destructive",
            destructive,
            &["--toolsets", "all"],
            Some(BEFORE_EVERY_TOOL),
        ),
        (
            "--toolsets dynamic",
            destructive,
            &["--toolsets", "dynamic"],
            Some(BEFORE_EVERY_TOOL),
        ),
    ];
    for (label, flags, toolsets, before) in modes {
        let args: Vec<&str> = flags.iter().chain(toolsets).copied().collect();
        let run = session(server, &args);
        let every: Vec<&str> = flags
            .iter()
            .chain(&["--toolsets", "all"])
            .copied()
            .collect();
        let every = session(server, &every);
        let before = before.map_or(String::new(), |before| {
            format!(
                ", {:.2}x before ({:.1} KB)",
                run.list_bytes as f64 / before,
                before / 1024.0
            )
        });
        println!(
            "{label:>32}: {:>6} bytes (~{:>5} tokens, {:>2} tools), {:.2}x every tool{before}",
            run.list_bytes,
            run.list_bytes / 4,
            run.tools,
            run.list_bytes as f64 / every.list_bytes as f64,
        );
    }
}

/// A `tools/call` of `get_install` whose `install_id` is 16 MB, sent
/// [`RUNS`] times in one session of `wpe mcp`: the median time from its
/// first byte written to its answer read, and the answer's size.
fn refusal(server: &FakeServer) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wpe"))
        .arg("mcp")
        .env("WPE_API_URL", server.base_url())
        .env("WPE_API_USER", DEMO_USER)
        .env("WPE_API_PASSWORD", DEMO_PASSWORD)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("wpe starts");
    let mut stdin = child.stdin.take().expect("stdin");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    ask(
        &mut stdin,
        &mut stdout,
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {},
        "clientInfo": {"name": "bench", "version": "0"}}}),
    );
    writeln!(
        stdin,
        "{}",
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"})
    )
    .expect("wpe reads");
    let argument = "x".repeat(16 << 20);
    let mut took = Vec::new();
    let mut bytes = Vec::new();
    for id in 2..2 + RUNS {
        let head = format!(
            r#"{{"jsonrpc":"2.0","id":{id},"method":"tools/call","params":{{"name":"get_install","arguments":{{"install_id":""#
        );
        let sent = Instant::now();
        stdin.write_all(head.as_bytes()).expect("wpe reads");
        stdin.write_all(argument.as_bytes()).expect("wpe reads");
        stdin.write_all(b"\"}}}\n").expect("wpe reads");
        stdin.flush().expect("wpe reads");
        let mut line = String::new();
        stdout.read_line(&mut line).expect("wpe answers");
        took.push(sent.elapsed());
        let answer: Value = serde_json::from_str(&line).expect("an answer is JSON-RPC");
        assert_eq!(answer["id"], id, "{answer}");
        assert_eq!(answer["error"]["code"], -32600, "{answer}");
        bytes.push(line.len());
    }
    drop(stdin);
    assert!(child.wait().expect("wpe runs").success(), "wpe exits 0");
    took.sort();
    bytes.sort_unstable();
    println!(
        "{:>28}: refused in {:>6.1} ms, answer {} bytes (median of {RUNS}; goal < 50 ms, < 1 KB)",
        "16 MB argument",
        ms(took[RUNS / 2]),
        bytes[RUNS / 2],
    );
}

fn report(label: &str, run: &Measured) {
    let rss = run
        .peak_rss_kib
        .map_or("not measured here".to_owned(), |kib| format!("{kib} KiB"));
    if run.tools == 0 {
        println!(
            "{label:>28}: exits after {:>6.1} ms, peak RSS {rss}",
            ms(run.started)
        );
    } else {
        println!(
            "{label:>28}: initialize {:>6.1} ms, tools/list {:>6.1} ms ({} tools), peak RSS {rss}",
            ms(run.started),
            ms(run.listed),
            run.tools
        );
    }
}

fn ms(span: Duration) -> f64 {
    span.as_secs_f64() * 1e3
}

/// The median of [`RUNS`] sessions of `wpe ARGS` (each figure on its own).
fn median(server: &FakeServer, args: &[&str]) -> Measured {
    let runs: Vec<Measured> = (0..RUNS).map(|_| session(server, args)).collect();
    let mid = |mut values: Vec<Duration>| {
        values.sort();
        values[values.len() / 2]
    };
    let mut rss: Vec<i64> = runs.iter().filter_map(|r| r.peak_rss_kib).collect();
    rss.sort_unstable();
    Measured {
        started: mid(runs.iter().map(|r| r.started).collect()),
        listed: mid(runs.iter().map(|r| r.listed).collect()),
        tools: runs[0].tools,
        list_bytes: runs[0].list_bytes,
        peak_rss_kib: rss.get(rss.len() / 2).copied(),
    }
}

/// One session, through a fresh probe (see [`common::run_probe`] for why).
fn session(server: &FakeServer, args: &[&str]) -> Measured {
    let out = common::run_probe(PROBE, server, args);
    let figure = |name: &str| -> Option<i64> {
        out.lines()
            .find_map(|line| line.strip_prefix(&format!("{name}=")))
            .and_then(|n| n.trim().parse().ok())
    };
    let micros = |name: &str| Duration::from_micros(figure(name).unwrap_or(0) as u64);
    Measured {
        started: micros("started_us"),
        listed: micros("listed_us"),
        tools: figure("tools").unwrap_or(0) as usize,
        list_bytes: figure("list_bytes").unwrap_or(0) as usize,
        peak_rss_kib: figure("maxrss"),
    }
}

/// The probe: starts `wpe` with the arguments in `args`; for `mcp`, sends
/// `initialize`, `tools/list` and one read, then closes its input. Prints
/// `started_us=`, `listed_us=`, `tools=`, `list_bytes=` and `maxrss=` lines.
fn probe(args: &str) {
    let mcp = args.lines().any(|a| a == "mcp");
    let spawned = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_wpe"))
        .args(args.lines())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("wpe starts");
    let mut stdin = child.stdin.take().expect("stdin");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    if mcp {
        ask(
            &mut stdin,
            &mut stdout,
            json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": "bench", "version": "0"}}}),
        );
        println!("started_us={}", spawned.elapsed().as_micros());
        writeln!(
            stdin,
            "{}",
            json!({"jsonrpc": "2.0", "method": "notifications/initialized"})
        )
        .expect("wpe reads");
        let list = ask(
            &mut stdin,
            &mut stdout,
            json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}),
        );
        println!("listed_us={}", spawned.elapsed().as_micros());
        let tools = list["result"]["tools"].as_array().map_or(0, Vec::len);
        println!("tools={tools}");
        let bytes = serde_json::to_vec(&list["result"]).expect("JSON").len();
        println!("list_bytes={bytes}");
        let read = ask(
            &mut stdin,
            &mut stdout,
            json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call",
            "params": {"name": "list_installs", "arguments": {}}}),
        );
        assert_eq!(read["result"]["isError"], false, "{read}");
    }
    drop(stdin);
    let peak = common::wait(child);
    if !mcp {
        println!("started_us={}", spawned.elapsed().as_micros());
    }
    if let Some(kib) = peak {
        println!("maxrss={kib}");
    }
}

/// Sends `message` to `wpe mcp` and reads its answer.
fn ask(
    stdin: &mut std::process::ChildStdin,
    stdout: &mut BufReader<std::process::ChildStdout>,
    message: Value,
) -> Value {
    writeln!(stdin, "{message}").expect("wpe reads");
    stdin.flush().expect("wpe reads");
    let mut line = String::new();
    stdout.read_line(&mut line).expect("wpe answers");
    serde_json::from_str(&line).expect("an answer is JSON-RPC")
}
