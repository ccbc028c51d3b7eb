// End to end: the offline PWA. The manifest and its icons, the service worker that precaches the
// app with both engine builds (load once, go offline, stop the server, reload, make a video), and
// cross-origin isolation from the service worker on a host that sends no COOP/COEP headers.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { launchBrowser, makeImage, startServer } from './harness.mjs';

let browser;
let imageBytes;

before(async () => {
  browser = await launchBrowser();
  imageBytes = [...fs.readFileSync(makeImage('pwa.png', '640x480'))];
});

after(async () => {
  await browser?.close();
});

/** Makes a small MP4 through the page's API; resolves with its metadata. */
const makeVideo = (page) => page.evaluate(async (bytes) => {
  const r = await quantonium.generateVideo(new Uint8Array(bytes), { format: 'mp4', duration: 1, fps: 8, resolution: '320x240', motion: 'resonance' });
  return r.metadata;
}, imageBytes);

test('installable: a web app manifest with 192 and 512 px icons', async () => {
  const server = await startServer();
  const context = await browser.newContext({ serviceWorkers: 'block' });
  const page = await context.newPage();
  await page.goto(server.url);
  const out = await page.evaluate(async () => {
    const href = document.querySelector('link[rel="manifest"]')?.getAttribute('href');
    const manifest = await (await fetch(href)).json();
    const icons = [];
    for (const icon of manifest.icons) {
      const bitmap = await createImageBitmap(await (await fetch(new URL(icon.src, new URL(href, location.href)))).blob());
      icons.push({ sizes: icon.sizes, actual: `${bitmap.width}x${bitmap.height}`, purpose: icon.purpose ?? 'any' });
    }
    return { manifest, icons };
  });
  assert.equal(out.manifest.display, 'standalone');
  assert.ok(out.manifest.name && out.manifest.short_name && out.manifest.start_url);
  for (const icon of out.icons) assert.equal(icon.actual, icon.sizes);
  assert.deepEqual(new Set(out.icons.map((i) => i.sizes)), new Set(['192x192', '512x512']));
  await context.close();
  await server.close();
});

test('offline: after one visit, with the server gone, the app reloads and makes a video on the thread pool', async () => {
  const server = await startServer();
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(server.url);
  await page.waitForSelector('html[data-engine-ready]', { timeout: 60_000 });
  // Installed (everything precached) and in control of the page.
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 60_000 });
  await server.close();
  await context.setOffline(true);
  await page.reload();
  await page.waitForSelector('html[data-engine-ready]', { timeout: 60_000 });
  const m = await makeVideo(page);
  assert.equal(m.frames, 8);
  assert.ok(m.threads >= 2, `threads ${m.threads}: the cached responses kept their isolation headers`);
  await context.close();
});

test('on a host that sends no COOP/COEP, the service worker isolates the page after one reload: threads come on', async () => {
  const server = await startServer({ isolation: false });
  const context = await browser.newContext();
  const page = await context.newPage();
  let navigations = 0;
  page.on('framenavigated', (frame) => { if (frame === page.mainFrame()) navigations++; });
  await page.goto(server.url);
  await page.waitForFunction(() => self.crossOriginIsolated === true, null, { timeout: 60_000 });
  await page.waitForSelector('html[data-engine-ready]', { timeout: 60_000 });
  assert.equal(navigations, 2, 'exactly one reload');
  const m = await makeVideo(page);
  assert.equal(m.frames, 8);
  assert.ok(m.threads >= 2, `threads ${m.threads}`);
  await context.close();
  await server.close();
});
