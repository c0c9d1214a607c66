//! A shop's staff: managers (of one store: its registers, products, refunds)
//! and cashiers (who sign in at a register of their store, so every sale and
//! refund names who served). Each person has a short staff number per shop and
//! a PIN typed at the register; what each role may do, and when a refund needs
//! a manager's approval, is decided here.

use crate::attempts::AttemptLimit;
use crate::shop::Label;
use crate::store::StoreId;
use crate::UnixMillis;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A person's number in their shop, typed at the register with the PIN: 1 to [`MAX_STAFF_NUMBER`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(try_from = "u32", into = "u32")]
pub struct StaffNumber(u32);

/// Four digits are plenty for one shop's staff, and quick to type.
pub const MAX_STAFF_NUMBER: u32 = 9_999;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a staff number is a whole number from 1 to {MAX_STAFF_NUMBER}")]
pub struct StaffNumberError;

impl StaffNumber {
    pub fn new(number: u32) -> Result<Self, StaffNumberError> {
        if (1..=MAX_STAFF_NUMBER).contains(&number) {
            Ok(Self(number))
        } else {
            Err(StaffNumberError)
        }
    }

    /// As typed: digits only, surrounding spaces ignored.
    pub fn parse(input: &str) -> Result<Self, StaffNumberError> {
        let digits = input.trim();
        if digits.is_empty() || digits.len() > 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(StaffNumberError);
        }
        digits.parse::<u32>().map_err(|_| StaffNumberError).and_then(Self::new)
    }

    pub fn get(self) -> u32 {
        self.0
    }

    /// The number after this one, for the next person added; none past the last.
    pub fn next(self) -> Option<Self> {
        self.0.checked_add(1).and_then(|n| Self::new(n).ok())
    }
}

impl TryFrom<u32> for StaffNumber {
    type Error = StaffNumberError;
    fn try_from(value: u32) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<StaffNumber> for u32 {
    fn from(number: StaffNumber) -> Self {
        number.0
    }
}

impl fmt::Display for StaffNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A staff PIN: 4 to 8 digits. Never printed (its `Debug` hides it).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "openapi", schemars(extend("pattern" = "^[0-9]{4,8}$")))]
#[serde(try_from = "String", into = "String")]
pub struct StaffPin(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a staff PIN has 4 to 8 digits")]
pub struct StaffPinError;

impl StaffPin {
    pub fn parse(input: &str) -> Result<Self, StaffPinError> {
        if (4..=8).contains(&input.len()) && input.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(input.to_owned()))
        } else {
            Err(StaffPinError)
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for StaffPin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StaffPin(****)")
    }
}

impl TryFrom<String> for StaffPin {
    type Error = StaffPinError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<StaffPin> for String {
    fn from(pin: StaffPin) -> Self {
        pin.0
    }
}

/// Wrong PINs for one staff number (or typed at one register) in a row before
/// it locks: five, then fifteen minutes, like a member's prepaid PIN.
pub const STAFF_PIN_LIMIT: AttemptLimit = AttemptLimit { max_failures: 5, lock_ms: 15 * 60_000 };

/// Wrong PINs typed at one register in a row (whatever the staff number)
/// before its keypad locks: enough for honest slips of several people, few
/// enough that nobody walks the staff numbers.
pub const REGISTER_PIN_LIMIT: AttemptLimit = AttemptLimit { max_failures: 20, lock_ms: 15 * 60_000 };

/// How long a cashier stays signed in at a register without signing out: a long shift.
pub const STAFF_SESSION_MS: UnixMillis = 12 * 60 * 60_000;

/// At most this many people per shop (the console lists them all).
pub const MAX_STAFF: usize = 200;

/// What a person does in the shop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Runs one store: its registers and products, and approves big refunds.
    Manager,
    /// Sells and refunds at the registers of their store.
    Cashier,
}

impl Role {
    pub const ALL: [Self; 2] = [Self::Manager, Self::Cashier];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Manager => "manager",
            Self::Cashier => "cashier",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|role| role.as_str() == input.trim())
    }

    /// Whether this role may do `action` (in its own store; [`may_at`] adds the store).
    pub fn may(self, action: StaffAction) -> bool {
        match action {
            StaffAction::Sell | StaffAction::Refund => true,
            StaffAction::ApproveRefund
            | StaffAction::RunRegisters
            | StaffAction::EditProducts
            | StaffAction::ViewDashboard
            | StaffAction::SettleOffline => self == Self::Manager,
        }
    }
}

/// What staff do, each allowed by role ([`Role::may`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffAction {
    /// Sales, debits and top-ups at a register.
    Sell,
    /// Refunds at a register (above the shop's limit only with approval).
    Refund,
    /// Approve a refund above the limit with their own PIN.
    ApproveRefund,
    /// List, pair and revoke the store's registers in the console.
    RunRegisters,
    /// Edit the shop's products in the console.
    EditProducts,
    /// See the store's figures on the console's dashboard.
    ViewDashboard,
    /// Mark an offline prepaid charge of the store's registers that the balance could not pay
    /// as settled (collected another way, or written off) in the console.
    SettleOffline,
}

/// `role` of `home` may do `action` at a register (or in the console) of `store`:
/// only in their own store.
pub fn may_at(role: Role, home: &StoreId, action: StaffAction, store: &StoreId) -> bool {
    home == store && role.may(action)
}

/// Who served: what a receipt and ledger row name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ServedBy {
    pub staff_number: StaffNumber,
    pub name: Label,
}

impl fmt::Display for ServedBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (#{})", self.name.as_str(), self.staff_number)
    }
}

/// "Refunds above this amount need a manager": an amount in minor units, 0 = never
/// (the default). Kept with the shop's programme ([`crate::programme::Programme`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(try_from = "u64", into = "u64")]
pub struct RefundApprovalLimit(u64);

/// The largest limit: the largest amount anything may be ([`crate::money`]'s cap on minor units).
pub const MAX_REFUND_APPROVAL_LIMIT: u64 = 1_000_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "the refund approval limit is an amount in minor units from 0 (no approval needed) to {MAX_REFUND_APPROVAL_LIMIT}"
)]
pub struct RefundApprovalLimitError;

impl RefundApprovalLimit {
    pub const NONE: Self = Self(0);

    pub fn new(minor: u64) -> Result<Self, RefundApprovalLimitError> {
        if minor <= MAX_REFUND_APPROVAL_LIMIT {
            Ok(Self(minor))
        } else {
            Err(RefundApprovalLimitError)
        }
    }

    pub fn is_none(&self) -> bool {
        self.0 == 0
    }

    /// The limit in minor units, if there is one.
    pub fn above(&self) -> Option<u64> {
        (self.0 > 0).then_some(self.0)
    }

    /// Whether refunding `amount_minor` needs a manager's approval.
    pub fn needs_approval(&self, amount_minor: u64) -> bool {
        self.above().is_some_and(|limit| amount_minor > limit)
    }
}

impl TryFrom<u64> for RefundApprovalLimit {
    type Error = RefundApprovalLimitError;
    fn try_from(value: u64) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<RefundApprovalLimit> for u64 {
    fn from(limit: RefundApprovalLimit) -> Self {
        limit.0
    }
}

/// Why a refund may not go ahead as asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ApprovalRefusal {
    #[error("a refund of this amount needs a manager's approval")]
    Required,
    #[error("only a manager of this store can approve this refund")]
    NotAManagerHere,
}

/// The approver (a staff member whose PIN was checked) of a refund: their role and store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approver {
    pub role: Role,
    pub store_id: StoreId,
}

/// May a refund of `amount_minor` at a register of `store` go ahead? Under the
/// limit, always; above it, only with a manager of that store as approver.
pub fn judge_refund_approval(
    limit: RefundApprovalLimit,
    amount_minor: u64,
    approver: Option<&Approver>,
    store: &StoreId,
) -> Result<(), ApprovalRefusal> {
    if !limit.needs_approval(amount_minor) {
        return Ok(());
    }
    match approver {
        None => Err(ApprovalRefusal::Required),
        Some(approver) if may_at(approver.role, &approver.store_id, StaffAction::ApproveRefund, store) => Ok(()),
        Some(_) => Err(ApprovalRefusal::NotAManagerHere),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_numbers_are_short_and_positive() {
        assert_eq!(StaffNumber::parse(" 7 ").unwrap().get(), 7);
        assert_eq!(StaffNumber::parse("9999").unwrap().get(), 9_999);
        for bad in ["", "0", "10000", "-1", "1a", "00001", "1.5"] {
            assert!(StaffNumber::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(StaffNumber::new(1).unwrap().next(), StaffNumber::new(2).ok());
        assert_eq!(StaffNumber::new(MAX_STAFF_NUMBER).unwrap().next(), None);
        assert!(serde_json::from_str::<StaffNumber>("0").is_err());
        assert_eq!(serde_json::to_string(&StaffNumber::new(12).unwrap()).unwrap(), "12");
    }

    #[test]
    fn pins_are_four_to_eight_digits_and_never_printed() {
        assert!(StaffPin::parse("1234").is_ok());
        assert!(StaffPin::parse("12345678").is_ok());
        for bad in ["", "123", "123456789", "12a4", " 1234", "١٢٣٤"] {
            assert!(StaffPin::parse(bad).is_err(), "{bad}");
        }
        let pin = StaffPin::parse("2468").unwrap();
        assert!(!format!("{pin:?}").contains("2468"));
        assert_eq!(pin.expose(), "2468");
    }

    #[test]
    fn roles_allow_by_store() {
        let main = StoreId::main();
        let other = StoreId::parse("harbour").unwrap();
        assert!(may_at(Role::Cashier, &main, StaffAction::Sell, &main));
        assert!(may_at(Role::Cashier, &main, StaffAction::Refund, &main));
        assert!(!may_at(Role::Cashier, &main, StaffAction::ApproveRefund, &main));
        assert!(!may_at(Role::Cashier, &main, StaffAction::RunRegisters, &main));
        assert!(may_at(Role::Manager, &main, StaffAction::ApproveRefund, &main));
        assert!(may_at(Role::Manager, &main, StaffAction::RunRegisters, &main));
        assert!(!may_at(Role::Manager, &main, StaffAction::ApproveRefund, &other), "another store's manager");
        assert!(may_at(Role::Manager, &main, StaffAction::SettleOffline, &main));
        assert!(!may_at(Role::Manager, &main, StaffAction::SettleOffline, &other), "another store's charges");
        assert!(!may_at(Role::Cashier, &main, StaffAction::SettleOffline, &main));
        assert!(!may_at(Role::Cashier, &main, StaffAction::Sell, &other));
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("owner"), None);
    }

    #[test]
    fn approval_is_needed_only_above_the_limit_and_only_a_manager_here_gives_it() {
        let main = StoreId::main();
        let limit = RefundApprovalLimit::new(5_000).unwrap();
        let manager = Approver { role: Role::Manager, store_id: main.clone() };
        let cashier = Approver { role: Role::Cashier, store_id: main.clone() };
        let elsewhere = Approver { role: Role::Manager, store_id: StoreId::parse("harbour").unwrap() };
        assert_eq!(judge_refund_approval(limit, 5_000, None, &main), Ok(()), "at the limit: no approval");
        assert_eq!(judge_refund_approval(limit, 5_001, None, &main), Err(ApprovalRefusal::Required));
        assert_eq!(judge_refund_approval(limit, 5_001, Some(&manager), &main), Ok(()));
        assert_eq!(judge_refund_approval(limit, 5_001, Some(&cashier), &main), Err(ApprovalRefusal::NotAManagerHere));
        assert_eq!(judge_refund_approval(limit, 5_001, Some(&elsewhere), &main), Err(ApprovalRefusal::NotAManagerHere));
        assert_eq!(judge_refund_approval(RefundApprovalLimit::NONE, u64::MAX, None, &main), Ok(()));
    }

    #[test]
    fn the_limit_is_bounded_and_defaults_to_none() {
        assert!(RefundApprovalLimit::default().is_none());
        assert_eq!(RefundApprovalLimit::default().above(), None);
        assert!(RefundApprovalLimit::new(MAX_REFUND_APPROVAL_LIMIT).is_ok());
        assert!(RefundApprovalLimit::new(MAX_REFUND_APPROVAL_LIMIT + 1).is_err());
        assert!(serde_json::from_str::<RefundApprovalLimit>("1000000001").is_err());
    }
}
