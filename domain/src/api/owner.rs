//! Messages between the owner's console, registers being paired, and the worker:
//! pairing a register by its 8-character code, listing and revoking registers.
//! Owner accounts, invites and shop settings have their own messages beside these.

use crate::shop::{Label, RegisterId, ShopId};
use crate::store::StoreId;
use crate::UnixMillis;
use serde::{Deserialize, Serialize};

/// A register page with no credential asks for a pairing (`POST` [`PAIRINGS`](super::routes::PAIRINGS)).
/// `code` is shown on screen (and as a QR) for the owner to type or scan; `secret`
/// stays in the page, which polls with it until an owner approves or it expires.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct PairingStarted {
    /// 8 characters from an alphabet without look-alikes (see `crate::pairing`).
    pub code: String,
    /// 256 random bits in hex; only the register knows it.
    pub secret: String,
    pub expires_at: UnixMillis,
}

/// What a register waiting to be paired learns when it polls with its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "server-serde", derive(Deserialize))]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum PairingStatus {
    /// No owner has approved it yet.
    Waiting { expires_at: UnixMillis },
    /// Approved: the register's credential, handed over exactly once.
    Paired { register_id: RegisterId, shop_id: ShopId, name: Label, token: String },
    /// Expired (or already handed over): start again.
    Expired,
}
crate::tagged_deserialize!(PairingStatus, "status", {
    Waiting { expires_at: UnixMillis }, Paired { register_id: RegisterId, shop_id: ShopId, name: Label, token: String }, Expired {}
});

/// The owner approves a pairing code for a shop and names the register.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ApprovePairingRequest {
    pub code: String,
    pub name: Label,
    /// The store the new register stands in; the main store when left out.
    #[serde(default)]
    pub store_id: StoreId,
}

/// One register as the owner's console lists it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct RegisterSummary {
    pub register_id: RegisterId,
    pub shop_id: ShopId,
    /// The store it stands in.
    #[serde(default)]
    pub store_id: StoreId,
    pub name: Label,
    pub created_at: UnixMillis,
    /// When it last called the API (to the minute), if ever.
    pub last_seen: Option<UnixMillis>,
    /// A revoked register's every request is refused with `register_revoked`.
    pub revoked: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct RegisterList {
    pub registers: Vec<RegisterSummary>,
}
