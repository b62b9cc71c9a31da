//! The dynamic tools of `wpe mcp`: three small tools that reach every
//! other tool without listing it, so that an agent pays for the ones it
//! uses and not for all of them on every turn.
//!
//! - `search_operations`: words → the tools they match (name, summary,
//!   access), the best first, at most `limit` of them;
//! - `describe_operation`: a tool's name → what tools/list would say of it
//!   (description, input and output schema, annotations), its toolset and
//!   the flags it needs;
//! - `call_operation`: a tool's name and `arguments` → exactly the answer
//!   of calling that tool directly, through the same [`Server::call`]: the
//!   access flags, the validation of the arguments and the call path are
//!   the tool's own.
//!
//! A name from the agent is only ever looked up among the tools; one that
//! names none is an `invalid_arguments` error that quotes a short prefix of it.

use rmcp::model::{CallToolResult, Tool, ToolAnnotations};
use serde_json::{json, Map, Value};

use super::limits::{quote, MAX_NAME};
use super::{answer, failure, toolsets, validator, Access, Entry, Runs, Server};

/// `search_operations`.
pub const SEARCH: &str = "search_operations";
/// `describe_operation`.
pub const DESCRIBE: &str = "describe_operation";
/// `call_operation`.
pub const CALL: &str = "call_operation";
/// The dynamic tools, in the order they are listed.
pub const TOOLS: &[&str] = &[SEARCH, DESCRIBE, CALL];

/// How many tools a search answers unless told.
const SEARCH_DEFAULT: u64 = 10;
/// The most tools a search answers.
const SEARCH_MAX: u64 = 25;

/// Which dynamic tool an entry runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dynamic {
    /// `search_operations`.
    Search,
    /// `describe_operation`.
    Describe,
    /// `call_operation`.
    Call,
}

/// The dynamic tools' entries in a server started with `allowed`. They run
/// in every mode (they read nothing from the API themselves); the tool
/// `call_operation` runs is checked against `allowed` as its own call would be.
pub(super) fn entries(allowed: Access) -> Vec<Entry> {
    let name = json!({"type": "string", "minLength": 1, "maxLength": MAX_NAME,
                      "description": "A tool's name, as search_operations gives it."});
    let local = ToolAnnotations::new()
        .read_only(true)
        .destructive(false)
        .idempotent(true)
        .open_world(false);
    let tools = [
        (
            Dynamic::Search,
            Tool::new(
                SEARCH,
                "Finds this server's tools by words (`purge cache`, `backup`), the best \
                 first: name, summary, access. Tools not in tools/list are found here.",
                object(
                    json!({
                        "query": {"type": "string", "minLength": 1, "maxLength": MAX_NAME},
                        "limit": {"type": "integer", "minimum": 1, "maximum": SEARCH_MAX,
                                  "default": SEARCH_DEFAULT},
                    }),
                    &["query"],
                ),
            )
            .with_title("Find tools")
            .with_annotations(local.clone())
            .with_raw_output_schema(output(json!({
                "required": ["items", "total"],
                "properties": {"items": {"type": "array"}, "total": {"type": "integer"}}
            }))),
        ),
        (
            Dynamic::Describe,
            Tool::new(
                DESCRIBE,
                "A tool's description, inputSchema (the `arguments` of call_operation), \
                 outputSchema and annotations.",
                object(json!({ "name": name }), &["name"]),
            )
            .with_title("Describe a tool")
            .with_annotations(local)
            .with_raw_output_schema(output(json!({
                "required": ["name", "inputSchema"]
            }))),
        ),
        (
            Dynamic::Call,
            Tool::new(
                CALL,
                "Calls a tool by name: the same checks and answer as calling it directly.",
                object(
                    json!({
                        "name": name,
                        "arguments": {"type": "object",
                                      "description": "As the tool's inputSchema says."},
                    }),
                    &["name"],
                ),
            )
            .with_title("Call a tool")
            .with_annotations(
                ToolAnnotations::new()
                    .read_only(allowed == Access::Read)
                    // With writes allowed it may run a replacing tool.
                    .destructive(allowed >= Access::Write)
                    .idempotent(false)
                    .open_world(true),
            )
            // The answer is the called tool's, as its own outputSchema says
            // (describe_operation gives it): here only that it is an object.
            .with_raw_output_schema(std::sync::Arc::new(object_schema())),
        ),
    ];
    tools
        .into_iter()
        .map(|(dynamic, tool)| Entry {
            validator: validator(&tool.input_schema),
            secrets: Vec::new(),
            tool,
            runs: Runs::Dynamic(dynamic),
            access: Access::Read,
        })
        .collect()
}

/// An input schema: these properties, these required, no others.
fn object(properties: Value, required: &[&str]) -> Map<String, Value> {
    let Value::Object(schema) = json!({
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    }) else {
        unreachable!("an object")
    };
    schema
}

/// `{"type": "object"}`.
fn object_schema() -> Map<String, Value> {
    Map::from_iter([("type".to_owned(), json!("object"))])
}

/// The outputSchema of a dynamic tool whose answer is the object `success`.
fn output(mut success: Value) -> std::sync::Arc<Map<String, Value>> {
    success["type"] = json!("object");
    std::sync::Arc::new(answer::output_schema(success))
}

/// Runs a dynamic tool with checked `arguments`.
pub(super) async fn run(
    server: &Server,
    dynamic: Dynamic,
    mut arguments: Map<String, Value>,
) -> CallToolResult {
    let name = match arguments.remove("name") {
        Some(Value::String(name)) => name,
        _ => String::new(),
    };
    match dynamic {
        Dynamic::Search => {
            let query = arguments
                .get("query")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let limit = arguments
                .get("limit")
                .and_then(Value::as_u64)
                .unwrap_or(SEARCH_DEFAULT);
            search(server, query, limit)
        }
        Dynamic::Describe => match target(server, &name) {
            Some(entry) => CallToolResult::structured(describe(server, entry)),
            None => unknown(&name),
        },
        Dynamic::Call => match target(server, &name) {
            // Boxed: a call of `call_operation` holds the call of its tool.
            Some(entry) => {
                let arguments = match arguments.remove("arguments") {
                    Some(Value::Object(arguments)) => arguments,
                    _ => Map::new(),
                };
                Box::pin(server.call(entry, arguments)).await
            }
            None => unknown(&name),
        },
    }
}

/// The tool called `name` that the dynamic tools reach: an operation or a
/// workflow, never a dynamic tool.
fn target<'s>(server: &'s Server, name: &str) -> Option<&'s Entry> {
    server
        .entries
        .iter()
        .find(|e| e.tool.name == name && !matches!(e.runs, Runs::Dynamic(_)))
}

/// The error for a name that names no tool.
fn unknown(name: &str) -> CallToolResult {
    let problem = format!(
        "{} is not a tool of this server; search_operations finds them by a word",
        quote(name)
    );
    failure(
        "invalid_arguments",
        format!("`name`: {problem}: nothing was sent"),
        json!({"fields": [{"field": "name", "problem": problem}]}),
    )
}

/// The word for an access.
fn access_word(access: Access) -> &'static str {
    match access {
        Access::Read => "read",
        Access::Write => "write",
        Access::Destructive => "destructive",
    }
}

/// What `entry` is, as search_operations answers it: its name, summary and
/// access, and the flags it needs when this server does not allow it.
fn found(server: &Server, entry: &Entry) -> Value {
    let mut item = json!({
        "name": entry.tool.name,
        "summary": entry.tool.title,
        "access": access_word(entry.access),
    });
    if entry.access > server.allowed {
        item["needs"] = json!(entry.access.flags());
    }
    item
}

/// `describe_operation`'s answer: the tool as tools/list shows it, its
/// toolset, its access and the flags it needs when this server does not
/// allow it.
fn describe(server: &Server, entry: &Entry) -> Value {
    let mut described = serde_json::to_value(&entry.tool).unwrap_or_else(|_| json!({}));
    described["toolset"] = json!(toolsets::toolset_of(&entry.tool.name));
    described["access"] = json!(access_word(entry.access));
    if entry.access > server.allowed {
        described["needs"] = json!(entry.access.flags());
    }
    described
}

/// The words of a query, lower case, without one-letter ones.
fn words(query: &str) -> Vec<String> {
    query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() > 1)
        .map(str::to_lowercase)
        .collect()
}

/// How well `entry` matches `words`: whether they are its name, how many
/// of them it matches, then a score (4 for a word in its name, 2 in its
/// summary or toolset, 1 in its description). A plural matches its singular
/// (`backups`, `backup`).
fn relevance(entry: &Entry, words: &[String]) -> (bool, usize, usize) {
    let name = entry.tool.name.to_lowercase();
    let exact = words.join("_") == name;
    let summary = format!(
        "{} {}",
        entry.tool.title.as_deref().unwrap_or_default(),
        toolsets::toolset_of(&entry.tool.name).unwrap_or_default()
    )
    .to_lowercase();
    let description = entry
        .tool
        .description
        .as_deref()
        .unwrap_or_default()
        .to_lowercase();
    let mut matched = 0;
    let mut score = 0;
    for word in words {
        let stem = word
            .strip_suffix('s')
            .filter(|s| s.len() > 1)
            .unwrap_or(word);
        let points = if name.contains(stem) {
            4
        } else if summary.contains(stem) {
            2
        } else if description.contains(stem) {
            1
        } else {
            0
        };
        if points > 0 {
            matched += 1;
            score += points;
        }
    }
    (exact, matched, score)
}

/// `search_operations`: the tools `query` matches, the one it names first,
/// then those matching more of its words, then the better scored, then in
/// table order.
fn search(server: &Server, query: &str, limit: u64) -> CallToolResult {
    let words = words(query);
    if words.is_empty() {
        let problem = "give a word or two of what the tool does (backup, domain, purge cache)";
        return failure(
            "invalid_arguments",
            format!("`query`: {problem}: nothing was sent"),
            json!({"fields": [{"field": "query", "problem": problem}]}),
        );
    }
    let mut matches: Vec<((bool, usize, usize), usize, &Entry)> = server
        .entries
        .iter()
        .filter(|e| !matches!(e.runs, Runs::Dynamic(_)))
        .enumerate()
        .map(|(order, entry)| (relevance(entry, &words), order, entry))
        .filter(|((_, matched, _), _, _)| *matched > 0)
        .collect();
    matches.sort_by(|(a, a_order, _), (b, b_order, _)| b.cmp(a).then(a_order.cmp(b_order)));
    let total = matches.len();
    let items: Vec<Value> = matches
        .iter()
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
        .map(|(_, _, entry)| found(server, entry))
        .collect();
    let mut answer = json!({ "items": items, "total": total });
    if total == 0 {
        let sets: Vec<String> = toolsets::toolsets()
            .into_iter()
            .map(|(name, _)| name)
            .collect();
        answer["hint"] = json!(format!(
            "No tool matches; try a word of what it acts on: {}",
            sets.join(", ")
        ));
    }
    CallToolResult::structured(answer)
}
