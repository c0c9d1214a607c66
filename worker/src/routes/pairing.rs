//! Routes for a register page that has no credential yet: [`domain::api::routes::Area::Pairing`].

use crate::error::Outcome;
use crate::routes::not_found;
use worker::{Env, Request, Response};

/// The pairing table: [`domain::api::routes::Area::Pairing`].
pub async fn route(_req: Request, _env: &Env, path: &str) -> Outcome<Response> {
    Err(not_found(path))
}
