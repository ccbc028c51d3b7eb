// End to end: the public JavaScript API itself (as the demo page exposes it on `quantonium`), in
// headless Chromium — the contract other pages build on: results, metadata, hashes, progress,
// typed errors, queueing and cancellation.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { makeImage, openDemo, startSession } from './harness.mjs';

let browser;
let server;
/** @type {() => Promise<void>} */
let close;
let page;
let imageBytes;

before(async () => {
  ({ browser, server, page, close } = await startSession());
  imageBytes = [...fs.readFileSync(makeImage('api.png', '640x480'))];
});

after(() => close?.());

test('generateVideo resolves with the blob, its SHA-256, metadata and ordered progress', async () => {
  const out = await page.evaluate(async (bytes) => {
    const stages = [];
    let lastFrame = 0;
    let monotonic = true;
    const result = await quantonium.generateVideo(new Uint8Array(bytes), {
      format: 'webm', duration: 1, fps: 10, resolution: { width: 320, height: 240 }, seed: 7,
      onProgress: ({ stage, frame }) => {
        if (stages.at(-1) !== stage) stages.push(stage);
        if (stage === 'render') { monotonic &&= frame > lastFrame; lastFrame = frame; }
      },
    });
    const digest = await crypto.subtle.digest('SHA-256', await result.blob.arrayBuffer());
    const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
    return { stages, monotonic, lastFrame, hex, size: result.blob.size, sha256: result.sha256, mimeType: result.mimeType,
      metadata: result.metadata, analysisWidth: result.analysis?.width, type: result.blob.type };
  }, imageBytes);
  assert.deepEqual(out.stages, ['decode', 'analyze', 'render', 'encode', 'mux', 'hash']);
  assert.ok(out.monotonic);
  assert.equal(out.lastFrame, 10);
  assert.equal(out.sha256, out.hex);
  assert.match(out.mimeType, /^video\/webm/);
  assert.equal(out.type, out.mimeType);
  const m = out.metadata;
  assert.deepEqual([m.frames, m.width, m.height, m.fps, m.duration, m.format, m.motion, m.seed, m.loop], [10, 320, 240, 10, 1, 'webm', 'resonance', 7, true]);
  assert.match(m.codec, /^(vp09|vp8)/);
  assert.deepEqual([m.quantumPrecision, m.resonanceDepth, m.sourceWidth, m.sourceHeight], [512, 8, 640, 480]);
  assert.ok(m.processingTimeMs > 0 && m.threads >= 2 && m.simd === true);
  assert.ok(m.memoryEstimateBytes > 320 * 240 * 4 && m.memoryEstimateBytes < m.wasmMemoryBytes, `estimate ${m.memoryEstimateBytes}, memory ${m.wasmMemoryBytes}`);
  assert.equal(out.analysisWidth, 320, 'the analysis grid is the output size when it is under the precision');
});

test('bad options and inputs reject with typed, named errors', async () => {
  const errors = await page.evaluate(async (bytes) => {
    const input = new Uint8Array(bytes);
    const grab = (p) => p.then(() => null, (e) => ({ name: e.name, code: e.code, message: e.message }));
    return {
      fps: await grab(quantonium.generateVideo(input, { fps: 0 })),
      unknown: await grab(quantonium.generateVideo(input, { fromat: 'mp4' })),
      format: await grab(quantonium.generateVideo(input, { format: 'mov' })),
      input: await grab(quantonium.generateVideo('not bytes')),
      image: await grab(quantonium.generateVideo(new TextEncoder().encode('plain text'))),
      depth: await grab(quantonium.generateVideo(input, { resonanceDepth: 40 })),
      budget: await grab(quantonium.generateVideo(input, { resolution: '2048x2048', quantumPrecision: 2048, memoryBudget: 64 * 2 ** 20 })),
      maxInput: await grab(quantonium.generateVideo(input, { maxInputBytes: 1000 })),
    };
  }, imageBytes);
  assert.equal(errors.fps.code, 'INVALID_OPTION');
  assert.match(errors.fps.message, /`fps`.*1 to 60/);
  assert.equal(errors.unknown.code, 'INVALID_OPTION');
  assert.match(errors.unknown.message, /fromat/);
  assert.equal(errors.format.code, 'INVALID_OPTION');
  assert.match(errors.format.message, /mov/);
  assert.equal(errors.input.code, 'INVALID_OPTION');
  assert.equal(errors.image.code, 'UNSUPPORTED_FORMAT');
  assert.equal(errors.image.name, 'QuantoniumError');
  assert.match(errors.depth.message, /resonanceDepth/);
  assert.equal(errors.budget.code, 'RESOURCE_LIMIT');
  assert.match(errors.budget.message, /about \d+ MiB.*budget of 64 MiB/);
  assert.equal(errors.maxInput.code, 'IMAGE_TOO_LARGE');
  assert.match(errors.maxInput.message, /limit is 1000 bytes/);
});

test('jobs queue one at a time, status() reports them, and an aborted job rejects with AbortError', async () => {
  const out = await page.evaluate(async (bytes) => {
    const input = new Uint8Array(bytes);
    const controller = new AbortController();
    const options = { format: 'avi', duration: 2, fps: 12, resolution: '320x240' };
    const first = quantonium.generateVideo(input, { ...options, signal: controller.signal });
    const second = quantonium.generateVideo(input, options);
    await new Promise((r) => setTimeout(r, 50));
    const during = quantonium.status();
    controller.abort();
    const aborted = await first.then(() => null, (e) => ({ name: e.name, code: e.code }));
    const done = await second;
    return { during, aborted, frames: done.metadata.frames, after: quantonium.status() };
  }, imageBytes);
  assert.equal(out.during.running, 1);
  assert.equal(out.during.queued, 1);
  assert.equal(out.during.workerReady, true);
  assert.match(out.during.engineVersion, /^\d+\.\d+\.\d+$/);
  assert.deepEqual(out.aborted, { name: 'AbortError', code: 'ABORTED' });
  assert.equal(out.frames, 24);
  assert.deepEqual([out.after.running, out.after.queued], [0, 0]);
});

test('capabilities() reports what this browser can really do', async () => {
  const caps = await page.evaluate(() => quantonium.capabilities());
  assert.equal(caps.formats.mp4.supported, true);
  assert.match(caps.formats.mp4.codecs[0], /^avc1\.6400/);
  assert.equal(caps.formats.webm.supported, true);
  assert.deepEqual(caps.formats.avi, { supported: true, codecs: ['mjpeg'] });
  assert.deepEqual(caps.formats.gif, { supported: true, codecs: ['gif'] });
  assert.deepEqual([caps.threads.crossOriginIsolated, caps.threads.enabled], [true, true]);
  assert.equal(caps.threads.poolSize, caps.hardwareConcurrency);
  assert.ok(caps.threads.poolSize >= 2);
  assert.equal(caps.simd, true);
  assert.deepEqual(caps.motions, ['resonance', 'flow', 'sky', 'shimmer', 'camera', 'resonance+camera']);
  assert.deepEqual([caps.limits.maxDuration, caps.limits.maxFps, caps.limits.maxSide], [30, 60, 2048]);
  assert.deepEqual(caps.defaults, { quantumPrecision: 512, resonanceDepth: 8, motion: 'resonance' });
});

test('capabilities() resolves even when the engine cannot start: nothing supported, and the error says why', async () => {
  const context = await browser.newContext();
  // Both builds' .wasm are blocked, as a strict proxy or a broken deployment would.
  await context.route('**/*.wasm', (route) => route.abort());
  const blocked = await context.newPage();
  await blocked.goto(server.url);
  await blocked.waitForFunction(() => typeof quantonium === 'object');
  const out = await blocked.evaluate(async (bytes) => {
    const caps = await quantonium.capabilities();
    const job = await quantonium.generateVideo(new Uint8Array(bytes), { format: 'avi', duration: 1, fps: 4, resolution: '160x120' })
      .then(() => null, (e) => ({ code: e.code, message: e.message }));
    return { caps, job };
  }, imageBytes);
  await blocked.waitForSelector('[role="alert"]:not([hidden])');
  const shown = await blocked.locator('[role="alert"]').textContent();
  await context.close();
  const { caps, job } = out;
  assert.equal(caps.error?.code, 'INTERNAL');
  assert.ok(caps.error.message.length > 0);
  assert.deepEqual([caps.formats.mp4.supported, caps.formats.webm.supported, caps.formats.avi.supported, caps.formats.gif.supported], [false, false, false, false]);
  assert.deepEqual([caps.engineVersion, caps.limits, caps.threads.enabled], [null, null, false]);
  assert.match(caps.threads.reason, /engine did not start/);
  assert.equal(job?.code, 'INTERNAL');
  assert.match(shown, /INTERNAL/);
});

test('capabilities() of a working engine carries no error', async () => {
  const caps = await page.evaluate(() => quantonium.capabilities());
  assert.equal(caps.error, null);
  assert.equal(caps.threads.reason, null);
});

test('a preview canvas gets frames at the size it is shown at; an OffscreenCanvas at the video\'s', async () => {
  const out = await page.evaluate(async (bytes) => {
    const shown = document.createElement('canvas');
    shown.style.cssText = 'position: fixed; left: 0; top: 0; width: 160px; height: 160px';
    document.body.append(shown);
    const offscreen = new OffscreenCanvas(1, 1);
    const job = { format: 'avi', duration: 0.5, fps: 8, resolution: { width: 320, height: 240 }, motion: 'camera', history: false };
    try {
      await quantonium.generateVideo(new Uint8Array(bytes), { ...job, canvas: shown });
      await quantonium.generateVideo(new Uint8Array(bytes), { ...job, canvas: offscreen });
      // The last frame drawn: its top-left corner (the 640x480 test image is not flat there).
      const px = shown.getContext('2d').getImageData(0, 0, shown.width, shown.height).data;
      let lo = 255, hi = 0;
      for (let i = 0; i < px.length; i += 4) { lo = Math.min(lo, px[i + 1]); hi = Math.max(hi, px[i + 1]); }
      return { shown: [shown.width, shown.height], offscreen: [offscreen.width, offscreen.height], dpr: devicePixelRatio, range: hi - lo };
    } finally {
      shown.remove();
    }
  }, imageBytes);
  // 320x240 fitted to a 160x160 box (times the device pixel ratio, 1 here): 160x120.
  assert.equal(out.dpr, 1);
  assert.deepEqual(out.shown, [160, 120]);
  assert.deepEqual(out.offscreen, [320, 240]);
  assert.ok(out.range > 30, `the preview shows the picture: green spans ${out.range} levels`);
});

test('a 30 s GIF streams: on a fresh engine it leaves the WASM memory where a 4 s one does', async () => {
  // Each length on its own fresh engine (WASM memory only grows), so each figure is that GIF's own
  // peak. Keeping the frames, or the GIF, in WASM would cost 30 s x 12 fps x 320x240x4 = 110 MB more.
  const memory = {};
  for (const duration of [4, 30]) {
    const fresh = await openDemo(browser, server.url);
    try {
      memory[duration] = await fresh.page.evaluate(async ({ bytes, duration }) => {
        const { metadata, blob } = await quantonium.generateVideo(new Uint8Array(bytes), {
          format: 'gif', duration, fps: 12, resolution: '320x240', motion: 'resonance', history: false, analysisCache: false,
        });
        return { frames: metadata.frames, bytes: blob.size, wasm: metadata.wasmMemoryBytes };
      }, { bytes: imageBytes, duration });
    } finally {
      await fresh.page.close();
    }
  }
  const mib = (b) => `${(b / 2 ** 20).toFixed(1)} MiB`;
  console.log(`GIF 320x240 at 12 fps: 4 s ${mib(memory[4].bytes)} file, ${mib(memory[4].wasm)} WASM; 30 s ${mib(memory[30].bytes)} file, ${mib(memory[30].wasm)} WASM`);
  assert.deepEqual([memory[4].frames, memory[30].frames], [48, 360]);
  assert.ok(memory[30].bytes > memory[4].bytes * 4, 'the 30 s GIF holds its frames');
  assert.ok(memory[30].wasm <= memory[4].wasm + 2 * 2 ** 20, `WASM memory ${mib(memory[4].wasm)} after 4 s, ${mib(memory[30].wasm)} after 30 s`);
});
