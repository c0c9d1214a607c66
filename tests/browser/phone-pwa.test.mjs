// End to end: the phone page is an installable web app that opens without a network.
// Chromium finds no installability errors (manifest, icons, a service worker that
// answers fetches); the service worker keeps this build's app shell (the page and its
// content-hashed script, styles, Wasm and icons); with the network cut the page still
// opens from it, starts, and says plainly that codes and balances need the network;
// back online the notice goes. Static files come with a year's `immutable` caching.
//
// Needs a running stack (TESSERA_BASE_URL, TESSERA_ADMIN_TOKEN), like loyalty-loop.test.mjs.
// Screenshot: tests/browser/artifacts/phone-offline.png.

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ADMIN_TOKEN, BASE_URL, launch, phonePage } from "./helpers.mjs";

const ARTIFACTS = path.join(path.dirname(fileURLToPath(import.meta.url)), "artifacts");

test("the phone page installs, keeps its shell and opens offline saying what needs the network", { timeout: 120_000 }, async (t) => {
  if (!BASE_URL || !ADMIN_TOKEN) {
    t.skip("set TESSERA_BASE_URL and TESSERA_ADMIN_TOKEN to run against a stack");
    return;
  }
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "tessera-pwa-"));
  const browser = await launch(path.join(work, "profile"));
  t.after(async () => {
    await browser.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  const phone = await phonePage(browser);
  await phone.locator("#auth-view:not([hidden])").waitFor({ timeout: 15_000 });
  // The service worker takes over this page once it has kept the shell.
  await phone.waitForFunction(() => navigator.serviceWorker?.controller !== null, null, { timeout: 20_000 });

  // Installable: Chromium's own check, and what it reads.
  const cdp = await browser.newCDPSession(phone);
  const { installabilityErrors } = await cdp.send("Page.getInstallabilityErrors");
  assert.deepEqual(installabilityErrors, [], "Chromium finds the page installable");
  const manifestUrl = await phone.locator("link[rel=manifest]").evaluate((link) => link.href);
  const manifest = await (await fetch(manifestUrl)).json();
  assert.equal(manifest.display, "standalone");
  assert.ok(manifest.icons.some((icon) => icon.sizes === "512x512" && icon.purpose === "maskable"), "a maskable icon");
  for (const icon of manifest.icons) {
    const response = await fetch(new URL(icon.src, manifestUrl));
    assert.equal(response.status, 200, icon.src);
    assert.equal(response.headers.get("content-type"), "image/png", icon.src);
  }

  // The kept shell: the page and every hashed file it loads.
  const kept = await phone.evaluate(async () => {
    const names = (await caches.keys()).filter((name) => name.startsWith("tessera-phone-"));
    const cache = await caches.open(names[0]);
    return { names, paths: (await cache.keys()).map((request) => new URL(request.url).pathname) };
  });
  assert.equal(kept.names.length, 1, `one shell cache: ${kept.names}`);
  for (const wanted of [/^\/phone\/$/, /^\/phone\/v\/[0-9a-f]{16}\/main\.js$/, /\/pkg\/web_phone_bg\.wasm$/, /\/style\.css$/]) {
    assert.ok(kept.paths.some((p) => wanted.test(p)), `${wanted} kept: ${kept.paths.join(", ")}`);
  }
  const script = kept.paths.find((p) => p.endsWith("/main.js"));
  const cacheControl = (await fetch(BASE_URL + script)).headers.get("cache-control") || "";
  assert.match(cacheControl, /immutable/, `hashed files are kept for good: ${cacheControl}`);

  // No network: the page still opens, starts and says what needs the network.
  await browser.setOffline(true);
  await phone.reload();
  await phone.locator("#offline:not([hidden])").waitFor({ timeout: 15_000 });
  assert.match(await phone.getByTestId("offline").innerText(), /offline/i);
  // The banner is the Wasm page's own doing: it started from the kept shell.
  assert.ok(await phone.locator("#error").isHidden(), "no error beside the banner");
  await phone.screenshot({ path: path.join(ARTIFACTS, "phone-offline.png"), fullPage: true });

  // Back online: the notice goes by itself.
  await browser.setOffline(false);
  await phone.locator("#offline").waitFor({ state: "hidden", timeout: 10_000 });
});
