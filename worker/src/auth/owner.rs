//! Shop owners sign in with an e-mail and a password and carry their own
//! session cookie ([`session::OWNER`](super::session::OWNER)). The cookie
//! names the owner and a session the [`OwnerBook`] keeps (by its id's hash),
//! so signing out ends it everywhere; which shops the owner runs is read from
//! the book on every call, so a change there counts at once.
//!
//! [`OwnerBook`]: crate::storage::owner_book::OwnerBook

use super::session::SessionId;
use super::{unauthorized, Sessions};
use crate::error::Outcome;
use crate::storage::owner_book::protocol::{OwnerAccount, OwnerClient};
use worker::{Env, Request};

/// The signed-in owner's account; 401 without a valid session, once the
/// session ended, or once the account is gone.
pub async fn signed_in(req: &Request, env: &Env) -> Outcome<OwnerAccount> {
    signed_in_session(req, env).await.map(|(account, _)| account)
}

/// The signed-in owner's account and their session's id, checked as [`signed_in`].
pub async fn signed_in_session(req: &Request, env: &Env) -> Outcome<(OwnerAccount, SessionId)> {
    let (email, id) = Sessions::from_env(env)?.owner(req)?;
    let account = OwnerClient::open(env)?
        .session_account(&email, id.hash())
        .await?
        .ok_or_else(|| unauthorized("this session has ended: sign in again"))?;
    Ok((account, id))
}
