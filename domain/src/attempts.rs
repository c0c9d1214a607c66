//! Guessing limits: a secret (a prepaid PIN, a password) may be tried wrong a
//! few times in a row, then it locks for a while.
//!
//! Attempts are counted *before* the secret is checked: checking a hash is
//! slow and asynchronous, and counting first means parallel guesses cannot
//! all slip in while the count is still low — at most `max_failures`
//! attempts per lock period, however they interleave.

use crate::UnixMillis;
use serde::{Deserialize, Serialize};

/// How many wrong tries in a row lock a secret, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttemptLimit {
    pub max_failures: u32,
    pub lock_ms: i64,
}

/// Consecutive wrong tries of one secret and the lock they caused.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct AttemptGuard {
    pub failures: u32,
    pub locked_until: Option<UnixMillis>,
}

/// Why a try was refused or failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptRefusal {
    Wrong { attempts_left: u32 },
    Locked { until: UnixMillis },
}

impl AttemptGuard {
    /// May the secret be tried now?
    pub fn check_open(&self, now: UnixMillis) -> Result<(), AttemptRefusal> {
        match self.locked_until {
            Some(until) if now < until => Err(AttemptRefusal::Locked { until }),
            _ => Ok(()),
        }
    }

    /// Records the outcome of a check made while open (for checks that are
    /// quick and synchronous; otherwise [`Self::begin_attempt`]).
    pub fn record(&mut self, correct: bool, now: UnixMillis, limit: AttemptLimit) -> Result<(), AttemptRefusal> {
        if correct {
            *self = Self::default();
            return Ok(());
        }
        if self.locked_until.is_some_and(|until| now >= until) {
            // A lock that ran out gives a fresh set of attempts.
            *self = Self::default();
        }
        self.failures = self.failures.saturating_add(1);
        if self.failures >= limit.max_failures {
            let until = now.saturating_add(limit.lock_ms);
            self.locked_until = Some(until);
            self.failures = 0;
            return Err(AttemptRefusal::Locked { until });
        }
        Err(AttemptRefusal::Wrong { attempts_left: limit.max_failures.saturating_sub(self.failures) })
    }

    /// Counts an attempt as failed before the secret is checked.
    pub fn begin_attempt(&mut self, now: UnixMillis, limit: AttemptLimit) -> Result<(), AttemptRefusal> {
        self.check_open(now)?;
        if self.locked_until.is_some() {
            // A lock that ran out gives a fresh set of attempts.
            *self = Self::default();
        }
        self.failures = self.failures.saturating_add(1);
        if self.failures >= limit.max_failures {
            // This is the last attempt allowed; the lock stands unless it is correct.
            self.locked_until = Some(now.saturating_add(limit.lock_ms));
            self.failures = 0;
        }
        Ok(())
    }

    /// Ends an attempt begun with [`Self::begin_attempt`]: a correct secret
    /// clears the count (and a lock set by this very attempt); a wrong one
    /// says what is left.
    pub fn finish_attempt(&mut self, correct: bool, limit: AttemptLimit) -> Result<(), AttemptRefusal> {
        if correct {
            *self = Self::default();
            return Ok(());
        }
        match self.locked_until {
            Some(until) => Err(AttemptRefusal::Locked { until }),
            None => Err(AttemptRefusal::Wrong { attempts_left: limit.max_failures.saturating_sub(self.failures) }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMIT: AttemptLimit = AttemptLimit { max_failures: 5, lock_ms: 60_000 };

    #[test]
    fn wrong_tries_lock_then_unlock() {
        let mut guard = AttemptGuard::default();
        for left in (1..LIMIT.max_failures).rev() {
            assert_eq!(guard.record(false, 0, LIMIT), Err(AttemptRefusal::Wrong { attempts_left: left }));
        }
        assert_eq!(guard.record(false, 0, LIMIT), Err(AttemptRefusal::Locked { until: LIMIT.lock_ms }));
        assert_eq!(guard.check_open(LIMIT.lock_ms - 1), Err(AttemptRefusal::Locked { until: LIMIT.lock_ms }));
        assert_eq!(guard.check_open(LIMIT.lock_ms), Ok(()));
        let left = LIMIT.max_failures - 1;
        assert_eq!(guard.record(false, LIMIT.lock_ms, LIMIT), Err(AttemptRefusal::Wrong { attempts_left: left }));
        assert_eq!(guard.record(true, LIMIT.lock_ms, LIMIT), Ok(()));
        assert_eq!(guard, AttemptGuard::default());
    }

    #[test]
    fn attempts_are_counted_before_the_check() {
        let mut guard = AttemptGuard::default();
        // Five guesses begun at once (none finished yet): a sixth is refused.
        for _ in 0..LIMIT.max_failures {
            assert_eq!(guard.begin_attempt(0, LIMIT), Ok(()));
        }
        assert_eq!(guard.begin_attempt(1, LIMIT), Err(AttemptRefusal::Locked { until: LIMIT.lock_ms }));
        assert_eq!(guard.finish_attempt(false, LIMIT), Err(AttemptRefusal::Locked { until: LIMIT.lock_ms }));
        // After the lock, a fresh set of attempts; a correct one clears the count.
        assert_eq!(guard.begin_attempt(LIMIT.lock_ms, LIMIT), Ok(()));
        let left = LIMIT.max_failures - 1;
        assert_eq!(guard.finish_attempt(false, LIMIT), Err(AttemptRefusal::Wrong { attempts_left: left }));
        assert_eq!(guard.begin_attempt(LIMIT.lock_ms, LIMIT), Ok(()));
        assert_eq!(guard.finish_attempt(true, LIMIT), Ok(()));
        assert_eq!(guard, AttemptGuard::default());
    }

    #[test]
    fn a_correct_last_attempt_lifts_its_own_lock() {
        let mut guard = AttemptGuard::default();
        for _ in 1..LIMIT.max_failures {
            assert_eq!(guard.begin_attempt(0, LIMIT), Ok(()));
            assert!(guard.finish_attempt(false, LIMIT).is_err());
        }
        assert_eq!(guard.begin_attempt(0, LIMIT), Ok(()));
        assert_eq!(guard.finish_attempt(true, LIMIT), Ok(()));
        assert_eq!(guard, AttemptGuard::default());
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
            fn locks_never_wrap(
                now in time(),
                lock_ms in prop_oneof![Just(i64::MAX), Just(0), 0..=3_600_000i64],
                max_failures in prop_oneof![Just(0u32), Just(1), Just(u32::MAX), 1..=10u32],
                answers in proptest::collection::vec(any::<bool>(), 1..20),
            ) {
                let limit = AttemptLimit { max_failures, lock_ms };
                let mut guard = AttemptGuard::default();
                for correct in answers {
                    let mut two_step = guard;
                    if two_step.begin_attempt(now, limit).is_ok() {
                        let _ = two_step.finish_attempt(correct, limit);
                    }
                    if let Err(AttemptRefusal::Locked { until }) = guard.record(correct, now, limit) {
                        prop_assert!(until >= now, "a lock never ends before it starts");
                    }
                }
            }
        }
    }
}
