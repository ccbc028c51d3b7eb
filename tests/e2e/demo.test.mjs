// End to end: the real demo page, in headless Chromium, makes videos that an independent tool
// (ffprobe/ffmpeg) reads back with the right codec, size, frame count and duration.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  colorOf, decodeErrors, download, generate, grayFrame, launchBrowser, makeImage, makeMeadow, makeSkyScene, meanDiffRect, meanDiffRows, openDemo, probe, psnrOf,
  sha256File, startServer, tmp,
} from './harness.mjs';

let browser;
let isolated;
let plain;
let square;
let wide;
let meadow;

before(async () => {
  browser = await launchBrowser();
  isolated = await startServer({ isolation: true });
  plain = await startServer({ isolation: false });
  square = makeImage('square.jpg', '1536x1536', ['-q:v', '2']);
  wide = makeImage('wide.png', '2048x1536');
  meadow = makeMeadow();
});

after(async () => {
  await browser?.close();
  await isolated?.close();
  await plain?.close();
});

describe('on a cross-origin isolated page', () => {
  test('threads and SIMD are really on, and the encoders are probed', async () => {
    const { page, problems } = await openDemo(browser, isolated.url);
    const info = await page.textContent('#engine-info');
    assert.match(info, /\d+ threads · SIMD/);
    assert.ok(Number(info.match(/(\d+) threads/)[1]) >= 2, info);
    assert.equal(await page.evaluate(() => self.crossOriginIsolated), true);
    // No format is marked unsupported on this browser.
    assert.deepEqual(await page.$$eval('#format option:disabled', (o) => o.length), 0);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('mp4: H.264 with the requested size, frames and duration; frame 0 is the input', async () => {
    const { page, problems } = await openDemo(browser, isolated.url);
    const { error } = await generate(page, { image: square, format: 'mp4', duration: '1', fps: '24', resolution: '512x512' });
    assert.equal(error, null);
    const { file, name } = await download(page);
    assert.match(name, /^quantonium_\d{8}_\d{6}\.mp4$/);
    assert.match(await page.textContent('#download'), /Download/);
    const p = probe(file);
    assert.equal(p.codec, 'h264');
    assert.deepEqual([p.width, p.height, p.frames], [512, 512, 24]);
    assert.ok(Math.abs(p.duration - 1) <= 1 / 24, `duration ${p.duration} (within one frame of 1 s)`);
    assert.equal(await page.textContent('#sha256'), sha256File(file), 'the shown SHA-256 is the file\'s');
    const metadata = await page.textContent('#metadata');
    assert.match(metadata, /Frames24/);
    assert.match(metadata, /Threads[2-9]/);
    // Frame 0 is the input, fitted: compare with ffmpeg's own area downscale of the image.
    const psnr = psnrOf(file, square, 512, 512);
    assert.ok(psnr > 28, `frame 0 vs input: ${psnr} dB`);
    // The preview canvas shows a real frame (not blank), at the size it is displayed at (the
    // video's aspect, no larger than the video or than its box on the screen).
    const spread = await page.evaluate(() => {
      const c = /** @type {HTMLCanvasElement} */ (document.getElementById('preview'));
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let lo = 255, hi = 0;
      for (let i = 0; i < d.length; i += 97) { lo = Math.min(lo, d[i]); hi = Math.max(hi, d[i]); }
      const box = c.getBoundingClientRect();
      return { w: c.width, h: c.height, range: hi - lo, boxW: box.width * devicePixelRatio, boxH: box.height * devicePixelRatio };
    });
    assert.equal(spread.w, spread.h, `a square video previews square: ${spread.w}x${spread.h}`);
    assert.ok(spread.w <= 512 && spread.w <= Math.ceil(spread.boxW) && spread.h <= Math.ceil(spread.boxH), JSON.stringify(spread));
    assert.ok(spread.w >= Math.min(512, Math.floor(spread.boxW), Math.floor(spread.boxH)), `the preview fills its box: ${JSON.stringify(spread)}`);
    assert.ok(spread.range > 100, `preview range ${spread.range}`);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('webm: VP9 with the requested size and frames', async () => {
    const { page, problems } = await openDemo(browser, isolated.url);
    const { error } = await generate(page, { image: wide, format: 'webm', duration: '1.5', fps: '20', resolution: '1280x720' });
    assert.equal(error, null);
    const { file, name } = await download(page);
    assert.match(name, /\.webm$/);
    const p = probe(file);
    assert.equal(p.codec, 'vp9');
    assert.deepEqual([p.width, p.height, p.frames], [1280, 720, 30]);
    assert.ok(Math.abs(p.duration - 1.5) <= 1 / 20, `duration ${p.duration} (within one frame of 1.5 s)`);
    assert.equal(decodeErrors(file), '');
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('avi: Motion-JPEG that ffmpeg decodes frame by frame', async () => {
    const { page, problems } = await openDemo(browser, isolated.url);
    const { error } = await generate(page, { image: square, format: 'avi', duration: '1', fps: '12', resolution: '512x512' });
    assert.equal(error, null);
    const { file, name } = await download(page);
    assert.match(name, /\.avi$/);
    const p = probe(file);
    assert.equal(p.codec, 'mjpeg');
    assert.equal(p.container, 'avi');
    assert.deepEqual([p.width, p.height, p.frames], [512, 512, 12]);
    assert.equal(p.fps, '12/1');
    assert.ok(Math.abs(p.duration - 1) <= 1 / 12, `duration ${p.duration} (within one frame of 1 s)`);
    assert.equal(decodeErrors(file), '');
    const psnr = psnrOf(file, square, 512, 512);
    assert.ok(psnr > 28, `frame 0 vs input: ${psnr} dB`);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('resonance: the grass sways, the sky stays, the analysis is shown, the loop closes', async () => {
    const { page, problems } = await openDemo(browser, isolated.url);
    await page.selectOption('#motion', 'resonance');
    const { error } = await generate(page, { image: meadow, format: 'avi', duration: '1', fps: '24', resolution: '512x512' });
    assert.equal(error, null);
    assert.ok(await page.isVisible('#analysis'), 'the Analysis panel is shown');
    assert.match(await page.textContent('#analysis-summary'), /may move/);
    // The maps are drawn over the photo: the sky, where nothing may move and so no glow is drawn,
    // shows the photo's own sky, dimmed, not black.
    const mapsSky = await page.evaluate(() => {
      const c = /** @type {HTMLCanvasElement} */ (document.getElementById('maps'));
      const d = c.getContext('2d').getImageData(0, 0, c.width, Math.round(c.height * 0.25)).data;
      let blue = 0;
      for (let i = 0; i < d.length; i += 4) blue += d[i + 2];
      return blue / (d.length / 4);
    });
    assert.ok(mapsSky > 40, `the maps' sky is the photo's (mean blue ${mapsSky.toFixed(1)})`);
    const metadata = await page.textContent('#metadata');
    assert.match(metadata, /Motionresonance/);
    const amplitude = Number(metadata.match(/Amplitude([\d.]+) px/)?.[1]);
    assert.ok(amplitude > 4.5 && amplitude <= 5.12, `amplitude ${amplitude} px (1% of 512 unless the fold-over guard cut it)`);
    const { file } = await download(page);
    const p = probe(file);
    assert.deepEqual([p.width, p.height, p.frames], [512, 512, 24]);
    // The 1024x768 meadow is cover-fitted to 512x512: sky above y≈204, grass below.
    const f0 = grayFrame(file, 0, 512, 512);
    const mid = grayFrame(file, 12, 512, 512);
    const last = grayFrame(file, 23, 512, 512);
    const sky = meanDiffRows(f0, mid, 512, 10, 150);
    const grass = meanDiffRows(f0, mid, 512, 300, 470);
    assert.ok(grass > 4 && grass > 5 * sky, `mean change: grass ${grass.toFixed(2)}, sky ${sky.toFixed(2)}`);
    // Seamless loop: the last frame is close to the first, as close as neighbouring frames are.
    const seam = meanDiffRows(last, f0, 512, 300, 470);
    const step = meanDiffRows(grayFrame(file, 11, 512, 512), mid, 512, 300, 470);
    assert.ok(seam < 2 * step + 0.5, `seam ${seam.toFixed(2)} vs step ${step.toFixed(2)}`);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('flow and shimmer: the grass moves, the sky stays, the loop closes', async () => {
    const { page, problems } = await openDemo(browser, isolated.url);
    // Flow through WebCodecs (its frames rendered in I420), shimmer through the AVI path (RGBA).
    for (const [motion, format, codec] of [['flow', 'mp4', 'h264'], ['shimmer', 'avi', 'mjpeg']]) {
      await page.selectOption('#motion', motion);
      const { error } = await generate(page, { image: meadow, format, duration: '1', fps: '24', resolution: '512x512' });
      assert.equal(error, null, motion);
      assert.match(await page.textContent('#metadata'), new RegExp(`Motion${motion}`));
      const { file } = await download(page);
      assert.deepEqual([probe(file).frames, probe(file).codec], [24, codec], motion);
      // Frame 6, not 12: flow looks the same every half cycle (its two copies swap), which in a
      // 1 s video is 12 frames.
      const [f0, mid, last] = [0, 6, 23].map((i) => grayFrame(file, i, 512, 512));
      const sky = meanDiffRows(f0, mid, 512, 10, 150);
      const grass = meanDiffRows(f0, mid, 512, 300, 470);
      assert.ok(grass > 1.5 && grass > 5 * sky, `${motion}: mean change grass ${grass.toFixed(2)}, sky ${sky.toFixed(2)}`);
      const seam = meanDiffRows(last, f0, 512, 300, 470);
      const step = meanDiffRows(grayFrame(file, 5, 512, 512), mid, 512, 300, 470);
      assert.ok(seam < 2 * step + 0.5, `${motion}: seam ${seam.toFixed(2)} vs step ${step.toFixed(2)}`);
    }
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('sky: the clouds drift while the land never changes', async () => {
    const { page, problems } = await openDemo(browser, isolated.url);
    await page.selectOption('#motion', 'sky');
    const scene = makeSkyScene();
    // AVI: each frame is coded on its own, so unchanged pixels give unchanged JPEG blocks.
    const { error } = await generate(page, { image: scene.file, format: 'avi', duration: '2', fps: '12', resolution: '512x512' });
    assert.equal(error, null);
    assert.match(await page.textContent('#metadata'), /Motionsky/);
    const { file } = await download(page);
    assert.equal(probe(file).frames, 24);
    // The 1024x768 scene is cover-fitted to 512x512 (its centre 768 columns, scaled by 1/1.5): the
    // land lies below y ≈ 331, the sky above y ≈ 283.
    const [f0, mid] = [0, 12].map((i) => grayFrame(file, i, 512, 512));
    const land = meanDiffRect(f0, mid, 512, 0, 512, 352, 512);
    const sky = meanDiffRect(f0, mid, 512, 0, 512, 16, 240);
    assert.equal(land, 0, `the land changed by ${land}`);
    assert.ok(sky > 3, `the sky changed by ${sky.toFixed(2)}`);
    // All across: a column of sky taken for ground would stand still as a bar.
    const bands = Array.from({ length: 8 }, (_, i) => meanDiffRect(f0, mid, 512, 64 * i, 64 * i + 64, 16, 240));
    assert.ok(bands.every((b) => b > 1), `the sky's change in bands of 64 columns: ${bands.map((b) => b.toFixed(2)).join(', ')}`);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('an arrow drawn over the grass steers flow: the grass moves near it, not far from it', async () => {
    const { page, problems } = await openDemo(browser, isolated.url);
    await page.selectOption('#motion', 'flow');
    await page.setInputFiles('#image', meadow);
    await page.waitForSelector('#anchors-block:not([hidden])');
    await page.check('#tool-arrow');
    // Left to right at 92 % of the height, from 20 % to 80 % of the width.
    await page.locator('#anchors').scrollIntoViewIfNeeded();
    const box = await page.locator('#anchors').boundingBox();
    await page.mouse.move(box.x + 0.2 * box.width, box.y + 0.92 * box.height);
    await page.mouse.down();
    for (let i = 1; i <= 12; i++) await page.mouse.move(box.x + (0.2 + 0.05 * i) * box.width, box.y + 0.92 * box.height);
    await page.mouse.up();
    const { error } = await generate(page, { image: meadow, format: 'avi', duration: '1', fps: '24', resolution: '512x512' });
    assert.equal(error, null);
    const { file } = await download(page);
    const [f0, f6] = [grayFrame(file, 0, 512, 512), grayFrame(file, 6, 512, 512)];
    // The arrow lies at y ≈ 471 of the output; the grass begins at y ≈ 205.
    const near = meanDiffRect(f0, f6, 512, 64, 448, 448, 496);
    const far = meanDiffRect(f0, f6, 512, 64, 448, 216, 264);
    assert.ok(near > 4 && far < 0.5 * near, `grass change near the arrow ${near.toFixed(2)}, far from it ${far.toFixed(2)}`);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('gif: an animated GIF that ffprobe reads, shown as an image, looping for ever', async () => {
    const { page, problems } = await openDemo(browser, isolated.url);
    await page.selectOption('#motion', 'resonance');
    const { error } = await generate(page, { image: meadow, format: 'gif', duration: '1', fps: '12', resolution: '512x512' });
    assert.equal(error, null);
    assert.equal(await page.isVisible('#gif'), true);
    assert.equal(await page.isVisible('#video'), false);
    const { file, name } = await download(page);
    assert.match(name, /\.gif$/);
    const p = probe(file);
    assert.deepEqual([p.codec, p.width, p.height, p.frames], ['gif', 512, 512, 12]);
    assert.ok(fs.readFileSync(file).includes('NETSCAPE2.0'), 'the loop extension');
    // The sky is still under resonance: its pixels are the same in every frame.
    const [f0, f6] = [grayFrame(file, 0, 512, 512), grayFrame(file, 6, 512, 512)];
    assert.equal(meanDiffRows(f0, f6, 512, 10, 150), 0);
    assert.ok(meanDiffRows(f0, f6, 512, 300, 470) > 1, 'the grass moves');
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('anchors painted over the grass keep it still while the rest sways', async () => {
    const { page, problems } = await openDemo(browser, isolated.url);
    await page.selectOption('#motion', 'resonance');
    await page.setInputFiles('#image', meadow);
    await page.waitForSelector('#anchors-block:not([hidden])');
    // Paint a stroke across the grass at 80 % of the height, from 30 % to 50 % of the width.
    const box = await page.locator('#anchors').boundingBox();
    await page.mouse.move(box.x + 0.3 * box.width, box.y + 0.8 * box.height);
    await page.mouse.down();
    for (let i = 1; i <= 10; i++) await page.mouse.move(box.x + (0.3 + 0.02 * i) * box.width, box.y + 0.8 * box.height);
    await page.mouse.up();
    const { error } = await generate(page, { image: meadow, format: 'avi', duration: '1', fps: '24', resolution: '512x512' });
    assert.equal(error, null);
    const { file } = await download(page);
    const [f0, f12] = [grayFrame(file, 0, 512, 512), grayFrame(file, 12, 512, 512)];
    // In the output (the centre 768x768 of the 1024x768 meadow, scaled by 1/1.5), the
    // stroke covers x ≈ 119..256, y ≈ 385..433; whole JPEG blocks inside it must not change at all.
    const anchored = meanDiffRect(f0, f12, 512, 144, 240, 400, 432);
    const free = meanDiffRect(f0, f12, 512, 300, 480, 300, 470);
    assert.equal(anchored, 0, `anchored grass changed by ${anchored}`);
    assert.ok(free > 4, `free grass changed by ${free}`);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('camera mp4: frames reach the encoder as BT.709 limited-range I420; frame 0 is the input', async () => {
    const { page, problems } = await openDemo(browser, isolated.url);
    await page.selectOption('#motion', 'camera');
    const { error } = await generate(page, { image: square, format: 'mp4', duration: '1', fps: '24', resolution: '512x512' });
    assert.equal(error, null);
    const { file } = await download(page);
    const p = probe(file);
    assert.deepEqual([p.codec, p.width, p.height, p.frames], ['h264', 512, 512, 24]);
    assert.deepEqual(colorOf(file), { color_range: 'tv', color_space: 'bt709', color_primaries: 'bt709', color_transfer: 'bt709' });
    assert.equal(decodeErrors(file), '');
    // Colours survive the engine's own RGB → Y'CbCr conversion (a wrong matrix or range costs
    // far more than this: a full-range stream read as limited measures about 20 dB).
    const psnr = psnrOf(file, square, 512, 512);
    assert.ok(psnr > 28, `frame 0 vs input: ${psnr} dB`);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('camera: the looped zoom goes in and comes back; unlooped it ends zoomed in', async () => {
    const { page, problems } = await openDemo(browser, isolated.url);
    await page.selectOption('#motion', 'camera');
    const looped = await generate(page, { image: square, format: 'avi', duration: '1', fps: '24', resolution: '512x512' });
    assert.equal(looped.error, null);
    assert.match(await page.textContent('#metadata'), /Motioncamera/);
    let file = (await download(page)).file;
    assert.deepEqual([probe(file).codec, probe(file).frames], ['mjpeg', 24]);
    const diff = (a, b) => meanDiffRows(grayFrame(file, a, 512, 512), grayFrame(file, b, 512, 512), 512, 0, 512);
    assert.ok(diff(0, 12) > 10, `halfway the view is zoomed: ${diff(0, 12)}`);
    assert.ok(diff(0, 23) < diff(0, 12) / 4, `the loop comes back: ${diff(0, 23)} vs ${diff(0, 12)}`);
    await page.uncheck('#loop');
    const oneWay = await generate(page, { image: square, format: 'avi', duration: '1', fps: '24', resolution: '512x512' });
    assert.equal(oneWay.error, null);
    file = (await download(page)).file;
    assert.ok(diff(0, 23) > diff(0, 12), `one way ends furthest from the start: ${diff(0, 23)} vs ${diff(0, 12)}`);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('a file that is not an image gives UNSUPPORTED_FORMAT, and the page stays usable', async () => {
    const { page, problems } = await openDemo(browser, isolated.url);
    const fake = path.join(tmp, 'notes.png');
    fs.writeFileSync(fake, 'these are not the pixels you are looking for');
    const { error } = await generate(page, { image: fake });
    assert.match(error ?? '', /UNSUPPORTED_FORMAT/);
    const second = await generate(page, { image: square, duration: '0.5', resolution: '512x512' });
    assert.equal(second.error, null);
    assert.equal(probe((await download(page)).file).frames, 12);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('Cancel stops a long job with ABORTED, and the next job works', async () => {
    const { page, problems } = await openDemo(browser, isolated.url);
    await page.setInputFiles('#image', square);
    await page.selectOption('#format', 'mp4');
    await page.fill('#duration', '30');
    await page.selectOption('#resolution', '1024x1024');
    await page.click('#generate');
    await page.waitForFunction(() => /frame ([5-9]|\d\d+) \//.test(document.getElementById('progress-text')?.textContent ?? ''), null, { timeout: 60_000 });
    const clicked = Date.now();
    await page.click('#cancel');
    await page.waitForSelector('[role="alert"]:not([hidden])', { timeout: 5_000 });
    const stoppedMs = Date.now() - clicked;
    assert.match(await page.textContent('[role="alert"]'), /ABORTED/);
    assert.ok(stoppedMs < 1000, `cancel took ${stoppedMs} ms`);
    // No more progress after the abort.
    const text = await page.textContent('#progress-text');
    await page.waitForTimeout(500);
    assert.equal(await page.textContent('#progress-text'), text);
    const { error } = await generate(page, { image: square, duration: '0.5', resolution: '512x512' });
    assert.equal(error, null);
    assert.deepEqual(problems, []);
    await page.close();
  });
});

describe('without cross-origin isolation', () => {
  test('the engine falls back to one thread, says so, and still makes a video', async () => {
    // Without the service worker, which would isolate the page after a reload (see pwa.test.mjs).
    const { page, problems } = await openDemo(browser, plain.url, { serviceWorkers: 'block' });
    assert.equal(await page.evaluate(() => self.crossOriginIsolated), false);
    assert.match(await page.textContent('#engine-info'), /single thread · SIMD/);
    const { error } = await generate(page, { image: square, format: 'mp4', duration: '0.5', fps: '24', resolution: '512x512' });
    assert.equal(error, null);
    assert.match(await page.textContent('#metadata'), /Threads1/);
    const p = probe((await download(page)).file);
    assert.deepEqual([p.codec, p.frames], ['h264', 12]);
    assert.deepEqual(problems, []);
    await page.close();
  });
});
