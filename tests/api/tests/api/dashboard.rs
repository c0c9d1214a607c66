//! The owner's dashboard: a known history made through the real API (sales
//! with products, a refund, a prepaid top-up and spend, a reward) adds up to
//! exactly the figures the dashboard and its CSV exports show; a receipt sent
//! again counts once; owners see only their shops and store managers only
//! their store; bad dates are refused. Thousands of synthetic sales seeded
//! through the test-only route add up to what their receipts say, segments and
//! movement included.

use api_tests::{
    expect_error, expect_json, redeem, spawn_app, unique_id, SendThroughProxy, TestApp, TestMember, PASSWORD, PIN,
};
use domain::api::dashboard::Dashboard;
use domain::api::owner_accounts::OwnerMe;
use domain::api::staff::ManagerInviteCreated;
use domain::api::{routes, DebitOutcome, DebitStatus, ErrorCode, PointsAccrued, RegisterCreated};
use domain::receipt::{Receipt, ReceiptDetails};
use domain::segments::Segment;
use domain::store::Store;
use reqwest::{Client, RequestBuilder, StatusCode};
use serde_json::{json, Value};
use std::time::{SystemTime, UNIX_EPOCH};

/// Today, yesterday and tomorrow in UTC (the test shops' zone), so a run at midnight still finds its receipts.
fn around_today() -> (String, String) {
    let day_ms = 86_400_000i64;
    let now = i64::try_from(SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis()).unwrap();
    let day = |at: i64| domain::points_expiry::CivilDate::from_days(at.div_euclid(day_ms)).iso();
    (day(now - day_ms), day(now + day_ms))
}

fn with_range(path: &str, query: &str) -> String {
    let (from, to) = around_today();
    format!("{path}?from={from}&to={to}{query}")
}

fn as_admin(app: &TestApp, path: &str) -> RequestBuilder {
    app.http.get(app.url(path)).bearer_auth(&app.admin_token)
}

async fn dashboard_of(request: RequestBuilder) -> Dashboard {
    expect_json(request.dispatch().await.expect("dashboard"), StatusCode::OK).await
}

async fn csv_of(request: RequestBuilder) -> Vec<Vec<String>> {
    let response = request.dispatch().await.expect("csv");
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    assert!(content_type.starts_with("text/csv"), "{content_type}");
    let text = response.text().await.unwrap();
    assert!(text.ends_with("\r\n"), "rows end with CRLF");
    // The test's names hold no separators, so a plain split reads every cell.
    text.split("\r\n").filter(|line| !line.is_empty()).map(|line| line.split(',').map(String::from).collect()).collect()
}

/// The cell of `row` under `column` of the header.
fn cell<'a>(rows: &'a [Vec<String>], row: &'a [String], column: &str) -> &'a str {
    let index = rows[0].iter().position(|name| name == column).unwrap_or_else(|| panic!("no column {column}"));
    &row[index]
}

/// The sum of a decimal column, in minor units.
fn sum_minor(rows: &[Vec<String>], column: &str) -> i64 {
    rows[1..].iter().map(|row| minor(cell(rows, row, column))).sum()
}

fn minor(decimal: &str) -> i64 {
    let (sign, digits) = decimal.strip_prefix('-').map_or((1, decimal), |rest| (-1, rest));
    let (major, cents) = digits.split_once('.').expect("two decimals");
    sign * (major.parse::<i64>().unwrap() * 100 + cents.parse::<i64>().unwrap())
}

/// Sends a sale for the member's `code`; sending the same body again is a register's retry.
async fn sale(app: &TestApp, body: &Value) -> Receipt {
    let response =
        app.http.post(app.url(routes::POINTS)).bearer_auth(&app.register.token).json(body).dispatch().await.unwrap();
    let accrued: PointsAccrued = expect_json(response, StatusCode::OK).await;
    accrued.receipt.expect("a sale's receipt")
}

async fn approved_debit(app: &TestApp, member: &TestMember, operation: Value, pin: Option<&str>) -> Receipt {
    let code = member.issue_code(&app.shop.shop_id).await.code;
    app.debit_ok(&code, &unique_id("debit"), operation).await;
    let shown = member.pending().await.remove(0);
    let approved: DebitStatus = expect_json(member.approve(&shown, pin, 0).await, StatusCode::OK).await;
    match approved.outcome {
        DebitOutcome::Concluded { receipt } => receipt,
        other => panic!("expected a concluded debit, got {other:?}"),
    }
}

#[tokio::test]
async fn the_dashboard_and_its_exports_add_up_to_the_history_made() {
    let app = spawn_app().await;
    app.with_products().await;
    app.with_rewards().await;

    // Alice: coffee 2 × 2.50 and cake 1 × 3.00 (8 points), then the cake is refunded.
    let alice = app.member_of_shop("Alice", false).await;
    let code = alice.issue_code(&app.shop.shop_id).await.code;
    let alice_sale_body = json!({ "code": code, "request_id": unique_id("sale"), "amount_minor": 800, "items": [
        { "name": "Coffee", "quantity": 2, "unit_price": 250, "product_code": "COF" },
        { "name": "Cake", "quantity": 1, "unit_price": 300, "product_code": "CAKE" },
    ]});
    let alice_sale = sale(&app, &alice_sale_body).await;
    let refund_body = json!({ "request_id": unique_id("refund"), "receipt_number": alice_sale.receipt_number,
                               "lines": [{ "line": 2, "quantity": 1 }] });
    let refund = app.http.post(app.url(routes::REFUNDS)).bearer_auth(&app.register.token).json(&refund_body);
    let refund: Receipt = expect_json(refund.dispatch().await.unwrap(), StatusCode::OK).await;
    let ReceiptDetails::Refund { amount_minor: 300, points_taken_back, .. } = refund.details else {
        panic!("a refund of the cake: {refund:?}")
    };
    // The same sale sent again (a register's retry) is the same receipt and counts once.
    assert_eq!(sale(&app, &alice_sale_body).await.receipt_number, alice_sale.receipt_number);

    // Bob: a 600.00 plain sale (600 points) and a 20.00 top-up, then a coffee
    // from prepaid value and a free coffee for 500 points.
    let bob = app.customer(600, 2000).await;
    let coffee = json!({ "kind": "prepaid_charge", "sale": { "kind": "items", "items": [
        { "name": "Coffee", "quantity": 1, "unit_price": 250, "product_code": "COF" } ]}});
    approved_debit(&app, &bob, coffee, Some(PIN)).await;
    approved_debit(&app, &bob, redeem("coffee"), None).await;

    let points_held = alice.points_at(&app.shop.shop_id).await + bob.points_at(&app.shop.shop_id).await;
    assert_eq!(bob.prepaid_at(&app.shop.shop_id).await, 1750);

    let shop = app.shop.shop_id.as_str();
    let board = dashboard_of(as_admin(&app, &with_range(&routes::owner_dashboard(shop), ""))).await;
    let totals = board.totals;
    assert_eq!((totals.visits, totals.new_visits, totals.returning_visits()), (4, 2, 2), "{totals:?}");
    assert_eq!(totals.revenue_minor, 800 - 300 + 60_000 + 250);
    assert_eq!(totals.items, 3 - 1 + 1);
    assert_eq!(totals.points_issued, 8 - points_taken_back + 600);
    assert_eq!((totals.points_redeemed, totals.points_expired), (500, 0));
    assert_eq!((totals.prepaid_in, totals.prepaid_out, totals.refunds), (2000, 250, 1));
    assert_eq!(board.days.len(), 3, "every day of the range, also the empty ones");
    let day_visits: i64 = board.days.iter().map(|day| day.figures.visits).sum();
    assert_eq!(day_visits, 4);
    assert_eq!(board.hours.len(), 7);
    assert_eq!(board.hours.iter().flatten().sum::<i64>(), 4, "each visit in one hour of the week");
    // The cake was refunded whole: only coffee sold, 3 of them.
    assert_eq!(board.top_products.len(), 1, "{:?}", board.top_products);
    assert_eq!(board.top_products[0].key, "COF");
    assert_eq!((board.top_products[0].quantity, board.top_products[0].revenue_minor), (3, 750));
    assert_eq!(board.top_rewards.len(), 1);
    assert_eq!((board.top_rewards[0].reward_id.as_str(), board.top_rewards[0].redeemed), ("coffee", 1));
    let wide = board.shop_wide.expect("the operator sees the shop-wide figures");
    assert_eq!(wide.points_outstanding, points_held);
    assert_eq!(wide.prepaid_float_minor, 1750);
    assert_eq!((wide.customers, wide.active_30_days, wide.active_90_days), (2, 2, 2));
    let new = wide.segments.iter().find(|s| s.segment == Segment::New).map(|s| s.customers);
    assert_eq!(new, Some(2), "{:?}", wide.segments);
    assert_eq!(wide.segments.len(), Segment::ALL.len());

    // The sales lines: Alice's two, Bob's coffee, the refunded cake (negative).
    let lines = csv_of(as_admin(&app, &with_range(&routes::owner_dashboard_sales_lines(shop), ""))).await;
    assert_eq!(lines.len(), 1 + 4, "{lines:?}");
    assert_eq!(sum_minor(&lines, "amount"), 800 - 300 + 250);
    let quantities: i64 = lines[1..].iter().map(|row| cell(&lines, row, "quantity").parse::<i64>().unwrap()).sum();
    assert_eq!(quantities, 3);

    // The ledger: one row per receipt, its movements summing to the balances.
    let ledger = csv_of(as_admin(&app, &with_range(&routes::owner_dashboard_ledger(shop), ""))).await;
    assert_eq!(ledger.len(), 1 + 6, "sale, refund, sale, top-up, prepaid sale, reward: {ledger:?}");
    assert_eq!(sum_minor(&ledger, "revenue"), totals.revenue_minor);
    assert_eq!(sum_minor(&ledger, "prepaid"), 1750);
    let points: i64 = ledger[1..].iter().map(|row| cell(&ledger, row, "points").parse::<i64>().unwrap()).sum();
    assert_eq!(points, points_held);
    let kinds: Vec<&str> = ledger[1..].iter().map(|row| cell(&ledger, row, "kind")).collect();
    for kind in ["sale", "refund", "top_up", "prepaid_sale", "reward"] {
        assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
    }

    // Customers: Alice 1 visit, 5.00 spent after the refund; Bob 3 visits, 602.50.
    let customers = csv_of(as_admin(&app, &routes::owner_dashboard_customers(shop))).await;
    assert_eq!(customers.len(), 1 + 2);
    let row_of = |number: u32| {
        customers[1..]
            .iter()
            .find(|row| cell(&customers, row, "customer") == number.to_string())
            .expect("a customer's row")
    };
    let alice_row = row_of(alice_sale.customer_number.0);
    assert_eq!(cell(&customers, alice_row, "visits"), "1");
    assert_eq!(cell(&customers, alice_row, "spend"), "5.00");
    assert_eq!(cell(&customers, alice_row, "favourite_product"), "Coffee");
    assert_eq!(cell(&customers, alice_row, "segment"), "New");
    let bob_row = customers[1..].iter().find(|row| row != &alice_row).unwrap();
    assert_eq!(cell(&customers, bob_row, "visits"), "3");
    assert_eq!(cell(&customers, bob_row, "spend"), "602.50");
}

/// A store manager's console account for `store` of the app's shop, signed in through their invite.
async fn store_manager(app: &TestApp, store: &str) -> Client {
    let response = app
        .http
        .post(app.url(&routes::owner_manager_invites(app.shop.shop_id.as_str())))
        .bearer_auth(&app.admin_token)
        .json(&json!({ "store_id": store }))
        .dispatch()
        .await
        .unwrap();
    let invite: ManagerInviteCreated = expect_json(response, StatusCode::CREATED).await;
    let client = api_tests::client_builder().cookie_store(true).build().unwrap();
    let email = format!("{}@example.org", unique_id("manager"));
    let accepted = client
        .post(app.url(routes::OWNER_ACCEPT_INVITE))
        .json(&json!({ "token": invite.token, "email": email, "password": PASSWORD }))
        .dispatch()
        .await
        .unwrap();
    let _: OwnerMe = expect_json(accepted, StatusCode::CREATED).await;
    client
}

#[tokio::test]
async fn owners_see_only_their_shops_and_a_manager_only_their_store() {
    let app = spawn_app().await;
    let shop = app.shop.shop_id.as_str();
    let quay: Store = expect_json(
        app.http
            .post(app.url(&routes::owner_stores(shop)))
            .bearer_auth(&app.admin_token)
            .json(&json!({ "name": "Quay" }))
            .dispatch()
            .await
            .unwrap(),
        StatusCode::CREATED,
    )
    .await;
    let quay_till: RegisterCreated = expect_json(
        app.http
            .post(app.url(&routes::admin_shop_registers(shop)))
            .bearer_auth(&app.admin_token)
            .json(&json!({ "name": "Quay till", "store_id": quay.store_id }))
            .dispatch()
            .await
            .unwrap(),
        StatusCode::CREATED,
    )
    .await;
    // One sale in each store: 4.00 in the main store, 9.00 on the quay.
    let member = app.member_of_shop("Two Stores", false).await;
    app.accrue_ok(&member.issue_code(&app.shop.shop_id).await.code, 400).await;
    let code = member.issue_code(&app.shop.shop_id).await.code;
    let on_the_quay = app.accrue_with(&quay_till.token, code.as_str(), &unique_id("sale"), 900).await;
    assert_eq!(on_the_quay.status(), StatusCode::OK);

    let owner = app.owner_of(&app.shop.shop_id).await;
    let all = dashboard_of(owner.get(app.url(&with_range(&routes::owner_dashboard(shop), "")))).await;
    assert_eq!((all.totals.visits, all.totals.revenue_minor, all.store_id), (2, 1300, None));
    assert!(all.shop_wide.is_some());
    let main = dashboard_of(owner.get(app.url(&with_range(&routes::owner_dashboard(shop), "&store=main")))).await;
    assert_eq!((main.totals.visits, main.totals.revenue_minor), (1, 400));

    // The quay's manager: the quay's figures only, without the shop-wide ones.
    let manager = store_manager(&app, quay.store_id.as_str()).await;
    let theirs = dashboard_of(manager.get(app.url(&with_range(&routes::owner_dashboard(shop), "")))).await;
    assert_eq!(theirs.store_id.as_ref(), Some(&quay.store_id));
    assert_eq!((theirs.totals.visits, theirs.totals.revenue_minor), (1, 900));
    assert!(theirs.shop_wide.is_none(), "liabilities and customers are the owner's");
    let other_store = manager.get(app.url(&with_range(&routes::owner_dashboard(shop), "&store=main")));
    expect_error(other_store.dispatch().await.unwrap(), ErrorCode::Forbidden).await;
    let lines = manager.get(app.url(&with_range(&routes::owner_dashboard_sales_lines(shop), "&store=main")));
    expect_error(lines.dispatch().await.unwrap(), ErrorCode::Forbidden).await;
    let customers = manager.get(app.url(&routes::owner_dashboard_customers(shop)));
    expect_error(customers.dispatch().await.unwrap(), ErrorCode::Forbidden).await;
    let ledger = csv_of(manager.get(app.url(&with_range(&routes::owner_dashboard_ledger(shop), "")))).await;
    assert_eq!(ledger.len(), 1 + 1, "only the quay's sale: {ledger:?}");

    // Another shop's owner, and nobody at all, get nothing of this shop.
    let other_shop = app.create_shop("Other Shop", 1).await;
    let stranger = app.owner_of(&other_shop.shop_id).await;
    for path in [
        routes::owner_dashboard(shop),
        routes::owner_dashboard_sales_lines(shop),
        routes::owner_dashboard_ledger(shop),
        routes::owner_dashboard_customers(shop),
    ] {
        expect_error(stranger.get(app.url(&path)).dispatch().await.unwrap(), ErrorCode::Forbidden).await;
        expect_error(app.http.get(app.url(&path)).dispatch().await.unwrap(), ErrorCode::Unauthorized).await;
    }
}

#[tokio::test]
async fn bad_dates_and_stores_are_refused_with_a_reason() {
    let app = spawn_app().await;
    let path = routes::owner_dashboard(app.shop.shop_id.as_str());
    for query in [
        "?from=2027-02-30&to=2027-03-01",
        "?from=2027-3-01&to=2027-03-02",
        "?from=2027-03-02&to=2027-03-01",
        "?from=2025-01-01&to=2027-03-01",
        "?from=2027-03-01",
        "?to=2027-03-01",
        "?from=2027-03-01&to=2027-03-01&store=Not%20A%20Store",
    ] {
        let response = as_admin(&app, &format!("{path}{query}")).dispatch().await.unwrap();
        let refused = expect_error(response, ErrorCode::InvalidRequest).await;
        assert!(!refused.message.is_empty(), "{query}");
    }
    let unknown = as_admin(&app, &format!("{path}?from=2027-03-01&to=2027-03-01&store=nowhere"));
    expect_error(unknown.dispatch().await.unwrap(), ErrorCode::UnknownStore).await;
    // Without a range: the last 30 days, all zeros for a new shop.
    let fresh = dashboard_of(as_admin(&app, &path)).await;
    assert_eq!(fresh.days.len(), 30);
    assert_eq!(fresh.totals, Default::default());
    // Exactly two years (731 days) is allowed.
    let longest = dashboard_of(as_admin(&app, &format!("{path}?from=2026-01-01&to=2027-12-31"))).await;
    assert_eq!(longest.days.len(), 730);
}

#[tokio::test]
async fn bills_collected_and_tickets_admitted_are_counted_in_the_range_and_per_event() {
    use crate::issuing::{claim, create_issuer, gate, item_code, pay_with};
    let app = spawn_app().await;
    let issuer = create_issuer(&app).await;
    let ada = app.sign_up("Ada").await;
    // Two bills collected (the first Paid pressed twice: a retry), a third left unpaid.
    for (amount, retried) in [(4250, true), (1000, false)] {
        let bill = issuer.bill(&app, amount).await;
        claim(&app, &ada, &bill.claim.claim_token).await;
        let code = item_code(&app, &ada, &bill.item).await;
        let request_id = unique_id("pay");
        let paid = pay_with(&app, &app.register.token, &code, &request_id).await;
        assert_eq!(paid.status(), StatusCode::OK);
        if retried {
            assert_eq!(pay_with(&app, &app.register.token, &code, &request_id).await.status(), StatusCode::OK);
        }
    }
    issuer.bill(&app, 999).await;
    // Jazz night: two tickets, both admitted, one shown again (denied, not counted).
    let jazz = issuer.tickets(&app, json!({ "event_title": "Jazz night", "count": 2 })).await;
    for ticket in &jazz.tickets {
        claim(&app, &ada, &ticket.claim.claim_token).await;
        let code = item_code(&app, &ada, &ticket.item).await;
        assert!(gate(&app, &app.register.token, &code).await.admitted);
    }
    let again = item_code(&app, &ada, &jazz.tickets[0].item).await;
    assert!(!gate(&app, &app.register.token, &again).await.admitted);
    // Poetry: one pass for three entries, used for two.
    let poetry = issuer.ticket(&app, json!({ "event_title": "Poetry", "entries_allowed": 3 })).await;
    claim(&app, &ada, &poetry.claim.claim_token).await;
    for _ in 0..2 {
        let code = item_code(&app, &ada, &poetry.item).await;
        assert!(gate(&app, &app.register.token, &code).await.admitted);
    }

    let board =
        dashboard_of(as_admin(&app, &with_range(&routes::owner_dashboard(app.shop.shop_id.as_str()), ""))).await;
    let gates = &board.gates;
    assert_eq!((gates.bills_collected, gates.bills_amount_minor), (2, 5250));
    assert_eq!(gates.admitted, 4);
    let events: Vec<(&str, i64)> = gates.events.iter().map(|e| (e.title.as_str(), e.admitted)).collect();
    assert_eq!(events, vec![("Jazz night", 2), ("Poetry", 2)]);
    // The main store's view is the same (every register here stands in it); a range before holds nothing.
    let main =
        dashboard_of(as_admin(&app, &with_range(&routes::owner_dashboard(app.shop.shop_id.as_str()), "&store=main")))
            .await;
    assert_eq!(&main.gates, gates);
    let path = format!("{}?from=2020-01-01&to=2020-01-31", routes::owner_dashboard(app.shop.shop_id.as_str()));
    let before = dashboard_of(as_admin(&app, &path)).await;
    assert_eq!(before.gates, domain::api::dashboard::GateFigures::default());
}

/// The dashboard of the app's shop for local days `today + from ..= today + to` (UTC days).
async fn dashboard_days(app: &TestApp, from: i64, to: i64) -> Dashboard {
    let day_ms = 86_400_000i64;
    let now = i64::try_from(SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis()).unwrap();
    let day = |offset: i64| domain::points_expiry::CivilDate::from_days(now.div_euclid(day_ms) + offset).iso();
    let path = format!("{}?from={}&to={}", routes::owner_dashboard(app.shop.shop_id.as_str()), day(from), day(to));
    dashboard_of(as_admin(app, &path)).await
}

fn moves_of(board: &Dashboard) -> Vec<(Option<Segment>, Segment, i64)> {
    let wide = board.shop_wide.as_ref().expect("an owner sees the shop-wide figures");
    wide.segment_moves.iter().map(|m| (m.from, m.to, m.customers)).collect()
}

#[tokio::test]
async fn segment_movement_compares_each_customer_at_the_ranges_start_and_end() {
    let app = spawn_app().await;
    // Today: Ada and Bo come once, Cy four times (loyal).
    let ada = app.member_of_shop("Ada", false).await;
    let bo = app.member_of_shop("Bo", false).await;
    let cy = app.member_of_shop("Cy", false).await;
    for member in [&ada, &bo, &cy, &cy, &cy, &cy] {
        let code = member.issue_code(&app.shop.shop_id).await.code;
        app.accrue_ok(&code, 500).await;
    }
    // Yesterday none of them was a customer; by now two are new and Cy is loyal.
    assert_eq!(moves_of(&dashboard_days(&app, -1, 0).await), vec![(None, Segment::New, 2), (None, Segment::Loyal, 1)]);

    // A hundred days on (the shop's clock), nobody came back.
    let set_clock = |offset_ms: i64| {
        app.http
            .put(app.url(routes::ADMIN_TEST_CLOCK))
            .bearer_auth(&app.admin_token)
            .json(&json!({ "shop_id": app.shop.shop_id, "offset_ms": offset_ms }))
    };
    let day_ms = 86_400_000i64;
    assert_eq!(set_clock(100 * day_ms).dispatch().await.unwrap().status(), StatusCode::NO_CONTENT);
    // From the start of day 40 (39 days since their visit: no longer new) to now (100 days: at risk).
    assert_eq!(
        moves_of(&dashboard_days(&app, 40, 100).await),
        vec![(Some(Segment::Loyal), Segment::AtRisk, 1), (Some(Segment::Occasional), Segment::AtRisk, 2)]
    );
    // A range that ends at day 45 ends at that day's midnight, not now: nobody moved yet.
    assert_eq!(
        moves_of(&dashboard_days(&app, 40, 45).await),
        vec![(Some(Segment::Loyal), Segment::Loyal, 1), (Some(Segment::Occasional), Segment::Occasional, 2)]
    );
    assert_eq!(set_clock(0).dispatch().await.unwrap().status(), StatusCode::NO_CONTENT);
}

/// Seeds `plan`'s receipts `first..first + count` through the test-only route; how many were new.
async fn seed(app: &TestApp, plan: &domain::synthetic::SyntheticPlan, first: u64, count: u32) -> u32 {
    let request =
        domain::synthetic::TestSeedStats { shop_id: app.shop.shop_id.clone(), plan: plan.clone(), first, count };
    let response =
        app.http.post(app.url(routes::ADMIN_TEST_SEED_STATS)).bearer_auth(&app.admin_token).json(&request).dispatch();
    let seeded: domain::synthetic::TestSeeded = expect_json(response.await.unwrap(), StatusCode::OK).await;
    seeded.counted
}

#[tokio::test]
async fn synthetic_sales_seeded_in_batches_add_up_to_their_receipts_segments_and_movement() {
    use domain::points_expiry::FixedOffset;
    use domain::segments::{moves, segment_as_of, segment_of, CustomerActivity, VisitsAsOf};
    use std::collections::BTreeMap;
    let app = spawn_app().await;
    let day_ms = 86_400_000i64;
    let today = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64 / 86_400;
    let plan = domain::synthetic::SyntheticPlan {
        seed: 11,
        sales: 3_000,
        customers: 400,
        from_day: today - 400,
        days: 400,
        stores: vec![domain::store::StoreId::main()],
    };
    assert_eq!(seed(&app, &plan, 0, 1_500).await, 1_500);
    assert_eq!(seed(&app, &plan, 1_500, 1_500).await, 1_500);
    assert_eq!(seed(&app, &plan, 0, 1_500).await, 0, "a batch sent again counts nothing");

    // What the receipts say, counted here the way the domain counts one.
    let receipts: Vec<Receipt> =
        (0..plan.sales).map(|n| plan.receipt(&app.shop, &FixedOffset(0), n).unwrap()).collect();
    let (mut visits, mut revenue, mut items) = (0i64, 0i64, 0i64);
    let mut customers = BTreeMap::<u32, (CustomerActivity, Vec<VisitsAsOf>)>::new();
    for receipt in &receipts {
        let facts = domain::stats::facts_of(receipt);
        visits += i64::from(facts.visit);
        revenue += facts.revenue_minor;
        items += facts.items;
        let (activity, steps) = customers
            .entry(receipt.customer_number.0)
            .or_insert((CustomerActivity { joined_at: receipt.at, ..Default::default() }, Vec::new()));
        if facts.visit {
            activity.visits += 1;
            activity.first_visit_at.get_or_insert(receipt.at);
            activity.last_visit_at = Some(receipt.at);
            steps.push(VisitsAsOf { last_visit_at: receipt.at, visits: activity.visits });
        }
    }
    let as_of = |(activity, steps): &(CustomerActivity, Vec<VisitsAsOf>), at: i64| {
        segment_as_of(activity.joined_at, steps.iter().rev().find(|step| step.last_visit_at < at).copied(), at)
    };

    let board = dashboard_days(&app, -400, 0).await;
    assert_eq!((board.totals.visits, board.totals.revenue_minor, board.totals.items), (visits, revenue, items));
    let wide = board.shop_wide.as_ref().unwrap();
    assert_eq!(wide.customers, customers.len() as i64);
    let now = i64::try_from(SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis()).unwrap();
    let mut segments = BTreeMap::<Segment, i64>::new();
    for (activity, _) in customers.values() {
        *segments.entry(segment_of(activity, now)).or_default() += 1;
    }
    for count in &wide.segments {
        assert_eq!(count.customers, segments.get(&count.segment).copied().unwrap_or(0), "{:?}", wide.segments);
    }
    assert!(segments.len() >= 4, "the plan makes several segments: {segments:?}");

    // Movement over ranges ending now and at a past midnight, as each customer's steps say.
    for (from, to) in [(-30, 0), (-60, -20), (-365, 0), (-400, 0)] {
        let start = (today + from) * day_ms;
        let end = ((today + to + 1) * day_ms).min(now);
        let expected = moves(customers.values().map(|customer| (as_of(customer, start), as_of(customer, end))));
        let shown = dashboard_days(&app, from, to).await;
        let got = &shown.shop_wide.as_ref().unwrap().segment_moves;
        assert_eq!(got, &expected, "days {from}..={to}");
    }
}
