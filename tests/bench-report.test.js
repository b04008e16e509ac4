'use strict';
/**
 * docs/benchmarks.md's generator (bench/markdown.js), on a fixed set of rows as a bench
 * run writes them to build/bench.jsonl: the fixed header names the machine, each suite
 * with rows gets its section and a well-formed Markdown table, the targets and the
 * page's responsiveness follow the CNN table, the WebAssembly thread scaling has its
 * table, failures and skips are shown, rows taken on a busy machine are marked and their
 * targets not judged, and the command line rewrites a page from a jsonl file. The
 * machine's load (bench/load.js) from made-up /proc samples: the others' share, the
 * process tree, the busy rule. The CNN recipe (bench/recipe.js) follows the core's
 * preset. No benchmark is run, nothing is timed.
 */

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { test } = require('node:test');

const { tempDir } = require('./helpers');
const { benchmarksMarkdown, readRows } = require('../bench/markdown.js');
const { denseRatios, cnnRatios } = require('../bench/targets.js');
const { BUSY_CORES, parseCpuStat, parsePidStat, treeOf, treeDelta, othersCores, loadOf, busyText } = require('../bench/load.js');
const { cnnRecipe, COMPARE_EPOCHS } = require('../bench/recipe.js');
const { planOf } = require('../bench/plan.js');
const { createEngine } = require('../scripts/lib/engine.js');

const MACHINE = { cpu: 'Test CPU 9000', cores: 2, node: 'v20.20.2', os: 'Linux 6 x64', loadavg_1min: 1.25, date: '2025-01-02' };
const spread = (ms) => ({ count: 4, median_ms: ms, p90_ms: ms * 2, max_ms: ms * 3 });
const QUIET = loadOf({ before: 0.02, during: [0.01, 0.03], after: 0.02, loadavg_before: [0.1, 0.2, 0.3], loadavg_after: [0.1, 0.2, 0.3] });
const BUSY = loadOf({ before: 0.05, during: [0.9, 1.1], after: 0.3, loadavg_before: [2, 2, 2], loadavg_after: [2.5, 2, 2] });
const RECIPE = { arch: '784-c16k3-p2-c32k3-p2-64-10', init: 'he', optimizer: 'adam', schedule: 'onecycle', lr: 0.01, momentum: 0.9,
  batch: 128, epochs: 2, iterations: 0, weightDecay: 0, lrDecay: 1, beta1: 0.9, beta2: 0.9, eps: 1e-8, shift: 1, rotate: 0, scale: 0,
  preset: 'cnn', presetEpochs: 2, seed: 1 };

function rows() {
  const dense = (impl, sps, more = {}) => ({ net: 'dense', impl, arch: '784-128-10', batch: 64, threads: 1, samples_timed: 60000,
    samples_per_second: sps, seconds_per_epoch: 60000 / sps, test_accuracy: 0.93, peak_rss_mb: 50, ...more });
  const cnn = (impl, threads, seconds, more = {}) => ({ net: 'cnn', impl, arch: '784-c16k3-p2-c32k3-p2-64-10', batch: 128, threads,
    recipe: RECIPE, samples_per_second: 120000 / seconds, seconds_run: seconds, test_accuracy: 0.989, test_accuracy_per_epoch: [0.98, 0.989],
    peak_rss_mb: 80, load: QUIET, ...more });
  const all = [
    dense('wasm', 30000),
    dense('tfjs-wasm', 10000),
    dense('convnetjs', 1000, { samples_timed: 2000 }),
    { net: 'dense', impl: 'naive-native', arch: '784-128-10', batch: 64, threads: 1, error: 'naive: exit 1: no | data' },
    cnn('native', 1, 20),
    cnn('native', 1, 14, { preset: 'cnn', epochs: 2, test_accuracy: 0.991 }),
    cnn('wasm', 1, 25),
    cnn('wasm', 2, 15, { load: BUSY }),
    cnn('wasm', 3, 11),
    cnn('pytorch', 1, 60, { torch: '1.13.0' }),
    cnn('pytorch', 2, 40, { torch: '1.13.0' }),
    cnn('convnetjs', 1, 900, { run_extrapolated: true, steps_timed: 60, steps_run: 938, test_images_evaluated: 1000,
      subset_test_accuracy: 0.5, test_accuracy: null, test_accuracy_per_epoch: null, augmentation_note: 'trains without the recipe\'s augmentation' }),
    { net: 'cnn', impl: 'page-chromium', arch: '784-c16k3-p2-c32k3-p2-64-10', batch: 128, threads: 2, page: 'served by scripts/serve.js',
      recipe: RECIPE, load: QUIET, cross_origin_isolated: true, preset: 'cnn', reached_target: true, seconds_to_target: 9.5, accuracy_shown: '99.01%',
      epoch_at_target: 1.5, evaluations_to_target: 3, seconds_run: 18, test_accuracy: 0.991, samples_per_second: 20000,
      evaluation_ms: spread(100), evaluations_in_background: 0, evaluation_share: 0.05, progress_gap_ms: spread(200),
      main_thread: { frames: 900, frame_gap_ms: spread(16), frame_gaps_over_100ms: 1, longtask_supported: true, longtasks: 2,
        longest_longtask_ms: 80, longtasks_by_message: { progress: 2 } },
      predict: { every_ms: 250, all: spread(5), while_training: spread(5), while_evaluating: spread(9), unanswered: 0 } },
    { net: 'cnn', impl: 'page-chromium', arch: '784-c16k3-p2-c32k3-p2-64-10', batch: 128, threads: 1, page: 'file://',
      skipped: 'no Chromium at /nowhere' },
    { net: 'memory', impl: 'page-memory', preset: null, page: 'empty', private_mb: 25, mb: 120 },
    { net: 'memory', impl: 'page-memory', preset: 'cnn', page: 'file://', threads: 1, tester: true, workers_training: 2,
      workers_after: 1, iterations: null, seconds_training: 30, test_accuracy: 0.991,
      private_mb: { before_data: 60, data_loaded: 175, peak_training: 214, after_done: 184 },
      mb: { before_data: 185, data_loaded: 300, peak_training: 343, after_done: 313 } },
    { net: 'memory', impl: 'page-memory', preset: 'cnn-best', page: 'served by scripts/serve.js', threads: 2, tester: false,
      workers_training: 2, workers_after: 2, iterations: 32, seconds_training: 9, test_accuracy: 0.95,
      private_mb: { before_data: 60, data_loaded: 250, peak_training: 260, after_done: 240 },
      mb: { before_data: 185, data_loaded: 370, peak_training: 380, after_done: 360 } },
    { net: 'drawpad', impl: 'page-drawpad', preset: 'cnn', page: 'served by scripts/serve.js', moves: 200, ms_per_move: 25.5,
      load: BUSY, move_ms: spread(20), stroke_seconds: 5.1, pointermove_handler_ms: spread(0.2), longtask_supported: true, longtasks: 3,
      longest_longtask_ms: 61, frame_gap_ms: spread(17), predicts: 120, frames: 300, max_in_flight: 1, settle_ms: 12 },
  ].map((r) => ({ ...r, machine: MACHINE }));
  denseRatios(all.filter((r) => r.net === 'dense'));
  cnnRatios(all.filter((r) => r.net === 'cnn'));
  return all;
}

/** The Markdown tables of a page: runs of lines starting with '|'. */
function tablesOf(markdown) {
  const tables = [];
  let inTable = false;
  for (const line of markdown.split('\n')) {
    if (!line.startsWith('|')) {
      inTable = false;
      continue;
    }
    if (!inTable) tables.push([]);
    inTable = true;
    tables[tables.length - 1].push(line);
  }
  return tables;
}

const columns = (line) => line.replace(/\\\|/g, '').split('|').length - 2; // "| a | b |" -> 2

test('docs/benchmarks.md: the fixed header with the machine, then a section and table per suite', () => {
  const md = benchmarksMarkdown(rows());
  assert.match(md, /^# Benchmarks\n/);
  assert.match(md, /What is measured:/);
  assert.match(md, /How: every row is a fresh process/);
  assert.match(md, /## Machine\n\nTest CPU 9000, 2 cores, Node v20\.20\.2, Linux 6 x64, load average 1\.25 at start; run on 2025-01-02\./);
  assert.match(md, /A row where they took more than 0\.1 of a core in any of these is BUSY/);
  assert.match(md, /2 of 10 rows were busy \(marked BUSY in the tables\)\./, 'the rows with a load record: the CNN rows and the pad\'s');
  assert.match(md, /18 runs, 1 failed\./);
  const titles = [...md.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
  assert.deepEqual(titles, ['Machine', 'Dense nets', 'CNN', 'WebAssembly threads on the CNN', 'The tab\'s memory', 'The drawing pad']);
  const tables = tablesOf(md);
  assert.equal(tables.length, 5);
  for (const table of tables) {
    const width = columns(table[0]);
    assert.match(table[1], /^\|( -{3,}:? \|)+$/, 'the second line separates the head');
    for (const line of table) assert.equal(columns(line), width, `a row with another number of cells: ${line}`);
  }
  assert.equal(tables[0].length, 2 + 4);
  assert.equal(tables[1].length, 2 + 10);
  assert.equal(tables[2].length, 2 + 3, 'one scaling row per WebAssembly thread count');
  assert.equal(tables[3].length, 2 + 3);
  assert.equal(tables[4].length, 2 + 1);
});

test('docs/benchmarks.md: the rows\' figures, ratios, failures, skips, targets and the page\'s responsiveness', () => {
  const md = benchmarksMarkdown(rows());
  assert.match(md, /\| wasm \| 784-128-10 \| 64 \| 1 \| 30,000 \| 2\.00 \| 0\.9300 \| 50 \| 3\.00x \| — \|/, 'no load recorded: a dash');
  assert.match(md, /FAILED: naive: exit 1: no \\\| data/, 'a | in a cell is escaped');
  assert.match(md, /timed 2,000 samples, s\/epoch extrapolated/);
  assert.match(md, /\| pytorch \| 1 \| 2,000 \| 60\.0 \| 0\.9890 \| 1\.00x \| 1\.50x \| 0\.33x \| 80 \| 0\.02 \|/);
  assert.match(md, /\| convnetjs \| 1 \| 133 \| ~900\.0 \|.*trains without the recipe's augmentation/);
  assert.match(md, /skipped: no Chromium at \/nowhere/);
  // the recipe as the rows recorded it (the core's preset): its shifts named
  assert.match(md, /The recipe of the core's `cnn` preset: 784-c16k3-p2-c32k3-p2-64-10, batch 128, Adam .*shifts of up to 1 pixel/);
  // the targets: ratios in one run; a row taken on a busy machine is not judged
  assert.match(md, /### Targets\n\n {4}PASS {2}native 1 thread finishes its cnn run in <= 0\.25x PyTorch 1 thread's time for 2 epochs, at >= 99\.0%: preset cnn, 2 epochs: 14\.0 s vs 60\.0 s = 0\.23x/);
  assert.match(md, /n\/j {3}WASM 2 threads >= 1\.8x its 1-thread speed: not judged: machine busy \(other processes took 1\.00 cores during the row, 0\.30 cores after the row \(the bound: 0\.1\)\); measured 8,000 vs 4,800 samples\/s = 1\.67x/);
  assert.match(md, /FAIL {2}WASM 1 thread >= 0\.85x the native build's speed: 4,800 vs 6,000 samples\/s = 0\.80x/);
  assert.match(md, /PASS {2}page served shows 99\.0% in <= 0\.25x PyTorch 2 threads' time for 2 epochs: 9\.5 s vs 40\.0 s = 0\.237x/);
  assert.match(md, /n\/a {3}page file:\/\/ shows 99\.0% in <= 0\.3x PyTorch 1 thread's time/);
  assert.doesNotMatch(md, /(PASS|FAIL) {2}WASM 2 threads/, 'a busy row is never judged');
  // the busy row in its tables, and the scaling table: speedup and efficiency over the 1-thread row
  assert.match(md, /\| wasm \| 2 \| 8,000 \| 15\.0 \|.*\| 1\.00 BUSY \| BUSY: other processes took 1\.00 cores during the row/);
  assert.match(md, /\| 1 \| 4,800 \| 1\.00x \| 100% \| 0\.02 \| {2}\|\n\| 2 \| 8,000 \| 1\.67x \| 83% \| 1\.00 BUSY \| BUSY: .*\|\n\| 3 \| 10,909 \| 2\.27x \| 76% \| 0\.02 \| {2}\|/);
  assert.match(md, /### The page while it trains \?preset=cnn/);
  assert.match(md, / {4}page, served \(isolated\) \(2 threads, 18\.0 s run\):\n {6}test evaluations: 4/);
  assert.match(md, /\| empty page \| — \| 25 \| {2}\| {2}\| {2}\| 120 \| a blank page/);
  assert.match(md, /\| file:\/\/ \| cnn \| 60 \| 175 \| 214 \| 184 \| 343 \| 1 thread; worker threads 2 training, 1 after Done; the whole run, 30\.0 s/);
  assert.match(md, /\| served \| cnn-best \| 60 \| 250 \| 260 \| 240 \| 380 \| 2 threads; worker threads 2 training, 2 after Done; 32 updates/);
  assert.match(md, /PASS {2}page file:\/\/ \?preset=cnn stays under 250 MB private while training and after Done: peak 214 MB, after Done 184 MB, tester ended after Done \(an empty page: 25 MB\)/);
  assert.match(md, /FAIL {2}page served \?preset=cnn-best stays under 250 MB private while training and after Done: peak 260 MB, after Done 240 MB \(an empty page/);
  assert.match(md, /\| cnn \| 25\.5 \| 20\.0 \/ 40\.0 \/ 60\.0 \| 3 \| 61 \| 51 \| 120 \/ 300 \| 1 \| 1\.00 BUSY \|/);
  assert.match(md, /n\/j {3}\?preset=cnn: a 200-move stroke at <= 20 ms per move, no long task over 50 ms: not judged: machine busy .*; measured 25\.5 ms per move, 3 long tasks, the longest 61 ms/);
  const quiet = rows().map((r) => (r.net === 'drawpad' ? { ...r, load: QUIET } : r));
  assert.match(benchmarksMarkdown(quiet), /FAIL {2}\?preset=cnn: a 200-move stroke at <= 20 ms per move, no long task over 50 ms: 25\.5 ms per move/,
    'the same row on a quiet machine is judged');
  assert.doesNotMatch(md, /BENCH_QUICK/);
  // a page row with its second run, drawing while it trains: the responsiveness comes from that run, and says so
  const page = rows().find((r) => r.impl === 'page-chromium' && !r.skipped);
  const drawing = { ...page, seconds_run: 21, seconds_to_target: 11.2, evaluation_ms: spread(120),
    main_thread: { ...page.main_thread, frames: 1200 }, predict: { ...page.predict, all: spread(7) } };
  const twice = rows().map((r) => (r === undefined || r.impl !== 'page-chromium' || r.skipped ? r
    : { ...r, predict: null, while_drawing: drawing }));
  const md2 = benchmarksMarkdown(twice);
  assert.match(md2, / {4}page, served \(isolated\) \(2 threads, 21\.0 s run; a second run, drawing while it trains: 99% shown after 11\.2 s\):\n {6}test evaluations: 4, each median 120/);
  assert.match(md2, /main thread: 1200 frames/);
  assert.match(md2, /PASS {2}page served shows 99\.0% in <= 0\.25x PyTorch 2 threads' time for 2 epochs: 9\.5 s vs 40\.0 s/, 'the target from the first run');
});

test('docs/benchmarks.md: suites without rows are left out; a quick run says so', () => {
  const quick = rows().filter((r) => r.net === 'cnn').map((r) => ({ ...r, quick: true }));
  const md = benchmarksMarkdown(quick);
  assert.deepEqual([...md.matchAll(/^## (.+)$/gm)].map((m) => m[1]), ['Machine', 'CNN', 'WebAssembly threads on the CNN']);
  assert.match(md, /A BENCH_QUICK run/);
  assert.match(md, /BENCH_QUICK: \d+ updates timed per row/);
  assert.match(benchmarksMarkdown([]), /\n\nNo run recorded yet: `make bench` writes its machine and tables here\.\n$/);
});

test('node bench/markdown.js IN OUT writes the page from a jsonl file', (t) => {
  const dir = tempDir(t);
  const jsonl = path.join(dir, 'bench.jsonl'), out = path.join(dir, 'docs', 'benchmarks.md');
  fs.writeFileSync(jsonl, rows().map((r) => `${JSON.stringify(r)}\n`).join(''));
  assert.deepEqual(readRows(jsonl), rows());
  execFileSync(process.execPath, [path.join(__dirname, '..', 'bench', 'markdown.js'), jsonl, out]);
  assert.equal(fs.readFileSync(out, 'utf8'), benchmarksMarkdown(rows()));
});

// ---- the machine's load (bench/load.js), from made-up /proc samples ------------------------

const cpuLine = (busy, idle) => `cpu  ${busy} 0 0 ${idle} 0 0 0 0 0 0\ncpu0 1 0 0 1 0 0 0 0 0 0\ncpu1 1 0 0 1 0 0 0 0 0 0\nintr 1\n`;

test('load: /proc/stat and /proc/<pid>/stat are read as ticks; a name with spaces and parentheses is no trouble', () => {
  assert.deepEqual(parseCpuStat('cpu  100 5 20 1000 7 1 2 3 0 0\ncpu0 50 0 10 500 0 0 0 0 0 0\ncpu1 50 5 10 500 7 1 2 3 0 0\n'),
    { busy: 100 + 5 + 20 + 1 + 2 + 3, total: 131 + 1000 + 7, cpus: 2 });
  assert.throws(() => parseCpuStat('intr 1\n'), /no cpu line/);
  // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime ...
  assert.deepEqual(parsePidStat('4242 (a (b) c) S 17 1 1 0 -1 0 0 0 0 0 30 12 5 3 20 0 1 0'), { ppid: 17, own: 30 + 12, kids: 5 + 3 });
});

const proc = (ppid, own, kids = 0) => ({ ppid, own, kids });

test('load: the bench\'s tree is the root and all its descendants, nothing else', () => {
  const procs = new Map([[1, proc(0, 1000)], [10, proc(1, 5)], [11, proc(10, 7)], [12, proc(11, 100)], [20, proc(1, 400)], [21, proc(20, 50)]]);
  assert.deepEqual([...treeOf(procs, 10).keys()].sort(), [10, 11, 12]);
  assert.deepEqual([...treeOf(procs, 20).keys()].sort(), [20, 21]);
  assert.equal(treeOf(procs, 99).size, 0, 'a root that is gone has no tree');
});

test('load: the tree\'s ticks between snapshots: growth, new processes, ended ones counted once', () => {
  const a = new Map([[10, proc(1, 100)], [11, proc(10, 40)], [12, proc(10, 30)]]);
  // 10 ran 5 more; 11 ran 20 more and is still there; 12 ended after 10 more and 10 reaped it (kids + 40); 13 is new
  const b = new Map([[10, proc(1, 105, 40)], [11, proc(10, 60)], [13, proc(10, 8)]]);
  assert.equal(treeDelta(a, b), 5 + 20 + 10 + 8);
  // a renderer orphaned when its browser quit, reaped outside the tree: it stops counting, never goes negative
  const orphaned = new Map([[10, proc(1, 105)], [11, proc(10, 60)]]);
  assert.equal(treeDelta(a, orphaned), 5 + 20);
});

test('load: the others\' share is the CPU\'s busy ticks less the tree\'s, in cores', () => {
  // 2 CPUs, 200 ticks of each elapsed (400 in all): 250 busy, 150 of them the bench's own
  const a = { ...parseCpuStat(cpuLine(1000, 5000)), tree: new Map([[10, proc(1, 300)]]) };
  const b = { ...parseCpuStat(cpuLine(1250, 5150)), tree: new Map([[10, proc(1, 450)]]) };
  assert.equal(othersCores(a, b), 100 / 200);
  assert.equal(othersCores(a, { ...b, tree: new Map([[10, proc(1, 550)]]) }), 0, 'never negative');
  assert.equal(othersCores(a, a), null, 'no time elapsed: no share');
});

test('load: a row is busy when the others took more than the bound before, on average during, or after it', () => {
  assert.equal(BUSY_CORES, 0.1);
  const quiet = loadOf({ before: 0.02, during: [0.05, 0.01, 0.15, 0.03], after: 0.04 });
  assert.equal(quiet.busy, false, 'one sample over the bound in a quiet row: its mean is what counts');
  assert.equal(quiet.others_cores_during, 0.06);
  assert.equal(quiet.others_cores_during_max, 0.15);
  assert.equal(quiet.samples_during, 4);
  assert.equal(busyText(quiet), null);
  for (const [when, load] of [['before', { before: 0.5, during: [0], after: 0 }], ['during', { before: 0, during: [0.3, 0.2], after: 0 }],
    ['after', { before: 0, during: [0], after: 0.11 }]]) {
    const l = loadOf(load);
    assert.equal(l.busy, true, when);
    assert.match(busyText(l), new RegExp(`other processes took [\\d.]+ cores ${when} the row \\(the bound: 0\\.1\\)`));
  }
  assert.equal(loadOf({ before: null, during: [null], after: null }).busy, null, 'nothing measured: not judged either way');
});

// ---- the CNN recipe: the core's preset ------------------------------------------------------

test('the CNN rows train the core\'s cnn preset (whatever it becomes) for the comparison\'s epochs', async () => {
  const engine = await createEngine();
  const preset = engine.rules.presets.cnn;
  const recipe = cnnRecipe(engine.rules);
  for (const key of Object.keys(preset).filter((k) => !['description', 'expect', 'target', 'epochs', 'iterations', 'seed'].includes(k))) {
    assert.deepEqual(recipe[key], preset[key], key);
  }
  assert.equal(recipe.epochs, COMPARE_EPOCHS);
  assert.equal(recipe.presetEpochs, preset.epochs);
  assert.equal(recipe.description, undefined);
  assert.ok(preset.target > 0, 'the preset watches for a target accuracy');
  assert.equal(recipe.target, undefined, 'the target is the page\'s to watch for, no setting a runner could refuse');
  // a changed preset is followed: another net, batch and shifts
  const changed = cnnRecipe({ ...engine.rules, presets: { cnn: { ...preset, arch: '784-c24k5-p2-c32k3-p2-256-10', batch: 256, shift: 1, epochs: 1 } } });
  assert.deepEqual([changed.arch, changed.batch, changed.shift, changed.epochs, changed.presetEpochs],
    ['784-c24k5-p2-c32k3-p2-256-10', 256, 1, COMPARE_EPOCHS, 1]);
  assert.throws(() => cnnRecipe({ ...engine.rules, presets: { default: preset } }), /no 'cnn' preset/);
  assert.throws(() => cnnRecipe({ ...engine.rules, presets: { cnn: { ...preset, shift: undefined } } }), /has no shift/);
  // the plan: every CNN row carries it; the WebAssembly build on each thread count asked for
  const plan = planOf({ impls: ['native', 'wasm', 'pytorch'], nets: ['cnn'], quick: false, wasmThreads: 2, recipe, cnnWasmThreads: [1, 2, 3, 4],
    cnnRounds: 1 });
  assert.ok(plan.every((item) => item.recipe === recipe && item.arch === preset.arch && item.batch === preset.batch));
  assert.deepEqual(plan.filter((i) => i.impl === 'wasm').map((i) => i.threads), [1, 2, 3, 4]);
  assert.equal(recipe.presetEpochs, recipe.epochs, 'the preset trains the comparison\'s epochs');
  assert.deepEqual(plan.filter((i) => i.impl === 'native').map((i) => i.preset || null), [null], 'its run once, not twice');
  const longer = planOf({ impls: ['native'], nets: ['cnn'], quick: false, wasmThreads: 2, recipe: { ...recipe, presetEpochs: 3 }, cnnRounds: 1 });
  assert.deepEqual(longer.map((i) => i.preset || null), [null, 'cnn'], 'a preset of other epochs: its whole run too');
  // in rounds: native and WebAssembly (the rows the targets compare) take turns, the others run once
  const rounds = planOf({ impls: ['native', 'wasm', 'pytorch'], nets: ['cnn'], quick: false, wasmThreads: 2, recipe, cnnWasmThreads: [1, 2],
    cnnRounds: 3 });
  assert.deepEqual(rounds.map((i) => `${i.impl}${i.threads}${i.round ? `/${i.round}` : ''}`),
    ['native1/1', 'wasm1/1', 'wasm2/1', 'native1/2', 'wasm1/2', 'wasm2/2', 'native1/3', 'wasm1/3', 'wasm2/3', 'pytorch1', 'pytorch2']);
  assert.throws(() => planOf({ impls: ['native'], nets: ['cnn'], quick: false, wasmThreads: 2 }), /need the recipe/);
});

test('a CNN row of this project is the median of its runs (by speed, or by time: lower), every run listed', async () => {
  const { medianOf } = require('../bench/cnn.js');
  const runs = (values) => { let i = 0; return async () => ({ samples_per_second: values[i], seconds_to_target: values[i++] }); };
  const fast = await medianOf(runs([20000, 16000, 24000]), 'samples_per_second', { repeats: 3 });
  assert.equal(fast.samples_per_second, 20000);
  assert.deepEqual(fast.repeats, { of: 'samples_per_second', values: [20000, 16000, 24000], chosen: 0 });
  // time to a target: lower is better, and a run that never got there is the worst
  const time = await medianOf(runs([7.1, null, 6.3]), 'seconds_to_target', { lower: true, repeats: 3 });
  assert.equal(time.seconds_to_target, 7.1);
  assert.deepEqual(time.repeats.values, [7.1, null, 6.3]);
  const worst = await medianOf(runs([null, null, 6.3]), 'seconds_to_target', { lower: true, repeats: 3 });
  assert.equal(worst.seconds_to_target, null, 'two of three never reached it: the median did not either');
  const once = await medianOf(runs([5]), 'samples_per_second', { repeats: 1 });
  assert.deepEqual(once, { samples_per_second: 5, seconds_to_target: 5 }, 'one run: the row as it is');
});

test('rows in rounds become each one median row, where its first round stood, as busy as its busiest round', () => {
  const { mergeRounds } = require('../bench/rounds.js');
  const row = (impl, threads, round, sps, busy = false) => ({ net: 'cnn', impl, threads, round, rounds: 3, samples_per_second: sps,
    load: { busy, others_cores_during: busy ? 0.5 : 0.01 } });
  const rows = [
    { net: 'memory', impl: 'page-memory' },
    row('native', 1, 1, 15000), row('wasm', 1, 1, 12000), row('native', 1, 2, 14000), row('wasm', 1, 2, 13000, true),
    row('native', 1, 3, 16000), row('wasm', 1, 3, 11000),
    { net: 'cnn', impl: 'pytorch', threads: 1, samples_per_second: 3500 },
  ];
  const merged = mergeRounds(rows);
  assert.deepEqual(merged.map((r) => `${r.impl} ${r.samples_per_second || ''}`.trim()), ['page-memory', 'native 15000', 'wasm 12000', 'pytorch 3500']);
  assert.deepEqual(merged[1].repeats, { of: 'samples_per_second', values: [15000, 14000, 16000], chosen: 0, rounds: true });
  assert.equal(merged[1].round, undefined);
  assert.equal(merged[1].load.busy, false);
  assert.equal(merged[2].load.busy, true, 'one busy round makes the row busy');
  // a round that failed counts as the slowest
  const failed = mergeRounds([row('wasm', 2, 1, 20000), { ...row('wasm', 2, 2, undefined), error: 'x' }, row('wasm', 2, 3, 22000)]);
  assert.equal(failed[0].samples_per_second, 20000);
  assert.deepEqual(failed[0].repeats.values, [20000, null, 22000]);
});
