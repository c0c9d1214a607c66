//! A shop's registers as its manager sees them: the list and revocation,
//! routed from the owners' table ([`super::owner`]). Paired registers are
//! created in [`super::pairing`], the operator's in [`super::admin`].

use crate::auth;
use crate::error::{Outcome, Problem};
use crate::refusals;
use crate::storage::shop_book::protocol::ShopClient;
use crate::web;
use domain::api::owner::RegisterList;
use domain::api::ErrorCode;
use domain::shop::{RegisterId, ShopId};
use domain::staff::StaffAction;
use worker::{Env, Request, Response};

/// `GET /api/owner/shops/{shop}/registers` → [`RegisterList`], revoked ones included.
pub async fn list(req: Request, env: &Env, shop_id: &str) -> Outcome<Response> {
    let shop_id = ShopId::parse(shop_id).map_err(|_| refusals::unknown_shop())?;
    let manager = auth::shop_manager(&req, env, &shop_id).await?;
    manager.require(StaffAction::RunRegisters)?;
    let mut registers = ShopClient::of(env, &shop_id)?.registers().await?;
    // A store manager sees their store's registers only.
    registers.retain(|register| manager.may_in(StaffAction::RunRegisters, &register.store_id));
    web::ok(&RegisterList { registers })
}

/// `DELETE /api/owner/shops/{shop}/registers/{register}` → 204: the register's
/// very next request is refused with `register_revoked`. Another shop's
/// register is `not_found` here.
pub async fn revoke(req: Request, env: &Env, shop_id: &str, register_id: &str) -> Outcome<Response> {
    let shop_id = ShopId::parse(shop_id).map_err(|_| refusals::unknown_shop())?;
    let manager = auth::shop_manager(&req, env, &shop_id).await?;
    manager.require(StaffAction::RunRegisters)?;
    let register_id = RegisterId::parse(register_id)
        .map_err(|_| Problem::new(ErrorCode::NotFound, "this shop has no such register"))?;
    let book = ShopClient::of(env, &shop_id)?;
    if !manager.runs_shop() {
        // A store manager may revoke only their own store's registers: 403 for another store's.
        let registers = book.registers().await?;
        let register = registers.iter().find(|register| register.register_id == register_id);
        if let Some(register) = register {
            manager.require_in(StaffAction::RunRegisters, &register.store_id)?;
        }
    }
    book.revoke_register(&register_id).await?;
    Ok(Response::empty()?.with_status(204))
}
