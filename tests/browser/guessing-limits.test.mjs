// Guessing limits as the people at the counter meet them.
//
// A register that sent too many codes that were not valid is slowed down, and says so in words a
// cashier understands: never-issued codes sent by the till's token (as a guesser with a stolen
// register would) until it must wait four seconds, then a customer's real code typed at the till
// shows "Please wait"; once the delay is over the same code, typed again, shows the customer.
// Another register of the same shop is not slowed by it.
//
// An owner who typed too many pairing codes no register was waiting with is told to wait in the
// console; after the wait the right code pairs the register.
//
// Needs a running stack (TESSERA_BASE_URL, TESSERA_ADMIN_TOKEN), like loyalty-loop.test.mjs.
// Screenshots land in tests/browser/artifacts/ (prefix "guessing-limits-").

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ADMIN_TOKEN, BASE_URL, admin, launch, ownerConsole, shopWithRegister, uniqueShopId } from "./helpers.mjs";

const ARTIFACTS = path.join(path.dirname(fileURLToPath(import.meta.url)), "artifacts");
const PASSWORD = "correct horse battery";

/** The Damm table of `domain::check_digit`: a never-issued code must still pass the check digit. */
const DAMM = [
  [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
  [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
  [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
  [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
  [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
  [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
  [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
  [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
  [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
  [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
];

/** 25 random digits and their check digit: a well-formed code nobody issued. */
function neverIssuedCode() {
  let payload = "";
  for (let i = 0; i < 25; i++) payload += Math.floor(Math.random() * 10);
  const check = [...payload].reduce((state, digit) => DAMM[state][Number(digit)], 0);
  return payload + check;
}

/** A JSON POST, with the member's cookie or a register's token; the status and the JSON. */
async function post(pathname, body, { cookie, token } = {}) {
  const headers = { "Content-Type": "application/json" };
  if (cookie) headers.Cookie = cookie;
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(BASE_URL + pathname, { method: "POST", headers, body: JSON.stringify(body) });
  return { status: response.status, json: JSON.parse(await response.text()), response };
}

test("a register slowed after too many invalid codes says so, then serves the customer", { timeout: 120_000 }, async (t) => {
  if (!BASE_URL || !ADMIN_TOKEN) {
    t.skip("set TESSERA_BASE_URL and TESSERA_ADMIN_TOKEN to run against a stack");
    return;
  }
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "tessera-slowed-"));
  const shot = (page, name) => page.screenshot({ path: path.join(ARTIFACTS, `guessing-limits-${name}.png`), fullPage: true });

  const { shopId, register } = await shopWithRegister("e2e-slowed", "Slowed Café E2E");
  const neighbour = await admin("POST", `/api/admin/shops/${shopId}/registers`, { name: "Till 2" });
  const signedUp = await post("/api/members", { display_name: "Sam Slowed", password: PASSWORD });
  assert.equal(signedUp.status, 201);
  const cookie = signedUp.response.headers.getSetCookie()[0].split(";")[0];
  assert.equal((await post("/api/me/memberships", { shop_id: shopId, share_name: true }, { cookie })).status, 200);
  const digits = (await post("/api/me/codes", { shop_id: shopId }, { cookie })).json.code;

  const browser = await launch(path.join(work, "profile"));
  t.after(async () => {
    await browser.close();
    fs.rmSync(work, { recursive: true, force: true });
  });
  const till = await browser.newPage();
  await till.setViewportSize({ width: 1280, height: 800 });
  await till.goto(BASE_URL + register.register_path);
  const verdict = till.getByTestId("verdict");
  await till.locator("[data-testid=verdict][data-state=ready]").waitFor({ timeout: 10_000 });

  // --- Codes nobody issued, sent with Till 1's token (as a guesser with a stolen token would):
  // twenty are free, the 21st starts a delay of a second, the 22nd two, the 23rd four. ---
  let unknown = 0;
  while (unknown < 23) {
    const answer = await post("/api/register/resolve", { code: neverIssuedCode() }, { token: register.token });
    if (answer.status === 429) {
      assert.equal(answer.json.error, "too_many_attempts");
      assert.ok(unknown >= 21, `slowed after only ${unknown} unknown codes`);
      assert.equal(answer.response.headers.get("retry-after"), String(answer.json.retry_after_seconds));
      await new Promise((resolve) => setTimeout(resolve, answer.json.retry_after_seconds * 1_000));
      continue;
    }
    assert.equal(answer.status, 404, JSON.stringify(answer.json));
    assert.equal(answer.json.error, "unknown");
    unknown += 1;
  }

  // --- The customer's real code, typed at the slowed till: the cashier is told to wait. ---
  await till.getByTestId("manual-code").fill(digits);
  await till.getByTestId("manual-submit").click();
  await till.locator("[data-testid=verdict][data-error=too_many_attempts]").waitFor({ timeout: 5_000 });
  assert.equal(await till.getByTestId("verdict-title").innerText(), "Please wait");
  assert.match(
    await till.getByTestId("verdict-detail").innerText(),
    /^Too many codes scanned or typed here were not valid \(unknown, expired or used\)\. Wait [34] seconds, then scan or type the customer's code again\.$/,
  );
  await shot(till, "waiting");

  // --- The neighbouring till of the same shop is not slowed by it. ---
  const other = await post("/api/register/resolve", { code: neverIssuedCode() }, { token: neighbour.token });
  assert.equal(other.status, 404, "Till 2 has its own budget");

  // --- After the delay the same code, typed again, shows the customer. ---
  await new Promise((resolve) => setTimeout(resolve, 4_200));
  await till.getByTestId("manual-code").fill(digits);
  await till.getByTestId("manual-submit").click();
  await till.locator("[data-testid=verdict][data-state=customer]").waitFor({ timeout: 5_000 });
  assert.equal(await verdict.getAttribute("data-error"), "");
  await shot(till, "served");
});

/** A pairing code no register is waiting with: eight random characters of the pairing alphabet. */
function unknownPairingCode() {
  const alphabet = "23456789ABCDEFGHJKMNPQRSTVWXYZ";
  let code = "";
  for (let i = 0; i < 8; i++) code += alphabet[Math.floor(Math.random() * alphabet.length)];
  return code;
}

test("an owner who typed too many wrong pairing codes is asked to wait, then pairs", { timeout: 120_000 }, async (t) => {
  if (!BASE_URL || !ADMIN_TOKEN) {
    t.skip("set TESSERA_BASE_URL and TESSERA_ADMIN_TOKEN to run against a stack");
    return;
  }
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "tessera-pair-slowed-"));
  const shopId = uniqueShopId("e2e-pair-slowed");
  await admin("POST", "/api/admin/shops", { shop_id: shopId, name: "Pair Slowed Café E2E", currency: "EUR", points_per_unit: 1 });
  const browser = await launch(path.join(work, "profile"));
  t.after(async () => {
    await browser.close();
    fs.rmSync(work, { recursive: true, force: true });
  });
  const owner = await ownerConsole(browser, shopId);
  // An address of its own (as Cloudflare would report it), so other tests' pairings from this
  // machine neither slow this console down nor are slowed by it.
  const address = `10.${[1, 2, 3].map(() => Math.floor(Math.random() * 256)).join(".")}`;
  await owner.setExtraHTTPHeaders({ "cf-connecting-ip": address });
  await owner.getByTestId("tab-registers").click();
  await owner.getByTestId("pair-name").fill("Till 2");

  // --- Eleven codes no register shows: each refused; the owner's account is then slowed. ---
  const error = owner.getByTestId("error");
  for (let i = 0; i < 11; i++) {
    await owner.getByTestId("pair-code").fill(unknownPairingCode());
    await owner.getByTestId("pair-submit").click();
    await error.filter({ hasText: "no register is waiting with this code" }).waitFor({ timeout: 5_000 });
    await owner.evaluate(() => { document.getElementById("error").hidden = true; });
  }

  // --- The code a new register page really shows: the owner is told to wait, in plain words. ---
  const started = await fetch(BASE_URL + "/api/pairings", { method: "POST" });
  assert.equal(started.status, 201);
  const { code } = await started.json();
  await owner.getByTestId("pair-code").fill(code);
  await owner.getByTestId("pair-submit").click();
  await error.filter({ hasText: "Too many codes" }).waitFor({ timeout: 5_000 });
  assert.equal(
    await error.innerText(),
    "Too many codes typed here were not waiting to be paired. Wait 1 s, then type the code the register shows.",
  );
  await owner.screenshot({ path: path.join(ARTIFACTS, "guessing-limits-console.png"), fullPage: true });

  // --- A second later the same code pairs the register. ---
  await new Promise((resolve) => setTimeout(resolve, 1_100));
  await owner.getByTestId("pair-submit").click();
  await owner.getByTestId("notice").filter({ hasText: "Till 2 is paired" }).waitFor({ timeout: 10_000 });
});
