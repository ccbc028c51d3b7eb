// Shared set-up for the end-to-end tests: static servers for dist/ (with and without the
// cross-origin isolation headers), headless Debian Chromium driven by playwright-core (never a
// downloaded browser), test images made by ffmpeg, and ffprobe/ffmpeg to check produced files.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from '../../scripts/browser.js';
import { skyScene } from '../../scripts/scenes.js';
import { serve } from '../../scripts/serve.js';

export { CHROMIUM_ARGS, launchBrowser } from '../../scripts/browser.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const dist = path.join(root, 'dist');

export const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'quantonium-e2e-'));

/** Starts a server on a free port; returns its base URL and a close function. */
export async function startServer({ isolation = true } = {}) {
  if (!fs.existsSync(path.join(dist, 'index.html'))) throw new Error('dist/ is missing: run `npm run build` first');
  const server = await serve({ dir: dist, port: 0, isolation });
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((r) => server.close(r)) };
}

/**
 * Opens the demo page and fails the test on any uncaught page error or request that leaves the origin.
 * `serviceWorkers: 'block'` keeps the demo's service worker out (it would make the page cross-origin
 * isolated after a reload, see www/app/sw.js).
 * @param {import('playwright-core').Browser} browser @param {string} url
 * @param {{ serviceWorkers?: 'allow' | 'block' }} [options]
 */
export async function openDemo(browser, url, { serviceWorkers = 'allow' } = {}) {
  const context = await browser.newContext({ acceptDownloads: true, serviceWorkers });
  const page = await context.newPage();
  // The page is the context's only one: closing it closes the context (and its downloads, storage).
  page.on('close', () => context.close().catch(() => {}));
  const problems = [];
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('request', (req) => {
    const u = req.url();
    if (!u.startsWith(url) && !u.startsWith('blob:') && !u.startsWith('data:')) problems.push(`request left the origin: ${u}`);
  });
  await page.goto(url);
  await page.waitForSelector('html[data-engine-ready]', { timeout: 60_000 });
  return { page, context, problems };
}

/**
 * What most test files share: headless Chromium, the built demo served (with the isolation headers
 * unless told otherwise) and, unless `page: false`, one demo page on it. `close()` ends all of it;
 * call it from the file's `after`, where it is safe even if the start failed half-way.
 * @param {{ page?: boolean, isolation?: boolean, serviceWorkers?: 'allow' | 'block' }} [options]
 */
export async function startSession({ page: withPage = true, isolation = true, serviceWorkers = 'allow' } = {}) {
  const browser = await launchBrowser();
  /** @type {Awaited<ReturnType<typeof startServer>> | null} */
  let server = null;
  const close = async () => {
    await browser.close();
    await server?.close();
  };
  try {
    server = await startServer({ isolation });
    const opened = withPage ? await openDemo(browser, server.url, { serviceWorkers }) : { page: null, problems: [] };
    return { browser, server, page: opened.page, problems: opened.problems, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Makes a test image with ffmpeg's deterministic test pattern. */
export function makeImage(name, size, extra = []) {
  const file = path.join(tmp, name);
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=1`, '-frames:v', '1', ...extra, file]);
  return file;
}

/**
 * Fills the form, clicks Generate and waits for the result or the error.
 * @param {import('playwright-core').Page} page
 */
export async function generate(page, { image, format = 'mp4', duration = '1', fps = '24', resolution = '512x512' }) {
  await page.setInputFiles('#image', image);
  await page.selectOption('#format', format);
  await page.fill('#duration', duration);
  await page.fill('#fps', fps);
  await page.selectOption('#resolution', resolution);
  await page.click('#generate');
  await page.waitForSelector('#generate:not([disabled])', { timeout: 120_000 });
  const error = await page.locator('[role="alert"]');
  if (await error.isVisible()) return { error: await error.textContent() };
  return { error: null };
}

/** Clicks the Download link and saves the file; returns its path and suggested name. */
export async function download(page) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
  const file = path.join(tmp, `${Date.now()}-${dl.suggestedFilename()}`);
  await dl.saveAs(file);
  return { file, name: dl.suggestedFilename() };
}

/** ffprobe's view of the first video stream, with frames really counted by decoding. */
export function probe(file) {
  const out = execFileSync('ffprobe', [
    '-v', 'error', '-count_frames', '-select_streams', 'v:0',
    '-show_entries', 'stream=codec_name,width,height,nb_read_frames,avg_frame_rate:format=duration,format_name',
    '-of', 'json', file,
  ]);
  const json = JSON.parse(out.toString());
  const s = json.streams[0];
  return {
    codec: s.codec_name, width: s.width, height: s.height, frames: Number(s.nb_read_frames),
    fps: s.avg_frame_rate, duration: Number(json.format.duration), container: json.format.format_name,
  };
}

/** The colour description ffprobe reads from the first video stream. */
export function colorOf(file) {
  const out = execFileSync('ffprobe', [
    '-v', 'error', '-select_streams', 'v:0',
    '-show_entries', 'stream=color_range,color_space,color_primaries,color_transfer', '-of', 'json', file,
  ]);
  const s = JSON.parse(out.toString()).streams[0];
  return { color_range: s.color_range, color_space: s.color_space, color_primaries: s.color_primaries, color_transfer: s.color_transfer };
}

/** PSNR (dB) of the video's first frame against the image scaled to the frame size by ffmpeg. */
export function psnrOf(video, image, width, height) {
  let stderr = '';
  try {
    stderr = execFileSync('sh', ['-c',
      `ffmpeg -v info -i '${video}' -i '${image}' -filter_complex "[0:v]select=eq(n\\,0),format=rgb24[a];[1:v]scale=${width}:${height}:flags=area,format=rgb24[b];[a][b]psnr" -frames:v 1 -f null - 2>&1`,
    ]).toString();
  } catch (err) {
    stderr = String(/** @type {any} */ (err).stdout ?? err);
  }
  const m = stderr.match(/average:([\d.]+|inf)/);
  if (!m) throw new Error(`no PSNR in ffmpeg output:\n${stderr}`);
  return m[1] === 'inf' ? Infinity : Number(m[1]);
}

export const sha256File = (file) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** Errors ffmpeg reports while decoding every frame of a file (empty when it decodes cleanly). */
export function decodeErrors(file) {
  const run = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'null', '-'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const stderr = run.stderr.toString();
  return run.status === 0 ? stderr : stderr || `ffmpeg exited with ${run.status ?? run.signal}`;
}

/** Frame `index` of a video, decoded by ffmpeg, as 8-bit grey pixels (`width*height` bytes). */
export function grayFrame(file, index, width, height) {
  const out = execFileSync('ffmpeg', [
    '-v', 'error', '-i', file, '-vf', `select=eq(n\\,${index})`, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'gray', '-',
  ], { maxBuffer: 64 * 1024 * 1024 });
  if (out.length !== width * height) throw new Error(`frame ${index}: ${out.length} bytes, expected ${width * height}`);
  return out;
}

/** Mean absolute difference of two grey frames over rows [y0, y1). */
export function meanDiffRows(a, b, width, y0, y1) {
  let sum = 0;
  for (let i = y0 * width; i < y1 * width; i++) sum += Math.abs(a[i] - b[i]);
  return sum / ((y1 - y0) * width);
}

/** A meadow: smooth sky over the top 40 %, grass-like noise below (1024x768, deterministic). */
export function makeMeadow() {
  const file = path.join(tmp, 'meadow.png');
  const sky = (lo, span) => `if(lt(Y\\,H*0.4)\\,${lo}+${span}*Y/(H*0.4)`;
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i',
    `nullsrc=s=1024x768,format=rgb24,geq=r='${sky(90, 60)}\\,40+60*random(1))':g='${sky(140, 50)}\\,90+120*random(1))':b='if(lt(Y\\,H*0.4)\\,230\\,30+40*random(1))'`,
    '-frames:v', '1', file]);
  return file;
}

/** The generated sky scene (scripts/scenes.js) as a PNG file; returns it and where the ground starts. */
export function makeSkyScene() {
  const { png, ground } = skyScene();
  const file = path.join(tmp, 'sky-scene.png');
  fs.writeFileSync(file, png);
  return { file, ground };
}

/** Mean absolute difference of two grey frames over the rectangle [x0, x1) × [y0, y1). */
export function meanDiffRect(a, b, width, x0, x1, y0, y1) {
  let sum = 0;
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) sum += Math.abs(a[y * width + x] - b[y * width + x]);
  return sum / ((x1 - x0) * (y1 - y0));
}
