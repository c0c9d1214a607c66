//! When earned points expire, and which ones.
//!
//! The rule, in one place (what most loyalty programmes with expiring points do):
//! - **Each earning has its own date.** Points earned on local day `d` (in the
//!   shop's time zone) with an expiry of N months stay valid through the same
//!   day N calendar months later, clamped to that month's last day (earned on
//!   31 January with one month: valid through 28 February, 29 in a leap year),
//!   and leave the balance at the local midnight that follows.
//! - **The date is fixed when the points are earned.** A change of the
//!   setting (or of the time zone) applies to points earned from then on;
//!   points already earned keep the date they were earned with, so nothing a
//!   member was told changes behind their back, and switching expiry on never
//!   takes points that were earned as never expiring.
//! - **First in, first out.** Points spent (rewards), taken back by a refund
//!   or closed by leaving ([`crate::leaving`]) are taken from the oldest
//!   earning still holding points, so what expires is only what is left of an
//!   earning when its day has passed. Points given back (a refunded reward)
//!   are a new earning. Points taken beyond what is held (a refund after the
//!   points were spent) are owed, and the next earning pays that first.
//! - **Expired points leave with a ledger row of their own**, one per expiry
//!   instant, negative, so the ledger still sums to the balance; replaying the
//!   ledger with those rows finds nothing left to expire, so applying the rule
//!   again (lazily, at every read) never writes a second row for the same points.

use crate::UnixMillis;
use std::collections::{BTreeMap, VecDeque};

const DAY_MS: i64 = 86_400_000;

/// A calendar date (proleptic Gregorian).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct CivilDate {
    pub year: i64,
    pub month: u32,
    pub day: u32,
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

pub fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl CivilDate {
    /// The date `days` days after 1970-01-01 (H. Hinnant's `civil_from_days`).
    pub fn from_days(days: i64) -> Self {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        // day is 1..=31 and month 1..=12 by construction.
        Self { year, month: u32::try_from(month).unwrap_or(1), day: u32::try_from(day).unwrap_or(1) }
    }

    /// Days since 1970-01-01 (`days_from_civil`).
    pub fn days(self) -> i64 {
        let year = if self.month <= 2 { self.year - 1 } else { self.year };
        let era = year.div_euclid(400);
        let yoe = year.rem_euclid(400);
        let month = i64::from(self.month);
        let mp = if month > 2 { month - 3 } else { month + 9 };
        let doy = (153 * mp + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The same day `months` calendar months later, clamped to that month's last day.
    pub fn add_months(self, months: u32) -> Self {
        let index = self.year * 12 + i64::from(self.month) - 1 + i64::from(months);
        let year = index.div_euclid(12);
        let month = u32::try_from(index.rem_euclid(12)).unwrap_or(0) + 1;
        Self { year, month, day: self.day.min(days_in_month(year, month)) }
    }

    pub fn next_day(self) -> Self {
        Self::from_days(self.days() + 1)
    }

    /// `2027-02-28`.
    pub fn iso(self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// A time zone as the rule needs it: local time minus UTC at an instant, in
/// milliseconds (`+3_600_000` for Berlin in winter). The Worker answers from
/// the platform's time zone database; `None` if it cannot.
pub trait ZoneOffsets {
    fn offset_ms(&self, at: UnixMillis) -> Option<i64>;
}

/// UTC, and any zone that never changes its offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedOffset(pub i64);

impl ZoneOffsets for FixedOffset {
    fn offset_ms(&self, _: UnixMillis) -> Option<i64> {
        Some(self.0)
    }
}

/// The local date at `at`.
pub fn local_date(at: UnixMillis, zone: &impl ZoneOffsets) -> Option<CivilDate> {
    let local = at.checked_add(zone.offset_ms(at)?)?;
    Some(CivilDate::from_days(local.div_euclid(DAY_MS)))
}

/// The first instant of local day `date`: its midnight, or (where a clock
/// change skips midnight) the first instant that is on that day.
pub fn start_of_day(date: CivilDate, zone: &impl ZoneOffsets) -> Option<UnixMillis> {
    let local_midnight = date.days().checked_mul(DAY_MS)?;
    let first_guess = local_midnight.checked_sub(zone.offset_ms(local_midnight)?)?;
    let second_guess = local_midnight.checked_sub(zone.offset_ms(first_guess)?)?;
    let on_the_day = |at: UnixMillis| local_date(at, zone) == Some(date);
    let mut candidates = [first_guess, second_guess];
    candidates.sort_unstable();
    if let Some(&exact) =
        candidates.iter().find(|&&at| on_the_day(at) && local_date(at.saturating_sub(1), zone) != Some(date))
    {
        return Some(exact);
    }
    // Midnight does not exist that day: the day starts when the clock jumps,
    // at most a few hours later; found to the minute.
    let mut at = candidates.iter().copied().min()?;
    for _ in 0..(24 * 60) {
        if on_the_day(at) {
            return Some(at);
        }
        at = at.checked_add(60_000)?;
    }
    None
}

/// When points earned at `earned_at` and valid `months` months leave the
/// balance: the local midnight after the same day `months` months later.
pub fn expires_at(earned_at: UnixMillis, months: u8, zone: &impl ZoneOffsets) -> Option<UnixMillis> {
    let last_valid_day = local_date(earned_at, zone)?.add_months(u32::from(months));
    start_of_day(last_valid_day.next_day(), zone)
}

/// The last local day on which points expiring at `expires_at` still count.
pub fn last_valid_day(expires_at: UnixMillis, zone: &impl ZoneOffsets) -> Option<CivilDate> {
    local_date(expires_at.checked_sub(1)?, zone)
}

/// A ledger entry as the rule sees it, in ledger order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LedgerLine {
    /// Points earned (positive, with their expiry if any) or taken (negative:
    /// spent, refunded, closed by leaving).
    Change { points: i64, expires_at: Option<UnixMillis> },
    /// A row written by this rule: `points` (positive) left the balance at `expired_at`.
    Expired { points: i64, expired_at: UnixMillis },
}

/// Points that leave (or will leave) the balance at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expiry {
    pub at: UnixMillis,
    pub points: i64,
}

struct Lot {
    remaining: i64,
    expires_at: Option<UnixMillis>,
}

/// Replays the ledger: what is left of each earning, oldest first.
fn lots(ledger: &[LedgerLine]) -> Vec<Lot> {
    let mut lots: VecDeque<Lot> = VecDeque::new();
    let mut owed: i64 = 0;
    for line in ledger {
        match *line {
            LedgerLine::Change { points, expires_at } if points > 0 => {
                let repaid = points.min(owed);
                owed -= repaid;
                let remaining = points - repaid;
                if remaining > 0 {
                    lots.push_back(Lot { remaining, expires_at });
                }
            }
            LedgerLine::Change { points, .. } => {
                let left = take(lots.iter_mut(), points.saturating_neg());
                owed = owed.saturating_add(left);
            }
            LedgerLine::Expired { points, expired_at } => {
                let due = lots.iter_mut().filter(|lot| lot.expires_at.is_some_and(|at| at <= expired_at));
                let left = take(due, points);
                owed = owed.saturating_add(left);
            }
        }
        while lots.front().is_some_and(|lot| lot.remaining == 0) {
            lots.pop_front();
        }
    }
    lots.into_iter().filter(|lot| lot.remaining > 0).collect()
}

/// Takes `wanted` points from the lots in order; answers what could not be taken.
fn take<'a>(lots: impl Iterator<Item = &'a mut Lot>, wanted: i64) -> i64 {
    let mut wanted = wanted.max(0);
    for lot in lots {
        if wanted == 0 {
            break;
        }
        let taken = lot.remaining.min(wanted);
        lot.remaining -= taken;
        wanted -= taken;
    }
    wanted
}

/// Groups what is left of the earnings matching `keep` by expiry instant.
fn grouped(ledger: &[LedgerLine], keep: impl Fn(UnixMillis) -> bool) -> Vec<Expiry> {
    let mut by_instant: BTreeMap<UnixMillis, i64> = BTreeMap::new();
    for lot in lots(ledger) {
        if let Some(at) = lot.expires_at.filter(|&at| keep(at)) {
            let points = by_instant.entry(at).or_insert(0);
            *points = points.saturating_add(lot.remaining);
        }
    }
    by_instant.into_iter().map(|(at, points)| Expiry { at, points }).collect()
}

/// The expiry rows to write now, oldest first: what is left of every earning
/// whose expiry instant is not after `now`. Empty once they are written.
pub fn due(ledger: &[LedgerLine], now: UnixMillis) -> Vec<Expiry> {
    grouped(ledger, |at| at <= now)
}

/// The next points to expire after `now`, if any (the wallet's "N points expire on …").
pub fn next(ledger: &[LedgerLine], now: UnixMillis) -> Option<Expiry> {
    grouped(ledger, |at| at > now).into_iter().next()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const HOUR: i64 = 3_600_000;

    fn date(year: i64, month: u32, day: u32) -> CivilDate {
        CivilDate { year, month, day }
    }

    fn utc(year: i64, month: u32, day: u32, hour: i64) -> UnixMillis {
        date(year, month, day).days() * DAY_MS + hour * HOUR
    }

    /// Central European Time with its daylight saving rule (since 1996): +2 h
    /// from the last Sunday of March 01:00 UTC to the last Sunday of October 01:00 UTC.
    struct Berlin;

    fn last_sunday(year: i64, month: u32) -> i64 {
        let last = date(year, month, days_in_month(year, month)).days();
        // 1970-01-01 was a Thursday: (days + 4) mod 7 is the weekday, 0 = Sunday.
        last - (last + 4).rem_euclid(7)
    }

    impl ZoneOffsets for Berlin {
        fn offset_ms(&self, at: UnixMillis) -> Option<i64> {
            let year = CivilDate::from_days(at.div_euclid(DAY_MS)).year;
            let summer_from = last_sunday(year, 3) * DAY_MS + HOUR;
            let summer_until = last_sunday(year, 10) * DAY_MS + HOUR;
            Some(if (summer_from..summer_until).contains(&at) { 2 * HOUR } else { HOUR })
        }
    }

    /// A zone whose clocks jump from 00:00 to 01:00 on 2027-04-04 (as Santiago's did at midnight).
    struct MidnightJump;

    impl ZoneOffsets for MidnightJump {
        fn offset_ms(&self, at: UnixMillis) -> Option<i64> {
            // The jump happens at local 00:00 = 04:00 UTC (offset −4 h → −3 h).
            Some(if at >= utc(2027, 4, 4, 4) { -3 * HOUR } else { -4 * HOUR })
        }
    }

    fn earned(points: i64, expires_at: Option<UnixMillis>) -> LedgerLine {
        LedgerLine::Change { points, expires_at }
    }

    fn taken(points: i64) -> LedgerLine {
        LedgerLine::Change { points: -points, expires_at: None }
    }

    fn with_rows(ledger: &[LedgerLine], rows: &[Expiry]) -> Vec<LedgerLine> {
        let mut all = ledger.to_vec();
        all.extend(rows.iter().map(|row| LedgerLine::Expired { points: row.points, expired_at: row.at }));
        all
    }

    #[test]
    fn civil_dates_round_trip() {
        assert_eq!(CivilDate::from_days(0), date(1970, 1, 1));
        assert_eq!(date(2000, 3, 1).days() - date(2000, 2, 28).days(), 2, "2000 is a leap year");
        assert_eq!(date(2100, 3, 1).days() - date(2100, 2, 28).days(), 1, "2100 is not");
        assert_eq!(date(2027, 2, 28).iso(), "2027-02-28");
        assert_eq!(CivilDate::from_days(-1), date(1969, 12, 31));
    }

    #[test]
    fn month_ends_clamp() {
        assert_eq!(date(2027, 1, 31).add_months(1), date(2027, 2, 28));
        assert_eq!(date(2028, 1, 31).add_months(1), date(2028, 2, 29));
        assert_eq!(date(2027, 3, 31).add_months(1), date(2027, 4, 30));
        assert_eq!(date(2027, 12, 15).add_months(1), date(2028, 1, 15));
        assert_eq!(date(2027, 8, 31).add_months(6), date(2028, 2, 29));
        assert_eq!(date(2027, 5, 10).add_months(60), date(2032, 5, 10));
    }

    #[test]
    fn points_are_valid_through_the_same_day_months_later_in_utc() {
        let zone = FixedOffset(0);
        let at = expires_at(utc(2027, 1, 31, 15), 1, &zone).unwrap();
        assert_eq!(at, utc(2027, 3, 1, 0), "valid through 28 February, gone at 1 March 00:00");
        assert_eq!(last_valid_day(at, &zone), Some(date(2027, 2, 28)));
        assert_eq!(expires_at(utc(2027, 6, 10, 0), 12, &zone), Some(utc(2028, 6, 11, 0)));
    }

    #[test]
    fn the_shops_time_zone_decides_the_day_and_the_midnight() {
        // 23:30 UTC on 31 January is already 1 February in Berlin.
        let earned_at = utc(2027, 1, 31, 23) + HOUR / 2;
        assert_eq!(local_date(earned_at, &Berlin), Some(date(2027, 2, 1)));
        assert_eq!(expires_at(earned_at, 1, &FixedOffset(0)), Some(utc(2027, 3, 1, 0)));
        // Berlin: valid through 1 March, gone at 2 March 00:00 CET = 1 March 23:00 UTC.
        assert_eq!(expires_at(earned_at, 1, &Berlin), Some(utc(2027, 3, 1, 23)));
        // Across the summer time change: midnight is 22:00 UTC in summer.
        let summer = expires_at(utc(2027, 3, 10, 12), 1, &Berlin).unwrap();
        assert_eq!(summer, utc(2027, 4, 10, 22));
        assert_eq!(last_valid_day(summer, &Berlin), Some(date(2027, 4, 10)));
        // West of UTC: 02:00 UTC on 1 March is still 28 February in New York (−5 h).
        assert_eq!(local_date(utc(2027, 3, 1, 2), &FixedOffset(-5 * HOUR)), Some(date(2027, 2, 28)));
    }

    #[test]
    fn a_day_without_midnight_starts_when_the_clock_jumps() {
        let start = start_of_day(date(2027, 4, 4), &MidnightJump).unwrap();
        assert_eq!(start, utc(2027, 4, 4, 4));
        assert_eq!(local_date(start, &MidnightJump), Some(date(2027, 4, 4)));
        assert_eq!(local_date(start - 1, &MidnightJump), Some(date(2027, 4, 3)));
    }

    #[test]
    fn points_expire_at_their_instant_and_not_earlier() {
        let ledger = [earned(100, Some(1_000)), earned(50, Some(2_000)), earned(7, None)];
        assert_eq!(due(&ledger, 999), vec![]);
        assert_eq!(next(&ledger, 999), Some(Expiry { at: 1_000, points: 100 }));
        assert_eq!(due(&ledger, 1_000), vec![Expiry { at: 1_000, points: 100 }]);
        assert_eq!(due(&ledger, 5_000), vec![Expiry { at: 1_000, points: 100 }, Expiry { at: 2_000, points: 50 }]);
        assert_eq!(next(&ledger, 5_000), None, "points earned without expiry never expire");
    }

    #[test]
    fn spent_points_are_taken_from_the_oldest_and_never_expire() {
        // 100 earned, 30 spent, 50 earned: the spend comes out of the first 100.
        let ledger = [earned(100, Some(1_000)), taken(30), earned(50, Some(2_000))];
        assert_eq!(due(&ledger, 1_500), vec![Expiry { at: 1_000, points: 70 }]);
        // Spending more than the first earning holds takes the rest from the next.
        let ledger = [earned(100, Some(1_000)), earned(50, Some(2_000)), taken(120)];
        assert_eq!(due(&ledger, 5_000), vec![Expiry { at: 2_000, points: 30 }]);
        // Everything spent: nothing expires.
        let ledger = [earned(100, Some(1_000)), taken(100)];
        assert_eq!(due(&ledger, 5_000), vec![]);
    }

    #[test]
    fn rows_written_once_leave_nothing_to_expire_again() {
        let ledger = [earned(100, Some(1_000)), taken(30), earned(50, Some(2_000))];
        let first = due(&ledger, 1_500);
        let after = with_rows(&ledger, &first);
        assert_eq!(due(&after, 1_500), vec![]);
        assert_eq!(due(&after, 2_500), vec![Expiry { at: 2_000, points: 50 }]);
        let all = with_rows(&after, &due(&after, 2_500));
        assert_eq!(due(&all, 10_000), vec![]);
        let balance: i64 = all
            .iter()
            .map(|line| match line {
                LedgerLine::Change { points, .. } => *points,
                LedgerLine::Expired { points, .. } => -points,
            })
            .sum();
        assert_eq!(balance, 0);
    }

    #[test]
    fn refunds_take_points_back_first_in_first_out_and_an_overdraft_is_owed() {
        // A refund taking back a sale's 40 points comes out of the oldest points.
        let ledger = [earned(100, Some(1_000)), earned(40, Some(2_000)), taken(40)];
        assert_eq!(due(&ledger, 1_000), vec![Expiry { at: 1_000, points: 60 }]);
        // A refund after the points were spent leaves the balance owing; the next earning pays it first.
        let ledger = [earned(40, Some(1_000)), taken(40), taken(40), earned(100, Some(2_000))];
        assert_eq!(due(&ledger, 3_000), vec![Expiry { at: 2_000, points: 60 }]);
        // Points given back (a refunded reward) are a new earning with their own date.
        let ledger = [earned(100, Some(1_000)), taken(100), earned(100, Some(3_000))];
        assert_eq!(due(&ledger, 2_000), vec![]);
        assert_eq!(next(&ledger, 2_000), Some(Expiry { at: 3_000, points: 100 }));
    }

    #[test]
    fn leaving_closes_everything_so_nothing_expires_afterwards() {
        let ledger = [earned(100, Some(1_000)), taken(100)];
        assert_eq!(due(&ledger, 9_999), vec![]);
        assert_eq!(next(&ledger, 0), None);
    }

    #[test]
    fn a_changed_setting_applies_to_points_earned_afterwards() {
        // Earned with "never", then expiry switched on (12 months), then more earned.
        let switched_on = utc(2027, 5, 1, 12);
        let later = expires_at(switched_on, 12, &FixedOffset(0));
        let ledger = [earned(80, None), earned(20, later)];
        assert_eq!(due(&ledger, utc(2030, 1, 1, 0)), vec![Expiry { at: utc(2028, 5, 2, 0), points: 20 }]);
        // Shortened from 24 to 1 month: the old points keep their later date.
        let long = expires_at(utc(2027, 1, 10, 12), 24, &FixedOffset(0));
        let short = expires_at(utc(2027, 2, 10, 12), 1, &FixedOffset(0));
        let ledger = [earned(10, long), earned(5, short)];
        assert_eq!(next(&ledger, utc(2027, 2, 11, 0)), Some(Expiry { at: utc(2027, 3, 11, 0), points: 5 }));
        assert_eq!(due(&ledger, utc(2027, 6, 1, 0)), vec![Expiry { at: utc(2027, 3, 11, 0), points: 5 }]);
    }

    fn line() -> impl Strategy<Value = LedgerLine> {
        prop_oneof![
            (1..=500i64, prop::option::of(0..=10_000i64))
                .prop_map(|(points, expires_at)| LedgerLine::Change { points, expires_at }),
            (1..=500i64).prop_map(|points| LedgerLine::Change { points: -points, expires_at: None }),
        ]
    }

    fn sum(ledger: &[LedgerLine]) -> i64 {
        ledger
            .iter()
            .map(|line| match line {
                LedgerLine::Change { points, .. } => *points,
                LedgerLine::Expired { points, .. } => -points,
            })
            .sum()
    }

    /// How the vault uses the rule: before every change, write off what is due.
    fn lived(script: &[(LedgerLine, i64)]) -> Vec<LedgerLine> {
        let mut ledger = Vec::new();
        for &(line, now) in script {
            let rows = due(&ledger, now);
            ledger = with_rows(&ledger, &rows);
            ledger.push(line);
        }
        ledger
    }

    proptest! {
        #[test]
        fn expiry_is_idempotent_and_never_takes_more_than_is_held(
            script in prop::collection::vec((line(), 0..=10_000i64), 0..40),
            now in 0..=12_000i64,
        ) {
            let mut sorted = script.clone();
            sorted.sort_by_key(|&(_, at)| at);
            let ledger = lived(&sorted);
            let rows = due(&ledger, now);
            let after = with_rows(&ledger, &rows);
            prop_assert_eq!(due(&after, now), vec![], "a second pass writes nothing");
            prop_assert!(rows.iter().all(|row| row.at <= now && row.points > 0));
            let expired: i64 = rows.iter().map(|row| row.points).sum();
            let balance = sum(&ledger);
            prop_assert!(expired <= balance.max(0), "expired {} of a balance of {}", expired, balance);
            prop_assert_eq!(sum(&after), balance - expired);
        }

        #[test]
        fn points_without_expiry_never_expire_and_later_never_expires_less(
            lines in prop::collection::vec(line(), 0..40),
            earlier in 0..=10_000i64,
            later_by in 0..=10_000i64,
        ) {
            let never: Vec<LedgerLine> = lines
                .iter()
                .map(|line| match *line {
                    LedgerLine::Change { points, .. } => LedgerLine::Change { points, expires_at: None },
                    other => other,
                })
                .collect();
            prop_assert_eq!(due(&never, i64::MAX), vec![]);
            let total = |now| due(&lines, now).iter().map(|row| row.points).sum::<i64>();
            prop_assert!(total(earlier) <= total(earlier + later_by));
        }

        #[test]
        fn expiry_is_the_local_midnight_after_the_last_valid_day(
            earned_at in 946_684_800_000i64..4_102_444_800_000,
            months in 1u8..=60,
            offset_quarters in -48i64..=56,
        ) {
            let zone = FixedOffset(offset_quarters * 15 * 60_000);
            let at = expires_at(earned_at, months, &zone).unwrap();
            prop_assert!(at > earned_at);
            let earned_day = local_date(earned_at, &zone).unwrap();
            prop_assert_eq!(last_valid_day(at, &zone), Some(earned_day.add_months(u32::from(months))));
            prop_assert_eq!((at + zone.0).rem_euclid(DAY_MS), 0, "at local midnight");
            let berlin = expires_at(earned_at, months, &Berlin).unwrap();
            prop_assert_eq!(last_valid_day(berlin, &Berlin), Some(local_date(earned_at, &Berlin).unwrap().add_months(u32::from(months))));
        }
    }
}
