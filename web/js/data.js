/* data.js - gets the four IDX files of a dataset onto the main thread, as they are
 * stored: gzip-compressed (or not), for the worker, which inflates them straight into the
 * WebAssembly module's memory (worker/inflate.js). The page keeps no decompressed copy
 * (55 MB for MNIST, held until a garbage collection).
 *
 * Sources, in the order the page uses them:
 *   - over http(s): fetch <base><folder><file>.gz with per-file progress;
 *   - from file://: the script-loadable copies `make data` writes beside each .gz
 *     (<base><folder><file>.gz.js, which set self.MNIST_DATA_FILES[key] to base64);
 *   - files the user picks or drops: data-files.js.
 * Checking the content (gzip and IDX) is the worker's job.
 *
 * The datasets and their files are common/datasets.js'; base64 is unpack.js's.
 *
 * Exports: load, queryBase, defaultBases, isFileMode, FILE_MODE_MESSAGE.
 */
import { DATASETS, FILES, fileOf } from '../../common/datasets.js';
import { DataError, base64ToBytes, messageOf } from './unpack.js';

var DEFAULT_BASES = ['data/', '../data/'];
var MAKE_DATA_HINT = 'Run `make data`, or choose the files below.';
var FILE_MODE_MESSAGE = 'Opened from disk: choose the four .gz files of MNIST below ' +
  '(or drop them on the page), or run `make data`, which also writes copies this page can load from disk.';

function isFileMode() {
  return location.protocol === 'file:';
}

/** The ?data=URL query parameter, or null. */
function queryBase() {
  try {
    var v = new URLSearchParams(location.search).get('data');
    return v && v.trim() ? v.trim() : null;
  } catch (e) {
    return null;
  }
}

/** data/ then ../data/; the other way round when the page is web/index.html of a
 *  checkout (the path ends in /web/ or /web/index.html), so that the usual case
 *  needs no failed request. */
function defaultBases() {
  var path = String(location.pathname || '');
  if (/\/web\/(index\.html)?$/.test(path)) return DEFAULT_BASES.slice().reverse();
  return DEFAULT_BASES.slice();
}

function withSlash(base) {
  base = String(base).trim();
  return base === '' || /\/$/.test(base) ? base : base + '/';
}

function isHttpUrl(u) {
  return /^https?:\/\//i.test(u);
}

/* ---- over http(s) ------------------------------------------------------------ */

/** Fetches url; resolves to a Uint8Array of exactly its bytes, reporting (loaded, total) as it goes.
 *  total is 0 when unknown. Rejects with a DataError. */
function download(url, label, onBytes, signal) {
  var request;
  try {
    request = fetch(url, { signal: signal, cache: 'no-cache' });
  } catch (e) {
    return Promise.reject(networkError(label, e));
  }
  return request.then(function (response) {
    if (response.status === 404) {
      throw DataError('not-found', label + ' was not found (HTTP 404). ' + MAKE_DATA_HINT);
    }
    if (!response.ok) {
      throw DataError('http', label + ' could not be downloaded (HTTP ' + response.status +
        (response.statusText ? ' ' + response.statusText : '') + '). ' + MAKE_DATA_HINT);
    }
    var total = Number(response.headers.get('Content-Length')) || 0;
    // With Content-Encoding the browser inflates the body and Content-Length is the
    // compressed size: treat the total as unknown then.
    if (response.headers.get('Content-Encoding')) total = 0;
    onBytes(0, total);
    if (!response.body || typeof response.body.getReader !== 'function') {
      return response.arrayBuffer().then(function (buf) {
        onBytes(buf.byteLength, total || buf.byteLength);
        return new Uint8Array(buf);
      });
    }
    return readAll(response.body.getReader(), total, onBytes).catch(function (e) {
      throw networkError(label, e, signal);
    });
  }, function (e) {
    throw networkError(label, e, signal);
  });
}

function networkError(label, e, signal) {
  if ((signal && signal.aborted) || (e && e.name === 'AbortError')) {
    return DataError('aborted', 'Loading was cancelled.');
  }
  if (e && e.kind) return e;
  var offline = typeof navigator !== 'undefined' && navigator.onLine === false;
  var foreign = false;
  try {
    foreign = isHttpUrl(label) && new URL(label).origin !== location.origin;
  } catch (err) { /* not a URL: same origin */ }
  return DataError('network', label + ' could not be downloaded: ' +
    (offline ? 'this browser is offline.'
      : foreign ? 'the request failed (offline, or that server does not allow other sites to read it: CORS).'
        : 'the network request failed (is the server still running?).') +
    ' Check the connection, or choose the files below.');
}

function readAll(reader, total, onBytes) {
  var buf = new Uint8Array(total > 0 ? total : 1 << 20);
  var loaded = 0;
  var lastReport = 0;
  function grow(need) {
    var size = buf.length;
    while (size < need) size *= 2;
    var next = new Uint8Array(size);
    next.set(buf.subarray(0, loaded));
    buf = next;
  }
  function pump() {
    return reader.read().then(function (r) {
      if (r.done) {
        onBytes(loaded, total > 0 && total >= loaded ? total : loaded);
        return buf.length === loaded ? buf : buf.slice(0, loaded);
      }
      var chunk = r.value;
      if (loaded + chunk.length > buf.length) grow(loaded + chunk.length);
      buf.set(chunk, loaded);
      loaded += chunk.length;
      if (total > 0 && loaded > total) total = 0; // the server lied: unknown
      var now = Date.now();
      if (now - lastReport > 50) {
        lastReport = now;
        onBytes(loaded, total);
      }
      return pump();
    });
  }
  return pump();
}

/** Loads over http(s) from one base. A failure on the first (small) file with
 *  'not-found' or 'network' lets the caller try the next base. */
function loadHttp(base, ds, report, signal) {
  var probe = FILES[1]; // train-labels: 30 KB, cheap to try a base with
  var results = {};
  function one(f) {
    var label = base + ds.folder + f.file;
    var url = label;
    return download(url, label, function (loaded, total) {
      report(f, { phase: 'download', loaded: loaded, total: total });
    }, signal).then(function (bytes) {
      results[f.key] = bytes.buffer;
      report(f, { phase: 'done', size: bytes.length });
    });
  }
  return one(probe).then(function () {
    return Promise.all(FILES.filter(function (f) { return f !== probe; }).map(one));
  }).then(function () {
    return results;
  });
}

/* ---- from file:// (script-loadable copies) ------------------------------------- */

function loadScript(src) {
  return new Promise(function (resolve, reject) {
    var s = document.createElement('script');
    s.src = src;
    s.async = true;
    s.onload = function () { s.remove(); resolve(); };
    s.onerror = function () { s.remove(); reject(new Error('could not load ' + src)); };
    document.head.appendChild(s);
  });
}

function loadScripts(base, ds, report) {
  var store = function () { return (self.MNIST_DATA_FILES = self.MNIST_DATA_FILES || {}); };
  var results = {};
  function one(f) {
    var key = ds.id + '/' + f.file;
    var label = base + ds.folder + f.file;
    report(f, { phase: 'download', loaded: 0, total: 0 });
    return loadScript(base + ds.folder + f.file + '.js').then(function () {
      var text = store()[key];
      delete store()[key];
      if (typeof text !== 'string') {
        throw DataError('file-mode', label + '.js did not define MNIST_DATA_FILES["' + key + '"]. ' +
          'Run `make data` again.');
      }
      var bytes;
      try {
        bytes = base64ToBytes(text);
      } catch (e) {
        throw DataError('gzip', label + '.js: corrupt base64 data (' + messageOf(e) + ')');
      }
      results[f.key] = bytes.buffer;
      report(f, { phase: 'done', size: bytes.length });
    });
  }
  var probe = FILES[1];
  return one(probe).then(function () {
    // Sequential: each base64 string is large; decode and free one at a time.
    var rest = FILES.filter(function (f) { return f !== probe; });
    return rest.reduce(function (p, f) {
      return p.then(function () { return one(f); });
    }, Promise.resolve());
  }).then(function () {
    return results;
  });
}

/* ---- public: load a dataset by URL ---------------------------------------------- */

/** Loads a dataset. opts: { dataset: 'mnist'|'fashion-mnist', baseUrl (optional: one
 *  base instead of data/ then ../data/), onProgress(info), signal (AbortSignal) }.
 *  onProgress gets { file: FILES entry, phase: 'wait'|'download'|'done',
 *  loaded, total, size, filesDone, filesTotal, base, mode: 'http'|'script' }.
 *  Resolves to { train: {images, labels, names}, test: {...}, dataset, base, mode }. */
function load(opts) {
  opts = opts || {};
  var ds = DATASETS[opts.dataset || 'mnist'];
  if (!ds) return Promise.reject(DataError('read', 'Unknown dataset "' + opts.dataset + '".'));
  var explicit = opts.baseUrl != null && String(opts.baseUrl).trim() !== '';
  var bases = explicit ? [withSlash(opts.baseUrl)] : defaultBases();
  var useScripts = isFileMode() && !(explicit && isHttpUrl(bases[0]));
  var mode = useScripts ? 'script' : 'http';
  var onProgress = typeof opts.onProgress === 'function' ? opts.onProgress : function () {};
  var signal = opts.signal;

  if (!useScripts && typeof fetch !== 'function') {
    return Promise.reject(DataError('unsupported', 'This browser cannot download files (no fetch).'));
  }

  function attempt(i, firstError) {
    var base = bases[i];
    var done = {};
    var failed = false;
    // Our own controller: the first failure cancels the other downloads of this attempt.
    var inner = typeof AbortController === 'function' ? new AbortController() : null;
    if (inner && signal) {
      if (signal.aborted) inner.abort();
      else signal.addEventListener('abort', function () { inner.abort(); });
    }
    var report = function (f, info) {
      if (failed || (signal && signal.aborted)) return;
      if (info.phase === 'done') done[f.key] = true;
      info.file = f;
      info.base = base;
      info.mode = mode;
      info.filesDone = Object.keys(done).length;
      info.filesTotal = FILES.length;
      onProgress(info);
    };
    FILES.forEach(function (f) { report(f, { phase: 'wait', loaded: 0, total: 0 }); });
    var run = useScripts ? loadScripts(base, ds, report) : loadHttp(base, ds, report, inner ? inner.signal : signal);
    return run.then(function (r) {
      if (signal && signal.aborted) throw DataError('aborted', 'Loading was cancelled.');
      return {
        dataset: ds.id,
        base: base,
        mode: mode,
        train: { images: r.trainImages, labels: r.trainLabels, names: names(base, ds, 'train') },
        test: { images: r.testImages, labels: r.testLabels, names: names(base, ds, 'test') }
      };
    }, function (e) {
      failed = true;
      if (inner) inner.abort();
      if (signal && signal.aborted) throw DataError('aborted', 'Loading was cancelled.');
      // Only a base that is not there at all (first file missing) moves us on.
      var missing = !done[FILES[1].key] && (!e.kind || e.kind === 'not-found' || e.kind === 'network');
      if (missing && i + 1 < bases.length) return attempt(i + 1, firstError || e);
      if (useScripts && !e.kind) throw DataError('file-mode', FILE_MODE_MESSAGE);
      if (useScripts && missing) throw DataError('file-mode', FILE_MODE_MESSAGE);
      throw firstError && e.kind === firstError.kind ? firstError : e;
    });
  }
  return attempt(0, null);
}

function names(base, ds, set) {
  return { images: base + ds.folder + fileOf(set, 'images').file, labels: base + ds.folder + fileOf(set, 'labels').file };
}

export { FILE_MODE_MESSAGE, load, queryBase, defaultBases, isFileMode };
