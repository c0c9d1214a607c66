//! Typed calls to the owners' routes (paths from `domain::api::routes`). The
//! session is the HttpOnly owner cookie; only the first-run claim carries a
//! bearer key (the instance's setup key).

use domain::api::cards::{CardProcessorKeys, CardProcessorStatus};
use domain::api::owner::{ApprovePairingRequest, RegisterList, RegisterSummary};
use domain::api::owner_accounts::{
    AcceptInviteRequest, ClaimRequest, ClaimStatus, CurrencyChange, InviteCreated, JoinPoster, OwnerMe,
    OwnerSignInRequest, ShopSettingsPatch,
};
use domain::api::{routes, CreateShopRequest, ProductList, RewardList, ShopSummary};
use web_shared::http::{call, send, Auth};

pub use web_shared::http::Failure;

const NO_BODY: Option<&()> = None;

pub async fn claim_status() -> Result<ClaimStatus, Failure> {
    call("GET", routes::OWNER_CLAIM, Auth::Session, NO_BODY).await
}

pub async fn claim(setup_key: &str, request: &ClaimRequest) -> Result<OwnerMe, Failure> {
    call("POST", routes::OWNER_CLAIM, Auth::Bearer(setup_key), Some(request)).await
}

pub async fn accept_invite(request: &AcceptInviteRequest) -> Result<OwnerMe, Failure> {
    call("POST", routes::OWNER_ACCEPT_INVITE, Auth::Session, Some(request)).await
}

pub async fn sign_in(request: &OwnerSignInRequest) -> Result<OwnerMe, Failure> {
    call("POST", routes::OWNER_SESSION, Auth::Session, Some(request)).await
}

pub async fn sign_out() -> Result<(), Failure> {
    send("DELETE", routes::OWNER_SESSION, Auth::Session, NO_BODY).await.map(drop)
}

/// A new password, given the current one; the answer's cookie is this device's new session.
pub async fn change_password(request: &domain::api::ChangePasswordRequest) -> Result<(), Failure> {
    send("PUT", routes::OWNER_PASSWORD, Auth::Session, Some(request)).await.map(drop)
}

/// Ends every session of the account, on every device.
pub async fn sign_out_everywhere() -> Result<(), Failure> {
    send("DELETE", routes::OWNER_SESSIONS, Auth::Session, NO_BODY).await.map(drop)
}

pub async fn me() -> Result<OwnerMe, Failure> {
    call("GET", routes::OWNER_ME, Auth::Session, NO_BODY).await
}

pub async fn create_shop(request: &CreateShopRequest) -> Result<ShopSummary, Failure> {
    call("POST", routes::OWNER_SHOPS, Auth::Session, Some(request)).await
}

pub async fn invite(shop_id: &str) -> Result<InviteCreated, Failure> {
    call("POST", &routes::owner_invites(shop_id), Auth::Session, NO_BODY).await
}

pub async fn join_poster(shop_id: &str) -> Result<JoinPoster, Failure> {
    call("GET", &routes::owner_join_poster(shop_id), Auth::Session, NO_BODY).await
}

pub async fn shop(shop_id: &str) -> Result<ShopSummary, Failure> {
    call("GET", &routes::owner_shop(shop_id), Auth::Session, NO_BODY).await
}

pub async fn update_shop(shop_id: &str, patch: &ShopSettingsPatch) -> Result<ShopSummary, Failure> {
    call("PATCH", &routes::owner_shop(shop_id), Auth::Session, Some(patch)).await
}

pub async fn change_currency(shop_id: &str, change: &CurrencyChange) -> Result<ShopSummary, Failure> {
    call("PUT", &routes::owner_shop_currency(shop_id), Auth::Session, Some(change)).await
}

pub async fn products(shop_id: &str) -> Result<ProductList, Failure> {
    call("GET", &routes::owner_products(shop_id), Auth::Session, NO_BODY).await
}

pub async fn put_products(shop_id: &str, list: &ProductList) -> Result<ProductList, Failure> {
    call("PUT", &routes::owner_products(shop_id), Auth::Session, Some(list)).await
}

pub async fn rewards(shop_id: &str) -> Result<RewardList, Failure> {
    call("GET", &routes::owner_rewards(shop_id), Auth::Session, NO_BODY).await
}

pub async fn put_rewards(shop_id: &str, list: &RewardList) -> Result<RewardList, Failure> {
    call("PUT", &routes::owner_rewards(shop_id), Auth::Session, Some(list)).await
}

pub async fn registers(shop_id: &str) -> Result<RegisterList, Failure> {
    call("GET", &routes::owner_registers(shop_id), Auth::Session, NO_BODY).await
}

/// Offline codes used twice (at two registers, or twice at one), with both scans.
pub async fn offline_conflicts(shop_id: &str) -> Result<domain::api::offline::OfflineConflicts, Failure> {
    call("GET", &routes::owner_offline_conflicts(shop_id), Auth::Session, NO_BODY).await
}

/// Settles an offline charge not paid at sync, once (`already_settled` the second time).
pub async fn settle_offline_unpaid(
    shop_id: &str,
    request_id: &str,
    request: &domain::api::offline::SettleOfflineUnpaid,
) -> Result<domain::api::offline::OfflineUnpaid, Failure> {
    call("POST", &routes::owner_offline_unpaid_settle(shop_id, request_id), Auth::Session, Some(request)).await
}

pub async fn revoke_register(shop_id: &str, register_id: &str) -> Result<(), Failure> {
    send("DELETE", &routes::owner_register(shop_id, register_id), Auth::Session, NO_BODY).await.map(drop)
}

pub async fn pair(shop_id: &str, request: &ApprovePairingRequest) -> Result<RegisterSummary, Failure> {
    call("POST", &routes::owner_pairings(shop_id), Auth::Session, Some(request)).await
}

pub async fn card_processor(shop_id: &str) -> Result<CardProcessorStatus, Failure> {
    call("GET", &routes::owner_card_processor(shop_id), Auth::Session, NO_BODY).await
}

pub async fn connect_card_processor(shop_id: &str, keys: &CardProcessorKeys) -> Result<CardProcessorStatus, Failure> {
    call("PUT", &routes::owner_card_processor(shop_id), Auth::Session, Some(keys)).await
}

pub async fn disconnect_card_processor(shop_id: &str) -> Result<CardProcessorStatus, Failure> {
    call("DELETE", &routes::owner_card_processor(shop_id), Auth::Session, NO_BODY).await
}

/// A challenge to sign in with a passkey.
pub async fn passkey_sign_in_options() -> Result<domain::api::passkeys::PasskeyOptions, Failure> {
    call("POST", routes::OWNER_PASSKEY_SIGN_IN_OPTIONS, Auth::Session, NO_BODY).await
}

/// Signs in with the browser's answer to that challenge.
pub async fn passkey_sign_in(request: &domain::api::passkeys::PasskeySignInRequest) -> Result<OwnerMe, Failure> {
    call("POST", routes::OWNER_PASSKEY_SESSION, Auth::Session, Some(request)).await
}

/// A challenge to add a passkey to the signed-in account.
pub async fn passkey_options() -> Result<domain::api::passkeys::PasskeyOptions, Failure> {
    call("POST", routes::OWNER_PASSKEY_OPTIONS, Auth::Session, NO_BODY).await
}

pub async fn passkeys() -> Result<domain::api::passkeys::PasskeyList, Failure> {
    call("GET", routes::OWNER_PASSKEYS, Auth::Session, NO_BODY).await
}

pub async fn add_passkey(
    request: &domain::api::passkeys::AddPasskeyRequest,
) -> Result<domain::api::passkeys::PasskeyView, Failure> {
    call("POST", routes::OWNER_PASSKEYS, Auth::Session, Some(request)).await
}

pub async fn remove_passkey(credential_id: &str) -> Result<(), Failure> {
    send("DELETE", &routes::owner_passkey(credential_id), Auth::Session, NO_BODY).await.map(drop)
}
