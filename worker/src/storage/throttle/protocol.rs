//! What the Worker can ask a [`Throttle`](super::Throttle) bucket, and the client that asks it.

use crate::crypto;
use crate::error::Outcome;
use crate::storage::object::{protocol, Done, ObjectClient};
use domain::throttle::Limit;
use serde::{Deserialize, Serialize};
use worker::Env;

const BINDING: &str = "THROTTLE";

protocol! {
    pub enum ThrottleOperation {
        /// Counts a try; `too_many_attempts` (with the seconds to wait) while the bucket is slowed.
        Begin(Begin) -> Done,
        /// Says how a begun try went: a success takes its count back.
        Finish(Finish) -> Done,
        /// Counts nothing; `too_many_attempts` while the bucket is slowed.
        Check(Check) -> Done,
    }
}

#[derive(Serialize, Deserialize)]
pub struct Check {
    pub limit: Limit,
}

#[derive(Serialize, Deserialize)]
pub struct Begin {
    pub limit: Limit,
}

#[derive(Serialize, Deserialize)]
pub struct Finish {
    pub limit: Limit,
    pub success: bool,
}

/// One bucket: a limit and who it counts (a login, a client address).
pub struct ThrottleClient {
    limit: Limit,
    object: ObjectClient,
}

impl ThrottleClient {
    /// The bucket of `limit` for `subject`, named by a hash of both.
    pub fn of(env: &Env, limit: Limit, subject: &str) -> Outcome<Self> {
        let name = crypto::sha256_hex(format!("{}:{subject}", limit.key()).as_bytes());
        Ok(Self { limit, object: ObjectClient::named(env, BINDING, &name)? })
    }

    /// Counts a try before the secret is checked.
    pub async fn begin(&self) -> Outcome<()> {
        self.object.call(Begin { limit: self.limit }).await.map(drop)
    }

    pub async fn finish(&self, success: bool) -> Outcome<()> {
        self.object.call(Finish { limit: self.limit, success }).await.map(drop)
    }

    /// Refused while the bucket is slowed; counts nothing (for tries that are
    /// counted only once they turn out wrong, with [`Self::failed`]).
    pub async fn check(&self) -> Outcome<()> {
        self.object.call(Check { limit: self.limit }).await.map(drop)
    }

    /// Counts a failure (a try begun and never finished); refused, uncounted,
    /// while the bucket is slowed.
    pub async fn failed(&self) -> Outcome<()> {
        self.begin().await
    }
}
