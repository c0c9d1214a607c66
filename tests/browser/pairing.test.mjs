// A register paired by its code, no token pasted: a register page opened with no
// credential shows a pairing code (and its QR); the owner approves the code (here
// through the API, as the owner console does); the page becomes ready and sells.
// When the owner revokes it, the page's next call says so and offers to pair again.
// A store the owner closes in the console (after confirming) takes its registers with it:
// the till's very next call says it was removed; the store stays listed, closed, and
// leaves the store choices.
//
// Needs a running stack (TESSERA_BASE_URL, TESSERA_ADMIN_TOKEN), like loyalty-loop.test.mjs.
// Screenshots land in tests/browser/artifacts/ (prefix "pairing-").

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ADMIN_TOKEN, BASE_URL, admin, launch, uniqueShopId } from "./helpers.mjs";

const ARTIFACTS = path.join(path.dirname(fileURLToPath(import.meta.url)), "artifacts");
const PASSWORD = "correct horse battery";
/** A pairing code as the page shows it: two groups of four, no look-alikes. */
const SHOWN_CODE = /^[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}$/;

/** A JSON call with the member's cookie; asserts the status. */
async function asMember(cookie, pathname, body, status = 200) {
  const response = await fetch(BASE_URL + pathname, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...(cookie ? { Cookie: cookie } : {}) },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  assert.equal(response.status, status, `POST ${pathname} answered ${response.status}: ${text}`);
  return { json: JSON.parse(text), response };
}

/** A member of `shopId` (through the API, as the phone page does); a function issuing their codes. */
async function memberOf(shopId, name) {
  const { response } = await asMember(null, "/api/members", { display_name: name, password: PASSWORD }, 201);
  const cookie = response.headers.getSetCookie()[0].split(";")[0];
  await asMember(cookie, "/api/me/memberships", { shop_id: shopId, share_name: true });
  return async () => (await asMember(cookie, "/api/me/codes", { shop_id: shopId })).json.code;
}

test("a register page pairs by its code, sells, and says so when the owner revokes it", { timeout: 120_000 }, async (t) => {
  if (!BASE_URL || !ADMIN_TOKEN) {
    t.skip("set TESSERA_BASE_URL and TESSERA_ADMIN_TOKEN to run against a stack");
    return;
  }
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "tessera-pairing-"));
  const shot = (page, name) => page.screenshot({ path: path.join(ARTIFACTS, `pairing-${name}.png`), fullPage: true });

  // A shop with no register yet.
  const shopId = uniqueShopId("e2e-pair");
  await admin("POST", "/api/admin/shops", { shop_id: shopId, name: "Pairing Café E2E", currency: "EUR", points_per_unit: 1 });
  const nextCode = await memberOf(shopId, "Pat Pairing");

  const registerBrowser = await launch(path.join(work, "register-profile"), [
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
  ]);
  t.after(async () => {
    await registerBrowser.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  // --- No token: the page shows a code for the owner, large and as a QR. ---
  const till = await registerBrowser.newPage();
  await till.setViewportSize({ width: 1280, height: 900 });
  await till.emulateMedia({ colorScheme: "light" });
  await till.goto(`${BASE_URL}/register/`);
  const shownCode = till.getByTestId("pairing-code");
  await shownCode.filter({ hasText: SHOWN_CODE }).waitFor({ timeout: 15_000 });
  const code = await shownCode.innerText();
  assert.match(code, SHOWN_CODE);
  assert.ok(await till.locator("[data-testid=pairing-qr] svg").isVisible(), "the code is shown as a QR too");
  assert.match(await till.getByTestId("pairing").innerText(), /approve this code in the owner console/);
  await shot(till, "1-code");

  // --- The owner approves it (typed in lower case, as people do). ---
  const approved = await admin("POST", `/api/owner/shops/${shopId}/pairings`, { code: code.toLowerCase(), name: "Till P" });
  assert.equal(approved.shop_id, shopId);

  // --- The page collects its credential and becomes a working register. ---
  await till.locator("[data-testid=verdict][data-state=ready]").waitFor({ timeout: 15_000 });
  assert.equal(await till.getByTestId("register-name").innerText(), "Till P");
  assert.equal(await till.getByTestId("shop-name").innerText(), "Pairing Café E2E");
  await till.getByTestId("manual-code").fill(await nextCode());
  await till.getByTestId("manual-submit").click();
  await till.locator("[data-testid=verdict][data-state=customer]").waitFor({ timeout: 10_000 });
  assert.equal(await till.getByTestId("verdict-name").innerText(), "Pat Pairing");
  await till.getByTestId("amount").fill("7.00");
  await till.getByTestId("add-points").click();
  await till.locator("[data-testid=verdict][data-state=sold]").waitFor({ timeout: 10_000 });
  assert.equal(await till.getByTestId("verdict-title").innerText(), "+7 points");
  await shot(till, "2-sold");

  // The owner sees it in the list, seen just now.
  const { registers } = await admin("GET", `/api/owner/shops/${shopId}/registers`, undefined, 200);
  assert.equal(registers.length, 1);
  assert.equal(registers[0].register_id, approved.register_id);
  assert.ok(registers[0].last_seen !== null && !registers[0].revoked, JSON.stringify(registers[0]));

  // --- Revoked: the page's very next call is refused and the page says why. ---
  await admin("DELETE", `/api/owner/shops/${shopId}/registers/${approved.register_id}`, undefined, 204);
  await till.getByTestId("manual-code").fill(await nextCode());
  await till.getByTestId("manual-submit").click();
  const setup = till.getByTestId("setup-needed");
  await setup.waitFor({ timeout: 10_000 });
  assert.match(await setup.innerText(), /This register was removed by the shop owner/);
  assert.ok(await till.getByTestId("pair-again").isVisible(), "the page offers to pair again");
  await shot(till, "3-revoked");

  // --- Pair again: the token is forgotten, and a new code is shown. ---
  await till.getByTestId("pair-again").click();
  await shownCode.filter({ hasText: SHOWN_CODE }).waitFor({ timeout: 15_000 });
  assert.notEqual(await shownCode.innerText(), code, "a new pairing, with a new code");
  const stored = await till.evaluate(() => localStorage.getItem("tessera.register_token"));
  assert.equal(stored, null, "the revoked token is forgotten");
});

test("an expired pairing code is replaced by a new one by itself", { timeout: 120_000 }, async (t) => {
  if (!BASE_URL || !ADMIN_TOKEN) {
    t.skip("set TESSERA_BASE_URL and TESSERA_ADMIN_TOKEN to run against a stack");
    return;
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "tessera-pairing-expiry-"));
  const browser = await launch(path.join(work, "register-profile"));
  t.after(async () => {
    await browser.close();
    fs.rmSync(work, { recursive: true, force: true });
  });
  const till = await browser.newPage();
  await till.goto(`${BASE_URL}/register/`);
  const shownCode = till.getByTestId("pairing-code");
  await shownCode.filter({ hasText: SHOWN_CODE }).waitFor({ timeout: 15_000 });
  const first = await shownCode.innerText();

  // `cargo xtask test` shortens pairings to 30 s (PAIRING_LIFETIME_SECONDS); the page polls every 2 s.
  await till.waitForFunction(
    (old) => {
      const shown = document.querySelector("[data-testid=pairing-code]")?.textContent ?? "";
      return shown.length === 9 && shown !== old;
    },
    first,
    { timeout: 60_000, polling: 500 },
  );
  const second = await shownCode.innerText();
  assert.match(second, SHOWN_CODE);
  assert.notEqual(second, first);
  // The expired code is dead: approving it now is refused.
  const shopId = uniqueShopId("e2e-pair-late");
  await admin("POST", "/api/admin/shops", { shop_id: shopId, name: "Late Café E2E", currency: "EUR", points_per_unit: 1 });
  const refused = await admin("POST", `/api/owner/shops/${shopId}/pairings`, { code: first, name: "Late" }, 404);
  assert.equal(refused.error, "pairing_invalid");
});

test("an owner adds a store in the console and pairs a register into it; its receipts name the store", { timeout: 120_000 }, async (t) => {
  if (!BASE_URL || !ADMIN_TOKEN) {
    t.skip("set TESSERA_BASE_URL and TESSERA_ADMIN_TOKEN to run against a stack");
    return;
  }
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "tessera-pairing-store-"));
  const shot = (page, name) => page.screenshot({ path: path.join(ARTIFACTS, `pairing-store-${name}.png`), fullPage: true });
  const shopId = uniqueShopId("e2e-store");
  await admin("POST", "/api/admin/shops", { shop_id: shopId, name: "Two Stores Café E2E", currency: "EUR", points_per_unit: 1 });
  const invite = await admin("POST", `/api/owner/shops/${shopId}/invites`, undefined, 201);
  const nextCode = await memberOf(shopId, "Sam Stores");
  const browser = await launch(path.join(work, "profile"));
  t.after(async () => {
    await browser.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  // --- The owner signs up by the invite and opens the shop's Stores tab: the main store is there. ---
  const owner = await browser.newPage();
  await owner.setViewportSize({ width: 1280, height: 800 });
  await owner.goto(BASE_URL + invite.invite_path);
  await owner.locator("#invite-view:not([hidden])").waitFor({ timeout: 10_000 });
  await owner.getByTestId("invite-email").fill(`store-owner-${Date.now()}@example.org`);
  await owner.getByTestId("invite-password").fill(PASSWORD);
  await owner.getByTestId("invite-submit").click();
  await owner.locator(`[data-shop-id="${shopId}"]`).click();
  await owner.locator("#shop-view:not([hidden])").waitFor();
  await owner.getByTestId("tab-stores").click();
  const stores = owner.getByTestId("store-rows");
  await stores.locator('[data-store-id="main"]').waitFor({ timeout: 5_000 });
  assert.equal(await owner.locator("#store-name-main").inputValue(), "Two Stores Café E2E", "the main store is named like the shop");

  // --- A second store, added by name. ---
  await owner.getByTestId("store-add-name").fill("Harbour E2E");
  await owner.getByTestId("store-submit").click();
  await stores.locator('[data-store-id="harbour-e2e"]').waitFor({ timeout: 5_000 });
  assert.match(await owner.getByTestId("notice").innerText(), /Harbour E2E is added/);
  // Renamed in its row: the id stays, the name changes.
  await owner.locator("#store-name-harbour-e2e").fill("Harbour Quay E2E");
  await stores.locator('[data-rename="harbour-e2e"]').click();
  await owner.getByTestId("notice").filter({ hasText: "Harbour Quay E2E" }).waitFor({ timeout: 5_000 });
  const listed = await admin("GET", `/api/owner/shops/${shopId}/stores`, undefined, 200);
  assert.deepEqual(listed.stores.map((s) => [s.store_id, s.name]), [["main", "Two Stores Café E2E"], ["harbour-e2e", "Harbour Quay E2E"]]);
  await shot(owner, "1-stores");

  // --- A new register page shows its code; the owner pairs it into the new store. ---
  const till = await browser.newPage();
  await till.setViewportSize({ width: 1280, height: 800 });
  await till.goto(`${BASE_URL}/register/?result-seconds=60`);
  const shownCode = till.getByTestId("pairing-code");
  await shownCode.filter({ hasText: SHOWN_CODE }).waitFor({ timeout: 15_000 });
  await owner.getByTestId("tab-registers").click();
  const storeChoice = owner.getByTestId("pair-store");
  await storeChoice.locator('option[value="harbour-e2e"]').waitFor({ state: "attached", timeout: 5_000 });
  assert.ok(await storeChoice.isVisible(), "with two stores, the pair form asks which");
  assert.equal(await storeChoice.inputValue(), "main", "the main store comes first");
  await owner.getByTestId("pair-code").fill(await shownCode.innerText());
  await owner.getByTestId("pair-name").fill("Harbour till");
  await storeChoice.selectOption("harbour-e2e");
  await owner.getByTestId("pair-submit").click();
  await owner.getByTestId("notice").filter({ hasText: "Harbour till is paired" }).waitFor({ timeout: 10_000 });
  const row = owner.getByTestId("register-rows").locator("tr", { hasText: "Harbour till" });
  await row.waitFor({ timeout: 5_000 });
  assert.match(await row.innerText(), /Harbour till\s+Harbour Quay E2E/, "the list names the register's store");
  await shot(owner, "2-registers");
  const { registers } = await admin("GET", `/api/owner/shops/${shopId}/registers`, undefined, 200);
  assert.equal(registers.length, 1);
  assert.equal(registers[0].store_id, "harbour-e2e");

  // --- The register sells; its receipt names the store. ---
  await till.locator("[data-testid=verdict][data-state=ready]").waitFor({ timeout: 15_000 });
  assert.equal(await till.getByTestId("register-name").innerText(), "Harbour Quay E2E · Harbour till", "the header names the store");
  await till.getByTestId("manual-code").fill(await nextCode());
  await till.getByTestId("manual-submit").click();
  await till.locator("[data-testid=verdict][data-state=customer]").waitFor({ timeout: 10_000 });
  await till.getByTestId("amount").fill("3.00");
  await till.getByTestId("add-points").click();
  await till.locator("[data-testid=verdict][data-state=sold]").waitFor({ timeout: 10_000 });
  const store = till.locator("#register-receipt").getByTestId("receipt-store");
  await store.waitFor({ timeout: 5_000 });
  assert.equal(await store.innerText(), "Harbour Quay E2E");
  assert.equal(await store.getAttribute("data-store-id"), "harbour-e2e");
  await shot(till, "3-receipt");

  // --- The owner closes the harbour store: asked first; a "Cancel" changes nothing. ---
  await owner.getByTestId("tab-stores").click();
  const close = stores.locator('[data-close="harbour-e2e"]');
  await close.waitFor({ timeout: 5_000 });
  const questions = [];
  owner.once("dialog", (dialog) => {
    questions.push(dialog.message());
    dialog.dismiss();
  });
  await close.click();
  await owner.waitForTimeout(500);
  assert.match(questions[0] ?? "", /Close Harbour Quay E2E\? Its registers stop working at once/);
  let open = await admin("GET", `/api/owner/shops/${shopId}/stores`, undefined, 200);
  assert.ok(open.stores.every((s) => !s.closed_at), "dismissed: nothing closed");
  owner.once("dialog", (dialog) => dialog.accept());
  await close.click();
  await owner.getByTestId("notice").filter({ hasText: "Harbour Quay E2E is closed: its register is revoked." }).waitFor({ timeout: 10_000 });
  const closedRow = stores.locator('[data-store-id="harbour-e2e"][data-closed]');
  await closedRow.waitFor({ timeout: 5_000 });
  assert.match(await closedRow.innerText(), /Harbour Quay E2E[\s\S]*Closed/);
  assert.equal(await stores.locator("[data-close]").count(), 0, "the last open store offers no Close");
  await shot(owner, "4-store-closed");

  // The till's very next call is refused: its store is closed.
  await till.getByTestId("manual-code").fill(await nextCode());
  await till.getByTestId("manual-submit").click();
  const setup = till.getByTestId("setup-needed");
  await setup.waitFor({ timeout: 10_000 });
  assert.match(await setup.innerText(), /This register was removed by the shop owner/);

  // The register list still names the store; the pair form offers the open store only.
  await owner.getByTestId("tab-registers").click();
  const revokedRow = owner.getByTestId("register-rows").locator("tr", { hasText: "Harbour till" });
  await revokedRow.filter({ hasText: "revoked" }).waitFor({ timeout: 5_000 });
  assert.match(await revokedRow.innerText(), /Harbour Quay E2E/);
  assert.equal(await storeChoice.locator("option").count(), 1);
  assert.ok(await owner.locator("#pair-store-field").isHidden(), "one open store: no choice to make");
  open = await admin("GET", `/api/owner/shops/${shopId}/stores`, undefined, 200);
  assert.deepEqual(open.stores.map((s) => [s.store_id, Boolean(s.closed_at)]), [["main", false], ["harbour-e2e", true]]);
});
