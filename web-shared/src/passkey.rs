//! The browser's side of passkeys, for the phone page and the console alike:
//! hands the worker's [`PasskeyOptions`] to `navigator.credentials.create` /
//! `get` and turns the answer into the JSON the worker checks. Binary values
//! go both ways as base64url. Built with `Reflect` on plain objects, so no
//! WebAuthn bindings are needed.

use crate::i18n::{shared, shared_with, Shared};
use domain::api::passkeys::{AddPasskeyRequest, Base64Url, PasskeyOptions, PasskeySignInRequest};
use js_sys::{Array, ArrayBuffer, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Whether this browser offers passkeys at all.
pub fn supported() -> bool {
    web_sys::window()
        .and_then(|window| Reflect::get(&window, &"PublicKeyCredential".into()).ok())
        .is_some_and(|value| !value.is_undefined())
}

fn set(target: &Object, key: &str, value: &JsValue) -> Result<(), String> {
    Reflect::set(target, &key.into(), value).map(drop).map_err(|_| "the browser refused the passkey options".to_owned())
}

fn bytes(value: &Base64Url) -> JsValue {
    Uint8Array::from(value.bytes()).buffer().into()
}

fn field(from: &JsValue, key: &str) -> Option<JsValue> {
    Reflect::get(from, &key.into()).ok().filter(|value| !value.is_undefined() && !value.is_null())
}

/// An `ArrayBuffer` field of the browser's answer, as base64url bytes.
fn buffer(from: &JsValue, key: &str) -> Result<Base64Url, String> {
    let value = field(from, key).ok_or_else(|| format!("the passkey's answer has no {key}"))?;
    let buffer: ArrayBuffer = value.dyn_into().map_err(|_| format!("the passkey's {key} is not binary"))?;
    Ok(Base64Url::new(Uint8Array::new(&buffer).to_vec()))
}

/// What the browser said when the ceremony did not finish, in the user's words.
fn failure_text(error: &JsValue) -> String {
    let name = field(error, "name").and_then(|name| name.as_string()).unwrap_or_default();
    match name.as_str() {
        "NotAllowedError" => shared(Shared::PasskeyNotAllowed).to_owned(),
        "InvalidStateError" => shared(Shared::PasskeyAlreadyHeld).to_owned(),
        "SecurityError" => shared(Shared::PasskeyWrongAddress).to_owned(),
        "NotSupportedError" => shared(Shared::PasskeyNotSupported).to_owned(),
        _ => shared(Shared::PasskeyFailed).to_owned(),
    }
}

async fn ceremony(method: &str, public_key: Object) -> Result<JsValue, String> {
    let navigator = web_sys::window().map(|window| window.navigator()).ok_or("no browser window")?;
    let credentials = field(&navigator, "credentials").ok_or("this browser offers no passkeys")?;
    let options = Object::new();
    set(&options, "publicKey", &public_key)?;
    let call: js_sys::Function =
        field(&credentials, method).and_then(|f| f.dyn_into().ok()).ok_or("this browser offers no passkeys")?;
    let promise: Promise = call
        .call1(&credentials, &options)
        .map_err(|error| failure_text(&error))?
        .dyn_into()
        .map_err(|_| "the browser gave no answer".to_owned())?;
    let credential = JsFuture::from(promise).await.map_err(|error| failure_text(&error))?;
    if credential.is_null() || credential.is_undefined() {
        return Err(shared(Shared::PasskeyNoneUsed).to_owned());
    }
    Ok(credential)
}

fn common(options: &PasskeyOptions) -> Result<Object, String> {
    let public_key = Object::new();
    set(&public_key, "challenge", &bytes(&options.challenge))?;
    set(&public_key, "rpId", &options.rp_id.as_str().into())?;
    set(&public_key, "timeout", &options.timeout_ms.into())?;
    set(&public_key, "userVerification", &"required".into())?;
    Ok(public_key)
}

fn credential_list(ids: &[Base64Url]) -> Result<Array, String> {
    let list = Array::new();
    for id in ids {
        let descriptor = Object::new();
        set(&descriptor, "type", &"public-key".into())?;
        set(&descriptor, "id", &bytes(id))?;
        list.push(&descriptor);
    }
    Ok(list)
}

/// Makes a passkey on this device (a discoverable one, kept by the device,
/// verified by the user) and answers what the worker checks.
pub async fn create(options: &PasskeyOptions, name: Option<domain::shop::Label>) -> Result<AddPasskeyRequest, String> {
    let user = options.user.as_ref().ok_or("the worker named no account for the passkey")?;
    let public_key = common(options)?;
    let rp = Object::new();
    set(&rp, "id", &options.rp_id.as_str().into())?;
    set(&rp, "name", &"Tessera".into())?;
    set(&public_key, "rp", &rp)?;
    let user_object = Object::new();
    set(&user_object, "id", &bytes(&user.id))?;
    set(&user_object, "name", &user.name.as_str().into())?;
    set(&user_object, "displayName", &user.display_name.as_str().into())?;
    set(&public_key, "user", &user_object)?;
    let es256 = Object::new();
    set(&es256, "type", &"public-key".into())?;
    set(&es256, "alg", &JsValue::from(-7))?;
    set(&public_key, "pubKeyCredParams", &Array::of1(&es256))?;
    let selection = Object::new();
    set(&selection, "residentKey", &"required".into())?;
    set(&selection, "requireResidentKey", &JsValue::TRUE)?;
    set(&selection, "userVerification", &"required".into())?;
    set(&public_key, "authenticatorSelection", &selection)?;
    set(&public_key, "attestation", &"none".into())?;
    set(&public_key, "excludeCredentials", &credential_list(&options.exclude_credentials)?.into())?;
    let credential = ceremony("create", public_key).await?;
    let response = field(&credential, "response").ok_or("the passkey's answer has no response")?;
    Ok(AddPasskeyRequest {
        client_data_json: buffer(&response, "clientDataJSON")?,
        attestation_object: buffer(&response, "attestationObject")?,
        name,
    })
}

/// Signs in with any passkey this device holds for this site (the user picks
/// one); the answer names its account by its user handle.
pub async fn get(options: &PasskeyOptions) -> Result<PasskeySignInRequest, String> {
    let public_key = common(options)?;
    let credential = ceremony("get", public_key).await?;
    let response = field(&credential, "response").ok_or("the passkey's answer has no response")?;
    let user_handle = match field(&response, "userHandle") {
        Some(_) => Some(buffer(&response, "userHandle")?),
        None => None,
    };
    Ok(PasskeySignInRequest {
        credential_id: buffer(&credential, "rawId")?,
        client_data_json: buffer(&response, "clientDataJSON")?,
        authenticator_data: buffer(&response, "authenticatorData")?,
        signature: buffer(&response, "signature")?,
        user_handle,
    })
}

/// Draws the account's passkeys into the list `list_id` (the phone's Account
/// screen and the console's shop list alike): name, when added and last used,
/// and a Remove button carrying `data-remove-passkey` (its credential id).
pub fn render_list(list_id: &str, passkeys: &[domain::api::passkeys::PasskeyView]) {
    use crate::dom;
    dom::clear_children(list_id);
    let Some(list) = dom::element(list_id) else { return };
    if passkeys.is_empty() {
        if let Some(item) = dom::create_text("li", "hint", shared(Shared::NoPasskeyYet)) {
            let _ = dom::append(&list, &item);
        }
        return;
    }
    for passkey in passkeys {
        let used = passkey.last_used_at.map_or_else(
            || shared(Shared::PasskeyNotUsedYet).to_owned(),
            |at| shared_with(Shared::PasskeyLastUsed, &[("at", &crate::locale::date_time(at))]),
        );
        let added = crate::locale::date_time(passkey.created_at);
        let text =
            shared_with(Shared::PasskeyLine, &[("name", passkey.name.as_str()), ("added", &added), ("used", &used)]);
        let (Some(item), Some(label), Some(remove)) = (
            dom::create_text("li", "passkey", ""),
            dom::create_text("span", "", &text),
            dom::create_text("button", "button", shared(Shared::Remove)),
        ) else {
            return;
        };
        let _ = item.set_attribute("data-testid", "passkey-item");
        let _ = remove.set_attribute("type", "button");
        let _ = remove.set_attribute("data-remove-passkey", &passkey.id.to_string());
        let _ = remove.set_attribute("data-testid", "passkey-remove");
        let _ =
            remove.set_attribute("aria-label", &shared_with(Shared::RemoveNamed, &[("name", passkey.name.as_str())]));
        let _ = dom::append(&item, &label);
        let _ = dom::append(&item, &remove);
        let _ = dom::append(&list, &item);
    }
}
