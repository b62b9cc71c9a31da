//! The guard of destructive commands ([`Operation::destructive`]: every
//! `DELETE`, restoring a backup, cancelling a site transfer): on a terminal
//! the command asks for the target's name to be typed back; without one it
//! is refused (exit 2) unless `--yes` is given.

use std::io::{self, BufRead, IsTerminal, Write};

use wpe_api::operations::{Args, Operation, ParamKind};
use wpe_api::Client;

use crate::commands;
use crate::error::CliError;
use crate::names;

/// What a destructive command acts on: its kind's noun and the text to type.
pub struct Target {
    /// What it is, e.g. `install`.
    pub noun: String,
    /// What the user types to confirm: the name (a user's email), or the
    /// value given when the target has no name (an SFTP user name, an ID).
    pub name: String,
    /// Its ID, when the name is not the ID.
    pub id: Option<String>,
    /// What `name` is: `name`, `email` or `ID`.
    pub word: &'static str,
}

/// Lets the command go on, or refuses it. `typed` are the path parameters as
/// the user gave them, `resolved` the same with names turned into IDs.
pub async fn confirm(
    client: &Client,
    op: &'static Operation,
    typed: &Args,
    resolved: &Args,
    yes: bool,
) -> Result<(), CliError> {
    if !op.destructive || yes {
        return Ok(());
    }
    let command = format!(
        "wpe {} {}",
        commands::group_name(op.resource),
        commands::verb(op)
    );
    let interactive = io::stdin().is_terminal() && io::stderr().is_terminal();
    if !interactive {
        return Err(CliError::Usage(format!(
            "`{command}` ({}) cannot be undone, and there is no terminal to confirm it on: \
             pass --yes to run it anyway",
            op.summary.to_lowercase()
        )));
    }
    let target = target(client, op, typed, resolved).await?;
    let mut err = io::stderr().lock();
    let id = target
        .id
        .as_deref()
        .map(|id| format!(" ({id})"))
        .unwrap_or_default();
    writeln!(
        err,
        "{}: {} {}{id}. This cannot be undone.",
        op.summary, target.noun, target.name
    )?;
    write!(err, "Type the {}'s {} to go on: ", target.noun, target.word)?;
    err.flush()?;
    drop(err);
    let mut answer = String::new();
    io::stdin().lock().read_line(&mut answer)?;
    if answer.trim() == target.name {
        Ok(())
    } else {
        Err(CliError::Usage(format!(
            "not confirmed (typed `{}`, not `{}`): nothing was sent",
            answer.trim(),
            target.name
        )))
    }
}

/// The operation's target: its last path parameter, unless that is an ID
/// with no name to type (a backup's, a transfer's) and a parameter before it
/// has one (the install a backup is restored over, the site whose transfer
/// is cancelled).
pub async fn target(
    client: &Client,
    op: &'static Operation,
    typed: &Args,
    resolved: &Args,
) -> Result<Target, CliError> {
    let path = commands::path_params(op);
    let chosen = match path.last() {
        Some(last) if last.kind == ParamKind::Uuid && commands::named(last).is_none() => path
            .iter()
            .rev()
            .find(|p| commands::named(p).is_some())
            .unwrap_or(last),
        Some(last) => last,
        None => {
            return Ok(Target {
                noun: op.resource.replace('_', " "),
                name: op.resource.to_owned(),
                id: None,
                word: "name",
            })
        }
    };
    let given = typed.get(chosen.name).unwrap_or_default().to_owned();
    let id = resolved.get(chosen.name).unwrap_or_default().to_owned();
    let Some(kind) = commands::named(chosen) else {
        let (noun, word) = match chosen.name.strip_suffix("_id") {
            Some(noun) => (noun.replace('_', " "), "ID"),
            None => (op.resource.replace('_', " "), "name"),
        };
        return Ok(Target {
            noun,
            name: given,
            id: None,
            word,
        });
    };
    let name = if given != id {
        given
    } else {
        let parent = commands::parent_param(kind).and_then(|p| resolved.get(p));
        names::name_of(client, kind, &id, parent).await?
    };
    Ok(Target {
        noun: kind.noun().to_owned(),
        name,
        id: Some(id),
        word: kind.name_word(),
    })
}
