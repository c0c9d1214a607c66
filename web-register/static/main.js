// Loads the Wasm page and starts it; everything else lives in Rust (web-register/src).
import "./offline-store.js";
import init, { start } from "./pkg/web_register.js";

init()
  .then(() => start())
  .catch((error) => {
    const message = document.getElementById("boot-message");
    if (message) message.textContent = "This page could not start. Please reload. (" + error + ")";
  });

// The app shell, so the till opens without a network (offline codes still work then).
navigator.serviceWorker?.register(new URL("sw.js", document.baseURI)).catch(() => {});
