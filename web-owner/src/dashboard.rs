//! The Dashboard tab: the call for a range and store, and drawing what it
//! answers — totals as cards, revenue per day as bars and visits by hour of
//! the week as a heat map and movement between customer segments as bands
//! (charts from `web_shared::charts`, each with its numbers in a `<table>`
//! beside it), the top products and rewards, the customer segments, and links
//! to the CSV exports. A store manager's answer
//! is their store's only (the server decides); the owner picks a store or all.

use crate::api::Failure;
use crate::stores;
use domain::api::dashboard::{Dashboard, Figures};
use domain::api::routes;
use domain::money::Currency;
use domain::segments::{Segment, SegmentMove};
use domain::stats::signed_decimal;
use web_shared::charts::{self, WEEKDAYS};
use web_shared::http::{call, Auth};
use web_shared::{dom, locale};

const NO_BODY: Option<&()> = None;

/// `?from=…&to=…&store=…` from the form; empty dates leave the range to the server (the last 30 days).
fn query() -> String {
    let (from, to, store) = (dom::input_value("dash-from"), dom::input_value("dash-to"), picked_store());
    let mut query = String::new();
    if !from.is_empty() && !to.is_empty() {
        query = format!("?from={from}&to={to}");
    }
    if !store.is_empty() {
        query.push(if query.is_empty() { '?' } else { '&' });
        query.push_str(&format!("store={store}"));
    }
    query
}

fn picked_store() -> String {
    dom::document()
        .and_then(|d| d.get_element_by_id("dash-store"))
        .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlSelectElement>(e).ok())
        .map(|select| select.value())
        .unwrap_or_default()
}

/// Loads and draws the dashboard of `shop_id` for the form's range and store.
pub async fn load(shop_id: &str, manager_only: bool) -> Result<(), Failure> {
    if dom::element("dash-store").is_some_and(|select| select.child_element_count() == 0) {
        store_choices(shop_id, manager_only).await?;
    }
    dom::set_text("dash-status", "Loading…");
    let query = query();
    let board: Dashboard = call("GET", &format!("{}{query}", routes::owner_dashboard(shop_id)), Auth::Session, NO_BODY)
        .await
        .inspect_err(|_| dom::set_text("dash-status", ""))?;
    dom::set_input_value("dash-from", &board.from);
    dom::set_input_value("dash-to", &board.to);
    draw(&board);
    links(shop_id, &board, manager_only);
    coupons(&board);
    gates(&board);
    dom::set_text(
        "dash-status",
        &format!(
            "{} to {} ({})",
            locale::calendar_day(&board.from),
            locale::calendar_day(&board.to),
            board.time_zone.as_str()
        ),
    );
    Ok(())
}

/// Forgets the last shop's store choices and figures (another shop is opened).
pub fn forget() {
    for id in [
        "dash-store",
        "dash-cards",
        "dash-day-rows",
        "dash-hour-rows",
        "dash-products",
        "dash-rewards",
        "dash-segments",
        "dash-moves",
        "dash-moves-chart",
        "dash-coupons",
        "dash-gates",
    ] {
        dom::clear_children(id);
    }
    for id in ["dash-from", "dash-to"] {
        dom::set_input_value(id, "");
    }
}

async fn store_choices(shop_id: &str, manager_only: bool) -> Result<(), Failure> {
    let list = stores::list(shop_id).await?;
    let Some(select) = dom::element("dash-store") else { return Ok(()) };
    if !manager_only {
        if let Some(option) = dom::create_text("option", "", "All stores") {
            let _ = option.set_attribute("value", "");
            dom::append(&select, &option);
        }
    }
    // A closed store stays: its days in the range still count.
    for store in list.stores {
        let label =
            if store.is_open() { store.name.as_str().to_owned() } else { format!("{} (closed)", store.name.as_str()) };
        if let Some(option) = dom::create_text("option", "", &label) {
            let _ = option.set_attribute("value", store.store_id.as_str());
            dom::append(&select, &option);
        }
    }
    Ok(())
}

fn money(minor: i64, currency: Currency) -> String {
    if minor < 0 {
        format!("−{}", locale::money(minor.unsigned_abs(), currency))
    } else {
        locale::money(minor.unsigned_abs(), currency)
    }
}

fn card(list: &web_sys::Element, title: &str, value: &str, detail: &str) {
    let Some(item) = dom::create("li") else { return };
    let _ = item.set_attribute("class", "card");
    for (class, text) in [("card-title", title), ("card-value", value), ("card-detail", detail)] {
        if text.is_empty() {
            continue;
        }
        if let Some(part) = dom::create_text("span", class, text) {
            dom::append(&item, &part);
        }
    }
    dom::append(list, &item);
}

fn cards(board: &Dashboard) {
    dom::clear_children("dash-cards");
    let Some(list) = dom::element("dash-cards") else { return };
    let t: &Figures = &board.totals;
    let currency = board.currency;
    card(&list, "Revenue", &money(t.revenue_minor, currency), &format!("{} refund(s), net", t.refunds));
    card(&list, "Visits", &t.visits.to_string(), &format!("{} new, {} returning", t.new_visits, t.returning_visits()));
    card(&list, "Items sold", &t.items.to_string(), "");
    card(
        &list,
        "Points issued",
        &t.points_issued.to_string(),
        &format!("{} redeemed, {} expired", t.points_redeemed, t.points_expired),
    );
    card(
        &list,
        "Prepaid topped up",
        &money(t.prepaid_in, currency),
        &format!("{} spent", money(t.prepaid_out, currency)),
    );
    if let Some(wide) = &board.shop_wide {
        card(&list, "Points outstanding", &wide.points_outstanding.to_string(), "held by members now");
        card(&list, "Prepaid float", &money(wide.prepaid_float_minor, currency), "held by members now");
        card(
            &list,
            "Active customers",
            &wide.active_30_days.to_string(),
            &format!("in 30 days; {} in 90; {} in all", wide.active_90_days, wide.customers),
        );
    }
}

fn row(body: &web_sys::Element, header: &str, cells: &[String]) {
    let Some(tr) = dom::create("tr") else { return };
    if let Some(th) = dom::create_text("th", "", header) {
        let _ = th.set_attribute("scope", "row");
        dom::append(&tr, &th);
    }
    for text in cells {
        if let Some(td) = dom::create_text("td", "", text) {
            dom::append(&tr, &td);
        }
    }
    dom::append(body, &tr);
}

fn draw(board: &Dashboard) {
    cards(board);
    let currency = board.currency;
    let revenue: Vec<(String, i64)> =
        board.days.iter().map(|day| (day.day.clone(), day.figures.revenue_minor)).collect();
    if let Some(chart) = dom::element("dash-revenue-chart") {
        chart.set_inner_html(&charts::bars("Revenue per day (the table below has the numbers)", &revenue));
    }
    dom::clear_children("dash-day-rows");
    if let Some(body) = dom::element("dash-day-rows") {
        for day in &board.days {
            let f = &day.figures;
            row(
                &body,
                &locale::calendar_day(&day.day),
                &[
                    f.visits.to_string(),
                    money(f.revenue_minor, currency),
                    f.items.to_string(),
                    f.points_issued.to_string(),
                ],
            );
        }
    }
    if let Some(chart) = dom::element("dash-hours-chart") {
        chart.set_inner_html(&charts::heat_map(
            "Visits by weekday and hour (the table below has the numbers)",
            &board.hours,
        ));
    }
    dom::clear_children("dash-hour-rows");
    if let Some(body) = dom::element("dash-hour-rows") {
        for (weekday, hours) in board.hours.iter().enumerate() {
            let name = WEEKDAYS.get(weekday).copied().unwrap_or("");
            row(&body, name, &hours.iter().map(i64::to_string).collect::<Vec<_>>());
        }
    }
    dom::clear_children("dash-products");
    if let Some(body) = dom::element("dash-products") {
        for product in &board.top_products {
            row(&body, product.name.as_str(), &[product.quantity.to_string(), money(product.revenue_minor, currency)]);
        }
    }
    dom::set_hidden("dash-products-empty", !board.top_products.is_empty());
    dom::clear_children("dash-rewards");
    if let Some(body) = dom::element("dash-rewards") {
        for reward in &board.top_rewards {
            row(&body, reward.name.as_str(), &[reward.redeemed.to_string(), reward.points.to_string()]);
        }
    }
    dom::set_hidden("dash-rewards-empty", !board.top_rewards.is_empty());
    dom::clear_children("dash-segments");
    dom::set_hidden("dash-segments-box", board.shop_wide.is_none());
    if let (Some(body), Some(wide)) = (dom::element("dash-segments"), &board.shop_wide) {
        for count in &wide.segments {
            row(&body, count.segment.label(), &[count.customers.to_string()]);
        }
    }
    // Who moved from which segment (at the range's start) to which (at its end).
    dom::clear_children("dash-moves");
    let moves = board.shop_wide.as_ref().map_or(&[][..], |wide| &wide.segment_moves[..]);
    if let Some(body) = dom::element("dash-moves") {
        for moved in moves {
            let from = moved.from.map_or("Not yet a customer", |segment| segment.label());
            row(&body, from, &[moved.to.label().to_owned(), moved.customers.to_string()]);
        }
    }
    dom::set_hidden("dash-moves-empty", !moves.is_empty());
    dom::set_hidden("dash-moves-box", board.shop_wide.is_none());
    if let Some(chart) = dom::element("dash-moves-chart") {
        chart.set_inner_html(&if moves.is_empty() { String::new() } else { moves_chart(moves) });
    }
    // The float's movements in the range, for the owner reconciling cash.
    let moved = board.totals.prepaid_in.saturating_sub(board.totals.prepaid_out);
    dom::set_text("dash-prepaid-note", &format!("Prepaid value in the range: {} net", signed_decimal(moved, currency)));
}

/// Who moved from which segment to which, as bands (the table beside has the numbers).
fn moves_chart(moves: &[SegmentMove]) -> String {
    // The start's side has "not yet a customer" first; both sides then in segment order.
    let from: Vec<&str> = std::iter::once("Not yet").chain(Segment::ALL.iter().map(|s| s.label())).collect();
    let to: Vec<&str> = Segment::ALL.iter().map(|s| s.label()).collect();
    let index = |segment: Segment| Segment::ALL.iter().position(|s| *s == segment).unwrap_or(0);
    let flows: Vec<(usize, usize, i64)> = moves
        .iter()
        .map(|moved| (moved.from.map_or(0, |segment| index(segment) + 1), index(moved.to), moved.customers))
        .collect();
    charts::flows(
        "Movement between segments from the range's start (left) to its end (right); the table beside has the numbers",
        &from,
        &to,
        &flows,
    )
}

/// Each coupon's results in the range (the shop's owners see coupons; managers do not).
fn coupons(board: &Dashboard) {
    dom::clear_children("dash-coupons");
    dom::set_hidden("dash-coupons-box", board.coupons.is_empty());
    if let Some(body) = dom::element("dash-coupons") {
        for coupon in &board.coupons {
            row(
                &body,
                coupon.name.as_str(),
                &[
                    coupon.issued.to_string(),
                    coupon.used.to_string(),
                    locale::money(u64::try_from(coupon.revenue_minor).unwrap_or(0), board.currency),
                    coupon.returning.to_string(),
                ],
            );
        }
    }
}

/// Bills collected (count and amount) and entries admitted, in all and per event.
fn gates(board: &Dashboard) {
    let gates = &board.gates;
    dom::clear_children("dash-gates");
    dom::set_hidden("dash-gates-box", gates.bills_collected == 0 && gates.admitted == 0);
    if let Some(body) = dom::element("dash-gates") {
        let amount = locale::money(u64::try_from(gates.bills_amount_minor).unwrap_or(0), board.currency);
        row(&body, "Bills collected", &[gates.bills_collected.to_string(), amount]);
        row(&body, "Tickets admitted", &[gates.admitted.to_string(), String::new()]);
        for event in &gates.events {
            row(&body, &format!("· {}", event.title.as_str()), &[event.admitted.to_string(), String::new()]);
        }
    }
}

/// The CSV links for the same range and store (customers: owners only).
fn links(shop_id: &str, board: &Dashboard, manager_only: bool) {
    let store = board.store_id.as_ref().map(|s| format!("&store={}", s.as_str())).unwrap_or_default();
    let query = format!("?from={}&to={}{store}", board.from, board.to);
    dom::set_attribute("dash-csv-lines", "href", &format!("{}{query}", routes::owner_dashboard_sales_lines(shop_id)));
    dom::set_attribute("dash-csv-ledger", "href", &format!("{}{query}", routes::owner_dashboard_ledger(shop_id)));
    dom::set_attribute("dash-csv-customers", "href", &routes::owner_dashboard_customers(shop_id));
    dom::set_hidden("dash-csv-customers-item", manager_only);
}
