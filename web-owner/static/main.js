// Loads the Wasm console and starts it; everything else lives in Rust (web-owner/src).
import init, { start } from "./pkg/web_owner.js";

init()
  .then(() => start())
  .catch((error) => {
    const box = document.getElementById("error");
    if (box) {
      box.textContent = "This page could not start. Please reload. (" + error + ")";
      box.hidden = false;
    }
    document.getElementById("loading-view")?.setAttribute("hidden", "");
  });
