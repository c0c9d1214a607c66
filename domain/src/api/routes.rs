//! Every route of the edge API, written once: the worker's router, both pages
//! and the API tests name paths through these, so a path cannot drift
//! between the server and its clients.
//!
//! Fixed paths are constants; paths with an id in them are functions that
//! build them, and the router matches a path against those same functions
//! ([`id_in`], [`ids_in`]). Each [`Area`] (who calls) has its own table in the
//! worker, chosen by the path's prefix ([`Area::of`]).
//!
//! Each route says its method and its body → answer (all JSON; bodies over
//! [`MAX_BODY_BYTES`](super::MAX_BODY_BYTES) are refused). Members authenticate
//! with the [`SESSION_COOKIE`](super::SESSION_COOKIE) cookie, registers with
//! `Authorization: Bearer <register token>`, issuers with `Bearer <api key>`,
//! the operator with `Bearer <ADMIN_TOKEN secret>`. Every refusal is an
//! [`ApiError`](super::ApiError).

// ---- anyone ----

/// `GET` → `{"ok":true}`: readiness probe.
pub const HEALTH: &str = "/api/health";
/// `GET` → [`ShopList`](super::ShopList): the shops a member can join.
pub const SHOPS: &str = "/api/shops";

// ---- members (cookie session) ----

/// `POST` [`SignUpRequest`](super::SignUpRequest) → 201 [`SignedIn`](super::SignedIn) + cookie: sign up.
pub const MEMBERS: &str = "/api/members";
/// `POST` [`RecoverRequest`](super::RecoverRequest) → [`SignedIn`](super::SignedIn) (with a new recovery
/// code) + cookie: a forgotten password reset with the recovery code.
pub const RECOVERY: &str = "/api/members/recovery";
/// `POST` [`SignInRequest`](super::SignInRequest) → [`SignedIn`](super::SignedIn) + cookie signs in;
/// `DELETE` → 204 signs out (cookie cleared).
pub const SESSION: &str = "/api/session";
/// `POST` (no body) → [`PasskeyOptions`](super::passkeys::PasskeyOptions): a challenge to sign in with a
/// passkey (discoverable: the passkey names its member by its user handle).
pub const PASSKEY_SIGN_IN_OPTIONS: &str = "/api/session/passkey-options";
/// `POST` [`PasskeySignInRequest`](super::passkeys::PasskeySignInRequest) → [`SignedIn`](super::SignedIn) +
/// cookie: signs in with a passkey (a failure counts like a wrong password).
pub const PASSKEY_SESSION: &str = "/api/session/passkey";
/// Prefix of the member's own routes.
pub const MEMBER_AREA: &str = "/api/me";
/// `GET` → [`PasskeyList`](super::passkeys::PasskeyList): the member's passkeys; `POST`
/// [`AddPasskeyRequest`](super::passkeys::AddPasskeyRequest) → 201 [`PasskeyView`](super::passkeys::PasskeyView):
/// adds one (answering a challenge from [`MY_PASSKEY_OPTIONS`]).
pub const MY_PASSKEYS: &str = "/api/me/passkeys";
/// `POST` (no body) → [`PasskeyOptions`](super::passkeys::PasskeyOptions): a challenge to add a passkey.
pub const MY_PASSKEY_OPTIONS: &str = "/api/me/passkey-options";

/// `DELETE` → 204: removes one of the member's passkeys (by its credential id, base64url).
pub fn my_passkey(credential_id: &str) -> String {
    format!("{MY_PASSKEYS}/{credential_id}")
}
/// `GET` → [`Wallet`](super::Wallet): the member's wallet (long-polled with [`wallet_after`]).
pub const WALLET: &str = "/api/me/wallet";
/// `DELETE` → 204 (cookie cleared): end every session of the member, on every device.
pub const SESSIONS: &str = "/api/me/sessions";
/// `PUT` [`ChangePasswordRequest`](super::ChangePasswordRequest) → 204 + a new session cookie: a new
/// password, given the current one; every other session of the member ends.
pub const PASSWORD: &str = "/api/me/password";
/// `POST` [`JoinRequest`](super::JoinRequest) → [`MembershipView`](super::MembershipView): join a shop's programme.
pub const MEMBERSHIPS: &str = "/api/me/memberships";
/// `POST` [`IssueCodeRequest`](super::IssueCodeRequest) → [`IssuedCode`](super::IssuedCode): a one-time membership code.
pub const CODES: &str = "/api/me/codes";
/// `PUT` [`SetPinRequest`](super::SetPinRequest) → 204: set the prepaid PIN.
pub const PIN: &str = "/api/me/pin";
/// `POST` (no body) → [`OfflineBatch`](super::offline::OfflineBatch): the member's offline codes for each
/// card, topped up to a full batch (signed, single use, valid 48 h; see `docs/offline.md`); `DELETE` →
/// [`OfflineRevoked`](super::offline::OfflineRevoked): every offline code of the member is revoked (a lost
/// phone), at every shop.
pub const OFFLINE_CODES: &str = "/api/me/offline-codes";
/// `POST` [`ApproveRequest`](super::ApproveRequest) → [`DebitStatus`](super::DebitStatus): approve a register's question.
pub const APPROVE: &str = "/api/me/confirmations/approve";
/// `POST` [`ApprovalPasskeyRequest`](super::ApprovalPasskeyRequest) →
/// [`PasskeyOptions`](super::passkeys::PasskeyOptions): a challenge to approve that question with one of
/// the member's passkeys instead of the PIN (valid 5 minutes, answered once, for this question only).
pub const APPROVAL_PASSKEY_OPTIONS: &str = "/api/me/confirmations/passkey-options";
/// `POST` [`CancelRequest`](super::CancelRequest) → [`DebitStatus`](super::DebitStatus): cancel a register's question.
pub const CANCEL: &str = "/api/me/confirmations/cancel";
/// `POST` [`ClaimRequest`](super::items::ClaimRequest) → [`Claimed`](super::items::Claimed): claim a bill or
/// ticket by its link's secret.
pub const CLAIMS: &str = "/api/me/claims";
/// `GET` → [`Pocket`](super::items::Pocket): the bills (unpaid first) and tickets (upcoming first) the member holds.
pub const ITEMS: &str = "/api/me/items";
/// `POST` [`IssueItemCodeRequest`](super::items::IssueItemCodeRequest) →
/// [`IssuedItemCode`](super::items::IssuedItemCode): a one-time code that carries one bill or ticket.
pub const ITEM_CODES: &str = "/api/me/item-codes";
/// `POST` [`OfferTransferRequest`](super::items::OfferTransferRequest) →
/// [`TransferOffer`](super::items::TransferOffer): offer a ticket to someone else (a transfer link).
pub const TRANSFERS: &str = "/api/me/transfers";
/// `POST` [`ClaimRequest`](super::items::ClaimRequest) (the transfer token) →
/// [`Claimed`](super::items::Claimed): accept a transfer link.
pub const ACCEPT_TRANSFER: &str = "/api/me/transfers/accept";

// Leaving a shop, the export and closing the account (see `leaving`).
/// `GET` → [`MemberExport`](super::account::MemberExport): everything held about the member.
pub const EXPORT: &str = "/api/me/export";
/// `DELETE` [`DeleteAccountRequest`](super::account::DeleteAccountRequest) → 204 (cookie cleared): close the
/// account for good.
pub const ACCOUNT: &str = "/api/me/account";
/// `GET` → [`MemberCoupons`](super::coupons::MemberCoupons): the member's coupons across their shops.
pub const MY_COUPONS: &str = "/api/me/coupons";
/// `PUT` [`CouponSettings`](super::coupons::CouponSettings) → [`CouponSettings`](super::coupons::CouponSettings):
/// opt out of (or back into) offers aimed at a segment.
pub const COUPON_SETTINGS: &str = "/api/me/coupon-settings";

/// `GET` → [`CardList`](super::cards::CardList): the member's saved cards at a shop (brand and last 4
/// only); `POST` (no body) → 201 [`CardSetup`](super::cards::CardSetup): a card processor SetupIntent for
/// the phone's page script to confirm (the processor's customer is made once per member and shop).
pub fn my_cards(shop_id: &str) -> String {
    format!("/api/me/cards/{shop_id}")
}

/// `POST` (no body) → [`SavedCard`](super::cards::SavedCard): the phone confirmed the SetupIntent with the
/// processor; the worker reads it back from the processor and records the card (idempotent).
pub fn my_card_setup(shop_id: &str, setup_intent_id: &str) -> String {
    format!("/api/me/cards/{shop_id}/setups/{setup_intent_id}")
}

/// `DELETE` → 204: forgets a saved card (and detaches it at the processor; a card sale then offers
/// the newest card first if it was the default).
pub fn my_card(shop_id: &str, payment_method_id: &str) -> String {
    format!("/api/me/cards/{shop_id}/saved/{payment_method_id}")
}

/// `PUT` [`DefaultCard`](super::cards::DefaultCard) → [`CardList`](super::cards::CardList): marks one
/// of the member's saved cards as the one a card sale at the shop offers first (`no_saved_card` for
/// a card that is not theirs there).
pub fn my_default_card(shop_id: &str) -> String {
    format!("/api/me/cards/{shop_id}/default")
}

/// `DELETE` → 204: leave this shop's programme (refused with `prepaid_balance_left` while prepaid value is left).
pub fn membership(shop_id: &str) -> String {
    format!("{MEMBERSHIPS}/{shop_id}")
}

/// `GET` → [`MemberHistory`](super::account::MemberHistory): the member's own history at this
/// shop (joined now or before; otherwise `not_found`).
pub fn member_history(shop_id: &str) -> String {
    format!("/api/me/history/{shop_id}")
}

/// `GET` → `text/csv`: the member's receipts at this shop, one row each (see `history::csv`).
pub fn member_history_csv(shop_id: &str) -> String {
    format!("/api/me/history/{shop_id}/csv")
}

/// `GET` → [`Wallet`](super::Wallet) once its version is past `version`: waits up to
/// [`LONG_POLL_MS`](super::LONG_POLL_MS), then answers the wallet as it is.
pub fn wallet_after(version: u64) -> String {
    format!("{WALLET}?after={version}")
}

// ---- registers (bearer register token) ----

/// `GET` → [`RegisterInfo`](super::RegisterInfo): the register's shop, products and rewards.
pub const REGISTER: &str = "/api/register";
/// `POST` [`ScanRequest`](super::items::ScanRequest) → [`ScanAnswer`](super::items::ScanAnswer): what a scanned
/// code is for (membership, bill, ticket); a ticket's scan *is* the admission.
pub const SCAN: &str = "/api/register/scan";
/// `POST` [`ResolveRequest`](super::ResolveRequest) → [`CustomerView`](super::CustomerView): the customer behind
/// a membership code.
pub const RESOLVE: &str = "/api/register/resolve";
/// `POST` [`AccruePointsRequest`](super::AccruePointsRequest) → [`PointsAccrued`](super::PointsAccrued): add
/// points for a sale.
pub const POINTS: &str = "/api/register/points";
/// `POST` [`DebitRequest`](super::DebitRequest) → [`DebitStatus`](super::DebitStatus) (pending): ask the
/// customer's phone to approve a debit.
pub const DEBITS: &str = "/api/register/debits";
/// `POST` [`DebitWaitRequest`](super::DebitWaitRequest) → [`DebitStatus`](super::DebitStatus): wait
/// (up to 25 s) for the phone's answer.
pub const DEBITS_WAIT: &str = "/api/register/debits/wait";
/// `POST` [`DebitWaitRequest`](super::DebitWaitRequest) → [`DebitStatus`](super::DebitStatus): withdraw the question.
pub const DEBITS_CANCEL: &str = "/api/register/debits/cancel";
/// `POST` [`TopUpRequest`](super::TopUpRequest) → [`Receipt`](crate::receipt::Receipt): add prepaid value
/// (cash received).
pub const TOP_UPS: &str = "/api/register/prepaid/top-ups";
/// `POST` [`PayBillRequest`](super::items::PayBillRequest) → [`BillPaid`](super::bills::BillPaid): collect the
/// bill a code carries, exactly once.
pub const PAY_BILL: &str = "/api/register/bills/pay";
/// `POST` [`RefundRequest`](super::refunds::RefundRequest) → [`Receipt`](crate::receipt::Receipt) (the refund
/// receipt): refund a receipt of this shop, whole or some lines, once.
pub const REFUNDS: &str = "/api/register/refunds";
/// `POST` [`CustomerReceiptsRequest`](super::refunds::CustomerReceiptsRequest) →
/// [`CustomerReceipts`](super::refunds::CustomerReceipts): the customer's latest receipts at this shop, by
/// their code (checked, not spent), to pick one to refund. Also the prefix of [`register_receipt`].
pub const REGISTER_RECEIPTS: &str = "/api/register/receipts";
/// `POST` [`CustomerCouponsRequest`](super::coupons::CustomerCouponsRequest) →
/// [`CustomerCoupons`](super::coupons::CustomerCoupons): the coupons that apply to the customer whose code
/// was read (checked, not spent); a sale names one in `coupon_id`.
pub const REGISTER_COUPONS: &str = "/api/register/coupons";

/// `GET` → [`RefundableReceipt`](super::refunds::RefundableReceipt): a receipt of this shop by its number
/// (e.g. `7-0003`), with what is left to refund.
pub fn register_receipt(receipt_number: &str) -> String {
    format!("{REGISTER_RECEIPTS}/{receipt_number}")
}

/// `GET` → [`OnDutyStatus`](super::staff::OnDutyStatus): whether this register needs a signed-in cashier
/// and who is; `POST` [`StaffSignInRequest`](super::staff::StaffSignInRequest) → 201
/// [`StaffSession`](super::staff::StaffSession): a cashier (or manager) signs in at this register (wrong PINs
/// are limited); `DELETE` → 204 signs out. The session token travels in the
/// [`STAFF_SESSION_HEADER`](super::staff::STAFF_SESSION_HEADER) header.
pub const REGISTER_STAFF_SESSION: &str = "/api/register/staff-session";

/// `GET` → [`OfflineKit`](super::offline::OfflineKit): what this register may verify with no network: its
/// shop's public keys for offline codes, the revoked codes not yet expired, the offline debit limit.
pub const REGISTER_OFFLINE: &str = "/api/register/offline";
/// `POST` [`OfflineUpload`](super::offline::OfflineUpload) → [`OfflineSynced`](super::offline::OfflineSynced):
/// the register's queue of offline events, in order (at most 25 per upload); each is applied once by its
/// request id, a second use of one code anywhere is a recorded conflict.
pub const REGISTER_OFFLINE_EVENTS: &str = "/api/register/offline/events";

// ---- the operator (bearer ADMIN_TOKEN) ----

/// Prefix of the operator's routes.
pub const ADMIN_AREA: &str = "/api/admin";
/// `POST` [`CreateShopRequest`](super::CreateShopRequest) → 201 [`ShopSummary`](super::ShopSummary): create a shop.
pub const ADMIN_SHOPS: &str = "/api/admin/shops";
/// `POST` [`CreateIssuerRequest`](super::issuers::CreateIssuerRequest) → 201
/// [`IssuerCreated`](super::issuers::IssuerCreated): create an issuer (its key is shown once).
pub const ADMIN_ISSUERS: &str = "/api/admin/issuers";
/// `PUT` [`TestClock`](super::TestClock) → 204: shifts the clock points expiry reads for one shop
/// (tests only). Answers only where the Worker runs with `TEST_CLOCK=on`; 404 everywhere else.
pub const ADMIN_TEST_CLOCK: &str = "/api/admin/test-clock";
/// `POST`: one member vault's housekeeping round, as if later (tests only). Answers only where
/// the Worker runs with `TEST_CLOCK=on`; 404 everywhere else.
pub const ADMIN_TEST_HOUSEKEEPING: &str = "/api/admin/test-housekeeping";
/// `POST` [`super::TestShopHousekeeping`] → [`super::ShopForgotten`] (bearer `ADMIN_TOKEN`; only
/// where the Worker runs with `TEST_CLOCK=on`): one round of a shop book's housekeeping now.
pub const ADMIN_TEST_SHOP_HOUSEKEEPING: &str = "/api/admin/test-shop-housekeeping";
/// `POST` [`super::TestOwnerHousekeeping`] → [`super::OwnerForgotten`] (bearer `ADMIN_TOKEN`; only
/// where the Worker runs with `TEST_CLOCK=on`): one round of the owners' book's housekeeping now,
/// over one account's rows.
pub const ADMIN_TEST_OWNER_HOUSEKEEPING: &str = "/api/admin/test-owner-housekeeping";
/// `POST` [`TestSeedStats`](crate::synthetic::TestSeedStats) → [`TestSeeded`](crate::synthetic::TestSeeded)
/// (bearer `ADMIN_TOKEN`; only where the Worker runs with `TEST_CLOCK=on`): counts a batch of a
/// shop's synthetic sales in its statistics, through the code a real receipt is counted by
/// (`cargo xtask bench-dashboard`).
pub const ADMIN_TEST_SEED_STATS: &str = "/api/admin/test-seed-stats";

/// `POST` [`CreateRegisterRequest`](super::CreateRegisterRequest) → 201
/// [`RegisterCreated`](super::RegisterCreated): add a register to a shop.
pub fn admin_shop_registers(shop_id: &str) -> String {
    format!("{ADMIN_SHOPS}/{shop_id}/registers")
}

/// `PUT` [`ProductList`](super::ProductList) → [`ProductList`](super::ProductList): replace a shop's product list.
pub fn admin_shop_products(shop_id: &str) -> String {
    format!("{ADMIN_SHOPS}/{shop_id}/products")
}

/// `PUT` [`RewardList`](super::RewardList) → [`RewardList`](super::RewardList): replace a shop's rewards.
pub fn admin_shop_rewards(shop_id: &str) -> String {
    format!("{ADMIN_SHOPS}/{shop_id}/rewards")
}

/// `DELETE` → 204: revoke an issuer (its key stops working).
pub fn admin_issuer(issuer_id: &str) -> String {
    format!("{ADMIN_ISSUERS}/{issuer_id}")
}

// ---- a register page with no credential yet (anyone) ----

/// `POST` (no body) → 201 [`PairingStarted`](super::owner::PairingStarted): start pairing this register page.
pub const PAIRINGS: &str = "/api/pairings";

/// `GET` → [`PairingStatus`](super::owner::PairingStatus): poll a pairing with the secret only the page knows.
pub fn pairing(secret: &str) -> String {
    format!("{PAIRINGS}/{secret}")
}

// ---- shop owners (owner session cookie; the operator's bearer ADMIN_TOKEN is also accepted) ----

/// Prefix of the card processor's webhooks (public: each call is signed).
pub const CARD_WEBHOOKS: &str = "/api/card-webhooks";

/// `POST` (the processor's event, signed in `Stripe-Signature`) → 200 [`WebhookReceipt`](super::cards::WebhookReceipt);
/// 401 when the signature or its timestamp is wrong; an event id seen before is acknowledged and ignored.
pub fn card_webhook(shop_id: &str) -> String {
    format!("{CARD_WEBHOOKS}/{shop_id}")
}

/// Prefix of the owners' routes.
pub const OWNER_AREA: &str = "/api/owner";
/// Prefix of the paths of the shops an owner runs.
pub const OWNER_SHOPS: &str = "/api/owner/shops";

/// `GET` → [`ClaimStatus`](super::owner_accounts::ClaimStatus): whether the operator account exists yet;
/// `POST` [`ClaimRequest`](super::owner_accounts::ClaimRequest) with `Authorization: Bearer <ADMIN_TOKEN>` →
/// 201 [`OwnerMe`](super::owner_accounts::OwnerMe) + owner cookie: the first run takes the operator account,
/// once (then `already_exists`).
pub const OWNER_CLAIM: &str = "/api/owner/claim";
/// `POST` [`OwnerSignInRequest`](super::owner_accounts::OwnerSignInRequest) →
/// [`OwnerMe`](super::owner_accounts::OwnerMe) + owner cookie signs in (wrong passwords are limited like
/// members'); `DELETE` → 204 signs out (cookie cleared).
pub const OWNER_SESSION: &str = "/api/owner/session";
/// `DELETE` → 204: ends every session of the signed-in owner's account, on
/// every device ("sign out everywhere"; cookie cleared).
pub const OWNER_SESSIONS: &str = "/api/owner/sessions";
/// `PUT` [`ChangePasswordRequest`](super::ChangePasswordRequest) → 204 + a new owner cookie: a new
/// password, given the current one; every other session of the account ends.
pub const OWNER_PASSWORD: &str = "/api/owner/password";
/// `GET` → [`OwnerMe`](super::owner_accounts::OwnerMe): who is signed in and the shops they run.
pub const OWNER_ME: &str = "/api/owner/me";
/// `POST` (no body) → [`PasskeyOptions`](super::passkeys::PasskeyOptions): a challenge to sign in with a passkey.
pub const OWNER_PASSKEY_SIGN_IN_OPTIONS: &str = "/api/owner/session/passkey-options";
/// `POST` [`PasskeySignInRequest`](super::passkeys::PasskeySignInRequest) →
/// [`OwnerMe`](super::owner_accounts::OwnerMe) + owner cookie: signs in with a passkey (a failure counts
/// like a wrong password).
pub const OWNER_PASSKEY_SESSION: &str = "/api/owner/session/passkey";
/// `GET` → [`PasskeyList`](super::passkeys::PasskeyList): the owner's passkeys; `POST`
/// [`AddPasskeyRequest`](super::passkeys::AddPasskeyRequest) → 201 [`PasskeyView`](super::passkeys::PasskeyView).
pub const OWNER_PASSKEYS: &str = "/api/owner/passkeys";
/// `POST` (no body) → [`PasskeyOptions`](super::passkeys::PasskeyOptions): a challenge to add a passkey.
pub const OWNER_PASSKEY_OPTIONS: &str = "/api/owner/passkey-options";

/// `DELETE` → 204: removes one of the owner's passkeys (by its credential id, base64url).
pub fn owner_passkey(credential_id: &str) -> String {
    format!("{OWNER_PASSKEYS}/{credential_id}")
}
/// `POST` [`AcceptInviteRequest`](super::owner_accounts::AcceptInviteRequest) → 201
/// [`OwnerMe`](super::owner_accounts::OwnerMe) + owner cookie: an invite link, used once within 7 days
/// (else `not_found`, `already_used` or `expired`).
pub const OWNER_ACCEPT_INVITE: &str = "/api/owner/invites/accept";
/// `POST` [`ResetLinkRequest`](super::owner_accounts::ResetLinkRequest) → 201
/// [`ResetLinkCreated`](super::owner_accounts::ResetLinkCreated): a one-time password reset link for an
/// account, for 24 hours (the operator's session, or `Authorization: Bearer <ADMIN_TOKEN>`; `not_found`
/// for an e-mail without an account).
pub const OWNER_PASSWORD_RESETS: &str = "/api/owner/password-resets";
/// `POST` [`ResetPasswordRequest`](super::owner_accounts::ResetPasswordRequest) →
/// [`PasswordResetDone`](super::owner_accounts::PasswordResetDone): uses a reset link, once (else
/// `not_found`, `already_used` or `expired`); every session of the account ends.
pub const OWNER_PASSWORD_RESET: &str = "/api/owner/password-reset";
/// `POST` [`HandoverRequest`](super::owner_accounts::HandoverRequest) →
/// [`OwnerMe`](super::owner_accounts::OwnerMe): the operator hands the operator role to another account,
/// with their own password; they keep the shops they run as an owner.
pub const OWNER_OPERATOR_HANDOVER: &str = "/api/owner/operator/handover";

/// `GET` → [`ShopSummary`](super::ShopSummary); `PATCH`
/// [`ShopSettingsPatch`](super::owner_accounts::ShopSettingsPatch) → [`ShopSummary`](super::ShopSummary): the
/// shop's name and points rate (registers use the new rate from their next sale). `OWNER_SHOPS` itself:
/// `POST` [`CreateShopRequest`](super::CreateShopRequest) → 201 [`ShopSummary`](super::ShopSummary), the
/// operator only.
pub fn owner_shop(shop_id: &str) -> String {
    format!("{OWNER_SHOPS}/{shop_id}")
}

/// `PUT` [`CurrencyChange`](super::owner_accounts::CurrencyChange) → [`ShopSummary`](super::ShopSummary):
/// the shop's currency, while no member has joined (else 409 `currency_locked`).
pub fn owner_shop_currency(shop_id: &str) -> String {
    format!("{OWNER_SHOPS}/{shop_id}/currency")
}

/// `GET` → [`ProductList`](super::ProductList); `PUT` [`ProductList`](super::ProductList) →
/// [`ProductList`](super::ProductList): the shop's products (the whole list is replaced).
pub fn owner_products(shop_id: &str) -> String {
    format!("{OWNER_SHOPS}/{shop_id}/products")
}

/// `GET` → [`RewardList`](super::RewardList); `PUT` [`RewardList`](super::RewardList) →
/// [`RewardList`](super::RewardList): the shop's rewards (the whole list is replaced).
pub fn owner_rewards(shop_id: &str) -> String {
    format!("{OWNER_SHOPS}/{shop_id}/rewards")
}

/// `GET` → [`JoinPoster`](super::owner_accounts::JoinPoster): the QR code customers scan at the
/// counter to open the phone page on this shop's "Join" card.
pub fn owner_join_poster(shop_id: &str) -> String {
    format!("{OWNER_SHOPS}/{shop_id}/join-poster")
}

/// `POST` (no body) → 201 [`InviteCreated`](super::owner_accounts::InviteCreated): a one-time link
/// for another owner of this shop (valid 7 days; only its hash is stored).
pub fn owner_invites(shop_id: &str) -> String {
    format!("{OWNER_SHOPS}/{shop_id}/invites")
}

/// `GET` → [`CardProcessorStatus`](super::cards::CardProcessorStatus): whether the shop's card
/// processor account is connected (only a secret key's last 4 characters are ever shown); `PUT`
/// [`CardProcessorKeys`](super::cards::CardProcessorKeys) → [`CardProcessorStatus`](super::cards::CardProcessorStatus)
/// connects it (secrets stored encrypted); `DELETE` → [`CardProcessorStatus`](super::cards::CardProcessorStatus)
/// disconnects it. Owners only.
pub fn owner_card_processor(shop_id: &str) -> String {
    format!("{OWNER_SHOPS}/{shop_id}/card-processor")
}

/// `GET` → [`RegisterList`](super::owner::RegisterList): the shop's registers, revoked ones included.
pub fn owner_registers(shop_id: &str) -> String {
    format!("{OWNER_SHOPS}/{shop_id}/registers")
}

/// `DELETE` → 204: revoke a register; its very next request is refused with `register_revoked`.
pub fn owner_register(shop_id: &str, register_id: &str) -> String {
    format!("{OWNER_SHOPS}/{shop_id}/registers/{register_id}")
}

/// `POST` [`ApprovePairingRequest`](super::owner::ApprovePairingRequest) → 201
/// [`RegisterSummary`](super::owner::RegisterSummary): approve a register page's pairing code for this shop.
pub fn owner_pairings(shop_id: &str) -> String {
    format!("{OWNER_SHOPS}/{shop_id}/pairings")
}

/// `GET` → [`StoreList`](super::stores::StoreList): the shop's stores, the main store first; `POST`
/// [`AddStoreRequest`](super::stores::AddStoreRequest) → 201 [`Store`](crate::store::Store): a new store,
/// its id made from its name.
pub fn owner_stores(shop_id: &str) -> String {
    format!("{OWNER_SHOPS}/{shop_id}/stores")
}

/// `PATCH` [`ChangeStoreRequest`](super::stores::ChangeStoreRequest) → [`Store`](crate::store::Store):
/// renames a store or sets its offline prepaid limit (`unknown_store` if the shop has none with
/// this id); `DELETE` →
/// [`StoreClosed`](super::stores::StoreClosed): closes it (not the last open store: `last_open_store`),
/// revoking its registers; it stays listed, closed.
pub fn owner_store(shop_id: &str, store_id: &str) -> String {
    format!("{OWNER_SHOPS}/{shop_id}/stores/{store_id}")
}

/// `GET` → [`StaffList`](super::staff::StaffList); `POST` [`NewStaffRequest`](super::staff::NewStaffRequest)
/// → 201 [`StaffMember`](super::staff::StaffMember): the shop's managers and cashiers (owners only).
pub fn owner_staff(shop_id: &str) -> String {
    format!("{OWNER_SHOPS}/{shop_id}/staff")
}

/// `DELETE` → 204: removes a person; their sessions at the registers end at once.
pub fn owner_staff_member(shop_id: &str, staff_number: &str) -> String {
    format!("{OWNER_SHOPS}/{shop_id}/staff/{staff_number}")
}

/// `PUT` [`ResetPinRequest`](super::staff::ResetPinRequest) → 204: a new PIN; clears any lock and ends
/// the person's sessions.
pub fn owner_staff_pin(shop_id: &str, staff_number: &str) -> String {
    format!("{OWNER_SHOPS}/{shop_id}/staff/{staff_number}/pin")
}

/// `POST` [`ManagerInviteRequest`](super::staff::ManagerInviteRequest) → 201
/// [`ManagerInviteCreated`](super::staff::ManagerInviteCreated): a one-time link that makes (or lets an
/// existing account become) the console account of a store's manager (owners only).
pub fn owner_manager_invites(shop_id: &str) -> String {
    format!("{OWNER_SHOPS}/{shop_id}/manager-invites")
}

/// `GET ?from=YYYY-MM-DD&to=YYYY-MM-DD[&store=…]` → [`Dashboard`](super::dashboard::Dashboard): the shop's
/// figures for those local days (owners: every store or one; a store manager: their store only).
pub fn owner_dashboard(shop_id: &str) -> String {
    format!("{OWNER_SHOPS}/{shop_id}/dashboard")
}

/// `GET` (same query) → `text/csv`: every sale line (refunds negative) in the range.
pub fn owner_dashboard_sales_lines(shop_id: &str) -> String {
    format!("{OWNER_SHOPS}/{shop_id}/dashboard/sales-lines.csv")
}

/// `GET` (same query) → `text/csv`: every receipt's points and prepaid movement in the range.
pub fn owner_dashboard_ledger(shop_id: &str) -> String {
    format!("{OWNER_SHOPS}/{shop_id}/dashboard/ledger.csv")
}

/// `GET` → `text/csv`: one row per customer (number, joined, visits, spend, segment); owners only.
pub fn owner_dashboard_customers(shop_id: &str) -> String {
    format!("{OWNER_SHOPS}/{shop_id}/dashboard/customers.csv")
}

/// `GET` → [`CouponList`](super::coupons::CouponList): the shop's coupons with their results (owners and
/// managers); `POST` [`CouponTerms`](crate::coupons::CouponTerms) → 201
/// [`OwnerCoupon`](super::coupons::OwnerCoupon): a new coupon (owners only).
pub fn owner_coupons(shop_id: &str) -> String {
    format!("{OWNER_SHOPS}/{shop_id}/coupons")
}

/// `GET` → [`OfflineConflicts`](super::offline::OfflineConflicts): offline codes used twice (at two registers,
/// or twice at one), with both scans, newest first, and offline prepaid charges the balance could not pay
/// (open, then settled) (owners and managers).
pub fn owner_offline_conflicts(shop_id: &str) -> String {
    format!("{OWNER_SHOPS}/{shop_id}/offline-conflicts")
}

/// `POST` [`SettleOfflineUnpaid`](super::offline::SettleOfflineUnpaid) →
/// [`OfflineUnpaid`](super::offline::OfflineUnpaid) with its `settled`: marks an offline prepaid
/// charge the balance could not pay (named by its request id) as collected another way or written
/// off, once: `not_found` for no such charge, `already_settled` (409) the second time, and nothing
/// changes. Owners, and a store manager for their store's registers' charges.
pub fn owner_offline_unpaid_settle(shop_id: &str, request_id: &str) -> String {
    format!("{OWNER_SHOPS}/{shop_id}/offline-unpaid/{request_id}/settle")
}

/// `POST` (no body) → [`OwnerCoupon`](super::coupons::OwnerCoupon): ends a coupon now (owners only); it is
/// offered and applies no more, its results stay.
pub fn owner_coupon_end(shop_id: &str, coupon_id: &str) -> String {
    format!("{OWNER_SHOPS}/{shop_id}/coupons/{coupon_id}/end")
}

// ---- issuers (bearer issuer API key) ----

/// Prefix of the issuers' routes.
pub const ISSUER_AREA: &str = "/api/issuer";
/// `POST` [`CreateBillRequest`](super::bills::CreateBillRequest) → 201 [`BillCreated`](super::bills::BillCreated):
/// create a bill, with its claim link.
pub const ISSUER_BILLS: &str = "/api/issuer/bills";
/// `POST` [`CreateTicketsRequest`](super::tickets::CreateTicketsRequest) → 201
/// [`TicketsCreated`](super::tickets::TicketsCreated): create tickets for an event.
pub const ISSUER_TICKETS: &str = "/api/issuer/tickets";
/// Prefix of an event's paths.
pub const ISSUER_EVENTS: &str = "/api/issuer/events";

/// `GET` → [`BillStatus`](super::bills::BillStatus): a bill's status (paid where and when).
pub fn issuer_bill(bill_id: &str) -> String {
    format!("{ISSUER_BILLS}/{bill_id}")
}

/// `POST` → [`BillStatus`](super::bills::BillStatus): cancel an unpaid bill.
pub fn issuer_bill_cancel(bill_id: &str) -> String {
    format!("{ISSUER_BILLS}/{bill_id}/cancel")
}

/// `GET` → [`EventStatus`](super::tickets::EventStatus): an event's tickets, entries and visitor count.
pub fn issuer_event(event_id: &str) -> String {
    format!("{ISSUER_EVENTS}/{event_id}")
}

/// `POST` → [`TicketStatus`](super::tickets::TicketStatus): cancel one ticket; every gate then denies it.
pub fn issuer_ticket_cancel(event_id: &str, ticket_id: &str) -> String {
    format!("{ISSUER_EVENTS}/{event_id}/tickets/{ticket_id}/cancel")
}

/// A path's segments after the leading `/`: `segments(HEALTH) == ["api", "health"]`.
pub fn segments(path: &str) -> Vec<&str> {
    path.trim_start_matches('/').split('/').collect()
}

/// Who calls a route; the worker keeps one route table per area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    /// Anyone: [`HEALTH`], [`SHOPS`], the signed [`CARD_WEBHOOKS`].
    Public,
    /// Members: [`MEMBERS`] (sign up), [`RECOVERY`], [`SESSION`], the passkey sign-in ([`PASSKEY_SESSION`],
    /// [`PASSKEY_SIGN_IN_OPTIONS`]) and everything under [`MEMBER_AREA`].
    Member,
    /// Registers (and gates): [`REGISTER`] and everything under it.
    Register,
    /// Issuers with their API key: everything under [`ISSUER_AREA`].
    Issuer,
    /// The operator: everything under [`ADMIN_AREA`].
    Admin,
    /// Shop owners: everything under [`OWNER_AREA`].
    Owner,
    /// Register pages being paired: [`PAIRINGS`] and everything under it.
    Pairing,
}

impl Area {
    /// The area a path belongs to, by its prefix; `None` for a path in none of them.
    pub fn of(path: &str) -> Option<Area> {
        let under =
            |prefix: &str| path.strip_prefix(prefix).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
        if path == HEALTH || path == SHOPS || under(CARD_WEBHOOKS) {
            Some(Area::Public)
        } else if [MEMBERS, RECOVERY, SESSION, PASSKEY_SIGN_IN_OPTIONS, PASSKEY_SESSION].contains(&path)
            || under(MEMBER_AREA)
        {
            Some(Area::Member)
        } else if under(REGISTER) {
            Some(Area::Register)
        } else if under(ISSUER_AREA) {
            Some(Area::Issuer)
        } else if under(ADMIN_AREA) {
            Some(Area::Admin)
        } else if under(OWNER_AREA) {
            Some(Area::Owner)
        } else if under(PAIRINGS) {
            Some(Area::Pairing)
        } else {
            None
        }
    }
}

/// Stands for an id while a builder's shape is taken apart; never part of a fixed path.
const ID_MARK: &str = "{id}";

/// The id in `path` if `path` is what `build` makes of an id of one segment:
/// `id_in("/api/admin/issuers/acme", admin_issuer) == Some("acme")`. The router
/// matches the builders themselves, so a path's shape is written only there.
pub fn id_in(path: &str, build: fn(&str) -> String) -> Option<&str> {
    let shape = build(ID_MARK);
    let (before, after) = shape.split_once(ID_MARK)?;
    let id = path.strip_prefix(before)?.strip_suffix(after)?;
    (!id.contains('/')).then_some(id)
}

/// The two ids in `path` if `path` is what `build` makes of them (each one segment).
pub fn ids_in(path: &str, build: fn(&str, &str) -> String) -> Option<(&str, &str)> {
    let shape = build(ID_MARK, ID_MARK);
    let mut parts = shape.split(ID_MARK);
    let (Some(before), Some(between), Some(after), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let (first, second) = path.strip_prefix(before)?.strip_suffix(after)?.split_once(between)?;
    (!first.contains('/') && !second.contains('/')).then_some((first, second))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_paths_have_the_id_as_one_segment() {
        assert_eq!(
            segments(&admin_shop_registers("corner-cafe")),
            ["api", "admin", "shops", "corner-cafe", "registers"]
        );
        assert_eq!(
            segments(&issuer_ticket_cancel("jazz", "tk-1")),
            ["api", "issuer", "events", "jazz", "tickets", "tk-1", "cancel"]
        );
        assert_eq!(segments(HEALTH), ["api", "health"]);
    }

    #[test]
    fn the_router_finds_the_ids_a_builder_put_in() {
        assert_eq!(id_in(&admin_shop_registers("corner-cafe"), admin_shop_registers), Some("corner-cafe"));
        assert_eq!(id_in(&issuer_bill("bill-1"), issuer_bill), Some("bill-1"));
        assert_eq!(id_in(&membership("corner-cafe"), membership), Some("corner-cafe"));
        assert_eq!(id_in(&member_history_csv("corner-cafe"), member_history_csv), Some("corner-cafe"));
        assert_eq!(id_in(&member_history_csv("corner-cafe"), member_history), None);
        assert_eq!(id_in(&register_receipt("7-0003"), register_receipt), Some("7-0003"));
        assert_eq!(id_in(&issuer_bill_cancel("bill-1"), issuer_bill_cancel), Some("bill-1"));
        assert_eq!(id_in(&owner_shop("cafe"), owner_shop), Some("cafe"));
        assert_eq!(id_in(&owner_products("cafe"), owner_shop), None);
        assert_eq!(id_in(&owner_invites("cafe"), owner_invites), Some("cafe"));
        assert_eq!(id_in(&owner_stores("cafe"), owner_stores), Some("cafe"));
        assert_eq!(ids_in(&owner_store("cafe", "harbour"), owner_store), Some(("cafe", "harbour")));
        assert_eq!(id_in(&owner_store("cafe", "harbour"), owner_stores), None);
        assert_eq!(ids_in(&issuer_ticket_cancel("jazz", "tk-1"), issuer_ticket_cancel), Some(("jazz", "tk-1")));
        // An empty segment is still an id (the handler refuses it), as with any other text.
        assert_eq!(id_in("/api/admin/shops//registers", admin_shop_registers), Some(""));
    }

    #[test]
    fn the_router_refuses_other_shapes() {
        assert_eq!(id_in(&issuer_bill_cancel("bill-1"), issuer_bill), None);
        assert_eq!(id_in("/api/admin/shops/a/b/registers", admin_shop_registers), None);
        assert_eq!(id_in("/api/admin/shops/registers", admin_shop_registers), None);
        assert_eq!(id_in(ADMIN_SHOPS, admin_shop_products), None);
        assert_eq!(id_in("/api/admin/shops/x/registers/y", admin_shop_registers), None);
        assert_eq!(ids_in("/api/issuer/events/jazz/tickets/tk-1", issuer_ticket_cancel), None);
        assert_eq!(ids_in("/api/issuer/events/a/b/tickets/tk-1/cancel", issuer_ticket_cancel), None);
        assert_eq!(ids_in(&issuer_event("jazz"), issuer_ticket_cancel), None);
    }

    #[test]
    fn areas_go_by_prefix() {
        assert_eq!(Area::of(HEALTH), Some(Area::Public));
        assert_eq!(Area::of(SHOPS), Some(Area::Public));
        assert_eq!(Area::of(MEMBERS), Some(Area::Member));
        assert_eq!(Area::of(SESSION), Some(Area::Member));
        assert_eq!(Area::of(PASSKEY_SESSION), Some(Area::Member));
        assert_eq!(Area::of(PASSKEY_SIGN_IN_OPTIONS), Some(Area::Member));
        assert_eq!(Area::of(&my_passkey("AQID")), Some(Area::Member));
        assert_eq!(Area::of(OWNER_PASSKEY_SESSION), Some(Area::Owner));
        assert_eq!(Area::of(WALLET), Some(Area::Member));
        assert_eq!(Area::of(MEMBER_AREA), Some(Area::Member));
        assert_eq!(Area::of(REGISTER), Some(Area::Register));
        assert_eq!(Area::of(PAY_BILL), Some(Area::Register));
        assert_eq!(Area::of(&issuer_ticket_cancel("e", "t")), Some(Area::Issuer));
        assert_eq!(Area::of(&admin_issuer("acme")), Some(Area::Admin));
        assert_eq!(Area::of(&owner_register("cafe", "reg-1")), Some(Area::Owner));
        assert_eq!(Area::of(&owner_pairings("cafe")), Some(Area::Owner));
        assert_eq!(Area::of(OWNER_SESSION), Some(Area::Owner));
        assert_eq!(Area::of(&owner_products("cafe")), Some(Area::Owner));
        assert_eq!(Area::of(&owner_stores("cafe")), Some(Area::Owner));
        assert_eq!(Area::of(&owner_store("cafe", "harbour")), Some(Area::Owner));
        assert_eq!(Area::of(PAIRINGS), Some(Area::Pairing));
        assert_eq!(Area::of(&pairing("abc")), Some(Area::Pairing));
        assert_eq!(Area::of("/api/pairingsx"), None);
        assert_eq!(Area::of("/api/registers"), None);
        assert_eq!(Area::of("/api/members/x"), None);
        assert_eq!(Area::of("/api/health/"), None);
        assert_eq!(Area::of("/api"), None);
        assert_eq!(Area::of("/"), None);
    }

    #[test]
    fn every_fixed_path_is_under_api() {
        for path in [
            HEALTH,
            SHOPS,
            MEMBERS,
            SESSION,
            PASSWORD,
            WALLET,
            MEMBERSHIPS,
            CODES,
            PIN,
            APPROVE,
            APPROVAL_PASSKEY_OPTIONS,
            CANCEL,
            CLAIMS,
            ITEMS,
            ITEM_CODES,
            TRANSFERS,
            ACCEPT_TRANSFER,
            REGISTER,
            SCAN,
            RESOLVE,
            POINTS,
            DEBITS,
            DEBITS_WAIT,
            DEBITS_CANCEL,
            TOP_UPS,
            PAY_BILL,
            REFUNDS,
            REGISTER_RECEIPTS,
            REGISTER_COUPONS,
            MY_COUPONS,
            COUPON_SETTINGS,
            ADMIN_SHOPS,
            ADMIN_ISSUERS,
            ADMIN_TEST_CLOCK,
            ADMIN_TEST_HOUSEKEEPING,
            ADMIN_TEST_SHOP_HOUSEKEEPING,
            ADMIN_TEST_OWNER_HOUSEKEEPING,
            ADMIN_TEST_SEED_STATS,
            ISSUER_BILLS,
            ISSUER_TICKETS,
            ISSUER_EVENTS,
            PAIRINGS,
            OWNER_SHOPS,
            OWNER_CLAIM,
            OWNER_SESSION,
            OWNER_SESSIONS,
            OWNER_PASSWORD,
            OWNER_ME,
            OWNER_ACCEPT_INVITE,
        ] {
            assert!(path.starts_with("/api/"), "{path}");
            assert!(!path.ends_with('/'), "{path}");
        }
    }
}
