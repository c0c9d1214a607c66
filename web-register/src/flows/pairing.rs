//! Pairing's conversation: start a pairing, then poll until an owner approves
//! its code (the credential comes once) or it expires.

use crate::api::{self, Failure};
use crate::timing::sleep;
use domain::api::owner::{PairingStarted, PairingStatus};

/// How often the page asks whether its code was approved.
const POLL_MS: i32 = 2_000;

/// How a pairing ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PairingEnd {
    /// Approved: the register's token, handed over once.
    Paired { token: String },
    /// Expired (or the server no longer knows it): start a new one.
    Expired,
}

pub async fn start() -> Result<PairingStarted, Failure> {
    api::start_pairing().await
}

/// Polls until the pairing ends. A failed poll (offline) is tried again: the
/// pairing lives on the server, and the server decides when it expired.
pub async fn follow(secret: &str) -> PairingEnd {
    loop {
        sleep(POLL_MS).await;
        match api::pairing_status(secret).await {
            Ok(PairingStatus::Paired { token, .. }) => return PairingEnd::Paired { token },
            Ok(PairingStatus::Expired) => return PairingEnd::Expired,
            Ok(PairingStatus::Waiting { .. }) | Err(Failure::Network | Failure::Unexpected(_)) => {}
            // A refusal (never expected here) ends this pairing: a new one starts.
            Err(Failure::Refused(_)) => return PairingEnd::Expired,
        }
    }
}
