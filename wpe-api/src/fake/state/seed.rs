//! The seeds the stand-in starts from: the demo data, and the records of new installs.

use chrono::{DateTime, Utc};
use tokio::time::Instant;
use uuid::Uuid;

use super::{
    AccountUserRec, BackupRec, CacheExclusionRec, CertRec, DomainRec, InstallRec, SftpUserRec,
    SiteRec, SshKeyRec, State,
};
use crate::fake::{
    FakeConfig, Seed, DEMO_PASSWORD, DEMO_USER, OTHER_PASSWORD, OTHER_USER, PARTIAL_PASSWORD,
    PARTIAL_USER,
};
use crate::types::{CertSource, Environment};

/// The monthly visits of Demo Client Co's plan: its three installs have
/// about 85,000 billable visits a month (3 installs × 30 days × 1,050 visits
/// on average, 90 % of them billable; about 66,000 at the least in a 28-day
/// month), so the account is over its allowance every month.
const CLIENT_VISITORS: i64 = 60_000;

/// The `cookie` exclusions the platform keeps on every install.
const PLATFORM_COOKIES: &[&str] = &["wordpress_logged_in_", "wp-postpass_"];

impl State {
    pub(crate) fn seeded(config: &FakeConfig, start_wall: chrono::DateTime<chrono::Utc>) -> Self {
        let mut state = Self::empty(std::sync::Arc::clone(&config.clock), start_wall);
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
        let sandbox = self.add_account(demo, "demosandbox", None);
        // A sandbox site (no installs yet): WP Engine refuses to transfer one.
        let playground = self.add_site(sandbox, "Sandbox Playground", 5);
        self.sites.get_mut(&playground).expect("seed site").sandbox = true;
        // A plan without stated maxima: each limit may be null.
        self.accounts
            .get_mut(&sandbox)
            .expect("seed account")
            .limits = (None, None, None);

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
        // Demo Client Co's storage has never been measured (its figures are
        // null until a disk-usage refresh), and its small plan is outgrown:
        // its visits are well over the allowance every month.
        for install in self.installs.iter_mut() {
            if install.account_id == client {
                install.storage_since = None;
            }
        }
        self.accounts.get_mut(&client).expect("seed account").limits =
            (Some(CLIENT_VISITORS), Some(10), Some(100));

        crate::fake::site_reports::seed_demo(self, agency, client, torque);

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
        // Pat has API credentials of their own, partial access to Demo
        // Agency (torquemag only) and Full with Billing on Demo Client Co:
        // what a role may not do is refused.
        let pat_user = self.add_api_user(
            PARTIAL_USER,
            PARTIAL_PASSWORD,
            "Pat",
            "Partial",
            "pat@example.com",
        );
        self.users[pat_user].accounts.insert(agency);
        let pat = self.users[pat_user].id;
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
        self.users[pat_user].accounts.insert(client);
        let client_account = self.accounts.get_mut(&client).expect("seed account");
        client_account.users.push(AccountUserRec {
            user_id: pat,
            first_name: "Pat".into(),
            last_name: "Partial".into(),
            email: "pat@example.com".into(),
            phone: None,
            roles: "full,billing".into(),
            install_ids: Vec::new(),
            invite_accepted: true,
            mfa_enabled: false,
        });

        let key_id = self.new_id();
        let blob = ed25519_blob(&[7u8; 32]);
        let fingerprint = crate::fake::hashes::md5_fingerprint(&blob);
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

        self.seed_demo_findings();
    }

    /// What `wpe audit` finds in the demo fleet: an old PHP, an install
    /// still being provisioned, a certificate about to expire, a domain
    /// whose ownership is not proven yet, and backups (recent ones, one too
    /// old, none on the two production installs of the agency). Added last,
    /// so the IDs and tokens drawn for the records above stay as they were.
    fn seed_demo_findings(&mut self) {
        let id_of = |state: &Self, name: &str| {
            state
                .installs
                .iter()
                .find(|i| i.name == name)
                .map(|i| i.id)
                .expect("seed install")
        };
        let demoshopdev = id_of(self, "demoshopdev");
        let install = self.installs.get_mut(&demoshopdev).expect("seed install");
        install.php_version = "7.4".to_owned();

        // Provisioned an hour after the stand-in starts.
        let clientblogdev = id_of(self, "clientblogdev");
        let activates = self.start + std::time::Duration::from_secs(3600);
        let install = self.installs.get_mut(&clientblogdev).expect("seed install");
        install.activates_at = Some(activates);

        // Ordered 80 days ago, so it expires (after 90) in 10 days.
        let ordered = self.start_wall - chrono::Duration::days(80);
        let demoshop = id_of(self, "demoshop");
        let install = self.installs.get_mut(&demoshop).expect("seed install");
        for cert in &mut install.certs {
            cert.ordered_time = ordered;
        }

        let staging = id_of(self, "torquemagstg");
        let name = "staging.torquemag.io";
        let domain_id = self.new_id();
        let domain = self.new_domain(domain_id, name.to_owned(), None);
        let install = self.installs.get_mut(&staging).expect("seed install");
        install.domains.push(domain);
        self.domain_names.insert(name.to_owned(), staging);

        for (name, days_ago) in [
            ("torquemagstg", 1),
            ("torquemagdev", 1),
            ("demoshopstg", 1),
            ("demoshopdev", 1),
            ("clientblog", 12),
            ("clientblogstg", 1),
        ] {
            let install = id_of(self, name);
            self.add_seed_backup(install, days_ago);
        }
    }

    /// A completed backup of an install, requested `days_ago` days before the start.
    fn add_seed_backup(&mut self, install_id: Uuid, days_ago: u64) {
        let id = self.new_id();
        let age = std::time::Duration::from_secs(days_ago * 24 * 3600);
        // A monotonic instant before the machine started is still an
        // instant on Linux and macOS; were it not, the backup would be new.
        let requested = self.start.checked_sub(age).unwrap_or(self.start);
        let wordpress_version = self
            .installs
            .get(&install_id)
            .expect("seed install")
            .wp_version
            .clone();
        self.backups.insert(
            id,
            BackupRec {
                id,
                install_id,
                requested,
                description: "Nightly".to_owned(),
                wordpress_version,
                aborts: false,
            },
        );
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
        storage_since: Some(chrono::NaiveDate::MIN),
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
