//! Sign up, sign in (with the password or a passkey), and a forgotten password
//! reset with the recovery code.
//! Inputs are validated with the domain's own parsers before anything is
//! sent, and nothing typed is cleared on an error.

use crate::api;
use crate::dom;
use crate::i18n::{invalid, t, Key};
use crate::views::messages::{clear_error, show_error};
use domain::api::{RecoverRequest, SignInRequest, SignUpRequest};
use domain::member::{DisplayName, Login, Password, RecoveryCode, SignInName};

/// Who just signed in: a new member (shown their number and recovery code
/// once), one who reset their password (shown their new recovery code), or a
/// returning one.
pub enum SignedIn {
    NewMember(domain::api::SignedIn),
    Recovered(domain::api::SignedIn),
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

/// The login typed in `field_id`: a member number or a sign-in name.
fn login_in(field_id: &str) -> Result<Login, String> {
    let typed = dom::input_value(field_id);
    if typed.trim().is_empty() {
        return Err(t(Key::EnterLogin).into());
    }
    Login::parse(&typed).map_err(|_| t(Key::BadLogin).to_owned())
}

/// "Create my card"; `Some` once the session cookie is set.
pub async fn sign_up() -> Option<SignedIn> {
    clear_error();
    let display_name = match DisplayName::parse(&dom::input_value("sign-up-name")) {
        Ok(name) => name,
        Err(e) => return refuse_with("sign-up-name", invalid(Key::InvalidName, e)),
    };
    let typed_login = dom::input_value("sign-up-login");
    let sign_in_name = if typed_login.trim().is_empty() {
        None
    } else {
        match SignInName::parse(&typed_login) {
            Ok(name) => Some(name),
            Err(e) => return refuse_with("sign-up-login", invalid(Key::InvalidSignInName, e)),
        }
    };
    let password = match Password::parse(&dom::input_value("sign-up-password")) {
        Ok(password) => password,
        Err(e) => return refuse_with("sign-up-password", invalid(Key::InvalidPassword, e)),
    };
    dom::set_busy("sign-up-submit", true);
    let result = api::sign_up(&SignUpRequest { display_name, password, sign_in_name }).await;
    dom::set_busy("sign-up-submit", false);
    match result {
        Ok(signed_in) => {
            dom::set_input_value("sign-up-password", "");
            let login =
                signed_in.sign_in_name.as_ref().map_or_else(|| signed_in.member_number.grouped(), |n| n.to_string());
            dom::set_input_value("sign-in-number", &login);
            Some(SignedIn::NewMember(signed_in))
        }
        Err(failure) => {
            let field = if typed_login.trim().is_empty() { "sign-up-name" } else { "sign-up-login" };
            refuse_with(field, crate::i18n::failure_text(&failure))
        }
    }
}

/// "Sign in"; `Some` once the session cookie is set.
pub async fn sign_in() -> Option<SignedIn> {
    clear_error();
    let login = match login_in("sign-in-number") {
        Ok(login) => login,
        Err(text) => return refuse_with("sign-in-number", text),
    };
    let password = dom::input_value("sign-in-password");
    if password.is_empty() {
        return refuse_with("sign-in-password", t(Key::EnterPassword).into());
    }
    dom::set_busy("sign-in-submit", true);
    let result = api::sign_in(&SignInRequest::new(login, password)).await;
    dom::set_busy("sign-in-submit", false);
    match result {
        Ok(_) => {
            dom::set_input_value("sign-in-password", "");
            Some(SignedIn::Member)
        }
        Err(failure) => {
            show_error(&crate::i18n::failure_text(&failure));
            None
        }
    }
}

/// "Sign in with a passkey": any passkey this device holds for this site
/// (discoverable: it names the member itself, nothing is typed); `Some` once
/// the session cookie is set.
pub async fn sign_in_with_passkey() -> Option<SignedIn> {
    clear_error();
    dom::set_busy("passkey-sign-in", true);
    let outcome = async {
        let options = api::passkey_sign_in_options().await.map_err(|failure| crate::i18n::failure_text(&failure))?;
        let answer = web_shared::passkey::get(&options).await?;
        api::passkey_sign_in(&answer).await.map_err(|failure| crate::i18n::failure_text(&failure))
    }
    .await;
    dom::set_busy("passkey-sign-in", false);
    match outcome {
        Ok(_) => Some(SignedIn::Member),
        Err(text) => {
            show_error(&text);
            None
        }
    }
}

/// "Set a new password" with the recovery code; `Some` once signed in.
pub async fn recover() -> Option<SignedIn> {
    clear_error();
    let login = match login_in("recover-login") {
        Ok(login) => login,
        Err(text) => return refuse_with("recover-login", text),
    };
    let recovery_code = match RecoveryCode::parse(&dom::input_value("recover-code")) {
        Ok(code) => code,
        Err(e) => return refuse_with("recover-code", invalid(Key::InvalidRecoveryCode, e)),
    };
    let new_password = match Password::parse(&dom::input_value("recover-password")) {
        Ok(password) => password,
        Err(e) => return refuse_with("recover-password", invalid(Key::InvalidPassword, e)),
    };
    let (member_number, sign_in_name) = match login {
        Login::Number(number) => (Some(number), None),
        Login::Name(name) => (None, Some(name)),
    };
    dom::set_busy("recover-submit", true);
    let result = api::recover(&RecoverRequest { member_number, sign_in_name, recovery_code, new_password }).await;
    dom::set_busy("recover-submit", false);
    match result {
        Ok(signed_in) => {
            for field in ["recover-code", "recover-password"] {
                dom::set_input_value(field, "");
            }
            Some(SignedIn::Recovered(signed_in))
        }
        Err(failure) => {
            show_error(&crate::i18n::failure_text(&failure));
            None
        }
    }
}
