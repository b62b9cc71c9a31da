//! `wpe inventory`: every account, site and install the credentials can see,
//! one row per install (and one per account or site that has none).
//!
//! The three lists are walked at once: the installs' pages are fetched
//! (several in flight, as `wpe_api`'s page streams do) while the accounts and
//! sites are read for their names. Rows then print as the installs arrive,
//! so 10,000 installs start printing at once and memory stays flat: what is
//! kept is a name per account and site and a bounded queue of installs, not
//! the installs. `--sort` is the exception: it holds every row to sort them.
//!
//! With `--from-mirror` the same rows come from the fleet's mirror (`wpe
//! fleet sync` stored the same three lists), with no API call and no
//! credentials; they come sorted, as with `--sort`, since the mirror keeps
//! no order of the API's. The rows are made by the same code either way:
//! only where the accounts, sites and installs are read differs.

use std::collections::{HashMap, HashSet};
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use clap::{ArgMatches, Args, Command, FromArgMatches};
use futures::channel::mpsc;
use futures::{SinkExt, StreamExt, TryStreamExt};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use wpe_api::types::{Account, Installation, Site};
use wpe_api::{Client, Paginate};

use crate::error::CliError;
use crate::fleet::current::{self, Current, Source};
use crate::fleet::store::Kind as RecordKind;
use crate::mcp::limits::{DEFAULT_ROWS, MAX_NAME, MAX_ROWS};
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

/// What `wpe inventory` and `wpe mcp`'s `inventory` tool take: flags on
/// the command line, properties of the tool's arguments (checked against
/// the schema derived from this type, then read by serde).
#[derive(Debug, Clone, Args, Deserialize, JsonSchema)]
#[group(skip)]
#[serde(deny_unknown_fields)]
pub struct Options {
    /// Only this account (its name or ID)
    #[arg(long, value_name = "ACCOUNT")]
    #[schemars(length(min = 1, max = MAX_NAME))]
    pub account: Option<String>,
    /// Sort by account, site and install (holds every row until the walk ends)
    #[arg(long)]
    #[serde(skip)]
    pub sort: bool,
    /// Answer from the fleet's mirror (wpe fleet sync) with no API call, rows sorted as with --sort
    #[arg(long)]
    #[serde(default)]
    #[schemars(
        description = "Answer from the local mirror (the newest `wpe fleet sync`) instead of the API."
    )]
    pub from_mirror: bool,
    /// The mirror's file, with `--from-mirror` (see [`crate::fleet::mirror_path`])
    #[arg(long, value_name = "PATH", requires = "from_mirror", help = current::DB_HELP)]
    #[serde(skip)]
    #[schemars(skip)]
    pub db: Option<PathBuf>,
    /// How many rows a page of the tool's answer has (the command prints every row)
    #[arg(skip = DEFAULT_ROWS)]
    #[serde(default = "crate::mcp::limits::default_rows")]
    #[schemars(
        description = "How many rows to answer; `next_cursor` leads to the rest.",
        range(min = 1, max = MAX_ROWS)
    )]
    pub limit: u32,
    /// Where a page of the tool's answer starts: the `next_cursor` of the page before
    #[arg(skip)]
    #[schemars(
        description = "Where the page starts: the `next_cursor` of the page before (leave it \
                       out for the first page).",
        length(min = 1, max = MAX_NAME)
    )]
    pub cursor: Option<String>,
}

/// `wpe inventory`.
pub fn command() -> Command {
    Options::augment_args(Command::new(NAME))
        .about("List every account, site and install, walked concurrently")
        .long_about(
            "List every account, site and install the credentials can see: one row per \
             install with its account and site, and a row for each account or site without \
             installs. The accounts, sites and installs are read at once, several pages in \
             flight; rows print as installs arrive (memory stays flat however many there \
             are), unless --sort is given.",
        )
}

/// One row of the inventory: an install with its account and site, or an
/// account or site that has no install (its install fields null).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Row {
    /// The account's name (its ID when the accounts list does not have it).
    pub account: String,
    /// The site's name (its ID when the sites list does not have it); null
    /// for an install outside a site and for an account without sites.
    pub site: Option<String>,
    /// The install's name.
    pub install: Option<String>,
    /// The install's role in its site (production, staging, development).
    pub environment: Option<String>,
    /// The install's status (active, pending, ...).
    pub status: Option<String>,
    /// The install's primary domain.
    pub primary_domain: Option<String>,
    /// The PHP version the install runs.
    pub php_version: Option<String>,
    /// The install's WP Engine hostname.
    pub cname: Option<String>,
    /// The install's ID.
    pub install_id: Option<Uuid>,
    /// The site's ID.
    pub site_id: Option<Uuid>,
    /// The account's ID.
    pub account_id: Uuid,
}

/// The names rows are printed with.
#[derive(Default)]
struct Names {
    accounts: HashMap<Uuid, String>,
    sites: HashMap<Uuid, (String, Uuid)>,
}

/// Runs `wpe inventory`: through the API (`demo`: the stand-in's), or
/// from the mirror with `--from-mirror`.
pub async fn run(demo: bool, matches: &ArgMatches, format: Format) -> Result<(), CliError> {
    let options =
        Options::from_arg_matches(matches).map_err(|err| CliError::Usage(err.to_string()))?;
    let mut out = BufWriter::new(io::stdout().lock());
    let columns = crate::output::shown_columns(format, &COLUMNS, TABLE_COLUMNS);
    let mut printer = ListPrinter::with_columns(&mut out, format, columns);
    let mut emit = |row| Ok(printer.item(crate::workflow::to_json(&row)?)?);
    if options.from_mirror {
        let (read, source) = from_mirror(demo, &options)?;
        source.tell();
        read.emit(true, &mut emit).await?;
    } else {
        let target = crate::target::Target::connect(demo).await?;
        walk(&target.client, &options, options.sort, &mut emit).await?;
    }
    printer.finish()?;
    out.flush()?;
    Ok(())
}

/// The rows of the inventory `options` asks for, sorted by account, site
/// and install (whatever `options.sort` says), and the mirror's snapshot
/// they come from with `from_mirror`: for `wpe mcp`'s `inventory` tool.
pub async fn collect(
    client: &Client,
    demo: bool,
    options: &Options,
) -> Result<(Vec<Row>, Option<Source>), CliError> {
    let mut rows = Vec::new();
    let mut push = |row| {
        rows.push(row);
        Ok(())
    };
    let source = if options.from_mirror {
        let (read, source) = from_mirror(demo, options)?;
        read.emit(true, &mut push).await?;
        Some(source)
    } else {
        walk(client, options, true, &mut push).await?;
        None
    };
    Ok((rows, source))
}

/// The three lists as the mirror holds them: the names, and the installs.
struct Read {
    names: Names,
    installs: Vec<Installation>,
}

impl Read {
    /// Gives the rows to `emit`, as [`walk`] gives those of the API.
    async fn emit(
        self,
        sort: bool,
        emit: &mut impl FnMut(Row) -> Result<(), CliError>,
    ) -> Result<(), CliError> {
        let names = &self.names;
        let rows = futures::stream::iter(self.installs.iter().map(|i| Ok(row(names, i))));
        emit_rows(rows, names, sort, &indicatif::ProgressBar::hidden(), emit).await
    }
}

/// Reads the accounts, sites and installs `options` chooses from the
/// mirror's newest snapshot (`--db`, `WPE_FLEET_DB` or the default), and
/// which snapshot that is.
fn from_mirror(demo: bool, options: &Options) -> Result<(Read, Source), CliError> {
    let current = Current::open(options.db.as_deref(), demo)?;
    let account = match &options.account {
        Some(given) => Some(current.resolve_account(given)?),
        None => None,
    };
    let scope = account.clone().map(|a| vec![a]);
    current.require(RecordKind::Account, scope.as_deref())?;
    current.require(RecordKind::Site, scope.as_deref())?;
    current.require(RecordKind::Install, scope.as_deref())?;
    let account = account.as_deref();
    let mut names = Names::default();
    for (_, a) in current.typed::<Account>(RecordKind::Account, account)? {
        names.accounts.insert(a.id, a.name);
    }
    for (_, s) in current.typed::<Site>(RecordKind::Site, account)? {
        names.sites.insert(s.id, (s.name, s.account.id));
    }
    let installs = current
        .typed::<Installation>(RecordKind::Install, account)?
        .into_iter()
        .map(|(_, install)| install)
        .collect();
    let source = current.source(scope.as_deref(), chrono::Utc::now());
    Ok((Read { names, installs }, source))
}

/// Walks the three lists and gives each row to `emit`: as the installs
/// arrive, or with `sort` all at the end.
async fn walk(
    client: &Client,
    options: &Options,
    sort: bool,
    emit: &mut impl FnMut(Row) -> Result<(), CliError>,
) -> Result<(), CliError> {
    let account = match &options.account {
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
    mut rows: impl futures::Stream<Item = Result<Row, wpe_api::Error>> + Unpin,
    names: &Names,
    sort: bool,
    progress: &indicatif::ProgressBar,
    emit: &mut impl FnMut(Row) -> Result<(), CliError>,
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
        seen_sites.insert(row.site_id);
        seen_accounts.insert(row.account_id);
        if sort {
            held.push(row);
        } else {
            emit(row)?;
        }
    }
    for (id, (name, account)) in &names.sites {
        if !seen_sites.contains(&Some(*id)) {
            seen_accounts.insert(*account);
            let row = empty_row(names, *account, Some((*id, name)));
            if sort {
                held.push(row);
            } else {
                emit(row)?;
            }
        }
    }
    for id in names.accounts.keys() {
        if !seen_accounts.contains(id) {
            let row = empty_row(names, *id, None);
            if sort {
                held.push(row);
            } else {
                emit(row)?;
            }
        }
    }
    if sort {
        held.sort_by(|a, b| {
            // The IDs part namesakes, so that the order is the same every time.
            let key = |r: &Row| {
                (
                    r.account.clone(),
                    r.site.clone().unwrap_or_default(),
                    r.install.clone().unwrap_or_default(),
                    r.account_id,
                    r.site_id,
                    r.install_id,
                )
            };
            key(a).cmp(&key(b))
        });
        for row in held {
            emit(row)?;
        }
    }
    Ok(())
}

/// The row of one install.
fn row(names: &Names, install: &Installation) -> Row {
    let account = install.account.id;
    let site = install.site.as_ref().map(|s| s.id);
    Row {
        account: account_name(names, account),
        site: site.map(|id| site_name(names, id)),
        install: Some(install.name.to_string()),
        environment: install.environment.as_ref().map(ToString::to_string),
        status: install.status.as_ref().map(ToString::to_string),
        primary_domain: install.primary_domain.clone(),
        php_version: install.php_version.clone(),
        cname: install.cname.clone(),
        install_id: Some(install.id),
        site_id: site,
        account_id: account,
    }
}

/// The row of an account or site without installs.
fn empty_row(names: &Names, account: Uuid, site: Option<(Uuid, &String)>) -> Row {
    Row {
        account: account_name(names, account),
        site: site.map(|(_, name)| name.clone()),
        install: None,
        environment: None,
        status: None,
        primary_domain: None,
        php_version: None,
        cname: None,
        install_id: None,
        site_id: site.map(|(id, _)| id),
        account_id: account,
    }
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
