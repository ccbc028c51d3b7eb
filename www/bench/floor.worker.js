// The floor: WebCodecs alone encoding `frames` frames of the same size, with the same codec and
// configuration as the library (its own fallback order, encode/codecs.js), from RGBA frames
// prepared in advance (a slow zoom of the photo, drawn before the clock starts). Nothing of the
// engine runs here: this is the time the browser's encoder itself needs. It says when the frames
// are prepared and waits to be told to start, so the page can read the CPU time in between.
import { codecCandidates, encoderConfig } from '../lib/encode/codecs.js';

self.onmessage = async ({ data }) => {
  const { bitmap, width, height, fps, frames, format } = data;
  try {
    let config = null;
    for (const candidate of codecCandidates(format, width, height, fps)) {
      const c = encoderConfig(candidate, width, height, fps);
      if ((await VideoEncoder.isConfigSupported(c)).supported) {
        config = c;
        break;
      }
    }
    if (!config) throw new Error(`no ${format} encoder`);
    const canvas = new OffscreenCanvas(width, height);
    const ctx = canvas.getContext('2d', { alpha: false, willReadFrequently: true });
    const prepared = [];
    for (let i = 0; i < frames; i++) {
      const zoom = 1 + (0.12 * i) / frames;
      const scale = Math.max(width / bitmap.width, height / bitmap.height) * zoom;
      ctx.setTransform(scale, 0, 0, scale, (width - bitmap.width * scale) / 2, (height - bitmap.height * scale) / 2);
      ctx.drawImage(bitmap, 0, 0);
      prepared.push(ctx.getImageData(0, 0, width, height).data);
    }
    // The page reads the browser's CPU time now, then says go: the clock and that reading start
    // together, after the preparation.
    await new Promise((resolve) => {
      self.onmessage = resolve;
      self.postMessage({ prepared: true });
    });
    let failure = null;
    let waiting = null;
    const encoder = new VideoEncoder({ output: () => {}, error: (e) => { failure = e; } });
    encoder.addEventListener('dequeue', () => waiting?.());
    const started = performance.now();
    encoder.configure(config);
    for (let i = 0; i < frames; i++) {
      const ts = Math.round((i * 1e6) / fps);
      const frame = new VideoFrame(prepared[i], { format: 'RGBA', codedWidth: width, codedHeight: height, timestamp: ts, duration: Math.round(1e6 / fps) });
      encoder.encode(frame, { keyFrame: i % (2 * fps) === 0 });
      frame.close();
      while (encoder.encodeQueueSize > 2 && !failure) await new Promise((r) => { waiting = r; });
    }
    await encoder.flush();
    const ms = performance.now() - started;
    encoder.close();
    if (failure) throw failure;
    self.postMessage({ ok: true, ms, codec: config.codec });
  } catch (e) {
    self.postMessage({ ok: false, error: String(e?.message ?? e) });
  }
};
