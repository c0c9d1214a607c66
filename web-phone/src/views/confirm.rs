//! The register's question, on top of whatever screen is open: "<shop> asks to
//! redeem <reward> for <points> points" or "<shop> asks you to pay <total>",
//! with the sale's lines, the coupon applied (the basket before it and its discount), a PIN (and
//! optional tip) for prepaid, Cancel / Approve. A card sale with several saved cards offers them
//! ("Pay with", the default first and chosen); the title names the card chosen.
//! The approval echoes exactly the question received (a card sale: with the card chosen, which it
//! names), so it can only approve that.

use crate::api::{self, Failure};
use crate::dom;
use crate::ended::ended_by;
use crate::i18n::{invalid, refused_text, t, tf, Key};
use crate::locale::money;
use crate::state::{points_text, sentence, with_app};
use crate::timing::{now_ms, sleep};
use crate::views::messages::show_notice;
use crate::views::receipts;
use domain::api::cards::SavedCard;
use domain::api::{
    ApprovalPasskeyRequest, ApproveRequest, CancelRequest, DebitOutcome, ErrorCode, PendingConfirmation,
};
use domain::cards::CardId;
use domain::confirmation::{Approval, Debit};
use domain::money::MinorUnits;
use domain::prepaid::Pin;
use domain::receipt::Receipt;
use std::cell::RefCell;
use wasm_bindgen_futures::spawn_local;

thread_local! {
    /// The saved card chosen to pay the card sale on screen.
    static CHOSEN: RefCell<Option<SavedCard>> = const { RefCell::new(None) };
}

/// The card a card sale's question offers first: the one it was asked with (the member's
/// default), else the first listed.
fn offered_card(prompt: &PendingConfirmation) -> Option<SavedCard> {
    let Debit::CardCharge { brand, last4, .. } = &prompt.debit else { return None };
    let asked = prompt.cards.iter().find(|card| &card.brand == brand && &card.last4 == last4);
    asked.or(prompt.cards.first()).cloned()
}

/// The debit as the screen shows it: a card sale by the card chosen.
fn shown_debit(prompt: &PendingConfirmation, chosen: Option<&SavedCard>) -> Debit {
    match (&prompt.debit, chosen) {
        (Debit::CardCharge { amount, .. }, Some(card)) => {
            Debit::CardCharge { amount: *amount, brand: card.brand.clone(), last4: card.last4.clone() }
        }
        (debit, _) => debit.clone(),
    }
}

fn chosen() -> Option<SavedCard> {
    CHOSEN.with(|chosen| chosen.borrow().clone())
}

/// Shows the oldest open question from the wallet (or hides the prompt).
pub fn sync() {
    let next = with_app(|app| {
        let wallet = app.wallet.as_ref()?;
        let skew = app.skew_ms;
        wallet
            .confirmations
            .iter()
            .find(|c| !app.answered.contains(&c.request_id) && c.expires_at - skew > now_ms())
            .cloned()
    });
    let current = with_app(|app| app.prompt.as_ref().map(|p| p.request_id.clone()));
    match next {
        Some(prompt) if Some(&prompt.request_id) == current.as_ref() => {}
        Some(prompt) => show(prompt),
        None if current.is_some() => hide(),
        None => {}
    }
}

fn title(prompt: &PendingConfirmation) -> String {
    let shop = prompt.shop_name.as_str();
    match &shown_debit(prompt, chosen().as_ref()) {
        Debit::Redeem { reward_name, points, .. } => {
            tf(Key::AsksRedeem, &[("shop", shop), ("reward", reward_name.as_str()), ("points", &points_text(*points))])
        }
        Debit::PrepaidCharge { amount } => {
            tf(Key::AsksPrepaid, &[("shop", shop), ("amount", &money(amount.0, prompt.currency))])
        }
        Debit::CardCharge { amount, last4, .. } => {
            tf(Key::AsksCard, &[("shop", shop), ("amount", &money(amount.0, prompt.currency)), ("last4", last4)])
        }
    }
}

/// "Pay with": one choice per saved card when there are several, the offered one chosen.
fn show_cards(prompt: &PendingConfirmation) {
    let offered = offered_card(prompt);
    CHOSEN.with(|chosen| *chosen.borrow_mut() = offered.clone());
    dom::clear_children("confirm-card-options");
    let several = prompt.cards.len() > 1;
    dom::set_hidden("confirm-cards", !several);
    let Some(options) = dom::element("confirm-card-options").filter(|_| several) else { return };
    for card in &prompt.cards {
        let (Some(label), Some(input)) = (dom::create("label"), dom::create("input")) else { continue };
        label.set_class_name("check");
        let _ = input.set_attribute("type", "radio");
        let _ = input.set_attribute("name", "confirm-card");
        let _ = input.set_attribute("data-card-id", &card.payment_method_id);
        let _ = input.set_attribute("data-last4", &card.last4);
        let _ = input.set_attribute("data-testid", "confirm-card");
        if offered.as_ref() == Some(card) {
            let _ = input.set_attribute("checked", "");
        }
        let _ = dom::append(&label, &input);
        let _ = dom::create_text("span", "", &format!("{} •••• {}", card.brand, card.last4))
            .and_then(|text| dom::append(&label, &text));
        let _ = options.append_child(&label);
    }
}

/// A card chosen under "Pay with": the title names it.
pub fn card_chosen(event: &web_sys::Event) {
    let Some(prompt) = with_app(|app| app.prompt.clone()) else { return };
    let Some(id) = crate::views::clicked(event, "data-card-id").and_then(|input| input.get_attribute("data-card-id"))
    else {
        return;
    };
    let card = prompt.cards.iter().find(|card| card.payment_method_id == id).cloned();
    if card.is_some() {
        CHOSEN.with(|chosen| *chosen.borrow_mut() = card);
        dom::set_text("confirm-title", &title(&prompt));
    }
}

fn show(prompt: PendingConfirmation) {
    show_cards(&prompt);
    dom::set_text("confirm-title", &title(&prompt));
    dom::clear_children("confirm-items");
    if let Some(list) = dom::element("confirm-items") {
        for item in &prompt.items {
            let line = format!("{} × {}", item.quantity, item.name.as_str());
            let total = money(Receipt::line_total(item).0, prompt.currency);
            if let Some(row) = dom::create("li") {
                let _ = dom::create_text("span", "", &line).and_then(|e| dom::append(&row, &e));
                let _ = dom::create_text("span", "", &total).and_then(|e| dom::append(&row, &e));
                let _ = list.append_child(&row);
            }
        }
    }
    dom::set_hidden("confirm-items", prompt.items.is_empty());
    let total = match &prompt.debit {
        Debit::PrepaidCharge { amount } | Debit::CardCharge { amount, .. } => {
            tf(Key::Total, &[("amount", &money(amount.0, prompt.currency))])
        }
        Debit::Redeem { points, .. } => tf(Key::Costs, &[("points", &points_text(*points))]),
    };
    dom::set_text("confirm-total", &total);
    // A coupon: the basket before it and what it takes off, above the total asked for.
    let coupon = prompt.coupon.as_ref().map(|applied| {
        let mut text = tf(
            Key::CouponApplied,
            &[
                ("basket", &money(applied.basket_minor, prompt.currency)),
                ("name", applied.name.as_str()),
                ("discount", &money(applied.discount_minor, prompt.currency)),
            ],
        );
        if applied.bonus_points > 0 {
            text.push_str(&tf(Key::CouponBonus, &[("points", &points_text(applied.bonus_points))]));
        }
        text
    });
    dom::set_hidden("confirm-coupon", coupon.is_none());
    dom::set_text("confirm-coupon", &coupon.unwrap_or_default());
    dom::set_hidden("confirm-pin-fields", !prompt.needs_pin);
    dom::set_hidden("confirm-passkey", true);
    if prompt.needs_pin && web_shared::passkey::supported() {
        spawn_local(offer_passkey(prompt.request_id.clone()));
    }
    for id in ["confirm-pin", "confirm-tip"] {
        dom::set_input_value(id, "");
    }
    dom::set_text("confirm-error", "");
    dom::set_attribute("confirm-view", "data-request-id", prompt.request_id.as_str());
    let generation = with_app(|app| {
        app.prompt = Some(prompt.clone());
        app.prompt_generation += 1;
        app.prompt_generation
    });
    dom::set_hidden("confirm-view", false);
    crate::device::buzz_for_question();
    let focus = if prompt.needs_pin { "confirm-pin" } else { "confirm-approve" };
    if let Some(field) = dom::element(focus) {
        let _ = field.focus();
    }
    spawn_local(count_down(prompt, generation));
}

fn hide() {
    with_app(|app| {
        app.prompt = None;
        app.prompt_generation += 1;
    });
    dom::set_hidden("confirm-view", true);
}

/// Counts the question down; at zero it is gone (the server treats silence as cancel).
async fn count_down(prompt: PendingConfirmation, generation: u32) {
    loop {
        if with_app(|app| app.prompt_generation) != generation {
            return;
        }
        let remaining = prompt.expires_at - with_app(|app| app.skew_ms) - now_ms();
        if remaining <= 0 {
            hide();
            show_notice(&tf(Key::RequestExpired, &[("shop", prompt.shop_name.as_str())]));
            return sync();
        }
        let seconds = ((remaining + 999) / 1000).to_string();
        dom::set_text("confirm-countdown", &tf(Key::AnswerWithin, &[("seconds", &seconds)]));
        sleep(250).await;
    }
}

fn answered(prompt: &PendingConfirmation) {
    with_app(|app| app.answered.push(prompt.request_id.clone()));
    hide();
    sync();
}

/// How the member proves it is them where a debit needs it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Proof {
    Pin,
    /// One of their passkeys, asked for this question (the device verifies its user).
    Passkey,
}

/// "Approve": the question exactly as received, with the PIN (and tip) if it needs them.
pub async fn approve() {
    approve_with(Proof::Pin).await;
}

/// "Approve with passkey instead": the same, the passkey standing for the PIN.
pub async fn approve_with_passkey() {
    approve_with(Proof::Passkey).await;
}

async fn approve_with(proof: Proof) {
    let Some(prompt) = with_app(|app| app.prompt.clone()) else { return };
    dom::set_text("confirm-error", "");
    let (pin, tip) = if prompt.needs_pin {
        let pin = match proof {
            Proof::Passkey => None,
            Proof::Pin => match Pin::parse(dom::input_value("confirm-pin").trim()) {
                Ok(pin) => Some(pin),
                Err(e) => return dom::set_text("confirm-error", &invalid(Key::InvalidPin, e)),
            },
        };
        let typed_tip = dom::input_value("confirm-tip");
        let tip = if typed_tip.trim().is_empty() {
            0
        } else {
            match MinorUnits::parse(&typed_tip, prompt.currency) {
                Ok(tip) => tip.0,
                Err(e) => {
                    let text = match crate::i18n::current() {
                        crate::i18n::Lang::En => tf(Key::TipError, &[("message", &sentence(e))]),
                        _ => t(Key::InvalidTip).to_owned(),
                    };
                    return dom::set_text("confirm-error", &text);
                }
            }
        };
        (pin, tip)
    } else {
        (None, 0)
    };
    // A card sale names the card chosen, and echoes it as the title showed it.
    let card = chosen().filter(|_| matches!(prompt.debit, Debit::CardCharge { .. }));
    let approval = Approval {
        request_id: prompt.request_id.clone(),
        debit: shown_debit(&prompt, card.as_ref()),
        tip,
        card: card.and_then(|card| CardId::parse(&card.payment_method_id).ok()),
    };
    let mut request = ApproveRequest { shop_id: prompt.shop_id.clone(), approval, pin, passkey: None };
    let button = if proof == Proof::Passkey { "confirm-passkey" } else { "confirm-approve" };
    dom::set_busy(button, true);
    if proof == Proof::Passkey {
        match passkey_answer(&prompt).await {
            Ok(answer) => request.passkey = Some(answer),
            Err(message) => {
                dom::set_busy(button, false);
                return dom::set_text("confirm-error", &sentence(&message));
            }
        }
    }
    let mut result = api::approve(&request).await;
    dom::set_busy(button, false);
    // The card's bank asks the customer to authenticate: its challenge runs here (the question
    // leaves the screen for it), then the same approval again makes the server read the payment
    // (a question being charged needs no second PIN or passkey: the answer was spent).
    if let Ok(Some(authentication)) = result.as_ref().map(|status| status.card_authentication.clone()) {
        answered(&prompt);
        show_notice(t(Key::BankAsks));
        if let Err(message) = crate::views::cards::authenticate_payment(&authentication).await {
            show_notice(&tf(Key::BankDidNotConfirm, &[("message", &sentence(&message))]));
        }
        request.passkey = None;
        result = api::approve(&request).await;
    }
    match result {
        Ok(status) if status.card_authentication.is_some() => {
            answered(&prompt);
            crate::views::messages::show_error(t(Key::WaitingForBank));
        }
        Ok(status) => {
            answered(&prompt);
            if let DebitOutcome::Concluded { receipt } = status.outcome {
                receipts::show(&receipt);
            }
        }
        Err(failure) if ended_by(&failure) => {}
        // A wrong PIN may be typed again (the server counts the attempts).
        Err(Failure::Refused(error)) if error.error == ErrorCode::WrongPin => {
            dom::set_input_value("confirm-pin", "");
            dom::set_text("confirm-error", &refused_text(&error));
        }
        // The passkey's answer was refused (another account's, or the challenge ran out): the
        // question stays open for another try or the PIN.
        Err(Failure::Refused(error)) if error.error == ErrorCode::WrongCredentials => {
            dom::set_text("confirm-error", &refused_text(&error));
        }
        // The card chosen is no longer saved (removed meanwhile): the question stays open for
        // another card, or Cancel.
        Err(Failure::Refused(error)) if error.error == ErrorCode::NoSavedCard => {
            dom::set_text("confirm-error", &refused_text(&error));
        }
        Err(failure @ Failure::Refused(_)) => {
            answered(&prompt);
            crate::views::messages::show_error(&crate::i18n::failure_text(&failure));
        }
        Err(failure) => dom::set_text("confirm-error", &crate::i18n::failure_text(&failure)),
    }
}

/// "Cancel": the register hears it at once.
pub async fn cancel() {
    let Some(prompt) = with_app(|app| app.prompt.clone()) else { return };
    let request = CancelRequest { shop_id: prompt.shop_id.clone(), request_id: prompt.request_id.clone() };
    dom::set_busy("confirm-cancel", true);
    let result = api::cancel(&request).await;
    dom::set_busy("confirm-cancel", false);
    match result {
        Ok(_) => {
            answered(&prompt);
            show_notice(t(Key::CancelledNothingChanged));
        }
        Err(failure) if ended_by(&failure) => {}
        Err(failure @ Failure::Refused(_)) => {
            answered(&prompt);
            crate::views::messages::show_error(&crate::i18n::failure_text(&failure));
        }
        Err(failure) => dom::set_text("confirm-error", &crate::i18n::failure_text(&failure)),
    }
}

/// Shows "Approve with passkey instead" if the member has a passkey (still for this question).
async fn offer_passkey(request_id: domain::shop::RequestId) {
    let has_passkey = api::passkeys().await.is_ok_and(|list| !list.passkeys.is_empty());
    let still_asked = with_app(|app| app.prompt.as_ref().is_some_and(|prompt| prompt.request_id == request_id));
    dom::set_hidden("confirm-passkey", !(has_passkey && still_asked));
}

/// The device's passkey answer to a challenge made for this question.
async fn passkey_answer(prompt: &PendingConfirmation) -> Result<domain::api::passkeys::PasskeySignInRequest, String> {
    let asked = ApprovalPasskeyRequest { shop_id: prompt.shop_id.clone(), request_id: prompt.request_id.clone() };
    let options = api::approval_passkey_options(&asked).await.map_err(|failure| crate::i18n::failure_text(&failure))?;
    web_shared::passkey::get(&options).await
}
