//! The member's coupons on the wallet (shop, what it gives, until when) and
//! the opt-out of segment offers on the account screen. Loaded when the wallet
//! opens and again whenever it changes (a sale may have used one).

use crate::api;
use crate::dom;
use crate::ended::ended_by;
use crate::i18n::{tf, Key};
use crate::locale::{date_time, money};
use crate::views::messages::{clear_error, show_error};
use domain::api::coupons::MemberCoupon;
use domain::coupons::CouponKind;

/// What a coupon gives, in words.
fn gives(coupon: &MemberCoupon) -> String {
    match &coupon.offer.kind {
        CouponKind::PercentOff { percent } => tf(Key::PercentOff, &[("percent", &percent.get().to_string())]),
        CouponKind::AmountOff { amount_minor } => {
            tf(Key::AmountOff, &[("amount", &money(*amount_minor, coupon.currency))])
        }
        CouponKind::FreeProduct { product_code } => tf(Key::FreeProduct, &[("product", product_code.as_str())]),
        CouponKind::BonusPoints { points } => tf(Key::BonusPoints, &[("n", &points.to_string())]),
    }
}

fn render(coupons: &[MemberCoupon], opted_out: bool) {
    dom::clear_children("coupons");
    dom::set_hidden("no-coupons", !coupons.is_empty());
    if let Some(list) = dom::element("coupons") {
        for coupon in coupons {
            let Some(card) = dom::create("li") else { continue };
            let _ = card.set_attribute("class", "card coupon");
            let _ = card.set_attribute("data-testid", "coupon");
            let mut detail =
                tf(Key::CouponUntil, &[("gives", &gives(coupon)), ("date", &date_time(coupon.offer.ends_at))]);
            if coupon.offer.min_basket_minor > 0 {
                let amount = money(coupon.offer.min_basket_minor, coupon.currency);
                detail.push_str(&tf(Key::CouponFrom, &[("amount", &amount)]));
            }
            for (class, text) in [
                ("coupon-shop", coupon.shop_name.as_str()),
                ("coupon-name", coupon.offer.name.as_str()),
                ("coupon-detail", detail.as_str()),
            ] {
                if let Some(line) = dom::create_text("p", class, text) {
                    let _ = card.append_child(&line);
                }
            }
            let _ = list.append_child(&card);
        }
    }
    if let Some(toggle) = dom::input("coupon-opt-out") {
        toggle.set_checked(opted_out);
    }
}

/// Fetches and draws the coupons; a failure leaves the last list (the wallet says when offline).
pub async fn refresh() {
    match api::coupons().await {
        Ok(answer) => render(&answer.coupons, answer.opted_out),
        Err(failure) => {
            ended_by(&failure);
        }
    }
}

/// The opt-out checkbox changed: saved, then the list drawn again.
pub async fn save_opt_out() {
    clear_error();
    let opted_out = dom::input("coupon-opt-out").is_some_and(|toggle| toggle.checked());
    match api::set_coupon_opt_out(opted_out).await {
        Ok(()) => refresh().await,
        Err(failure) => {
            if !ended_by(&failure) {
                show_error(&crate::i18n::failure_text(&failure));
            }
        }
    }
}
