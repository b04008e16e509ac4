'use strict';
/**
 * When training tests between its epoch ends (web/worker/test-policy.js), on made-up
 * histories: the obligatory tests and the budget they leave, the tests spent near the
 * target and not far from it, the tester's and the targetless runs' rules; and whole runs
 * simulated slice by slice (a one-cycle-like accuracy curve, tests of a given cost), where
 * the tests stay within their share and the first one at or over the target comes soon
 * after the crossing when the budget allows.
 */

const assert = require('node:assert/strict');
const { test } = require('node:test');
const { nextTestDue, testsAffordable, obligatoryTests, POLICY } = require('../web/worker/test-policy.js');

const EPOCH = 60000;

/** A history at `epochs` trained of a 2-epoch run (2.5 s an epoch), with `more` changed. */
const history = (epochs, more = {}) => ({
  target: 0.99, best: 0.985, samples: Math.round(epochs * EPOCH), lastSamples: EPOCH, epochSize: EPOCH, endSamples: 2 * EPOCH,
  trainMs: epochs * 2500, testMs: 50, testCost: 50, sinceTestMs: 1000, trainSinceTestMs: 1000, tester: null, ...more,
});

test('test policy: the obligatory tests are the epoch ends and the run\'s end still to come', () => {
  assert.equal(obligatoryTests(0, 2 * EPOCH, EPOCH), 2);
  assert.equal(obligatoryTests(EPOCH, 2 * EPOCH, EPOCH), 1, 'the epoch just ended was tested');
  assert.equal(obligatoryTests(EPOCH + 1, 2 * EPOCH, EPOCH), 1);
  assert.equal(obligatoryTests(0, 1.5 * EPOCH, EPOCH), 2, 'an iteration limit: the epoch end and the run\'s end');
  assert.equal(obligatoryTests(2 * EPOCH, 2 * EPOCH, EPOCH), 0);
  assert.equal(obligatoryTests(0, Infinity, EPOCH), 0);
});

test('test policy: the budget is the share of the run projected to its end, less the tests taken and the obligatory ones', () => {
  // 5 s of training projected (2.5 s at mid-run): 5% of the run = 0.05 / 0.95 * 5000 = 263 ms
  assert.equal(testsAffordable(history(1, { testMs: 50, testCost: 50 })), 3); // floor(213 / 50) - 1
  assert.equal(testsAffordable(history(1, { testMs: 100, testCost: 100 })), 0); // floor(163 / 100) - 1
  assert.equal(testsAffordable(history(1.5, { testMs: 200, testCost: 50 })), 0, 'spent: one left, and the last test needs it');
  // nothing to go on: no test measured, nothing trained
  assert.equal(testsAffordable(history(1, { testCost: 0 })), 0);
  assert.equal(testsAffordable(history(0, { trainMs: 0 })), 0);
});

test('test policy: near the target the affordable tests are spread evenly to the run\'s end, no closer than a tenth of an epoch', () => {
  // at 1.0 (just tested) with 3 affordable and the last test to come: every 0.25 epoch
  const due = (epochs, more) => nextTestDue(history(epochs, more));
  assert.equal(due(1.2), false);
  assert.equal(due(1.25), true);
  // plenty of budget: every 0.1 epoch, not closer
  const cheap = { testCost: 5, testMs: 5 };
  assert.equal(due(1.09, cheap), false);
  assert.equal(due(1.1, cheap), true);
  // no budget: none
  assert.equal(due(1.5, { testCost: 100, testMs: 100 }), false);
  // never right before an obligatory test
  assert.equal(due(1.95, { testCost: 5, testMs: 5, lastSamples: 1.5 * EPOCH }), false);
});

test('test policy: far from the target only what watching the rest would leave over is spent; once reached, the rest of the budget', () => {
  const far = { best: 0.95 };
  assert.equal(nextTestDue(history(1.5, far)), false, 'far, 3 affordable: kept for watching');
  assert.equal(nextTestDue(history(1.5, { ...far, testCost: 1, testMs: 1 })), true, 'far with budget to spare: every half epoch');
  assert.equal(nextTestDue(history(1.4, { ...far, testCost: 1, testMs: 1 })), false);
  assert.equal(nextTestDue(history(1, { best: null, lastSamples: 0, testCost: 1, testMs: 1 })), true, 'no test yet counts as far');
  // reached: no reserve for watching, but at least half an epoch apart
  assert.equal(nextTestDue(history(1.45, { best: 0.992 })), false);
  assert.equal(nextTestDue(history(1.5, { best: 0.992 })), true);
});

test('test policy: with a tester, near the target a test whenever it is idle and a tenth of an epoch has passed; else every 0.7 s', () => {
  const idle = { tester: { idle: true } }, busy = { tester: { idle: false } };
  assert.equal(nextTestDue(history(1.1, { ...idle, testCost: 1e6 })), true, 'the tester\'s tests cost training no budget');
  assert.equal(nextTestDue(history(1.09, idle)), false);
  assert.equal(nextTestDue(history(1.1, busy)), false);
  assert.equal(nextTestDue(history(1.01, { ...idle, best: 0.95, sinceTestMs: POLICY.EVERY_MS })), true);
  assert.equal(nextTestDue(history(1.5, { ...idle, best: 0.95, sinceTestMs: POLICY.EVERY_MS - 1 })), false);
});

test('test policy: without a target, a test every 0.7 s at most, within 15% of the training time', () => {
  const none = { target: null, testCost: 150, trainSinceTestMs: 850 };
  assert.equal(nextTestDue(history(1.01, none)), true);
  assert.equal(nextTestDue(history(1.01, { ...none, trainSinceTestMs: 849 })), false);
  assert.equal(nextTestDue(history(1.01, { ...none, sinceTestMs: POLICY.EVERY_MS - 1 })), false);
  assert.equal(nextTestDue(history(1.01, { ...none, tester: { idle: true }, trainSinceTestMs: 0 })), true);
});

/** A run of `epochs` trained in slices of 1000 samples at epochMs an epoch, tested at every
 *  epoch's end and whenever the policy says, each test taking testCost ms of the training's
 *  time (none with a tester); accuracy(epoch) is the network's test accuracy then. */
function simulate({ epochs = 2, epochMs = 2500, testCost, accuracy, target = 0.99, tester = null }) {
  const end = epochs * EPOCH, msPerSample = epochMs / EPOCH;
  const run = { samples: 0, trainMs: 0, testMs: 0, lastSamples: 0, best: null, wall: 0, lastAt: 0, trainSince: 0 };
  const tests = [];
  const testNow = () => {
    const epoch = run.samples / EPOCH, acc = accuracy(epoch);
    if (!tester) { run.testMs += testCost; run.wall += testCost; }
    tests.push({ epoch, acc });
    run.best = Math.max(run.best || 0, acc);
    Object.assign(run, { lastSamples: run.samples, lastAt: run.wall, trainSince: 0 });
  };
  while (run.samples < end) {
    run.samples = Math.min(end, run.samples + 1000);
    for (const k of ['trainMs', 'wall', 'trainSince']) run[k] += 1000 * msPerSample;
    if (run.samples % EPOCH === 0 || run.samples === end) { testNow(); continue; }
    if (nextTestDue({ target, best: run.best, samples: run.samples, lastSamples: run.lastSamples, epochSize: EPOCH, endSamples: end,
      trainMs: run.trainMs, testMs: run.testMs, testCost, sinceTestMs: run.wall - run.lastAt, trainSinceTestMs: run.trainSince, tester })) testNow();
  }
  const first = tests.find((x) => x.acc >= target);
  let crossing = null;
  for (let s = 0; s <= end && crossing === null; s += 100) if (accuracy(s / EPOCH) >= target) crossing = s / EPOCH;
  return { tests: tests.map((x) => Number(x.epoch.toFixed(3))), share: run.testMs / (run.testMs + run.trainMs), reached: first ? first.epoch : null, crossing };
}

/** Rising to `final` at the end of `epochs`, fastest at first (as a one-cycle run's test accuracy). */
const rising = (final, epochs) => (e) => final - (final - 0.95) * (1 - e / epochs) ** 2;

test('test policy, whole runs: within the share, and the target seen soon after it is crossed when the budget allows', () => {
  // a test costs 4% of an epoch (a 5-second run on 2 cores): the budget holds the two obligatory tests only
  let r = simulate({ testCost: 100, accuracy: rising(0.9915, 2) });
  assert.deepEqual(r.tests, [1, 2]);
  assert.equal(r.reached, 2);
  assert.ok(r.share <= POLICY.SHARE, `share ${r.share}`);
  // 2.4% of an epoch: two more, spread over the second epoch, the target seen at the next one after it is crossed
  r = simulate({ testCost: 60, accuracy: rising(0.9915, 2) });
  assert.deepEqual(r.tests, [1, 1.333, 1.667, 2]);
  assert.ok(r.crossing > 4 / 3 && Math.abs(r.reached - 5 / 3) < 1e-9, `crossed at ${r.crossing}, seen at ${r.reached}`);
  assert.ok(r.share <= POLICY.SHARE, `share ${r.share}`);
  // cheap tests: every 0.15 epoch from the first epoch's end (near from then on), none after the target is seen
  r = simulate({ testCost: 30, accuracy: rising(0.992, 2) });
  assert.deepEqual(r.tests, [1, 1.15, 1.3, 1.45, 1.6, 2]);
  assert.ok(r.reached - r.crossing <= 0.15, `crossed at ${r.crossing}, seen at ${r.reached}`);
  assert.ok(r.share <= POLICY.SHARE, `share ${r.share}`);
  // far all run long (never within a point): the epoch ends, and late, when watching the rest
  // would take less than the budget left, one more
  r = simulate({ testCost: 30, accuracy: () => 0.9, epochs: 3 });
  assert.deepEqual(r.tests, [1, 2, 2.5, 3]);
  assert.equal(r.reached, null);
  // with a tester: every tenth of an epoch once near, whatever a test costs
  r = simulate({ testCost: 1000, accuracy: rising(0.992, 2), tester: { idle: true } });
  assert.ok(r.reached - r.crossing <= POLICY.NEAR_EVERY + 1e-9, `crossed at ${r.crossing}, seen at ${r.reached}`);
  assert.equal(r.share, 0);
});

const { startWorker } = require('./worker-helpers');

test('worker: a run with a target says which test first reached it (epoch, time), and what its tests cost; a bad target is refused', async (t) => {
  const w = startWorker(t);
  const ready = await w.init(1);
  await w.loadMnist();
  // the default preset, two epochs: past 95% at the first epoch's end
  const config = { ...ready.rules.presets.default, epochs: 2, target: 0.95 };
  for (const [target, wanted] of [[2, /must be a fraction from 0 to 1/], [-0.5, /must be a fraction/], ['high', /must be a fraction/]]) {
    const since = w.messages.length;
    w.send({ type: 'configure', config: { ...config, target } });
    const error = await w.waitFor('error', () => true, 60000, since);
    assert.deepEqual([error.stage, error.field], ['config', 'target']);
    assert.match(error.message, wanted);
  }
  w.send({ type: 'configure', config });
  await w.waitFor('configured');
  await w.waitFor('evaluation');
  const since = w.messages.length;
  w.send({ type: 'start' });
  const done = await w.waitFor('done', () => true, 300000, since);
  const evaluations = w.messages.slice(since).filter((m) => m.type === 'evaluation');
  const first = evaluations.find((e) => e.testAccuracy >= config.target);
  assert.ok(first, 'the run passes its target');
  assert.deepEqual(evaluations.map((e) => e.reached), evaluations.map((e) => e === first), 'only the first test at or over it is marked');
  assert.equal(done.target, config.target);
  assert.deepEqual(done.reached, { testAccuracy: first.testAccuracy, epoch: first.epochFloat, elapsed: first.elapsed });
  assert.ok(first.epochFloat > 0 && first.epochFloat <= 1 && first !== evaluations[evaluations.length - 1]);
  assert.ok(first.elapsed > 0 && first.elapsed <= done.elapsed);
  for (let k = 1; k < evaluations.length; k++) assert.ok(evaluations[k].elapsed >= evaluations[k - 1].elapsed, 'the run\'s time goes on');
  assert.equal(done.tests, evaluations.length, 'every test while training counted');
  assert.ok(done.testSeconds > 0 && done.trainSeconds > 0);
  assert.ok(done.testSeconds + done.trainSeconds <= done.elapsed + 1e-9, 'both within the run\'s time');
  t.diagnostic(`default, 2 epochs, target 95%: ${done.tests} tests, reached at epoch ${first.epochFloat.toFixed(3)} ` +
    `(${first.elapsed.toFixed(2)} s); tests ${(100 * done.testSeconds / (done.testSeconds + done.trainSeconds)).toFixed(1)}% of the run`);

  // no target (0, or none): nothing reached, nothing named
  w.send({ type: 'configure', config: { ...config, target: 0 } });
  await w.waitFor('configured', () => true, 60000, w.messages.length);
  const again = w.messages.length;
  w.send({ type: 'start' });
  const plain = await w.waitFor('done', () => true, 300000, again);
  assert.deepEqual([plain.target, plain.reached], [null, null]);
  assert.ok(w.messages.slice(again).filter((m) => m.type === 'evaluation').every((e) => e.reached === false));
});
