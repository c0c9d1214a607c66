//! The test clock: `PUT /api/admin/test-clock` runs one shop's expiry clock
//! ahead (see [`crate::clock`]). It exists only where the Worker runs with
//! `TEST_CLOCK=on`, which only the test stack of `cargo xtask test` sets;
//! without it the path is 404 like any unknown path, and no offset is ever set.

use crate::auth;
use crate::clock;
use crate::error::Outcome;
use crate::routes::{not_allowed, not_found};
use crate::web;
use domain::api::{routes, TestClock};
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
