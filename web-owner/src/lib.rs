//! Tessera's owner console (`/owner/`): the operator's first-run claim, accepting
//! an invite, signing in, and running a shop — its dashboard, settings, products (with CSV
//! export and import), rewards and registers — without curl.
//!
//! Modules, each depending only on those listed before it: [`entry`] (how the
//! page was opened: a setup or invite link), [`products_csv`], [`state`] (the
//! console's memory and rules), [`api`] (typed calls), [`stores`] (the shop's
//! stores: calls, memory, drawing), [`dashboard`] (the Dashboard tab: its
//! call and drawing), [`views`] (drawing),
//! [`scan`] (the camera reading a register's pairing QR), [`poster`] (the
//! shop's join poster); [`flows`] do the I/O
//! and change the state; [`staff`] is the Staff tab and a store manager's
//! console; [`accounts`] the password reset link's screen and the operator's
//! area (reset links, handing over); this file wires each element to its one handler.

pub mod accounts;
pub mod api;
pub mod card_processor;
pub mod console;
pub mod coupons;
pub mod dashboard;
pub mod entry;
pub mod flows;
pub mod poster;
pub mod products_csv;
pub mod scan;
pub mod settings_form;
pub mod staff;
pub mod state;
pub mod stores;
pub mod views;

use state::Tab;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen_futures::spawn_local;
use web_shared::dom;

/// Entry point, called once by `index.html` after the module is initialised.
#[wasm_bindgen]
pub fn start() {
    on_submit("claim-form", flows::claim);
    on_submit("invite-form", flows::accept_invite);
    on_submit("sign-in-form", flows::sign_in);
    on_submit("create-shop-form", flows::create_shop);
    on_submit("owner-password-form", flows::change_password);
    dom::set_hidden("passkey-sign-in", !web_shared::passkey::supported());
    on_click("passkey-sign-in", flows::sign_in_with_passkey);
    on_click("passkey-add", flows::add_passkey);
    dom::on_id("passkey-list", "click", |event| {
        if let Some((_, id)) = views::clicked_button(&event, "data-remove-passkey") {
            spawn_local(flows::remove_passkey(id));
        }
    });
    on_submit("settings-form", flows::save_settings);
    on_submit("product-form", flows::save_product);
    on_submit("reward-form", flows::add_reward);
    on_submit("pair-form", flows::pair_register);
    on_submit("store-form", flows::add_store);
    on_submit("dashboard-form", flows::refresh_dashboard);
    on_submit("card-form", card_processor::connect);
    on_click("card-disconnect", card_processor::disconnect);
    on_click("sign-out", flows::sign_out);
    on_click("sign-out-everywhere", flows::sign_out_everywhere);
    on_click("shop-invite", flows::invite_owner);
    on_click("poster-show", poster::show);
    dom::on_id("poster-print", "click", |_| poster::print());
    on_click("products-import", flows::import_products);
    dom::on_id("products-export", "click", |_| flows::export_products());
    dom::on_id("product-cancel", "click", |_| flows::cancel_edit());
    dom::on_id("copy-invite", "click", |_| flows::copy_invite_link());
    dom::on_id("pair-scan", "click", |_| scan::open());
    dom::on_id("pair-scan-close", "click", |_| scan::close());
    on_click("back-to-shops", flows::back_to_shops);
    dom::on_id("claim-to-sign-in", "click", |_| flows::go(state::Screen::SignIn));
    dom::on_id("invite-to-sign-in", "click", |_| flows::go(state::Screen::SignIn));
    dom::on_id("to-invite", "click", |_| flows::go(state::Screen::Invite));
    dom::on_id("to-claim", "click", |_| flows::go(state::Screen::Claim));
    for tab in Tab::ALL {
        dom::on_id(tab.ids().0, "click", move |_| spawn_local(flows::open_tab(tab)));
    }
    // Buttons drawn from data: one handler per list.
    dom::on_id("shop-list", "click", |event| {
        if let Some((_, shop_id)) = views::clicked_button(&event, "data-shop-id") {
            spawn_local(flows::open_shop(shop_id));
        }
    });
    dom::on_id("product-rows", "click", |event| {
        if let Some((_, index)) = views::clicked_button(&event, "data-edit") {
            flows::edit_product(index.parse().ok());
        } else if let Some((_, index)) = views::clicked_button(&event, "data-archive") {
            if let Ok(index) = index.parse() {
                spawn_local(flows::toggle_archived(index));
            }
        } else if let Some((_, index)) = views::clicked_button(&event, "data-remove") {
            if let Ok(index) = index.parse() {
                spawn_local(flows::remove_product(index));
            }
        }
    });
    dom::on_id("reward-rows", "click", |event| {
        if let Some((_, index)) = views::clicked_button(&event, "data-archive") {
            if let Ok(index) = index.parse() {
                spawn_local(flows::toggle_reward_archived(index));
            }
        } else if let Some((_, index)) = views::clicked_button(&event, "data-remove") {
            if let Ok(index) = index.parse() {
                spawn_local(flows::remove_reward(index));
            }
        }
    });
    dom::on_id("store-rows", "click", |event| {
        if let Some((_, store_id)) = views::clicked_button(&event, "data-rename") {
            spawn_local(flows::rename_store(store_id));
        } else if let Some((_, store_id)) = views::clicked_button(&event, "data-offline-limit") {
            spawn_local(flows::set_offline_limit(store_id));
        } else if let Some((_, store_id)) = views::clicked_button(&event, "data-close") {
            spawn_local(flows::close_store(store_id));
        }
    });
    dom::on_id("register-rows", "click", |event| {
        if let Some((_, register_id)) = views::clicked_button(&event, "data-revoke") {
            spawn_local(flows::revoke_register(register_id));
        }
    });
    dom::on_id("offline-unpaid-rows", "click", |event| {
        use domain::offline::SettlementWay;
        if let Some((_, request_id)) = views::clicked_button(&event, "data-settle-collected") {
            spawn_local(flows::settle_unpaid(request_id, SettlementWay::Collected));
        } else if let Some((_, request_id)) = views::clicked_button(&event, "data-settle-write-off") {
            spawn_local(flows::settle_unpaid(request_id, SettlementWay::WrittenOff));
        }
    });
    staff::wire();
    accounts::wire();
    coupons::wire();
    views::time_zone_suggestions();
    spawn_local(flows::boot());
}

fn on_submit<F: std::future::Future<Output = ()> + 'static>(id: &str, handler: fn() -> F) {
    dom::on_id(id, "submit", move |event| {
        event.prevent_default();
        spawn_local(handler());
    });
}

fn on_click<F: std::future::Future<Output = ()> + 'static>(id: &str, handler: fn() -> F) {
    dom::on_id(id, "click", move |_| spawn_local(handler()));
}
