// The demo page as a person uses it, for `npm run bench`: a photo chosen, Generate clicked, until
// the Download link is there; beside `generateVideo` called from the same page on the same job, and
// where the page's main thread spent its time meanwhile (Long Animation Frames API).
import fs from 'node:fs';
import path from 'node:path';
import { serve } from './serve.js';

/** The jobs people time: 4 s at 24 fps. */
export const DEMO_CASES = [
  { resolution: '1024x1024', format: 'mp4', motion: 'camera' },
  { resolution: '1024x1024', format: 'mp4', motion: 'resonance' },
  { resolution: '1920x1080', format: 'mp4', motion: 'resonance' },
];

/**
 * Clicks Generate in the demo (the photo already chosen and the options set) and waits for the
 * Download link; and runs the same job through the page's `generateVideo`, before or after (the
 * runs alternate, so neither always follows the other's leftovers). Runs in the page.
 * @param {{ job: { format: string, motion: string, resolution: string }, apiFirst: boolean }} run
 */
async function clickToDownload({ job, apiFirst }) {
  const $ = (/** @type {string} */ id) => /** @type {any} */ (document.getElementById(id));
  for (const [id, value] of [['format', job.format], ['motion', job.motion], ['resolution', job.resolution], ['duration', '4'], ['fps', '24']]) {
    $(id).value = value;
    $(id).dispatchEvent(new Event('change', { bubbles: true }));
  }
  // Each run starts a moment after the last (the photo was chosen a moment before the click).
  const pause = () => new Promise((r) => setTimeout(r, 1500));
  const viaApi = async () => {
    await pause();
    const apiStarted = performance.now();
    const api = await quantonium.generateVideo($('image').files[0], { ...job, duration: 4, fps: 24, history: false });
    return { apiMs: performance.now() - apiStarted, apiProcessingMs: api.metadata.processingTimeMs };
  };
  const first = apiFirst ? await viaApi() : null;
  await pause();
  /** @type {any[]} */
  const frames = [];
  const observer = new PerformanceObserver((list) => frames.push(...list.getEntries()));
  observer.observe({ type: 'long-animation-frame', buffered: false });
  const before = $('download').getAttribute('href');
  const linked = () => !$('result').hidden && $('download').getAttribute('href') !== before;
  const started = performance.now();
  $('generate').click();
  await new Promise((resolve) => {
    const watch = new MutationObserver(() => linked() && (watch.disconnect(), resolve(undefined)));
    watch.observe(document.body, { attributes: true, subtree: true, attributeFilter: ['href', 'hidden'] });
  });
  const linkMs = performance.now() - started;
  while ($('generate').disabled) await new Promise((r) => setTimeout(r, 5));
  const settledMs = performance.now() - started;
  await new Promise((r) => setTimeout(r, 100));
  observer.disconnect();
  const [record] = await quantonium.history.list();
  // Main-thread time in frames over 50 ms: scripts by what invoked them, and rendering.
  /** @type {Record<string, number>} */
  const scripts = {};
  let render = 0;
  let busy = 0;
  for (const f of frames) {
    if (f.startTime > started + settledMs) continue;
    busy += f.duration;
    render += f.startTime + f.duration - (f.renderStart || f.startTime + f.duration);
    for (const s of f.scripts) {
      const key = `${s.invokerType} ${s.invoker}`.slice(0, 60);
      scripts[key] = (scripts[key] ?? 0) + s.duration;
    }
  }
  const { apiMs, apiProcessingMs } = first ?? (await viaApi());
  return {
    linkMs, settledMs, processingMs: record.processingTimeMs, apiMs, apiProcessingMs,
    longFrames: frames.length, busyMs: busy, renderMs: render, scripts,
    longestMs: Math.max(0, ...frames.map((f) => f.blockingDuration + 50)),
  };
}

/**
 * @param {{ browser: import('playwright-core').Browser, root: string, photo: string, repeats: number, median: (xs: number[]) => number }} o
 */
export async function benchDemo({ browser, root, photo, repeats, median }) {
  const dist = path.join(root, 'dist');
  if (!fs.existsSync(path.join(dist, 'index.html'))) throw new Error('dist/ is missing: run `npm run build` first');
  const server = await serve({ dir: dist, port: 0, isolation: true });
  const url = `http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (server.address()).port}/`;
  try {
    // Ready: from the navigation to the engine loaded (worker, wasm, pool) and the codecs probed.
    const readyMs = [];
    for (let r = 0; r < repeats; r++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(url);
      await page.waitForSelector('html[data-engine-ready]');
      readyMs.push(await page.evaluate(() => performance.now()));
      await context.close();
    }
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(url);
    await page.waitForSelector('html[data-engine-ready]');
    await page.setInputFiles('#image', photo);
    const runs = DEMO_CASES.map(() => /** @type {any[]} */ ([]));
    for (let r = 0; r < repeats; r++) {
      for (const [i, job] of DEMO_CASES.entries()) runs[i].push(await page.evaluate(clickToDownload, { job, apiFirst: r % 2 === 1 }));
    }
    await context.close();
    const cases = DEMO_CASES.map((job, i) => {
      const m = (/** @type {string} */ k) => median(runs[i].map((x) => x[k]));
      /** @type {Record<string, number>} */
      const scripts = {};
      for (const x of runs[i]) for (const [k, v] of Object.entries(x.scripts)) scripts[k] = (scripts[k] ?? 0) + v / runs[i].length;
      return { ...job, linkMs: m('linkMs'), settledMs: m('settledMs'), processingMs: m('processingMs'), apiMs: m('apiMs'),
        apiProcessingMs: m('apiProcessingMs'), longFrames: m('longFrames'), busyMs: m('busyMs'), renderMs: m('renderMs'),
        longestMs: Math.max(...runs[i].map((x) => x.longestMs)), scripts };
    });
    return { readyMs: median(readyMs), repeats, cases };
  } finally {
    server.close();
  }
}

/**
 * The demo's table.
 * @param {Awaited<ReturnType<typeof benchDemo>>} demo @param {(c: any) => number | undefined} floorOf
 */
export function demoTable(demo, floorOf) {
  const s = (ms) => (ms / 1000).toFixed(2).padStart(7);
  const lines = [
    `\nthe demo page: photo chosen, Generate clicked, until the Download link (4 s at 24 fps, median of ${demo.repeats}); engine ready ${demo.readyMs.toFixed(0)} ms after the page's navigation`,
    '(api: generateVideo on the same job from the same page; processing: the worker\'s processingTimeMs; main thread: frames over 50 ms during the job, their total and rendering share)',
    'size       format motion       demo    api  demo/api  floor demo/floor  processing demo/api  main thread: frames busy render longest (ms)',
  ];
  for (const c of demo.cases) {
    const floor = floorOf(c);
    lines.push(`${c.resolution.padEnd(11)}${c.format.padEnd(6)}${c.motion.padEnd(11)}${s(c.linkMs)}${s(c.apiMs)}${(c.linkMs / c.apiMs).toFixed(2).padStart(9)}x`
      + `${floor ? s(floor) : '      —'}${floor ? `${(c.linkMs / floor).toFixed(2)}x`.padStart(10) : '         —'}`
      + `${s(c.processingMs).padStart(12)}${s(c.apiProcessingMs)}   ${String(c.longFrames).padStart(13)}${c.busyMs.toFixed(0).padStart(6)}${c.renderMs.toFixed(0).padStart(7)}${c.longestMs.toFixed(0).padStart(8)}`);
    const top = Object.entries(c.scripts).sort((a, b) => b[1] - a[1]).slice(0, 4);
    if (top.length) lines.push(`    scripts in long frames: ${top.map(([k, v]) => `${k} ${v.toFixed(0)} ms`).join('; ')}`);
  }
  return lines.join('\n');
}
