#!/usr/bin/env node
'use strict';
/**
 * `make bench`: this project's WebAssembly and native builds against a
 * straightforward C baseline, TensorFlow.js, ConvNetJS and PyTorch, side by side,
 * on MNIST. Usage: node bench/run.js   (after `make all data`, the naive
 * baselines in build/bench/ and `npm ci --prefix bench`; `make bench` does all that).
 *
 * Dense rows (bench/dense.js): every implementation trains the same dense networks
 * (ReLU hidden layers, softmax output, cross-entropy) with plain mini-batch SGD
 * (learning rate 0.1, momentum 0, no weight decay, no learning-rate decay) for ONE
 * epoch over the 60,000 MNIST training images, each in its own shuffled order
 * (shuffled once per epoch, seeded), then is tested on the 10,000 test images. Each
 * run is a fresh child process, so its peak RSS is its own. Before the timed epoch,
 * the JS/WASM runners and the naive native baseline train 50 batches of a throwaway
 * network (warm-up, not timed; the timed epoch starts from a fresh network). The
 * project's native CLI has no warm-up (ahead-of-time code; it times its own epoch).
 * Timing counts training only: forward, backward, update and the per-batch
 * conversion of uint8 pixels to floats /255; not data loading, decompression,
 * warm-up or test evaluation (the native CLI's samples_per_second counts the same).
 *
 * Implementations (BENCH_IMPLS=a,b,... picks some; default all):
 *   wasm          web/build/mnist.wasm via web/worker/engine.js, in slices like the page's worker
 *   native        build/mnist train ...
 *   naive-wasm    bench/naive.c (plain triple loops) with emcc -O3 -msimd128 -> build/bench/naive.wasm
 *   naive-native  bench/naive.c with gcc -O3 -> build/bench/naive
 *   tfjs-wasm     @tensorflow/tfjs 4.22.0 + tfjs-backend-wasm (SIMD build, 1 thread)
 *   tfjs-cpu      @tensorflow/tfjs 4.22.0, cpu backend (plain JS)
 *   convnetjs     convnetjs 0.3.0
 *   pytorch       the CNN rows only: bench/runners/pytorch.py with Debian's python3-torch
 *   page-memory   the tab's memory (bench/memory.js): the private memory (resident, less
 *                 the pages of files: Chromium's own code) of Chromium's renderer process
 *                 that holds the page and its workers, before the data, with the data
 *                 loaded, its peak while the page trains each preset's whole run
 *                 (BENCH_QUICK: a bounded run) and after Done; served and from file://;
 *                 an empty page's first; the target: under 250 MB (TARGETS.pagePrivateMb).
 *   page-drawpad  the drawing pad (bench/drawpad.js): one stroke of 200 pointer moves on
 *                 the page with each preset's untrained network (BENCH_QUICK: default and
 *                 cnn), served: ms per move, long tasks, frame gaps, the predict requests;
 *                 checked against DRAWPAD_TARGETS (<= 20 ms per move, no task over 50 ms).
 *   page-chromium the page in headless Chromium (bench/page.js): seconds from pressing
 *                 Train to 97% test accuracy (?preset=default) and the samples/s it shows
 *                 then; served by scripts/serve.js (cross-origin isolated, so the page
 *                 runs its threaded build: the threads engine-threads.js threadsFor allows) and from file:// (one
 *                 thread). Needs playwright-core (root npm ci) and Chromium, else skipped.
 *
 * Configurations (bench/plan.js): 784-128-10 at batch 64 for every implementation (the
 * headline); for wasm and native also 784-256-10 and 784-512-256-10 at batch 64 and
 * 784-128-10 at batches 16 and 256. BENCH_QUICK=1: the headline only.
 *
 * CNN rows (bench/cnn.js): the recipe of the core's `cnn` preset (bench/recipe.js reads
 * it from the rules: net, batch, Adam and the one-cycle schedule, shifts, ...), trained
 * for 2 epochs by everyone (the preset's own epochs in one more native row), inputs
 * x/255, He-uniform init, zero biases; the 10,000 test images evaluated after each epoch;
 * no warm-up. The WebAssembly build runs on 1, 2, ... threads up to what the engine runs
 * on this machine (the scaling rows: speedup over 1 thread, efficiency). Each row
 * reports training samples/s, the seconds of the whole run (2 epochs of training plus
 * both test evaluations; not data loading) and the final test accuracy, with ratios to
 * PyTorch (1 and 2 threads) and to the native build, and the targets (TARGETS) as
 * PASS/FAIL lines, or "not judged: machine busy". The page rows (?preset=cnn, served and from file://) time pressing
 * Train until #test-accuracy shows 99.00%, then the rest of the run, and measure how
 * the page keeps up (frame gaps, long tasks, each evaluation's time in the worker,
 * progress gaps, a drawing's predict every PAGE_PROBE_MS); not in BENCH_QUICK runs.
 * TF.js's cpu backend and ConvNetJS time their first updates (CNN_SLOW, or
 * BENCH_CNN_PEER_STEPS; 0: whole runs) and 1,000 test images, and extrapolate.
 * BENCH_NETS=dense,cnn picks the suites (default both); BENCH_QUICK=1: every CNN row
 * times BENCH_QUICK_STEPS updates (default 20) and 1,000 test images (a smoke run).
 *
 * The architecture of every row is described by the core (scripts/lib/engine.js
 * describeArch, once per architecture) and passed to each runner as --layers JSON: no
 * runner parses an architecture text.
 *
 * Other environment: BENCH_DATA=DIR (default data/mnist), BENCH_PEER_SAMPLES=N
 * (tfjs-cpu and convnetjs time only the first N samples of the epoch and extrapolate),
 * BENCH_TIMEOUT=seconds per run (default 900), CHROMIUM=path (default /usr/bin/chromium),
 * BENCH_WASM_THREADS=N (default: the threads the engine runs here, engine-threads.js
 * threadsFor; N > 1 adds runs of the threaded WebAssembly build with N threads for every
 * dense wasm configuration; 1 turns them off).
 *
 * The machine's load (bench/load.js): for every row, /proc/loadavg and the CPU taken by
 * processes outside the bench's own process tree, over 0.5 s before the row, every 0.5 s
 * during it and 0.5 s after it; a row where the others took more than BUSY_CORES is
 * marked busy in the tables, and the targets that need it are not judged.
 *
 * Output: the machine, then a table per suite on stdout; the same runs as JSON lines in
 * build/bench.jsonl (overwritten), and docs/benchmarks.md written from them
 * (bench/markdown.js). Exit status 1 if any run failed.
 */

const fs = require('node:fs');
const path = require('node:path');

const { ROOT, BUILD, OUT_FILE, DOC_FILE, DATA_DIR, QUICK, WASM_THREADS, PAGE_MODES, machineInfo } = require('./config.js');
const { cnnRecipe } = require('./recipe.js');
const { watchRow } = require('./load.js');
const { choices, planOf } = require('./plan.js');
const { DENSE_RUNS } = require('./dense.js');
const { CNN_RUNS } = require('./cnn.js');
const { pageMemory, pageDrawpad } = require('./browser.js');
const { denseRatios, cnnRatios } = require('./targets.js');
const { fmtInt, fmtFixed } = require('./tables.js');
const { machineLine, printReport } = require('./report.js');
const { benchmarksMarkdown } = require('./markdown.js');
const { mergeRounds } = require('./rounds.js');
const { describeArch, createEngine } = require('../scripts/lib/engine.js');

const RUNS = {
  dense: DENSE_RUNS, cnn: CNN_RUNS, memory: { 'page-memory': (item) => pageMemory(item, PRESETS) }, drawpad: { 'page-drawpad': pageDrawpad },
};
const PAGE_NETS = ['memory', 'drawpad']; // rows of the page with a preset, not of an architecture
let PRESETS = {}; // the core's (rules.presets), read once in main

/** Each run's architecture as the core describes it (item.layers), one description per text. */
async function describePlan(plan) {
  const described = new Map();
  for (const item of plan.filter((i) => !PAGE_NETS.includes(i.net))) {
    if (!described.has(item.arch)) described.set(item.arch, (await describeArch(item.arch)).layers);
    item.layers = described.get(item.arch);
  }
}

function labelOf(item, i, count) {
  const threads = item.threads > 1 ? ` ${item.threads} threads` : item.threads ? ' 1 thread' : '';
  return `[${i + 1}/${count}] ${item.impl}${item.page ? ` (${item.page})` : ''}${threads} `
    + `${item.arch}${item.batch ? ` batch ${item.batch}` : ''}${item.round ? ` (round ${item.round} of ${item.rounds})` : ''}`;
}

/** What a row says when it ends, on stderr. */
function outcomeOf(row) {
  const busy = row.load && row.load.busy ? ` [busy: others took ${row.load.others_cores_during} cores]` : '';
  return `${outcomeText(row)}${busy}`;
}

function outcomeText(row) {
  if (row.error) return `FAILED: ${row.error}`;
  if (row.skipped) return `skipped: ${row.skipped}`;
  if (row.unsupported) return `unsupported: ${row.unsupported}`;
  if (row.net === 'drawpad') return `${fmtFixed(row.ms_per_move, 1)} ms per move, ${row.longtasks} long tasks (longest ${fmtFixed(row.longest_longtask_ms, 0)} ms)`;
  if (row.net === 'memory' && !row.preset) return `${fmtFixed(row.private_mb, 0)} MB private`;
  if (row.net === 'memory') {
    return `${fmtFixed(row.private_mb.peak_training, 0)} MB private at most while training, ${fmtFixed(row.private_mb.after_done, 0)} after Done`;
  }
  return `${fmtInt(row.samples_per_second)} samples/s, test accuracy ${fmtFixed(row.test_accuracy, 4)}`;
}

/** Runs one plan item, the machine's load watched around it; resolves its row (with an
 *  error field if it failed, and load: bench/load.js's record, null without /proc). */
async function runItem(item, machine) {
  const base = PAGE_NETS.includes(item.net) ? { net: item.net, impl: item.impl, preset: item.preset, page: PAGE_MODES[item.page] || item.page }
    : { net: item.net, impl: item.impl, arch: item.arch, batch: item.batch, threads: item.threads || 1,
      ...(item.page ? { page: PAGE_MODES[item.page] } : {}), ...(item.recipe ? { recipe: item.recipe } : {}),
      ...(item.round ? { round: item.round, rounds: item.rounds } : {}) };
  const { result: row, load } = await watchRow(async () => {
    try {
      return { ...base, ...(await RUNS[item.net][item.impl](item)) };
    } catch (err) {
      return { ...base, error: String(err.message || err) };
    }
  });
  row.load = load;
  if (QUICK) row.quick = true;
  row.machine = machine;
  return row;
}

async function main() {
  let plan;
  try {
    const { rules } = await createEngine();
    PRESETS = rules.presets; // the core's, for the memory and drawing pad rows and the CNN recipe
    const picked = choices();
    const recipe = picked.nets.includes('cnn') ? cnnRecipe(rules) : null;
    plan = planOf({ ...picked, quick: QUICK, wasmThreads: WASM_THREADS, presets: Object.keys(PRESETS), recipe });
  } catch (err) {
    console.error(`bench: ${err.message}`);
    process.exit(2);
  }
  await describePlan(plan);
  const machine = machineInfo();
  console.log(`machine: ${machineLine(machine)}`);
  fs.mkdirSync(BUILD, { recursive: true });
  fs.writeFileSync(OUT_FILE, '');

  const rows = [];
  for (const [i, item] of plan.entries()) {
    const label = labelOf(item, i, plan.length);
    process.stderr.write(`${label} ...\n`);
    const started = Date.now();
    const row = await runItem(item, machine);
    process.stderr.write(`${label}: ${outcomeOf(row)} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
    rows.push(row);
    fs.appendFileSync(OUT_FILE, `${JSON.stringify(row)}\n`); // kept as we go, rewritten with ratios below
  }
  rows.splice(0, rows.length, ...mergeRounds(rows)); // each row of several rounds: their median
  denseRatios(rows.filter((r) => r.net === 'dense'));
  cnnRatios(rows.filter((r) => r.net === 'cnn'));
  fs.writeFileSync(OUT_FILE, rows.map((row) => `${JSON.stringify(row)}\n`).join(''));
  console.log(`data: ${path.relative(ROOT, DATA_DIR) || DATA_DIR}`);
  printReport(rows);
  fs.mkdirSync(path.dirname(DOC_FILE), { recursive: true });
  fs.writeFileSync(DOC_FILE, benchmarksMarkdown(rows));
  const failed = rows.filter((r) => r.error).length;
  console.log('');
  console.log(`${rows.length} runs, ${failed} failed; JSON lines in ${path.relative(ROOT, OUT_FILE)}, `
    + `the tables in ${path.relative(ROOT, DOC_FILE)}`);
  process.exitCode = failed ? 1 : 0;
}

main().catch((err) => {
  console.error(`bench: ${err.stack || err}`);
  process.exit(1);
});
