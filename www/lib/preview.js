// @ts-check
/**
 * The size of live previews: the video's size scaled down (never up) to the box the page shows
 * them in, its aspect kept. Pixels beyond what the screen shows cost conversion, transfer and
 * painting on the cores the render and the encoder share.
 */

/**
 * @param {{ width: number, height: number }} video
 * @param {import('./protocol.js').PreviewBox} box a side that is missing or below 1 does not bound
 * @returns {{ width: number, height: number }}
 */
export function previewSize(video, box) {
  const bounds = (/** @type {number | undefined} */ side) => typeof side === 'number' && Number.isFinite(side) && side >= 1;
  const sx = bounds(box.width) ? /** @type {number} */ (box.width) / video.width : 1;
  const sy = bounds(box.height) ? /** @type {number} */ (box.height) / video.height : 1;
  const scale = Math.min(1, sx, sy);
  return { width: Math.max(1, Math.round(video.width * scale)), height: Math.max(1, Math.round(video.height * scale)) };
}

/**
 * The box a canvas shows its pixels in, in device pixels: an element's laid-out CSS box (so a
 * canvas sized by CSS gets a sharp preview and no more), or nothing for an OffscreenCanvas or a
 * canvas that is not displayed (previews then come at the video's size).
 * @param {HTMLCanvasElement | OffscreenCanvas} canvas
 * @returns {import('./protocol.js').PreviewBox}
 */
export function canvasBox(canvas) {
  if (typeof HTMLCanvasElement === 'undefined' || !(canvas instanceof HTMLCanvasElement)) return {};
  const { width, height } = canvas.getBoundingClientRect();
  if (!(width > 0 && height > 0)) return {};
  const dpr = (typeof devicePixelRatio === 'number' && devicePixelRatio > 0) ? devicePixelRatio : 1;
  return { width: Math.ceil(width * dpr), height: Math.ceil(height * dpr) };
}
