//! Routes for shop owners: [`domain::api::routes::Area::Owner`]. Every call is scoped to a
//! shop the caller runs (see [`auth::shop_manager`]).
//!
//! [`auth::shop_manager`]: crate::auth::shop_manager

use crate::error::Outcome;
use crate::routes::not_found;
use worker::{Env, Request, Response};

/// The owners' table: [`domain::api::routes::Area::Owner`].
pub async fn route(_req: Request, _env: &Env, path: &str) -> Outcome<Response> {
    Err(not_found(path))
}
