//! The refund desk's handlers, one per button or key (wired in `lib.rs`): a
//! transition of [`RefundDesk`](crate::refund_desk::RefundDesk), drawn by
//! [`views::refund`], then the flow's I/O, whose answer goes back to the desk.
//! A refund above the shop's limit is sent again with a manager's staff number
//! and PIN ([`approve`]).

use crate::dom;
use crate::flows;
use crate::i18n::{t, Key};
use crate::refund_desk::{self, with_desk};
use crate::request_id;
use crate::state::read_till;
use crate::views;
use domain::api::refunds::{CustomerReceiptsRequest, RefundRequest};
use domain::api::staff::ManagerApproval;
use domain::staff::StaffNumber;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;

/// The desk again in the page's language (after a switch); the cashier's picks stay.
pub fn speak() {
    render(false);
}

fn render(new_receipt: bool) {
    with_desk(|desk| views::refund::render(desk, new_receipt));
}

fn token() -> String {
    read_till(|till| till.token.clone()).unwrap_or_default()
}

fn focus(id: &str) {
    if let Some(element) = dom::element(id).and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = element.focus();
    }
}

/// "Refund" (F8): the desk opens, ready for a receipt number.
pub fn open() {
    with_desk(|desk| desk.open());
    dom::set_input_value("refund-number", "");
    render(false);
    focus("refund-number");
}

/// "Close" (Esc): back to the till.
pub fn close() {
    with_desk(|desk| desk.close());
    render(false);
}

/// "Find": the receipt by the number typed.
pub fn find() {
    let typed = dom::input_value("refund-number");
    let Some(number) = with_desk(|desk| desk.find(&typed)) else { return render(false) };
    render(false);
    let token = token();
    spawn_local(async move {
        let answer = flows::refund::find(&token, &number).await;
        with_desk(|desk| desk.found(answer));
        render(true);
    });
}

/// A receipt's QR in front of the camera: the desk opens (if it was closed) and
/// finds that receipt. The same receipt still in view is not looked up again.
pub fn receipt_read(number: &str) {
    if refund_desk::is_open() && dom::input_value("refund-number") == number {
        return;
    }
    if !refund_desk::is_open() {
        open();
    }
    dom::set_input_value("refund-number", number);
    find();
}

/// "Their receipts": the customer's code as typed.
pub fn list_typed() {
    let typed: String = dom::input_value("refund-code").chars().filter(|c| !c.is_whitespace()).collect();
    list(&typed, true);
}

/// What the camera reads while the desk is open: a customer's code lists their receipts.
pub fn camera_reads(texts: &[String]) {
    if let Some(text) = texts.first() {
        list(text, false);
    }
}

fn list(text: &str, typed: bool) {
    let Some(code) = with_desk(|desk| desk.list(text, typed)) else { return render(false) };
    render(false);
    let token = token();
    spawn_local(async move {
        let answer = flows::refund::customer_receipts(&token, &CustomerReceiptsRequest { code }).await;
        with_desk(|desk| desk.listed(answer));
        render(false);
    });
}

/// A receipt picked from the customer's list.
pub fn choose(receipt_number: &str) {
    if with_desk(|desk| desk.choose(receipt_number)) {
        render(true);
    }
}

/// "Refund all that is left".
pub fn refund_all() {
    send(None);
}

/// "Refund chosen lines": the quantities typed per line.
pub fn refund_chosen() {
    let Some(picks) = with_desk(|desk| views::refund::picks(desk)) else { return };
    send(Some(picks));
}

/// "Approve and refund": the refund asked for last, again, with the manager's staff number and PIN.
pub fn approve() {
    let Some(picks) = with_desk(|desk| desk.retry()) else { return };
    let Ok(staff_number) = StaffNumber::parse(&dom::input_value("refund-approver")) else {
        dom::set_text("refund-error", t(Key::TypeManagerNumber));
        return focus("refund-approver");
    };
    let approval = ManagerApproval { staff_number, pin: dom::input_value("refund-approver-pin") };
    dom::set_input_value("refund-approver-pin", "");
    send_with(picks, Some(approval));
}

fn send(picks: Option<Vec<u32>>) {
    send_with(picks, None);
}

fn send_with(picks: Option<Vec<u32>>, approval: Option<ManagerApproval>) {
    let Some(send) = with_desk(|desk| desk.start(picks, request_id::fresh)) else { return render(false) };
    render(false);
    let token = token();
    spawn_local(async move {
        let request = RefundRequest {
            request_id: send.request_id,
            receipt_number: send.receipt_number,
            lines: send.lines,
            approval,
        };
        let answer = flows::refund::refund(&token, &request).await;
        with_desk(|desk| desk.refunded(answer));
        render(false);
        if with_desk(|desk| desk.approval_needed) {
            focus("refund-approver");
        }
    });
}
