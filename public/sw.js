// Offline support: the service worker keeps every file of the build (HTML,
// scripts, workers, WASM, icons, the sample image) in a cache named after the
// build, filled when it installs on the first visit, so a static host is only
// needed once. Same-origin GETs only: image bytes never pass through here
// (dropped files are never fetched), and registry or proxy traffic is not a
// file of the build, so it goes to the network untouched.

// Written by the build (vite.config.ts, offlinePrecache): the build's files and a hash of their bytes.
const build = { version: 'dev', files: [] };

const cachePrefix = 'tarsier-';
const cacheName = `${cachePrefix}${build.version}`;
const scope = new URL(self.registration.scope);
const indexUrl = new URL('index.html', scope).href;
const buildFiles = new Set(build.files.map((file) => new URL(file, scope).href));

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(cacheName)
      // 'reload': the server's copy, never a stale one from the HTTP cache.
      .then((cache) => cache.addAll([...buildFiles].map((url) => new Request(url, { cache: 'reload' }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => names.filter((name) => name.startsWith(cachePrefix) && name !== cacheName))
      .then((stale) => Promise.all(stale.map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== scope.origin || !url.pathname.startsWith(scope.pathname)) return;
  // The page itself: network first, so a new deployment shows at once; offline, the cached one.
  if (request.mode === 'navigate') {
    event.respondWith(
      fetch(request).catch(() =>
        caches
          .open(cacheName)
          .then((cache) => cache.match(indexUrl))
          .then((cached) => cached ?? Response.error()),
      ),
    );
    return;
  }
  url.search = '';
  url.hash = '';
  // Files of this build never change under their name within it: the cache answers first.
  if (!buildFiles.has(url.href)) return;
  event.respondWith(
    caches
      .open(cacheName)
      .then((cache) => cache.match(url.href))
      .then((cached) => cached ?? fetch(request)),
  );
});
