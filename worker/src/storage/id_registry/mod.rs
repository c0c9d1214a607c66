//! `IdRegistry`: one Durable Object per id that must be taken exactly once
//! (named `issuer:<id>` or `sign-in-name:<name>`). Claiming runs in one synchronous stretch, so of
//! concurrent creations of one id exactly one wins; a revoked id stays
//! revoked, so it is never handed out again (an issuer's bills and events are
//! keyed by its id: a new key under an old id would reach them).
//!
//! KV stays the directory the auth reads; it is written only after a claim here succeeded.

pub mod protocol;

use crate::clock;
use crate::error::{Outcome, Problem};
use crate::storage::object::{answer, durable_object_serving, Done, Reply, StorageObject};
use crate::storage::sql;
use domain::api::ErrorCode;
use protocol::{Claim, IdOperation, IdStanding, Retire};
use serde::Deserialize;
use worker::{durable_object, Env, SqlStorage, State};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS standing (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    revoked INTEGER NOT NULL,
    changed_at INTEGER NOT NULL
);
";

/// The schema is created only when an id is claimed or retired: asking about
/// an id nobody took must not leave an object behind.
#[durable_object]
pub struct IdRegistry {
    sql: SqlStorage,
}

durable_object_serving!(IdRegistry);

impl StorageObject for IdRegistry {
    type Operation = IdOperation;

    fn open(state: State, _env: Env) -> Self {
        Self { sql: state.storage().sql() }
    }

    /// Each operation reads and writes without awaiting: atomic inside this object.
    async fn handle(&self, operation: IdOperation) -> Outcome<Reply> {
        match operation {
            IdOperation::Claim(request) => answer(request, |r| self.claim(r)),
            IdOperation::Standing(request) => answer(request, |_| self.standing()),
            IdOperation::Retire(request) => answer(request, |r| self.retire(r)),
        }
    }
}

#[derive(Deserialize)]
struct StandingRow {
    revoked: i64,
}

impl IdRegistry {
    fn standing(&self) -> Outcome<IdStanding> {
        if !sql::table_exists(&self.sql, "standing")? {
            return Ok(IdStanding::Free);
        }
        let row: Option<StandingRow> = sql::first(&self.sql, "SELECT revoked FROM standing WHERE id = 1", None)?;
        Ok(match row {
            None => IdStanding::Free,
            Some(row) if row.revoked != 0 => IdStanding::Revoked,
            Some(_) => IdStanding::Live,
        })
    }

    fn record(&self, revoked: bool) -> Outcome<()> {
        sql::create(&self.sql, SCHEMA)?;
        self.sql.exec(
            "INSERT INTO standing (id, revoked, changed_at) VALUES (1, ?, ?)
             ON CONFLICT (id) DO UPDATE SET revoked = excluded.revoked, changed_at = excluded.changed_at",
            vec![i64::from(revoked).into(), clock::now().into()],
        )?;
        Ok(())
    }

    fn claim(&self, _: Claim) -> Outcome<Done> {
        match self.standing()? {
            IdStanding::Free => {
                self.record(false)?;
                Ok(Done)
            }
            IdStanding::Live => Err(Problem::new(ErrorCode::AlreadyExists, "an issuer with this id exists already")),
            IdStanding::Revoked => Err(Problem::new(
                ErrorCode::AlreadyExists,
                "this issuer id was revoked, and a revoked id is never given out again: choose another id",
            )),
        }
    }

    fn retire(&self, request: Retire) -> Outcome<bool> {
        let was_live = match self.standing()? {
            IdStanding::Live => true,
            IdStanding::Revoked => false,
            IdStanding::Free => request.listed,
        };
        if was_live {
            self.record(true)?;
        }
        Ok(was_live)
    }
}
