/* session.js - the training session inside the worker: one network (through the
 * engine, engine.js) and its run: trains in short slices so that pause answers
 * within 100 ms and progress goes out at least 4 times a second, evaluates the
 * test set between slices, and answers the requests of web/PROTOCOL.md.
 *
 *   const session = new MnistSession(engine, post, { tester });   // post(message, transfer)
 *   session.handle(message);                          // one request; throws on a bad one
 *
 * With `tester` (a MessagePort to a tester worker, tester.js), the test evaluations
 * while training run there, on snapshots of the network, and training goes on.
 *
 * transport.js receives the messages and turns a thrown Error into an `error`
 * reply. Every message about the network or its training carries `run`: the id
 * the page gave with the configure, reset or load-model that built it. */
'use strict';

(function (root) {
  const SLICE_MS = 40;              // target length of one training or evaluation slice
  const PROGRESS_EVERY_MS = 200;    // progress messages: 5 a second while training
  const EVALUATE_EVERY_MS = 700;    // a test-set evaluation at most this often (plus every epoch end),
  const EVALUATION_SHARE = 0.15;    // and periodic ones at most this share of the time (a CNN's 10,000
                                    // test images cost as much as ~5,000 training samples)
  const PREVIEW_COUNT = 24;         // test images shown with their predictions
  const RATE_WINDOW_MS = 1500;      // samples/s averaged over about this long
  const LAST_TEST_PATIENCE_MS = 20000; // a background test longer than this (plus 20 times the last one's time): the tester is gone
  const PACE_WINDOW_MS = 10000;     // time left: from the pace of training and evaluating over about this long
  const now = () => performance.now();

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

  function MnistSession(engine, postMessage, options = {}) {
    // ---- state ------------------------------------------------------------------
    let run = 0;                // the page's id of the network in place
    let config = null;          // as applied (PROTOCOL.md "config")
    let state = 'idle';         // idle | training | paused | done | diverged
    let progress = null;        // last progress from the engine
    let epochStartSamples = 0;  // samples trained when the current epoch began
    let evalJob = null;         // { first, reason, epochLoss?, epochAccuracy? }
    let sliceSamples = 256;     // adapted so a slice takes about SLICE_MS
    let evalChunk = 1000;       // likewise for evaluation
    let trainMs = 0;            // time spent inside engine.step
    let elapsedMs = 0;          // wall time while training
    let lastProgressAt = 0;
    let lastEvalAt = 0;
    let trainMsSinceEval = 0;   // training time since the last evaluation
    let lastEvalMs = 0;         // the work time of the last whole evaluation
    let lastEvaluation = null;
    let rateSamples = [];       // [training time, samples] pairs for samples/s
    let paceSamples = [];       // [wall time while training, samples] pairs for the time left
    let scheduled = false;
    let generation = 0;         // counts the networks put in place (a background test of an older one is dropped)
    let awaitingLastTest = false; // the run reached its target; its last test runs in the background
    const previewIndices = [];
    const tester = options.tester ? MnistTester.connect(options.tester, testedInBackground, testerFailed) : null;

    /** Posts a message about the network in place, stamped with its run id. */
    function post(message, transfer) {
      message.run = run;
      postMessage(message, transfer);
    }

    // ---- configuration -------------------------------------------------------------
    /** The run id a request asks for: its own `run`, or the next one. */
    function nextRun(m) {
      return Number.isInteger(m.run) ? m.run : run + 1;
    }

    /* A new network is in place (built or loaded): forget the last run, say so,
     * and show how the network does before any training. */
    function startOver(result, c, id, extra) {
      run = id;
      generation++;
      awaitingLastTest = false;
      config = c;
      state = 'idle';
      progress = null;
      epochStartSamples = 0;
      evalJob = null;
      trainMs = elapsedMs = 0;
      rateSamples = [];
      paceSamples = [];
      trainMsSinceEval = lastEvalMs = 0;
      lastEvaluation = null;
      post(Object.assign({ type: 'configured', arch: result.arch, archText: result.archText, parameters: result.parameters,
        config: c }, extra));
      sendProgress();
      if (engine.count('test') > 0) {
        evaluateNow('configure');
        sendPredictions();
      }
    }

    /** A fresh network from `input` (checked by the core: a bad setting throws naming its field). */
    function configure(input, id) {
      const result = engine.init(input);
      startOver(result, Object.assign({ preset: input.preset || 'custom' }, result.config), id, {});
    }

    // ---- progress ----------------------------------------------------------------------
    function trainingSetSize() { return engine.count('train'); }
    function batchSize() { return Math.min(config.batch, trainingSetSize()); }

    /** Samples per second over a window of [ms, samples] pairs (0 before two of them). */
    function rateOf(window) {
      if (window.length < 2) return 0;
      const [t0, s0] = window[0];
      const [t1, s1] = window[window.length - 1];
      return t1 > t0 ? ((s1 - s0) * 1000) / (t1 - t0) : 0;
    }

    /** Appends a [ms, samples] pair, keeping about `spanMs` of them. */
    function record(window, ms, samples, spanMs) {
      window.push([ms, samples]);
      while (window.length > 2 && window[window.length - 1][0] - window[0][0] > spanMs) window.shift();
    }

    /** Training speed: samples per second of training alone. */
    function samplesPerSecond() { return rateOf(rateSamples); }

    /** Seconds to the target at the pace of training with its evaluations, plus the last one. */
    function timeLeft(remaining) {
      const pace = rateOf(paceSamples) || samplesPerSecond();
      return pace > 0 && Number.isFinite(remaining) ? remaining / pace + lastEvalMs / 1000 : null;
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
      const remaining = Math.max(0, targetSamples() - p.samples);
      post({
        type: 'progress', state, epoch: p.epoch, epochs: config.epochs,
        epochProgress: Math.min(1, (p.samples - epochStartSamples) / n),
        iterations: p.iterations, iterationsTarget: config.iterations, samples: p.samples,
        // running figures exist once a batch of this epoch has completed
        samplesPerSecond: samplesPerSecond(), loss: p.epochSamples > 0 ? p.epochLoss : null,
        trainAccuracy: p.epochSamples > 0 ? p.epochAccuracy : null,
        batchLoss: p.batchLoss, lr: p.lr || config.lr, elapsed: elapsedMs / 1000, threads: engine.threads,
        eta: state === 'training' ? timeLeft(remaining) : null,
      });
    }

    // ---- evaluation and predictions ----------------------------------------------------------
    /** A test of the network as it stands, for `reason`; `epochStats` ({epochLoss, epochAccuracy})
     *  when it closes an epoch. While training it runs in the background if a tester is there. */
    function startEvaluation(reason, epochStats = {}) {
      if (engine.count('test') === 0) return;
      if (state === 'training' && tester && tester.usable()) {
        testInBackground(reason, epochStats);
        return;
      }
      evalJob = Object.assign({ first: 0, reason, result: null, ms: 0 }, epochStats);
    }

    function snapshot() {
      const p = progress || { samples: 0, epoch: 0 };
      return { generation, samples: p.samples, epoch: p.epoch };
    }

    function testInBackground(reason, epochStats) {
      tester.test(Object.assign({ reason }, epochStats, snapshot()), engine.saveModel());
      lastEvalAt = now();
      trainMsSinceEval = 0;
      if (reason !== 'done') return;
      awaitingLastTest = true; // the run ends when this test comes back
      const waitingFor = generation;
      setTimeout(() => {
        if (awaitingLastTest && generation === waitingFor) tester.abandon('the tester stopped answering');
      }, LAST_TEST_PATIENCE_MS + 20 * lastEvalMs);
    }

    function testedInBackground(job, result, seconds) {
      if (job.generation !== generation) return; // a network since replaced
      lastEvalMs = seconds * 1000;
      publishEvaluation(job, result, seconds, true);
    }

    /** The tester failed: the tests it still owed run here, on the network as it stands now. */
    function testerFailed(jobs) {
      for (const job of jobs) {
        if (job.generation !== generation || job.reason === 'periodic') continue;
        awaitingLastTest = false;
        evaluateNow(job.reason, job.epochLoss === undefined ? {} : { epochLoss: job.epochLoss, epochAccuracy: job.epochAccuracy });
      }
      if (state === 'training') schedule();
    }

    /** Evaluates the next chunk of the test set; true when the job is complete. */
    function advanceEvaluation(budgetMs) {
      const total = engine.count('test');
      const t0 = now();
      while (evalJob.first < total && now() - t0 < budgetMs) {
        const count = Math.min(evalChunk, total - evalJob.first);
        const c0 = now();
        // the core keeps the running totals; the first chunk starts them over
        evalJob.result = engine.evaluate('test', evalJob.first, count, { reset: evalJob.first === 0 });
        const ms = now() - c0;
        evalJob.first += count;
        evalChunk = Math.max(100, Math.min(10000, Math.round(count * (SLICE_MS / 2) / Math.max(ms, 0.5))));
      }
      evalJob.ms += now() - t0;
      return evalJob.first >= total;
    }

    function finishEvaluation() {
      const job = evalJob;
      evalJob = null;
      lastEvalAt = now();
      lastEvalMs = job.ms;
      trainMsSinceEval = 0;
      publishEvaluation(Object.assign(job, snapshot()), job.result, job.ms / 1000, false);
    }

    /** Reports a test of the network as it was at job.samples (job: snapshot() and the
     *  reason, with the epoch's figures when it closes one). A background test that comes
     *  back after a newer one (a step while paused) only adds its epoch's row. */
    function publishEvaluation(job, result, seconds, background) {
      const evaluation = {
        type: 'evaluation', testAccuracy: result.accuracy, testLoss: result.loss, confusion: result.confusion,
        samples: job.samples, epochFloat: job.samples / (trainingSetSize() || 1), seconds, background,
      };
      if (!lastEvaluation || job.samples >= lastEvaluation.samples) {
        lastEvaluation = evaluation;
        post(evaluation);
        sendPredictions();
      }
      if (job.epochLoss !== undefined) { // the evaluation that closes an epoch (the last one too)
        post({ type: 'epoch-end', epoch: job.epoch, trainLoss: job.epochLoss, trainAccuracy: job.epochAccuracy, testAccuracy: evaluation.testAccuracy, testLoss: evaluation.testLoss });
      }
      if (job.reason === 'done') finishRun();
    }

    function evaluateNow(reason, epochStats) {
      startEvaluation(reason, epochStats);
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
      const images = new Uint8Array(n * engine.rules.pixels);
      const labels = [], predicted = [], confidence = [];
      previewIndices.forEach((index, k) => {
        const p = engine.predictIndex('test', index);
        images.set(p.pixels, k * engine.rules.pixels);
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
      if (state !== 'training' || awaitingLastTest) return;
      const t0 = now();
      try {
        if (evalJob) {
          if (advanceEvaluation(SLICE_MS)) finishEvaluation();
        } else {
          trainSlice();
        }
      } catch (error) {
        state = 'paused';
        post({ type: 'error', stage: 'train', field: null, message: error && error.message ? error.message : String(error) });
      }
      if (state === 'training') {
        elapsedMs += now() - t0;
        if (progress) record(paceSamples, elapsedMs, progress.samples, PACE_WINDOW_MS);
      }
      if (state === 'training' && now() - lastProgressAt >= PROGRESS_EVERY_MS) sendProgress();
      if (state === 'training') schedule();
    }

    /** Samples until the target, respecting batch boundaries for an iteration limit. */
    function sliceLimit(maxSamples) {
      return Math.max(1, Math.min(maxSamples, targetSamples() - (progress ? progress.samples : 0)));
    }

    /** Trains at most maxSamples samples; keeps the time and the samples/s window. */
    function trainSamples(maxSamples) {
      const t0 = now();
      const p = engine.step(maxSamples);
      const ms = now() - t0;
      trainMs += ms;
      trainMsSinceEval += ms;
      record(rateSamples, trainMs, p.samples, RATE_WINDOW_MS);
      progress = p;
      if (p.epochEnded) epochStartSamples = p.samples;
      if (p.diverged) {
        state = 'diverged';
        post({ type: 'diverged', lr: p.lr, iteration: p.iterations + 1, message: `Training diverged at iteration ${p.iterations + 1}: the loss became NaN or infinite with learning rate ${p.lr}. Reset and try a smaller learning rate.` });
      }
      return ms;
    }

    function trainSlice() {
      const before = progress;
      const ms = trainSamples(sliceLimit(sliceSamples));
      sliceSamples = Math.max(1, Math.min(1 << 20, Math.round(sliceSamples * SLICE_MS / Math.max(ms, 1) * 0.5 + sliceSamples * 0.5)));
      const p = progress;
      if (p.diverged) {
        sendProgress();
        return;
      }
      const reachedTarget = p.samples >= targetSamples();
      if (p.epochEnded) { // (start() made sure a test set is loaded)
        startEvaluation(reachedTarget ? 'done' : 'epoch-end', { epochLoss: p.epochLoss, epochAccuracy: p.epochAccuracy });
      } else if (reachedTarget) {
        startEvaluation('done');
      } else if (before && now() - lastEvalAt >= EVALUATE_EVERY_MS && (tester && tester.usable() ? tester.idle
        : trainMsSinceEval >= lastEvalMs * (1 - EVALUATION_SHARE) / EVALUATION_SHARE)) {
        startEvaluation('periodic');
      }
      if (reachedTarget && !evalJob && !awaitingLastTest) finishRun();
    }

    function finishRun() {
      state = 'done';
      const reason = config.iterations > 0 && progress.iterations >= config.iterations ? 'iterations' : 'epochs';
      sendProgress();
      post({ type: 'done', reason, testAccuracy: lastEvaluation ? lastEvaluation.testAccuracy : null, elapsed: elapsedMs / 1000 });
    }

    function requireNetwork() {
      if (!config) throw new Error('configure a network first');
    }

    function start() {
      requireNetwork();
      if (engine.count('train') === 0) throw new Error('no training set loaded');
      if (engine.count('test') === 0) throw new Error('no test set loaded');
      if (state === 'done' || state === 'diverged') configure(config, run); // a new run from the start
      if (state === 'training') return;
      state = 'training';
      lastProgressAt = 0;
      lastEvalAt = now();
      sendProgress();
      schedule();
    }

    function pause() {
      if (state !== 'training' || awaitingLastTest) return; // (training is over: its last test runs)
      state = 'paused';
      sendProgress();
      post({ type: 'paused' });
    }

    /** One batch while not training: the rest of the current batch. */
    function stepOnce() {
      if (state === 'training') pause();
      if (state === 'done' || state === 'diverged') configure(config, run);
      const p0 = progress ? progress.samples : 0;
      const inBatch = progress ? (p0 - epochStartSamples) - progress.epochSamples : 0;
      trainSamples(Math.max(1, batchSize() - inBatch));
      if (state !== 'diverged') state = progress.samples >= targetSamples() ? 'done' : 'paused';
      evaluateNow('step');
      if (state === 'done') {
        finishRun();
      } else {
        sendProgress();
        post({ type: 'paused' });
      }
    }

    // ---- requests (PROTOCOL.md "Page → worker"; init is the transport's, the look-inside ones inspect.js's)
    const requests = Object.assign(MnistInspect(engine, post, requireNetwork), {
      load(m) {
        const r = engine.loadSet(m.set, new Uint8Array(m.images), new Uint8Array(m.labels), m.names || {});
        if (m.set === 'test') choosePreviewIndices();
        if (m.set === 'test' && tester) tester.loadTestSet(m.images, m.labels); // (the engine keeps a copy)
        if (m.set === 'train' && config) { progress = null; epochStartSamples = 0; }
        postMessage({ type: 'loaded', set: m.set, count: r.count });
      },
      configure(m) { configure(m.config, nextRun(m)); },
      start() { start(); },
      resume() { start(); },
      pause() { pause(); },
      step() { stepOnce(); },
      reset(m) { requireNetwork(); configure(config, nextRun(m)); },
      'set-hyper'(m) {
        requireNetwork();
        const hyper = engine.setHyper(m.hyper || {});
        config = Object.assign({}, config, hyper);
        post({ type: 'hyper', hyper });
      },
      'save-model'() {
        requireNetwork();
        const bytes = engine.saveModel();
        post({ type: 'model', bytes, arch: engine.arch(), archText: engine.archText(), testAccuracy: lastEvaluation ? lastEvaluation.testAccuracy : null,
          taught: engine.taughtCount() }, [bytes.buffer]);
      },
      'load-model'(m) {
        if (state === 'training') pause();
        // the loaded network trains on from here with the hyperparameters in force
        const result = engine.loadModel(new Uint8Array(m.bytes));
        // with no network before it, the rest of the settings are the core's default preset's
        const c = Object.assign({}, engine.rules.presets.default, config, engine.hyper, { arch: result.archText, preset: 'loaded' });
        delete c.description;
        delete c.expect;
        startOver(result, c, nextRun(m), { loaded: true });
      },
      evaluate() { requireNetwork(); evaluateNow('request'); },
      // about a text, not the network in place: no run id
      'describe-arch'(m) { postMessage({ type: 'arch-description', id: m.id, arch: m.arch, ...engine.describeArch(m.arch) }); },
      teach(m) {
        requireNetwork();
        const r = engine.teach(m.pixels, m.label);
        post({ type: 'taught', id: m.id, label: m.label, steps: r.steps, taught: r.taught, probabilities: r.probabilities,
          predicted: r.predicted, activations: r.activations, layers: r.layers });
        // what the lesson did to the test accuracy (while training, the next evaluation shows it)
        if (state !== 'training') evaluateNow('teach');
      },
      'taught-examples'(m) {
        requireNetwork();
        if (m.forget) engine.clearTaught();
        const list = engine.taught(), images = new Uint8Array(list.length * engine.rules.pixels);
        list.forEach((e, k) => images.set(e.pixels, k * engine.rules.pixels));
        post({ type: 'taught-examples', count: list.length, labels: list.map((e) => e.label), images }, [images.buffer]);
      },
    });

    return {
      /** Answers one request (m.type one of MnistSession.REQUESTS); throws on a bad one. */
      handle(m) { requests[m.type](m); },
      /** The id of the network in place. */
      get run() { return run; },
    };
  }

  MnistSession.REQUESTS = ['load', 'configure', 'start', 'resume', 'pause', 'step', 'reset', 'set-hyper',
    'predict', 'mistakes', 'cell', 'weights', 'save-model', 'load-model', 'evaluate', 'describe-arch', 'teach',
    'taught-examples'];

  root.MnistSession = MnistSession;
})(typeof self !== 'undefined' ? self : globalThis);
