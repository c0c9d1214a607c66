//! What the register knows right now. Wasm runs on one thread, so one thread-local
//! cell is enough; `with_till` never awaits, so a borrow never spans a request.

use crate::seen::SeenTexts;
use domain::api::{CustomerView, RegisterInfo};
use domain::code::OneTimeCode;
use domain::money::MinorUnits;
use domain::sale::LineItem;
use domain::shop::{CustomerNumber, RequestId};
use std::cell::RefCell;

#[derive(Default)]
pub struct Till {
    pub token: String,
    pub info: Option<RegisterInfo>,
    pub seen: SeenTexts,
    /// A resolve or sale is in flight: reads wait.
    pub busy: bool,
    /// The customer on screen and the code that identified them.
    pub customer: Option<(OneTimeCode, CustomerView)>,
    /// A sale sent without a clear answer; retrying it reuses its request id.
    pub pending_sale: Option<PendingSale>,
    /// Reads are ignored until then (e.g. while a sale's result is on screen).
    pub paused_until: f64,
    /// Bumped by "Next customer": answers to an older turn are dropped.
    pub turn: u32,
    /// The sale's lines: from the product list, or typed as "Other item".
    pub lines: Vec<LineItem>,
    /// Whose sale the lines are while no customer is on screen, after a top-up spent
    /// the code or a question was cancelled: that customer's next code brings the
    /// sale back, anyone else's starts a new one.
    pub sale_held_for: Option<CustomerNumber>,
    /// A debit or top-up sent without a clear answer: its retry reuses the request id.
    pub pending_operation: Option<(String, RequestId)>,
    /// The question the customer's phone has now (token and its reference), while waiting.
    pub waiting: Option<(String, domain::api::DebitWaitRequest)>,
}

impl Till {
    /// The request id for an operation described by `key`: the same as last time
    /// if that one got no clear answer (a retry), else a fresh one.
    pub fn request_id_for(&mut self, key: String) -> Option<RequestId> {
        if let Some((pending_key, id)) = &self.pending_operation {
            if *pending_key == key {
                return Some(id.clone());
            }
        }
        let id = crate::request_id::fresh()?;
        self.pending_operation = Some((key, id.clone()));
        Some(id)
    }
}

#[derive(Clone)]
pub struct PendingSale {
    pub code: OneTimeCode,
    pub amount: MinorUnits,
    pub request_id: RequestId,
}

pub use web_shared::text::{points_text, sentence};

thread_local! {
    static TILL: RefCell<Till> = RefCell::new(Till::default());
}

pub fn with_till<R>(f: impl FnOnce(&mut Till) -> R) -> R {
    TILL.with(|till| f(&mut till.borrow_mut()))
}
