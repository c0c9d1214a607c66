// Sign-in people can keep: a member signs up with a sign-in name (a password
// manager sees a username field), is shown their number and a recovery code
// once, signs in with the name, and resets a forgotten password with the code.
// Signing out while a code is open asks first; "sign out everywhere" ends every session.
//
// Needs a running stack: TESSERA_BASE_URL and TESSERA_ADMIN_TOKEN (see loyalty-loop.test.mjs).

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ADMIN_TOKEN, BASE_URL, launch, phonePage, shopWithRegister } from "./helpers.mjs";

const ARTIFACTS = path.join(path.dirname(fileURLToPath(import.meta.url)), "artifacts");

test("a member signs in with a chosen name, resets a forgotten password with the recovery code, and is asked before signing out mid-code", { timeout: 120_000 }, async (t) => {
  if (!BASE_URL || !ADMIN_TOKEN) {
    t.skip("set TESSERA_BASE_URL and TESSERA_ADMIN_TOKEN to run against a stack");
    return;
  }
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "tessera-names-"));
  const { shopId } = await shopWithRegister("names", "Names Café");
  const browser = await launch(path.join(work, "profile"));
  t.after(async () => {
    await browser.close();
    fs.rmSync(work, { recursive: true, force: true });
  });
  const name = `Ada.${Date.now().toString(36)}@Example.org`;
  const phone = await phonePage(browser);

  // The sign-up form has a username field (for password managers) besides the name.
  assert.equal(await phone.getByTestId("sign-up-login").getAttribute("autocomplete"), "username");
  assert.equal(await phone.getByTestId("sign-in-number").getAttribute("autocomplete"), "username");
  await phone.getByTestId("sign-up-name").fill("Ada Names");
  await phone.getByTestId("sign-up-login").fill(name);
  await phone.getByTestId("sign-up-password").fill("first password");
  await phone.getByTestId("sign-up-submit").click();
  await phone.getByTestId("new-member-recovery").waitFor();
  assert.equal(await phone.getByTestId("new-member-login").innerText(), name.toLowerCase());
  assert.match(await phone.getByTestId("new-member-number").innerText(), /^\d{4} \d{4} \d{4}$/, "the number whole");
  const recoveryCode = await phone.getByTestId("new-member-recovery").innerText();
  assert.match(recoveryCode, /^[0-9A-Z]{4}(-[0-9A-Z]{4}){4}$/);
  await phone.screenshot({ path: path.join(ARTIFACTS, "sign-in-names-1-welcome.png"), fullPage: true });

  // Sign-out with a code open asks first; "Stay" keeps the code.
  await phone.locator(`[data-testid=joinable-shop][data-shop-id="${shopId}"]`).getByTestId("join-shop").click();
  const card = phone.locator(`[data-testid=membership][data-shop-id="${shopId}"]`);
  await card.getByTestId("show-code").click();
  await phone.locator("[data-testid=qr][data-state=ready] svg").waitFor();
  await phone.getByTestId("sign-out").click();
  await phone.getByTestId("sign-out-confirm").waitFor();
  assert.match(await phone.getByTestId("sign-out-question").innerText(), /code is open/);
  await phone.screenshot({ path: path.join(ARTIFACTS, "sign-in-names-2-sign-out-asks.png") });
  await phone.getByTestId("sign-out-no").click();
  assert.equal(await phone.getByTestId("sign-out-confirm").isHidden(), true);
  assert.equal(await phone.locator("#code-view").isVisible(), true, "the code is still open");
  await phone.getByTestId("sign-out").click();
  await phone.getByTestId("sign-out-yes").click();
  await phone.getByTestId("sign-in-form").waitFor();

  // Sign in with the name (any case).
  await phone.getByTestId("sign-in-number").fill(name.toUpperCase());
  await phone.getByTestId("sign-in-password").fill("first password");
  await phone.getByTestId("sign-in-submit").click();
  await phone.locator("#wallet-view:not([hidden])").waitFor();
  assert.equal(await card.isVisible(), true);
  // With nothing open, sign-out does not ask.
  await phone.getByTestId("sign-out").click();
  await phone.getByTestId("sign-in-form").waitFor();

  // Forgot the password: the recovery code sets a new one and shows a new code.
  await phone.getByTestId("recover-open").click();
  await phone.getByTestId("recover-login").fill(name);
  await phone.getByTestId("recover-code").fill(recoveryCode.toLowerCase().replaceAll("-", " "));
  await phone.getByTestId("recover-password").fill("second password");
  await phone.screenshot({ path: path.join(ARTIFACTS, "sign-in-names-3-recover.png"), fullPage: true });
  await phone.getByTestId("recover-submit").click();
  await phone.getByTestId("new-member-recovery").waitFor();
  const newCode = await phone.getByTestId("new-member-recovery").innerText();
  assert.notEqual(newCode, recoveryCode);
  assert.match(await phone.locator("#new-member-title").innerText(), /password is changed/);

  // The old code is used up; the new password works.
  await phone.getByTestId("sign-out").click();
  if (!(await phone.getByTestId("recover").evaluate((details) => details.open))) {
    await phone.getByTestId("recover-open").click();
  }
  await phone.getByTestId("recover-login").fill(name);
  await phone.getByTestId("recover-code").fill(recoveryCode);
  await phone.getByTestId("recover-password").fill("third password");
  await phone.getByTestId("recover-submit").click();
  await phone.getByTestId("error").waitFor();
  assert.match(await phone.getByTestId("error").innerText(), /wrong/);
  await phone.getByTestId("sign-in-number").fill(name);
  await phone.getByTestId("sign-in-password").fill("second password");
  await phone.getByTestId("sign-in-submit").click();
  await phone.locator("#wallet-view:not([hidden])").waitFor();

  // "Sign out everywhere" on the Account screen ends this session (and every other).
  await phone.getByTestId("open-account").click();
  await phone.getByTestId("sign-out-everywhere").click();
  await phone.getByTestId("sign-in-form").waitFor();
  assert.match(await phone.getByTestId("notice").innerText(), /every device/);
  const wallet = await phone.evaluate(async () => (await fetch("/api/me/wallet")).status);
  assert.equal(wallet, 401, "the session is over on the server");
});
