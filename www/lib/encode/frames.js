// @ts-check
/**
 * VideoFrames of the engine's pixels and how they are fed to the encoder: shared by the library's
 * worker and the benchmark's floor, so both hand WebCodecs the same frames in the same way.
 */

/** Frames allowed in the encoder's queue before rendering waits: short, but never empty. */
export const MAX_ENCODE_QUEUE = 2;
/**
 * Frames handed to the encoder and not yet given back as chunks, at most. Some encoders take each
 * frame at once and encode it later (Firefox's VP9 and H.264 empty their queue at once and hold
 * the frames), so the queue bound alone would let a whole video pile up in the browser's memory.
 * Above the look-ahead of the encoders seen (Firefox gave its first chunk after 28 frames of VP9
 * and 45 of H.264), so an encoder that needs that many before its first chunk still gets them.
 */
export const MAX_FRAMES_IN_FLIGHT = 64;

/**
 * Whether the feeder should wait (for a dequeue or a chunk) before handing over another frame.
 * @param {VideoEncoder} encoder @param {number} submitted frames encoded so far @param {number} received chunks back so far
 */
export const encoderFull = (encoder, submitted, received) =>
  encoder.encodeQueueSize > MAX_ENCODE_QUEUE || submitted - received > MAX_FRAMES_IN_FLIGHT;
/** A keyframe every two seconds keeps seeking cheap in the result. */
export const KEYFRAME_SECONDS = 2;

/** Frame `i`'s timestamp in microseconds. @param {number} i @param {number} fps */
export const timestampUs = (i, fps) => Math.round((i * 1e6) / fps);

/** The colour space of the engine's I420 frames (src/render/yuv.rs): BT.709, limited range. */
const I420_COLOR_SPACE = { primaries: 'bt709', transfer: 'bt709', matrix: 'bt709', fullRange: false };

/**
 * The bytes of one `width x height` frame in `format` (the sides are even: the options say so).
 * @param {'RGBA' | 'I420'} format @param {number} width @param {number} height
 */
export const frameBytes = (format, width, height) => (format === 'I420' ? (width * height * 3) / 2 : width * height * 4);

/**
 * A VideoFrame of `pixels` (`frameBytes` of them, in `format`). VideoFrame copies the pixels at
 * construction, so their buffer can be reused at once.
 * @param {Uint8Array} pixels @param {'RGBA' | 'I420'} format @param {number} width @param {number} height
 * @param {number} timestamp @param {number} duration microseconds
 */
export function engineFrame(pixels, format, width, height, timestamp, duration) {
  const init = { format, codedWidth: width, codedHeight: height, timestamp, duration };
  return new VideoFrame(pixels, format === 'I420' ? { ...init, colorSpace: I420_COLOR_SPACE } : init);
}
