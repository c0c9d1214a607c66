//! The register's recent scans: the last few codes this register read (camera
//! or typed), newest first, each with its time, what it was (a customer by
//! their per-shop number, a ticket, a bill) and the verdict — so a cashier can
//! answer "did it go through?" after the result has cleared. Kept in the page
//! only (a reload starts afresh): the server's books are the record.

use crate::flows::checkout::ScanOutcome;
use crate::i18n::{self, t, tf, Key};
use std::cell::RefCell;
use std::collections::VecDeque;

/// How many scans the list keeps.
pub const KEPT: usize = 8;

/// How a scan ended, for its colour and for screen readers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Found,
    Refused,
}

impl Tone {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Found => "found",
            Self::Refused => "refused",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecentScan {
    /// When the answer came, Unix ms.
    pub at: i64,
    /// What the code was: "Customer #12", "Ticket", "Bill", or "Code" when refused.
    pub subject: String,
    pub verdict: String,
    pub tone: Tone,
}

/// What a scan's answer says, as one line of the list.
pub fn describe(outcome: &ScanOutcome, at: i64) -> RecentScan {
    let (subject, verdict, tone) = match outcome {
        ScanOutcome::Customer(view) => {
            let customer = tf(Key::RecentCustomer, &[("n", &view.customer_number.0.to_string())]);
            (customer, tf(Key::RecentPoints, &[("n", &view.points.to_string())]), Tone::Found)
        }
        ScanOutcome::Admission(gate) if gate.admitted => {
            (t(Key::Ticket).to_owned(), t(Key::Admit).to_owned(), Tone::Found)
        }
        ScanOutcome::Admission(gate) => {
            let reason = gate.deny.as_ref().map(i18n::deny_word).unwrap_or_default();
            (t(Key::Ticket).to_owned(), format!("{} {reason}", t(Key::Deny)).trim_end().to_owned(), Tone::Refused)
        }
        ScanOutcome::Bill(bill) => (t(Key::Bill).to_owned(), bill.bill.description.as_str().to_owned(), Tone::Found),
        ScanOutcome::Failed(failure) | ScanOutcome::NotResolved(failure) => (
            t(Key::Code).to_owned(),
            failure.code().map(i18n::code_word).unwrap_or_else(|| i18n::failure_text(failure)),
            Tone::Refused,
        ),
    };
    RecentScan { at, subject, verdict, tone }
}

thread_local! {
    static SCANS: RefCell<VecDeque<RecentScan>> = const { RefCell::new(VecDeque::new()) };
}

/// Puts `scan` on top of the list, dropping the oldest past [`KEPT`].
pub fn record(scan: RecentScan) {
    SCANS.with(|scans| {
        let mut scans = scans.borrow_mut();
        scans.push_front(scan);
        scans.truncate(KEPT);
    });
}

/// The list, newest first.
pub fn all() -> Vec<RecentScan> {
    SCANS.with(|scans| scans.borrow().iter().cloned().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::api::{ApiError, CustomerView, ErrorCode};
    use domain::shop::CustomerNumber;
    use web_shared::http::Failure;

    #[test]
    fn a_customer_is_named_by_their_shop_number_and_a_refusal_by_its_reason() {
        let view = CustomerView {
            customer_number: CustomerNumber(12),
            display_name: None,
            points: 40,
            prepaid_minor: 0,
            usable_until: 0,
        };
        let found = describe(&ScanOutcome::Customer(view), 5);
        assert_eq!(
            (found.subject.as_str(), found.verdict.as_str(), found.tone),
            ("Customer #12", "40 points", Tone::Found)
        );
        let used = Failure::Refused(ApiError::new(ErrorCode::AlreadyUsed, "this code was already used"));
        let refused = describe(&ScanOutcome::Failed(used), 6);
        assert_eq!((refused.subject.as_str(), refused.verdict.as_str()), ("Code", "already used"));
        assert_eq!(refused.tone, Tone::Refused);
        assert_eq!(describe(&ScanOutcome::Failed(Failure::Network), 7).verdict, Failure::Network.message());
    }

    #[test]
    fn the_list_keeps_the_newest_few() {
        for at in 0..(KEPT as i64 + 3) {
            record(RecentScan { at, subject: "Code".into(), verdict: "expired".into(), tone: Tone::Refused });
        }
        let kept = all();
        assert_eq!(kept.len(), KEPT);
        assert_eq!(kept.first().map(|scan| scan.at), Some(KEPT as i64 + 2), "newest first");
    }
}
