//! Coupons: the owner creates them, the member and the register see the ones
//! that apply, a sale applies one (the total and the receipt change); each is
//! used once per member even with registers racing, a total limit holds
//! exactly under a race, periods, audiences, the minimum basket and the
//! opt-out are kept, and only the shop's owners may touch its coupons. Prepaid
//! sales the phone approves take a coupon too: the phone is asked for the
//! discounted amount, and a cancelled question leaves the coupon unused.

use api_tests::{concluded, expect_error, expect_json, spawn_app, unique_id, SendThroughProxy, TestApp, TestMember};
use domain::api::account::MemberExport;
use domain::api::coupons::{CouponList, CustomerCoupons, MemberCoupons, OwnerCoupon};
use domain::api::dashboard::Dashboard;
use domain::api::{routes, DebitOutcome, DebitStatus, ErrorCode, PointsAccrued};
use domain::code::OneTimeCode;
use domain::confirmation::{CancelledBy, Debit};
use domain::coupons::{CouponId, CouponKind};
use domain::money::MinorUnits;
use domain::receipt::ReceiptDetails;
use futures::future::join_all;
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};
use std::time::{SystemTime, UNIX_EPOCH};

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

fn now() -> i64 {
    i64::try_from(SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis()).unwrap()
}

/// Terms valid from an hour ago for a day, for everyone, with `kind` merged in.
fn terms(kind: Value) -> Value {
    let mut body = json!({
        "name": "Spring offer",
        "valid_from": now() - HOUR,
        "valid_to": now() + DAY,
        "audience": { "kind": "everyone" },
    });
    if let (Some(body), Some(kind)) = (body.as_object_mut(), kind.as_object()) {
        for (key, value) in kind {
            body.insert(key.clone(), value.clone());
        }
    }
    body
}

fn ten_percent() -> Value {
    json!({ "kind": "percent_off", "percent": 10 })
}

async fn create_response(app: &TestApp, body: &Value) -> Response {
    app.http
        .post(app.url(&routes::owner_coupons(app.shop.shop_id.as_str())))
        .bearer_auth(&app.admin_token)
        .json(body)
        .dispatch()
        .await
        .expect("create coupon")
}

async fn create(app: &TestApp, body: Value) -> OwnerCoupon {
    expect_json(create_response(app, &body).await, StatusCode::CREATED).await
}

async fn list(app: &TestApp) -> CouponList {
    let response = app
        .http
        .get(app.url(&routes::owner_coupons(app.shop.shop_id.as_str())))
        .bearer_auth(&app.admin_token)
        .dispatch()
        .await
        .expect("list coupons");
    expect_json(response, StatusCode::OK).await
}

async fn results_of(app: &TestApp, coupon_id: &CouponId) -> OwnerCoupon {
    list(app).await.coupons.into_iter().find(|c| &c.coupon.coupon_id == coupon_id).expect("the coupon is listed")
}

/// The coupons the register is shown for the customer's code.
async fn at_register(app: &TestApp, code: &OneTimeCode) -> Vec<CouponId> {
    let response = app
        .http
        .post(app.url(routes::REGISTER_COUPONS))
        .bearer_auth(&app.register.token)
        .json(&json!({ "code": code }))
        .dispatch()
        .await
        .expect("register coupons");
    let answer: CustomerCoupons = expect_json(response, StatusCode::OK).await;
    answer.coupons.into_iter().map(|c| c.coupon_id).collect()
}

async fn in_wallet(app: &TestApp, member: &TestMember) -> MemberCoupons {
    let response = member.client.get(app.url(routes::MY_COUPONS)).dispatch().await.expect("my coupons");
    expect_json(response, StatusCode::OK).await
}

async fn opt_out(app: &TestApp, member: &TestMember, opted_out: bool) {
    let response = member
        .client
        .put(app.url(routes::COUPON_SETTINGS))
        .json(&json!({ "opted_out": opted_out }))
        .dispatch()
        .await
        .expect("coupon settings");
    assert_eq!(response.status(), StatusCode::OK, "{}", response.text().await.unwrap_or_default());
}

async fn sale_with(
    app: &TestApp,
    token: &str,
    code: &OneTimeCode,
    request_id: &str,
    amount_minor: u64,
    coupon: &CouponId,
) -> Response {
    app.http
        .post(app.url(routes::POINTS))
        .bearer_auth(token)
        .json(&json!({ "code": code, "request_id": request_id, "amount_minor": amount_minor, "coupon_id": coupon }))
        .dispatch()
        .await
        .expect("sale with a coupon")
}

async fn sale(app: &TestApp, code: &OneTimeCode, amount_minor: u64, coupon: &CouponId) -> Response {
    sale_with(app, &app.register.token, code, &unique_id("sale"), amount_minor, coupon).await
}

async fn code_of(app: &TestApp, member: &TestMember) -> OneTimeCode {
    member.issue_code(&app.shop.shop_id).await.code
}

/// Runs the shop's clock (its coupon and expiry rules) `offset_ms` ahead.
async fn set_clock(app: &TestApp, offset_ms: i64) {
    let response = app
        .http
        .put(app.url(routes::ADMIN_TEST_CLOCK))
        .bearer_auth(&app.admin_token)
        .json(&json!({ "shop_id": app.shop.shop_id, "offset_ms": offset_ms }))
        .dispatch()
        .await
        .expect("test clock");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn a_coupon_changes_the_total_and_the_receipt_and_is_used_once_per_member() {
    let app = spawn_app().await;
    let coupon = create(&app, terms(ten_percent())).await.coupon;
    let member = app.member_of_shop("Ada", false).await;

    let wallet = in_wallet(&app, &member).await;
    assert_eq!(wallet.coupons.len(), 1);
    assert_eq!(wallet.coupons[0].shop_name, app.shop.name);
    assert_eq!(wallet.coupons[0].offer.ends_at, coupon.terms.valid_to);
    assert!(!wallet.opted_out);

    let code = code_of(&app, &member).await;
    assert_eq!(at_register(&app, &code).await, vec![coupon.coupon_id.clone()]);
    let request_id = unique_id("sale");
    let sold: PointsAccrued = expect_json(
        sale_with(&app, &app.register.token, &code, &request_id, 2000, &coupon.coupon_id).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(sold.amount_minor, 1800, "the customer pays the basket less 10 %");
    assert_eq!(sold.points_added, 18, "points on what was paid");
    let receipt = sold.receipt.clone().expect("a receipt");
    let line = receipt.coupon.clone().expect("the coupon line");
    assert_eq!((line.basket_minor, line.discount_minor, line.paid_minor()), (2000, 200, 1800));
    assert_eq!(line.coupon_id, coupon.coupon_id);
    assert!(matches!(receipt.details, domain::receipt::ReceiptDetails::Points { sale_minor: 1800, .. }));

    // The same request again (a register's retry) is the same sale, counted once.
    let again: PointsAccrued = expect_json(
        sale_with(&app, &app.register.token, &code, &request_id, 2000, &coupon.coupon_id).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(again, sold);

    // Once per member: the next sale is refused, nothing is spent, the code still sells without it.
    let next = code_of(&app, &member).await;
    assert!(at_register(&app, &next).await.is_empty(), "a used coupon is no longer shown");
    expect_error(sale(&app, &next, 2000, &coupon.coupon_id).await, ErrorCode::CouponUsed).await;
    let plain = app.accrue_ok(&next, 2000).await;
    assert_eq!(plain.amount_minor, 2000);
    assert!(in_wallet(&app, &member).await.coupons.is_empty());

    let results = results_of(&app, &coupon.coupon_id).await.results;
    assert_eq!((results.issued, results.used, results.revenue_minor, results.reserved), (1, 1, 1800, 0));
    assert_eq!(results.returning, 0, "their first visit");

    // The member's export lists the use (once, with its sale) and the opt-out.
    let export: MemberExport =
        expect_json(member.client.get(app.url(routes::EXPORT)).dispatch().await.unwrap(), StatusCode::OK).await;
    let membership = export.memberships.iter().find(|m| m.shop.shop_id == app.shop.shop_id).expect("the shop");
    let uses: Vec<(&str, &str)> =
        membership.coupon_uses.iter().map(|u| (u.coupon_id.as_str(), u.request_id.as_str())).collect();
    assert_eq!(uses, vec![(coupon.coupon_id.as_str(), request_id.as_str())]);
    assert!(!export.coupon_opt_out);
}

#[tokio::test]
async fn each_kind_of_coupon_does_what_it_says() {
    let app = spawn_app().await;
    app.with_products().await;
    let fixed = create(&app, terms(json!({ "kind": "amount_off", "amount_minor": 5000 }))).await.coupon;
    let bonus = create(&app, terms(json!({ "kind": "bonus_points", "points": 50 }))).await.coupon;
    let free = create(&app, terms(json!({ "kind": "free_product", "product_code": "COF" }))).await.coupon;
    let member = app.member_of_shop("Bo", false).await;

    let sold: PointsAccrued =
        expect_json(sale(&app, &code_of(&app, &member).await, 1200, &fixed.coupon_id).await, StatusCode::OK).await;
    assert_eq!((sold.amount_minor, sold.points_added), (0, 0), "never more off than the basket");

    let sold: PointsAccrued =
        expect_json(sale(&app, &code_of(&app, &member).await, 1200, &bonus.coupon_id).await, StatusCode::OK).await;
    assert_eq!((sold.amount_minor, sold.points_added), (1200, 12 + 50));

    // The free product: the basket must hold it; one unit's price comes off.
    let code = code_of(&app, &member).await;
    expect_error(sale(&app, &code, 300, &free.coupon_id).await, ErrorCode::BasketTooSmall).await;
    let response = app
        .http
        .post(app.url(routes::POINTS))
        .bearer_auth(&app.register.token)
        .json(&json!({ "code": code, "request_id": unique_id("sale"), "amount_minor": 800, "coupon_id": free.coupon_id,
            "items": [
                { "name": "Coffee", "quantity": 2, "unit_price": 250, "product_code": "COF" },
                { "name": "Cake", "quantity": 1, "unit_price": 300, "product_code": "CAKE" },
            ] }))
        .dispatch()
        .await
        .unwrap();
    let sold: PointsAccrued = expect_json(response, StatusCode::OK).await;
    assert_eq!(sold.amount_minor, 550);
    let line = sold.receipt.and_then(|r| r.coupon).expect("coupon line");
    assert!(matches!(line.kind, CouponKind::FreeProduct { .. }));
    assert_eq!(line.discount_minor, 250);
}

#[tokio::test]
async fn registers_racing_on_one_coupon_for_one_member_use_it_once() {
    let app = spawn_app().await;
    let coupon = create(&app, terms(ten_percent())).await.coupon;
    let member = app.member_of_shop("Cy", false).await;
    let mut tills = vec![app.register.token.clone()];
    for _ in 0..4 {
        tills.push(app.create_register(&app.shop.shop_id).await.token);
    }
    let mut codes = Vec::new();
    for _ in &tills {
        codes.push(code_of(&app, &member).await);
    }
    let ids: Vec<String> = tills.iter().map(|_| unique_id("race")).collect();
    let answers = join_all(
        tills
            .iter()
            .zip(&codes)
            .zip(&ids)
            .map(|((till, code), id)| sale_with(&app, till, code, id, 1000, &coupon.coupon_id)),
    )
    .await;
    let mut sold = 0;
    for answer in answers {
        if answer.status() == StatusCode::OK {
            sold += 1;
        } else {
            expect_error(answer, ErrorCode::CouponUsed).await;
        }
    }
    assert_eq!(sold, 1, "used once");
    assert_eq!(member.points_at(&app.shop.shop_id).await, 9);
    let results = results_of(&app, &coupon.coupon_id).await.results;
    assert_eq!((results.used, results.reserved, results.revenue_minor), (1, 0, 900));
}

#[tokio::test]
async fn a_total_limit_gives_exactly_that_many_uses_under_a_race() {
    let app = spawn_app().await;
    let mut body = terms(ten_percent());
    body["total_limit"] = json!(3);
    let coupon = create(&app, body).await.coupon;
    let mut customers = Vec::new();
    for i in 0..8 {
        let member = app.member_of_shop(&format!("Racer {i}"), false).await;
        let code = code_of(&app, &member).await;
        customers.push((member, code));
    }
    let answers = join_all(customers.iter().map(|(_, code)| sale(&app, code, 1000, &coupon.coupon_id))).await;
    let mut sold = 0;
    for answer in answers {
        if answer.status() == StatusCode::OK {
            sold += 1;
        } else {
            expect_error(answer, ErrorCode::CouponSoldOut).await;
        }
    }
    assert_eq!(sold, 3);
    let results = results_of(&app, &coupon.coupon_id).await.results;
    assert_eq!((results.used, results.reserved), (3, 0));
    // A sold-out coupon is offered no more.
    let (late, _) = &customers[7];
    assert!(in_wallet(&app, late).await.coupons.iter().all(|c| c.offer.coupon_id != coupon.coupon_id));
}

#[tokio::test]
async fn a_refused_sale_gives_its_reserved_use_back() {
    let app = spawn_app().await;
    let mut body = terms(ten_percent());
    body["total_limit"] = json!(1);
    body["min_basket_minor"] = json!(1000);
    let coupon = create(&app, body).await.coupon;
    let member = app.member_of_shop("Di", false).await;
    let code = code_of(&app, &member).await;
    expect_error(sale(&app, &code, 999, &coupon.coupon_id).await, ErrorCode::BasketTooSmall).await;
    assert_eq!(results_of(&app, &coupon.coupon_id).await.results.reserved, 0);
    // The only use is still there, and the code was not spent by the refusal.
    let sold: PointsAccrued = expect_json(sale(&app, &code, 1000, &coupon.coupon_id).await, StatusCode::OK).await;
    assert_eq!(sold.amount_minor, 900);
}

#[tokio::test]
async fn coupons_outside_their_period_or_ended_do_not_apply() {
    let app = spawn_app().await;
    let mut past = terms(ten_percent());
    past["valid_from"] = json!(now() - 3 * DAY);
    past["valid_to"] = json!(now() - DAY);
    let past = create(&app, past).await.coupon;
    let mut future = terms(ten_percent());
    future["valid_from"] = json!(now() + DAY);
    future["valid_to"] = json!(now() + 2 * DAY);
    let future = create(&app, future).await.coupon;
    let ended = create(&app, terms(ten_percent())).await.coupon;
    let response = app
        .http
        .post(app.url(&routes::owner_coupon_end(app.shop.shop_id.as_str(), ended.coupon_id.as_str())))
        .bearer_auth(&app.admin_token)
        .dispatch()
        .await
        .unwrap();
    let ended_view: OwnerCoupon = expect_json(response, StatusCode::OK).await;
    assert!(ended_view.coupon.ended_at.is_some());

    let member = app.member_of_shop("Ed", false).await;
    let code = code_of(&app, &member).await;
    assert!(at_register(&app, &code).await.is_empty());
    assert!(in_wallet(&app, &member).await.coupons.is_empty());
    expect_error(sale(&app, &code, 1000, &past.coupon_id).await, ErrorCode::CouponExpired).await;
    expect_error(sale(&app, &code, 1000, &future.coupon_id).await, ErrorCode::CouponNotYetValid).await;
    expect_error(sale(&app, &code, 1000, &ended.coupon_id).await, ErrorCode::CouponExpired).await;
    let unknown = CouponId::parse("c-0000000000").unwrap();
    expect_error(sale(&app, &code, 1000, &unknown).await, ErrorCode::UnknownCoupon).await;
    // Nothing was spent: the code still sells.
    app.accrue_ok(&code, 1000).await;
}

#[tokio::test]
async fn segments_and_joining_periods_decide_who_gets_a_coupon() {
    let app = spawn_app().await;
    let segment = |name: &str| {
        let mut body = terms(ten_percent());
        body["valid_to"] = json!(now() + 200 * DAY);
        body["audience"] = json!({ "kind": "segment", "segment": name });
        body
    };
    let for_new = create(&app, segment("new")).await.coupon;
    let for_champions = create(&app, segment("champion")).await.coupon;
    let mut long_ago = terms(ten_percent());
    long_ago["audience"] = json!({ "kind": "joined_between", "from": now() - 30 * DAY, "to": now() - DAY });
    let long_ago = create(&app, long_ago).await.coupon;
    let mut quiet = terms(ten_percent());
    quiet["valid_to"] = json!(now() + 200 * DAY);
    quiet["audience"] = json!({ "kind": "not_seen_for", "days": 60 });
    let quiet = create(&app, quiet).await.coupon;

    let member = app.member_of_shop("Flo", false).await;
    let code = code_of(&app, &member).await;
    assert_eq!(at_register(&app, &code).await, vec![for_new.coupon_id.clone()]);
    expect_error(sale(&app, &code, 1000, &for_champions.coupon_id).await, ErrorCode::CouponNotForYou).await;
    expect_error(sale(&app, &code, 1000, &long_ago.coupon_id).await, ErrorCode::CouponNotForYou).await;
    expect_error(sale(&app, &code, 1000, &quiet.coupon_id).await, ErrorCode::CouponNotForYou).await;
    app.accrue_ok(&code, 1000).await;

    // 61 days on (the shop's clock), the member has not been seen for 60 days and is no longer new.
    set_clock(&app, 61 * DAY).await;
    let offered: Vec<CouponId> =
        in_wallet(&app, &member).await.coupons.into_iter().map(|c| c.offer.coupon_id).collect();
    assert_eq!(offered, vec![quiet.coupon_id.clone()]);
    let code = code_of(&app, &member).await;
    expect_error(sale(&app, &code, 1000, &for_new.coupon_id).await, ErrorCode::CouponNotForYou).await;
    let sold: PointsAccrued = expect_json(sale(&app, &code, 1000, &quiet.coupon_id).await, StatusCode::OK).await;
    assert_eq!(sold.amount_minor, 900);
    let results = results_of(&app, &quiet.coupon_id).await.results;
    assert_eq!((results.used, results.returning), (1, 1), "a customer who had visited before, brought back");
    set_clock(&app, 0).await;
}

#[tokio::test]
async fn a_member_who_opted_out_gets_no_segment_offers() {
    let app = spawn_app().await;
    let mut targeted = terms(ten_percent());
    targeted["audience"] = json!({ "kind": "segment", "segment": "new" });
    let targeted = create(&app, targeted).await.coupon;
    let everyone = create(&app, terms(json!({ "kind": "bonus_points", "points": 5 }))).await.coupon;
    let member = app.member_of_shop("Gus", false).await;
    assert_eq!(in_wallet(&app, &member).await.coupons.len(), 2);

    opt_out(&app, &member, true).await;
    let wallet = in_wallet(&app, &member).await;
    assert!(wallet.opted_out);
    let offered: Vec<CouponId> = wallet.coupons.into_iter().map(|c| c.offer.coupon_id).collect();
    assert_eq!(offered, vec![everyone.coupon_id.clone()]);
    let code = code_of(&app, &member).await;
    assert_eq!(at_register(&app, &code).await, vec![everyone.coupon_id.clone()]);
    expect_error(sale(&app, &code, 1000, &targeted.coupon_id).await, ErrorCode::CouponNotForYou).await;

    let export: MemberExport =
        expect_json(member.client.get(app.url(routes::EXPORT)).dispatch().await.unwrap(), StatusCode::OK).await;
    assert!(export.coupon_opt_out, "the export says so");

    opt_out(&app, &member, false).await;
    assert_eq!(at_register(&app, &code).await.len(), 2);
}

#[tokio::test]
async fn bad_terms_are_refused() {
    let app = spawn_app().await;
    let mut backwards = terms(ten_percent());
    backwards["valid_to"] = json!(now() - DAY);
    expect_error(create_response(&app, &backwards).await, ErrorCode::InvalidRequest).await;
    for kind in [
        json!({ "kind": "percent_off", "percent": 0 }),
        json!({ "kind": "percent_off", "percent": 101 }),
        json!({ "kind": "amount_off", "amount_minor": 0 }),
        json!({ "kind": "bonus_points", "points": -1 }),
        json!({ "kind": "free_product", "product_code": "not a code!" }),
    ] {
        expect_error(create_response(&app, &terms(kind)).await, ErrorCode::InvalidRequest).await;
    }
    let mut no_uses = terms(ten_percent());
    no_uses["total_limit"] = json!(0);
    expect_error(create_response(&app, &no_uses).await, ErrorCode::InvalidRequest).await;
    assert!(list(&app).await.coupons.is_empty());
}

#[tokio::test]
async fn only_the_shops_owners_touch_its_coupons() {
    let app = spawn_app().await;
    let coupon = create(&app, terms(ten_percent())).await.coupon;
    let other = app.create_shop("Other Shop", 1).await;
    let stranger = app.owner_of(&other.shop_id).await;
    let owner = app.owner_of(&app.shop.shop_id).await;
    let coupons = app.url(&routes::owner_coupons(app.shop.shop_id.as_str()));
    let end = app.url(&routes::owner_coupon_end(app.shop.shop_id.as_str(), coupon.coupon_id.as_str()));

    expect_error(app.http.get(&coupons).dispatch().await.unwrap(), ErrorCode::Unauthorized).await;
    expect_error(
        app.http.post(&coupons).json(&terms(ten_percent())).dispatch().await.unwrap(),
        ErrorCode::Unauthorized,
    )
    .await;
    expect_error(app.http.post(&end).dispatch().await.unwrap(), ErrorCode::Unauthorized).await;
    expect_error(stranger.get(&coupons).dispatch().await.unwrap(), ErrorCode::Forbidden).await;
    expect_error(stranger.post(&coupons).json(&terms(ten_percent())).dispatch().await.unwrap(), ErrorCode::Forbidden)
        .await;
    expect_error(stranger.post(&end).dispatch().await.unwrap(), ErrorCode::Forbidden).await;

    let listed: CouponList = expect_json(owner.get(&coupons).dispatch().await.unwrap(), StatusCode::OK).await;
    assert_eq!(listed.coupons.len(), 1);
    let _: OwnerCoupon =
        expect_json(owner.post(&coupons).json(&terms(ten_percent())).dispatch().await.unwrap(), StatusCode::CREATED)
            .await;

    // Another shop's register cannot use or see this shop's coupon.
    let member = app.member_of_shop("Hal", false).await;
    member.join(&other.shop_id, false).await;
    let other_till = app.create_register(&other.shop_id).await;
    let code = member.issue_code(&other.shop_id).await.code;
    expect_error(
        sale_with(&app, &other_till.token, &code, &unique_id("sale"), 1000, &coupon.coupon_id).await,
        ErrorCode::UnknownCoupon,
    )
    .await;
    // Nobody: the member routes need a session, the register route a register.
    expect_error(app.http.get(app.url(routes::MY_COUPONS)).dispatch().await.unwrap(), ErrorCode::Unauthorized).await;
    expect_error(
        app.http.post(app.url(routes::REGISTER_COUPONS)).json(&json!({ "code": code })).dispatch().await.unwrap(),
        ErrorCode::Unauthorized,
    )
    .await;
}

// ---- prepaid sales the phone approves ----

async fn prepaid_with(
    app: &TestApp,
    token: &str,
    code: &OneTimeCode,
    request_id: &str,
    amount: u64,
    coupon: &CouponId,
) -> Response {
    app.debit_with_coupon(token, code, request_id, api_tests::charge_amount(amount), coupon.as_str()).await
}

#[tokio::test]
async fn a_prepaid_sale_with_a_coupon_asks_for_the_discounted_amount_and_uses_it_once_approved() {
    let app = spawn_app().await;
    let coupon = create(&app, terms(ten_percent())).await.coupon;
    let member = app.customer(0, 5000).await;
    let code = code_of(&app, &member).await;
    let request_id = unique_id("prepaid");
    let asked: DebitStatus = expect_json(
        prepaid_with(&app, &app.register.token, &code, &request_id, 2000, &coupon.coupon_id).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(asked.outcome, DebitOutcome::Pending);
    assert_eq!(asked.debit, Debit::PrepaidCharge { amount: MinorUnits(1800) }, "the basket less 10 %");
    assert_eq!(asked.coupon.as_ref().map(|c| (c.basket_minor, c.discount_minor)), Some((2000, 200)));

    // The phone's question shows the discounted amount and the coupon.
    let shown = member.pending().await.into_iter().find(|p| p.request_id.as_str() == request_id).expect("asked");
    assert_eq!(shown.debit, Debit::PrepaidCharge { amount: MinorUnits(1800) });
    let line = shown.coupon.clone().expect("the coupon on the question");
    assert_eq!((line.coupon_id.clone(), line.basket_minor, line.discount_minor), (coupon.coupon_id.clone(), 2000, 200));
    let results = results_of(&app, &coupon.coupon_id).await.results;
    assert_eq!((results.used, results.reserved), (0, 1), "reserved while the phone is asked");

    // While the question is open it holds the coupon: no other sale of this member can use it.
    let second = app.create_register(&app.shop.shop_id).await;
    let other_code = code_of(&app, &member).await;
    expect_error(
        sale_with(&app, &second.token, &other_code, &unique_id("cash"), 1000, &coupon.coupon_id).await,
        ErrorCode::CouponUsed,
    )
    .await;
    expect_error(
        prepaid_with(&app, &second.token, &other_code, &unique_id("prepaid"), 1000, &coupon.coupon_id).await,
        ErrorCode::CouponUsed,
    )
    .await;

    let approved: DebitStatus =
        expect_json(member.approve(&shown, Some(api_tests::PIN), 0).await, StatusCode::OK).await;
    let receipt = concluded(&approved).clone();
    assert_eq!(
        receipt.coupon.as_ref().map(|c| (c.basket_minor, c.discount_minor, c.paid_minor())),
        Some((2000, 200, 1800))
    );
    assert!(matches!(
        receipt.details,
        ReceiptDetails::PrepaidCharge {
            sale_minor: 1800,
            total_minor: 1800,
            prepaid_before: 5000,
            prepaid_after: 3200,
            ..
        }
    ));
    assert!(receipt.balances());
    assert_eq!(member.prepaid_at(&app.shop.shop_id).await, 3200);
    // The register's screen and the phone's wallet show the same receipt.
    assert_eq!(concluded(&app.wait(&code, &request_id).await), &receipt);
    assert!(member.wallet(None).await.receipts.contains(&receipt));

    let results = results_of(&app, &coupon.coupon_id).await.results;
    assert_eq!((results.used, results.reserved, results.revenue_minor), (1, 0, 1800));
    // Used: refused on the next sale, and the register's retry of this one changes nothing.
    expect_error(
        sale_with(&app, &second.token, &other_code, &unique_id("cash"), 1000, &coupon.coupon_id).await,
        ErrorCode::CouponUsed,
    )
    .await;
    let again: DebitStatus = expect_json(
        prepaid_with(&app, &app.register.token, &code, &request_id, 2000, &coupon.coupon_id).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(concluded(&again), &receipt);
    let results = results_of(&app, &coupon.coupon_id).await.results;
    assert_eq!((results.used, results.reserved, results.revenue_minor), (1, 0, 1800));
    assert_eq!(member.prepaid_at(&app.shop.shop_id).await, 3200);

    // A refund gives back what was paid, to the prepaid balance, whole.
    let response = app
        .http
        .post(app.url(routes::REFUNDS))
        .bearer_auth(&app.register.token)
        .json(&json!({ "request_id": unique_id("refund"), "receipt_number": receipt.receipt_number }))
        .dispatch()
        .await
        .unwrap();
    let refund: domain::receipt::Receipt = expect_json(response, StatusCode::OK).await;
    assert!(
        matches!(refund.details, ReceiptDetails::Refund { amount_minor: 1800, prepaid_returned: 1800, .. }),
        "{:?}",
        refund.details
    );
    assert_eq!(member.prepaid_at(&app.shop.shop_id).await, 5000);
}

#[tokio::test]
async fn a_cancelled_or_withdrawn_question_leaves_the_coupon_unused() {
    let app = spawn_app().await;
    let mut body = terms(ten_percent());
    body["total_limit"] = json!(1);
    let coupon = create(&app, body).await.coupon;
    let member = app.customer(0, 5000).await;

    // The customer cancels on the phone.
    let code = code_of(&app, &member).await;
    let request_id = unique_id("prepaid");
    expect_json::<DebitStatus>(
        prepaid_with(&app, &app.register.token, &code, &request_id, 2000, &coupon.coupon_id).await,
        StatusCode::OK,
    )
    .await;
    let shown = member.pending().await.into_iter().find(|p| p.request_id.as_str() == request_id).expect("asked");
    expect_json::<DebitStatus>(member.cancel(&shown).await, StatusCode::OK).await;
    assert_eq!(app.wait(&code, &request_id).await.outcome, DebitOutcome::Cancelled { by: CancelledBy::Customer });
    let results = results_of(&app, &coupon.coupon_id).await.results;
    assert_eq!((results.used, results.reserved), (0, 0), "the reserved use went back");
    assert_eq!(member.prepaid_at(&app.shop.shop_id).await, 5000);
    assert!(in_wallet(&app, &member).await.coupons.iter().any(|c| c.offer.coupon_id == coupon.coupon_id));

    // The register withdraws its question.
    let code = code_of(&app, &member).await;
    let request_id = unique_id("prepaid");
    expect_json::<DebitStatus>(
        prepaid_with(&app, &app.register.token, &code, &request_id, 2000, &coupon.coupon_id).await,
        StatusCode::OK,
    )
    .await;
    let response = app
        .http
        .post(app.url(routes::DEBITS_CANCEL))
        .bearer_auth(&app.register.token)
        .json(&json!({ "code": code, "request_id": request_id }))
        .dispatch()
        .await
        .unwrap();
    let withdrawn: DebitStatus = expect_json(response, StatusCode::OK).await;
    assert_eq!(withdrawn.outcome, DebitOutcome::Cancelled { by: CancelledBy::Register });
    let results = results_of(&app, &coupon.coupon_id).await.results;
    assert_eq!((results.used, results.reserved), (0, 0));

    // The only use is still there: a cash sale takes it.
    let sold: PointsAccrued =
        expect_json(sale(&app, &code_of(&app, &member).await, 1000, &coupon.coupon_id).await, StatusCode::OK).await;
    assert_eq!(sold.amount_minor, 900);
    let results = results_of(&app, &coupon.coupon_id).await.results;
    assert_eq!((results.used, results.reserved), (1, 0));
}

#[tokio::test]
async fn prepaid_sales_racing_on_one_coupon_for_one_member_ask_with_it_once() {
    let app = spawn_app().await;
    let coupon = create(&app, terms(ten_percent())).await.coupon;
    let member = app.customer(0, 10_000).await;
    let second = app.create_register(&app.shop.shop_id).await;
    let (c1, c2) = (code_of(&app, &member).await, code_of(&app, &member).await);
    let (r1, r2) = (unique_id("r1"), unique_id("r2"));
    let (one, two) = tokio::join!(
        prepaid_with(&app, &app.register.token, &c1, &r1, 1000, &coupon.coupon_id),
        prepaid_with(&app, &second.token, &c2, &r2, 1000, &coupon.coupon_id),
    );
    let statuses = [one.status(), two.status()];
    assert!(statuses.contains(&StatusCode::OK), "{statuses:?}");
    let loser = if one.status() == StatusCode::OK { two } else { one };
    expect_error(loser, ErrorCode::CouponUsed).await;
    let pending = member.pending().await;
    assert_eq!(pending.len(), 1);
    expect_json::<DebitStatus>(member.approve(&pending[0], Some(api_tests::PIN), 0).await, StatusCode::OK).await;
    assert_eq!(member.prepaid_at(&app.shop.shop_id).await, 9100);
    let results = results_of(&app, &coupon.coupon_id).await.results;
    assert_eq!((results.used, results.reserved, results.revenue_minor), (1, 0, 900));
}

#[tokio::test]
async fn a_prepaid_sale_refuses_a_bonus_points_coupon_and_a_reward_takes_no_coupon() {
    let app = spawn_app().await;
    app.with_rewards().await;
    let bonus = create(&app, terms(json!({ "kind": "bonus_points", "points": 50 }))).await.coupon;
    let member = app.customer(10, 5000).await;
    let code = code_of(&app, &member).await;
    expect_error(
        prepaid_with(&app, &app.register.token, &code, &unique_id("prepaid"), 1000, &bonus.coupon_id).await,
        ErrorCode::CouponNotForPrepaid,
    )
    .await;
    assert_eq!(results_of(&app, &bonus.coupon_id).await.results.reserved, 0, "the reserved use went back");
    assert!(member.pending().await.is_empty(), "the phone was not asked");
    let reward = app
        .debit_with_coupon(
            &app.register.token,
            &code,
            &unique_id("redeem"),
            api_tests::redeem("coffee"),
            bonus.coupon_id.as_str(),
        )
        .await;
    expect_error(reward, ErrorCode::InvalidRequest).await;
    // The code was not spent: it still sells, with the coupon, for cash.
    let sold: PointsAccrued = expect_json(sale(&app, &code, 1000, &bonus.coupon_id).await, StatusCode::OK).await;
    assert_eq!(sold.points_added, 10 + 50);
}

// ---- the dashboard's coupon figures ----

/// The dashboard of the app's shop for the local days `from..=to` (`YYYY-MM-DD`).
async fn dashboard_between(app: &TestApp, from: &str, to: &str) -> Dashboard {
    let path = format!("{}?from={from}&to={to}", routes::owner_dashboard(app.shop.shop_id.as_str()));
    let response = app.http.get(app.url(&path)).bearer_auth(&app.admin_token).dispatch().await.unwrap();
    expect_json(response, StatusCode::OK).await
}

#[tokio::test]
async fn the_dashboard_counts_coupons_issued_and_used_within_its_range_in_the_shops_time_zone() {
    let app = spawn_app().await;
    // UTC+14: the shop's day is not UTC's for most of the day, so a figure on the wrong calendar shows.
    let response = app
        .http
        .patch(app.url(&routes::owner_shop(app.shop.shop_id.as_str())))
        .bearer_auth(&app.admin_token)
        .json(&json!({ "time_zone": "Pacific/Kiritimati" }))
        .dispatch()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{}", response.text().await.unwrap_or_default());
    let ten = create(&app, terms(ten_percent())).await.coupon;
    let three_off = create(&app, terms(json!({ "kind": "amount_off", "amount_minor": 300 }))).await.coupon;
    let bonus = create(&app, terms(json!({ "kind": "bonus_points", "points": 5 }))).await.coupon;

    // Ada sees the three in her wallet (issued to her) and uses ten percent off on her first visit.
    let ada = app.member_of_shop("Ada", false).await;
    assert_eq!(in_wallet(&app, &ada).await.coupons.len(), 3);
    let sold: PointsAccrued =
        expect_json(sale(&app, &code_of(&app, &ada).await, 2000, &ten.coupon_id).await, StatusCode::OK).await;
    assert_eq!(sold.amount_minor, 1800);
    // Bo had been before (a cash sale), the register lists the three for him (issued to him),
    // and he pays with prepaid value, 3.00 off.
    let bo = app.customer(10, 5000).await;
    let code = code_of(&app, &bo).await;
    assert_eq!(at_register(&app, &code).await.len(), 3);
    let request_id = unique_id("prepaid");
    expect_json::<DebitStatus>(
        prepaid_with(&app, &app.register.token, &code, &request_id, 1000, &three_off.coupon_id).await,
        StatusCode::OK,
    )
    .await;
    let shown = bo.pending().await.into_iter().find(|p| p.request_id.as_str() == request_id).expect("asked");
    expect_json::<DebitStatus>(bo.approve(&shown, Some(api_tests::PIN), 0).await, StatusCode::OK).await;

    // Today in the shop's zone.
    let kiritimati = 14 * HOUR;
    let today = domain::points_expiry::CivilDate::from_days((now() + kiritimati).div_euclid(DAY));
    let yesterday = domain::points_expiry::CivilDate::from_days(today.days() - 1);
    let board = dashboard_between(&app, &today.iso(), &today.iso()).await;
    assert_eq!(board.time_zone.as_str(), "Pacific/Kiritimati");
    let figures: Vec<(String, i64, i64, i64, i64)> = board
        .coupons
        .iter()
        .map(|c| (c.name.as_str().to_owned(), c.issued, c.used, c.revenue_minor, c.returning))
        .collect();
    let of = |coupon: &CouponId| {
        let found = board.coupons.iter().find(|c| &c.coupon_id == coupon).unwrap_or_else(|| panic!("{figures:?}"));
        (found.issued, found.used, found.revenue_minor, found.returning)
    };
    assert_eq!(of(&ten.coupon_id), (2, 1, 1800, 0), "issued to both, used by Ada on her first visit");
    assert_eq!(of(&three_off.coupon_id), (2, 1, 700, 1), "used by Bo, who had been before");
    assert_eq!(of(&bonus.coupon_id), (2, 0, 0, 0), "issued, never used");
    assert_eq!(board.coupons.len(), 3);

    // A range that ends the day before (in the shop's zone) holds none of it.
    let earlier =
        dashboard_between(&app, &domain::points_expiry::CivilDate::from_days(today.days() - 7).iso(), &yesterday.iso())
            .await;
    assert!(earlier.coupons.is_empty(), "{:?}", earlier.coupons);
    // A week up to today holds the same as today.
    let week =
        dashboard_between(&app, &domain::points_expiry::CivilDate::from_days(today.days() - 6).iso(), &today.iso())
            .await;
    assert_eq!(week.coupons, board.coupons);
}

#[tokio::test]
async fn a_refunded_coupon_sale_is_taken_out_of_the_coupons_dashboard_figures() {
    let app = spawn_app().await;
    let ten = create(&app, terms(ten_percent())).await.coupon;
    let three_off = create(&app, terms(json!({ "kind": "amount_off", "amount_minor": 300 }))).await.coupon;

    // Bo, who had been before, pays 18.00 with ten percent off; Cy pays 9.00 with it on his
    // first visit; Dee pays 7.00 with 3.00 off.
    let bo = app.customer(10, 0).await;
    let cy = app.member_of_shop("Cy", false).await;
    let dee = app.member_of_shop("Dee", false).await;
    let bos: PointsAccrued =
        expect_json(sale(&app, &code_of(&app, &bo).await, 2000, &ten.coupon_id).await, StatusCode::OK).await;
    assert_eq!(bos.amount_minor, 1800);
    expect_json::<PointsAccrued>(sale(&app, &code_of(&app, &cy).await, 1000, &ten.coupon_id).await, StatusCode::OK)
        .await;
    expect_json::<PointsAccrued>(
        sale(&app, &code_of(&app, &dee).await, 1000, &three_off.coupon_id).await,
        StatusCode::OK,
    )
    .await;
    let today = domain::points_expiry::CivilDate::from_days(now().div_euclid(DAY));
    let (from, to) = (
        domain::points_expiry::CivilDate::from_days(today.days() - 1).iso(),
        domain::points_expiry::CivilDate::from_days(today.days() + 1).iso(),
    );
    let of = |board: &Dashboard, coupon: &CouponId| {
        let found = board.coupons.iter().find(|c| &c.coupon_id == coupon).expect("the coupon's figures");
        (found.used, found.revenue_minor, found.returning)
    };
    let before = dashboard_between(&app, &from, &to).await;
    assert_eq!(of(&before, &ten.coupon_id), (2, 2700, 1));
    assert_eq!(of(&before, &three_off.coupon_id), (1, 700, 0));

    // Bo's sale is refunded (whole, as a coupon took money off): his use, his basket and his
    // return go out of the coupon's figures; the other coupon's stay as they were.
    let refund_body = json!({ "request_id": unique_id("refund"), "receipt_number": bos.receipt.as_ref().expect("a receipt").receipt_number });
    let refund = || app.http.post(app.url(routes::REFUNDS)).bearer_auth(&app.register.token).json(&refund_body);
    let refunded: domain::receipt::Receipt = expect_json(refund().dispatch().await.unwrap(), StatusCode::OK).await;
    assert!(matches!(refunded.details, ReceiptDetails::Refund { amount_minor: 1800, .. }), "{:?}", refunded.details);
    let after = dashboard_between(&app, &from, &to).await;
    assert_eq!(of(&after, &ten.coupon_id), (1, 900, 0), "only Cy's use is left");
    assert_eq!(of(&after, &three_off.coupon_id), (1, 700, 0));

    // The Coupons tab's figures lose it too, and say it was refunded.
    let tab = results_of(&app, &ten.coupon_id).await.results;
    assert_eq!((tab.used, tab.revenue_minor, tab.returning, tab.refunded), (1, 900, 0, 1));
    let other = results_of(&app, &three_off.coupon_id).await.results;
    assert_eq!((other.used, other.revenue_minor, other.refunded), (1, 700, 0));

    // The register retrying the same refund changes nothing.
    let again: domain::receipt::Receipt = expect_json(refund().dispatch().await.unwrap(), StatusCode::OK).await;
    assert_eq!(again.receipt_number, refunded.receipt_number);
    assert_eq!(dashboard_between(&app, &from, &to).await.coupons, after.coupons);
    assert_eq!(results_of(&app, &ten.coupon_id).await.results, tab);
}

#[tokio::test]
async fn a_question_left_unanswered_times_out_and_leaves_the_coupon_unused() {
    let app = spawn_app().await;
    let mut body = terms(ten_percent());
    body["total_limit"] = json!(1);
    let coupon = create(&app, body).await.coupon;
    let member = app.customer(0, 5000).await;
    let code = code_of(&app, &member).await;
    let request_id = unique_id("slow");
    expect_json::<DebitStatus>(
        prepaid_with(&app, &app.register.token, &code, &request_id, 2000, &coupon.coupon_id).await,
        StatusCode::OK,
    )
    .await;
    // The register long-polls until the question times out (≈ 60 s).
    let started = std::time::Instant::now();
    let status = loop {
        let status = app.wait(&code, &request_id).await;
        if status.outcome != DebitOutcome::Pending || started.elapsed() > std::time::Duration::from_secs(75) {
            break status;
        }
    };
    assert_eq!(status.outcome, DebitOutcome::Cancelled { by: CancelledBy::Timeout });
    let results = results_of(&app, &coupon.coupon_id).await.results;
    assert_eq!((results.used, results.reserved), (0, 0), "the reserved use went back");
    assert_eq!(member.prepaid_at(&app.shop.shop_id).await, 5000);
    let sold: PointsAccrued =
        expect_json(sale(&app, &code_of(&app, &member).await, 1000, &coupon.coupon_id).await, StatusCode::OK).await;
    assert_eq!(sold.amount_minor, 900, "the member's only use is still theirs");
}
