'use strict';
/**
 * This project's WebAssembly build (web/build/mnist.wasm through
 * web/worker/engine.js), one thread (or --threads N: the threaded build),
 * trained the way the page's worker does:
 * engine.step(slice) again and again, slices of a few thousand samples
 * (--slice, default 4096; the worker aims at about 40 ms per slice, which is
 * about 3,000 samples at these speeds). The engine shuffles the training
 * set at the start of every epoch (its own PCG32, seeded).
 *
 * Same protocol as the other runners (bench/runners/common.js), but the
 * engine trains whole slices, so the warm-up and the timed epoch are driven
 * here: warm-up on a throwaway network for `warmup` batches, then
 * engine.init() makes a fresh network and one epoch is timed. The engine's
 * own choice between 1 and N threads is off (probeThreads: false): a run with
 * --threads N measures N threads.
 *
 * With --recipe (the CNN rows): the protocol of common.js runCnnProtocol
 * (recipe.epochs epochs, the test set evaluated after each, no warm-up),
 * driven through engine.step() slices that stop at each epoch's end and
 * engine.evaluate('test'). The network and its hyperparameters come from the
 * core's `cnn` preset when engine.rules has one (checked against the
 * recipe, which bench/recipe.js reads from it), else from engine.init() with
 * the recipe's settings. If the engine
 * cannot take them (web/worker/engine.js before it learned architecture
 * strings and Adam), the run is a labelled stand-in, for speed only: the
 * recipe's network, He-initialised by the native CLI (one update at a rate of
 * 1e-9 on 64 images, saved as a model file), loaded into the engine and
 * trained with SGD (momentum 0.9, the recipe's peak rate, no schedule):
 * the same forward and backward passes, a cheaper update, another accuracy.
 * (--cli PATH: the native CLI, default build/mnist.)
 */

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const zlib = require('node:zlib');
const { spawnSync } = require('node:child_process');
const { parseArgs, readIdxFiles, cnnResult, main, ROOT } = require('./common');
const { fileOf } = require('../../common/datasets.js');
const { MnistEngine } = require('../../scripts/lib/engine.js');

main(async () => {
  const args = parseArgs();
  const slice = Number(args.slice || 4096);
  const wasmFile = args.wasm || path.join(ROOT, 'web', 'build', 'mnist.wasm');
  // --threads N (N > 1): the threaded build (web/build/mnist-mt.wasm) with
  // N-1 helper threads, as the page runs it when cross-origin isolated.
  const threads = Number(args.threads || 1);
  let threadError = null;
  const engine = await MnistEngine.create(fs.readFileSync(wasmFile), threads > 1 ? {
    threads,
    threadedWasm: fs.readFileSync(args['threaded-wasm'] || path.join(ROOT, 'web', 'build', 'mnist-mt.wasm')),
    onThreadError: (e) => { threadError = e; },
    probeThreads: false,
  } : {});
  if (threads > 1 && (engine.threads || 1) !== threads) {
    throw new Error(`asked for ${threads} threads, the engine runs ${engine.threads || 1}${threadError ? ` (${threadError.message})` : ''}`);
  }
  const files = readIdxFiles(args.data);
  engine.loadSet('train', files.train.images, files.train.labels);
  engine.loadSet('test', files.test.images, files.test.labels);
  if (args.recipe) return cnn(args, engine, slice);
  const n = engine.count('train');
  const config = (seed) => ({
    arch: args.sizes, init: 'he', seed, batch: args.batch, lr: args.lr, momentum: 0, weightDecay: 0, lrDecay: 1,
    epochs: 1, iterations: 0,
    // plain SGD at a constant rate, no shifts (Adam's settings unused, but the engine takes every one)
    optimizer: 'sgd', schedule: 'step', beta1: 0.9, beta2: 0.999, eps: 1e-8, shift: 0,
  });

  // warm-up: a throwaway network, `warmup` batches
  engine.init(config(args.seed + 1000));
  let left = Math.min(args.warmup * args.batch, n);
  while (left > 0) {
    const p = engine.step(Math.min(slice, left));
    left -= Math.min(slice, left);
    if (p.epochEnded) break;
  }

  // the timed epoch (or its first --samples samples) on a fresh network
  engine.init(config(args.seed));
  const total = args.samples > 0 ? Math.min(args.samples, n) : n;
  let done = 0;
  let progress = null;
  const t0 = process.hrtime.bigint();
  while (done < total) {
    progress = engine.step(Math.min(slice, total - done));
    done = progress.epochEnded ? n : progress.epochSamples;
    if (progress.diverged) throw new Error('training diverged');
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const evaluation = engine.evaluate('test');
  const threadsUsed = engine.threads || 1;
  if (engine.destroy) engine.destroy(); // helper threads would keep the process alive
  return {
    samples_timed: total,
    seconds_timed: seconds,
    samples_per_second: total / seconds,
    seconds_per_epoch: (seconds * n) / total,
    test_accuracy: evaluation.accuracy,
    train_loss: progress.epochLoss,
    threads: threadsUsed,
    slice,
  };
});

/** The CNN rows (see the top). */
function cnn(args, engine, slice) {
  const recipe = args.recipe;
  const stand = setUp(args, engine);
  const n = engine.count('train'), testCount = engine.count('test');
  const totalSteps = Math.ceil(n / recipe.batch) * recipe.epochs;
  const steps = args.steps > 0 ? Math.min(args.steps, totalSteps) : totalSteps;
  const subset = steps < totalSteps;
  const testImages = subset && args['test-images'] > 0 ? Math.min(args['test-images'], testCount) : testCount;
  const seconds = () => Number(process.hrtime.bigint()) / 1e9;
  const started = seconds();
  let trainSeconds = 0, evalSeconds = 0, progress = { iterations: 0, samples: 0 };
  const accuracies = [];
  for (let epoch = 0; epoch < recipe.epochs && progress.iterations < steps; epoch++) {
    let t0 = seconds();
    for (;;) { // slices up to the epoch's end (or the last timed update)
      const left = subset ? steps * recipe.batch - progress.samples : slice; // --steps: within the first epoch
      progress = engine.step(Math.min(slice, left));
      if (progress.diverged) throw new Error('training diverged');
      if (progress.epochEnded || progress.iterations >= steps) break;
    }
    trainSeconds += seconds() - t0;
    t0 = seconds();
    accuracies.push(engine.evaluate('test', 0, testImages).accuracy);
    evalSeconds += seconds() - t0;
  }
  const wall = seconds() - started;
  const threads = engine.threads || 1;
  if (engine.destroy) engine.destroy(); // helper threads would keep the process alive
  return cnnResult({ recipe, samples: progress.samples, trainSeconds, evalSeconds, evaluations: accuracies.length, testImages,
    steps, totalSteps, wallSeconds: subset ? null : wall, accuracy: subset ? null : accuracies[accuracies.length - 1],
    accuracies: subset ? null : accuracies, subsetAccuracy: accuracies[accuracies.length - 1],
    extra: { threads, slice, ...(stand ? { stand_in: stand } : {}) } });
}

/** A fresh network with the recipe (null), or the stand-in's reason (see the top). */
function setUp(args, engine) {
  const recipe = args.recipe;
  const hyper = {
    batch: recipe.batch, lr: recipe.lr, momentum: 0, weightDecay: 0, lrDecay: 1, epochs: recipe.epochs, iterations: 0,
    optimizer: recipe.optimizer, schedule: recipe.schedule, beta1: recipe.beta1, beta2: recipe.beta2, eps: recipe.eps, shift: 0,
  };
  const preset = engine.rules.presets.cnn;
  if (preset) {
    const same = (a, b) => a === b || (typeof a === 'number' && Math.abs(a - b) <= 1e-6 * Math.abs(b)); // float32 settings
    // every setting but the run's length and seed (the recipe's own)
    const differs = Object.keys(preset).filter((k) => !['epochs', 'iterations', 'seed', 'description', 'expect'].includes(k)
      && k in recipe && !same(preset[k], recipe[k]) && !(k === 'arch' && String(preset.arch).replace(/,/g, '-') === recipe.arch));
    if (differs.length) throw new Error(`the core's cnn preset differs from the bench's recipe in ${differs.join(', ')}`);
    engine.init({ ...preset, seed: recipe.seed, epochs: recipe.epochs, iterations: 0 });
  } else {
    try {
      engine.init({ arch: recipe.arch, init: recipe.init, seed: recipe.seed, ...hyper });
    } catch (err) {
      return standIn(args, engine, `engine.init cannot create it ("${err.message}")`);
    }
  }
  const h = engine.hyper || {};
  const missing = ['optimizer', 'schedule', 'beta2'].filter((k) => h[k] !== hyper[k]);
  if (missing.length) return standIn(args, engine, `the engine does not take ${missing.join(', ')}`);
  return null;
}

function standIn(args, engine, reason) {
  const recipe = args.recipe;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-cnn-'));
  try {
    // 64 images of each set, as IDX files, for a run that only initialises and saves the network.
    const raw = readIdxFiles(args.data);
    const head = (bytes, header, item) => zlib.gzipSync(Buffer.concat([
      Buffer.from(bytes.subarray(0, header)), Buffer.from(bytes.subarray(header, header + 64 * item))]).fill(0, 4, 7).fill(64, 7, 8));
    for (const set of ['train', 'test']) {
      fs.writeFileSync(path.join(dir, fileOf(set, 'images').file), head(raw[set].images, 16, 784));
      fs.writeFileSync(path.join(dir, fileOf(set, 'labels').file), head(raw[set].labels, 8, 1));
    }
    const model = path.join(dir, 'cnn.model');
    const cli = args.cli || path.join(ROOT, 'build', 'mnist');
    const r = spawnSync(cli, ['train', '--data', dir, '--arch', recipe.arch, '--init', recipe.init, '--seed', String(recipe.seed),
      '--batch', '64', '--lr', '1e-9', '--momentum', '0', '--iterations', '1', '--save', model], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`stand-in network (${reason}): ${cli} failed: ${(r.stderr || r.error || '').toString().trim()}`);
    engine.loadModel(fs.readFileSync(model));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  engine.setHyper({ batch: recipe.batch, lr: recipe.lr, momentum: 0.9, weightDecay: 0, lrDecay: 1, epochs: recipe.epochs, iterations: 0 });
  return { reason, measured: `SGD, momentum 0.9, lr ${recipe.lr} constant, from the native CLI's He init: same passes, not the recipe's accuracy` };
}
