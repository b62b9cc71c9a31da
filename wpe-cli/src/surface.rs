//! Who reads what `wpe` says: a person at a shell, who gives flags and runs
//! commands, or an agent over MCP (`wpe mcp`), which gives a tool's
//! properties and calls tools. The workflows take the same typed options on
//! both; an error about them carries what it means ([`Invalid`],
//! [`crate::names::NotFound`]) and is worded for its reader at the edge, by
//! the functions here: `--min-percent` or `min_percent`, `wpe installs list`
//! or `list_installs`.

use std::fmt;

use serde_json::Value;

use crate::names::Kind;

/// Who a message is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    /// A person running `wpe` (flags, commands).
    Cli,
    /// An agent calling `wpe mcp`'s tools (properties, tools).
    Mcp,
}

impl Surface {
    /// An option as this surface names it, from its field name: `--cert-days`
    /// on the command line, `` `cert_days` `` for a tool.
    pub fn option(self, field: &str) -> String {
        match self {
            Surface::Cli => format!("--{}", field.replace('_', "-")),
            Surface::Mcp => format!("`{field}`"),
        }
    }

    /// What shows every `kind` the credentials can see: a command
    /// (`` `wpe installs list` ``) or a tool (`` `list_installs` ``).
    pub fn lister(self, kind: Kind) -> String {
        match self {
            Surface::Cli => format!("`{}`", list_command(kind)),
            Surface::Mcp => match kind.parent() {
                Some(parent) => {
                    format!("`{}` (for the {} it is in)", list_tool(kind), parent.noun())
                }
                None => format!("`{}`", list_tool(kind)),
            },
        }
    }

    /// Something to do next: the command for a person, the tool call (its
    /// name and arguments as JSON) for an agent.
    pub fn action(self, command: impl fmt::Display, tool: &str, arguments: Value) -> String {
        match self {
            Surface::Cli => format!("`{command}`"),
            Surface::Mcp => format!("`{tool}` {arguments}"),
        }
    }
}

/// The command that lists `kind`.
fn list_command(kind: Kind) -> &'static str {
    match kind {
        Kind::Install => "wpe installs list",
        Kind::Site => "wpe sites list",
        Kind::Account => "wpe accounts list",
        Kind::Domain => "wpe domains list INSTALL",
        Kind::User => "wpe account-users list ACCOUNT",
    }
}

/// The tool (an operation of the table) that lists `kind`.
pub fn list_tool(kind: Kind) -> &'static str {
    match kind {
        Kind::Install => "list_installs",
        Kind::Site => "list_sites",
        Kind::Account => "list_accounts",
        Kind::Domain => "list_domains",
        Kind::User => "list_account_users",
    }
}

/// Options that do not go together, named by their fields and worded by
/// [`Invalid::render`] for the surface that took them. The command line
/// (clap) refuses most of these before they get here; a tool's arguments
/// meet them only here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invalid {
    /// `option` was given without `needs`.
    Requires {
        /// The option given.
        option: &'static str,
        /// The option it needs.
        needs: &'static str,
    },
    /// `option` and `other` were both given, and only one may be.
    Conflicts {
        /// One option given.
        option: &'static str,
        /// The other.
        other: &'static str,
    },
    /// The first day of a period (`first`) is after its last (`last`).
    Reversed {
        /// The option of the first day.
        first: &'static str,
        /// Its value.
        first_value: String,
        /// The option of the last day.
        last: &'static str,
        /// Its value.
        last_value: String,
    },
}

impl Invalid {
    /// The message for `surface`.
    pub fn render(&self, surface: Surface) -> String {
        let name = |field| surface.option(field);
        match self {
            Invalid::Requires { option, needs } => format!(
                "{} needs {}: give both, or neither",
                name(option),
                name(needs)
            ),
            Invalid::Conflicts { option, other } => format!(
                "{} cannot be used with {}: give one of them",
                name(option),
                name(other)
            ),
            Invalid::Reversed {
                first,
                first_value,
                last,
                last_value,
            } => {
                let (first, last) = (name(first), name(last));
                format!(
                    "{first} {first_value} is after {last} {last_value}: give the period's first \
                     day with {first} and its last with {last}"
                )
            }
        }
    }

    /// The option the problem is reported against (its field name).
    pub fn field(&self) -> &'static str {
        match self {
            Invalid::Requires { option, .. } | Invalid::Conflicts { option, .. } => option,
            Invalid::Reversed { first, .. } => first,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_problem_names_flags_on_the_command_line_and_properties_for_a_tool() {
        let reversed = Invalid::Reversed {
            first: "from",
            first_value: "2026-12-01".into(),
            last: "to",
            last_value: "2026-11-01".into(),
        };
        assert_eq!(
            reversed.render(Surface::Cli),
            "--from 2026-12-01 is after --to 2026-11-01: give the period's first day with \
             --from and its last with --to"
        );
        let mcp = reversed.render(Surface::Mcp);
        assert!(mcp.starts_with("`from` 2026-12-01 is after `to`"), "{mcp}");
        assert!(!mcp.contains("--"), "{mcp}");
        let both = Invalid::Conflicts {
            option: "only_flagged",
            other: "min_percent",
        };
        assert!(both
            .render(Surface::Cli)
            .contains("--only-flagged cannot be used with --min-percent"));
        assert!(both
            .render(Surface::Mcp)
            .contains("`only_flagged` cannot be used with `min_percent`"));
    }

    #[test]
    fn every_kind_is_listed_by_a_tool_that_exists() {
        for kind in [
            Kind::Install,
            Kind::Site,
            Kind::Account,
            Kind::Domain,
            Kind::User,
        ] {
            assert!(
                wpe_api::operations::find(list_tool(kind)).is_some(),
                "{}",
                list_tool(kind)
            );
            assert!(Surface::Cli.lister(kind).contains("wpe "));
            assert!(!Surface::Mcp.lister(kind).contains("wpe "));
        }
    }
}
