//! The API's route tables and handlers, one table per [`Area`] of callers.
//!
//! `lib.rs` picks the area by the path's prefix ([`Area::of`]); the area's
//! `route` matches the path against [`domain::api::routes`] and the method.
//! Members' bills and tickets are handled in [`items`], registers' scans and
//! bill payments in [`gate`], leaving a shop, the export and closing the account in
//! [`withdrawal`]; their routes are in the member and register tables.
//! A shop's registers ([`shop_registers`]) and pairing approvals ([`pairing::approve`])
//! are in the owners' table. Passkeys ([`passkeys`]) are routed in the member and owner tables.
//!
//! [`Area`]: domain::api::routes::Area
//! [`Area::of`]: domain::api::routes::Area::of

pub mod admin;
pub mod cards;
pub mod coupons;
pub mod dashboard;
pub mod gate;
pub mod history;
pub mod issuer;
pub mod items;
pub mod member;
pub mod offline;
pub mod owner;
pub mod owner_session;
pub mod pairing;
pub mod passkeys;
pub mod public;
pub mod refunds;
pub mod register;
pub mod shop_registers;
pub mod staff;
pub mod stores;
pub mod test_clock;
pub mod withdrawal;

use crate::error::{Outcome, Problem};
use domain::api::ErrorCode;
use worker::Response;

/// 405 with the `Allow` header naming the methods this path answers.
pub fn not_allowed(allowed: &str) -> Outcome<Response> {
    let response = Problem::new(ErrorCode::MethodNotAllowed, format!("this path answers {allowed}")).into_response();
    response.headers().set("allow", allowed)?;
    Ok(response)
}

/// 404 `not_found` for a path no table knows.
pub fn not_found(path: &str) -> Problem {
    Problem::new(ErrorCode::NotFound, format!("nothing at {path}"))
}
