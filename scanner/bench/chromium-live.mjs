// Times the register's own decoder bundle (web-decoder: `scan_frame`, the live
// `Scanner` with its per-frame budget) in a Web Worker in headless Chromium, as
// the register calls it: one scanner kept across frames, each picture held in
// front of it for HOLD frames (a customer holding up a phone), pictures in turn.
//
// usage: node chromium-live.mjs DECODER_PKG_DIR FRAMES_DIR [HOLD]
//   DECODER_PKG_DIR holds web_decoder.js and web_decoder_bg.wasm (dist/register/v/*/pkg
//   after `cargo xtask build`); FRAMES_DIR raw RGBA frames named NN-WxH.rgba.
// Prints per frame size: p50 / p95 / p99 / max ms per frame, each p95 as a ratio of
// its target (10 ms at 640×480, 20 ms at 1280×720), and how many pictures were read
// on their first frame and within HOLD frames.
import path from "node:path";
import { frameNames, runInChromium } from "./headless.mjs";

const [pkgDir, framesDir, holdArg] = process.argv.slice(2);
const hold = Number(holdArg ?? 10);
const frames = frameNames(framesDir);
const TARGET_P95_MS = { "640x480": 10, "1280x720": 20 };

const page = `<!doctype html><script>
const worker = new Worker("/worker.js", { type: "module" });
window.result = new Promise((resolve) => { worker.onmessage = (e) => resolve(e.data); });
worker.postMessage(${JSON.stringify({ frames, hold })});
</script>`;
const workerJs = `
import init, { scan_frame } from "/pkg/web_decoder.js";
onmessage = (e) => run(e.data).catch((err) => postMessage({ error: String(err) }));
const run = async ({ frames, hold }) => {
  await init();
  const bySize = {};
  for (const name of frames) {
    const [w, h] = name.match(/(\\d+)x(\\d+)/).slice(1).map(Number);
    const rgba = new Uint8Array(await (await fetch("/frames/" + name)).arrayBuffer());
    const key = w + "x" + h;
    bySize[key] ??= { ms: [], pictures: 0, first: 0, within: 0 };
    const size = bySize[key];
    size.pictures += 1;
    let readAt = null;
    for (let frame = 0; frame < hold; frame++) {
      // The register transfers a fresh buffer per frame; so does this.
      const copy = rgba.slice();
      const started = performance.now();
      const texts = scan_frame(w, h, copy);
      size.ms.push(performance.now() - started);
      if (readAt === null && texts.length > 0) readAt = frame;
    }
    if (readAt === 0) size.first += 1;
    if (readAt !== null) size.within += 1;
  }
  postMessage(bySize);
};`;

const bySize = await runInChromium({
  page,
  workerJs,
  files: {
    "/pkg/web_decoder.js": ["text/javascript", path.join(pkgDir, "web_decoder.js")],
    "/pkg/web_decoder_bg.wasm": ["application/wasm", path.join(pkgDir, "web_decoder_bg.wasm")],
  },
  framesDir,
});
const at = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))];
for (const [size, s] of Object.entries(bySize)) {
  const sorted = [...s.ms].sort((a, b) => a - b);
  const p95 = at(sorted, 0.95);
  const target = TARGET_P95_MS[size];
  const ratio = target ? `, p95 ${(p95 / target).toFixed(2)}× the ${target} ms target` : "";
  console.log(
    `decoder ${size}: per frame p50 ${at(sorted, 0.5).toFixed(1)} / p95 ${p95.toFixed(1)} / p99 ${at(sorted, 0.99).toFixed(1)} / max ${sorted[sorted.length - 1].toFixed(1)} ms` +
      ` (${sorted.length} frames)${ratio}; read ${s.first}/${s.pictures} on the first frame, ${s.within}/${s.pictures} within ${hold}`,
  );
}
