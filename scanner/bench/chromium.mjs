// Times the scanner's wasm inside a Web Worker in headless Chromium.
// usage: node chromium.mjs PROBE.wasm FRAMES_DIR
// Prints "wasm WxH: cheap pass p50 X ms, scan_rgba p50 Y ms (N runs)" per frame size.
import http from "node:http";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";

const require = createRequire(path.resolve(process.argv[1], "../../../package.json"));
const { chromium } = require("playwright-core");
const [wasmPath, framesDir] = process.argv.slice(2);
const frames = fs.readdirSync(framesDir).filter((f) => f.endsWith(".rgba")).sort();

const page = `<!doctype html><script>
const worker = new Worker("/worker.js");
window.result = new Promise((resolve) => { worker.onmessage = (e) => resolve(e.data); });
worker.postMessage(${JSON.stringify(frames)});
</script>`;
const workerJs = `
onmessage = (e) => run(e).catch((err) => postMessage({ error: String(err) }));
const run = async (e) => {
  const { instance } = await WebAssembly.instantiateStreaming(fetch("/probe.wasm"), {});
  const x = instance.exports;
  // Reserve first: growing the wasm memory detaches any earlier view of it.
  const write = (rgba) => { const at = x.frame_buffer(rgba.length); new Uint8Array(x.memory.buffer, at, rgba.length).set(rgba); };
  const bySize = {};
  for (const name of e.data) {
    const [w, h] = name.match(/(\\d+)x(\\d+)/).slice(1).map(Number);
    const rgba = new Uint8Array(await (await fetch("/frames/" + name)).arrayBuffer());
    const key = w + "x" + h;
    bySize[key] ??= { cheap: [], scan: [] };
    for (let i = 0; i < 5; i++) {
      write(rgba);
      let t = performance.now();
      x.scan_cheap(w, h);
      bySize[key].cheap.push(performance.now() - t);
      write(rgba);
      t = performance.now();
      x.scan_default(w, h);
      bySize[key].scan.push(performance.now() - t);
    }
  }
  postMessage(bySize);
};`;

const server = http.createServer((req, res) => {
  const send = (type, body) => { res.writeHead(200, { "content-type": type }); res.end(body); };
  if (req.url === "/") return send("text/html", page);
  if (req.url === "/worker.js") return send("text/javascript", workerJs);
  if (req.url === "/probe.wasm") return send("application/wasm", fs.readFileSync(wasmPath));
  if (req.url.startsWith("/frames/")) {
    const name = path.basename(decodeURIComponent(req.url));
    if (frames.includes(name)) return send("application/octet-stream", fs.readFileSync(path.join(framesDir, name)));
  }
  res.writeHead(404); res.end();
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const port = server.address().port;
const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "scanner-bench-"));
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
  const p50 = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
  for (const [size, t] of Object.entries(bySize)) {
    console.log(`wasm ${size}: cheap pass p50 ${p50(t.cheap).toFixed(2)} ms, scan_rgba p50 ${p50(t.scan).toFixed(2)} ms (${t.cheap.length} runs)`);
  }
} finally {
  await browser.close();
  server.close();
  fs.rmSync(userDataDir, { recursive: true, force: true });
}
