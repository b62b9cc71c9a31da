//! The caller's SSH keys, parsed and fingerprinted as OpenSSH does.

use axum::http::StatusCode;
use base64::Engine as _;

use super::check::Check;
use super::hashes::md5_fingerprint;
use super::paging::paginate;
use super::reply::{empty, with_status, Fail, Reply};
use super::request::Req;
use super::state::{SshKeyRec, State};
use crate::types;

const KEY_TYPES: &[&str] = &[
    "ssh-rsa",
    "ssh-ed25519",
    "ssh-dss",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
];

/// Parses an OpenSSH public key line into its fingerprint and comment.
fn parse_public_key(line: &str) -> Result<(String, String), &'static str> {
    let mut parts = line.split_whitespace();
    let kind = parts.next().ok_or("public_key is empty")?;
    if !KEY_TYPES.contains(&kind) {
        return Err("public_key must start with a key type such as ssh-ed25519 or ssh-rsa");
    }
    let encoded = parts.next().ok_or("public_key lacks the base64 key data")?;
    let blob = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .map_err(|_| "The key data of public_key is not valid base64")?;
    let len = blob
        .get(..4)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
        .ok_or("The key data of public_key is too short")?;
    if blob.get(4..4 + len) != Some(kind.as_bytes()) || blob.len() <= 4 + len {
        return Err("The key data of public_key does not match its key type");
    }
    let comment = parts.collect::<Vec<_>>().join(" ");
    Ok((md5_fingerprint(&blob), comment))
}

fn ssh_key_json(rec: &SshKeyRec) -> types::SshKey {
    types::SshKey {
        extra: Default::default(),
        comment: Some(rec.comment.clone()),
        created_at: Some(rec.created_at.to_rfc3339()),
        fingerprint: Some(rec.fingerprint.clone()),
        uuid: Some(rec.id),
    }
}

/// `GET /ssh_keys` (`listSshKeys`).
pub(crate) fn list_ssh_keys(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    paginate(
        req,
        "ssh_keys",
        None,
        state.users[req.user()].ssh_keys.iter(),
        ssh_key_json,
    )
}

/// `POST /ssh_keys` (`createSshKey`).
pub(crate) fn create_ssh_key(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let body = req.json("SshKey")?;
    let mut check = Check::new("SshKey", &body);
    let parsed = check
        .req_str("public_key")
        .and_then(|key| match parse_public_key(&key) {
            Ok(parsed) => Some(parsed),
            Err(message) => {
                check.error("public_key", "invalid_value", "invalid_key", message);
                None
            }
        });
    if let Some((fingerprint, _)) = &parsed {
        if state.users[req.user()]
            .ssh_keys
            .iter()
            .any(|k| &k.fingerprint == fingerprint)
        {
            check.error(
                "public_key",
                "value_unavailable",
                "already_taken",
                "This key has already been added",
            );
        }
    }
    check.finish()?;
    let Some((fingerprint, comment)) = parsed else {
        return Err(Fail::not_found());
    };
    let id = state.new_id();
    let rec = SshKeyRec {
        id,
        comment,
        fingerprint,
        created_at: state.wall(req.now),
    };
    let body = ssh_key_json(&rec);
    state.users[req.user()].ssh_keys.insert(id, rec);
    with_status(StatusCode::CREATED, body)
}

/// `DELETE /ssh_keys/{ssh_key_id}` (`deleteSshKey`).
pub(crate) fn delete_ssh_key(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = req.id(1)?;
    state.users[req.user()]
        .ssh_keys
        .remove(&id)
        .ok_or_else(Fail::not_found)?;
    empty(StatusCode::NO_CONTENT)
}
