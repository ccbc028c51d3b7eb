// @ts-check
/**
 * Registers the service worker (sw.js: offline use, and cross-origin isolation on hosts that
 * cannot send the headers). When the page is not cross-origin isolated but the worker can make it
 * so, the page reloads once under the worker's control; a session flag makes sure it never loops
 * (a browser that refuses isolation anyway just keeps the single-threaded engine).
 */
const RELOAD_FLAG = 'quantonium-coi-reload';

export async function registerServiceWorker() {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return;
  try {
    await navigator.serviceWorker.register('sw.js', { scope: './' });
  } catch (err) {
    console.warn('service worker not registered; the app works online only', err);
    return;
  }
  if (window.crossOriginIsolated) {
    sessionStorage.removeItem(RELOAD_FLAG);
    return;
  }
  if (sessionStorage.getItem(RELOAD_FLAG)) return;
  const reload = () => {
    sessionStorage.setItem(RELOAD_FLAG, '1');
    location.reload();
  };
  if (navigator.serviceWorker.controller) reload();
  else navigator.serviceWorker.addEventListener('controllerchange', reload, { once: true });
}
