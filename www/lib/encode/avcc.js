// @ts-check
/**
 * Checks, and where needed repairs, the `AVCDecoderConfigurationRecord` (ISO/IEC 14496-15 §5.3.3.1,
 * "avcC") that a browser's H.264 encoder hands over as `decoderConfig.description`; the MP4 muxer
 * writes it into the track header as it is, and every player reads the stream through it.
 *
 * Firefox ESR 153 on Linux (H.264 through the system's FFmpeg) writes each parameter set with its
 * one-byte NAL header twice (`67 67 64 00 1e …` for `67 64 00 1e …`), its length counting the stray
 * byte: the SPS then reads as profile 103, level 0, id 14, and decoders complain that the PPS names
 * an SPS that does not exist (`sps_id 1 out of range`). The in-band parameter sets of its keyframes
 * are right, so the video plays, but not cleanly.
 */

/** NAL unit types of the parameter sets (ITU-T H.264 Table 7-1). */
const NAL_SPS = 7;
const NAL_PPS = 8;

/**
 * The parameter sets of an avcC record, or null when it is not one.
 * @param {Uint8Array} b
 * @returns {{ sps: Uint8Array[], pps: Uint8Array[], end: number } | null}
 */
function parseAvcc(b) {
  if (b.length < 7 || b[0] !== 1) return null;
  let at = 5;
  /** @param {number} count @returns {Uint8Array[] | null} */
  const sets = (count) => {
    const out = [];
    for (let i = 0; i < count; i++) {
      if (at + 2 > b.length) return null;
      const len = (b[at] << 8) | b[at + 1];
      at += 2;
      if (len === 0 || at + len > b.length) return null;
      out.push(b.subarray(at, at + len));
      at += len;
    }
    return out;
  };
  const sps = sets(b[at++] & 0x1f);
  if (!sps || at >= b.length) return null;
  const pps = sets(b[at++]);
  if (!pps) return null;
  return { sps, pps, end: at };
}

/**
 * Drops a doubled NAL header byte: `67 67 64 …` → `67 64 …`. An SPS's second byte is its
 * profile_idc (66 to 244), never an SPS header; a PPS whose first two bytes are its header twice
 * comes from the same fault.
 * @param {Uint8Array} set @param {number} type
 */
function undouble(set, type) {
  const doubled = set.length > 2 && (set[0] & 0x1f) === type && set[1] === set[0];
  return doubled ? set.subarray(1) : set;
}

/**
 * `description` as it should be: unchanged when its parameter sets are well formed, otherwise a new
 * record with the doubled NAL header bytes removed and the reserved bits set as the standard says.
 * Anything that is not an avcC record at all is returned unchanged (the muxer then reports it).
 * @param {AllowSharedBufferSource} description
 * @returns {AllowSharedBufferSource}
 */
export function repairAvcDescription(description) {
  const b = ArrayBuffer.isView(description)
    ? new Uint8Array(description.buffer, description.byteOffset, description.byteLength)
    : new Uint8Array(description);
  const parsed = parseAvcc(b);
  if (!parsed) return description;
  const sps = parsed.sps.map((s) => undouble(s, NAL_SPS));
  const pps = parsed.pps.map((s) => undouble(s, NAL_PPS));
  if (sps.every((s, i) => s === parsed.sps[i]) && pps.every((s, i) => s === parsed.pps[i])) return description;
  const profile = sps[0]?.[1] ?? b[1];
  const tail = b.subarray(parsed.end); // High-profile extension fields, kept as they are
  const size = 6 + sps.reduce((n, s) => n + 2 + s.length, 0) + 1 + pps.reduce((n, s) => n + 2 + s.length, 0) + tail.length;
  const out = new Uint8Array(size);
  // configurationVersion, then profile, compatibility and level as the (repaired) SPS states them.
  out.set([1, profile, sps[0]?.[2] ?? b[2], sps[0]?.[3] ?? b[3], 0xfc | (b[4] & 3), 0xe0 | sps.length]);
  let at = 6;
  for (const [list, countAt] of /** @type {const} */ ([[sps, -1], [pps, 0]])) {
    if (countAt === 0) out[at++] = list.length;
    for (const s of list) {
      out[at++] = s.length >> 8;
      out[at++] = s.length & 0xff;
      out.set(s, at);
      at += s.length;
    }
  }
  out.set(tail, at);
  return out;
}
