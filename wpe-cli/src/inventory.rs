//! `wpe inventory`: every account, site and install the credentials can see,
//! one row per install (and one per account or site that has none).
//!
//! The three lists are walked at once: the installs' pages are fetched
//! (several in flight, as `wpe_api`'s page streams do) while the accounts and
//! sites are read for their names. Rows then print as the installs arrive,
//! so 10,000 installs start printing at once and memory stays flat: what is
//! kept is a name per account and site and a bounded queue of installs, not
//! the installs. `--sort` is the exception: it holds every row to sort them.

use std::collections::{HashMap, HashSet};
use std::io::{self, BufWriter, Write};

use clap::{Arg, ArgAction, ArgMatches, Command};
use futures::channel::mpsc;
use futures::{SinkExt, StreamExt, TryStreamExt};
use serde_json::{json, Value};
use uuid::Uuid;
use wpe_api::types::Installation;
use wpe_api::{Client, Paginate};

use crate::error::CliError;
use crate::names::{self, Kind};
use crate::output::{Format, ListPrinter};
use crate::progress::spinner;

/// The command's name.
pub const NAME: &str = "inventory";

/// The columns of a row, in the order CSV prints them (a table prints the
/// first [`TABLE_COLUMNS`]; JSON has them all).
pub const COLUMNS: [&str; 11] = [
    "account",
    "site",
    "install",
    "environment",
    "status",
    "primary_domain",
    "php_version",
    "cname",
    "install_id",
    "site_id",
    "account_id",
];

/// How many of [`COLUMNS`] a table shows: the names and states, not the IDs.
const TABLE_COLUMNS: usize = 7;

/// How many installs may wait between the walk and the printer.
const QUEUE: usize = 256;

/// How often (in rows) the progress line is updated.
const PROGRESS_EVERY: usize = 100;

/// `wpe inventory`.
pub fn command() -> Command {
    Command::new(NAME)
        .about("List every account, site and install, walked concurrently")
        .long_about(
            "List every account, site and install the credentials can see: one row per \
             install with its account and site, and a row for each account or site without \
             installs. The accounts, sites and installs are read at once, several pages in \
             flight; rows print as installs arrive (memory stays flat however many there \
             are), unless --sort is given.",
        )
        .arg(
            Arg::new("account")
                .long("account")
                .value_name("ACCOUNT")
                .help("Only this account (its name or ID)"),
        )
        .arg(
            Arg::new("sort")
                .long("sort")
                .action(ArgAction::SetTrue)
                .help("Sort by account, site and install (holds every row until the walk ends)"),
        )
}

/// The names rows are printed with.
#[derive(Default)]
struct Names {
    accounts: HashMap<Uuid, String>,
    sites: HashMap<Uuid, (String, Uuid)>,
}

/// Runs `wpe inventory`.
pub async fn run(client: &Client, matches: &ArgMatches, format: Format) -> Result<(), CliError> {
    let mut out = BufWriter::new(io::stdout().lock());
    let columns = crate::output::shown_columns(format, &COLUMNS, TABLE_COLUMNS);
    let mut printer = ListPrinter::with_columns(&mut out, format, columns);
    let sort = matches.get_flag("sort");
    walk(client, matches, sort, &mut |row| Ok(printer.item(row)?)).await?;
    printer.finish()?;
    out.flush()?;
    Ok(())
}

/// The rows of `wpe inventory` as JSON (as `--format json` prints them),
/// sorted by account, site and install: for `wpe mcp`'s `inventory` tool.
pub async fn collect(client: &Client, matches: &ArgMatches) -> Result<Vec<Value>, CliError> {
    let mut rows = Vec::new();
    walk(client, matches, true, &mut |row| {
        rows.push(row);
        Ok(())
    })
    .await?;
    Ok(rows)
}

/// Walks the three lists and gives each row to `emit`: as the installs
/// arrive, or with `sort` all at the end.
async fn walk(
    client: &Client,
    matches: &ArgMatches,
    sort: bool,
    emit: &mut impl FnMut(Value) -> Result<(), CliError>,
) -> Result<(), CliError> {
    let account = match matches.get_one::<String>("account") {
        Some(given) => Some(parse_id(
            &names::resolve(client, Kind::Account, given).await?,
        )?),
        None => None,
    };
    let progress = spinner("reading accounts, sites and installs");
    let (sender, receiver) = mpsc::channel::<Result<Installation, wpe_api::Error>>(QUEUE);
    let walk = walk_installs(client, account, sender);
    let emitted = async {
        let names = read_names(client, account).await?;
        progress.set_message(format!(
            "read {} accounts and {} sites; reading installs",
            names.accounts.len(),
            names.sites.len()
        ));
        let rows = receiver.map(|install| install.map(|i| row(&names, &i)));
        emit_rows(rows, &names, sort, &progress, emit).await
    };
    let ((), emitted) = futures::join!(walk, emitted);
    progress.finish_and_clear();
    emitted
}

/// Walks the installs into `sender`, stopping at the first error (which is
/// sent too) or when the printer has gone.
async fn walk_installs(
    client: &Client,
    account: Option<Uuid>,
    mut sender: mpsc::Sender<Result<Installation, wpe_api::Error>>,
) {
    let mut request = client.list_installs();
    if let Some(account) = account {
        request = request.account_id(account);
    }
    let mut installs = request.stream();
    while let Some(install) = installs.next().await {
        let failed = install.is_err();
        if sender.send(install).await.is_err() || failed {
            break;
        }
    }
}

/// The names of the accounts and sites, both lists read at once.
async fn read_names(client: &Client, account: Option<Uuid>) -> Result<Names, CliError> {
    let accounts = client
        .list_accounts()
        .stream()
        .try_filter(|a| futures::future::ready(account.is_none_or(|id| a.id == id)))
        .map_ok(|a| (a.id, a.name))
        .try_collect::<HashMap<_, _>>();
    let mut sites = client.list_sites();
    if let Some(account) = account {
        sites = sites.account_id(account);
    }
    let sites = sites
        .stream()
        .map_ok(|s| (s.id, (s.name, s.account.id)))
        .try_collect::<HashMap<_, _>>();
    let (accounts, sites) = futures::try_join!(accounts, sites)?;
    Ok(Names { accounts, sites })
}

/// Gives the rows to `emit` as they come (or, with `sort`, all at the
/// end), then a row for each site and account no install named.
async fn emit_rows(
    mut rows: impl futures::Stream<Item = Result<Value, wpe_api::Error>> + Unpin,
    names: &Names,
    sort: bool,
    progress: &indicatif::ProgressBar,
    emit: &mut impl FnMut(Value) -> Result<(), CliError>,
) -> Result<(), CliError> {
    let mut held = Vec::new();
    let mut seen_sites = HashSet::new();
    let mut seen_accounts = HashSet::new();
    let mut count = 0;
    while let Some(row) = rows.try_next().await? {
        count += 1;
        if count % PROGRESS_EVERY == 0 {
            progress.set_message(format!("{count} installs"));
        }
        seen_sites.insert(row["site_id"].as_str().map(str::to_owned));
        seen_accounts.insert(row["account_id"].as_str().map(str::to_owned));
        if sort {
            held.push(row);
        } else {
            emit(row)?;
        }
    }
    for (id, (name, account)) in &names.sites {
        if !seen_sites.contains(&Some(id.to_string())) {
            seen_accounts.insert(Some(account.to_string()));
            let row = empty_row(names, *account, Some((*id, name)));
            if sort {
                held.push(row);
            } else {
                emit(row)?;
            }
        }
    }
    for id in names.accounts.keys() {
        if !seen_accounts.contains(&Some(id.to_string())) {
            let row = empty_row(names, *id, None);
            if sort {
                held.push(row);
            } else {
                emit(row)?;
            }
        }
    }
    if sort {
        held.sort_by_cached_key(|row| {
            ["account", "site", "install"].map(|c| row[c].as_str().unwrap_or("").to_owned())
        });
        for row in held {
            emit(row)?;
        }
    }
    Ok(())
}

/// The row of one install.
fn row(names: &Names, install: &Installation) -> Value {
    let account = install.account.id;
    let site = install.site.as_ref().map(|s| s.id);
    json!({
        "account": account_name(names, account),
        "site": site.map(|id| site_name(names, id)),
        "install": install.name.as_str(),
        "environment": install.environment.as_ref().map(ToString::to_string),
        "status": install.status.as_ref().map(ToString::to_string),
        "primary_domain": install.primary_domain,
        "php_version": install.php_version,
        "cname": install.cname,
        "install_id": install.id,
        "site_id": site,
        "account_id": account,
    })
}

/// The row of an account or site without installs.
fn empty_row(names: &Names, account: Uuid, site: Option<(Uuid, &String)>) -> Value {
    json!({
        "account": account_name(names, account),
        "site": site.map(|(_, name)| name),
        "install": null,
        "environment": null,
        "status": null,
        "primary_domain": null,
        "php_version": null,
        "cname": null,
        "install_id": null,
        "site_id": site.map(|(id, _)| id),
        "account_id": account,
    })
}

/// An account's name, or its ID when the list did not have it.
fn account_name(names: &Names, id: Uuid) -> String {
    names
        .accounts
        .get(&id)
        .cloned()
        .unwrap_or_else(|| id.to_string())
}

/// A site's name, or its ID when the list did not have it.
fn site_name(names: &Names, id: Uuid) -> String {
    names
        .sites
        .get(&id)
        .map(|(name, _)| name.clone())
        .unwrap_or_else(|| id.to_string())
}

fn parse_id(id: &str) -> Result<Uuid, CliError> {
    Uuid::parse_str(id).map_err(|err| CliError::Usage(format!("account {id}: {err}")))
}
