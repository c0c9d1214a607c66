// A refund at the register: a customer's sale (two lines, points earned), then the
// cashier presses F8, types the receipt number, sees its lines, refunds one coffee;
// the refund receipt shows on the register and on the phone, and the phone's history
// marks the sale as partly refunded.
//
// Needs a running stack: TESSERA_BASE_URL and TESSERA_ADMIN_TOKEN (see helpers.mjs).

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ADMIN_TOKEN, BASE_URL, call, launch, memberShowingCode, shopWithRegister } from "./helpers.mjs";

const ARTIFACTS = path.join(path.dirname(fileURLToPath(import.meta.url)), "artifacts");
const PASSWORD = "correct horse battery";

test("a register refunds part of a sale, and both screens show the refund receipt", { timeout: 120_000 }, async (t) => {
  if (!BASE_URL || !ADMIN_TOKEN) {
    t.skip("set TESSERA_BASE_URL and TESSERA_ADMIN_TOKEN to run against a stack");
    return;
  }
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "tessera-refund-"));
  const shot = (page, name) => page.screenshot({ path: path.join(ARTIFACTS, `refund-${name}.png`), fullPage: true });
  const { shopId, register } = await shopWithRegister("e2e-refund", "Refund Café E2E");

  const browser = await launch(path.join(work, "profile"));
  t.after(async () => {
    await browser.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  // --- The phone: sign up, join, show a code. ---
  const { phone, membership, digits } = await memberShowingCode(browser, shopId, "Cy E2E", PASSWORD);

  // --- The sale: 2 × Coffee 2.50 and 1 × Cake 3.00 = 8.00, 8 points (the register's API, typed code). ---
  const sale = await call("POST", "/api/register/points", register.token, {
    code: digits,
    request_id: `e2e-refund-sale-${Date.now()}`,
    amount_minor: 800,
    items: [
      { name: "Coffee", quantity: 2, unit_price: 250 },
      { name: "Cake", quantity: 1, unit_price: 300 },
    ],
  }, 200);
  const number = sale.receipt.receipt_number;
  await phone.locator(`[data-testid=receipt-view]:not([hidden]) #receipt[data-receipt-number="${number}"]`).waitFor({ timeout: 5_000 });
  await phone.getByTestId("receipt-done").click();
  await phone.getByTestId("close-code").click();
  assert.equal(await membership.getByTestId("membership-points").innerText(), "8 points");

  // --- The register: F8, the number, its lines. ---
  const till = await browser.newPage();
  await till.setViewportSize({ width: 1280, height: 900 });
  await till.goto(BASE_URL + register.register_path);
  await till.locator("[data-testid=verdict][data-state=ready]").waitFor({ timeout: 10_000 });
  assert.match(await till.getByTestId("refund-open").innerText(), /F8/);
  await till.keyboard.press("F8");
  await till.locator("[data-testid=refund-panel]:not([hidden])").waitFor();
  await till.getByTestId("refund-number").fill("999-0001");
  await till.getByTestId("refund-find").click();
  await till.getByTestId("refund-error").filter({ hasText: /no receipt/i }).waitFor({ timeout: 5_000 });

  await till.getByTestId("refund-number").fill(number);
  await till.getByTestId("refund-find").click();
  await till.locator("[data-testid=refund-picking]:not([hidden])").waitFor({ timeout: 5_000 });
  assert.equal(await till.getByTestId("refund-line").count(), 2);
  assert.match(await till.getByTestId("refund-line").first().innerText(), /2 × Coffee \(2 left\)/);
  // One coffee of the two; the cake stays sold.
  await till.locator("#refund-qty-1").fill("1");
  await till.locator("#refund-qty-2").fill("0");
  await shot(till, "1-register-picking");
  await till.getByTestId("refund-chosen").click();
  await till.locator("[data-testid=refund-done]:not([hidden])").waitFor({ timeout: 5_000 });
  const tillRefund = await till.getByTestId("refund-receipt").innerText();
  for (const expected of ["Refund Café E2E", `Refund of receipt`, number, "1 × Coffee", "€2.50", "Points taken back"]) {
    assert.ok(tillRefund.includes(expected), `the register's refund receipt shows ${expected}:\n${tillRefund}`);
  }
  const refundNumber = await till.locator("#refund-receipt").getAttribute("data-receipt-number");
  assert.notEqual(refundNumber, number);
  await shot(till, "2-register-refunded");

  // --- The phone: the refund receipt, the same as the register's; the sale marked. ---
  await phone.locator(`[data-testid=receipt-view]:not([hidden]) #receipt[data-receipt-number="${refundNumber}"]`).waitFor({ timeout: 5_000 });
  assert.equal(await phone.locator("#receipt").innerText(), tillRefund);
  await shot(phone, "3-phone-refund-receipt");
  await phone.getByTestId("receipt-done").click();
  assert.equal(await membership.getByTestId("membership-points").innerText(), "6 points");
  await phone.getByTestId("history-receipt").filter({ hasText: number }).filter({ hasText: "partly refunded" }).waitFor({ timeout: 5_000 });
  await phone.getByTestId("history-receipt").filter({ hasText: `refund of ${number}` }).waitFor();
  await phone.getByTestId("history-receipt").filter({ hasText: "partly refunded" }).click();
  assert.match(await phone.getByTestId("receipt-refunded").innerText(), new RegExp(`Partly refunded: ${refundNumber}`));
  await shot(phone, "4-phone-history");
  // The refund named there is a link to its receipt.
  await phone.getByRole("button", { name: `Open refund receipt ${refundNumber}` }).click();
  await phone.locator(`[data-testid=receipt-view]:not([hidden]) #receipt[data-receipt-number="${refundNumber}"]`).waitFor({ timeout: 5_000 });
  assert.equal(await phone.locator("#receipt").innerText(), tillRefund);

  // --- The rest, found by the customer's code instead of the number. ---
  await phone.getByTestId("receipt-done").click();
  await membership.getByTestId("show-code").click();
  await phone.locator("[data-testid=qr][data-state=ready] svg").waitFor();
  const nextDigits = (await phone.getByTestId("code-digits").innerText()).replace(/\s/g, "");
  await till.getByTestId("refund-close").click();
  await till.getByTestId("refund-open").click();
  await till.getByTestId("refund-code").fill(nextDigits);
  await till.getByTestId("refund-list").click();
  const choice = till.locator(`[data-testid=refund-choice][data-receipt-number="${number}"]`);
  await choice.waitFor({ timeout: 5_000 });
  assert.match(await choice.innerText(), /partly refunded/);
  assert.ok(await till.locator(`[data-testid=refund-choice][data-receipt-number="${refundNumber}"]`).isDisabled(), "a refund is not refundable");
  await shot(till, "5-register-customer-receipts");
  await choice.click();
  assert.match(await till.getByTestId("refund-line").first().innerText(), /2 × Coffee \(1 left\)/);
  await till.getByTestId("refund-all").click();
  await till.locator("[data-testid=refund-done]:not([hidden])").waitFor({ timeout: 5_000 });
  const lastNumber = await till.locator("#refund-receipt").getAttribute("data-receipt-number");
  await phone.locator(`[data-testid=receipt-view]:not([hidden]) #receipt[data-receipt-number="${lastNumber}"]`).waitFor({ timeout: 5_000 });
  await phone.getByTestId("receipt-done").click();
  await phone.getByTestId("close-code").click();
  assert.equal(await membership.getByTestId("membership-points").innerText(), "0 points");
  await phone.getByTestId("history-receipt").filter({ hasText: `${number} · ` }).filter({ hasText: "· refunded" }).waitFor({ timeout: 5_000 });

  // Closing the desk gives the till back.
  await till.keyboard.press("Escape");
  await till.locator("[data-testid=refund-panel][hidden]").waitFor({ state: "attached" });
});
