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
    segment_by_days(
        days_since(activity.joined_at, now),
        activity.last_visit_at.map(|last_visit| days_since(last_visit, now)),
        activity.visits,
    )
}

/// The day counts where a segment can change, for days since joining and days since the last
/// visit: a segment only compares those with these (`<=` one, `>` the next), so every count
/// in a class between two of them gives the same segment (see [`days_class`]).
pub const JOINED_DAYS_STEPS: [i64; 1] = [NEW_FOR_DAYS];
pub const QUIET_DAYS_STEPS: [i64; 3] = [RECENT_DAYS, AT_RISK_AFTER_DAYS, LOST_AFTER_DAYS];
/// The visit counts where a segment can change (`>=` each).
pub const VISITS_STEPS: [u32; 2] = [LOYAL_VISITS, CHAMPION_VISITS];

/// The class of a day count among ascending `steps`: the first step it does not exceed, or one
/// past the last. Counts of one class are in the same segment (all else equal), so customers
/// can be counted per class (as the dashboard's SQL does) and each class decided once.
pub fn days_class(days: i64, steps: &[i64]) -> i64 {
    steps.iter().copied().find(|step| days <= *step).unwrap_or_else(|| steps.last().map_or(0, |last| last + 1))
}

/// The class of a visit count among ascending `steps`: the last step it reaches, or 0.
pub fn visits_class(visits: u32, steps: &[u32]) -> u32 {
    steps.iter().copied().rev().find(|step| visits >= *step).unwrap_or(0)
}

/// The segment of a customer who joined `joined_days` ago, last came `quiet_days` ago (none:
/// never) and came `visits` times: the rule [`segment_of`] applies at a moment.
pub fn segment_by_days(joined_days: i64, quiet_days: Option<i64>, visits: u32) -> Segment {
    let Some(quiet_days) = quiet_days else {
        return if joined_days <= NEW_FOR_DAYS { Segment::New } else { Segment::Lost };
    };
    if quiet_days > LOST_AFTER_DAYS {
        Segment::Lost
    } else if quiet_days > AT_RISK_AFTER_DAYS {
        Segment::AtRisk
    } else if quiet_days <= RECENT_DAYS && visits >= CHAMPION_VISITS {
        Segment::Champion
    } else if visits >= LOYAL_VISITS {
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

/// What a shop keeps of a customer's visits up to a moment (one step per visit, as it
/// happens): the last visit then and how many visits up to and including it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VisitsAsOf {
    pub last_visit_at: UnixMillis,
    pub visits: u32,
}

/// The segment of a customer at `at`, from when they joined and their visits up to
/// then; none if they had not joined yet. Spend does not decide a segment, so the
/// visits are all that a past segment needs.
pub fn segment_as_of(joined_at: UnixMillis, visits: Option<VisitsAsOf>, at: UnixMillis) -> Option<Segment> {
    if joined_at > at {
        return None;
    }
    let activity = CustomerActivity {
        joined_at,
        first_visit_at: None,
        last_visit_at: visits.map(|v| v.last_visit_at),
        visits: visits.map_or(0, |v| v.visits),
        spend_minor: 0,
    };
    Some(segment_of(&activity, at))
}

/// The two moments a range's movement compares, for local days `from..=to` of the
/// shop's zone: the start of `from` (before its first visit) and the end of `to` —
/// the start of the next day, or `now` if that is still to come.
pub fn movement_window(
    from: crate::points_expiry::CivilDate,
    to: crate::points_expiry::CivilDate,
    zone: &impl crate::points_expiry::ZoneOffsets,
    now: UnixMillis,
) -> Option<(UnixMillis, UnixMillis)> {
    let start = crate::points_expiry::start_of_day(from, zone)?;
    let end = crate::points_expiry::start_of_day(to.next_day(), zone)?.min(now).max(start);
    Some((start, end))
}

/// How many customers went from one segment (none: not yet a customer) to another
/// (possibly the same) between a range's start and end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct SegmentMove {
    pub from: Option<Segment>,
    pub to: Segment,
    pub customers: i64,
}

/// Counts each customer's (start, end) segments into moves, in segment order;
/// customers who were no customer yet at the end are left out.
pub fn moves(pairs: impl IntoIterator<Item = (Option<Segment>, Option<Segment>)>) -> Vec<SegmentMove> {
    let mut counted = std::collections::BTreeMap::<(Option<Segment>, Segment), i64>::new();
    for (from, to) in pairs {
        if let Some(to) = to {
            let count = counted.entry((from, to)).or_insert(0);
            *count = count.saturating_add(1);
        }
    }
    counted.into_iter().map(|((from, to), customers)| SegmentMove { from, to, customers }).collect()
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
    fn every_count_of_a_class_gives_the_segment_of_its_class() {
        assert_eq!(days_class(0, &QUIET_DAYS_STEPS), RECENT_DAYS);
        assert_eq!(days_class(61, &QUIET_DAYS_STEPS), LOST_AFTER_DAYS);
        assert_eq!(days_class(500, &QUIET_DAYS_STEPS), LOST_AFTER_DAYS + 1);
        assert_eq!(visits_class(3, &VISITS_STEPS), 0);
        assert_eq!(visits_class(9, &VISITS_STEPS), CHAMPION_VISITS);
        for joined in 0..=400 {
            for quiet in std::iter::once(None).chain((0..=400).map(Some)) {
                for visits in 0..=20 {
                    assert_eq!(
                        segment_by_days(joined, quiet, visits),
                        segment_by_days(
                            days_class(joined, &JOINED_DAYS_STEPS),
                            quiet.map(|quiet| days_class(quiet, &QUIET_DAYS_STEPS)),
                            visits_class(visits, &VISITS_STEPS)
                        ),
                        "joined {joined} days ago, quiet {quiet:?}, {visits} visits"
                    );
                }
            }
        }
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

    #[test]
    fn a_past_segment_is_decided_from_the_visits_up_to_then() {
        let joined = days_ago(400);
        let visits = |last: i64, visits| Some(VisitsAsOf { last_visit_at: days_ago(last), visits });
        assert_eq!(segment_as_of(joined, visits(100, 2), days_ago(100)), Some(Segment::Occasional));
        assert_eq!(segment_as_of(joined, visits(100, 2), NOW), Some(Segment::AtRisk), "the clock moved on");
        assert_eq!(segment_as_of(joined, visits(1, 9), NOW), Some(Segment::Champion));
        assert_eq!(segment_as_of(NOW, None, days_ago(1)), None, "not a customer yet");
        assert_eq!(segment_as_of(NOW, None, NOW), Some(Segment::New), "joined that very moment");
    }

    #[test]
    fn the_window_runs_from_the_first_local_midnight_to_the_end_of_the_last_day_or_now() {
        use crate::points_expiry::{CivilDate, FixedOffset};
        let day = CivilDate::from_days(20_000);
        let utc_midnight = 20_000 * DAY_MS;
        // UTC+14: the shop's day starts 14 hours before UTC's.
        let kiritimati = FixedOffset(14 * 3_600_000);
        assert_eq!(
            movement_window(day, day, &kiritimati, utc_midnight + 30 * DAY_MS),
            Some((utc_midnight - 14 * 3_600_000, utc_midnight + 10 * 3_600_000))
        );
        // A range up to today ends now, not at midnight; one that starts later is empty.
        let now = utc_midnight + 5 * 3_600_000;
        assert_eq!(movement_window(day, day, &FixedOffset(0), now), Some((utc_midnight, now)));
        assert_eq!(movement_window(day, day, &FixedOffset(0), utc_midnight - 1), Some((utc_midnight, utc_midnight)));
    }

    #[test]
    fn moves_count_each_pair_and_leave_out_who_was_no_customer_at_the_end() {
        let counted = moves([
            (Some(Segment::Champion), Some(Segment::AtRisk)),
            (None, Some(Segment::New)),
            (Some(Segment::Champion), Some(Segment::AtRisk)),
            (Some(Segment::Loyal), Some(Segment::Loyal)),
            (None, None),
        ]);
        assert_eq!(
            counted,
            vec![
                SegmentMove { from: None, to: Segment::New, customers: 1 },
                SegmentMove { from: Some(Segment::Champion), to: Segment::AtRisk, customers: 2 },
                SegmentMove { from: Some(Segment::Loyal), to: Segment::Loyal, customers: 1 },
            ]
        );
    }
}
