// End to end with the network cut (Chromium's offline emulation, per browser): a phone
// signed in once keeps offline codes; offline, the page opens from its service worker with
// the member's card and shows an offline code, saying so plainly. The register, offline too,
// says the server is out of reach, verifies the code itself (Ed25519 in WebCrypto, the kit
// fetched while online), adds points provisionally, refuses the same code twice, keeps its
// queue in IndexedDB across a reload (the page opening from its own service worker), and
// back online uploads the queue once: the server's balance is exact, and a second reload
// sends nothing again. Where the owner set an offline prepaid limit for the store (console,
// Stores tab), the register offline charges prepaid within it, refuses more, the charge
// is made once at sync, and one the balance could not pay is listed for the owner, who marks
// it collected: it moves under Settled. A ticket held on the phone gets offline codes too: offline,
// the phone opens it from its kept list and shows one; the gate, offline, admits it provisionally
// and denies the same code again; back online the admission is confirmed once; a second gate's
// later admission of the ticket is a conflict, listed in the owner's console.
//
// Needs a running stack (TESSERA_BASE_URL, TESSERA_ADMIN_TOKEN), like loyalty-loop.test.mjs.
// Screenshots: tests/browser/artifacts/offline-*.png.

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ADMIN_TOKEN, BASE_URL, admin, call, launch, memberShowingCode, ownerConsole, shopWithRegister } from "./helpers.mjs";
import { phonePage } from "./helpers.mjs";

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

  // An entry of the used-set from four days ago (its code long expired) is forgotten at the next sale.
  await register.evaluate(async () => {
    const db = await new Promise((resolve) => { const r = indexedDB.open("tessera-register-offline", 1); r.onsuccess = () => resolve(r.result); });
    const tx = db.transaction("used", "readwrite");
    tx.objectStore("used").put(Date.now() - 4 * 24 * 3600 * 1000, "an-old-code");
    await new Promise((resolve) => { tx.oncomplete = resolve; });
  });
  assert.equal(await register.evaluate(() => globalThis.tesseraOffline.isUsed("an-old-code")), true);

  // No network at the register either: it says so, verifies the code itself, adds points provisionally.
  await tillBrowser.setOffline(true);
  await typeCode(register, first);
  await register.locator("[data-testid=offline-panel][data-verdict=ok]").waitFor({ timeout: 10_000 });
  assert.match(await register.getByTestId("offline-verdict").innerText(), /Offline code ✓/);
  await register.getByTestId("offline-amount").fill("12.50");
  await register.getByTestId("offline-add-points").click();
  await register.getByText(/Provisional: (€12\.50|12\.50 EUR|12,50 €) recorded offline/).waitFor({ timeout: 10_000 });
  await register.locator("#connection-status:not([hidden])").waitFor({ timeout: 15_000 });
  assert.match(await register.getByTestId("connection-status").innerText(), /No connection to the server/);
  await register.locator("[data-testid=offline-queue] li[data-state=waiting]").first().waitFor();
  assert.equal(await register.evaluate(() => globalThis.tesseraOffline.isUsed("an-old-code")), false, "pruned");

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

test("offline: one code at two registers is granted once and reported; a revoked phone's code is refused after the register's next sync", { timeout: 240_000 }, async (t) => {
  if (!BASE_URL || !ADMIN_TOKEN) {
    t.skip("set TESSERA_BASE_URL and TESSERA_ADMIN_TOKEN to run against a stack");
    return;
  }
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "tessera-offline-two-"));
  const phoneBrowser = await launch(path.join(work, "phone"));
  const tillA = await launch(path.join(work, "till-a"));
  const tillB = await launch(path.join(work, "till-b"));
  t.after(async () => {
    for (const browser of [phoneBrowser, tillA, tillB]) await browser.close();
    fs.rmSync(work, { recursive: true, force: true });
  });
  const { shopId, register: first } = await shopWithRegister("offline2", "Two Tills");
  const second = await admin("POST", `/api/admin/shops/${shopId}/registers`, { name: "Till 2" });

  const phone = await phonePage(phoneBrowser);
  await phone.getByTestId("sign-up-name").fill("Otto");
  await phone.getByTestId("sign-up-password").fill("correct horse battery");
  await phone.getByTestId("sign-up-submit").click();
  await phone.getByTestId("new-member-number").waitFor();
  await phone.locator(`[data-testid=joinable-shop][data-shop-id="${shopId}"]`).getByTestId("join-shop").click();
  await phone.locator(`[data-testid=membership][data-shop-id="${shopId}"]`).waitFor();
  await phone.waitForFunction(() => localStorage.getItem("tessera-offline-codes") !== null, null, { timeout: 15_000 });
  const codes = await phone.evaluate(() => JSON.parse(localStorage.getItem("tessera-offline-codes")).batch.cards[0].codes.map((c) => c.text));

  const open = async (browser, token) => {
    const page = await browser.newPage();
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${BASE_URL}/register/#token=${token}`);
    await page.locator("#till-view:not([hidden])").waitFor({ timeout: 20_000 });
    await page.waitForFunction(async () => (await globalThis.tesseraOffline.loadKit("kit")) !== null, null, { timeout: 15_000 });
    return page;
  };
  const a = await open(tillA, first.token);
  const b = await open(tillB, second.token);

  // A copied code: both tills, offline, accept it (neither can know of the other).
  await tillA.setOffline(true);
  await tillB.setOffline(true);
  for (const [page, amount] of [[a, "10"], [b, "30"]]) {
    await typeCode(page, codes[0]);
    await page.locator("[data-testid=offline-panel][data-verdict=ok]").waitFor({ timeout: 10_000 });
    await page.getByTestId("offline-amount").fill(amount);
    await page.getByTestId("offline-add-points").click();
    await page.locator("[data-testid=offline-queue] li[data-state=waiting]").waitFor({ timeout: 10_000 });
  }
  // Till A reconnects first: granted. Then till B: not granted, no points.
  await tillA.setOffline(false);
  await a.locator("[data-testid=offline-queue] li[data-state=confirmed]").waitFor({ timeout: 30_000 });
  await tillB.setOffline(false);
  await b.locator("[data-testid=offline-queue] li[data-state=conflict]").waitFor({ timeout: 30_000 });
  assert.match(await b.getByTestId("offline-queue").innerText(), /not granted: this code was used before/);
  await b.screenshot({ path: path.join(ARTIFACTS, "offline-4-register-conflict.png"), fullPage: true });
  assert.equal(await serverPoints(phone, shopId), 10, "points once, from the first upload");
  // The owner sees the conflict with both scans.
  const invite = await admin("POST", `/api/owner/shops/${shopId}/invites`, undefined, 201);
  const accepted = await fetch(`${BASE_URL}/api/owner/invites/accept`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Origin: BASE_URL },
    body: JSON.stringify({ token: invite.token, email: `owner-${shopId}@example.org`, password: "correct horse battery" }),
  });
  assert.equal(accepted.status, 201, await accepted.text());
  const ownerCookie = accepted.headers.get("set-cookie").split(";")[0];
  const listed = await (await fetch(`${BASE_URL}/api/owner/shops/${shopId}/offline-conflicts`, { headers: { Cookie: ownerCookie } })).json();
  assert.equal(listed.conflicts.length, 1);
  assert.equal(listed.conflicts[0].first.register_id, first.register_id);
  assert.equal(listed.conflicts[0].second.register_id, second.register_id);
  assert.equal(listed.conflicts[0].amount_minor, 3000);
  // …and in the console, under Registers, by the registers' names.
  const consolePage = await ownerConsole(phoneBrowser, shopId);
  await consolePage.getByTestId("tab-registers").click();
  await consolePage.locator("[data-testid=offline-conflicts]:not([hidden])").waitFor({ timeout: 10_000 });
  const row = await consolePage.getByTestId("offline-conflict-rows").innerText();
  assert.match(row, /Till 1[\s\S]*Till 2[\s\S]*30\.00/);
  await consolePage.screenshot({ path: path.join(ARTIFACTS, "offline-6-console-conflicts.png"), fullPage: true });
  await consolePage.close();

  // The member revokes the phone's offline codes from another device (here: the API, signed in again).
  const signIn = await fetch(`${BASE_URL}/api/session`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ member_number: await phone.evaluate(() => JSON.parse(localStorage.getItem("tessera-offline-wallet")).member_number), password: "correct horse battery" }),
  });
  assert.equal(signIn.status, 200);
  const cookie = signIn.headers.get("set-cookie").split(";")[0];
  const revoked = await fetch(`${BASE_URL}/api/me/offline-codes`, { method: "DELETE", headers: { Cookie: cookie, Origin: BASE_URL } });
  assert.equal(revoked.status, 200, await revoked.text());

  // Till A's next sync brings the revocation; offline again, it refuses the lost phone's next code.
  await a.reload();
  await a.locator("#till-view:not([hidden])").waitFor({ timeout: 20_000 });
  await a.waitForFunction(
    async () => JSON.parse(await globalThis.tesseraOffline.loadKit("kit")).revoked.length > 0,
    null,
    { timeout: 15_000 },
  );
  await tillA.setOffline(true);
  await typeCode(a, codes[1]);
  await a.locator("[data-testid=offline-panel][data-verdict=refused]").waitFor({ timeout: 10_000 });
  assert.match(await a.getByTestId("offline-verdict").innerText(), /revoked/);
  await a.screenshot({ path: path.join(ARTIFACTS, "offline-5-register-revoked.png"), fullPage: true });
});

test("offline: the owner sets a store's offline prepaid limit; the register charges within it offline and the server charges once", { timeout: 240_000 }, async (t) => {
  if (!BASE_URL || !ADMIN_TOKEN) {
    t.skip("set TESSERA_BASE_URL and TESSERA_ADMIN_TOKEN to run against a stack");
    return;
  }
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "tessera-offline-limit-"));
  const phoneBrowser = await launch(path.join(work, "phone"));
  const tillBrowser = await launch(path.join(work, "till"));
  const ownerBrowser = await launch(path.join(work, "owner"));
  t.after(async () => {
    for (const browser of [phoneBrowser, tillBrowser, ownerBrowser]) await browser.close();
    fs.rmSync(work, { recursive: true, force: true });
  });
  const { shopId, register: till } = await shopWithRegister("offlimit", "Limit Corner");

  // The owner allows 5.00 per sale offline at the main store.
  const owner = await ownerConsole(ownerBrowser, shopId);
  await owner.getByTestId("tab-stores").click();
  const row = owner.locator('[data-testid=store-rows] li[data-store-id="main"]');
  await row.locator("#store-limit-main").fill("5");
  await row.locator("[data-offline-limit=main]").click();
  await owner.getByText(/may now charge up to (€5\.00|5\.00 EUR|5,00 €) per sale/).waitFor({ timeout: 10_000 });
  // The list is loaded again: the row shows the limit as stored.
  await owner.waitForFunction(() => document.querySelector("#store-limit-main")?.value === "5.00", null, { timeout: 10_000 });
  await owner.screenshot({ path: path.join(ARTIFACTS, "offline-7-console-limit.png"), fullPage: true });

  // A member with 8.00 of prepaid value (cash at the till, online) and their offline codes.
  const { phone, digits } = await memberShowingCode(phoneBrowser, shopId, "Lena", "correct horse battery");
  await call("POST", "/api/register/prepaid/top-ups", till.token, { code: digits, request_id: `e2e-top-up-${Date.now()}`, amount_minor: 800 }, 200);
  await phone.waitForFunction(() => localStorage.getItem("tessera-offline-codes") !== null, null, { timeout: 15_000 });
  const codes = await phone.evaluate(() => JSON.parse(localStorage.getItem("tessera-offline-codes")).batch.cards[0].codes.map((c) => c.text));

  // The register, online once, learns the limit with its kit.
  const register = await tillBrowser.newPage();
  await register.setViewportSize({ width: 1280, height: 900 });
  await register.goto(`${BASE_URL}/register/#token=${till.token}`);
  await register.locator("#till-view:not([hidden])").waitFor({ timeout: 20_000 });
  await register.waitForFunction(async () => JSON.parse((await globalThis.tesseraOffline.loadKit("kit")) || "{}").debit_limit_minor === 500, null, { timeout: 15_000 });

  // Offline: 6.00 is over the limit (refused on the spot); 4.00 is charged provisionally.
  await tillBrowser.setOffline(true);
  await typeCode(register, codes[0]);
  await register.locator("[data-testid=offline-panel][data-verdict=ok]").waitFor({ timeout: 10_000 });
  assert.match(await register.locator("#offline-amount-label").innerText(), /prepaid charge up to (€5\.00|5\.00 EUR|5,00 €)/);
  await register.getByTestId("offline-amount").fill("6");
  await register.getByTestId("offline-charge-prepaid").click();
  await register.getByText(/Over this store's offline limit for prepaid/).waitFor({ timeout: 10_000 });
  await register.getByTestId("offline-amount").fill("4");
  await register.getByTestId("offline-charge-prepaid").click();
  await register.getByText(/Provisional: (€4\.00|4\.00 EUR|4,00 €) charged to prepaid offline/).waitFor({ timeout: 10_000 });
  // A second code, 4.50: within the limit, so accepted offline; the balance decides at sync.
  await typeCode(register, codes[1]);
  await register.locator("[data-testid=offline-panel][data-verdict=ok]").waitFor({ timeout: 10_000 });
  await register.getByTestId("offline-amount").fill("4.50");
  await register.getByTestId("offline-charge-prepaid").click();
  await register.locator("[data-testid=offline-queue] li[data-state=waiting]").nth(1).waitFor({ timeout: 10_000 });
  await register.screenshot({ path: path.join(ARTIFACTS, "offline-8-register-prepaid.png"), fullPage: true });

  // Back online: the first charge is made; the second finds 4.00 left for 4.50 and is refused.
  await tillBrowser.setOffline(false);
  await register.locator("[data-testid=offline-queue] li[data-state=confirmed]").waitFor({ timeout: 30_000 });
  await register.locator("[data-testid=offline-queue] li[data-state=refused]").waitFor({ timeout: 30_000 });
  const queue = await register.getByTestId("offline-queue").innerText();
  assert.match(queue, /prepaid · confirmed: customer #?\d+, charged, prepaid left (€4\.00|4\.00 EUR|4,00 €)/);
  assert.match(queue, /refused by the server: the customer's prepaid balance was too low/);
  const wallet = await phone.evaluate(async () => (await fetch("/api/me/wallet", { credentials: "same-origin" })).json());
  assert.equal(wallet.memberships.find((m) => m.shop.shop_id === shopId).prepaid_minor, 400, "8.00 − 4.00, once");

  // The owner sees the charge that was not paid, under Registers: when, where, who, how much.
  await owner.reload();
  await owner.locator("#shops-view:not([hidden])").waitFor({ timeout: 10_000 });
  await owner.locator(`[data-shop-id="${shopId}"]`).click();
  await owner.getByTestId("tab-registers").click();
  await owner.locator("[data-testid=offline-unpaid]:not([hidden])").waitFor({ timeout: 10_000 });
  const unpaid = await owner.getByTestId("offline-unpaid-rows").innerText();
  assert.match(unpaid, /Customer #\d+/);
  assert.match(unpaid, /(€4\.50|4\.50 EUR|4,50 €)/);
  await owner.screenshot({ path: path.join(ARTIFACTS, "offline-9-console-unpaid.png"), fullPage: true });

  // The customer pays cash on their next visit: the owner marks the charge collected, with a
  // note; it leaves the open list and shows under Settled, with how, when and by whom.
  const rows = owner.getByTestId("offline-unpaid-rows");
  await rows.getByRole("textbox", { name: /^Note on the charge of customer #\d+/ }).fill("paid cash next visit");
  await rows.getByRole("button", { name: /^Collected: customer #\d+/ }).click();
  await owner.getByText(/The charge of customer #\d+ is marked as collected\./).waitFor({ timeout: 10_000 });
  await owner.getByText("No charge is left to settle.").waitFor({ timeout: 10_000 });
  assert.equal(await rows.locator("tr").count(), 0, "the open list is empty");
  const settled = owner.getByTestId("offline-settled");
  await owner.locator("[data-testid=offline-settled]:not([hidden])").waitFor({ timeout: 10_000 });
  await owner.getByTestId("offline-settled-summary").click();
  const settledRows = await owner.getByTestId("offline-settled-rows").innerText();
  assert.match(settledRows, /Customer #\d+/);
  assert.match(settledRows, /(€4\.50|4\.50 EUR|4,50 €)/);
  assert.match(settledRows, /Collected another way on .+, by .+@.+: “paid cash next visit”/);
  assert.match(await settled.locator("summary").innerText(), /Settled \(1\)/);
  await owner.screenshot({ path: path.join(ARTIFACTS, "offline-10-console-settled.png"), fullPage: true });
});

test("offline: a ticket's offline code on the phone, two gates offline admit it provisionally, the first sync counts and the second is a conflict", { timeout: 240_000 }, async (t) => {
  if (!BASE_URL || !ADMIN_TOKEN) {
    t.skip("set TESSERA_BASE_URL and TESSERA_ADMIN_TOKEN to run against a stack");
    return;
  }
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "tessera-offline-gate-"));
  const phoneBrowser = await launch(path.join(work, "phone"));
  const gateBrowser = await launch(path.join(work, "gate"));
  t.after(async () => {
    await phoneBrowser.close();
    await gateBrowser.close();
    fs.rmSync(work, { recursive: true, force: true });
  });
  // The venue and its gate, an issuer and one ticket whose gates are open.
  const { shopId, register: gateCreated } = await shopWithRegister("offgate", "Offline Hall");
  const unique = `${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
  const issuer = await admin("POST", "/api/admin/issuers", { issuer_id: `agency-${unique}`, name: "City Tickets", shop_ids: [shopId] });
  const eventId = `jazz-${unique}`;
  const now = Date.now();
  const created = await call("POST", "/api/issuer/tickets", issuer.api_key, {
    event_id: eventId,
    event_title: "Jazz night",
    venue: shopId,
    starts_at: now + 30 * 60_000,
    gate_opens_at: now - 60_000,
    seats: ["Row 1, seat 1"],
  }, 201);
  const item = created.tickets[0].item;

  // Online once: the phone claims the ticket and keeps its offline codes and its list.
  const phone = await phoneBrowser.newPage();
  await phone.setViewportSize({ width: 390, height: 844 });
  await phone.goto(created.tickets[0].claim.claim_url);
  await phone.getByTestId("sign-up-name").fill("Tess");
  await phone.getByTestId("sign-up-password").fill("correct horse battery");
  await phone.getByTestId("sign-up-submit").click();
  await phone.locator(`[data-testid=ticket][data-item="${item}"]`).waitFor({ timeout: 15_000 });
  await phone.waitForFunction(
    (held) => JSON.parse(localStorage.getItem("tessera-offline-codes") || "null")?.batch.tickets?.some((t) => t.item === held && t.codes.length === 4),
    item,
    { timeout: 15_000 },
  );
  await phone.waitForFunction(() => navigator.serviceWorker?.controller !== null, null, { timeout: 20_000 });

  // The gate, online once: its kit lists this venue's event.
  const gatePage = await gateBrowser.newPage();
  await gatePage.setViewportSize({ width: 1280, height: 900 });
  await gatePage.goto(`${BASE_URL}/register/#token=${gateCreated.token}`);
  await gatePage.locator("#till-view:not([hidden])").waitFor({ timeout: 20_000 });
  await gatePage.waitForFunction(
    async () => (JSON.parse((await globalThis.tesseraOffline.loadKit("kit")) || "null")?.events || []).some((e) => e.event_title === "Jazz night"),
    null,
    { timeout: 15_000 },
  );
  await gatePage.waitForFunction(() => navigator.serviceWorker?.controller !== null, null, { timeout: 20_000 });

  // No network on the phone: the ticket opens from the kept list and shows an offline code.
  await phoneBrowser.setOffline(true);
  await phone.reload();
  const ticket = phone.locator(`[data-testid=ticket][data-item="${item}"]`);
  await ticket.waitFor({ timeout: 20_000 });
  await ticket.getByTestId("show-ticket-code").click();
  await phone.locator("[data-testid=qr][data-state=offline] svg").waitFor({ timeout: 20_000 });
  const code = (await phone.getByTestId("code-digits").innerText()).trim();
  assert.match(code, /^TO:[A-Z2-7]{175}$/, "a ticket's offline code");
  assert.match(await phone.getByTestId("countdown").innerText(), /offline code for this ticket\. It admits once/);
  await phone.screenshot({ path: path.join(ARTIFACTS, "offline-ticket-1-phone-code.png"), fullPage: true });

  // No network at the gate: ADMIT (provisional), queued; the same code again: DENY.
  await gateBrowser.setOffline(true);
  await typeCode(gatePage, code);
  await gatePage.locator("[data-testid=offline-panel][data-verdict=admit]").waitFor({ timeout: 10_000 });
  assert.match(await gatePage.getByTestId("offline-verdict").innerText(), /ADMIT \(provisional\) · Jazz night/);
  await gatePage.locator("[data-testid=offline-queue] li[data-state=waiting]").first().waitFor({ timeout: 10_000 });
  await gatePage.screenshot({ path: path.join(ARTIFACTS, "offline-ticket-2-gate-admit.png"), fullPage: true });
  await gatePage.getByTestId("offline-close").click();
  await typeCode(gatePage, code);
  await gatePage.locator("[data-testid=offline-panel][data-verdict=refused]").waitFor({ timeout: 10_000 });
  assert.match(await gatePage.getByTestId("offline-verdict").innerText(), /DENY · this offline code was already used/);
  await gatePage.getByTestId("offline-close").click();

  // Back online: the admission is uploaded once and confirmed; the issuer counts one visitor.
  await gateBrowser.setOffline(false);
  await gatePage.locator("[data-testid=offline-queue] li[data-state=confirmed]").first().waitFor({ timeout: 30_000 });
  assert.match(await gatePage.locator("[data-testid=offline-queue] li").first().innerText(), /admission confirmed: Jazz night, 0 entries left/);
  await gatePage.screenshot({ path: path.join(ARTIFACTS, "offline-ticket-3-gate-synced.png"), fullPage: true });
  const status = await call("GET", `/api/issuer/events/${eventId}`, issuer.api_key, undefined, 200);
  assert.equal(status.visitors, 1);
  assert.equal(status.tickets[0].entries[0].gate, gateCreated.register_id);
  assert.deepEqual(status.offline_conflicts, []);

  // A second gate, offline too, admits the same ticket with another of its codes (it cannot know
  // of the first): ADMIT (provisional). It syncs later: not counted, a conflict on its screen, and
  // the owner's console lists it under Registers with both gates.
  const gate2 = await admin("POST", `/api/admin/shops/${shopId}/registers`, { name: "Gate 2" });
  const others = await phone.evaluate(
    (held) => JSON.parse(localStorage.getItem("tessera-offline-codes")).batch.tickets.find((t) => t.item === held).codes.map((c) => c.text),
    item,
  );
  const another = others.find((text) => text !== code);
  const gate2Browser = await launch(path.join(work, "gate-2"));
  t.after(() => gate2Browser.close());
  const gate2Page = await gate2Browser.newPage();
  await gate2Page.setViewportSize({ width: 1280, height: 900 });
  await gate2Page.goto(`${BASE_URL}/register/#token=${gate2.token}`);
  await gate2Page.locator("#till-view:not([hidden])").waitFor({ timeout: 20_000 });
  await gate2Page.waitForFunction(
    async () => (JSON.parse((await globalThis.tesseraOffline.loadKit("kit")) || "null")?.events || []).some((e) => e.event_title === "Jazz night"),
    null,
    { timeout: 15_000 },
  );
  await gate2Browser.setOffline(true);
  await typeCode(gate2Page, another);
  await gate2Page.locator("[data-testid=offline-panel][data-verdict=admit]").waitFor({ timeout: 10_000 });
  await gate2Page.locator("[data-testid=offline-queue] li[data-state=waiting]").first().waitFor({ timeout: 10_000 });
  await gate2Browser.setOffline(false);
  await gate2Page.locator("[data-testid=offline-queue] li[data-state=conflict]").first().waitFor({ timeout: 30_000 });
  assert.match(await gate2Page.locator("[data-testid=offline-queue] li").first().innerText(), /admission not counted: this ticket was admitted first/);
  await gate2Page.screenshot({ path: path.join(ARTIFACTS, "offline-ticket-5-second-gate-conflict.png"), fullPage: true });
  const after = await call("GET", `/api/issuer/events/${eventId}`, issuer.api_key, undefined, 200);
  assert.equal(after.visitors, 1, "one admission for two gates");
  assert.equal(after.offline_conflicts.length, 1, "one reported conflict");
  const consolePage = await ownerConsole(gateBrowser, shopId);
  await consolePage.getByTestId("tab-registers").click();
  await consolePage.locator("[data-testid=offline-ticket-conflicts]:not([hidden])").waitFor({ timeout: 10_000 });
  assert.match(await consolePage.getByTestId("offline-ticket-conflict-rows").innerText(), /Jazz night[\s\S]*Till 1[\s\S]*Gate 2/);
  await consolePage.screenshot({ path: path.join(ARTIFACTS, "offline-ticket-4-console-conflict.png"), fullPage: true });
  await consolePage.close();
});
