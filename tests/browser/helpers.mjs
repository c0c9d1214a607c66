// Shared by the browser tests: the stack's address, admin calls, Chromium, the fake webcam.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { chromium } from "playwright-core";

export const BASE_URL = (process.env.TESSERA_BASE_URL || "").replace(/\/$/, "");
export const ADMIN_TOKEN = process.env.TESSERA_ADMIN_TOKEN || "";
const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

// Flags that work as root and fully offline (see xtask/README.md).
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
];

/** An API call with a bearer token; asserts the status and returns the JSON. */
export async function call(method, pathname, token, body, status) {
  const response = await fetch(BASE_URL + pathname, {
    method,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  assert.equal(response.status, status, `${method} ${pathname} answered ${response.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}

export const admin = (method, pathname, body, status = 201) => call(method, pathname, ADMIN_TOKEN, body, status);

/**
 * The stack's address on `localhost` instead of `127.0.0.1`: WebAuthn refuses an IP address as
 * the relying party, so pages that use passkeys are opened here.
 */
export const LOCALHOST_URL = BASE_URL.replace("//127.0.0.1", "//localhost");

/** A fresh Chromium with its own empty profile that also reaches `localhost` (for passkeys). */
export function launchOnLocalhost(userDataDir) {
  return launch(userDataDir, ["--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost"]);
}

/**
 * A virtual authenticator (CTAP2, internal, resident keys, user verified) for `page`, through
 * the DevTools protocol: `navigator.credentials` on that page then makes and uses passkeys.
 */
export async function virtualAuthenticator(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
    },
  });
  return {
    credentials: async () => (await cdp.send("WebAuthn.getCredentials", { authenticatorId })).credentials,
  };
}

/**
 * A fresh Chromium with its own empty profile; `contextOptions` go to Playwright's context
 * (e.g. `{ locale: "ja-JP" }`: `navigator.languages` and `Accept-Language`).
 */
export function launch(userDataDir, extraArgs = [], contextOptions = {}) {
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS, ...extraArgs],
    viewport: null,
    ...contextOptions,
  });
}

/** A Chromium whose webcam shows `y4m`. */
export function launchWithWebcam(userDataDir, y4m) {
  return launch(userDataDir, [
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    `--use-file-for-fake-video-capture=${y4m}`,
  ]);
}

/** Puts the phone's QR on a dark 640×480 "phone held up to the webcam" frame, as y4m. */
export function webcamVideoOf(qrPng, y4mPath) {
  execFileSync("ffmpeg", [
    "-loglevel", "error", "-y",
    "-f", "lavfi", "-i", "color=c=0x1b1f24:s=640x480:r=30",
    "-loop", "1", "-i", qrPng,
    "-filter_complex", "[1:v]scale=300:300:flags=neighbor[qr];[0:v][qr]overlay=(W-w)/2:(H-h)/2,format=yuv420p",
    "-frames:v", "10", "-r", "30",
    "-f", "yuv4mpegpipe", y4mPath,
  ]);
}

/**
 * The same phone held up only after `darkSeconds` of an empty frame, for `codeSeconds`;
 * the fake webcam loops it, so the code leaves the view and comes back.
 */
export function webcamVideoLater(qrPng, y4mPath, { darkSeconds, codeSeconds, fps = 5 }) {
  execFileSync("ffmpeg", [
    "-loglevel", "error", "-y",
    "-f", "lavfi", "-i", `color=c=0x1b1f24:s=640x480:r=${fps}`,
    "-loop", "1", "-i", qrPng,
    "-filter_complex",
    `[1:v]scale=300:300:flags=neighbor[qr];[0:v][qr]overlay=(W-w)/2:(H-h)/2:enable='gte(t,${darkSeconds})',format=yuv420p`,
    "-frames:v", String((darkSeconds + codeSeconds) * fps), "-r", String(fps),
    "-f", "yuv4mpegpipe", y4mPath,
  ]);
}

export function uniqueShopId(prefix) {
  return `${prefix}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
}

/** A fresh shop (EUR, 1 point per EUR) with its products and one register, through the admin API. */
export async function shopWithRegister(prefix, name, { products = [], till = "Till 1" } = {}) {
  const shopId = uniqueShopId(prefix);
  await admin("POST", "/api/admin/shops", { shop_id: shopId, name, currency: "EUR", points_per_unit: 1 });
  if (products.length > 0) {
    await admin("PUT", `/api/admin/shops/${shopId}/products`, { products }, 200);
  }
  const register = await admin("POST", `/api/admin/shops/${shopId}/registers`, { name: till });
  return { shopId, register };
}

/**
 * A new owner of `shopId` in the console, in a page of `browser` of the given size: the
 * operator's invite accepted with a fresh e-mail address, the shop opened on its settings.
 */
export async function ownerConsole(browser, shopId, viewport = { width: 1280, height: 800 }, baseUrl = BASE_URL) {
  const invite = await admin("POST", `/api/owner/shops/${shopId}/invites`, undefined, 201);
  const owner = await browser.newPage();
  await owner.setViewportSize(viewport);
  await openPage(owner, baseUrl + invite.invite_path);
  await owner.locator("#invite-view:not([hidden])").waitFor({ timeout: 10_000 });
  await owner.getByTestId("invite-email").fill(`owner-${uniqueShopId("x")}@example.org`);
  await owner.getByTestId("invite-password").fill("correct horse battery");
  await owner.getByTestId("invite-submit").click();
  await owner.locator("#shops-view:not([hidden])").waitFor({ timeout: 10_000 });
  await owner.locator(`[data-shop-id="${shopId}"]`).click();
  await owner.locator("#shop-view:not([hidden])").waitFor();
  await owner.locator("#settings-panel:not([hidden])").waitFor();
  return owner;
}

/**
 * Opens `url` in `page`. Should the load not finish in 30 s, the requests still open are printed
 * (with the local stack's log, this names what hung) and the page is opened once more: a real
 * customer would reload, and a hang the second time fails the test as before.
 */
export async function openPage(page, url) {
  const open = new Set();
  const started = (request) => open.add(request);
  const ended = (request) => open.delete(request);
  page.on("request", started);
  page.on("requestfinished", ended);
  page.on("requestfailed", ended);
  try {
    return await page.goto(url, { timeout: 30_000 });
  } catch (error) {
    if (!String(error).includes("Timeout")) throw error;
    const pending = [...open].map((request) => `${request.method()} ${request.url()}`);
    console.error(`loading ${url} did not finish in 30 s; still open: ${pending.join(", ") || "none"}; opening it again`);
    return await page.goto(url, { timeout: 30_000 });
  } finally {
    page.off("request", started);
    page.off("requestfinished", ended);
    page.off("requestfailed", ended);
  }
}

/** The phone page in a phone-sized (390×844) page of `browser`, in the given colour scheme. */
export async function phonePage(browser, colorScheme = "light", baseUrl = BASE_URL) {
  const phone = await browser.newPage();
  await phone.setViewportSize({ width: 390, height: 844 });
  await phone.emulateMedia({ colorScheme });
  await openPage(phone, `${baseUrl}/phone/`);
  return phone;
}

/**
 * A new member on the phone page of `browser`: signed up as `name`, joined shop `shopId`,
 * showing a code. Returns the page, the shop's card and the code's digits.
 */
export async function memberShowingCode(browser, shopId, name, password) {
  const phone = await phonePage(browser);
  await phone.getByTestId("sign-up-name").fill(name);
  await phone.getByTestId("sign-up-password").fill(password);
  await phone.getByTestId("sign-up-submit").click();
  await phone.getByTestId("new-member-number").waitFor();
  await phone.locator(`[data-testid=joinable-shop][data-shop-id="${shopId}"]`).getByTestId("join-shop").click();
  const membership = phone.locator(`[data-testid=membership][data-shop-id="${shopId}"]`);
  await membership.waitFor();
  await membership.getByTestId("show-code").click();
  await phone.locator("[data-testid=qr][data-state=ready] svg").waitFor();
  const digits = (await phone.getByTestId("code-digits").innerText()).replace(/\s/g, "");
  return { phone, membership, digits };
}

/** A PNG's grey levels (0 black … 255 white), row by row, decoded by ffmpeg. */
function greyPixels(png) {
  const bytes = fs.readFileSync(png);
  // PNG: the IHDR chunk, first after the 8-byte signature, holds width and height.
  const width = bytes.readUInt32BE(16);
  const height = bytes.readUInt32BE(20);
  const grey = execFileSync("ffmpeg", ["-loglevel", "error", "-i", png, "-f", "rawvideo", "-pix_fmt", "gray", "-"], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return { width, height, at: (x, y) => grey[Math.round(y) * width + Math.round(x)] };
}

/**
 * Grey levels sampled from `qrPng` (a screenshot of the phone's `[data-testid=qr]`) at
 * the centres of known modules of the symbol: the card's edge, the quiet zone, the
 * top-left finder pattern's outer ring, its light ring and its centre.
 */
export async function qrSamples(phone, qrPng) {
  const box = await phone.getByTestId("qr").boundingBox();
  const svg = await phone.locator("[data-testid=qr] svg").boundingBox();
  const { width, at } = greyPixels(qrPng);
  const scale = width / box.width;
  // 21 modules and a 4-module quiet zone: the viewBox is 29 modules wide.
  const module = svg.width / 29;
  const atModule = (column, row) =>
    at((svg.x - box.x + (column + 0.5) * module) * scale, (svg.y - box.y + (row + 0.5) * module) * scale);
  return {
    cardEdge: at(2 * scale, (box.height / 2) * scale),
    quietZone: atModule(1, 1),
    finderRing: atModule(4, 4),
    finderGap: atModule(5, 5),
    finderCentre: atModule(7, 7),
  };
}

/** The smallest comfortable tap target, in CSS pixels. */
export const MIN_TAP_PX = 44;

/**
 * Visible controls smaller than `MIN_TAP_PX` either way, described for the assertion's
 * message; a checkbox counts by the label around it, which takes its taps.
 */
export function smallTapTargets(page) {
  return page.evaluate((min) => {
    const small = [];
    for (const control of document.querySelectorAll("button, input, select, textarea, a[href]")) {
      const target = control.type === "checkbox" ? control.closest("label") ?? control : control;
      const box = target.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue; // not on screen
      // Half a pixel of rounding is not a smaller finger.
      if (box.width + 0.5 < min || box.height + 0.5 < min) {
        const name = control.dataset.testid || control.id || control.textContent.trim();
        small.push(`${control.tagName.toLowerCase()} ${name}: ${box.width.toFixed(1)}×${box.height.toFixed(1)}`);
      }
    }
    return small;
  }, MIN_TAP_PX);
}

const AXE_SOURCE = fs.readFileSync(new URL("../../node_modules/axe-core/axe.min.js", import.meta.url), "utf8");

/**
 * axe-core's WCAG 2.1 A/AA violations on `page` as it is now, one line each
 * ("rule: what is wrong — the elements"). Loaded through the DevTools protocol,
 * which the pages' Content-Security-Policy does not govern.
 */
export async function axeViolations(page) {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const result = await globalThis.axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    });
    return result.violations.map((v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  });
  return violations;
}
