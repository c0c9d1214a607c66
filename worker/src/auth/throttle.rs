//! Guessing limits at the door (`domain::throttle`, kept by
//! [`Throttle`](crate::storage::throttle::Throttle) objects so they hold
//! across isolates). Over any of them the answer is `too_many_attempts` with
//! `Retry-After`; nobody is ever locked out, a stranger can only slow a login,
//! a link or an account down.
//!
//! - Every password or recovery-code check is counted first in two buckets:
//!   the login it names — known or not, so an unknown login slows down
//!   exactly like a real one — and the client address it comes from.
//! - A claim or transfer link's secret likewise, per link (its bill or
//!   ticket, existing or not) and per client address ([`begin_link_guess`]);
//!   an invite link per client address ([`begin_invite_guess`]).
//! - A pairing code an owner or store manager types, per account and per
//!   client address ([`begin_pairing_guess`]).
//! - A code a register sends, per register only ([`CodeGuard`]): registers of
//!   one shop share an address, and one till's failures must not slow its
//!   neighbours down.

use crate::error::Outcome;
use crate::refusals;
use crate::storage::code_index::protocol::{Found, IndexClient};
use crate::storage::throttle::protocol::ThrottleClient;
use crate::web;
use domain::code::OneTimeCode;
use domain::items::ItemRef;
use domain::shop::RegisterId;
use domain::throttle::{self, Limit};
use futures_util::future::{join, join3};
use serde::de::DeserializeOwned;
use std::net::Ipv6Addr;
use worker::{Env, Request};

/// A guess counted in the client's bucket and (mostly) the guessed thing's,
/// to be finished once it is checked.
pub struct Guess {
    subject: Option<ThrottleClient>,
    client: ThrottleClient,
}

/// Counts a guess at `login` (e.g. `member:<number>`, `owner:<e-mail>`) from
/// the request's client; refused while either bucket is slowed down.
pub async fn begin_guess(req: &Request, env: &Env, login: &str) -> Outcome<Guess> {
    begin_counted(req, env, Limit::SignInPerClient, Some((Limit::SignInPerLogin, login))).await
}

/// Counts a guess at the secret of the claim or transfer link for `item`.
pub async fn begin_link_guess(req: &Request, env: &Env, item: &ItemRef) -> Outcome<Guess> {
    begin_counted(req, env, Limit::LinkPerClient, Some((Limit::LinkPerItem, &format!("link:{item}")))).await
}

/// Counts a guess at an owner's or store manager's invite link, by the
/// client's address only: the link is its secret, there is no item to count by.
pub async fn begin_invite_guess(req: &Request, env: &Env) -> Outcome<Guess> {
    begin_counted(req, env, Limit::LinkPerClient, None).await
}

/// Counts a pairing code typed by `account` (an owner's or store manager's
/// e-mail; `None` for the operator, who may create registers outright and
/// so is counted by address only).
pub async fn begin_pairing_guess(req: &Request, env: &Env, account: Option<&str>) -> Outcome<Guess> {
    let account = account.map(|email| format!("account:{email}"));
    begin_counted(req, env, Limit::PairingPerClient, account.as_deref().map(|a| (Limit::PairingPerAccount, a))).await
}

async fn begin_counted(req: &Request, env: &Env, per_client: Limit, subject: Option<(Limit, &str)>) -> Outcome<Guess> {
    let client = ThrottleClient::of(env, per_client, &client_address(req))?;
    client.begin().await?;
    let Some((limit, name)) = subject else { return Ok(Guess { subject: None, client }) };
    let subject = ThrottleClient::of(env, limit, name)?;
    if let Err(refusal) = subject.begin().await {
        // Not tried after all: the client's count is given back.
        client.finish(true).await?;
        return Err(refusal);
    }
    Ok(Guess { subject: Some(subject), client })
}

impl Guess {
    /// Says whether the guess was right (a right one takes its count back).
    pub async fn finish(self, right: bool) -> Outcome<()> {
        let subject = async {
            match &self.subject {
                Some(subject) => subject.finish(right).await,
                None => Ok(()),
            }
        };
        let (subject, client) = futures_util::future::join(subject, self.client.finish(right)).await;
        subject.and(client)
    }

    /// Finishes the guess by its answer (`wrong` says which refusals mean a
    /// wrong guess) and passes the answer on.
    pub async fn judged<T>(self, answer: Outcome<T>, wrong: fn(domain::api::ErrorCode) -> bool) -> Outcome<T> {
        let right = !matches!(&answer, Err(problem) if wrong(problem.code()));
        self.finish(right).await?;
        answer
    }
}

/// A register's bucket for codes that turn out dead
/// ([`Limit::TypedCodePerRegister`]). Right codes are far more common than
/// dead ones and cheap to look up, so the bucket is only checked beside the
/// lookup (no extra wait), and a dead code is counted before it is answered.
pub struct CodeGuard(ThrottleClient);

impl CodeGuard {
    pub fn of(env: &Env, register: &super::Register) -> Outcome<Self> {
        Self::of_register(env, &register.record.register_id)
    }

    fn of_register(env: &Env, register_id: &RegisterId) -> Outcome<Self> {
        ThrottleClient::of(env, Limit::TypedCodePerRegister, &format!("register:{register_id}")).map(Self)
    }

    /// A register's call whose body carries a code (`code_of` says where),
    /// in two waits where it would take four one after the other: the
    /// register's token (KV, or the isolate's memory of it) beside reading the
    /// body; then the shop book's check, the shop's entry, the register's
    /// bucket and the code's index entry all at once. Refusals come in the
    /// same order as ever: 401, then the body, then `too_many_attempts`, then
    /// `unknown` (counted).
    pub async fn register_call<B: DeserializeOwned>(
        req: &mut Request,
        env: &Env,
        code_of: fn(&B) -> &OneTimeCode,
    ) -> Outcome<CodeCall<B>> {
        let bearer = super::register_bearer(req)?;
        let (token, body) = join(super::known_register(env, bearer), web::json_body::<B>(req)).await;
        let token = token?;
        let body = body?;
        let guard = Self::of_register(env, &token.record.register_id)?;
        let index = IndexClient::of(env, code_of(&body))?;
        let (register, checked, found) = join3(super::admit(env, token), guard.0.check(), index.lookup()).await;
        let register = register?;
        checked?;
        let found = guard.judged(found.and_then(|found| found.ok_or_else(refusals::unknown_code))).await?;
        Ok(CodeCall { register, body, found, guard })
    }

    /// The code's entry in the index, looked up while the register's bucket
    /// is checked: `too_many_attempts` while the register is slowed down,
    /// `unknown` (counted) for a code nobody issued.
    pub async fn look_up(&self, env: &Env, code: &OneTimeCode) -> Outcome<Found> {
        let index = IndexClient::of(env, code)?;
        let (checked, found) = futures_util::future::join(self.0.check(), index.lookup()).await;
        checked?;
        self.judged(found.and_then(|found| found.ok_or_else(refusals::unknown_code))).await
    }

    /// Passes a verdict on the code on, counting it first if it says the code
    /// is dead (expired, used, …); `too_many_attempts` instead if that
    /// failure finds the register already slowed down.
    pub async fn judged<T>(&self, answer: Outcome<T>) -> Outcome<T> {
        if matches!(&answer, Err(problem) if throttle::is_dead_code(problem.code())) {
            self.0.failed().await?;
        }
        answer
    }
}

/// What [`CodeGuard::register_call`] found: who calls, what they sent, the
/// code's index entry, and the guard to pass the call's verdict through.
pub struct CodeCall<B> {
    pub register: super::Register,
    pub body: B,
    pub found: Found,
    pub guard: CodeGuard,
}

/// The client's address as Cloudflare reports it (`CF-Connecting-IP`, which a
/// client cannot set through Cloudflare's edge), an IPv6 address cut to its
/// /64 (one subscriber's block); `unknown` where nothing reports one.
pub fn client_address(req: &Request) -> String {
    let reported = req.headers().get("cf-connecting-ip").ok().flatten().unwrap_or_default();
    let reported = reported.trim();
    if let Ok(v6) = reported.parse::<Ipv6Addr>() {
        let [a, b, c, d, ..] = v6.segments();
        return format!("{a:x}:{b:x}:{c:x}:{d:x}::/64");
    }
    if reported.is_empty() {
        "unknown".to_owned()
    } else {
        reported.to_owned()
    }
}
