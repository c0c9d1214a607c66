// Times the scanner's wasm inside a Web Worker in headless Chromium.
// usage: node chromium.mjs PROBE.wasm FRAMES_DIR
// Prints "wasm WxH: cheap pass p50 X ms, scan_rgba p50 Y ms (N runs)" per frame size.
import { frameNames, runInChromium } from "./headless.mjs";

const [wasmPath, framesDir] = process.argv.slice(2);
const frames = frameNames(framesDir);

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

const bySize = await runInChromium({ page, workerJs, files: { "/probe.wasm": ["application/wasm", wasmPath] }, framesDir });
const p50 = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
for (const [size, t] of Object.entries(bySize)) {
  console.log(`wasm ${size}: cheap pass p50 ${p50(t.cheap).toFixed(2)} ms, scan_rgba p50 ${p50(t.scan).toFixed(2)} ms (${t.cheap.length} runs)`);
}
