'use strict';
/**
 * Shared by the runners of `make bench` (bench/runners/*.js): argument
 * parsing, MNIST loading, a seeded shuffle, the timed-epoch protocol and the
 * result line that bench/run.js reads.
 *
 * Every runner is started by bench/run.js in a fresh Node process as
 *   node bench/runners/NAME.js --data DIR --arch 784-128-10 --layers JSON --batch 64 --lr 0.1
 *        --warmup 50 [--samples N] [--seed 1] [other runner options]
 * (--layers: the core's description of --arch, mnist_arch_describe's layers; the
 * architecture grammar's one home is the core, so no runner parses the text)
 * and ends by printing ONE line: BENCH_RESULT {json}. The protocol, the same
 * for every runner:
 *   1. load and decompress the data (not timed);
 *   2. warm up: `warmup` batches on a throwaway network (not timed);
 *   3. a fresh network trains one epoch (or the first --samples samples of
 *      it) over the 60,000 training images in a shuffled order; only this
 *      is timed (forward, backward, update, and turning the uint8 pixels of
 *      each batch into floats /255);
 *   4. test accuracy on the 10,000 test images (not timed);
 *   5. peak RSS of the process (process.resourceUsage().maxRSS).
 */

const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');

// The dataset file names' one home.
const { fileOf } = require('../../common/datasets.js');

const ROOT = path.resolve(__dirname, '..', '..');
const PIXELS = 784;
const CLASSES = 10;

function parseArgs(argv = process.argv.slice(2)) {
  const args = { data: path.join(ROOT, 'data', 'mnist'), arch: '784-128-10', batch: 64, lr: 0.1, warmup: 50, seed: 1, samples: 0 };
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i].replace(/^--/, '');
    const value = argv[i + 1];
    if (!argv[i].startsWith('--') || value === undefined) throw new Error(`bad argument ${argv[i]}`);
    args[key] = ['batch', 'lr', 'warmup', 'seed', 'samples', 'steps', 'test-images'].includes(key) ? Number(value) : value;
    i++;
  }
  if (!args.layers) throw new Error('--layers is missing: the core\'s description of the architecture (bench/run.js passes it)');
  args.described = JSON.parse(args.layers);
  if (args.recipe) { // a CNN run (runCnnProtocol): the recipe is the whole configuration
    args.recipe = JSON.parse(args.recipe);
    args.layers = shapesOf(args.described);
    return args;
  }
  if (args.described.slice(1).some((l) => l.kind !== 'dense')) throw new Error(`${args.arch}: the dense rows take dense layers only`);
  args.sizes = args.described.map((l) => l.size);
  return args;
}

/**
 * The core's description of an architecture (mnist_arch_describe's layers, the input
 * first: {kind, h, w, c, size, filters, kernel, pad}) as the layers the JS peers build,
 * with their shapes: [{ type: 'conv', filters, k, pad, in: [h, w, c], out: [h, w, c] },
 * { type: 'pool', p, in, out }, { type: 'dense', units, in, out }, ...]. A convolution
 * is K x K, stride 1, ReLU; a pool P x P, stride P; ReLU after every dense layer but
 * the last.
 */
function shapesOf(described) {
  const shape = (l) => (l.kind === 'dense' ? [1, 1, l.size] : [l.h, l.w, l.c]);
  return described.slice(1).map((l, i) => {
    const io = { in: shape(described[i]), out: shape(l) };
    if (l.kind === 'conv') return { type: 'conv', filters: l.filters, k: l.kernel, pad: l.pad, ...io };
    if (l.kind === 'pool') return { type: 'pool', p: l.kernel, ...io };
    if (l.kind === 'dense') return { type: 'dense', units: l.size, ...io };
    throw new Error(`a layer of kind ${l.kind} is not one the peers build`);
  });
}

function readIdx(file, headerBytes, itemBytes) {
  const bytes = zlib.gunzipSync(fs.readFileSync(file));
  if (bytes.length < headerBytes || (bytes.length - headerBytes) % itemBytes) throw new Error(`${file}: unexpected size`);
  // A copy that owns its memory (the gunzip buffer may be a slice of a pool).
  return new Uint8Array(bytes.buffer.slice(bytes.byteOffset + headerBytes, bytes.byteOffset + bytes.length));
}

/** { train: { images, labels, count }, test: {...} }, images as uint8 count x 784. */
function loadMnist(dir) {
  const set = (images, labels) => {
    const img = readIdx(path.join(dir, images), 16, PIXELS);
    const lab = readIdx(path.join(dir, labels), 8, 1);
    if (img.length / PIXELS !== lab.length) throw new Error(`${images}/${labels}: counts differ`);
    return { images: img, labels: lab, count: lab.length };
  };
  return {
    train: set(fileOf('train', 'images').file, fileOf('train', 'labels').file),
    test: set(fileOf('test', 'images').file, fileOf('test', 'labels').file),
  };
}

/** Decompressed IDX files as they are (header included), for the project's engine. */
function readIdxFiles(dir) {
  const raw = (name) => new Uint8Array(zlib.gunzipSync(fs.readFileSync(path.join(dir, name))));
  return {
    train: { images: raw(fileOf('train', 'images').file), labels: raw(fileOf('train', 'labels').file) },
    test: { images: raw(fileOf('test', 'images').file), labels: raw(fileOf('test', 'labels').file) },
  };
}

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A shuffled order 0..n-1 (Fisher-Yates). */
function shuffled(n, random) {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

/** Writes the pixels of samples order[first..first+m-1] into out (m x 784 floats, /255). */
function gatherBatch(images, order, first, m, out) {
  for (let i = 0; i < m; i++) {
    const src = order[first + i] * PIXELS;
    const dst = i * PIXELS;
    for (let k = 0; k < PIXELS; k++) out[dst + k] = images[src + k] / 255;
  }
}

function peakRssMb() {
  return process.resourceUsage().maxRSS / 1024; // maxRSS is in KiB
}

/** Prints the result line bench/run.js reads. */
function report(result) {
  const out = { ...result, peak_rss_mb: Math.round(peakRssMb() * 10) / 10 };
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(out)}\n`);
}

/**
 * Runs the common protocol. `impl` provides:
 *   create(seed)                       a fresh network (returns an opaque net)
 *   trainBatch(net, order, first, m)   one SGD step on samples order[first..first+m-1]
 *   accuracy(net)                      test accuracy (0..1)
 *   finish(net)                        optional: wait until queued work is done
 *   info()                             optional: extra fields for the result
 */
async function runProtocol(args, data, impl) {
  const n = data.train.count;
  const batch = args.batch;
  const random = rng(args.seed * 7919 + 17);

  const warmNet = await impl.create(args.seed + 1000);
  const warmOrder = shuffled(n, random);
  for (let b = 0; b < args.warmup && (b + 1) * batch <= n; b++) await impl.trainBatch(warmNet, warmOrder, b * batch, batch);
  if (impl.finish) await impl.finish(warmNet);
  if (impl.dispose) impl.dispose(warmNet);

  const net = await impl.create(args.seed);
  const total = args.samples > 0 ? Math.min(args.samples, n) : n;
  const t0 = process.hrtime.bigint();
  const order = shuffled(n, random);
  let done = 0;
  while (done < total) {
    const m = Math.min(batch, total - done);
    await impl.trainBatch(net, order, done, m);
    done += m;
  }
  if (impl.finish) await impl.finish(net);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const accuracy = await impl.accuracy(net);
  return {
    samples_timed: total,
    seconds_timed: seconds,
    samples_per_second: total / seconds,
    seconds_per_epoch: (seconds * n) / total,
    test_accuracy: accuracy,
    ...(impl.info ? impl.info() : {}),
  };
}

// ---- CNN runs (the `cnn` rows of bench/run.js) ---------------------------------------

/** Fan-in of a layer with weights (conv: K*K*C; dense: all its inputs): He-uniform's limit is sqrt(6 / fanIn). */
function fanIn(layer) {
  return layer.type === 'conv' ? layer.k * layer.k * layer.in[2] : layer.in[0] * layer.in[1] * layer.in[2];
}

/**
 * PyTorch's OneCycleLR at its defaults (pct_start 0.3, cosine annealing,
 * div_factor 25, final_div_factor 1e4, beta1 cycling 0.95 -> 0.85 -> 0.95) for
 * update `step` (0-based) of `total`: { lr, beta1 }.
 */
function oneCycle(maxLr, step, total) {
  const cos = (start, end, pct) => end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1);
  const initial = maxLr / 25, min = initial / 1e4;
  const peak = 0.3 * total - 1, last = total - 1;
  const s = Math.min(step, last);
  if (s <= peak && peak > 0) return { lr: cos(initial, maxLr, s / peak), beta1: cos(0.95, 0.85, s / peak) };
  const pct = (s - peak) / (last - peak);
  return { lr: cos(maxLr, min, pct), beta1: cos(0.85, 0.95, pct) };
}

/**
 * The recipe's learning rate and beta1 for update `step` (0-based) of
 * `total`, and the bias corrections of Adam's update number step+1, as
 * PyTorch's Adam computes them (with the beta1 in force):
 *   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
 *   p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps).
 */
function adamHyper(recipe, step, total) {
  if (recipe.optimizer !== 'adam' || recipe.schedule !== 'onecycle') {
    throw new Error(`the JS peers implement Adam with the one-cycle schedule only, not ${recipe.optimizer}/${recipe.schedule}`);
  }
  const { lr, beta1 } = oneCycle(recipe.lr, step, total);
  const t = step + 1;
  return { lr, beta1, beta2: recipe.beta2, eps: recipe.eps, bc1: 1 - beta1 ** t, bc2: 1 - recipe.beta2 ** t };
}

/** Adam's update of one parameter array p (gradient scale * g: g summed over the batch,
 *  scale 1 / batch; moments m, v), in place. */
function adamUpdate(h, p, g, scale, m, v) {
  const stepSize = h.lr / h.bc1, sqrtBc2 = Math.sqrt(h.bc2);
  for (let j = 0; j < p.length; j++) {
    const gj = g[j] * scale;
    m[j] = h.beta1 * m[j] + (1 - h.beta1) * gj;
    v[j] = h.beta2 * v[j] + (1 - h.beta2) * gj * gj;
    p[j] -= (stepSize * m[j]) / (Math.sqrt(v[j]) / sqrtBc2 + h.eps);
  }
}

/**
 * The CNN protocol (the same in bench/runners/pytorch.py; the project's own
 * builds follow it in project-wasm.js and bench/cnn.js):
 *   1. load the data (not timed);
 *   2. a fresh network (recipe.init 'he': He-uniform weights, zero biases)
 *      trains recipe.epochs epochs of 60,000 images in batches of
 *      recipe.batch (the last batch of an epoch is what is left), each epoch
 *      in a new shuffled order, with Adam and the one-cycle schedule over the
 *      whole run; after each epoch the 10,000 test images are evaluated.
 *      No warm-up: like PyTorch's and the native build's, the JIT's start-up
 *      is part of the run.
 *   3. Timed: every training step (gathering the batch, uint8 -> float /255,
 *      forward, backward, update) and every test evaluation, separately.
 *   --steps N (N > 0): only the first N updates of that run (the schedule
 *   still planned over the whole run) and, with --test-images M, one
 *   evaluation of the first M test images: seconds are then extrapolated
 *   (training time x all updates / N, evaluation time x 10,000 / M x epochs)
 *   and the accuracy is not the run's (null).
 * impl provides:
 *   create(seed)                                   a fresh network
 *   trainStep(net, order, first, m, hyper)         one update on samples order[first..first+m-1]
 *                                                  (hyper: adamHyper's figures)
 *   correct(net, first, count)                     right answers among test images first..first+count-1
 *   info()                                         optional: extra fields for the result
 */
async function runCnnProtocol(args, data, impl) {
  const recipe = args.recipe;
  const n = data.train.count, testCount = data.test.count;
  const perEpoch = Math.ceil(n / recipe.batch);
  const totalSteps = perEpoch * recipe.epochs;
  const steps = args.steps > 0 ? Math.min(args.steps, totalSteps) : totalSteps;
  const subset = steps < totalSteps;
  const testImages = subset && args['test-images'] > 0 ? Math.min(args['test-images'], testCount) : testCount;
  const random = rng(recipe.seed * 7919 + 17);
  const net = await impl.create(recipe.seed);
  const started = process.hrtime.bigint();
  let trainSeconds = 0, evalSeconds = 0, step = 0, accuracy = null;
  const accuracies = [];
  for (let epoch = 0; epoch < recipe.epochs && step < steps; epoch++) {
    const order = shuffled(n, random);
    let t0 = process.hrtime.bigint();
    for (let first = 0; first < n && step < steps; first += recipe.batch, step++) {
      await impl.trainStep(net, order, first, Math.min(recipe.batch, n - first), adamHyper(recipe, step, totalSteps));
    }
    trainSeconds += Number(process.hrtime.bigint() - t0) / 1e9;
    t0 = process.hrtime.bigint();
    const correct = await impl.correct(net, 0, testImages);
    evalSeconds += Number(process.hrtime.bigint() - t0) / 1e9;
    accuracies.push(correct / testImages);
  }
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  const samples = Math.min(steps * recipe.batch, n * recipe.epochs);
  if (!subset) accuracy = accuracies[accuracies.length - 1];
  return cnnResult({ recipe, samples, trainSeconds, evalSeconds, evaluations: accuracies.length, testImages, steps, totalSteps,
    wallSeconds: subset ? null : wall, accuracy, accuracies: subset ? null : accuracies, subsetAccuracy: accuracies[accuracies.length - 1],
    extra: impl.info ? impl.info() : {} });
}

/** The result line's fields of a CNN run (shared with project-wasm.js; pytorch.py writes the same). */
function cnnResult({ recipe, samples, trainSeconds, evalSeconds, evaluations, testImages, steps, totalSteps, wallSeconds, accuracy,
  accuracies, subsetAccuracy, extra }) {
  const subset = steps < totalSteps;
  const evalPerFullTest = evalSeconds / evaluations * (10000 / testImages);
  const seconds = subset ? trainSeconds * (totalSteps / steps) + evalPerFullTest * recipe.epochs : wallSeconds;
  return {
    samples_timed: samples,
    seconds_timed: trainSeconds,
    samples_per_second: samples / trainSeconds,
    seconds_per_test_evaluation: evalPerFullTest,
    seconds_run: seconds,
    run_extrapolated: subset,
    steps_timed: steps,
    steps_run: totalSteps,
    test_images_evaluated: testImages,
    test_accuracy: accuracy,
    test_accuracy_per_epoch: accuracies,
    // a sanity check only: after the timed steps, on the test images evaluated
    subset_test_accuracy: subset ? subsetAccuracy : null,
    ...extra,
  };
}

/** Runs main(); any error becomes a BENCH_RESULT with an error field and exit status 1. */
function main(fn) {
  fn().then((result) => {
    report(result);
  }, (err) => {
    process.stdout.write(`BENCH_RESULT ${JSON.stringify({ error: String(err && err.stack ? err.stack.split('\n')[0] : err) })}\n`);
    process.exitCode = 1;
  });
}

module.exports = {
  ROOT, PIXELS, CLASSES, parseArgs, loadMnist, readIdxFiles, rng, shuffled, gatherBatch, peakRssMb, report,
  runProtocol, main, shapesOf, fanIn, oneCycle, adamHyper, adamUpdate, runCnnProtocol, cnnResult,
};
