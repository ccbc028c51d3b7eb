// End to end: the npm package as another app gets it. `npm pack` makes the tarball, a fresh
// consumer project (tests/consumer/webpack) installs it and bundles it with an ordinary webpack 5
// configuration, a static server sends only the COOP/COEP headers, and the consumer's page makes a
// video in headless Chromium that ffprobe checks.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { serve } from '../../scripts/serve.js';
import { launchBrowser, makeImage, probe, tmp } from './harness.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

let browser;
let server;
let url;
let tarball;

before(async () => {
  const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', tmp], { cwd: root }).toString())[0];
  tarball = packed;
  const consumer = path.join(tmp, 'consumer-webpack');
  fs.cpSync(path.join(root, 'tests', 'consumer', 'webpack'), consumer, { recursive: true });
  // From npm's cache (filled by the root's `npm ci`): no network needed.
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', path.join(tmp, packed.filename)], { cwd: consumer, stdio: 'pipe' });
  execFileSync(process.execPath, [path.join(root, 'node_modules', 'webpack-cli', 'bin', 'cli.js'), '--config', path.join(consumer, 'webpack.config.js')], { cwd: consumer, stdio: 'pipe' });
  fs.copyFileSync(path.join(consumer, 'src', 'index.html'), path.join(consumer, 'dist', 'index.html'));
  server = await serve({ dir: path.join(consumer, 'dist'), port: 0, isolation: true });
  url = `http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (server.address()).port}/`;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
});

test('the tarball ships the API, its types, the worker and both wasm builds, and nothing else', () => {
  const files = tarball.files.map((f) => f.path).sort();
  for (const needed of ['package.json', 'README.md', 'www/lib/index.js', 'www/lib/index.d.ts', 'www/lib/engine.worker.js',
    'pkg/threads/engine.js', 'pkg/threads/engine_bg.wasm', 'pkg/single/engine.js', 'pkg/single/engine_bg.wasm']) {
    assert.ok(files.includes(needed), `${needed} is in the tarball`);
  }
  assert.deepEqual(files.filter((f) => !/^(package\.json|README\.md|LICENSE|www\/lib\/|pkg\/(threads|single)\/)/.test(f)), []);
  assert.ok(tarball.size < 8e6, `packed size ${tarball.size} bytes`);
});

test('an app bundled by webpack 5 from the tarball makes a video with threads on', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (err) => problems.push(err.message));
  page.on('request', (req) => {
    if (!req.url().startsWith(url) && !req.url().startsWith('blob:')) problems.push(`request left the origin: ${req.url()}`);
  });
  await page.goto(url);
  await page.waitForSelector('html[data-ready]');
  const image = [...fs.readFileSync(makeImage('consumer.png', '640x480'))];
  const out = await page.evaluate(async (bytes) => {
    const result = await consumer.generateVideo(new Uint8Array(bytes), { format: 'mp4', duration: 1, fps: 8, resolution: '320x240' });
    const wrong = await consumer.generateVideo(new Uint8Array(4)).catch((e) => ({ isTyped: e instanceof consumer.QuantoniumError, code: e.code }));
    return { bytes: [...new Uint8Array(await result.blob.arrayBuffer())], metadata: result.metadata, wrong };
  }, image);
  const file = path.join(tmp, 'consumer.mp4');
  fs.writeFileSync(file, Buffer.from(out.bytes));
  const p = probe(file);
  assert.deepEqual([p.codec, p.width, p.height, p.frames], ['h264', 320, 240, 8]);
  assert.ok(out.metadata.threads >= 2 && out.metadata.simd, `threads ${out.metadata.threads}`);
  assert.deepEqual(out.wrong, { isTyped: true, code: 'UNSUPPORTED_FORMAT' });
  assert.deepEqual(problems, []);
  await context.close();
});
