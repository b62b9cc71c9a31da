//! The guard of destructive commands ([`Operation::destructive`]: every
//! `DELETE`, restoring a backup, copying an install onto another, cancelling
//! a site transfer): on a terminal the command says what would be lost (an
//! install's environment, account and newest backup; whether a domain is
//! primary or redirects; a user's roles) and asks for the target's name to
//! be typed back; without one it is refused (exit 2) unless `--yes` is given.
//! The reads behind that text are made only when there is someone to ask.

use std::io::{self, BufRead, IsTerminal, Write};

use chrono::{DateTime, Utc};
use serde_json::Value;
use wpe_api::operations::{Args, Operation, ParamKind};
use wpe_api::{Client, PageOptions};

use crate::commands;
use crate::error::CliError;
use crate::names::{self, Kind};

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
    /// What kind of named thing it is, if it is one.
    pub kind: Option<Kind>,
}

/// Lets the command go on, or refuses it. `typed` are the path parameters as
/// the user gave them, `resolved` the same with names turned into IDs, and
/// `body` the request body to be sent (with IDs).
pub async fn confirm(
    client: &Client,
    op: &'static Operation,
    typed: &Args,
    resolved: &Args,
    body: Option<&Value>,
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
    let target = target(client, op, typed, resolved, body).await?;
    let stakes = stakes(client, op, &target, resolved, body, Utc::now()).await;
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
    for line in stakes {
        writeln!(err, "  {line}")?;
    }
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
    body: Option<&Value>,
) -> Result<Target, CliError> {
    // What the body names (the install a copy overwrites), where the spec says so.
    if let Some(field) = op.target.and_then(|name| op.body?.field(name)) {
        let id = body
            .and_then(|b| b.get(field.name))
            .and_then(Value::as_str)
            .ok_or_else(|| CliError::Usage(format!("{} is required", field.flag())))?;
        let kind = commands::named_field(field);
        let name = match kind {
            Some(kind) => names::name_of(client, kind, id, None).await?,
            None => id.to_owned(),
        };
        return Ok(Target {
            noun: kind.map_or("target", Kind::noun).to_owned(),
            name,
            id: Some(id.to_owned()),
            word: kind.map_or("ID", Kind::name_word),
            kind,
        });
    }
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
                kind: None,
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
            kind: None,
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
        kind: Some(kind),
    })
}

/// What would be lost, in a line each, read through the API: of an
/// install, its environment, account and newest completed backup (for a
/// copy, the source too); of a domain, whether it is primary or where it
/// redirects; of an account user, their roles. A read that fails says so
/// in its line and keeps the others.
async fn stakes(
    client: &Client,
    op: &Operation,
    target: &Target,
    resolved: &Args,
    body: Option<&Value>,
    now: DateTime<Utc>,
) -> Vec<String> {
    let Some(id) = target.id.as_deref() else {
        return Vec::new();
    };
    let mut lines = Vec::new();
    match target.kind {
        Some(Kind::Install) => {
            let source = op
                .target
                .and_then(|_| body?.get("source_environment_id")?.as_str());
            if let Some(source) = source {
                lines.push(format!("from: {}", install_line(client, source).await));
                lines.push(format!("onto: {}", install_line(client, id).await));
            } else {
                lines.push(install_line(client, id).await);
            }
            lines.push(backup_line(client, id, &target.name, now).await);
        }
        Some(Kind::Domain) => {
            let install = resolved.get("install_id").unwrap_or_default();
            lines.push(match domain_line(client, install, id).await {
                Ok(line) => line,
                Err(err) => format!("(could not read the domain: {err})"),
            });
        }
        Some(Kind::User) => {
            let account = resolved.get("account_id").unwrap_or_default();
            lines.push(match user_line(client, account, id).await {
                Ok(line) => line,
                Err(err) => format!("(could not read the user: {err})"),
            });
        }
        _ => {}
    }
    lines
}

/// `torquemag: production install of account demoagency`.
async fn install_line(client: &Client, id: &str) -> String {
    let read = async {
        let install = client
            .get_install()
            .install_id(names::parse_id(id)?)
            .send()
            .await?
            .into_inner();
        let environment = install
            .environment
            .map_or_else(|| "unassigned".to_owned(), |e| e.to_string());
        let account = install.account.id.to_string();
        let account = names::name_of(client, Kind::Account, &account, None)
            .await
            .unwrap_or(account);
        Ok::<_, CliError>(format!(
            "{}: {environment} install of account {account}",
            install.name.as_str()
        ))
    };
    read.await
        .unwrap_or_else(|err| format!("install {id} (could not read it: {err})"))
}

/// The age of the install's newest completed backup, or that it has none
/// and how to take one.
async fn backup_line(client: &Client, id: &str, name: &str, now: DateTime<Utc>) -> String {
    let newest = async {
        crate::audit::newest_completed_backup(client, names::parse_id(id)?, PageOptions::default())
            .await
            .map_err(CliError::from)
    };
    match newest.await {
        Ok(Some(at)) => format!(
            "newest completed backup of {name}: {} ({})",
            age(at, now),
            at.format("%Y-%m-%d %H:%M UTC")
        ),
        Ok(None) => format!(
            "{name} has no completed backup: take one first with `wpe backup {name} --wait`"
        ),
        Err(err) => format!("(could not read the backups of {name}: {err})"),
    }
}

/// Whether the domain is the install's primary, redirects, or serves the site.
async fn domain_line(client: &Client, install: &str, id: &str) -> Result<String, CliError> {
    let domain = client
        .get_domain()
        .install_id(names::parse_id(install)?)
        .domain_id(names::parse_id(id)?)
        .send()
        .await?
        .into_inner();
    Ok(if domain.primary {
        "it is the install's primary domain: the site is served under it".to_owned()
    } else if let Some(to) = domain.redirect() {
        let to = to
            .name
            .clone()
            .or_else(|| to.id.map(|id| id.to_string()))
            .unwrap_or_default();
        format!("it is not primary; it redirects to {to}")
    } else {
        "it is not primary and redirects nowhere: it serves the install's site".to_owned()
    })
}

/// The user's roles in the account, and whether they are its last owner.
async fn user_line(client: &Client, account: &str, id: &str) -> Result<String, CliError> {
    let user = client
        .get_account_user()
        .account_id(names::parse_id(account)?)
        .user_id(names::parse_id(id)?)
        .send()
        .await?
        .into_inner();
    let account = names::name_of(client, Kind::Account, account, None)
        .await
        .unwrap_or_else(|_| account.to_owned());
    let mut line = format!("roles {} in account {account}", user.roles);
    if user.last_owner == Some(true) {
        line.push_str("; the account's only owner");
    }
    Ok(line)
}

/// How long ago `then` was, roughly: `3 hours ago`.
pub(crate) fn age(then: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let seconds = (now - then).num_seconds();
    let (count, unit) = match seconds {
        ..60 => return "less than a minute ago".to_owned(),
        60..3600 => (seconds / 60, "minute"),
        3600..86400 => (seconds / 3600, "hour"),
        _ => (seconds / 86400, "day"),
    };
    let plural = if count == 1 { "" } else { "s" };
    format!("{count} {unit}{plural} ago")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_age_is_said_in_its_largest_whole_unit() {
        let now = DateTime::parse_from_rfc3339("2026-12-07T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let ago = |seconds| age(now - chrono::Duration::seconds(seconds), now);
        assert_eq!(ago(-5), "less than a minute ago");
        assert_eq!(ago(59), "less than a minute ago");
        assert_eq!(ago(60), "1 minute ago");
        assert_eq!(ago(3 * 3600 + 59), "3 hours ago");
        assert_eq!(ago(86400), "1 day ago");
        assert_eq!(ago(12 * 86400 + 7200), "12 days ago");
    }
}
