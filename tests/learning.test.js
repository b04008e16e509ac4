'use strict';
/**
 * Learning on real data with the presets as shipped (the native build).
 * The seed preset's 500 full-batch iterations take about a minute, the cnn
 * preset's five runs (seeds 1-5, two at a time) a minute or two; the runner
 * starts this file early so it overlaps with the others.
 */

const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const { test } = require('node:test');

const { BIN, MNIST_DIR, FASHION_DIR, runBinary } = require('./helpers');

function train(args) {
  const r = runBinary(BIN.mnist, ['train', ...args]);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(r.json, `no JSON line from train: ${r.stdout.slice(-500)}`);
  return r;
}

/** One training run in a child process: resolves to its JSON line and its output. */
function trainInBackground(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN.mnist, ['train', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (status) => {
      if (status !== 0) return reject(new Error(`train ${args.join(' ')}: exit ${status}: ${stderr}`));
      resolve({ json: JSON.parse(stdout.trim().split('\n').pop()), stdout });
    });
  });
}

/** Each list of arguments trained, at most `parallel` at a time (the machine's 2 cores);
 *  the runs ({json, stdout}) in the lists' order. */
async function trainAll(argLists, parallel = 2) {
  const results = new Array(argLists.length);
  let next = 0;
  const worker = async () => {
    while (next < argLists.length) {
      const i = next++;
      results[i] = await trainInBackground(argLists[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, argLists.length) }, worker));
  return results;
}

/** A preset trained for each seed (with any more flags): [{seed, json, stdout}]. */
async function presetForSeeds(preset, seeds, more = []) {
  const runs = await trainAll(seeds.map((seed) => ['--data', MNIST_DIR, '--preset', preset, '--seed', String(seed), ...more]));
  return runs.map((run, i) => ({ seed: seeds[i], ...run }));
}

/** Test accuracy on each progress line, in order, with the epoch it was taken at. */
function progressAccuracies(stdout) {
  return [...stdout.matchAll(/^epoch ([\d.]+) +iter (\d+) .* test ([\d.]+)%/gm)].map((m) => ({
    epoch: Number(m[1]),
    iteration: Number(m[2]),
    accuracy: Number(m[3]) / 100,
  }));
}

test('seed preset (the notebook: 784-10-10, full batch, alpha 0.1) passes 80% within 500 iterations', () => {
  const r = train(['--data', MNIST_DIR, '--preset', 'seed', '--log-every', '25']);
  assert.equal(r.json.iterations, 500);
  assert.equal(r.json.parameters, 7960);
  assert.ok(r.json.test_accuracy >= 0.8, `test accuracy ${r.json.test_accuracy}`);
  const points = progressAccuracies(r.stdout);
  assert.equal(points.length, 20);
  // It learns steadily: the accuracy at 100 iterations is far below the end.
  assert.ok(points[3].accuracy < r.json.test_accuracy - 0.1);
});

test('default preset reaches 98% MNIST test accuracy after its 5 epochs, for seeds 1, 2 and 3', async () => {
  const runs = await presetForSeeds('default', [1, 2, 3]);
  for (const { seed, json } of runs) {
    assert.deepEqual([json.epochs, json.iterations, json.arch], [5, 5 * Math.ceil(60000 / 64), '784-128-10']);
    assert.ok(json.test_accuracy >= 0.98, `seed ${seed}: test accuracy ${json.test_accuracy}`);
  }
});

test('cnn preset reaches 99% MNIST test accuracy within its 2 epochs, for each of seeds 1 to 5', async (t) => {
  // a test every 100 updates (about 0.1 epoch at the preset's batch): where 99% is first seen
  const runs = await presetForSeeds('cnn', [1, 2, 3, 4, 5], ['--log-every', '100']);
  const firstAt = ({ stdout }) => progressAccuracies(stdout).find((p) => p.accuracy >= 0.99);
  t.diagnostic(`cnn, seeds 1-5: ${runs.map(({ json }) => `${(100 * json.test_accuracy).toFixed(2)}%`).join(', ')}; ` +
    `99% first seen at epoch ${runs.map((r) => (firstAt(r) ? firstAt(r).epoch.toFixed(2) : '-')).join(', ')}; ` +
    `${Math.round(runs[0].json.samples_per_second)} samples/s (seed 1, two runs at a time)`);
  for (const { seed, json } of runs) {
    // the whole run the preset plans, no more than 2 epochs, on the net the benchmarks time
    assert.ok(json.config.epochs <= 2 && json.epochs === json.config.epochs && json.arch === '784-c16k3-p2-c32k3-p2-64-10',
      JSON.stringify(json));
    assert.ok(json.test_accuracy >= 0.99, `seed ${seed}: test accuracy ${json.test_accuracy}`);
  }
});

test('Fashion-MNIST trains through the same pipeline (default preset, 2 epochs, > 80%)', () => {
  const r = train(['--data', FASHION_DIR, '--preset', 'default', '--epochs', '2']);
  assert.ok(r.json.test_accuracy > 0.8, `test accuracy ${r.json.test_accuracy}`);
});
