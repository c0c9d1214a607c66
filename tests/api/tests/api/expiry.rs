//! Expiry needs the real clock to pass `CODE_LIFETIME_MS`, and there is no
//! test-only time knob in the Worker by design. The rule itself is covered by
//! `domain::code_rules` unit tests; this slow check is ignored by a plain `cargo test`
//! and run by `cargo xtask test` (with `--include-ignored`).

use api_tests::{expect_error, spawn_app};
use domain::api::ErrorCode;
use domain::code_rules::CODE_LIFETIME_MS;
use std::time::Duration;

#[tokio::test]
#[ignore = "waits a full code lifetime (60 s); run with `cargo test -p api-tests -- --ignored`"]
async fn an_unread_code_expires_but_a_read_one_is_held_for_the_sale() {
    let app = spawn_app().await;
    let member = app.member_of_shop("Ada", false).await;
    let unread = member.issue_code(&app.shop.shop_id).await.code;
    let read = member.issue_code(&app.shop.shop_id).await.code;
    app.resolve_ok(&read).await;

    tokio::time::sleep(Duration::from_millis(CODE_LIFETIME_MS as u64 + 1_500)).await;

    expect_error(app.resolve(&unread).await, ErrorCode::Expired).await;
    expect_error(app.accrue(&unread, &api_tests::unique_id("req"), 100).await, ErrorCode::Expired).await;
    assert_eq!(app.accrue_ok(&read, 100).await.points, 1, "a read code stays usable for the sale");
}
