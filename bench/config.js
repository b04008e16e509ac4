'use strict';
/**
 * What `make bench` (bench/run.js) runs: the implementations, the configurations, the
 * CNN recipe, the targets, the paths, the BENCH_* environment (read once, here), and the
 * machine the run is on.
 *
 * Public: the constants below and machineInfo() -> {cpu, cores, node, os, loadavg_1min, date}.
 */

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const BUILD = path.join(ROOT, 'build');
const RUNNERS = path.join(__dirname, 'runners');
const OUT_FILE = path.join(BUILD, 'bench.jsonl');
const DOC_FILE = path.join(ROOT, 'docs', 'benchmarks.md');
const DATA_DIR = path.resolve(process.env.BENCH_DATA || path.join(ROOT, 'data', 'mnist'));
const TIME_BIN = '/usr/bin/time';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const PYTHON = '/usr/bin/python3'; // Debian's, with python3-torch; not whichever python3 is first on PATH
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT || 900) * 1000;
const PEER_SAMPLES = Number(process.env.BENCH_PEER_SAMPLES || 0);
const WASM_THREADS = Number(process.env.BENCH_WASM_THREADS || Math.min(os.cpus().length, 4));
const QUICK = process.env.BENCH_QUICK === '1';
const LR = 0.1;
const WARMUP = 50;
const SEED = 1;

const ALL_IMPLS = ['wasm', 'native', 'naive-wasm', 'naive-native', 'pytorch', 'tfjs-wasm', 'tfjs-cpu', 'convnetjs', 'page-chromium',
  'page-memory', 'page-drawpad'];
const DENSE_IMPLS = ALL_IMPLS.filter((i) => i !== 'pytorch' && i !== 'page-memory' && i !== 'page-drawpad');
const CNN_IMPLS = ['native', 'wasm', 'pytorch', 'page-chromium', 'tfjs-wasm', 'tfjs-cpu', 'convnetjs'];

// The CNN rows' net and recipe: the one home of both (the core's `cnn` preset's net).
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
// The project's speed and accuracy targets, checked against the CNN rows of each run.
// pagePrivateMb: the tab's renderer while any preset trains, and after Done (bench/memory.js;
// tests/page-memory.test.js bounds it too).
const TARGETS = { nativeVsPytorch1: 0.33, wasmSamplesPerSecond: 15000, wasmThreadScaling: 1.6, wasm2VsPytorch2: 0.25,
  wasmVsNative: 0.8, accuracy: 0.99, pageServedVsPytorch2: 0.33, pageFileVsPytorch1: 0.4, pagePrivateMb: 250 };
// The page rows: the preset each suite opens it with and the test accuracy timed (`cnn` to
// 99%, served and from file://), and how often a drawing's predict is sent while it trains.
const PAGE_DENSE_TARGET = 0.97;
const PAGE_CNN_PRESET = 'cnn';
const PAGE_PROBE_MS = 250;
const PAGE_MODES = { served: 'served by scripts/serve.js', file: 'file://' }; // how the page was opened
// The drawing pad (bench/drawpad.js): one stroke of DRAWPAD_MOVES pointer moves with every
// preset (BENCH_QUICK: these), and what each must meet: the ms per move, the longest task.
const DRAWPAD_QUICK_PRESETS = ['default', 'cnn'];
const DRAWPAD_TARGETS = { msPerMove: 20, longestTaskMs: 50 };
const HEADLINE = { arch: '784-128-10', batch: 64 };
const EXTRA = [
  { arch: '784-256-10', batch: 64 },
  { arch: '784-512-256-10', batch: 64 },
  { arch: '784-128-10', batch: 16 },
  { arch: '784-128-10', batch: 256 },
];
const REPEATED = ['wasm', 'native']; // the peers are too slow to repeat

function machineInfo() {
  let cpu = os.cpus()[0] ? os.cpus()[0].model : 'unknown';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpu = m[1].trim();
  } catch { /* not Linux: keep os.cpus() */ }
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  // The load when the run started: other work on the machine skews every figure.
  const loadavg = Math.round(os.loadavg()[0] * 100) / 100;
  return { cpu, cores, node: process.version, os: `${os.type()} ${os.release()} ${os.arch()}`, loadavg_1min: loadavg,
    date: new Date().toISOString().slice(0, 10) };
}

module.exports = {
  ROOT, BUILD, RUNNERS, OUT_FILE, DOC_FILE, DATA_DIR, TIME_BIN, CHROMIUM, PYTHON, TIMEOUT_MS, PEER_SAMPLES, WASM_THREADS,
  QUICK, LR, WARMUP, SEED, ALL_IMPLS, DENSE_IMPLS, CNN_IMPLS, CNN_RECIPE, CNN_THREADS, CNN_SLOW, CNN_PEER_STEPS,
  CNN_PEER_TEST_IMAGES, QUICK_STEPS, QUICK_TEST_IMAGES, TARGETS, PAGE_DENSE_TARGET, PAGE_CNN_PRESET, PAGE_PROBE_MS,
  PAGE_MODES, DRAWPAD_QUICK_PRESETS, DRAWPAD_TARGETS, HEADLINE, EXTRA, REPEATED, machineInfo,
};
