//! Debits the customer confirms on their phone: the register asks, then
//! long-polls the answer (`/api/register/debits/wait`), so it hears
//! "concluded" or "cancelled" within a moment of the customer's tap. A retry
//! after a lost answer reuses the request id and re-attaches to the same question.

use crate::api::{self, Failure};
use crate::checkout::{finish_request, show_failure};
use crate::dom;
use crate::state::{sentence, with_till};
use crate::timing::{now_ms, sleep};
use crate::verdict::{self, Verdict};
use domain::api::{DebitOperation, DebitOutcome, DebitRequest, DebitStatus, DebitWaitRequest, ErrorCode, TopUpRequest};
use domain::code::OneTimeCode;
use domain::money::MinorUnits;
use domain::receipt::Receipt;

/// A concluded operation's receipt stays up this long before the camera may replace it.
const RECEIPT_HOLD_MS: f64 = 8_000.0;

fn customer_code() -> Option<OneTimeCode> {
    with_till(|till| till.customer.as_ref().map(|(code, _)| code.clone()))
}

/// Asks the customer's phone to approve `operation`, then follows the answer.
pub async fn ask(operation: DebitOperation) {
    dom::set_text("sale-error", "");
    let Some(code) = customer_code() else { return };
    let key = format!("{}|{}", code.as_str(), serde_json::to_string(&operation).unwrap_or_default());
    let Some((token, turn, request_id)) = with_till(|till| {
        if till.busy {
            return None;
        }
        till.busy = true;
        Some((till.token.clone(), till.turn, till.request_id_for(key)?))
    }) else {
        return;
    };
    verdict::show(Verdict::Checking);
    let request = DebitRequest { code: code.clone(), request_id: request_id.clone(), operation };
    let result = api::debit(&token, &request).await;
    if !finish_request(turn) {
        return;
    }
    match result {
        Ok(status) => follow(token, code, status, turn).await,
        Err(failure) => refused_or_retry(failure),
    }
}

fn refused_or_retry(failure: Failure) {
    match failure {
        Failure::Refused(error) if error.error != ErrorCode::Internal => {
            // A clear "no": nothing was asked or recorded; the customer stays on screen
            // for another choice (e.g. not enough points → pay another way).
            with_till(|till| till.pending_operation = None);
            if error.error == ErrorCode::Unauthorized {
                return show_failure(&Failure::Refused(error));
            }
            if let Some((_, view)) = with_till(|till| till.customer.clone()) {
                verdict::show(Verdict::Customer(&view));
            }
            dom::set_text("sale-error", &crate::verdict::debit_refusal(error.error, &error.message));
        }
        failure => {
            if let Some((_, view)) = with_till(|till| till.customer.clone()) {
                verdict::show(Verdict::Customer(&view));
            }
            dom::set_text(
                "sale-error",
                &format!("{} Press the button again: a retry never debits twice.", failure.message()),
            );
        }
    }
}

pub fn wire() {
    dom::on_id("cancel-debit", "click", |_| wasm_bindgen_futures::spawn_local(withdraw()));
}

/// The question being waited for, so "Cancel request" can withdraw it.
fn waiting_for() -> Option<(String, DebitWaitRequest)> {
    with_till(|till| till.waiting.clone())
}

/// Withdraws the question; the long-poll then hears "cancelled".
async fn withdraw() {
    let Some((token, request)) = waiting_for() else { return };
    dom::set_busy("cancel-debit", true);
    let result = api::debit_cancel(&token, &request).await;
    dom::set_busy("cancel-debit", false);
    if let Err(failure) = result {
        // Most likely the customer answered first; the wait shows that answer.
        dom::set_text("verdict-detail", &failure.message());
    }
}

/// Counts the question down on screen while it is the one waited for.
async fn tick(status: DebitStatus, skew_ms: i64) {
    loop {
        sleep(500).await;
        let still = with_till(|till| till.waiting.as_ref().is_some_and(|(_, w)| w.request_id == status.request_id));
        if !still {
            return;
        }
        dom::set_text("verdict-detail", &verdict::waiting_detail(&status, skew_ms));
    }
}

/// Waits for the customer's answer, then shows it.
async fn follow(token: String, code: OneTimeCode, mut status: DebitStatus, turn: u32) {
    let skew = status.server_now - now_ms() as i64;
    let mut ticking = false;
    loop {
        match status.outcome {
            DebitOutcome::Pending => {
                let request = DebitWaitRequest { code: code.clone(), request_id: status.request_id.clone() };
                with_till(|till| {
                    till.busy = true;
                    till.waiting = Some((token.clone(), request.clone()));
                });
                verdict::show(Verdict::Waiting { status: &status, skew_ms: skew });
                if !ticking {
                    ticking = true;
                    wasm_bindgen_futures::spawn_local(tick(status.clone(), skew));
                }
                let answer = api::debit_wait(&token, &request).await;
                if with_till(|till| till.turn) != turn {
                    return;
                }
                match answer {
                    Ok(next) => status = next,
                    Err(Failure::Refused(error)) => {
                        with_till(|till| {
                            till.busy = false;
                            till.waiting = None;
                        });
                        return show_failure(&Failure::Refused(error));
                    }
                    // Lost connection: ask again (the question lives on the server).
                    Err(_) => sleep(1_000).await,
                }
            }
            DebitOutcome::Concluded { receipt } => return concluded(&receipt),
            DebitOutcome::Cancelled { by } => {
                with_till(|till| {
                    // Nothing was charged: the same customer's next code continues the sale.
                    till.sale_held_for = till.customer.as_ref().map(|(_, view)| view.customer_number);
                    till.busy = false;
                    till.waiting = None;
                    till.pending_operation = None;
                    till.customer = None;
                    till.seen.forget();
                    till.paused_until = now_ms() + RECEIPT_HOLD_MS;
                });
                return verdict::show(Verdict::Cancelled { by });
            }
        }
    }
}

/// Shows the receipt (the same one the phone shows) with a Print button.
fn concluded(receipt: &Receipt) {
    crate::sale::clear();
    show_receipt(receipt);
}

/// Shows the receipt; the code it used is spent, so the next read starts afresh.
fn show_receipt(receipt: &Receipt) {
    with_till(|till| {
        till.busy = false;
        till.waiting = None;
        till.pending_operation = None;
        till.customer = None;
        till.seen.forget();
        till.paused_until = now_ms() + RECEIPT_HOLD_MS;
    });
    dom::set_input_value("amount", "");
    verdict::show(Verdict::Concluded(receipt));
}

/// Cash received → prepaid value (no confirmation needed: it only adds).
pub async fn top_up() {
    dom::set_text("sale-error", "");
    let Some(code) = customer_code() else { return };
    let Some(currency) = with_till(|till| till.info.as_ref().map(|i| i.shop.currency)) else { return };
    let amount = match MinorUnits::parse(&dom::input_value("amount"), currency) {
        Ok(amount) => amount,
        Err(e) => return dom::set_text("sale-error", &format!("Top-up: {}", sentence(e))),
    };
    let key = format!("top-up|{}|{}", code.as_str(), amount.0);
    let Some((token, turn, request_id)) = with_till(|till| {
        if till.busy {
            return None;
        }
        till.busy = true;
        Some((till.token.clone(), till.turn, till.request_id_for(key)?))
    }) else {
        return;
    };
    dom::set_busy("top-up", true);
    let result = api::top_up(&token, &TopUpRequest { code, request_id, amount_minor: amount.0 }).await;
    dom::set_busy("top-up", false);
    if !finish_request(turn) {
        return;
    }
    match result {
        Ok(receipt) => {
            // A top-up often comes in the middle of a sale (the balance was short):
            // the lines stay for this customer's next code.
            with_till(|till| till.sale_held_for = Some(receipt.customer_number));
            show_receipt(&receipt);
        }
        Err(failure) => refused_or_retry(failure),
    }
}
