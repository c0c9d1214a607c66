//! Sign up and sign in. Inputs are validated with the domain's own parsers before
//! anything is sent, and nothing typed is cleared on an error.

use crate::api;
use crate::dom;
use crate::state::sentence;
use crate::views::messages::{clear_error, show_error};
use domain::api::{SignInRequest, SignUpRequest};
use domain::member::{DisplayName, MemberNumber, Password};

/// Who just signed in: a new member (shown their number once) or a returning one.
pub enum SignedIn {
    NewMember(MemberNumber),
    Member,
}

fn refuse_with(field_id: &str, text: String) -> Option<SignedIn> {
    refuse(field_id, text);
    None
}

fn refuse(field_id: &str, text: String) {
    show_error(&text);
    if let Some(field) = dom::element(field_id) {
        let _ = field.focus();
    }
}

/// "Create my card"; `Some` once the session cookie is set.
pub async fn sign_up() -> Option<SignedIn> {
    clear_error();
    let display_name = match DisplayName::parse(&dom::input_value("sign-up-name")) {
        Ok(name) => name,
        Err(e) => return refuse_with("sign-up-name", sentence(e)),
    };
    let password = match Password::parse(&dom::input_value("sign-up-password")) {
        Ok(password) => password,
        Err(e) => return refuse_with("sign-up-password", sentence(e)),
    };
    dom::set_busy("sign-up-submit", true);
    let result = api::sign_up(&SignUpRequest { display_name, password }).await;
    dom::set_busy("sign-up-submit", false);
    match result {
        Ok(signed_in) => {
            dom::set_input_value("sign-up-password", "");
            dom::set_input_value("sign-in-number", &signed_in.member_number.grouped());
            Some(SignedIn::NewMember(signed_in.member_number))
        }
        Err(failure) => {
            show_error(&failure.message());
            None
        }
    }
}

/// "Sign in"; `Some` once the session cookie is set.
pub async fn sign_in() -> Option<SignedIn> {
    clear_error();
    let member_number = match MemberNumber::parse(&dom::input_value("sign-in-number")) {
        Ok(number) => number,
        Err(e) => return refuse_with("sign-in-number", sentence(e)),
    };
    let password = dom::input_value("sign-in-password");
    if password.is_empty() {
        return refuse_with("sign-in-password", "Please enter your password.".into());
    }
    dom::set_busy("sign-in-submit", true);
    let result = api::sign_in(&SignInRequest { member_number, password }).await;
    dom::set_busy("sign-in-submit", false);
    match result {
        Ok(_) => {
            dom::set_input_value("sign-in-password", "");
            Some(SignedIn::Member)
        }
        Err(failure) => {
            show_error(&failure.message());
            None
        }
    }
}
