// The benchmark page: exposes `quantoniumBench.render(...)`, which scripts/bench.mjs drives in
// headless Chromium. Each thread count gets its own worker (and wasm instance): a thread pool is
// sized once per instance.

/**
 * Times `renderFrame` for each motion on a pool of `threads` threads.
 * @param {{ threads: number, image: Uint8Array, motions: string[], width: number, height: number, frames: number }} job
 */
function render(job) {
  const worker = new Worker(new URL('./render.worker.js', import.meta.url), { type: 'module' });
  return new Promise((resolve, reject) => {
    worker.onmessage = ({ data }) => {
      worker.terminate();
      if (data.ok) resolve(data);
      else reject(new Error(data.error));
    };
    worker.onerror = (e) => {
      worker.terminate();
      reject(new Error(e.message));
    };
    worker.postMessage(job);
  });
}

globalThis.quantoniumBench = { render, isolated: globalThis.crossOriginIsolated };
document.body.dataset.ready = 'true';
