//! `cargo xtask schemathesis`: schemathesis (PyPI) against a local stack, from the
//! committed OpenAPI document (`docs/openapi.json`), with real credentials for
//! every security scheme. A step of `cargo xtask test`.
//!
//! It checks that no answer is a 5xx (`not_a_server_error`), that every status,
//! content type and body is the one the document promises
//! (`status_code_conformance`, `content_type_conformance`,
//! `response_schema_conformance`). Examples per operation are bounded (see
//! `xtask/assets/schemathesis.toml`) so the run stays within a few minutes on two cores.

use crate::process::run;
use crate::Result;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::Command;

/// The schemathesis release the step runs (installed into a venv under `target/`).
pub const VERSION: &str = "4.32.5";
const CONFIG: &str = "xtask/assets/schemathesis.toml";
/// Also in the config's `[parameters]`: the shop every owner and operator path is fuzzed on.
const SHOP_ID: &str = "fuzz-shop";

/// The venv's `schemathesis`, installed when missing or of another version.
pub fn ensure_installed() -> Result<PathBuf> {
    crate::tools::pypi_tool("schemathesis", VERSION, "schemathesis")
}

/// The environment the config reads its credentials from.
pub struct Credentials(Vec<(&'static str, String)>);

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder().http_status_as_error(false).build().into()
}

/// POSTs `body` and returns the answer's JSON and its `Set-Cookie` headers.
fn post(base: &str, path: &str, bearer: Option<&str>, body: &Value) -> Result<(Value, Vec<String>)> {
    let mut request = agent().post(format!("{base}{path}"));
    if let Some(token) = bearer {
        request = request.header("Authorization", format!("Bearer {token}"));
    }
    let mut answer = request.send_json(body).map_err(|e| format!("POST {path}: {e}"))?;
    let cookies = answer
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_owned))
        .collect::<Vec<_>>();
    let status = answer.status().as_u16();
    let text = answer.body_mut().read_to_string().unwrap_or_default();
    if !(200..300).contains(&status) {
        return Err(format!("POST {path} answered {status}: {text}"));
    }
    let value = serde_json::from_str(&text).map_err(|e| format!("POST {path}: not JSON ({e}): {text}"))?;
    Ok((value, cookies))
}

fn cookie(cookies: &[String], name: &str) -> Result<String> {
    cookies
        .iter()
        .find_map(|c| c.strip_prefix(&format!("{name}=")).map(|rest| rest.split(';').next().unwrap_or_default()))
        .map(str::to_owned)
        .ok_or_else(|| format!("no {name} cookie in {cookies:?}"))
}

fn field(value: &Value, name: &str) -> Result<String> {
    value[name].as_str().map(str::to_owned).ok_or_else(|| format!("no `{name}` in {value}"))
}

/// A shop with a register, a cashier signed in at it, a member who joined it, an
/// owner who runs it, and an issuer acting for it, through the API.
pub fn credentials(base: &str, admin_token: &str) -> Result<Credentials> {
    let admin = Some(admin_token);
    let shop = json!({ "shop_id": SHOP_ID, "name": "Fuzz shop", "currency": "EUR", "points_per_unit": 1 });
    match post(base, domain::api::routes::ADMIN_SHOPS, admin, &shop) {
        Ok(_) => {}
        // A stack that ran this before keeps the shop.
        Err(message) if message.contains("already_exists") => {}
        Err(message) => return Err(message),
    }
    use domain::api::routes;
    let (register, _) = post(base, &routes::admin_shop_registers(SHOP_ID), admin, &json!({ "name": "Fuzz till" }))?;
    let register_token = field(&register, "token")?;

    let (invite, _) = post(base, &routes::owner_invites(SHOP_ID), admin, &json!({}))?;
    let email = format!("fuzz-{}@example.org", std::process::id());
    let password = "correct horse battery staple";
    let accept = json!({ "token": field(&invite, "token")?, "email": email, "password": password });
    let (_, cookies) = post(base, routes::OWNER_ACCEPT_INVITE, None, &accept)?;
    let owner_cookie = cookie(&cookies, domain::api::owner_accounts::OWNER_SESSION_COOKIE)?;

    let (_, cookies) = post(base, routes::MEMBERS, None, &json!({ "display_name": "Fuzz", "password": password }))?;
    let member_cookie = cookie(&cookies, domain::api::SESSION_COOKIE)?;
    let join = json!({ "shop_id": SHOP_ID, "share_name": true });
    let mut joined = agent()
        .post(format!("{base}{}", routes::MEMBERSHIPS))
        .header("Cookie", format!("{}={member_cookie}", domain::api::SESSION_COOKIE))
        .send_json(&join)
        .map_err(|e| format!("join: {e}"))?;
    if joined.status() != 200 {
        return Err(format!(
            "join answered {}: {}",
            joined.status(),
            joined.body_mut().read_to_string().unwrap_or_default()
        ));
    }

    let (issuer, _) =
        post(base, routes::ADMIN_ISSUERS, admin, &json!({ "name": "Fuzz issuer", "shop_ids": [SHOP_ID] }))?;
    let issuer_key = field(&issuer, "api_key")?;

    // A cashier: the register then needs their session beside its token.
    let mut staff = agent()
        .post(format!("{base}{}", routes::owner_staff(SHOP_ID)))
        .header("Cookie", format!("{}={owner_cookie}", domain::api::owner_accounts::OWNER_SESSION_COOKIE))
        .send_json(json!({ "name": "Fuzz cashier", "role": "cashier", "pin": "4821" }))
        .map_err(|e| format!("add staff: {e}"))?;
    let staff: Value = staff.body_mut().read_json().map_err(|e| format!("add staff: {e}"))?;
    let (session, _) = post(
        base,
        routes::REGISTER_STAFF_SESSION,
        Some(&register_token),
        &json!({ "staff_number": staff["staff_number"], "pin": "4821" }),
    )?;
    let staff_token = field(&session, "token")?;

    Ok(Credentials(vec![
        ("TESSERA_FUZZ_ADMIN_TOKEN", admin_token.to_owned()),
        ("TESSERA_FUZZ_REGISTER_TOKEN", register_token),
        ("TESSERA_FUZZ_STAFF_SESSION", staff_token),
        ("TESSERA_FUZZ_MEMBER_COOKIE", member_cookie),
        ("TESSERA_FUZZ_OWNER_COOKIE", owner_cookie),
        ("TESSERA_FUZZ_ISSUER_KEY", issuer_key),
    ]))
}

/// The schemathesis command against `base`, with `credentials` in its environment.
pub fn command_against(bin: &PathBuf, base: &str, credentials: &Credentials) -> Command {
    let root = crate::root();
    let mut cmd = Command::new(bin);
    cmd.arg("--config-file")
        .arg(root.join(CONFIG))
        .arg("run")
        .arg(root.join(crate::openapi::DOCUMENT))
        .args(["--url", base])
        .envs(credentials.0.iter().map(|(k, v)| (k, v.as_str())))
        // Its caches (`.schemathesis/`, `.hypothesis/`) go there, not into the checkout.
        .current_dir(work_dir());
    cmd
}

fn work_dir() -> PathBuf {
    let dir = crate::root().join("target/schemathesis-work");
    let _ = std::fs::create_dir_all(&dir);
    dir
}

/// `cargo xtask schemathesis [ARGS]`: against `TESSERA_BASE_URL` if set (with this checkout's
/// `.dev.vars` token), else a fresh stack built and started for it; ARGS go to `schemathesis run`
/// (e.g. `--include-path /api/shops`, `--checks all`).
pub fn run_alone(args: &[String]) -> Result {
    let bin = ensure_installed()?;
    let secrets = crate::stack::dev_secrets()?;
    // A fresh stack talks to a fresh localstripe, as in `cargo xtask test` (the card routes call it).
    let fresh = !std::env::var("TESSERA_BASE_URL").is_ok_and(|base| !base.is_empty());
    let _stripe = if fresh {
        Some(crate::localstripe::LocalStripe::start(Some(&crate::root().join("target/localstripe-schemathesis.log")))?)
    } else {
        None
    };
    let (base, _stack) = crate::bench_api::stack_with(crate::stack::LOCAL_CARD_VARS)?;
    let credentials = credentials(&base, &secrets.admin_token)?;
    run(command_against(&bin, &base, &credentials).args(args))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_cookie_is_read_from_its_set_cookie_header() {
        let headers =
            vec!["other=1; Path=/".to_owned(), "tessera_session=abc.def; HttpOnly; SameSite=Strict; Path=/".to_owned()];
        assert_eq!(cookie(&headers, "tessera_session").unwrap(), "abc.def");
        assert!(cookie(&headers, "tessera_owner").unwrap_err().contains("no tessera_owner cookie"));
    }
}
