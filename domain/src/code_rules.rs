//! When a scanned code is accepted, and why not. Every verdict a register shows
//! for a code comes from [`judge`].

use crate::shop::ShopId;
use crate::UnixMillis;
use serde::{Deserialize, Serialize};

/// How long a freshly issued code can be read.
pub const CODE_LIFETIME_MS: i64 = 60_000;
/// Once a register has read a code in time, the cashier has this long to finish
/// the sale with it (typing the amount must not race the phone's countdown).
pub const READ_HOLD_MS: i64 = 5 * 60_000;
/// How long a spent or expired code is remembered, so that a rescan says why
/// (`already_used`, `expired`) rather than `unknown`.
pub const REMEMBER_MS: i64 = 24 * 60 * 60_000;
/// The phone asks for its next code this long before the current one expires.
pub const REFRESH_BEFORE_EXPIRY_MS: i64 = 10_000;

/// What the server remembers of an issued code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CodeRecord {
    pub shop_id: ShopId,
    pub issued_at: UnixMillis,
    pub expires_at: UnixMillis,
    /// Set when a register read the code in time; extends its life until then.
    pub held_until: Option<UnixMillis>,
    pub used_at: Option<UnixMillis>,
}

impl CodeRecord {
    pub fn issue(shop_id: ShopId, now: UnixMillis) -> Self {
        Self {
            shop_id,
            issued_at: now,
            expires_at: now.saturating_add(CODE_LIFETIME_MS),
            held_until: None,
            used_at: None,
        }
    }

    /// The last moment the code can still be used.
    pub fn usable_until(&self) -> UnixMillis {
        self.held_until.map_or(self.expires_at, |held| held.max(self.expires_at))
    }

    /// Whether the record can be forgotten (a rescan would then say `unknown`).
    pub fn forgettable(&self, now: UnixMillis) -> bool {
        now > self.usable_until().saturating_add(REMEMBER_MS)
    }
}

/// Why a code is refused. The order of checks in [`judge`] is part of the rule:
/// a shop never learns whether another shop's code was used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    /// Never issued, or forgotten long ago.
    Unknown,
    /// Issued for another shop.
    WrongShop,
    /// Already spent: codes die after one use.
    AlreadyUsed,
    /// Older than its lifetime and not held by a register.
    Expired,
}

/// Judges a code read by a register of `shop` at `now`.
pub fn judge(record: Option<&CodeRecord>, shop: &ShopId, now: UnixMillis) -> Result<(), Refusal> {
    let record = record.ok_or(Refusal::Unknown)?;
    if &record.shop_id != shop {
        return Err(Refusal::WrongShop);
    }
    if record.used_at.is_some() {
        return Err(Refusal::AlreadyUsed);
    }
    if now >= record.usable_until() {
        return Err(Refusal::Expired);
    }
    Ok(())
}

/// A register read the code and it was accepted: hold it for the sale. Re-reading
/// a held code cannot keep it alive forever: no hold reaches past
/// `expires_at + READ_HOLD_MS`.
pub fn hold_after_read(record: &mut CodeRecord, now: UnixMillis) {
    record.held_until = Some(now.saturating_add(READ_HOLD_MS).min(record.expires_at.saturating_add(READ_HOLD_MS)));
}

/// The sale went through: the code dies.
pub fn spend(record: &mut CodeRecord, now: UnixMillis) {
    record.used_at = Some(now);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shop(id: &str) -> ShopId {
        ShopId::parse(id).unwrap()
    }

    #[test]
    fn fresh_code_is_accepted_until_it_expires() {
        let record = CodeRecord::issue(shop("a"), 1_000);
        assert_eq!(judge(Some(&record), &shop("a"), 1_000), Ok(()));
        assert_eq!(judge(Some(&record), &shop("a"), 1_000 + CODE_LIFETIME_MS - 1), Ok(()));
        assert_eq!(judge(Some(&record), &shop("a"), 1_000 + CODE_LIFETIME_MS), Err(Refusal::Expired));
    }

    #[test]
    fn a_read_holds_the_code_for_the_sale() {
        let mut record = CodeRecord::issue(shop("a"), 0);
        hold_after_read(&mut record, 50_000);
        assert_eq!(judge(Some(&record), &shop("a"), 50_000 + READ_HOLD_MS - 1), Ok(()));
        assert_eq!(judge(Some(&record), &shop("a"), 50_000 + READ_HOLD_MS), Err(Refusal::Expired));
    }

    #[test]
    fn re_reading_cannot_hold_a_code_forever() {
        let mut record = CodeRecord::issue(shop("a"), 0);
        hold_after_read(&mut record, 59_000);
        // Still held after expiry, so it can be read again…
        hold_after_read(&mut record, CODE_LIFETIME_MS + READ_HOLD_MS - 1);
        // …but the hold ends at expiry + READ_HOLD_MS whatever happens.
        assert_eq!(record.usable_until(), CODE_LIFETIME_MS + READ_HOLD_MS);
        assert_eq!(judge(Some(&record), &shop("a"), CODE_LIFETIME_MS + READ_HOLD_MS), Err(Refusal::Expired));
    }

    #[test]
    fn spent_codes_die_and_other_shops_learn_nothing() {
        let mut record = CodeRecord::issue(shop("a"), 0);
        spend(&mut record, 10);
        assert_eq!(judge(Some(&record), &shop("a"), 11), Err(Refusal::AlreadyUsed));
        assert_eq!(judge(Some(&record), &shop("b"), 11), Err(Refusal::WrongShop));
        assert_eq!(judge(None, &shop("a"), 11), Err(Refusal::Unknown));
        // Spent beats expired: the cashier learns the real reason.
        assert_eq!(judge(Some(&record), &shop("a"), 10 * CODE_LIFETIME_MS), Err(Refusal::AlreadyUsed));
    }

    #[test]
    fn records_are_remembered_a_day() {
        let record = CodeRecord::issue(shop("a"), 0);
        assert!(!record.forgettable(CODE_LIFETIME_MS + REMEMBER_MS));
        assert!(record.forgettable(CODE_LIFETIME_MS + REMEMBER_MS + 1));
    }

    /// Property tests at the ends of the number types (test builds check
    /// overflow, so any wrapping arithmetic would fail here).
    mod extremes {
        use super::*;
        use proptest::prelude::*;

        fn time() -> impl Strategy<Value = i64> {
            prop_oneof![Just(i64::MIN), Just(i64::MAX), Just(0), any::<i64>(), 946_684_800_000..=7_258_118_400_000i64]
        }

        proptest! {
            #[test]
            fn code_times_never_wrap(issued in time(), read in time(), now in time()) {
                let shop = ShopId::parse("corner").unwrap();
                let mut record = CodeRecord::issue(shop.clone(), issued);
                prop_assert!(record.expires_at >= issued);
                hold_after_read(&mut record, read);
                prop_assert!(record.usable_until() >= record.expires_at);
                prop_assert!(record.held_until <= Some(record.expires_at.saturating_add(READ_HOLD_MS)));
                let _ = judge(Some(&record), &shop, now);
                let _ = record.forgettable(now);
                spend(&mut record, now);
                prop_assert_eq!(judge(Some(&record), &shop, now), Err(Refusal::AlreadyUsed));
            }
        }
    }
}
