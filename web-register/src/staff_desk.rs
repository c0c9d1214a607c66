//! Who works this register. In a shop with staff a cashier (or manager) signs
//! in with their staff number and PIN before selling or refunding; the header
//! then names them, with **Sign out** (F9). A shop without staff never sees
//! the sign-in. The session itself is `staff_session`; this is its screen and
//! handlers (wired in `lib.rs`).

use crate::api;
use crate::dom;
use crate::i18n::{failure_text, t, tf, Key};
use crate::staff_session;
use crate::state::read_till;
use domain::api::staff::{OnDuty, StaffSignInRequest};
use domain::staff::StaffNumber;
use std::cell::RefCell;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;

/// What the register knows of its staff.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Duty {
    /// The shop has staff: someone must be signed in to sell.
    pub required: bool,
    pub on_duty: Option<OnDuty>,
}

impl Duty {
    /// Whether the sign-in must show.
    pub fn needs_sign_in(&self) -> bool {
        self.required && self.on_duty.is_none()
    }

    /// The header's line: who serves.
    pub fn label(&self) -> Option<String> {
        let served_by = web_shared::i18n::Shared::ServedBy;
        self.on_duty.as_ref().map(|duty| web_shared::i18n::shared_with(served_by, &[("name", &duty.staff.to_string())]))
    }
}

thread_local! {
    static DUTY: RefCell<Duty> = RefCell::new(Duty::default());
}

fn token() -> String {
    read_till(|till| till.token.clone()).unwrap_or_default()
}

fn set(duty: Duty) {
    DUTY.with(|cell| *cell.borrow_mut() = duty);
    render();
}

/// The header's line again in the page's language (after a switch).
pub fn speak() {
    render();
}

fn render() {
    let duty = DUTY.with(|cell| cell.borrow().clone());
    let label = duty.label();
    dom::set_text("on-duty-name", label.as_deref().unwrap_or_default());
    dom::set_hidden("on-duty", label.is_none());
    let asking = duty.needs_sign_in();
    let was_hidden = dom::element("staff-sign-in").is_some_and(|e| e.hidden());
    dom::set_hidden("staff-sign-in", !asking);
    if asking && was_hidden {
        dom::set_input_value("staff-number", "");
        dom::set_input_value("staff-pin", "");
        focus("staff-number");
    }
}

fn focus(id: &str) {
    if let Some(element) = dom::element(id).and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = element.focus();
    }
}

/// Called once the register knows its shop: asks who is on duty here.
pub fn check() {
    staff_session::on_required(signed_out_by_server);
    let token = token();
    spawn_local(async move {
        if let Ok(status) = api::on_duty(&token).await {
            if status.on_duty.is_none() {
                staff_session::forget();
            }
            set(Duty { required: status.staff_required, on_duty: status.on_duty });
        }
    });
}

/// The server refused a call for want of someone signed in (expired, removed, signed out elsewhere).
fn signed_out_by_server() {
    set(Duty { required: true, on_duty: None });
}

/// The sign-in form: staff number and PIN.
pub fn sign_in() {
    dom::set_text("staff-error", "");
    let Ok(staff_number) = StaffNumber::parse(&dom::input_value("staff-number")) else {
        dom::set_text("staff-error", t(Key::TypeStaffNumber));
        return focus("staff-number");
    };
    let request = StaffSignInRequest { staff_number, pin: dom::input_value("staff-pin") };
    dom::set_busy("staff-submit", true);
    let token = token();
    spawn_local(async move {
        let answer = api::staff_sign_in(&token, &request).await;
        dom::set_busy("staff-submit", false);
        match answer {
            Ok(session) => {
                staff_session::store(&session.token);
                set(Duty { required: true, on_duty: Some(session.on_duty) });
            }
            Err(failure) => {
                dom::set_input_value("staff-pin", "");
                dom::set_text("staff-error", &failure_text(&failure));
                focus("staff-pin");
            }
        }
    });
}

/// "Sign out" (F9): the session ends here and on the server.
pub fn sign_out() {
    let Some(on_duty) = DUTY.with(|cell| cell.borrow().on_duty.clone()) else { return };
    let token = token();
    spawn_local(async move {
        let _ = api::staff_sign_out(&token).await;
        staff_session::forget();
        let required = DUTY.with(|cell| cell.borrow().required);
        set(Duty { required, on_duty: None });
        dom::set_text("staff-error", &tf(Key::SignedOut, &[("name", on_duty.staff.name.as_str())]));
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::shop::Label;
    use domain::staff::{Role, ServedBy};

    #[test]
    fn the_sign_in_shows_only_when_the_shop_has_staff_and_nobody_is_signed_in() {
        assert!(!Duty::default().needs_sign_in(), "a shop without staff sells as before");
        assert!(Duty { required: true, on_duty: None }.needs_sign_in());
        let ada = OnDuty {
            staff: ServedBy { staff_number: StaffNumber::new(3).unwrap(), name: Label::parse("Ada").unwrap() },
            role: Role::Cashier,
            expires_at: 0,
        };
        let duty = Duty { required: true, on_duty: Some(ada) };
        assert!(!duty.needs_sign_in());
        assert_eq!(duty.label().as_deref(), Some("Served by Ada (#3)"));
    }
}
