/**
 * Quantonium Video: one still image in, a short video out, computed in a Web Worker on the
 * user's device (Rust + WebAssembly with threads and SIMD, WebCodecs encoding).
 */

/** Stable error codes carried by {@link QuantoniumError.code}. */
export declare const ErrorCode: Readonly<{
  /** The input is not a JPEG, PNG, GIF, BMP or WebP image. */
  UNSUPPORTED_FORMAT: 'UNSUPPORTED_FORMAT';
  /** An option is out of range or unknown; the message names it and the allowed values. */
  INVALID_OPTION: 'INVALID_OPTION';
  /** The file is over 50 MB, or the image it declares is larger than the decoder allows. */
  IMAGE_TOO_LARGE: 'IMAGE_TOO_LARGE';
  /** The image is truncated or corrupt. */
  CORRUPT_IMAGE: 'CORRUPT_IMAGE';
  /** The job's estimated memory is over its budget (`memoryBudget`); the message gives both. */
  RESOURCE_LIMIT: 'RESOURCE_LIMIT';
  /** No encoder for the format works in this browser, or encoding failed; the message names the codec tried. */
  ENCODER_ERROR: 'ENCODER_ERROR';
  /** The job ran longer than its `timeout`; its worker was replaced, the next job works. */
  TIMEOUT: 'TIMEOUT';
  /** The job was cancelled through its `AbortSignal`. */
  ABORTED: 'ABORTED';
  /** A bug in the engine; the worker is replaced and the next job works. */
  INTERNAL: 'INTERNAL';
}>;

export type ErrorCodeName = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Every API call rejects with this. `name` is `'AbortError'` for {@link ErrorCode.ABORTED}. */
export declare class QuantoniumError extends Error {
  constructor(code: string, message: string);
  readonly code: ErrorCodeName | string;
}

/** Output container. */
export type VideoFormat = 'mp4' | 'webm' | 'avi' | 'gif';

/** Pipeline stage reported by {@link GenerateOptions.onProgress}. */
export type Stage = 'decode' | 'analyze' | 'render' | 'encode' | 'mux' | 'hash';

/** How the picture moves. */
export type Motion = 'resonance' | 'flow' | 'sky' | 'shimmer' | 'camera' | 'resonance+camera';

export interface Progress {
  stage: Stage;
  /** Frames done so far (0 during `decode`). */
  frame: number;
  /** Frames in the video (0 until known). */
  frames: number;
}

export interface GenerateOptions {
  /**
   * Container and codec family: `mp4` (H.264, or AV1 where H.264 cannot be encoded), `webm`
   * (VP9, or VP8), `avi` (Motion-JPEG, encoded in WebAssembly; works without WebCodecs), `gif`
   * (animated GIF for chats and READMEs, encoded in WebAssembly: one palette for the loop, ordered
   * dithering that keeps still pixels still, only changed rectangles stored, looping forever;
   * 480×480 by default and at most 1024 px a side).
   * @default 'mp4'
   */
  format?: VideoFormat;
  /** Length in seconds, `0 < duration <= 30`. @default 4 */
  duration?: number;
  /** Frames per second, a whole number from 1 to 60. @default 24 */
  fps?: number;
  /**
   * Output size: `'WIDTHxHEIGHT'` or `{width, height}`; even sides from 16 to 2048. The image is
   * cover-fitted: scaled to fill the frame, the excess cropped evenly.
   * @default '1024x1024'
   */
  resolution?: string | { width: number; height: number };
  /** Seed of every random choice (noise, wind, camera direction). Same image, options and seed: same video. @default 0 */
  seed?: number;
  /**
   * `resonance`: gentle modal sway and ripple where the image is textured (grass, leaves, water),
   * computed from the image's own structure; flat regions and long straight edges stay still.
   * `flow`: texture drifting steadily across its streaks, as water and clouds do (two crossfaded,
   * advected copies; frame 0 shows the water mid-flow), or along `paths`; a cloudy sky drifts as
   * under `sky` unless arrows are drawn. `sky`: the sky, found in the picture, drifts
   * on a steady level wind while the horizon and everything below or against it stay bit-for-bit
   * still (a picture without a sky stays still, with `metadata.amplitude` 0). `shimmer`: fine oriented detail whose phase
   * rotates — glints and haze seem to travel while nothing is resampled.
   * `camera`: a slow zoom-in with a gentle pan. `resonance+camera`: both, resampled once.
   * @default 'resonance'
   */
  motion?: Motion;
  /**
   * Scale of the local motion in output pixels, at most 5 % of the shorter side: the largest
   * displacement for `resonance`; for `flow` the texture drifts 8× this per cycle (about 4 s), and
   * for `sky` the clouds drift as far in the same time; for
   * `shimmer` the bands' wavelength is 4× this (8–64 px).
   * @default 1 % of the shorter side
   */
  amplitude?: number;
  /**
   * Direction arrows for `flow`: which way things flow, each a polyline of `[x, y]` points in 0–1
   * image coordinates (`[0, 0]` top-left), drawn in the direction of flow. The flow follows the
   * arrows smoothly between them and fades out far from them (about 15 % of the frame's shorter
   * side), where the image is still and under `freezeMask`. At most 32 arrows and 1024 points in
   * all; other motions refuse them with `INVALID_OPTION`.
   */
  paths?: { points: [number, number][] }[];
  /** Number of oscillation modes, 1–32. @default 8 */
  resonanceDepth?: number;
  /** Samples per analysed waveform and long side of the analysis grid: a power of two, 64–4096. @default 512 */
  quantumPrecision?: number;
  /** Seamless loop: the last frame leads back into the first (the camera returns to its start). @default true */
  loop?: boolean;
  /** Largest input file accepted, in bytes, 1 to 50 MB; larger files give `IMAGE_TOO_LARGE`. @default 52428800 */
  maxInputBytes?: number;
  /**
   * Memory the job may use, in bytes, 16 MiB to 768 MiB. The job's need is estimated from the
   * image's header and the options before decoding; over the budget it fails at once with
   * `RESOURCE_LIMIT`. Large photos are reduced while decoding, so they rarely reach it.
   * @default 805306368
   */
  memoryBudget?: number;
  /**
   * An image whose dark pixels never move (the "anchor" brush): faces, text, a building. It is
   * cover-fitted like the photo, so give it the photo's aspect ratio (ideally its size). It stops
   * the local motion (resonance, flow, shimmer) there; a camera move still moves the whole frame.
   */
  freezeMask?: Blob | ArrayBuffer | ArrayBufferView;
  /** Called once the image is analysed, before the frames are rendered (every motion but `camera`). */
  onAnalysis?: (analysis: Analysis) => void;
  /** Called as the job advances. Done means the promise resolved, not `frame === frames`. */
  onProgress?: (progress: Progress) => void;
  /** Cancels the job: the promise rejects with code `ABORTED` within one second. */
  signal?: AbortSignal;
  /**
   * Milliseconds the job may run (not counting time in the queue) before it is stopped with
   * `TIMEOUT` and its worker replaced. Default 300000 (five minutes).
   */
  timeout?: number;
  /**
   * Keep the image's analysis in IndexedDB (database `quantonium-video`, store `analysis`, seven
   * days), keyed by the SHA-256 of the input and the analysis options, so the next video of the
   * same image skips it (`metadata.analysisCached`). The frames are the same either way. Storage
   * errors never fail a job. @default true
   */
  analysisCache?: boolean;
  /** Record this job in the history (`history.list()`), done or failed. @default true */
  history?: boolean;
  /**
   * Keep the video itself with its history record, as long as all kept videos fit in this many
   * bytes (the oldest are dropped first). 0 keeps none. @default 0
   */
  keepVideos?: number;
  /**
   * A canvas that shows frames as they are rendered, up to 8 a second. A canvas in the page gets
   * previews at the size it is displayed (its CSS box times `devicePixelRatio`, the video's aspect
   * kept, never larger than the video), so size it with CSS, for example
   * `width: 100%; height: 100%; object-fit: contain`; an `OffscreenCanvas` gets them at the video's
   * size. The canvas's `width` and `height` are set to the preview's.
   */
  canvas?: HTMLCanvasElement | OffscreenCanvas;
}

export interface VideoMetadata {
  frames: number;
  width: number;
  height: number;
  fps: number;
  /** Seconds: `frames / fps`. */
  duration: number;
  format: VideoFormat;
  /** The codec string used, e.g. `avc1.640020`, `vp09.00.40.08`, or `mjpeg`. */
  codec: string;
  motion: Motion;
  loop: boolean;
  /** Local-motion amplitude really used, in output pixels (the request unless the fold-over guard reduced it; 0 when nothing in the image can move); null for `camera`. */
  amplitude: number | null;
  seed: number;
  sourceWidth: number;
  sourceHeight: number;
  /** Spectral analysis length (bins). */
  quantumPrecision: number;
  /** Number of oscillation modes. */
  resonanceDepth: number;
  /** Threads the engine rendered with. */
  threads: number;
  /** Whether the WebAssembly build uses SIMD. */
  simd: boolean;
  engineVersion: string;
  /** Wall time from the call reaching the worker to the result, in milliseconds. */
  processingTimeMs: number;
  /** Milliseconds spent decoding, analysing and preparing the motion, before the first frame. */
  setupMs: number;
  /** Whether the analysis was read from the cache instead of being made (see `analysisCache`). */
  analysisCached: boolean;
  /** Lower-case hex SHA-256 of the input file. */
  inputSha256: string;
  /** The job's memory estimate in bytes, made before decoding and checked against `memoryBudget`. */
  memoryEstimateBytes: number;
  /** Size of the engine's WebAssembly memory after the job, in bytes (it grows, never shrinks). */
  wasmMemoryBytes: number;
}

/** One scanline waveform of the analysis and its spectrum. */
export interface Waveform {
  line: { kind: 'row'; y: number } | { kind: 'column'; x: number } | { kind: 'diagonal' } | { kind: 'antiDiagonal' };
  /** Length of the line on the analysis grid, in pixels. */
  lengthPx: number;
  /** Φ-RFT magnitudes (equal to the DFT's) of the windowed, mean-removed luma, bins 0…precision/2. */
  spectrum: number[];
  /** Strongest non-DC bin (cycles along the line); 0 for a flat line. */
  dominantBin: number;
  /** Period of the dominant bin in analysis pixels; 0 for a flat line. */
  dominantPeriodPx: number;
  /** max/mean of the non-DC power: ≈1 for noise or flat lines, large for periodic texture. */
  harmonicRatio: number;
}

/** What the engine saw in the image. */
export interface Analysis {
  /** Analysis grid size (the fitted image, long side at most `quantumPrecision`). */
  width: number;
  height: number;
  precision: number;
  /** 8 rows, 8 columns, 2 diagonals. */
  waveforms: Waveform[];
  /** 18×18 magnitude-squared coherence between the waveforms, row-major, each in [0, 1]. */
  coherence: number[];
  summary: { meanMobility: number; mobileShare: number; meanTexture: number; meanCoherence: number };
  /** Where motion is allowed, `width*height` bytes (255 = free). */
  mobility: Uint8Array;
  /** Local orientation, `width*height` bytes (0 = −90°, 255 = +90°). */
  orientation: Uint8Array;
}

export interface GenerateResult {
  /** The video file. */
  blob: Blob;
  /** e.g. `video/mp4; codecs="avc1.640020"`, `video/webm; codecs="vp09.00.40.08"`, `video/x-msvideo`. */
  mimeType: string;
  metadata: VideoMetadata;
  /** Lower-case hex SHA-256 of the blob's bytes. */
  sha256: string;
  /** The analysis (null for `camera`, which needs none). */
  analysis: Analysis | null;
}

export interface Limits {
  maxDuration: number;
  minFps: number;
  maxFps: number;
  minSide: number;
  maxSide: number;
  maxInputBytes: number;
  /** Default and largest `memoryBudget`, in bytes. */
  maxMemoryBudget: number;
  defaultDuration: number;
  defaultFps: number;
  defaultResolution: string;
  quantumPrecision: number;
  resonanceDepth: number;
  minPrecision: number;
  maxPrecision: number;
  maxDepth: number;
  defaultAmplitudeShare: number;
  maxAmplitudeShare: number;
  motions: Motion[];
}

export interface Capabilities {
  /** Per format: whether this browser can encode it, and the codec strings it accepted (best first). */
  formats: Record<VideoFormat, { supported: boolean; codecs: string[] }>;
  threads: {
    /** Whether the page is cross-origin isolated (COOP/COEP), which threads need. */
    crossOriginIsolated: boolean;
    /** Whether rendering really runs on more than one thread. */
    enabled: boolean;
    /** Threads in the pool (1 when single-threaded). */
    poolSize: number;
    /**
     * Why threads are off (the page is not cross-origin isolated, or the pool could not start and
     * the engine fell back to its single-threaded build); null when they are on.
     */
    reason: string | null;
  };
  simd: boolean;
  hardwareConcurrency: number;
  /** Null when the engine could not start (see `error`). */
  limits: Limits | null;
  /** Null when the engine could not start (see `error`). */
  defaults: { quantumPrecision: number; resonanceDepth: number; motion: Motion } | null;
  motions: Motion[];
  /** Null when the engine could not start (see `error`). */
  engineVersion: string | null;
  /**
   * Why the engine could not start in this browser (every format is then unsupported), or null.
   * `capabilities()` resolves either way.
   */
  error: { code: ErrorCodeName; message: string } | null;
}

export interface EngineStatus {
  /** Null until the worker has loaded the engine. */
  engineVersion: string | null;
  workerReady: boolean;
  /** Jobs running now. */
  running: number;
  /** Jobs waiting for a slot. */
  queued: number;
}

/** Generates a video from one image (a `File`, `Blob`, `ArrayBuffer` or `Uint8Array`). */
export declare function generateVideo(
  input: Blob | ArrayBuffer | ArrayBufferView,
  options?: GenerateOptions,
): Promise<GenerateResult>;

/** What this browser can really do (probes the encoders; starts the worker if needed). Never rejects. */
export declare function capabilities(): Promise<Capabilities>;

/** The engine's state, synchronously. */
export declare function status(): EngineStatus;

/** Fault injection for recovery tests. Not for production use. */
export declare const debug: Readonly<{
  /**
   * Makes the engine panic (on its own thread, or in a job on a pool thread) and resolves with the
   * `INTERNAL` error that carries the panic's message. The worker is replaced; the next call starts
   * a fresh one.
   */
  panic(options?: { onPool?: boolean; message?: string }): Promise<QuantoniumError>;
  /** Makes the next `count` video encoders fail at frame 2, as a failing hardware encoder would. */
  failEncoders(count: number): Promise<void>;
  /**
   * Replaces the engine worker with a fresh one, whose thread pool fails to start when asked: the
   * hand-over of the shared memory throws (`'throw'`, as where a browser cannot send shared memory
   * to a worker) or is never answered (`'hang'`, given up after `poolStartMs`, default 15 s).
   * Resolves once the engine is ready; `capabilities().threads.reason` then says why threads are off.
   * `initTimeoutMs` is how long this and later workers may take to start before they count as hung
   * (default 45 s): a hung worker is replaced once, and a second hang rejects with `INTERNAL`.
   */
  restart(options?: { poolFailure?: 'throw' | 'hang'; poolStartMs?: number; initTimeoutMs?: number }): Promise<void>;
}>;

/** One generation, as kept in the history. */
export interface HistoryEntry {
  id: number;
  /** When the job started (ms since the epoch). */
  timestamp: number;
  status: 'done' | 'failed';
  /** SHA-256 of the input file; null when the job failed before the worker read it. */
  inputSha256: string | null;
  format: VideoFormat | null;
  duration: number | null;
  fps: number | null;
  /** `"WxH"`. */
  resolution: string | null;
  quantumPrecision: number | null;
  resonanceDepth: number | null;
  motion: Motion | null;
  processingTimeMs: number;
  outputSha256: string | null;
  outputBytes: number | null;
  error: { code: ErrorCodeName | string; message: string } | null;
  /** Whether the video itself is kept (see `keepVideos`); get it with `history.video(id)`. */
  hasVideo: boolean;
}

/** The job history in IndexedDB. */
export declare const history: Readonly<{
  /** Every record, newest first. */
  list(): Promise<HistoryEntry[]>;
  /** The video kept with record `id`, or null. */
  video(id: number): Promise<Blob | null>;
  /** Deletes every record and kept video. */
  clear(): Promise<void>;
}>;
