//! `ShopBook`: one Durable Object per shop. It owns what must be decided
//! atomically for a shop: that its id is taken, the per-shop customer numbers
//! (1, 2, 3… in joining order, one per member, idempotently), and the request
//! ids its registers have used.

use crate::clock;
use crate::error::{Outcome, Problem};
use crate::storage::internal;
use domain::api::{ErrorCode, ShopSummary};
use domain::member::MemberNumber;
use domain::shop::{CustomerNumber, RequestId, ShopId};
use serde::{Deserialize, Serialize};
use worker::{durable_object, DurableObject, Env, Request, Response, SqlStorage, State};

const BINDING: &str = "SHOP_BOOK";
/// How long a used request id is remembered: far longer than any retry.
const REQUEST_MEMORY_MS: i64 = 7 * 24 * 60 * 60_000;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS profile (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    shop TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS customers (
    member_number TEXT PRIMARY KEY,
    customer_number INTEGER NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS requests (
    request_id TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS requests_by_time ON requests (at);
";

// ---- the protocol ----

#[derive(Serialize, Deserialize)]
struct Create {
    shop: ShopSummary,
}

#[derive(Serialize, Deserialize)]
struct Enroll {
    member_number: MemberNumber,
}

#[derive(Serialize, Deserialize)]
pub struct Enrolment {
    pub shop: ShopSummary,
    pub customer_number: CustomerNumber,
}

#[derive(Serialize, Deserialize)]
struct Claim {
    request_id: RequestId,
    fingerprint: String,
}

#[derive(Serialize, Deserialize)]
struct Empty {}

// ---- the Worker's side ----

fn stub(env: &Env, shop_id: &ShopId) -> Outcome<worker::Stub> {
    Ok(env.durable_object(BINDING)?.get_by_name(shop_id.as_str())?)
}

/// Records a new shop; `already_exists` if the id is taken.
pub async fn create(env: &Env, shop: &ShopSummary) -> Outcome<ShopSummary> {
    internal::call(&stub(env, &shop.shop_id)?, "create", &Create { shop: shop.clone() }).await
}

/// The shop as recorded at creation, or `None` if no such shop exists.
pub async fn profile(env: &Env, shop_id: &ShopId) -> Outcome<Option<ShopSummary>> {
    internal::call(&stub(env, shop_id)?, "profile", &Empty {}).await
}

/// The member's customer number at this shop, allocated on first call.
pub async fn enroll(env: &Env, shop_id: &ShopId, member_number: &MemberNumber) -> Outcome<Enrolment> {
    internal::call(&stub(env, shop_id)?, "enroll", &Enroll { member_number: member_number.clone() }).await
}

/// Claims a request id for one request (described by `fingerprint`). Claiming
/// it again for the same request succeeds (a retry); for another request it is
/// refused with `request_id_reused`.
pub async fn claim_request(env: &Env, shop_id: &ShopId, request_id: &RequestId, fingerprint: String) -> Outcome<()> {
    let _: Empty =
        internal::call(&stub(env, shop_id)?, "claim", &Claim { request_id: request_id.clone(), fingerprint }).await?;
    Ok(())
}

// ---- the object ----

/// The schema is created only when the shop is: asking about an id that was
/// never created (a typo, a probe) must not leave an object behind.
#[durable_object]
pub struct ShopBook {
    sql: SqlStorage,
}

impl DurableObject for ShopBook {
    fn new(state: State, _env: Env) -> Self {
        Self { sql: state.storage().sql() }
    }

    async fn fetch(&self, mut req: Request) -> worker::Result<Response> {
        internal::answer(self.handle(&mut req).await)
    }
}

#[derive(Deserialize)]
struct TableRow {
    #[allow(dead_code)]
    name: String,
}

#[derive(Deserialize)]
struct ShopRow {
    shop: String,
}

#[derive(Deserialize)]
struct CustomerRow {
    customer_number: i64,
}

#[derive(Deserialize)]
struct FingerprintRow {
    fingerprint: String,
}

impl ShopBook {
    async fn handle(&self, req: &mut Request) -> Outcome<serde_json::Value> {
        let (operation, body) = internal::operation(req).await?;
        // Everything below runs without awaiting: the object's input gate makes it atomic.
        let value = match operation.as_str() {
            "create" => serde_json::to_value(self.create(internal::parse(&body)?)?)?,
            "profile" => serde_json::to_value(self.profile()?)?,
            "enroll" => serde_json::to_value(self.enroll(internal::parse(&body)?)?)?,
            "claim" => serde_json::to_value(self.claim(internal::parse(&body)?)?)?,
            other => return Err(internal::unknown_operation(other)),
        };
        Ok(value)
    }

    fn exists(&self) -> Outcome<bool> {
        let tables: Vec<TableRow> = self
            .sql
            .exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'profile'", None)?
            .to_array()?;
        Ok(!tables.is_empty())
    }

    fn profile(&self) -> Outcome<Option<ShopSummary>> {
        if !self.exists()? {
            return Ok(None);
        }
        let rows: Vec<ShopRow> = self.sql.exec("SELECT shop FROM profile WHERE id = 1", None)?.to_array()?;
        match rows.into_iter().next() {
            Some(row) => Ok(Some(serde_json::from_str(&row.shop)?)),
            None => Ok(None),
        }
    }

    fn create(&self, request: Create) -> Outcome<ShopSummary> {
        if self.profile()?.is_some() {
            return Err(Problem::new(
                ErrorCode::AlreadyExists,
                format!("a shop with id {} exists already", request.shop.shop_id),
            ));
        }
        self.sql.exec(SCHEMA, None)?;
        let json = serde_json::to_string(&request.shop)?;
        self.sql.exec("INSERT INTO profile (id, shop) VALUES (1, ?)", vec![json.into()])?;
        Ok(request.shop)
    }

    fn enroll(&self, request: Enroll) -> Outcome<Enrolment> {
        let shop = self.profile()?.ok_or_else(|| Problem::new(ErrorCode::UnknownShop, "there is no such shop"))?;
        let member = request.member_number.as_str();
        let existing: Vec<CustomerRow> = self
            .sql
            .exec("SELECT customer_number FROM customers WHERE member_number = ?", vec![member.into()])?
            .to_array()?;
        let number = match existing.into_iter().next() {
            Some(row) => row.customer_number,
            None => {
                let rows: Vec<CustomerRow> = self
                    .sql
                    .exec("SELECT COALESCE(MAX(customer_number), 0) + 1 AS customer_number FROM customers", None)?
                    .to_array()?;
                let next = rows.into_iter().next().map_or(1, |row| row.customer_number);
                self.sql.exec(
                    "INSERT INTO customers (member_number, customer_number) VALUES (?, ?)",
                    vec![member.into(), next.into()],
                )?;
                next
            }
        };
        let customer_number = u32::try_from(number).map_err(|_| Problem::internal("customer number out of range"))?;
        Ok(Enrolment { shop, customer_number: CustomerNumber(customer_number) })
    }

    fn claim(&self, request: Claim) -> Outcome<Empty> {
        if !self.exists()? {
            return Err(Problem::new(ErrorCode::UnknownShop, "there is no such shop"));
        }
        let rows: Vec<FingerprintRow> = self
            .sql
            .exec("SELECT fingerprint FROM requests WHERE request_id = ?", vec![request.request_id.as_str().into()])?
            .to_array()?;
        match rows.into_iter().next() {
            Some(row) if row.fingerprint == request.fingerprint => Ok(Empty {}),
            Some(_) => Err(Problem::new(
                ErrorCode::RequestIdReused,
                "this request id was already used for a different request; use a new one per sale",
            )),
            None => {
                let now = clock::now();
                self.sql.exec("DELETE FROM requests WHERE at < ?", vec![(now - REQUEST_MEMORY_MS).into()])?;
                self.sql.exec(
                    "INSERT INTO requests (request_id, fingerprint, at) VALUES (?, ?, ?)",
                    vec![request.request_id.as_str().into(), request.fingerprint.into(), now.into()],
                )?;
                Ok(Empty {})
            }
        }
    }
}
