//! The big verdict panel: who the customer is, or why their code is refused.

use crate::dom;
use crate::money::format_amount;
use crate::state::points_text;
use domain::api::{CustomerView, DebitStatus, ErrorCode, PointsAccrued};
use domain::confirmation::{CancelledBy, Debit};
use domain::money::Currency;
use domain::receipt::Receipt;

pub enum Verdict<'a> {
    Ready,
    Checking,
    Customer(&'a CustomerView),
    Refused {
        code: ErrorCode,
        message: &'a str,
    },
    Sold {
        accrued: &'a PointsAccrued,
        currency: Currency,
    },
    /// Something went wrong on the way (network); the message says what to do.
    Problem(&'a str),
    /// The customer's phone has the question.
    Waiting {
        status: &'a DebitStatus,
        skew_ms: i64,
    },
    /// Approved and applied: the receipt is on screen.
    Concluded(&'a Receipt),
    Cancelled {
        by: CancelledBy,
    },
}

pub fn show(verdict: Verdict<'_>) {
    let receipt = match verdict {
        Verdict::Concluded(receipt) => Some(receipt),
        Verdict::Sold { accrued, .. } => accrued.receipt.as_ref(),
        _ => None,
    };
    let error = match verdict {
        Verdict::Refused { code, .. } => Some(code),
        _ => None,
    };
    let (state, title, name, points, detail) = match verdict {
        Verdict::Ready => {
            ("ready", "Ready".to_owned(), None, None, "Scan the customer's code, or type it below.".to_owned())
        }
        Verdict::Checking => ("checking", "Checking…".to_owned(), None, None, String::new()),
        Verdict::Customer(view) => {
            let prepaid = match currency() {
                Some(currency) if view.prepaid_minor > 0 => {
                    format!(" · prepaid {}", crate::locale::money(view.prepaid_minor, currency))
                }
                _ => String::new(),
            };
            (
                "customer",
                format!("Customer {}", view.customer_number),
                view.display_name.as_ref().map(|n| n.as_str().to_owned()),
                Some(format!("{}{prepaid}", points_text(view.points))),
                "Ring up the sale: add points, pay with prepaid, or redeem a reward.".to_owned(),
            )
        }
        Verdict::Waiting { status, skew_ms } => {
            let asked = match (&status.debit, currency()) {
                (Debit::Redeem { reward_name, points, .. }, _) => {
                    format!("Redeem {} for {}", reward_name.as_str(), points_text(*points))
                }
                (Debit::PrepaidCharge { amount }, Some(currency)) => {
                    format!("Pay {} from prepaid", crate::locale::money(amount.0, currency))
                }
                (Debit::PrepaidCharge { amount }, None) => format!("Pay {} minor units from prepaid", amount.0),
            };
            ("waiting", "Waiting…".to_owned(), None, Some(asked), waiting_detail(status, skew_ms))
        }
        Verdict::Concluded(receipt) => (
            "concluded",
            "Concluded".to_owned(),
            None,
            None,
            format!("Receipt {} for customer {}.", receipt.receipt_number, receipt.customer_number),
        ),
        Verdict::Cancelled { by } => {
            let why = match by {
                CancelledBy::Customer => "The customer cancelled on their phone.",
                CancelledBy::Register => "Cancelled at the register.",
                CancelledBy::Timeout => "No answer from the customer in time.",
                CancelledBy::PinLocked => "Too many wrong PINs: prepaid payments are locked for a while.",
                CancelledBy::Insufficient => "The balance no longer covered it.",
            };
            ("cancelled", "Cancelled".to_owned(), None, None, format!("{why} Nothing was changed."))
        }
        Verdict::Refused { code, message } => {
            let (title, sentence) = refusal_text(code, message);
            ("refused", title.to_owned(), None, None, sentence)
        }
        Verdict::Sold { accrued, currency } => (
            "sold",
            format!("+{}", points_text(accrued.points_added)),
            None,
            Some(format!("Balance {}", points_text(accrued.points))),
            format!(
                "Sale of {} for customer {}.",
                format_amount(domain::money::MinorUnits(accrued.amount_minor), currency),
                accrued.customer_number
            ),
        ),
        Verdict::Problem(message) => ("problem", "Try again".to_owned(), None, None, message.to_owned()),
    };
    dom::set_attribute("verdict", "data-state", state);
    dom::set_attribute("verdict", "data-error", error.map(error_name).as_deref().unwrap_or(""));
    dom::set_text("verdict-title", &title);
    dom::set_text("verdict-name", name.as_deref().unwrap_or(""));
    dom::set_hidden("verdict-name", name.is_none());
    dom::set_text("verdict-points", points.as_deref().unwrap_or(""));
    dom::set_hidden("verdict-points", points.is_none());
    dom::set_text("verdict-detail", &detail);
    dom::set_hidden("sale-form", state != "customer");
    dom::set_hidden("cancel-debit", state != "waiting");
    if let Some(receipt) = receipt {
        crate::receipt_view::render("register-receipt", receipt);
    }
    dom::set_hidden("receipt-panel", receipt.is_none());
}

/// "Customer #1 approves or cancels on their phone · 42 s left".
pub fn waiting_detail(status: &DebitStatus, skew_ms: i64) -> String {
    let seconds = ((status.expires_at - skew_ms - crate::timing::now_ms() as i64).max(0) + 999) / 1000;
    format!("Customer {} approves or cancels on their phone · {seconds} s left", status.customer_number)
}

fn currency() -> Option<Currency> {
    crate::state::with_till(|till| till.info.as_ref().map(|info| info.shop.currency))
}

/// Why a debit was refused before the customer was asked, for the cashier.
pub fn debit_refusal(code: ErrorCode, server_message: &str) -> String {
    match code {
        ErrorCode::NotEnoughPoints => format!("Not enough points: {}", crate::state::sentence(server_message)),
        ErrorCode::InsufficientFunds => format!("Not enough prepaid value: {}", crate::state::sentence(server_message)),
        ErrorCode::PinNotSet => {
            "The customer has no PIN yet: they can set one on their phone, under their cards.".into()
        }
        ErrorCode::AlreadyUsed | ErrorCode::Expired => "This code cannot be used any more: ask for a fresh one.".into(),
        _ => crate::state::sentence(server_message),
    }
}

/// The stable snake_case name of an error code (`already_used`), for tests and styling.
fn error_name(code: ErrorCode) -> String {
    serde_json::to_string(&code).unwrap_or_default().trim_matches('"').to_owned()
}

/// A short title and a sentence the cashier can act on.
fn refusal_text(code: ErrorCode, server_message: &str) -> (&'static str, String) {
    let ask_fresh = "Ask the customer to show a fresh code.";
    match code {
        ErrorCode::AlreadyUsed => ("Already used", format!("This code has been used already. {ask_fresh}")),
        ErrorCode::Expired => ("Expired", format!("This code is too old. {ask_fresh}")),
        ErrorCode::Unknown => {
            ("Unknown code", "Tessera does not know this code. Check the digits, or scan again.".into())
        }
        ErrorCode::WrongShop => (
            "Another shop's code",
            "This code was made for another shop: the customer should open this shop's card.".into(),
        ),
        ErrorCode::NotAMember => ("Not a member", "This customer has not joined this shop's programme.".into()),
        _ => ("Not accepted", crate::state::sentence(server_message)),
    }
}
