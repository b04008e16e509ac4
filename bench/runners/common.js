'use strict';
/**
 * Shared by the runners of `make bench` (bench/runners/*.js): argument
 * parsing, MNIST loading, a seeded shuffle, the timed-epoch protocol and the
 * result line that scripts/bench.js reads.
 *
 * Every runner is started by scripts/bench.js in a fresh Node process as
 *   node bench/runners/NAME.js --data DIR --arch 784-128-10 --batch 64 --lr 0.1
 *        --warmup 50 [--samples N] [--seed 1] [other runner options]
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
const { fileOf } = require('../../web/js/datasets.js');

const ROOT = path.resolve(__dirname, '..', '..');
const PIXELS = 784;
const CLASSES = 10;

function parseArgs(argv = process.argv.slice(2)) {
  const args = { data: path.join(ROOT, 'data', 'mnist'), arch: '784-128-10', batch: 64, lr: 0.1, warmup: 50, seed: 1, samples: 0 };
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i].replace(/^--/, '');
    const value = argv[i + 1];
    if (!argv[i].startsWith('--') || value === undefined) throw new Error(`bad argument ${argv[i]}`);
    args[key] = ['batch', 'lr', 'warmup', 'seed', 'samples'].includes(key) ? Number(value) : value;
    i++;
  }
  args.sizes = String(args.arch).split('-').map(Number);
  if (args.sizes[0] !== PIXELS || args.sizes[args.sizes.length - 1] !== CLASSES || args.sizes.some((n) => !(n > 0))) {
    throw new Error(`bad architecture ${args.arch}`);
  }
  return args;
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

/** Prints the result line scripts/bench.js reads. */
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
  runProtocol, main,
};
