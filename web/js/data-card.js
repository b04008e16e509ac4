/* data-card.js - the data card and dropping files on the page (one job: where the
 * data comes from and how far it has loaded): the dataset select, the data folder,
 * the file picker, one progress row per file, and the drop overlay (dropped files
 * may be the four data files or a model file: the caller sorts them).
 *
 * Exports:
 *   init({onDataset(id), onDataUrl(url), onFiles(files)})
 *   progress(info)       one file's progress while loading (data.js: load's onProgress)
 *   clearProgress()
 *   failed(clear)        after a failed load: unfinished rows say so (clear: all rows go)
 *   dataset()            the selected dataset id
 *   setDataUrl(text), dataUrl()
 */
import * as Dom from './dom.js';
import * as fmt from './format.js';
import { FILES } from '../../common/datasets.js';

var $ = Dom.$, el = Dom.el, setText = Dom.setText;

var fileRows = {};

function clearProgress() {
  $('data-progress').textContent = '';
  fileRows = {};
}

function row(f) {
  if (fileRows[f.key]) return fileRows[f.key];
  var li = el('li', 'file-row');
  var bar = el('progress', 'file-bar');
  bar.max = 1;
  bar.value = 0;
  bar.setAttribute('aria-label', f.short);
  var text = el('span', 'file-text', '');
  li.appendChild(el('span', 'file-name', f.short));
  li.appendChild(bar);
  li.appendChild(text);
  // Keep the rows in the FILES order whatever order the events come in.
  var order = FILES.map(function (x) { return x.key; });
  var before = null;
  for (var i = order.indexOf(f.key) + 1; i < order.length && !before; i++) {
    if (fileRows[order[i]]) before = fileRows[order[i]].li;
  }
  $('data-progress').insertBefore(li, before);
  return (fileRows[f.key] = { li: li, bar: bar, text: text });
}

function progress(info) {
  var r = row(info.file);
  r.li.setAttribute('data-phase', info.phase);
  var label;
  if (info.phase === 'wait') {
    r.bar.value = 0;
    label = 'waiting';
  } else if (info.phase === 'download') {
    if (info.mode === 'script') {
      r.bar.removeAttribute('value');
      label = 'loading';
    } else if (info.total > 0) {
      r.bar.value = Math.min(1, info.loaded / info.total);
      label = fmt.bytesPair(info.loaded, info.total);
    } else {
      if (info.loaded > 0) r.bar.removeAttribute('value'); else r.bar.value = 0;
      label = info.loaded > 0 ? fmt.bytes(info.loaded) : 'waiting';
    }
  } else if (info.phase === 'done') {
    r.bar.value = 1;
    label = '✓ ' + fmt.bytes(info.size);
  } else {
    label = '';
  }
  setText(r.text, label);
}

function failed(clear) {
  if (clear) { clearProgress(); return; }
  Object.keys(fileRows).forEach(function (k) {
    var r = fileRows[k];
    if (r.li.getAttribute('data-phase') === 'done') return;
    r.li.setAttribute('data-phase', 'failed');
    r.bar.value = 0;
    setText(r.text, 'not loaded');
  });
}

function dataset() { return $('dataset').value; }
function setDataUrl(text) { $('data-url').value = text || ''; }
function dataUrl() { return $('data-url').value.trim(); }

/** Files dragged over the page show the overlay; dropped, they go to onFiles. */
function bindDrop(onFiles) {
  var overlay = $('drop-overlay');
  var depth = 0;
  function hasFiles(e) {
    var types = e.dataTransfer && e.dataTransfer.types;
    return !!types && Array.prototype.indexOf.call(types, 'Files') !== -1;
  }
  window.addEventListener('dragenter', function (e) {
    if (!hasFiles(e)) return;
    e.preventDefault();
    depth++;
    overlay.hidden = false;
  });
  window.addEventListener('dragover', function (e) {
    if (!hasFiles(e)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
  });
  window.addEventListener('dragleave', function (e) {
    if (!hasFiles(e)) return;
    depth = Math.max(0, depth - 1);
    if (depth === 0) overlay.hidden = true;
  });
  window.addEventListener('drop', function (e) {
    if (!hasFiles(e)) return;
    e.preventDefault();
    depth = 0;
    overlay.hidden = true;
    var files = e.dataTransfer.files;
    if (files && files.length) onFiles(Array.prototype.slice.call(files));
  });
}

function init(h) {
  $('dataset').addEventListener('change', function () { h.onDataset(dataset()); });
  $('data-load').addEventListener('click', function () { h.onDataUrl(dataUrl()); });
  $('data-url').addEventListener('keydown', function (e) {
    if (e.key === 'Enter') { e.preventDefault(); h.onDataUrl(dataUrl()); }
  });
  $('data-files').addEventListener('change', function () {
    var files = $('data-files').files;
    if (files && files.length) h.onFiles(Array.prototype.slice.call(files));
  });
  bindDrop(h.onFiles);
}

export { init, progress, clearProgress, failed, dataset, setDataUrl, dataUrl };
