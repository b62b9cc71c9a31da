//! Accounts the caller belongs to, and their limits.

use serde_json::Value;

use super::paging::paginate;
use super::reply::{ok, Fail, Reply};
use super::request::{account_id, Req};
use super::state::{AccountRec, State};
use crate::types;

fn account_json(rec: &AccountRec) -> Value {
    serde_json::to_value(types::Account {
        extra: Default::default(),
        id: rec.id,
        name: rec.name.clone(),
        nickname: rec.nickname.clone(),
    })
    .expect("account serializes")
}

/// `GET /accounts` (`listAccounts`).
pub(crate) fn list_accounts(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let rows = state
        .accounts
        .iter()
        .filter(|a| req.accounts().contains(&a.id));
    paginate(req, "accounts", None, rows, account_json)
}

/// `GET /accounts/{account_id}` (`getAccount`).
pub(crate) fn get_account(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = account_id(req)?;
    ok(account_json(
        state.accounts.get(&id).ok_or_else(Fail::not_found)?,
    ))
}

/// `GET /accounts/{account_id}/limits` (`getAccountsLimits`).
pub(crate) fn get_accounts_limits(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = account_id(req)?;
    let account = state.accounts.get(&id).ok_or_else(Fail::not_found)?;
    let (visitors, storage, bandwidth) = account.limits;
    ok(types::AccountLimits {
        extra: Default::default(),
        visitors,
        storage,
        bandwidth,
    })
}
