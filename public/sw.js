// Offline support: after the first visit the app (HTML, scripts, workers,
// WASM, the sample image) is served from this cache when the network is
// gone, so a static host is only needed once. Same-origin GETs only: image
// bytes never pass through here (dropped files are never fetched), and
// registry or proxy traffic goes to other origins or paths and is left alone.
const cacheName = 'tarsier-v1';
const scope = new URL(self.registration.scope);

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(cacheName)
      .then((cache) => cache.addAll([scope.href, new URL('index.html', scope).href]))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((name) => name !== cacheName).map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

// Network first, so a new deployment is picked up at once; the cache answers offline.
self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  const ours =
    event.request.method === 'GET' &&
    url.origin === scope.origin &&
    url.pathname.startsWith(scope.pathname) &&
    !url.pathname.includes('/registry-proxy/');
  if (!ours) return;
  event.respondWith(
    fetch(event.request)
      .then((response) => {
        if (response.ok && response.type === 'basic') {
          const copy = response.clone();
          event.waitUntil(caches.open(cacheName).then((cache) => cache.put(event.request, copy)));
        }
        return response;
      })
      .catch(() =>
        caches
          .match(event.request, { ignoreSearch: true })
          .then((cached) => cached ?? caches.match(new URL('index.html', scope).href))
          .then((cached) => cached ?? Response.error()),
      ),
  );
});
