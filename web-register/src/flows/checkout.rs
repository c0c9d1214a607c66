//! A read → what the code is for and, for a shop membership, who the customer
//! is: one call (`/api/register/scan` with `resolve`); and "Add points" for a sale.

use crate::api::{self, Failure};
use domain::api::items::{BillAtRegister, ScanAnswer, ScanRequest};
use domain::api::tickets::GateVerdict;
use domain::api::{AccruePointsRequest, CustomerView, PointsAccrued, ResolveRequest};
use domain::code::OneTimeCode;

/// What a code turned out to be.
#[derive(Debug, Clone)]
pub enum ScanOutcome {
    /// A shop member, ready for a sale.
    Customer(CustomerView),
    /// A ticket, judged at this gate (and, if admitted, its entry recorded).
    Admission(GateVerdict),
    /// A bill to collect.
    Bill(BillAtRegister),
    /// The code could not be read for this register (unknown, expired, another shop's…).
    Failed(Failure),
    /// A membership code whose customer could not be looked up.
    NotResolved(Failure),
}

pub async fn scan(token: &str, code: &OneTimeCode) -> ScanOutcome {
    match api::scan(token, &ScanRequest { code: code.clone(), resolve: true }).await {
        Ok(ScanAnswer::Customer(view)) => ScanOutcome::Customer(view),
        Ok(ScanAnswer::Membership) => match api::resolve(token, &ResolveRequest { code: code.clone() }).await {
            Ok(view) => ScanOutcome::Customer(view),
            Err(failure) => ScanOutcome::NotResolved(failure),
        },
        Ok(ScanAnswer::Admission(verdict)) => ScanOutcome::Admission(verdict),
        Ok(ScanAnswer::Bill(bill)) => ScanOutcome::Bill(bill),
        Err(failure) => ScanOutcome::Failed(failure),
    }
}

/// Adds points for a sale (its lines, if any, must add up to the amount).
pub async fn add_points(token: &str, request: &AccruePointsRequest) -> Result<PointsAccrued, Failure> {
    api::accrue(token, request).await
}

/// The coupons that apply to the customer whose code was read (checked, not spent).
pub async fn coupons(token: &str, code: &OneTimeCode) -> Result<Vec<domain::api::coupons::CouponOffer>, Failure> {
    let request = domain::api::coupons::CustomerCouponsRequest { code: code.clone() };
    api::customer_coupons(token, &request).await.map(|answer| answer.coupons)
}
