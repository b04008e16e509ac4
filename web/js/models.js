/* models.js - model files on the page (one job: move the core's model files between
 * the worker, the user's disk and the browser's storage, and the model card). The
 * bytes are the core's model format ("MNISTNET", version, sizes, float32 weights, the
 * taught examples if any, CRC-32), or the network as ONNX for other tools (the core
 * writes both: docs/model-format.md, docs/onnx.md); this file only carries them.
 *
 * Exports:
 *   init({clearDisplay(epochs)})   binds the model card; clearDisplay: a new network's empty display
 *   looksLikeModel(file) -> Promise<boolean>   the file starts with the model magic
 *   loadFile(file)              a picked or dropped model file becomes the network
 *   autoSave()                  keeps the network in the browser (at a rest point)
 *   checkSaved(isCurrent, linkValues)   after a load: shows this dataset's saved model, and
 *                               restores it on the page's first load unless the link asks otherwise
 *   setCanDownload(bool)
 */
import * as Dom from './dom.js';
import * as fmt from './format.js';
import * as Store from './store.js';
import * as Client from './client.js';
import * as Storage from './storage.js';
import * as Form from './form.js';
import * as Settings from './settings.js';
import * as Controls from './controls.js';
import * as Runs from './runs.js';

var $ = Dom.$;

var MAGIC = 'MNISTNET';
var handlers = {};
var restoreChecked = false; // the first load has looked for a saved model
var shownRecord = null; // the saved model the card shows

function looksLikeModel(file) {
  return file.slice(0, MAGIC.length).arrayBuffer().then(function (buf) {
    return String.fromCharCode.apply(null, new Uint8Array(buf)) === MAGIC;
  }, function () { return false; });
}

/** Saves bytes as mnist-ARCH[-ACCURACY].EXTENSION; -> the file name. */
function download(bytes, arch, accuracy, extension) {
  var acc = typeof accuracy === 'number' && isFinite(accuracy) ? '-' + (accuracy * 100).toFixed(2) : '';
  var url = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
  var a = document.createElement('a');
  a.href = url;
  a.download = 'mnist-' + arch + acc + '.' + extension;
  a.hidden = true;
  document.body.appendChild(a);
  a.click();
  a.remove();
  // The download has started from the URL by now; give slow browsers a moment anyway.
  setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
  return a.download;
}

/* ---- the card ---- */

function describe(record) {
  var when = new Date(record.savedAt);
  var date = isNaN(when.getTime()) ? 'an unknown date'
    : when.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  var acc = typeof record.testAccuracy === 'number' ? (record.testAccuracy * 100).toFixed(2) + '% test accuracy'
    : 'not evaluated';
  // (records saved before the architecture text existed have only the layer widths)
  var taught = record.taught > 0 ? ', ' + record.taught + (record.taught === 1 ? ' taught example' : ' taught examples') : '';
  return 'Saved model from ' + date + ', ' + acc + ' (' + (record.archText || record.arch.join('-')) + ')' + taught +
    runWords(record.runId);
}

/** Which run made the model (records saved before runs were kept name none). */
function runWords(id) {
  if (!id) return '';
  var name = Runs.nameOf(id);
  if (name === undefined) return ''; // not read yet: said once they are
  return name ? ', made by the run “' + name + '”' : ', made by a run no longer kept';
}

function showSaved(record) {
  $('model-saved').hidden = !record;
  $('model-saved-text').textContent = record ? describe(record) : '';
  shownRecord = record;
  // the run's name once the kept runs are read (the page's first load reads both at once)
  if (record && record.runId) Runs.whenRead().then(function () { if (shownRecord === record) $('model-saved-text').textContent = describe(record); });
  if (record && record.runId) $('model-saved').dataset.run = record.runId; else delete $('model-saved').dataset.run;
}

function setNote(text, kind) {
  var note = $('model-note');
  if (note.textContent === text && note.getAttribute('data-kind') === (kind || 'info')) return; // (a live region: said once)
  note.textContent = text;
  note.setAttribute('data-kind', kind || 'info');
}

/** A model's fate matters wherever the user looks: in the model card and in #status. */
function modelMessage(text, kind) {
  setNote(text, kind);
  Controls.setStatus(text, kind);
}

function setCanDownload(can) {
  $('model-download').disabled = !can;
  $('model-onnx').disabled = !can;
}

/* ---- the network in and out ---- */

/** Makes the model in `buffer` the network; `what` names it in messages. */
async function loadBytes(buffer, what) {
  var S = Store.get();
  if (!S.dataReady || S.busy) {
    setNote('Load the data first: a model is checked against it.', 'warn');
    return false;
  }
  // (while training, the worker stops the run only for a file it accepts: a refused one changes nothing)
  Store.set({ busy: true });
  var m;
  try {
    m = await Client.build({ type: 'load-model', bytes: buffer }, [buffer]);
  } catch (e) {
    Store.set({ busy: false });
    // (the core names the file "model"; here it has its own name)
    modelMessage('Could not load ' + what + ': ' + String(e.message).replace(/^model: /, '').replace(/\.$/, '') +
      '. Nothing changed.', 'error');
    return false;
  }
  // Train first applies the form's training settings to the loaded network (applied: '').
  Store.set({ busy: false, pausing: false, stepping: false, loadedArch: m.archText, hasNet: true, fresh: true, applied: '' });
  Form.setFieldValue('arch', m.archText.split('-').slice(1, -1).join('-'));
  Settings.sync();
  var r = Form.readConfig(true);
  if (r.ok) Store.set({ config: r.config });
  handlers.clearDisplay(r.ok ? r.config.epochs : (S.config ? S.config.epochs : 1));
  Store.set({ phase: 'ready', recoverable: false });
  modelMessage('Loaded ' + what + ': a ' + m.archText + ' network (' + fmt.int(m.parameters) +
    ' parameters). Train goes on from its weights; Reset starts afresh.', 'ok');
  return true;
}

async function loadFile(file) {
  // the core's cap on a model file (rules.maxFileBytes): a larger one is not read at all
  var rules = Store.get().rules;
  if (rules && file.size > rules.maxFileBytes) {
    modelMessage('Could not load ' + file.name + ': at ' + fmt.bytes(file.size) +
      ' it is too large to be a model file. Nothing changed.', 'error');
    return;
  }
  var buffer;
  try {
    buffer = await file.arrayBuffer();
  } catch (e) {
    setNote('Could not read ' + file.name + ': ' + e.message, 'error');
    return;
  }
  await loadBytes(buffer, file.name);
}

async function onDownload() {
  if (!Store.get().hasNet) return;
  try {
    var m = await Client.request({ type: 'save-model' });
    var name = download(m.bytes, m.archText, m.testAccuracy, 'model');
    setNote('Downloaded ' + name + ' (' + fmt.bytes(m.bytes.length) + ').', 'ok');
  } catch (e) {
    setNote('Could not save the model: ' + e.message, 'error');
  }
}

/** The network as ONNX (its last test accuracy in the file's metadata), for onnxruntime and the like. */
async function onOnnx() {
  if (!Store.get().hasNet) return;
  try {
    var m = await Client.request({ type: 'export-onnx' });
    var name = download(m.bytes, m.archText, m.testAccuracy, 'onnx');
    setNote('Downloaded ' + name + ' (' + fmt.bytes(m.bytes.length) + ', ONNX: input pixels [N, 1, 28, 28] in 0..1, ' +
      'white ink on black).', 'ok');
  } catch (e) {
    setNote('Could not export the model as ONNX: ' + e.message, 'error');
  }
}

/** At a rest point: keeps the network in the browser (one copy per dataset). */
function autoSave() {
  var S = Store.get();
  if (!S.hasNet) return;
  var key = S.dataset;
  Client.request({ type: 'save-model' }).then(function (m) {
    var record = { bytes: m.bytes.slice().buffer, arch: m.arch, archText: m.archText, testAccuracy: m.testAccuracy,
      taught: m.taught, savedAt: Date.now(), dataset: key, settings: Settings.current(), runId: S.runId || null };
    return Storage.save(key, record).then(function () {
      if (key !== Store.get().dataset) return;
      showSaved(record);
      setNote('Saved in this browser; it comes back when you open this page again.', 'ok');
    });
  }).catch(function (e) {
    setNote('Not saved in this browser: ' + e.message + '.', 'warn');
  });
}

/** isCurrent(): the load that asked is still the latest. linkValues: the settings the
 *  address asked for (a saved model restores only if it matches them). */
async function checkSaved(isCurrent, linkValues) {
  var record = null;
  try {
    record = await Storage.load(Store.get().dataset);
  } catch (e) {
    showSaved(null);
    setNote('Saving in this browser is not available: ' + e.message + '.', 'warn');
    return;
  }
  if (!isCurrent()) return;
  showSaved(record);
  // only on arrival: after a switch of dataset the note promises a fresh network
  var first = !restoreChecked;
  restoreChecked = true;
  if (!record || !first || !linkAllows(record, linkValues) || Store.get().phase !== 'ready') return;
  if (await loadBytes(record.bytes.slice(0), 'your saved model')) {
    modelMessage('Restored your ' + describe(record).replace(/^Saved model/, 'saved model') +
      '. Train goes on from it; Reset starts a fresh network.', 'ok');
  }
}

/** A link that asks for other settings than the saved model's wants a run of its own. */
function linkAllows(record, linkValues) {
  var saved = record.settings || {};
  return Object.keys(linkValues).every(function (name) {
    return String(linkValues[name]).trim() === String(saved[name] == null ? '' : saved[name]).trim();
  });
}

async function onRestore() {
  try {
    var record = await Storage.load(Store.get().dataset);
    if (!record) {
      showSaved(null);
      setNote('There is no saved model any more.', 'warn');
      return;
    }
    await loadBytes(record.bytes.slice(0), 'your saved model');
  } catch (e) {
    setNote('Could not read the saved model: ' + e.message + '.', 'error');
  }
}

async function onDelete() {
  try {
    await Storage.remove(Store.get().dataset);
    showSaved(null);
    setNote('Deleted the model saved in this browser.', 'ok');
  } catch (e) {
    setNote('Could not delete the saved model: ' + e.message + '.', 'error');
  }
}

function init(h) {
  handlers = h;
  $('model-download').addEventListener('click', onDownload);
  $('model-onnx').addEventListener('click', onOnnx);
  var input = $('model-upload');
  input.addEventListener('change', function () {
    var file = input.files && input.files[0];
    input.value = ''; // choosing the same file again must load it again
    if (file) loadFile(file);
  });
  $('model-restore').addEventListener('click', onRestore);
  $('model-delete').addEventListener('click', onDelete);
}

export { init, looksLikeModel, loadFile, autoSave, checkSaved, setCanDownload };
