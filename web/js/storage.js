/* storage.js - the browser's copy of the network (one job: IndexedDB, one record per
 * dataset).
 *
 * Exports: save(key, record), load(key), remove(key)
 *   record = {bytes: ArrayBuffer, arch (layer widths), archText (the core's text; missing in older records),
 *             testAccuracy, taught (examples taught, kept in the bytes; missing in older records),
 *             savedAt (ms), dataset, settings}.
 *   Every call resolves (load: to null) or rejects with a sentence saying why.
 */
var DB_NAME = 'mnist-wasm';
var DB_STORE = 'models';

var dbPromise = null;

function openDb() {
  if (dbPromise) return dbPromise;
  dbPromise = new Promise(function (resolve, reject) {
    var idb;
    try {
      idb = self.indexedDB;
    } catch (e) {
      idb = null; // some browsers throw here for pages from disk
    }
    if (!idb) {
      reject(new Error('this browser does not offer storage (IndexedDB) to this page'));
      return;
    }
    var req;
    try {
      req = idb.open(DB_NAME, 1);
    } catch (e) {
      reject(new Error('the browser refused its storage (' + e.message + ')'));
      return;
    }
    req.onupgradeneeded = function () { req.result.createObjectStore(DB_STORE); };
    req.onsuccess = function () { resolve(req.result); };
    req.onerror = function () {
      reject(new Error('the browser refused its storage (' + (req.error ? req.error.message : 'unknown error') + ')'));
    };
    req.onblocked = function () { reject(new Error('the storage is in use by another tab of this page')); };
  });
  dbPromise.catch(function () { dbPromise = null; });
  return dbPromise;
}

function run(mode, work) {
  return openDb().then(function (db) {
    return new Promise(function (resolve, reject) {
      var tx = db.transaction(DB_STORE, mode);
      var req = work(tx.objectStore(DB_STORE));
      tx.oncomplete = function () { resolve(req.result); };
      tx.onabort = tx.onerror = function () {
        var e = tx.error || req.error;
        reject(new Error(e && e.name === 'QuotaExceededError' ? 'the browser storage is full'
          : 'the browser storage failed (' + (e ? e.message : 'unknown error') + ')'));
      };
    });
  });
}

export function save(key, record) {
  return run('readwrite', function (s) { return s.put(record, key); });
}

export function load(key) {
  return run('readonly', function (s) { return s.get(key); }).then(function (r) {
    return r && r.bytes instanceof ArrayBuffer && Array.isArray(r.arch) ? r : null;
  });
}

export function remove(key) {
  return run('readwrite', function (s) { return s.delete(key); });
}
