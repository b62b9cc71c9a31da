//! The rows the stand-in keeps: users, accounts, sites, installs and what hangs off them.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;
use tokio::time::Instant;
use uuid::Uuid;

use super::Table;
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
    /// The first day whose storage was measured: `NaiveDate::MIN` for an
    /// install measured all along, `None` for one never measured (its
    /// storage figures are null until a disk-usage refresh finishes).
    pub storage_since: Option<NaiveDate>,
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
    /// Whether it ends `aborted` ([`crate::fake::FakeServer::abort_next_backup`]).
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
