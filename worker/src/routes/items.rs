//! Routes for members' bills and tickets: claim a link, list what they hold,
//! show a code for one, pass a ticket on.

use crate::auth;
use crate::auth::throttle;
use crate::clock;
use crate::crypto::{hex, random_bytes, sha256_hex};
use crate::error::{Outcome, Problem};
use crate::links::phone_link;
use crate::storage::bill_book::protocol::BillClient;
use crate::storage::code_index::protocol::{CodeHash, IndexClient};
use crate::storage::event_book::protocol::EventClient;
use crate::storage::pocket::protocol::PocketClient;
use crate::web;
use domain::api::bills::BillView;
use domain::api::items::{
    ClaimRequest, Claimed, IssueItemCodeRequest, IssuedItemCode, OfferTransferRequest, Pocket, TransferOffer,
};
use domain::api::tickets::TicketView;
use domain::api::ErrorCode;
use domain::code::OneTimeCode;
use domain::items::{HandoverToken, ItemId, ItemRef, SECRET_BYTES};
use domain::member::MemberNumber;
use domain::throttle::is_wrong_link;
use std::collections::BTreeMap;
use worker::{Env, Request, Response};

/// Codes are 83 random bits; this only guards against a broken random source.
const CODE_ATTEMPTS: usize = 3;

/// A new one-time secret for `item`: the token to hand out and the hash to store.
pub fn fresh_handover(item: ItemRef) -> Outcome<(HandoverToken, String)> {
    let secret = hex(&random_bytes::<SECRET_BYTES>()?);
    let hash = sha256_hex(secret.as_bytes());
    Ok((HandoverToken::new(item, secret), hash))
}

fn secret_hash(token: &HandoverToken) -> String {
    sha256_hex(token.secret().as_bytes())
}

/// `POST /api/me/claims` → [`Claimed`]: the bill or ticket is now the member's.
/// The secret is counted as a guess first (per link and per client): a wrong
/// one, or a link to nothing, answers `unknown` and slows both down.
pub async fn claim(mut req: Request, env: &Env) -> Outcome<Response> {
    let member = auth::member(&req, env).await?;
    let request: ClaimRequest = web::json_body(&mut req).await?;
    let token = request.token;
    let guess = throttle::begin_link_guess(&req, env, &token.item).await?;
    let claimed = async {
        Ok(match &token.item {
            ItemRef::Bill { issuer, bill } => {
                Claimed::Bill(BillClient::of(env, issuer)?.claim(bill, secret_hash(&token), &member).await?)
            }
            ItemRef::Ticket { issuer, event, ticket } => {
                Claimed::Ticket(EventClient::of(env, issuer, event)?.claim(ticket, secret_hash(&token), &member).await?)
            }
        })
    };
    let claimed = guess.judged(claimed.await, is_wrong_link).await?;
    PocketClient::of(env, &member)?.add(&token.item).await?;
    web::ok(&claimed)
}

/// `GET /api/me/items` → [`Pocket`]: bills unpaid first then by due date,
/// tickets upcoming first. Each book confirms what the member still holds.
pub async fn pocket(req: Request, env: &Env) -> Outcome<Response> {
    let member = auth::member(&req, env).await?;
    web::ok(&held_items(env, &member).await?)
}

/// The bills and tickets `member` holds now, in wallet order (also for the export).
pub async fn held_items(env: &Env, member: &MemberNumber) -> Outcome<Pocket> {
    let items = PocketClient::of(env, member)?.list().await?;
    let mut bills_by_book: BTreeMap<_, Vec<ItemId>> = BTreeMap::new();
    let mut tickets_by_book: BTreeMap<_, Vec<ItemId>> = BTreeMap::new();
    for item in items {
        match item {
            ItemRef::Bill { issuer, bill } => bills_by_book.entry(issuer).or_default().push(bill),
            ItemRef::Ticket { issuer, event, ticket } => {
                tickets_by_book.entry((issuer, event)).or_default().push(ticket)
            }
        }
    }
    let mut bills: Vec<BillView> = Vec::new();
    for (issuer, ids) in bills_by_book {
        bills.extend(BillClient::of(env, &issuer)?.views(ids, member).await?);
    }
    let mut tickets: Vec<TicketView> = Vec::new();
    for ((issuer, event), ids) in tickets_by_book {
        tickets.extend(EventClient::of(env, &issuer, &event)?.views(ids, member).await?);
    }
    let now = clock::now();
    bills.sort_by(BillView::wallet_order);
    tickets.sort_by(|a, b| TicketView::wallet_order(a, b, now));
    Ok(Pocket { bills, tickets })
}

/// `POST /api/me/item-codes` → [`IssuedItemCode`]: a one-time code that
/// carries this bill or ticket. A ticket's code waits for its window.
pub async fn issue_code(mut req: Request, env: &Env) -> Outcome<Response> {
    let member = auth::member(&req, env).await?;
    let request: IssueItemCodeRequest = web::json_body(&mut req).await?;
    for _ in 0..CODE_ATTEMPTS {
        let code = OneTimeCode::from_entropy(random_bytes::<16>()?);
        match IndexClient::of(env, &code)?.enter(&member, Some(&request.item)).await {
            Err(problem) if problem.code() == ErrorCode::AlreadyExists => continue,
            other => other?,
        }
        let code_hash = CodeHash::of(&code);
        let record = match &request.item {
            ItemRef::Bill { issuer, bill } => BillClient::of(env, issuer)?.issue_code(bill, code_hash, &member).await?,
            ItemRef::Ticket { issuer, event, ticket } => {
                EventClient::of(env, issuer, event)?.issue_code(ticket, code_hash, &member).await?
            }
        };
        return web::ok(&IssuedItemCode {
            grouped: code.grouped(),
            code,
            item: request.item,
            expires_at: record.expires_at,
            server_now: clock::now(),
        });
    }
    Err(Problem::internal("could not draw a fresh code"))
}

/// `POST /api/me/transfers` → [`TransferOffer`]: a one-time link for the receiver.
pub async fn offer_transfer(mut req: Request, env: &Env) -> Outcome<Response> {
    let member = auth::member(&req, env).await?;
    let request: OfferTransferRequest = web::json_body(&mut req).await?;
    let ItemRef::Ticket { issuer, event, ticket } = &request.item else {
        return Err(Problem::new(ErrorCode::NotTransferable, "bills cannot be passed on"));
    };
    let (token, hash) = fresh_handover(request.item.clone())?;
    EventClient::of(env, issuer, event)?.offer(ticket, hash, &member).await?;
    let url = phone_link(&req, "accept", &token)?;
    web::ok(&TransferOffer { token, url })
}

/// `POST /api/me/transfers/accept` → [`Claimed`]: the ticket moves to the
/// receiver in one step inside its event's book; the giver's codes die with it.
/// Counted like a claim: a wrong secret, a replaced offer and a ticket that
/// does not exist answer alike (`unknown`) and slow the link and client down.
pub async fn accept_transfer(mut req: Request, env: &Env) -> Outcome<Response> {
    let member = auth::member(&req, env).await?;
    let request: ClaimRequest = web::json_body(&mut req).await?;
    let token = request.token;
    let ItemRef::Ticket { issuer, event, ticket } = &token.item else {
        return Err(Problem::new(ErrorCode::Unknown, "this is not a transfer link"));
    };
    let guess = throttle::begin_link_guess(&req, env, &token.item).await?;
    let accepted = async { EventClient::of(env, issuer, event)?.accept(ticket, secret_hash(&token), &member).await };
    let accepted = guess.judged(accepted.await, is_wrong_link).await?;
    PocketClient::of(env, &member)?.add(&token.item).await?;
    // The book is the truth; this only tidies the giver's list.
    PocketClient::of(env, &accepted.former_holder)?.remove(&token.item).await?;
    web::ok(&Claimed::Ticket(accepted.view))
}
