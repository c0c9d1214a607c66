// Web Worker: decodes QR codes in camera frames off the page's thread.
// In: { width, height, buffer } (RGBA pixels, transferred). Out: { texts, ms, error? }.
import init, { scan_frame } from "./pkg/web_register.js";

const ready = init();

self.onmessage = async ({ data }) => {
  try {
    await ready;
    const started = performance.now();
    const texts = scan_frame(data.width, data.height, new Uint8Array(data.buffer));
    self.postMessage({ texts, ms: performance.now() - started });
  } catch (error) {
    self.postMessage({ texts: [], ms: 0, error: String(error) });
  }
};
