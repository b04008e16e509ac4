/* test-policy.js - when training should test the network on the test set between its epoch
 * ends (one job: the decision, a pure function of the run's history, so that it is proven
 * without timing). Besides it, every epoch's end and the run's end are tested (the
 * obligatory tests).
 *
 * With a target (the test accuracy the run watches for, a preset's `target`), the tests are
 * spent where they show it: while the best test so far is within NEAR of the target and
 * below it, the tests the budget affords are spread evenly from the last test to the run's
 * end (its obligatory tests among them), no closer than
 * NEAR_EVERY epoch; far from it, or once it is reached, only budget that watching the rest
 * of the run could not use is spent, at most every FAR_EVERY epoch. The budget: tests that
 * stop training (jobs, when there is no tester) take at most SHARE of the run's time, the
 * obligatory tests still to come included. With a tester worker, a test costs training
 * only the snapshot it is sent: near the target it tests whenever the tester is idle and
 * NEAR_EVERY epoch has passed; otherwise every EVERY_MS while it is idle.
 * Without a target: a test every EVERY_MS at most, periodic tests within LEGACY_SHARE.
 *
 *   nextTestDue(h) -> true when a periodic test should start now; h, the run's history:
 *     { target: accuracy or null, best: the best test accuracy of this run or null,
 *       samples: trained so far, lastSamples: at the last test, epochSize: samples an epoch,
 *       endSamples: the run's end, trainMs: training time of the run, testMs: time training
 *       stood still for its tests, testCost: ms the last test stopped training,
 *       sinceTestMs: wall time since the last test, trainSinceTestMs: training time since it,
 *       tester: null (tests are jobs) or { idle } }
 *   testsAffordable(h)   periodic tests the budget still allows (the obligatory ones kept)
 *   obligatoryTests(samples, endSamples, epochSize)   epoch ends and run end still to test
 *   POLICY               the constants above */

export const POLICY = Object.freeze({
  SHARE: 0.05,         // tests stop training at most this share of a run with a target
  NEAR: 0.01,          // "near": the best test within this of the target (a point)
  NEAR_EVERY: 0.1,     // epochs between tests near the target, at least
  FAR_EVERY: 0.5,      // epochs between tests far from it, at least
  EVERY_MS: 700,       // without a target, or with a tester far from it: at most this often
  LEGACY_SHARE: 0.15,  // without a target: periodic tests at most this share of the time
});

/** Epoch ends in (samples, endSamples], and the run's end when it is none. */
export function obligatoryTests(samples, endSamples, epochSize) {
  if (!(epochSize > 0) || !Number.isFinite(endSamples) || samples >= endSamples) return 0;
  const ends = Math.floor(endSamples / epochSize) - Math.floor(samples / epochSize);
  return ends + (endSamples % epochSize === 0 ? 0 : 1);
}

/** Periodic tests that fit the budget: SHARE of the run (its training time projected to its
 *  end, and the tests), less what its tests took and the obligatory tests to come. */
export function testsAffordable(h) {
  if (!(h.samples > 0) || !(h.trainMs > 0) || !(h.testCost > 0) || !Number.isFinite(h.endSamples)) return 0;
  const projectedTrainMs = h.trainMs * Math.max(1, h.endSamples / h.samples);
  const budgetMs = POLICY.SHARE / (1 - POLICY.SHARE) * projectedTrainMs;
  const obligatory = obligatoryTests(h.samples, h.endSamples, h.epochSize);
  return Math.max(0, Math.floor((budgetMs - h.testMs) / h.testCost) - obligatory);
}

/** Where the run stands against its target: 'near' (watching), 'far' or 'reached'. */
function standing(h) {
  if (h.best == null) return 'far';
  if (h.best >= h.target) return 'reached';
  return h.best >= h.target - POLICY.NEAR ? 'near' : 'far';
}

export function nextTestDue(h) {
  const epochs = (n) => n / h.epochSize;
  const gap = epochs(h.samples - h.lastSamples);
  if (h.target == null) {
    return h.sinceTestMs >= POLICY.EVERY_MS && (h.tester ? h.tester.idle
      : h.trainSinceTestMs >= h.testCost * (1 - POLICY.LEGACY_SHARE) / POLICY.LEGACY_SHARE);
  }
  const where = standing(h);
  if (h.tester) return h.tester.idle && (where === 'near' ? gap >= POLICY.NEAR_EVERY : h.sinceTestMs >= POLICY.EVERY_MS);
  // (a test right before an obligatory one shows nothing new)
  const nextObligatory = epochs(Math.min(h.endSamples, (Math.floor(h.samples / h.epochSize) + 1) * h.epochSize) - h.samples);
  const affordable = testsAffordable(h);
  if (affordable < 1 || nextObligatory < POLICY.NEAR_EVERY) return false;
  // the tests to come, evenly spaced from the last one to the run's end (the obligatory ones among them)
  const remaining = epochs(h.endSamples - h.samples), window = gap + remaining;
  const points = affordable + obligatoryTests(h.samples, h.endSamples, h.epochSize);
  if (where === 'near') return gap >= Math.max(POLICY.NEAR_EVERY, window / points);
  // far or reached: only what watching the rest (a test every NEAR_EVERY) would leave over
  const watching = where === 'far' ? Math.ceil(remaining / POLICY.NEAR_EVERY) : 0;
  return affordable > watching && gap >= Math.max(POLICY.FAR_EVERY, window / (points - watching));
}
