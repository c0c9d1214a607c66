//! What an owner's sign-in answers, whichever way they signed in (password, invite, reset,
//! passkey): the console's view of the account and the session cookie.

use crate::auth::{session, Sessions};
use crate::error::Outcome;
use crate::storage::directory::Directory;
use crate::storage::owner_book::protocol::OwnerAccount;
use crate::web;
use domain::api::owner_accounts::{ManagedStore, OwnerEmail, OwnerMe};
use worker::{Env, Request, Response};

/// Opens a session for `email` and sets its cookie on `response`.
pub async fn with_owner_cookie(
    response: Response,
    req: &Request,
    env: &Env,
    sessions: &Sessions,
    email: &OwnerEmail,
) -> Outcome<Response> {
    let value = sessions.open_owner_session(env, email).await?;
    web::with_cookie(response, &session::set_cookie_of(session::OWNER, &value, !web::is_local_host(req)))
}

/// What the console shows of an account: never its password hash.
pub async fn me_of(env: &Env, account: &OwnerAccount) -> Outcome<OwnerMe> {
    let directory = Directory::open(env)?;
    let shops = if account.operator {
        directory.shops().await?
    } else {
        let mut shops = Vec::with_capacity(account.shops.len());
        for shop_id in &account.shops {
            if let Some(shop) = directory.shop(shop_id).await? {
                shops.push(shop);
            }
        }
        shops
    };
    let mut manages = Vec::with_capacity(account.manages.len());
    for managed in &account.manages {
        if let Some(shop) = directory.shop(&managed.shop_id).await? {
            manages.push(ManagedStore { shop, store_id: managed.store_id.clone() });
        }
    }
    Ok(OwnerMe { email: account.email.clone(), operator: account.operator, shops, manages })
}
