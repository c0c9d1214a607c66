//! `ShopBook`: one Durable Object per shop. It owns what must be decided
//! atomically for a shop: that its id is taken, the per-shop customer numbers
//! (1, 2, 3… in joining order, one per member, idempotently), the request
//! ids its registers have used, its registers ([`registers`]), its stores
//! ([`stores`]), each register standing in one store, its staff with
//! their sessions at the registers ([`staff`]), and its coupons with their
//! shop-wide counters and use reservations ([`coupons`]), its card processor
//! account with the events the processor sent ([`card_processor`]), and the
//! offline codes issued for the shop with their one use and conflicts, and the offline charges
//! not paid at sync with how the shop settled them ([`offline`]).
//! [`housekeeping`] forgets its short-lived rows on a daily alarm.

pub mod card_processor;
mod code_batch;
pub mod coupons;
mod housekeeping;
pub mod offline;
pub mod offline_bills;
pub mod offline_tickets;
pub mod protocol;
pub mod registers;
pub mod staff;
pub mod stores;

use crate::clock;
use crate::error::{Outcome, Problem};
use crate::refusals;
use crate::storage::daily_alarm::DailyAlarm;
use crate::storage::object::{answer, durable_object_serving, Done, Reply, StorageObject};
use crate::storage::sql;
use domain::api::{ErrorCode, ShopSummary};
use domain::member::MemberNumber;
use domain::shop::CustomerNumber;
use protocol::{Claim, Create, CustomerMember, Enroll, Enrolment, ShopOperation, Update};
use registers::NewRegister;
use serde::Deserialize;
use worker::{durable_object, Env, SqlStorage, State};

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

/// The schema is created only when the shop is: asking about an id that was
/// never created (a typo, a probe) must not leave an object behind.
#[durable_object]
pub struct ShopBook {
    sql: SqlStorage,
    /// The daily housekeeping round (see `housekeeping`).
    housekeeping: DailyAlarm,
    /// Whether the coupon and offline tables are up to date in this instance.
    coupons_ready: sql::SchemaReady,
    offline_ready: sql::SchemaReady,
}

durable_object_serving!(ShopBook, alarm);

impl StorageObject for ShopBook {
    type Operation = ShopOperation;

    fn open(state: State, _env: Env) -> Self {
        let storage = state.storage();
        Self {
            sql: storage.sql(),
            housekeeping: DailyAlarm::new(storage),
            coupons_ready: Default::default(),
            offline_ready: Default::default(),
        }
    }

    async fn handle(&self, operation: ShopOperation) -> Outcome<Reply> {
        let reply = self.decide(operation);
        if let Err(problem) = self.keep_housekeeping_scheduled().await {
            worker::console_error!("shop book housekeeping not scheduled: {problem:?}");
        }
        reply
    }

    async fn alarm(&self) -> Outcome<()> {
        self.housekeeping_round().await
    }
}

impl ShopBook {
    /// Everything here runs without awaiting: the object's input gate makes it atomic.
    fn decide(&self, operation: ShopOperation) -> Outcome<Reply> {
        match operation {
            ShopOperation::Create(request) => answer(request, |r| self.create(r)),
            ShopOperation::Profile(request) => answer(request, |_| self.shop()),
            ShopOperation::Update(request) => answer(request, |r| self.update(r)),
            ShopOperation::Enroll(request) => answer(request, |r| self.enroll(r)),
            ShopOperation::Claim(request) => answer(request, |r| self.claim(r)),
            ShopOperation::AddRegister(request) => answer(request, |r| self.add_register(r.register)),
            ShopOperation::Registers(request) => answer(request, |_| self.registers()),
            ShopOperation::RevokeRegister(request) => {
                answer(request, |r| self.with_shop(|_| registers::revoke(&self.sql, &r.register_id)).map(|()| Done))
            }
            ShopOperation::SeeRegister(request) => answer(request, |r| self.see_register(r.register)),
            ShopOperation::CustomerMember(request) => answer(request, |r| self.customer_member(r)),
            ShopOperation::Stores(request) => answer(request, |_| self.with_shop(|shop| stores::list(&self.sql, shop))),
            ShopOperation::AddStore(request) => answer(request, |r| self.with_shop(|_| stores::add(&self.sql, r.name))),
            ShopOperation::ChangeStore(request) => {
                answer(request, |r| self.with_shop(|shop| stores::change(&self.sql, shop, r)))
            }
            ShopOperation::CloseStore(request) => answer(request, |r| self.close_store(&r.store_id)),
            ShopOperation::AddStaff(request) => answer(request, |r| {
                self.with_shop(|shop| {
                    stores::open_one(&self.sql, shop, &r.person.store_id)?;
                    self.staff().add(r.person)
                })
            }),
            ShopOperation::Staff(request) => answer(request, |_| self.with_shop(|_| self.staff().list())),
            ShopOperation::RemoveStaff(request) => {
                answer(request, |r| self.with_shop(|_| self.staff().remove(r.staff_number)).map(|()| Done))
            }
            ShopOperation::ResetStaffPin(request) => {
                answer(request, |r| self.with_shop(|_| self.staff().reset_pin(r.staff_number, &r.pin)).map(|()| Done))
            }
            ShopOperation::BeginStaffPin(request) => {
                answer(request, |r| self.with_shop(|_| self.staff().begin_pin(r.staff_number, &r.register_id)))
            }
            ShopOperation::FinishStaffPin(request) => answer(request, |r| {
                self.with_shop(|_| self.staff().finish_pin(r.staff_number, &r.register_id, r.correct)).map(|()| Done)
            }),
            ShopOperation::OpenStaffSession(request) => answer(request, |r| {
                self.with_shop(|_| self.staff().open_session(r.staff_number, &r.register_id, r.session)).map(|()| Done)
            }),
            ShopOperation::Duty(request) => {
                answer(request, |r| self.with_shop(|_| self.staff().duty(&r.register_id, r.token_hash.as_deref())))
            }
            ShopOperation::EndStaffSession(request) => {
                answer(request, |r| self.with_shop(|_| self.staff().end_session(&r.token_hash)).map(|()| Done))
            }
            ShopOperation::CreateCoupon(request) => {
                answer(request, |r| self.with_shop(|_| self.coupons().create(r.terms)))
            }
            ShopOperation::Coupons(request) => answer(request, |_| self.with_shop(|_| self.coupons().list())),
            ShopOperation::EndCoupon(request) => {
                answer(request, |r| self.with_shop(|_| self.coupons().end(&r.coupon_id)))
            }
            ShopOperation::CouponOffers(request) => answer(request, |r| {
                self.with_shop(|shop| {
                    let now = clock::shop_now(&shop.shop_id);
                    self.coupons().offers(&r.member, now, local_day(shop, now)?)
                })
            }),
            ShopOperation::CouponsIssued(request) => {
                answer(request, |r| self.with_shop(|_| self.coupons().issued_between(r.from_day, r.to_day)))
            }
            ShopOperation::ReserveCoupon(request) => answer(request, |r| {
                self.with_shop(|shop| {
                    self.coupons().reserve(&r.coupon_id, &r.request_id, clock::shop_now(&shop.shop_id))
                })
            }),
            ShopOperation::ConcludeCoupon(request) => answer(request, |r| {
                self.with_shop(|_| self.coupons().conclude(&r.coupon_id, &r.request_id, r.used)).map(|()| Done)
            }),
            ShopOperation::TakeBackCoupon(request) => {
                answer(request, |r| self.with_shop(|_| self.coupons().take_back(&r)).map(|()| Done))
            }
            ShopOperation::CardKeys(request) => answer(request, |_| self.with_shop(|_| self.cards().keys())),
            ShopOperation::SetCardKeys(request) => {
                answer(request, |r| self.with_shop(|_| self.cards().set_keys(r.keys, clock::now())).map(|()| Done))
            }
            ShopOperation::ForgetCardKeys(request) => {
                answer(request, |_| self.with_shop(|_| self.cards().forget_keys()).map(|()| Done))
            }
            ShopOperation::NoteCardEvent(request) => {
                answer(request, |r| self.with_shop(|_| self.cards().note_event(r.event)))
            }
            ShopOperation::CardEvents(request) => answer(request, |_| self.with_shop(|_| self.cards().events(50))),
            ShopOperation::IssueOffline(request) => {
                answer(request, |r| self.with_shop(|_| self.offline().issue(&r.member_number, &r.shown)))
            }
            ShopOperation::RevokeOffline(request) => {
                answer(request, |r| self.with_shop(|_| self.offline().revoke_member(&r.member_number)))
            }
            ShopOperation::RevokedOffline(request) => answer(request, |_| self.with_shop(|_| self.offline().revoked())),
            ShopOperation::UseOffline(request) => {
                answer(request, |r| self.with_shop(|_| self.offline().use_code(&r.code_id, &r.scan, r.amount_minor)))
            }
            ShopOperation::NoteOfflineUnpaid(request) => {
                answer(request, |r| self.with_shop(|_| self.offline().note_unpaid(&r).map(|()| Done)))
            }
            ShopOperation::OfflineConflicts(request) => {
                answer(request, |r| self.offline_conflicts(r.within_stores.as_deref()))
            }
            ShopOperation::SettleOfflineUnpaid(request) => answer(request, |r| self.settle_offline_unpaid(r)),
            ShopOperation::IssueTicketOffline(request) => answer(request, |r| {
                self.with_shop(|_| self.offline().issue_ticket(&r.member_number, &r.ticket, &r.shown))
            }),
            ShopOperation::TicketCode(request) => {
                answer(request, |r| self.with_shop(|_| self.offline().ticket_code(&r.code_id)))
            }
            ShopOperation::GateEvents(request) => answer(request, |_| self.with_shop(|_| self.offline().gate_events())),
            ShopOperation::NoteTicketConflict(request) => {
                answer(request, |r| self.with_shop(|_| self.offline().note_ticket_conflict(&r).map(|()| Done)))
            }
            ShopOperation::IssueBillOffline(request) => answer(request, |r| {
                self.with_shop(|shop| {
                    if shop.currency != r.bill.currency {
                        return Ok(None);
                    }
                    let codes = self.offline().issue_bill(&r.member_number, &r.bill, &r.shown)?;
                    Ok(Some(offline_bills::IssuedBill { shop_name: shop.name.clone(), codes }))
                })
            }),
            ShopOperation::BillCode(request) => {
                answer(request, |r| self.with_shop(|_| self.offline().bill_code(&r.code_id)))
            }
            ShopOperation::Billers(request) => answer(request, |_| self.with_shop(|_| self.offline().billers())),
            ShopOperation::NoteBillConflict(request) => {
                answer(request, |r| self.with_shop(|_| self.offline().note_bill_conflict(&r).map(|()| Done)))
            }
            ShopOperation::Housekeep(request) => answer(request, |r| self.with_shop(|_| self.housekeep(r.now))),
        }
    }
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
struct MemberRow {
    member_number: String,
}

#[derive(Deserialize)]
struct FingerprintRow {
    fingerprint: String,
}

impl ShopBook {
    fn exists(&self) -> Outcome<bool> {
        sql::table_exists(&self.sql, "profile")
    }

    /// The shop as recorded at creation, if it was created.
    fn shop(&self) -> Outcome<Option<ShopSummary>> {
        if !self.exists()? {
            return Ok(None);
        }
        let rows: Vec<ShopRow> = self.sql.exec("SELECT shop FROM profile WHERE id = 1", None)?.to_array()?;
        match rows.into_iter().next() {
            Some(row) => Ok(Some(serde_json::from_str(&row.shop)?)),
            None => Ok(None),
        }
    }

    /// Runs `action` on an existing shop; `unknown_shop` otherwise.
    fn with_shop<T>(&self, action: impl FnOnce(&ShopSummary) -> Outcome<T>) -> Outcome<T> {
        let shop = self.shop()?.ok_or_else(refusals::unknown_shop)?;
        action(&shop)
    }

    /// The `staff` table and its guards and sessions ([`staff`]).
    fn staff(&self) -> staff::StaffBook<'_> {
        staff::StaffBook { sql: &self.sql }
    }

    /// The card processor account and the events it sent ([`card_processor`]).
    fn cards(&self) -> card_processor::CardBook<'_> {
        card_processor::CardBook { sql: &self.sql }
    }

    /// The coupons and their reservations and offers ([`coupons`]).
    fn coupons(&self) -> coupons::CouponBook<'_> {
        coupons::CouponBook { sql: &self.sql, ready: &self.coupons_ready }
    }

    /// Offline codes, their uses and conflicts ([`offline`]).
    fn offline(&self) -> offline::OfflineBook<'_> {
        offline::OfflineBook {
            sql: &self.sql,
            ready: &self.offline_ready,
            ticket_schema: offline_tickets::SCHEMA,
            bill_schema: offline_bills::SCHEMA,
        }
    }

    /// A new register, in an open store of the shop.
    fn add_register(&self, register: NewRegister) -> Outcome<domain::api::owner::RegisterSummary> {
        self.with_shop(|shop| {
            stores::open_one(&self.sql, shop, &register.store_id)?;
            registers::add(&self.sql, &shop.shop_id, register)
        })
    }

    /// A register calls: checked (see [`registers::see`]), and its store named.
    fn see_register(&self, register: NewRegister) -> Outcome<domain::store::Store> {
        self.with_shop(|shop| {
            let store_id = registers::see(&self.sql, register)?;
            // A register's store is never removed; a missing row reads as the main store's name.
            let store = stores::get(&self.sql, shop, &store_id)?.unwrap_or(domain::store::Store {
                store_id,
                name: shop.name.clone(),
                closed_at: None,
                offline_debit_limit_minor: domain::offline::DEFAULT_OFFLINE_DEBIT_LIMIT_MINOR,
            });
            // Closing revoked the store's registers; one known only to KV until now is refused too.
            if store.is_open() {
                Ok(store)
            } else {
                Err(registers::revoked())
            }
        })
    }

    /// Closes a store and revokes its registers in one step, unless it is the
    /// shop's last open store; closing it again revokes what is left.
    fn close_store(&self, store_id: &domain::store::StoreId) -> Outcome<domain::api::stores::StoreClosed> {
        self.with_shop(|shop| {
            stores::existing(&self.sql, shop, store_id)?;
            let open: Vec<_> =
                stores::list(&self.sql, shop)?.into_iter().filter(|s| s.is_open()).map(|s| s.store_id).collect();
            match domain::store::judge_closing(store_id, &open) {
                Ok(domain::store::Closing::Close) => stores::close(&self.sql, store_id, clock::now())?,
                Ok(domain::store::Closing::AlreadyClosed) => {}
                Err(domain::store::CloseRefusal::LastOpenStore) => {
                    return Err(Problem::new(
                        ErrorCode::LastOpenStore,
                        "this is the shop's last open store: open another one before closing it",
                    ))
                }
            }
            let revoked_registers = registers::revoke_store(&self.sql, store_id)?;
            let store = stores::existing(&self.sql, shop, store_id)?;
            Ok(domain::api::stores::StoreClosed { store, revoked_registers })
        })
    }

    /// Codes used twice, and the charges not paid (open and settled); with `within_stores`, only
    /// the charges of registers standing in those stores (and the bills those stores collected).
    fn offline_conflicts(
        &self,
        within_stores: Option<&[domain::store::StoreId]>,
    ) -> Outcome<domain::api::offline::OfflineConflicts> {
        self.with_shop(|shop| {
            let offline = self.offline();
            let (mut unpaid, mut unpaid_settled) = (offline.unpaid()?, offline.unpaid_settled()?);
            let mut bills = offline.bill_conflicts()?;
            if let Some(stores) = within_stores {
                // A bill collected offline is followed up by the store that took the money.
                bills.retain(|conflict| stores.contains(&conflict.second.store));
                let registers = registers::list(&self.sql, &shop.shop_id)?;
                let within = |charge: &domain::api::offline::OfflineUnpaid| {
                    registers.iter().any(|r| r.register_id == charge.scan.register_id && stores.contains(&r.store_id))
                };
                unpaid.retain(within);
                unpaid_settled.retain(within);
            }
            Ok(domain::api::offline::OfflineConflicts {
                conflicts: offline.conflicts()?,
                unpaid,
                unpaid_settled,
                tickets: offline.ticket_conflicts()?,
                bills,
            })
        })
    }

    /// Settles a charge not paid at sync, once, in one synchronous stretch: the charge is looked
    /// up, a store manager's reach checked by the store its register stands in, then settled.
    fn settle_offline_unpaid(
        &self,
        request: protocol::SettleOfflineUnpaid,
    ) -> Outcome<domain::api::offline::OfflineUnpaid> {
        self.with_shop(|shop| {
            if let Some(stores) = &request.within_stores {
                let charge =
                    self.offline().unpaid_one(&request.request_id)?.ok_or_else(refusals::no_such_unpaid_charge)?;
                let registers = registers::list(&self.sql, &shop.shop_id)?;
                let store = registers.iter().find(|r| r.register_id == charge.scan.register_id).map(|r| &r.store_id);
                if !store.is_some_and(|store| stores.contains(store)) {
                    return Err(Problem::new(ErrorCode::Forbidden, "this charge was made at another store's register"));
                }
            }
            self.offline().settle(&request.request_id, &request.settlement)
        })
    }

    fn registers(&self) -> Outcome<Vec<domain::api::owner::RegisterSummary>> {
        self.with_shop(|shop| registers::list(&self.sql, &shop.shop_id))
    }

    fn create(&self, request: Create) -> Outcome<ShopSummary> {
        if self.shop()?.is_some() {
            return Err(Problem::new(
                ErrorCode::AlreadyExists,
                format!("a shop with id {} exists already", request.shop.shop_id),
            ));
        }
        self.sql.exec(SCHEMA, None)?;
        let json = serde_json::to_string(&request.shop)?;
        self.sql.exec("INSERT INTO profile (id, shop) VALUES (1, ?)", vec![json.into()])?;
        stores::ready(&self.sql)?;
        Ok(request.shop)
    }

    fn update(&self, request: Update) -> Outcome<ShopSummary> {
        let current = self.shop()?.ok_or_else(refusals::unknown_shop)?;
        if request.shop.shop_id != current.shop_id {
            return Err(Problem::new(ErrorCode::InvalidRequest, "a shop's id cannot change"));
        }
        // Every amount stored for a member (sales, prepaid value, receipts) is in
        // minor units of the shop's currency, and none exists before the first
        // member joins: decided here, atomically with enrolment.
        if request.shop.currency != current.currency {
            let customers = sql::number(&self.sql, "SELECT COUNT(*) AS n FROM customers", None)?;
            if customers > 0 {
                return Err(Problem::new(
                    ErrorCode::CurrencyLocked,
                    format!(
                        "the currency stays {}: members have joined, and their points, prepaid value and receipts \
                         are counted in it",
                        current.currency
                    ),
                ));
            }
        }
        let json = serde_json::to_string(&request.shop)?;
        self.sql.exec("UPDATE profile SET shop = ? WHERE id = 1", vec![json.into()])?;
        Ok(request.shop)
    }

    fn enroll(&self, request: Enroll) -> Outcome<Enrolment> {
        let shop = self.shop()?.ok_or_else(refusals::unknown_shop)?;
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

    /// The member behind a customer number: the `customers` table read the other way.
    fn customer_member(&self, request: CustomerMember) -> Outcome<Option<MemberNumber>> {
        if !self.exists()? {
            return Ok(None);
        }
        let rows: Vec<MemberRow> = self
            .sql
            .exec(
                "SELECT member_number FROM customers WHERE customer_number = ?",
                vec![i64::from(request.customer_number.0).into()],
            )?
            .to_array()?;
        rows.into_iter()
            .next()
            .map(|row| MemberNumber::parse(&row.member_number).map_err(|_| sql::corrupt("shop book", "member number")))
            .transpose()
    }

    /// Drops request ids older than [`REQUEST_MEMORY_MS`]; says how many went.
    fn forget_old_requests(&self, now: domain::UnixMillis) -> Outcome<u32> {
        sql::forget_before(&self.sql, "requests", "at", now.saturating_sub(REQUEST_MEMORY_MS))
    }

    fn claim(&self, request: Claim) -> Outcome<Done> {
        if !self.exists()? {
            return Err(refusals::unknown_shop());
        }
        let rows: Vec<FingerprintRow> = self
            .sql
            .exec("SELECT fingerprint FROM requests WHERE request_id = ?", vec![request.request_id.as_str().into()])?
            .to_array()?;
        match rows.into_iter().next() {
            Some(row) if row.fingerprint == request.fingerprint => Ok(Done),
            Some(_) => Err(refusals::request_id_reused()),
            None => {
                let now = clock::now();
                self.forget_old_requests(now)?;
                self.sql.exec(
                    "INSERT INTO requests (request_id, fingerprint, at) VALUES (?, ?, ?)",
                    vec![request.request_id.as_str().into(), request.fingerprint.into(), now.into()],
                )?;
                Ok(Done)
            }
        }
    }
}

/// The shop's local day of `at` (days since 1970-01-01), in its time zone (UTC if the platform
/// does not know it), as the dashboard counts days.
fn local_day(shop: &ShopSummary, at: domain::UnixMillis) -> Outcome<i64> {
    let date = match crate::zone::Zone::of(&shop.programme.time_zone) {
        Some(zone) => domain::points_expiry::local_date(at, &zone),
        None => domain::points_expiry::local_date(at, &domain::points_expiry::FixedOffset(0)),
    };
    date.map(|date| date.days()).ok_or_else(|| crate::error::Problem::internal("a time without a local day"))
}
