// @ts-check
/// <reference lib="webworker" />
/**
 * The demo's service worker. Two jobs:
 *
 * 1. **Offline.** The app shell, the engine's worker and both .wasm builds are precached at
 *    install (workbox-precaching; the list and revisions are injected at build time by
 *    workbox-webpack-plugin), so after one visit the app loads and makes videos with no network.
 * 2. **Threads on hosts that cannot set headers** (the coi-serviceworker technique). Threads need
 *    a cross-origin isolated page, i.e. `Cross-Origin-Opener-Policy: same-origin` and
 *    `Cross-Origin-Embedder-Policy: require-corp` on the page. Every same-origin response this
 *    worker hands out carries them, so after one reload (offline.js does it once) the page is
 *    isolated even when the server sends neither. Only same-origin resources are ever requested
 *    (the CSP forbids anything else), so `require-corp` blocks nothing.
 */
import { addPlugins, cleanupOutdatedCaches, precacheAndRoute } from 'workbox-precaching';
import { registerRoute } from 'workbox-routing';
import { NetworkOnly } from 'workbox-strategies';

const sw = /** @type {ServiceWorkerGlobalScope} */ (/** @type {unknown} */ (self));

/** @param {Response} response */
function withIsolation(response) {
  // Opaque and error responses cannot be rebuilt; same-origin ones always can.
  if (response.type === 'opaque' || response.type === 'opaqueredirect' || response.status === 0) return response;
  const headers = new Headers(response.headers);
  headers.set('Cross-Origin-Opener-Policy', 'same-origin');
  headers.set('Cross-Origin-Embedder-Policy', 'require-corp');
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

/** @type {import('workbox-core').WorkboxPlugin} */
const isolation = { handlerWillRespond: async ({ response }) => withIsolation(response) };

addPlugins([isolation]);
cleanupOutdatedCaches();
precacheAndRoute(/** @type {any} */ (self).__WB_MANIFEST);
// Anything same-origin that is not precached: from the network, with the headers added.
registerRoute(({ url }) => url.origin === sw.location.origin, new NetworkOnly({ plugins: [isolation] }));

// A new version takes over at once: the precache is complete by then, and pages hold no state
// that an old worker would need.
sw.addEventListener('install', () => sw.skipWaiting());
sw.addEventListener('activate', (event) => event.waitUntil(sw.clients.claim()));
