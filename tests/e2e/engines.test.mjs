// End to end in all three of Debian's browser engines (Chromium, Firefox ESR, WebKitGTK): the demo
// page and the public API make a clean file of each format, or a typed error naming what the
// browser lacks; AVI always works; threads are on where the engine allows them (and when they are
// off, capabilities() says why); the hostile corpus gives its codes; the offline PWA loads. Every
// file is checked with ffprobe and decoded by ffmpeg with nothing reported.
//
// What each engine did is written to target/browsers.json and printed as the README's browser table.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ENGINE_NAMES, engineInstalled, openEngine } from '../../scripts/engines.js';
import { decodeErrors, makeImage, probe, startServer, tmp } from './harness.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const corpusDir = path.join(root, 'target', 'tmp', 'hostile-corpus');

/** The same video in every engine: a 1024-px picture, 512×512, 2 s at 24 fps. */
const JOB = { duration: 2, fps: 24, resolution: '512x512', motion: 'resonance', seed: 1, history: false, analysisCache: false };
const FRAMES = 48;

/** @type {Record<string, any>} */
const report = {};
let image;

before(() => {
  image = makeImage('engines.png', '1024x768');
});

after(() => {
  const file = path.join(root, 'target', 'browsers.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(report, null, 2));
  console.log(browserTable(report));
});

/** The README's browser table, from what the tests saw. @param {Record<string, any>} r */
export function browserTable(r) {
  const rows = ['| engine | threads | SIMD | mp4 | webm | avi |', '|---|---|---|---|---|---|'];
  for (const e of Object.values(r)) {
    const fmt = (f) => {
      const x = e.formats?.[f];
      if (!x) return '—';
      return x.ok ? `${x.codec}, ${(x.ms / 1000).toFixed(2)} s` : `${x.code}`;
    };
    const threads = e.threads ? (e.threads.enabled ? `${e.threads.poolSize}` : `off (${e.threads.reason})`) : '—';
    rows.push(`| ${e.version} | ${threads} | ${e.simd ? 'yes' : 'no'} | ${fmt('mp4')} | ${fmt('webm')} | ${fmt('avi')} |`);
  }
  return rows.join('\n');
}

/** Waits for the demo's engine, in any engine: polls instead of using a driver's own wait. */
const engineReady = () => new Promise((resolve, reject) => {
  const started = Date.now();
  const check = () => {
    if (document.documentElement.dataset.engineReady) return resolve(true);
    const alert = document.querySelector('[role="alert"]');
    if (alert && !alert.hidden && alert.textContent) return reject(new Error(`the demo showed an error: ${alert.textContent}`));
    if (Date.now() - started > 60_000) return reject(new Error(`engine not ready after 60 s: ${document.querySelector('#engine-info')?.textContent}`));
    setTimeout(check, 50);
  };
  check();
});

/** Runs `generateVideo` in the page; the file comes back as base64, the error as {code, message}. */
const generateInPage = async (imageBase64, options) => {
  const bytes = Uint8Array.from(atob(imageBase64), (c) => c.charCodeAt(0));
  const started = performance.now();
  try {
    const r = await quantonium.generateVideo(bytes, options);
    const ms = performance.now() - started;
    const data = new Uint8Array(await r.blob.arrayBuffer());
    let s = '';
    for (let i = 0; i < data.length; i += 0x8000) s += String.fromCharCode(...data.subarray(i, i + 0x8000));
    return { ok: true, ms, mimeType: r.mimeType, metadata: r.metadata, video: btoa(s) };
  } catch (err) {
    return { ok: false, ms: performance.now() - started, code: err.code, message: err.message };
  }
};

/** Writes a base64 video to a file and checks it: ffprobe's view plus ffmpeg's decode errors. */
function checkVideo(name, base64) {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, Buffer.from(base64, 'base64'));
  return { file, info: probe(file), errors: decodeErrors(file) };
}

const CODEC_NAMES = { mp4: /^(h264|av1)$/, webm: /^(vp9|vp8|av1)$/, avi: /^mjpeg$/ };

for (const engine of ENGINE_NAMES) {
  describe(engine, { concurrency: false }, () => {
    /** @type {import('../../scripts/engines.js').EnginePage} */
    let page;
    let server;
    let caps;

    before(async () => {
      assert.ok(engineInstalled(engine), `${engine} is not installed: run scripts/setup.sh --test`);
      server = await startServer();
      page = await openEngine(engine);
      await page.goto(server.url);
      try {
        await page.evaluate(engineReady);
      } catch (err) {
        // Once in four full runs, Firefox ESR's page stayed at "Loading engine…" for the whole
        // minute, and every other run had it ready in under a second; the cause is not known.
        // One reload is allowed, and said, so a second hang still fails.
        console.warn(`${engine}: ${/** @type {Error} */ (err).message}; reloading once`);
        await page.goto(server.url);
        await page.evaluate(engineReady);
      }
      report[engine] = { version: page.version, formats: {} };
    });

    after(async () => {
      await page?.close();
      await server?.close();
    });

    test('capabilities(): threads on where the engine allows them, or off with the reason', async () => {
      caps = await page.evaluate(async () => {
        const c = await quantonium.capabilities();
        return { ...c, isolated: self.crossOriginIsolated, info: document.querySelector('#engine-info')?.textContent };
      });
      Object.assign(report[engine], { threads: caps.threads, simd: caps.simd, codecs: Object.fromEntries(Object.entries(caps.formats).map(([f, x]) => [f, x.codecs])) });
      assert.equal(caps.isolated, true, 'the page is cross-origin isolated');
      assert.equal(caps.simd, true);
      assert.equal(caps.formats.avi.supported, true);
      if (caps.threads.enabled) {
        assert.ok(caps.threads.poolSize >= 2);
        assert.equal(caps.threads.reason, null);
        assert.match(caps.info, /threads/);
      } else {
        assert.equal(caps.threads.poolSize, 1);
        assert.match(caps.threads.reason, /thread pool could not start/);
        assert.match(caps.info, /single thread/);
      }
      // Chromium and Firefox share WebAssembly memory with workers; WebKitGTK refuses to (DataCloneError).
      if (engine !== 'webkit') assert.equal(caps.threads.enabled, true, `threads off in ${engine}: ${caps.threads.reason}`);
    });

    for (const format of /** @type {const} */ (['mp4', 'webm', 'avi'])) {
      test(`generateVideo ${format}: a clean file of the right size and frame count, or a typed error`, async () => {
        const out = await page.evaluate(generateInPage, fs.readFileSync(image).toString('base64'), { ...JOB, format });
        report[engine].formats[format] = out.ok
          ? { ok: true, codec: out.metadata.codec, ms: Math.round(out.ms), threads: out.metadata.threads, bytes: out.video.length * 0.75 }
          : { ok: false, code: out.code, message: out.message };
        if (!out.ok) {
          assert.notEqual(format, 'avi', `AVI must work everywhere: ${out.code} ${out.message}`);
          assert.equal(out.code, 'ENCODER_ERROR', out.message);
          assert.match(out.message, /tried/);
          assert.equal(caps.formats[format].supported, false, `capabilities() said ${format} works: ${out.message}`);
          return;
        }
        const { info, errors } = checkVideo(`${engine}.${format}`, out.video);
        assert.match(info.codec, CODEC_NAMES[format]);
        assert.deepEqual([info.width, info.height, info.frames], [512, 512, FRAMES]);
        assert.ok(Math.abs(info.duration - 2) < 0.1, `duration ${info.duration}`);
        assert.equal(errors, '', `ffmpeg reported errors decoding ${engine}'s ${format}`);
        assert.equal(out.metadata.frames, FRAMES);
        assert.equal(out.metadata.threads, caps.threads.poolSize);
      });
    }

    test('a slow look-ahead encoder is not taken for a stalled one: 1024² WebM keeps the first codec', async () => {
      // Firefox's VP9 takes every frame at once and encodes them later, about a third of a second
      // each at this size, so its flush runs for many seconds while giving chunks all along.
      const out = await page.evaluate(generateInPage, fs.readFileSync(image).toString('base64'), { ...JOB, format: 'webm', resolution: '1024x1024' });
      if (!caps.formats.webm.supported) return assert.equal(out.code, 'ENCODER_ERROR');
      assert.equal(out.ok, true, out.message);
      assert.equal(out.metadata.codec, caps.formats.webm.codecs[0]);
      assert.equal(out.metadata.frames, FRAMES);
    });

    test('the hostile corpus gives its codes, and a valid job works after it', async () => {
      const manifest = path.join(corpusDir, 'manifest.json');
      assert.ok(fs.existsSync(manifest), `${manifest} is missing: run \`cargo test --test hostile\` first`);
      const corpus = JSON.parse(fs.readFileSync(manifest, 'utf8')).map((c) => ({
        name: c.name, code: c.code, bytes: fs.readFileSync(path.join(corpusDir, c.file)).toString('base64'),
      }));
      const out = await page.evaluate(async (corpus) => {
        const small = { format: 'avi', duration: 1, fps: 8, resolution: '160x120', motion: 'camera', history: false, analysisCache: false };
        const wrong = [];
        for (const c of corpus) {
          const bytes = Uint8Array.from(atob(c.bytes), (ch) => ch.charCodeAt(0));
          const error = await quantonium.generateVideo(bytes, small).then(() => null, (e) => e);
          if (error?.code !== c.code) wrong.push(`${c.name}: ${error ? `${error.code} (${error.message})` : 'succeeded'}, want ${c.code}`);
        }
        return wrong;
      }, corpus);
      assert.deepEqual(out, []);
      const valid = await page.evaluate(generateInPage, fs.readFileSync(image).toString('base64'), { ...JOB, format: 'avi', duration: 1, fps: 8, resolution: '160x120' });
      assert.equal(valid.ok, true, valid.message);
      assert.equal(valid.metadata.frames, 8);
    });

    test('the demo page: choose a photo, Generate, and the Download link holds the video', async () => {
      await page.setInputFile('#image', image);
      const out = await page.evaluate(async () => {
        const $ = (id) => /** @type {any} */ (document.getElementById(id));
        const set = (id, value) => {
          $(id).value = value;
          $(id).dispatchEvent(new Event('change', { bubbles: true }));
          $(id).dispatchEvent(new Event('input', { bubbles: true }));
        };
        for (let i = 0; $('generate').disabled && i < 200; i++) await new Promise((r) => setTimeout(r, 50));
        set('format', 'avi');
        set('duration', '1');
        set('fps', '12');
        set('resolution', '512x512');
        // The page's CSP keeps fetch() away from blob: URLs, so the Blob behind the link is taken
        // as the page makes its URL.
        const blobs = new Map();
        const createObjectURL = URL.createObjectURL;
        URL.createObjectURL = (blob) => {
          const url = createObjectURL(blob);
          blobs.set(url, blob);
          return url;
        };
        const before = $('download').getAttribute('href');
        $('generate').click();
        for (let i = 0; i < 1200; i++) {
          await new Promise((r) => setTimeout(r, 50));
          const error = $('error');
          if (!error.hidden && error.textContent) return { error: error.textContent };
          if (!$('generate').disabled && $('download').getAttribute('href') !== before) break;
        }
        URL.createObjectURL = createObjectURL;
        const blob = blobs.get($('download').getAttribute('href'));
        if (!blob) return { error: `the Download link is ${$('download').getAttribute('href')}, not a video made by the page` };
        const data = new Uint8Array(await blob.arrayBuffer());
        let s = '';
        for (let i = 0; i < data.length; i += 0x8000) s += String.fromCharCode(...data.subarray(i, i + 0x8000));
        return { name: $('download').download, video: btoa(s) };
      });
      assert.equal(out.error, undefined, out.error);
      assert.match(out.name, /\.avi$/);
      const { info, errors } = checkVideo(`${engine}-demo.avi`, out.video);
      assert.deepEqual([info.codec, info.width, info.height, info.frames], ['mjpeg', 512, 512, 12]);
      assert.equal(errors, '');
    });

    test('offline: with the server gone, the PWA reloads from its service worker and makes a video', async () => {
      await page.evaluate(async () => {
        const started = Date.now();
        while (!navigator.serviceWorker.controller) {
          if (Date.now() - started > 60_000) throw new Error('the service worker never took control');
          await new Promise((r) => setTimeout(r, 100));
        }
      });
      const url = server.url;
      await server.close();
      server = null;
      await page.goto(url);
      await page.evaluate(engineReady);
      const out = await page.evaluate(generateInPage, fs.readFileSync(image).toString('base64'), { ...JOB, format: 'avi', duration: 1, fps: 8, resolution: '160x120' });
      assert.equal(out.ok, true, out.message);
      assert.equal(out.metadata.frames, 8);
      assert.equal(out.metadata.threads, caps.threads.poolSize, 'the cached responses kept their isolation headers');
    });
  });
}
