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
 * machine as on an idle one. Last, the tester's lifetime: a second run from file:// starts a
 * new tester, whose tests come back as the first run's did, with the same bits.
 */

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test, before } = require('node:test');

const { ROOT, MNIST_DIR } = require('./helpers');
const { SKIP } = require('./browser-helpers');
const { memoryRun, emptyPageRun, boundedIterations } = require('../bench/memory.js');
const { openPreset, LAUNCH_ARGS } = require('../bench/page.js');
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
        // (its memory goes with it: with a small network too little to tell apart from the samples' noise)
        assert.equal(r.workers_after, 1, `the tester worker was ended after Done (${seen})`);
      } else {
        assert.equal(r.workers_after, r.threads, `served: the training worker and its helper threads only (${seen})`);
      }
    });
  }
}

test('from file://, each run starts its own tester worker and ends it after Done; the second run is tested as the first, to the same bits',
  { skip, timeout: RUN_TIMEOUT_MS }, async () => {
    const playwright = require('playwright-core');
    const browser = await playwright.chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
    try {
      const { page, errors } = await openPreset(browser, null, { mode: 'file', webRoot: path.join(ROOT, 'web'), dataDir: MNIST_DIR,
        preset: 'default', settings: { iterations: '40' }, init: () => {
          const log = window.__log = [];
          const Base = window.Worker;
          window.Worker = class extends Base {
            constructor(...args) {
              super(...args);
              log.push('worker');
              this.addEventListener('message', (e) => {
                const m = e.data;
                if (m && (m.type === 'evaluation' || m.type === 'done')) log.push(`${m.type} ${m.background === true ? 'tester' : 'here'} ${m.testAccuracy}`);
              });
            }
          };
        } });
      await page.waitForFunction(() => /Ready/.test(document.querySelector('#status').textContent)
        && !document.querySelector('#train').disabled, null, { timeout: RUN_TIMEOUT_MS });
      if (!(await page.evaluate(() => navigator.hardwareConcurrency > 1))) return; // one core: no tester
      const runs = [];
      for (let n = 1; n <= 2; n++) {
        const from = await page.evaluate(() => window.__log.length);
        await page.click('#train');
        await page.waitForFunction((k) => window.__log.filter((l) => l.startsWith('done')).length >= k, n, { timeout: RUN_TIMEOUT_MS });
        runs.push(await page.evaluate((i) => window.__log.slice(i), from));
      }
      const seen = runs.map((r, i) => `run ${i + 1}: ${r.join(', ')}`).join('; ');
      for (const run of runs) {
        assert.equal(run.filter((l) => l === 'worker').length, 1, `one tester started for the run (${seen})`);
        assert.ok(run.some((l) => /^evaluation tester /.test(l)), `the run's tests came back from the tester (${seen})`);
      }
      const last = (run) => run.filter((l) => l.startsWith('done')).pop().split(' ').pop();
      assert.equal(last(runs[1]), last(runs[0]), `the same final accuracy, to the bit (${seen})`);
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
    }
  });
