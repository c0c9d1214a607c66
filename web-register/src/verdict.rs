//! The big verdict panel: who the customer is, or why their code is refused.

use crate::dom;
use crate::money::format_amount;
use crate::state::points_text;
use domain::api::{CustomerView, ErrorCode, PointsAccrued};
use domain::money::Currency;

pub enum Verdict<'a> {
    Ready,
    Checking,
    Customer(&'a CustomerView),
    Refused { code: ErrorCode, message: &'a str },
    Sold { accrued: &'a PointsAccrued, currency: Currency },
    /// Something went wrong on the way (network); the message says what to do.
    Problem(&'a str),
}

pub fn show(verdict: Verdict<'_>) {
    let error = match verdict {
        Verdict::Refused { code, .. } => Some(code),
        _ => None,
    };
    let (state, title, name, points, detail) = match verdict {
        Verdict::Ready => ("ready", "Ready".to_owned(), None, None, "Scan the customer's code, or type it below.".to_owned()),
        Verdict::Checking => ("checking", "Checking…".to_owned(), None, None, String::new()),
        Verdict::Customer(view) => (
            "customer",
            format!("Customer {}", view.customer_number),
            view.display_name.as_ref().map(|n| n.as_str().to_owned()),
            Some(points_text(view.points)),
            "Enter the sale amount to add points.".to_owned(),
        ),
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
        ErrorCode::Unknown => ("Unknown code", "Tessera does not know this code. Check the digits, or scan again.".into()),
        ErrorCode::WrongShop => ("Another shop's code", "This code was made for another shop: the customer should open this shop's card.".into()),
        ErrorCode::NotAMember => ("Not a member", "This customer has not joined this shop's programme.".into()),
        _ => ("Not accepted", crate::state::sentence(server_message)),
    }
}
