/* app.js - the glue: starts the worker from MNIST_BUNDLE, loads the data with
 * MnistData, hands it to the worker, drives training from the controls (MnistUI)
 * and routes the worker's messages (web/PROTOCOL.md) to the display and the chart.
 *
 * States: loading -> ready -> training <-> paused -> done; error (recoverable after a
 * divergence or a failed run: Train and Reset stay usable; not after a data or
 * start-up failure).
 *
 * Public: window.MnistApp = { state(), worker() } for debugging and tests.
 */
(function () {
  'use strict';

  var UI = window.MnistUI;
  var Data = window.MnistData;
  var Inspect = window.MnistInspect;
  var Confusion = window.MnistConfusion;
  var Models = window.MnistModels;
  var Settings = window.MnistSettings;
  var Draw = window.MnistDraw;
  var ChartLib = window.MnistChart;
  var fmt = UI.fmt;

  var MISSING_BUILD = 'The WebAssembly build is missing: run `make` (needs emscripten)';

  var S = {
    state: 'loading',
    recoverable: false,
    worker: null,
    workerReady: null,     // Promise of the `ready` message
    waiters: [],           // FIFO of {type, resolve, reject}: the worker answers in order
    dataName: 'MNIST',
    dataset: 'mnist',
    trainCount: 0,
    testCount: 0,
    dataReady: false,
    applied: '',           // UI.configKey of the network the worker holds
    fresh: false,          // that network has not trained yet
    config: null,
    ignoring: false,       // drop training messages of a run being discarded
    pausing: false,
    stepping: false,
    busy: false,
    loadToken: 0,
    abort: null,
    last: null,            // the latest progress message
    loadedArch: null,      // the architecture of a model loaded from a file or storage, until a new network
    linkValues: {},        // the settings the address asked for (a saved model restores only if it matches)
    restoreChecked: false, // the first load has looked for a saved model
    hasNet: false,         // the worker holds a network for the loaded data
    previousDataset: '',   // the dataset of the last successful load
    predictSeq: 0,
    predictWaiting: {},    // prediction id -> callback
    chosen: null,          // the activations view's input: {kind: 'draw'} or {kind: 'test', index}
    lastLivePredict: 0,
    lastRest: 0,
    linkNote: ''           // what was wrong with the address's settings, until shown
  };
  var chart = null;
  var pad = null;

  /* ---- state -------------------------------------------------------------------- */

  function setState(s, opts) {
    opts = opts || {};
    S.state = s;
    S.recoverable = !!opts.recoverable;
    UI.setState(s, { recoverable: S.recoverable });
    Models.setCanDownload(S.hasNet && s !== 'loading' && (s !== 'error' || S.recoverable));
  }

  function readyText() {
    return 'Ready: ' + fmt.int(S.trainCount) + ' training and ' + fmt.int(S.testCount) + ' test images' +
      (S.dataName && S.dataName !== 'MNIST' ? ' (' + S.dataName + ')' : '');
  }

  function epochWords(p) {
    p = p || S.last;
    var epochs = (p && p.epochs) || (S.config && S.config.epochs) || 0;
    var e = p ? Math.min((p.epoch || 0) + 1, epochs) : 1;
    return 'epoch ' + fmt.int(e) + ' of ' + fmt.int(epochs);
  }

  /* ---- the worker ------------------------------------------------------------------ */

  function request(msg, transfer, type) {
    return new Promise(function (resolve, reject) {
      S.waiters.push({ type: type, resolve: resolve, reject: reject });
      try {
        S.worker.postMessage(msg, transfer || []);
      } catch (e) {
        S.waiters.pop();
        reject(workerError('init', 'Could not send "' + msg.type + '" to the worker: ' + e.message));
      }
    });
  }

  function post(msg) {
    if (S.worker) S.worker.postMessage(msg);
  }

  function workerError(stage, message) {
    var e = new Error(message);
    e.stage = stage;
    return e;
  }

  function wasmBuffer(bundle) {
    if (typeof bundle.wasmBase64 === 'string' && bundle.wasmBase64.length) {
      var bytes = Data.base64ToBytes(bundle.wasmBase64);
      return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : bytes.slice().buffer;
    }
    var raw = bundle.wasmBytes;
    if (raw instanceof ArrayBuffer) return raw.slice(0);
    if (raw && raw.buffer instanceof ArrayBuffer) return new Uint8Array(raw).slice().buffer;
    return null;
  }

  function startWorker(bundle) {
    var wasm = wasmBuffer(bundle);
    if (!wasm) throw workerError('init', MISSING_BUILD);
    var url = URL.createObjectURL(new Blob([bundle.workerSource], { type: 'text/javascript' }));
    try {
      S.worker = new Worker(url);
    } catch (e) {
      URL.revokeObjectURL(url);
      throw workerError('init', 'The training worker could not start (' + e.message + ').');
    }
    S.worker.addEventListener('message', onMessage);
    S.worker.addEventListener('error', function (e) {
      e.preventDefault();
      fail('init', 'The training worker stopped with an error: ' + (e.message || 'unknown error') + '.');
    });
    S.worker.addEventListener('messageerror', function () {
      fail('init', 'A message from the training worker could not be read.');
    });
    var init = { type: 'init', wasm: wasm };
    var transfer = [wasm];
    // Threads need shared memory, which browsers allow only on a cross-origin
    // isolated page (make serve sends COOP/COEP); elsewhere one thread runs.
    var cores = navigator.hardwareConcurrency || 1;
    if (self.crossOriginIsolated === true && cores > 1 && bundle.wasmThreadsBase64) {
      var threaded = Data.base64ToBytes(bundle.wasmThreadsBase64).slice().buffer;
      init.wasmThreads = threaded;
      init.threads = Math.min(cores, 4);
      transfer.push(threaded);
    }
    S.workerReady = request(init, transfer, 'ready').then(function (m) {
      URL.revokeObjectURL(url);
      var v = typeof bundle.version === 'string' && bundle.version ? 'Build ' + bundle.version
        : m.version != null ? 'Core version ' + m.version : '';
      var threads = m.threads > 1 ? m.threads + ' threads' : 'one thread';
      UI.setVersion((v ? v + ' · ' : '') + 'WebAssembly SIMD ' + (m.simd ? 'on' : 'off') + ', ' + threads + '.');
      return m;
    });
    // Handled where it is awaited; this keeps an early failure from being "unhandled".
    S.workerReady.catch(function () {});
  }

  /** A failure that leaves nothing to do but reload or fix the setup. */
  function fail(stage, message) {
    S.waiters.splice(0).forEach(function (w) { w.reject(workerError(stage, message)); });
    setState('error');
    UI.setStatus(message, 'error');
  }

  function onMessage(ev) {
    var m = ev.data;
    if (!m || typeof m.type !== 'string') return;
    var head = S.waiters[0];
    if (head && m.type === head.type) {
      S.waiters.shift();
      head.resolve(m);
      return;
    }
    // Errors of posted (unanswered) messages: 'train' (the run) and 'inspect' (a look inside).
    if (head && m.type === 'error' && m.stage !== 'train' && m.stage !== 'inspect') {
      S.waiters.shift();
      head.reject(workerError(m.stage, m.message));
      return;
    }
    switch (m.type) {
      case 'progress': onProgress(m); break;
      case 'evaluation': onEvaluation(m); break;
      case 'predictions': if (!S.ignoring) UI.showPredictions(m); break;
      case 'epoch-end': onEpochEnd(m); break;
      case 'done': onDone(m); break;
      case 'paused': onPaused(); break;
      case 'diverged': onDiverged(m); break;
      case 'hyper': UI.showHyper(m.hyper); break;
      case 'weights': if (!S.ignoring) Inspect.showWeights(m); break;
      case 'mistakes': if (!S.ignoring && m.order === Inspect.mistakesOrder()) Inspect.showMistakes(m); break;
      case 'cell': if (!S.ignoring) Confusion.showCell(m); break;
      case 'prediction': onPrediction(m); break;
      case 'error': onError(m); break;
      default: break; // configured/loaded/ready/model outside a request: nothing to do
    }
  }

  function onProgress(p) {
    if (S.ignoring) return;
    S.last = p;
    UI.showProgress(p);
    if ((p.samples || 0) > 0) {
      var pt = { x: (p.epoch || 0) + (p.epochProgress || 0) };
      // At an epoch boundary the running means may cover no samples yet (0): skip them.
      if (typeof p.loss === 'number' && p.loss > 0) {
        pt.loss = p.loss;
        pt.trainAccuracy = p.trainAccuracy;
      }
      chart.addPoint(pt);
    }
    if (S.state === 'training' && !S.pausing) {
      UI.setStatus('Training: ' + epochWords(p), 'info', { throttle: true });
      // the drawing's probabilities follow the training, a few times a second
      var now = Date.now();
      if (now - S.lastLivePredict > 250) {
        S.lastLivePredict = now;
        refreshChosen(true);
      }
    }
  }

  function onEvaluation(e) {
    if (S.ignoring) return;
    UI.showEvaluation(e, { loaded: !!S.loadedArch });
    if (e.confusion) Confusion.update(e.confusion);
    refreshChosen(false);
    if (typeof e.epochFloat === 'number') chart.addPoint({ x: e.epochFloat, testAccuracy: e.testAccuracy });
    post({ type: 'weights', units: 64 }); // the detectors, as they stand at this evaluation
  }

  /** The mistakes gallery costs a pass over the test set: only at rest points. */
  function requestMistakes() {
    post({ type: 'mistakes', limit: 60, order: Inspect.mistakesOrder() });
    var cell = Confusion.selected();
    if (cell) requestCell(cell.label, cell.predicted);
  }

  function requestCell(label, predicted) {
    // right answers: the doubtful ones are the interesting ones; mistakes: the confident ones
    post({ type: 'cell', label: label, predicted: predicted, limit: 60, order: label === predicted ? 'least' : 'most' });
  }

  /** A rest point (epoch end, pause, done): the galleries, and a copy in the browser.
   *  Epoch ends count at most every 2 s: the seed preset ends an epoch every update. */
  function atRest(stopped) {
    var now = Date.now();
    if (!stopped && now - S.lastRest < 2000) return;
    S.lastRest = now;
    requestMistakes();
    autoSave();
  }

  function onEpochEnd(e) {
    if (S.ignoring) return;
    atRest(false);
    UI.showEpochEnd(e);
    chart.addPoint({ x: e.epoch, loss: e.trainLoss, trainAccuracy: e.trainAccuracy, testAccuracy: e.testAccuracy });
  }

  function onDone(d) {
    if (S.ignoring) return;
    atRest(true);
    S.pausing = S.stepping = false;
    setState('done');
    UI.showDone(d);
    UI.setNote('');
    UI.setStatus(typeof d.testAccuracy === 'number'
      ? 'Done: ' + fmt.percent(d.testAccuracy) + ' test accuracy in ' + fmt.duration(d.elapsed)
      : 'Done in ' + fmt.duration(d.elapsed), 'ok');
  }

  function onPaused() {
    if (S.ignoring) return;
    atRest(true);
    var stepped = S.stepping;
    S.pausing = S.stepping = false;
    if (S.state === 'done' || S.state === 'error') return;
    setState('paused');
    var p = S.last;
    var n = p ? p.iterations || 0 : 0;
    UI.setStatus('Paused: ' + epochWords(p) + (p ? ', ' + fmt.int(n) + (n === 1 ? ' update' : ' updates') : '') +
      (stepped ? ' (stepped one batch)' : ''), 'info');
  }

  function onDiverged(d) {
    if (S.ignoring) return;
    S.pausing = S.stepping = false;
    S.fresh = false;
    setState('error', { recoverable: true });
    UI.showDiverged(d);
    UI.setStatus('Training diverged with learning rate ' + fmt.num(d.lr) + ': the loss became NaN or infinite. ' +
      'Lower the learning rate and press Train again.', 'error');
  }

  function onError(m) {
    var msg = m.message || 'Something went wrong in the worker.';
    if (m.stage === 'config') {
      showConfigError(msg);
      return;
    }
    if (m.stage === 'inspect' || m.stage === 'model') {
      drawing.inFlight = false;
      // a look inside failed (or a model message nobody waits for): training is untouched
      UI.setStatus(msg, 'warn');
      return;
    }
    if (m.stage === 'init') {
      fail('init', 'The WebAssembly module could not start: ' + msg);
      return;
    }
    if (m.stage === 'data') {
      setState('error');
      UI.setStatus(msg, 'error');
      return;
    }
    // 'train': the run stopped
    if (S.ignoring) return;
    S.pausing = S.stepping = false;
    S.fresh = false;
    setState('error', { recoverable: true });
    UI.setStatus('Training stopped: ' + msg, 'error');
  }

  /** The worker rejected a setting: say so in #status and beside the field it names. */
  function showConfigError(msg) {
    UI.setStatus('Settings rejected: ' + msg, 'error');
    var t = msg.toLowerCase();
    var field = /learning rate|\blr\b/.test(t) ? 'lr'
      : /momentum/.test(t) ? 'momentum'
      : /batch/.test(t) ? 'batch'
      : /epoch/.test(t) ? 'epochs'
      : /arch|layer|hidden|width|units/.test(t) ? 'arch' : null;
    if (field) UI.fieldError(field, msg);
  }

  /* ---- data ------------------------------------------------------------------------- */

  function currentBase() {
    return UI.getDataUrl();
  }

  async function loadFrom(source) {
    var token = ++S.loadToken;
    if (S.abort) S.abort.abort();
    var ctrl = typeof AbortController === 'function' ? new AbortController() : null;
    S.abort = ctrl;

    if (!S.worker) return; // no build: the error is already shown
    if (S.state === 'training' || S.state === 'paused') post({ type: 'pause' });
    S.ignoring = true;     // until the new data is in: drop what the old run still sends
    S.dataReady = false;
    S.hasNet = false;
    S.loadedArch = null;
    S.fresh = false;
    S.applied = '';
    S.pausing = S.stepping = false;
    S.last = null;

    var name = source.kind === 'files' ? 'your files' : Data.DATASETS[source.dataset].name;
    setState('loading');
    UI.clearDataProgress();
    UI.clearResults();
    chart.clear();
    UI.setNote('');
    UI.setStatus('Loading ' + name + ': 0 of 4 files…', 'info');

    var failed = false;
    var onProgress = function (info) {
      if (token !== S.loadToken || failed) return;
      UI.dataProgress(info);
      if (info.phase === 'done') {
        UI.setStatus('Loading ' + name + ': ' + info.filesDone + ' of ' + info.filesTotal + ' files…', 'info');
      }
    };

    try {
      var data = source.kind === 'files'
        ? await Data.fromFiles(source.files, { onProgress: onProgress })
        : await Data.load({ dataset: source.dataset, baseUrl: source.baseUrl, onProgress: onProgress,
          signal: ctrl ? ctrl.signal : undefined });
      if (token !== S.loadToken) return;
      await S.workerReady;
      if (token !== S.loadToken) return;
      UI.setStatus('Checking the ' + name + ' files…', 'info');
      var tr = await request({ type: 'load', set: 'train', images: data.train.images, labels: data.train.labels,
        names: data.train.names }, [data.train.images, data.train.labels], 'loaded');
      if (token !== S.loadToken) return;
      var te = await request({ type: 'load', set: 'test', images: data.test.images, labels: data.test.labels,
        names: data.test.names }, [data.test.images, data.test.labels], 'loaded');
      if (token !== S.loadToken) return;
      S.ignoring = false;
      S.dataReady = true;
      S.trainCount = tr.count;
      S.testCount = te.count;
      S.dataset = data.dataset || UI.datasetValue();
      S.dataName = data.dataset ? Data.DATASETS[data.dataset].name : 'your files';
      UI.setDataset(S.dataset, tr.count);
      relabel();
      var switched = S.previousDataset && S.previousDataset !== S.dataset;
      var previousName = switched && Data.DATASETS[S.previousDataset] ? Data.DATASETS[S.previousDataset].name : '';
      S.previousDataset = S.dataset;

      var r = UI.readConfig(true);
      if (r.ok) {
        try {
          await configure(r.config);
        } catch (e) {
          if (token !== S.loadToken) return;
          setState('ready');
          if (e.stage === 'config') showConfigError(e.message); else throw e;
          return;
        }
      }
      if (token !== S.loadToken) return;
      setState('ready');
      UI.setStatus(readyText(), 'ok');
      if (S.linkNote) {
        UI.setNote(S.linkNote);
        S.linkNote = '';
      } else if (switched) {
        UI.setNote('Switched to ' + S.dataName + ': the network starts again from fresh weights (what it learnt on ' +
          previousName + ' does not carry over).');
      }
      predictDrawing();
      await checkSaved(token);
    } catch (e) {
      failed = true;
      if (token !== S.loadToken || (e && e.kind === 'aborted')) return;
      if (e && e.stage === 'init') {
        fail('init', e.message === MISSING_BUILD ? e.message : 'The WebAssembly module could not start: ' + e.message);
        return;
      }
      setState('error');
      UI.dataFailed(e && e.kind === 'file-mode');
      UI.setStatus(e && e.message ? e.message : String(e), e && e.kind === 'file-mode' ? 'warn' : 'error');
    }
  }

  /* ---- the network ------------------------------------------------------------------- */

  function configure(config) {
    var key = UI.configKey(config);
    if (S.fresh && S.applied === key) return Promise.resolve();
    if (S.fresh && S.loadedArch && S.loadedArch.join('-') === config.arch.join('-')) {
      // A loaded model trains on from its weights: only the training settings change.
      var hyper = { batch: config.batch, lr: config.lr, momentum: config.momentum, weightDecay: config.weightDecay,
        lrDecay: config.lrDecay, epochs: config.epochs };
      return request({ type: 'set-hyper', hyper: hyper }, [], 'hyper').then(function (m) {
        S.applied = key;
        S.config = config;
        UI.setTarget(config.epochs);
        chart.setXMax(config.epochs);
        return m;
      });
    }
    return request({ type: 'configure', config: config }, [], 'configured').then(function (m) {
      S.applied = key;
      S.fresh = true;
      S.hasNet = true;
      S.loadedArch = null;
      S.config = config;
      clearDisplay(config.epochs);
      return m;
    });
  }

  /** Fresh weights: clear what the last run drew. Runs as `configured` arrives, before
   *  the evaluation and predictions of the untrained network that follow it. */
  function clearDisplay(epochs) {
    S.last = null;
    chart.clear();
    chart.setXMax(epochs);
    UI.clearResults();
    Inspect.clear();
    Confusion.clear();
    UI.setTarget(epochs);
    if (S.chosen && S.chosen.kind === 'test') S.chosen = null;
  }

  function beginRunIfFresh() {
    if (!S.fresh) return;
    S.fresh = false;
    UI.setNote('');
  }

  /** Builds a network from the form's settings; false (with the reason shown) if it cannot. */
  async function configureFromForm() {
    var r = UI.readConfig();
    if (!r.ok) {
      UI.setNote('Fix the highlighted field first.');
      return false;
    }
    S.busy = true;
    try {
      await configure(r.config);
    } catch (e) {
      if (e.stage === 'config') showConfigError(e.message); else UI.setStatus(e.message, 'error');
      return false;
    } finally {
      S.busy = false;
    }
    beginRunIfFresh();
    return true;
  }

  async function onTrain() {
    var can = S.state === 'ready' || S.state === 'done' || (S.state === 'error' && S.recoverable);
    if (!can || S.busy || !S.dataReady) return;
    if (!(await configureFromForm())) return;
    post({ type: 'start' });
    setState('training');
    UI.setStatus('Training: ' + epochWords(null), 'info');
  }

  function onPause() {
    if (S.busy) return;
    if (S.state === 'training') {
      if (S.pausing) return;
      S.pausing = true;
      post({ type: 'pause' });
      UI.setStatus('Pausing…', 'info');
    } else if (S.state === 'paused') {
      if (S.stepping) return;
      post({ type: 'resume' });
      setState('training');
      UI.setNote('');
      UI.setStatus('Training: ' + epochWords(null), 'info');
    }
  }

  async function onStep() {
    if (S.busy || S.stepping || !S.dataReady) return;
    if (S.state === 'ready') {
      if (!(await configureFromForm())) return;
    } else if (S.state !== 'paused') {
      return;
    }
    S.stepping = true;
    post({ type: 'step' });
    UI.setStatus('Training one batch…', 'info');
  }

  async function onReset() {
    if (S.busy || !S.dataReady) return;
    var r = UI.readConfig();
    if (!r.ok) {
      UI.setNote('Fix the highlighted field, then press Reset again.');
      return;
    }
    S.busy = true;
    if (S.state === 'training') post({ type: 'pause' });
    S.ignoring = true;
    S.pausing = S.stepping = false;
    var key = UI.configKey(r.config);
    var msg = S.applied === key ? { type: 'reset' } : { type: 'configure', config: r.config };
    try {
      await request(msg, [], 'configured');
      S.applied = key;
      S.config = r.config;
      S.loadedArch = null;
      S.hasNet = true;
    } catch (e) {
      S.applied = '';
      S.fresh = false;
      S.ignoring = false;
      S.busy = false;
      setState('ready');
      if (e.stage === 'config') showConfigError(e.message); else UI.setStatus(e.message, 'error');
      return;
    }
    S.ignoring = false;
    S.busy = false;
    S.fresh = true;
    clearDisplay(r.config.epochs);
    UI.setNote('');
    setState('ready');
    UI.setStatus(readyText() + '. The network starts again from fresh weights.', 'ok');
  }

  function onHyper(h) {
    if ((S.state !== 'training' && S.state !== 'paused') || !S.worker) return;
    request({ type: 'set-hyper', hyper: h }, [], 'hyper').then(function (m) {
      UI.showHyper(m.hyper);
    }, function (e) {
      if (e.stage === 'config') showConfigError(e.message); else UI.setStatus(e.message, 'error');
    });
  }

  function onStructureChange(what) {
    if (S.state === 'training' || S.state === 'paused') {
      UI.setNote(what === 'preset'
        ? 'Preset filled in: press Reset to start a new network with it (changing the preset or the layers needs a Reset).'
        : 'Changes to the layers, the number of epochs or the seed take effect when you press Reset.');
    } else if (S.state === 'ready' && S.fresh) {
      // Nothing trained yet: show the new target right away (Train applies the rest).
      var epochs = UI.peekField('epochs');
      if (epochs) {
        UI.setTarget(epochs);
        chart.setXMax(epochs);
      }
    }
  }

  /* ---- looking inside: the drawing, a chosen test image, the matrix's cells ---------- */

  /** The dataset changed (UI.setDataset): the class names change with it. */
  function relabel() {
    Confusion.relabel();
    Inspect.showProbabilities(document.getElementById('draw-probabilities'), null);
    predictDrawing();
  }

  function canPredict() {
    return !!S.worker && S.dataReady && S.hasNet && !S.ignoring;
  }

  /** Asks the worker for one prediction; `done` gets the `prediction` message. */
  function predict(what, done) {
    var id = 'p' + (++S.predictSeq);
    S.predictWaiting[id] = done;
    post(Object.assign({ type: 'predict', id: id }, what));
  }

  function onPrediction(m) {
    var done = S.predictWaiting[m.id];
    delete S.predictWaiting[m.id];
    if (done && !S.ignoring) done(m);
  }

  var drawing = { inFlight: false, again: false };

  function onDrawingChange(pixels) {
    if (pixels) S.chosen = { kind: 'draw' };
    predictDrawing();
  }

  /** The drawing's probabilities (and activations, when it is the chosen input); one
   *  request in flight at a time, the latest drawing wins. */
  function predictDrawing() {
    var list = document.getElementById('draw-probabilities');
    var verdict = document.getElementById('draw-verdict');
    var pixels = pad ? pad.pixels() : null;
    if (!pixels) {
      Inspect.showProbabilities(list, null);
      list.setAttribute('data-strokes', '0');
      verdict.textContent = 'Draw a digit above.';
      return;
    }
    if (!canPredict()) {
      verdict.textContent = 'The network answers once the data is loaded.';
      return;
    }
    if (drawing.inFlight) {
      drawing.again = true;
      return;
    }
    drawing.inFlight = true;
    var strokes = pad.strokes().length;
    predict({ pixels: pixels }, function (m) {
      drawing.inFlight = false;
      if (pad.isEmpty()) { // cleared meanwhile: the answer is about a drawing that is gone
        drawing.again = false;
        predictDrawing();
        return;
      }
      Inspect.showProbabilities(list, m.probabilities);
      // which drawing the bars answer (tests wait for the last one); none while a newer one waits
      if (drawing.again) list.removeAttribute('data-strokes'); else list.setAttribute('data-strokes', String(strokes));
      var p = m.probabilities[m.predicted];
      var trained = S.last && (S.last.samples || 0) > 0;
      verdict.textContent = (trained || S.loadedArch ? 'The network says ' : 'The untrained network guesses ') +
        Inspect.className(m.predicted) + ' (' + (p * 100).toFixed(1) + '% sure).';
      if (S.chosen && S.chosen.kind === 'draw') {
        Inspect.showActivations({ title: 'Your drawing: predicted ' + Inspect.className(m.predicted) + ' (' +
          (p * 100).toFixed(1) + '%)', image: pixels, activations: m.activations });
      }
      if (drawing.again) {
        drawing.again = false;
        predictDrawing();
      }
    });
  }

  function pickTest(index) {
    S.chosen = { kind: 'test', index: index };
    showChosenTest();
    var box = document.getElementById('activations');
    if (box && box.scrollIntoView) box.closest('section').scrollIntoView({ block: 'nearest' });
  }

  function showChosenTest() {
    if (!canPredict() || !S.chosen || S.chosen.kind !== 'test') return;
    var index = S.chosen.index;
    predict({ index: index }, function (m) {
      if (!S.chosen || S.chosen.index !== index) return;
      var p = m.probabilities[m.predicted];
      Inspect.showActivations({
        title: 'Test image ' + fmt.int(index) + ' (' + Inspect.className(m.label) + '): predicted ' +
          Inspect.className(m.predicted) + ' (' + (p * 100).toFixed(1) + '%), ' + (m.label === m.predicted ? 'right' : 'wrong'),
        image: m.image, activations: m.activations
      });
    });
  }

  /** The network moved on: the drawing's bars and the chosen input's activations follow. */
  function refreshChosen(drawingOnly) {
    if (!canPredict()) return;
    if (pad && !pad.isEmpty()) predictDrawing();
    if (!drawingOnly) showChosenTest();
  }

  /* ---- model files and the browser's copy --------------------------------------------- */

  var MAX_MODEL_BYTES = 600 * 1024 * 1024; // above the largest network the core builds

  /** A model's fate matters wherever the user looks: in the model card and in #status. */
  function modelMessage(text, kind) {
    Models.setNote(text, kind);
    UI.setStatus(text, kind);
  }

  /** Makes the model in `buffer` the network; `what` names it in messages. */
  async function loadModelBytes(buffer, what) {
    if (!S.dataReady || S.busy) {
      Models.setNote('Load the data first: a model is checked against it.', 'warn');
      return false;
    }
    S.busy = true;
    var wasTraining = S.state === 'training';
    if (wasTraining) post({ type: 'pause' });
    S.ignoring = true;
    S.pausing = S.stepping = false;
    var m;
    try {
      m = await request({ type: 'load-model', bytes: buffer }, [buffer], 'configured');
    } catch (e) {
      S.ignoring = false;
      S.busy = false;
      if (wasTraining) setState('paused');
      // (the core names the file "model"; here it has its own name)
      modelMessage('Could not load ' + what + ': ' + String(e.message).replace(/^model: /, '').replace(/\.$/, '') +
        '. Nothing changed.', 'error');
      return false;
    }
    S.ignoring = false;
    S.busy = false;
    S.loadedArch = m.arch.slice();
    S.hasNet = true;
    S.fresh = true;
    S.applied = ''; // Train first applies the form's training settings to the loaded network
    UI.setFieldValue('arch', m.arch.slice(1, -1).join('-'));
    Settings.sync();
    var r = UI.readConfig(true);
    S.config = r.ok ? r.config : S.config;
    clearDisplay(r.ok ? r.config.epochs : (S.config ? S.config.epochs : 1));
    setState('ready');
    modelMessage('Loaded ' + what + ': a ' + m.arch.join('-') + ' network (' + fmt.int(m.parameters) +
      ' parameters). Train goes on from its weights; Reset starts afresh.', 'ok');
    return true;
  }

  async function loadModelFile(file) {
    if (file.size > MAX_MODEL_BYTES) {
      modelMessage('Could not load ' + file.name + ': at ' + fmt.bytes(file.size) +
        ' it is too large to be a model file. Nothing changed.', 'error');
      return;
    }
    var buffer;
    try {
      buffer = await file.arrayBuffer();
    } catch (e) {
      Models.setNote('Could not read ' + file.name + ': ' + e.message, 'error');
      return;
    }
    await loadModelBytes(buffer, file.name);
  }

  async function onDownload() {
    if (!S.hasNet) return;
    try {
      var m = await request({ type: 'save-model' }, [], 'model');
      var name = Models.download(m.bytes, m.arch, m.testAccuracy);
      Models.setNote('Downloaded ' + name + ' (' + fmt.bytes(m.bytes.length) + ').', 'ok');
    } catch (e) {
      Models.setNote('Could not save the model: ' + e.message, 'error');
    }
  }

  /** At a rest point: keeps the network in the browser (one copy per dataset). */
  function autoSave() {
    if (!S.hasNet || S.ignoring) return;
    var key = S.dataset;
    request({ type: 'save-model' }, [], 'model').then(function (m) {
      var record = { bytes: m.bytes.slice().buffer, arch: m.arch, testAccuracy: m.testAccuracy,
        savedAt: Date.now(), dataset: key, settings: Settings.current() };
      return Models.store.save(key, record).then(function () {
        if (key !== S.dataset) return;
        Models.showSaved(record);
        Models.setNote('Saved in this browser; it comes back when you open this page again.', 'ok');
      });
    }).catch(function (e) {
      Models.setNote('Not saved in this browser: ' + e.message + '.', 'warn');
    });
  }

  /** After the data is in: shows the saved model of this dataset, and restores it when the
   *  page has just opened (unless the address asked for a run of its own). */
  async function checkSaved(token) {
    var key = S.dataset;
    var record = null;
    try {
      record = await Models.store.load(key);
    } catch (e) {
      Models.showSaved(null);
      Models.setNote('Saving in this browser is not available: ' + e.message + '.', 'warn');
      return;
    }
    if (token !== S.loadToken) return;
    Models.showSaved(record);
    // only on arrival: after a switch of dataset the note promises a fresh network
    var first = !S.restoreChecked;
    S.restoreChecked = true;
    if (!record || !first || !linkAllows(record) || S.state !== 'ready') return;
    if (await loadModelBytes(record.bytes.slice(0), 'your saved model')) {
      modelMessage('Restored your ' + Models.describe(record).replace(/^Saved model/, 'saved model') +
        '. Train goes on from it; Reset starts a fresh network.', 'ok');
    }
  }

  /** A link that asks for other settings than the saved model's wants a run of its own. */
  function linkAllows(record) {
    var saved = record.settings || {};
    return Object.keys(S.linkValues).every(function (name) {
      return String(S.linkValues[name]).trim() === String(saved[name] == null ? '' : saved[name]).trim();
    });
  }

  async function onRestore() {
    try {
      var record = await Models.store.load(S.dataset);
      if (!record) {
        Models.showSaved(null);
        Models.setNote('There is no saved model any more.', 'warn');
        return;
      }
      await loadModelBytes(record.bytes.slice(0), 'your saved model');
    } catch (e) {
      Models.setNote('Could not read the saved model: ' + e.message + '.', 'error');
    }
  }

  async function onDeleteSaved() {
    try {
      await Models.store.remove(S.dataset);
      Models.showSaved(null);
      Models.setNote('Deleted the model saved in this browser.', 'ok');
    } catch (e) {
      Models.setNote('Could not delete the saved model: ' + e.message + '.', 'error');
    }
  }

  /** Dropped or picked files: a model file, or the four data files. */
  async function onFiles(files) {
    var m = Data.matchFiles(files);
    if (files.length === 1) {
      var idxName = m.missing.length < Data.FILES.length;
      if (await Models.looksLikeModel(files[0]) || !idxName) {
        loadModelFile(files[0]);
        return;
      }
    }
    if (m.missing.length) {
      // Say what is wrong, but keep what is loaded (and any run) as it is.
      Data.fromFiles(files).catch(function (e) { UI.setStatus(e.message, 'error'); });
      return;
    }
    loadFrom({ kind: 'files', files: files });
  }

  /* ---- start -------------------------------------------------------------------------- */

  function boot() {
    chart = ChartLib.create(document.getElementById('chart'));
    UI.init({
      onTrain: onTrain,
      onPause: onPause,
      onStep: onStep,
      onReset: onReset,
      onHyper: onHyper,
      onStructureChange: onStructureChange,
      onDataset: function (id) {
        loadFrom({ kind: 'url', dataset: id, baseUrl: currentBase() });
      },
      onDataUrl: function (url) {
        loadFrom({ kind: 'url', dataset: UI.datasetValue(), baseUrl: url });
      },
      onFiles: onFiles
    });
    Inspect.init({
      onPick: pickTest,
      onMistakesOrder: function () { if (S.hasNet) requestMistakes(); }
    });
    Confusion.init({
      onCell: function (label, predicted) { if (S.hasNet) requestCell(label, predicted); }
    });
    Models.init({ onDownload: onDownload, onUpload: loadModelFile, onRestore: onRestore, onDelete: onDeleteSaved });
    pad = Draw.create({
      canvas: document.getElementById('draw-pad'),
      preview: document.getElementById('draw-input'),
      onChange: onDrawingChange
    });
    document.getElementById('draw-clear').addEventListener('click', function () { pad.clear(); });
    Inspect.showProbabilities(document.getElementById('draw-probabilities'), null);

    // A link's settings (?preset=seed&lr=0.05...): fill them in before anything loads.
    var link = Settings.fromUrl();
    S.linkValues = link.values;
    var refused = Settings.apply(link.values);
    Settings.init();
    setState('loading');
    var epochs = UI.peekField('epochs');
    if (epochs) {
      UI.setTarget(epochs);
      chart.setXMax(epochs);
    }

    if (refused.length) {
      // shown once the data is in (loading clears the note)
      S.linkNote = 'The link asked for settings this page cannot use: ' +
        refused.map(function (r) { return r.name + ' (' + r.message + ')'; }).join('; ') + '.';
      UI.setNote(S.linkNote);
    }
    var q = Data.queryBase();
    if (q) UI.setDataUrl(q);

    var bundle = self.MNIST_BUNDLE;
    if (!bundle || typeof bundle.workerSource !== 'string' || !bundle.workerSource) {
      fail('init', MISSING_BUILD);
      return;
    }
    try {
      startWorker(bundle);
    } catch (e) {
      fail('init', e.message);
      return;
    }
    S.workerReady.catch(function (e) {
      fail('init', e.message === MISSING_BUILD ? e.message : 'The WebAssembly module could not start: ' + e.message);
    });
    loadFrom({ kind: 'url', dataset: UI.datasetValue(), baseUrl: q || currentBase() });
  }

  window.MnistApp = {
    state: function () { return S.state; },
    worker: function () { return S.worker; }
  };

  boot();
})();
