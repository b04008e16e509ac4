/* session.js - the training session inside the worker: one network (through the
 * engine, engine.js) and its run: trains in short slices so that pause answers
 * within 100 ms and progress goes out at least 4 times a second, and answers the
 * requests of web/PROTOCOL.md.
 *
 *   const session = new MnistSession(engine, post, { tester, fail });   // post(message, transfer)
 *   session.handle(message);       // one well-formed request (requests.js); throws on a bad one
 *
 * The rest of the work is jobs that run in slices too, before any training (passes over
 * the test set: its tests, the classifications behind the mistakes and a confusion cell,
 * the preview's predictions; and a step's batch), so no network is too big for the worker
 * to answer within a slice. Requests that change the
 * network or need a pass (step, teach, evaluate, mistakes, cell, start, resume) wait in
 * order for the jobs underway; one that replaces the network or the test set
 * cancels them, and each cancelled request gets its error through
 * fail(type, error) (transport.js's, which also answers the errors handle throws).
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
  const JOB_PROGRESS_AFTER_MS = 500; // a pass over the test set longer than this reports how far it is
  const EVALUATE_EVERY_MS = 700;    // a test-set evaluation at most this often (plus every epoch end),
  const EVALUATION_SHARE = 0.15;    // and periodic ones at most this share of the time (a CNN's 10,000
                                    // test images cost as much as ~5,000 training samples)
  const FIRST_SLICE = 8;            // samples or test images in a new network's first slice (the largest networks
                                    // take ~10 ms a sample; the next slices size themselves from it)
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
    let jobs = [];              // work in slices before training, oldest first (addJob)
    let waiting = [];           // requests waiting for the jobs to end (WAIT_FOR_JOBS), oldest first
    let sliceSamples = FIRST_SLICE; // adapted so a slice takes about SLICE_MS
    let passChunk = FIRST_SLICE;    // likewise: test images per call in a pass
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
    const fail = options.fail || ((type, error) => { throw error; });

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
      cancelJobs('a new network replaced the one it was for');
      run = id;
      generation++;
      awaitingLastTest = false;
      config = c;
      state = 'idle';
      progress = null;
      epochStartSamples = 0;
      trainMs = elapsedMs = 0;
      sliceSamples = passChunk = FIRST_SLICE;
      rateSamples = [];
      paceSamples = [];
      trainMsSinceEval = lastEvalMs = 0;
      lastEvaluation = null;
      post(Object.assign({ type: 'configured', arch: result.arch, archText: result.archText, parameters: result.parameters,
        config: c }, extra));
      sendProgress();
      startEvaluation('configure'); // (the predictions follow it)
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

    // ---- jobs: tests, classifications, predictions (and a step, below), in slices ----------------
    /** A test of the network as it stands, for `reason` (`request`: the request it answers, if
     *  any); `epochStats` ({epochLoss, epochAccuracy}) when it closes an epoch. While training it
     *  runs in the background if a tester is there; otherwise it is a job. */
    function startEvaluation(reason, epochStats = {}, request = null) {
      if (engine.count('test') === 0) return;
      if (state === 'training' && tester && tester.usable()) {
        testInBackground(reason, epochStats);
        return;
      }
      const job = Object.assign({ kind: 'evaluation', reason, request, result: null }, epochStats);
      addJob(job, engine.count('test'), (first, count) => {
        // the core keeps the running totals; the first chunk starts them over
        job.result = engine.evaluate('test', first, count, { reset: first === 0 });
      }, () => finishEvaluation(job));
    }

    /** Classifies the whole test set as a job, then done({predicted, confidence}). */
    function classifyTest(request, done) {
      const n = engine.count('test');
      const predicted = new Uint8Array(n), confidence = new Float32Array(n);
      addJob({ kind: 'classification', request }, n, (first, count) => {
        const part = engine.classify('test', first, count);
        predicted.set(part.predicted, first);
        confidence.set(part.confidence, first);
      }, () => done({ predicted, confidence }));
    }

    /** A job: work(first, count) on items first..first+count-1 of `total`, in slices; then finish(). */
    function addJob(job, total, work, finish) {
      jobs.push(Object.assign(job, { total, work, finish, first: 0, ms: 0, startedAt: now(), reportedAt: now() }));
      schedule();
    }

    /** Drops every job; one that answers a request gets `why` as its error. Returns them. */
    function dropJobs(why) {
      const dropped = jobs;
      jobs = [];
      dropped.filter((job) => job.request).forEach((job) => fail(job.request, new Error(`cancelled: ${why}`)));
      return dropped;
    }

    /** Drops every job and waiting request, each with `why` as its error if it owes a reply. */
    function cancelJobs(why) {
      dropJobs(why);
      waiting.splice(0).forEach((m) => fail(m.type, new Error(`cancelled: ${why}`)));
    }

    /** The epoch's figures a test carries when it closes one (startEvaluation's epochStats), else none. */
    function epochStatsOf(job) {
      return job.epochLoss === undefined ? {} : { epochLoss: job.epochLoss, epochAccuracy: job.epochAccuracy };
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
    function testerFailed(jobsOwed) {
      for (const job of jobsOwed) {
        if (job.generation !== generation || job.reason === 'periodic') continue;
        awaitingLastTest = false;
        startEvaluation(job.reason, epochStatsOf(job));
      }
      schedule();
    }

    /** Runs the oldest job for about budgetMs; finishes it when its pass is complete. */
    function advanceJob(budgetMs) {
      const job = jobs[0], total = job.total;
      const t0 = now();
      while (job.first < total && now() - t0 < budgetMs) {
        const count = Math.min(passChunk, total - job.first);
        const c0 = now();
        job.work(job.first, count);
        const ms = now() - c0;
        job.first += count;
        passChunk = Math.max(1, Math.min(10000, Math.round(count * (SLICE_MS / 2) / Math.max(ms, 0.5))));
      }
      job.ms += now() - t0;
      if (job.first < total) {
        if (job.kind !== 'predictions' && now() - job.startedAt >= JOB_PROGRESS_AFTER_MS && now() - job.reportedAt >= PROGRESS_EVERY_MS) {
          job.reportedAt = now();
          post({ type: 'testing', kind: job.kind, reason: job.reason || job.request, done: job.first, total });
        }
        return;
      }
      jobs.shift();
      job.finish();
    }

    function finishEvaluation(job) {
      lastEvalAt = now();
      lastEvalMs = job.ms;
      trainMsSinceEval = 0;
      publishEvaluation(Object.assign(job, snapshot()), job.result, job.ms / 1000, false);
    }

    /** Reports a test of the network as it was at job.samples (job: snapshot() and the
     *  reason, with the epoch's figures when it closes one). A background test that comes
     *  back after a newer one (a step while paused) only adds its epoch's row; an
     *  `evaluate` request is answered whatever came before. */
    function publishEvaluation(job, result, seconds, background) {
      const evaluation = {
        type: 'evaluation', testAccuracy: result.accuracy, testLoss: result.loss, confusion: result.confusion,
        samples: job.samples, epochFloat: job.samples / (trainingSetSize() || 1), seconds, background,
      };
      if (!lastEvaluation || job.samples >= lastEvaluation.samples || job.request) {
        lastEvaluation = evaluation;
        post(evaluation);
        sendPredictions();
      }
      if (job.epochLoss !== undefined) { // the evaluation that closes an epoch (the last one too)
        post({ type: 'epoch-end', epoch: job.epoch, trainLoss: job.epochLoss, trainAccuracy: job.epochAccuracy, testAccuracy: evaluation.testAccuracy, testLoss: evaluation.testLoss });
      }
      if (job.reason === 'done') finishRun();
    }

    function choosePreviewIndices() {
      previewIndices.length = 0;
      const total = engine.count('test');
      // a fixed, spread-out sample of the test set (the same images all run long)
      for (let k = 0; k < Math.min(PREVIEW_COUNT, total); k++) previewIndices.push((k * 397 + 11) % total);
    }

    /** The preview images' predictions (a job: on the largest networks 24 of them take a while). */
    function sendPredictions() {
      if (engine.count('test') === 0 || !config || jobs.some((job) => job.kind === 'predictions')) return;
      if (previewIndices.length === 0) choosePreviewIndices();
      const indices = previewIndices.slice(), n = indices.length;
      const images = new Uint8Array(n * engine.rules.pixels);
      const labels = [], predicted = [], confidence = [];
      addJob({ kind: 'predictions' }, n, (first, count) => {
        for (let k = first; k < first + count; k++) { // (the class and its probability: no activations to copy out)
          const c = engine.classify('test', indices[k], 1), image = engine.image('test', indices[k]);
          images.set(image.pixels, k * engine.rules.pixels);
          labels.push(image.label);
          predicted.push(c.predicted[0]);
          confidence.push(c.confidence[0]);
        }
      }, () => post({ type: 'predictions', indices, images, labels, predicted, confidence }, [images.buffer]));
    }

    // ---- the training loop -------------------------------------------------------------------
    function schedule() {
      if (scheduled) return;
      scheduled = true;
      defer(runSlice);
    }

    const training = () => state === 'training' && !awaitingLastTest;

    /** One slice of work: the oldest job, else the oldest waiting request, else training. */
    function runSlice() {
      scheduled = false;
      const t0 = now();
      const wasTraining = training();
      if (jobs.length) {
        const job = jobs[0];
        try {
          advanceJob(SLICE_MS);
        } catch (error) { // (the core refused: a bug, or out of memory)
          if (jobs.includes(job)) jobs.splice(jobs.indexOf(job), 1);
          if (job.request) fail(job.request, error); else stopOnError(error);
        }
      } else if (waiting.length) {
        const m = waiting.shift();
        try { answer(m); } catch (error) { fail(m.type, error); }
      } else if (wasTraining) {
        try { trainSlice(); } catch (error) { stopOnError(error); }
      }
      if (wasTraining && state === 'training') {
        elapsedMs += now() - t0;
        if (progress) record(paceSamples, elapsedMs, progress.samples, PACE_WINDOW_MS);
        if (now() - lastProgressAt >= PROGRESS_EVERY_MS) sendProgress();
      }
      if (jobs.length || waiting.length || training()) schedule();
    }

    /** Training failed (the core refused a step): it stops, and the page hears why. */
    function stopOnError(error) {
      if (state === 'training') state = 'paused';
      post({ type: 'error', stage: 'train', request: null, field: null, message: error && error.message ? error.message : String(error) });
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
      if (reachedTarget && !jobs.length && !awaitingLastTest) finishRun();
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

    function requireSet(set) {
      if (engine.count(set) === 0) throw new Error(`no ${set === 'train' ? 'training' : 'test'} set loaded`);
    }

    /** Starts or resumes training; already training, the reply is its progress. */
    function start() {
      requireNetwork();
      requireSet('train');
      requireSet('test');
      if (state === 'training') {
        sendProgress();
        return;
      }
      if (state === 'done' || state === 'diverged') configure(config, run); // a new run from the start
      state = 'training';
      lastProgressAt = 0;
      lastEvalAt = now();
      sendProgress();
      schedule();
    }

    /** Pauses training; when not training (or its last test runs), the reply is the progress as it stands. */
    function pause() {
      requireNetwork();
      if (!training()) {
        sendProgress();
        return;
      }
      state = 'paused';
      sendProgress();
      post({ type: 'paused' });
    }

    /** One batch while not training: the rest of the current batch (a job: on the largest
     *  networks a batch takes seconds), then its test. */
    function stepOnce(m) {
      requireNetwork();
      requireSet('train');
      if (training()) pause();
      if (state === 'done' || state === 'diverged') configure(config, run);
      const p0 = progress ? progress.samples : 0;
      const inBatch = progress ? (p0 - epochStartSamples) - progress.epochSamples : 0;
      addJob({ kind: 'step', request: m.type }, Math.max(1, batchSize() - inBatch), (first, count) => {
        if (state !== 'diverged') trainSamples(count);
      }, () => {
        if (state !== 'diverged') state = 'paused';
        if (state === 'paused' && progress.samples >= targetSamples()) {
          // that batch ends the run: `done` follows its last test
          if (engine.count('test') > 0) startEvaluation('done'); else finishRun();
          return;
        }
        startEvaluation('step');
        sendProgress();
        post({ type: 'paused' });
      });
    }

    // ---- requests (PROTOCOL.md "Page → worker"; init is the transport's, the look-inside ones inspect.js's)
    const requests = Object.assign(MnistInspect(engine, post, { requireNetwork, requireSet, classifyTest }), {
      load(m) {
        // the passes over the old test set start over on the new one (one that answers a request: cancelled)
        const redo = m.set === 'test' ? dropJobs('the test set was replaced').filter((job) => job.kind === 'evaluation' && !job.request) : [];
        try {
          const r = engine.loadSet(m.set, new Uint8Array(m.images), new Uint8Array(m.labels), m.names || {});
          if (m.set === 'test') choosePreviewIndices();
          if (m.set === 'test' && tester) tester.loadTestSet(m.images, m.labels); // (the engine keeps a copy)
          if (m.set === 'train' && config) { progress = null; epochStartSamples = 0; }
          postMessage({ type: 'loaded', set: m.set, count: r.count });
        } finally {
          redo.forEach((job) => startEvaluation(job.reason, epochStatsOf(job)));
        }
      },
      configure(m) { configure(m.config, nextRun(m)); },
      start() { start(); },
      resume() { start(); },
      pause() { pause(); },
      step(m) { stepOnce(m); },
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
        if (training()) pause();
        // the loaded network trains on from here with the hyperparameters in force
        const result = engine.loadModel(new Uint8Array(m.bytes));
        // with no network before it, the rest of the settings are the core's default preset's
        const c = Object.assign({}, engine.rules.presets.default, config, engine.hyper, { arch: result.archText, preset: 'loaded' });
        delete c.description;
        delete c.expect;
        startOver(result, c, nextRun(m), { loaded: true });
      },
      evaluate(m) {
        requireNetwork();
        requireSet('test');
        startEvaluation('request', {}, m.type);
      },
      // about a text, not the network in place: no run id
      'describe-arch'(m) { postMessage({ type: 'arch-description', id: m.id, arch: m.arch, ...engine.describeArch(m.arch) }); },
      teach(m) {
        requireNetwork();
        const r = engine.teach(m.pixels, m.label);
        post({ type: 'taught', id: m.id, label: m.label, steps: r.steps, taught: r.taught, probabilities: r.probabilities,
          predicted: r.predicted, activations: r.activations, layers: r.layers });
        // what the lesson did to the test accuracy (while training, the next evaluation shows it)
        if (state !== 'training') startEvaluation('teach');
      },
      'taught-examples'(m) {
        requireNetwork();
        if (m.forget) engine.clearTaught();
        const list = engine.taught(), images = new Uint8Array(list.length * engine.rules.pixels);
        list.forEach((e, k) => images.set(e.pixels, k * engine.rules.pixels));
        post({ type: 'taught-examples', count: list.length, labels: list.map((e) => e.label), images }, [images.buffer]);
      },
    });

    function answer(m) {
      if (!Object.prototype.hasOwnProperty.call(requests, m.type)) throw new Error(`unknown request type '${m.type}'`);
      requests[m.type](m);
    }

    return {
      /** Answers one request (checked by requests.js); throws on a bad one. Those of
       *  WAIT_FOR_JOBS wait for the jobs underway. */
      handle(m) {
        if (WAIT_FOR_JOBS.includes(m.type) && (jobs.length > 0 || waiting.length > 0)) {
          waiting.push(m);
          schedule();
          return;
        }
        answer(m);
      },
      /** The id of the network in place. */
      get run() { return run; },
    };
  }

  // Requests that change the network's weights or make a pass over the test set: they wait for
  // the passes underway (which read the network as it stands), and keep their turn behind a
  // request that waits.
  const WAIT_FOR_JOBS = ['step', 'teach', 'evaluate', 'mistakes', 'cell', 'start', 'resume'];

  root.MnistSession = MnistSession;
})(typeof self !== 'undefined' ? self : globalThis);
