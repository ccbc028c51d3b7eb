// @ts-check
/** Draws the engine's analysis: spectra, the coherence matrix, and the motion maps over the image. */

const PALETTE = ['#7c9cff', '#b18cff', '#59d3c4', '#ffb86b'];

/** A perceptually ordered colour for t in [0, 1] (dark blue → violet → orange → pale yellow). */
function heat(t) {
  const stops = [[15, 17, 40], [70, 50, 150], [190, 70, 140], [250, 150, 60], [252, 240, 170]];
  const x = Math.min(0.9999, Math.max(0, t)) * (stops.length - 1);
  const i = Math.floor(x);
  const f = x - i;
  return stops[i].map((c, k) => Math.round(c + (stops[i + 1][k] - c) * f));
}

/**
 * @param {HTMLCanvasElement} canvas
 * @param {import('../lib/index.js').Analysis} analysis
 */
export function drawSpectra(canvas, analysis) {
  const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
  const { width: w, height: h } = canvas;
  ctx.fillStyle = '#0a0c11';
  ctx.fillRect(0, 0, w, h);
  const all = analysis.waveforms.flatMap((wf) => wf.spectrum.slice(1));
  const max = Math.max(...all, 1e-9);
  const floor = max * 1e-4;
  const y = (m) => h - 8 - ((Math.log10(Math.max(m, floor)) - Math.log10(floor)) / 4) * (h - 16);
  analysis.waveforms.forEach((wf, i) => {
    const group = wf.line.kind === 'row' ? 0 : wf.line.kind === 'column' ? 1 : 2 + (wf.line.kind === 'antiDiagonal' ? 1 : 0);
    ctx.strokeStyle = PALETTE[group];
    ctx.globalAlpha = group < 2 ? 0.45 : 0.9;
    ctx.lineWidth = 1;
    ctx.beginPath();
    const bins = wf.spectrum.length - 1;
    for (let k = 1; k <= bins; k++) {
      const px = 8 + (Math.log(k) / Math.log(bins)) * (w - 16);
      if (k === 1) ctx.moveTo(px, y(wf.spectrum[k]));
      else ctx.lineTo(px, y(wf.spectrum[k]));
    }
    ctx.stroke();
  });
  ctx.globalAlpha = 1;
  ctx.fillStyle = '#9aa3b5';
  ctx.font = '11px system-ui, sans-serif';
  ['rows', 'columns', 'diagonal', 'anti-diagonal'].forEach((label, i) => {
    ctx.fillStyle = PALETTE[i];
    ctx.fillText(label, w - 90, 16 + i * 14);
  });
}

/**
 * @param {HTMLCanvasElement} canvas
 * @param {import('../lib/index.js').Analysis} analysis
 */
export function drawCoherence(canvas, analysis) {
  const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
  const n = analysis.waveforms.length;
  const { width: w } = canvas;
  const cell = w / n;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const [r, g, b] = heat(analysis.coherence[i * n + j]);
      ctx.fillStyle = `rgb(${r},${g},${b})`;
      ctx.fillRect(j * cell, i * cell, Math.ceil(cell), Math.ceil(cell));
    }
  }
  ctx.strokeStyle = 'rgba(255,255,255,.5)';
  for (const k of [8, 16]) {
    ctx.beginPath();
    ctx.moveTo(k * cell, 0); ctx.lineTo(k * cell, w);
    ctx.moveTo(0, k * cell); ctx.lineTo(w, k * cell);
    ctx.stroke();
  }
}

/**
 * The fitted image, the mobility mask as a warm glow, and orientation strokes where motion is allowed.
 * @param {HTMLCanvasElement} canvas
 * @param {import('../lib/index.js').Analysis} analysis
 * @param {ImageBitmap | null} image the input image (any size: it is drawn cover-fitted, as the engine sees it)
 */
export function drawMaps(canvas, analysis, image) {
  const { width: aw, height: ah } = analysis;
  canvas.width = aw;
  canvas.height = ah;
  const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, aw, ah);
  if (image && image.width > 0) {
    const scale = Math.min(image.width / aw, image.height / ah);
    const [sw, sh] = [aw * scale, ah * scale];
    ctx.globalAlpha = 0.55;
    ctx.drawImage(image, (image.width - sw) / 2, (image.height - sh) / 2, sw, sh, 0, 0, aw, ah);
    ctx.globalAlpha = 1;
  }
  const overlay = ctx.createImageData(aw, ah);
  for (let i = 0; i < aw * ah; i++) {
    const m = analysis.mobility[i] / 255;
    overlay.data[i * 4] = 255;
    overlay.data[i * 4 + 1] = 170;
    overlay.data[i * 4 + 2] = 60;
    overlay.data[i * 4 + 3] = Math.round(m * 150);
  }
  const layer = new OffscreenCanvas(aw, ah);
  layer.getContext('2d')?.putImageData(overlay, 0, 0);
  ctx.drawImage(layer, 0, 0);
  const step = Math.max(8, Math.round(Math.min(aw, ah) / 24));
  ctx.strokeStyle = 'rgba(180, 220, 255, .85)';
  ctx.lineWidth = Math.max(1, step / 10);
  for (let y = step / 2; y < ah; y += step) {
    for (let x = step / 2; x < aw; x += step) {
      const i = Math.floor(y) * aw + Math.floor(x);
      const m = analysis.mobility[i] / 255;
      if (m < 0.2) continue;
      // The stroke runs along the gradient direction: the way things sway.
      const theta = (analysis.orientation[i] / 255 - 0.5) * Math.PI;
      const len = step * 0.45 * m;
      ctx.beginPath();
      ctx.moveTo(x - Math.cos(theta) * len, y - Math.sin(theta) * len);
      ctx.lineTo(x + Math.cos(theta) * len, y + Math.sin(theta) * len);
      ctx.stroke();
    }
  }
}
