//! The request body of a generated command: `--body` (a file, or standard
//! input with `-`), then the field flags over its keys, then names turned
//! into IDs, then the secrets the body still lacks, read from standard input
//! or asked for on the terminal.

use std::io::{self, BufRead, IsTerminal, Read};

use clap::ArgMatches;
use serde_json::{Map, Value};
use wpe_api::operations::{Args, Field, FieldKind, Operation, ParamKind};
use wpe_api::Client;

use crate::commands;
use crate::error::CliError;
use crate::names;

/// The body `op` is sent with: `None` when it takes none, or when an
/// optional body was not given (neither `--body` nor a field flag).
/// `args` holds the resolved path parameters, for names looked up within an
/// install (a domain to redirect to).
pub async fn of(
    client: &Client,
    op: &'static Operation,
    matches: &ArgMatches,
    args: &Args,
) -> Result<Option<Value>, CliError> {
    let Some(spec) = op.body else {
        return Ok(None);
    };
    let source = matches.get_one::<String>(commands::BODY);
    let mut body = match source {
        Some(source) => read(source)?,
        None => Value::Object(Map::new()),
    };
    let mut flags = flags(op, matches)?;
    flags.extend(crate::bulk::domains(client, op, matches, args).await?);
    if source.is_none() && flags.is_empty() && spec.secrets.is_empty() && !spec.required {
        return Ok(None);
    }
    let Some(object) = body.as_object_mut() else {
        return Err(CliError::Usage(format!(
            "--body: the {} body is a JSON object",
            spec.schema
        )));
    };
    for (name, value) in flags {
        object.insert(name.to_owned(), value);
    }
    let missing: Vec<String> = spec
        .fields
        .iter()
        .filter(|f| f.required && !spec.secrets.contains(&f.name))
        .filter(|f| object.get(f.name).is_none_or(Value::is_null))
        .map(|f| f.flag())
        .collect();
    if !missing.is_empty() {
        return Err(CliError::Usage(format!(
            "the {} body needs {}: give {} (or put {} in --body)",
            spec.schema,
            missing.join(", "),
            if missing.len() == 1 {
                "that flag"
            } else {
                "those flags"
            },
            if missing.len() == 1 { "it" } else { "them" },
        )));
    }
    resolve_names(client, op, object, args).await?;
    let stdin_taken = source.is_some_and(|s| s == "-");
    with_secrets(object, spec.secrets, stdin_taken)?;
    Ok(Some(body))
}

/// The values of the field flags given, as JSON.
fn flags(
    op: &'static Operation,
    matches: &ArgMatches,
) -> Result<Vec<(&'static str, Value)>, CliError> {
    let mut values = Vec::new();
    for field in commands::field_flags(op) {
        let id = commands::field_id(field);
        let Some(given) = matches.get_many::<String>(&id) else {
            continue;
        };
        let given: Vec<&String> = given.collect();
        let value = match field.kind {
            FieldKind::Scalar(kind) => scalar(field, kind, given[given.len() - 1])?,
            FieldKind::List(kind) => Value::Array(
                given
                    .iter()
                    .map(|text| scalar(field, kind, text))
                    .collect::<Result<_, _>>()?,
            ),
            FieldKind::Json => {
                let text = given[given.len() - 1];
                serde_json::from_str(text).map_err(|err| {
                    CliError::Usage(format!("{}: not JSON ({err}): {text}", field.flag()))
                })?
            }
        };
        values.push((field.name, value));
    }
    Ok(values)
}

/// One flag value as the JSON the field takes.
fn scalar(field: &Field, kind: ParamKind, text: &str) -> Result<Value, CliError> {
    Ok(match kind {
        ParamKind::Integer { .. } => text.parse::<i64>().map(Value::from).map_err(|_| {
            CliError::Usage(format!("{}: `{text}` is not a whole number", field.flag()))
        })?,
        ParamKind::Boolean => Value::Bool(text == "true"),
        _ => Value::String(text.to_owned()),
    })
}

/// Turns the names in ID-valued fields into IDs (also for `wpe mcp`).
pub async fn resolve_names(
    client: &Client,
    op: &'static Operation,
    object: &mut Map<String, Value>,
    args: &Args,
) -> Result<(), CliError> {
    let Some(spec) = op.body else { return Ok(()) };
    for field in spec.fields {
        let Some(kind) = commands::named_field(field) else {
            continue;
        };
        let parent = commands::parent_param(kind).and_then(|p| args.get(p));
        match object.get_mut(field.name) {
            // The API's own word for "no redirect" in updateDomain.
            Some(Value::String(text)) if kind == names::Kind::Domain && text == "nil" => {}
            Some(Value::String(text)) => {
                *text = names::resolve_in(client, kind, text, parent).await?;
            }
            Some(Value::Array(items)) => {
                for item in items {
                    if let Value::String(text) = item {
                        *text = names::resolve_in(client, kind, text, parent).await?;
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Fills in the body's secret fields (passwords, keys) that it leaves out:
/// from standard input, one per line, when it is not a terminal and
/// `--body -` did not take it; else by asking on the terminal, without echo.
/// A secret is never a command-line argument, since every user of the
/// machine can read those.
fn with_secrets(
    object: &mut Map<String, Value>,
    secrets: &[&str],
    stdin_taken: bool,
) -> Result<(), CliError> {
    let mut piped = (!stdin_taken && !io::stdin().is_terminal()).then(|| io::stdin().lock());
    for field in secrets {
        if object.get(*field).is_some_and(|v| !v.is_null()) {
            continue;
        }
        let missing = |why: String| {
            CliError::Usage(format!(
                "the body has no `{field}` and {why}: pipe it on standard input \
                 (printf '%s\\n' \"$SECRET\" | wpe ...), put it in the body (--body FILE, \
                 or --body - on standard input), or run on a terminal to be asked; \
                 a secret is never taken as an argument"
            ))
        };
        let value = if let Some(stdin) = piped.as_mut() {
            let mut line = String::new();
            stdin
                .read_line(&mut line)
                .map_err(|err| missing(format!("reading standard input failed ({err})")))?;
            let line = line.trim_end_matches(['\r', '\n']).to_owned();
            if line.is_empty() {
                return Err(missing("standard input had no line for it".to_owned()));
            }
            line
        } else if io::stderr().is_terminal() && io::stdin().is_terminal() {
            rpassword::prompt_password(format!("{field} (not shown): "))
                .map_err(|err| missing(format!("asking for it failed ({err})")))?
        } else {
            return Err(missing("there is no terminal to ask for it on".to_owned()));
        };
        object.insert((*field).to_owned(), Value::String(value));
    }
    Ok(())
}

/// The JSON body of `--body FILE` (`-`: standard input).
fn read(source: &str) -> Result<Value, CliError> {
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
