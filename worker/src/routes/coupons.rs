//! Coupons: the owner's routes (create, list with results, end; routed from
//! the owners' table), the member's (their coupons across shops, the opt-out
//! of segment offers) and the register's (the coupons of the customer it
//! read). A sale names a coupon in [`super::register::accrue`]. The rules are
//! `domain::coupons`; the shop's book keeps the coupons and counts their uses,
//! the member's vault records each member's use with the sale.

use crate::auth;
use crate::error::{Outcome, Problem};
use crate::storage::code_index::protocol::CodeHash;
use crate::storage::member_vault::protocol::VaultClient;
use crate::storage::shop_book::protocol::ShopClient;
use crate::web;
use domain::api::coupons::{
    CouponList, CouponOffer, CouponSettings, CustomerCoupons, CustomerCouponsRequest, MemberCoupon, MemberCoupons,
};
use domain::api::ErrorCode;
use domain::coupons::{CouponId, CouponTerms};
use domain::staff::StaffAction;
use worker::{Env, Request, Response};

fn unknown_coupon(coupon_id: &str) -> Problem {
    Problem::new(ErrorCode::UnknownCoupon, format!("this shop has no coupon {coupon_id}"))
}

/// `GET /api/owner/shops/{shop}/coupons` → [`CouponList`]: owners and the shop's store managers.
pub async fn list(req: Request, env: &Env, shop_id: &str) -> Outcome<Response> {
    let (shop, manager) = auth::shop_and_manager(&req, env, shop_id).await?;
    manager.require(StaffAction::ViewDashboard)?;
    let coupons = ShopClient::of(env, &shop.shop_id)?.coupons().await?;
    web::ok(&CouponList { currency: shop.currency, coupons })
}

/// `POST /api/owner/shops/{shop}/coupons` [`CouponTerms`] → 201 [`OwnerCoupon`](domain::api::coupons::OwnerCoupon).
/// Owners only: a coupon applies in every store.
pub async fn create(mut req: Request, env: &Env, shop_id: &str) -> Outcome<Response> {
    let (shop, manager) = auth::shop_and_manager(&req, env, shop_id).await?;
    manager.require_owner()?;
    let terms: CouponTerms = web::json_body(&mut req).await?;
    terms.validate().map_err(|error| Problem::new(ErrorCode::InvalidRequest, error.to_string()))?;
    web::created(&ShopClient::of(env, &shop.shop_id)?.create_coupon(terms).await?)
}

/// `POST /api/owner/shops/{shop}/coupons/{coupon}/end` → [`OwnerCoupon`](domain::api::coupons::OwnerCoupon).
pub async fn end(req: Request, env: &Env, shop_id: &str, coupon_id: &str) -> Outcome<Response> {
    let (shop, manager) = auth::shop_and_manager(&req, env, shop_id).await?;
    manager.require_owner()?;
    let coupon_id = CouponId::parse(coupon_id).map_err(|_| unknown_coupon(coupon_id))?;
    web::ok(&ShopClient::of(env, &shop.shop_id)?.end_coupon(coupon_id).await?)
}

/// `GET /api/me/coupons` → [`MemberCoupons`]: each of the member's shops
/// judges its coupons for them (one call per shop the member belongs to).
pub async fn mine(req: Request, env: &Env) -> Outcome<Response> {
    let member = auth::member(&req, env).await?;
    let vault = VaultClient::of(env, &member)?;
    let facts = vault.coupon_facts().await?;
    let mut coupons = Vec::new();
    for shop in facts.shops {
        let offers = ShopClient::of(env, &shop.shop.shop_id)?.coupon_offers(shop.member).await?;
        coupons.extend(offers.iter().map(|coupon| MemberCoupon {
            shop_id: shop.shop.shop_id.clone(),
            shop_name: shop.shop.name.clone(),
            currency: shop.shop.currency,
            offer: CouponOffer::of(coupon),
        }));
    }
    coupons.sort_by_key(|coupon| coupon.offer.ends_at);
    web::ok(&MemberCoupons { coupons, opted_out: facts.opted_out })
}

/// `PUT /api/me/coupon-settings` [`CouponSettings`] → [`CouponSettings`].
pub async fn settings(mut req: Request, env: &Env) -> Outcome<Response> {
    let member = auth::member(&req, env).await?;
    let settings: CouponSettings = web::json_body(&mut req).await?;
    VaultClient::of(env, &member)?.set_coupon_opt_out(settings.opted_out).await?;
    web::ok(&settings)
}

/// `POST /api/register/coupons` [`CustomerCouponsRequest`] → [`CustomerCoupons`]: the code is
/// checked (not spent), the member's vault gives what the shop's book judges the coupons by.
pub async fn for_customer(mut req: Request, env: &Env) -> Outcome<Response> {
    let register = auth::register(&req, env).await?;
    let request: CustomerCouponsRequest = web::json_body(&mut req).await?;
    let found = auth::throttle::CodeGuard::of(env, &register)?.look_up(env, &request.code).await?;
    let shop_id = register.shop.shop_id.clone();
    let member = VaultClient::of(env, &found.member_number)?
        .customer_coupon_facts(CodeHash::of(&request.code), shop_id.clone())
        .await?;
    let offers = ShopClient::of(env, &shop_id)?.coupon_offers(member).await?;
    web::ok(&CustomerCoupons { coupons: offers.iter().map(CouponOffer::of).collect() })
}
