// End to end: the till's camera controls, on a computer with two cameras (Chromium's
// fake devices). The picker appears once the camera runs and lists both; the cashier
// picks the second, which reads on and is remembered after a reload; Mirror flips the
// picture (only what the cashier sees) and is remembered too; Full screen puts the
// till full screen and takes it back. A camera remembered but since unplugged falls
// back to whichever camera there is.
//
// Needs a running stack (TESSERA_BASE_URL, TESSERA_ADMIN_TOKEN), like loyalty-loop.test.mjs.

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ADMIN_TOKEN, BASE_URL, launch, shopWithRegister, smallTapTargets } from "./helpers.mjs";

test("the cashier picks the camera, mirrors it and goes full screen, and the till remembers", { timeout: 120_000 }, async (t) => {
  if (!BASE_URL || !ADMIN_TOKEN) {
    t.skip("set TESSERA_BASE_URL and TESSERA_ADMIN_TOKEN to run against a stack");
    return;
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "tessera-camera-"));
  const { register } = await shopWithRegister("e2e-camera", "Two Cameras E2E");
  const browser = await launch(path.join(work, "profile"), [
    "--use-fake-device-for-media-stream=device-count=2",
    "--use-fake-ui-for-media-stream",
  ]);
  t.after(async () => {
    await browser.close();
    fs.rmSync(work, { recursive: true, force: true });
  });
  const till = await browser.newPage();
  await till.setViewportSize({ width: 1280, height: 800 });
  const status = till.getByTestId("scanner-status");
  const framesRead = async () => Number((await status.getAttribute("data-frames")) || 0);
  /** Frames keep being read (the camera picture reaches the decoder). */
  const reading = async () => {
    const before = await framesRead();
    await till.waitForFunction(
      (n) => Number(document.getElementById("scanner-status")?.dataset.frames || 0) > n + 2,
      before,
      { timeout: 15_000 },
    );
  };

  await till.goto(BASE_URL + register.register_path);
  await till.locator("#camera-choice-field:not([hidden])").waitFor({ timeout: 15_000 });
  const choices = await till.getByTestId("camera-choice").locator("option").evaluateAll((options) =>
    options.map((option) => ({ value: option.value, label: option.textContent })),
  );
  assert.equal(choices.length, 2, `two cameras offered: ${JSON.stringify(choices)}`);
  assert.ok(choices.every((choice) => choice.value && choice.label), "each camera has an id and a name");
  await reading();

  // The second camera: it reads, and stays chosen after a reload.
  await till.getByTestId("camera-choice").selectOption(choices[1].value);
  await till.waitForFunction(() => document.getElementById("scanner-status")?.dataset.camera === "on");
  await reading();
  const track = () =>
    till.evaluate(() => document.getElementById("camera").srcObject?.getVideoTracks()[0]?.getSettings().deviceId);
  assert.equal(await track(), choices[1].value, "the picture comes from the chosen camera");

  // Mirror: the picture flips, the decoder does not care, and it is remembered.
  assert.equal(await till.getByTestId("camera-mirror").getAttribute("aria-pressed"), "false");
  await till.getByTestId("camera-mirror").click();
  assert.equal(await till.getByTestId("camera-mirror").getAttribute("aria-pressed"), "true");
  const transform = await till.getByTestId("camera").evaluate((video) => getComputedStyle(video).transform);
  assert.match(transform, /^matrix\(-1, 0, 0, 1,/, `the picture is mirrored: ${transform}`);

  await till.reload();
  await till.locator("#camera-choice-field:not([hidden])").waitFor({ timeout: 15_000 });
  await reading();
  assert.equal(await till.getByTestId("camera-choice").inputValue(), choices[1].value, "the choice is remembered");
  assert.equal(await track(), choices[1].value);
  assert.equal(await till.getByTestId("camera-mirror").getAttribute("aria-pressed"), "true", "so is the mirror");

  // Full screen and back.
  await till.getByTestId("camera-fullscreen").click();
  // The button follows the page's fullscreenchange event, which fires after
  // document.fullscreenElement changes: wait for the button, not the document.
  await till.waitForFunction(() => document.fullscreenElement !== null, null, { timeout: 5_000 });
  await till.locator('[data-testid="camera-fullscreen"][aria-pressed="true"]').waitFor({ timeout: 5_000 });
  await till.getByTestId("camera-fullscreen").click();
  await till.waitForFunction(() => document.fullscreenElement === null, null, { timeout: 5_000 });
  await till.locator('[data-testid="camera-fullscreen"][aria-pressed="false"]').waitFor({ timeout: 5_000 });
  assert.equal(await till.getByTestId("camera-fullscreen").innerText(), "Full screen");
  assert.deepEqual(await smallTapTargets(till), [], "the camera controls are big enough to tap");

  // A remembered camera that is gone: the till takes the one there is.
  await till.evaluate(() => localStorage.setItem("tessera.register.camera", "unplugged-camera"));
  await till.reload();
  await reading();
  assert.equal(await till.evaluate(() => localStorage.getItem("tessera.register.camera")), null);
  assert.equal(await status.getAttribute("data-camera"), "on");
});
