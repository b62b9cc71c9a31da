//! How a stand-in starts: its seed, the demo users, and its delays, limits, faults and clock.

use std::sync::Arc;
use std::time::Duration;

use super::Faults;
use crate::clock::{Clock, TokioClock};

/// API user name of the demo user of [`Seed::Demo`] and [`Seed::Installs`]
/// (also present, without data, in [`Seed::Empty`]).
pub const DEMO_USER: &str = "demo-api-user";
/// API password of the demo user.
pub const DEMO_PASSWORD: &str = "demo-api-password";
/// API user name of a second user of [`Seed::Demo`] who owns one account the
/// demo user cannot see (for testing access control).
pub const OTHER_USER: &str = "other-api-user";
/// API password of [`OTHER_USER`].
pub const OTHER_PASSWORD: &str = "other-api-password";
/// API user name of Pat, a user of [`Seed::Demo`] with the role `partial`
/// on `demoagency` (torquemag only) and `full,billing` on `democlient`:
/// for testing what a role may not do (site transfers need Owner or Full
/// with Billing on every account involved).
pub const PARTIAL_USER: &str = "partial-api-user";
/// API password of [`PARTIAL_USER`].
pub const PARTIAL_PASSWORD: &str = "partial-api-password";

/// The data a [`FakeServer`](super::FakeServer) starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Seed {
    /// The demo user with three accounts: `demoagency` with two sites,
    /// `democlient` (on Autoscale) with one, `demosandbox` without a
    /// nickname (as the live API answers some accounts, though upstream's
    /// document requires one), without plan limits, and with one sandbox
    /// site that has no installs. Each site of the other two has a
    /// production, staging and development install (`torquemag`,
    /// `torquemagstg`, `torquemagdev`, `demoshop`…, `clientblog`…); the
    /// production installs have domains (with certificates on two), the
    /// first account has three users (the demo user its owner, Jane with
    /// `full,billing`, Pat with `partial`), the demo user one SSH key. The
    /// domains of the production installs are TXT-verified;
    /// `torquemag.io` and `www.torquemag.io` are on the
    /// `AN` network, `shop.example.com` on `GES` and `blog.example.org` on
    /// `LEGACY` (so it has no sharing link). Usage figures are made up but
    /// reproducible per install and day. `demoagency` has the default plan
    /// (400,000 visits a month, 50 GB of storage, 400 GB of bandwidth);
    /// `democlient` has a small one (60,000 visits, 10 GB, 100 GB) that its
    /// billable visits exceed every month, and its installs' storage has
    /// never been measured: their storage figures are null until a
    /// disk-usage refresh (of the install or the account) finishes, and
    /// from that day on. The agency has two report
    /// templates and the client account one; Torque Magazine has a monthly
    /// report schedule (due on the 1st) that has sent two reports already.
    ///
    /// What `wpe audit` finds: `demoshopdev` runs PHP 7.4 (the others 8.2);
    /// `clientblogdev` is `pending` (still being provisioned) until an hour
    /// after the start; the certificate of `shop.example.com` was ordered 80
    /// days before the start, so it expires 10 days after (the one of
    /// `torquemag.io` 70 days after); `torquemagstg` has a domain,
    /// `staging.torquemag.io`, whose TXT verification is pending. Every
    /// install has a completed backup from a day before the start except
    /// `clientblog` (12 days before), `clientblogdev`, and `torquemag` and
    /// `demoshop`, which have none.
    ///
    /// Plus
    /// [`OTHER_USER`] with an account of their own (`otheragency`), and
    /// [`PARTIAL_USER`] (Pat), who signs in with credentials of their own.
    #[default]
    Demo,
    /// The demo user with one empty account and nothing else.
    Empty,
    /// The demo user with one account holding this many installs (no sites),
    /// named `i0000000`, `i0000001`, …, for scale and paging tests.
    Installs(usize),
}

/// Settings of a [`FakeServer`](super::FakeServer).
#[derive(Debug, Clone)]
pub struct FakeConfig {
    /// The data to start with.
    pub seed: Seed,
    /// How long a new install stays `pending` before it is `active` (2 s by default).
    pub install_activation_delay: Duration,
    /// How long a backup stays in each of `requested` and `in_progress` (1 s
    /// by default); a restore also takes one such step `in_progress`, after
    /// its checkpoint backup (if any) is complete.
    pub backup_step_delay: Duration,
    /// How long an archive stays in each of `requested` and `in_progress`
    /// before it is `completed` or `aborted` (1 s by default).
    pub archive_step_delay: Duration,
    /// How long a domain status report takes to complete (1 s by default).
    pub domain_report_delay: Duration,
    /// How long a disk-usage refresh takes (30 s by default).
    pub disk_usage_refresh_delay: Duration,
    /// How long a site transfer stays in each of `pending` and `in_progress`,
    /// and at least in `scheduled` (1 s by default). A transfer with a
    /// `scheduled_time` stays `scheduled` until that time.
    pub site_transfer_step_delay: Duration,
    /// How long an ordered certificate stays `SUBMITTED` before it is `ENABLED` (5 s by default).
    pub certificate_issue_delay: Duration,
    /// The least time between two object-cache purges of one install (by
    /// default the spec's `x-wpe-rate-limit` of `purge_cache`: 60 s, as upstream).
    pub object_cache_purge_interval: Duration,
    /// The least time between two domain status checks of one install (by
    /// default the spec's `x-wpe-rate-limit` of `check_status`: 5 s, as upstream).
    pub domain_check_interval: Duration,
    /// Added to every answer, to play a distant server (none by default).
    pub latency: Duration,
    /// Faults injected in front of every operation (none by default).
    pub faults: Faults,
    /// The shapes of its answers: as upstream's document describes them
    /// ([`Shapes::Documented`], the default), or as the live API was recorded
    /// answering ([`Shapes::Live`]). [`FakeConfig::default`] takes it from the
    /// environment variable `WPE_FAKE_SHAPES` when that is set (see
    /// [`Shapes::from_env`]), so that a test suite runs against both unchanged.
    pub shapes: Shapes,
    /// The clock the server runs on and waits by ([`TokioClock`] by default).
    ///
    /// [`TokioClock`]: crate::clock::TokioClock
    pub clock: Arc<dyn Clock>,
}

impl Default for FakeConfig {
    fn default() -> Self {
        Self {
            seed: Seed::Demo,
            install_activation_delay: Duration::from_secs(2),
            backup_step_delay: Duration::from_secs(1),
            archive_step_delay: Duration::from_secs(1),
            domain_report_delay: Duration::from_secs(1),
            disk_usage_refresh_delay: Duration::from_secs(30),
            site_transfer_step_delay: Duration::from_secs(1),
            certificate_issue_delay: Duration::from_secs(5),
            object_cache_purge_interval: table_limit(OBJECT_CACHE_PURGE).interval,
            domain_check_interval: table_limit(DOMAIN_CHECK).interval,
            latency: Duration::ZERO,
            faults: Faults::none(),
            shapes: Shapes::from_env(),
            clock: Arc::new(TokioClock),
        }
    }
}

/// The shapes the stand-in answers in ([`FakeConfig::shapes`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Shapes {
    /// As upstream's document describes every answer (the default).
    #[default]
    Documented,
    /// As the live API was recorded answering (`../shared/real-responses`,
    /// 2021) where that differs from the document: a domain's redirect is
    /// `redirect_to`, one reference or `{}`, not the `redirects_to` list, and
    /// it has no `secure_all_urls`; an install always has `stable_ips`
    /// (`null` without them), and the entries of `listInstalls` have no
    /// `created_at`, `wp_version` or `defer_wordpress_upgrades_until`; an
    /// account has no `nickname`. Everything else is as documented.
    Live,
}

impl Shapes {
    /// The environment variable [`Shapes::from_env`] reads.
    pub const ENV: &'static str = "WPE_FAKE_SHAPES";

    /// [`Shapes::Live`] when the environment variable `WPE_FAKE_SHAPES` is
    /// `live`, [`Shapes::Documented`] when it is `documented` or not set.
    ///
    /// # Panics
    ///
    /// On any other value, naming the two it takes: a test run meant for
    /// one shape must not run silently against the other.
    pub fn from_env() -> Self {
        match std::env::var(Self::ENV).as_deref() {
            Err(_) | Ok("" | "documented") => Self::Documented,
            Ok("live") => Self::Live,
            Ok(other) => panic!(
                "{}={other:?} is not a shape of the stand-in: use `documented` or `live`",
                Self::ENV
            ),
        }
    }
}

/// The operation whose limit [`FakeConfig::object_cache_purge_interval`] sets.
pub(super) const OBJECT_CACHE_PURGE: &str = "purge_cache";
/// The operation whose limit [`FakeConfig::domain_check_interval`] sets.
pub(super) const DOMAIN_CHECK: &str = "check_status";

/// The per-install limit the operation table gives an operation (its name
/// and interval).
pub(super) fn table_limit(id: &str) -> crate::operations::RateLimit {
    crate::operations::find(id)
        .and_then(|op| op.rate_limit)
        .unwrap_or_else(|| panic!("the spec gives {id} a rate limit"))
}

impl FakeConfig {
    /// The defaults with another seed.
    pub fn with_seed(seed: Seed) -> Self {
        Self {
            seed,
            ..Self::default()
        }
    }

    /// The demo data ([`Seed::Demo`]) with short delays, so that in a demo
    /// new installs, backups, archives, domain reports and disk-usage
    /// refreshes finish in about a second (what `wpe --demo` and the
    /// quickstart example run against).
    pub fn quick_demo() -> Self {
        Self {
            seed: Seed::Demo,
            install_activation_delay: Duration::from_millis(300),
            backup_step_delay: Duration::from_millis(200),
            archive_step_delay: Duration::from_millis(100),
            domain_report_delay: Duration::from_millis(200),
            disk_usage_refresh_delay: Duration::from_secs(1),
            ..Self::default()
        }
    }
}
