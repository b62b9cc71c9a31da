//! `--domain` of `wpe domains create-bulk`: each domain of a bulk request as
//! a flag of its own, with its own settings, instead of one JSON array.
//!
//! `--domain NAME[,redirect-to=DOMAIN]` is repeated once per domain. The
//! settings after the name are `key=value` pairs separated by commas (a
//! domain name holds neither `,` nor `=`); `redirect-to` is the one the
//! request's `BulkDomain` takes. Its target is a domain name (in the same
//! request or already on the install, as the API takes it) or the ID of a
//! domain on the install, which is sent as that domain's name. `--domains
//! JSON` still takes the whole array, but not together with `--domain`.

use std::str::FromStr;

use clap::{Arg, ArgAction, ArgMatches, Command};
use serde_json::{json, Value};
use uuid::Uuid;
use wpe_api::operations::{Args, Operation};
use wpe_api::Client;

use crate::error::CliError;
use crate::names::{self, Kind};

/// The operation whose command takes `--domain`.
const OPERATION: &str = "createBulkDomains";
/// The id of the `--domain` argument.
const DOMAIN: &str = "domain";
/// The body field `--domain` fills.
const FIELD: &str = "domains";

/// One `--domain` value: a domain of a bulk request and its settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkDomainArg {
    /// The domain name to add.
    pub name: String,
    /// The domain it redirects to: a name, or the ID of one on the install.
    pub redirect_to: Option<String>,
}

impl FromStr for BulkDomainArg {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let mut parts = text.split(',');
        let name = parts.next().unwrap_or_default().trim();
        if name.is_empty() || name.contains('=') || name.contains(char::is_whitespace) {
            return Err(format!(
                "`{text}` does not start with a domain name: write NAME[,redirect-to=DOMAIN], \
                 e.g. www.example.com,redirect-to=example.com"
            ));
        }
        let mut domain = BulkDomainArg {
            name: name.to_owned(),
            redirect_to: None,
        };
        for setting in parts {
            let Some((key, value)) = setting.split_once('=') else {
                return Err(format!(
                    "`{setting}` (of `{text}`) is not key=value: settings after the name are \
                     redirect-to=DOMAIN"
                ));
            };
            let value = value.trim();
            match key.trim() {
                "redirect-to" if domain.redirect_to.is_some() => {
                    return Err(format!("`{text}` gives redirect-to twice"));
                }
                "redirect-to" if value.is_empty() => {
                    return Err(format!("`{text}`: redirect-to needs a domain name or ID"));
                }
                "redirect-to" => domain.redirect_to = Some(value.to_owned()),
                other => {
                    return Err(format!(
                        "`{other}` (of `{text}`) is no setting of a bulk domain: the only \
                         setting is redirect-to=DOMAIN"
                    ));
                }
            }
        }
        Ok(domain)
    }
}

/// `command` with `--domain` when `op` is the bulk creation of domains;
/// as it is otherwise.
pub fn with_flags(op: &Operation, command: Command) -> Command {
    if op.operation_id != OPERATION {
        return command;
    }
    command.arg(
        Arg::new(DOMAIN)
            .long(DOMAIN)
            .value_name("NAME[,redirect-to=DOMAIN]")
            .action(ArgAction::Append)
            .value_parser(clap::value_parser!(BulkDomainArg))
            .conflicts_with(crate::commands::field_id_of(FIELD))
            .help_heading("Body fields (override the keys of --body)")
            .help(
                "A domain to add, once per domain (instead of --domains JSON): its name, then \
                 optionally ,redirect-to= a domain to redirect it to, by name (in this request \
                 or on the install) or by the ID of a domain on the install, e.g. \
                 --domain example.com --domain www.example.com,redirect-to=example.com",
            ),
    )
}

/// The `domains` array the `--domain` flags give, or `None` without them
/// (or for another operation). A redirect target given by ID is looked up
/// among the install's domains and sent as its name, which is what the
/// bulk request takes.
pub async fn domains(
    client: &Client,
    op: &Operation,
    matches: &ArgMatches,
    args: &Args,
) -> Result<Option<(&'static str, Value)>, CliError> {
    if op.operation_id != OPERATION {
        return Ok(None);
    }
    let Some(given) = matches.get_many::<BulkDomainArg>(DOMAIN) else {
        return Ok(None);
    };
    let install = args.get("install_id").unwrap_or_default();
    let mut domains = Vec::new();
    for domain in given {
        let mut item = json!({ "name": domain.name });
        if let Some(target) = &domain.redirect_to {
            let name = if Uuid::parse_str(target).is_ok() {
                names::name_of(client, Kind::Domain, target, Some(install))
                    .await
                    .map_err(|err| match err {
                        CliError::Api(err) if err.status().map(|s| s.as_u16()) == Some(404) => {
                            CliError::Usage(format!(
                                "--domain {},redirect-to={target}: the install has no domain \
                                 with that ID; give a domain's name or the ID of one of its \
                                 domains (wpe domains list INSTALL)",
                                domain.name
                            ))
                        }
                        other => other,
                    })?
            } else {
                target.clone()
            };
            item["redirect_to"] = Value::String(name);
        }
        domains.push(item);
    }
    Ok(Some((FIELD, Value::Array(domains))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_domain_flag_reads_its_name_and_redirect() {
        let plain: BulkDomainArg = "example.com".parse().unwrap();
        assert_eq!(plain.name, "example.com");
        assert_eq!(plain.redirect_to, None);
        let redirect: BulkDomainArg = "www.example.com,redirect-to=example.com".parse().unwrap();
        assert_eq!(redirect.redirect_to.as_deref(), Some("example.com"));
        for bad in [
            "",
            ",redirect-to=a.com",
            "a.com,redirect-to=",
            "a.com,redirect=b.com",
            "a.com,b.com",
            "a.com,redirect-to=b.com,redirect-to=c.com",
            "name=a.com",
        ] {
            assert!(bad.parse::<BulkDomainArg>().is_err(), "{bad}");
        }
    }
}
