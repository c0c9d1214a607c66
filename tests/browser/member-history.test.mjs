// A member opens a card's History on the phone: visits, spend and points add up
// what happened at the shop (a refund subtracts), the month's bar is drawn with
// the same numbers in a table, a receipt opens, and the CSV downloads.
//
// Needs a running stack: TESSERA_BASE_URL and TESSERA_ADMIN_TOKEN (see loyalty-loop.test.mjs).

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ADMIN_TOKEN, BASE_URL, call, launch, memberShowingCode, shopWithRegister } from "./helpers.mjs";

const ARTIFACTS = path.join(path.dirname(fileURLToPath(import.meta.url)), "artifacts");

test("a member's history at a shop adds up, charts the month and downloads as CSV", { timeout: 120_000 }, async (t) => {
  if (!BASE_URL || !ADMIN_TOKEN) {
    t.skip("set TESSERA_BASE_URL and TESSERA_ADMIN_TOKEN to run against a stack");
    return;
  }
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "tessera-history-"));
  const { shopId, register } = await shopWithRegister("history", "History Café");
  const browser = await launch(path.join(work, "profile"));
  t.after(async () => {
    await browser.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  const { phone, membership } = await memberShowingCode(browser, shopId, "Di History", "correct horse battery");
  // Two sales and a refund of the first, each sale with a fresh code (a code dies after use).
  await phone.getByTestId("close-code").click();
  const sale = async (amount) => {
    await membership.getByTestId("show-code").click();
    await phone.locator("[data-testid=qr][data-state=ready] svg").waitFor();
    const code = (await phone.getByTestId("code-digits").innerText()).replace(/\s/g, "");
    const request_id = `history-${amount}-${Date.now()}`;
    const done = await call("POST", "/api/register/points", register.token, { code, request_id, amount_minor: amount }, 200);
    const shown = `[data-testid=receipt-view]:not([hidden]) #receipt[data-receipt-number="${done.receipt.receipt_number}"]`;
    await phone.locator(shown).waitFor({ timeout: 5_000 });
    await phone.getByTestId("receipt-done").click();
    await phone.getByTestId("close-code").click();
    return done;
  };
  const first = await sale(1200);
  await sale(450);
  await call("POST", "/api/register/refunds", register.token, {
    request_id: `history-refund-${Date.now()}`,
    receipt_number: first.receipt.receipt_number,
  }, 200);
  // The wallet learns of the refund (its receipt list grows); a receipt shown for it is put away.
  await phone.locator("#history li").nth(2).waitFor({ timeout: 5_000 });
  if (await phone.getByTestId("receipt-view").isVisible()) {
    await phone.getByTestId("receipt-done").click();
  }

  await membership.getByTestId("show-history").click();
  await phone.locator("[data-testid=history-view]:not([hidden]) [data-testid=shop-history-receipts] li").first().waitFor();
  assert.equal(await phone.getByTestId("shop-history-title").innerText(), "Your history at History Café");
  assert.match(await phone.getByTestId("shop-history-visits").innerText(), /^2 visits · first .* · last /);
  assert.match(await phone.getByTestId("shop-history-spend").innerText(), /4[.,]50/);
  assert.equal(await phone.getByTestId("shop-history-earned").innerText(), "4 points", "16 earned, 12 taken back");
  assert.equal(await phone.getByTestId("shop-history-spent").innerText(), "0 points");
  assert.equal(await phone.getByTestId("shop-history-receipts").locator("li").count(), 3);

  // The chart: twelve bars; this month's (the last) holds the points, and the table says the same.
  const bars = phone.locator("[data-testid=shop-history-chart] svg rect.chart-bar");
  assert.equal(await bars.count(), 12);
  assert.match(await bars.last().locator("title").textContent(), /: 4$/);
  const thisMonth = phone.locator("#shop-history-months tr").first();
  const cells = await thisMonth.locator("td").allInnerTexts();
  assert.equal(cells[0], "2", "visits this month");
  assert.equal(cells[2], "4", "points earned this month");

  // A receipt opens on tap.
  await phone.getByTestId("shop-history-receipt").last().click();
  await phone.locator(`[data-testid=receipt-view]:not([hidden]) #receipt[data-receipt-number="${first.receipt.receipt_number}"]`).waitFor();
  await phone.getByTestId("receipt-done").click();
  await phone.screenshot({ path: path.join(ARTIFACTS, "member-history.png"), fullPage: true });

  // The CSV: a header and one row per receipt, oldest first.
  const [download] = await Promise.all([phone.waitForEvent("download"), phone.getByTestId("shop-history-csv").click()]);
  assert.equal(download.suggestedFilename(), `tessera-${shopId}-history.csv`);
  const rows = fs.readFileSync(await download.path(), "utf8").trim().split("\r\n");
  assert.equal(rows[0], "local_time,receipt,what,amount,currency,points_change,store");
  assert.deepEqual(rows.slice(1).map((row) => row.split(",")[2]), ["sale", "sale", "refund"]);

  await phone.getByTestId("close-history").click();
  await phone.locator("#wallet-view:not([hidden])").waitFor();
});
