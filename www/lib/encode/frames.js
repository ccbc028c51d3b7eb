// @ts-check
/**
 * VideoFrames of the engine's pixels and how they are fed to the encoder: shared by the library's
 * worker and the benchmark's floor, so both hand WebCodecs the same frames in the same way.
 */

/** Frames allowed in the encoder's queue before rendering waits: short, but never empty. */
export const MAX_ENCODE_QUEUE = 2;
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
