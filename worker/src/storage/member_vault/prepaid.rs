//! Prepaid value per shop (a ledger of top-ups and charges; the balance is
//! summed, never stored) and the member's PIN with its attempt guard.

use super::{corrupt, MemberVault, SumRow};
use crate::auth::password::StoredPassword;
use crate::clock;
use crate::error::{Outcome, Problem};
use crate::storage::code_index::CodeHash;
use domain::api::{ErrorCode, ShopSummary};
use domain::code_rules;
use domain::money::MinorUnits;
use domain::prepaid::{self, BalanceChange, PinGuard, PinRefusal, PrepaidRefusal};
use domain::receipt::{Receipt, ReceiptDetails};
use domain::shop::{Label, RegisterId, RequestId, ShopId};
use domain::UnixMillis;
use serde::{Deserialize, Serialize};

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS prepaid_ledger (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    shop_id TEXT NOT NULL,
    register_id TEXT NOT NULL,
    request_id TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    kind TEXT NOT NULL,
    old_minor INTEGER NOT NULL,
    amount_minor INTEGER NOT NULL,
    new_minor INTEGER NOT NULL,
    change_minor INTEGER NOT NULL,
    at INTEGER NOT NULL,
    UNIQUE (shop_id, request_id),
    CHECK (new_minor >= 0 AND new_minor = old_minor + change_minor)
);
CREATE TABLE IF NOT EXISTS pin (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    stored TEXT NOT NULL,
    guard TEXT NOT NULL
);
";

#[derive(Serialize, Deserialize)]
pub struct SetPin {
    pub stored: StoredPassword,
}

#[derive(Serialize, Deserialize)]
pub struct TopUp {
    pub code_hash: CodeHash,
    pub shop: ShopSummary,
    pub register_id: RegisterId,
    pub register_name: Label,
    pub request_id: RequestId,
    pub amount: MinorUnits,
}

#[derive(Deserialize)]
struct PinRow {
    stored: String,
    guard: String,
}

#[derive(Deserialize)]
struct TopUpRow {
    register_id: String,
    code_hash: String,
    kind: String,
    amount_minor: i64,
}

pub(super) struct PinRecord {
    pub stored: StoredPassword,
    pub guard: PinGuard,
}

pub(super) fn pin_problem(refusal: PinRefusal) -> Problem {
    match refusal {
        PinRefusal::WrongPin { .. } => Problem::new(ErrorCode::WrongPin, refusal.to_string()),
        PinRefusal::Locked { .. } => Problem::new(
            ErrorCode::PinLocked,
            "too many wrong PINs: prepaid charges are locked for 15 minutes; nothing was charged",
        ),
    }
}

pub(super) fn prepaid_problem(refusal: PrepaidRefusal) -> Problem {
    match refusal {
        PrepaidRefusal::InsufficientFunds { .. } => Problem::new(ErrorCode::InsufficientFunds, refusal.to_string()),
        PrepaidRefusal::OverLimit => Problem::new(ErrorCode::OverLimit, refusal.to_string()),
    }
}

fn minor(value: u64) -> Outcome<i64> {
    i64::try_from(value).map_err(|_| Problem::internal("amount out of range"))
}

impl MemberVault {
    /// The prepaid balance at a shop: the sum of its ledger entries.
    pub(super) fn prepaid_balance(&self, shop_id: &ShopId) -> Outcome<u64> {
        let rows: Vec<SumRow> = self
            .sql
            .exec(
                "SELECT COALESCE(SUM(change_minor), 0) AS total FROM prepaid_ledger WHERE shop_id = ?",
                vec![shop_id.as_str().into()],
            )?
            .to_array()?;
        let total = rows.into_iter().next().map_or(0, |row| row.total);
        u64::try_from(total).map_err(|_| corrupt("prepaid balance"))
    }

    /// Records one change; the table's CHECK repeats the rule `new = old ± amount ≥ 0`.
    pub(super) fn record_prepaid(
        &self,
        shop_id: &ShopId,
        register_id: &str,
        request_id: &RequestId,
        code_hash: &str,
        change: BalanceChange,
        charge: bool,
        now: UnixMillis,
    ) -> Outcome<()> {
        let signed = if charge { -minor(change.amount)? } else { minor(change.amount)? };
        self.sql.exec(
            "INSERT INTO prepaid_ledger (shop_id, register_id, request_id, code_hash, kind, old_minor, amount_minor, new_minor, change_minor, at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            vec![
                shop_id.as_str().into(),
                register_id.into(),
                request_id.as_str().into(),
                code_hash.into(),
                (if charge { "charge" } else { "top_up" }).into(),
                minor(change.old)?.into(),
                minor(change.amount)?.into(),
                minor(change.new)?.into(),
                signed.into(),
                now.into(),
            ],
        )?;
        Ok(())
    }

    pub(super) fn pin_record(&self) -> Outcome<Option<PinRecord>> {
        let rows: Vec<PinRow> = self.sql.exec("SELECT stored, guard FROM pin WHERE id = 1", None)?.to_array()?;
        let Some(row) = rows.into_iter().next() else { return Ok(None) };
        Ok(Some(PinRecord {
            stored: serde_json::from_str(&row.stored).map_err(|_| corrupt("PIN"))?,
            guard: serde_json::from_str(&row.guard).map_err(|_| corrupt("PIN guard"))?,
        }))
    }

    pub(super) fn save_pin_guard(&self, guard: &PinGuard) -> Outcome<()> {
        self.sql.exec("UPDATE pin SET guard = ? WHERE id = 1", vec![serde_json::to_string(guard)?.into()])?;
        Ok(())
    }

    /// Setting the PIN (the password was checked by the Worker) also clears any lock.
    pub(super) fn set_pin(&self, request: SetPin) -> Outcome<super::Empty> {
        self.existing_profile()?;
        self.sql.exec(
            "INSERT INTO pin (id, stored, guard) VALUES (1, ?, ?)
             ON CONFLICT (id) DO UPDATE SET stored = excluded.stored, guard = excluded.guard",
            vec![serde_json::to_string(&request.stored)?.into(), serde_json::to_string(&PinGuard::default())?.into()],
        )?;
        self.changed()?;
        Ok(super::Empty {})
    }

    /// Checks `pin` under the attempt guard. The attempt is counted before the
    /// (asynchronous) hash check, so parallel guesses cannot exceed the limit.
    pub(super) async fn check_pin(&self, pin: &str) -> Outcome<Result<(), PinRefusal>> {
        let record = self.pin_record()?.ok_or_else(|| {
            Problem::new(ErrorCode::PinNotSet, "set a PIN on your phone before paying with prepaid value")
        })?;
        let mut guard = record.guard;
        if let Err(refusal) = guard.begin_attempt(clock::now(), prepaid::PIN_LIMIT) {
            return Ok(Err(refusal.into()));
        }
        self.save_pin_guard(&guard)?;
        let correct = record.stored.verify(pin).await?;
        // Other attempts may have run meanwhile: finish on the guard as it is now.
        let mut guard = self.pin_record()?.map(|r| r.guard).unwrap_or_default();
        let verdict = guard.finish_attempt(correct, prepaid::PIN_LIMIT).map_err(PinRefusal::from);
        self.save_pin_guard(&guard)?;
        Ok(verdict)
    }

    /// Cash received at the register, stored as prepaid value. Spends the code
    /// like any operation; a retry with the same request id returns the same receipt.
    pub(super) fn top_up(&self, request: TopUp) -> Outcome<Receipt> {
        self.existing_profile()?;
        let shop_id = &request.shop.shop_id;
        if let Some(receipt) = self.replayed_top_up(&request)? {
            return Ok(receipt);
        }
        let now = clock::now();
        let mut record = self.judged_code(&request.code_hash, shop_id, now)?;
        let membership =
            self.membership(shop_id)?.ok_or_else(|| Problem::internal("a code was issued without a membership"))?;
        let change = prepaid::top_up(self.prepaid_balance(shop_id)?, request.amount, request.shop.currency)
            .map_err(prepaid_problem)?;
        code_rules::spend(&mut record, now);
        self.sql.exec(
            "UPDATE codes SET used_at = ? WHERE code_hash = ?",
            vec![record.used_at.into(), request.code_hash.as_str().into()],
        )?;
        self.record_prepaid(
            shop_id,
            request.register_id.as_str(),
            &request.request_id,
            request.code_hash.as_str(),
            change,
            false,
            now,
        )?;
        let receipt = Receipt {
            receipt_number: self.next_receipt_number(shop_id, membership.customer_number)?,
            shop_id: shop_id.clone(),
            shop_name: request.shop.name.clone(),
            currency: request.shop.currency,
            register_id: request.register_id,
            register_name: request.register_name,
            request_id: request.request_id,
            customer_number: membership.customer_number,
            at: now,
            items: Vec::new(),
            details: ReceiptDetails::PrepaidTopUp {
                amount_minor: change.amount,
                prepaid_before: change.old,
                prepaid_after: change.new,
            },
        };
        self.store_receipt(&receipt)?;
        self.changed()?;
        Ok(receipt)
    }

    fn replayed_top_up(&self, request: &TopUp) -> Outcome<Option<Receipt>> {
        let rows: Vec<TopUpRow> = self
            .sql
            .exec(
                "SELECT register_id, code_hash, kind, amount_minor FROM prepaid_ledger WHERE shop_id = ? AND request_id = ?",
                vec![request.shop.shop_id.as_str().into(), request.request_id.as_str().into()],
            )?
            .to_array()?;
        let Some(row) = rows.into_iter().next() else { return Ok(None) };
        let same = row.kind == "top_up"
            && row.register_id == request.register_id.as_str()
            && row.code_hash == request.code_hash.as_str()
            && u64::try_from(row.amount_minor).ok() == Some(request.amount.0);
        if !same {
            return Err(Problem::new(
                ErrorCode::RequestIdReused,
                "this request id was already used for a different request; use a new one per operation",
            ));
        }
        self.receipt(&request.shop.shop_id, &request.request_id)?
            .map(Some)
            .ok_or_else(|| Problem::internal("a top-up without its receipt"))
    }
}
