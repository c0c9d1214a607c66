// End to end, card payments: the owner connects the shop's card processor account in the
// console (the secret never shown again), the member sets a PIN and saves a card on the phone with the
// processor's card field (localstripe's stand-in for Stripe.js Elements, which the stack
// starts on 127.0.0.1:8420), the register rings up a sale of 12.50, applies a 10 % coupon and
// chooses "Pay by card", the phone asks "<shop> asks €11.25 by card ending 4242" with the coupon,
// the member approves with the PIN, and both screens show the same receipt naming the card and
// the coupon.
//
// With two saved cards the member marks one as the default on the cards screen; at the next card
// sale the phone offers both, the default chosen, the member picks the other and the register's
// receipt names that card.
//
// Needs a running stack (TESSERA_BASE_URL, TESSERA_ADMIN_TOKEN) with localstripe
// (`cargo xtask test` starts both). Screenshots land in tests/browser/artifacts/ (prefix "card-").

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ADMIN_TOKEN, BASE_URL, admin, launch, ownerConsole, phonePage, shopWithRegister } from "./helpers.mjs";

const ARTIFACTS = path.join(path.dirname(fileURLToPath(import.meta.url)), "artifacts");
const PASSWORD = "correct horse battery";
const PIN = "2468";
const STRIPE = process.env.TESSERA_LOCALSTRIPE_URL || "http://127.0.0.1:8420";

// The same sale with a card whose bank asks for 3-D Secure (when saved and when charged): the
// phone runs the bank's challenge with the processor's script (the stand-in's "Complete
// authentication"), the register waits for the customer, then both screens show the receipt.
const PLAIN = { number: "4242424242424242", last4: "4242", challenge: false, prefix: "card" };
const SECURE = { number: "4000002500003155", last4: "3155", challenge: true, prefix: "card-3ds" };

test("a card saved on the phone pays at the register once the phone approves; receipts name the card", { timeout: 120_000 }, (t) => cardSale(t, PLAIN));
test("a card whose bank asks for authentication pays once the phone passes the challenge", { timeout: 120_000 }, (t) => cardSale(t, SECURE));
test("with two saved cards the phone picks which pays; the register shows its last 4", { timeout: 120_000 }, chosenCard);

/** Saves a card on the phone's cards screen through the processor's field. */
async function saveOnPhone(phone, number, last4) {
  await phone.getByTestId("cards-add").click();
  const field = phone.getByTestId("card-element");
  await field.locator("input[placeholder=number]").waitFor({ timeout: 10_000 });
  await field.locator("input[placeholder=number]").fill(number);
  await field.locator("input[placeholder=exp_month]").fill("12");
  await field.locator("input[placeholder=exp_year]").fill("34");
  await field.locator("input[placeholder=cvc]").fill("123");
  await field.locator("input[placeholder=postal_code]").fill("10115");
  await phone.getByTestId("cards-save").click();
  await phone.getByTestId("saved-card").filter({ hasText: `•••• ${last4}` }).waitFor({ timeout: 10_000 });
}

async function chosenCard(t) {
  if (!BASE_URL || !ADMIN_TOKEN) {
    t.skip("set TESSERA_BASE_URL and TESSERA_ADMIN_TOKEN to run against a stack");
    return;
  }
  const reachable = await fetch(`${STRIPE}/js.stripe.com/v3/`).then((r) => r.ok, () => false);
  assert.ok(reachable, `localstripe is not reachable at ${STRIPE}: \`cargo xtask test\` starts it`);
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "tessera-card-choice-"));
  const shot = (page, name) => page.screenshot({ path: path.join(ARTIFACTS, `card-choice-${name}.png`), fullPage: true });
  const { shopId, register } = await shopWithRegister("e2e-cardchoice", "Two Cards Café");
  const id = `${Date.now().toString(36)}choice`;
  await admin("PUT", `/api/owner/shops/${shopId}/card-processor`, {
    secret_key: `sk_test_${id}`, publishable_key: `pk_test_${id}`, webhook_secret: `whsec_${id}`,
  }, 200);
  const browser = await launch(path.join(work, "profile"));
  const phoneBrowser = await launch(path.join(work, "phone-profile"));
  t.after(async () => {
    await phoneBrowser.close();
    await browser.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  // --- The phone: a member with a PIN saves two cards and marks the first as the default. ---
  const phone = await phonePage(phoneBrowser);
  await phone.getByTestId("sign-up-name").fill("Chooser E2E");
  await phone.getByTestId("sign-up-password").fill(PASSWORD);
  await phone.getByTestId("sign-up-submit").click();
  await phone.getByTestId("new-member-number").waitFor();
  await phone.locator(`[data-testid=joinable-shop][data-shop-id="${shopId}"]`).getByTestId("join-shop").click();
  const membership = phone.locator(`[data-testid=membership][data-shop-id="${shopId}"]`);
  await membership.waitFor();
  await phone.getByTestId("pin-new").fill(PIN);
  await phone.getByTestId("pin-password").fill(PASSWORD);
  await phone.getByTestId("pin-submit").click();
  await phone.locator("[data-testid=pin-status][data-has-pin=yes]").waitFor();
  await phone.getByTestId("cards-status").filter({ hasText: /No card saved/ }).waitFor({ timeout: 5_000 });
  // localstripe names every test card's brand "visa": the cards are told apart by their last 4.
  await saveOnPhone(phone, "4242424242424242", "4242");
  await saveOnPhone(phone, "5555555555554444", "4444");
  // The newest is the default until another is marked.
  const saved = phone.getByTestId("saved-card");
  await saved.filter({ hasText: "•••• 4444 · default" }).waitFor();
  await saved.filter({ hasText: "•••• 4242" }).getByTestId("make-default-card").click();
  await phone.locator("[data-testid=saved-card][data-default=yes]").filter({ hasText: "•••• 4242 · default" }).waitFor({ timeout: 5_000 });
  assert.equal(await saved.first().innerText().then((text) => text.includes("4242")), true, "the default is listed first");
  await phone.getByTestId("cards-panel").screenshot({ path: path.join(ARTIFACTS, "card-choice-1-phone-default-card.png") });

  // --- The register: a sale of 12.50, "Pay by card". ---
  await membership.getByTestId("show-code").click();
  await phone.locator("[data-testid=qr][data-state=ready] svg").waitFor();
  const digits = (await phone.getByTestId("code-digits").innerText()).replace(/\s/g, "");
  const till = await browser.newPage();
  await till.setViewportSize({ width: 1280, height: 900 });
  await till.goto(BASE_URL + register.register_path.replace("#", "?result-seconds=60#"));
  await till.locator("[data-testid=verdict][data-state=ready]").waitFor({ timeout: 10_000 });
  await till.getByTestId("manual-code").fill(digits);
  await till.getByTestId("manual-submit").click();
  await till.locator("[data-testid=verdict][data-state=customer]").waitFor({ timeout: 5_000 });
  await till.getByTestId("amount").fill("12.50");
  await till.getByTestId("charge-card").click();
  await till.locator("[data-testid=verdict][data-state=waiting]").waitFor({ timeout: 5_000 });

  // --- The phone offers both cards, the default chosen; the member picks the other one. ---
  await phone.locator("[data-testid=confirm]:not([hidden])").waitFor({ timeout: 5_000 });
  assert.equal(await phone.getByTestId("confirm-title").innerText(), "Two Cards Café asks €12.50 by card ending 4242");
  const options = phone.getByTestId("confirm-card");
  assert.equal(await options.count(), 2);
  assert.equal(await phone.locator("[data-testid=confirm-card][data-last4='4242']").isChecked(), true);
  await phone.getByTestId("confirm-cards").getByText("•••• 4444").click();
  assert.equal(await phone.locator("[data-testid=confirm-card][data-last4='4444']").isChecked(), true);
  await phone.getByTestId("confirm-title").filter({ hasText: "Two Cards Café asks €12.50 by card ending 4444" }).waitFor({ timeout: 2_000 });
  await shot(phone, "2-phone-choose-card");
  await phone.getByTestId("confirm-pin").fill(PIN);
  await phone.getByTestId("confirm-approve").click();

  // --- Both receipts name the card chosen. ---
  await till.locator("[data-testid=verdict][data-state=concluded]").waitFor({ timeout: 10_000 });
  await phone.locator("[data-testid=receipt-view]:not([hidden])").waitFor({ timeout: 5_000 });
  const tillText = await till.locator("#register-receipt").innerText();
  assert.equal(await phone.locator("#receipt").innerText(), tillText);
  assert.ok(tillText.includes("•••• 4444"), `the register's receipt names the card chosen:\n${tillText}`);
  assert.ok(!tillText.includes("4242"), `not the default card:\n${tillText}`);
  await shot(till, "3-register-receipt");
}

async function cardSale(t, card) {
  if (!BASE_URL || !ADMIN_TOKEN) {
    t.skip("set TESSERA_BASE_URL and TESSERA_ADMIN_TOKEN to run against a stack");
    return;
  }
  const reachable = await fetch(`${STRIPE}/js.stripe.com/v3/`).then((r) => r.ok, () => false);
  assert.ok(reachable, `localstripe is not reachable at ${STRIPE}: \`cargo xtask test\` starts it`);
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "tessera-card-"));
  const shot = (page, name) => page.screenshot({ path: path.join(ARTIFACTS, `${card.prefix}-${name}.png`), fullPage: true });
  const { shopId, register } = await shopWithRegister("e2e-card", "Card Café");
  // A coupon the register applies to the card sale: the card is charged the discounted amount.
  const now = Date.now();
  await admin("POST", `/api/owner/shops/${shopId}/coupons`, {
    name: "Card week", kind: "percent_off", percent: 10, valid_from: now - 3_600_000, valid_to: now + 86_400_000,
    audience: { kind: "everyone" },
  });
  const browser = await launch(path.join(work, "profile"));
  const phoneBrowser = await launch(path.join(work, "phone-profile"));
  t.after(async () => {
    await phoneBrowser.close();
    await browser.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  // --- The owner connects the account; only the key's ending comes back. ---
  const id = `${Date.now().toString(36)}e2e`;
  const secret = `sk_test_${id}`;
  const owner = await ownerConsole(browser, shopId);
  await owner.getByTestId("card-status").filter({ hasText: /Not connected/ }).waitFor();
  await owner.getByTestId("card-secret-key").fill(secret);
  await owner.getByTestId("card-publishable-key").fill(`pk_test_${id}`);
  await owner.getByTestId("card-webhook-secret").fill(`whsec_${id}`);
  await owner.getByTestId("card-connect").click();
  await owner.getByTestId("card-status").filter({ hasText: `Connected, key ending ${secret.slice(-4)}` }).waitFor();
  assert.equal(await owner.getByTestId("card-secret-key").inputValue(), "");
  assert.ok(!(await owner.content()).includes(secret), "the secret key is not in the page");
  assert.match(await owner.getByTestId("card-webhook-url").innerText(), new RegExp(`/api/card-webhooks/${shopId}$`));
  await shot(owner, "1-console");

  // --- The phone: sign up, join, save a card in the processor's own field. ---
  const phone = await phonePage(phoneBrowser);
  const violations = [];
  phone.on("console", (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
  });
  await phone.getByTestId("sign-up-name").fill("Cara E2E");
  await phone.getByTestId("sign-up-password").fill(PASSWORD);
  await phone.getByTestId("sign-up-submit").click();
  await phone.getByTestId("new-member-number").waitFor();
  await phone.locator(`[data-testid=joinable-shop][data-shop-id="${shopId}"]`).getByTestId("join-shop").click();
  const membership = phone.locator(`[data-testid=membership][data-shop-id="${shopId}"]`);
  await membership.waitFor();
  // A card is saved only once the member has a PIN: each card payment is approved with it.
  await phone.getByTestId("cards-status").filter({ hasText: /Set a PIN first/ }).waitFor({ timeout: 5_000 });
  assert.equal(await phone.getByTestId("cards-add").isHidden(), true);
  await phone.getByTestId("pin-new").fill(PIN);
  await phone.getByTestId("pin-password").fill(PASSWORD);
  await phone.getByTestId("pin-submit").click();
  await phone.locator("[data-testid=pin-status][data-has-pin=yes]").waitFor();
  await phone.getByTestId("cards-status").filter({ hasText: /No card saved/ }).waitFor({ timeout: 5_000 });
  await phone.getByTestId("cards-add").click();
  const field = phone.getByTestId("card-element");
  await field.locator("input[placeholder=number]").waitFor({ timeout: 10_000 });
  await field.locator("input[placeholder=number]").fill(card.number);
  await field.locator("input[placeholder=exp_month]").fill("12");
  await field.locator("input[placeholder=exp_year]").fill("34");
  await field.locator("input[placeholder=cvc]").fill("123");
  await field.locator("input[placeholder=postal_code]").fill("10115");
  await shot(phone, "2-phone-card-field");
  await phone.getByTestId("cards-save").click();
  if (card.challenge) await phone.getByRole("button", { name: "Complete authentication" }).click({ timeout: 10_000 });
  await phone.getByTestId("saved-card").filter({ hasText: `visa •••• ${card.last4}` }).waitFor({ timeout: 10_000 });
  assert.deepEqual(violations, [], "the phone page loads the processor's script under its CSP");
  await shot(phone, "3-phone-card-saved");

  // --- The register: the customer's code typed, a sale of 12.50, 10 % off, "Pay by card". ---
  await membership.getByTestId("show-code").click();
  await phone.locator("[data-testid=qr][data-state=ready] svg").waitFor();
  const digits = (await phone.getByTestId("code-digits").innerText()).replace(/\s/g, "");
  const till = await browser.newPage();
  await till.setViewportSize({ width: 1280, height: 900 });
  await till.goto(BASE_URL + register.register_path.replace("#", "?result-seconds=60#"));
  await till.locator("[data-testid=verdict][data-state=ready]").waitFor({ timeout: 10_000 });
  await till.getByTestId("manual-code").fill(digits);
  await till.getByTestId("manual-submit").click();
  await till.locator("[data-testid=verdict][data-state=customer]").waitFor({ timeout: 5_000 });
  await till.getByTestId("amount").fill("12.50");
  await till.getByTestId("coupons").getByTestId("coupon").first().waitFor({ timeout: 5_000 });
  await till.keyboard.press("F6");
  assert.match(await till.getByTestId("coupon-total").innerText(), /−€1\.25 · to pay €11\.25/);
  await till.getByTestId("charge-card").click();
  await till.locator("[data-testid=verdict][data-state=waiting]").waitFor({ timeout: 5_000 });

  // --- The phone asks; the member approves. ---
  await phone.locator("[data-testid=confirm]:not([hidden])").waitFor({ timeout: 5_000 });
  assert.equal(await phone.getByTestId("confirm-title").innerText(), `Card Café asks €11.25 by card ending ${card.last4}`);
  assert.equal(await phone.getByTestId("confirm-coupon").innerText(), "Basket €12.50 · coupon Card week −€1.25");
  await shot(phone, "4-phone-confirm");
  await phone.getByTestId("confirm-pin").fill(PIN);
  await phone.getByTestId("confirm-approve").click();
  if (card.challenge) {
    // The bank's challenge on the phone; the register still waits for the customer meanwhile.
    const pass = phone.getByRole("button", { name: "Complete authentication" });
    await pass.waitFor({ timeout: 10_000 });
    assert.equal(await till.locator("[data-testid=verdict]").getAttribute("data-state"), "waiting");
    await shot(phone, "4b-phone-bank-challenge");
    await pass.click();
  }

  // --- Both screens show the same receipt, naming the card; points as for cash. ---
  await till.locator("[data-testid=verdict][data-state=concluded]").waitFor({ timeout: 10_000 });
  await phone.locator("[data-testid=receipt-view]:not([hidden])").waitFor({ timeout: 5_000 });
  const phoneText = await phone.locator("#receipt").innerText();
  assert.equal(await till.locator("#register-receipt").innerText(), phoneText);
  for (const expected of ["Card Café", "Coupon: Card week", "−€1.25", "€11.25", "Paid by card", `visa •••• ${card.last4}`, "+11"]) {
    assert.ok(phoneText.includes(expected), `the receipt shows ${expected}:\n${phoneText}`);
  }
  await shot(phone, "5-phone-receipt");
  await shot(till, "5-register-receipt");
}
