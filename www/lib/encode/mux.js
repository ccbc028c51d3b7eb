// @ts-check
/**
 * Muxes WebCodecs' encoded chunks into MP4 or WebM with mediabunny (a maintained, spec-tested
 * muxer; writing our own ISO-BMFF and Matroska writers would be more code and less correct).
 */
import {
  BufferTarget,
  EncodedPacket,
  EncodedVideoPacketSource,
  Mp4OutputFormat,
  Output,
  WebMOutputFormat,
} from 'mediabunny';
import { repairAvcDescription } from './avcc.js';

/**
 * @param {'mp4' | 'webm'} format
 * @param {'avc' | 'av1' | 'vp9' | 'vp8'} codec mediabunny's codec name
 * @param {number} fps
 */
export async function createMuxer(format, codec, fps) {
  const output = new Output({
    // In-memory fast start puts the index before the media, so the file plays while it loads.
    format: format === 'mp4' ? new Mp4OutputFormat({ fastStart: 'in-memory' }) : new WebMOutputFormat(),
    target: new BufferTarget(),
  });
  const source = new EncodedVideoPacketSource(codec);
  output.addVideoTrack(source, { frameRate: fps });
  await output.start();
  /** @type {Promise<void>} */
  let chain = Promise.resolve();
  /** @type {unknown} */
  let failure = null;
  return {
    /**
     * Queues one encoded chunk; packets are added strictly in order.
     * @param {EncodedVideoChunk} chunk @param {EncodedVideoChunkMetadata | undefined} meta
     */
    add(chunk, meta) {
      const packet = EncodedPacket.fromEncodedChunk(chunk);
      const config = meta?.decoderConfig;
      if (codec === 'avc' && config?.description) {
        meta = { ...meta, decoderConfig: { ...config, description: repairAvcDescription(config.description) } };
      }
      chain = chain.then(() => source.add(packet, meta)).catch((err) => {
        failure ??= err;
      });
    },
    /** Waits for every packet, writes the index, and returns the file. */
    async finalize() {
      await chain;
      if (failure) throw failure;
      await output.finalize();
      const buffer = /** @type {ArrayBuffer} */ (output.target.buffer);
      return { buffer, mimeType: await output.getMimeType() };
    },
    /** Drops everything (on cancel or error). */
    async cancel() {
      await chain;
      if (output.state !== 'finalized' && output.state !== 'canceled') await output.cancel();
    },
  };
}
