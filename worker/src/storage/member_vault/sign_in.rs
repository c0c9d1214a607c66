//! The member's sign-in attempt guard: wrong passwords in a row lock sign-in
//! for a while (`domain::member::SIGN_IN_LIMIT`). The password itself lives in
//! the directory (KV); only the count must be atomic, so it lives here.

use super::{Empty, MemberVault};
use crate::clock;
use crate::error::{Outcome, Problem};
use domain::api::ErrorCode;
use domain::attempts::{AttemptGuard, AttemptRefusal};
use domain::member::SIGN_IN_LIMIT;
use domain::UnixMillis;
use serde::{Deserialize, Serialize};

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS sign_in_guard (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    guard TEXT NOT NULL
);
";

#[derive(Serialize, Deserialize)]
pub(super) struct Finish {
    pub correct: bool,
}

#[derive(Deserialize)]
struct GuardRow {
    guard: String,
}

fn refusal_problem(refusal: AttemptRefusal, now: UnixMillis) -> Problem {
    match refusal {
        AttemptRefusal::Wrong { .. } => {
            Problem::new(ErrorCode::WrongCredentials, "the member number or the password is wrong")
        }
        AttemptRefusal::Locked { until } => {
            let minutes = ((until - now).max(0) + 59_999) / 60_000;
            Problem::new(
                ErrorCode::TooManyAttempts,
                format!("too many wrong passwords for this member number: try again in {} minute(s)", minutes.max(1)),
            )
        }
    }
}

impl MemberVault {
    fn sign_in_guard(&self) -> Outcome<AttemptGuard> {
        let rows: Vec<GuardRow> = self.sql.exec("SELECT guard FROM sign_in_guard WHERE id = 1", None)?.to_array()?;
        match rows.first() {
            Some(row) => serde_json::from_str(&row.guard).map_err(|_| super::corrupt("sign-in guard")),
            None => Ok(AttemptGuard::default()),
        }
    }

    fn save_sign_in_guard(&self, guard: &AttemptGuard) -> Outcome<()> {
        self.sql.exec(
            "INSERT INTO sign_in_guard (id, guard) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET guard = excluded.guard",
            vec![serde_json::to_string(guard)?.into()],
        )?;
        Ok(())
    }

    /// Counts a sign-in attempt before the (slow, asynchronous) password
    /// check, so parallel guesses cannot exceed the limit.
    pub(super) fn begin_sign_in(&self) -> Outcome<Empty> {
        let now = clock::now();
        let mut guard = self.sign_in_guard()?;
        guard.begin_attempt(now, SIGN_IN_LIMIT).map_err(|refusal| refusal_problem(refusal, now))?;
        self.save_sign_in_guard(&guard)?;
        Ok(Empty {})
    }

    /// Ends an attempt: a right password clears the count; a wrong one is
    /// `wrong_credentials`, or `too_many_attempts` once it locked sign-in.
    pub(super) fn finish_sign_in(&self, request: Finish) -> Outcome<Empty> {
        let mut guard = self.sign_in_guard()?;
        let verdict = guard.finish_attempt(request.correct, SIGN_IN_LIMIT);
        self.save_sign_in_guard(&guard)?;
        verdict.map_err(|refusal| refusal_problem(refusal, clock::now()))?;
        Ok(Empty {})
    }
}
