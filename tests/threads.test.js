'use strict';
/**
 * The choice between one thread and all of them (web/worker/engine-threads.js): probes
 * of the other setting, spaced out while they keep confirming the setting in use.
 */

const assert = require('node:assert/strict');
const { test } = require('node:test');
const { ThreadChoice } = require('../web/worker/engine-threads.js');

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
