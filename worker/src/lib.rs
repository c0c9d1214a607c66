//! Tessera's Worker: the API behind the phone and register pages.
//!
//! A thin adapter around the `domain` crate: this crate routes requests,
//! checks who is calling ([`auth`]), and keeps state ([`storage`]); every rule
//! about codes, points and inputs comes from `domain`.
//!
//! Static pages (`/phone/`, `/register/`, `/owner/`) are served from `dist/` by the
//! runtime's asset handling before this Worker runs; `/` redirects to the phone page.
//!
//! Bindings (see `wrangler.toml`): KV `DIRECTORY`; Durable Objects
//! `MEMBER_VAULT` ([`MemberVault`]), `CODE_INDEX` ([`CodeIndex`]), `SHOP_BOOK`
//! ([`ShopBook`]); for bills and tickets `EVENT_BOOK` ([`EventBook`]),
//! `BILL_BOOK` ([`BillBook`]), `POCKET` ([`Pocket`]); `ID_REGISTRY` ([`IdRegistry`])
//! claims issuer ids once; `OWNER_BOOK` ([`OwnerBook`]) holds shop owners' accounts and invites;
//! `PAIRING_DESK` ([`PairingDesk`]) pairs register pages; `SHOP_STATS` ([`ShopStats`]) keeps each shop's dashboard figures; `THROTTLE` ([`Throttle`])
//! slows guessing down. Secrets: `SESSION_SECRET` (signs session cookies; member
//! routes answer 500 without it), `ADMIN_TOKEN` (admin routes answer 401
//! without it), `CARD_KEYS_SECRET` (seals each shop's card processor keys, [`cards`]) and
//! `OFFLINE_SIGNING_SECRET` (derives each shop's Ed25519 key for offline codes, see
//! [`offline_keys`]; the offline routes answer 500 without it).
//! Variables: `STRIPE_API_BASE` and `STRIPE_JS_URL`, the card processor's addresses.

mod auth;
mod cards;
mod clock;
mod crypto;
mod error;
mod links;
mod offline_keys;
mod qr;
mod refusals;
mod routes;
mod storage;
mod web;
mod zone;

pub use storage::bill_book::BillBook;
pub use storage::code_index::CodeIndex;
pub use storage::event_book::EventBook;
pub use storage::id_registry::IdRegistry;
pub use storage::member_vault::MemberVault;
pub use storage::owner_book::OwnerBook;
pub use storage::pairing_desk::PairingDesk;
pub use storage::pocket::Pocket;
pub use storage::shop_book::ShopBook;
pub use storage::shop_stats::ShopStats;
pub use storage::throttle::Throttle;

use domain::api::routes::Area;
use error::{Outcome, Problem};
use worker::{event, Context, Env, Request, Response};

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> worker::Result<Response> {
    let answer = match web::refuse_declared_oversize(&req) {
        Ok(()) => route(req, &env).await,
        Err(refusal) => Err(refusal),
    };
    Ok(web::with_security_headers(answer.unwrap_or_else(Problem::into_response)))
}

/// Hands the request to its area's table (see [`routes`]); `/` goes to the phone page.
async fn route(req: Request, env: &Env) -> Outcome<Response> {
    // Extra leading slashes are ignored: `//api/health` is `/api/health`.
    let path = format!("/{}", req.path().trim_start_matches('/'));
    match Area::of(&path) {
        Some(Area::Public) => routes::public::route(req, env, &path).await,
        Some(Area::Member) => routes::member::route(req, env, &path).await,
        Some(Area::Register) => routes::register::route(req, env, &path).await,
        Some(Area::Issuer) => routes::issuer::route(req, env, &path).await,
        Some(Area::Admin) => routes::admin::route(req, env, &path).await,
        Some(Area::Owner) => routes::owner::route(req, env, &path).await,
        Some(Area::Pairing) => routes::pairing::route(req, env, &path).await,
        None if path == "/" => {
            let phone = req.url()?.join("/phone/").map_err(|e| Problem::internal(format!("url: {e}")))?;
            Ok(Response::redirect(phone)?)
        }
        None => Err(routes::not_found(&path)),
    }
}
