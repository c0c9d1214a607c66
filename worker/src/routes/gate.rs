//! Registers acting on bills and tickets. A register scans any code here
//! first: a shop membership code is handed back to the loyalty flow
//! (`/api/register/resolve`); a ticket's code is judged at once (the register
//! is a gate of its shop, the venue); a bill's code shows the bill for
//! collection, and Paid settles it exactly once. Each collection and admission
//! is counted in the shop's dashboard figures as it happens.

use crate::auth;
use crate::auth::throttle::CodeGuard;
use crate::error::{Outcome, Problem};
use crate::storage::bill_book::protocol::{BillClient, Till};
use crate::storage::code_index::protocol::{CodeHash, Found};
use crate::storage::event_book::protocol::EventClient;
use crate::storage::member_vault::protocol::VaultClient;
use crate::storage::shop_stats::protocol::{RecordGate, StatsClient};
use crate::web;
use domain::api::items::{PayBillRequest, ScanAnswer, ScanRequest};
use domain::api::ErrorCode;
use domain::items::ItemRef;
use domain::stats::GateFact;
use worker::{Env, Request, Response};

fn till(register: &auth::Register) -> Till {
    Till {
        shop: register.shop.shop_id.clone(),
        currency: register.shop.currency,
        register: register.record.register_id.clone(),
        store: register.store.store_id.clone(),
    }
}

/// `POST /api/register/scan` → [`ScanAnswer`]. A dead code (unknown,
/// expired, used, of a former holder) counts against the register.
pub async fn scan(mut req: Request, env: &Env) -> Outcome<Response> {
    let call = CodeGuard::register_call(&mut req, env, |request: &ScanRequest| &request.code).await?;
    let answer = call.guard.judged(answer_scan(env, &call.register, &call.body, call.found).await).await?;
    web::ok(&answer)
}

async fn answer_scan(env: &Env, register: &auth::Register, request: &ScanRequest, found: Found) -> Outcome<ScanAnswer> {
    let code_hash = CodeHash::of(&request.code);
    Ok(match found.item {
        // One hop less than scan-then-resolve: the index already named the member.
        None if request.resolve => ScanAnswer::Customer(
            VaultClient::of(env, &found.member_number)?.resolve(code_hash, register.shop.shop_id.clone()).await?,
        ),
        None => ScanAnswer::Membership,
        Some(ItemRef::Ticket { issuer, event, ticket }) => {
            let verdict = EventClient::of(env, &issuer, &event)?
                .scan(
                    &ticket,
                    code_hash,
                    &register.shop.shop_id,
                    &register.record.register_id,
                    &register.store.store_id,
                )
                .await?;
            if verdict.admitted {
                let fact = GateFact::Admitted {
                    issuer: issuer.clone(),
                    event: event.clone(),
                    title: verdict.event_title.clone(),
                    visitors: verdict.visitors,
                };
                count_at_shop(env, register, fact, verdict.at).await;
            }
            ScanAnswer::Admission(verdict)
        }
        Some(ItemRef::Bill { issuer, bill }) => {
            ScanAnswer::Bill(BillClient::of(env, &issuer)?.resolve(&bill, code_hash, till(register)).await?)
        }
    })
}

/// `POST /api/register/bills/pay` → [`domain::api::bills::BillPaid`]: the
/// cashier took the cash. Exactly once per bill; a retry with the same
/// request id gets the same answer.
pub async fn pay_bill(mut req: Request, env: &Env) -> Outcome<Response> {
    let register = auth::register(&req, env).await?;
    let request: PayBillRequest = web::json_body(&mut req).await?;
    let Some(ItemRef::Bill { issuer, bill }) = CodeGuard::of(env, &register)?.look_up(env, &request.code).await?.item
    else {
        return Err(Problem::new(ErrorCode::InvalidRequest, "this code is not for a bill"));
    };
    let code_hash = CodeHash::of(&request.code);
    let paid = BillClient::of(env, &issuer)?.pay(&bill, code_hash, till(&register), request.request_id).await?;
    // A retry answers the same payment: counted once, by the bill.
    if paid.payment.shop == register.shop.shop_id {
        let fact = GateFact::BillCollected { issuer, bill, amount_minor: paid.bill.amount_minor };
        count_at_shop(env, &register, fact, paid.payment.at).await;
    }
    web::ok(&paid)
}

/// Hands a collection or an admission to the shop's dashboard figures, which count it once.
/// The register's answer does not wait on a failure here: it is logged (the payment or entry
/// itself is recorded in its book either way).
pub(crate) async fn count_at_shop(env: &Env, register: &auth::Register, fact: GateFact, at: domain::UnixMillis) {
    let request = RecordGate {
        fact,
        at,
        store_id: register.store.store_id.clone(),
        time_zone: register.shop.programme.time_zone.clone(),
    };
    let counted = match StatsClient::of(env, &register.shop.shop_id) {
        Ok(stats) => stats.record_gate(request).await,
        Err(problem) => Err(problem),
    };
    if let Err(problem) = counted {
        worker::console_error!("gate figures: {problem:?}");
    }
}
