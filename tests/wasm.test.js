'use strict';
/**
 * The WebAssembly module under Node: the engine API (web/worker/engine.js) and
 * bit identity with the native build (the worker's protocol: protocol.test.js).
 */

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');
const { test } = require('node:test');

const {
  BIN, ROOT, MNIST_DIR, runBinary, tempDir, readGz, WASM_PATH, MnistEngine, DEFAULT, SEED, engineWithMnist, mnistSet,
  modelLayout,
} = require('./helpers');
const { fileOf } = require('../common/datasets.js');
const Threads = require('../web/worker/engine-threads.js');

const THREADED_PATH = path.join(ROOT, 'web', 'build', 'mnist-mt.wasm');

/** Trains exactly `iterations` updates, in slices of `slice` samples. */
function trainIterations(engine, iterations, batch, slice) {
  let p = { iterations: 0, samples: 0 };
  while (p.iterations < iterations) {
    const untilTarget = iterations * batch - p.samples;
    p = engine.step(Math.min(slice, untilTarget));
  }
  return p;
}

// ---- engine API --------------------------------------------------------------------

test('engine: loads MNIST, trains, evaluates, predicts, saves and loads a model', async () => {
  const engine = await engineWithMnist();
  assert.equal(engine.count('train'), 60000);
  assert.equal(engine.count('test'), 10000);
  const configured = engine.init(DEFAULT);
  // the config in force, as the core has it: rotate and scale, left out, are the default preset's (off)
  assert.deepEqual(configured, { parameters: 101770, arch: [784, 128, 10], archText: '784-128-10',
    config: { ...DEFAULT, arch: '784-128-10', rotate: 0, scale: 0 } });
  const before = engine.evaluate('test');
  assert.ok(before.accuracy < 0.3, `an untrained net scores ${before.accuracy}`);
  const p = trainIterations(engine, 400, 64, 5000);
  assert.equal(p.iterations, 400);
  assert.equal(p.epoch, 0);
  const after = engine.evaluate('test');
  assert.ok(after.accuracy > 0.9, `after 400 batches: ${after.accuracy}`);
  assert.equal(after.confusion.flat().reduce((a, b) => a + b, 0), 10000);
  const half = engine.evaluate('test', 5000, 5000);
  assert.equal(half.count, 5000);

  const first = engine.predictIndex('test', 0);
  assert.equal(first.label, 7);
  assert.ok(Math.abs(first.probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-5);
  const image = Array.from(engine.image('test', 0).pixels, (v) => v / 255);
  assert.deepEqual(engine.predict(image).probabilities, first.probabilities);

  const model = engine.saveModel();
  const layout = modelLayout(Buffer.from(model));
  assert.deepEqual([layout.version, layout.paramCount, layout.taught], [4, 101770, 0]);
  assert.deepEqual(Object.entries(layout.config).map(([k, v]) => [k, typeof configured.config[k] === 'number' ? Number(v) : v]),
    Object.entries(configured.config), 'the file carries the configuration');
  const params = engine.getParams();
  engine.init({ ...DEFAULT, seed: 9 });
  assert.notDeepEqual(engine.getParams(), params);
  // the model comes back with the configuration it was trained with (not seed 9's)
  assert.deepEqual(engine.loadModel(model), { parameters: 101770, arch: [784, 128, 10], archText: '784-128-10',
    config: configured.config });
  assert.deepEqual(engine.hyper, Object.fromEntries(engine.hyperKeys.map((k) => [k, configured.config[k]])));
  assert.deepEqual(engine.getParams(), params);
  assert.deepEqual(engine.predictIndex('test', 0).probabilities, first.probabilities);
  engine.setParams(new Float32Array(params.length));
  assert.equal(engine.predictIndex('test', 0).confidence.toFixed(6), '0.100000');
});

test('engine: every bad input is an Error with the core message', async () => {
  const engine = await MnistEngine.create(fs.readFileSync(WASM_PATH));
  assert.throws(() => engine.step(10), /no network yet/);
  assert.throws(() => engine.loadSet('train', new Uint8Array(10), new Uint8Array(8), { images: 'my-images.gz' }),
    /my-images\.gz: 10 bytes is too short/);
  const labels = new Uint8Array([0, 0, 8, 1, 0, 0, 0, 2, 3, 12]);
  const images = new Uint8Array(16 + 2 * 784);
  images.set([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 28, 0, 0, 0, 28]);
  assert.throws(() => engine.loadSet('test', images, labels, { labels: 'l.idx' }), /l\.idx: label 12 of image 1 is outside 0\.\.9/);
  assert.throws(() => engine.loadSet('validation', images, labels), /unknown dataset 'validation'/);
  assert.throws(() => engine.init({ ...DEFAULT, arch: [784, 0, 10] }), /hidden layer 1 has 0 units/);
  assert.throws(() => engine.init({ ...DEFAULT, lr: -1 }), /learning rate must be > 0/);
  assert.throws(() => engine.init({ ...DEFAULT, init: 'zeros' }), /unknown initialisation 'zeros'/);
  engine.init(DEFAULT);
  assert.throws(() => engine.step(10), /no training set loaded/);
  assert.throws(() => engine.setHyper({ momentum: 1.5 }), /momentum must be in \[0, 1\)/);
  assert.throws(() => engine.predictIndex('test', 5), /image index outside the dataset/);
  assert.throws(() => engine.predict([1, 2, 3]), /784 values/);
  assert.throws(() => engine.loadModel(new Uint8Array(40)), /not a model file/);
});

// ---- bit identity with the native build ------------------------------------------------

// A convolutional net through the kernels the preset's does not use: a convolution
// without a pool after it (direct, its gradients pixel by pixel), a 3x3 pool (a plain
// pool, gradients from its winners), a padded convolution before a 2x2 pool (direct,
// window by window).
const CNN_PATHS = '784-c4k3-c4k3-p3-c8k3pad1-p2-16-10';

test('WASM and native builds give bit-identical parameters (default: 300 batches; seed: 3 full-batch steps)', async (t) => {
  const dir = tempDir(t);
  const engine = await engineWithMnist();
  const cases = [
    // the preset as it stands (one-cycle planned over the 300 updates, shifts): its config from the rules
    // (the CLI's --iterations replaces the preset's epochs: so does epochs 0 here, for the same configuration)
    { name: 'default', config: { ...engine.rules.presets.default, epochs: 0, iterations: 300 }, iterations: 300, batch: 64,
      args: ['--preset', 'default', '--iterations', '300'] },
    { name: 'SGD, step', config: { ...DEFAULT, epochs: 0, iterations: 300 }, iterations: 300, batch: 64,
      args: ['--arch', '784-128-10', '--schedule', 'step', '--shift', '0', '--iterations', '300'] },
    { name: 'seed', config: { ...SEED, epochs: 0, iterations: 3 }, iterations: 3, batch: 60000, args: ['--preset', 'seed', '--iterations', '3'] },
    // convolutional: the preset's net (first layer from its nonzero pixels, Winograd, gradients
    // from the pools' winners), and one through the other kernels (CNN_PATHS)
    { name: 'cnn', config: { ...engine.rules.presets.cnn, epochs: 0, iterations: 40 }, iterations: 40, batch: engine.rules.presets.cnn.batch,
      args: ['--preset', 'cnn', '--iterations', '40'] },
    { name: 'cnn paths', config: { ...engine.rules.presets.cnn, arch: CNN_PATHS, epochs: 0, iterations: 30 }, iterations: 30,
      batch: engine.rules.presets.cnn.batch,
      args: ['--preset', 'cnn', '--arch', CNN_PATHS, '--iterations', '30'] },
    // the augmentation: turns, scalings and shifts drawn per sample, resampled bilinearly
    { name: 'cnn warped', config: { ...engine.rules.presets.cnn, shift: 1, rotate: 12.5, scale: 0.15, epochs: 0, iterations: 30 },
      iterations: 30, batch: engine.rules.presets.cnn.batch,
      args: ['--preset', 'cnn', '--shift', '1', '--rotate', '12.5', '--scale', '0.15', '--iterations', '30'] },
  ];
  for (const c of cases) {
    const file = path.join(dir, `${c.name}.model`);
    const native = runBinary(BIN.mnist, ['train', '--data', MNIST_DIR, ...c.args, '--save', file]);
    assert.equal(native.status, 0, native.stderr);
    engine.init(c.config);
    trainIterations(engine, c.iterations, c.batch, 7777); // slices that cut batches anywhere
    const wasmModel = Buffer.from(engine.saveModel());
    const nativeModel = fs.readFileSync(file);
    assert.equal(wasmModel.length, nativeModel.length);
    assert.ok(wasmModel.equals(nativeModel), `${c.name}: WASM and native parameters differ`);
    assert.equal(engine.evaluate('test').accuracy.toFixed(4), native.json.test_accuracy.toFixed(4));
  }
});

test('threaded module: 2 threads give the same bits as 1 (default, 200 batches; a deep net, 50 batches; two CNNs, 30)', async () => {
  const one = fs.readFileSync(WASM_PATH);
  const threaded = fs.readFileSync(THREADED_PATH);
  const train = mnistSet('train'), testSet = mnistSet('t10k');
  const probe = await MnistEngine.create(one);
  const RULES = probe.rules;
  probe.destroy();
  const configs = [
    [DEFAULT, 200],
    [{ ...DEFAULT, arch: [784, 300, 100, 10], batch: 100, momentum: 0.5, weightDecay: 0.001 }, 50],
    [{ ...RULES.presets.cnn, shift: 2 }, 30],
    [{ ...RULES.presets.cnn, rotate: 10, scale: 0.1 }, 30],
    [{ ...RULES.presets.cnn, arch: CNN_PATHS, batch: 128 }, 30],
  ];
  for (const [config, iterations] of configs) {
    const models = [];
    for (const threads of [1, 2]) {
      const errors = [];
      const engine = await MnistEngine.create(one, { threads, threadedWasm: threaded, onThreadError: (e) => errors.push(e) });
      assert.deepEqual(errors, []);
      assert.equal(engine.threads, threads);
      assert.throws(() => engine.loadSet('test', new Uint8Array(10), new Uint8Array(8), { images: 'tiny.gz' }),
        /tiny\.gz: 10 bytes is too short/, 'errors read back from (shared) memory');
      engine.loadSet('train', new Uint8Array(train.images), new Uint8Array(train.labels));
      engine.loadSet('test', new Uint8Array(testSet.images), new Uint8Array(testSet.labels));
      engine.init(config);
      trainIterations(engine, iterations, config.batch, 5000);
      models.push({ bytes: Buffer.from(engine.saveModel()), accuracy: engine.evaluate('test').accuracy });
      engine.destroy();
    }
    assert.ok(models[0].bytes.equals(models[1].bytes), `${config.arch}: 1 and 2 threads differ`);
    assert.equal(models[0].accuracy, models[1].accuracy);
  }
});

test('a CNN model file: WASM evaluates it as native does, and trains it on with the same bits on 1 and 2 threads', async (t) => {
  const file = path.join(tempDir(t), 'cnn.model');
  const native = runBinary(BIN.mnist, ['train', '--data', MNIST_DIR, '--arch', '784-c4k3-p2-c8k3-p2-16-10', '--batch', '32',
    '--lr', '0.05', '--iterations', '60', '--save', file]);
  assert.equal(native.status, 0, native.stderr);
  const train = mnistSet('train'), testSet = mnistSet('t10k');
  const models = [];
  for (const threads of [1, 2]) {
    const engine = await MnistEngine.create(fs.readFileSync(WASM_PATH), { threads, threadedWasm: fs.readFileSync(THREADED_PATH) });
    engine.loadSet('train', new Uint8Array(train.images), new Uint8Array(train.labels));
    engine.loadSet('test', new Uint8Array(testSet.images), new Uint8Array(testSet.labels));
    const loaded = engine.loadModel(fs.readFileSync(file));
    assert.equal(loaded.parameters, native.json.parameters);
    const before = engine.evaluate('test');
    assert.equal(before.accuracy.toFixed(4), native.json.test_accuracy.toFixed(4));
    assert.equal(before.loss.toFixed(4), native.json.test_loss.toFixed(4));
    const p = engine.predictIndex('test', 0);
    assert.equal(p.activations.length, 6, 'one array of outputs per layer (conv, pool, conv, pool, dense, dense)');
    assert.equal(p.activations[0].length, 26 * 26 * 4);
    assert.equal(engine.hyper.batch, 32, 'a loaded model trains on with the hyperparameters it was trained with');
    trainIterations(engine, 20, 32, 1000);
    models.push(Buffer.from(engine.saveModel()));
    engine.destroy();
  }
  assert.ok(models[0].equals(models[1]), 'a CNN trained on 1 and 2 threads differs');
});

// ---- the module's surface ------------------------------------------------------------------

test('module exports: the plain names, the thread controls, and no wasm_ prefix left', () => {
  const names = (file) => WebAssembly.Module.exports(new WebAssembly.Module(fs.readFileSync(file))).map((e) => e.name);
  const one = names(WASM_PATH), threaded = names(THREADED_PATH);
  for (const name of ['config_begin', 'config_number', 'config_text', 'config_create', 'config_apply', 'config_json',
    'step', 'predict', 'predict_index', 'dataset_file', 'load_dataset', 'check_dataset', 'dataset_count', 'evaluate', 'evaluation', 'evaluation_fields', 'evaluation_confusion', 'classify', 'model_save', 'model_load',
    'model_size', 'rules', 'progress', 'progress_fields', 'error_message', 'error_field', 'mem_alloc', 'mem_free',
    'threads', 'set_helpers', 'arch']) {
    assert.ok(one.includes(name), `mnist.wasm does not export ${name}`);
    assert.ok(threaded.includes(name), `mnist-mt.wasm does not export ${name}`);
  }
  assert.ok(!one.includes('init') && !one.includes('set_hyper'), 'no positional hyperparameter list');
  assert.ok(threaded.includes('helper_loop'));
  assert.ok(!one.includes('helper_loop'), 'the one-thread module has no helper threads');
  assert.deepEqual(one.filter((n) => n.startsWith('wasm_')), []);
  // the shared memory's size is declared once (Makefile MT_FLAGS) and read from the module
  const limits = Threads.memoryImportLimits(fs.readFileSync(THREADED_PATH));
  assert.equal(limits.shared, true);
  assert.ok(limits.initial >= 256 && limits.maximum >= limits.initial, JSON.stringify(limits));
  assert.equal(Threads.memoryImportLimits(fs.readFileSync(WASM_PATH)), null);
});

test('rules: the core\'s presets are the CLI\'s (same bits), with limits for every setting', async (t) => {
  const engine = await engineWithMnist();
  const { rules } = engine;
  assert.deepEqual(Object.keys(rules.presets), ['seed', 'default', 'wide', 'cnn', 'cnn-best']);
  assert.deepEqual(rules.inits, ['he', 'seed']);
  assert.equal(rules.pixels, 784);
  assert.equal(rules.classes, 10);
  assert.deepEqual(rules.presets.wide, {
    arch: '784-256-128-10', init: 'he', seed: 1, batch: 128, lr: 0.05, momentum: 0.9, weightDecay: 0, lrDecay: 0.5,
    epochs: 8, iterations: 0, shift: 0, optimizer: 'sgd', schedule: 'step', beta1: 0.9, beta2: 0.999, eps: 1e-8,
    rotate: 0, scale: 0,
    description: 'Two hidden layers, 8 epochs of SGD with momentum and a step schedule, no shifts: 97.77% on MNIST ' +
      '(seed 1); the one-cycle default does better in less time.',
    expect: '97.8% after 8 epochs, about 12 s (18 s from a file)', target: 0,
  });
  // every preset says what to expect in the page
  for (const [name, p] of Object.entries(rules.presets)) assert.match(p.expect, /^\d+(\.\d)?% after .+, about \d+(-\d+)? (s|min)/, name);
  assert.deepEqual([rules.optimizers, rules.schedules], [['sgd', 'adam'], ['step', 'onecycle']]);
  assert.deepEqual(rules.presets.seed.arch, '784-10-10');
  assert.equal(rules.presets.seed.epochs, 500);
  assert.deepEqual([rules.presets.cnn.arch, rules.presets.cnn.optimizer, rules.presets.cnn.schedule, rules.presets.cnn.beta2],
    ['784-c16k3-p2-c32k3-p2-64-10', 'adam', 'onecycle', 0.9]);
  assert.deepEqual(rules.limits.lr, { min: 0, max: 100, minExclusive: true });
  assert.deepEqual(rules.limits.batch, { min: 1, max: 1000000, integer: true });
  assert.deepEqual(rules.limits.seed, { min: 0, max: 4294967295, integer: true });
  // a limit for every numeric setting (in the table's order), then the structure's
  assert.deepEqual(Object.keys(rules.limits), [...rules.settings.filter((x) => 'min' in x).map((x) => x.key),
    'layers', 'width', 'channels']);
  assert.deepEqual(rules.limits.shift, { min: 0, max: 4, integer: true }); // augmentation, off by default
  assert.deepEqual([rules.limits.rotate, rules.limits.scale], [{ min: 0, max: 45 }, { min: 0, max: 0.5 }]);
  const help = runBinary(BIN.mnist, ['--help']).stdout;
  const dir = tempDir(t);
  // MNIST's training set (the bits depend on it) and its first 100 test images: the CLI's
  // test pass through cnn-best's network would take a minute
  const data = tempDir(t);
  for (const part of ['images', 'labels']) {
    fs.symlinkSync(path.join(MNIST_DIR, fileOf('train', part).file), path.join(data, fileOf('train', part).file));
    const [header, size] = part === 'images' ? [16, 784] : [8, 1];
    const few = Buffer.from(readGz(path.join(MNIST_DIR, fileOf('test', part).file)).subarray(0, header + 100 * size));
    few.writeUInt32BE(100, 4);
    fs.writeFileSync(path.join(data, fileOf('test', part).file), zlib.gzipSync(few));
  }
  for (const [name, preset] of Object.entries(rules.presets)) {
    assert.ok(help.includes(preset.description.split(' ').slice(0, 3).join(' ')), `--help lacks ${name}'s description`);
    const iterations = name === 'seed' || name.startsWith('cnn') ? 2 : 20; // a CNN's are slow: 2 show the bits
    const file = path.join(dir, `${name}.model`);
    const native = runBinary(BIN.mnist, ['train', '--data', data, '--preset', name, '--iterations', String(iterations), '--save', file]);
    assert.equal(native.status, 0, native.stderr);
    assert.equal(native.json.preset, name);
    assert.equal(native.json.arch, preset.arch);
    // the CLI plans a one-cycle schedule over its --iterations: so does the engine, given them
    const configured = engine.init({ ...preset, epochs: 0, iterations });
    assert.equal(configured.archText, preset.arch);
    trainIterations(engine, iterations, Math.min(preset.batch, 60000), 3000);
    assert.ok(Buffer.from(engine.saveModel()).equals(fs.readFileSync(file)), `${name}: the engine and the CLI differ`);
  }
});

test('a rejected setting names its field (error.field), in init and setHyper', async () => {
  const engine = await MnistEngine.create(fs.readFileSync(WASM_PATH));
  const rejected = (fn) => {
    try {
      fn();
    } catch (error) {
      return { field: error.field, message: error.message };
    }
    assert.fail('accepted');
  };
  const cases = [
    ['lr', { lr: 0 }, /learning rate/], ['lr', { lr: 101 }, /learning rate/], ['batch', { batch: 0 }, /batch size 0/],
    ['batch', { batch: 2.5 }, /whole number/], ['momentum', { momentum: 1 }, /momentum/],
    ['weightDecay', { weightDecay: -0.1 }, /weight decay/], ['lrDecay', { lrDecay: 0 }, /learning-rate decay/],
    ['epochs', { epochs: 100001 }, /epochs 100001 out of range/], ['epochs', { epochs: 0, iterations: 0 }, /set epochs or iterations/],
    ['iterations', { iterations: -1 }, /iterations/], ['iterations', { iterations: 1e9 }, /iterations/],
    ['seed', { seed: 4294967296 }, /seed 4294967296 out of range/], ['seed', { seed: -1 }, /seed/],
    ['arch', { arch: [784, 0, 10] }, /hidden layer 1/], ['arch', { arch: [785, 10] }, /input layer/],
    ['arch', { arch: [784, 1.5, 10] }, /whole numbers/], ['arch', { arch: [784, 1, 1, 1, 1, 1, 1, 1, 1, 10] }, /layer widths|weight layers/],
    ['init', { init: 'zeros' }, /unknown initialisation 'zeros'/], ['lr', { lr: undefined }, /lr is missing/],
    ['batch', { batch: '64' }, /batch must be a number, not "64"/], ['momentum', { momentum: true }, /momentum must be a number/],
    ['arch', { arch: '784-c16k9-p2-p2-p2-p2-p2-10' }, /after layer 5 the image is 1×1, too small for a 2×2 pool/],
    ['arch', { arch: '784-c16k3-banana-10' }, /layer 2 \('banana'\) is not a width/], ['arch', { arch: 784 }, /architecture must be/],
    ['optimizer', { optimizer: 'rmsprop' }, /unknown optimizer 'rmsprop' \(expected sgd or adam\)/],
    ['optimizer', { optimizer: 1 }, /optimizer must be a name/], ['schedule', { schedule: 'cosine' }, /unknown schedule 'cosine'/],
    ['beta1', { beta1: 1 }, /beta1/], ['beta2', { beta2: -0.1 }, /beta2/], ['eps', { eps: 0 }, /eps/],
    ['shift', { shift: 5 }, /shift 5 out of range/], ['shift', { shift: undefined }, /shift is missing/],
    ['rotate', { rotate: 46 }, /rotation must be >= 0 and <= 45, got 46/], ['rotate', { rotate: '5' }, /rotate must be a number/],
    ['scale', { scale: -0.1 }, /scaling must be in \[0, 0.5\], got -0.1/], ['scale', { scale: null }, /scale must be a number/],
  ];
  for (const [field, change, message] of cases) {
    const r = rejected(() => engine.init({ ...DEFAULT, ...change }));
    assert.equal(r.field, field, `${JSON.stringify(change)}: ${r.message}`);
    assert.match(r.message, message);
  }
  engine.init(DEFAULT);
  for (const [field, change, message] of cases.filter(([f]) => !['arch', 'init', 'seed'].includes(f))) {
    const r = rejected(() => engine.setHyper(change));
    assert.equal(r.field, field, `setHyper ${JSON.stringify(change)}: ${r.message}`);
    assert.match(r.message, message);
  }
  assert.deepEqual(engine.setHyper({ lr: 0.5, epochs: 7 }),
    { batch: 64, lr: 0.5, momentum: 0.9, weightDecay: 0, lrDecay: 0.3, epochs: 7, iterations: 0, optimizer: 'sgd',
      schedule: 'step', beta1: 0.9, beta2: 0.999, eps: 1e-8, shift: 0, rotate: 0, scale: 0 });
  // only what a run can change (the core's rules.hyper): the rest needs a new network
  for (const [change, message] of [[{ seed: -1 }, /seed cannot change during a run/], [{ init: 'bogus' }, /init cannot change/],
    [{ arch: '784-10' }, /arch cannot change/], [{ lr: 0.2, learningRate: 1 }, /unknown setting 'learningRate'/]]) {
    const r = rejected(() => engine.setHyper(change));
    assert.equal(r.field, Object.keys(change).pop());
    assert.match(r.message, message);
  }
  assert.equal(engine.hyper.lr, 0.5, 'a refused change changes nothing');
  assert.equal(rejected(() => engine.step(10)).field, null, 'not a setting: no field');
  assert.equal(rejected(() => engine.loadModel(new Uint8Array(40))).field, null);
});

test('evaluate: running totals over slices equal one pass over the set', async () => {
  const engine = await engineWithMnist();
  engine.init(DEFAULT);
  trainIterations(engine, 50, 64, 3200);
  const whole = engine.evaluate('test');
  let totals = null;
  for (let first = 0; first < 10000; first += 1234) {
    totals = engine.evaluate('test', first, Math.min(1234, 10000 - first), { reset: first === 0 });
  }
  assert.deepEqual(totals, whole);
  assert.equal(totals.count, 10000);
  const again = engine.evaluate('test', 0, 100); // reset by default
  assert.equal(again.count, 100);
});

test('evaluate with images: every image\'s class and probability from the same pass, the bits classify gives', async () => {
  const engine = await engineWithMnist();
  engine.init(DEFAULT);
  trainIterations(engine, 50, 64, 3200);
  const classified = engine.classify('test');
  let totals = null;
  for (let first = 0; first < 10000; first += 1234) {
    totals = engine.evaluate('test', first, Math.min(1234, 10000 - first), { reset: first === 0, images: true });
  }
  const images = engine.evaluatedImages('test');
  assert.deepEqual(images.predicted, classified.predicted);
  assert.deepEqual(Buffer.from(images.confidence.buffer), Buffer.from(classified.confidence.buffer));
  assert.equal(totals.correct, Array.from(images.predicted).filter((c, i) => c === engine.labels('test')[i]).length);
  // without `images`, an evaluation leaves them as they were (the network has moved on since)
  trainIterations(engine, 5, 64, 320);
  engine.evaluate('test');
  assert.deepEqual(engine.evaluatedImages('test').predicted, images.predicted);
  // a test set of another size: the module writes none into the buffer kept for the old one
  const labels = engine.labels('test');
  const small = 100, idxImages = new Uint8Array(16 + small * 784), idxLabels = new Uint8Array(8 + small);
  new DataView(idxImages.buffer).setUint32(0, 0x803); new DataView(idxImages.buffer).setUint32(4, small);
  new DataView(idxImages.buffer).setUint32(8, 28); new DataView(idxImages.buffer).setUint32(12, 28);
  new DataView(idxLabels.buffer).setUint32(0, 0x801); new DataView(idxLabels.buffer).setUint32(4, small);
  for (let i = 0; i < small; i++) { idxImages.set(engine.image('test', i).pixels, 16 + i * 784); idxLabels[8 + i] = labels[i]; }
  const kept = engine.imageBuffers.test.ptr;
  const before = engine.bytes().slice(kept, kept + 5 * 10000);
  engine.x.evaluate_images(1, kept); // registered for the 10,000-image set ...
  engine.loadSet('test', idxImages, idxLabels);
  engine.x.evaluate(1, 0, small, 1); // ... so an evaluation of the 100-image one writes none of it
  assert.deepEqual(engine.bytes().slice(kept, kept + 5 * 10000), before);
  const fresh = engine.evaluate('test', 0, small, { images: true });
  assert.equal(fresh.count, small);
  assert.deepEqual(engine.evaluatedImages('test').predicted, engine.classify('test').predicted);
});
