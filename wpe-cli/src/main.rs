//! `wpe`: the WP Engine Customer API on the command line.
//!
//! Every operation of the API is a command, generated at run time from
//! `wpe_api::operations::OPERATIONS` (see [`commands`]) and sent through
//! `wpe_api::operations::call`, so through the typed client's checks and
//! its retries. Installs, sites and accounts can be given by name
//! ([`names`]). Hand-written commands cover the daily workflows
//! ([`workflow`]: `backup`, `purge`, `domains add`; [`inventory`]).
//! `--demo` runs against the embedded stand-in of the API.

mod cli;
mod commands;
mod error;
mod inventory;
mod names;
mod output;
mod progress;
mod report;
mod target;
mod workflow;

use std::io::{self, BufWriter, IsTerminal, Read, Write};
use std::process::ExitCode;

use clap::ArgMatches;
use futures::TryStreamExt;
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
    match runtime.block_on(run(&matches)) {
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
    let format = format(matches);
    if group == inventory::NAME {
        let target = target::Target::connect(matches.get_flag(cli::DEMO)).await?;
        return inventory::run(&target.client, group_matches, format).await;
    }
    if group == report::NAME {
        let target = target::Target::connect(matches.get_flag(cli::DEMO)).await?;
        return report::run(&target.client, group_matches, format).await;
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
    let mut args = commands::args(op, matches);
    for param in op.params {
        if let (Some(kind), Some(value)) = (commands::named(param), args.get(param.name)) {
            let id = names::resolve(client, kind, value).await?;
            args.set(param.name, id);
        }
    }
    let body = match op.body {
        Some(spec) => match matches.get_one::<String>(commands::BODY) {
            Some(source) => Some(with_secrets(read_body(source)?, spec.secrets)?),
            None => None,
        },
        None => None,
    };
    let terminal = io::stdout().is_terminal();
    let mut out = BufWriter::new(io::stdout().lock());
    let one_page = args.get("limit").is_some() || args.get("offset").is_some();
    if op.is_paged() && !one_page {
        let mut items = operations::stream(client, op, &args, PageOptions::default())?;
        let mut printer = ListPrinter::new(&mut out, format);
        while let Some(item) = items.try_next().await? {
            printer.item(item)?;
        }
        printer.finish()?;
    } else {
        match operations::call(client, op, &args, body).await? {
            None if terminal => writeln!(out, "done: {}", op.summary)?,
            None => {}
            Some(page) if op.is_paged() => {
                let mut printer = ListPrinter::new(&mut out, format);
                for item in items_of(op, page) {
                    printer.item(item)?;
                }
                printer.finish()?;
            }
            Some(value) => output::print_value(&mut out, format, &value)?,
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

/// Fills in the body's secret fields (passwords, keys) that it leaves out by
/// asking on the terminal, without echo. A secret is never a command-line
/// argument, since every user of the machine can read those: it comes in
/// the body (a file, or standard input with `--body -`) or at the prompt.
fn with_secrets(mut body: Value, secrets: &[&str]) -> Result<Value, CliError> {
    for field in secrets {
        if body.get(*field).is_some_and(|v| !v.is_null()) {
            continue;
        }
        let Some(object) = body.as_object_mut() else {
            break;
        };
        let missing = |why: String| {
            CliError::Usage(format!(
                "the body has no `{field}` and {why}: put it in the body (--body FILE, or \
                 --body - on standard input); a secret is never taken as an argument"
            ))
        };
        // Only ask where someone can see the question.
        if !io::stderr().is_terminal() {
            return Err(missing("there is no terminal to ask for it on".to_owned()));
        }
        let value = rpassword::prompt_password(format!("{field} (not shown): "))
            .map_err(|err| missing(format!("asking for it failed ({err})")))?;
        object.insert((*field).to_owned(), Value::String(value));
    }
    Ok(body)
}

/// The JSON body of `--body FILE` (`-`: standard input).
fn read_body(source: &str) -> Result<Value, CliError> {
    let text = if source == "-" {
        let mut text = String::new();
        io::stdin().read_to_string(&mut text).map_err(|err| {
            CliError::Usage(format!("--body -: could not read standard input: {err}"))
        })?;
        text
    } else {
        std::fs::read_to_string(source)
            .map_err(|err| CliError::Usage(format!("--body {source}: could not read it: {err}")))?
    };
    serde_json::from_str(&text)
        .map_err(|err| CliError::Usage(format!("--body {source}: not JSON: {err}")))
}
