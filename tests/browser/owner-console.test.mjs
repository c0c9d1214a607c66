// End to end: a shop owner runs their shop from the owner console. The operator's
// invite link (made with the admin token) opens the console, which takes the key from
// the fragment and removes it from the address bar; the owner makes an account, opens
// the shop, sets 3 points per euro, a welcome bonus of 25 points and a receipt footer,
// and adds a product; a new member sees the bonus on the phone as a receipt and in the
// history; a register started afterwards offers that product, sells it to that customer
// whose code it types in, and the phone shows the points at the new rate on top of the
// bonus, with the footer on the receipt. "Sign out everywhere" ends a second device's session
// too, a new password replaces the old one, and signing out ends this session. The console must work at 360×740 with every
// control at least 44 px either way, and at 1280×800.
//
// Needs a running stack (TESSERA_BASE_URL, TESSERA_ADMIN_TOKEN), like loyalty-loop.test.mjs.
// Screenshots land in tests/browser/artifacts/ (prefix "owner-").

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ADMIN_TOKEN, BASE_URL, admin, launch, phonePage, shopWithRegister, smallTapTargets } from "./helpers.mjs";

const ARTIFACTS = path.join(path.dirname(fileURLToPath(import.meta.url)), "artifacts");
const PASSWORD = "correct horse battery";

test("an invited owner sets the points rate and adds a product in the console, and a register sells it", { timeout: 120_000 }, async (t) => {
  if (!BASE_URL || !ADMIN_TOKEN) {
    t.skip("set TESSERA_BASE_URL and TESSERA_ADMIN_TOKEN to run against a stack");
    return;
  }
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "tessera-owner-"));
  const shot = (page, name) => page.screenshot({ path: path.join(ARTIFACTS, `owner-${name}.png`), fullPage: true });

  // The operator's part, with the admin token: a shop with a register, and an invite for its owner.
  const { shopId, register } = await shopWithRegister("e2e-owner", "Soup Kitchen E2E");
  const invite = await admin("POST", `/api/owner/shops/${shopId}/invites`, undefined, 201);
  assert.match(invite.invite_path, /^\/owner\/#invite=[0-9a-f]{64}$/);

  const browser = await launch(path.join(work, "profile"));
  t.after(async () => {
    await browser.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  // --- The owner opens the invite link on a phone-sized screen and makes an account. ---
  const owner = await browser.newPage();
  await owner.setViewportSize({ width: 360, height: 740 });
  await owner.goto(BASE_URL + invite.invite_path);
  await owner.locator("#invite-view:not([hidden])").waitFor({ timeout: 10_000 });
  assert.ok(!owner.url().includes("#invite"), `the key leaves the address bar: ${owner.url()}`);
  assert.equal((await owner.getByTestId("invite-token").inputValue()).length, 64);
  assert.equal(await owner.evaluate(() => document.activeElement?.id), "invite-email", "focus starts in the form");
  const email = `owner-${Date.now()}@example.org`;
  await owner.getByTestId("invite-email").fill(email);
  await owner.getByTestId("invite-password").fill(PASSWORD);
  await owner.getByTestId("invite-submit").click();
  await owner.locator("#shops-view:not([hidden])").waitFor({ timeout: 10_000 });
  assert.equal(await owner.getByTestId("whoami").innerText(), email);
  assert.ok(await owner.locator("#create-shop-form").isHidden(), "only the operator creates shops");
  assert.deepEqual(await smallTapTargets(owner), [], "every control on the shop list is big enough to tap");
  await shot(owner, "1-shops-phone");

  // --- Settings: 3 points per euro, a welcome bonus of 25 points and a receipt footer. ---
  await owner.locator(`[data-shop-id="${shopId}"]`).click();
  await owner.locator("#shop-view:not([hidden])").waitFor();
  assert.equal(await owner.getByTestId("shop-title").innerText(), "Soup Kitchen E2E");
  assert.equal(await owner.getByTestId("settings-points").inputValue(), "1");
  await owner.getByTestId("settings-points").fill("3");
  assert.equal(await owner.getByTestId("settings-welcome-bonus").inputValue(), "0");
  await owner.getByTestId("settings-welcome-bonus").fill("-4");
  await owner.getByTestId("settings-submit").click();
  await owner.getByTestId("error").filter({ hasText: "Welcome bonus" }).waitFor();
  await owner.getByTestId("settings-welcome-bonus").fill("25");
  await owner.getByTestId("settings-receipt-footer").fill("Thank you — see you soon!");
  // Points expire a year after they are earned, counted in Berlin's calendar.
  assert.equal(await owner.getByTestId("settings-expiry-months").inputValue(), "0");
  assert.equal(await owner.getByTestId("settings-time-zone").inputValue(), "UTC");
  assert.equal(await owner.getByTestId("settings-currency-code").inputValue(), "EUR");
  await owner.getByTestId("settings-expiry-months").fill("12");
  await owner.getByTestId("settings-time-zone").fill("Europe/Berlin");
  await owner.getByTestId("settings-submit").click();
  await owner.getByTestId("notice").filter({ hasText: "3 point(s) per EUR" }).waitFor();
  assert.match(await owner.getByTestId("notice").innerText(), /welcome bonus of 25 point\(s\)/);
  const settings = await admin("GET", `/api/owner/shops/${shopId}`, undefined, 200);
  assert.equal(settings.programme.welcome_bonus, 25);
  assert.equal(settings.programme.receipt_footer, "Thank you — see you soon!");
  assert.equal(settings.programme.points_expiry, 12);
  assert.equal(settings.programme.time_zone, "Europe/Berlin");
  assert.match(await owner.getByTestId("notice").innerText(), /expire after 12 month\(s\), time zone Europe\/Berlin/);
  assert.deepEqual(await smallTapTargets(owner), [], "every control in the settings is big enough to tap");
  await shot(owner, "2-settings-phone");

  // --- Products, on a laptop-sized screen: add one, with a wrong price first. ---
  await owner.setViewportSize({ width: 1280, height: 800 });
  await owner.getByTestId("tab-products").click();
  assert.equal(await owner.getByTestId("tab-products").getAttribute("aria-current"), "page");
  await owner.getByTestId("product-code").fill("SOUP");
  await owner.getByTestId("product-name").fill("Tomato soup");
  await owner.getByTestId("product-price").fill("4.0x");
  await owner.getByTestId("product-submit").click();
  await owner.getByTestId("error").filter({ hasText: "price" }).waitFor();
  assert.equal(await owner.getByTestId("product-rows").locator("tr").count(), 0);
  await owner.getByTestId("product-price").fill("4.00");
  await owner.getByTestId("product-submit").click();
  await owner.getByTestId("product-rows").locator("tr", { hasText: "Tomato soup" }).waitFor();
  assert.match(await owner.getByTestId("product-rows").innerText(), /SOUP\s+Tomato soup\s+€4\.00/);
  await shot(owner, "3-products-laptop");

  // The server holds what the console shows.
  const products = await admin("GET", `/api/owner/shops/${shopId}/products`, undefined, 200);
  assert.deepEqual(products.products, [{ product_code: "SOUP", name: "Tomato soup", unit_price: 400 }]);

  // --- A product no longer sold is archived: kept on the list, marked, not offered at the register. ---
  await owner.getByTestId("product-code").fill("OLD");
  await owner.getByTestId("product-name").fill("Old bread");
  await owner.getByTestId("product-price").fill("1.00");
  await owner.getByTestId("product-submit").click();
  const oldRow = owner.getByTestId("product-rows").locator("tr", { hasText: "Old bread" });
  await oldRow.waitFor();
  await oldRow.getByRole("button", { name: "Archive Old bread" }).click();
  await owner.getByTestId("notice").filter({ hasText: "Archived Old bread" }).waitFor();
  assert.match(await oldRow.innerText(), /Old bread \(archived\)/);
  await oldRow.getByRole("button", { name: "Restore Old bread" }).waitFor();
  const archived = await admin("GET", `/api/owner/shops/${shopId}/products`, undefined, 200);
  assert.deepEqual(archived.products[1], { product_code: "OLD", name: "Old bread", unit_price: 100, archived: true });
  await shot(owner, "3-products-archived");

  // --- A reward, archived the same way: kept for the owner, not offered at the register. ---
  await owner.getByTestId("tab-rewards").click();
  await owner.getByTestId("reward-id").fill("free-roll");
  await owner.getByTestId("reward-name").fill("Free roll");
  await owner.getByTestId("reward-cost").fill("30");
  await owner.getByTestId("reward-kind").selectOption("free_item");
  await owner.getByTestId("reward-value").fill("Bread roll");
  await owner.getByTestId("reward-submit").click();
  const rewardRow = owner.getByTestId("reward-rows").locator("li", { hasText: "Free roll" });
  await rewardRow.waitFor();
  await rewardRow.getByRole("button", { name: "Archive Free roll" }).click();
  await owner.getByTestId("notice").filter({ hasText: "Archived Free roll" }).waitFor();
  assert.equal(await rewardRow.getAttribute("data-archived"), "true");
  await rewardRow.getByRole("button", { name: "Restore Free roll" }).waitFor();
  const rewards = await admin("GET", `/api/owner/shops/${shopId}/rewards`, undefined, 200);
  assert.equal(rewards.rewards[0].archived, true);
  await shot(owner, "3-rewards-archived");

  // --- A customer buys the soup at a register started now; points at 3 per euro. ---
  const phone = await phonePage(browser);
  await phone.getByTestId("sign-up-name").fill("Cleo E2E");
  await phone.getByTestId("sign-up-password").fill(PASSWORD);
  await phone.getByTestId("sign-up-submit").click();
  await phone.getByTestId("new-member-number").waitFor();
  await phone.locator(`[data-testid=joinable-shop][data-shop-id="${shopId}"]`).getByTestId("join-shop").click();
  const membership = phone.locator(`[data-testid=membership][data-shop-id="${shopId}"]`);
  await membership.waitFor();
  // The welcome bonus arrives with its receipt (footer included) and stays in the history.
  await phone.locator("#receipt-view:not([hidden])").waitFor({ timeout: 5_000 });
  assert.match(await phone.locator("#receipt").innerText(), /Welcome bonus\s+\+25 points/);
  assert.equal(await phone.locator("#receipt").getByTestId("receipt-footer").innerText(), "Thank you — see you soon!");
  await shot(phone, "5-phone-welcome-bonus");
  await phone.getByTestId("receipt-done").click();
  await membership.getByTestId("membership-points").filter({ hasText: /\b25\b/ }).waitFor({ timeout: 5_000 });
  assert.match(await phone.getByTestId("history").innerText(), /Welcome bonus, \+25 points/);
  await membership.getByTestId("show-code").click();
  await phone.locator("[data-testid=qr][data-state=ready] svg").waitFor();
  const digits = (await phone.getByTestId("code-digits").innerText()).replace(/\s/g, "");

  const till = await browser.newPage();
  await till.setViewportSize({ width: 1280, height: 800 });
  await till.goto(BASE_URL + register.register_path.replace("#", "?result-seconds=60#"));
  await till.locator("[data-testid=verdict][data-state=ready]").waitFor({ timeout: 10_000 });
  await till.getByTestId("manual-code").fill(digits);
  await till.getByTestId("manual-submit").click();
  await till.locator("[data-testid=verdict][data-state=customer]").waitFor({ timeout: 5_000 });
  await till.locator("[data-testid=product][data-product-code=SOUP]").click();
  assert.equal(await till.locator("[data-testid=product][data-product-code=OLD]").count(), 0, "archived: not offered");
  assert.equal(await till.locator("[data-reward-id=free-roll]").count(), 0, "the archived reward is not offered");
  assert.equal(await till.getByTestId("lines-total").innerText(), "Total €4.00");
  assert.equal(await till.getByTestId("points-preview").innerText(), "Adds 12 points");
  await till.getByTestId("add-points").click();
  await till.locator("[data-testid=verdict][data-state=sold]").waitFor({ timeout: 5_000 });
  // Both receipts carry the shop's footer.
  await till.locator("#register-receipt").getByTestId("receipt-footer").waitFor({ timeout: 5_000 });
  assert.equal(await till.locator("#register-receipt").getByTestId("receipt-footer").innerText(), "Thank you — see you soon!");
  await phone.locator("#receipt-view:not([hidden])").waitFor({ timeout: 5_000 });
  assert.match(await phone.locator("#receipt").innerText(), /Points earned\s+\+12 points/);
  assert.equal(await phone.locator("#receipt").getByTestId("receipt-footer").innerText(), "Thank you — see you soon!");
  await phone.getByTestId("receipt-done").click();
  await phone.getByTestId("close-code").click();
  // 12 points for the sale at 3 per euro, on top of the 25 of the welcome bonus.
  await membership.getByTestId("membership-points").filter({ hasText: /\b37\b/ }).waitFor({ timeout: 5_000 });
  // All 37 were earned today and expire together, a year on.
  assert.match(await membership.getByTestId("membership-expiry").innerText(), /^37 points expire on .*\d/);
  await shot(till, "4-register-sale");

  // --- "Sign out everywhere" ends the session on a second device too. ---
  const other = await launch(path.join(work, "other-device"));
  t.after(() => other.close());
  const laptop = await other.newPage();
  await laptop.goto(`${BASE_URL}/owner/`);
  // A stack nobody has claimed yet opens on the operator's claim screen; an owner goes on to sign in.
  await laptop.locator("#sign-in-view:not([hidden]), #claim-view:not([hidden])").first().waitFor({ timeout: 10_000 });
  if (await laptop.locator("#claim-view:not([hidden])").count()) await laptop.locator("#claim-to-sign-in").click();
  await laptop.locator("#sign-in-view:not([hidden])").waitFor({ timeout: 10_000 });
  await laptop.getByTestId("sign-in-email").fill(email);
  await laptop.getByTestId("sign-in-password").fill(PASSWORD);
  await laptop.getByTestId("sign-in-submit").click();
  await laptop.locator("#shops-view:not([hidden])").waitFor({ timeout: 10_000 });
  await owner.getByTestId("sign-out-everywhere").click();
  await owner.locator("#sign-in-view:not([hidden])").waitFor();
  await owner.getByTestId("notice").filter({ hasText: "Signed out on every device" }).waitFor();
  const ownerMe = await owner.evaluate(async () => (await fetch("/api/owner/me")).status);
  assert.equal(ownerMe, 401);
  const laptopMe = await laptop.evaluate(async () => (await fetch("/api/owner/me")).status);
  assert.equal(laptopMe, 401, "the other device's session ended too");

  // --- Signing in again, a new password from the shop list, then signing out ends the session. ---
  await owner.getByTestId("sign-in-email").fill(email);
  await owner.getByTestId("sign-in-password").fill(PASSWORD);
  await owner.getByTestId("sign-in-submit").click();
  await owner.locator("#shops-view:not([hidden])").waitFor({ timeout: 10_000 });
  const NEW_PASSWORD = "a new console password";
  await owner.getByTestId("owner-password-current").fill(PASSWORD);
  await owner.getByTestId("owner-password-new").fill(NEW_PASSWORD);
  await owner.getByTestId("owner-password-submit").click();
  await owner.getByTestId("notice").filter({ hasText: "Password changed" }).waitFor({ timeout: 10_000 });
  const afterChange = await owner.evaluate(async () => (await fetch("/api/owner/me")).status);
  assert.equal(afterChange, 200, "this device keeps a (new) session");
  await owner.getByTestId("sign-out").click();
  await owner.locator("#sign-in-view:not([hidden])").waitFor();
  await owner.getByTestId("sign-in-email").fill(email);
  await owner.getByTestId("sign-in-password").fill(PASSWORD);
  await owner.getByTestId("sign-in-submit").click();
  await owner.getByTestId("error").filter({ hasText: "wrong" }).waitFor({ timeout: 10_000 });
  await owner.getByTestId("sign-in-password").fill(NEW_PASSWORD);
  await owner.getByTestId("sign-in-submit").click();
  await owner.locator("#shops-view:not([hidden])").waitFor({ timeout: 10_000 });
  await owner.getByTestId("sign-out").click();
  await owner.locator("#sign-in-view:not([hidden])").waitFor();
  const me = await owner.evaluate(async () => (await fetch("/api/owner/me")).status);
  assert.equal(me, 401);
});
