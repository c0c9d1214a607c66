//! Routes for registers (the register page): who am I, what is this code,
//! add points for a sale. A register acts only for its own shop.

use crate::auth;
use crate::crypto::sha256_hex;
use crate::error::{Outcome, Problem};
use crate::storage::code_index::{self, CodeHash};
use crate::storage::member_vault::{Accrual, VaultClient};
use crate::storage::shop_book;
use crate::web;
use domain::api::{AccruePointsRequest, ErrorCode, RegisterInfo, ResolveRequest};
use domain::code::OneTimeCode;
use domain::member::MemberNumber;
use domain::money::MinorUnits;
use worker::{Env, Request, Response};

/// `GET /api/register` → [`RegisterInfo`].
pub async fn info(req: Request, env: &Env) -> Outcome<Response> {
    let register = auth::register(&req, env).await?;
    web::ok(&RegisterInfo {
        register_id: register.record.register_id,
        register_name: register.record.name,
        shop: register.shop,
    })
}

/// The member behind a code, or `unknown`.
async fn issuer(env: &Env, code: &OneTimeCode) -> Outcome<MemberNumber> {
    code_index::lookup(env, code)
        .await?
        .ok_or_else(|| Problem::new(ErrorCode::Unknown, "this code is not known: it was never issued or is long gone"))
}

/// `POST /api/register/resolve` → [`domain::api::CustomerView`]; holds the code for the sale.
pub async fn resolve(mut req: Request, env: &Env) -> Outcome<Response> {
    let register = auth::register(&req, env).await?;
    let request: ResolveRequest = web::json_body(&mut req).await?;
    let member = issuer(env, &request.code).await?;
    let customer = VaultClient::of(env, &member)?
        .resolve(CodeHash::of(&request.code), register.shop.shop_id)
        .await?;
    web::ok(&customer)
}

/// `POST /api/register/points` → [`domain::api::PointsAccrued`]. The request id
/// is claimed in the shop's book first, so it means one sale across all of the
/// shop's customers; the vault then replays or applies it atomically.
pub async fn accrue(mut req: Request, env: &Env) -> Outcome<Response> {
    let register = auth::register(&req, env).await?;
    let request: AccruePointsRequest = web::json_body(&mut req).await?;
    let amount = MinorUnits::from_minor(request.amount_minor, register.shop.currency)
        .map_err(|error| Problem::new(ErrorCode::InvalidRequest, error.to_string()))?;
    let member = issuer(env, &request.code).await?;
    let code_hash = CodeHash::of(&request.code);
    let fingerprint = sha256_hex(format!("{}|{}|{}", register.record.register_id, code_hash.as_str(), amount.0).as_bytes());
    shop_book::claim_request(env, &register.shop.shop_id, &request.request_id, fingerprint).await?;
    let accrual = Accrual {
        code_hash,
        shop: register.shop,
        register_id: register.record.register_id,
        request_id: request.request_id,
        amount,
    };
    let accrued = VaultClient::of(env, &member)?.accrue(&accrual).await?;
    web::ok(&accrued)
}
