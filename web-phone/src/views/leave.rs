//! Leaving a shop, on the account screen: every card with its points and
//! prepaid value first, then "Leave…" asks to confirm on the card itself. The
//! server refuses while prepaid value is left (`prepaid_balance_left`); its
//! words say what to do. The buttons are wired in `lib.rs` by `data-shop-id`.

use crate::api;
use crate::dom;
use crate::ended::ended_by;
use crate::i18n::{t, tf, Key};
use crate::locale::money;
use crate::state::{points_text, with_app};
use crate::views::messages::{clear_error, show_error, show_notice};
use domain::api::MembershipView;
use domain::shop::ShopId;
use web_sys::Element;

pub fn render() {
    let (memberships, leaving) =
        with_app(|app| (app.wallet.as_ref().map(|w| w.memberships.clone()).unwrap_or_default(), app.leaving.clone()));
    dom::clear_children("leave-list");
    dom::set_hidden("no-leavable", !memberships.is_empty());
    if let Some(list) = dom::element("leave-list") {
        for membership in &memberships {
            let asking = leaving.as_ref() == Some(&membership.shop.shop_id);
            if let Some(card) = card(membership, asking) {
                let _ = list.append_child(&card);
            }
        }
    }
}

/// "Leave…" on a card: that card asks to confirm.
pub fn ask(shop_id: ShopId) {
    clear_error();
    with_app(|app| app.leaving = Some(shop_id));
    render();
}

/// "Keep my card": no more question.
pub fn keep() {
    with_app(|app| app.leaving = None);
    render();
}

/// "Yes, leave": true once the server let the member go (the wallet then drops the card).
pub async fn leave(shop_id: ShopId, button: Element) -> bool {
    clear_error();
    let name = with_app(|app| {
        app.wallet
            .as_ref()
            .and_then(|w| w.memberships.iter().find(|m| m.shop.shop_id == shop_id))
            .map(|m| m.shop.name.as_str().to_owned())
    })
    .unwrap_or_else(|| t(Key::TheShop).to_owned());
    let _ = button.set_attribute("disabled", "");
    let result = api::leave_shop(&shop_id).await;
    let _ = button.remove_attribute("disabled");
    match result {
        Ok(()) => {
            with_app(|app| app.leaving = None);
            show_notice(&tf(Key::YouLeft, &[("shop", &name)]));
            true
        }
        Err(failure) => {
            if !ended_by(&failure) {
                show_error(&crate::i18n::failure_text(&failure));
            }
            false
        }
    }
}

fn card(membership: &MembershipView, asking: bool) -> Option<Element> {
    let item = dom::create("li")?;
    item.set_class_name("card");
    let _ = item.set_attribute("data-testid", "leavable");
    let _ = item.set_attribute("data-shop-id", membership.shop.shop_id.as_str());
    let shop = membership.shop.name.as_str();
    dom::append(&item, &dom::create_text("h3", "card-title", shop)?)?;
    let points = dom::create_text("p", "card-detail", &points_text(membership.points))?;
    let _ = points.set_attribute("data-testid", "leavable-points");
    item.append_child(&points).ok()?;
    let prepaid = money(membership.prepaid_minor, membership.shop.currency);
    let prepaid_line = dom::create_text("p", "card-detail", &tf(Key::PrepaidLine, &[("amount", &prepaid)]))?;
    let _ = prepaid_line.set_attribute("data-testid", "leavable-prepaid");
    item.append_child(&prepaid_line).ok()?;
    if membership.prepaid_minor > 0 {
        let hint = tf(Key::SpendBeforeLeaving, &[("amount", &prepaid), ("shop", shop)]);
        dom::append(&item, &dom::create_text("p", "hint", &hint)?)?;
    }
    if asking {
        let lost = if membership.points > 0 {
            tf(Key::PointsGone, &[("points", &points_text(membership.points))])
        } else {
            t(Key::CardStops).to_owned()
        };
        let question =
            dom::create_text("p", "leave-question", &tf(Key::LeaveQuestion, &[("shop", shop), ("lost", &lost)]))?;
        let _ = question.set_attribute("data-testid", "leave-question");
        item.append_child(&question).ok()?;
        dom::append(&item, &button(t(Key::YesLeave), "button button-danger", "confirm-leave")?)?;
        dom::append(&item, &button(t(Key::KeepMyCard), "button", "keep-card")?)?;
    } else {
        dom::append(&item, &button(t(Key::LeaveThisShop), "button", "leave-shop")?)?;
    }
    Some(item)
}

fn button(text: &str, class: &str, testid: &str) -> Option<Element> {
    let button = dom::create_text("button", class, text)?;
    let _ = button.set_attribute("type", "button");
    let _ = button.set_attribute("data-testid", testid);
    Some(button)
}
