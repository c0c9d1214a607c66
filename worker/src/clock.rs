//! The one clock: milliseconds since the epoch, as the domain rules expect.
//! (In Workers, `Date.now()` advances only across I/O, which is fine for rules
//! measured in seconds.)
//!
//! Points expire after months, which no test can wait for: the expiry rule
//! reads [`shop_now`], which a test may run ahead for one shop through the
//! test-clock route (`routes::test_clock`). That route answers only where the
//! Worker runs with `TEST_CLOCK=on` (the test stack of `cargo xtask test`;
//! never `wrangler.toml` nor `cargo xtask dev`); everywhere else nothing sets an
//! offset and [`shop_now`] is [`now`]. The offset is per shop so tests running
//! in parallel against one stack (each with its own shop) do not move each
//! other's time, and it shifts only expiry: codes, sessions and pairings keep
//! the real clock. It lives in the isolate's memory, which the Worker and its
//! Durable Objects share under `wrangler dev` (one workerd process, one
//! isolate per script); the API test checks that the vault sees it.

use domain::shop::ShopId;
use domain::UnixMillis;
use std::cell::RefCell;
use std::collections::HashMap;

thread_local! {
    /// Per-shop offsets set by the test-clock route; empty unless `TEST_CLOCK=on`.
    static SHOP_OFFSETS: RefCell<HashMap<String, i64>> = RefCell::new(HashMap::new());
}

pub fn now() -> UnixMillis {
    worker::Date::now().as_millis() as UnixMillis
}

/// The time points expiry at `shop_id` is judged at: [`now`], plus the test
/// offset for this shop if a test set one.
pub fn shop_now(shop_id: &ShopId) -> UnixMillis {
    let offset = SHOP_OFFSETS.with(|offsets| offsets.borrow().get(shop_id.as_str()).copied()).unwrap_or(0);
    now().saturating_add(offset)
}

/// Runs `shop_id`'s expiry clock `offset_ms` ahead (0 removes the offset).
/// Only the test-clock route calls this, and only with `TEST_CLOCK=on`.
pub fn set_test_offset(shop_id: &ShopId, offset_ms: i64) {
    SHOP_OFFSETS.with(|offsets| {
        let mut offsets = offsets.borrow_mut();
        if offset_ms == 0 {
            offsets.remove(shop_id.as_str());
        } else {
            offsets.insert(shop_id.as_str().to_owned(), offset_ms);
        }
    });
}
