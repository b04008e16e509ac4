'use strict';
/**
 * The WebAssembly module under Node: the engine API (web/worker/engine.js) and
 * bit identity with the native build (the worker's protocol: protocol.test.js).
 */

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');

const {
  BIN, ROOT, MNIST_DIR, runBinary, tempDir, WASM_PATH, MnistEngine, DEFAULT, SEED, engineWithMnist, mnistSet,
} = require('./helpers');

/** Trains exactly `iterations` updates, in slices of `slice` samples. */
function trainIterations(engine, iterations, batch, slice) {
  let p = { iterations: 0, samples: 0 };
  while (p.iterations < iterations) {
    const untilTarget = iterations * batch - p.samples;
    p = engine.train(Math.min(slice, untilTarget));
  }
  return p;
}

// ---- engine API --------------------------------------------------------------------

test('engine: loads MNIST, trains, evaluates, predicts, saves and loads a model', async () => {
  const engine = await engineWithMnist();
  assert.equal(engine.count('train'), 60000);
  assert.equal(engine.count('test'), 10000);
  const configured = engine.configure(DEFAULT);
  assert.deepEqual(configured, { parameters: 101770, arch: [784, 128, 10] });
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
  assert.deepEqual(engine.predictImage(image).probabilities, first.probabilities);

  const model = engine.saveModel();
  assert.equal(model.length, 407116);
  const params = engine.getParams();
  engine.configure({ ...DEFAULT, seed: 9 });
  assert.notDeepEqual(engine.getParams(), params);
  assert.deepEqual(engine.loadModel(model), { parameters: 101770, arch: [784, 128, 10] });
  assert.deepEqual(engine.getParams(), params);
  assert.deepEqual(engine.predictIndex('test', 0).probabilities, first.probabilities);
  engine.setParams(new Float32Array(params.length));
  assert.equal(engine.predictIndex('test', 0).confidence.toFixed(6), '0.100000');
});

test('engine: every bad input is an Error with the core message', async () => {
  const engine = await MnistEngine.create(fs.readFileSync(WASM_PATH));
  assert.throws(() => engine.train(10), /no network yet/);
  assert.throws(() => engine.loadSet('train', new Uint8Array(10), new Uint8Array(8), { images: 'my-images.gz' }),
    /my-images\.gz: 10 bytes is too short/);
  const labels = new Uint8Array([0, 0, 8, 1, 0, 0, 0, 2, 3, 12]);
  const images = new Uint8Array(16 + 2 * 784);
  images.set([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 28, 0, 0, 0, 28]);
  assert.throws(() => engine.loadSet('test', images, labels, { labels: 'l.idx' }), /l\.idx: label 12 of image 1 is outside 0\.\.9/);
  assert.throws(() => engine.loadSet('validation', images, labels), /unknown dataset 'validation'/);
  assert.throws(() => engine.configure({ ...DEFAULT, arch: [784, 0, 10] }), /hidden layer 1 has 0 units/);
  assert.throws(() => engine.configure({ ...DEFAULT, lr: -1 }), /learning rate must be > 0/);
  assert.throws(() => engine.configure({ ...DEFAULT, init: 'zeros' }), /unknown initialisation 'zeros'/);
  engine.configure(DEFAULT);
  assert.throws(() => engine.train(10), /no training set loaded/);
  assert.throws(() => engine.setHyper({ ...DEFAULT, momentum: 1.5 }), /momentum must be in \[0, 1\)/);
  assert.throws(() => engine.predictIndex('test', 5), /image index outside the dataset/);
  assert.throws(() => engine.predictImage([1, 2, 3]), /784 values/);
  assert.throws(() => engine.loadModel(new Uint8Array(40)), /not a model file/);
});

// ---- bit identity with the native build ------------------------------------------------

test('WASM and native builds give bit-identical parameters (default: 300 batches; seed: 3 full-batch steps)', async (t) => {
  const dir = tempDir(t);
  const engine = await engineWithMnist();
  const cases = [
    { name: 'default', config: DEFAULT, iterations: 300, batch: 64, args: ['--preset', 'default', '--iterations', '300'] },
    { name: 'seed', config: SEED, iterations: 3, batch: 60000, args: ['--preset', 'seed', '--iterations', '3'] },
  ];
  for (const c of cases) {
    const file = path.join(dir, `${c.name}.model`);
    const native = runBinary(BIN.mnist, ['train', '--data', MNIST_DIR, ...c.args, '--save', file]);
    assert.equal(native.status, 0, native.stderr);
    engine.configure(c.config);
    trainIterations(engine, c.iterations, c.batch, 7777); // slices that cut batches anywhere
    const wasmModel = Buffer.from(engine.saveModel());
    const nativeModel = fs.readFileSync(file);
    assert.equal(wasmModel.length, nativeModel.length);
    assert.ok(wasmModel.equals(nativeModel), `${c.name}: WASM and native parameters differ`);
    assert.equal(engine.evaluate('test').accuracy.toFixed(4), native.json.test_accuracy.toFixed(4));
  }
});

test('threaded module: 2 threads give the same bits as 1 (default, 200 batches; a deep net, 50 batches)', async () => {
  const one = fs.readFileSync(WASM_PATH);
  const threaded = fs.readFileSync(path.join(ROOT, 'web', 'build', 'mnist-mt.wasm'));
  const train = mnistSet('train'), testSet = mnistSet('t10k');
  const configs = [
    [DEFAULT, 200],
    [{ ...DEFAULT, arch: [784, 300, 100, 10], batch: 100, momentum: 0.5, weightDecay: 0.001 }, 50],
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
      engine.configure(config);
      trainIterations(engine, iterations, config.batch, 5000);
      models.push({ bytes: Buffer.from(engine.saveModel()), accuracy: engine.evaluate('test').accuracy });
      engine.destroy();
    }
    assert.ok(models[0].bytes.equals(models[1].bytes), `${config.arch.join('-')}: 1 and 2 threads differ`);
    assert.equal(models[0].accuracy, models[1].accuracy);
  }
});
