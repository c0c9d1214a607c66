//! Leaving a shop's programme, the member's export, and closing the account
//! (the rules are in `domain::leaving`).
//!
//! Closing is one synchronous stretch: the `closure` row, the forgotten codes,
//! PIN, questions, name and shared-name settings land together, and from then
//! on every call is refused before it reaches a handler
//! ([`MemberVault::refuse_when_closed`]). A register reading a code a moment
//! later hears `unknown`; a sign-in or an old session hears `account_deleted`.
//! The ledgers (points, prepaid, receipts) stay: they are the shops' books and
//! name only the per-shop customer number.

use super::memberships::Membership;
use super::protocol::{Close, ExportQuery, Leave, OpenQuery, TillHeader, VaultOperation};
use super::vault::MemberVault;
use crate::clock;
use crate::error::{Outcome, Problem};
use crate::refusals;
use crate::storage::code_index::protocol::CodeHash;
use crate::storage::object::Done;
use domain::api::account::{ExportedMembership, MemberExport, PointsLedgerRow, PrepaidLedgerRow};
use domain::api::items::Pocket;
use domain::api::{ErrorCode, ShopSummary};
use domain::leaving;
use domain::money::MinorUnits;
use domain::shop::{Label, RegisterId, RequestId};
use domain::store::StoreId;
use domain::UnixMillis;

/// What the points entry that closes a membership names as its "register".
const LEAVING_ENTRY_SOURCE: &str = "left-programme";

impl MemberVault {
    /// Once the account is closed, nothing more happens in this vault: a new
    /// sign-up drawing this number hears `already_exists` (numbers are never
    /// given out again), a register hears that the code is not valid, and
    /// everything else (sign-in, phone) hears `account_deleted`.
    pub(super) fn refuse_when_closed(&self, operation: &VaultOperation) -> Outcome<()> {
        if self.closure().is_closed()? {
            Err(refusal_when_closed(operation))
        } else {
            Ok(())
        }
    }

    pub(super) fn ensure_open(&self, _: OpenQuery) -> Outcome<Done> {
        self.profiles().existing()?;
        Ok(Done)
    }

    /// Leaves a shop's programme: refused while prepaid value is left there;
    /// else the points close at zero with one ledger entry (they do not come
    /// back on joining again), the shop's codes die and the membership moves
    /// to the former ones.
    pub(super) fn leave(&self, request: Leave) -> Outcome<Done> {
        let profile = self.profiles().existing()?;
        let shop_id = &request.shop_id;
        let membership = self
            .memberships()
            .get(shop_id)?
            .ok_or_else(|| Problem::new(ErrorCode::NotAMember, "you are not in this shop's programme"))?;
        let prepaid = MinorUnits(self.prepaid().balance(shop_id)?);
        leaving::may_leave(prepaid).map_err(|refusal| refusals::leave(refusal, membership.shop.currency))?;
        let now = clock::now();
        if let Some(points) = leaving::closing_points_entry(self.points().balance(shop_id)?) {
            self.points().append(&profile.member_number, &leaving_entry(&membership.shop, now)?, 0, points, now)?;
        }
        self.codes().forget_shop(shop_id)?;
        self.memberships().leave(shop_id, now)?;
        self.changed()?;
        Ok(Done)
    }

    /// Closes the account in one step (see the module's comment).
    pub(super) fn close(&self, _: Close) -> Outcome<Done> {
        self.profiles().existing()?;
        self.closure().close(clock::now())?;
        self.codes().forget_all()?;
        self.confirmations().forget_all()?;
        self.cards().forget_all()?;
        self.pin().clear()?;
        self.recovery().forget()?;
        self.sessions().end_all()?;
        self.forget_passkeys()?;
        self.memberships().stop_sharing_names()?;
        // Wakes the phones long-polling the wallet before the profile goes: they then hear the refusal.
        self.changed()?;
        self.profiles().erase()?;
        Ok(Done)
    }

    /// Everything this vault holds about the member: profile, every
    /// programme (current and left) with its balances and ledger rows, and
    /// every receipt. The items are in the pocket; the Worker adds them.
    pub(super) fn export(&self, _: ExportQuery) -> Outcome<MemberExport> {
        let profile = self.profiles().existing()?;
        let mut memberships = Vec::new();
        for membership in self.memberships().all()? {
            memberships.push(self.exported(membership, true, None)?);
        }
        for former in self.memberships().former()? {
            let shop_id = &former.membership.shop.shop_id;
            // Joined again: the current membership carries the ledgers; note when they left.
            if let Some(current) = memberships.iter_mut().find(|m: &&mut ExportedMembership| &m.shop.shop_id == shop_id)
            {
                current.left_at = Some(former.left_at);
                continue;
            }
            memberships.push(self.exported(former.membership, false, Some(former.left_at))?);
        }
        Ok(MemberExport {
            exported_at: clock::now(),
            member_number: profile.member_number,
            display_name: profile.display_name,
            has_pin: self.pin().is_set()?,
            coupon_opt_out: self.profiles().coupon_opt_out()?,
            memberships,
            receipts: self.receipts().all()?,
            items: Pocket::default(),
        })
    }

    fn exported(
        &self,
        membership: Membership,
        current: bool,
        left_at: Option<UnixMillis>,
    ) -> Outcome<ExportedMembership> {
        let shop_id = &membership.shop.shop_id;
        let points_ledger = self
            .points()
            .entries_at(shop_id)?
            .into_iter()
            .map(|e| PointsLedgerRow {
                kind: e.kind(),
                at: e.at,
                register_id: e.register_id,
                store_id: e.store_id,
                request_id: e.request_id,
                amount_minor: e.amount_minor,
                points: e.points,
                expires_at: e.expires_at,
            })
            .collect();
        let prepaid_ledger = self
            .prepaid()
            .entries_at(shop_id)?
            .into_iter()
            .map(|e| PrepaidLedgerRow {
                at: e.at,
                register_id: e.register_id,
                store_id: e.store_id,
                request_id: e.request_id,
                kind: e.kind,
                amount_minor: e.amount_minor,
                balance_after_minor: e.new_minor,
            })
            .collect();
        let coupon_uses = self.coupon_uses().all_at(shop_id)?;
        Ok(ExportedMembership {
            points: self.points().balance(shop_id)?,
            prepaid_minor: self.prepaid().balance(shop_id)?,
            shop: membership.shop,
            customer_number: membership.customer_number,
            current,
            share_name: membership.share_name,
            left_at,
            points_ledger,
            prepaid_ledger,
            coupon_uses,
        })
    }
}

/// What a closed vault answers `operation` (see [`MemberVault::refuse_when_closed`]).
fn refusal_when_closed(operation: &VaultOperation) -> Problem {
    match operation {
        VaultOperation::Create(_) => Problem::new(ErrorCode::AlreadyExists, "member number taken"),
        VaultOperation::Resolve(_)
        | VaultOperation::Accrue(_)
        | VaultOperation::TopUp(_)
        | VaultOperation::Ask(_)
        | VaultOperation::Status(_)
        | VaultOperation::Withdraw(_) => refusals::code_of_deleted_account(),
        _ => refusals::account_deleted(),
    }
}

/// The ledger entry closing a membership names the member's leaving, not a
/// register: its "register" is [`LEAVING_ENTRY_SOURCE`] and its request id is
/// unique per leaving (one membership, so one leaving, per moment).
fn leaving_entry(shop: &ShopSummary, now: UnixMillis) -> Outcome<TillHeader> {
    let invalid = |what: &str| Problem::internal(format!("leaving entry: {what}"));
    Ok(TillHeader {
        shop: shop.clone(),
        register_id: RegisterId::parse(LEAVING_ENTRY_SOURCE).map_err(|_| invalid("source"))?,
        register_name: Label::parse("Left the programme").map_err(|_| invalid("name"))?,
        // The member's, not a store's: booked to the main store.
        store_id: StoreId::main(),
        store_name: shop.name.clone(),
        request_id: RequestId::parse(&format!("left-{now}")).map_err(|_| invalid("request id"))?,
        code_hash: CodeHash::from_stored(String::new()),
        served_by: None,
        approved_by: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::member_vault::protocol::{Create, EndAllSessions, Resolve, WalletQuery};
    use domain::member::{DisplayName, MemberNumber};
    use domain::shop::ShopId;

    #[test]
    fn a_closed_vault_never_opens_again_so_its_number_is_never_reissued() {
        let create = VaultOperation::Create(Create {
            member_number: MemberNumber::from_entropy([7; 8]),
            display_name: DisplayName::parse("Bea").unwrap(),
        });
        // Sign-up hears `already_exists` and draws another number.
        assert_eq!(refusal_when_closed(&create).code(), ErrorCode::AlreadyExists);
    }

    #[test]
    fn a_closed_vault_refuses_the_member_and_the_registers_each_in_their_words() {
        assert_eq!(
            refusal_when_closed(&VaultOperation::EndAllSessions(EndAllSessions)).code(),
            ErrorCode::AccountDeleted
        );
        let wallet = VaultOperation::Wallet(WalletQuery { after: None });
        assert_eq!(refusal_when_closed(&wallet).code(), ErrorCode::AccountDeleted);
        let resolve = VaultOperation::Resolve(Resolve {
            code_hash: CodeHash::from_stored("00".repeat(32)),
            shop_id: ShopId::parse("corner-cafe").unwrap(),
        });
        // A register is not told about the member's account, only that the code is dead.
        assert_eq!(refusal_when_closed(&resolve).code(), ErrorCode::Unknown);
    }

    #[test]
    fn the_leaving_entry_is_valid_and_unique_per_moment() {
        let shop = ShopSummary {
            shop_id: ShopId::parse("corner-cafe").unwrap(),
            name: Label::parse("Corner Café").unwrap(),
            currency: domain::money::Currency::parse("EUR").unwrap(),
            points_per_unit: domain::points::PointsPerUnit::new(1).unwrap(),
            programme: Default::default(),
        };
        let first = leaving_entry(&shop, 1_700_000_000_000).unwrap();
        let later = leaving_entry(&shop, 1_700_000_000_001).unwrap();
        assert_eq!(first.register_id.as_str(), LEAVING_ENTRY_SOURCE);
        assert_ne!(first.request_id, later.request_id);
    }
}
