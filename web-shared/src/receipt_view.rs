//! One receipt as both pages show it (phone and register print the same thing).

use crate::dom;
use crate::i18n::{shared, shared_with, Shared};
use crate::locale::{date_time_in, money};
use domain::programme::ReceiptText;
use domain::receipt::{Receipt, ReceiptDetails};
use domain::rewards::Benefit;
use web_sys::Element;

fn points(n: i64) -> String {
    crate::i18n::points(n)
}

/// A receipt's word in the page's language.
fn t(key: Shared) -> &'static str {
    shared(key)
}

/// Fills the element `container_id` with the receipt. Its shop heading and number get
/// the ids "<container_id>-shop" and "<container_id>-number", so the dialog or panel
/// around it takes them as its accessible name (`aria-labelledby` in `index.html`).
pub fn render(container_id: &str, receipt: &Receipt) {
    draw(container_id, receipt, false);
}

/// [`render`], with the refunds a receipt names as buttons (`data-open-receipt`
/// = their number) for a page that can open them (the phone's history).
pub fn render_linked(container_id: &str, receipt: &Receipt) {
    draw(container_id, receipt, true);
}

fn draw(container_id: &str, receipt: &Receipt, linked: bool) {
    dom::clear_children(container_id);
    dom::set_attribute(container_id, "data-receipt-number", &receipt.receipt_number);
    let Some(container) = dom::element(container_id) else { return };
    let _ = build(&container, receipt, container_id, linked);
}

fn row(parent: &Element, label: &str, value: &str, class: &str) -> Option<()> {
    let line = dom::create("div")?;
    line.set_class_name(&format!("receipt-row {class}"));
    dom::append(&line, &dom::create_text("span", "receipt-label", label)?)?;
    dom::append(&line, &dom::create_text("span", "receipt-value", value)?)?;
    dom::append(parent, &line)
}

fn build(container: &Element, receipt: &Receipt, container_id: &str, linked: bool) -> Option<()> {
    let c = receipt.currency;
    let shop = dom::create_text("h3", "receipt-shop", receipt.shop_name.as_str())?;
    shop.set_id(&format!("{container_id}-shop"));
    dom::append(container, &shop)?;
    let number = dom::create_text(
        "p",
        "receipt-number",
        &shared_with(Shared::ReceiptNumber, &[("number", &receipt.receipt_number)]),
    )?;
    number.set_id(&format!("{container_id}-number"));
    let _ = number.set_attribute("data-testid", "receipt-number");
    dom::append(container, &number)?;
    // The store the register stands in (receipts from before stores name none; the
    // main store is named like the shop until renamed, and then needs no line).
    if let Some(store) = receipt.store_name.as_ref().filter(|store| *store != &receipt.shop_name) {
        let store = dom::create_text("p", "receipt-meta receipt-store", store.as_str())?;
        let _ = store.set_attribute("data-testid", "receipt-store");
        let _ = store.set_attribute("data-store-id", receipt.store_id.as_str());
        dom::append(container, &store)?;
    }
    let at = date_time_in(receipt.at, receipt.time_zone.as_ref().map(|zone| zone.as_str()));
    let meta = shared_with(
        Shared::ReceiptMeta,
        &[
            ("at", &at),
            ("register", receipt.register_name.as_str()),
            ("customer", &receipt.customer_number.to_string()),
        ],
    );
    dom::append(container, &dom::create_text("p", "receipt-meta", &meta)?)?;
    let staff = [
        (Shared::ServedBy, &receipt.served_by, "receipt-served-by"),
        (Shared::ApprovedBy, &receipt.approved_by, "receipt-approved-by"),
    ];
    for (label, person, test_id) in staff {
        if let Some(person) = person {
            let line = dom::create_text("p", "receipt-meta", &shared_with(label, &[("name", person.name.as_str())]))?;
            let _ = line.set_attribute("data-testid", test_id);
            dom::append(container, &line)?;
        }
    }
    text_block(container, &receipt.header, "receipt-header")?;

    let lines = dom::create("div")?;
    lines.set_class_name("receipt-lines");
    for item in &receipt.items {
        let label = format!("{} × {}", item.quantity, item.name.as_str());
        row(&lines, &label, &money(Receipt::line_total(item).0, c), "receipt-item")?;
    }
    match &receipt.details {
        ReceiptDetails::PrepaidCharge { sale_minor, tip_minor, total_minor, prepaid_before, prepaid_after } => {
            coupon_rows(&lines, receipt)?;
            row(&lines, t(Shared::Sale), &money(*sale_minor, c), "")?;
            if *tip_minor > 0 {
                row(&lines, t(Shared::Tip), &money(*tip_minor, c), "")?;
            }
            row(&lines, t(Shared::PaidFromPrepaid), &money(*total_minor, c), "receipt-total")?;
            row(&lines, t(Shared::PrepaidBefore), &money(*prepaid_before, c), "")?;
            row(&lines, t(Shared::PrepaidAfter), &money(*prepaid_after, c), "")?;
        }
        ReceiptDetails::Points { sale_minor, points_added, points_before, points_after } => {
            coupon_rows(&lines, receipt)?;
            row(&lines, t(Shared::Sale), &money(*sale_minor, c), "receipt-total")?;
            if let Some(card) = &receipt.card {
                row(&lines, t(Shared::PaidByCard), &format!("{} •••• {}", card.brand, card.last4), "receipt-card")?;
            }
            row(&lines, t(Shared::PointsEarned), &format!("+{}", points(*points_added)), "")?;
            row(&lines, t(Shared::PointsBefore), &points(*points_before), "")?;
            row(&lines, t(Shared::PointsAfter), &points(*points_after), "")?;
        }
        ReceiptDetails::WelcomeBonus { points: bonus, points_before, points_after } => {
            row(&lines, t(Shared::WelcomeBonus), &format!("+{}", points(*bonus)), "receipt-total")?;
            row(&lines, t(Shared::PointsBefore), &points(*points_before), "")?;
            row(&lines, t(Shared::PointsAfter), &points(*points_after), "")?;
        }
        ReceiptDetails::PointsExpired { points: expired, points_before, points_after } => {
            row(&lines, t(Shared::PointsExpired), &format!("−{}", points(*expired)), "receipt-total")?;
            row(&lines, t(Shared::PointsBefore), &points(*points_before), "")?;
            row(&lines, t(Shared::PointsAfter), &points(*points_after), "")?;
        }
        ReceiptDetails::PrepaidTopUp { amount_minor, prepaid_before, prepaid_after } => {
            row(&lines, t(Shared::PrepaidTopUpCash), &money(*amount_minor, c), "receipt-total")?;
            row(&lines, t(Shared::PrepaidBefore), &money(*prepaid_before, c), "")?;
            row(&lines, t(Shared::PrepaidAfter), &money(*prepaid_after, c), "")?;
        }
        ReceiptDetails::Redeem { reward_name, benefit, points: cost, points_before, points_after, .. } => {
            let what = match benefit {
                Benefit::AmountOff { amount } => shared_with(Shared::AmountOff, &[("amount", &money(amount.0, c))]),
                Benefit::FreeItem { item } => shared_with(Shared::FreeItem, &[("item", item.as_str())]),
            };
            row(&lines, reward_name.as_str(), &what, "")?;
            row(&lines, t(Shared::PointsRedeemed), &points(*cost), "receipt-total")?;
            row(&lines, t(Shared::PointsBefore), &points(*points_before), "")?;
            row(&lines, t(Shared::PointsAfter), &points(*points_after), "")?;
        }
        ReceiptDetails::Refund {
            refund_of,
            amount_minor,
            points_taken_back,
            points_shortfall,
            points_given_back,
            points_before,
            points_after,
            prepaid_returned,
            prepaid_before,
            prepaid_after,
            ..
        } => {
            row(&lines, t(Shared::RefundOfReceipt), refund_of, "receipt-refund-of")?;
            if *amount_minor > 0 {
                row(&lines, t(Shared::Refunded), &money(*amount_minor, c), "receipt-total")?;
            }
            if let Some(refund_id) = &receipt.processor_refund {
                row(&lines, t(Shared::RefundedAtProcessor), refund_id, "receipt-processor-refund")?;
            }
            if *prepaid_returned > 0 {
                row(&lines, t(Shared::ReturnedToPrepaid), &money(*prepaid_returned, c), "")?;
                row(&lines, t(Shared::PrepaidBefore), &money(*prepaid_before, c), "")?;
                row(&lines, t(Shared::PrepaidAfter), &money(*prepaid_after, c), "")?;
            }
            if *points_given_back > 0 {
                row(&lines, t(Shared::PointsGivenBack), &format!("+{}", points(*points_given_back)), "")?;
            }
            if *points_taken_back > 0 {
                row(&lines, t(Shared::PointsTakenBack), &format!("−{}", points(*points_taken_back)), "")?;
            }
            if *points_shortfall > 0 {
                row(&lines, t(Shared::PointsAlreadySpent), &points(*points_shortfall), "receipt-shortfall")?;
            }
            if *points_given_back > 0 || *points_taken_back > 0 {
                row(&lines, t(Shared::PointsBefore), &points(*points_before), "")?;
                row(&lines, t(Shared::PointsAfter), &points(*points_after), "")?;
            }
        }
    }
    if let Some(mark) = &receipt.refunded {
        let state = if mark.fully { t(Shared::Refunded) } else { t(Shared::PartlyRefunded) };
        let note = if linked {
            let note =
                dom::create_text("p", "receipt-refunded", &shared_with(Shared::RefundedBy, &[("state", state)]))?;
            for (i, number) in mark.by.iter().enumerate() {
                if i > 0 {
                    dom::append(&note, &dom::create_text("span", "", ", ")?)?;
                }
                let link = dom::create_text("button", "receipt-link", number)?;
                let _ = link.set_attribute("type", "button");
                let _ = link.set_attribute("data-open-receipt", number);
                let _ =
                    link.set_attribute("aria-label", &shared_with(Shared::OpenRefundReceipt, &[("number", number)]));
                dom::append(&note, &link)?;
            }
            note
        } else {
            dom::create_text(
                "p",
                "receipt-refunded",
                &format!("{}{}", shared_with(Shared::RefundedBy, &[("state", state)]), mark.by.join(", ")),
            )?
        };
        let _ = note.set_attribute("data-testid", "receipt-refunded");
        dom::append(&lines, &note)?;
    }
    dom::append(container, &lines)?;
    text_block(container, &receipt.footer, "receipt-footer")?;
    refund_qr(container, receipt)
}

/// Painted by the pages' CSS, named for screen readers.
const RECEIPT_QR: qr_svg::Look = qr_svg::Look {
    background: r#"class="qr-light""#,
    modules: r#"class="qr-dark""#,
    svg_attributes: r#"role="img" aria-label="QR code of the receipt number, for a refund""#,
};

/// A sale's receipt ends with a small QR of its number: shown to a register's
/// camera, it opens the refund desk on this receipt (`domain::receipt::receipt_qr_text`).
fn refund_qr(container: &Element, receipt: &Receipt) -> Option<()> {
    if !domain::refund::is_refundable_kind(&receipt.details) {
        return Some(());
    }
    let text = domain::receipt::receipt_qr_text(&receipt.receipt_number);
    let svg = qr_svg::svg(&text, qr_svg::EcLevel::M, &RECEIPT_QR)?;
    let figure = dom::create("div")?;
    figure.set_class_name("receipt-qr");
    let _ = figure.set_attribute("data-testid", "receipt-qr");
    figure.set_inner_html(&svg);
    if let Ok(Some(drawn)) = figure.query_selector("svg") {
        let _ = drawn.set_attribute("aria-label", t(Shared::ReceiptQrLabel));
    }
    dom::append(container, &figure)
}

/// The shop's receipt header or footer as the receipt keeps it: one paragraph
/// per line (an empty line keeps its height), nothing when there is no text.
/// The coupon line of a sale (cash, card or prepaid): the basket before it and what it changed.
fn coupon_rows(lines: &Element, receipt: &Receipt) -> Option<()> {
    let Some(coupon) = &receipt.coupon else { return Some(()) };
    let c = receipt.currency;
    row(lines, t(Shared::Basket), &money(coupon.basket_minor, c), "")?;
    let what = if coupon.discount_minor > 0 {
        format!("−{}", money(coupon.discount_minor, c))
    } else {
        shared_with(Shared::CouponBonusPoints, &[("n", &coupon.bonus_points.to_string())])
    };
    row(lines, &shared_with(Shared::CouponLine, &[("name", coupon.name.as_str())]), &what, "receipt-coupon")
}

fn text_block(container: &Element, text: &ReceiptText, class: &str) -> Option<()> {
    if text.is_empty() {
        return Some(());
    }
    let block = dom::create("div")?;
    block.set_class_name(&format!("receipt-text {class}"));
    let _ = block.set_attribute("data-testid", class);
    for line in text.lines() {
        let shown = if line.is_empty() { "\u{a0}" } else { line };
        dom::append(&block, &dom::create_text("p", "receipt-text-line", shown)?)?;
    }
    dom::append(container, &block)
}
