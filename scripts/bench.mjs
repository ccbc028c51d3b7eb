// `npm run bench`: the engine's speed, measured in one run on this machine, from the same
// 2048x1536 photo-like PNG.
//
// Render only, one 1024x1024 frame of every motion:
//   native     criterion (`cargo bench --bench engine`), on all the machine's cores and on one
//              (RAYON_NUM_THREADS=1: the same work on the same thread count as wasm 1)
//   wasm 1     the threaded wasm build in a worker of headless Chromium, pool of 1
//   wasm pool  the same with a pool of navigator.hardwareConcurrency threads
// End to end (the public generateVideo, 4 s at 24 fps, 1024x1024 and 1920x1080, mp4 and webm,
// camera and resonance) beside the floor: WebCodecs alone encoding the camera's video (the zoom and
// pan), its frames rendered by the engine in advance, with the library's codec and configuration
// (resonance's frames are encoded alone too); ffmpeg.wasm (@ffmpeg/core-mt, served locally) doing
// the equivalent zoom-and-pan; WASM memory after a 4 s and a 30 s video; the longest main-thread
// task during any generation. For each run, the browser's CPU time, and its split between the
// engine's workers, the encoder's threads and the rest (from /proc), so a ratio above its target
// says what bounds it.
//
// Prints tables and writes target/bench/results.json. Medians: criterion's over its samples; the
// browser's over 23 frames (render) and over the repetitions (3 by default).
//
// The demo page as people time it (scripts/bench-demo.mjs): a JPEG of the same photo chosen,
// Generate clicked, until the Download link, for 1024² MP4 camera and resonance and 1080p MP4
// resonance, beside generateVideo from the same page and the floor; the main thread's long frames
// meanwhile; the time from navigation to a ready engine.
// Then the same end-to-end cases and floors in Firefox ESR (puppeteer-core over WebDriver BiDi),
// wall time only (the CPU split reads Chromium's processes), so a Firefox user's speed is known.
//
// Animated GIF: a 512x512 4 s loop of camera and resonance from the generated sky scene
// (scripts/scenes.js: smooth gradients, where palettes band, and texture), generateVideo's time and
// size, beside native ffmpeg's palettegen + paletteuse on the same frames (written by
// examples/frames.rs: the frames are the same bytes natively and in wasm, as the golden hashes
// pin), both files' PSNR against those frames, plain and through a 1.5 px blur (the bands a
// palette leaves, not its dither's dots).
//
// Options (for quick iterations): --motions resonance,flow  --no-native  --no-render  --no-e2e
//   --no-ffmpeg  --no-gif  --no-firefox  --no-demo  --reps N  --sizes 1024x1024  --formats mp4
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from './browser.js';
import { openEngine } from './engines.js';
import { benchDemo, demoTable } from './bench-demo.mjs';
import { skyScene } from './scenes.js';
import { serve } from './serve.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'target', 'bench');
const args = process.argv.slice(2);
const MOTIONS = args.includes('--motions')
  ? args[args.indexOf('--motions') + 1].split(',')
  : ['resonance', 'flow', 'shimmer', 'camera', 'resonance+camera'];
const RENDER = !args.includes('--no-render');
const NATIVE = RENDER && !args.includes('--no-native');
const E2E = !args.includes('--no-e2e');
const FFMPEG = E2E && !args.includes('--no-ffmpeg');
const GIF = E2E && !args.includes('--no-gif');
const FIREFOX = E2E && !args.includes('--no-firefox');
const DEMO = E2E && !args.includes('--no-demo');
const REPEATS = args.includes('--reps') ? Number(args[args.indexOf('--reps') + 1]) : 3;
const FORMATS = (args.includes('--formats') ? args[args.indexOf('--formats') + 1] : 'mp4,webm').split(',');
const SIZES = (args.includes('--sizes') ? args[args.indexOf('--sizes') + 1] : '1024x1024,1920x1080').split(',');
const run = (cmd, args, env = {}) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

fs.mkdirSync(out, { recursive: true });
if (!fs.existsSync(path.join(root, 'pkg', 'threads', 'engine_bg.wasm'))) run('bash', ['scripts/build-wasm.sh']);
run('npx', ['webpack', '--mode', 'production', '--env', 'bench']);
if (DEMO) run('npx', ['webpack', '--mode', 'production']); // the demo app, dist/

// A photo-like input: a smooth sky over the top 40 %, grass-like texture (noise, softened) below.
const image = path.join(out, 'photo.png');
const sky = (lo, span) => `if(lt(Y\\,H*0.4)\\,${lo}+${span}*Y/(H*0.4)`;
execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i',
  `nullsrc=s=2048x1536,format=rgb24,geq=r='${sky(90, 60)}\\,40+60*random(1))':g='${sky(140, 50)}\\,90+120*random(1))':b='if(lt(Y\\,H*0.4)\\,230\\,30+40*random(1))',gblur=sigma=1.5`,
  '-frames:v', '1', image]);
// The demo gets the photo as people's cameras give it: a JPEG.
const photoJpeg = path.join(out, 'photo.jpg');
execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', image, '-q:v', '3', photoJpeg]);

// Native: criterion, on the same image.
const filter = `frame 1024x1024 (${MOTIONS.map((m) => m.replace('+', '\\+')).join('|')})$`;
/**
 * Criterion's median frame time per motion, in ms, with rayon on `threads` threads (0: all cores).
 * Each thread count saves its own named baseline: with the one default baseline, criterion compared
 * the one-thread run with the all-cores run before it and called every run a +100 % regression.
 */
function nativeFrames(threads) {
  const env = { QUANTONIUM_BENCH_IMAGE: image, ...(threads ? { RAYON_NUM_THREADS: String(threads) } : {}) };
  const baseline = threads ? `threads-${threads}` : 'all-cores';
  run('cargo', ['bench', '--quiet', '--bench', 'engine', '--', filter, '--save-baseline', baseline], env);
  return Object.fromEntries(MOTIONS.map((motion) => {
    const dir = path.join(root, 'target', 'criterion', 'engine', `frame 1024x1024 ${motion}`);
    const estimates = JSON.parse(fs.readFileSync(path.join(dir, baseline, 'estimates.json'), 'utf8'));
    return [motion, estimates.median.point_estimate / 1e6];
  }));
}
const native = NATIVE ? nativeFrames(0) : {};
const nativeOne = NATIVE ? nativeFrames(1) : {};
// The GIF table's reference frames, written natively.
if (GIF) run('cargo', ['build', '--quiet', '--release', '--example', 'frames']);

// ffmpeg.wasm is served from this origin, unbundled (www/bench/ffmpeg-bench.js imports it).
const benchDir = path.join(root, 'dist-bench');
fs.copyFileSync(path.join(root, 'www', 'bench', 'ffmpeg-bench.js'), path.join(benchDir, 'ffmpeg-bench.js'));
fs.cpSync(path.join(root, 'node_modules', '@ffmpeg', 'ffmpeg', 'dist', 'esm'), path.join(benchDir, 'ffmpeg', 'ffmpeg'), { recursive: true });
fs.cpSync(path.join(root, 'node_modules', '@ffmpeg', 'core-mt', 'dist', 'esm'), path.join(benchDir, 'ffmpeg', 'core-mt'), { recursive: true });

// Browser: the benchmark page, cross-origin isolated so the pool can start.
const server = await serve({ dir: path.join(root, 'dist-bench'), port: 0, isolation: true });
const url = `http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (server.address()).port}/`;
const browser = await launchBrowser();
const wasm = {};
const e2e = [];
const memory = {};
const ffmpeg = {};
const gif = [];
/** @type {Awaited<ReturnType<typeof benchDemo>> | null} */
let demo = null;
/** End to end in Firefox: the same cases, wall time. */
/** @type {{ version: string, e2e: any[], error?: string }} */
const firefox = { version: '', e2e: [] };
const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));
/** The processes this script started (Chromium's browser, renderer, GPU and utility processes). */
function browserProcesses() {
  const parents = [];
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      // After the command name: state, ppid, ...
      parents.push({ pid: Number(pid), ppid: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) });
    } catch {
      // the process ended meanwhile
    }
  }
  const ours = new Set([process.pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const p of parents) {
      if (!ours.has(p.pid) && ours.has(p.ppid)) {
        ours.add(p.pid);
        grew = true;
      }
    }
  }
  ours.delete(process.pid);
  return [...ours];
}
/** User + system CPU ticks of a /proc stat line: fields 14 and 15. */
const statTicks = (stat) => {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
};
/**
 * Where the browser's CPU time goes, by thread of the renderer: its web workers (in a generation,
 * the engine's worker and its pool; in the floor, the worker that hands over the frames) and the
 * encoder's threads (Chromium's thread pool, where WebCodecs runs, its codec workers, and the
 * codec libraries' own unnamed threads). Threads come and go within a run (the encoder's end with
 * it), so a timer reads them every 50 ms and keeps each one's last figure; the rest of the
 * browser's CPU (the page, compositing, other processes, and whatever a thread did between its
 * last reading and its end) is the total less these two.
 * @type {Map<string, { kind: 'workers' | 'encoder', ticks: number }>}
 */
const threadTicks = new Map();
/** @param {string} name @param {boolean} main @returns {'workers' | 'encoder' | null} */
function threadKind(name, main) {
  if (name.startsWith('DedicatedWorker')) return 'workers';
  if (name.startsWith('ThreadPool') || name.startsWith('CodecWorker') || (name === 'chromium' && !main)) return 'encoder';
  return null;
}
function readThreads() {
  for (const pid of browserProcesses()) {
    let tids;
    try {
      if (!fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer')) continue;
      tids = fs.readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      try {
        const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const kind = threadKind(stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), tid === String(pid));
        if (kind) threadTicks.set(`${pid}/${tid}`, { kind, ticks: statTicks(stat) });
      } catch {
        // the thread ended meanwhile: its last reading stands
      }
    }
  }
}
/** The CPU readings the page asked for, in order: the browser's total and its threads then. */
const readings = [];
/**
 * User + system CPU time of the browser (every process this script started), in seconds, from
 * /proc/<pid>/stat: the page reads it before and after a run (bench/main.js).
 */
function browserCpuSeconds() {
  let ticks = 0;
  for (const pid of browserProcesses()) {
    try {
      ticks += statTicks(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      // the process ended meanwhile
    }
  }
  readThreads();
  const threads = new Map([...threadTicks].map(([tid, t]) => [tid, t.ticks]));
  readings.push({ total: ticks / ticksPerSecond, threads });
  return ticks / ticksPerSecond;
}
/**
 * The split of the run between the last two readings: CPU seconds of the workers, the encoder and
 * the rest of the browser.
 */
function lastRunSplit() {
  const [before, after] = readings.slice(-2);
  const split = { workers: 0, encoder: 0, other: 0 };
  for (const [tid, ticks] of after.threads) {
    const kind = threadTicks.get(tid)?.kind;
    if (kind) split[kind] += (ticks - (before.threads.get(tid) ?? 0)) / ticksPerSecond;
  }
  split.other = Math.max(0, after.total - before.total - split.workers - split.encoder);
  return split;
}
/** A fresh page (its own engine worker) on the benchmark site. */
async function openPage() {
  const page = await browser.newPage();
  await page.exposeFunction('browserCpuSeconds', browserCpuSeconds);
  page.on('request', (req) => {
    if (!req.url().startsWith(url) && !req.url().startsWith('blob:')) throw new Error(`request left the origin: ${req.url()}`);
  });
  await page.goto(url);
  await page.waitForSelector('body[data-ready]');
  return page;
}
const bytes = [...fs.readFileSync(image)];
try {
  const page = await openPage();
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  for (const threads of RENDER ? [1, cores] : []) {
    const runs = [];
    for (let r = 0; r < REPEATS; r++) {
      runs.push(await page.evaluate(({ bytes, threads, motions }) => quantoniumBench.render({
        threads, image: new Uint8Array(bytes), motions, width: 1024, height: 1024, frames: 24,
      }), { bytes, threads, motions: MOTIONS }));
    }
    wasm[threads === 1 ? 'one' : 'pool'] = {
      threads: runs[0].threads,
      frameMs: Object.fromEntries(MOTIONS.map((m) => [m, median(runs.map((x) => x.results.find((y) => y.motion === m).frameMs))])),
      setupMs: Object.fromEntries(MOTIONS.map((m) => [m, median(runs.map((x) => x.results.find((y) => y.motion === m).setupMs))])),
    };
  }
  await page.close();

  if (E2E) {
    // Each run's CPU split (lastRunSplit) comes from the page's two readings around it.
    const withSplit = async (run) => ({ ...(await run), split: lastRunSplit() });
    const endToEnd = (p, options) => withSplit(p.evaluate(({ bytes, options }) => quantoniumBench.endToEnd({ image: new Uint8Array(bytes), options }), { bytes, options }));
    const floor = (p, job) => withSplit(p.evaluate(({ bytes, job }) => quantoniumBench.floor({ image: new Uint8Array(bytes), ...job }), { bytes, job }));
    const sampler = setInterval(readThreads, 50);
    const p = await openPage();
    await endToEnd(p, { format: 'mp4', duration: 0.5, resolution: '256x256' }); // loads the engine
    for (const size of SIZES) {
      const [width, height] = size.split('x').map(Number);
      for (const format of FORMATS) {
        const floors = { camera: [], resonance: [] };
        const runs = { camera: [], resonance: [] };
        // Interleaved, so drifting machine load falls on every case alike. The floor is the
        // camera's video (the zoom and pan of the issue's floor) encoded alone; the targets are
        // ratios to it for both motions. Resonance's own frames are encoded alone too: how long the
        // encoder takes over them is what that render should stay below.
        for (let r = 0; r < REPEATS; r++) {
          for (const motion of ['camera', 'resonance']) {
            floors[motion].push(await floor(p, { motion, width, height, fps: 24, frames: 96, format }));
            runs[motion].push(await endToEnd(p, { format, motion, duration: 4, fps: 24, resolution: size }));
          }
        }
        const splitOf = (xs) => Object.fromEntries(['workers', 'encoder', 'other'].map((k) => [k, median(xs.map((x) => x.split[k]))]));
        const floorMs = median(floors.camera.map((f) => f.ms));
        const floorCpuSeconds = median(floors.camera.map((f) => f.cpuSeconds));
        if (FFMPEG && format === 'mp4') {
          const runs = [];
          for (let r = 0; r < REPEATS; r++) {
            runs.push(await p.evaluate(async ({ bytes, size }) => (await import('/ffmpeg-bench.js')).run({ image: new Uint8Array(bytes), size, seconds: 4, fps: 24 }), { bytes, size }));
          }
          ffmpeg[size] = { totalMs: median(runs.map((x) => x.totalMs)), loadMs: median(runs.map((x) => x.loadMs)), execMs: median(runs.map((x) => x.execMs)) };
        }
        for (const motion of ['camera', 'resonance']) {
          const wallMs = median(runs[motion].map((x) => x.wallMs));
          const cpuSeconds = median(runs[motion].map((x) => x.cpuSeconds));
          e2e.push({ size, format, motion, codec: runs[motion][0].codec, wallMs, floorMs, ratio: wallMs / floorMs,
            cpuSeconds, floorCpuSeconds, cpuBoundRatio: (cpuSeconds * 1000) / os.cpus().length / floorMs,
            cpuSplit: splitOf(runs[motion]),
            ownFloor: { ms: median(floors[motion].map((f) => f.ms)), cpuSeconds: median(floors[motion].map((f) => f.cpuSeconds)), cpuSplit: splitOf(floors[motion]) },
            setupMs: median(runs[motion].map((x) => x.setupMs)), longestTaskMs: Math.max(...runs[motion].map((x) => x.longestTaskMs)),
            firstFrameMs: median(runs[motion].map((x) => x.firstFrameMs)),
            framesMs: median(runs[motion].map((x) => x.submittedMs - x.firstFrameMs)),
            tailMs: median(runs[motion].map((x) => x.wallMs - x.submittedMs)) });
        }
      }
    }
    clearInterval(sampler);
    await p.close();
    // Memory: a fresh engine for each length, so each figure is that video's own peak.
    for (const duration of [4, 30]) {
      const fresh = await openPage();
      const r = await endToEnd(fresh, { format: 'mp4', motion: 'resonance', duration, fps: 24, resolution: '1024x1024' });
      memory[`${duration}s`] = { wasmMemoryBytes: r.wasmMemoryBytes, memoryEstimateBytes: r.memoryEstimateBytes, wallMs: r.wallMs };
      await fresh.close();
    }
  }
  if (GIF) await gifBench();
  // At least 5 pairs: a job's time varies by ±15 % from run to run here, more than the page's
  // cost that this table is for, and each pair costs seconds.
  if (DEMO) demo = await benchDemo({ browser, root, photo: photoJpeg, repeats: Math.max(REPEATS, 5), median });
  if (FIREFOX) {
    // Last, and on its own: a Firefox that fails (its WebDriver BiDi session can time out on a
    // loaded machine) costs its own table, not the tables already measured.
    try {
      await firefoxEndToEnd();
    } catch (err) {
      firefox.error = String(/** @type {Error} */ (err)?.message ?? err);
    }
  }
} finally {
  await browser.close();
  server.close();
}

/**
 * The GIF table: for camera and resonance, generateVideo's 512x512 4 s GIF (median time of the
 * repetitions, size, PSNR) and native ffmpeg's palettegen + paletteuse (its defaults: a 256-colour
 * palette from every frame, sierra2_4a error diffusion) on the same frames.
 */
async function gifBench() {
  const scene = path.join(out, 'scene.png');
  fs.writeFileSync(scene, skyScene().png);
  const sceneBytes = [...fs.readFileSync(scene)];
  const [size, seconds, fps, seed] = ['512x512', 4, 24, 1];
  const raw = ['-f', 'rawvideo', '-pix_fmt', 'rgba', '-s', size, '-framerate', String(fps)];
  /** PSNR (dB, mean over frames and channels) of a GIF against the raw frames, frame by frame. */
  const psnr = (frames, file, blur) => {
    const f = `settb=1/${fps},setpts=N,format=rgb24${blur ? ',gblur=sigma=1.5' : ''}`;
    const { stderr } = spawnSync('ffmpeg', ['-hide_banner', ...raw, '-i', frames, '-i', file, '-lavfi', `[0]${f}[a];[1]${f}[b];[a][b]psnr`, '-f', 'null', '-'], { encoding: 'utf8' });
    const m = /average:([\d.]+|inf)/.exec(stderr);
    if (!m) throw new Error(`ffmpeg psnr: ${stderr.slice(-500)}`);
    return Number(m[1]);
  };
  const page = await openPage();
  try {
    for (const motion of ['camera', 'resonance']) {
      const options = { format: 'gif', motion, duration: seconds, fps, resolution: size, seed };
      const runs = [];
      for (let r = 0; r < REPEATS; r++) {
        runs.push(await page.evaluate(({ bytes, options }) => quantoniumBench.endToEnd({ image: new Uint8Array(bytes), options, keepFile: true }), { bytes: sceneBytes, options }));
      }
      const ours = path.join(out, `gif-${motion}.gif`);
      fs.writeFileSync(ours, Buffer.from(runs[0].file, 'base64'));
      const frames = path.join(out, `gif-${motion}.rgba`);
      const fd = fs.openSync(frames, 'w');
      try {
        execFileSync(path.join(root, 'target', 'release', 'examples', 'frames'), [scene, motion, size, String(seconds), String(fps), String(seed)], { stdio: ['ignore', fd, 'inherit'] });
      } finally {
        fs.closeSync(fd);
      }
      const theirs = path.join(out, `gif-${motion}-ffmpeg.gif`);
      const times = [];
      for (let r = 0; r < REPEATS; r++) {
        const started = performance.now();
        execFileSync('ffmpeg', ['-v', 'error', '-y', ...raw, '-i', frames, '-vf', 'split[a][b];[a]palettegen[p];[b][p]paletteuse', theirs]);
        times.push(performance.now() - started);
      }
      gif.push({
        motion, size, seconds, fps, frames: runs[0].frames,
        ours: { wallMs: median(runs.map((x) => x.wallMs)), bytes: runs[0].bytes, psnr: psnr(frames, ours, false), blurredPsnr: psnr(frames, ours, true) },
        ffmpeg: { wallMs: median(times), bytes: fs.statSync(theirs).size, psnr: psnr(frames, theirs, false), blurredPsnr: psnr(frames, theirs, true) },
      });
      fs.rmSync(frames);
    }
  } finally {
    await page.close();
  }
}

/** The end-to-end cases and their floors again, in Firefox ESR, interleaved in the same way. */
async function firefoxEndToEnd() {
  const page = await openEngine('firefox');
  try {
    firefox.version = page.version;
    await page.goto(url);
    await page.evaluate(async () => {
      for (let i = 0; !document.body.dataset.ready; i++) {
        if (i > 600) throw new Error('the benchmark page did not get ready');
        await new Promise((r) => setTimeout(r, 100));
      }
    });
    const b64 = fs.readFileSync(image).toString('base64');
    const decode = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
    const endToEnd = (options) => page.evaluate(async (b64, options, decodeSource) => quantoniumBench.endToEnd({ image: new Function(`return ${decodeSource}`)()(b64), options }), b64, options, decode.toString());
    const floor = (job) => page.evaluate(async (b64, job, decodeSource) => quantoniumBench.floor({ image: new Function(`return ${decodeSource}`)()(b64), ...job }), b64, job, decode.toString());
    await endToEnd({ format: 'mp4', duration: 0.5, resolution: '256x256' }); // loads the engine
    for (const size of SIZES) {
      const [width, height] = size.split('x').map(Number);
      for (const format of FORMATS) {
        const floors = [];
        const runs = { camera: [], resonance: [] };
        for (let r = 0; r < REPEATS; r++) {
          floors.push(await floor({ motion: 'camera', width, height, fps: 24, frames: 96, format }));
          for (const motion of ['camera', 'resonance']) runs[motion].push(await endToEnd({ format, motion, duration: 4, fps: 24, resolution: size }));
        }
        const floorMs = median(floors.map((f) => f.ms));
        for (const motion of ['camera', 'resonance']) {
          const wallMs = median(runs[motion].map((x) => x.wallMs));
          firefox.e2e.push({ size, format, motion, codec: runs[motion][0].codec, wallMs, floorMs, ratio: wallMs / floorMs,
            setupMs: median(runs[motion].map((x) => x.setupMs)), firstFrameMs: median(runs[motion].map((x) => x.firstFrameMs)) });
        }
      }
    }
  } finally {
    await page.close();
  }
}

const fmt = (x) => (x === undefined ? '—' : x.toFixed(1)).padStart(8);
const lines = !RENDER ? [] : [
  `one 1024x1024 frame, ms (median) — ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown CPU'}`,
  `motion           native ${os.cpus().length}  native 1  wasm 1  wasm ${wasm.pool.threads}   wasm1/native1  wasm1/native${os.cpus().length}  pool/wasm1  setup (wasm ${wasm.pool.threads})`,
  ...MOTIONS.map((m) => `${m.padEnd(17)}${fmt(native[m])}${fmt(nativeOne[m]).padStart(10)}${fmt(wasm.one.frameMs[m])}${fmt(wasm.pool.frameMs[m])}`
    + `${(nativeOne[m] / wasm.one.frameMs[m]).toFixed(2).padStart(14)}x${(native[m] / wasm.one.frameMs[m]).toFixed(2).padStart(13)}x`
    + `${(wasm.one.frameMs[m] / wasm.pool.frameMs[m]).toFixed(2).padStart(11)}x`
    + `${wasm.pool.setupMs[m].toFixed(0).padStart(12)} ms`),
];
if (RENDER) console.log(`\n${lines.join('\n')}\n(wasm1/nativeN: native time over wasm time, ≥ 0.5 is the target, like for like with native on one thread; pool/wasm1: speed-up of the pool)`);
// The encoder's own time a frame, from the floors at the render table's size: what a frame's render
// should stay well below, in the same run. Every motion but the camera is a small
// deformation of the still image, which the encoder takes about as long over as resonance's frames.
const floorAt = (motion) => e2e.find((e) => e.size === '1024x1024' && e.format === 'mp4' && e.motion === motion);
if (RENDER && floorAt('camera') && floorAt('resonance')) {
  const perFrame = (e) => ({ wallMs: e.ownFloor.ms / 96, cpuMs: (e.ownFloor.cpuSplit.encoder * 1000) / 96 });
  const [camera, resonance] = [perFrame(floorAt('camera')), perFrame(floorAt('resonance'))];
  console.log(`encoder alone (1024x1024 ${floorAt('camera').codec}, frames rendered in advance), ms a frame: camera's frames ${camera.wallMs.toFixed(1)}`
    + ` (${camera.cpuMs.toFixed(1)} of CPU), resonance's ${resonance.wallMs.toFixed(1)} (${resonance.cpuMs.toFixed(1)} of CPU);`
    + ` a frame's render on the pool over that: ${MOTIONS.map((m) => `${m} ${(wasm.pool.frameMs[m] / (m === 'camera' ? camera : resonance).wallMs).toFixed(2)}x`).join(', ')}`);
}
if (E2E) {
  const mib = (b) => `${(b / 1048576).toFixed(0)} MiB`;
  // The Long Tasks API reports only tasks over 50 ms.
  const longTask = (ms) => (ms > 0 ? `${ms.toFixed(0)} ms` : 'none > 50 ms');
  const rows = e2e.map((e) => `${e.size.padEnd(11)}${e.format.padEnd(6)}${e.motion.padEnd(11)}${(e.wallMs / 1000).toFixed(2).padStart(7)}`
    + `${(e.floorMs / 1000).toFixed(2).padStart(8)}${e.ratio.toFixed(2).padStart(9)}x  ≤ ${e.motion === 'camera' ? '1.3' : '1.6'}x`
    + `${e.setupMs.toFixed(0).padStart(9)} ms ${[e.firstFrameMs, e.framesMs, e.tailMs].map((t) => t.toFixed(0).padStart(5)).join('')}`
    + `${e.floorCpuSeconds.toFixed(2).padStart(7)}${e.cpuSeconds.toFixed(2).padStart(6)}${e.cpuBoundRatio.toFixed(2).padStart(7)}x`
    + `  ${longTask(e.longestTaskMs).padEnd(13)} ${e.codec}`);
  console.log([
    `\nend to end: generateVideo, 4 s at 24 fps (96 frames), median of ${REPEATS}, seconds; floor = WebCodecs alone encoding the camera's frames, rendered in advance`,
    '(first: until the first frame is rendered; frames: to the last frame handed to the encoder; tail: flush, mux, hash, delivery)',
    `(CPU: the browser's CPU seconds, floor and e2e; bound: e2e CPU over ${os.cpus().length} cores, over the floor: the least ratio this CPU allows)`,
    'size       format motion       e2e   floor  e2e/floor target     setup first frames tail (ms)  CPU floor e2e  bound  longest main-thread task',
    ...rows,
    ...Object.entries(ffmpeg).map(([size, f]) => {
      const ours = e2e.find((e) => e.size === size && e.format === 'mp4' && e.motion === 'camera');
      return `ffmpeg.wasm core-mt (-threads 2), zoompan + libx264 veryfast, ${size}: ${(f.totalMs / 1000).toFixed(2)} s `
        + `(load ${(f.loadMs / 1000).toFixed(2)} s, exec ${(f.execMs / 1000).toFixed(2)} s); generateVideo camera mp4 is `
        + `${(f.totalMs / ours.wallMs).toFixed(1)}x faster (target ≥ 6x)`;
    }),
    '\nCPU seconds by thread, median ("alone": the encoder on that motion\'s frames rendered in advance; the camera\'s is the floor):',
    'workers = the engine\'s worker and pool (alone: the worker handing over the frames);',
    'encoder = the threads WebCodecs encodes on; other = the rest of the browser (the page, compositing, other processes)',
    'size       format run              workers encoder other  total   ms a frame: workers encoder',
    ...e2e.flatMap((e) => {
      const row = (name, split, total) => `${e.size.padEnd(11)}${e.format.padEnd(7)}${name.padEnd(15)}`
        + `${[split.workers, split.encoder, split.other, total].map((x) => x.toFixed(2).padStart(7)).join('')}`
        + `${((split.workers * 1000) / 96).toFixed(1).padStart(22)}${((split.encoder * 1000) / 96).toFixed(1).padStart(8)}`;
      return [row(`${e.motion} alone`, e.ownFloor.cpuSplit, e.ownFloor.cpuSeconds), row(e.motion, e.cpuSplit, e.cpuSeconds)];
    }),
    `memory (resonance 1024x1024 mp4, fresh engine): 4 s video ${mib(memory['4s'].wasmMemoryBytes)}, 30 s video ${mib(memory['30s'].wasmMemoryBytes)}`
      + ` (${(memory['30s'].wasmMemoryBytes / memory['4s'].wasmMemoryBytes).toFixed(2)}x; estimate ${mib(memory['4s'].memoryEstimateBytes)})`,
    `longest main-thread task during any generation: ${longTask(Math.max(...e2e.map((e) => e.longestTaskMs)))} (target ≤ 50 ms)`,
  ].join('\n'));
}
if (gif.length) {
  const mb = (b) => `${(b / 1e6).toFixed(2)} MB`;
  console.log([
    `\nanimated GIF, ${gif[0].size} ${gif[0].seconds} s at ${gif[0].fps} fps (${gif[0].frames} frames) of the generated sky scene, median of ${REPEATS}:`,
    'generateVideo (render + encode, in the page) beside native ffmpeg palettegen + paletteuse (encode only, from the same frames)',
    'PSNR against those frames, dB: plain / through a 1.5 px blur',
    'motion      generateVideo  size      PSNR          ffmpeg   size      PSNR          size ffmpeg/ours',
    ...gif.map((g) => `${g.motion.padEnd(12)}${`${(g.ours.wallMs / 1000).toFixed(2)} s`.padStart(9)}${mb(g.ours.bytes).padStart(12)}`
      + `${`${g.ours.psnr.toFixed(1)} / ${g.ours.blurredPsnr.toFixed(1)}`.padStart(14)}${`${(g.ffmpeg.wallMs / 1000).toFixed(2)} s`.padStart(10)}`
      + `${mb(g.ffmpeg.bytes).padStart(11)}${`${g.ffmpeg.psnr.toFixed(1)} / ${g.ffmpeg.blurredPsnr.toFixed(1)}`.padStart(14)}`
      + `${(g.ffmpeg.bytes / g.ours.bytes).toFixed(2).padStart(10)}x`),
  ].join('\n'));
}
if (demo) {
  const floorOf = (c) => e2e.find((e) => e.size === c.resolution && e.format === c.format)?.floorMs;
  console.log(demoTable(demo, floorOf));
}
if (firefox.error) console.log(`\nend to end in Firefox ESR: failed (${firefox.error})`);
else if (FIREFOX) {
  const chromium = (f) => e2e.find((e) => e.size === f.size && e.format === f.format && e.motion === f.motion);
  console.log([
    `\nend to end in ${firefox.version} (same cases, median of ${REPEATS}, seconds; floor = its WebCodecs alone on the camera's frames)`,
    'size       format motion       e2e   floor  e2e/floor  first frame   Chromium e2e  Firefox/Chromium  codec',
    ...firefox.e2e.map((f) => `${f.size.padEnd(11)}${f.format.padEnd(6)}${f.motion.padEnd(11)}${(f.wallMs / 1000).toFixed(2).padStart(7)}`
      + `${(f.floorMs / 1000).toFixed(2).padStart(8)}${f.ratio.toFixed(2).padStart(9)}x${f.firstFrameMs.toFixed(0).padStart(10)} ms`
      + `${chromium(f) ? (chromium(f).wallMs / 1000).toFixed(2).padStart(14) : '—'.padStart(14)}`
      + `${chromium(f) ? `${(f.wallMs / chromium(f).wallMs).toFixed(2)}x`.padStart(17) : '—'.padStart(17)}  ${f.codec}`),
  ].join('\n'));
}
const results = { date: new Date().toISOString(), cpus: os.cpus().length, cpu: os.cpus()[0]?.model, native, nativeOne, wasm, e2e, ffmpeg, memory, gif, firefox, demo };
fs.writeFileSync(path.join(out, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log(`wrote ${path.relative(root, path.join(out, 'results.json'))}`);
