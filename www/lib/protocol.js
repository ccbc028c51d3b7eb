// @ts-check
/**
 * The worker protocol: every message between the page-side client (index.js) and the engine
 * worker (engine.worker.js). One file, shared by both sides, so they cannot drift apart.
 *
 * Every message carries `v: PROTOCOL_VERSION`; a worker that receives another version answers with
 * an `INTERNAL` error instead of guessing. Errors always cross as plain `{code, message}` data,
 * because structured clone drops custom error classes.
 *
 * @typedef {{ code: string, message: string }} ErrorData
 *
 * Page → worker:
 * The box, in device pixels, that the page shows previews in (`{}`: no box, previews at the video's size).
 * @typedef {{ width?: number, height?: number }} PreviewBox
 * `debug` makes the thread pool fail to start, for the tests of the single-threaded fallback.
 * @typedef {{ v: number, type: 'init', id: number, panicChannel: string, debug?: { poolFailure?: 'throw' | 'hang', poolStartMs?: number } }} InitRequest
 * @typedef {{ v: number, type: 'capabilities', id: number }} CapabilitiesRequest
 * @typedef {{ v: number, type: 'generate', id: number, input: ArrayBuffer, freezeMask?: ArrayBuffer, options: Record<string, unknown>, preview: PreviewBox | null, analysisCache: boolean }} GenerateRequest
 * @typedef {{ v: number, type: 'cancel', id: number }} CancelRequest
 * Fault injection for the tests: panic now, and/or make the next `failEncoders` encoders fail.
 * @typedef {{ v: number, type: 'debug', id: number, panic?: { message: string, onPool: boolean }, failEncoders?: number }} DebugRequest
 * @typedef {InitRequest | CapabilitiesRequest | GenerateRequest | CancelRequest | DebugRequest} WorkerRequest
 *
 * Worker → page:
 * @typedef {'decode' | 'analyze' | 'render' | 'encode' | 'mux' | 'hash'} Stage
 * @typedef {{ v: number, type: 'progress', id: number, stage: Stage, frame: number, frames: number }} ProgressMessage
 * @typedef {{ v: number, type: 'preview', id: number, bitmap: ImageBitmap, frame: number }} PreviewMessage
 * @typedef {{ v: number, type: 'analysis', id: number, analysis: unknown }} AnalysisMessage
 * @typedef {{ v: number, type: 'input', id: number, inputSha256: string }} InputMessage
 * @typedef {{ v: number, type: 'done', id: number, ok: true, data: unknown }} DoneMessage
 * @typedef {{ v: number, type: 'done', id: number, ok: false, error: ErrorData, fatal?: true }} FailedMessage
 * @typedef {ProgressMessage | PreviewMessage | AnalysisMessage | InputMessage | DoneMessage | FailedMessage} WorkerResponse
 */

/** Bumped whenever a message's shape changes. */
export const PROTOCOL_VERSION = 4;

/** Stable error codes (the Rust core defines the ones it raises; these are the JS-side ones). */
export const ErrorCode = Object.freeze({
  UNSUPPORTED_FORMAT: 'UNSUPPORTED_FORMAT',
  INVALID_OPTION: 'INVALID_OPTION',
  IMAGE_TOO_LARGE: 'IMAGE_TOO_LARGE',
  CORRUPT_IMAGE: 'CORRUPT_IMAGE',
  RESOURCE_LIMIT: 'RESOURCE_LIMIT',
  ENCODER_ERROR: 'ENCODER_ERROR',
  TIMEOUT: 'TIMEOUT',
  ABORTED: 'ABORTED',
  INTERNAL: 'INTERNAL',
});

/**
 * Turns anything thrown into `{code, message}`: errors already carrying a code keep it.
 * @param {unknown} err
 * @param {string} [fallbackCode]
 * @returns {ErrorData}
 */
export function toErrorData(err, fallbackCode = ErrorCode.INTERNAL) {
  if (err && typeof err === 'object' && 'code' in err && typeof err.code === 'string' && 'message' in err) {
    return { code: err.code, message: String(err.message) };
  }
  const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return { code: fallbackCode, message };
}
