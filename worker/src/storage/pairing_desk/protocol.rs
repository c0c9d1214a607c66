//! What the Worker can ask the [`PairingDesk`](super::PairingDesk), and the client that asks it.

use crate::error::Outcome;
use crate::storage::object::{protocol, Done, ObjectClient};
use domain::api::owner::PairingStatus;
use domain::pairing::PairingCode;
use domain::shop::{Label, RegisterId, ShopId};
use domain::UnixMillis;
use serde::{Deserialize, Serialize};
use worker::Env;

const BINDING: &str = "PAIRING_DESK";
/// One desk for every pairing: pairings are rare (a till is set up once) and
/// each lives minutes, so one object holds few rows and decides atomically.
const DESK: &str = "pairings";

protocol! {
    pub enum PairingOperation {
        /// Opens a pairing with a fresh code; `too_many_attempts` when the desk is full.
        Start(Start) -> Opened,
        /// Takes an open code for a shop's new register: one approval per code.
        Approve(Approve) -> Done,
        /// The register is recorded: its credential may now be handed over.
        Ready(Ready) -> Done,
        /// What the page polling with its secret learns (the credential once).
        Poll(Poll) -> PairingStatus,
    }
}

#[derive(Serialize, Deserialize)]
pub struct Start {
    /// SHA-256 (hex) of the secret only the page knows.
    pub secret_hash: String,
    /// SHA-256 (hex) of the caller's address, to bound the pairings one client keeps open.
    pub client_hash: String,
    pub lifetime_ms: UnixMillis,
}

#[derive(Serialize, Deserialize)]
pub struct Opened {
    pub code: PairingCode,
    pub expires_at: UnixMillis,
}

#[derive(Serialize, Deserialize)]
pub struct Approve {
    pub code: PairingCode,
    pub register_id: RegisterId,
    pub shop_id: ShopId,
    pub name: Label,
    /// The new register's token, kept here only until the page collects it.
    pub token: String,
    /// How long the page has to collect it.
    pub lifetime_ms: UnixMillis,
}

#[derive(Serialize, Deserialize)]
pub struct Ready {
    pub code: PairingCode,
}

#[derive(Serialize, Deserialize)]
pub struct Poll {
    pub secret_hash: String,
}

/// The desk where register pages wait to be paired.
pub struct PairingClient {
    object: ObjectClient,
}

impl PairingClient {
    pub fn open(env: &Env) -> Outcome<Self> {
        Ok(Self { object: ObjectClient::named(env, BINDING, DESK)? })
    }

    /// Opens a pairing; `too_many_attempts` if the desk, or this client's share of it, is full.
    pub async fn start(&self, start: Start) -> Outcome<Opened> {
        self.object.call(start).await
    }

    /// Takes the code for this register; `pairing_invalid` if it is unknown,
    /// expired or already approved. Of concurrent approvals exactly one wins.
    pub async fn approve(&self, approval: Approve) -> Outcome<()> {
        self.object.call(approval).await.map(drop)
    }

    pub async fn ready(&self, code: PairingCode) -> Outcome<()> {
        self.object.call(Ready { code }).await.map(drop)
    }

    pub async fn poll(&self, secret_hash: String) -> Outcome<PairingStatus> {
        self.object.call(Poll { secret_hash }).await
    }
}
