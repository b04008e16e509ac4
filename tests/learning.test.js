'use strict';
/**
 * Learning on real data with the presets as shipped (the native build).
 * The seed preset's 500 full-batch iterations take about a minute; the
 * runner starts this file early so it overlaps with the others.
 */

const assert = require('node:assert/strict');
const { test } = require('node:test');

const { BIN, MNIST_DIR, FASHION_DIR, runBinary } = require('./helpers');

function train(args) {
  const r = runBinary(BIN.mnist, ['train', ...args]);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(r.json, `no JSON line from train: ${r.stdout.slice(-500)}`);
  return r;
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

test('default preset reaches 97% MNIST test accuracy within 2 epochs', () => {
  const r = train(['--data', MNIST_DIR, '--preset', 'default', '--epochs', '2']);
  assert.equal(r.json.epochs, 2);
  assert.equal(r.json.iterations, 2 * Math.ceil(60000 / 64));
  assert.ok(r.json.test_accuracy >= 0.97, `test accuracy ${r.json.test_accuracy}`);
  assert.equal(progressAccuracies(r.stdout).length, 2, 'one progress line per epoch');
});

test('Fashion-MNIST trains through the same pipeline (default preset, 2 epochs, > 80%)', () => {
  const r = train(['--data', FASHION_DIR, '--preset', 'default', '--epochs', '2']);
  assert.ok(r.json.test_accuracy > 0.8, `test accuracy ${r.json.test_accuracy}`);
});
