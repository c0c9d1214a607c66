//! Routes anyone may call.

use crate::error::Outcome;
use crate::storage::directory::Directory;
use crate::web;
use domain::api::ShopList;
use worker::{Env, Response};

/// Readiness probe for scripts and tests.
pub fn health() -> Outcome<Response> {
    web::ok(&serde_json::json!({ "ok": true }))
}

/// `GET /api/shops`: the shops a member can join.
pub async fn shops(env: &Env) -> Outcome<Response> {
    let shops = Directory::open(env)?.shops().await?;
    web::ok(&ShopList { shops })
}
