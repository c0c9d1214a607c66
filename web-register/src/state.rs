//! The register as a state machine: [`Phase`] is what is on screen, and every
//! change of it is a method of [`Till`]. Flows (`crate::flows`) do the I/O and
//! hand their outcome to one of these methods; views (`crate::views`) draw from
//! the result. Nothing here touches the DOM or the network, so the transitions
//! are tested natively.
//!
//! A request carries the [`Turn`] it was started in: "Next customer" starts a new
//! turn, and an answer to an older one changes nothing.

use crate::flows::checkout::ScanOutcome;
use crate::i18n::{failure_text, t, tf, Key};
use crate::sale;
use crate::seen::SeenTexts;
use crate::sound::Cue;
use domain::api::bills::BillPaid;
use domain::api::coupons::CouponOffer;
use domain::api::items::BillAtRegister;
use domain::api::tickets::GateVerdict;
use domain::api::{CustomerView, DebitStatus, DebitWaitRequest, ErrorCode, PointsAccrued, RegisterInfo};
use domain::code::OneTimeCode;
use domain::confirmation::CancelledBy;
use domain::coupons::CouponId;
use domain::money::{Currency, MinorUnits};
use domain::pairing::PairingCode;
use domain::receipt::Receipt;
use domain::sale::LineItem;
use domain::shop::{CustomerNumber, RequestId};
use std::cell::RefCell;
use web_shared::http::Failure;

/// How long a sale's result stays on screen before the camera may replace it.
pub const SOLD_HOLD_MS: f64 = 4_000.0;
/// How long ADMIT/DENY stays.
pub const GATE_HOLD_MS: f64 = 2_500.0;
/// How long "Paid" stays.
pub const PAID_HOLD_MS: f64 = 4_000.0;
/// A concluded or cancelled question's result stays this long.
pub const RECEIPT_HOLD_MS: f64 = 8_000.0;
/// After a network failure, wait this long before the code in view is tried again.
pub const RETRY_PAUSE_MS: f64 = 2_000.0;
/// A finished result goes back to "Ready" by itself after this long, unless the
/// register is set otherwise (`Till::set_result_seconds`).
pub const DEFAULT_RESULT_SECONDS: u32 = 5;
/// The longest a result may be set to stay (an hour: longer is "never").
pub const MAX_RESULT_SECONDS: u32 = 3_600;

/// What is on screen.
#[derive(Debug, Clone, Default)]
pub enum Phase {
    /// Before the register knows its shop.
    #[default]
    Starting,
    /// This computer cannot work as a register until it gets a (new) register link.
    Unusable(Unusable),
    /// No credential: the page shows a pairing code for the owner to approve.
    Pairing(PairingCode),
    /// Waiting for a code, from the camera or typed.
    Ready,
    /// A code was read; the server is asked what it is for (and, for a shop
    /// membership, who the customer is). `keep_sale`: the cashier switched to this
    /// code keeping the sale, whoever it turns out to be.
    Checking { code: OneTimeCode, previous: Option<CustomerNumber>, keep_sale: bool },
    /// A customer on screen, with the sale being rung up (`Till::lines`). `other` is
    /// another code the camera sees meanwhile: it waits for the cashier's switch.
    Customer {
        code: OneTimeCode,
        view: CustomerView,
        request: Option<Request>,
        note: String,
        other: Option<OneTimeCode>,
    },
    /// The customer's phone has the register's question.
    Waiting { code: OneTimeCode, view: CustomerView, status: DebitStatus, skew_ms: i64 },
    /// A bill on screen until the cashier presses Paid; `request_id` is kept for a retry.
    Bill { code: OneTimeCode, bill: BillAtRegister, request_id: Option<RequestId>, paying: bool, note: String },
    /// A result on screen; the camera's reads wait until `hold_until` (ms), and at
    /// `clears_at` (if the register clears results) it goes back to `Ready` by itself.
    Result { shown: Shown, hold_until: f64, clears_at: Option<f64> },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unusable {
    NoCredential,
    BadCredential,
    /// The shop owner removed this register (`register_revoked`): pair it again.
    Revoked,
}

impl Unusable {
    /// The refusal codes that end this register's credential.
    pub fn after(code: ErrorCode) -> Option<Unusable> {
        match code {
            ErrorCode::Unauthorized => Some(Unusable::BadCredential),
            ErrorCode::RegisterRevoked => Some(Unusable::Revoked),
            _ => None,
        }
    }
}

/// What the customer on screen is waiting for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request {
    Sale,
    TopUp,
    /// A debit is being put to the customer's phone.
    Asking,
}

/// A result the panel shows.
#[derive(Debug, Clone)]
pub enum Shown {
    Sold {
        accrued: PointsAccrued,
        currency: Currency,
    },
    Gate(GateVerdict),
    Paid(BillPaid),
    Concluded(Receipt),
    Cancelled(CancelledBy),
    Refused {
        code: ErrorCode,
        message: String,
    },
    /// Something went wrong on the way (network); the message says what to do.
    Problem(String),
    /// The register sent too many codes that were not live, and must wait
    /// this many seconds before the next one is looked at.
    Slowed {
        seconds: i64,
    },
}

/// The turn a request was started in, and the register token to send it with.
#[derive(Debug, Clone)]
pub struct Call {
    pub token: String,
    pub turn: u32,
}

/// A sale sent without a clear answer; retrying it reuses its request id.
#[derive(Debug, Clone)]
pub struct PendingSale {
    pub code: OneTimeCode,
    pub amount: MinorUnits,
    pub request_id: RequestId,
    /// The coupon applied to the sale, if any.
    pub coupon: Option<CouponId>,
}

/// Everything the register knows.
#[derive(Debug)]
pub struct Till {
    pub token: String,
    pub info: Option<RegisterInfo>,
    pub phase: Phase,
    pub seen: SeenTexts,
    turn: u32,
    /// The sale's lines: from the product list, or typed as "Other item".
    pub lines: Vec<LineItem>,
    /// Whose sale the lines are while no customer is on screen, after a top-up spent
    /// the code or a question was cancelled: that customer's next code brings the
    /// sale back, anyone else's starts a new one.
    sale_held_for: Option<CustomerNumber>,
    pending_sale: Option<PendingSale>,
    /// A debit or top-up sent without a clear answer: its retry reuses the request id.
    pending_operation: Option<(String, RequestId)>,
    /// How long a finished result stays before the till is ready by itself; `None`:
    /// until the cashier or the next code moves on. See [`Till::set_result_seconds`].
    result_seconds: Option<u32>,
    /// The coupons that apply to the customer on screen, and the one the cashier applied.
    pub coupons: Vec<CouponOffer>,
    pub coupon: Option<CouponId>,
}

impl Default for Till {
    fn default() -> Self {
        Self {
            token: String::new(),
            info: None,
            phase: Phase::default(),
            seen: SeenTexts::default(),
            turn: 0,
            lines: Vec::new(),
            sale_held_for: None,
            pending_sale: None,
            pending_operation: None,
            result_seconds: Some(DEFAULT_RESULT_SECONDS),
            coupons: Vec::new(),
            coupon: None,
        }
    }
}

/// What the camera's frame asks of the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CameraRead {
    Nothing,
    /// A new text to check (or, if it is not a Tessera code, to say so).
    Check(String),
    /// Another code came into view while a customer is on screen: it waits for the
    /// cashier (a sound, and the switch on screen).
    AnotherCode,
}

/// What a check's answer asks of the page besides drawing the new phase (and
/// sounding its [`Cue`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checked {
    /// A customer is on screen; `new_sale` if their sale starts empty.
    Customer { new_sale: bool },
    /// Anything else (a gate's verdict, a bill, a refusal, a problem).
    Shown,
}

impl Phase {
    /// The cue of the verdict on screen; `None` while nothing was decided.
    pub fn cue(&self) -> Option<Cue> {
        match self {
            Phase::Customer { request: None, .. } | Phase::Bill { paying: false, .. } => Some(Cue::Customer),
            Phase::Result { shown, .. } => Some(match shown {
                Shown::Sold { .. } | Shown::Paid(_) | Shown::Concluded(_) => Cue::Done,
                Shown::Gate(verdict) if verdict.deny.is_none() => Cue::Admit,
                Shown::Gate(_) => Cue::Deny,
                Shown::Refused { code: ErrorCode::AlreadyUsed | ErrorCode::AlreadyPaid, .. } => Cue::AlreadyUsed,
                Shown::Refused { .. } | Shown::Cancelled(_) | Shown::Problem(_) | Shown::Slowed { .. } => Cue::Refused,
            }),
            _ => None,
        }
    }
}

impl Till {
    pub fn currency(&self) -> Option<Currency> {
        self.info.as_ref().map(|info| info.shop.currency)
    }

    /// The customer on screen (also while their phone has a question).
    pub fn customer(&self) -> Option<(&OneTimeCode, &CustomerView)> {
        match &self.phase {
            Phase::Customer { code, view, .. } | Phase::Waiting { code, view, .. } => Some((code, view)),
            _ => None,
        }
    }

    fn call(&self) -> Call {
        Call { token: self.token.clone(), turn: self.turn }
    }

    /// A request is in flight: a new code must wait.
    pub fn in_flight(&self) -> bool {
        match &self.phase {
            Phase::Checking { .. } | Phase::Waiting { .. } => true,
            Phase::Customer { request, .. } => request.is_some(),
            Phase::Bill { paying, .. } => *paying,
            _ => false,
        }
    }

    /// Whether a code the camera reads now may be acted on.
    fn takes_reads(&self, now: f64) -> bool {
        match &self.phase {
            Phase::Starting | Phase::Unusable(_) | Phase::Pairing(_) => false,
            Phase::Result { hold_until, .. } => now >= *hold_until,
            _ => !self.in_flight(),
        }
    }

    /// Texts decoded from one camera frame: the first one new in view, if reads are
    /// taken now. One customer at a time: while a customer is on screen, another code
    /// never replaces them by itself, and the same code seen again changes nothing.
    pub fn camera_read(&mut self, texts: &[String], now: f64) -> CameraRead {
        if !self.takes_reads(now) {
            // Keep the code in view "seen", so it is not read again the moment reads resume.
            for text in texts {
                if self.seen.is_current(text, now) {
                    self.seen.sighted(text, now);
                }
            }
            return CameraRead::Nothing;
        }
        let Some(text) = texts.iter().find(|text| self.seen.sighted(text, now)).cloned() else {
            return CameraRead::Nothing;
        };
        let Phase::Customer { code, other, .. } = &mut self.phase else { return CameraRead::Check(text) };
        let Ok(read) = OneTimeCode::parse(&text) else { return CameraRead::Check(text) };
        if &read == code || other.as_ref() == Some(&read) {
            return CameraRead::Nothing;
        }
        *other = Some(read);
        CameraRead::AnotherCode
    }

    /// The cashier switches to the other code in view, keeping the sale (lines and
    /// amount) for the next customer or starting a new one.
    pub fn switch_to_other(&mut self, keep_sale: bool) -> Option<(Call, OneTimeCode)> {
        let Phase::Customer { other, request: None, view, .. } = &mut self.phase else { return None };
        let code = other.take()?;
        let previous = Some(view.customer_number);
        if !keep_sale {
            self.lines.clear();
            self.sale_held_for = None;
        }
        self.phase = Phase::Checking { code: code.clone(), previous: previous.filter(|_| keep_sale), keep_sale };
        Some((self.call(), code))
    }

    /// A typed code: taken unless a request is in flight; it counts as seen.
    pub fn typed_read(&mut self, code: &OneTimeCode, now: f64) -> bool {
        if self.in_flight() || matches!(self.phase, Phase::Starting | Phase::Unusable(_) | Phase::Pairing(_)) {
            return false;
        }
        self.seen.sighted(code.as_str(), now);
        true
    }

    /// The register knows its shop: ready for codes.
    pub fn started(&mut self, info: RegisterInfo) {
        self.info = Some(info);
        self.phase = Phase::Ready;
    }

    pub fn unusable(&mut self, why: Unusable) {
        self.phase = Phase::Unusable(why);
    }

    /// No credential: show this pairing code until an owner approves it.
    pub fn pairing(&mut self, code: PairingCode) {
        self.phase = Phase::Pairing(code);
    }

    /// Paired: the new credential; the register starts as with a link.
    pub fn paired(&mut self, token: String) {
        self.token = token;
        self.phase = Phase::Starting;
    }

    /// A code to check; the customer on screen (if any) stays the sale's owner meanwhile.
    pub fn check(&mut self, code: OneTimeCode) -> Call {
        let previous = match &self.phase {
            Phase::Customer { view, .. } => Some(view.customer_number),
            Phase::Checking { previous, .. } => *previous,
            _ => None,
        };
        self.phase = Phase::Checking { code, previous, keep_sale: false };
        self.call()
    }

    fn current(&self, turn: u32) -> bool {
        turn == self.turn
    }

    /// The server's answer to a check.
    pub fn checked(&mut self, turn: u32, outcome: ScanOutcome, now: f64) -> Option<Checked> {
        if !self.current(turn) {
            return None;
        }
        let Phase::Checking { code, previous, keep_sale } = std::mem::take(&mut self.phase) else {
            return None;
        };
        Some(match outcome {
            ScanOutcome::Customer(view) => {
                let held = self.sale_held_for.take() == Some(view.customer_number);
                let same = keep_sale || held || previous == Some(view.customer_number);
                if !same {
                    self.lines.clear();
                }
                self.phase = Phase::Customer { code, view, request: None, note: String::new(), other: None };
                Checked::Customer { new_sale: !same }
            }
            ScanOutcome::Admission(verdict) => {
                self.show(Shown::Gate(verdict), now, GATE_HOLD_MS);
                Checked::Shown
            }
            ScanOutcome::Bill(bill) => {
                self.phase = Phase::Bill { code, bill, request_id: None, paying: false, note: String::new() };
                Checked::Shown
            }
            ScanOutcome::Failed(failure) | ScanOutcome::NotResolved(failure) => {
                self.failed(failure, now);
                Checked::Shown
            }
        })
    }

    /// A finished result: the camera's reads wait `hold_ms`, and the result clears
    /// itself after the register's result time (never before the hold is over).
    fn show(&mut self, shown: Shown, now: f64, hold_ms: f64) {
        let hold_until = now + hold_ms;
        let clears_at = self.result_seconds.map(|seconds| (now + f64::from(seconds) * 1_000.0).max(hold_until));
        self.phase = Phase::Result { shown, hold_until, clears_at };
    }

    /// How long finished results stay: `0` keeps them until the cashier or the next
    /// code moves on; more than [`MAX_RESULT_SECONDS`] is refused.
    pub fn set_result_seconds(&mut self, seconds: u32) -> Result<(), String> {
        if seconds > MAX_RESULT_SECONDS {
            return Err(format!(
                "A result can stay at most {MAX_RESULT_SECONDS} s; 0 keeps it until the next customer."
            ));
        }
        self.result_seconds = (seconds > 0).then_some(seconds);
        Ok(())
    }

    /// The register's result time in seconds (`0`: never clears by itself).
    pub fn result_seconds(&self) -> u32 {
        self.result_seconds.unwrap_or(0)
    }

    /// Time passes: a finished result whose time is up goes back to `Ready` (true if
    /// it did). Only a result does; a customer on screen, a bill, a question on the
    /// customer's phone or a request in flight never clears by itself. The code still
    /// in view stays "seen", so it is not read again.
    pub fn tick(&mut self, now: f64) -> bool {
        match &self.phase {
            Phase::Result { clears_at: Some(at), .. } if now >= *at => {
                self.phase = Phase::Ready;
                true
            }
            _ => false,
        }
    }

    /// Milliseconds until the result on screen clears itself, if it will.
    pub fn clears_in(&self, now: f64) -> Option<f64> {
        match &self.phase {
            Phase::Result { clears_at: Some(at), .. } => Some((at - now).max(0.0)),
            _ => None,
        }
    }

    /// A request failed in a way that ends what was on screen.
    pub fn failed(&mut self, failure: Failure, now: f64) {
        match failure {
            Failure::Refused(error) if error.error == ErrorCode::TooManyAttempts => {
                // The camera waits out the delay; then the code still in view is read again.
                let seconds = error.retry_after_seconds.unwrap_or(1).max(1);
                self.seen.forget();
                self.show(Shown::Slowed { seconds }, now, seconds as f64 * 1_000.0);
            }
            Failure::Refused(error) => match Unusable::after(error.error) {
                Some(why) => self.phase = Phase::Unusable(why),
                None => self.show(Shown::Refused { code: error.error, message: error.message }, now, 0.0),
            },
            failure @ (Failure::Network | Failure::Unexpected(_)) => {
                // Let the code still in view be tried again after a short pause.
                self.seen.forget();
                self.show(Shown::Problem(failure_text(&failure)), now, RETRY_PAUSE_MS);
            }
        }
    }

    /// A note under the sale or the bill (a mistake to fix, a retry to make).
    pub fn note(&mut self, text: impl Into<String>) {
        match &mut self.phase {
            Phase::Customer { note, .. } | Phase::Bill { note, .. } => *note = text.into(),
            _ => {}
        }
    }

    fn start_request(&mut self, kind: Request) -> Option<(Call, OneTimeCode)> {
        let Phase::Customer { code, request, note, .. } = &mut self.phase else { return None };
        if request.is_some() {
            return None;
        }
        *request = Some(kind);
        note.clear();
        let code = code.clone();
        Some((self.call(), code))
    }

    /// The request of the customer on screen ended without leaving the screen.
    fn end_request(&mut self, turn: u32) -> bool {
        if !self.current(turn) {
            return false;
        }
        if let Phase::Customer { request, .. } = &mut self.phase {
            *request = None;
        }
        true
    }

    /// Starts "Add points" for `amount`; a retry of the same sale keeps its request id,
    /// so it is never counted twice (`fresh` is used otherwise).
    pub fn start_sale(&mut self, amount: MinorUnits, fresh: RequestId) -> Option<(Call, PendingSale, Vec<LineItem>)> {
        let (call, code) = self.start_request(Request::Sale)?;
        let coupon = self.coupon.clone();
        let retry =
            self.pending_sale.as_ref().filter(|p| p.code == code && p.amount == amount && p.coupon == coupon).cloned();
        let sale = retry.unwrap_or(PendingSale { code, amount, request_id: fresh, coupon });
        self.pending_sale = Some(sale.clone());
        Some((call, sale, self.lines.clone()))
    }

    /// The customer on screen and a call for their coupons.
    pub fn coupons_call(&self) -> Option<(Call, OneTimeCode)> {
        match &self.phase {
            Phase::Customer { code, .. } => Some((self.call(), code.clone())),
            _ => None,
        }
    }

    /// The coupons of the customer whose code was `asked_for`: an answer from before "Next
    /// customer", or for a customer no longer on screen, changes nothing.
    pub fn coupons_answered(&mut self, turn: u32, asked_for: &OneTimeCode, coupons: Vec<CouponOffer>) -> bool {
        let on_screen = matches!(&self.phase, Phase::Customer { code, .. } if code == asked_for);
        if !self.current(turn) || !on_screen {
            return false;
        }
        if !coupons.iter().any(|offer| Some(&offer.coupon_id) == self.coupon.as_ref()) {
            self.coupon = None;
        }
        self.coupons = coupons;
        true
    }

    /// No coupons: another customer, or the sale used one.
    pub fn clear_coupons(&mut self) {
        self.coupons.clear();
        self.coupon = None;
    }

    /// One click on a coupon applies it to the sale; a second click takes it off.
    pub fn choose_coupon(&mut self, coupon_id: &str) {
        let chosen = self.coupons.iter().find(|offer| offer.coupon_id.as_str() == coupon_id);
        self.coupon = match chosen {
            Some(offer) if self.coupon.as_ref() != Some(&offer.coupon_id) => Some(offer.coupon_id.clone()),
            _ => None,
        };
    }

    /// The coupon applied, with its offer.
    pub fn chosen_coupon(&self) -> Option<&CouponOffer> {
        let chosen = self.coupon.as_ref()?;
        self.coupons.iter().find(|offer| &offer.coupon_id == chosen)
    }

    pub fn sale_answered(&mut self, turn: u32, result: Result<PointsAccrued, Failure>, now: f64) -> bool {
        if !self.end_request(turn) {
            return false;
        }
        match result {
            Ok(accrued) => {
                self.pending_sale = None;
                self.lines.clear();
                self.clear_coupons();
                self.sale_held_for = None;
                let Some(currency) = self.currency() else { return false };
                // The spent code stays "seen" while it stays in view, so it is not
                // read again as `already_used`; the phone's fresh code is a new text.
                self.show(Shown::Sold { accrued, currency }, now, SOLD_HOLD_MS);
            }
            Err(Failure::Refused(error)) if error.error != ErrorCode::Internal => {
                // A clear "no": nothing was recorded, so a new attempt is a new sale.
                self.pending_sale = None;
                if error.error == ErrorCode::InvalidRequest {
                    self.note(crate::i18n::refused_text(error.error, &error.message));
                } else {
                    self.failed(Failure::Refused(error), now);
                }
            }
            Err(failure) => self.note(tf(Key::RetryAddPoints, &[("why", &failure_text(&failure))])),
        }
        true
    }

    /// The request id for an operation described by `key`: the same as last time
    /// if that one got no clear answer (a retry), else `fresh`.
    fn request_id_for(&mut self, key: String, fresh: RequestId) -> RequestId {
        match &self.pending_operation {
            Some((pending_key, id)) if *pending_key == key => id.clone(),
            _ => {
                self.pending_operation = Some((key, fresh.clone()));
                fresh
            }
        }
    }

    /// Starts a debit the customer's phone must approve (`key` names it, for retries).
    pub fn start_debit(&mut self, key: &str, fresh: RequestId) -> Option<(Call, OneTimeCode, RequestId)> {
        let (call, code) = self.start_request(Request::Asking)?;
        let request_id = self.request_id_for(format!("{}|{key}", code.as_str()), fresh);
        Some((call, code, request_id))
    }

    /// Starts a cash top-up of `amount`.
    pub fn start_top_up(&mut self, amount: MinorUnits, fresh: RequestId) -> Option<(Call, OneTimeCode, RequestId)> {
        let (call, code) = self.start_request(Request::TopUp)?;
        let request_id = self.request_id_for(format!("top-up|{}|{}", code.as_str(), amount.0), fresh);
        Some((call, code, request_id))
    }

    /// A debit or top-up was refused before anything happened, or got no answer.
    pub fn operation_failed(&mut self, turn: u32, failure: Failure, now: f64) {
        if !self.end_request(turn) {
            return;
        }
        match failure {
            Failure::Refused(error) if Unusable::after(error.error).is_some() => {
                self.pending_operation = None;
                self.failed(Failure::Refused(error), now);
            }
            Failure::Refused(error) if error.error != ErrorCode::Internal => {
                // A clear "no": nothing was asked or recorded; the customer stays on screen
                // for another choice (e.g. not enough points → pay another way).
                self.pending_operation = None;
                self.note(debit_refusal(error.error, &error.message));
            }
            failure => self.note(tf(Key::RetryDebit, &[("why", &failure_text(&failure))])),
        }
    }

    /// The customer's phone has the question (still unanswered); false if the turn is over.
    pub fn waiting(&mut self, turn: u32, status: DebitStatus, skew_ms: i64) -> bool {
        if !self.current(turn) {
            return false;
        }
        let (code, view) = match std::mem::take(&mut self.phase) {
            Phase::Customer { code, view, .. } | Phase::Waiting { code, view, .. } => (code, view),
            other => {
                self.phase = other;
                return false;
            }
        };
        self.phase = Phase::Waiting { code, view, status, skew_ms };
        true
    }

    /// The question being waited for, so "Cancel request" can withdraw it.
    pub fn question(&self) -> Option<(String, DebitWaitRequest)> {
        match &self.phase {
            Phase::Waiting { code, status, .. } => Some((
                self.token.clone(),
                DebitWaitRequest { code: code.clone(), request_id: status.request_id.clone() },
            )),
            _ => None,
        }
    }

    /// The question is still the one on screen (for its countdown).
    pub fn still_waiting_for(&self, request_id: &RequestId) -> bool {
        matches!(&self.phase, Phase::Waiting { status, .. } if &status.request_id == request_id)
    }

    /// Approved and applied (a debit), or a top-up recorded: the receipt is on screen
    /// and the code is spent, so the next read starts afresh.
    pub fn concluded(&mut self, turn: u32, receipt: Receipt, now: f64) -> bool {
        if !self.end_request(turn) {
            return false;
        }
        self.lines.clear();
        self.sale_held_for = None;
        if receipt.coupon.is_some() {
            // The coupon is used: it is not offered to this customer again.
            self.clear_coupons();
        }
        self.receipt_shown(receipt, now);
        true
    }

    /// A top-up often comes in the middle of a sale (the balance was short): the
    /// lines stay for this customer's next code.
    pub fn topped_up(&mut self, turn: u32, receipt: Receipt, now: f64) -> bool {
        if !self.end_request(turn) {
            return false;
        }
        self.sale_held_for = Some(receipt.customer_number);
        self.receipt_shown(receipt, now);
        true
    }

    fn receipt_shown(&mut self, receipt: Receipt, now: f64) {
        self.pending_operation = None;
        self.seen.forget();
        self.show(Shown::Concluded(receipt), now, RECEIPT_HOLD_MS);
    }

    /// The wait for the customer's answer was refused (e.g. the code is gone).
    pub fn question_failed(&mut self, turn: u32, failure: Failure, now: f64) {
        if self.current(turn) {
            self.pending_operation = None;
            self.failed(failure, now);
        }
    }

    /// Nothing was charged: the same customer's next code continues the sale.
    pub fn cancelled(&mut self, turn: u32, by: CancelledBy, now: f64) {
        if !self.current(turn) {
            return;
        }
        self.sale_held_for = self.customer().map(|(_, view)| view.customer_number);
        self.pending_operation = None;
        self.seen.forget();
        self.show(Shown::Cancelled(by), now, RECEIPT_HOLD_MS);
    }

    /// Starts "Paid" for the bill on screen; a retry keeps its request id, so it is
    /// never collected twice.
    pub fn start_paying(&mut self, fresh: RequestId) -> Option<(Call, OneTimeCode, RequestId)> {
        let call = self.call();
        let Phase::Bill { code, request_id, paying, note, .. } = &mut self.phase else { return None };
        if *paying {
            return None;
        }
        *paying = true;
        note.clear();
        let id = request_id.get_or_insert(fresh).clone();
        Some((call, code.clone(), id))
    }

    pub fn bill_answered(&mut self, turn: u32, result: Result<BillPaid, Failure>, now: f64) {
        if !self.current(turn) {
            return;
        }
        if let Phase::Bill { paying, .. } = &mut self.phase {
            *paying = false;
        }
        match result {
            // The paid bill's code stays "seen" while it stays in view, so it is not
            // read again as `already_paid` (as with a sale's code).
            Ok(paid) => self.show(Shown::Paid(paid), now, PAID_HOLD_MS),
            Err(Failure::Refused(error)) if error.error != ErrorCode::Internal => {
                self.failed(Failure::Refused(error), now)
            }
            Err(failure) => self.note(tf(Key::RetryPaid, &[("why", &failure_text(&failure))])),
        }
    }

    /// Adds a line to the sale (see `sale::with_line`); the reason if it cannot be added.
    pub fn add_line(&mut self, line: LineItem) -> Result<(), String> {
        let currency = self.currency().ok_or(t(Key::StillStarting))?;
        self.lines = sale::with_line(&self.lines, line, currency)?;
        Ok(())
    }

    pub fn remove_line(&mut self, index: usize) {
        if index < self.lines.len() {
            self.lines.remove(index);
        }
    }

    /// "Next customer": clears the screen; the same code may then be read again. A
    /// question still on the customer's phone is returned, to be withdrawn.
    pub fn next_customer(&mut self) -> Option<(String, DebitWaitRequest)> {
        let question = self.question();
        self.turn = self.turn.wrapping_add(1);
        self.pending_sale = None;
        self.pending_operation = None;
        self.lines.clear();
        self.sale_held_for = None;
        self.seen.forget();
        if !matches!(self.phase, Phase::Starting | Phase::Unusable(_) | Phase::Pairing(_)) {
            self.phase = Phase::Ready;
        }
        question
    }
}

/// Why a debit was refused before the customer was asked, for the cashier.
pub fn debit_refusal(code: ErrorCode, server_message: &str) -> String {
    use crate::i18n::refused_text;
    let english = crate::i18n::current() == crate::i18n::Lang::En;
    match code {
        // The server says how many points or how much value is missing (in English).
        ErrorCode::NotEnoughPoints if english => {
            tf(Key::NotEnoughPoints, &[("why", &refused_text(code, server_message))])
        }
        ErrorCode::InsufficientFunds if english => {
            tf(Key::NotEnoughPrepaid, &[("why", &refused_text(code, server_message))])
        }
        ErrorCode::PinNotSet => t(Key::NoPinYet).to_owned(),
        ErrorCode::AlreadyUsed | ErrorCode::Expired => t(Key::CodeUsedUp).to_owned(),
        ErrorCode::TooManyAttempts => t(Key::TooManyBadCodes).to_owned(),
        _ => refused_text(code, server_message),
    }
}

thread_local! {
    static TILL: RefCell<Till> = RefCell::new(Till::default());
}

/// The page's one till. Wasm runs on one thread; `with_till` never awaits, so a
/// borrow never spans a request.
pub fn with_till<R>(f: impl FnOnce(&mut Till) -> R) -> R {
    TILL.with(|till| f(&mut till.borrow_mut()))
}

/// Reads the till (views draw from it); `None` only if a change is under way.
pub fn read_till<R>(f: impl FnOnce(&Till) -> R) -> Option<R> {
    TILL.with(|till| till.try_borrow().ok().map(|till| f(&till)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::api::ApiError;
    use domain::shop::Label;

    fn code(seed: u8) -> OneTimeCode {
        OneTimeCode::from_entropy([seed; 16])
    }

    fn customer(number: u32) -> CustomerView {
        CustomerView {
            customer_number: CustomerNumber(number),
            display_name: None,
            points: 0,
            prepaid_minor: 0,
            usable_until: 0,
        }
    }

    fn id(text: &str) -> RequestId {
        RequestId::parse(text).unwrap()
    }

    fn line(name: &str) -> LineItem {
        LineItem { name: Label::parse(name).unwrap(), quantity: 1, unit_price: MinorUnits(250), product_code: None }
    }

    fn ready_till() -> Till {
        let info = serde_json::json!({
            "register_id": "reg-1",
            "register_name": "Till 1",
            "shop": { "shop_id": "corner", "name": "Corner", "currency": "EUR", "points_per_unit": 1 },
        });
        let mut till = Till::default();
        till.started(serde_json::from_value(info).unwrap());
        till
    }

    /// A till with customer `number` on screen (their code from `seed`).
    fn serving(till: &mut Till, seed: u8, number: u32) -> Option<Checked> {
        let call = till.check(code(seed));
        till.checked(call.turn, ScanOutcome::Customer(customer(number)), 0.0)
    }

    fn offer(id: &str) -> CouponOffer {
        serde_json::from_value(serde_json::json!({
            "coupon_id": id, "name": "Ten off", "kind": "percent_off", "percent": 10,
            "min_basket_minor": 0, "ends_at": 1,
        }))
        .unwrap()
    }

    #[test]
    fn a_click_applies_a_coupon_a_second_takes_it_off_and_the_sale_carries_it() {
        let mut till = ready_till();
        serving(&mut till, 1, 7);
        let (call, code) = till.coupons_call().unwrap();
        assert!(till.coupons_answered(call.turn, &code, vec![offer("c-1"), offer("c-2")]));
        till.choose_coupon("c-2");
        assert_eq!(till.coupon.as_ref().map(|c| c.as_str()), Some("c-2"));
        till.choose_coupon("c-9");
        assert_eq!(till.coupon, None, "an unknown id applies nothing");
        till.choose_coupon("c-1");
        till.choose_coupon("c-1");
        assert_eq!(till.coupon, None);
        till.choose_coupon("c-1");
        let (_, pending, _) = till.start_sale(MinorUnits(1000), RequestId::parse("req-00000001").unwrap()).unwrap();
        assert_eq!(pending.coupon.as_ref().map(|c| c.as_str()), Some("c-1"));
    }

    #[test]
    fn coupons_answered_for_an_earlier_customer_change_nothing() {
        let mut till = ready_till();
        serving(&mut till, 1, 7);
        let (old, code) = till.coupons_call().unwrap();
        serving(&mut till, 2, 8);
        assert!(!till.coupons_answered(old.turn, &code, vec![offer("c-1")]));
        assert!(till.coupons.is_empty());
    }

    fn refused(error: ErrorCode) -> Failure {
        Failure::Refused(ApiError::new(error, "no"))
    }

    /// An ADMIT at the gate, as the server answers it.
    fn admitted() -> Shown {
        Shown::Gate(
            serde_json::from_value(serde_json::json!({
                "admitted": true, "deny": null, "event_title": "Jazz", "seat": null,
                "entries_left": 0, "visitors": 1, "at": 0,
            }))
            .unwrap(),
        )
    }

    #[test]
    fn a_new_customer_starts_a_new_sale_the_same_one_keeps_it() {
        let mut till = ready_till();
        assert_eq!(serving(&mut till, 1, 7), Some(Checked::Customer { new_sale: true }));
        till.add_line(line("Coffee")).unwrap();
        assert_eq!(serving(&mut till, 2, 7), Some(Checked::Customer { new_sale: false }));
        assert_eq!(till.lines.len(), 1);
        assert_eq!(serving(&mut till, 3, 8), Some(Checked::Customer { new_sale: true }));
        assert!(till.lines.is_empty());
    }

    #[test]
    fn reads_wait_while_a_request_is_in_flight_or_a_result_is_held() {
        let mut till = ready_till();
        let texts = vec![code(1).as_str().to_owned()];
        assert_eq!(till.camera_read(&texts, 0.0), CameraRead::Check(texts[0].clone()));
        till.check(code(1));
        assert!(till.in_flight());
        assert!(!till.typed_read(&code(2), 10.0));
        let other = vec![code(2).as_str().to_owned()];
        assert_eq!(till.camera_read(&other, 10.0), CameraRead::Nothing);
        till.show(admitted(), 0.0, 1_000.0);
        assert_eq!(till.camera_read(&texts, 500.0), CameraRead::Nothing);
        assert_eq!(till.camera_read(&other, 600.0), CameraRead::Nothing);
        // The code kept in view while the result was held stays seen; a new one is taken.
        assert_eq!(till.camera_read(&texts, 1_000.0), CameraRead::Nothing);
        assert_eq!(till.camera_read(&other, 1_001.0), CameraRead::Check(other[0].clone()));
        assert!(till.typed_read(&code(3), 1_002.0));
    }

    #[test]
    fn an_answer_from_before_next_customer_changes_nothing() {
        let mut till = ready_till();
        let call = till.check(code(1));
        assert!(till.next_customer().is_none());
        assert!(till.checked(call.turn, ScanOutcome::Customer(customer(7)), 0.0).is_none());
        assert!(matches!(till.phase, Phase::Ready));
    }

    #[test]
    fn a_sale_retried_after_no_answer_keeps_its_request_id() {
        let mut till = ready_till();
        serving(&mut till, 1, 7);
        let (call, first, _) = till.start_sale(MinorUnits(1250), id("first-try")).unwrap();
        assert!(till.start_sale(MinorUnits(1250), id("double-click")).is_none(), "one request at a time");
        assert!(till.sale_answered(call.turn, Err(Failure::Network), 0.0));
        assert!(matches!(&till.phase, Phase::Customer { note, request: None, .. } if note.contains("again")));
        let (_, retry, _) = till.start_sale(MinorUnits(1250), id("second-try")).unwrap();
        assert_eq!(retry.request_id, first.request_id);
    }

    #[test]
    fn a_refused_debit_keeps_the_customer_with_the_reason() {
        let mut till = ready_till();
        serving(&mut till, 1, 7);
        let (call, _, _) = till.start_debit("redeem", id("debit-one")).unwrap();
        till.operation_failed(call.turn, refused(ErrorCode::NotEnoughPoints), 0.0);
        assert!(matches!(&till.phase, Phase::Customer { note, .. } if note.starts_with("Not enough points")));
        let (_, _, again) = till.start_debit("redeem", id("debit-two")).unwrap();
        assert_eq!(again, id("debit-two"), "a clear no: a new attempt is a new request");
    }

    #[test]
    fn a_cancelled_question_keeps_the_sale_for_that_customers_next_code() {
        let mut till = ready_till();
        serving(&mut till, 1, 7);
        till.add_line(line("Cake")).unwrap();
        let (call, _, _) = till.start_debit("charge", id("debit-one")).unwrap();
        let status: DebitStatus = serde_json::from_value(serde_json::json!({
            "request_id": "debit-one", "customer_number": 7,
            "debit": { "kind": "prepaid_charge", "amount": 250 }, "items": [],
            "expires_at": 60_000, "server_now": 0, "outcome": { "state": "pending" },
        }))
        .unwrap();
        assert!(till.waiting(call.turn, status, 0));
        assert!(till.question().is_some());
        till.cancelled(call.turn, CancelledBy::Customer, 0.0);
        assert!(matches!(till.phase, Phase::Result { shown: Shown::Cancelled(CancelledBy::Customer), .. }));
        assert_eq!(serving(&mut till, 2, 7), Some(Checked::Customer { new_sale: false }));
        assert_eq!(till.lines.len(), 1);
    }

    #[test]
    fn paid_is_retried_with_the_same_request_id_and_a_refusal_ends_the_bill() {
        let mut till = ready_till();
        let bill: BillAtRegister = serde_json::from_value(serde_json::json!({
            "bill": {
                "item": "b.water.bill-1", "biller": "City Water", "amount_minor": 4250,
                "currency": "EUR", "due_at": 0, "description": "Water", "reference": "INV-1",
                "payable_at": ["corner"], "paid": null, "cancelled_at": null,
            },
            "usable_until": 0,
        }))
        .unwrap();
        let call = till.check(code(1));
        assert_eq!(till.checked(call.turn, ScanOutcome::Bill(bill), 0.0), Some(Checked::Shown));
        let (call, _, first) = till.start_paying(id("paid-one")).unwrap();
        till.bill_answered(call.turn, Err(Failure::Network), 0.0);
        let (call, _, retry) = till.start_paying(id("paid-two")).unwrap();
        assert_eq!(retry, first);
        till.bill_answered(call.turn, Err(refused(ErrorCode::AlreadyPaid)), 0.0);
        assert!(matches!(till.phase, Phase::Result { shown: Shown::Refused { code: ErrorCode::AlreadyPaid, .. }, .. }));
    }

    #[test]
    fn a_refused_token_makes_the_register_unusable() {
        let mut till = ready_till();
        let call = till.check(code(1));
        till.checked(call.turn, ScanOutcome::Failed(refused(ErrorCode::Unauthorized)), 0.0);
        assert!(matches!(till.phase, Phase::Unusable(Unusable::BadCredential)));
        assert!(!till.typed_read(&code(2), 0.0));
    }

    #[test]
    fn a_revoked_register_says_so_from_any_call_and_takes_no_more_codes() {
        let mut till = ready_till();
        let call = till.check(code(1));
        till.checked(call.turn, ScanOutcome::Failed(refused(ErrorCode::RegisterRevoked)), 0.0);
        assert!(matches!(till.phase, Phase::Unusable(Unusable::Revoked)));
        assert!(!till.typed_read(&code(2), 0.0));
        assert_eq!(till.camera_read(&[code(3).as_str().to_owned()], 0.0), CameraRead::Nothing);

        // While the phone has a question, too: the wait's refusal ends it.
        let mut till = ready_till();
        serving(&mut till, 1, 7);
        let (call, _, _) = till.start_debit("redeem:coffee", id("debit-0001-aaaa-bbbb")).unwrap();
        till.operation_failed(call.turn, refused(ErrorCode::RegisterRevoked), 0.0);
        assert!(matches!(till.phase, Phase::Unusable(Unusable::Revoked)));
        assert_eq!(Unusable::after(ErrorCode::Unauthorized), Some(Unusable::BadCredential));
        assert_eq!(Unusable::after(ErrorCode::AlreadyUsed), None);
    }

    #[test]
    fn a_page_without_credential_shows_its_code_until_paired() {
        let mut till = Till::default();
        till.pairing(PairingCode::parse("ABCD-2345").unwrap());
        assert!(matches!(&till.phase, Phase::Pairing(code) if code.as_str() == "ABCD2345"));
        assert!(!till.typed_read(&code(1), 0.0), "no codes are looked up while pairing");
        assert!(till.next_customer().is_none());
        assert!(matches!(till.phase, Phase::Pairing(_)), "Next customer does not leave the pairing screen");
        till.paired("token-1".into());
        assert_eq!(till.token, "token-1");
        assert!(matches!(till.phase, Phase::Starting));
    }

    #[test]
    fn another_code_in_view_never_replaces_the_customer_by_itself() {
        let mut till = ready_till();
        let (first, second) = (code(1).as_str().to_owned(), code(2).as_str().to_owned());
        let (only_first, only_second) = (vec![first.clone()], vec![second.clone()]);
        assert_eq!(till.camera_read(&only_first, 0.0), CameraRead::Check(first.clone()));
        serving(&mut till, 1, 7);
        till.add_line(line("Coffee")).unwrap();
        // The customer's own code, and both codes in one frame, change nothing but the notice.
        assert_eq!(till.camera_read(&only_first, 100.0), CameraRead::Nothing);
        assert_eq!(till.camera_read(&[first.clone(), second.clone()], 200.0), CameraRead::AnotherCode);
        for t in 3..40 {
            let now = f64::from(t) * 100.0;
            assert_eq!(till.camera_read(&[first.clone(), second.clone()], now), CameraRead::Nothing);
        }
        // Out of view and back: still the same other code, still nothing new.
        assert_eq!(till.camera_read(&only_second, 10_000.0), CameraRead::Nothing);
        assert!(matches!(&till.phase, Phase::Customer { view, other: Some(other), .. }
            if view.customer_number == CustomerNumber(7) && other == &code(2)));
        assert_eq!(till.lines.len(), 1);
    }

    #[test]
    fn the_cashier_switches_keeping_or_clearing_the_sale() {
        for keep_sale in [true, false] {
            let mut till = ready_till();
            serving(&mut till, 1, 7);
            till.add_line(line("Coffee")).unwrap();
            assert_eq!(till.camera_read(&[code(2).as_str().to_owned()], 0.0), CameraRead::AnotherCode);
            let (call, switched) = till.switch_to_other(keep_sale).unwrap();
            assert_eq!(switched, code(2));
            let checked = till.checked(call.turn, ScanOutcome::Customer(customer(8)), 0.0);
            assert_eq!(checked, Some(Checked::Customer { new_sale: !keep_sale }));
            assert_eq!(till.lines.len(), usize::from(keep_sale));
            assert!(till.switch_to_other(keep_sale).is_none(), "nothing left to switch to");
        }
    }

    #[test]
    fn every_verdict_sounds_its_own_cue_and_a_request_in_flight_none() {
        let mut till = ready_till();
        assert_eq!(till.phase.cue(), None, "ready: nothing decided");
        till.check(code(1));
        assert_eq!(till.phase.cue(), None, "checking: nothing decided yet");
        serving(&mut till, 1, 7);
        assert_eq!(till.phase.cue(), Some(Cue::Customer));
        let (call, ..) = till.start_sale(MinorUnits(1250), id("first-sale")).unwrap();
        assert_eq!(till.phase.cue(), None, "a sale in flight");
        let accrued = PointsAccrued {
            customer_number: CustomerNumber(7),
            amount_minor: 1250,
            points_added: 12,
            points: 12,
            at: 0,
            receipt: None,
        };
        assert!(till.sale_answered(call.turn, Ok(accrued), 0.0));
        assert_eq!(till.phase.cue(), Some(Cue::Done));

        let gate = |deny: Option<domain::tickets::Deny>| GateVerdict {
            admitted: deny.is_none(),
            deny,
            event_title: Label::parse("Jazz").unwrap(),
            seat: None,
            entries_left: 0,
            visitors: 1,
            at: 0,
        };
        till.show(Shown::Gate(gate(None)), 0.0, 0.0);
        assert_eq!(till.phase.cue(), Some(Cue::Admit));
        till.show(Shown::Gate(gate(Some(domain::tickets::Deny::WrongVenue))), 0.0, 0.0);
        assert_eq!(till.phase.cue(), Some(Cue::Deny));

        till.failed(refused(ErrorCode::AlreadyUsed), 0.0);
        assert_eq!(till.phase.cue(), Some(Cue::AlreadyUsed));
        till.failed(refused(ErrorCode::AlreadyPaid), 0.0);
        assert_eq!(till.phase.cue(), Some(Cue::AlreadyUsed));
        till.failed(refused(ErrorCode::WrongShop), 0.0);
        assert_eq!(till.phase.cue(), Some(Cue::Refused));
        till.failed(Failure::Network, 0.0);
        assert_eq!(till.phase.cue(), Some(Cue::Refused));
    }

    #[test]
    fn a_slowed_register_waits_out_the_delay_then_reads_the_same_code_again() {
        let mut till = ready_till();
        let texts = vec![code(4).as_str().to_owned()];
        assert_eq!(till.camera_read(&texts, 0.0), CameraRead::Check(texts[0].clone()));
        let slowed = ApiError::new(ErrorCode::TooManyAttempts, "too many tries").retry_after(3);
        till.failed(Failure::Refused(slowed), 100.0);
        assert!(matches!(till.phase, Phase::Result { shown: Shown::Slowed { seconds: 3 }, .. }));
        assert_eq!(till.phase.cue(), Some(Cue::Refused));
        // The camera does not ask again during the wait, then reads the code still in view.
        assert_eq!(till.camera_read(&texts, 3_000.0), CameraRead::Nothing);
        assert_eq!(till.camera_read(&texts, 3_100.0), CameraRead::Check(texts[0].clone()));
        // Without a Retry-After the register still waits a second.
        till.failed(Failure::Refused(ApiError::new(ErrorCode::TooManyAttempts, "too many tries")), 0.0);
        assert!(matches!(till.phase, Phase::Result { shown: Shown::Slowed { seconds: 1 }, .. }));
    }

    /// Customer 7 served from code 1 (read by the camera at `now`) and sold to at `now`.
    fn sold_at(till: &mut Till, now: f64) {
        let texts = vec![code(1).as_str().to_owned()];
        assert_eq!(till.camera_read(&texts, now), CameraRead::Check(texts[0].clone()));
        serving(till, 1, 7);
        let (call, ..) = till.start_sale(MinorUnits(1250), id("first-sale")).unwrap();
        let accrued = PointsAccrued {
            customer_number: CustomerNumber(7),
            amount_minor: 1250,
            points_added: 12,
            points: 12,
            at: 0,
            receipt: None,
        };
        assert!(till.sale_answered(call.turn, Ok(accrued), now));
    }

    #[test]
    fn a_finished_result_clears_itself_after_five_seconds_by_default() {
        let mut till = ready_till();
        assert_eq!(till.result_seconds(), DEFAULT_RESULT_SECONDS);
        sold_at(&mut till, 1_000.0);
        assert_eq!(till.clears_in(1_000.0), Some(5_000.0));
        assert_eq!(till.clears_in(3_500.0), Some(2_500.0), "the countdown on screen");
        // The spent code stays in the camera's view all along.
        let texts = vec![code(1).as_str().to_owned()];
        for frame in 3..=12 {
            assert_eq!(till.camera_read(&texts, f64::from(frame) * 500.0), CameraRead::Nothing);
        }
        assert!(!till.tick(5_999.0));
        assert!(matches!(till.phase, Phase::Result { shown: Shown::Sold { .. }, .. }));
        assert!(till.tick(6_000.0));
        assert!(matches!(till.phase, Phase::Ready));
        assert_eq!(till.clears_in(6_000.0), None);
        // The spent code still in view is not read again (it would say "already used").
        assert_eq!(till.camera_read(&texts, 6_100.0), CameraRead::Nothing);
        assert!(!till.tick(60_000.0), "ready stays ready");

        // A refusal clears itself too.
        till.check(code(2));
        till.failed(refused(ErrorCode::AlreadyUsed), 70_000.0);
        assert!(!till.tick(74_999.0));
        assert!(till.tick(75_000.0));
    }

    #[test]
    fn a_customer_a_bill_or_a_question_never_clears_by_itself() {
        let mut till = ready_till();
        serving(&mut till, 1, 7);
        till.add_line(line("Coffee")).unwrap();
        assert!(!till.tick(1e12));
        assert!(matches!(till.phase, Phase::Customer { .. }));
        assert_eq!(till.lines.len(), 1, "the sale in progress is kept");
        assert_eq!(till.clears_in(0.0), None);

        let (call, ..) = till.start_sale(MinorUnits(250), id("first-sale")).unwrap();
        assert!(!till.tick(1e12), "a sale in flight");
        assert!(till.sale_answered(call.turn, Err(Failure::Network), 0.0));
        assert!(!till.tick(1e12), "the customer stays with the retry note");
        assert!(matches!(till.phase, Phase::Customer { .. }));

        let (call, ..) = till.start_debit("redeem", id("first-debit")).unwrap();
        let status: DebitStatus = serde_json::from_value(serde_json::json!({
            "request_id": "first-debit", "customer_number": 7,
            "debit": { "kind": "prepaid_charge", "amount": 250 }, "items": [],
            "expires_at": 60_000, "server_now": 0, "outcome": { "state": "pending" },
        }))
        .unwrap();
        assert!(till.waiting(call.turn, status, 0));
        assert!(!till.tick(1e12), "a question on the customer's phone");
        assert!(matches!(till.phase, Phase::Waiting { .. }));
    }

    #[test]
    fn the_result_time_is_a_setting_never_shorter_than_the_hold() {
        let mut till = ready_till();
        till.set_result_seconds(0).unwrap();
        sold_at(&mut till, 0.0);
        assert!(!till.tick(1e12), "0: a result stays until the next customer");
        assert_eq!(till.clears_in(0.0), None);

        let mut till = ready_till();
        till.set_result_seconds(10).unwrap();
        sold_at(&mut till, 0.0);
        assert!(!till.tick(9_999.0));
        assert!(till.tick(10_000.0));

        // One second asked, but ADMIT stays its 2.5 s hold: the camera would replace it anyway.
        till.set_result_seconds(1).unwrap();
        till.show(admitted(), 0.0, GATE_HOLD_MS);
        assert!(!till.tick(GATE_HOLD_MS - 1.0));
        assert!(till.tick(GATE_HOLD_MS));

        assert!(till.set_result_seconds(MAX_RESULT_SECONDS + 1).is_err());
        assert_eq!(till.result_seconds(), 1, "a refused setting changes nothing");
    }
}
