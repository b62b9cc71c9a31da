//! The in-memory state of the stand-in: its tables, clock, IDs and the changes that span tables.

mod records;
mod seed;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::time::Instant;
use uuid::Uuid;

pub(crate) use records::{
    AccountRec, AccountUserRec, ApiUser, ArchiveRec, BackupRec, CacheExclusionRec, CertRec,
    DomainRec, Frequency, InstallRec, RecipientRec, ReportRec, ReportScheduleRec,
    ReportTemplateRec, RestoreRec, SftpUserRec, SiteRec, SiteReportRec, SshKeyRec, TransferRec,
    TXT_VERIFICATION_KEY,
};
pub use records::{CachePurge, InstallCopy};
pub(crate) use seed::new_install;

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
    pub(crate) fn iter_mut(&mut self) -> impl Iterator<Item = &mut T> + '_ {
        self.rows.iter_mut().map(|(_, row)| row)
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

pub(crate) struct State {
    /// The clock the server runs on ([`FakeConfig::clock`](super::FakeConfig::clock)).
    clock: std::sync::Arc<dyn crate::clock::Clock>,
    /// How far [`super::FakeServer::advance`] has moved the clock.
    pub offset: Duration,
    /// While a journal is replayed, the time since the start each request
    /// is answered at ([`super::FakeServer::resume`]); the clock is not read.
    pub pinned: Option<Duration>,
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
    /// The requests that changed the state, oldest first ([`super::FakeServer::journal`]).
    pub journal: Vec<super::JournalEntry>,
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
    fn empty(clock: std::sync::Arc<dyn crate::clock::Clock>, start_wall: DateTime<Utc>) -> Self {
        Self {
            offset: Duration::ZERO,
            pinned: None,
            start: Instant::from_std(clock.now()),
            start_wall,
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
            journal: Vec::new(),
            copies: Vec::new(),
            purges: Vec::new(),
            last_limited_call: HashMap::new(),
            report_schedules: Table::default(),
            report_templates: Table::default(),
            site_reports: Table::default(),
        }
    }

    /// The server's clock: its [`FakeConfig::clock`](super::FakeConfig::clock) plus the offset.
    pub(crate) fn now(&self) -> Instant {
        match self.pinned {
            Some(since_start) => self.start + since_start,
            None => Instant::from_std(self.clock.now()) + self.offset,
        }
    }

    /// How far the generators of IDs, tokens and certificate numbers have
    /// moved: a request that moves them changes what later requests get.
    pub(crate) fn draws(&self) -> (u64, i64) {
        (self.rng, self.next_cert_id)
    }

    /// The wall-clock time of a server instant (one before the start too,
    /// such as a seeded backup's).
    pub(crate) fn wall(&self, at: Instant) -> DateTime<Utc> {
        match at.checked_duration_since(self.start) {
            Some(since) => self.start_wall + chrono::Duration::from_std(since).unwrap_or_default(),
            None => {
                let before = self.start.saturating_duration_since(at);
                self.start_wall - chrono::Duration::from_std(before).unwrap_or_default()
            }
        }
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
}
