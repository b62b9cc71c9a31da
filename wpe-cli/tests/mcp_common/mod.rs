//! What the tests of `wpe mcp` (`mcp.rs`, `mcp_cancel.rs`,
//! `mcp_protocol.rs`) share: `wpe` as a child process, with no credentials
//! or settings from the test's environment, pointed at a stand-in the test
//! runs or at its own demo.
#![allow(dead_code)] // each test file uses its own share of it

use wpe_api::fake::{FakeServer, DEMO_PASSWORD, DEMO_USER};

/// `wpe` for `wpe mcp`: no credentials, URL or per-install spacing from the
/// test's environment, the demo state of no earlier command (`--demo mcp`
/// starts from the demo data), and killed when the test drops it.
pub fn wpe() -> tokio::process::Command {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_wpe"));
    command
        .env_remove("WPE_API_URL")
        .env_remove("WPE_API_USER")
        .env_remove("WPE_API_PASSWORD")
        .env_remove("WPE_API_INSTALL_LIMITS")
        .env(
            "WPE_DEMO_STATE",
            std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
                .join(format!("mcp-demo-state-{}.json", std::process::id())),
        )
        .kill_on_drop(true);
    command
}

/// `wpe mcp FLAGS` pointed at `server` (its URL and the demo user's
/// credentials in the environment).
pub fn against(server: &FakeServer, flags: &[&str]) -> tokio::process::Command {
    let mut command = wpe();
    command
        .env("WPE_API_URL", server.base_url())
        .env("WPE_API_USER", DEMO_USER)
        .env("WPE_API_PASSWORD", DEMO_PASSWORD)
        .arg("mcp")
        .args(flags);
    command
}

/// `wpe --demo mcp FLAGS`.
pub fn demo(flags: &[&str]) -> tokio::process::Command {
    let mut command = wpe();
    command.args(["--demo", "mcp"]).args(flags);
    command
}
