'use strict';
/**
 * Learning on real data with the presets as shipped (the native build).
 * The seed preset's 500 full-batch iterations take about a minute, the cnn
 * preset's five runs several (two at a time); the runner starts this file
 * early so it overlaps with the others.
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

/** One training run in a child process: resolves to its JSON line. */
function trainInBackground(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN.mnist, ['train', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (status) => {
      if (status !== 0) return reject(new Error(`train ${args.join(' ')}: exit ${status}: ${stderr}`));
      resolve(JSON.parse(stdout.trim().split('\n').pop()));
    });
  });
}

/** Each list of arguments trained, at most `parallel` at a time (the machine's 2 cores);
 *  the JSON lines in the lists' order. */
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

/** Test accuracy of a preset for each seed, as "seed S: A%", with the runs' JSON. */
async function presetForSeeds(preset, seeds) {
  const runs = await trainAll(seeds.map((seed) => ['--data', MNIST_DIR, '--preset', preset, '--seed', String(seed)]));
  return runs.map((json, i) => ({ seed: seeds[i], json }));
}

/** Test accuracy on each progress line, in order. */
function progressAccuracies(stdout) {
  return [...stdout.matchAll(/iter (\d+) .* test ([\d.]+)%/g)].map((m) => ({
    iteration: Number(m[1]),
    accuracy: Number(m[2]) / 100,
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

test('cnn preset reaches 99% MNIST test accuracy within 3 epochs, for each of seeds 1 to 5', async (t) => {
  const runs = await presetForSeeds('cnn', [1, 2, 3, 4, 5]);
  t.diagnostic(`cnn, seeds 1-5: ${runs.map(({ json }) => `${(100 * json.test_accuracy).toFixed(2)}%`).join(', ')}; ` +
    `${Math.round(runs[0].json.samples_per_second)} samples/s (seed 1, two runs at a time)`);
  for (const { seed, json } of runs) {
    assert.ok(json.epochs <= 3 && json.arch === '784-c16k3-p2-c32k3-p2-64-10', JSON.stringify(json));
    assert.ok(json.test_accuracy >= 0.99, `seed ${seed}: test accuracy ${json.test_accuracy}`);
  }
});

test('Fashion-MNIST trains through the same pipeline (default preset, 2 epochs, > 80%)', () => {
  const r = train(['--data', FASHION_DIR, '--preset', 'default', '--epochs', '2']);
  assert.ok(r.json.test_accuracy > 0.8, `test accuracy ${r.json.test_accuracy}`);
});
