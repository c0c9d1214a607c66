//! `BillBook`: one Durable Object per issuer, holding its bills (each a
//! `domain::bills::Bill`), who holds each one, the claim secrets' hashes and
//! the codes shown for them. Claiming and paying each run in one synchronous
//! stretch inside this object, so a bill is paid exactly once.

pub mod protocol;

use crate::clock;
use crate::crypto::constant_time_eq;
use crate::error::{Outcome, Problem};
use crate::refusals::{self, ItemKind};
use crate::storage::code_index::protocol::CodeHash;
use crate::storage::item_codes::ItemCodes;
use crate::storage::object::{answer, durable_object_serving, Done, Reply, StorageObject};
use crate::storage::sql;
use domain::api::bills::{BillPaid, BillStatus, BillView};
use domain::api::items::BillAtRegister;
use domain::api::offline::BillOfflineConflict;
use domain::api::ErrorCode;
use domain::bills::Payment;
use domain::bills::{self, Bill, BillRefusal};
use domain::items::{self, IssuerId, ItemCode, ItemId, ItemRef};
use domain::member::MemberNumber;
use domain::offline::OfflineError;
use domain::offline_bills::{reconcile_bill_payment, BillReconciled};
use domain::shop::Label;
use protocol::{
    BillOperation, Cancel, Claim, Create, IssueCode, OfflineBillPayment, Pay, PayOffline, Release, Resolve, Status,
    Till, Views,
};
use serde::Deserialize;
use worker::{durable_object, Env, SqlStorage, State};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS biller (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    issuer_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS bills (
    bill_id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL UNIQUE,
    bill TEXT NOT NULL,
    biller TEXT NOT NULL,
    claim_hash TEXT NOT NULL,
    holder TEXT,
    paid_request TEXT
);
";

/// Offline collections, one row per uploaded request id: its code, and what was decided
/// (`paid` or a conflict, with the stored answer). Made on first use, in books from before it too.
const OFFLINE_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS offline_payments (
    request_id TEXT PRIMARY KEY,
    code_id TEXT NOT NULL,
    bill_id TEXT NOT NULL,
    paid INTEGER NOT NULL,
    answer TEXT NOT NULL,
    recorded_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS offline_payments_by_bill ON offline_payments (bill_id, paid);
";

/// The schema is created with the first bill: a forged link naming an issuer
/// without bills must not leave an object behind.
#[durable_object]
pub struct BillBook {
    sql: SqlStorage,
}

durable_object_serving!(BillBook);

impl StorageObject for BillBook {
    type Operation = BillOperation;

    fn open(state: State, _env: Env) -> Self {
        Self { sql: state.storage().sql() }
    }

    /// Each operation is one synchronous stretch: atomic inside this object.
    async fn handle(&self, operation: BillOperation) -> Outcome<Reply> {
        if !matches!(operation, BillOperation::Create(_)) && !self.exists()? {
            return Err(refusals::no_such_bill());
        }
        match operation {
            BillOperation::Create(request) => answer(request, |r| self.create(r)),
            BillOperation::Claim(request) => answer(request, |r| self.claim(r)),
            BillOperation::Views(request) => answer(request, |r| self.views(r)),
            BillOperation::IssueCode(request) => answer(request, |r| self.issue_code(r)),
            BillOperation::Resolve(request) => answer(request, |r| self.resolve(r)),
            BillOperation::Pay(request) => answer(request, |r| self.pay(r)),
            BillOperation::Cancel(request) => answer(request, |r| self.cancel(r)),
            BillOperation::Status(request) => answer(request, |r| self.status(r)),
            BillOperation::Release(request) => answer(request, |r| self.release(r)),
            BillOperation::PayOffline(request) => answer(request, |r| self.pay_offline(r)),
        }
    }
}

#[derive(Deserialize)]
struct IssuerRow {
    issuer_id: String,
}

#[derive(Deserialize)]
struct AnswerRow {
    answer: String,
}

#[derive(Deserialize)]
struct BillRow {
    bill_id: String,
    bill: String,
    biller: String,
    claim_hash: String,
    holder: Option<String>,
    paid_request: Option<String>,
}

struct Stored {
    bill_id: ItemId,
    bill: Bill,
    biller: Label,
    claim_hash: String,
    holder: Option<MemberNumber>,
    paid_request: Option<String>,
}

fn corrupt(what: &str) -> Problem {
    sql::corrupt("bill book", what)
}

impl BillBook {
    fn exists(&self) -> Outcome<bool> {
        sql::table_exists(&self.sql, "biller")
    }

    fn codes(&self) -> ItemCodes<'_> {
        ItemCodes { sql: &self.sql, item_column: "bill_id" }
    }

    fn issuer(&self) -> Outcome<IssuerId> {
        let rows: Vec<IssuerRow> = self.sql.exec("SELECT issuer_id FROM biller WHERE id = 1", None)?.to_array()?;
        let row = rows.into_iter().next().ok_or_else(refusals::no_such_bill)?;
        IssuerId::parse(&row.issuer_id).map_err(|_| corrupt("issuer id"))
    }

    fn bill(&self, bill_id: &ItemId) -> Outcome<Stored> {
        let rows: Vec<BillRow> = self
            .sql
            .exec(
                "SELECT bill_id, bill, biller, claim_hash, holder, paid_request FROM bills WHERE bill_id = ?",
                vec![bill_id.as_str().into()],
            )?
            .to_array()?;
        let row = rows.into_iter().next().ok_or_else(refusals::no_such_bill)?;
        Ok(Stored {
            bill_id: ItemId::parse(&row.bill_id).map_err(|_| corrupt("bill id"))?,
            bill: serde_json::from_str(&row.bill).map_err(|_| corrupt("bill"))?,
            biller: Label::parse(&row.biller).map_err(|_| corrupt("biller"))?,
            claim_hash: row.claim_hash,
            holder: row.holder.map(|h| MemberNumber::parse(&h).map_err(|_| corrupt("holder"))).transpose()?,
            paid_request: row.paid_request,
        })
    }

    fn view(&self, stored: &Stored) -> Outcome<BillView> {
        let bill = &stored.bill;
        Ok(BillView {
            item: ItemRef::Bill { issuer: self.issuer()?, bill: stored.bill_id.clone() },
            biller: stored.biller.clone(),
            description: bill.description.clone(),
            reference: bill.reference.clone(),
            amount_minor: bill.amount.0,
            currency: bill.currency,
            due_at: bill.due_at,
            payable_at: bill.payable_at.clone(),
            paid: bill.paid.clone(),
            cancelled_at: bill.cancelled_at,
        })
    }

    fn save_bill(&self, stored: &Stored) -> Outcome<()> {
        self.sql.exec(
            "UPDATE bills SET bill = ?, holder = ?, paid_request = ? WHERE bill_id = ?",
            vec![
                serde_json::to_string(&stored.bill)?.into(),
                stored.holder.as_ref().map(|m| m.as_str().to_owned()).into(),
                stored.paid_request.clone().into(),
                stored.bill_id.as_str().into(),
            ],
        )?;
        Ok(())
    }

    fn create(&self, request: Create) -> Outcome<ItemId> {
        sql::create(&self.sql, SCHEMA)?;
        self.codes().create()?;
        match self.issuer() {
            Ok(issuer) if issuer != request.issuer => {
                return Err(Problem::internal("bill book reached under another name"))
            }
            Ok(_) => {}
            Err(_) => {
                self.sql
                    .exec("INSERT INTO biller (id, issuer_id) VALUES (1, ?)", vec![request.issuer.as_str().into()])?;
            }
        }
        let seq = sql::number(&self.sql, "SELECT COALESCE(MAX(seq), 0) AS n FROM bills", None)? + 1;
        let bill_id = match request.bill_id {
            Some(id) => id,
            None => {
                ItemId::parse(&format!("bill-{seq}")).map_err(|_| Problem::internal("generated bill id is invalid"))?
            }
        };
        if self.bill(&bill_id).is_ok() {
            return Err(Problem::new(ErrorCode::AlreadyExists, "a bill with this id exists already"));
        }
        self.sql.exec(
            "INSERT INTO bills (bill_id, seq, bill, biller, claim_hash, holder, paid_request) VALUES (?, ?, ?, ?, ?, NULL, NULL)",
            vec![
                bill_id.as_str().into(),
                seq.into(),
                serde_json::to_string(&request.bill)?.into(),
                request.biller.as_str().into(),
                request.claim_hash.into(),
            ],
        )?;
        Ok(bill_id)
    }

    fn claim(&self, request: Claim) -> Outcome<BillView> {
        // A wrong secret and a missing bill look the same to the caller.
        let stored = self.bill(&request.bill_id).map_err(|_| refusals::unknown_link())?;
        let matches = constant_time_eq(stored.claim_hash.as_bytes(), request.secret_hash.as_bytes());
        items::judge_claim(matches, stored.holder.as_ref(), &request.member)?;
        let stored = Stored { holder: Some(request.member), ..stored };
        self.save_bill(&stored)?;
        self.view(&stored)
    }

    fn views(&self, request: Views) -> Outcome<Vec<BillView>> {
        let mut views = Vec::new();
        for bill_id in &request.bill_ids {
            let Ok(stored) = self.bill(bill_id) else { continue };
            if stored.holder.as_ref() == Some(&request.member) {
                views.push(self.view(&stored)?);
            }
        }
        Ok(views)
    }

    fn issue_code(&self, request: IssueCode) -> Outcome<ItemCode> {
        let stored = self.bill(&request.bill_id)?;
        if stored.holder.as_ref() != Some(&request.member) {
            return Err(refusals::not_the_holder(ItemKind::Bill));
        }
        if let Some(paid) = &stored.bill.paid {
            return Err(BillRefusal::AlreadyPaid { at: paid.at, shop: paid.shop.clone() }.into());
        }
        if stored.bill.cancelled_at.is_some() {
            return Err(BillRefusal::Cancelled.into());
        }
        let now = clock::now();
        // Codes are remembered as long as the code index points at them, then forgotten.
        self.codes().forget_old(now)?;
        let code = ItemCode::issue(request.member, now);
        self.codes().save(&request.code_hash, &request.bill_id, &code)?;
        Ok(code)
    }

    /// Judges the bill for this till, then the code. The bill comes first so
    /// that a second Paid hears `already_paid`, with where and when.
    fn judged(&self, bill_id: &ItemId, code_hash: &CodeHash, till: &Till) -> Outcome<(Stored, ItemCode)> {
        let stored = self.bill(bill_id)?;
        bills::judge_payment(&stored.bill, &till.shop, till.currency)?;
        let code = self.codes().load(code_hash, bill_id)?;
        items::judge_code(code.as_ref(), stored.holder.as_ref(), clock::now())
            .map_err(|refusal| refusals::item_code(refusal, ItemKind::Bill))?;
        let code = code.ok_or_else(|| Problem::internal("judge accepted a missing code"))?;
        Ok((stored, code))
    }

    fn resolve(&self, request: Resolve) -> Outcome<BillAtRegister> {
        let (stored, mut code) = self.judged(&request.bill_id, &request.code_hash, &request.till)?;
        code.hold_after_read(clock::now());
        self.codes().save(&request.code_hash, &request.bill_id, &code)?;
        Ok(BillAtRegister { bill: self.view(&stored)?, usable_until: code.usable_until() })
    }

    /// Paid exactly once. The same request again (a retry after a lost
    /// answer) gets the same answer and changes nothing.
    fn pay(&self, request: Pay) -> Outcome<BillPaid> {
        let stored = self.bill(&request.bill_id)?;
        if let (Some(paid), Some(earlier)) = (&stored.bill.paid, &stored.paid_request) {
            if earlier == request.request_id.as_str() && paid.register == request.till.register {
                return Ok(BillPaid { bill: self.view(&stored)?, payment: paid.clone() });
            }
        }
        let (mut stored, mut code) = self.judged(&request.bill_id, &request.code_hash, &request.till)?;
        let now = clock::now();
        let till = request.till;
        bills::pay(&mut stored.bill, &till.shop, till.currency, till.register.clone(), till.store.clone(), now)?;
        code.spend(till.register, now);
        stored.paid_request = Some(request.request_id.as_str().to_owned());
        self.codes().save(&request.code_hash, &request.bill_id, &code)?;
        self.save_bill(&stored)?;
        let payment = stored.bill.paid.clone().ok_or_else(|| Problem::internal("paid bill without payment"))?;
        Ok(BillPaid { bill: self.view(&stored)?, payment })
    }

    fn cancel(&self, request: Cancel) -> Outcome<BillStatus> {
        let mut stored = self.bill(&request.bill_id)?;
        if let Some(paid) = &stored.bill.paid {
            return Err(BillRefusal::AlreadyPaid { at: paid.at, shop: paid.shop.clone() }.into());
        }
        if stored.bill.cancelled_at.is_none() {
            stored.bill.cancelled_at = Some(clock::now());
            self.save_bill(&stored)?;
        }
        self.status(Status { bill_id: request.bill_id })
    }

    /// The holder closed their account. The bill goes back to its issuer
    /// unclaimed: the issuer's status shows `claimed: false`, the holder's
    /// codes die (they are judged against the holder), and the bill's claim
    /// link works again, so the issuer can hand it to whoever owes it. A paid
    /// bill stays paid; it only stops naming the member.
    fn release(&self, request: Release) -> Outcome<Done> {
        let Ok(stored) = self.bill(&request.bill_id) else { return Ok(Done) };
        if stored.holder.as_ref() == Some(&request.member) {
            self.save_bill(&Stored { holder: None, ..stored })?;
        }
        Ok(Done)
    }

    fn status(&self, request: Status) -> Outcome<BillStatus> {
        let stored = self.bill(&request.bill_id)?;
        Ok(BillStatus {
            bill_id: stored.bill_id,
            reference: stored.bill.reference,
            amount_minor: stored.bill.amount.0,
            currency: stored.bill.currency,
            due_at: stored.bill.due_at,
            claimed: stored.holder.is_some(),
            paid: stored.bill.paid,
            cancelled_at: stored.bill.cancelled_at,
            offline_conflicts: self.offline_conflicts(&request.bill_id)?,
        })
    }

    // ---- offline collections ----

    /// A collection a register made offline, in one synchronous stretch: the same request id
    /// again gets the answer it got; else the shop's refusal, then
    /// `domain::offline_bills::reconcile_bill_payment` against the bill now (online payments
    /// included): the first payment recorded wins, any later one is a conflict.
    fn pay_offline(&self, request: PayOffline) -> Outcome<OfflineBillPayment> {
        sql::create(&self.sql, OFFLINE_SCHEMA)?;
        let before: Option<AnswerRow> = sql::first(
            &self.sql,
            "SELECT answer FROM offline_payments WHERE request_id = ?",
            vec![request.request_id.as_str().into()],
        )?;
        if let Some(row) = before {
            let answer: OfflineBillPayment =
                serde_json::from_str(&row.answer).map_err(|_| corrupt("offline answer"))?;
            return Ok(match answer {
                OfflineBillPayment::Paid { biller, reference, payment, .. } => {
                    OfflineBillPayment::Paid { biller, reference, payment, paid_now: false }
                }
                other => other,
            });
        }
        let Ok(mut stored) = self.bill(&request.bill_id) else {
            return Ok(OfflineBillPayment::Refused { reason: OfflineError::Unknown });
        };
        let till = request.till;
        let collected = Payment { shop: till.shop.clone(), register: till.register, store: till.store, at: request.at };
        let now = clock::now();
        let item = ItemRef::Bill { issuer: self.issuer()?, bill: stored.bill_id.clone() };
        // A collection that does not pay the bill is kept (once per request id) for the shop's
        // owner and the issuer: the cashier took the money, the shop gives it back.
        let not_counted = |first, cancelled_at, refused| OfflineBillPayment::Conflict {
            conflict: Box::new(BillOfflineConflict {
                item: item.clone(),
                biller: stored.biller.clone(),
                reference: stored.bill.reference.clone(),
                amount_minor: stored.bill.amount.0,
                currency: stored.bill.currency,
                code_id: request.code_id,
                request_id: request.request_id.clone(),
                second: collected.clone(),
                first,
                cancelled_at,
                refused,
                recorded_at: now,
            }),
        };
        let reconciled = match request.refused {
            Some(reason) => Err(reason),
            None => reconcile_bill_payment(&stored.bill, &till.shop, till.currency),
        };
        let answer = match reconciled {
            Err(reason) => not_counted(None, None, Some(reason)),
            Ok(BillReconciled::Conflict { first, cancelled_at }) => not_counted(first, cancelled_at, None),
            Ok(BillReconciled::Paid) => {
                stored.bill.paid = Some(collected.clone());
                stored.paid_request = Some(request.request_id.as_str().to_owned());
                self.save_bill(&stored)?;
                OfflineBillPayment::Paid {
                    biller: stored.biller.clone(),
                    reference: stored.bill.reference.clone(),
                    payment: collected,
                    paid_now: true,
                }
            }
        };
        let paid = matches!(answer, OfflineBillPayment::Paid { .. });
        self.sql.exec(
            "INSERT INTO offline_payments (request_id, code_id, bill_id, paid, answer, recorded_at)              VALUES (?, ?, ?, ?, ?, ?)",
            vec![
                request.request_id.as_str().into(),
                request.code_id.hex().into(),
                request.bill_id.as_str().into(),
                i64::from(paid).into(),
                serde_json::to_string(&answer)?.into(),
                now.into(),
            ],
        )?;
        Ok(answer)
    }

    /// The offline collections of a bill that did not count, newest first (for the issuer).
    fn offline_conflicts(&self, bill_id: &ItemId) -> Outcome<Vec<BillOfflineConflict>> {
        if !sql::table_exists(&self.sql, "offline_payments")? {
            return Ok(Vec::new());
        }
        let rows: Vec<AnswerRow> = sql::all(
            &self.sql,
            "SELECT answer FROM offline_payments WHERE bill_id = ? AND paid = 0              ORDER BY recorded_at DESC, request_id LIMIT 200",
            vec![bill_id.as_str().into()],
        )?;
        rows.iter()
            .map(|row| match serde_json::from_str(&row.answer).map_err(|_| corrupt("offline answer"))? {
                OfflineBillPayment::Conflict { conflict } => Ok(Some(*conflict)),
                _ => Ok(None),
            })
            .filter_map(Outcome::transpose)
            .collect()
    }
}
