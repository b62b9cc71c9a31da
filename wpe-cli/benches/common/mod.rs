//! What the benches of `wpe` share: waiting for a `wpe` process and reading
//! its peak memory.

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
