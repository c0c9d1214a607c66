// One customer at a time at the register: with a customer on screen and a sale
// being rung up (an amount typed, a product added), another customer's code coming
// into the webcam's view does not replace them. The register says "another code in
// view" (with a sound) and waits for the cashier; the same code seen again changes
// nothing; one key (F2) switches to the new customer keeping the sale.
//
// Needs a running stack (TESSERA_BASE_URL, TESSERA_ADMIN_TOKEN), like loyalty-loop.test.mjs.
// Screenshots land in tests/browser/artifacts/ (prefix "one-customer-").

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ADMIN_TOKEN, BASE_URL, launch, launchWithWebcam, phonePage, shopWithRegister, webcamVideoLater } from "./helpers.mjs";

const ARTIFACTS = path.join(path.dirname(fileURLToPath(import.meta.url)), "artifacts");
const PASSWORD = "correct horse battery";
/** The webcam shows nothing this long, then the second customer's phone. */
const DARK_S = 6;
const CODE_S = 3;

/** Signs `phone` up as `name`, joins `shopId` and opens its code; the code's digits. */
async function customerShowingCode(phone, shopId, name) {
  await phone.getByTestId("sign-up-name").fill(name);
  await phone.getByTestId("sign-up-password").fill(PASSWORD);
  await phone.getByTestId("sign-up-submit").click();
  await phone.getByTestId("new-member-number").waitFor();
  const joinable = phone.locator(`[data-testid=joinable-shop][data-shop-id="${shopId}"]`);
  await joinable.getByTestId("share-name").check();
  await joinable.getByTestId("join-shop").click();
  const membership = phone.locator(`[data-testid=membership][data-shop-id="${shopId}"]`);
  await membership.getByTestId("show-code").click();
  await phone.locator("[data-testid=qr][data-state=ready] svg").waitFor();
  return (await phone.getByTestId("code-digits").innerText()).replace(/\s/g, "");
}

test("another code in view waits for the cashier's switch; the sale is not lost", { timeout: 150_000 }, async (t) => {
  if (!BASE_URL || !ADMIN_TOKEN) {
    t.skip("set TESSERA_BASE_URL and TESSERA_ADMIN_TOKEN to run against a stack");
    return;
  }
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "tessera-one-customer-"));
  const shot = (page, name) => page.screenshot({ path: path.join(ARTIFACTS, `one-customer-${name}.png`), fullPage: true });

  const { shopId, register } = await shopWithRegister("e2e-one", "Deli E2E", { products: [
    { product_code: "COF", name: "Coffee", unit_price: 250 },
  ] });

  const phoneBrowser = await launch(path.join(work, "phone-profile"));
  let registerBrowser;
  t.after(async () => {
    await registerBrowser?.close();
    await phoneBrowser.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  // --- Two customers of the shop: Ada's digits (typed at the till), Bob's QR (in the webcam). ---
  const phone = await phonePage(phoneBrowser);
  const adaDigits = await customerShowingCode(phone, shopId, "Ada First");
  await phone.getByTestId("close-code").click();
  await phone.getByTestId("sign-out").click();
  await customerShowingCode(phone, shopId, "Bob Second");
  const qrPng = path.join(work, "bob-qr.png");
  await phone.getByTestId("qr").screenshot({ path: qrPng });
  const y4m = path.join(work, "webcam.y4m");
  webcamVideoLater(qrPng, y4m, { darkSeconds: DARK_S, codeSeconds: CODE_S });

  // --- The till: Ada's code typed, a sale rung up for her. ---
  registerBrowser = await launchWithWebcam(path.join(work, "register-profile"), y4m);
  const till = await registerBrowser.newPage();
  await till.setViewportSize({ width: 1280, height: 900 });
  await till.emulateMedia({ colorScheme: "light" });
  await till.goto(BASE_URL + register.register_path);
  await till.locator("[data-testid=verdict][data-state=ready]").waitFor({ timeout: 10_000 });
  await till.getByTestId("manual-code").fill(adaDigits);
  await till.getByTestId("manual-submit").click();
  await till.getByTestId("verdict-title").filter({ hasText: /^Customer #1$/ }).waitFor({ timeout: 5_000 });
  assert.equal(await till.getByTestId("verdict-name").innerText(), "Ada First");
  await till.getByTestId("amount").fill("12.50");
  await till.locator("[data-testid=product][data-product-code=COF]").click();
  assert.equal(await till.getByTestId("line").count(), 1);

  // --- Bob's phone comes into view: Ada stays, with her sale; the register asks. ---
  const otherCode = till.getByTestId("other-code");
  await otherCode.waitFor({ state: "visible", timeout: 30_000 });
  await shot(till, "1-another-code-in-view");
  const unchanged = async (when) => {
    assert.equal(await till.getByTestId("verdict-title").innerText(), "Customer #1", when);
    assert.equal(await till.getByTestId("verdict-name").innerText(), "Ada First", when);
    assert.equal(await till.getByTestId("amount").inputValue(), "12.50", when);
    assert.equal(await till.getByTestId("line").count(), 1, when);
    assert.equal(await till.getByTestId("lines-total").innerText(), "Total €2.50", when);
    assert.match(await otherCode.innerText(), /Another code in view\. Customer #1 stays on screen until you switch\./, when);
  };
  await unchanged("when Bob's code comes into view");

  // The video loops: Bob's code leaves the view and comes back, which changes nothing.
  await till.waitForTimeout((DARK_S + CODE_S) * 1_000 + 1_000);
  await unchanged("after Bob's code was seen again");
  const frames = Number(await till.getByTestId("scanner-status").getAttribute("data-frames"));
  assert.ok(frames > 20, `the camera kept reading (${frames} frames)`);

  // --- One key switches to Bob, keeping the sale as rung up. ---
  await till.keyboard.press("F2");
  await till.getByTestId("verdict-title").filter({ hasText: /^Customer #2$/ }).waitFor({ timeout: 5_000 });
  assert.equal(await till.getByTestId("verdict-name").innerText(), "Bob Second");
  assert.ok(await otherCode.isHidden(), "the notice is gone once switched");
  assert.equal(await till.getByTestId("amount").inputValue(), "12.50");
  assert.equal(await till.getByTestId("line").count(), 1);
  await shot(till, "2-switched");
  await till.getByTestId("add-points").click();
  await till.locator("[data-testid=verdict][data-state=sold]").waitFor({ timeout: 5_000 });
  assert.equal(await till.getByTestId("verdict-title").innerText(), "+2 points");
  assert.match(await till.getByTestId("verdict-detail").innerText(), /for customer #2\.$/);
});
