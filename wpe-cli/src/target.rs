//! Which API the commands talk to: the real one (credentials from the
//! environment) or, with `--demo`, the embedded stand-in with demo data.

use wpe_api::retry::RetryPolicy;
use wpe_api::{Client, ClientBuilder};

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
        Self::open(demo, true, |policy| policy).await
    }

    /// [`Target::connect`], or [`Target::demo`] with `keep`, with the
    /// client's retry policy changed by `adjust` (`wpe mcp` bounds its
    /// waits). The policy it is given is the default, with the spacing of
    /// `WPE_API_INSTALL_LIMITS` for the real API (see
    /// `wpe_api::retry::RetryPolicy::from_env`).
    pub async fn open(
        demo: bool,
        keep: bool,
        adjust: impl FnOnce(RetryPolicy) -> RetryPolicy,
    ) -> Result<Target, CliError> {
        if demo {
            return Self::demo(keep, adjust(RetryPolicy::default())).await;
        }
        let client = ClientBuilder::from_env()
            .and_then(|builder| Ok(builder.retry_policy(adjust(RetryPolicy::from_env()?))))
            .and_then(ClientBuilder::build)
            .map_err(|err| {
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
    /// did (see [`crate::demo`]), and a client of it that follows `policy`.
    /// With `keep`, the state file stays locked until the target is
    /// dropped, which writes this command's changes back; without (`wpe
    /// --demo mcp`, which runs for long), it is only read, and the changes
    /// stay in memory.
    #[cfg(feature = "demo")]
    async fn demo(keep: bool, policy: RetryPolicy) -> Result<Target, CliError> {
        let session = crate::demo::Session::open(keep).await?;
        let server = &session.server;
        let client = Client::builder()
            .credentials(server.credentials())
            .base_url(server.base_url())
            .retry_policy(policy)
            .build()
            .map_err(|err| CliError::Usage(err.to_string()))?;
        Ok(Target {
            client,
            _demo: Some(session),
        })
    }

    /// Without the `demo` feature there is no stand-in.
    #[cfg(not(feature = "demo"))]
    async fn demo(_keep: bool, _policy: RetryPolicy) -> Result<Target, CliError> {
        Err(CliError::Usage(
            "this wpe was built without the `demo` feature: --demo is not available".into(),
        ))
    }
}
