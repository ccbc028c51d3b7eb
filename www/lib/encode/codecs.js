// @ts-check
/**
 * Which WebCodecs codec strings to try for each container, in order. Pure functions, so the
 * choice is testable outside a browser; the worker asks `VideoEncoder.isConfigSupported` about
 * each candidate and takes the first one the browser accepts.
 */

/**
 * H.264 levels (ITU-T H.264 Table A-1): [level_idc, max macroblocks per frame, max macroblocks per second].
 * A level too low for the frame makes the browser refuse the configuration (`avc1.42001f` refuses 1024×1024).
 */
const AVC_LEVELS = [
  [30, 1620, 40500],
  [31, 3600, 108000],
  [32, 5120, 216000],
  [40, 8192, 245760],
  [42, 8704, 522240],
  [50, 22080, 589824],
  [51, 36864, 983040],
  [52, 36864, 2073600],
];

/**
 * The H.264 High-profile codec string whose level fits `width`×`height` at `fps`.
 * @param {number} width @param {number} height @param {number} fps
 * @returns {string} e.g. `avc1.640028` for 1024×1024 at 24 fps (level 4.0)
 */
export function avcCodec(width, height, fps) {
  const mbs = Math.ceil(width / 16) * Math.ceil(height / 16);
  const level = AVC_LEVELS.find(([, maxFs, maxMbps]) => mbs <= maxFs && mbs * fps <= maxMbps) ?? AVC_LEVELS[AVC_LEVELS.length - 1];
  return `avc1.6400${level[0].toString(16).padStart(2, '0')}`;
}

/**
 * Candidate codecs for a container, best first.
 * mp4: H.264 (level fitted to the size), then AV1. webm: VP9, then VP8, then AV1.
 * @param {'mp4' | 'webm'} format @param {number} width @param {number} height @param {number} fps
 * @returns {{ codec: string, family: 'avc' | 'av1' | 'vp9' | 'vp8' }[]}
 */
export function codecCandidates(format, width, height, fps) {
  const av1 = [
    { codec: 'av01.0.08M.08', family: /** @type {const} */ ('av1') },
    { codec: 'av01.0.12M.08', family: /** @type {const} */ ('av1') },
  ];
  if (format === 'mp4') return [{ codec: avcCodec(width, height, fps), family: 'avc' }, ...av1];
  return [
    { codec: 'vp09.00.40.08', family: 'vp9' },
    { codec: 'vp8', family: 'vp8' },
    ...av1,
  ];
}

/**
 * A bitrate for photo-like content: 0.12 bits per pixel per frame, between 1 and 40 Mbit/s
 * (about 3 Mbit/s at 1024×1024, 24 fps).
 * @param {number} width @param {number} height @param {number} fps
 */
export function defaultBitrate(width, height, fps) {
  return Math.round(Math.min(40e6, Math.max(1e6, width * height * fps * 0.12)));
}

/**
 * The `VideoEncoderConfig` for a candidate.
 * @param {{ codec: string, family: string }} candidate
 * @param {number} width @param {number} height @param {number} fps
 * @returns {VideoEncoderConfig}
 */
export function encoderConfig(candidate, width, height, fps) {
  /** @type {VideoEncoderConfig} */
  const config = {
    codec: candidate.codec,
    width,
    height,
    framerate: fps,
    bitrate: defaultBitrate(width, height, fps),
    latencyMode: 'quality',
  };
  // MP4 stores H.264 as length-prefixed NAL units with the parameter sets in the track header.
  if (candidate.family === 'avc') config.avc = { format: 'avc' };
  return config;
}
