// End to end: the very first run of an instance. The suite's shared stack was
// claimed long ago (the API tests race for it), so this test starts its own
// `wrangler dev` with empty storage, as a deployer would have after
// `cargo xtask dev` or `wrangler deploy`. The setup link `/owner/#claim=<ADMIN_TOKEN>`
// opens the console's claim screen with the key filled in and out of the address
// bar; the deployer makes the operator account, creates a shop in the console and
// gets its owner's invite link; the invite link then works in another browser. The
// setup link opened again (another browser) no longer offers the claim: it asks to sign in.
// Then the owner forgets their password: the operator makes a one-time reset link in the
// console; the owner opens it on another device, chooses a new password and signs in with
// it (their other session has ended; the link works once). Last, the operator hands the
// operator role to that owner, confirming with their own password: they keep the shop they
// created, as its owner, and the owner's console becomes the operator's.
//
// Needs TESSERA_ADMIN_TOKEN (the `.dev.vars` token, which wrangler dev reads) and a
// built worker, like the other tests. Screenshots: tests/browser/artifacts/owner-claim*.png.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ADMIN_TOKEN, BASE_URL, launch, smallTapTargets } from "./helpers.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "../..");
const ARTIFACTS = path.join(HERE, "artifacts");
const PASSWORD = "correct horse battery";

/** A port nobody listens on right now. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** `wrangler dev` on fresh storage in `stateDir`; resolves once it answers /api/health. */
async function freshStack(stateDir, logPath) {
  const [port, inspector] = [await freePort(), await freePort()];
  const log = fs.openSync(logPath, "w");
  const wrangler = spawn(
    path.join(ROOT, "node_modules/.bin/wrangler"),
    ["dev", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspector),
      "--persist-to", stateDir, "--show-interactive-dev-session=false"],
    {
      cwd: ROOT,
      stdio: ["ignore", log, log],
      detached: true,
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", WRANGLER_SEND_ERROR_REPORTS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
    },
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = () => {
    try {
      process.kill(-wrangler.pid, "SIGTERM");
    } catch {
      // Already gone.
    }
  };
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (wrangler.exitCode !== null) break;
    try {
      if ((await fetch(`${baseUrl}/api/health`)).ok) return { baseUrl, stop };
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  stop();
  throw new Error(`the fresh stack did not start:\n${fs.readFileSync(logPath, "utf8").slice(-3000)}`);
}

test("first run: the setup link claims the instance, the operator creates a shop and its owner's invite works", { timeout: 240_000 }, async (t) => {
  if (!BASE_URL || !ADMIN_TOKEN) {
    t.skip("set TESSERA_BASE_URL and TESSERA_ADMIN_TOKEN to run against a stack");
    return;
  }
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "tessera-first-run-"));
  const stack = await freshStack(path.join(work, "state"), path.join(work, "wrangler.log"));
  const browsers = [];
  t.after(async () => {
    for (const browser of browsers) await browser.close();
    stack.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });
  const fresh = async (name) => {
    const browser = await launch(path.join(work, name));
    browsers.push(browser);
    return browser.newPage();
  };
  const shot = (page, name) => page.screenshot({ path: path.join(ARTIFACTS, `owner-${name}.png`), fullPage: true });

  // --- The deployer opens the setup link. ---
  const claimStatus = await (await fetch(`${stack.baseUrl}/api/owner/claim`)).json();
  assert.equal(claimStatus.claimed, false, "a fresh instance is unclaimed");
  const deployer = await fresh("deployer");
  await deployer.setViewportSize({ width: 1280, height: 800 });
  await deployer.goto(`${stack.baseUrl}/owner/#claim=${ADMIN_TOKEN}`);
  await deployer.locator("#claim-view:not([hidden])").waitFor({ timeout: 15_000 });
  assert.ok(!deployer.url().includes("claim="), `the setup key leaves the address bar: ${deployer.url()}`);
  assert.equal(await deployer.getByTestId("claim-token").inputValue(), ADMIN_TOKEN, "the link fills in the key");
  const operatorEmail = `operator-${Date.now()}@example.org`;
  await deployer.getByTestId("claim-email").fill(operatorEmail);
  await deployer.getByTestId("claim-password").fill(PASSWORD);
  await shot(deployer, "claim");
  assert.deepEqual(await smallTapTargets(deployer), [], "every control on the claim screen is big enough to tap");
  await deployer.getByTestId("claim-submit").click();

  // --- The operator: the shop list, with the form to create a shop. ---
  await deployer.locator("#shops-view:not([hidden])").waitFor({ timeout: 10_000 });
  assert.equal(await deployer.getByTestId("whoami").innerText(), `${operatorEmail} (operator)`);
  assert.equal(await deployer.getByTestId("claim-token").inputValue(), "", "the key is not kept in the page");
  await deployer.locator("#create-shop-form:not([hidden])").waitFor();
  await deployer.getByTestId("new-shop-name").fill("First Run Bakery");
  await deployer.getByTestId("new-shop-points").fill("2");
  await deployer.getByTestId("create-shop-submit").click();
  await deployer.locator("#invite-link-box:not([hidden])").waitFor({ timeout: 10_000 });
  const inviteLink = await deployer.getByTestId("invite-link").inputValue();
  assert.match(inviteLink, /\/owner\/#invite=[0-9a-f]{64}$/);
  await deployer.getByTestId("shop-list").getByText("First Run Bakery").waitFor({ timeout: 10_000 });
  await shot(deployer, "claim-operator");
  assert.equal((await (await fetch(`${stack.baseUrl}/api/owner/claim`)).json()).claimed, true);

  // --- The shop's owner accepts the invite in their own browser and runs the shop. ---
  const owner = await fresh("owner");
  await owner.setViewportSize({ width: 360, height: 740 });
  await owner.goto(inviteLink);
  await owner.locator("#invite-view:not([hidden])").waitFor({ timeout: 15_000 });
  const ownerEmail = `baker-${Date.now()}@example.org`;
  await owner.getByTestId("invite-email").fill(ownerEmail);
  await owner.getByTestId("invite-password").fill(PASSWORD);
  await owner.getByTestId("invite-submit").click();
  await owner.locator("#shops-view:not([hidden])").waitFor({ timeout: 10_000 });
  await owner.getByTestId("shop-list").getByText("First Run Bakery").waitFor({ timeout: 10_000 });
  assert.ok(await owner.locator("#create-shop-form").isHidden(), "an owner does not create shops");

  // --- The setup link again, in yet another browser: no second claim, a sign-in. ---
  const latecomer = await fresh("latecomer");
  await latecomer.goto(`${stack.baseUrl}/owner/#claim=${ADMIN_TOKEN}`);
  await latecomer.locator("#sign-in-view:not([hidden])").waitFor({ timeout: 15_000 });
  assert.ok(await latecomer.locator("#claim-view").isHidden(), "the claim screen is gone once claimed");
  const again = await fetch(`${stack.baseUrl}/api/owner/claim`, {
    method: "POST",
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json" },
    body: JSON.stringify({ email: "second@example.org", password: PASSWORD }),
  });
  assert.equal(again.status, 409, "a second claim is refused");

  // --- The owner forgot their password: the operator makes a reset link in their area. ---
  await deployer.locator("#operator-panel:not([hidden])").waitFor();
  assert.ok(await owner.locator("#operator-panel").isHidden(), "only the operator has the operator's area");
  await deployer.getByTestId("reset-link-email").fill(`nobody-${ownerEmail}`);
  await deployer.getByTestId("reset-link-submit").click();
  await deployer.getByTestId("error").filter({ hasText: "no owner account has this e-mail" }).waitFor({ timeout: 10_000 });
  await deployer.getByTestId("reset-link-email").fill(ownerEmail);
  await deployer.getByTestId("reset-link-submit").click();
  const resetLink = deployer.getByTestId("reset-link");
  await resetLink.waitFor({ state: "visible", timeout: 10_000 });
  const resetUrl = await resetLink.inputValue();
  assert.match(resetUrl, /\/owner\/#reset=[0-9a-f]{64}$/);
  assert.match(await deployer.getByTestId("notice").innerText(), /it works once, for 24 hours/);
  await shot(deployer, "reset-link");

  // --- The owner opens it on another device, chooses a new password and signs in with it. ---
  const NEW_PASSWORD = "a fresh start 2";
  const forgetful = await fresh("forgetful");
  await forgetful.setViewportSize({ width: 360, height: 740 });
  await forgetful.goto(resetUrl);
  await forgetful.locator("#reset-view:not([hidden])").waitFor({ timeout: 15_000 });
  assert.ok(!forgetful.url().includes("reset="), `the key leaves the address bar: ${forgetful.url()}`);
  assert.equal(await forgetful.evaluate(() => document.activeElement?.id), "reset-password", "focus starts in the form");
  assert.deepEqual(await smallTapTargets(forgetful), [], "every control on the reset screen is big enough to tap");
  await forgetful.getByTestId("reset-password").fill("short");
  await forgetful.getByTestId("reset-submit").click();
  await forgetful.getByTestId("error").filter({ hasText: "New password" }).waitFor({ timeout: 5_000 });
  await forgetful.getByTestId("reset-password").fill(NEW_PASSWORD);
  await shot(forgetful, "reset");
  await forgetful.getByTestId("reset-submit").click();
  await forgetful.locator("#sign-in-view:not([hidden])").waitFor({ timeout: 10_000 });
  assert.equal(await forgetful.getByTestId("sign-in-email").inputValue(), ownerEmail, "the e-mail is filled in");
  assert.match(await forgetful.getByTestId("notice").innerText(), /Your password is changed/);
  await forgetful.getByTestId("sign-in-password").fill(PASSWORD);
  await forgetful.getByTestId("sign-in-submit").click();
  await forgetful.getByTestId("error").filter({ hasText: "wrong" }).waitFor({ timeout: 10_000 });
  await forgetful.getByTestId("sign-in-password").fill(NEW_PASSWORD);
  await forgetful.getByTestId("sign-in-submit").click();
  await forgetful.locator("#shops-view:not([hidden])").waitFor({ timeout: 10_000 });
  await forgetful.getByTestId("shop-list").getByText("First Run Bakery").waitFor({ timeout: 10_000 });
  // The owner's other session ended with the reset; the link works once.
  await owner.reload();
  await owner.locator("#sign-in-view:not([hidden])").waitFor({ timeout: 15_000 });
  const reused = await fetch(`${stack.baseUrl}/api/owner/password-reset`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ token: resetUrl.split("#reset=")[1], new_password: "someone else's" }),
  });
  assert.equal(reused.status, 409, "a used reset link is refused");
  assert.equal((await reused.json()).error, "already_used");

  // --- The operator hands the role to that owner, confirming with their own password. ---
  await deployer.getByTestId("handover-email").fill(ownerEmail);
  await deployer.getByTestId("handover-password").fill(PASSWORD);
  let asked = "";
  deployer.once("dialog", (dialog) => {
    asked = dialog.message();
    dialog.accept();
  });
  await deployer.getByTestId("handover-submit").click();
  await deployer.getByTestId("notice").filter({ hasText: `${ownerEmail} is the operator now.` }).waitFor({ timeout: 10_000 });
  assert.match(asked, new RegExp(`Make ${ownerEmail.replace(/[.]/g, "\\.")} the operator\\?`));
  assert.equal(await deployer.getByTestId("whoami").innerText(), operatorEmail, "no longer the operator");
  assert.ok(await deployer.locator("#operator-panel").isHidden());
  assert.ok(await deployer.locator("#create-shop-form").isHidden());
  assert.ok(await deployer.locator("#invite-link-box").isHidden(), "the operator's last invite link goes too");
  await deployer.getByTestId("shop-list").getByText("First Run Bakery").waitFor({ timeout: 5_000 });
  await shot(deployer, "handed-over");
  await forgetful.reload();
  await forgetful.locator("#shops-view:not([hidden])").waitFor({ timeout: 15_000 });
  assert.equal(await forgetful.getByTestId("whoami").innerText(), `${ownerEmail} (operator)`);
  await forgetful.locator("#operator-panel:not([hidden])").waitFor();
});
