//! Tessera's Worker: the API behind the phone and register pages.
//!
//! A thin adapter around the `domain` crate: this crate routes requests,
//! checks who is calling ([`auth`]), and keeps state ([`storage`]); every rule
//! about codes, points and inputs comes from `domain`.
//!
//! Static pages (`/phone/`, `/register/`) are served from `dist/` by the
//! runtime's asset handling before this Worker runs; `/` redirects to the phone page.
//!
//! Bindings (see `wrangler.toml`): KV `DIRECTORY`; Durable Objects
//! `MEMBER_VAULT` ([`MemberVault`]), `CODE_INDEX` ([`CodeIndex`]), `SHOP_BOOK`
//! ([`ShopBook`]); for bills and tickets `EVENT_BOOK` ([`EventBook`]),
//! `BILL_BOOK` ([`BillBook`]), `POCKET` ([`Pocket`]). Secrets: `SESSION_SECRET` (signs session cookies; member
//! routes answer 500 without it) and `ADMIN_TOKEN` (admin routes answer 401
//! without it).

mod auth;
mod clock;
mod crypto;
mod error;
mod qr;
mod routes;
mod storage;
mod web;

pub use storage::bill_book::BillBook;
pub use storage::code_index::CodeIndex;
pub use storage::event_book::EventBook;
pub use storage::member_vault::MemberVault;
pub use storage::pocket::Pocket;
pub use storage::shop_book::ShopBook;

use domain::api::ErrorCode;
use error::{Outcome, Problem};
use worker::{event, Context, Env, Method, Request, Response};

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> worker::Result<Response> {
    let answer = match web::refuse_declared_oversize(&req) {
        Ok(()) => route(req, &env).await,
        Err(refusal) => Err(refusal),
    };
    Ok(web::with_security_headers(answer.unwrap_or_else(Problem::into_response)))
}

async fn route(req: Request, env: &Env) -> Outcome<Response> {
    let path = req.path();
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let method = req.method();
    use Method::{Delete, Get, Post, Put};
    match segments.as_slice() {
        ["api", "health"] => match method {
            Get => routes::public::health(),
            _ => not_allowed("GET"),
        },
        ["api", "shops"] => match method {
            Get => routes::public::shops(env).await,
            _ => not_allowed("GET"),
        },
        ["api", "members"] => match method {
            Post => routes::member::sign_up(req, env).await,
            _ => not_allowed("POST"),
        },
        ["api", "session"] => match method {
            Post => routes::member::sign_in(req, env).await,
            Delete => routes::member::sign_out(req, env).await,
            _ => not_allowed("POST, DELETE"),
        },
        ["api", "me", "wallet"] => match method {
            Get => routes::member::wallet(req, env).await,
            _ => not_allowed("GET"),
        },
        ["api", "me", "memberships"] => match method {
            Post => routes::member::join(req, env).await,
            _ => not_allowed("POST"),
        },
        ["api", "me", "codes"] => match method {
            Post => routes::member::issue_code(req, env).await,
            _ => not_allowed("POST"),
        },
        ["api", "me", "pin"] => match method {
            Put => routes::member::set_pin(req, env).await,
            _ => not_allowed("PUT"),
        },
        ["api", "me", "confirmations", "approve"] => match method {
            Post => routes::member::approve(req, env).await,
            _ => not_allowed("POST"),
        },
        ["api", "me", "confirmations", "cancel"] => match method {
            Post => routes::member::cancel(req, env).await,
            _ => not_allowed("POST"),
        },
        ["api", "register", "debits"] => match method {
            Post => routes::register::debit(req, env).await,
            _ => not_allowed("POST"),
        },
        ["api", "register", "debits", "wait"] => match method {
            Post => routes::register::debit_wait(req, env).await,
            _ => not_allowed("POST"),
        },
        ["api", "register", "debits", "cancel"] => match method {
            Post => routes::register::debit_cancel(req, env).await,
            _ => not_allowed("POST"),
        },
        ["api", "register", "prepaid", "top-ups"] => match method {
            Post => routes::register::top_up(req, env).await,
            _ => not_allowed("POST"),
        },
        ["api", "register"] => match method {
            Get => routes::register::info(req, env).await,
            _ => not_allowed("GET"),
        },
        ["api", "register", "resolve"] => match method {
            Post => routes::register::resolve(req, env).await,
            _ => not_allowed("POST"),
        },
        ["api", "register", "points"] => match method {
            Post => routes::register::accrue(req, env).await,
            _ => not_allowed("POST"),
        },
        ["api", "admin", "shops"] => match method {
            Post => routes::admin::create_shop(req, env).await,
            _ => not_allowed("POST"),
        },
        ["api", "admin", "shops", shop_id, "registers"] => match method {
            Post => routes::admin::create_register(req, env, shop_id).await,
            _ => not_allowed("POST"),
        },
        // Bills and tickets (issue 5): kept together so the table above stays as it was.
        ["api", "me", "claims"] => match method {
            Post => routes::items::claim(req, env).await,
            _ => not_allowed("POST"),
        },
        ["api", "me", "items"] => match method {
            Get => routes::items::pocket(req, env).await,
            _ => not_allowed("GET"),
        },
        ["api", "me", "item-codes"] => match method {
            Post => routes::items::issue_code(req, env).await,
            _ => not_allowed("POST"),
        },
        ["api", "me", "transfers"] => match method {
            Post => routes::items::offer_transfer(req, env).await,
            _ => not_allowed("POST"),
        },
        ["api", "me", "transfers", "accept"] => match method {
            Post => routes::items::accept_transfer(req, env).await,
            _ => not_allowed("POST"),
        },
        ["api", "register", "scan"] => match method {
            Post => routes::gate::scan(req, env).await,
            _ => not_allowed("POST"),
        },
        ["api", "register", "bills", "pay"] => match method {
            Post => routes::gate::pay_bill(req, env).await,
            _ => not_allowed("POST"),
        },
        ["api", "admin", "issuers"] => match method {
            Post => routes::issuer::create(req, env).await,
            _ => not_allowed("POST"),
        },
        ["api", "admin", "issuers", issuer_id] => match method {
            Delete => routes::issuer::revoke(req, env, issuer_id).await,
            _ => not_allowed("DELETE"),
        },
        ["api", "issuer", "bills"] => match method {
            Post => routes::issuer::create_bill(req, env).await,
            _ => not_allowed("POST"),
        },
        ["api", "issuer", "bills", bill_id] => match method {
            Get => routes::issuer::bill_status(req, env, bill_id).await,
            _ => not_allowed("GET"),
        },
        ["api", "issuer", "bills", bill_id, "cancel"] => match method {
            Post => routes::issuer::cancel_bill(req, env, bill_id).await,
            _ => not_allowed("POST"),
        },
        ["api", "issuer", "tickets"] => match method {
            Post => routes::issuer::create_tickets(req, env).await,
            _ => not_allowed("POST"),
        },
        ["api", "issuer", "events", event_id] => match method {
            Get => routes::issuer::event_status(req, env, event_id).await,
            _ => not_allowed("GET"),
        },
        ["api", "issuer", "events", event_id, "tickets", ticket_id, "cancel"] => match method {
            Post => routes::issuer::cancel_ticket(req, env, event_id, ticket_id).await,
            _ => not_allowed("POST"),
        },
        ["api", "admin", "shops", shop_id, "products"] => match method {
            Put => routes::admin::put_products(req, env, shop_id).await,
            _ => not_allowed("PUT"),
        },
        ["api", "admin", "shops", shop_id, "rewards"] => match method {
            Put => routes::admin::put_rewards(req, env, shop_id).await,
            _ => not_allowed("PUT"),
        },
        [""] => {
            let phone = req.url()?.join("/phone/").map_err(|e| Problem::internal(format!("url: {e}")))?;
            Ok(Response::redirect(phone)?)
        }
        _ => Err(Problem::new(ErrorCode::NotFound, format!("nothing at {path}"))),
    }
}

fn not_allowed(allowed: &str) -> Outcome<Response> {
    let response = Problem::new(ErrorCode::MethodNotAllowed, format!("this path answers {allowed}")).into_response();
    response.headers().set("allow", allowed)?;
    Ok(response)
}
