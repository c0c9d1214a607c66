//! The refund desk on screen, drawn from [`RefundDesk`]: the number form, the
//! receipt with a quantity per line to pick, and the refund receipt.

use crate::dom;
use crate::receipt_view;
use crate::refund_desk::{RefundDesk, Step};
use domain::api::refunds::RefundableReceipt;

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
        Step::Finding => ("", false, false),
        Step::Picking { error, .. } => (error.as_str(), true, false),
        Step::Done { .. } => ("", false, true),
    };
    dom::set_text("refund-error", error);
    dom::set_busy("refund-find", matches!(desk.step, Step::Finding));
    dom::set_hidden("refund-picking", !picking);
    dom::set_hidden("refund-done", !done);
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
        _ => {}
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
            None => "The whole receipt".to_owned(),
        };
        let Some(row) = dom::create("li") else { continue };
        row.set_class_name("refund-line");
        let _ = row.set_attribute("data-testid", "refund-line");
        let label_text = if *left == 0 { format!("{name} (refunded)") } else { format!("{name} ({left} left)") };
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
