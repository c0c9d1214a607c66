// What both Chromium benchmarks share: a local server for a page, its worker
// script, a few files and the frames, and headless Chromium to open it; the
// page's `window.result` (what its worker posted) is the answer.
import http from "node:http";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";

const require = createRequire(new URL("../../package.json", import.meta.url));
const { chromium } = require("playwright-core");

/// The frames in `dir` (raw RGBA, named NN-WxH.rgba), in order.
export function frameNames(dir) {
  return fs.readdirSync(dir).filter((f) => f.endsWith(".rgba")).sort();
}

/// Serves `page` at `/`, `workerJs` at `/worker.js`, each of `files` (URL path → [type, file
/// path]) and the frames of `framesDir` under `/frames/`; opens it in headless Chromium and
/// returns `window.result`. Throws the worker's `{ error }` if it posted one.
export async function runInChromium({ page, workerJs, files, framesDir }) {
  const frames = frameNames(framesDir);
  const server = http.createServer((req, res) => {
    const send = (type, body) => { res.writeHead(200, { "content-type": type }); res.end(body); };
    if (req.url === "/") return send("text/html", page);
    if (req.url === "/worker.js") return send("text/javascript", workerJs);
    const file = files[req.url];
    if (file) return send(file[0], fs.readFileSync(file[1]));
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
    const result = await tab.evaluate(() => window.result);
    if (result.error) throw new Error("worker: " + result.error);
    return result;
  } finally {
    await browser.close();
    server.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
}
