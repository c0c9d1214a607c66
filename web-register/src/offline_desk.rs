//! Working with no connection to the server (`docs/offline.md`). The register
//! keeps, while online, its shop's offline kit (public keys, revoked codes);
//! with it, an offline code a customer's phone shows is judged here
//! (`domain::offline::judge_offline`: signature with WebCrypto's Ed25519,
//! expiry, revocation list, this register's used-set), and a sale on it adds
//! points **provisionally**: the used-set entry and the queued event are written
//! in one IndexedDB transaction (`static/offline-store.js`), so they survive a
//! reload or a restart. A background loop uploads the queue in order, at most
//! [`MAX_EVENTS_PER_UPLOAD`] at a time, each event once by its request id,
//! and marks each sale confirmed, a conflict or refused. Debits never run
//! offline: the offline panel only adds points.
//!
//! A ticket's offline code (format version 2) at a gate needs no amount: it is judged with
//! `domain::offline_tickets::judge_offline_ticket` (the kit's events at this venue, and this
//! register's used-set by code and by ticket tag), shown ADMIT (provisional) or DENY, and
//! queued like a sale; the server counts each ticket's entries once at sync.
//!
//! A bill's offline code (format version 3) carries its amount, currency and due date: judged
//! with `domain::offline_bills::judge_offline_bill` (the store's offline limit from the kit —
//! none by default, and then the bill needs a network — and this register's used-set by code and
//! by bill tag), shown with its biller (from the kit) and **Paid (provisional)**; Paid queues
//! the payment with the used-set entries in one IndexedDB transaction. The bill's book decides
//! at sync whether it paid the bill. The words this adds are in [`bill_words`].
//!
//! A leaf beside `api`: the till tells it the register's token and info once
//! started ([`started`]) and hands it every text that looks like an offline code.

use crate::api::{self, Failure};
use crate::dom;
use crate::i18n::{t, tf, Key, Lang};
use crate::locale::money;
use crate::request_id;
use crate::timing::{now_ms, sleep};
use domain::api::offline::{OfflineEvent, OfflineKit, OfflineOutcome, OfflineSynced, OfflineUpload};
use domain::api::{ErrorCode, RegisterInfo};
use domain::money::{Currency, MinorUnits};
use domain::offline::{
    judge_offline, may_debit_offline, OfflineCode, OfflineError, OfflineEventKind, OfflineFacts, MAX_EVENTS_PER_UPLOAD,
};
use domain::offline_bills::{judge_offline_bill, OfflineBillCode, OfflineBillFacts};
use domain::offline_signed::SignedOfflineCode;
use domain::offline_tickets::{judge_offline_ticket, OfflineTicketCode, OfflineTicketFacts};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::spawn_local;
use web_shared::json::from_text;

/// How often the queue is looked at, and the kit refreshed (every `KIT_EVERY` looks).
const LOOK_EVERY_MS: i32 = 3_000;
const KIT_EVERY: u32 = 20;
const INFO_KEY: &str = "tessera-register-info";
/// The server's clock minus this computer's, measured at the last kit (kept across reloads).
const SKEW_KEY: &str = "tessera-register-skew";
const KIT_KEY: &str = "kit";

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = tesseraOffline, js_name = loadKit, catch)]
    async fn js_load_kit(key: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_namespace = tesseraOffline, js_name = saveKit, catch)]
    async fn js_save_kit(key: &str, json: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_namespace = tesseraOffline, js_name = verify, catch)]
    async fn js_verify(public_key: &str, signature: &str, message: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_namespace = tesseraOffline, js_name = isUsed, catch)]
    async fn js_is_used(code_id: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_namespace = tesseraOffline, js_name = accept, catch)]
    async fn js_accept(code_id: &str, event: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_namespace = tesseraOffline, js_name = admit, catch)]
    async fn js_admit(code_id: &str, ticket_tag: &str, entries_allowed: u32, event: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_namespace = tesseraOffline, js_name = admittedHere, catch)]
    async fn js_admitted_here(ticket_tag: &str, entries_allowed: u32) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_namespace = tesseraOffline, js_name = collect, catch)]
    async fn js_collect(code_id: &str, bill_tag: &str, event: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_namespace = tesseraOffline, js_name = billPaidHere, catch)]
    async fn js_bill_paid_here(bill_tag: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_namespace = tesseraOffline, js_name = queue, catch)]
    async fn js_queue() -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_namespace = tesseraOffline, js_name = settle, catch)]
    async fn js_settle(seq: f64, state: &str, result: &str) -> Result<JsValue, JsValue>;
}

/// One queued sale as IndexedDB keeps it.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Queued {
    seq: f64,
    /// The [`OfflineEvent`] as JSON text.
    event: String,
    /// `waiting`, `confirmed`, `conflict` or `refused`.
    state: String,
    /// The server's [`OfflineOutcome`] as JSON text, once synced.
    result: Option<String>,
}

#[derive(Default)]
struct Desk {
    token: String,
    currency: Option<Currency>,
    /// The code on the desk, judged valid, waiting for the amount.
    code: Option<(String, OfflineCode)>,
    /// The bill's code on the desk, judged valid, waiting for Paid.
    bill: Option<(String, OfflineBillCode)>,
    /// What this register may charge to a prepaid balance per sale offline (its store's limit,
    /// as of the last kit); 0 for nothing.
    debit_limit_minor: u64,
    /// Whether the last call reached the server.
    reachable: bool,
    /// Whether the loop that uploads the queue is running.
    syncing: bool,
}

thread_local! {
    static DESK: RefCell<Desk> = RefCell::new(Desk { reachable: true, ..Desk::default() });
}

fn with_desk<R>(f: impl FnOnce(&mut Desk) -> R) -> R {
    DESK.with(|desk| f(&mut desk.borrow_mut()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The register's info from its last start online, to start with when the server is unreachable.
pub fn kept_info() -> Option<RegisterInfo> {
    let text = web_sys::window()?.local_storage().ok().flatten()?.get_item(INFO_KEY).ok().flatten()?;
    from_text(&text)
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Now by the server's clock as last measured: expiry is judged, and sales are dated, with it,
/// so a till whose clock is off does not refuse good codes or upload unbelievable times.
fn server_now() -> i64 {
    let skew = storage()
        .and_then(|storage| storage.get_item(SKEW_KEY).ok().flatten())
        .and_then(|text| text.parse::<i64>().ok())
        .unwrap_or(0);
    (now_ms() as i64).saturating_add(skew)
}

fn keep_info(info: &RegisterInfo) {
    let storage = web_sys::window().and_then(|window| window.local_storage().ok().flatten());
    if let (Some(storage), Ok(text)) = (storage, serde_json::to_string(info)) {
        let _ = storage.set_item(INFO_KEY, &text);
    }
}

/// The till started (online, or offline from the kept info): keep what the desk
/// needs, follow reachability, and start the loop that syncs the queue and the kit.
pub fn started(token: &str, info: &RegisterInfo, online: bool) {
    if online {
        keep_info(info);
    }
    let start_loop = with_desk(|desk| {
        desk.token = token.to_owned();
        desk.currency = Some(info.shop.currency);
        !std::mem::replace(&mut desk.syncing, true)
    });
    web_shared::http::on_reachability(reachability);
    spawn_local(async move {
        // The limit as of the last kit, before this start's refresh: the register may be offline.
        if let Some(kit) = load_kit().await {
            note_limit(&kit);
        }
        reachability(online);
    });
    if start_loop {
        spawn_local(keep_in_sync());
    }
}

/// Says plainly when the server is out of reach, and what still works.
fn reachability(reached: bool) {
    with_desk(|desk| desk.reachable = reached);
    dom::set_hidden("connection-status", reached);
    dom::set_text(
        "connection-status",
        if reached {
            ""
        } else if with_desk(|desk| desk.debit_limit_minor) > 0 {
            t(Key::NoConnectionLimit)
        } else {
            t(Key::NoConnection)
        },
    );
}

/// The desk's words again in the page's language (after a switch): the connection line, the
/// amount's label and the queue.
pub fn speak() {
    reachability(with_desk(|desk| desk.reachable));
    let limit = with_desk(|desk| desk.debit_limit_minor);
    amount_label(limit);
    spawn_local(render_queue());
}

/// Whether `text` is an offline code (the till leaves it to this desk).
pub fn claims(text: &str) -> bool {
    OfflineCode::looks_like(text)
}

/// A camera read or typed text that is an offline code: judged here, with no network.
pub fn read(text: &str) {
    if OfflineBillCode::looks_like(text) {
        let same = with_desk(|desk| desk.bill.as_ref().is_some_and(|(shown, _)| shown == text));
        if !same {
            let text = text.to_owned();
            spawn_local(async move { bill(&text).await });
        }
        return;
    }
    if OfflineTicketCode::looks_like(text) {
        let text = text.to_owned();
        spawn_local(async move { gate(&text).await });
        return;
    }
    let same = with_desk(|desk| desk.code.as_ref().is_some_and(|(shown, _)| shown == text));
    if same {
        return;
    }
    let text = text.to_owned();
    spawn_local(async move {
        let verdict = judge(&text).await;
        show_verdict(&text, verdict);
    });
}

/// Keeps the kit's debit limit on the desk and offers the prepaid charge only within it.
fn note_limit(kit: &OfflineKit) {
    with_desk(|desk| desk.debit_limit_minor = kit.debit_limit_minor);
    dom::set_hidden("offline-charge-prepaid", kit.debit_limit_minor == 0);
    amount_label(kit.debit_limit_minor);
}

/// The offline amount's label: what may be recorded without the network.
fn amount_label(limit_minor: u64) {
    let label = match with_desk(|desk| desk.currency) {
        Some(currency) if limit_minor > 0 => tf(Key::OfflineAmountLimit, &[("amount", &money(limit_minor, currency))]),
        _ => t(Key::OfflineAmountPointsOnly).to_owned(),
    };
    dom::set_text("offline-amount-label", &label);
}

async fn load_kit() -> Option<OfflineKit> {
    let value = js_load_kit(KIT_KEY).await.ok()?;
    from_text(&value.as_string()?)
}

/// What the kit and this register's used-set say of any offline code: whether the kit knows
/// its key, whether the signature is good for the kit's shop, whether its holder revoked it,
/// and whether this register has taken it already.
struct KitChecks {
    key_known: bool,
    signature_ok: bool,
    revoked: bool,
    used_here: bool,
}

async fn check_with_kit(kit: Option<&OfflineKit>, code: &impl SignedOfflineCode) -> KitChecks {
    let code_id = code.code_id();
    KitChecks {
        key_known: kit.is_some_and(|kit| kit.keys.iter().any(|key| key.key_id == code.key_id())),
        signature_ok: signed_by_kit(kit, code).await,
        revoked: kit.is_some_and(|kit| kit.revoked.contains(&code_id)),
        used_here: js_is_used(&code_id.hex()).await.ok().and_then(|used| used.as_bool()).unwrap_or(false),
    }
}

/// The kit, with its debit limit noted on the desk (for the codes that take money).
async fn load_kit_noting_limit() -> Option<OfflineKit> {
    let kit = load_kit().await;
    if let Some(kit) = &kit {
        note_limit(kit);
    }
    kit
}

/// `judge_offline` with the facts this register has.
async fn judge(text: &str) -> Result<OfflineCode, OfflineError> {
    let code = OfflineCode::parse(text)?;
    let kit = load_kit_noting_limit().await;
    let KitChecks { key_known, signature_ok, revoked, used_here } = check_with_kit(kit.as_ref(), &code).await;
    let facts = OfflineFacts { signature_ok, key_known, revoked, used_here };
    judge_offline(&code, facts, server_now())?;
    Ok(code)
}

/// A ticket's offline code at this gate: judged with the kit (signature, revocation, expiry,
/// the event and its window) and this register's used-set (by code and by ticket), then, if
/// good, admitted provisionally and queued in one IndexedDB transaction. No amount to type.
async fn gate(text: &str) {
    dom::set_hidden("offline-panel", false);
    dom::set_hidden("offline-form", true);
    dom::set_hidden("offline-bill-paid", true);
    with_desk(|desk| {
        desk.code = None;
        desk.bill = None;
    });
    let verdict = judge_ticket(text).await;
    let admitted = match verdict {
        Ok((code, title)) => match request_id::fresh() {
            Some(request_id) => {
                let event = OfflineEvent {
                    request_id,
                    code: text.to_owned(),
                    kind: OfflineEventKind::Admission,
                    amount_minor: 0,
                    at: server_now(),
                };
                let json = serde_json::to_string(&event).unwrap_or_default();
                let answer =
                    js_admit(&code.code_id.hex(), &code.ticket_tag.hex(), u32::from(code.entries_allowed), &json)
                        .await
                        .ok()
                        .and_then(|answer| answer.as_string());
                match answer.as_deref() {
                    Some("ok") => Ok(title),
                    Some(_) => Err(OfflineError::AlreadyUsed),
                    None => Err(OfflineError::Unknown),
                }
            }
            None => Err(OfflineError::Unknown),
        },
        Err(error) => Err(error),
    };
    match admitted {
        Ok(title) => {
            dom::set_text("offline-verdict", &tf(Key::OfflineAdmit, &[("title", &title)]));
            dom::set_attribute("offline-panel", "data-verdict", "admit");
        }
        Err(error) => {
            dom::set_text("offline-verdict", &tf(Key::OfflineDeny, &[("why", crate::i18n::offline_error_text(error))]));
            dom::set_attribute("offline-panel", "data-verdict", "refused");
        }
    }
    render_queue().await;
}

/// `judge_offline_ticket` with the facts this gate has; the event's title when it admits.
async fn judge_ticket(text: &str) -> Result<(OfflineTicketCode, String), OfflineError> {
    let code = OfflineTicketCode::parse(text)?;
    let kit = load_kit().await;
    let KitChecks { key_known, signature_ok, revoked, used_here: code_used_here } =
        check_with_kit(kit.as_ref(), &code).await;
    let event = kit.as_ref().and_then(|kit| kit.events.iter().find(|event| event.event_tag == code.event_tag));
    let admitted_here = js_admitted_here(&code.ticket_tag.hex(), u32::from(code.entries_allowed))
        .await
        .ok()
        .and_then(|count| count.as_f64())
        .map_or(0, |count| count as u32);
    let facts = OfflineTicketFacts { signature_ok, key_known, revoked, code_used_here, admitted_here };
    judge_offline_ticket(&code, facts, event, server_now())?;
    let title = event.map(|event| event.event_title.as_str().to_owned()).unwrap_or_default();
    Ok((code, title))
}

/// A bill's offline code: judged with the kit (signature, revocation, expiry, the store's offline
/// limit) and this register's used-set (by code and by bill); if good, shown with **Paid**.
async fn bill(text: &str) {
    dom::set_hidden("offline-panel", false);
    dom::set_hidden("offline-form", true);
    with_desk(|desk| desk.code = None);
    match judge_bill(text).await {
        Ok((code, biller)) => {
            let currency = code.currency;
            dom::set_text(
                "offline-verdict",
                &bill_words::collect(&biller, money(code.amount_minor, currency), code.due_at),
            );
            dom::set_attribute("offline-panel", "data-verdict", "ok");
            dom::set_hidden("offline-bill-paid", false);
            with_desk(|desk| desk.bill = Some((text.to_owned(), code)));
        }
        Err(error) => {
            dom::set_text("offline-verdict", &bill_words::refused(error));
            dom::set_attribute("offline-panel", "data-verdict", "refused");
            dom::set_hidden("offline-bill-paid", true);
            with_desk(|desk| desk.bill = None);
        }
    }
}

/// `judge_offline_bill` with the facts this register has; the biller's name from the kit.
async fn judge_bill(text: &str) -> Result<(OfflineBillCode, String), OfflineError> {
    let code = OfflineBillCode::parse(text)?;
    let kit = load_kit_noting_limit().await;
    let KitChecks { key_known, signature_ok, revoked, used_here: code_used_here } =
        check_with_kit(kit.as_ref(), &code).await;
    let bill_paid_here =
        js_bill_paid_here(&code.bill_tag.hex()).await.ok().and_then(|paid| paid.as_bool()).unwrap_or(false);
    let (limit_minor, currency) = with_desk(|desk| (desk.debit_limit_minor, desk.currency));
    let facts = OfflineBillFacts {
        signature_ok,
        key_known,
        revoked,
        code_used_here,
        bill_paid_here,
        limit_minor,
        currency: currency.unwrap_or(code.currency),
    };
    judge_offline_bill(&code, facts, server_now())?;
    let biller = kit
        .as_ref()
        .and_then(|kit| kit.billers.iter().find(|biller| biller.biller_tag == code.biller_tag))
        .map(|biller| biller.biller.as_str().to_owned())
        .unwrap_or_default();
    Ok((code, biller))
}

/// "Paid (provisional)": the cashier took the money; the payment is queued with the code and
/// the bill marked collected here, in one transaction.
pub fn bill_paid() {
    let Some((text, code)) = with_desk(|desk| desk.bill.take()) else { return };
    dom::set_hidden("offline-bill-paid", true);
    let Some(request_id) = request_id::fresh() else { return };
    let event = OfflineEvent {
        request_id,
        code: text,
        kind: OfflineEventKind::BillPayment,
        amount_minor: code.amount_minor,
        at: server_now(),
    };
    spawn_local(async move {
        let Ok(json) = serde_json::to_string(&event) else { return };
        let answer =
            js_collect(&code.code_id.hex(), &code.bill_tag.hex(), &json).await.ok().and_then(|a| a.as_string());
        match answer.as_deref() {
            Some("ok") => {
                close();
                dom::set_text("offline-result", &bill_words::recorded(money(code.amount_minor, code.currency)));
                render_queue().await;
            }
            Some(_) => {
                dom::set_text("offline-verdict", &bill_words::refused(OfflineError::AlreadyUsed));
                dom::set_attribute("offline-panel", "data-verdict", "refused");
            }
            None => dom::set_text("offline-verdict", t(Key::BillNotRecorded)),
        }
    });
}

/// The register's words for bills offline.
mod bill_words {
    use crate::i18n::{t, tf, Key};
    use domain::offline::OfflineError;

    /// A good bill code: what to collect.
    pub fn collect(biller: &str, amount: String, due_at: i64) -> String {
        let due = web_shared::locale::date_time(due_at);
        let bill = if biller.is_empty() { t(Key::Bill).to_owned() } else { tf(Key::BillFrom, &[("biller", biller)]) };
        tf(Key::BillCollect, &[("bill", &bill), ("amount", &amount), ("due", &due)])
    }

    pub fn refused(error: OfflineError) -> String {
        match error {
            OfflineError::NeedsNetwork => t(Key::BillNeedsNetwork).to_owned(),
            OfflineError::OverOfflineLimit => t(Key::BillOverLimit).to_owned(),
            OfflineError::AlreadyUsed => t(Key::BillCollectedHere).to_owned(),
            other => tf(Key::BillNotAccepted, &[("why", crate::i18n::offline_error_text(other))]),
        }
    }

    pub fn recorded(amount: String) -> String {
        tf(Key::BillRecorded, &[("amount", &amount)])
    }
}

/// Whether `signature` over the message a code signs for the kit's shop verifies with the
/// kit's key `key_id` (WebCrypto); false without a kit or that key.
async fn signed_by_kit(kit: Option<&OfflineKit>, code: &impl SignedOfflineCode) -> bool {
    let Some(kit) = kit else { return false };
    let Some(key) = kit.keys.iter().find(|key| key.key_id == code.key_id()) else { return false };
    let message = hex(&code.signed_message(&kit.shop_id));
    js_verify(&key.public_key, &hex(code.signature()), &message).await.ok().and_then(|ok| ok.as_bool()) == Some(true)
}

fn refusal_text(error: OfflineError) -> String {
    match error {
        OfflineError::UnknownKey => t(Key::NotAcceptedNoKey).to_owned(),
        other => tf(Key::NotAcceptedWhy, &[("why", crate::i18n::offline_error_text(other))]),
    }
}

fn show_verdict(text: &str, verdict: Result<OfflineCode, OfflineError>) {
    dom::set_hidden("offline-panel", false);
    dom::set_hidden("offline-bill-paid", true);
    with_desk(|desk| desk.bill = None);
    match verdict {
        Ok(code) => {
            let until = web_shared::locale::date_time(code.expires_at);
            dom::set_text("offline-verdict", &tf(Key::OfflineChecked, &[("until", &until)]));
            dom::set_attribute("offline-panel", "data-verdict", "ok");
            dom::set_hidden("offline-form", false);
            with_desk(|desk| desk.code = Some((text.to_owned(), code)));
            if let Some(amount) = dom::element("offline-amount") {
                let _ = amount.focus();
            }
        }
        Err(error) => {
            dom::set_text("offline-verdict", &refusal_text(error));
            dom::set_attribute("offline-panel", "data-verdict", "refused");
            dom::set_hidden("offline-form", true);
            with_desk(|desk| desk.code = None);
        }
    }
}

/// "Close" on the offline panel.
pub fn close() {
    with_desk(|desk| {
        desk.code = None;
        desk.bill = None;
    });
    dom::set_hidden("offline-bill-paid", true);
    dom::set_hidden("offline-panel", true);
    dom::set_input_value("offline-amount", "");
}

/// "Add points (provisional)": the sale goes into the queue with the code marked used.
pub fn add_points() {
    record(OfflineEventKind::Points);
}

/// "Charge prepaid (provisional)": within the store's offline limit only; the charge is made
/// when the server has it (refused then if the balance is short).
pub fn charge_prepaid() {
    record(OfflineEventKind::PrepaidCharge);
}

fn record(kind: OfflineEventKind) {
    let Some(((text, code), currency)) = with_desk(|desk| desk.code.clone().zip(desk.currency)) else { return };
    let amount = match MinorUnits::parse(&dom::input_value("offline-amount"), currency) {
        Ok(amount) => amount,
        Err(error) => {
            let why = match crate::i18n::current() {
                Lang::En => error.to_string(),
                _ => t(Key::InvalidAmount).to_owned(),
            };
            dom::set_text("offline-verdict", &why);
            return;
        }
    };
    let limit = with_desk(|desk| desk.debit_limit_minor);
    if kind.is_debit() && !may_debit_offline(amount.0, limit) {
        dom::set_text("offline-verdict", &tf(Key::OverOfflineLimit, &[("amount", &money(limit, currency))]));
        return;
    }
    let Some(request_id) = request_id::fresh() else { return };
    let event = OfflineEvent { request_id, code: text, kind, amount_minor: amount.0, at: server_now() };
    spawn_local(async move {
        let Ok(json) = serde_json::to_string(&event) else { return };
        let accepted = js_accept(&code.code_id.hex(), &json).await.ok().and_then(|ok| ok.as_bool());
        match accepted {
            Some(true) => {
                close();
                let recorded = match kind {
                    OfflineEventKind::Points => tf(Key::ProvisionalPoints, &[("amount", &money(amount.0, currency))]),
                    OfflineEventKind::PrepaidCharge => {
                        tf(Key::ProvisionalPrepaid, &[("amount", &money(amount.0, currency))])
                    }
                    OfflineEventKind::Admission => t(Key::ProvisionalAdmission).to_owned(),
                    // Bills are recorded by `bill_paid`, not here.
                    OfflineEventKind::BillPayment => String::new(),
                };
                dom::set_text("offline-result", &recorded);
                render_queue().await;
            }
            Some(false) => show_verdict("", Err(OfflineError::AlreadyUsed)),
            None => dom::set_text("offline-verdict", t(Key::CouldNotRecord)),
        }
    });
}

async fn queued() -> Vec<Queued> {
    let Ok(value) = js_queue().await else { return Vec::new() };
    value.as_string().and_then(|text| from_text(&text)).unwrap_or_default()
}

/// Uploads waiting sales (in order, in chunks) and refreshes the kit, for as long as the page lives.
async fn keep_in_sync() {
    let mut looks: u32 = 0;
    loop {
        let token = with_desk(|desk| desk.token.clone());
        if looks.is_multiple_of(KIT_EVERY) {
            refresh_kit(&token).await;
        }
        looks = looks.wrapping_add(1);
        let waiting: Vec<Queued> = queued().await.into_iter().filter(|entry| entry.state == "waiting").collect();
        if !waiting.is_empty() {
            let synced = upload(&token, waiting).await;
            render_queue().await;
            if synced {
                // A sync may follow a revocation the register has not seen: the kit again.
                refresh_kit(&token).await;
                continue;
            }
        } else {
            render_queue().await;
        }
        sleep(LOOK_EVERY_MS).await;
    }
}

async fn refresh_kit(token: &str) {
    let asked_at = now_ms() as i64;
    if let Ok(kit) = api::offline_kit(token).await {
        // The kit's time, against the middle of the round trip.
        let here = (asked_at + now_ms() as i64) / 2;
        if let Some(storage) = storage() {
            let _ = storage.set_item(SKEW_KEY, &(kit.now - here).to_string());
        }
        if let Ok(json) = serde_json::to_string(&kit) {
            let _ = js_save_kit(KIT_KEY, &json).await;
        }
        note_limit(&kit);
    }
}

/// Sends `waiting` in chunks, in order; true if every chunk went through.
async fn upload(token: &str, waiting: Vec<Queued>) -> bool {
    let total = waiting.len();
    let mut sent = 0usize;
    for chunk in waiting.chunks(MAX_EVENTS_PER_UPLOAD) {
        let progress = tf(Key::SendingOffline, &[("sent", &sent.to_string()), ("total", &total.to_string())]);
        dom::set_text("offline-queue-status", &progress);
        let events: Vec<OfflineEvent> = chunk.iter().filter_map(|entry| from_text(&entry.event)).collect();
        let answer: Result<OfflineSynced, Failure> = api::offline_upload(token, &OfflineUpload { events }).await;
        let synced = match answer {
            Ok(synced) => synced,
            Err(failure) => {
                if failure.is(ErrorCode::RegisterRevoked) {
                    dom::set_text("offline-queue-status", t(Key::RemovedNotSent));
                }
                return false;
            }
        };
        for entry in chunk {
            let Some(event) = from_text::<OfflineEvent>(&entry.event) else { continue };
            let Some(result) = synced.results.iter().find(|result| result.request_id == event.request_id) else {
                continue;
            };
            let state = match result.outcome {
                OfflineOutcome::Confirmed { .. }
                | OfflineOutcome::Admitted { .. }
                | OfflineOutcome::BillPaid { .. } => "confirmed",
                OfflineOutcome::Conflict { .. }
                | OfflineOutcome::AdmissionConflict { .. }
                | OfflineOutcome::BillConflict { .. } => "conflict",
                OfflineOutcome::Refused { .. } => "refused",
            };
            let json = serde_json::to_string(&result.outcome).unwrap_or_default();
            let _ = js_settle(entry.seq, state, &json).await;
        }
        sent = sent.saturating_add(chunk.len());
    }
    true
}

fn describe(entry: &Queued, currency: Option<Currency>) -> String {
    let event: Option<OfflineEvent> = from_text(&entry.event);
    let admission = event.as_ref().is_some_and(|event| event.kind == OfflineEventKind::Admission);
    let bill = event.as_ref().is_some_and(|event| event.kind == OfflineEventKind::BillPayment);
    let amount = match (&event, currency) {
        (_, _) if admission => t(Key::QueueAdmission).to_owned(),
        (Some(event), Some(currency)) if bill => {
            tf(Key::QueueBill, &[("amount", &money(event.amount_minor, currency))])
        }
        (Some(event), Some(currency)) => money(event.amount_minor, currency),
        _ => String::new(),
    };
    let prepaid = event.as_ref().is_some_and(|event| event.kind == OfflineEventKind::PrepaidCharge);
    let what = if prepaid { t(Key::QueuePrepaid) } else { "" };
    let at = event.as_ref().map(|event| web_shared::locale::date_time(event.at)).unwrap_or_default();
    let outcome: Option<OfflineOutcome> = entry.result.as_deref().and_then(from_text);
    let status = match outcome {
        None => t(Key::QueueWaiting).to_owned(),
        Some(OfflineOutcome::Confirmed { customer_number, points_added, receipt_number, prepaid_after, .. }) => {
            let change = match (prepaid_after, currency) {
                (Some(after), Some(currency)) => {
                    let left = MinorUnits::from_minor(after, currency)
                        .map_or_else(|_| "0".to_owned(), |left| money(left.0, currency));
                    tf(Key::QueueCharged, &[("amount", &left)])
                }
                _ => tf(Key::QueuePoints, &[("n", &points_added.to_string())]),
            };
            let receipt = receipt_number
                .map(|number| tf(Key::QueueReceipt, &[("receipt", &number.to_string())]))
                .unwrap_or_default();
            tf(
                Key::QueueConfirmed,
                &[("customer", &customer_number.to_string()), ("change", &change), ("receipt", &receipt)],
            )
        }
        Some(OfflineOutcome::Conflict { first }) => {
            let nothing = t(if prepaid { Key::QueueNothingCharged } else { Key::QueueNoPoints });
            tf(Key::QueueNotGranted, &[("register", &first.register_id.to_string()), ("nothing", nothing)])
        }
        Some(OfflineOutcome::Admitted { event_title, entries_left }) => {
            tf(Key::QueueAdmissionConfirmed, &[("title", event_title.as_str()), ("n", &entries_left.to_string())])
        }
        Some(OfflineOutcome::AdmissionConflict { first }) => tf(
            Key::QueueAdmissionConflict,
            &[("at", &web_shared::locale::date_time(first.at)), ("gate", &first.gate.to_string())],
        ),
        Some(OfflineOutcome::BillPaid { biller, reference, .. }) => {
            tf(Key::QueueBillPaid, &[("biller", biller.as_str()), ("reference", reference.as_str())])
        }
        Some(OfflineOutcome::BillConflict { biller, reference, first, .. }) => {
            let words = [("biller", biller.as_str()), ("reference", reference.as_str())];
            match first {
                Some(first) => tf(Key::QueueBillPaidFirst, &[words[0], words[1], ("shop", first.shop.as_str())]),
                None => tf(Key::QueueBillCancelled, &words),
            }
        }
        Some(OfflineOutcome::Refused { reason }) => tf(Key::QueueRefused, &[("why", &reason.to_string())]),
    };
    format!("{at} · {amount}{what} · {status}")
}

/// The queue under the manual entry: newest first, with a summary line.
async fn render_queue() {
    let entries = queued().await;
    let currency = with_desk(|desk| desk.currency);
    let waiting = entries.iter().filter(|entry| entry.state == "waiting").count();
    let reachable = with_desk(|desk| desk.reachable);
    let summary = match (entries.is_empty(), waiting, reachable) {
        (true, _, _) => String::new(),
        (false, 0, _) => tf(Key::AllSent, &[("n", &entries.len().to_string())]),
        (false, n, false) => tf(Key::WaitingConnection, &[("n", &n.to_string())]),
        (false, n, true) => tf(Key::WaitingToSend, &[("n", &n.to_string())]),
    };
    dom::set_text("offline-queue-status", &summary);
    dom::set_attribute("offline-queue-status", "data-waiting", &waiting.to_string());
    dom::clear_children("offline-queue");
    let Some(list) = dom::element("offline-queue") else { return };
    for entry in entries.iter().rev().take(20) {
        if let Some(item) = dom::create_text("li", &format!("offline-{}", entry.state), &describe(entry, currency)) {
            let _ = item.set_attribute("data-state", &entry.state);
            dom::append(&list, &item);
        }
    }
}
