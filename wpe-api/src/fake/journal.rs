//! The record of the requests that changed a stand-in's state, and its replay:
//! how a stand-in is carried from one process to the next (`wpe --demo`).
//!
//! The stand-in is deterministic: its seed data hangs off its start time,
//! its IDs come from a seeded generator, and every state is worked out from
//! its clock. So the requests that changed it, each with the time it came
//! at, are enough to build the same state again in another process.

use std::time::Duration;

use axum::body::Bytes;
use axum::http::{header, HeaderMap, HeaderValue, Method, Uri};
use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::operations::Operation;

/// What changed a stand-in's state since it started: its start time and
/// the requests that changed it ([`FakeServer::journal`]), enough for
/// [`FakeServer::resume`] to build the same state in another process.
///
/// It holds no credentials: an entry names the API user it was made as,
/// and a secret in a body (a password, a private key; fields marked
/// `x-wpe-secret` in the spec) is replaced by a stand-in value the server
/// accepts alike. It serializes with serde, for keeping in a file.
///
/// [`FakeServer::journal`]: super::FakeServer::journal
/// [`FakeServer::resume`]: super::FakeServer::resume
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Journal {
    /// The wall-clock time the first server started at: its seed data is
    /// dated from it, and a resumed server starts at it too.
    pub start_wall: DateTime<Utc>,
    /// The requests that changed the state, oldest first.
    pub entries: Vec<JournalEntry>,
}

/// One request that changed a stand-in's state (an entry of a [`Journal`]).
///
/// A request is kept when it changed something a later request can see:
/// every request other than `GET` that the server accepted (2xx), and any
/// request, a `GET` too, that drew from the server's generators of IDs
/// (listing site reports generates the reports of schedules that fell due).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalEntry {
    /// When the request came, as time since the server's start.
    pub at: Duration,
    /// The API user it was made as (never the password); `None` for an
    /// operation that needs no credentials.
    pub user: Option<String>,
    /// The HTTP method.
    pub method: String,
    /// The path and query, as sent (`/v1/installs/…/backups`).
    pub path: String,
    /// The body as sent, with secrets replaced; `None` when it had none.
    pub body: Option<String>,
    /// The status the server answered with.
    pub status: u16,
}

/// Why a [`Journal`] could not be replayed ([`FakeServer::resume`]): it is
/// not one this stand-in wrote, or it was changed since.
///
/// [`FakeServer::resume`]: super::FakeServer::resume
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplayError {
    /// An entry names a user the stand-in does not have.
    #[error("entry {index} of the journal is made as `{user}`, whom the stand-in does not know")]
    UnknownUser {
        /// The entry's position, from 0.
        index: usize,
        /// The user it names.
        user: String,
    },
    /// An entry's method or path cannot be sent.
    #[error("entry {index} of the journal is no request: {reason}")]
    Malformed {
        /// The entry's position, from 0.
        index: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// An entry comes before the one listed ahead of it.
    #[error("entry {index} of the journal is older than the entry before it")]
    OutOfOrder {
        /// The entry's position, from 0.
        index: usize,
    },
    /// Replayed, an entry got another answer than the first time: the state
    /// it was made in is not the state it meets now.
    #[error(
        "entry {index} of the journal ({method} {path}) was answered {expected} the first time \
         and {got} now"
    )]
    Diverged {
        /// The entry's position, from 0.
        index: usize,
        /// Its method.
        method: String,
        /// Its path and query.
        path: String,
        /// The status recorded.
        expected: u16,
        /// The status of the replay.
        got: u16,
    },
}

/// The entry of a request the server answered, if it is to be kept: `draws`
/// is whether it drew from the generators of IDs.
pub(super) fn entry(
    op: &Operation,
    (method, uri, body): (&Method, &Uri, &Bytes),
    user: Option<String>,
    status: u16,
    at: Duration,
    draws: bool,
) -> Option<JournalEntry> {
    let accepted = (200..300).contains(&status);
    if !(draws || (accepted && method != Method::GET)) {
        return None;
    }
    let path = uri
        .path_and_query()
        .map_or_else(|| uri.path().to_owned(), |p| p.as_str().to_owned());
    let body = (!body.is_empty()).then(|| without_secrets(op, body));
    Some(JournalEntry {
        at,
        user,
        method: method.as_str().to_owned(),
        path,
        body,
        status,
    })
}

/// The body as text, with each secret field's value replaced by one the
/// server accepts alike.
fn without_secrets(op: &Operation, body: &Bytes) -> String {
    let secrets = op.body.map(|b| b.secrets).unwrap_or_default();
    if !secrets.is_empty() {
        if let Ok(Value::Object(mut fields)) = serde_json::from_slice::<Value>(body) {
            for name in secrets {
                if let Some(value) = fields.get_mut(*name) {
                    if value.is_string() {
                        *value = Value::String(stand_in_secret(name));
                    }
                }
            }
            return Value::Object(fields).to_string();
        }
    }
    String::from_utf8_lossy(body).into_owned()
}

/// A value of the secret field `name` that passes the server's checks: an
/// SFTP password of eight characters that no install name holds, a
/// base64-encoded PEM private key block.
fn stand_in_secret(name: &str) -> String {
    match name {
        "private_key" => base64::engine::general_purpose::STANDARD
            .encode("-----BEGIN PRIVATE KEY-----\nc3RhbmQtaW4=\n-----END PRIVATE KEY-----\n"),
        _ => "********".to_owned(),
    }
}

/// The request an entry replays: method, URI, headers (the user's
/// credentials as the server knows them) and body.
pub(super) fn request(
    index: usize,
    entry: &JournalEntry,
    password: Option<&str>,
) -> Result<(Method, Uri, HeaderMap, Bytes), ReplayError> {
    let malformed = |reason: String| ReplayError::Malformed { index, reason };
    let method = Method::from_bytes(entry.method.as_bytes())
        .map_err(|err| malformed(format!("method {:?}: {err}", entry.method)))?;
    let uri: Uri = entry
        .path
        .parse()
        .map_err(|err| malformed(format!("path {:?}: {err}", entry.path)))?;
    let mut headers = HeaderMap::new();
    if let (Some(user), Some(password)) = (&entry.user, password) {
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        let value = HeaderValue::from_str(&format!("Basic {token}"))
            .map_err(|err| malformed(format!("user {user:?}: {err}")))?;
        headers.insert(header::AUTHORIZATION, value);
    }
    if entry.body.is_some() {
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
    }
    let body = Bytes::from(entry.body.clone().unwrap_or_default());
    Ok((method, uri, headers, body))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::super::{FakeConfig, FakeServer};
    use super::*;
    use crate::types::BackupStatus;

    async fn torquemag(server: &FakeServer) -> uuid::Uuid {
        let installs = server.client().list_installs().send().await.unwrap();
        installs
            .results
            .iter()
            .find(|i| i.name == "torquemag")
            .unwrap()
            .id
    }

    async fn backup(server: &FakeServer, install: uuid::Uuid, description: &str) -> uuid::Uuid {
        server
            .client()
            .create_backup()
            .install_id(install)
            .body_map(|b| {
                b.description(description)
                    .notification_emails(vec!["ops@example.com".into()])
            })
            .send()
            .await
            .unwrap()
            .id
    }

    #[tokio::test]
    async fn a_resumed_server_has_what_the_first_made_with_time_gone_on() {
        let first = FakeServer::start(FakeConfig::quick_demo()).await;
        let install = torquemag(&first).await;
        let made = backup(&first, install, "before deploy").await;
        let journal = first.journal();
        assert_eq!(
            journal.entries.len(),
            1,
            "a GET changes nothing: {journal:?}"
        );
        let again = FakeServer::resume(FakeConfig::quick_demo(), &journal, Duration::from_secs(10))
            .await
            .unwrap();
        let shown = again
            .client()
            .show_backup()
            .install_id(install)
            .backup_id(made)
            .send()
            .await
            .unwrap();
        assert_eq!(shown.status, BackupStatus::Completed);
        assert_eq!(shown.description.as_deref(), Some("before deploy"));
        // The IDs go on from where they were: the next backup of either is the same.
        assert_eq!(
            backup(&first, install, "next").await,
            backup(&again, install, "next").await
        );
        assert_eq!(again.journal().entries.len(), 2);
        assert_eq!(again.journal().start_wall, journal.start_wall);
    }

    #[tokio::test]
    async fn a_journal_holds_no_secret_and_still_replays() {
        let first = FakeServer::start(FakeConfig::quick_demo()).await;
        let install = torquemag(&first).await;
        first
            .client()
            .create_sftp_user()
            .install_id(install)
            .body_map(|b| b.name("developer").password("Plugins-Only-2026"))
            .send()
            .await
            .unwrap();
        let journal = first.journal();
        let text = serde_json::to_string(&journal).unwrap();
        assert!(!text.contains("Plugins-Only-2026"), "{text}");
        assert!(!text.contains("demo-api-password"), "{text}");
        let journal: Journal = serde_json::from_str(&text).unwrap();
        let again = FakeServer::resume(FakeConfig::quick_demo(), &journal, Duration::ZERO)
            .await
            .unwrap();
        let users = again
            .client()
            .list_sftp_users()
            .install_id(install)
            .send()
            .await
            .unwrap();
        assert!(users
            .results
            .iter()
            .any(|u| u.name == "torquemag-developer"));
    }

    #[tokio::test]
    async fn a_journal_changed_since_is_refused() {
        let first = FakeServer::start(FakeConfig::quick_demo()).await;
        let install = torquemag(&first).await;
        backup(&first, install, "one").await;
        let journal = first.journal();

        let mut other_status = journal.clone();
        other_status.entries[0].status = 404;
        let refused = FakeServer::resume(FakeConfig::quick_demo(), &other_status, Duration::ZERO)
            .await
            .unwrap_err();
        assert!(
            matches!(
                refused,
                ReplayError::Diverged {
                    index: 0,
                    expected: 404,
                    got: 202,
                    ..
                }
            ),
            "{refused:?}"
        );

        let mut stranger = journal.clone();
        stranger.entries[0].user = Some("nobody".into());
        let refused = FakeServer::resume(FakeConfig::quick_demo(), &stranger, Duration::ZERO)
            .await
            .unwrap_err();
        assert!(
            matches!(refused, ReplayError::UnknownUser { index: 0, .. }),
            "{refused:?}"
        );

        let mut twice = journal.clone();
        twice.entries.push(journal.entries[0].clone());
        twice.entries[1].at = Duration::ZERO;
        twice.entries[0].at = Duration::from_secs(1);
        let refused = FakeServer::resume(FakeConfig::quick_demo(), &twice, Duration::ZERO)
            .await
            .unwrap_err();
        assert_eq!(refused, ReplayError::OutOfOrder { index: 1 });
    }
}
