// The floor: WebCodecs alone encoding the very frames a generation hands it — the engine's frames of
// the same motion, size and length, rendered before the clock starts and copied out — with the
// same codec and configuration as the library (its own fallback order, encode/codecs.js), as the
// same kind of VideoFrame (encode/frames.js: I420 straight from the engine). Nothing of the engine
// runs while the clock does: this is the time the browser's encoder itself needs for that video.
// It says when the frames are prepared and waits to be told to start, so the page can read the
// CPU time in between.
import init, { Engine, initThreadPool, linearMemory } from '../../pkg/threads/engine.js';
import { codecCandidates, encoderConfig } from '../lib/encode/codecs.js';
import { KEYFRAME_SECONDS, encoderFull, engineFrame, frameBytes, timestampUs } from '../lib/encode/frames.js';

self.onmessage = async ({ data }) => {
  const { image, width, height, fps, frames, format, motion } = data;
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
    await init();
    await initThreadPool(Math.max(1, navigator.hardwareConcurrency || 1));
    const engine = new Engine(image, { resolution: { width, height }, duration: frames / fps, fps, motion });
    const pixelFormat = /** @type {'RGBA' | 'I420'} */ (engine.videoFrameFormat());
    const bytes = frameBytes(pixelFormat, width, height);
    const prepared = [];
    for (let i = 0; i < frames; i++) {
      const ptr = engine.renderVideoFrame(i);
      prepared.push(new Uint8Array(linearMemory().buffer, ptr, bytes).slice());
    }
    engine.free();
    // The page reads the browser's CPU time now, then says go: the clock and that reading start
    // together, after the preparation.
    await new Promise((resolve) => {
      self.onmessage = resolve;
      self.postMessage({ prepared: true });
    });
    let failure = null;
    let waiting = null;
    let received = 0;
    const encoder = new VideoEncoder({ output: () => { received++; waiting?.(); }, error: (e) => { failure = e; } });
    encoder.addEventListener('dequeue', () => waiting?.());
    const started = performance.now();
    encoder.configure(config);
    const keyEvery = Math.max(1, fps * KEYFRAME_SECONDS);
    for (let i = 0; i < frames; i++) {
      const ts = timestampUs(i, fps);
      const frame = engineFrame(prepared[i], pixelFormat, width, height, ts, timestampUs(i + 1, fps) - ts);
      encoder.encode(frame, { keyFrame: i % keyEvery === 0 });
      frame.close();
      while (encoderFull(encoder, i + 1, received) && !failure) await new Promise((r) => { waiting = r; });
    }
    await encoder.flush();
    const ms = performance.now() - started;
    encoder.close();
    if (failure) throw failure;
    self.postMessage({ ok: true, ms, codec: config.codec, pixelFormat });
  } catch (e) {
    self.postMessage({ ok: false, error: String(e?.message ?? e?.code ?? e) });
  }
};
