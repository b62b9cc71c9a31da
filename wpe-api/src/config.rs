//! Building a [`Client`]: credentials, base URL, timeout and user agent,
//! from code or from the `WPE_API_*` environment variables.

use std::fmt;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION};

use crate::Client;

/// The production API's base URL.
pub const DEFAULT_BASE_URL: &str = "https://api.wpengineapi.com/v1";
/// How long a request may take, from connecting to the last byte, unless set otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The largest success body read unless set otherwise (64 MiB; see
/// [`ClientBuilder::max_body_bytes`]).
pub const DEFAULT_MAX_BODY_BYTES: u64 = 64 * 1024 * 1024;
/// The most of an error answer's body read and kept unless set otherwise
/// (1 MiB; see [`ClientBuilder::max_error_body_bytes`]).
pub const DEFAULT_MAX_ERROR_BODY_BYTES: u64 = 1024 * 1024;
/// The `User-Agent` sent unless set otherwise.
pub const DEFAULT_USER_AGENT: &str = concat!("wpe-api/", env!("CARGO_PKG_VERSION"));

/// Environment variable holding the API user name.
pub const ENV_USER: &str = "WPE_API_USER";
/// Environment variable holding the API password.
pub const ENV_PASSWORD: &str = "WPE_API_PASSWORD";
/// Environment variable that, when set, replaces [`DEFAULT_BASE_URL`].
pub const ENV_URL: &str = "WPE_API_URL";
/// Environment variable that, when set, replaces the spacing the client
/// keeps for some per-install rate limits
/// ([`RetryPolicy::from_env`](crate::retry::RetryPolicy::from_env)):
/// `LIMIT=SECONDS` pairs separated by commas, such as
/// `object-cache-purge=60s,domain-check-status=5s`. Only for when WP Engine
/// changes its limits, or to match a stand-in that enforces others.
pub const ENV_INSTALL_LIMITS: &str = "WPE_API_INSTALL_LIMITS";

const API_ACCESS_HINT: &str = "create API credentials on the API Access page of the WP Engine User Portal (https://my.wpengine.com/api_access)";

/// What went wrong while building a [`Client`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A required environment variable is not set.
    #[error("environment variable {var} is not set: {API_ACCESS_HINT}, then export {ENV_USER} and {ENV_PASSWORD}")]
    MissingEnv {
        /// The variable's name.
        var: &'static str,
    },
    /// An environment variable is set but unusable (empty or not UTF-8).
    #[error("environment variable {var} is {problem}: set it to a non-empty UTF-8 value")]
    InvalidEnv {
        /// The variable's name.
        var: &'static str,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// No credentials were given to the builder.
    #[error("no credentials given: call ClientBuilder::credentials, or use Client::from_env; {API_ACCESS_HINT}")]
    MissingCredentials,
    /// The credentials cannot be sent (HTTP Basic forbids `:` in the user name and control characters anywhere).
    #[error("the API user name or password cannot be sent: {reason}")]
    InvalidCredentials {
        /// Which rule they break (never the credentials themselves).
        reason: &'static str,
    },
    /// The base URL is not an absolute `http` or `https` URL, or it carries
    /// credentials (user info, `user:password@`).
    #[error(
        "base URL {url:?} is not usable: {reason}; expected something like {DEFAULT_BASE_URL}"
    )]
    InvalidBaseUrl {
        /// The URL as given, but for its user info: whatever stands between
        /// the scheme's `//` and the last `@` is `***` (whether or not the
        /// URL parses), so the credentials it carried are never printed.
        url: String,
        /// Why it was refused.
        reason: String,
    },
    /// [`ENV_INSTALL_LIMITS`] names a limit the spec does not have, or gives
    /// a spacing that is not a whole number of seconds.
    #[error("environment variable {ENV_INSTALL_LIMITS}: `{entry}` is {problem}; expected LIMIT=SECONDS pairs separated by commas, such as object-cache-purge=60s, with LIMIT one of {}", known_limits().join(", "))]
    InvalidInstallLimits {
        /// The entry refused, as given (cut at 80 characters).
        entry: String,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// The user agent contains characters not allowed in an HTTP header.
    #[error("user agent {0:?} is not a valid HTTP header value")]
    InvalidUserAgent(String),
    /// The HTTP stack could not be set up (for instance, no TLS backend).
    #[error("could not set up the HTTP client: {0}")]
    Http(#[source] reqwest::Error),
    /// TLS could not be set up: the platform's certificate verifier or the
    /// protocol versions were refused.
    #[error("could not set up TLS: {0} (check the system's CA certificates, or build with the `native-tls` feature)")]
    Tls(String),
}

/// An API user name and password. Neither is ever shown by `Debug`.
///
/// ```
/// let creds = wpe_api::Credentials::new("api-user", "s3cret");
/// assert!(!format!("{creds:?}").contains("s3cret"));
/// ```
#[derive(Clone)]
pub struct Credentials {
    user: String,
    password: String,
}

impl Credentials {
    /// Credentials from the API Access page of the User Portal.
    pub fn new(user: impl Into<String>, password: impl Into<String>) -> Self {
        Self {
            user: user.into(),
            password: password.into(),
        }
    }

    /// Reads [`ENV_USER`] and [`ENV_PASSWORD`].
    pub fn from_env() -> Result<Self, ConfigError> {
        let user = read_env(ENV_USER)?.ok_or(ConfigError::MissingEnv { var: ENV_USER })?;
        let password =
            read_env(ENV_PASSWORD)?.ok_or(ConfigError::MissingEnv { var: ENV_PASSWORD })?;
        Ok(Self::new(user, password))
    }

    fn header(&self) -> Result<HeaderValue, ConfigError> {
        use base64::Engine as _;
        if self.user.contains(':') {
            return Err(ConfigError::InvalidCredentials {
                reason: "the user name contains ':'",
            });
        }
        let token = base64::engine::general_purpose::STANDARD
            .encode(format!("{}:{}", self.user, self.password));
        let mut value = HeaderValue::from_str(&format!("Basic {token}")).map_err(|_| {
            ConfigError::InvalidCredentials {
                reason: "they contain control characters",
            }
        })?;
        value.set_sensitive(true);
        Ok(value)
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("user", &"<redacted>")
            .field("password", &"<redacted>")
            .finish()
    }
}

/// Reads an optional variable; set-but-empty and non-UTF-8 values are errors.
fn read_env(var: &'static str) -> Result<Option<String>, ConfigError> {
    match std::env::var(var) {
        Ok(value) if value.trim().is_empty() => Err(ConfigError::InvalidEnv {
            var,
            problem: "empty",
        }),
        Ok(value) => Ok(Some(value)),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => Err(ConfigError::InvalidEnv {
            var,
            problem: "not valid UTF-8",
        }),
    }
}

/// The names of the spec's per-install limits (`object-cache-purge`, ...).
fn known_limits() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = crate::operations::OPERATIONS
        .iter()
        .filter_map(|op| op.rate_limit.map(|limit| limit.name))
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// The intervals [`ENV_INSTALL_LIMITS`] sets, by limit name; none when it is unset.
pub(crate) fn install_limits_from_env() -> Result<Vec<(&'static str, Duration)>, ConfigError> {
    match read_env(ENV_INSTALL_LIMITS)? {
        Some(text) => parse_install_limits(&text),
        None => Ok(Vec::new()),
    }
}

/// `object-cache-purge=60s,domain-check-status=5` as (limit, interval) pairs.
fn parse_install_limits(text: &str) -> Result<Vec<(&'static str, Duration)>, ConfigError> {
    let known = known_limits();
    let mut limits = Vec::new();
    for entry in text.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let refused = |problem| ConfigError::InvalidInstallLimits {
            entry: entry.chars().take(80).collect(),
            problem,
        };
        let (name, seconds) = entry
            .split_once('=')
            .ok_or_else(|| refused("not LIMIT=SECONDS"))?;
        let name = known
            .iter()
            .find(|known| **known == name.trim())
            .ok_or_else(|| refused("not a per-install limit of the spec"))?;
        let seconds = seconds.trim();
        let seconds = seconds.strip_suffix('s').unwrap_or(seconds);
        let seconds: u64 = seconds
            .parse()
            .map_err(|_| refused("not a whole number of seconds"))?;
        limits.push((*name, Duration::from_secs(seconds)));
    }
    Ok(limits)
}

/// Sets up a [`Client`]: credentials, base URL, timeout, user agent.
///
/// ```
/// use std::time::Duration;
/// let client = wpe_api::Client::builder()
///     .credentials(wpe_api::Credentials::new("api-user", "s3cret"))
///     .base_url("http://127.0.0.1:8080/v1")
///     .timeout(Duration::from_secs(10))
///     .build()?;
/// use wpe_api::ClientInfo;
/// assert_eq!(client.baseurl(), "http://127.0.0.1:8080/v1");
/// # Ok::<(), wpe_api::ConfigError>(())
/// ```
#[derive(Clone)]
pub struct ClientBuilder {
    credentials: Option<Credentials>,
    base_url: String,
    timeout: Duration,
    user_agent: String,
    retry: crate::retry::RetryPolicy,
    body_limits: crate::body::Limits,
}

/// The base URL is shown without its user info: credentials given there
/// (which `build` refuses) are never printed.
impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("credentials", &self.credentials)
            .field("base_url", &without_user_info(&self.base_url))
            .field("timeout", &self.timeout)
            .field("user_agent", &self.user_agent)
            .field("retry", &self.retry)
            .field("body_limits", &self.body_limits)
            .finish()
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            credentials: None,
            base_url: DEFAULT_BASE_URL.to_owned(),
            timeout: DEFAULT_TIMEOUT,
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            retry: crate::retry::RetryPolicy::default(),
            body_limits: crate::body::Limits::default(),
        }
    }
}

impl ClientBuilder {
    /// A builder with the defaults: production base URL, 30 s timeout, `wpe-api/<version>` user agent.
    pub fn new() -> Self {
        Self::default()
    }

    /// A builder with the credentials of [`ENV_USER`] and [`ENV_PASSWORD`],
    /// and the base URL of [`ENV_URL`] when it is set; the retry policy is
    /// the default (see [`Client::from_env`], which also reads
    /// [`ENV_INSTALL_LIMITS`]).
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use wpe_api::retry::RetryPolicy;
    ///
    /// let client = wpe_api::ClientBuilder::from_env()?
    ///     .retry_policy(RetryPolicy::from_env()?.max_wait(Duration::from_secs(30)))
    ///     .build()?;
    /// # Ok::<(), wpe_api::ConfigError>(())
    /// ```
    pub fn from_env() -> Result<Self, ConfigError> {
        let mut builder = Self::new().credentials(Credentials::from_env()?);
        if let Some(url) = read_env(ENV_URL)? {
            builder = builder.base_url(url);
        }
        Ok(builder)
    }

    /// The API user name and password.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// Where the API lives: a proxy, a gateway or a local stand-in instead of production.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// The most a request may take, from connecting to the last byte of the body.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The `User-Agent` header, e.g. `my-deploy-bot/2.1 wpe-api/0.1`.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// How transient failures are retried ([`crate::retry`]); retries are on by default.
    pub fn retry_policy(mut self, policy: crate::retry::RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The largest success body the client reads, in bytes (default
    /// [`DEFAULT_MAX_BODY_BYTES`], 64 MiB: the API's largest answers, usage
    /// reports, run to a few MB). A success whose body passes it, or whose
    /// `Content-Length` announces more, is
    /// [`Error::ResponseTooLarge`](crate::Error::ResponseTooLarge), with its
    /// status and the start of the body; the rest is not read, and the call
    /// is not retried. Memory held by a call stays near this cap.
    ///
    /// ```
    /// let client = wpe_api::Client::builder()
    ///     .credentials(wpe_api::Credentials::new("api-user", "s3cret"))
    ///     .max_body_bytes(256 * 1024 * 1024)
    ///     .build()?;
    /// # Ok::<(), wpe_api::ConfigError>(())
    /// ```
    pub fn max_body_bytes(mut self, bytes: u64) -> Self {
        self.body_limits.success = bytes;
        self
    }

    /// The most of an error answer's body (any status other than 2xx) the
    /// client reads and keeps, in bytes (default
    /// [`DEFAULT_MAX_ERROR_BODY_BYTES`], 1 MiB). Past it, the error keeps its
    /// status and the body up to the cap, marked
    /// [`BodyCut::TooLarge`](crate::error::BodyCut::TooLarge); the rest is
    /// not read.
    pub fn max_error_body_bytes(mut self, bytes: u64) -> Self {
        self.body_limits.error = bytes;
        self
    }

    /// Checks the settings and builds the client.
    pub fn build(self) -> Result<Client, ConfigError> {
        let credentials = self.credentials.ok_or(ConfigError::MissingCredentials)?;
        let base_url = normalise_base_url(&self.base_url)?;
        let user_agent = HeaderValue::from_str(&self.user_agent)
            .map_err(|_| ConfigError::InvalidUserAgent(self.user_agent.clone()))?;
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, credentials.header()?);
        let http = tls(reqwest::Client::builder())?
            .default_headers(headers)
            .user_agent(user_agent)
            .timeout(self.timeout)
            .connect_timeout(self.timeout.min(Duration::from_secs(10)))
            // A redirect could carry the Authorization header to another host.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(ConfigError::Http)?;
        Ok(Client::new_with_client(
            &base_url,
            http,
            crate::retry::Shared::for_client(self.retry, self.timeout, self.body_limits),
        ))
    }
}

/// With the default `rustls` feature, rustls with the *ring* crypto provider
/// and the platform's certificate verifier, offering HTTP/2 and HTTP/1.1, as
/// reqwest sets rustls up itself. reqwest's own provider, aws-lc, takes most
/// of a user's clean build (its C library); ring builds in seconds. The
/// `rustls-aws-lc` or `native-tls` feature hands TLS back to reqwest.
#[cfg(all(
    feature = "rustls",
    not(feature = "rustls-aws-lc"),
    not(feature = "native-tls")
))]
fn tls(builder: reqwest::ClientBuilder) -> Result<reqwest::ClientBuilder, ConfigError> {
    use rustls_platform_verifier::BuilderVerifierExt;
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|builder| builder.with_platform_verifier())
        .map_err(|e| ConfigError::Tls(e.to_string()))?
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(builder.tls_backend_preconfigured(config))
}

/// TLS as reqwest sets it up for the features chosen.
#[cfg(not(all(
    feature = "rustls",
    not(feature = "rustls-aws-lc"),
    not(feature = "native-tls")
)))]
fn tls(builder: reqwest::ClientBuilder) -> Result<reqwest::ClientBuilder, ConfigError> {
    Ok(builder)
}

fn normalise_base_url(url: &str) -> Result<String, ConfigError> {
    let invalid = |reason: String| ConfigError::InvalidBaseUrl {
        url: without_user_info(url),
        reason,
    };
    let parsed = reqwest::Url::parse(url).map_err(|e| invalid(e.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        // The scheme is not named: without `//`, user info parses as one
        // (`apiuser:TopSecretPw1@...`); the quoted URL shows it otherwise.
        return Err(invalid("its scheme is not http or https".into()));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(invalid(
            "it contains credentials; use ClientBuilder::credentials".into(),
        ));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(invalid("it has a query or fragment".into()));
    }
    Ok(parsed.as_str().trim_end_matches('/').to_owned())
}

/// `url` with its user info replaced by `***`, found without parsing it (a
/// URL that does not parse may carry credentials too): everything from the
/// start of the authority (after `scheme://`, else the start of the text) up
/// to the last `@` goes. A path or query with an `@` loses more than the
/// user info; never less.
fn without_user_info(url: &str) -> String {
    let Some(at) = url.rfind('@') else {
        return url.to_owned();
    };
    let is_scheme = |text: &str| {
        let mut chars = text.chars();
        chars.next().is_some_and(|c| c.is_ascii_alphabetic())
            && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    };
    let start = match url.find("://") {
        Some(end) if end < at && is_scheme(&url[..end]) => end + 3,
        _ => 0,
    };
    format!("{}***{}", &url[..start], &url[at..])
}

impl Client {
    /// A [`ClientBuilder`] with the defaults.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// A client configured from the environment: credentials from
    /// [`ENV_USER`] and [`ENV_PASSWORD`], the base URL from [`ENV_URL`]
    /// and the spacing of per-install limits from [`ENV_INSTALL_LIMITS`]
    /// when they are set.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// let client = wpe_api::Client::from_env()?;
    /// let accounts = client.list_accounts().send().await?;
    /// println!("{} accounts", accounts.results.len());
    /// # Ok(()) }
    /// ```
    pub fn from_env() -> Result<Self, ConfigError> {
        ClientBuilder::from_env()?
            .retry_policy(crate::retry::RetryPolicy::from_env()?)
            .build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn install_limits_are_read_by_name_and_a_wrong_entry_is_named() {
        assert_eq!(
            parse_install_limits(" object-cache-purge=2s, domain-check-status=0 ,").unwrap(),
            [
                ("object-cache-purge", Duration::from_secs(2)),
                ("domain-check-status", Duration::ZERO)
            ]
        );
        for (text, problem) in [
            ("object-cache-purges=2s", "not a per-install limit"),
            ("object-cache-purge", "not LIMIT=SECONDS"),
            ("object-cache-purge=2m", "not a whole number"),
            ("object-cache-purge=-1", "not a whole number"),
        ] {
            let err = parse_install_limits(text).unwrap_err().to_string();
            assert!(err.contains(problem), "{text}: {err}");
            assert!(
                err.contains("object-cache-purge, domain-check-status")
                    || err.contains("domain-check-status, object-cache-purge"),
                "{err}"
            );
        }
    }

    #[test]
    fn a_builder_debug_shows_no_credentials_given_in_the_base_url() {
        let builder = Client::builder()
            .credentials(Credentials::new("api-user", "CredPw1"))
            .base_url("https://urluser:UrlPw2@api.wpengineapi.com/v1");
        let debug = format!("{builder:?}");
        assert!(
            !debug.contains("UrlPw2") && !debug.contains("urluser"),
            "{debug}"
        );
        assert!(!debug.contains("CredPw1"), "{debug}");
        assert!(debug.contains("***@api.wpengineapi.com/v1"), "{debug}");
    }
}
