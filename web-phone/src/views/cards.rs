//! Payment cards: the member saves a card for a shop that takes cards. The card's number, expiry
//! and CVC are typed into the card processor's own field (Stripe.js Elements, loaded from the
//! address the server names) and go to the processor only; Tessera gets back the processor's ids
//! and shows the brand and last 4 digits. Remove a card any time; with several, mark the one a card
//! sale offers first ("Make default"; otherwise the newest).

use crate::api;
use crate::dom;
use crate::ended::ended_by;
use crate::i18n::{t, tf, Key};
use crate::state::with_app;
use crate::views::messages::{clear_error, show_error, show_notice};
use domain::api::cards::{CardAuthentication, CardList, CardSetup, DefaultCard};
use domain::cards::CardId;
use domain::shop::ShopId;
use js_sys::{Function, Object, Promise, Reflect};
use std::cell::RefCell;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// The processor's script objects while a card is being added.
struct Adding {
    shop_id: ShopId,
    setup: CardSetup,
    stripe: JsValue,
    card: JsValue,
}

thread_local! {
    static ADDING: RefCell<Option<Adding>> = const { RefCell::new(None) };
}

/// The shop chosen in the list (a `<select>`: read through its `value`).
fn select_value() -> String {
    dom::element("cards-shop")
        .and_then(|select| Reflect::get(&select, &JsValue::from_str("value")).ok())
        .and_then(|value| value.as_string())
        .unwrap_or_default()
}

fn set_select_value(value: &str) {
    if let Some(select) = dom::element("cards-shop") {
        let _ = Reflect::set(&select, &JsValue::from_str("value"), &JsValue::from_str(value));
    }
}

fn selected_shop() -> Option<ShopId> {
    ShopId::parse(&select_value()).ok()
}

/// The shops to choose from: those the member joined.
pub fn render() {
    let shops: Vec<(String, String)> = with_app(|app| {
        app.wallet
            .as_ref()
            .map(|w| {
                w.memberships.iter().map(|m| (m.shop.shop_id.to_string(), m.shop.name.as_str().to_owned())).collect()
            })
            .unwrap_or_default()
    });
    dom::set_hidden("cards-panel", shops.is_empty());
    let Some(select) = dom::element("cards-shop") else { return };
    let current = select_value();
    let listed: Vec<String> = shops.iter().map(|(id, _)| id.clone()).collect();
    let shown = select.get_attribute("data-shops").unwrap_or_default();
    // A PIN set since changes what the panel offers: the list is shown again.
    let has_pin = with_app(|app| app.wallet.as_ref().is_some_and(|wallet| wallet.has_pin)).to_string();
    let pin_changed = select.get_attribute("data-has-pin").as_deref() != Some(has_pin.as_str());
    let _ = select.set_attribute("data-has-pin", &has_pin);
    if shown == listed.join(",") {
        if pin_changed {
            wasm_bindgen_futures::spawn_local(refresh());
        }
        return;
    }
    dom::clear_children("cards-shop");
    for (id, name) in &shops {
        if let Some(option) = dom::create_text("option", "", name) {
            let _ = option.set_attribute("value", id);
            let _ = select.append_child(&option);
        }
    }
    let _ = select.set_attribute("data-shops", &listed.join(","));
    if listed.contains(&current) {
        set_select_value(&current);
    }
    wasm_bindgen_futures::spawn_local(refresh());
}

fn show_list(list: &CardList) {
    dom::clear_children("cards-list");
    let Some(parent) = dom::element("cards-list") else { return };
    for card in &list.cards {
        let Some(item) = dom::create("li") else { continue };
        let _ = item.set_attribute("data-testid", "saved-card");
        let is_default = list.default_card.as_deref() == Some(card.payment_method_id.as_str());
        let _ = item.set_attribute("data-default", if is_default { "yes" } else { "no" });
        let label = if is_default && list.cards.len() > 1 {
            tf(Key::CardDefault, &[("card", &format!("{} •••• {}", card.brand, card.last4))])
        } else {
            format!("{} •••• {}", card.brand, card.last4)
        };
        let _ = dom::create_text("span", "", &label).and_then(|e| dom::append(&item, &e));
        if !is_default {
            if let Some(button) = dom::create_text("button", "button", t(Key::MakeDefault)) {
                let _ = button.set_attribute("type", "button");
                let _ = button.set_attribute("data-default-card", &card.payment_method_id);
                let _ = button.set_attribute("data-testid", "make-default-card");
                let _ = dom::append(&item, &button);
            }
        }
        if let Some(button) =
            dom::create_text("button", "button", web_shared::i18n::shared(web_shared::i18n::Shared::Remove))
        {
            let _ = button.set_attribute("type", "button");
            let _ = button.set_attribute("data-remove-card", &card.payment_method_id);
            let _ = dom::append(&item, &button);
        }
        let _ = parent.append_child(&item);
    }
    // Card payments are approved with the PIN, so a card is saved only once there is one.
    let has_pin = with_app(|app| app.wallet.as_ref().is_some_and(|wallet| wallet.has_pin));
    let status = match (list.accepts_cards, list.cards.is_empty(), has_pin) {
        (false, _, _) => t(Key::NoCardsAccepted),
        (true, true, false) => t(Key::SetPinFirst),
        (true, true, true) => t(Key::NoCardSaved),
        (true, false, _) if list.cards.len() > 1 => t(Key::PayByCardSeveral),
        (true, false, _) => t(Key::PayByCard),
    };
    dom::set_text("cards-status", status);
    dom::set_hidden("cards-add", !list.accepts_cards || !has_pin);
}

/// The saved cards of the chosen shop.
pub async fn refresh() {
    let Some(shop_id) = selected_shop() else { return };
    match api::cards(&shop_id).await {
        Ok(list) => show_list(&list),
        Err(failure) => {
            if !ended_by(&failure) {
                show_error(&crate::i18n::failure_text(&failure));
            }
        }
    }
}

fn get(target: &JsValue, name: &str) -> Result<JsValue, JsValue> {
    Reflect::get(target, &JsValue::from_str(name))
}

fn call(target: &JsValue, method: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let function: Function = get(target, method)?.dyn_into()?;
    let list = js_sys::Array::new();
    for arg in args {
        list.push(arg);
    }
    function.apply(target, &list)
}

/// Loads the processor's script once (from the address the server gave).
async fn load_script(url: &str) -> Result<(), JsValue> {
    if get(&js_sys::global(), "Stripe")?.is_function() {
        return Ok(());
    }
    let script = dom::create("script").ok_or_else(|| JsValue::from_str("no document"))?;
    let loaded = Promise::new(&mut |resolve, reject| {
        dom::on(&script, "load", move |_| {
            let _ = resolve.call0(&JsValue::NULL);
        });
        dom::on(&script, "error", move |_| {
            let _ = reject.call1(&JsValue::NULL, &JsValue::from_str("the card processor's script did not load"));
        });
    });
    script.set_attribute("src", url)?;
    let body = dom::document().and_then(|d| d.body()).ok_or_else(|| JsValue::from_str("no body"))?;
    body.append_child(&script)?;
    JsFuture::from(loaded).await.map(drop)
}

/// The processor's page script with the shop's publishable key (the script loaded once).
async fn processor_script(script_url: &str, publishable_key: &str) -> Result<JsValue, JsValue> {
    load_script(script_url).await?;
    let stripe_fn: Function = get(&js_sys::global(), "Stripe")?.dyn_into()?;
    stripe_fn.call1(&JsValue::NULL, &JsValue::from_str(publishable_key))
}

/// The bank's challenge (3-D Secure) on a card payment the member approved: the processor's page
/// script runs it with the payment's client secret (`confirmCardPayment`). How it ended is not
/// reported to the server: the server reads the payment back from the processor.
pub async fn authenticate_payment(authentication: &CardAuthentication) -> Result<(), String> {
    let run = async {
        let stripe = processor_script(&authentication.script_url, &authentication.publishable_key).await?;
        let promise: Promise =
            call(&stripe, "confirmCardPayment", &[JsValue::from_str(&authentication.client_secret)])?.dyn_into()?;
        let result = JsFuture::from(promise).await?;
        let error = get(&result, "error")?;
        if error.is_null() || error.is_undefined() {
            Ok(())
        } else {
            Err(error)
        }
    };
    run.await.map_err(|error| message_of(&error))
}

fn message_of(error: &JsValue) -> String {
    get(error, "message").ok().and_then(|m| m.as_string()).unwrap_or_else(|| t(Key::CardNotSaved).to_owned())
}

/// "Add a card": a SetupIntent from the server, the processor's card field mounted.
pub async fn start() {
    clear_error();
    let Some(shop_id) = selected_shop() else { return };
    dom::set_busy("cards-add", true);
    let setup = api::start_card_setup(&shop_id).await;
    dom::set_busy("cards-add", false);
    let setup = match setup {
        Ok(setup) => setup,
        Err(failure) => {
            if !ended_by(&failure) {
                show_error(&crate::i18n::failure_text(&failure));
            }
            return;
        }
    };
    let mounted = async {
        let stripe = processor_script(&setup.script_url, &setup.publishable_key).await?;
        let elements = call(&stripe, "elements", &[])?;
        let card = call(&elements, "create", &[JsValue::from_str("card")])?;
        dom::clear_children("card-element");
        dom::set_hidden("card-entry", false);
        let target = dom::element("card-element").ok_or_else(|| JsValue::from_str("no card field"))?;
        call(&card, "mount", &[target.into()])?;
        Ok::<_, JsValue>((stripe, card))
    }
    .await;
    match mounted {
        Ok((stripe, card)) => {
            ADDING.with(|adding| *adding.borrow_mut() = Some(Adding { shop_id, setup, stripe, card }));
        }
        Err(error) => show_error(&tf(Key::CardFieldFailed, &[("message", &message_of(&error))])),
    }
}

/// "Save card": the processor confirms the SetupIntent with what was typed; the server then
/// records the card it saved.
pub async fn save() {
    clear_error();
    let Some(adding) = ADDING.with(|adding| adding.borrow_mut().take()) else { return };
    dom::set_busy("cards-save", true);
    let confirmed = async {
        let data = Object::new();
        let method = Object::new();
        Reflect::set(&method, &"card".into(), &adding.card)?;
        Reflect::set(&data, &"payment_method".into(), &method)?;
        let promise: Promise =
            call(&adding.stripe, "confirmCardSetup", &[JsValue::from_str(&adding.setup.client_secret), data.into()])?
                .dyn_into()?;
        let result = JsFuture::from(promise).await?;
        let error = get(&result, "error")?;
        if error.is_null() || error.is_undefined() {
            Ok(())
        } else {
            Err(error)
        }
    }
    .await;
    if let Err(error) = confirmed {
        dom::set_busy("cards-save", false);
        show_error(&message_of(&error));
        // The same SetupIntent may be tried again with other details.
        ADDING.with(|slot| *slot.borrow_mut() = Some(adding));
        return;
    }
    let saved = api::finish_card_setup(&adding.shop_id, &adding.setup.setup_intent_id).await;
    dom::set_busy("cards-save", false);
    match saved {
        Ok(card) => {
            dom::set_hidden("card-entry", true);
            dom::clear_children("card-element");
            show_notice(&tf(Key::CardSaved, &[("card", &format!("{} •••• {}", card.brand, card.last4))]));
            refresh().await;
        }
        Err(failure) => {
            if !ended_by(&failure) {
                show_error(&crate::i18n::failure_text(&failure));
            }
        }
    }
}

/// "Remove" beside a card.
pub async fn remove(payment_method_id: String) {
    clear_error();
    let Some(shop_id) = selected_shop() else { return };
    match api::remove_card(&shop_id, &payment_method_id).await {
        Ok(()) => {
            show_notice(t(Key::CardRemoved));
            refresh().await;
        }
        Err(failure) => {
            if !ended_by(&failure) {
                show_error(&crate::i18n::failure_text(&failure));
            }
        }
    }
}

/// "Make default" beside a card: card sales at the shop offer it first.
pub async fn make_default(payment_method_id: String) {
    clear_error();
    let Some(shop_id) = selected_shop() else { return };
    let Ok(card) = CardId::parse(&payment_method_id) else { return };
    match api::mark_default_card(&shop_id, &DefaultCard { payment_method_id: card }).await {
        Ok(list) => {
            show_notice(t(Key::DefaultCardChanged));
            show_list(&list);
        }
        Err(failure) => {
            if !ended_by(&failure) {
                show_error(&crate::i18n::failure_text(&failure));
            }
        }
    }
}
