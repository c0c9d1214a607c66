//! The cashier's flow: a read (camera or typed) → `gate::route` (what is the
//! code for?) → resolve → customer on screen → amount → points added → back to scanning.

use crate::api::{self, Failure};
use crate::dom;
use crate::request_id;
use crate::setup;
use crate::state::{points_text, sentence, with_till, PendingSale};
use crate::timing::now_ms;
use crate::verdict::{self, Verdict};
use domain::api::{AccruePointsRequest, ErrorCode, ResolveRequest};
use domain::code::OneTimeCode;
use wasm_bindgen_futures::spawn_local;

/// How long a sale's result stays on screen before the camera may replace it.
const SOLD_HOLD_MS: f64 = 4_000.0;
/// After a network failure, wait this long before the code in view is tried again.
const RETRY_PAUSE_MS: f64 = 2_000.0;

pub fn wire() {
    dom::on_id("manual-form", "submit", |event| {
        event.prevent_default();
        typed_code();
    });
    dom::on_id("sale-form", "submit", |event| {
        event.prevent_default();
        spawn_local(add_points());
    });
    dom::on_id("amount", "input", |_| preview_points());
    dom::on_id("next-customer", "click", |_| next_customer());
}

/// Texts decoded from one camera frame.
pub fn on_reads(texts: &[String]) {
    let now = now_ms();
    let fresh = with_till(|till| {
        if till.busy || now < till.paused_until {
            // Keep the code in view "seen", so it is not resolved again the moment we resume.
            for text in texts {
                if till.seen.is_current(text, now) {
                    till.seen.sighted(text, now);
                }
            }
            return None;
        }
        texts.iter().find(|text| till.seen.sighted(text, now)).cloned()
    });
    let Some(text) = fresh else { return };
    match OneTimeCode::parse(&text) {
        Ok(code) => spawn_local(crate::gate::route(code)),
        Err(_) => dom::set_text("read-hint", "The camera sees a QR code that is not a Tessera code."),
    }
}

/// The manual entry: same flow as a scan.
fn typed_code() {
    dom::set_text("manual-error", "");
    match OneTimeCode::parse(&dom::input_value("manual-code")) {
        Ok(code) => {
            if with_till(|till| till.busy) {
                dom::set_text("manual-error", "Still busy with the last code; try again in a moment.");
                return;
            }
            with_till(|till| {
                till.seen.sighted(code.as_str(), now_ms());
            });
            spawn_local(crate::gate::route(code));
        }
        Err(e) => dom::set_text("manual-error", &sentence(e)),
    }
}

/// A shop membership code (issue 2): who the customer is, ready for a sale.
/// Reads reach it through `gate::route`, which learns what a code is for first.
pub async fn resolve(code: OneTimeCode) {
    dom::set_text("read-hint", "");
    let (token, turn) = with_till(|till| {
        till.busy = true;
        (till.token.clone(), till.turn)
    });
    verdict::show(Verdict::Checking);
    let result = api::resolve(&token, &ResolveRequest { code: code.clone() }).await;
    if !finish_request(turn) {
        return;
    }
    match result {
        Ok(view) => {
            let same_customer = with_till(|till| {
                let held = till.sale_held_for.take() == Some(view.customer_number);
                let same = held
                    || till.customer.as_ref().is_some_and(|(_, shown)| shown.customer_number == view.customer_number);
                till.customer = Some((code, view.clone()));
                same
            });
            if !same_customer {
                crate::sale::clear();
                dom::set_input_value("amount", "");
                dom::set_text("sale-error", "");
                preview_points();
            }
            dom::set_input_value("manual-code", "");
            verdict::show(Verdict::Customer(&view));
            if let Some(amount) = dom::element("amount") {
                let _ = amount.focus();
            }
        }
        Err(failure) => {
            with_till(|till| till.customer = None);
            show_failure(&failure);
        }
    }
}

async fn add_points() {
    dom::set_text("sale-error", "");
    let Some((code, currency)) = with_till(|till| {
        let (code, _) = till.customer.as_ref()?;
        Some((code.clone(), till.info.as_ref()?.shop.currency))
    }) else {
        return;
    };
    let amount = match crate::sale::amount(currency) {
        Ok(amount) => amount,
        Err(message) => return dom::set_text("sale-error", &message),
    };
    // A retry of the same sale keeps its request id, so it is never counted twice.
    let Some(sale) = with_till(|till| {
        let retry = till.pending_sale.as_ref().filter(|p| p.code == code && p.amount == amount).cloned();
        let sale = retry.or_else(|| Some(PendingSale { code, amount, request_id: request_id::fresh()? }))?;
        till.pending_sale = Some(sale.clone());
        till.busy = true;
        Some(sale)
    }) else {
        return dom::set_text("sale-error", "Could not prepare the sale; please reload the page.");
    };
    let (token, turn) = with_till(|till| (till.token.clone(), till.turn));
    dom::set_busy("add-points", true);
    let request = AccruePointsRequest {
        code: sale.code.clone(),
        request_id: sale.request_id.clone(),
        amount_minor: sale.amount.0,
        items: with_till(|till| till.lines.clone()),
    };
    let result = api::accrue(&token, &request).await;
    dom::set_busy("add-points", false);
    if !finish_request(turn) {
        return;
    }
    match result {
        Ok(accrued) => {
            with_till(|till| {
                till.pending_sale = None;
                till.customer = None;
                // The spent code stays "seen" while it stays in view, so it is not
                // read again as `already_used`; the phone's fresh code is a new text.
                till.paused_until = now_ms() + SOLD_HOLD_MS;
            });
            dom::set_input_value("amount", "");
            crate::sale::clear();
            verdict::show(Verdict::Sold { accrued: &accrued, currency });
        }
        Err(Failure::Refused(error)) if error.error != ErrorCode::Internal => {
            // A clear "no": nothing was recorded, so a new attempt is a new sale.
            with_till(|till| till.pending_sale = None);
            if matches!(error.error, ErrorCode::InvalidRequest) {
                dom::set_text("sale-error", &sentence(&error.message));
            } else {
                with_till(|till| till.customer = None);
                show_failure(&Failure::Refused(error));
            }
        }
        Err(failure) => dom::set_text(
            "sale-error",
            &format!("{} Press Add points again: a retry is never counted twice.", failure.message()),
        ),
    }
}

/// Clears the screen for the next customer; the same code may then be read again.
pub fn next_customer() {
    // A question still on the customer's phone is withdrawn, not left to time out.
    if let Some((token, request)) = with_till(|till| till.waiting.take()) {
        spawn_local(async move {
            let _ = api::debit_cancel(&token, &request).await;
        });
    }
    with_till(|till| {
        till.turn += 1;
        till.busy = false;
        till.customer = None;
        till.pending_sale = None;
        till.pending_operation = None;
        till.seen.forget();
        till.paused_until = 0.0;
    });
    crate::sale::clear();
    for id in ["amount", "manual-code"] {
        dom::set_input_value(id, "");
    }
    for id in ["sale-error", "manual-error", "read-hint"] {
        dom::set_text(id, "");
    }
    preview_points();
    verdict::show(Verdict::Ready);
}

/// Marks the request of `turn` as answered; false if "Next customer" made it stale.
pub fn finish_request(turn: u32) -> bool {
    with_till(|till| {
        if till.turn != turn {
            return false;
        }
        till.busy = false;
        true
    })
}

pub fn show_failure(failure: &Failure) {
    match failure {
        Failure::Refused(error) if error.error == ErrorCode::Unauthorized => setup::show_bad_credential(),
        Failure::Refused(error) => verdict::show(Verdict::Refused { code: error.error, message: &error.message }),
        Failure::Network | Failure::Unexpected(_) => {
            // Let the code still in view be tried again after a short pause.
            with_till(|till| {
                till.seen.forget();
                till.paused_until = now_ms() + RETRY_PAUSE_MS;
            });
            verdict::show(Verdict::Problem(&failure.message()));
        }
    }
}

/// "≈ 12 points" under the amount while the cashier types.
pub fn preview_points() {
    let Some(shop) = with_till(|till| Some(till.info.as_ref()?.shop.clone())) else { return };
    let preview =
        crate::sale::amount(shop.currency).ok().map(|amount| shop.points_per_unit.points_for(amount, shop.currency));
    let text = preview.map(|points| format!("Adds {}", points_text(points))).unwrap_or_default();
    dom::set_text("points-preview", &text);
}
