//! Drawing the console from its state: which view shows, messages, and the
//! lists (shops, products, rewards, registers). Nothing here calls the server.

use crate::state::{Console, Screen, Tab};
use domain::api::owner_accounts::OwnerMe;
use domain::api::ShopSummary;
use domain::rewards::Benefit;
use wasm_bindgen::JsCast;
use web_shared::{dom, locale};
use web_sys::Element;

const VIEWS: [(Screen, &str); 7] = [
    (Screen::Loading, "loading-view"),
    (Screen::Claim, "claim-view"),
    (Screen::Invite, "invite-view"),
    (Screen::Reset, "reset-view"),
    (Screen::SignIn, "sign-in-view"),
    (Screen::Shops, "shops-view"),
    (Screen::Shop, "shop-view"),
];

/// Shows one view and moves focus to its first field (or heading), so keyboard
/// and screen-reader users land where the new screen starts.
pub fn show(screen: Screen) {
    for (each, id) in VIEWS {
        dom::set_hidden(id, each != screen);
    }
    let first = match screen {
        Screen::Claim => "claim-email",
        Screen::Invite => "invite-email",
        Screen::Reset => "reset-password",
        Screen::SignIn => "sign-in-email",
        _ => "main",
    };
    if let Some(element) = dom::element(first) {
        let _ = element.focus();
    }
}

pub fn error(message: &str) {
    dom::set_text("error", message);
    dom::set_hidden("error", false);
    dom::set_hidden("notice", true);
}

pub fn notice(message: &str) {
    dom::set_text("notice", message);
    dom::set_hidden("notice", false);
    dom::set_hidden("error", true);
}

pub fn clear_messages() {
    dom::set_hidden("error", true);
    dom::set_hidden("notice", true);
}

pub fn whoami(me: Option<&OwnerMe>) {
    let text = match me {
        Some(me) if me.operator => format!("{} (operator)", me.email),
        Some(me) => me.email.to_string(),
        None => String::new(),
    };
    dom::set_text("whoami", &text);
    dom::set_hidden("sign-out", me.is_none());
    dom::set_hidden("sign-out-everywhere", me.is_none());
}

fn button(text: &str, attribute: &str, value: &str, class: &str) -> Option<Element> {
    let button = dom::create_text("button", class, text)?;
    let _ = button.set_attribute("type", "button");
    let _ = button.set_attribute(attribute, value);
    Some(button)
}

pub fn shops(me: &OwnerMe) {
    dom::clear_children("shop-list");
    let Some(list) = dom::element("shop-list") else { return };
    for shop in &me.shops {
        let Some(item) = dom::create("li") else { continue };
        let label = format!("{} — {} point(s) per {}", shop.name.as_str(), shop.points_per_unit.get(), shop.currency);
        if let Some(text) = dom::create_text("span", "", &label) {
            dom::append(&item, &text);
        }
        if let Some(open) = button("Open", "data-shop-id", shop.shop_id.as_str(), "button") {
            let _ = open.set_attribute("aria-label", &format!("Open {}", shop.name.as_str()));
            dom::append(&item, &open);
        }
        dom::append(&list, &item);
    }
    dom::set_hidden("no-shops", !me.shops.is_empty());
    dom::set_hidden("create-shop-form", !me.operator);
    dom::set_hidden("operator-panel", !me.operator);
}

pub fn shop(shop: &ShopSummary) {
    dom::set_text("shop-title", shop.name.as_str());
    dom::set_input_value("settings-name", shop.name.as_str());
    dom::set_input_value("settings-points", &shop.points_per_unit.get().to_string());
    dom::set_text("settings-currency", &shop.currency.to_string());
    dom::set_input_value("settings-welcome-bonus", &shop.programme.welcome_bonus.get().to_string());
    set_field_value("settings-rounding", shop.programme.points_rounding.as_str());
    set_field_value("settings-receipt-header", shop.programme.receipt_header.as_str());
    set_field_value("settings-receipt-footer", shop.programme.receipt_footer.as_str());
    dom::set_input_value("settings-currency-code", &shop.currency.to_string());
    let months = shop.programme.points_expiry.months().map_or(0, u32::from);
    dom::set_input_value("settings-expiry-months", &months.to_string());
    dom::set_input_value("settings-time-zone", shop.programme.time_zone.as_str());
    dom::set_hidden("shop-invite-link", true);
    dom::set_hidden("shop-invite-label", true);
}

/// Offers the browser's own list of IANA time zones (`Intl.supportedValuesOf`)
/// as suggestions for the time zone field; browsers without it offer none.
pub fn time_zone_suggestions() {
    let Some(list) = dom::element("time-zones") else { return };
    let key = |name: &str| wasm_bindgen::JsValue::from_str(name);
    let zones = js_sys::Reflect::get(&js_sys::global(), &key("Intl"))
        .and_then(|intl| {
            let supported: js_sys::Function = js_sys::Reflect::get(&intl, &key("supportedValuesOf"))?.dyn_into()?;
            supported.call1(&intl, &key("timeZone"))
        })
        .ok()
        .and_then(|zones| zones.dyn_into::<js_sys::Array>().ok());
    for zone in zones.iter().flat_map(|zones| zones.iter()).filter_map(|zone| zone.as_string()) {
        if let Some(option) = dom::create("option") {
            let _ = option.set_attribute("value", &zone);
            dom::append(&list, &option);
        }
    }
}

/// The value of a text area or a select (inputs have `dom::input_value`).
pub fn field_value(id: &str) -> String {
    let Some(element) = dom::element(id) else { return String::new() };
    if let Some(area) = element.dyn_ref::<web_sys::HtmlTextAreaElement>() {
        area.value()
    } else if let Some(select) = element.dyn_ref::<web_sys::HtmlSelectElement>() {
        select.value()
    } else {
        String::new()
    }
}

pub fn set_field_value(id: &str, value: &str) {
    let Some(element) = dom::element(id) else { return };
    if let Some(area) = element.dyn_ref::<web_sys::HtmlTextAreaElement>() {
        area.set_value(value);
    } else if let Some(select) = element.dyn_ref::<web_sys::HtmlSelectElement>() {
        select.set_value(value);
    }
}

pub fn tab(tab: Tab) {
    for each in Tab::ALL {
        let (button, panel) = each.ids();
        dom::set_hidden(panel, each != tab);
        if let Some(element) = dom::element(button) {
            if each == tab {
                let _ = element.set_attribute("aria-current", "page");
            } else {
                let _ = element.remove_attribute("aria-current");
            }
        }
    }
}

pub fn products(console: &Console) {
    dom::clear_children("product-rows");
    let (Some(rows), Some(shop)) = (dom::element("product-rows"), console.shop.as_ref()) else { return };
    for (index, product) in console.products.iter().enumerate() {
        let Some(row) = dom::create("tr") else { continue };
        let price = locale::money(product.unit_price.0, shop.currency);
        let name = if product.archived {
            format!("{} (archived)", product.name.as_str())
        } else {
            product.name.as_str().to_owned()
        };
        if product.archived {
            let _ = row.set_attribute("class", "archived");
        }
        dom::append_text_cells(&row, &[product.product_code.as_str(), &name, &price]);
        if let Some(cell) = dom::create("td") {
            let name = product.name.as_str();
            if let Some(edit) = button("Edit", "data-edit", &index.to_string(), "button") {
                let _ = edit.set_attribute("aria-label", &format!("Edit {name}"));
                dom::append(&cell, &edit);
            }
            let (label, verb) = if product.archived { ("Restore", "Restore") } else { ("Archive", "Archive") };
            if let Some(toggle) = button(label, "data-archive", &index.to_string(), "button") {
                let _ = toggle.set_attribute("aria-label", &format!("{verb} {name}"));
                dom::append(&cell, &toggle);
            }
            if let Some(remove) = button("Remove", "data-remove", &index.to_string(), "button button-danger") {
                let _ = remove.set_attribute("aria-label", &format!("Remove {name}"));
                dom::append(&cell, &remove);
            }
            dom::append(&row, &cell);
        }
        dom::append(&rows, &row);
    }
    product_form(console);
}

/// The product form: empty to add, filled to edit.
pub fn product_form(console: &Console) {
    let editing = console.editing.and_then(|i| console.products.get(i));
    let currency = console.shop.as_ref().map(|s| s.currency);
    match (editing, currency) {
        (Some(product), Some(currency)) => {
            dom::set_text("product-form-title", &format!("Edit {}", product.name.as_str()));
            dom::set_input_value("product-code", product.product_code.as_str());
            dom::set_input_value("product-name", product.name.as_str());
            dom::set_input_value("product-price", &product.unit_price.decimal(currency));
            dom::set_text("product-submit", "Save");
            dom::set_hidden("product-cancel", false);
        }
        _ => {
            dom::set_text("product-form-title", "Add a product");
            for id in ["product-code", "product-name", "product-price"] {
                dom::set_input_value(id, "");
            }
            dom::set_text("product-submit", "Add");
            dom::set_hidden("product-cancel", true);
        }
    }
}

pub fn rewards(console: &Console) {
    dom::clear_children("reward-rows");
    let (Some(list), Some(shop)) = (dom::element("reward-rows"), console.shop.as_ref()) else { return };
    for (index, reward) in console.rewards.iter().enumerate() {
        let Some(item) = dom::create("li") else { continue };
        let benefit = match &reward.benefit {
            Benefit::FreeItem { item } => format!("a free {}", item.as_str()),
            Benefit::AmountOff { amount } => format!("{} off", locale::money(amount.0, shop.currency)),
        };
        let archived = if reward.archived { " (archived: not offered)" } else { "" };
        let text = format!("{} — {} points: {benefit}{archived}", reward.name.as_str(), reward.cost_points);
        if let Some(span) = dom::create_text("span", "", &text) {
            dom::append(&item, &span);
        }
        let _ = item.set_attribute("data-archived", if reward.archived { "true" } else { "false" });
        let (label, verb) = if reward.archived { ("Restore", "Restore") } else { ("Archive", "Archive") };
        if let Some(toggle) = button(label, "data-archive", &index.to_string(), "button") {
            let _ = toggle.set_attribute("aria-label", &format!("{verb} {}", reward.name.as_str()));
            dom::append(&item, &toggle);
        }
        if let Some(remove) = button("Remove", "data-remove", &index.to_string(), "button button-danger") {
            let _ = remove.set_attribute("aria-label", &format!("Remove {}", reward.name.as_str()));
            dom::append(&item, &remove);
        }
        dom::append(&list, &item);
    }
}

pub fn registers(console: &Console) {
    dom::clear_children("register-rows");
    let Some(rows) = dom::element("register-rows") else { return };
    for register in &console.registers {
        let Some(row) = dom::create("tr") else { continue };
        let seen = register.last_seen.map_or_else(|| "never".to_owned(), locale::date_time);
        let state = if register.revoked { "revoked" } else { "active" };
        let store = crate::stores::name_of(&register.store_id);
        dom::append_text_cells(&row, &[register.name.as_str(), &store, &seen, state]);
        if let Some(cell) = dom::create("td") {
            if !register.revoked {
                if let Some(revoke) =
                    button("Revoke", "data-revoke", register.register_id.as_str(), "button button-danger")
                {
                    let _ = revoke.set_attribute("aria-label", &format!("Revoke {}", register.name.as_str()));
                    dom::append(&cell, &revoke);
                }
            }
            dom::append(&row, &cell);
        }
        dom::append(&rows, &row);
    }
    let status = if console.registers.is_empty() { "No register yet: pair one below." } else { "" };
    dom::set_text("registers-status", status);
}

/// Offline codes used twice: when and where each was granted, and the use that was not.
pub fn offline_conflicts(console: &Console, conflicts: &[domain::api::offline::OfflineConflict]) {
    dom::set_hidden("offline-conflicts", conflicts.is_empty());
    dom::clear_children("offline-conflict-rows");
    let Some(rows) = dom::element("offline-conflict-rows") else { return };
    let name = |register: &domain::shop::RegisterId| register_name(console, register);
    for conflict in conflicts {
        let granted = format!("{} at {}", locale::date_time(conflict.first.at), name(&conflict.first.register_id));
        let refused = format!("{} at {}", locale::date_time(conflict.second.at), name(&conflict.second.register_id));
        let amount = shop_money(console, conflict.amount_minor);
        if let Some(row) = text_row(&[&granted, &refused, &amount]) {
            dom::append(&rows, &row);
        }
    }
}

/// Tickets admitted offline at two gates: the ticket, the entry that counted and the one that did not.
pub fn offline_ticket_conflicts(console: &Console, conflicts: &[domain::api::offline::TicketOfflineConflict]) {
    dom::set_hidden("offline-ticket-conflicts", conflicts.is_empty());
    dom::clear_children("offline-ticket-conflict-rows");
    let Some(rows) = dom::element("offline-ticket-conflict-rows") else { return };
    let name = |register: &domain::shop::RegisterId| register_name(console, register);
    for conflict in conflicts {
        let ticket = match &conflict.item {
            domain::items::ItemRef::Ticket { ticket, .. } => format!("{} · {}", conflict.event_title.as_str(), ticket),
            domain::items::ItemRef::Bill { .. } => conflict.event_title.as_str().to_owned(),
        };
        let counted = format!("{} at {}", locale::date_time(conflict.first.at), name(&conflict.first.gate));
        let refused = format!("{} at {}", locale::date_time(conflict.second.at), name(&conflict.second.gate));
        if let Some(row) = text_row(&[&ticket, &counted, &refused]) {
            dom::append(&rows, &row);
        }
    }
}

/// Bills collected offline that did not pay them (paid first elsewhere, cancelled, or refused
/// at sync: a revoked code, a time that does not hold): the shop has money to give back. The bill, the collection that did not count, and why.
pub fn offline_bill_conflicts(console: &Console, conflicts: &[domain::api::offline::BillOfflineConflict]) {
    dom::set_hidden("offline-bill-conflicts", conflicts.is_empty());
    dom::clear_children("offline-bill-conflict-rows");
    let Some(rows) = dom::element("offline-bill-conflict-rows") else { return };
    for conflict in conflicts {
        let bill = format!(
            "{} · {} · {}",
            conflict.biller.as_str(),
            conflict.reference.as_str(),
            locale::money(conflict.amount_minor, conflict.currency)
        );
        let collected = format!(
            "{} at {}",
            locale::date_time(conflict.second.at),
            register_name(console, &conflict.second.register)
        );
        let why = match (conflict.refused, &conflict.first, conflict.cancelled_at) {
            (Some(reason), _, _) => format!("refused at sync: {reason}"),
            (None, Some(first), _) if first.shop == conflict.second.shop => {
                format!("paid first {} at {}", locale::date_time(first.at), register_name(console, &first.register))
            }
            (None, Some(first), _) => format!("paid first {} at another shop", locale::date_time(first.at)),
            (None, None, Some(at)) => format!("cancelled by the biller {}", locale::date_time(at)),
            (None, None, None) => String::new(),
        };
        if let Some(row) = text_row(&[&bill, &collected, &why]) {
            dom::append(&rows, &row);
        }
    }
}

/// A table row of plain text cells.
fn text_row(cells: &[&str]) -> Option<Element> {
    let row = dom::create("tr")?;
    dom::append_text_cells(&row, cells);
    Some(row)
}

/// An amount in the open shop's currency (the bare number of minor units before a shop is open).
fn shop_money(console: &Console, amount_minor: u64) -> String {
    match console.shop.as_ref() {
        Some(shop) => locale::money(amount_minor, shop.currency),
        None => amount_minor.to_string(),
    }
}

/// Offline prepaid charges the balance could not pay at sync: the open ones (when and where,
/// who, how much, and the buttons that settle one), then the settled ones with how, when and by
/// whom, in a part that opens.
pub fn offline_unpaid(
    console: &Console,
    open: &[domain::api::offline::OfflineUnpaid],
    settled: &[domain::api::offline::OfflineUnpaid],
) {
    dom::set_hidden("offline-unpaid", open.is_empty() && settled.is_empty());
    dom::set_hidden("offline-unpaid-open", open.is_empty());
    let status = match open.len() {
        0 => "No charge is left to settle.".to_owned(),
        1 => "1 charge to settle.".to_owned(),
        n => format!("{n} charges to settle."),
    };
    dom::set_text("offline-unpaid-status", &status);
    dom::clear_children("offline-unpaid-rows");
    if let Some(rows) = dom::element("offline-unpaid-rows") {
        for charge in open {
            let Some(row) = unpaid_row(console, charge) else { continue };
            let _ = row.set_attribute("data-request-id", charge.scan.request_id.as_str());
            if let Some(cell) = settle_cell(console, charge) {
                dom::append(&row, &cell);
            }
            dom::append(&rows, &row);
        }
    }
    dom::set_hidden("offline-settled", settled.is_empty());
    dom::set_text("offline-settled-summary", &format!("Settled ({})", settled.len()));
    dom::clear_children("offline-settled-rows");
    let Some(rows) = dom::element("offline-settled-rows") else { return };
    for charge in settled {
        let Some(row) = unpaid_row(console, charge) else { continue };
        let _ = row.set_attribute("data-request-id", charge.scan.request_id.as_str());
        let text = charge.settled.as_ref().map(settlement_text).unwrap_or_default();
        if let Some(cell) = dom::create_text("td", "", &text) {
            dom::append(&row, &cell);
        }
        dom::append(&rows, &row);
    }
}

/// A charge's first cells: when and where it was sold, the customer, the amount.
fn unpaid_row(console: &Console, charge: &domain::api::offline::OfflineUnpaid) -> Option<Element> {
    let sold = format!("{} at {}", locale::date_time(charge.scan.at), register_name(console, &charge.scan.register_id));
    let customer = format!("Customer {}", charge.customer_number);
    text_row(&[&sold, &customer, &shop_money(console, charge.amount_minor)])
}

/// An optional note and the two ways to settle, each button named by its charge.
fn settle_cell(console: &Console, charge: &domain::api::offline::OfflineUnpaid) -> Option<Element> {
    let cell = dom::create("td")?;
    let id = charge.scan.request_id.as_str();
    let what = format!("customer {}, {}", charge.customer_number, shop_money(console, charge.amount_minor));
    if let Some(note) = dom::create("input") {
        let _ = note.set_attribute("type", "text");
        let _ = note.set_attribute("maxlength", "60");
        let _ = note.set_attribute("placeholder", "Note (optional)");
        let _ = note.set_attribute("aria-label", &format!("Note on the charge of {what} (optional)"));
        let _ = note.set_attribute("id", &format!("settle-note-{id}"));
        let _ = note.set_attribute("data-settle-note", id);
        let _ = note.set_attribute("class", "settle-note");
        dom::append(&cell, &note);
    }
    for (text, attribute, label, class) in [
        ("Collected", "data-settle-collected", "Collected", "button"),
        ("Write off", "data-settle-write-off", "Write off", "button button-danger"),
    ] {
        if let Some(button) = button(text, attribute, id, class) {
            let _ = button.set_attribute("aria-label", &format!("{label}: {what}"));
            dom::append(&cell, &button);
        }
    }
    Some(cell)
}

/// "Collected another way on …, by …: “note”".
fn settlement_text(settled: &domain::api::offline::OfflineSettlement) -> String {
    let way = match settled.way {
        domain::offline::SettlementWay::Collected => "Collected another way",
        domain::offline::SettlementWay::WrittenOff => "Written off",
    };
    let by = settled.by.as_ref().map_or_else(|| "the operator".to_owned(), |email| email.as_str().to_owned());
    let mut text = format!("{way} on {}, by {by}", locale::date_time(settled.at));
    if let Some(note) = &settled.note {
        text.push_str(&format!(": “{}”", note.as_str()));
    }
    text
}

/// A register's name as the console knows it, else its id.
fn register_name(console: &Console, register: &domain::shop::RegisterId) -> String {
    console
        .registers
        .iter()
        .find(|r| &r.register_id == register)
        .map_or_else(|| register.as_str().to_owned(), |r| r.name.as_str().to_owned())
}

/// The button a click landed on (or inside), if it carries `attribute`.
pub fn clicked_button(event: &web_sys::Event, attribute: &str) -> Option<(Element, String)> {
    let target = event.target()?.dyn_into::<Element>().ok()?;
    let button = target.closest("button").ok()??;
    let value = button.get_attribute(attribute)?;
    Some((button, value))
}
