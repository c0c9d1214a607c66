//! The page's handlers, one per button (wired in `lib.rs`). Each is a turn of the
//! state machine: a transition of [`Till`](crate::state::Till), drawn by
//! [`views::render`], then the flow's I/O, whose outcome goes back to the till
//! and is drawn again.

use crate::api;
use crate::camera;
use crate::credential;
use crate::flows::{self, debit::Answer};
use crate::i18n::{failure_text, invalid, t, tf, Key};
use crate::other_item;
use crate::pairing;
use crate::recent_scans;
use crate::request_id;
use crate::result_time;
use crate::sale;
use crate::sound;
use crate::staff_desk;
use crate::state::{read_till, with_till, Call, CameraRead, Checked, Phase, Unusable};
use crate::timing::{now_ms, sleep};
use crate::views;
use domain::api::{AccruePointsRequest, DebitOperation};
use domain::code::OneTimeCode;
use domain::money::MinorUnits;
use domain::sale::LineItem;
use domain::shop::RequestId;
use wasm_bindgen_futures::spawn_local;

/// While the register cannot reach the server at start, ask again this often.
const BOOT_RETRY_MS: i32 = 3_000;
/// The waiting question's countdown ticks this often.
const COUNTDOWN_MS: i32 = 500;
/// How often a finished result's countdown (and its clearing) is looked at.
const RESULT_TICK_MS: i32 = 250;

/// Draws the till again in the page's language (after a switch): the screen and the
/// product and reward buttons.
pub fn speak() {
    read_till(views::sale::render_catalog);
    render();
}

/// Draws the till as it is now. A register that became unusable stops its camera.
fn render() {
    let unusable = read_till(|till| {
        views::render(till);
        matches!(till.phase, Phase::Unusable(_))
    });
    if unusable == Some(true) {
        camera::stop();
    }
}

/// Sounds the verdict now on screen (see `sound`).
fn announce() {
    if let Some(Some(cue)) = read_till(|till| till.phase.cue()) {
        sound::cue(cue);
    }
}

/// After a request: sounds its result if it ended what was on screen (a customer
/// who stays, with a note, is not announced again).
fn announce_result() {
    if read_till(|till| matches!(till.phase, Phase::Result { .. })) == Some(true) {
        announce();
    }
}

/// Starting the register: credential (pairing for one if there is none) → which shop and register this is → camera.
pub async fn boot() {
    let token = match credential::load() {
        Some(token) => token,
        None => {
            // The page's script may have started a camera for a token it thought it saw.
            web_shared::camera_reader::discard_early();
            pairing::pair().await
        }
    };
    with_till(|till| till.token = token.clone());
    // The camera and its decoder warm up while the register is looked up: a
    // code read before the till has started is dropped (and read again).
    camera::start();
    loop {
        let answer = match api::register_info(&token).await {
            // No connection: start from the info kept at the last start online; offline codes work.
            Err(api::Failure::Network) => {
                crate::offline_desk::kept_info().map(|info| (info, false)).ok_or(api::Failure::Network)
            }
            other => other.map(|info| (info, true)),
        };
        match answer {
            Ok((info, online)) => {
                crate::offline_desk::started(&token, &info, online);
                with_till(|till| till.started(info));
                if let Some(seconds) = result_time::load() {
                    set_result_time(&seconds);
                }
                read_till(|till| {
                    views::header(till);
                    views::sale::render_catalog(till);
                    views::show_result_seconds(till.result_seconds());
                });
                render();
                staff_desk::check();
                spawn_local(clear_results());
                return;
            }
            Err(failure) => match failure.code().and_then(Unusable::after) {
                Some(why) => {
                    camera::stop();
                    with_till(|till| till.unusable(why));
                    return render();
                }
                None => {
                    views::boot_message(&tf(Key::Retrying, &[("why", &failure_text(&failure))]));
                    sleep(BOOT_RETRY_MS).await;
                }
            },
        }
    }
}

/// Applies a result time (seconds, as text); false if it is not one.
fn set_result_time(seconds: &str) -> bool {
    let applied = seconds.trim().parse::<u32>().map_err(|_| "not a number of seconds".to_owned());
    match applied.and_then(|seconds| with_till(|till| till.set_result_seconds(seconds))) {
        Ok(()) => true,
        Err(why) => {
            web_sys::console::warn_1(&format!("result-seconds={seconds}: {why}").into());
            false
        }
    }
}

/// "Clear results after": the cashier's choice, kept for this computer.
pub fn result_time_chosen() {
    let chosen = views::chosen_result_seconds();
    if set_result_time(&chosen) {
        result_time::save(&chosen);
    }
    render();
}

/// A finished result goes back to ready by itself when its time is up (the state
/// machine's `Till::tick`), counting down on screen meanwhile.
async fn clear_results() {
    loop {
        sleep(RESULT_TICK_MS).await;
        let now = now_ms();
        if with_till(|till| till.tick(now)) {
            render();
        } else {
            read_till(|till| views::verdict::render_clears(till, now));
        }
    }
}

/// Texts the camera decoded from one frame.
pub fn camera_reads(texts: &[String]) {
    let text = match with_till(|till| till.camera_read(texts, now_ms())) {
        CameraRead::Nothing => return,
        CameraRead::AnotherCode => {
            sound::attention();
            return render();
        }
        CameraRead::Check(text) => text,
    };
    match OneTimeCode::parse(&text) {
        Ok(code) => check(code),
        Err(_) => views::read_hint(t(Key::NotTesseraCode)),
    }
}

/// "Switch" (F2 keeps the sale, F4 starts a new one): the other code in view
/// becomes the customer on screen.
pub fn switch_customer(keep_sale: bool) {
    let Some((call, code)) = with_till(|till| till.switch_to_other(keep_sale)) else { return };
    if !keep_sale {
        clear_sale_inputs();
    }
    views::read_hint("");
    render();
    spawn_local(answer_check(call, code));
}

/// "Look up": the typed code, the same way as a scan.
pub fn look_up_typed() {
    views::manual_error("");
    match OneTimeCode::parse(&views::typed_code()) {
        Ok(code) if with_till(|till| till.typed_read(&code, now_ms())) => check(code),
        Ok(_) => views::manual_error(t(Key::StillBusy)),
        Err(e) => views::manual_error(&invalid(Key::InvalidCode, e)),
    }
}

/// Every read: what is the code for (and, for a member, who it is), then show it.
fn check(code: OneTimeCode) {
    views::read_hint("");
    let call = with_till(|till| till.check(code.clone()));
    render();
    spawn_local(answer_check(call, code));
}

/// Asks what `code` is for and shows the answer.
async fn answer_check(call: Call, code: OneTimeCode) {
    let outcome = flows::checkout::scan(&call.token, &code).await;
    recent_scans::record(recent_scans::describe(&outcome, now_ms() as i64));
    views::recent::render(&recent_scans::all());
    let checked = with_till(|till| till.checked(call.turn, outcome, now_ms()));
    if checked.is_some() {
        announce();
    }
    match checked {
        None => return,
        Some(Checked::Customer { new_sale }) => {
            if new_sale {
                clear_sale_inputs();
                with_till(|till| till.clear_coupons());
            }
            views::clear_typed_code();
            render();
            views::sale::focus_amount();
            return load_coupons().await;
        }
        Some(Checked::Shown) => {}
    }
    render();
}

/// The coupons that apply to the customer on screen, drawn on the sale when they come.
async fn load_coupons() {
    let Some((call, code)) = with_till(|till| till.coupons_call()) else { return };
    // Without them the sale goes on as before: a failure only leaves the list empty.
    let Ok(coupons) = flows::checkout::coupons(&call.token, &code).await else { return };
    if with_till(|till| till.coupons_answered(call.turn, &code, coupons)) {
        render();
    }
}

/// A coupon clicked on the sale: applied (again: taken off).
pub fn choose_coupon(coupon_id: &str) {
    with_till(|till| till.choose_coupon(coupon_id));
    render();
}

/// F6: applies the first coupon offered (or takes the applied one off).
pub fn choose_first_coupon() {
    let first = with_till(|till| till.coupons.first().map(|offer| offer.coupon_id.as_str().to_owned()));
    if let Some(first) = first {
        choose_coupon(&first);
    }
}

fn clear_sale_inputs() {
    views::sale::clear_amount();
    other_item::reset();
}

/// A mistake to show under the sale.
fn note(text: String) {
    with_till(|till| till.note(text));
    render();
}

fn fresh_request_id() -> Option<RequestId> {
    let id = request_id::fresh();
    if id.is_none() {
        note(t(Key::CouldNotPrepare).to_owned());
    }
    id
}

/// "Add points": the sale's total (lines, else the amount typed) for the customer on screen.
pub fn add_points() {
    let typed = views::sale::amount_text();
    let total = with_till(|till| {
        till.customer()?;
        Some(sale::total(&till.lines, &typed, till.currency()?))
    });
    let amount = match total {
        None => return,
        Some(Ok(amount)) => amount,
        Some(Err(message)) => return note(message),
    };
    let Some(fresh) = fresh_request_id() else { return };
    let Some((call, pending, lines)) = with_till(|till| till.start_sale(amount, fresh)) else { return };
    render();
    spawn_local(async move {
        let request = AccruePointsRequest {
            code: pending.code,
            request_id: pending.request_id,
            amount_minor: pending.amount.0,
            items: lines,
            coupon_id: pending.coupon,
        };
        let result = flows::checkout::add_points(&call.token, &request).await;
        let sold = result.is_ok();
        if with_till(|till| till.sale_answered(call.turn, result, now_ms())) && sold {
            clear_sale_inputs();
        }
        announce_result();
        render();
    });
}

/// "Pay with prepaid": the sale, approved on the customer's phone with their PIN.
pub fn charge_prepaid() {
    charge(|sale| DebitOperation::PrepaidCharge { sale });
}

/// "Pay by card": the sale on the customer's card saved for this shop, approved on their phone.
pub fn charge_card() {
    charge(|sale| DebitOperation::CardCharge { sale });
}

fn charge(operation: fn(domain::sale::Sale) -> DebitOperation) {
    let typed = views::sale::amount_text();
    let sale = with_till(|till| {
        let currency = till.currency()?;
        Some(sale::current(&till.lines, &typed, currency).and_then(|sale| {
            sale.total(currency).map_err(|e| invalid(Key::InvalidAmount, e))?;
            Ok(sale)
        }))
    });
    match sale {
        None => {}
        Some(Ok(sale)) => ask(operation(sale)),
        Some(Err(message)) => note(message),
    }
}

/// A reward button (by its `data-reward-id`).
pub fn redeem(reward_id: &str) {
    let reward = with_till(|till| {
        let info = till.info.as_ref()?;
        info.rewards.iter().find(|r| r.reward_id.as_str() == reward_id).map(|r| r.reward_id.clone())
    });
    if let Some(reward_id) = reward {
        ask(DebitOperation::Redeem { reward_id });
    }
}

/// Puts a debit to the customer's phone and follows the answer. A sale takes the applied
/// coupon along: the phone is asked for the basket less its discount.
fn ask(operation: DebitOperation) {
    let coupon = match operation {
        DebitOperation::Redeem { .. } => None,
        DebitOperation::PrepaidCharge { .. } | DebitOperation::CardCharge { .. } => {
            with_till(|till| till.coupon.clone())
        }
    };
    let key = serde_json::to_string(&(&operation, &coupon)).unwrap_or_default();
    let Some(fresh) = fresh_request_id() else { return };
    let Some((call, code, request_id)) = with_till(|till| till.start_debit(&key, fresh)) else { return };
    render();
    spawn_local(async move {
        let status = match flows::debit::ask(&call.token, code.clone(), request_id, operation, coupon).await {
            Ok(status) => status,
            Err(failure) => {
                with_till(|till| till.operation_failed(call.turn, failure, now_ms()));
                announce_result();
                return render();
            }
        };
        let skew_ms = status.server_now - now_ms() as i64;
        let mut counting_down = false;
        let answer = flows::debit::follow(&call.token, &code, status, |pending| {
            let waiting = with_till(|till| till.waiting(call.turn, pending.clone(), skew_ms));
            if waiting {
                render();
                if !counting_down {
                    counting_down = true;
                    spawn_local(count_down(pending.request_id.clone()));
                }
            }
            waiting
        })
        .await;
        let now = now_ms();
        match answer {
            Answer::Concluded(receipt) => {
                if with_till(|till| till.concluded(call.turn, *receipt, now)) {
                    clear_sale_inputs();
                }
            }
            Answer::Cancelled(by) => with_till(|till| till.cancelled(call.turn, by, now)),
            Answer::Failed(failure) => with_till(|till| till.question_failed(call.turn, failure, now)),
            Answer::Abandoned => return,
        }
        announce_result();
        render();
    });
}

/// Counts the question down on screen while it is the one waited for.
async fn count_down(request_id: RequestId) {
    loop {
        sleep(COUNTDOWN_MS).await;
        if read_till(|till| till.still_waiting_for(&request_id)) != Some(true) {
            return;
        }
        read_till(views::verdict::render_countdown);
    }
}

/// "Cancel request": withdraws the question; the wait then hears "cancelled".
pub fn cancel_request() {
    let Some((token, request)) = with_till(|till| till.question()) else { return };
    crate::dom::set_busy("cancel-debit", true);
    spawn_local(async move {
        let result = flows::debit::withdraw(&token, &request).await;
        crate::dom::set_busy("cancel-debit", false);
        if let Err(failure) = result {
            // Most likely the customer answered first; the wait shows that answer.
            views::verdict::detail(&failure_text(&failure));
        }
    });
}

/// "Top up prepaid (cash)": the amount typed becomes prepaid value (no question: it only adds).
pub fn top_up() {
    let Some(currency) = with_till(|till| till.customer().and(till.currency())) else { return };
    let amount = match MinorUnits::parse(&views::sale::amount_text(), currency) {
        Ok(amount) => amount,
        Err(e) => return note(tf(Key::TopUpInvalid, &[("why", &invalid(Key::InvalidAmount, e))])),
    };
    let Some(fresh) = fresh_request_id() else { return };
    let Some((call, code, request_id)) = with_till(|till| till.start_top_up(amount, fresh)) else { return };
    render();
    spawn_local(async move {
        let result = flows::debit::top_up(&call.token, code, request_id, amount).await;
        let now = now_ms();
        match result {
            Ok(receipt) => {
                if with_till(|till| till.topped_up(call.turn, receipt, now)) {
                    views::sale::clear_amount();
                }
            }
            Err(failure) => with_till(|till| till.operation_failed(call.turn, failure, now)),
        }
        announce_result();
        render();
    });
}

/// A product button (by its `data-product-code`): one more of it on the sale.
pub fn add_product(product_code: &str) {
    let line = with_till(|till| {
        let info = till.info.as_ref()?;
        let product = info.products.iter().find(|p| p.product_code.as_str() == product_code)?;
        Some(LineItem {
            name: product.name.clone(),
            quantity: 1,
            unit_price: product.unit_price,
            product_code: Some(product.product_code.clone()),
        })
    });
    let Some(line) = line else { return };
    with_till(|till| {
        let refused = till.add_line(line).err();
        till.note(refused.unwrap_or_default());
    });
    render();
}

/// A line's × button (by its `data-line`, the line's index).
pub fn remove_line(index: &str) {
    if let Ok(index) = index.parse::<usize>() {
        with_till(|till| till.remove_line(index));
        render();
    }
}

/// "Add item": the typed "Other item" line.
pub fn add_other_item() {
    let Some(currency) = with_till(|till| till.currency()) else { return };
    let added = other_item::read(currency)
        .and_then(|line| with_till(|till| till.add_line(line)).map_err(other_item::Invalid::on_name));
    match added {
        Ok(()) => {
            render();
            other_item::added();
        }
        Err(invalid) => other_item::refused(&invalid),
    }
}

/// "Paid": the bill on screen was paid in cash.
pub fn pay_bill() {
    let Some(fresh) = request_id::fresh() else { return };
    let Some((call, code, request_id)) = with_till(|till| till.start_paying(fresh)) else { return };
    render();
    spawn_local(async move {
        let result = flows::bill::pay(&call.token, code, request_id).await;
        with_till(|till| till.bill_answered(call.turn, result, now_ms()));
        announce_result();
        render();
    });
}

/// "Next customer": a clean screen; the same code may then be read again. A question
/// still on the customer's phone is withdrawn, not left to time out.
pub fn next_customer() {
    if let Some((token, request)) = with_till(|till| till.next_customer()) {
        spawn_local(async move {
            let _ = flows::debit::withdraw(&token, &request).await;
        });
    }
    clear_sale_inputs();
    views::clear_typed_code();
    views::read_hint("");
    views::manual_error("");
    render();
}

/// The amount field changed: the points it would add.
pub fn amount_typed() {
    read_till(views::sale::render_preview);
}

pub fn print_receipt() {
    if let Some(window) = web_sys::window() {
        let _ = window.print();
    }
}
