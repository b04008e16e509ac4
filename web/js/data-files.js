/* data-files.js - the four IDX files a user picked or dropped (one job: sort them by name
 * into their roles and read them, gzipped or not, as stored; checking their content is
 * the worker's job). Resolves like data.js's load(), with dataset null and mode 'files'.
 *
 * Exports:
 *   matchFiles(list) -> {files: {trainImages: File, ...}, missing: [FILES entries], extra: [File]}
 *   fromFiles(list, {onProgress}) -> Promise of {train, test, dataset: null, base: '', mode: 'files'};
 *                        rejects with a DataError ('missing-files', 'read')
 */
import { FILES } from '../../common/datasets.js';
import { DataError, messageOf } from './unpack.js';

/** Sorts a FileList/array of File into the four roles by name. Returns
 *  { files: {trainImages: File, ...}, missing: [FILES entries], extra: [File] }. */
function matchFiles(list) {
  var found = {};
  var extra = [];
  Array.prototype.forEach.call(list || [], function (file) {
    var n = String(file.name || '').toLowerCase();
    if (/\.js$/.test(n)) { extra.push(file); return; }
    var hit = null;
    FILES.forEach(function (f) {
      if (!hit && n.indexOf(f.short) !== -1) hit = f;
    });
    if (!hit) { extra.push(file); return; }
    // Prefer a .gz over an uncompressed copy only when both are given: first wins.
    if (!found[hit.key]) found[hit.key] = file; else extra.push(file);
  });
  var missing = FILES.filter(function (f) { return !found[f.key]; });
  return { files: found, missing: missing, extra: extra };
}

function readFile(file) {
  if (typeof file.arrayBuffer === 'function') return file.arrayBuffer();
  return new Promise(function (resolve, reject) {
    var r = new FileReader();
    r.onload = function () { resolve(r.result); };
    r.onerror = function () { reject(r.error); };
    r.readAsArrayBuffer(file);
  });
}

/** Loads the four files a user picked or dropped (gzipped or not). opts: { onProgress }
 *  as for load(). Resolves like load() with dataset null and mode 'files'. */
function fromFiles(list, opts) {
  opts = opts || {};
  var onProgress = typeof opts.onProgress === 'function' ? opts.onProgress : function () {};
  var m = matchFiles(list);
  if (m.missing.length) {
    var got = FILES.length - m.missing.length;
    var msg = got === 0
      ? 'None of the chosen files is an MNIST file: expected names containing ' +
        FILES.map(function (f) { return f.short; }).join(', ') + '.'
      : 'Missing ' + m.missing.map(function (f) { return f.short + ' (' + f.what + ')'; }).join(', ') +
        ': choose all four files at once (train-images, train-labels, t10k-images, t10k-labels).';
    return Promise.reject(DataError('missing-files', msg));
  }
  var done = {};
  var results = {};
  function report(f, info) {
    if (info.phase === 'done') done[f.key] = true;
    info.file = f;
    info.base = '';
    info.mode = 'files';
    info.filesDone = Object.keys(done).length;
    info.filesTotal = FILES.length;
    onProgress(info);
  }
  FILES.forEach(function (f) { report(f, { phase: 'wait', loaded: 0, total: m.files[f.key].size || 0 }); });
  return FILES.reduce(function (p, f) {
    var file = m.files[f.key];
    return p.then(function () {
      report(f, { phase: 'download', loaded: 0, total: file.size || 0 });
      return readFile(file).then(function (buffer) {
        results[f.key] = buffer;
        report(f, { phase: 'done', size: buffer.byteLength });
      }, function (e) {
        throw DataError('read', file.name + ' could not be read (' + messageOf(e) + ').');
      });
    });
  }, Promise.resolve()).then(function () {
    return {
      dataset: null,
      base: '',
      mode: 'files',
      train: { images: results.trainImages, labels: results.trainLabels,
        names: { images: m.files.trainImages.name, labels: m.files.trainLabels.name } },
      test: { images: results.testImages, labels: results.testLabels,
        names: { images: m.files.testImages.name, labels: m.files.testLabels.name } }
    };
  });
}

export { matchFiles, fromFiles };
