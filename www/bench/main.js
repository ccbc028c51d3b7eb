// The benchmark page, driven by scripts/bench.mjs in headless Chromium:
//   quantoniumBench.render(...)    render-only timings in a worker of its own (one per thread count:
//                                  a pool is sized once per wasm instance);
//   quantoniumBench.floor(...)     WebCodecs alone encoding a motion's frames, rendered in advance
//                                  (floor.worker.js);
//   quantoniumBench.endToEnd(...)  the public API, generateVideo, as a page would call it, with the
//                                  longest main-thread task observed meanwhile.
import { generateVideo } from '../lib/index.js';

/**
 * Sends one message to a worker and resolves with its answer, then ends it. (The workers are made
 * by the callers: webpack bundles a worker only where it sees `new Worker(new URL(...))`.) A
 * `{ prepared: true }` message before the answer goes to `onPrepared`, and what it resolves to is
 * posted back: the floor waits for it to start its clock.
 * @param {Worker} worker @param {any} message @param {Transferable[]} [transfer]
 * @param {() => Promise<any>} [onPrepared]
 */
function oneShot(worker, message, transfer = [], onPrepared = async () => {}) {
  return new Promise((resolve, reject) => {
    worker.onmessage = ({ data }) => {
      if (data.prepared) {
        onPrepared().then((reply) => worker.postMessage(reply), reject);
        return;
      }
      if (data.ok) resolve(data);
      else reject(new Error(data.error));
    };
    worker.onerror = (e) => reject(new Error(e.message));
    worker.postMessage(message, transfer);
  }).finally(() => worker.terminate());
}

/**
 * Times `renderFrame` for each motion on a pool of `threads` threads.
 * @param {{ threads: number, image: Uint8Array, motions: string[], width: number, height: number, frames: number }} job
 */
const render = (job) => oneShot(new Worker(new URL('./render.worker.js', import.meta.url), { type: 'module' }), job);

/**
 * The encoder's floor for a video: `frames` frames of `motion` at `width x height`, in `format`
 * (floor.worker.js renders them first, then times their encoding alone).
 * @param {{ image: Uint8Array, motion: string, width: number, height: number, fps: number, frames: number, format: 'mp4' | 'webm' }} job
 */
async function floor(job) {
  let cpuAtStart = NaN;
  const onPrepared = async () => {
    cpuAtStart = await browserCpuSeconds();
    return 'go';
  };
  const worker = new Worker(new URL('./floor.worker.js', import.meta.url), { type: 'module' });
  const result = await oneShot(worker, job, [], onPrepared);
  return { ...result, cpuSeconds: (await browserCpuSeconds()) - cpuAtStart };
}

/**
 * The CPU time all of the browser's processes have used so far, in seconds, read by the bench
 * runner from /proc (NaN when the page runs outside it). Differences of two readings show how much
 * CPU a run needed, however many threads it spread over.
 * @returns {Promise<number>}
 */
function browserCpuSeconds() {
  // @ts-ignore: exposed by scripts/bench.mjs
  return globalThis.browserCpuSeconds?.() ?? Promise.resolve(NaN);
}

/**
 * One video through the public API; wall time, the engine's own figures, and the longest
 * main-thread task while it ran; with `keepFile`, the file itself (base64), for other tools to
 * measure.
 * @param {{ image: Uint8Array, options: Record<string, unknown>, keepFile?: boolean }} job
 */
async function endToEnd({ image, options, keepFile = false }) {
  let longest = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) longest = Math.max(longest, entry.duration);
  });
  observer.observe({ type: 'longtask', buffered: false });
  // Where the time goes: until the first frame is rendered (engine, input hash, set-up, encoder
  // configuration), the frames (render and encode overlapped), and the tail (flush, mux, hash).
  /** @type {Record<string, number>} */
  const marks = {};
  /** @param {import('../lib/index.js').Progress} p */
  const onProgress = (p) => {
    const at = performance.now() - started;
    if (p.stage === 'render' && p.frame === 1) marks.firstFrameMs = at;
    if (p.stage === 'encode') marks.submittedMs ??= at;
  };
  const cpuAtStart = await browserCpuSeconds();
  const started = performance.now();
  const { metadata, blob } = await generateVideo(image, { analysisCache: false, history: false, ...options, onProgress });
  const wallMs = performance.now() - started;
  const cpuSeconds = (await browserCpuSeconds()) - cpuAtStart;
  await new Promise((r) => setTimeout(r, 50)); // let the observer deliver the last entries
  observer.disconnect();
  const file = keepFile ? await base64(blob) : undefined;
  return { wallMs, cpuSeconds, ...marks, setupMs: metadata.setupMs, codec: metadata.codec, frames: metadata.frames, bytes: blob.size,
    wasmMemoryBytes: metadata.wasmMemoryBytes, memoryEstimateBytes: metadata.memoryEstimateBytes, longestTaskMs: longest, file };
}

/** @param {Blob} blob */
async function base64(blob) {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

globalThis.quantoniumBench = { render, floor, endToEnd, isolated: globalThis.crossOriginIsolated };
document.body.dataset.ready = 'true';
