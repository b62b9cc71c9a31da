//! One API call in a process of its own, for the hostile-server tests that
//! measure memory (`wpe_api_tests::hostile::child_call`): the process's peak
//! resident memory is then the call's alone.
//!
//! `hostile-call BASE_URL OPERATION retries|once TIMEOUT_MS` makes the call
//! and prints one JSON line: `peak_kib` (`VmHWM` of `/proc/self/status`, 0
//! where there is none), `status`, `outcome`, `elapsed_ms` and `timed_out`
//! (whether the client's timeout ended the call).

use std::time::{Duration, Instant};

use wpe_api::retry::RetryPolicy;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [base_url, operation, retries, timeout_ms] = args.as_slice() else {
        eprintln!(
            "usage: hostile-call BASE_URL list_accounts|create_backup retries|once TIMEOUT_MS"
        );
        std::process::exit(2);
    };
    let policy = match retries.as_str() {
        "retries" => RetryPolicy::default(),
        _ => RetryPolicy::none(),
    };
    let timeout = Duration::from_millis(timeout_ms.parse().expect("TIMEOUT_MS"));
    let client = wpe_api::Client::builder()
        .base_url(base_url)
        .credentials(wpe_api::Credentials::new(
            "hostile-user",
            "hostile-password",
        ))
        .retry_policy(policy)
        .timeout(timeout)
        .build()
        .expect("client");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let started = Instant::now();
    let result = runtime.block_on(async {
        match operation.as_str() {
            "create_backup" => client
                .create_backup()
                .install_id(uuid::Uuid::nil())
                .body_map(|b| {
                    b.description("hostile")
                        .notification_emails(vec!["ops@example.com".to_owned()])
                })
                .send()
                .await
                .map(drop),
            _ => client.list_accounts().send().await.map(drop),
        }
    });
    let elapsed_ms = started.elapsed().as_millis() as u64;
    let (status, outcome) = match &result {
        Ok(()) => (None, "ok".to_owned()),
        Err(err) => (err.status().map(|s| s.as_u16()), err.to_string()),
    };
    let timed_out = result.as_ref().err().is_some_and(timed_out);
    let line = serde_json::json!({
        "peak_kib": peak_kib(),
        "timed_out": timed_out,
        "status": status,
        "outcome": outcome.chars().take(2000).collect::<String>(),
        "elapsed_ms": elapsed_ms,
    });
    println!("{line}");
}

/// Whether a reqwest error behind `err` says the client's timeout passed.
fn timed_out(err: &wpe_api::Error) -> bool {
    let mut next = std::error::Error::source(err);
    while let Some(source) = next {
        if source
            .downcast_ref::<reqwest::Error>()
            .is_some_and(reqwest::Error::is_timeout)
        {
            return true;
        }
        next = source.source();
    }
    false
}

/// `VmHWM` of this process, in KiB (0 where `/proc` has none).
fn peak_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmHWM:"))
                .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}
