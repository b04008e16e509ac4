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
 */

const fs = require('node:fs');
const path = require('node:path');
const { parseArgs, readIdxFiles, main, ROOT } = require('./common');
const MnistEngine = require(path.join(ROOT, 'web', 'worker', 'engine.js'));

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
  const n = engine.count('train');
  const config = (seed) => ({
    arch: args.sizes, init: 'he', seed, batch: args.batch, lr: args.lr, momentum: 0, weightDecay: 0, lrDecay: 1,
    epochs: 1, iterations: 0,
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
