//! The Staff tab (owners only): the shop's managers and cashiers — add one
//! with a name, role, store and first PIN, reset a PIN, remove — the refund
//! amount above which a manager's PIN is needed, and a store manager's console
//! invite. And the console of a store manager: their stores in the shop list,
//! and only the Products and Registers tabs of a shop they manage.

use crate::console::{absolute, fail, open_shop_id};
use crate::state::Tab;
use crate::views;
use domain::api::owner_accounts::{OwnerMe, ShopSettingsPatch};
use domain::api::routes;
use domain::api::staff::{
    ManagerInviteCreated, ManagerInviteRequest, NewStaffRequest, ResetPinRequest, StaffList, StaffMember,
};
use domain::money::MinorUnits;
use domain::shop::Label;
use domain::staff::{RefundApprovalLimit, Role, StaffNumber, StaffPin};
use domain::store::StoreId;
use std::cell::RefCell;
use wasm_bindgen_futures::spawn_local;
use web_shared::http::{call, send, Auth, Failure};
use web_shared::{dom, locale};
use web_sys::Element;

const NO_BODY: Option<&()> = None;

thread_local! {
    /// The person whose PIN the reset form is for.
    static RESETTING: RefCell<Option<StaffNumber>> = const { RefCell::new(None) };
}

/// Wires the tab's forms and buttons (called once from `start`).
pub fn wire() {
    on_submit("staff-form", add);
    on_submit("staff-pin-form", reset_pin);
    on_submit("refund-limit-form", save_refund_limit);
    on_submit("manager-invite-form", invite_manager);
    dom::on_id("staff-pin-cancel", "click", |_| close_pin_form());
    dom::on_id("staff-rows", "click", |event| {
        if let Some((_, number)) = views::clicked_button(&event, "data-staff-reset") {
            open_pin_form(&number);
        } else if let Some((_, number)) = views::clicked_button(&event, "data-staff-remove") {
            spawn_local(remove(number));
        }
    });
}

fn on_submit<F: std::future::Future<Output = ()> + 'static>(id: &str, handler: fn() -> F) {
    dom::on_id(id, "submit", move |event| {
        event.prevent_default();
        spawn_local(handler());
    });
}

/// A store manager (not an owner) of `shop_id`: sees only Products and Registers.
pub fn manages_only(me: Option<&OwnerMe>, shop_id: &str) -> bool {
    me.is_some_and(|me| {
        !me.operator
            && !me.shops.iter().any(|shop| shop.shop_id.as_str() == shop_id)
            && me.manages.iter().any(|managed| managed.shop.shop_id.as_str() == shop_id)
    })
}

/// The tabs the account may open in this shop; the first one shown.
pub fn tabs_for(manager_only: bool) -> Tab {
    for tab in [Tab::Settings, Tab::Rewards, Tab::Staff] {
        dom::set_hidden(tab.ids().0, manager_only);
    }
    if manager_only {
        Tab::Products
    } else {
        Tab::Settings
    }
}

/// The stores a manager runs, listed under the shops (opened like a shop).
pub fn managed_stores(me: &OwnerMe) {
    let Some(list) = dom::element("shop-list") else { return };
    for managed in &me.manages {
        let Some(item) = dom::create("li") else { continue };
        let label = format!("{} — store {} (manager)", managed.shop.name.as_str(), managed.store_id.as_str());
        if let Some(text) = dom::create_text("span", "", &label) {
            dom::append(&item, &text);
        }
        if let Some(open) = button("Open", "data-shop-id", managed.shop.shop_id.as_str(), "button") {
            let _ = open.set_attribute("aria-label", &format!("Open {}", managed.shop.name.as_str()));
            dom::append(&item, &open);
        }
        dom::append(&list, &item);
    }
    if !me.manages.is_empty() {
        dom::set_hidden("no-shops", true);
    }
}

fn button(text: &str, attribute: &str, value: &str, class: &str) -> Option<Element> {
    let button = dom::create_text("button", class, text)?;
    let _ = button.set_attribute("type", "button");
    let _ = button.set_attribute(attribute, value);
    Some(button)
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Manager => "Manager",
        Role::Cashier => "Cashier",
    }
}

fn draw(staff: &[StaffMember]) {
    dom::clear_children("staff-rows");
    let Some(rows) = dom::element("staff-rows") else { return };
    for person in staff {
        let Some(row) = dom::create("tr") else { continue };
        let number = person.staff_number.to_string();
        let state = match person.locked_until {
            Some(until) => format!("locked until {}", locale::date_time(until)),
            None => String::new(),
        };
        let store = crate::stores::name_of(&person.store_id);
        dom::append_text_cells(&row, &[number.as_str(), person.name.as_str(), role_name(person.role), &store, &state]);
        if let Some(cell) = dom::create("td") {
            let name = person.name.as_str();
            if let Some(reset) = button("Reset PIN", "data-staff-reset", &number, "button") {
                let _ = reset.set_attribute("aria-label", &format!("Reset {name}'s PIN"));
                dom::append(&cell, &reset);
            }
            if let Some(remove) = button("Remove", "data-staff-remove", &number, "button button-danger") {
                let _ = remove.set_attribute("aria-label", &format!("Remove {name}"));
                dom::append(&cell, &remove);
            }
            dom::append(&row, &cell);
        }
        dom::append(&rows, &row);
    }
    let status = if staff.is_empty() {
        "No staff yet: registers work without anyone signing in. Add a person below."
    } else {
        "Registers need someone signed in (staff number and PIN) to sell and refund."
    };
    dom::set_text("staff-status", status);
}

/// Opens the tab: the list, and the refund limit as the shop has it.
pub async fn load() {
    let Some((shop_id, currency)) = open_shop_id() else { return };
    if let Ok(shop) =
        call::<domain::api::ShopSummary>("GET", &routes::owner_shop(&shop_id), Auth::Session, NO_BODY).await
    {
        let limit = shop.programme.refund_approval_above.above().map(|minor| MinorUnits(minor).decimal(currency));
        dom::set_input_value("refund-limit", &limit.unwrap_or_default());
    }
    refresh(&shop_id).await;
}

async fn refresh(shop_id: &str) {
    match call::<StaffList>("GET", &routes::owner_staff(shop_id), Auth::Session, NO_BODY).await {
        Ok(list) => draw(&list.staff),
        Err(failure) => fail(&failure),
    }
}

fn new_person() -> Result<NewStaffRequest, String> {
    let name = Label::parse(&dom::input_value("staff-name")).map_err(|e| format!("Name: {e}"))?;
    let role = Role::parse(&views::field_value("staff-role")).ok_or("Role: choose manager or cashier")?;
    let store = views::field_value("staff-store");
    let store_id = match store.trim() {
        "" => StoreId::main(),
        typed => StoreId::parse(typed).map_err(|e| format!("Store: {e}"))?,
    };
    let pin = StaffPin::parse(&dom::input_value("staff-pin")).map_err(|e| format!("PIN: {e}"))?;
    Ok(NewStaffRequest { name, role, store_id, pin })
}

async fn add() {
    views::clear_messages();
    let Some((shop_id, _)) = open_shop_id() else { return };
    let request = match new_person() {
        Ok(request) => request,
        Err(message) => return views::error(&message),
    };
    dom::set_busy("staff-submit", true);
    let result = call::<StaffMember>("POST", &routes::owner_staff(&shop_id), Auth::Session, Some(&request)).await;
    dom::set_busy("staff-submit", false);
    match result {
        Ok(person) => {
            for id in ["staff-name", "staff-pin"] {
                dom::set_input_value(id, "");
            }
            views::notice(&format!(
                "{} is staff number {}: they sign in at a register with it and their PIN.",
                person.name.as_str(),
                person.staff_number
            ));
            refresh(&shop_id).await;
        }
        Err(failure) => fail(&failure),
    }
}

fn open_pin_form(number: &str) {
    let Ok(number) = StaffNumber::parse(number) else { return };
    RESETTING.with(|r| *r.borrow_mut() = Some(number));
    dom::set_text("staff-pin-who", &format!("New PIN for staff number {number}"));
    dom::set_input_value("staff-new-pin", "");
    dom::set_hidden("staff-pin-form", false);
    if let Some(input) = dom::element("staff-new-pin") {
        let _ = input.focus();
    }
}

fn close_pin_form() {
    RESETTING.with(|r| *r.borrow_mut() = None);
    dom::set_hidden("staff-pin-form", true);
}

async fn reset_pin() {
    views::clear_messages();
    let (Some((shop_id, _)), Some(number)) = (open_shop_id(), RESETTING.with(|r| *r.borrow())) else { return };
    let pin = match StaffPin::parse(&dom::input_value("staff-new-pin")) {
        Ok(pin) => pin,
        Err(error) => return views::error(&format!("PIN: {error}")),
    };
    let path = routes::owner_staff_pin(&shop_id, &number.to_string());
    match send("PUT", &path, Auth::Session, Some(&ResetPinRequest { pin })).await {
        Ok(_) => {
            close_pin_form();
            views::notice(&format!("Staff number {number} has a new PIN; their open sessions at the registers ended."));
            refresh(&shop_id).await;
        }
        Err(failure) => fail(&failure),
    }
}

async fn remove(number: String) {
    views::clear_messages();
    let Some((shop_id, _)) = open_shop_id() else { return };
    match send("DELETE", &routes::owner_staff_member(&shop_id, &number), Auth::Session, NO_BODY).await {
        Ok(_) => {
            views::notice(&format!("Staff number {number} is removed and signed out of every register."));
            refresh(&shop_id).await;
        }
        Err(failure) => fail(&failure),
    }
}

async fn save_refund_limit() {
    views::clear_messages();
    let Some((shop_id, currency)) = open_shop_id() else { return };
    let typed = dom::input_value("refund-limit");
    let limit = match typed.trim() {
        "" | "0" => Ok(RefundApprovalLimit::NONE),
        typed => MinorUnits::parse(typed, currency)
            .map_err(|e| e.to_string())
            .and_then(|amount| RefundApprovalLimit::new(amount.0).map_err(|e| e.to_string())),
    };
    let limit = match limit {
        Ok(limit) => limit,
        Err(message) => return views::error(&format!("Refund limit: {message}")),
    };
    let patch = ShopSettingsPatch { refund_approval_above: Some(limit), ..ShopSettingsPatch::default() };
    let saved: Result<domain::api::ShopSummary, Failure> =
        call("PATCH", &routes::owner_shop(&shop_id), Auth::Session, Some(&patch)).await;
    match saved {
        Ok(shop) => {
            let said = match shop.programme.refund_approval_above.above() {
                Some(minor) => format!("refunds above {} need a manager's PIN", locale::money(minor, currency)),
                None => "no refund needs a manager's approval".to_owned(),
            };
            views::notice(&format!("Saved: {said}."));
        }
        Err(failure) => fail(&failure),
    }
}

async fn invite_manager() {
    views::clear_messages();
    let Some((shop_id, _)) = open_shop_id() else { return };
    let store = views::field_value("manager-invite-store");
    let store_id = match store.trim() {
        "" => StoreId::main(),
        typed => match StoreId::parse(typed) {
            Ok(store) => store,
            Err(error) => return views::error(&format!("Store: {error}")),
        },
    };
    let request = ManagerInviteRequest { store_id };
    let path = routes::owner_manager_invites(&shop_id);
    match call::<ManagerInviteCreated>("POST", &path, Auth::Session, Some(&request)).await {
        Ok(invite) => {
            dom::set_input_value("manager-invite-link", &absolute(&invite.invite_path));
            dom::set_hidden("manager-invite-link", false);
            if let Some(input) = dom::input("manager-invite-link") {
                let _ = input.focus();
                input.select();
            }
            views::notice(&format!(
                "Send this link to the manager of store {}: it works once, for 7 days.",
                invite.store_id.as_str()
            ));
        }
        Err(failure) => fail(&failure),
    }
}
