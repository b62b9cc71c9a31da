//! The SFTP users of an install, with the rules WP Engine's reference states:
//! the install's name is put in front of the requested name (`developer` on
//! `torquemag` becomes `torquemag-developer`), which may hold only letters,
//! digits, `-` and `_` and may not pass 32 characters with the prefix; a
//! password of 8 to 64 characters that contains neither `wpengine` nor the
//! install's name; a path without `..`. No answer holds a password, and the
//! stand-in keeps none. Every operation is refused with 403 on an Autoscale
//! account, and `deleteSftpUser` answers 403, not 404, for an install the
//! caller cannot see, as the reference says.

use axum::http::StatusCode;

use super::check::Check;
use super::reply::{empty, ok, with_status, Fail, Reply};
use super::request::{inst, inst_mut, install_id, Req};
use super::state::{SftpUserRec, State};
use crate::types;

/// The longest a full (prefixed) SFTP user name may be.
const MAX_NAME: usize = 32;

fn sftp_user_json(rec: &SftpUserRec) -> types::SftpUser {
    types::SftpUser {
        extra: Default::default(),
        name: rec.name.clone(),
        path: rec.path.clone(),
    }
}

/// The install of the path, when the caller sees it and its account is not
/// on Autoscale (SFTP users are refused there with 403).
fn sftp_install(state: &State, req: &Req<'_>) -> Result<uuid::Uuid, Fail> {
    let id = install_id(state, req)?;
    let account = inst(state, &id).account_id;
    if state.accounts.get(&account).is_some_and(|a| a.autoscale) {
        return Err(Fail::new(
            StatusCode::FORBIDDEN,
            "SFTP users are not available on Autoscale accounts",
        ));
    }
    Ok(id)
}

/// Checks `password` (8 to 64 characters, neither `wpengine` nor the
/// install's name in it, in any case); the errors never quote it.
fn check_password(check: &mut Check<'_>, install: &str) {
    let Some(password) = check.req_str("password") else {
        return;
    };
    let length = password.chars().count();
    let lower = password.to_lowercase();
    let problem = if !(8..=64).contains(&length) {
        Some(("length", "password must be 8 to 64 characters long"))
    } else if lower.contains("wpengine") {
        Some(("forbidden_word", "password must not contain \"wpengine\""))
    } else if lower.contains(install) {
        Some((
            "contains_install_name",
            "password must not contain the install's name",
        ))
    } else {
        None
    };
    if let Some((code, message)) = problem {
        check.error("password", "invalid_value", code, message);
    }
}

/// The optional `path`, refused when it holds `..`.
fn checked_path(check: &mut Check<'_>) -> Option<String> {
    let path = check.opt_str("path")?;
    if path.contains("..") {
        check.error(
            "path",
            "invalid_value",
            "invalid_path",
            "path must not contain \"..\"",
        );
        return None;
    }
    Some(path)
}

/// `GET /installs/{install_id}/sftp_users` (`listSftpUsers`): every user,
/// not paged.
pub(crate) fn list_sftp_users(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = sftp_install(state, req)?;
    let results = inst(state, &id)
        .sftp_users
        .iter()
        .map(sftp_user_json)
        .collect();
    ok(types::SftpUsersList {
        extra: Default::default(),
        results,
    })
}

/// `POST /installs/{install_id}/sftp_users` (`createSftpUser`).
pub(crate) fn create_sftp_user(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = sftp_install(state, req)?;
    let install = inst(state, &id).name.clone();
    let body = req.json("SftpUser")?;
    let mut check = Check::new("SftpUser", &body);
    let name = check.req_str("name").and_then(|name| {
        let full = format!("{install}-{name}");
        let problem = if !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            Some((
                "invalid_characters",
                "name may hold only letters, digits, '-' and '_'".to_owned(),
            ))
        } else if full.chars().count() > MAX_NAME {
            Some((
                "too_long",
                format!(
                    "name is too long: with the install's name in front ({full}) it has {} characters, at most {MAX_NAME} are allowed",
                    full.chars().count()
                ),
            ))
        } else if inst(state, &id).sftp_users.iter().any(|u| u.name == full) {
            Some(("taken", format!("an SFTP user {full} exists already")))
        } else {
            None
        };
        match problem {
            Some((code, message)) => {
                check.error("name", "invalid_value", code, &message);
                None
            }
            None => Some(full),
        }
    });
    check_password(&mut check, &install);
    let path = checked_path(&mut check);
    check.finish()?;
    let rec = SftpUserRec {
        name: name.expect("checked"),
        path,
    };
    let answer = sftp_user_json(&rec);
    inst_mut(state, &id).sftp_users.push(rec);
    with_status(StatusCode::CREATED, answer)
}

/// The position of the path's user (`{username}`, the full name) on the install.
fn sftp_user_index(state: &State, req: &Req<'_>, id: &uuid::Uuid) -> Result<usize, Fail> {
    let username = req.segs.get(3).copied().unwrap_or_default();
    inst(state, id)
        .sftp_users
        .iter()
        .position(|u| u.name == username)
        .ok_or_else(Fail::not_found)
}

/// `PUT /installs/{install_id}/sftp_users/{username}` (`updateSftpUser`):
/// sets the password and the path (a path left out is cleared: the PUT
/// replaces both).
pub(crate) fn update_sftp_user(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = sftp_install(state, req)?;
    let index = sftp_user_index(state, req, &id)?;
    let install = inst(state, &id).name.clone();
    let body = req.json("SftpUser")?;
    let mut check = Check::new("SftpUser", &body);
    check_password(&mut check, &install);
    let path = checked_path(&mut check);
    check.finish()?;
    let rec = &mut inst_mut(state, &id).sftp_users[index];
    rec.path = path;
    ok(sftp_user_json(rec))
}

/// `DELETE /installs/{install_id}/sftp_users/{username}` (`deleteSftpUser`):
/// 403 for an install the caller cannot see, as the reference says.
pub(crate) fn delete_sftp_user(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = sftp_install(state, req).map_err(|fail| {
        if fail.status == StatusCode::NOT_FOUND {
            Fail::forbidden()
        } else {
            fail
        }
    })?;
    let index = sftp_user_index(state, req, &id)?;
    inst_mut(state, &id).sftp_users.remove(index);
    empty(StatusCode::NO_CONTENT)
}
