// @ts-check
/**
 * Job history: one record per `generateVideo` call that reached the engine, newest last in the
 * store, listed newest first.
 *
 * Records: `{ id, timestamp, status: 'done' | 'failed', inputSha256, format, duration, fps,
 * resolution, quantumPrecision, resonanceDepth, motion, processingTimeMs, outputSha256,
 * outputBytes, error: {code, message} | null, video?: Blob }`. The video itself is kept only when
 * the caller asks (`keepVideos` cap in bytes): the oldest kept videos are dropped (their record
 * stays) to stay under the cap. Storage errors are swallowed: history never fails a job.
 */
import { openDatabase, transact } from './db.js';

/**
 * @typedef {import('../index.js').HistoryEntry} HistoryEntry
 */

/**
 * Adds a record; with `video` and a cap, keeps the video too. Never throws.
 * @param {Omit<HistoryEntry, 'id' | 'hasVideo'>} entry @param {{ video?: Blob, keepVideos?: number }} [keep]
 */
export async function addHistory(entry, { video, keepVideos = 0 } = {}) {
  const db = await openDatabase();
  if (!db) return;
  try {
    const record = { ...entry, ...(video && keepVideos >= video.size ? { video } : {}) };
    await transact(db, 'history', 'readwrite', (s) => s.add(record));
    if (record.video) await trimVideos(db, keepVideos);
  } catch {
    // Quota or a blocked database: no record, same video.
  }
}

/** Drops the oldest kept videos until their sizes sum to at most `cap` bytes. @param {IDBDatabase} db @param {number} cap */
async function trimVideos(db, cap) {
  await transact(db, 'history', 'readwrite', (s) => {
    let total = 0;
    // Newest first: keep while under the cap, then drop the rest.
    const cursor = s.index('timestamp').openCursor(null, 'prev');
    cursor.onsuccess = () => {
      const c = cursor.result;
      if (!c) return;
      const v = c.value;
      if (v.video) {
        total += v.video.size;
        if (total > cap) {
          delete v.video;
          c.update(v);
        }
      }
      c.continue();
    };
  });
}

/**
 * Every record, newest first, without the video blobs (`hasVideo` says whether one is kept).
 * @returns {Promise<HistoryEntry[]>}
 */
export async function listHistory() {
  const db = await openDatabase();
  if (!db) return [];
  try {
    const all = /** @type {any[]} */ ((await transact(db, 'history', 'readonly', (s) => s.getAll())) ?? []);
    return all
      .map(({ video, ...rest }) => ({ ...rest, hasVideo: Boolean(video) }))
      .sort((a, b) => b.timestamp - a.timestamp || b.id - a.id);
  } catch {
    return [];
  }
}

/** The video kept with record `id`, or null. @param {number} id @returns {Promise<Blob | null>} */
export async function historyVideo(id) {
  const db = await openDatabase();
  if (!db) return null;
  try {
    const record = /** @type {any} */ (await transact(db, 'history', 'readonly', (s) => s.get(id)));
    return record?.video ?? null;
  } catch {
    return null;
  }
}

/** Deletes every record and kept video. */
export async function clearHistory() {
  const db = await openDatabase();
  if (!db) return;
  await transact(db, 'history', 'readwrite', (s) => s.clear());
}
