// Passkeys in a real browser: Chromium's virtual authenticator (DevTools protocol) stands in
// for the phone's screen lock. A member adds a passkey on the Account screen, signs out, signs
// in with the passkey alone, approves a register's prepaid charge with it instead of the PIN, and
// removes it; an owner does the same on the console's shop list.
// The pages are opened on `localhost`: WebAuthn refuses an IP address as the relying party.
//
// Needs a running stack: TESSERA_BASE_URL and TESSERA_ADMIN_TOKEN (see loyalty-loop.test.mjs).

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  ADMIN_TOKEN,
  BASE_URL,
  call,
  LOCALHOST_URL,
  launchOnLocalhost,
  ownerConsole,
  phonePage,
  shopWithRegister,
  virtualAuthenticator,
} from "./helpers.mjs";

const ARTIFACTS = path.join(path.dirname(fileURLToPath(import.meta.url)), "artifacts");
const PASSWORD = "correct horse battery";

test("a member and an owner add a passkey, sign in with it alone, and remove it", { timeout: 120_000 }, async (t) => {
  if (!BASE_URL || !ADMIN_TOKEN) {
    t.skip("set TESSERA_BASE_URL and TESSERA_ADMIN_TOKEN to run against a stack");
    return;
  }
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "tessera-passkeys-"));
  const shot = (page, name) => page.screenshot({ path: path.join(ARTIFACTS, `passkeys-${name}.png`), fullPage: true });
  const { shopId, register } = await shopWithRegister("pk", "Passkey Café");
  const browser = await launchOnLocalhost(path.join(work, "profile"));
  t.after(async () => {
    await browser.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  // The member: sign up with a password, then add a passkey on the Account screen.
  const phone = await phonePage(browser, "light", LOCALHOST_URL);
  const authenticator = await virtualAuthenticator(phone);
  await phone.getByTestId("sign-up-name").fill("Ada Passkey");
  await phone.getByTestId("sign-up-password").fill(PASSWORD);
  await phone.getByTestId("sign-up-submit").click();
  await phone.getByTestId("new-member-number").waitFor();
  const number = (await phone.getByTestId("new-member-number").innerText()).replace(/\s/g, "");
  await phone.getByTestId("open-account").click();
  await phone.getByTestId("account-view").waitFor();
  await phone.getByTestId("passkey-add").click();
  await phone.getByTestId("passkey-item").waitFor();
  assert.match(await phone.getByTestId("passkey-item").innerText(), /Passkey · added .* · not used yet/);
  const [credential] = await authenticator.credentials();
  assert.ok(credential.isResidentCredential, "a discoverable passkey");
  assert.equal(Buffer.from(credential.userHandle, "base64").toString(), number, "its user handle is the member number");
  await shot(phone, "1-phone-added");

  // Signed out, the passkey alone signs the member in: nothing typed.
  await phone.getByTestId("sign-out").click();
  await phone.locator("#auth-view:not([hidden])").waitFor();
  await phone.getByTestId("passkey-sign-in").click();
  await phone.locator("#wallet-view:not([hidden])").waitFor();
  await phone.getByTestId("open-account").click();
  await phone.getByTestId("account-view").waitFor();
  await phone.locator("[data-testid=passkey-item]", { hasText: "last used" }).waitFor();
  await shot(phone, "2-phone-signed-in-with-passkey");

  // A register asks for a prepaid charge: the passkey approves it instead of the PIN.
  const meCall = (method, pathname, body) =>
    phone.evaluate(async ([method, pathname, body]) => {
      const response = await fetch(pathname, { method, headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
      const text = await response.text();
      return { status: response.status, json: text ? JSON.parse(text) : null };
    }, [method, pathname, body]);
  assert.ok((await meCall("POST", "/api/me/memberships", { shop_id: shopId })).status < 300, "joined");
  assert.equal((await meCall("PUT", "/api/me/pin", { password: PASSWORD, pin: "2468" })).status, 204);
  const codeFor = async () => (await meCall("POST", "/api/me/codes", { shop_id: shopId })).json.code;
  await call("POST", "/api/register/prepaid/top-ups", register.token, { code: await codeFor(), request_id: `pk-top-up-${Date.now()}`, amount_minor: 1000 }, 200);
  // The top-up's receipt shows on the phone first.
  await phone.getByTestId("receipt-view").waitFor({ timeout: 15_000 });
  await phone.getByTestId("receipt-done").click();
  const asked = await call("POST", "/api/register/debits", register.token, {
    code: await codeFor(),
    request_id: `pk-charge-${Date.now()}`,
    operation: { kind: "prepaid_charge", sale: { kind: "amount", amount: 400 } },
  }, 200);
  assert.equal(asked.outcome.state, "pending");
  await phone.locator("#confirm-view:not([hidden])").waitFor({ timeout: 15_000 });
  await phone.locator("#confirm-passkey:not([hidden])").waitFor({ timeout: 10_000 });
  await shot(phone, "3-phone-approve-with-passkey");
  await phone.getByTestId("confirm-passkey").click();
  await phone.getByTestId("receipt-view").waitFor({ timeout: 15_000 });
  assert.match(await phone.getByTestId("receipt").innerText(), /4[.,]00/);
  await phone.getByTestId("receipt-done").click();
  const wallet = (await meCall("GET", "/api/me/wallet")).json;
  assert.equal(wallet.memberships.find((m) => m.shop.shop_id === shopId).prepaid_minor, 600, "10.00 − 4.00, no PIN typed");

  // Removed, it signs in no more (the authenticator still holds it; the server refuses it).
  await phone.getByTestId("passkey-remove").click();
  await phone.locator("[data-testid=passkey-list]", { hasText: "No passkey yet." }).waitFor();
  await phone.getByTestId("sign-out").click();
  await phone.locator("#auth-view:not([hidden])").waitFor();
  await phone.getByTestId("passkey-sign-in").click();
  await phone.locator("#error:not([hidden])").waitFor();
  assert.match(await phone.locator("#error").innerText(), /passkey/i);
  assert.ok(await phone.locator("#auth-view:not([hidden])").isVisible());

  // The owner: the same on the console's shop list and sign-in screen.
  const owner = await ownerConsole(browser, shopId, { width: 1280, height: 800 }, LOCALHOST_URL);
  const ownerAuthenticator = await virtualAuthenticator(owner);
  await owner.locator("#back-to-shops").click();
  await owner.locator("#shops-view:not([hidden])").waitFor();
  await owner.getByTestId("passkey-add").click();
  await owner.getByTestId("passkey-item").waitFor();
  assert.equal((await ownerAuthenticator.credentials()).length, 1);
  await shot(owner, "3-console-added");
  await owner.getByTestId("sign-out").click();
  await owner.locator("#sign-in-view:not([hidden])").waitFor();
  await owner.getByTestId("passkey-sign-in").click();
  await owner.locator("#shops-view:not([hidden])").waitFor();
  await owner.locator(`[data-shop-id="${shopId}"]`).waitFor();
  await owner.locator("[data-testid=passkey-item]", { hasText: "last used" }).waitFor();
  await owner.getByTestId("passkey-remove").click();
  await owner.locator("[data-testid=passkey-list]", { hasText: "No passkey yet." }).waitFor();
});
