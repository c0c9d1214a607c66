//! Debits the member confirms on their phone: the register's question (`ask`),
//! the phone's answer (`approve`, `cancel`), and the register's wait for it
//! (`debit_status`). Rules come from `domain::confirmation`; this module only
//! stores them, applies an approved debit exactly once, and wakes the waiters.
//!
//! Every state change is one synchronous stretch, except the PIN hash check in
//! `approve`: its attempt is counted before the await, and the confirmation is
//! re-read and re-judged after it, so a cancel or a second approval in between
//! wins or loses cleanly.

use super::prepaid::{pin_problem, prepaid_problem};
use super::{corrupt, MemberVault};
use crate::clock;
use crate::error::{Outcome, Problem};
use crate::storage::code_index::CodeHash;
use domain::api::{
    ApproveRequest, CancelRequest, DebitOutcome, DebitStatus, ErrorCode, PendingConfirmation, ShopSummary, LONG_POLL_MS,
};
use domain::code_rules;
use domain::confirmation::{CancelledBy, ConfirmRefusal, Confirmation, Debit, State, Transition};
use domain::prepaid::{self, PinRefusal};
use domain::receipt::{Receipt, ReceiptDetails};
use domain::rewards::{self, Benefit, Reward};
use domain::sale::LineItem;
use domain::shop::{CustomerNumber, Label, RegisterId, RequestId, ShopId};
use domain::UnixMillis;
use serde::{Deserialize, Serialize};

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS confirmations (
    shop_id TEXT NOT NULL,
    request_id TEXT NOT NULL,
    shop TEXT NOT NULL,
    register_id TEXT NOT NULL,
    register_name TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    confirmation TEXT NOT NULL,
    items TEXT NOT NULL,
    benefit TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (shop_id, request_id)
);
CREATE INDEX IF NOT EXISTS confirmations_by_time ON confirmations (created_at);
";

/// The register's question, as the Worker prepared it (reward looked up,
/// lines priced from the product list, total computed).
#[derive(Serialize, Deserialize)]
pub struct Ask {
    pub code_hash: CodeHash,
    pub shop: ShopSummary,
    pub register_id: RegisterId,
    pub register_name: Label,
    pub request_id: RequestId,
    pub debit: Debit,
    pub items: Vec<LineItem>,
    pub reward: Option<Reward>,
}

#[derive(Serialize, Deserialize)]
pub struct StatusQuery {
    pub code_hash: CodeHash,
    pub shop_id: ShopId,
    pub request_id: RequestId,
    pub wait: bool,
}

#[derive(Deserialize)]
struct ConfirmationRow {
    shop: String,
    register_id: String,
    register_name: String,
    code_hash: String,
    confirmation: String,
    items: String,
    benefit: Option<String>,
}

/// A stored confirmation, parsed.
struct Stored {
    shop: ShopSummary,
    register_id: RegisterId,
    register_name: Label,
    code_hash: String,
    confirmation: Confirmation,
    items: Vec<LineItem>,
    benefit: Option<Benefit>,
}

fn refusal_problem(refusal: ConfirmRefusal) -> Problem {
    let code = match refusal {
        ConfirmRefusal::Expired => ErrorCode::ConfirmationExpired,
        ConfirmRefusal::AlreadyAnswered => ErrorCode::AlreadyAnswered,
        ConfirmRefusal::Mismatch => ErrorCode::ConfirmationMismatch,
        ConfirmRefusal::TipNotAllowed => ErrorCode::TipNotAllowed,
    };
    Problem::new(code, refusal.to_string())
}

fn no_such_confirmation() -> Problem {
    Problem::new(ErrorCode::NotFound, "there is no such request waiting for this customer")
}

fn reused() -> Problem {
    Problem::new(
        ErrorCode::RequestIdReused,
        "this request id was already used for a different request; use a new one per operation",
    )
}

impl MemberVault {
    fn stored(&self, shop_id: &ShopId, request_id: &RequestId) -> Outcome<Option<Stored>> {
        let rows: Vec<ConfirmationRow> = self
            .sql
            .exec(
                "SELECT shop, register_id, register_name, code_hash, confirmation, items, benefit
                 FROM confirmations WHERE shop_id = ? AND request_id = ?",
                vec![shop_id.as_str().into(), request_id.as_str().into()],
            )?
            .to_array()?;
        let Some(row) = rows.into_iter().next() else { return Ok(None) };
        Ok(Some(Stored {
            shop: serde_json::from_str(&row.shop).map_err(|_| corrupt("confirmation shop"))?,
            register_id: RegisterId::parse(&row.register_id).map_err(|_| corrupt("register id"))?,
            register_name: Label::parse(&row.register_name).map_err(|_| corrupt("register name"))?,
            code_hash: row.code_hash,
            confirmation: serde_json::from_str(&row.confirmation).map_err(|_| corrupt("confirmation"))?,
            items: serde_json::from_str(&row.items).map_err(|_| corrupt("confirmation items"))?,
            benefit: row.benefit.map(|b| serde_json::from_str(&b)).transpose().map_err(|_| corrupt("benefit"))?,
        }))
    }

    fn save_state(&self, shop_id: &ShopId, confirmation: &Confirmation) -> Outcome<()> {
        self.sql.exec(
            "UPDATE confirmations SET confirmation = ? WHERE shop_id = ? AND request_id = ?",
            vec![
                serde_json::to_string(confirmation)?.into(),
                shop_id.as_str().into(),
                confirmation.request_id.as_str().into(),
            ],
        )?;
        Ok(())
    }

    /// Stores a timed-out question as cancelled (and tells the phone).
    fn settled(&self, mut stored: Stored, now: UnixMillis) -> Outcome<Stored> {
        if stored.confirmation.settle(now) {
            self.save_state(&stored.shop.shop_id, &stored.confirmation)?;
            self.changed()?;
        }
        Ok(stored)
    }

    fn customer_number(&self, shop_id: &ShopId) -> Outcome<CustomerNumber> {
        Ok(self
            .membership(shop_id)?
            .ok_or_else(|| Problem::internal("a confirmation without a membership"))?
            .customer_number)
    }

    fn status_of(&self, stored: &Stored, now: UnixMillis) -> Outcome<DebitStatus> {
        let c = &stored.confirmation;
        let outcome = match c.state_at(now) {
            State::Pending => DebitOutcome::Pending,
            State::Cancelled { by, .. } => DebitOutcome::Cancelled { by },
            State::Approved { .. } => DebitOutcome::Concluded {
                receipt: self
                    .receipt(&stored.shop.shop_id, &c.request_id)?
                    .ok_or_else(|| Problem::internal("an approved confirmation without its receipt"))?,
            },
        };
        Ok(DebitStatus {
            request_id: c.request_id.clone(),
            customer_number: self.customer_number(&stored.shop.shop_id)?,
            debit: c.debit.clone(),
            items: stored.items.clone(),
            expires_at: c.expires_at,
            server_now: now,
            outcome,
        })
    }

    /// The register asks. Checked before the phone is asked anything: the code,
    /// the balance (points or prepaid) and, for prepaid, that a PIN exists.
    /// The same request again re-attaches to the same confirmation.
    pub(super) fn ask(&self, ask: Ask) -> Outcome<DebitStatus> {
        self.existing_profile()?;
        let now = clock::now();
        let shop_id = &ask.shop.shop_id;
        if let Some(stored) = self.stored(shop_id, &ask.request_id)? {
            let same = stored.register_id == ask.register_id
                && stored.code_hash == ask.code_hash.as_str()
                && stored.confirmation.debit == ask.debit
                && stored.items == ask.items;
            if !same {
                return Err(reused());
            }
            let stored = self.settled(stored, now)?;
            return self.status_of(&stored, now);
        }
        let mut record = self.judged_code(&ask.code_hash, shop_id, now)?;
        self.membership(shop_id)?.ok_or_else(|| Problem::internal("a code was issued without a membership"))?;
        match (&ask.debit, &ask.reward) {
            (Debit::Redeem { .. }, Some(reward)) => {
                rewards::check_redeemable(reward, self.points(shop_id, None)?)
                    .map_err(|refusal| Problem::new(ErrorCode::NotEnoughPoints, refusal.to_string()))?;
            }
            (Debit::Redeem { .. }, None) => return Err(Problem::internal("a redeem without its reward")),
            (Debit::PrepaidCharge { amount }, _) => {
                if self.pin_record()?.is_none() {
                    return Err(Problem::new(
                        ErrorCode::PinNotSet,
                        "the customer has not set a PIN for prepaid payments yet",
                    ));
                }
                prepaid::charge(self.prepaid_balance(shop_id)?, *amount).map_err(prepaid_problem)?;
            }
        }
        code_rules::spend(&mut record, now);
        self.sql.exec(
            "UPDATE codes SET used_at = ? WHERE code_hash = ?",
            vec![record.used_at.into(), ask.code_hash.as_str().into()],
        )?;
        let confirmation = Confirmation::ask(ask.request_id.clone(), ask.debit.clone(), now);
        let benefit = ask.reward.as_ref().map(|r| serde_json::to_string(&r.benefit)).transpose()?;
        self.sql.exec(
            "INSERT INTO confirmations (shop_id, request_id, shop, register_id, register_name, code_hash, confirmation, items, benefit, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            vec![
                shop_id.as_str().into(),
                ask.request_id.as_str().into(),
                serde_json::to_string(&ask.shop)?.into(),
                ask.register_id.as_str().into(),
                ask.register_name.as_str().into(),
                ask.code_hash.as_str().into(),
                serde_json::to_string(&confirmation)?.into(),
                serde_json::to_string(&ask.items)?.into(),
                benefit.into(),
                now.into(),
            ],
        )?;
        self.changed()?;
        let stored =
            self.stored(shop_id, &ask.request_id)?.ok_or_else(|| Problem::internal("confirmation not stored"))?;
        self.status_of(&stored, now)
    }

    /// The register's view; with `wait`, holds the answer (up to `LONG_POLL_MS`)
    /// while the question is pending. Only the code that started it finds it.
    pub(super) async fn debit_status(&self, query: StatusQuery) -> Outcome<DebitStatus> {
        let deadline = clock::now() + LONG_POLL_MS;
        loop {
            let now = clock::now();
            let stored = self.stored(&query.shop_id, &query.request_id)?.ok_or_else(no_such_confirmation)?;
            if stored.code_hash != query.code_hash.as_str() {
                return Err(no_such_confirmation());
            }
            let stored = self.settled(stored, now)?;
            let status = self.status_of(&stored, now)?;
            if !query.wait || status.outcome != DebitOutcome::Pending || now >= deadline {
                return Ok(status);
            }
            // Wake on any change, or when the question times out, or at the poll limit.
            let until = deadline.min(status.expires_at + 50);
            self.wait_for_change((until - now).max(10)).await;
        }
    }

    /// The customer approves exactly what their phone showed.
    pub(super) async fn approve(&self, request: ApproveRequest) -> Outcome<DebitStatus> {
        self.existing_profile()?;
        let shop_id = &request.shop_id;
        let request_id = &request.approval.request_id;
        let now = clock::now();
        let stored = self.stored(shop_id, request_id)?.ok_or_else(no_such_confirmation)?;
        let stored = self.settled(stored, now)?;
        // A dry run first: only a question this approval can answer gets a PIN check.
        let mut trial = stored.confirmation.clone();
        match trial.approve(&request.approval, now).map_err(refusal_problem)? {
            Transition::Replayed => return self.status_of(&stored, now),
            Transition::Applied => {}
        }
        if matches!(stored.confirmation.debit, Debit::PrepaidCharge { .. }) {
            let pin = request
                .pin
                .as_ref()
                .ok_or_else(|| Problem::new(ErrorCode::WrongPin, "enter your PIN to pay with prepaid value"))?;
            if let Err(refusal) = self.check_pin(pin.expose()).await? {
                if matches!(refusal, PinRefusal::Locked { .. }) {
                    self.cancel_as(shop_id, request_id, CancelledBy::PinLocked)?;
                }
                return Err(pin_problem(refusal));
            }
        }
        // From here on, one synchronous stretch: re-read, re-judge, apply once.
        let now = clock::now();
        let stored = self.stored(shop_id, request_id)?.ok_or_else(no_such_confirmation)?;
        let mut confirmation = stored.confirmation.clone();
        match confirmation.approve(&request.approval, now).map_err(refusal_problem)? {
            Transition::Replayed => self.status_of(&stored, now),
            Transition::Applied => self.apply(Stored { confirmation, ..stored }, now),
        }
    }

    /// Applies an approval: debits the balance, writes the receipt, stores the state.
    fn apply(&self, stored: Stored, now: UnixMillis) -> Outcome<DebitStatus> {
        let shop = &stored.shop;
        let shop_id = &shop.shop_id;
        let c = &stored.confirmation;
        let customer = self.customer_number(shop_id)?;
        let details = match &c.debit {
            Debit::Redeem { reward_id, reward_name, points } => {
                let before = self.points(shop_id, None)?;
                if before < *points {
                    self.cancel_as(shop_id, &c.request_id, CancelledBy::Insufficient)?;
                    return Err(Problem::new(
                        ErrorCode::NotEnoughPoints,
                        format!("not enough points any more: {points} needed, {before} available; nothing was changed"),
                    ));
                }
                self.sql.exec(
                    "INSERT INTO ledger (member_number, shop_id, register_id, request_id, code_hash, amount_minor, points, at)
                     VALUES (?, ?, ?, ?, ?, 0, ?, ?)",
                    vec![
                        self.existing_profile()?.member_number.as_str().into(),
                        shop_id.as_str().into(),
                        stored.register_id.as_str().into(),
                        c.request_id.as_str().into(),
                        stored.code_hash.as_str().into(),
                        (-points).into(),
                        now.into(),
                    ],
                )?;
                let benefit = stored.benefit.clone().ok_or_else(|| corrupt("reward benefit"))?;
                ReceiptDetails::Redeem {
                    reward_id: reward_id.clone(),
                    reward_name: reward_name.clone(),
                    benefit,
                    points: *points,
                    points_before: before,
                    points_after: before - points,
                }
            }
            Debit::PrepaidCharge { amount } => {
                let total = c.prepaid_total().ok_or_else(|| Problem::internal("approved charge without a total"))?;
                let change = match prepaid::charge(self.prepaid_balance(shop_id)?, total) {
                    Ok(change) => change,
                    Err(refusal) => {
                        self.cancel_as(shop_id, &c.request_id, CancelledBy::Insufficient)?;
                        return Err(prepaid_problem(refusal));
                    }
                };
                self.record_prepaid(
                    shop_id,
                    stored.register_id.as_str(),
                    &c.request_id,
                    &stored.code_hash,
                    change,
                    true,
                    now,
                )?;
                ReceiptDetails::PrepaidCharge {
                    sale_minor: amount.0,
                    tip_minor: total.0 - amount.0,
                    total_minor: change.amount,
                    prepaid_before: change.old,
                    prepaid_after: change.new,
                }
            }
        };
        let receipt = Receipt {
            receipt_number: self.next_receipt_number(shop_id, customer)?,
            shop_id: shop_id.clone(),
            shop_name: shop.name.clone(),
            currency: shop.currency,
            register_id: stored.register_id.clone(),
            register_name: stored.register_name.clone(),
            request_id: c.request_id.clone(),
            customer_number: customer,
            at: now,
            items: stored.items.clone(),
            details,
        };
        self.store_receipt(&receipt)?;
        self.save_state(shop_id, c)?;
        self.changed()?;
        self.status_of(&stored, now)
    }

    fn cancel_as(&self, shop_id: &ShopId, request_id: &RequestId, by: CancelledBy) -> Outcome<Transition> {
        let now = clock::now();
        let mut stored = self.stored(shop_id, request_id)?.ok_or_else(no_such_confirmation)?;
        let transition = stored.confirmation.cancel(by, now).map_err(refusal_problem)?;
        if transition == Transition::Applied || stored.confirmation.settle(now) {
            self.save_state(shop_id, &stored.confirmation)?;
            self.changed()?;
        }
        Ok(transition)
    }

    /// The register withdraws its question (only the code that started it finds it).
    pub(super) fn withdraw(&self, query: StatusQuery) -> Outcome<DebitStatus> {
        let stored = self.stored(&query.shop_id, &query.request_id)?.ok_or_else(no_such_confirmation)?;
        if stored.code_hash != query.code_hash.as_str() {
            return Err(no_such_confirmation());
        }
        self.cancel_as(&query.shop_id, &query.request_id, CancelledBy::Register)?;
        let stored = self.stored(&query.shop_id, &query.request_id)?.ok_or_else(no_such_confirmation)?;
        self.status_of(&stored, clock::now())
    }

    /// The customer says no; cancelling again changes nothing.
    pub(super) fn cancel(&self, request: CancelRequest) -> Outcome<DebitStatus> {
        self.existing_profile()?;
        self.cancel_as(&request.shop_id, &request.request_id, CancelledBy::Customer)?;
        let stored = self.stored(&request.shop_id, &request.request_id)?.ok_or_else(no_such_confirmation)?;
        self.status_of(&stored, clock::now())
    }

    /// Questions still open, for the phone.
    pub(super) fn pending_confirmations(&self, now: UnixMillis) -> Outcome<Vec<PendingConfirmation>> {
        #[derive(Deserialize)]
        struct Key {
            shop_id: String,
            request_id: String,
        }
        let since = now - domain::confirmation::CONFIRMATION_LIFETIME_MS;
        let keys: Vec<Key> = self
            .sql
            .exec(
                "SELECT shop_id, request_id FROM confirmations WHERE created_at > ? ORDER BY created_at",
                vec![since.into()],
            )?
            .to_array()?;
        let mut pending = Vec::new();
        for key in keys {
            let shop_id = ShopId::parse(&key.shop_id).map_err(|_| corrupt("shop id"))?;
            let request_id = RequestId::parse(&key.request_id).map_err(|_| corrupt("request id"))?;
            let Some(stored) = self.stored(&shop_id, &request_id)? else { continue };
            if stored.confirmation.state_at(now) != State::Pending {
                continue;
            }
            pending.push(PendingConfirmation {
                shop_id,
                shop_name: stored.shop.name.clone(),
                currency: stored.shop.currency,
                request_id,
                needs_pin: matches!(stored.confirmation.debit, Debit::PrepaidCharge { .. }),
                debit: stored.confirmation.debit,
                items: stored.items,
                expires_at: stored.confirmation.expires_at,
            });
        }
        Ok(pending)
    }
}
