// End to end, as people would do it: a customer's phone shows its one-time QR code,
// a register reads it through a (fake) webcam, the cashier adds points, and the
// phone shows the new balance without a reload. Then the used code is refused.
//
// Needs a running stack: TESSERA_BASE_URL (e.g. http://127.0.0.1:8787) and
// TESSERA_ADMIN_TOKEN. Chromium from /usr/bin/chromium (override: CHROMIUM_PATH).
// Screenshots of key states land in tests/browser/artifacts/.

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ADMIN_TOKEN, BASE_URL, admin, launch, phonePage, webcamVideoOf } from "./helpers.mjs";

const ARTIFACTS = path.join(path.dirname(fileURLToPath(import.meta.url)), "artifacts");

/** The phone's balance must follow a sale within this long, without a reload. */
const LIVE_BALANCE_MS = 2_000;

/** The admin API's creating calls (201). */
const adminCreate = (pathname, body) => admin("POST", pathname, body);

test("a customer earns points at a register and sees them live", { timeout: 120_000 }, async (t) => {
  if (!BASE_URL || !ADMIN_TOKEN) {
    t.skip("set TESSERA_BASE_URL and TESSERA_ADMIN_TOKEN to run against a stack");
    return;
  }
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "tessera-e2e-"));
  const shot = (page, name) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

  // The shop and its register, through the admin API.
  const shopId = `e2e-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
  await adminCreate("/api/admin/shops", { shop_id: shopId, name: "Corner Café E2E", currency: "EUR", points_per_unit: 1 });
  const register = await adminCreate(`/api/admin/shops/${shopId}/registers`, { name: "Till 1" });
  assert.match(register.register_path, /#token=/);

  const phoneBrowser = await launch(path.join(work, "phone-profile"));
  let registerBrowser;
  t.after(async () => {
    await registerBrowser?.close();
    await phoneBrowser.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  // --- The customer's phone: sign up, join the shop, show a code. ---
  const phone = await phonePage(phoneBrowser);
  await phone.getByTestId("sign-up-name").fill("Ada E2E");
  await phone.getByTestId("sign-up-password").fill("correct horse battery");
  await phone.getByTestId("sign-up-submit").click();
  await phone.getByTestId("new-member-number").waitFor();
  assert.match(await phone.getByTestId("new-member-number").innerText(), /^\d{4} \d{4} \d{4}$/);

  const joinable = phone.locator(`[data-testid=joinable-shop][data-shop-id="${shopId}"]`);
  await joinable.getByTestId("share-name").check();
  await joinable.getByTestId("join-shop").click();
  const membership = phone.locator(`[data-testid=membership][data-shop-id="${shopId}"]`);
  await membership.waitFor();
  assert.equal(await membership.getByTestId("membership-points").innerText(), "0 points");
  await shot(phone, "1-phone-wallet");

  await membership.getByTestId("show-code").click();
  const qr = phone.locator("[data-testid=qr][data-state=ready] svg");
  await qr.waitFor();
  const digits = (await phone.getByTestId("code-digits").innerText()).replace(/\s/g, "");
  assert.match(digits, /^\d{26}$/);
  await shot(phone, "2-phone-code");
  const qrPng = path.join(ARTIFACTS, "qr.png");
  await phone.getByTestId("qr").screenshot({ path: qrPng });

  // --- The register: a webcam that sees the phone. ---
  const y4m = path.join(work, "webcam.y4m");
  webcamVideoOf(qrPng, y4m);
  registerBrowser = await launch(path.join(work, "register-profile"), [
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    `--use-file-for-fake-video-capture=${y4m}`,
  ]);
  const till = await registerBrowser.newPage();
  await till.setViewportSize({ width: 1280, height: 800 });
  await till.goto(BASE_URL + register.register_path);
  await till.getByTestId("shop-name").filter({ hasText: "Corner Café E2E" }).waitFor();
  assert.ok(!till.url().includes("token="), "the token must leave the address bar");
  // Headless Chromium lets the page play sound at once: no "Sound off" notice then.
  await till.locator("[data-testid=sound-status][data-sound=on]").waitFor({ state: "attached", timeout: 5_000 });
  assert.ok(!(await till.getByTestId("sound-status").isVisible()), "no sound notice while sounds play");

  const verdict = till.getByTestId("verdict");
  await till.locator("[data-testid=verdict][data-state=customer]").waitFor({ timeout: 20_000 });
  assert.equal(await till.getByTestId("verdict-title").innerText(), "Customer #1");
  assert.equal(await till.getByTestId("verdict-name").innerText(), "Ada E2E");
  assert.equal(await till.getByTestId("verdict-points").innerText(), "0 points");
  await shot(till, "3-register-customer");

  // --- The sale. ---
  await till.getByTestId("amount").fill("12.50");
  await till.getByTestId("add-points").click();
  await till.locator("[data-testid=verdict][data-state=sold]").waitFor();
  const soldAt = Date.now();
  assert.equal(await till.getByTestId("verdict-title").innerText(), "+12 points");
  assert.equal(await till.getByTestId("verdict-points").innerText(), "Balance 12 points");
  await shot(till, "4-register-sold");
  // A finished result counts down and clears itself (5 s by default).
  assert.match(await till.getByTestId("verdict-clears").innerText(), /^Ready again in [1-5] s$/);

  // --- The phone follows live. ---
  await phone.getByTestId("code-points").filter({ hasText: /^12 points$/ }).waitFor({ timeout: LIVE_BALANCE_MS });
  console.log(`phone showed the new balance ${Date.now() - soldAt} ms after the sale`);
  assert.equal(await phone.getByTestId("points-change").innerText(), "+12 points");
  // The used code is replaced by a fresh one.
  await phone.waitForFunction(
    (old) => {
      const shown = document.querySelector("[data-testid=code-digits]")?.textContent?.replace(/\s/g, "");
      return shown && shown.length === 26 && shown !== old;
    },
    digits,
    { timeout: 5_000 },
  );
  await shot(phone, "5-phone-after-sale");
  await till.locator("[data-testid=verdict][data-state=ready]").waitFor({ timeout: 8_000 });
  const clearedAfter = Date.now() - soldAt;
  console.log(`the sale's result cleared itself after ${clearedAfter} ms`);
  assert.ok(clearedAfter >= 4_000, `cleared too early: ${clearedAfter} ms`);
  assert.ok(!(await till.getByTestId("verdict-clears").isVisible()), "no countdown once ready");
  // The spent code still in view is not read again by itself.
  await till.waitForTimeout(1_500);
  assert.equal(await verdict.getAttribute("data-state"), "ready");

  // --- The same picture again: the code is spent. ---
  await till.getByTestId("next-customer").click();
  await till.locator("[data-testid=verdict][data-state=refused]").waitFor({ timeout: 10_000 });
  assert.equal(await verdict.getAttribute("data-error"), "already_used");
  assert.equal(await till.getByTestId("verdict-title").innerText(), "Already used");
  await shot(till, "6-register-already-used");

  // The recent scans keep both reads, newest first, after the results are gone.
  const recent = await till.getByTestId("recent-scans").locator("li").evaluateAll((items) =>
    items.map((item) => ({ tone: item.dataset.tone, text: item.innerText.replace(/\s+/g, " ") })),
  );
  assert.equal(recent.length, 2, JSON.stringify(recent));
  assert.equal(recent[0].tone, "refused");
  assert.match(recent[0].text, /Code already used$/);
  assert.equal(recent[1].tone, "found");
  assert.match(recent[1].text, /Customer #1 0 points$/);

  // The status line speaks to the cashier; the numbers stay in data attributes.
  const scannerStatus = till.getByTestId("scanner-status");
  assert.equal(await scannerStatus.innerText(), "Camera ready — hold the customer's code in the box");
  assert.ok(Number(await scannerStatus.getAttribute("data-frames")) > 0, "frames were decoded");
  console.log(
    `register camera: ${await scannerStatus.getAttribute("data-frame-size")}, ` +
      `${await scannerStatus.getAttribute("data-frames")} frames, last ${await scannerStatus.getAttribute("data-last-decode-ms")} ms`,
  );
  // The scan guide box is drawn over the video, inside it.
  const video = await till.getByTestId("camera").boundingBox();
  const guide = await till.getByTestId("scan-guide").boundingBox();
  assert.ok(guide.width > 0 && Math.abs(guide.width - guide.height) < 2, "the guide is a square");
  assert.ok(guide.x > video.x && guide.y > video.y, "the guide is inside the video");
  assert.ok(guide.x + guide.width < video.x + video.width && guide.y + guide.height < video.y + video.height);
});
