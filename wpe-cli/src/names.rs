//! Names for IDs: wherever an install, site or account ID is expected, its
//! name works too; a domain's ID takes the domain's name (within its
//! install), and an account user's ID the user's email (within the
//! account). Names are looked up through the API (the lists' page streams).

use std::collections::HashMap;

use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt};
use serde_json::Value;
use uuid::Uuid;
use wpe_api::{Client, Paginate};

use crate::error::CliError;
use crate::mcp::limits::{quote, MAX_NAME};
use crate::progress::spinner;
use crate::surface::Surface;

/// What a name names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An install (WP Engine's environment), e.g. `torquemag`.
    Install,
    /// A site, the group of an install's environments.
    Site,
    /// An account.
    Account,
    /// A domain of an install, by its name (`www.example.com`).
    Domain,
    /// A user of an account, by their email address.
    User,
}

impl Kind {
    /// The noun for messages: `install`, `site`, `account`.
    pub fn noun(self) -> &'static str {
        match self {
            Kind::Install => "install",
            Kind::Site => "site",
            Kind::Account => "account",
            Kind::Domain => "domain",
            Kind::User => "account user",
        }
    }

    /// What a name of this kind is called in messages: `name`, or `email`.
    pub fn name_word(self) -> &'static str {
        match self {
            Kind::User => "email",
            _ => "name",
        }
    }

    /// The kind a domain or a user belongs to (their lists are per install
    /// and per account); `None` for the others.
    pub fn parent(self) -> Option<Kind> {
        match self {
            Kind::Domain => Some(Kind::Install),
            Kind::User => Some(Kind::Account),
            _ => None,
        }
    }
}

/// One candidate of a lookup: its ID, its name, and where it belongs.
struct Candidate {
    id: String,
    name: String,
    context: String,
}

/// `value` as an ID: itself when it is a UUID, else the ID of the one
/// `kind` of that name. An unknown name is a usage error that lists close
/// names; a name several share is one that lists them with their IDs.
/// A domain or a user needs the ID of the install or account it is in
/// (`parent`).
///
/// The lookup walks the kind's list. Install names are unique on WP Engine
/// (each is also a `wpengine.com` subdomain), so an install lookup stops at
/// the first match; site and account names are not, so their lists are read
/// to the end to find every match. A walk shows its progress on a terminal.
pub async fn resolve(client: &Client, kind: Kind, value: &str) -> Result<String, CliError> {
    resolve_in(client, kind, value, None).await
}

/// [`resolve`] for a kind that lives inside another: a domain inside the
/// install `parent`, a user inside the account `parent`.
pub async fn resolve_in(
    client: &Client,
    kind: Kind,
    value: &str,
    parent: Option<&str>,
) -> Result<String, CliError> {
    if Uuid::parse_str(value).is_ok() {
        return Ok(value.to_owned());
    }
    // What cannot be an install's name (the spec's InstallName), even in
    // lower case, names none: nothing is looked up.
    if kind == Kind::Install
        && (value.len() as u64 > MAX_NAME
            || value
                .to_lowercase()
                .parse::<wpe_api::types::InstallName>()
                .is_err())
    {
        return Err(CliError::NotFound(NotFound {
            kind,
            quoted: quote(value),
            why: Why::NotAName,
        }));
    }
    let progress = spinner(format!("looking up {} {}", kind.noun(), quote(value)));
    let mut candidates = Vec::new();
    let mut walk = candidates_of(client, kind, parent)?;
    while let Some(candidate) = walk.try_next().await? {
        let found = candidate.name == value;
        candidates.push(candidate);
        progress.set_message(format!(
            "looking up {} {}: {} read",
            kind.noun(),
            quote(value),
            candidates.len()
        ));
        if found && matches!(kind, Kind::Install | Kind::Domain | Kind::User) {
            break;
        }
    }
    progress.finish_and_clear();
    choose(kind, value, &candidates)
}

/// [`resolve`] among candidates read elsewhere (the fleet's mirror), each
/// `(id, name, context)`: `value` itself when it is a UUID, else the ID of
/// the one named `value`, with the same errors as a lookup through the API.
pub fn resolve_among(
    kind: Kind,
    value: &str,
    candidates: impl IntoIterator<Item = (String, String, String)>,
) -> Result<String, CliError> {
    if Uuid::parse_str(value).is_ok() {
        return Ok(value.to_owned());
    }
    let candidates: Vec<Candidate> = candidates
        .into_iter()
        .map(|(id, name, context)| Candidate { id, name, context })
        .collect();
    choose(kind, value, &candidates)
}

/// The ID of the one candidate named `value`; none is an unknown name (with
/// the close ones), several a usage error that lists them.
fn choose(kind: Kind, value: &str, candidates: &[Candidate]) -> Result<String, CliError> {
    let matches: Vec<&Candidate> = candidates.iter().filter(|c| c.name == value).collect();
    match matches.as_slice() {
        [one] => Ok(one.id.to_string()),
        [] => Err(CliError::NotFound(unknown(kind, value, candidates))),
        many => {
            let listed: Vec<String> = many
                .iter()
                .take(MAX_LISTED)
                .map(|c| format!("  {} ({})", c.id, c.context))
                .collect();
            let more = match many.len().saturating_sub(MAX_LISTED) {
                0 => String::new(),
                more => format!("\n  and {more} more"),
            };
            Err(CliError::Usage(format!(
                "{} {}s are named {}; give the ID of the one you mean:\n{}{more}",
                many.len(),
                kind.noun(),
                quote(value),
                listed.join("\n")
            )))
        }
    }
}

/// The most namesakes an error lists.
const MAX_LISTED: usize = 10;

/// The most close names an error suggests.
const MAX_SUGGESTED: usize = 5;

/// A name that names nothing the credentials can see, as [`resolve`] found
/// it. It is worded where it is shown ([`NotFound::render`]): it points to
/// a command on the command line and to a tool in `wpe mcp`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotFound {
    kind: Kind,
    /// The value given, as an error quotes it (a short prefix of a long one).
    quoted: String,
    why: Why,
}

/// Why a name named nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Why {
    /// It cannot be a name of its kind, nor is it an ID: not looked up.
    NotAName,
    /// None of its kind has that name; the close names, if any.
    NoneNamed(Vec<String>),
    /// It names (or is the ID of) one the credentials cannot see.
    NotVisible,
}

impl NotFound {
    /// `value` (a name or an ID) names no `kind` these credentials can see.
    pub fn not_visible(kind: Kind, value: &str) -> NotFound {
        NotFound {
            kind,
            quoted: quote(value),
            why: Why::NotVisible,
        }
    }

    /// What was not found.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// The message for `surface`: the same facts, pointing to the command
    /// or the tool that lists the kind.
    pub fn render(&self, surface: Surface) -> String {
        let (noun, quoted) = (self.kind.noun(), &self.quoted);
        let lister = surface.lister(self.kind);
        let nothing = match self.kind {
            Kind::User => format!("no account user with the email {quoted}"),
            _ => format!("no {noun} named {quoted}"),
        };
        match &self.why {
            Why::NotAName => format!(
                "{nothing}: it is not an {noun}'s {}, nor an ID; {lister} shows them",
                self.kind.name_word()
            ),
            Why::NoneNamed(close) if close.is_empty() => {
                format!("{nothing} (and it is not an ID); {lister} shows them")
            }
            Why::NoneNamed(close) => format!(
                "{nothing} (and it is not an ID); did you mean {}?",
                close.join(", ")
            ),
            Why::NotVisible => format!(
                "{noun} {quoted} is not one these credentials can see; {lister} shows those \
                 they can"
            ),
        }
    }
}

impl std::fmt::Display for NotFound {
    /// The command line's wording.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render(Surface::Cli))
    }
}

/// Why no candidate is named `value`, with the close names. The search is
/// bounded: none for a value longer than any name may be
/// ([`MAX_NAME`]), and a name is skipped when its length alone puts it too
/// far, so a long value costs nothing whatever the candidates.
fn unknown(kind: Kind, value: &str, candidates: &[Candidate]) -> NotFound {
    let length = value.chars().count();
    let mut close: Vec<(usize, &str)> = Vec::new();
    if length as u64 <= MAX_NAME {
        let wanted = value.to_lowercase();
        let most = 2 + length / 4;
        for candidate in candidates {
            let name = candidate.name.as_str();
            let other = name.chars().count();
            if other as u64 > MAX_NAME {
                continue;
            }
            // A name that holds the value is exactly its extra characters away.
            let d = if name.contains(value) {
                other - length
            } else if other.abs_diff(length) > most {
                continue;
            } else {
                distance(&wanted, &name.to_lowercase())
            };
            if d <= most || name.contains(value) {
                close.push((d, name));
            }
        }
    }
    close.sort();
    close.dedup_by(|a, b| a.1 == b.1);
    NotFound {
        kind,
        quoted: quote(value),
        why: Why::NoneNamed(
            close
                .iter()
                .take(MAX_SUGGESTED)
                .map(|(_, name)| (*name).to_owned())
                .collect(),
        ),
    }
}

/// `value` as an ID, or a usage error that quotes it.
pub fn parse_id(value: &str) -> Result<Uuid, CliError> {
    Uuid::parse_str(value)
        .map_err(|err| CliError::Usage(format!("{} is not an ID: {err}", quote(value))))
}

/// The name (for a user: the email) of the `kind` with ID `id`, read
/// through the API; `parent` as for [`resolve_in`].
pub async fn name_of(
    client: &Client,
    kind: Kind,
    id: &str,
    parent: Option<&str>,
) -> Result<String, CliError> {
    let id_uuid = parse_id(id)?;
    Ok(match kind {
        Kind::Install => client
            .get_install()
            .install_id(id_uuid)
            .send()
            .await?
            .into_inner()
            .name
            .to_string(),
        Kind::Site => {
            client
                .get_site()
                .site_id(id_uuid)
                .send()
                .await?
                .into_inner()
                .name
        }
        Kind::Account => {
            client
                .get_account()
                .account_id(id_uuid)
                .send()
                .await?
                .into_inner()
                .name
        }
        Kind::Domain => {
            let install = parse_id(parent_of(kind, parent)?)?;
            client
                .get_domain()
                .install_id(install)
                .domain_id(id_uuid)
                .send()
                .await?
                .into_inner()
                .name
        }
        Kind::User => {
            let account = parse_id(parent_of(kind, parent)?)?;
            client
                .get_account_user()
                .account_id(account)
                .user_id(id_uuid)
                .send()
                .await?
                .into_inner()
                .email
        }
    })
}

/// The parent ID a domain or user lookup needs.
fn parent_of(kind: Kind, parent: Option<&str>) -> Result<&str, CliError> {
    parent.ok_or_else(|| {
        CliError::Usage(format!(
            "a {} is looked up by {} within its {}, and none was given",
            kind.noun(),
            kind.name_word(),
            kind.parent().map_or("parent", Kind::noun)
        ))
    })
}

/// Every `kind` the credentials can see (in `parent`), as candidates, page by page.
fn candidates_of<'c>(
    client: &'c Client,
    kind: Kind,
    parent: Option<&str>,
) -> Result<BoxStream<'c, Result<Candidate, wpe_api::Error>>, CliError> {
    let parent_id = || parse_id(parent_of(kind, parent)?);
    Ok(match kind {
        Kind::Install => client
            .list_installs()
            .stream()
            .map_ok(|i| Candidate {
                id: i.id.to_string(),
                name: i.name.to_string(),
                context: format!("{:?} of account {}", i.environment, i.account.id),
            })
            .boxed(),
        Kind::Site => client
            .list_sites()
            .stream()
            .map_ok(|s| Candidate {
                id: s.id.to_string(),
                context: format!("account {}", s.account.id),
                name: s.name,
            })
            .boxed(),
        Kind::Account => client
            .list_accounts()
            .stream()
            .map_ok(|a| Candidate {
                id: a.id.to_string(),
                context: a.nickname.unwrap_or_default(),
                name: a.name,
            })
            .boxed(),
        Kind::Domain => client
            .list_domains()
            .install_id(parent_id()?)
            .stream()
            .map_ok(|d| Candidate {
                id: d.id.to_string(),
                context: if d.primary {
                    "primary".into()
                } else {
                    String::new()
                },
                name: d.name,
            })
            .boxed(),
        Kind::User => client
            .list_account_users()
            .account_id(parent_id()?)
            .stream()
            .map_ok(|u| Candidate {
                id: u.user_id.to_string(),
                context: format!("{} {}", u.first_name, u.last_name),
                name: u.email,
            })
            .boxed(),
    })
}

/// Names for the account and site IDs of answers printed as a table: each
/// list is read once, when an answer first needs it.
pub struct Namer<'c> {
    client: &'c Client,
    accounts: Option<HashMap<String, String>>,
    sites: Option<HashMap<String, String>>,
}

impl<'c> Namer<'c> {
    /// A namer that has read nothing yet.
    pub fn new(client: &'c Client) -> Self {
        Self {
            client,
            accounts: None,
            sites: None,
        }
    }

    /// Adds names beside the account and site IDs of `item`: a `name` in
    /// an `account` or `site` object that has only an `id`, and an `account`
    /// or `site` field beside a top-level `account_id` or `site_id`. An ID
    /// the lists do not have (another user's account) is left as it is.
    pub async fn annotate(&mut self, item: &mut Value) -> Result<(), CliError> {
        let Some(object) = item.as_object_mut() else {
            return Ok(());
        };
        for (key, kind) in [("account", Kind::Account), ("site", Kind::Site)] {
            let id = match object.get(key) {
                Some(Value::Object(inner)) if !inner.contains_key("name") => {
                    inner.get("id").and_then(Value::as_str).map(str::to_owned)
                }
                None => object
                    .get(&format!("{key}_id"))
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                _ => None,
            };
            let Some(id) = id else { continue };
            let Some(name) = self.name(kind, &id).await? else {
                continue;
            };
            match object.get_mut(key) {
                Some(Value::Object(inner)) => {
                    inner.insert("name".to_owned(), Value::String(name));
                }
                _ => {
                    object.insert(key.to_owned(), Value::String(name));
                }
            }
        }
        Ok(())
    }

    async fn name(&mut self, kind: Kind, id: &str) -> Result<Option<String>, CliError> {
        let client = self.client;
        let names = match kind {
            Kind::Account => &mut self.accounts,
            _ => &mut self.sites,
        };
        if names.is_none() {
            let read: HashMap<String, String> = candidates_of(client, kind, None)?
                .map_ok(|c| (c.id, c.name))
                .try_collect()
                .await?;
            *names = Some(read);
        }
        Ok(names.as_ref().and_then(|n| n.get(id)).cloned())
    }
}

/// Levenshtein distance, for suggesting close names.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_counts_edits() {
        assert_eq!(distance("torquemag", "torquemag"), 0);
        assert_eq!(distance("torqemag", "torquemag"), 1);
        assert_eq!(distance("abc", ""), 3);
        assert_eq!(distance("kitten", "sitting"), 3);
    }

    #[test]
    fn an_unknown_name_suggests_close_ones() {
        let candidates = ["torquemag", "torquemagstg", "demoshop"].map(|name| Candidate {
            id: Uuid::nil().to_string(),
            name: name.to_owned(),
            context: String::new(),
        });
        let message = unknown(Kind::Install, "torqemag", &candidates).to_string();
        assert!(message.contains("did you mean torquemag"), "{message}");
        assert!(!message.contains("demoshop"), "{message}");
        let none = unknown(Kind::Install, "zzz", &candidates);
        assert!(
            none.to_string().contains("`wpe installs list` shows them"),
            "{none}"
        );
        let mcp = none.render(Surface::Mcp);
        assert!(mcp.contains("`list_installs` shows them"), "{mcp}");
        assert!(!mcp.contains("wpe "), "{mcp}");
    }

    #[test]
    fn a_long_value_is_quoted_by_a_prefix_and_not_compared() {
        let candidates: Vec<Candidate> = (0..10_000)
            .map(|i| Candidate {
                id: Uuid::nil().to_string(),
                name: format!("x{i:07}"),
                context: String::new(),
            })
            .collect();
        let long = "x".repeat(1 << 20);
        let started = std::time::Instant::now();
        let found = unknown(Kind::Site, &long, &candidates);
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
        let message = found.render(Surface::Mcp);
        assert!(message.len() < 300, "{message}");
        assert!(message.contains("(1048576 characters)"), "{message}");
        assert!(!message.contains("did you mean"), "{message}");
        // Just within the bound: compared, and cheaply skipped by length.
        let within = "x".repeat(MAX_NAME as usize);
        assert!(!unknown(Kind::Site, &within, &candidates)
            .render(Surface::Cli)
            .contains("did you mean"));
    }
}
