//! What the benches of `wpe` share: a probe that starts `wpe`, and waiting
//! for it while reading its peak memory.

use std::process::{Command, Stdio};

use wpe_api::fake::{FakeServer, DEMO_PASSWORD, DEMO_USER};

/// Runs a fresh copy of this bench as a probe (the environment variable
/// `probe` set to `args`, one per line), pointed at `server`: its standard
/// output. `wpe` is started by the probe, not by the bench: on Linux a
/// child's peak RSS counts the high-water mark of the process it was
/// spawned from, and the bench holds the stand-in.
pub fn run_probe(probe: &str, server: &FakeServer, args: &[&str]) -> String {
    let output = Command::new(std::env::current_exe().expect("this program's path"))
        .env(probe, args.join("\n"))
        .env("WPE_API_URL", server.base_url())
        .env("WPE_API_USER", DEMO_USER)
        .env("WPE_API_PASSWORD", DEMO_PASSWORD)
        .stderr(Stdio::inherit())
        .output()
        .expect("the probe runs");
    assert!(output.status.success(), "the probe and wpe exit 0");
    String::from_utf8(output.stdout).expect("the probe's output is text")
}

/// Waits for `child` to exit 0; its peak RSS in KiB (Linux: `wait4`'s
/// rusage). On Linux, a child's peak counts the high-water mark of the
/// process it was spawned from: spawn `wpe` from a small process (the
/// benches' probes) for its own figure.
#[cfg(target_os = "linux")]
pub fn wait(child: std::process::Child) -> Option<i64> {
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: `rusage` is plain data that wait4 fills in; `pid` is our
    // child, not yet waited for (std's `Child` only waits when asked to).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid, "wait4 reaps wpe");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "wpe exits 0"
    );
    // Reaped by wait4 above, which std's `Child` does not know about.
    std::mem::forget(child);
    Some(usage.ru_maxrss)
}

/// Waits for `child` to exit 0 (no peak RSS off Linux).
#[cfg(not(target_os = "linux"))]
pub fn wait(mut child: std::process::Child) -> Option<i64> {
    assert!(child.wait().expect("wpe runs").success(), "wpe exits 0");
    None
}
