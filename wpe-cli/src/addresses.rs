//! An install's IP addresses beside what `wpe installs get` prints in a
//! table or Markdown: `ips`, and `ips_source` saying where they came from.
//!
//! The install's own `stable_ips` when the API gives any; otherwise the DNS
//! A records WP Engine reports for the install's domains
//! (`network_details.dns_config_info.a_records` of `listDomains`, one
//! request, no DNS lookup of ours), with `ips_source` naming the domains
//! (`dns A of torquemag.io`). Only `get` does this: on `list` it would cost
//! a request per install. JSON, NDJSON and CSV print the API's answer as it
//! came, without these two fields.

use futures::TryStreamExt;
use serde_json::Value;
use wpe_api::operations::{Args, Operation};
use wpe_api::Client;

use crate::error::CliError;

/// The operation whose answer gets the addresses.
const OPERATION: &str = "getInstall";

/// Adds `ips` and `ips_source` to `install`, the answer of `op`, when `op`
/// is `getInstall`; reads the install's domains when it has no stable IPs.
pub async fn annotate(
    client: &Client,
    op: &Operation,
    args: &Args,
    install: &mut Value,
) -> Result<(), CliError> {
    if op.operation_id != OPERATION {
        return Ok(());
    }
    let domains = if stable_ips(install).is_empty() {
        let id = args.get("install_id").unwrap_or_default();
        let list = wpe_api::operations::find("list_domains").expect("listDomains is in the table");
        let args = Args::new().with("install_id", id);
        wpe_api::operations::stream(client, list, &args, Default::default())?
            .try_collect()
            .await?
    } else {
        Vec::new()
    };
    let (ips, source) = addresses(install, &domains);
    if let Some(object) = install.as_object_mut() {
        object.insert("ips".to_owned(), Value::from(ips.join(", ")));
        object.insert("ips_source".to_owned(), Value::from(source));
    }
    Ok(())
}

/// The install's `stable_ips` (none when absent or `null`).
fn stable_ips(install: &Value) -> Vec<String> {
    install["stable_ips"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect()
}

/// The addresses of `install`, and where they came from: its stable IPs, or
/// the A records of `domains` (each address once, in order), or none.
fn addresses(install: &Value, domains: &[Value]) -> (Vec<String>, String) {
    let stable = stable_ips(install);
    if !stable.is_empty() {
        return (stable, "stable_ips".to_owned());
    }
    let mut ips: Vec<String> = Vec::new();
    let mut from: Vec<&str> = Vec::new();
    for domain in domains {
        let records = domain["network_details"]["dns_config_info"]["a_records"].as_array();
        let records: Vec<&str> = records
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        if records.is_empty() {
            continue;
        }
        from.push(domain["name"].as_str().unwrap_or("?"));
        for ip in records {
            if !ips.iter().any(|known| known == ip) {
                ips.push(ip.to_owned());
            }
        }
    }
    if ips.is_empty() {
        return (
            ips,
            "none: no stable_ips, and no domain with A records".to_owned(),
        );
    }
    (ips, format!("dns A of {}", from.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn domain(name: &str, a: &[&str]) -> Value {
        json!({"name": name, "network_details": {"dns_config_info": {"a_records": a}}})
    }

    #[test]
    fn stable_ips_come_first_then_the_domains_a_records() {
        let domains = [
            domain("example.com", &["192.0.2.1", "192.0.2.2"]),
            domain("www.example.com", &["192.0.2.2"]),
            domain("pending.example.com", &[]),
        ];
        let stable = json!({"stable_ips": ["198.51.100.7"]});
        assert_eq!(
            addresses(&stable, &domains),
            (vec!["198.51.100.7".to_owned()], "stable_ips".to_owned())
        );
        for without in [
            json!({"stable_ips": null}),
            json!({"stable_ips": []}),
            json!({}),
        ] {
            assert_eq!(
                addresses(&without, &domains),
                (
                    vec!["192.0.2.1".to_owned(), "192.0.2.2".to_owned()],
                    "dns A of example.com, www.example.com".to_owned()
                )
            );
        }
        let (ips, source) = addresses(&json!({"stable_ips": null}), &[]);
        assert!(ips.is_empty());
        assert!(source.starts_with("none"), "{source}");
    }
}
