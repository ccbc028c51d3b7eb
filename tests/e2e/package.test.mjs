// End to end: the npm package as other apps get it. `npm pack` makes the tarball; two fresh
// consumer projects install it (from npm's cache, offline) and build it with no configuration for
// it: tests/consumer/webpack (an ordinary webpack 5 config) and tests/consumer/vite (no config at
// all). A static server sends only the COOP/COEP headers, and each consumer's page makes a video
// in headless Chromium that ffprobe checks.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { serve } from '../../scripts/serve.js';
import { launchBrowser, makeImage, probe, tmp } from './harness.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = (...parts) => path.join(root, 'node_modules', ...parts);

let browser;
let tarball;
/** @type {import('node:http').Server[]} */
const servers = [];

/** Copies a consumer project, installs the tarball into it; returns its folder. @param {string} name */
function install(name) {
  const dir = path.join(tmp, `consumer-${name}`);
  fs.cpSync(path.join(root, 'tests', 'consumer', name), dir, { recursive: true });
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', path.join(tmp, tarball.filename)], { cwd: dir, stdio: 'pipe' });
  return dir;
}

/** Serves `dir` with the isolation headers; returns its URL. @param {string} dir */
async function serveDir(dir) {
  const server = await serve({ dir, port: 0, isolation: true });
  servers.push(server);
  return `http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (server.address()).port}/`;
}

before(async () => {
  tarball = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', tmp], { cwd: root }).toString())[0];
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

test('the tarball ships the API, its types, the worker and both wasm builds, and nothing else', () => {
  const files = tarball.files.map((f) => f.path).sort();
  for (const needed of ['package.json', 'README.md', 'LICENSE', 'www/lib/index.js', 'www/lib/index.d.ts', 'www/lib/engine.worker.js',
    'pkg/threads/engine.js', 'pkg/threads/engine_bg.wasm', 'pkg/single/engine.js', 'pkg/single/engine_bg.wasm']) {
    assert.ok(files.includes(needed), `${needed} is in the tarball`);
  }
  assert.deepEqual(files.filter((f) => !/^(package\.json|README\.md|LICENSE|www\/lib\/|pkg\/(threads|single)\/)/.test(f)), []);
  assert.ok(tarball.size < 8e6, `packed size ${tarball.size} bytes`);
});

/** Opens a consumer's page and makes an MP4 there; checks it with ffprobe. @param {string} url @param {string} name */
async function makeVideoIn(url, name) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (err) => problems.push(err.message));
  page.on('request', (req) => {
    if (!req.url().startsWith(url) && !req.url().startsWith('blob:')) problems.push(`request left the origin: ${req.url()}`);
  });
  await page.goto(url);
  await page.waitForSelector('html[data-ready]');
  const image = [...fs.readFileSync(makeImage(`consumer-${name}.png`, '640x480'))];
  const out = await page.evaluate(async (bytes) => {
    const result = await consumer.generateVideo(new Uint8Array(bytes), { format: 'mp4', duration: 1, fps: 8, resolution: '320x240' });
    const wrong = await consumer.generateVideo(new Uint8Array(4)).catch((e) => ({ isTyped: e instanceof consumer.QuantoniumError, code: e.code }));
    return { bytes: [...new Uint8Array(await result.blob.arrayBuffer())], metadata: result.metadata, wrong };
  }, image);
  const file = path.join(tmp, `consumer-${name}.mp4`);
  fs.writeFileSync(file, Buffer.from(out.bytes));
  const p = probe(file);
  assert.deepEqual([p.codec, p.width, p.height, p.frames], ['h264', 320, 240, 8]);
  assert.ok(out.metadata.threads >= 2 && out.metadata.simd, `threads ${out.metadata.threads}`);
  assert.deepEqual(out.wrong, { isTyped: true, code: 'UNSUPPORTED_FORMAT' });
  assert.deepEqual(problems, []);
  await context.close();
}

test('an app bundled by webpack 5 from the tarball makes a video with threads on', async () => {
  const dir = install('webpack');
  execFileSync(process.execPath, [bin('webpack-cli', 'bin', 'cli.js'), '--config', path.join(dir, 'webpack.config.js')], { cwd: dir, stdio: 'pipe' });
  fs.copyFileSync(path.join(dir, 'src', 'index.html'), path.join(dir, 'dist', 'index.html'));
  await makeVideoIn(await serveDir(path.join(dir, 'dist')), 'webpack');
});

test('an app built by Vite from the tarball, with no configuration, makes a video with threads on', async () => {
  const dir = install('vite');
  execFileSync(process.execPath, [bin('vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'], { cwd: dir, stdio: 'pipe' });
  await makeVideoIn(await serveDir(path.join(dir, 'dist')), 'vite');
});
