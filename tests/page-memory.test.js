'use strict';
/**
 * The tab's memory while every preset trains, in headless Chromium (bench/memory.js): the
 * private memory (RssAnon + RssShmem: resident, less the pages of files, which are nearly all
 * Chromium's own code) of the renderer process that holds the page and its workers, polled
 * from Train to Done, and again after Done. Each preset of the core's rules, served (cross-
 * origin isolated: the threaded module) and from file:// (one thread, and a tester worker
 * while the run tests). Each run is bounded (bench/memory.js boundedIterations: about 4,096
 * samples, ending with a test in the tester), which reaches the steady state: the networks
 * are built before the first update. Bounds: under TARGETS.pagePrivateMb (250 MB) while
 * training and after Done, and from file:// the tester's thread gone after Done (its
 * WebAssembly memory never shrinks: ending the worker gives it back). An empty page's figure
 * is printed beside each (t.diagnostic). Memory is not timing: the bound holds on a loaded
 * machine as on an idle one.
 */

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test, before } = require('node:test');

const { ROOT, MNIST_DIR } = require('./helpers');
const { SKIP } = require('./browser-helpers');
const { memoryRun, emptyPageRun, boundedIterations } = require('../bench/memory.js');
const { TARGETS } = require('../bench/config.js');
const { createEngine } = require('../scripts/lib/engine.js');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const LIMIT_MB = TARGETS.pagePrivateMb;
const RUN_TIMEOUT_MS = 600000; // a hang, not a speed: a bounded cnn-best run takes ~10 s from file:// on 2 idle cores

const skip = SKIP || (process.platform !== 'linux' ? 'reads /proc (Linux only)'
  : !fs.existsSync(path.join(MNIST_DIR, 'train-images-idx3-ubyte.gz.js')) ? 'no data/mnist (run make data)' : false);

let empty = null;
let presets = {};
before(async () => {
  if (skip) return;
  presets = (await createEngine()).rules.presets;
  empty = await emptyPageRun({ playwright: require('playwright-core'), chromium: CHROMIUM });
});

/** The presets of the core's rules, read before the tests are declared (node:test needs their names now). */
const PRESETS = ['seed', 'default', 'wide', 'cnn', 'cnn-best'];

test('the presets measured here are the core\'s', { skip }, () => {
  assert.deepEqual(Object.keys(presets).sort(), PRESETS.slice().sort(), 'a preset was added or removed: measure it here');
});

for (const preset of PRESETS) {
  for (const mode of ['served', 'file']) {
    test(`?preset=${preset} ${mode === 'file' ? 'from file://' : 'served'}: the tab's renderer stays under ${LIMIT_MB} MB private `
      + `while training and after Done${mode === 'file' ? ', and the tester worker is ended after Done' : ''}`,
    { skip, timeout: RUN_TIMEOUT_MS + 120000 }, async (t) => {
      const iterations = boundedIterations(presets[preset]);
      const r = await memoryRun({ playwright: require('playwright-core'), chromium: CHROMIUM, mode, webRoot: path.join(ROOT, 'web'),
        dataDir: MNIST_DIR, preset, iterations, timeoutMs: RUN_TIMEOUT_MS });
      assert.ok(!r.skipped, r.skipped);
      const p = r.private_mb;
      const seen = `private MB: empty page ${empty.private_mb}; before data ${p.before_data}, data loaded ${p.data_loaded}, `
        + `peak training ${p.peak_training}, after Done ${p.after_done} (RSS peak ${r.mb.peak_training}); ${r.threads} thread(s), `
        + `worker threads ${r.workers_training} training, ${r.workers_after} after Done; ${iterations} updates in ${r.seconds_training} s`;
      t.diagnostic(seen);
      assert.equal(r.done_reason, 'iterations', `the run ended at its ${iterations} updates (${seen})`);
      assert.ok(r.test_accuracy > 0.1, `the run was tested: accuracy ${r.test_accuracy} (${seen})`);
      assert.ok(p.peak_training > p.before_data, `the peak was sampled while training (${seen})`);
      assert.ok(p.peak_training < LIMIT_MB, `peak private memory ${p.peak_training} MB >= ${LIMIT_MB} MB (${seen})`);
      assert.ok(p.after_done < LIMIT_MB, `private memory after Done ${p.after_done} MB >= ${LIMIT_MB} MB (${seen})`);
      if (mode === 'file') assert.equal(r.threads, 1, `from file:// one thread trains (${seen})`);
      if (r.tester) { // one thread on a machine of more than one core
        assert.equal(r.workers_training, 2, `a tester worker ran beside the training worker (${seen})`);
        assert.equal(r.workers_after, 1, `the tester worker was ended after Done (${seen})`);
        assert.ok(p.after_done < p.peak_training, `the tester's memory was given back after Done (${seen})`);
      } else {
        assert.equal(r.workers_after, r.threads, `served: the training worker and its helper threads only (${seen})`);
      }
    });
  }
}
