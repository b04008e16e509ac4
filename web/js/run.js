/* run.js - the run's state machine (one job: from the buttons and the worker's training
 * messages to the run's phase, and what the progress card, the chart and the
 * galleries show).
 *
 * Phases (MnistStore.phase): loading -> ready -> training <-> paused -> done; error
 * (recoverable after a divergence or a failed run: Train and Reset stay usable; not
 * after a data or start-up failure).
 *
 * Public: window.MnistRun = {
 *   init(chart)              routes the worker's training messages; binds the buttons and the form
 *   setPhase(phase, recoverable)
 *   fail(stage, message)     a failure that leaves nothing to do but reload or fix the setup
 *   configure(config) -> Promise   the worker builds (or re-tunes a loaded) network
 *   clearDisplay(epochs)     a new network: nothing of the last run stays on screen
 *   forget()                 new data is coming: no network, nothing shown
 *   readyText()              "Ready: 60,000 training and 10,000 test images"
 *   showConfigError(error)   a rejected setting, in #status and beside its field
 * }
 */
(function () {
  'use strict';

  var Store = window.MnistStore;
  var Client = window.MnistClient;
  var Form = window.MnistForm;
  var Controls = window.MnistControls;
  var Progress = window.MnistProgress;
  var Gallery = window.MnistGallery;
  var Inspect = window.MnistInspect;
  var Confusion = window.MnistConfusion;
  var Inside = window.MnistInside;
  var Models = window.MnistModels;
  var fmt = window.MnistFormat;

  var chart = null;
  var lastLivePredict = 0;
  var lastRest = 0;

  function setPhase(phase, recoverable) {
    Store.set({ phase: phase, recoverable: !!recoverable });
  }

  function fail(stage, message) {
    Client.failAll(stage, message);
    setPhase('error');
    Controls.setStatus(message, 'error');
  }

  function readyText() {
    var S = Store.get();
    return 'Ready: ' + fmt.int(S.trainCount) + ' training and ' + fmt.int(S.testCount) + ' test images' +
      (S.dataName && S.dataName !== 'MNIST' ? ' (' + S.dataName + ')' : '');
  }

  function epochWords(p) {
    var S = Store.get();
    p = p || S.last;
    var epochs = (p && p.epochs) || (S.config && S.config.epochs) || 0;
    var e = p ? Math.min((p.epoch || 0) + 1, epochs) : 1;
    return 'epoch ' + fmt.int(e) + ' of ' + fmt.int(epochs);
  }

  function setTarget(epochs) {
    Progress.setTarget(epochs);
    chart.setXMax(epochs);
  }

  /** The core rejected a setting: say so in #status and beside the field it names. */
  function showConfigError(e) {
    Controls.setStatus('Settings rejected: ' + e.message, 'error');
    if (e.field) Form.fieldError(e.field, e.message);
  }

  /** A request's failure: a rejected setting at its field, anything else in #status. */
  function showFailure(e) {
    if (e.stage === 'config') showConfigError(e); else Controls.setStatus(e.message, 'error');
  }

  /* ---- the worker's training messages ---- */

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
      chart.addPoint(pt);
    }
    if (S.phase === 'training' && !S.pausing) {
      Controls.setStatus('Training: ' + epochWords(p), 'info', { throttle: true });
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
    if (typeof e.epochFloat === 'number') chart.addPoint({ x: e.epochFloat, testAccuracy: e.testAccuracy });
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
    chart.addPoint({ x: e.epoch, loss: e.trainLoss, trainAccuracy: e.trainAccuracy, testAccuracy: e.testAccuracy });
  }

  function onDone(d) {
    atRest(true);
    Store.set({ pausing: false, stepping: false });
    setPhase('done');
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
    var p = S.last;
    var n = p ? p.iterations || 0 : 0;
    Controls.setStatus('Paused: ' + epochWords(p) + (p ? ', ' + fmt.int(n) + (n === 1 ? ' update' : ' updates') : '') +
      (stepped ? ' (stepped one batch)' : ''), 'info');
  }

  function onDiverged(d) {
    Store.set({ pausing: false, stepping: false, fresh: false });
    setPhase('error', true);
    Progress.showDiverged(d);
    Controls.setStatus('Training diverged with learning rate ' + fmt.num(d.lr) + ': the loss became NaN or infinite. ' +
      'Lower the learning rate and press Train again.', 'error');
  }

  function showHyper(h) {
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
    } else { // 'train': the run stopped
      Store.set({ pausing: false, stepping: false, fresh: false });
      setPhase('error', true);
      Controls.setStatus('Training stopped: ' + msg, 'error');
    }
  }

  /* ---- the network ---- */

  function configure(config) {
    var S = Store.get();
    var key = Store.configKey(config);
    if (S.fresh && S.applied === key) return Promise.resolve();
    if (S.fresh && S.loadedArch && S.loadedArch === config.arch) {
      // A loaded model trains on from its weights: only the training settings change.
      var hyper = { batch: config.batch, lr: config.lr, momentum: config.momentum, weightDecay: config.weightDecay,
        lrDecay: config.lrDecay, epochs: config.epochs, optimizer: config.optimizer, schedule: config.schedule,
        beta1: config.beta1, beta2: config.beta2, eps: config.eps, shift: config.shift };
      return Client.request({ type: 'set-hyper', hyper: hyper }, [], 'hyper').then(function (m) {
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
    chart.clear();
    chart.setXMax(epochs);
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
    chart.clear();
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
    if (!can || S.busy || !S.dataReady) return;
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
    if (S.busy || S.stepping || !S.dataReady) return;
    if (S.phase === 'ready') {
      if (!(await configureFromForm())) return;
    } else if (S.phase !== 'paused') {
      return;
    }
    Store.set({ stepping: true });
    Client.post({ type: 'step' });
    Controls.setStatus('Training one batch…', 'info');
  }

  async function onReset() {
    var S = Store.get();
    if (S.busy || !S.dataReady) return;
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
    if ((S.phase !== 'training' && S.phase !== 'paused') || !Client.started()) return;
    Client.request({ type: 'set-hyper', hyper: h }, [], 'hyper').then(function (m) {
      // the values in force of the settings just changed
      var changed = {};
      Object.keys(h).forEach(function (k) { changed[k] = m.hyper[k]; });
      showHyper(changed);
    }, showFailure);
  }

  function onStructureChange(what) {
    var S = Store.get();
    if (S.phase === 'training' || S.phase === 'paused') {
      Controls.setNote(what === 'preset'
        ? 'Preset filled in: press Reset to start a new network with it (changing the preset or the layers needs a Reset).'
        : 'Changes to the layers, the schedule, the number of epochs or the seed take effect when you press Reset.');
    } else if (S.phase === 'ready' && S.fresh) {
      // Nothing trained yet: show the new target right away (Train applies the rest).
      var epochs = Form.peekField('epochs');
      if (epochs) setTarget(epochs);
    }
  }

  function init(theChart) {
    chart = theChart;
    // (messages about a network the page has replaced never get here: MnistClient drops them)
    Client.on('progress', onProgress);
    Client.on('evaluation', onEvaluation);
    Client.on('testing', Progress.showTesting);
    Client.on('predictions', Gallery.showPredictions);
    Client.on('epoch-end', onEpochEnd);
    Client.on('done', onDone);
    Client.on('paused', onPaused);
    Client.on('diverged', onDiverged);
    Client.on('hyper', function (m) { showHyper(m.hyper); });
    Client.on('error', onError);
    Controls.init({ onTrain: onTrain, onPause: onPause, onStep: onStep, onReset: onReset });
    Form.init({ onHyper: onHyper, onStructureChange: onStructureChange });
  }

  window.MnistRun = {
    init: init,
    setPhase: setPhase,
    fail: fail,
    configure: configure,
    clearDisplay: clearDisplay,
    forget: forget,
    readyText: readyText,
    setTarget: setTarget,
    showConfigError: showConfigError
  };
})();
