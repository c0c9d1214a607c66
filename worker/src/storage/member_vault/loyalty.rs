//! The loyalty flow in the vault: joining a shop, issuing a code, a register
//! resolving it, and points for a sale.

use super::memberships::Membership;
use super::points::LedgerEntry;
use super::protocol::{Accrue, AccrueOffline, Accrued, Issue, Join, Resolve, TillHeader};
use super::vault::MemberVault;
use crate::clock;
use crate::error::{Outcome, Problem};
use crate::refusals;
use crate::storage::code_index::protocol::CodeHash;
use crate::storage::sql::minor;
use domain::api::ShopSummary;
use domain::api::{CustomerView, ErrorCode, MembershipView, PointsAccrued};
use domain::code_rules::CodeRecord;
use domain::coupons::{apply_to_sale, CouponUse, MemberFacts, PaidWith};
use domain::member::MemberNumber;
use domain::money::MinorUnits;
use domain::receipt::ReceiptDetails;
use domain::shop::{Label, RegisterId, RequestId};
use domain::stats::activity_from;
use domain::store::StoreId;
use domain::UnixMillis;

/// What the welcome bonus's ledger entry and receipt name as their "register".
const WELCOME_BONUS_SOURCE: &str = "welcome-bonus";
/// The request id of the welcome bonus's entry: one per shop in a member's ledger.
const WELCOME_BONUS_REQUEST: &str = "welcome-bonus";

/// The welcome bonus names the shop's programme, not a register.
fn welcome_entry(shop: &ShopSummary) -> Outcome<TillHeader> {
    let invalid = |what: &str| Problem::internal(format!("welcome bonus entry: {what}"));
    Ok(TillHeader {
        shop: shop.clone(),
        register_id: RegisterId::parse(WELCOME_BONUS_SOURCE).map_err(|_| invalid("source"))?,
        register_name: Label::parse("Welcome bonus").map_err(|_| invalid("name"))?,
        // The programme's, not a store's: booked to the main store.
        store_id: StoreId::main(),
        store_name: shop.name.clone(),
        request_id: RequestId::parse(WELCOME_BONUS_REQUEST).map_err(|_| invalid("request id"))?,
        code_hash: CodeHash::from_stored(String::new()),
        served_by: None,
        approved_by: None,
    })
}

impl MemberVault {
    /// A membership with its balances, as the phone shows it.
    pub(super) fn membership_view(&self, membership: Membership) -> Outcome<MembershipView> {
        let shop_id = &membership.shop.shop_id;
        Ok(MembershipView {
            points: self.points().balance(shop_id)?,
            next_expiry: self.points().next_expiry(&membership.shop)?,
            prepaid_minor: self.prepaid().balance(shop_id)?,
            shop: membership.shop,
            customer_number: membership.customer_number,
            share_name: membership.share_name,
        })
    }

    /// Joining twice keeps the customer number and points; it updates whether
    /// the name is shared, which is how a member changes their mind.
    pub(super) fn join(&self, request: Join) -> Outcome<MembershipView> {
        let profile = self.profiles().existing()?;
        let shop_id = request.shop.shop_id.clone();
        match self.memberships().get(&shop_id)? {
            Some(existing) if existing.share_name == request.share_name => self.membership_view(existing),
            Some(existing) => {
                self.memberships().set_share_name(&shop_id, request.share_name)?;
                self.changed()?;
                self.membership_view(Membership { share_name: request.share_name, ..existing })
            }
            None => {
                let membership = Membership {
                    shop: request.shop,
                    customer_number: request.customer_number,
                    share_name: request.share_name,
                };
                let now = clock::now();
                self.memberships().insert(&membership, now)?;
                self.give_welcome_bonus(&profile.member_number, &membership, now)?;
                self.changed()?;
                self.membership_view(membership)
            }
        }
    }

    /// The shop's welcome bonus on a new membership: one ledger entry (its
    /// "register" is [`WELCOME_BONUS_SOURCE`], its request id
    /// [`WELCOME_BONUS_REQUEST`]) and a receipt, in the same synchronous
    /// stretch as the membership. Once per member and shop, for good: the
    /// ledger outlives a leaving (the points close at zero with their own
    /// entry, see `withdrawal`), so a member who left and joins again finds
    /// the earlier entry and gets nothing, and the ledger's
    /// `UNIQUE (shop_id, request_id)` would refuse a second one anyway. A
    /// member who closes their account and signs up again is a new member to
    /// the shop (it never learns who they are) and gets it again.
    fn give_welcome_bonus(&self, member: &MemberNumber, membership: &Membership, now: UnixMillis) -> Outcome<()> {
        let shop = &membership.shop;
        let till = welcome_entry(shop)?;
        let already_given = self.points().entry(&shop.shop_id, &till.request_id)?.is_some();
        let Some(points) = shop.programme.welcome_bonus.due(already_given) else {
            return Ok(());
        };
        let points_before = self.points().balance(&shop.shop_id)?;
        let points_after = points_before
            .checked_add(points)
            .ok_or_else(|| Problem::internal("welcome bonus overflows the balance"))?;
        self.points().append(member, &till, 0, points, now)?;
        let details = ReceiptDetails::WelcomeBonus { points, points_before, points_after };
        self.receipts().conclude(&till, membership.customer_number, Vec::new(), details, now)?;
        Ok(())
    }

    pub(super) fn issue(&self, request: Issue) -> Outcome<CodeRecord> {
        self.profiles().existing()?;
        if self.memberships().get(&request.shop_id)?.is_none() {
            return Err(Problem::new(ErrorCode::NotAMember, "join this shop before asking for a code"));
        }
        self.codes().issue(&request.code_hash, request.shop_id, clock::now())
    }

    pub(super) fn resolve(&self, request: Resolve) -> Outcome<CustomerView> {
        let profile = self.profiles().existing()?;
        let now = clock::now();
        let mut record = self.codes().judged(&request.code_hash, &request.shop_id, now)?;
        let membership = self.memberships().of_record(&request.shop_id)?;
        self.codes().hold(&request.code_hash, &mut record, now)?;
        Ok(CustomerView {
            customer_number: membership.customer_number,
            display_name: membership.share_name.then_some(profile.display_name),
            points: self.points().balance(&request.shop_id)?,
            prepaid_minor: self.prepaid().balance(&request.shop_id)?,
            usable_until: record.usable_until(),
        })
    }

    /// Points for a sale; with a coupon (reserved in the shop's book by the
    /// Worker), the coupon is judged for this member and basket, applied and
    /// its use recorded in this same synchronous stretch, so two registers
    /// racing on one coupon for one member see exactly one use.
    pub(super) fn accrue(&self, request: Accrue) -> Outcome<Accrued> {
        let profile = self.profiles().existing()?;
        let till = &request.till;
        let shop_id = till.shop_id();
        if let Some(earlier) = self.points().entry(shop_id, &till.request_id)? {
            let accrued = self.replay(&request, earlier)?;
            let coupon_use = self.earlier_coupon_use(&accrued)?;
            return Ok(Accrued { accrued, coupon_use });
        }
        let now = clock::now();
        let record = self.codes().judged(&till.code_hash, shop_id, now)?;
        let membership = self.memberships().of_record(shop_id)?;
        let (paid, applied, returning) = match &request.coupon {
            None => (request.amount, None, false),
            Some(coupon) => {
                let member = self.member_at_shop(shop_id, membership.customer_number)?;
                let facts = MemberFacts {
                    activity: member.activity,
                    opted_out: member.opted_out,
                    used: self.coupon_taken(shop_id, &coupon.coupon_id, &till.request_id, now)?,
                };
                let applied = apply_to_sale(
                    coupon,
                    &facts,
                    request.amount,
                    &request.items,
                    clock::shop_now(shop_id),
                    PaidWith::Cash,
                )
                .map_err(refusals::coupon)?;
                (MinorUnits(applied.paid_minor()), Some(applied), member.activity.visits > 0)
            }
        };
        let earned =
            till.shop.points_per_unit.points_rounded(paid, till.shop.currency, till.shop.programme.points_rounding);
        let bonus = applied.as_ref().map_or(0, |applied| applied.bonus_points);
        let points_added =
            earned.checked_add(bonus).ok_or_else(|| Problem::internal("bonus points overflow the sale's points"))?;
        let points_before = self.points().balance(shop_id)?;
        let amount_minor = minor(paid.0)?;
        self.codes().spend(&till.code_hash, record, now)?;
        self.memberships().refresh_shop(&till.shop)?;
        self.points().append(&profile.member_number, till, amount_minor, points_added, now)?;
        if let Some(applied) = &applied {
            self.coupon_uses().record(shop_id, &applied.coupon_id, &till.request_id, now)?;
        }
        let points = self.points().balance(shop_id)?;
        let details = ReceiptDetails::Points { sale_minor: paid.0, points_added, points_before, points_after: points };
        let coupon_use = applied.as_ref().map(|_| CouponUse { paid_minor: paid.0, returning });
        let receipt = self.receipts().conclude_with_coupon(
            till,
            membership.customer_number,
            request.items.clone(),
            details,
            applied,
            now,
        )?;
        self.changed()?;
        let accrued = PointsAccrued {
            customer_number: membership.customer_number,
            amount_minor: paid.0,
            points_added,
            points,
            at: now,
            receipt: Some(receipt),
        };
        Ok(Accrued { accrued, coupon_use })
    }

    /// Points for a sale a register made with an offline code: the shop's book
    /// granted the code's one use, so no code is judged here; the request id
    /// makes a retried upload change nothing twice. The entry and receipt are
    /// dated when the register scanned the code: the shop's book accepted that
    /// time only within the code's life and not after the upload
    /// (`offline::judge_upload`), and it is never later than now here.
    pub(super) fn accrue_offline(&self, request: AccrueOffline) -> Outcome<PointsAccrued> {
        let profile = self.profiles().existing()?;
        let accrue = Accrue { till: request.till, amount: request.amount, items: Vec::new(), coupon: None };
        let till = &accrue.till;
        let shop_id = till.shop_id();
        if let Some(earlier) = self.points().entry(shop_id, &till.request_id)? {
            return self.replay(&accrue, earlier);
        }
        let membership = self
            .memberships()
            .get(shop_id)?
            .ok_or_else(|| Problem::new(ErrorCode::NotAMember, "the customer is not a member of this shop any more"))?;
        let at = request.scanned_at.min(clock::now());
        let points_added = till.shop.points_per_unit.points_rounded(
            accrue.amount,
            till.shop.currency,
            till.shop.programme.points_rounding,
        );
        let points_before = self.points().balance(shop_id)?;
        self.memberships().refresh_shop(&till.shop)?;
        self.points().append(&profile.member_number, till, minor(accrue.amount.0)?, points_added, at)?;
        let points = self.points().balance(shop_id)?;
        let details =
            ReceiptDetails::Points { sale_minor: accrue.amount.0, points_added, points_before, points_after: points };
        let receipt = self.receipts().conclude(till, membership.customer_number, Vec::new(), details, at)?;
        self.changed()?;
        Ok(PointsAccrued {
            customer_number: membership.customer_number,
            amount_minor: accrue.amount.0,
            points_added,
            points,
            at,
            receipt: Some(receipt),
        })
    }

    /// A coupon sale answered again: its use as the first answer reported it,
    /// so a reservation the first Worker could not conclude is counted now.
    fn earlier_coupon_use(&self, accrued: &PointsAccrued) -> Outcome<Option<CouponUse>> {
        let Some(receipt) = &accrued.receipt else { return Ok(None) };
        let Some(applied) = &receipt.coupon else { return Ok(None) };
        let before = self.receipts().all_at(&receipt.shop_id)?;
        let earlier = before.iter().filter(|other| other.at < receipt.at);
        let returning = activity_from(0, earlier).visits > 0;
        Ok(Some(CouponUse { paid_minor: applied.paid_minor(), returning }))
    }

    /// A request id seen before: the same request gets the same answer and
    /// changes nothing; a different request under that id is refused.
    fn replay(&self, request: &Accrue, earlier: LedgerEntry) -> Outcome<PointsAccrued> {
        let till = &request.till;
        let receipt = self.receipts().get(till.shop_id(), &till.request_id)?;
        let earlier_coupon = receipt.as_ref().and_then(|receipt| receipt.coupon.as_ref());
        // A coupon sale's ledger holds what was paid; the receipt holds the basket and the coupon.
        let same_sale = match (&request.coupon, earlier_coupon) {
            (None, None) => u64::try_from(earlier.amount_minor).ok() == Some(request.amount.0),
            (Some(coupon), Some(applied)) => {
                applied.coupon_id == coupon.coupon_id && applied.basket_minor == request.amount.0
            }
            _ => false,
        };
        let same = earlier.register_id == till.register_id.as_str()
            && earlier.code_hash == till.code_hash.as_str()
            && same_sale;
        if !same {
            return Err(refusals::request_id_reused());
        }
        let membership = self.memberships().of_record(till.shop_id())?;
        Ok(PointsAccrued {
            customer_number: membership.customer_number,
            amount_minor: u64::try_from(earlier.amount_minor).unwrap_or(request.amount.0),
            points_added: earlier.points,
            points: self.points().balance_after(till.shop_id(), earlier.seq)?,
            at: earlier.at,
            receipt,
        })
    }
}
