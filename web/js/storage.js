/* storage.js - the page's IndexedDB (one job: the database and its transactions; the
 * network's copy, one record per dataset, in the store 'models').
 *
 * Exports: save(key, record), load(key), remove(key)
 *   record = {bytes: ArrayBuffer, arch (layer widths), archText (the core's text; missing in older records),
 *             testAccuracy, taught (examples taught, kept in the bytes; missing in older records),
 *             savedAt (ms), dataset, settings, runId (the run that made it; missing in older records)}.
 *   Every call resolves (load: to null) or rejects with a sentence saying why.
 * transact(storeName, mode, work(objectStore) -> request) -> Promise<request's result>
 *   one transaction on one of STORES; work may make several requests (the last one's
 *   result is the answer). A refusal for want of space rejects with an Error whose
 *   `quota` is true, whether the browser throws it at once or aborts the transaction.
 */
var DB_NAME = 'mnist-wasm';
var DB_VERSION = 2; // 1: 'models'; 2: 'runs' added (runs-store.js)
var DB_STORE = 'models';
var STORES = ['models', 'runs'];

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
      req = idb.open(DB_NAME, DB_VERSION);
    } catch (e) {
      reject(new Error('the browser refused its storage (' + e.message + ')'));
      return;
    }
    req.onupgradeneeded = function () {
      STORES.forEach(function (name) {
        if (!req.result.objectStoreNames.contains(name)) req.result.createObjectStore(name);
      });
    };
    req.onsuccess = function () { resolve(req.result); };
    req.onerror = function () {
      reject(new Error('the browser refused its storage (' + (req.error ? req.error.message : 'unknown error') + ')'));
    };
    req.onblocked = function () { reject(new Error('the storage is in use by another tab of this page')); };
  });
  dbPromise.catch(function () { dbPromise = null; });
  return dbPromise;
}

function failure(e) {
  var quota = !!e && e.name === 'QuotaExceededError';
  var err = new Error(quota ? 'the browser storage is full'
    : 'the browser storage failed (' + (e ? e.message : 'unknown error') + ')');
  err.quota = quota;
  return err;
}

function transact(name, mode, work) {
  return openDb().then(function (db) {
    return new Promise(function (resolve, reject) {
      var tx = db.transaction(name, mode);
      var req;
      try {
        req = work(tx.objectStore(name));
      } catch (e) { // e.g. a put the browser refuses at once
        try { tx.abort(); } catch (ignored) { /* already finished */ }
        reject(failure(e));
        return;
      }
      tx.oncomplete = function () { resolve(req ? req.result : undefined); };
      tx.onabort = tx.onerror = function () { reject(failure(tx.error || (req && req.error))); };
    });
  });
}

function run(mode, work) { return transact(DB_STORE, mode, work); }

export function save(key, record) {
  return run('readwrite', function (s) { return s.put(record, key); });
}

export function load(key) {
  return run('readonly', function (s) { return s.get(key); }).then(function (r) {
    return r && r.bytes instanceof ArrayBuffer && Array.isArray(r.arch) ? r : null;
  });
}

export { transact };

export function remove(key) {
  return run('readwrite', function (s) { return s.delete(key); });
}
