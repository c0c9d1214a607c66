// Web Worker: decodes QR codes in camera frames off the page's thread.
// Out first: { ready: true } once the Wasm is loaded, or { fatal } if it cannot be.
// In: { width, height, buffer } (RGBA pixels, transferred). Out: { texts, ms, error? }.
// The page replaces this worker if a frame is not answered in time or fails.
import init, { scan_frame } from "./pkg/web_decoder.js";

const ready = init();
ready.then(
  () => self.postMessage({ ready: true }),
  (error) => self.postMessage({ fatal: String(error) }),
);

self.onmessage = async ({ data }) => {
  try {
    await ready;
  } catch {
    return; // { fatal } has been posted.
  }
  try {
    const started = performance.now();
    const texts = scan_frame(data.width, data.height, new Uint8Array(data.buffer));
    self.postMessage({ texts, ms: performance.now() - started });
  } catch (error) {
    self.postMessage({ texts: [], ms: 0, error: String(error) });
  }
};
