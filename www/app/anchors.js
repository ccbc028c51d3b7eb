// @ts-check
/**
 * The anchor brush: the person paints, over the image, the areas that must not move. Strokes are
 * kept in image-relative coordinates and turned into a mask image (white = free, black = anchored)
 * at the image's own size, which the engine cover-fits exactly like the photo.
 */

/** Brush radius as a share of the image's width. */
const BRUSH = 0.035;

export class AnchorBrush {
  /** @param {HTMLCanvasElement} canvas @param {HTMLButtonElement} clear */
  constructor(canvas, clear) {
    this.canvas = canvas;
    /** @type {ImageBitmap | null} */
    this.image = null;
    /** @type {{x: number, y: number}[][]} */
    this.strokes = [];
    /** @type {{x: number, y: number}[] | null} */
    this.current = null;
    canvas.addEventListener('pointerdown', (e) => {
      if (!this.image) return;
      canvas.setPointerCapture(e.pointerId);
      this.current = [this.point(e)];
      this.strokes.push(this.current);
      this.draw();
    });
    canvas.addEventListener('pointermove', (e) => {
      if (!this.current) return;
      this.current.push(this.point(e));
      this.draw();
    });
    const end = () => (this.current = null);
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', end);
    clear.addEventListener('click', () => {
      this.strokes = [];
      this.draw();
    });
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
    for (const stroke of this.strokes) {
      ctx.beginPath();
      stroke.forEach((p, i) => (i === 0 ? ctx.moveTo(p.x * w, p.y * h) : ctx.lineTo(p.x * w, p.y * h)));
      if (stroke.length === 1) ctx.lineTo(stroke[0].x * w + 0.01, stroke[0].y * h);
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
  }

  /** The mask as a PNG at the image's size, or undefined when nothing is painted. */
  async mask() {
    if (!this.image || this.strokes.length === 0) return undefined;
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
