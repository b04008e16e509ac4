#!/usr/bin/env node
'use strict';
/**
 * `make bench`: this project's WebAssembly and native builds against a
 * straightforward C baseline, TensorFlow.js and ConvNetJS, side by side, on
 * MNIST. Usage: node scripts/bench.js   (after `make all data`, the naive
 * baselines in build/bench/ and `npm ci --prefix bench`; `make bench` does all that).
 *
 * Every implementation trains the same dense networks (ReLU hidden layers,
 * softmax output, cross-entropy) with plain mini-batch SGD (learning rate 0.1,
 * momentum 0, no weight decay, no learning-rate decay) for ONE epoch over the
 * 60,000 MNIST training images, each in its own shuffled order (shuffled once
 * per epoch, seeded), then is tested on the 10,000 test images. Each run is a
 * fresh child process, so its peak RSS is its own. Before the timed epoch,
 * the JS/WASM runners and the naive native baseline train 50 batches of a
 * throwaway network (warm-up, not timed; the timed epoch starts from a fresh
 * network). The project's native CLI has no warm-up (ahead-of-time code; it
 * times its own epoch).
 *
 * Timing counts training only: forward, backward, update and the per-batch
 * conversion of uint8 pixels to floats /255; not data loading,
 * decompression, warm-up or test evaluation (the native CLI's
 * samples_per_second counts the same).
 *
 * Implementations (BENCH_IMPLS=a,b,... picks some; default all):
 *   wasm          web/build/mnist.wasm via web/worker/engine.js, in slices like the page's worker
 *   native        build/mnist train ...
 *   naive-wasm    bench/naive.c (plain triple loops) with emcc -O3 -msimd128 -> build/bench/naive.wasm
 *   naive-native  bench/naive.c with gcc -O3 -> build/bench/naive
 *   tfjs-wasm     @tensorflow/tfjs 4.22.0 + tfjs-backend-wasm (SIMD build, 1 thread)
 *   tfjs-cpu      @tensorflow/tfjs 4.22.0, cpu backend (plain JS)
 *   convnetjs     convnetjs 0.3.0
 *   page-memory   the tab's memory (bench/memory.js, issue 12): the resident size of
 *                 Chromium's renderer process that holds the page and its workers,
 *                 before the data, with the data loaded, its peak while the page trains
 *                 the preset's whole run (default in the dense suite, cnn in the CNN
 *                 one) and after; served and from file://. Printed as a section of its
 *                 own (with the private part: RSS less the pages of Chromium's own code,
 *                 which every Chromium process maps), rows with net "memory" in the JSON.
 *   page-chromium the page in headless Chromium (bench/page.js): seconds from
 *                 pressing Train to 97% test accuracy, opened with
 *                 ?preset=default (its own settings), and the samples/s it
 *                 shows then; twice: served by scripts/serve.js (cross-origin
 *                 isolated, so the page runs its threaded build: min(cores, 4)
 *                 threads) and from file:// (one thread). Needs playwright-core
 *                 (root npm ci) and Chromium, else skipped with a message.
 *
 * Configurations: 784-128-10 at batch 64 for every implementation (the
 * headline); for wasm and native also 784-256-10 and 784-512-256-10 at
 * batch 64 and 784-128-10 at batches 16 and 256. BENCH_QUICK=1: the headline only.
 *
 * Other environment: BENCH_DATA=DIR (default data/mnist), BENCH_PEER_SAMPLES=N
 * (tfjs-cpu and convnetjs time only the first N samples of the epoch and
 * extrapolate seconds/epoch; their test accuracy is then after N samples),
 * BENCH_TIMEOUT=seconds per run (default 900), CHROMIUM=path (default /usr/bin/chromium),
 * BENCH_WASM_THREADS=N (default: the cores, at most 4; N > 1 adds runs of the
 * threaded WebAssembly build, web/build/mnist-mt.wasm, with N threads, for the
 * headline and for every other wasm configuration; 1 turns them off).
 *
 * CNN rows (issue 10): the net and recipe of CNN_RECIPE below, the same for
 * everyone: 784-c16k3-p2-c32k3-p2-64-10, Adam (beta2 0.9, eps 1e-8; beta1
 * cycling 0.95 -> 0.85 -> 0.95 as PyTorch's OneCycleLR moves it), the
 * one-cycle schedule over the 2 epochs at OneCycleLR's defaults (max lr 0.01),
 * batch 64, inputs x/255, He-uniform init, zero biases; the 10,000 test images
 * evaluated after each epoch; no warm-up (each row is one cold run). Each row
 * reports training samples/s (training steps only), the seconds of the whole
 * run (2 epochs of training plus both test evaluations; not data loading) and
 * the final test accuracy, with ratios to PyTorch (1 and 2 threads) and to the
 * native build, and the issue's targets as PASS/FAIL lines. Rows:
 *   native        build/mnist train with the recipe's flags, 1 thread (seconds
 *                 from the CLI's first line after loading the data to its
 *                 line after the last test evaluation, read as they arrive)
 *   wasm          web/build/mnist.wasm (1 thread) and mnist-mt.wasm (2
 *                 threads) through web/worker/engine.js (bench/runners/project-wasm.js)
 *   pytorch       bench/runners/pytorch.py with Debian's /usr/bin/python3 and
 *                 python3-torch (scripts/install-deps.sh --bench), 1 and 2 threads
 *   page-chromium issue 11: the page in headless Chromium opened with ?preset=cnn
 *                 (its own recipe and epochs), served and from file:// as in the
 *                 dense rows: seconds from pressing Train until #test-accuracy
 *                 shows 99.00% (the epoch and the evaluation that showed it),
 *                 then the rest of the run (final accuracy); compared with
 *                 PyTorch's whole 2-epoch run (served: 2 threads, file://: 1).
 *                 The same runs measure how the page keeps up (printed after the
 *                 targets, and in the JSON): the main thread's frame gaps and long
 *                 tasks, each test evaluation's time inside the worker (engine.evaluate
 *                 timed there through Playwright), the gaps between progress messages,
 *                 and how fast the worker answers a drawing's predict sent every
 *                 PAGE_PROBE_MS while it trains and evaluates. Not in BENCH_QUICK runs.
 *   tfjs-wasm     tried: a row that records whether TF.js's wasm backend can train it
 *   tfjs-cpu      TF.js's cpu backend  } too slow for a whole run here: the first
 *   convnetjs     ConvNetJS's layers   } updates (CNN_SLOW: 5 and 60, or
 *                 BENCH_CNN_PEER_STEPS) and 1,000 test images are timed and the
 *                 run's seconds extrapolated; no accuracy (BENCH_CNN_PEER_STEPS=0: whole runs)
 * BENCH_NETS=dense,cnn picks the suites (default both); BENCH_IMPLS picks rows
 * in both (BENCH_NETS=cnn BENCH_IMPLS=pytorch,page-chromium: the time-to-99%
 * rows and their PyTorch peers). BENCH_QUICK=1: every CNN row times
 * BENCH_QUICK_STEPS updates (default 20; the slow peers at most their own
 * count) and 1,000 test images and extrapolates (a smoke run).
 *
 * Output: a machine line, then a table per suite on stdout; the same runs as
 * JSON lines in build/bench.jsonl (overwritten). Exit status 1 if any run failed.
 */

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { fileOf } = require('../common/datasets.js');
const { pageRun } = require('../bench/page.js');
const { memoryRun } = require('../bench/memory.js');

const ROOT = path.resolve(__dirname, '..');
const BUILD = path.join(ROOT, 'build');
const RUNNERS = path.join(ROOT, 'bench', 'runners');
const OUT_FILE = path.join(BUILD, 'bench.jsonl');
const DATA_DIR = path.resolve(process.env.BENCH_DATA || path.join(ROOT, 'data', 'mnist'));
const TIME_BIN = '/usr/bin/time';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT || 900) * 1000;
const PEER_SAMPLES = Number(process.env.BENCH_PEER_SAMPLES || 0);
const WASM_THREADS = Number(process.env.BENCH_WASM_THREADS || Math.min(os.cpus().length, 4));
const QUICK = process.env.BENCH_QUICK === '1';
const LR = 0.1;
const WARMUP = 50;
const SEED = 1;

const ALL_IMPLS = ['wasm', 'native', 'naive-wasm', 'naive-native', 'pytorch', 'tfjs-wasm', 'tfjs-cpu', 'convnetjs', 'page-chromium',
  'page-memory'];
const DENSE_IMPLS = ALL_IMPLS.filter((i) => i !== 'pytorch' && i !== 'page-memory');
const CNN_IMPLS = ['native', 'wasm', 'pytorch', 'page-chromium', 'tfjs-wasm', 'tfjs-cpu', 'convnetjs'];
const PYTHON = '/usr/bin/python3'; // Debian's, with python3-torch; not whichever python3 is first on PATH

// The CNN rows' net and recipe: the one home of both (issue 10's `cnn`).
const CNN_RECIPE = {
  arch: '784-c16k3-p2-c32k3-p2-64-10', batch: 128, epochs: 2, optimizer: 'adam', schedule: 'onecycle', lr: 0.01,
  beta1: 0.9, beta2: 0.9, eps: 1e-8, init: 'he', seed: 1,
};
const CNN_THREADS = { native: [1], wasm: [1, 2], pytorch: [1, 2] };
// Peers timed on their first updates only (about a minute each here; a whole run would take
// ConvNetJS ~25 minutes and TF.js's cpu backend, whose Conv2DBackpropFilter takes seconds
// per batch, hours); BENCH_CNN_PEER_STEPS=N: N updates for both, 0: whole runs.
const CNN_SLOW = { 'tfjs-cpu': 5, convnetjs: 60 };
const CNN_PEER_STEPS = process.env.BENCH_CNN_PEER_STEPS === undefined ? null : Number(process.env.BENCH_CNN_PEER_STEPS);
const CNN_PEER_TEST_IMAGES = 1000;
const QUICK_STEPS = Number(process.env.BENCH_QUICK_STEPS || 20);
const QUICK_TEST_IMAGES = 1000;
// The issue's targets.
const TARGETS = { nativeVsPytorch1: 0.33, wasmSamplesPerSecond: 15000, wasmThreadScaling: 1.6, wasm2VsPytorch2: 0.25,
  wasmVsNative: 0.8, accuracy: 0.99, pageServedVsPytorch2: 0.33, pageFileVsPytorch1: 0.4 };
// The page rows: the preset each suite opens it with and the test accuracy timed (issue 11:
// `cnn` to 99%, served and from file://), and how often a drawing's predict is sent while it trains.
const PAGE_DENSE_TARGET = 0.97;
const PAGE_CNN_PRESET = 'cnn';
const PAGE_PROBE_MS = 250;
const PAGE_MODES = { served: 'served by scripts/serve.js', file: 'file://' }; // how the page was opened
const HEADLINE = { arch: '784-128-10', batch: 64 };
const EXTRA = [
  { arch: '784-256-10', batch: 64 },
  { arch: '784-512-256-10', batch: 64 },
  { arch: '784-128-10', batch: 16 },
  { arch: '784-128-10', batch: 256 },
];
const REPEATED = ['wasm', 'native']; // the peers are too slow to repeat

// ---- machine ----------------------------------------------------------------------

function machineInfo() {
  let cpu = os.cpus()[0] ? os.cpus()[0].model : 'unknown';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpu = m[1].trim();
  } catch { /* not Linux: keep os.cpus() */ }
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  // The load when the run started: other work on the machine skews every figure.
  const loadavg = Math.round(os.loadavg()[0] * 100) / 100;
  return { cpu, cores, node: process.version, os: `${os.type()} ${os.release()} ${os.arch()}`, loadavg_1min: loadavg };
}

// ---- running one child ------------------------------------------------------------

/** Spawns a command; resolves { status, signal, stdout, stderr, timedOut }.
 *  onLine(line, seconds): each line of stdout as it arrives (seconds: process.hrtime). */
function run(cmd, args, onLine = null) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d) => {
      const at = Number(process.hrtime.bigint()) / 1e9;
      if (onLine) {
        const lines = (stdout.slice(stdout.lastIndexOf('\n') + 1) + d).split('\n');
        lines.slice(0, -1).forEach((line) => onLine(line, at));
      }
      stdout += d;
    });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, TIMEOUT_MS);
    child.on('error', (err) => { clearTimeout(timer); resolve({ status: null, signal: null, stdout, stderr: `${stderr}${err.message}`, timedOut }); });
    child.on('close', (status, signal) => { clearTimeout(timer); resolve({ status, signal, stdout, stderr, timedOut }); });
  });
}

function lastLine(text) {
  const lines = text.trim().split('\n').filter(Boolean);
  return lines.length ? lines[lines.length - 1] : '';
}

function failure(r, what) {
  if (r.timedOut) return `${what}: timed out after ${TIMEOUT_MS / 1000} s`;
  const tail = lastLine(r.stderr) || lastLine(r.stdout) || 'no output';
  return `${what}: exit ${r.status === null ? r.signal : r.status}: ${tail}`.slice(0, 300);
}

/** A Node runner in bench/runners/: its BENCH_RESULT line. */
async function nodeRunner(script, cfg, extraArgs = []) {
  return runnerResult(script, await run(process.execPath, [path.join(RUNNERS, script), '--data', DATA_DIR, '--arch', cfg.arch,
    '--batch', String(cfg.batch), '--lr', String(LR), '--warmup', String(WARMUP), '--seed', String(SEED), ...extraArgs]));
}

/** The BENCH_RESULT line a runner ended with. */
function runnerResult(script, r) {
  const line = r.stdout.split('\n').reverse().find((l) => l.startsWith('BENCH_RESULT '));
  if (!line) throw new Error(failure(r, script));
  const result = JSON.parse(line.slice('BENCH_RESULT '.length));
  if (result.error) throw new Error(result.error);
  if (r.status !== 0) throw new Error(failure(r, script));
  return result;
}

/** A native binary, through /usr/bin/time for its peak RSS when that exists. */
async function nativeRun(bin, args, onLine = null) {
  if (!fs.existsSync(bin)) throw new Error(`${path.relative(ROOT, bin)} is missing (make bench builds it)`);
  const timed = fs.existsSync(TIME_BIN);
  const r = timed ? await run(TIME_BIN, ['-f', 'BENCH_MAXRSS_KB=%M', bin, ...args], onLine) : await run(bin, args, onLine);
  const m = /BENCH_MAXRSS_KB=(\d+)/.exec(r.stderr);
  // time(1)'s own lines are not the program's error
  r.stderr = r.stderr.split('\n').filter((l) => !/^(BENCH_MAXRSS_KB=|Command exited with non-zero status)/.test(l)).join('\n');
  if (r.status !== 0) throw new Error(failure(r, path.basename(bin)));
  let json;
  try {
    json = JSON.parse(lastLine(r.stdout));
  } catch {
    throw new Error(`${path.basename(bin)}: no JSON line at the end of its output`);
  }
  return { json, peak_rss_mb: m ? Math.round((Number(m[1]) / 1024) * 10) / 10 : null };
}

// ---- the implementations ----------------------------------------------------------------

const IMPLS = {
  async wasm(cfg) {
    return nodeRunner('project-wasm.js', cfg, cfg.threads > 1 ? ['--threads', String(cfg.threads)] : []);
  },
  async native(cfg) {
    const { json, peak_rss_mb } = await nativeRun(path.join(BUILD, 'mnist'), ['train', '--data', DATA_DIR,
      '--arch', cfg.arch, '--batch', String(cfg.batch), '--lr', String(LR), '--momentum', '0', '--lr-decay', '1',
      '--weight-decay', '0', '--optimizer', 'sgd', '--schedule', 'step', '--shift', '0', '--seed', String(SEED),
      '--epochs', '1']); // plain SGD at a constant rate as every dense row (not the default preset's one-cycle and shifts)
    return {
      samples_timed: 60000, seconds_timed: json.seconds, samples_per_second: json.samples_per_second,
      seconds_per_epoch: json.seconds, test_accuracy: json.test_accuracy,
      threads: 1, peak_rss_mb, warmup: 'none (ahead-of-time code; the CLI times its only epoch)',
    };
  },
  async 'naive-wasm'(cfg) {
    return nodeRunner('naive-wasm.js', cfg);
  },
  async 'naive-native'(cfg) {
    const sizes = cfg.arch.split('-');
    if (sizes.length !== 3) throw new Error('the naive baseline is 784-H-10 only');
    const { json, peak_rss_mb } = await nativeRun(path.join(BUILD, 'bench', 'naive'), ['--data', DATA_DIR,
      '--hidden', sizes[1], '--batch', String(cfg.batch), '--lr', String(LR), '--warmup', String(WARMUP), '--seed', String(SEED)]);
    return {
      samples_timed: json.samples, seconds_timed: json.seconds, samples_per_second: json.samples_per_second,
      seconds_per_epoch: json.seconds, test_accuracy: json.test_accuracy, train_loss: json.train_loss,
      threads: 1, peak_rss_mb,
    };
  },
  async 'tfjs-wasm'(cfg) {
    return nodeRunner('tfjs.js', cfg, ['--backend', 'wasm']);
  },
  async 'tfjs-cpu'(cfg) {
    return nodeRunner('tfjs.js', cfg, ['--backend', 'cpu', ...(PEER_SAMPLES ? ['--samples', String(PEER_SAMPLES)] : [])]);
  },
  async convnetjs(cfg) {
    return nodeRunner('convnetjs.js', cfg, PEER_SAMPLES ? ['--samples', String(PEER_SAMPLES)] : []);
  },
  async 'page-chromium'(cfg) {
    const r = await pageInChromium(cfg.page || 'served', 'default', PAGE_DENSE_TARGET, false);
    if (r.skipped) return r;
    if (!r.reached_target) throw new Error(`the run ended without showing ${PAGE_DENSE_TARGET * 100}% (best ${fmtFixed(r.best_test_accuracy, 4)})`);
    return {
      seconds_to_97: r.seconds_to_target, samples_per_second: r.samples_per_second, test_accuracy: r.accuracy_at_target,
      seconds_per_epoch: null, threads: r.threads, peak_rss_mb: null,
      preset: 'default',
      cross_origin_isolated: r.cross_origin_isolated, page_version: r.page_version, browser: r.browser,
    };
  },
};

// ---- the CNN rows ----------------------------------------------------------------------------

/** --steps/--test-images for a run timed on a subset (null: the whole run). */
function cnnSubset(item) {
  const slow = item.impl in CNN_SLOW ? (CNN_PEER_STEPS ?? CNN_SLOW[item.impl]) : 0;
  if (QUICK) return { steps: slow ? Math.min(QUICK_STEPS, slow) : QUICK_STEPS, testImages: QUICK_TEST_IMAGES };
  return slow > 0 ? { steps: slow, testImages: CNN_PEER_TEST_IMAGES } : null;
}

function cnnRunnerArgs(item) {
  const sub = cnnSubset(item);
  return ['--data', DATA_DIR, '--recipe', JSON.stringify(CNN_RECIPE),
    ...(sub ? ['--steps', String(sub.steps), '--test-images', String(sub.testImages)] : [])];
}

async function cnnNodeRunner(script, item, extraArgs = []) {
  return runnerResult(script, await run(process.execPath, [path.join(RUNNERS, script), ...cnnRunnerArgs(item), ...extraArgs]));
}

const CNN_RUNS = {
  /**
   * build/mnist train with the recipe's flags. The CLI prints a line after
   * loading the data ("training ...") and one after each epoch's test
   * evaluation; the run's seconds are the time between the first and the
   * last, read as the lines arrive (the CLI flushes each). Its JSON line
   * gives the training time alone. A subset (--iterations N) plans the
   * one-cycle schedule over those N updates (same work per update).
   */
  async native(item) {
    const r = CNN_RECIPE, sub = item.preset ? null : cnnSubset(item);
    const stamps = [];
    // item.preset: the core's `cnn` preset as a user runs it (its own epochs), whole
    const flags = item.preset ? ['--preset', item.preset, '--seed', String(r.seed)] : ['--arch', r.arch,
      '--optimizer', r.optimizer, '--schedule', r.schedule, '--lr', String(r.lr), '--beta1', String(r.beta1),
      '--beta2', String(r.beta2), '--eps', String(r.eps), '--batch', String(r.batch), '--init', r.init, '--seed', String(r.seed),
      '--shift', '0', // the flags start from the default preset, which shifts its images
      ...(sub ? ['--iterations', String(sub.steps)] : ['--epochs', String(r.epochs)])];
    const { json, peak_rss_mb } = await nativeRun(path.join(BUILD, 'mnist'), ['train', '--data', DATA_DIR, ...flags],
    (line, at) => { if (/^(training |epoch )/.test(line)) stamps.push({ line, at }); });
    const epochs = stamps.filter((s) => s.line.startsWith('epoch '));
    if (!stamps.length || !stamps[0].line.startsWith('training ') || !epochs.length) throw new Error('mnist train: unexpected output');
    const measured = epochs[epochs.length - 1].at - stamps[0].at; // training + every test evaluation
    const perTest = (measured - json.seconds) / epochs.length;
    const steps = item.preset ? json.iterations : Math.ceil(60000 / r.batch) * r.epochs;
    return {
      preset: item.preset || null, epochs: item.preset ? json.epochs : r.epochs,
      samples_timed: Math.round(json.epochs * 60000), seconds_timed: json.seconds, samples_per_second: json.samples_per_second,
      seconds_per_test_evaluation: perTest,
      seconds_run: sub ? json.seconds * (steps / json.iterations) + perTest * r.epochs : measured,
      run_extrapolated: Boolean(sub), steps_timed: json.iterations, steps_run: steps, test_images_evaluated: 10000,
      test_accuracy: sub ? null : json.test_accuracy,
      test_accuracy_per_epoch: sub ? null : epochs.map((e) => Number(/test ([\d.]+)%/.exec(e.line)[1]) / 100),
      subset_test_accuracy: sub ? json.test_accuracy : null,
      threads: 1, peak_rss_mb,
    };
  },
  async wasm(item) {
    return cnnNodeRunner('project-wasm.js', item, item.threads > 1 ? ['--threads', String(item.threads)] : []);
  },
  async pytorch(item) {
    if (!fs.existsSync(PYTHON)) throw new Error(`no ${PYTHON} (scripts/install-deps.sh --bench installs python3-torch)`);
    const files = Object.fromEntries(['train', 'test'].map((set) => [set, [fileOf(set, 'images').file, fileOf(set, 'labels').file]]));
    const r = await run(PYTHON, [path.join(RUNNERS, 'pytorch.py'), '--files', JSON.stringify(files), '--threads', String(item.threads),
      ...cnnRunnerArgs(item)]);
    if (/No module named .?torch/.test(r.stdout + r.stderr)) throw new Error(`${PYTHON} has no torch (scripts/install-deps.sh --bench installs python3-torch)`);
    return runnerResult('pytorch.py', r);
  },
  async 'tfjs-wasm'(item) {
    return cnnNodeRunner('tfjs.js', item, ['--backend', 'wasm']);
  },
  async 'tfjs-cpu'(item) {
    return cnnNodeRunner('tfjs.js', item, ['--backend', 'cpu']);
  },
  async convnetjs(item) {
    return cnnNodeRunner('convnetjs.js', item);
  },
  /** The page with ?preset=cnn, its whole run: time to 99%, then the rest (final accuracy, responsiveness). */
  async 'page-chromium'(item) {
    const r = await pageInChromium(item.page, PAGE_CNN_PRESET, TARGETS.accuracy, true);
    return r.skipped ? r : { ...r, peak_rss_mb: null, epochs: null };
  },
};

/**
 * The page in headless Chromium (bench/page.js), served by scripts/serve.js
 * (mode 'served': cross-origin isolated, so the page runs its threaded build
 * when there are cores to spare) or from file:// (one thread), opened with
 * ?preset=NAME: seconds from pressing Train until #test-accuracy shows the
 * target. The thread count is read from the page's own #version line.
 * untilDone: the whole run, and how the page and the worker kept up
 * (frames, long tasks, evaluations, answers to a drawing's predict every
 * PAGE_PROBE_MS).
 */
/** playwright-core, or {skipped} when it or Chromium is missing. */
function browserDriver() {
  let playwright;
  try {
    playwright = require(require.resolve('playwright-core', { paths: [ROOT] }));
  } catch {
    return { skipped: 'playwright-core is not installed (npm ci at the root)' };
  }
  if (!fs.existsSync(CHROMIUM)) return { skipped: `no Chromium at ${CHROMIUM}` };
  return { playwright };
}

async function pageInChromium(mode, preset, target, untilDone) {
  const { playwright, skipped } = browserDriver();
  if (skipped) return { skipped };
  return pageRun({ playwright, chromium: CHROMIUM, mode, webRoot: path.join(ROOT, 'web'), dataDir: DATA_DIR, preset, target,
    untilDone, probeMs: untilDone ? PAGE_PROBE_MS : 0, timeoutMs: TIMEOUT_MS });
}

/** The tab's memory (bench/memory.js) while the page trains `preset`'s whole run. */
async function pageMemory(item) {
  const { playwright, skipped } = browserDriver();
  if (skipped) return { skipped };
  return memoryRun({ playwright, chromium: CHROMIUM, mode: item.page, webRoot: path.join(ROOT, 'web'), dataDir: DATA_DIR,
    preset: item.preset, timeoutMs: TIMEOUT_MS });
}

/** The memory rows: MB at each moment of the run, RSS (and the private part). */
function memoryTable(rows) {
  const head = ['page', 'preset', 'before data', 'data loaded', 'peak training', 'after', 'private: loaded / peak / after', 'notes'];
  const right = [false, false, true, true, true, true, true, false];
  const cells = rows.map((r) => {
    const name = r.page === 'file://' ? 'file://' : 'served';
    if (r.error) return [name, r.preset, '', '', '', '', '', `FAILED: ${r.error}`];
    if (r.skipped) return [name, r.preset, '', '', '', '', '', `skipped: ${r.skipped}`];
    const mb = r.mb, p = r.private_mb;
    return [name, r.preset, fmtFixed(mb.before_data, 0), fmtFixed(mb.data_loaded, 0), fmtFixed(mb.peak_training, 0), fmtFixed(mb.after, 0),
      `${fmtFixed(p.data_loaded, 0)} / ${fmtFixed(p.peak_training, 0)} / ${fmtFixed(p.after, 0)}`,
      `${r.threads} thread${r.threads === 1 ? '' : 's'}, ${r.workers} workers; run ${fmtFixed(r.seconds_training, 1)} s, test accuracy ${fmtFixed(r.test_accuracy, 4)}`];
  });
  return alignTable(head, right, cells);
}

// ---- table --------------------------------------------------------------------------

function fmtInt(n) {
  return n === null || n === undefined || !Number.isFinite(n) ? '—' : Math.round(n).toLocaleString('en-US');
}
function fmtFixed(n, digits) {
  return n === null || n === undefined || !Number.isFinite(n) ? '—' : n.toFixed(digits);
}

function table(rows) {
  const head = ['implementation', 'arch', 'batch', 'threads', 'train samples/s*', 'train s/epoch*', 'test acc.', 'peak RSS MB', 'x tfjs-wasm', 'notes'];
  const right = [false, false, true, true, true, true, true, true, true, false];
  const cells = rows.map((r) => {
    if (r.error) return [r.impl, r.arch, String(r.batch), '', '', '', '', '', '', `FAILED: ${r.error}`];
    const notes = [];
    if (r.skipped) notes.push(`skipped: ${r.skipped}`);
    if (r.seconds_to_97 !== undefined) notes.push(`${r.page}: 97% test accuracy ${r.seconds_to_97.toFixed(2)} s after pressing Train; samples/s as shown then; default preset`);
    if (r.samples_timed && r.samples_timed < 60000) notes.push(`timed ${fmtInt(r.samples_timed)} samples, s/epoch extrapolated`);
    if (r.wasm_file) notes.push(`${r.wasm_file}, ${r.wasm_threads} thread`);
    if (r.impl === 'native') notes.push('no warm-up');
    return [r.impl, r.arch, String(r.batch), r.skipped ? '' : String(r.threads ?? ''), fmtInt(r.samples_per_second),
      fmtFixed(r.seconds_per_epoch, 2), fmtFixed(r.test_accuracy, 4), fmtFixed(r.peak_rss_mb, 0),
      r.ratio_to_tfjs_wasm ? `${r.ratio_to_tfjs_wasm.toFixed(2)}x` : '—', notes.join('; ')];
  });
  return alignTable(head, right, cells);
}

/** Columns padded to their widest cell (right: right-aligned); the last column as it is. */
function alignTable(head, right, cells) {
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c) => c.map((s, i) => (i === c.length - 1 ? s : right[i] ? s.padStart(widths[i]) : s.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/** The CNN rows: ratios to PyTorch's seconds and to the native build's samples/s, in the same run. */
function cnnRatios(rows) {
  const ok = (r) => r && !r.error && !r.unsupported && !r.skipped && cnnSeconds(r);
  const pt1 = rows.find((r) => r.impl === 'pytorch' && r.threads === 1 && ok(r));
  const pt2 = rows.find((r) => r.impl === 'pytorch' && r.threads === 2 && ok(r));
  const native = rows.find((r) => r.impl === 'native' && !r.preset && ok(r));
  for (const row of rows.filter(ok)) {
    if (pt1) row.seconds_vs_pytorch_1 = cnnSeconds(row) / pt1.seconds_run;
    if (pt2) row.seconds_vs_pytorch_2 = cnnSeconds(row) / pt2.seconds_run;
    if (native && row.samples_per_second) row.speed_vs_native = row.samples_per_second / native.samples_per_second;
  }
}

/** The seconds a CNN row is compared by: the run's, or for the page the time until it showed 99%. */
function cnnSeconds(r) {
  return r.impl === 'page-chromium' ? r.seconds_to_target : r.seconds_run;
}

/** A page row's name: how it was opened. */
function pageName(r) {
  return r.page === 'file://' ? 'page, file://' : `page, served${r.cross_origin_isolated ? ' (isolated)' : ''}`;
}

function cnnNotes(r) {
  const notes = [];
  if (r.impl === 'page-chromium') {
    notes.push(r.reached_target
      ? `?preset=${r.preset}: ${r.accuracy_shown} shown ${r.seconds_to_target.toFixed(1)} s after pressing Train, at epoch ${fmtFixed(r.epoch_at_target, 2)}, `
        + `test evaluation ${r.evaluations_to_target}; samples/s as shown then`
      : `?preset=${r.preset}: never showed ${(r.target * 100).toFixed(1)}% (best ${fmtFixed(r.best_test_accuracy, 4)})`);
    notes.push(`whole run ${fmtFixed(r.seconds_run, 1)} s, final accuracy ${fmtFixed(r.test_accuracy, 4)}`);
  }
  if (r.unsupported) notes.push(r.unsupported, `forward pass ${r.forward_pass}`);
  if (r.run_extrapolated) {
    notes.push(`timed ${fmtInt(r.steps_timed)} of ${fmtInt(r.steps_run)} updates and ${fmtInt(r.test_images_evaluated)} test images; `
      + `seconds extrapolated, no accuracy (after them: ${fmtFixed(r.subset_test_accuracy, 4)})`);
  }
  if (r.test_accuracy_per_epoch) notes.push(`per epoch ${r.test_accuracy_per_epoch.map((a) => a.toFixed(4)).join(', ')}`);
  if (r.stand_in) notes.push(`STAND-IN recipe (${r.stand_in.measured}), because ${r.stand_in.reason}`);
  if (r.recipe_note) notes.push(r.recipe_note);
  if (r.torch) notes.push(`PyTorch ${r.torch}`);
  return notes.join('; ');
}

function cnnTable(rows) {
  const head = ['implementation', 'threads', 'train samples/s', 's, 2 epochs + tests', 'test acc.', 's / PyTorch 1T', 's / PyTorch 2T',
    'samples/s / native', 'peak RSS MB', 'notes'];
  const right = [false, true, true, true, true, true, true, true, true, false];
  const x = (v) => (!v ? '—' : v < 0.1 ? `${v.toPrecision(2)}x` : `${v.toFixed(2)}x`);
  const cells = rows.map((r) => {
    const page = r.impl === 'page-chromium';
    if (r.error) return [page ? pageName(r) : r.impl, String(r.threads), '', '', '', '', '', '', '', `FAILED: ${r.error}`];
    if (r.unsupported) return [r.impl, String(r.threads), '—', '—', '—', '—', '—', '—', fmtFixed(r.peak_rss_mb, 0), cnnNotes(r)];
    if (r.skipped) return [pageName(r), '', '', '', '', '', '', '', '', `skipped: ${r.skipped}`];
    const name = page ? pageName(r) : r.preset ? `${r.impl}, preset ${r.preset} (${r.epochs} epochs)` : r.impl;
    const seconds = page ? (r.reached_target ? `${fmtFixed(r.seconds_to_target, 1)} to 99%` : 'no 99%')
      : `${r.run_extrapolated ? '~' : ''}${fmtFixed(r.seconds_run, 1)}`;
    return [name, String(r.threads), fmtInt(r.samples_per_second), seconds,
      fmtFixed(r.test_accuracy, 4), x(r.seconds_vs_pytorch_1), x(r.seconds_vs_pytorch_2), x(r.speed_vs_native),
      fmtFixed(r.peak_rss_mb, 0), cnnNotes(r)];
  });
  return alignTable(head, right, cells);
}

/** The issue's targets, one PASS/FAIL line each, from the rows of this run. */
function cnnTargets(rows) {
  const find = (impl, threads) => rows.find((r) => r.impl === impl && r.threads === threads && !r.error && !r.unsupported);
  const native = rows.find((r) => r.impl === 'native' && !r.preset && !r.error), wasm1 = find('wasm', 1), wasm2 = find('wasm', 2), pt1 = find('pytorch', 1), pt2 = find('pytorch', 2);
  const nativePreset = rows.find((r) => r.impl === 'native' && r.preset && !r.error) || native;
  const caveat = (...used) => {
    const c = [];
    if (used.some((r) => r.run_extrapolated)) c.push('from a subset of the run, seconds extrapolated');
    if (used.some((r) => r.stand_in)) c.push('WASM stand-in recipe');
    return c.length ? ` [${c.join('; ')}]` : '';
  };
  const line = (name, rowsNeeded, test) => {
    if (rowsNeeded.some((r) => !r)) return `n/a   ${name}: a row it needs is missing or failed`;
    const { pass, text } = test();
    return `${pass ? 'PASS' : 'FAIL'}  ${name}: ${text}${caveat(...rowsNeeded)}`;
  };
  const T = TARGETS;
  return [
    line(`native 1 thread finishes its cnn run in <= ${T.nativeVsPytorch1}x PyTorch 1 thread's time for 2 epochs, at >= ${(T.accuracy * 100).toFixed(1)}%`,
      [nativePreset, pt1], () => {
        const ratio = nativePreset.seconds_run / pt1.seconds_run;
        const accOk = nativePreset.test_accuracy !== null && nativePreset.test_accuracy >= T.accuracy;
        return { pass: ratio <= T.nativeVsPytorch1 && accOk,
          text: `${nativePreset.preset ? `preset ${nativePreset.preset}, ${nativePreset.epochs} epochs` : `${CNN_RECIPE.epochs} epochs`}: `
            + `${nativePreset.seconds_run.toFixed(1)} s vs ${pt1.seconds_run.toFixed(1)} s = ${ratio.toFixed(2)}x, accuracy ${fmtFixed(nativePreset.test_accuracy, 4)}` };
      }),
    line(`WASM 1 thread >= ${fmtInt(T.wasmSamplesPerSecond)} training samples/s`, [wasm1], () => ({
      pass: wasm1.samples_per_second >= T.wasmSamplesPerSecond, text: `${fmtInt(wasm1.samples_per_second)} samples/s` })),
    line(`WASM 2 threads >= ${T.wasmThreadScaling}x its 1-thread speed`, [wasm1, wasm2], () => {
      const ratio = wasm2.samples_per_second / wasm1.samples_per_second;
      return { pass: ratio >= T.wasmThreadScaling, text: `${fmtInt(wasm2.samples_per_second)} vs ${fmtInt(wasm1.samples_per_second)} samples/s = ${ratio.toFixed(2)}x` };
    }),
    line(`WASM 2 threads finishes in <= ${T.wasm2VsPytorch2}x PyTorch 2 threads' time`, [wasm2, pt2], () => {
      const ratio = wasm2.seconds_run / pt2.seconds_run;
      return { pass: ratio <= T.wasm2VsPytorch2, text: `${wasm2.seconds_run.toFixed(1)} s vs ${pt2.seconds_run.toFixed(1)} s = ${ratio.toFixed(2)}x` };
    }),
    line(`WASM 1 thread >= ${T.wasmVsNative}x the native build's speed`, [wasm1, native], () => {
      const ratio = wasm1.samples_per_second / native.samples_per_second;
      return { pass: ratio >= T.wasmVsNative, text: `${fmtInt(wasm1.samples_per_second)} vs ${fmtInt(native.samples_per_second)} samples/s = ${ratio.toFixed(2)}x` };
    }),
    pageLine('served', T.pageServedVsPytorch2, pt2),
    pageLine('file://', T.pageFileVsPytorch1, pt1),
  ];

  /** Issue 11: the page (?preset=cnn) shows 99% within `limit` x PyTorch's time for the recipe's 2 epochs. */
  function pageLine(mode, limit, pt) {
    const page = rows.find((r) => r.impl === 'page-chromium' && pageName(r).startsWith(`page, ${mode}`) && !r.error && !r.skipped);
    const pct = `${(T.accuracy * 100).toFixed(1)}%`;
    const peer = pt ? `PyTorch ${pt.threads} thread${pt.threads === 1 ? "'s" : "s'"}` : 'PyTorch\'s';
    return line(`page ${mode} shows ${pct} in <= ${limit}x ${peer} time for ${CNN_RECIPE.epochs} epochs`,
      [page, pt], () => {
        if (!page.reached_target) {
          return { pass: false, text: `never showed ${pct}: best ${fmtFixed(page.best_test_accuracy, 4)}, whole run ${fmtFixed(page.seconds_run, 1)} s `
            + `(PyTorch ${pt.seconds_run.toFixed(1)} s)` };
        }
        const ratio = page.seconds_to_target / pt.seconds_run;
        return { pass: ratio <= limit, text: `${page.seconds_to_target.toFixed(1)} s vs ${pt.seconds_run.toFixed(1)} s = ${ratio.toFixed(3)}x `
          + `(${page.threads} thread${page.threads === 1 ? '' : 's'}, at epoch ${fmtFixed(page.epoch_at_target, 2)})` };
      });
  }
}

/** Issue 11's "show the numbers": how the page and the worker kept up during each page row's cnn run. */
function pageResponsiveness(rows) {
  const ms = (s) => (s.max_ms === null ? '—' : `median ${s.median_ms}, p90 ${s.p90_ms}, max ${s.max_ms} ms`);
  return rows.filter((r) => r.impl === 'page-chromium' && !r.error && !r.skipped).map((r) => {
    const m = r.main_thread, p = r.predict;
    return [
      `${pageName(r)} (${r.threads} thread${r.threads === 1 ? '' : 's'}, ${fmtFixed(r.seconds_run, 1)} s run):`,
      `  test evaluations: ${r.evaluation_ms.count}, each ${ms(r.evaluation_ms)}; `
        + (r.evaluations_in_background ? `${r.evaluations_in_background} of them in the tester beside the training worker, which trained on; ` : '')
        + `training stood still for tests ${fmtFixed(r.evaluation_share * 100, 0)}% of the run`,
      `  main thread: ${m.frames} frames, gaps ${ms(m.frame_gap_ms)}, ${m.frame_gaps_over_100ms} over 100 ms; `
        + (m.longtask_supported ? `${m.longtasks} long tasks (> 50 ms), the longest ${m.longest_longtask_ms} ms`
          + ` (handling: ${Object.entries(m.longtasks_by_message).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'})` : 'no longtask entries in this browser'),
      `  progress messages: gaps ${ms(r.progress_gap_ms)}`,
      p ? `  a drawing's predict, every ${p.every_ms} ms: answered in ${ms(p.all)} (${p.all.count}); while training ${ms(p.while_training)}; `
        + `during an evaluation ${ms(p.while_evaluating)} (${p.while_evaluating.count})${p.unanswered ? `; ${p.unanswered} unanswered` : ''}` : '',
    ].filter(Boolean).join('\n');
  });
}

// ---- main ---------------------------------------------------------------------------------

async function main() {
  const impls = process.env.BENCH_IMPLS ? process.env.BENCH_IMPLS.split(',').map((s) => s.trim()).filter(Boolean) : ALL_IMPLS;
  const unknown = impls.filter((i) => !ALL_IMPLS.includes(i));
  const nets = (process.env.BENCH_NETS || 'dense,cnn').split(',').map((s) => s.trim()).filter(Boolean);
  if (unknown.length || nets.some((n) => !['dense', 'cnn'].includes(n))) {
    console.error(unknown.length ? `bench: unknown implementation(s) ${unknown.join(', ')}; known: ${ALL_IMPLS.join(', ')}`
      : `bench: BENCH_NETS takes dense and/or cnn, not ${nets.join(',')}`);
    process.exit(2);
  }
  const plan = [];
  // the tab's memory while the page trains each suite's preset (not the CNN's in BENCH_QUICK runs)
  if (impls.includes('page-memory')) {
    for (const [net, preset] of [['dense', 'default'], ['cnn', PAGE_CNN_PRESET]]) {
      if (!nets.includes(net) || (net === 'cnn' && QUICK)) continue;
      for (const page of ['served', 'file']) plan.push({ net: 'memory', impl: 'page-memory', preset, page, arch: `?preset=${preset}`, batch: '' });
    }
  }
  if (nets.includes('dense')) {
    for (const impl of DENSE_IMPLS.filter((i) => impls.includes(i))) {
      if (impl === 'page-chromium') {
        plan.push({ impl, ...HEADLINE, page: 'served' }, { impl, ...HEADLINE, page: 'file' });
      } else {
        plan.push({ impl, ...HEADLINE });
        if (impl === 'wasm' && WASM_THREADS > 1) plan.push({ impl, ...HEADLINE, threads: WASM_THREADS });
      }
    }
    if (!QUICK) {
      for (const cfg of EXTRA) {
        for (const impl of REPEATED.filter((i) => impls.includes(i))) {
          plan.push({ impl, ...cfg });
          if (impl === 'wasm' && WASM_THREADS > 1) plan.push({ impl, ...cfg, threads: WASM_THREADS });
        }
      }
    }
  }
  if (nets.includes('cnn')) {
    for (const impl of CNN_IMPLS.filter((i) => impls.includes(i))) {
      if (impl === 'page-chromium') {
        if (!QUICK) for (const page of ['served', 'file']) plan.push({ net: 'cnn', impl, arch: CNN_RECIPE.arch, batch: CNN_RECIPE.batch, page });
        continue;
      }
      for (const threads of CNN_THREADS[impl] || [1]) plan.push({ net: 'cnn', impl, arch: CNN_RECIPE.arch, batch: CNN_RECIPE.batch, threads });
      // the issue's first target times the `cnn` preset's whole run (to >= 99%), not the 2 epochs
      if (impl === 'native' && !QUICK) plan.push({ net: 'cnn', impl, arch: CNN_RECIPE.arch, batch: CNN_RECIPE.batch, threads: 1, preset: 'cnn' });
    }
  }

  const machine = machineInfo();
  console.log(`machine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, ${machine.os}, load average ${machine.loadavg_1min} at start`);
  fs.mkdirSync(BUILD, { recursive: true });
  fs.writeFileSync(OUT_FILE, '');

  const rows = [];
  let failed = 0;
  for (const [i, item] of plan.entries()) {
    const threads = item.threads > 1 ? ` ${item.threads} threads` : item.threads ? ' 1 thread' : '';
    const label = `[${i + 1}/${plan.length}] ${item.impl}${item.page ? ` (${item.page})` : ''}${threads} `
      + `${item.arch}${item.batch ? ` batch ${item.batch}` : ''}`;
    process.stderr.write(`${label} ...\n`);
    const started = Date.now();
    const base = item.net === 'memory' ? { net: 'memory', impl: item.impl, preset: item.preset, page: PAGE_MODES[item.page] }
      : { net: item.net || 'dense', impl: item.impl, arch: item.arch, batch: item.batch, threads: item.threads || 1,
        ...(item.page ? { page: PAGE_MODES[item.page] } : {}) };
    let row;
    try {
      const runs = item.net === 'memory' ? { 'page-memory': pageMemory } : item.net === 'cnn' ? CNN_RUNS : IMPLS;
      row = { ...base, ...(await runs[item.impl](item)) };
    } catch (err) {
      failed++;
      row = { ...base, error: String(err.message || err) };
    }
    row.machine = machine;
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    process.stderr.write(`${label}: ${row.error ? `FAILED: ${row.error}` : row.skipped ? `skipped: ${row.skipped}`
      : row.unsupported ? `unsupported: ${row.unsupported}`
        : row.net === 'memory' ? `peak ${fmtFixed(row.mb.peak_training, 0)} MB while training, test accuracy ${fmtFixed(row.test_accuracy, 4)}`
        : `${fmtInt(row.samples_per_second)} samples/s, test accuracy ${fmtFixed(row.test_accuracy, 4)}`} (${secs} s)\n`);
    rows.push(row);
    fs.appendFileSync(OUT_FILE, `${JSON.stringify(row)}\n`); // kept as we go, rewritten with ratios below
  }
  const dense = rows.filter((r) => r.net === 'dense'), cnn = rows.filter((r) => r.net === 'cnn');
  const memory = rows.filter((r) => r.net === 'memory');
  for (const row of dense) {
    const ref = dense.find((r) => r.impl === 'tfjs-wasm' && r.arch === row.arch && r.batch === row.batch && !r.error);
    if (ref && !row.error && row.samples_per_second && row.impl !== 'page-chromium') {
      row.ratio_to_tfjs_wasm = row.samples_per_second / ref.samples_per_second;
    }
  }
  cnnRatios(cnn);
  fs.writeFileSync(OUT_FILE, rows.map((row) => `${JSON.stringify(row)}\n`).join(''));
  if (dense.length) {
    console.log('');
    console.log(`Dense nets. data: ${path.relative(ROOT, DATA_DIR) || DATA_DIR}; each run: ${WARMUP} warm-up batches (untimed, throwaway `
      + `network), then a fresh network trains one epoch of 60,000 images (shuffled once per epoch) with plain SGD, lr ${LR}, `
      + 'momentum 0; then the 10,000 test images.');
    console.log('* training time only: forward, backward, update and the uint8->float (/255) conversion of each batch; '
      + 'not data loading, decompression, warm-up or test evaluation. x tfjs-wasm: samples/s over tfjs-wasm\'s at the same arch and batch.');
    console.log(table(dense));
  }
  if (cnn.length) {
    const r = CNN_RECIPE;
    console.log('');
    console.log(`CNN ${r.arch}, batch ${r.batch}, ${r.epochs} epochs, ${r.optimizer} (beta2 ${r.beta2}, eps ${r.eps}; beta1 cycled by `
      + `the schedule), ${r.schedule} (max lr ${r.lr}, PyTorch's OneCycleLR defaults), x/255, ${r.init} init, seed ${r.seed}; `
      + `no warm-up.${QUICK ? ` BENCH_QUICK: ${QUICK_STEPS} updates timed per row, seconds extrapolated.` : ''}`);
    console.log('train samples/s: training steps only. s, 2 epochs + tests: the whole run, training and the test evaluation after each '
      + 'epoch, not data loading (~: extrapolated from the timed subset). s / PyTorch: that over PyTorch\'s (1 or 2 threads); '
      + 'samples/s / native: training speed over the native build\'s (1 thread), same run.');
    console.log(cnnTable(cnn));
    console.log('');
    console.log('Targets (issues 10 and 11):');
    for (const line of cnnTargets(cnn)) console.log(`  ${line}`);
    const kept = pageResponsiveness(cnn);
    if (kept.length) {
      console.log('');
      console.log(`The page while it trains ?preset=${PAGE_CNN_PRESET} (between pressing Train and the end of the run):`);
      for (const block of kept) console.log(block);
    }
  }
  if (memory.length) {
    console.log('');
    console.log('The tab\'s memory (issue 12): resident MB (10^6 bytes) of Chromium\'s renderer process for the page and its workers '
      + '(bench/memory.js): before the data, with it loaded and Ready, the peak between pressing Train and the end of the preset\'s run, '
      + 'a second after. Private: less the pages of Chromium\'s own code, which every Chromium process maps (an empty page\'s renderer holds ~100 MB of them).');
    console.log(memoryTable(memory));
  }
  console.log('');
  console.log(`${rows.length} runs, ${failed} failed; JSON lines in ${path.relative(ROOT, OUT_FILE)}`);
  process.exitCode = failed ? 1 : 0;
}

main().catch((err) => {
  console.error(`bench: ${err.stack || err}`);
  process.exit(1);
});
