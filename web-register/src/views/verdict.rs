//! The big panel: who the customer is, the bill, ADMIT/DENY, the result of a sale,
//! or why a code is refused.

use crate::dom;
use crate::locale::money;
use crate::state::{Phase, Request, Shown, Till};
use domain::api::bills::BillPaid;
use domain::api::items::BillAtRegister;
use domain::api::tickets::GateVerdict;
use domain::api::{CustomerView, DebitStatus, ErrorCode, PointsAccrued};
use domain::confirmation::{CancelledBy, Debit};
use domain::money::Currency;
use domain::receipt::Receipt;
use domain::shop::RegisterId;
use domain::tickets::Deny;
use web_shared::text::{points_text, sentence};

/// The panel's parts: `state` and `error` go to `data-` attributes (tests, styling).
struct Panel {
    state: &'static str,
    error: String,
    title: String,
    name: Option<String>,
    points: Option<String>,
    detail: String,
}

impl Panel {
    fn new(state: &'static str, title: impl Into<String>, detail: impl Into<String>) -> Self {
        Self { state, error: String::new(), title: title.into(), name: None, points: None, detail: detail.into() }
    }
}

pub fn render(till: &Till) {
    let currency = till.currency();
    let here = till.info.as_ref().map(|info| &info.register_id);
    let panel = match &till.phase {
        Phase::Starting | Phase::Unusable(_) | Phase::Pairing(_) | Phase::Ready => {
            Panel::new("ready", "Ready", "Scan the customer's code, or type it below.")
        }
        Phase::Checking { .. } | Phase::Customer { request: Some(Request::Asking), .. } => {
            Panel::new("checking", "Checking…", "")
        }
        Phase::Customer { view, .. } => customer(view, currency),
        Phase::Waiting { status, skew_ms, .. } => waiting(status, *skew_ms, currency),
        Phase::Bill { bill, .. } => bill_panel(bill),
        Phase::Result { shown, .. } => result(shown, here),
    };
    dom::set_attribute("verdict", "data-state", panel.state);
    dom::set_attribute("verdict", "data-error", &panel.error);
    dom::set_text("verdict-title", &panel.title);
    dom::set_text("verdict-name", panel.name.as_deref().unwrap_or(""));
    dom::set_hidden("verdict-name", panel.name.is_none());
    dom::set_text("verdict-points", panel.points.as_deref().unwrap_or(""));
    dom::set_hidden("verdict-points", panel.points.is_none());
    dom::set_text("verdict-detail", &panel.detail);
    dom::set_hidden("sale-form", panel.state != "customer");
    dom::set_hidden("cancel-debit", panel.state != "waiting");
    let receipt = match &till.phase {
        Phase::Result { shown: Shown::Concluded(receipt), .. } => Some(receipt),
        Phase::Result { shown: Shown::Sold { accrued, .. }, .. } => accrued.receipt.as_ref(),
        _ => None,
    };
    if let Some(receipt) = receipt {
        crate::receipt_view::render("register-receipt", receipt);
    }
    dom::set_hidden("receipt-panel", receipt.is_none());
    render_clears(till, crate::timing::now_ms());
}

/// "Ready again in 3 s" under a finished result that clears itself.
pub fn render_clears(till: &Till, now: f64) {
    let remaining = till.clears_in(now);
    if let Some(ms) = remaining {
        let seconds = ((ms / 1_000.0).ceil() as u32).max(1);
        dom::set_text("verdict-clears", &format!("Ready again in {seconds} s"));
    }
    dom::set_hidden("verdict-clears", remaining.is_none());
}

/// Only the countdown line, while the customer's phone has the question.
pub fn render_countdown(till: &Till) {
    if let Phase::Waiting { status, skew_ms, .. } = &till.phase {
        dom::set_text("verdict-detail", &waiting_detail(status, *skew_ms));
    }
}

/// Overwrites the panel's last line until the next render (e.g. why a withdrawal failed).
pub fn detail(text: &str) {
    dom::set_text("verdict-detail", text);
}

fn customer(view: &CustomerView, currency: Option<Currency>) -> Panel {
    let prepaid = match currency {
        Some(currency) if view.prepaid_minor > 0 => format!(" · prepaid {}", money(view.prepaid_minor, currency)),
        _ => String::new(),
    };
    Panel {
        name: view.display_name.as_ref().map(|n| n.as_str().to_owned()),
        points: Some(format!("{}{prepaid}", points_text(view.points))),
        ..Panel::new(
            "customer",
            format!("Customer {}", view.customer_number),
            "Ring up the sale: add points, pay with prepaid, or redeem a reward.",
        )
    }
}

fn waiting(status: &DebitStatus, skew_ms: i64, currency: Option<Currency>) -> Panel {
    let asked = match (&status.debit, currency) {
        (Debit::Redeem { reward_name, points, .. }, _) => {
            format!("Redeem {} for {}", reward_name.as_str(), points_text(*points))
        }
        (Debit::PrepaidCharge { amount }, Some(currency)) => format!("Pay {} from prepaid", money(amount.0, currency)),
        (Debit::PrepaidCharge { amount }, None) => format!("Pay {} minor units from prepaid", amount.0),
        (Debit::CardCharge { amount, brand, last4 }, Some(currency)) => {
            format!("Pay {} by card ({brand} ending {last4})", money(amount.0, currency))
        }
        (Debit::CardCharge { amount, last4, .. }, None) => {
            format!("Pay {} minor units by card ending {last4}", amount.0)
        }
    };
    Panel { points: Some(asked), ..Panel::new("waiting", "Waiting…", waiting_detail(status, skew_ms)) }
}

/// "Customer #1 approves or cancels on their phone · 42 s left".
fn waiting_detail(status: &DebitStatus, skew_ms: i64) -> String {
    let seconds = ((status.expires_at - skew_ms - crate::timing::now_ms() as i64).max(0) + 999) / 1000;
    format!("Customer {} approves or cancels on their phone · {seconds} s left", status.customer_number)
}

fn bill_panel(at_register: &BillAtRegister) -> Panel {
    let bill = &at_register.bill;
    Panel {
        name: Some(format!("{} · {}", bill.biller.as_str(), bill.description.as_str())),
        ..Panel::new(
            "bill",
            crate::locale::money(bill.amount_minor, bill.currency),
            format!(
                "Due {} · ref. {}. Collect the amount, then press Paid.",
                date_text(bill.due_at),
                bill.reference.as_str()
            ),
        )
    }
}

fn result(shown: &Shown, here: Option<&RegisterId>) -> Panel {
    match shown {
        Shown::Sold { accrued, currency } => sold(accrued, *currency),
        Shown::Gate(verdict) => gate(verdict, here),
        Shown::Paid(paid) => paid_panel(paid),
        Shown::Concluded(receipt) => concluded(receipt),
        Shown::Cancelled(by) => cancelled(*by),
        Shown::Refused { code, message } => {
            let (title, sentence) = refusal_text(*code, message);
            Panel { error: error_name(*code), ..Panel::new("refused", title, sentence) }
        }
        Shown::Problem(message) => Panel::new("problem", "Try again", message.as_str()),
        Shown::Slowed { seconds } => Panel {
            error: error_name(ErrorCode::TooManyAttempts),
            ..Panel::new("refused", "Please wait", slowed_text(*seconds))
        },
    }
}

fn sold(accrued: &PointsAccrued, currency: Currency) -> Panel {
    Panel {
        points: Some(format!("Balance {}", points_text(accrued.points))),
        ..Panel::new(
            "sold",
            format!("+{}", points_text(accrued.points_added)),
            format!("Sale of {} for customer {}.", money(accrued.amount_minor, currency), accrued.customer_number),
        )
    }
}

fn concluded(receipt: &Receipt) -> Panel {
    Panel::new(
        "concluded",
        "Concluded",
        format!("Receipt {} for customer {}.", receipt.receipt_number, receipt.customer_number),
    )
}

fn cancelled(by: CancelledBy) -> Panel {
    if let CancelledBy::Declined(reason) = by {
        return Panel::new("cancelled", "Declined", format!("{} Nothing was charged.", reason.words()));
    }
    let why = match by {
        CancelledBy::Customer => "The customer cancelled on their phone.",
        CancelledBy::Register => "Cancelled at the register.",
        CancelledBy::Timeout => "No answer from the customer in time.",
        CancelledBy::PinLocked => "Too many wrong PINs: prepaid payments are locked for a while.",
        CancelledBy::Insufficient => "The balance no longer covered it.",
        CancelledBy::Declined(reason) => reason.words(),
    };
    Panel::new("cancelled", "Cancelled", format!("{why} Nothing was changed."))
}

fn gate(verdict: &GateVerdict, here: Option<&RegisterId>) -> Panel {
    let seat = verdict.seat.as_ref().map(|s| format!(" · {}", s.as_str())).unwrap_or_default();
    let event = format!("{}{seat}", verdict.event_title.as_str());
    let visitors = if verdict.visitors == 1 {
        "1 visitor so far".to_owned()
    } else {
        format!("{} visitors so far", verdict.visitors)
    };
    match &verdict.deny {
        None => {
            let left = if verdict.entries_left > 0 {
                format!(" · {} entries left on this pass", verdict.entries_left)
            } else {
                String::new()
            };
            Panel { name: Some(event), ..Panel::new("admit", "ADMIT", format!("{visitors}{left}")) }
        }
        Some(deny) => Panel {
            error: deny_name(deny),
            name: Some(deny_text(deny, here)),
            points: Some(event),
            ..Panel::new("deny", "DENY", visitors)
        },
    }
}

fn paid_panel(paid: &BillPaid) -> Panel {
    let bill = &paid.bill;
    Panel {
        name: Some(format!("{} · {}", bill.biller.as_str(), bill.description.as_str())),
        points: Some(money(bill.amount_minor, bill.currency)),
        ..Panel::new(
            "sold",
            "Paid ✓",
            sentence(format!(
                "recorded at {}; the customer has the receipt on their phone",
                time_text(paid.payment.at)
            )),
        )
    }
}

fn date_text(ms: i64) -> String {
    crate::locale::date_time(ms)
}

fn time_text(ms: i64) -> String {
    crate::locale::time(ms)
}

fn deny_name(deny: &Deny) -> String {
    web_shared::text::wire_name(deny, Some("reason"))
}

fn deny_text(deny: &Deny, here: Option<&RegisterId>) -> String {
    match deny {
        Deny::AlreadyUsed { at, gate } => {
            let place = if here == Some(gate) { "this gate".to_owned() } else { format!("gate {gate}") };
            format!("Already used at {} ({place})", time_text(*at))
        }
        Deny::NotYetOpen { opens_at } => format!("Not yet open: gates open {}", date_text(*opens_at)),
        Deny::EventOver => "The event is over".to_owned(),
        Deny::Cancelled => "Cancelled by the issuer".to_owned(),
        Deny::WrongVenue => "Wrong venue: this ticket is for another place".to_owned(),
        Deny::NoEntriesLeft => "No entries left on this pass".to_owned(),
    }
}

/// The stable snake_case name of an error code (`already_used`), for tests and styling.
fn error_name(code: ErrorCode) -> String {
    serde_json::to_string(&code).unwrap_or_default().trim_matches('"').to_owned()
}

/// Why the register must wait, and for how long, in a cashier's words.
pub fn slowed_text(seconds: i64) -> String {
    let wait = if seconds == 1 { "a second".to_owned() } else { format!("{seconds} seconds") };
    format!(
        "Too many codes scanned or typed here were not valid (unknown, expired or used). \
         Wait {wait}, then scan or type the customer's code again."
    )
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
        _ => ("Not accepted", sentence(server_message)),
    }
}
