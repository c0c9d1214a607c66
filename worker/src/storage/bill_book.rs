//! `BillBook`: one Durable Object per issuer, holding its bills (each a
//! `domain::bills::Bill`), who holds each one, the claim secrets' hashes and
//! the codes shown for them. Claiming and paying each run in one synchronous
//! stretch inside this object, so a bill is paid exactly once.

use crate::clock;
use crate::crypto::constant_time_eq;
use crate::error::{Outcome, Problem};
use crate::storage::internal;
use crate::storage::item_codes::{self, unknown_link, ItemCodes};
use domain::api::bills::{BillPaid, BillStatus, BillView};
use domain::api::items::BillAtRegister;
use domain::api::ErrorCode;
use domain::bills::{self, Bill, BillRefusal};
use domain::items::{self, ClaimRefusal, IssuerId, ItemCode, ItemCodeRefusal, ItemId, ItemRef};
use domain::member::MemberNumber;
use domain::money::Currency;
use domain::shop::{Label, RegisterId, RequestId, ShopId};
use serde::{Deserialize, Serialize};
use worker::{durable_object, DurableObject, Env, Request, Response, SqlStorage, State};

const BINDING: &str = "BILL_BOOK";

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
CREATE TABLE IF NOT EXISTS codes (
    code_hash TEXT PRIMARY KEY,
    bill_id TEXT NOT NULL,
    code TEXT NOT NULL,
    forget_after INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS codes_by_age ON codes (forget_after);
";

// ---- the protocol ----

#[derive(Serialize, Deserialize)]
struct Create {
    issuer: IssuerId,
    biller: Label,
    bill_id: Option<ItemId>,
    bill: Bill,
    claim_hash: String,
}

#[derive(Serialize, Deserialize)]
struct Handover {
    bill_id: ItemId,
    secret_hash: String,
    member: MemberNumber,
}

#[derive(Serialize, Deserialize)]
struct Views {
    bill_ids: Vec<ItemId>,
    member: MemberNumber,
}

#[derive(Serialize, Deserialize)]
struct IssueCode {
    bill_id: ItemId,
    code_hash: String,
    member: MemberNumber,
}

/// Where a register stands: its shop, the shop's currency, the register itself.
#[derive(Clone, Serialize, Deserialize)]
pub struct Till {
    pub shop: ShopId,
    pub currency: Currency,
    pub register: RegisterId,
}

#[derive(Serialize, Deserialize)]
struct Collect {
    bill_id: ItemId,
    code_hash: String,
    till: Till,
    /// Set to pay; absent to look the bill up (and hold the code for Paid).
    request_id: Option<RequestId>,
}

#[derive(Serialize, Deserialize)]
struct BillOnly {
    bill_id: ItemId,
}

// ---- the Worker's side ----

pub struct BillClient {
    stub: worker::Stub,
}

impl BillClient {
    pub fn of(env: &Env, issuer: &IssuerId) -> Outcome<Self> {
        Ok(Self { stub: env.durable_object(BINDING)?.get_by_name(issuer.as_str())? })
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
        let request = Create { issuer: issuer.clone(), biller: biller.clone(), bill_id, bill, claim_hash };
        internal::call(&self.stub, "create", &request).await
    }

    pub async fn claim(&self, bill_id: &ItemId, secret_hash: String, member: &MemberNumber) -> Outcome<BillView> {
        internal::call(&self.stub, "claim", &Handover { bill_id: bill_id.clone(), secret_hash, member: member.clone() })
            .await
    }

    pub async fn views(&self, bill_ids: Vec<ItemId>, member: &MemberNumber) -> Outcome<Vec<BillView>> {
        internal::call(&self.stub, "views", &Views { bill_ids, member: member.clone() }).await
    }

    pub async fn issue_code(&self, bill_id: &ItemId, code_hash: String, member: &MemberNumber) -> Outcome<ItemCode> {
        internal::call(
            &self.stub,
            "issue_code",
            &IssueCode { bill_id: bill_id.clone(), code_hash, member: member.clone() },
        )
        .await
    }

    pub async fn resolve(&self, bill_id: &ItemId, code_hash: String, till: Till) -> Outcome<BillAtRegister> {
        internal::call(&self.stub, "resolve", &Collect { bill_id: bill_id.clone(), code_hash, till, request_id: None })
            .await
    }

    pub async fn pay(
        &self,
        bill_id: &ItemId,
        code_hash: String,
        till: Till,
        request_id: RequestId,
    ) -> Outcome<BillPaid> {
        let request = Collect { bill_id: bill_id.clone(), code_hash, till, request_id: Some(request_id) };
        internal::call(&self.stub, "pay", &request).await
    }

    /// Cancels an unpaid bill (harmless twice); a paid one answers `already_paid`.
    pub async fn cancel(&self, bill_id: &ItemId) -> Outcome<BillStatus> {
        internal::call(&self.stub, "cancel", &BillOnly { bill_id: bill_id.clone() }).await
    }

    pub async fn status(&self, bill_id: &ItemId) -> Outcome<BillStatus> {
        internal::call(&self.stub, "status", &BillOnly { bill_id: bill_id.clone() }).await
    }
}

// ---- the object ----

/// The schema is created with the first bill: a forged link naming an issuer
/// without bills must not leave an object behind.
#[durable_object]
pub struct BillBook {
    sql: SqlStorage,
}

impl DurableObject for BillBook {
    fn new(state: State, _env: Env) -> Self {
        Self { sql: state.storage().sql() }
    }

    async fn fetch(&self, mut req: Request) -> worker::Result<Response> {
        internal::answer(self.handle(&mut req).await)
    }
}

#[derive(Deserialize)]
struct IssuerRow {
    issuer_id: String,
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

#[derive(Deserialize)]
struct CountRow {
    n: i64,
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
    Problem::internal(format!("bill book holds a malformed {what}"))
}

fn no_such_bill() -> Problem {
    Problem::new(ErrorCode::NotFound, "there is no such bill")
}

fn code_refusal(refusal: ItemCodeRefusal) -> Problem {
    match refusal {
        ItemCodeRefusal::Unknown => {
            Problem::new(ErrorCode::Unknown, "this code is not known: it was never issued or is long gone")
        }
        ItemCodeRefusal::NotTheHolder => Problem::new(ErrorCode::NotTheHolder, "this bill belongs to someone else now"),
        ItemCodeRefusal::AlreadyUsed => Problem::new(ErrorCode::AlreadyUsed, "this code was already used"),
        ItemCodeRefusal::Expired => {
            Problem::new(ErrorCode::Expired, "this code has expired: ask the customer to show a fresh one")
        }
    }
}

fn bill_refusal(refusal: BillRefusal) -> Problem {
    match refusal {
        BillRefusal::AlreadyPaid { at, shop } => Problem::new(
            ErrorCode::AlreadyPaid,
            format!("this bill was already paid at {shop} (at {at} ms since 1970)"),
        ),
        BillRefusal::NotPayableHere => {
            Problem::new(ErrorCode::NotPayableHere, "the biller does not accept payment of this bill at this shop")
        }
        BillRefusal::Cancelled => Problem::new(ErrorCode::Cancelled, "the biller cancelled this bill"),
        BillRefusal::WrongCurrency => {
            Problem::new(ErrorCode::WrongCurrency, "this bill is in another currency than this shop's")
        }
    }
}

impl BillBook {
    async fn handle(&self, req: &mut Request) -> Outcome<serde_json::Value> {
        let (operation, body) = internal::operation(req).await?;
        if operation == "create" {
            return Ok(serde_json::to_value(self.create(internal::parse(&body)?)?)?);
        }
        if !self.exists()? {
            return Err(no_such_bill());
        }
        // Each operation is one synchronous stretch: atomic inside this object.
        let value = match operation.as_str() {
            "claim" => serde_json::to_value(self.claim(internal::parse(&body)?)?)?,
            "views" => serde_json::to_value(self.views(internal::parse(&body)?)?)?,
            "issue_code" => serde_json::to_value(self.issue_code(internal::parse(&body)?)?)?,
            "resolve" => serde_json::to_value(self.resolve(internal::parse(&body)?)?)?,
            "pay" => serde_json::to_value(self.pay(internal::parse(&body)?)?)?,
            "cancel" => serde_json::to_value(self.cancel(internal::parse(&body)?)?)?,
            "status" => serde_json::to_value(self.status(internal::parse(&body)?)?)?,
            other => return Err(internal::unknown_operation(other)),
        };
        Ok(value)
    }

    fn exists(&self) -> Outcome<bool> {
        item_codes::table_exists(&self.sql, "biller")
    }

    fn codes(&self) -> ItemCodes<'_> {
        ItemCodes { sql: &self.sql, item_column: "bill_id" }
    }

    fn issuer(&self) -> Outcome<IssuerId> {
        let rows: Vec<IssuerRow> = self.sql.exec("SELECT issuer_id FROM biller WHERE id = 1", None)?.to_array()?;
        let row = rows.into_iter().next().ok_or_else(no_such_bill)?;
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
        let row = rows.into_iter().next().ok_or_else(no_such_bill)?;
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
        self.sql.exec(SCHEMA, None)?;
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
        let rows: Vec<CountRow> = self.sql.exec("SELECT COALESCE(MAX(seq), 0) AS n FROM bills", None)?.to_array()?;
        let seq = rows.into_iter().next().map_or(0, |row| row.n) + 1;
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

    fn claim(&self, request: Handover) -> Outcome<BillView> {
        let stored = self.bill(&request.bill_id).map_err(|_| unknown_link())?;
        let matches = constant_time_eq(stored.claim_hash.as_bytes(), request.secret_hash.as_bytes());
        items::judge_claim(matches, stored.holder.as_ref(), &request.member).map_err(|refusal| match refusal {
            ClaimRefusal::Unknown => unknown_link(),
            ClaimRefusal::AlreadyClaimed => {
                Problem::new(ErrorCode::AlreadyClaimed, "this link was already used: each one works once")
            }
        })?;
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
            return Err(Problem::new(ErrorCode::NotTheHolder, "you do not hold this bill"));
        }
        if let Some(paid) = &stored.bill.paid {
            return Err(bill_refusal(BillRefusal::AlreadyPaid { at: paid.at, shop: paid.shop.clone() }));
        }
        if stored.bill.cancelled_at.is_some() {
            return Err(bill_refusal(BillRefusal::Cancelled));
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
    fn judged(&self, request: &Collect) -> Outcome<(Stored, ItemCode)> {
        let stored = self.bill(&request.bill_id)?;
        bills::judge_payment(&stored.bill, &request.till.shop, request.till.currency).map_err(bill_refusal)?;
        let code = self.codes().load(&request.code_hash, &request.bill_id)?;
        items::judge_code(code.as_ref(), stored.holder.as_ref(), clock::now()).map_err(code_refusal)?;
        let code = code.ok_or_else(|| Problem::internal("judge accepted a missing code"))?;
        Ok((stored, code))
    }

    fn resolve(&self, request: Collect) -> Outcome<BillAtRegister> {
        let (stored, mut code) = self.judged(&request)?;
        code.hold_after_read(clock::now());
        self.codes().save(&request.code_hash, &request.bill_id, &code)?;
        Ok(BillAtRegister { bill: self.view(&stored)?, usable_until: code.usable_until() })
    }

    /// Paid exactly once. The same request again (a retry after a lost
    /// answer) gets the same answer and changes nothing.
    fn pay(&self, request: Collect) -> Outcome<BillPaid> {
        let request_id = request.request_id.clone().ok_or_else(|| Problem::internal("pay without a request id"))?;
        let stored = self.bill(&request.bill_id)?;
        if let (Some(paid), Some(earlier)) = (&stored.bill.paid, &stored.paid_request) {
            if earlier == request_id.as_str() && paid.register == request.till.register {
                return Ok(BillPaid { bill: self.view(&stored)?, payment: paid.clone() });
            }
        }
        let (mut stored, mut code) = self.judged(&request)?;
        let now = clock::now();
        let till = request.till;
        bills::pay(&mut stored.bill, &till.shop, till.currency, till.register.clone(), now).map_err(bill_refusal)?;
        code.spend(till.register, now);
        stored.paid_request = Some(request_id.as_str().to_owned());
        self.codes().save(&request.code_hash, &request.bill_id, &code)?;
        self.save_bill(&stored)?;
        let payment = stored.bill.paid.clone().ok_or_else(|| Problem::internal("paid bill without payment"))?;
        Ok(BillPaid { bill: self.view(&stored)?, payment })
    }

    fn cancel(&self, request: BillOnly) -> Outcome<BillStatus> {
        let mut stored = self.bill(&request.bill_id)?;
        if let Some(paid) = &stored.bill.paid {
            return Err(bill_refusal(BillRefusal::AlreadyPaid { at: paid.at, shop: paid.shop.clone() }));
        }
        if stored.bill.cancelled_at.is_none() {
            stored.bill.cancelled_at = Some(clock::now());
            self.save_bill(&stored)?;
        }
        self.status(request)
    }

    fn status(&self, request: BillOnly) -> Outcome<BillStatus> {
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
        })
    }
}
