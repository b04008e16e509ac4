'use strict';
/**
 * Run by relaxed.test.js in a Node that runs relaxed SIMD (Node 20 needs
 * --experimental-wasm-relaxed-simd, which the test gives it when it must):
 *   node tests/relaxed-child.js train EPOCHS SEED   the cnn preset, EPOCHS epochs, with the
 *        default module and with the relaxed-SIMD one; prints one JSON line:
 *        { plain: {accuracy, model}, relaxed: {accuracy, model} } (model: base64)
 *   node tests/relaxed-child.js threads ITERATIONS  the cnn preset's first ITERATIONS updates
 *        with the relaxed pair on one thread and on two; prints { one, two } (models, base64)
 */
const fs = require('node:fs');
const path = require('node:path');
const { ROOT, WASM_PATH, MnistEngine, mnistSet } = require('./helpers');

const RELAXED = path.join(ROOT, 'web', 'build', 'mnist-relaxed.wasm');
const RELAXED_MT = path.join(ROOT, 'web', 'build', 'mnist-relaxed-mt.wasm');

async function engineOn(file, options) {
  const engine = await MnistEngine.create(fs.readFileSync(file), options);
  const train = mnistSet('train'), testSet = mnistSet('t10k');
  engine.loadSet('train', new Uint8Array(train.images), new Uint8Array(train.labels));
  engine.loadSet('test', new Uint8Array(testSet.images), new Uint8Array(testSet.labels));
  return engine;
}

/** Trains `epochs` whole epochs, or the first `iterations` updates of `batch` samples, in
 *  slices that cut batches anywhere; -> the model's bytes, base64. */
function trainFor(engine, { epochs = 0, iterations = 0, batch = 0 }) {
  let p = { samples: 0 }, ended = 0;
  while (epochs ? ended < epochs : p.samples < iterations * batch) {
    p = engine.step(epochs ? 7777 : Math.min(7777, iterations * batch - p.samples));
    if (p.diverged) throw new Error('training diverged');
    if (p.epochEnded) ended++;
  }
  return Buffer.from(engine.saveModel()).toString('base64');
}

async function train(epochs, seed) {
  const out = {};
  for (const [name, file] of [['plain', WASM_PATH], ['relaxed', RELAXED]]) {
    const engine = await engineOn(file);
    engine.init({ ...engine.rules.presets.cnn, seed, epochs, iterations: 0 });
    const model = trainFor(engine, { epochs });
    out[name] = { accuracy: engine.evaluate('test').accuracy, model };
  }
  return out;
}

async function threads(iterations) {
  const out = {};
  for (const [name, count] of [['one', 1], ['two', 2]]) {
    const errors = [];
    const engine = await engineOn(RELAXED, count > 1 ? {
      threads: count, threadedWasm: fs.readFileSync(RELAXED_MT), probeThreads: false, onThreadError: (e) => errors.push(e.message),
    } : {});
    if ((engine.threads || 1) !== count) throw new Error(`asked for ${count} threads, got ${engine.threads || 1} ${errors.join('; ')}`);
    const cnn = engine.rules.presets.cnn;
    engine.init({ ...cnn, epochs: 0, iterations });
    out[name] = trainFor(engine, { iterations, batch: cnn.batch });
    if (engine.destroy) engine.destroy();
  }
  return out;
}

const [mode, a, b] = process.argv.slice(2);
(mode === 'train' ? train(Number(a), Number(b)) : mode === 'threads' ? threads(Number(a)) : Promise.reject(new Error(`unknown mode ${mode}`)))
  .then((r) => process.stdout.write(`${JSON.stringify(r)}\n`, () => process.exit(0)), // (exit once written: a pipe is asynchronous)
    (e) => { process.stderr.write(`${e.stack || e}\n`); process.exit(1); });
