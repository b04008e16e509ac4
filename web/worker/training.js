/* training.js - the session's training loop: slices of training sized to about 40 ms,
 * the tests at each epoch's end, periodically and at the end (evaluation.js), divergence,
 * and the requests that drive it (start/resume, pause, step).
 *
 *   const training = createTraining(s)   s: the session's record (session.js)
 *   training.running()     training, and not only waiting for the run's last test
 *   training.slice()       one slice (jobs.js runs it when nothing else waits)
 *   training.start(m), training.pause(m), training.step(m)   the requests (m: the message answered)
 *   training.finishRun(request), training.stopOnError(error), training.reset() (a new network) */

import { SLICE_MS, FIRST_SLICE } from './jobs.js';
import { answer } from '../../common/protocol.js';

const now = () => performance.now();

export function createTraining(s) {
  const engine = s.engine;
  let sliceSamples = FIRST_SLICE; // adapted so a slice takes about SLICE_MS

  const running = () => s.state === 'training' && !s.awaitingLastTest;

  /** Samples until the target, respecting batch boundaries for an iteration limit. */
  function sliceLimit(maxSamples) {
    return Math.max(1, Math.min(maxSamples, s.figures.targetSamples() - (s.progress ? s.progress.samples : 0)));
  }

  /** Trains at most maxSamples samples; keeps the time and the samples/s window. */
  function trainSamples(maxSamples) {
    const t0 = now();
    const p = engine.step(maxSamples);
    const ms = now() - t0;
    s.figures.trained(ms, p.samples);
    s.tests.trained(ms);
    s.progress = p;
    if (p.epochEnded) s.epochStartSamples = p.samples;
    if (p.diverged) {
      s.state = 'diverged';
      s.post({ type: 'diverged', lr: p.lr, iteration: p.iterations + 1, message: `Training diverged at iteration ${p.iterations + 1}: the loss became NaN or infinite with learning rate ${p.lr}. Reset and try a smaller learning rate.` });
    }
    return ms;
  }

  function trainSlice() {
    const before = s.progress;
    const ms = trainSamples(sliceLimit(sliceSamples));
    sliceSamples = Math.max(1, Math.min(1 << 20, Math.round(sliceSamples * SLICE_MS / Math.max(ms, 1) * 0.5 + sliceSamples * 0.5)));
    const p = s.progress;
    if (p.diverged) {
      s.figures.send();
      return;
    }
    const reachedTarget = p.samples >= s.figures.targetSamples();
    if (p.epochEnded) { // (start() made sure a test set is loaded)
      s.tests.start(reachedTarget ? 'done' : 'epoch-end', { epochLoss: p.epochLoss, epochAccuracy: p.epochAccuracy });
    } else if (reachedTarget) {
      s.tests.start('done');
    } else if (before && s.tests.periodicDue()) {
      s.tests.start('periodic');
    }
    if (reachedTarget && s.jobs.idle && !s.awaitingLastTest) finishRun();
  }

  /** The run reached its target; request: the step that took it there, which `done` answers. */
  function finishRun(request = null) {
    s.state = 'done';
    const reason = s.config.iterations > 0 && s.progress.iterations >= s.config.iterations ? 'iterations' : 'epochs';
    s.figures.send();
    const { target, reached, tests, testSeconds } = s.tests.runFigures();
    s.post(answer(request, { type: 'done', reason, testAccuracy: s.tests.last ? s.tests.last.testAccuracy : null, elapsed: s.figures.elapsedNow(),
      target, reached, tests, testSeconds, trainSeconds: s.figures.trainMs / 1000 }));
  }

  /** Training failed (the core refused a step): it stops, and the page hears why. */
  function stopOnError(error) {
    if (s.state === 'training') s.state = 'paused';
    s.post({ type: 'error', stage: 'train', request: null, field: null, message: error && error.message ? error.message : String(error) });
  }

  /** Starts or resumes training; already training, the reply is its progress. */
  function start(m) {
    s.requireNetwork();
    s.requireSet('train');
    s.requireSet('test');
    if (s.state === 'training') {
      s.figures.send(m);
      return;
    }
    if (s.state === 'done' || s.state === 'diverged') s.network.rebuild(); // a new run from the start
    s.state = 'training';
    s.figures.reportSoon();
    s.tests.restartClock();
    s.figures.send(m);
    s.jobs.schedule();
  }

  /** Pauses training; when not training (or its last test runs), the reply is the progress as it stands. */
  function pause(m = null) {
    s.requireNetwork();
    if (!running()) {
      s.figures.send(m);
      return;
    }
    s.state = 'paused';
    s.figures.send();
    s.reply(m, { type: 'paused' });
  }

  /** One batch while not training (while training: the training stops, and the one `paused`
   *  is the step's): the rest of the current batch (a job: on the largest networks a batch
   *  takes seconds), then its test. */
  function step(m) {
    s.requireNetwork();
    s.requireSet('train');
    if (running()) s.state = 'paused';
    if (s.state === 'done' || s.state === 'diverged') s.network.rebuild();
    const p0 = s.progress ? s.progress.samples : 0;
    const inBatch = s.progress ? (p0 - s.epochStartSamples) - s.progress.epochSamples : 0;
    s.jobs.add({ kind: 'step', request: m }, Math.max(1, s.figures.batchSize() - inBatch), (first, count) => {
      if (s.state !== 'diverged') trainSamples(count);
    }, () => {
      if (s.state !== 'diverged') s.state = 'paused';
      if (s.state === 'paused' && s.progress.samples >= s.figures.targetSamples()) {
        // that batch ends the run: `done` follows its last test
        if (engine.count('test') > 0) s.tests.start('done', {}, m); else finishRun(m);
        return;
      }
      s.tests.start('step');
      s.figures.send();
      s.reply(m, { type: 'paused' });
    });
  }

  return {
    running,
    slice() {
      try { trainSlice(); } catch (error) { stopOnError(error); }
    },
    start,
    pause,
    step,
    finishRun,
    stopOnError,
    reset() { sliceSamples = FIRST_SLICE; },
  };
}
