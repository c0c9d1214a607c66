//! Accounts beyond signing in: the screen a password reset link opens (a new
//! password, then sign in), and the operator's area on the shop list — a
//! one-time reset link for an owner who forgot their password, and handing
//! the operator role to another account.

use crate::console::{absolute, fail, with};
use crate::flows;
use crate::state::Screen;
use crate::views;
use domain::api::owner_accounts::{
    HandoverRequest, InviteToken, OwnerEmail, OwnerMe, PasswordResetDone, ResetLinkCreated, ResetLinkRequest,
    ResetPasswordRequest,
};
use domain::api::routes;
use domain::member::Password;
use wasm_bindgen_futures::spawn_local;
use web_shared::dom;
use web_shared::http::{call, Auth};

/// Wires the reset screen and the operator's forms (called once from `start`).
pub fn wire() {
    on_submit("reset-form", reset_password);
    on_submit("reset-link-form", create_reset_link);
    on_submit("handover-form", hand_over);
    dom::on_id("reset-to-sign-in", "click", |_| flows::go(Screen::SignIn));
}

fn on_submit<F: std::future::Future<Output = ()> + 'static>(id: &str, handler: fn() -> F) {
    dom::on_id(id, "submit", move |event| {
        event.prevent_default();
        spawn_local(handler());
    });
}

fn email(id: &str) -> Result<OwnerEmail, String> {
    OwnerEmail::parse(&dom::input_value(id)).map_err(|error| format!("e-mail: {error}"))
}

/// The reset link's screen: sets the new password, then asks to sign in with it.
pub async fn reset_password() {
    views::clear_messages();
    let Ok(token) = InviteToken::parse(&dom::input_value("reset-token")) else {
        return views::error("This reset link is incomplete: open the whole link you were sent.");
    };
    let new_password = match Password::parse(&dom::input_value("reset-password")) {
        Ok(password) => password,
        Err(error) => return views::error(&format!("New password: {error}")),
    };
    dom::set_busy("reset-submit", true);
    let result: Result<PasswordResetDone, _> =
        call("POST", routes::OWNER_PASSWORD_RESET, Auth::Session, Some(&ResetPasswordRequest { token, new_password }))
            .await;
    dom::set_busy("reset-submit", false);
    match result {
        Ok(done) => {
            dom::set_input_value("reset-token", "");
            dom::set_input_value("reset-password", "");
            dom::set_input_value("sign-in-email", done.email.as_str());
            views::show(Screen::SignIn);
            if let Some(password) = dom::element("sign-in-password") {
                let _ = password.focus();
            }
            views::notice("Your password is changed and every device is signed out: sign in with the new one.");
        }
        Err(failure) => fail(&failure),
    }
}

/// The operator makes a one-time reset link for an owner's account.
pub async fn create_reset_link() {
    views::clear_messages();
    let email = match email("reset-link-email") {
        Ok(email) => email,
        Err(message) => return views::error(&message),
    };
    dom::set_busy("reset-link-submit", true);
    let result: Result<ResetLinkCreated, _> =
        call("POST", routes::OWNER_PASSWORD_RESETS, Auth::Session, Some(&ResetLinkRequest { email })).await;
    dom::set_busy("reset-link-submit", false);
    match result {
        Ok(link) => {
            dom::set_input_value("reset-link", &absolute(&link.reset_path));
            dom::set_hidden("reset-link-box", false);
            if let Some(input) = dom::input("reset-link") {
                let _ = input.focus();
                input.select();
            }
            views::notice(&format!(
                "Send this link to {}: it works once, for 24 hours, and signs them out everywhere.",
                link.email.as_str()
            ));
        }
        Err(failure) => fail(&failure),
    }
}

/// The operator hands their role to another account, after confirming.
pub async fn hand_over() {
    views::clear_messages();
    let to = match email("handover-email") {
        Ok(email) => email,
        Err(message) => return views::error(&message),
    };
    let password = dom::input_value("handover-password");
    if password.is_empty() {
        return views::error("Enter your own password to confirm.");
    }
    let question = format!(
        "Make {} the operator? They will run every shop; you keep only the shops you run as an owner.",
        to.as_str()
    );
    let confirmed = web_sys::window().and_then(|w| w.confirm_with_message(&question).ok()).unwrap_or(false);
    if !confirmed {
        return;
    }
    dom::set_busy("handover-submit", true);
    let result: Result<OwnerMe, _> = call(
        "POST",
        routes::OWNER_OPERATOR_HANDOVER,
        Auth::Session,
        Some(&HandoverRequest { to: to.clone(), password }),
    )
    .await;
    dom::set_busy("handover-submit", false);
    match result {
        Ok(me) => {
            for id in ["handover-email", "handover-password", "reset-link-email", "reset-link"] {
                dom::set_input_value(id, "");
            }
            // What only the operator made (a reset link, a new shop's invite) goes with the role.
            dom::set_hidden("reset-link-box", true);
            dom::set_hidden("invite-link-box", true);
            with(|c| c.shop = None);
            flows::enter(me);
            views::notice(&format!("{} is the operator now.", to.as_str()));
        }
        Err(failure) => fail(&failure),
    }
}
