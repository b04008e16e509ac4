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
    last: null             // the latest progress message
  };
  var chart = null;

  /* ---- state -------------------------------------------------------------------- */

  function setState(s, opts) {
    opts = opts || {};
    S.state = s;
    S.recoverable = !!opts.recoverable;
    UI.setState(s, { recoverable: S.recoverable });
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
    if (head && m.type === 'error' && m.stage !== 'train') {
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
      case 'mistakes': if (!S.ignoring) Inspect.showMistakes(m); break;
      case 'error': onError(m); break;
      default: break; // configured/loaded/ready/prediction outside a request: nothing to do
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
    }
  }

  function onEvaluation(e) {
    if (S.ignoring) return;
    UI.showEvaluation(e);
    if (typeof e.epochFloat === 'number') chart.addPoint({ x: e.epochFloat, testAccuracy: e.testAccuracy });
    post({ type: 'weights', units: 64 }); // the detectors, as they stand at this evaluation
  }

  /** The mistakes gallery costs a pass over the test set: only at rest points. */
  function requestMistakes() {
    post({ type: 'mistakes', limit: 60 });
  }

  function onEpochEnd(e) {
    if (S.ignoring) return;
    requestMistakes();
    UI.showEpochEnd(e);
    chart.addPoint({ x: e.epoch, loss: e.trainLoss, trainAccuracy: e.trainAccuracy, testAccuracy: e.testAccuracy });
  }

  function onDone(d) {
    if (S.ignoring) return;
    requestMistakes();
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
    requestMistakes();
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
    return request({ type: 'configure', config: config }, [], 'configured').then(function (m) {
      S.applied = key;
      S.fresh = true;
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
    UI.setTarget(epochs);
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
        : 'Changes to the layers or the number of epochs take effect when you press Reset.');
    } else if (S.state === 'ready' && S.fresh) {
      // Nothing trained yet: show the new target right away (Train applies the rest).
      var epochs = UI.peekField('epochs');
      if (epochs) {
        UI.setTarget(epochs);
        chart.setXMax(epochs);
      }
    }
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
      onFiles: function (files) {
        var m = Data.matchFiles(files);
        if (m.missing.length) {
          // Say what is wrong, but keep what is loaded (and any run) as it is.
          Data.fromFiles(files).catch(function (e) { UI.setStatus(e.message, 'error'); });
          return;
        }
        loadFrom({ kind: 'files', files: files });
      }
    });
    setState('loading');
    var epochs = UI.peekField('epochs');
    if (epochs) {
      UI.setTarget(epochs);
      chart.setXMax(epochs);
    }

    var params = new URLSearchParams(location.search);
    var ds = params.get('dataset');
    if (ds && Data.DATASETS[ds]) UI.setDatasetSelect(ds);
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
