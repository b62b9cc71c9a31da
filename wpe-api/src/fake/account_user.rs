//! The users of an account, their roles and the installs a partial user may touch.

use axum::http::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use super::check::{valid_email, Check};
use super::reply::{empty, ok, with_status, Fail, Reply};
use super::request::{account_id, Req};
use super::state::{AccountUserRec, State};
use crate::types;

const ROLES: &[&str] = &[
    "owner",
    "full",
    "full,billing",
    "partial",
    "partial,billing",
];

/// The roles that may list and request site transfers: Owner, or Full with
/// Billing (WP Engine's reference, `listSiteTransfers` and `createSiteTransfer`).
pub(crate) const TRANSFER_ROLES: &[&str] = &["owner", "full,billing"];

/// The caller's roles on `account` (`owner`, `full,billing`, ...), if they
/// are one of its users.
pub(crate) fn caller_roles<'s>(state: &'s State, req: &Req<'_>, account: Uuid) -> Option<&'s str> {
    let user = state.users.get(req.user())?.id;
    state
        .accounts
        .get(&account)?
        .users
        .iter()
        .find(|u| u.user_id == user)
        .map(|u| u.roles.as_str())
}

/// `Ok` when the caller holds one of `allowed` on `account`; else a 403 that
/// names the roles needed, for `what` the caller tried.
pub(crate) fn require_role(
    state: &State,
    req: &Req<'_>,
    account: Uuid,
    allowed: &[&str],
    what: &str,
) -> Result<(), Fail> {
    let roles = caller_roles(state, req, account);
    if roles.is_some_and(|r| allowed.contains(&r)) {
        return Ok(());
    }
    let name = state.accounts.get(&account).map_or("", |a| a.name.as_str());
    Err(Fail::new(
        StatusCode::FORBIDDEN,
        format!(
            "{what} needs the role {} on account {name}; these credentials have {}: ask an owner of the account",
            allowed.join(" or "),
            roles.unwrap_or("none"),
        ),
    ))
}

fn account_user_json(
    account_id: Uuid,
    users: &[AccountUserRec],
    rec: &AccountUserRec,
    state: &State,
) -> types::AccountUser {
    let owners = users.iter().filter(|u| u.roles == "owner").count();
    let partial = rec.roles.starts_with("partial");
    types::AccountUser {
        extra: Default::default(),
        account_id,
        email: rec.email.clone(),
        first_name: rec.first_name.clone(),
        installs: partial.then(|| {
            rec.install_ids
                .iter()
                .filter_map(|id| state.installs.get(id))
                .map(|i| types::AccountUserInstall {
                    extra: Default::default(),
                    id: Some(i.id),
                    name: Some(i.name.clone()),
                })
                .collect()
        }),
        invite_accepted: Some(rec.invite_accepted),
        last_name: rec.last_name.clone(),
        // Upstream: shown only on users with an owner role.
        last_owner: (rec.roles == "owner").then_some(owners == 1),
        mfa_enabled: Some(rec.mfa_enabled),
        phone: rec.phone.clone(),
        roles: rec.roles.clone(),
        user_id: rec.user_id,
    }
}

/// `GET /accounts/{account_id}/account_users` (`listAccountUsers`).
pub(crate) fn list_account_users(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = account_id(req)?;
    let account = state.accounts.get(&id).ok_or_else(Fail::not_found)?;
    let results: Vec<types::AccountUser> = account
        .users
        .iter()
        .map(|u| account_user_json(id, &account.users, u, state))
        .collect();
    ok(json!({ "results": results }))
}

fn validate_roles(check: &mut Check<'_>, field: &str) -> Option<String> {
    let roles = check.req_str(field)?;
    if ROLES.contains(&roles.as_str()) {
        Some(roles)
    } else {
        check.error(
            field,
            "invalid_value",
            "invalid_role",
            "roles must be one of: owner, full, full,billing, partial, partial,billing",
        );
        None
    }
}

fn validate_install_ids(
    state: &State,
    check: &mut Check<'_>,
    account_id: Uuid,
    roles: Option<&str>,
) -> Vec<Uuid> {
    let Some(ids) = check.opt_strings("install_ids") else {
        return Vec::new();
    };
    if !roles.is_some_and(|r| r.starts_with("partial")) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for text in ids {
        match Uuid::parse_str(&text).ok().filter(|id| {
            state
                .installs
                .get(id)
                .is_some_and(|i| i.account_id == account_id)
        }) {
            Some(id) => out.push(id),
            None => check.error(
                "install_ids",
                "invalid_value",
                "unknown_install",
                &format!("{text} is not an install of this account"),
            ),
        }
    }
    out
}

/// `POST /accounts/{account_id}/account_users` (`createAccountUser`).
pub(crate) fn create_account_user(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = account_id(req)?;
    let body = req.json("AccountUser")?;
    let mut check = Check::new("AccountUser", &body);
    let Some(user) = check.present("user") else {
        check.required("user");
        return Err(check.finish().err().unwrap_or_else(Fail::not_found));
    };
    let Value::Object(user) = user else {
        check.wrong_type("user", "an object");
        return Err(check.finish().err().unwrap_or_else(Fail::not_found));
    };
    let mut check = Check::nested("AccountUser", "user", user);
    let body_account = check.req_uuid("account_id");
    if body_account.is_some_and(|a| a != id) {
        check.error(
            "account_id",
            "invalid_value",
            "mismatch",
            "account_id must be the account in the path",
        );
    }
    let first_name = check.req_str("first_name");
    let last_name = check.req_str("last_name");
    let email = check.req_str("email");
    if let Some(email) = &email {
        if !valid_email(email) {
            check.error(
                "email",
                "invalid_value",
                "invalid_email",
                "email is not a valid email address",
            );
        }
    }
    let roles = validate_roles(&mut check, "roles");
    let install_ids = validate_install_ids(state, &mut check, id, roles.as_deref());
    let account = state.accounts.get(&id).ok_or_else(Fail::not_found)?;
    if let Some(email) = &email {
        if account
            .users
            .iter()
            .any(|u| u.email.eq_ignore_ascii_case(email))
        {
            check.error(
                "email",
                "value_unavailable",
                "already_taken",
                "A user with this email already belongs to the account",
            );
        }
    }
    check.finish()?;
    let user_id = state.new_id();
    let rec = AccountUserRec {
        user_id,
        first_name: first_name.unwrap_or_default(),
        last_name: last_name.unwrap_or_default(),
        email: email.unwrap_or_default(),
        phone: None,
        roles: roles.unwrap_or_default(),
        install_ids,
        invite_accepted: false,
        mfa_enabled: false,
    };
    let account = state.accounts.get_mut(&id).ok_or_else(Fail::not_found)?;
    account.users.push(rec.clone());
    let account = state.accounts.get(&id).ok_or_else(Fail::not_found)?;
    let user = account_user_json(id, &account.users, &rec, state);
    with_status(
        StatusCode::CREATED,
        types::AccountUserChanged {
            extra: Default::default(),
            account_user: Some(user),
            message: Some("Your change was successful.".to_owned()),
        },
    )
}

fn account_user_index(state: &State, req: &Req<'_>, account: Uuid) -> Result<usize, Fail> {
    let user_id = req.id(3)?;
    state
        .accounts
        .get(&account)
        .and_then(|a| a.users.iter().position(|u| u.user_id == user_id))
        .ok_or_else(Fail::not_found)
}

/// `GET /accounts/{account_id}/account_users/{user_id}` (`getAccountUser`).
pub(crate) fn get_account_user(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = account_id(req)?;
    let index = account_user_index(state, req, id)?;
    let account = state.accounts.get(&id).ok_or_else(Fail::not_found)?;
    ok(account_user_json(
        id,
        &account.users,
        &account.users[index],
        state,
    ))
}

fn is_last_owner(users: &[AccountUserRec], index: usize) -> bool {
    users[index].roles == "owner" && users.iter().filter(|u| u.roles == "owner").count() == 1
}

/// `PATCH /accounts/{account_id}/account_users/{user_id}` (`updateAccountUser`).
pub(crate) fn update_account_user(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = account_id(req)?;
    let index = account_user_index(state, req, id)?;
    let body = req.json("AccountUser")?;
    let mut check = Check::new("AccountUser", &body);
    let roles = validate_roles(&mut check, "roles");
    let install_ids = validate_install_ids(state, &mut check, id, roles.as_deref());
    let account = state.accounts.get(&id).ok_or_else(Fail::not_found)?;
    if roles.as_deref().is_some_and(|r| r != "owner") && is_last_owner(&account.users, index) {
        check.error(
            "roles",
            "invalid_value",
            "last_owner",
            "The account's last owner must stay an owner",
        );
    }
    check.finish()?;
    let account = state.accounts.get_mut(&id).ok_or_else(Fail::not_found)?;
    let rec = &mut account.users[index];
    rec.roles = roles.unwrap_or_default();
    rec.install_ids = install_ids;
    let rec = rec.clone();
    let account = state.accounts.get(&id).ok_or_else(Fail::not_found)?;
    ok(types::AccountUserChanged {
        extra: Default::default(),
        account_user: Some(account_user_json(id, &account.users, &rec, state)),
        message: Some("Your change was successful.".to_owned()),
    })
}

/// `DELETE /accounts/{account_id}/account_users/{user_id}` (`deleteAccountUser`).
pub(crate) fn delete_account_user(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = account_id(req)?;
    let index = account_user_index(state, req, id)?;
    let account = state.accounts.get_mut(&id).ok_or_else(Fail::not_found)?;
    if is_last_owner(&account.users, index) {
        return Err(Fail::field(
            "AccountUser",
            "user_id",
            "invalid_value",
            "last_owner",
            "The account's last owner cannot be removed",
        ));
    }
    account.users.remove(index);
    empty(StatusCode::NO_CONTENT)
}
