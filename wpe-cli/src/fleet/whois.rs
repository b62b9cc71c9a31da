//! `wpe fleet whois` (being built).

use clap::{ArgMatches, Command};

use super::Mirror;
use crate::error::CliError;
use crate::output::Format;

/// The command's name.
pub const NAME: &str = "whois";

/// `wpe fleet whois`.
pub fn command() -> Command {
    Command::new(NAME).about("(being built)")
}

/// `wpe fleet whois`.
pub fn run(_mirror: &Mirror, _matches: &ArgMatches, _format: Format) -> Result<(), CliError> {
    Err(CliError::Usage("wpe fleet whois: not built yet".into()))
}
