/* run.js - the run's state machine (one job: from the buttons and the form to the
 * worker's network and the run's phase). The worker's training messages: run-messages.js;
 * the phase and the sentences about it: run-status.js.
 *
 * Phases (store.js: phase): loading -> ready -> training <-> paused -> done; error
 * (recoverable after a divergence or a failed run: Train and Reset stay usable; not
 * after a data or start-up failure).
 *
 * Exports:
 *   init(chart)              routes the worker's training messages; binds the buttons and the form
 *   setPhase, fail, readyText, setTarget, showConfigError   (run-status.js)
 *   configure(config) -> Promise   the worker builds (or re-tunes a loaded) network
 *   clearDisplay(epochs)     a new network: nothing of the last run stays on screen
 *   forget()                 new data is coming: no network, nothing shown
 */
import * as Store from './store.js';
import * as Client from './client.js';
import * as Form from './form.js';
import * as Controls from './controls.js';
import * as Progress from './progress.js';
import * as Gallery from './gallery.js';
import * as Inspect from './inspect.js';
import * as Confusion from './confusion.js';
import * as Inside from './inside.js';
import { listen, showHyper } from './run-messages.js';
import { setChart, chart, setPhase, fail, readyText, epochWords, setTarget, showConfigError, showFailure } from './run-status.js';

export { setPhase, fail, readyText, setTarget, showConfigError };

/* ---- the network ---- */

function configure(config) {
  var S = Store.get();
  var key = Store.configKey(config);
  if (S.fresh && S.applied === key) return Promise.resolve();
  if (S.fresh && S.loadedArch && S.loadedArch === config.arch) {
    // A loaded model trains on from its weights: only what a run can change (the core's rules.hyper) changes.
    var hyper = {};
    S.rules.hyper.forEach(function (k) { if (k in config) hyper[k] = config[k]; });
    return Client.request({ type: 'set-hyper', hyper: hyper }).then(function (m) {
      Store.set({ applied: key, config: config });
      setTarget(config.epochs);
      return m;
    });
  }
  return Client.build({ type: 'configure', config: config }).then(function (m) {
    Store.set({ applied: key, fresh: true, hasNet: true, loadedArch: null, config: config });
    clearDisplay(config.epochs);
    return m;
  });
}

/** Fresh weights: clear what the last run drew. Runs as `configured` arrives, before
 *  the evaluation and predictions of the untrained network that follow it. */
function clearDisplay(epochs) {
  Store.set({ last: null });
  chart().clear();
  chart().setXMax(epochs);
  Progress.clear();
  Gallery.clearPredictions();
  Gallery.clearMistakes();
  Inspect.clear();
  Confusion.clear();
  Progress.setTarget(epochs);
  Inside.forgetTestImage();
}

function forget() {
  Store.set({ dataReady: false, hasNet: false, loadedArch: null, fresh: false, applied: '',
    pausing: false, stepping: false, last: null });
  setPhase('loading');
  Progress.clear();
  Gallery.clearPredictions();
  chart().clear();
  Controls.setNote('');
}

/** Builds a network from the form's settings; false (with the reason shown) if it cannot. */
async function configureFromForm() {
  var r = Form.readConfig();
  if (!r.ok) {
    Controls.setNote('Fix the highlighted field first.');
    return false;
  }
  Store.set({ busy: true });
  try {
    await configure(r.config);
  } catch (e) {
    showFailure(e);
    return false;
  } finally {
    Store.set({ busy: false });
  }
  if (Store.get().fresh) { // the run begins
    Store.set({ fresh: false });
    Controls.setNote('');
  }
  return true;
}

/* ---- the buttons and the form ---- */

async function onTrain() {
  var S = Store.get();
  var can = S.phase === 'ready' || S.phase === 'done' || (S.phase === 'error' && S.recoverable);
  if (!can || S.busy || S.loadingData || !S.dataReady) return;
  Progress.startClock();
  if (!(await configureFromForm())) return;
  Client.post({ type: 'start' });
  setPhase('training');
  Controls.setStatus('Training: ' + epochWords(null), 'info');
}

function onPause() {
  var S = Store.get();
  if (S.busy) return;
  if (S.phase === 'training') {
    if (S.pausing) return;
    Store.set({ pausing: true });
    Progress.stopClock();
    Client.post({ type: 'pause' });
    Controls.setStatus('Pausing…', 'info');
  } else if (S.phase === 'paused') {
    if (S.stepping) return;
    Client.post({ type: 'resume' });
    setPhase('training');
    Controls.setNote('');
    Controls.setStatus('Training: ' + epochWords(null), 'info');
  }
}

async function onStep() {
  var S = Store.get();
  if (S.busy || S.loadingData || S.stepping || !S.dataReady) return;
  if (S.phase === 'ready') {
    if (!(await configureFromForm())) return;
  } else if (S.phase !== 'paused') {
    return;
  }
  Store.set({ stepping: true });
  Progress.stopClock();
  Client.post({ type: 'step' });
  Controls.setStatus('Training one batch…', 'info');
}

async function onReset() {
  var S = Store.get();
  if (S.busy || S.loadingData || !S.dataReady) return;
  var r = Form.readConfig();
  if (!r.ok) {
    Controls.setNote('Fix the highlighted field, then press Reset again.');
    return;
  }
  if (S.phase === 'training') Client.post({ type: 'pause' });
  Store.set({ busy: true, pausing: false, stepping: false });
  var key = Store.configKey(r.config);
  try {
    await Client.build(S.applied === key ? { type: 'reset' } : { type: 'configure', config: r.config });
  } catch (e) {
    Store.set({ applied: '', fresh: false, busy: false });
    setPhase('ready');
    showFailure(e);
    return;
  }
  Store.set({ applied: key, config: r.config, loadedArch: null, hasNet: true, busy: false, fresh: true });
  clearDisplay(r.config.epochs);
  Controls.setNote('');
  setPhase('ready');
  Controls.setStatus(readyText() + '. The network starts again from fresh weights.', 'ok');
}

function onHyper(h) {
  var S = Store.get();
  if (S.phase === 'ready' && S.fresh && h.epochs) setTarget(h.epochs); // nothing trained yet: the new target now
  if ((S.phase !== 'training' && S.phase !== 'paused') || !Client.started()) return;
  Client.request({ type: 'set-hyper', hyper: h }).then(function (m) {
    // the values in force of the settings just changed
    var changed = {};
    Object.keys(h).forEach(function (k) { changed[k] = m.hyper[k]; });
    if (changed.epochs) setTarget(changed.epochs); // the run's new length
    showHyper(changed);
  }, showFailure);
}

/** what: 'preset', or the key of a setting a run cannot change (words: the table's words for it). */
function onStructureChange(what, words) {
  var S = Store.get();
  if (S.phase === 'training' || S.phase === 'paused') {
    Controls.setNote(what === 'preset'
      ? 'Preset filled in: press Reset to start a new network with it (changing the preset or the layers needs a Reset).'
      : 'The new ' + words + ' takes effect when you press Reset.');
  } else if (S.phase === 'ready' && S.fresh) {
    // Nothing trained yet: show the new target right away (Train applies the rest).
    var epochs = Form.peekField('epochs');
    if (epochs) setTarget(epochs);
  }
}

function init(theChart) {
  setChart(theChart);
  listen();
  Controls.init({ onTrain: onTrain, onPause: onPause, onStep: onStep, onReset: onReset });
  Form.init({ onHyper: onHyper, onStructureChange: onStructureChange });
}

export { init, configure, clearDisplay, forget };
