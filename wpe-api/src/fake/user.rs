//! The authenticated API user.

use super::reply::{ok, Fail, Reply};
use super::request::Req;
use super::state::State;
use crate::types;

/// `GET /user` (`getCurrentUser`).
pub(crate) fn get_current_user(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let user = &state.users[req.user()];
    ok(types::User {
        extra: Default::default(),
        email: user.email.clone(),
        first_name: Some(user.first_name.clone()),
        id: user.id,
        last_name: Some(user.last_name.clone()),
        phone_number: None,
    })
}
