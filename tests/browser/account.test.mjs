// A member exports their data, changes their password and deletes their account on the phone, then
// cannot sign in again. Also: leaving a shop from the account screen, with the
// balances shown first and a confirm step.
//
// Needs a running stack: TESSERA_BASE_URL and TESSERA_ADMIN_TOKEN (see loyalty-loop.test.mjs).

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ADMIN_TOKEN, BASE_URL, launch, phonePage, shopWithRegister } from "./helpers.mjs";

const ARTIFACTS = path.join(path.dirname(fileURLToPath(import.meta.url)), "artifacts");
const PASSWORD = "correct horse battery";

test("a member exports their data, leaves a shop, deletes their account and cannot sign in", { timeout: 120_000 }, async (t) => {
  if (!BASE_URL || !ADMIN_TOKEN) {
    t.skip("set TESSERA_BASE_URL and TESSERA_ADMIN_TOKEN to run against a stack");
    return;
  }
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "tessera-account-"));
  const shot = (page, name) => page.screenshot({ path: path.join(ARTIFACTS, `account-${name}.png`), fullPage: true });
  const { shopId } = await shopWithRegister("acct", "Account Café");
  const { shopId: otherShopId } = await shopWithRegister("acct2", "Second Bakery");

  const browser = await launch(path.join(work, "phone-profile"));
  t.after(async () => {
    await browser.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  // Sign up and join two shops.
  const phone = await phonePage(browser);
  await phone.getByTestId("sign-up-name").fill("Ada Leaves");
  await phone.getByTestId("sign-up-password").fill(PASSWORD);
  await phone.getByTestId("sign-up-submit").click();
  await phone.getByTestId("new-member-number").waitFor();
  const number = (await phone.getByTestId("new-member-number").innerText()).replace(/\s/g, "");
  for (const id of [shopId, otherShopId]) {
    await phone.locator(`[data-testid=joinable-shop][data-shop-id="${id}"]`).getByTestId("join-shop").click();
    await phone.locator(`[data-testid=membership][data-shop-id="${id}"]`).waitFor();
  }

  // The account screen: every card with its balances before anything is asked.
  await phone.getByTestId("open-account").click();
  await phone.getByTestId("account-view").waitFor();
  const card = phone.locator(`[data-testid=leavable][data-shop-id="${otherShopId}"]`);
  assert.equal(await card.getByTestId("leavable-points").innerText(), "0 points");
  assert.match(await card.getByTestId("leavable-prepaid").innerText(), /^Prepaid: /);

  // Leave one shop: a confirm step first.
  await card.getByTestId("leave-shop").click();
  assert.match(await card.getByTestId("leave-question").innerText(), /Leave Second Bakery\?/);
  await shot(phone, "1-leave-confirm");
  await card.getByTestId("confirm-leave").click();
  await card.waitFor({ state: "detached" });
  assert.equal(await phone.locator("[data-testid=leavable]").count(), 1);

  // Export: a JSON file with the profile and the memberships.
  const [download] = await Promise.all([phone.waitForEvent("download"), phone.getByTestId("export-data").click()]);
  assert.equal(download.suggestedFilename(), `tessera-export-${number}.json`);
  const exported = JSON.parse(fs.readFileSync(await download.path(), "utf8"));
  assert.equal(exported.member_number, number);
  assert.equal(exported.display_name, "Ada Leaves");
  const shops = exported.memberships.map((m) => [m.shop.shop_id, m.current]);
  assert.deepEqual(new Map(shops), new Map([[shopId, true], [otherShopId, false]]));

  // Change the password: the current one is needed; this phone stays signed in.
  const NEW_PASSWORD = "a new phone password";
  await phone.getByTestId("password-current").fill("not my password");
  await phone.getByTestId("password-new").fill(NEW_PASSWORD);
  await phone.getByTestId("password-submit").click();
  await phone.getByTestId("error").filter({ hasText: /wrong/ }).waitFor({ timeout: 5_000 });
  await phone.getByTestId("password-current").fill(PASSWORD);
  await phone.getByTestId("password-submit").click();
  await phone.getByTestId("notice").filter({ hasText: /Password changed/ }).waitFor({ timeout: 5_000 });
  assert.equal(await phone.getByTestId("password-current").inputValue(), "");
  const stillIn = await phone.evaluate(async () => (await fetch("/api/me/wallet")).status);
  assert.equal(stillIn, 200, "this phone keeps its (new) session");

  // Delete: the box must be ticked, and the (new) password given.
  await phone.getByTestId("delete-password").fill(NEW_PASSWORD);
  await phone.getByTestId("delete-submit").click();
  await phone.getByTestId("error").waitFor();
  assert.match(await phone.getByTestId("error").innerText(), /Tick the box/);
  await phone.getByTestId("delete-confirm").check();
  await shot(phone, "2-delete");
  await phone.getByTestId("delete-submit").click();
  await phone.getByTestId("sign-in-form").waitFor();
  // The long-polled wallet can hear "account deleted" and show the sign-in form a moment
  // before the deletion's own answer brings its notice.
  await phone.getByTestId("notice").filter({ hasText: /deleted/ }).waitFor({ timeout: 5_000 });
  assert.match(await phone.getByTestId("notice").innerText(), /deleted/);
  await shot(phone, "3-deleted");

  // The number cannot sign in again.
  await phone.getByTestId("sign-in-number").fill(number);
  await phone.getByTestId("sign-in-password").fill(NEW_PASSWORD);
  await phone.getByTestId("sign-in-submit").click();
  await phone.getByTestId("error").waitFor();
  assert.match(await phone.getByTestId("error").innerText(), /deleted/);
  assert.equal(await phone.locator("#wallet-view").isHidden(), true);
});
