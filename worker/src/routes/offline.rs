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
use crate::routes::gate::count_at_shop;
use crate::routes::items::held_items;
use crate::storage::bill_book::protocol::{BillClient, OfflineBillPayment, PayOffline, Till};
use crate::storage::code_index::protocol::CodeHash;
use crate::storage::event_book::protocol::{AdmitOffline, EventClient, OfflineAdmission};
use crate::storage::member_vault::protocol::{OfflineCharge, VaultClient};
use crate::storage::shop_book::offline::OfflineUse;
use crate::storage::shop_book::offline_bills::BillForCodes;
use crate::storage::shop_book::offline_tickets::TicketForCodes;
use crate::storage::shop_book::protocol::ShopClient;
use crate::web;
use domain::api::offline::{
    OfflineBatch, OfflineBatchRequest, OfflineCard, OfflineCodeText, OfflineEvent, OfflineKit, OfflineOutcome,
    OfflineResult, OfflineRevoked, OfflineSettlement, OfflineSynced, OfflineUnpaid, OfflineUpload, SettleOfflineUnpaid,
};
use domain::api::offline::{OfflineBillCodes, OfflineBillShop, OfflineTicketCodes};
use domain::api::ErrorCode;
use domain::items::ItemRef;
use domain::member::MemberNumber;
use domain::money::MinorUnits;
use domain::offline::{
    judge_offline_event, OfflineCode, OfflineError, OfflineEventKind, Scan, MAX_EVENTS_PER_UPLOAD, MAX_SHOWN_REPORTED,
};
use domain::offline::{judge_recorded_upload, OfflineCodeId};
use domain::offline_bills::{bill_gets_offline_codes, judge_bill_upload_limit, BillFacts, OfflineBillCode};
use domain::offline_tickets::{gets_offline_codes, OfflineTicketCode};
use domain::shop::RequestId;
use domain::shop::ShopId;
use domain::staff::StaffAction;
use domain::stats::GateFact;
use domain::store::StoreId;
use domain::tickets::Entry;
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
    let pocket = held_items(env, &member).await?;
    let tickets = ticket_codes(env, &member, &keys, &request.shown, pocket.tickets).await?;
    let bills = bill_codes(env, &member, &keys, &request.shown, pocket.bills).await?;
    web::ok(&OfflineBatch { cards, tickets, bills, now: clock::now() })
}

/// The held bills neither paid nor cancelled, each with its live codes from the book of every
/// shop it is payable at (in that shop's currency), signed with that shop's key.
async fn bill_codes(
    env: &Env,
    member: &MemberNumber,
    keys: &OfflineKeys,
    shown: &[OfflineCodeId],
    bills: Vec<domain::api::bills::BillView>,
) -> Outcome<Vec<OfflineBillCodes>> {
    let mut out = Vec::new();
    for view in bills {
        if !bill_gets_offline_codes(view.paid.is_some(), view.cancelled_at.is_some()) {
            continue;
        }
        let ItemRef::Bill { issuer, bill } = &view.item else { continue };
        let facts = BillFacts {
            bill_tag: keys.bill_tag(issuer, bill),
            biller_tag: OfflineKeys::biller_tag(issuer),
            amount_minor: view.amount_minor,
            currency: view.currency,
            due_at: view.due_at,
        };
        let mut shops = Vec::with_capacity(view.payable_at.len());
        for shop_id in &view.payable_at {
            let for_codes = BillForCodes {
                issuer: issuer.clone(),
                bill: bill.clone(),
                biller: view.biller.clone(),
                biller_tag: facts.biller_tag,
                currency: view.currency,
            };
            let book = ShopClient::of(env, shop_id)?;
            let issued = match book.issue_bill_offline(member, for_codes, shown.to_vec()).await {
                Ok(Some(issued)) => issued,
                // Another currency, or a shop that is gone: no codes there.
                Ok(None) => continue,
                Err(problem) if problem.code() == ErrorCode::UnknownShop => continue,
                Err(problem) => return Err(problem),
            };
            let codes = issued
                .codes
                .into_iter()
                .map(|code| OfflineCodeText {
                    text: keys.sign_bill(shop_id, code.code_id, code.expires_at, facts).text(),
                    expires_at: code.expires_at,
                })
                .collect();
            shops.push(OfflineBillShop { shop_id: shop_id.clone(), shop_name: issued.shop_name, codes });
        }
        out.push(OfflineBillCodes {
            item: view.item.clone(),
            biller: view.biller,
            description: view.description,
            reference: view.reference,
            amount_minor: view.amount_minor,
            currency: view.currency,
            due_at: view.due_at,
            shops,
        });
    }
    Ok(out)
}

/// The held tickets whose gates open soon, each with its live codes from its venue's book,
/// signed with the venue's key.
async fn ticket_codes(
    env: &Env,
    member: &MemberNumber,
    keys: &OfflineKeys,
    shown: &[OfflineCodeId],
    tickets: Vec<domain::api::tickets::TicketView>,
) -> Outcome<Vec<OfflineTicketCodes>> {
    let now = clock::now();
    let mut out = Vec::new();
    for view in tickets {
        if !gets_offline_codes(view.cancelled_at.is_some(), view.gate_opens_at, view.ends_at, now) {
            continue;
        }
        let ItemRef::Ticket { issuer, event, ticket } = &view.item else { continue };
        let event_tag = OfflineKeys::event_tag(issuer, event);
        let ticket_tag = keys.ticket_tag(issuer, event, ticket);
        let for_codes = TicketForCodes {
            issuer: issuer.clone(),
            event: event.clone(),
            ticket: ticket.clone(),
            event_tag,
            event_title: view.event_title.clone(),
            gate_opens_at: view.gate_opens_at,
            ends_at: view.ends_at,
        };
        let issued = ShopClient::of(env, &view.venue)?.issue_ticket_offline(member, for_codes, shown.to_vec()).await?;
        let codes = issued
            .into_iter()
            .map(|code| OfflineCodeText {
                text: keys
                    .sign_ticket(
                        &view.venue,
                        code.code_id,
                        code.expires_at,
                        (event_tag, ticket_tag),
                        view.entries_allowed,
                    )
                    .text(),
                expires_at: code.expires_at,
            })
            .collect();
        out.push(OfflineTicketCodes {
            item: view.item.clone(),
            event_title: view.event_title,
            venue: view.venue,
            seat: view.seat,
            gate_opens_at: view.gate_opens_at,
            ends_at: view.ends_at,
            codes,
        });
    }
    Ok(out)
}

/// `DELETE /api/me/offline-codes` → [`OfflineRevoked`]: a lost phone's codes stop, at every shop.
pub async fn revoke(req: Request, env: &Env) -> Outcome<Response> {
    let member = auth::member(&req, env).await?;
    let wallet = VaultClient::of(env, &member)?.wallet(None).await?;
    let mut revoked: u32 = 0;
    let mut shops: Vec<ShopId> = wallet.memberships.into_iter().map(|membership| membership.shop.shop_id).collect();
    // Ticket codes live at their venues and bill codes at the shops a bill is payable at, which
    // need not be shops the member joined.
    let pocket = held_items(env, &member).await?;
    shops.extend(pocket.tickets.into_iter().map(|ticket| ticket.venue));
    shops.extend(pocket.bills.into_iter().flat_map(|bill| bill.payable_at));
    shops.sort();
    shops.dedup();
    for shop in shops {
        let count = ShopClient::of(env, &shop)?.revoke_offline(&member).await?;
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
    let book = ShopClient::of(env, &shop_id)?;
    let revoked = book.revoked_offline().await?;
    let events = book.gate_events().await?;
    let billers = book.billers().await?;
    web::ok(&OfflineKit {
        keys: keys.public_keys(&shop_id),
        shop_id,
        revoked,
        events,
        billers,
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
    if event.kind == OfflineEventKind::Admission {
        return admit(env, register, keys, book, event).await;
    }
    if event.kind == OfflineEventKind::BillPayment {
        return collect_bill(env, register, keys, book, event).await;
    }
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
    let offline_code_hash = CodeHash::from_stored(sha256_hex(format!("offline:{}", code.code_id).as_bytes()));
    let till = register.till_header(offline_code_hash, scan.request_id, None);
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
        // Answered by `admit` and `collect_bill` before the amount was read.
        OfflineEventKind::Admission | OfflineEventKind::BillPayment => {
            Err(Problem::internal("an admission or a bill reached the sales path"))
        }
    };
    match applied {
        Ok(outcome) => Ok(outcome),
        Err(problem) if problem.code() == ErrorCode::NotAMember => refused(OfflineError::NotAMember),
        Err(problem) => Err(problem),
    }
}

/// An admission a gate made offline: the venue's book says which ticket the code is for (and
/// whether it was revoked), the event's book decides once whether it counts; a conflict is
/// recorded for the venue's owner too (the issuer reads it from the event's book).
async fn admit(
    env: &Env,
    register: &auth::Register,
    keys: &OfflineKeys,
    book: &ShopClient,
    event: OfflineEvent,
) -> Outcome<OfflineOutcome> {
    let refused = |reason| Ok(OfflineOutcome::Refused { reason });
    let venue = &register.shop.shop_id;
    let code = match OfflineTicketCode::parse(&event.code).and_then(|code| keys.verify(venue, &code).map(|()| code)) {
        Ok(code) => code,
        Err(reason) => return refused(reason),
    };
    let Some(record) = book.ticket_code(code.code_id).await? else { return refused(OfflineError::Unknown) };
    let precheck = judge_recorded_upload(record.revoked, record.expires_at, record.issued_at, event.at, clock::now());
    let admission = AdmitOffline {
        ticket_id: record.ticket.clone(),
        code_id: code.code_id,
        member: record.member.clone(),
        request_id: event.request_id,
        scan: Entry { at: event.at, gate: register.record.register_id.clone(), store: register.store.store_id.clone() },
        refused: precheck.err(),
    };
    match EventClient::of(env, &record.issuer, &record.event)?.admit_offline(admission).await? {
        OfflineAdmission::Admitted { event_title, entries_left, visitors, counted_now } => {
            if counted_now {
                let fact = GateFact::Admitted {
                    issuer: record.issuer.clone(),
                    event: record.event.clone(),
                    title: event_title.clone(),
                    visitors,
                };
                count_at_shop(env, register, fact, event.at).await;
            }
            Ok(OfflineOutcome::Admitted { event_title, entries_left })
        }
        OfflineAdmission::Conflict { conflict } => {
            let first = conflict.first.clone();
            book.note_ticket_conflict(*conflict).await?;
            Ok(OfflineOutcome::AdmissionConflict { first })
        }
        OfflineAdmission::Refused { reason } => refused(reason),
    }
}

/// A bill a register collected offline: its code's amount against the store's limit now (the
/// code stays unused if over it), the code's signature for this shop, the shop's book says which
/// bill the code is for (and whether it was revoked), then the bill's book decides once whether
/// this collection pays it; a collection that does not (a conflict, or refused once the bill is
/// known) is recorded for the shop's owner too (the issuer reads it from the bill's book). The
/// event's `amount_minor` is not used: the code's, signed, is.
async fn collect_bill(
    env: &Env,
    register: &auth::Register,
    keys: &OfflineKeys,
    book: &ShopClient,
    event: OfflineEvent,
) -> Outcome<OfflineOutcome> {
    let refused = |reason| Ok(OfflineOutcome::Refused { reason });
    let shop = &register.shop;
    let code =
        match OfflineBillCode::parse(&event.code).and_then(|code| keys.verify(&shop.shop_id, &code).map(|()| code)) {
            Ok(code) => code,
            Err(reason) => return refused(reason),
        };
    if let Err(reason) = judge_bill_upload_limit(code.amount_minor, register.store.offline_debit_limit_minor) {
        return refused(reason);
    }
    let Some(record) = book.bill_code(code.code_id).await? else { return refused(OfflineError::Unknown) };
    let precheck = judge_recorded_upload(record.revoked, record.expires_at, record.issued_at, event.at, clock::now());
    let pay = PayOffline {
        bill_id: record.bill.clone(),
        code_id: code.code_id,
        request_id: event.request_id,
        till: Till {
            shop: shop.shop_id.clone(),
            currency: shop.currency,
            register: register.record.register_id.clone(),
            store: register.store.store_id.clone(),
        },
        at: event.at,
        refused: precheck.err(),
    };
    match BillClient::of(env, &record.issuer)?.pay_offline(pay).await? {
        OfflineBillPayment::Paid { biller, reference, payment, .. } => {
            Ok(OfflineOutcome::BillPaid { biller, reference, payment })
        }
        OfflineBillPayment::Conflict { conflict } => {
            let outcome = match conflict.refused {
                Some(reason) => OfflineOutcome::Refused { reason },
                None => OfflineOutcome::BillConflict {
                    biller: conflict.biller.clone(),
                    reference: conflict.reference.clone(),
                    first: conflict.first.clone(),
                    cancelled_at: conflict.cancelled_at,
                },
            };
            book.note_bill_conflict(*conflict).await?;
            Ok(outcome)
        }
        OfflineBillPayment::Refused { reason } => refused(reason),
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
