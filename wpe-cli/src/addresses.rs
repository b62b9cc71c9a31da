//! An install's IP addresses beside what `wpe installs get` and `wpe
//! installs list --addresses` print in a table or Markdown: `ips`, and
//! `ips_source` saying where they came from.
//!
//! The install's own `stable_ips` when the API gives any (no request);
//! otherwise the DNS A records WP Engine reports for the install's domains
//! (`network_details.dns_config_info.a_records` of `listDomains`, one
//! request per install, no DNS lookup of ours), with `ips_source` naming the
//! domains (`dns A of torquemag.io`), or saying there are none.
//!
//! `get` always adds them. `list` adds them only with `--addresses`, since
//! it costs a request per install without stable IPs: those requests go
//! through the client (its retries and rate limits), [`AT_ONCE`] at a time,
//! and the rows keep the list's order. Without the flag `list` sends no
//! request more. JSON, NDJSON and CSV print the API's answer as it came,
//! without these two fields: `--addresses` with one of them is a usage
//! error rather than a flag that silently does nothing.
//!
//! The flags an operation's command takes beyond its parameters come from
//! the module that owns them: [`with_flags`] here adds `--addresses` to the
//! command of [`LIST`] only.

use clap::{Arg, ArgAction, ArgMatches, Command};
use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt};
use serde_json::Value;
use wpe_api::operations::{Args, Operation};
use wpe_api::Client;

use crate::error::CliError;
use crate::output::Format;

/// The operation whose answer always gets the addresses (in a table or Markdown).
const GET: &str = "getInstall";
/// The operation whose command takes `--addresses`.
const LIST: &str = "listInstalls";
/// The id (and long name) of the `--addresses` flag.
const FLAG: &str = "addresses";
/// How many installs' domains `list --addresses` reads at once.
const AT_ONCE: usize = 4;

/// `command` with `--addresses` when `op` is `listInstalls`; as it is otherwise.
pub fn with_flags(op: &Operation, command: Command) -> Command {
    if op.operation_id != LIST {
        return command;
    }
    command.arg(Arg::new(FLAG).long(FLAG).action(ArgAction::SetTrue).help(
        "Add each install's IPs and their source (ips, ips_source), as `installs get` \
                 does: its stable_ips, or else the DNS A records of its domains, which costs \
                 one domains request per install without stable IPs (4 at a time). Table and \
                 Markdown only: JSON, NDJSON and CSV print the API's answer as it came",
    ))
}

/// Whether `op`'s answer gets the addresses in `format`: `getInstall`'s in
/// a table or Markdown, `listInstalls`'s when `--addresses` is given. The
/// flag with another format is a usage error.
pub fn wanted(op: &Operation, matches: &ArgMatches, format: Format) -> Result<bool, CliError> {
    let for_people = matches!(format, Format::Table | Format::Markdown);
    if op.operation_id == GET {
        return Ok(for_people);
    }
    if op.operation_id != LIST || !matches.get_flag(FLAG) {
        return Ok(false);
    }
    if !for_people {
        return Err(CliError::Usage(format!(
            "--addresses: the addresses are shown only in a table or Markdown (--format table \
             or --format markdown), because {} prints the API's answer as it came, which has \
             no ips or ips_source",
            format_name(format)
        )));
    }
    Ok(true)
}

fn format_name(format: Format) -> &'static str {
    match format {
        Format::Json => "JSON",
        Format::Ndjson => "NDJSON",
        Format::Csv => "CSV",
        Format::Table => "a table",
        Format::Markdown => "Markdown",
    }
}

/// Adds `ips` and `ips_source` to `install` (an install as the API gives
/// it); reads the install's domains when it has no stable IPs.
pub async fn add(client: &Client, install: &mut Value) -> Result<(), CliError> {
    let domains = if needs_domains(install) {
        let id = install["id"].as_str().unwrap_or_default();
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

/// `installs` with [`add`] applied to each when `wanted`, [`AT_ONCE`] at a
/// time, in their order; `installs` untouched (no request) otherwise.
pub fn add_to_each<'a>(
    client: &'a Client,
    installs: BoxStream<'a, Result<Value, CliError>>,
    wanted: bool,
) -> BoxStream<'a, Result<Value, CliError>> {
    if !wanted {
        return installs;
    }
    installs
        .map_ok(move |mut install| async move {
            add(client, &mut install).await?;
            Ok(install)
        })
        .try_buffered(AT_ONCE)
        .boxed()
}

/// Whether the addresses of `install` need its domains: it has no stable IPs.
fn needs_domains(install: &Value) -> bool {
    stable_ips(install).is_empty()
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

    #[test]
    fn only_an_install_without_stable_ips_needs_its_domains() {
        assert!(!needs_domains(&json!({"stable_ips": ["198.51.100.7"]})));
        assert!(needs_domains(&json!({"stable_ips": null})));
        assert!(needs_domains(&json!({"stable_ips": []})));
        assert!(needs_domains(&json!({})));
    }
}
