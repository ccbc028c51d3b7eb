// @ts-check
/**
 * The analysis cache: a second video of the same image with the same analysis options skips the
 * analysis (the engine reads the stored bytes back exactly, so the frames are the same).
 *
 * Records: `{ key, created, integrity, payload }`, keyed by the SHA-256 of the input bytes and the
 * engine's `analysisKey(options)` (engine version, output size, precision). An entry older than
 * seven days, or whose payload no longer matches its SHA-256 `integrity`, is deleted and the
 * analysis made again. Write failures (a full quota) are ignored: the job never fails for them.
 */
import { openDatabase, sha256Hex, transact } from './db.js';

/** Entries older than this are dropped on read. */
export const MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * The cached analysis bytes for `key`, or null (missing, expired, corrupt, or no database).
 * @param {string} key
 * @returns {Promise<Uint8Array | null>}
 */
export async function readAnalysis(key) {
  const db = await openDatabase();
  if (!db) return null;
  try {
    const entry = /** @type {any} */ (await transact(db, 'analysis', 'readonly', (s) => s.get(key)));
    if (!entry) return null;
    const fresh = typeof entry.created === 'number' && Date.now() - entry.created < MAX_AGE_MS;
    const intact = entry.payload instanceof ArrayBuffer && (await sha256Hex(entry.payload)) === entry.integrity;
    if (fresh && intact) return new Uint8Array(entry.payload);
    await transact(db, 'analysis', 'readwrite', (s) => s.delete(key));
  } catch {
    // Unreadable: behave as a miss.
  }
  return null;
}

/**
 * Stores analysis bytes under `key`; never throws.
 * @param {string} key @param {Uint8Array} bytes
 */
export async function writeAnalysis(key, bytes) {
  const db = await openDatabase();
  if (!db) return;
  try {
    const payload = bytes.slice().buffer;
    const entry = { key, created: Date.now(), integrity: await sha256Hex(payload), payload };
    await transact(db, 'analysis', 'readwrite', (s) => s.put(entry));
    // Expired entries of other images go too, so the cache does not grow for ever.
    const cutoff = Date.now() - MAX_AGE_MS;
    await transact(db, 'analysis', 'readwrite', (s) => {
      const cursor = s.openCursor();
      cursor.onsuccess = () => {
        const c = cursor.result;
        if (!c) return;
        if (!(c.value.created > cutoff)) c.delete();
        c.continue();
      };
    });
  } catch {
    // QuotaExceededError and friends: no cache, same video.
  }
}
