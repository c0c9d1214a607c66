// End to end: a shop's join poster. The owner shows the poster in the console (its QR and
// link, and a print view with the poster alone); a customer who opens that link signs up
// and finds that shop first in the list, highlighted and in view; the search box narrows
// the other shops; joining brings the new card into view with a welcome; the same link
// opened again by a member says they already have a card.
//
// Needs a running stack (TESSERA_BASE_URL, TESSERA_ADMIN_TOKEN), like loyalty-loop.test.mjs.
// Screenshots land in tests/browser/artifacts/ (prefix "join-").

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ADMIN_TOKEN, BASE_URL, admin, launch, ownerConsole, shopWithRegister, smallTapTargets } from "./helpers.mjs";

const ARTIFACTS = path.join(path.dirname(fileURLToPath(import.meta.url)), "artifacts");

/** Whether `locator`'s element is inside the page's viewport. */
const inView = (locator) =>
  locator.evaluate((element) => {
    const box = element.getBoundingClientRect();
    return box.top >= -1 && box.bottom <= window.innerHeight + 1;
  });

test("a customer who scans the join poster finds that shop first, joins, and sees the new card", { timeout: 120_000 }, async (t) => {
  if (!BASE_URL || !ADMIN_TOKEN) {
    t.skip("set TESSERA_BASE_URL and TESSERA_ADMIN_TOKEN to run against a stack");
    return;
  }
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "tessera-join-"));
  // The phone's shots show what is in view (the point of these screens), not the whole page.
  const shot = (page, name, fullPage = true) => page.screenshot({ path: path.join(ARTIFACTS, `join-${name}.png`), fullPage });

  const { shopId } = await shopWithRegister("e2e-poster", "Corner Bakery E2E");
  // Other shops, so the list is long enough to search.
  // (Names unique to this run: a stack used before holds other runs' shops.)
  const run = Date.now().toString(36);
  const others = [];
  for (const name of [`Tea House ${run}`, `Bike Repair ${run}`, `Flower Stall ${run}`]) {
    others.push({ name, shopId: (await shopWithRegister("e2e-other", name)).shopId });
  }

  const browser = await launch(path.join(work, "profile"));
  t.after(async () => {
    await browser.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  // --- The owner shows the poster in the console's settings. ---
  const owner = await ownerConsole(browser, shopId, { width: 360, height: 740 });
  await owner.getByTestId("poster-show").click();
  await owner.getByTestId("poster").waitFor();
  const joinUrl = `${BASE_URL}/phone/#join=${shopId}`;
  assert.equal(await owner.getByTestId("poster-url").innerText(), joinUrl);
  assert.equal(await owner.locator("#poster-shop").innerText(), "Corner Bakery E2E");
  assert.equal(await owner.locator("[data-testid=poster-qr] svg").count(), 1);
  const server = await admin("GET", `/api/owner/shops/${shopId}/join-poster`, undefined, 200);
  assert.equal(server.join_url, joinUrl, "the console shows what the server drew");
  assert.deepEqual(await smallTapTargets(owner), [], "every control with the poster is big enough to tap");
  await shot(owner, "1-console-poster");
  // Printed, the poster is the page: the settings around it are not.
  await owner.emulateMedia({ media: "print" });
  assert.ok(await owner.locator("[data-testid=poster-qr] svg").isVisible());
  assert.ok(!(await owner.getByTestId("settings-submit").isVisible()), "the settings do not print");
  assert.ok(!(await owner.getByTestId("poster-print").isVisible()), "nor the Print button");
  await owner.emulateMedia({ media: "screen" });

  // --- A customer opens the poster's link, and signs up there. ---
  // Opened as a scanned link is: a page of its own, the fragment there from the start.
  const phone = await browser.newPage();
  await phone.setViewportSize({ width: 390, height: 844 });
  await phone.goto(joinUrl);
  await phone.getByTestId("notice").filter({ hasText: "join this shop" }).waitFor();
  await phone.getByTestId("sign-up-name").fill("Poster Reader");
  await phone.getByTestId("sign-up-password").fill("poster reader secret");
  await phone.getByTestId("sign-up-submit").click();
  await phone.getByTestId("new-member-number").waitFor();
  const invited = phone.locator(`[data-testid=joinable-shop][data-shop-id="${shopId}"]`);
  await invited.waitFor();
  assert.equal(await phone.getByTestId("joinable-shop").first().getAttribute("data-shop-id"), shopId, "the poster's shop comes first");
  assert.match(await invited.getAttribute("class"), /card-invited/);
  await phone.waitForFunction(() => {
    const card = document.querySelector(".card-invited");
    const box = card && card.getBoundingClientRect();
    return box && box.top >= -1 && box.bottom <= window.innerHeight + 1;
  });
  await shot(phone, "2-phone-invited", false);

  // The search box narrows the others; the poster's shop stays.
  const search = phone.getByTestId("shop-search");
  await search.fill(`BIKE REPAIR ${run}`.toUpperCase());
  const offered = async () => phone.getByTestId("joinable-shop").evaluateAll((cards) => cards.map((c) => c.dataset.shopId));
  assert.deepEqual(await offered(), [shopId, others[1].shopId]);
  await search.fill("no shop is called this");
  await phone.getByTestId("no-shop-matches").waitFor();
  assert.deepEqual(await offered(), [shopId]);
  await search.fill("");
  assert.ok((await offered()).length >= 4, "an empty search offers every shop");
  assert.ok(await phone.getByTestId("no-shop-matches").isHidden());

  // --- Joining: the new card comes into view, with a welcome, and the link is spent. ---
  await invited.getByTestId("join-shop").click();
  const card = phone.locator(`[data-testid=membership][data-shop-id="${shopId}"]`);
  await card.waitFor();
  await phone.getByTestId("notice").filter({ hasText: "Welcome to Corner Bakery E2E" }).waitFor();
  assert.match(await card.getAttribute("class"), /card-new/);
  await phone.waitForFunction(() => {
    const box = document.querySelector(".card-new")?.getBoundingClientRect();
    return box && box.top >= -1 && box.bottom <= window.innerHeight + 1;
  });
  assert.ok(!phone.url().includes("#join"), `the link leaves the address bar: ${phone.url()}`);
  assert.equal(await phone.locator(`[data-testid=joinable-shop][data-shop-id="${shopId}"]`).count(), 0);
  await shot(phone, "3-phone-joined", false);

  // --- The same poster scanned again by the member: they already have a card. ---
  await phone.goto("about:blank");
  await phone.goto(joinUrl);
  await phone.getByTestId("notice").filter({ hasText: "You already have a card at Corner Bakery E2E" }).waitFor();
  assert.ok(await inView(card));

  // --- A link to a shop that does not exist says so. ---
  await phone.goto("about:blank");
  await phone.goto(`${BASE_URL}/phone/#join=no-such-shop-anywhere`);
  await phone.getByTestId("error").filter({ hasText: "not on Tessera" }).waitFor();
});
