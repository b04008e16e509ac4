/* figures.js - the run's figures and its `progress` message: the target in samples (epochs
 * or iterations, whichever comes first), samples per second, the time left, and a progress
 * report at least 4 times a second while training.
 *
 *   const figures = createFigures(s)   s: the session's record (session.js): s.engine,
 *                                      s.post, s.config, s.state, s.progress,
 *                                      s.epochStartSamples, s.tests.lastMs
 *   figures.send(request)              a `progress` message now (request: the one it answers, or none)
 *   figures.trained(ms, samples)       after engine.step: the training time and samples so far
 *   figures.beginSlice(t0), figures.afterSlice(t0)   around a slice while training: its wall
 *                                      time (the run's elapsed time), and progress if due
 *   figures.elapsed, figures.elapsedNow()   seconds of the run so far (now: the slice underway too)
 *   figures.trainMs                    ms spent training (inside engine.step) on this network
 *   figures.targetSamples(), figures.batchSize(), figures.reset() (a new network),
 *   figures.reportSoon() (the next slice sends progress) */

import { answer } from '../../common/protocol.js';

const PROGRESS_EVERY_MS = 200;    // progress messages: 5 a second while training
const RATE_WINDOW_MS = 1500;      // samples/s averaged over about this long
const PACE_WINDOW_MS = 10000;     // time left: from the pace of training and evaluating over about this long
const now = () => performance.now();

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

export function createFigures(s) {
  let trainMs = 0;            // time spent inside engine.step
  let elapsedMs = 0;          // wall time while training
  let lastProgressAt = 0;
  let sliceT0 = null;         // the start of the slice underway while training
  let rateSamples = [];       // [training time, samples] pairs for samples/s
  let paceSamples = [];       // [wall time while training, samples] pairs for the time left

  const trainingSetSize = () => s.engine.count('train');
  const batchSize = () => Math.min(s.config.batch, trainingSetSize());

  /** Training speed: samples per second of training alone. */
  const samplesPerSecond = () => rateOf(rateSamples);

  /** Seconds to the target at the pace of training with its evaluations, plus the last one. */
  function timeLeft(remaining) {
    const pace = rateOf(paceSamples) || samplesPerSecond();
    return pace > 0 && Number.isFinite(remaining) ? remaining / pace + s.tests.lastMs / 1000 : null;
  }

  function targetSamples() {
    const n = trainingSetSize(), config = s.config;
    const byEpochs = config.epochs > 0 ? config.epochs * n : Infinity;
    const perEpoch = Math.ceil(n / batchSize());
    // iterations -> samples: whole epochs of batches plus the rest
    const byIterations = config.iterations > 0
      ? Math.floor(config.iterations / perEpoch) * n + Math.min((config.iterations % perEpoch) * batchSize(), n)
      : Infinity;
    return Math.min(byEpochs, byIterations);
  }

  function send(request = null) {
    lastProgressAt = now();
    const config = s.config;
    const p = s.progress || { epoch: 0, iterations: 0, samples: 0, epochSamples: 0, epochLoss: 0, epochAccuracy: 0, batchLoss: 0, lr: config.lr };
    const n = trainingSetSize() || 1;
    const remaining = Math.max(0, targetSamples() - p.samples);
    s.post(answer(request, {
      type: 'progress', state: s.state, epoch: p.epoch, epochs: config.epochs,
      epochProgress: Math.min(1, (p.samples - s.epochStartSamples) / n),
      iterations: p.iterations, iterationsTarget: config.iterations, samples: p.samples,
      // running figures exist once a batch of this epoch has completed
      samplesPerSecond: samplesPerSecond(), loss: p.epochSamples > 0 ? p.epochLoss : null,
      trainAccuracy: p.epochSamples > 0 ? p.epochAccuracy : null,
      batchLoss: p.batchLoss, lr: p.lr || config.lr, elapsed: elapsedMs / 1000, threads: s.engine.threads,
      eta: s.state === 'training' ? timeLeft(remaining) : null,
    }));
  }

  return {
    send,
    targetSamples,
    batchSize,
    trainingSetSize,
    trained(ms, samples) {
      trainMs += ms;
      record(rateSamples, trainMs, samples, RATE_WINDOW_MS);
    },
    beginSlice(t0) { sliceT0 = t0; },
    afterSlice(t0) {
      sliceT0 = null;
      elapsedMs += now() - t0; // (the slice that ended the run too: its last test)
      if (s.state !== 'training') return;
      if (s.progress) record(paceSamples, elapsedMs, s.progress.samples, PACE_WINDOW_MS);
      if (now() - lastProgressAt >= PROGRESS_EVERY_MS) send();
    },
    get elapsed() { return elapsedMs / 1000; },
    elapsedNow: () => (elapsedMs + (sliceT0 === null ? 0 : now() - sliceT0)) / 1000,
    get trainMs() { return trainMs; },
    reportSoon() { lastProgressAt = 0; },
    reset() {
      trainMs = elapsedMs = 0;
      rateSamples = [];
      paceSamples = [];
    },
  };
}
