// ffmpeg.wasm, as a user reaching for it today would run it: the multi-threaded core
// (@ffmpeg/core-mt, served from this origin, never a CDN) doing the equivalent zoom-and-pan
// (zoompan + libx264 veryfast) of the same image. `-threads 2`: without it x264 picks 6 threads
// and the core crashes on a 2-core machine. A fresh FFmpeg per run, timed
// from load to the file read back, so its load counts, as it would for a user.
// Not bundled: scripts/bench.mjs copies this file and the two packages' ESM builds into dist-bench/.
import { FFmpeg } from './ffmpeg/ffmpeg/index.js';

/**
 * @param {{ image: Uint8Array, size: string, seconds: number, fps: number }} job
 * @returns {Promise<{ totalMs: number, loadMs: number, execMs: number, bytes: number }>}
 */
export async function run({ image, size, seconds, fps }) {
  const frames = seconds * fps;
  const ff = new FFmpeg();
  const base = new URL('./ffmpeg/core-mt/', import.meta.url).href;
  const started = performance.now();
  await ff.load({ coreURL: `${base}ffmpeg-core.js`, wasmURL: `${base}ffmpeg-core.wasm`, workerURL: `${base}ffmpeg-core.worker.js` });
  const loaded = performance.now();
  await ff.writeFile('in.png', image);
  const execStarted = performance.now();
  const code = await ff.exec([
    '-loop', '1', '-i', 'in.png',
    '-vf', `zoompan=z='min(zoom+0.0015,1.5)':d=${frames}:x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)':s=${size}:fps=${fps}`,
    '-t', String(seconds), '-threads', '2', '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', 'out.mp4',
  ]);
  const execMs = performance.now() - execStarted;
  const data = /** @type {Uint8Array} */ (await ff.readFile('out.mp4'));
  const totalMs = performance.now() - started;
  ff.terminate();
  if (code !== 0) throw new Error(`ffmpeg.wasm exited with ${code}`);
  return { totalMs, loadMs: loaded - started, execMs, bytes: data.length };
}
