//! A tour of the client.
//!
//! ```text
//! cargo run --example quickstart
//! ```
//!
//! Without `WPE_API_USER`/`WPE_API_PASSWORD` it starts the local stand-in
//! (`wpe_api::fake`) with demo data and walks through a typical session: list
//! accounts, sites and installs; back up a production install and wait for
//! the backup; list the install's backups, archive the new one and wait for
//! its download link; purge its page cache; add a domain and wait for its
//! status report. With both variables set it runs only the read-only steps, against
//! the real API or `WPE_API_URL`; when the credentials reach no account, it
//! stops and says how to turn on API access for the account.

use std::time::{Duration, Instant};

use wpe_api::accounts::NoAccountsReachable;
use wpe_api::fake::{FakeConfig, FakeServer};
use wpe_api::types::{Environment, PurgeCacheType};
use wpe_api::wait::WaitOptions;
use wpe_api::{Client, ClientInfo, Paginate};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("\nError: {err}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<()> {
    let has_credentials = std::env::var_os(wpe_api::config::ENV_USER).is_some()
        && std::env::var_os(wpe_api::config::ENV_PASSWORD).is_some();
    if has_credentials {
        let client = Client::from_env()?;
        println!(
            "Target: {} (credentials from {}; read-only steps only)\n",
            client.baseurl(),
            wpe_api::config::ENV_USER
        );
        let overview = overview(&client).await?;
        println!("\nSummary");
        overview.print();
        return Ok(());
    }

    // Short delays so the demo's asynchronous work finishes in about a second.
    let server = FakeServer::start(FakeConfig::quick_demo()).await;
    println!(
        "Target: local stand-in at {} with demo data\n        (set {} and {} to use the real API)\n",
        server.base_url(),
        wpe_api::config::ENV_USER,
        wpe_api::config::ENV_PASSWORD
    );
    let client = server.client();
    let overview = overview(&client).await?;

    let install = overview
        .production
        .clone()
        .ok_or("no production install to work with")?;
    println!("\nWorking on production install {}", install.name);

    // Back up, then poll until the backup is done.
    let started = Instant::now();
    let backup = client
        .create_backup()
        .install_id(install.id)
        .body_map(|b| {
            b.description("quickstart: before changes")
                .notification_emails(vec!["ops@example.com".to_owned()])
        })
        .send()
        .await?
        .into_inner();
    print!("  backup {}: {}", backup.id, backup.status);
    let done = client
        .wait_for_backup(install.id, backup.id, quick_polls())
        .await?;
    print!(" -> {}", done.status);
    let backup_took = started.elapsed();
    println!(" ({:.1} s)", backup_took.as_secs_f64());

    // Every backup of the install, then a downloadable archive of the new one.
    let backups = client
        .list_backups()
        .install_id(install.id)
        .collect_all()
        .await?;
    println!("  {} backup(s) of {} listed", backups.len(), install.name);
    let archive_requested_at = chrono::Utc::now();
    client
        .create_archive()
        .install_id(install.id)
        .body_map(|b| {
            b.backup_id(backup.id)
                .notification_emails(vec!["ops@example.com".to_owned()])
        })
        .send()
        .await?;
    let archive = client
        .wait_for_archive(install.id, backup.id, archive_requested_at, quick_polls())
        .await?;
    let download = archive.download_uri.clone().unwrap_or_default();
    println!("  archive {}: {} at {download}", archive.id, archive.state);

    // Purge the page cache.
    client
        .purge_cache()
        .install_id(install.id)
        .body_map(|b| b.type_(PurgeCacheType::Page))
        .send()
        .await?;
    println!("  page cache purged");

    // Add a domain and check where it points.
    let name = format!("quickstart.{}.example.com", install.name);
    let domain = client
        .create_domain()
        .install_id(install.id)
        .body_map(|b| b.name(name.as_str()))
        .send()
        .await?
        .into_inner();
    println!("  domain {} added (id {})", domain.name, domain.id);
    if let (Some(key), Some(value)) = (&domain.txt_verification_key, &domain.txt_verification_value)
    {
        // It serves traffic once its owner publishes this record and
        // `verify_domain_txt_record` finds it.
        println!(
            "    to prove ownership, publish TXT {key}.{} = {value}",
            domain.name
        );
    }
    let report_id = client
        .check_status()
        .install_id(install.id)
        .domain_id(domain.id)
        .send()
        .await?
        .into_inner()
        .report_id;
    let report = client
        .wait_for_domain_report(install.id, report_id, quick_polls())
        .await?;
    let result = report
        .domains
        .first()
        .and_then(|d| d.result.clone())
        .unwrap_or_else(|| "unknown".to_owned());
    println!("  status report {report_id}: complete, {result}");

    println!("\nSummary");
    overview.print();
    println!("  {:<12} {}", "install", install.name);
    println!(
        "  {:<12} {} completed in {:.1} s",
        "backup",
        backup.id,
        backup_took.as_secs_f64()
    );
    println!("  {:<12} {download}", "archive");
    println!("  {:<12} page cache purged", "cache");
    println!(
        "  {:<12} {} added, status check: {result}",
        "domain", domain.name
    );
    Ok(())
}

/// What the read-only steps found.
struct Overview {
    target: String,
    accounts: usize,
    sites: usize,
    installs: usize,
    production: Option<wpe_api::types::Installation>,
}

impl Overview {
    fn print(&self) {
        println!("  {:<12} {}", "target", self.target);
        println!("  {:<12} {}", "accounts", self.accounts);
        println!("  {:<12} {}", "sites", self.sites);
        println!("  {:<12} {}", "installs", self.installs);
    }
}

/// Lists accounts, sites and installs (first page of each), read-only.
async fn overview(client: &Client) -> Result<Overview> {
    let user = client.get_current_user().send().await?;
    println!("Signed in as {}", user.email);

    let accounts = client.list_accounts().send().await?.into_inner();
    println!("\nAccounts ({})", accounts.count.unwrap_or(0));
    for account in &accounts.results {
        let line = format!(
            "  {:<14} {}",
            account.name,
            account.nickname.as_deref().unwrap_or("")
        );
        println!("{}", line.trim_end());
    }
    // Valid credentials whose account has API access off see no account at
    // all: say how to fix that rather than carry on with empty lists.
    NoAccountsReachable::check(&accounts.results)?;

    let sites = client.list_sites().send().await?.into_inner();
    println!("\nSites ({})", sites.count.unwrap_or(0));
    for site in &sites.results {
        let installs: Vec<&str> = site
            .installs
            .iter()
            .filter_map(|i| i.name.as_deref())
            .collect();
        println!("  {:<18} {}", site.name, installs.join(", "));
    }

    let installs = client.list_installs().send().await?.into_inner();
    println!("\nInstalls ({})", installs.count.unwrap_or(0));
    for install in &installs.results {
        let line = format!(
            "  {:<14} {:<12} {:<8} {}",
            install.name,
            install
                .environment
                .as_ref()
                .map(Environment::as_str)
                .unwrap_or("-"),
            install
                .status
                .as_ref()
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
            install.primary_domain.as_deref().unwrap_or("")
        );
        println!("{}", line.trim_end());
    }
    let production = installs
        .results
        .iter()
        .find(|i| i.environment == Some(Environment::Production))
        .cloned();

    Ok(Overview {
        target: client.baseurl().to_owned(),
        accounts: count(accounts.count, accounts.results.len()),
        sites: count(sites.count, sites.results.len()),
        installs: count(installs.count, installs.results.len()),
        production,
    })
}

fn count(total: Option<i64>, page: usize) -> usize {
    total.and_then(|t| usize::try_from(t).ok()).unwrap_or(page)
}

/// Polling for the stand-in's sub-second jobs: look every 100 ms, give up after 30 s.
fn quick_polls() -> WaitOptions {
    WaitOptions::default()
        .first_interval(Duration::from_millis(100))
        .max_interval(Duration::from_millis(100))
        .timeout(Duration::from_secs(30))
}
