'use strict';
/**
 * The CNN rows of `make bench`: the recipe (item.recipe: the core's `cnn` preset for the
 * comparison's epochs, bench/recipe.js) trained by the native CLI, the WebAssembly build,
 * PyTorch, the page and the JS peers, each from a cold start. Every runner gets the
 * recipe (--recipe JSON) and the core's description of the net (item.layers, --layers
 * JSON), so none of them parses the architecture text or holds a copy of the preset; the
 * slow peers and BENCH_QUICK runs time a subset of the updates and extrapolate. The JS
 * peers have no augmentation: with the preset's shifts on, their rows say they train without.
 *
 * Public: CNN_RUNS = { [impl]: async (item) -> row fields }; medianOf(once, of, options).
 */

const fs = require('node:fs');
const path = require('node:path');

const {
  BUILD, RUNNERS, DATA_DIR, PYTHON, QUICK, QUICK_STEPS, QUICK_TEST_IMAGES, CNN_SLOW, CNN_PEER_STEPS,
  CNN_PEER_TEST_IMAGES, TARGETS, PAGE_CNN_PRESET, CNN_REPEATS,
} = require('./config.js');
const { run, runnerResult, nodeRunner, nativeRun } = require('./child.js');
const { pageInChromium } = require('./browser.js');
const { medianRow } = require('./rounds.js');
const { fileOf } = require('../common/datasets.js');

/** --steps/--test-images for a run timed on a subset (null: the whole run). */
function cnnSubset(item) {
  const slow = item.impl in CNN_SLOW ? (CNN_PEER_STEPS ?? CNN_SLOW[item.impl]) : 0;
  if (QUICK) return { steps: slow ? Math.min(QUICK_STEPS, slow) : QUICK_STEPS, testImages: QUICK_TEST_IMAGES };
  return slow > 0 ? { steps: slow, testImages: CNN_PEER_TEST_IMAGES } : null;
}

function cnnRunnerArgs(item) {
  const sub = cnnSubset(item);
  return ['--data', DATA_DIR, '--recipe', JSON.stringify(item.recipe), '--layers', JSON.stringify(item.layers),
    ...(sub ? ['--steps', String(sub.steps), '--test-images', String(sub.testImages)] : [])];
}

/** The median of CNN_REPEATS (or `repeats`) fresh runs of once() by `of` (bench/rounds.js medianRow). */
async function medianOf(once, of, { lower = false, repeats = CNN_REPEATS } = {}) {
  const rows = [];
  for (let i = 0; i < repeats; i++) rows.push(await once());
  return medianRow(rows, of, { lower });
}

const cnnNodeRunner = (script, item, extra = []) => nodeRunner(script, [...cnnRunnerArgs(item), ...extra]);

/** A JS peer's row: it has no augmentation, so with the recipe's on it trains without (said in the row). */
async function peerRow(script, item, extra = []) {
  const row = await cnnNodeRunner(script, item, extra);
  const r = item.recipe;
  if (r.shift > 0 || r.rotate > 0 || r.scale > 0) row.augmentation_note = 'trains without the recipe\'s augmentation (the runner has none)';
  return row;
}

/**
 * build/mnist train --preset (the recipe's), for the recipe's epochs (or, with
 * item.preset, the preset's own). The CLI prints a line after
 * loading the data ("training ...") and one after each epoch's test
 * evaluation; the run's seconds are the time between the first and the
 * last, read as the lines arrive (the CLI flushes each). Its JSON line
 * gives the training time alone. A subset (--iterations N) plans the
 * one-cycle schedule over those N updates (same work per update).
 */
async function nativeCnn(item) {
  const r = item.recipe, sub = item.preset ? null : cnnSubset(item);
  const stamps = [];
  // item.preset: the core's `cnn` preset as a user runs it (its own epochs), whole
  const flags = ['--preset', r.preset, '--seed', String(r.seed),
    ...(item.preset ? [] : sub ? ['--iterations', String(sub.steps)] : ['--epochs', String(r.epochs)])];
  const { json, peak_rss_mb } = await nativeRun(path.join(BUILD, 'mnist'), ['train', '--data', DATA_DIR, ...flags],
    (line, at) => { if (/^(training |epoch )/.test(line)) stamps.push({ line, at }); });
  const epochs = stamps.filter((s) => s.line.startsWith('epoch '));
  if (!stamps.length || !stamps[0].line.startsWith('training ') || !epochs.length) throw new Error('mnist train: unexpected output');
  const measured = epochs[epochs.length - 1].at - stamps[0].at; // training + every test evaluation
  const perTest = (measured - json.seconds) / epochs.length;
  const steps = item.preset ? json.iterations : Math.ceil(60000 / r.batch) * r.epochs;
  return {
    preset: item.preset || null, epochs: item.preset ? json.epochs : r.epochs,
    samples_timed: Math.round(json.epochs * 60000), seconds_timed: json.seconds, samples_per_second: json.samples_per_second,
    seconds_per_test_evaluation: perTest,
    seconds_run: sub ? json.seconds * (steps / json.iterations) + perTest * r.epochs : measured,
    run_extrapolated: Boolean(sub), steps_timed: json.iterations, steps_run: steps, test_images_evaluated: 10000,
    test_accuracy: sub ? null : json.test_accuracy,
    test_accuracy_per_epoch: sub ? null : epochs.map((e) => Number(/test ([\d.]+)%/.exec(e.line)[1]) / 100),
    subset_test_accuracy: sub ? json.test_accuracy : null,
    threads: 1, peak_rss_mb,
  };
}

const CNN_RUNS = {
  native: nativeCnn, // (one round: bench/rounds.js takes the median of the rounds)
  async wasm(item) {
    return cnnNodeRunner('project-wasm.js', item, item.threads > 1 ? ['--threads', String(item.threads)] : []);
  },
  /** PyTorch: the layers as the core described them (--layers), the file names from their one home. */
  async pytorch(item) {
    if (!fs.existsSync(PYTHON)) throw new Error(`no ${PYTHON} (scripts/install-deps.sh --bench installs python3-torch)`);
    const files = Object.fromEntries(['train', 'test'].map((set) => [set, [fileOf(set, 'images').file, fileOf(set, 'labels').file]]));
    const r = await run(PYTHON, [path.join(RUNNERS, 'pytorch.py'), '--files', JSON.stringify(files), '--threads', String(item.threads),
      ...cnnRunnerArgs(item)]);
    if (/No module named .?torch/.test(r.stdout + r.stderr)) throw new Error(`${PYTHON} has no torch (scripts/install-deps.sh --bench installs python3-torch)`);
    return runnerResult('pytorch.py', r);
  },
  async 'tfjs-wasm'(item) {
    return peerRow('tfjs.js', item, ['--backend', 'wasm']);
  },
  async 'tfjs-cpu'(item) {
    return peerRow('tfjs.js', item, ['--backend', 'cpu']);
  },
  async convnetjs(item) {
    return peerRow('convnetjs.js', item);
  },
  /** The page with ?preset=cnn, its whole run: time to 99% as a user who watches sees it
   *  (nothing else asked of the worker; the median of CNN_REPEATS), then the rest (final accuracy); then one more whole
   *  run with a drawing's predict every PAGE_PROBE_MS, for how the page keeps up while it
   *  trains (while_drawing), whose answers take the worker's time from training. */
  async 'page-chromium'(item) {
    const r = await medianOf(() => pageInChromium(item.page, PAGE_CNN_PRESET, TARGETS.accuracy, true, false), 'seconds_to_target',
      { lower: true });
    if (r.skipped) return r;
    const drawing = await pageInChromium(item.page, PAGE_CNN_PRESET, TARGETS.accuracy, true, true);
    const { preset, target, browser, page_version, cross_origin_isolated, ...while_drawing } = drawing;
    return { ...r, peak_rss_mb: null, epochs: null, while_drawing };
  },
};

module.exports = { CNN_RUNS, medianOf };
