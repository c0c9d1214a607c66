//! The `staff` table of a shop's book and what hangs off it: the shop's
//! managers and cashiers (PINs as PBKDF2 hashes), the guards against guessing
//! PINs (one per staff number, one per register, so neither one person's PIN
//! nor a register's keypad can be tried without limit), and the sessions of
//! people signed in at registers (by their token's SHA-256 only).
//!
//! Staff numbers are never given out again: a removed person's row stays
//! (marked removed), so a number on an old receipt always means one person.

use crate::auth::password::StoredPassword;
use crate::clock;
use crate::error::{Outcome, Problem};
use crate::storage::sql;
use domain::api::staff::StaffMember;
use domain::api::ErrorCode;
use domain::attempts::{AttemptGuard, AttemptLimit, AttemptRefusal};
use domain::shop::{Label, RegisterId};
use domain::staff::{Role, StaffNumber, MAX_STAFF, REGISTER_PIN_LIMIT, STAFF_PIN_LIMIT};
use domain::store::StoreId;
use domain::UnixMillis;
use serde::{Deserialize, Serialize};
use worker::SqlStorage;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS staff (
    staff_number INTEGER PRIMARY KEY CHECK (staff_number BETWEEN 1 AND 9999),
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('manager', 'cashier')),
    store_id TEXT NOT NULL,
    pin TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    removed_at INTEGER
);
CREATE TABLE IF NOT EXISTS staff_guards (
    key TEXT PRIMARY KEY,
    guard TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS staff_sessions (
    token_hash TEXT PRIMARY KEY,
    staff_number INTEGER NOT NULL REFERENCES staff (staff_number),
    register_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS staff_sessions_by_person ON staff_sessions (staff_number);
";

/// A person to record (the PIN already hashed by the Worker).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewStaff {
    pub name: Label,
    pub role: Role,
    pub store_id: StoreId,
    pub pin: StoredPassword,
}

/// A person with their PIN's hash, for the Worker to check a typed PIN against.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StaffCredential {
    pub member: StaffMember,
    pub pin: StoredPassword,
}

/// A session to open at a register once the PIN proved right.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewSession {
    pub token_hash: String,
    pub expires_at: UnixMillis,
}

/// What a register's request finds: whether the shop has staff, and who is signed in with its token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Duty {
    pub staff_required: bool,
    pub on_duty: Option<(StaffMember, UnixMillis)>,
}

#[derive(Deserialize)]
struct StaffRow {
    staff_number: i64,
    name: String,
    role: String,
    store_id: String,
    pin: String,
    created_at: i64,
}

impl StaffRow {
    fn member(&self, locked_until: Option<UnixMillis>) -> Outcome<StaffMember> {
        let corrupt = |what| sql::corrupt("ShopBook", what);
        let number = u32::try_from(self.staff_number).map_err(|_| corrupt("staff number"))?;
        Ok(StaffMember {
            staff_number: StaffNumber::new(number).map_err(|_| corrupt("staff number"))?,
            name: Label::parse(&self.name).map_err(|_| corrupt("staff name"))?,
            role: Role::parse(&self.role).ok_or_else(|| corrupt("staff role"))?,
            store_id: StoreId::parse(&self.store_id).map_err(|_| corrupt("staff store"))?,
            created_at: self.created_at,
            locked_until,
        })
    }

    fn pin(&self) -> Outcome<StoredPassword> {
        serde_json::from_str(&self.pin).map_err(|_| sql::corrupt("ShopBook", "staff PIN"))
    }
}

#[derive(Deserialize)]
struct GuardRow {
    guard: String,
}

#[derive(Deserialize)]
struct SessionRow {
    staff_number: i64,
    expires_at: i64,
}

fn no_such_person() -> Problem {
    Problem::new(ErrorCode::NotFound, "this shop has no such staff member")
}

/// A wrong staff number or PIN: never says which.
pub fn wrong_staff_pin() -> Problem {
    Problem::new(ErrorCode::WrongPin, "the staff number or the PIN is wrong")
}

fn pin_refusal(refusal: AttemptRefusal, now: UnixMillis) -> Problem {
    match refusal {
        AttemptRefusal::Wrong { .. } => wrong_staff_pin(),
        AttemptRefusal::Locked { until } => {
            let minutes = ((until - now).max(0) + 59_999) / 60_000;
            Problem::new(
                ErrorCode::PinLocked,
                format!("too many wrong PINs: try again in {} minute(s), or ask the owner to reset it", minutes.max(1)),
            )
        }
    }
}

fn person_key(number: StaffNumber) -> String {
    format!("staff:{number}")
}

fn register_key(register_id: &RegisterId) -> String {
    format!("register:{}", register_id.as_str())
}

pub struct StaffBook<'a> {
    pub sql: &'a SqlStorage,
}

impl StaffBook<'_> {
    fn ready(&self) -> Outcome<()> {
        sql::create(self.sql, SCHEMA)
    }

    fn row(&self, number: StaffNumber) -> Outcome<Option<StaffRow>> {
        sql::first(
            self.sql,
            "SELECT * FROM staff WHERE staff_number = ? AND removed_at IS NULL",
            vec![i64::from(number.get()).into()],
        )
    }

    fn guard(&self, key: &str) -> Outcome<AttemptGuard> {
        let row: Option<GuardRow> =
            sql::first(self.sql, "SELECT guard FROM staff_guards WHERE key = ?", vec![key.into()])?;
        match row {
            Some(row) => serde_json::from_str(&row.guard).map_err(|_| sql::corrupt("ShopBook", "staff guard")),
            None => Ok(AttemptGuard::default()),
        }
    }

    fn save_guard(&self, key: &str, guard: &AttemptGuard) -> Outcome<()> {
        self.sql.exec(
            "INSERT INTO staff_guards (key, guard) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET guard = excluded.guard",
            vec![key.into(), serde_json::to_string(guard)?.into()],
        )?;
        Ok(())
    }

    fn locked_until(&self, number: StaffNumber, now: UnixMillis) -> Outcome<Option<UnixMillis>> {
        Ok(self.guard(&person_key(number))?.locked_until.filter(|until| *until > now))
    }

    /// Records a new person under the next staff number (numbers are never reused).
    pub fn add(&self, person: NewStaff) -> Outcome<StaffMember> {
        self.ready()?;
        let active = sql::number(self.sql, "SELECT COUNT(*) AS n FROM staff WHERE removed_at IS NULL", None)?;
        if usize::try_from(active).unwrap_or(usize::MAX) >= MAX_STAFF {
            return Err(Problem::new(ErrorCode::InvalidRequest, format!("a shop has at most {MAX_STAFF} staff")));
        }
        let last = sql::number(self.sql, "SELECT COALESCE(MAX(staff_number), 0) AS n FROM staff", None)?;
        let next = u32::try_from(last.saturating_add(1))
            .ok()
            .and_then(|n| StaffNumber::new(n).ok())
            .ok_or_else(|| Problem::new(ErrorCode::InvalidRequest, "this shop has used every staff number"))?;
        self.sql.exec(
            "INSERT INTO staff (staff_number, name, role, store_id, pin, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            vec![
                i64::from(next.get()).into(),
                person.name.as_str().into(),
                person.role.as_str().into(),
                person.store_id.as_str().into(),
                serde_json::to_string(&person.pin)?.into(),
                clock::now().into(),
            ],
        )?;
        self.row(next)?.ok_or_else(|| Problem::internal("a person just recorded is missing"))?.member(None)
    }

    /// Everyone not removed, by staff number.
    pub fn list(&self) -> Outcome<Vec<StaffMember>> {
        self.ready()?;
        let now = clock::now();
        let rows: Vec<StaffRow> =
            sql::all(self.sql, "SELECT * FROM staff WHERE removed_at IS NULL ORDER BY staff_number", None)?;
        rows.iter()
            .map(|row| {
                let number = u32::try_from(row.staff_number)
                    .ok()
                    .and_then(|n| StaffNumber::new(n).ok())
                    .ok_or_else(|| sql::corrupt("ShopBook", "staff number"))?;
                row.member(self.locked_until(number, now)?)
            })
            .collect()
    }

    /// Whether the shop has anyone on its staff (then registers need someone signed in).
    fn has_staff(&self) -> Outcome<bool> {
        Ok(sql::number(self.sql, "SELECT COUNT(*) AS n FROM staff WHERE removed_at IS NULL", None)? > 0)
    }

    fn end_sessions_of(&self, number: StaffNumber) -> Outcome<()> {
        self.sql.exec("DELETE FROM staff_sessions WHERE staff_number = ?", vec![i64::from(number.get()).into()])?;
        Ok(())
    }

    /// Removes a person: their sessions end at once; the number stays theirs.
    pub fn remove(&self, number: StaffNumber) -> Outcome<()> {
        self.ready()?;
        if self.row(number)?.is_none() {
            return Err(no_such_person());
        }
        self.sql.exec(
            "UPDATE staff SET removed_at = ? WHERE staff_number = ?",
            vec![clock::now().into(), i64::from(number.get()).into()],
        )?;
        self.end_sessions_of(number)
    }

    /// A new PIN: clears the person's lock and ends their sessions.
    pub fn reset_pin(&self, number: StaffNumber, pin: &StoredPassword) -> Outcome<()> {
        self.ready()?;
        if self.row(number)?.is_none() {
            return Err(no_such_person());
        }
        self.sql.exec(
            "UPDATE staff SET pin = ? WHERE staff_number = ?",
            vec![serde_json::to_string(pin)?.into(), i64::from(number.get()).into()],
        )?;
        self.save_guard(&person_key(number), &AttemptGuard::default())?;
        self.end_sessions_of(number)
    }

    /// Counts a PIN attempt, for the person and at the register, before the
    /// (slow) check: refused while either is locked. The person and their PIN's
    /// hash, or none for a number nobody has (the attempt still counts at the register).
    pub fn begin_pin(&self, number: StaffNumber, register_id: &RegisterId) -> Outcome<Option<StaffCredential>> {
        self.ready()?;
        let now = clock::now();
        let mut at_register = self.guard(&register_key(register_id))?;
        at_register.begin_attempt(now, REGISTER_PIN_LIMIT).map_err(|refusal| pin_refusal(refusal, now))?;
        let Some(row) = self.row(number)? else {
            self.save_guard(&register_key(register_id), &at_register)?;
            return Ok(None);
        };
        let mut personal = self.guard(&person_key(number))?;
        personal.begin_attempt(now, STAFF_PIN_LIMIT).map_err(|refusal| pin_refusal(refusal, now))?;
        self.save_guard(&register_key(register_id), &at_register)?;
        self.save_guard(&person_key(number), &personal)?;
        Ok(Some(StaffCredential { member: row.member(None)?, pin: row.pin()? }))
    }

    fn finish_guard(&self, key: &str, correct: bool, limit: AttemptLimit) -> Outcome<Result<(), AttemptRefusal>> {
        let mut guard = self.guard(key)?;
        let verdict = guard.finish_attempt(correct, limit);
        self.save_guard(key, &guard)?;
        Ok(verdict)
    }

    /// Ends an attempt begun with [`Self::begin_pin`]: a right PIN clears the
    /// counts; a wrong one is refused (`pin_locked` once it locked).
    pub fn finish_pin(&self, number: StaffNumber, register_id: &RegisterId, correct: bool) -> Outcome<()> {
        self.ready()?;
        let now = clock::now();
        let known = self.row(number)?.is_some();
        let at_register = self.finish_guard(&register_key(register_id), correct && known, REGISTER_PIN_LIMIT)?;
        let personal = if known {
            self.finish_guard(&person_key(number), correct, STAFF_PIN_LIMIT)?
        } else {
            Err(AttemptRefusal::Wrong { attempts_left: 0 })
        };
        personal.and(at_register).map_err(|refusal| pin_refusal(refusal, now))
    }

    /// Drops sessions past their expiry; says how many went.
    pub(super) fn forget_expired_sessions(&self, now: UnixMillis) -> Outcome<u32> {
        sql::forget_before(self.sql, "staff_sessions", "expires_at", now.saturating_add(1))
    }

    /// Sessions kept (for housekeeping: whether a round has anything to look at).
    pub(super) fn sessions_kept(&self) -> Outcome<i64> {
        sql::rows_in(self.sql, "staff_sessions")
    }

    /// Opens a session for a person (whose PIN the Worker just checked) at a register.
    pub fn open_session(&self, number: StaffNumber, register_id: &RegisterId, session: NewSession) -> Outcome<()> {
        self.ready()?;
        if self.row(number)?.is_none() {
            return Err(no_such_person());
        }
        let now = clock::now();
        self.forget_expired_sessions(now)?;
        self.sql.exec(
            "INSERT INTO staff_sessions (token_hash, staff_number, register_id, created_at, expires_at)
             VALUES (?, ?, ?, ?, ?)",
            vec![
                session.token_hash.into(),
                i64::from(number.get()).into(),
                register_id.as_str().into(),
                now.into(),
                session.expires_at.into(),
            ],
        )?;
        Ok(())
    }

    /// Who is signed in at `register_id` with the session whose token hashes to `token_hash`.
    pub fn duty(&self, register_id: &RegisterId, token_hash: Option<&str>) -> Outcome<Duty> {
        self.ready()?;
        let staff_required = self.has_staff()?;
        let Some(token_hash) = token_hash else {
            return Ok(Duty { staff_required, on_duty: None });
        };
        let session: Option<SessionRow> = sql::first(
            self.sql,
            "SELECT staff_number, expires_at FROM staff_sessions WHERE token_hash = ? AND register_id = ? AND expires_at > ?",
            vec![token_hash.into(), register_id.as_str().into(), clock::now().into()],
        )?;
        let person = match session {
            Some(session) => {
                let number = u32::try_from(session.staff_number).ok().and_then(|n| StaffNumber::new(n).ok());
                match number {
                    Some(number) => self.row(number)?.map(|row| row.member(None).map(|m| (m, session.expires_at))),
                    None => None,
                }
            }
            None => None,
        };
        Ok(Duty { staff_required, on_duty: person.transpose()? })
    }

    /// Signs a session out (again is fine).
    pub fn end_session(&self, token_hash: &str) -> Outcome<()> {
        self.ready()?;
        self.sql.exec("DELETE FROM staff_sessions WHERE token_hash = ?", vec![token_hash.into()])?;
        Ok(())
    }
}
