// @ts-check
/** The demo page: wires the form to the public API. Everything heavy happens in the engine's worker. */
import css from './style.css';
import { capabilities, debug, generateVideo, history, status } from '../lib/index.js';
import { drawCoherence, drawMaps, drawSpectra } from './analysis-view.js';
import { AnchorBrush } from './anchors.js';
import { registerServiceWorker } from './offline.js';

// A constructed stylesheet: no inline <style>, so a strict Content-Security-Policy can hold.
const sheet = new CSSStyleSheet();
sheet.replaceSync(css);
document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];

// The API is also reachable from the console (and from the end-to-end tests) as `quantonium`.
registerServiceWorker();
Object.assign(globalThis, { quantonium: { generateVideo, capabilities, status, debug, history } });

const $ = (/** @type {string} */ id) => /** @type {any} */ (document.getElementById(id));
const ui = {
  image: $('image'), drop: $('drop'), dropText: $('drop-text'), thumb: $('thumb'),
  format: $('format'), motion: $('motion'), loop: $('loop'), duration: $('duration'), fps: $('fps'), resolution: $('resolution'),
  generate: $('generate'), cancel: $('cancel'), progress: $('progress'), progressText: $('progress-text'),
  error: $('error'), preview: $('preview'), result: $('result'), video: $('video'), gif: $('gif'),
  download: $('download'), metadata: $('metadata'), sha256: $('sha256'), engineInfo: $('engine-info'),
  anchorsBlock: $('anchors-block'), anchors: $('anchors'), clearAnchors: $('clear-anchors'), undoBrush: $('undo-brush'),
  toolAnchor: $('tool-anchor'), toolArrow: $('tool-arrow'),
  analysis: $('analysis'), maps: $('maps'), spectra: $('spectra'), coherence: $('coherence'), analysisSummary: $('analysis-summary'),
  history: $('history'), historyEmpty: $('history-empty'), keepVideos: $('keep-videos'), clearHistory: $('clear-history'),
};

/** Kept videos may use this much of the device's storage. */
const KEEP_VIDEOS_BYTES = 200 * 1024 * 1024;

/** @type {File | null} */
let file = null;
/**
 * The photo decoded at most 1024 pixels wide when it is chosen, for the analysis maps: drawing the
 * full photo from its <img> when the analysis arrives decoded and scaled megapixels on the main
 * thread in the middle of a job.
 * @type {ImageBitmap | null}
 */
let picture = null;
const brush = new AnchorBrush(ui.anchors, { clear: ui.clearAnchors, undo: ui.undoBrush, anchor: ui.toolAnchor, arrow: ui.toolArrow });
/** @type {AbortController | null} */
let controller = null;
/** @type {string | null} */
let videoUrl = null;

/**
 * The progress bar and its line, written at most every PROGRESS_INTERVAL_MS, in an animation frame.
 * Every write makes the browser paint and composite a new frame; without a GPU that costs about as
 * much CPU as the engine's own render (a write per video frame slowed a 1024² job by a third), and
 * the worker shares the two cores with it.
 */
const PROGRESS_INTERVAL_MS = 100;
const progressView = {
  /** @type {import('../lib/index.js').Progress | null} */
  pending: null,
  last: -Infinity,
  scheduled: false,
  /** @param {import('../lib/index.js').Progress} p */
  show(p) {
    this.pending = p;
    if (this.scheduled) return;
    this.scheduled = true;
    const wait = Math.max(0, this.last + PROGRESS_INTERVAL_MS - performance.now());
    setTimeout(() => requestAnimationFrame(() => this.write()), wait);
  },
  write() {
    this.scheduled = false;
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    this.last = performance.now();
    ui.progress.value = p.frames ? p.frame / p.frames : 0;
    ui.progressText.textContent = p.frames ? `${STAGES[p.stage]} · frame ${p.frame} / ${p.frames}` : `${STAGES[p.stage]}…`;
  },
  /** Drops a write still pending (the job ended, and its own text follows). */
  cancel() {
    this.pending = null;
  },
};

const STAGES = { decode: 'Reading image', analyze: 'Analysing image', render: 'Rendering frames', encode: 'Finishing encode', mux: 'Writing file', hash: 'Hashing' };

/** @param {File | null | undefined} picked */
function pick(picked) {
  if (!picked) return;
  file = picked;
  hideError();
  ui.thumb.src = URL.createObjectURL(picked);
  ui.thumb.hidden = false;
  picture?.close();
  picture = null;
  ui.dropText.innerHTML = `<strong>${escapeHtml(picked.name)}</strong><br><small>${(picked.size / 1024).toFixed(0)} KB · click or drop to change</small>`;
  ui.generate.disabled = false;
  ui.progressText.textContent = 'Ready.';
  brush.setImage(picked).then(
    async () => {
      ui.anchorsBlock.hidden = false;
      if (file !== picked || !brush.image) return;
      // The brush has decoded the photo already: the maps' picture is that bitmap made smaller.
      const bitmap = await createImageBitmap(brush.image, { resizeWidth: 1024, resizeQuality: 'medium' });
      if (file === picked) picture = bitmap;
      else bitmap.close();
    },
    () => (ui.anchorsBlock.hidden = true), // not an image the browser decodes: no anchors, maps without it
  ).catch(() => {}); // a picture that cannot be made smaller: the maps go without it
}

/** @param {string} s */
const escapeHtml = (s) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

ui.image.addEventListener('change', () => pick(ui.image.files?.[0]));
for (const type of ['dragenter', 'dragover']) {
  ui.drop.addEventListener(type, (/** @type {DragEvent} */ e) => { e.preventDefault(); ui.drop.classList.add('over'); });
}
for (const type of ['dragleave', 'drop']) {
  ui.drop.addEventListener(type, () => ui.drop.classList.remove('over'));
}
ui.drop.addEventListener('drop', (/** @type {DragEvent} */ e) => { e.preventDefault(); pick(e.dataTransfer?.files?.[0]); });

/** @param {{code?: string, message?: string}} err */
function showError(err) {
  ui.error.innerHTML = `<code>${escapeHtml(err.code ?? 'INTERNAL')}</code>${escapeHtml(err.message ?? String(err))}`;
  ui.error.hidden = false;
}
function hideError() { ui.error.hidden = true; ui.error.textContent = ''; }

/** @param {boolean} busy */
function setBusy(busy) {
  ui.generate.disabled = busy || !file;
  ui.cancel.disabled = !busy;
  for (const el of [ui.format, ui.motion, ui.loop, ui.duration, ui.fps, ui.resolution, ui.image, ui.clearAnchors]) el.disabled = busy;
}

ui.generate.addEventListener('click', async () => {
  if (!file) return;
  hideError();
  setBusy(true);
  controller = new AbortController();
  ui.progress.value = 0;
  ui.progressText.textContent = 'Starting…';
  const started = performance.now();
  try {
    const { blob, metadata, sha256 } = await generateVideo(file, {
      format: ui.format.value,
      motion: ui.motion.value,
      loop: ui.loop.checked,
      freezeMask: await brush.mask(),
      // Arrows steer flow; the other motions have no use for them (and refuse them).
      paths: ui.motion.value === 'flow' ? brush.paths() : undefined,
      duration: Number(ui.duration.value),
      fps: Number(ui.fps.value),
      resolution: ui.resolution.value,
      canvas: ui.preview,
      signal: controller.signal,
      keepVideos: ui.keepVideos.checked ? KEEP_VIDEOS_BYTES : 0,
      onAnalysis: (analysis) => showAnalysis(analysis),
      onProgress: (p) => progressView.show(p),
    });
    progressView.cancel();
    showVideo(blob);
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '_');
    ui.download.download = `quantonium_${stamp}.${metadata.format}`;
    ui.download.textContent = `Download ${metadata.format.toUpperCase()} (${(blob.size / 1048576).toFixed(2)} MB)`;
    const shown = {
      Format: metadata.format, Codec: metadata.codec, Motion: metadata.motion,
      Amplitude: metadata.amplitude === null ? '—' : `${metadata.amplitude.toFixed(2)} px`, Size: `${metadata.width} × ${metadata.height}`,
      Frames: metadata.frames, FPS: metadata.fps, Duration: `${metadata.duration.toFixed(2)} s`,
      'Quantum precision': metadata.quantumPrecision, 'Resonance depth': metadata.resonanceDepth,
      Threads: metadata.threads, 'Processing time': `${metadata.processingTimeMs} ms`,
    };
    ui.metadata.innerHTML = Object.entries(shown).map(([k, v]) => `<div><dt>${k}</dt><dd>${escapeHtml(String(v))}</dd></div>`).join('');
    ui.sha256.textContent = sha256;
    ui.result.hidden = false;
    ui.progress.value = 1;
    ui.progressText.textContent = `Done in ${((performance.now() - started) / 1000).toFixed(1)} s.`;
  } catch (err) {
    progressView.cancel();
    const e = /** @type {any} */ (err);
    showError(e);
    ui.progressText.textContent = e.code === 'ABORTED' ? 'Cancelled.' : 'Failed.';
  } finally {
    controller = null;
    setBusy(false);
    showHistory();
  }
});

/** Lists the history (newest first); kept videos can be played again. */
async function showHistory() {
  const entries = await history.list();
  ui.historyEmpty.hidden = entries.length > 0;
  ui.history.hidden = entries.length === 0;
  const rows = entries.map((e) => {
    const result = e.status === 'done'
      ? `${((e.outputBytes ?? 0) / 1048576).toFixed(2)} MB`
      : `<span class="failed">${escapeHtml(e.error?.code ?? 'failed')}</span>`;
    const play = e.hasVideo ? `<button type="button" class="small" data-play="${e.id}">Play</button>` : '';
    const cells = [new Date(e.timestamp).toLocaleString(), e.motion ?? '—', e.format ?? '—', e.resolution ?? '—',
      e.duration ? `${Number(e.duration).toFixed(1)} s` : '—'].map((v) => `<td>${escapeHtml(String(v))}</td>`).join('');
    return `<tr data-status="${e.status}">${cells}<td>${result}</td><td>${e.processingTimeMs} ms</td><td>${play}</td></tr>`;
  });
  ui.history.tBodies[0].innerHTML = rows.join('');
}

ui.history.addEventListener('click', async (/** @type {MouseEvent} */ event) => {
  const id = Number(/** @type {HTMLElement} */ (event.target).dataset?.play);
  if (!id) return;
  const blob = await history.video(id);
  if (!blob) return;
  showVideo(blob);
  ui.result.hidden = false;
});

/** Shows a result in the player (a GIF in an image) and links it for download. @param {Blob} blob */
function showVideo(blob) {
  if (videoUrl) URL.revokeObjectURL(videoUrl);
  videoUrl = URL.createObjectURL(blob);
  const gif = blob.type === 'image/gif';
  ui.video.hidden = gif;
  ui.gif.hidden = !gif;
  if (gif) {
    ui.video.removeAttribute('src');
    ui.gif.src = videoUrl;
  } else {
    ui.gif.removeAttribute('src');
    ui.video.src = videoUrl;
  }
  ui.download.href = videoUrl;
}

ui.clearHistory.addEventListener('click', async () => {
  await history.clear();
  showHistory();
});
showHistory();

ui.cancel.addEventListener('click', () => controller?.abort());

/**
 * Shows the analysis: the summary at once, then one plot per task, so that no frame of the page
 * carries all three while the worker renders (each takes milliseconds, the first time tens).
 * @param {import('../lib/index.js').Analysis} analysis
 */
async function showAnalysis(analysis) {
  const s = analysis.summary;
  const strongest = analysis.waveforms.reduce((a, b) => (b.harmonicRatio > a.harmonicRatio ? b : a));
  ui.analysisSummary.textContent =
    `${(s.mobileShare * 100).toFixed(0)}% of the picture may move · mean texture ${s.meanTexture.toFixed(2)} · ` +
    `orientation coherence ${s.meanCoherence.toFixed(2)} · strongest single frequency: ${strongest.line.kind} line ` +
    `(harmonic ratio ${strongest.harmonicRatio.toFixed(1)}, period ${strongest.dominantPeriodPx.toFixed(1)} px)`;
  ui.analysis.hidden = false;
  const plots = [() => drawSpectra(ui.spectra, analysis), () => drawCoherence(ui.coherence, analysis), () => drawMaps(ui.maps, analysis, picture)];
  for (const draw of plots) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    draw();
  }
}

capabilities().then(
  (caps) => {
    if (caps.error) {
      ui.engineInfo.textContent = 'The engine cannot run in this browser';
      showError(caps.error);
      return;
    }
    const threads = caps.threads.enabled ? `${caps.threads.poolSize} threads` : 'single thread';
    ui.engineInfo.textContent = `Engine ${caps.engineVersion} · ${threads}${caps.simd ? ' · SIMD' : ''}`;
    ui.engineInfo.title = caps.threads.reason ?? '';
    for (const option of ui.format.options) {
      const f = /** @type {'mp4'|'webm'|'avi'|'gif'} */ (option.value);
      if (!caps.formats[f].supported) { option.disabled = true; option.textContent += ' (not supported here)'; }
    }
    document.documentElement.dataset.engineReady = 'true';
  },
  (err) => showError(err),
);
