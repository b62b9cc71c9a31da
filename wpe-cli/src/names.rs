//! Names for IDs: wherever an install, site or account ID is expected, its
//! name works too, looked up through the API (the lists' page streams).

use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt};
use uuid::Uuid;
use wpe_api::{Client, Paginate};

use crate::error::CliError;
use crate::progress::spinner;

/// What a name names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An install (WP Engine's environment), e.g. `torquemag`.
    Install,
    /// A site, the group of an install's environments.
    Site,
    /// An account.
    Account,
}

impl Kind {
    /// The noun for messages: `install`, `site`, `account`.
    pub fn noun(self) -> &'static str {
        match self {
            Kind::Install => "install",
            Kind::Site => "site",
            Kind::Account => "account",
        }
    }
}

/// One candidate of a lookup: its ID, its name, and where it belongs.
struct Candidate {
    id: Uuid,
    name: String,
    context: String,
}

/// `value` as an ID: itself when it is a UUID, else the ID of the one
/// `kind` of that name. An unknown name is a usage error that lists close
/// names; a name several share is one that lists them with their IDs.
///
/// The lookup walks the kind's list. Install names are unique on WP Engine
/// (each is also a `wpengine.com` subdomain), so an install lookup stops at
/// the first match; site and account names are not, so their lists are read
/// to the end to find every match. A walk shows its progress on a terminal.
pub async fn resolve(client: &Client, kind: Kind, value: &str) -> Result<String, CliError> {
    if Uuid::parse_str(value).is_ok() {
        return Ok(value.to_owned());
    }
    let progress = spinner(format!("looking up {} `{value}`", kind.noun()));
    let mut candidates = Vec::new();
    let mut walk = candidates_of(client, kind);
    while let Some(candidate) = walk.try_next().await? {
        let found = candidate.name == value;
        candidates.push(candidate);
        progress.set_message(format!(
            "looking up {} `{value}`: {} read",
            kind.noun(),
            candidates.len()
        ));
        if found && kind == Kind::Install {
            break;
        }
    }
    progress.finish_and_clear();
    let matches: Vec<&Candidate> = candidates.iter().filter(|c| c.name == value).collect();
    match matches.as_slice() {
        [one] => Ok(one.id.to_string()),
        [] => Err(CliError::Usage(unknown(kind, value, &candidates))),
        many => {
            let listed: Vec<String> = many
                .iter()
                .map(|c| format!("  {} ({})", c.id, c.context))
                .collect();
            Err(CliError::Usage(format!(
                "{} {}s are named `{value}`; give the ID of the one you mean:\n{}",
                many.len(),
                kind.noun(),
                listed.join("\n")
            )))
        }
    }
}

fn unknown(kind: Kind, value: &str, candidates: &[Candidate]) -> String {
    let mut close: Vec<(usize, &str)> = candidates
        .iter()
        .map(|c| {
            (
                distance(&value.to_lowercase(), &c.name.to_lowercase()),
                c.name.as_str(),
            )
        })
        .filter(|(d, name)| *d <= 2 + value.len() / 4 || name.contains(value))
        .collect();
    close.sort();
    close.dedup_by(|a, b| a.1 == b.1);
    let names: Vec<&str> = close.iter().take(5).map(|(_, name)| *name).collect();
    let mut message = format!("no {} named `{value}` (and it is not an ID)", kind.noun());
    if names.is_empty() {
        message.push_str(&format!("; `wpe {}s list` shows them", kind.noun()));
    } else {
        message.push_str(&format!("; did you mean {}?", names.join(", ")));
    }
    message
}

/// Every `kind` the credentials can see, as candidates, page by page.
fn candidates_of(client: &Client, kind: Kind) -> BoxStream<'_, Result<Candidate, wpe_api::Error>> {
    match kind {
        Kind::Install => client
            .list_installs()
            .stream()
            .map_ok(|i| Candidate {
                id: i.id,
                name: i.name.to_string(),
                context: format!("{:?} of account {}", i.environment, i.account.id),
            })
            .boxed(),
        Kind::Site => client
            .list_sites()
            .stream()
            .map_ok(|s| Candidate {
                id: s.id,
                context: format!("account {}", s.account.id),
                name: s.name,
            })
            .boxed(),
        Kind::Account => client
            .list_accounts()
            .stream()
            .map_ok(|a| Candidate {
                id: a.id,
                context: a.nickname.unwrap_or_default(),
                name: a.name,
            })
            .boxed(),
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
            id: Uuid::nil(),
            name: name.to_owned(),
            context: String::new(),
        });
        let message = unknown(Kind::Install, "torqemag", &candidates);
        assert!(message.contains("did you mean torquemag"), "{message}");
        assert!(!message.contains("demoshop"), "{message}");
        let message = unknown(Kind::Install, "zzz", &candidates);
        assert!(message.contains("wpe installs list"), "{message}");
    }
}
