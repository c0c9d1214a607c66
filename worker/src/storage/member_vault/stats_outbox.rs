//! Receipts to the shop's statistics: after every operation the vault sends
//! the receipts it concluded (and any an earlier send missed) to the shop's
//! [`ShopStats`](crate::storage::shop_stats::ShopStats), and marks each one
//! sent. `receipts` is the outbox, so every receipt is counted whichever flow
//! concluded it — sales, debits, top-ups, refunds, welcome bonuses, and points
//! expiry, which happens lazily inside any read. `ShopStats` counts a receipt
//! number once, so a send repeated after a failure changes nothing.
//!
//! `SHOP_STATS=off` (a Worker variable) pauses the sending: receipts wait in
//! the outbox and are counted once it is on again. `cargo xtask
//! bench-dashboard` uses it to measure what counting adds to a sale.

use super::vault::MemberVault;
use crate::storage::shop_stats::protocol::StatsClient;
use worker::console_error;

/// Receipts sent per operation: a vault with a long backlog (receipts from
/// before the dashboard) catches up over a few operations, none waits long.
const BATCH: i64 = 20;

/// The Worker variable that pauses sending when it is `off`.
const PAUSE_VARIABLE: &str = "SHOP_STATS";

impl MemberVault {
    /// Sends the receipts the statistics do not have yet. A failure is logged
    /// and left for the next operation: the member's own operation never fails for it.
    pub(super) async fn send_receipts_to_stats(&self) {
        if self.env().var(PAUSE_VARIABLE).is_ok_and(|value| value.to_string() == "off") {
            return;
        }
        let pending = match self.receipts().uncounted(BATCH) {
            Ok(pending) => pending,
            Err(problem) => return console_error!("stats outbox: {problem:?}"),
        };
        for (seq, receipt) in pending {
            let sent = match StatsClient::of(self.env(), &receipt.shop_id) {
                Ok(stats) => stats.record(receipt).await,
                Err(problem) => Err(problem),
            };
            let marked = sent.and_then(|()| self.receipts().mark_counted(seq));
            if let Err(problem) = marked {
                return console_error!("stats outbox: {problem:?}");
            }
        }
    }
}
