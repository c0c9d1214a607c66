//! Debits the customer confirms on their phone: the register asks, then
//! long-polls the answer (`/api/register/debits/wait`), so it hears
//! "concluded" or "cancelled" within a moment of the customer's tap. A retry
//! after a lost answer reuses the request id and re-attaches to the same question.
//! Cash top-ups need no question: they only add.

use crate::api::{self, Failure};
use domain::api::{DebitOperation, DebitOutcome, DebitRequest, DebitStatus, DebitWaitRequest, TopUpRequest};
use domain::code::OneTimeCode;
use domain::confirmation::CancelledBy;
use domain::coupons::CouponId;
use domain::money::MinorUnits;
use domain::receipt::Receipt;
use domain::shop::RequestId;
use web_shared::timing::sleep;

/// After a lost connection, ask again after this long (the question lives on the server).
const RECONNECT_MS: i32 = 1_000;

/// How the customer answered.
#[derive(Debug, Clone)]
pub enum Answer {
    Concluded(Box<Receipt>),
    Cancelled(CancelledBy),
    Failed(Failure),
    /// The register moved on (`on_pending` said no).
    Abandoned,
}

/// Puts `operation` to the customer's phone (the first answer is usually "pending").
pub async fn ask(
    token: &str,
    code: OneTimeCode,
    request_id: RequestId,
    operation: DebitOperation,
    coupon_id: Option<CouponId>,
) -> Result<DebitStatus, Failure> {
    api::debit(token, &DebitRequest { code, request_id, operation, coupon_id }).await
}

/// Follows the question until the customer answers. `on_pending` hears every
/// "still pending" status and says whether the register still waits.
pub async fn follow(
    token: &str,
    code: &OneTimeCode,
    mut status: DebitStatus,
    mut on_pending: impl FnMut(&DebitStatus) -> bool,
) -> Answer {
    loop {
        match status.outcome {
            DebitOutcome::Concluded { receipt } => return Answer::Concluded(Box::new(receipt)),
            DebitOutcome::Cancelled { by } => return Answer::Cancelled(by),
            DebitOutcome::Pending => {
                if !on_pending(&status) {
                    return Answer::Abandoned;
                }
                let request = DebitWaitRequest { code: code.clone(), request_id: status.request_id.clone() };
                match api::debit_wait(token, &request).await {
                    Ok(next) => status = next,
                    Err(failure @ Failure::Refused(_)) => return Answer::Failed(failure),
                    Err(_) => sleep(RECONNECT_MS).await,
                }
            }
        }
    }
}

/// Withdraws the question; the long-poll then hears "cancelled".
pub async fn withdraw(token: &str, request: &DebitWaitRequest) -> Result<DebitStatus, Failure> {
    api::debit_cancel(token, request).await
}

/// Cash received → prepaid value.
pub async fn top_up(
    token: &str,
    code: OneTimeCode,
    request_id: RequestId,
    amount: MinorUnits,
) -> Result<Receipt, Failure> {
    api::top_up(token, &TopUpRequest { code, request_id, amount_minor: amount.0 }).await
}
