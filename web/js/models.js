/* models.js - model files on the page (one job: move the core's model files between
 * the worker, the user's disk and the browser's storage). The bytes are the core's
 * model format (src/model.c: "MNISTNET", version, sizes, float32 weights, CRC-32);
 * the worker checks them, this file only carries them.
 *
 * Public: window.MnistModels = {
 *   init({onDownload, onUpload(file), onRestore, onDelete})   binds the model card
 *   looksLikeModel(file) -> Promise<boolean>   the file starts with the model magic
 *   download(bytes, arch, accuracy)            saves a file named after the network
 *   setCanDownload(bool), setNote(text, kind), showSaved(record | null)
 *   store: { save(key, record), load(key), remove(key) }   IndexedDB, one record per key
 *          (the dataset); record = {bytes: ArrayBuffer, arch, testAccuracy, savedAt (ms), dataset}.
 *          Every call resolves (load: to null) or rejects with a sentence saying why.
 * }
 */
(function () {
  'use strict';

  var MAGIC = 'MNISTNET';
  var DB_NAME = 'mnist-wasm';
  var DB_STORE = 'models';
  var handlers = {};

  function $(id) { return document.getElementById(id); }

  function looksLikeModel(file) {
    return file.slice(0, MAGIC.length).arrayBuffer().then(function (buf) {
      return String.fromCharCode.apply(null, new Uint8Array(buf)) === MAGIC;
    }, function () { return false; });
  }

  function fileName(arch, accuracy) {
    var acc = typeof accuracy === 'number' && isFinite(accuracy) ? '-' + (accuracy * 100).toFixed(2) : '';
    return 'mnist-' + arch.join('-') + acc + '.model';
  }

  function download(bytes, arch, accuracy) {
    var url = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
    var a = document.createElement('a');
    a.href = url;
    a.download = fileName(arch, accuracy);
    a.hidden = true;
    document.body.appendChild(a);
    a.click();
    a.remove();
    // The download has started from the URL by now; give slow browsers a moment anyway.
    setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
    return a.download;
  }

  /* ---- IndexedDB ------------------------------------------------------------------ */

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

  var store = {
    save: function (key, record) { return run('readwrite', function (s) { return s.put(record, key); }); },
    load: function (key) {
      return run('readonly', function (s) { return s.get(key); }).then(function (r) {
        return r && r.bytes instanceof ArrayBuffer && Array.isArray(r.arch) ? r : null;
      });
    },
    remove: function (key) { return run('readwrite', function (s) { return s.delete(key); }); }
  };

  /* ---- the card --------------------------------------------------------------------- */

  function describe(record) {
    var when = new Date(record.savedAt);
    var date = isNaN(when.getTime()) ? 'an unknown date'
      : when.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
    var acc = typeof record.testAccuracy === 'number' ? (record.testAccuracy * 100).toFixed(2) + '% test accuracy'
      : 'not evaluated';
    return 'Saved model from ' + date + ', ' + acc + ' (' + record.arch.join('-') + ')';
  }

  function showSaved(record) {
    var box = $('model-saved');
    if (!box) return;
    box.hidden = !record;
    $('model-saved-text').textContent = record ? describe(record) : '';
  }

  function setNote(text, kind) {
    var note = $('model-note');
    if (!note) return;
    note.textContent = text;
    note.setAttribute('data-kind', kind || 'info');
  }

  function setCanDownload(can) {
    var b = $('model-download');
    if (b) b.disabled = !can;
  }

  function init(h) {
    handlers = h || {};
    var call = function (name, arg) { if (handlers[name]) handlers[name](arg); };
    $('model-download').addEventListener('click', function () { call('onDownload'); });
    var input = $('model-upload');
    input.addEventListener('change', function () {
      var file = input.files && input.files[0];
      input.value = ''; // choosing the same file again must load it again
      if (file) call('onUpload', file);
    });
    $('model-restore').addEventListener('click', function () { call('onRestore'); });
    $('model-delete').addEventListener('click', function () { call('onDelete'); });
  }

  window.MnistModels = {
    init: init,
    looksLikeModel: looksLikeModel,
    download: download,
    describe: describe,
    setCanDownload: setCanDownload,
    setNote: setNote,
    showSaved: showSaved,
    store: store
  };
})();
