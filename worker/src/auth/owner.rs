//! Shop owners sign in with an e-mail and a password and carry their own
//! session cookie ([`session::OWNER`](super::session::OWNER)). The cookie only
//! names the owner; which shops they run is read from the [`OwnerBook`] on
//! every call, so a change there counts at once.
//!
//! [`OwnerBook`]: crate::storage::owner_book::OwnerBook

use super::{unauthorized, Sessions};
use crate::error::Outcome;
use crate::storage::owner_book::protocol::{OwnerAccount, OwnerClient};
use worker::{Env, Request};

/// The signed-in owner's account; 401 without a valid session or once the account is gone.
pub async fn signed_in(req: &Request, env: &Env) -> Outcome<OwnerAccount> {
    let email = Sessions::from_env(env)?.owner(req)?;
    OwnerClient::open(env)?
        .account(&email)
        .await?
        .ok_or_else(|| unauthorized("there is no such owner account any more: sign in again"))
}
