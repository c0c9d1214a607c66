// The phone's and the register's service worker (`cargo xtask build` puts it beside each
// page's index.html): keeps the app shell — this build's page, script, styles, Wasm, icons,
// and the register's decoder worker — so the page opens without a network (the register then
// takes offline codes, the phone shows its stored ones). It never answers for the API: the
// pages say plainly when the server is out of reach.
//
// `cargo xtask build` fills in VERSION and SHELL: every file but the page
// itself has a content-hashed path (./v/<hash>/…), so a new build is a new
// cache and the old one is dropped once the new worker takes over.

const VERSION = "__VERSION__";
const SHELL = __SHELL__;
// One cache per page and build: `tessera-phone-<hash>`, `tessera-register-<hash>`.
const PAGE_NAME = new URL(self.registration.scope).pathname.split("/").filter(Boolean).join("-");
const CACHE_PREFIX = `tessera-${PAGE_NAME}-`;
const CACHE = `${CACHE_PREFIX}${VERSION}`;
const PAGE = new URL("./", self.registration.scope).href;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(SHELL.map((path) => new URL(path, self.registration.scope).href)))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((name) => name.startsWith(CACHE_PREFIX) && name !== CACHE).map((name) => caches.delete(name))))
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
