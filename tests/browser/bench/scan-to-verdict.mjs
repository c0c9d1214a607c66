// Scan → verdict at the register page, timed in the page itself (run by
// `cargo xtask bench-till`, which makes the shop, the codes and the webcam videos).
//
// Usage: node scan-to-verdict.mjs VIDEO.y4m   with TESSERA_BASE_URL and
// TESSERA_REGISTER_TOKEN set: one sample, printed as one JSON line (times in ms
// since navigation). A fresh Chromium whose fake webcam plays VIDEO.
// In the page: the first camera frame showing the phone (it carries a bright
// corner marker; no decoding needed to see it), the register's scan request
// (resource timing), and the moment the verdict turns to the customer. The
// reference, in the same pages: the page's own GET /api/health round trip.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { BASE_URL, launchWithWebcam } from "../helpers.mjs";

const TIMEOUT_MS = 30_000;

/** Runs in the page before its own scripts. */
function instrument() {
  const till = (window.__till = { markerAt: null, verdictAt: null, frames: 0 });
  const sample = document.createElement("canvas");
  sample.width = sample.height = 1;
  const context = sample.getContext("2d", { willReadFrequently: true });
  const look = (video, at) => {
    if (till.markerAt !== null || video.videoWidth === 0) return;
    till.frames += 1;
    context.drawImage(video, 4, 4, 8, 8, 0, 0, 1, 1);
    if (context.getImageData(0, 0, 1, 1).data[0] > 200) till.markerAt = at;
  };
  const watch = (video) => {
    if ("requestVideoFrameCallback" in video) {
      const onFrame = (now, frame) => {
        look(video, frame.captureTime ?? frame.presentationTime ?? now);
        if (till.markerAt === null) video.requestVideoFrameCallback(onFrame);
      };
      video.requestVideoFrameCallback(onFrame);
    } else {
      const poll = setInterval(() => (till.markerAt === null ? look(video, performance.now()) : clearInterval(poll)), 4);
    }
  };
  let watched = false;
  new MutationObserver(() => {
    const video = document.getElementById("camera");
    if (video && !watched) {
      watched = true;
      watch(video);
    }
    if (till.verdictAt === null && document.getElementById("verdict")?.dataset.state === "customer") {
      till.verdictAt = performance.now();
    }
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-state"] });
}

async function measure(video, token) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "tessera-bench-till-"));
  const browser = await launchWithWebcam(profile, video);
  try {
    const page = browser.pages()[0] ?? (await browser.newPage());
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.addInitScript(instrument);
    await page.goto(`${BASE_URL}/register/#token=${token}`, { waitUntil: "commit" });
    // A sample that never shows the customer is reported (verdictAt null, with
    // what the page said instead), not fatal to the run.
    await page
      .locator("[data-testid=verdict][data-state=customer]")
      .waitFor({ timeout: TIMEOUT_MS })
      .catch(() => {});
    return await page.evaluate(async () => {
      const till = window.__till;
      const scan = performance.getEntriesByType("resource").find((entry) => entry.name.includes("/api/register/scan"));
      const health = [];
      for (let i = 0; i < 5; i += 1) {
        const started = performance.now();
        await (await fetch("/api/health", { cache: "no-store" })).text();
        health.push(performance.now() - started);
      }
      health.sort((a, b) => a - b);
      return {
        markerAt: till.markerAt,
        verdictAt: till.verdictAt,
        scanStart: scan?.startTime ?? null,
        scanEnd: scan?.responseEnd ?? null,
        health: health[2],
        verdict: document.getElementById("verdict")?.innerText.trim().slice(0, 200) ?? null,
      };
    });
  } finally {
    await browser.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

const [video] = process.argv.slice(2);
const token = process.env.TESSERA_REGISTER_TOKEN;
if (!BASE_URL || !token || !video) {
  console.error("usage: TESSERA_BASE_URL=… TESSERA_REGISTER_TOKEN=… node scan-to-verdict.mjs VIDEO.y4m");
  process.exit(2);
}
console.log(JSON.stringify(await measure(video, token)));
