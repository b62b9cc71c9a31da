//! The workflow tools of `wpe mcp`: the CLI's hand-written commands as
//! tools. A tool's input schema is its command's flags ([`schema::of_command`]);
//! a call is turned back into that command line, parsed by the same clap
//! command (so the same checks apply), and run by the same code as the
//! command, which answers JSON instead of printing it.

use clap::Command;
use serde_json::{json, Map, Value};
use wpe_api::Client;

use super::{schema, Access};
use crate::error::CliError;

/// A CLI command offered as a tool.
pub struct Workflow {
    /// The tool's name.
    pub tool: &'static str,
    /// The tool's title.
    pub title: &'static str,
    /// What it does, for the agent.
    pub description: &'static str,
    /// The command under `wpe` (`["report", "usage"]`).
    path: &'static [&'static str],
    /// Flags always given (`--wait`).
    fixed: &'static [&'static str],
    /// Flags the tool does not offer (`--fail-on`, an exit code).
    hidden: &'static [&'static str],
    /// Flags offered only when writes are allowed (`--refresh` starts a
    /// measurement), with the access they need.
    writes: &'static [&'static str],
    /// The mode that allows the tool.
    pub access: Access,
}

/// The workflow tools.
pub const WORKFLOWS: &[Workflow] = &[
    Workflow {
        tool: "inventory",
        title: "Every account, site and install",
        description: "Every account, site and install the credentials can see: a row per \
                      install (account, site, install, environment, status, primary domain, \
                      PHP version, cname and IDs), and a row for each account or site without \
                      installs, sorted by account, site and install. `account` narrows it to \
                      one account (by name or ID).",
        path: &["inventory"],
        fixed: &[],
        hidden: &["sort"],
        writes: &[],
        access: Access::Read,
    },
    Workflow {
        tool: "audit",
        title: "What needs attention across installs",
        description: "Checks every install (or one account's) and answers what needs \
                      attention, most severe first: certificates expired (critical) or \
                      expiring within `cert_days`, PHP older than `min_php`, no completed backup \
                      newer than `backup_days`, domains awaiting TXT verification, installs not \
                      active. Each finding has a `fix`.",
        path: &["audit"],
        fixed: &[],
        hidden: &["fail-on"],
        writes: &[],
        access: Access::Read,
    },
    Workflow {
        tool: "report_usage",
        title: "Usage against plan limits, per account",
        description: "Usage per account over a period (the previous month unless `month`, \
                      `quarter` or `from`/`to` say otherwise; the API keeps 13 months): \
                      visits, billable visits, bandwidth and storage against the plan's \
                      limits, with `flag` over (>100 %), warning (>80 %) or stale (storage not \
                      measured), storage as files and database, and each account's installs. \
                      `only_flagged` or `min_percent` (e.g. 90) keep only those accounts. \
                      Figures are exact bytes. `refresh` (only when writes are allowed) \
                      measures stale storage again and waits for it.",
        path: &["report", "usage"],
        fixed: &[],
        hidden: &[],
        writes: &["refresh"],
        access: Access::Read,
    },
    Workflow {
        tool: "backup_and_wait",
        title: "Back up an install and wait for it",
        description: "Takes a backup of an install (by name or ID) and waits until it is \
                      completed (up to `timeout` seconds): the backup as it ended. An aborted \
                      backup is a `job_failed` error; running out of time a `timeout` error \
                      (the backup goes on: `show_backup` follows it).",
        path: &["backup"],
        fixed: &["--wait"],
        hidden: &["wait"],
        writes: &[],
        access: Access::Write,
    },
];

impl Workflow {
    /// The command, found in the CLI's tree.
    fn command(&self) -> Command {
        let mut command = crate::cli::command();
        for name in self.path {
            command = match command.find_subcommand(name) {
                Some(sub) => sub.clone(),
                None => panic!("wpe has no command {}", self.path.join(" ")),
            };
        }
        command
    }

    /// The input schema in a server started with `allowed`.
    pub fn input_schema(&self, allowed: Access) -> Map<String, Value> {
        let mut hidden = self.hidden.to_vec();
        if allowed < Access::Write {
            hidden.extend(self.writes);
        }
        schema::of_command(&self.command(), &hidden)
    }

    /// The command line a call stands for: the path, each argument as its
    /// flag (`--cert-days=14`; `true` gives a bare flag; a list repeats it;
    /// a positional by value), then the fixed flags.
    fn command_line(&self, arguments: &Map<String, Value>) -> Vec<String> {
        let command = self.command();
        let mut line = vec!["wpe".to_owned()];
        line.extend(self.path.iter().map(|p| (*p).to_owned()));
        for arg in command.get_arguments() {
            let Some(value) = arguments.get(&schema::property_name(arg.get_id().as_str())) else {
                continue;
            };
            let values: Vec<&Value> = match value {
                Value::Array(items) => items.iter().collect(),
                one => vec![one],
            };
            for value in values {
                let text = match value {
                    Value::String(text) => text.clone(),
                    Value::Bool(false) | Value::Null => continue,
                    Value::Bool(true) => String::new(),
                    other => other.to_string(),
                };
                match arg.get_long() {
                    Some(long) if matches!(value, Value::Bool(true)) => {
                        line.push(format!("--{long}"))
                    }
                    Some(long) => line.push(format!("--{long}={text}")),
                    None => line.push(text),
                }
            }
        }
        line.extend(self.fixed.iter().map(|f| (*f).to_owned()));
        line
    }

    /// Runs the tool with checked `arguments`.
    pub async fn run(
        &self,
        client: &Client,
        arguments: &Map<String, Value>,
    ) -> Result<Value, CliError> {
        let line = self.command_line(arguments);
        let matches = crate::cli::command()
            .try_get_matches_from(&line)
            .map_err(|err| CliError::Usage(self.clap_problem(&err)))?;
        // The matches of the first word of the path (`report`, not `usage`):
        // what the command's `run` takes.
        let Some((_, matches)) = matches.subcommand() else {
            unreachable!("the command line names the command")
        };
        match self.tool {
            "inventory" => Ok(json!({
                "rows": crate::inventory::collect(client, matches).await?,
            })),
            "audit" => crate::audit::collect(client, matches).await,
            "report_usage" => crate::report::collect(client, matches).await,
            "backup_and_wait" => crate::workflow::backup_value(client, matches).await,
            other => unreachable!("no workflow tool {other}"),
        }
    }

    /// What clap found wrong, with flags named as the tool's properties.
    fn clap_problem(&self, err: &clap::Error) -> String {
        let mut text = err.render().to_string();
        text = text
            .lines()
            .find(|line| line.starts_with("error:"))
            .unwrap_or(text.as_str())
            .trim_start_matches("error: ")
            .to_owned();
        for arg in self.command().get_arguments() {
            if let Some(long) = arg.get_long() {
                let property = format!("`{}`", schema::property_name(arg.get_id().as_str()));
                text = text.replace(&format!("'--{long} <{}>'", value_name(arg)), &property);
                text = text.replace(&format!("'--{long}'"), &property);
                text = text.replace(&format!("--{long}"), &property);
            }
        }
        text
    }
}

/// The value name clap shows in an error about `arg`.
fn value_name(arg: &clap::Arg) -> String {
    arg.get_value_names()
        .and_then(|names| names.first())
        .map(ToString::to_string)
        .unwrap_or_else(|| arg.get_id().as_str().to_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workflow(tool: &str) -> &'static Workflow {
        WORKFLOWS.iter().find(|w| w.tool == tool).unwrap()
    }

    #[test]
    fn a_call_becomes_the_command_line_of_its_command() {
        let arguments = json!({"install": "torquemag", "email": ["a@example.com", "b@example.com"], "timeout": 60});
        let line = workflow("backup_and_wait").command_line(arguments.as_object().unwrap());
        assert_eq!(
            line,
            [
                "wpe",
                "backup",
                "torquemag",
                "--email=a@example.com",
                "--email=b@example.com",
                "--timeout=60",
                "--wait"
            ]
        );
        let arguments = json!({"refresh": true, "quarter": "2026Q3"});
        let line = workflow("report_usage").command_line(arguments.as_object().unwrap());
        assert_eq!(
            line,
            ["wpe", "report", "usage", "--quarter=2026Q3", "--refresh"]
        );
    }

    #[test]
    fn refresh_is_offered_only_when_writes_are() {
        let report = workflow("report_usage");
        let read = report.input_schema(Access::Read);
        assert!(read["properties"].get("refresh").is_none());
        assert!(read["properties"].get("month").is_some());
        let write = report.input_schema(Access::Write);
        assert_eq!(write["properties"]["refresh"]["type"], "boolean");
        let audit = workflow("audit").input_schema(Access::Read);
        assert_eq!(audit["properties"]["cert_days"]["type"], "integer");
        assert_eq!(audit["properties"]["cert_days"]["default"], 30);
        assert!(audit["properties"].get("fail_on").is_none());
    }
}
