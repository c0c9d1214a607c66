//! Receipts: shown after every concluded operation, and kept as a history list.

use crate::dom;
use crate::i18n::{tf, Key};
use crate::locale::money;
use crate::receipt_view;
use crate::state::{points_text, with_app};
use domain::receipt::{Receipt, ReceiptDetails};

pub fn hide() {
    dom::set_hidden("receipt-view", true);
}

pub fn show(receipt: &Receipt) {
    receipt_view::render_linked("receipt", receipt);
    dom::set_hidden("receipt-view", false);
}

/// A refund named on the receipt shown was tapped: that receipt, from the history.
pub fn open_named(receipt_number: &str) {
    let found = with_app(|app| {
        app.wallet.as_ref().and_then(|w| w.receipts.iter().find(|r| r.receipt_number == receipt_number).cloned())
    });
    if let Some(receipt) = found {
        show(&receipt);
    }
}

/// What a receipt amounted to, for the history line.
pub fn summary(receipt: &Receipt) -> String {
    let c = receipt.currency;
    let what = match &receipt.details {
        ReceiptDetails::PrepaidCharge { total_minor, .. } => {
            tf(Key::SummaryPaid, &[("amount", &money(*total_minor, c))])
        }
        ReceiptDetails::PrepaidTopUp { amount_minor, .. } => {
            tf(Key::SummaryTopUp, &[("amount", &money(*amount_minor, c))])
        }
        ReceiptDetails::Points { sale_minor, points_added, .. } => {
            tf(Key::SummarySale, &[("amount", &money(*sale_minor, c)), ("points", &points_text(*points_added))])
        }
        ReceiptDetails::Redeem { reward_name, points, .. } => {
            tf(Key::SummaryRedeem, &[("reward", reward_name.as_str()), ("points", &points_text(*points))])
        }
        ReceiptDetails::WelcomeBonus { points, .. } => tf(Key::SummaryWelcome, &[("points", &points_text(*points))]),
        ReceiptDetails::PointsExpired { points, .. } => tf(Key::SummaryExpired, &[("points", &points_text(*points))]),
        ReceiptDetails::Refund { refund_of, amount_minor, points_given_back, .. } if *amount_minor == 0 => {
            tf(Key::SummaryRefundPoints, &[("receipt", refund_of), ("points", &points_text(*points_given_back))])
        }
        ReceiptDetails::Refund { refund_of, amount_minor, .. } if receipt.processor_refund.is_some() => {
            tf(Key::SummaryRefundProcessor, &[("receipt", refund_of), ("amount", &money(*amount_minor, c))])
        }
        ReceiptDetails::Refund { refund_of, amount_minor, .. } => {
            tf(Key::SummaryRefund, &[("receipt", refund_of), ("amount", &money(*amount_minor, c))])
        }
    };
    match &receipt.refunded {
        Some(mark) if mark.fully => tf(Key::SummaryRefunded, &[("what", &what)]),
        Some(_) => tf(Key::SummaryPartlyRefunded, &[("what", &what)]),
        None => what,
    }
}

pub fn render_history() {
    let receipts = with_app(|app| app.wallet.as_ref().map(|w| w.receipts.clone()).unwrap_or_default());
    dom::clear_children("history");
    dom::set_hidden("history-empty", !receipts.is_empty());
    let Some(list) = dom::element("history") else { return };
    for receipt in receipts {
        let Some(item) = dom::create("li") else { continue };
        let text = format!("{} · {} · {}", receipt.receipt_number, receipt.shop_name.as_str(), summary(&receipt));
        let Some(button) = dom::create_text("button", "history-item", &text) else { continue };
        let _ = button.set_attribute("type", "button");
        let _ = button.set_attribute("data-testid", "history-receipt");
        dom::on(&button, "click", move |_| show(&receipt));
        let _ = item.append_child(&button);
        let _ = list.append_child(&item);
    }
}
