// End to end: the owner's Dashboard tab counts a sale. An invited owner opens the
// shop's dashboard (nothing sold yet), a customer buys a soup at the register, and
// after "Show" the dashboard has the visit, the revenue, the soup as top product,
// the visit in the hour-by-weekday map and its table, the customer's move (none → new)
// as a band in the movement chart agreeing with its table, and a sales-lines CSV that
// names the soup. Readable at 1280×800 and at 360×740 (no sideways scrolling of
// the page, every control at least 44 px).
//
// Needs a running stack (TESSERA_BASE_URL, TESSERA_ADMIN_TOKEN), like owner-console.test.mjs.
// Screenshots land in tests/browser/artifacts/ (prefix "dashboard-").

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ADMIN_TOKEN, BASE_URL, launch, memberShowingCode, ownerConsole, shopWithRegister, smallTapTargets } from "./helpers.mjs";

const ARTIFACTS = path.join(path.dirname(fileURLToPath(import.meta.url)), "artifacts");
const PASSWORD = "correct horse battery";

/** The value on the card titled `title`. */
async function cardValue(page, title) {
  const card = page.getByTestId("dash-cards").locator("li", { hasText: title }).first();
  return (await card.locator(".card-value").innerText()).trim();
}

test("the dashboard counts a sale made at the register", { timeout: 120_000 }, async (t) => {
  if (!BASE_URL || !ADMIN_TOKEN) {
    t.skip("set TESSERA_BASE_URL and TESSERA_ADMIN_TOKEN to run against a stack");
    return;
  }
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "tessera-dashboard-"));
  const shot = (page, name) => page.screenshot({ path: path.join(ARTIFACTS, `dashboard-${name}.png`), fullPage: true });

  const products = [{ product_code: "SOUP", name: "Tomato soup", unit_price: 400 }];
  const { shopId, register } = await shopWithRegister("e2e-dash", "Dashboard Deli", { products });

  const browser = await launch(path.join(work, "profile"));
  t.after(async () => {
    await browser.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  // --- The owner opens the shop's dashboard: nothing sold yet. ---
  const owner = await ownerConsole(browser, shopId);
  await owner.getByTestId("tab-dashboard").click();
  await owner.getByTestId("dash-cards").locator("li", { hasText: "Visits" }).waitFor({ timeout: 10_000 });
  assert.equal(await cardValue(owner, "Visits"), "0");
  assert.equal(await owner.getByTestId("dash-store").inputValue(), "", "all stores");
  // The last 30 days by default, in the shop's zone.
  assert.match(await owner.getByTestId("dash-from").inputValue(), /^\d{4}-\d{2}-\d{2}$/);

  // --- A customer buys a soup at the register. ---
  const { phone, digits } = await memberShowingCode(browser, shopId, "Dina E2E", PASSWORD);
  const till = await browser.newPage();
  await till.setViewportSize({ width: 1280, height: 800 });
  await till.goto(BASE_URL + register.register_path.replace("#", "?result-seconds=60#"));
  await till.locator("[data-testid=verdict][data-state=ready]").waitFor({ timeout: 10_000 });
  await till.getByTestId("manual-code").fill(digits);
  await till.getByTestId("manual-submit").click();
  await till.locator("[data-testid=verdict][data-state=customer]").waitFor({ timeout: 5_000 });
  await till.locator("[data-testid=product][data-product-code=SOUP]").click();
  await till.getByTestId("add-points").click();
  await till.locator("[data-testid=verdict][data-state=sold]").waitFor({ timeout: 5_000 });
  await phone.close();

  // --- The owner shows the dashboard again: the sale is counted. ---
  await owner.getByTestId("dash-submit").click();
  await owner.getByTestId("dash-cards").locator("li", { hasText: "Visits" }).locator(".card-value", { hasText: /^1$/ }).waitFor({ timeout: 10_000 });
  assert.equal(await cardValue(owner, "Revenue"), "€4.00");
  assert.equal(await cardValue(owner, "Items sold"), "1");
  assert.equal(await cardValue(owner, "Points issued"), "4");
  assert.equal(await cardValue(owner, "Points outstanding"), "4");
  assert.match(await owner.getByTestId("dash-top-products").innerText(), /Tomato soup\s+1\s+€4\.00/);
  // The charts, and the same numbers in their tables.
  assert.equal(await owner.locator("[data-testid=dash-revenue-chart] svg[role=img] rect").count(), 30);
  assert.equal(await owner.locator("[data-testid=dash-hours-chart] svg rect[fill-opacity='1.00']").count(), 1);
  const hourCells = await owner.getByTestId("dash-hours").locator("tbody td").allTextContents();
  assert.equal(hourCells.map(Number).reduce((a, b) => a + b, 0), 1, "one visit in the hour table");
  const dayRows = await owner.getByTestId("dash-days").locator("tbody tr").count();
  assert.equal(dayRows, 30);
  assert.match(await owner.getByTestId("dash-segments").innerText(), /New\s+1/);
  // Movement over the range: the customer was none at its start and is new at its end.
  const moves = owner.getByRole("table", { name: "Movement between segments in the range" });
  assert.match(await moves.locator("tbody").innerText(), /^Not yet a customer\s+New\s+1$/);
  assert.equal(await owner.getByTestId("dash-moves-empty").isHidden(), true);
  // The movement chart: one band per row of the table, titled with the same figures.
  const rows = await moves.locator("tbody tr").evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent.trim())));
  const fromTable = rows.map(([from, to, n]) => `${from === "Not yet a customer" ? "Not yet" : from} → ${to}: ${n}`);
  const bands = owner.locator("[data-testid=dash-moves-chart] svg[role=img] path");
  assert.equal(await bands.count(), rows.length);
  assert.deepEqual(await bands.locator("title").allTextContents(), fromTable);
  assert.deepEqual(fromTable, ["Not yet → New: 1"]);
  assert.match(await owner.locator("[data-testid=dash-moves-chart] svg").innerHTML(), />New 1<\/text>/);
  // The CSV link downloads the sale's line (same session cookie).
  const href = await owner.getByTestId("dash-csv-lines").getAttribute("href");
  assert.match(href, new RegExp(`/api/owner/shops/${shopId}/dashboard/sales-lines\\.csv\\?from=`));
  const csv = await owner.evaluate(async (url) => (await fetch(url)).text(), href);
  assert.match(csv, /^local_time,receipt,store,customer,product_code,product,quantity,unit_price,amount,currency\r\n/);
  assert.match(csv, /,SOUP,Tomato soup,1,4\.00,4\.00,EUR\r\n/);
  await shot(owner, "1-laptop");

  // --- On a phone-sized screen: nothing wider than the screen, every control tappable. ---
  await owner.setViewportSize({ width: 360, height: 740 });
  const overflow = await owner.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px at 360px`);
  assert.deepEqual(await smallTapTargets(owner), [], "every dashboard control is big enough to tap");
  await shot(owner, "2-phone");
});
