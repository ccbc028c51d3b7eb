// Generated test pictures whose parts are known pixel for pixel, shared by the end-to-end tests
// and scripts/pictures.mjs. Plain Node (zlib for the PNG), so they need nothing installed.
import zlib from 'node:zlib';

/**
 * A cloudy sky over hills of grass with a pole standing against it (1024x768 PNG, deterministic):
 * blue with white and grey clouds of value-noise fBm above y = 0.6·H ± 0.04·H, textured grass
 * below, a 6 px pole from y = 0.25·H at x = 650. Returns the PNG and, per column, where the ground
 * starts.
 * @returns {{ png: Buffer, ground: number[] }}
 */
export function skyScene() {
  const [w, h] = [1024, 768];
  const hash = (seed, x, y) => {
    // SplitMix-like integer hash to [0, 1).
    let z = (Math.imul(x, 0x9e3779b1) ^ Math.imul(y, 0x85ebca77) ^ Math.imul(seed, 0xc2b2ae3d)) >>> 0;
    z = Math.imul(z ^ (z >>> 16), 0x7feb352d) >>> 0;
    z = Math.imul(z ^ (z >>> 15), 0x846ca68b) >>> 0;
    return ((z ^ (z >>> 16)) >>> 0) / 4294967296;
  };
  const noise = (seed, x, y, scale) => {
    const [fx, fy] = [x / scale, y / scale];
    const [x0, y0] = [Math.floor(fx), Math.floor(fy)];
    const s = (t) => t * t * (3 - 2 * t);
    const [tx, ty] = [s(fx - x0), s(fy - y0)];
    const top = hash(seed, x0, y0) * (1 - tx) + hash(seed, x0 + 1, y0) * tx;
    const bottom = hash(seed, x0, y0 + 1) * (1 - tx) + hash(seed, x0 + 1, y0 + 1) * tx;
    return top * (1 - ty) + bottom * ty;
  };
  const fbm = (seed, x, y, scales) => {
    const weights = scales.map((s) => s ** 0.7);
    return scales.reduce((acc, s, i) => acc + noise(seed + i, x, y, s) * weights[i], 0) / weights.reduce((a, b) => a + b);
  };
  const pole = [650, 656];
  const ground = Array.from({ length: w }, (_, x) => {
    const top = Math.round(h * (0.6 + 0.04 * Math.sin((2 * Math.PI * 1.3 * x) / w)));
    return x >= pole[0] && x < pole[1] ? Math.round(0.25 * h) : top;
  });
  const raw = Buffer.alloc(h * (1 + 3 * w));
  for (let y = 0; y < h; y++) {
    raw[y * (1 + 3 * w)] = 0; // filter: none
    for (let x = 0; x < w; x++) {
      let px;
      if (y < ground[x]) {
        const t = y / h;
        const blue = [70 + 80 * t, 120 + 70 * t, 225 - 10 * t];
        const cloud = Math.min(1, Math.max(0, (fbm(100, x, y * 1.8, [200, 100, 50, 25]) - 0.3) / 0.3));
        const shade = 200 + 55 * fbm(200, x, y, [60, 30]);
        px = blue.map((b) => b + (shade - b) * cloud);
      } else if (x >= pole[0] && x < pole[1] && y < 0.62 * h) {
        px = [55, 52, 50];
      } else {
        const v = Math.min(1, Math.max(0, fbm(300, x, y, [12, 6, 3]) + 0.5 * (hash(400, x, y) - 0.5)));
        px = [40 + 60 * v, 80 + 110 * v, 25 + 40 * v];
      }
      raw.set(px.map((c) => Math.round(Math.min(255, Math.max(0, c)))), y * (1 + 3 * w) + 1 + 3 * x);
    }
  }
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(zlib.crc32(body), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
  return { png, ground };
}
