//! Tickets: claim links, codes that carry the ticket, the gate's ADMIT/DENY,
//! atomic admission, cancellation, the code window and the visitor count.

use crate::issuing::{
    self, claim, claim_response, create_issuer, create_issuer_for, gate, item_code, item_code_response, now_ms, pocket,
    HOUR, MINUTE,
};
use api_tests::{expect_error, expect_json, spawn_app, SendThroughProxy};
use domain::api::items::{Claimed, ScanAnswer};
use domain::api::routes;
use domain::api::tickets::EventStatus;
use domain::api::ErrorCode;
use domain::items::HandoverToken;
use domain::tickets::Deny;
use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn claim_show_code_admit_then_already_used_with_when_and_where() {
    let app = spawn_app().await;
    let issuer = create_issuer(&app).await;
    let ticket = issuer.ticket(&app, json!({ "seats": ["Row 3, seat 12"] })).await;
    assert!(ticket.claim.claim_url.contains("/phone/#claim="));
    assert!(ticket.claim.claim_qr_svg.starts_with("<svg"));

    let ada = app.sign_up("Ada").await;
    let Claimed::Ticket(view) = claim(&app, &ada, &ticket.claim.claim_token).await else { panic!("a ticket") };
    assert_eq!(view.seat.as_ref().map(|s| s.as_str()), Some("Row 3, seat 12"));
    let held = pocket(&app, &ada).await;
    assert_eq!(held.tickets.len(), 1);
    assert_eq!(held.tickets[0].item, ticket.item);

    let code = item_code(&app, &ada, &ticket.item).await;
    let admitted = gate(&app, &app.register.token, &code).await;
    assert!(admitted.admitted, "{admitted:?}");
    assert_eq!(admitted.deny, None);
    assert_eq!(admitted.visitors, 1);
    assert_eq!(admitted.entries_left, 0);

    // The same code again: DENY, with the time and gate of the entry.
    let again = gate(&app, &app.register.token, &code).await;
    assert!(!again.admitted);
    assert_eq!(again.deny, Some(Deny::AlreadyUsed { at: admitted.at, gate: app.register.register_id.clone() }));
    // A fresh code of the same ticket: the same answer.
    let fresh = item_code(&app, &ada, &ticket.item).await;
    let later = gate(&app, &app.register.token, &fresh).await;
    assert_eq!(later.deny, Some(Deny::AlreadyUsed { at: admitted.at, gate: app.register.register_id.clone() }));
    assert_eq!(later.visitors, 1, "a denial is not a visitor");

    let status: EventStatus =
        expect_json(issuer.get(&app, &routes::issuer_event(ticket_event(&ticket).as_str())).await, StatusCode::OK)
            .await;
    assert_eq!(status.visitors, 1);
    assert_eq!(status.tickets[0].entries.len(), 1);
    assert_eq!(status.tickets[0].entries[0].gate, app.register.register_id);
    assert_eq!(status.tickets[0].holders.len(), 1);
    assert!(!status.tickets[0].holders[0].contains(ada.signed_in.member_number.as_str()), "issuers never learn who");
}

fn ticket_event(ticket: &domain::api::tickets::TicketCreated) -> String {
    match &ticket.item {
        domain::items::ItemRef::Ticket { event, .. } => event.to_string(),
        _ => panic!("a ticket"),
    }
}

#[tokio::test]
async fn two_gates_scanning_one_ticket_at_once_admit_it_once() {
    let app = spawn_app().await;
    let second_gate = app.create_register(&app.shop.shop_id).await;
    let issuer = create_issuer(&app).await;
    let ticket = issuer.ticket(&app, json!({})).await;
    let ada = app.sign_up("Ada").await;
    claim(&app, &ada, &ticket.claim.claim_token).await;

    // The same code at both gates, plus more codes of the same ticket (screenshots), all at once.
    let mut codes = vec![item_code(&app, &ada, &ticket.item).await];
    for _ in 0..4 {
        codes.push(item_code(&app, &ada, &ticket.item).await);
    }
    let gates = [app.register.token.as_str(), second_gate.token.as_str()];
    let scans = codes.iter().flat_map(|code| gates.iter().map(move |gate| (code, *gate)));
    let verdicts = join_all(scans.map(|(code, token)| gate(&app, token, code))).await;
    let admitted: Vec<_> = verdicts.iter().filter(|v| v.admitted).collect();
    assert_eq!(admitted.len(), 1, "exactly one ADMIT: {verdicts:?}");
    for verdict in verdicts.iter().filter(|v| !v.admitted) {
        assert!(matches!(verdict.deny, Some(Deny::AlreadyUsed { .. })), "{verdict:?}");
    }
    let status: EventStatus =
        expect_json(issuer.get(&app, &routes::issuer_event(ticket_event(&ticket).as_str())).await, StatusCode::OK)
            .await;
    assert_eq!(status.visitors, 1);
}

#[tokio::test]
async fn a_claim_link_works_once() {
    let app = spawn_app().await;
    let issuer = create_issuer(&app).await;
    let ticket = issuer.ticket(&app, json!({})).await;
    let ada = app.sign_up("Ada").await;
    let bob = app.sign_up("Bob").await;
    claim(&app, &ada, &ticket.claim.claim_token).await;
    // Ada's retry is harmless; Bob reusing the link is refused.
    claim(&app, &ada, &ticket.claim.claim_token).await;
    expect_error(claim_response(&app, &bob, &ticket.claim.claim_token).await, ErrorCode::AlreadyClaimed).await;
    assert!(pocket(&app, &bob).await.tickets.is_empty());

    // A guessed secret for an existing ticket, and a link to an event that does not exist.
    let forged = HandoverToken::new(ticket.item.clone(), "0".repeat(64));
    expect_error(claim_response(&app, &bob, &forged).await, ErrorCode::Unknown).await;
    let nowhere =
        HandoverToken::parse(&format!("t.{}.no-such-event.tk-1.{}", issuer.created.issuer_id, "1".repeat(64))).unwrap();
    expect_error(claim_response(&app, &bob, &nowhere).await, ErrorCode::NotFound).await;
    // Not a token at all.
    let response =
        bob.client.post(app.url(routes::CLAIMS)).json(&json!({ "token": "t.x.y" })).dispatch().await.unwrap();
    expect_error(response, ErrorCode::InvalidRequest).await;
}

#[tokio::test]
async fn a_cancelled_ticket_is_refused_at_the_gate() {
    let app = spawn_app().await;
    let issuer = create_issuer(&app).await;
    let ticket = issuer.ticket(&app, json!({})).await;
    let ada = app.sign_up("Ada").await;
    claim(&app, &ada, &ticket.claim.claim_token).await;
    let code = item_code(&app, &ada, &ticket.item).await;

    let path = routes::issuer_ticket_cancel(ticket_event(&ticket).as_str(), ticket.ticket_id.as_str());
    let cancelled: domain::api::tickets::TicketStatus =
        expect_json(issuer.post(&app, &path, &json!({})).await, StatusCode::OK).await;
    assert!(cancelled.cancelled_at.is_some());

    let verdict = gate(&app, &app.register.token, &code).await;
    assert!(!verdict.admitted);
    assert_eq!(verdict.deny, Some(Deny::Cancelled));
    assert_eq!(verdict.visitors, 0);
    assert!(pocket(&app, &ada).await.tickets[0].cancelled_at.is_some(), "the holder sees it");
}

#[tokio::test]
async fn time_and_venue_rules_at_the_gate() {
    let app = spawn_app().await;
    let other_shop = app.create_shop("Other Hall", 1).await;
    let issuer = create_issuer_for(&app, &[&app.shop.shop_id, &other_shop.shop_id]).await;
    let ada = app.sign_up("Ada").await;
    let now = now_ms();

    // Gates open in 30 minutes: the code is available (1 h margin) but the gate says not yet.
    let soon = issuer.ticket(&app, json!({ "gate_opens_at": now + 30 * MINUTE, "starts_at": now + HOUR })).await;
    claim(&app, &ada, &soon.claim.claim_token).await;
    let verdict = gate(&app, &app.register.token, &item_code(&app, &ada, &soon.item).await).await;
    assert!(
        matches!(verdict.deny, Some(Deny::NotYetOpen { opens_at }) if opens_at == now + 30 * MINUTE),
        "{verdict:?}"
    );

    // Gates open in 3 hours: no code yet, with a clear reason.
    let later = issuer.ticket(&app, json!({ "gate_opens_at": now + 3 * HOUR, "starts_at": now + 4 * HOUR })).await;
    claim(&app, &ada, &later.claim.claim_token).await;
    expect_error(item_code_response(&app, &ada, &later.item).await, ErrorCode::NotYetAvailable).await;
    // …unless the issuer chose a wider margin.
    let wide = issuer
        .ticket(
            &app,
            json!({ "gate_opens_at": now + 3 * HOUR, "starts_at": now + 4 * HOUR, "code_margin_ms": 4 * HOUR }),
        )
        .await;
    claim(&app, &ada, &wide.claim.claim_token).await;
    item_code(&app, &ada, &wide.item).await;

    // Over.
    let over = issuer
        .ticket(&app, json!({ "gate_opens_at": now - 3 * HOUR, "starts_at": now - 2 * HOUR, "ends_at": now - HOUR }))
        .await;
    claim(&app, &ada, &over.claim.claim_token).await;
    let verdict = gate(&app, &app.register.token, &item_code(&app, &ada, &over.item).await).await;
    assert_eq!(verdict.deny, Some(Deny::EventOver));

    // Another venue's gate.
    let elsewhere = issuer.ticket(&app, json!({ "venue": other_shop.shop_id })).await;
    claim(&app, &ada, &elsewhere.claim.claim_token).await;
    let verdict = gate(&app, &app.register.token, &item_code(&app, &ada, &elsewhere.item).await).await;
    assert_eq!(verdict.deny, Some(Deny::WrongVenue));

    // Tickets come upcoming first in the wallet; the over one last.
    let held = pocket(&app, &ada).await;
    assert_eq!(held.tickets.len(), 5);
    assert_eq!(held.tickets.last().map(|t| &t.item), Some(&over.item));
}

#[tokio::test]
async fn a_multi_entry_pass_counts_down_and_wants_a_fresh_code_each_time() {
    let app = spawn_app().await;
    let issuer = create_issuer(&app).await;
    let pass = issuer.ticket(&app, json!({ "entries_allowed": 2 })).await;
    let ada = app.sign_up("Ada").await;
    claim(&app, &ada, &pass.claim.claim_token).await;

    let first = item_code(&app, &ada, &pass.item).await;
    assert!(gate(&app, &app.register.token, &first).await.admitted);
    let reused = gate(&app, &app.register.token, &first).await;
    assert!(matches!(reused.deny, Some(Deny::AlreadyUsed { .. })), "{reused:?}");
    let second = gate(&app, &app.register.token, &item_code(&app, &ada, &pass.item).await).await;
    assert!(second.admitted);
    assert_eq!(second.entries_left, 0);
    assert_eq!(second.visitors, 2);
    let third = gate(&app, &app.register.token, &item_code(&app, &ada, &pass.item).await).await;
    assert_eq!(third.deny, Some(Deny::NoEntriesLeft));
}

#[tokio::test]
async fn a_membership_code_is_handed_back_to_the_loyalty_flow() {
    let app = spawn_app().await;
    let member = app.member_of_shop("Ada", false).await;
    let code = member.issue_code(&app.shop.shop_id).await.code;
    assert_eq!(issuing::scan(&app, &code).await, ScanAnswer::Membership);
    // Scanning did not touch it: the sale still works.
    app.accrue_ok(&code, 500).await;
    expect_error(
        issuing::scan_with(&app, &app.register.token, &api_tests::never_issued_code()).await,
        ErrorCode::Unknown,
    )
    .await;
}
