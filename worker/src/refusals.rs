//! Every refusal a client may hear, mapped once to its stable [`ErrorCode`]
//! (and so its HTTP status) and its wording. Domain refusals become a
//! [`Problem`] through `From` (so `?` works on a domain verdict); refusals that
//! no domain enum names have a function here. Storage and routes both use
//! this module, so a refusal reads the same whichever path found it.

use crate::error::Problem;
use domain::api::{ApiError, ErrorCode};
use domain::bills::BillRefusal;
use domain::code_rules::Refusal as CodeRefusal;
use domain::confirmation::ConfirmRefusal;
use domain::items::{ClaimRefusal, ItemCodeRefusal};
use domain::prepaid::{PinRefusal, PrepaidRefusal};
use domain::refund::RefundRefusal;
use domain::rewards::RedeemRefusal;
use domain::throttle::RetryAfter;
use domain::tickets::{CodeNotYetAvailable, EventMismatch};

/// A one-time code shown at a register (for a shop, a bill or a ticket).
impl From<CodeRefusal> for Problem {
    fn from(refusal: CodeRefusal) -> Self {
        let message = match refusal {
            CodeRefusal::Unknown => "this code is not known: it was never issued or is long gone",
            CodeRefusal::WrongShop => "this code was issued for another shop",
            CodeRefusal::AlreadyUsed => "this code was already used",
            CodeRefusal::Expired => "this code has expired: ask the customer to show a fresh one",
        };
        Problem::new(ErrorCode::from(refusal), message)
    }
}

/// A code nobody issued (or long forgotten), wherever it was looked up.
pub fn unknown_code() -> Problem {
    CodeRefusal::Unknown.into()
}

/// Which kind of item a refusal is about, for its wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemKind {
    Bill,
    Ticket,
}

/// A code shown for a bill or a ticket; worded like a shop's code where the reason is the same.
pub fn item_code(refusal: ItemCodeRefusal, item: ItemKind) -> Problem {
    match refusal {
        ItemCodeRefusal::Unknown => CodeRefusal::Unknown.into(),
        ItemCodeRefusal::AlreadyUsed => CodeRefusal::AlreadyUsed.into(),
        ItemCodeRefusal::Expired => CodeRefusal::Expired.into(),
        ItemCodeRefusal::NotTheHolder => match item {
            ItemKind::Bill => Problem::new(ErrorCode::NotTheHolder, "this bill belongs to someone else now"),
            ItemKind::Ticket => Problem::new(
                ErrorCode::NotTheHolder,
                "this ticket has been passed on to someone else: codes of the former holder no longer work",
            ),
        },
    }
}

/// A member asking for a code (or a transfer) of an item they do not hold.
pub fn not_the_holder(item: ItemKind) -> Problem {
    let message = match item {
        ItemKind::Bill => "you do not hold this bill",
        ItemKind::Ticket => "you do not hold this ticket (any more)",
    };
    Problem::new(ErrorCode::NotTheHolder, message)
}

/// A claim or transfer link that names nothing: said the same way whatever is missing.
pub fn unknown_link() -> Problem {
    Problem::new(ErrorCode::Unknown, "this link is not valid: check that it was copied completely")
}

impl From<ClaimRefusal> for Problem {
    fn from(refusal: ClaimRefusal) -> Self {
        match refusal {
            ClaimRefusal::Unknown => unknown_link(),
            ClaimRefusal::AlreadyClaimed => {
                Problem::new(ErrorCode::AlreadyClaimed, "this link was already used: each one works once")
            }
        }
    }
}

/// A transfer link that no longer (or never) matches the ticket's offer.
pub fn stale_transfer_link() -> Problem {
    Problem::new(
        ErrorCode::Unknown,
        "this transfer link is not valid: it was already accepted, replaced by a newer one, or mistyped",
    )
}

pub fn not_transferable() -> Problem {
    Problem::new(
        ErrorCode::NotTransferable,
        "this ticket cannot be passed on: it is not transferable, used, cancelled or over",
    )
}

impl From<CodeNotYetAvailable> for Problem {
    fn from(window: CodeNotYetAvailable) -> Self {
        Problem::new(
            ErrorCode::NotYetAvailable,
            format!(
                "this ticket's code can be shown from {} (ms since 1970), shortly before the gates open",
                window.from
            ),
        )
    }
}

/// More tickets for an event id, with details other than its first tickets had.
impl From<EventMismatch> for Problem {
    fn from(mismatch: EventMismatch) -> Self {
        Problem::new(
            ErrorCode::EventMismatch,
            format!(
                "{mismatch}: an event's title, venue and times are fixed by its first tickets; \
                 post these under a new event id"
            ),
        )
    }
}

impl From<BillRefusal> for Problem {
    fn from(refusal: BillRefusal) -> Self {
        match refusal {
            BillRefusal::AlreadyPaid { at, shop } => Problem::new(
                ErrorCode::AlreadyPaid,
                format!("this bill was already paid at {shop} (at {at} ms since 1970)"),
            ),
            BillRefusal::NotPayableHere => {
                Problem::new(ErrorCode::NotPayableHere, "the biller does not accept payment of this bill at this shop")
            }
            BillRefusal::Cancelled => Problem::new(ErrorCode::Cancelled, "the biller cancelled this bill"),
            BillRefusal::WrongCurrency => {
                Problem::new(ErrorCode::WrongCurrency, "this bill is in another currency than this shop's")
            }
        }
    }
}

impl From<ConfirmRefusal> for Problem {
    fn from(refusal: ConfirmRefusal) -> Self {
        let code = match refusal {
            ConfirmRefusal::Expired => ErrorCode::ConfirmationExpired,
            ConfirmRefusal::AlreadyAnswered => ErrorCode::AlreadyAnswered,
            ConfirmRefusal::Mismatch => ErrorCode::ConfirmationMismatch,
            ConfirmRefusal::TipNotAllowed => ErrorCode::TipNotAllowed,
        };
        Problem::new(code, refusal.to_string())
    }
}

impl From<RedeemRefusal> for Problem {
    fn from(refusal: RedeemRefusal) -> Self {
        Problem::new(ErrorCode::NotEnoughPoints, refusal.to_string())
    }
}

impl From<PrepaidRefusal> for Problem {
    fn from(refusal: PrepaidRefusal) -> Self {
        let code = match refusal {
            PrepaidRefusal::InsufficientFunds { .. } => ErrorCode::InsufficientFunds,
            PrepaidRefusal::OverLimit => ErrorCode::OverLimit,
        };
        Problem::new(code, refusal.to_string())
    }
}

impl From<PinRefusal> for Problem {
    fn from(refusal: PinRefusal) -> Self {
        match refusal {
            PinRefusal::WrongPin { .. } => Problem::new(ErrorCode::WrongPin, refusal.to_string()),
            PinRefusal::Locked { .. } => Problem::new(
                ErrorCode::PinLocked,
                "too many wrong PINs: prepaid charges are locked for 15 minutes; nothing was charged",
            ),
        }
    }
}

/// A prepaid charge approved without the PIN.
pub fn pin_missing() -> Problem {
    Problem::new(ErrorCode::WrongPin, "enter your PIN to approve this payment")
}

/// A prepaid charge for a member who never set a PIN.
pub fn pin_not_set() -> Problem {
    Problem::new(
        ErrorCode::PinNotSet,
        "the customer has not set a PIN yet: prepaid and card payments are approved with it",
    )
}

/// A try refused by a throttle (`domain::throttle`): worded alike for a login
/// that exists, one that does not, and a client address, so it tells nothing.
pub fn too_many_tries(wait: RetryAfter) -> Problem {
    let seconds = wait.seconds();
    Problem::Refused(
        ApiError::new(ErrorCode::TooManyAttempts, format!("too many tries: wait {seconds} second(s), then try again"))
            .retry_after(seconds),
    )
}

/// A wrong member number or password: never says which.
pub fn wrong_credentials() -> Problem {
    Problem::new(
        ErrorCode::WrongCredentials,
        "the sign-in name or member number, or the password (or recovery code), is wrong",
    )
}

/// A session or request naming a member who does not exist (any more).
pub fn no_such_member() -> Problem {
    Problem::new(ErrorCode::Unauthorized, "there is no such member; sign up again")
}

/// A session cookie whose session was ended (signed out, "sign out everywhere",
/// a password reset) or never opened.
pub fn session_ended() -> Problem {
    Problem::new(ErrorCode::Unauthorized, "this session has ended: sign in again")
}

/// A sign-in name someone has (or had: names of deleted accounts are never given out again).
pub fn sign_in_name_taken() -> Problem {
    Problem::new(ErrorCode::AlreadyExists, "this sign-in name is taken: choose another")
}

/// A shop id nobody created.
pub fn unknown_shop() -> Problem {
    Problem::new(ErrorCode::UnknownShop, "there is no such shop")
}

/// A request id already used at this shop for a different request.
pub fn request_id_reused() -> Problem {
    Problem::new(
        ErrorCode::RequestIdReused,
        "this request id was already used for a different request; use a new one per operation",
    )
}

/// A receipt number that names no receipt of this shop (another shop's receipt reads the same).
pub fn no_such_receipt() -> Problem {
    Problem::new(ErrorCode::NotFound, "there is no receipt with this number at this shop")
}

impl From<RefundRefusal> for Problem {
    fn from(refusal: RefundRefusal) -> Self {
        let code = match refusal {
            RefundRefusal::AlreadyRefunded | RefundRefusal::LineAlreadyRefunded { .. } => ErrorCode::AlreadyRefunded,
            RefundRefusal::NotRefundable => ErrorCode::NotRefundable,
            RefundRefusal::NoSuchLine { .. }
            | RefundRefusal::Quantity { .. }
            | RefundRefusal::DuplicateLine { .. }
            | RefundRefusal::NoLines => ErrorCode::InvalidRequest,
            RefundRefusal::OutOfRange => return Problem::internal(refusal.to_string()),
        };
        Problem::new(code, refusal.to_string())
    }
}

/// A request id that names no offline charge of this shop left unpaid at sync.
pub fn no_such_unpaid_charge() -> Problem {
    Problem::new(ErrorCode::NotFound, "this shop has no offline charge left unpaid with this request id")
}

impl From<domain::offline::AlreadySettled> for Problem {
    fn from(refusal: domain::offline::AlreadySettled) -> Self {
        Problem::new(ErrorCode::AlreadySettled, format!("{refusal}: nothing changed"))
    }
}

/// A bill, ticket or event id that names nothing (for this issuer).
pub fn no_such_bill() -> Problem {
    Problem::new(ErrorCode::NotFound, "there is no such bill")
}

pub fn no_such_ticket() -> Problem {
    Problem::new(ErrorCode::NotFound, "there is no such ticket")
}

pub fn no_such_event() -> Problem {
    Problem::new(ErrorCode::NotFound, "there is no such event")
}

// ---- leaving a shop and closing the account (see `domain::leaving`) ----

/// Leaving a shop while prepaid value is left there.
pub fn leave(refusal: domain::leaving::LeaveRefusal, currency: domain::money::Currency) -> Problem {
    match refusal {
        domain::leaving::LeaveRefusal::PrepaidBalanceLeft { prepaid } => Problem::new(
            ErrorCode::PrepaidBalanceLeft,
            format!(
                "{} of prepaid value is left at this shop: spend it there or ask the shop for a refund, then leave",
                prepaid.format(currency)
            ),
        ),
    }
}

/// A sign-in or session of a member who closed their account.
pub fn account_deleted() -> Problem {
    Problem::new(ErrorCode::AccountDeleted, "this account was deleted: its member number cannot sign in again")
}

/// A register asking about a member who closed their account: their codes died with it.
pub fn code_of_deleted_account() -> Problem {
    Problem::new(ErrorCode::Unknown, "this code is not valid: the customer's account was closed")
}

/// A refund above the shop's limit without a manager of this store's approval.
pub fn approval(refusal: domain::staff::ApprovalRefusal) -> Problem {
    Problem::new(
        ErrorCode::ApprovalRequired,
        format!("{refusal}: a manager of this store types their staff number and PIN"),
    )
}

/// A coupon that does not apply: the sale is refused as a whole (nothing
/// spent, the code still held), so the register can sell without it.
pub fn coupon(refusal: domain::coupons::CouponRefusal) -> Problem {
    use domain::coupons::CouponRefusal as R;
    match refusal {
        R::Used => Problem::new(ErrorCode::CouponUsed, "this customer has used this coupon already"),
        R::Expired => Problem::new(ErrorCode::CouponExpired, "this coupon has expired or the shop ended it"),
        R::NotYetValid => Problem::new(ErrorCode::CouponNotYetValid, "this coupon is not valid yet"),
        R::NotForYou => Problem::new(ErrorCode::CouponNotForYou, "this coupon is not offered to this customer"),
        R::BasketTooSmall { minimum_minor } => Problem::new(
            ErrorCode::BasketTooSmall,
            format!("the basket is below this coupon's minimum of {minimum_minor} minor units"),
        ),
        R::ProductNotInBasket => {
            Problem::new(ErrorCode::BasketTooSmall, "the basket does not hold the product this coupon gives free")
        }
        R::SoldOut => Problem::new(ErrorCode::CouponSoldOut, "this coupon has been used as often as the shop allows"),
        R::Unknown => Problem::new(ErrorCode::UnknownCoupon, "this shop has no such coupon"),
        R::EarnsNoPoints => Problem::new(
            ErrorCode::CouponNotForPrepaid,
            "this coupon gives bonus points, and a sale paid with prepaid value earns none: pay another way",
        ),
    }
}

// ---- cards ----

pub fn cards_not_connected() -> Problem {
    Problem::new(
        ErrorCode::CardsNotConnected,
        "this shop takes no cards yet: its owner connects a card processor account in the console's settings",
    )
}

pub fn no_saved_card() -> Problem {
    Problem::new(ErrorCode::NoSavedCard, "no card is saved for this shop: save one on your phone first")
}

/// The card a member named is not one of their saved cards for the shop (or they have none).
pub fn card_choice(refusal: domain::cards::CardChoiceRefusal) -> Problem {
    Problem::new(ErrorCode::NoSavedCard, refusal.to_string())
}

pub fn card_not_saved() -> Problem {
    Problem::new(ErrorCode::NotFound, "the card processor has not saved this card (yet): nothing was recorded")
}

/// The processor refused the card: its reason, in a cashier's words.
pub fn card_declined(reason: domain::cards::DeclineReason) -> Problem {
    match reason {
        domain::cards::DeclineReason::ProcessorUnavailable => {
            Problem::new(ErrorCode::ProcessorUnavailable, reason.words())
        }
        _ => Problem::new(ErrorCode::CardDeclined, reason.words()),
    }
}

pub fn bad_webhook_signature() -> Problem {
    Problem::new(ErrorCode::BadSignature, "the webhook's signature or its timestamp is wrong: ignored")
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::api::ApiError;

    fn refused(problem: Problem) -> ApiError {
        match problem {
            Problem::Refused(error) => error,
            Problem::Internal(detail) => panic!("expected a refusal, got internal {detail}"),
        }
    }

    #[test]
    fn a_code_refusal_reads_the_same_for_shops_bills_and_tickets() {
        for (shop, item) in [
            (CodeRefusal::Unknown, ItemCodeRefusal::Unknown),
            (CodeRefusal::AlreadyUsed, ItemCodeRefusal::AlreadyUsed),
            (CodeRefusal::Expired, ItemCodeRefusal::Expired),
        ] {
            let shop = refused(shop.into());
            assert_eq!(refused(item_code(item, ItemKind::Bill)), shop);
            assert_eq!(refused(item_code(item, ItemKind::Ticket)), shop);
        }
        assert_eq!(refused(unknown_code()).error, ErrorCode::Unknown);
        assert_eq!(refused(unknown_code()).error.http_status(), 404);
    }

    #[test]
    fn refusals_keep_their_stable_codes() {
        assert_eq!(refused(CodeRefusal::WrongShop.into()).error, ErrorCode::WrongShop);
        let holder = refused(item_code(ItemCodeRefusal::NotTheHolder, ItemKind::Ticket));
        assert_eq!(holder.error, ErrorCode::NotTheHolder);
        assert!(holder.message.contains("ticket"), "{}", holder.message);
        assert_eq!(refused(ClaimRefusal::Unknown.into()), refused(unknown_link()));
        assert_eq!(refused(ClaimRefusal::AlreadyClaimed.into()).error, ErrorCode::AlreadyClaimed);
        assert_eq!(refused(BillRefusal::Cancelled.into()).error, ErrorCode::Cancelled);
        assert_eq!(refused(ConfirmRefusal::Expired.into()).error, ErrorCode::ConfirmationExpired);
        assert_eq!(refused(PinRefusal::Locked { until: 0 }.into()).error, ErrorCode::PinLocked);
        let short = PrepaidRefusal::InsufficientFunds { balance: 1, needed: 2 };
        assert_eq!(refused(short.into()).error, ErrorCode::InsufficientFunds);
        assert_eq!(
            refused(RedeemRefusal::NotEnoughPoints { cost: 3, balance: 1 }.into()).error,
            ErrorCode::NotEnoughPoints
        );
        assert_eq!(refused(request_id_reused()).error, ErrorCode::RequestIdReused);
    }

    #[test]
    fn a_throttled_try_says_how_long_in_whole_seconds_in_the_body_and_header() {
        let slowed = refused(too_many_tries(RetryAfter { ms: 1_500 }));
        assert_eq!(slowed.error, ErrorCode::TooManyAttempts);
        assert_eq!(slowed.retry_after_seconds, Some(2));
        assert!(slowed.message.contains("2 second(s)"), "{}", slowed.message);
    }
}
