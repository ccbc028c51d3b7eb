// Render-only benchmark worker: one engine instance with a pool of `threads`, timing
// `renderVideoFrame` (the frames a video's encoder gets: I420, RGBA for shimmer) per
// motion. Frames are rendered and not encoded, so this measures the Rust core in wasm alone.
import init, { Engine, initThreadPool, threadCount } from '../../pkg/threads/engine.js';

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

self.onmessage = async ({ data }) => {
  const { threads, image, motions, width, height, frames } = data;
  try {
    await init();
    await initThreadPool(threads);
    const results = [];
    for (const motion of motions) {
      const options = { resolution: { width, height }, duration: frames / 24, fps: 24, motion };
      const t0 = performance.now();
      const engine = new Engine(image, options);
      const setupMs = performance.now() - t0;
      engine.renderVideoFrame(3); // warm-up: first-touch of the frame buffer and code
      const times = [];
      // Frames away from 0, where some motions are a plain copy (as the native benchmark does).
      for (let i = 1; i < frames; i++) {
        const t = performance.now();
        engine.renderVideoFrame(i);
        times.push(performance.now() - t);
      }
      engine.free();
      results.push({ motion, setupMs, frameMs: median(times) });
    }
    self.postMessage({ ok: true, threads: threadCount(), results });
  } catch (e) {
    self.postMessage({ ok: false, error: String(e?.message ?? e?.code ?? e) });
  }
};
