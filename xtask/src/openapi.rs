//! `cargo xtask openapi`: the OpenAPI 3.1 document of the edge API, written to
//! `docs/openapi.json` from the same Rust types the handlers use.
//!
//! Paths come from [`domain::api::routes`] (fixed paths and the builders, fed
//! `{name}` placeholders); bodies and answers are the JSON Schemas `schemars`
//! derives from the `domain::api` messages (the `openapi` feature of `domain`,
//! which only this native tool turns on). Requests are described as serde
//! reads them, answers as serde writes them. Tests here fail when the
//! committed document is stale, and when a route of the worker's tables
//! (`worker/src/routes/`) is missing from [`operations`] or one there is not
//! in the tables.

use crate::Result;
use domain::api::{self, routes};
use schemars::generate::{Contract, SchemaGenerator, SchemaSettings};
use schemars::JsonSchema;
use serde_json::{json, Map, Value};

/// Where the document is committed (and served from: the build copies it into `dist/`).
pub const DOCUMENT: &str = "docs/openapi.json";
/// Its path on the server, as a static file.
pub const SERVED_AT: &str = "/api/openapi.json";

/// Who may call an operation: names of [`security_schemes`].
#[derive(Clone, Copy)]
enum Who {
    Anyone,
    Member,
    Register,
    Operator,
    /// An owner's (or a manager's) session, or the operator's bearer token.
    Owner,
    /// The operator: bearer `ADMIN_TOKEN`, or the operator account's owner session.
    OperatorAccount,
    Issuer,
}

impl Who {
    fn security(self) -> Value {
        match self {
            Who::Anyone => json!([]),
            Who::Member => json!([{ "memberSession": [] }]),
            // A cashier's session travels beside the register's token where the shop has staff.
            Who::Register => json!([{ "registerToken": [], "staffSession": [] }, { "registerToken": [] }]),
            Who::Operator => json!([{ "adminToken": [] }]),
            Who::Owner => json!([{ "ownerSession": [] }, { "adminToken": [] }]),
            Who::OperatorAccount => json!([{ "adminToken": [] }, { "ownerSession": [] }]),
            Who::Issuer => json!([{ "issuerKey": [] }]),
        }
    }
}

/// What a successful answer carries.
enum Answer {
    /// 200 or 201 with a JSON body of this schema.
    Json(u16, Value),
    /// 204, no body.
    Empty,
    /// 200 `text/csv`.
    Csv,
}

/// One (method, path) of the worker's tables.
/// Operations whose body may be left out (the worker reads none as the default), by method and
/// route name.
const OPTIONAL_BODIES: &[(&str, &str)] = &[("POST", "OFFLINE_CODES")];

struct Operation {
    method: &'static str,
    /// The path with `{name}` for each id.
    path: String,
    /// The name of the constant or builder in `domain::api::routes` (checked against the worker's tables).
    route: &'static str,
    who: Who,
    summary: &'static str,
    query: Vec<(&'static str, &'static str, bool)>,
    body: Option<Value>,
    answer: Answer,
}

/// Schemas of request bodies (as serde reads them) and of answers (as serde writes them).
struct Schemas {
    requests: SchemaGenerator,
    answers: SchemaGenerator,
}

impl Schemas {
    fn new() -> Self {
        let settings = |contract| {
            let mut settings = SchemaSettings::draft2020_12();
            settings.definitions_path = "#/components/schemas/".into();
            settings.contract = contract;
            settings
        };
        Schemas {
            requests: SchemaGenerator::new(settings(Contract::Deserialize)),
            answers: SchemaGenerator::new(settings(Contract::Serialize)),
        }
    }
    fn body<T: JsonSchema>(&mut self) -> Option<Value> {
        Some(self.requests.subschema_for::<T>().to_value())
    }
    fn json<T: JsonSchema>(&mut self) -> Answer {
        Answer::Json(200, self.answers.subschema_for::<T>().to_value())
    }
    fn created<T: JsonSchema>(&mut self) -> Answer {
        Answer::Json(201, self.answers.subschema_for::<T>().to_value())
    }
}

/// Placeholder names for the ids in built paths.
fn p(name: &str) -> String {
    format!("{{{name}}}")
}

macro_rules! op {
    ($method:literal, $route:ident, $who:ident, $summary:literal, $body:expr, $answer:expr) => {
        op!($method, routes::$route.to_owned(), $route, $who, $summary, $body, $answer)
    };
    ($method:literal, $path:expr, $route:ident, $who:ident, $summary:literal, $body:expr, $answer:expr) => {
        Operation {
            method: $method,
            path: $path,
            route: stringify!($route),
            who: Who::$who,
            summary: $summary,
            query: Vec::new(),
            body: $body,
            answer: $answer,
        }
    };
}

/// Every operation of the edge API: the worker's route tables, one entry per (method, path).
fn operations(s: &mut Schemas) -> Vec<Operation> {
    use api::{
        account, bills, cards, coupons, dashboard, issuers, items, owner, owner_accounts, passkeys, refunds, staff,
        stores, tickets,
    };
    use routes::*;
    let shop = || p("shop_id");
    let mut wallet =
        op!("GET", WALLET, Member, "The member's wallet (long-polled with `after`)", None, s.json::<api::Wallet>());
    wallet.query.push(("after", "integer", false));
    let dashboard_query = |mut op: Operation| {
        // `from` and `to` come together, or neither for the last 30 days.
        op.query.extend([("from", "date", false), ("to", "date", false), ("store", "string", false)]);
        op
    };
    let customers = op!(
        "GET",
        owner_dashboard_customers(&shop()),
        owner_dashboard_customers,
        Owner,
        "One CSV row per customer (owners only)",
        None,
        Answer::Csv
    );
    vec![
        // ---- anyone ----
        op!(
            "GET",
            HEALTH,
            Anyone,
            "Readiness probe",
            None,
            Answer::Json(
                200,
                json!({ "type": "object", "properties": { "ok": { "const": true } }, "required": ["ok"] })
            )
        ),
        op!("GET", SHOPS, Anyone, "The shops a member can join", None, s.json::<api::ShopList>()),
        // ---- members ----
        op!(
            "POST",
            MEMBERS,
            Anyone,
            "Sign up (sets the member cookie)",
            s.body::<api::SignUpRequest>(),
            s.created::<api::SignedIn>()
        ),
        op!(
            "POST",
            SESSION,
            Anyone,
            "Sign in (sets the member cookie)",
            s.body::<api::SignInRequest>(),
            s.json::<api::SignedIn>()
        ),
        op!("DELETE", SESSION, Anyone, "Sign out (clears the member cookie)", None, Answer::Empty),
        op!(
            "POST",
            PASSKEY_SIGN_IN_OPTIONS,
            Anyone,
            "A challenge to sign in with a passkey (valid 5 minutes, answered once)",
            None,
            s.json::<passkeys::PasskeyOptions>()
        ),
        op!(
            "POST",
            PASSKEY_SESSION,
            Anyone,
            "Sign in with a passkey (sets the member cookie; a failure counts like a wrong password)",
            s.body::<passkeys::PasskeySignInRequest>(),
            s.json::<api::SignedIn>()
        ),
        op!(
            "POST",
            MY_PASSKEY_OPTIONS,
            Member,
            "A challenge to add a passkey, with the account it is for",
            None,
            s.json::<passkeys::PasskeyOptions>()
        ),
        op!("GET", MY_PASSKEYS, Member, "The member's passkeys", None, s.json::<passkeys::PasskeyList>()),
        op!(
            "POST",
            MY_PASSKEYS,
            Member,
            "Add a passkey (the browser's answer to the challenge)",
            s.body::<passkeys::AddPasskeyRequest>(),
            s.created::<passkeys::PasskeyView>()
        ),
        op!(
            "DELETE",
            my_passkey(&p("credential_id")),
            my_passkey,
            Member,
            "Remove one of the member's passkeys",
            None,
            Answer::Empty
        ),
        op!(
            "PUT",
            PASSWORD,
            Member,
            "A new password, given the current one (every session of the member ends; a new cookie is set)",
            s.body::<api::ChangePasswordRequest>(),
            Answer::Empty
        ),
        op!(
            "DELETE",
            SESSIONS,
            Member,
            "Sign out everywhere: end every session of the member (clears the cookie)",
            None,
            Answer::Empty
        ),
        op!(
            "POST",
            RECOVERY,
            Anyone,
            "Reset a forgotten password with the recovery code (sets the member cookie; a new code)",
            s.body::<api::RecoverRequest>(),
            s.json::<api::SignedIn>()
        ),
        wallet,
        op!(
            "POST",
            MEMBERSHIPS,
            Member,
            "Join a shop's programme",
            s.body::<api::JoinRequest>(),
            s.json::<api::MembershipView>()
        ),
        op!("DELETE", membership(&shop()), membership, Member, "Leave a shop's programme", None, Answer::Empty),
        op!(
            "GET",
            MY_COUPONS,
            Member,
            "The member's coupons across their shops",
            None,
            s.json::<coupons::MemberCoupons>()
        ),
        op!(
            "PUT",
            COUPON_SETTINGS,
            Member,
            "Opt out of (or back into) offers aimed at a segment",
            s.body::<coupons::CouponSettings>(),
            s.json::<coupons::CouponSettings>()
        ),
        op!(
            "GET",
            member_history(&shop()),
            member_history,
            Member,
            "The member's own history at a shop",
            None,
            s.json::<account::MemberHistory>()
        ),
        op!(
            "GET",
            member_history_csv(&shop()),
            member_history_csv,
            Member,
            "The member's receipts at a shop (CSV)",
            None,
            Answer::Csv
        ),
        op!(
            "POST",
            CODES,
            Member,
            "A one-time membership code",
            s.body::<api::IssueCodeRequest>(),
            s.json::<api::IssuedCode>()
        ),
        op!(
            "POST",
            OFFLINE_CODES,
            Member,
            "The member's offline codes for every card and every held ticket whose gates open soon, topped up (the body, optional, names the codes this phone has shown)",
            s.body::<api::offline::OfflineBatchRequest>(),
            s.json::<api::offline::OfflineBatch>()
        ),
        op!(
            "DELETE",
            OFFLINE_CODES,
            Member,
            "Revoke every offline code of the member, cards' and tickets' (a lost phone)",
            None,
            s.json::<api::offline::OfflineRevoked>()
        ),
        op!("PUT", PIN, Member, "Set the prepaid PIN", s.body::<api::SetPinRequest>(), Answer::Empty),
        op!(
            "POST",
            APPROVE,
            Member,
            "Approve a register's question (with the PIN, or a passkey answering this question's challenge)",
            s.body::<api::ApproveRequest>(),
            s.json::<api::DebitStatus>()
        ),
        op!(
            "POST",
            APPROVAL_PASSKEY_OPTIONS,
            Member,
            "A challenge to approve one question with a passkey instead of the PIN (valid 5 minutes, answered once)",
            s.body::<api::ApprovalPasskeyRequest>(),
            s.json::<passkeys::PasskeyOptions>()
        ),
        op!(
            "POST",
            CANCEL,
            Member,
            "Cancel a register's question",
            s.body::<api::CancelRequest>(),
            s.json::<api::DebitStatus>()
        ),
        op!(
            "POST",
            CLAIMS,
            Member,
            "Claim a bill or ticket by its link's secret",
            s.body::<items::ClaimRequest>(),
            s.json::<items::Claimed>()
        ),
        op!("GET", ITEMS, Member, "The bills and tickets the member holds", None, s.json::<items::Pocket>()),
        op!(
            "POST",
            ITEM_CODES,
            Member,
            "A one-time code that carries one bill or ticket",
            s.body::<items::IssueItemCodeRequest>(),
            s.json::<items::IssuedItemCode>()
        ),
        op!(
            "POST",
            TRANSFERS,
            Member,
            "Offer a ticket to someone else",
            s.body::<items::OfferTransferRequest>(),
            s.json::<items::TransferOffer>()
        ),
        op!(
            "POST",
            ACCEPT_TRANSFER,
            Member,
            "Accept a transfer link",
            s.body::<items::ClaimRequest>(),
            s.json::<items::Claimed>()
        ),
        op!("GET", EXPORT, Member, "Everything held about the member", None, s.json::<account::MemberExport>()),
        op!(
            "DELETE",
            ACCOUNT,
            Member,
            "Close the account for good",
            s.body::<account::DeleteAccountRequest>(),
            Answer::Empty
        ),
        // ---- registers ----
        op!(
            "GET",
            REGISTER,
            Register,
            "The register's shop, products and rewards",
            None,
            s.json::<api::RegisterInfo>()
        ),
        op!(
            "POST",
            SCAN,
            Register,
            "What a scanned code is for (a ticket's scan is its admission)",
            s.body::<items::ScanRequest>(),
            s.json::<items::ScanAnswer>()
        ),
        op!(
            "POST",
            RESOLVE,
            Register,
            "The customer behind a membership code",
            s.body::<api::ResolveRequest>(),
            s.json::<api::CustomerView>()
        ),
        op!(
            "POST",
            POINTS,
            Register,
            "Add points for a sale",
            s.body::<api::AccruePointsRequest>(),
            s.json::<api::PointsAccrued>()
        ),
        op!(
            "POST",
            DEBITS,
            Register,
            "Ask the customer's phone to approve a debit",
            s.body::<api::DebitRequest>(),
            s.json::<api::DebitStatus>()
        ),
        op!(
            "POST",
            DEBITS_WAIT,
            Register,
            "Wait for the phone's answer",
            s.body::<api::DebitWaitRequest>(),
            s.json::<api::DebitStatus>()
        ),
        op!(
            "POST",
            DEBITS_CANCEL,
            Register,
            "Withdraw the question",
            s.body::<api::DebitWaitRequest>(),
            s.json::<api::DebitStatus>()
        ),
        op!(
            "POST",
            TOP_UPS,
            Register,
            "Add prepaid value (cash received)",
            s.body::<api::TopUpRequest>(),
            s.json::<domain::receipt::Receipt>()
        ),
        op!(
            "POST",
            PAY_BILL,
            Register,
            "Collect the bill a code carries, once",
            s.body::<items::PayBillRequest>(),
            s.json::<bills::BillPaid>()
        ),
        op!(
            "POST",
            REFUNDS,
            Register,
            "Refund a receipt of this shop, whole or some lines",
            s.body::<refunds::RefundRequest>(),
            s.json::<domain::receipt::Receipt>()
        ),
        op!(
            "POST",
            REGISTER_COUPONS,
            Register,
            "The coupons that apply to the customer whose code was read",
            s.body::<coupons::CustomerCouponsRequest>(),
            s.json::<coupons::CustomerCoupons>()
        ),
        op!(
            "POST",
            REGISTER_RECEIPTS,
            Register,
            "The customer's latest receipts at this shop",
            s.body::<refunds::CustomerReceiptsRequest>(),
            s.json::<refunds::CustomerReceipts>()
        ),
        op!(
            "GET",
            register_receipt(&p("receipt_number")),
            register_receipt,
            Register,
            "A receipt of this shop by its number",
            None,
            s.json::<refunds::RefundableReceipt>()
        ),
        op!(
            "GET",
            REGISTER_STAFF_SESSION,
            Register,
            "Whether this register needs a cashier, and who is signed in",
            None,
            s.json::<staff::OnDutyStatus>()
        ),
        op!(
            "POST",
            REGISTER_STAFF_SESSION,
            Register,
            "A cashier signs in at this register",
            s.body::<staff::StaffSignInRequest>(),
            s.created::<staff::StaffSession>()
        ),
        op!("DELETE", REGISTER_STAFF_SESSION, Register, "The cashier signs out", None, Answer::Empty),
        op!(
            "GET",
            REGISTER_OFFLINE,
            Register,
            "What this register may verify with no network: its shop's keys, revoked codes, debit limit, the events at this venue",
            None,
            s.json::<api::offline::OfflineKit>()
        ),
        op!(
            "POST",
            REGISTER_OFFLINE_EVENTS,
            Register,
            "Upload offline sales and gate admissions in order; each applied once, a second use of a code (or a ticket with no entry left) is a conflict",
            s.body::<api::offline::OfflineUpload>(),
            s.json::<api::offline::OfflineSynced>()
        ),
        // ---- the operator ----
        op!(
            "POST",
            ADMIN_SHOPS,
            Operator,
            "Create a shop",
            s.body::<api::CreateShopRequest>(),
            s.created::<api::ShopSummary>()
        ),
        op!(
            "POST",
            ADMIN_ISSUERS,
            Operator,
            "Create an issuer (its key is shown once)",
            s.body::<issuers::CreateIssuerRequest>(),
            s.created::<issuers::IssuerCreated>()
        ),
        op!(
            "PUT",
            ADMIN_TEST_CLOCK,
            Operator,
            "Shift one shop's clock (only where TEST_CLOCK=on; 404 elsewhere)",
            s.body::<api::TestClock>(),
            Answer::Empty
        ),
        op!(
            "POST",
            ADMIN_TEST_HOUSEKEEPING,
            Operator,
            "Run one member vault's housekeeping round as if later (only where TEST_CLOCK=on; 404 elsewhere)",
            s.body::<api::TestHousekeeping>(),
            s.json::<api::Forgotten>()
        ),
        op!(
            "POST",
            ADMIN_TEST_SHOP_HOUSEKEEPING,
            Operator,
            "Run one shop book's housekeeping round as if later (only where TEST_CLOCK=on; 404 elsewhere)",
            s.body::<api::TestShopHousekeeping>(),
            s.json::<api::ShopForgotten>()
        ),
        op!(
            "POST",
            ADMIN_TEST_OWNER_HOUSEKEEPING,
            Operator,
            "Run the owners' book's housekeeping round over one account as if later (only where TEST_CLOCK=on; 404 elsewhere)",
            s.body::<api::TestOwnerHousekeeping>(),
            s.json::<api::OwnerForgotten>()
        ),
        op!(
            "POST",
            ADMIN_TEST_SEED_STATS,
            Operator,
            "Count a batch of a shop's synthetic sales in its statistics, as real receipts are counted \
             (benchmarks; only where TEST_CLOCK=on; 404 elsewhere)",
            s.body::<domain::synthetic::TestSeedStats>(),
            s.json::<domain::synthetic::TestSeeded>()
        ),
        op!(
            "POST",
            admin_shop_registers(&shop()),
            admin_shop_registers,
            Operator,
            "Add a register to a shop",
            s.body::<api::CreateRegisterRequest>(),
            s.created::<api::RegisterCreated>()
        ),
        op!(
            "PUT",
            admin_shop_products(&shop()),
            admin_shop_products,
            Operator,
            "Replace a shop's products",
            s.body::<api::ProductList>(),
            s.json::<api::ProductList>()
        ),
        op!(
            "PUT",
            admin_shop_rewards(&shop()),
            admin_shop_rewards,
            Operator,
            "Replace a shop's rewards",
            s.body::<api::RewardList>(),
            s.json::<api::RewardList>()
        ),
        op!("DELETE", admin_issuer(&p("issuer_id")), admin_issuer, Operator, "Revoke an issuer", None, Answer::Empty),
        // ---- register pages being paired ----
        op!("POST", PAIRINGS, Anyone, "Start pairing this register page", None, s.created::<owner::PairingStarted>()),
        op!(
            "GET",
            pairing(&p("secret")),
            pairing,
            Anyone,
            "Poll a pairing with the page's secret",
            None,
            s.json::<owner::PairingStatus>()
        ),
        // ---- shop owners ----
        op!(
            "GET",
            OWNER_CLAIM,
            Anyone,
            "Whether the operator account exists yet",
            None,
            s.json::<owner_accounts::ClaimStatus>()
        ),
        op!(
            "POST",
            OWNER_CLAIM,
            Operator,
            "The first run takes the operator account, once",
            s.body::<owner_accounts::ClaimRequest>(),
            s.created::<owner_accounts::OwnerMe>()
        ),
        op!(
            "POST",
            OWNER_SESSION,
            Anyone,
            "An owner signs in (sets the owner cookie)",
            s.body::<owner_accounts::OwnerSignInRequest>(),
            s.json::<owner_accounts::OwnerMe>()
        ),
        op!("DELETE", OWNER_SESSION, Anyone, "An owner signs out (clears the owner cookie)", None, Answer::Empty),
        op!(
            "POST",
            OWNER_PASSKEY_SIGN_IN_OPTIONS,
            Anyone,
            "A challenge for an owner to sign in with a passkey (valid 5 minutes, answered once)",
            None,
            s.json::<passkeys::PasskeyOptions>()
        ),
        op!(
            "POST",
            OWNER_PASSKEY_SESSION,
            Anyone,
            "An owner signs in with a passkey (sets the owner cookie; a failure counts like a wrong password)",
            s.body::<passkeys::PasskeySignInRequest>(),
            s.json::<owner_accounts::OwnerMe>()
        ),
        op!(
            "POST",
            OWNER_PASSKEY_OPTIONS,
            Owner,
            "A challenge to add a passkey to the owner's account",
            None,
            s.json::<passkeys::PasskeyOptions>()
        ),
        op!("GET", OWNER_PASSKEYS, Owner, "The owner's passkeys", None, s.json::<passkeys::PasskeyList>()),
        op!(
            "POST",
            OWNER_PASSKEYS,
            Owner,
            "Add a passkey to the owner's account",
            s.body::<passkeys::AddPasskeyRequest>(),
            s.created::<passkeys::PasskeyView>()
        ),
        op!(
            "DELETE",
            owner_passkey(&p("credential_id")),
            owner_passkey,
            Owner,
            "Remove one of the owner's passkeys",
            None,
            Answer::Empty
        ),
        op!(
            "PUT",
            OWNER_PASSWORD,
            Owner,
            "A new password, given the current one (every session of the account ends; a new owner cookie is set)",
            s.body::<api::ChangePasswordRequest>(),
            Answer::Empty
        ),
        op!(
            "DELETE",
            OWNER_SESSIONS,
            Owner,
            "Sign out everywhere: end every session of the owner's account (clears the cookie)",
            None,
            Answer::Empty
        ),
        op!(
            "GET",
            OWNER_ME,
            Owner,
            "Who is signed in and the shops they run",
            None,
            s.json::<owner_accounts::OwnerMe>()
        ),
        op!(
            "POST",
            OWNER_ACCEPT_INVITE,
            Anyone,
            "Use an owner's or a manager's invite link",
            s.body::<owner_accounts::AcceptInviteRequest>(),
            s.created::<owner_accounts::OwnerMe>()
        ),
        op!(
            "POST",
            OWNER_PASSWORD_RESETS,
            OperatorAccount,
            "A one-time password reset link for an owner's account, for 24 hours (the operator)",
            s.body::<owner_accounts::ResetLinkRequest>(),
            s.created::<owner_accounts::ResetLinkCreated>()
        ),
        op!(
            "POST",
            OWNER_PASSWORD_RESET,
            Anyone,
            "Use a password reset link, once: a new password, and every session of the account ends",
            s.body::<owner_accounts::ResetPasswordRequest>(),
            s.json::<owner_accounts::PasswordResetDone>()
        ),
        op!(
            "POST",
            OWNER_OPERATOR_HANDOVER,
            Owner,
            "The operator hands the operator role to another account, with their own password",
            s.body::<owner_accounts::HandoverRequest>(),
            s.json::<owner_accounts::OwnerMe>()
        ),
        op!(
            "POST",
            OWNER_SHOPS,
            OperatorAccount,
            "Create a shop (the operator only)",
            s.body::<api::CreateShopRequest>(),
            s.created::<api::ShopSummary>()
        ),
        op!("GET", owner_shop(&shop()), owner_shop, Owner, "The shop", None, s.json::<api::ShopSummary>()),
        op!(
            "PATCH",
            owner_shop(&shop()),
            owner_shop,
            Owner,
            "Change the shop's name, rate, expiry, time zone",
            s.body::<owner_accounts::ShopSettingsPatch>(),
            s.json::<api::ShopSummary>()
        ),
        op!(
            "GET",
            owner_join_poster(&shop()),
            owner_join_poster,
            Owner,
            "The QR poster customers scan to join",
            None,
            s.json::<owner_accounts::JoinPoster>()
        ),
        op!(
            "PUT",
            owner_shop_currency(&shop()),
            owner_shop_currency,
            Owner,
            "The shop's currency, while no member has joined",
            s.body::<owner_accounts::CurrencyChange>(),
            s.json::<api::ShopSummary>()
        ),
        op!(
            "GET",
            owner_products(&shop()),
            owner_products,
            Owner,
            "The shop's products",
            None,
            s.json::<api::ProductList>()
        ),
        op!(
            "PUT",
            owner_products(&shop()),
            owner_products,
            Owner,
            "Replace the shop's products",
            s.body::<api::ProductList>(),
            s.json::<api::ProductList>()
        ),
        op!(
            "GET",
            owner_rewards(&shop()),
            owner_rewards,
            Owner,
            "The shop's rewards",
            None,
            s.json::<api::RewardList>()
        ),
        op!(
            "PUT",
            owner_rewards(&shop()),
            owner_rewards,
            Owner,
            "Replace the shop's rewards",
            s.body::<api::RewardList>(),
            s.json::<api::RewardList>()
        ),
        op!(
            "POST",
            owner_invites(&shop()),
            owner_invites,
            Owner,
            "A one-time link for another owner",
            None,
            s.created::<owner_accounts::InviteCreated>()
        ),
        op!(
            "GET",
            owner_registers(&shop()),
            owner_registers,
            Owner,
            "The shop's registers",
            None,
            s.json::<owner::RegisterList>()
        ),
        op!(
            "GET",
            owner_offline_conflicts(&shop()),
            owner_offline_conflicts,
            Owner,
            "Offline codes used twice, with both scans; offline prepaid charges not paid, open and settled; tickets admitted offline at two gates",
            None,
            s.json::<api::offline::OfflineConflicts>()
        ),
        op!(
            "POST",
            owner_offline_unpaid_settle(&shop(), &p("request_id")),
            owner_offline_unpaid_settle,
            Owner,
            "Settle an offline prepaid charge not paid (collected another way, or written off), once",
            s.body::<api::offline::SettleOfflineUnpaid>(),
            s.json::<api::offline::OfflineUnpaid>()
        ),
        op!(
            "GET",
            owner_coupons(&shop()),
            owner_coupons,
            Owner,
            "The shop's coupons with their results",
            None,
            s.json::<coupons::CouponList>()
        ),
        op!(
            "POST",
            owner_coupons(&shop()),
            owner_coupons,
            Owner,
            "Create a coupon (owners only)",
            s.body::<domain::coupons::CouponTerms>(),
            s.created::<coupons::OwnerCoupon>()
        ),
        op!(
            "POST",
            owner_coupon_end(&shop(), &p("coupon_id")),
            owner_coupon_end,
            Owner,
            "End a coupon now (owners only)",
            None,
            s.json::<coupons::OwnerCoupon>()
        ),
        op!(
            "DELETE",
            owner_register(&shop(), &p("register_id")),
            owner_register,
            Owner,
            "Revoke a register",
            None,
            Answer::Empty
        ),
        op!(
            "POST",
            owner_pairings(&shop()),
            owner_pairings,
            Owner,
            "Approve a register page's pairing code",
            s.body::<owner::ApprovePairingRequest>(),
            s.created::<owner::RegisterSummary>()
        ),
        op!(
            "GET",
            owner_stores(&shop()),
            owner_stores,
            Owner,
            "The shop's stores",
            None,
            s.json::<stores::StoreList>()
        ),
        op!(
            "POST",
            owner_stores(&shop()),
            owner_stores,
            Owner,
            "Add a store",
            s.body::<stores::AddStoreRequest>(),
            s.created::<domain::store::Store>()
        ),
        op!(
            "PATCH",
            owner_store(&shop(), &p("store_id")),
            owner_store,
            Owner,
            "Rename a store or set its offline prepaid limit (owner only)",
            s.body::<stores::ChangeStoreRequest>(),
            s.json::<domain::store::Store>()
        ),
        op!(
            "DELETE",
            owner_store(&shop(), &p("store_id")),
            owner_store,
            Owner,
            "Close a store (not the last open one): its registers are revoked, its managers lose it",
            None,
            s.json::<stores::StoreClosed>()
        ),
        op!(
            "GET",
            owner_staff(&shop()),
            owner_staff,
            Owner,
            "The shop's managers and cashiers",
            None,
            s.json::<staff::StaffList>()
        ),
        op!(
            "POST",
            owner_staff(&shop()),
            owner_staff,
            Owner,
            "Add a manager or cashier",
            s.body::<staff::NewStaffRequest>(),
            s.created::<staff::StaffMember>()
        ),
        op!(
            "DELETE",
            owner_staff_member(&shop(), &p("staff_number")),
            owner_staff_member,
            Owner,
            "Remove a person (their sessions end)",
            None,
            Answer::Empty
        ),
        op!(
            "PUT",
            owner_staff_pin(&shop(), &p("staff_number")),
            owner_staff_pin,
            Owner,
            "A new PIN for a person",
            s.body::<staff::ResetPinRequest>(),
            Answer::Empty
        ),
        op!(
            "POST",
            owner_manager_invites(&shop()),
            owner_manager_invites,
            Owner,
            "A one-time link for a store's manager",
            s.body::<staff::ManagerInviteRequest>(),
            s.created::<staff::ManagerInviteCreated>()
        ),
        dashboard_query(op!(
            "GET",
            owner_dashboard(&shop()),
            owner_dashboard,
            Owner,
            "The shop's figures for some local days",
            None,
            s.json::<dashboard::Dashboard>()
        )),
        dashboard_query(op!(
            "GET",
            owner_dashboard_sales_lines(&shop()),
            owner_dashboard_sales_lines,
            Owner,
            "Every sale line in the range (CSV)",
            None,
            Answer::Csv
        )),
        dashboard_query(op!(
            "GET",
            owner_dashboard_ledger(&shop()),
            owner_dashboard_ledger,
            Owner,
            "Every receipt's points and prepaid movement in the range (CSV)",
            None,
            Answer::Csv
        )),
        dashboard_query(customers),
        // ---- issuers ----
        op!(
            "POST",
            ISSUER_BILLS,
            Issuer,
            "Create a bill, with its claim link",
            s.body::<bills::CreateBillRequest>(),
            s.created::<bills::BillCreated>()
        ),
        op!(
            "POST",
            ISSUER_TICKETS,
            Issuer,
            "Create tickets for an event",
            s.body::<tickets::CreateTicketsRequest>(),
            s.created::<tickets::TicketsCreated>()
        ),
        op!(
            "GET",
            issuer_bill(&p("bill_id")),
            issuer_bill,
            Issuer,
            "A bill's status",
            None,
            s.json::<bills::BillStatus>()
        ),
        op!(
            "POST",
            issuer_bill_cancel(&p("bill_id")),
            issuer_bill_cancel,
            Issuer,
            "Cancel an unpaid bill",
            None,
            s.json::<bills::BillStatus>()
        ),
        op!(
            "GET",
            issuer_event(&p("event_id")),
            issuer_event,
            Issuer,
            "An event's tickets, entries and visitor count, and its tickets' offline admissions that did not count (both scans)",
            None,
            s.json::<tickets::EventStatus>()
        ),
        op!(
            "POST",
            issuer_ticket_cancel(&p("event_id"), &p("ticket_id")),
            issuer_ticket_cancel,
            Issuer,
            "Cancel one ticket",
            None,
            s.json::<tickets::TicketStatus>()
        ),
        op!(
            "GET",
            owner_card_processor(&shop()),
            owner_card_processor,
            Owner,
            "Whether the shop's card processor account is connected (never its secrets)",
            None,
            s.json::<cards::CardProcessorStatus>()
        ),
        op!(
            "PUT",
            owner_card_processor(&shop()),
            owner_card_processor,
            Owner,
            "Connect the shop's card processor account (secrets stored encrypted)",
            s.body::<cards::CardProcessorKeys>(),
            s.json::<cards::CardProcessorStatus>()
        ),
        op!(
            "DELETE",
            owner_card_processor(&shop()),
            owner_card_processor,
            Owner,
            "Disconnect the shop's card processor account",
            None,
            s.json::<cards::CardProcessorStatus>()
        ),
        op!(
            "GET",
            my_cards(&shop()),
            my_cards,
            Member,
            "The member's saved cards at a shop (brand and last 4)",
            None,
            s.json::<cards::CardList>()
        ),
        op!(
            "POST",
            my_cards(&shop()),
            my_cards,
            Member,
            "Start saving a card: a SetupIntent for the processor's page script",
            None,
            s.created::<cards::CardSetup>()
        ),
        op!(
            "POST",
            my_card_setup(&shop(), &p("setup_intent_id")),
            my_card_setup,
            Member,
            "Record the card of a SetupIntent the phone confirmed",
            None,
            s.json::<cards::SavedCard>()
        ),
        op!(
            "DELETE",
            my_card(&shop(), &p("payment_method_id")),
            my_card,
            Member,
            "Forget a saved card",
            None,
            Answer::Empty
        ),
        op!(
            "PUT",
            my_default_card(&shop()),
            my_default_card,
            Member,
            "Mark a saved card as the one a card sale at the shop offers first",
            s.body::<cards::DefaultCard>(),
            s.json::<cards::CardList>()
        ),
        op!(
            "POST",
            card_webhook(&shop()),
            card_webhook,
            Anyone,
            "The card processor's signed event (Stripe-Signature)",
            None,
            s.json::<cards::WebhookReceipt>()
        ),
    ]
}

fn security_schemes() -> Value {
    json!({
        "memberSession": { "type": "apiKey", "in": "cookie", "name": api::SESSION_COOKIE,
            "description": "A member's session, set by sign-up and sign-in." },
        "ownerSession": { "type": "apiKey", "in": "cookie", "name": api::owner_accounts::OWNER_SESSION_COOKIE,
            "description": "A shop owner's or store manager's session, set by the owners' sign-in." },
        "registerToken": { "type": "http", "scheme": "bearer",
            "description": "A register's token, from its creation or pairing." },
        "staffSession": { "type": "apiKey", "in": "header", "name": api::staff::STAFF_SESSION_HEADER,
            "description": "A cashier's session at a register, beside the register's token, where the shop has staff." },
        "adminToken": { "type": "http", "scheme": "bearer",
            "description": "The operator: the ADMIN_TOKEN secret." },
        "issuerKey": { "type": "http", "scheme": "bearer",
            "description": "An issuer's API key, shown once when the operator creates the issuer." },
    })
}

/// Every refusal status with the codes that answer it, from [`api::ErrorCode`] itself.
fn refusal_statuses(error_codes: &[Value]) -> Vec<(u16, Vec<String>)> {
    let mut statuses: Vec<(u16, Vec<String>)> = Vec::new();
    for value in error_codes {
        let Ok(code) = serde_json::from_value::<api::ErrorCode>(value.clone()) else { continue };
        let status = code.http_status();
        // A 500 is a fault on our side, never an answer the API promises.
        if status >= 500 {
            continue;
        }
        let name = value.as_str().unwrap_or_default().to_owned();
        match statuses.iter_mut().find(|(s, _)| *s == status) {
            Some((_, names)) => names.push(name),
            None => statuses.push((status, vec![name])),
        }
    }
    statuses.sort();
    statuses
}

/// Every value of an enum's schema (`enum`, or `oneOf` of `const`s / `enum`s).
fn enum_values(schema: &Value) -> Vec<Value> {
    let mut values: Vec<Value> = schema.get("enum").and_then(Value::as_array).cloned().unwrap_or_default();
    for branch in schema.get("oneOf").and_then(Value::as_array).into_iter().flatten() {
        values.extend(branch.get("const").cloned());
        values.extend(branch.get("enum").and_then(Value::as_array).into_iter().flatten().cloned());
    }
    values
}

fn parameters(op: &Operation) -> Vec<Value> {
    let mut list = Vec::new();
    let mut rest = op.path.as_str();
    while let Some((_, after)) = rest.split_once('{') {
        let Some((name, after)) = after.split_once('}') else { break };
        list.push(json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" } }));
        rest = after;
    }
    for (name, kind, required) in &op.query {
        let schema = match *kind {
            "integer" => json!({ "type": "integer", "minimum": 0 }),
            "date" => json!({ "type": "string", "format": "date" }),
            _ => json!({ "type": "string" }),
        };
        list.push(json!({ "name": name, "in": "query", "required": required, "schema": schema }));
    }
    list
}

/// The whole document.
pub fn document() -> Value {
    let mut schemas = Schemas::new();
    let operations = operations(&mut schemas);
    let error = schemas.answers.subschema_for::<api::ApiError>().to_value();
    let error_codes = schemas.answers.subschema_for::<api::ErrorCode>().to_value();
    let mut components = schemas.answers.take_definitions(true);
    // Requests whose schema differs from the answer of the same name get their own name.
    let requests = schemas.requests.take_definitions(true);
    let mut renamed = Vec::new();
    for (name, schema) in &requests {
        if components.get(name).is_some_and(|known| known != schema) {
            renamed.push(name.clone());
        }
    }
    for (name, mut schema) in requests {
        rename_refs(&mut schema, &renamed);
        let name = if renamed.contains(&name) { format!("{name}Input") } else { name };
        components.entry(name).or_insert(schema);
    }
    let code_names = error_codes
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.rsplit('/').next())
        .and_then(|name| components.get(name))
        .map(enum_values)
        .unwrap_or_default();
    let refusals = refusal_statuses(&code_names);

    let mut paths = Map::new();
    for op in &operations {
        let mut responses = Map::new();
        match &op.answer {
            Answer::Json(status, schema) => {
                responses.insert(
                    status.to_string(),
                    json!({ "description": "OK", "content": { "application/json": { "schema": schema } } }),
                );
            }
            Answer::Empty => {
                responses.insert("204".into(), json!({ "description": "Done, no body" }));
            }
            Answer::Csv => {
                responses.insert(
                    "200".into(),
                    json!({ "description": "CSV", "content": { "text/csv": { "schema": { "type": "string" } } } }),
                );
            }
        }
        for (status, _) in &refusals {
            responses.insert(status.to_string(), json!({ "$ref": format!("#/components/responses/Refused{status}") }));
        }
        let mut operation = json!({
            "operationId": format!("{}_{}", op.method.to_lowercase(), op.route.to_lowercase()),
            "summary": op.summary,
            "security": op.who.security(),
            "responses": responses,
        });
        let params = parameters(op);
        if !params.is_empty() {
            operation["parameters"] = Value::Array(params);
        }
        if let Some(body) = op.body.clone() {
            let body = renamed_ref(body, &renamed);
            let required = !OPTIONAL_BODIES.contains(&(op.method, op.route));
            operation["requestBody"] =
                json!({ "required": required, "content": { "application/json": { "schema": body } } });
        }
        let item = paths.entry(op.path.clone()).or_insert_with(|| json!({}));
        item[op.method.to_lowercase()] = operation;
    }
    paths.insert(
        SERVED_AT.into(),
        json!({ "get": {
            "operationId": "get_openapi",
            "summary": "This document",
            "security": [],
            "responses": { "200": { "description": "OK", "content": { "application/json": { "schema": { "type": "object" } } } } },
        }}),
    );

    let mut refused = Map::new();
    for (status, names) in &refusals {
        refused.insert(
            format!("Refused{status}"),
            json!({
                "description": format!("Refused: {}", names.join(", ")),
                "content": { "application/json": { "schema": error } },
            }),
        );
    }

    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Tessera edge API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Generated by `cargo xtask openapi` from the types in `domain::api`; do not edit by hand. \
                Every body is JSON (at most 16 KiB); every refusal is an `ApiError` with a stable `error` code. \
                A path answers 405 with `Allow` for any other method.",
        },
        "servers": [{ "url": "/" }],
        "paths": paths,
        "components": { "schemas": components, "responses": refused, "securitySchemes": security_schemes() },
    })
}

/// Points `$ref`s to a renamed request schema at its new name.
fn rename_refs(value: &mut Value, renamed: &[String]) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map.iter_mut() {
                if key == "$ref" {
                    if let Some(name) = inner.as_str().and_then(|r| r.strip_prefix("#/components/schemas/")) {
                        if renamed.iter().any(|n| n == name) {
                            *inner = Value::String(format!("#/components/schemas/{name}Input"));
                        }
                    }
                } else {
                    rename_refs(inner, renamed);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| rename_refs(item, renamed)),
        _ => {}
    }
}

fn renamed_ref(mut value: Value, renamed: &[String]) -> Value {
    rename_refs(&mut value, renamed);
    value
}

fn text() -> Result<String> {
    serde_json::to_string_pretty(&document()).map(|t| t + "\n").map_err(|e| e.to_string())
}

/// `cargo xtask openapi`: writes the document.
pub fn write() -> Result {
    let path = crate::root().join(DOCUMENT);
    std::fs::write(&path, text()?).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    println!("xtask: wrote {DOCUMENT}");
    Ok(())
}

/// (route name, method) of every arm of the worker's route tables, read from their source:
/// a table names each route (`routes::HEALTH =>`, `routes::id_in(path, routes::issuer_bill)`) and
/// ends its arms with `not_allowed("GET, POST")`, the methods it answers.
#[cfg(test)]
fn routed_in_worker() -> Result<Vec<(String, String)>> {
    let dir = crate::root().join("worker/src/routes");
    let mut found = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|e| e == "rs"))
        .collect();
    files.sort();
    for file in files {
        let source = std::fs::read_to_string(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        let Some(table) = source.split("pub async fn route(").nth(1) else { continue };
        let table = table.split("\n}\n").next().unwrap_or_default();
        let mut current: Option<String> = None;
        let mut rest = table;
        while let Some(at) = rest.find("routes::").into_iter().chain(rest.find("not_allowed(\"")).min() {
            let tail = &rest[at..];
            if let Some(after) = tail.strip_prefix("not_allowed(\"") {
                let methods = after.split('"').next().unwrap_or_default();
                if let Some(route) = &current {
                    found.extend(methods.split(", ").map(|m| (route.clone(), m.to_owned())));
                }
                current = None;
                rest = &after[methods.len()..];
            } else {
                let after = &tail["routes::".len()..];
                let name: String = after.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                // `routes::id_in`/`ids_in` and `routes::not_found` name no route.
                if !["id_in", "ids_in", "not_allowed", "not_found", "Area"].contains(&name.as_str()) {
                    current = Some(name.clone());
                    // The test-time routes' tables are their own module.
                    if let Some(handler) = after[name.len()..].trim_start().strip_prefix("=> super::test_clock::") {
                        let handler_name = handler.split('(').next().unwrap_or_default();
                        // The clock is set (PUT); every other test-time route runs something (POST).
                        let method = if handler_name == "route" { "PUT" } else { "POST" };
                        found.push((name.clone(), method.to_owned()));
                        current = None;
                    }
                }
                rest = &after[name.len()..];
            }
        }
    }
    found.sort();
    found.dedup();
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_committed_document_is_the_generated_one() {
        let committed = std::fs::read_to_string(crate::root().join(DOCUMENT)).unwrap_or_default();
        assert!(committed == text().unwrap(), "{DOCUMENT} is stale: run `cargo xtask openapi` and commit it");
    }

    #[test]
    fn every_route_of_the_worker_is_documented_and_nothing_else() {
        let routed = routed_in_worker().unwrap();
        assert!(routed.len() > 60, "the route tables were not read: {routed:?}");
        let mut schemas = Schemas::new();
        let documented: Vec<(String, String)> =
            operations(&mut schemas).iter().map(|op| (op.route.to_owned(), op.method.to_owned())).collect();
        let missing: Vec<_> = routed.iter().filter(|r| !documented.contains(r)).collect();
        let extra: Vec<_> = documented.iter().filter(|d| !routed.contains(d)).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "routes of the worker missing from xtask/src/openapi.rs: {missing:?}; \
             documented but not routed: {extra:?}"
        );
    }

    #[test]
    fn the_table_reader_finds_fixed_built_and_delegated_routes() {
        let routed = routed_in_worker().unwrap();
        for expected in [
            ("HEALTH", "GET"),
            ("REGISTER_STAFF_SESSION", "DELETE"),
            ("owner_shop", "PATCH"),
            ("issuer_ticket_cancel", "POST"),
            ("ADMIN_TEST_CLOCK", "PUT"),
            ("ADMIN_TEST_HOUSEKEEPING", "POST"),
            ("ADMIN_TEST_SHOP_HOUSEKEEPING", "POST"),
            ("ADMIN_TEST_OWNER_HOUSEKEEPING", "POST"),
            ("ADMIN_TEST_SEED_STATS", "POST"),
            ("pairing", "GET"),
            ("PAIRINGS", "POST"),
            ("membership", "DELETE"),
        ] {
            assert!(routed.contains(&(expected.0.to_owned(), expected.1.to_owned())), "{expected:?} in {routed:?}");
        }
    }

    #[test]
    fn paths_are_unique_per_method_and_every_refusal_has_its_status() {
        let doc = document();
        let get_wallet = &doc["paths"][routes::WALLET]["get"];
        assert_eq!(get_wallet["parameters"][0]["name"], "after");
        assert_eq!(get_wallet["responses"]["401"]["$ref"], "#/components/responses/Refused401");
        let refused = &doc["components"]["responses"]["Refused409"];
        assert_eq!(refused["content"]["application/json"]["schema"]["$ref"], "#/components/schemas/ApiError");
        assert!(refused["description"].as_str().unwrap().contains("already_used"));
        assert!(get_wallet["responses"].get("500").is_none());
        let cancel = &doc["paths"]["/api/issuer/events/{event_id}/tickets/{ticket_id}/cancel"]["post"];
        assert_eq!(cancel["parameters"].as_array().unwrap().len(), 2);
    }
}
