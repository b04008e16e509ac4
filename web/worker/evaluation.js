/* evaluation.js - the session's tests of the network on the test set and the preview's
 * predictions: a test runs as a job in slices (jobs.js) or, while training with a tester
 * worker (tester.js), in the background on a snapshot of the network while training goes
 * on; each ends in an `evaluation` message (and `epoch-end` when it closes an epoch, the
 * run's end when it is the last), followed by the preview's `predictions`. When training
 * tests between epoch ends is test-policy.js's choice; here, the run's figures it needs:
 * the best test, when the target (s.target) was first reached, and what the tests cost.
 *
 *   const tests = createEvaluation(s, testerPort)   s: the session's record (session.js)
 *   tests.start(reason, epochStats, request)  a test for `reason` ('configure', 'step',
 *                              'periodic', 'epoch-end', 'done', 'teach', 'request');
 *                              epochStats {epochLoss, epochAccuracy} when it closes an epoch;
 *                              request: the request message it answers ('request': its
 *                              `evaluation`; 'done': the run's `done`, a step's), if any
 *   tests.classify(request, done({predicted, confidence}))   the whole test set: the last
 *                              test's per-image results while they describe the network
 *                              (or training goes on from it), else a pass, as a job
 *   tests.networkChanged()     the weights changed outside training (a lesson): those are stale
 *   tests.periodicDue()        whether training should test now (test-policy.js)
 *   tests.trained(ms)          training time since the last test
 *   tests.runFigures()         { target, reached: {testAccuracy, epoch, elapsed} or null,
 *                              tests, testSeconds }: the run's tests so far and the time
 *                              they stopped training (the snapshots, for the tester's)
 *   tests.testSetLoaded(images, labels)   a new test set (the tester gets its own copy)
 *   tests.redo(jobs)           the tests among dropped jobs, started over
 *   tests.last, tests.lastMs, tests.reset() (a new network), tests.restartClock() */

import * as Tester from './tester.js';
import { nextTestDue } from './test-policy.js';
import { answer } from '../../common/protocol.js';

const PREVIEW_COUNT = 24;         // test images shown with their predictions
const LAST_TEST_PATIENCE_MS = 20000; // a background test longer than this (plus 20 times the last one's time): the tester is gone
const now = () => performance.now();

/** The epoch's figures a test carries when it closes one (start's epochStats), else none. */
const epochStatsOf = (job) => (job.epochLoss === undefined ? {} : { epochLoss: job.epochLoss, epochAccuracy: job.epochAccuracy });

export function createEvaluation(s, testerPort) {
  const engine = s.engine;
  let lastEvalAt = 0;
  let trainMsSinceEval = 0;   // training time since the last evaluation
  let lastEvalMs = 0;         // the work time of the last whole evaluation
  let lastEvaluation = null;
  let lastTestSamples = 0;    // the samples trained when the last test took its network
  let lastImages = null;      // the latest test's per-image results: {generation, samples, predicted, confidence}
  let run = null;             // this run's tests: {best, reached, tests, stillMs} (newRun)
  const previewIndices = [];
  const tester = testerPort ? Tester.connect(testerPort, testedInBackground, testerFailed) : null;

  const newRun = () => ({ best: null, reached: null, tests: 0, stillMs: 0 });
  run = newRun();

  /** A test of the network as it stands, for `reason` (`request`: the request it answers, if
   *  any). While training it runs in the background if a tester is there; otherwise it is a job. */
  function start(reason, epochStats = {}, request = null) {
    if (engine.count('test') === 0) return;
    const duringRun = s.state === 'training';
    lastTestSamples = s.progress ? s.progress.samples : 0;
    if (duringRun && tester && tester.usable()) {
      const t0 = now();
      testInBackground(reason, epochStats);
      run.stillMs += now() - t0; // (training stood still for the snapshot only)
      return;
    }
    const job = Object.assign({ kind: 'evaluation', reason, request, result: null, duringRun }, epochStats, snapshot());
    s.jobs.add(job, engine.count('test'), (first, count) => {
      // the core keeps the running totals; the first chunk starts them over
      job.result = engine.evaluate('test', first, count, { reset: first === 0, images: true });
    }, () => {
      keepImages(job, engine.evaluatedImages('test'));
      finish(job);
    });
  }

  /** A test's per-image results, if it is the latest test of the network in place. */
  function keepImages(job, images) {
    if (!images || job.generation !== s.generation || (lastImages && lastImages.generation === job.generation && lastImages.samples > job.samples)) return;
    lastImages = { generation: job.generation, samples: job.samples, ...images };
  }

  /** The whole test set's classes and probabilities, then done({predicted, confidence}):
   *  the last test's, if it tested the network in place (while training: the network the
   *  run goes on from; the galleries then show the mistakes of that test, which its
   *  confusion matrix counts), else a pass over the test set, as a job. */
  function classify(request, done) {
    const samples = s.progress ? s.progress.samples : 0;
    if (lastImages && lastImages.generation === s.generation && (lastImages.samples === samples || s.state === 'training')) {
      done({ predicted: lastImages.predicted, confidence: lastImages.confidence });
      return;
    }
    const n = engine.count('test');
    const predicted = new Uint8Array(n), confidence = new Float32Array(n);
    s.jobs.add({ kind: 'classification', request }, n, (first, count) => {
      const part = engine.classify('test', first, count);
      predicted.set(part.predicted, first);
      confidence.set(part.confidence, first);
    }, () => done({ predicted, confidence }));
  }

  /** The network a test takes: which, how far trained, and when in the run. */
  function snapshot() {
    const p = s.progress || { samples: 0, epoch: 0 };
    return { generation: s.generation, samples: p.samples, epoch: p.epoch, elapsed: s.figures.elapsedNow() };
  }

  function testInBackground(reason, epochStats) {
    tester.test(Object.assign({ reason, duringRun: true }, epochStats, snapshot()), engine.saveModel());
    lastEvalAt = now();
    trainMsSinceEval = 0;
    if (reason !== 'done') return;
    s.awaitingLastTest = true; // the run ends when this test comes back
    const waitingFor = s.generation;
    setTimeout(() => {
      if (s.awaitingLastTest && s.generation === waitingFor) tester.abandon('the tester stopped answering');
    }, LAST_TEST_PATIENCE_MS + 20 * lastEvalMs);
  }

  function testedInBackground(job, result, seconds, images) {
    if (job.generation !== s.generation) return; // a network since replaced
    lastEvalMs = seconds * 1000;
    keepImages(job, images);
    publish(job, result, seconds, true);
  }

  /** The tester failed: the tests it still owed run here, on the network as it stands now. */
  function testerFailed(jobsOwed) {
    for (const job of jobsOwed) {
      if (job.generation !== s.generation || job.reason === 'periodic') continue;
      s.awaitingLastTest = false;
      start(job.reason, epochStatsOf(job));
    }
    s.jobs.schedule();
  }

  function finish(job) {
    lastEvalAt = now();
    lastEvalMs = job.ms;
    trainMsSinceEval = 0;
    if (job.duringRun && job.reason !== 'done') run.stillMs += job.ms; // (the run's last test follows its training)
    publish(job, job.result, job.ms / 1000, false);
  }

  /** Counts the run's tests; keeps its best, and the first at or over its target (the
   *  evaluation says so: true). */
  function judge(job, accuracy, epoch) {
    if (job.duringRun) run.tests++;
    if (job.samples === 0) return false;
    run.best = Math.max(run.best == null ? 0 : run.best, accuracy);
    if (s.target == null || run.reached || accuracy < s.target) return false;
    run.reached = { testAccuracy: accuracy, epoch, elapsed: job.elapsed };
    return true;
  }

  /** Reports a test of the network as it was at job.samples (job: snapshot() and the
   *  reason, with the epoch's figures when it closes one). A background test that comes
   *  back after a newer one (a step while paused) only adds its epoch's row; an
   *  `evaluate` request is answered whatever came before. */
  function publish(job, result, seconds, background) {
    const epochFloat = job.samples / (s.figures.trainingSetSize() || 1);
    const evaluation = {
      type: 'evaluation', testAccuracy: result.accuracy, testLoss: result.loss, confusion: result.confusion,
      samples: job.samples, epochFloat, elapsed: job.elapsed, seconds, background, reached: judge(job, result.accuracy, epochFloat),
    };
    if (!lastEvaluation || job.samples >= lastEvaluation.samples || job.request) {
      lastEvaluation = evaluation;
      s.post(job.reason === 'request' ? answer(job.request, evaluation) : evaluation);
      sendPredictions();
    }
    if (job.epochLoss !== undefined) { // the evaluation that closes an epoch (the last one too)
      s.post({ type: 'epoch-end', epoch: job.epoch, trainLoss: job.epochLoss, trainAccuracy: job.epochAccuracy, testAccuracy: evaluation.testAccuracy, testLoss: evaluation.testLoss });
    }
    if (job.reason === 'done') s.training.finishRun(job.request);
  }

  function choosePreviewIndices() {
    previewIndices.length = 0;
    const total = engine.count('test');
    // a fixed, spread-out sample of the test set (the same images all run long)
    for (let k = 0; k < Math.min(PREVIEW_COUNT, total); k++) previewIndices.push((k * 397 + 11) % total);
  }

  /** The preview images' predictions (a job: on the largest networks 24 of them take a while). */
  function sendPredictions() {
    if (engine.count('test') === 0 || !s.config || s.jobs.has('predictions')) return;
    if (previewIndices.length === 0) choosePreviewIndices();
    const indices = previewIndices.slice(), n = indices.length, pixels = engine.rules.pixels;
    const images = new Uint8Array(n * pixels);
    const labels = [], predicted = [], confidence = [];
    const job = { kind: 'predictions', duringRun: s.state === 'training' }; // (the preview is part of a test's cost)
    s.jobs.add(job, n, (first, count) => {
      for (let k = first; k < first + count; k++) { // (the class and its probability: no activations to copy out)
        const c = engine.classify('test', indices[k], 1), image = engine.image('test', indices[k]);
        images.set(image.pixels, k * pixels);
        labels.push(image.label);
        predicted.push(c.predicted[0]);
        confidence.push(c.confidence[0]);
      }
    }, () => {
      if (job.duringRun) run.stillMs += job.ms;
      s.post({ type: 'predictions', indices, images, labels, predicted, confidence }, [images.buffer]);
    });
  }

  return {
    start,
    classify,
    periodicDue() {
      return nextTestDue({
        target: s.target, best: run.best, samples: s.progress ? s.progress.samples : 0, lastSamples: lastTestSamples,
        epochSize: s.figures.trainingSetSize(), endSamples: s.figures.targetSamples(), trainMs: s.figures.trainMs,
        testMs: run.stillMs, testCost: lastEvalMs, sinceTestMs: now() - lastEvalAt, trainSinceTestMs: trainMsSinceEval,
        tester: tester && tester.usable() ? { idle: tester.idle } : null,
      });
    },
    trained(ms) { trainMsSinceEval += ms; },
    runFigures: () => ({ target: s.target, reached: run.reached, tests: run.tests, testSeconds: run.stillMs / 1000 }),
    testSetLoaded(images, labels) {
      choosePreviewIndices();
      lastImages = null;
      if (tester) tester.loadTestSet(images, labels); // (the engine keeps a copy)
    },
    redo(dropped) {
      dropped.filter((job) => job.kind === 'evaluation' && !job.request).forEach((job) => start(job.reason, epochStatsOf(job)));
    },
    get last() { return lastEvaluation; },
    get lastMs() { return lastEvalMs; },
    networkChanged() { lastImages = null; },
    reset() {
      trainMsSinceEval = lastEvalMs = lastTestSamples = 0;
      lastEvaluation = null;
      lastImages = null;
      run = newRun();
    },
    restartClock() { lastEvalAt = now(); },
  };
}
