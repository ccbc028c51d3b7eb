// End to end: failures stay contained. The hostile corpus (written by `cargo test --test hostile`)
// goes through the real engine worker; panics, timeouts and repeated cancels each leave an engine
// that makes the next video; a hundred failing jobs leak no WebAssembly memory.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { makeImage, startSession } from './harness.mjs';

const corpusDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'target', 'tmp', 'hostile-corpus');

let browser;
let server;
/** @type {() => Promise<void>} */
let close;
let page;
let problems;
let imageBytes;

before(async () => {
  ({ browser, server, page, problems, close } = await startSession());
  imageBytes = [...fs.readFileSync(makeImage('recovery.png', '640x480'))];
});

after(() => close?.());

/** A small, quick valid job; resolves with its metadata. */
const SMALL = { format: 'avi', duration: 1, fps: 8, resolution: '160x120', motion: 'camera' };

test('every hostile file gives its code through the worker; after 100 failing jobs a valid one works and memory has not grown', async () => {
  const manifestFile = path.join(corpusDir, 'manifest.json');
  assert.ok(fs.existsSync(manifestFile), `${manifestFile} is missing: run \`cargo test --test hostile\` first`);
  const corpus = JSON.parse(fs.readFileSync(manifestFile, 'utf8')).map((c) => ({
    ...c,
    bytes: [...fs.readFileSync(path.join(corpusDir, c.file))],
  }));
  assert.ok(corpus.length >= 40);
  const out = await page.evaluate(async ({ corpus, bytes, small }) => {
    const first = await quantonium.generateVideo(new Uint8Array(bytes), small);
    const wrong = [];
    for (let i = 0; i < 100; i++) {
      const c = corpus[i % corpus.length];
      const error = await quantonium.generateVideo(new Uint8Array(c.bytes), small).then(() => null, (e) => e);
      if (error?.code !== c.code) wrong.push(`${c.name}: ${error ? `${error.code} (${error.message})` : 'succeeded'}, want ${c.code}`);
    }
    const last = await quantonium.generateVideo(new Uint8Array(bytes), small);
    return { wrong, first: first.metadata, last: last.metadata };
  }, { corpus, bytes: imageBytes, small: SMALL });
  console.log(`memory after the first job ${out.first.wasmMemoryBytes}, after 100 failures and one job ${out.last.wasmMemoryBytes}`);
  assert.deepEqual(out.wrong, []);
  assert.equal(out.last.frames, 8);
  assert.equal(out.last.engineVersion, out.first.engineVersion);
  assert.ok(out.first.wasmMemoryBytes > 0);
  assert.ok(out.last.wasmMemoryBytes <= out.first.wasmMemoryBytes * 1.1,
    `memory ${out.first.wasmMemoryBytes} after the first job, ${out.last.wasmMemoryBytes} after 100 failures`);
  assert.deepEqual(problems, []);
});

test('a panic, on the engine thread or on a pool thread, becomes INTERNAL with its message; the next job works', async () => {
  const out = await page.evaluate(async ({ bytes, small }) => {
    const results = {};
    for (const onPool of [false, true]) {
      const started = performance.now();
      const error = await quantonium.debug.panic({ onPool, message: `injected ${onPool ? 'pool' : 'engine'} panic` });
      const ms = performance.now() - started;
      const next = await quantonium.generateVideo(new Uint8Array(bytes), small);
      results[onPool ? 'pool' : 'engine'] = { code: error.code, message: error.message, ms, frames: next.metadata.frames, threads: next.metadata.threads };
    }
    return results;
  }, { bytes: imageBytes, small: SMALL });
  for (const where of ['engine', 'pool']) {
    const r = out[where];
    assert.equal(r.code, 'INTERNAL', where);
    assert.match(r.message, new RegExp(`panicked: .*injected ${where} panic`), where);
    assert.ok(r.ms < 10_000, `${where}: the failure was reported after ${r.ms} ms`);
    assert.equal(r.frames, 8, where);
    assert.ok(r.threads >= 2, `${where}: the replacement worker has its pool again`);
  }
  // The trapped thread's own uncaught error may reach the page's error log; nothing else may.
  assert.deepEqual(problems.filter((p) => p !== 'pageerror: unreachable'), []);
  problems.length = 0;
});

test('a job past its timeout rejects with TIMEOUT; the next job works', async () => {
  const out = await page.evaluate(async ({ bytes, small }) => {
    const input = new Uint8Array(bytes);
    const started = performance.now();
    const error = await quantonium
      .generateVideo(input, { ...small, duration: 10, resolution: '640x480', motion: 'resonance', timeout: 300 })
      .then(() => null, (e) => ({ code: e.code, message: e.message }));
    const ms = performance.now() - started;
    const bad = await quantonium.generateVideo(input, { timeout: -1 }).then(() => null, (e) => e.code);
    const next = await quantonium.generateVideo(input, small);
    return { error, ms, bad, frames: next.metadata.frames };
  }, { bytes: imageBytes, small: SMALL });
  assert.equal(out.error?.code, 'TIMEOUT');
  assert.match(out.error.message, /300 ms/);
  assert.ok(out.ms < 5_000, `TIMEOUT after ${out.ms} ms`);
  assert.equal(out.bad, 'INVALID_OPTION');
  assert.equal(out.frames, 8);
  assert.deepEqual(problems, []);
});

test('cancelled three times mid-encode, then a job succeeds', async () => {
  const out = await page.evaluate(async ({ bytes, small }) => {
    const input = new Uint8Array(bytes);
    const cancels = [];
    for (let i = 0; i < 3; i++) {
      const controller = new AbortController();
      let abortedAt = 0;
      const job = quantonium.generateVideo(input, {
        format: 'mp4', duration: 10, fps: 24, resolution: '640x480',
        signal: controller.signal,
        onProgress: ({ stage, frame }) => {
          if (stage === 'render' && frame === 5 && !abortedAt) {
            abortedAt = performance.now();
            controller.abort();
          }
        },
      });
      const error = await job.then(() => null, (e) => e.code);
      cancels.push({ error, ms: performance.now() - abortedAt });
    }
    const next = await quantonium.generateVideo(input, { ...small, format: 'mp4' });
    return { cancels, frames: next.metadata.frames, status: quantonium.status() };
  }, { bytes: imageBytes, small: SMALL });
  for (const c of out.cancels) {
    assert.equal(c.error, 'ABORTED');
    assert.ok(c.ms < 1000, `stopped ${c.ms} ms after the abort`);
  }
  assert.equal(out.frames, 8);
  assert.deepEqual([out.status.running, out.status.queued], [0, 0]);
  assert.deepEqual(problems, []);
});

test('an encoder that fails mid-video falls back to the next codec; with every codec failing, ENCODER_ERROR names each configuration', async () => {
  const out = await page.evaluate(async ({ bytes }) => {
    const input = new Uint8Array(bytes);
    const options = { format: 'webm', duration: 1, fps: 8, resolution: '320x240', motion: 'camera' };
    await quantonium.debug.failEncoders(1);
    const fallback = await quantonium.generateVideo(input, options);
    await quantonium.debug.failEncoders(99);
    const error = await quantonium.generateVideo(input, options).then(() => null, (e) => ({ code: e.code, message: e.message }));
    await quantonium.debug.failEncoders(0);
    const caps = await quantonium.capabilities();
    return { codec: fallback.metadata.codec, frames: fallback.metadata.frames, error, webm: caps.formats.webm.codecs };
  }, { bytes: imageBytes });
  assert.equal(out.codec, out.webm[1], 'the second codec of the order made the video');
  assert.equal(out.frames, 8);
  assert.equal(out.error?.code, 'ENCODER_ERROR');
  for (const codec of out.webm) assert.ok(out.error.message.includes(`${codec} 320x240 8 fps`), `${codec} in: ${out.error.message}`);
  assert.match(out.error.message, /failure injected by a test/);
});

test('a thread pool that cannot start (its hand-over throws, or is never answered) leaves a working single-threaded engine that says why', async () => {
  const out = await page.evaluate(async ({ bytes, small }) => {
    const input = new Uint8Array(bytes);
    const run = async () => {
      const caps = await quantonium.capabilities();
      const mp4 = await quantonium.generateVideo(input, { ...small, format: 'mp4' });
      const avi = await quantonium.generateVideo(input, small);
      return { threads: caps.threads, mp4: mp4.metadata.threads, avi: avi.metadata.threads, frames: avi.metadata.frames };
    };
    await quantonium.debug.restart({ poolFailure: 'throw' });
    const thrown = await run();
    const started = performance.now();
    await quantonium.debug.restart({ poolFailure: 'hang', poolStartMs: 1500 });
    const hangMs = performance.now() - started;
    const hung = await run();
    await quantonium.debug.restart();
    const restored = await run();
    return { thrown, hung, hangMs, restored };
  }, { bytes: imageBytes, small: SMALL });
  for (const r of [out.thrown, out.hung]) {
    assert.deepEqual([r.threads.enabled, r.threads.poolSize, r.mp4, r.avi, r.frames], [false, 1, 1, 1, 8]);
    assert.equal(r.threads.crossOriginIsolated, true);
  }
  assert.match(out.thrown.threads.reason, /thread pool could not start \(DataCloneError: .*injected/);
  assert.match(out.hung.threads.reason, /thread pool could not start .*did not start within 1500 ms/);
  assert.ok(out.hangMs >= 1500 && out.hangMs < 10_000, `the hung pool was given up after ${out.hangMs} ms`);
  assert.deepEqual([out.restored.threads.enabled, out.restored.threads.reason, out.restored.avi], [true, null, out.restored.threads.poolSize]);
  assert.ok(out.restored.threads.poolSize >= 2);
  assert.deepEqual(problems, []);
});

test('an engine whose start stalls is replaced once without a reload; a second stall rejects with INTERNAL', async () => {
  // A .wasm response that never ends, as a stalled proxy or connection gives: held here, never
  // answered. No service worker: it would answer from its cache, where no route sees the request.
  const context = await browser.newContext({ serviceWorkers: 'block' });
  const held = [];
  let stallNext = 0;
  await context.route('**/*.wasm', (route) => {
    if (stallNext > 0) {
      stallNext--;
      held.push(route);
      return undefined;
    }
    return route.continue();
  });
  try {
    const stalling = await context.newPage();
    const errors = [];
    stalling.on('pageerror', (err) => errors.push(err.message));
    await stalling.goto(server.url);
    await stalling.waitForSelector('html[data-engine-ready]', { timeout: 60_000 });
    const restart = (initTimeoutMs) => stalling.evaluate(async (ms) => {
      const started = performance.now();
      const error = await quantonium.debug.restart({ initTimeoutMs: ms }).then(() => null, (e) => ({ code: e.code, message: e.message }));
      return { error, ms: performance.now() - started };
    }, initTimeoutMs);
    const job = () => stalling.evaluate(async ({ bytes, small }) => (await quantonium.generateVideo(new Uint8Array(bytes), small)).metadata.frames,
      { bytes: imageBytes, small: SMALL });

    stallNext = 1;
    const once = await restart(3000);
    assert.equal(once.error, null, `one stalled start is replaced: ${JSON.stringify(once.error)}`);
    assert.ok(once.ms >= 3000 && once.ms < 30_000, `ready after ${once.ms} ms`);
    assert.equal(await job(), 8);

    stallNext = 2;
    const twice = await restart(2000);
    assert.equal(twice.error?.code, 'INTERNAL');
    assert.match(twice.error.message, /did not start within 2 s/);
    assert.ok(twice.ms >= 4000 && twice.ms < 30_000, `gave up after ${twice.ms} ms`);
    assert.equal(held.length, 3);

    const normal = await restart(undefined);
    assert.equal(normal.error, null);
    assert.equal(await job(), 8);
    assert.deepEqual(errors, []);
  } finally {
    for (const route of held) await route.abort().catch(() => {});
    await context.close();
  }
});
