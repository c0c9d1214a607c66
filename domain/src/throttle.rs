//! Slowing guessers down without locking anyone out: a failure budget per
//! bucket (one login, one client address, one link), after which each further
//! failure makes the bucket wait longer before its next try (doubling up to a
//! ceiling). Nothing ever locks for good, and a member's own right password
//! is at most one delay away, however many strangers guess at their number.
//!
//! Attempts are counted *before* the secret is checked (checking a password
//! hash is slow and asynchronous): parallel guesses cannot all slip in while
//! the count is still low. [`Bucket::finish`] then gives a right guess back.

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
}

const MINUTE_MS: i64 = 60_000;
const HOUR_MS: i64 = 60 * MINUTE_MS;

impl Limit {
    pub const ALL: [Self; 2] = [Self::SignInPerLogin, Self::SignInPerClient];

    /// A stable name for storage.
    pub const fn key(self) -> &'static str {
        match self {
            Self::SignInPerLogin => "sign_in_per_login",
            Self::SignInPerClient => "sign_in_per_client",
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
        }
    }
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
    /// Begins a try at `now`, counting it as a failure until [`Self::finish`]
    /// says otherwise; refused while the bucket waits out a delay.
    pub fn begin(&mut self, now: UnixMillis, backoff: Backoff) -> Result<(), RetryAfter> {
        if now < self.blocked_until {
            return Err(RetryAfter { ms: self.blocked_until.saturating_sub(now) });
        }
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
    pub fn finish(&mut self, success: bool, backoff: Backoff) {
        if !success {
            return;
        }
        if backoff.success_clears {
            *self = Self::default();
        } else {
            self.failures = self.failures.saturating_sub(1);
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
