// @ts-check
/**
 * Quantonium Video — the public API. One still image in, a short video out, computed in a Web
 * Worker on the user's device; nothing is uploaded anywhere.
 *
 * ```js
 * import { generateVideo } from 'quantonium-video';
 * const { blob, metadata, sha256 } = await generateVideo(file, { format: 'mp4', duration: 4 });
 * ```
 *
 * The worker is created on first use and reused. Jobs run one at a time; later calls wait in
 * order (see `status()`).
 */
import { ErrorCode, PROTOCOL_VERSION } from './protocol.js';
import { addHistory, clearHistory, historyVideo, listHistory } from './store/history.js';
import { canvasBox } from './preview.js';

export { ErrorCode } from './protocol.js';

/** How long a cancelled job may take to stop before its worker is terminated. */
const HARD_ABORT_MS = 1000;
/** Jobs that may run at once (the pool already uses every core for one job). */
const MAX_CONCURRENT_JOBS = 1;
/** Default `timeout`: a job still running after five minutes is stopped with `TIMEOUT`. */
const DEFAULT_TIMEOUT_MS = 300_000;
/** Option names handled on this side; everything else goes to the engine, which rejects unknown ones. */
const PAGE_OPTIONS = new Set(['onProgress', 'onAnalysis', 'signal', 'canvas', 'freezeMask', 'timeout', 'analysisCache', 'history', 'keepVideos']);

/** The error every API call rejects with: a stable `code` and a message that names the problem. */
export class QuantoniumError extends Error {
  /** @param {string} code @param {string} message */
  constructor(code, message) {
    super(message);
    /** One of {@link ErrorCode}. */
    this.code = code;
    // Aborts keep the DOM name so generic `err.name === 'AbortError'` checks work too.
    this.name = code === ErrorCode.ABORTED ? 'AbortError' : 'QuantoniumError';
  }
}

/** @param {{code: string, message: string}} data */
const fromData = (data) => new QuantoniumError(data.code, data.message);
const aborted = () => new QuantoniumError(ErrorCode.ABORTED, 'the generation was cancelled');

/** A name no other engine instance on this origin uses. */
const uniqueName = () => `quantonium-panic-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;

/**
 * How long an engine worker may take to start (load its module, compile the WebAssembly, start
 * the pool) before it counts as hung. Starting takes about a second where it works, and a pool
 * that never answers is given up inside the worker after 15 s, so only a stalled load gets here: a
 * `.wasm` response that never ends, or a worker that never runs its module. Without a bound a page
 * would say "loading" for ever.
 */
const INIT_TIMEOUT_MS = 45_000;
/** The bound new workers get: `INIT_TIMEOUT_MS` unless a test's `debug.restart` shortened it. */
let initTimeoutMs = INIT_TIMEOUT_MS;

/**
 * One engine worker and its pending requests. A worker that crashes (a Rust panic), times out or
 * does not stop when cancelled is terminated; the next request starts a fresh one.
 */
class WorkerClient {
  /** @param {{ poolFailure?: 'throw' | 'hang', poolStartMs?: number }} [initDebug] fault injection for the tests */
  constructor(initDebug) {
    this.worker = new Worker(new URL('./engine.worker.js', import.meta.url), { type: 'module', name: 'quantonium-engine' });
    // A panic on a pool thread leaves the engine thread blocked for ever: the panic hook posts the
    // message here instead (src/api/panic.rs), and the worker is replaced at once.
    const panicChannel = uniqueName();
    this.panics = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel(panicChannel);
    if (this.panics) {
      this.panics.onmessage = (event) => this.kill(new QuantoniumError(ErrorCode.INTERNAL, `the engine panicked: ${event.data}`));
    }
    this.nextId = 1;
    /** @type {Map<number, { resolve: (v: any) => void, reject: (e: any) => void, onMessage?: (m: any) => void }>} */
    this.pending = new Map();
    this.dead = false;
    this.worker.onmessage = (event) => this.receive(event.data);
    this.worker.onerror = (event) => {
      event.preventDefault();
      this.kill(new QuantoniumError(ErrorCode.INTERNAL, `the engine worker failed: ${event.message || 'could not start'}`));
    };
    /** @type {Promise<any>} */
    this.ready = this.request({ type: 'init', panicChannel: this.panics ? panicChannel : '', ...(initDebug ? { debug: initDebug } : {}) });
    this.ready.catch(() => {});
    /** @type {any} */
    this.info = null;
    this.ready.then((info) => (this.info = info), () => {});
    /** Whether the worker was given up because its start never finished. */
    this.hung = false;
    const ms = initTimeoutMs;
    const watchdog = setTimeout(() => {
      this.hung = true;
      this.kill(new QuantoniumError(ErrorCode.INTERNAL, `the engine did not start within ${ms / 1000} s (its code or WebAssembly never finished loading)`));
    }, ms);
    this.ready.finally(() => clearTimeout(watchdog)).catch(() => {});
  }

  /**
   * @param {{type: string, [key: string]: unknown}} message
   * @param {Transferable[]} [transfer]
   * @param {(m: any) => void} [onMessage] receives progress and preview messages
   * @returns {{ id: number, promise: Promise<any> }}
   */
  send(message, transfer = [], onMessage) {
    const id = this.nextId++;
    const promise = new Promise((resolve, reject) => {
      if (this.dead) return reject(new QuantoniumError(ErrorCode.INTERNAL, 'the engine worker has stopped'));
      this.pending.set(id, { resolve, reject, onMessage });
      try {
        this.worker.postMessage({ ...message, v: PROTOCOL_VERSION, id }, transfer);
      } catch (err) {
        this.pending.delete(id);
        reject(new QuantoniumError(ErrorCode.INVALID_OPTION, `options must be plain data: ${/** @type {Error} */ (err).message}`));
      }
    });
    return { id, promise };
  }

  /** @param {{type: string, [key: string]: unknown}} message */
  request(message) {
    return this.send(message).promise;
  }

  /** @param {any} msg */
  receive(msg) {
    const entry = this.pending.get(msg.id);
    if (!entry) {
      if (msg.type === 'preview') msg.bitmap?.close();
      return;
    }
    if (msg.type !== 'done') return entry.onMessage?.(msg);
    this.pending.delete(msg.id);
    if (msg.ok) entry.resolve(msg.data);
    else entry.reject(fromData(msg.error));
    if (msg.fatal) this.kill(fromData(msg.error));
  }

  /** Terminates the worker and fails whatever is still pending. @param {QuantoniumError} error */
  kill(error) {
    if (this.dead) return;
    this.dead = true;
    this.worker.terminate();
    this.panics?.close();
    for (const entry of this.pending.values()) entry.reject(error);
    this.pending.clear();
    if (client === this) client = null;
  }
}

/**
 * Touches the page's media stack once before the worker uses WebCodecs. WebKitGTK sets up its media
 * framework (GStreamer) when a page first asks about media, but its WebCodecs does not ask: the first
 * `VideoEncoder` call of a page that has not done so crashes the whole tab. A `canPlayType` question
 * sets the framework up; elsewhere it is a cheap, side-effect-free lookup.
 */
let mediaPrimed = false;
function primeMediaStack() {
  if (mediaPrimed || typeof document === 'undefined') return;
  mediaPrimed = true;
  try {
    document.createElement('video').canPlayType('video/mp4; codecs="avc1.42E01E"');
  } catch {}
}

/** @type {WorkerClient | null} */
let client = null;
const getClient = () => {
  primeMediaStack();
  return (client ??= new WorkerClient());
};

/**
 * The engine, started. A worker whose start hangs is replaced once: such a hang is seldom twice in
 * a row (a stalled response, a worker that never ran), and a page should not need a reload for it.
 * @returns {Promise<WorkerClient>}
 */
async function readyClient() {
  for (let attempt = 1; ; attempt++) {
    const worker = getClient();
    try {
      await worker.ready;
      return worker;
    } catch (err) {
      if (!worker.hung || attempt === 2) throw err;
    }
  }
}

/** @type {(() => void)[]} */
const queue = [];
let running = 0;

function runNext() {
  while (running < MAX_CONCURRENT_JOBS && queue.length > 0) queue.shift()?.();
}

/** @param {Blob | ArrayBuffer | ArrayBufferView} input @param {string} [name] */
async function inputBuffer(input, name = 'input') {
  if (typeof Blob !== 'undefined' && input instanceof Blob) return input.arrayBuffer();
  // Copies, so the caller's buffer is not detached by the transfer to the worker.
  if (input instanceof ArrayBuffer) return input.slice(0);
  if (ArrayBuffer.isView(input)) {
    return input.buffer.slice(input.byteOffset, input.byteOffset + input.byteLength);
  }
  throw new QuantoniumError(ErrorCode.INVALID_OPTION, `${name} must be a Blob, File, ArrayBuffer or Uint8Array`);
}

/**
 * @param {HTMLCanvasElement | OffscreenCanvas} canvas
 * @param {ImageBitmap} bitmap
 */
function drawPreview(canvas, bitmap) {
  if (canvas.width !== bitmap.width || canvas.height !== bitmap.height) {
    canvas.width = bitmap.width;
    canvas.height = bitmap.height;
  }
  const ctx = /** @type {CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null} */ (canvas.getContext('2d'));
  ctx?.drawImage(bitmap, 0, 0);
  bitmap.close();
}

/**
 * Generates a video from one image. See index.d.ts for the option and result types.
 * @param {Blob | ArrayBuffer | ArrayBufferView} input
 * @param {import('./index.js').GenerateOptions} [options]
 * @returns {Promise<import('./index.js').GenerateResult>}
 */
export async function generateVideo(input, options = {}) {
  if (options === null || typeof options !== 'object') {
    throw new QuantoniumError(ErrorCode.INVALID_OPTION, 'options must be an object');
  }
  const { onProgress, onAnalysis, signal, canvas, timeout = DEFAULT_TIMEOUT_MS, analysisCache = true } = options;
  const { history: recordHistory = true, keepVideos = 0 } = options;
  if (typeof recordHistory !== 'boolean') {
    throw new QuantoniumError(ErrorCode.INVALID_OPTION, `option \`history\` must be true or false, got ${recordHistory}`);
  }
  if (typeof keepVideos !== 'number' || !(keepVideos >= 0) || !Number.isFinite(keepVideos)) {
    throw new QuantoniumError(ErrorCode.INVALID_OPTION, `option \`keepVideos\`: expected a byte count of 0 or more, got ${keepVideos}`);
  }
  if (typeof analysisCache !== 'boolean') {
    throw new QuantoniumError(ErrorCode.INVALID_OPTION, `option \`analysisCache\` must be true or false, got ${analysisCache}`);
  }
  for (const [name, value] of [['onProgress', onProgress], ['onAnalysis', onAnalysis]]) {
    if (value !== undefined && typeof value !== 'function') {
      throw new QuantoniumError(ErrorCode.INVALID_OPTION, `option \`${name}\` must be a function`);
    }
  }
  if (typeof timeout !== 'number' || !(timeout > 0) || timeout > 2 ** 31 - 1) {
    throw new QuantoniumError(ErrorCode.INVALID_OPTION, `option \`timeout\`: expected milliseconds from 1 to ${2 ** 31 - 1}, got ${timeout}`);
  }
  /** @type {Record<string, unknown>} */
  const engineOptions = {};
  for (const [key, value] of Object.entries(options)) {
    if (!PAGE_OPTIONS.has(key) && value !== undefined) engineOptions[key] = value;
  }
  if (signal?.aborted) throw aborted();
  const buffer = await inputBuffer(input);
  const freezeMask = options.freezeMask === undefined ? undefined : await inputBuffer(options.freezeMask, 'option `freezeMask`');

  // Wait for a free slot, in call order; an abort while waiting leaves the queue.
  await new Promise((resolve, reject) => {
    const start = () => {
      signal?.removeEventListener('abort', onAbort);
      running++;
      resolve(undefined);
    };
    const onAbort = () => {
      const i = queue.indexOf(start);
      if (i >= 0) queue.splice(i, 1);
      reject(aborted());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    queue.push(start);
    runNext();
  });

  try {
    if (signal?.aborted) throw aborted();
    const worker = await readyClient();
    if (signal?.aborted) throw aborted(); // aborted while the engine was loading
    const startedAt = Date.now();
    /** @type {string | null} */
    let inputSha256 = null;
    const { id, promise } = worker.send(
      { type: 'generate', input: buffer, freezeMask, options: engineOptions, preview: canvas ? canvasBox(canvas) : null, analysisCache },
      freezeMask ? [buffer, freezeMask] : [buffer],
      (msg) => {
        if (msg.type === 'progress') onProgress?.({ stage: msg.stage, frame: msg.frame, frames: msg.frames });
        else if (msg.type === 'analysis') onAnalysis?.(msg.analysis);
        else if (msg.type === 'input') inputSha256 = msg.inputSha256;
        else if (msg.type === 'preview') {
          if (canvas) drawPreview(canvas, msg.bitmap);
          else msg.bitmap.close();
        }
      },
    );
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    let hardAbort;
    // The clock starts when the job starts (not while it waits in the queue). A job past its time
    // cannot be trusted to stop by itself, so its worker is terminated.
    const timer = setTimeout(
      () => worker.kill(new QuantoniumError(ErrorCode.TIMEOUT, `the generation took longer than its timeout of ${timeout} ms`)),
      timeout,
    );
    const onAbort = () => {
      worker.worker.postMessage({ v: PROTOCOL_VERSION, type: 'cancel', id });
      // A worker busy in a long step cannot hear the cancel: replace it if it does not stop soon.
      hardAbort = setTimeout(() => worker.kill(aborted()), HARD_ABORT_MS);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const result = await promise;
      if (recordHistory) await addHistory(historyRecord(startedAt, inputSha256, engineOptions, result, null), { video: result.blob, keepVideos });
      return result;
    } catch (err) {
      if (recordHistory) await addHistory(historyRecord(startedAt, inputSha256, engineOptions, null, /** @type {QuantoniumError} */ (err)));
      throw err;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      clearTimeout(hardAbort);
      clearTimeout(timer);
    }
  } finally {
    running--;
    runNext();
  }
}

/**
 * A history record from a finished job (`result`) or a failed one (`error`). Failed jobs record
 * the options as they were asked for (they may be what failed).
 * @param {number} startedAt @param {string | null} inputSha256 @param {Record<string, any>} asked
 * @param {any} result @param {QuantoniumError | null} error
 */
function historyRecord(startedAt, inputSha256, asked, result, error) {
  const m = result?.metadata;
  const resolution = m ? `${m.width}x${m.height}` : typeof asked.resolution === 'string' ? asked.resolution : asked.resolution ? `${asked.resolution.width}x${asked.resolution.height}` : null;
  return {
    timestamp: startedAt,
    status: /** @type {'done' | 'failed'} */ (result ? 'done' : 'failed'),
    inputSha256,
    format: m?.format ?? asked.format ?? null,
    duration: m?.duration ?? asked.duration ?? null,
    fps: m?.fps ?? asked.fps ?? null,
    resolution,
    quantumPrecision: m?.quantumPrecision ?? asked.quantumPrecision ?? null,
    resonanceDepth: m?.resonanceDepth ?? asked.resonanceDepth ?? null,
    motion: m?.motion ?? asked.motion ?? null,
    processingTimeMs: m?.processingTimeMs ?? Date.now() - startedAt,
    outputSha256: result?.sha256 ?? null,
    outputBytes: result?.blob.size ?? null,
    error: error ? { code: error.code ?? ErrorCode.INTERNAL, message: String(error.message) } : null,
  };
}

/**
 * The job history kept in IndexedDB (database `quantonium-video`, store `history`): one record
 * per generation that reached the engine, done or failed. Turn it off per call with
 * `history: false`; keep the videos themselves with `keepVideos` (a byte cap).
 */
export const history = Object.freeze({
  /** Every record, newest first (videos not included; `hasVideo` says if one is kept). */
  list: listHistory,
  /** The video kept with record `id`, or null. */
  video: historyVideo,
  /** Deletes every record and kept video. */
  clear: clearHistory,
});

/**
 * What this browser can really do: the formats with the codec strings `VideoEncoder` accepts,
 * whether threads and SIMD are on (and why not), limits and defaults. Never rejects: when the
 * engine cannot start, nothing is supported and `error` says why.
 * @returns {Promise<import('./index.js').Capabilities>}
 */
export async function capabilities() {
  try {
    return await (await readyClient()).request({ type: 'capabilities' });
  } catch (err) {
    // Never rejects: a page asks this to decide what to offer, and "nothing" is an answer.
    return engineUnavailable(/** @type {QuantoniumError} */ (err));
  }
}

/**
 * The capabilities of a browser where the engine could not start (no WebAssembly, its files
 * blocked or missing, the worker refused): nothing can be made, and `error` says why.
 * @param {QuantoniumError} err
 * @returns {import('./index.js').Capabilities}
 */
function engineUnavailable(err) {
  const error = {
    code: /** @type {import('./index.js').ErrorCodeName} */ (err?.code ?? ErrorCode.INTERNAL),
    message: String(err?.message ?? err),
  };
  const none = { supported: false, codecs: [] };
  return {
    formats: { mp4: none, webm: { ...none, codecs: [] }, avi: { ...none, codecs: [] }, gif: { ...none, codecs: [] } },
    threads: { crossOriginIsolated: globalThis.crossOriginIsolated === true, enabled: false, poolSize: 0, reason: `the engine did not start (${error.message})` },
    simd: false,
    hardwareConcurrency: (typeof navigator !== 'undefined' && navigator.hardwareConcurrency) || 1,
    limits: null,
    defaults: null,
    motions: [],
    engineVersion: null,
    error,
  };
}

/**
 * The engine's state: version, whether the worker is ready, jobs running and queued.
 * @returns {import('./index.js').EngineStatus}
 */
export function status() {
  return {
    engineVersion: client?.info?.version ?? null,
    workerReady: Boolean(client?.info) && !client?.dead,
    running,
    queued: queue.length,
  };
}

/**
 * Fault injection for recovery tests. Not for production use.
 */
export const debug = Object.freeze({
  /**
   * Makes the engine panic (on its own thread, or inside a job on a pool thread) and resolves
   * with the error the request got. The worker is replaced; the next call starts a fresh one.
   * @param {{ onPool?: boolean, message?: string }} [options]
   * @returns {Promise<QuantoniumError>}
   */
  async panic({ onPool = false, message = 'panic injected by debug.panic()' } = {}) {
    const worker = await readyClient();
    return worker.request({ type: 'debug', panic: { message, onPool } }).then(
      () => new QuantoniumError(ErrorCode.INTERNAL, 'the engine did not panic'),
      (err) => err,
    );
  },
  /**
   * Makes the next `count` video encoders fail at frame 2, as a failing hardware encoder would.
   * @param {number} count
   * @returns {Promise<void>}
   */
  async failEncoders(count) {
    const worker = await readyClient();
    await worker.request({ type: 'debug', failEncoders: count });
  },
  /**
   * Replaces the engine worker with a fresh one, whose thread pool fails to start when asked: its
   * hand-over of the shared memory throws (`'throw'`, as in browsers that cannot send shared
   * memory to a worker) or is never answered (`'hang'`, given up after `poolStartMs`). Resolves
   * when the new engine is ready. `initTimeoutMs` is how long this and later workers may take to
   * start before they count as hung (45 s unless given). Must not be called while a job runs.
   * @param {{ poolFailure?: 'throw' | 'hang', poolStartMs?: number, initTimeoutMs?: number }} [options]
   * @returns {Promise<void>}
   */
  async restart({ initTimeoutMs: startBound = INIT_TIMEOUT_MS, ...options } = {}) {
    client?.kill(new QuantoniumError(ErrorCode.INTERNAL, 'the engine worker was restarted'));
    primeMediaStack();
    initTimeoutMs = startBound;
    client = new WorkerClient(options);
    await readyClient();
  },
});
