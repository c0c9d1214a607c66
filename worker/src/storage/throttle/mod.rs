//! `Throttle`: one Durable Object per bucket of guesses (a login, a client
//! address, …; named by a hash, so no address or login is kept in clear),
//! holding that bucket's [`Bucket`] (`domain::throttle`). Every isolate and
//! every data centre asks the same object, so the limits hold however the
//! requests are spread. An alarm drops the bucket once it is forgotten: a
//! stranger's guesses leave nothing behind an hour later.

pub mod protocol;

use crate::clock;
use crate::error::Outcome;
use crate::storage::object::{answer, answer_later, serve, Done, Reply, StorageObject};
use crate::storage::sql;
use domain::throttle::{Bucket, Limit};
use protocol::{Begin, Check, Finish, ThrottleOperation};
use serde::Deserialize;
use worker::{durable_object, Env, Request, Response, SqlStorage, State};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS bucket (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    limit_name TEXT NOT NULL,
    bucket TEXT NOT NULL
);
";

#[durable_object]
pub struct Throttle {
    state: State,
    sql: SqlStorage,
}

#[derive(Deserialize)]
struct BucketRow {
    limit_name: String,
    bucket: String,
}

impl worker::DurableObject for Throttle {
    fn new(state: State, env: Env) -> Self {
        <Self as StorageObject>::open(state, env)
    }

    async fn fetch(&self, req: Request) -> worker::Result<Response> {
        serve(self, req).await
    }

    /// Housekeeping: the bucket is dropped once it is forgotten.
    async fn alarm(&self) -> worker::Result<Response> {
        if let Err(problem) = self.forget_if_quiet().await {
            problem.into_response();
        }
        Response::empty()
    }
}

impl StorageObject for Throttle {
    type Operation = ThrottleOperation;

    fn open(state: State, _env: Env) -> Self {
        let sql = state.storage().sql();
        Self { state, sql }
    }

    /// Each operation reads and writes before its first await: atomic inside this object.
    async fn handle(&self, operation: ThrottleOperation) -> Outcome<Reply> {
        match operation {
            ThrottleOperation::Begin(request) => answer_later(request, |r| self.begin(r)).await,
            ThrottleOperation::Finish(request) => answer_later(request, |r| self.finish(r)).await,
            ThrottleOperation::Check(request) => answer(request, |r| self.check(r)),
        }
    }
}

impl Throttle {
    /// The bucket and the limit it counts for, if anything was counted.
    fn load(&self) -> Outcome<Option<(Limit, Bucket)>> {
        if !sql::table_exists(&self.sql, "bucket")? {
            return Ok(None);
        }
        let row: Option<BucketRow> = sql::first(&self.sql, "SELECT limit_name, bucket FROM bucket WHERE id = 1", None)?;
        let Some(row) = row else { return Ok(None) };
        let limit = Limit::from_key(&row.limit_name).ok_or_else(|| sql::corrupt("throttle", "limit name"))?;
        let bucket = serde_json::from_str(&row.bucket).map_err(|_| sql::corrupt("throttle", "bucket"))?;
        Ok(Some((limit, bucket)))
    }

    fn bucket_of(&self, limit: Limit) -> Outcome<Bucket> {
        Ok(self.load()?.filter(|(stored, _)| *stored == limit).map(|(_, bucket)| bucket).unwrap_or_default())
    }

    fn save(&self, limit: Limit, bucket: &Bucket) -> Outcome<()> {
        sql::create(&self.sql, SCHEMA)?;
        self.sql.exec(
            "INSERT INTO bucket (id, limit_name, bucket) VALUES (1, ?, ?)
             ON CONFLICT (id) DO UPDATE SET limit_name = excluded.limit_name, bucket = excluded.bucket",
            vec![limit.key().into(), serde_json::to_string(bucket)?.into()],
        )?;
        Ok(())
    }

    /// Counts a try (as failed until finished); `too_many_attempts` with the
    /// time to wait while the bucket waits out a delay.
    async fn begin(&self, request: Begin) -> Outcome<Done> {
        let backoff = request.limit.backoff();
        let mut bucket = self.bucket_of(request.limit)?;
        bucket.begin(clock::now(), backoff).map_err(crate::refusals::too_many_tries)?;
        self.save(request.limit, &bucket)?;
        self.state.storage().set_alarm(bucket.forgotten_at(backoff)).await?;
        Ok(Done)
    }

    fn check(&self, request: Check) -> Outcome<Done> {
        self.bucket_of(request.limit)?.check(clock::now()).map_err(crate::refusals::too_many_tries)?;
        Ok(Done)
    }

    async fn finish(&self, request: Finish) -> Outcome<Done> {
        let mut bucket = self.bucket_of(request.limit)?;
        bucket.finish(request.success, request.limit.backoff());
        self.save(request.limit, &bucket)?;
        Ok(Done)
    }

    async fn forget_if_quiet(&self) -> Outcome<()> {
        let Some((limit, bucket)) = self.load()? else { return Ok(()) };
        let backoff = limit.backoff();
        if bucket.is_forgotten(clock::now(), backoff) {
            self.state.storage().delete_all().await?;
        } else {
            self.state.storage().set_alarm(bucket.forgotten_at(backoff)).await?;
        }
        Ok(())
    }
}
