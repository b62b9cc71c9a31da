//! The workflow tools of `wpe mcp`: the CLI's hand-written commands as
//! tools. Each takes its command's typed options: the tool's input schema
//! is derived from the options' type (schemars), a call's arguments are
//! read into that type by serde (never through the command line's parser,
//! so no value is ever read as a flag), and the command's own code runs it.
//! Each declares the type of its answer as its output schema
//! ([`answer::output_schema`]).

use schemars::generate::SchemaSettings;
use schemars::transform::RecursiveTransform;
use schemars::{JsonSchema, Schema};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};
use wpe_api::Client;

use super::{answer, Access, Cursor};
use crate::audit;
use crate::error::CliError;
use crate::inventory;
use crate::report;
use crate::workflow::{self, to_json, BackupOptions};

/// Which command a workflow tool runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Runs {
    /// `wpe inventory`.
    Inventory,
    /// `wpe audit`.
    Audit,
    /// `wpe report usage`.
    ReportUsage,
    /// `wpe backup --wait`.
    BackupAndWait,
}

/// A CLI command offered as a tool.
pub struct Workflow {
    /// The tool's name.
    pub tool: &'static str,
    /// The tool's title.
    pub title: &'static str,
    /// What it does, for the agent.
    pub description: &'static str,
    /// The command it runs.
    runs: Runs,
    /// Options offered only when writes are allowed (`refresh` starts a
    /// measurement): with them offered, the tool is no longer read-only.
    writes: &'static [&'static str],
    /// The mode that allows the tool.
    pub access: Access,
}

/// The workflow tools.
pub const WORKFLOWS: &[Workflow] = &[
    Workflow {
        tool: "inventory",
        title: "Every account, site and install",
        description: "Every account, site and install the credentials can see, sorted by \
                      account, site and install: a row per install (account, site, install, \
                      environment, status, primary domain, PHP version, cname and IDs) and a \
                      row for each account or site without installs. `account` narrows it to \
                      one account (by name or ID). Answers a page (`limit`, 100 by default), \
                      `total` and `next_cursor`: pass it as `cursor` for the next page.",
        runs: Runs::Inventory,
        writes: &[],
        access: Access::Read,
    },
    Workflow {
        tool: "audit",
        title: "What needs attention across installs",
        description: "Checks every install (or one account's) and answers what needs \
                      attention, most severe first: certificates expired (critical) or \
                      expiring within `cert_days`, PHP older than `min_php`, no completed backup \
                      newer than `backup_days`, domains awaiting TXT verification, installs not \
                      active. Each finding has a `fix`, often a tool call. Answers the counts \
                      per severity and a page of findings (`limit`, 100 by default) with \
                      `next_cursor` (the next page runs the audit again).",
        runs: Runs::Audit,
        writes: &[],
        access: Access::Read,
    },
    Workflow {
        tool: "report_usage",
        title: "Usage against plan limits, per account",
        description: "Usage per account over a period (the previous month unless `month`, \
                      `quarter` or `from` and `to` say otherwise; the API keeps 13 months): \
                      visits, billable visits, bandwidth and storage against the plan's \
                      limits, with `flag` over (>100 %), warning (>80 %) or stale (storage not \
                      measured), storage as files and database, and each account's installs. \
                      `only_flagged` or `min_percent` (e.g. 90) keep only those accounts. \
                      Figures are exact bytes. `refresh` (only when writes are allowed) \
                      measures stale storage again and waits for it.",
        runs: Runs::ReportUsage,
        writes: &["refresh"],
        access: Access::Read,
    },
    Workflow {
        tool: "backup_and_wait",
        title: "Back up an install and wait for it",
        description: "Takes a backup of an install (by name or ID) and waits until it is \
                      completed (up to `timeout` seconds): the backup as it ended. An aborted \
                      backup is a `job_failed` error; running out of time a `timeout` error \
                      (the backup goes on: `show_backup` follows it).",
        runs: Runs::BackupAndWait,
        writes: &[],
        access: Access::Write,
    },
];

/// What the `inventory` tool answers: a page of the rows, as a list.
#[derive(Debug, Serialize, JsonSchema)]
struct Inventory {
    /// The rows of this page, sorted by account, site and install.
    items: Vec<inventory::Row>,
    /// How many rows there are in all.
    total: usize,
    /// Where the next page starts, while there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_cursor: Option<String>,
    /// With `from_mirror`: the mirror's snapshot the rows come from, and its age.
    #[serde(skip_serializing_if = "Option::is_none")]
    mirror: Option<crate::fleet::current::Source>,
}

impl Workflow {
    /// The input schema in a server started with `allowed`: the properties
    /// of the command's options type, but the options that need writes when
    /// they are not allowed.
    pub fn input_schema(&self, allowed: Access) -> Map<String, Value> {
        let mut schema = match self.runs {
            Runs::Inventory => input_of::<inventory::Options>(),
            Runs::Audit => input_of::<audit::Options>(),
            Runs::ReportUsage => input_of::<report::UsageOptions>(),
            Runs::BackupAndWait => input_of::<BackupOptions>(),
        };
        if allowed < Access::Write {
            if let Some(Value::Object(properties)) = schema.get_mut("properties") {
                for option in self.writes {
                    properties.remove(*option);
                }
            }
        }
        schema
    }

    /// The output schema: the type of the command's answer, or a tool error.
    pub fn output_schema(&self) -> Map<String, Value> {
        answer::output_schema(match self.runs {
            Runs::Inventory => output_of::<Inventory>(),
            Runs::Audit => output_of::<audit::Audit>(),
            Runs::ReportUsage => output_of::<report::UsageReport>(),
            Runs::BackupAndWait => output_of::<wpe_api::types::Backup>(),
        })
    }

    /// Whether a server started with `allowed` offers the tool with a way to
    /// change something (its own access, or an option such as `refresh`):
    /// then it is neither read-only nor idempotent.
    pub fn changes_things(&self, allowed: Access) -> bool {
        self.access >= Access::Write || (!self.writes.is_empty() && allowed >= Access::Write)
    }

    /// Runs the tool with `arguments`, already checked against its input
    /// schema: read into the command's options by serde, then run by the
    /// command's code (`demo`: a server of the demo stand-in, whose mirror
    /// is the demo's).
    pub async fn run(
        &self,
        client: &Client,
        demo: bool,
        arguments: Map<String, Value>,
    ) -> Result<Value, CliError> {
        match self.runs {
            Runs::Inventory => {
                let options: inventory::Options = read(arguments)?;
                let start = offset(options.cursor.as_deref())?;
                let (rows, mirror) = inventory::collect(client, demo, &options).await?;
                let total = rows.len();
                let (items, next_cursor) = page(rows, start, options.limit);
                to_json(&Inventory {
                    items,
                    total,
                    next_cursor,
                    mirror,
                })
            }
            Runs::Audit => {
                let options: audit::Options = read(arguments)?;
                let start = offset(options.cursor.as_deref())?;
                let mut audit = audit::collect(client, demo, &options).await?;
                let findings = std::mem::take(&mut audit.findings);
                (audit.findings, audit.next_cursor) = page(findings, start, options.limit);
                to_json(&audit)
            }
            Runs::ReportUsage => to_json(&report::collect(client, demo, &read(arguments)?).await?),
            Runs::BackupAndWait => {
                let options = BackupOptions {
                    wait: true,
                    ..read(arguments)?
                };
                to_json(&workflow::backup_value(client, &options).await?)
            }
        }
    }
}

/// Where a page starts: 0 without a cursor, else the offset the cursor of
/// the page before names (`offset:100`, as a list tool's).
pub(super) fn offset(cursor: Option<&str>) -> Result<usize, CliError> {
    let Some(cursor) = cursor else {
        return Ok(0);
    };
    let offset = Cursor::offset("this tool", cursor)?;
    usize::try_from(offset).map_err(|_| Cursor::refused("this tool", cursor))
}

/// At most `limit` of `items` from `start`, and the cursor of the next page
/// while there is one.
pub(super) fn page<T>(items: Vec<T>, start: usize, limit: u32) -> (Vec<T>, Option<String>) {
    let total = items.len();
    let limit = usize::try_from(limit.max(1)).unwrap_or(usize::MAX);
    let page: Vec<T> = items.into_iter().skip(start).take(limit).collect();
    let end = start.saturating_add(page.len());
    let next = (end < total)
        .then(|| Cursor::Offset(u64::try_from(end).unwrap_or(u64::MAX)).text())
        .flatten();
    (page, next)
}

/// `arguments` as the options `T`; a value that does not read is an
/// invalid argument named by its property.
pub(super) fn read<T: DeserializeOwned>(arguments: Map<String, Value>) -> Result<T, CliError> {
    serde_path_to_error::deserialize(Value::Object(arguments)).map_err(|err| {
        let property = err.path().to_string();
        CliError::Usage(format!("`{property}`: {}", err.inner()))
    })
}

/// Schema settings for a tool's schemas: JSON Schema 2020-12, inline (no
/// `$defs`), without a `$schema` key or titles, to keep them short.
fn settings() -> SchemaSettings {
    let mut settings =
        SchemaSettings::draft2020_12().with_transform(RecursiveTransform(|schema: &mut Schema| {
            schema.remove("title");
            // Rust's number widths (`uint16`, `double`) mean nothing to an agent.
            let numeric = |t: &Value| matches!(t.as_str(), Some("integer" | "number"));
            let is_number = match schema.get("type") {
                Some(Value::Array(types)) => types.iter().any(numeric),
                Some(one) => numeric(one),
                None => false,
            };
            if is_number {
                schema.remove("format");
            }
        }));
    settings.meta_schema = None;
    settings.inline_subschemas = true;
    settings
}

/// The input schema of options `T`: what serde reads. An option left out
/// takes its default, so null is not offered.
pub(super) fn input_of<T: JsonSchema>() -> Map<String, Value> {
    let schema = settings()
        .for_deserialize()
        .with_transform(RecursiveTransform(|schema: &mut Schema| {
            if let Some(Value::Array(types)) = schema.get("type") {
                let types: Vec<Value> = types.iter().filter(|t| *t != "null").cloned().collect();
                if let [one] = types.as_slice() {
                    schema.insert("type".into(), one.clone());
                }
            }
        }))
        .into_generator()
        .into_root_schema_for::<T>();
    match root(schema) {
        Value::Object(object) => object,
        other => panic!("the options of a workflow are an object, not {other}"),
    }
}

/// The schema of an answer `T`: what serde writes. Its shape only: what
/// the fields mean is the tool's description (the types' documentation is
/// for the code), which keeps `tools/list` short.
pub(super) fn output_of<T: JsonSchema>() -> Value {
    root(
        settings()
            .for_serialize()
            .with_transform(RecursiveTransform(|schema: &mut Schema| {
                schema.remove("description");
                schema.remove("default");
            }))
            .into_generator()
            .into_root_schema_for::<T>(),
    )
}

/// A root schema without its description: the type's documentation, for
/// the code; the tool's description speaks to the agent.
fn root(mut schema: Schema) -> Value {
    schema.remove("description");
    schema.to_value()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mcp::limits::{MAX_NAME, MAX_TEXT};

    fn workflow(tool: &str) -> &'static Workflow {
        WORKFLOWS.iter().find(|w| w.tool == tool).unwrap()
    }

    #[test]
    fn refresh_is_offered_only_when_writes_are_and_then_the_tool_changes_things() {
        let report = workflow("report_usage");
        let read = report.input_schema(Access::Read);
        assert!(read["properties"].get("refresh").is_none());
        assert!(read["properties"].get("month").is_some());
        assert!(!report.changes_things(Access::Read));
        let write = report.input_schema(Access::Write);
        assert_eq!(write["properties"]["refresh"]["type"], "boolean");
        assert!(report.changes_things(Access::Write));
        let audit = workflow("audit").input_schema(Access::Read);
        assert_eq!(audit["properties"]["cert_days"]["type"], "integer");
        assert_eq!(audit["properties"]["cert_days"]["default"], 30);
        assert_eq!(audit["properties"]["cert_days"]["maximum"], 3650);
        assert_eq!(audit["properties"]["min_php"]["default"], "8.1");
        assert!(audit["properties"].get("fail_on").is_none());
        assert!(!workflow("audit").changes_things(Access::Destructive));
    }

    /// Every property of every input schema, with its path.
    fn properties(schema: &Value, path: &str, out: &mut Vec<(String, Value)>) {
        if let Some(Value::Object(properties)) = schema.get("properties") {
            for (name, property) in properties {
                let path = format!("{path}/{name}");
                out.push((path.clone(), property.clone()));
                properties_of_items(property, &path, out);
            }
        }
    }

    fn properties_of_items(schema: &Value, path: &str, out: &mut Vec<(String, Value)>) {
        if let Some(items) = schema.get("items") {
            out.push((format!("{path}[]"), items.clone()));
            properties(items, path, out);
        }
        properties(schema, path, out);
    }

    #[test]
    fn inputs_are_closed_bounded_and_compact() {
        for workflow in WORKFLOWS {
            let schema = Value::Object(workflow.input_schema(Access::Destructive));
            let name = workflow.tool;
            assert_eq!(schema["type"], "object", "{name}");
            assert_eq!(schema["additionalProperties"], false, "{name}");
            let text = schema.to_string();
            for noise in [
                "$schema",
                "\"title\"",
                "$defs",
                "$ref",
                "uint",
                "int64",
                "--",
            ] {
                assert!(!text.contains(noise), "{name}: {noise} in {text}");
            }
            let mut all = Vec::new();
            properties(&schema, "", &mut all);
            assert!(!all.is_empty(), "{name}");
            for (path, property) in all {
                match property["type"].as_str() {
                    Some("string") => {
                        let max = property["maxLength"].as_u64();
                        assert!(
                            max.is_some_and(|max| max <= MAX_TEXT),
                            "{name}{path}: a string without maxLength: {property}"
                        );
                    }
                    Some("integer" | "number") => assert!(
                        property.get("maximum").is_some(),
                        "{name}{path}: a number without a maximum: {property}"
                    ),
                    Some("array") => assert!(
                        property.get("maxItems").is_some(),
                        "{name}{path}: an array without maxItems: {property}"
                    ),
                    Some("boolean") => {}
                    other => panic!("{name}{path}: type {other:?}: {property}"),
                }
            }
        }
        let install =
            &workflow("backup_and_wait").input_schema(Access::Write)["properties"]["install"];
        assert_eq!(install["maxLength"], MAX_NAME);
    }

    #[test]
    fn the_command_lines_flags_and_the_tools_properties_are_the_same_options() {
        // What each side leaves out, by design: the rest is one list.
        let cases: [(&str, clap::Command, &[&str], &[&str]); 4] = [
            (
                "inventory",
                crate::inventory::command(),
                &["sort", "db"],
                &["limit", "cursor"],
            ),
            (
                "audit",
                crate::audit::command(),
                &["fail_on", "db"],
                &["limit", "cursor"],
            ),
            (
                "report_usage",
                crate::cli::command()
                    .find_subcommand("report")
                    .and_then(|r| r.find_subcommand("usage"))
                    .cloned()
                    .unwrap(),
                &["db"],
                &[],
            ),
            (
                "backup_and_wait",
                crate::cli::command()
                    .find_subcommand("backup")
                    .cloned()
                    .unwrap(),
                &["wait"],
                &[],
            ),
        ];
        for (tool, command, only_cli, only_mcp) in cases {
            let mut flags: Vec<String> = command
                .get_arguments()
                .filter(|a| !a.is_global_set())
                .map(|a| a.get_id().to_string())
                .filter(|id| !matches!(id.as_str(), "help" | "json" | "format" | "demo"))
                .filter(|id| !only_cli.contains(&id.as_str()))
                .collect();
            flags.sort();
            let schema = workflow(tool).input_schema(Access::Destructive);
            let mut properties: Vec<String> = schema["properties"]
                .as_object()
                .unwrap()
                .keys()
                .filter(|p| !only_mcp.contains(&p.as_str()))
                .cloned()
                .collect();
            properties.sort();
            assert_eq!(flags, properties, "{tool}");
        }
    }

    #[test]
    fn outputs_admit_the_answer_or_an_error_and_compile() {
        for workflow in WORKFLOWS {
            let schema = Value::Object(workflow.output_schema());
            assert_eq!(schema["type"], "object", "{}", workflow.tool);
            let text = schema.to_string();
            assert!(
                !text.contains("$schema") && !text.contains("\"title\""),
                "{text}"
            );
            jsonschema::validator_for(&schema)
                .unwrap_or_else(|err| panic!("{}: {err}", workflow.tool));
        }
    }

    #[test]
    fn pages_cover_the_rows_once_and_a_foreign_cursor_is_refused() {
        let rows: Vec<u32> = (0..250).collect();
        let mut seen = Vec::new();
        let mut start = 0;
        loop {
            let (page, next) = page(rows.clone(), start, 100);
            seen.extend(page);
            match next {
                Some(cursor) => start = offset(Some(&cursor)).unwrap(),
                None => break,
            }
        }
        assert_eq!(seen, rows);
        assert_eq!(page(rows.clone(), 300, 100), (Vec::new(), None));
        assert_eq!(offset(None).unwrap(), 0);
        for bad in ["100", "offset:", "offset:-1", "token:x", &"x".repeat(1000)] {
            let err = offset(Some(bad)).unwrap_err().to_string();
            assert!(err.starts_with("`cursor`:") && err.len() < 300, "{err}");
        }
    }

    #[test]
    fn a_value_that_does_not_read_names_its_property() {
        let arguments = serde_json::json!({"month": "2026-13"});
        let err = read::<report::UsageOptions>(arguments.as_object().unwrap().clone())
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("`month`: `2026-13` is not a month"),
            "{err}"
        );
        let arguments = serde_json::json!({"min_percent": 92.555});
        let err = read::<report::UsageOptions>(arguments.as_object().unwrap().clone())
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("`min_percent`:"), "{err}");
        let arguments = serde_json::json!({"min_percent": 92.5, "account": ["a"]});
        let options: report::UsageOptions = read(arguments.as_object().unwrap().clone()).unwrap();
        assert_eq!(options.account, ["a"]);
    }
}
