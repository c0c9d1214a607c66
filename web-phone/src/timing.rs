//! The phone's clock in whole milliseconds; timers come from `web_shared`.

pub use web_shared::timing::sleep;

/// The phone's clock in Unix milliseconds (may be skewed; see `views::code`).
pub fn now_ms() -> i64 {
    web_shared::timing::now_ms() as i64
}
