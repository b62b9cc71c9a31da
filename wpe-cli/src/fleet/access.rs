//! `wpe fleet access` (being built).

use clap::{ArgMatches, Command};

use super::Mirror;
use crate::error::CliError;
use crate::output::Format;

/// The command's name.
pub const NAME: &str = "access";

/// `wpe fleet access`.
pub fn command() -> Command {
    Command::new(NAME).about("(being built)")
}

/// `wpe fleet access`.
pub fn run(_mirror: &Mirror, _matches: &ArgMatches, _format: Format) -> Result<(), CliError> {
    Err(CliError::Usage("wpe fleet access: not built yet".into()))
}
