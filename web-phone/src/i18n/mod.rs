//! The phone page's words, one catalogue per language: [`en`], [`ja`], [`ko`], each an exhaustive
//! `match` over [`Key`], so a key missing in one language does not compile; the tests check that
//! no entry is empty, that every language has the same `{placeholders}`, and that `index.html`
//! (whose English is the first paint, and the page without script) names only known keys and
//! says what `en` says. The language itself (saved choice, browser, switch) is
//! [`web_shared::i18n`]'s; what web-shared draws (receipts, points, passkeys) is in its catalogue.
//!
//! Add a string: a variant in `page_catalogue!` below, an entry in each of `en.rs`, `ja.rs`, `ko.rs`, then
//! `t(Key::…)` (or `tf` with `{name}`s) in Rust, or `data-i18n="…"` on the element in `index.html`.

mod en;
mod ja;
mod ko;

use domain::api::ErrorCode;
use web_shared::http::Failure;
pub use web_shared::i18n::{current, Lang};

/// `localStorage` key of the language chosen with the switch.
pub const SAVED_KEY: &str = "tessera-language";

/// The language switches (`<select>`s of `index.html`): on the sign-in screen and the account screen.
pub const SWITCHES: [&str; 2] = ["language", "language-account"];

web_shared::page_catalogue! {
    PageTitle,
    Language,
    SignOut,
    StaySignedIn,
    Loading,
    SignUpTitle,
    YourName,
    SignInName,
    SignInNameHint,
    ChoosePassword,
    AtLeast8,
    CreateMyCard,
    SignInTitle,
    LoginLabel,
    Password,
    SignIn,
    SignInPasskey,
    ForgotPassword,
    RecoverHint,
    RecoveryCode,
    NewPassword,
    RecoverSubmit,
    YourMemberNumber,
    OrSignInAs,
    OrSignInAsEnd,
    KeepNumber,
    YourRecoveryCode,
    RecoveryCodeHint,
    GotIt,
    YourCards,
    NoCards,
    YourBills,
    YourTickets,
    Receipts,
    NoReceipts,
    PaymentCards,
    Shop,
    AddCard,
    CardDetailsHint,
    SaveCard,
    PinTitle,
    NewPin,
    YourPassword,
    SavePin,
    Coupons,
    NoCoupons,
    JoinShop,
    NoShops,
    FindShop,
    NoShopMatches,
    OpenAccount,
    YourAccount,
    YourData,
    YourDataHint,
    ExportData,
    PasswordHint,
    CurrentPassword,
    NewPasswordLong,
    ChangePassword,
    Passkeys,
    PasskeysHint,
    AddPasskey,
    YourSessions,
    SessionsHint,
    SignOutEverywhere,
    OfflineCodes,
    OfflineCodesHint,
    RevokeOffline,
    Offers,
    OffersHint,
    OffersOptOut,
    LeaveShopTitle,
    LeaveHint,
    NoLeavable,
    DeleteAccount,
    CannotUndo,
    DeleteItemSecrets,
    DeleteItemItems,
    DeleteItemBooks,
    ExportFirst,
    DeleteConfirm,
    BackToCards,
    History,
    SpentHere,
    PointsEarned,
    PointsUsed,
    PointsExpired,
    Last12Months,
    EachMonth,
    Month,
    Visits,
    Spent,
    Earned,
    Used,
    Expired,
    ReceiptsHere,
    NoReceiptsHere,
    DownloadCsv,
    BrightnessHint,
    CashierCanType,
    Done,
    PayWith,
    TipOptional,
    YourPin,
    ApprovePasskey,
    Cancel,
    Approve,
    SessionEnded,
    Retrying,
    SignOutWaiting,
    SignOutCodeOpen,
    SignedOutEverywhere,
    PointsAtShop,
    AccountDeletedNotice,
    EnterLogin,
    BadLogin,
    EnterPassword,
    InvalidName,
    InvalidSignInName,
    InvalidPassword,
    InvalidRecoveryCode,
    InvalidPin,
    InvalidTip,
    PasswordIsChanged,
    CouldNotLoadShops,
    ExpiresOne,
    ExpiresOther,
    PrepaidLine,
    CustomerShared,
    CustomerNotShared,
    ShowCode,
    PointsPer,
    ShareMyName,
    Join,
    CustomerNumber,
    GettingCode,
    NoOfflineLeft,
    NoTicketOfflineLeft,
    NoBillOfflineLeft,
    BillOfflineCode,
    CouldNotGetCode,
    CannotDrawTypeDigits,
    CannotDraw,
    OfflineCode,
    TicketOfflineCode,
    CodeUsed,
    ExpiredGettingNew,
    ValidFor,
    AsksRedeem,
    AsksPrepaid,
    AsksCard,
    Total,
    Costs,
    CouponApplied,
    CouponBonus,
    RequestExpired,
    AnswerWithin,
    TipError,
    BankAsks,
    BankDidNotConfirm,
    WaitingForBank,
    CancelledNothingChanged,
    OfflineRevoked,
    EnterCurrentPassword,
    NewPasswordError,
    PasswordChangedNotice,
    CouldNotSaveFile,
    TickToDelete,
    EnterPasswordToDelete,
    TheShop,
    YouLeft,
    SpendBeforeLeaving,
    PointsGone,
    CardStops,
    LeaveQuestion,
    YesLeave,
    KeepMyCard,
    LeaveThisShop,
    LinkSignIn,
    LinkTooOften,
    ASecond,
    NSeconds,
    AddedBill,
    AddedTicket,
    LinkFailed,
    CouldNotLoadItems,
    BillPaid,
    BillCancelled,
    BillDue,
    ShowCodeToPay,
    TicketWhen,
    TicketCancelled,
    EventOver,
    TicketUsed,
    GatesOpenEntries,
    GatesOpen,
    ShowTicketCode,
    CodeAppearsFrom,
    PassItOn,
    TransferLink,
    NoLongerInWallet,
    PaidReceiptInWallet,
    Admitted,
    CardDefault,
    MakeDefault,
    NoCardsAccepted,
    SetPinFirst,
    NoCardSaved,
    PayByCardSeveral,
    PayByCard,
    CardNotSaved,
    CardFieldFailed,
    CardSaved,
    CardRemoved,
    DefaultCardChanged,
    JoinLinkSignIn,
    WelcomeTo,
    AlreadyHaveCard,
    UnknownJoinShop,
    YourHistoryAt,
    HistoryCard,
    LeftProgramme,
    NoVisits,
    VisitOne,
    VisitOther,
    FirstLastVisit,
    ChartTitle,
    PercentOff,
    AmountOff,
    FreeProduct,
    BonusPoints,
    CouponUntil,
    CouponFrom,
    SummaryPaid,
    SummaryTopUp,
    SummarySale,
    SummaryRedeem,
    SummaryWelcome,
    SummaryExpired,
    SummaryRefundPoints,
    SummaryRefundProcessor,
    SummaryRefund,
    SummaryRefunded,
    SummaryPartlyRefunded,
    PinIsSet,
    PinSetPrompt,
    PinSaved,
    PasskeyAdded,
    PasskeyRemoved,
    QrLabel,
    OfflineBanner,
    ErrWrongCredentials,
    ErrTooManyAttempts,
    ErrWrongPin,
    ErrPinLocked,
    ErrPinNotSet,
    ErrInsufficientFunds,
    ErrNotEnoughPoints,
    ErrConfirmationExpired,
    ErrAlreadyAnswered,
    ErrAlreadyExists,
    ErrPrepaidBalanceLeft,
    ErrAccountDeleted,
    ErrAlreadyClaimed,
    ErrCancelled,
    ErrNotTransferable,
    ErrNotYetAvailable,
    ErrExpired,
    ErrNoSavedCard,
    ErrNotAMember,
    ErrUnknownShop,
}

/// The sentence for a failed call: the catalogue's for the refusals the page words itself,
/// else the server's own words (English); network failures through web-shared's catalogue.
pub fn failure_text(failure: &Failure) -> String {
    match (current(), failure.code().and_then(refusal)) {
        (Lang::En, _) | (_, None) => failure.message(),
        (_, Some(key)) => t(key).to_owned(),
    }
}

/// A refusal's sentence (the server's words in English, the catalogue's where it has one).
pub fn refused_text(error: &domain::api::ApiError) -> String {
    match (current(), refusal(error.error)) {
        (Lang::En, _) | (_, None) => web_shared::text::sentence(&error.message),
        (_, Some(key)) => t(key).to_owned(),
    }
}

/// The catalogue's sentence for a refusal the phone meets, if it has one.
fn refusal(code: ErrorCode) -> Option<Key> {
    Some(match code {
        ErrorCode::WrongCredentials => Key::ErrWrongCredentials,
        ErrorCode::TooManyAttempts => Key::ErrTooManyAttempts,
        ErrorCode::WrongPin => Key::ErrWrongPin,
        ErrorCode::PinLocked => Key::ErrPinLocked,
        ErrorCode::PinNotSet => Key::ErrPinNotSet,
        ErrorCode::InsufficientFunds => Key::ErrInsufficientFunds,
        ErrorCode::NotEnoughPoints => Key::ErrNotEnoughPoints,
        ErrorCode::ConfirmationExpired => Key::ErrConfirmationExpired,
        ErrorCode::AlreadyAnswered => Key::ErrAlreadyAnswered,
        ErrorCode::AlreadyExists => Key::ErrAlreadyExists,
        ErrorCode::PrepaidBalanceLeft => Key::ErrPrepaidBalanceLeft,
        ErrorCode::AccountDeleted => Key::ErrAccountDeleted,
        ErrorCode::AlreadyClaimed => Key::ErrAlreadyClaimed,
        ErrorCode::Cancelled => Key::ErrCancelled,
        ErrorCode::NotTransferable => Key::ErrNotTransferable,
        ErrorCode::NotYetAvailable => Key::ErrNotYetAvailable,
        ErrorCode::Expired => Key::ErrExpired,
        ErrorCode::NoSavedCard => Key::ErrNoSavedCard,
        ErrorCode::NotAMember => Key::ErrNotAMember,
        ErrorCode::UnknownShop => Key::ErrUnknownShop,
        _ => return None,
    })
}

/// Speaks `lang`: web-shared's choice (`<html lang>`, the locale of money and dates), the
/// static page filled from the catalogue, and the switch showing it. Dynamic screens are
/// drawn again by the caller (`session::speak`).
pub fn apply(lang: Lang) {
    web_shared::i18n::set_current(lang);
    web_shared::i18n::fill_page(|name| Key::named(name).map(t));
    for switch in SWITCHES {
        if let Some(select) = crate::dom::element(switch) {
            let _ = js_sys::Reflect::set(&select, &"value".into(), &lang.tag().into());
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

    web_shared::catalogue_tests!(html: include_str!("../../static/index.html"), at_least: 100);

    #[test]
    fn plurals_and_refusals() {
        assert_eq!(plural(1, Key::VisitOne, Key::VisitOther), "1 visit");
        assert_eq!(plural(3, Key::VisitOne, Key::VisitOther), "3 visits");
        assert_eq!(refusal(ErrorCode::WrongPin), Some(Key::ErrWrongPin));
        assert_eq!(refusal(ErrorCode::MalformedJson), None);
    }
}
