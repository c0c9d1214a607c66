//! Staff at a register: a cashier (or manager) signs in with their staff
//! number and PIN and the register then sends the session's token in
//! [`STAFF_SESSION_HEADER`] with each request; a shop with staff refuses
//! sales, debits, top-ups and refunds without one (`cashier_required`). A
//! manager's PIN also approves a refund above the shop's limit ([`approver`]).
//!
//! PINs are checked like passwords (PBKDF2, [`super::password`]), each
//! attempt counted in the shop's book before the slow check.

use super::{password, Register};
use crate::clock;
use crate::crypto::{hex, random_bytes, sha256_hex};
use crate::error::{Outcome, Problem};
use crate::storage::shop_book::protocol::ShopClient;
use crate::storage::shop_book::staff::{wrong_staff_pin, NewSession};
use domain::api::staff::{OnDuty, StaffMember, STAFF_SESSION_HEADER};
use domain::api::ErrorCode;
use domain::staff::{may_at, ServedBy, StaffAction, StaffNumber, STAFF_SESSION_MS};
use domain::UnixMillis;
use worker::{Env, Request};

/// Session tokens carry 256 random bits.
const SESSION_TOKEN_BYTES: usize = 32;

/// The session token the register sent, if any.
fn session_token(req: &Request) -> Option<String> {
    let token = req.headers().get(STAFF_SESSION_HEADER).ok().flatten()?;
    let token = token.trim();
    (!token.is_empty()).then(|| token.to_owned())
}

/// Whether `register`'s shop has staff, and who is signed in there with the token it sent.
async fn duty_of(req: &Request, env: &Env, register: &Register) -> Outcome<(bool, Option<(StaffMember, UnixMillis)>)> {
    let token_hash = session_token(req).map(|token| sha256_hex(token.as_bytes()));
    let duty = ShopClient::of(env, &register.shop.shop_id)?.duty(&register.record.register_id, token_hash).await?;
    Ok((duty.staff_required, duty.on_duty))
}

/// Whether the register's shop has staff, and who is on duty at it.
pub async fn duty(req: &Request, env: &Env, register: &Register) -> Outcome<(bool, Option<OnDuty>)> {
    let (staff_required, on_duty) = duty_of(req, env, register).await?;
    let on_duty =
        on_duty.map(|(member, expires_at)| OnDuty { staff: member.served_by(), role: member.role, expires_at });
    Ok((staff_required, on_duty))
}

/// Who serves this request: the person signed in at the register, if they may
/// do `action` in its store. A shop without staff needs nobody (`None`); a shop
/// with staff refuses with `cashier_required` when nobody is signed in.
pub async fn serving(req: &Request, env: &Env, register: &Register, action: StaffAction) -> Outcome<Option<ServedBy>> {
    match duty_of(req, env, register).await? {
        (_, Some((member, _))) if may_at(member.role, &member.store_id, action, &register.record.store_id) => {
            Ok(Some(member.served_by()))
        }
        (_, Some(_)) => Err(Problem::new(ErrorCode::Forbidden, "the person signed in here may not do this")),
        (true, None) => {
            Err(Problem::new(ErrorCode::CashierRequired, "sign in at this register first (staff number and PIN)"))
        }
        (false, None) => Ok(None),
    }
}

/// Checks a staff number and PIN typed at `register`, counting the attempt
/// first. The person, or
/// `wrong_pin` (`pin_locked` once guessed too often).
async fn check_pin(env: &Env, register: &Register, number: StaffNumber, pin: &str) -> Outcome<StaffMember> {
    let book = ShopClient::of(env, &register.shop.shop_id)?;
    let register_id = &register.record.register_id;
    let Some(credential) = book.begin_staff_pin(number, register_id).await? else {
        password::waste_equal_time(pin).await?;
        book.finish_staff_pin(number, register_id, false).await?;
        return Err(wrong_staff_pin());
    };
    let correct = credential.pin.verify(pin).await?;
    book.finish_staff_pin(number, register_id, correct).await?;
    Ok(credential.member)
}

/// Signs a person in at `register`: the token (shown once) and who is on duty.
/// Refused for a person of another store.
pub async fn sign_in(env: &Env, register: &Register, number: StaffNumber, pin: &str) -> Outcome<(String, OnDuty)> {
    let token = hex(&random_bytes::<SESSION_TOKEN_BYTES>()?);
    let expires_at = clock::now().saturating_add(STAFF_SESSION_MS);
    let member = check_pin(env, register, number, pin).await?;
    if !may_at(member.role, &member.store_id, StaffAction::Sell, &register.record.store_id) {
        return Err(Problem::new(ErrorCode::Forbidden, "this person works in another store"));
    }
    let session = NewSession { token_hash: sha256_hex(token.as_bytes()), expires_at };
    ShopClient::of(env, &register.shop.shop_id)?
        .open_staff_session(number, &register.record.register_id, session)
        .await?;
    let on_duty = OnDuty { staff: member.served_by(), role: member.role, expires_at };
    Ok((token, on_duty))
}

/// Signs out the session the register sent (none: nothing to do).
pub async fn sign_out(req: &Request, env: &Env, register: &Register) -> Outcome<()> {
    match session_token(req) {
        Some(token) => {
            ShopClient::of(env, &register.shop.shop_id)?.end_staff_session(sha256_hex(token.as_bytes())).await
        }
        None => Ok(()),
    }
}

/// The person whose number and PIN approve something at `register` (the PIN
/// checked and counted like a sign-in's); the caller judges their role.
pub async fn approver(env: &Env, register: &Register, number: StaffNumber, pin: &str) -> Outcome<StaffMember> {
    check_pin(env, register, number, pin).await
}
