// Every main screen of the three pages, at a phone's and a laptop's size, in
// light and dark: axe-core finds no WCAG 2.1 A/AA violation, and a screenshot
// of each lands in tests/browser/artifacts/screens/ (README's screenshots).
//
// Needs a running stack: TESSERA_BASE_URL and TESSERA_ADMIN_TOKEN (see loyalty-loop.test.mjs).

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ADMIN_TOKEN, BASE_URL, axeViolations, call, launch, ownerConsole, shopWithRegister } from "./helpers.mjs";

const SCREENS = path.join(path.dirname(fileURLToPath(import.meta.url)), "artifacts", "screens");
const SIZES = [
  ["phone", { width: 360, height: 740 }],
  ["laptop", { width: 1280, height: 800 }],
];
const SCHEMES = ["light", "dark"];

/** Checks `page` as it is now in every size and scheme; returns the problems found. */
async function checkEverywhere(page, screen) {
  const problems = [];
  for (const [sizeName, size] of SIZES) {
    await page.setViewportSize(size);
    for (const scheme of SCHEMES) {
      await page.emulateMedia({ colorScheme: scheme });
      // Let transitions and the layout settle before reading colours.
      await page.waitForTimeout(100);
      const label = `${screen} (${sizeName}, ${scheme})`;
      for (const violation of await axeViolations(page)) {
        problems.push(`${label}: ${violation}`);
      }
      await page.screenshot({ path: path.join(SCREENS, `${screen}-${sizeName}-${scheme}.png`), fullPage: true });
    }
  }
  return problems;
}

test("every main screen has no WCAG 2.1 A/AA violation at both sizes, light and dark", { timeout: 400_000 }, async (t) => {
  if (!BASE_URL || !ADMIN_TOKEN) {
    t.skip("set TESSERA_BASE_URL and TESSERA_ADMIN_TOKEN to run against a stack");
    return;
  }
  fs.mkdirSync(SCREENS, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "tessera-a11y-"));
  const { shopId, register } = await shopWithRegister("a11y", "Access Café", {
    products: [{ product_code: "LATTE", name: "Latte", unit_price: 350 }],
  });
  const browser = await launch(path.join(work, "profile"));
  t.after(async () => {
    await browser.close();
    fs.rmSync(work, { recursive: true, force: true });
  });
  const problems = [];

  // --- Phone: sign-in, wallet, code, history, account. ---
  const phone = await browser.newPage();
  await phone.goto(`${BASE_URL}/phone/`);
  await phone.getByTestId("sign-up-form").waitFor();
  problems.push(...(await checkEverywhere(phone, "phone-sign-in")));
  await phone.getByTestId("sign-up-name").fill("Ally Access");
  await phone.getByTestId("sign-up-password").fill("correct horse battery");
  await phone.getByTestId("sign-up-submit").click();
  await phone.locator(`[data-testid=joinable-shop][data-shop-id="${shopId}"]`).getByTestId("join-shop").click();
  const card = phone.locator(`[data-testid=membership][data-shop-id="${shopId}"]`);
  await card.waitFor();
  problems.push(...(await checkEverywhere(phone, "phone-wallet")));
  await card.getByTestId("show-code").click();
  await phone.locator("[data-testid=qr][data-state=ready] svg").waitFor();
  const digits = (await phone.getByTestId("code-digits").innerText()).replace(/\s/g, "");
  problems.push(...(await checkEverywhere(phone, "phone-code")));

  // --- Register: ready, then the customer (typed code) with a product on the sale. ---
  const till = await browser.newPage();
  await till.setViewportSize({ width: 1280, height: 800 });
  await till.goto(BASE_URL + register.register_path);
  await till.locator("[data-testid=verdict][data-state=ready]").waitFor({ timeout: 15_000 });
  problems.push(...(await checkEverywhere(till, "register-ready")));
  await till.getByTestId("manual-code").fill(digits);
  await till.getByTestId("manual-submit").click();
  await till.locator("[data-testid=verdict][data-state=customer]").waitFor({ timeout: 10_000 });
  problems.push(...(await checkEverywhere(till, "register-customer")));

  // A sale for the history and the dashboard.
  await phone.getByTestId("close-code").click();
  await card.getByTestId("show-code").click();
  await phone.locator("[data-testid=qr][data-state=ready] svg").waitFor();
  const code = (await phone.getByTestId("code-digits").innerText()).replace(/\s/g, "");
  await call("POST", "/api/register/points", register.token, { code, request_id: `a11y-${Date.now()}`, amount_minor: 700 }, 200);
  await phone.getByTestId("receipt-done").click();
  await phone.getByTestId("close-code").click();
  await card.getByTestId("show-history").click();
  await phone.locator("#shop-history-body:not([hidden])").waitFor();
  problems.push(...(await checkEverywhere(phone, "phone-history")));
  await phone.getByTestId("close-history").click();
  await phone.getByTestId("open-account").click();
  await phone.getByTestId("account-view").waitFor();
  problems.push(...(await checkEverywhere(phone, "phone-account")));

  // --- Console: settings, then the dashboard. ---
  const owner = await ownerConsole(browser, shopId);
  problems.push(...(await checkEverywhere(owner, "console-settings")));
  await owner.getByTestId("tab-dashboard").click();
  await owner.locator("#dash-revenue-chart svg").waitFor({ timeout: 10_000 });
  problems.push(...(await checkEverywhere(owner, "console-dashboard")));

  assert.deepEqual(problems, [], `axe-core found:\n${problems.join("\n")}`);
});
