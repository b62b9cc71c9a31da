//! `wpe fleet schema` (being built).

use clap::{ArgMatches, Command};

use crate::error::CliError;
use crate::output::Format;

/// The command's name.
pub const NAME: &str = "schema";

/// `wpe fleet schema`.
pub fn command() -> Command {
    Command::new(NAME).about("(being built)")
}

/// `wpe fleet schema`.
pub fn run(_matches: &ArgMatches, _format: Format) -> Result<(), CliError> {
    Err(CliError::Usage("wpe fleet schema: not built yet".into()))
}
