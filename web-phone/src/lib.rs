//! Tessera's customer page: sign up or in, join shops, show a one-time QR code at
//! the register (for a shop card, a bill or a ticket), and watch the points arrive live.
//!
//! Modules, each depending only on those listed before it:
//! - [`i18n`] (the page's words in English, Japanese and Korean), [`api`] (typed calls,
//!   paths from `domain::api::routes`), [`state`] (the page's memory), [`timing`], [`qr`] (one-time code → SVG), [`dom`], [`device`] (screen
//!   wake lock, vibration);
//! - [`views::messages`] and [`views::show`] (which screen), then [`ended`] (a
//!   session that ends goes back to sign-in);
//! - [`views`]: one module per screen; `views::code` is the one code screen,
//!   `views::account` (with `views::leave`) the account screen;
//! - [`session`]: entering, following the wallet live, leaving;
//! - this file: which element calls which handler.

pub mod api;
pub mod connectivity;
pub mod device;
pub mod ended;
pub mod i18n;
pub mod offline;
pub mod qr;
pub mod session;
pub mod state;
pub mod timing;
pub mod views;

// Shared with the register page, so both pages behave and render alike.
pub use web_shared::{dom, locale, receipt_view};

use domain::shop::ShopId;
use state::CodeFor;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen_futures::spawn_local;

/// Entry point, called once by `index.html` after the module is initialised:
/// every button to its one handler.
#[wasm_bindgen]
pub fn start() {
    // The page's language first, so nothing is drawn in another.
    i18n::apply(i18n::initial());
    for switch in i18n::SWITCHES {
        dom::set_hidden(&format!("{switch}-row"), false);
        dom::on_id(switch, "change", |event| {
            let chosen = event
                .target()
                .and_then(|target| js_sys::Reflect::get(&target, &"value".into()).ok())
                .and_then(|value| value.as_string());
            if let Some(lang) = chosen.as_deref().and_then(i18n::Lang::of_tag) {
                session::speak(lang);
            }
        });
    }
    device::wire();
    connectivity::wire();
    on_submit("sign-up-form", || async {
        if let Some(signed_in) = views::auth::sign_up().await {
            session::enter(signed_in).await;
        }
    });
    on_submit("sign-in-form", || async {
        if let Some(signed_in) = views::auth::sign_in().await {
            session::enter(signed_in).await;
        }
    });
    dom::set_hidden("passkey-sign-in", !web_shared::passkey::supported());
    dom::on_id("passkey-sign-in", "click", |_| {
        spawn_local(async {
            if let Some(signed_in) = views::auth::sign_in_with_passkey().await {
                session::enter(signed_in).await;
            }
        })
    });
    dom::on_id("passkey-add", "click", |_| spawn_local(views::passkeys::add()));
    on_click_in("passkey-list", "data-remove-passkey", |button| {
        if let Some(id) = button.get_attribute("data-remove-passkey") {
            spawn_local(views::passkeys::remove(id));
        }
    });
    on_submit("pin-form", session::save_pin);
    dom::on_id("cards-shop", "change", |_| spawn_local(views::cards::refresh()));
    dom::on_id("cards-add", "click", |_| spawn_local(views::cards::start()));
    dom::on_id("cards-save", "click", |_| spawn_local(views::cards::save()));
    on_click_in("cards-list", "data-remove-card", |button| {
        if let Some(id) = button.get_attribute("data-remove-card") {
            spawn_local(views::cards::remove(id));
        }
    });
    on_click_in("cards-list", "data-default-card", |button| {
        if let Some(id) = button.get_attribute("data-default-card") {
            spawn_local(views::cards::make_default(id));
        }
    });
    on_submit("delete-account-form", session::delete_account);
    on_submit("password-form", views::account::change_password);
    dom::on_id("open-account", "click", |_| views::account::open());
    dom::on_id("close-account", "click", |_| views::account::close());
    dom::on_id("export-data", "click", |_| spawn_local(views::account::export()));
    dom::on_id("revoke-offline", "click", |_| spawn_local(views::account::revoke_offline()));
    dom::on_id("coupon-opt-out", "change", |_| spawn_local(views::coupons::save_opt_out()));
    on_submit("confirm-form", views::confirm::approve);
    dom::on_id("confirm-passkey", "click", |_| spawn_local(views::confirm::approve_with_passkey()));
    dom::on_id("confirm-cards", "change", |event| views::confirm::card_chosen(&event));
    dom::on_id("confirm-cancel", "click", |_| spawn_local(views::confirm::cancel()));
    on_submit("recover-form", || async {
        if let Some(signed_in) = views::auth::recover().await {
            session::enter(signed_in).await;
        }
    });
    dom::on_id("sign-out", "click", |_| session::ask_sign_out());
    dom::on_id("sign-out-yes", "click", |_| spawn_local(session::sign_out()));
    dom::on_id("sign-out-everywhere", "click", |_| spawn_local(session::sign_out_everywhere()));
    dom::on_id("sign-out-no", "click", |_| dom::set_hidden("sign-out-confirm", true));
    dom::on_id("close-code", "click", |_| views::code::close());
    dom::on_id("receipt-done", "click", |_| views::receipts::hide());
    // A refund named on a receipt opens that refund's receipt.
    on_click_in("receipt", "data-open-receipt", |button| {
        if let Some(number) = button.get_attribute("data-open-receipt") {
            views::receipts::open_named(&number);
        }
    });
    views::wallet::wire();
    // Buttons drawn from data, one handler per list.
    on_click_in("memberships", "data-testid=show-code", |button| {
        if let Some(shop_id) = views::around(&button, "data-shop-id").and_then(|id| ShopId::parse(&id).ok()) {
            views::code::open(CodeFor::Membership(shop_id));
        }
    });
    on_click_in("memberships", "data-testid=show-history", |button| {
        if let Some(shop_id) = views::around(&button, "data-shop-id").and_then(|id| ShopId::parse(&id).ok()) {
            spawn_local(views::history::open(shop_id));
        }
    });
    dom::on_id("close-history", "click", |_| views::history::close());
    on_click_in("shops", "data-testid=join-shop", |button| {
        if let Some(shop_id) = views::around(&button, "data-shop-id").and_then(|id| ShopId::parse(&id).ok()) {
            let share_name = views::wallet::share_name_ticked(&button);
            spawn_local(session::join(shop_id, share_name, button));
        }
    });
    on_click_in("leave-list", "data-testid=leave-shop", |button| {
        if let Some(shop_id) = views::around(&button, "data-shop-id").and_then(|id| ShopId::parse(&id).ok()) {
            views::leave::ask(shop_id);
        }
    });
    on_click_in("leave-list", "data-testid=keep-card", |_| views::leave::keep());
    on_click_in("leave-list", "data-testid=confirm-leave", |button| {
        if let Some(shop_id) = views::around(&button, "data-shop-id").and_then(|id| ShopId::parse(&id).ok()) {
            spawn_local(session::leave_shop(shop_id, button));
        }
    });
    for list in ["bills", "tickets"] {
        on_click_in(list, "data-show-code", |button| {
            if let Some(code_for) = views::around(&button, "data-item").and_then(|item| views::items::code_for(&item)) {
                views::code::open(code_for);
            }
        });
    }
    spawn_local(session::boot());
}

fn on_submit<F: std::future::Future<Output = ()> + 'static>(id: &str, handler: fn() -> F) {
    dom::on_id(id, "submit", move |event| {
        event.prevent_default();
        spawn_local(handler());
    });
}

/// A click inside `list` on an element matching `[selector]`: `handler(that element)`.
fn on_click_in(list: &str, selector: &'static str, handler: fn(web_sys::Element)) {
    dom::on_id(list, "click", move |event| {
        if let Some(button) = views::clicked(&event, selector) {
            handler(button);
        }
    });
}
