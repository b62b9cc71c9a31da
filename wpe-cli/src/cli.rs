//! The command line: global flags, the generated operation groups
//! ([`crate::commands`]) and the hand-written commands.

use clap::{Arg, ArgAction, Command};

use crate::output::Format;

/// The id of `--json`.
pub const JSON: &str = "json";
/// The id of `--format`.
pub const FORMAT: &str = "format";
/// The id of `--demo`.
pub const DEMO: &str = "demo";

/// The whole command tree.
pub fn command() -> Command {
    Command::new("wpe")
        .version(env!("CARGO_PKG_VERSION"))
        .about("The WP Engine Customer API on the command line")
        .long_about(
            "The WP Engine Customer API on the command line: every operation of the API, \
             grouped by resource (wpe installs list, wpe backups create INSTALL --body -), \
             with installs, sites and accounts by name or ID.\n\n\
             Credentials come from WPE_API_USER and WPE_API_PASSWORD (made on \
             https://my.wpengine.com/api_access); WPE_API_URL replaces the API's base URL. \
             --demo runs against an embedded stand-in of the API with demo data instead.\n\n\
             Exit codes: 0 ok, 1 API error, 2 usage error, 3 a --wait timed out.",
        )
        .subcommand_required(true)
        .arg_required_else_help(true)
        .arg(
            Arg::new(JSON)
                .long(JSON)
                .global(true)
                .action(ArgAction::SetTrue)
                .conflicts_with(FORMAT)
                .help("Print JSON (the same as --format json)"),
        )
        .arg(
            Arg::new(FORMAT)
                .long(FORMAT)
                .global(true)
                .value_parser(Format::NAMES)
                .help("How to print answers [default: table on a terminal, json otherwise]"),
        )
        .arg(
            Arg::new(DEMO)
                .long(DEMO)
                .global(true)
                .action(ArgAction::SetTrue)
                .help("Run against an embedded stand-in of the API with demo data (no account needed)"),
        )
        .subcommands(crate::workflow::commands())
        .subcommand(crate::inventory::command())
        .subcommand(crate::audit::command())
        .subcommand(crate::report::command())
        .subcommand(crate::fleet::command())
        .subcommand(crate::mcp::command())
        .subcommands(demo_commands())
        .subcommands(crate::commands::groups())
        .mut_subcommand(crate::workflow::DOMAIN_ADD.0, |group| {
            group.subcommand(crate::workflow::domain_add_command())
        })
        .subcommand(
            Command::new("completions")
                .about("Print a shell completion script")
                .arg(
                    Arg::new("shell")
                        .required(true)
                        .value_parser(clap::value_parser!(clap_complete::Shell)),
                ),
        )
}

/// `wpe --demo reset`, when the demo is built in.
fn demo_commands() -> Vec<Command> {
    #[cfg(feature = "demo")]
    return vec![crate::demo::command()];
    #[cfg(not(feature = "demo"))]
    Vec::new()
}
