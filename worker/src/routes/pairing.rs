//! Routes for a register page that has no credential yet: [`domain::api::routes::Area::Pairing`],
//! and the owner's approval of its code ([`approve`], routed from the owners' table).
//!
//! The page starts a pairing (public: it has nothing to show yet) and gets a
//! short code to show and a 256-bit secret to keep; it polls with the secret.
//! An owner approves the code for a shop; the register is created at once and
//! its token is handed to the polling page exactly once (see [`PairingDesk`]).
//!
//! [`PairingDesk`]: crate::storage::pairing_desk::PairingDesk

use crate::auth;
use crate::auth::throttle;
use crate::crypto::{hex, random_bytes, sha256_hex, unhex};
use crate::error::{Outcome, Problem};
use crate::refusals;
use crate::routes::{not_allowed, not_found};
use crate::storage::directory::Directory;
use crate::storage::pairing_desk::protocol::{Approve, PairingClient, Start};
use crate::storage::registers::{self, Credential};
use crate::web;
use domain::api::owner::{ApprovePairingRequest, PairingStarted};
use domain::api::owner_accounts::OwnerEmail;
use domain::api::{routes, ErrorCode};
use domain::pairing::{PairingCode, PAIRING_LIFETIME_MS};
use domain::shop::ShopId;
use domain::staff::StaffAction;
use domain::throttle::is_wrong_pairing_code;
use domain::UnixMillis;
use worker::{Env, Method, Request, Response};

/// Pairing secrets carry 256 random bits.
const SECRET_BYTES: usize = 32;
/// A test stack may shorten pairings (`--var PAIRING_LIFETIME_SECONDS:30`) to
/// see them expire; never longer than the domain's lifetime, never under 5 s.
const LIFETIME_VAR: &str = "PAIRING_LIFETIME_SECONDS";
const SHORTEST_LIFETIME_MS: UnixMillis = 5_000;

/// The pairing table: [`routes::Area::Pairing`].
pub async fn route(req: Request, env: &Env, path: &str) -> Outcome<Response> {
    let method = web::method(&req);
    if path == routes::PAIRINGS {
        return match method {
            Method::Post => start(&req, env).await,
            _ => not_allowed("POST"),
        };
    }
    match routes::id_in(path, routes::pairing) {
        Some(secret) => match method {
            Method::Get => poll(env, secret).await,
            _ => not_allowed("GET"),
        },
        None => Err(not_found(path)),
    }
}

/// How long a pairing stays open here: the domain's 10 minutes unless the stack shortens it.
fn lifetime_ms(env: &Env) -> UnixMillis {
    env.var(LIFETIME_VAR)
        .ok()
        .and_then(|value| value.to_string().trim().parse::<UnixMillis>().ok())
        .map_or(PAIRING_LIFETIME_MS, |seconds| {
            seconds.saturating_mul(1000).clamp(SHORTEST_LIFETIME_MS, PAIRING_LIFETIME_MS)
        })
}

/// `POST /api/pairings` → 201 [`PairingStarted`]; `too_many_attempts` when
/// too many pairings are open (in all, or from the caller's address).
async fn start(req: &Request, env: &Env) -> Outcome<Response> {
    let secret = hex(&random_bytes::<SECRET_BYTES>()?);
    // Cloudflare names the caller's address; locally there is none, and every caller is one client.
    let client = req.headers().get("cf-connecting-ip")?.unwrap_or_default();
    let opened = PairingClient::open(env)?
        .start(Start {
            secret_hash: sha256_hex(secret.as_bytes()),
            client_hash: sha256_hex(client.as_bytes()),
            lifetime_ms: lifetime_ms(env),
        })
        .await?;
    web::created(&PairingStarted { code: opened.code.as_str().to_owned(), secret, expires_at: opened.expires_at })
}

/// `GET /api/pairings/{secret}` → [`domain::api::owner::PairingStatus`]; the credential once.
async fn poll(env: &Env, secret: &str) -> Outcome<Response> {
    let well_formed = secret.len() == SECRET_BYTES * 2 && unhex(secret).is_some();
    if !well_formed {
        return Err(Problem::new(ErrorCode::NotFound, "a pairing secret is 64 hex digits"));
    }
    web::ok(&PairingClient::open(env)?.poll(sha256_hex(secret.to_ascii_lowercase().as_bytes())).await?)
}

/// `POST /api/owner/shops/{shop}/pairings` [`ApprovePairingRequest`] → 201
/// [`domain::api::owner::RegisterSummary`]: the waiting page with this code
/// becomes a register of the shop, standing in the named store (the main store
/// if none is named; `unknown_store` for a store the shop does not have). `pairing_invalid` for an unknown, expired
/// or already approved code; of concurrent approvals of one code one wins. Wrong
/// codes slow the account and the client address down (`too_many_attempts`).
pub async fn approve(mut req: Request, env: &Env, shop_id: &str) -> Outcome<Response> {
    let shop_id = ShopId::parse(shop_id).map_err(|_| refusals::unknown_shop())?;
    let manager = auth::shop_manager(&req, env, &shop_id).await?;
    let request: ApprovePairingRequest = web::json_body(&mut req).await?;
    // A store manager pairs registers into their own store only.
    manager.require_in(StaffAction::RunRegisters, &request.store_id)?;
    let invalid =
        || Problem::new(ErrorCode::PairingInvalid, "this is not a pairing code: check what the register shows");
    let code = PairingCode::parse(&request.code).map_err(|_| invalid())?;
    let shop = Directory::open(env)?.shop(&shop_id).await?.ok_or_else(refusals::unknown_shop)?;
    // Refused before the code is taken, so the page can still be paired into a store that is open.
    super::stores::require_open(env, &shop.shop_id, &request.store_id).await?;
    let credential = Credential::generate()?;
    let desk = PairingClient::open(env)?;
    // Counted as a guess (per account and per client) before the desk is asked.
    let guess = throttle::begin_pairing_guess(&req, env, manager.email().map(OwnerEmail::as_str)).await?;
    let approved = desk
        .approve(Approve {
            code: code.clone(),
            register_id: credential.register_id.clone(),
            shop_id: shop.shop_id.clone(),
            name: request.name.clone(),
            token: credential.token.clone(),
            lifetime_ms: lifetime_ms(env),
        })
        .await;
    guess.judged(approved, is_wrong_pairing_code).await?;
    // The code is ours now; the register exists before the page may collect its token.
    let summary = registers::create(env, &shop.shop_id, request.name, request.store_id, &credential).await?;
    desk.ready(code).await?;
    web::created(&summary)
}
