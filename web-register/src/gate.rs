//! Bills and tickets at the register. Every read goes through [`route`]: the
//! server says what the code is for. A shop membership code continues in
//! [`checkout`] (issue 2's flow, untouched); a ticket's code is judged at once
//! and the panel shows a big ADMIT (green, rising chime) or DENY (red, low buzz)
//! with the reason and the event's visitor count; a bill's code shows the
//! amount, biller and due date with a **Paid** button (request id for
//! idempotency, like a sale).

use crate::api::{self, Failure};
use crate::checkout;
use crate::dom;
use crate::money::format_amount;
use crate::request_id;
use crate::sound;
use crate::state::{sentence, with_till};
use crate::timing::now_ms;
use crate::verdict::{self, Verdict};
use domain::api::bills::{BillPaid, BillView};
use domain::api::items::{BillAtRegister, PayBillRequest, ScanAnswer, ScanRequest};
use domain::api::tickets::GateVerdict;
use domain::api::ErrorCode;
use domain::code::OneTimeCode;
use domain::money::MinorUnits;
use domain::shop::RequestId;
use domain::tickets::Deny;
use std::cell::RefCell;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::spawn_local;

/// How long ADMIT/DENY stays before the camera may replace it.
const GATE_HOLD_MS: f64 = 2_500.0;
/// How long "Paid" stays on screen.
const PAID_HOLD_MS: f64 = 4_000.0;

/// The bill on screen: its code, and the request id of a Paid sent without a clear answer.
struct BillOnScreen {
    code: OneTimeCode,
    request_id: Option<RequestId>,
}

thread_local! {
    static BILL: RefCell<Option<BillOnScreen>> = const { RefCell::new(None) };
}

pub fn wire() {
    dom::on_id("pay-bill", "click", |_| spawn_local(pay()));
    dom::on_id("next-customer", "click", |_| clear());
}

fn clear() {
    BILL.with(|b| *b.borrow_mut() = None);
    dom::set_hidden("bill-form", true);
    dom::set_text("bill-error", "");
}

/// Every read, camera or typed: ask what the code is for, then act.
pub async fn route(code: OneTimeCode) {
    dom::set_text("read-hint", "");
    clear();
    let (token, turn) = with_till(|till| {
        till.busy = true;
        (till.token.clone(), till.turn)
    });
    verdict::show(Verdict::Checking);
    let result: Result<ScanAnswer, Failure> =
        api::call(&token, "POST", "/api/register/scan", Some(&ScanRequest { code: code.clone() })).await;
    let current = with_till(|till| {
        let current = till.turn == turn;
        if current {
            till.busy = false;
        }
        current
    });
    if !current {
        return;
    }
    match result {
        Ok(ScanAnswer::Membership) => checkout::resolve(code).await,
        Ok(ScanAnswer::Admission(verdict)) => {
            with_till(|till| till.customer = None);
            show_gate(&verdict);
        }
        Ok(ScanAnswer::Bill(bill)) => {
            with_till(|till| till.customer = None);
            show_bill(code, &bill);
        }
        Err(failure) => {
            with_till(|till| till.customer = None);
            // A dead ticket code (transferred, expired, unknown) is a DENY at a gate too.
            sound::deny();
            checkout::show_failure(&failure);
        }
    }
}

fn date_text(ms: i64) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(ms as f64));
    String::from(date.to_locale_string("en-GB", &JsValue::UNDEFINED))
}

fn time_text(ms: i64) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(ms as f64));
    String::from(date.to_locale_time_string("en-GB"))
}

fn deny_name(deny: &Deny) -> String {
    serde_json::to_value(deny)
        .ok()
        .and_then(|value| value.get("reason").and_then(|r| r.as_str().map(str::to_owned)))
        .unwrap_or_default()
}

fn deny_text(deny: &Deny) -> String {
    match deny {
        Deny::AlreadyUsed { at, gate } => {
            let here = with_till(|till| till.info.as_ref().is_some_and(|info| &info.register_id == gate));
            let place = if here { "this gate".to_owned() } else { format!("gate {gate}") };
            format!("Already used at {} ({place})", time_text(*at))
        }
        Deny::NotYetOpen { opens_at } => format!("Not yet open: gates open {}", date_text(*opens_at)),
        Deny::EventOver => "The event is over".to_owned(),
        Deny::Cancelled => "Cancelled by the issuer".to_owned(),
        Deny::WrongVenue => "Wrong venue: this ticket is for another place".to_owned(),
        Deny::NoEntriesLeft => "No entries left on this pass".to_owned(),
    }
}

/// The panel's parts, the same elements the loyalty verdict uses.
fn panel(state: &str, error: &str, title: &str, name: &str, points: &str, detail: &str) {
    dom::set_attribute("verdict", "data-state", state);
    dom::set_attribute("verdict", "data-error", error);
    dom::set_text("verdict-title", title);
    dom::set_text("verdict-name", name);
    dom::set_hidden("verdict-name", name.is_empty());
    dom::set_text("verdict-points", points);
    dom::set_hidden("verdict-points", points.is_empty());
    dom::set_text("verdict-detail", detail);
    dom::set_hidden("sale-form", true);
}

fn show_gate(verdict: &GateVerdict) {
    let seat = verdict.seat.as_ref().map(|s| format!(" · {}", s.as_str())).unwrap_or_default();
    let event = format!("{}{seat}", verdict.event_title.as_str());
    let visitors = if verdict.visitors == 1 {
        "1 visitor so far".to_owned()
    } else {
        format!("{} visitors so far", verdict.visitors)
    };
    match &verdict.deny {
        None => {
            sound::admit();
            let left = if verdict.entries_left > 0 {
                format!(" · {} entries left on this pass", verdict.entries_left)
            } else {
                String::new()
            };
            panel("admit", "", "ADMIT", &event, "", &format!("{visitors}{left}"));
        }
        Some(deny) => {
            sound::deny();
            panel("deny", &deny_name(deny), "DENY", &deny_text(deny), &event, &visitors);
        }
    }
    with_till(|till| till.paused_until = now_ms() + GATE_HOLD_MS);
}

fn show_bill(code: OneTimeCode, at_register: &BillAtRegister) {
    let bill = &at_register.bill;
    panel(
        "bill",
        "",
        &MinorUnits(bill.amount_minor).format(bill.currency),
        &format!("{} · {}", bill.biller.as_str(), bill.description.as_str()),
        "",
        &format!(
            "Due {} · ref. {}. Collect the amount, then press Paid.",
            date_text(bill.due_at),
            bill.reference.as_str()
        ),
    );
    BILL.with(|b| *b.borrow_mut() = Some(BillOnScreen { code, request_id: None }));
    dom::set_text("bill-error", "");
    dom::set_hidden("bill-form", false);
}

async fn pay() {
    dom::set_text("bill-error", "");
    // A retry of the same Paid keeps its request id, so it is never collected twice.
    let Some((code, request_id)) = BILL.with(|b| {
        let mut bill = b.borrow_mut();
        let bill = bill.as_mut()?;
        let request_id = match &bill.request_id {
            Some(id) => id.clone(),
            None => request_id::fresh()?,
        };
        bill.request_id = Some(request_id.clone());
        Some((bill.code.clone(), request_id))
    }) else {
        return;
    };
    let token = with_till(|till| till.token.clone());
    dom::set_busy("pay-bill", true);
    let result: Result<BillPaid, Failure> =
        api::call(&token, "POST", "/api/register/bills/pay", Some(&PayBillRequest { code, request_id })).await;
    dom::set_busy("pay-bill", false);
    match result {
        Ok(paid) => {
            clear();
            show_paid(&paid.bill, &paid);
            // The paid bill's code stays "seen" while it stays in view, so it is not
            // read again as `already_paid` (as with a sale's code).
            with_till(|till| till.paused_until = now_ms() + PAID_HOLD_MS);
        }
        Err(Failure::Refused(error)) if error.error != ErrorCode::Internal => {
            clear();
            checkout::show_failure(&Failure::Refused(error));
        }
        Err(failure) => dom::set_text(
            "bill-error",
            &format!("{} Press Paid again: a retry is never collected twice.", failure.message()),
        ),
    }
}

fn show_paid(bill: &BillView, paid: &BillPaid) {
    panel(
        "sold",
        "",
        "Paid ✓",
        &format!("{} · {}", bill.biller.as_str(), bill.description.as_str()),
        &format_amount(MinorUnits(bill.amount_minor), bill.currency),
        &sentence(format!("recorded at {}; the customer has the receipt on their phone", time_text(paid.payment.at))),
    );
}
