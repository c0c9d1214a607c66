//! Customer segments (recency, frequency, spend): the one rule both the
//! owner's dashboard (counts and movement between segments) and coupons aimed
//! at a segment use, so "champions" means the same thing on both screens.
//!
//! A customer's activity is what one shop knows of one member: when they
//! joined, their first and last visit, how many visits and how much they spent
//! (refunds subtracted). The thresholds are fixed and documented rather than
//! ranked against other customers, so a member's segment can be decided from
//! their own row alone — at the register, in O(1).

use crate::UnixMillis;
use serde::{Deserialize, Serialize};

const DAY_MS: UnixMillis = 86_400_000;

/// A member is `New` for this many days after joining (unless already a regular).
pub const NEW_FOR_DAYS: i64 = 30;
/// Seen within this many days counts as recent.
pub const RECENT_DAYS: i64 = 30;
/// Not seen for more than this many days: at risk.
pub const AT_RISK_AFTER_DAYS: i64 = 60;
/// Not seen for more than this many days: lost.
pub const LOST_AFTER_DAYS: i64 = 180;
/// Visits that make a recent customer a champion.
pub const CHAMPION_VISITS: u32 = 8;
/// Visits that make a customer loyal.
pub const LOYAL_VISITS: u32 = 4;

/// What one shop knows of one member's visits. A visit is a concluded sale,
/// accrual, debit or admission; `spend_minor` is what they paid, refunds
/// subtracted (never below zero).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CustomerActivity {
    pub joined_at: UnixMillis,
    pub first_visit_at: Option<UnixMillis>,
    pub last_visit_at: Option<UnixMillis>,
    pub visits: u32,
    pub spend_minor: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Segment {
    /// Joined recently and not yet a regular.
    New,
    /// Recent and frequent.
    Champion,
    /// Frequent, seen within the at-risk window.
    Loyal,
    /// Seen within the at-risk window, not (yet) frequent.
    Occasional,
    /// Not seen for more than [`AT_RISK_AFTER_DAYS`].
    AtRisk,
    /// Not seen for more than [`LOST_AFTER_DAYS`] (or joined long ago and never came).
    Lost,
}

impl Segment {
    pub const ALL: [Segment; 6] =
        [Segment::New, Segment::Champion, Segment::Loyal, Segment::Occasional, Segment::AtRisk, Segment::Lost];

    pub fn label(self) -> &'static str {
        match self {
            Segment::New => "New",
            Segment::Champion => "Champions",
            Segment::Loyal => "Loyal",
            Segment::Occasional => "Occasional",
            Segment::AtRisk => "At risk",
            Segment::Lost => "Lost",
        }
    }
}

/// Whole days from `earlier` to `now` (0 if `earlier` is in the future).
pub fn days_since(earlier: UnixMillis, now: UnixMillis) -> i64 {
    now.saturating_sub(earlier).max(0) / DAY_MS
}

/// The segment of a customer at `now`.
pub fn segment_of(activity: &CustomerActivity, now: UnixMillis) -> Segment {
    let joined_days = days_since(activity.joined_at, now);
    let Some(last_visit) = activity.last_visit_at else {
        return if joined_days <= NEW_FOR_DAYS { Segment::New } else { Segment::Lost };
    };
    let quiet_days = days_since(last_visit, now);
    if quiet_days > LOST_AFTER_DAYS {
        Segment::Lost
    } else if quiet_days > AT_RISK_AFTER_DAYS {
        Segment::AtRisk
    } else if quiet_days <= RECENT_DAYS && activity.visits >= CHAMPION_VISITS {
        Segment::Champion
    } else if activity.visits >= LOYAL_VISITS {
        Segment::Loyal
    } else if joined_days <= NEW_FOR_DAYS {
        Segment::New
    } else {
        Segment::Occasional
    }
}

/// Whether the customer has not visited for at least `days` (never visited
/// counts as not seen since joining).
pub fn not_seen_for(activity: &CustomerActivity, days: u32, now: UnixMillis) -> bool {
    let since = activity.last_visit_at.unwrap_or(activity.joined_at);
    days_since(since, now) >= i64::from(days)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: UnixMillis = 1_800_000_000_000;

    fn days_ago(days: i64) -> UnixMillis {
        NOW - days * DAY_MS
    }

    fn customer(joined: i64, last: Option<i64>, visits: u32) -> CustomerActivity {
        CustomerActivity {
            joined_at: days_ago(joined),
            first_visit_at: last.map(|_| days_ago(joined)),
            last_visit_at: last.map(days_ago),
            visits,
            spend_minor: 0,
        }
    }

    #[test]
    fn a_member_who_just_joined_is_new_and_one_who_never_came_is_lost_in_time() {
        assert_eq!(segment_of(&customer(3, None, 0), NOW), Segment::New);
        assert_eq!(segment_of(&customer(30, None, 0), NOW), Segment::New);
        assert_eq!(segment_of(&customer(31, None, 0), NOW), Segment::Lost);
        assert_eq!(segment_of(&customer(10, Some(2), 1), NOW), Segment::New);
    }

    #[test]
    fn recency_wins_over_frequency_once_a_customer_stays_away() {
        assert_eq!(segment_of(&customer(400, Some(61), 50), NOW), Segment::AtRisk);
        assert_eq!(segment_of(&customer(400, Some(60), 50), NOW), Segment::Loyal);
        assert_eq!(segment_of(&customer(400, Some(181), 50), NOW), Segment::Lost);
        assert_eq!(segment_of(&customer(400, Some(180), 50), NOW), Segment::AtRisk);
    }

    #[test]
    fn frequent_recent_customers_are_champions_frequent_ones_loyal() {
        assert_eq!(segment_of(&customer(400, Some(30), 8), NOW), Segment::Champion);
        assert_eq!(segment_of(&customer(400, Some(31), 8), NOW), Segment::Loyal);
        assert_eq!(segment_of(&customer(400, Some(1), 7), NOW), Segment::Loyal);
        assert_eq!(segment_of(&customer(400, Some(1), 4), NOW), Segment::Loyal);
        assert_eq!(segment_of(&customer(400, Some(1), 3), NOW), Segment::Occasional);
        assert_eq!(segment_of(&customer(5, Some(1), 9), NOW), Segment::Champion);
    }

    #[test]
    fn not_seen_for_counts_from_the_last_visit_or_from_joining() {
        assert!(not_seen_for(&customer(400, Some(60), 3), 60, NOW));
        assert!(!not_seen_for(&customer(400, Some(59), 3), 60, NOW));
        assert!(not_seen_for(&customer(90, None, 0), 60, NOW));
        assert!(!not_seen_for(&customer(10, None, 0), 60, NOW));
    }

    #[test]
    fn times_in_the_future_or_at_the_ends_of_i64_do_not_wrap() {
        assert_eq!(days_since(NOW + DAY_MS, NOW), 0);
        assert_eq!(days_since(i64::MIN, i64::MAX), i64::MAX / DAY_MS);
        let odd = CustomerActivity { joined_at: i64::MAX, last_visit_at: Some(i64::MIN), ..Default::default() };
        assert_eq!(segment_of(&odd, NOW), Segment::Lost);
    }
}
