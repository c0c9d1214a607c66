//! Messages about a shop's staff (rules in [`crate::staff`]): the owner's staff
//! list, managers' console invites, cashiers signing in at a register, and a
//! manager's approval of a refund.

use super::owner_accounts::InviteToken;
use crate::shop::{Label, ShopId};
use crate::staff::{Role, ServedBy, StaffNumber, StaffPin};
use crate::store::StoreId;
use crate::UnixMillis;
use serde::{Deserialize, Serialize};

/// The header a register sends its cashier's session token in (next to its own bearer token).
pub const STAFF_SESSION_HEADER: &str = "x-tessera-staff";

/// `POST` [`owner_staff`](super::routes::owner_staff): a new manager or cashier.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct NewStaffRequest {
    pub name: Label,
    pub role: Role,
    /// The store they work in; the main store if absent.
    #[serde(default)]
    pub store_id: StoreId,
    /// The first PIN; the person should change it (the owner resets it for them).
    pub pin: StaffPin,
}

/// A person as the console lists them: never their PIN or its hash.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct StaffMember {
    pub staff_number: StaffNumber,
    pub name: Label,
    pub role: Role,
    pub store_id: StoreId,
    pub created_at: UnixMillis,
    /// Wrong PINs have locked them out until then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locked_until: Option<UnixMillis>,
}

impl StaffMember {
    pub fn served_by(&self) -> ServedBy {
        ServedBy { staff_number: self.staff_number, name: self.name.clone() }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct StaffList {
    pub staff: Vec<StaffMember>,
}

/// `PUT` [`owner_staff_pin`](super::routes::owner_staff_pin).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ResetPinRequest {
    pub pin: StaffPin,
}

/// `POST` [`REGISTER_STAFF_SESSION`](super::routes::REGISTER_STAFF_SESSION): the PIN as typed
/// (a malformed one is simply wrong, and counted).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct StaffSignInRequest {
    pub staff_number: StaffNumber,
    pub pin: String,
}

/// Who is signed in at a register.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct OnDuty {
    pub staff: ServedBy,
    pub role: Role,
    pub expires_at: UnixMillis,
}

/// A new session at a register: the token is shown once (only its hash is kept).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct StaffSession {
    pub token: String,
    pub on_duty: OnDuty,
}

/// `GET` [`REGISTER_STAFF_SESSION`](super::routes::REGISTER_STAFF_SESSION).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct OnDutyStatus {
    /// The shop has staff: sales, debits, top-ups and refunds need someone signed in.
    pub staff_required: bool,
    /// Who is signed in with the token sent, if anyone.
    pub on_duty: Option<OnDuty>,
}

/// A manager's approval of a refund above the shop's limit, typed at the register.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ManagerApproval {
    pub staff_number: StaffNumber,
    pub pin: String,
}

/// `POST` [`owner_manager_invites`](super::routes::owner_manager_invites).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ManagerInviteRequest {
    #[serde(default)]
    pub store_id: StoreId,
}

/// A one-time link for a store's manager: opened in the console (like an
/// owner's invite, [`invite_path`](super::owner_accounts::invite_path)), it
/// makes a console account that runs only that store.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ManagerInviteCreated {
    pub shop_id: ShopId,
    pub store_id: StoreId,
    pub token: InviteToken,
    pub invite_path: String,
    pub expires_at: UnixMillis,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_person_defaults_to_the_main_store_and_checks_the_pin() {
        let request: NewStaffRequest = serde_json::from_str(r#"{"name":"Ada","role":"cashier","pin":"1234"}"#).unwrap();
        assert_eq!(request.store_id, StoreId::main());
        assert_eq!(request.role, Role::Cashier);
        assert!(serde_json::from_str::<NewStaffRequest>(r#"{"name":"Ada","role":"cashier","pin":"12"}"#).is_err());
        assert!(serde_json::from_str::<NewStaffRequest>(r#"{"name":"Ada","role":"owner","pin":"1234"}"#).is_err());
    }

    #[test]
    fn a_sign_in_takes_the_pin_as_typed() {
        let request: StaffSignInRequest = serde_json::from_str(r#"{"staff_number":3,"pin":"12"}"#).unwrap();
        assert_eq!(request.staff_number.get(), 3);
        assert!(serde_json::from_str::<StaffSignInRequest>(r#"{"staff_number":0,"pin":"1234"}"#).is_err());
    }
}
