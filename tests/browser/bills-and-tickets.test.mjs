// End to end with bills and tickets.
// 1. At the gate: an issuer creates a ticket; the customer opens its claim link on
//    the phone, signs up, and the ticket lands in the wallet; the phone shows the
//    ticket's code; the gate (a register of the venue) reads it through a (fake)
//    webcam and says ADMIT; the same code again says DENY already_used, with the
//    time and gate of the entry.
// 2. At the till: a biller's bill is claimed, its code read, the cashier presses
//    Paid, and the phone shows the receipt; the shop's dashboard counts the collection.
//
// Needs a running stack: TESSERA_BASE_URL and TESSERA_ADMIN_TOKEN. Chromium from
// /usr/bin/chromium (override: CHROMIUM_PATH). Screenshots go to tests/browser/artifacts/.

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ADMIN_TOKEN, BASE_URL, call, launch, ownerConsole, qrSamples, webcamVideoOf } from "./helpers.mjs";

const ARTIFACTS = path.join(path.dirname(fileURLToPath(import.meta.url)), "artifacts");

/** A creating call (201) with a bearer token. */
const post = (pathname, token, body) => call("POST", pathname, token, body, 201);

test("claim a ticket, show its code, the gate admits once then denies already_used", { timeout: 120_000 }, async (t) => {
  if (!BASE_URL || !ADMIN_TOKEN) {
    t.skip("set TESSERA_BASE_URL and TESSERA_ADMIN_TOKEN to run against a stack");
    return;
  }
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "tessera-gate-"));
  const shot = (page, name) => page.screenshot({ path: path.join(ARTIFACTS, `tickets-${name}.png`), fullPage: true });

  // The venue, its gate, an issuer and one ticket, through the admin and issuer APIs.
  const unique = `${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
  const venueId = `hall-${unique}`;
  await post("/api/admin/shops", ADMIN_TOKEN, { shop_id: venueId, name: "Blue Note Hall", currency: "EUR", points_per_unit: 1 });
  const gate = await post(`/api/admin/shops/${venueId}/registers`, ADMIN_TOKEN, { name: "North gate" });
  const issuer = await post("/api/admin/issuers", ADMIN_TOKEN, { issuer_id: `agency-${unique}`, name: "City Tickets", shop_ids: [venueId] });
  const now = Date.now();
  const created = await post("/api/issuer/tickets", issuer.api_key, {
    event_id: `jazz-${unique}`,
    event_title: "Jazz night",
    venue: venueId,
    starts_at: now + 30 * 60_000,
    gate_opens_at: now - 60_000,
    seats: ["Row 3, seat 12"],
  });
  const claimUrl = created.tickets[0].claim.claim_url;
  assert.match(claimUrl, /\/phone\/#claim=t\./);

  const phoneBrowser = await launch(path.join(work, "phone-profile"));
  let gateBrowser;
  t.after(async () => {
    await gateBrowser?.close();
    await phoneBrowser.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  // --- The phone opens the claim link, signs up, and finds the ticket in the wallet. ---
  // In dark mode: the code must stay dark on a light card, which webcams read best.
  const phone = await phoneBrowser.newPage();
  await phone.setViewportSize({ width: 390, height: 844 });
  await phone.emulateMedia({ colorScheme: "dark" });
  await phone.goto(claimUrl);
  await phone.getByTestId("sign-up-name").fill("Ada Gate");
  await phone.getByTestId("sign-up-password").fill("correct horse battery");
  await phone.getByTestId("sign-up-submit").click();
  const ticket = phone.locator(`[data-testid=ticket][data-item="${created.tickets[0].item}"]`);
  await ticket.waitFor({ timeout: 10_000 });
  assert.match(await phone.getByTestId("notice").innerText(), /Added to your wallet: Jazz night/);
  assert.ok(!phone.url().includes("claim="), "the one-time link leaves the address bar");
  await shot(phone, "1-phone-wallet");

  await ticket.getByTestId("show-ticket-code").click();
  await phone.locator("[data-testid=qr][data-state=ready] svg").waitFor();
  assert.match(await phone.getByTestId("code-shop-name").innerText(), /Jazz night · Row 3, seat 12/);
  await shot(phone, "2-phone-ticket-code");
  const qrPng = path.join(work, "ticket-qr.png");
  await phone.getByTestId("qr").screenshot({ path: qrPng });
  const pageBackground = await phone.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(pageBackground, "rgb(15, 20, 25)", "the phone page is in dark mode");
  const samples = await qrSamples(phone, qrPng);
  console.log(`dark-mode QR grey levels: ${JSON.stringify(samples)}`);
  for (const light of ["cardEdge", "quietZone", "finderGap"]) {
    assert.ok(samples[light] > 200, `${light} must be light in dark mode: ${JSON.stringify(samples)}`);
  }
  for (const dark of ["finderRing", "finderCentre"]) {
    assert.ok(samples[dark] < 60, `${dark} must be dark in dark mode: ${JSON.stringify(samples)}`);
  }

  // --- The gate: a register of the venue with a webcam that sees the phone. ---
  const y4m = path.join(work, "webcam.y4m");
  webcamVideoOf(qrPng, y4m);
  gateBrowser = await launch(path.join(work, "gate-profile"), [
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    `--use-file-for-fake-video-capture=${y4m}`,
  ]);
  const till = await gateBrowser.newPage();
  await till.setViewportSize({ width: 1280, height: 800 });
  await till.goto(BASE_URL + gate.register_path);
  await till.getByTestId("shop-name").filter({ hasText: "Blue Note Hall" }).waitFor();

  const verdict = till.getByTestId("verdict");
  await till.locator("[data-testid=verdict][data-state=admit]").waitFor({ timeout: 20_000 });
  assert.equal(await till.getByTestId("verdict-title").innerText(), "ADMIT");
  assert.match(await till.getByTestId("verdict-name").innerText(), /Jazz night · Row 3, seat 12/);
  assert.match(await till.getByTestId("verdict-detail").innerText(), /1 visitor so far/);
  await shot(till, "3-gate-admit");

  // The phone learns that its ticket was used.
  await phone.getByTestId("points-change").filter({ hasText: "Admitted" }).waitFor({ timeout: 10_000 });
  await shot(phone, "4-phone-admitted");

  // --- The same code again: DENY, already used, with when and where. ---
  await till.getByTestId("next-customer").click();
  await till.locator("[data-testid=verdict][data-state=deny]").waitFor({ timeout: 10_000 });
  assert.equal(await verdict.getAttribute("data-error"), "already_used");
  assert.equal(await till.getByTestId("verdict-title").innerText(), "DENY");
  assert.match(await till.getByTestId("verdict-name").innerText(), /^Already used at \d{1,2}:\d{2}(:\d{2})?(\s?[AP]M)? \(this gate\)$/);
  await shot(till, "5-gate-deny-already-used");
});

/** A phone that signed up through `claimUrl`, and the register page of `registerPath` seeing `qrPng`. */
async function phoneSignedUpThrough(browser, claimUrl, name) {
  const phone = await browser.newPage();
  await phone.setViewportSize({ width: 390, height: 844 });
  await phone.emulateMedia({ colorScheme: "light" });
  await phone.goto(claimUrl);
  await phone.getByTestId("sign-up-name").fill(name);
  await phone.getByTestId("sign-up-password").fill("correct horse battery");
  await phone.getByTestId("sign-up-submit").click();
  return phone;
}

test("claim a bill, show its code, the cashier presses Paid, the phone has the receipt", { timeout: 120_000 }, async (t) => {
  if (!BASE_URL || !ADMIN_TOKEN) {
    t.skip("set TESSERA_BASE_URL and TESSERA_ADMIN_TOKEN to run against a stack");
    return;
  }
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "tessera-bill-"));
  const shot = (page, name) => page.screenshot({ path: path.join(ARTIFACTS, `bills-${name}.png`), fullPage: true });

  const unique = `${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
  const shopId = `kiosk-${unique}`;
  await post("/api/admin/shops", ADMIN_TOKEN, { shop_id: shopId, name: "Station Kiosk", currency: "EUR", points_per_unit: 1 });
  const till = await post(`/api/admin/shops/${shopId}/registers`, ADMIN_TOKEN, { name: "Till 1" });
  const biller = await post("/api/admin/issuers", ADMIN_TOKEN, { issuer_id: `water-${unique}`, name: "City Water", shop_ids: [shopId] });
  const bill = await post("/api/issuer/bills", biller.api_key, {
    amount_minor: 4250,
    currency: "EUR",
    due_at: Date.now() + 7 * 24 * 3600_000,
    description: "Water, March",
    reference: "INV-2026-0042",
    payable_at: [shopId],
  });

  const phoneBrowser = await launch(path.join(work, "phone-profile"));
  let tillBrowser;
  t.after(async () => {
    await tillBrowser?.close();
    await phoneBrowser.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  const phone = await phoneSignedUpThrough(phoneBrowser, bill.claim.claim_url, "Ada Bill");
  const card = phone.locator(`[data-testid=bill][data-item="${bill.item}"]`);
  await card.waitFor({ timeout: 10_000 });
  assert.match(await card.getByTestId("bill-state").innerText(), /Due .* pay at Station Kiosk · ref\. INV-2026-0042/);
  await card.getByTestId("show-bill-code").click();
  await phone.locator("[data-testid=qr][data-state=ready] svg").waitFor();
  // While a code is shown the screen stays on (Chromium grants the wake lock), with the hint to brighten it.
  await phone.locator("[data-testid=code-view][data-wake-lock=held]").waitFor({ timeout: 5_000 });
  assert.ok(await phone.getByTestId("brightness-hint").isVisible());
  await shot(phone, "1-phone-bill-code");
  const qrPng = path.join(work, "bill-qr.png");
  await phone.getByTestId("qr").screenshot({ path: qrPng });

  const y4m = path.join(work, "webcam.y4m");
  webcamVideoOf(qrPng, y4m);
  tillBrowser = await launch(path.join(work, "till-profile"), [
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    `--use-file-for-fake-video-capture=${y4m}`,
  ]);
  const register = await tillBrowser.newPage();
  await register.setViewportSize({ width: 1280, height: 800 });
  await register.goto(BASE_URL + till.register_path);
  await register.locator("[data-testid=verdict][data-state=bill]").waitFor({ timeout: 20_000 });
  assert.match(await register.getByTestId("verdict-title").innerText(), /^(€42\.50|42\.50 EUR|42,50 €)$/);
  assert.match(await register.getByTestId("verdict-name").innerText(), /City Water · Water, March/);
  await shot(register, "2-register-bill");

  await register.getByTestId("pay-bill").click();
  await register.locator("[data-testid=verdict][data-state=sold]").waitFor();
  assert.equal(await register.getByTestId("verdict-title").innerText(), "Paid ✓");
  await shot(register, "3-register-paid");

  // The phone's code screen notices, and the wallet keeps the receipt.
  await phone.getByTestId("points-change").filter({ hasText: /Paid/ }).waitFor({ timeout: 10_000 });
  await phone.getByTestId("close-code").click();
  assert.equal(await phone.getByTestId("code-view").getAttribute("data-wake-lock"), "released", "closing the code lets the screen sleep");
  assert.match(await card.getByTestId("bill-state").innerText(), /Paid at Station Kiosk on /);
  await shot(phone, "4-phone-receipt");

  // The shop's owner finds the collection on the dashboard, in its table.
  const owner = await ownerConsole(phoneBrowser, shopId);
  await owner.getByTestId("tab-dashboard").click();
  const collected = owner.getByTestId("dash-gates").locator("tbody tr").filter({ hasText: "Bills collected" });
  await collected.waitFor({ timeout: 10_000 });
  assert.deepEqual(await collected.locator("td").allTextContents(), ["1", "€42.50"], "count and amount");
  assert.equal(await owner.getByTestId("dash-gates").locator("th[scope=col]").count(), 3, "a table with its column headers");
  await shot(owner, "5-owner-dashboard");
});
