//! The stand-in of the API as a process of its own, for benchmarks that must
//! count only the client's work (`benches/instructions.rs` runs the client
//! under callgrind and this server outside it).
//!
//! Starts a [`FakeServer`] with the demo data, prints one line
//! `base_url=... install_id=...` (the first install of the demo user) and
//! serves until its standard input is closed.

use std::io::{Read, Write};

use wpe_api::fake::{FakeConfig, FakeServer, Seed};

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let server = FakeServer::start(FakeConfig::with_seed(Seed::Demo)).await;
        let install = server
            .client()
            .list_installs()
            .send()
            .await
            .expect("installs")
            .into_inner()
            .results[0]
            .id;
        let mut stdout = std::io::stdout();
        writeln!(
            stdout,
            "base_url={} install_id={install}",
            server.base_url()
        )
        .and_then(|()| stdout.flush())
        .expect("stdout");
        // Serve until the parent closes our stdin (or exits).
        tokio::task::spawn_blocking(|| {
            let _ = std::io::stdin().read_to_end(&mut Vec::new());
        })
        .await
        .expect("stdin watcher");
    });
}
