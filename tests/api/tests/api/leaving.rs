//! Leaving a shop's programme, the member's export, and closing the account.

use crate::issuing::{claim, claim_response, create_issuer, gate, item_code, pocket, scan_with};
use api_tests::{
    expect_error, expect_json, raw_json, spawn_app, unique_id, SendThroughProxy, TestApp, TestMember, PASSWORD,
};
use domain::api::account::MemberExport;
use domain::api::bills::BillStatus;
use domain::api::tickets::EventStatus;
use domain::api::{routes, ErrorCode};
use domain::items::ItemRef;
use domain::member::MemberNumber;
use reqwest::{Response, StatusCode};
use serde_json::json;

async fn leave(app: &TestApp, member: &TestMember, shop_id: &str) -> Response {
    member.client.delete(app.url(&routes::membership(shop_id))).dispatch().await.expect("leave")
}

async fn export(app: &TestApp, member: &TestMember) -> MemberExport {
    expect_json(member.client.get(app.url(routes::EXPORT)).dispatch().await.expect("export"), StatusCode::OK).await
}

async fn delete_account(app: &TestApp, member: &TestMember, password: &str) -> Response {
    member
        .client
        .delete(app.url(routes::ACCOUNT))
        .json(&json!({ "password": password }))
        .dispatch()
        .await
        .expect("delete")
}

async fn sign_in(app: &TestApp, member: &TestMember) -> Response {
    let body = json!({ "member_number": member.signed_in.member_number, "password": PASSWORD });
    app.http.post(app.url(routes::SESSION)).json(&body).dispatch().await.expect("sign in")
}

/// `name=value` of the session cookie a response sets.
fn session_cookie(response: &Response) -> String {
    let header = response.headers().get("set-cookie").and_then(|v| v.to_str().ok()).unwrap_or_default();
    header.split(';').next().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn leaving_with_nothing_prepaid_kills_the_codes_and_points_do_not_come_back() {
    let app = spawn_app().await;
    let member = app.member_of_shop("Ada", false).await;
    let first = member.issue_code(&app.shop.shop_id).await.code;
    app.accrue_ok(&first, 1200).await;
    let live = member.issue_code(&app.shop.shop_id).await.code;
    let joined = member.wallet(None).await.memberships[0].clone();
    assert_eq!(joined.points, 12);

    assert_eq!(leave(&app, &member, app.shop.shop_id.as_str()).await.status(), StatusCode::NO_CONTENT);
    assert!(member.wallet(None).await.memberships.is_empty(), "the wallet no longer lists the shop");
    expect_error(app.resolve(&live).await, ErrorCode::Unknown).await;
    expect_error(app.accrue(&live, &unique_id("sale"), 100).await, ErrorCode::Unknown).await;
    // Not a member any more: no new codes, and leaving again is refused.
    let issue = member.client.post(app.url(routes::CODES)).json(&json!({ "shop_id": app.shop.shop_id })).dispatch();
    expect_error(issue.await.unwrap(), ErrorCode::NotAMember).await;
    expect_error(leave(&app, &member, app.shop.shop_id.as_str()).await, ErrorCode::NotAMember).await;

    // Joining again: a new membership with the shop's same customer number, and no points.
    let again = member.join(&app.shop.shop_id, false).await;
    assert_eq!(again.customer_number, joined.customer_number);
    assert_eq!(again.points, 0);
    // The shop's ledger kept its rows: the sale and the entry that closed it, adding up to zero.
    let exported = export(&app, &member).await;
    let ledger = &exported.memberships[0].points_ledger;
    assert_eq!(ledger.iter().map(|row| row.points).collect::<Vec<_>>(), [12, -12]);
    assert!(exported.memberships[0].left_at.is_some());
}

#[tokio::test]
async fn leaving_with_prepaid_value_left_is_refused_until_it_is_spent() {
    let app = spawn_app().await;
    let member = app.customer(0, 500).await;
    let refused =
        expect_error(leave(&app, &member, app.shop.shop_id.as_str()).await, ErrorCode::PrepaidBalanceLeft).await;
    assert!(refused.message.contains("refund"), "{}", refused.message);
    assert_eq!(member.wallet(None).await.memberships.len(), 1, "still a member");
    assert_eq!(member.prepaid_at(&app.shop.shop_id).await, 500);
    // Codes still work after a refusal.
    let code = member.issue_code(&app.shop.shop_id).await.code;
    assert_eq!(app.resolve_ok(&code).await.prepaid_minor, 500);
    // A shop that was never joined.
    expect_error(leave(&app, &member, "no-such-shop").await, ErrorCode::NotAMember).await;
}

#[tokio::test]
async fn the_export_holds_profile_memberships_ledgers_receipts_and_items() {
    let app = spawn_app().await;
    let member = app.customer(7, 300).await;
    let issuer = create_issuer(&app).await;
    let bill = issuer.bill(&app, 990).await;
    claim(&app, &member, &bill.claim.claim_token).await;

    let response = member.client.get(app.url(routes::EXPORT)).dispatch().await.unwrap();
    let disposition = response.headers().get("content-disposition").and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(disposition.starts_with("attachment"), "{disposition}");
    let exported: MemberExport = expect_json(response, StatusCode::OK).await;
    assert_eq!(exported.member_number, member.signed_in.member_number);
    assert_eq!(exported.display_name, member.signed_in.display_name);
    assert!(exported.has_pin);
    let shop = &exported.memberships[0];
    assert!(shop.current);
    assert_eq!((shop.points, shop.prepaid_minor), (7, 300));
    assert_eq!(shop.points_ledger.iter().map(|row| row.points).sum::<i64>(), 7);
    assert_eq!(shop.prepaid_ledger.last().map(|row| row.balance_after_minor), Some(300));
    assert_eq!(exported.receipts.len(), 2, "the sale and the top-up");
    assert_eq!(exported.items.bills.len(), 1);
    assert_eq!(exported.items.bills[0].item, bill.item);
    // Never the password or the PIN, not even hashed.
    let raw = raw_json(member.client.get(app.url(routes::EXPORT)).dispatch().await.unwrap()).await.to_string();
    assert!(!raw.contains("pbkdf2") && !raw.contains("\"stored\"") && !raw.contains(PASSWORD), "{raw}");
}

#[tokio::test]
async fn a_deleted_account_cannot_sign_in_and_its_session_and_codes_are_dead() {
    let app = spawn_app().await;
    let member = app.customer(5, 0).await;
    let code = member.issue_code(&app.shop.shop_id).await.code;
    // The register read it a moment before: it is held for the sale.
    app.resolve_ok(&code).await;

    // A second session of the same member, kept aside (as on another device).
    let signed_in = sign_in(&app, &member).await;
    let old_session = session_cookie(&signed_in);
    assert_eq!(signed_in.status(), StatusCode::OK);

    expect_error(delete_account(&app, &member, "not the password").await, ErrorCode::WrongCredentials).await;
    assert_eq!(member.wallet(None).await.memberships.len(), 1, "a wrong password changes nothing");

    let deleted = delete_account(&app, &member, PASSWORD).await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let cookie = deleted.headers().get("set-cookie").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert!(cookie.contains("Max-Age=0"), "{cookie}");

    // The code held at the register is refused a moment later.
    expect_error(app.accrue(&code, &unique_id("sale"), 1000).await, ErrorCode::Unknown).await;
    expect_error(app.resolve(&code).await, ErrorCode::Unknown).await;
    // Signing in is refused, with words.
    let refused = expect_error(sign_in(&app, &member).await, ErrorCode::AccountDeleted).await;
    assert!(refused.message.contains("deleted"), "{}", refused.message);
    // A session kept from before is refused everywhere, vault or not.
    let with_old = |request: reqwest::RequestBuilder| request.header("cookie", &old_session).dispatch();
    let shop = json!({ "shop_id": app.shop.shop_id });
    for response in [
        with_old(app.http.get(app.url(routes::WALLET))).await.unwrap(),
        with_old(app.http.get(app.url(routes::ITEMS))).await.unwrap(),
        with_old(app.http.get(app.url(routes::EXPORT))).await.unwrap(),
        with_old(app.http.post(app.url(routes::CODES)).json(&shop)).await.unwrap(),
        with_old(app.http.post(app.url(routes::MEMBERSHIPS)).json(&shop)).await.unwrap(),
        with_old(app.http.delete(app.url(routes::ACCOUNT)).json(&json!({ "password": PASSWORD }))).await.unwrap(),
    ] {
        expect_error(response, ErrorCode::AccountDeleted).await;
    }
}

#[tokio::test]
async fn a_deleted_members_items_go_back_to_their_issuer_unclaimed_and_the_books_still_add_up() {
    let app = spawn_app().await;
    let issuer = create_issuer(&app).await;
    let bill = issuer.bill(&app, 1500).await;
    let ticket = issuer.ticket(&app, json!({})).await;
    let member = app.sign_up("Ada").await;
    claim(&app, &member, &bill.claim.claim_token).await;
    claim(&app, &member, &ticket.claim.claim_token).await;
    let bill_code = item_code(&app, &member, &bill.item).await;
    let admitted = gate(&app, &app.register.token, &item_code(&app, &member, &ticket.item).await).await;
    assert!(admitted.admitted, "{admitted:?}");
    let ItemRef::Ticket { event, .. } = &ticket.item else { panic!("a ticket") };
    let event_path = routes::issuer_event(event.as_str());

    assert_eq!(delete_account(&app, &member, PASSWORD).await.status(), StatusCode::NO_CONTENT);

    // The bill: unclaimed in the issuer's status, the old code dead at the register.
    let status: BillStatus =
        expect_json(issuer.get(&app, &routes::issuer_bill(bill.bill_id.as_str())).await, StatusCode::OK).await;
    assert!(!status.claimed);
    assert_eq!(status.paid, None);
    expect_error(scan_with(&app, &app.register.token, &bill_code).await, ErrorCode::NotTheHolder).await;
    // The ticket: no holder any more, and the gate's count still has the entry admitted before.
    let event: EventStatus = expect_json(issuer.get(&app, &event_path).await, StatusCode::OK).await;
    assert_eq!(event.visitors, 1);
    assert!(event.tickets[0].holders.is_empty(), "{:?}", event.tickets[0].holders);
    assert_eq!(event.tickets[0].entries.len(), 1);
    // The claim link works again: the issuer can hand the bill to whoever owes it.
    let someone = app.sign_up("Bea").await;
    assert_eq!(claim_response(&app, &someone, &bill.claim.claim_token).await.status(), StatusCode::OK);
    assert_eq!(pocket(&app, &someone).await.bills.len(), 1);
}

#[tokio::test]
async fn a_deleted_number_stays_taken_after_its_credentials_are_gone() {
    let app = spawn_app().await;
    let member = app.sign_up("Ada").await;
    assert_eq!(delete_account(&app, &member, PASSWORD).await.status(), StatusCode::NO_CONTENT);
    // The password and name are gone from the directory, yet the number still answers
    // `account_deleted`, never `wrong_credentials` as a free number would: its vault stays
    // closed for good. (Numbers are drawn at random; that a sign-up drawing this one hears
    // `already_exists` and draws another is the vault's unit test.)
    let refused = expect_error(sign_in(&app, &member).await, ErrorCode::AccountDeleted).await;
    assert!(refused.message.contains("cannot sign in again"), "{}", refused.message);
    let free = json!({ "member_number": never_held_number(), "password": PASSWORD });
    let free = app.http.post(app.url(routes::SESSION)).json(&free).dispatch().await.unwrap();
    expect_error(free, ErrorCode::WrongCredentials).await;
}

/// A member number nobody holds (drawn from the clock, like `never_issued_code`).
fn never_held_number() -> MemberNumber {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    MemberNumber::from_entropy(((nanos as u64) ^ 0x9e37_79b9_7f4a_7c15).to_le_bytes())
}
