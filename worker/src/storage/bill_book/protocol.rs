//! What the Worker can ask an issuer's [`BillBook`](super::BillBook), and the client that asks it.

use crate::error::Outcome;
use crate::storage::code_index::protocol::CodeHash;
use crate::storage::object::{protocol, Done, ObjectClient};
use domain::api::bills::{BillPaid, BillStatus, BillView};
use domain::api::items::BillAtRegister;
use domain::api::offline::BillOfflineConflict;
use domain::bills::{Bill, Payment};
use domain::items::{IssuerId, ItemCode, ItemId};
use domain::member::MemberNumber;
use domain::money::Currency;
use domain::offline::{OfflineCodeId, OfflineError};
use domain::shop::{Label, RegisterId, RequestId, ShopId};
use domain::store::StoreId;
use domain::UnixMillis;
use serde::{Deserialize, Serialize};
use worker::Env;

const BINDING: &str = "BILL_BOOK";

protocol! {
    pub enum BillOperation {
        /// Records a new bill (creating the book); answers its id.
        Create(Create) -> ItemId,
        /// The member presenting the claim secret becomes the holder.
        Claim(Claim) -> BillView,
        /// Views of those bills the member holds now.
        Views(Views) -> Vec<BillView>,
        /// A code the holder shows to pay.
        IssueCode(IssueCode) -> ItemCode,
        /// A register reads a bill's code: judged, and held for Paid.
        Resolve(Resolve) -> BillAtRegister,
        /// The register took the cash: paid exactly once.
        Pay(Pay) -> BillPaid,
        /// The issuer cancels an unpaid bill.
        Cancel(Cancel) -> BillStatus,
        /// The issuer's view of a bill.
        Status(Status) -> BillStatus,

        /// The holder closed their account: the bill goes back to the issuer unclaimed.
        Release(Release) -> Done,
        /// A register collected the bill offline: paid once per request id, else a conflict.
        PayOffline(PayOffline) -> OfflineBillPayment,
    }
}

#[derive(Serialize, Deserialize)]
pub struct Create {
    pub issuer: IssuerId,
    pub biller: Label,
    pub bill_id: Option<ItemId>,
    pub bill: Bill,
    pub claim_hash: String,
}

#[derive(Serialize, Deserialize)]
pub struct Claim {
    pub bill_id: ItemId,
    pub secret_hash: String,
    pub member: MemberNumber,
}

#[derive(Serialize, Deserialize)]
pub struct Views {
    pub bill_ids: Vec<ItemId>,
    pub member: MemberNumber,
}

#[derive(Serialize, Deserialize)]
pub struct IssueCode {
    pub bill_id: ItemId,
    pub code_hash: CodeHash,
    pub member: MemberNumber,
}

/// Where a register collecting a bill stands: its shop, the shop's currency, the register itself and its store.
#[derive(Clone, Serialize, Deserialize)]
pub struct Till {
    pub shop: ShopId,
    pub currency: Currency,
    pub register: RegisterId,
    #[serde(default)]
    pub store: StoreId,
}

#[derive(Serialize, Deserialize)]
pub struct Resolve {
    pub bill_id: ItemId,
    pub code_hash: CodeHash,
    pub till: Till,
}

#[derive(Serialize, Deserialize)]
pub struct Pay {
    pub bill_id: ItemId,
    pub code_hash: CodeHash,
    pub till: Till,
    pub request_id: RequestId,
}

#[derive(Serialize, Deserialize)]
pub struct PayOffline {
    pub bill_id: ItemId,
    pub code_id: OfflineCodeId,
    pub request_id: RequestId,
    /// The collecting register, its shop (whose key signed the code) and store.
    pub till: Till,
    /// When the register collected it, by its clock.
    pub at: UnixMillis,
    /// The shop's refusal found before (revoked, bad time, expired), if any: applied after a
    /// replay is answered as it was.
    pub refused: Option<OfflineError>,
}

/// What the bill's book decided about an offline collection.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum OfflineBillPayment {
    /// The bill is paid by this collection; `paid_now` is false for a replay.
    Paid {
        biller: Label,
        reference: Label,
        payment: Payment,
        paid_now: bool,
    },
    /// Not paid by it: the bill was paid first or cancelled.
    Conflict {
        conflict: Box<BillOfflineConflict>,
    },
    Refused {
        reason: OfflineError,
    },
}

#[derive(Serialize, Deserialize)]
pub struct Cancel {
    pub bill_id: ItemId,
}

#[derive(Serialize, Deserialize)]
pub struct Status {
    pub bill_id: ItemId,
}

#[derive(Serialize, Deserialize)]
pub struct Release {
    pub bill_id: ItemId,
    pub member: MemberNumber,
}

/// The bill book of one issuer.
pub struct BillClient {
    object: ObjectClient,
}

impl BillClient {
    pub fn of(env: &Env, issuer: &IssuerId) -> Outcome<Self> {
        Ok(Self { object: ObjectClient::named(env, BINDING, issuer.as_str())? })
    }

    /// Records a new bill; `already_exists` if the issuer reused a bill id.
    pub async fn create(
        &self,
        issuer: &IssuerId,
        biller: &Label,
        bill_id: Option<ItemId>,
        bill: Bill,
        claim_hash: String,
    ) -> Outcome<ItemId> {
        self.object.call(Create { issuer: issuer.clone(), biller: biller.clone(), bill_id, bill, claim_hash }).await
    }

    pub async fn claim(&self, bill_id: &ItemId, secret_hash: String, member: &MemberNumber) -> Outcome<BillView> {
        self.object.call(Claim { bill_id: bill_id.clone(), secret_hash, member: member.clone() }).await
    }

    pub async fn views(&self, bill_ids: Vec<ItemId>, member: &MemberNumber) -> Outcome<Vec<BillView>> {
        self.object.call(Views { bill_ids, member: member.clone() }).await
    }

    pub async fn issue_code(&self, bill_id: &ItemId, code_hash: CodeHash, member: &MemberNumber) -> Outcome<ItemCode> {
        self.object.call(IssueCode { bill_id: bill_id.clone(), code_hash, member: member.clone() }).await
    }

    pub async fn resolve(&self, bill_id: &ItemId, code_hash: CodeHash, till: Till) -> Outcome<BillAtRegister> {
        self.object.call(Resolve { bill_id: bill_id.clone(), code_hash, till }).await
    }

    pub async fn pay(
        &self,
        bill_id: &ItemId,
        code_hash: CodeHash,
        till: Till,
        request_id: RequestId,
    ) -> Outcome<BillPaid> {
        self.object.call(Pay { bill_id: bill_id.clone(), code_hash, till, request_id }).await
    }

    /// Cancels an unpaid bill (harmless twice); a paid one answers `already_paid`.
    pub async fn cancel(&self, bill_id: &ItemId) -> Outcome<BillStatus> {
        self.object.call(Cancel { bill_id: bill_id.clone() }).await
    }

    /// Releases the bill if `member` holds it (harmless otherwise): unclaimed again, its codes dead.
    pub async fn release(&self, bill_id: &ItemId, member: &MemberNumber) -> Outcome<()> {
        self.object.call(Release { bill_id: bill_id.clone(), member: member.clone() }).await.map(drop)
    }

    /// A collection a register made offline, decided once per request id.
    pub async fn pay_offline(&self, pay: PayOffline) -> Outcome<OfflineBillPayment> {
        self.object.call(pay).await
    }

    pub async fn status(&self, bill_id: &ItemId) -> Outcome<BillStatus> {
        self.object.call(Status { bill_id: bill_id.clone() }).await
    }
}
