// End to end: what the library keeps in IndexedDB. The analysis cache (a second video of the same
// image skips the analysis and is byte-identical; a corrupted or expired entry is dropped and made
// again; `analysisCache: false` neither reads nor writes) and the job history (done and failed
// jobs, kept videos under their cap, the demo's list).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { makeMeadow, startSession } from './harness.mjs';

let browser;
let server;
/** @type {() => Promise<void>} */
let close;
let page;
let imageBytes;

before(async () => {
  ({ browser, server, page, close } = await startSession({ serviceWorkers: 'block' }));
  imageBytes = [...fs.readFileSync(makeMeadow())];
});

after(() => close?.());

/** AVI (encoded in Rust, so byte-deterministic) of the meadow; resolves with what the test checks. */
const run = (options = {}) => page.evaluate(async ({ bytes, options }) => {
  const r = await quantonium.generateVideo(new Uint8Array(bytes), { format: 'avi', duration: 0.5, fps: 8, resolution: '768x768', quantumPrecision: 1024, ...options });
  return { sha256: r.sha256, cached: r.metadata.analysisCached, setupMs: r.metadata.setupMs, total: r.metadata.processingTimeMs };
}, { bytes: imageBytes, options });

/** Applies `change` to every record of the analysis store, from the page (same origin, same database). */
const tamper = (change) => page.evaluate((change) => new Promise((resolve, reject) => {
  const open = indexedDB.open('quantonium-video');
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const tx = open.result.transaction('analysis', 'readwrite');
    const cursor = tx.objectStore('analysis').openCursor();
    let n = 0;
    cursor.onsuccess = () => {
      const c = cursor.result;
      if (!c) return;
      const entry = c.value;
      if (change === 'corrupt') new Uint8Array(entry.payload)[100] ^= 0xff;
      if (change === 'age') entry.created -= 8 * 24 * 3600 * 1000;
      c.update(entry);
      n++;
      c.continue();
    };
    tx.oncomplete = () => { open.result.close(); resolve(n); };
    tx.onerror = () => reject(tx.error);
  };
}), change);

test('the second video of the same image skips the analysis and is byte-identical', async () => {
  const first = await run();
  const second = await run();
  console.log(`setup ${first.setupMs} ms analysed, ${second.setupMs} ms cached; whole job ${first.total} / ${second.total} ms`);
  assert.equal(first.cached, false);
  assert.equal(second.cached, true);
  assert.equal(second.sha256, first.sha256);
  assert.ok(second.setupMs < first.setupMs, `setup ${second.setupMs} ms cached vs ${first.setupMs} ms`);
  const other = await run({ quantumPrecision: 512 });
  assert.equal(other.cached, false, 'other analysis options, other entry');
});

test('a corrupted or expired entry is dropped and made again; analysisCache: false never reads it', async () => {
  const reference = await run();
  assert.equal(reference.cached, true);
  assert.ok((await tamper('corrupt')) >= 1);
  const afterCorruption = await run();
  assert.equal(afterCorruption.cached, false, 'the integrity hash caught the corruption');
  assert.equal(afterCorruption.sha256, reference.sha256);
  assert.equal((await run()).cached, true, 'rewritten');
  await tamper('age');
  assert.equal((await run()).cached, false, 'older than seven days');
  assert.equal((await run({ analysisCache: false })).cached, false);
  const bad = await page.evaluate(() => quantonium.generateVideo(new Uint8Array(4), { analysisCache: 'yes' }).catch((e) => e.code));
  assert.equal(bad, 'INVALID_OPTION');
});

test('history: one record per job, done or failed, newest first; kept videos within their cap; the demo lists and clears it', async () => {
  const out = await page.evaluate(async ({ bytes }) => {
    await quantonium.history.clear();
    const input = new Uint8Array(bytes);
    const digest = async (data) => [...new Uint8Array(await crypto.subtle.digest('SHA-256', data))].map((b) => b.toString(16).padStart(2, '0')).join('');
    const options = { format: 'avi', duration: 0.5, fps: 8, resolution: '256x256', motion: 'camera' };
    const done = await quantonium.generateVideo(input, { ...options, keepVideos: 50e6 });
    const failed = await quantonium.generateVideo(new Uint8Array([1, 2, 3, 4]), { ...options, format: 'webm' }).catch((e) => e.code);
    const first = await quantonium.history.list();
    const kept = await quantonium.history.video(first[1].id);
    // A cap that holds one video but not two: the older one is dropped, its record stays.
    const cap = Math.floor(done.blob.size * 1.5);
    await quantonium.generateVideo(input, { ...options, seed: 1, keepVideos: cap });
    await quantonium.generateVideo(input, { ...options, seed: 2, keepVideos: cap });
    await quantonium.generateVideo(input, { ...options, seed: 3, history: false });
    const second = await quantonium.history.list();
    return { first, failed, keptSize: kept?.size, doneSize: done.blob.size, doneSha: done.sha256, inputSha: await digest(input), second };
  }, { bytes: imageBytes });
  assert.equal(out.failed, 'UNSUPPORTED_FORMAT');
  const [fail, ok] = out.first;
  assert.deepEqual([fail.status, fail.error.code, fail.format, fail.outputSha256, fail.hasVideo], ['failed', 'UNSUPPORTED_FORMAT', 'webm', null, false]);
  assert.deepEqual([ok.status, ok.error, ok.format, ok.motion, ok.resolution, ok.fps, ok.duration], ['done', null, 'avi', 'camera', '256x256', 8, 0.5]);
  assert.deepEqual([ok.inputSha256, ok.outputSha256, ok.outputBytes, ok.hasVideo], [out.inputSha, out.doneSha, out.doneSize, true]);
  assert.deepEqual([ok.quantumPrecision, ok.resonanceDepth], [512, 8]);
  assert.ok(ok.processingTimeMs > 0 && ok.timestamp <= fail.timestamp);
  assert.equal(out.keptSize, out.doneSize);
  assert.equal(out.second.length, 4, 'history: false recorded nothing');
  assert.deepEqual(out.second.map((e) => e.hasVideo), [true, false, false, false], 'only the newest video fits the cap');

  // The demo lists it and clears it.
  await page.reload();
  await page.waitForSelector('html[data-engine-ready]');
  await page.waitForSelector('#history tbody tr');
  assert.equal(await page.locator('#history tbody tr').count(), 4);
  assert.equal(await page.locator('#history tbody tr[data-status="failed"]').count(), 1);
  await page.click('#clear-history');
  await page.waitForSelector('#history', { state: 'hidden' });
  assert.deepEqual(await page.evaluate(() => quantonium.history.list()), []);
});
