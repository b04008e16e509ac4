/* loader.js - the data into the worker (one job: load a dataset with data.js, hand
 * it to the worker, and build the first network for it): by URL or from disk on
 * start, on a change of dataset or data folder, from picked or dropped files (a
 * single model file among them goes to models.js).
 *
 * Exports:
 *   init(ready, link)   ready: the Promise of the worker's `ready`; link: {values, note}
 *                       (the address's settings, and what was wrong with them)
 *   load(source)        {kind: 'url', dataset, baseUrl} | {kind: 'files', files}
 *   onFiles(files)      dropped or picked files: a model file, or the four data files
 */
import * as Store from './store.js';
import * as Client from './client.js';
import * as Data from './data.js';
import { fromFiles, matchFiles } from './data-files.js';
import { DATASETS, FILES } from '../../common/datasets.js';
import * as DataCard from './data-card.js';
import * as Form from './form.js';
import * as Controls from './controls.js';
import * as Models from './models.js';
import * as Inside from './inside.js';
import * as Run from './run.js';


var workerReady = null;
var link = { values: {}, note: '' };
var loadToken = 0;
var abort = null;
var previousDataset = ''; // the dataset of the last successful load

function sendSet(set, data) {
  return Client.request({ type: 'load', set: set, images: data.images, labels: data.labels, names: data.names },
    [data.images, data.labels]);
}

/** Whether the worker would take both sets, with copies of their bytes (the originals go
 *  with the load that follows): nothing in place is touched. */
async function checkSets(data) {
  for (var set of ['train', 'test']) {
    var images = data[set].images.slice(0), labels = data[set].labels.slice(0);
    await Client.request({ type: 'load', set: set, check: true, images: images, labels: labels, names: data[set].names },
      [images, labels]);
  }
}

async function load(source) {
  var token = ++loadToken;
  var isCurrent = function () { return token === loadToken; };
  if (abort) abort.abort();
  var ctrl = typeof AbortController === 'function' ? new AbortController() : null;
  abort = ctrl;

  if (!Client.started()) return; // no build: the error is already shown
  var name = source.kind === 'files' ? 'your files' : DATASETS[source.dataset].name;
  DataCard.clearProgress();
  Controls.setStatus('Loading ' + name + ': 0 of 4 files…', 'info');
  // The network, its run and the data in place stay until the new files are read and
  // checked here: files that are refused change nothing.
  var replaced = false;
  var replace = function () {
    replaced = true;
    var phase = Store.get().phase;
    if (phase === 'training' || phase === 'paused') Client.post({ type: 'pause' });
    Client.newRun(); // what the old network still sends is about data that is going
    Run.forget();
  };

  var failed = false;
  var onProgress = function (info) {
    if (!isCurrent() || failed) return;
    DataCard.progress(info);
    if (info.phase === 'done') {
      Controls.setStatus('Loading ' + name + ': ' + info.filesDone + ' of ' + info.filesTotal + ' files…', 'info');
    }
  };

  Store.set({ loadingData: true }); // nothing new starts until the data is in (or refused)
  try {
    var data = source.kind === 'files'
      ? await fromFiles(source.files, { onProgress: onProgress })
      : await Data.load({ dataset: source.dataset, baseUrl: source.baseUrl, onProgress: onProgress,
        signal: ctrl ? ctrl.signal : undefined });
    if (!isCurrent()) return;
    await workerReady;
    if (!isCurrent()) return;
    Controls.setStatus('Checking the ' + name + ' files…', 'info');
    if (Store.get().hasNet) {
      await checkSets(data); // a network and maybe a run are in place: they go only for files the worker takes
      if (!isCurrent()) return;
    }
    replace();
    var tr = await sendSet('train', data.train);
    if (!isCurrent()) return;
    var te = await sendSet('test', data.test);
    if (!isCurrent()) return;
    var dataset = data.dataset || DataCard.dataset();
    Store.set({ dataReady: true, trainCount: tr.count, testCount: te.count, dataset: dataset,
      dataName: data.dataset ? DATASETS[data.dataset].name : 'your files' });
    Form.refresh();
    Inside.relabel();
    var switched = previousDataset && previousDataset !== dataset;
    var previousName = switched && DATASETS[previousDataset] ? DATASETS[previousDataset].name : '';
    previousDataset = dataset;

    var r = Form.readConfig(true);
    if (r.ok) {
      try {
        await Run.configure(r.config);
      } catch (e) {
        if (!isCurrent()) return;
        // the data is in: Train builds the network again (a rejected setting is shown at its field)
        Store.set({ loadingData: false });
        Run.setPhase('ready');
        if (e.stage === 'config') Run.showConfigError(e); else Controls.setStatus(e.message, 'error');
        return;
      }
    }
    if (!isCurrent()) return;
    Store.set({ loadingData: false }); // the data is in: Train works
    Run.setPhase('ready');
    Controls.setStatus(Run.readyText(), 'ok');
    if (link.note) {
      Controls.setNote(link.note);
      link.note = '';
    } else if (switched) {
      Controls.setNote('Switched to ' + Store.get().dataName + ': the network starts again from fresh weights ' +
        '(what it learnt on ' + previousName + ' does not carry over).');
    }
    Inside.predictDrawing();
    await Models.checkSaved(isCurrent, link.values);
  } catch (e) {
    failed = true;
    if (!isCurrent() || (e && e.kind === 'aborted')) return;
    if (e && e.stage === 'init') {
      Run.fail('init', e.message === Client.MISSING_BUILD ? e.message : 'The WebAssembly module could not start: ' + e.message);
      return;
    }
    var message = e && e.message ? e.message : String(e);
    if (!replaced && Store.get().dataReady) {
      // refused before anything was replaced: the data, the network and its run go on
      DataCard.failed(true);
      message += ' The data in place is kept: nothing changed.';
      Controls.setNote(message); // stays when the run's progress takes #status back
      Controls.setStatus(message, 'error');
      return;
    }
    Run.setPhase('error');
    DataCard.failed(e && e.kind === 'file-mode');
    Controls.setStatus(message, e && e.kind === 'file-mode' ? 'warn' : 'error');
  } finally {
    if (isCurrent()) Store.set({ loadingData: false });
  }
}

async function onFiles(files) {
  var m = matchFiles(files);
  if (files.length === 1) {
    var idxName = m.missing.length < FILES.length;
    if (await Models.looksLikeModel(files[0]) || !idxName) {
      Models.loadFile(files[0]);
      return;
    }
  }
  if (m.missing.length) {
    // Say what is wrong, but keep what is loaded (and any run) as it is.
    fromFiles(files).catch(function (e) { Controls.setStatus(e.message, 'error'); });
    return;
  }
  load({ kind: 'files', files: files });
}

function init(ready, theLink) {
  workerReady = ready;
  link = theLink;
  DataCard.init({
    onDataset: function (id) { load({ kind: 'url', dataset: id, baseUrl: DataCard.dataUrl() }); },
    onDataUrl: function (url) { load({ kind: 'url', dataset: DataCard.dataset(), baseUrl: url }); },
    onFiles: onFiles
  });
}

export { init, load, onFiles };
