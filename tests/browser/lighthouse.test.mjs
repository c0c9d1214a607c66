// Lighthouse (accessibility and best practices) on the three pages as people open them: the
// phone page signed out and signed in, the register paired and ready, the owner console signed
// out and signed in — each as a phone (360×740) and as a laptop (1280×800). Every page must
// score 100 in both; a failing audit is named with what it found. The scores land in
// tests/browser/artifacts/lighthouse.json.
//
// Lighthouse drives the same Chromium the other tests use (through its DevTools port), so the
// pages it opens share the profile's cookies and storage: "signed in" is a real session.
//
// Needs a running stack: TESSERA_BASE_URL and TESSERA_ADMIN_TOKEN (see loyalty-loop.test.mjs).

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import lighthouse from "lighthouse";
import { ADMIN_TOKEN, BASE_URL, launch, ownerConsole, shopWithRegister } from "./helpers.mjs";

const ARTIFACTS = path.join(path.dirname(fileURLToPath(import.meta.url)), "artifacts");
const CATEGORIES = ["accessibility", "best-practices"];
const FORM_FACTORS = {
  phone: { formFactor: "mobile", screenEmulation: { mobile: true, width: 360, height: 740, deviceScaleFactor: 2 } },
  laptop: { formFactor: "desktop", screenEmulation: { mobile: false, width: 1280, height: 800, deviceScaleFactor: 1 } },
};

/** The DevTools port Chromium chose (`--remote-debugging-port=0` writes it into the profile). */
async function devToolsPort(profile) {
  const file = path.join(profile, "DevToolsActivePort");
  for (let tries = 0; tries < 100; tries += 1) {
    if (fs.existsSync(file)) {
      const port = Number(fs.readFileSync(file, "utf8").split("\n")[0]);
      if (port > 0) return port;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("Chromium did not open a DevTools port");
}

/** Audits `url` at every size: the scores, and each audit that cost points, as text. */
async function audit(port, label, url) {
  const scores = {};
  const problems = [];
  for (const [size, emulation] of Object.entries(FORM_FACTORS)) {
    const result = await lighthouse(url, {
      port,
      output: "json",
      logLevel: "error",
      onlyCategories: CATEGORIES,
      // The stack is local: no network throttling, and nothing to clear between runs
      // (clearing storage would sign the page out).
      throttlingMethod: "provided",
      disableStorageReset: true,
      // These audits read the page once it has drawn; they do not measure load speed. The
      // signed-in pages hold a long poll open, so "network quiet" would never come.
      pauseAfterFcpMs: 0,
      pauseAfterLoadMs: 0,
      networkQuietThresholdMs: 0,
      cpuQuietThresholdMs: 0,
      maxWaitForLoad: 15_000,
      ...emulation,
    });
    const report = result?.lhr;
    if (!report) {
      problems.push(`${label} (${size}): Lighthouse gave no report`);
      continue;
    }
    if (report.runtimeError) {
      problems.push(`${label} (${size}): ${report.runtimeError.code} ${report.runtimeError.message}`);
    }
    for (const category of CATEGORIES) {
      const found = report.categories[category];
      scores[`${label} ${size} ${category}`] = found?.score ?? null;
      for (const reference of found?.auditRefs ?? []) {
        const checked = report.audits[reference.id];
        if (reference.weight > 0 && checked?.score !== null && checked?.score < 1) {
          const items = JSON.stringify(checked.details?.items?.slice(0, 3) ?? []).slice(0, 600);
          problems.push(`${label} (${size}) ${category}: ${checked.id} — ${checked.title} ${items}`);
        }
      }
      if (found?.score !== 1) {
        problems.push(`${label} (${size}) ${category}: score ${found?.score}`);
      }
    }
  }
  return { scores, problems };
}

test("Lighthouse: every page scores 100 in accessibility and best practices, phone and laptop", { timeout: 600_000 }, async (t) => {
  if (!BASE_URL || !ADMIN_TOKEN) {
    t.skip("set TESSERA_BASE_URL and TESSERA_ADMIN_TOKEN to run against a stack");
    return;
  }
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "tessera-lighthouse-"));
  const profile = path.join(work, "profile");
  const browser = await launch(profile, [
    "--remote-debugging-port=0",
    // The register asks for a camera: a fake one, allowed, as at a real till.
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
  ]);
  t.after(async () => {
    await browser.close();
    fs.rmSync(work, { recursive: true, force: true });
  });
  const port = await devToolsPort(profile);
  const { shopId, register } = await shopWithRegister("lh", "Lighthouse Café", {
    products: [{ product_code: "TEA", name: "Tea", unit_price: 250 }],
  });
  const scores = {};
  const problems = [];
  const run = async (label, url) => {
    const found = await audit(port, label, url);
    Object.assign(scores, found.scores);
    problems.push(...found.problems);
  };

  // Signed out: what a customer and an owner see first.
  await run("phone signed out", `${BASE_URL}/phone/`);
  await run("console signed out", `${BASE_URL}/owner/`);

  // The register, paired by its link, ready for a customer.
  await run("register ready", BASE_URL + register.register_path);

  // A member signed in with a card: the wallet.
  const phone = await browser.newPage();
  await phone.goto(`${BASE_URL}/phone/`);
  await phone.getByTestId("sign-up-name").fill("Lee Lighthouse");
  await phone.getByTestId("sign-up-password").fill("correct horse battery");
  await phone.getByTestId("sign-up-submit").click();
  await phone.locator(`[data-testid=joinable-shop][data-shop-id="${shopId}"]`).getByTestId("join-shop").click();
  await phone.locator(`[data-testid=membership][data-shop-id="${shopId}"]`).waitFor();
  await phone.close();
  await run("phone wallet", `${BASE_URL}/phone/`);

  // An owner signed in: the list of their shops.
  const owner = await ownerConsole(browser, shopId);
  await owner.close();
  await run("console shops", `${BASE_URL}/owner/`);

  fs.writeFileSync(path.join(ARTIFACTS, "lighthouse.json"), JSON.stringify(scores, null, 2));
  assert.deepEqual(problems, [], `Lighthouse found:\n${problems.join("\n")}`);
});
