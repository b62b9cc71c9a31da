//! Waiting for the API's asynchronous jobs: backups, archives of backups,
//! site transfers, new installs, domain status reports, disk-usage
//! refreshes of accounts and of installs, and certificate orders, polled
//! with back-off until done, failed or out of time.
//!
//! A wait's [`WaitOptions::timeout`] bounds all of it: the pauses between
//! looks, and each look with its retries (see [`crate::retry`]). A look
//! runs under what is left of the timeout, but at least one second (so a
//! wait always looks once, even with a timeout of zero): its requests time
//! out then, and it retries only while a retry's wait fits in it. When the
//! time runs out during a look (a server that hangs, or that keeps asking
//! to be asked again later), the wait ends as [`WaitError::Timeout`],
//! naming the last state it read. A wait thus ends within its timeout, or
//! within a second of it when a look began just before.
//!
//! A restore (`restore_backup`) has no waiter: WP Engine gives a restore no
//! id and no status to read, only the notification emails it sends when it
//! ends.
//!
//! ```no_run
//! use wpe_api::wait::{WaitError, WaitOptions};
//! use wpe_api::types::PurgeCacheType;
//!
//! # async fn deploy(client: &wpe_api::Client, install: uuid::Uuid) -> Result<(), Box<dyn std::error::Error>> {
//! let backup = client
//!     .create_backup()
//!     .install_id(install)
//!     .body_map(|b| b.description("before deploy").notification_emails(vec!["ops@example.com".into()]))
//!     .send()
//!     .await?;
//! match client.wait_for_backup(install, backup.id, WaitOptions::default()).await {
//!     Ok(done) => println!("backup {} completed", done.id),
//!     Err(WaitError::Failed { state, .. }) => eprintln!("backup ended {state}: do not deploy"),
//!     Err(other) => return Err(other.into()),
//! }
//! # Ok(()) }
//! ```

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use uuid::Uuid;

use crate::clock::{Clock, Deadline};

use crate::types::{
    self, ArchiveState, BackupStatus, CertificateStatus, InstallStatus, SiteTransferStatus,
};
use crate::{Client, Error};

/// How long to wait and how often to look.
///
/// Waits and time readings go by the client's clock
/// ([`RetryPolicy::clock`](crate::retry::RetryPolicy::clock)), so a client on a
/// [`VirtualClock`](crate::clock::VirtualClock) waits without taking wall time.
#[derive(Clone)]
pub struct WaitOptions {
    timeout: Duration,
    first_interval: Duration,
    max_interval: Duration,
    on_progress: Option<ProgressReport>,
}

/// The callback set with [`WaitOptions::on_progress`].
type ProgressReport = Arc<dyn Fn(&WaitProgress<'_>) + Send + Sync>;

impl fmt::Debug for WaitOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitOptions")
            .field("timeout", &self.timeout)
            .field("first_interval", &self.first_interval)
            .field("max_interval", &self.max_interval)
            .field("on_progress", &self.on_progress.as_ref().map(|_| "Fn"))
            .finish()
    }
}

/// One look at a job that is still running, as given to the callback set
/// with [`WaitOptions::on_progress`].
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct WaitProgress<'a> {
    /// The job, e.g. `backup 28c7…`.
    pub what: &'a str,
    /// The state this look found, as the API names it (`requested`,
    /// `in_progress`, ...), or a short phrase where the API gives none
    /// (`not listed yet`).
    pub state: &'a str,
    /// How many looks have been taken, this one included.
    pub looks: u32,
    /// How long the wait has run, by the client's clock.
    pub waited: Duration,
    /// The pause before the next look.
    pub next_look: Duration,
}

impl Default for WaitOptions {
    /// Up to 30 minutes, looking after 2 s, then every 1.5× longer up to 30 s.
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(30 * 60),
            first_interval: Duration::from_secs(2),
            max_interval: Duration::from_secs(30),
            on_progress: None,
        }
    }
}

impl WaitOptions {
    /// The longest to wait in all, the looks and their retries included
    /// (default 30 minutes). A look begun near its end may take up to a
    /// second more, and the first look is always made: a timeout of zero
    /// reports the job's state as one look finds it.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The pause before the second look (later pauses grow 1.5× each).
    pub fn first_interval(mut self, interval: Duration) -> Self {
        self.first_interval = interval;
        self
    }

    /// The longest pause between two looks.
    pub fn max_interval(mut self, interval: Duration) -> Self {
        self.max_interval = interval;
        self
    }

    /// Calls `report` after each look that finds the job still running,
    /// before the pause, so that a progress display can show the job's
    /// state as it changes. It is not called for the look that ends the
    /// wait.
    ///
    /// ```
    /// use wpe_api::wait::WaitOptions;
    ///
    /// let options = WaitOptions::default().on_progress(|progress| {
    ///     eprintln!("{} is {} after {:?}", progress.what, progress.state, progress.waited)
    /// });
    /// # let _ = options;
    /// ```
    pub fn on_progress(
        mut self,
        report: impl Fn(&WaitProgress<'_>) + Send + Sync + 'static,
    ) -> Self {
        self.on_progress = Some(Arc::new(report));
        self
    }
}

/// Why a wait ended without the job done.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WaitError {
    /// The job ended but did not succeed (e.g. a backup `aborted`).
    #[error("{what} ended {state}: it did not complete")]
    Failed {
        /// The job, e.g. `backup 28c7…`.
        what: String,
        /// The final state the API reported.
        state: String,
    },
    /// The job was still running when the wait's time ran out, or the time
    /// ran out during a look (the API did not answer in time, or asked to be
    /// asked again past it): `state` is then the last state read, or
    /// `without an answer` if no look was answered.
    #[error("{what} was still {state} after {waited:.1?}; wait longer or check it later")]
    Timeout {
        /// The job.
        what: String,
        /// The last state seen.
        state: String,
        /// How long was waited.
        waited: Duration,
    },
    /// Polling failed.
    #[error("polling {what} failed: {source}")]
    Api {
        /// The job.
        what: String,
        /// The API call's error.
        #[source]
        source: Error,
    },
}

/// The least time a look is given to answer, retries included, however
/// little is left of the wait: a wait with no time left still looks once.
const MIN_LOOK: Duration = Duration::from_secs(1);

/// The state a [`WaitError::Timeout`] names when the time ran out before
/// any look was answered.
const NO_ANSWER: &str = "without an answer";

/// The newest of some archives: the latest `create_time`, else the last
/// listed.
fn newest(archives: Vec<types::Archive>) -> Option<types::Archive> {
    archives
        .into_iter()
        .enumerate()
        .max_by_key(|(index, archive)| (archive.create_time, *index))
        .map(|(_, archive)| archive)
}

/// What one look at a job found.
enum Look<T> {
    Done(T),
    Failed(String),
    Running(String),
}

/// Where a disk-usage refresh requested at `requested_at` stands, from the
/// refresh's expected end and the last measurement the API reports: done
/// once the expected end has passed by `now`, or, with no refresh running,
/// once the last measurement is at or after the request.
fn disk_usage_look<T>(
    expected: Option<chrono::DateTime<chrono::Utc>>,
    last: Option<chrono::DateTime<chrono::Utc>>,
    requested_at: chrono::DateTime<chrono::Utc>,
    now: chrono::DateTime<chrono::Utc>,
    usage: T,
) -> Look<T> {
    match (expected, last) {
        (Some(expected), _) if expected <= now => Look::Done(usage),
        (Some(expected), _) => Look::Running(format!("expected at {expected}")),
        (None, Some(last)) if last >= requested_at => Look::Done(usage),
        _ => Look::Running("not started".into()),
    }
}

async fn poll<T, F, Fut>(
    clock: &dyn Clock,
    what: String,
    options: WaitOptions,
    mut look: F,
) -> Result<T, WaitError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Look<T>, Error>>,
{
    let started = clock.now();
    let budget = Deadline::after(started, options.timeout);
    let mut interval = options.first_interval;
    let mut looks = 0u32;
    let mut last_state: Option<String> = None;
    loop {
        looks = looks.saturating_add(1);
        let look_budget = budget.max(Deadline::after(clock.now(), MIN_LOOK));
        let (outcome, spent) = crate::retry::within_budget(look_budget, look()).await;
        match outcome {
            Ok(Look::Done(value)) => return Ok(value),
            Ok(Look::Failed(state)) => return Err(WaitError::Failed { what, state }),
            Ok(Look::Running(state)) => {
                let waited = clock.now().saturating_duration_since(started);
                if waited.saturating_add(interval) > options.timeout {
                    return Err(WaitError::Timeout {
                        what,
                        state,
                        waited,
                    });
                }
                tracing::debug!(job = %what, state = %state, next_look_ms = interval.as_millis() as u64, "waiting");
                if let Some(report) = &options.on_progress {
                    report(&WaitProgress {
                        what: &what,
                        state: &state,
                        looks,
                        waited,
                        next_look: interval,
                    });
                }
                last_state = Some(state);
                clock.sleep(interval).await;
                interval = interval
                    .saturating_add(interval / 2)
                    .min(options.max_interval);
            }
            // The wait's time ran out during the look: the job may well be
            // running still, as far as anyone can tell.
            Err(_) if spent => {
                return Err(WaitError::Timeout {
                    what,
                    state: last_state.unwrap_or_else(|| NO_ANSWER.to_owned()),
                    waited: clock.now().saturating_duration_since(started),
                })
            }
            Err(source) => return Err(WaitError::Api { what, source }),
        }
    }
}

impl Client {
    /// The clock this client waits by.
    fn clock(&self) -> &dyn Clock {
        progenitor_client::ClientInfo::inner(self)
            .policy()
            .clock_ref()
    }

    /// Waits until a backup is `completed`. An `aborted` backup is
    /// [`WaitError::Failed`]; any other status (`requested`, `initiated`,
    /// `in_progress`, or one this crate does not know) counts as still
    /// running.
    pub async fn wait_for_backup(
        &self,
        install_id: Uuid,
        backup_id: Uuid,
        options: WaitOptions,
    ) -> Result<types::Backup, WaitError> {
        let what = format!("backup {backup_id}");
        poll(self.clock(), what, options, || async move {
            let backup = self
                .show_backup()
                .install_id(install_id)
                .backup_id(backup_id)
                .send()
                .await?
                .into_inner();
            Ok(match &backup.status {
                BackupStatus::Completed => Look::Done(backup),
                BackupStatus::Aborted => Look::Failed(backup.status.to_string()),
                other => Look::Running(other.to_string()),
            })
        })
        .await
    }

    /// Waits until the archive of a backup requested at `requested_at` (with
    /// `create_archive`) is `completed`, and returns it, with its
    /// `download_uri`.
    ///
    /// `create_archive` answers with no body and no id, so the archive is
    /// found in `list_archives` by its `backup.id` and its `create_time`:
    /// only an archive created at or after `requested_at` (to the second,
    /// as the API may cut its times) is the one requested. An older archive
    /// of the same backup, aborted, or completed with a link that may have
    /// expired, never ends the wait; nor does one listed without a
    /// `create_time`. Of several archives created since, the newest (by
    /// `create_time`, else the last listed) is the one waited for.
    ///
    /// Take `requested_at` from the clock before sending `create_archive`;
    /// the API's `create_time` is compared with it, so if this machine's
    /// clock may run ahead of the API's, take it that much earlier. The Unix
    /// epoch waits for the newest archive of the backup, whenever made.
    ///
    /// An `aborted` archive is [`WaitError::Failed`]; until the archive is
    /// listed, and in any state but `completed` and `aborted`, the wait goes
    /// on.
    ///
    /// ```no_run
    /// # async fn run(client: &wpe_api::Client, install: uuid::Uuid, backup: uuid::Uuid) -> Result<(), Box<dyn std::error::Error>> {
    /// use wpe_api::wait::WaitOptions;
    /// let requested_at = chrono::Utc::now();
    /// client
    ///     .create_archive()
    ///     .install_id(install)
    ///     .body_map(|b| b.backup_id(backup).notification_emails(vec!["ops@example.com".into()]))
    ///     .send()
    ///     .await?;
    /// let archive = client
    ///     .wait_for_archive(install, backup, requested_at, WaitOptions::default())
    ///     .await?;
    /// println!("download: {}", archive.download_uri.unwrap_or_default());
    /// # Ok(()) }
    /// ```
    pub async fn wait_for_archive(
        &self,
        install_id: Uuid,
        backup_id: Uuid,
        requested_at: chrono::DateTime<chrono::Utc>,
        options: WaitOptions,
    ) -> Result<types::Archive, WaitError> {
        use crate::Paginate;
        use chrono::SubsecRound;
        use futures::TryStreamExt;

        let since = requested_at.trunc_subsecs(0);

        poll(
            self.clock(),
            format!("archive of backup {backup_id}"),
            options,
            || async move {
                let archives: Vec<types::Archive> = self
                    .list_archives()
                    .install_id(install_id)
                    .stream()
                    .try_filter(|archive| {
                        futures::future::ready(
                            archive.backup.id == backup_id
                                && archive.create_time.is_some_and(|created| created >= since),
                        )
                    })
                    .try_collect()
                    .await?;
                Ok(match newest(archives) {
                    None => Look::Running("not listed yet".into()),
                    Some(archive) => match &archive.state {
                        ArchiveState::Completed if archive.download_uri.is_some() => {
                            Look::Done(archive)
                        }
                        ArchiveState::Completed => {
                            Look::Running("completed without a download link yet".into())
                        }
                        ArchiveState::Aborted => Look::Failed(archive.state.to_string()),
                        other => Look::Running(other.to_string()),
                    },
                })
            },
        )
        .await
    }

    /// Waits until a site transfer ends. `completed` returns the transfer;
    /// `failed` and `cancelled` are [`WaitError::Failed`]; `pending`,
    /// `scheduled`, `in_progress` and unknown statuses count as still
    /// running.
    ///
    /// A transfer with a `scheduled_time` waits for it: give such a wait a
    /// [`WaitOptions::timeout`] past that time.
    pub async fn wait_for_site_transfer(
        &self,
        site_id: Uuid,
        transfer_id: Uuid,
        options: WaitOptions,
    ) -> Result<types::SiteTransfer, WaitError> {
        poll(
            self.clock(),
            format!("site transfer {transfer_id}"),
            options,
            || async move {
                let transfer = self
                    .get_site_transfer()
                    .site_id(site_id)
                    .transfer_id(transfer_id)
                    .send()
                    .await?
                    .into_inner();
                Ok(match &transfer.status {
                    SiteTransferStatus::Completed => Look::Done(transfer),
                    status if status.is_final() => Look::Failed(status.to_string()),
                    status => Look::Running(status.to_string()),
                })
            },
        )
        .await
    }

    /// Waits until a new install is `active`.
    pub async fn wait_for_install_active(
        &self,
        install_id: Uuid,
        options: WaitOptions,
    ) -> Result<types::Installation, WaitError> {
        poll(
            self.clock(),
            format!("install {install_id}"),
            options,
            || async move {
                let install = self
                    .get_install()
                    .install_id(install_id)
                    .send()
                    .await?
                    .into_inner();
                Ok(match &install.status {
                    Some(InstallStatus::Active) => Look::Done(install),
                    Some(other) => Look::Running(other.to_string()),
                    None => Look::Running("without a status".into()),
                })
            },
        )
        .await
    }

    /// Waits until a domain status report (from `check_status`) is complete.
    pub async fn wait_for_domain_report(
        &self,
        install_id: Uuid,
        report_id: Uuid,
        options: WaitOptions,
    ) -> Result<types::DomainStatusReport, WaitError> {
        poll(
            self.clock(),
            format!("domain report {report_id}"),
            options,
            || async move {
                let status = self
                    .get_domain_report_status()
                    .install_id(install_id)
                    .report_id(report_id)
                    .send()
                    .await?
                    .into_inner();
                Ok(match status.report {
                    Some(report) if report.complete == Some(true) => Look::Done(report),
                    _ => Look::Running("incomplete".into()),
                })
            },
        )
        .await
    }

    /// Waits until a disk-usage refresh of an account, requested at
    /// `requested_at` with `refresh_account_disk_usage`, should be done: until
    /// the `account_storage_refresh_expected_time` the API reports has passed
    /// on the client's clock, or the last refresh is at or after
    /// `requested_at`. Returns the usage read then.
    ///
    /// ```no_run
    /// # async fn run(client: &wpe_api::Client, account: uuid::Uuid) -> Result<(), Box<dyn std::error::Error>> {
    /// let requested_at = chrono::Utc::now();
    /// client.refresh_account_disk_usage().account_id(account).send().await?;
    /// let usage = client
    ///     .wait_for_account_disk_usage(account, requested_at, wpe_api::wait::WaitOptions::default())
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn wait_for_account_disk_usage(
        &self,
        account_id: Uuid,
        requested_at: chrono::DateTime<chrono::Utc>,
        options: WaitOptions,
    ) -> Result<types::AccountUsageMetricsResponse, WaitError> {
        poll(
            self.clock(),
            format!("disk-usage refresh of account {account_id}"),
            options,
            || async move {
                let usage = self
                    .get_account_usage_metrics()
                    .account_id(account_id)
                    .send()
                    .await?
                    .into_inner();
                Ok(disk_usage_look(
                    usage.account_storage_refresh_expected_time,
                    usage.last_account_storage_refresh_time,
                    requested_at,
                    self.clock().now_utc(),
                    usage,
                ))
            },
        )
        .await
    }

    /// Waits until a disk-usage refresh of an install, requested at
    /// `requested_at` with `refresh_environment_disk_usage`, should be done:
    /// until the `storage_refresh_expected_time` the API reports has passed
    /// on the client's clock, or, with no refresh running, the install's
    /// storage was last measured at or after `requested_at` (the latest
    /// `storage_update_time` of its days). Returns the usage read then.
    ///
    /// With `requested_at` long past (e.g. the Unix epoch) it returns at
    /// once when no refresh is running, and waits for the one that is.
    ///
    /// ```no_run
    /// # async fn run(client: &wpe_api::Client, install: uuid::Uuid) -> Result<(), Box<dyn std::error::Error>> {
    /// let requested_at = chrono::Utc::now();
    /// client.refresh_environment_disk_usage().install_id(install).send().await?;
    /// let usage = client
    ///     .wait_for_install_disk_usage(install, requested_at, wpe_api::wait::WaitOptions::default())
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn wait_for_install_disk_usage(
        &self,
        install_id: Uuid,
        requested_at: chrono::DateTime<chrono::Utc>,
        options: WaitOptions,
    ) -> Result<types::InstallDailyUsageMetricsSeries, WaitError> {
        poll(
            self.clock(),
            format!("disk-usage refresh of install {install_id}"),
            options,
            || async move {
                let usage = self
                    .get_install_usage_metrics()
                    .install_id(install_id)
                    .send()
                    .await?
                    .into_inner();
                let last = usage
                    .metrics
                    .iter()
                    .filter_map(|day| day.storage_update_time)
                    .max();
                Ok(disk_usage_look(
                    usage.storage_refresh_expected_time,
                    last,
                    requested_at,
                    self.clock().now_utc(),
                    usage,
                ))
            },
        )
        .await
    }

    /// Waits until the certificate ordered for a domain with
    /// `create_domain_certificate_order` is `ENABLED`, and returns the
    /// domain's certificate then.
    ///
    /// `SUBMITTED` (ordered, waiting for the issuer), `SSL_STATE_UNSPECIFIED`,
    /// states this crate does not know, and an answer without a certificate
    /// or a status count as still running; `REJECTED`, `CANCELED`, `EXPIRED`
    /// and `DISABLED` are [`WaitError::Failed`]. The API lists an order as
    /// `SUBMITTED` as soon as it has accepted it, so a 404 (no certificate
    /// serves the domain, or no such install or domain) is
    /// [`WaitError::Api`] at once, not a reason to wait.
    ///
    /// ```no_run
    /// # async fn run(client: &wpe_api::Client, install: uuid::Uuid, domain: uuid::Uuid) -> Result<(), Box<dyn std::error::Error>> {
    /// use wpe_api::wait::{WaitError, WaitOptions};
    /// client
    ///     .create_domain_certificate_order()
    ///     .install_id(install)
    ///     .domain_id(domain)
    ///     .body_map(|b| {
    ///         b.email_address("ops@example.com")
    ///             .given_name("Jo")
    ///             .family_name("Ops")
    ///             .region_code("US")
    ///     })
    ///     .send()
    ///     .await?;
    /// match client.wait_for_certificate(install, domain, WaitOptions::default()).await {
    ///     Ok(issued) => println!("serving: {:?}", issued.certificate.and_then(|c| c.expires_time)),
    ///     Err(WaitError::Failed { state, .. }) => eprintln!("the order ended {state}"),
    ///     Err(other) => return Err(other.into()),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn wait_for_certificate(
        &self,
        install_id: Uuid,
        domain_id: Uuid,
        options: WaitOptions,
    ) -> Result<types::DomainCertificate, WaitError> {
        poll(
            self.clock(),
            format!("certificate of domain {domain_id}"),
            options,
            || async move {
                let answer = self
                    .get_domain_certificate()
                    .install_id(install_id)
                    .domain_id(domain_id)
                    .send()
                    .await?
                    .into_inner();
                let status = answer
                    .certificate
                    .as_ref()
                    .and_then(|certificate| certificate.status.clone());
                Ok(match status {
                    Some(CertificateStatus::Enabled) => Look::Done(answer),
                    Some(
                        status @ (CertificateStatus::Rejected
                        | CertificateStatus::Canceled
                        | CertificateStatus::Expired
                        | CertificateStatus::Disabled),
                    ) => Look::Failed(status.to_string()),
                    Some(status) => Look::Running(status.to_string()),
                    None if answer.certificate.is_none() => {
                        Look::Running("without a certificate".into())
                    }
                    None => Look::Running("without a status".into()),
                })
            },
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::VirtualClock;

    #[tokio::test]
    async fn polling_backs_off_one_and_a_half_times_and_times_out_before_passing_the_timeout() {
        let clock = VirtualClock::new();
        let options = WaitOptions::default()
            .timeout(Duration::from_secs(60))
            .first_interval(Duration::from_secs(2))
            .max_interval(Duration::from_secs(10));
        let mut looks = Vec::new();
        let result: Result<(), WaitError> = poll(&clock, "job".into(), options, || {
            looks.push(clock.elapsed());
            async { Ok(Look::Running("requested".into())) }
        })
        .await;
        let Err(WaitError::Timeout { state, waited, .. }) = result else {
            panic!("expected a timeout")
        };
        assert_eq!(state, "requested");
        let ms = Duration::from_millis;
        // One more look would be at 66.25 s, past the 60 s timeout.
        assert_eq!(
            looks,
            [0, 2000, 5000, 9500, 16250, 26250, 36250, 46250, 56250].map(ms)
        );
        assert_eq!(waited, ms(56250));
        assert_eq!(clock.elapsed(), ms(56250), "no wait after the last look");
        assert_eq!(
            clock.sleeps(),
            [2000, 3000, 4500, 6750, 10000, 10000, 10000, 10000].map(ms)
        );
    }

    #[tokio::test]
    async fn progress_is_reported_after_each_running_look_and_not_after_the_last() {
        use std::sync::Mutex;
        let clock = VirtualClock::new();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let record = Arc::clone(&seen);
        let options = WaitOptions::default()
            .first_interval(Duration::from_secs(2))
            .on_progress(move |p| {
                record.lock().unwrap().push((
                    p.what.to_owned(),
                    p.state.to_owned(),
                    p.looks,
                    p.waited,
                    p.next_look,
                ))
            });
        let mut answers = ["requested", "in_progress"].into_iter();
        let result = poll(&clock, "backup b".into(), options, || {
            let next = answers.next();
            async move {
                Ok(match next {
                    Some(state) => Look::Running(state.to_owned()),
                    None => Look::Done("done"),
                })
            }
        })
        .await;
        assert_eq!(result.unwrap(), "done");
        let s = Duration::from_secs;
        assert_eq!(
            *seen.lock().unwrap(),
            [
                ("backup b".to_owned(), "requested".to_owned(), 1, s(0), s(2)),
                (
                    "backup b".to_owned(),
                    "in_progress".to_owned(),
                    2,
                    s(2),
                    s(3)
                ),
            ]
        );
    }

    #[test]
    fn wait_options_debug_shows_the_times_and_whether_progress_is_reported() {
        let debug = format!("{:?}", WaitOptions::default().on_progress(|_| {}));
        assert!(debug.contains("timeout: 1800s"), "{debug}");
        assert!(debug.contains("on_progress: Some(\"Fn\")"), "{debug}");
    }

    #[tokio::test]
    async fn a_failed_job_is_an_error_at_once() {
        let clock = VirtualClock::new();
        let result: Result<(), WaitError> = poll(
            &clock,
            "backup b".into(),
            WaitOptions::default(),
            || async { Ok(Look::Failed("aborted".into())) },
        )
        .await;
        assert_eq!(
            result.unwrap_err().to_string(),
            "backup b ended aborted: it did not complete"
        );
        assert!(clock.sleeps().is_empty());
    }
}
