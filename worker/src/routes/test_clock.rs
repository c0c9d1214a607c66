//! Test time: `PUT /api/admin/test-clock` runs one shop's expiry clock ahead
//! (see [`crate::clock`]), and `POST /api/admin/test-housekeeping`,
//! `…/test-shop-housekeeping` and `…/test-owner-housekeeping` run one member vault's, shop
//! book's or (over one account) the owners' book's housekeeping round as if later (the alarms
//! that run them wait a day), and `POST /api/admin/test-seed-stats` counts a batch of a shop's
//! synthetic sales ([`domain::synthetic`]) in its statistics, through the code a real receipt is
//! counted by (for `cargo xtask bench-dashboard`). They exist only where the Worker runs with `TEST_CLOCK=on`,
//! which only the test stack of `cargo xtask test` sets; without it the paths
//! are 404 like any unknown path.

use crate::auth;
use crate::clock;
use crate::error::{Outcome, Problem};
use crate::routes::{not_allowed, not_found};
use crate::storage::directory::Directory;
use crate::storage::member_vault::protocol::VaultClient;
use crate::storage::owner_book::protocol::OwnerClient;
use crate::storage::shop_book::protocol::ShopClient;
use crate::storage::shop_stats::protocol::StatsClient;
use crate::web;
use crate::zone::Zone;
use domain::api::{routes, ErrorCode, TestClock, TestHousekeeping, TestOwnerHousekeeping, TestShopHousekeeping};
use domain::points_expiry::FixedOffset;
use domain::synthetic::{TestSeedStats, TestSeeded, MAX_BATCH};
use worker::{Env, Method, Request, Response};

/// The variable that turns the route on, and its one value that does.
const SWITCH: &str = "TEST_CLOCK";
const ON: &str = "on";

fn enabled(env: &Env) -> bool {
    env.var(SWITCH).is_ok_and(|value| value.to_string() == ON)
}

/// `PUT /api/admin/test-clock` (bearer `ADMIN_TOKEN`) [`TestClock`] → 204.
pub async fn route(mut req: Request, env: &Env) -> Outcome<Response> {
    if !enabled(env) {
        return Err(not_found(routes::ADMIN_TEST_CLOCK));
    }
    if crate::web::method(&req) != Method::Put {
        return not_allowed("PUT");
    }
    auth::admin(&req, env)?;
    let request: TestClock = web::json_body(&mut req).await?;
    clock::set_test_offset(&request.shop_id, request.offset_ms);
    Ok(Response::empty()?.with_status(204))
}

/// `POST /api/admin/test-housekeeping` (bearer `ADMIN_TOKEN`) [`TestHousekeeping`] → 200
/// [`domain::api::Forgotten`].
pub async fn housekeeping_route(mut req: Request, env: &Env) -> Outcome<Response> {
    if !enabled(env) {
        return Err(not_found(routes::ADMIN_TEST_HOUSEKEEPING));
    }
    if crate::web::method(&req) != Method::Post {
        return not_allowed("POST");
    }
    auth::admin(&req, env)?;
    let request: TestHousekeeping = web::json_body(&mut req).await?;
    // Only later: housekeeping never runs in the past.
    let now = clock::now().saturating_add(request.later_ms.max(0));
    let forgotten = VaultClient::of(env, &request.member_number)?.housekeep(now).await?;
    Ok(Response::from_json(&forgotten)?)
}

/// `POST /api/admin/test-shop-housekeeping` (bearer `ADMIN_TOKEN`) [`TestShopHousekeeping`] → 200
/// [`domain::api::ShopForgotten`].
pub async fn shop_housekeeping_route(mut req: Request, env: &Env) -> Outcome<Response> {
    if !enabled(env) {
        return Err(not_found(routes::ADMIN_TEST_SHOP_HOUSEKEEPING));
    }
    if crate::web::method(&req) != Method::Post {
        return not_allowed("POST");
    }
    auth::admin(&req, env)?;
    let request: TestShopHousekeeping = web::json_body(&mut req).await?;
    // Only later: housekeeping never runs in the past.
    let now = clock::now().saturating_add(request.later_ms.max(0));
    let forgotten = ShopClient::of(env, &request.shop_id)?.housekeep(now).await?;
    Ok(Response::from_json(&forgotten)?)
}

/// `POST /api/admin/test-owner-housekeeping` (bearer `ADMIN_TOKEN`) [`TestOwnerHousekeeping`] → 200
/// [`domain::api::OwnerForgotten`].
pub async fn owner_housekeeping_route(mut req: Request, env: &Env) -> Outcome<Response> {
    if !enabled(env) {
        return Err(not_found(routes::ADMIN_TEST_OWNER_HOUSEKEEPING));
    }
    if crate::web::method(&req) != Method::Post {
        return not_allowed("POST");
    }
    auth::admin(&req, env)?;
    let request: TestOwnerHousekeeping = web::json_body(&mut req).await?;
    // Only later: housekeeping never runs in the past.
    let now = clock::now().saturating_add(request.later_ms.max(0));
    let forgotten = OwnerClient::open(env)?.housekeep(now, request.email).await?;
    Ok(Response::from_json(&forgotten)?)
}

/// `POST /api/admin/test-seed-stats` (bearer `ADMIN_TOKEN`) [`TestSeedStats`] → 200 [`TestSeeded`]:
/// receipts `first..first + count` of the plan (at most [`MAX_BATCH`]), handed to the shop's
/// statistics in one batch and counted each as a real receipt is.
pub async fn seed_stats_route(mut req: Request, env: &Env) -> Outcome<Response> {
    if !enabled(env) {
        return Err(not_found(routes::ADMIN_TEST_SEED_STATS));
    }
    if crate::web::method(&req) != Method::Post {
        return not_allowed("POST");
    }
    auth::admin(&req, env)?;
    let request: TestSeedStats = web::json_body(&mut req).await?;
    if request.count > MAX_BATCH {
        return Err(Problem::new(ErrorCode::InvalidRequest, format!("count: at most {MAX_BATCH} a call")));
    }
    let shop = Directory::open(env)?
        .shop(&request.shop_id)
        .await?
        .ok_or_else(|| Problem::new(ErrorCode::UnknownShop, "no such shop"))?;
    let numbers = (0..u64::from(request.count)).filter_map(|n| request.first.checked_add(n));
    let receipts: Vec<_> = match Zone::of(&shop.programme.time_zone) {
        Some(zone) => numbers.filter_map(|n| request.plan.receipt(&shop, &zone, n)).collect(),
        None => numbers.filter_map(|n| request.plan.receipt(&shop, &FixedOffset(0), n)).collect(),
    };
    let counted = StatsClient::of(env, &shop.shop_id)?.record_batch(receipts).await?;
    Ok(Response::from_json(&TestSeeded { counted })?)
}
