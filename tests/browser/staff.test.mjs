// Staff: the owner adds a cashier on the console's Staff tab; the register (of a shop
// that now has staff) asks for a staff number and PIN before it sells; the cashier
// signs in, a customer's typed code and a sale go through, and the receipt — on the
// register and on the phone — says who served. Signing out (F9) asks again.
//
// Needs a running stack: TESSERA_BASE_URL and TESSERA_ADMIN_TOKEN (see helpers.mjs).

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ADMIN_TOKEN, BASE_URL, admin, launch, memberShowingCode, shopWithRegister } from "./helpers.mjs";

const ARTIFACTS = path.join(path.dirname(fileURLToPath(import.meta.url)), "artifacts");
const PASSWORD = "correct horse battery";

test("the owner adds a cashier, who signs in at the register and sells; the receipt names them", { timeout: 150_000 }, async (t) => {
  if (!BASE_URL || !ADMIN_TOKEN) {
    t.skip("set TESSERA_BASE_URL and TESSERA_ADMIN_TOKEN to run against a stack");
    return;
  }
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "tessera-staff-"));
  const shot = (page, name) => page.screenshot({ path: path.join(ARTIFACTS, `staff-${name}.png`), fullPage: true });
  const { shopId, register } = await shopWithRegister("e2e-staff", "Staff Deli E2E", {
    products: [{ product_code: "SOUP", name: "Soup", unit_price: 450 }],
  });
  const invite = await admin("POST", `/api/owner/shops/${shopId}/invites`, undefined, 201);

  const browser = await launch(path.join(work, "profile"));
  t.after(async () => {
    await browser.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  // --- The owner: invite link, account, the shop's Staff tab, a new cashier. ---
  const owner = await browser.newPage();
  await owner.setViewportSize({ width: 1100, height: 900 });
  await owner.goto(BASE_URL + invite.invite_path);
  await owner.locator("#invite-view:not([hidden])").waitFor({ timeout: 10_000 });
  await owner.getByTestId("invite-email").fill(`staff-owner-${Date.now()}@example.org`);
  await owner.getByTestId("invite-password").fill(PASSWORD);
  await owner.getByTestId("invite-submit").click();
  await owner.locator("#shops-view:not([hidden])").waitFor({ timeout: 10_000 });
  await owner.locator(`[data-shop-id="${shopId}"]`).click();
  await owner.locator("#shop-view:not([hidden])").waitFor();
  await owner.getByTestId("tab-staff").click();
  await owner.getByTestId("staff-status").filter({ hasText: /No staff yet/ }).waitFor({ timeout: 10_000 });
  await owner.getByTestId("staff-name").fill("Dana Deli");
  await owner.getByTestId("staff-role").selectOption("cashier");
  await owner.getByTestId("staff-pin").fill("12");
  await owner.getByTestId("staff-submit").click();
  await owner.getByTestId("error").filter({ hasText: "PIN" }).waitFor();
  await owner.getByTestId("staff-pin").fill("4321");
  await owner.getByTestId("staff-submit").click();
  const notice = owner.getByTestId("notice").filter({ hasText: /Dana Deli is staff number \d+/ });
  await notice.waitFor({ timeout: 10_000 });
  const staffNumber = (await notice.innerText()).match(/staff number (\d+)/)[1];
  const row = owner.getByTestId("staff-rows").locator("tr").filter({ hasText: "Dana Deli" });
  await row.waitFor();
  assert.match(await row.innerText(), /Cashier/);
  assert.doesNotMatch(await owner.locator("body").innerText(), /4321/, "the PIN is not shown back");
  await shot(owner, "1-console-staff");

  // --- The phone: a member of the shop showing a code. ---
  const { phone, digits } = await memberShowingCode(browser, shopId, "Eve Staff E2E", PASSWORD);

  // --- The register: the shop has staff, so it asks who is there. ---
  const till = await browser.newPage();
  await till.setViewportSize({ width: 1280, height: 900 });
  await till.goto(BASE_URL + register.register_path);
  const signIn = till.locator("[data-testid=staff-sign-in]:not([hidden])");
  await signIn.waitFor({ timeout: 10_000 });
  await till.getByTestId("staff-number").fill(staffNumber);
  await till.getByTestId("staff-pin").fill("0000");
  await till.getByTestId("staff-submit").click();
  await till.getByTestId("staff-error").filter({ hasText: /wrong/i }).waitFor({ timeout: 10_000 });
  await shot(till, "2-register-sign-in");
  await till.getByTestId("staff-pin").fill("4321");
  await till.getByTestId("staff-submit").click();
  await till.locator("[data-testid=staff-sign-in][hidden]").waitFor({ state: "attached", timeout: 10_000 });
  assert.equal(await till.getByTestId("on-duty-name").innerText(), `Served by Dana Deli (#${staffNumber})`);

  // The sale: the typed code, a soup, points.
  await till.getByTestId("manual-code").fill(digits);
  await till.getByTestId("manual-submit").click();
  await till.locator("[data-testid=verdict][data-state=customer]").waitFor({ timeout: 10_000 });
  await till.locator("[data-testid=product][data-product-code=SOUP]").click();
  await till.getByTestId("add-points").click();
  await till.locator("[data-testid=verdict][data-state=sold]").waitFor({ timeout: 10_000 });
  const served = till.locator("#register-receipt [data-testid=receipt-served-by]");
  await served.waitFor({ timeout: 10_000 });
  assert.equal(await served.innerText(), "Served by Dana Deli");
  await shot(till, "3-register-receipt");

  // The phone's copy of the receipt says the same.
  await phone.locator("[data-testid=receipt-view]:not([hidden]) [data-testid=receipt-served-by]").waitFor({ timeout: 10_000 });
  assert.equal(await phone.locator("[data-testid=receipt-view] [data-testid=receipt-served-by]").innerText(), "Served by Dana Deli");
  await shot(phone, "4-phone-receipt");

  // F9 signs out: the register asks again, and the server agrees nobody is signed in.
  await till.keyboard.press("F9");
  await signIn.waitFor({ timeout: 10_000 });
  assert.ok(await till.getByTestId("on-duty").isHidden());
});
