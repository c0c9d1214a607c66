//! Guessing limits at the door. Every password or recovery-code check is
//! counted first in two buckets (`domain::throttle`, kept by
//! [`Throttle`](crate::storage::throttle::Throttle) objects so they hold
//! across isolates): the login it names — known or not, so an unknown login
//! slows down exactly like a real one — and the client address it comes from.
//! Over either, the answer is `too_many_attempts` with `Retry-After`; nobody
//! is ever locked out, a stranger can only slow a login down.

use crate::error::Outcome;
use crate::storage::throttle::protocol::ThrottleClient;
use domain::throttle::Limit;
use std::net::Ipv6Addr;
use worker::{Env, Request};

/// A guess counted in both buckets, to be finished once it is checked.
pub struct Guess {
    login: ThrottleClient,
    client: ThrottleClient,
}

/// Counts a guess at `login` (e.g. `member:<number>`, `owner:<e-mail>`) from
/// the request's client; refused while either bucket is slowed down.
pub async fn begin_guess(req: &Request, env: &Env, login: &str) -> Outcome<Guess> {
    let client = ThrottleClient::of(env, Limit::SignInPerClient, &client_address(req))?;
    client.begin().await?;
    let login = ThrottleClient::of(env, Limit::SignInPerLogin, login)?;
    if let Err(refusal) = login.begin().await {
        // Not tried after all: the client's count is given back.
        client.finish(true).await?;
        return Err(refusal);
    }
    Ok(Guess { login, client })
}

impl Guess {
    /// Says whether the guess was right (a right one takes its count back).
    pub async fn finish(self, right: bool) -> Outcome<()> {
        let (login, client) = futures_util::future::join(self.login.finish(right), self.client.finish(right)).await;
        login.and(client)
    }
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
