//! Who is calling: a member (session cookie), a register (its bearer token),
//! an issuer (its API key, [`issuer`]), a shop owner (their own session cookie, [`owner`]),
//! a store's manager (an owner-console account that manages one store, [`ShopManager::StoreManager`]),
//! staff at a register ([`staff`]), or the admin (the `ADMIN_TOKEN` secret). Every check fails closed with 401.
//! Members and owners may sign in with a passkey instead of the password ([`passkey`]).

pub mod issuer;
pub mod origin;
pub mod owner;
pub mod passkey;
pub mod password;
pub mod session;
pub mod staff;
pub mod throttle;

use crate::clock;
use crate::crypto::{constant_time_eq, sha256_hex};
use crate::error::{Outcome, Problem};
use crate::storage::code_index::protocol::CodeHash;
use crate::storage::directory::{Directory, RegisterRecord};
use crate::storage::member_vault::protocol::{TillHeader, VaultClient};
use crate::storage::owner_book::protocol::{OwnerAccount, OwnerClient};
use crate::storage::registers;
use crate::storage::shop_book::protocol::ShopClient;
use domain::api::owner_accounts::OwnerEmail;
use domain::api::{ErrorCode, ShopSummary};
use domain::member::MemberNumber;
use domain::shop::RequestId;
use domain::staff::{Role, ServedBy, StaffAction};
use domain::store::StoreId;
use futures_util::future::{select, Either};
use session::SessionId;
use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;
use std::time::Duration;
use worker::{Delay, Env, Method, Request};

/// A secret from the environment (`.dev.vars` locally, `wrangler secret put` deployed).
/// Unset and empty are the same: not configured.
pub fn secret(env: &Env, name: &str) -> Option<String> {
    env.secret(name).ok().map(|value| value.to_string()).filter(|value| !value.is_empty())
}

fn unauthorized(message: &str) -> Problem {
    Problem::new(ErrorCode::Unauthorized, message)
}

fn bearer_token(req: &Request) -> Option<String> {
    let header = req.headers().get("authorization").ok().flatten()?;
    let (scheme, token) = header.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then(|| token.to_owned())
}

/// Member sessions, signed with the `SESSION_SECRET`.
pub struct Sessions {
    secret: Vec<u8>,
}

impl Sessions {
    /// Fails (before anything is changed) if sessions are not configured.
    pub fn from_env(env: &Env) -> Outcome<Self> {
        let secret =
            secret(env, "SESSION_SECRET").ok_or_else(|| Problem::internal("SESSION_SECRET is not configured"))?;
        Ok(Self { secret: secret.into_bytes() })
    }

    /// The member and session the cookie names, if it is genuine (whether the
    /// session is still open, [`member`] asks the vault). A state-changing call
    /// must come from our own origin (see [`origin`]): else 403 `cross_origin`.
    pub fn member(&self, req: &Request) -> Outcome<(MemberNumber, SessionId)> {
        same_origin(req)?;
        let cookies = req.headers().get("cookie").ok().flatten().unwrap_or_default();
        let value = session::from_cookie_header(&cookies).ok_or_else(|| unauthorized("sign in first"))?;
        session::open(&self.secret, value, clock::now())
            .ok_or_else(|| unauthorized("the session is not valid any more: sign in again"))
    }

    /// Opens a new session for a member who just signed in (in their vault)
    /// and returns its cookie value.
    pub async fn open_session(&self, env: &Env, member: &MemberNumber) -> Outcome<String> {
        let id = SessionId::from_entropy(crate::crypto::random_bytes::<16>()?);
        let now = clock::now();
        VaultClient::of(env, member)?.open_session(id.hash(), now.saturating_add(session::SESSION_MS)).await?;
        Ok(session::seal(&self.secret, member, &id, now))
    }

    /// The owner and session the owners' cookie names, if it is genuine
    /// (whether the session is still open, [`owner::signed_in`] asks the
    /// owners' book); same-origin rule as for members.
    pub fn owner(&self, req: &Request) -> Outcome<(OwnerEmail, SessionId)> {
        same_origin(req)?;
        let cookies = req.headers().get("cookie").ok().flatten().unwrap_or_default();
        let value = session::cookie_of(session::OWNER, &cookies).ok_or_else(|| unauthorized("sign in first"))?;
        session::open_owner(&self.secret, value, clock::now())
            .ok_or_else(|| unauthorized("the session is not valid any more: sign in again"))
    }

    /// Opens a new session for an owner who just signed in (in the owners'
    /// book) and returns its cookie value.
    pub async fn open_owner_session(&self, env: &Env, owner: &OwnerEmail) -> Outcome<String> {
        let id = SessionId::from_entropy(crate::crypto::random_bytes::<16>()?);
        let now = clock::now();
        OwnerClient::open(env)?.open_session(owner, id.hash(), now.saturating_add(session::SESSION_MS)).await?;
        Ok(session::seal_owner(&self.secret, owner, &id, now))
    }
}

/// Refuses a cross-site state-changing call (see [`origin`]): every call that
/// carries a session cookie, and the calls that set one (signing up, in,
/// recovering, claiming, accepting an invite), so another site cannot sign a
/// browser into an account of its choosing (login CSRF).
pub fn same_origin(req: &Request) -> Outcome<()> {
    let safe = matches!(crate::web::method(req), Method::Get | Method::Head | Method::Options);
    let headers = req.headers();
    let origin = headers.get("origin")?;
    let fetch_site = headers.get("sec-fetch-site")?;
    let own = req.url()?.origin().ascii_serialization();
    if origin::allowed(safe, origin.as_deref(), fetch_site.as_deref(), &own) {
        Ok(())
    } else {
        Err(Problem::new(ErrorCode::CrossOrigin, "this call must come from this site's own pages"))
    }
}

/// The signed-in member, from the session cookie, if the session is still
/// open in their vault (signing out, "sign out everywhere" and a password
/// reset end sessions there).
pub async fn member(req: &Request, env: &Env) -> Outcome<MemberNumber> {
    member_session(req, env).await.map(|(member, _)| member)
}

/// The signed-in member and their session's id, checked as [`member`].
pub async fn member_session(req: &Request, env: &Env) -> Outcome<(MemberNumber, SessionId)> {
    let (member, id) = Sessions::from_env(env)?.member(req)?;
    VaultClient::of(env, &member)?.check_session(id.hash()).await?;
    Ok((member, id))
}

/// A register and its shop, from the register's bearer token (stored only as a hash).
pub struct Register {
    pub record: RegisterRecord,
    pub shop: ShopSummary,
    /// The store it stands in, by the shop's book (with its name now).
    pub store: domain::store::Store,
    token_hash: String,
}

impl Register {
    /// The header of every ledger row and receipt this register makes for one request: the
    /// shop, the register and the store with their names now, the code it spent, the cashier.
    pub fn till_header(&self, code_hash: CodeHash, request_id: RequestId, served_by: Option<ServedBy>) -> TillHeader {
        TillHeader {
            shop: self.shop.clone(),
            register_id: self.record.register_id.clone(),
            register_name: self.record.name.clone(),
            store_id: self.store.store_id.clone(),
            store_name: self.store.name.clone(),
            request_id,
            code_hash,
            served_by,
            approved_by: None,
        }
    }
}

/// The calling register. KV finds it by its token's hash; its shop's book
/// (authoritative, strongly consistent) then refuses it with
/// `register_revoked` if the owner revoked it, and notes that it was seen.
pub async fn register(req: &Request, env: &Env) -> Outcome<Register> {
    admit(env, register_token(req, env).await?).await
}

/// A register token that KV knows, before its shop's book has been asked.
pub struct RegisterToken {
    pub record: RegisterRecord,
    token_hash: String,
}

thread_local! {
    /// Token hash → register, as KV holds it. KV writes a register's entry
    /// once, when it is created, and never changes it; whether the register
    /// may still call is the shop's book's answer on every request
    /// ([`admit`]). So an isolate keeps what it has read, and a register's
    /// calls after its first skip the KV read.
    static KNOWN_REGISTER_TOKENS: RefCell<HashMap<String, RegisterRecord>> = RefCell::new(HashMap::new());
}

/// Bounds the isolate's memory of tokens (a shop has a handful of registers).
const KNOWN_REGISTER_TOKENS_MAX: usize = 4_096;

/// The register the request's bearer token names in KV, or 401. The book is
/// not asked yet: callers ask it with [`admit`], beside other work.
pub async fn register_token(req: &Request, env: &Env) -> Outcome<RegisterToken> {
    known_register(env, register_bearer(req)?).await
}

/// The bearer token a register sends, or 401.
pub fn register_bearer(req: &Request) -> Outcome<String> {
    bearer_token(req).ok_or_else(|| unauthorized("a register sends `Authorization: Bearer <register token>`"))
}

/// The register `token` names in KV (see [`register_token`]).
pub async fn known_register(env: &Env, token: String) -> Outcome<RegisterToken> {
    let token_hash = sha256_hex(token.as_bytes());
    let known = KNOWN_REGISTER_TOKENS.with(|known| known.borrow().get(&token_hash).cloned());
    let record = match known {
        Some(record) => record,
        None => {
            let record = Directory::open(env)?
                .register(&token_hash)
                .await?
                .ok_or_else(|| unauthorized("this register token is not valid"))?;
            KNOWN_REGISTER_TOKENS.with(|known| {
                let mut known = known.borrow_mut();
                if known.len() >= KNOWN_REGISTER_TOKENS_MAX {
                    known.clear();
                }
                known.insert(token_hash.clone(), record.clone());
            });
            record
        }
    };
    Ok(RegisterToken { record, token_hash })
}

/// The register `token` names, if its shop's book still lets it call.
pub async fn admit(env: &Env, token: RegisterToken) -> Outcome<Register> {
    let RegisterToken { record, token_hash } = token;
    // The book's check and the shop's directory entry are independent reads: one wait, not two.
    let (store, shop) = futures_util::future::join(
        registers::check(env, &record, &token_hash),
        Directory::open(env)?.shop(&record.shop_id),
    )
    .await;
    let store = store?;
    let shop = shop?.ok_or_else(|| Problem::internal("a register points to a missing shop"))?;
    Ok(Register { record, shop, store, token_hash })
}

/// How often a register's long-poll looks whether the register was revoked meanwhile.
const REVOCATION_CHECK_MS: u64 = 2_000;

/// Runs `work` (a long-poll) for `register`, ending it with `register_revoked`
/// (within [`REVOCATION_CHECK_MS`]) if the owner revokes the register meanwhile.
pub async fn until_revoked<T>(env: &Env, register: &Register, work: impl Future<Output = Outcome<T>>) -> Outcome<T> {
    let watch = async {
        loop {
            Delay::from(Duration::from_millis(REVOCATION_CHECK_MS)).await;
            if let Err(problem) = registers::check(env, &register.record, &register.token_hash).await {
                return problem;
            }
        }
    };
    futures_util::pin_mut!(work, watch);
    match select(work, watch).await {
        Either::Left((outcome, _)) => outcome,
        Either::Right((problem, _)) => Err(problem),
    }
}

/// The admin. With no `ADMIN_TOKEN` configured, nobody is.
pub fn admin(req: &Request, env: &Env) -> Outcome<()> {
    let expected =
        secret(env, "ADMIN_TOKEN").ok_or_else(|| unauthorized("administration is disabled: ADMIN_TOKEN is not set"))?;
    let given =
        bearer_token(req).ok_or_else(|| unauthorized("the admin sends `Authorization: Bearer <ADMIN_TOKEN>`"))?;
    // Comparing digests keeps the comparison constant-time even across lengths.
    let matches = constant_time_eq(sha256_hex(given.as_bytes()).as_bytes(), sha256_hex(expected.as_bytes()).as_bytes());
    if matches {
        Ok(())
    } else {
        Err(unauthorized("the admin token is wrong"))
    }
}

/// Who may run a shop: its owner, or the operator (bearer `ADMIN_TOKEN`, or
/// the operator's own session) — or, for part of it, a manager of one of its stores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShopManager {
    Operator,
    Owner(OwnerEmail),
    /// Manages these stores of the shop (and nothing else of it): their
    /// registers, and the shop's products (see [`domain::staff::Role::may`]).
    StoreManager {
        email: OwnerEmail,
        stores: Vec<StoreId>,
    },
}

impl ShopManager {
    /// The account of an owner or store manager; none for the operator.
    pub fn email(&self) -> Option<&OwnerEmail> {
        match self {
            Self::Operator => None,
            Self::Owner(email) | Self::StoreManager { email, .. } => Some(email),
        }
    }

    /// Runs the whole shop: settings, rewards, staff, invites, every store.
    pub fn runs_shop(&self) -> bool {
        !matches!(self, Self::StoreManager { .. })
    }

    /// 403 `forbidden` for a store manager: only the shop's owner (or the operator) may do this.
    pub fn require_owner(&self) -> Outcome<()> {
        if self.runs_shop() {
            Ok(())
        } else {
            Err(Problem::new(ErrorCode::Forbidden, "only the shop's owner may do this, not a store manager"))
        }
    }

    /// May do `action` in `store`: the owner in every store, a manager in their own.
    pub fn may_in(&self, action: StaffAction, store: &StoreId) -> bool {
        match self {
            Self::Operator | Self::Owner(_) => true,
            Self::StoreManager { stores, .. } => {
                stores.iter().any(|home| domain::staff::may_at(Role::Manager, home, action, store))
            }
        }
    }

    /// 403 `forbidden` unless the caller may do `action` in `store`.
    pub fn require_in(&self, action: StaffAction, store: &StoreId) -> Outcome<()> {
        if self.may_in(action, store) {
            Ok(())
        } else {
            Err(Problem::new(ErrorCode::Forbidden, "you do not manage this store"))
        }
    }

    /// 403 `forbidden` unless the caller may do `action` in some store of the shop.
    pub fn require(&self, action: StaffAction) -> Outcome<()> {
        match self {
            Self::StoreManager { .. } if !Role::Manager.may(action) => {
                Err(Problem::new(ErrorCode::Forbidden, "a store manager may not do this"))
            }
            _ => Ok(()),
        }
    }
}

/// The caller if they may run `shop_id`'s programme (or part of it): the
/// operator (bearer `ADMIN_TOKEN` or the operator's session) runs every shop,
/// an owner the shops they were invited to, a store manager their stores. 401
/// without a credential (or a wrong one), 403 `forbidden` with one for another shop.
pub async fn shop_manager(req: &Request, env: &Env, shop_id: &domain::shop::ShopId) -> Outcome<ShopManager> {
    if bearer_token(req).is_some() {
        admin(req, env)?;
        return Ok(ShopManager::Operator);
    }
    let account = owner::signed_in(req, env).await?;
    let stores = account.stores_managed(shop_id);
    if account.operator {
        Ok(ShopManager::Operator)
    } else if account.runs(shop_id) {
        Ok(ShopManager::Owner(account.email))
    } else if !stores.is_empty() {
        Ok(ShopManager::StoreManager { email: account.email, stores })
    } else {
        Err(Problem::new(ErrorCode::Forbidden, "you do not run this shop"))
    }
}

/// The operator: bearer `ADMIN_TOKEN`, or the operator's session. 403 for another owner.
pub async fn operator(req: &Request, env: &Env) -> Outcome<()> {
    operator_account(req, env).await.map(drop)
}

/// The operator, as [`operator`]: their account when they came with their
/// session, none with the bearer `ADMIN_TOKEN` (the deployer, no account).
pub async fn operator_account(req: &Request, env: &Env) -> Outcome<Option<OwnerAccount>> {
    if bearer_token(req).is_some() {
        return admin(req, env).map(|()| None);
    }
    let account = owner::signed_in(req, env).await?;
    if account.operator {
        Ok(Some(account))
    } else {
        Err(Problem::new(ErrorCode::Forbidden, "only the operator may do this"))
    }
}

/// The shop at `shop_id` if the caller runs it or manages one of its stores,
/// with who they are: 401 without a credential, 403 for a shop they do not
/// run, `unknown_shop` (to those who run every shop) for none.
pub async fn shop_and_manager(req: &Request, env: &Env, shop_id: &str) -> Outcome<(ShopSummary, ShopManager)> {
    let shop_id = domain::shop::ShopId::parse(shop_id).map_err(|_| crate::refusals::unknown_shop())?;
    let manager = shop_manager(req, env, &shop_id).await?;
    // The shop's book is authoritative (KV may lag behind a change elsewhere).
    let shop = ShopClient::of(env, &shop_id)?.profile().await?.ok_or_else(crate::refusals::unknown_shop)?;
    Ok((shop, manager))
}
