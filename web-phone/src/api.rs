//! Typed calls to the Tessera API (contract: `domain::api`, paths:
//! `domain::api::routes`). The session is an HttpOnly cookie, so every call is a
//! same-origin fetch with credentials.

use domain::api::account::DeleteAccountRequest;
use domain::api::items::{
    ClaimRequest, Claimed, IssueItemCodeRequest, IssuedItemCode, OfferTransferRequest, Pocket, TransferOffer,
};
use domain::api::routes;
use domain::api::{
    ApproveRequest, CancelRequest, DebitStatus, IssueCodeRequest, IssuedCode, JoinRequest, MembershipView,
    RecoverRequest, SetPinRequest, ShopList, SignInRequest, SignUpRequest, SignedIn, Wallet,
};
use domain::items::{HandoverToken, ItemRef};
use domain::shop::ShopId;
use serde::de::DeserializeOwned;
use serde::Serialize;

pub use web_shared::http::Failure;
use web_shared::http::{self, Auth};

pub async fn sign_up(request: &SignUpRequest) -> Result<SignedIn, Failure> {
    call("POST", routes::MEMBERS, Some(request)).await
}

pub async fn recover(request: &RecoverRequest) -> Result<SignedIn, Failure> {
    call("POST", routes::RECOVERY, Some(request)).await
}

/// Ends every session of the member ("sign out everywhere"); the cookie is cleared.
pub async fn sign_out_everywhere() -> Result<(), Failure> {
    send("DELETE", routes::SESSIONS, None::<&()>).await.map(|_| ())
}

pub async fn sign_in(request: &SignInRequest) -> Result<SignedIn, Failure> {
    call("POST", routes::SESSION, Some(request)).await
}

pub async fn sign_out() -> Result<(), Failure> {
    send("DELETE", routes::SESSION, None::<&()>).await.map(|_| ())
}

/// Whether the server can be reached at all (the offline banner hears the answer too).
pub async fn reach() -> bool {
    !matches!(http::send_text("GET", routes::HEALTH, Auth::Session, None).await, Err(Failure::Network))
}

pub async fn wallet() -> Result<Wallet, Failure> {
    call("GET", routes::WALLET, None::<&()>).await
}

/// Waits (server side, up to `domain::api::LONG_POLL_MS`) until the wallet moves past `version`.
pub async fn wallet_after(version: u64) -> Result<Wallet, Failure> {
    call("GET", &format!("{}?after={version}", routes::WALLET), None::<&()>).await
}

pub async fn shops() -> Result<ShopList, Failure> {
    call("GET", routes::SHOPS, None::<&()>).await
}

pub async fn join(request: &JoinRequest) -> Result<MembershipView, Failure> {
    call("POST", routes::MEMBERSHIPS, Some(request)).await
}

pub async fn issue_code(shop_id: &ShopId) -> Result<IssuedCode, Failure> {
    call("POST", routes::CODES, Some(&IssueCodeRequest { shop_id: shop_id.clone() })).await
}

/// A one-time code that carries one bill or ticket.
pub async fn issue_item_code(item: &ItemRef) -> Result<IssuedItemCode, Failure> {
    call("POST", routes::ITEM_CODES, Some(&IssueItemCodeRequest { item: item.clone() })).await
}

/// This member's offline codes for every card, topped up, after saying which this phone has
/// shown since its last batch (see `docs/offline.md`).
pub async fn offline_codes(
    shown: &domain::api::offline::OfflineBatchRequest,
) -> Result<domain::api::offline::OfflineBatch, Failure> {
    call("POST", routes::OFFLINE_CODES, Some(shown)).await
}

/// Revokes every offline code of this member (a lost phone); registers learn it at their next sync.
pub async fn revoke_offline_codes() -> Result<domain::api::offline::OfflineRevoked, Failure> {
    call("DELETE", routes::OFFLINE_CODES, None::<&()>).await
}

pub async fn set_pin(request: &SetPinRequest) -> Result<(), Failure> {
    send("PUT", routes::PIN, Some(request)).await.map(|_| ())
}

pub async fn approve(request: &ApproveRequest) -> Result<DebitStatus, Failure> {
    call("POST", routes::APPROVE, Some(request)).await
}

pub async fn cancel(request: &CancelRequest) -> Result<DebitStatus, Failure> {
    call("POST", routes::CANCEL, Some(request)).await
}

/// The bills and tickets the member holds.
pub async fn items() -> Result<Pocket, Failure> {
    call("GET", routes::ITEMS, None::<&()>).await
}

/// Claims a bill or ticket by its link's secret.
pub async fn claim(token: HandoverToken) -> Result<Claimed, Failure> {
    call("POST", routes::CLAIMS, Some(&ClaimRequest { token })).await
}

/// Accepts a ticket passed on by its holder.
pub async fn accept_transfer(token: HandoverToken) -> Result<Claimed, Failure> {
    call("POST", routes::ACCEPT_TRANSFER, Some(&ClaimRequest { token })).await
}

pub async fn offer_transfer(item: ItemRef) -> Result<TransferOffer, Failure> {
    call("POST", routes::TRANSFERS, Some(&OfferTransferRequest { item })).await
}

/// Leaves a shop's programme (refused with `prepaid_balance_left` while prepaid value is left there).
pub async fn leave_shop(shop_id: &ShopId) -> Result<(), Failure> {
    send("DELETE", &routes::membership(shop_id.as_str()), None::<&()>).await.map(|_| ())
}

/// The member's own history at one shop.
pub async fn history(shop_id: &ShopId) -> Result<domain::api::account::MemberHistory, Failure> {
    call("GET", &routes::member_history(shop_id.as_str()), None::<&()>).await
}

/// Everything held about the member, as the JSON text the server sent (saved as a file as is).
pub async fn export() -> Result<String, Failure> {
    send("GET", routes::EXPORT, None::<&()>).await.map(|(_, text)| text)
}

/// Deletes the account for good (the password again); the server clears the cookie.
/// A new password, given the current one; the answer's cookie is this device's new session.
pub async fn change_password(request: &domain::api::ChangePasswordRequest) -> Result<(), Failure> {
    send("PUT", routes::PASSWORD, Some(request)).await.map(|_| ())
}

pub async fn delete_account(password: String) -> Result<(), Failure> {
    send("DELETE", routes::ACCOUNT, Some(&DeleteAccountRequest { password })).await.map(|_| ())
}

/// The member's coupons across their shops, and whether they opted out of segment offers.
pub async fn coupons() -> Result<domain::api::coupons::MemberCoupons, Failure> {
    call("GET", routes::MY_COUPONS, None::<&()>).await
}

/// Opts out of (or back into) offers aimed at a segment.
pub async fn set_coupon_opt_out(opted_out: bool) -> Result<(), Failure> {
    let settings = domain::api::coupons::CouponSettings { opted_out };
    send("PUT", routes::COUPON_SETTINGS, Some(&settings)).await.map(|_| ())
}

async fn call<T: DeserializeOwned>(method: &str, path: &str, body: Option<&impl Serialize>) -> Result<T, Failure> {
    http::call(method, path, Auth::Session, body).await
}

/// A call whose answer has no body worth reading.
async fn send(method: &str, path: &str, body: Option<&impl Serialize>) -> Result<(u16, String), Failure> {
    http::send(method, path, Auth::Session, body).await
}

/// The member's saved cards at a shop, and whether it takes cards.
pub async fn cards(shop_id: &ShopId) -> Result<domain::api::cards::CardList, Failure> {
    call("GET", &routes::my_cards(shop_id.as_str()), None::<&()>).await
}

/// A SetupIntent for the processor's script to confirm.
pub async fn start_card_setup(shop_id: &ShopId) -> Result<domain::api::cards::CardSetup, Failure> {
    call("POST", &routes::my_cards(shop_id.as_str()), None::<&()>).await
}

/// Records the card the processor saved for that SetupIntent.
pub async fn finish_card_setup(
    shop_id: &ShopId,
    setup_intent_id: &str,
) -> Result<domain::api::cards::SavedCard, Failure> {
    call("POST", &routes::my_card_setup(shop_id.as_str(), setup_intent_id), None::<&()>).await
}

pub async fn remove_card(shop_id: &ShopId, payment_method_id: &str) -> Result<(), Failure> {
    send("DELETE", &routes::my_card(shop_id.as_str(), payment_method_id), None::<&()>).await.map(|_| ())
}

/// Marks a saved card as the one a card sale at the shop offers first.
pub async fn mark_default_card(
    shop_id: &ShopId,
    card: &domain::api::cards::DefaultCard,
) -> Result<domain::api::cards::CardList, Failure> {
    call("PUT", &routes::my_default_card(shop_id.as_str()), Some(card)).await
}

/// A challenge to sign in with a passkey.
pub async fn passkey_sign_in_options() -> Result<domain::api::passkeys::PasskeyOptions, Failure> {
    call("POST", routes::PASSKEY_SIGN_IN_OPTIONS, None::<&()>).await
}

/// Signs in with the browser's answer to that challenge.
pub async fn passkey_sign_in(request: &domain::api::passkeys::PasskeySignInRequest) -> Result<SignedIn, Failure> {
    call("POST", routes::PASSKEY_SESSION, Some(request)).await
}

/// A challenge to add a passkey to the signed-in member.
pub async fn passkey_options() -> Result<domain::api::passkeys::PasskeyOptions, Failure> {
    call("POST", routes::MY_PASSKEY_OPTIONS, None::<&()>).await
}

/// A challenge to approve one question with a passkey instead of the PIN.
pub async fn approval_passkey_options(
    request: &domain::api::ApprovalPasskeyRequest,
) -> Result<domain::api::passkeys::PasskeyOptions, Failure> {
    call("POST", routes::APPROVAL_PASSKEY_OPTIONS, Some(request)).await
}

pub async fn passkeys() -> Result<domain::api::passkeys::PasskeyList, Failure> {
    call("GET", routes::MY_PASSKEYS, None::<&()>).await
}

pub async fn add_passkey(
    request: &domain::api::passkeys::AddPasskeyRequest,
) -> Result<domain::api::passkeys::PasskeyView, Failure> {
    call("POST", routes::MY_PASSKEYS, Some(request)).await
}

pub async fn remove_passkey(credential_id: &str) -> Result<(), Failure> {
    send("DELETE", &routes::my_passkey(credential_id), None::<&()>).await.map(|_| ())
}
