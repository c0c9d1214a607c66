//! `PairingDesk`: the one Durable Object where register pages wait to be
//! paired. A row per open code: the SHA-256 of the page's secret, the expiry,
//! and once an owner approved it the new register and its token, until the
//! page collects them — then the row is gone, so the token is handed over
//! exactly once. Everything runs without awaiting, so one approval per code.
//!
//! Starting is public, so the desk is bounded: expired rows are deleted on
//! every start and poll, at most [`MAX_OPEN`] pairings are open at once, and at
//! most [`MAX_OPEN_PER_CLIENT`] from one address.

pub mod protocol;

use crate::clock;
use crate::crypto::random_bytes;
use crate::error::{Outcome, Problem};
use crate::storage::object::{answer, durable_object_serving, Done, Reply, StorageObject};
use crate::storage::sql;
use domain::api::owner::PairingStatus;
use domain::api::ErrorCode;
use domain::pairing::PairingCode;
use domain::shop::{Label, RegisterId, ShopId};
use domain::UnixMillis;
use protocol::{Approve, Opened, PairingOperation, Poll, Ready, Start};
use serde::Deserialize;
use worker::{durable_object, Env, SqlStorage, State};

/// Open pairings at once, across every shop; starting more is refused until some expire.
const MAX_OPEN: i64 = 10_000;
/// Open pairings from one address (a shop setting up its tills needs a handful).
const MAX_OPEN_PER_CLIENT: i64 = 30;
/// Fresh codes tried when one is taken (30⁸ codes: a clash is already rare).
const CODE_TRIES: usize = 8;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS pairings (
    code TEXT PRIMARY KEY,
    secret_hash TEXT NOT NULL UNIQUE,
    client_hash TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('waiting', 'approved', 'ready')),
    register_id TEXT,
    shop_id TEXT,
    name TEXT,
    token TEXT
);
CREATE INDEX IF NOT EXISTS pairings_by_expiry ON pairings (expires_at);
CREATE INDEX IF NOT EXISTS pairings_by_client ON pairings (client_hash);
";

#[durable_object]
pub struct PairingDesk {
    sql: SqlStorage,
}

durable_object_serving!(PairingDesk);

impl StorageObject for PairingDesk {
    type Operation = PairingOperation;

    fn open(state: State, _env: Env) -> Self {
        Self { sql: state.storage().sql() }
    }

    async fn handle(&self, operation: PairingOperation) -> Outcome<Reply> {
        sql::create(&self.sql, SCHEMA)?;
        match operation {
            PairingOperation::Start(request) => answer(request, |r| self.start(r)),
            PairingOperation::Approve(request) => answer(request, |r| self.approve(r)),
            PairingOperation::Ready(request) => answer(request, |r| self.ready(r)),
            PairingOperation::Poll(request) => answer(request, |r| self.poll(r)),
        }
    }
}

#[derive(Deserialize)]
struct PairingRow {
    code: String,
    expires_at: i64,
    state: String,
    register_id: Option<String>,
    shop_id: Option<String>,
    name: Option<String>,
    token: Option<String>,
}

fn invalid() -> Problem {
    Problem::new(ErrorCode::PairingInvalid, "no register is waiting with this code: it may have expired or been used")
}

impl PairingDesk {
    fn forget_expired(&self, now: UnixMillis) -> Outcome<()> {
        self.sql.exec("DELETE FROM pairings WHERE expires_at <= ?", vec![now.into()])?;
        Ok(())
    }

    fn start(&self, request: Start) -> Outcome<Opened> {
        let now = clock::now();
        self.forget_expired(now)?;
        let full = || {
            Problem::new(
                ErrorCode::TooManyAttempts,
                "too many registers are waiting to be paired: try again in a few minutes",
            )
        };
        if sql::number(&self.sql, "SELECT COUNT(*) AS n FROM pairings", None)? >= MAX_OPEN {
            return Err(full());
        }
        let from_client = sql::number(
            &self.sql,
            "SELECT COUNT(*) AS n FROM pairings WHERE client_hash = ?",
            vec![request.client_hash.clone().into()],
        )?;
        if from_client >= MAX_OPEN_PER_CLIENT {
            return Err(full());
        }
        let expires_at = now.saturating_add(request.lifetime_ms);
        for _ in 0..CODE_TRIES {
            let Some(code) = PairingCode::from_random_bytes(&random_bytes::<32>()?) else { continue };
            let taken = sql::number(
                &self.sql,
                "SELECT COUNT(*) AS n FROM pairings WHERE code = ?",
                vec![code.as_str().into()],
            )? > 0;
            if taken {
                continue;
            }
            self.sql.exec(
                "INSERT INTO pairings (code, secret_hash, client_hash, expires_at, state) VALUES (?, ?, ?, ?, 'waiting')",
                vec![
                    code.as_str().into(),
                    request.secret_hash.clone().into(),
                    request.client_hash.clone().into(),
                    expires_at.into(),
                ],
            )?;
            return Ok(Opened { code, expires_at });
        }
        Err(Problem::internal("no free pairing code found"))
    }

    fn approve(&self, request: Approve) -> Outcome<Done> {
        let now = clock::now();
        let row: Option<PairingRow> =
            sql::first(&self.sql, "SELECT * FROM pairings WHERE code = ?", vec![request.code.as_str().into()])?;
        match row {
            Some(row) if row.state == "waiting" && domain::pairing::is_open(row.expires_at, now) => {
                // The page now has a fresh window to collect its credential.
                self.sql.exec(
                    "UPDATE pairings SET state = 'approved', register_id = ?, shop_id = ?, name = ?, token = ?,
                     expires_at = ? WHERE code = ?",
                    vec![
                        request.register_id.as_str().into(),
                        request.shop_id.as_str().into(),
                        request.name.as_str().into(),
                        request.token.into(),
                        now.saturating_add(request.lifetime_ms).into(),
                        row.code.into(),
                    ],
                )?;
                Ok(Done)
            }
            _ => Err(invalid()),
        }
    }

    fn ready(&self, request: Ready) -> Outcome<Done> {
        self.sql.exec(
            "UPDATE pairings SET state = 'ready' WHERE code = ? AND state = 'approved'",
            vec![request.code.as_str().into()],
        )?;
        Ok(Done)
    }

    fn poll(&self, request: Poll) -> Outcome<PairingStatus> {
        let now = clock::now();
        self.forget_expired(now)?;
        let row: Option<PairingRow> =
            sql::first(&self.sql, "SELECT * FROM pairings WHERE secret_hash = ?", vec![request.secret_hash.into()])?;
        let Some(row) = row else { return Ok(PairingStatus::Expired) };
        if row.state != "ready" {
            return Ok(PairingStatus::Waiting { expires_at: row.expires_at });
        }
        // Handed over exactly once: the row (and the token in it) goes now.
        self.sql.exec("DELETE FROM pairings WHERE code = ?", vec![row.code.clone().into()])?;
        let corrupt = |what| sql::corrupt("PairingDesk", what);
        let register_id =
            row.register_id.and_then(|id| RegisterId::parse(&id).ok()).ok_or_else(|| corrupt("register id"))?;
        let shop_id = row.shop_id.and_then(|id| ShopId::parse(&id).ok()).ok_or_else(|| corrupt("shop id"))?;
        let name = row.name.and_then(|name| Label::parse(&name).ok()).ok_or_else(|| corrupt("register name"))?;
        let token = row.token.ok_or_else(|| corrupt("token"))?;
        Ok(PairingStatus::Paired { register_id, shop_id, name, token })
    }
}
