// End to end with the network cut (Chromium's offline emulation, per browser): a phone
// signed in once keeps offline codes; offline, the page opens from its service worker with
// the member's card and shows an offline code, saying so plainly. The register, offline too,
// says the server is out of reach, verifies the code itself (Ed25519 in WebCrypto, the kit
// fetched while online), adds points provisionally, refuses the same code twice, keeps its
// queue in IndexedDB across a reload (the page opening from its own service worker), and
// back online uploads the queue once: the server's balance is exact, and a second reload
// sends nothing again.
//
// Needs a running stack (TESSERA_BASE_URL, TESSERA_ADMIN_TOKEN), like loyalty-loop.test.mjs.
// Screenshots: tests/browser/artifacts/offline-*.png.

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ADMIN_TOKEN, BASE_URL, launch, phonePage, shopWithRegister } from "./helpers.mjs";

const ARTIFACTS = path.join(path.dirname(fileURLToPath(import.meta.url)), "artifacts");

/** The member's balance at `shopId`, asked of the server by the phone page (online). */
async function serverPoints(phone, shopId) {
  return phone.evaluate(async (shop) => {
    const wallet = await (await fetch("/api/me/wallet", { credentials: "same-origin" })).json();
    return wallet.memberships.find((m) => m.shop.shop_id === shop).points;
  }, shopId);
}

/** Shows the card's code; offline, the phone falls back to its next offline code. */
async function offlineCode(phone, shopId) {
  await phone.locator(`[data-testid=membership][data-shop-id="${shopId}"]`).getByTestId("show-code").click();
  await phone.locator("[data-testid=qr][data-state=offline] svg").waitFor({ timeout: 15_000 });
  const text = (await phone.getByTestId("code-digits").innerText()).trim();
  assert.match(text, /^TO:[A-Z2-7]{146}$/, "an offline code's text");
  return text;
}

async function typeCode(register, text) {
  await register.getByTestId("manual-code").fill(text);
  await register.getByTestId("manual-submit").click();
}

test("offline: the phone shows a signed code, the register accrues, keeps its queue and syncs exactly once", { timeout: 240_000 }, async (t) => {
  if (!BASE_URL || !ADMIN_TOKEN) {
    t.skip("set TESSERA_BASE_URL and TESSERA_ADMIN_TOKEN to run against a stack");
    return;
  }
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "tessera-offline-"));
  const phoneBrowser = await launch(path.join(work, "phone"));
  const tillBrowser = await launch(path.join(work, "till"));
  t.after(async () => {
    await phoneBrowser.close();
    await tillBrowser.close();
    fs.rmSync(work, { recursive: true, force: true });
  });
  const { shopId, register: registerCreated } = await shopWithRegister("offline", "Offline Corner");

  // Online once: sign up, join; the phone keeps the card's offline codes and its shell.
  const phone = await phonePage(phoneBrowser);
  await phone.getByTestId("sign-up-name").fill("Nora");
  await phone.getByTestId("sign-up-password").fill("correct horse battery");
  await phone.getByTestId("sign-up-submit").click();
  await phone.getByTestId("new-member-number").waitFor();
  await phone.locator(`[data-testid=joinable-shop][data-shop-id="${shopId}"]`).getByTestId("join-shop").click();
  await phone.locator(`[data-testid=membership][data-shop-id="${shopId}"]`).waitFor();
  await phone.waitForFunction(
    (shop) => JSON.parse(localStorage.getItem("tessera-offline-codes") || "null")?.batch.cards.some((c) => c.shop_id === shop && c.codes.length === 8),
    shopId,
    { timeout: 15_000 },
  );
  await phone.waitForFunction(() => navigator.serviceWorker?.controller !== null, null, { timeout: 20_000 });
  const kept = await phone.evaluate(() => localStorage.getItem("tessera-offline-codes"));
  const memberNumber = await phone.evaluate(() => JSON.parse(localStorage.getItem("tessera-offline-wallet")).member_number);
  const texts = JSON.parse(kept).batch.cards[0].codes.map((c) => c.text);
  assert.ok(texts.every((text) => !text.includes(memberNumber)), "no code names the member");

  // The register, online once: its kit (this shop's keys) and its shell are kept.
  const register = await tillBrowser.newPage();
  await register.setViewportSize({ width: 1280, height: 900 });
  await register.goto(`${BASE_URL}/register/#token=${registerCreated.token}`);
  await register.locator("#till-view:not([hidden])").waitFor({ timeout: 20_000 });
  await register.waitForFunction(async () => (await globalThis.tesseraOffline.loadKit("kit")) !== null, null, { timeout: 15_000 });
  await register.waitForFunction(() => navigator.serviceWorker?.controller !== null, null, { timeout: 20_000 });

  // No network on the phone: the page opens from its shell, with the card, and an offline code.
  await phoneBrowser.setOffline(true);
  await phone.reload();
  await phone.locator(`[data-testid=membership][data-shop-id="${shopId}"]`).waitFor({ timeout: 20_000 });
  await phone.locator("#offline:not([hidden])").waitFor({ timeout: 15_000 });
  const first = await offlineCode(phone, shopId);
  assert.ok(texts.includes(first), "one of the kept codes");
  assert.match(await phone.getByTestId("countdown").innerText(), /No network: this is an offline code\. It works once/);
  await phone.screenshot({ path: path.join(ARTIFACTS, "offline-1-phone-code.png"), fullPage: true });

  // No network at the register either: it says so, verifies the code itself, adds points provisionally.
  await tillBrowser.setOffline(true);
  await typeCode(register, first);
  await register.locator("[data-testid=offline-panel][data-verdict=ok]").waitFor({ timeout: 10_000 });
  assert.match(await register.getByTestId("offline-verdict").innerText(), /Offline code ✓/);
  await register.getByTestId("offline-amount").fill("12.50");
  await register.getByTestId("offline-add-points").click();
  await register.getByText(/Provisional: 12\.50 EUR recorded offline/).waitFor({ timeout: 10_000 });
  await register.locator("#connection-status:not([hidden])").waitFor({ timeout: 15_000 });
  assert.match(await register.getByTestId("connection-status").innerText(), /No connection to the server/);
  await register.locator("[data-testid=offline-queue] li[data-state=waiting]").first().waitFor();

  // The same code again at this register: refused by its used-set.
  await typeCode(register, first);
  await register.locator("[data-testid=offline-panel][data-verdict=refused]").waitFor({ timeout: 10_000 });
  assert.match(await register.getByTestId("offline-verdict").innerText(), /already used/);
  await register.getByTestId("offline-close").click();

  // A forged code (one changed character) is refused offline too.
  const forged = first.slice(0, 60) + (first[60] === "A" ? "B" : "A") + first.slice(61);
  await typeCode(register, forged);
  await register.locator("[data-testid=offline-panel][data-verdict=refused]").waitFor({ timeout: 10_000 });
  await register.getByTestId("offline-close").click();

  // The phone's next offline code (another one), a second sale.
  await phone.getByTestId("close-code").click();
  const second = await offlineCode(phone, shopId);
  assert.notEqual(second, first, "each code is shown once");
  await typeCode(register, second);
  await register.locator("[data-testid=offline-panel][data-verdict=ok]").waitFor({ timeout: 10_000 });
  await register.getByTestId("offline-amount").fill("5");
  await register.getByTestId("offline-add-points").click();
  await register.locator("[data-testid=offline-queue] li[data-state=waiting]").nth(1).waitFor({ timeout: 10_000 });
  await register.screenshot({ path: path.join(ARTIFACTS, "offline-2-register-queue.png"), fullPage: true });

  // Reloaded with no network: the till opens from its shell and still has its queue.
  await register.reload();
  await register.locator("#till-view:not([hidden])").waitFor({ timeout: 20_000 });
  await register.locator("[data-testid=offline-queue] li[data-state=waiting]").nth(1).waitFor({ timeout: 15_000 });
  assert.equal(await register.locator("[data-testid=offline-queue] li").count(), 2);
  await register.locator("#connection-status:not([hidden])").waitFor({ timeout: 15_000 });

  // Back online: the queue goes up once, in order; both sales are confirmed.
  await tillBrowser.setOffline(false);
  await register.locator("[data-testid=offline-queue] li[data-state=confirmed]").nth(1).waitFor({ timeout: 30_000 });
  assert.match(await register.getByTestId("offline-queue-status").innerText(), /all 2 sent/);
  await register.locator("#connection-status").waitFor({ state: "hidden", timeout: 10_000 });
  await register.screenshot({ path: path.join(ARTIFACTS, "offline-3-register-synced.png"), fullPage: true });

  await phoneBrowser.setOffline(false);
  assert.equal(await serverPoints(phone, shopId), 17, "12 + 5 points, each once");

  // Reloaded online: nothing is sent twice.
  await register.reload();
  await register.locator("#till-view:not([hidden])").waitFor({ timeout: 20_000 });
  await register.locator("[data-testid=offline-queue] li[data-state=confirmed]").nth(1).waitFor({ timeout: 15_000 });
  await register.waitForTimeout(4_000);
  assert.equal(await serverPoints(phone, shopId), 17, "still exact after a reload online");
});
