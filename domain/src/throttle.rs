//! Slowing guessers down without locking anyone out: a failure budget per
//! bucket (one login, one client address, one link, one register, one owner
//! account), after which each further failure makes the bucket wait longer
//! before its next try (doubling up to a ceiling). Nothing ever locks for
//! good, and a member's own right password is at most one delay away, however
//! many strangers guess at their number.
//!
//! Attempts are counted *before* the secret is checked (checking a password
//! hash is slow and asynchronous): parallel guesses cannot all slip in while
//! the count is still low. [`Bucket::finish`] then gives a right guess back.
//! Codes a register sends are cheap to look up and mostly right, so there the
//! bucket is only [checked](Bucket::check) beside the lookup and a failure is
//! counted (with [`Bucket::begin`], never finished) before it is answered:
//! parallel wrong codes still cannot all be answered while the count is low.
//! Which answers count as failures is decided here too ([`is_dead_code`],
//! [`is_wrong_link`], [`is_unknown_invite`], [`is_wrong_pairing_code`]).

use crate::api::ErrorCode;
use crate::UnixMillis;
use serde::{Deserialize, Serialize};

/// How a bucket slows down: after `free_failures` failures, each failure
/// blocks the next try for `first_delay_ms`, doubling each time, at most
/// `max_delay_ms`; failures older than `forget_after_ms` (counted from the
/// last one) are forgotten.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub free_failures: u32,
    pub first_delay_ms: i64,
    pub max_delay_ms: i64,
    pub forget_after_ms: i64,
    /// A success wipes the slate (a login whose owner got it right), or only
    /// gives back its own attempt (a client address, shared by many people).
    pub success_clears: bool,
}

/// The limits there are, by what is guessed and who guesses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Limit {
    /// Passwords and recovery codes for one login (member number, sign-in
    /// name or owner e-mail), known or not: five free, then 1 s doubling to a minute.
    SignInPerLogin,
    /// Wrong sign-ins from one client address, whatever the login: a shop's
    /// Wi-Fi is shared, so the budget is large; then 1 s doubling to 15 minutes.
    SignInPerClient,
    /// Codes one register sent that turned out not to be live (unknown,
    /// expired, used: [`is_dead_code`]): cashiers mistype and customers show
    /// stale screens, so twenty are free, then 1 s doubling to a minute, all
    /// forgotten after a quiet quarter of an hour. A right code is never
    /// counted, so it cannot wipe a guesser's slate either. The bucket is the
    /// register's own: no other register's failures slow it down.
    TypedCodePerRegister,
    /// Wrong secrets for one claim or transfer link (one bill or ticket,
    /// existing or not): five free, then 1 s doubling to a minute; the right
    /// secret clears it.
    LinkPerItem,
    /// Wrong claim or transfer secrets and unknown invite links from one
    /// client address, whatever the link: twenty free, then 1 s doubling to 15 minutes.
    LinkPerClient,
    /// Wrong pairing codes typed by one owner or store manager account: ten
    /// free, then 1 s doubling to 5 minutes. A right code only gives its own
    /// try back (an owner can always make right codes, by starting pairings).
    PairingPerAccount,
    /// Wrong pairing codes from one client address, whatever the account:
    /// thirty free, then 1 s doubling to 15 minutes.
    PairingPerClient,
}

const MINUTE_MS: i64 = 60_000;
const HOUR_MS: i64 = 60 * MINUTE_MS;

impl Limit {
    pub const ALL: [Self; 7] = [
        Self::SignInPerLogin,
        Self::SignInPerClient,
        Self::TypedCodePerRegister,
        Self::LinkPerItem,
        Self::LinkPerClient,
        Self::PairingPerAccount,
        Self::PairingPerClient,
    ];

    /// A stable name for storage.
    pub const fn key(self) -> &'static str {
        match self {
            Self::SignInPerLogin => "sign_in_per_login",
            Self::SignInPerClient => "sign_in_per_client",
            Self::TypedCodePerRegister => "typed_code_per_register",
            Self::LinkPerItem => "link_per_item",
            Self::LinkPerClient => "link_per_client",
            Self::PairingPerAccount => "pairing_per_account",
            Self::PairingPerClient => "pairing_per_client",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|limit| limit.key() == key)
    }

    pub const fn backoff(self) -> Backoff {
        match self {
            Self::SignInPerLogin => Backoff {
                free_failures: 5,
                first_delay_ms: 1_000,
                max_delay_ms: MINUTE_MS,
                forget_after_ms: HOUR_MS,
                success_clears: true,
            },
            Self::SignInPerClient => Backoff {
                free_failures: 50,
                first_delay_ms: 1_000,
                max_delay_ms: 15 * MINUTE_MS,
                forget_after_ms: HOUR_MS,
                success_clears: false,
            },
            Self::TypedCodePerRegister => Backoff {
                free_failures: 20,
                first_delay_ms: 1_000,
                max_delay_ms: MINUTE_MS,
                forget_after_ms: 15 * MINUTE_MS,
                success_clears: false,
            },
            Self::LinkPerItem => Backoff {
                free_failures: 5,
                first_delay_ms: 1_000,
                max_delay_ms: MINUTE_MS,
                forget_after_ms: HOUR_MS,
                success_clears: true,
            },
            Self::LinkPerClient => Backoff {
                free_failures: 20,
                first_delay_ms: 1_000,
                max_delay_ms: 15 * MINUTE_MS,
                forget_after_ms: HOUR_MS,
                success_clears: false,
            },
            Self::PairingPerAccount => Backoff {
                free_failures: 10,
                first_delay_ms: 1_000,
                max_delay_ms: 5 * MINUTE_MS,
                forget_after_ms: HOUR_MS,
                success_clears: false,
            },
            Self::PairingPerClient => Backoff {
                free_failures: 30,
                first_delay_ms: 1_000,
                max_delay_ms: 15 * MINUTE_MS,
                forget_after_ms: HOUR_MS,
                success_clears: false,
            },
        }
    }
}

/// A register's code that is not live: nobody issued it (or it is long
/// gone), it expired, it was used, or its bill or ticket has moved on. Other
/// refusals (another shop's code, not a member, not enough points) are about
/// a live code and are not failures.
pub fn is_dead_code(error: ErrorCode) -> bool {
    matches!(error, ErrorCode::Unknown | ErrorCode::Expired | ErrorCode::AlreadyUsed | ErrorCode::NotTheHolder)
}

/// A claim or transfer link whose secret is wrong (or whose bill or ticket
/// does not exist, or whose offer was replaced): both answer `unknown`. A
/// right secret that comes too late (already claimed, not transferable any
/// more) is not a guess.
pub fn is_wrong_link(error: ErrorCode) -> bool {
    error == ErrorCode::Unknown
}

/// An invite link nobody made (`not_found`); a used or expired one was real.
pub fn is_unknown_invite(error: ErrorCode) -> bool {
    error == ErrorCode::NotFound
}

/// A pairing code no register is waiting with (never shown, expired or
/// already approved: all answer `pairing_invalid`).
pub fn is_wrong_pairing_code(error: ErrorCode) -> bool {
    error == ErrorCode::PairingInvalid
}

/// One bucket's failures and the time its next try is allowed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bucket {
    pub failures: u32,
    pub last_failure_at: UnixMillis,
    pub blocked_until: UnixMillis,
}

/// A try refused: the bucket may try again after this many milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetryAfter {
    pub ms: i64,
}

impl RetryAfter {
    /// Whole seconds, rounded up (the `Retry-After` header's unit), at least 1.
    pub fn seconds(self) -> i64 {
        (self.ms.saturating_add(999) / 1_000).max(1)
    }
}

impl Bucket {
    /// Whether a try may be made at `now`, counting nothing: refused while
    /// the bucket waits out a delay.
    pub fn check(&self, now: UnixMillis) -> Result<(), RetryAfter> {
        if now < self.blocked_until {
            return Err(RetryAfter { ms: self.blocked_until.saturating_sub(now) });
        }
        Ok(())
    }

    /// Begins a try at `now`, counting it as a failure until [`Self::finish`]
    /// says otherwise; refused while the bucket waits out a delay.
    pub fn begin(&mut self, now: UnixMillis, backoff: Backoff) -> Result<(), RetryAfter> {
        self.check(now)?;
        if self.is_forgotten(now, backoff) {
            *self = Self::default();
        }
        self.failures = self.failures.saturating_add(1);
        self.last_failure_at = now;
        if let Some(beyond) = self.failures.checked_sub(backoff.free_failures).filter(|n| *n > 0) {
            self.blocked_until = now.saturating_add(delay(beyond, backoff));
        }
        Ok(())
    }

    /// Ends a try begun with [`Self::begin`]: a success takes its count back
    /// (or clears the bucket, where the backoff says so); a failure stands.
    /// A success that had started a delay when it was begun lifts it again
    /// if what is left is within the free budget: no failure owes it.
    pub fn finish(&mut self, success: bool, backoff: Backoff) {
        if !success {
            return;
        }
        if backoff.success_clears {
            *self = Self::default();
        } else {
            self.failures = self.failures.saturating_sub(1);
            if self.failures <= backoff.free_failures {
                self.blocked_until = UnixMillis::default();
            }
        }
    }

    /// Nothing left worth keeping at `now`: no delay running and every
    /// failure forgotten (the storage may drop the bucket).
    pub fn is_forgotten(&self, now: UnixMillis, backoff: Backoff) -> bool {
        now >= self.blocked_until && now.saturating_sub(self.last_failure_at) >= backoff.forget_after_ms
    }

    /// When [`Self::is_forgotten`] becomes true.
    pub fn forgotten_at(&self, backoff: Backoff) -> UnixMillis {
        self.blocked_until.max(self.last_failure_at.saturating_add(backoff.forget_after_ms))
    }
}

/// The delay after the `beyond`-th failure past the free ones: doubling, capped.
fn delay(beyond: u32, backoff: Backoff) -> i64 {
    let doublings = beyond.saturating_sub(1).min(40);
    backoff.first_delay_ms.saturating_mul(1_i64 << doublings).min(backoff.max_delay_ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOGIN: Backoff = Limit::SignInPerLogin.backoff();
    const CLIENT: Backoff = Limit::SignInPerClient.backoff();

    fn fail(bucket: &mut Bucket, now: UnixMillis, backoff: Backoff) -> Result<(), RetryAfter> {
        bucket.begin(now, backoff)?;
        bucket.finish(false, backoff);
        Ok(())
    }

    #[test]
    fn free_failures_then_doubling_delays_up_to_the_ceiling() {
        let mut bucket = Bucket::default();
        for _ in 0..LOGIN.free_failures {
            assert_eq!(fail(&mut bucket, 0, LOGIN), Ok(()));
        }
        // The first failure beyond the budget makes the next try wait a second…
        let mut now = 0;
        assert_eq!(fail(&mut bucket, now, LOGIN), Ok(()));
        assert_eq!(bucket.begin(now + 1, LOGIN), Err(RetryAfter { ms: 999 }));
        // …and each further one twice as long, never more than the ceiling.
        let mut expected = 1_000;
        for _ in 0..12 {
            now += expected;
            assert_eq!(fail(&mut bucket, now, LOGIN), Ok(()));
            expected = (expected * 2).min(LOGIN.max_delay_ms);
            assert_eq!(bucket.blocked_until - now, expected);
        }
        assert_eq!(expected, LOGIN.max_delay_ms);
    }

    #[test]
    fn a_right_password_clears_a_login_but_only_gives_back_its_own_try_to_a_client() {
        let mut login = Bucket::default();
        let mut client = Bucket::default();
        for _ in 0..3 {
            fail(&mut login, 0, LOGIN).unwrap();
            fail(&mut client, 0, CLIENT).unwrap();
        }
        login.begin(0, LOGIN).unwrap();
        login.finish(true, LOGIN);
        assert_eq!(login, Bucket::default());
        client.begin(0, CLIENT).unwrap();
        client.finish(true, CLIENT);
        assert_eq!(client.failures, 3);
    }

    #[test]
    fn a_right_try_that_started_a_delay_lifts_it_again() {
        let mut client = Bucket::default();
        for _ in 0..CLIENT.free_failures {
            fail(&mut client, 0, CLIENT).unwrap();
        }
        // Begun past the budget it starts a delay; right after all, it owes none.
        client.begin(0, CLIENT).unwrap();
        assert!(client.check(1).is_err());
        client.finish(true, CLIENT);
        assert_eq!(client.check(1), Ok(()));
        // Past the budget by failures of its own, the delay stands.
        fail(&mut client, 1, CLIENT).unwrap();
        client.begin(1_001, CLIENT).unwrap();
        client.finish(true, CLIENT);
        assert!(client.check(1_002).is_err());
    }

    #[test]
    fn parallel_tries_are_counted_before_any_finishes() {
        let mut bucket = Bucket::default();
        // Twenty guesses begun at once: the budget and one more get in, the rest wait.
        let admitted = (0..20).filter(|_| bucket.begin(0, LOGIN).is_ok()).count();
        assert_eq!(admitted, LOGIN.free_failures as usize + 1);
    }

    #[test]
    fn failures_are_forgotten_after_a_quiet_while() {
        let mut bucket = Bucket::default();
        for _ in 0..=LOGIN.free_failures {
            fail(&mut bucket, 0, LOGIN).unwrap();
        }
        assert!(!bucket.is_forgotten(LOGIN.forget_after_ms - 1, LOGIN));
        assert_eq!(bucket.forgotten_at(LOGIN), LOGIN.forget_after_ms);
        assert!(bucket.is_forgotten(LOGIN.forget_after_ms, LOGIN));
        fail(&mut bucket, LOGIN.forget_after_ms, LOGIN).unwrap();
        assert_eq!(bucket.failures, 1);
        assert_eq!(bucket.blocked_until, 0, "no delay is left over");
    }

    const REGISTER: Backoff = Limit::TypedCodePerRegister.backoff();

    /// A register's code as the worker judges it: checked beside the lookup,
    /// counted only when it turns out dead.
    fn send_code(bucket: &mut Bucket, now: UnixMillis, dead: bool) -> Result<(), RetryAfter> {
        bucket.check(now)?;
        if dead {
            bucket.begin(now, REGISTER)?;
        }
        Ok(())
    }

    #[test]
    fn a_register_mistypes_twenty_codes_freely_then_waits_even_for_a_right_one() {
        let mut bucket = Bucket::default();
        for _ in 0..REGISTER.free_failures {
            assert_eq!(send_code(&mut bucket, 0, true), Ok(()));
        }
        assert_eq!(send_code(&mut bucket, 0, true), Ok(()), "the 21st is answered and starts the delay");
        assert_eq!(send_code(&mut bucket, 10, false), Err(RetryAfter { ms: 990 }));
        // One delay later the right code goes through, and counts for nothing.
        let before = bucket;
        assert_eq!(send_code(&mut bucket, 1_000, false), Ok(()));
        assert_eq!(bucket, before);
        // A quiet quarter of an hour forgets it all.
        assert!(bucket.is_forgotten(REGISTER.forget_after_ms, REGISTER));
    }

    #[test]
    fn right_codes_cannot_buy_a_register_more_wrong_ones() {
        let mut bucket = Bucket::default();
        let mut now = 0;
        let mut answered = 0;
        // A guesser who also shows their own live code between guesses gains nothing by it.
        for _ in 0..40 {
            if send_code(&mut bucket, now, false).is_ok() && send_code(&mut bucket, now, true).is_ok() {
                answered += 1;
            }
            now += 10;
        }
        assert_eq!(answered, REGISTER.free_failures + 1);
    }

    #[test]
    fn parallel_wrong_codes_are_answered_only_within_the_budget() {
        let mut bucket = Bucket::default();
        // Forty codes checked at once all pass the check; their failures are counted one by one.
        assert!((0..40).all(|_| bucket.check(0).is_ok()));
        let answered = (0..40).filter(|_| bucket.begin(0, REGISTER).is_ok()).count();
        assert_eq!(answered, REGISTER.free_failures as usize + 1);
    }

    #[test]
    fn dead_codes_are_failures_but_refusals_of_live_codes_are_not() {
        for dead in [ErrorCode::Unknown, ErrorCode::Expired, ErrorCode::AlreadyUsed, ErrorCode::NotTheHolder] {
            assert!(is_dead_code(dead), "{dead:?}");
        }
        for live in [ErrorCode::WrongShop, ErrorCode::NotAMember, ErrorCode::NotEnoughPoints, ErrorCode::Internal] {
            assert!(!is_dead_code(live), "{live:?}");
        }
        assert!(is_wrong_link(ErrorCode::Unknown));
        assert!(!is_wrong_link(ErrorCode::AlreadyClaimed));
        assert!(!is_wrong_link(ErrorCode::NotTransferable));
        assert!(is_unknown_invite(ErrorCode::NotFound));
        assert!(!is_unknown_invite(ErrorCode::Expired));
        assert!(is_wrong_pairing_code(ErrorCode::PairingInvalid));
        assert!(!is_wrong_pairing_code(ErrorCode::StoreClosed));
    }

    #[test]
    fn the_rightful_claimant_is_at_most_one_delay_behind_strangers_guessing_the_link() {
        let link = Limit::LinkPerItem.backoff();
        let mut bucket = Bucket::default();
        let mut now = 0;
        // Strangers guess as fast as they are let.
        for _ in 0..100 {
            let _ = fail(&mut bucket, now, link);
            now += 500;
        }
        let wait = bucket.begin(now, link).map(|()| 0).unwrap_or_else(|wait| wait.ms);
        assert!(wait <= link.max_delay_ms);
        // After that wait the right secret is checked, and clears the link.
        let later = now + wait;
        if wait > 0 {
            bucket.begin(later, link).unwrap();
        }
        bucket.finish(true, link);
        assert_eq!(bucket, Bucket::default());
    }

    #[test]
    fn an_owner_cannot_wipe_their_slate_with_codes_of_their_own() {
        let account = Limit::PairingPerAccount.backoff();
        let mut bucket = Bucket::default();
        for _ in 0..account.free_failures {
            fail(&mut bucket, 0, account).unwrap();
        }
        bucket.begin(0, account).unwrap();
        bucket.finish(true, account);
        assert_eq!(bucket.failures, account.free_failures, "a right code gives back only its own try");
        fail(&mut bucket, 0, account).unwrap();
        assert!(bucket.begin(1, account).is_err(), "the next wrong one past the budget starts the delay");
    }

    #[test]
    fn every_limit_gives_a_free_budget_then_a_bounded_delay() {
        for limit in Limit::ALL {
            let backoff = limit.backoff();
            assert!(backoff.free_failures > 0, "{limit:?}");
            assert!(0 < backoff.first_delay_ms && backoff.first_delay_ms <= backoff.max_delay_ms, "{limit:?}");
            assert!(backoff.max_delay_ms <= 15 * MINUTE_MS, "{limit:?}: never longer than a quarter of an hour");
            assert!(backoff.forget_after_ms >= backoff.max_delay_ms, "{limit:?}");
        }
        // Buckets shared by many people (a client address) never clear on one success.
        for shared in [Limit::SignInPerClient, Limit::LinkPerClient, Limit::PairingPerClient] {
            assert!(!shared.backoff().success_clears, "{shared:?}");
        }
    }

    #[test]
    fn limits_keep_their_storage_names() {
        for limit in Limit::ALL {
            assert_eq!(Limit::from_key(limit.key()), Some(limit));
            assert_eq!(serde_json::to_value(limit).unwrap(), serde_json::json!(limit.key()));
        }
        assert_eq!(Limit::from_key("nothing"), None);
    }

    #[test]
    fn extreme_times_do_not_overflow() {
        let mut bucket = Bucket::default();
        for _ in 0..200 {
            let _ = fail(&mut bucket, i64::MAX - 1, CLIENT);
        }
        assert_eq!(bucket.blocked_until, i64::MAX, "the delay saturates instead of wrapping");
        let mut early = Bucket::default();
        for _ in 0..200 {
            let _ = fail(&mut early, i64::MIN, CLIENT);
        }
        assert!(early.begin(i64::MIN, CLIENT).is_err());
        assert_eq!(RetryAfter { ms: 1 }.seconds(), 1);
        assert_eq!(RetryAfter { ms: 1_001 }.seconds(), 2);
        assert_eq!(RetryAfter { ms: i64::MAX }.seconds(), i64::MAX / 1_000);
    }
}
