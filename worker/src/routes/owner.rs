//! Routes for shop owners: [`domain::api::routes::Area::Owner`]. Every call is scoped to a
//! shop the caller runs (see [`auth::shop_manager`]).
//!
//! [`auth::shop_manager`]: crate::auth::shop_manager

use crate::error::Outcome;
use crate::routes::{not_allowed, not_found, pairing, shop_registers};
use domain::api::routes;
use worker::{Env, Method, Request, Response};

/// The owners' table: [`domain::api::routes::Area::Owner`].
pub async fn route(req: Request, env: &Env, path: &str) -> Outcome<Response> {
    let method = req.method();
    if let Some(shop_id) = routes::id_in(path, routes::owner_registers) {
        return match method {
            Method::Get => shop_registers::list(req, env, shop_id).await,
            _ => not_allowed("GET"),
        };
    }
    if let Some((shop_id, register_id)) = routes::ids_in(path, routes::owner_register) {
        return match method {
            Method::Delete => shop_registers::revoke(req, env, shop_id, register_id).await,
            _ => not_allowed("DELETE"),
        };
    }
    if let Some(shop_id) = routes::id_in(path, routes::owner_pairings) {
        return match method {
            Method::Post => pairing::approve(req, env, shop_id).await,
            _ => not_allowed("POST"),
        };
    }
    Err(not_found(path))
}
