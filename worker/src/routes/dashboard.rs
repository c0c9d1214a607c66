//! The owner's dashboard and its CSV exports, routed from the owners' table
//! ([`super::owner`]). Figures come from the shop's
//! [`ShopStats`](crate::storage::shop_stats::ShopStats) aggregates: a view
//! reads a few rows per day of its range, never the shop's history. An owner
//! sees every store or one; a store manager only their store, and not the
//! shop-wide figures (liabilities, customers), nor the customers export.

use crate::auth;
use crate::auth::ShopManager;
use crate::clock;
use crate::error::{Outcome, Problem};
use crate::routes::stores;
use crate::storage::shop_book::protocol::ShopClient;
use crate::storage::shop_stats::protocol::{CouponUses, DayRange, StatsClient};
use crate::web;
use crate::zone::Zone;
use domain::api::dashboard::{CouponFigures, Dashboard, DayFigures, Figures};
use domain::api::{ErrorCode, ShopSummary};
use domain::coupons::CouponId;
use domain::points_expiry::{local_date, CivilDate, FixedOffset};
use domain::segments::movement_window;
use domain::staff::StaffAction;
use domain::stats::{bucket_of, csv_row, csv_text, signed_decimal, weekday_of, DateRange};
use domain::store::StoreId;
use domain::UnixMillis;
use worker::{Env, Request, Response};

/// The range a dashboard shows when none is asked: the last 30 local days.
const DEFAULT_DAYS: i64 = 30;

/// What one dashboard call is about, checked: the shop, the local days and the store.
struct Scope {
    shop: ShopSummary,
    manager: ShopManager,
    range: DateRange,
    store_id: Option<StoreId>,
}

impl Scope {
    fn days(&self) -> DayRange {
        DayRange { from_day: self.range.from.days(), to_day: self.range.to.days(), store_id: self.store_id.clone() }
    }

    fn stats(&self, env: &Env) -> Outcome<StatsClient> {
        StatsClient::of(env, &self.shop.shop_id)
    }

    /// `2027-03-01 14:05` in the shop's zone (UTC if the platform does not know it).
    fn local_time(&self, at: UnixMillis) -> String {
        let bucket = match Zone::of(&self.shop.programme.time_zone) {
            Some(zone) => bucket_of(at, &zone),
            None => bucket_of(at, &FixedOffset(0)),
        };
        bucket.map(|bucket| bucket.stamp()).unwrap_or_default()
    }

    /// The instants the range's segment movement compares, in the shop's zone (UTC if unknown).
    fn movement_window(&self, now: UnixMillis) -> Outcome<(UnixMillis, UnixMillis)> {
        let (from, to) = (self.range.from, self.range.to);
        match Zone::of(&self.shop.programme.time_zone) {
            Some(zone) => movement_window(from, to, &zone, now),
            None => movement_window(from, to, &FixedOffset(0), now),
        }
        .ok_or_else(|| Problem::internal("a dashboard range has no start in the shop's zone"))
    }

    fn file_name(&self, what: &str) -> String {
        format!("{}-{what}-{}-{}.csv", self.shop.shop_id.as_str(), self.range.from.iso(), self.range.to.iso())
    }
}

fn bad_request(message: impl Into<String>) -> Problem {
    Problem::new(ErrorCode::InvalidRequest, message)
}

/// The caller, the shop and `?from=YYYY-MM-DD&to=YYYY-MM-DD&store=…`, checked.
async fn scope(req: &Request, env: &Env, shop_id: &str) -> Outcome<Scope> {
    let (shop, manager) = auth::shop_and_manager(req, env, shop_id).await?;
    let url = req.url()?;
    let param = |name: &str| url.query_pairs().find(|(key, _)| key == name).map(|(_, value)| value.into_owned());
    let range = match (param("from"), param("to")) {
        (Some(from), Some(to)) => {
            DateRange::parse(&from, &to).map_err(|refusal| bad_request(format!("from/to: {refusal}")))?
        }
        (None, None) => {
            let today = match Zone::of(&shop.programme.time_zone) {
                Some(zone) => local_date(clock::now(), &zone),
                None => local_date(clock::now(), &FixedOffset(0)),
            }
            .ok_or_else(|| Problem::internal("today has no local date"))?;
            DateRange::ending(today, DEFAULT_DAYS)
        }
        _ => return Err(bad_request("from and to come together (YYYY-MM-DD), or neither for the last 30 days")),
    };
    let asked = match param("store").filter(|store| !store.is_empty()) {
        Some(store) => Some(StoreId::parse(&store).map_err(|_| bad_request("store: not a store id"))?),
        None => None,
    };
    let store_id = match (&manager, asked) {
        // A manager sees their own store only; without `store`, the first they manage.
        (ShopManager::StoreManager { stores: managed, .. }, asked) => {
            let store = asked.or_else(|| managed.first().cloned()).unwrap_or_default();
            manager.require_in(StaffAction::ViewDashboard, &store)?;
            Some(store)
        }
        (_, Some(store)) => {
            stores::require_existing(env, &shop.shop_id, &store).await?;
            Some(store)
        }
        (_, None) => None,
    };
    Ok(Scope { shop, manager, range, store_id })
}

/// `GET /api/owner/shops/{shop}/dashboard` → [`Dashboard`].
pub async fn dashboard(req: Request, env: &Env, shop_id: &str) -> Outcome<Response> {
    let scope = scope(&req, env, shop_id).await?;
    let stats = scope.stats(env)?;
    let figures = stats.figures(scope.days()).await?;
    let mut totals = Figures::default();
    let mut by_day = figures.days.into_iter().peekable();
    let mut days = Vec::new();
    for day in scope.range.days() {
        let figures = match by_day.peek() {
            Some((number, _)) if *number == day.days() => by_day.next().map(|(_, f)| f).unwrap_or_default(),
            _ => Figures::default(),
        };
        totals = add(totals, &figures);
        days.push(DayFigures { day: day.iso(), figures });
    }
    let mut hours = vec![vec![0i64; 24]; 7];
    for (day, hour, visits) in figures.hours {
        let weekday = usize::from(weekday_of(CivilDate::from_days(day)));
        if let Some(slot) = hours.get_mut(weekday).and_then(|row| row.get_mut(usize::from(hour))) {
            *slot = slot.saturating_add(visits);
        }
    }
    let (shop_wide, coupons) = if scope.manager.runs_shop() {
        let now = clock::shop_now(&scope.shop.shop_id);
        // Two objects, read at once.
        let (shop_wide, coupons) = futures_util::future::join(
            stats.shop_wide(now, scope.movement_window(now)?),
            coupon_figures(env, &scope, figures.coupons),
        )
        .await;
        (Some(shop_wide?), coupons?)
    } else {
        (None, Vec::new())
    };
    web::ok(&Dashboard {
        shop_id: scope.shop.shop_id.clone(),
        currency: scope.shop.currency,
        time_zone: scope.shop.programme.time_zone.clone(),
        from: scope.range.from.iso(),
        to: scope.range.to.iso(),
        store_id: scope.store_id.clone(),
        totals,
        days,
        hours,
        top_products: figures.top_products,
        top_rewards: figures.top_rewards,
        coupons,
        gates: figures.gates,
        shop_wide,
    })
}

/// Each coupon issued or used in the range: first offers per local day from the shop's book,
/// uses per day and store from the statistics (both counted as they happen). Coupons are the
/// owners': a store manager's dashboard has none.
async fn coupon_figures(env: &Env, scope: &Scope, uses: Vec<CouponUses>) -> Outcome<Vec<CouponFigures>> {
    let book = ShopClient::of(env, &scope.shop.shop_id)?;
    let issued = book.coupons_issued(scope.range.from.days(), scope.range.to.days()).await?;
    let mut figures: Vec<CouponFigures> = uses
        .into_iter()
        .map(|uses| CouponFigures {
            coupon_id: uses.coupon_id,
            name: uses.name,
            issued: 0,
            used: uses.used,
            revenue_minor: uses.revenue_minor,
            returning: uses.returning,
        })
        .collect();
    let unused: Vec<(CouponId, i64)> = issued
        .into_iter()
        .filter_map(|(coupon_id, count)| match figures.iter_mut().find(|figure| figure.coupon_id == coupon_id) {
            Some(figure) => {
                figure.issued = count;
                None
            }
            None => Some((coupon_id, count)),
        })
        .collect();
    if !unused.is_empty() {
        // Issued in the range but not used: their names come from the shop's list.
        let listed = book.coupons().await?;
        for (coupon_id, count) in unused {
            if let Some(owned) = listed.iter().find(|owned| owned.coupon.coupon_id == coupon_id) {
                figures.push(CouponFigures {
                    coupon_id,
                    name: owned.coupon.terms.name.clone(),
                    issued: count,
                    used: 0,
                    revenue_minor: 0,
                    returning: 0,
                });
            }
        }
    }
    figures.sort_by(|a, b| b.used.cmp(&a.used).then(b.issued.cmp(&a.issued)).then(a.coupon_id.cmp(&b.coupon_id)));
    Ok(figures)
}

fn add(a: Figures, b: &Figures) -> Figures {
    Figures {
        visits: a.visits.saturating_add(b.visits),
        new_visits: a.new_visits.saturating_add(b.new_visits),
        revenue_minor: a.revenue_minor.saturating_add(b.revenue_minor),
        items: a.items.saturating_add(b.items),
        points_issued: a.points_issued.saturating_add(b.points_issued),
        points_redeemed: a.points_redeemed.saturating_add(b.points_redeemed),
        points_expired: a.points_expired.saturating_add(b.points_expired),
        prepaid_in: a.prepaid_in.saturating_add(b.prepaid_in),
        prepaid_out: a.prepaid_out.saturating_add(b.prepaid_out),
        refunds: a.refunds.saturating_add(b.refunds),
    }
}

/// `GET …/dashboard/sales-lines.csv`: every line sold or refunded in the range.
pub async fn sales_lines(req: Request, env: &Env, shop_id: &str) -> Outcome<Response> {
    let scope = scope(&req, env, shop_id).await?;
    let currency = scope.shop.currency;
    let mut body = csv_row(
        &[
            "local_time",
            "receipt",
            "store",
            "customer",
            "product_code",
            "product",
            "quantity",
            "unit_price",
            "amount",
            "currency",
        ]
        .map(String::from),
    );
    for line in scope.stats(env)?.sale_lines(scope.days()).await? {
        body.push_str(&csv_row(&[
            line.local_time,
            csv_text(&line.receipt_number),
            csv_text(&line.store_id),
            line.customer_number.to_string(),
            csv_text(&line.product_code),
            csv_text(&line.name),
            line.quantity.to_string(),
            signed_decimal(line.unit_price_minor, currency),
            signed_decimal(line.revenue_minor, currency),
            currency.as_str().to_owned(),
        ]));
    }
    web::csv(body, &scope.file_name("sales-lines"))
}

/// `GET …/dashboard/ledger.csv`: each receipt's revenue, points and prepaid movement in the range.
pub async fn ledger(req: Request, env: &Env, shop_id: &str) -> Outcome<Response> {
    let scope = scope(&req, env, shop_id).await?;
    let currency = scope.shop.currency;
    let mut body = csv_row(
        &["local_time", "receipt", "store", "customer", "kind", "revenue", "points", "prepaid", "currency"]
            .map(String::from),
    );
    for row in scope.stats(env)?.ledger(scope.days()).await? {
        body.push_str(&csv_row(&[
            row.local_time,
            csv_text(&row.receipt_number),
            csv_text(&row.store_id),
            row.customer_number.to_string(),
            csv_text(&row.movement),
            signed_decimal(row.revenue_minor, currency),
            row.points_change.to_string(),
            signed_decimal(row.prepaid_change, currency),
            currency.as_str().to_owned(),
        ]));
    }
    web::csv(body, &scope.file_name("ledger"))
}

/// `GET …/dashboard/customers.csv` (owners only): one row per customer, with their segment now.
pub async fn customers(req: Request, env: &Env, shop_id: &str) -> Outcome<Response> {
    let scope = scope(&req, env, shop_id).await?;
    scope.manager.require_owner()?;
    let currency = scope.shop.currency;
    let mut body = csv_row(
        &[
            "customer",
            "joined",
            "first_visit",
            "last_visit",
            "visits",
            "spend",
            "favourite_product",
            "segment",
            "currency",
        ]
        .map(String::from),
    );
    let time = |at: Option<UnixMillis>| at.map(|at| scope.local_time(at)).unwrap_or_default();
    for row in scope.stats(env)?.customers(clock::shop_now(&scope.shop.shop_id)).await? {
        body.push_str(&csv_row(&[
            row.customer_number.to_string(),
            time(Some(row.joined_at)),
            time(row.first_visit_at),
            time(row.last_visit_at),
            row.visits.to_string(),
            signed_decimal(row.spend_minor, currency),
            csv_text(&row.favourite_product),
            row.segment.label().to_owned(),
            currency.as_str().to_owned(),
        ]));
    }
    let file_name = format!("{}-customers.csv", scope.shop.shop_id.as_str());
    web::csv(body, &file_name)
}
