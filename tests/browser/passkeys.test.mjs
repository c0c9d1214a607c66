// Passkeys in a real browser: Chromium's virtual authenticator (DevTools protocol) stands in
// for the phone's screen lock. A member adds a passkey on the Account screen, signs out, signs
// in with the passkey alone, and removes it; an owner does the same on the console's shop list.
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
  const { shopId } = await shopWithRegister("pk", "Passkey Café");
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
