//! Gets the upstream document: over HTTP (timeout, retries on 429/5xx) or from a local file.

use std::path::Path;
use std::time::Duration;

/// Where the live WP Engine Customer API serves its spec.
pub const DEFAULT_URL: &str = "https://api.wpengineapi.com/v1/swagger";

/// Attempts per fetch (the first try plus retries on 429, 5xx and connection failures).
pub const MAX_ATTEMPTS: u32 = 3;

/// The raw bytes of a document and where they came from.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// Exactly the bytes received (the lock's digest is taken over these).
    pub bytes: Vec<u8>,
    /// URL or file path, for the report.
    pub source: String,
    /// The source says YAML (file extension or content type).
    pub yaml_hint: bool,
}

/// Reads a local file.
pub fn from_file(path: &Path) -> Result<Fetched, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let yaml_hint = matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    );
    Ok(Fetched {
        bytes,
        source: path.display().to_string(),
        yaml_hint,
    })
}

/// Fetches `url` with GET, no credentials, retrying 429/5xx and connection
/// failures after `first_delay`, doubled at each retry (or the server's
/// `Retry-After`, up to 5 s).
///
/// Errors are one line each: HTTP status, timeout, or transport failure.
pub fn from_url(url: &str, timeout: Duration, first_delay: Duration) -> Result<Fetched, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    runtime.block_on(fetch(url, timeout, first_delay))
}

async fn fetch(url: &str, timeout: Duration, first_delay: Duration) -> Result<Fetched, String> {
    let client = reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .user_agent(concat!(
            "wpe-api-xtask/",
            env!("CARGO_PKG_VERSION"),
            " sync-spec"
        ))
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let last = attempt >= MAX_ATTEMPTS;
        let backoff = first_delay * (1u32 << (attempt - 1));
        let response = match client
            .get(url)
            .header(
                reqwest::header::ACCEPT,
                "application/json, application/yaml;q=0.9",
            )
            .send()
            .await
        {
            Ok(r) => r,
            Err(e) if e.is_timeout() => {
                return Err(format!(
                    "fetching {url}: timed out after {} s (--timeout-secs)",
                    timeout.as_secs_f64()
                ))
            }
            Err(e) if e.is_connect() && !last => {
                tokio::time::sleep(backoff).await;
                continue;
            }
            Err(e) => {
                return Err(format!(
                    "fetching {url}: {} (after {attempt} attempt{})",
                    error_chain(&e),
                    if attempt == 1 { "" } else { "s" }
                ))
            }
        };
        let status = response.status();
        if status.is_success() {
            let yaml_hint = response
                .headers()
                .get(reqwest::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|ct| ct.contains("yaml"));
            let bytes = match response.bytes().await {
                Ok(b) => b.to_vec(),
                Err(e) if e.is_timeout() => {
                    return Err(format!(
                    "fetching {url}: timed out after {} s while reading the body (--timeout-secs)",
                    timeout.as_secs_f64()
                ))
                }
                Err(e) => {
                    return Err(format!(
                        "fetching {url}: reading the body failed: {}",
                        error_chain(&e)
                    ))
                }
            };
            return Ok(Fetched {
                bytes,
                source: url.to_string(),
                yaml_hint,
            });
        }
        let retryable = status.as_u16() == 429 || status.is_server_error();
        if retryable && !last {
            let wait = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(|s| Duration::from_secs(s.min(5)))
                .unwrap_or(backoff);
            tokio::time::sleep(wait).await;
            continue;
        }
        return Err(format!(
            "fetching {url}: HTTP {status}{}",
            if attempt > 1 {
                format!(" after {attempt} attempts")
            } else {
                String::new()
            }
        ));
    }
}

/// The error and its causes on one line (reqwest's top-level message alone is vague).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let s_text = s.to_string();
        if !out.contains(&s_text) {
            out.push_str(": ");
            out.push_str(&s_text);
        }
        source = s.source();
    }
    out
}
