//! A shop's staff: the owner's staff list (add, reset a PIN, remove) and
//! store managers' console invites, routed from the owners' table
//! ([`super::owner`]); and staff signing in and out at a register, routed from
//! the register table ([`super::register`]). The rules are `domain::staff`.

use crate::auth::password::StoredPassword;
use crate::auth::{self, ShopManager};
use crate::clock;
use crate::crypto::{hex, random_bytes, sha256_hex};
use crate::error::{Outcome, Problem};
use crate::refusals;
use crate::storage::owner_book::protocol::OwnerClient;
use crate::storage::shop_book::protocol::ShopClient;
use crate::storage::shop_book::staff::NewStaff;
use crate::web;
use domain::api::owner_accounts::{invite_path, InviteToken, INVITE_LIFETIME_MS};
use domain::api::staff::{
    ManagerInviteCreated, ManagerInviteRequest, NewStaffRequest, OnDutyStatus, ResetPinRequest, StaffList,
    StaffSession, StaffSignInRequest,
};
use domain::api::ErrorCode;
use domain::shop::ShopId;
use domain::staff::StaffNumber;
use worker::{Env, Request, Response};

/// Manager invite tokens carry 256 random bits, like owners'.
const INVITE_TOKEN_BYTES: usize = 32;

/// The shop, if the caller runs all of it: staff are the owner's business, not a store manager's.
async fn owned_shop(req: &Request, env: &Env, shop_id: &str) -> Outcome<(ShopId, ShopManager)> {
    let shop_id = ShopId::parse(shop_id).map_err(|_| refusals::unknown_shop())?;
    let manager = auth::shop_manager(req, env, &shop_id).await?;
    manager.require_owner()?;
    Ok((shop_id, manager))
}

fn staff_number(number: &str) -> Outcome<StaffNumber> {
    StaffNumber::parse(number).map_err(|_| Problem::new(ErrorCode::NotFound, "this shop has no such staff member"))
}

/// `GET /api/owner/shops/{shop}/staff` → [`StaffList`].
pub async fn list(req: Request, env: &Env, shop_id: &str) -> Outcome<Response> {
    let (shop_id, _) = owned_shop(&req, env, shop_id).await?;
    web::ok(&StaffList { staff: ShopClient::of(env, &shop_id)?.staff().await? })
}

/// `POST /api/owner/shops/{shop}/staff` [`NewStaffRequest`] → 201 [`domain::api::staff::StaffMember`].
pub async fn add(mut req: Request, env: &Env, shop_id: &str) -> Outcome<Response> {
    let (shop_id, _) = owned_shop(&req, env, shop_id).await?;
    let request: NewStaffRequest = web::json_body(&mut req).await?;
    let pin = StoredPassword::create(request.pin.expose()).await?;
    let person = NewStaff { name: request.name, role: request.role, store_id: request.store_id, pin };
    web::created(&ShopClient::of(env, &shop_id)?.add_staff(person).await?)
}

/// `DELETE /api/owner/shops/{shop}/staff/{number}` → 204: their register sessions end at once.
pub async fn remove(req: Request, env: &Env, shop_id: &str, number: &str) -> Outcome<Response> {
    let (shop_id, _) = owned_shop(&req, env, shop_id).await?;
    ShopClient::of(env, &shop_id)?.remove_staff(staff_number(number)?).await?;
    Ok(Response::empty()?.with_status(204))
}

/// `PUT /api/owner/shops/{shop}/staff/{number}/pin` [`ResetPinRequest`] → 204.
pub async fn reset_pin(mut req: Request, env: &Env, shop_id: &str, number: &str) -> Outcome<Response> {
    let (shop_id, _) = owned_shop(&req, env, shop_id).await?;
    let number = staff_number(number)?;
    let request: ResetPinRequest = web::json_body(&mut req).await?;
    let pin = StoredPassword::create(request.pin.expose()).await?;
    ShopClient::of(env, &shop_id)?.reset_staff_pin(number, pin).await?;
    Ok(Response::empty()?.with_status(204))
}

/// `POST /api/owner/shops/{shop}/manager-invites` [`ManagerInviteRequest`] → 201
/// [`ManagerInviteCreated`]: shown once; only the token's SHA-256 is stored.
pub async fn invite_manager(mut req: Request, env: &Env, shop_id: &str) -> Outcome<Response> {
    let (shop_id, _) = owned_shop(&req, env, shop_id).await?;
    ShopClient::of(env, &shop_id)?.profile().await?.ok_or_else(refusals::unknown_shop)?;
    let request: ManagerInviteRequest = web::json_body(&mut req).await?;
    super::stores::require_open(env, &shop_id, &request.store_id).await?;
    let token = InviteToken::parse(&hex(&random_bytes::<INVITE_TOKEN_BYTES>()?))
        .map_err(|_| Problem::internal("generated invite token is invalid"))?;
    let expires_at = clock::now().saturating_add(INVITE_LIFETIME_MS);
    OwnerClient::open(env)?
        .create_manager_invite(sha256_hex(token.as_str().as_bytes()), &shop_id, &request.store_id, expires_at)
        .await?;
    web::created(&ManagerInviteCreated {
        shop_id,
        store_id: request.store_id,
        invite_path: invite_path(&token),
        token,
        expires_at,
    })
}

/// `GET /api/register/staff-session` → [`OnDutyStatus`].
pub async fn on_duty(req: Request, env: &Env) -> Outcome<Response> {
    let register = auth::register(&req, env).await?;
    let (staff_required, on_duty) = auth::staff::duty(&req, env, &register).await?;
    web::ok(&OnDutyStatus { staff_required, on_duty })
}

/// `POST /api/register/staff-session` [`StaffSignInRequest`] → 201 [`StaffSession`].
pub async fn sign_in(mut req: Request, env: &Env) -> Outcome<Response> {
    let register = auth::register(&req, env).await?;
    let request: StaffSignInRequest = web::json_body(&mut req).await?;
    let (token, on_duty) = auth::staff::sign_in(env, &register, request.staff_number, &request.pin).await?;
    web::created(&StaffSession { token, on_duty })
}

/// `DELETE /api/register/staff-session` → 204: the session sent is ended.
pub async fn sign_out(req: Request, env: &Env) -> Outcome<Response> {
    let register = auth::register(&req, env).await?;
    auth::staff::sign_out(&req, env, &register).await?;
    Ok(Response::empty()?.with_status(204))
}
