//! What can go wrong in a command, and the exit code each gives:
//! 0 ok, 1 an API error, 2 a usage error, 3 a `--wait` that timed out.

use std::fmt;
use std::process::ExitCode;

/// A failed command.
#[derive(Debug)]
pub enum CliError {
    /// The command line, a name, a body file or the configuration is wrong (exit 2).
    Usage(String),
    /// A name that names nothing the credentials can see (exit 2), worded
    /// for the command line by `Display` and for `wpe mcp` by `wpe mcp`.
    NotFound(crate::names::NotFound),
    /// Options that do not go together (exit 2), worded likewise.
    Invalid(crate::surface::Invalid),
    /// The API, or the way to it, failed (exit 1); a request the client
    /// refused to send is a usage error (exit 2).
    Api(wpe_api::Error),
    /// A job ended without success, such as an aborted backup (exit 1).
    Failed(String),
    /// A `--wait` ran out of time (exit 3).
    Timeout(String),
    /// The fleet's mirror could not be opened or written: none yet, not
    /// ours, newer (exit 2); damaged, or SQLite failed (exit 1).
    Mirror(crate::fleet::MirrorError),
    /// Writing the output failed (exit 1).
    Io(std::io::Error),
}

impl CliError {
    /// The process exit code.
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(match self {
            CliError::Usage(_)
            | CliError::NotFound(_)
            | CliError::Invalid(_)
            | CliError::Api(wpe_api::Error::InvalidRequest(_)) => 2,
            CliError::Timeout(_) => 3,
            CliError::Mirror(err) => err.exit_code(),
            CliError::Api(_) | CliError::Failed(_) | CliError::Io(_) => 1,
        })
    }
}

/// Whether `err` answers a read the credentials may not make (403), or of
/// something gone or never there (404): a list `wpe audit` reports as
/// unreadable and `wpe fleet sync` records as unread, rather than an error
/// that stops them.
pub fn may_not_read(err: &wpe_api::Error) -> bool {
    matches!(err.status().map(|s| s.as_u16()), Some(403 | 404))
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Usage(message) | CliError::Failed(message) | CliError::Timeout(message) => {
                f.write_str(message)
            }
            CliError::NotFound(not_found) => write!(f, "{not_found}"),
            CliError::Invalid(invalid) => {
                f.write_str(&invalid.render(crate::surface::Surface::Cli))
            }
            CliError::Api(err) => write!(f, "{err}"),
            CliError::Mirror(err) => write!(f, "{err}"),
            CliError::Io(err) => write!(f, "could not write the output: {err}"),
        }
    }
}

impl From<wpe_api::Error> for CliError {
    fn from(err: wpe_api::Error) -> Self {
        CliError::Api(err)
    }
}

impl From<std::io::Error> for CliError {
    fn from(err: std::io::Error) -> Self {
        CliError::Io(err)
    }
}

impl From<crate::fleet::MirrorError> for CliError {
    fn from(err: crate::fleet::MirrorError) -> Self {
        CliError::Mirror(err)
    }
}
