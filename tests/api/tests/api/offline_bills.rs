//! Bills offline: a held bill's offline codes in the phone's batch, per shop it is payable at,
//! signed by that shop and carrying the amount; a register collects it only within its store's
//! offline limit (none by default); collections uploaded by two registers pay the bill once, the
//! other a conflict the owner and the issuer both see with both collections; a bill paid online
//! or cancelled first is a conflict; replays change nothing; revoked, forged codes and codes of
//! a shop the bill is not payable at are refused (a revoked code's collection, money taken, is
//! listed for the owner and the issuer).

use crate::issuing::{claim, create_issuer_for, item_code, pay_with, Issuer};
use crate::offline::another_device;
use api_tests::{expect_json, spawn_app, unique_id, SendThroughProxy, TestApp, TestMember};
use domain::api::bills::{BillCreated, BillPaid, BillStatus};
use domain::api::offline::{OfflineBatch, OfflineConflicts, OfflineKit, OfflineOutcome, OfflineSynced};
use domain::api::routes;
use domain::offline::OfflineError;
use domain::offline_bills::{OfflineBillCode, BILL_BATCH_SIZE};
use domain::shop::ShopId;
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

/// One bill collection uploaded by the register with `token`; its outcome.
async fn collect(app: &TestApp, token: &str, request_id: &str, code: &str, at: i64) -> OfflineOutcome {
    let body = json!({ "events": [{
        "request_id": request_id, "code": code, "kind": "bill_payment", "amount_minor": 1, "at": at
    }] });
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

async fn set_limit(app: &TestApp, limit: u64) {
    let owner = app.owner_of(&app.shop.shop_id).await;
    let response = owner
        .patch(app.url(&routes::owner_store(app.shop.shop_id.as_str(), "main")))
        .json(&json!({ "offline_debit_limit_minor": limit }))
        .dispatch()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

async fn status(app: &TestApp, issuer: &Issuer, bill: &BillCreated) -> BillStatus {
    expect_json(issuer.get(app, &routes::issuer_bill(bill.bill_id.as_str())).await, StatusCode::OK).await
}

async fn owners_list(app: &TestApp) -> OfflineConflicts {
    let owner = app.owner_of(&app.shop.shop_id).await;
    let response =
        owner.get(app.url(&routes::owner_offline_conflicts(app.shop.shop_id.as_str()))).dispatch().await.unwrap();
    expect_json(response, StatusCode::OK).await
}

/// A bill of `amount_minor` payable at the test shop, claimed by a new member; the member, the
/// bill and its codes for the test shop.
async fn held_bill(app: &TestApp, issuer: &Issuer, amount_minor: u64) -> (TestMember, BillCreated, Vec<String>) {
    let bill = issuer.bill(app, amount_minor).await;
    let ada = app.sign_up("Ada").await;
    claim(app, &ada, &bill.claim.claim_token).await;
    let codes = codes_at(&batch(app, &ada).await, &bill, &app.shop.shop_id);
    (ada, bill, codes)
}

fn codes_at(batch: &OfflineBatch, bill: &BillCreated, shop: &ShopId) -> Vec<String> {
    let held = batch.bills.iter().find(|held| held.item == bill.item).expect("codes for the bill");
    let at = held.shops.iter().find(|at| &at.shop_id == shop).expect("codes for the shop");
    at.codes.iter().map(|code| code.text.clone()).collect()
}

#[tokio::test]
async fn one_bill_collected_offline_at_two_registers_is_paid_once_and_both_see_the_conflict() {
    let app = spawn_app().await;
    set_limit(&app, 5000).await;
    let till_b = app.create_register(&app.shop.shop_id).await;
    let issuer = create_issuer_for(&app, &[&app.shop.shop_id]).await;
    let (ada, bill, codes) = held_bill(&app, &issuer, 4200).await;
    assert_eq!(codes.len(), BILL_BATCH_SIZE);
    for text in &codes {
        assert!(!text.contains(ada.signed_in.member_number.as_str()));
    }
    // The batch carries what the phone shows beside the code.
    let held = batch(&app, &ada).await.bills.into_iter().find(|held| held.item == bill.item).unwrap();
    assert_eq!((held.description.as_str(), held.amount_minor), ("Water, March", 4200));
    assert_eq!(held.shops.len(), 1);

    // The code carries the amount and verifies with the shop's published key, as the register
    // page checks it with WebCrypto; the kit names the biller by the code's tag.
    let kit = kit(&app, &app.register.token).await;
    assert_eq!(kit.debit_limit_minor, 5000);
    let code = OfflineBillCode::parse(&codes[0]).unwrap();
    assert_eq!((code.amount_minor, code.currency.as_str()), (4200, "EUR"));
    let biller = kit.billers.iter().find(|biller| biller.biller_tag == code.biller_tag).expect("the biller");
    assert_eq!(biller.biller.as_str(), "City Tickets");
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
    assert_eq!(OfflineBillCode::parse(&codes[1]).unwrap().bill_tag, code.bill_tag, "one tag per bill");

    // Register B collected first by its clock, register A uploads first: A's collection pays it.
    let (at_a, at_b) = (now() - 20_000, now() - 30_000);
    let (request_a, request_b) = (unique_id("off-a"), unique_id("off-b"));
    let first = collect(&app, &app.register.token, &request_a, &codes[0], at_a).await;
    let OfflineOutcome::BillPaid { payment, .. } = &first else { panic!("{first:?}") };
    assert_eq!((&payment.shop, &payment.register, payment.at), (&app.shop.shop_id, &app.register.register_id, at_a));
    let second = collect(&app, &till_b.token, &request_b, &codes[1], at_b).await;
    let OfflineOutcome::BillConflict { first: Some(counted), cancelled_at: None, .. } = &second else {
        panic!("{second:?}")
    };
    assert_eq!(counted, payment);

    // Replayed uploads: the same answers, nothing twice.
    assert_eq!(collect(&app, &app.register.token, &request_a, &codes[0], at_a).await, first);
    assert_eq!(collect(&app, &till_b.token, &request_b, &codes[1], at_b).await, second);

    let status = status(&app, &issuer, &bill).await;
    assert_eq!(status.paid.as_ref(), Some(payment));
    let [for_issuer] = status.offline_conflicts.as_slice() else { panic!("{status:?}") };
    assert_eq!(for_issuer.first.as_ref(), Some(payment));
    assert_eq!((&for_issuer.second.register, for_issuer.second.at), (&till_b.register_id, at_b));
    assert_eq!((for_issuer.request_id.as_str(), for_issuer.amount_minor), (request_b.as_str(), 4200));
    assert_eq!(owners_list(&app).await.bills, vec![for_issuer.clone()], "the owner sees the same conflict, once");

    // The wallet shows it paid, and it gets no codes any more; paying online is refused.
    assert!(batch(&app, &ada).await.bills.iter().all(|held| held.item != bill.item));
    assert_eq!(crate::issuing::pocket(&app, &ada).await.bills[0].paid.as_ref(), Some(payment));
}

#[tokio::test]
async fn paid_online_or_cancelled_first_then_collected_offline_is_a_conflict() {
    let app = spawn_app().await;
    set_limit(&app, 5000).await;
    let issuer = create_issuer_for(&app, &[&app.shop.shop_id]).await;
    let (ada, bill, codes) = held_bill(&app, &issuer, 1500).await;
    let code = item_code(&app, &ada, &bill.item).await;
    let online: BillPaid =
        expect_json(pay_with(&app, &app.register.token, &code, &unique_id("pay")).await, StatusCode::OK).await;
    let outcome = collect(&app, &app.register.token, &unique_id("off"), &codes[0], now() - 1000).await;
    let OfflineOutcome::BillConflict { first: Some(first), .. } = &outcome else { panic!("{outcome:?}") };
    assert_eq!(first, &online.payment);
    assert_eq!(status(&app, &issuer, &bill).await.offline_conflicts.len(), 1);

    let (_bea, doomed, doomed_codes) = held_bill(&app, &issuer, 1500).await;
    let cancel = routes::issuer_bill_cancel(doomed.bill_id.as_str());
    assert_eq!(issuer.post(&app, &cancel, &json!({})).await.status(), StatusCode::OK);
    let outcome = collect(&app, &app.register.token, &unique_id("off"), &doomed_codes[0], now() - 1000).await;
    let OfflineOutcome::BillConflict { first: None, cancelled_at: Some(_), .. } = &outcome else {
        panic!("{outcome:?}")
    };
    let status = status(&app, &issuer, &doomed).await;
    assert!(status.paid.is_none(), "a cancelled bill stays unpaid");
    assert_eq!(status.offline_conflicts[0].cancelled_at, status.cancelled_at);
    assert_eq!(owners_list(&app).await.bills.len(), 2);
}

#[tokio::test]
async fn a_bill_over_the_limit_or_with_no_limit_is_refused_and_its_code_stays_unused() {
    let app = spawn_app().await;
    let issuer = create_issuer_for(&app, &[&app.shop.shop_id]).await;
    let (_ada, bill, codes) = held_bill(&app, &issuer, 4200).await;
    // No limit by default: bills need a network.
    let refused = collect(&app, &app.register.token, &unique_id("off"), &codes[0], now() - 1000).await;
    assert_eq!(refused, OfflineOutcome::Refused { reason: OfflineError::NeedsNetwork });
    set_limit(&app, 4000).await;
    let refused = collect(&app, &app.register.token, &unique_id("off"), &codes[0], now() - 1000).await;
    assert_eq!(refused, OfflineOutcome::Refused { reason: OfflineError::OverOfflineLimit });
    assert!(status(&app, &issuer, &bill).await.paid.is_none());
    // Within a raised limit the same code still works: it was left unused.
    set_limit(&app, 4200).await;
    let paid = collect(&app, &app.register.token, &unique_id("off"), &codes[0], now() - 1000).await;
    assert!(matches!(paid, OfflineOutcome::BillPaid { .. }), "{paid:?}");
}

#[tokio::test]
async fn revoked_forged_and_other_shops_bill_codes_are_refused() {
    let app = spawn_app().await;
    set_limit(&app, 5000).await;
    let elsewhere = app.create_shop("Elsewhere", 1).await;
    let elsewhere_till = app.create_register(&elsewhere.shop_id).await;
    let issuer = create_issuer_for(&app, &[&app.shop.shop_id, &elsewhere.shop_id]).await;
    let (ada, bill, codes) = held_bill(&app, &issuer, 1000).await;
    // Payable at the test shop only: no codes for the other, and its register cannot use these.
    let held = batch(&app, &ada).await.bills.into_iter().find(|held| held.item == bill.item).unwrap();
    assert!(held.shops.iter().all(|at| at.shop_id != elsewhere.shop_id));
    let other = collect(&app, &elsewhere_till.token, &unique_id("off"), &codes[0], now() - 1000).await;
    assert_eq!(other, OfflineOutcome::Refused { reason: OfflineError::BadSignature });

    // A forged code (a cheaper amount, the signature kept) and a malformed one.
    let mut cheaper = OfflineBillCode::parse(&codes[0]).unwrap();
    cheaper.amount_minor = 1;
    let forged = collect(&app, &app.register.token, &unique_id("off"), &cheaper.text(), now() - 1000).await;
    assert_eq!(forged, OfflineOutcome::Refused { reason: OfflineError::BadSignature });
    let malformed = collect(&app, &app.register.token, &unique_id("off"), "TO:AAAA", now() - 1000).await;
    assert_eq!(malformed, OfflineOutcome::Refused { reason: OfflineError::Malformed });

    // The member revokes the lost phone's codes: listed in the kit, refused at upload.
    let other_device = another_device(&app, &ada).await;
    let response = other_device.delete(app.url(routes::OFFLINE_CODES)).dispatch().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let kit = kit(&app, &app.register.token).await;
    let ids: Vec<_> = codes.iter().map(|text| OfflineBillCode::parse(text).unwrap().code_id).collect();
    assert!(ids.iter().all(|id| kit.revoked.contains(id)), "the kit lists the revoked bill codes");
    let request_id = unique_id("off");
    let revoked = collect(&app, &app.register.token, &request_id, &codes[1], now() - 1000).await;
    assert_eq!(revoked, OfflineOutcome::Refused { reason: OfflineError::Revoked });
    let again = collect(&app, &app.register.token, &request_id, &codes[1], now() - 1000).await;
    assert_eq!(again, revoked, "a replay gets the same answer");
    let status_now = status(&app, &issuer, &bill).await;
    assert!(status_now.paid.is_none());
    // The cashier had taken the money: the owner and the issuer see the refused collection once.
    let [for_issuer] = status_now.offline_conflicts.as_slice() else { panic!("{status_now:?}") };
    assert_eq!(for_issuer.refused, Some(OfflineError::Revoked));
    assert_eq!(for_issuer.request_id.as_str(), request_id);
    let listed = owners_list(&app).await;
    let [for_owner] = listed.bills.as_slice() else { panic!("{listed:?}") };
    assert_eq!(for_owner.refused, Some(OfflineError::Revoked));
    assert_eq!(for_owner.amount_minor, 1000);

    // Fresh codes work.
    let fresh = codes_at(&batch(&app, &ada).await, &bill, &app.shop.shop_id);
    assert!(fresh.iter().all(|code| !codes.contains(code)));
    let paid = collect(&app, &app.register.token, &unique_id("off"), &fresh[0], now() - 1000).await;
    assert!(matches!(paid, OfflineOutcome::BillPaid { .. }), "{paid:?}");
}
