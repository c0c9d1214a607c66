//! Creating anything with an id is atomic: of concurrent creations of one
//! issuer id exactly one wins; a revoked issuer id is never given out again;
//! an event's title, venue and times are fixed by its first tickets.

use crate::issuing::{create_issuer_for, now_ms, Issuer, HOUR, MINUTE};
use api_tests::{expect_error, expect_json, raw_json, spawn_app, unique_id, SendThroughProxy, TestApp};
use domain::api::issuers::IssuerCreated;
use domain::api::routes;
use domain::api::tickets::{EventStatus, TicketsCreated};
use domain::api::ErrorCode;
use futures::future::join_all;
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};

async fn post_issuer(app: &TestApp, issuer_id: &str) -> Response {
    app.http
        .post(app.url(routes::ADMIN_ISSUERS))
        .bearer_auth(&app.admin_token)
        .json(&json!({ "issuer_id": issuer_id, "name": "City Tickets", "shop_ids": [app.shop.shop_id] }))
        .dispatch()
        .await
        .expect("create issuer")
}

#[tokio::test]
async fn parallel_creations_of_one_issuer_id_give_exactly_one_key() {
    let app = spawn_app().await;
    let issuer_id = unique_id("issuer");
    let answers = join_all((0..10).map(|_| post_issuer(&app, &issuer_id))).await;
    let mut created = Vec::new();
    let mut refused = 0;
    for response in answers {
        if response.status() == StatusCode::CREATED {
            created.push(expect_json::<IssuerCreated>(response, StatusCode::CREATED).await);
        } else {
            expect_error(response, ErrorCode::AlreadyExists).await;
            refused += 1;
        }
    }
    assert_eq!((created.len(), refused), (1, 9), "exactly one creation wins, the others are told the id is taken");
    let issuer = Issuer { created: created.remove(0) };
    assert_eq!(issuer.created.issuer_id.as_str(), issuer_id);

    // The one key handed out is the key that works.
    let bill = issuer.bill(&app, 250).await;
    let status = raw_json(issuer.get(&app, &routes::issuer_bill(bill.bill_id.as_str())).await).await;
    assert_eq!(status["bill_id"], json!(bill.bill_id));
}

#[tokio::test]
async fn a_revoked_issuer_id_is_never_reused() {
    let app = spawn_app().await;
    let issuer_id = unique_id("issuer");
    let issuer = Issuer { created: expect_json(post_issuer(&app, &issuer_id).await, StatusCode::CREATED).await };
    let bill = issuer.bill(&app, 4200).await;
    let tickets = issuer.tickets(&app, json!({})).await;

    let revoke = app
        .http
        .delete(app.url(&routes::admin_issuer(&issuer_id)))
        .bearer_auth(&app.admin_token)
        .dispatch()
        .await
        .expect("revoke");
    assert_eq!(revoke.status(), 204);

    // Re-creating the id hands out no key, however often it is tried.
    for _ in 0..2 {
        let refusal = expect_error(post_issuer(&app, &issuer_id).await, ErrorCode::AlreadyExists).await;
        assert!(refusal.message.contains("revoked"), "{}", refusal.message);
    }
    // The old bills and events stay out of reach: the old key is dead and no new one exists.
    let bill_path = routes::issuer_bill(bill.bill_id.as_str());
    expect_error(issuer.get(&app, &bill_path).await, ErrorCode::Unauthorized).await;
    expect_error(issuer.get(&app, &routes::issuer_event(tickets.event_id.as_str())).await, ErrorCode::Unauthorized)
        .await;
    // Revoking it again is a 404 as before; the id stays retired.
    let again = app
        .http
        .delete(app.url(&routes::admin_issuer(&issuer_id)))
        .bearer_auth(&app.admin_token)
        .dispatch()
        .await
        .expect("revoke again");
    expect_error(again, ErrorCode::NotFound).await;
    expect_error(post_issuer(&app, &issuer_id).await, ErrorCode::AlreadyExists).await;
}

fn event_body(event_id: &str, title: &str, venue: &Value, starts_at: i64, gate_opens_at: i64) -> Value {
    json!({
        "event_id": event_id,
        "event_title": title,
        "venue": venue,
        "starts_at": starts_at,
        "gate_opens_at": gate_opens_at,
        "count": 2,
    })
}

#[tokio::test]
async fn an_events_title_venue_and_times_are_fixed_by_its_first_tickets() {
    let app = spawn_app().await;
    let arena = app.create_shop("Arena", 1).await;
    let issuer = create_issuer_for(&app, &[&app.shop.shop_id, &arena.shop_id]).await;
    let event_id = unique_id("event");
    let hall = json!(app.shop.shop_id);
    let starts_at = now_ms() + 2 * HOUR;
    let gate_opens_at = starts_at - 30 * MINUTE;
    let first = event_body(&event_id, "Jazz night", &hall, starts_at, gate_opens_at);
    let created: TicketsCreated =
        expect_json(issuer.post(&app, routes::ISSUER_TICKETS, &first).await, StatusCode::CREATED).await;
    assert_eq!(created.tickets.len(), 2);

    // Another venue, title, start, gate time or end: refused, nothing appended.
    let changed = [
        ("venue", event_body(&event_id, "Jazz night", &json!(arena.shop_id), starts_at, gate_opens_at)),
        ("event_title", event_body(&event_id, "Rock night", &hall, starts_at, gate_opens_at)),
        ("starts_at", event_body(&event_id, "Jazz night", &hall, starts_at + MINUTE, gate_opens_at)),
        ("gate_opens_at", event_body(&event_id, "Jazz night", &hall, starts_at, gate_opens_at - MINUTE)),
    ];
    for (field, body) in changed {
        let refusal =
            expect_error(issuer.post(&app, routes::ISSUER_TICKETS, &body).await, ErrorCode::EventMismatch).await;
        assert!(refusal.message.contains(field), "{field}: {}", refusal.message);
    }
    let mut other_end = first.clone();
    other_end["ends_at"] = json!(starts_at + 3 * HOUR);
    expect_error(issuer.post(&app, routes::ISSUER_TICKETS, &other_end).await, ErrorCode::EventMismatch).await;
    let status: EventStatus =
        expect_json(issuer.get(&app, &routes::issuer_event(&event_id)).await, StatusCode::OK).await;
    assert_eq!(status.tickets.len(), 2, "refused posts appended nothing");

    // The same details (an omitted end is its default end; seats and entries may differ) append.
    let mut same = first.clone();
    same["count"] = json!(1);
    same["entries_allowed"] = json!(3);
    let more: TicketsCreated =
        expect_json(issuer.post(&app, routes::ISSUER_TICKETS, &same).await, StatusCode::CREATED).await;
    assert_eq!(more.tickets.len(), 1);
    assert_ne!(more.tickets[0].ticket_id, created.tickets[0].ticket_id);
    let status: EventStatus =
        expect_json(issuer.get(&app, &routes::issuer_event(&event_id)).await, StatusCode::OK).await;
    assert_eq!(status.tickets.len(), 3);
}
