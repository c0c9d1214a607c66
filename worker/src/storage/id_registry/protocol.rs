//! What the Worker can ask an id's [`IdRegistry`](super::IdRegistry), and the client that asks it.

use crate::error::Outcome;
use crate::storage::object::{protocol, Done, ObjectClient};
use domain::items::IssuerId;
use domain::member::SignInName;
use serde::{Deserialize, Serialize};
use worker::Env;

const BINDING: &str = "ID_REGISTRY";

protocol! {
    pub enum IdOperation {
        /// Takes the id; `already_exists` if it is live or was ever revoked.
        Claim(Claim) -> Done,
        /// Where the id stands now.
        Standing(Standing) -> IdStanding,
        /// Revokes the id for good; true if it was live.
        Retire(Retire) -> bool,
    }
}

#[derive(Serialize, Deserialize)]
pub struct Claim;

#[derive(Serialize, Deserialize)]
pub struct Standing;

#[derive(Serialize, Deserialize)]
pub struct Retire {
    /// The directory still lists the id (an issuer created before ids were
    /// claimed here): it is live even without a claim, and is retired all the same.
    pub listed: bool,
}

/// Where an id stands: never taken, in use, or revoked (and so never taken again).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdStanding {
    Free,
    Live,
    Revoked,
}

/// The registry entry of one id.
pub struct IdClient {
    object: ObjectClient,
}

impl IdClient {
    /// The entry of an issuer id.
    pub fn issuer(env: &Env, issuer: &IssuerId) -> Outcome<Self> {
        Ok(Self { object: ObjectClient::named(env, BINDING, &format!("issuer:{issuer}"))? })
    }

    /// The entry of a member's sign-in name: taken by one member, and never
    /// again once their account is deleted (nobody can step into their name).
    pub fn sign_in_name(env: &Env, name: &SignInName) -> Outcome<Self> {
        Ok(Self { object: ObjectClient::named(env, BINDING, &format!("sign-in-name:{name}"))? })
    }

    /// Takes the id for a new issuer; `already_exists` if it is live or was
    /// revoked. Of any number of concurrent claims exactly one succeeds.
    pub async fn claim(&self) -> Outcome<()> {
        self.object.call(Claim).await.map(drop)
    }

    pub async fn standing(&self) -> Outcome<IdStanding> {
        self.object.call(Standing).await
    }

    /// Revokes the id for good; true if it was live (claimed, or `listed` in the directory).
    pub async fn retire(&self, listed: bool) -> Outcome<bool> {
        self.object.call(Retire { listed }).await
    }
}
