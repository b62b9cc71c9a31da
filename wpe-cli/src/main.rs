//! `wpe`: the WP Engine Customer API on the command line.
//!
//! Every operation of the API is a command, generated at run time from
//! `wpe_api::operations::OPERATIONS` (see [`commands`]) and sent through
//! `wpe_api::operations::call`, so through the typed client's checks and
//! its retries. Body fields are flags ([`body`]); installs, sites, accounts,
//! domains and users can be given by name ([`names`]); destructive
//! operations ask first ([`guard`]); every kind of job has a `wait` command
//! ([`jobs`]), and a command whose work goes on after the answer says so
//! and how to follow it ([`accepted`]). Hand-written commands cover the daily and monthly work
//! ([`workflow`]: `backup`, `purge`, `domains add`; [`inventory`],
//! [`report`], [`audit`]); [`fleet`] keeps a local mirror of the fleet with
//! its history. [`mcp`] serves all of it to AI agents as Model
//! Context Protocol tools (`wpe mcp`). `--demo` runs against the embedded
//! stand-in of the API.

mod accepted;
mod addresses;
mod audit;
mod body;
mod bulk;
mod cli;
mod commands;
#[cfg(feature = "demo")]
mod demo;
mod error;
mod fleet;
mod guard;
mod inventory;
mod jobs;
mod mcp;
mod names;
mod output;
mod progress;
mod report;
mod surface;
mod target;
mod workflow;

use std::io::{self, BufWriter, IsTerminal, Write};
use std::process::ExitCode;

use clap::ArgMatches;
use futures::{StreamExt, TryStreamExt};
use serde_json::Value;
use wpe_api::operations::{self, Operation, Paging};
use wpe_api::PageOptions;

use error::CliError;
use output::{Format, ListPrinter};

fn main() -> ExitCode {
    let matches = match cli::command().try_get_matches() {
        Ok(matches) => matches,
        Err(err) => {
            let _ = err.print();
            // Help and version are not errors; every other clap error is a usage error.
            return ExitCode::from(if err.use_stderr() { 2 } else { 0 });
        }
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("wpe: could not start: {err}");
            return ExitCode::from(1);
        }
    };
    let ran = runtime.block_on(run(&matches));
    #[cfg(feature = "demo")]
    if ran.is_ok() && demo::save_failed() {
        return ExitCode::FAILURE;
    }
    match ran {
        Ok(()) => ExitCode::SUCCESS,
        // The reader went away (`wpe installs list | head`): nothing is wrong.
        Err(CliError::Io(err)) if err.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("wpe: {err}");
            err.exit_code()
        }
    }
}

async fn run(matches: &ArgMatches) -> Result<(), CliError> {
    let Some((group, group_matches)) = matches.subcommand() else {
        return Err(CliError::Usage(
            "a command is required (see wpe --help)".into(),
        ));
    };
    if group == "completions" {
        let shell = *group_matches
            .get_one::<clap_complete::Shell>("shell")
            .ok_or_else(|| CliError::Usage("a shell is required".into()))?;
        clap_complete::generate(shell, &mut cli::command(), "wpe", &mut io::stdout());
        return Ok(());
    }
    #[cfg(feature = "demo")]
    if group == demo::RESET {
        return demo::reset(matches.get_flag(cli::DEMO), group_matches);
    }
    if group == mcp::NAME {
        return mcp::run(matches.get_flag(cli::DEMO), group_matches).await;
    }
    let format = format(matches);
    if group == fleet::NAME {
        return fleet::run(matches.get_flag(cli::DEMO), group_matches, format).await;
    }
    if group == inventory::NAME {
        return inventory::run(matches.get_flag(cli::DEMO), group_matches, format).await;
    }
    if group == audit::NAME {
        return audit::run(matches.get_flag(cli::DEMO), group_matches, format).await;
    }
    if group == report::NAME {
        return report::run(matches.get_flag(cli::DEMO), group_matches, format).await;
    }
    if group == "backup" || group == "purge" {
        let target = target::Target::connect(matches.get_flag(cli::DEMO)).await?;
        return workflow::run(&target.client, group, group_matches, format)
            .await
            .unwrap_or_else(|| Err(CliError::Usage(format!("no command `wpe {group}`"))));
    }
    let Some((verb, op_matches)) = group_matches.subcommand() else {
        return Err(CliError::Usage(format!(
            "wpe {group}: a command is required"
        )));
    };
    if (group, verb) == workflow::DOMAIN_ADD {
        let target = target::Target::connect(matches.get_flag(cli::DEMO)).await?;
        return workflow::run(&target.client, verb, op_matches, format)
            .await
            .unwrap_or_else(|| Err(CliError::Usage(format!("no command `wpe {group} {verb}`"))));
    }
    if let Some(op) = jobs::find(group, verb) {
        let target = target::Target::connect(matches.get_flag(cli::DEMO)).await?;
        return jobs::run(&target.client, op, op_matches, format).await;
    }
    let op = commands::find(group, verb)
        .ok_or_else(|| CliError::Usage(format!("no command `wpe {group} {verb}`")))?;
    let target = target::Target::connect(matches.get_flag(cli::DEMO)).await?;
    execute(&target.client, op, op_matches, format).await
}

/// `--format`, `--json`, or the default: a table on a terminal, JSON otherwise.
fn format(matches: &ArgMatches) -> Format {
    if matches.get_flag(cli::JSON) {
        return Format::Json;
    }
    match matches.get_one::<String>(cli::FORMAT) {
        Some(name) => Format::from_name(name).unwrap_or(Format::Json),
        None if io::stdout().is_terminal() => Format::Table,
        None => Format::Json,
    }
}

/// Runs one generated command: names resolved, the body read, the
/// operation sent; a list streamed item by item unless one page was asked for.
async fn execute(
    client: &wpe_api::Client,
    op: &'static Operation,
    matches: &ArgMatches,
    format: Format,
) -> Result<(), CliError> {
    // An install's addresses, for people; JSON, NDJSON and CSV stay the answer.
    let with_addresses = addresses::wanted(op, matches, format)?;
    let typed = commands::args(op, matches);
    let args = commands::resolved(client, op, &typed).await?;
    let body = body::of(client, op, matches, &args).await?;
    let yes = op.destructive && matches.get_flag(commands::YES);
    guard::confirm(client, op, &typed, &args, body.as_ref(), yes).await?;
    let terminal = io::stdout().is_terminal();
    // Tables show names beside IDs; JSON, NDJSON and CSV keep the answer as it is.
    let mut namer = (format == Format::Table).then(|| names::Namer::new(client));
    let mut out = BufWriter::new(io::stdout().lock());
    let one_page = args.get("limit").is_some() || args.get("offset").is_some();
    if op.is_paged() && !one_page {
        let items = operations::stream(client, op, &args, PageOptions::default())?
            .map_err(CliError::from)
            .boxed();
        let mut items = addresses::add_to_each(client, items, with_addresses);
        let mut printer = ListPrinter::new(&mut out, format);
        while let Some(mut item) = items.try_next().await? {
            if let Some(namer) = namer.as_mut() {
                namer.annotate(&mut item).await?;
            }
            printer.item(item)?;
        }
        printer.finish()?;
    } else {
        let answer = commands::call(client, op, &args, body.clone()).await?;
        // Work that goes on after the answer is said so on stderr, whatever the format.
        accepted::tell(op, &typed, body.as_ref(), answer.as_ref())?;
        match answer {
            None if terminal && !op.runs_on() => writeln!(out, "done: {}", op.summary)?,
            None => {}
            Some(page) if op.is_paged() => {
                let items = futures::stream::iter(items_of(op, page).into_iter().map(Ok)).boxed();
                let mut items = addresses::add_to_each(client, items, with_addresses);
                let mut printer = ListPrinter::new(&mut out, format);
                while let Some(mut item) = items.try_next().await? {
                    if let Some(namer) = namer.as_mut() {
                        namer.annotate(&mut item).await?;
                    }
                    printer.item(item)?;
                }
                printer.finish()?;
            }
            Some(mut value) => {
                if let Some(namer) = namer.as_mut() {
                    namer.annotate(&mut value).await?;
                }
                if with_addresses {
                    addresses::add(client, &mut value).await?;
                }
                output::print_value(&mut out, format, &value)?
            }
        }
    }
    out.flush()?;
    Ok(())
}

/// The items of one page of a list.
fn items_of(op: &Operation, mut page: Value) -> Vec<Value> {
    let field = match op.paging {
        Paging::Offset { items, .. } | Paging::Token { items, .. } | Paging::Whole { items } => {
            items
        }
        Paging::NotAList => return vec![page],
    };
    match page.get_mut(field).map(Value::take) {
        Some(Value::Array(items)) => items,
        _ => Vec::new(),
    }
}
