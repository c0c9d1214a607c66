//! Passkeys for members (routes in the member table) and owners (in the
//! owners' table): a challenge, adding one, the list, removing one, and
//! signing in with one. What is checked is in [`auth::passkey`]; the passkeys
//! live with the account (member's vault, owners' book).
//!
//! Signing in is discoverable: the page asks for any passkey of this site,
//! and the answer's user handle names the member (their number), so nothing
//! is typed first. An owner's passkey is found by its credential id in the
//! owners' book. Every sign-in try is counted like a password guess, under the
//! login it names, and opens the same server-side session as a password.

use crate::auth::passkey::{self, Challenges, Purpose};
use crate::auth::{self, session, throttle, Sessions};
use crate::clock;
use crate::error::{Outcome, Problem};
use crate::routes::owner_session::{me_of, with_owner_cookie};
use crate::storage::directory::{Directory, MemberRecord};
use crate::storage::member_vault::protocol::VaultClient;
use crate::storage::owner_book::protocol::{OwnerAccount, OwnerClient};
use crate::storage::passkeys::unknown_passkey;
use crate::web;
use domain::api::owner_accounts::OwnerEmail;
use domain::api::passkeys::{AddPasskeyRequest, Base64Url, PasskeyList, PasskeySignInRequest, PasskeyUser};
use domain::api::{ApprovalPasskeyRequest, ApproveRequest, ErrorCode, SignedIn};
use domain::member::MemberNumber;
use worker::{Env, Request, Response};

fn credential_id(id: &str) -> Outcome<Base64Url> {
    Base64Url::parse(id).map_err(|_| Problem::new(ErrorCode::NotFound, "no such passkey"))
}

// ---- members ----

/// `POST /api/me/passkey-options` → [`domain::api::passkeys::PasskeyOptions`] to add a passkey.
pub async fn member_options(req: Request, env: &Env) -> Outcome<Response> {
    let member = auth::member(&req, env).await?;
    let record = Directory::open(env)?.member(&member).await?.ok_or_else(crate::refusals::no_such_member)?;
    let existing = VaultClient::of(env, &member)?.passkeys().await?;
    let mut options = Challenges::from_env(env)?.options(&req, Purpose::MemberAdd(&member), clock::now())?;
    let name = record.sign_in_name.as_ref().map_or_else(|| member.to_string(), ToString::to_string);
    options.user = Some(PasskeyUser {
        id: passkey::member_user_handle(&member),
        name,
        display_name: record.display_name.as_str().to_owned(),
    });
    options.exclude_credentials = existing.into_iter().map(|view| view.id).collect();
    web::ok(&options)
}

/// `GET /api/me/passkeys` → [`PasskeyList`].
pub async fn member_list(req: Request, env: &Env) -> Outcome<Response> {
    let member = auth::member(&req, env).await?;
    web::ok(&PasskeyList { passkeys: VaultClient::of(env, &member)?.passkeys().await? })
}

/// `POST /api/me/passkeys` → 201 [`domain::api::passkeys::PasskeyView`].
pub async fn member_add(mut req: Request, env: &Env) -> Outcome<Response> {
    let member = auth::member(&req, env).await?;
    let request: AddPasskeyRequest = web::json_body(&mut req).await?;
    let challenges = Challenges::from_env(env)?;
    let purpose = Purpose::MemberAdd(&member);
    let (challenge, passkey) = passkey::check_registration(&req, &challenges, purpose, request, clock::now()).await?;
    web::created(&VaultClient::of(env, &member)?.add_passkey(challenge, passkey).await?)
}

/// `DELETE /api/me/passkeys/{id}` → 204.
pub async fn member_remove(req: Request, env: &Env, id: &str) -> Outcome<Response> {
    let member = auth::member(&req, env).await?;
    VaultClient::of(env, &member)?.remove_passkey(credential_id(id)?).await?;
    Ok(Response::empty()?.with_status(204))
}

/// `POST /api/session/passkey-options` → [`domain::api::passkeys::PasskeyOptions`] to sign in.
pub async fn member_sign_in_options(req: Request, env: &Env) -> Outcome<Response> {
    auth::same_origin(&req)?;
    web::ok(&Challenges::from_env(env)?.options(&req, Purpose::MemberSignIn, clock::now())?)
}

/// `POST /api/session/passkey` → [`SignedIn`] + session cookie. Counted like a
/// password guess under the member the user handle names (a handle that names
/// nobody under itself, as an unknown sign-in name is), before anything is checked.
pub async fn member_sign_in(mut req: Request, env: &Env) -> Outcome<Response> {
    auth::same_origin(&req)?;
    let sessions = Sessions::from_env(env)?;
    let request: PasskeySignInRequest = web::json_body(&mut req).await?;
    let member = passkey::member_of_handle(request.user_handle.as_ref());
    let login = match (&member, &request.user_handle) {
        (Some(number), _) => format!("member:{number}"),
        (None, Some(handle)) => format!("member-passkey-handle:{handle}"),
        (None, None) => format!("member-passkey:{}", request.credential_id),
    };
    let guess = throttle::begin_guess(&req, env, &login).await?;
    let outcome = member_passkey(&req, env, member, &request).await;
    guess.finish(outcome.is_ok()).await?;
    let (number, record) = outcome?;
    let answer = SignedIn {
        member_number: number.clone(),
        display_name: record.display_name,
        sign_in_name: record.sign_in_name,
        recovery_code: None,
    };
    let cookie = session::set_cookie(&sessions.open_session(env, &number).await?, !web::is_local_host(&req));
    web::with_cookie(web::ok(&answer)?, &cookie)
}

/// The member a sign-in answer proves: every check, the signature under the
/// key their vault holds, then the vault spends the challenge and moves the counter.
async fn member_passkey(
    req: &Request,
    env: &Env,
    member: Option<MemberNumber>,
    request: &PasskeySignInRequest,
) -> Outcome<(MemberNumber, MemberRecord)> {
    let now = clock::now();
    let checked = passkey::check_assertion(req, &Challenges::from_env(env)?, Purpose::MemberSignIn, request, now)?;
    let directory = Directory::open(env)?;
    let (number, record) = directory.member_record(member).await?.ok_or_else(unknown_passkey)?;
    let vault = VaultClient::of(env, &number)?;
    let key = vault.passkey_key(&request.credential_id).await?.ok_or_else(unknown_passkey)?;
    passkey::verify_signature(&checked, &key).await?;
    vault.use_passkey(&request.credential_id, checked.challenge, checked.sign_count).await?;
    Ok((number, record))
}

/// `POST /api/me/confirmations/passkey-options` → [`domain::api::passkeys::PasskeyOptions`]: a
/// challenge to approve one question with a passkey instead of the PIN. It names the member and
/// the question, so its answer approves nothing else.
pub async fn approval_options(mut req: Request, env: &Env) -> Outcome<Response> {
    let member = auth::member(&req, env).await?;
    let request: ApprovalPasskeyRequest = web::json_body(&mut req).await?;
    let purpose = Purpose::MemberApprove(&member, &request.shop_id, &request.request_id);
    web::ok(&Challenges::from_env(env)?.options(&req, purpose, clock::now())?)
}

/// Checks a passkey answer to an approval challenge: the challenge is this question's, the
/// passkey is this member's and its device verified its user; then the vault spends the
/// challenge and moves the counter. The PIN is then not asked.
pub async fn verify_approval(
    req: &Request,
    env: &Env,
    member: &MemberNumber,
    vault: &VaultClient,
    request: &ApproveRequest,
    answer: &PasskeySignInRequest,
) -> Outcome<()> {
    let purpose = Purpose::MemberApprove(member, &request.shop_id, &request.approval.request_id);
    let checked = passkey::check_assertion(req, &Challenges::from_env(env)?, purpose, answer, clock::now())?;
    if answer
        .user_handle
        .as_ref()
        .is_some_and(|handle| passkey::member_of_handle(Some(handle)).as_ref() != Some(member))
    {
        return Err(unknown_passkey());
    }
    let key = vault.passkey_key(&answer.credential_id).await?.ok_or_else(unknown_passkey)?;
    passkey::verify_signature(&checked, &key).await?;
    vault.use_passkey(&answer.credential_id, checked.challenge, checked.sign_count).await?;
    Ok(())
}

// ---- owners ----

/// `POST /api/owner/passkey-options` → [`domain::api::passkeys::PasskeyOptions`] to add a passkey.
pub async fn owner_options(req: Request, env: &Env) -> Outcome<Response> {
    let account = auth::owner::signed_in(&req, env).await?;
    let existing = OwnerClient::open(env)?.passkeys(&account.email).await?;
    let mut options = Challenges::from_env(env)?.options(&req, Purpose::OwnerAdd(&account.email), clock::now())?;
    options.user = Some(PasskeyUser {
        id: passkey::owner_user_handle(env, &account.email)?,
        name: account.email.as_str().to_owned(),
        display_name: account.email.as_str().to_owned(),
    });
    options.exclude_credentials = existing.into_iter().map(|view| view.id).collect();
    web::ok(&options)
}

/// `GET /api/owner/passkeys` → [`PasskeyList`].
pub async fn owner_list(req: Request, env: &Env) -> Outcome<Response> {
    let account = auth::owner::signed_in(&req, env).await?;
    web::ok(&PasskeyList { passkeys: OwnerClient::open(env)?.passkeys(&account.email).await? })
}

/// `POST /api/owner/passkeys` → 201 [`domain::api::passkeys::PasskeyView`].
pub async fn owner_add(mut req: Request, env: &Env) -> Outcome<Response> {
    let account = auth::owner::signed_in(&req, env).await?;
    let request: AddPasskeyRequest = web::json_body(&mut req).await?;
    let challenges = Challenges::from_env(env)?;
    let purpose = Purpose::OwnerAdd(&account.email);
    let (challenge, passkey) = passkey::check_registration(&req, &challenges, purpose, request, clock::now()).await?;
    web::created(&OwnerClient::open(env)?.add_passkey(&account.email, challenge, passkey).await?)
}

/// `DELETE /api/owner/passkeys/{id}` → 204.
pub async fn owner_remove(req: Request, env: &Env, id: &str) -> Outcome<Response> {
    let account = auth::owner::signed_in(&req, env).await?;
    OwnerClient::open(env)?.remove_passkey(&account.email, credential_id(id)?).await?;
    Ok(Response::empty()?.with_status(204))
}

/// `POST /api/owner/session/passkey-options` → [`domain::api::passkeys::PasskeyOptions`] to sign in.
pub async fn owner_sign_in_options(req: Request, env: &Env) -> Outcome<Response> {
    auth::same_origin(&req)?;
    web::ok(&Challenges::from_env(env)?.options(&req, Purpose::OwnerSignIn, clock::now())?)
}

/// `POST /api/owner/session/passkey` → [`domain::api::owner_accounts::OwnerMe`] + owner cookie. The
/// book finds the passkey's owner; the try is counted under that e-mail (an
/// unknown passkey under its credential id) before anything is checked.
pub async fn owner_sign_in(mut req: Request, env: &Env) -> Outcome<Response> {
    auth::same_origin(&req)?;
    let sessions = Sessions::from_env(env)?;
    let request: PasskeySignInRequest = web::json_body(&mut req).await?;
    let owners = OwnerClient::open(env)?;
    let key = owners.passkey_key(&request.credential_id).await?;
    let email = key.as_ref().and_then(|key| OwnerEmail::parse(&key.account).ok());
    let login = email.as_ref().map_or_else(
        || format!("owner-passkey:{}", request.credential_id),
        |email| format!("owner:{}", email.as_str()),
    );
    let guess = throttle::begin_guess(&req, env, &login).await?;
    let outcome = owner_passkey(&req, env, &owners, key.zip(email), &request).await;
    guess.finish(outcome.is_ok()).await?;
    let account = outcome?;
    let me = me_of(env, &account).await?;
    with_owner_cookie(web::ok(&me)?, &req, env, &sessions, &account.email).await
}

async fn owner_passkey(
    req: &Request,
    env: &Env,
    owners: &OwnerClient,
    key: Option<(crate::storage::passkeys::StoredKey, OwnerEmail)>,
    request: &PasskeySignInRequest,
) -> Outcome<OwnerAccount> {
    let now = clock::now();
    let checked = passkey::check_assertion(req, &Challenges::from_env(env)?, Purpose::OwnerSignIn, request, now)?;
    let (key, email) = key.ok_or_else(unknown_passkey)?;
    if let Some(handle) = &request.user_handle {
        if handle != &passkey::owner_user_handle(env, &email)? {
            return Err(unknown_passkey());
        }
    }
    passkey::verify_signature(&checked, &key).await?;
    owners.use_passkey(&email, &request.credential_id, checked.challenge, checked.sign_count).await?;
    owners.account(&email).await?.ok_or_else(unknown_passkey)
}
