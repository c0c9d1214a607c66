//! A member's own history at one shop (the rule is `domain::history`): read
//! from the member's vault, which holds every receipt, and summed in the
//! shop's time zone.

use crate::auth;
use crate::clock;
use crate::error::{Outcome, Problem};
use crate::storage::member_vault::protocol::VaultClient;
use crate::web;
use crate::zone::Zone;
use domain::api::account::{ExportedMembership, MemberHistory};
use domain::api::ErrorCode;
use domain::history;
use domain::points_expiry::{local_date, FixedOffset, ZoneOffsets};
use domain::receipt::Receipt;
use domain::stats::activity_from;
use worker::{Env, Request, Response};

fn not_a_member() -> Problem {
    Problem::new(ErrorCode::NotFound, "you have never been in this shop's programme")
}

/// The member's programme at `shop_id` (now or before) and its receipts, oldest first.
async fn held(req: &Request, env: &Env, shop_id: &str) -> Outcome<(ExportedMembership, Vec<Receipt>)> {
    let member = auth::member(req, env).await?;
    let export = VaultClient::of(env, &member)?.export().await?;
    let membership =
        export.memberships.into_iter().find(|m| m.shop.shop_id.as_str() == shop_id).ok_or_else(not_a_member)?;
    let receipts = export.receipts.into_iter().filter(|r| r.shop_id == membership.shop.shop_id).collect();
    Ok((membership, receipts))
}

fn summarise(
    membership: ExportedMembership,
    mut receipts: Vec<Receipt>,
    zone: &impl ZoneOffsets,
) -> Outcome<MemberHistory> {
    let today = local_date(clock::now(), zone).ok_or_else(|| Problem::internal("today has no local date"))?;
    let (total, months) = history::figures(&receipts, zone, today);
    let visits = activity_from(0, &receipts);
    receipts.sort_by_key(|r| std::cmp::Reverse(r.at));
    Ok(MemberHistory {
        shop: membership.shop,
        customer_number: membership.customer_number,
        current: membership.current,
        points: membership.points,
        prepaid_minor: membership.prepaid_minor,
        first_visit: visits.first_visit_at,
        last_visit: visits.last_visit_at,
        total,
        months,
        receipts,
    })
}

/// `GET /api/me/history/{shop}` → [`MemberHistory`].
pub async fn show(req: Request, env: &Env, shop_id: &str) -> Outcome<Response> {
    let (membership, receipts) = held(&req, env, shop_id).await?;
    let history = match Zone::of(&membership.shop.programme.time_zone) {
        Some(zone) => summarise(membership, receipts, &zone)?,
        None => summarise(membership, receipts, &FixedOffset(0))?,
    };
    web::ok(&history)
}

/// `GET /api/me/history/{shop}/csv` → the member's receipts at the shop as CSV.
pub async fn csv(req: Request, env: &Env, shop_id: &str) -> Outcome<Response> {
    let (membership, receipts) = held(&req, env, shop_id).await?;
    let body = match Zone::of(&membership.shop.programme.time_zone) {
        Some(zone) => history::csv(&receipts, &zone),
        None => history::csv(&receipts, &FixedOffset(0)),
    };
    let file_name = format!("tessera-{}-history.csv", membership.shop.shop_id.as_str());
    web::csv(body, &file_name)
}
