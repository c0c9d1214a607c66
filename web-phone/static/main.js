// Loads the Wasm page and starts it; everything else lives in Rust (web-phone/src).
import init, { start } from "./pkg/web_phone.js";
import { couldNotStart } from "./boot.js";

init()
  .then(() => start())
  .catch((error) => {
    const box = document.getElementById("error");
    if (box) {
      box.textContent = couldNotStart(error);
      box.hidden = false;
    }
    document.getElementById("loading-view")?.setAttribute("hidden", "");
  });

// The app shell, for opening the page without a network (sw.js lives beside index.html;
// without it the page works as before, it only needs the network to open).
navigator.serviceWorker?.register(new URL("sw.js", document.baseURI)).catch(() => {});
