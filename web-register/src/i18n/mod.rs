//! The register page's words, one catalogue per language: [`en`], [`ja`], [`ko`], each an
//! exhaustive `match` over [`Key`], so a key missing in one language does not compile; the tests
//! check that no entry is empty, that every language has the same `{placeholders}`, that
//! `index.html` (whose English is the first paint) names only known keys and says what `en`
//! says, and that the English words for the domain's reasons (offline codes, card declines,
//! coupons) are the domain's own. The language itself (saved choice, browser, `<html lang>`
//! and `dir`, the locale of money and times) is [`web_shared::i18n`]'s, shared with the phone;
//! what web-shared draws (receipts, points) is in its catalogue.
//!
//! Add a string: a variant in `page_catalogue!` below, an entry in each of `en.rs`, `ja.rs`, `ko.rs`, then
//! `t(Key::…)` (or `tf` with `{name}`s) in Rust, or `data-i18n="…"` on the element in `index.html`.

mod en;
mod ja;
mod ko;

use domain::api::ErrorCode;
use domain::cards::DeclineReason;
use domain::coupons::CouponRefusal;
use domain::offline::OfflineError;
use domain::tickets::Deny;
use web_shared::http::Failure;
pub use web_shared::i18n::{current, Lang};

/// `localStorage` key of the chosen language: the phone's, as the pages share an origin and the
/// person choosing is, on a shared computer, the same one.
pub const SAVED_KEY: &str = "tessera-language";

/// The language switch (`<select>` in the header of `index.html`).
pub const SWITCH: &str = "language";

web_shared::page_catalogue! {
    // index.html
    PageTitle,
    Language,
    SignOut,
    StaffTitle,
    StaffHint,
    StaffNumber,
    Pin,
    SignIn,
    Starting,
    PairAgain,
    PairingTitle,
    PairingAsk,
    Camera,
    Mirror,
    FullScreen,
    LeaveFullScreen,
    CameraOff,
    CameraRetry,
    ManualLabel,
    LookUp,
    OfflineTitle,
    OfflineAmountPointsOnly,
    OfflineAddPoints,
    OfflineChargePrepaid,
    OfflineBillPaid,
    Close,
    OfflineSales,
    OfflineNone,
    RefundReceipt,
    ClearResultsAfter,
    SecondsShort,
    Never,
    RecentScans,
    RecentNone,
    CustomerPanel,
    Ready,
    AnotherCode,
    StaysOnScreen,
    SwitchKeep,
    SwitchNew,
    CouponsLabel,
    OtherItem,
    ItemName,
    GiftWrap,
    Quantity,
    UnitPrice,
    AddItem,
    SaleAmount,
    TopUpAmount,
    AddPoints,
    PayWithPrepaid,
    PayByCard,
    TopUpCash,
    Paid,
    CancelRequest,
    PrintReceipt,
    NextCustomer,
    RefundNumberLabel,
    Find,
    RefundCodeLabel,
    TheirReceipts,
    RefundHowMany,
    RefundAll,
    RefundChosen,
    RefundNeedsManager,
    ManagerNumber,
    ManagerPin,
    ApproveAndRefund,
    Refunded,
    // The setup screens
    NoCredentialTitle,
    NoCredentialDetail,
    BadCredentialTitle,
    BadCredentialDetail,
    RevokedTitle,
    RevokedDetail,
    Retrying,
    // Pairing
    PairingWaiting,
    PairingBadCode,
    PairingCodeSpelled,
    PairingQrLabel,
    // The big panel
    ReadyDetail,
    Checking,
    ReadyAgainIn,
    PrepaidPart,
    CustomerTitle,
    CustomerDetail,
    AskRedeem,
    AskPrepaid,
    AskPrepaidMinor,
    AskCard,
    AskCardMinor,
    Waiting,
    WaitingDetail,
    BillDetail,
    TryAgain,
    PleaseWait,
    Balance,
    SoldDetail,
    Concluded,
    ConcludedDetail,
    Declined,
    NothingCharged,
    Cancelled,
    NothingChanged,
    ByCustomer,
    ByRegister,
    ByTimeout,
    ByPinLocked,
    ByInsufficient,
    VisitorOne,
    VisitorOther,
    EntriesLeft,
    Admit,
    Deny,
    PaidCheck,
    PaidDetail,
    ThisGate,
    GateNamed,
    DenyAlreadyUsed,
    DenyNotYetOpen,
    DenyEventOver,
    DenyCancelled,
    DenyWrongVenue,
    DenyNoEntriesLeft,
    ReasonAlreadyUsed,
    ReasonNotYetOpen,
    ReasonEventOver,
    ReasonCancelled,
    ReasonWrongVenue,
    ReasonNoEntriesLeft,
    Slowed,
    ASecond,
    NSeconds,
    TitleAlreadyUsed,
    DetailAlreadyUsed,
    TitleExpired,
    DetailExpired,
    TitleUnknown,
    DetailUnknown,
    TitleWrongShop,
    DetailWrongShop,
    TitleNotAMember,
    DetailNotAMember,
    NotAccepted,
    // Card declines (English: the domain's words)
    DeclineCard,
    DeclineInsufficientFunds,
    DeclineAuthenticationRequired,
    DeclineAuthenticationFailed,
    DeclineExpiredCard,
    DeclineIncorrectCvc,
    DeclineLostOrStolen,
    DeclineProcessingError,
    DeclineProcessorUnavailable,
    // Notes under the sale
    RetryAddPoints,
    RetryDebit,
    RetryPaid,
    StillStarting,
    NotEnoughPoints,
    NotEnoughPrepaid,
    NoPinYet,
    CodeUsedUp,
    TooManyBadCodes,
    NotTesseraCode,
    StillBusy,
    CouldNotPrepare,
    TopUpInvalid,
    InvalidAmount,
    InvalidCode,
    InvalidItemName,
    QuantityRange,
    InvalidUnitPrice,
    // The sale
    RemoveNamed,
    Total,
    PercentOff,
    AmountOff,
    FreeProduct,
    BonusPoints,
    FromBasket,
    CouponSaves,
    CouponBonus,
    CouponRefused,
    CouponApplied,
    AddsPoints,
    RedeemReward,
    CouponUsed,
    CouponExpired,
    CouponNotYetValid,
    CouponNotForYou,
    CouponBasketTooSmall,
    CouponProductNotInBasket,
    CouponSoldOut,
    CouponUnknown,
    CouponEarnsNoPoints,
    // Camera, sound
    CameraReady,
    ReaderStopped,
    StartingCamera,
    ReaderNotLoaded,
    CameraUnsupported,
    CameraInsecure,
    CameraBlocked,
    CameraNotFound,
    CameraBusy,
    CameraNoPicture,
    CameraOther,
    CameraNumbered,
    SoundLocked,
    SoundUnavailable,
    // Recent scans
    RecentCustomer,
    RecentPoints,
    Ticket,
    Bill,
    Code,
    // Staff
    TypeStaffNumber,
    SignedOut,
    TypeManagerNumber,
    // Refunds
    NotCustomerCode,
    NoReceiptsYet,
    TypeReceiptNumber,
    NotRefundableKind,
    ChooseLine,
    AlreadyRefundedInFull,
    RefundCustomer,
    ChoiceSale,
    ChoicePrepaid,
    ChoiceReward,
    ChoiceTopUp,
    ChoiceRefund,
    ChoiceWelcome,
    ChoiceExpired,
    NotRefundableSuffix,
    RefundedSuffix,
    PartlyRefundedSuffix,
    WholeReceipt,
    LineRefunded,
    LineLeft,
    // Offline
    NoConnectionLimit,
    NoConnection,
    OfflineAmountLimit,
    OfflineAdmit,
    OfflineDeny,
    NotAcceptedNoKey,
    NotAcceptedWhy,
    OfflineChecked,
    OverOfflineLimit,
    ProvisionalPoints,
    ProvisionalPrepaid,
    ProvisionalAdmission,
    CouldNotRecord,
    SendingOffline,
    RemovedNotSent,
    QueueAdmission,
    QueuePrepaid,
    QueueWaiting,
    QueueCharged,
    QueuePoints,
    QueueConfirmed,
    QueueReceipt,
    QueueNothingCharged,
    QueueNoPoints,
    QueueNotGranted,
    QueueAdmissionConfirmed,
    QueueAdmissionConflict,
    QueueRefused,
    QueueBill,
    QueueBillPaid,
    QueueBillPaidFirst,
    QueueBillCancelled,
    BillFrom,
    BillCollect,
    BillNeedsNetwork,
    BillOverLimit,
    BillCollectedHere,
    BillNotAccepted,
    BillRecorded,
    BillNotRecorded,
    AllSent,
    WaitingConnection,
    WaitingToSend,
    OfflineMalformed,
    OfflineUnknownKey,
    OfflineBadSignature,
    OfflineExpired,
    OfflineRevoked,
    OfflineAlreadyUsed,
    OfflineBadTime,
    OfflineUnknown,
    OfflineNotAMember,
    OfflineOverLimit,
    OfflinePrepaidShort,
    OfflineUnknownEvent,
    OfflineOutsideWindow,
    OfflineNotTheHolder,
    OfflineCancelled,
    OfflineNotPayableHere,
    OfflineNeedsNetwork,
    // Refusals from the server, worded in Japanese and Korean (English: the server's words)
    ErrWrongCredentials,
    ErrWrongPin,
    ErrPinLocked,
    ErrTooManyAttempts,
    ErrCashierRequired,
    ErrApprovalRequired,
    ErrAlreadyRefunded,
    ErrNotRefundable,
    ErrNotFound,
    ErrAlreadyPaid,
    ErrNotPayableHere,
    ErrCancelled,
    ErrNotTheHolder,
    ErrNotYetAvailable,
    ErrOverLimit,
    ErrConfirmationExpired,
    ErrAlreadyAnswered,
    ErrUnknownReward,
    ErrUnknownProduct,
    ErrNoSavedCard,
    ErrPairingInvalid,
    ErrUnauthorized,
    ErrNotEnoughPoints,
    ErrInsufficientFunds,
}

/// The sentence for a failed call: the catalogue's for the refusals the register words itself,
/// else the server's own words (English); network failures through web-shared's catalogue.
pub fn failure_text(failure: &Failure) -> String {
    match (current(), failure.code().and_then(refusal)) {
        (Lang::En, _) | (_, None) => failure.message(),
        (_, Some(key)) => t(key).to_owned(),
    }
}

/// A refusal's sentence from its code and the server's words.
pub fn refused_text(code: ErrorCode, server_message: &str) -> String {
    match (current(), refusal(code)) {
        (Lang::En, _) | (_, None) => web_shared::text::sentence(server_message),
        (_, Some(key)) => t(key).to_owned(),
    }
}

/// The catalogue's sentence for a refusal the register meets, if it has one.
fn refusal(code: ErrorCode) -> Option<Key> {
    Some(match code {
        ErrorCode::WrongCredentials => Key::ErrWrongCredentials,
        ErrorCode::WrongPin => Key::ErrWrongPin,
        ErrorCode::PinLocked => Key::ErrPinLocked,
        ErrorCode::TooManyAttempts => Key::ErrTooManyAttempts,
        ErrorCode::CashierRequired => Key::ErrCashierRequired,
        ErrorCode::ApprovalRequired => Key::ErrApprovalRequired,
        ErrorCode::AlreadyRefunded => Key::ErrAlreadyRefunded,
        ErrorCode::NotRefundable => Key::ErrNotRefundable,
        ErrorCode::NotFound => Key::ErrNotFound,
        ErrorCode::AlreadyPaid => Key::ErrAlreadyPaid,
        ErrorCode::NotPayableHere => Key::ErrNotPayableHere,
        ErrorCode::Cancelled => Key::ErrCancelled,
        ErrorCode::NotTheHolder => Key::ErrNotTheHolder,
        ErrorCode::NotYetAvailable => Key::ErrNotYetAvailable,
        ErrorCode::OverLimit => Key::ErrOverLimit,
        ErrorCode::ConfirmationExpired => Key::ErrConfirmationExpired,
        ErrorCode::AlreadyAnswered => Key::ErrAlreadyAnswered,
        ErrorCode::UnknownReward => Key::ErrUnknownReward,
        ErrorCode::UnknownProduct => Key::ErrUnknownProduct,
        ErrorCode::NoSavedCard => Key::ErrNoSavedCard,
        ErrorCode::PairingInvalid => Key::ErrPairingInvalid,
        ErrorCode::Unauthorized => Key::ErrUnauthorized,
        ErrorCode::AlreadyUsed => Key::DetailAlreadyUsed,
        ErrorCode::Expired => Key::DetailExpired,
        ErrorCode::Unknown => Key::DetailUnknown,
        ErrorCode::WrongShop => Key::DetailWrongShop,
        ErrorCode::NotAMember => Key::DetailNotAMember,
        ErrorCode::NotEnoughPoints => Key::ErrNotEnoughPoints,
        ErrorCode::InsufficientFunds => Key::ErrInsufficientFunds,
        ErrorCode::PinNotSet => Key::NoPinYet,
        _ => return None,
    })
}

/// A short word for an error code in the recent scans: the wire name in English
/// (`already used`), the refusal's title in another language where it has one.
pub fn code_word(code: ErrorCode) -> String {
    let title = match code {
        ErrorCode::AlreadyUsed => Some(Key::TitleAlreadyUsed),
        ErrorCode::Expired => Some(Key::TitleExpired),
        ErrorCode::Unknown => Some(Key::TitleUnknown),
        ErrorCode::WrongShop => Some(Key::TitleWrongShop),
        ErrorCode::NotAMember => Some(Key::TitleNotAMember),
        _ => None,
    };
    match (current(), title) {
        (Lang::En, _) | (_, None) => web_shared::text::wire_name(&code, None).replace('_', " "),
        (_, Some(key)) => t(key).to_owned(),
    }
}

/// A card decline's reason (English: the domain's own words).
pub fn decline_text(reason: DeclineReason) -> &'static str {
    t(decline_key(reason))
}

fn decline_key(reason: DeclineReason) -> Key {
    match reason {
        DeclineReason::CardDeclined => Key::DeclineCard,
        DeclineReason::InsufficientFunds => Key::DeclineInsufficientFunds,
        DeclineReason::AuthenticationRequired => Key::DeclineAuthenticationRequired,
        DeclineReason::AuthenticationFailed => Key::DeclineAuthenticationFailed,
        DeclineReason::ExpiredCard => Key::DeclineExpiredCard,
        DeclineReason::IncorrectCvc => Key::DeclineIncorrectCvc,
        DeclineReason::LostOrStolen => Key::DeclineLostOrStolen,
        DeclineReason::ProcessingError => Key::DeclineProcessingError,
        DeclineReason::ProcessorUnavailable => Key::DeclineProcessorUnavailable,
    }
}

/// Why an offline code was not taken (English: the domain's own words).
pub fn offline_error_text(error: OfflineError) -> &'static str {
    t(offline_error_key(error))
}

fn offline_error_key(error: OfflineError) -> Key {
    match error {
        OfflineError::Malformed => Key::OfflineMalformed,
        OfflineError::UnknownKey => Key::OfflineUnknownKey,
        OfflineError::BadSignature => Key::OfflineBadSignature,
        OfflineError::Expired => Key::OfflineExpired,
        OfflineError::Revoked => Key::OfflineRevoked,
        OfflineError::AlreadyUsed => Key::OfflineAlreadyUsed,
        OfflineError::BadTime => Key::OfflineBadTime,
        OfflineError::Unknown => Key::OfflineUnknown,
        OfflineError::NotAMember => Key::OfflineNotAMember,
        OfflineError::OverOfflineLimit => Key::OfflineOverLimit,
        OfflineError::PrepaidShort => Key::OfflinePrepaidShort,
        OfflineError::UnknownEvent => Key::OfflineUnknownEvent,
        OfflineError::OutsideEventWindow => Key::OfflineOutsideWindow,
        OfflineError::NotTheHolder => Key::OfflineNotTheHolder,
        OfflineError::Cancelled => Key::OfflineCancelled,
        OfflineError::NotPayableHere => Key::OfflineNotPayableHere,
        OfflineError::NeedsNetwork => Key::OfflineNeedsNetwork,
    }
}

/// Why a coupon does not apply (English: the domain's own words).
pub fn coupon_refusal_text(refusal: CouponRefusal) -> &'static str {
    t(coupon_refusal_key(refusal))
}

fn coupon_refusal_key(refusal: CouponRefusal) -> Key {
    match refusal {
        CouponRefusal::Used => Key::CouponUsed,
        CouponRefusal::Expired => Key::CouponExpired,
        CouponRefusal::NotYetValid => Key::CouponNotYetValid,
        CouponRefusal::NotForYou => Key::CouponNotForYou,
        CouponRefusal::BasketTooSmall { .. } => Key::CouponBasketTooSmall,
        CouponRefusal::ProductNotInBasket => Key::CouponProductNotInBasket,
        CouponRefusal::SoldOut => Key::CouponSoldOut,
        CouponRefusal::Unknown => Key::CouponUnknown,
        CouponRefusal::EarnsNoPoints => Key::CouponEarnsNoPoints,
    }
}

/// A gate's reason to deny, short (the recent scans): English `already used`, as the wire says.
pub fn deny_word(deny: &Deny) -> &'static str {
    t(match deny {
        Deny::AlreadyUsed { .. } => Key::ReasonAlreadyUsed,
        Deny::NotYetOpen { .. } => Key::ReasonNotYetOpen,
        Deny::EventOver => Key::ReasonEventOver,
        Deny::Cancelled => Key::ReasonCancelled,
        Deny::WrongVenue => Key::ReasonWrongVenue,
        Deny::NoEntriesLeft => Key::ReasonNoEntriesLeft,
    })
}

/// Speaks `lang`: web-shared's choice (`<html lang>` and `dir`, the locale of money and times),
/// the static page filled from the catalogue, the result-time options, and the switch showing it.
/// The screen itself is drawn again by the caller (`till::speak`).
pub fn apply(lang: Lang) {
    web_shared::i18n::set_current(lang);
    web_shared::i18n::fill_page(|name| Key::named(name).map(t));
    if let Some(select) = crate::dom::element(SWITCH) {
        let _ = js_sys::Reflect::set(&select, &"value".into(), &lang.tag().into());
    }
    name_result_times();
}

/// The "Clear results after" options: "5 s" in the page's language, "Never" for 0.
pub fn name_result_times() {
    let Some(select) = crate::dom::element("result-seconds") else { return };
    let Ok(options) = select.query_selector_all("option") else { return };
    for index in 0..options.length() {
        let Some(option) =
            options.item(index).and_then(|node| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(node).ok())
        else {
            continue;
        };
        match option.get_attribute("value").as_deref() {
            Some("0") => option.set_text_content(Some(t(Key::Never))),
            Some(seconds) => option.set_text_content(Some(&tf(Key::SecondsShort, &[("n", seconds)]))),
            None => {}
        }
    }
}

/// The language to start in: saved with the switch, else the browser's, else English.
pub fn initial() -> Lang {
    web_shared::i18n::initial(SAVED_KEY)
}

#[cfg(test)]
mod tests {
    use super::*;

    web_shared::catalogue_tests!(html: include_str!("../../static/index.html"), at_least: 60);

    #[test]
    fn the_english_for_the_domains_reasons_is_the_domains() {
        use DeclineReason as D;
        for reason in [
            D::CardDeclined,
            D::InsufficientFunds,
            D::AuthenticationRequired,
            D::AuthenticationFailed,
            D::ExpiredCard,
            D::IncorrectCvc,
            D::LostOrStolen,
            D::ProcessingError,
            D::ProcessorUnavailable,
        ] {
            assert_eq!(decline_key(reason).text_in(Lang::En), reason.words());
        }
        use OfflineError as O;
        for error in [
            O::Malformed,
            O::UnknownKey,
            O::BadSignature,
            O::Expired,
            O::Revoked,
            O::AlreadyUsed,
            O::BadTime,
            O::Unknown,
            O::NotAMember,
            O::OverOfflineLimit,
            O::PrepaidShort,
            O::UnknownEvent,
            O::OutsideEventWindow,
            O::NotTheHolder,
            O::Cancelled,
        ] {
            assert_eq!(offline_error_key(error).text_in(Lang::En), error.to_string());
        }
        use CouponRefusal as C;
        for refusal in [
            C::Used,
            C::Expired,
            C::NotYetValid,
            C::NotForYou,
            C::BasketTooSmall { minimum_minor: 100 },
            C::ProductNotInBasket,
            C::SoldOut,
            C::Unknown,
            C::EarnsNoPoints,
        ] {
            assert_eq!(coupon_refusal_key(refusal).text_in(Lang::En), refusal.to_string());
        }
        for deny in [
            Deny::AlreadyUsed { at: 0, gate: domain::shop::RegisterId::parse("reg-1").unwrap() },
            Deny::NotYetOpen { opens_at: 0 },
            Deny::EventOver,
            Deny::Cancelled,
            Deny::WrongVenue,
            Deny::NoEntriesLeft,
        ] {
            assert_eq!(deny_word(&deny), web_shared::text::wire_name(&deny, Some("reason")).replace('_', " "));
        }
    }

    #[test]
    fn plurals_and_refusals() {
        assert_eq!(plural(1, Key::VisitorOne, Key::VisitorOther), "1 visitor so far");
        assert_eq!(plural(3, Key::VisitorOne, Key::VisitorOther), "3 visitors so far");
        assert_eq!(refusal(ErrorCode::WrongPin), Some(Key::ErrWrongPin));
        assert_eq!(refusal(ErrorCode::MalformedJson), None);
        assert_eq!(code_word(ErrorCode::AlreadyUsed), "already used");
    }
}
