//! Which API the commands talk to: the real one (credentials from the
//! environment) or, with `--demo`, the embedded stand-in with demo data.

use wpe_api::Client;

use crate::error::CliError;

/// A client, and the stand-in it talks to when there is one (kept running
/// for as long as the command runs).
pub struct Target {
    /// The client every command uses.
    pub client: Client,
    #[cfg(feature = "demo")]
    _demo: Option<crate::demo::Session>,
}

impl Target {
    /// The stand-in with demo data when `demo`, else the API named by
    /// `WPE_API_URL` (the real one by default) with the credentials of
    /// `WPE_API_USER` and `WPE_API_PASSWORD`. Missing credentials are a
    /// usage error that says where to make them; they are never printed.
    pub async fn connect(demo: bool) -> Result<Target, CliError> {
        if demo {
            return Self::demo(true).await;
        }
        let client = Client::from_env().map_err(|err| {
            CliError::Usage(format!(
                "{err}\n(to try wpe without an account: wpe --demo installs list)"
            ))
        })?;
        Ok(Target {
            client,
            #[cfg(feature = "demo")]
            _demo: None,
        })
    }

    /// The demo stand-in, resumed from what earlier `wpe --demo` commands
    /// did (see [`crate::demo`]). With `keep`, the state file stays locked
    /// until the target is dropped, which writes this command's changes
    /// back; without (`wpe --demo mcp`, which runs for long), it is only
    /// read, and the changes stay in memory.
    #[cfg(feature = "demo")]
    pub async fn demo(keep: bool) -> Result<Target, CliError> {
        let session = crate::demo::Session::open(keep).await?;
        let server = &session.server;
        let client = Client::builder()
            .credentials(server.credentials())
            .base_url(server.base_url())
            .build()
            .map_err(|err| CliError::Usage(err.to_string()))?;
        Ok(Target {
            client,
            _demo: Some(session),
        })
    }

    /// Without the `demo` feature there is no stand-in.
    #[cfg(not(feature = "demo"))]
    pub async fn demo(_keep: bool) -> Result<Target, CliError> {
        Err(CliError::Usage(
            "this wpe was built without the `demo` feature: --demo is not available".into(),
        ))
    }
}
