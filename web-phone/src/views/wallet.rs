//! The wallet: memberships with their balances, and shops to join. Their buttons
//! ("Show code", "Join") are handled where `lib.rs` wires the two lists, by the
//! card's `data-shop-id`.

use crate::api;
use crate::dom;
use crate::i18n::{t, tf, Key};
use crate::state::{points_text, with_app};
use crate::views::join;
use crate::views::messages::show_error;
use domain::api::{MembershipView, ShopSummary};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlInputElement};

pub fn wire() {
    dom::on_id("new-member-dismiss", "click", |_| dom::set_hidden("new-member", true));
    dom::on_id("shop-search", "input", |_| render());
}

/// What to show once after signing up (`new`) or resetting the password.
pub struct Welcome {
    pub answer: domain::api::SignedIn,
    pub new: bool,
}

/// After sign-up the member number, the sign-in name and the recovery code
/// are shown once, prominently; after a reset, the new recovery code.
pub fn show_new_member(welcome: Option<&Welcome>) {
    if let Some(Welcome { answer, new }) = welcome {
        dom::set_text("new-member-title", t(if *new { Key::YourMemberNumber } else { Key::PasswordIsChanged }));
        dom::set_text("new-member-number", &answer.member_number.grouped());
        let name = answer.sign_in_name.as_ref().map(|n| n.to_string()).unwrap_or_default();
        dom::set_text("new-member-login", &name);
        dom::set_hidden("new-member-login-line", name.is_empty());
        let code = answer.recovery_code.as_ref().map(|c| c.grouped()).unwrap_or_default();
        dom::set_text("new-member-recovery", &code);
        dom::set_hidden("new-member-recovery-line", code.is_empty());
    }
    dom::set_hidden("new-member", welcome.is_none());
}

pub async fn load_shops() {
    match api::shops().await {
        Ok(list) => {
            with_app(|app| {
                app.shops = list.shops;
                app.shops_loaded = true;
            });
            render();
        }
        Err(failure) => show_error(&tf(Key::CouldNotLoadShops, &[("message", &crate::i18n::failure_text(&failure))])),
    }
}

pub fn render() {
    let (wallet, shops) = with_app(|app| (app.wallet.clone(), app.shops.clone()));
    let Some(wallet) = wallet else { return };
    dom::set_text("whoami", &format!("{} · {}", wallet.display_name.as_str(), wallet.member_number.grouped()));

    crate::views::pin::render();
    crate::views::cards::render();
    crate::views::receipts::render_history();
    crate::views::leave::render();
    dom::clear_children("memberships");
    dom::set_hidden("no-memberships", !wallet.memberships.is_empty());
    if let Some(list) = dom::element("memberships") {
        for membership in &wallet.memberships {
            if let Some(item) = membership_item(membership) {
                let _ = list.append_child(&item);
            }
        }
    }

    let joinable: Vec<&ShopSummary> =
        shops.iter().filter(|shop| !wallet.memberships.iter().any(|m| m.shop.shop_id == shop.shop_id)).collect();
    let offered = join::offered(&joinable);
    // The list is drawn anew on every wallet update: a box the member ticked stays ticked.
    let ticked: Vec<bool> = offered.iter().map(|shop| share_name_ticked_for(shop)).collect();
    dom::clear_children("shops");
    dom::set_hidden("no-shops", !joinable.is_empty());
    if let Some(list) = dom::element("shops") {
        for (shop, ticked) in offered.iter().zip(ticked) {
            if let Some(item) = shop_item(shop, ticked) {
                let _ = list.append_child(&item);
            }
        }
    }
    join::after_render(&wallet, joinable.len(), &offered);
}

/// Whether the "share my name" box on the joinable card of `shop` is ticked now.
fn share_name_ticked_for(shop: &ShopSummary) -> bool {
    let selector = format!("[data-shop-id=\"{}\"] [data-testid=share-name]", shop.shop_id.as_str());
    dom::element("shops")
        .and_then(|list| list.query_selector(&selector).ok().flatten())
        .and_then(|checkbox| checkbox.dyn_into::<HtmlInputElement>().ok())
        .is_some_and(|checkbox| checkbox.checked())
}

fn membership_item(membership: &MembershipView) -> Option<Element> {
    let item = dom::create("li")?;
    item.set_class_name(join::membership_class(&membership.shop.shop_id));
    let _ = item.set_attribute("data-testid", "membership");
    let _ = item.set_attribute("data-shop-id", membership.shop.shop_id.as_str());
    dom::append(&item, &dom::create_text("h3", "card-title", membership.shop.name.as_str())?)?;
    let points = dom::create_text("p", "card-points", &points_text(membership.points))?;
    let _ = points.set_attribute("data-testid", "membership-points");
    item.append_child(&points).ok()?;
    if let Some(expiring) = &membership.next_expiry {
        let key = if web_shared::i18n::is_one(crate::i18n::current(), expiring.points) {
            Key::ExpiresOne
        } else {
            Key::ExpiresOther
        };
        let day = crate::locale::calendar_day(&expiring.last_day);
        let text = tf(key, &[("points", &points_text(expiring.points)), ("day", &day)]);
        let line = dom::create_text("p", "card-expiry", &text)?;
        let _ = line.set_attribute("data-testid", "membership-expiry");
        item.append_child(&line).ok()?;
    }
    if membership.prepaid_minor > 0 {
        let amount = crate::locale::money(membership.prepaid_minor, membership.shop.currency);
        let prepaid = tf(Key::PrepaidLine, &[("amount", &amount)]);
        let line = dom::create_text("p", "card-prepaid", &prepaid)?;
        let _ = line.set_attribute("data-testid", "membership-prepaid");
        item.append_child(&line).ok()?;
    }
    let shared = if membership.share_name { Key::CustomerShared } else { Key::CustomerNotShared };
    let customer = tf(shared, &[("number", &membership.customer_number.to_string())]);
    dom::append(&item, &dom::create_text("p", "card-detail", &customer)?)?;
    let button = dom::create_text("button", "button button-primary", t(Key::ShowCode))?;
    let _ = button.set_attribute("type", "button");
    let _ = button.set_attribute("data-testid", "show-code");
    item.append_child(&button).ok()?;
    let history = dom::create_text("button", "button", t(Key::History))?;
    let _ = history.set_attribute("type", "button");
    let _ = history.set_attribute("data-testid", "show-history");
    item.append_child(&history).ok()?;
    Some(item)
}

fn shop_item(shop: &ShopSummary, share_name: bool) -> Option<Element> {
    let item = dom::create("li")?;
    item.set_class_name(join::joinable_class(&shop.shop_id));
    let _ = item.set_attribute("data-testid", "joinable-shop");
    let _ = item.set_attribute("data-shop-id", shop.shop_id.as_str());
    dom::append(&item, &dom::create_text("h3", "card-title", shop.name.as_str())?)?;
    let points = points_text(i64::from(shop.points_per_unit.get()));
    let rule = tf(Key::PointsPer, &[("points", &points), ("currency", &shop.currency.to_string())]);
    dom::append(&item, &dom::create_text("p", "card-detail", &rule)?)?;

    let label = dom::create("label")?;
    label.set_class_name("check");
    let checkbox: HtmlInputElement = dom::create("input")?.dyn_into().ok()?;
    checkbox.set_type("checkbox");
    checkbox.set_checked(share_name);
    let _ = checkbox.set_attribute("data-testid", "share-name");
    label.append_child(&checkbox).ok()?;
    dom::append(&label, &dom::create_text("span", "", t(Key::ShareMyName))?)?;
    item.append_child(&label).ok()?;

    let button = dom::create_text("button", "button", t(Key::Join))?;
    let _ = button.set_attribute("type", "button");
    let _ = button.set_attribute("data-testid", "join-shop");
    item.append_child(&button).ok()?;
    Some(item)
}

/// Whether the "share my name" box of the shop card holding `button` is ticked.
pub fn share_name_ticked(button: &Element) -> bool {
    button
        .closest("[data-shop-id]")
        .ok()
        .flatten()
        .and_then(|card| card.query_selector("[data-testid=share-name]").ok().flatten())
        .and_then(|checkbox| checkbox.dyn_into::<HtmlInputElement>().ok())
        .is_some_and(|checkbox| checkbox.checked())
}
