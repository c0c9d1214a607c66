//! Routes for registers (the register page): who am I, what is this code,
//! add points for a sale, ask the customer to approve a debit and wait for the
//! answer, top up prepaid value. A register acts only for its own shop.
//! The register table also holds the gate's scan and bill payment ([`super::gate`])
//! and refunds ([`super::refunds`]).

use crate::auth;
use crate::auth::throttle::CodeGuard;
use crate::crypto::sha256_hex;
use crate::error::{Outcome, Problem};
use crate::refusals;
use crate::routes::{coupons, gate, not_allowed, not_found, offline, refunds, staff};
use crate::storage::code_index::protocol::CodeHash;
use crate::storage::directory::Directory;
use crate::storage::member_vault::protocol::{Ask, Question, VaultClient};
use crate::storage::shop_book::protocol::ShopClient;
use crate::web;
use domain::api::{
    routes, AccruePointsRequest, DebitOperation, DebitRequest, DebitWaitRequest, ErrorCode, RegisterInfo,
    ResolveRequest, TopUpRequest,
};
use domain::catalog::{self, CatalogError};
use domain::code::OneTimeCode;
use domain::confirmation::Debit;
use domain::member::MemberNumber;
use domain::money::MinorUnits;
use domain::sale::{LineItem, Sale};
use domain::staff::StaffAction;
use worker::{Env, Method, Request, Response};

/// The register table: [`routes::Area::Register`].
pub async fn route(req: Request, env: &Env, path: &str) -> Outcome<Response> {
    use Method::{Delete, Get, Post};
    let method = web::method(&req);
    match path {
        routes::REGISTER => match method {
            Get => info(req, env).await,
            _ => not_allowed("GET"),
        },
        routes::SCAN => match method {
            Post => gate::scan(req, env).await,
            _ => not_allowed("POST"),
        },
        routes::RESOLVE => match method {
            Post => resolve(req, env).await,
            _ => not_allowed("POST"),
        },
        routes::POINTS => match method {
            Post => accrue(req, env).await,
            _ => not_allowed("POST"),
        },
        routes::DEBITS => match method {
            Post => debit(req, env).await,
            _ => not_allowed("POST"),
        },
        routes::DEBITS_WAIT => match method {
            Post => debit_wait(req, env).await,
            _ => not_allowed("POST"),
        },
        routes::DEBITS_CANCEL => match method {
            Post => debit_cancel(req, env).await,
            _ => not_allowed("POST"),
        },
        routes::TOP_UPS => match method {
            Post => top_up(req, env).await,
            _ => not_allowed("POST"),
        },
        routes::PAY_BILL => match method {
            Post => gate::pay_bill(req, env).await,
            _ => not_allowed("POST"),
        },
        routes::REGISTER_RECEIPTS => match method {
            Post => refunds::customer_receipts(req, env).await,
            _ => not_allowed("POST"),
        },
        routes::REFUNDS => match method {
            Post => refunds::refund(req, env).await,
            _ => not_allowed("POST"),
        },
        routes::REGISTER_COUPONS => match method {
            Post => coupons::for_customer(req, env).await,
            _ => not_allowed("POST"),
        },
        routes::REGISTER_OFFLINE => match method {
            Get => offline::kit(req, env).await,
            _ => not_allowed("GET"),
        },
        routes::REGISTER_OFFLINE_EVENTS => match method {
            Post => offline::upload(req, env).await,
            _ => not_allowed("POST"),
        },
        routes::REGISTER_STAFF_SESSION => match method {
            Get => staff::on_duty(req, env).await,
            Post => staff::sign_in(req, env).await,
            Delete => staff::sign_out(req, env).await,
            _ => not_allowed("GET, POST, DELETE"),
        },
        _ => {
            if let Some(number) = routes::id_in(path, routes::register_receipt) {
                match method {
                    Get => refunds::receipt(req, env, number).await,
                    _ => not_allowed("GET"),
                }
            } else {
                Err(not_found(path))
            }
        }
    }
}

/// `GET /api/register` → [`RegisterInfo`].
pub async fn info(req: Request, env: &Env) -> Outcome<Response> {
    let register = auth::register(&req, env).await?;
    let directory = Directory::open(env)?;
    let products = catalog::offered(directory.products(&register.shop.shop_id).await?);
    let rewards = catalog::offered_rewards(directory.rewards(&register.shop.shop_id).await?);
    web::ok(&RegisterInfo {
        register_id: register.record.register_id,
        register_name: register.record.name,
        shop: register.shop,
        store: Some(register.store),
        products,
        rewards,
    })
}

/// The member behind a code, or `unknown` (counted against the register,
/// which is slowed down after too many: see [`CodeGuard`]).
async fn issuer(env: &Env, register: &auth::Register, code: &OneTimeCode) -> Outcome<MemberNumber> {
    Ok(CodeGuard::of(env, register)?.look_up(env, code).await?.member_number)
}

/// `POST /api/register/resolve` → [`domain::api::CustomerView`]; holds the code for the sale.
/// A dead code (unknown, expired, used) counts against the register.
pub async fn resolve(mut req: Request, env: &Env) -> Outcome<Response> {
    let call = CodeGuard::register_call(&mut req, env, |request: &ResolveRequest| &request.code).await?;
    let vault = VaultClient::of(env, &call.found.member_number)?;
    let resolved = vault.resolve(CodeHash::of(&call.body.code), call.register.shop.shop_id).await;
    let customer = call.guard.judged(resolved).await?;
    web::ok(&customer)
}

/// `POST /api/register/points` → [`domain::api::PointsAccrued`]. The request id
/// is claimed in the shop's book first, so it means one sale across all of the
/// shop's customers; the vault then replays or applies it atomically.
pub async fn accrue(mut req: Request, env: &Env) -> Outcome<Response> {
    let register = auth::register(&req, env).await?;
    let served_by = auth::staff::serving(&req, env, &register, StaffAction::Sell).await?;
    let request: AccruePointsRequest = web::json_body(&mut req).await?;
    let amount = MinorUnits::from_minor(request.amount_minor, register.shop.currency)
        .map_err(|error| Problem::new(ErrorCode::InvalidRequest, error.to_string()))?;
    let items = priced_lines(env, &register.shop, request.items).await?;
    if !items.is_empty() {
        let total = Sale::Items { items: items.clone() }
            .total(register.shop.currency)
            .map_err(|error| Problem::new(ErrorCode::InvalidRequest, error.to_string()))?;
        if total != amount {
            return Err(Problem::new(
                ErrorCode::InvalidRequest,
                format!("the lines add up to {} minor units, not {}", total.0, amount.0),
            ));
        }
    }
    let member = issuer(env, &register, &request.code).await?;
    let code_hash = CodeHash::of(&request.code);
    // Sales without lines (or a coupon) keep the fingerprint they had before those existed.
    let lines = if items.is_empty() { String::new() } else { format!("|{}", serde_json::to_string(&items)?) };
    let coupon_part = request.coupon_id.as_ref().map_or(String::new(), |id| format!("|coupon:{id}"));
    let fingerprint = sha256_hex(
        format!("{}|{}|{}{lines}{coupon_part}", register.record.register_id, code_hash.as_str(), amount.0).as_bytes(),
    );
    let book = ShopClient::of(env, &register.shop.shop_id)?;
    book.claim_request(&request.request_id, fingerprint).await?;
    // The total limit: a use is reserved in the shop's book before the vault decides.
    let coupon = match &request.coupon_id {
        Some(coupon_id) => Some(book.reserve_coupon(coupon_id, &request.request_id).await?),
        None => None,
    };
    let till = register.till_header(code_hash, request.request_id.clone(), served_by);
    let request_id = till.request_id.clone();
    let sold = VaultClient::of(env, &member)?.accrue(till, amount, items, coupon).await;
    if let Some(coupon_id) = &request.coupon_id {
        match &sold {
            Ok(sold) => book.conclude_coupon(coupon_id, &request_id, sold.coupon_use).await?,
            // A refusal (4xx) changed nothing in the vault: the reserved use goes back. After a
            // failure on our side the vault may have applied it, so the reservation stays held
            // (never more uses than the limit); a retry under the same request id concludes it.
            Err(problem) if problem.code().http_status() < 500 => {
                book.conclude_coupon(coupon_id, &request_id, None).await?;
            }
            Err(_) => {}
        }
    }
    web::ok(&sold?.accrued)
}

/// Lines with a product code take the shop's list price (see `catalog::price_lines`).
async fn priced_lines(env: &Env, shop: &domain::api::ShopSummary, items: Vec<LineItem>) -> Outcome<Vec<LineItem>> {
    if items.iter().all(|item| item.product_code.is_none()) {
        return Ok(items);
    }
    let products = Directory::open(env)?.products(&shop.shop_id).await?;
    catalog::price_lines(items, &products).map_err(|error| match error {
        CatalogError::UnknownProduct(_) | CatalogError::ArchivedProduct(_) => {
            Problem::new(ErrorCode::UnknownProduct, error.to_string())
        }
        other => Problem::new(ErrorCode::InvalidRequest, other.to_string()),
    })
}

/// `POST /api/register/debits` → [`domain::api::DebitStatus`]. The Worker turns
/// the register's operation into the exact debit (reward looked up, lines priced
/// from the product list, total computed in the domain); the member's vault
/// checks the balance and asks the phone. The request id is claimed in the
/// shop's book first; the same request again re-attaches to its confirmation.
pub async fn debit(mut req: Request, env: &Env) -> Outcome<Response> {
    let register = auth::register(&req, env).await?;
    let served_by = auth::staff::serving(&req, env, &register, StaffAction::Sell).await?;
    let request: DebitRequest = web::json_body(&mut req).await?;
    let directory = Directory::open(env)?;
    let shop = &register.shop;
    let member = issuer(env, &register, &request.code).await?;
    let (debit, items, reward) = match request.operation {
        DebitOperation::Redeem { reward_id } => {
            let rewards = directory.rewards(&shop.shop_id).await?;
            let reward = catalog::find_reward(&rewards, &reward_id).cloned().ok_or_else(|| {
                Problem::new(ErrorCode::UnknownReward, format!("this shop offers no reward {reward_id}"))
            })?;
            if reward.archived {
                return Err(Problem::new(
                    ErrorCode::UnknownReward,
                    format!("the reward {reward_id} is archived: restore it in the console to redeem it"),
                ));
            }
            let debit = Debit::Redeem { reward_id, reward_name: reward.name.clone(), points: reward.cost_points };
            (debit, Vec::new(), Some(reward))
        }
        DebitOperation::PrepaidCharge { sale } => {
            let (total, items) = sale_total(env, shop, sale).await?;
            (Debit::PrepaidCharge { amount: total }, items, None)
        }
        DebitOperation::CardCharge { sale } => {
            let (total, items) = sale_total(env, shop, sale).await?;
            // The phone is asked only if the shop takes cards and the member saved one for it; it is
            // asked with the member's default card (the first listed), and the member may choose another.
            ShopClient::of(env, &shop.shop_id)?.card_keys().await?.ok_or_else(refusals::cards_not_connected)?;
            let card = VaultClient::of(env, &member)?
                .saved_cards(&shop.shop_id)
                .await?
                .into_iter()
                .next()
                .ok_or_else(refusals::no_saved_card)?;
            (Debit::CardCharge { amount: total, brand: card.brand, last4: card.last4 }, items, None)
        }
    };
    if request.coupon_id.is_some() && reward.is_some() {
        return Err(Problem::new(ErrorCode::InvalidRequest, "a coupon applies to a sale, not to a reward"));
    }
    let code_hash = CodeHash::of(&request.code);
    let described = match &debit {
        // The register asks for an amount by card; which card pays is the member's choice (the
        // default may change between two sends of one request), so it is no part of the request.
        Debit::CardCharge { amount, .. } => serde_json::to_string(&("card_charge", amount, &items))?,
        _ => serde_json::to_string(&(&debit, &items))?,
    };
    // Debits without a coupon keep the fingerprint they had before coupons applied to them.
    let coupon_part = request.coupon_id.as_ref().map_or(String::new(), |id| format!("|coupon:{id}"));
    let fingerprint = sha256_hex(
        format!("debit|{}|{}|{described}{coupon_part}", register.record.register_id, code_hash.as_str()).as_bytes(),
    );
    let book = ShopClient::of(env, &shop.shop_id)?;
    book.claim_request(&request.request_id, fingerprint).await?;
    // The total limit: a use is reserved before the phone is asked; the vault tells the book
    // how the question ended (used, or released), see `member_vault::coupon_outbox`.
    let coupon = match &request.coupon_id {
        Some(coupon_id) => Some(book.reserve_coupon(coupon_id, &request.request_id).await?),
        None => None,
    };
    let till = register.till_header(code_hash, request.request_id.clone(), served_by);
    let request_id = till.request_id.clone();
    let asked = VaultClient::of(env, &member)?.ask(Ask { till, debit, items, reward, coupon }).await;
    if let (Some(coupon_id), Err(problem)) = (&request.coupon_id, &asked) {
        // Refused before the phone was asked (4xx): the reserved use goes back. After a failure on
        // our side the question may exist, so the reservation stays for its outcome to conclude.
        // A reused request id belongs to another question, which keeps its reservation.
        if problem.code().http_status() < 500 && problem.code() != ErrorCode::RequestIdReused {
            book.conclude_coupon(coupon_id, &request_id, None).await?;
        }
    }
    web::ok(&asked?)
}

/// A sale's total, its listed lines priced from the shop's list.
async fn sale_total(env: &Env, shop: &domain::api::ShopSummary, sale: Sale) -> Outcome<(MinorUnits, Vec<LineItem>)> {
    let sale = match sale {
        Sale::Items { items } => Sale::Items { items: priced_lines(env, shop, items).await? },
        amount => amount,
    };
    let total =
        sale.total(shop.currency).map_err(|error| Problem::new(ErrorCode::InvalidRequest, error.to_string()))?;
    let items = match sale {
        Sale::Items { items } => items,
        Sale::Amount { .. } => Vec::new(),
    };
    Ok((total, items))
}

/// `POST /api/register/debits/wait` → [`domain::api::DebitStatus`], answered as
/// soon as the customer answers (or the question times out), else after
/// `LONG_POLL_MS` with the pending status. The scanned code finds the vault
/// without the register ever learning who the member is.
pub async fn debit_wait(mut req: Request, env: &Env) -> Outcome<Response> {
    let register = auth::register(&req, env).await?;
    let request: DebitWaitRequest = web::json_body(&mut req).await?;
    let member = issuer(env, &register, &request.code).await?;
    let question = Question {
        code_hash: CodeHash::of(&request.code),
        shop_id: register.shop.shop_id.clone(),
        request_id: request.request_id,
    };
    let vault = VaultClient::of(env, &member)?;
    web::ok(&auth::until_revoked(env, &register, vault.debit_status(question, true)).await?)
}

/// `POST /api/register/debits/cancel` → [`domain::api::DebitStatus`]: the
/// register withdraws its question (e.g. the customer walked away); refused
/// with `already_answered` once the customer approved.
pub async fn debit_cancel(mut req: Request, env: &Env) -> Outcome<Response> {
    let register = auth::register(&req, env).await?;
    let request: DebitWaitRequest = web::json_body(&mut req).await?;
    let member = issuer(env, &register, &request.code).await?;
    let question = Question {
        code_hash: CodeHash::of(&request.code),
        shop_id: register.shop.shop_id,
        request_id: request.request_id,
    };
    web::ok(&VaultClient::of(env, &member)?.withdraw(question).await?)
}

/// `POST /api/register/prepaid/top-ups` → [`domain::receipt::Receipt`]: cash
/// received becomes prepaid value. Needs no confirmation: it only adds.
pub async fn top_up(mut req: Request, env: &Env) -> Outcome<Response> {
    let register = auth::register(&req, env).await?;
    let served_by = auth::staff::serving(&req, env, &register, StaffAction::Sell).await?;
    let request: TopUpRequest = web::json_body(&mut req).await?;
    let amount = MinorUnits::from_minor(request.amount_minor, register.shop.currency)
        .map_err(|error| Problem::new(ErrorCode::InvalidRequest, error.to_string()))?;
    let member = issuer(env, &register, &request.code).await?;
    let code_hash = CodeHash::of(&request.code);
    let fingerprint =
        sha256_hex(format!("top-up|{}|{}|{}", register.record.register_id, code_hash.as_str(), amount.0).as_bytes());
    ShopClient::of(env, &register.shop.shop_id)?.claim_request(&request.request_id, fingerprint).await?;
    let till = register.till_header(code_hash, request.request_id, served_by);
    web::ok(&VaultClient::of(env, &member)?.top_up(till, amount).await?)
}
