// Loads the Wasm page and starts it; everything else lives in Rust (web-register/src).
import "./offline-store.js";
import init, { start } from "./pkg/web_register.js";
import { couldNotStart } from "./boot.js";

// A paired register (a token in the address or kept from before) starts its camera and its
// decoder while the page's Wasm loads, since both take longer than it; the camera reader
// (web-shared/src/camera_reader.rs) adopts them. The camera asked for is the one the page
// would ask for (same keys and constraints as web-register/src/camera.rs and the reader's
// ANY_CAMERA). A page still to be paired starts neither.
function startEarly() {
  let storage = null;
  try {
    storage = window.localStorage;
  } catch {
    // No storage: nothing was kept.
  }
  const paired = /(^|[#&])token=[^&]/.test(location.hash) || Boolean(storage?.getItem("tessera.register_token"));
  if (!paired) return;
  const early = (window.tesseraEarly = { decoder: null, ready: false, fatal: null, camera: null, device: null });
  try {
    early.decoder = new Worker(new URL("decoder-worker.js", document.baseURI), { type: "module" });
    early.decoder.addEventListener("message", ({ data }) => {
      if (data?.ready === true) early.ready = true;
      if (data?.fatal !== undefined) early.fatal = String(data.fatal);
    });
    early.decoder.addEventListener("error", () => (early.fatal = "the decoder could not load"));
  } catch {
    early.decoder = null;
  }
  const device = storage?.getItem("tessera.register.camera") || null;
  const video = { width: { ideal: 1280 }, height: { ideal: 720 } };
  if (device) video.deviceId = { exact: device };
  else video.facingMode = { ideal: "environment" };
  if (navigator.mediaDevices?.getUserMedia) {
    early.device = device;
    early.camera = navigator.mediaDevices.getUserMedia({ video, audio: false });
    // Handled where it is adopted; never an unhandled rejection here.
    early.camera.catch(() => {});
  }
}
startEarly();

init()
  .then(() => start())
  .catch((error) => {
    const message = document.getElementById("boot-message");
    if (message) message.textContent = couldNotStart(error);
  });

// The app shell, so the till opens without a network (offline codes still work then).
navigator.serviceWorker?.register(new URL("sw.js", document.baseURI)).catch(() => {});
