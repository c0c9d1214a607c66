//! The code screen: a large QR of a one-time code, its countdown, and the digits
//! for typing. The next code is fetched before the current one expires.

use crate::api;
use crate::dom;
use crate::qr;
use crate::session;
use crate::state::{points_text, with_app};
use crate::timing::{now_ms, sleep};
use crate::views::messages::{clear_error, show_error};
use crate::views::{self, Screen};
use domain::code_rules::REFRESH_BEFORE_EXPIRY_MS;
use domain::shop::ShopId;
use wasm_bindgen_futures::spawn_local;

const TICK_MS: i32 = 250;
const RETRY_MS: i32 = 3_000;

pub fn wire() {
    dom::on_id("close-code", "click", |_| close());
}

pub fn open(shop_id: ShopId) {
    clear_error();
    let membership = with_app(|app| {
        app.code_shop = Some(shop_id.clone());
        app.wallet.as_ref()?.memberships.iter().find(|m| m.shop.shop_id == shop_id).cloned()
    });
    if let Some(membership) = membership {
        dom::set_text("code-shop-name", membership.shop.name.as_str());
        dom::set_text("code-points", &points_text(membership.points));
        dom::set_text("code-customer", &format!("Customer {}", membership.customer_number));
    }
    dom::set_hidden("points-change", true);
    dom::set_hidden("code-balance", false);
    views::show(Screen::Code);
    refresh();
}

pub fn close() {
    with_app(|app| {
        app.code_shop = None;
        app.code_generation += 1;
    });
    views::show(Screen::Wallet);
}

/// Replaces the code on screen with a fresh one (e.g. the register just used it).
pub fn refresh() {
    let started = with_app(|app| {
        app.code_generation += 1;
        app.code_shop.clone().map(|shop| (shop, app.code_generation))
    });
    if let Some((shop, generation)) = started {
        clear_code();
        spawn_local(keep_code_fresh(shop, generation));
    }
}

/// The balance on the code screen, with a "+N points" line after a sale.
pub fn show_points_change(delta: i64) {
    let balance = with_app(|app| {
        let shop = app.code_shop.as_ref()?;
        app.wallet.as_ref()?.memberships.iter().find(|m| &m.shop.shop_id == shop).map(|m| m.points)
    });
    if let Some(points) = balance {
        dom::set_text("code-points", &points_text(points));
    }
    let sign = if delta > 0 { "+" } else { "" };
    dom::set_text("points-change", &format!("{sign}{}", points_text(delta)));
    dom::set_hidden("points-change", false);
}

fn still_current(generation: u32) -> bool {
    with_app(|app| app.code_generation) == generation
}

fn clear_code() {
    dom::clear_children("qr");
    dom::set_attribute("qr", "data-state", "loading");
    dom::set_text("countdown", "Getting your code…");
    dom::set_text("code-digits", "");
}

/// Shows a code, counts it down, and fetches the next one `REFRESH_BEFORE_EXPIRY_MS`
/// before it expires; stops as soon as the view moves on (`generation` changes).
async fn keep_code_fresh(shop: ShopId, generation: u32) {
    // When the code on screen stops working, in the phone's own clock.
    let mut shown_until: Option<i64> = None;
    loop {
        let result = api::issue_code(&shop).await;
        if !still_current(generation) {
            return;
        }
        let issued = match result {
            Ok(issued) => issued,
            Err(failure) if session::ended_by(&failure) => return,
            Err(failure) => {
                show_error(&format!("Could not get a new code. {}", failure.message()));
                if let Some(until) = shown_until {
                    show_countdown(until - now_ms());
                }
                sleep(RETRY_MS).await;
                if !still_current(generation) {
                    return;
                }
                continue;
            }
        };
        clear_error();
        // The server's clock decides expiry; translate it into the phone's clock.
        let skew = issued.server_now - now_ms();
        let expires_here = issued.expires_at - skew;
        shown_until = Some(expires_here);
        match qr::svg(&issued.code) {
            Some(svg) => {
                if let Some(target) = dom::element("qr") {
                    target.set_inner_html(&svg);
                }
                dom::set_attribute("qr", "data-state", "ready");
            }
            None => show_error("This code could not be drawn; type the digits below instead."),
        }
        dom::set_text("code-digits", &issued.grouped);
        loop {
            let remaining = expires_here - now_ms();
            show_countdown(remaining);
            if remaining <= REFRESH_BEFORE_EXPIRY_MS {
                break;
            }
            sleep(TICK_MS).await;
            if !still_current(generation) {
                return;
            }
        }
    }
}

fn show_countdown(remaining_ms: i64) {
    if remaining_ms <= 0 {
        dom::set_text("countdown", "Expired — getting a new code…");
        dom::set_attribute("qr", "data-state", "expired");
    } else {
        let seconds = (remaining_ms + 999) / 1000;
        dom::set_text("countdown", &format!("Valid for {seconds} s"));
    }
}
