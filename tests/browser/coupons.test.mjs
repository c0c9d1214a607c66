// End to end: a coupon from the console to the receipt. An invited owner creates a
// 10 % coupon for new members in the console's Coupons tab; a new member sees it on the
// phone (shop, what it gives, until when) and finds the opt-out on the Account screen;
// the register reads the member's code, shows the coupon on the customer card, F6 applies
// it and shows the changed total; the sale's receipt, on the register and on the phone,
// has the coupon line and the lower total; the console's list then counts the use, and the
// dashboard counts it in its range. A second test applies a coupon to a prepaid sale: the
// phone's question shows the discounted amount and the coupon, both receipts the coupon line.
//
// Needs a running stack (TESSERA_BASE_URL, TESSERA_ADMIN_TOKEN), like owner-console.test.mjs.
// Screenshots land in tests/browser/artifacts/ (prefix "coupons-").

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ADMIN_TOKEN, BASE_URL, admin, call, launch, memberShowingCode, ownerConsole, shopWithRegister } from "./helpers.mjs";

const ARTIFACTS = path.join(path.dirname(fileURLToPath(import.meta.url)), "artifacts");
const PASSWORD = "correct horse battery";

/** `YYYY-MM-DD` of the UTC day `offset` days from today. */
function utcDay(offset) {
  return new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
}

test("an owner's coupon reaches the phone, the register applies it, the receipt shows it", { timeout: 120_000 }, async (t) => {
  if (!BASE_URL || !ADMIN_TOKEN) {
    t.skip("set TESSERA_BASE_URL and TESSERA_ADMIN_TOKEN to run against a stack");
    return;
  }
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "tessera-coupons-"));
  const shot = (page, name, fullPage = false) =>
    page.screenshot({ path: path.join(ARTIFACTS, `coupons-${name}.png`), fullPage });

  const products = [{ product_code: "SOUP", name: "Tomato soup", unit_price: 400 }];
  const { shopId, register } = await shopWithRegister("e2e-coupon", "Coupon Café", { products });
  const browser = await launch(path.join(work, "profile"));
  t.after(async () => {
    await browser.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  // --- The owner creates a 10 % coupon for new members. ---
  const owner = await ownerConsole(browser, shopId);
  await owner.getByTestId("tab-coupons").click();
  await owner.getByTestId("no-coupons").waitFor({ timeout: 10_000 });
  await owner.getByTestId("coupon-name").fill("Welcome ten");
  await owner.getByTestId("coupon-kind").selectOption("percent_off");
  await owner.getByTestId("coupon-value").fill("10");
  await owner.getByTestId("coupon-from").fill(utcDay(-1));
  await owner.getByTestId("coupon-to").fill(utcDay(7));
  await owner.getByTestId("coupon-audience").selectOption("new");
  await owner.getByTestId("coupon-submit").click();
  const row = owner.getByTestId("coupon-row").filter({ hasText: "Welcome ten" });
  await row.waitFor({ timeout: 10_000 });
  assert.match(await row.innerText(), /10 % off/);
  assert.match(await row.innerText(), /New/);
  // A second coupon only for members who joined on one past day: Cora (below) joins today, so
  // neither her wallet nor the register offers it to her.
  await owner.getByTestId("coupon-name").fill("Last month's joiners");
  await owner.getByTestId("coupon-kind").selectOption("bonus_points");
  await owner.getByTestId("coupon-value").fill("50");
  await owner.getByTestId("coupon-from").fill(utcDay(-1));
  await owner.getByTestId("coupon-to").fill(utcDay(7));
  await owner.getByTestId("coupon-audience").selectOption("joined_between");
  await owner.getByTestId("coupon-joined-from").fill(utcDay(-30));
  await owner.getByTestId("coupon-joined-to").fill(utcDay(-30));
  await owner.getByTestId("coupon-submit").click();
  const joinedRow = owner.getByTestId("coupon-row").filter({ hasText: "Last month's joiners" });
  await joinedRow.waitFor({ timeout: 10_000 });
  assert.match(await joinedRow.innerText(), /Joined \S.* – \S/);
  await shot(owner, "console", true);

  // --- The member sees it on the phone, with the shop. ---
  const { phone, digits } = await memberShowingCode(browser, shopId, "Cora E2E", PASSWORD);
  await phone.getByTestId("close-code").click();
  const coupon = phone.getByTestId("coupon").filter({ hasText: "Welcome ten" });
  await coupon.waitFor({ timeout: 10_000 });
  assert.match(await coupon.innerText(), /Coupon Café/);
  assert.match(await coupon.innerText(), /10 % off · until/);
  assert.equal(await phone.getByTestId("coupon").filter({ hasText: "Last month's joiners" }).count(), 0);
  await shot(phone, "wallet");
  await phone.getByTestId("open-account").click();
  await phone.getByTestId("coupon-opt-out").waitFor();
  assert.equal(await phone.getByTestId("coupon-opt-out").isChecked(), false);
  await phone.getByTestId("close-account").click();

  // --- The register shows the coupon for this customer; F6 applies it. ---
  const till = await browser.newPage();
  await till.setViewportSize({ width: 1280, height: 800 });
  await till.goto(BASE_URL + register.register_path.replace("#", "?result-seconds=60#"));
  await till.locator("[data-testid=verdict][data-state=ready]").waitFor({ timeout: 10_000 });
  await till.getByTestId("manual-code").fill(digits);
  await till.getByTestId("manual-submit").click();
  await till.locator("[data-testid=verdict][data-state=customer]").waitFor({ timeout: 5_000 });
  await till.locator("[data-testid=product][data-product-code=SOUP]").click();
  await till.locator("[data-testid=product][data-product-code=SOUP]").click();
  const offered = till.getByTestId("coupons").getByTestId("coupon");
  await offered.first().waitFor({ timeout: 5_000 });
  assert.match(await offered.first().innerText(), /Welcome ten · 10 % off/);
  await till.keyboard.press("F6");
  assert.equal(await offered.first().getAttribute("aria-pressed"), "true");
  assert.match(await till.getByTestId("coupon-total").innerText(), /−€0\.80 · to pay €7\.20/);
  assert.equal(await till.getByTestId("points-preview").innerText(), "Adds 7 points", "points on what is paid");
  await shot(till, "register");
  await till.getByTestId("add-points").click();
  await till.locator("[data-testid=verdict][data-state=sold]").waitFor({ timeout: 5_000 });

  // --- Both receipts show the coupon line and the lower total. ---
  const tillReceipt = till.getByTestId("receipt");
  await tillReceipt.waitFor({ timeout: 5_000 });
  const tillText = await tillReceipt.innerText();
  assert.match(tillText, /Coupon: Welcome ten\s+−€0\.80/);
  assert.match(tillText, /Sale\s+€7\.20/);
  const phoneReceipt = phone.getByTestId("receipt");
  await phoneReceipt.locator("text=Welcome ten").waitFor({ timeout: 5_000 });
  assert.match(await phoneReceipt.innerText(), /Sale\s+€7\.20/);
  await shot(phone, "receipt");
  await phone.getByTestId("receipt-done").click();
  // Used once: the wallet no longer lists it.
  await phone.getByTestId("no-coupons").waitFor({ timeout: 5_000 });

  // --- The console counts the use. ---
  await owner.getByTestId("tab-settings").click();
  await owner.getByTestId("tab-coupons").click();
  await owner.getByTestId("coupon-row").filter({ hasText: "€7.20" }).waitFor({ timeout: 10_000 });
  const cells = await owner.getByTestId("coupon-row").filter({ hasText: "Welcome ten" }).locator("td").allTextContents();
  assert.deepEqual(cells.slice(4, 8), ["1", "1", "€7.20", "0"], "issued, used, revenue, returning");
  // The dashboard shows the same results beside the shop's other figures.
  await owner.getByTestId("tab-dashboard").click();
  const onDashboard = owner.getByTestId("dash-coupons").locator("tr").filter({ hasText: "Welcome ten" });
  await onDashboard.waitFor({ timeout: 10_000 });
  assert.deepEqual(await onDashboard.locator("td").allTextContents(), ["1", "1", "€7.20", "0"], "issued, used, revenue, returning in the range");
});

test("a coupon applied to a prepaid sale: the phone is asked for the lower amount, both receipts show the coupon", { timeout: 120_000 }, async (t) => {
  if (!BASE_URL || !ADMIN_TOKEN) {
    t.skip("set TESSERA_BASE_URL and TESSERA_ADMIN_TOKEN to run against a stack");
    return;
  }
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "tessera-coupons-prepaid-"));
  const shot = (page, name) => page.screenshot({ path: path.join(ARTIFACTS, `coupons-prepaid-${name}.png`) });
  const PIN = "4321";
  const products = [{ product_code: "SOUP", name: "Tomato soup", unit_price: 400 }];
  const { shopId, register } = await shopWithRegister("e2e-coupon-prepaid", "Coupon Deli", { products });
  const now = Date.now();
  await admin("POST", `/api/owner/shops/${shopId}/coupons`, {
    name: "Welcome ten", kind: "percent_off", percent: 10, valid_from: now - 3_600_000, valid_to: now + 86_400_000,
    audience: { kind: "everyone" },
  });
  const browser = await launch(path.join(work, "profile"));
  t.after(async () => {
    await browser.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  // --- The member sets a PIN; cash at the till becomes 20.00 of prepaid value. ---
  const { phone, digits: firstDigits } = await memberShowingCode(browser, shopId, "Dora E2E", PASSWORD);
  await call("POST", "/api/register/prepaid/top-ups", register.token,
    { code: firstDigits, request_id: `e2e-top-up-${Date.now()}`, amount_minor: 2000 }, 200);
  await phone.locator("[data-testid=receipt-view]:not([hidden])").waitFor({ timeout: 5_000 });
  await phone.getByTestId("receipt-done").click();
  await phone.waitForFunction(
    (old) => {
      const shown = document.querySelector("[data-testid=code-digits]")?.textContent?.replace(/\s/g, "");
      const ready = document.querySelector("[data-testid=qr][data-state=ready] svg");
      return ready && shown && shown.length === 26 && shown !== old;
    },
    firstDigits,
    { timeout: 5_000 },
  );
  const digits = (await phone.getByTestId("code-digits").innerText()).replace(/\s/g, "");
  await phone.getByTestId("close-code").click();
  await phone.getByTestId("pin-new").fill(PIN);
  await phone.getByTestId("pin-password").fill(PASSWORD);
  await phone.getByTestId("pin-submit").click();
  await phone.locator("[data-testid=pin-status][data-has-pin=yes]").waitFor();

  // --- The register applies the coupon to 2 × soup (8.00) and asks for prepaid. ---
  const till = await browser.newPage();
  await till.setViewportSize({ width: 1280, height: 800 });
  await till.goto(BASE_URL + register.register_path.replace("#", "?result-seconds=60#"));
  await till.locator("[data-testid=verdict][data-state=ready]").waitFor({ timeout: 10_000 });
  await till.getByTestId("manual-code").fill(digits);
  await till.getByTestId("manual-submit").click();
  await till.locator("[data-testid=verdict][data-state=customer]").waitFor({ timeout: 5_000 });
  await till.locator("[data-testid=product][data-product-code=SOUP]").click();
  await till.locator("[data-testid=product][data-product-code=SOUP]").click();
  const offered = till.getByTestId("coupons").getByTestId("coupon");
  await offered.first().waitFor({ timeout: 5_000 });
  await till.keyboard.press("F6");
  assert.match(await till.getByTestId("coupon-total").innerText(), /−€0\.80 · to pay €7\.20/);
  await till.getByTestId("charge-prepaid").click();
  await till.locator("[data-testid=verdict][data-state=waiting]").waitFor({ timeout: 5_000 });

  // --- The phone's question: the discounted amount, the basket and the coupon. ---
  await phone.locator("[data-testid=confirm]:not([hidden])").waitFor({ timeout: 5_000 });
  assert.equal(await phone.getByTestId("confirm-title").innerText(), "Coupon Deli asks you to pay €7.20 from your prepaid balance");
  assert.equal(await phone.getByTestId("confirm-coupon").innerText(), "Basket €8.00 · coupon Welcome ten −€0.80");
  assert.equal(await phone.getByTestId("confirm-total").innerText(), "Total €7.20");
  await shot(phone, "question");
  await phone.getByTestId("confirm-pin").fill(PIN);
  await phone.getByTestId("confirm-approve").click();

  // --- Both receipts: the coupon line, 7.20 paid from prepaid, 12.80 left. ---
  await till.locator("[data-testid=verdict][data-state=concluded]").waitFor({ timeout: 5_000 });
  const tillText = await till.locator("#register-receipt").innerText();
  assert.match(tillText, /Coupon: Welcome ten\s+−€0\.80/);
  assert.match(tillText, /Paid from prepaid\s+€7\.20/);
  assert.match(tillText, /Prepaid after\s+€12\.80/);
  await phone.locator("[data-testid=receipt-view]:not([hidden])").waitFor({ timeout: 5_000 });
  const phoneText = await phone.locator("#receipt").innerText();
  assert.match(phoneText, /Coupon: Welcome ten\s+−€0\.80/);
  assert.match(phoneText, /Paid from prepaid\s+€7\.20/);
  await shot(till, "register-receipt");
  // Used: the register offers it no more to this customer.
  assert.equal(await till.getByTestId("coupons").getByTestId("coupon").count(), 0);
});
