//! Tickets offline: a held ticket's offline codes in the phone's batch, signed by its venue;
//! the venue's gates' kit lists the event; admissions uploaded by two gates counted once, the
//! other a conflict the owner and the issuer both see with both scans; replays change nothing;
//! revoked codes and another venue's codes refused at sync; a pass counts entries.

use crate::issuing::{claim, create_issuer_for, gate, item_code, Issuer};
use crate::offline::another_device;
use api_tests::{expect_json, spawn_app, unique_id, SendThroughProxy, TestApp, TestMember};
use domain::api::offline::{OfflineBatch, OfflineConflicts, OfflineKit, OfflineOutcome, OfflineRevoked, OfflineSynced};
use domain::api::routes;
use domain::api::tickets::{EventStatus, TicketCreated};
use domain::items::ItemRef;
use domain::offline::OfflineError;
use domain::offline_tickets::{OfflineTicketCode, TICKET_BATCH_SIZE};
use domain::tickets::Deny;
use ed25519_dalek::{Signature, VerifyingKey};
use reqwest::StatusCode;
use serde_json::json;

async fn batch(app: &TestApp, member: &TestMember) -> OfflineBatch {
    let response = member.client.post(app.url(routes::OFFLINE_CODES)).dispatch().await.unwrap();
    expect_json(response, StatusCode::OK).await
}

async fn kit(app: &TestApp, token: &str) -> OfflineKit {
    let response = app.http.get(app.url(routes::REGISTER_OFFLINE)).bearer_auth(token).dispatch().await.unwrap();
    expect_json(response, StatusCode::OK).await
}

fn now() -> i64 {
    crate::issuing::now_ms()
}

/// One admission uploaded by the gate with `token`; its outcome.
async fn admit(app: &TestApp, token: &str, request_id: &str, code: &str, at: i64) -> OfflineOutcome {
    let body = json!({ "events": [{ "request_id": request_id, "code": code, "kind": "admission", "at": at }] });
    let response = app
        .http
        .post(app.url(routes::REGISTER_OFFLINE_EVENTS))
        .bearer_auth(token)
        .json(&body)
        .dispatch()
        .await
        .unwrap();
    let synced: OfflineSynced = expect_json(response, StatusCode::OK).await;
    assert_eq!(synced.results.len(), 1);
    synced.results.into_iter().next().unwrap().outcome
}

fn event_of(ticket: &TicketCreated) -> String {
    match &ticket.item {
        ItemRef::Ticket { event, .. } => event.to_string(),
        ItemRef::Bill { .. } => panic!("a ticket"),
    }
}

async fn status(app: &TestApp, issuer: &Issuer, ticket: &TicketCreated) -> EventStatus {
    expect_json(issuer.get(app, &routes::issuer_event(&event_of(ticket))).await, StatusCode::OK).await
}

async fn owners_list(app: &TestApp) -> OfflineConflicts {
    let owner = app.owner_of(&app.shop.shop_id).await;
    let response =
        owner.get(app.url(&routes::owner_offline_conflicts(app.shop.shop_id.as_str()))).dispatch().await.unwrap();
    expect_json(response, StatusCode::OK).await
}

/// A ticket at the test shop, claimed by a new member; the member and their ticket codes.
async fn held_ticket(
    app: &TestApp,
    issuer: &Issuer,
    extra: serde_json::Value,
) -> (TestMember, TicketCreated, Vec<String>) {
    let ticket = issuer.ticket(app, extra).await;
    let ada = app.sign_up("Ada").await;
    claim(app, &ada, &ticket.claim.claim_token).await;
    let batch = batch(app, &ada).await;
    let held = batch.tickets.iter().find(|held| held.item == ticket.item).expect("codes for the ticket");
    let codes = held.codes.iter().map(|code| code.text.clone()).collect();
    (ada, ticket, codes)
}

#[tokio::test]
async fn one_ticket_admitted_offline_at_two_gates_counts_once_and_both_see_the_conflict() {
    let app = spawn_app().await;
    let gate_b = app.create_register(&app.shop.shop_id).await;
    let issuer = create_issuer_for(&app, &[&app.shop.shop_id]).await;
    let (ada, ticket, codes) = held_ticket(&app, &issuer, json!({ "seats": ["A1"] })).await;
    assert_eq!(codes.len(), TICKET_BATCH_SIZE);
    for text in &codes {
        assert!(!text.contains(ada.signed_in.member_number.as_str()));
        assert!(!text.contains(ticket.ticket_id.as_str()), "the code does not name the ticket");
    }

    // The gate's kit lists the event with its window; the code names it by its tag and verifies
    // with the venue's published key, as the register page checks it with WebCrypto.
    let kit = kit(&app, &app.register.token).await;
    let code = OfflineTicketCode::parse(&codes[0]).unwrap();
    assert_eq!(code.entries_allowed, 1);
    let event = kit.events.iter().find(|event| event.event_tag == code.event_tag).expect("the event in the kit");
    assert_eq!(event.event_title.as_str(), "Jazz night");
    assert!(event.gate_opens_at <= now() && now() < event.ends_at);
    let key = kit.keys.iter().find(|key| key.key_id == code.key_id).unwrap();
    let raw: [u8; 32] = (0..32)
        .map(|i| u8::from_str_radix(&key.public_key[i * 2..i * 2 + 2], 16).unwrap())
        .collect::<Vec<_>>()
        .try_into()
        .unwrap();
    VerifyingKey::from_bytes(&raw)
        .unwrap()
        .verify_strict(&code.signed_message(&app.shop.shop_id), &Signature::from_bytes(&code.signature))
        .unwrap();
    // Two codes of one ticket carry the same ticket tag (a gate counts the ticket, not the code).
    assert_eq!(OfflineTicketCode::parse(&codes[1]).unwrap().ticket_tag, code.ticket_tag);

    // Gate B scanned first by its clock, gate A uploads first: A's admission counts.
    let (at_a, at_b) = (now() - 20_000, now() - 30_000);
    let request_a = unique_id("off-a");
    let request_b = unique_id("off-b");
    let first = admit(&app, &app.register.token, &request_a, &codes[0], at_a).await;
    let OfflineOutcome::Admitted { event_title, entries_left } = &first else { panic!("{first:?}") };
    assert_eq!((event_title.as_str(), *entries_left), ("Jazz night", 0));
    let second = admit(&app, &gate_b.token, &request_b, &codes[1], at_b).await;
    let OfflineOutcome::AdmissionConflict { first: counted } = &second else { panic!("{second:?}") };
    assert_eq!((counted.gate.clone(), counted.at), (app.register.register_id.clone(), at_a));

    // Replayed uploads: the same answers, nothing twice.
    assert_eq!(admit(&app, &app.register.token, &request_a, &codes[0], at_a).await, first);
    assert_eq!(admit(&app, &gate_b.token, &request_b, &codes[1], at_b).await, second);

    let event_status = status(&app, &issuer, &ticket).await;
    assert_eq!(event_status.visitors, 1);
    assert_eq!(event_status.tickets[0].entries.len(), 1);
    assert_eq!(event_status.tickets[0].entries[0].gate, app.register.register_id);
    let [for_issuer] = event_status.offline_conflicts.as_slice() else { panic!("{event_status:?}") };
    assert_eq!((for_issuer.first.gate.clone(), for_issuer.first.at), (app.register.register_id.clone(), at_a));
    assert_eq!((for_issuer.second.gate.clone(), for_issuer.second.at), (gate_b.register_id.clone(), at_b));
    assert_eq!(for_issuer.request_id.as_str(), request_b);
    assert_eq!(for_issuer.item, ticket.item);

    let listed = owners_list(&app).await;
    assert_eq!(listed.tickets, vec![for_issuer.clone()], "the owner sees the same conflict, once");

    // Online afterwards: the ticket is used.
    let online = gate(&app, &gate_b.token, &item_code(&app, &ada, &ticket.item).await).await;
    assert_eq!(online.deny, Some(Deny::AlreadyUsed { at: at_a, gate: app.register.register_id.clone() }));
}

#[tokio::test]
async fn admitted_online_first_then_offline_is_a_conflict_with_the_online_entry() {
    let app = spawn_app().await;
    let issuer = create_issuer_for(&app, &[&app.shop.shop_id]).await;
    let (ada, ticket, codes) = held_ticket(&app, &issuer, json!({})).await;
    let online = gate(&app, &app.register.token, &item_code(&app, &ada, &ticket.item).await).await;
    assert!(online.admitted);
    let gate_b = app.create_register(&app.shop.shop_id).await;
    let outcome = admit(&app, &gate_b.token, &unique_id("off"), &codes[0], now()).await;
    let OfflineOutcome::AdmissionConflict { first } = outcome else { panic!("{outcome:?}") };
    assert_eq!((first.gate, first.at), (app.register.register_id.clone(), online.at));
    assert_eq!(status(&app, &issuer, &ticket).await.visitors, 1);
}

#[tokio::test]
async fn a_pass_counts_entries_and_each_code_is_one_entry() {
    let app = spawn_app().await;
    let gate_b = app.create_register(&app.shop.shop_id).await;
    let issuer = create_issuer_for(&app, &[&app.shop.shop_id]).await;
    let (_, ticket, codes) = held_ticket(&app, &issuer, json!({ "entries_allowed": 2 })).await;
    assert_eq!(OfflineTicketCode::parse(&codes[0]).unwrap().entries_allowed, 2);
    let at = now() - 1_000;
    let a = admit(&app, &app.register.token, &unique_id("off"), &codes[0], at).await;
    assert!(matches!(a, OfflineOutcome::Admitted { entries_left: 1, .. }), "{a:?}");
    // The same code copied to another gate: one entry only, even with one left.
    let copy = admit(&app, &gate_b.token, &unique_id("off"), &codes[0], at).await;
    assert!(matches!(copy, OfflineOutcome::AdmissionConflict { .. }), "{copy:?}");
    let b = admit(&app, &gate_b.token, &unique_id("off"), &codes[1], at).await;
    assert!(matches!(b, OfflineOutcome::Admitted { entries_left: 0, .. }), "{b:?}");
    let third = admit(&app, &app.register.token, &unique_id("off"), &codes[2], at).await;
    assert!(matches!(third, OfflineOutcome::AdmissionConflict { .. }), "{third:?}");
    let event_status = status(&app, &issuer, &ticket).await;
    assert_eq!(event_status.visitors, 2);
    assert_eq!(event_status.offline_conflicts.len(), 2);
}

#[tokio::test]
async fn a_revoked_ticket_code_is_refused_at_sync_and_listed_in_the_kit() {
    let app = spawn_app().await;
    let issuer = create_issuer_for(&app, &[&app.shop.shop_id]).await;
    let (ada, ticket, codes) = held_ticket(&app, &issuer, json!({})).await;
    // The member lost the phone: from another device, every offline code goes, tickets' too.
    let other_device = another_device(&app, &ada).await;
    let response = other_device.delete(app.url(routes::OFFLINE_CODES)).dispatch().await.unwrap();
    let revoked: OfflineRevoked = expect_json(response, StatusCode::OK).await;
    assert_eq!(revoked.revoked as usize, TICKET_BATCH_SIZE);
    let code = OfflineTicketCode::parse(&codes[0]).unwrap();
    assert!(kit(&app, &app.register.token).await.revoked.contains(&code.code_id));
    let outcome = admit(&app, &app.register.token, &unique_id("off"), &codes[0], now()).await;
    assert_eq!(outcome, OfflineOutcome::Refused { reason: OfflineError::Revoked });
    assert_eq!(status(&app, &issuer, &ticket).await.visitors, 0);
}

#[tokio::test]
async fn a_code_for_another_venues_event_is_refused_and_not_in_this_gates_kit() {
    let app = spawn_app().await;
    let other = app.create_shop("Other Hall", 1).await;
    let other_gate = app.create_register(&other.shop_id).await;
    let issuer = create_issuer_for(&app, &[&app.shop.shop_id, &other.shop_id]).await;
    let (_, ticket, codes) = held_ticket(&app, &issuer, json!({ "venue": other.shop_id })).await;
    let code = OfflineTicketCode::parse(&codes[0]).unwrap();
    assert!(kit(&app, &other_gate.token).await.events.iter().any(|event| event.event_tag == code.event_tag));
    assert!(
        kit(&app, &app.register.token).await.events.iter().all(|event| event.event_tag != code.event_tag),
        "a gate's kit lists only its own venue's events"
    );
    let outcome = admit(&app, &app.register.token, &unique_id("off"), &codes[0], now()).await;
    assert_eq!(outcome, OfflineOutcome::Refused { reason: OfflineError::BadSignature });
    assert_eq!(status(&app, &issuer, &ticket).await.visitors, 0);
    // Its own venue's gate admits it.
    let at_venue = admit(&app, &other_gate.token, &unique_id("off"), &codes[0], now()).await;
    assert!(matches!(at_venue, OfflineOutcome::Admitted { .. }), "{at_venue:?}");
}

#[tokio::test]
async fn a_scan_outside_the_event_window_or_a_forged_code_is_refused() {
    let app = spawn_app().await;
    let issuer = create_issuer_for(&app, &[&app.shop.shop_id]).await;
    // Gates open in 10 minutes: the phone has codes already, but a scan now is too early.
    let soon = json!({ "gate_opens_at": now() + 10 * 60_000 });
    let (_, ticket, codes) = held_ticket(&app, &issuer, soon).await;
    let early = admit(&app, &app.register.token, &unique_id("off"), &codes[0], now()).await;
    assert_eq!(early, OfflineOutcome::Refused { reason: OfflineError::OutsideEventWindow });
    // A scan from before the code existed is not believable.
    let before = admit(&app, &app.register.token, &unique_id("off"), &codes[0], now() - 60 * 60_000).await;
    assert_eq!(before, OfflineOutcome::Refused { reason: OfflineError::BadTime });
    let mut forged = OfflineTicketCode::parse(&codes[1]).unwrap();
    forged.entries_allowed = 5;
    let outcome = admit(&app, &app.register.token, &unique_id("off"), &forged.text(), now()).await;
    assert_eq!(outcome, OfflineOutcome::Refused { reason: OfflineError::BadSignature });
    assert_eq!(status(&app, &issuer, &ticket).await.visitors, 0);
}
