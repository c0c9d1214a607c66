//! The sale under the panel: the product and reward buttons, the lines, the total,
//! the amount field and what it is for, the points it would add. Clicks on the
//! buttons drawn here are handled where `lib.rs` wires their lists, by the
//! `data-` attributes set here.

use crate::dom;
use crate::i18n::{t, tf, Key};
use crate::locale::money;
use crate::sale;
use crate::state::{Phase, Request, Till};
use domain::coupons::{effect, CouponKind};
use domain::money::{Currency, MinorUnits};
use domain::receipt::Receipt;
use web_shared::text::points_text;

const AMOUNT: &str = "amount";

pub fn render(till: &Till) {
    let (request, note) = match &till.phase {
        Phase::Customer { request, note, .. } => (*request, note.as_str()),
        _ => (None, ""),
    };
    dom::set_busy("add-points", request == Some(Request::Sale));
    dom::set_busy("top-up", request == Some(Request::TopUp));
    dom::set_text("sale-error", note);
    render_lines(till);
}

/// The lines, their total, and the points the sale would add.
pub fn render_lines(till: &Till) {
    let Some(currency) = till.currency() else { return };
    dom::clear_children("lines");
    if let Some(list) = dom::element("lines") {
        for (index, line) in till.lines.iter().enumerate() {
            let Some(row) = dom::create("li") else { continue };
            let _ = row.set_attribute("data-testid", "line");
            let text = format!("{} × {}", line.quantity, line.name.as_str());
            let _ = dom::create_text("span", "line-name", &text).and_then(|e| dom::append(&row, &e));
            let total = money(Receipt::line_total(line).0, currency);
            let _ = dom::create_text("span", "line-total", &total).and_then(|e| dom::append(&row, &e));
            if let Some(remove) = dom::create_text("button", "line-remove", "×") {
                let _ = remove.set_attribute("type", "button");
                let _ = remove.set_attribute("data-line", &index.to_string());
                let _ = remove.set_attribute("aria-label", &tf(Key::RemoveNamed, &[("name", line.name.as_str())]));
                let _ = row.append_child(&remove);
            }
            let _ = list.append_child(&row);
        }
    }
    let total = if till.lines.is_empty() {
        String::new()
    } else {
        match sale::total(&till.lines, "", currency) {
            Ok(total) => tf(Key::Total, &[("amount", &money(total.0, currency))]),
            Err(message) => message,
        }
    };
    dom::set_text("lines-total", &total);
    render_coupons(till, currency);
    // With lines on screen the sale is their total, so the amount field only
    // serves a top-up: it stays, relabelled, so topping up needs no clearing.
    dom::set_text("amount-purpose", t(if till.lines.is_empty() { Key::SaleAmount } else { Key::TopUpAmount }));
    render_preview(till);
}

/// What a coupon gives, in words.
fn gives(kind: &CouponKind, currency: Currency) -> String {
    match kind {
        CouponKind::PercentOff { percent } => tf(Key::PercentOff, &[("n", &percent.get().to_string())]),
        CouponKind::AmountOff { amount_minor } => tf(Key::AmountOff, &[("amount", &money(*amount_minor, currency))]),
        CouponKind::FreeProduct { product_code } => tf(Key::FreeProduct, &[("product", product_code.as_str())]),
        CouponKind::BonusPoints { points } => tf(Key::BonusPoints, &[("n", &points.to_string())]),
    }
}

/// The customer's coupons as buttons (the applied one pressed).
fn render_coupons(till: &Till, currency: Currency) {
    dom::clear_children("coupons");
    dom::set_hidden("coupons", till.coupons.is_empty());
    if let Some(list) = dom::element("coupons") {
        for (index, offer) in till.coupons.iter().enumerate() {
            let mut label = format!("{} · {}", offer.name.as_str(), gives(&offer.kind, currency));
            if offer.min_basket_minor > 0 {
                label.push_str(&tf(Key::FromBasket, &[("amount", &money(offer.min_basket_minor, currency))]));
            }
            if index == 0 {
                label.push_str(" (F6)");
            }
            let Some(button) = dom::create_text("button", "button coupon", &label) else { continue };
            let _ = button.set_attribute("type", "button");
            let _ = button.set_attribute("data-coupon-id", offer.coupon_id.as_str());
            let _ = button.set_attribute("data-testid", "coupon");
            let pressed = till.coupon.as_ref() == Some(&offer.coupon_id);
            let _ = button.set_attribute("aria-pressed", if pressed { "true" } else { "false" });
            let _ = list.append_child(&button);
        }
    }
}

/// The applied coupon's change to the sale, as typed so far.
fn render_coupon_total(till: &Till, currency: Currency) {
    let text = till.chosen_coupon().map(|offer| {
        let basket = sale::total(&till.lines, &amount_text(), currency);
        match basket {
            Ok(basket) => match effect(&offer.kind, offer.min_basket_minor, basket, &till.lines) {
                Ok(effect) if effect.discount_minor > 0 => tf(
                    Key::CouponSaves,
                    &[
                        ("name", offer.name.as_str()),
                        ("off", &money(effect.discount_minor, currency)),
                        ("total", &money(basket.0.saturating_sub(effect.discount_minor), currency)),
                    ],
                ),
                Ok(effect) => {
                    tf(Key::CouponBonus, &[("name", offer.name.as_str()), ("n", &effect.bonus_points.to_string())])
                }
                Err(refusal) => tf(
                    Key::CouponRefused,
                    &[("name", offer.name.as_str()), ("why", crate::i18n::coupon_refusal_text(refusal))],
                ),
            },
            Err(_) => tf(Key::CouponApplied, &[("name", offer.name.as_str())]),
        }
    });
    dom::set_hidden("coupon-total", text.is_none());
    dom::set_text("coupon-total", &text.unwrap_or_default());
}

/// "Adds 12 points" under the amount while the cashier types.
pub fn render_preview(till: &Till) {
    let Some(shop) = till.info.as_ref().map(|info| &info.shop) else { return };
    // With a coupon applied: points on what is paid, plus its bonus.
    let preview = sale::total(&till.lines, &amount_text(), shop.currency).ok().map(|amount| {
        let change = till
            .chosen_coupon()
            .and_then(|offer| effect(&offer.kind, offer.min_basket_minor, amount, &till.lines).ok())
            .unwrap_or_default();
        let paid = MinorUnits(amount.0.saturating_sub(change.discount_minor));
        shop.points_per_unit
            .points_rounded(paid, shop.currency, shop.programme.points_rounding)
            .saturating_add(change.bonus_points)
    });
    let text = preview.map(|points| tf(Key::AddsPoints, &[("points", &points_text(points))])).unwrap_or_default();
    dom::set_text("points-preview", &text);
    render_coupon_total(till, shop.currency);
}

/// The product and reward buttons, from the register's info (once, at start).
pub fn render_catalog(till: &Till) {
    let Some(info) = &till.info else { return };
    let currency = info.shop.currency;
    dom::clear_children("products");
    dom::set_hidden("products", info.products.is_empty());
    if let Some(list) = dom::element("products") {
        for product in &info.products {
            let label = format!("{} · {}", product.name.as_str(), money(product.unit_price.0, currency));
            let Some(button) = dom::create_text("button", "button product", &label) else { continue };
            let _ = button.set_attribute("type", "button");
            let _ = button.set_attribute("data-testid", "product");
            let _ = button.set_attribute("data-product-code", product.product_code.as_str());
            let _ = list.append_child(&button);
        }
    }
    dom::clear_children("rewards");
    dom::set_hidden("rewards", info.rewards.is_empty());
    if let Some(list) = dom::element("rewards") {
        for reward in &info.rewards {
            let label = tf(
                Key::RedeemReward,
                &[("reward", reward.name.as_str()), ("points", &points_text(reward.cost_points))],
            );
            let Some(button) = dom::create_text("button", "button reward", &label) else { continue };
            let _ = button.set_attribute("type", "button");
            let _ = button.set_attribute("data-testid", "redeem");
            let _ = button.set_attribute("data-reward-id", reward.reward_id.as_str());
            let _ = list.append_child(&button);
        }
    }
}

pub fn amount_text() -> String {
    dom::input_value(AMOUNT)
}

pub fn clear_amount() {
    dom::set_input_value(AMOUNT, "");
}

pub fn focus_amount() {
    if let Some(amount) = dom::element(AMOUNT) {
        let _ = amount.focus();
    }
}
