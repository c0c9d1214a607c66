//! Staff: the owner's staff list scoped to their shop; store managers in the
//! console, who see their store's registers and products and nothing else;
//! cashiers signing in at a register with a guessing limit, sales and refunds
//! naming who served; and refunds above the shop's limit approved only by a
//! manager of the store.

use api_tests::{expect_error, expect_json, spawn_app, unique_id, SendThroughProxy, TestApp, TestMember, PASSWORD};
use domain::api::owner::RegisterList;
use domain::api::owner_accounts::OwnerMe;
use domain::api::staff::{
    ManagerInviteCreated, OnDutyStatus, StaffList, StaffMember, StaffSession, STAFF_SESSION_HEADER,
};
use domain::api::{routes, ErrorCode, PointsAccrued, ShopSummary};
use domain::receipt::Receipt;
use domain::staff::Role;
use domain::store::StoreId;
use reqwest::{Client, Method, RequestBuilder, Response, StatusCode};
use serde_json::{json, Value};

const CASHIER_PIN: &str = "1357";
const MANAGER_PIN: &str = "8642";

fn browser() -> Client {
    api_tests::client_builder().cookie_store(true).build().expect("browser")
}

fn admin(app: &TestApp, method: Method, path: &str) -> RequestBuilder {
    app.http.request(method, app.url(path)).bearer_auth(&app.admin_token)
}

async fn add_staff_response(app: &TestApp, name: &str, role: &str, store: &str, pin: &str) -> Response {
    let body = json!({ "name": name, "role": role, "store_id": store, "pin": pin });
    admin(app, Method::POST, &routes::owner_staff(app.shop.shop_id.as_str())).json(&body).dispatch().await.unwrap()
}

async fn add_staff(app: &TestApp, name: &str, role: &str, pin: &str) -> StaffMember {
    expect_json(add_staff_response(app, name, role, "main", pin).await, StatusCode::CREATED).await
}

async fn staff_list(app: &TestApp) -> Vec<StaffMember> {
    let response = admin(app, Method::GET, &routes::owner_staff(app.shop.shop_id.as_str())).dispatch().await.unwrap();
    let list: StaffList = expect_json(response, StatusCode::OK).await;
    list.staff
}

async fn sign_in_response(app: &TestApp, token: &str, number: u32, pin: &str) -> Response {
    app.http
        .post(app.url(routes::REGISTER_STAFF_SESSION))
        .bearer_auth(token)
        .json(&json!({ "staff_number": number, "pin": pin }))
        .dispatch()
        .await
        .unwrap()
}

async fn sign_in(app: &TestApp, person: &StaffMember, pin: &str) -> StaffSession {
    let response = sign_in_response(app, &app.register.token, person.staff_number.get(), pin).await;
    expect_json(response, StatusCode::CREATED).await
}

async fn on_duty(app: &TestApp, session: Option<&str>) -> OnDutyStatus {
    let mut request = app.http.get(app.url(routes::REGISTER_STAFF_SESSION)).bearer_auth(&app.register.token);
    if let Some(token) = session {
        request = request.header(STAFF_SESSION_HEADER, token);
    }
    expect_json(request.dispatch().await.unwrap(), StatusCode::OK).await
}

/// A sale of 8.00 in two lines (coffee 2 × 2.50, cake 3.00), by the register with `session` signed in.
async fn sale(app: &TestApp, member: &TestMember, session: Option<&str>) -> Response {
    let code = member.issue_code(&app.shop.shop_id).await.code;
    let items = json!([
        { "name": "Coffee", "quantity": 2, "unit_price": 250 },
        { "name": "Cake", "quantity": 1, "unit_price": 300 },
    ]);
    let mut request = app
        .http
        .post(app.url(routes::POINTS))
        .bearer_auth(&app.register.token)
        .json(&json!({ "code": code, "request_id": unique_id("sale"), "amount_minor": 800, "items": items }));
    if let Some(token) = session {
        request = request.header(STAFF_SESSION_HEADER, token);
    }
    request.dispatch().await.unwrap()
}

async fn sale_receipt(app: &TestApp, member: &TestMember, session: &str) -> Receipt {
    let accrued: PointsAccrued = expect_json(sale(app, member, Some(session)).await, StatusCode::OK).await;
    accrued.receipt.expect("a sale's receipt")
}

async fn refund(app: &TestApp, session: &str, request_id: &str, number: &str, extra: Value) -> Response {
    let mut body = json!({ "request_id": request_id, "receipt_number": number });
    if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
        body.extend(extra.clone());
    }
    app.http
        .post(app.url(routes::REFUNDS))
        .bearer_auth(&app.register.token)
        .header(STAFF_SESSION_HEADER, session)
        .json(&body)
        .dispatch()
        .await
        .unwrap()
}

/// Adds a store named `name` to the app's shop (as its owner); its id is made from the name.
async fn add_store(app: &TestApp, name: &str) -> String {
    let response = admin(app, Method::POST, &routes::owner_stores(app.shop.shop_id.as_str()))
        .json(&json!({ "name": name }))
        .dispatch()
        .await
        .unwrap();
    let store: domain::store::Store = expect_json(response, StatusCode::CREATED).await;
    store.store_id.as_str().to_owned()
}

/// A store manager's console account for `store` of the app's shop, signed in through their invite.
async fn store_manager(app: &TestApp, store: &str) -> Client {
    let response = admin(app, Method::POST, &routes::owner_manager_invites(app.shop.shop_id.as_str()))
        .json(&json!({ "store_id": store }))
        .dispatch()
        .await
        .unwrap();
    let invite: ManagerInviteCreated = expect_json(response, StatusCode::CREATED).await;
    assert_eq!(invite.store_id.as_str(), store);
    let client = browser();
    let email = format!("{}@example.org", unique_id("manager"));
    let accepted = client
        .post(app.url(routes::OWNER_ACCEPT_INVITE))
        .json(&json!({ "token": invite.token, "email": email, "password": PASSWORD }))
        .dispatch()
        .await
        .unwrap();
    let me: OwnerMe = expect_json(accepted, StatusCode::CREATED).await;
    assert!(!me.operator);
    assert!(me.shops.is_empty(), "a store manager runs no shop");
    assert_eq!(me.manages.len(), 1);
    assert_eq!(me.manages[0].shop.shop_id, app.shop.shop_id);
    assert_eq!(me.manages[0].store_id.as_str(), store);
    client
}

#[tokio::test]
async fn the_owner_adds_resets_and_removes_staff_and_nobody_else_can() {
    let app = spawn_app().await;
    let ada = add_staff(&app, "Ada", "cashier", CASHIER_PIN).await;
    let bo = add_staff(&app, "Bo", "manager", MANAGER_PIN).await;
    assert_eq!((ada.role, bo.role), (Role::Cashier, Role::Manager));
    assert_eq!(ada.store_id, StoreId::main());
    assert_eq!(bo.staff_number.get(), ada.staff_number.get() + 1, "numbers count up");
    let listed = staff_list(&app).await;
    assert_eq!(listed, vec![ada.clone(), bo.clone()]);
    let raw = admin(&app, Method::GET, &routes::owner_staff(app.shop.shop_id.as_str())).dispatch().await.unwrap();
    assert!(!raw.text().await.unwrap().contains(CASHIER_PIN), "no PIN (or hash of it) in the list");

    // Bad input: a short PIN, an unknown role, an empty name.
    for (name, role, pin) in [("Cy", "cashier", "12"), ("Cy", "owner", "1234"), ("", "cashier", "1234")] {
        expect_error(add_staff_response(&app, name, role, "main", pin).await, ErrorCode::InvalidRequest).await;
    }

    // A new PIN works, the old one no longer does.
    let shop = app.shop.shop_id.as_str();
    let number = ada.staff_number.to_string();
    let reset = admin(&app, Method::PUT, &routes::owner_staff_pin(shop, &number)).json(&json!({ "pin": "97531" }));
    assert_eq!(reset.dispatch().await.unwrap().status(), StatusCode::NO_CONTENT);
    expect_error(
        sign_in_response(&app, &app.register.token, ada.staff_number.get(), CASHIER_PIN).await,
        ErrorCode::WrongPin,
    )
    .await;
    sign_in(&app, &ada, "97531").await;

    // Removed: gone from the list; the number is not given out again.
    let removed = admin(&app, Method::DELETE, &routes::owner_staff_member(shop, &number)).dispatch().await.unwrap();
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    expect_error(
        admin(&app, Method::DELETE, &routes::owner_staff_member(shop, &number)).dispatch().await.unwrap(),
        ErrorCode::NotFound,
    )
    .await;
    assert_eq!(staff_list(&app).await, vec![bo.clone()]);
    let cy = add_staff(&app, "Cy", "cashier", CASHIER_PIN).await;
    assert_eq!(cy.staff_number.get(), bo.staff_number.get() + 1);

    // Another shop's owner gets 403 on every staff route of this shop; anonymous callers 401.
    let other = app.create_shop("Other Shop", 1).await;
    let invite = admin(&app, Method::POST, &routes::owner_invites(other.shop_id.as_str())).dispatch().await.unwrap();
    let invite: domain::api::owner_accounts::InviteCreated = expect_json(invite, StatusCode::CREATED).await;
    let stranger = browser();
    let email = format!("{}@example.org", unique_id("owner"));
    let accepted = stranger
        .post(app.url(routes::OWNER_ACCEPT_INVITE))
        .json(&json!({ "token": invite.token, "email": email, "password": PASSWORD }))
        .dispatch()
        .await
        .unwrap();
    assert_eq!(accepted.status(), StatusCode::CREATED);
    let bo_number = bo.staff_number.to_string();
    let attempts = [
        (Method::GET, routes::owner_staff(shop), json!(null)),
        (Method::POST, routes::owner_staff(shop), json!({ "name": "X", "role": "cashier", "pin": "1234" })),
        (Method::PUT, routes::owner_staff_pin(shop, &bo_number), json!({ "pin": "1234" })),
        (Method::DELETE, routes::owner_staff_member(shop, &bo_number), json!(null)),
        (Method::POST, routes::owner_manager_invites(shop), json!({ "store_id": "main" })),
    ];
    for (method, path, body) in &attempts {
        let response = stranger.request(method.clone(), app.url(path)).json(body).dispatch().await.unwrap();
        expect_error(response, ErrorCode::Forbidden).await;
        let response = app.http.request(method.clone(), app.url(path)).json(body).dispatch().await.unwrap();
        expect_error(response, ErrorCode::Unauthorized).await;
    }
    assert_eq!(staff_list(&app).await, vec![bo, cy], "nothing changed");
}

#[tokio::test]
async fn a_store_manager_sees_only_their_store_in_the_console() {
    let app = spawn_app().await;
    let shop = app.shop.shop_id.as_str().to_owned();
    let manager = store_manager(&app, "main").await;

    // Their store's registers (every register so far stands in the main store), the shop and its products.
    let listed = manager.get(app.url(&routes::owner_registers(&shop))).dispatch().await.unwrap();
    let listed: RegisterList = expect_json(listed, StatusCode::OK).await;
    assert!(listed.registers.iter().any(|r| r.register_id == app.register.register_id));
    let read: ShopSummary =
        expect_json(manager.get(app.url(&routes::owner_shop(&shop))).dispatch().await.unwrap(), StatusCode::OK).await;
    assert_eq!(read.shop_id, app.shop.shop_id);
    let products = json!({ "products": [{ "product_code": "TEA", "name": "Tea", "unit_price": 200 }] });
    let put = manager.put(app.url(&routes::owner_products(&shop))).json(&products).dispatch().await.unwrap();
    assert_eq!(put.status(), StatusCode::OK);
    assert_eq!(manager.get(app.url(&routes::owner_products(&shop))).dispatch().await.unwrap().status(), StatusCode::OK);

    // Not the settings, rewards, staff or invites.
    let refused = [
        (Method::PATCH, routes::owner_shop(&shop), json!({ "name": "Mine now" })),
        (Method::GET, routes::owner_rewards(&shop), json!(null)),
        (Method::PUT, routes::owner_rewards(&shop), json!({ "rewards": [] })),
        (Method::GET, routes::owner_staff(&shop), json!(null)),
        (Method::POST, routes::owner_staff(&shop), json!({ "name": "X", "role": "cashier", "pin": "1234" })),
        (Method::POST, routes::owner_invites(&shop), json!(null)),
        (Method::POST, routes::owner_manager_invites(&shop), json!({ "store_id": "main" })),
    ];
    for (method, path, body) in &refused {
        let response = manager.request(method.clone(), app.url(path)).json(body).dispatch().await.unwrap();
        expect_error(response, ErrorCode::Forbidden).await;
    }

    // Another shop: nothing.
    let other = app.create_shop("Elsewhere", 1).await;
    for path in [routes::owner_shop(other.shop_id.as_str()), routes::owner_registers(other.shop_id.as_str())] {
        expect_error(manager.get(app.url(&path)).dispatch().await.unwrap(), ErrorCode::Forbidden).await;
    }

    // A manager of another store of this shop sees none of the main store's registers and cannot revoke one.
    // A store the shop does not have gets no manager.
    let nowhere = admin(&app, Method::POST, &routes::owner_manager_invites(&shop))
        .json(&json!({ "store_id": "harbour" }))
        .dispatch()
        .await
        .unwrap();
    expect_error(nowhere, ErrorCode::UnknownStore).await;
    assert_eq!(add_store(&app, "Harbour").await, "harbour");
    let elsewhere = store_manager(&app, "harbour").await;
    let listed = elsewhere.get(app.url(&routes::owner_registers(&shop))).dispatch().await.unwrap();
    let listed: RegisterList = expect_json(listed, StatusCode::OK).await;
    assert!(listed.registers.is_empty(), "{listed:?}");
    let revoke = routes::owner_register(&shop, app.register.register_id.as_str());
    expect_error(elsewhere.delete(app.url(&revoke)).dispatch().await.unwrap(), ErrorCode::Forbidden).await;
    let pair = elsewhere
        .post(app.url(&routes::owner_pairings(&shop)))
        .json(&json!({ "code": "000000", "name": "Till 9" }))
        .dispatch()
        .await
        .unwrap();
    expect_error(pair, ErrorCode::Forbidden).await;

    // Their own store's manager revokes it.
    assert_eq!(manager.delete(app.url(&revoke)).dispatch().await.unwrap().status(), StatusCode::NO_CONTENT);
    let info = app.http.get(app.url(routes::REGISTER)).bearer_auth(&app.register.token).dispatch().await.unwrap();
    expect_error(info, ErrorCode::RegisterRevoked).await;
}

#[tokio::test]
async fn a_cashier_signs_in_with_a_guessing_limit_and_sales_name_them() {
    let app = spawn_app().await;
    let member = app.member_of_shop("Staff Sale", false).await;

    // Without staff, a register sells as before.
    assert_eq!(on_duty(&app, None).await, OnDutyStatus { staff_required: false, on_duty: None });
    let before: PointsAccrued = expect_json(sale(&app, &member, None).await, StatusCode::OK).await;
    assert_eq!(before.receipt.expect("receipt").served_by, None);

    let ada = add_staff(&app, "Ada Lovelace", "cashier", CASHIER_PIN).await;
    let bo = add_staff(&app, "Bo", "cashier", "24680").await;
    assert!(on_duty(&app, None).await.staff_required);
    expect_error(sale(&app, &member, None).await, ErrorCode::CashierRequired).await;
    expect_error(sale(&app, &member, Some("not-a-session")).await, ErrorCode::CashierRequired).await;

    // Wrong PINs and unknown numbers are refused alike.
    let token = &app.register.token;
    expect_error(sign_in_response(&app, token, ada.staff_number.get(), "0000").await, ErrorCode::WrongPin).await;
    expect_error(sign_in_response(&app, token, 9_999, CASHIER_PIN).await, ErrorCode::WrongPin).await;

    let session = sign_in(&app, &ada, CASHIER_PIN).await;
    assert_eq!(session.on_duty.staff.name.as_str(), "Ada Lovelace");
    assert_eq!(session.on_duty.role, Role::Cashier);
    let status = on_duty(&app, Some(&session.token)).await;
    assert_eq!(status.on_duty.as_ref().map(|d| &d.staff), Some(&ada.served_by()));

    // The sale's receipt (the register's and the phone's) says who served.
    let receipt = sale_receipt(&app, &member, &session.token).await;
    assert_eq!(receipt.served_by, Some(ada.served_by()));
    let wallet = member.wallet(None).await;
    let on_phone = wallet.receipts.iter().find(|r| r.receipt_number == receipt.receipt_number).expect("on the phone");
    assert_eq!(on_phone.served_by, Some(ada.served_by()));

    // The session is this register's only.
    let other = app.create_register(&app.shop.shop_id).await;
    let elsewhere = app
        .http
        .get(app.url(routes::REGISTER_STAFF_SESSION))
        .bearer_auth(&other.token)
        .header(STAFF_SESSION_HEADER, &session.token)
        .dispatch()
        .await
        .unwrap();
    let elsewhere: OnDutyStatus = expect_json(elsewhere, StatusCode::OK).await;
    assert_eq!(elsewhere.on_duty, None);

    // Five wrong PINs lock Bo's number, even for the right PIN.
    for _ in 0..4 {
        expect_error(sign_in_response(&app, token, bo.staff_number.get(), "1111").await, ErrorCode::WrongPin).await;
    }
    expect_error(sign_in_response(&app, token, bo.staff_number.get(), "1111").await, ErrorCode::PinLocked).await;
    expect_error(sign_in_response(&app, token, bo.staff_number.get(), "24680").await, ErrorCode::PinLocked).await;
    let listed = staff_list(&app).await;
    assert!(listed.iter().any(|p| p.staff_number == bo.staff_number && p.locked_until.is_some()));

    // Signing out ends the session.
    let out = app
        .http
        .delete(app.url(routes::REGISTER_STAFF_SESSION))
        .bearer_auth(token)
        .header(STAFF_SESSION_HEADER, &session.token)
        .dispatch()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    expect_error(sale(&app, &member, Some(&session.token)).await, ErrorCode::CashierRequired).await;

    // Removing a person ends their session at once.
    let again = sign_in(&app, &ada, CASHIER_PIN).await;
    sale_receipt(&app, &member, &again.token).await;
    let number = ada.staff_number.to_string();
    let removed = admin(&app, Method::DELETE, &routes::owner_staff_member(app.shop.shop_id.as_str(), &number));
    assert_eq!(removed.dispatch().await.unwrap().status(), StatusCode::NO_CONTENT);
    assert_eq!(on_duty(&app, Some(&again.token)).await.on_duty, None);
    expect_error(sale(&app, &member, Some(&again.token)).await, ErrorCode::CashierRequired).await;
    expect_error(sign_in_response(&app, token, ada.staff_number.get(), CASHIER_PIN).await, ErrorCode::WrongPin).await;
}

#[tokio::test]
async fn a_refund_above_the_limit_needs_a_manager_of_the_store() {
    let app = spawn_app().await;
    let member = app.member_of_shop("Staff Refund", false).await;
    let cashier = add_staff(&app, "Cas", "cashier", CASHIER_PIN).await;
    let manager = add_staff(&app, "Manon", "manager", MANAGER_PIN).await;
    expect_error(add_staff_response(&app, "Harbour Boss", "manager", "harbour", "5555").await, ErrorCode::UnknownStore)
        .await;
    add_store(&app, "Harbour").await;
    let elsewhere = expect_json::<StaffMember>(
        add_staff_response(&app, "Harbour Boss", "manager", "harbour", "5555").await,
        StatusCode::CREATED,
    )
    .await;
    // Refunds above 5.00 need a manager.
    let patched = admin(&app, Method::PATCH, &routes::owner_shop(app.shop.shop_id.as_str()))
        .json(&json!({ "refund_approval_above": 500 }))
        .dispatch()
        .await
        .unwrap();
    let shop: ShopSummary = expect_json(patched, StatusCode::OK).await;
    assert_eq!(shop.programme.refund_approval_above.above(), Some(500));

    let session = sign_in(&app, &cashier, CASHIER_PIN).await;
    let sale = sale_receipt(&app, &member, &session.token).await;
    let number = &sale.receipt_number;

    // The cake alone (3.00) is under the limit: no approval needed.
    let cake = json!({ "lines": [{ "line": 2, "quantity": 1 }] });
    let small: Receipt =
        expect_json(refund(&app, &session.token, &unique_id("r"), number, cake).await, StatusCode::OK).await;
    assert_eq!((small.served_by.as_ref(), small.approved_by.as_ref()), (Some(&cashier.served_by()), None));

    // The coffees (5.00 + nothing else left would be 5.00: at the limit) — refund a new 8.00 sale instead.
    let big = sale_receipt(&app, &member, &session.token).await;
    let request_id = unique_id("refund");
    let whole = |approval: Value| json!({ "approval": approval });
    expect_error(
        refund(&app, &session.token, &request_id, &big.receipt_number, json!({})).await,
        ErrorCode::ApprovalRequired,
    )
    .await;
    let with_cashier = whole(json!({ "staff_number": cashier.staff_number, "pin": CASHIER_PIN }));
    expect_error(
        refund(&app, &session.token, &request_id, &big.receipt_number, with_cashier).await,
        ErrorCode::ApprovalRequired,
    )
    .await;
    let with_other_store = whole(json!({ "staff_number": elsewhere.staff_number, "pin": "5555" }));
    expect_error(
        refund(&app, &session.token, &request_id, &big.receipt_number, with_other_store).await,
        ErrorCode::ApprovalRequired,
    )
    .await;
    let wrong_pin = whole(json!({ "staff_number": manager.staff_number, "pin": "0000" }));
    expect_error(refund(&app, &session.token, &request_id, &big.receipt_number, wrong_pin).await, ErrorCode::WrongPin)
        .await;
    assert_eq!(member.points_at(&app.shop.shop_id).await, 16 - 3, "nothing refunded yet but the cake");

    let approved = whole(json!({ "staff_number": manager.staff_number, "pin": MANAGER_PIN }));
    let refunded: Receipt =
        expect_json(refund(&app, &session.token, &request_id, &big.receipt_number, approved).await, StatusCode::OK)
            .await;
    assert_eq!(refunded.served_by, Some(cashier.served_by()));
    assert_eq!(refunded.approved_by, Some(manager.served_by()));
    // A retry under the same id is the same refund, and needs no PIN again.
    let again: Receipt =
        expect_json(refund(&app, &session.token, &request_id, &big.receipt_number, json!({})).await, StatusCode::OK)
            .await;
    assert_eq!(again, refunded);
    assert_eq!(member.points_at(&app.shop.shop_id).await, 16 - 3 - 8);
}
