//! Routes for members (the phone page): sign up, sign in and out, wallet,
//! joining shops, one-time codes, the PIN, and answering a register's question;
//! passkeys are in [`super::passkeys`].
//! The member table also holds the routes for their bills and tickets ([`super::items`]),
//! and leaving a shop, the export and closing the account ([`super::withdrawal`]).

use crate::auth::password::{self, StoredPassword};
use crate::auth::{self, session, throttle, Sessions};
use crate::cards;
use crate::clock;
use crate::crypto::random_bytes;
use crate::error::{Outcome, Problem};
use crate::refusals;
use crate::routes::{self as table, coupons, history, items, not_allowed, not_found, offline, passkeys, withdrawal};
use crate::storage::code_index::protocol::{CodeHash, IndexClient};
use crate::storage::directory::{Directory, MemberRecord};
use crate::storage::id_registry::protocol::IdClient;
use crate::storage::member_vault::protocol::{ApproveStep, CardVerdict, VaultClient};
use crate::storage::shop_book::protocol::ShopClient;
use crate::web;
use domain::api::ChangePasswordRequest;
use domain::api::{
    routes, ApproveRequest, CancelRequest, DebitOutcome, ErrorCode, IssueCodeRequest, IssuedCode, JoinRequest,
    RecoverRequest, SetPinRequest, SignInRequest, SignUpRequest, SignedIn,
};
use domain::code::OneTimeCode;
use domain::confirmation::CancelledBy;
use domain::member::{Login, MemberNumber, RecoveryCode};
use worker::{Env, Method, Request, Response};

/// The member table: [`routes::Area::Member`].
pub async fn route(req: Request, env: &Env, path: &str) -> Outcome<Response> {
    use Method::{Delete, Get, Post, Put};
    let method = web::method(&req);
    match path {
        routes::MEMBERS => match method {
            Post => sign_up(req, env).await,
            _ => not_allowed("POST"),
        },
        routes::RECOVERY => match method {
            Post => recover(req, env).await,
            _ => not_allowed("POST"),
        },
        routes::SESSION => match method {
            Post => sign_in(req, env).await,
            Delete => sign_out(req, env).await,
            _ => not_allowed("POST, DELETE"),
        },
        routes::PASSKEY_SIGN_IN_OPTIONS => match method {
            Post => passkeys::member_sign_in_options(req, env).await,
            _ => not_allowed("POST"),
        },
        routes::PASSKEY_SESSION => match method {
            Post => passkeys::member_sign_in(req, env).await,
            _ => not_allowed("POST"),
        },
        routes::MY_PASSKEYS => match method {
            Get => passkeys::member_list(req, env).await,
            Post => passkeys::member_add(req, env).await,
            _ => not_allowed("GET, POST"),
        },
        routes::MY_PASSKEY_OPTIONS => match method {
            Post => passkeys::member_options(req, env).await,
            _ => not_allowed("POST"),
        },
        routes::SESSIONS => match method {
            Delete => sign_out_everywhere(req, env).await,
            _ => not_allowed("DELETE"),
        },
        routes::PASSWORD => match method {
            Put => change_password(req, env).await,
            _ => not_allowed("PUT"),
        },
        routes::MY_COUPONS => match method {
            Get => coupons::mine(req, env).await,
            _ => not_allowed("GET"),
        },
        routes::COUPON_SETTINGS => match method {
            Put => coupons::settings(req, env).await,
            _ => not_allowed("PUT"),
        },
        routes::WALLET => match method {
            Get => wallet(req, env).await,
            _ => not_allowed("GET"),
        },
        routes::MEMBERSHIPS => match method {
            // Checked before the shop's book gives a closed account a customer number.
            Post => {
                withdrawal::require_open_account(&req, env).await?;
                join(req, env).await
            }
            _ => not_allowed("POST"),
        },
        routes::CODES => match method {
            Post => issue_code(req, env).await,
            _ => not_allowed("POST"),
        },
        routes::OFFLINE_CODES => match method {
            Post => {
                withdrawal::require_open_account(&req, env).await?;
                offline::batch(req, env).await
            }
            Delete => offline::revoke(req, env).await,
            _ => not_allowed("POST, DELETE"),
        },
        routes::PIN => match method {
            Put => set_pin(req, env).await,
            _ => not_allowed("PUT"),
        },
        routes::APPROVE => match method {
            Post => approve(req, env).await,
            _ => not_allowed("POST"),
        },
        routes::APPROVAL_PASSKEY_OPTIONS => match method {
            Post => passkeys::approval_options(req, env).await,
            _ => not_allowed("POST"),
        },
        routes::CANCEL => match method {
            Post => cancel(req, env).await,
            _ => not_allowed("POST"),
        },
        // Bills and tickets live outside the member's vault: a closed account is refused here first.
        routes::CLAIMS => match method {
            Post => {
                withdrawal::require_open_account(&req, env).await?;
                items::claim(req, env).await
            }
            _ => not_allowed("POST"),
        },
        routes::ITEMS => match method {
            Get => {
                withdrawal::require_open_account(&req, env).await?;
                items::pocket(req, env).await
            }
            _ => not_allowed("GET"),
        },
        routes::ITEM_CODES => match method {
            Post => {
                withdrawal::require_open_account(&req, env).await?;
                items::issue_code(req, env).await
            }
            _ => not_allowed("POST"),
        },
        routes::TRANSFERS => match method {
            Post => {
                withdrawal::require_open_account(&req, env).await?;
                items::offer_transfer(req, env).await
            }
            _ => not_allowed("POST"),
        },
        routes::ACCEPT_TRANSFER => match method {
            Post => {
                withdrawal::require_open_account(&req, env).await?;
                items::accept_transfer(req, env).await
            }
            _ => not_allowed("POST"),
        },
        routes::EXPORT => match method {
            Get => withdrawal::export(req, env).await,
            _ => not_allowed("GET"),
        },
        routes::ACCOUNT => match method {
            Delete => withdrawal::delete_account(req, env).await,
            _ => not_allowed("DELETE"),
        },
        _ => {
            if let Some(shop_id) = routes::id_in(path, routes::my_cards) {
                match method {
                    Get => table::cards::list(req, env, shop_id).await,
                    Post => table::cards::start_setup(req, env, shop_id).await,
                    _ => not_allowed("GET, POST"),
                }
            } else if let Some(shop_id) = routes::id_in(path, routes::my_default_card) {
                match method {
                    Put => table::cards::mark_default(req, env, shop_id).await,
                    _ => not_allowed("PUT"),
                }
            } else if let Some((shop_id, setup_intent_id)) = routes::ids_in(path, routes::my_card_setup) {
                match method {
                    Post => table::cards::finish_setup(req, env, shop_id, setup_intent_id).await,
                    _ => not_allowed("POST"),
                }
            } else if let Some((shop_id, payment_method_id)) = routes::ids_in(path, routes::my_card) {
                match method {
                    Delete => table::cards::remove(req, env, shop_id, payment_method_id).await,
                    _ => not_allowed("DELETE"),
                }
            } else if let Some(credential_id) = routes::id_in(path, routes::my_passkey) {
                match method {
                    Delete => passkeys::member_remove(req, env, credential_id).await,
                    _ => not_allowed("DELETE"),
                }
            } else if let Some(shop_id) = routes::id_in(path, routes::membership) {
                match method {
                    Delete => withdrawal::leave(req, env, shop_id).await,
                    _ => not_allowed("DELETE"),
                }
            } else if let Some(shop_id) = routes::id_in(path, routes::member_history) {
                match method {
                    Get => history::show(req, env, shop_id).await,
                    _ => not_allowed("GET"),
                }
            } else if let Some(shop_id) = routes::id_in(path, routes::member_history_csv) {
                match method {
                    Get => history::csv(req, env, shop_id).await,
                    _ => not_allowed("GET"),
                }
            } else {
                Err(not_found(path))
            }
        }
    }
}

/// Member numbers are random; a collision is rare, several in a row unheard of.
const MEMBER_NUMBER_ATTEMPTS: usize = 5;
/// Codes are 83 random bits; this only guards against a broken random source.
const CODE_ATTEMPTS: usize = 3;

/// `POST /api/members` → 201 [`SignedIn`] (with the recovery code, shown
/// once) + session cookie. A sign-in name is claimed first, atomically: of
/// two sign-ups with one name exactly one gets it.
pub async fn sign_up(mut req: Request, env: &Env) -> Outcome<Response> {
    auth::same_origin(&req)?;
    let sessions = Sessions::from_env(env)?;
    let request: SignUpRequest = web::json_body(&mut req).await?;
    if let Some(name) = &request.sign_in_name {
        IdClient::sign_in_name(env, name)?.claim().await.map_err(|problem| {
            if problem.code() == ErrorCode::AlreadyExists {
                refusals::sign_in_name_taken()
            } else {
                problem
            }
        })?;
    }
    let password = StoredPassword::create(request.password.expose()).await?;
    let directory = Directory::open(env)?;
    for _ in 0..MEMBER_NUMBER_ATTEMPTS {
        let number = MemberNumber::from_entropy(random_bytes::<8>()?);
        if directory.member(&number).await?.is_some() {
            continue;
        }
        // The vault decides atomically whether the number is free; KV only mirrors it.
        let vault = VaultClient::of(env, &number)?;
        match vault.create(&number, &request.display_name).await {
            Err(problem) if problem.code() == ErrorCode::AlreadyExists => continue,
            other => other?,
        }
        let recovery_code = RecoveryCode::from_entropy(random_bytes::<13>()?);
        vault.set_recovery(recovery_hash(&recovery_code)).await?;
        let record = MemberRecord {
            display_name: request.display_name.clone(),
            password,
            sign_in_name: request.sign_in_name.clone(),
        };
        directory.put_member(&number, &record).await?;
        if let Some(name) = &request.sign_in_name {
            directory.put_sign_in_name(name, &number).await?;
        }
        let answer = SignedIn {
            member_number: number.clone(),
            display_name: request.display_name,
            sign_in_name: request.sign_in_name,
            recovery_code: Some(recovery_code),
        };
        let cookie = session::set_cookie(&sessions.open_session(env, &number).await?, !web::is_local_host(&req));
        return web::with_cookie(web::created(&answer)?, &cookie);
    }
    Err(Problem::internal("no free member number after several attempts"))
}

/// What the vault keeps of a recovery code.
fn recovery_hash(code: &RecoveryCode) -> String {
    crate::crypto::sha256_hex(code.expose().as_bytes())
}

/// The member a login names, if any (a sign-in name nobody holds names
/// nobody), and the key its guesses are counted under: the member's number
/// when there is one, else the name as typed, so unknown logins slow down too.
async fn member_of(directory: &Directory<'_>, login: Option<Login>) -> Outcome<(Option<MemberNumber>, String)> {
    match login {
        Some(Login::Number(number)) => {
            let key = format!("member:{number}");
            Ok((Some(number), key))
        }
        Some(Login::Name(name)) => match directory.member_named(&name).await? {
            Some(number) => Ok((Some(number.clone()), format!("member:{number}"))),
            None => Ok((None, format!("name:{name}"))),
        },
        None => Err(Problem::new(
            ErrorCode::InvalidRequest,
            "give either member_number or sign_in_name (one of them) to say who signs in",
        )),
    }
}

/// `POST /api/session` → [`SignedIn`] + session cookie. The guess is counted
/// before the (slow) password check, so parallel guesses cannot slip past the limit.
pub async fn sign_in(mut req: Request, env: &Env) -> Outcome<Response> {
    auth::same_origin(&req)?;
    let sessions = Sessions::from_env(env)?;
    let request: SignInRequest = web::json_body(&mut req).await?;
    let directory = Directory::open(env)?;
    let (number, login_key) = member_of(&directory, request.login()).await?;
    let guess = throttle::begin_guess(&req, env, &login_key).await?;
    let Some((number, record)) = directory.member_record(number).await? else {
        password::waste_equal_time(&request.password).await?;
        guess.finish(false).await?;
        return Err(refusals::wrong_credentials());
    };
    let genuine = record.password.verify(&request.password).await?;
    guess.finish(genuine).await?;
    if !genuine {
        return Err(refusals::wrong_credentials());
    }
    let answer = SignedIn {
        member_number: number.clone(),
        display_name: record.display_name,
        sign_in_name: record.sign_in_name,
        recovery_code: None,
    };
    let cookie = session::set_cookie(&sessions.open_session(env, &number).await?, !web::is_local_host(&req));
    web::with_cookie(web::ok(&answer)?, &cookie)
}

/// `POST /api/members/recovery` → [`SignedIn`] with a new recovery code +
/// session cookie: the recovery code sets a new password. The code is checked
/// and replaced in one step of the member's vault (so it works once, however
/// many try it at once) and is counted like a password guess.
pub async fn recover(mut req: Request, env: &Env) -> Outcome<Response> {
    auth::same_origin(&req)?;
    let sessions = Sessions::from_env(env)?;
    let request: RecoverRequest = web::json_body(&mut req).await?;
    let directory = Directory::open(env)?;
    let (number, login_key) = member_of(&directory, request.login()).await?;
    let guess = throttle::begin_guess(&req, env, &login_key).await?;
    let Some((number, mut record)) = directory.member_record(number).await? else {
        guess.finish(false).await?;
        return Err(refusals::wrong_credentials());
    };
    let next = RecoveryCode::from_entropy(random_bytes::<13>()?);
    let vault = VaultClient::of(env, &number)?;
    let used = vault.use_recovery(recovery_hash(&request.recovery_code), recovery_hash(&next)).await;
    guess.finish(used.is_ok()).await?;
    used?;
    record.password = StoredPassword::create(request.new_password.expose()).await?;
    directory.put_member(&number, &record).await?;
    // Whoever had the old password is signed out everywhere.
    vault.end_all_sessions().await?;
    let answer = SignedIn {
        member_number: number.clone(),
        display_name: record.display_name,
        sign_in_name: record.sign_in_name,
        recovery_code: Some(next),
    };
    let cookie = session::set_cookie(&sessions.open_session(env, &number).await?, !web::is_local_host(&req));
    web::with_cookie(web::ok(&answer)?, &cookie)
}

/// `DELETE /api/session` → 204, cookie cleared.
pub async fn sign_out(req: Request, env: &Env) -> Outcome<Response> {
    let (member, id) = auth::member_session(&req, env).await?;
    VaultClient::of(env, &member)?.end_session(id.hash()).await?;
    let response = Response::empty()?.with_status(204);
    web::with_cookie(response, &session::clear_cookie(!web::is_local_host(&req)))
}

/// `DELETE /api/me/sessions` → 204, cookie cleared: ends every session of
/// the member, on every device ("sign out everywhere").
pub async fn sign_out_everywhere(req: Request, env: &Env) -> Outcome<Response> {
    let member = auth::member(&req, env).await?;
    VaultClient::of(env, &member)?.end_all_sessions().await?;
    let response = Response::empty()?.with_status(204);
    web::with_cookie(response, &session::clear_cookie(!web::is_local_host(&req)))
}

/// `PUT /api/me/password` → 204 + a new session cookie: the current password
/// (counted like a sign-in guess) buys a new one; every session of the member
/// ends, and this device gets a new one.
pub async fn change_password(mut req: Request, env: &Env) -> Outcome<Response> {
    let sessions = Sessions::from_env(env)?;
    let member = auth::member(&req, env).await?;
    let request: ChangePasswordRequest = web::json_body(&mut req).await?;
    let directory = Directory::open(env)?;
    let mut record = directory.member(&member).await?.ok_or_else(refusals::no_such_member)?;
    let guess = throttle::begin_guess(&req, env, &format!("member:{member}")).await?;
    let genuine = record.password.verify(&request.current_password).await?;
    guess.finish(genuine).await?;
    if !genuine {
        return Err(refusals::wrong_credentials());
    }
    record.password = StoredPassword::create(request.new_password.expose()).await?;
    directory.put_member(&member, &record).await?;
    VaultClient::of(env, &member)?.end_all_sessions().await?;
    let cookie = session::set_cookie(&sessions.open_session(env, &member).await?, !web::is_local_host(&req));
    web::with_cookie(Response::empty()?.with_status(204), &cookie)
}

/// `GET /api/me/wallet[?after=V]`: with `after`, waits for a newer version.
pub async fn wallet(req: Request, env: &Env) -> Outcome<Response> {
    let member = auth::member(&req, env).await?;
    let after = match req.url()?.query_pairs().find(|(name, _)| name == "after") {
        None => None,
        Some((_, value)) => Some(
            value
                .parse::<u64>()
                .map_err(|_| Problem::new(ErrorCode::InvalidRequest, "`after` is a wallet version: a whole number"))?,
        ),
    };
    let wallet = VaultClient::of(env, &member)?.wallet(after).await?;
    web::ok(&wallet)
}

/// `POST /api/me/memberships` → [`domain::api::MembershipView`]; joining again
/// returns the same membership.
pub async fn join(mut req: Request, env: &Env) -> Outcome<Response> {
    let member = auth::member(&req, env).await?;
    let request: JoinRequest = web::json_body(&mut req).await?;
    let enrolment = ShopClient::of(env, &request.shop_id)?.enroll(&member).await?;
    let membership =
        VaultClient::of(env, &member)?.join(enrolment.shop, enrolment.customer_number, request.share_name).await?;
    web::ok(&membership)
}

/// `POST /api/me/codes` → [`IssuedCode`] for a joined shop.
pub async fn issue_code(mut req: Request, env: &Env) -> Outcome<Response> {
    let member = auth::member(&req, env).await?;
    let request: IssueCodeRequest = web::json_body(&mut req).await?;
    for _ in 0..CODE_ATTEMPTS {
        let code = OneTimeCode::from_entropy(random_bytes::<16>()?);
        match IndexClient::of(env, &code)?.enter(&member, None).await {
            Err(problem) if problem.code() == ErrorCode::AlreadyExists => continue,
            other => other?,
        }
        let record = VaultClient::of(env, &member)?.issue(CodeHash::of(&code), request.shop_id.clone()).await?;
        let answer = IssuedCode {
            grouped: code.grouped(),
            code,
            shop_id: record.shop_id,
            expires_at: record.expires_at,
            server_now: clock::now(),
        };
        return web::ok(&answer);
    }
    Err(Problem::internal("could not draw a fresh code"))
}

/// `PUT /api/me/pin` → 204. Needs the account password, so a phone left
/// signed in cannot have its PIN changed by someone else. Stored like a
/// password (PBKDF2, salted); setting it clears any lock.
pub async fn set_pin(mut req: Request, env: &Env) -> Outcome<Response> {
    let member = auth::member(&req, env).await?;
    let request: SetPinRequest = web::json_body(&mut req).await?;
    let record = Directory::open(env)?.member(&member).await?.ok_or_else(refusals::no_such_member)?;
    if !record.password.verify(&request.password).await? {
        return Err(Problem::new(ErrorCode::WrongCredentials, "the password is wrong"));
    }
    let stored = StoredPassword::create(request.pin.expose()).await?;
    VaultClient::of(env, &member)?.set_pin(stored).await?;
    Ok(Response::empty()?.with_status(204))
}

/// `POST /api/me/confirmations/approve` → [`domain::api::DebitStatus`].
pub async fn approve(mut req: Request, env: &Env) -> Outcome<Response> {
    let member = auth::member(&req, env).await?;
    let mut request: ApproveRequest = web::json_body(&mut req).await?;
    let vault = VaultClient::of(env, &member)?;
    // A passkey answer stands for the PIN: checked here, before the vault is asked.
    let user_verified = match request.passkey.take() {
        Some(answer) => {
            passkeys::verify_approval(&req, env, &member, &vault, &request, &answer).await?;
            true
        }
        None => false,
    };
    match vault.approve(request, user_verified).await? {
        ApproveStep::Answered(status) => web::ok(&status),
        ApproveStep::ChargeCard(plan) => {
            let verdict = match cards::charge(env, &plan, &vault).await? {
                cards::Charged::Settled(verdict) => verdict,
                // The question stays being charged; only this phone is given what the bank's
                // challenge needs, and approves again once it has run it.
                cards::Charged::Authenticate(authentication) => {
                    let mut status =
                        vault.settle_card(&plan.shop_id, &plan.request_id, CardVerdict::AwaitsAuthentication).await?;
                    status.card_authentication = Some(Box::new(authentication));
                    return web::ok(&status);
                }
            };
            let status = vault.settle_card(&plan.shop_id, &plan.request_id, verdict).await?;
            if let DebitOutcome::Cancelled { by: CancelledBy::Declined(reason) } = status.outcome {
                return Err(refusals::card_declined(reason));
            }
            web::ok(&status)
        }
    }
}

/// `POST /api/me/confirmations/cancel` → [`domain::api::DebitStatus`].
pub async fn cancel(mut req: Request, env: &Env) -> Outcome<Response> {
    let member = auth::member(&req, env).await?;
    let request: CancelRequest = web::json_body(&mut req).await?;
    web::ok(&VaultClient::of(env, &member)?.cancel(request).await?)
}
