//! `wpe fleet sync` (being built).

use clap::{ArgMatches, Command};

use crate::error::CliError;
use crate::output::Format;

/// The command's name.
pub const NAME: &str = "sync";

/// `wpe fleet sync`.
pub fn command() -> Command {
    Command::new(NAME).about("(being built)")
}

/// `wpe fleet sync`: `fleet` holds `--db`, `matches` the command's own flags.
pub async fn run(
    _demo: bool,
    _fleet: &ArgMatches,
    _matches: &ArgMatches,
    _format: Format,
) -> Result<(), CliError> {
    Err(CliError::Usage("wpe fleet sync: not built yet".into()))
}
