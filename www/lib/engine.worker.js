// @ts-check
/**
 * The engine worker: owns the WebAssembly instance and its thread pool, and runs the whole
 * pipeline (decode → render → encode → mux → hash) so the page's main thread never does.
 *
 * Frames are produced one at a time (Rust's pull API, `renderFrame(i)`), and the loop returns to
 * the event loop between frames, so a `cancel` message is heard within one frame. WebCodecs'
 * queue is kept short (backpressure on `encodeQueueSize`), so memory does not grow with length.
 */
import { ErrorCode, PROTOCOL_VERSION, toErrorData } from './protocol.js';
import { codecCandidates, encoderConfig } from './encode/codecs.js';
import { KEYFRAME_SECONDS, encoderFull, engineFrame, frameBytes, timestampUs } from './encode/frames.js';
import { createMuxer } from './encode/mux.js';
import { previewSize } from './preview.js';
import { readAnalysis, writeAnalysis } from './store/analysis-cache.js';
import { sha256Hex } from './store/db.js';

/**
 * Shortest interval between two preview frames sent to the page. Each one is a full-size bitmap
 * converted here and painted there, CPU that the render and the encoder need: 8 a second show the
 * motion while costing a third of what 16 did (measured by `npm run bench`'s demo table).
 */
const PREVIEW_INTERVAL_MS = 125;

/** @typedef {typeof import('../../pkg/threads/engine.js')} EngineModule */
/** @type {Promise<{ mod: EngineModule, info: Record<string, unknown> }> | null} */
let loading = null;
/**
 * One generation: its id, whether it was cancelled, and how it reports progress. Made when the
 * request arrives, so a `cancel` finds it during any stage.
 */
class Job {
  /** @param {number} id */
  constructor(id) {
    this.id = id;
    this.cancelled = false;
  }

  /** @param {import('./protocol.js').Stage} stage @param {number} frame @param {number} frames */
  progress(stage, frame, frames) {
    post({ v: PROTOCOL_VERSION, type: 'progress', id: this.id, stage, frame, frames });
  }

  /** Throws `ABORTED` once the job is cancelled; called between stages and frames. */
  checkCancel() {
    if (this.cancelled) throw engineError(ErrorCode.ABORTED, 'the generation was cancelled');
  }
}

/**
 * What the encoders get of a job once its engine is set up.
 * @typedef {{ job: Job, mod: EngineModule, engine: import('../../pkg/threads/engine.js').Engine, plan: any, previewer: Previewer }} Work
 */

/** @type {Map<number, Job>} */
const jobs = new Map();
/** Encoder attempts that fail on purpose at frame 2 (set by the tests' `debug` request). */
let injectedEncoderFailures = 0;
/** The BroadcastChannel the page listens on for panics on pool threads (see src/api/panic.rs). */
let panicChannel = '';

/**
 * How long the thread pool may take to start. wasm-bindgen-rayon's `initThreadPool` waits for every
 * pool worker to say it is ready, and a worker that cannot load never says so: without a bound the
 * engine would never start. (Starting takes well under a second where it works.)
 */
const POOL_START_MS = 15_000;

/**
 * Fault injection for the tests (the `init` request's `debug`): the pool's start fails as it does
 * where shared memory cannot be sent to a worker ('throw'), or its workers never answer ('hang').
 * @type {{ poolFailure?: 'throw' | 'hang', poolStartMs?: number }}
 */
let initDebug = {};

/**
 * Starts wasm-bindgen-rayon's pool, within `POOL_START_MS`, with any injected failure applied to
 * the messages that hand each pool worker the module and the shared memory.
 * @param {EngineModule} threaded
 */
async function startPool(threaded) {
  const ms = initDebug.poolStartMs ?? POOL_START_MS;
  const { poolFailure } = initDebug;
  const post = Worker.prototype.postMessage;
  if (poolFailure) {
    Worker.prototype.postMessage = function () {
      if (poolFailure === 'throw') throw new DOMException('The object can not be cloned (failure injected by a test).', 'DataCloneError');
    };
  }
  try {
    const started = threaded.initThreadPool(Math.max(1, navigator.hardwareConcurrency || 1));
    await withTimeout(started, ms, `the thread pool did not start within ${ms} ms`);
  } finally {
    Worker.prototype.postMessage = post;
  }
}

/**
 * Rejects with `message` when `promise` has not settled within `ms`.
 * @template T @param {Promise<T>} promise @param {number} ms @param {string} message @returns {Promise<T>}
 */
function withTimeout(promise, ms, message) {
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return /** @type {Promise<T>} */ (Promise.race([promise, timeout])).finally(() => clearTimeout(timer));
}

/** What went wrong, in words: the error's name and message (protocol.js's wording). @param {unknown} err */
const describe = (err) => toErrorData(err).message;

/**
 * How long a WebCodecs call may go unanswered before its codec counts as unavailable: an engine's
 * `isConfigSupported` or encoder may never answer, and a job must not hang on it. For an encoder
 * this bounds the time without any progress, not the whole wait: Firefox's software VP9 takes
 * about a third of a second a 1024² frame.
 */
const CODEC_ANSWER_MS = 8_000;

/**
 * What this worker has learned of each encoder configuration (keyed by its JSON): null when the
 * browser accepts it, or why not. Probes are asked once and shared by `capabilities()` and jobs;
 * an encoder that stalls in a job marks its configuration unavailable for the next ones.
 * @type {Map<string, Promise<string | null>>}
 */
const codecVerdicts = new Map();

/**
 * Asks the browser about `config` once, within `CODEC_ANSWER_MS`. `isConfigSupported` is a hint
 * (a job still falls back when the encoder then fails), but a "no" or no answer is final.
 * @param {VideoEncoderConfig} config @returns {Promise<string | null>} null, or why not
 */
function probeCodec(config) {
  const key = JSON.stringify(config);
  let verdict = codecVerdicts.get(key);
  if (!verdict) {
    verdict = typeof VideoEncoder === 'undefined'
      ? Promise.resolve('this browser has no WebCodecs VideoEncoder')
      : withTimeout(Promise.resolve().then(() => VideoEncoder.isConfigSupported(config)), CODEC_ANSWER_MS, `isConfigSupported did not answer within ${CODEC_ANSWER_MS} ms`)
          .then((support) => (support.supported ? null : 'not supported'), describe);
    codecVerdicts.set(key, verdict);
  }
  return verdict;
}

/** Marks `config` unavailable (its encoder stalled) for the rest of this worker's life. @param {VideoEncoderConfig} config @param {string} why */
const condemnCodec = (config, why) => codecVerdicts.set(JSON.stringify(config), Promise.resolve(why));

/** Whether `config` is already known to be unavailable, without asking. @param {VideoEncoderConfig} config */
async function knownUnavailable(config) {
  const verdict = codecVerdicts.get(JSON.stringify(config));
  return verdict ? (await verdict) !== null : false;
}

/**
 * Loads the engine, threaded when the browser lets it be. Threads are tried, not assumed: a page
 * can be cross-origin isolated and still refuse to send shared WebAssembly memory to a worker
 * (WebKitGTK throws DataCloneError), or a pool worker can fail to load. Any failure of the pool's
 * start falls back to the single-threaded build, and `threadsOff` says why. Only the builds tried
 * are fetched.
 */
function loadEngine() {
  loading ??= (async () => {
    const isolated = self.crossOriginIsolated === true;
    /** @type {string | null} */
    let threadsOff = isolated ? null : 'the page is not cross-origin isolated (COOP/COEP), so it cannot share memory between threads';
    /** @type {EngineModule | null} */
    let mod = null;
    if (isolated) {
      try {
        /** @type {EngineModule} */
        const threaded = await import('../../pkg/threads/engine.js');
        await threaded.default();
        if (panicChannel) threaded.setPanicChannel(panicChannel);
        await startPool(threaded);
        mod = threaded;
      } catch (err) {
        threadsOff = `the thread pool could not start (${describe(err)})`;
      }
    }
    if (!mod) {
      // The single-threaded build has the same API but for the pool's exports, which are not used then.
      mod = /** @type {EngineModule} */ (/** @type {unknown} */ (await import('../../pkg/single/engine.js')));
      await mod.default();
      if (panicChannel) mod.setPanicChannel(panicChannel);
    }
    const info = {
      version: mod.version(),
      crossOriginIsolated: isolated,
      threadedBuild: mod.isThreadedBuild(),
      threads: mod.threadCount(),
      threadsOff,
      simd: mod.isSimdBuild(),
      hardwareConcurrency: navigator.hardwareConcurrency || 1,
      limits: mod.limits(),
    };
    return { mod, info };
  })();
  return loading;
}

/** @param {import('./protocol.js').WorkerResponse} msg @param {Transferable[]} [transfer] */
function post(msg, transfer = []) {
  self.postMessage(msg, transfer);
}

const yieldChannel = new MessageChannel();
/** @type {(() => void)[]} */
const yieldWaiters = [];
yieldChannel.port1.onmessage = () => yieldWaiters.shift()?.();
/** Returns to the event loop (unlike setTimeout, without a 4 ms clamp), so messages get through. */
function yieldToEventLoop() {
  return new Promise((resolve) => {
    yieldWaiters.push(() => resolve(undefined));
    yieldChannel.port2.postMessage(0);
  });
}

/**
 * Answers request `id` with an error. A WebAssembly trap (a Rust panic, or running out of memory)
 * leaves the instance unusable: the answer then says `fatal`, carries the panic's message, and the
 * page replaces this worker.
 * @param {number} id @param {unknown} err
 */
function fail(id, err) {
  const fatal = err instanceof WebAssembly.RuntimeError;
  const panic = /** @type {any} */ (self).__quantoniumPanic;
  const error = fatal
    ? { code: ErrorCode.INTERNAL, message: panic ? `the engine panicked: ${panic}` : `the engine crashed: ${/** @type {Error} */ (err).message}` }
    : toErrorData(err);
  post({ v: PROTOCOL_VERSION, type: 'done', id, ok: false, error, ...(fatal ? { fatal } : {}) });
}

/** @param {string} code @param {string} message */
function engineError(code, message) {
  return { code, message };
}

/**
 * The analysis cache's key for this input and these options, or null when the motion needs no
 * analysis (or the options are invalid: the engine then reports that itself).
 * @param {EngineModule} mod @param {string} inputHash @param {Record<string, unknown>} options
 */
function analysisCacheKey(mod, inputHash, options) {
  try {
    const key = mod.analysisKey(options);
    return key ? `${inputHash}/${key}` : null;
  } catch {
    return null;
  }
}

/**
 * Sends a preview of the frame just rendered, at most every PREVIEW_INTERVAL_MS and one at a time,
 * no larger than the box the page shows it in. The engine shrinks the frame itself
 * (`previewFrame`): the browser's `createImageBitmap` of a `VideoFrame` converts the whole frame
 * before it scales, as much CPU as rendering one, taken from the render and the encoder.
 */
class Previewer {
  /**
   * @param {number} id @param {import('./protocol.js').PreviewBox | null} box
   * @param {{ width: number, height: number }} video
   * @param {EngineModule} mod @param {import('../../pkg/threads/engine.js').Engine} engine
   */
  constructor(id, box, video, mod, engine) {
    this.id = id;
    this.enabled = box !== null;
    this.size = previewSize(video, box ?? {});
    this.mod = mod;
    this.engine = engine;
    this.last = -Infinity;
    this.busy = false;
  }
  /**
   * Called after each frame is rendered.
   * @param {number} index @param {boolean} force send even if the last one was sent just now
   */
  offer(index, force) {
    const now = performance.now();
    if (!this.enabled || this.busy || (!force && now - this.last < PREVIEW_INTERVAL_MS)) return;
    this.last = now;
    const { width, height } = this.size;
    const pixels = new Uint8ClampedArray(width * height * 4);
    try {
      const ptr = this.engine.previewFrame(width, height);
      // A copy: linear memory is shared (threads) and reused by the next preview.
      pixels.set(new Uint8Array(/** @type {WebAssembly.Memory} */ (this.mod.linearMemory()).buffer, ptr, pixels.length));
    } catch {
      this.enabled = false; // a preview is never worth failing the video for
      return;
    }
    this.busy = true;
    createImageBitmap(new ImageData(pixels, width, height))
      .then((bitmap) => post({ v: PROTOCOL_VERSION, type: 'preview', id: this.id, bitmap, frame: index }, [bitmap]))
      .catch(() => {})
      .finally(() => {
        this.busy = false;
      });
  }
}

/**
 * @param {import('./protocol.js').GenerateRequest} req
 */
async function generate(req) {
  const started = performance.now();
  const job = new Job(req.id);
  jobs.set(req.id, job);
  /** @type {EncoderSession | null} */
  let early = null;
  try {
    job.progress('decode', 0, 0);
    const { mod, info } = await loadEngine();
    job.checkCancel();
    // The encoder depends on the options alone, so the format's first codec is configured now,
    // without asking `isConfigSupported` first: the encoder starts up (otherwise paid inside the
    // first encode) while the engine decodes and analyses the image, and the question's own
    // answer, slower still, is not waited for. A browser
    // that cannot use the codec reports it as the encoder's error, and the next codec is tried.
    const valid = mod.validateOptions(req.options);
    const [first] = valid.format === 'avi' || valid.format === 'gif' ? [] : codecConfigs(valid.format, valid.width, valid.height, valid.fps);
    if (first && typeof VideoEncoder !== 'undefined' && !(await knownUnavailable(first.config))) {
      early = new EncoderSession(first.config);
    }
    job.progress('analyze', 0, 0);
    const mask = req.freezeMask ? new Uint8Array(req.freezeMask) : undefined;
    const inputHash = await sha256Hex(req.input);
    post({ v: PROTOCOL_VERSION, type: 'input', id: req.id, inputSha256: inputHash });
    const cacheKey = req.analysisCache ? analysisCacheKey(mod, inputHash, req.options) : null;
    const cached = cacheKey ? await readAnalysis(cacheKey) : null;
    job.checkCancel();
    const setupStarted = performance.now();
    const engine = new mod.Engine(new Uint8Array(req.input), req.options, mask, cached ?? undefined);
    const setupMs = Math.round(performance.now() - setupStarted);
    try {
      const analysisCached = engine.analysisFromCache();
      if (cacheKey && !analysisCached) {
        const bytes = engine.analysisBytes();
        if (bytes) await writeAnalysis(cacheKey, bytes);
      }
      const plan = engine.plan();
      const report = engine.analysis();
      const analysis = report ? { ...report, mobility: engine.mobilityMap(), orientation: engine.orientationMap() } : null;
      if (analysis) post({ v: PROTOCOL_VERSION, type: 'analysis', id: req.id, analysis });
      /** @type {Work} */
      const work = { job, mod, engine, plan, previewer: new Previewer(req.id, req.preview, plan, mod, engine) };
      /** @type {{ blob: Blob, mimeType: string, codec: string, buffer: ArrayBuffer }} */
      const out =
        plan.format === 'avi'
          ? await encodeAvi(work)
          : plan.format === 'gif'
            ? await encodeGif(work)
            : await encodeWebCodecs(work, early);
      job.progress('hash', plan.frames, plan.frames);
      const sha256 = await sha256Hex(out.buffer);
      const metadata = {
        frames: plan.frames,
        width: plan.width,
        height: plan.height,
        fps: plan.fps,
        duration: plan.duration,
        format: plan.format,
        codec: out.codec,
        motion: plan.motion,
        loop: plan.loop,
        amplitude: engine.amplitudeUsed() ?? null,
        seed: plan.seed,
        sourceWidth: plan.sourceWidth,
        sourceHeight: plan.sourceHeight,
        quantumPrecision: plan.quantumPrecision,
        resonanceDepth: plan.resonanceDepth,
        threads: info.threads,
        simd: info.simd,
        engineVersion: info.version,
        processingTimeMs: Math.round(performance.now() - started),
        setupMs,
        analysisCached,
        inputSha256: inputHash,
        memoryEstimateBytes: engine.memoryEstimate(),
        wasmMemoryBytes: /** @type {WebAssembly.Memory} */ (mod.linearMemory()).buffer.byteLength,
      };
      post({ v: PROTOCOL_VERSION, type: 'done', id: req.id, ok: true, data: { blob: out.blob, mimeType: out.mimeType, metadata, sha256, analysis } });
    } finally {
      engine.free();
    }
  } catch (err) {
    fail(req.id, err);
  } finally {
    early?.close();
    jobs.delete(req.id);
  }
}

/**
 * A VideoFrame over the engine's frame buffer. The view is made fresh each time because a memory
 * growth replaces `memory.buffer`; VideoFrame copies the pixels at construction, so the buffer can
 * be overwritten by the next frame at once (this also works when the memory is shared).
 * `format` is what `videoFrameFormat()` says of `renderVideoFrame`'s pixels: 'I420' for every
 * motion but shimmer, which the encoder then takes without converting.
 * @param {EngineModule} mod @param {number} ptr @param {{width: number, height: number}} plan
 * @param {number} timestamp @param {number} duration @param {'RGBA' | 'I420'} format
 */
function frameFromMemory(mod, ptr, plan, timestamp, duration, format) {
  const memory = /** @type {WebAssembly.Memory} */ (mod.linearMemory());
  const { width, height } = plan;
  const pixels = new Uint8Array(memory.buffer, ptr, frameBytes(format, width, height));
  return engineFrame(pixels, format, width, height, timestamp, duration);
}

/**
 * The format's codecs in its fallback order (encode/codecs.js), each with its encoder
 * configuration.
 * @param {'mp4' | 'webm'} format @param {number} width @param {number} height @param {number} fps
 */
function codecConfigs(format, width, height, fps) {
  return codecCandidates(format, width, height, fps).map((candidate) => ({ candidate, config: encoderConfig(candidate, width, height, fps) }));
}

/**
 * The format's codecs in fallback order, each with the browser's verdict on it (null: supported;
 * else why not). All are asked at once, so a browser that never answers costs one wait, not one
 * per codec. A configuration `known` to work is not asked about.
 * @param {'mp4' | 'webm'} format @param {number} width @param {number} height @param {number} fps
 * @param {(config: VideoEncoderConfig) => boolean} [known]
 */
function probedCodecs(format, width, height, fps, known = () => false) {
  return codecConfigs(format, width, height, fps).map((c) => ({ ...c, verdict: known(c.config) ? Promise.resolve(null) : probeCodec(c.config) }));
}

/**
 * Encodes with the first codec of the format's fallback order that the browser accepts; when an
 * encoder fails while encoding (a hardware encoder can, after accepting the configuration), the
 * video is made again from frame 0 with the next one. `ENCODER_ERROR` comes only once the order is
 * exhausted, and names every configuration tried and why it failed.
 * @param {Work} work
 * @param {EncoderSession | null} early an encoder configured before the set-up, used as it is when
 *   its configuration comes up
 */
async function encodeWebCodecs(work, early) {
  const { width, height, fps } = work.plan;
  if (typeof VideoEncoder === 'undefined') {
    throw engineError(ErrorCode.ENCODER_ERROR, `this browser has no WebCodecs VideoEncoder; choose format "avi"`);
  }
  const configuredEarly = (/** @type {VideoEncoderConfig} */ config) => Boolean(early?.configuredFor(config));
  const tried = [];
  for (const { candidate, config, verdict } of probedCodecs(work.plan.format, width, height, fps, configuredEarly)) {
    const described = `${config.codec} ${width}x${height} ${fps} fps ${Math.round((config.bitrate ?? 0) / 1000)} kbit/s`;
    const refusal = await verdict;
    work.job.checkCancel();
    if (refusal) {
      tried.push(`${described}: ${refusal}`);
      continue;
    }
    const session = early && configuredEarly(config) ? early : new EncoderSession(config);
    try {
      return await encodeWith(work, candidate, session);
    } catch (err) {
      if (!(err instanceof EncoderFailure)) throw err;
      if (err.stalled) condemnCodec(config, err.message);
      tried.push(`${described}: ${err.message}`);
    }
  }
  throw engineError(ErrorCode.ENCODER_ERROR, `no ${work.plan.format} encoder worked (tried ${tried.join('; ')})`);
}

/** An encoder failed after accepting its configuration: the next codec may still work. */
class EncoderFailure extends Error {
  /** @param {string} message @param {boolean} [stalled] it stopped answering (not worth asking again) */
  constructor(message, stalled = false) {
    super(message);
    this.stalled = stalled;
  }
}

/**
 * A configured `VideoEncoder`, its first failure, and whoever waits for its queue to drain. Its
 * chunks go to `sink`, set once the muxer exists (none come before the first encode).
 */
class EncoderSession {
  /** @param {VideoEncoderConfig} config */
  constructor(config) {
    this.config = config;
    /** @type {EncoderFailure | null} */
    this.failure = null;
    /** @type {(() => void)[]} */
    this.waiters = [];
    /** When the encoder last took a frame, gave a chunk, or was given work (see `whileProgressing`). */
    this.lastProgress = performance.now();
    /** Chunks the encoder has given back. */
    this.received = 0;
    /** @type {EncodedVideoChunkOutputCallback} */
    this.sink = () => {};
    this.encoder = new VideoEncoder({
      output: (chunk, meta) => {
        this.touch();
        this.received++;
        this.sink(chunk, meta);
        this.wake();
      },
      error: (err) => {
        this.failure ??= new EncoderFailure(err.message);
        this.wake();
      },
    });
    this.encoder.addEventListener('dequeue', () => {
      this.touch();
      this.wake();
    });
    try {
      this.encoder.configure(config);
    } catch (err) {
      this.failure = new EncoderFailure(`configure: ${/** @type {Error} */ (err).message}`);
    }
  }

  /** @param {VideoEncoderConfig} config */
  configuredFor(config) {
    return JSON.stringify(config) === JSON.stringify(this.config);
  }

  /** Records progress: called on every chunk and dequeue, and when the encoder is given work. */
  touch() {
    this.lastProgress = performance.now();
  }

  /**
   * `promise`, unless the encoder shows no progress (no frame taken, no chunk given) for
   * `CODEC_ANSWER_MS`: then it has stalled, and this fails. Progress, not the whole wait, is
   * bounded: an encoder that takes frames faster than it encodes them (Firefox's) can take many
   * seconds to flush at large sizes while giving chunks all along.
   * @template T @param {Promise<T>} promise @returns {Promise<T>}
   */
  whileProgressing(promise) {
    return new Promise((resolve, reject) => {
      const watch = setInterval(() => {
        if (performance.now() - this.lastProgress < CODEC_ANSWER_MS) return;
        clearInterval(watch);
        this.failure ??= new EncoderFailure(`the encoder made no progress for ${CODEC_ANSWER_MS} ms`, true);
        reject(this.failure);
      }, 250);
      promise.then(resolve, reject).finally(() => clearInterval(watch));
    });
  }

  /** Resolves when the encoder dequeues a frame, gives a chunk or fails; rejects when it stalls. */
  drained() {
    return this.whileProgressing(new Promise((resolve) => this.waiters.push(() => resolve(undefined))));
  }

  wake() {
    const w = this.waiters;
    this.waiters = [];
    w.forEach((f) => f());
  }

  close() {
    if (this.encoder.state !== 'closed') this.encoder.close();
  }
}

/**
 * Renders every frame into `session`'s encoder and muxes what it gives back.
 * @param {Work} work
 * @param {{ codec: string, family: 'avc' | 'av1' | 'vp9' | 'vp8' }} candidate @param {EncoderSession} session
 */
async function encodeWith({ job, mod, engine, plan, previewer }, candidate, session) {
  const { fps, frames } = plan;
  const { encoder, config } = session;
  const muxer = await createMuxer(plan.format, candidate.family, fps);
  session.sink = (chunk, meta) => muxer.add(chunk, meta);
  const checkFailure = () => {
    if (session.failure) throw session.failure;
  };
  try {
    const keyEvery = Math.max(1, fps * KEYFRAME_SECONDS);
    const layout = /** @type {'RGBA' | 'I420'} */ (engine.videoFrameFormat());
    for (let i = 0; i < frames; i++) {
      job.checkCancel();
      checkFailure();
      if (i === 2 && injectedEncoderFailures > 0) {
        injectedEncoderFailures--;
        throw new EncoderFailure('failure injected by a test');
      }
      const ptr = engine.renderVideoFrame(i);
      const ts = timestampUs(i, fps);
      const frame = frameFromMemory(mod, ptr, plan, ts, timestampUs(i + 1, fps) - ts, layout);
      try {
        session.touch();
        encoder.encode(frame, { keyFrame: i % keyEvery === 0 });
      } finally {
        frame.close();
      }
      previewer.offer(i, i === 0 || i === frames - 1); // while the encoder works on the frame
      job.progress('render', i + 1, frames);
      while (encoderFull(encoder, i + 1, session.received) && !session.failure) await session.drained();
      await yieldToEventLoop();
    }
    job.checkCancel();
    job.progress('encode', frames, frames);
    try {
      session.touch();
      await session.whileProgressing(encoder.flush());
    } catch (err) {
      throw session.failure ?? new EncoderFailure(`flush: ${/** @type {Error} */ (err).message}`);
    }
    checkFailure();
    job.progress('mux', frames, frames);
    const { buffer, mimeType } = await muxer.finalize();
    return { blob: new Blob([buffer], { type: mimeType }), mimeType, codec: config.codec, buffer };
  } catch (err) {
    await muxer.cancel().catch(() => {});
    throw err;
  } finally {
    session.close();
  }
}

/**
 * The frames of a file encoded in Rust (AVI, GIF), in order, each one's bytes leaving WebAssembly
 * at once so the engine's memory stays flat in the video's length; cancel, preview and progress
 * between frames. wasm-bindgen's Vec<u8> results are copies in ordinary ArrayBuffers, never the
 * shared memory, so they can go into a Blob as they are.
 * @param {Work} work
 * @param {(i: number) => Uint8Array} encodeFrame renders and encodes frame `i`
 * @returns {Promise<Uint8Array[]>}
 */
async function framesEncodedInRust({ job, plan, previewer }, encodeFrame) {
  const { frames } = plan;
  /** @type {Uint8Array[]} */
  const chunks = [];
  for (let i = 0; i < frames; i++) {
    job.checkCancel();
    chunks.push(encodeFrame(i));
    previewer.offer(i, i === 0 || i === frames - 1);
    job.progress('render', i + 1, frames);
    await yieldToEventLoop();
  }
  job.progress('mux', frames, frames);
  return chunks;
}

/**
 * AVI: every frame a JPEG, a RIFF chunk; the header and the index depend on every frame, so they
 * are asked for at the end.
 * @param {Work} work
 */
async function encodeAvi(work) {
  const chunks = await framesEncodedInRust(work, (i) => work.engine.aviChunk(i));
  const mimeType = 'video/x-msvideo';
  const blob = new Blob(/** @type {BlobPart[]} */ ([work.engine.aviHeader(), ...chunks, work.engine.aviIndex()]), { type: mimeType });
  return { blob, mimeType, codec: 'mjpeg', buffer: await blob.arrayBuffer() };
}

/**
 * GIF: the palette is made from frames rendered first (gifHeader), then each frame leaves as the
 * rectangle that changed.
 * @param {Work} work
 */
async function encodeGif(work) {
  const header = work.engine.gifHeader();
  const chunks = await framesEncodedInRust(work, (i) => work.engine.gifFrame(i));
  const mimeType = 'image/gif';
  const blob = new Blob(/** @type {BlobPart[]} */ ([header, ...chunks, work.engine.gifTrailer()]), { type: mimeType });
  return { blob, mimeType, codec: 'gif', buffer: await blob.arrayBuffer() };
}

/** What this browser can really do: codecs probed with isConfigSupported, threads, SIMD, limits. */
async function capabilities() {
  const { info } = await loadEngine();
  const limits = /** @type {any} */ (info.limits);
  const [w, h] = String(limits.defaultResolution).split('x').map(Number);
  const fps = limits.defaultFps;
  /** @type {Record<string, { supported: boolean, codecs: string[] }>} */
  const formats = {};
  for (const format of /** @type {const} */ (['mp4', 'webm'])) {
    // Each answer comes within CODEC_ANSWER_MS: a browser that never answers makes this slow
    // once, never stuck.
    const probed = probedCodecs(format, w, h, fps);
    const verdicts = await Promise.all(probed.map((c) => c.verdict));
    const codecs = probed.filter((_, i) => verdicts[i] === null).map((c) => c.candidate.codec);
    formats[format] = { supported: codecs.length > 0, codecs };
  }
  formats.avi = { supported: true, codecs: ['mjpeg'] };
  formats.gif = { supported: true, codecs: ['gif'] };
  return {
    formats,
    threads: {
      crossOriginIsolated: info.crossOriginIsolated,
      enabled: info.threadedBuild && Number(info.threads) > 1,
      poolSize: info.threads,
      reason: info.threadsOff ?? (Number(info.threads) > 1 ? null : 'the device reports one core'),
    },
    simd: info.simd,
    hardwareConcurrency: info.hardwareConcurrency,
    limits,
    defaults: { quantumPrecision: limits.quantumPrecision, resonanceDepth: limits.resonanceDepth, motion: limits.motions[0] },
    motions: limits.motions,
    engineVersion: info.version,
    error: null,
  };
}

self.onmessage = async (/** @type {MessageEvent<import('./protocol.js').WorkerRequest>} */ event) => {
  const req = event.data;
  if (!req || req.v !== PROTOCOL_VERSION) {
    post({ v: PROTOCOL_VERSION, type: 'done', id: req?.id ?? -1, ok: false, error: { code: ErrorCode.INTERNAL, message: `protocol version ${req?.v} is not ${PROTOCOL_VERSION}` } });
    return;
  }
  switch (req.type) {
    case 'init':
    case 'capabilities':
      try {
        if (req.type === 'init') {
          panicChannel = req.panicChannel;
          initDebug = req.debug ?? {};
        }
        const data = req.type === 'init' ? (await loadEngine()).info : await capabilities();
        post({ v: PROTOCOL_VERSION, type: 'done', id: req.id, ok: true, data });
      } catch (err) {
        fail(req.id, err);
      }
      break;
    case 'debug':
      try {
        if (req.failEncoders !== undefined) injectedEncoderFailures = req.failEncoders;
        if (req.panic) (await loadEngine()).mod.panicForTesting(req.panic.message, req.panic.onPool);
        post({ v: PROTOCOL_VERSION, type: 'done', id: req.id, ok: true, data: null });
      } catch (err) {
        fail(req.id, err);
      }
      break;
    case 'generate':
      await generate(req);
      break;
    case 'cancel': {
      const job = jobs.get(req.id);
      if (job) job.cancelled = true;
      break;
    }
  }
};
