//! Which tools `wpe mcp` lists: `--toolsets` and `--tools`.
//!
//! Every tool an agent is offered costs context on each of its turns, so
//! the server lists a part of them unless told otherwise:
//!
//! - **Toolsets** are the CLI's command groups, one per resource of the
//!   operation table (`installs`, `account-users`, `ssh-keys`, ...), then
//!   `workflows` (`inventory`, `audit`, `report_usage`, `backup_and_wait`),
//!   `fleet` ([`super::fleet`]: `fleet_whois`, `fleet_query`, answered from
//!   the local mirror) and `dynamic` ([`super::dynamic`]: `search_operations`,
//!   `describe_operation`, `call_operation`). `all` names every toolset but
//!   `dynamic`; `default` names [`DEFAULT_TOOLSETS`].
//! - `--toolsets` and `--tools` add up; with neither, `default` is listed.
//!   A name neither knows is a usage error that lists the valid ones.
//! - **Listing is not permission.** A tool is listed when it is selected
//!   and the access flags allow it; the flags alone decide what runs. When
//!   the listing leaves out a tool the flags allow, the dynamic tools are
//!   listed too, so that every allowed tool stays reachable: found by
//!   `search_operations`, described by `describe_operation`, run by
//!   `call_operation` (or called by its name, as a client may).

use std::collections::BTreeSet;
use std::io::{self, Write};

use clap::builder::PossibleValuesParser;
use clap::{Arg, ArgAction, ArgMatches};
use wpe_api::operations::OPERATIONS;

use super::{dynamic, fleet, workflows, Access, Entry, Runs};
use crate::commands;

/// The id of `--toolsets`.
pub const TOOLSETS: &str = "toolsets";
/// The id of `--tools`.
pub const TOOLS: &str = "tools";
/// The id of `--list-toolsets`.
pub const LIST_TOOLSETS: &str = "list-toolsets";

/// Every toolset but `dynamic`.
pub const ALL: &str = "all";
/// The toolsets listed when `--toolsets` and `--tools` are not given.
pub const DEFAULT: &str = "default";
/// The workflow tools.
pub const WORKFLOWS: &str = "workflows";
/// The tools that read the local mirror of the fleet.
pub const FLEET: &str = "fleet";
/// The tools that find, describe and call the others.
pub const DYNAMIC: &str = "dynamic";

/// What `default` stands for: an overview (the workflows, which cover
/// accounts and sites too) and the installs, where most work happens.
/// Everything else is reached through the dynamic tools, listed beside
/// them; with the output schemas, more would pass the 16 KB a default
/// listing may weigh (`the_default_listing_and_the_dynamic_one_stay_small`).
/// Not `fleet`: its tools answer only once the user has run `wpe fleet
/// sync`, which most have not; an agent whose user has finds them through
/// `search_operations` (or the user lists them with `--toolsets
/// default,fleet`).
pub const DEFAULT_TOOLSETS: &[&str] = &["installs", WORKFLOWS];

/// The toolsets, each with its tools, in the order `--list-toolsets`
/// prints them: a group per resource in table order, then `workflows`,
/// `fleet` and `dynamic`.
pub fn toolsets() -> Vec<(String, Vec<&'static str>)> {
    let mut sets: Vec<(String, Vec<&'static str>)> = commands::resources()
        .into_iter()
        .map(|resource| {
            let tools = OPERATIONS
                .iter()
                .filter(|op| op.resource == resource)
                .map(|op| op.id)
                .collect();
            (commands::group_name(resource), tools)
        })
        .collect();
    sets.push((
        WORKFLOWS.to_owned(),
        workflows::WORKFLOWS.iter().map(|w| w.tool).collect(),
    ));
    sets.push((
        FLEET.to_owned(),
        fleet::TOOLS.iter().map(|t| t.tool).collect(),
    ));
    sets.push((DYNAMIC.to_owned(), dynamic::TOOLS.to_vec()));
    sets
}

/// The names `--toolsets` takes: every toolset, then `all` and `default`.
fn toolset_names() -> Vec<String> {
    let mut names: Vec<String> = toolsets().into_iter().map(|(name, _)| name).collect();
    names.extend([ALL.to_owned(), DEFAULT.to_owned()]);
    names
}

/// The names `--tools` takes: every tool.
fn tool_names() -> Vec<&'static str> {
    toolsets()
        .into_iter()
        .flat_map(|(_, tools)| tools)
        .collect()
}

/// The toolset of the tool called `name`, if there is one.
pub fn toolset_of(name: &str) -> Option<String> {
    toolsets()
        .into_iter()
        .find(|(_, tools)| tools.contains(&name))
        .map(|(set, _)| set)
}

/// The arguments of `wpe mcp` that choose what is listed. Clap checks the
/// names: an unknown one is a usage error (exit 2) listing the valid ones.
pub fn args() -> [Arg; 3] {
    [
        Arg::new(TOOLSETS)
            .long(TOOLSETS)
            .value_name("NAME,...")
            .value_delimiter(',')
            .action(ArgAction::Append)
            .value_parser(PossibleValuesParser::new(toolset_names()))
            .help(format!(
                "List these toolsets (default: {}; `all`: every one but `dynamic`); \
                 --list-toolsets shows their tools",
                DEFAULT_TOOLSETS.join(",")
            )),
        Arg::new(TOOLS)
            .long(TOOLS)
            .value_name("NAME,...")
            .value_delimiter(',')
            .action(ArgAction::Append)
            .value_parser(PossibleValuesParser::new(tool_names()))
            .hide_possible_values(true)
            .help("Also list these tools, by name (list_installs,purge_cache)"),
        Arg::new(LIST_TOOLSETS)
            .long(LIST_TOOLSETS)
            .action(ArgAction::SetTrue)
            .help("Print the toolsets and their tools, then exit"),
    ]
}

/// The tools chosen by `--toolsets` and `--tools`, by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    tools: BTreeSet<&'static str>,
}

impl Selection {
    /// The selection of a command line: [`DEFAULT`] when it names neither
    /// toolsets nor tools.
    pub fn from_matches(matches: &ArgMatches) -> Selection {
        let names = |id: &str| -> Vec<String> {
            matches
                .get_many::<String>(id)
                .map(|values| values.cloned().collect())
                .unwrap_or_default()
        };
        let (toolsets, tools) = (names(TOOLSETS), names(TOOLS));
        let toolsets: Vec<&str> = if toolsets.is_empty() && tools.is_empty() {
            vec![DEFAULT]
        } else {
            toolsets.iter().map(String::as_str).collect()
        };
        let tools: Vec<&str> = tools.iter().map(String::as_str).collect();
        Selection::of(&toolsets, &tools)
    }

    /// The tools of `toolsets` and the `tools` named. Names are those clap
    /// checked; one that names nothing selects nothing.
    pub fn of(toolsets: &[&str], tools: &[&str]) -> Selection {
        let all = self::toolsets();
        let mut chosen = BTreeSet::new();
        let mut add = |set: &str| {
            for (name, members) in &all {
                let wanted = match set {
                    ALL => name != DYNAMIC,
                    DEFAULT => DEFAULT_TOOLSETS.contains(&name.as_str()),
                    set => name == set,
                };
                if wanted {
                    chosen.extend(members.iter().copied());
                }
            }
        };
        toolsets.iter().for_each(|set| add(set));
        let names = tool_names();
        chosen.extend(names.into_iter().filter(|name| tools.contains(name)));
        Selection { tools: chosen }
    }

    /// Whether the tool called `name` is selected.
    pub fn selects(&self, name: &str) -> bool {
        self.tools.contains(name)
    }
}

/// Whether `entry` is one of the dynamic tools.
fn is_dynamic(entry: &Entry) -> bool {
    matches!(entry.runs, Runs::Dynamic(_))
}

/// The entries a server started with `allowed` and `selection` lists, in
/// their order: each selected one the flags allow, and the dynamic tools
/// also when an allowed tool is left out.
pub(super) fn listed<'e>(
    entries: &'e [Entry],
    allowed: Access,
    selection: &Selection,
) -> impl Iterator<Item = &'e Entry> {
    let left_out = entries
        .iter()
        .any(|e| !is_dynamic(e) && e.access <= allowed && !selection.selects(&e.tool.name));
    let selection = selection.clone();
    entries.iter().filter(move |e| {
        if is_dynamic(e) {
            left_out || selection.selects(&e.tool.name)
        } else {
            e.access <= allowed && selection.selects(&e.tool.name)
        }
    })
}

/// `--list-toolsets`: each toolset and its tools, for a person; the tools
/// that need a flag are marked.
pub fn print(out: &mut impl Write) -> io::Result<()> {
    let sets = toolsets();
    let width = sets.iter().map(|(name, _)| name.len()).max().unwrap_or(0) + 2;
    writeln!(
        out,
        "Toolsets of `wpe mcp --toolsets NAME,...` (* in `default`; `all` is every one but `dynamic`):\n"
    )?;
    for (name, tools) in &sets {
        let mark = if DEFAULT_TOOLSETS.contains(&name.as_str()) {
            "*"
        } else {
            " "
        };
        let mut line = format!("{mark} {name:<width$}");
        let indent = line.len();
        let mut first = true;
        for tool in tools {
            let marked = match access_of(tool) {
                Access::Read => (*tool).to_owned(),
                Access::Write => format!("{tool} (w)"),
                Access::Destructive => format!("{tool} (d)"),
            };
            if !first && line.len() + 2 + marked.len() > 100 {
                writeln!(out, "{},", line.trim_end())?;
                line = " ".repeat(indent);
                first = true;
            }
            if !first {
                line.push_str(", ");
            }
            line.push_str(&marked);
            first = false;
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    writeln!(
        out,
        "\n(w) needs --allow-writes; (d) needs --allow-writes --allow-destructive.\n\
         --tools NAME,... adds single tools. A toolset chooses what tools/list shows, not what\n\
         may run: when an allowed tool is not listed, the dynamic tools are listed too and reach it."
    )
}

/// The access of the tool called `name` (a dynamic tool reads; the tool
/// `call_operation` runs is checked on its own).
fn access_of(name: &str) -> Access {
    if let Some(op) = wpe_api::operations::find(name) {
        return Access::of(op);
    }
    workflows::WORKFLOWS
        .iter()
        .find(|w| w.tool == name)
        .map_or(Access::Read, |w| w.access)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tool_is_in_one_toolset_and_the_default_ones_exist() {
        let sets = toolsets();
        let names = tool_names();
        let unique: BTreeSet<&str> = names.iter().copied().collect();
        assert_eq!(unique.len(), names.len(), "a tool is in two toolsets");
        assert_eq!(
            names.len(),
            OPERATIONS.len()
                + workflows::WORKFLOWS.len()
                + fleet::TOOLS.len()
                + dynamic::TOOLS.len()
        );
        for set in DEFAULT_TOOLSETS {
            assert!(sets.iter().any(|(name, _)| name == set), "{set}");
        }
        assert_eq!(toolset_of("purge_cache").as_deref(), Some("cache"));
        assert_eq!(
            toolset_of("list_account_users").as_deref(),
            Some("account-users")
        );
        assert_eq!(toolset_of("audit").as_deref(), Some(WORKFLOWS));
        assert_eq!(toolset_of("fleet_whois").as_deref(), Some(FLEET));
        assert_eq!(toolset_of("nothing"), None);
        for name in toolset_names() {
            assert!(!name.contains(','), "{name}");
        }
    }

    #[test]
    fn toolsets_and_tools_add_up() {
        let default = Selection::of(&[DEFAULT], &[]);
        assert!(default.selects("list_installs") && default.selects("inventory"));
        assert!(!default.selects("purge_cache") && !default.selects("search_operations"));
        let cache = Selection::of(&["cache"], &["get_site"]);
        assert!(cache.selects("purge_cache") && cache.selects("get_site"));
        assert!(!cache.selects("list_installs"));
        let all = Selection::of(&[ALL], &[]);
        assert!(all.selects("delete_install") && all.selects("backup_and_wait"));
        assert!(all.selects("fleet_query") && !default.selects("fleet_query"));
        let fleet = Selection::of(&[FLEET], &[]);
        assert_eq!(fleet.tools.len(), fleet::TOOLS.len());
        assert!(!all.selects("call_operation"));
        let dynamic = Selection::of(&[DYNAMIC], &[]);
        assert_eq!(dynamic.tools.len(), dynamic::TOOLS.len());
    }

    /// The bytes of the tools/list answer of a server started with
    /// `allowed` that lists `selection`.
    fn listing_bytes(allowed: Access, selection: &Selection) -> usize {
        let entries = super::super::entries(allowed, 25);
        let tools = listed(&entries, allowed, selection)
            .map(|e| e.tool.clone())
            .collect();
        let result = rmcp::model::ListToolsResult::with_all_items(tools);
        serde_json::to_vec(&result).unwrap().len()
    }

    /// What every agent turn pays for: the default read-only listing stays
    /// within 16 KiB and the dynamic one within 4 KiB (issue 35; the bench
    /// prints every mode's).
    #[test]
    fn the_default_listing_and_the_dynamic_one_stay_small() {
        let default = listing_bytes(Access::Read, &Selection::of(&[DEFAULT], &[]));
        assert!(default <= 16 * 1024, "default read-only: {default} bytes");
        let dynamic = listing_bytes(Access::Destructive, &Selection::of(&[DYNAMIC], &[]));
        assert!(dynamic <= 4 * 1024, "dynamic: {dynamic} bytes");
        // Against what it saves: every tool, every flag.
        let all = listing_bytes(Access::Destructive, &Selection::of(&[ALL], &[]));
        assert!(
            default * 3 < all && dynamic * 10 < all,
            "{default} {dynamic} {all}"
        );
    }

    /// The README's table of toolsets names every one, marks the default
    /// ones and lists their tools.
    #[test]
    fn the_readme_tells_the_toolsets_as_they_are() {
        let readme = include_str!("../../../README.md");
        for (name, tools) in toolsets() {
            assert!(readme.contains(&format!("`{name}`")), "{name}");
            if DEFAULT_TOOLSETS.contains(&name.as_str()) {
                let row = format!("| `{name}` \\* | ");
                let line = readme
                    .lines()
                    .find(|line| line.trim_start().starts_with(&row))
                    .unwrap_or_else(|| panic!("no row {row}"));
                for tool in tools {
                    assert!(line.contains(&format!("`{tool}`")), "{name}: {tool}");
                }
            }
        }
    }

    #[test]
    fn the_listing_of_toolsets_names_every_tool_and_marks_the_flags() {
        let mut out = Vec::new();
        print(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        for name in tool_names() {
            assert!(text.contains(name), "{name}");
        }
        assert!(text.contains("* installs"), "{text}");
        assert!(text.contains("purge_cache (w)"), "{text}");
        assert!(text.contains("delete_install (d)"), "{text}");
    }
}
