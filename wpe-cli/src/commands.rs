//! The generated commands: one per operation of `wpe_api::operations::OPERATIONS`,
//! grouped by resource, with flags from the operation's parameters. Nothing
//! here lists operations: names come from the table.
//!
//! - the group is the resource in the plural, in kebab case: `install` →
//!   `installs`, `account_user` → `account-users`, `ssh_key` → `ssh-keys`
//!   (`usage`, `cache`, `status` and names ending in `s` stay as they are);
//! - the verb is the operation id without the resource's words: `listInstalls`
//!   → `list`, `createBackup` → `create`, `getSiteReportsSchedules` →
//!   `get-schedules`, `purgeCache` → `purge`; the operation id
//!   (`listInstalls`) and the method name (`list_installs`) are aliases;
//! - path parameters are positional, in path order (`wpe domains get INSTALL DOMAIN_ID`);
//!   query parameters are flags (`--limit`, `--account-id`);
//! - an operation with a request body takes `--body FILE` (`-` for standard
//!   input), and each of the body's top-level fields as a flag of its own
//!   (`--name`, `--account-id`; a list repeats the flag; an object is JSON),
//!   which overrides the key of `--body`. A secret field (a password) is
//!   never a flag: it comes in the body, on standard input or at a prompt;
//! - a destructive operation ([`Operation::destructive`]) takes `--yes`;
//! - a few operations take a flag of their own, added by the module that
//!   owns what it does (each has a `with_flags(op, command)` that leaves
//!   other operations' commands alone): `--domain` of `createBulkDomains`
//!   ([`crate::bulk`]), `--addresses` of `listInstalls` ([`crate::addresses`]).

use clap::{Arg, ArgAction, ArgMatches, Command};
use wpe_api::operations::{
    Args, Field, FieldKind, Location, Operation, Param, ParamKind, Standing, OPERATIONS,
};

use wpe_api::Client;

use crate::error::CliError;
use crate::names::Kind;

/// The id of the `--body` argument.
pub const BODY: &str = "body";
/// The id of the `--yes` argument of destructive commands.
pub const YES: &str = "yes";

/// Resources whose name is the same in the plural.
const SAME_IN_PLURAL: &[&str] = &["usage", "cache", "status", "user"];

/// The command group of a resource: `install` → `installs`.
pub fn group_name(resource: &str) -> String {
    let name = kebab(resource);
    if name.ends_with('s') || SAME_IN_PLURAL.contains(&name.as_str()) {
        name
    } else {
        format!("{name}s")
    }
}

/// The verb of an operation within its group: its id without the
/// resource's words (`list_installs` → `list`, `get_site_reports_sections`
/// → `get-sections`).
pub fn verb(op: &Operation) -> String {
    let resource: Vec<&str> = op.resource.split('_').collect();
    let is_resource_word = |word: &str| {
        resource.iter().any(|r| {
            word == *r || word.strip_suffix('s') == Some(r) || r.strip_suffix('s') == Some(word)
        })
    };
    let all = words(op.id);
    let kept: Vec<&str> = all
        .iter()
        .copied()
        .filter(|w| !is_resource_word(w))
        .collect();
    match kept.as_slice() {
        [] => "get".to_owned(),
        kept => kept.join("-"),
    }
}

/// The resources in table order, each once.
pub fn resources() -> Vec<&'static str> {
    let mut seen = Vec::new();
    for op in OPERATIONS {
        if !seen.contains(&op.resource) {
            seen.push(op.resource);
        }
    }
    seen
}

/// The group commands, one per resource, each with a command per operation.
pub fn groups() -> Vec<Command> {
    resources()
        .into_iter()
        .map(|resource| {
            let ops = OPERATIONS.iter().filter(|op| op.resource == resource);
            Command::new(group_name(resource))
                .about(format!("{} operations", resource.replace('_', " ")))
                .subcommand_required(true)
                .arg_required_else_help(true)
                .subcommands(ops.map(operation_command))
                .subcommands(crate::jobs::commands(resource))
        })
        .collect()
}

/// The operation behind a group and verb (or alias) the user typed.
pub fn find(group: &str, verb_or_alias: &str) -> Option<&'static Operation> {
    OPERATIONS.iter().find(|op| {
        group_name(op.resource) == group
            && (verb(op) == verb_or_alias
                || op.operation_id == verb_or_alias
                || op.id == verb_or_alias)
    })
}

/// What a name resolves to, for a parameter that takes an install, a site,
/// an account, a domain or an account user (by ID, or by name or email).
pub fn named(param: &Param) -> Option<Kind> {
    if param.kind != ParamKind::Uuid {
        return None;
    }
    named_id(param.name)
}

/// What a name resolves to, for the ID parameter called `name`
/// (`install_id`, `site_id`, `account_id`, `domain_id`, `user_id`).
pub fn named_id(name: &str) -> Option<Kind> {
    match name {
        "install_id" => Some(Kind::Install),
        "site_id" => Some(Kind::Site),
        "account_id" => Some(Kind::Account),
        "domain_id" => Some(Kind::Domain),
        "user_id" => Some(Kind::User),
        _ => None,
    }
}

/// What a name resolves to, for a body field that holds the ID of an
/// install, a site, an account or a domain (or a list of install IDs).
pub fn named_field(field: &Field) -> Option<Kind> {
    let (FieldKind::Scalar(kind) | FieldKind::List(kind)) = field.kind else {
        return None;
    };
    if !matches!(kind, ParamKind::Uuid | ParamKind::String) {
        return None;
    }
    match field.name {
        "install_id" | "install_ids" | "source_environment_id" | "destination_environment_id" => {
            Some(Kind::Install)
        }
        "site_id" => Some(Kind::Site),
        "account_id" | "destination_account_id" => Some(Kind::Account),
        "redirect_to" => Some(Kind::Domain),
        _ => None,
    }
}

/// The parameter that holds the ID of the parent a domain or a user is
/// looked up in.
pub fn parent_param(kind: Kind) -> Option<&'static str> {
    match kind.parent()? {
        Kind::Install => Some("install_id"),
        Kind::Account => Some("account_id"),
        _ => None,
    }
}

/// The id of the flag of body field `field`.
pub fn field_id(field: &Field) -> String {
    field_id_of(field.name)
}

/// The id of the flag of the body field called `name`.
pub fn field_id_of(name: &str) -> String {
    format!("field.{name}")
}

/// The body fields that are flags of `op`'s command: every field but the
/// secrets and any whose flag a parameter already has.
pub fn field_flags(op: &Operation) -> Vec<&'static Field> {
    let Some(body) = op.body else {
        return Vec::new();
    };
    body.fields
        .iter()
        .filter(|f| !body.secrets.contains(&f.name))
        .filter(|f| {
            f.name != BODY
                && f.name != YES
                && !op
                    .params
                    .iter()
                    .any(|p| p.location == Location::Query && p.name == f.name)
        })
        .collect()
}

/// The path parameters in the order they appear in the path.
pub fn path_params(op: &Operation) -> Vec<&'static Param> {
    let mut params: Vec<&Param> = op
        .params
        .iter()
        .filter(|p| p.location == Location::Path)
        .collect();
    params.sort_by_key(|p| op.param_index(p.name));
    params
}

fn operation_command(op: &'static Operation) -> Command {
    let mut about = op.summary.to_owned();
    if op.is_paged() {
        about.push_str(" (every page, streamed; --limit or --offset: one page)");
    }
    let verb = verb(op);
    let mut aliases = vec![op.operation_id, op.id];
    aliases.dedup();
    aliases.retain(|alias| *alias != verb);
    let mut command = Command::new(verb)
        .about(about)
        .long_about(format!(
            "{}\n\n{} {} (operation {}, method wpe_api::Client::{}){}",
            op.summary,
            op.method,
            op.path,
            op.operation_id,
            op.id,
            rules(op)
        ))
        .aliases(aliases);
    for param in path_params(op) {
        command = command.arg(
            Arg::new(param.name)
                .value_name(value_name(param))
                .help(help(param))
                .required(true),
        );
    }
    for param in op.params.iter().filter(|p| p.location == Location::Query) {
        let mut arg = Arg::new(param.name)
            .long(param.name.replace('_', "-"))
            .value_name(value_name(param))
            .help(help(param))
            .required(param.required)
            .action(ArgAction::Set);
        match param.kind {
            ParamKind::Enum(values) => arg = arg.value_parser(values.to_vec()),
            ParamKind::Boolean => arg = arg.value_parser(["true", "false"]),
            _ => {}
        }
        command = command.arg(arg);
    }
    if let Some(body) = op.body {
        command = command.arg(
            Arg::new(BODY)
                .long(BODY)
                .value_name("FILE|-")
                .help(body_help(&body)),
        );
        for field in field_flags(op) {
            command = command.arg(field_arg(field));
        }
        command = crate::bulk::with_flags(op, command);
    }
    command = crate::addresses::with_flags(op, command);
    if op.destructive {
        command = command.arg(Arg::new(YES).long(YES).action(ArgAction::SetTrue).help(
            "Do not ask: this cannot be undone (without a terminal to ask on, \
                     the command is refused unless --yes is given)",
        ));
    }
    command
}

/// The flag of one body field.
fn field_arg(field: &'static Field) -> Arg {
    let mut help = field.description.to_owned();
    if let Some(kind) = named_field(field) {
        help.push_str(&format!(
            " An ID or the {}'s {}.",
            kind.noun(),
            kind.name_word()
        ));
    }
    let mut arg = Arg::new(field_id(field))
        .long(field.name.replace('_', "-"))
        .help_heading("Body fields (override the keys of --body)");
    let (scalar, list) = match field.kind {
        FieldKind::Scalar(kind) => (Some(kind), false),
        FieldKind::List(kind) => (Some(kind), true),
        FieldKind::Json => (None, false),
    };
    if list {
        arg = arg.action(ArgAction::Append);
        help.push_str(" (repeat the flag for each value)");
    } else {
        arg = arg.action(ArgAction::Set);
    }
    if field.required {
        help.push_str(" [required in the body]");
    }
    match scalar {
        Some(ParamKind::Enum(values)) => arg = arg.value_parser(values.to_vec()),
        Some(ParamKind::Boolean) => arg = arg.value_parser(["true", "false"]),
        _ => {}
    }
    let value_name = match (named_field(field), scalar) {
        (Some(kind), _) => kind.noun().replace(' ', "_").to_uppercase(),
        (None, None) => "JSON".to_owned(),
        (None, Some(ParamKind::Integer { .. })) => "N".to_owned(),
        (None, Some(ParamKind::Boolean)) => "true|false".to_owned(),
        (None, Some(ParamKind::Date)) => "YYYY-MM-DD".to_owned(),
        (None, Some(ParamKind::DateTime)) => "TIME".to_owned(),
        (None, Some(_)) => field.name.to_uppercase(),
    };
    arg.value_name(value_name).help(help)
}

fn body_help(body: &wpe_api::operations::RequestBody) -> String {
    let mut help = format!(
        "The request body: a JSON {} from FILE, or from standard input with -; \
         the field flags below set or override its keys",
        body.schema
    );
    if !body.secrets.is_empty() {
        help.push_str(&format!(
            ". Secrets ({}) are never arguments: put them in the body, pipe them on \
             standard input (one per line), or leave them out to be asked for on the terminal",
            body.secrets.join(", ")
        ));
    }
    help
}

fn value_name(param: &Param) -> String {
    if named(param).is_some() {
        return param.name.trim_end_matches("_id").to_uppercase();
    }
    match param.kind {
        ParamKind::Uuid => param.name.to_uppercase(),
        ParamKind::Integer { .. } => "N".to_owned(),
        ParamKind::Date => "YYYY-MM-DD".to_owned(),
        ParamKind::DateTime => "TIME".to_owned(),
        ParamKind::Boolean => "true|false".to_owned(),
        ParamKind::String | ParamKind::Enum(_) => param.name.to_uppercase(),
    }
}

/// What WP Engine's reference states about `op` beyond its parameters (the
/// server enforces it), for `--help`; unverified claims are left out.
fn rules(op: &Operation) -> String {
    let documented: Vec<&str> = op
        .behaviours
        .iter()
        .filter(|b| b.standing == Standing::Documented)
        .map(|b| b.rule)
        .collect();
    if documented.is_empty() {
        return String::new();
    }
    let mut text = String::from("\n\nRules the API enforces (from WP Engine's reference):");
    for rule in documented {
        text.push_str("\n  - ");
        text.push_str(rule);
    }
    text
}

fn help(param: &Param) -> String {
    let mut help = param.description.to_owned();
    if let Some(kind) = named(param) {
        help.push_str(&format!(
            " An ID or the {}'s {}.",
            kind.noun(),
            kind.name_word()
        ));
    }
    if let ParamKind::Integer {
        minimum: Some(min),
        maximum: Some(max),
    } = param.kind
    {
        if !help.contains(&max.to_string()) {
            help.push_str(&format!(" ({min} to {max})"));
        }
    }
    help
}

/// The operation's parameter values from the parsed command line, as text.
pub fn args(op: &Operation, matches: &ArgMatches) -> Args {
    let mut args = Args::new();
    for param in op.params {
        if let Some(value) = matches.get_one::<String>(param.name) {
            args.set(param.name, value.clone());
        }
    }
    args
}

/// `typed` with the names in ID parameters turned into IDs (an install's,
/// a site's or an account's name, a domain's name within its install, a
/// user's email within the account); a name that matches nothing is a
/// usage error that lists the near ones.
pub async fn resolved(client: &Client, op: &Operation, typed: &Args) -> Result<Args, CliError> {
    let mut args = typed.clone();
    // In the path's order, so that a domain's install is known before the domain.
    for param in op.params {
        if let (Some(kind), Some(value)) = (named(param), typed.get(param.name)) {
            let parent = parent_param(kind).and_then(|p| args.get(p));
            let id = crate::names::resolve_in(client, kind, value, parent).await?;
            args.set(param.name, id);
        }
    }
    Ok(args)
}

/// The words of a snake-case name from the table.
fn words(snake: &str) -> Vec<&str> {
    snake.split('_').filter(|w| !w.is_empty()).collect()
}

/// A snake-case name from the table in kebab case.
fn kebab(snake: &str) -> String {
    words(snake).join("-")
}

/// Sends one request of `op` ([`wpe_api::operations::call`]), reading the
/// error a list answers for "none" (an install without certificates,
/// [`Operation::empty_page_for`]) as a page with no items; any other error
/// stays one. What `wpe`'s one-page path and `wpe mcp`'s tools send.
pub async fn call(
    client: &Client,
    op: &'static Operation,
    args: &Args,
    body: Option<serde_json::Value>,
) -> Result<Option<serde_json::Value>, wpe_api::Error> {
    match wpe_api::operations::call(client, op, args, body).await {
        Err(err) => Ok(Some(op.empty_page_for(&err).ok_or(err)?)),
        Ok(answer) => Ok(answer),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verb_of(id: &str) -> String {
        verb(wpe_api::operations::find(id).unwrap())
    }

    #[test]
    fn groups_are_plural_resources_and_verbs_drop_the_resource() {
        assert_eq!(group_name("install"), "installs");
        assert_eq!(group_name("account_user"), "account-users");
        assert_eq!(group_name("ssh_key"), "ssh-keys");
        assert_eq!(group_name("site_reports"), "site-reports");
        assert_eq!(group_name("usage"), "usage");
        assert_eq!(verb_of("list_installs"), "list");
        assert_eq!(verb_of("get_install"), "get");
        assert_eq!(verb_of("create_backup"), "create");
        assert_eq!(verb_of("list_account_users"), "list");
        assert_eq!(verb_of("purge_cache"), "purge");
        assert_eq!(verb_of("get_site_reports_sections"), "get-sections");
        assert_eq!(verb_of("create_bulk_domains"), "create-bulk");
        assert_eq!(verb_of("list_site_transfers"), "list");
        assert_eq!(verb_of("status"), "get");
    }

    #[test]
    fn every_operation_has_one_command_and_is_found_by_its_aliases() {
        for op in OPERATIONS {
            let group = group_name(op.resource);
            for name in [verb(op), op.operation_id.to_owned(), op.id.to_owned()] {
                let found = find(&group, &name).unwrap();
                assert_eq!(found.id, op.id, "{group} {name}");
            }
        }
        let mut names: Vec<(String, String)> = OPERATIONS
            .iter()
            .map(|op| (group_name(op.resource), verb(op)))
            .collect();
        names.sort();
        names.dedup();
        assert_eq!(
            names.len(),
            OPERATIONS.len(),
            "a group has two commands of one name"
        );
    }

    #[test]
    fn the_command_tree_is_valid() {
        crate::cli::command().debug_assert();
    }
}
