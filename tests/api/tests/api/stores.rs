//! A shop's stores: added, renamed and listed by its owner (and no one else's),
//! registers paired into a store, and one programme across the stores: points
//! and prepaid value earned in one store are spent in another, and every
//! receipt and exported ledger row names the store it happened in. A closed
//! store stops its registers at once and leaves its managers, but keeps its name
//! in the books.

use api_tests::{
    charge_amount, concluded, expect_error, expect_json, redeem, spawn_app, unique_id, SendThroughProxy, TestApp, PIN,
};
use domain::api::account::MemberExport;
use domain::api::owner::{PairingStarted, PairingStatus, RegisterList, RegisterSummary};
use domain::api::owner_accounts::OwnerMe;
use domain::api::stores::{StoreClosed, StoreList};
use domain::api::{routes, DebitOutcome, DebitStatus, ErrorCode, RegisterCreated, RegisterInfo};
use domain::store::{Store, StoreId};
use reqwest::{Client, Response, StatusCode};
use serde_json::{json, Value};

async fn stores(app: &TestApp) -> Vec<Store> {
    let response =
        app.http.get(app.url(&routes::owner_stores(app.shop.shop_id.as_str()))).bearer_auth(&app.admin_token);
    let list: StoreList = expect_json(response.dispatch().await.expect("list stores"), StatusCode::OK).await;
    list.stores
}

async fn add_store_response(app: &TestApp, name: &str) -> Response {
    app.http
        .post(app.url(&routes::owner_stores(app.shop.shop_id.as_str())))
        .bearer_auth(&app.admin_token)
        .json(&json!({ "name": name }))
        .dispatch()
        .await
        .expect("add store")
}

async fn add_store(app: &TestApp, name: &str) -> Store {
    expect_json(add_store_response(app, name).await, StatusCode::CREATED).await
}

async fn rename_store(app: &TestApp, store_id: &str, name: &str) -> Response {
    app.http
        .patch(app.url(&routes::owner_store(app.shop.shop_id.as_str(), store_id)))
        .bearer_auth(&app.admin_token)
        .json(&json!({ "name": name }))
        .dispatch()
        .await
        .expect("rename store")
}

async fn registers(app: &TestApp) -> Vec<RegisterSummary> {
    let response =
        app.http.get(app.url(&routes::owner_registers(app.shop.shop_id.as_str()))).bearer_auth(&app.admin_token);
    let list: RegisterList = expect_json(response.dispatch().await.expect("list registers"), StatusCode::OK).await;
    list.registers
}

/// A register made with the admin API, with `body` as sent (a store or none).
async fn admin_register(app: &TestApp, body: Value) -> RegisterCreated {
    let response = app
        .http
        .post(app.url(&routes::admin_shop_registers(app.shop.shop_id.as_str())))
        .bearer_auth(&app.admin_token)
        .json(&body)
        .dispatch()
        .await
        .expect("create register");
    expect_json(response, StatusCode::CREATED).await
}

async fn approve(app: &TestApp, code: &str, body: Value) -> Response {
    let mut body = body;
    body["code"] = json!(code);
    app.http
        .post(app.url(&routes::owner_pairings(app.shop.shop_id.as_str())))
        .bearer_auth(&app.admin_token)
        .json(&body)
        .dispatch()
        .await
        .expect("approve pairing")
}

async fn export(app: &TestApp, client: &Client) -> MemberExport {
    expect_json(client.get(app.url(routes::EXPORT)).dispatch().await.expect("export"), StatusCode::OK).await
}

#[tokio::test]
async fn stores_are_added_renamed_and_listed_with_the_main_store_first() {
    let app = spawn_app().await;
    // Every shop has its main store, named like the shop until renamed.
    assert_eq!(
        stores(&app).await,
        [Store {
            store_id: StoreId::main(),
            name: app.shop.name.clone(),
            closed_at: None,
            offline_debit_limit_minor: 0
        }]
    );

    let harbour = add_store(&app, " Harbour Street ").await;
    assert_eq!(harbour.store_id.as_str(), "harbour-street");
    assert_eq!(harbour.name.as_str(), "Harbour Street");
    // The same name again gets a numbered id; a name without Latin letters a random one.
    let second = add_store(&app, "Harbour Street").await;
    assert_eq!(second.store_id.as_str(), "harbour-street-2");
    let other = add_store(&app, "Ярмарка").await;
    assert!(other.store_id.as_str().starts_with("store-"), "{}", other.store_id);
    expect_error(add_store_response(&app, "").await, ErrorCode::InvalidRequest).await;
    expect_error(add_store_response(&app, "Bad\u{202e}name").await, ErrorCode::InvalidRequest).await;

    let renamed: Store = expect_json(rename_store(&app, "harbour-street", "Harbour St.").await, StatusCode::OK).await;
    assert_eq!(
        renamed,
        Store {
            store_id: harbour.store_id.clone(),
            name: "Harbour St.".parse_label(),
            closed_at: None,
            offline_debit_limit_minor: 0
        }
    );
    expect_error(rename_store(&app, "nowhere", "Nowhere").await, ErrorCode::UnknownStore).await;
    expect_error(rename_store(&app, "Not An Id", "Nowhere").await, ErrorCode::UnknownStore).await;

    // The main store follows the shop's name until it has its own.
    let patched = app
        .http
        .patch(app.url(&routes::owner_shop(app.shop.shop_id.as_str())))
        .bearer_auth(&app.admin_token)
        .json(&json!({ "name": "Renamed Shop" }))
        .dispatch()
        .await
        .unwrap();
    assert_eq!(patched.status(), StatusCode::OK);
    let listed = stores(&app).await;
    assert_eq!(
        listed[0],
        Store {
            store_id: StoreId::main(),
            name: "Renamed Shop".parse_label(),
            closed_at: None,
            offline_debit_limit_minor: 0
        }
    );
    let _: Store = expect_json(rename_store(&app, "main", "Old Town").await, StatusCode::OK).await;
    let listed = stores(&app).await;
    assert_eq!(listed.len(), 4);
    assert_eq!(listed[0].name.as_str(), "Old Town");
    assert_eq!(listed[1], renamed);
    assert_eq!(listed[2], second);
    assert_eq!(listed[3], other);
}

trait ParseLabel {
    fn parse_label(&self) -> domain::shop::Label;
}

impl ParseLabel for str {
    fn parse_label(&self) -> domain::shop::Label {
        domain::shop::Label::parse(self).unwrap()
    }
}

#[tokio::test]
async fn only_the_shops_own_managers_reach_its_stores() {
    let app = spawn_app().await;
    let other_shop = app.create_shop("Other Shop", 1).await;
    let stranger = app.owner_of(&other_shop.shop_id).await;
    let owner = app.owner_of(&app.shop.shop_id).await;
    let shop = app.shop.shop_id.as_str();

    let stranger_calls = [
        stranger.get(app.url(&routes::owner_stores(shop))),
        stranger.post(app.url(&routes::owner_stores(shop))).json(&json!({ "name": "Mine now" })),
        stranger.patch(app.url(&routes::owner_store(shop, "main"))).json(&json!({ "name": "Mine now" })),
    ];
    for call in stranger_calls {
        expect_error(call.dispatch().await.unwrap(), ErrorCode::Forbidden).await;
    }
    let anonymous = [
        app.http.get(app.url(&routes::owner_stores(shop))),
        app.http.post(app.url(&routes::owner_stores(shop))).json(&json!({ "name": "Mine now" })),
        app.http.patch(app.url(&routes::owner_store(shop, "main"))).json(&json!({ "name": "Mine now" })),
    ];
    for call in anonymous {
        expect_error(call.dispatch().await.unwrap(), ErrorCode::Unauthorized).await;
    }
    // Nothing changed; the shop's own owner adds and renames with their session.
    assert_eq!(stores(&app).await.len(), 1);
    let added = owner.post(app.url(&routes::owner_stores(shop))).json(&json!({ "name": "Quay" })).dispatch().await;
    let quay: Store = expect_json(added.unwrap(), StatusCode::CREATED).await;
    let renamed =
        owner.patch(app.url(&routes::owner_store(shop, quay.store_id.as_str()))).json(&json!({ "name": "Quayside" }));
    let _: Store = expect_json(renamed.dispatch().await.unwrap(), StatusCode::OK).await;
    let listed: StoreList =
        expect_json(owner.get(app.url(&routes::owner_stores(shop))).dispatch().await.unwrap(), StatusCode::OK).await;
    assert_eq!(listed.stores[1].name.as_str(), "Quayside");
}

#[tokio::test]
async fn a_register_is_paired_into_a_store_and_an_unknown_store_is_refused() {
    let app = spawn_app().await;
    let quay = add_store(&app, "Quay").await;
    let started: PairingStarted =
        expect_json(app.http.post(app.url(routes::PAIRINGS)).dispatch().await.unwrap(), StatusCode::CREATED).await;

    // An unknown store is refused before the code is taken: the same code still pairs.
    let unknown = approve(&app, &started.code, json!({ "name": "Quay till", "store_id": "nowhere" })).await;
    expect_error(unknown, ErrorCode::UnknownStore).await;
    let approved: RegisterSummary = expect_json(
        approve(&app, &started.code, json!({ "name": "Quay till", "store_id": quay.store_id })).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(approved.store_id, quay.store_id);

    let polled: PairingStatus =
        expect_json(app.http.get(app.url(&routes::pairing(&started.secret))).dispatch().await.unwrap(), StatusCode::OK)
            .await;
    let PairingStatus::Paired { token, .. } = polled else { panic!("not paired: {polled:?}") };
    let info = app.http.get(app.url(routes::REGISTER)).bearer_auth(&token).dispatch().await.unwrap();
    let _: RegisterInfo = expect_json(info, StatusCode::OK).await;

    // The list shows each register's store: the admin's register stands in the main store.
    let listed = registers(&app).await;
    let store_of = |id: &str| listed.iter().find(|r| r.register_id.as_str() == id).map(|r| r.store_id.clone());
    assert_eq!(store_of(approved.register_id.as_str()), Some(quay.store_id.clone()));
    assert_eq!(store_of(app.register.register_id.as_str()), Some(StoreId::main()));

    // The admin API places a register in a store too, and refuses an unknown one.
    let made = admin_register(&app, json!({ "name": "Quay till 2", "store_id": quay.store_id })).await;
    assert_eq!(
        registers(&app).await.iter().find(|r| r.register_id == made.register_id).map(|r| r.store_id.clone()),
        Some(quay.store_id.clone())
    );
    let refused = app
        .http
        .post(app.url(&routes::admin_shop_registers(app.shop.shop_id.as_str())))
        .bearer_auth(&app.admin_token)
        .json(&json!({ "name": "Nowhere till", "store_id": "nowhere" }))
        .dispatch()
        .await
        .unwrap();
    expect_error(refused, ErrorCode::UnknownStore).await;
}

#[tokio::test]
async fn points_and_prepaid_earned_in_one_store_are_spent_in_another_and_every_row_names_its_store() {
    let app = spawn_app().await;
    app.with_rewards().await;
    let quay = add_store(&app, "Quay").await;
    let quay_till = admin_register(&app, json!({ "name": "Quay till", "store_id": quay.store_id })).await;

    // Earned at the main store's register (600 points), topped up there (10.00).
    let member = app.customer(600, 1000).await;
    let wallet = member.wallet(None).await;
    let earned = wallet.receipts.iter().find(|r| matches!(r.details, domain::receipt::ReceiptDetails::Points { .. }));
    let earned = earned.expect("the sale's receipt");
    assert_eq!(earned.store_id, StoreId::main());
    assert_eq!(earned.store_name.as_ref(), Some(&app.shop.name));

    // Spent at the quay's register: a reward, then a prepaid charge.
    let code = member.issue_code(&app.shop.shop_id).await.code;
    let asked = app.debit_with(&quay_till.token, &code, &unique_id("redeem"), redeem("coffee")).await;
    let asked: DebitStatus = expect_json(asked, StatusCode::OK).await;
    assert_eq!(asked.outcome, DebitOutcome::Pending);
    let pending = member.pending().await;
    let approved: DebitStatus = expect_json(member.approve(&pending[0], None, 0).await, StatusCode::OK).await;
    let redeemed = concluded(&approved).clone();
    assert_eq!(redeemed.store_id, quay.store_id);
    assert_eq!(redeemed.store_name.as_ref(), Some(&quay.name));
    assert_eq!(redeemed.register_id, quay_till.register_id);
    assert_eq!(member.points_at(&app.shop.shop_id).await, 100);

    let code = member.issue_code(&app.shop.shop_id).await.code;
    let charge = app.debit_with(&quay_till.token, &code, &unique_id("charge"), charge_amount(400)).await;
    let _: DebitStatus = expect_json(charge, StatusCode::OK).await;
    let pending = member.pending().await;
    let paid: DebitStatus = expect_json(member.approve(&pending[0], Some(PIN), 0).await, StatusCode::OK).await;
    assert_eq!(concluded(&paid).store_id, quay.store_id);
    assert_eq!(member.prepaid_at(&app.shop.shop_id).await, 600);

    // A store renamed later: new receipts carry the new name, old ones keep theirs.
    let _: Store = expect_json(rename_store(&app, quay.store_id.as_str(), "Quayside").await, StatusCode::OK).await;
    let code = member.issue_code(&app.shop.shop_id).await.code;
    let sale = app.accrue_with(&quay_till.token, code.as_str(), &unique_id("sale"), 250).await;
    let _: Value = expect_json(sale, StatusCode::OK).await;
    let newest = member.wallet(None).await.receipts.into_iter().next().expect("a receipt");
    assert_eq!(newest.store_name.as_ref().map(|n| n.as_str()), Some("Quayside"));

    // The export names the store of every ledger row and receipt.
    let exported = export(&app, &member.client).await;
    let membership = &exported.memberships[0];
    let points_stores: Vec<&str> = membership.points_ledger.iter().map(|row| row.store_id.as_str()).collect();
    assert_eq!(points_stores, ["main", quay.store_id.as_str(), quay.store_id.as_str()]);
    let prepaid_stores: Vec<&str> = membership.prepaid_ledger.iter().map(|row| row.store_id.as_str()).collect();
    assert_eq!(prepaid_stores, ["main", quay.store_id.as_str()]);
    let receipt_stores: Vec<&str> = exported.receipts.iter().map(|r| r.store_id.as_str()).collect();
    assert_eq!(
        receipt_stores,
        ["main", "main", quay.store_id.as_str(), quay.store_id.as_str(), quay.store_id.as_str()]
    );
    let raw: Value = member.client.get(app.url(routes::EXPORT)).dispatch().await.unwrap().json().await.unwrap();
    assert_eq!(raw["memberships"][0]["points_ledger"][1]["store_id"], json!(quay.store_id));
}

#[tokio::test]
async fn a_register_made_without_a_store_stands_in_the_main_store() {
    let app = spawn_app().await;
    // As an old client sends it: no store at all.
    let old = admin_register(&app, json!({ "name": "Old till" })).await;
    let listed = registers(&app).await;
    assert_eq!(
        listed.iter().find(|r| r.register_id == old.register_id).map(|r| r.store_id.clone()),
        Some(StoreId::main())
    );

    let member = app.member_of_shop("Old timer", false).await;
    let code = member.issue_code(&app.shop.shop_id).await.code;
    let sale = app
        .http
        .post(app.url(routes::POINTS))
        .bearer_auth(&old.token)
        .json(&json!({ "code": code, "request_id": unique_id("sale"), "amount_minor": 500, "items": [
            { "name": "Tea", "quantity": 2, "unit_price": 250 }
        ]}))
        .dispatch()
        .await
        .unwrap();
    let _: Value = expect_json(sale, StatusCode::OK).await;
    let receipt = member.wallet(None).await.receipts.into_iter().next().expect("a receipt");
    assert_eq!(receipt.store_id, StoreId::main());
    assert_eq!(receipt.store_name.as_ref(), Some(&app.shop.name));
    // A pairing approved without a store (as the console did before stores) lands in the main store too.
    let started: PairingStarted =
        expect_json(app.http.post(app.url(routes::PAIRINGS)).dispatch().await.unwrap(), StatusCode::CREATED).await;
    let approved: RegisterSummary =
        expect_json(approve(&app, &started.code, json!({ "name": "Till 9" })).await, StatusCode::CREATED).await;
    assert_eq!(approved.store_id, StoreId::main());
}

#[tokio::test]
async fn a_ticket_admitted_at_a_gate_records_the_gates_store() {
    use crate::issuing::{claim, create_issuer, gate, item_code};
    use domain::api::tickets::EventStatus;
    let app = spawn_app().await;
    let quay = add_store(&app, "Quay").await;
    let quay_gate = admin_register(&app, json!({ "name": "Quay gate", "store_id": quay.store_id })).await;
    let issuer = create_issuer(&app).await;
    let ticket = issuer.ticket(&app, json!({})).await;
    let ada = app.sign_up("Ada").await;
    claim(&app, &ada, &ticket.claim.claim_token).await;
    let code = item_code(&app, &ada, &ticket.item).await;
    assert!(gate(&app, &quay_gate.token, &code).await.admitted);

    let domain::items::ItemRef::Ticket { event, .. } = &ticket.item else { panic!("a ticket") };
    let status: EventStatus =
        expect_json(issuer.get(&app, &routes::issuer_event(event.as_str())).await, StatusCode::OK).await;
    let entry = &status.tickets[0].entries[0];
    assert_eq!(entry.gate, quay_gate.register_id);
    assert_eq!(entry.store, quay.store_id);
}

async fn close_store(client: &Client, app: &TestApp, shop: &str, store_id: &str) -> Response {
    client.delete(app.url(&routes::owner_store(shop, store_id))).dispatch().await.expect("close store")
}

/// A store manager's console account for `store_id`, signed in through their invite.
async fn manager_of(app: &TestApp, store_id: &StoreId) -> Client {
    let invite = app
        .http
        .post(app.url(&routes::owner_manager_invites(app.shop.shop_id.as_str())))
        .bearer_auth(&app.admin_token)
        .json(&json!({ "store_id": store_id }))
        .dispatch()
        .await
        .unwrap();
    let invite: Value = expect_json(invite, StatusCode::CREATED).await;
    let client = api_tests::client_builder().cookie_store(true).build().unwrap();
    let accepted = client
        .post(app.url(routes::OWNER_ACCEPT_INVITE))
        .json(&json!({ "token": invite["token"], "email": format!("{}@example.org", unique_id("manager")),
                       "password": api_tests::PASSWORD }))
        .dispatch()
        .await
        .unwrap();
    let me: OwnerMe = expect_json(accepted, StatusCode::CREATED).await;
    assert_eq!(me.manages.len(), 1);
    client
}

#[tokio::test]
async fn closing_a_store_stops_its_registers_at_once_and_its_name_stays_in_the_books() {
    let app = spawn_app().await;
    let shop = app.shop.shop_id.as_str();
    let quay = add_store(&app, "Quay").await;
    let quay_till = admin_register(&app, json!({ "name": "Quay till", "store_id": quay.store_id })).await;
    let manager = manager_of(&app, &quay.store_id).await;
    let owner = app.owner_of(&app.shop.shop_id).await;
    // An invite for the quay's next manager, not used before the store closes.
    let pending_invite = app
        .http
        .post(app.url(&routes::owner_manager_invites(shop)))
        .bearer_auth(&app.admin_token)
        .json(&json!({ "store_id": quay.store_id }))
        .dispatch()
        .await
        .unwrap();
    let pending_invite: Value = expect_json(pending_invite, StatusCode::CREATED).await;

    // A sale at the quay's register before it closes.
    let member = app.member_of_shop("Quay regular", false).await;
    let code = member.issue_code(&app.shop.shop_id).await.code;
    let sale = app.accrue_with(&quay_till.token, code.as_str(), &unique_id("sale"), 500).await;
    let _: Value = expect_json(sale, StatusCode::OK).await;

    // Only the shop's owner closes: not a stranger, not nobody, not the store's own manager.
    let anonymous = app.http.delete(app.url(&routes::owner_store(shop, quay.store_id.as_str())));
    expect_error(anonymous.dispatch().await.unwrap(), ErrorCode::Unauthorized).await;
    let other_shop = app.create_shop("Someone Else's", 1).await;
    let stranger = app.owner_of(&other_shop.shop_id).await;
    expect_error(close_store(&stranger, &app, shop, quay.store_id.as_str()).await, ErrorCode::Forbidden).await;
    expect_error(close_store(&manager, &app, shop, quay.store_id.as_str()).await, ErrorCode::Forbidden).await;
    let from_elsewhere = owner
        .delete(app.url(&routes::owner_store(shop, quay.store_id.as_str())))
        .header("origin", "https://evil.example")
        .dispatch()
        .await
        .unwrap();
    expect_error(from_elsewhere, ErrorCode::CrossOrigin).await;
    expect_error(close_store(&owner, &app, shop, "nowhere").await, ErrorCode::UnknownStore).await;
    let info = app.http.get(app.url(routes::REGISTER)).bearer_auth(&quay_till.token).dispatch().await.unwrap();
    let _: RegisterInfo = expect_json(info, StatusCode::OK).await;

    // The owner closes it: its register is revoked in the same step.
    let closed: StoreClosed =
        expect_json(close_store(&owner, &app, shop, quay.store_id.as_str()).await, StatusCode::OK).await;
    assert_eq!(closed.store.store_id, quay.store_id);
    assert!(closed.store.closed_at.is_some());
    assert_eq!(closed.revoked_registers, std::slice::from_ref(&quay_till.register_id));
    let info = app.http.get(app.url(routes::REGISTER)).bearer_auth(&quay_till.token).dispatch().await.unwrap();
    expect_error(info, ErrorCode::RegisterRevoked).await;
    let code = member.issue_code(&app.shop.shop_id).await.code;
    let refused = app.accrue_with(&quay_till.token, code.as_str(), &unique_id("sale"), 500).await;
    expect_error(refused, ErrorCode::RegisterRevoked).await;
    // The main store's register goes on.
    let _: Value = expect_json(app.accrue(&code, &unique_id("sale"), 300).await, StatusCode::OK).await;

    // Still listed, closed; its register listed as revoked in it.
    let listed = stores(&app).await;
    let quay_listed = listed.iter().find(|s| s.store_id == quay.store_id).expect("a closed store stays listed");
    assert_eq!(quay_listed.closed_at, closed.store.closed_at);
    assert!(listed.iter().any(|s| s.store_id == StoreId::main() && s.is_open()));
    let till = registers(&app).await.into_iter().find(|r| r.register_id == quay_till.register_id).unwrap();
    assert!(till.revoked);
    assert_eq!(till.store_id, quay.store_id);

    // Nothing new starts there: no register, no staff, no manager.
    let made = app
        .http
        .post(app.url(&routes::admin_shop_registers(shop)))
        .bearer_auth(&app.admin_token)
        .json(&json!({ "name": "Quay till 2", "store_id": quay.store_id }))
        .dispatch()
        .await
        .unwrap();
    expect_error(made, ErrorCode::StoreClosed).await;
    let started: PairingStarted =
        expect_json(app.http.post(app.url(routes::PAIRINGS)).dispatch().await.unwrap(), StatusCode::CREATED).await;
    let paired = approve(&app, &started.code, json!({ "name": "Quay till 3", "store_id": quay.store_id })).await;
    expect_error(paired, ErrorCode::StoreClosed).await;
    let hired = owner
        .post(app.url(&routes::owner_staff(shop)))
        .json(&json!({ "name": "Cy", "role": "cashier", "store_id": quay.store_id, "pin": "4321" }))
        .dispatch()
        .await
        .unwrap();
    expect_error(hired, ErrorCode::StoreClosed).await;
    let invited = owner
        .post(app.url(&routes::owner_manager_invites(shop)))
        .json(&json!({ "store_id": quay.store_id }))
        .dispatch()
        .await
        .unwrap();
    expect_error(invited, ErrorCode::StoreClosed).await;

    // Its manager lost it, and the unused invite to manage it no longer works.
    let me: OwnerMe =
        expect_json(manager.get(app.url(routes::OWNER_ME)).dispatch().await.unwrap(), StatusCode::OK).await;
    assert!(me.manages.is_empty(), "{me:?}");
    let their_registers = manager.get(app.url(&routes::owner_registers(shop))).dispatch().await.unwrap();
    expect_error(their_registers, ErrorCode::Forbidden).await;
    let late = api_tests::client_builder().cookie_store(true).build().unwrap();
    let accepted = late
        .post(app.url(routes::OWNER_ACCEPT_INVITE))
        .json(&json!({ "token": pending_invite["token"], "email": format!("{}@example.org", unique_id("late")),
                       "password": api_tests::PASSWORD }))
        .dispatch()
        .await
        .unwrap();
    expect_error(accepted, ErrorCode::NotFound).await;

    // The books still name it: the member's export and the dashboard's store filter.
    let exported = export(&app, &member.client).await;
    let points_stores: Vec<&str> =
        exported.memberships[0].points_ledger.iter().map(|row| row.store_id.as_str()).collect();
    assert!(points_stores.contains(&quay.store_id.as_str()), "{points_stores:?}");
    let receipt_names: Vec<Option<&str>> =
        exported.receipts.iter().map(|r| r.store_name.as_ref().map(|n| n.as_str())).collect();
    assert!(receipt_names.contains(&Some("Quay")), "{receipt_names:?}");
    let board = owner
        .get(app.url(&format!("{}?store={}", routes::owner_dashboard(shop), quay.store_id.as_str())))
        .dispatch()
        .await
        .unwrap();
    let _: Value = expect_json(board, StatusCode::OK).await;

    // Again: nothing left to revoke. The main store, now the last open one, stays open.
    let again: StoreClosed =
        expect_json(close_store(&owner, &app, shop, quay.store_id.as_str()).await, StatusCode::OK).await;
    assert!(again.revoked_registers.is_empty());
    assert_eq!(again.store.closed_at, closed.store.closed_at);
    expect_error(close_store(&owner, &app, shop, "main").await, ErrorCode::LastOpenStore).await;
    let info = app.http.get(app.url(routes::REGISTER)).bearer_auth(&app.register.token).dispatch().await.unwrap();
    let _: RegisterInfo = expect_json(info, StatusCode::OK).await;
}

#[tokio::test]
async fn the_main_store_closes_when_another_is_open_and_pairing_then_needs_that_store() {
    let app = spawn_app().await;
    let shop = app.shop.shop_id.as_str();
    let owner = app.owner_of(&app.shop.shop_id).await;
    // One store: it cannot close.
    expect_error(close_store(&owner, &app, shop, "main").await, ErrorCode::LastOpenStore).await;
    let harbour = add_store(&app, "Harbour").await;
    let closed: StoreClosed = expect_json(close_store(&owner, &app, shop, "main").await, StatusCode::OK).await;
    assert_eq!(closed.revoked_registers, std::slice::from_ref(&app.register.register_id));
    let info = app.http.get(app.url(routes::REGISTER)).bearer_auth(&app.register.token).dispatch().await.unwrap();
    expect_error(info, ErrorCode::RegisterRevoked).await;
    // A register made without a store would stand in the main store: refused now.
    let made = app
        .http
        .post(app.url(&routes::admin_shop_registers(shop)))
        .bearer_auth(&app.admin_token)
        .json(&json!({ "name": "Default till" }))
        .dispatch()
        .await
        .unwrap();
    expect_error(made, ErrorCode::StoreClosed).await;
    let made = admin_register(&app, json!({ "name": "Harbour till", "store_id": harbour.store_id })).await;
    let info = app.http.get(app.url(routes::REGISTER)).bearer_auth(&made.token).dispatch().await.unwrap();
    let _: RegisterInfo = expect_json(info, StatusCode::OK).await;
    expect_error(close_store(&owner, &app, shop, harbour.store_id.as_str()).await, ErrorCode::LastOpenStore).await;
}
