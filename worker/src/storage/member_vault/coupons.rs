//! Coupons in the vault: what each shop's book needs to judge its coupons for
//! this member (their activity there, counted from their own receipts by the
//! dashboard's rule; the coupons they used; whether they opted out of segment
//! offers), and the opt-out itself. Applying a coupon to a sale is part of the
//! sale (`loyalty::accrue`).

use super::protocol::{CouponFactsQuery, CustomerCouponFacts, MemberCouponFacts, SetCouponOptOut, ShopMember};
use super::vault::MemberVault;
use crate::clock;
use crate::error::{Outcome, Problem};
use crate::storage::object::Done;
use domain::coupons::MemberAtShop;
use domain::shop::{CustomerNumber, ShopId};
use domain::stats::activity_from;

impl MemberVault {
    /// What the shop's book needs to judge its coupons for this member.
    pub(super) fn member_at_shop(&self, shop_id: &ShopId, customer_number: CustomerNumber) -> Outcome<MemberAtShop> {
        let joined_at = self
            .memberships()
            .joined_at(shop_id)?
            .ok_or_else(|| Problem::new(domain::api::ErrorCode::NotAMember, "the customer left this shop"))?;
        let receipts = self.receipts().all_at(shop_id)?;
        Ok(MemberAtShop {
            customer_number,
            activity: activity_from(joined_at, &receipts),
            opted_out: self.profiles().coupon_opt_out()?,
            used: self.coupon_uses().used_at(shop_id)?,
        })
    }

    pub(super) fn coupon_facts(&self, _: CouponFactsQuery) -> Outcome<MemberCouponFacts> {
        self.profiles().existing()?;
        let shops = self
            .memberships()
            .all()?
            .into_iter()
            .map(|membership| {
                let member = self.member_at_shop(&membership.shop.shop_id, membership.customer_number)?;
                Ok(ShopMember { shop: membership.shop, member })
            })
            .collect::<Outcome<Vec<_>>>()?;
        Ok(MemberCouponFacts { opted_out: self.profiles().coupon_opt_out()?, shops })
    }

    pub(super) fn customer_coupon_facts(&self, request: CustomerCouponFacts) -> Outcome<MemberAtShop> {
        self.profiles().existing()?;
        self.codes().judged(&request.code_hash, &request.shop_id, clock::now())?;
        let membership = self.memberships().of_record(&request.shop_id)?;
        self.member_at_shop(&request.shop_id, membership.customer_number)
    }

    pub(super) fn set_coupon_opt_out(&self, request: SetCouponOptOut) -> Outcome<Done> {
        self.profiles().existing()?;
        self.profiles().set_coupon_opt_out(request.opted_out)?;
        self.changed()?;
        Ok(Done)
    }
}
