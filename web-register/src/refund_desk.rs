//! The refund desk: a panel beside the till (opened with F8) where the cashier
//! types a receipt number (or scans or types the customer's code and picks one
//! of their latest receipts), sees its lines, picks all or some and confirms. Its
//! own small state machine, apart from the till's [`Phase`](crate::state::Phase):
//! a refund needs no customer on screen and leaves the sale alone. No DOM, no
//! I/O here, so the transitions are tested natively.

use crate::i18n::{failure_text, t, tf, Key};
use domain::api::refunds::{CustomerReceipts, RefundableReceipt};
use domain::api::ErrorCode;
use domain::code::OneTimeCode;
use domain::receipt::Receipt;
use domain::refund::LineRefund;
use domain::shop::RequestId;
use std::cell::RefCell;
use web_shared::http::Failure;

/// What the desk shows.
#[derive(Debug, Clone, Default)]
pub enum Step {
    #[default]
    Closed,
    /// Waiting for a receipt number; `error` says why the last one found nothing.
    Asking { error: String },
    /// The server is asked for the receipt.
    Finding,
    /// The server is asked for the customer's latest receipts.
    Listing,
    /// The customer's latest receipts; the cashier picks one.
    Choosing { customer: CustomerReceipts },
    /// The receipt and its lines; the cashier picks what to refund.
    Picking { found: RefundableReceipt, busy: bool, error: String },
    /// Refunded: the refund receipt.
    Done { refund: Receipt },
}

/// The desk's state.
#[derive(Debug, Default)]
pub struct RefundDesk {
    pub step: Step,
    /// A refund sent without a clear answer: its retry (same receipt, same lines)
    /// reuses the request id, so it cannot refund twice.
    pending: Option<(String, RequestId)>,
    /// The last customer code looked up, so a code staying in the camera's view is asked once.
    last_code: Option<OneTimeCode>,
    /// The refund sent last was refused for want of a manager's approval: the
    /// desk asks for their staff number and PIN, and [`Self::retry`] sends it
    /// again (same lines, same request id) with them.
    pub approval_needed: bool,
    /// What the refund sent last asked for (`None` inside: all that is left).
    last_picks: Option<Option<Vec<u32>>>,
}

/// A refund the handler sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Send {
    pub receipt_number: String,
    pub lines: Option<Vec<LineRefund>>,
    pub request_id: RequestId,
}

impl RefundDesk {
    pub fn is_open(&self) -> bool {
        !matches!(self.step, Step::Closed)
    }

    pub fn open(&mut self) {
        self.approval_needed = false;
        if matches!(self.step, Step::Closed | Step::Done { .. }) {
            self.step = Step::Asking { error: String::new() };
        }
    }

    pub fn close(&mut self) {
        self.step = Step::Closed;
        self.pending = None;
        self.last_code = None;
    }

    /// Starts listing the receipts of the customer whose code was typed or seen;
    /// `None` if it is not a code, or the same code again, or the desk is busy.
    pub fn list(&mut self, text: &str, typed: bool) -> Option<OneTimeCode> {
        let waiting = matches!(self.step, Step::Asking { .. } | Step::Choosing { .. } | Step::Done { .. });
        if !waiting {
            return None;
        }
        let Ok(code) = OneTimeCode::parse(text) else {
            if typed {
                self.step = Step::Asking { error: t(Key::NotCustomerCode).into() };
            }
            return None;
        };
        if !typed && self.last_code.as_ref() == Some(&code) {
            return None;
        }
        self.last_code = Some(code.clone());
        self.step = Step::Listing;
        Some(code)
    }

    pub fn listed(&mut self, answer: Result<CustomerReceipts, Failure>) {
        if !matches!(self.step, Step::Listing) {
            return;
        }
        self.step = match answer {
            Ok(customer) if customer.receipts.is_empty() => {
                let customer = customer.customer_number.to_string();
                Step::Asking { error: tf(Key::NoReceiptsYet, &[("customer", &customer)]) }
            }
            Ok(customer) => Step::Choosing { customer },
            Err(failure) => Step::Asking { error: failure_text(&failure) },
        };
    }

    /// The cashier picks one of the customer's receipts; `true` if it is on screen to pick lines.
    pub fn choose(&mut self, receipt_number: &str) -> bool {
        let Step::Choosing { customer } = &self.step else { return false };
        let Some(found) = customer.receipts.iter().find(|r| r.receipt.receipt_number == receipt_number) else {
            return false;
        };
        if found.left.iter().all(|left| *left == 0) {
            return false;
        }
        self.step = Step::Picking { found: found.clone(), busy: false, error: String::new() };
        true
    }

    /// Starts finding `typed`; `None` (nothing to ask) if it is empty or a search is on.
    pub fn find(&mut self, typed: &str) -> Option<String> {
        let number = typed.trim().to_owned();
        if number.is_empty() {
            self.step = Step::Asking { error: t(Key::TypeReceiptNumber).into() };
            return None;
        }
        if matches!(self.step, Step::Finding | Step::Closed) {
            return None;
        }
        self.step = Step::Finding;
        Some(number)
    }

    pub fn found(&mut self, answer: Result<RefundableReceipt, Failure>) {
        if !matches!(self.step, Step::Finding) {
            return;
        }
        self.step = match answer {
            Ok(found) if found.left.is_empty() => Step::Asking { error: t(Key::NotRefundableKind).into() },
            Ok(found) => Step::Picking { found, busy: false, error: String::new() },
            Err(failure) => Step::Asking { error: failure_text(&failure) },
        };
    }

    /// Starts the refund of `picks` (quantity per line, 1 = first; `None`: all
    /// that is left). `fresh` makes a request id if none is pending for this refund.
    pub fn start(&mut self, picks: Option<Vec<u32>>, fresh: impl FnOnce() -> Option<RequestId>) -> Option<Send> {
        let Step::Picking { found, busy, error } = &mut self.step else { return None };
        if *busy {
            return None;
        }
        self.last_picks = Some(picks.clone());
        let lines = match picks {
            None => None,
            Some(picks) => {
                let chosen: Vec<LineRefund> = (1u32..)
                    .zip(picks)
                    .filter(|(_, quantity)| *quantity > 0)
                    .map(|(line, quantity)| LineRefund { line, quantity })
                    .collect();
                if chosen.is_empty() {
                    *error = t(Key::ChooseLine).into();
                    return None;
                }
                Some(chosen)
            }
        };
        if found.left.iter().all(|left| *left == 0) {
            *error = t(Key::AlreadyRefundedInFull).into();
            return None;
        }
        let receipt_number = found.receipt.receipt_number.clone();
        let key = format!("{receipt_number}|{lines:?}");
        let request_id = match &self.pending {
            Some((pending, id)) if *pending == key => id.clone(),
            _ => fresh()?,
        };
        self.pending = Some((key, request_id.clone()));
        *busy = true;
        error.clear();
        Some(Send { receipt_number, lines, request_id })
    }

    pub fn refunded(&mut self, answer: Result<Receipt, Failure>) {
        let Step::Picking { busy, error, .. } = &mut self.step else { return };
        *busy = false;
        match answer {
            Ok(refund) => {
                self.pending = None;
                self.approval_needed = false;
                self.step = Step::Done { refund };
            }
            Err(failure) => {
                // Waiting for a manager keeps the request id: the approved retry is the same refund.
                let needs_manager = failure.is(ErrorCode::ApprovalRequired)
                    || (self.approval_needed && (failure.is(ErrorCode::WrongPin) || failure.is(ErrorCode::PinLocked)));
                if !matches!(failure, Failure::Network) && !needs_manager {
                    self.pending = None;
                }
                self.approval_needed = needs_manager;
                *error = failure_text(&failure);
            }
        }
    }

    /// The refund asked for last, to send again with a manager's approval.
    pub fn retry(&self) -> Option<Option<Vec<u32>>> {
        if self.approval_needed {
            self.last_picks.clone()
        } else {
            None
        }
    }
}

thread_local! {
    static DESK: RefCell<RefundDesk> = RefCell::new(RefundDesk::default());
}

/// The page's one refund desk (never borrowed across an await).
pub fn with_desk<R>(f: impl FnOnce(&mut RefundDesk) -> R) -> R {
    DESK.with(|desk| f(&mut desk.borrow_mut()))
}

/// Whether the desk is open (the camera's reads wait meanwhile).
pub fn is_open() -> bool {
    DESK.with(|desk| desk.try_borrow().map(|desk| desk.is_open()).unwrap_or(true))
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::api::{ApiError, ErrorCode};
    use domain::money::{Currency, MinorUnits};
    use domain::receipt::ReceiptDetails;
    use domain::sale::LineItem;
    use domain::shop::{CustomerNumber, Label, RegisterId, ShopId};

    fn found(left: Vec<u32>) -> RefundableReceipt {
        let item = |name: &str, quantity| LineItem {
            name: Label::parse(name).unwrap(),
            quantity,
            unit_price: MinorUnits(250),
            product_code: None,
        };
        RefundableReceipt {
            receipt: Receipt {
                receipt_number: "4-0002".into(),
                shop_id: ShopId::parse("s").unwrap(),
                shop_name: Label::parse("S").unwrap(),
                currency: Currency::parse("EUR").unwrap(),
                register_id: RegisterId::parse("r").unwrap(),
                register_name: Label::parse("R").unwrap(),
                store_id: Default::default(),
                store_name: None,
                request_id: RequestId::parse("req-00001").unwrap(),
                customer_number: CustomerNumber(4),
                at: 0,
                items: vec![item("Coffee", 2), item("Cake", 1)],
                details: ReceiptDetails::Points { sale_minor: 750, points_added: 7, points_before: 0, points_after: 7 },
                refunded: None,
                header: Default::default(),
                time_zone: None,
                coupon: None,
                card: None,
                processor_refund: None,
                footer: Default::default(),
                served_by: None,
                approved_by: None,
            },
            left,
        }
    }

    fn id(text: &str) -> Option<RequestId> {
        RequestId::parse(text).ok()
    }

    fn picking(desk: &mut RefundDesk, left: Vec<u32>) {
        desk.open();
        assert_eq!(desk.find(" 4-0002 ").as_deref(), Some("4-0002"));
        desk.found(Ok(found(left)));
        assert!(matches!(desk.step, Step::Picking { .. }));
    }

    #[test]
    fn find_then_refund_all() {
        let mut desk = RefundDesk::default();
        assert!(!desk.is_open());
        assert_eq!(desk.find("4-0002"), None, "closed: nothing is asked");
        picking(&mut desk, vec![2, 1]);
        let send = desk.start(None, || id("refund-0001")).unwrap();
        assert_eq!(send, Send { receipt_number: "4-0002".into(), lines: None, request_id: id("refund-0001").unwrap() });
        assert_eq!(desk.start(None, || id("refund-0002")), None, "one refund at a time");
        let refund = found(vec![]).receipt;
        desk.refunded(Ok(refund.clone()));
        assert!(matches!(&desk.step, Step::Done { refund: shown } if *shown == refund));
        desk.open();
        assert!(matches!(desk.step, Step::Asking { .. }));
    }

    #[test]
    fn a_refund_waiting_for_a_manager_is_retried_under_its_request_id() {
        let mut desk = RefundDesk::default();
        picking(&mut desk, vec![2, 1]);
        let send = desk.start(Some(vec![2, 0]), || id("refund-0001")).unwrap();
        assert_eq!(desk.retry(), None, "no approval asked yet");
        let refused = |code| Err(Failure::Refused(ApiError::new(code, "needs a manager")));
        desk.refunded(refused(ErrorCode::ApprovalRequired));
        assert!(desk.approval_needed);
        assert_eq!(desk.retry(), Some(Some(vec![2, 0])));
        let again = desk.start(desk.retry().unwrap(), || id("refund-0002")).unwrap();
        assert_eq!(again.request_id, send.request_id, "the approved refund is the same refund");
        desk.refunded(refused(ErrorCode::WrongPin));
        assert!(desk.approval_needed, "a wrong manager PIN asks again");
        let third = desk.start(desk.retry().unwrap(), || id("refund-0003")).unwrap();
        assert_eq!(third.request_id, send.request_id);
        desk.refunded(Ok(found(vec![]).receipt));
        assert!(!desk.approval_needed);
        assert!(matches!(desk.step, Step::Done { .. }));
    }

    #[test]
    fn some_lines_and_a_retry_keeps_the_request_id() {
        let mut desk = RefundDesk::default();
        picking(&mut desk, vec![2, 1]);
        assert_eq!(desk.start(Some(vec![0, 0]), || id("refund-0001")), None);
        assert!(matches!(&desk.step, Step::Picking { error, .. } if !error.is_empty()));
        let send = desk.start(Some(vec![1, 0]), || id("refund-0001")).unwrap();
        assert_eq!(send.lines, Some(vec![LineRefund { line: 1, quantity: 1 }]));
        desk.refunded(Err(Failure::Network));
        let retry = desk.start(Some(vec![1, 0]), || id("refund-0002")).unwrap();
        assert_eq!(retry.request_id, send.request_id, "a retry after no answer reuses the id");
        let refused = ApiError::new(ErrorCode::AlreadyRefunded, "line 1: only 0 left to refund");
        desk.refunded(Err(Failure::Refused(refused)));
        let other = desk.start(Some(vec![0, 1]), || id("refund-0003")).unwrap();
        assert_eq!(other.request_id, id("refund-0003").unwrap());
    }

    #[test]
    fn a_customers_code_lists_receipts_to_choose_from() {
        let mut desk = RefundDesk::default();
        desk.open();
        assert_eq!(desk.list("not a code", true), None);
        assert!(matches!(&desk.step, Step::Asking { error } if error.contains("not a customer's code")));
        let code = OneTimeCode::from_entropy([7; 16]);
        assert_eq!(desk.list(code.as_str(), false), Some(code.clone()));
        assert_eq!(desk.list(code.as_str(), false), None, "busy");
        let mut done = found(vec![0, 0]);
        done.receipt.receipt_number = "4-0001".into();
        desk.listed(Ok(CustomerReceipts {
            customer_number: CustomerNumber(4),
            receipts: vec![found(vec![2, 1]), done],
        }));
        assert!(matches!(desk.step, Step::Choosing { .. }));
        assert_eq!(desk.list(code.as_str(), false), None, "the same code still in view is asked once");
        assert!(!desk.choose("4-0001"), "nothing left to refund on it");
        assert!(!desk.choose("9-0009"));
        assert!(desk.choose("4-0002"));
        assert!(matches!(&desk.step, Step::Picking { found, .. } if found.left == vec![2, 1]));
        desk.close();
        desk.open();
        assert_eq!(desk.list(code.as_str(), false), Some(code), "a new session asks again");
        desk.listed(Ok(CustomerReceipts { customer_number: CustomerNumber(4), receipts: vec![] }));
        assert!(matches!(&desk.step, Step::Asking { error } if error.contains("no receipts")));
    }

    #[test]
    fn nothing_found_asks_again() {
        let mut desk = RefundDesk::default();
        desk.open();
        assert_eq!(desk.find("   "), None);
        assert!(matches!(&desk.step, Step::Asking { error } if !error.is_empty()));
        desk.find("9-0001");
        desk.found(Err(Failure::Refused(ApiError::new(ErrorCode::NotFound, "there is no receipt"))));
        assert!(matches!(&desk.step, Step::Asking { error } if error.starts_with("There is no receipt")));
        desk.find("9-0002");
        desk.found(Ok(found(vec![])));
        assert!(matches!(&desk.step, Step::Asking { error } if error.contains("cannot be refunded")));
        desk.close();
        assert!(!desk.is_open());
    }
}
