//! The refund desk on screen, drawn from [`RefundDesk`]: the number form, the
//! receipt with a quantity per line to pick, and the refund receipt.

use crate::dom;
use crate::i18n::{t, tf, Key};
use crate::locale::{date_time, money};
use crate::receipt_view;
use crate::refund_desk::{RefundDesk, Step};
use domain::api::refunds::{CustomerReceipts, RefundableReceipt};
use domain::receipt::ReceiptDetails;

fn line_input_id(line: usize) -> String {
    format!("refund-qty-{line}")
}

/// Draws the desk; `new_receipt` (re)builds the line pickers for the receipt
/// just found (otherwise the cashier's picks stay as typed).
pub fn render(desk: &RefundDesk, new_receipt: bool) {
    dom::set_hidden("refund-panel", !desk.is_open());
    let (error, picking, done) = match &desk.step {
        Step::Closed => ("", false, false),
        Step::Asking { error } => (error.as_str(), false, false),
        Step::Finding | Step::Listing | Step::Choosing { .. } => ("", false, false),
        Step::Picking { error, .. } => (error.as_str(), true, false),
        Step::Done { .. } => ("", false, true),
    };
    dom::set_text("refund-error", error);
    dom::set_busy("refund-find", matches!(desk.step, Step::Finding));
    dom::set_busy("refund-list", matches!(desk.step, Step::Listing));
    dom::set_hidden("refund-choosing", !matches!(desk.step, Step::Choosing { .. }));
    dom::set_hidden("refund-picking", !picking);
    dom::set_hidden("refund-done", !done);
    dom::set_hidden("refund-approval", !(picking && desk.approval_needed));
    match &desk.step {
        Step::Picking { found, busy, .. } => {
            if new_receipt {
                receipt_view::render("refund-original", &found.receipt);
                render_lines(found);
            }
            dom::set_busy("refund-all", *busy);
            dom::set_busy("refund-chosen", *busy);
        }
        Step::Done { refund } => receipt_view::render("refund-receipt", refund),
        Step::Choosing { customer } => render_choices(customer),
        _ => {}
    }
}

/// The customer's latest receipts, one button each (a receipt with nothing
/// left to refund is shown, disabled).
fn render_choices(customer: &CustomerReceipts) {
    let number = customer.customer_number.to_string();
    dom::set_text("refund-customer", &tf(Key::RefundCustomer, &[("customer", &number)]));
    dom::clear_children("refund-choices");
    let Some(list) = dom::element("refund-choices") else { return };
    for found in &customer.receipts {
        let receipt = &found.receipt;
        let c = receipt.currency;
        let what = match &receipt.details {
            ReceiptDetails::Points { sale_minor, .. } => tf(Key::ChoiceSale, &[("amount", &money(*sale_minor, c))]),
            ReceiptDetails::PrepaidCharge { total_minor, .. } => {
                tf(Key::ChoicePrepaid, &[("amount", &money(*total_minor, c))])
            }
            ReceiptDetails::Redeem { reward_name, .. } => tf(Key::ChoiceReward, &[("reward", reward_name.as_str())]),
            ReceiptDetails::PrepaidTopUp { amount_minor, .. } => {
                tf(Key::ChoiceTopUp, &[("amount", &money(*amount_minor, c))])
            }
            ReceiptDetails::Refund { refund_of, .. } => tf(Key::ChoiceRefund, &[("receipt", &refund_of.to_string())]),
            ReceiptDetails::WelcomeBonus { points, .. } => tf(Key::ChoiceWelcome, &[("n", &points.to_string())]),
            ReceiptDetails::PointsExpired { points, .. } => tf(Key::ChoiceExpired, &[("n", &points.to_string())]),
        };
        let state = match (&receipt.refunded, found.left.iter().any(|left| *left > 0)) {
            (_, false) if found.left.is_empty() => t(Key::NotRefundableSuffix),
            (_, false) => t(Key::RefundedSuffix),
            (Some(_), true) => t(Key::PartlyRefundedSuffix),
            (None, true) => "",
        };
        let text = format!("{} · {} · {what}{state}", receipt.receipt_number, date_time(receipt.at));
        let Some(item) = dom::create("li") else { continue };
        let Some(button) = dom::create_text("button", "button refund-choice", &text) else { continue };
        let _ = button.set_attribute("type", "button");
        let _ = button.set_attribute("data-receipt-number", &receipt.receipt_number);
        let _ = button.set_attribute("data-testid", "refund-choice");
        if !found.left.iter().any(|left| *left > 0) {
            let _ = button.set_attribute("disabled", "");
        }
        let _ = dom::append(&item, &button);
        let _ = dom::append(&list, &item);
    }
}

/// One row per line: what it was, how many are left, and how many to refund
/// (all that is left to start with; a line already refunded says so).
fn render_lines(found: &RefundableReceipt) {
    dom::clear_children("refund-lines");
    let Some(list) = dom::element("refund-lines") else { return };
    for (index, left) in found.left.iter().enumerate() {
        let line = index + 1;
        let name = match found.receipt.items.get(index) {
            Some(item) => format!("{} × {}", item.quantity, item.name.as_str()),
            None => t(Key::WholeReceipt).to_owned(),
        };
        let Some(row) = dom::create("li") else { continue };
        row.set_class_name("refund-line");
        let _ = row.set_attribute("data-testid", "refund-line");
        let label_text = if *left == 0 {
            tf(Key::LineRefunded, &[("name", &name)])
        } else {
            tf(Key::LineLeft, &[("name", &name), ("n", &left.to_string())])
        };
        let Some(label) = dom::create_text("label", "refund-line-name", &label_text) else { continue };
        let _ = label.set_attribute("for", &line_input_id(line));
        let _ = dom::append(&row, &label);
        if let Some(input) = dom::create("input") {
            input.set_id(&line_input_id(line));
            let _ = input.set_attribute("type", "number");
            let _ = input.set_attribute("inputmode", "numeric");
            let _ = input.set_attribute("min", "0");
            let _ = input.set_attribute("max", &left.to_string());
            let _ = input.set_attribute("value", &left.to_string());
            let _ = input.set_attribute("data-testid", "refund-quantity");
            if *left == 0 {
                let _ = input.set_attribute("disabled", "");
            }
            let _ = dom::append(&row, &input);
        }
        let _ = dom::append(&list, &row);
    }
}

/// The quantities the cashier picked, one per line (1 = first); anything that
/// is not a whole number counts as 0, more than is left as all that is left.
pub fn picks(desk: &RefundDesk) -> Option<Vec<u32>> {
    let Step::Picking { found, .. } = &desk.step else { return None };
    Some(
        found
            .left
            .iter()
            .enumerate()
            .map(|(index, left)| {
                let typed = dom::input_value(&line_input_id(index + 1));
                typed.trim().parse::<u32>().unwrap_or(0).min(*left)
            })
            .collect(),
    )
}
