//! Leaving a shop's programme and closing the account: when the member may,
//! and what happens to what they hold.
//!
//! The rules, in one place:
//! - A member may leave a shop only with no prepaid value left there: that is
//!   money the shop holds for them, to be spent or refunded first.
//! - Points do not come back: leaving closes the shop's points with one ledger
//!   entry that brings the balance to zero, so the shop's ledger keeps every
//!   row and still adds up; joining again later starts at zero (with the same
//!   per-shop customer number, which the shop allocated once).
//! - Closing the account keeps the shops' ledger rows (they name only the
//!   per-shop customer number), and the member number is never given out again.

use crate::money::MinorUnits;

/// Why a member may not leave a shop yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LeaveRefusal {
    /// Prepaid value is left at the shop: spend it there or ask the shop for a refund.
    #[error("prepaid value is left at this shop")]
    PrepaidBalanceLeft { prepaid: MinorUnits },
}

/// Whether a member holding `prepaid` at a shop may leave its programme.
pub fn may_leave(prepaid: MinorUnits) -> Result<(), LeaveRefusal> {
    if prepaid.0 == 0 {
        Ok(())
    } else {
        Err(LeaveRefusal::PrepaidBalanceLeft { prepaid })
    }
}

/// The points entry that closes a membership with `balance` points: it brings
/// the balance to exactly zero (a negative balance, which rules never produce,
/// is closed the same way). `None` when nothing needs closing.
pub fn closing_points_entry(balance: i64) -> Option<i64> {
    if balance == 0 {
        None
    } else {
        // `i64::MIN` cannot be negated; a balance that low is closed as far as it goes.
        Some(balance.checked_neg().unwrap_or(i64::MAX))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn leaving_with_nothing_prepaid_is_allowed() {
        assert_eq!(may_leave(MinorUnits(0)), Ok(()));
    }

    #[test]
    fn leaving_with_prepaid_left_is_refused_with_the_amount() {
        assert_eq!(may_leave(MinorUnits(1)), Err(LeaveRefusal::PrepaidBalanceLeft { prepaid: MinorUnits(1) }));
        assert_eq!(
            may_leave(MinorUnits(u64::MAX)),
            Err(LeaveRefusal::PrepaidBalanceLeft { prepaid: MinorUnits(u64::MAX) })
        );
    }

    #[test]
    fn an_empty_balance_needs_no_closing_entry() {
        assert_eq!(closing_points_entry(0), None);
    }

    proptest! {
        #[test]
        fn the_closing_entry_brings_the_balance_to_zero(balance in (i64::MIN + 1)..=i64::MAX) {
            let entry = closing_points_entry(balance);
            prop_assert_eq!(balance + entry.unwrap_or(0), 0);
        }
    }
}
