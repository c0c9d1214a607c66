//! The Coupons tab: create a coupon (what it gives, its days, minimum basket,
//! audience, total limit) and the shop's coupons with their results (issued,
//! used, revenue, returning), each with "End now". Days are whole UTC days:
//! from the start of the first to the end of the last. The rules are
//! `domain::coupons`; the server checks the terms again.

use crate::console::{fail, open_shop_id};
use crate::views;
use domain::api::coupons::{CouponList, OwnerCoupon};
use domain::api::routes;
use domain::coupons::{Audience, CouponKind, CouponTerms, Percent};
use domain::money::{Currency, MinorUnits};
use domain::points_expiry::CivilDate;
use domain::sale::ProductCode;
use domain::segments::Segment;
use domain::shop::Label;
use domain::stats::parse_date;
use wasm_bindgen_futures::spawn_local;
use web_shared::http::{call, Auth, Failure};
use web_shared::{dom, locale};

const NO_BODY: Option<&()> = None;
const DAY_MS: i64 = 86_400_000;

/// Wires the tab's form and buttons (called once from `start`).
pub fn wire() {
    dom::on_id("coupon-form", "submit", |event| {
        event.prevent_default();
        spawn_local(create());
    });
    dom::on_id("coupon-rows", "click", |event| {
        if let Some((_, coupon_id)) = views::clicked_button(&event, "data-coupon-end") {
            spawn_local(end(coupon_id));
        }
    });
}

/// Loads and draws the open shop's coupons.
pub async fn load() {
    let Some((shop_id, _)) = open_shop_id() else { return };
    let result: Result<CouponList, Failure> =
        call("GET", &routes::owner_coupons(&shop_id), Auth::Session, NO_BODY).await;
    match result {
        Ok(list) => render(&list),
        Err(failure) => fail(&failure),
    }
}

/// The value chosen in a `<select>`.
fn select_value(id: &str) -> String {
    dom::element(id)
        .and_then(|element| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlSelectElement>(element).ok())
        .map(|select| select.value())
        .unwrap_or_default()
}

/// The UTC midnight starting `iso` (`YYYY-MM-DD`).
fn day_start(iso: &str, what: &str) -> Result<i64, String> {
    let date = parse_date(iso).map_err(|_| format!("{what}: pick a day"))?;
    date.days().checked_mul(DAY_MS).ok_or_else(|| format!("{what}: out of range"))
}

fn money_field(id: &str, currency: Currency, what: &str) -> Result<u64, String> {
    let text = dom::input_value(id);
    if text.trim().is_empty() {
        return Ok(0);
    }
    MinorUnits::parse(&text, currency).map(|amount| amount.0).map_err(|error| format!("{what}: {error}"))
}

/// The form's terms, checked like the server will.
fn typed_terms(currency: Currency) -> Result<CouponTerms, String> {
    let name = Label::parse(&dom::input_value("coupon-name")).map_err(|error| format!("name: {error}"))?;
    let value = dom::input_value("coupon-value");
    let number = |what: &str| value.trim().parse::<i64>().map_err(|_| format!("{what}: a whole number"));
    let kind = match select_value("coupon-kind").as_str() {
        "percent_off" => {
            let percent = u8::try_from(number("percent")?).map_err(|_| "percent: 1 to 100".to_owned())?;
            CouponKind::PercentOff { percent: Percent::parse(percent).map_err(|error| error.to_string())? }
        }
        "amount_off" => CouponKind::AmountOff { amount_minor: money_field("coupon-value", currency, "amount")? },
        "free_product" => CouponKind::FreeProduct {
            product_code: ProductCode::parse(&value).map_err(|error| format!("product code: {error}"))?,
        },
        "bonus_points" => CouponKind::BonusPoints { points: number("points")? },
        _ => return Err("gives: pick one".to_owned()),
    };
    let valid_from = day_start(&dom::input_value("coupon-from"), "from")?;
    let valid_to = day_start(&dom::input_value("coupon-to"), "to")?.saturating_add(DAY_MS);
    let audience = match select_value("coupon-audience").as_str() {
        "everyone" => Audience::Everyone,
        "not_seen_for" => {
            let days = dom::input_value("coupon-days").trim().parse::<u32>().map_err(|_| "days: a whole number")?;
            Audience::NotSeenFor { days }
        }
        "joined_between" => Audience::JoinedBetween {
            from: day_start(&dom::input_value("coupon-joined-from"), "joined from")?,
            to: day_start(&dom::input_value("coupon-joined-to"), "joined until")?.saturating_add(DAY_MS),
        },
        chosen => {
            let segment = match chosen {
                "new" => Segment::New,
                "champion" => Segment::Champion,
                "loyal" => Segment::Loyal,
                "occasional" => Segment::Occasional,
                "at_risk" => Segment::AtRisk,
                "lost" => Segment::Lost,
                _ => return Err("audience: pick one".to_owned()),
            };
            Audience::Segment { segment }
        }
    };
    let limit = dom::input_value("coupon-limit");
    let total_limit = if limit.trim().is_empty() {
        None
    } else {
        Some(limit.trim().parse::<u32>().map_err(|_| "total uses: a whole number".to_owned())?)
    };
    let terms = CouponTerms {
        name,
        kind,
        valid_from,
        valid_to,
        min_basket_minor: money_field("coupon-min", currency, "minimum basket")?,
        audience,
        total_limit,
    };
    terms.validate().map_err(|error| error.to_string())?;
    Ok(terms)
}

async fn create() {
    views::clear_messages();
    let Some((shop_id, currency)) = open_shop_id() else { return };
    let terms = match typed_terms(currency) {
        Ok(terms) => terms,
        Err(message) => return views::error(&message),
    };
    dom::set_busy("coupon-submit", true);
    let result: Result<OwnerCoupon, Failure> =
        call("POST", &routes::owner_coupons(&shop_id), Auth::Session, Some(&terms)).await;
    dom::set_busy("coupon-submit", false);
    match result {
        Ok(created) => {
            views::notice(&format!("Coupon “{}” created.", created.coupon.terms.name.as_str()));
            dom::set_input_value("coupon-name", "");
            load().await;
        }
        Err(failure) => fail(&failure),
    }
}

async fn end(coupon_id: String) {
    views::clear_messages();
    let Some((shop_id, _)) = open_shop_id() else { return };
    let result: Result<OwnerCoupon, Failure> =
        call("POST", &routes::owner_coupon_end(&shop_id, &coupon_id), Auth::Session, NO_BODY).await;
    match result {
        Ok(ended) => {
            views::notice(&format!("Coupon “{}” ended.", ended.coupon.terms.name.as_str()));
            load().await;
        }
        Err(failure) => fail(&failure),
    }
}

fn gives(kind: &CouponKind, currency: Currency) -> String {
    match kind {
        CouponKind::PercentOff { percent } => format!("{} % off", percent.get()),
        CouponKind::AmountOff { amount_minor } => format!("{} off", locale::money(*amount_minor, currency)),
        CouponKind::FreeProduct { product_code } => format!("1 × {} free", product_code.as_str()),
        CouponKind::BonusPoints { points } => format!("+{points} points"),
    }
}

fn audience_text(audience: &Audience) -> String {
    match audience {
        Audience::Everyone => "Everyone".to_owned(),
        Audience::Segment { segment } => segment.label().to_owned(),
        Audience::NotSeenFor { days } => format!("Not seen for {days} days"),
        Audience::JoinedBetween { from, to } => {
            // `to` is the start of the day after the last one.
            let day = |at: i64| {
                let date = CivilDate::from_days(at.div_euclid(DAY_MS));
                locale::calendar_day(&format!("{:04}-{:02}-{:02}", date.year, date.month, date.day))
            };
            format!("Joined {} – {}", day(*from), day(to.saturating_sub(1)))
        }
    }
}

fn render(list: &CouponList) {
    dom::clear_children("coupon-rows");
    dom::set_hidden("no-coupons", !list.coupons.is_empty());
    let Some(rows) = dom::element("coupon-rows") else { return };
    for owned in &list.coupons {
        let coupon = &owned.coupon;
        let results = &owned.results;
        let Some(row) = dom::create("tr") else { continue };
        let _ = row.set_attribute("data-testid", "coupon-row");
        let mut limit = String::new();
        if let Some(total) = coupon.terms.total_limit {
            limit = format!(" · at most {total}");
        }
        let state = if coupon.ended_at.is_some() { " · ended" } else { "" };
        let cells = [
            coupon.terms.name.as_str().to_owned(),
            format!("{}{limit}", gives(&coupon.terms.kind, list.currency)),
            format!("{} – {}{state}", locale::date_time(coupon.terms.valid_from), locale::date_time(coupon.ends_at())),
            audience_text(&coupon.terms.audience),
            results.issued.to_string(),
            match results.refunded {
                0 => results.used.to_string(),
                refunded => format!("{} ({refunded} refunded)", results.used),
            },
            locale::money(results.revenue_minor, list.currency),
            results.returning.to_string(),
        ];
        dom::append_text_cells(&row, &cells);
        if let Some(cell) = dom::create("td") {
            if coupon.ended_at.is_none() {
                if let Some(button) = dom::create_text("button", "button button-quiet", "End now") {
                    let _ = button.set_attribute("type", "button");
                    let _ = button.set_attribute("data-coupon-end", coupon.coupon_id.as_str());
                    let _ = button.set_attribute("aria-label", &format!("End {}", coupon.terms.name.as_str()));
                    dom::append(&cell, &button);
                }
            }
            dom::append(&row, &cell);
        }
        dom::append(&rows, &row);
    }
}
