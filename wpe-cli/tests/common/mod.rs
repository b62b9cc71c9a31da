//! What every test of the `wpe` binary shares: a stand-in of the API on a
//! runtime of its own, and `wpe` pointed at it through `WPE_API_URL`,
//! `WPE_API_USER` and `WPE_API_PASSWORD`.
#![allow(dead_code)] // each test file uses its own share of it

use assert_cmd::Command;
use serde_json::Value;
use wpe_api::fake::{FakeConfig, FakeServer, Seed, DEMO_PASSWORD, DEMO_USER};
use wpe_api::Client;

/// A stand-in on a runtime of its own; the binary runs on the test's thread.
pub struct Stand {
    pub server: FakeServer,
    pub runtime: tokio::runtime::Runtime,
}

impl Stand {
    pub fn start(seed: Seed) -> Stand {
        Stand::with_config(FakeConfig::with_seed(seed))
    }

    pub fn with_config(config: FakeConfig) -> Stand {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let server = runtime.block_on(FakeServer::start(config));
        Stand { server, runtime }
    }

    pub fn demo() -> Stand {
        Stand::start(Seed::Demo)
    }

    /// `wpe` with this stand-in's URL and the demo user's credentials.
    pub fn wpe(&self) -> Command {
        let mut command = wpe_without_credentials();
        command
            .env("WPE_API_URL", self.server.base_url())
            .env("WPE_API_USER", DEMO_USER)
            .env("WPE_API_PASSWORD", DEMO_PASSWORD);
        command
    }

    pub fn client(&self) -> Client {
        self.server.client()
    }

    pub fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    /// The ID of the account named `name`.
    pub fn account_id(&self, name: &str) -> String {
        let accounts = self
            .block_on(self.client().list_accounts().send())
            .unwrap()
            .into_inner();
        accounts
            .results
            .iter()
            .find(|a| a.name == name)
            .unwrap_or_else(|| panic!("no account {name}"))
            .id
            .to_string()
    }

    pub fn install_id(&self, name: &str) -> String {
        let installs = self
            .block_on(self.client().list_installs().send())
            .unwrap()
            .into_inner();
        installs
            .results
            .iter()
            .find(|i| i.name.as_str() == name)
            .unwrap()
            .id
            .to_string()
    }
}

pub fn wpe_without_credentials() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_wpe"));
    command
        .env_remove("WPE_API_URL")
        .env_remove("WPE_API_USER")
        .env_remove("WPE_API_PASSWORD")
        .env("WPE_DEMO_STATE", fresh_demo_state());
    command
}

/// A path no command has used for its demo state: each `--demo` command of
/// these tests starts from the demo data, and none reads the user's.
pub fn fresh_demo_state() -> std::path::PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "demo-state-{}-{}.json",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ))
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(command: &mut Command) -> Run {
    let output = command.output().unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

pub fn ok(command: &mut Command) -> String {
    let run = run(command);
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    run.stdout
}

pub fn json_of(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|err| panic!("not JSON ({err}): {text}"))
}
