//! `wpe mcp`: the API as tools for AI agents, a Model Context Protocol
//! server on standard input and output (rmcp, the official SDK).
//!
//! - **One tool per operation** of `wpe_api::operations::OPERATIONS`, named
//!   by its method (`list_installs`, `create_backup`), with an input schema
//!   from the table ([`schema`]) and annotations from its facts: GETs are
//!   `readOnlyHint`, `idempotentHint` is `x-wpe-idempotent`, and
//!   `destructiveHint` is [`Operation::destructive`] or
//!   [`Operation::replaces`] (MCP's `false` means "only additive updates": a
//!   full replacement is not). Calls go through
//!   `wpe_api::operations::call`, so through the typed client's checks, its
//!   retries and its per-install rate limits.
//! - **Workflow tools** ([`workflows`]): `inventory`, `backup_and_wait`,
//!   `report_usage` and `audit`, run by the code of the CLI's commands. Each
//!   takes its command's typed options, read from the arguments by serde
//!   (never by the flag parser), with the input schema derived from the same
//!   type, and declares its answer's type as its `outputSchema` ([`answer`]).
//! - **Fleet tools** ([`fleet`]): `fleet_whois` and `fleet_query` answer
//!   from the local mirror `wpe fleet sync` writes (`--db`, `WPE_FLEET_DB`
//!   or the default path), read-only and with no API call.
//! - **Prompts** ([`prompts`]): the everyday workflows (a client's monthly
//!   usage report, a backup before a deploy, taking a domain live, an access
//!   review) as MCP prompts that name the tools to call, in order.
//! - **Safe by default**: only reading tools are listed and run unless
//!   `--allow-writes`; destructive ones also need `--allow-destructive`. A
//!   refused call sends nothing and says which flag would allow it.
//! - **Checked before sending**: arguments are validated against the tool's
//!   schema, and every problem is named by its field; names are turned into
//!   IDs as the CLI does.
//! - **Answers**: `structuredContent` (an object) with the same JSON as text
//!   beside it, its shape declared by the tool's `outputSchema` ([`output`]);
//!   a list answers `{items, total, next_cursor}`, one page. A read may be
//!   cut to some `fields`; long series summarised ([`schema::SUMMARISED`]).
//!   Every text argument is bounded and an error quotes a short prefix of a
//!   value at most ([`limits`]). A failure is a
//!   tool error whose structured content says what kind (`invalid_arguments`,
//!   `not_allowed`, `api`, `rate_limited`, `job_failed`, `timeout`) with the
//!   status and the hint of an API error.
//! - **Cancellation means nothing more is sent**: `call_tool` races each
//!   call against the request's cancellation token (rmcp cancels it on
//!   `notifications/cancelled`) and drops the call when it fires. A call
//!   waiting for its turn, for a retry or between a waiter's looks stops
//!   there, and its place in line goes to the next call. rmcp sends no
//!   answer for a cancelled request (it drops whatever the handler
//!   returns); the log line says whether a request of the call had already
//!   gone out (`wpe_api::activity` tells), that is, whether a write may
//!   have taken effect.
//! - **No wait outlasts the client**: the client's policy has a
//!   `max_wait` (`--max-wait`, 30 s by default, below the 60 s after which
//!   the official TypeScript SDK gives up on a request). A call whose
//!   rate-limit turn is further away, or that the API answers 429 with a
//!   longer `Retry-After`, answers at once a `rate_limited` tool error with
//!   `retry_after_seconds`. A call that does wait says so at once in a
//!   progress notification (`waiting 57 s for the install's object cache
//!   purge turn`), then every 5 s, when the client asked for progress.
//! - **Protocol errors answered** ([`transport`]): a line that is not JSON
//!   (or not UTF-8) gets `-32700` with `id` null, an invalid request
//!   `-32600` with its `id` when one can be read, and params that do not
//!   fit a method `-32602`. A message is at most 1 MiB (a longer line is
//!   skipped without being held and refused at once) and nests at most 64
//!   levels; errors are answered 20 at once, then 10 a second, and the rest
//!   are counted on standard error. One task writes standard output.
//! - **Quiet**: standard output carries only the protocol; a line per call
//!   goes to standard error (the tool, how it ended, how long it took, never
//!   the arguments). Credentials come from the environment and never appear
//!   in an answer; secret arguments (an SFTP password) are never echoed.

mod answer;
mod dynamic;
mod fleet;
pub(crate) mod limits;
mod output;
mod prompts;
mod schema;
mod toolsets;
mod transport;
mod workflows;

use std::time::{Duration, Instant};

use clap::{Arg, ArgAction, ArgMatches, Command};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, GetPromptRequestParams,
    GetPromptResponse, Implementation, JsonObject, ListPromptsResult, ListToolsResult,
    PaginatedRequestParams, ProgressNotificationParam, ServerCapabilities, ServerConfig, Tool,
    ToolAnnotations,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData as McpError, RoleServer, ServerHandler, ServiceExt};
use serde_json::{json, Map, Value};
use wpe_api::activity::Activity;
use wpe_api::operations::{self, Args, Operation, Paging};
use wpe_api::Client;

use crate::commands;
use crate::error::CliError;
use crate::surface::Surface;
use crate::target::Target;

/// The command's name.
pub const NAME: &str = "mcp";

/// The id of `--allow-writes`.
const ALLOW_WRITES: &str = "allow-writes";
/// The id of `--allow-destructive`.
const ALLOW_DESTRUCTIVE: &str = "allow-destructive";
/// The id of `--page-size`.
const PAGE_SIZE: &str = "page-size";
/// The id of `--max-wait`.
const MAX_WAIT: &str = "max-wait";
/// The id of `--query-budget`.
const QUERY_BUDGET: &str = "query-budget";

/// How often a call that runs long tells the client it is still running
/// (when the client asked for progress).
const PROGRESS_EVERY: Duration = Duration::from_secs(5);

/// `wpe mcp`.
pub fn command() -> Command {
    Command::new(NAME)
        .about("Serve the API to AI agents: a Model Context Protocol server on stdio")
        .long_about(format!(
            "Serve the API to AI agents as Model Context Protocol tools, on standard input and \
             output: one tool per operation (list_installs, create_backup, ...) and the \
             workflows inventory, backup_and_wait, report_usage and audit; fleet_whois and \
             fleet_query answer from the local mirror that `wpe fleet sync` writes (--db), \
             with no API call. Register it with an MCP client as the command `wpe mcp` (see \
             the README).\n\n\
             Read-only unless told: without --allow-writes only tools that read are offered \
             and run; --allow-writes adds the tools that change things but the destructive \
             ones (deleting, restoring a backup over an install), which also need \
             --allow-destructive.\n\n\
             Small by default: tools/list shows the toolsets {} and the dynamic \
             tools (search_operations, describe_operation, call_operation), which reach \
             every other tool the flags allow. --toolsets and --tools choose what is \
             listed (--list-toolsets shows the toolsets), --toolsets all lists every allowed \
             tool, --toolsets dynamic only the three. What is listed never changes what may \
             run: the flags alone decide that.\n\n\
             Credentials come from WPE_API_USER and WPE_API_PASSWORD, as for every command; \
             --demo serves the embedded stand-in with demo data, as earlier `wpe --demo` \
             commands left it; what the tools change there stays in this server's memory \
             (it does not hold the demo state, so other demo commands run beside it). \
             Standard output carries only \
             the protocol; a line per call goes to standard error.",
            toolsets::DEFAULT_TOOLSETS.join(", ")
        ))
        .arg(
            Arg::new(ALLOW_WRITES)
                .long(ALLOW_WRITES)
                .action(ArgAction::SetTrue)
                .help("Also offer the tools that change things (create, update, purge), but not the destructive ones"),
        )
        .arg(
            Arg::new(ALLOW_DESTRUCTIVE)
                .long(ALLOW_DESTRUCTIVE)
                .action(ArgAction::SetTrue)
                .requires(ALLOW_WRITES)
                .help("Also offer the destructive tools (delete, restore a backup, copy an install): needs --allow-writes"),
        )
        .args(toolsets::args())
        .arg(
            Arg::new(PAGE_SIZE)
                .long(PAGE_SIZE)
                .value_name("N")
                .default_value("25")
                .value_parser(clap::value_parser!(u32).range(1..=100))
                .help("How many items a list tool answers when the agent gives no limit"),
        )
        .arg(
            Arg::new(MAX_WAIT)
                .long(MAX_WAIT)
                .value_name("SECONDS")
                .default_value("30")
                .value_parser(clap::value_parser!(u64).range(0..=3600))
                .help("The longest a call waits for the API's rate limits before it answers `rate_limited`")
                .long_help(
                    "The longest a tool call waits for the API's rate limits: for an install's \
                     turn (the API allows one object-cache purge per install every 60 s) or \
                     for a 429's Retry-After. A longer wait is not made: the call answers at \
                     once a `rate_limited` tool error with `retry_after_seconds`, and nothing \
                     is sent. The default stays below the 60 s after which the official \
                     TypeScript SDK gives up on a request; raise it for a client that waits \
                     longer.",
                ),
        )
        .arg(
            Arg::new(crate::fleet::DB)
                .long(crate::fleet::DB)
                .value_name("PATH")
                .env(crate::fleet::DB_ENV)
                .value_parser(clap::value_parser!(std::path::PathBuf))
                .help(
                    "The mirror fleet_whois and fleet_query read [default: as `wpe fleet`'s \
                     --db]",
                ),
        )
        .arg(
            Arg::new(QUERY_BUDGET)
                .long(QUERY_BUDGET)
                .value_name("SECONDS")
                .default_value(limits::QUERY_BUDGET_SECONDS.to_string())
                .value_parser(clap::value_parser!(u64).range(1..=600))
                .help("The longest a fleet_query statement runs before it is stopped"),
        )
}

/// What a tool does to the hosting: the mode that allows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Access {
    /// Reads only.
    Read,
    /// Changes something that can be changed back or is added alongside.
    Write,
    /// Cannot be undone (deletes, overwrites).
    Destructive,
}

impl Access {
    /// The access of an operation's tool.
    fn of(op: &Operation) -> Access {
        if op.destructive {
            Access::Destructive
        } else if op.method == "GET" {
            Access::Read
        } else {
            Access::Write
        }
    }

    /// What the server must be started with to allow it.
    fn flags(self) -> &'static str {
        match self {
            Access::Read => "",
            Access::Write => "--allow-writes",
            Access::Destructive => "--allow-writes --allow-destructive",
        }
    }
}

/// What a tool runs.
enum Runs {
    /// An operation of the table.
    Operation(&'static Operation),
    /// A workflow of the CLI.
    Workflow(&'static workflows::Workflow),
    /// A tool that finds, describes or calls the others.
    Dynamic(dynamic::Dynamic),
    /// A tool that reads the local mirror of the fleet.
    Fleet(&'static fleet::FleetTool),
}

/// One tool: what the client sees, and how it is checked and run.
struct Entry {
    tool: Tool,
    runs: Runs,
    access: Access,
    validator: jsonschema::Validator,
    /// The properties whose values are never shown (secrets).
    secrets: Vec<&'static str>,
}

/// The tools of a server started with `allowed`, in the table's order,
/// then the workflows, the fleet tools and the dynamic tools. `page_size`:
/// items a list answers by default.
fn entries(allowed: Access, page_size: u32) -> Vec<Entry> {
    let mut entries: Vec<Entry> = operations::OPERATIONS
        .iter()
        .map(|op| operation_entry(op, page_size))
        .collect();
    entries.extend(
        workflows::WORKFLOWS
            .iter()
            .map(|workflow| workflow_entry(workflow, allowed)),
    );
    entries.extend(fleet::TOOLS.iter().map(fleet_entry));
    entries.extend(dynamic::entries(allowed));
    entries
}

/// The compiled validator of an input schema, read as JSON Schema 2020-12
/// (MCP's dialect of a schema without `$schema`); formats (UUID, date) are
/// checked.
fn validator(schema: &JsonObject) -> jsonschema::Validator {
    match jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(&Value::Object(schema.clone()))
    {
        Ok(validator) => validator,
        // The schemas are ours: a test compiles every one.
        Err(err) => panic!("an input schema of wpe mcp does not compile: {err}"),
    }
}

fn operation_entry(op: &'static Operation, page_size: u32) -> Entry {
    let access = Access::of(op);
    let input = schema::of_operation(op, schema::page_size(op, page_size));
    let annotations = ToolAnnotations::new()
        .read_only(access == Access::Read)
        .destructive(not_additive(op))
        .idempotent(op.idempotent || access == Access::Read)
        .open_world(true);
    let output = output::of_operation(op, schema::takes_fields(op));
    let tool = Tool::new(op.id, describe(op), input)
        .with_title(op.summary)
        .with_annotations(annotations)
        .with_raw_output_schema(std::sync::Arc::new(output));
    Entry {
        validator: validator(&tool.input_schema),
        secrets: op.body.map(|b| b.secrets.to_vec()).unwrap_or_default(),
        tool,
        runs: Runs::Operation(op),
        access,
    }
}

/// Whether `op` may do more than add: MCP's `destructiveHint`. True for a
/// destructive operation and for one that replaces or removes state
/// ([`Operation::replaces`]), though only the first needs
/// `--allow-destructive`.
fn not_additive(op: &Operation) -> bool {
    Access::of(op) == Access::Destructive || op.replaces.is_some()
}

/// A workflow's tool in a server started with `allowed`: its options as
/// the input schema, its answer's type as the output schema, and hints that
/// follow the mode (`report_usage` offers `refresh`, a measurement it
/// starts, only with writes allowed, and is then not read-only). No
/// workflow deletes or overwrites anything.
fn workflow_entry(workflow: &'static workflows::Workflow, allowed: Access) -> Entry {
    let input = workflow.input_schema(allowed);
    let changes = workflow.changes_things(allowed);
    let annotations = ToolAnnotations::new()
        .read_only(!changes)
        .destructive(false)
        .idempotent(!changes)
        .open_world(true);
    let tool = Tool::new(workflow.tool, workflow.description, input)
        .with_title(workflow.title)
        .with_raw_output_schema(std::sync::Arc::new(workflow.output_schema()))
        .with_annotations(annotations);
    Entry {
        validator: validator(&tool.input_schema),
        secrets: Vec::new(),
        tool,
        runs: Runs::Workflow(workflow),
        access: workflow.access,
    }
}

/// A fleet tool's entry: it reads the local mirror only, so it is
/// read-only, idempotent and closed-world (no API is called) in every mode.
fn fleet_entry(tool: &'static fleet::FleetTool) -> Entry {
    let annotations = ToolAnnotations::new()
        .read_only(true)
        .destructive(false)
        .idempotent(true)
        .open_world(false);
    let listed = Tool::new(tool.tool, tool.description, tool.input_schema())
        .with_title(tool.title)
        .with_raw_output_schema(std::sync::Arc::new(tool.output_schema()))
        .with_annotations(annotations);
    Entry {
        validator: validator(&listed.input_schema),
        secrets: Vec::new(),
        tool: listed,
        runs: Runs::Fleet(tool),
        access: Access::Read,
    }
}

/// A tool's description, in few words: the summary, then what the schema
/// cannot say: that it cannot be undone, that it answers a page, the job it
/// starts and the tool that follows it, its rate limit, and the rules WP
/// Engine documents (operations named by their tools). The request's method
/// and path are left out (the tool stands for them), and so are the rules
/// about the API's paging parameters of a list, which the tool's `limit`
/// and `cursor` take the place of.
fn describe(op: &Operation) -> String {
    let mut text = format!("{}.", op.summary);
    if op.destructive {
        text.push_str(" Cannot be undone.");
    }
    if schema::pages(op) {
        text.push_str(" Answers a page; pass its `next_cursor` as `cursor` for the next.");
    }
    if let Some(job) = op.job {
        text.push_str(&format!(
            " Starts a job: `{}` follows it.",
            tool_of(job.poll)
        ));
    }
    if let Some(limit) = op.rate_limit {
        let when = limit
            .when
            .map(|w| format!(" with `{}` `{}`", w.field, w.equals))
            .unwrap_or_default();
        text.push_str(&format!(
            " Once per {} s per install{when}; a call waits its turn.",
            limit.interval.as_secs()
        ));
    }
    let rules: Vec<String> = op
        .behaviours
        .iter()
        .filter(|b| b.standing == operations::Standing::Documented)
        .filter(|b| !(schema::pages(op) && about_paging(op, b.rule)))
        .map(|b| with_tool_names(b.rule))
        .collect();
    if !rules.is_empty() {
        text.push_str(" Rules: ");
        text.push_str(&rules.join(" "));
    }
    text
}

/// The tool of the operation with this `operationId` (`showBackup` →
/// `show_backup`); the `operationId` itself if the table has none.
fn tool_of(operation_id: &str) -> &str {
    operations::by_operation_id(operation_id).map_or(operation_id, |op| op.id)
}

/// `rule` with each `operationId` it names (a whole word) replaced by the
/// tool's name.
fn with_tool_names(rule: &str) -> String {
    rule.split_inclusive(|c: char| !c.is_alphanumeric())
        .map(|piece| {
            let word = piece.trim_end_matches(|c: char| !c.is_alphanumeric());
            match operations::by_operation_id(word) {
                Some(op) => format!("{}{}", op.id, &piece[word.len()..]),
                None => piece.to_owned(),
            }
        })
        .collect()
}

/// Whether `rule` is about the API's own paging parameters of `op` (its
/// `limit`, its offset or its page token), which the tool's `limit` (bounded
/// by the schema) and `cursor` take the place of.
fn about_paging(op: &Operation, rule: &str) -> bool {
    let mut words = vec![schema::LIMIT];
    match op.paging {
        Paging::Offset { .. } => words.push("offset"),
        Paging::Token { param, next, .. } => words.extend([param, next]),
        Paging::NotAList | Paging::Whole { .. } => {}
    }
    words.iter().any(|word| rule.contains(word))
}

/// The server: the client it calls the API with, and its tools.
struct Server {
    client: Client,
    /// Whether it serves the demo stand-in (whose mirror is the demo's).
    demo: bool,
    entries: Vec<Entry>,
    allowed: Access,
    /// What tools/list lists of what is allowed.
    selection: toolsets::Selection,
    page_size: u32,
    /// The mirror the fleet tools read.
    mirror: fleet::MirrorPath,
    /// How long a `fleet_query` statement may run.
    query_budget: Duration,
}

/// Runs `wpe mcp` until the client closes standard input (or prints the
/// toolsets, with `--list-toolsets`).
pub async fn run(demo: bool, matches: &ArgMatches) -> Result<(), CliError> {
    if matches.get_flag(toolsets::LIST_TOOLSETS) {
        return Ok(toolsets::print(&mut std::io::stdout().lock())?);
    }
    let selection = toolsets::Selection::from_matches(matches);
    let allowed = if matches.get_flag(ALLOW_DESTRUCTIVE) {
        Access::Destructive
    } else if matches.get_flag(ALLOW_WRITES) {
        Access::Write
    } else {
        Access::Read
    };
    let page_size = matches.get_one::<u32>(PAGE_SIZE).copied().unwrap_or(25);
    let max_wait = Duration::from_secs(matches.get_one::<u64>(MAX_WAIT).copied().unwrap_or(30));
    let query_budget = Duration::from_secs(
        matches
            .get_one::<u64>(QUERY_BUDGET)
            .copied()
            .unwrap_or(limits::QUERY_BUDGET_SECONDS),
    );
    let mirror = crate::fleet::db_path(matches, demo).map_err(|err| err.to_string());
    // A long-lived server takes the demo state as it is and keeps its own
    // changes in memory, so that `wpe --demo` commands run beside it.
    let target = Target::open(demo, false, |policy| policy.max_wait(max_wait)).await?;
    let server = Server {
        client: target.client.clone(),
        demo,
        entries: entries(allowed, page_size),
        allowed,
        selection,
        page_size,
        mirror,
        query_budget,
    };
    let offered = server.offered().count();
    eprintln!(
        "wpe mcp: {offered} tools listed ({}) against {}; standard output is the protocol",
        match allowed {
            Access::Read => "read-only: --allow-writes offers the tools that change things",
            Access::Write =>
                "writes allowed, destructive ones not: --allow-destructive offers them",
            Access::Destructive => "writes and destructive tools allowed",
        },
        if demo {
            "the demo stand-in".to_owned()
        } else {
            wpe_api::ClientInfo::baseurl(&target.client).to_owned()
        },
    );
    let service = server.serve(transport::stdio()).await.map_err(|err| {
        CliError::Usage(format!(
            "wpe mcp: the client did not start a session: {err}"
        ))
    })?;
    let quit = service.waiting().await;
    eprintln!("wpe mcp: session ended ({quit:?})");
    drop(target);
    Ok(())
}

impl Server {
    /// The tools this server lists: those selected that it allows, and the
    /// dynamic tools when that leaves an allowed one out ([`toolsets`]).
    fn offered(&self) -> impl Iterator<Item = &Entry> {
        toolsets::listed(&self.entries, self.allowed, &self.selection)
    }

    /// Whether tools/list leaves out tools this server allows, which the
    /// dynamic tools then reach.
    fn lists_fewer(&self) -> bool {
        self.offered().any(|e| matches!(e.runs, Runs::Dynamic(_)))
    }

    /// Runs a call of `entry` with `arguments`: the answer, or a tool error.
    async fn call(&self, entry: &Entry, arguments: Map<String, Value>) -> CallToolResult {
        if entry.access > self.allowed {
            return failure(
                "not_allowed",
                format!(
                    "`{}` {}, and this server was started without {}: nothing was sent. \
                     Ask the user to restart `wpe mcp` with {} to allow it.",
                    entry.tool.name,
                    match entry.access {
                        Access::Destructive => "cannot be undone",
                        _ => "changes things",
                    },
                    entry.access.flags(),
                    entry.access.flags()
                ),
                json!({}),
            );
        }
        let instance = Value::Object(arguments);
        let problems = problems(entry, &instance);
        if !problems.is_empty() {
            let message = problems
                .iter()
                .map(|(field, problem)| format!("`{field}`: {problem}"))
                .collect::<Vec<_>>()
                .join("; ");
            return failure(
                "invalid_arguments",
                format!(
                    "the arguments do not match the input schema ({message}): nothing was sent"
                ),
                json!({"fields": problems.iter().map(|(field, problem)| json!({"field": field, "problem": problem})).collect::<Vec<_>>()}),
            );
        }
        let Value::Object(arguments) = instance else {
            unreachable!("the instance was built from an object")
        };
        let answer = match entry.runs {
            Runs::Operation(op) => self.call_operation(op, arguments).await,
            Runs::Workflow(workflow) => workflow.run(&self.client, self.demo, arguments).await,
            Runs::Dynamic(dynamic) => return dynamic::run(self, dynamic, arguments).await,
            Runs::Fleet(tool) => return tool.run(&self.mirror, self.query_budget, arguments).await,
        };
        match answer {
            Ok(value) => CallToolResult::structured(value),
            Err(err) => error_result(err),
        }
    }

    /// Calls `op` with checked `arguments`: names resolved, the body put
    /// together, one page for a list.
    async fn call_operation(
        &self,
        op: &'static Operation,
        mut arguments: Map<String, Value>,
    ) -> Result<Value, CliError> {
        let mut typed = Args::new();
        let page_size = schema::page_size(op, self.page_size);
        let mut start = Cursor::First;
        let fields: Option<Vec<String>> = arguments
            .remove(schema::FIELDS)
            .and_then(|f| serde_json::from_value(f).ok());
        let summary = arguments
            .remove(schema::SUMMARY)
            .and_then(|s| s.as_bool())
            .unwrap_or(true);
        for param in op.params {
            if schema::is_cursor_param(op, param) {
                if let Some(Value::String(text)) = arguments.remove(schema::CURSOR) {
                    start = Cursor::parse(op, &text)?;
                    start.set(param.name, &mut typed);
                }
                continue;
            }
            match arguments.remove(param.name) {
                Some(Value::String(text)) => {
                    typed.set(param.name, text);
                }
                Some(Value::Null) | None => {}
                Some(other) => {
                    typed.set(param.name, other.to_string());
                }
            }
        }
        if schema::pages(op) && typed.get(schema::LIMIT).is_none() {
            typed.set(schema::LIMIT, page_size.to_string());
        }
        let args = commands::resolved(&self.client, op, &typed).await?;
        let body = match op.body {
            Some(spec) => {
                let mut object: Map<String, Value> = spec
                    .fields
                    .iter()
                    .filter_map(|f| arguments.remove(f.name).map(|v| (f.name.to_owned(), v)))
                    .collect();
                if object.is_empty() && !spec.required {
                    None
                } else {
                    let missing: Vec<&str> = spec
                        .fields
                        .iter()
                        .filter(|f| f.required && object.get(f.name).is_none_or(Value::is_null))
                        .map(|f| f.name)
                        .collect();
                    if !missing.is_empty() {
                        return Err(CliError::Usage(format!(
                            "the {} body also needs {}",
                            spec.schema,
                            missing.join(", ")
                        )));
                    }
                    crate::body::resolve_names(&self.client, op, &mut object, &args).await?;
                    Some(Value::Object(object))
                }
            }
            None => None,
        };
        let answer = commands::call(&self.client, op, &args, body).await?;
        let mut answer = match answer {
            None => json!({
                "done": true,
                "status": op.success_status,
                "summary": op.summary,
            }),
            Some(page) if op.is_paged() => one_page(op, page, &args, start),
            Some(Value::Object(object)) => Value::Object(object),
            Some(other) => json!({ "result": other }),
        };
        if let (Some(series), true) = (schema::summarised(op), summary) {
            for item in items_of(op, &mut answer) {
                item.remove(series);
            }
        }
        if let Some(fields) = fields {
            for item in items_of(op, &mut answer) {
                item.retain(|name, _| fields.contains(name));
            }
        }
        Ok(answer)
    }
}

/// Where a page starts.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Cursor {
    /// The first page.
    First,
    /// An offset into the list.
    Offset(u64),
    /// The token the page before named.
    Token(String),
}

impl Cursor {
    /// The cursor a tool answered, back from the agent.
    fn parse(op: &Operation, text: &str) -> Result<Cursor, CliError> {
        match (op.paging, text.split_once(':')) {
            (Paging::Offset { .. }, _) => Cursor::offset(op.id, text).map(Cursor::Offset),
            (Paging::Token { .. }, Some(("token", token))) if !token.is_empty() => {
                Ok(Cursor::Token(token.to_owned()))
            }
            _ => Err(Cursor::refused(op.id, text)),
        }
    }

    /// The offset an offset cursor (`offset:100`) of the tool `of` names
    /// (a list tool, or a workflow that answers pages).
    fn offset(of: &str, text: &str) -> Result<u64, CliError> {
        text.strip_prefix("offset:")
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| Cursor::refused(of, text))
    }

    /// The error for `text`, which is not a cursor of the tool `of`.
    fn refused(of: &str, text: &str) -> CliError {
        CliError::Usage(format!(
            "`cursor`: {} is not a cursor of {of}: pass the `next_cursor` of the page \
             before as it is, or leave it out for the first page",
            limits::quote(text),
        ))
    }

    fn set(&self, param: &str, args: &mut Args) {
        match self {
            Cursor::First => {}
            Cursor::Offset(offset) => {
                args.set(param, offset.to_string());
            }
            Cursor::Token(token) => {
                args.set(param, token.clone());
            }
        }
    }

    fn text(&self) -> Option<String> {
        match self {
            Cursor::First => None,
            Cursor::Offset(offset) => Some(format!("offset:{offset}")),
            Cursor::Token(token) => Some(format!("token:{token}")),
        }
    }
}

/// The objects an answer of `op`'s tool is made of: each item of a list,
/// or the answer itself.
fn items_of<'a>(
    op: &Operation,
    answer: &'a mut Value,
) -> Box<dyn Iterator<Item = &'a mut Map<String, Value>> + 'a> {
    if op.is_paged() {
        match answer.get_mut("items") {
            Some(Value::Array(items)) => {
                Box::new(items.iter_mut().filter_map(Value::as_object_mut))
            }
            _ => Box::new(std::iter::empty()),
        }
    } else {
        Box::new(answer.as_object_mut().into_iter())
    }
}

/// One page of a list as a tool answers it: its items, the list's length
/// (when the API says it, or the whole list's), the cursor of the next page
/// while there is one, and every other field of the page
/// (`output::page_fields_replaced` names those it replaces).
fn one_page(op: &Operation, mut page: Value, args: &Args, start: Cursor) -> Value {
    let (items_field, next) = match op.paging {
        Paging::Offset { items, .. } => (items, None),
        Paging::Token { items, next, .. } => (items, Some(next)),
        Paging::Whole { items } => (items, None),
        Paging::NotAList => return page,
    };
    let items = match page.get_mut(items_field).map(Value::take) {
        Some(Value::Array(items)) => items,
        _ => Vec::new(),
    };
    let total = match op.paging {
        Paging::Whole { .. } => Some(items.len() as u64),
        _ => page.get("count").and_then(Value::as_u64),
    };
    let next_cursor = match (op.paging, next) {
        (Paging::Token { .. }, Some(next)) => page
            .get(next)
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .map(|t| Cursor::Token(t.to_owned())),
        _ => {
            let offset = match start {
                Cursor::Offset(offset) => offset,
                _ => 0,
            };
            let limit: u64 = args
                .get(schema::LIMIT)
                .and_then(|l| l.parse().ok())
                .unwrap_or(u64::MAX);
            let end = offset + items.len() as u64;
            let more = match total {
                Some(total) => end < total,
                None => items.len() as u64 >= limit,
            };
            (more && !items.is_empty()).then_some(Cursor::Offset(end))
        }
    };
    let mut answer = json!({ "items": items });
    if let Some(total) = total {
        answer["total"] = json!(total);
    }
    if let Some(cursor) = next_cursor.as_ref().and_then(Cursor::text) {
        answer["next_cursor"] = json!(cursor);
    }
    if let Value::Object(rest) = page {
        let replaced = output::page_fields_replaced(op);
        for (name, value) in rest {
            if !replaced.contains(&name.as_str()) {
                answer[name] = value;
            }
        }
    }
    answer
}

/// Each way `instance` breaks `entry`'s input schema, as (field, problem):
/// the field is the argument (`limit`, or a path into one, `user/email`);
/// a missing or unknown argument is named as the field. A problem is said
/// in our words from the kind of error ([`problem`]), quoting at most a
/// short prefix of a value ([`limits::quote`]), and the value of a secret
/// field never.
fn problems(entry: &Entry, instance: &Value) -> Vec<(String, String)> {
    use jsonschema::error::ValidationErrorKind as Kind;
    let mut problems = Vec::new();
    for error in entry.validator.iter_errors(instance) {
        let path = error.instance_path().to_string();
        let path = path.trim_start_matches('/');
        let top = path.split('/').next().unwrap_or_default();
        match error.kind() {
            Kind::Required { property } if path.is_empty() => problems.push((
                property.as_str().unwrap_or_default().to_owned(),
                "required, and not given".to_owned(),
            )),
            Kind::AdditionalProperties { unexpected } if path.is_empty() => {
                for name in unexpected {
                    problems.push((
                        bounded_path(name),
                        "not an argument of this tool (its input schema lists them)".to_owned(),
                    ));
                }
            }
            kind if path.is_empty() => {
                problems.push(("arguments".to_owned(), problem(kind, error.instance())))
            }
            kind if entry.secrets.contains(&top) => {
                problems.push((path.to_owned(), secret_problem(kind)))
            }
            kind => problems.push((bounded_path(path), problem(kind, error.instance()))),
        }
    }
    problems
}

/// A path into the arguments, cut short when an agent made it long (the
/// names of an object's keys are the agent's).
fn bounded_path(path: &str) -> String {
    if path.chars().count() <= limits::MAX_NAME as usize {
        path.to_owned()
    } else {
        let prefix: String = path.chars().take(limits::MAX_QUOTE).collect();
        format!("{prefix}…")
    }
}

/// `value` as a problem names it: text quoted by a short prefix, a number
/// or a boolean as it is, a list or an object by its size.
fn shown(value: &Value) -> String {
    match value {
        Value::String(text) => limits::quote(text),
        Value::Array(items) => format!("a list of {} item(s)", items.len()),
        Value::Object(map) => format!("an object of {} field(s)", map.len()),
        other => format!("`{other}`"),
    }
}

/// What is wrong with `value`, from the kind of error: never more of the
/// value than [`shown`] gives.
fn problem(kind: &jsonschema::error::ValidationErrorKind, value: &Value) -> String {
    use jsonschema::error::ValidationErrorKind as Kind;
    let value = shown(value);
    match kind {
        Kind::Type { kind } => format!("{value} is not of type {}", type_names(kind)),
        Kind::MaxLength { limit } => format!("{value} is longer than {limit} characters"),
        Kind::MinLength { limit } => format!("{value} is shorter than {limit} character(s)"),
        Kind::MaxItems { limit } => format!("{value}: more than {limit} items"),
        Kind::MinItems { limit } => format!("{value}: fewer than {limit} item(s)"),
        Kind::Maximum { limit } => format!("{value} is more than {limit}"),
        Kind::Minimum { limit } => format!("{value} is less than {limit}"),
        Kind::ExclusiveMaximum { limit } => format!("{value} is not less than {limit}"),
        Kind::ExclusiveMinimum { limit } => format!("{value} is not more than {limit}"),
        Kind::Format { format } => format!("{value} is not a {format}"),
        Kind::Pattern { pattern } => {
            format!("{value} does not match {}", limits::quote(pattern))
        }
        Kind::Enum { options } => format!(
            "{value} is not one of {}",
            limits::quote(&options.to_string())
        ),
        Kind::Constant { expected_value } => format!(
            "{value} is not {}",
            limits::quote(&expected_value.to_string())
        ),
        Kind::Required { property } => format!(
            "{value} lacks the required field {}",
            limits::quote(property.as_str().unwrap_or_default())
        ),
        Kind::AdditionalProperties { unexpected } => format!(
            "{value} has field(s) its schema does not take: {}",
            unexpected
                .iter()
                .take(5)
                .map(|name| limits::quote(name))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Kind::UniqueItems => format!("{value} repeats an item"),
        // The branch that says more than "not null": the value's own problem.
        Kind::AnyOf { context } | Kind::OneOfNotValid { context } => {
            match context
                .iter()
                .flatten()
                .find(|e| !matches!(e.kind(), Kind::Type { .. }))
            {
                Some(inner) => problem(inner.kind(), inner.instance()),
                None => format!("{value} matches none of the shapes its schema allows"),
            }
        }
        other => format!("{value} breaks its schema's `{}`", other.keyword()),
    }
}

/// The JSON types a `type` error expected, in words.
fn type_names(kind: &jsonschema::error::TypeKind) -> String {
    match kind {
        jsonschema::error::TypeKind::Single(one) => one.to_string(),
        jsonschema::error::TypeKind::Multiple(many) => many
            .iter()
            .map(|t| t.to_string())
            .collect::<Vec<_>>()
            .join(" or "),
    }
}

/// What is wrong with a secret's value, without quoting it.
fn secret_problem(kind: &jsonschema::error::ValidationErrorKind) -> String {
    use jsonschema::error::ValidationErrorKind as Kind;
    let why = match kind {
        Kind::MinLength { limit } => format!("shorter than {limit} characters"),
        Kind::MaxLength { limit } => format!("longer than {limit} characters"),
        Kind::Type { .. } => "not text".to_owned(),
        _ => "not valid".to_owned(),
    };
    format!("{why} (the value is a secret and is not shown)")
}

/// A tool error: the message as text, and `{"error": {kind, message, ...}}`.
fn failure(kind: &str, message: String, mut details: Value) -> CallToolResult {
    debug_assert!(answer::ERROR_KINDS.contains(&kind), "{kind}");
    details["kind"] = json!(kind);
    details["message"] = json!(message);
    let mut result = CallToolResult::structured_error(json!({ "error": details }));
    result.content = vec![rmcp::model::ContentBlock::text(message)];
    result
}

/// A failed call as a tool error that says what kind of failure it was.
fn error_result(err: CliError) -> CallToolResult {
    match err {
        CliError::Usage(message) | CliError::Api(wpe_api::Error::InvalidRequest(message)) => {
            failure(
                "invalid_arguments",
                format!("{message}: nothing was sent"),
                json!({}),
            )
        }
        CliError::Api(wpe_api::Error::RateLimited(refused)) => failure(
            "rate_limited",
            refused.to_string(),
            json!({
                "retry_after_seconds": whole_seconds(refused.retry_after()),
                "limit": refused.limit(),
                "sent": false,
            }),
        ),
        CliError::Api(err) if err.status().is_some_and(|s| s.as_u16() == 429) => {
            let seconds = err.retry_after().map(whole_seconds);
            let again = match seconds {
                Some(seconds) => format!("call again in {seconds} s"),
                None => "wait before calling again".to_owned(),
            };
            failure(
                "rate_limited",
                format!(
                    "the API refused the call for now and did not carry it out ({err}): {again}"
                ),
                json!({"status": 429, "retry_after_seconds": seconds, "hint": err.hint()}),
            )
        }
        CliError::Api(err) => {
            let status = err.status().map(|s| s.as_u16());
            let hint = err.hint();
            let fields: Vec<Value> = err
                .field_errors()
                .iter()
                .map(|f| json!({"field": f.field, "problem": f.message}))
                .collect();
            failure(
                "api",
                format!("the API refused the call: {err}"),
                json!({"status": status, "hint": hint, "fields": fields}),
            )
        }
        CliError::NotFound(not_found) => failure(
            "not_found",
            not_found.render(Surface::Mcp),
            json!({"of": not_found.kind().noun()}),
        ),
        CliError::Invalid(invalid) => {
            let message = invalid.render(Surface::Mcp);
            failure(
                "invalid_arguments",
                format!("{message}: nothing was sent"),
                json!({"fields": [{"field": invalid.field(), "problem": message}]}),
            )
        }
        CliError::Failed(message) => failure("job_failed", message, json!({})),
        CliError::Timeout(message) => failure("timeout", message, json!({})),
        CliError::Io(err) => failure("io", err.to_string(), json!({})),
        CliError::Mirror(err) => failure("mirror", err.to_string(), json!({})),
    }
}

impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        let mut instructions = "The WP Engine Customer API (accounts, sites, installs, backups, \
             domains, certificates, cache, users, usage). Installs, sites and accounts may be \
             named instead of given by ID. Lists answer one page and a next_cursor. Start with \
             `inventory` for an overview, `audit` for what needs attention. fleet_whois and \
             fleet_query answer from a local mirror of the fleet, with no API call."
            .to_owned();
        instructions.push_str(&format!(
            " A failed call is a tool error whose error.kind is one of: {}.",
            answer::ERROR_KINDS.join(", ")
        ));
        if self.lists_fewer() {
            instructions.push_str(
                " Not every tool is listed: search_operations finds the others, \
                 describe_operation gives their input schema, call_operation runs them.",
            );
        }
        let capabilities = ServerCapabilities::builder()
            .enable_tools()
            .enable_prompts()
            .build();
        ServerConfig::new(capabilities)
            .with_server_info(Implementation::new("wpe", env!("CARGO_PKG_VERSION")))
            .with_instructions(instructions)
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        Ok(ListToolsResult::with_all_items(
            self.offered().map(|e| e.tool.clone()).collect(),
        ))
    }

    /// The prompts whose tools this server's mode offers.
    async fn list_prompts(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, McpError> {
        Ok(ListPromptsResult::with_all_items(
            prompts::PROMPTS
                .iter()
                .filter(|p| p.needs <= self.allowed)
                .map(prompts::Spec::prompt)
                .collect(),
        ))
    }

    /// A prompt's text for its arguments; an unknown prompt, or one whose
    /// tools this mode does not offer, is an invalid-params error.
    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, McpError> {
        let Some(prompt) = prompts::find(&request.name) else {
            return Err(McpError::invalid_params(
                format!(
                    "there is no prompt {}: prompts/list names them",
                    limits::quote(&request.name)
                ),
                None,
            ));
        };
        if prompt.needs > self.allowed {
            return Err(McpError::invalid_params(
                format!(
                    "the prompt `{}` uses tools that change things, and this server was \
                     started without {}: ask the user to restart `wpe mcp` with it",
                    prompt.name,
                    prompt.needs.flags()
                ),
                None,
            ));
        }
        prompt
            .get(request.arguments, self.lists_fewer())
            .map(Into::into)
    }

    /// A tool this server runs, listed or not (an allowed tool left out of
    /// the listing runs when called by name, as through call_operation).
    fn get_tool(&self, name: &str) -> Option<Tool> {
        self.entries
            .iter()
            .find(|e| e.tool.name == name && e.access <= self.allowed)
            .map(|e| e.tool.clone())
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, McpError> {
        let Some(entry) = self.entries.iter().find(|e| e.tool.name == request.name) else {
            return Err(McpError::invalid_params(
                format!(
                    "there is no tool {}: tools/list names them",
                    limits::quote(&request.name)
                ),
                None,
            ));
        };
        let started = Instant::now();
        let name = entry.tool.name.clone();
        let (sent, observer, mut waits) = watch_call();
        let call = wpe_api::activity::watch(
            observer,
            self.call(entry, request.arguments.unwrap_or_default()),
        );
        let mut call = Box::pin(call);
        let token = context.meta.get_progress_token();
        let progress = |message: String| {
            let peer = context.peer.clone();
            let token = token.clone();
            async move {
                if let Some(token) = token {
                    let note =
                        ProgressNotificationParam::new(token, started.elapsed().as_secs_f64())
                            .with_message(message);
                    let _ = peer.notify_progress(note).await;
                }
            }
        };
        let mut ticks =
            tokio::time::interval_at(tokio::time::Instant::now() + PROGRESS_EVERY, PROGRESS_EVERY);
        let result = loop {
            tokio::select! {
                // Cancellation first: once it is seen, the call is not
                // polled again.
                biased;
                () = context.ct.cancelled() => break None,
                result = &mut call => break Some(result),
                Some(wait) = waits.recv() => progress(format!("{name}: {wait}")).await,
                _ = ticks.tick() => {
                    let seconds = started.elapsed().as_secs();
                    progress(format!("{name}: still running after {seconds} s")).await;
                }
            }
        };
        // Dropping the call ends it where it waits (its turn goes to the
        // next call in line) and sends nothing more.
        drop(call);
        let result = match result {
            Some(result) => result,
            None => cancelled(&sent),
        };
        log_call(&entry.tool.name, &result, started.elapsed());
        Ok(result.into())
    }
}

/// What a call has put on the wire so far: the operation of each request
/// sent (one per attempt), as `wpe_api::activity` reports them.
type Sent = std::sync::Arc<std::sync::Mutex<Vec<&'static str>>>;

/// How a call is watched: the record of its requests, the observer that
/// keeps it (and hands each wait for a rate-limit turn on, as the text of
/// a progress notification), and the receiving end of those waits.
fn watch_call() -> (
    Sent,
    impl Fn(&Activity) + Send + Sync + 'static,
    tokio::sync::mpsc::UnboundedReceiver<String>,
) {
    let sent = Sent::default();
    let (waits, waiting) = tokio::sync::mpsc::unbounded_channel();
    let record = std::sync::Arc::clone(&sent);
    let observer = move |activity: &Activity| match activity {
        Activity::Sending { operation, .. } => record
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(operation),
        Activity::WaitingForTurn {
            limit,
            wait,
            calls_ahead,
            ..
        } => {
            let _ = waits.send(describe_wait(limit, *wait, *calls_ahead));
        }
        _ => {}
    };
    (sent, observer, waiting)
}

/// `waiting 57 s for the install's object cache purge turn`.
fn describe_wait(limit: &str, wait: Duration, calls_ahead: usize) -> String {
    let turn = format!("the install's {} turn", limit.replace('-', " "));
    let seconds = whole_seconds(wait);
    match calls_ahead {
        0 => format!("waiting {seconds} s for {turn}"),
        ahead => {
            let calls = if ahead == 1 { "call" } else { "calls" };
            if seconds == 0 {
                format!("waiting for {turn} ({ahead} {calls} ahead)")
            } else {
                format!("waiting at least {seconds} s for {turn} ({ahead} {calls} ahead)")
            }
        }
    }
}

/// Whole seconds, rounded up: waiting that long is enough.
fn whole_seconds(wait: Duration) -> u64 {
    wait.as_secs()
        .saturating_add(u64::from(wait.subsec_nanos() > 0))
}

/// The result of a call its client cancelled (rmcp does not send it; the
/// log shows it): whether anything had gone out, and whether that may have
/// changed something.
fn cancelled(sent: &Sent) -> CallToolResult {
    let sent = sent.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let write = sent
        .iter()
        .rev()
        .find(|id| operations::find(id).is_none_or(|op| op.method != "GET"));
    let message = match write {
        _ if sent.is_empty() => "cancelled before anything was sent".to_owned(),
        None => format!(
            "cancelled before anything that changes things was sent ({} went out)",
            match sent.len() {
                1 => "1 request that only reads".to_owned(),
                n => format!("{n} requests that only read"),
            }
        ),
        Some(write) => {
            format!("cancelled after the request was sent; it may have taken effect ({write})")
        }
    };
    failure("cancelled", message, json!({"requests_sent": sent.len()}))
}

/// One line on standard error per call: the tool, how it ended, how long it
/// took; never its arguments. A cancelled call says whether a request of
/// it had gone out (`purge_cache: cancelled before anything was sent`).
fn log_call(tool: &str, result: &CallToolResult, took: Duration) {
    let error = result
        .structured_content
        .as_ref()
        .filter(|_| result.is_error == Some(true))
        .map(|content| &content["error"]);
    let outcome = match error {
        None => "ok".to_owned(),
        Some(error) if error["kind"] == "cancelled" => {
            error["message"].as_str().unwrap_or("cancelled").to_owned()
        }
        Some(error) => format!("error ({})", error["kind"].as_str().unwrap_or("error")),
    };
    eprintln!("wpe mcp: {tool}: {outcome} (after {} ms)", took.as_millis());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tool_has_a_schema_that_compiles_and_the_modes_nest() {
        let all = entries(Access::Destructive, 25);
        assert_eq!(
            all.len(),
            operations::OPERATIONS.len()
                + workflows::WORKFLOWS.len()
                + fleet::TOOLS.len()
                + dynamic::TOOLS.len()
        );
        // The dynamic tools run in every mode; what call_operation runs is checked on its own.
        let all: Vec<Entry> = all
            .into_iter()
            .filter(|e| !matches!(e.runs, Runs::Dynamic(_)))
            .collect();
        let count = |allowed| all.iter().filter(|e| e.access <= allowed).count();
        let (read, write, destructive) = (
            count(Access::Read),
            count(Access::Write),
            count(Access::Destructive),
        );
        assert!(
            read < write && write < destructive,
            "{read} {write} {destructive}"
        );
        for entry in &all {
            let name = &entry.tool.name;
            let annotations = entry.tool.annotations.as_ref().unwrap();
            let reads_only = match entry.runs {
                Runs::Workflow(workflow) => !workflow.changes_things(Access::Destructive),
                Runs::Operation(_) => entry.access == Access::Read,
                // Searching and describing read nothing of the hosting;
                // calling runs whatever this mode (every tool) allows.
                Runs::Dynamic(_) => name != "call_operation",
                // The local mirror, read-only, and no API.
                Runs::Fleet(_) => {
                    assert_eq!(annotations.open_world_hint, Some(false), "{name}");
                    assert_eq!(annotations.idempotent_hint, Some(true), "{name}");
                    true
                }
            };
            assert_eq!(annotations.read_only_hint, Some(reads_only), "{name}");
            if let Runs::Operation(op) = entry.runs {
                // Destructive, or replacing: not only additive.
                assert_eq!(
                    annotations.destructive_hint,
                    Some(op.destructive || op.replaces.is_some()),
                    "{name}"
                );
                if op.replaces.is_some() {
                    assert_eq!(
                        entry.access,
                        Access::Write,
                        "{name}: runs with --allow-writes"
                    );
                }
                assert_eq!(
                    entry.access == Access::Destructive,
                    op.destructive,
                    "{name}"
                );
                assert_eq!(entry.access == Access::Read, op.method == "GET", "{name}");
            } else {
                // No workflow deletes or replaces; call_operation runs
                // whatever this mode (every tool) allows, replacements too.
                assert_eq!(
                    annotations.destructive_hint,
                    Some(name == "call_operation"),
                    "{name}"
                );
            }
        }
        // The full replacements are not additive, yet need only --allow-writes.
        for id in [
            "update_cache_exclusions",
            "update_sftp_user",
            "update_account_user",
        ] {
            let entry = all.iter().find(|e| e.tool.name == id).unwrap();
            let annotations = entry.tool.annotations.as_ref().unwrap();
            assert_eq!(annotations.destructive_hint, Some(true), "{id}");
            assert_eq!(entry.access, Access::Write, "{id}");
        }
    }

    #[test]
    fn descriptions_say_what_the_schema_cannot_in_few_words() {
        for op in operations::OPERATIONS {
            let text = describe(op);
            let id = op.id;
            assert!(!text.contains(op.path), "{id}: {text}");
            assert!(!text.contains(&format!("{} /", op.method)), "{id}: {text}");
            assert_eq!(text.contains("Cannot be undone."), op.destructive, "{id}");
            assert_eq!(text.contains("`next_cursor`"), schema::pages(op), "{id}");
            if let Some(job) = op.job {
                let follow = format!("`{}` follows it", tool_of(job.poll));
                assert!(text.contains(&follow), "{id}: {text}");
            }
            // Operations are named by their tools.
            for other in operations::OPERATIONS {
                if other.operation_id != other.id {
                    assert!(!text.contains(other.operation_id), "{id}: {text}");
                }
            }
        }
        let text = |id| describe(operations::find(id).unwrap());
        assert!(text("create_backup").contains("`show_backup` follows it"));
        assert!(text("purge_cache").contains("Once per 60 s per install with `type` `object`"));
        assert!(text("check_status").contains("with get_domain_report_status"));
        // The API's own paging is the tool's limit and cursor; other rules stay.
        assert_eq!(
            text("list_accounts"),
            "List accounts. Answers a page; pass its `next_cursor` as `cursor` for the next."
        );
        assert!(text("list_backups").contains("aborted ones included"));
        assert!(!text("get_install_certificates").contains("next_page_token"));
    }

    #[test]
    fn cursors_round_trip_and_a_foreign_one_is_refused() {
        let list = operations::find("list_installs").unwrap();
        assert_eq!(
            Cursor::parse(list, "offset:50").unwrap(),
            Cursor::Offset(50)
        );
        assert_eq!(Cursor::Offset(50).text().unwrap(), "offset:50");
        for bad in ["50", "offset:", "offset:-1", "token:abc", "page 2"] {
            let err = Cursor::parse(list, bad).unwrap_err().to_string();
            assert!(err.contains("next_cursor"), "{bad}: {err}");
        }
    }

    #[test]
    fn a_page_says_where_the_next_starts_until_the_last() {
        let list = operations::find("list_installs").unwrap();
        let args = Args::new().with("limit", "2");
        let page = json!({"results": [{"id": 1}, {"id": 2}], "count": 5, "next": "x"});
        let first = one_page(list, page.clone(), &args, Cursor::First);
        assert_eq!(first["next_cursor"], "offset:2");
        assert_eq!(first["total"], 5);
        assert_eq!(first["items"].as_array().unwrap().len(), 2);
        let last = one_page(
            list,
            json!({"results": [{"id": 5}], "count": 5}),
            &args,
            Cursor::Offset(4),
        );
        assert!(last.get("next_cursor").is_none(), "{last}");
        let uncounted = one_page(
            list,
            json!({"results": [{"id": 1}, {"id": 2}]}),
            &args,
            Cursor::First,
        );
        assert_eq!(uncounted["next_cursor"], "offset:2");
    }

    #[test]
    fn a_long_cursor_is_quoted_by_a_short_prefix() {
        let list = operations::find("list_installs").unwrap();
        let err = Cursor::parse(list, &"offset:9".repeat(100_000))
            .unwrap_err()
            .to_string();
        assert!(err.len() < 400, "{err}");
        assert!(err.contains("(800000 characters)"), "{err}");
    }

    #[test]
    fn every_list_answers_items_and_keeps_the_page_s_other_fields() {
        // A whole list (no paging) answers `items` and its length, as a page does.
        let users = operations::find("list_account_users").unwrap();
        let whole = one_page(
            users,
            json!({"results": [{"user_id": "u1"}, {"user_id": "u2"}]}),
            &Args::new(),
            Cursor::First,
        );
        assert_eq!(
            whole,
            json!({"items": [{"user_id": "u1"}, {"user_id": "u2"}], "total": 2})
        );
        // A token page keeps what it says beside its items; its token is the cursor.
        let usage = operations::find("get_account_usage_metrics").unwrap();
        let page = json!({
            "environment_metrics": [{"environment_name": "torquemag"}],
            "next_page_token": "t2",
            "total_size": 6,
            "account_storage_refresh_expected_time": "2026-12-07T12:00:00Z",
        });
        let answer = one_page(usage, page, &Args::new(), Cursor::First);
        assert_eq!(answer["next_cursor"], "token:t2");
        assert_eq!(answer["total_size"], 6);
        assert_eq!(
            answer["account_storage_refresh_expected_time"],
            "2026-12-07T12:00:00Z"
        );
        assert!(answer.get("next_page_token").is_none(), "{answer}");
        assert!(answer.get("environment_metrics").is_none(), "{answer}");
    }
}
