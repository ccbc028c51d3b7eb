// @ts-check
/**
 * The library's IndexedDB database, `quantonium-video`: the in-browser home of the server
 * design's two tables. Store `analysis` (its quantum_analysis_cache): analyses by input hash and
 * analysis options. Store `history` (its video_generation_requests): one record per job.
 *
 * Storage is a convenience, never a requirement: when IndexedDB is missing, blocked (private
 * windows, storage disabled) or full, every function here degrades to "nothing stored" and jobs
 * run exactly as without it.
 */

export const DB_NAME = 'quantonium-video';
const DB_VERSION = 1;

/** @type {Promise<IDBDatabase | null> | null} */
let opening = null;

/** Opens (creating or upgrading) the database; resolves with null when it cannot be used. */
export function openDatabase() {
  opening ??= new Promise((resolve) => {
    try {
      if (typeof indexedDB === 'undefined') return resolve(null);
      const request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        if (!db.objectStoreNames.contains('analysis')) db.createObjectStore('analysis', { keyPath: 'key' });
        if (!db.objectStoreNames.contains('history')) {
          db.createObjectStore('history', { keyPath: 'id', autoIncrement: true }).createIndex('timestamp', 'timestamp');
        }
      };
      request.onsuccess = () => {
        const db = request.result;
        // Another tab upgrading the schema: step aside, reopen next time.
        db.onversionchange = () => {
          db.close();
          opening = null;
        };
        resolve(db);
      };
      request.onerror = () => resolve(null);
      request.onblocked = () => resolve(null);
    } catch {
      resolve(null);
    }
  });
  return opening;
}

/**
 * Runs `fn` on a store in a transaction and resolves with the last request's result; rejects on
 * any error (callers decide whether that matters).
 * @template T
 * @param {IDBDatabase} db @param {string} store @param {IDBTransactionMode} mode
 * @param {(store: IDBObjectStore) => IDBRequest<T> | void} fn
 * @returns {Promise<T | undefined>}
 */
export function transact(db, store, mode, fn) {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(store, mode);
    /** @type {IDBRequest<T> | void} */
    let request;
    tx.oncomplete = () => resolve(request ? request.result : undefined);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('transaction aborted'));
    request = fn(tx.objectStore(store));
  });
}

/** Lower-case hex SHA-256. @param {BufferSource} data */
export async function sha256Hex(data) {
  const digest = await crypto.subtle.digest('SHA-256', data);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}
