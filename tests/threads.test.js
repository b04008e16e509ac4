'use strict';
/**
 * The threads of the WebAssembly engine (web/worker/engine-threads.js): how many pay on a
 * machine of N cores (threadsFor, the cap's one home); the same bits on 3 and 4 threads as
 * on one (Node starts more threads than this machine has cores: the cap is told of 8); and
 * the choice between one thread and all of them: probes of the other setting, spaced out
 * while they keep confirming the setting in use.
 */

const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { test } = require('node:test');
const { ThreadChoice, threadsFor, cap } = require('../web/worker/engine-threads.js');
const { ROOT, WASM_PATH, MnistEngine, DEFAULT, mnistSet } = require('./helpers');

const THREADED_PATH = path.join(ROOT, 'web', 'build', 'mnist-mt.wasm');

test('threads: every core up to 4, then one left to the page, at most 8', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6, 8, 9, 12, 64].map(threadsFor), [1, 2, 3, 4, 4, 5, 7, 8, 8, 8]);
  assert.equal(threadsFor(0), 1);
  assert.equal(threadsFor(NaN), 1);
});

test('threads: 3 and 4 threads give the same bits as 1 (a CNN with shifts, 20 batches; default, 60)', async (t) => {
  const real = os.availableParallelism;
  os.availableParallelism = () => 8; // the cap reads the cores here: a machine with more of them
  t.after(() => { os.availableParallelism = real; });
  assert.equal(cap(4), 4);
  const one = fs.readFileSync(WASM_PATH), threaded = fs.readFileSync(THREADED_PATH);
  const train = mnistSet('train'), testSet = mnistSet('t10k');
  const probe = await MnistEngine.create(one);
  const { cnn } = probe.rules.presets;
  probe.destroy();
  for (const [config, iterations] of [[{ ...cnn, shift: 2 }, 20], [DEFAULT, 60]]) {
    const models = new Map();
    for (const threads of [1, 3, 4]) {
      const errors = [];
      const engine = await MnistEngine.create(one, { threads, threadedWasm: threaded, onThreadError: (e) => errors.push(e), probeThreads: false });
      assert.deepEqual(errors, []);
      assert.equal(engine.threads, threads);
      engine.loadSet('train', new Uint8Array(train.images), new Uint8Array(train.labels));
      engine.loadSet('test', new Uint8Array(testSet.images), new Uint8Array(testSet.labels));
      engine.init(config);
      let p = { iterations: 0, samples: 0 };
      while (p.iterations < iterations) p = engine.step(Math.min(3000, iterations * config.batch - p.samples)); // slices that cut batches
      models.set(threads, Buffer.from(engine.saveModel()));
      engine.destroy();
    }
    for (const threads of [3, 4]) assert.ok(models.get(threads).equals(models.get(1)), `${config.arch}: ${threads} threads and 1 differ`);
  }
});

/** Runs `slices` slices at `rate(threads)` samples per ms; returns the slices at which a
 *  probe began and the thread count at the end. */
function simulate(choice, slices, rate, threads = 2, max = 2) {
  const probes = [];
  for (let k = 0; k < slices; k++) {
    choice.record(threads, rate(threads, k) * 40, 40);
    const next = choice.next(threads, max);
    if (next && next !== threads && choice.probe > 0) probes.push(k);
    if (next) threads = next;
  }
  return { probes, threads };
}

test('threads: probes of one thread grow rarer while two stay faster (30, 60, 120, then every 240 slices)', () => {
  const { probes, threads } = simulate(new ThreadChoice(), 1200, (n) => (n === 2 ? 2 : 1));
  assert.equal(threads, 2);
  const gaps = probes.slice(1).map((k, i) => k - probes[i]);
  assert.deepEqual(gaps.slice(0, 4), [63, 123, 243, 243]); // each gap: the wait, plus the probe's 3 slices
  assert.ok(gaps.every((g) => g <= 243));
});

test('threads: when another program takes a core, one thread wins the next probe and probes start over', () => {
  const busyFrom = 500;
  const { probes, threads } = simulate(new ThreadChoice(), 900, (n, k) => (k < busyFrom ? (n === 2 ? 2 : 1) : (n === 2 ? 0.5 : 1)));
  assert.equal(threads, 1, 'one thread is faster once a core is busy');
  const after = probes.filter((k) => k > busyFrom);
  assert.ok(after.length >= 2 && after[1] - after[0] <= 63, `probes after the change: ${after}`);
});
