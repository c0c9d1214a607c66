//! Offline codes (see `docs/offline.md`): the phone's batches and their
//! revocation (member table), the register's kit and its uploads (register
//! table), and the owner's list of conflicts and unpaid charges (owner table). The rules are in
//! `domain::offline`; the one use of each code is decided in the shop's book
//! ([`ShopClient::use_offline`]), the points in the member's vault.

use crate::auth;
use crate::clock;
use crate::crypto::sha256_hex;
use crate::error::{Outcome, Problem};
use crate::offline_keys::OfflineKeys;
use crate::refusals;
use crate::storage::code_index::protocol::CodeHash;
use crate::storage::member_vault::protocol::{OfflineCharge, TillHeader, VaultClient};
use crate::storage::shop_book::offline::OfflineUse;
use crate::storage::shop_book::protocol::ShopClient;
use crate::web;
use domain::api::offline::{
    OfflineBatch, OfflineBatchRequest, OfflineCard, OfflineCodeText, OfflineEvent, OfflineKit, OfflineOutcome,
    OfflineResult, OfflineRevoked, OfflineSettlement, OfflineSynced, OfflineUnpaid, OfflineUpload, SettleOfflineUnpaid,
};
use domain::api::ErrorCode;
use domain::money::MinorUnits;
use domain::offline::{
    judge_offline_event, OfflineCode, OfflineError, OfflineEventKind, Scan, MAX_EVENTS_PER_UPLOAD, MAX_SHOWN_REPORTED,
};
use domain::shop::RequestId;
use domain::staff::StaffAction;
use domain::store::StoreId;
use worker::{Env, Request, Response};

/// `POST /api/me/offline-codes` [`OfflineBatchRequest`] (optional: an empty body reports
/// nothing shown) → [`OfflineBatch`]: every card's live codes, topped up.
pub async fn batch(mut req: Request, env: &Env) -> Outcome<Response> {
    let member = auth::member(&req, env).await?;
    let request: OfflineBatchRequest = web::optional_json_body(&mut req).await?;
    if request.shown.len() > MAX_SHOWN_REPORTED {
        return Err(Problem::new(
            ErrorCode::InvalidRequest,
            format!("at most {MAX_SHOWN_REPORTED} shown codes per request"),
        ));
    }
    let keys = OfflineKeys::from_env(env)?;
    let wallet = VaultClient::of(env, &member)?.wallet(None).await?;
    let mut cards = Vec::with_capacity(wallet.memberships.len());
    for membership in wallet.memberships {
        let shop = membership.shop;
        let issued = ShopClient::of(env, &shop.shop_id)?.issue_offline(&member, request.shown.clone()).await?;
        let codes = issued
            .into_iter()
            .map(|code| OfflineCodeText {
                text: keys.sign(&shop.shop_id, code.code_id, code.expires_at).text(),
                expires_at: code.expires_at,
            })
            .collect();
        cards.push(OfflineCard { shop_id: shop.shop_id, shop_name: shop.name, codes });
    }
    web::ok(&OfflineBatch { cards, now: clock::now() })
}

/// `DELETE /api/me/offline-codes` → [`OfflineRevoked`]: a lost phone's codes stop, at every shop.
pub async fn revoke(req: Request, env: &Env) -> Outcome<Response> {
    let member = auth::member(&req, env).await?;
    let wallet = VaultClient::of(env, &member)?.wallet(None).await?;
    let mut revoked: u32 = 0;
    for membership in wallet.memberships {
        let count = ShopClient::of(env, &membership.shop.shop_id)?.revoke_offline(&member).await?;
        revoked = revoked.saturating_add(count);
    }
    web::ok(&OfflineRevoked { revoked })
}

/// `GET /api/register/offline` → [`OfflineKit`]: only the register's own shop's keys and
/// revocations, and its store's offline debit limit.
pub async fn kit(req: Request, env: &Env) -> Outcome<Response> {
    let register = auth::register(&req, env).await?;
    let keys = OfflineKeys::from_env(env)?;
    let shop_id = register.shop.shop_id;
    let revoked = ShopClient::of(env, &shop_id)?.revoked_offline().await?;
    web::ok(&OfflineKit {
        keys: keys.public_keys(&shop_id),
        shop_id,
        revoked,
        debit_limit_minor: register.store.offline_debit_limit_minor,
        now: clock::now(),
    })
}

/// `POST /api/register/offline/events` [`OfflineUpload`] → [`OfflineSynced`]: each event in
/// order, each exactly once. A failure on our side stops the upload (500): the register sends the
/// same events again, and what was applied is answered again, not applied twice.
pub async fn upload(mut req: Request, env: &Env) -> Outcome<Response> {
    let register = auth::register(&req, env).await?;
    let upload: OfflineUpload = web::json_body(&mut req).await?;
    if upload.events.len() > MAX_EVENTS_PER_UPLOAD {
        return Err(Problem::new(
            ErrorCode::InvalidRequest,
            format!("at most {MAX_EVENTS_PER_UPLOAD} events per upload; send the rest after"),
        ));
    }
    let keys = OfflineKeys::from_env(env)?;
    let book = ShopClient::of(env, &register.shop.shop_id)?;
    let mut results = Vec::with_capacity(upload.events.len());
    for event in upload.events {
        let request_id = event.request_id.clone();
        let outcome = apply(env, &register, &keys, &book, event).await?;
        results.push(OfflineResult { request_id, outcome });
    }
    web::ok(&OfflineSynced { results })
}

async fn apply(
    env: &Env,
    register: &auth::Register,
    keys: &OfflineKeys,
    book: &ShopClient,
    event: OfflineEvent,
) -> Outcome<OfflineOutcome> {
    let refused = |reason| Ok(OfflineOutcome::Refused { reason });
    let shop = &register.shop;
    let Ok(amount) = MinorUnits::from_minor(event.amount_minor, shop.currency) else {
        return Err(Problem::new(
            ErrorCode::InvalidRequest,
            "an offline sale's amount is a positive number of minor units",
        ));
    };
    let code = match OfflineCode::parse(&event.code) {
        Ok(code) => code,
        Err(reason) => return refused(reason),
    };
    // Judged against the store's limit now, before the code's one use is spent: a debit over it
    // leaves the code as it was.
    if let Err(reason) = judge_offline_event(event.kind, amount.0, register.store.offline_debit_limit_minor) {
        return refused(reason);
    }
    if let Err(reason) = keys.verify(&shop.shop_id, &code) {
        return refused(reason);
    }
    let scan = Scan { request_id: event.request_id, register_id: register.record.register_id.clone(), at: event.at };
    let scanned_at = scan.at;
    let scan_of_unpaid = scan.clone();
    let member = match book.use_offline(code.code_id, scan.clone(), amount.0).await? {
        OfflineUse::Granted { member_number } => member_number,
        OfflineUse::Conflict { first } => return Ok(OfflineOutcome::Conflict { first }),
        OfflineUse::Refused { reason } => return refused(reason),
    };
    let till = TillHeader {
        code_hash: CodeHash::from_stored(sha256_hex(format!("offline:{}", code.code_id).as_bytes())),
        shop: shop.clone(),
        register_id: register.record.register_id.clone(),
        register_name: register.record.name.clone(),
        store_id: register.store.store_id.clone(),
        store_name: register.store.name.clone(),
        request_id: scan.request_id,
        served_by: None,
        approved_by: None,
    };
    let vault = VaultClient::of(env, &member)?;
    let applied = match event.kind {
        OfflineEventKind::Points => {
            vault.accrue_offline(till, amount, scanned_at).await.map(|accrued| OfflineOutcome::Confirmed {
                customer_number: accrued.customer_number,
                points_added: accrued.points_added,
                points: accrued.points,
                receipt_number: accrued.receipt.map(|receipt| receipt.receipt_number),
                prepaid_after: None,
            })
        }
        OfflineEventKind::PrepaidCharge => match vault.charge_prepaid_offline(till, amount, scanned_at).await {
            Ok(OfflineCharge::Charged { customer_number, points, prepaid_after, receipt_number }) => {
                Ok(OfflineOutcome::Confirmed {
                    customer_number,
                    points_added: 0,
                    points,
                    receipt_number: Some(receipt_number),
                    prepaid_after: Some(prepaid_after),
                })
            }
            Ok(OfflineCharge::Short { customer_number }) => {
                // The customer was served and nothing was charged: the owner follows it up.
                let unpaid = OfflineUnpaid {
                    code_id: code.code_id,
                    scan: scan_of_unpaid,
                    customer_number,
                    amount_minor: amount.0,
                    recorded_at: clock::now(),
                    settled: None,
                };
                book.note_offline_unpaid(unpaid).await?;
                Ok(OfflineOutcome::Refused { reason: OfflineError::PrepaidShort })
            }
            Err(problem) => Err(problem),
        },
    };
    match applied {
        Ok(outcome) => Ok(outcome),
        Err(problem) if problem.code() == ErrorCode::NotAMember => refused(OfflineError::NotAMember),
        Err(problem) => Err(problem),
    }
}

/// `GET /api/owner/shops/{shop}/offline-conflicts` → [`domain::api::offline::OfflineConflicts`] (codes used twice, and
/// charges not paid, open and settled): owners and managers (a store manager, the charges of their stores' registers).
pub async fn conflicts(req: Request, env: &Env, shop_id: &str) -> Outcome<Response> {
    let (shop, manager) = auth::shop_and_manager(&req, env, shop_id).await?;
    manager.require(StaffAction::ViewDashboard)?;
    web::ok(&ShopClient::of(env, &shop.shop_id)?.offline_conflicts(settling_stores(&manager)).await?)
}

/// `POST /api/owner/shops/{shop}/offline-unpaid/{request_id}/settle` [`SettleOfflineUnpaid`] →
/// [`OfflineUnpaid`] with its settlement: the shop collected the money another way or wrote it
/// off. Once: `not_found` for no such charge, 409 `already_settled` the second time, and nothing
/// changes either way. Owners; a store manager for their store's registers' charges (else 403).
pub async fn settle(mut req: Request, env: &Env, shop_id: &str, request_id: &str) -> Outcome<Response> {
    auth::same_origin(&req)?;
    let (shop, manager) = auth::shop_and_manager(&req, env, shop_id).await?;
    manager.require(StaffAction::SettleOffline)?;
    let request_id = RequestId::parse(request_id).map_err(|_| refusals::no_such_unpaid_charge())?;
    let request: SettleOfflineUnpaid = web::json_body(&mut req).await?;
    let settlement =
        OfflineSettlement { way: request.way, note: request.note, by: manager.email().cloned(), at: clock::now() };
    let settled = ShopClient::of(env, &shop.shop_id)?
        .settle_offline_unpaid(request_id, settlement, settling_stores(&manager))
        .await?;
    web::ok(&settled)
}

/// The stores whose charges a store manager follows up; none (the whole shop) for owners.
fn settling_stores(manager: &auth::ShopManager) -> Option<Vec<StoreId>> {
    match manager {
        auth::ShopManager::StoreManager { stores, .. } => {
            Some(stores.iter().filter(|store| manager.may_in(StaffAction::SettleOffline, store)).cloned().collect())
        }
        auth::ShopManager::Operator | auth::ShopManager::Owner(_) => None,
    }
}
