//! What the Worker can ask a member's [`MemberVault`](super::MemberVault), and the client that asks it.

use crate::auth::password::StoredPassword;
use crate::error::Outcome;
use crate::storage::code_index::protocol::CodeHash;
use crate::storage::object::{protocol, Done, ObjectClient};
use crate::storage::passkeys::{ChallengeUse, NewPasskey, StoredKey};
use domain::api::account::MemberExport;
use domain::api::cards::SavedCard;
use domain::api::passkeys::{Base64Url, PasskeyView};
use domain::api::refunds::{CustomerReceipts, RefundableReceipt};
use domain::api::{
    ApproveRequest, CancelRequest, CustomerView, DebitStatus, Forgotten, MembershipView, PointsAccrued, ShopSummary,
    Wallet,
};
use domain::code_rules::CodeRecord;
use domain::confirmation::Debit;
use domain::coupons::{Coupon, CouponUse, MemberAtShop};
use domain::member::{DisplayName, MemberNumber};
use domain::money::MinorUnits;
use domain::receipt::Receipt;
use domain::refund::{LineRefund, ProcessorRefund};
use domain::rewards::Reward;
use domain::sale::LineItem;
use domain::shop::{CustomerNumber, Label, RegisterId, RequestId, ShopId};
use domain::staff::ServedBy;
use domain::store::StoreId;
use domain::UnixMillis;
use serde::{Deserialize, Serialize};
use worker::Env;

const BINDING: &str = "MEMBER_VAULT";

protocol! {
    pub enum VaultOperation {
        // Leaving a shop, the export and closing the account (see `withdrawal`).
        /// Leaves a shop's programme; refused while prepaid value is left there.
        Leave(Leave) -> Done,
        /// Everything held about the member (the Worker adds the items from the pocket).
        Export(ExportQuery) -> MemberExport,
        /// Closes the account: forgets the name, PIN, codes and questions; refuses every later call.
        Close(Close) -> Done,
        /// Succeeds while the account is open (a session's member checked before a call elsewhere).
        Open(OpenQuery) -> Done,

        /// Opens the vault of a new member; `already_exists` if the number is taken.
        Create(Create) -> Done,
        /// Sets the hash of the member's recovery code (at sign-up).
        SetRecovery(SetRecovery) -> Done,
        /// Records a session just signed in (by its id's hash).
        OpenSession(OpenSession) -> Done,
        /// `unauthorized` unless the session is open.
        CheckSession(CheckSession) -> Done,
        /// Signing out: ends this session.
        EndSession(EndSession) -> Done,
        /// "Sign out everywhere", and a password reset: ends every session.
        EndAllSessions(EndAllSessions) -> Done,
        /// Uses the recovery code: if it is the current one, it is replaced by
        /// `next_hash` in the same step; `wrong_credentials` otherwise.
        UseRecovery(UseRecovery) -> Done,
        /// The wallet, or with `after` the next version of it (long-poll).
        Wallet(WalletQuery) -> Wallet,
        /// Joins a shop (again: updates whether the name is shared).
        Join(Join) -> MembershipView,
        /// Records a new code for a joined shop.
        Issue(Issue) -> CodeRecord,
        /// A register read a code: judged, and held for the sale.
        Resolve(Resolve) -> CustomerView,
        /// Points for a sale, with a coupon if one is named; spends the code.
        Accrue(Accrue) -> Accrued,
        /// Points for a sale a register made offline (the shop's book granted the code's one use).
        AccrueOffline(AccrueOffline) -> PointsAccrued,
        /// A prepaid charge a register made offline within its store's limit (the shop's book
        /// granted the code's one use); `Short` if the balance does not hold it.
        ChargePrepaidOffline(ChargePrepaidOffline) -> OfflineCharge,
        /// Cash received as prepaid value; spends the code.
        TopUp(TopUp) -> Receipt,
        /// A new PIN (hashed by the Worker); clears any lock.
        SetPin(SetPin) -> Done,
        /// The register asks the customer to approve a debit; spends the code.
        Ask(Ask) -> DebitStatus,
        /// The register's view of its question, or with `wait` the next change (long-poll).
        Status(Status) -> DebitStatus,
        /// The register withdraws its question.
        Withdraw(Withdraw) -> DebitStatus,
        /// The customer approves exactly what their phone showed.
        Approve(Approve) -> ApproveStep,
        /// Keeps the first processor payment made for a card charge; answers the one kept.
        KeepCardPayment(KeepCardPayment) -> String,
        /// The processor's verdict on a card charge, applied once.
        SettleCard(SettleCard) -> DebitStatus,
        /// The customer says no.
        Cancel(CancelRequest) -> DebitStatus,
        // ---- refunds (see `refunds`) ----
        /// A receipt of the shop by its number, with what is left to refund; none if there is none.
        FindReceipt(FindReceipt) -> Option<RefundableReceipt>,
        /// The customer's latest receipts at the shop, by a code of theirs (checked, not spent).
        CustomerReceipts(CustomerReceiptsQuery) -> CustomerReceipts,
        /// Refunds a receipt of the till's shop, whole or some lines, at most once per line.
        Refund(Refund) -> Receipt,
        /// Records the refunds the card processor reports for a card sale that Tessera has not
        /// (made in the processor's dashboard), each processor refund at most once; none if the
        /// sale is not this member's card sale paid by that payment.
        RecordProcessorRefunds(ProcessorRefunds) -> Option<ProcessorRefundsRecorded>,
        // ---- coupons (see `coupons`) ----
        /// What each shop the member belongs to needs to judge its coupons for them.
        CouponFacts(CouponFactsQuery) -> MemberCouponFacts,
        /// The same for the shop of a code a register read (checked, not spent).
        CustomerCouponFacts(CustomerCouponFacts) -> MemberAtShop,
        /// Opts out of (or back into) segment offers.
        SetCouponOptOut(SetCouponOptOut) -> Done,
        // ---- cards (see `cards`) ----
        /// The processor's customer id for the member at a shop, if made.
        CardCustomer(CardCustomer) -> Option<String>,
        /// Keeps the first customer id made for the shop; answers the one kept.
        KeepCardCustomer(KeepCardCustomer) -> String,
        /// The cards saved for a shop, the default first, then newest first
        /// (`domain::cards::offered_in_order`).
        SavedCards(SavedCardsQuery) -> Vec<SavedCard>,
        /// Marks a saved card as the shop's default; answers the cards as `SavedCards` does.
        MarkDefaultCard(MarkDefaultCard) -> Vec<SavedCard>,
        /// Records a card the processor saved (once).
        SaveCard(SaveCard) -> SavedCard,
        /// Forgets a saved card; `no_saved_card` if there is none.
        ForgetCard(ForgetCard) -> Done,
        /// One housekeeping round as of `now` (the alarm runs them; tests ask for one).
        Housekeep(Housekeep) -> Forgotten,
        // ---- passkeys (see `passkeys`) ----
        /// Adds a passkey the Worker checked, answering its challenge (spent even if refused).
        AddPasskey(AddPasskey) -> PasskeyView,
        /// The member's passkeys, newest first.
        ListPasskeys(ListPasskeys) -> Vec<PasskeyView>,
        /// A passkey's stored key, if the member has it.
        PasskeyKey(PasskeyKey) -> Option<StoredKey>,
        /// A sign-in whose signature the Worker verified: spends the challenge; the counter must go up.
        UsePasskey(UsePasskey) -> Done,
        /// Removes one of the member's passkeys; `not_found` if there is none.
        RemovePasskey(RemovePasskey) -> Done,
    }
}

/// What an approval leads to: the answer, or a card charge the Worker makes at the processor
/// before it settles it with [`SettleCard`].
#[derive(Serialize, Deserialize)]
#[allow(clippy::large_enum_variant, reason = "a message built once and sent")]
pub enum ApproveStep {
    Answered(DebitStatus),
    ChargeCard(CardPlan),
}

/// A card charge to make: the amount on the member's card at the processor.
#[derive(Serialize, Deserialize)]
pub struct CardPlan {
    pub shop_id: ShopId,
    pub request_id: RequestId,
    pub amount: u64,
    pub currency: domain::money::Currency,
    pub customer: String,
    /// The member's customer number at the shop (in the payment's metadata, so the webhook finds the vault).
    pub customer_number: CustomerNumber,
    pub payment_method: String,
    /// The processor payment already made for it (a retry), if any.
    pub payment: Option<String>,
}

#[derive(Serialize, Deserialize)]
pub struct KeepCardPayment {
    pub shop_id: ShopId,
    pub request_id: RequestId,
    pub payment: String,
}

/// The processor's verdict.
#[derive(Serialize, Deserialize)]
pub enum CardVerdict {
    Paid {
        payment_id: String,
    },
    Declined {
        reason: domain::cards::DeclineReason,
    },
    /// Not yet: the bank asks the customer to authenticate on the phone (the question stays
    /// being charged; the answer is its status).
    AwaitsAuthentication,
}

#[derive(Serialize, Deserialize)]
pub struct SettleCard {
    pub shop_id: ShopId,
    pub request_id: RequestId,
    pub verdict: CardVerdict,
}

#[derive(Serialize, Deserialize)]
pub struct CardCustomer {
    pub shop_id: ShopId,
}

#[derive(Serialize, Deserialize)]
pub struct KeepCardCustomer {
    pub shop_id: ShopId,
    pub customer_id: String,
}

#[derive(Serialize, Deserialize)]
pub struct SavedCardsQuery {
    pub shop_id: ShopId,
}

#[derive(Serialize, Deserialize)]
pub struct MarkDefaultCard {
    pub shop_id: ShopId,
    pub card: domain::cards::CardId,
}

#[derive(Serialize, Deserialize)]
pub struct SaveCard {
    pub shop_id: ShopId,
    pub card: SavedCard,
}

#[derive(Serialize, Deserialize)]
pub struct ForgetCard {
    pub shop_id: ShopId,
    pub payment_method_id: String,
}

#[derive(Serialize, Deserialize)]
pub struct Housekeep {
    pub now: UnixMillis,
}

#[derive(Serialize, Deserialize)]
pub struct AddPasskey {
    pub challenge: ChallengeUse,
    pub passkey: NewPasskey,
}

#[derive(Serialize, Deserialize)]
pub struct ListPasskeys;

#[derive(Serialize, Deserialize)]
pub struct PasskeyKey {
    pub credential_id: Base64Url,
}

#[derive(Serialize, Deserialize)]
pub struct UsePasskey {
    pub credential_id: Base64Url,
    pub challenge: ChallengeUse,
    pub sign_count: u32,
}

#[derive(Serialize, Deserialize)]
pub struct RemovePasskey {
    pub credential_id: Base64Url,
}

#[derive(Serialize, Deserialize)]
pub struct CouponFactsQuery;

/// The member's opt-out, and each shop they belong to with what its book needs.
#[derive(Serialize, Deserialize)]
pub struct MemberCouponFacts {
    pub opted_out: bool,
    pub shops: Vec<ShopMember>,
}

/// A shop the member belongs to, with what its book needs to judge its coupons.
#[derive(Serialize, Deserialize)]
pub struct ShopMember {
    pub shop: ShopSummary,
    pub member: MemberAtShop,
}

#[derive(Serialize, Deserialize)]
pub struct CustomerCouponFacts {
    pub code_hash: CodeHash,
    pub shop_id: ShopId,
}

#[derive(Serialize, Deserialize)]
pub struct SetCouponOptOut {
    pub opted_out: bool,
}

/// A sale's answer, and what it adds to its coupon's results if it used one.
#[derive(Serialize, Deserialize)]
pub struct Accrued {
    pub accrued: PointsAccrued,
    pub coupon_use: Option<CouponUse>,
}

#[derive(Serialize, Deserialize)]
pub struct Leave {
    pub shop_id: ShopId,
}

#[derive(Serialize, Deserialize)]
pub struct ExportQuery;

#[derive(Serialize, Deserialize)]
pub struct Close;

#[derive(Serialize, Deserialize)]
pub struct OpenQuery;

/// Who asks, from which till, under which request id, with which code: what
/// every register operation on a vault carries, and what its receipt names.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TillHeader {
    pub shop: ShopSummary,
    pub register_id: RegisterId,
    pub register_name: Label,
    /// The store the register stands in, and its name now: every ledger row
    /// and receipt made here names it.
    pub store_id: StoreId,
    pub store_name: Label,
    pub request_id: RequestId,
    pub code_hash: CodeHash,
    /// The cashier signed in at the register; none in shops without staff.
    #[serde(default)]
    pub served_by: Option<ServedBy>,
    /// The manager who approved a refund above the shop's limit.
    #[serde(default)]
    pub approved_by: Option<ServedBy>,
}

impl TillHeader {
    pub fn shop_id(&self) -> &ShopId {
        &self.shop.shop_id
    }
}

#[derive(Serialize, Deserialize)]
pub struct Create {
    pub member_number: MemberNumber,
    pub display_name: DisplayName,
}

#[derive(Serialize, Deserialize)]
pub struct OpenSession {
    pub id_hash: String,
    pub expires_at: UnixMillis,
}

#[derive(Serialize, Deserialize)]
pub struct CheckSession {
    pub id_hash: String,
}

#[derive(Serialize, Deserialize)]
pub struct EndSession {
    pub id_hash: String,
}

#[derive(Serialize, Deserialize)]
pub struct EndAllSessions;

#[derive(Serialize, Deserialize)]
pub struct SetRecovery {
    pub code_hash: String,
}

#[derive(Serialize, Deserialize)]
pub struct UseRecovery {
    pub code_hash: String,
    pub next_hash: String,
}

#[derive(Serialize, Deserialize)]
pub struct WalletQuery {
    pub after: Option<u64>,
}

#[derive(Serialize, Deserialize)]
pub struct Join {
    pub shop: ShopSummary,
    pub customer_number: CustomerNumber,
    pub share_name: bool,
}

#[derive(Serialize, Deserialize)]
pub struct Issue {
    pub code_hash: CodeHash,
    pub shop_id: ShopId,
}

#[derive(Serialize, Deserialize)]
pub struct Resolve {
    pub code_hash: CodeHash,
    pub shop_id: ShopId,
}

#[derive(Serialize, Deserialize)]
pub struct AccrueOffline {
    pub till: TillHeader,
    pub amount: MinorUnits,
    /// When the register scanned the code, as the shop's book accepted it (`offline::judge_upload`).
    pub scanned_at: UnixMillis,
}

#[derive(Serialize, Deserialize)]
pub struct ChargePrepaidOffline {
    pub till: TillHeader,
    pub amount: MinorUnits,
    /// When the register scanned the code, as the shop's book accepted it (`offline::judge_upload`).
    pub scanned_at: UnixMillis,
}

/// The customer's approval, and whether the Worker verified them with a passkey instead of the PIN.
#[derive(Serialize, Deserialize)]
pub struct Approve {
    pub request: ApproveRequest,
    pub user_verified: bool,
}

/// What became of an offline prepaid charge.
#[derive(Serialize, Deserialize)]
pub enum OfflineCharge {
    Charged {
        customer_number: CustomerNumber,
        points: i64,
        prepaid_after: u64,
        receipt_number: String,
    },
    /// The balance did not hold the amount: nothing was charged.
    Short {
        customer_number: CustomerNumber,
    },
}

#[derive(Serialize, Deserialize)]
pub struct Accrue {
    pub till: TillHeader,
    pub amount: MinorUnits,
    /// The sale's lines (priced by the Worker), for the receipt.
    pub items: Vec<LineItem>,
    /// The coupon the register named, as the shop's book reserved it; `amount` is then the basket before it.
    #[serde(default)]
    pub coupon: Option<Coupon>,
}

#[derive(Serialize, Deserialize)]
pub struct TopUp {
    pub till: TillHeader,
    pub amount: MinorUnits,
}

#[derive(Serialize, Deserialize)]
pub struct SetPin {
    pub stored: StoredPassword,
}

/// The register's question, as the Worker prepared it (reward looked up,
/// lines priced from the product list, total computed).
#[derive(Serialize, Deserialize)]
pub struct Ask {
    pub till: TillHeader,
    /// For a sale with a coupon, the basket before it: the vault takes the discount off.
    pub debit: Debit,
    pub items: Vec<LineItem>,
    pub reward: Option<Reward>,
    /// The coupon the register named, as the shop's book reserved it.
    #[serde(default)]
    pub coupon: Option<Coupon>,
}

/// A register's question, found by the code that started it.
#[derive(Serialize, Deserialize)]
pub struct Question {
    pub code_hash: CodeHash,
    pub shop_id: ShopId,
    pub request_id: RequestId,
}

#[derive(Serialize, Deserialize)]
pub struct Status {
    pub question: Question,
    /// Hold the answer while the question is pending (up to `LONG_POLL_MS`).
    pub wait: bool,
}

#[derive(Serialize, Deserialize)]
pub struct Withdraw {
    pub question: Question,
}

#[derive(Serialize, Deserialize)]
pub struct FindReceipt {
    pub shop_id: ShopId,
    pub receipt_number: String,
}

#[derive(Serialize, Deserialize)]
pub struct CustomerReceiptsQuery {
    pub code_hash: CodeHash,
    pub shop_id: ShopId,
}

/// A register's refund. Its till header carries an empty code hash: a refund
/// is found by the receipt number, no code of the customer is spent.
#[derive(Serialize, Deserialize)]
pub struct Refund {
    pub till: TillHeader,
    pub receipt_number: String,
    pub lines: Option<Vec<LineRefund>>,
}

#[derive(Serialize, Deserialize)]
pub struct ProcessorRefunds {
    /// The shop as it is now (the refund receipts carry its name and texts).
    pub shop: ShopSummary,
    /// The card sale's request id (the payment's metadata).
    pub sale_request_id: RequestId,
    /// The processor's payment the sale was paid by.
    pub payment_id: String,
    /// The refunds of that payment the processor reports, oldest first.
    pub refunds: Vec<ProcessorRefund>,
}

/// A card sale and the refund receipts of the processor refunds reported (recorded now or before).
#[derive(Serialize, Deserialize)]
pub struct ProcessorRefundsRecorded {
    pub sale: Receipt,
    pub refunds: Vec<Receipt>,
}

/// The vault of one member.
pub struct VaultClient {
    object: ObjectClient,
}

impl VaultClient {
    pub fn of(env: &Env, member: &MemberNumber) -> Outcome<Self> {
        Ok(Self { object: ObjectClient::named(env, BINDING, member.as_str())? })
    }

    /// The processor's customer id for the member at `shop_id`, if made; `not_a_member` if not joined.
    pub async fn card_customer(&self, shop_id: &ShopId) -> Outcome<Option<String>> {
        self.object.call(CardCustomer { shop_id: shop_id.clone() }).await
    }

    /// Keeps the first customer id made for the shop and answers it.
    pub async fn keep_card_customer(&self, shop_id: &ShopId, customer_id: String) -> Outcome<String> {
        self.object.call(KeepCardCustomer { shop_id: shop_id.clone(), customer_id }).await
    }

    /// The cards saved for `shop_id`, the default first, then newest first.
    pub async fn saved_cards(&self, shop_id: &ShopId) -> Outcome<Vec<SavedCard>> {
        self.object.call(SavedCardsQuery { shop_id: shop_id.clone() }).await
    }

    /// Marks one of the member's saved cards as the shop's default; `no_saved_card` if it is not one.
    pub async fn mark_default_card(&self, shop_id: &ShopId, card: domain::cards::CardId) -> Outcome<Vec<SavedCard>> {
        self.object.call(MarkDefaultCard { shop_id: shop_id.clone(), card }).await
    }

    pub async fn save_card(&self, shop_id: &ShopId, card: SavedCard) -> Outcome<SavedCard> {
        self.object.call(SaveCard { shop_id: shop_id.clone(), card }).await
    }

    /// One housekeeping round as of `now` (tests only: the vault's alarm runs its own).
    pub async fn housekeep(&self, now: UnixMillis) -> Outcome<Forgotten> {
        self.object.call(Housekeep { now }).await
    }

    pub async fn forget_card(&self, shop_id: &ShopId, payment_method_id: String) -> Outcome<()> {
        self.object.call(ForgetCard { shop_id: shop_id.clone(), payment_method_id }).await.map(drop)
    }

    /// Adds a passkey the Worker checked, spending its challenge.
    pub async fn add_passkey(&self, challenge: ChallengeUse, passkey: NewPasskey) -> Outcome<PasskeyView> {
        self.object.call(AddPasskey { challenge, passkey }).await
    }

    pub async fn passkeys(&self) -> Outcome<Vec<PasskeyView>> {
        self.object.call(ListPasskeys).await
    }

    /// The stored key of one of the member's passkeys, if they have it.
    pub async fn passkey_key(&self, credential_id: &Base64Url) -> Outcome<Option<StoredKey>> {
        self.object.call(PasskeyKey { credential_id: credential_id.clone() }).await
    }

    /// Records a verified passkey sign-in (challenge spent, counter up).
    pub async fn use_passkey(
        &self,
        credential_id: &Base64Url,
        challenge: ChallengeUse,
        sign_count: u32,
    ) -> Outcome<()> {
        self.object.call(UsePasskey { credential_id: credential_id.clone(), challenge, sign_count }).await.map(drop)
    }

    pub async fn remove_passkey(&self, credential_id: Base64Url) -> Outcome<()> {
        self.object.call(RemovePasskey { credential_id }).await.map(drop)
    }

    /// Opens the vault for a new member; `already_exists` if the number is taken.
    pub async fn create(&self, member_number: &MemberNumber, display_name: &DisplayName) -> Outcome<()> {
        let request = Create { member_number: member_number.clone(), display_name: display_name.clone() };
        self.object.call(request).await.map(drop)
    }

    /// Leaves a shop's programme: its codes die, points close at zero; `prepaid_balance_left` while
    /// prepaid value is left there, `not_a_member` if the member is not in it.
    pub async fn leave(&self, shop_id: ShopId) -> Outcome<()> {
        self.object.call(Leave { shop_id }).await.map(drop)
    }

    /// Everything the vault holds about the member (items empty: they are in the pocket).
    pub async fn export(&self) -> Outcome<MemberExport> {
        self.object.call(ExportQuery).await
    }

    /// Closes the account for good, in one step.
    pub async fn close(&self) -> Outcome<()> {
        self.object.call(Close).await.map(drop)
    }

    /// `account_deleted` once the account is closed.
    pub async fn ensure_open(&self) -> Outcome<()> {
        self.object.call(OpenQuery).await.map(drop)
    }

    pub async fn open_session(&self, id_hash: String, expires_at: UnixMillis) -> Outcome<()> {
        self.object.call(OpenSession { id_hash, expires_at }).await.map(drop)
    }

    /// `unauthorized` unless the session is open.
    pub async fn check_session(&self, id_hash: String) -> Outcome<()> {
        self.object.call(CheckSession { id_hash }).await.map(drop)
    }

    pub async fn end_session(&self, id_hash: String) -> Outcome<()> {
        self.object.call(EndSession { id_hash }).await.map(drop)
    }

    pub async fn end_all_sessions(&self) -> Outcome<()> {
        self.object.call(EndAllSessions).await.map(drop)
    }

    /// Sets the hash of the member's recovery code.
    pub async fn set_recovery(&self, code_hash: String) -> Outcome<()> {
        self.object.call(SetRecovery { code_hash }).await.map(drop)
    }

    /// Uses the recovery code whose hash is `code_hash` and puts `next_hash` in
    /// its place; `wrong_credentials` (or `too_many_attempts`) otherwise.
    pub async fn use_recovery(&self, code_hash: String, next_hash: String) -> Outcome<()> {
        self.object.call(UseRecovery { code_hash, next_hash }).await.map(drop)
    }

    /// The wallet; with `after`, waits (up to `LONG_POLL_MS`) for a version past it.
    pub async fn wallet(&self, after: Option<u64>) -> Outcome<Wallet> {
        self.object.call(WalletQuery { after }).await
    }

    pub async fn join(
        &self,
        shop: ShopSummary,
        customer_number: CustomerNumber,
        share_name: bool,
    ) -> Outcome<MembershipView> {
        self.object.call(Join { shop, customer_number, share_name }).await
    }

    pub async fn issue(&self, code_hash: CodeHash, shop_id: ShopId) -> Outcome<CodeRecord> {
        self.object.call(Issue { code_hash, shop_id }).await
    }

    pub async fn resolve(&self, code_hash: CodeHash, shop_id: ShopId) -> Outcome<CustomerView> {
        self.object.call(Resolve { code_hash, shop_id }).await
    }

    pub async fn accrue(
        &self,
        till: TillHeader,
        amount: MinorUnits,
        items: Vec<LineItem>,
        coupon: Option<Coupon>,
    ) -> Outcome<Accrued> {
        self.object.call(Accrue { till, amount, items, coupon }).await
    }

    /// Points for an offline sale scanned at `scanned_at`; the same request id again replays it.
    pub async fn accrue_offline(
        &self,
        till: TillHeader,
        amount: MinorUnits,
        scanned_at: UnixMillis,
    ) -> Outcome<PointsAccrued> {
        self.object.call(AccrueOffline { till, amount, scanned_at }).await
    }

    /// A prepaid charge for an offline sale scanned at `scanned_at`; the same request id again
    /// answers the same.
    pub async fn charge_prepaid_offline(
        &self,
        till: TillHeader,
        amount: MinorUnits,
        scanned_at: UnixMillis,
    ) -> Outcome<OfflineCharge> {
        self.object.call(ChargePrepaidOffline { till, amount, scanned_at }).await
    }

    /// What each of the member's shops needs to judge its coupons for them.
    pub async fn coupon_facts(&self) -> Outcome<MemberCouponFacts> {
        self.object.call(CouponFactsQuery).await
    }

    /// The same for the shop of a code a register read (checked, not spent).
    pub async fn customer_coupon_facts(&self, code_hash: CodeHash, shop_id: ShopId) -> Outcome<MemberAtShop> {
        self.object.call(CustomerCouponFacts { code_hash, shop_id }).await
    }

    pub async fn set_coupon_opt_out(&self, opted_out: bool) -> Outcome<()> {
        self.object.call(SetCouponOptOut { opted_out }).await.map(drop)
    }

    pub async fn top_up(&self, till: TillHeader, amount: MinorUnits) -> Outcome<Receipt> {
        self.object.call(TopUp { till, amount }).await
    }

    pub async fn set_pin(&self, stored: StoredPassword) -> Outcome<()> {
        self.object.call(SetPin { stored }).await.map(drop)
    }

    pub async fn ask(&self, ask: Ask) -> Outcome<DebitStatus> {
        self.object.call(ask).await
    }

    /// The register's view of a confirmation; with `wait`, long-polls while it is pending.
    pub async fn debit_status(&self, question: Question, wait: bool) -> Outcome<DebitStatus> {
        self.object.call(Status { question, wait }).await
    }

    /// The register withdraws its question.
    pub async fn withdraw(&self, question: Question) -> Outcome<DebitStatus> {
        self.object.call(Withdraw { question }).await
    }

    /// The customer's approval: answered, or (a card charge) what to charge at the processor.
    /// `user_verified`: the Worker checked a passkey answer for this question, which stands for the PIN.
    pub async fn approve(&self, request: ApproveRequest, user_verified: bool) -> Outcome<ApproveStep> {
        self.object.call(Approve { request, user_verified }).await
    }

    pub async fn keep_card_payment(&self, plan: &CardPlan, payment: String) -> Outcome<String> {
        let request = KeepCardPayment { shop_id: plan.shop_id.clone(), request_id: plan.request_id.clone(), payment };
        self.object.call(request).await
    }

    /// Applies the processor's verdict once (a question no longer being charged is not changed).
    pub async fn settle_card(
        &self,
        shop_id: &ShopId,
        request_id: &RequestId,
        verdict: CardVerdict,
    ) -> Outcome<DebitStatus> {
        let request = SettleCard { shop_id: shop_id.clone(), request_id: request_id.clone(), verdict };
        self.object.call(request).await
    }

    pub async fn cancel(&self, request: CancelRequest) -> Outcome<DebitStatus> {
        self.object.call(request).await
    }

    /// A receipt of `shop_id` by its number, with what is left to refund.
    pub async fn find_receipt(&self, shop_id: ShopId, receipt_number: String) -> Outcome<Option<RefundableReceipt>> {
        self.object.call(FindReceipt { shop_id, receipt_number }).await
    }

    /// The customer's latest receipts at `shop_id`, by a code of theirs (checked, not spent).
    pub async fn customer_receipts(&self, code_hash: CodeHash, shop_id: ShopId) -> Outcome<CustomerReceipts> {
        self.object.call(CustomerReceiptsQuery { code_hash, shop_id }).await
    }

    /// Refunds a receipt of the till's shop; the same request id again returns the same refund receipt.
    pub async fn refund(
        &self,
        till: TillHeader,
        receipt_number: String,
        lines: Option<Vec<LineRefund>>,
    ) -> Outcome<Receipt> {
        self.object.call(Refund { till, receipt_number, lines }).await
    }

    pub async fn record_processor_refunds(
        &self,
        request: ProcessorRefunds,
    ) -> Outcome<Option<ProcessorRefundsRecorded>> {
        self.object.call(request).await
    }
}
