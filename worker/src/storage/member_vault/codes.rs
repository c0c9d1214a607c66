//! The `codes` table: the one-time codes the member issued (as `CodeRecord`s,
//! keyed by the code's hash), judged by `domain::code_rules` whenever a
//! register reads, holds or spends one.

use crate::error::{Outcome, Problem};
use crate::storage::code_index::protocol::CodeHash;
use crate::storage::sql;
use domain::code_rules::{self, CodeRecord};
use domain::shop::ShopId;
use domain::UnixMillis;
use serde::Deserialize;
use worker::SqlStorage;

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS codes (
    code_hash TEXT PRIMARY KEY,
    shop_id TEXT NOT NULL,
    issued_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    held_until INTEGER,
    used_at INTEGER
);
CREATE INDEX IF NOT EXISTS codes_by_expiry ON codes (expires_at);
";

#[derive(Deserialize)]
struct CodeRow {
    code_hash: String,
    shop_id: String,
    issued_at: i64,
    expires_at: i64,
    held_until: Option<i64>,
    used_at: Option<i64>,
}

impl CodeRow {
    fn record(self) -> Outcome<CodeRecord> {
        Ok(CodeRecord {
            shop_id: ShopId::parse(&self.shop_id).map_err(|_| sql::corrupt("member vault", "shop id"))?,
            issued_at: self.issued_at,
            expires_at: self.expires_at,
            held_until: self.held_until,
            used_at: self.used_at,
        })
    }
}

const COLUMNS: &str = "code_hash, shop_id, issued_at, expires_at, held_until, used_at";

pub(super) struct Codes<'a> {
    pub sql: &'a SqlStorage,
}

impl Codes<'_> {
    /// Records a new code for `shop_id`, forgetting old ones on the way.
    pub fn issue(&self, code_hash: &CodeHash, shop_id: ShopId, now: UnixMillis) -> Outcome<CodeRecord> {
        self.forget_old(now)?;
        let record = CodeRecord::issue(shop_id, now);
        self.sql.exec(
            "INSERT INTO codes (code_hash, shop_id, issued_at, expires_at) VALUES (?, ?, ?, ?)",
            vec![
                code_hash.as_str().into(),
                record.shop_id.as_str().into(),
                record.issued_at.into(),
                record.expires_at.into(),
            ],
        )?;
        Ok(record)
    }

    /// Drops records per `CodeRecord::forgettable`, answering how many. Only codes that
    /// expired more than `REMEMBER_MS` ago can qualify, so only those are looked at.
    pub fn forget_old(&self, now: UnixMillis) -> Outcome<u32> {
        let rows: Vec<CodeRow> = sql::all(
            self.sql,
            &format!("SELECT {COLUMNS} FROM codes WHERE expires_at < ?"),
            vec![now.saturating_sub(code_rules::REMEMBER_MS).into()],
        )?;
        let mut forgotten = 0;
        for row in rows {
            let code_hash = row.code_hash.clone();
            if row.record()?.forgettable(now) {
                self.sql.exec("DELETE FROM codes WHERE code_hash = ?", vec![code_hash.into()])?;
                forgotten += 1;
            }
        }
        Ok(forgotten)
    }

    /// How many codes are kept (issued, used or not yet forgotten).
    pub fn count(&self) -> Outcome<i64> {
        sql::number(self.sql, "SELECT COUNT(*) AS n FROM codes", None)
    }

    /// Kills every code issued for `shop_id` (the member left its programme):
    /// a register reading one now hears `unknown`.
    pub fn forget_shop(&self, shop_id: &ShopId) -> Outcome<()> {
        self.sql.exec("DELETE FROM codes WHERE shop_id = ?", vec![shop_id.as_str().into()])?;
        Ok(())
    }

    /// Kills every code (the account is closed).
    pub fn forget_all(&self) -> Outcome<()> {
        self.sql.exec("DELETE FROM codes", None)?;
        Ok(())
    }

    fn get(&self, code_hash: &CodeHash) -> Outcome<Option<CodeRecord>> {
        let row: Option<CodeRow> = sql::first(
            self.sql,
            &format!("SELECT {COLUMNS} FROM codes WHERE code_hash = ?"),
            vec![code_hash.as_str().into()],
        )?;
        row.map(CodeRow::record).transpose()
    }

    /// The code, judged for a register of `shop_id` at `now`; the refusal becomes the answer.
    pub fn judged(&self, code_hash: &CodeHash, shop_id: &ShopId, now: UnixMillis) -> Outcome<CodeRecord> {
        let record = self.get(code_hash)?;
        code_rules::judge(record.as_ref(), shop_id, now)?;
        record.ok_or_else(|| Problem::internal("judge accepted a missing code"))
    }

    /// Holds a code read in time, so the cashier can finish the sale.
    pub fn hold(&self, code_hash: &CodeHash, record: &mut CodeRecord, now: UnixMillis) -> Outcome<()> {
        code_rules::hold_after_read(record, now);
        self.sql.exec(
            "UPDATE codes SET held_until = ? WHERE code_hash = ?",
            vec![record.held_until.into(), code_hash.as_str().into()],
        )?;
        Ok(())
    }

    /// Spends a judged code: it dies with this use.
    pub fn spend(&self, code_hash: &CodeHash, mut record: CodeRecord, now: UnixMillis) -> Outcome<()> {
        code_rules::spend(&mut record, now);
        self.sql.exec(
            "UPDATE codes SET used_at = ? WHERE code_hash = ?",
            vec![record.used_at.into(), code_hash.as_str().into()],
        )?;
        Ok(())
    }
}
