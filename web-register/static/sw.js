// The register page's service worker: keeps the app shell (this build's page,
// script, styles, Wasm and the decoder worker) so the till opens without a network and
// takes offline codes (see offline_desk.rs). It never answers for the API: the
// register says plainly when the server is out of reach.
//
// `cargo xtask build` fills in VERSION and SHELL: every file but the page
// itself has a content-hashed path (./v/<hash>/…), so a new build is a new
// cache and the old one is dropped once the new worker takes over.

const VERSION = "__VERSION__";
const SHELL = __SHELL__;
const CACHE = `tessera-register-${VERSION}`;
const PAGE = new URL("./", self.registration.scope).href;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(SHELL.concat(["./decoder-worker.js"]).map((path) => new URL(path, self.registration.scope).href)))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((name) => name.startsWith("tessera-register-") && name !== CACHE).map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith("/api/")) return;
  if (request.mode === "navigate") {
    // The network first, so a new build is seen at once; the kept page when offline.
    event.respondWith(fetch(request).catch(() => caches.match(PAGE, { ignoreSearch: true })));
    return;
  }
  // Hashed files never change: the kept copy if there is one.
  event.respondWith(caches.match(request).then((kept) => kept || fetch(request)));
});
