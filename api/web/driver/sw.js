// The driver app's service worker: the app shell is cached at install and
// served from the cache first (the mountains have no signal), refreshed in
// the background when the network answers. The API is not cached here: the
// app keeps the day's manifest and its outbox in IndexedDB.
const CACHE = 'thugom-d-v1';
const SHELL = ['./', 'app.js', 'app.css', 'manifest.webmanifest', 'icon.svg'];

self.addEventListener('install', e => {
  e.waitUntil(caches.open(CACHE).then(c => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', e => {
  e.waitUntil(caches.keys()
    .then(keys => Promise.all(keys.filter(k => k !== CACHE).map(k => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener('fetch', e => {
  const url = new URL(e.request.url);
  if (e.request.method !== 'GET' || url.origin !== location.origin || !url.pathname.startsWith('/d/')) return;
  const key = e.request.mode === 'navigate' ? './' : e.request;
  e.respondWith(caches.open(CACHE).then(async c => {
    const hit = await c.match(key, {ignoreSearch: true});
    const net = fetch(e.request).then(r => {
      if (r.ok) c.put(key, r.clone());
      return r;
    });
    if (hit) {
      net.catch(() => {});
      e.waitUntil(net.then(() => {}, () => {}));
      return hit;
    }
    return net;
  }));
});
