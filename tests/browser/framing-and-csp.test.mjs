// Clickjacking and the Content-Security-Policy, in a real Chromium: a page of
// another origin (a second localhost port) cannot frame the register or the
// phone page (CSP frame-ancestors 'none', X-Frame-Options DENY), while a frame
// it is allowed to show loads in the same harness; and both pages start under
// their CSP without a single violation.

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { ADMIN_TOKEN, BASE_URL, launch, shopWithRegister } from "./helpers.mjs";

/** Serves `html` on 127.0.0.1 at a free port: another origin than the stack's. */
async function serveElsewhere(pages) {
  const server = http.createServer((req, res) => {
    const body = pages[req.url];
    res.writeHead(body ? 200 : 404, { "content-type": "text/html; charset=utf-8" });
    res.end(body || "not found");
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, origin: `http://127.0.0.1:${server.address().port}` };
}

/** What a framed page shows: its text, or null when the frame was blocked (an error page). */
async function frameContent(page, selector) {
  const frame = await (await page.waitForSelector(selector)).contentFrame();
  if (!frame || frame.url().startsWith("chrome-error:")) return null;
  try {
    return await frame.evaluate(() => document.documentElement.outerHTML);
  } catch {
    return null;
  }
}

test("another origin cannot frame the register or the phone page", { timeout: 60_000 }, async (t) => {
  if (!BASE_URL || !ADMIN_TOKEN) {
    t.skip("set TESSERA_BASE_URL and TESSERA_ADMIN_TOKEN to run against a stack");
    return;
  }
  const { register } = await shopWithRegister("frame", "Framed Shop");
  const registerUrl = BASE_URL + register.register_path;
  const { server, origin } = await serveElsewhere({
    "/attack": `<!doctype html><title>Win a prize</title>
      <iframe id="register" src="${registerUrl}" width="800" height="600"></iframe>
      <iframe id="phone" src="${BASE_URL}/phone/" width="400" height="600"></iframe>
      <iframe id="control" src="/harmless" width="200" height="100"></iframe>`,
    "/harmless": `<!doctype html><p id="ok">a frame this origin may show</p>`,
  });
  assert.notEqual(origin, new URL(BASE_URL).origin);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "tessera-frame-"));
  const browser = await launch(path.join(work, "profile"));
  try {
    const page = await browser.newPage();
    const refusals = [];
    page.on("console", (message) => {
      if (/frame-ancestors|X-Frame-Options/i.test(message.text())) refusals.push(message.text());
    });
    await page.goto(`${origin}/attack`, { waitUntil: "load" });
    // The harness sees a frame that loads…
    assert.match((await frameContent(page, "#control")) || "", /a frame this origin may show/);
    // …and neither Tessera page renders inside the attacker's page.
    assert.equal(await frameContent(page, "#register"), null, "the register page was framed");
    assert.equal(await frameContent(page, "#phone"), null, "the phone page was framed");
    assert.ok(refusals.length >= 2, `Chromium reports both refusals: ${JSON.stringify(refusals)}`);
  } finally {
    await browser.close();
    server.close();
  }
});

test("the pages start under their CSP without violations", { timeout: 60_000 }, async (t) => {
  if (!BASE_URL || !ADMIN_TOKEN) {
    t.skip("set TESSERA_BASE_URL and TESSERA_ADMIN_TOKEN to run against a stack");
    return;
  }
  const { register } = await shopWithRegister("csp", "CSP Shop");
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "tessera-csp-"));
  const browser = await launch(path.join(work, "profile"), [
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
  ]);
  try {
    const targets = [
      // The Wasm app ran: the phone shows its sign-up form, the register its shop's name from the API.
      [BASE_URL + "/phone/", (page) => page.getByTestId("sign-up-form").waitFor({ state: "visible" })],
      [BASE_URL + register.register_path, (page) => page.getByTestId("shop-name").filter({ hasText: "CSP Shop" }).waitFor()],
    ];
    for (const [target, started] of targets) {
      const page = await browser.newPage();
      await page.addInitScript(() => {
        window.__violations = [];
        document.addEventListener("securitypolicyviolation", (e) =>
          window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`),
        );
      });
      const errors = [];
      page.on("pageerror", (error) => errors.push(String(error)));
      const response = await page.goto(target, { waitUntil: "networkidle" });
      assert.match(response.headers()["content-security-policy"] || "", /frame-ancestors 'none'/);
      await started(page);
      await page.waitForTimeout(1_000);
      const violations = await page.evaluate(() => window.__violations);
      assert.deepEqual(violations, [], `${target}: CSP violations`);
      assert.deepEqual(errors, [], `${target}: page errors`);
      await page.close();
    }
  } finally {
    await browser.close();
  }
});
