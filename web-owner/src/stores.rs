//! The shop's stores (branches) in the console: the calls that list, add,
//! rename and close them, the stores last loaded, and drawing them — the Stores
//! tab's rows (each open one with its name to edit, its offline prepaid limit and **Close
//! store**; a closed one only named) and the store choices, which offer open stores only
//! (pairing's is hidden while the shop has one open store). The buttons' flows are in
//! [`crate::flows`].

use crate::api::Failure;
use domain::api::routes;
use domain::api::stores::{AddStoreRequest, ChangeStoreRequest, StoreClosed, StoreList};
use domain::money::{AmountError, Currency, MinorUnits};
use domain::shop::Label;
use domain::store::{Store, StoreId};
use std::cell::RefCell;
use web_shared::dom;
use web_shared::http::{call, Auth};

thread_local! {
    /// The stores last loaded, with their shop's currency (for the offline limits).
    static STORES: RefCell<(Vec<Store>, Option<Currency>)> = const { RefCell::new((Vec::new(), None)) };
}

const NO_BODY: Option<&()> = None;

pub async fn list(shop_id: &str) -> Result<StoreList, Failure> {
    call("GET", &routes::owner_stores(shop_id), Auth::Session, NO_BODY).await
}

pub async fn add(shop_id: &str, name: Label) -> Result<Store, Failure> {
    call("POST", &routes::owner_stores(shop_id), Auth::Session, Some(&AddStoreRequest { name })).await
}

pub async fn change(shop_id: &str, store_id: &str, change: ChangeStoreRequest) -> Result<Store, Failure> {
    call("PATCH", &routes::owner_store(shop_id, store_id), Auth::Session, Some(&change)).await
}

pub async fn close(shop_id: &str, store_id: &str) -> Result<StoreClosed, Failure> {
    call("DELETE", &routes::owner_store(shop_id, store_id), Auth::Session, NO_BODY).await
}

/// Keeps the shop's stores (after loading them) and draws them.
pub fn remember(stores: Vec<Store>, currency: Option<Currency>) {
    STORES.with(|kept| *kept.borrow_mut() = (stores, currency));
    render();
}

/// Forgets the stores (another shop is opened).
pub fn forget() {
    remember(Vec::new(), None);
}

/// A store's name as loaded, else its id (before the list has arrived).
pub fn name_of(store_id: &StoreId) -> String {
    STORES.with(|kept| {
        kept.borrow()
            .0
            .iter()
            .find(|store| &store.store_id == store_id)
            .map_or_else(|| store_id.as_str().to_owned(), |store| store.name.as_str().to_owned())
    })
}

/// The store's name as loaded, if the shop has it and it is open.
pub fn open_name(store_id: &str) -> Option<String> {
    STORES.with(|kept| {
        kept.borrow()
            .0
            .iter()
            .find(|store| store.store_id.as_str() == store_id && store.is_open())
            .map(|store| store.name.as_str().to_owned())
    })
}

/// The id of the input holding a store's name in its row.
fn name_input_id(store_id: &str) -> String {
    format!("store-name-{store_id}")
}

/// The id of the input holding a store's offline debit limit in its row.
fn limit_input_id(store_id: &str) -> String {
    format!("store-limit-{store_id}")
}

/// The offline limit typed in the row of `store_id`, in minor units: empty or 0 for none.
pub fn typed_limit(store_id: &str, currency: Currency) -> Result<u64, String> {
    let typed = dom::input_value(&limit_input_id(store_id));
    if typed.trim().is_empty() {
        return Ok(0);
    }
    // Zero is a limit here ("none offline"), not the mistake it is as a sale's amount.
    match MinorUnits::parse(&typed, currency) {
        Ok(amount) => Ok(amount.0),
        Err(AmountError::Zero) => Ok(0),
        Err(error) => Err(format!("offline limit: {error}")),
    }
}

/// The name typed for the new store.
pub fn new_name() -> Result<Label, String> {
    Label::parse(&dom::input_value("store-add-name")).map_err(|error| format!("name: {error}"))
}

/// The name typed in the row of `store_id`.
pub fn typed_name(store_id: &str) -> Result<Label, String> {
    Label::parse(&dom::input_value(&name_input_id(store_id))).map_err(|error| format!("name: {error}"))
}

/// The store picked for a register being paired: the main store if there is no choice.
pub fn picked_for_pairing() -> StoreId {
    let picked = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("pair-store"))
        .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlSelectElement>(e).ok())
        .map(|select| select.value())
        .unwrap_or_default();
    StoreId::parse(&picked).unwrap_or_default()
}

fn render() {
    STORES.with(|kept| {
        let (stores, currency) = &*kept.borrow();
        rows(stores, *currency);
        choices(stores);
    });
}

/// A limit as typed in its input: "0" for none.
fn limit_text(limit_minor: u64, currency: Option<Currency>) -> String {
    let Some(currency) = currency else { return limit_minor.to_string() };
    MinorUnits::from_minor(limit_minor, currency).map_or_else(|_| "0".to_owned(), |amount| amount.decimal(currency))
}

fn rows(stores: &[Store], currency: Option<Currency>) {
    dom::clear_children("store-rows");
    let Some(list) = dom::element("store-rows") else { return };
    // The last open store cannot close: it offers no Close button.
    let closable = stores.iter().filter(|store| store.is_open()).count() > 1;
    for store in stores {
        let id = store.store_id.as_str();
        let Some(row) = dom::create("li") else { continue };
        let _ = row.set_attribute("data-store-id", id);
        if !store.is_open() {
            let _ = row.set_attribute("data-closed", "");
            if let Some(name) = dom::create_text("span", "", store.name.as_str()) {
                dom::append(&row, &name);
            }
            if let Some(code) = dom::create_text("code", "", id) {
                dom::append(&row, &code);
            }
            if let Some(state) = dom::create_text("span", "badge", "Closed") {
                dom::append(&row, &state);
            }
            dom::append(&list, &row);
            continue;
        }
        if let Some(label) = dom::create_text("label", "visually-hidden", &format!("Name of {id}")) {
            let _ = label.set_attribute("for", &name_input_id(id));
            dom::append(&row, &label);
        }
        if let Some(input) = dom::create("input") {
            let _ = input.set_attribute("id", &name_input_id(id));
            let _ = input.set_attribute("maxlength", "60");
            let _ = input.set_attribute("value", store.name.as_str());
            dom::append(&row, &input);
        }
        if let Some(code) = dom::create_text("code", "", id) {
            dom::append(&row, &code);
        }
        if let Some(button) = dom::create_text("button", "button", "Rename") {
            let _ = button.set_attribute("type", "button");
            let _ = button.set_attribute("data-rename", id);
            let _ = button.set_attribute("aria-label", &format!("Rename {}", store.name.as_str()));
            dom::append(&row, &button);
        }
        if let Some(limit) = limit_field(store, currency) {
            dom::append(&row, &limit);
        }
        if closable {
            if let Some(button) = dom::create_text("button", "button button-danger", "Close store") {
                let _ = button.set_attribute("type", "button");
                let _ = button.set_attribute("data-close", id);
                let _ = button.set_attribute("aria-label", &format!("Close {}", store.name.as_str()));
                dom::append(&row, &button);
            }
        }
        dom::append(&list, &row);
    }
}

/// The row's offline prepaid limit: its label, its input and **Set limit**, on a line of their own.
fn limit_field(store: &Store, currency: Option<Currency>) -> Option<web_sys::Element> {
    let id = store.store_id.as_str();
    let field = dom::create_text("div", "store-limit", "")?;
    let limit_id = limit_input_id(id);
    if let Some(label) = dom::create_text("label", "", "Offline prepaid limit per sale") {
        let _ = label.set_attribute("for", &limit_id);
        dom::append(&field, &label);
    }
    if let Some(input) = dom::create("input") {
        let _ = input.set_attribute("id", &limit_id);
        let _ = input.set_attribute("inputmode", "decimal");
        let _ = input.set_attribute("autocomplete", "off");
        let _ = input.set_attribute("value", &limit_text(store.offline_debit_limit_minor, currency));
        dom::append(&field, &input);
    }
    if let Some(button) = dom::create_text("button", "button", "Set limit") {
        let _ = button.set_attribute("type", "button");
        let _ = button.set_attribute("data-offline-limit", id);
        let _ =
            button.set_attribute("aria-label", &format!("Set the offline prepaid limit of {}", store.name.as_str()));
        dom::append(&field, &button);
    }
    Some(field)
}

/// The store selects: the pair form's (shown only when there is a choice), and
/// the Staff tab's for a new person and a manager's invite.
fn choices(stores: &[Store]) {
    let open: Vec<&Store> = stores.iter().filter(|store| store.is_open()).collect();
    for select_id in ["pair-store", "staff-store", "manager-invite-store"] {
        dom::clear_children(select_id);
        let Some(select) = dom::element(select_id) else { continue };
        for store in &open {
            if let Some(option) = dom::create_text("option", "", store.name.as_str()) {
                let _ = option.set_attribute("value", store.store_id.as_str());
                dom::append(&select, &option);
            }
        }
    }
    dom::set_hidden("pair-store-field", open.len() < 2);
}
