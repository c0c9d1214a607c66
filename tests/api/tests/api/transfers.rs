//! Passing a ticket on: a one-time link, an atomic move, the old holder's codes dead at once.

use crate::issuing::{
    accept_transfer, claim, create_issuer, gate, item_code, item_code_response, offer_ok, offer_transfer, pocket,
};
use api_tests::{expect_error, expect_json, spawn_app};
use domain::api::items::Claimed;
use domain::api::routes;
use domain::api::tickets::EventStatus;
use domain::api::ErrorCode;
use domain::items::ItemRef;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn after_a_transfer_the_old_holders_code_is_dead() {
    let app = spawn_app().await;
    let issuer = create_issuer(&app).await;
    let ticket = issuer.ticket(&app, json!({ "transferable": true })).await;
    let ada = app.sign_up("Ada").await;
    let bob = app.sign_up("Bob").await;
    claim(&app, &ada, &ticket.claim.claim_token).await;
    let adas_code = item_code(&app, &ada, &ticket.item).await;

    let offer = offer_ok(&app, &ada, &ticket.item).await;
    assert!(offer.url.contains("/phone/#accept="));
    let accepted: Claimed = expect_json(accept_transfer(&app, &bob, &offer.token).await, StatusCode::OK).await;
    assert!(matches!(accepted, Claimed::Ticket(ref view) if view.item == ticket.item));

    // Ada's code, shown before the transfer, no longer gets anyone in; nor can she get a new one.
    expect_error(crate::issuing::scan_with(&app, &app.register.token, &adas_code).await, ErrorCode::NotTheHolder).await;
    expect_error(item_code_response(&app, &ada, &ticket.item).await, ErrorCode::NotTheHolder).await;
    assert!(pocket(&app, &ada).await.tickets.is_empty());
    assert_eq!(pocket(&app, &bob).await.tickets.len(), 1);

    // The link worked once.
    expect_error(accept_transfer(&app, &ada, &offer.token).await, ErrorCode::Unknown).await;

    // Bob gets in; the issuer sees the chain of holders (as pseudonyms).
    assert!(gate(&app, &app.register.token, &item_code(&app, &bob, &ticket.item).await).await.admitted);
    let ItemRef::Ticket { event, .. } = &ticket.item else { panic!("a ticket") };
    let status: EventStatus =
        expect_json(issuer.get(&app, &routes::issuer_event(event.as_str())).await, StatusCode::OK).await;
    let holders = &status.tickets[0].holders;
    assert_eq!(holders.len(), 2);
    assert_ne!(holders[0], holders[1]);

    // Used tickets stay put.
    expect_error(offer_transfer(&app, &bob, &ticket.item).await, ErrorCode::NotTransferable).await;
}

#[tokio::test]
async fn only_transferable_tickets_move_and_only_by_their_holder() {
    let app = spawn_app().await;
    let issuer = create_issuer(&app).await;
    let fixed = issuer.ticket(&app, json!({ "transferable": false })).await;
    let free = issuer.ticket(&app, json!({ "transferable": true })).await;
    let ada = app.sign_up("Ada").await;
    let eve = app.sign_up("Eve").await;
    claim(&app, &ada, &fixed.claim.claim_token).await;
    claim(&app, &ada, &free.claim.claim_token).await;
    expect_error(offer_transfer(&app, &ada, &fixed.item).await, ErrorCode::NotTransferable).await;
    expect_error(offer_transfer(&app, &eve, &free.item).await, ErrorCode::NotTheHolder).await;

    // A newer offer replaces the older one; accepting your own offer is refused.
    let first = offer_ok(&app, &ada, &free.item).await;
    let second = offer_ok(&app, &ada, &free.item).await;
    expect_error(accept_transfer(&app, &eve, &first.token).await, ErrorCode::Unknown).await;
    expect_error(accept_transfer(&app, &ada, &second.token).await, ErrorCode::InvalidRequest).await;
    expect_json::<Claimed>(accept_transfer(&app, &eve, &second.token).await, StatusCode::OK).await;
}
