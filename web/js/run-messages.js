/* run-messages.js - the worker's training messages (one job: from `progress`,
 * `evaluation`, `testing`, `predictions`, `epoch-end`, `done`, `paused`, `diverged`, `hyper`
 * and `error` to the run's phase and what the progress card, the chart, the galleries and
 * #status show). Messages about a network the page has replaced never get here: client.js
 * drops them.
 *
 * Exports:
 *   listen()     routes those messages (Client.on)
 *   showHyper(hyper)   the note after a change of settings while training
 */
import * as Store from './store.js';
import * as Client from './client.js';
import * as Controls from './controls.js';
import * as Progress from './progress.js';
import * as Gallery from './gallery.js';
import * as Confusion from './confusion.js';
import * as Inside from './inside.js';
import * as Models from './models.js';
import * as Runs from './runs.js';
import * as fmt from './format.js';
import { setPhase, fail, epochWords, showConfigError, chart } from './run-status.js';

let lastLivePredict = 0;
let lastRest = 0;

function onProgress(p) {
  var S = Store.get();
  Store.set({ last: p });
  Progress.showProgress(p);
  if ((p.samples || 0) > 0) {
    var pt = { x: (p.epoch || 0) + (p.epochProgress || 0) };
    // At an epoch boundary the running means may cover no samples yet (0): skip them.
    if (typeof p.loss === 'number' && p.loss > 0) {
      pt.loss = p.loss;
      pt.trainAccuracy = p.trainAccuracy;
    }
    chart().addPoint(pt);
  }
  if (S.phase === 'training' && !S.pausing) {
    var done = p.epochs > 0 ? Math.min(1, ((p.epoch || 0) + (p.epochProgress || 0)) / p.epochs) : 0;
    Controls.setStatus('Training: ' + epochWords(p) + ' (' + Math.floor(done * 100) + '% done)', 'info', { throttle: true });
    // the drawing's probabilities follow the training, a few times a second
    var now = Date.now();
    if (now - lastLivePredict > 250) {
      lastLivePredict = now;
      Inside.refresh(true);
    }
  }
}

function onEvaluation(e) {
  Progress.showEvaluation(e, { loaded: !!Store.get().loadedArch });
  if (e.confusion) Confusion.update(e.confusion);
  Inside.refresh(false);
  if (typeof e.epochFloat === 'number') chart().addPoint({ x: e.epochFloat, testAccuracy: e.testAccuracy });
  Client.post({ type: 'weights', units: 64 }); // the detectors, as they stand at this evaluation
}

/** A rest point (epoch end, pause, done): the galleries, and a copy in the browser.
 *  Epoch ends count at most every 2 s: the seed preset ends an epoch every update. */
function atRest(stopped) {
  var now = Date.now();
  if (!stopped && now - lastRest < 2000) return;
  lastRest = now;
  Inside.requestMistakes();
  Models.autoSave();
}

function onEpochEnd(e) {
  atRest(false);
  Progress.showEpochEnd(e);
  chart().addPoint({ x: e.epoch, loss: e.trainLoss, trainAccuracy: e.trainAccuracy, testAccuracy: e.testAccuracy });
  Runs.rest('training');
}

function onDone(d) {
  atRest(true);
  Store.set({ pausing: false, stepping: false });
  setPhase('done');
  Runs.rest('done', d);
  Progress.showDone(d);
  Controls.setNote('');
  Controls.setStatus(typeof d.testAccuracy === 'number'
    ? 'Done: ' + fmt.percent(d.testAccuracy) + ' test accuracy in ' + fmt.duration(d.elapsed)
    : 'Done in ' + fmt.duration(d.elapsed), 'ok');
}

function onPaused() {
  atRest(true);
  var S = Store.get();
  var stepped = S.stepping;
  Store.set({ pausing: false, stepping: false });
  if (S.phase === 'done' || S.phase === 'error') return;
  setPhase('paused');
  Runs.rest('paused');
  var p = S.last;
  var n = p ? p.iterations || 0 : 0;
  Controls.setStatus('Paused: ' + epochWords(p) + (p ? ', ' + fmt.int(n) + (n === 1 ? ' update' : ' updates') : '') +
    (stepped ? ' (stepped one batch)' : ''), 'info');
}

function onDiverged(d) {
  Store.set({ pausing: false, stepping: false, fresh: false });
  setPhase('error', true);
  Runs.rest('diverged');
  Progress.showDiverged(d);
  Controls.setStatus('Training diverged with learning rate ' + fmt.num(d.lr) + ': the loss became NaN or infinite. ' +
    'Lower the learning rate and press Train again.', 'error');
}

export function showHyper(h) {
  var text = Progress.hyperText(h, Store.get().trainCount);
  if (text) Controls.setNote(text);
}

function onError(m) {
  var msg = m.message || 'Something went wrong in the worker.';
  if (m.stage === 'config') {
    showConfigError({ message: msg, field: m.field });
  } else if (m.stage === 'inspect' || m.stage === 'model') {
    Inside.failed();
    // a look inside failed (or a model message nobody waits for): training is untouched
    Controls.setStatus(msg, 'warn');
  } else if (m.stage === 'init') {
    fail('init', 'The WebAssembly module could not start: ' + msg);
  } else if (m.stage === 'data') {
    setPhase('error');
    Controls.setStatus(msg, 'error');
  } else if (m.stage === 'train' && m.request && m.request !== 'start' && m.request !== 'resume') {
    // a step, pause or evaluate refused or cancelled: the run is as it was
    Store.set({ pausing: false, stepping: false });
    Controls.setStatus(msg, 'warn');
  } else if (m.stage === 'train') { // the run stopped, or did not start
    Store.set({ pausing: false, stepping: false, fresh: false });
    setPhase('error', true);
    Runs.rest('stopped');
    Controls.setStatus('Training stopped: ' + msg, 'error');
  } else {
    // a request nobody here waits for was refused ('teach', 'protocol'): the run is untouched
    Controls.setStatus(msg, 'warn');
  }
}

export function listen() {
  Client.on('progress', onProgress);
  Client.on('evaluation', onEvaluation);
  Client.on('testing', Progress.showTesting);
  Client.on('predictions', Gallery.showPredictions);
  Client.on('epoch-end', onEpochEnd);
  Client.on('done', onDone);
  Client.on('paused', onPaused);
  Client.on('diverged', onDiverged);
  Client.on('hyper', (m) => showHyper(m.hyper));
  Client.on('error', onError);
}
