//! Refunds at a register (in the register table, [`super::register::route`]):
//! look a receipt up by its number, refund it whole or some lines.
//!
//! A receipt number is `<customer number>-<n>` and customer numbers are per
//! shop, so the number itself leads to the member: the shop's book maps the
//! customer number to the member (the table that allocated it), and that
//! member's vault holds the receipt. No receipt index is needed, nothing is
//! written at sale time, and a lookup is always within the register's own
//! shop: another shop's receipt number finds nothing here (`not_found`, the
//! same as a number nobody issued), so it never leaks.

use crate::auth;
use crate::crypto::sha256_hex;
use crate::error::Outcome;
use crate::refusals;
use crate::storage::code_index::protocol::CodeHash;
use crate::storage::member_vault::protocol::{TillHeader, VaultClient};
use crate::storage::shop_book::protocol::{ShopClient, TakeBackCoupon};
use crate::web;
use domain::api::refunds::{CustomerReceiptsRequest, RefundRequest};
use domain::member::MemberNumber;
use domain::receipt::ReceiptDetails;
use domain::refund;
use domain::shop::ShopId;
use domain::staff::{self, ApprovalRefusal, Approver, ServedBy, StaffAction};
use worker::{Env, Request, Response};

/// The member whose vault holds receipt `number` of the shop, or `not_found`.
async fn holder(env: &Env, shop_id: &ShopId, number: &str) -> Outcome<MemberNumber> {
    let customer = refund::customer_of(number).ok_or_else(refusals::no_such_receipt)?;
    ShopClient::of(env, shop_id)?.member_of(customer).await?.ok_or_else(refusals::no_such_receipt)
}

/// `GET /api/register/receipts/{number}` → [`domain::api::refunds::RefundableReceipt`].
pub async fn receipt(req: Request, env: &Env, number: &str) -> Outcome<Response> {
    let register = auth::register(&req, env).await?;
    let shop_id = register.shop.shop_id;
    let member = holder(env, &shop_id, number).await?;
    let found = VaultClient::of(env, &member)?.find_receipt(shop_id, number.to_owned()).await?;
    web::ok(&found.ok_or_else(refusals::no_such_receipt)?)
}

/// `POST /api/register/receipts` → [`domain::api::refunds::CustomerReceipts`]:
/// the customer's latest receipts here, by the code on their phone (not spent).
pub async fn customer_receipts(mut req: Request, env: &Env) -> Outcome<Response> {
    let register = auth::register(&req, env).await?;
    let request: CustomerReceiptsRequest = web::json_body(&mut req).await?;
    let found = auth::throttle::CodeGuard::of(env, &register)?.look_up(env, &request.code).await?;
    let vault = VaultClient::of(env, &found.member_number)?;
    web::ok(&vault.customer_receipts(CodeHash::of(&request.code), register.shop.shop_id).await?)
}

/// `POST /api/register/refunds` → the refund [`domain::receipt::Receipt`]. The
/// request id is claimed in the shop's book first (so it means one refund
/// across the shop); the member's vault then replays or applies it atomically.
/// In a shop with staff someone must be signed in at the register; a refund
/// above the shop's limit also needs a manager of the register's store
/// (`approval_required` until their staff number and PIN come with it).
pub async fn refund(mut req: Request, env: &Env) -> Outcome<Response> {
    let register = auth::register(&req, env).await?;
    let served_by = auth::staff::serving(&req, env, &register, StaffAction::Refund).await?;
    let request: RefundRequest = web::json_body(&mut req).await?;
    let number = request.receipt_number.trim().to_owned();
    let member = holder(env, &register.shop.shop_id, &number).await?;
    let lines = serde_json::to_string(&request.lines)?;
    let fingerprint = sha256_hex(format!("refund|{}|{number}|{lines}", register.record.register_id).as_bytes());
    ShopClient::of(env, &register.shop.shop_id)?.claim_request(&request.request_id, fingerprint).await?;
    let vault = VaultClient::of(env, &member)?;
    let approved_by = approval(env, &register, &vault, &number, &request).await?;
    let till = TillHeader {
        approved_by,
        // A refund spends no code of the customer.
        ..register.till_header(CodeHash::from_stored(String::new()), request.request_id.clone(), served_by)
    };
    let shop_id = till.shop.shop_id.clone();
    let refunded = vault.refund(till, number.clone(), request.lines).await?;
    if let Some(original) = vault.find_receipt(shop_id.clone(), number).await? {
        // A card sale's money goes back to the card (once, also when this is a retry).
        crate::cards::refund_to_card(env, &original.receipt, &refunded).await?;
        // A coupon's figures lose what was given back (once per refund, also on a retry).
        if let (Some(applied), ReceiptDetails::Refund { amount_minor, .. }) =
            (&original.receipt.coupon, &refunded.details)
        {
            let take_back = TakeBackCoupon {
                coupon_id: applied.coupon_id.clone(),
                sale_request_id: original.receipt.request_id.clone(),
                refund_request_id: refunded.request_id.clone(),
                refund_minor: *amount_minor,
            };
            ShopClient::of(env, &shop_id)?.take_back_coupon(take_back).await?;
        }
    }
    web::ok(&refunded)
}

/// The manager who approves this refund, when the shop's limit asks for one.
/// The refund is valued from what is left on the receipt now: a refund made
/// meanwhile only lowers what this one gives back, and a retry of a refund
/// already made is worth nothing more, so it replays without a PIN.
async fn approval(
    env: &Env,
    register: &auth::Register,
    vault: &VaultClient,
    number: &str,
    request: &RefundRequest,
) -> Outcome<Option<ServedBy>> {
    let limit = register.shop.programme.refund_approval_above;
    if limit.is_none() {
        return Ok(None);
    }
    let found = vault.find_receipt(register.shop.shop_id.clone(), number.to_owned()).await?;
    let found = found.ok_or_else(refusals::no_such_receipt)?;
    let amount = domain::refund::refund_value(&found.receipt, &found.left, request.lines.as_deref());
    if !limit.needs_approval(amount) {
        return Ok(None);
    }
    let Some(given) = &request.approval else {
        return Err(refusals::approval(ApprovalRefusal::Required));
    };
    let approver = auth::staff::approver(env, register, given.staff_number, &given.pin).await?;
    let role = Approver { role: approver.role, store_id: approver.store_id.clone() };
    staff::judge_refund_approval(limit, amount, Some(&role), &register.record.store_id).map_err(refusals::approval)?;
    Ok(Some(approver.served_by()))
}
