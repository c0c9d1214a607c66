// The owner pairs a register by pointing the console's camera at the register's
// screen: a register page with no credential shows its pairing code and QR; the
// console's browser has a (fake) webcam that sees that screen; the invited owner
// opens Registers, presses Scan the code, and the code fills the form; they name
// the register and pair it. The camera closes, the console lists the register, the
// register page becomes ready by itself, and a cashier sells there: the member's
// phone shows the points.
//
// Needs a running stack (TESSERA_BASE_URL, TESSERA_ADMIN_TOKEN), like loyalty-loop.test.mjs.
// Screenshots land in tests/browser/artifacts/ (prefix "console-scan-").

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ADMIN_TOKEN, BASE_URL, admin, launch, launchWithWebcam, memberShowingCode, uniqueShopId } from "./helpers.mjs";

const ARTIFACTS = path.join(path.dirname(fileURLToPath(import.meta.url)), "artifacts");
const PASSWORD = "correct horse battery";
/** A pairing code as the register shows it: two groups of four, no look-alikes. */
const SHOWN_CODE = /^[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}$/;
/** The webcam sees the room this long after it opens, then the register's screen. */
const ROOM_SECONDS = 5;
const FPS = 5;

/**
 * A 640×480 webcam video: `roomSeconds` of a dark room, then (with `screenPng`) the
 * register's screen held in view for `screenSeconds`. The fake webcam loops it.
 */
function webcamSeeing(y4mPath, screenPng, { roomSeconds, screenSeconds = 20 }) {
  const seconds = screenPng ? roomSeconds + screenSeconds : roomSeconds;
  const room = ["-f", "lavfi", "-i", `color=c=0x1b1f24:s=640x480:r=${FPS}`];
  const screen = screenPng
    ? [
      "-loop", "1", "-i", screenPng, "-filter_complex",
      "[1:v]scale=600:440:force_original_aspect_ratio=decrease[screen];" +
        `[0:v][screen]overlay=(W-w)/2:(H-h)/2:enable='gte(t,${roomSeconds})',format=yuv420p`,
    ]
    : ["-vf", "format=yuv420p"];
  execFileSync("ffmpeg", [
    "-loglevel", "error", "-y", ...room, ...screen,
    "-frames:v", String(seconds * FPS), "-r", String(FPS),
    "-f", "yuv4mpegpipe", y4mPath,
  ]);
}

test("the owner pairs a register by scanning its QR with the console's camera, and it sells", { timeout: 180_000 }, async (t) => {
  if (!BASE_URL || !ADMIN_TOKEN) {
    t.skip("set TESSERA_BASE_URL and TESSERA_ADMIN_TOKEN to run against a stack");
    return;
  }
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "tessera-console-scan-"));
  const shot = (page, name) => page.screenshot({ path: path.join(ARTIFACTS, `console-scan-${name}.png`), fullPage: true });

  // The operator's part: a shop with a product and no register, and an invite for its owner.
  const shopId = uniqueShopId("e2e-scan");
  await admin("POST", "/api/admin/shops", { shop_id: shopId, name: "Scan Bakery E2E", currency: "EUR", points_per_unit: 1 });
  await admin("PUT", `/api/admin/shops/${shopId}/products`, { products: [{ product_code: "BUN", name: "Cinnamon bun", unit_price: 350 }] }, 200);
  const invite = await admin("POST", `/api/owner/shops/${shopId}/invites`, undefined, 201);

  // The console's browser. Its webcam file is rewritten once the register shows its
  // code: Chromium reads the file when the page opens the camera, not at launch.
  const y4m = path.join(work, "webcam.y4m");
  webcamSeeing(y4m, null, { roomSeconds: 1 });
  const consoleBrowser = await launchWithWebcam(path.join(work, "console-profile"), y4m);
  const registerBrowser = await launch(path.join(work, "register-profile"), [
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
  ]);
  t.after(async () => {
    await consoleBrowser.close();
    await registerBrowser.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  // --- The owner accepts the invite in the console and opens Registers. ---
  const owner = await consoleBrowser.newPage();
  await owner.setViewportSize({ width: 1280, height: 900 });
  await owner.emulateMedia({ colorScheme: "light" });
  await owner.goto(BASE_URL + invite.invite_path);
  await owner.locator("#invite-view:not([hidden])").waitFor({ timeout: 10_000 });
  await owner.getByTestId("invite-email").fill(`scan-owner-${Date.now()}@example.org`);
  await owner.getByTestId("invite-password").fill(PASSWORD);
  await owner.getByTestId("invite-submit").click();
  await owner.locator(`[data-shop-id="${shopId}"]`).click();
  await owner.locator("#shop-view:not([hidden])").waitFor();
  await owner.getByTestId("tab-registers").click();
  await owner.locator("#registers-panel:not([hidden])").waitFor();
  assert.equal(await owner.getByTestId("register-rows").locator("tr").count(), 0);
  assert.ok(await owner.getByTestId("pair-scanner").isHidden(), "the camera is closed until asked for");

  // --- A new till opens the register page: it shows a code and its QR. ---
  const till = await registerBrowser.newPage();
  await till.setViewportSize({ width: 1280, height: 800 });
  await till.emulateMedia({ colorScheme: "light" });
  await till.goto(`${BASE_URL}/register/?result-seconds=60`);
  const shownCode = till.getByTestId("pairing-code");
  await shownCode.filter({ hasText: SHOWN_CODE }).waitFor({ timeout: 15_000 });
  const code = await shownCode.innerText();
  await till.locator("[data-testid=pairing-qr] svg").waitFor();
  // What the owner's camera sees: the register's pairing screen (code and QR), as drawn.
  const screenPng = path.join(work, "register-screen.png");
  await till.getByTestId("pairing").screenshot({ path: screenPng });
  webcamSeeing(y4m, screenPng, { roomSeconds: ROOM_SECONDS });

  // --- Scan the code: the camera opens (the screenshot while it still sees the room). ---
  await owner.getByTestId("pair-scan").click();
  const scanner = owner.getByTestId("pair-scanner");
  await scanner.waitFor();
  await owner.locator("[data-testid=pair-scan-status][data-camera=on]").waitFor({ timeout: 10_000 });
  assert.match(await owner.getByTestId("pair-scan-status").innerText(), /Point the camera at the QR code/);
  const live = await owner.evaluate(() =>
    document.getElementById("pair-camera").srcObject?.getVideoTracks().some((track) => track.readyState === "live"),
  );
  assert.ok(live, "the console's camera is live");
  await shot(owner, "1-camera-open");

  // The register's screen comes into view: its code fills the form and the camera closes.
  await owner.waitForFunction((expected) => document.getElementById("pair-code").value === expected, code, {
    timeout: (ROOM_SECONDS + 15) * 1000,
  });
  await scanner.waitFor({ state: "hidden" });
  assert.ok(await owner.getByTestId("pair-scan").isVisible(), "Scan the code is offered again");
  const released = await owner.evaluate(() => document.getElementById("pair-camera").srcObject === null);
  assert.ok(released, "the camera is let go once the code is read");
  assert.match(await owner.getByTestId("notice").innerText(), new RegExp(`Read the code ${code}`));
  assert.equal(await owner.evaluate(() => document.activeElement?.id), "pair-name", "the register's name comes next");

  // --- Name it and pair: the console lists it, the register page starts by itself. ---
  await owner.getByTestId("pair-name").fill("Front till");
  await owner.getByTestId("pair-submit").click();
  await owner.getByTestId("notice").filter({ hasText: "Front till is paired" }).waitFor({ timeout: 10_000 });
  const row = owner.getByTestId("register-rows").locator("tr", { hasText: "Front till" });
  await row.waitFor();
  assert.equal(await owner.getByTestId("register-rows").locator("tr").count(), 1);
  assert.equal(await owner.getByTestId("pair-code").inputValue(), "", "the form is cleared for the next one");
  await shot(owner, "2-paired");

  await till.locator("[data-testid=verdict][data-state=ready]").waitFor({ timeout: 15_000 });
  assert.equal(await till.getByTestId("register-name").innerText(), "Front till");
  assert.equal(await till.getByTestId("shop-name").innerText(), "Scan Bakery E2E");
  const { registers } = await admin("GET", `/api/owner/shops/${shopId}/registers`, undefined, 200);
  assert.deepEqual(registers.map((r) => r.name), ["Front till"]);

  // --- A member buys a bun at the new register; their phone shows the points. ---
  const { phone, membership, digits } = await memberShowingCode(registerBrowser, shopId, "Sam Scan E2E", PASSWORD);

  await till.bringToFront();
  await till.getByTestId("manual-code").fill(digits);
  await till.getByTestId("manual-submit").click();
  await till.locator("[data-testid=verdict][data-state=customer]").waitFor({ timeout: 10_000 });
  await till.locator("[data-testid=product][data-product-code=BUN]").click();
  assert.equal(await till.getByTestId("lines-total").innerText(), "Total €3.50");
  await till.getByTestId("add-points").click();
  await till.locator("[data-testid=verdict][data-state=sold]").waitFor({ timeout: 10_000 });
  assert.equal(await till.getByTestId("verdict-title").innerText(), "+3 points");
  await phone.getByTestId("receipt-done").click();
  await phone.getByTestId("close-code").click();
  await membership.getByTestId("membership-points").filter({ hasText: /\b3\b/ }).waitFor({ timeout: 10_000 });
  await shot(till, "3-register-sale");

  // Back in the console, the register's row says it has been at work.
  await owner.getByTestId("tab-settings").click();
  await owner.getByTestId("tab-registers").click();
  // The list is fetched again when the tab opens: wait for the fresh one, not the one on screen.
  await row.filter({ hasNotText: /never/i }).waitFor({ timeout: 10_000 });
  assert.doesNotMatch(await row.innerText(), /never/i, "the new register has been seen");
});
