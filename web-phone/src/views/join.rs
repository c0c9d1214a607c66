//! Finding the shop to join: the shop's own join link (`#join=<shop>`, the QR
//! on its counter poster) puts that shop first and in view; a search box
//! narrows a long list; a card just joined is scrolled to and confirmed.
//! The wallet draws the lists and calls these at the right moments.

use crate::dom;
use crate::i18n::{t, tf, Key};
use crate::state::with_app;
use crate::views::messages::{show_error, show_notice};
use domain::api::{ShopSummary, Wallet};
use domain::shop::ShopId;

/// The shop a `#join=` link names, if the address holds one.
pub fn linked_shop() -> Option<ShopId> {
    let hash = web_sys::window()?.location().hash().ok()?;
    hash.trim_start_matches('#').strip_prefix("join=").and_then(|id| ShopId::parse(id).ok())
}

/// Drops `#join=…` from the address without a navigation: setting the hash
/// would jump the page to its top, away from the card just brought into view.
fn forget_link() {
    let Some(window) = web_sys::window() else { return };
    let location = window.location();
    let address = format!("{}{}", location.pathname().unwrap_or_default(), location.search().unwrap_or_default());
    let replaced = window
        .history()
        .and_then(|history| history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&address)));
    if replaced.is_err() {
        let _ = location.set_hash("");
    }
}

/// Before sign-in: tell the customer what the poster's link will do.
pub fn announce_link() {
    if linked_shop().is_some() {
        show_notice(t(Key::JoinLinkSignIn));
    }
}

/// The shops to offer: the linked one first, then those matching the search
/// (all of them when the box is empty).
pub fn offered<'a>(joinable: &[&'a ShopSummary]) -> Vec<&'a ShopSummary> {
    let linked = linked_shop();
    let query = lowercase(dom::input_value("shop-search").trim());
    let is_linked = |shop: &ShopSummary| linked.as_ref() == Some(&shop.shop_id);
    let linked_first = joinable.iter().copied().filter(|shop| is_linked(shop));
    let matching =
        joinable.iter().copied().filter(|shop| !is_linked(shop) && lowercase(shop.name.as_str()).contains(&query));
    linked_first.chain(matching).collect()
}

/// The browser's own lower case (any script): the page need not carry Unicode's case tables.
fn lowercase(text: &str) -> String {
    String::from(js_sys::JsString::from(text).to_lower_case())
}

/// The class of a membership card: a card joined in this session stays marked
/// new (the wallet redraws its cards at every update).
pub fn membership_class(shop: &ShopId) -> &'static str {
    if with_app(|app| app.joined_here.contains(shop)) {
        "card card-new"
    } else {
        "card"
    }
}

/// The class of a card to join: the one the join link names stands out.
pub fn joinable_class(shop: &ShopId) -> &'static str {
    if linked_shop().as_ref() == Some(shop) {
        "card card-invited"
    } else {
        "card"
    }
}

/// After the lists are drawn: says what became of a join link and brings the
/// card it concerns (or a card just joined) into view.
pub fn after_render(wallet: &Wallet, joinable_count: usize, offered: &[&ShopSummary]) {
    // The search box earns its place once there is something to search.
    dom::set_hidden("shop-search-row", joinable_count < 2);
    let searching = !dom::input_value("shop-search").trim().is_empty();
    let linked = linked_shop();
    let found = offered.iter().filter(|shop| linked.as_ref() != Some(&shop.shop_id)).count();
    dom::set_hidden("no-shop-matches", !(searching && found == 0));

    if let Some(joined) = with_app(|app| app.just_joined.take()) {
        if let Some(card) = card_in("memberships", &joined) {
            card.scroll_into_view();
            let name = card.query_selector(".card-title").ok().flatten().and_then(|title| title.text_content());
            show_notice(&tf(Key::WelcomeTo, &[("shop", &name.unwrap_or_default())]));
        }
        forget_link();
        return;
    }
    let Some(linked) = linked else { return };
    if !with_app(|app| app.shops_loaded) || with_app(|app| app.join_link_shown.as_ref() == Some(&linked)) {
        return;
    }
    with_app(|app| app.join_link_shown = Some(linked.clone()));
    if let Some(membership) = wallet.memberships.iter().find(|m| m.shop.shop_id == linked) {
        if let Some(card) = card_in("memberships", &linked) {
            card.scroll_into_view();
        }
        show_notice(&tf(Key::AlreadyHaveCard, &[("shop", membership.shop.name.as_str())]));
        forget_link();
    } else if let Some(card) = card_in("shops", &linked) {
        card.scroll_into_view();
    } else {
        show_error(t(Key::UnknownJoinShop));
        forget_link();
    }
}

/// The card of `shop` in the list `list_id`.
fn card_in(list_id: &str, shop: &ShopId) -> Option<web_sys::Element> {
    let selector = format!("[data-shop-id=\"{}\"]", shop.as_str());
    dom::element(list_id)?.query_selector(&selector).ok().flatten()
}
