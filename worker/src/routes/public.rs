//! Routes anyone may call.

use crate::error::Outcome;
use crate::routes::{cards, not_allowed, not_found};
use crate::storage::directory::Directory;
use crate::web;
use domain::api::{routes, ShopList};
use worker::{Env, Method, Request, Response};

/// The public table: [`routes::Area::Public`].
pub async fn route(req: Request, env: &Env, path: &str) -> Outcome<Response> {
    use Method::{Get, Post};
    let method = web::method(&req);
    match path {
        routes::HEALTH => match method {
            Get => health(),
            _ => not_allowed("GET"),
        },
        routes::SHOPS => match method {
            Get => shops(env).await,
            _ => not_allowed("GET"),
        },
        _ => match routes::id_in(path, routes::card_webhook) {
            Some(shop_id) => match method {
                Post => cards::webhook(req, env, shop_id).await,
                _ => not_allowed("POST"),
            },
            None => Err(not_found(path)),
        },
    }
}

/// Readiness probe for scripts and tests.
pub fn health() -> Outcome<Response> {
    web::ok(&serde_json::json!({ "ok": true }))
}

/// `GET /api/shops`: the shops a member can join.
pub async fn shops(env: &Env) -> Outcome<Response> {
    let shops = Directory::open(env)?.shops().await?;
    web::ok(&ShopList { shops })
}
