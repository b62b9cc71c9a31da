//! The in-memory state of the stand-in and its seeds.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::Value;
use tokio::time::Instant;
use uuid::Uuid;

use super::{FakeConfig, Seed, DEMO_PASSWORD, DEMO_USER, OTHER_PASSWORD, OTHER_USER};
use crate::types::{CertSource, Environment, PurgeCacheType};

/// An install copy the stand-in accepted (`copyInstall`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstallCopy {
    /// The install copied from.
    pub source: Uuid,
    /// The install copied onto.
    pub destination: Uuid,
    /// Who was to be told when the copy ended.
    pub notification_emails: Vec<String>,
    /// `custom_options.include_files`, when given.
    pub include_files: Option<bool>,
    /// `custom_options.include_db`, when given.
    pub include_db: Option<bool>,
    /// `custom_options.db_tables`.
    pub db_tables: Vec<String>,
}

/// A cache purge the stand-in accepted (`purgeCache`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachePurge {
    /// The install whose cache was purged.
    pub install_id: Uuid,
    /// Which cache.
    pub kind: PurgeCacheType,
}

/// Rows keyed by ID that keep their insertion order, with O(1) look-ups and
/// a cache-friendly scan (pages of 100,000 installs are listed by scanning).
#[derive(Debug)]
pub(crate) struct Table<T> {
    rows: Vec<(Uuid, T)>,
    index: HashMap<Uuid, usize>,
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Self {
            rows: Vec::new(),
            index: HashMap::new(),
        }
    }
}

impl<T> Table<T> {
    pub(crate) fn insert(&mut self, id: Uuid, row: T) {
        match self.index.get(&id) {
            Some(at) => self.rows[*at].1 = row,
            None => {
                self.index.insert(id, self.rows.len());
                self.rows.push((id, row));
            }
        }
    }
    pub(crate) fn get(&self, id: &Uuid) -> Option<&T> {
        self.index.get(id).map(|at| &self.rows[*at].1)
    }
    pub(crate) fn get_mut(&mut self, id: &Uuid) -> Option<&mut T> {
        let at = *self.index.get(id)?;
        Some(&mut self.rows[at].1)
    }
    pub(crate) fn remove(&mut self, id: &Uuid) -> Option<T> {
        let at = self.index.remove(id)?;
        let (_, row) = self.rows.remove(at);
        for (_, position) in self.index.iter_mut() {
            if *position > at {
                *position -= 1;
            }
        }
        Some(row)
    }
    pub(crate) fn reserve(&mut self, additional: usize) {
        self.rows.reserve(additional);
        self.index.reserve(additional);
    }
    pub(crate) fn iter(&self) -> impl Iterator<Item = &T> + '_ {
        self.rows.iter().map(|(_, row)| row)
    }
    /// Keeps the rows `keep` says yes to, in their order.
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(&T) -> bool) {
        self.rows.retain(|(_, row)| keep(row));
        self.index.clear();
        for (at, (id, _)) in self.rows.iter().enumerate() {
            self.index.insert(*id, at);
        }
    }
}

#[derive(Debug)]
pub(crate) struct ApiUser {
    pub username: String,
    pub password: String,
    pub id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub accounts: HashSet<Uuid>,
    pub ssh_keys: Table<SshKeyRec>,
}

#[derive(Debug, Clone)]
pub(crate) struct SshKeyRec {
    pub id: Uuid,
    pub comment: String,
    pub fingerprint: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug)]
pub(crate) struct AccountRec {
    pub id: Uuid,
    pub name: String,
    pub nickname: Option<String>,
    pub limits: (Option<i64>, Option<i64>, Option<i64>),
    pub users: Vec<AccountUserRec>,
    pub refresh_requested: Option<Instant>,
    /// On WP Engine's Autoscale plan, where SFTP users are refused (403).
    pub autoscale: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct AccountUserRec {
    pub user_id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: Option<String>,
    pub roles: String,
    pub install_ids: Vec<Uuid>,
    pub invite_accepted: bool,
    pub mfa_enabled: bool,
}

#[derive(Debug)]
pub(crate) struct SiteRec {
    pub id: Uuid,
    pub account_id: Uuid,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub installs: Vec<Uuid>,
    pub group_name: Option<String>,
    pub tags: Vec<String>,
    pub sandbox: bool,
    pub transferable: bool,
}

#[derive(Debug)]
pub(crate) struct InstallRec {
    pub id: Uuid,
    pub name: String,
    pub account_id: Uuid,
    pub site_id: Option<Uuid>,
    pub environment: Option<Environment>,
    /// `None` when the install was active from the start.
    pub activates_at: Option<Instant>,
    pub created_at: DateTime<Utc>,
    pub php_version: String,
    pub wp_version: String,
    pub is_multisite: bool,
    pub domains: Vec<DomainRec>,
    pub certs: Vec<CertRec>,
    pub offload: Option<Value>,
    pub refresh_requested: Option<Instant>,
    /// SFTP users, oldest first; no password is kept.
    pub sftp_users: Vec<SftpUserRec>,
    /// Cache exclusions: the platform's `cookie` entries, then the customer's.
    pub cache_exclusions: Vec<CacheExclusionRec>,
}

/// An SFTP user of an install: its full (prefixed) name and its path.
#[derive(Debug, Clone)]
pub(crate) struct SftpUserRec {
    pub name: String,
    pub path: Option<String>,
}

/// A cache exclusion: its kind (`query arg`, `url path`, `cookie`) and value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CacheExclusionRec {
    pub kind: String,
    pub value: String,
}

/// The `cookie` exclusions the platform keeps on every install.
const PLATFORM_COOKIES: &[&str] = &["wordpress_logged_in_", "wp-postpass_"];

#[derive(Debug, Clone)]
pub(crate) struct DomainRec {
    pub id: Uuid,
    pub name: String,
    pub primary: bool,
    pub redirect_to: Option<Uuid>,
    pub secure_all_urls: bool,
    /// The network serving the domain: `AN`, `GES` or `LEGACY`.
    pub network_type: &'static str,
    /// The value the domain's TXT record must hold to prove ownership.
    pub txt_value: String,
    /// When ownership was proven; `None` while pending (the domain serves no
    /// traffic until then).
    pub txt_verified: Option<DateTime<Utc>>,
}

/// The label of the TXT record that proves a domain's ownership: the record
/// is published at `_wpe_verification.<domain>`.
pub(crate) const TXT_VERIFICATION_KEY: &str = "_wpe_verification";

#[derive(Debug, Clone)]
pub(crate) struct CertRec {
    pub id: i64,
    pub source: CertSource,
    pub domains: Vec<String>,
    pub ordered_time: DateTime<Utc>,
    /// When an ordered certificate becomes `ENABLED`; `None` when it already is.
    pub issued_at: Option<Instant>,
    pub approver_email: Option<String>,
    pub serial_number: String,
}

#[derive(Debug)]
pub(crate) struct BackupRec {
    pub id: Uuid,
    pub install_id: Uuid,
    pub requested: Instant,
    pub description: String,
    /// The install's WordPress version when the backup was requested.
    pub wordpress_version: String,
    /// Whether it ends `aborted` ([`super::FakeServer::abort_next_backup`]).
    pub aborts: bool,
}

/// A restore the stand-in accepted (`restoreBackup`); its progress is worked
/// out from `requested` and the checkpoint's.
#[derive(Debug)]
pub(crate) struct RestoreRec {
    pub install_id: Uuid,
    pub backup_id: Uuid,
    pub notification_emails: Vec<String>,
    pub restore_database: bool,
    /// The backup taken first, when `create_checkpoint` was true.
    pub checkpoint: Option<Uuid>,
    pub requested: Instant,
    /// When the restore itself starts: once the checkpoint is complete, or
    /// one step after `requested` without one.
    pub starts: Instant,
}

/// An archive of a backup (`createArchive`); its progress is worked out from
/// `requested`.
#[derive(Debug)]
pub(crate) struct ArchiveRec {
    pub id: Uuid,
    pub install_id: Uuid,
    pub backup_id: Uuid,
    pub notification_emails: Vec<String>,
    pub requested: Instant,
    /// Whether it ends `aborted` rather than `completed`.
    pub aborts: bool,
}

/// A site transfer (`createSiteTransfer`). Its status is worked out from the
/// clock, and the move applied when it completes, by `site_transfer.rs`.
#[derive(Debug)]
pub(crate) struct TransferRec {
    pub id: Uuid,
    pub site_id: Uuid,
    /// The site's name when the transfer was requested.
    pub site_name: String,
    /// The names of the site's installs when the transfer was requested.
    pub installs: Vec<String>,
    pub origin: Uuid,
    pub destination: Uuid,
    /// The requested start, as sent.
    pub scheduled_time: Option<DateTime<Utc>>,
    /// When the transfer was requested.
    pub created: Instant,
    /// When the move starts (`in_progress`).
    pub starts: Instant,
    /// When it was cancelled, if it was.
    pub cancelled: Option<Instant>,
    /// Whether it ends `failed` rather than `completed`.
    pub fails: bool,
    /// Whether the site has been moved to the destination account.
    pub moved: bool,
}

#[derive(Debug)]
pub(crate) struct ReportRec {
    pub install_id: Uuid,
    pub domains: Vec<String>,
    pub created: Instant,
}

/// Someone site reports are emailed to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RecipientRec {
    /// Their name, when given.
    pub name: Option<String>,
    /// Their email address.
    pub email: String,
}

/// How often a report schedule runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Frequency {
    /// Every 7 or 14 days.
    Days(u32),
    /// Monthly on this day of the month (1 to 31, the last day in shorter months).
    Monthly(u32),
}

/// A report schedule of a site (`createSiteReportSchedule`).
#[derive(Debug, Clone)]
pub(crate) struct ReportScheduleRec {
    /// The schedule's ID.
    pub id: Uuid,
    /// The site the reports are about.
    pub site_id: Uuid,
    /// The title of the reports.
    pub title: String,
    /// When the next report is due (on the server's wall clock).
    pub next: DateTime<Utc>,
    /// How often reports are due.
    pub frequency: Frequency,
    /// Who the reports go to.
    pub recipients: Vec<RecipientRec>,
    /// The names of the reports' sections, in catalogue order.
    pub sections: Vec<String>,
    /// The template the reports follow, if any.
    pub template_id: Option<Uuid>,
}

/// A report template of an account: a branding and a set of sections.
#[derive(Debug, Clone)]
pub(crate) struct ReportTemplateRec {
    /// The template's ID.
    pub id: Uuid,
    /// The account the template belongs to.
    pub account_id: Uuid,
    /// The template's name (at most 100 characters).
    pub name: String,
    /// The company name shown on reports.
    pub company_name: String,
    /// The accent colour, `#rrggbb`.
    pub brand_color: String,
    /// The ID of the template's branding (logo and preview images).
    pub branding_id: Uuid,
    /// The names of the template's sections, in catalogue order.
    pub sections: Vec<String>,
}

/// A site report that was generated.
#[derive(Debug, Clone)]
pub(crate) struct SiteReportRec {
    /// The report's ID.
    pub id: Uuid,
    /// The site it is about.
    pub site_id: Uuid,
    /// Its title.
    pub title: String,
    /// Start of the period covered.
    pub start: DateTime<Utc>,
    /// End of the period covered.
    pub end: DateTime<Utc>,
    /// When it was generated.
    pub created_at: DateTime<Utc>,
    /// Who it was sent to.
    pub recipients: Vec<RecipientRec>,
}

pub(crate) struct State {
    /// The clock the server runs on ([`FakeConfig::clock`]).
    clock: std::sync::Arc<dyn crate::clock::Clock>,
    /// How far [`super::FakeServer::advance`] has moved the clock.
    pub offset: Duration,
    pub start: Instant,
    pub start_wall: DateTime<Utc>,
    rng: u64,
    pub next_cert_id: i64,
    pub users: Vec<ApiUser>,
    pub accounts: Table<AccountRec>,
    /// Accounts whose API access is switched off: their users still sign
    /// in, but no request reaches them ([`super::FakeServer::set_api_access`]).
    pub api_access_off: HashSet<Uuid>,
    pub sites: Table<SiteRec>,
    pub installs: Table<InstallRec>,
    pub install_names: HashSet<String>,
    /// Every domain name in use, with the install it is on.
    pub domain_names: HashMap<String, Uuid>,
    /// Backups, oldest first.
    pub backups: Table<BackupRec>,
    /// Restores, oldest first.
    pub restores: Vec<RestoreRec>,
    /// Archives, oldest first.
    pub archives: Vec<ArchiveRec>,
    /// Whether the next archive requested aborts
    /// ([`super::FakeServer::abort_next_archive`]).
    pub abort_next_archive: bool,
    /// Whether the next backup requested with `createBackup` aborts
    /// ([`super::FakeServer::abort_next_backup`]).
    pub abort_next_backup: bool,
    pub reports: HashMap<Uuid, ReportRec>,
    /// Site transfers, oldest first.
    pub transfers: Table<TransferRec>,
    /// Whether the next site transfer is to fail
    /// ([`super::FakeServer::fail_next_site_transfer`]).
    pub fail_next_transfer: bool,
    /// TXT records published with [`super::FakeServer::publish_txt_record`]:
    /// the values at each DNS name (lower case, without a trailing dot).
    pub txt_records: HashMap<String, Vec<String>>,
    pub served: BTreeSet<&'static str>,
    /// Every response an operation answered, oldest first
    /// ([`super::FakeServer::sent_responses`]).
    pub sent: Vec<super::SentResponse>,
    pub copies: Vec<InstallCopy>,
    pub purges: Vec<CachePurge>,
    /// The last accepted call of each per-install rate limit, by install
    /// and limit name (see `rate_limit.rs`).
    pub last_limited_call: HashMap<(Uuid, &'static str), Instant>,
    /// Report schedules of the sites.
    pub report_schedules: Table<ReportScheduleRec>,
    /// Report templates of the accounts.
    pub report_templates: Table<ReportTemplateRec>,
    /// Site reports generated so far, oldest first.
    pub site_reports: Table<SiteReportRec>,
}

impl State {
    fn empty(clock: std::sync::Arc<dyn crate::clock::Clock>) -> Self {
        Self {
            offset: Duration::ZERO,
            start: Instant::from_std(clock.now()),
            start_wall: clock.now_utc(),
            clock,
            rng: 0x5eed_1234_abcd_0001,
            next_cert_id: 1000,
            users: Vec::new(),
            accounts: Table::default(),
            api_access_off: HashSet::new(),
            sites: Table::default(),
            installs: Table::default(),
            install_names: HashSet::new(),
            domain_names: HashMap::new(),
            backups: Table::default(),
            restores: Vec::new(),
            archives: Vec::new(),
            abort_next_archive: false,
            abort_next_backup: false,
            reports: HashMap::new(),
            transfers: Table::default(),
            fail_next_transfer: false,
            txt_records: HashMap::new(),
            served: BTreeSet::new(),
            sent: Vec::new(),
            copies: Vec::new(),
            purges: Vec::new(),
            last_limited_call: HashMap::new(),
            report_schedules: Table::default(),
            report_templates: Table::default(),
            site_reports: Table::default(),
        }
    }

    /// The server's clock: its [`FakeConfig::clock`] plus the offset.
    pub(crate) fn now(&self) -> Instant {
        Instant::from_std(self.clock.now()) + self.offset
    }

    /// The wall-clock time of a server instant.
    pub(crate) fn wall(&self, at: Instant) -> DateTime<Utc> {
        let since = at.saturating_duration_since(self.start);
        self.start_wall + chrono::Duration::from_std(since).unwrap_or_default()
    }

    /// A fresh, reproducible version-4 UUID.
    pub(crate) fn new_id(&mut self) -> Uuid {
        let hi = self.next_random();
        let lo = self.next_random();
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&hi.to_be_bytes());
        bytes[8..].copy_from_slice(&lo.to_be_bytes());
        uuid::Builder::from_random_bytes(bytes).into_uuid()
    }

    /// A fresh, reproducible token of 32 hex digits (TXT values, link paths).
    pub(crate) fn new_token(&mut self) -> String {
        format!("{:016x}{:016x}", self.next_random(), self.next_random())
    }

    /// A domain record for a new domain: on the `AN` network, its ownership
    /// not yet proven, with a TXT value of its own.
    pub(crate) fn new_domain(
        &mut self,
        id: Uuid,
        name: String,
        redirect_to: Option<Uuid>,
    ) -> DomainRec {
        DomainRec {
            id,
            name,
            primary: false,
            redirect_to,
            secure_all_urls: false,
            network_type: "AN",
            txt_value: format!("wpe-verify-{}", self.new_token()),
            txt_verified: None,
        }
    }

    fn next_random(&mut self) -> u64 {
        // splitmix64
        self.rng = self.rng.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub(crate) fn seeded(config: &FakeConfig) -> Self {
        let mut state = Self::empty(std::sync::Arc::clone(&config.clock));
        let demo = state.add_api_user(DEMO_USER, DEMO_PASSWORD, "Demo", "User", "demo@example.com");
        match config.seed {
            Seed::Empty => {
                state.add_account(demo, "demoempty", None);
            }
            Seed::Installs(n) => {
                let account = state.add_account(demo, "demoscale", Some("Scale test"));
                let created = state.start_wall - chrono::Duration::days(30);
                state.installs.reserve(n);
                state.install_names.reserve(n);
                for i in 0..n {
                    let id = state.new_id();
                    let name = format!("i{i:07}");
                    state.install_names.insert(name.clone());
                    state
                        .installs
                        .insert(id, install_rec(id, name, account, None, None, created));
                }
            }
            Seed::Demo => state.seed_demo(demo),
        }
        state
    }

    fn add_api_user(
        &mut self,
        username: &str,
        password: &str,
        first_name: &str,
        last_name: &str,
        email: &str,
    ) -> usize {
        let id = self.new_id();
        self.users.push(ApiUser {
            username: username.to_owned(),
            password: password.to_owned(),
            id,
            first_name: first_name.to_owned(),
            last_name: last_name.to_owned(),
            email: email.to_owned(),
            accounts: HashSet::new(),
            ssh_keys: Table::default(),
        });
        self.users.len() - 1
    }

    /// A new account owned by the API user `owner` (an index into `users`).
    fn add_account(&mut self, owner: usize, name: &str, nickname: Option<&str>) -> Uuid {
        let id = self.new_id();
        let user = &self.users[owner];
        let owner_rec = AccountUserRec {
            user_id: user.id,
            first_name: user.first_name.clone(),
            last_name: user.last_name.clone(),
            email: user.email.clone(),
            phone: None,
            roles: "owner".to_owned(),
            install_ids: Vec::new(),
            invite_accepted: true,
            mfa_enabled: true,
        };
        self.accounts.insert(
            id,
            AccountRec {
                id,
                name: name.to_owned(),
                nickname: nickname.map(str::to_owned),
                limits: (Some(400_000), Some(50), Some(400)),
                users: vec![owner_rec],
                refresh_requested: None,
                autoscale: false,
            },
        );
        self.users[owner].accounts.insert(id);
        id
    }

    pub(crate) fn add_user_with_account(
        &mut self,
        username: &str,
        password: &str,
        account_name: &str,
    ) -> Uuid {
        let email = format!("{username}@example.com");
        let user = self.add_api_user(username, password, username, "User", &email);
        self.add_account(user, account_name, None)
    }

    /// Removes an install with its names, domains, backups, restores,
    /// archives and reports, and takes it off its site.
    pub(crate) fn remove_install(&mut self, id: &Uuid) {
        if let Some(install) = self.installs.remove(id) {
            self.install_names.remove(&install.name);
            for domain in &install.domains {
                self.domain_names.remove(&domain.name);
            }
            if let Some(site) = install.site_id.and_then(|s| self.sites.get_mut(&s)) {
                site.installs.retain(|i| i != id);
            }
            self.backups.retain(|b| b.install_id != *id);
            self.restores.retain(|r| r.install_id != *id);
            self.archives.retain(|a| a.install_id != *id);
            self.reports.retain(|_, r| r.install_id != *id);
            self.last_limited_call
                .retain(|(install, _), _| install != id);
        }
    }

    fn add_site(&mut self, account_id: Uuid, name: &str, days_ago: i64) -> Uuid {
        let id = self.new_id();
        self.sites.insert(
            id,
            SiteRec {
                id,
                account_id,
                name: name.to_owned(),
                created_at: self.start_wall - chrono::Duration::days(days_ago),
                installs: Vec::new(),
                group_name: None,
                tags: Vec::new(),
                sandbox: false,
                transferable: false,
            },
        );
        id
    }

    /// Adds an already active install to a site.
    fn add_seed_install(&mut self, site_id: Uuid, name: &str, env: Environment) -> Uuid {
        let id = self.new_id();
        let site = self.sites.get_mut(&site_id).expect("seed site");
        site.installs.push(id);
        let account_id = site.account_id;
        let created = site.created_at;
        self.install_names.insert(name.to_owned());
        self.installs.insert(
            id,
            install_rec(
                id,
                name.to_owned(),
                account_id,
                Some(site_id),
                Some(env),
                created,
            ),
        );
        id
    }

    fn add_seed_domain(
        &mut self,
        install_id: Uuid,
        name: &str,
        primary: bool,
        redirect: Option<&str>,
        network_type: &'static str,
    ) {
        let id = self.new_id();
        let txt_value = format!("wpe-verify-{}", self.new_token());
        let verified = self.start_wall - chrono::Duration::days(60);
        let install = self.installs.get_mut(&install_id).expect("seed install");
        let redirect_to = redirect.and_then(|target| {
            install
                .domains
                .iter()
                .find(|d| d.name == target)
                .map(|d| d.id)
        });
        install.domains.push(DomainRec {
            id,
            name: name.to_owned(),
            primary,
            redirect_to,
            secure_all_urls: true,
            network_type,
            txt_value,
            txt_verified: Some(verified),
        });
        self.domain_names.insert(name.to_owned(), install_id);
    }

    fn add_seed_cert(&mut self, install_id: Uuid, domains: &[&str]) {
        let id = self.next_cert_id;
        self.next_cert_id += 1;
        let serial = format!("{:032x}", self.next_random() as u128 * 7919);
        let ordered = self.start_wall - chrono::Duration::days(20);
        let install = self.installs.get_mut(&install_id).expect("seed install");
        install.certs.push(CertRec {
            id,
            source: CertSource::LetsEncrypt,
            domains: domains.iter().map(|d| (*d).to_owned()).collect(),
            ordered_time: ordered,
            issued_at: None,
            approver_email: None,
            serial_number: serial,
        });
    }

    fn seed_demo(&mut self, demo: usize) {
        let agency = self.add_account(demo, "demoagency", Some("Demo Agency"));
        let client = self.add_account(demo, "democlient", Some("Demo Client Co"));
        // Demo Client Co is on Autoscale: its installs have no SFTP users.
        self.accounts
            .get_mut(&client)
            .expect("seed account")
            .autoscale = true;
        self.add_account(demo, "demosandbox", None);

        let torque = self.add_site(agency, "Torque Magazine", 400);
        let torquemag = self.add_seed_install(torque, "torquemag", Environment::Production);
        self.add_seed_install(torque, "torquemagstg", Environment::Staging);
        self.add_seed_install(torque, "torquemagdev", Environment::Development);
        let shop = self.add_site(agency, "Demo Shop", 200);
        let demoshop = self.add_seed_install(shop, "demoshop", Environment::Production);
        self.add_seed_install(shop, "demoshopstg", Environment::Staging);
        self.add_seed_install(shop, "demoshopdev", Environment::Development);
        let blog = self.add_site(client, "Client Blog", 90);
        let clientblog = self.add_seed_install(blog, "clientblog", Environment::Production);
        self.add_seed_install(blog, "clientblogstg", Environment::Staging);
        self.add_seed_install(blog, "clientblogdev", Environment::Development);

        super::site_reports::seed_demo(self, agency, client, torque);

        let install = self.installs.get_mut(&torquemag).expect("seed install");
        install.sftp_users.push(SftpUserRec {
            name: "torquemag-designer".into(),
            path: Some("/wp-content/themes".into()),
        });
        install.cache_exclusions.push(CacheExclusionRec {
            kind: "url path".into(),
            value: "/members/".into(),
        });

        self.add_seed_domain(torquemag, "torquemag.io", true, None, "AN");
        self.add_seed_domain(
            torquemag,
            "www.torquemag.io",
            false,
            Some("torquemag.io"),
            "AN",
        );
        self.add_seed_cert(torquemag, &["torquemag.io", "www.torquemag.io"]);
        self.add_seed_domain(demoshop, "shop.example.com", true, None, "GES");
        self.add_seed_cert(demoshop, &["shop.example.com"]);
        self.add_seed_domain(clientblog, "blog.example.org", true, None, "LEGACY");

        let jane = self.new_id();
        let pat = self.new_id();
        let account = self.accounts.get_mut(&agency).expect("seed account");
        account.users.push(AccountUserRec {
            user_id: jane,
            first_name: "Jane".into(),
            last_name: "Editor".into(),
            email: "jane@example.com".into(),
            phone: Some("+1 512 555 0100".into()),
            roles: "full,billing".into(),
            install_ids: Vec::new(),
            invite_accepted: true,
            mfa_enabled: false,
        });
        account.users.push(AccountUserRec {
            user_id: pat,
            first_name: "Pat".into(),
            last_name: "Partial".into(),
            email: "pat@example.com".into(),
            phone: None,
            roles: "partial".into(),
            install_ids: vec![torquemag],
            invite_accepted: false,
            mfa_enabled: false,
        });

        let key_id = self.new_id();
        let blob = ed25519_blob(&[7u8; 32]);
        let fingerprint = super::hashes::md5_fingerprint(&blob);
        let created_at = self.start_wall - chrono::Duration::days(10);
        self.users[demo].ssh_keys.insert(
            key_id,
            SshKeyRec {
                id: key_id,
                comment: "demo@example.com".into(),
                fingerprint,
                created_at,
            },
        );

        let other = self.add_api_user(
            OTHER_USER,
            OTHER_PASSWORD,
            "Olga",
            "Other",
            "olga@example.net",
        );
        let other_account = self.add_account(other, "otheragency", Some("Other Agency"));
        let other_site = self.add_site(other_account, "Other Site", 50);
        self.add_seed_install(other_site, "otherprod", Environment::Production);
    }
}

fn install_rec(
    id: Uuid,
    name: String,
    account_id: Uuid,
    site_id: Option<Uuid>,
    environment: Option<Environment>,
    created_at: DateTime<Utc>,
) -> InstallRec {
    InstallRec {
        id,
        name,
        account_id,
        site_id,
        environment,
        activates_at: None,
        created_at,
        php_version: "8.2".to_owned(),
        wp_version: "6.5.3".to_owned(),
        is_multisite: false,
        domains: Vec::new(),
        certs: Vec::new(),
        offload: None,
        refresh_requested: None,
        sftp_users: Vec::new(),
        cache_exclusions: PLATFORM_COOKIES
            .iter()
            .map(|cookie| CacheExclusionRec {
                kind: "cookie".to_owned(),
                value: (*cookie).to_owned(),
            })
            .collect(),
    }
}

/// The wire form of an Ed25519 public key.
fn ed25519_blob(key: &[u8; 32]) -> Vec<u8> {
    let mut blob = Vec::new();
    blob.extend_from_slice(&11u32.to_be_bytes());
    blob.extend_from_slice(b"ssh-ed25519");
    blob.extend_from_slice(&32u32.to_be_bytes());
    blob.extend_from_slice(key);
    blob
}

/// Builds an install record for a new install (used by `createInstall`).
pub(crate) fn new_install(
    id: Uuid,
    name: String,
    account_id: Uuid,
    site_id: Option<Uuid>,
    environment: Option<Environment>,
    created_at: DateTime<Utc>,
    activates_at: Instant,
) -> InstallRec {
    let mut rec = install_rec(id, name, account_id, site_id, environment, created_at);
    rec.activates_at = Some(activates_at);
    rec
}
