//! A stateful local stand-in for the WP Engine Customer API, for tests and demos
//! (enabled by the `fake` cargo feature).
//!
//! [`FakeServer::start`] binds `127.0.0.1` on an ephemeral port and serves
//! every operation of the spec from in-memory state: what a call creates, later
//! calls see; what it deletes is gone. It checks HTTP Basic credentials, keeps
//! each user to their own accounts, validates bodies and answers with errors
//! in the API's shape (`message`, `errors` with per-field problems), pages
//! like the API (`limit`/`offset`, absolute `next`/`previous` URLs), and
//! enforces the documented rate limits (`429` with `Retry-After`).
//!
//! Asynchronous work progresses with time: a new install is `pending` until
//! [`FakeConfig::install_activation_delay`] has passed, a backup goes
//! `requested` → `in_progress` → `completed` (or `aborted`, see
//! [`FakeServer::abort_next_backup`]) one [`FakeConfig::backup_step_delay`]
//! at a time (as upstream 1.21.2 names the running state; older servers say
//! `initiated`), a restore waits for its checkpoint backup and then takes
//! one more step ([`FakeServer::restores`] shows it), an archive goes
//! `requested` → `in_progress` → `completed` (or `aborted`, see
//! [`FakeServer::abort_next_archive`]) one [`FakeConfig::archive_step_delay`]
//! at a time, a domain status report completes after
//! [`FakeConfig::domain_report_delay`], a site transfer goes `pending` →
//! `scheduled` → `in_progress` → `completed` one
//! [`FakeConfig::site_transfer_step_delay`] at a time (waiting in `scheduled`
//! for its `scheduled_time`, when it has one), and on completion the site and
//! its installs belong to the destination account.
//!
//! # Domain ownership
//!
//! A domain added with `createDomain` or `createBulkDomains` starts
//! `TXT_VERIFICATION_PENDING` (and serves no traffic: its network status is
//! `PENDING`), with `txt_verification_key` `_wpe_verification` and a
//! `txt_verification_value` of its own. The key is a label under the domain:
//! the record to publish is the TXT record at the DNS name
//! `_wpe_verification.<domain>` (for `blog.example.com`,
//! `_wpe_verification.blog.example.com`). There is no DNS: a test publishes
//! the record with [`FakeServer::publish_txt_record`], giving that full DNS
//! name, and `verifyDomainTxtRecord` then finds it. The seeded domains are
//! verified already.
//!
//! # SFTP users and cache exclusions
//!
//! SFTP users follow the rules WP Engine's reference states: the install's
//! name is put in front of the requested name (`developer` on `torquemag`
//! is `torquemag-developer`, at most 32 characters in all; letters, digits,
//! `-` and `_`), a password of 8 to 64 characters holds neither `wpengine`
//! nor the install's name, a path holds no `..`, and no answer ever holds a
//! password (the stand-in keeps none). The demo account Demo Client Co is on
//! the Autoscale plan, where every SFTP operation is refused with 403;
//! `deleteSftpUser` also answers 403, not 404, for an install the caller
//! cannot see, as the reference says. `updateCacheExclusions` replaces the
//! whole set: rules left out go, an empty list clears every `query arg`
//! and `url path` rule, repeats are kept once, and `cookie` rules are the
//! platform's (every install has two): sent ones are accepted and ignored,
//! so a list read back can be sent again unchanged.
//!
//! # Site transfers
//!
//! `createSiteTransfer` moves a site, with its installs, to another account
//! the caller belongs to. A site has at most one open transfer at a time;
//! `cancelSiteTransfer` stops one until it is `in_progress`.
//! `listAccountSiteTransfers` lists the transfers an account is the origin
//! or the destination of. [`FakeServer::fail_next_site_transfer`] makes the
//! next transfer requested end `failed` (the site stays where it was), for
//! testing how a client handles that end.
//!
//! # What the live API does that its documents do not say
//!
//! The stand-in answers as WP Engine's servers have been seen to:
//! - an account whose API access is off is out of reach of its users'
//!   credentials: they sign in, `listAccounts` answers 200 with no accounts
//!   ([`FakeServer::add_user_without_api_access`], [`FakeServer::set_api_access`]);
//! - `getOffloadSettings` of an install that never set up LargeFS is a 404
//!   `LargeFS settings not found`;
//! - `getInstallCertificates` of an install without certificates is a 404;
//! - a method and path no operation serves get API Gateway's JSON 403
//!   `{"message": "Missing Authentication Token"}`, whatever the credentials;
//! - `importThirdPartySSLCertificate` takes base64-encoded PEM and refuses
//!   PEM text.
//!
//! With [`FakeConfig::shapes`] set to [`Shapes::Live`] (or
//! `WPE_FAKE_SHAPES=live` in the environment), it also answers in the
//! shapes the live API was recorded sending where they differ from
//! upstream's document: a domain's `redirect_to` instead of `redirects_to`,
//! `stable_ips: null`, install lists without `created_at` or `wp_version`,
//! accounts without `nickname`.
//!
//! # Time
//!
//! The server's clock is its [`FakeConfig::clock`] (tokio's by default) plus
//! an offset that [`FakeServer::advance`] moves forward. Tests that want to
//! skip the 60 s object-cache rate limit call
//! `server.advance(Duration::from_secs(60))` instead of sleeping; wall-clock
//! timestamps in responses (`created_at`, refresh times) move along with it,
//! and nothing runs in the background: every state (`pending`/`active`,
//! backup progress, report completion, rate limits) is worked out from the
//! clock when a request arrives. The injected latency and slow answers wait
//! on the same clock.
//!
//! To test a client's waits, run the server and the client on one
//! [`VirtualClock`](crate::clock::VirtualClock): give it to
//! [`FakeConfig::clock`] and to the client's
//! [`RetryPolicy::clock`](crate::retry::RetryPolicy::clock). Every wait of the
//! client (retries, spacing, waiters) then moves the server's time too, and
//! takes no wall time.
//!
//! Prefer these to `#[tokio::test(start_paused = true)]`:
//! the clock does follow a paused runtime, but a paused runtime jumps its
//! clock forward whenever it waits on socket I/O (to the next timer, such as
//! the HTTP client's pool or timeout timers), so elapsed time seen by the
//! server is not what the test advanced.
//!
//! # Example
//!
//! ```
//! use wpe_api::fake::{FakeConfig, FakeServer, Seed};
//! use wpe_api::types::BackupStatus;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), wpe_api::Error> {
//! let server = FakeServer::start(FakeConfig {
//!     seed: Seed::Demo,
//!     ..FakeConfig::default()
//! })
//! .await;
//! let client = server.client();
//!
//! let installs = client.list_installs().send().await?;
//! let install = &installs.results[0];
//!
//! let backup = client
//!     .create_backup()
//!     .install_id(install.id)
//!     .body_map(|b| b.description("before deploy").notification_emails(vec!["ops@example.com".into()]))
//!     .send()
//!     .await?;
//! assert_eq!(backup.status, BackupStatus::Requested);
//!
//! server.advance(FakeConfig::default().backup_step_delay * 2);
//! let backup = client
//!     .show_backup()
//!     .install_id(install.id)
//!     .backup_id(backup.id)
//!     .send()
//!     .await?;
//! assert_eq!(backup.status, BackupStatus::Completed);
//! assert!(server.served_operations().contains("showBackup"));
//! # Ok(())
//! # }
//! ```

mod account;
mod account_user;
mod backup;
mod cache;
mod certificates;
mod check;
mod config;
mod domain;
mod faults;
mod hashes;
mod install;
mod journal;
mod live;
mod offload_settings;
mod paging;
mod rate_limit;
mod reply;
mod request;
mod router;
mod sftp_user;
mod site;
mod site_reports;
mod site_transfer;
mod ssh_key;
mod state;
mod status;
mod usage;
mod user;

pub use faults::{FaultCounts, FaultKind, Faults};
pub use journal::{Journal, JournalEntry, ReplayError};

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, Uri};

use crate::clock::Clock;
use crate::{Client, ClientBuilder, Credentials};

pub use backup::{RestoreRecord, RestoreState};
pub use config::{
    FakeConfig, Seed, Shapes, DEMO_PASSWORD, DEMO_USER, OTHER_PASSWORD, OTHER_USER,
    PARTIAL_PASSWORD, PARTIAL_USER,
};
pub use state::{CachePurge, InstallCopy};

// The operations whose per-install limits `FakeConfig` sets (read by `rate_limit.rs`).
use config::{DOMAIN_CHECK, OBJECT_CACHE_PURGE};

/// One response the stand-in sent ([`FakeServer::sent_responses`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentResponse {
    /// The operationId (as in the spec) of the operation that answered.
    pub operation_id: &'static str,
    /// The HTTP status.
    pub status: u16,
    /// The body exactly as sent (JSON); empty when the response has none.
    pub body: Vec<u8>,
}

/// A running stand-in of the API on `127.0.0.1`; it stops when dropped.
///
/// See the [module documentation](self) for what it does.
pub struct FakeServer {
    shared: Arc<Shared>,
    base_url: String,
    task: tokio::task::JoinHandle<()>,
}

pub(crate) struct Shared {
    pub(crate) state: Mutex<state::State>,
    pub(crate) config: FakeConfig,
    pub(crate) base_url: String,
    injector: faults::Injector,
}

impl FakeServer {
    /// Seeds the state, binds `127.0.0.1:0` and serves in a spawned task.
    ///
    /// # Panics
    ///
    /// When no local port can be bound.
    pub async fn start(config: FakeConfig) -> Self {
        let start_wall = config.clock.now_utc();
        Self::start_at(config, start_wall).await
    }

    /// [`FakeServer::start`] with the seed data dated from `start_wall`.
    async fn start_at(config: FakeConfig, start_wall: chrono::DateTime<chrono::Utc>) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local address");
        let base_url = format!("http://{addr}/v1");
        let state = state::State::seeded(&config, start_wall);
        let shared = Arc::new(Shared {
            state: Mutex::new(state),
            injector: faults::Injector::new(config.faults.clone()),
            config,
            base_url: base_url.clone(),
        });
        let for_router = Arc::clone(&shared);
        let app = axum::Router::new().fallback(
            move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                let shared = Arc::clone(&for_router);
                async move { serve(&shared, &method, &uri, &headers, &body).await }
            },
        );
        let task = tokio::spawn(async move {
            // Serving ends only when the task is aborted on drop.
            let _ = axum::serve(listener, app).await;
        });
        Self {
            shared,
            base_url,
            task,
        }
    }

    /// Starts a server in the state `journal` records (of a server with the
    /// same [`FakeConfig::seed`]), its clock at `since_start` after the
    /// journal's start (as far as the last entry at least), and goes on
    /// recording into the same journal.
    ///
    /// The seed data is dated from [`Journal::start_wall`]; each entry is
    /// sent again, in order, at the time since the start it first came at,
    /// through the same routing and handlers as any request (without
    /// [`FakeConfig::latency`] or [`FakeConfig::faults`]), and must be
    /// answered with the status it was first answered with. So the IDs,
    /// jobs and their progress are what they were, and time has gone on:
    /// `wpe --demo` keeps its stand-in from one command to the next this way,
    /// with the wall time between the two as `since_start`.
    ///
    /// [`FakeServer::sent_responses`] and [`FakeServer::served_operations`]
    /// start empty: they tell what was answered after the replay.
    ///
    /// # Errors
    ///
    /// [`ReplayError`] when an entry cannot be sent (an unknown user, a
    /// malformed method or path, out of order) or is answered with another
    /// status: the journal is not one of this stand-in, or was changed.
    ///
    /// # Panics
    ///
    /// When no local port can be bound.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use wpe_api::fake::{FakeConfig, FakeServer};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let first = FakeServer::start(FakeConfig::quick_demo()).await;
    /// let installs = first.client().list_installs().send().await?;
    /// let backup = first
    ///     .client()
    ///     .create_backup()
    ///     .install_id(installs.results[0].id)
    ///     .body_map(|b| b.description("kept").notification_emails(vec!["ops@example.com".into()]))
    ///     .send()
    ///     .await?;
    /// let journal = first.journal();
    /// drop(first);
    ///
    /// // Later, in another process: ten seconds on, the backup is complete.
    /// let again = FakeServer::resume(FakeConfig::quick_demo(), &journal, Duration::from_secs(10)).await?;
    /// let shown = again
    ///     .client()
    ///     .show_backup()
    ///     .install_id(installs.results[0].id)
    ///     .backup_id(backup.id)
    ///     .send()
    ///     .await?;
    /// assert_eq!(shown.status, wpe_api::types::BackupStatus::Completed);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn resume(
        config: FakeConfig,
        journal: &Journal,
        since_start: Duration,
    ) -> Result<Self, ReplayError> {
        let server = Self::start_at(config, journal.start_wall).await;
        let mut last = Duration::ZERO;
        for (index, entry) in journal.entries.iter().enumerate() {
            if entry.at < last {
                return Err(ReplayError::OutOfOrder { index });
            }
            last = entry.at;
            let password = {
                let mut state = server.shared.state.lock().expect("state lock");
                state.pinned = Some(entry.at);
                match &entry.user {
                    None => None,
                    Some(user) => Some(
                        state
                            .users
                            .iter()
                            .find(|u| &u.username == user)
                            .map(|u| u.password.clone())
                            .ok_or_else(|| ReplayError::UnknownUser {
                                index,
                                user: user.clone(),
                            })?,
                    ),
                }
            };
            let (method, uri, headers, body) = journal::request(index, entry, password.as_deref())?;
            let got = router::handle(&server.shared, &method, &uri, &headers, &body)
                .status()
                .as_u16();
            if got != entry.status {
                return Err(ReplayError::Diverged {
                    index,
                    method: entry.method.clone(),
                    path: entry.path.clone(),
                    expected: entry.status,
                    got,
                });
            }
        }
        {
            let mut state = server.shared.state.lock().expect("state lock");
            state.pinned = None;
            // Entries a replay keeps are the ones recorded; what is not
            // recorded (a rejected request) left no trace to replay.
            state.journal = journal.entries.clone();
            state.sent.clear();
            state.served.clear();
            let target = since_start.max(last);
            let running = state.now().saturating_duration_since(state.start);
            state.offset += target.saturating_sub(running);
        }
        Ok(server)
    }

    /// What changed this server's state since it started (or since the
    /// start of the server it was [resumed](FakeServer::resume) from): its
    /// start time and the requests that changed it, for
    /// [`FakeServer::resume`] to build the same state again.
    pub fn journal(&self) -> Journal {
        let state = self.shared.state.lock().expect("state lock");
        Journal {
            start_wall: state.start_wall,
            entries: state.journal.clone(),
        }
    }

    /// The base URL to give a client: `http://127.0.0.1:PORT/v1`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The demo user's credentials ([`DEMO_USER`], [`DEMO_PASSWORD`]).
    pub fn credentials(&self) -> Credentials {
        Credentials::new(DEMO_USER, DEMO_PASSWORD)
    }

    /// A builder for a client of this server, set up as a client of the
    /// real API would be: the base URL, the demo user's credentials, and the
    /// default retry policy ([`RetryPolicy::default`]) on the server's clock
    /// ([`FakeConfig::clock`]), keeping the per-install spacing this server
    /// enforces ([`FakeConfig::domain_check_interval`],
    /// [`FakeConfig::object_cache_purge_interval`]). So a second domain check
    /// of an install waits its 5 s instead of meeting a 429, and on a
    /// [`VirtualClock`](crate::clock::VirtualClock) that wait takes no time.
    ///
    /// To see the stand-in's answers as they are (every call sent once, a
    /// 429 or an injected fault returned as it came), set
    /// [`RetryPolicy::none`] on it; give any other policy the server's
    /// clock (`server.config().clock`) to keep one time.
    ///
    /// [`RetryPolicy::default`]: crate::retry::RetryPolicy::default
    /// [`RetryPolicy::none`]: crate::retry::RetryPolicy::none
    pub fn client_builder(&self) -> ClientBuilder {
        let config = &self.shared.config;
        let policy = crate::retry::RetryPolicy::default()
            .clock(Arc::clone(&config.clock))
            .install_limit_interval(
                config::table_limit(DOMAIN_CHECK).name,
                config.domain_check_interval,
            )
            .install_limit_interval(
                config::table_limit(OBJECT_CACHE_PURGE).name,
                config.object_cache_purge_interval,
            );
        Client::builder()
            .credentials(self.credentials())
            .base_url(self.base_url())
            .retry_policy(policy)
    }

    /// A client for this server with the demo user's credentials, retrying
    /// and spacing its calls as a client of the real API does, on the
    /// server's clock (see [`FakeServer::client_builder`]).
    ///
    /// # Panics
    ///
    /// Never in practice: the settings are fixed and valid.
    pub fn client(&self) -> Client {
        self.client_builder()
            .build()
            .expect("client for the fake server")
    }

    /// A client for this server with other credentials (see
    /// [`FakeServer::client_builder`]).
    ///
    /// # Panics
    ///
    /// When the credentials cannot be sent in a header.
    pub fn client_with(&self, credentials: Credentials) -> Client {
        self.client_builder()
            .credentials(credentials)
            .build()
            .expect("client for the fake server")
    }

    /// Adds an API user who owns one new, empty account; returns the account's ID.
    pub fn add_user(&self, user: &str, password: &str, account_name: &str) -> uuid::Uuid {
        let mut state = self.shared.state.lock().expect("state lock");
        state.add_user_with_account(user, password, account_name)
    }

    /// Adds an API user who owns one new, empty account whose API access is
    /// switched off; returns the account's ID.
    ///
    /// This is what WP Engine answers when API access was never turned on
    /// for an account (on the User Portal's API access page): the
    /// credentials are valid (`getCurrentUser` answers 200), but
    /// `listAccounts` answers 200 with no accounts, and every request about
    /// the account is a 404. [`FakeServer::set_api_access`] turns it on.
    pub fn add_user_without_api_access(
        &self,
        user: &str,
        password: &str,
        account_name: &str,
    ) -> uuid::Uuid {
        let account = self.add_user(user, password, account_name);
        self.set_api_access(account, false);
        account
    }

    /// Switches API access of an account on or off (on for every account
    /// at the start). While it is off, requests of its users do not reach
    /// it: lists leave it out and a request naming it is a 404.
    pub fn set_api_access(&self, account_id: uuid::Uuid, enabled: bool) {
        let mut state = self.shared.state.lock().expect("state lock");
        if enabled {
            state.api_access_off.remove(&account_id);
        } else {
            state.api_access_off.insert(account_id);
        }
    }

    /// Moves the server's clock forward: pending installs, backups, reports,
    /// site transfers and rate limits see this much more time passed.
    pub fn advance(&self, by: Duration) {
        let mut state = self.shared.state.lock().expect("state lock");
        state.offset += by;
    }

    /// Publishes a DNS TXT record holding `value` at the DNS name `name`, as
    /// the owner of a domain would, for `verifyDomainTxtRecord` to find.
    ///
    /// `name` is the full DNS name of the record: a domain's
    /// `txt_verification_key` label followed by the domain, such as
    /// `_wpe_verification.blog.example.com`; case and a trailing dot do not
    /// matter. `value` is compared exactly with the domain's
    /// `txt_verification_value`. A name may hold several values; publishing
    /// the same one twice changes nothing.
    pub fn publish_txt_record(&self, name: &str, value: &str) {
        let mut state = self.shared.state.lock().expect("state lock");
        let values = state
            .txt_records
            .entry(domain::normalize_dns_name(name))
            .or_default();
        if !values.iter().any(|v| v == value) {
            values.push(value.to_owned());
        }
    }

    /// Sets the PHP version the install `install_id` runs, as its
    /// `php_version` shows from then on (in `listInstalls`, `getInstall`
    /// and the installs nested in a site).
    ///
    /// The API offers no way to change an install's PHP version (the User
    /// Portal does), so a test that needs it to change between two reads
    /// changes it here. An ID the stand-in has no install of changes
    /// nothing.
    pub fn set_php_version(&self, install_id: uuid::Uuid, version: &str) {
        let mut state = self.shared.state.lock().expect("state lock");
        if let Some(install) = state.installs.get_mut(&install_id) {
            install.php_version = version.to_owned();
        }
    }

    /// Makes the next site transfer requested (`createSiteTransfer`) end
    /// `failed` instead of `completed`: it goes through `pending`,
    /// `scheduled` and `in_progress` as usual, then fails, and the site stays
    /// in its account. Transfers requested after it go through again.
    pub fn fail_next_site_transfer(&self) {
        let mut state = self.shared.state.lock().expect("state lock");
        state.fail_next_transfer = true;
    }

    /// The operationIds (as in the spec) this server has answered with a 2xx status.
    pub fn served_operations(&self) -> BTreeSet<&'static str> {
        let state = self.shared.state.lock().expect("state lock");
        state.served.clone()
    }

    /// Every response an operation has answered so far, oldest first: its
    /// operationId, status and body exactly as sent (errors included), for
    /// checking the stand-in's bodies against a schema.
    ///
    /// Requests that reach no operation (an unknown path) are not in it,
    /// and the bodies are as the operation wrote them, before any injected
    /// fault ([`FakeConfig::faults`]) truncates or replaces them. The list
    /// keeps growing for as long as the server runs.
    pub fn sent_responses(&self) -> Vec<SentResponse> {
        let state = self.shared.state.lock().expect("state lock");
        state.sent.clone()
    }

    /// Every install copy requested so far, oldest first.
    pub fn install_copies(&self) -> Vec<InstallCopy> {
        let state = self.shared.state.lock().expect("state lock");
        state.copies.clone()
    }

    /// Every cache purge accepted so far, oldest first.
    pub fn cache_purges(&self) -> Vec<CachePurge> {
        let state = self.shared.state.lock().expect("state lock");
        state.purges.clone()
    }

    /// How many backups each install has had taken, by install ID.
    pub fn backups_taken(&self) -> std::collections::HashMap<uuid::Uuid, usize> {
        let state = self.shared.state.lock().expect("state lock");
        let mut taken = std::collections::HashMap::new();
        for backup in state.backups.iter() {
            *taken.entry(backup.install_id).or_insert(0) += 1;
        }
        taken
    }

    /// The restores of an install accepted so far (`restoreBackup`), oldest
    /// first, as they stand at the server's current time. The API gives a
    /// restore no ID and no status route; this is how a test sees one.
    pub fn restores(&self, install_id: uuid::Uuid) -> Vec<RestoreRecord> {
        let state = self.shared.state.lock().expect("state lock");
        let now = state.now();
        backup::restore_records(
            &state,
            install_id,
            self.shared.config.backup_step_delay,
            now,
        )
    }

    /// Makes the next archive requested (`createArchive`, on any install)
    /// end `aborted` instead of `completed`: it still goes through
    /// `requested` and `in_progress`, then has an `abort_time` and no
    /// `download_uri`. Archives after it complete as usual.
    pub fn abort_next_archive(&self) {
        let mut state = self.shared.state.lock().expect("state lock");
        state.abort_next_archive = true;
    }

    /// Makes the next backup requested with `createBackup` (on any install)
    /// end `aborted` instead of `completed`: it still goes through
    /// `requested` and `in_progress`, then has no `complete_time`. Backups
    /// after it, and restores' checkpoints, complete as usual.
    pub fn abort_next_backup(&self) {
        let mut state = self.shared.state.lock().expect("state lock");
        state.abort_next_backup = true;
    }

    /// How many faults of each kind have been injected so far.
    pub fn fault_counts(&self) -> FaultCounts {
        self.shared.injector.counts()
    }

    /// The configuration the server runs with.
    pub fn config(&self) -> &FakeConfig {
        &self.shared.config
    }
}

/// One request: latency, maybe a fault, then the operation.
async fn serve(
    shared: &Shared,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &Bytes,
) -> axum::response::Response {
    if !shared.config.latency.is_zero() {
        shared.config.clock.sleep(shared.config.latency).await;
    }
    match shared.injector.pick() {
        None => router::handle(shared, method, uri, headers, body),
        Some(FaultKind::Slow) => {
            shared
                .config
                .clock
                .sleep(shared.injector.slow_delay())
                .await;
            router::handle(shared, method, uri, headers, body)
        }
        Some(FaultKind::TruncatedBody) => {
            faults::truncate(router::handle(shared, method, uri, headers, body)).await
        }
        Some(refused) => shared.injector.refusal(refused),
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl std::fmt::Debug for FakeServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeServer")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}
