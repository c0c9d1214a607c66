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
import http from "node:http";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";

const require = createRequire(path.resolve(process.argv[1], "../../../package.json"));
const { chromium } = require("playwright-core");
const [pkgDir, framesDir, holdArg] = process.argv.slice(2);
const hold = Number(holdArg ?? 10);
const frames = fs.readdirSync(framesDir).filter((f) => f.endsWith(".rgba")).sort();
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

const server = http.createServer((req, res) => {
  const send = (type, body) => { res.writeHead(200, { "content-type": type }); res.end(body); };
  if (req.url === "/") return send("text/html", page);
  if (req.url === "/worker.js") return send("text/javascript", workerJs);
  if (req.url === "/pkg/web_decoder.js") return send("text/javascript", fs.readFileSync(path.join(pkgDir, "web_decoder.js")));
  if (req.url === "/pkg/web_decoder_bg.wasm") return send("application/wasm", fs.readFileSync(path.join(pkgDir, "web_decoder_bg.wasm")));
  if (req.url.startsWith("/frames/")) {
    const name = path.basename(decodeURIComponent(req.url));
    if (frames.includes(name)) return send("application/octet-stream", fs.readFileSync(path.join(framesDir, name)));
  }
  res.writeHead(404); res.end();
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const port = server.address().port;
const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "scanner-live-bench-"));
const browser = await chromium.launchPersistentContext(userDataDir, {
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'],
});
try {
  const tab = await browser.newPage();
  tab.on("console", (m) => console.error("page:", m.text()));
  tab.on("crash", () => console.error("page crashed"));
  await tab.goto(`http://127.0.0.1:${port}/`);
  const bySize = await tab.evaluate(() => window.result);
  if (bySize.error) throw new Error("worker: " + bySize.error);
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
} finally {
  await browser.close();
  server.close();
}
