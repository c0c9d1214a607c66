//! What the Worker can ask a shop's [`ShopBook`](super::ShopBook), and the client that asks it.

use super::card_processor::{CardEvent, StoredCardKeys};
use super::offline::{IssuedOffline, OfflineUse};
use super::offline_bills::{BillCodeRecord, BillForCodes, IssuedBill};
use super::offline_tickets::{TicketCodeRecord, TicketForCodes};
use super::registers::NewRegister;
use super::staff::{Duty, NewSession, NewStaff, StaffCredential};
use crate::auth::password::StoredPassword;
use crate::error::Outcome;
use crate::storage::object::{protocol, Done, ObjectClient};
use domain::api::coupons::OwnerCoupon;
use domain::api::offline::{BillOfflineConflict, TicketOfflineConflict};
use domain::api::offline::{OfflineConflicts, OfflineSettlement, OfflineUnpaid};
use domain::api::owner::RegisterSummary;
use domain::api::staff::StaffMember;
use domain::api::stores::StoreClosed;
use domain::api::{ShopForgotten, ShopSummary};
use domain::coupons::{Coupon, CouponId, CouponTerms, CouponUse, MemberAtShop};
use domain::member::MemberNumber;
use domain::offline::{OfflineCodeId, Scan};
use domain::offline_bills::OfflineBiller;
use domain::offline_tickets::OfflineGateEvent;
use domain::shop::{CustomerNumber, Label, RegisterId, RequestId, ShopId};
use domain::staff::StaffNumber;
use domain::store::{Store, StoreId};
use domain::UnixMillis;
use serde::{Deserialize, Serialize};
use worker::Env;

const BINDING: &str = "SHOP_BOOK";

protocol! {
    pub enum ShopOperation {
        /// Records a new shop; `already_exists` if the id is taken.
        Create(Create) -> ShopSummary,
        /// The shop as recorded (at creation or by its last update), or none.
        Profile(Profile) -> Option<ShopSummary>,
        /// Replaces the shop's name and points rate; the id and currency never change.
        Update(Update) -> ShopSummary,
        /// The member's customer number, allocated on first call.
        Enroll(Enroll) -> Enrolment,
        /// Claims a request id for one request.
        Claim(Claim) -> Done,
        /// Records a new register of the shop.
        AddRegister(AddRegister) -> RegisterSummary,
        /// Every register of the shop.
        Registers(Registers) -> Vec<RegisterSummary>,
        /// Revokes a register; `not_found` if it is not the shop's.
        RevokeRegister(RevokeRegister) -> Done,
        /// A register calls: `register_revoked` if revoked, else its last_seen is kept and its store named.
        SeeRegister(SeeRegister) -> Store,
        /// The member behind a customer number (how a receipt number finds its vault).
        CustomerMember(CustomerMember) -> Option<MemberNumber>,
        // ---- stores (see `stores`) ----
        /// Every store of the shop, the main store first.
        Stores(StoresQuery) -> Vec<Store>,
        /// Adds a store; its id is made from its name.
        AddStore(AddStore) -> Store,
        /// Renames a store or sets its offline debit limit, or both; `unknown_store` if the shop
        /// has none with this id.
        ChangeStore(ChangeStore) -> Store,
        /// Closes a store (not the last open one) and revokes its registers, in one step.
        CloseStore(CloseStore) -> StoreClosed,
        // ---- staff (see `staff`) ----
        /// Records a new manager or cashier under the next staff number.
        AddStaff(AddStaff) -> StaffMember,
        /// Everyone on the staff (removed people are not listed).
        Staff(StaffQuery) -> Vec<StaffMember>,
        /// Removes a person; their sessions end.
        RemoveStaff(RemoveStaff) -> Done,
        /// A new PIN for a person; clears their lock and ends their sessions.
        ResetStaffPin(ResetStaffPin) -> Done,
        /// Counts a PIN attempt (person and register) before the Worker checks the hash.
        BeginStaffPin(BeginStaffPin) -> Option<StaffCredential>,
        /// Ends a PIN attempt: a right PIN clears the counts.
        FinishStaffPin(FinishStaffPin) -> Done,
        /// Opens a session at a register for a person whose PIN was right.
        OpenStaffSession(OpenStaffSession) -> Done,
        /// Whether the shop has staff and who is signed in at a register with a token.
        Duty(DutyQuery) -> Duty,
        /// Signs a register's session out.
        EndStaffSession(EndStaffSession) -> Done,
        // ---- coupons (see `coupons`) ----
        /// A new coupon under a fresh id.
        CreateCoupon(CreateCoupon) -> OwnerCoupon,
        /// Every coupon with its results, newest first.
        Coupons(CouponsQuery) -> Vec<OwnerCoupon>,
        /// Ends a coupon now.
        EndCoupon(EndCoupon) -> OwnerCoupon,
        /// The coupons offered to a member now; each counted as issued to them once.
        CouponOffers(CouponOffers) -> Vec<Coupon>,
        /// Reserves one use of a coupon for a sale (`coupon_sold_out` at the limit).
        ReserveCoupon(ReserveCoupon) -> Coupon,
        /// Counts (or releases) a sale's reservation once the vault decided.
        ConcludeCoupon(ConcludeCoupon) -> Done,
        /// A refund of a sale that used a coupon: taken out of its figures once per refund.
        TakeBackCoupon(TakeBackCoupon) -> Done,
        /// Members each coupon was first offered to on the shop's local days of a range.
        CouponsIssued(CouponsIssued) -> Vec<(CouponId, i64)>,
        // ---- cards (see `card_processor`) ----
        /// The shop's card processor account, secrets sealed; none if not connected.
        CardKeys(CardKeysQuery) -> Option<StoredCardKeys>,
        /// Connects (or replaces) the shop's card processor account.
        SetCardKeys(SetCardKeys) -> Done,
        /// Disconnects it.
        ForgetCardKeys(ForgetCardKeys) -> Done,
        /// Notes a processor event once: true the first time, false for a replay.
        NoteCardEvent(NoteCardEvent) -> bool,
        /// The processor events noted, newest first.
        CardEvents(CardEventsQuery) -> Vec<CardEvent>,
        // ---- offline codes (see `offline`) ----
        /// The member's live offline codes, topped up to a full batch.
        IssueOffline(IssueOffline) -> Vec<IssuedOffline>,
        /// Revokes the member's unused offline codes; how many.
        RevokeOffline(RevokeOffline) -> u32,
        /// Revoked offline codes not yet expired.
        RevokedOffline(RevokedOffline) -> Vec<OfflineCodeId>,
        /// One uploaded use of an offline code: granted once, else a conflict or a refusal.
        UseOffline(UseOffline) -> OfflineUse,
        /// An offline prepaid charge the member's balance could not pay at sync (once per request id).
        NoteOfflineUnpaid(OfflineUnpaid) -> Done,
        /// Offline codes used twice and offline charges not paid (open, then settled), newest first.
        OfflineConflicts(OfflineConflictsQuery) -> OfflineConflicts,
        /// Settles an offline charge not paid, once (`not_found`, `already_settled`, or `forbidden`
        /// for a charge of a register outside `within_stores`: nothing changes).
        SettleOfflineUnpaid(SettleOfflineUnpaid) -> OfflineUnpaid,
        /// The holder's live offline codes for one ticket at this venue, topped up.
        IssueTicketOffline(IssueTicketOffline) -> Vec<IssuedOffline>,
        /// Which ticket an offline code is for (none: not a ticket code of this venue).
        TicketCode(TicketCodeQuery) -> Option<TicketCodeRecord>,
        /// The events this venue's gates may admit offline.
        GateEvents(GateEventsQuery) -> Vec<OfflineGateEvent>,
        /// An offline admission that did not count (once per request id).
        NoteTicketConflict(TicketOfflineConflict) -> Done,
        /// The holder's live offline codes for one bill payable here, topped up; none if this
        /// shop trades in another currency.
        IssueBillOffline(IssueBillOffline) -> Option<IssuedBill>,
        /// Which bill an offline code is for (none: not a bill code of this shop).
        BillCode(BillCodeQuery) -> Option<BillCodeRecord>,
        /// The billers this shop's registers may name offline.
        Billers(BillersQuery) -> Vec<OfflineBiller>,
        /// An offline bill collection that did not count (once per request id).
        NoteBillConflict(BillOfflineConflict) -> Done,
        /// One housekeeping round as of `now` (the alarm runs them; tests ask for one).
        Housekeep(Housekeep) -> ShopForgotten,
    }
}

#[derive(Serialize, Deserialize)]
pub struct CardKeysQuery;

#[derive(Serialize, Deserialize)]
pub struct SetCardKeys {
    pub keys: StoredCardKeys,
}

#[derive(Serialize, Deserialize)]
pub struct ForgetCardKeys;

#[derive(Serialize, Deserialize)]
pub struct NoteCardEvent {
    pub event: CardEvent,
}

#[derive(Serialize, Deserialize)]
pub struct CardEventsQuery;

#[derive(Serialize, Deserialize)]
pub struct Create {
    pub shop: ShopSummary,
}

#[derive(Serialize, Deserialize)]
pub struct Profile;

#[derive(Serialize, Deserialize)]
pub struct Update {
    pub shop: ShopSummary,
}

#[derive(Serialize, Deserialize)]
pub struct Enroll {
    pub member_number: MemberNumber,
}

#[derive(Serialize, Deserialize)]
pub struct Enrolment {
    pub shop: ShopSummary,
    pub customer_number: CustomerNumber,
}

#[derive(Serialize, Deserialize)]
pub struct Claim {
    pub request_id: RequestId,
    /// What the request does, so a retry can be told from a reuse.
    pub fingerprint: String,
}

#[derive(Serialize, Deserialize)]
pub struct AddRegister {
    pub register: NewRegister,
}

#[derive(Serialize, Deserialize)]
pub struct Registers;

#[derive(Serialize, Deserialize)]
pub struct RevokeRegister {
    pub register_id: RegisterId,
}

#[derive(Serialize, Deserialize)]
pub struct SeeRegister {
    pub register: NewRegister,
}

#[derive(Serialize, Deserialize)]
pub struct CustomerMember {
    pub customer_number: CustomerNumber,
}

#[derive(Serialize, Deserialize)]
pub struct StoresQuery;

#[derive(Serialize, Deserialize)]
pub struct AddStore {
    pub name: Label,
}

#[derive(Serialize, Deserialize)]
pub struct ChangeStore {
    pub store_id: StoreId,
    pub name: Option<Label>,
    /// Checked by the caller (`offline::judge_offline_debit_limit`).
    pub offline_debit_limit_minor: Option<u64>,
}

#[derive(Serialize, Deserialize)]
pub struct CloseStore {
    pub store_id: StoreId,
}

#[derive(Serialize, Deserialize)]
pub struct AddStaff {
    pub person: NewStaff,
}

#[derive(Serialize, Deserialize)]
pub struct StaffQuery;

#[derive(Serialize, Deserialize)]
pub struct RemoveStaff {
    pub staff_number: StaffNumber,
}

#[derive(Serialize, Deserialize)]
pub struct ResetStaffPin {
    pub staff_number: StaffNumber,
    pub pin: StoredPassword,
}

#[derive(Serialize, Deserialize)]
pub struct BeginStaffPin {
    pub staff_number: StaffNumber,
    pub register_id: RegisterId,
}

#[derive(Serialize, Deserialize)]
pub struct FinishStaffPin {
    pub staff_number: StaffNumber,
    pub register_id: RegisterId,
    pub correct: bool,
}

#[derive(Serialize, Deserialize)]
pub struct OpenStaffSession {
    pub staff_number: StaffNumber,
    pub register_id: RegisterId,
    pub session: NewSession,
}

#[derive(Serialize, Deserialize)]
pub struct DutyQuery {
    pub register_id: RegisterId,
    pub token_hash: Option<String>,
}

#[derive(Serialize, Deserialize)]
pub struct EndStaffSession {
    pub token_hash: String,
}

#[derive(Serialize, Deserialize)]
pub struct CreateCoupon {
    pub terms: CouponTerms,
}

#[derive(Serialize, Deserialize)]
pub struct CouponsQuery;

#[derive(Serialize, Deserialize)]
pub struct EndCoupon {
    pub coupon_id: CouponId,
}

#[derive(Serialize, Deserialize)]
pub struct CouponOffers {
    pub member: MemberAtShop,
}

#[derive(Serialize, Deserialize)]
pub struct CouponsIssued {
    /// Days since 1970-01-01, local to the shop, both included.
    pub from_day: i64,
    pub to_day: i64,
}

#[derive(Serialize, Deserialize)]
pub struct ReserveCoupon {
    pub coupon_id: CouponId,
    pub request_id: RequestId,
}

#[derive(Serialize, Deserialize)]
pub struct ConcludeCoupon {
    pub coupon_id: CouponId,
    pub request_id: RequestId,
    /// What the sale was, if it used the coupon; none releases the reservation.
    pub used: Option<CouponUse>,
}

#[derive(Serialize, Deserialize)]
pub struct TakeBackCoupon {
    pub coupon_id: CouponId,
    /// The sale that used the coupon.
    pub sale_request_id: RequestId,
    /// The refund, so that its retry takes nothing twice.
    pub refund_request_id: RequestId,
    pub refund_minor: u64,
}

#[derive(Serialize, Deserialize)]
pub struct IssueOffline {
    pub member_number: MemberNumber,
    /// Codes the member's phone has shown since its last batch (any shop's: this book marks
    /// only its own codes of this member).
    #[serde(default)]
    pub shown: Vec<OfflineCodeId>,
}

#[derive(Serialize, Deserialize)]
pub struct RevokeOffline {
    pub member_number: MemberNumber,
}

#[derive(Serialize, Deserialize)]
pub struct RevokedOffline;

#[derive(Serialize, Deserialize)]
pub struct IssueTicketOffline {
    pub member_number: MemberNumber,
    pub ticket: TicketForCodes,
    #[serde(default)]
    pub shown: Vec<OfflineCodeId>,
}

#[derive(Serialize, Deserialize)]
pub struct TicketCodeQuery {
    pub code_id: OfflineCodeId,
}

#[derive(Serialize, Deserialize)]
pub struct GateEventsQuery;

#[derive(Serialize, Deserialize)]
pub struct IssueBillOffline {
    pub member_number: MemberNumber,
    pub bill: BillForCodes,
    #[serde(default)]
    pub shown: Vec<OfflineCodeId>,
}

#[derive(Serialize, Deserialize)]
pub struct BillCodeQuery {
    pub code_id: OfflineCodeId,
}

#[derive(Serialize, Deserialize)]
pub struct BillersQuery;

#[derive(Serialize, Deserialize)]
pub struct UseOffline {
    pub code_id: OfflineCodeId,
    pub scan: Scan,
    pub amount_minor: u64,
}

#[derive(Serialize, Deserialize)]
pub struct OfflineConflictsQuery {
    /// A store manager's stores: only the charges not paid of registers standing there are
    /// listed. None for the whole shop.
    pub within_stores: Option<Vec<StoreId>>,
}

#[derive(Serialize, Deserialize)]
pub struct SettleOfflineUnpaid {
    /// The charge's scan's request id (the `offline_unpaid` row).
    pub request_id: RequestId,
    pub settlement: OfflineSettlement,
    /// A store manager's stores: only a charge of a register standing there may be settled
    /// (else `forbidden`). None for the whole shop.
    pub within_stores: Option<Vec<StoreId>>,
}

#[derive(Serialize, Deserialize)]
pub struct Housekeep {
    pub now: UnixMillis,
}

/// The book of one shop.
pub struct ShopClient {
    object: ObjectClient,
}

impl ShopClient {
    pub fn of(env: &Env, shop_id: &ShopId) -> Outcome<Self> {
        Ok(Self { object: ObjectClient::named(env, BINDING, shop_id.as_str())? })
    }

    /// The shop's card processor account (secrets sealed), if connected.
    pub async fn card_keys(&self) -> Outcome<Option<StoredCardKeys>> {
        self.object.call(CardKeysQuery).await
    }

    pub async fn set_card_keys(&self, keys: StoredCardKeys) -> Outcome<()> {
        self.object.call(SetCardKeys { keys }).await.map(drop)
    }

    pub async fn forget_card_keys(&self) -> Outcome<()> {
        self.object.call(ForgetCardKeys).await.map(drop)
    }

    /// True the first time this event id is noted.
    pub async fn note_card_event(&self, event: CardEvent) -> Outcome<bool> {
        self.object.call(NoteCardEvent { event }).await
    }

    pub async fn card_events(&self) -> Outcome<Vec<CardEvent>> {
        self.object.call(CardEventsQuery).await
    }

    /// Records a new shop; `already_exists` if the id is taken.
    pub async fn create(&self, shop: &ShopSummary) -> Outcome<ShopSummary> {
        self.object.call(Create { shop: shop.clone() }).await
    }

    /// The shop as recorded at creation, or `None` if no such shop exists.
    pub async fn profile(&self) -> Outcome<Option<ShopSummary>> {
        self.object.call(Profile).await
    }

    /// Records the shop's new settings (the book is authoritative; the caller updates KV after).
    pub async fn update(&self, shop: &ShopSummary) -> Outcome<ShopSummary> {
        self.object.call(Update { shop: shop.clone() }).await
    }

    /// The member's customer number at this shop, allocated on first call.
    pub async fn enroll(&self, member_number: &MemberNumber) -> Outcome<Enrolment> {
        self.object.call(Enroll { member_number: member_number.clone() }).await
    }

    /// Claims a request id for one request (described by `fingerprint`). Claiming
    /// it again for the same request succeeds (a retry); for another request it is
    /// refused with `request_id_reused`.
    pub async fn claim_request(&self, request_id: &RequestId, fingerprint: String) -> Outcome<()> {
        self.object.call(Claim { request_id: request_id.clone(), fingerprint }).await.map(drop)
    }

    /// Records a new register (the authoritative list; KV maps its token to it);
    /// `unknown_store` if the shop has no such store.
    pub async fn add_register(&self, register: NewRegister) -> Outcome<RegisterSummary> {
        self.object.call(AddRegister { register }).await
    }

    /// Every register of the shop, revoked ones included; `unknown_shop` if there is no such shop.
    pub async fn registers(&self) -> Outcome<Vec<RegisterSummary>> {
        self.object.call(Registers).await
    }

    /// Revokes one of the shop's registers: its next request is refused.
    pub async fn revoke_register(&self, register_id: &RegisterId) -> Outcome<()> {
        self.object.call(RevokeRegister { register_id: register_id.clone() }).await.map(drop)
    }

    /// Checks a calling register: `register_revoked` if revoked; else the store it stands in.
    pub async fn see_register(&self, register: NewRegister) -> Outcome<Store> {
        self.object.call(SeeRegister { register }).await
    }

    /// Every store of the shop, the main store first; `unknown_shop` if there is no such shop.
    pub async fn stores(&self) -> Outcome<Vec<Store>> {
        self.object.call(StoresQuery).await
    }

    /// Adds a store named `name` (its id made from the name).
    pub async fn add_store(&self, name: Label) -> Outcome<Store> {
        self.object.call(AddStore { name }).await
    }

    /// Renames one of the shop's stores, or sets its offline debit limit, or both.
    pub async fn change_store(&self, change: ChangeStore) -> Outcome<Store> {
        self.object.call(change).await
    }

    /// Closes one of the shop's stores: its registers' very next request is
    /// refused; `last_open_store` for the shop's last open store.
    pub async fn close_store(&self, store_id: StoreId) -> Outcome<StoreClosed> {
        self.object.call(CloseStore { store_id }).await
    }

    /// The member with this customer number at the shop, if any. A receipt
    /// number starts with the customer number, so it leads to the member's
    /// vault without an index of its own.
    pub async fn member_of(&self, customer_number: CustomerNumber) -> Outcome<Option<MemberNumber>> {
        self.object.call(CustomerMember { customer_number }).await
    }

    // ---- staff ----

    pub async fn add_staff(&self, person: NewStaff) -> Outcome<StaffMember> {
        self.object.call(AddStaff { person }).await
    }

    pub async fn staff(&self) -> Outcome<Vec<StaffMember>> {
        self.object.call(StaffQuery).await
    }

    pub async fn remove_staff(&self, staff_number: StaffNumber) -> Outcome<()> {
        self.object.call(RemoveStaff { staff_number }).await.map(drop)
    }

    pub async fn reset_staff_pin(&self, staff_number: StaffNumber, pin: StoredPassword) -> Outcome<()> {
        self.object.call(ResetStaffPin { staff_number, pin }).await.map(drop)
    }

    /// Counts the attempt first: parallel guesses cannot slip past the limit.
    pub async fn begin_staff_pin(
        &self,
        staff_number: StaffNumber,
        register_id: &RegisterId,
    ) -> Outcome<Option<StaffCredential>> {
        self.object.call(BeginStaffPin { staff_number, register_id: register_id.clone() }).await
    }

    pub async fn finish_staff_pin(
        &self,
        staff_number: StaffNumber,
        register_id: &RegisterId,
        correct: bool,
    ) -> Outcome<()> {
        self.object.call(FinishStaffPin { staff_number, register_id: register_id.clone(), correct }).await.map(drop)
    }

    pub async fn open_staff_session(
        &self,
        staff_number: StaffNumber,
        register_id: &RegisterId,
        session: NewSession,
    ) -> Outcome<()> {
        self.object.call(OpenStaffSession { staff_number, register_id: register_id.clone(), session }).await.map(drop)
    }

    pub async fn duty(&self, register_id: &RegisterId, token_hash: Option<String>) -> Outcome<Duty> {
        self.object.call(DutyQuery { register_id: register_id.clone(), token_hash }).await
    }

    pub async fn end_staff_session(&self, token_hash: String) -> Outcome<()> {
        self.object.call(EndStaffSession { token_hash }).await.map(drop)
    }

    // ---- coupons ----

    pub async fn create_coupon(&self, terms: CouponTerms) -> Outcome<OwnerCoupon> {
        self.object.call(CreateCoupon { terms }).await
    }

    pub async fn coupons(&self) -> Outcome<Vec<OwnerCoupon>> {
        self.object.call(CouponsQuery).await
    }

    pub async fn end_coupon(&self, coupon_id: CouponId) -> Outcome<OwnerCoupon> {
        self.object.call(EndCoupon { coupon_id }).await
    }

    /// The coupons offered to this member now (counted as issued to them).
    pub async fn coupon_offers(&self, member: MemberAtShop) -> Outcome<Vec<Coupon>> {
        self.object.call(CouponOffers { member }).await
    }

    /// Members each coupon was first offered to on the shop's local days `from_day..=to_day`.
    pub async fn coupons_issued(&self, from_day: i64, to_day: i64) -> Outcome<Vec<(CouponId, i64)>> {
        self.object.call(CouponsIssued { from_day, to_day }).await
    }

    /// Reserves one use for the sale `request_id`; the same sale again re-attaches to it.
    pub async fn reserve_coupon(&self, coupon_id: &CouponId, request_id: &RequestId) -> Outcome<Coupon> {
        self.object.call(ReserveCoupon { coupon_id: coupon_id.clone(), request_id: request_id.clone() }).await
    }

    /// Counts the sale's use (`Some`) or releases its reservation (`None`).
    pub async fn conclude_coupon(
        &self,
        coupon_id: &CouponId,
        request_id: &RequestId,
        used: Option<CouponUse>,
    ) -> Outcome<()> {
        let request = ConcludeCoupon { coupon_id: coupon_id.clone(), request_id: request_id.clone(), used };
        self.object.call(request).await.map(drop)
    }

    pub async fn take_back_coupon(&self, take_back: TakeBackCoupon) -> Outcome<()> {
        self.object.call(take_back).await.map(drop)
    }

    // ---- offline codes ----

    /// The member's live offline codes here, topped up to a full batch (the Worker signs them);
    /// the `shown` ones are marked first and no longer count as live.
    pub async fn issue_offline(
        &self,
        member_number: &MemberNumber,
        shown: Vec<OfflineCodeId>,
    ) -> Outcome<Vec<IssuedOffline>> {
        self.object.call(IssueOffline { member_number: member_number.clone(), shown }).await
    }

    /// Revokes the member's unused offline codes here; how many were.
    pub async fn revoke_offline(&self, member_number: &MemberNumber) -> Outcome<u32> {
        self.object.call(RevokeOffline { member_number: member_number.clone() }).await
    }

    /// The revoked codes a register must refuse offline.
    pub async fn revoked_offline(&self) -> Outcome<Vec<OfflineCodeId>> {
        self.object.call(RevokedOffline).await
    }

    /// One uploaded use of a code whose signature was checked.
    pub async fn use_offline(&self, code_id: OfflineCodeId, scan: Scan, amount_minor: u64) -> Outcome<OfflineUse> {
        self.object.call(UseOffline { code_id, scan, amount_minor }).await
    }

    pub async fn note_offline_unpaid(&self, unpaid: OfflineUnpaid) -> Outcome<Done> {
        self.object.call(unpaid).await
    }

    /// Codes used twice, and the charges not paid: all of them, or `within_stores`' registers'.
    pub async fn offline_conflicts(&self, within_stores: Option<Vec<StoreId>>) -> Outcome<OfflineConflicts> {
        self.object.call(OfflineConflictsQuery { within_stores }).await
    }

    /// The holder's live offline codes for one ticket at this venue (the Worker signs them).
    pub async fn issue_ticket_offline(
        &self,
        member_number: &MemberNumber,
        ticket: TicketForCodes,
        shown: Vec<OfflineCodeId>,
    ) -> Outcome<Vec<IssuedOffline>> {
        self.object.call(IssueTicketOffline { member_number: member_number.clone(), ticket, shown }).await
    }

    /// Which ticket an offline code is for, if this venue issued it.
    pub async fn ticket_code(&self, code_id: OfflineCodeId) -> Outcome<Option<TicketCodeRecord>> {
        self.object.call(TicketCodeQuery { code_id }).await
    }

    /// The events this venue's gates may admit offline (for the kit).
    pub async fn gate_events(&self) -> Outcome<Vec<OfflineGateEvent>> {
        self.object.call(GateEventsQuery).await
    }

    /// Records an offline admission that did not count, for the owner (once per request id).
    pub async fn note_ticket_conflict(&self, conflict: TicketOfflineConflict) -> Outcome<Done> {
        self.object.call(conflict).await
    }

    /// The holder's live offline codes for one bill payable here (the Worker signs them); none
    /// if this shop trades in another currency.
    pub async fn issue_bill_offline(
        &self,
        member_number: &MemberNumber,
        bill: BillForCodes,
        shown: Vec<OfflineCodeId>,
    ) -> Outcome<Option<IssuedBill>> {
        self.object.call(IssueBillOffline { member_number: member_number.clone(), bill, shown }).await
    }

    /// Which bill an offline code is for, if this shop issued it.
    pub async fn bill_code(&self, code_id: OfflineCodeId) -> Outcome<Option<BillCodeRecord>> {
        self.object.call(BillCodeQuery { code_id }).await
    }

    /// The billers this shop's registers may name offline (for the kit).
    pub async fn billers(&self) -> Outcome<Vec<OfflineBiller>> {
        self.object.call(BillersQuery).await
    }

    /// Records an offline bill collection that did not count, for the owner (once per request id).
    pub async fn note_bill_conflict(&self, conflict: BillOfflineConflict) -> Outcome<Done> {
        self.object.call(conflict).await
    }

    /// Settles the charge not paid under `request_id`, once (see [`ShopOperation::SettleOfflineUnpaid`]).
    pub async fn settle_offline_unpaid(
        &self,
        request_id: RequestId,
        settlement: OfflineSettlement,
        within_stores: Option<Vec<StoreId>>,
    ) -> Outcome<OfflineUnpaid> {
        self.object.call(SettleOfflineUnpaid { request_id, settlement, within_stores }).await
    }

    /// One housekeeping round as of `now` (tests only: the book's alarm runs its own).
    pub async fn housekeep(&self, now: UnixMillis) -> Outcome<ShopForgotten> {
        self.object.call(Housekeep { now }).await
    }
}
