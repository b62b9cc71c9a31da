//! The fleet tools of `wpe mcp`: answers from the local mirror of the
//! fleet that `wpe fleet sync` writes, with no API call (so
//! `openWorldHint` is false) and nothing written (`readOnlyHint`).
//!
//! - `fleet_whois`: a domain (or a part of one, or an install's cname) to
//!   its install, site and account, with its certificate and DNS
//!   ([`crate::fleet::whois`]).
//! - `fleet_query`: one read-only SQL statement over the mirror's views,
//!   bounded: at most `limit` rows ([`limits::MAX_ROWS`]), each text cut
//!   past [`limits::MAX_CELL`] characters, the answer's values past
//!   [`limits::MAX_ANSWER_BYTES`], and a time budget after which SQLite
//!   interrupts the statement ([`crate::fleet::query`]).
//!
//! Each call opens the mirror read-only anew, so a sync that ran beside
//! the server is seen at the next call. The statement runs on a blocking
//! thread; a call the client cancels stops it (the progress handler looks
//! at a flag the dropped call sets).
//!
//! - `fleet_changes`: what was added, removed or changed between two
//!   snapshots, field by field ([`crate::fleet::changes`], the command's
//!   own options).
//! - `fleet_access`: who and what reaches each install, or with `changes`
//!   what was granted or revoked ([`crate::fleet::access`]).
//!
//! The lists answer a page (`limit`, `cursor`) as the workflow tools do.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rmcp::model::CallToolResult;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::limits::{self, MAX_NAME, MAX_ROWS};
use super::workflows::{input_of, offset, output_of, page, read};
use super::{answer, error_result, failure};
use crate::error::CliError;
use crate::fleet::access::{self, Access, Grant};
use crate::fleet::changes::{self, Between, Change};
use crate::fleet::query::{self, Bounds, QueryError};
use crate::fleet::whois::{self, Whois, WhoisError};
use crate::fleet::{Mirror, MirrorError};

/// `fleet_whois`.
pub const WHOIS: &str = "fleet_whois";
/// `fleet_query`.
pub const QUERY: &str = "fleet_query";
/// `fleet_changes`.
pub const CHANGES: &str = "fleet_changes";
/// `fleet_access`.
pub const ACCESS: &str = "fleet_access";

/// Which fleet tool an entry runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Runs {
    /// `wpe fleet whois`.
    Whois,
    /// `wpe fleet query`, bounded.
    Query,
    /// `wpe fleet changes`.
    Changes,
    /// `wpe fleet access`.
    Access,
}

/// A fleet tool.
pub struct FleetTool {
    /// The tool's name.
    pub tool: &'static str,
    /// Its title.
    pub title: &'static str,
    /// What it does, for the agent.
    pub description: &'static str,
    /// The command it runs.
    runs: Runs,
}

/// The fleet tools.
pub const TOOLS: &[FleetTool] = &[
    FleetTool {
        tool: WHOIS,
        title: "Which install a domain belongs to (local mirror)",
        description: "From the local mirror of the fleet (no API call): the install, \
                      environment, site and account of a domain, a part of one, or an \
                      install's cname (x.wpengine.com), exact matches first; with whether it \
                      is primary, its redirect, ownership status, the certificate that covers \
                      it (status, expiry) and its DNS as last synced, and how old the \
                      snapshot is. No match: empty `matches` and a `hint`.",
        runs: Runs::Whois,
    },
    FleetTool {
        tool: QUERY,
        title: "Read-only SQL over the local mirror",
        description: "One read-only SQLite statement over the local mirror of the fleet (no \
                      API call). Views: accounts, account_users, sites, installs, domains, \
                      certificates, backups, ssh_keys, sftp_users, cache_exclusions, \
                      offload_settings, usage_summaries, access (who reaches each install), \
                      versions and snapshots (history); `body` is the API's JSON (`body ->> \
                      '$.field'`); `SELECT * FROM pragma_table_info('installs')` lists \
                      columns. Answers `columns`, up to `limit` rows as `items` and \
                      `truncated` (page with LIMIT/OFFSET); long texts are cut; a statement \
                      that writes is refused; a slow one is stopped.",
        runs: Runs::Query,
    },
    FleetTool {
        tool: CHANGES,
        title: "What changed in the fleet between two syncs (local mirror)",
        description: "From the local mirror of the fleet (no API call): what was added, \
                      removed or changed between two snapshots, one row per changed field \
                      (`field`, `before`, `after`), grouped by account and install. By default \
                      the snapshot before the newest against the newest; `since` (7d) or \
                      `from`/`to` (snapshot IDs) choose others. Backups are left out unless \
                      `kind` names them.",
        runs: Runs::Changes,
    },
    FleetTool {
        tool: ACCESS,
        title: "Who can reach each install (local mirror)",
        description: "From the local mirror of the fleet (no API call): every account user \
                      (with their role; partial users only on their installs), SSH key of the \
                      API user and SFTP user that can reach each install, and the account it \
                      comes through. With `changes`: what was granted or revoked between two \
                      snapshots (`since`, or `from`/`to`).",
        runs: Runs::Access,
    },
];

/// What `fleet_changes` answers: the snapshots compared and a page of the
/// changes.
#[derive(Debug, Serialize, JsonSchema)]
struct ChangesPage {
    /// The snapshots compared.
    #[serde(flatten)]
    between: Between,
    /// The changes of this page, by account, install, kind, subject and field.
    items: Vec<Change>,
    /// How many changes there are in all.
    total: usize,
    /// Where the next page starts, while there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_cursor: Option<String>,
}

/// What `fleet_access` answers: a page of who reaches what now, or (with
/// `changes`) of what was granted or revoked between two snapshots.
#[derive(Debug, Serialize, JsonSchema)]
struct AccessPage {
    /// With `changes`: the snapshots compared.
    #[serde(flatten)]
    between: Option<Between>,
    /// The rows of this page.
    items: AccessItems,
    /// How many rows there are in all.
    total: usize,
    /// Where the next page starts, while there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_cursor: Option<String>,
}

/// The rows of `fleet_access`: who reaches what, or what was granted or
/// revoked.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(untagged)]
enum AccessItems {
    /// Without `changes`.
    Now(Vec<Access>),
    /// With `changes`.
    Changes(Vec<Grant>),
}

/// What `fleet_whois` takes.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WhoisOptions {
    /// A domain, a part of one, or an install's cname.
    #[schemars(
        description = "A domain (torquemag.io), a part of one (torquemag), or an install's \
                       cname (torquemag.wpengine.com); any case.",
        length(min = 1, max = MAX_NAME)
    )]
    pub name: String,
}

/// What `fleet_query` takes.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QueryOptions {
    /// The statement.
    #[schemars(
        description = "One SQLite statement that reads (SELECT, WITH ... SELECT).",
        length(min = 1, max = query::MAX_SQL)
    )]
    pub sql: String,
    /// How many rows to answer.
    #[serde(default = "limits::default_rows")]
    #[schemars(
        description = "How many rows to answer at most; `truncated` says there were more.",
        range(min = 1, max = MAX_ROWS)
    )]
    pub limit: u32,
}

/// What `fleet_query` answers.
#[derive(Debug, Serialize, JsonSchema)]
struct QueryAnswer {
    /// The statement's columns, in order (a repeated name gets `:2`, … as
    /// the key of its value in `items`).
    columns: Vec<String>,
    /// The rows, each an object keyed by column.
    items: Vec<Map<String, Value>>,
    /// Whether the statement had more rows than answered.
    truncated: bool,
    /// How many values were cut short.
    cells_cut: usize,
}

/// Where the fleet tools find the mirror: its path, or why there is none
/// (no data directory known and no `--db`).
pub type MirrorPath = Result<PathBuf, String>;

impl FleetTool {
    /// The input schema: the properties of its options.
    pub fn input_schema(&self) -> Map<String, Value> {
        match self.runs {
            Runs::Whois => input_of::<WhoisOptions>(),
            Runs::Query => input_of::<QueryOptions>(),
            Runs::Changes => input_of::<changes::Options>(),
            Runs::Access => input_of::<access::Options>(),
        }
    }

    /// The output schema: its answer, or a tool error.
    pub fn output_schema(&self) -> Map<String, Value> {
        answer::output_schema(match self.runs {
            Runs::Whois => output_of::<Whois>(),
            Runs::Query => output_of::<QueryAnswer>(),
            Runs::Changes => output_of::<ChangesPage>(),
            Runs::Access => output_of::<AccessPage>(),
        })
    }

    /// Runs the tool with checked `arguments` on the mirror at `mirror`,
    /// a query within `budget`, on a blocking thread; a call dropped
    /// (cancelled) stops its statement.
    pub async fn run(
        &self,
        mirror: &MirrorPath,
        budget: Duration,
        arguments: Map<String, Value>,
    ) -> CallToolResult {
        let path = match mirror {
            Ok(path) => path.clone(),
            Err(why) => return failure("mirror", why.clone(), json!({})),
        };
        let runs = self.runs;
        let stop = Arc::new(AtomicBool::new(false));
        let _stop_on_drop = StopOnDrop(Arc::clone(&stop));
        let task = tokio::task::spawn_blocking(move || match runs {
            Runs::Whois => whois(&path, arguments),
            Runs::Query => query(&path, arguments, budget, stop),
            Runs::Changes => changes(&path, arguments),
            Runs::Access => access(&path, arguments),
        });
        match task.await {
            Ok(Ok(value)) => CallToolResult::structured(value),
            Ok(Err(failed)) => failed.result(),
            Err(err) => failure(
                "mirror",
                format!("reading the mirror stopped before it answered: {err}"),
                json!({}),
            ),
        }
    }
}

/// Sets its flag when dropped: a call dropped midway stops its statement.
struct StopOnDrop(Arc<AtomicBool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// A fleet tool's failure: the kind of tool error and its message, or a
/// command's error (worded as every tool words it).
enum Failed {
    /// A failure of the tool itself.
    Tool { kind: &'static str, message: String },
    /// A command's error.
    Command(Box<CliError>),
}

impl From<CliError> for Failed {
    fn from(err: CliError) -> Failed {
        Failed::Command(Box::new(err))
    }
}

impl Failed {
    fn result(self) -> CallToolResult {
        match self {
            Failed::Tool { kind, message } => failure(kind, message, json!({})),
            Failed::Command(err) => error_result(*err),
        }
    }

    fn mirror(err: MirrorError) -> Failed {
        Failed::Tool {
            kind: "mirror",
            message: err.to_string(),
        }
    }

    fn invalid(message: String) -> Failed {
        Failed::Tool {
            kind: "invalid_arguments",
            message,
        }
    }
}

/// `fleet_whois`.
fn whois(path: &std::path::Path, arguments: Map<String, Value>) -> Result<Value, Failed> {
    let options: WhoisOptions = read(arguments)?;
    let mirror = Mirror::open_read_only(path).map_err(Failed::mirror)?;
    let found =
        whois::lookup(&mirror, &options.name, chrono::Utc::now()).map_err(|err| match err {
            WhoisError::Mirror(err) => Failed::mirror(err),
            other => Failed::invalid(format!("`name`: {other}")),
        })?;
    json_of(&found)
}

/// `value` as the tool's JSON answer.
fn json_of(value: &impl Serialize) -> Result<Value, Failed> {
    crate::workflow::to_json(value).map_err(Failed::from)
}

/// `fleet_changes`: a page of the changes.
fn changes(path: &std::path::Path, arguments: Map<String, Value>) -> Result<Value, Failed> {
    let options: changes::Options = read(arguments)?;
    let start = offset(options.cursor.as_deref())?;
    let mirror = Mirror::open_read_only(path).map_err(Failed::mirror)?;
    let found = changes::collect(&mirror, &options, chrono::Utc::now())?;
    let total = found.items.len();
    let (items, next_cursor) = page(found.items, start, options.limit);
    json_of(&ChangesPage {
        between: found.between,
        items,
        total,
        next_cursor,
    })
}

/// `fleet_access`: a page of who reaches what, or of what was granted or
/// revoked.
fn access(path: &std::path::Path, arguments: Map<String, Value>) -> Result<Value, Failed> {
    let options: access::Options = read(arguments)?;
    let start = offset(options.cursor.as_deref())?;
    let mirror = Mirror::open_read_only(path).map_err(Failed::mirror)?;
    let (between, items, total, next_cursor) = if options.changes {
        let found = access::collect_changes(&mirror, &options, chrono::Utc::now())?;
        let total = found.items.len();
        let (items, next) = page(found.items, start, options.limit);
        (
            Some(found.between),
            AccessItems::Changes(items),
            total,
            next,
        )
    } else {
        let found = access::collect(&mirror, &options)?;
        let total = found.len();
        let (items, next) = page(found, start, options.limit);
        (None, AccessItems::Now(items), total, next)
    };
    json_of(&AccessPage {
        between,
        items,
        total,
        next_cursor,
    })
}

/// `fleet_query`, within the tool's bounds.
fn query(
    path: &std::path::Path,
    arguments: Map<String, Value>,
    budget: Duration,
    stop: Arc<AtomicBool>,
) -> Result<Value, Failed> {
    let options: QueryOptions = read(arguments)?;
    let mut mirror = Mirror::open_read_only(path).map_err(Failed::mirror)?;
    let bounds = Bounds {
        max_rows: Some(usize::try_from(options.limit.max(1)).unwrap_or(usize::MAX)),
        max_cell_chars: Some(limits::MAX_CELL),
        max_bytes: Some(limits::MAX_ANSWER_BYTES),
        budget: Some(budget),
        stop: Some(stop),
    };
    let mut names: Option<Vec<String>> = None;
    let mut items = Vec::new();
    let outcome = query::execute(&mut mirror, &options.sql, &bounds, |columns, row| {
        let names = names.get_or_insert_with(|| query::unique_names(columns));
        items.push(
            names
                .iter()
                .cloned()
                .zip(row)
                .collect::<Map<String, Value>>(),
        );
        true
    })
    .map_err(|err| {
        let kind = match &err {
            QueryError::Writes | QueryError::Attach => "not_allowed",
            QueryError::OverBudget(_) => "timeout",
            QueryError::Stopped => "cancelled",
            QueryError::Mirror(_) => "mirror",
            QueryError::Empty
            | QueryError::TooLong(_)
            | QueryError::Several
            | QueryError::Invalid(_) => "invalid_arguments",
        };
        let message = match &err {
            // The command line points to `wpe fleet schema`; an agent has
            // the mirror's own catalogue.
            QueryError::Invalid(why) => format!(
                "SQLite did not take the statement: {why} (SELECT * FROM \
                 pragma_table_info('installs') lists a view's columns)"
            ),
            other => other.to_string(),
        };
        Failed::Tool {
            kind,
            message: format!("`sql`: {message}"),
        }
    })?;
    serde_json::to_value(QueryAnswer {
        columns: outcome.columns,
        items,
        truncated: outcome.truncated,
        cells_cut: outcome.cells_cut,
    })
    .map_err(|err| Failed::invalid(format!("the rows could not be written as JSON: {err}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_are_closed_and_bounded_and_outputs_compile() {
        for tool in TOOLS {
            let input = Value::Object(tool.input_schema());
            assert_eq!(input["type"], "object", "{}", tool.tool);
            assert_eq!(input["additionalProperties"], false, "{}", tool.tool);
            let text = input.to_string();
            assert!(
                !text.contains("$ref") && !text.contains("\"title\""),
                "{text}"
            );
            let output = Value::Object(tool.output_schema());
            jsonschema::validator_for(&output).unwrap_or_else(|err| panic!("{}: {err}", tool.tool));
        }
        let whois = Value::Object(TOOLS[0].input_schema());
        assert_eq!(whois["properties"]["name"]["maxLength"], MAX_NAME);
        assert_eq!(whois["required"], json!(["name"]));
        let query = Value::Object(TOOLS[1].input_schema());
        assert_eq!(query["properties"]["limit"]["maximum"], MAX_ROWS);
        assert_eq!(
            query["properties"]["sql"]["maxLength"],
            json!(query::MAX_SQL)
        );
    }

    #[tokio::test]
    async fn answers_and_failures_validate_against_the_output_schemas() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.sqlite");
        drop(crate::fleet::whois::fixture::mirror(&path));
        // A second snapshot in which the client account has nothing left
        // and the API user has a new SSH key: removals for
        // `fleet_changes`, access and a grant for `fleet_access`.
        crate::fleet::Mirror::open_for_sync(&path)
            .unwrap()
            .write(&crate::fleet::store::NewSnapshot {
                accounts: Some(vec![crate::fleet::whois::fixture::CLIENT.into()]),
                ..crate::fleet::store::testing::snapshot(vec![
                    crate::fleet::store::testing::record(
                        crate::fleet::store::Kind::SshKey,
                        "66917af4-17e4-4cb7-90e5-c277189d3c24",
                        None,
                        None,
                        json!({
                            "uuid": "66917af4-17e4-4cb7-90e5-c277189d3c24",
                            "comment": "dev@example.com",
                            "fingerprint": "be:86:90:2b:33:7b:1a:cd:8a:9e:55:64:d7:04:f3:29",
                            "created_at": "2026-11-27T14:30:08+00:00",
                        }),
                    ),
                ])
            })
            .unwrap();
        let budget = Duration::from_secs(3600);
        let validators: Vec<jsonschema::Validator> = TOOLS
            .iter()
            .map(|t| jsonschema::validator_for(&Value::Object(t.output_schema())).unwrap())
            .collect();
        let args = |value: Value| value.as_object().unwrap().clone();
        let cases = [
            (
                0,
                Ok(path.clone()),
                args(json!({"name": "torquemag.io"})),
                false,
            ),
            (
                0,
                Ok(path.clone()),
                args(json!({"name": "nowhere.example"})),
                false,
            ),
            (
                0,
                Ok(dir.path().join("none.sqlite")),
                args(json!({"name": "x"})),
                true,
            ),
            (
                1,
                Ok(path.clone()),
                args(json!({"sql": "SELECT * FROM installs", "limit": 2})),
                false,
            ),
            (
                1,
                Ok(path.clone()),
                args(json!({"sql": "DELETE FROM records"})),
                true,
            ),
            (
                1,
                Err("no data directory".to_owned()),
                args(json!({"sql": "SELECT 1"})),
                true,
            ),
            (2, Ok(path.clone()), args(json!({"limit": 2})), false),
            (2, Ok(path.clone()), args(json!({"from": 9})), true),
            (3, Ok(path.clone()), args(json!({"limit": 3})), false),
            (3, Ok(path.clone()), args(json!({"changes": true})), false),
            (
                3,
                Ok(path.clone()),
                args(json!({"install": "nowhere"})),
                true,
            ),
        ];
        for (index, mirror, arguments, error) in cases {
            let shown = Value::Object(arguments.clone());
            let result = TOOLS[index].run(&mirror, budget, arguments).await;
            assert_eq!(result.is_error, Some(error), "{shown}: {result:?}");
            let content = result.structured_content.unwrap();
            let problems: Vec<String> = validators[index]
                .iter_errors(&content)
                .map(|e| e.to_string())
                .collect();
            assert!(problems.is_empty(), "{shown}: {problems:?} in {content}");
        }
        let found = TOOLS[0]
            .run(
                &Ok(path.clone()),
                budget,
                args(json!({"name": "torquemag.io"})),
            )
            .await
            .structured_content
            .unwrap();
        assert_eq!(found["matches"][0]["install"]["name"], "torquemag");
        let page = TOOLS[1]
            .run(
                &Ok(path.clone()),
                budget,
                args(json!({"sql": "SELECT name, name FROM installs ORDER BY name", "limit": 1})),
            )
            .await
            .structured_content
            .unwrap();
        assert_eq!(page["columns"], json!(["name", "name"]));
        assert_eq!(
            page["items"][0],
            json!({"name": "torquemag", "name:2": "torquemag"})
        );
        assert_eq!(page["truncated"], true);
        let changed = TOOLS[2]
            .run(&Ok(path.clone()), budget, args(json!({"limit": 1})))
            .await
            .structured_content
            .unwrap();
        assert_eq!(changed["items"].as_array().unwrap().len(), 1, "{changed}");
        assert!(changed["total"].as_u64().unwrap() > 1, "{changed}");
        assert_eq!(changed["next_cursor"], "offset:1", "{changed}");
        assert_eq!(changed["items"][0]["change"], "added", "{changed}");
        assert_eq!(changed["items"][0]["kind"], "ssh_key", "{changed}");
        let granted = TOOLS[3]
            .run(&Ok(path.clone()), budget, args(json!({"changes": true})))
            .await
            .structured_content
            .unwrap();
        assert_eq!(granted["items"][0]["change"], "granted", "{granted}");
        assert_eq!(granted["items"][0]["who"], "dev@example.com", "{granted}");
        let reach = TOOLS[3]
            .run(&Ok(path), budget, args(json!({"limit": 1})))
            .await
            .structured_content
            .unwrap();
        assert_eq!(reach["items"].as_array().unwrap().len(), 1, "{reach}");
        assert!(reach["total"].as_u64().unwrap() > 1, "{reach}");
        assert_eq!(reach["items"][0]["account"], "demoagency", "{reach}");
    }
}
