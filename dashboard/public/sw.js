// suara's service worker, hand-written (a few dozen lines; no build plugin to keep in step with
// Vite): the operator's app opens and fills its forms with no network. The outbox (localStorage)
// sends the submissions later; this worker only serves what the app needs to start and to show a form.
//  - the app shell (index.html and the hashed assets it names): cached at install, cache first;
//  - the reads a form needs (who am I, the election, regions, a TPS's ballots, a result and its
//    history, open proposals): network first, the last answer when offline.
// Writes, photos, the queue and the live socket are never cached. Logging out empties the reads.
const SHELL = 'suara-shell-v1';
const READS = 'suara-reads-v1';
const CACHED_READS = /^\/api\/(me|election|regions\/[0-9.]+|tps\/[0-9.]+\/ballots|results\/[0-9.]+\/[A-Z_]+(\/history)?|proposals)$/;

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(SHELL);
    const res = await fetch('/', { cache: 'no-store' });
    const html = await res.clone().text();
    await cache.put('/', res);
    const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
    await cache.addAll(assets);
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) if (name !== SHELL && name !== READS) await caches.delete(name);
    await self.clients.claim();
  })());
});

self.addEventListener('message', (event) => {
  if (event.data === 'clear-reads') event.waitUntil(caches.delete(READS));
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== 'GET' || url.origin !== location.origin) return;
  if (req.mode === 'navigate') {
    event.respondWith(networkFirst(req, SHELL, '/'));
  } else if (url.pathname.startsWith('/assets/')) {
    event.respondWith(caches.match(req).then((hit) => hit ?? fetchAndKeep(req, SHELL, req)));
  } else if (CACHED_READS.test(url.pathname)) {
    event.respondWith(networkFirst(req, READS, req));
  }
});

async function fetchAndKeep(req, cacheName, key) {
  const res = await fetch(req);
  if (res.ok) await (await caches.open(cacheName)).put(key, res.clone());
  return res;
}

/** The network's answer (kept), or the last kept one when there is no network; otherwise the network error. */
async function networkFirst(req, cacheName, key) {
  try {
    return await fetchAndKeep(req, cacheName, key);
  } catch (err) {
    const hit = await caches.match(key, { ignoreSearch: false });
    if (hit) return hit;
    throw err;
  }
}
