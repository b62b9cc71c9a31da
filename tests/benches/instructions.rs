//! Client CPU per request, counted in instructions under callgrind (through
//! gungraun), for `REQUESTS` calls of `get_install`:
//!
//! - `raw_reqwest`: a hand-written `reqwest` + `serde_json` call, on a
//!   `reqwest::Client` set up like ours (Basic auth and user agent as default
//!   headers, 30 s timeout, no redirects);
//! - `with_hooks`: the generated client with its hooks and the default
//!   [`RetryPolicy`];
//! - `retries_off`: the generated client with [`RetryPolicy::none`].
//!
//! Only the client is counted: the stand-in runs in a process of its own
//! (`wpe-standin`, not traced by valgrind), and the runtime, the client and
//! its connection are set up (with a few warm-up calls) outside the counted
//! function. The group compares the three by id; `raw_reqwest` runs last,
//! so its block prints, per variant, `variant|raw (+x %) [+ratio x]` where
//! `ratio` is the variant's count divided by raw reqwest's, from one run.
//!
//! Needs valgrind (`apt-get install valgrind`) and the runner of the same
//! version as the `gungraun` dev-dependency:
//!
//! ```sh
//! cargo install --locked --version 0.20.0 gungraun-runner
//! cargo bench -p wpe-api-tests --bench instructions
//! ```

use std::hint::black_box;
use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::Duration;

use gungraun::{
    library_benchmark, library_benchmark_group, main, Callgrind, LibraryBenchmarkConfig,
};
use wpe_api::fake::{DEMO_PASSWORD, DEMO_USER};
use wpe_api::retry::RetryPolicy;
use wpe_api::types::Installation;
use wpe_api::{Client, Credentials};

/// Calls counted per variant.
const REQUESTS: u32 = 2_000;
/// Calls made before counting starts (connection, lazily built state).
const WARM_UP: u32 = 20;

/// The stand-in server process; it exits when its stdin closes.
struct Standin {
    process: Child,
    stdin: Option<ChildStdin>,
    base_url: String,
    install: uuid::Uuid,
}

impl Standin {
    fn start() -> Self {
        let mut process = Command::new(env!("CARGO_BIN_EXE_wpe-standin"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start wpe-standin");
        let stdin = process.stdin.take();
        let mut line = String::new();
        BufReader::new(process.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("wpe-standin's address");
        let value = |key: &str| {
            line.split_whitespace()
                .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
                .unwrap_or_else(|| panic!("{key} missing in {line:?}"))
                .to_owned()
        };
        let base_url = value("base_url");
        let install = value("install_id").parse().expect("install id");
        Self {
            process,
            stdin,
            base_url,
            install,
        }
    }
}

impl Drop for Standin {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.process.wait();
    }
}

/// What the counted function gets: a ready client of a running stand-in.
struct Fixture<C> {
    runtime: tokio::runtime::Runtime,
    client: C,
    standin: Standin,
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

fn raw_fixture() -> Fixture<reqwest::Client> {
    let standin = Standin::start();
    let mut headers = reqwest::header::HeaderMap::new();
    let token = wpe_api_tests::basic_auth(DEMO_USER, DEMO_PASSWORD);
    headers.insert(
        reqwest::header::AUTHORIZATION,
        token.parse().expect("header"),
    );
    let client = reqwest::Client::builder()
        .default_headers(headers)
        .user_agent(concat!("wpe-api/", env!("CARGO_PKG_VERSION")))
        .timeout(Duration::from_secs(30))
        .connect_timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("reqwest");
    let fixture = Fixture {
        runtime: runtime(),
        client,
        standin,
    };
    fixture.raw_calls(WARM_UP);
    fixture
}

fn wpe_fixture(policy: RetryPolicy) -> Fixture<Client> {
    let standin = Standin::start();
    let client = Client::builder()
        .credentials(Credentials::new(DEMO_USER, DEMO_PASSWORD))
        .base_url(standin.base_url.as_str())
        .retry_policy(policy)
        .build()
        .expect("client");
    let fixture = Fixture {
        runtime: runtime(),
        client,
        standin,
    };
    fixture.wpe_calls(WARM_UP);
    fixture
}

// The calls live outside the benchmark functions: callgrind toggles counting
// on entering and leaving anything inside gungraun's wrapper module, so a
// closure or async block defined in a benchmark function would switch it off.
impl Fixture<reqwest::Client> {
    fn raw_calls(&self, n: u32) {
        self.runtime.block_on(async {
            let install = self.standin.install;
            for _ in 0..n {
                // As a hand-written `get_install(id)` would: the URL is built per call.
                let url = format!("{}/installs/{install}", self.standin.base_url);
                let response = self
                    .client
                    .get(url)
                    .header(reqwest::header::ACCEPT, "application/json")
                    .send()
                    .await
                    .expect("send");
                assert!(response.status().is_success());
                let got: Installation = response.json().await.expect("json");
                assert_eq!(got.id, install);
            }
        });
    }
}

impl Fixture<Client> {
    fn wpe_calls(&self, n: u32) {
        self.runtime.block_on(async {
            for _ in 0..n {
                let install = self
                    .client
                    .get_install()
                    .install_id(self.standin.install)
                    .send()
                    .await
                    .expect("get_install");
                assert_eq!(install.id, self.standin.install);
            }
        });
    }
}

#[library_benchmark]
#[bench::get_install(setup = raw_fixture)]
fn raw_reqwest(fixture: Fixture<reqwest::Client>) -> Fixture<reqwest::Client> {
    black_box(&fixture).raw_calls(REQUESTS);
    fixture
}

#[library_benchmark]
#[bench::get_install(args = (RetryPolicy::default()), setup = wpe_fixture)]
fn with_hooks(fixture: Fixture<Client>) -> Fixture<Client> {
    black_box(&fixture).wpe_calls(REQUESTS);
    fixture
}

#[library_benchmark]
#[bench::get_install(args = (RetryPolicy::none()), setup = wpe_fixture)]
fn retries_off(fixture: Fixture<Client>) -> Fixture<Client> {
    black_box(&fixture).wpe_calls(REQUESTS);
    fixture
}

library_benchmark_group!(
    name = client_cpu;
    compare_by_id = true;
    // The baseline last: its block then reads "hooks|raw (+x %) [+ratio x]".
    benchmarks = with_hooks, retries_off, raw_reqwest
);

main!(
    config = LibraryBenchmarkConfig::default()
        // The stand-in child runs natively, uncounted.
        .valgrind_args(["--trace-children=no"])
        .tool(Callgrind::with_args(["--cache-sim=no"]));
    library_benchmark_groups = client_cpu
);
