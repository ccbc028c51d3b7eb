// @ts-check
/**
 * The anchor and arrow brushes. Over the image, the person paints the areas that must not move
 * (anchors) and draws which way things flow (arrows, for the flow motion). Strokes are kept in
 * image-relative coordinates: anchors become a mask image (white = free, black = anchored) at the
 * image's own size, which the engine cover-fits exactly like the photo; arrows become `paths`.
 */

/** Brush radius as a share of the image's width. */
const BRUSH = 0.035;
/** Arrow points closer than this share of the image's width to the previous one are dropped. */
const ARROW_STEP = 0.015;
/** The engine's limits on arrows: 32 of them, 1024 points in all. */
const MAX_ARROWS = 32;
const MAX_ARROW_POINTS = 1024;

/** @typedef {{ kind: 'anchor' | 'arrow', points: {x: number, y: number}[] }} Stroke */

export class AnchorBrush {
  /**
   * @param {HTMLCanvasElement} canvas
   * @param {{ clear: HTMLButtonElement, undo: HTMLButtonElement, anchor: HTMLInputElement, arrow: HTMLInputElement }} controls
   */
  constructor(canvas, { clear, undo, anchor, arrow }) {
    this.canvas = canvas;
    /** @type {ImageBitmap | null} */
    this.image = null;
    /** Every stroke, oldest first, so Undo removes the last of either kind. @type {Stroke[]} */
    this.strokes = [];
    /** @type {Stroke | null} */
    this.current = null;
    /** @type {() => 'anchor' | 'arrow'} */
    this.tool = () => (arrow.checked ? 'arrow' : 'anchor');
    canvas.addEventListener('pointerdown', (e) => {
      if (!this.image) return;
      const kind = this.tool();
      if (kind === 'arrow' && this.strokes.filter((s) => s.kind === 'arrow').length >= MAX_ARROWS) return;
      canvas.setPointerCapture(e.pointerId);
      this.current = { kind, points: [this.point(e)] };
      this.strokes.push(this.current);
      this.draw();
    });
    canvas.addEventListener('pointermove', (e) => {
      if (!this.current) return;
      const p = this.point(e);
      const last = this.current.points[this.current.points.length - 1];
      if (this.current.kind === 'arrow' && Math.hypot(p.x - last.x, p.y - last.y) < ARROW_STEP) return;
      this.current.points.push(p);
      this.draw();
    });
    const end = () => {
      // A click is no arrow: it has no direction.
      if (this.current?.kind === 'arrow' && this.current.points.length < 2) this.strokes.pop();
      this.current = null;
      this.draw();
    };
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', end);
    clear.addEventListener('click', () => {
      this.strokes = [];
      this.draw();
    });
    undo.addEventListener('click', () => {
      this.strokes.pop();
      this.draw();
    });
    anchor.addEventListener('change', () => this.draw());
  }

  /** @param {PointerEvent} e */
  point(e) {
    const r = this.canvas.getBoundingClientRect();
    return { x: (e.clientX - r.left) / r.width, y: (e.clientY - r.top) / r.height };
  }

  /** Shows a new image and forgets the old strokes. @param {Blob} file */
  async setImage(file) {
    this.image?.close();
    this.image = await createImageBitmap(file);
    this.strokes = [];
    const width = 600;
    this.canvas.width = width;
    this.canvas.height = Math.round((width * this.image.height) / this.image.width);
    this.draw();
  }

  /** @param {CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D} ctx @param {number} w @param {number} h */
  paintStrokes(ctx, w, h) {
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.lineWidth = 2 * BRUSH * w;
    for (const { points } of this.strokes.filter((s) => s.kind === 'anchor')) {
      ctx.beginPath();
      points.forEach((p, i) => (i === 0 ? ctx.moveTo(p.x * w, p.y * h) : ctx.lineTo(p.x * w, p.y * h)));
      if (points.length === 1) ctx.lineTo(points[0].x * w + 0.01, points[0].y * h);
      ctx.stroke();
    }
  }

  /** The arrows as lines with a head at their end. @param {CanvasRenderingContext2D} ctx @param {number} w @param {number} h */
  paintArrows(ctx, w, h) {
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.lineWidth = 0.006 * w;
    ctx.strokeStyle = 'rgba(90, 200, 255, 0.9)';
    for (const { points } of this.strokes.filter((s) => s.kind === 'arrow' && s.points.length > 1)) {
      ctx.beginPath();
      points.forEach((p, i) => (i === 0 ? ctx.moveTo(p.x * w, p.y * h) : ctx.lineTo(p.x * w, p.y * h)));
      const [a, b] = points.slice(-2);
      const angle = Math.atan2((b.y - a.y) * h, (b.x - a.x) * w);
      for (const side of [-1, 1]) {
        ctx.moveTo(b.x * w, b.y * h);
        ctx.lineTo(b.x * w - 0.03 * w * Math.cos(angle + side * 0.5), b.y * h - 0.03 * w * Math.sin(angle + side * 0.5));
      }
      ctx.stroke();
    }
  }

  draw() {
    const ctx = /** @type {CanvasRenderingContext2D} */ (this.canvas.getContext('2d'));
    const { width: w, height: h } = this.canvas;
    ctx.clearRect(0, 0, w, h);
    if (this.image) ctx.drawImage(this.image, 0, 0, w, h);
    ctx.strokeStyle = 'rgba(255, 90, 110, 0.55)';
    this.paintStrokes(ctx, w, h);
    this.paintArrows(ctx, w, h);
  }

  /**
   * The arrows as the engine's `paths` (0–1 image coordinates), or undefined when there are none.
   * @returns {{ points: [number, number][] }[] | undefined}
   */
  paths() {
    const arrows = this.strokes.filter((s) => s.kind === 'arrow' && s.points.length > 1);
    if (arrows.length === 0) return undefined;
    const clamp = (v) => Math.min(1, Math.max(0, v));
    let budget = MAX_ARROW_POINTS;
    /** @type {{ points: [number, number][] }[]} */
    const paths = [];
    for (const { points } of arrows) {
      if (budget < 2) break;
      const kept = points.slice(0, budget);
      budget -= kept.length;
      paths.push({ points: kept.map((p) => /** @type {[number, number]} */ ([clamp(p.x), clamp(p.y)])) });
    }
    return paths;
  }

  /** The mask as a PNG at the image's size, or undefined when nothing is painted. */
  async mask() {
    if (!this.image || !this.strokes.some((s) => s.kind === 'anchor')) return undefined;
    const { width: w, height: h } = this.image;
    const canvas = new OffscreenCanvas(w, h);
    const ctx = /** @type {OffscreenCanvasRenderingContext2D} */ (canvas.getContext('2d'));
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, w, h);
    ctx.strokeStyle = '#000';
    this.paintStrokes(ctx, w, h);
    return canvas.convertToBlob({ type: 'image/png' });
  }
}
