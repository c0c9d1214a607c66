// A bill held in the wallet, end to end with the network cut (Chromium's offline emulation):
// online once, the phone claims the bill and keeps its offline codes (signed for the shop it is
// payable at) and its list; the register, online once, learns its store's offline limit (set by
// the operator here) and the biller's name with its kit. Offline, the phone opens the bill from
// its kept list and "Show code to pay" shows an offline code naming the shop; the register,
// offline, checks it itself, shows the bill with its amount and biller, and Paid collects it
// provisionally; the same code again is refused. Back online the payment is uploaded once and
// the bill is paid at that register, as its issuer sees it; a second register's later upload of
// another of its codes is a conflict, listed for the issuer and in the owner's console.
//
// Needs a running stack (TESSERA_BASE_URL, TESSERA_ADMIN_TOKEN), like offline.test.mjs.
// Screenshots: tests/browser/artifacts/offline-bill-*.png.

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ADMIN_TOKEN, BASE_URL, admin, call, launch, ownerConsole, shopWithRegister } from "./helpers.mjs";

const ARTIFACTS = path.join(path.dirname(fileURLToPath(import.meta.url)), "artifacts");

async function typeCode(register, text) {
  await register.getByTestId("manual-code").fill(text);
  await register.getByTestId("manual-submit").click();
}

test("offline: a bill's offline code on the phone, the register offline collects it within the store's limit, then syncs once", { timeout: 240_000 }, async (t) => {
  if (!BASE_URL || !ADMIN_TOKEN) {
    t.skip("set TESSERA_BASE_URL and TESSERA_ADMIN_TOKEN to run against a stack");
    return;
  }
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "tessera-offline-bill-"));
  const phoneBrowser = await launch(path.join(work, "phone"));
  const tillBrowser = await launch(path.join(work, "till"));
  t.after(async () => {
    await phoneBrowser.close();
    await tillBrowser.close();
    fs.rmSync(work, { recursive: true, force: true });
  });
  // The shop takes bills up to 50.00 offline at its main store; a biller and one bill of 42.00.
  const { shopId, register: till } = await shopWithRegister("offbill", "Bill Corner");
  await admin("PATCH", `/api/owner/shops/${shopId}/stores/main`, { offline_debit_limit_minor: 5000 }, 200);
  const unique = `${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
  const issuer = await admin("POST", "/api/admin/issuers", { issuer_id: `water-${unique}`, name: "Water Co", shop_ids: [shopId] });
  const bill = await call("POST", "/api/issuer/bills", issuer.api_key, {
    amount_minor: 4200,
    currency: "EUR",
    due_at: Date.now() + 7 * 24 * 3600_000,
    description: "Water, March",
    reference: `INV-${unique}`,
    payable_at: [shopId],
  }, 201);
  const item = bill.item;

  // Online once: the phone claims the bill and keeps its offline codes and its list.
  const phone = await phoneBrowser.newPage();
  await phone.setViewportSize({ width: 390, height: 844 });
  await phone.goto(bill.claim.claim_url);
  await phone.getByTestId("sign-up-name").fill("Bill");
  await phone.getByTestId("sign-up-password").fill("correct horse battery");
  await phone.getByTestId("sign-up-submit").click();
  await phone.locator(`[data-testid=bill][data-item="${item}"]`).waitFor({ timeout: 15_000 });
  await phone.waitForFunction(
    (held) => JSON.parse(localStorage.getItem("tessera-offline-codes") || "null")?.batch.bills?.some((b) => b.item === held && b.shops[0]?.codes.length === 2),
    item,
    { timeout: 15_000 },
  );
  await phone.waitForFunction(() => navigator.serviceWorker?.controller !== null, null, { timeout: 20_000 });

  // The register, online once: its kit has the limit and names the biller.
  const register = await tillBrowser.newPage();
  await register.setViewportSize({ width: 1280, height: 900 });
  await register.goto(`${BASE_URL}/register/#token=${till.token}`);
  await register.locator("#till-view:not([hidden])").waitFor({ timeout: 20_000 });
  await register.waitForFunction(
    async () => {
      const kit = JSON.parse((await globalThis.tesseraOffline.loadKit("kit")) || "null");
      return kit?.debit_limit_minor === 5000 && (kit.billers || []).some((b) => b.biller === "Water Co");
    },
    null,
    { timeout: 15_000 },
  );
  await register.waitForFunction(() => navigator.serviceWorker?.controller !== null, null, { timeout: 20_000 });

  // No network on the phone: the bill opens from the kept list and shows an offline code.
  await phoneBrowser.setOffline(true);
  await phone.reload();
  const held = phone.locator(`[data-testid=bill][data-item="${item}"]`);
  await held.waitFor({ timeout: 20_000 });
  await held.getByTestId("show-bill-code").click();
  await phone.locator("[data-testid=qr][data-state=offline] svg").waitFor({ timeout: 20_000 });
  const code = (await phone.getByTestId("code-digits").innerText()).trim();
  assert.match(code, /^TO:[A-Z2-7]{202}$/, "a bill's offline code");
  assert.match(await phone.getByTestId("countdown").innerText(), /offline code to pay this bill at Bill Corner/);
  await phone.screenshot({ path: path.join(ARTIFACTS, "offline-bill-1-phone-code.png"), fullPage: true });

  // No network at the register: the bill is shown with Paid; Paid collects it provisionally.
  await tillBrowser.setOffline(true);
  await typeCode(register, code);
  await register.locator("[data-testid=offline-panel][data-verdict=ok]").waitFor({ timeout: 10_000 });
  assert.match(await register.getByTestId("offline-verdict").innerText(), /Bill from Water Co · (€42\.00|42\.00 EUR|42,00 €) · due/);
  await register.screenshot({ path: path.join(ARTIFACTS, "offline-bill-2-register-bill.png"), fullPage: true });
  await register.getByTestId("offline-bill-paid").click();
  await register.getByText(/Provisional: bill of (€42\.00|42\.00 EUR|42,00 €) collected offline/).waitFor({ timeout: 10_000 });
  await register.locator("[data-testid=offline-queue] li[data-state=waiting]").first().waitFor({ timeout: 10_000 });
  // The same code again: this register collected it already.
  await typeCode(register, code);
  await register.locator("[data-testid=offline-panel][data-verdict=refused]").waitFor({ timeout: 10_000 });
  assert.match(await register.getByTestId("offline-verdict").innerText(), /Bill not accepted: this register collected it already/);
  await register.getByTestId("offline-close").click();

  // Back online: the payment is uploaded once and confirmed; the issuer sees the bill paid here.
  await tillBrowser.setOffline(false);
  await register.locator("[data-testid=offline-queue] li[data-state=confirmed]").first().waitFor({ timeout: 30_000 });
  assert.match(await register.locator("[data-testid=offline-queue] li").first().innerText(), /bill paid: Water Co · INV-/);
  await register.screenshot({ path: path.join(ARTIFACTS, "offline-bill-3-register-synced.png"), fullPage: true });
  const status = await call("GET", `/api/issuer/bills/${bill.bill_id}`, issuer.api_key, undefined, 200);
  assert.equal(status.paid.register, till.register_id);
  assert.equal(status.paid.shop, shopId);
  assert.deepEqual(status.offline_conflicts, []);

  // A second register that collected the same bill offline with its other code syncs later:
  // not paid twice; a conflict the issuer and the owner's console (under Registers) list.
  const till2 = await admin("POST", `/api/admin/shops/${shopId}/registers`, { name: "Till 2" });
  const others = await phone.evaluate(
    (held) => JSON.parse(localStorage.getItem("tessera-offline-codes")).batch.bills.find((b) => b.item === held).shops[0].codes.map((c) => c.text),
    item,
  );
  const another = others.find((text) => text !== code);
  const synced = await call("POST", "/api/register/offline/events", till2.token, {
    events: [{ request_id: `off-${unique}`, code: another, kind: "bill_payment", amount_minor: 4200, at: Date.now() }],
  }, 200);
  assert.equal(synced.results[0].outcome.kind, "bill_conflict");
  const after = await call("GET", `/api/issuer/bills/${bill.bill_id}`, issuer.api_key, undefined, 200);
  assert.equal(after.offline_conflicts.length, 1);
  assert.equal(after.offline_conflicts[0].second.register, till2.register_id);
  const consolePage = await ownerConsole(tillBrowser, shopId);
  await consolePage.getByTestId("tab-registers").click();
  await consolePage.locator("[data-testid=offline-bill-conflicts]:not([hidden])").waitFor({ timeout: 10_000 });
  assert.match(await consolePage.getByTestId("offline-bill-conflict-rows").innerText(), /Water Co · INV-[\s\S]*Till 2[\s\S]*paid first .* at Till 1/);
  await consolePage.screenshot({ path: path.join(ARTIFACTS, "offline-bill-4-console-conflict.png"), fullPage: true });
  await consolePage.close();
});
