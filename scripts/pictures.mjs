// The README's pictures, made from the built demo (`npm run build` first):
//   docs/images/demo.jpg    the demo page after a video is made (preview, analysis, result);
//   docs/images/frames.jpg  four frames of that video, side by side;
//   docs/images/sky.jpg     three frames of a `sky` video of the generated sky scene (scenes.js).
// The photo is scikit-image's `coffee` (CC0, Rachel Michetti), taken from the scikit-image wheel on
// PyPI (`pip download`, so this script needs PyPI; nothing else does). Run: node scripts/pictures.mjs
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { launchBrowser } from './browser.js';
import { skyScene } from './scenes.js';
import { serve } from './serve.js';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const work = path.join(root, 'target', 'pictures');
const images = path.join(root, 'docs', 'images');
fs.mkdirSync(work, { recursive: true });
fs.mkdirSync(images, { recursive: true });

const photo = path.join(work, 'coffee.png');
if (!fs.existsSync(photo)) {
  execFileSync('pip', ['download', 'scikit-image==0.25.2', '--no-deps', '--only-binary=:all:', '-q', '-d', work], { stdio: 'inherit' });
  const wheel = fs.readdirSync(work).find((f) => f.startsWith('scikit_image') && f.endsWith('.whl'));
  if (!wheel) throw new Error('the scikit-image wheel did not download');
  execFileSync('python3', ['-c', `import zipfile,sys; open(sys.argv[2],'wb').write(zipfile.ZipFile(sys.argv[1]).read('skimage/data/coffee.png'))`,
    path.join(work, wheel), photo]);
}

const server = await serve({ dir: path.join(root, 'dist'), port: 0, isolation: true });
const url = `http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (server.address()).port}/`;
const browser = await launchBrowser();
try {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 1000 } });
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForSelector('html[data-engine-ready]', { timeout: 60_000 });
  await page.setInputFiles('#image', photo);
  await page.selectOption('#motion', 'resonance+camera');
  await page.selectOption('#resolution', '512x512');
  await page.fill('#duration', '4');
  await page.click('#generate');
  await page.waitForSelector('#result:not([hidden])', { timeout: 120_000 });
  await page.waitForTimeout(500);
  await page.screenshot({ path: path.join(images, 'demo.jpg'), type: 'jpeg', quality: 80, fullPage: true });
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
  const video = path.join(work, 'video.mp4');
  await download.saveAs(video);
  // Frames 0, 32, 64 and 95 of 96, 240 px each, in a row.
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', video, '-vf',
    "select='eq(n\\,0)+eq(n\\,32)+eq(n\\,64)+eq(n\\,95)',scale=240:240,tile=4x1:padding=6:color=white", '-frames:v', '1', '-q:v', '3',
    path.join(images, 'frames.jpg')]);

  // The sky: clouds over hills, trees and a pole, at the largest amplitude so the drift shows in
  // small frames. Frames 0, 16 and 32 of 48 (2 s).
  const sky = await page.evaluate(async (bytes) => {
    const file = new File([new Uint8Array(bytes)], 'sky.png', { type: 'image/png' });
    const q = /** @type {any} */ (globalThis).quantonium;
    const result = await q.generateVideo(file, { motion: 'sky', resolution: '512x384', duration: 2, amplitude: 19, history: false });
    return [...new Uint8Array(await result.blob.arrayBuffer())];
  }, [...skyScene().png]);
  const skyVideo = path.join(work, 'sky.mp4');
  fs.writeFileSync(skyVideo, Buffer.from(sky));
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', skyVideo, '-vf',
    "select='eq(n\\,0)+eq(n\\,16)+eq(n\\,32)',scale=320:240,tile=3x1:padding=6:color=white", '-frames:v', '1', '-q:v', '3',
    path.join(images, 'sky.jpg')]);
} finally {
  await browser.close();
  server.close();
}
console.log(`wrote ${path.relative(root, images)}/demo.jpg, frames.jpg and sky.jpg`);
