'use strict';
/**
 * The native trainer as a user runs it: help, bad flags, bad data, model
 * files end to end, and bit-for-bit determinism. Bad-input cases run the
 * AddressSanitizer + UBSan build, so a crash or overrun cannot hide.
 */

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');
const { test } = require('node:test');

const { BIN, MNIST_DIR, runBinary, tempDir, idxImages, idxLabels, withFixedCrc, modelLayout } = require('./helpers');

const { FILE_NAMES } = require('../common/datasets.js');

const FILES = FILE_NAMES.map((name) => name.replace(/\.gz$/, ''));

/** Expects failure with exactly one line on stderr, matching `pattern`. */
function expectOneError(args, status, pattern, options = {}) {
  const r = runBinary(BIN.asanMnist, args, options);
  assert.equal(r.status, status, `mnist ${args.join(' ')}: status ${r.status}\n${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `expected one line on stderr, got:\n${r.stderr}`);
  assert.match(lines[0], /^mnist: /);
  assert.match(lines[0], pattern);
  return lines[0];
}

/** A small valid dataset directory: 200 train and 50 test images, gzipped. */
function smallDataDir(t, overrides = {}) {
  const dir = tempDir(t);
  const contents = {
    'train-images-idx3-ubyte': idxImages(200, { fill: (i) => (i * 7) % 256 }),
    'train-labels-idx1-ubyte': idxLabels(Array.from({ length: 200 }, (_, i) => i % 10)),
    't10k-images-idx3-ubyte': idxImages(50),
    't10k-labels-idx1-ubyte': idxLabels(Array.from({ length: 50 }, (_, i) => (i * 3) % 10)),
    ...overrides,
  };
  for (const name of FILES) {
    const data = contents[name];
    if (data === null) continue; // a missing file
    const gz = Buffer.isBuffer(data) && data.raw ? data : zlib.gzipSync(data);
    fs.writeFileSync(path.join(dir, `${name}.gz`), gz);
  }
  return dir;
}

/** `text` as a regular expression that matches it literally. */
const literally = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function rawFile(bytes) {
  const b = Buffer.from(bytes);
  b.raw = true; // written as is, not gzipped
  return b;
}

test('--help documents every command and train flag', () => {
  const r = runBinary(BIN.mnist, ['--help']);
  assert.equal(r.status, 0);
  for (const word of ['train', 'eval', 'predict', '--data', '--preset', '--arch', 'cNkK', 'cNkKpadP', 'pP',
    '784-c16k3-p2-c32k3-p2-64-10', '--epochs',
    '--iterations', '--batch', '--lr', '--momentum', '--weight-decay', '--seed', '--save', '--model',
    '--image', '--index', '--optimizer', '--schedule', 'onecycle', '--beta1', '--beta2', '--eps', '--shift',
    '--rotate', '--scale']) {
    assert.ok(r.stdout.includes(word), `--help does not mention ${word}`);
  }
  assert.equal(runBinary(BIN.mnist, ['train', '--help']).status, 0);
});

test('--help lists exactly the dataset files of common/datasets.js, in their order', () => {
  const r = runBinary(BIN.mnist, ['--help']);
  const listed = r.stdout.match(/[\w-]+-idx\d-ubyte\.gz/g);
  assert.deepEqual(listed, FILE_NAMES, 'the CLI (src/cli/files.c DATASET_FILES) and datasets.js disagree');
});

test('no arguments prints usage and fails', () => {
  const r = runBinary(BIN.mnist, []);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /usage/);
});

const badFlags = [
  [['frobnicate'], /unknown command 'frobnicate'/],
  [['train', '--data', 'x', '--lr', '-1'], /learning rate must be > 0.*-1/],
  [['train', '--data', 'x', '--lr', 'fast'], /--lr: learning rate must be a number, got 'fast'/],
  [['train', '--data', 'x', '--lr', 'nan'], /--lr: learning rate must be a number/],
  [['train', '--data', 'x', '--arch', '784-0-10'], /hidden layer 1 has 0 units/],
  [['train', '--data', 'x', '--arch', '785-10'], /input layer has 785/],
  [['train', '--data', 'x', '--arch', '784-10-9'], /output layer has 9/],
  [['train', '--data', 'x', '--arch', '784--10'], /bad architecture '784--10'/],
  [['train', '--data', 'x', '--arch', '784-10-10-'], /bad architecture/],
  [['train', '--data', 'x', '--arch', '784-1-1-1-1-1-1-1-1-10'], /at most 8 weight layers/],
  [['train', '--data', 'x', '--arch', '784-c16k9-p2-p2-p2-p2-p2-10'],
    /--arch: 784-c16k9-p2-p2-p2-p2-p2-10: after layer 5 the image is 1×1, too small for a 2×2 pool$/m],
  [['train', '--data', 'x', '--arch', '784-64-p2-10'], /layer 2 \(a pool\) follows a dense layer/],
  [['train', '--data', 'x', '--arch', '784-c8k3q-10'], /layer 1 \('c8k3q'\) is not a width like 128, a convolution like c16k3/],
  [['train', '--data', 'x', '--arch', '784-c99k3-10'], /layer 1 has 99 filters \(must be 1\.\.64\)/],
  // a control character in a quoted input keeps the message on one line (found by fuzz/arch_text.c)
  [['train', '--data', 'x', '--arch', '784-1\n0'], /^mnist: --arch: bad architecture '784-1\?0': layer 1 \('1\?0'\) is not a width/],
  [['train', '--data', 'x', '--batch', '0'], /--batch: batch size 0 out of range \(1\.\.1000000\)/],
  [['train', '--data', 'x', '--epochs', '0'], /set epochs or iterations \(at least one above 0\)/],
  [['train', '--data', 'x', '--iterations', '2.5'], /--iterations: iterations must be a whole number, got 2\.5/],
  [['train', '--data', 'x', '--momentum', '1.5'], /momentum must be in \[0, 1\)/],
  [['train', '--data', 'x', '--weight-decay', '-0.1'], /weight decay/],
  [['train', '--data', 'x', '--lr-decay', '0'], /learning-rate decay/],
  [['train', '--data', 'x', '--seed', '-3'], /--seed: seed -3 out of range/],
  [['train', '--data', 'x', '--preset', 'turbo'], /unknown preset 'turbo' \(choose seed, default, wide, cnn or cnn-best\)/],
  [['train', '--data', 'x', '--seed', '4294967296'], /seed 4294967296 out of range \(0\.\.4294967295\)/],
  [['train', '--data', 'x', '--epochs', '100001'], /--epochs: epochs 100001 out of range \(0\.\.100000\)/],
  [['train', '--data', 'x', '--init', 'zeros'], /--init: unknown initialisation 'zeros' \(expected he or seed\)/],
  [['train', '--data', 'x', '--colour', 'red'], /unknown option '--colour'/],
  [['train', '--data', 'x', '--optimizer', 'rmsprop'], /--optimizer: unknown optimizer 'rmsprop' \(expected sgd or adam\)/],
  [['train', '--data', 'x', '--schedule', 'cosine'], /--schedule: unknown schedule 'cosine' \(expected step or onecycle\)/],
  [['train', '--data', 'x', '--beta1', '1'], /beta1 must be in \[0, 1\), got 1/],
  [['train', '--data', 'x', '--beta2', '-0.5'], /beta2 must be in \[0, 1\), got -0.5/],
  [['train', '--data', 'x', '--eps', '0'], /eps must be in \(0, 1\], got 0/],
  [['train', '--data', 'x', '--eps', 'tiny'], /--eps: eps must be a number, got 'tiny'/],
  [['train', '--data', 'x', '--shift', '5'], /^mnist: --shift: shift 5 out of range \(0\.\.4\)$/],
  [['train', '--data', 'x', '--shift', '-1'], /^mnist: --shift: shift -1 out of range \(0\.\.4\)$/],
  [['train', '--data', 'x', '--shift', 'two'], /^mnist: --shift: shift must be a whole number, got 'two'$/],
  [['train', '--data', 'x', '--rotate', '50'], /^mnist: --rotate: rotation must be >= 0 and <= 45, got 50$/],
  [['train', '--data', 'x', '--scale', '0.6'], /^mnist: --scale: scaling must be in \[0, 0.5\], got 0.6$/],
  [['train', '--data', 'x', '--scale', 'abc'], /^mnist: --scale: scaling must be a number, got 'abc'$/],
  [['train', '--data', 'x', '--lr'], /option --lr needs a value/],
  // an unknown flag is named as unknown wherever it stands, even last with no value after it
  [['train', '--bogus', '--data', 'x'], /^mnist: unknown option '--bogus' for train \(see mnist --help\)$/],
  [['train', '--data', 'x', '--bogus', '--epochs', '1'], /^mnist: unknown option '--bogus' for train \(see mnist --help\)$/],
  [['train', '--data', 'x', '--bogus'], /^mnist: unknown option '--bogus' for train \(see mnist --help\)$/],
  [['eval', '--bogus', '--data', 'x', '--model', 'm'], /^mnist: unknown option '--bogus' for eval \(see mnist --help\)$/],
  [['eval', '--data', 'x', '--bogus', '--model', 'm'], /^mnist: unknown option '--bogus' for eval \(see mnist --help\)$/],
  [['eval', '--data', 'x', '--model', 'm', '--bogus'], /^mnist: unknown option '--bogus' for eval \(see mnist --help\)$/],
  [['predict', '--model', 'm', '--image', 'i', '--bogus'], /^mnist: unknown option '--bogus' for predict \(see mnist --help\)$/],
  [['train', '--data', 'x', '-q'], /^mnist: unknown option '-q' for train/],
  [['train', '--data', 'x', 'stray'], /^mnist: unexpected argument 'stray' for train/],
  // a known flag without its value: last, or followed by another of the command's flags
  [['eval', '--data', 'x', '--model'], /^mnist: option --model needs a value \(see mnist --help\)$/],
  [['predict', '--model', 'm', '--image', 'i', '--index'], /^mnist: option --index needs a value/],
  [['train', '--preset', '--data', 'x'], /^mnist: option --preset needs a value/],
  [['train', '--data', '--epochs', '1'], /^mnist: option --data needs a value/],
  [['predict', '--index', '--model', 'm', '--image', 'i'], /^mnist: option --index needs a value/],
  [['train', '--epochs', '1'], /--data DIR is required/],
  [['eval', '--data', 'x'], /--model FILE are required/],
  [['predict', '--model', 'm', '--image', 'i', '--index', '-1'], /--index: expected a whole number/],
];

for (const [args, pattern] of badFlags) {
  test(`bad usage: mnist ${args.join(' ')}`, () => expectOneError(args, 2, pattern));
}

test('missing data directory: one message that says how to get the data', () => {
  expectOneError(['train', '--data', '/nonexistent/mnist'], 1, /cannot open .*No such file.*make data/);
});

test('a path with a newline is quoted on one line', () => {
  expectOneError(['eval', '--data', 'x', '--model', 'no\nsuch.model'], 1, /^mnist: cannot open no\?such\.model: No such file or directory$/);
});

test('a missing file in the data directory is named', (t) => {
  const dir = smallDataDir(t, { 't10k-labels-idx1-ubyte': null });
  expectOneError(['train', '--data', dir], 1, /t10k-labels-idx1-ubyte.*No such file/);
});

test('corrupt gzip: truncated stream and damaged data are both reported', (t) => {
  const good = zlib.gzipSync(idxImages(200));
  const truncated = smallDataDir(t, { 'train-images-idx3-ubyte': rawFile(good.subarray(0, good.length / 2)) });
  expectOneError(['train', '--data', truncated], 1, /train-images-idx3-ubyte\.gz: corrupt gzip data/);
  const damaged = Buffer.from(good);
  for (let i = 20; i < 60; i++) damaged[i] ^= 0x5a;
  const dir = smallDataDir(t, { 'train-images-idx3-ubyte': rawFile(damaged) });
  expectOneError(['train', '--data', dir], 1, /train-images-idx3-ubyte\.gz: corrupt gzip data/);
});

test('bad IDX content through the CLI: label out of range, counts disagree, wrong dims', (t) => {
  let dir = smallDataDir(t, { 'train-labels-idx1-ubyte': idxLabels(Array.from({ length: 200 }, (_, i) => (i === 17 ? 12 : 1))) });
  expectOneError(['train', '--data', dir], 1, /train-labels.*label 12 of image 17 is outside 0\.\.9/);
  dir = smallDataDir(t, { 't10k-labels-idx1-ubyte': idxLabels([1, 2, 3]) });
  expectOneError(['train', '--data', dir], 1, /t10k-images.*50 images but .*t10k-labels.*3 labels/);
  dir = smallDataDir(t, { 'train-images-idx3-ubyte': idxImages(200, { rows: 32, cols: 32 }) });
  expectOneError(['train', '--data', dir], 1, /images are 32x32, expected 28x28/);
});

test('a data folder holding a file both gzipped and uncompressed is refused, naming both: train and eval', (t) => {
  for (const [command, name] of [['train', 'train-images-idx3-ubyte'], ['eval', 't10k-labels-idx1-ubyte']]) {
    const dir = smallDataDir(t);
    const model = path.join(tempDir(t), 'net.model');
    const trained = runBinary(BIN.mnist, ['train', '--data', dir, '--arch', '784-8-10', '--iterations', '1', '--save', model]);
    assert.equal(trained.status, 0, trained.stderr);
    fs.writeFileSync(path.join(dir, name), zlib.gunzipSync(fs.readFileSync(path.join(dir, `${name}.gz`))));
    const args = command === 'train' ? ['train', '--data', dir, '--iterations', '1'] : ['eval', '--data', dir, '--model', model];
    expectOneError(args, 1, new RegExp(`^mnist: ${literally(dir)} holds both ${name}\\.gz and ${name}; remove one of them`));
    fs.rmSync(path.join(dir, `${name}.gz`)); // one left: accepted
    const r = runBinary(BIN.mnist, args);
    assert.equal(r.status, 0, r.stderr);
  }
});

test('a data folder with a long path is read, not cut; one past the limit is refused with its reason', (t) => {
  const data = smallDataDir(t);
  const deep = path.join(tempDir(t), ...new Array(6).fill('d'.repeat(200))); // over 1,200 bytes
  fs.mkdirSync(deep, { recursive: true });
  for (const name of FILES) fs.copyFileSync(path.join(data, `${name}.gz`), path.join(deep, `${name}.gz`));
  const r = runBinary(BIN.asanMnist, ['train', '--data', deep, '--arch', '784-8-10', '--iterations', '1']);
  assert.equal(r.status, 0, r.stderr);
  const tooLong = path.join(deep, ...new Array(15).fill('e'.repeat(200))); // over 4,096 bytes
  expectOneError(['train', '--data', tooLong], 1, new RegExp(`^mnist: ${literally(tooLong)}: path too long for the data files \\(at most \\d+ bytes\\)$`));
});

test('uncompressed IDX files are accepted too', (t) => {
  const dir = smallDataDir(t);
  for (const name of FILES) {
    const file = path.join(dir, `${name}.gz`);
    fs.writeFileSync(path.join(dir, name), zlib.gunzipSync(fs.readFileSync(file)));
    fs.rmSync(file);
  }
  const r = runBinary(BIN.asanMnist, ['train', '--data', dir, '--arch', '784-8-10', '--epochs', '1', '--batch', '20']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.json.iterations, 10);
});

test('train, save, eval and predict agree with each other (sanitized build)', (t) => {
  const dir = tempDir(t);
  const model = path.join(dir, 'net.model');
  const train = runBinary(BIN.asanMnist, ['train', '--data', MNIST_DIR, '--arch', '784-32-16-10',
    '--iterations', '200', '--batch', '100', '--save', model]);
  assert.equal(train.status, 0, train.stderr);
  const j = train.json;
  for (const key of ['test_accuracy', 'test_loss', 'train_accuracy', 'epochs', 'seconds', 'samples_per_second', 'parameters']) {
    assert.equal(typeof j[key], 'number', `train JSON lacks ${key}`);
  }
  assert.equal(j.iterations, 200);
  assert.ok(Math.abs(j.epochs - 200 * 100 / 60000) < 1e-3);
  assert.equal(j.parameters, 784 * 32 + 32 + 32 * 16 + 16 + 16 * 10 + 10);
  assert.ok(j.test_accuracy > 0.85, `200 batches should pass 85%, got ${j.test_accuracy}`);
  const saved = modelLayout(fs.readFileSync(model));
  assert.deepEqual([saved.version, saved.layers, saved.paramCount, saved.taught], [4, 3, j.parameters, 0]);
  // the file carries how it was trained: every setting, as the train JSON says
  assert.deepEqual(Object.keys(saved.config), Object.keys(j.config));
  assert.deepEqual([saved.config.arch, saved.config.iterations, saved.config.batch], ['784-32-16-10', '200', '100']);

  const ev = runBinary(BIN.asanMnist, ['eval', '--data', MNIST_DIR, '--model', model]);
  assert.equal(ev.status, 0, ev.stderr);
  assert.equal(ev.json.test_accuracy, j.test_accuracy);
  assert.deepEqual(ev.json.config, j.config, 'eval reports the configuration the model was trained with');
  assert.equal(ev.json.train_accuracy, j.train_accuracy);
  assert.match(ev.stdout, /confusion matrix/);
  const confusion = ev.json.confusion;
  assert.equal(confusion.length, 10);
  const total = confusion.flat().reduce((a, b) => a + b, 0);
  const diagonal = confusion.reduce((a, row, i) => a + row[i], 0);
  assert.equal(total, 10000);
  assert.equal((diagonal / total).toFixed(4), j.test_accuracy.toFixed(4));

  const images = path.join(MNIST_DIR, 't10k-images-idx3-ubyte.gz');
  const labels = path.join(MNIST_DIR, 't10k-labels-idx1-ubyte.gz');
  const pr = runBinary(BIN.asanMnist, ['predict', '--model', model, '--image', images, '--labels', labels, '--index', '0']);
  assert.equal(pr.status, 0, pr.stderr);
  assert.equal(pr.json.index, 0);
  assert.equal(pr.json.label, 7); // the first MNIST test image is a 7
  const sum = pr.json.probabilities.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(sum - 1) < 1e-4, `probabilities sum to ${sum}`);
  assert.equal(pr.json.prediction, pr.json.probabilities.indexOf(Math.max(...pr.json.probabilities)));
  assert.equal(pr.json.correct, pr.json.prediction === 7);

  expectOneError(['predict', '--model', model, '--image', images, '--index', '10000'], 1, /--index 10000: .* holds images 0\.\.9999/);
  expectOneError(['predict', '--model', model, '--image', labels], 1, /not an IDX image file.*label file/);
  const corrupt = path.join(dir, 'corrupt.model');
  const bytes = fs.readFileSync(model);
  bytes[100] ^= 1;
  fs.writeFileSync(corrupt, bytes);
  expectOneError(['eval', '--data', MNIST_DIR, '--model', corrupt], 1, /corrupt\.model: checksum mismatch/);
  expectOneError(['eval', '--data', MNIST_DIR, '--model', path.join(dir, 'none.model')], 1, /cannot open .*none\.model/);
  expectOneError(['eval', '--data', MNIST_DIR, '--model', images], 1, /not a model file/);
});

test('determinism: identical runs give identical parameter bytes; another seed does not', (t) => {
  const dir = tempDir(t);
  const run = (name, extra) => {
    const file = path.join(dir, name);
    const r = runBinary(BIN.mnist, ['train', '--data', MNIST_DIR, '--preset', 'default', '--iterations', '300', '--save', file, ...extra]);
    assert.equal(r.status, 0, r.stderr);
    return fs.readFileSync(file);
  };
  const a = run('a.model', []), b = run('b.model', []), c = run('c.model', ['--seed', '2']);
  assert.ok(a.equals(b), 'two runs with the same seed differ');
  assert.ok(!a.equals(c), 'a different seed gave the same parameters');

  const full = (name) => {
    const file = path.join(dir, name);
    const r = runBinary(BIN.mnist, ['train', '--data', MNIST_DIR, '--preset', 'seed', '--iterations', '3', '--save', file]);
    assert.equal(r.status, 0, r.stderr);
    return fs.readFileSync(file);
  };
  assert.ok(full('s1.model').equals(full('s2.model')), 'full-batch runs differ');
});

test('divergence is reported with the learning rate that caused it', () => {
  // A deep net with a huge rate overflows float32 within a few updates.
  const r = runBinary(BIN.mnist, ['train', '--data', MNIST_DIR, '--arch', '784-64-64-64-64-10',
    '--lr', '100', '--momentum', '0.99', '--iterations', '300', '--schedule', 'step']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /diverged at iteration \d+.*learning rate 100.*smaller --lr/);
});

test('a small CNN trains for 200 iterations, and its model file evaluates and predicts', (t) => {
  const dir = tempDir(t);
  const model = path.join(dir, 'cnn.model');
  const cnn = ['--data', MNIST_DIR, '--arch', '784-c4k3-p2-10', '--batch', '32', '--lr', '0.05', '--iterations', '200'];
  const r = runBinary(BIN.mnist, ['train', ...cnn, '--log-every', '100', '--save', model]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^training 784-c4k3-p2-10 \(6810 parameters\)/m);
  assert.equal(r.json.arch, '784-c4k3-p2-10');
  assert.equal(r.json.parameters, 4 * 3 * 3 + 4 + 13 * 13 * 4 * 10 + 10);
  assert.equal(r.json.iterations, 200);
  assert.ok(r.json.test_accuracy > 0.85, `test accuracy ${r.json.test_accuracy} after 200 iterations`);
  assert.equal(fs.readFileSync(model).readUInt32LE(8), 4, 'format version 4');
  // the same seed, the same bits
  const again = runBinary(BIN.mnist, ['train', ...cnn, '--save', path.join(dir, 'again.model')]);
  assert.ok(fs.readFileSync(model).equals(fs.readFileSync(path.join(dir, 'again.model'))), 'two runs differ');

  const evaluated = runBinary(BIN.asanMnist, ['eval', '--data', MNIST_DIR, '--model', model]);
  assert.equal(evaluated.status, 0, evaluated.stderr);
  assert.equal(evaluated.json.arch, '784-c4k3-p2-10');
  assert.equal(evaluated.json.test_accuracy, r.json.test_accuracy);
  assert.equal(evaluated.json.test_loss, r.json.test_loss);
  const predicted = runBinary(BIN.mnist, ['predict', '--model', model, '--image', path.join(MNIST_DIR, 't10k-images-idx3-ubyte.gz'),
    '--labels', path.join(MNIST_DIR, 't10k-labels-idx1-ubyte.gz'), '--index', '0']);
  assert.equal(predicted.status, 0, predicted.stderr);
  assert.equal(predicted.json.label, 7);
  assert.equal(predicted.json.probabilities.length, 10);
});

test('a model whose finite weights overflow: eval and predict print valid JSON, null for a NaN or infinity, and one warning', (t) => {
  const data = smallDataDir(t), dir = tempDir(t);
  const model = path.join(dir, 'net.model'), huge = path.join(dir, 'huge.model');
  const trained = runBinary(BIN.mnist, ['train', '--data', data, '--arch', '784-8-10', '--iterations', '1', '--save', model]);
  assert.equal(trained.status, 0, trained.stderr);
  // Every first-layer weight 3e38 (finite, so the loader takes it) makes every hidden unit
  // infinite; output weights of alternating sign then make every logit inf - inf = NaN.
  const bytes = fs.readFileSync(model);
  const { paramsAt, paramCount } = modelLayout(bytes);
  const hiddenWeights = 784 * 8, outputAt = hiddenWeights + 8;
  assert.equal(paramCount, outputAt + 8 * 10 + 10);
  for (let k = 0; k < paramCount; k++) {
    const output = k >= outputAt && k < outputAt + 80;
    bytes.writeFloatLE(k < hiddenWeights ? 3e38 : output ? ((k - outputAt) % 2 ? -3e38 : 3e38) : 0, paramsAt + 4 * k);
  }
  fs.writeFileSync(huge, withFixedCrc(bytes));
  const warning = (names) => new RegExp(`^mnist: warning: ${names} are not finite numbers \\(NaN or infinity: the network's `
    + 'outputs overflow float range, so its weights are far too large\\); the JSON line holds null for them and names them in "not_finite"\n$');

  const ev = runBinary(BIN.asanMnist, ['eval', '--data', data, '--model', huge]);
  assert.equal(ev.status, 0, ev.stderr);
  assert.ok(ev.json, `eval's last line is not JSON:\n${ev.stdout.slice(-400)}`);
  assert.deepEqual([ev.json.test_loss, ev.json.train_loss], [null, null]);
  assert.deepEqual(ev.json.not_finite, ['test_loss', 'train_loss']);
  assert.equal(typeof ev.json.test_accuracy, 'number');
  assert.equal(ev.json.confusion.flat().reduce((a, b) => a + b, 0), 50);
  assert.match(ev.stderr, warning('test_loss and train_loss'));

  const images = path.join(data, 't10k-images-idx3-ubyte.gz'), labels = path.join(data, 't10k-labels-idx1-ubyte.gz');
  const pr = runBinary(BIN.asanMnist, ['predict', '--model', huge, '--image', images, '--labels', labels, '--index', '3']);
  assert.equal(pr.status, 0, pr.stderr);
  assert.ok(pr.json, `predict's last line is not JSON:\n${pr.stdout.slice(-400)}`);
  assert.equal(pr.json.confidence, null);
  assert.deepEqual(pr.json.probabilities, new Array(10).fill(null));
  assert.deepEqual(pr.json.not_finite, ['confidence', 'probabilities']);
  assert.deepEqual([pr.json.index, pr.json.label, typeof pr.json.prediction], [3, 9, 'number']);
  assert.match(pr.stderr, warning('confidence and probabilities'));

  // the model as trained: every figure a number, no warning
  const fine = runBinary(BIN.asanMnist, ['eval', '--data', data, '--model', model]);
  assert.equal(fine.status, 0, fine.stderr);
  assert.equal(fine.stderr, '');
  assert.equal(fine.json.not_finite, undefined);
  assert.equal(typeof fine.json.test_loss, 'number');
});

test('output that cannot be written fails the run with one line, not a silent success', (t) => {
  const data = smallDataDir(t);
  const full = fs.openSync('/dev/full', 'w');
  t.after(() => fs.closeSync(full));
  const r = require('node:child_process').spawnSync(BIN.mnist, ['train', '--data', data, '--arch', '784-8-10', '--iterations', '1'],
    { stdio: ['ignore', full, 'pipe'], encoding: 'utf8', timeout: 60000 });
  assert.equal(r.status, 1, r.stderr);
  assert.equal(r.stderr, 'mnist: cannot write the output: No space left on device\n');
});

/** The parameters of a model file as floats (format: docs/model-format.md). */
function modelParameters(file) {
  const bytes = fs.readFileSync(file);
  const { paramsAt, paramCount } = modelLayout(bytes);
  return Array.from({ length: paramCount }, (_, k) => bytes.readFloatLE(paramsAt + 4 * k));
}

test('hyperparameters take effect: lr decay per epoch, weight decay shrinks the weights', (t) => {
  const dir = tempDir(t);
  const small = ['--data', MNIST_DIR, '--arch', '784-16-10', '--batch', '256', '--schedule', 'step'];
  const decayed = runBinary(BIN.mnist, ['train', ...small, '--epochs', '3', '--lr', '0.2', '--lr-decay', '0.5']);
  assert.equal(decayed.status, 0, decayed.stderr);
  const rates = [...decayed.stdout.matchAll(/ lr ([\d.e-]+) /g)].map((m) => Number(m[1]));
  assert.deepEqual(rates, [0.2, 0.1, 0.05]);

  const norm = (wd) => {
    const file = path.join(dir, `wd-${wd}.model`);
    const r = runBinary(BIN.mnist, ['train', ...small, '--iterations', '200', '--weight-decay', wd, '--save', file]);
    assert.equal(r.status, 0, r.stderr);
    return Math.sqrt(modelParameters(file).reduce((a, v) => a + v * v, 0));
  };
  const plain = norm('0'), decayedNorm = norm('0.01');
  assert.ok(decayedNorm < 0.8 * plain, `weight decay 0.01: norm ${decayedNorm} vs ${plain} without`);
});

test('--shift N trains with random shifts: reproducible for a seed, different from no shift', (t) => {
  const dir = smallDataDir(t), out = tempDir(t);
  const model = (shift, name) => {
    const file = path.join(out, `${name}.model`);
    const r = runBinary(BIN.asanMnist, ['train', '--data', dir, '--arch', '784-16-10', '--batch', '20', '--epochs', '2',
      '--schedule', 'step', '--shift', shift, '--save', file]);
    assert.equal(r.status, 0, r.stderr);
    if (shift !== '0') assert.match(r.stdout, new RegExp(`schedule step, shift ${shift}, seed 1;`));
    else assert.doesNotMatch(r.stdout, /, shift \d/);
    return fs.readFileSync(file);
  };
  const a = model('2', 'a'), b = model('2', 'b'), none = model('0', 'none');
  assert.ok(a.equals(b), 'the same seed and --shift 2 gave different models');
  assert.ok(!a.equals(none), '--shift 2 trained the same model as no shift');
});

test('--rotate X and --scale X train with random turns and scalings: reproducible, each changes the model', (t) => {
  const dir = smallDataDir(t), out = tempDir(t);
  const model = (flags, name) => {
    const file = path.join(out, `${name}.model`);
    const r = runBinary(BIN.asanMnist, ['train', '--data', dir, '--arch', '784-16-10', '--batch', '20', '--epochs', '2',
      '--schedule', 'step', '--shift', '0', ...flags, '--save', file]);
    assert.equal(r.status, 0, r.stderr);
    const said = flags.length ? `, ${flags.map((f) => f.replace(/^--/, '')).join(' ').replace(/(\d) (\w)/g, '$1, $2')}` : '';
    assert.match(r.stdout, new RegExp(`schedule step${said}, seed 1;`));
    return fs.readFileSync(file);
  };
  const both = model(['--rotate', '10', '--scale', '0.1'], 'both'), again = model(['--rotate', '10', '--scale', '0.1'], 'again');
  const turned = model(['--rotate', '10'], 'turned'), scaled = model(['--scale', '0.1'], 'scaled'), none = model([], 'none');
  assert.ok(both.equals(again), 'the same seed, --rotate and --scale gave different models');
  for (const [m, what] of [[both, 'both'], [turned, '--rotate'], [scaled, '--scale']]) assert.ok(!m.equals(none), `${what}: the model without`);
  assert.ok(!turned.equals(scaled) && !turned.equals(both));
});

test('presets come from the core\'s table: every one in --help, --preset wide trains 784-256-128-10, --preset cnn its CNN', (t) => {
  const help = runBinary(BIN.mnist, ['--help']).stdout;
  for (const name of ['seed', 'default', 'wide', 'cnn', 'cnn-best']) {
    assert.match(help, new RegExp(`^ +${name} +784-`, 'm'), `--help lacks ${name}`);
  }
  assert.match(help, /^ +wide +784-256-128-10\n +init he, batch 128, step schedule,\n +sgd, lr 0\.05, momentum 0\.9, lr decay 0\.5,$/m);
  assert.match(help, /^ +cnn +784-c16k3-p2-c32k3-p2-64-10\n +init he, batch 64, onecycle schedule, shift 1,\n +adam, lr 0\.005, beta1 0\.9, beta2 0\.9,$/m);
  assert.match(help, /^ +cnn-best +784-c32k3-p2-c64k3-p2-128-10\n +init he, batch 128, onecycle schedule, shift 2,$/m);
  const dir = smallDataDir(t);
  const r = runBinary(BIN.asanMnist, ['train', '--data', dir, '--preset', 'wide', '--iterations', '2']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^training 784-256-128-10 .* preset wide, batch 128, lr 0\.05, momentum 0\.9/m);
  assert.equal(r.json.preset, 'wide');
  assert.equal(r.json.arch, '784-256-128-10');
  assert.equal(r.json.iterations, 2);
  const cnn = runBinary(BIN.asanMnist, ['train', '--data', dir, '--preset', 'cnn', '--iterations', '2']);
  assert.equal(cnn.status, 0, cnn.stderr);
  assert.match(cnn.stdout, /^training 784-c16k3-p2-c32k3-p2-64-10 .* preset cnn, batch 64, lr 0\.005, .*optimizer adam, schedule onecycle, shift 1/m);
  assert.deepEqual([cnn.json.preset, cnn.json.arch, cnn.json.iterations], ['cnn', '784-c16k3-p2-c32k3-p2-64-10', 2]);
});

test('a model with taught examples (version 3) evaluates and predicts, reporting them; a damaged one is refused with one line', (t) => {
  const dir = tempDir(t);
  const model = path.join(dir, 'taught.model');
  const saved = runBinary(BIN.coreCheck, ['teach-save', model]); // 784-16-10 with 3 taught examples
  assert.equal(saved.status, 0, saved.stderr);
  const good = fs.readFileSync(model);
  assert.equal(good.readUInt32LE(8), 3, 'format version 3');
  const examplesAt = 8 + 4 + 4 + 2 * 16 + 4 + 4 * saved.json.parameters; // T, then labels, then pixels
  assert.equal(good.length, examplesAt + 4 + 3 * (1 + 784) + 4);
  assert.equal(good.readUInt32LE(examplesAt), 3);
  const ev = runBinary(BIN.asanMnist, ['eval', '--data', MNIST_DIR, '--model', model]);
  assert.equal(ev.status, 0, ev.stderr);
  assert.equal(ev.json.taught, 3);
  assert.equal(ev.json.arch, '784-16-10');
  assert.match(ev.stdout, /the model keeps 3 taught examples \(drawings taught in the page\); eval does not use them/);
  const images = path.join(MNIST_DIR, 't10k-images-idx3-ubyte.gz');
  const pr = runBinary(BIN.asanMnist, ['predict', '--model', model, '--image', images, '--index', '0']);
  assert.equal(pr.status, 0, pr.stderr);

  const edit = (name, fn) => {
    const b = Buffer.from(good);
    const out = fn(b) || b;
    const file = path.join(dir, `${name}.model`);
    fs.writeFileSync(file, out);
    return file;
  };
  const cases = [
    ['cut', (b) => b.subarray(0, b.length - 500), /cut\.model: truncated: \d+ bytes, expected \d+/],
    ['cut-before', (b) => b.subarray(0, examplesAt + 2), /cut-before\.model: truncated before its taught examples/],
    ['flipped', (b) => { b[examplesAt + 4 + 3 + 300] ^= 0x40; }, /flipped\.model: checksum mismatch .* corrupt/],
    ['label-10', (b) => withFixedCrc((b[examplesAt + 4 + 1] = 10, b)), /label-10\.model: taught example 2 has label 10 \(must be 0\.\.9\)/],
    ['none', (b) => withFixedCrc((b.writeUInt32LE(0, examplesAt), b)), /none\.model: declares 0 taught examples \(must be 1\.\.100\)/],
    ['too-many', (b) => withFixedCrc((b.writeUInt32LE(101, examplesAt), b)), /too-many\.model: declares 101 taught examples/],
    ['trailing', (b) => Buffer.concat([b, Buffer.alloc(3)]), /trailing\.model: 3 bytes of trailing data/],
  ];
  for (const [name, fn, pattern] of cases) {
    expectOneError(['eval', '--data', MNIST_DIR, '--model', edit(name, fn)], 1, pattern);
  }
});

/* ---- special files and the limits of a run (src/cli/cli.h) ---- */

/** A path that is not a regular file must be refused at once: spawned with a timeout, so a
 *  read that blocks (a FIFO with no writer) fails the test instead of hanging it. */
function expectRefusedAtOnce(args, pathName, what) {
  const started = Date.now();
  const line = expectOneError(args, 1, new RegExp(`^mnist: ${literally(pathName)}: ${what}, not a regular file$`),
    { timeout: 10000 });
  assert.ok(Date.now() - started < 10000, `${line}: took ${Date.now() - started} ms`);
}

function mkfifo(file) {
  const r = require('node:child_process').spawnSync('mkfifo', [file]);
  assert.equal(r.status, 0, `mkfifo ${file}: ${r.stderr}`);
  return file;
}

test('a FIFO with no writer is refused at once, not waited on: as a data file, a model, an image, labels and --save', (t) => {
  const dir = tempDir(t);
  const data = smallDataDir(t);
  const model = path.join(dir, 'net.model');
  const trained = runBinary(BIN.mnist, ['train', '--data', data, '--arch', '784-8-10', '--iterations', '1', '--save', model]);
  assert.equal(trained.status, 0, trained.stderr);
  const images = path.join(data, 't10k-images-idx3-ubyte.gz');
  const fifo = mkfifo(path.join(dir, 'fifo'));
  expectRefusedAtOnce(['eval', '--data', data, '--model', fifo], fifo, 'a FIFO \\(named pipe\\)');
  expectRefusedAtOnce(['predict', '--model', model, '--image', fifo], fifo, 'a FIFO \\(named pipe\\)');
  expectRefusedAtOnce(['predict', '--model', model, '--image', images, '--labels', fifo], fifo, 'a FIFO \\(named pipe\\)');
  expectRefusedAtOnce(['train', '--data', data, '--iterations', '1', '--save', fifo], fifo, 'a FIFO \\(named pipe\\)');
  // in a data folder, in place of the compressed file and of the plain one
  const gz = path.join(data, 'train-labels-idx1-ubyte.gz');
  fs.rmSync(gz);
  mkfifo(gz);
  expectRefusedAtOnce(['train', '--data', data, '--iterations', '1'], gz, 'a FIFO \\(named pipe\\)');
  fs.rmSync(gz);
  const plain = mkfifo(path.join(data, 'train-labels-idx1-ubyte'));
  expectRefusedAtOnce(['train', '--data', data, '--iterations', '1'], plain, 'a FIFO \\(named pipe\\)');
});

test('a character device (/dev/zero), a directory and a socket are refused with what they are', async (t) => {
  const dir = tempDir(t);
  const data = smallDataDir(t);
  const images = path.join(data, 't10k-images-idx3-ubyte.gz');
  expectRefusedAtOnce(['predict', '--model', '/dev/zero', '--image', images], '/dev/zero', 'a character device');
  expectRefusedAtOnce(['eval', '--data', data, '--model', dir], dir, 'a directory');
  expectRefusedAtOnce(['train', '--data', data, '--iterations', '1', '--save', dir], dir, 'a directory');
  const folder = path.join(data, 't10k-labels-idx1-ubyte.gz');
  fs.rmSync(folder);
  fs.mkdirSync(folder);
  expectRefusedAtOnce(['train', '--data', data, '--iterations', '1'], folder, 'a directory');
  const socket = path.join(dir, 'socket');
  const server = require('node:net').createServer();
  await new Promise((resolve, reject) => server.listen(socket, resolve).on('error', reject));
  t.after(() => server.close());
  expectRefusedAtOnce(['predict', '--model', socket, '--image', images], socket, 'a socket');
});

/** The limits --help states: [per file, per run] in bytes. */
function limitsFromHelp() {
  const help = runBinary(BIN.mnist, ['--help']).stdout.replace(/\s+/g, ' ');
  const m = help.match(/at most (\d+) MiB once decompressed, and the files of one run together at most (\d+) MiB/);
  assert.ok(m, `--help states no limits:\n${help}`);
  return [Number(m[1]) << 20, Number(m[2]) << 20];
}

/** An IDX image file of `count` blank images, gzipped cheaply: one gzip member of the header
 *  and `count` / 1337 members of 1337 blank images (~1 MiB) each, which inflate as one file. */
function blankImagesGz(count) {
  const chunk = 1337;
  assert.equal(count % chunk, 0);
  const member = zlib.gzipSync(Buffer.alloc(chunk * 784));
  const header = zlib.gzipSync(idxImages(0, { declared: count }));
  return rawFile(Buffer.concat([header, ...Array(count / chunk).fill(member)]));
}

test('the files of one run are bounded together, not just one by one (--help states both limits)', (t) => {
  const [perFile, perRun] = limitsFromHelp();
  assert.equal(perFile, 256 << 20);
  // Two image files each under the per-file cap whose sum passes the run's limit.
  const count = Math.ceil((perRun / 2 + (8 << 20)) / 784 / 1337) * 1337;
  const each = 16 + count * 784;
  assert.ok(each < perFile && 2 * each > perRun, `${each} bytes each`);
  const labels = idxLabels(new Array(count).fill(3));
  const data = smallDataDir(t, {
    'train-images-idx3-ubyte': blankImagesGz(count), 'train-labels-idx1-ubyte': labels,
    't10k-images-idx3-ubyte': blankImagesGz(count), 't10k-labels-idx1-ubyte': labels,
  });
  const mib = (n) => Math.floor(n / (1 << 20));
  expectOneError(['train', '--data', data, '--iterations', '1'], 1, new RegExp(`t10k-images-idx3-ubyte\\.gz: the files of this run would `
    + `hold more than ${mib(perRun)} MiB together once decompressed \\(${mib(each + labels.length)} MiB before this one\\); that is the limit of a run$`));
  // One such file (and its labels, and a model) is within both limits: predict reads them all.
  const model = path.join(tempDir(t), 'net.model');
  const trained = runBinary(BIN.mnist, ['train', '--data', smallDataDir(t), '--arch', '784-8-10', '--iterations', '1', '--save', model]);
  assert.equal(trained.status, 0, trained.stderr);
  const r = runBinary(BIN.mnist, ['predict', '--model', model, '--image', path.join(data, 'train-images-idx3-ubyte.gz'),
    '--labels', path.join(data, 'train-labels-idx1-ubyte.gz'), '--index', String(count - 1)]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual([r.json.index, r.json.label], [count - 1, 3]);
});
