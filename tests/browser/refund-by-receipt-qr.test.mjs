// A refund by the receipt's own QR: a customer's sale gives a receipt on the phone that
// ends with a small QR of its number (a top-up's receipt has none: it is not refundable).
// The customer holds that receipt up to the register's webcam (a fake webcam showing the
// phone's receipt QR); the register, showing Ready, opens the refund desk on that very
// receipt by itself, with its lines; the cashier refunds it all and the phone shows the
// refund receipt.
//
// Needs a running stack: TESSERA_BASE_URL and TESSERA_ADMIN_TOKEN (see helpers.mjs).

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ADMIN_TOKEN, BASE_URL, call, launch, launchWithWebcam, memberShowingCode, shopWithRegister, webcamVideoOf } from "./helpers.mjs";

const ARTIFACTS = path.join(path.dirname(fileURLToPath(import.meta.url)), "artifacts");
const PASSWORD = "correct horse battery";

test("the register reads a receipt's QR and opens the refund on it", { timeout: 120_000 }, async (t) => {
  if (!BASE_URL || !ADMIN_TOKEN) {
    t.skip("set TESSERA_BASE_URL and TESSERA_ADMIN_TOKEN to run against a stack");
    return;
  }
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "tessera-receipt-qr-"));
  const { shopId, register } = await shopWithRegister("e2e-receipt-qr", "Receipt QR Deli E2E");
  const browsers = [];
  t.after(async () => {
    for (const browser of browsers) await browser.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  // --- The phone: sign up, join, a code; a sale of two lines by the register's API. ---
  const phoneBrowser = await launch(path.join(work, "phone"));
  browsers.push(phoneBrowser);
  const { phone, digits } = await memberShowingCode(phoneBrowser, shopId, "Rae E2E", PASSWORD);
  const sale = await call("POST", "/api/register/points", register.token, {
    code: digits,
    request_id: `e2e-receipt-qr-${Date.now()}`,
    amount_minor: 650,
    items: [
      { name: "Soup", quantity: 1, unit_price: 450 },
      { name: "Bread", quantity: 1, unit_price: 200 },
    ],
  }, 200);
  const number = sale.receipt.receipt_number;
  const receipt = phone.locator(`[data-testid=receipt-view]:not([hidden]) #receipt[data-receipt-number="${number}"]`);
  await receipt.waitFor({ timeout: 5_000 });
  const qr = receipt.getByTestId("receipt-qr");
  await qr.locator("svg").waitFor();
  const qrPng = path.join(work, "receipt-qr.png");
  await qr.screenshot({ path: qrPng });
  await phone.screenshot({ path: path.join(ARTIFACTS, "receipt-qr-1-phone-receipt.png"), fullPage: true });
  await phone.getByTestId("receipt-done").click();
  await phone.getByTestId("close-code").click();

  // --- The register's webcam sees the receipt's QR: the refund desk opens on it. ---
  const y4m = path.join(work, "receipt-qr.y4m");
  webcamVideoOf(qrPng, y4m);
  const tillBrowser = await launchWithWebcam(path.join(work, "till"), y4m);
  browsers.push(tillBrowser);
  const till = await tillBrowser.newPage();
  await till.setViewportSize({ width: 1280, height: 900 });
  await till.goto(BASE_URL + register.register_path);
  await till.locator("[data-testid=refund-panel]:not([hidden])").waitFor({ timeout: 20_000 });
  await till.locator("[data-testid=refund-picking]:not([hidden])").waitFor({ timeout: 10_000 });
  assert.equal(await till.getByTestId("refund-number").inputValue(), number, "the receipt read is the one found");
  assert.equal(await till.getByTestId("refund-line").count(), 2);
  await till.screenshot({ path: path.join(ARTIFACTS, "receipt-qr-2-register-desk.png"), fullPage: true });
  // The same receipt still in view does not start over while the cashier picks.
  await till.waitForTimeout(1_500);
  assert.equal(await till.getByTestId("refund-line").count(), 2);

  await till.getByTestId("refund-all").click();
  await till.locator("[data-testid=refund-done]:not([hidden])").waitFor({ timeout: 5_000 });
  const refundNumber = await till.locator("#refund-receipt").getAttribute("data-receipt-number");
  assert.notEqual(refundNumber, number);
  assert.equal(await till.locator("#refund-receipt [data-testid=receipt-qr]").count(), 0, "a refund has no refund QR");
  await phone.locator(`[data-testid=receipt-view]:not([hidden]) #receipt[data-receipt-number="${refundNumber}"]`).waitFor({ timeout: 10_000 });
});
