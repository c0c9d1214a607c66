//! The big panel: who the customer is, the bill, ADMIT/DENY, the result of a sale,
//! or why a code is refused.

use crate::dom;
use crate::i18n::{plural, t, tf, Key};
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
use web_shared::text::points_text;

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
            Panel::new("ready", t(Key::Ready), t(Key::ReadyDetail))
        }
        Phase::Checking { .. } | Phase::Customer { request: Some(Request::Asking), .. } => {
            Panel::new("checking", t(Key::Checking), "")
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
        dom::set_text("verdict-clears", &tf(Key::ReadyAgainIn, &[("n", &seconds.to_string())]));
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
        Some(currency) if view.prepaid_minor > 0 => {
            tf(Key::PrepaidPart, &[("amount", &money(view.prepaid_minor, currency))])
        }
        _ => String::new(),
    };
    Panel {
        name: view.display_name.as_ref().map(|n| n.as_str().to_owned()),
        points: Some(format!("{}{prepaid}", points_text(view.points))),
        ..Panel::new(
            "customer",
            tf(Key::CustomerTitle, &[("customer", &view.customer_number.to_string())]),
            t(Key::CustomerDetail),
        )
    }
}

fn waiting(status: &DebitStatus, skew_ms: i64, currency: Option<Currency>) -> Panel {
    let asked = match (&status.debit, currency) {
        (Debit::Redeem { reward_name, points, .. }, _) => {
            tf(Key::AskRedeem, &[("reward", reward_name.as_str()), ("points", &points_text(*points))])
        }
        (Debit::PrepaidCharge { amount }, Some(currency)) => {
            tf(Key::AskPrepaid, &[("amount", &money(amount.0, currency))])
        }
        (Debit::PrepaidCharge { amount }, None) => tf(Key::AskPrepaidMinor, &[("amount", &amount.0.to_string())]),
        (Debit::CardCharge { amount, brand, last4 }, Some(currency)) => tf(
            Key::AskCard,
            &[("amount", &money(amount.0, currency)), ("brand", &brand.to_string()), ("last4", &last4.to_string())],
        ),
        (Debit::CardCharge { amount, last4, .. }, None) => {
            tf(Key::AskCardMinor, &[("amount", &amount.0.to_string()), ("last4", &last4.to_string())])
        }
    };
    Panel { points: Some(asked), ..Panel::new("waiting", t(Key::Waiting), waiting_detail(status, skew_ms)) }
}

/// "Customer #1 approves or cancels on their phone · 42 s left".
fn waiting_detail(status: &DebitStatus, skew_ms: i64) -> String {
    let seconds = ((status.expires_at - skew_ms - crate::timing::now_ms() as i64).max(0) + 999) / 1000;
    tf(Key::WaitingDetail, &[("customer", &status.customer_number.to_string()), ("n", &seconds.to_string())])
}

fn bill_panel(at_register: &BillAtRegister) -> Panel {
    let bill = &at_register.bill;
    Panel {
        name: Some(format!("{} · {}", bill.biller.as_str(), bill.description.as_str())),
        ..Panel::new(
            "bill",
            crate::locale::money(bill.amount_minor, bill.currency),
            tf(Key::BillDetail, &[("due", &date_text(bill.due_at)), ("reference", bill.reference.as_str())]),
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
        Shown::Problem(message) => Panel::new("problem", t(Key::TryAgain), message.as_str()),
        Shown::Slowed { seconds } => Panel {
            error: error_name(ErrorCode::TooManyAttempts),
            ..Panel::new("refused", t(Key::PleaseWait), slowed_text(*seconds))
        },
    }
}

fn sold(accrued: &PointsAccrued, currency: Currency) -> Panel {
    Panel {
        points: Some(tf(Key::Balance, &[("points", &points_text(accrued.points))])),
        ..Panel::new(
            "sold",
            format!("+{}", points_text(accrued.points_added)),
            tf(
                Key::SoldDetail,
                &[
                    ("amount", &money(accrued.amount_minor, currency)),
                    ("customer", &accrued.customer_number.to_string()),
                ],
            ),
        )
    }
}

fn concluded(receipt: &Receipt) -> Panel {
    Panel::new(
        "concluded",
        t(Key::Concluded),
        tf(
            Key::ConcludedDetail,
            &[("receipt", &receipt.receipt_number.to_string()), ("customer", &receipt.customer_number.to_string())],
        ),
    )
}

fn cancelled(by: CancelledBy) -> Panel {
    if let CancelledBy::Declined(reason) = by {
        let why = crate::i18n::decline_text(reason);
        return Panel::new("cancelled", t(Key::Declined), tf(Key::NothingCharged, &[("why", why)]));
    }
    let why = match by {
        CancelledBy::Customer => t(Key::ByCustomer),
        CancelledBy::Register => t(Key::ByRegister),
        CancelledBy::Timeout => t(Key::ByTimeout),
        CancelledBy::PinLocked => t(Key::ByPinLocked),
        CancelledBy::Insufficient => t(Key::ByInsufficient),
        CancelledBy::Declined(reason) => crate::i18n::decline_text(reason),
    };
    Panel::new("cancelled", t(Key::Cancelled), tf(Key::NothingChanged, &[("why", why)]))
}

fn gate(verdict: &GateVerdict, here: Option<&RegisterId>) -> Panel {
    let seat = verdict.seat.as_ref().map(|s| format!(" · {}", s.as_str())).unwrap_or_default();
    let event = format!("{}{seat}", verdict.event_title.as_str());
    let visitors = plural(i64::from(verdict.visitors), Key::VisitorOne, Key::VisitorOther);
    match &verdict.deny {
        None => {
            let left = if verdict.entries_left > 0 {
                tf(Key::EntriesLeft, &[("n", &verdict.entries_left.to_string())])
            } else {
                String::new()
            };
            Panel { name: Some(event), ..Panel::new("admit", t(Key::Admit), format!("{visitors}{left}")) }
        }
        Some(deny) => Panel {
            error: deny_name(deny),
            name: Some(deny_text(deny, here)),
            points: Some(event),
            ..Panel::new("deny", t(Key::Deny), visitors)
        },
    }
}

fn paid_panel(paid: &BillPaid) -> Panel {
    let bill = &paid.bill;
    Panel {
        name: Some(format!("{} · {}", bill.biller.as_str(), bill.description.as_str())),
        points: Some(money(bill.amount_minor, bill.currency)),
        ..Panel::new("sold", t(Key::PaidCheck), tf(Key::PaidDetail, &[("time", &time_text(paid.payment.at))]))
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
            let place = if here == Some(gate) {
                t(Key::ThisGate).to_owned()
            } else {
                tf(Key::GateNamed, &[("gate", &gate.to_string())])
            };
            tf(Key::DenyAlreadyUsed, &[("time", &time_text(*at)), ("place", &place)])
        }
        Deny::NotYetOpen { opens_at } => tf(Key::DenyNotYetOpen, &[("at", &date_text(*opens_at))]),
        Deny::EventOver => t(Key::DenyEventOver).to_owned(),
        Deny::Cancelled => t(Key::DenyCancelled).to_owned(),
        Deny::WrongVenue => t(Key::DenyWrongVenue).to_owned(),
        Deny::NoEntriesLeft => t(Key::DenyNoEntriesLeft).to_owned(),
    }
}

/// The stable snake_case name of an error code (`already_used`), for tests and styling.
fn error_name(code: ErrorCode) -> String {
    serde_json::to_string(&code).unwrap_or_default().trim_matches('"').to_owned()
}

/// Why the register must wait, and for how long, in a cashier's words.
pub fn slowed_text(seconds: i64) -> String {
    let wait =
        if seconds == 1 { t(Key::ASecond).to_owned() } else { tf(Key::NSeconds, &[("n", &seconds.to_string())]) };
    tf(Key::Slowed, &[("wait", &wait)])
}

/// A short title and a sentence the cashier can act on.
fn refusal_text(code: ErrorCode, server_message: &str) -> (&'static str, String) {
    let (title, detail) = match code {
        ErrorCode::AlreadyUsed => (Key::TitleAlreadyUsed, Key::DetailAlreadyUsed),
        ErrorCode::Expired => (Key::TitleExpired, Key::DetailExpired),
        ErrorCode::Unknown => (Key::TitleUnknown, Key::DetailUnknown),
        ErrorCode::WrongShop => (Key::TitleWrongShop, Key::DetailWrongShop),
        ErrorCode::NotAMember => (Key::TitleNotAMember, Key::DetailNotAMember),
        _ => return (t(Key::NotAccepted), crate::i18n::refused_text(code, server_message)),
    };
    (t(title), t(detail).to_owned())
}
