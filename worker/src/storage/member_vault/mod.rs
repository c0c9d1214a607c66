//! `MemberVault`: one Durable Object per member, holding everything about the
//! member that must change atomically: the codes they issued (as
//! `CodeRecord`s, keyed by the code's hash), their memberships, the points
//! ledger (the balance is always summed from entries, never stored), the
//! wallet version, and the phones long-polling for the next version.
//! Issue 4 adds, one module each: [`debits`] (confirmations the phone answers),
//! [`prepaid`] (prepaid ledger, PIN and its guard) and [`receipts`].
//!
//! Every state change happens in one synchronous stretch (no `await` between
//! reading and writing): the object's input gate plus SQLite make it atomic,
//! so twenty registers racing with one code see exactly one winner.

use crate::clock;
use crate::error::{Outcome, Problem};
use crate::storage::code_index::CodeHash;
use crate::storage::internal;
use domain::api::{CustomerView, ErrorCode, MembershipView, PointsAccrued, ShopSummary, Wallet, LONG_POLL_MS};
use domain::code_rules::{self, CodeRecord};
use domain::member::{DisplayName, MemberNumber};
use domain::money::MinorUnits;
use domain::receipt::ReceiptDetails;
use domain::sale::LineItem;
use domain::shop::{CustomerNumber, Label, RegisterId, RequestId, ShopId};
use domain::UnixMillis;
use futures_channel::oneshot;

mod debits;
mod prepaid;
mod receipts;
mod sign_in;

pub use debits::{Ask, StatusQuery};
use domain::api::{ApproveRequest, CancelRequest, DebitStatus};
use domain::receipt::Receipt;
pub use prepaid::{SetPin, TopUp};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::time::Duration;
use worker::{durable_object, Delay, DurableObject, Env, Request, Response, SqlStorage, State};

const BINDING: &str = "MEMBER_VAULT";

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS profile (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    member_number TEXT NOT NULL,
    display_name TEXT NOT NULL,
    version INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS memberships (
    shop_id TEXT PRIMARY KEY,
    shop TEXT NOT NULL,
    customer_number INTEGER NOT NULL,
    share_name INTEGER NOT NULL,
    joined_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS codes (
    code_hash TEXT PRIMARY KEY,
    shop_id TEXT NOT NULL,
    issued_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    held_until INTEGER,
    used_at INTEGER
);
CREATE INDEX IF NOT EXISTS codes_by_expiry ON codes (expires_at);
CREATE TABLE IF NOT EXISTS ledger (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    member_number TEXT NOT NULL,
    shop_id TEXT NOT NULL,
    register_id TEXT NOT NULL,
    request_id TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    points INTEGER NOT NULL,
    at INTEGER NOT NULL,
    UNIQUE (shop_id, request_id)
);
";

// ---- the protocol ----

#[derive(Serialize, Deserialize)]
struct Create {
    member_number: MemberNumber,
    display_name: DisplayName,
}

#[derive(Serialize, Deserialize)]
struct Join {
    shop: ShopSummary,
    customer_number: CustomerNumber,
    share_name: bool,
}

#[derive(Serialize, Deserialize)]
struct Issue {
    code_hash: CodeHash,
    shop_id: ShopId,
}

#[derive(Serialize, Deserialize)]
struct Resolve {
    code_hash: CodeHash,
    shop_id: ShopId,
}

#[derive(Serialize, Deserialize)]
pub struct Accrual {
    pub code_hash: CodeHash,
    pub shop: ShopSummary,
    pub register_id: RegisterId,
    pub register_name: Label,
    pub request_id: RequestId,
    pub amount: MinorUnits,
    /// The sale's lines (priced by the Worker), for the receipt.
    pub items: Vec<LineItem>,
}

#[derive(Serialize, Deserialize)]
struct WalletQuery {
    after: Option<u64>,
}

#[derive(Serialize, Deserialize)]
struct Empty {}

// ---- the Worker's side ----

/// The vault of one member.
pub struct VaultClient {
    stub: worker::Stub,
}

impl VaultClient {
    pub fn of(env: &Env, member: &MemberNumber) -> Outcome<Self> {
        Ok(Self { stub: env.durable_object(BINDING)?.get_by_name(member.as_str())? })
    }

    /// Opens the vault for a new member; `already_exists` if the number is taken.
    pub async fn create(&self, member_number: &MemberNumber, display_name: &DisplayName) -> Outcome<()> {
        let request = Create { member_number: member_number.clone(), display_name: display_name.clone() };
        let _: Empty = internal::call(&self.stub, "create", &request).await?;
        Ok(())
    }

    pub async fn join(
        &self,
        shop: ShopSummary,
        customer_number: CustomerNumber,
        share_name: bool,
    ) -> Outcome<MembershipView> {
        internal::call(&self.stub, "join", &Join { shop, customer_number, share_name }).await
    }

    pub async fn issue(&self, code_hash: CodeHash, shop_id: ShopId) -> Outcome<CodeRecord> {
        internal::call(&self.stub, "issue", &Issue { code_hash, shop_id }).await
    }

    pub async fn resolve(&self, code_hash: CodeHash, shop_id: ShopId) -> Outcome<CustomerView> {
        internal::call(&self.stub, "resolve", &Resolve { code_hash, shop_id }).await
    }

    pub async fn accrue(&self, accrual: &Accrual) -> Outcome<PointsAccrued> {
        internal::call(&self.stub, "accrue", accrual).await
    }

    pub async fn ask(&self, ask: &Ask) -> Outcome<DebitStatus> {
        internal::call(&self.stub, "ask", ask).await
    }

    /// The register's view of a confirmation; with `wait`, long-polls while it is pending.
    pub async fn debit_status(&self, query: &StatusQuery) -> Outcome<DebitStatus> {
        internal::call(&self.stub, "debit_status", query).await
    }

    /// The register withdraws its question.
    pub async fn withdraw(&self, query: &StatusQuery) -> Outcome<DebitStatus> {
        internal::call(&self.stub, "withdraw", query).await
    }

    pub async fn approve(&self, request: &ApproveRequest) -> Outcome<DebitStatus> {
        internal::call(&self.stub, "approve", request).await
    }

    pub async fn cancel(&self, request: &CancelRequest) -> Outcome<DebitStatus> {
        internal::call(&self.stub, "cancel", request).await
    }

    pub async fn set_pin(&self, request: &SetPin) -> Outcome<()> {
        let _: Empty = internal::call(&self.stub, "set_pin", request).await?;
        Ok(())
    }

    pub async fn top_up(&self, request: &TopUp) -> Outcome<Receipt> {
        internal::call(&self.stub, "top_up", request).await
    }

    /// Counts a sign-in attempt; `too_many_attempts` while sign-in is locked.
    pub async fn begin_sign_in(&self) -> Outcome<()> {
        let _: Empty = internal::call(&self.stub, "begin_sign_in", &Empty {}).await?;
        Ok(())
    }

    /// Ends a sign-in attempt with the password check's result; a wrong
    /// password is `wrong_credentials` (or `too_many_attempts` if it locked sign-in).
    pub async fn finish_sign_in(&self, correct: bool) -> Outcome<()> {
        let _: Empty = internal::call(&self.stub, "finish_sign_in", &sign_in::Finish { correct }).await?;
        Ok(())
    }

    /// The wallet; with `after`, waits (up to `LONG_POLL_MS`) for a version past it.
    pub async fn wallet(&self, after: Option<u64>) -> Outcome<Wallet> {
        internal::call(&self.stub, "wallet", &WalletQuery { after }).await
    }
}

// ---- the object ----

#[durable_object]
pub struct MemberVault {
    sql: SqlStorage,
    schema: Result<(), String>,
    /// Phones waiting for the next wallet version (in memory: a restart just ends their wait).
    waiters: RefCell<Vec<oneshot::Sender<()>>>,
}

impl DurableObject for MemberVault {
    fn new(state: State, _env: Env) -> Self {
        let sql = state.storage().sql();
        let schema = [SCHEMA, debits::SCHEMA, prepaid::SCHEMA, receipts::SCHEMA, sign_in::SCHEMA]
            .into_iter()
            .try_for_each(|schema| sql.exec(schema, None).map(drop))
            .map_err(|e| e.to_string());
        Self { sql, schema, waiters: RefCell::new(Vec::new()) }
    }

    async fn fetch(&self, mut req: Request) -> worker::Result<Response> {
        internal::answer(self.handle(&mut req).await)
    }
}

#[derive(Deserialize)]
struct ProfileRow {
    member_number: String,
    display_name: String,
    version: i64,
}

#[derive(Deserialize)]
struct MembershipRow {
    shop: String,
    customer_number: i64,
    share_name: i64,
}

#[derive(Deserialize)]
struct CodeRow {
    code_hash: String,
    shop_id: String,
    issued_at: i64,
    expires_at: i64,
    held_until: Option<i64>,
    used_at: Option<i64>,
}

#[derive(Deserialize)]
struct LedgerRow {
    seq: i64,
    register_id: String,
    code_hash: String,
    amount_minor: i64,
    points: i64,
    at: i64,
}

#[derive(Deserialize)]
struct SumRow {
    total: i64,
}

struct Profile {
    member_number: MemberNumber,
    display_name: DisplayName,
    version: u64,
}

struct Membership {
    shop: ShopSummary,
    customer_number: CustomerNumber,
    share_name: bool,
}

fn corrupt(what: &str) -> Problem {
    Problem::internal(format!("member vault holds a malformed {what}"))
}

impl MemberVault {
    async fn handle(&self, req: &mut Request) -> Outcome<serde_json::Value> {
        self.schema.clone().map_err(|e| Problem::internal(format!("member vault schema: {e}")))?;
        let (operation, body) = internal::operation(req).await?;
        // Each operation but the wallet wait is one synchronous stretch.
        let value = match operation.as_str() {
            "create" => serde_json::to_value(self.create(internal::parse(&body)?)?)?,
            "join" => serde_json::to_value(self.join(internal::parse(&body)?)?)?,
            "issue" => serde_json::to_value(self.issue(internal::parse(&body)?)?)?,
            "resolve" => serde_json::to_value(self.resolve(internal::parse(&body)?)?)?,
            "accrue" => serde_json::to_value(self.accrue(internal::parse(&body)?)?)?,
            "wallet" => serde_json::to_value(self.wallet(internal::parse(&body)?).await?)?,
            "ask" => serde_json::to_value(self.ask(internal::parse(&body)?)?)?,
            "debit_status" => serde_json::to_value(self.debit_status(internal::parse(&body)?).await?)?,
            // The PIN check inside awaits; see `debits` for why that is safe.
            "approve" => serde_json::to_value(self.approve(internal::parse(&body)?).await?)?,
            "cancel" => serde_json::to_value(self.cancel(internal::parse(&body)?)?)?,
            "withdraw" => serde_json::to_value(self.withdraw(internal::parse(&body)?)?)?,
            "set_pin" => serde_json::to_value(self.set_pin(internal::parse(&body)?)?)?,
            "top_up" => serde_json::to_value(self.top_up(internal::parse(&body)?)?)?,
            "begin_sign_in" => serde_json::to_value(self.begin_sign_in()?)?,
            "finish_sign_in" => serde_json::to_value(self.finish_sign_in(internal::parse(&body)?)?)?,
            other => return Err(internal::unknown_operation(other)),
        };
        Ok(value)
    }

    // ---- reading ----

    fn profile(&self) -> Outcome<Option<Profile>> {
        let rows: Vec<ProfileRow> =
            self.sql.exec("SELECT member_number, display_name, version FROM profile WHERE id = 1", None)?.to_array()?;
        let Some(row) = rows.into_iter().next() else { return Ok(None) };
        Ok(Some(Profile {
            member_number: MemberNumber::parse(&row.member_number).map_err(|_| corrupt("member number"))?,
            display_name: DisplayName::parse(&row.display_name).map_err(|_| corrupt("display name"))?,
            version: u64::try_from(row.version).map_err(|_| corrupt("version"))?,
        }))
    }

    fn existing_profile(&self) -> Outcome<Profile> {
        self.profile()?.ok_or_else(|| Problem::new(ErrorCode::Unauthorized, "there is no such member; sign up again"))
    }

    fn membership(&self, shop_id: &ShopId) -> Outcome<Option<Membership>> {
        let rows: Vec<MembershipRow> = self
            .sql
            .exec(
                "SELECT shop, customer_number, share_name FROM memberships WHERE shop_id = ?",
                vec![shop_id.as_str().into()],
            )?
            .to_array()?;
        rows.into_iter().next().map(Self::membership_from_row).transpose()
    }

    fn membership_from_row(row: MembershipRow) -> Outcome<Membership> {
        Ok(Membership {
            shop: serde_json::from_str(&row.shop).map_err(|_| corrupt("shop"))?,
            customer_number: CustomerNumber(
                u32::try_from(row.customer_number).map_err(|_| corrupt("customer number"))?,
            ),
            share_name: row.share_name != 0,
        })
    }

    fn memberships(&self) -> Outcome<Vec<Membership>> {
        let rows: Vec<MembershipRow> = self
            .sql
            .exec("SELECT shop, customer_number, share_name FROM memberships ORDER BY joined_at, shop_id", None)?
            .to_array()?;
        rows.into_iter().map(Self::membership_from_row).collect()
    }

    /// The balance at a shop: the sum of its ledger entries (up to entry `seq`, if given).
    fn points(&self, shop_id: &ShopId, up_to_seq: Option<i64>) -> Outcome<i64> {
        let cursor = match up_to_seq {
            None => self.sql.exec(
                "SELECT COALESCE(SUM(points), 0) AS total FROM ledger WHERE shop_id = ?",
                vec![shop_id.as_str().into()],
            )?,
            Some(seq) => self.sql.exec(
                "SELECT COALESCE(SUM(points), 0) AS total FROM ledger WHERE shop_id = ? AND seq <= ?",
                vec![shop_id.as_str().into(), seq.into()],
            )?,
        };
        let rows: Vec<SumRow> = cursor.to_array()?;
        Ok(rows.into_iter().next().map_or(0, |row| row.total))
    }

    fn code(&self, code_hash: &CodeHash) -> Outcome<Option<CodeRecord>> {
        let rows: Vec<CodeRow> = self
            .sql
            .exec(
                "SELECT code_hash, shop_id, issued_at, expires_at, held_until, used_at FROM codes WHERE code_hash = ?",
                vec![code_hash.as_str().into()],
            )?
            .to_array()?;
        rows.into_iter().next().map(Self::record_from_row).transpose()
    }

    fn record_from_row(row: CodeRow) -> Outcome<CodeRecord> {
        Ok(CodeRecord {
            shop_id: ShopId::parse(&row.shop_id).map_err(|_| corrupt("shop id"))?,
            issued_at: row.issued_at,
            expires_at: row.expires_at,
            held_until: row.held_until,
            used_at: row.used_at,
        })
    }

    fn view(&self, membership: Membership) -> Outcome<MembershipView> {
        let points = self.points(&membership.shop.shop_id, None)?;
        let prepaid_minor = self.prepaid_balance(&membership.shop.shop_id)?;
        Ok(MembershipView {
            shop: membership.shop,
            customer_number: membership.customer_number,
            points,
            share_name: membership.share_name,
            prepaid_minor,
        })
    }

    // ---- writing ----

    /// Every change the phone should see bumps the version and wakes the waiters.
    fn changed(&self) -> Outcome<()> {
        self.sql.exec("UPDATE profile SET version = version + 1 WHERE id = 1", None)?;
        for waiter in self.waiters.borrow_mut().drain(..) {
            let _ = waiter.send(());
        }
        Ok(())
    }

    fn create(&self, request: Create) -> Outcome<Empty> {
        if self.profile()?.is_some() {
            return Err(Problem::new(ErrorCode::AlreadyExists, "member number taken"));
        }
        self.sql.exec(
            "INSERT INTO profile (id, member_number, display_name, version) VALUES (1, ?, ?, 0)",
            vec![request.member_number.as_str().into(), request.display_name.as_str().into()],
        )?;
        Ok(Empty {})
    }

    /// Joining twice keeps the customer number and points; it updates whether
    /// the name is shared, which is how a member changes their mind.
    fn join(&self, request: Join) -> Outcome<MembershipView> {
        self.existing_profile()?;
        let shop_id = request.shop.shop_id.clone();
        match self.membership(&shop_id)? {
            Some(existing) if existing.share_name == request.share_name => self.view(existing),
            Some(existing) => {
                self.sql.exec(
                    "UPDATE memberships SET share_name = ? WHERE shop_id = ?",
                    vec![i64::from(request.share_name).into(), shop_id.as_str().into()],
                )?;
                self.changed()?;
                self.view(Membership { share_name: request.share_name, ..existing })
            }
            None => {
                self.sql.exec(
                    "INSERT INTO memberships (shop_id, shop, customer_number, share_name, joined_at) VALUES (?, ?, ?, ?, ?)",
                    vec![
                        shop_id.as_str().into(),
                        serde_json::to_string(&request.shop)?.into(),
                        i64::from(request.customer_number.0).into(),
                        i64::from(request.share_name).into(),
                        clock::now().into(),
                    ],
                )?;
                self.changed()?;
                self.view(Membership {
                    shop: request.shop,
                    customer_number: request.customer_number,
                    share_name: request.share_name,
                })
            }
        }
    }

    fn issue(&self, request: Issue) -> Outcome<CodeRecord> {
        self.existing_profile()?;
        if self.membership(&request.shop_id)?.is_none() {
            return Err(Problem::new(ErrorCode::NotAMember, "join this shop before asking for a code"));
        }
        let now = clock::now();
        self.forget_old_codes(now)?;
        let record = CodeRecord::issue(request.shop_id, now);
        self.sql.exec(
            "INSERT INTO codes (code_hash, shop_id, issued_at, expires_at) VALUES (?, ?, ?, ?)",
            vec![
                request.code_hash.as_str().into(),
                record.shop_id.as_str().into(),
                record.issued_at.into(),
                record.expires_at.into(),
            ],
        )?;
        Ok(record)
    }

    /// Drops records per `CodeRecord::forgettable`. Only codes that expired
    /// more than `REMEMBER_MS` ago can qualify, so only those are looked at.
    fn forget_old_codes(&self, now: UnixMillis) -> Outcome<()> {
        let rows: Vec<CodeRow> = self
            .sql
            .exec(
                "SELECT code_hash, shop_id, issued_at, expires_at, held_until, used_at FROM codes WHERE expires_at < ?",
                vec![(now - code_rules::REMEMBER_MS).into()],
            )?
            .to_array()?;
        for row in rows {
            let code_hash = row.code_hash.clone();
            if Self::record_from_row(row)?.forgettable(now) {
                self.sql.exec("DELETE FROM codes WHERE code_hash = ?", vec![code_hash.into()])?;
            }
        }
        Ok(())
    }

    /// Judges the code for `shop_id` at `now`; the refusal becomes the answer.
    fn judged_code(&self, code_hash: &CodeHash, shop_id: &ShopId, now: UnixMillis) -> Outcome<CodeRecord> {
        let record = self.code(code_hash)?;
        code_rules::judge(record.as_ref(), shop_id, now).map_err(|refusal| {
            let code = ErrorCode::from(refusal);
            Problem::new(code, refusal_message(code))
        })?;
        record.ok_or_else(|| Problem::internal("judge accepted a missing code"))
    }

    fn resolve(&self, request: Resolve) -> Outcome<CustomerView> {
        let profile = self.existing_profile()?;
        let now = clock::now();
        let mut record = self.judged_code(&request.code_hash, &request.shop_id, now)?;
        let membership = self
            .membership(&request.shop_id)?
            .ok_or_else(|| Problem::internal("a code was issued without a membership"))?;
        code_rules::hold_after_read(&mut record, now);
        self.sql.exec(
            "UPDATE codes SET held_until = ? WHERE code_hash = ?",
            vec![record.held_until.into(), request.code_hash.as_str().into()],
        )?;
        Ok(CustomerView {
            customer_number: membership.customer_number,
            display_name: membership.share_name.then_some(profile.display_name),
            points: self.points(&request.shop_id, None)?,
            prepaid_minor: self.prepaid_balance(&request.shop_id)?,
            usable_until: record.usable_until(),
        })
    }

    fn accrue(&self, request: Accrual) -> Outcome<PointsAccrued> {
        let profile = self.existing_profile()?;
        let shop_id = &request.shop.shop_id;
        if let Some(earlier) = self.ledger_entry(shop_id, &request.request_id)? {
            return self.replay(request, earlier);
        }
        let now = clock::now();
        let mut record = self.judged_code(&request.code_hash, shop_id, now)?;
        let membership =
            self.membership(shop_id)?.ok_or_else(|| Problem::internal("a code was issued without a membership"))?;
        let points_added = request.shop.points_per_unit.points_for(request.amount, request.shop.currency);
        let points_before = self.points(shop_id, None)?;
        let amount_minor = i64::try_from(request.amount.0).map_err(|_| Problem::internal("amount out of range"))?;
        code_rules::spend(&mut record, now);
        self.sql.exec(
            "UPDATE codes SET used_at = ? WHERE code_hash = ?",
            vec![record.used_at.into(), request.code_hash.as_str().into()],
        )?;
        self.sql.exec(
            "INSERT INTO ledger (member_number, shop_id, register_id, request_id, code_hash, amount_minor, points, at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            vec![
                profile.member_number.as_str().into(),
                shop_id.as_str().into(),
                request.register_id.as_str().into(),
                request.request_id.as_str().into(),
                request.code_hash.as_str().into(),
                amount_minor.into(),
                points_added.into(),
                now.into(),
            ],
        )?;
        let points = self.points(shop_id, None)?;
        let receipt = Receipt {
            receipt_number: self.next_receipt_number(shop_id, membership.customer_number)?,
            shop_id: shop_id.clone(),
            shop_name: request.shop.name.clone(),
            currency: request.shop.currency,
            register_id: request.register_id.clone(),
            register_name: request.register_name.clone(),
            request_id: request.request_id.clone(),
            customer_number: membership.customer_number,
            at: now,
            items: request.items.clone(),
            details: ReceiptDetails::Points {
                sale_minor: request.amount.0,
                points_added,
                points_before,
                points_after: points,
            },
        };
        self.store_receipt(&receipt)?;
        self.changed()?;
        Ok(PointsAccrued {
            customer_number: membership.customer_number,
            amount_minor: request.amount.0,
            points_added,
            points,
            at: now,
            receipt: Some(receipt),
        })
    }

    fn ledger_entry(&self, shop_id: &ShopId, request_id: &RequestId) -> Outcome<Option<LedgerRow>> {
        let rows: Vec<LedgerRow> = self
            .sql
            .exec(
                "SELECT seq, register_id, code_hash, amount_minor, points, at FROM ledger WHERE shop_id = ? AND request_id = ?",
                vec![shop_id.as_str().into(), request_id.as_str().into()],
            )?
            .to_array()?;
        Ok(rows.into_iter().next())
    }

    /// A request id seen before: the same request gets the same answer and
    /// changes nothing; a different request under that id is refused.
    fn replay(&self, request: Accrual, earlier: LedgerRow) -> Outcome<PointsAccrued> {
        let same = earlier.register_id == request.register_id.as_str()
            && earlier.code_hash == request.code_hash.as_str()
            && u64::try_from(earlier.amount_minor).ok() == Some(request.amount.0);
        if !same {
            return Err(Problem::new(
                ErrorCode::RequestIdReused,
                "this request id was already used for a different request; use a new one per sale",
            ));
        }
        let membership = self
            .membership(&request.shop.shop_id)?
            .ok_or_else(|| Problem::internal("a ledger entry without a membership"))?;
        Ok(PointsAccrued {
            customer_number: membership.customer_number,
            amount_minor: request.amount.0,
            points_added: earlier.points,
            points: self.points(&request.shop.shop_id, Some(earlier.seq))?,
            at: earlier.at,
            receipt: self.receipt(&request.shop.shop_id, &request.request_id)?,
        })
    }

    fn wallet_now(&self) -> Outcome<Wallet> {
        let now = clock::now();
        let profile = self.existing_profile()?;
        let memberships = self.memberships()?.into_iter().map(|m| self.view(m)).collect::<Outcome<Vec<_>>>()?;
        Ok(Wallet {
            member_number: profile.member_number,
            display_name: profile.display_name,
            memberships,
            version: profile.version,
            confirmations: self.pending_confirmations(now)?,
            receipts: self.recent_receipts()?,
            has_pin: self.pin_record()?.is_some(),
            server_now: now,
        })
    }

    /// Answers at once unless the phone already has the current version;
    /// then waits for the next change or the long-poll limit.
    async fn wallet(&self, query: WalletQuery) -> Outcome<Wallet> {
        let wallet = self.wallet_now()?;
        if query.after != Some(wallet.version) {
            return Ok(wallet);
        }
        self.wait_for_change(LONG_POLL_MS).await;
        self.wallet_now()
    }

    /// Waits for the next change (see `changed`) or `limit_ms`, whichever comes first.
    async fn wait_for_change(&self, limit_ms: i64) {
        let (waiter, woken) = oneshot::channel();
        {
            let mut waiters = self.waiters.borrow_mut();
            waiters.retain(|w| !w.is_canceled());
            waiters.push(waiter);
        }
        let limit = Delay::from(Duration::from_millis(limit_ms.unsigned_abs()));
        futures_util::future::select(woken, Box::pin(limit)).await;
    }
}

fn refusal_message(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::Unknown => "this code is not known: it was never issued or is long gone",
        ErrorCode::WrongShop => "this code was issued for another shop",
        ErrorCode::AlreadyUsed => "this code was already used",
        ErrorCode::Expired => "this code has expired: ask the customer to show a fresh one",
        _ => "this code cannot be used",
    }
}
