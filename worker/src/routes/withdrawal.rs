//! Routes for leaving a shop's programme, exporting one's data and closing
//! the account (the rules are in `domain::leaving`; the vault's side in
//! `storage::member_vault::withdrawal`).

use super::items;
use crate::auth::{self, session, throttle};
use crate::clock;
use crate::error::{Outcome, Problem};
use crate::refusals;
use crate::storage::bill_book::protocol::BillClient;
use crate::storage::directory::Directory;
use crate::storage::event_book::protocol::EventClient;
use crate::storage::id_registry::protocol::IdClient;
use crate::storage::member_vault::protocol::VaultClient;
use crate::storage::pocket::protocol::PocketClient;
use crate::web;
use domain::api::account::DeleteAccountRequest;
use domain::api::ErrorCode;
use domain::items::ItemRef;
use domain::member::MemberNumber;
use domain::shop::ShopId;
use worker::{Env, Request, Response};

/// The signed-in member, refused with `account_deleted` once they closed their
/// account: for routes whose data lives outside the member's vault (bills and
/// tickets), which the vault's own refusal does not cover.
pub async fn require_open_account(req: &Request, env: &Env) -> Outcome<MemberNumber> {
    let member = auth::member(req, env).await?;
    VaultClient::of(env, &member)?.ensure_open().await?;
    Ok(member)
}

/// `DELETE /api/me/memberships/{shop}` → 204: leaves the shop's programme
/// (`prepaid_balance_left` while prepaid value is left there).
pub async fn leave(req: Request, env: &Env, shop_id: &str) -> Outcome<Response> {
    let member = auth::member(&req, env).await?;
    let shop_id = ShopId::parse(shop_id)
        .map_err(|_| Problem::new(ErrorCode::NotAMember, "you are not in this shop's programme"))?;
    VaultClient::of(env, &member)?.leave(shop_id).await?;
    Ok(Response::empty()?.with_status(204))
}

/// `GET /api/me/export` → [`domain::api::account::MemberExport`]: everything
/// held about the member, with the bills and tickets they hold.
pub async fn export(req: Request, env: &Env) -> Outcome<Response> {
    let member = auth::member(&req, env).await?;
    let mut export = VaultClient::of(env, &member)?.export().await?;
    export.items = items::held_items(env, &member).await?;
    let response = web::ok(&export)?;
    response.headers().set("content-disposition", "attachment; filename=\"tessera-export.json\"")?;
    Ok(response)
}

/// `DELETE /api/me/account` with the password → 204, cookie cleared.
///
/// The vault closes first, in one step: from then on the number cannot sign
/// in, old sessions are refused, its codes are dead at every register, and the
/// number is never drawn again. Then the directory forgets the credentials and
/// name, and each bill and ticket goes back to its issuer unclaimed. The
/// password check is counted like a sign-in guess, so this cannot be used to
/// guess it.
pub async fn delete_account(mut req: Request, env: &Env) -> Outcome<Response> {
    let member = auth::member(&req, env).await?;
    let request: DeleteAccountRequest = web::json_body(&mut req).await?;
    let vault = VaultClient::of(env, &member)?;
    let directory = Directory::open(env)?;
    vault.ensure_open().await?;
    let record = directory.member(&member).await?.ok_or_else(refusals::no_such_member)?;
    let guess = throttle::begin_guess(&req, env, &format!("member:{member}")).await?;
    let genuine = record.password.verify(&request.password).await?;
    guess.finish(genuine).await?;
    if !genuine {
        return Err(refusals::wrong_credentials());
    }
    vault.close().await?;
    directory.delete_member(&member, clock::now()).await?;
    if let Some(name) = &record.sign_in_name {
        // Retired for good: nobody can take the name and be mistaken for this member.
        IdClient::sign_in_name(env, name)?.retire(false).await?;
        directory.delete_sign_in_name(name).await?;
    }
    release_items(env, &member).await?;
    let response = Response::empty()?.with_status(204);
    web::with_cookie(response, &session::clear_cookie(!web::is_local_host(&req)))
}

/// Hands every bill and ticket the member held back to its issuer, unclaimed.
/// A book that refuses (it no longer exists) has nothing to release; a
/// failure on our side is reported after the others were released.
async fn release_items(env: &Env, member: &MemberNumber) -> Outcome<()> {
    let pocket = PocketClient::of(env, member)?;
    let mut failure = None;
    for item in pocket.list().await? {
        let released = match &item {
            ItemRef::Bill { issuer, bill } => BillClient::of(env, issuer)?.release(bill, member).await,
            ItemRef::Ticket { issuer, event, ticket } => {
                EventClient::of(env, issuer, event)?.release(ticket, member).await
            }
        };
        if let Err(problem) = released {
            if problem.code() == ErrorCode::Internal {
                failure.get_or_insert(problem);
            }
        }
    }
    match failure {
        Some(problem) => Err(problem),
        None => pocket.empty().await.map(drop),
    }
}
