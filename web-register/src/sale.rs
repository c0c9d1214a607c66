//! The sale being rung up: lines from the shop's product list and free lines
//! ("Other item", see `other_item`), or a plain amount typed; the shop's
//! rewards, and the buttons that pay with points, prepaid value or cash.
//! Totals come from `domain::sale`, in minor units.

use crate::checkout::preview_points;
use crate::debit;
use crate::dom;
use crate::locale::money;
use crate::state::{points_text, sentence, with_till};
use domain::api::DebitOperation;
use domain::money::{Currency, MinorUnits};
use domain::receipt::Receipt;
use domain::sale::{LineItem, Sale};
use wasm_bindgen_futures::spawn_local;

pub fn wire() {
    dom::on_id("charge-prepaid", "click", |_| charge_prepaid());
    dom::on_id("top-up", "click", |_| spawn_local(debit::top_up()));
    dom::on_id("print-receipt", "click", |_| {
        if let Some(window) = web_sys::window() {
            let _ = window.print();
        }
    });
}

/// The sale as entered: the lines if any, else the typed amount.
pub fn current(currency: Currency) -> Result<Sale, String> {
    let lines = with_till(|till| till.lines.clone());
    if !lines.is_empty() {
        return Ok(Sale::Items { items: lines });
    }
    MinorUnits::parse(&dom::input_value("amount"), currency).map(|amount| Sale::Amount { amount }).map_err(sentence)
}

/// The sale's total, checked by the domain's rules.
pub fn amount(currency: Currency) -> Result<MinorUnits, String> {
    current(currency)?.total(currency).map_err(sentence)
}

/// The product and reward buttons, from the register's info.
pub fn render_catalog() {
    let Some(info) = with_till(|till| till.info.clone()) else { return };
    let currency = info.shop.currency;
    dom::clear_children("products");
    dom::set_hidden("products", info.products.is_empty());
    if let Some(list) = dom::element("products") {
        for product in info.products {
            let label = format!("{} · {}", product.name.as_str(), money(product.unit_price.0, currency));
            let Some(button) = dom::create_text("button", "button product", &label) else { continue };
            let _ = button.set_attribute("type", "button");
            let _ = button.set_attribute("data-testid", "product");
            let _ = button.set_attribute("data-product-code", product.product_code.as_str());
            dom::on(&button, "click", move |_| {
                let line = LineItem {
                    name: product.name.clone(),
                    quantity: 1,
                    unit_price: product.unit_price,
                    product_code: Some(product.product_code.clone()),
                };
                dom::set_text("sale-error", "");
                if let Err(message) = add_line(line) {
                    dom::set_text("sale-error", &message);
                }
            });
            let _ = list.append_child(&button);
        }
    }
    dom::clear_children("rewards");
    dom::set_hidden("rewards", info.rewards.is_empty());
    if let Some(list) = dom::element("rewards") {
        for reward in info.rewards {
            let label = format!("Redeem {} · {}", reward.name.as_str(), points_text(reward.cost_points));
            let Some(button) = dom::create_text("button", "button reward", &label) else { continue };
            let _ = button.set_attribute("type", "button");
            let _ = button.set_attribute("data-testid", "redeem");
            let _ = button.set_attribute("data-reward-id", reward.reward_id.as_str());
            let reward_id = reward.reward_id.clone();
            dom::on(&button, "click", move |_| {
                spawn_local(debit::ask(DebitOperation::Redeem { reward_id: reward_id.clone() }));
            });
            let _ = list.append_child(&button);
        }
    }
}

/// Adds a line to the sale; the same item again (same code, name and price) raises
/// its quantity. A line that would make the sale invalid (too many lines or too
/// large a total, by `domain::sale`) is refused with the reason, leaving the sale as it was.
pub fn add_line(item: LineItem) -> Result<(), String> {
    let Some(currency) = with_till(|till| till.info.as_ref().map(|i| i.shop.currency)) else {
        return Err("The register is still starting.".to_owned());
    };
    let mut lines = with_till(|till| till.lines.clone());
    let same = |line: &&mut LineItem| {
        line.product_code == item.product_code && line.name == item.name && line.unit_price == item.unit_price
    };
    match lines.iter_mut().find(same) {
        Some(line) => line.quantity = line.quantity.saturating_add(item.quantity),
        None => lines.push(item),
    }
    Sale::Items { items: lines.clone() }.total(currency).map_err(sentence)?;
    with_till(|till| till.lines = lines);
    render_lines();
    Ok(())
}

fn remove_line(index: usize) {
    with_till(|till| {
        if index < till.lines.len() {
            till.lines.remove(index);
        }
    });
    render_lines();
}

pub fn clear() {
    with_till(|till| {
        till.lines.clear();
        till.sale_held_for = None;
    });
    crate::other_item::reset();
    render_lines();
}

fn render_lines() {
    let (lines, currency) = with_till(|till| (till.lines.clone(), till.info.as_ref().map(|i| i.shop.currency)));
    dom::clear_children("lines");
    let Some(currency) = currency else { return };
    if let Some(list) = dom::element("lines") {
        for (index, line) in lines.iter().enumerate() {
            let Some(row) = dom::create("li") else { continue };
            let _ = row.set_attribute("data-testid", "line");
            let text = format!("{} × {}", line.quantity, line.name.as_str());
            let _ = dom::create_text("span", "line-name", &text).and_then(|e| dom::append(&row, &e));
            let total = money(Receipt::line_total(line).0, currency);
            let _ = dom::create_text("span", "line-total", &total).and_then(|e| dom::append(&row, &e));
            if let Some(remove) = dom::create_text("button", "line-remove", "×") {
                let _ = remove.set_attribute("type", "button");
                let _ = remove.set_attribute("aria-label", &format!("Remove {}", line.name.as_str()));
                dom::on(&remove, "click", move |_| remove_line(index));
                let _ = row.append_child(&remove);
            }
            let _ = list.append_child(&row);
        }
    }
    let total = if lines.is_empty() {
        String::new()
    } else {
        match amount(currency) {
            Ok(total) => format!("Total {}", money(total.0, currency)),
            Err(message) => message,
        }
    };
    dom::set_text("lines-total", &total);
    // With lines on screen the sale is their total, so the amount field only
    // serves a top-up: it stays, relabelled, so topping up needs no clearing.
    dom::set_text("amount-purpose", if lines.is_empty() { "Sale amount" } else { "Top-up amount" });
    preview_points();
}

fn charge_prepaid() {
    dom::set_text("sale-error", "");
    let Some(currency) = with_till(|till| till.info.as_ref().map(|i| i.shop.currency)) else { return };
    match current(currency).and_then(|sale| sale.total(currency).map(|_| sale).map_err(sentence)) {
        Ok(sale) => spawn_local(debit::ask(DebitOperation::PrepaidCharge { sale })),
        Err(message) => dom::set_text("sale-error", &message),
    }
}
