/* worker.js - the trainer's Web Worker: owns the WebAssembly engine, trains in
 * short slices so that pause answers within 100 ms and progress goes out at
 * least 4 times a second, and speaks the protocol of web/PROTOCOL.md.
 *
 * The build prepends js/engine.js (MnistEngine) to this file to make the
 * worker's source (web/build/bundle.js). The same source runs in Node's
 * worker_threads for the tests. */
'use strict';

(function () {
  const SLICE_MS = 40;              // target length of one training or evaluation slice
  const PROGRESS_EVERY_MS = 200;    // progress messages: 5 a second while training
  const EVALUATE_EVERY_MS = 700;    // a test-set evaluation this often (plus every epoch end)
  const PREVIEW_COUNT = 24;         // test images shown with their predictions
  const RATE_WINDOW_MS = 1500;      // samples/s averaged over about this long

  // ---- transport: a browser worker, or a Node worker thread in the tests ----
  const port = (typeof importScripts === 'function' || typeof WorkerGlobalScope !== 'undefined')
    ? { post: (m, t) => self.postMessage(m, t || []), listen: (fn) => { self.onmessage = (e) => fn(e.data); } }
    : (() => {
      const { parentPort } = require('node:worker_threads');
      return { post: (m, t) => parentPort.postMessage(m, t || []), listen: (fn) => parentPort.on('message', fn) };
    })();
  const post = (message, transfer) => port.post(message, transfer);
  const now = () => performance.now();

  // ---- state ------------------------------------------------------------------
  let engine = null;
  let config = null;          // as applied (PROTOCOL.md "config")
  let state = 'idle';         // idle | training | paused | done | diverged
  let progress = null;        // last progress from the engine
  let epochStartSamples = 0;  // samples trained when the current epoch began
  let evalJob = null;         // { first, correct, count, lossSum, confusion, reason }
  let sliceSamples = 256;     // adapted so a slice takes about SLICE_MS
  let evalChunk = 1000;       // likewise for evaluation
  let trainMs = 0;            // time spent inside engine.train
  let elapsedMs = 0;          // wall time while training
  let lastProgressAt = 0;
  let lastEvalAt = 0;
  let lastEvaluation = null;
  let rateSamples = [];       // [time, samples] pairs for samples/s
  const previewIndices = [];
  // Runs the next slice after the messages already queued (pause must get
  // through): a MessageChannel task in browsers (setTimeout would add its 4 ms
  // clamp to every slice); setImmediate in Node, whose MessagePort drains its
  // own queue before anything else.
  const defer = typeof setImmediate === 'function' ? setImmediate : (() => {
    const channel = new MessageChannel();
    let callback = null;
    channel.port1.onmessage = () => callback();
    return (fn) => { callback = fn; channel.port2.postMessage(null); };
  })();
  let scheduled = false;

  function fail(stage, error) {
    post({ type: 'error', stage, message: error && error.message ? error.message : String(error) });
  }

  // ---- configuration -------------------------------------------------------------
  const NUMBER_FIELDS = {
    seed: [0, 4294967295, true], batch: [1, 1000000, true], lr: [0, 100, false],
    momentum: [0, 0.999999, false], weightDecay: [0, 0.999999, false], lrDecay: [1e-9, 1, false],
    epochs: [0, 100000, true], iterations: [0, 100000000, true],
  };

  const FIELD_WORDS = {
    seed: 'seed', batch: 'batch size', lr: 'learning rate', momentum: 'momentum',
    weightDecay: 'weight decay', lrDecay: 'learning-rate decay', epochs: 'epochs', iterations: 'iterations',
  };

  function checkNumber(name, value) {
    const [min, max, integer] = NUMBER_FIELDS[name];
    const ok = typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max &&
      (!integer || Number.isInteger(value)) && !(name === 'lr' && value === 0);
    if (!ok) {
      const range = name === 'lr' ? 'above 0 and at most 100' : `from ${min} to ${max}`;
      throw new Error(`${name}: ${FIELD_WORDS[name]} must be ${integer ? 'a whole number' : 'a number'} ${range}, not ${JSON.stringify(value)}`);
    }
    return value;
  }

  function normaliseConfig(input) {
    const c = Object.assign({ preset: 'custom', init: 'he', seed: 1, weightDecay: 0, lrDecay: 1, momentum: 0, epochs: 1, iterations: 0 }, input);
    for (const name of Object.keys(NUMBER_FIELDS)) checkNumber(name, c[name]);
    if (c.epochs === 0 && c.iterations === 0) throw new Error('set epochs or iterations (at least one above 0)');
    return c;
  }

  function hyperOf(c) {
    return { batch: c.batch, lr: c.lr, momentum: c.momentum, weightDecay: c.weightDecay, lrDecay: c.lrDecay };
  }

  /* A new network is in place (built or loaded): forget the last run, say so,
   * and show how the network does before any training. */
  function startOver(result, c, extra) {
    config = c;
    state = 'idle';
    progress = null;
    epochStartSamples = 0;
    evalJob = null;
    trainMs = elapsedMs = 0;
    rateSamples = [];
    lastEvaluation = null;
    post(Object.assign({ type: 'configured', arch: result.arch, parameters: result.parameters, config: c }, extra));
    sendProgress();
    if (engine.count('test') > 0) {
      evaluateNow('configure');
      sendPredictions();
    }
  }

  function configure(input) {
    const c = normaliseConfig(input);
    startOver(engine.init(c), c, {});
  }

  // ---- progress ----------------------------------------------------------------------
  function trainingSetSize() { return engine.count('train'); }
  function batchSize() { return Math.min(config.batch, trainingSetSize()); }

  function samplesPerSecond() {
    if (rateSamples.length < 2) return 0;
    const [t0, s0] = rateSamples[0];
    const [t1, s1] = rateSamples[rateSamples.length - 1];
    return t1 > t0 ? ((s1 - s0) * 1000) / (t1 - t0) : 0;
  }

  function targetSamples() {
    const n = trainingSetSize();
    const byEpochs = config.epochs > 0 ? config.epochs * n : Infinity;
    const perEpoch = Math.ceil(n / batchSize());
    // iterations -> samples: whole epochs of batches plus the rest
    const byIterations = config.iterations > 0
      ? Math.floor(config.iterations / perEpoch) * n + Math.min((config.iterations % perEpoch) * batchSize(), n)
      : Infinity;
    return Math.min(byEpochs, byIterations);
  }

  function sendProgress() {
    lastProgressAt = now();
    const p = progress || { epoch: 0, iterations: 0, samples: 0, epochSamples: 0, epochLoss: 0, epochAccuracy: 0, batchLoss: 0, lr: config.lr };
    const n = trainingSetSize() || 1;
    const rate = samplesPerSecond();
    const remaining = Math.max(0, targetSamples() - p.samples);
    post({
      type: 'progress', state, epoch: p.epoch, epochs: config.epochs,
      epochProgress: Math.min(1, (p.samples - epochStartSamples) / n),
      iterations: p.iterations, iterationsTarget: config.iterations, samples: p.samples,
      // running figures exist once a batch of this epoch has completed
      samplesPerSecond: rate, loss: p.epochSamples > 0 ? p.epochLoss : null,
      trainAccuracy: p.epochSamples > 0 ? p.epochAccuracy : null,
      batchLoss: p.batchLoss, lr: p.lr || config.lr, elapsed: elapsedMs / 1000, threads: engine.threads,
      eta: state === 'training' && rate > 0 && Number.isFinite(remaining) ? remaining / rate : null,
    });
  }

  // ---- evaluation and predictions ----------------------------------------------------------
  function startEvaluation(reason) {
    if (engine.count('test') === 0) return;
    evalJob = { first: 0, totals: null, reason }; // totals: the core's running ones
  }

  /** Evaluates the next chunk of the test set; true when the job is complete. */
  function advanceEvaluation(budgetMs) {
    const total = engine.count('test');
    const t0 = now();
    while (evalJob.first < total && now() - t0 < budgetMs) {
      const count = Math.min(evalChunk, total - evalJob.first);
      const c0 = now();
      evalJob.totals = engine.evaluate('test', evalJob.first, count, { reset: evalJob.first === 0 });
      const ms = now() - c0;
      evalJob.first += count;
      evalChunk = Math.max(100, Math.min(10000, Math.round(count * (SLICE_MS / 2) / Math.max(ms, 0.5))));
    }
    return evalJob.first >= total;
  }

  function finishEvaluation() {
    const job = evalJob;
    evalJob = null;
    lastEvalAt = now();
    const p = progress || { samples: 0, epochLoss: 0, epochAccuracy: 0, epoch: 0 };
    lastEvaluation = {
      type: 'evaluation', testAccuracy: job.totals.accuracy, testLoss: job.totals.loss,
      confusion: job.totals.confusion, samples: p.samples, epochFloat: p.samples / (trainingSetSize() || 1),
    };
    post(lastEvaluation);
    sendPredictions();
    if (job.epochLoss !== undefined) { // the evaluation that closes an epoch (the last one too)
      post({ type: 'epoch-end', epoch: p.epoch, trainLoss: job.epochLoss, trainAccuracy: job.epochAccuracy, testAccuracy: lastEvaluation.testAccuracy, testLoss: lastEvaluation.testLoss });
    }
    if (job.reason === 'done') finishRun();
  }

  function evaluateNow(reason) {
    startEvaluation(reason);
    if (!evalJob) return;
    while (!advanceEvaluation(Infinity));
    finishEvaluation();
  }

  function choosePreviewIndices() {
    previewIndices.length = 0;
    const total = engine.count('test');
    // a fixed, spread-out sample of the test set (the same images all run long)
    for (let k = 0; k < Math.min(PREVIEW_COUNT, total); k++) previewIndices.push((k * 397 + 11) % total);
  }

  function sendPredictions() {
    if (engine.count('test') === 0 || !config) return;
    if (previewIndices.length === 0) choosePreviewIndices();
    const n = previewIndices.length;
    const images = new Uint8Array(n * 784);
    const labels = [], predicted = [], confidence = [];
    previewIndices.forEach((index, k) => {
      const p = engine.predictIndex('test', index);
      images.set(engine.image('test', index).pixels, k * 784);
      labels.push(p.label);
      predicted.push(p.predicted);
      confidence.push(p.confidence);
    });
    post({ type: 'predictions', indices: previewIndices.slice(), images, labels, predicted, confidence }, [images.buffer]);
  }

  // ---- the training loop -------------------------------------------------------------------
  function schedule() {
    if (scheduled) return;
    scheduled = true;
    defer(runSlice);
  }

  function runSlice() {
    scheduled = false;
    if (state !== 'training') return;
    const t0 = now();
    try {
      if (evalJob) {
        if (advanceEvaluation(SLICE_MS)) finishEvaluation();
      } else {
        trainSlice();
      }
    } catch (error) {
      state = 'paused';
      fail('train', error);
    }
    if (state === 'training') elapsedMs += now() - t0;
    if (state === 'training' && now() - lastProgressAt >= PROGRESS_EVERY_MS) sendProgress();
    if (state === 'training') schedule();
  }

  /** Samples until the target, respecting batch boundaries for an iteration limit. */
  function sliceLimit(maxSamples) {
    return Math.max(1, Math.min(maxSamples, targetSamples() - (progress ? progress.samples : 0)));
  }

  function trainSlice() {
    const t0 = now();
    const p = engine.step(sliceLimit(sliceSamples));
    const ms = now() - t0;
    trainMs += ms;
    sliceSamples = Math.max(1, Math.min(1 << 20, Math.round(sliceSamples * SLICE_MS / Math.max(ms, 1) * 0.5 + sliceSamples * 0.5)));
    const before = progress;
    progress = p;
    rateSamples.push([trainMs, p.samples]);
    while (rateSamples.length > 2 && rateSamples[rateSamples.length - 1][0] - rateSamples[0][0] > RATE_WINDOW_MS) rateSamples.shift();
    if (p.diverged) {
      state = 'diverged';
      post({ type: 'diverged', lr: p.lr, iteration: p.iterations + 1, message: `Training diverged at iteration ${p.iterations + 1}: the loss became NaN or infinite with learning rate ${p.lr}. Reset and try a smaller learning rate.` });
      sendProgress();
      return;
    }
    const reachedTarget = p.samples >= targetSamples();
    if (p.epochEnded) {
      epochStartSamples = p.samples;
      startEvaluation(reachedTarget ? 'done' : 'epoch-end');
      evalJob.epochLoss = p.epochLoss; // start() made sure a test set is loaded
      evalJob.epochAccuracy = p.epochAccuracy;
    } else if (reachedTarget) {
      startEvaluation('done');
    } else if (now() - lastEvalAt >= EVALUATE_EVERY_MS && before) {
      startEvaluation('periodic');
    }
    if (reachedTarget && !evalJob) finishRun();
  }

  function finishRun() {
    state = 'done';
    const reason = config.iterations > 0 && progress.iterations >= config.iterations ? 'iterations' : 'epochs';
    sendProgress();
    post({ type: 'done', reason, testAccuracy: lastEvaluation ? lastEvaluation.testAccuracy : null, elapsed: elapsedMs / 1000 });
  }

  function start() {
    if (!config) throw new Error('configure a network first');
    if (engine.count('train') === 0) throw new Error('no training set loaded');
    if (engine.count('test') === 0) throw new Error('no test set loaded');
    if (state === 'done' || state === 'diverged') configure(config); // a new run from the start
    if (state === 'training') return;
    state = 'training';
    lastProgressAt = 0;
    lastEvalAt = now();
    sendProgress();
    schedule();
  }

  function pause() {
    if (state !== 'training') return;
    state = 'paused';
    sendProgress();
    post({ type: 'paused' });
  }

  /** One batch while not training: the rest of the current batch. */
  function stepOnce() {
    if (state === 'training') pause();
    if (state === 'done' || state === 'diverged') configure(config);
    const p0 = progress ? progress.samples : 0;
    const inBatch = progress ? (p0 - epochStartSamples) - progress.epochSamples : 0;
    const t0 = now();
    const p = engine.step(Math.max(1, batchSize() - inBatch));
    trainMs += now() - t0;
    progress = p;
    if (p.epochEnded) epochStartSamples = p.samples;
    if (p.diverged) {
      state = 'diverged';
      post({ type: 'diverged', lr: p.lr, iteration: p.iterations + 1, message: `Training diverged at iteration ${p.iterations + 1}: the loss became NaN or infinite with learning rate ${p.lr}. Reset and try a smaller learning rate.` });
    } else {
      state = p.samples >= targetSamples() ? 'done' : 'paused';
    }
    evaluateNow('step');
    if (state === 'done') {
      finishRun();
    } else {
      sendProgress();
      post({ type: 'paused' });
    }
  }

  // ---- messages --------------------------------------------------------------------------------
  function checkClass(name, value) {
    if (!Number.isInteger(value) || value < 0 || value > 9) throw new Error(`${name} must be a class from 0 to 9, not ${value}`);
    return value;
  }

  /** The test images whose (label, predicted) pass `keep`, classified by the network as it
   *  stands: the most confident first (order 'least': the least), at most `limit` of them
   *  with their pixels. */
  function gallery(keep, order, limit) {
    if (!config) throw new Error('configure a network first');
    const { predicted, confidence } = engine.classify('test');
    const labels = engine.labels('test');
    const chosen = [];
    for (let i = 0; i < predicted.length; i++) {
      if (keep(labels[i], predicted[i])) chosen.push({ index: i, label: labels[i], predicted: predicted[i], confidence: confidence[i] });
    }
    const sign = order === 'least' ? -1 : 1;
    chosen.sort((a, b) => sign * (b.confidence - a.confidence) || a.index - b.index);
    const items = chosen.slice(0, Math.max(0, Math.min(limit == null ? 60 : Number(limit) || 0, 1000)));
    const images = new Uint8Array(items.length * 784);
    items.forEach((w, k) => images.set(engine.image('test', w.index).pixels, k * 784));
    return { order: sign < 0 ? 'least' : 'most', total: chosen.length, items, images };
  }

  const handlers = {
    async init(m) {
      let threadError = null;
      try {
        engine = await MnistEngine.create(m.wasm, {
          threads: m.threads || 1, threadedWasm: m.wasmThreads, onThreadError: (e) => { threadError = e.message; },
        });
      } catch (error) {
        throw new Error(`This browser cannot run the trainer's WebAssembly module (it needs WebAssembly SIMD): ${error.message}`);
      }
      post({ type: 'ready', simd: true, version: 1, threads: engine.threads, threadError });
    },
    load(m) {
      const r = engine.loadSet(m.set, new Uint8Array(m.images), new Uint8Array(m.labels), m.names || {});
      if (m.set === 'test') choosePreviewIndices();
      if (m.set === 'train' && config) { progress = null; epochStartSamples = 0; }
      post({ type: 'loaded', set: m.set, count: r.count });
    },
    configure(m) { configure(m.config); },
    start() { start(); },
    resume() { start(); },
    pause() { pause(); },
    step() { stepOnce(); },
    reset() { if (!config) throw new Error('configure a network first'); configure(config); },
    'set-hyper'(m) {
      if (!config) throw new Error('configure a network first');
      const next = Object.assign({}, config, m.hyper);
      for (const name of ['batch', 'lr', 'momentum', 'weightDecay', 'lrDecay']) checkNumber(name, next[name]);
      if (m.hyper && 'epochs' in m.hyper && checkNumber('epochs', next.epochs) === 0) throw new Error('epochs: set at least 1');
      engine.setHyper(hyperOf(next));
      config = next;
      post({ type: 'hyper', hyper: Object.assign(hyperOf(config), { epochs: config.epochs }) });
    },
    predict(m) {
      if (!config) throw new Error('configure a network first');
      const r = m.pixels ? engine.predict(m.pixels) : engine.predictIndex('test', m.index);
      post({
        type: 'prediction', id: m.id, probabilities: r.probabilities, predicted: r.predicted,
        label: r.label === undefined ? null : r.label, activations: r.activations,
        image: m.pixels ? null : r.pixels,
      });
    },
    mistakes(m) {
      const g = gallery((label, predicted) => label !== predicted, m.order, m.limit);
      post({ type: 'mistakes', order: g.order, total: g.total, items: g.items, images: g.images }, [g.images.buffer]);
    },
    cell(m) {
      const label = checkClass('label', m.label);
      const predicted = checkClass('predicted', m.predicted);
      const g = gallery((l, p) => l === label && p === predicted, m.order, m.limit);
      post({ type: 'cell', label, predicted, order: g.order, total: g.total, items: g.items, images: g.images }, [g.images.buffer]);
    },
    weights(m) {
      if (!config) throw new Error('configure a network first');
      const values = engine.firstLayerWeights(m.units || 64);
      post({ type: 'weights', units: values.length / 784, values }, [values.buffer]);
    },
    'save-model'() {
      if (!config) throw new Error('configure a network first');
      const bytes = engine.saveModel();
      post({ type: 'model', bytes, arch: engine.arch(), testAccuracy: lastEvaluation ? lastEvaluation.testAccuracy : null }, [bytes.buffer]);
    },
    'load-model'(m) {
      if (state === 'training') pause();
      const result = engine.loadModel(new Uint8Array(m.bytes));
      // the loaded network trains on from here with the hyperparameters in force
      const c = Object.assign({}, config || normaliseConfig({ batch: 64, lr: 0.1, epochs: 1 }), { arch: result.arch, preset: 'loaded' });
      engine.setHyper(hyperOf(c));
      startOver(result, c, { loaded: true });
    },
    evaluate() { evaluateNow('request'); },
  };

  const STAGES = {
    init: 'init', load: 'data', configure: 'config', 'set-hyper': 'config', reset: 'config',
    'load-model': 'model', 'save-model': 'model', predict: 'inspect', mistakes: 'inspect', cell: 'inspect', weights: 'inspect',
  };

  port.listen(async (message) => {
    const handler = message && handlers[message.type];
    if (!handler) {
      fail('train', new Error(`unknown message type '${message && message.type}'`));
      return;
    }
    if (!engine && message.type !== 'init') {
      fail(STAGES[message.type] || 'train', new Error('the WebAssembly module is not ready yet'));
      return;
    }
    try {
      await handler(message);
    } catch (error) {
      fail(STAGES[message.type] || 'train', error);
    }
  });
})();
