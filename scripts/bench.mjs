// `npm run bench`: how fast frames are rendered, measured in one run on this machine.
//
//   native     criterion (`cargo bench --bench engine`), 2 threads (the machine's cores)
//   wasm 1     the threaded wasm build in a worker of headless Chromium, pool of 1
//   wasm pool  the same with a pool of navigator.hardwareConcurrency threads
//
// for one 1024x1024 frame of every motion, from the same 2048x1536 photo-like PNG. Prints a table
// and writes target/bench/results.json. Medians: criterion's over its samples; the browser's over
// 23 frames, then the median of 3 repetitions.
//
// Options (for quick iterations): --motions resonance,flow  --no-native
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from './browser.js';
import { serve } from './serve.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'target', 'bench');
const args = process.argv.slice(2);
const MOTIONS = args.includes('--motions')
  ? args[args.indexOf('--motions') + 1].split(',')
  : ['resonance', 'flow', 'shimmer', 'camera', 'resonance+camera'];
const NATIVE = !args.includes('--no-native');
const REPEATS = 3;
const run = (cmd, args, env = {}) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

fs.mkdirSync(out, { recursive: true });
if (!fs.existsSync(path.join(root, 'pkg', 'threads', 'engine_bg.wasm'))) run('bash', ['scripts/build-wasm.sh']);
run('npx', ['webpack', '--mode', 'production', '--env', 'bench']);

// A photo-like input: a smooth sky over the top 40 %, grass-like texture (noise, softened) below.
const image = path.join(out, 'photo.png');
const sky = (lo, span) => `if(lt(Y\\,H*0.4)\\,${lo}+${span}*Y/(H*0.4)`;
execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i',
  `nullsrc=s=2048x1536,format=rgb24,geq=r='${sky(90, 60)}\\,40+60*random(1))':g='${sky(140, 50)}\\,90+120*random(1))':b='if(lt(Y\\,H*0.4)\\,230\\,30+40*random(1))',gblur=sigma=1.5`,
  '-frames:v', '1', image]);

// Native: criterion, on the same image.
const filter = `frame 1024x1024 (${MOTIONS.map((m) => m.replace('+', '\\+')).join('|')})$`;
if (NATIVE) run('cargo', ['bench', '--quiet', '--bench', 'engine', '--', filter], { QUANTONIUM_BENCH_IMAGE: image });
const native = Object.fromEntries(MOTIONS.filter(() => NATIVE).map((motion) => {
  const dir = path.join(root, 'target', 'criterion', 'engine', `frame 1024x1024 ${motion}`);
  const estimates = JSON.parse(fs.readFileSync(path.join(dir, 'new', 'estimates.json'), 'utf8'));
  return [motion, estimates.median.point_estimate / 1e6];
}));

// Browser: the benchmark page, cross-origin isolated so the pool can start.
const server = await serve({ dir: path.join(root, 'dist-bench'), port: 0, isolation: true });
const url = `http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (server.address()).port}/`;
const browser = await launchBrowser();
const wasm = {};
try {
  const page = await browser.newPage();
  page.on('request', (req) => {
    if (!req.url().startsWith(url) && !req.url().startsWith('blob:')) throw new Error(`request left the origin: ${req.url()}`);
  });
  await page.goto(url);
  await page.waitForSelector('body[data-ready]');
  const bytes = [...fs.readFileSync(image)];
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  for (const threads of [1, cores]) {
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
} finally {
  await browser.close();
  server.close();
}

const fmt = (x) => (x === undefined ? '—' : x.toFixed(1)).padStart(8);
const lines = [
  `one 1024x1024 frame, ms (median) — ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown CPU'}`,
  `motion             native  wasm 1  wasm ${wasm.pool.threads}   wasm1/native  pool/wasm1  setup (wasm ${wasm.pool.threads})`,
  ...MOTIONS.map((m) => `${m.padEnd(17)}${fmt(native[m])}${fmt(wasm.one.frameMs[m])}${fmt(wasm.pool.frameMs[m])}`
    + `${(native[m] / wasm.one.frameMs[m]).toFixed(2).padStart(12)}x${(wasm.one.frameMs[m] / wasm.pool.frameMs[m]).toFixed(2).padStart(11)}x`
    + `${wasm.pool.setupMs[m].toFixed(0).padStart(12)} ms`),
];
console.log(`\n${lines.join('\n')}\n(wasm1/native: native time over wasm time, ≥ 0.5 is the target; pool/wasm1: speed-up of the pool)`);
const results = { date: new Date().toISOString(), cpus: os.cpus().length, cpu: os.cpus()[0]?.model, native, wasm };
fs.writeFileSync(path.join(out, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log(`wrote ${path.relative(root, path.join(out, 'results.json'))}`);
