//! One shop's history for the member (a card's "History" button): visits,
//! spend and points in total and per month as a chart with the same numbers
//! in a table, the receipts there, and the CSV download. The figures are the
//! server's (`domain::history`), summed in the shop's time zone.

use crate::api;
use crate::dom;
use crate::ended::ended_by;
use crate::i18n::{plural, t, tf, Key};
use crate::locale::{date_time_in, money};
use crate::state::{points_text, with_app};
use crate::views::messages::{clear_error, show_error};
use crate::views::{self, receipts, Screen};
use domain::api::account::MemberHistory;
use domain::api::routes;
use domain::shop::ShopId;
use web_shared::charts;

pub async fn open(shop_id: ShopId) {
    clear_error();
    let generation = with_app(|app| {
        app.history_generation = app.history_generation.wrapping_add(1);
        app.history_generation
    });
    dom::set_text("shop-history-title", t(Key::History));
    dom::set_hidden("shop-history-body", true);
    dom::set_hidden("shop-history-loading", false);
    views::show(Screen::History);
    let result = api::history(&shop_id).await;
    if with_app(|app| app.history_generation) != generation {
        return; // closed, or another card's history asked since
    }
    dom::set_hidden("shop-history-loading", true);
    match result {
        Ok(history) => draw(&history),
        Err(failure) => {
            if !ended_by(&failure) {
                show_error(&crate::i18n::failure_text(&failure));
            }
        }
    }
}

pub fn close() {
    with_app(|app| app.history_generation = app.history_generation.wrapping_add(1));
    views::show(Screen::Wallet);
}

/// Date and time of `at` on the shop's clock, in the browser's locale.
fn shop_time(at: i64, history: &MemberHistory) -> String {
    date_time_in(at, Some(history.shop.programme.time_zone.as_str()))
}

fn signed_money(minor: i64, history: &MemberHistory) -> String {
    let amount = money(minor.unsigned_abs(), history.shop.currency);
    if minor < 0 {
        format!("−{amount}")
    } else {
        amount
    }
}

fn draw(history: &MemberHistory) {
    let shop = history.shop.name.as_str();
    dom::set_text("shop-history-title", &tf(Key::YourHistoryAt, &[("shop", shop)]));
    let status = if history.current { "" } else { t(Key::LeftProgramme) };
    let card = tf(
        Key::HistoryCard,
        &[
            ("number", &history.customer_number.to_string()),
            ("points", &points_text(history.points)),
            ("status", status),
        ],
    );
    dom::set_text("shop-history-card", &card);
    let total = &history.total;
    let visits = match total.visits {
        0 => t(Key::NoVisits).to_owned(),
        n => plural(i64::try_from(n).unwrap_or(i64::MAX), Key::VisitOne, Key::VisitOther),
    };
    let span = match (history.first_visit, history.last_visit) {
        (Some(first), Some(last)) => {
            tf(Key::FirstLastVisit, &[("first", &shop_time(first, history)), ("last", &shop_time(last, history))])
        }
        _ => String::new(),
    };
    dom::set_text("shop-history-visits", &format!("{visits}{span}"));
    dom::set_text("shop-history-spend", &signed_money(total.spend_minor, history));
    dom::set_text("shop-history-earned", &points_text(total.points_earned));
    dom::set_text("shop-history-spent", &points_text(total.points_spent));
    dom::set_text("shop-history-expired", &points_text(total.points_expired));

    let earned: Vec<(String, i64)> =
        history.months.iter().map(|m| (m.month.clone(), m.figures.points_earned)).collect();
    if let Some(chart) = dom::element("shop-history-chart") {
        chart.set_inner_html(&charts::bars(t(Key::ChartTitle), &earned));
    }
    dom::clear_children("shop-history-months");
    if let Some(body) = dom::element("shop-history-months") {
        // Newest month first: what a member looks for.
        for month in history.months.iter().rev() {
            let f = &month.figures;
            let cells = [
                f.visits.to_string(),
                signed_money(f.spend_minor, history),
                f.points_earned.to_string(),
                f.points_spent.to_string(),
                f.points_expired.to_string(),
            ];
            let Some(tr) = dom::create("tr") else { continue };
            if let Some(th) = dom::create_text("th", "", &month.month) {
                let _ = th.set_attribute("scope", "row");
                dom::append(&tr, &th);
            }
            for text in &cells {
                if let Some(td) = dom::create_text("td", "", text) {
                    dom::append(&tr, &td);
                }
            }
            dom::append(&body, &tr);
        }
    }

    dom::clear_children("shop-history-receipts");
    dom::set_hidden("shop-history-no-receipts", !history.receipts.is_empty());
    if let Some(list) = dom::element("shop-history-receipts") {
        for receipt in &history.receipts {
            let Some(item) = dom::create("li") else { continue };
            let text = format!(
                "{} · {} · {}",
                receipt.receipt_number,
                shop_time(receipt.at, history),
                receipts::summary(receipt)
            );
            let Some(button) = dom::create_text("button", "history-item", &text) else { continue };
            let _ = button.set_attribute("type", "button");
            let _ = button.set_attribute("data-testid", "shop-history-receipt");
            let shown = receipt.clone();
            dom::on(&button, "click", move |_| receipts::show(&shown));
            let _ = item.append_child(&button);
            let _ = list.append_child(&item);
        }
    }
    let shop_id = history.shop.shop_id.as_str();
    dom::set_attribute("shop-history-csv", "href", &routes::member_history_csv(shop_id));
    dom::set_attribute("shop-history-csv", "download", &format!("tessera-{shop_id}-history.csv"));
    dom::set_hidden("shop-history-body", false);
}
