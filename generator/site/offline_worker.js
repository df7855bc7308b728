// The playbook's service worker. rolebook writes it as sw.js at the site's root at the end of a build
// (generator/site/offline.py), with VERSION and FILES above this line: FILES are the site's own files as
// URLs relative to the site's root, VERSION a hash of their bytes. The site opens with the network gone
// after one visit; a build that changes any of them gives a new worker, which takes over on the next
// visit online. Caches are named after the worker's scope, so playbooks sharing an origin keep apart.

const SCOPE = self.registration.scope;
const PREFIX = "rolebook " + SCOPE + " ";
const CACHE = PREFIX + VERSION;
const PRECACHED = new Set(FILES.map((file) => new URL(file, SCOPE).href));
const NOT_FOUND = new URL("404.html", SCOPE).href; // the site's own "not found" page, when it has one

// The cache key of a URL: no query (Material's search adds ?h=) or fragment; a folder's index.html is the
// folder, as links write it (roles/x/ and roles/x/index.html are one page).
function keyOf(address) {
  const url = new URL(address);
  url.search = "";
  url.hash = "";
  if (url.pathname.endsWith("/index.html")) url.pathname = url.pathname.slice(0, -"index.html".length);
  return url.href;
}

// A response a navigation may be answered with: one that followed a redirect is copied without it.
async function storable(response) {
  if (!response.redirected) return response;
  const { status, statusText, headers } = response;
  return new Response(await response.blob(), { status, statusText, headers });
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      await Promise.all(
        [...PRECACHED].map(async (url) => {
          const response = await fetch(url, { cache: "no-cache" }); // not an older copy from the HTTP cache
          // all or nothing: a file missing leaves the previous worker and its copy in charge
          if (!response.ok) throw new Error(`${url}: ${response.status}`);
          await cache.put(url, await storable(response));
        }),
      );
      await self.skipWaiting(); // every file is in place: take over from the previous version at once
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

async function fromCache(key, request) {
  const cached = await caches.match(key, { cacheName: CACHE });
  return cached || fetch(request); // gone from the cache (the browser may evict it): ask the network
}

async function fromNetwork(event) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(event.request);
    if (response.status === 200 && response.type === "basic") {
      event.waitUntil(cache.put(event.request, response.clone()).catch(() => undefined));
    }
    return response;
  } catch (error) {
    const cached = await cache.match(event.request, { ignoreSearch: true });
    if (cached) return cached;
    // a page that was never kept, opened with the network gone: the site's 404 page, not the browser's
    const missing = event.request.mode === "navigate" && PRECACHED.has(NOT_FOUND) && (await cache.match(NOT_FOUND));
    if (missing) {
      return new Response(await missing.blob(), { status: 404, statusText: "Not Found", headers: missing.headers });
    }
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || !request.url.startsWith(SCOPE)) return; // another site's: not ours
  const key = keyOf(request.url);
  if (PRECACHED.has(key)) {
    event.respondWith(fromCache(key, request));
  } else if (request.mode === "navigate" && PRECACHED.has(key + "/")) {
    event.respondWith(Response.redirect(key + "/", 301)); // roles/x typed without its slash
  } else {
    event.respondWith(fromNetwork(event));
  }
});
