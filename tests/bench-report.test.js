'use strict';
/**
 * docs/benchmarks.md's generator (bench/markdown.js), on a fixed set of rows as a bench
 * run writes them to build/bench.jsonl: the fixed header names the machine, each suite
 * with rows gets its section and a well-formed Markdown table, the targets and the
 * page's responsiveness follow the CNN table, failures and skips are shown, and the
 * command line rewrites a page from a jsonl file. No benchmark is run.
 */

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { test } = require('node:test');

const { tempDir } = require('./helpers');
const { benchmarksMarkdown, readRows } = require('../bench/markdown.js');
const { denseRatios, cnnRatios } = require('../bench/targets.js');

const MACHINE = { cpu: 'Test CPU 9000', cores: 2, node: 'v20.20.2', os: 'Linux 6 x64', loadavg_1min: 1.25, date: '2025-01-02' };
const spread = (ms) => ({ count: 4, median_ms: ms, p90_ms: ms * 2, max_ms: ms * 3 });

function rows() {
  const dense = (impl, sps, more = {}) => ({ net: 'dense', impl, arch: '784-128-10', batch: 64, threads: 1, samples_timed: 60000,
    samples_per_second: sps, seconds_per_epoch: 60000 / sps, test_accuracy: 0.93, peak_rss_mb: 50, ...more });
  const cnn = (impl, threads, seconds, more = {}) => ({ net: 'cnn', impl, arch: '784-c16k3-p2-c32k3-p2-64-10', batch: 128, threads,
    samples_per_second: 120000 / seconds, seconds_run: seconds, test_accuracy: 0.989, test_accuracy_per_epoch: [0.98, 0.989],
    peak_rss_mb: 80, ...more });
  const all = [
    dense('wasm', 30000),
    dense('tfjs-wasm', 10000),
    dense('convnetjs', 1000, { samples_timed: 2000 }),
    { net: 'dense', impl: 'naive-native', arch: '784-128-10', batch: 64, threads: 1, error: 'naive: exit 1: no | data' },
    cnn('native', 1, 20),
    cnn('native', 1, 30, { preset: 'cnn', epochs: 3, test_accuracy: 0.991 }),
    cnn('wasm', 1, 25),
    cnn('wasm', 2, 15),
    cnn('pytorch', 1, 60, { torch: '1.13.0' }),
    cnn('pytorch', 2, 40, { torch: '1.13.0' }),
    cnn('convnetjs', 1, 900, { run_extrapolated: true, steps_timed: 60, steps_run: 938, test_images_evaluated: 1000,
      subset_test_accuracy: 0.5, test_accuracy: null, test_accuracy_per_epoch: null }),
    { net: 'cnn', impl: 'page-chromium', arch: '784-c16k3-p2-c32k3-p2-64-10', batch: 128, threads: 2, page: 'served by scripts/serve.js',
      cross_origin_isolated: true, preset: 'cnn', reached_target: true, seconds_to_target: 12.5, accuracy_shown: '99.01%',
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
      move_ms: spread(20), stroke_seconds: 5.1, pointermove_handler_ms: spread(0.2), longtask_supported: true, longtasks: 3,
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
  assert.match(md, /17 runs, 1 failed\./);
  const titles = [...md.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
  assert.deepEqual(titles, ['Machine', 'Dense nets', 'CNN', 'The tab\'s memory', 'The drawing pad']);
  const tables = tablesOf(md);
  assert.equal(tables.length, 4);
  for (const table of tables) {
    const width = columns(table[0]);
    assert.match(table[1], /^\|( -{3,}:? \|)+$/, 'the second line separates the head');
    for (const line of table) assert.equal(columns(line), width, `a row with another number of cells: ${line}`);
  }
  assert.equal(tables[0].length, 2 + 4);
  assert.equal(tables[1].length, 2 + 9);
  assert.equal(tables[2].length, 2 + 3);
  assert.equal(tables[3].length, 2 + 1);
});

test('docs/benchmarks.md: the rows\' figures, ratios, failures, skips, targets and the page\'s responsiveness', () => {
  const md = benchmarksMarkdown(rows());
  assert.match(md, /\| wasm \| 784-128-10 \| 64 \| 1 \| 30,000 \| 2\.00 \| 0\.9300 \| 50 \| 3\.00x \|/);
  assert.match(md, /FAILED: naive: exit 1: no \\\| data/, 'a | in a cell is escaped');
  assert.match(md, /timed 2,000 samples, s\/epoch extrapolated/);
  assert.match(md, /\| pytorch \| 1 \| 2,000 \| 60\.0 \| 0\.9890 \| 1\.00x \| 1\.50x \| 0\.33x \|/);
  assert.match(md, /\| convnetjs \| 1 \| 133 \| ~900\.0 \|/);
  assert.match(md, /skipped: no Chromium at \/nowhere/);
  assert.match(md, /### Targets\n\n {4}(PASS|FAIL) {2}native 1 thread finishes its cnn run/);
  assert.match(md, /FAIL {2}WASM 1 thread >= 15,000 training samples\/s: 4,800 samples\/s/);
  assert.match(md, /PASS {2}page served shows 99\.0% in <= 0\.33x PyTorch 2 threads' time for 2 epochs: 12\.5 s vs 40\.0 s/);
  assert.match(md, /n\/a {3}page file:\/\/ shows 99\.0%/);
  assert.match(md, /### The page while it trains \?preset=cnn/);
  assert.match(md, / {4}page, served \(isolated\) \(2 threads, 18\.0 s run\):\n {6}test evaluations: 4/);
  assert.match(md, /\| empty page \| — \| 25 \| {2}\| {2}\| {2}\| 120 \| a blank page/);
  assert.match(md, /\| file:\/\/ \| cnn \| 60 \| 175 \| 214 \| 184 \| 343 \| 1 thread; worker threads 2 training, 1 after Done; the whole run, 30\.0 s/);
  assert.match(md, /\| served \| cnn-best \| 60 \| 250 \| 260 \| 240 \| 380 \| 2 threads; worker threads 2 training, 2 after Done; 32 updates/);
  assert.match(md, /PASS {2}page file:\/\/ \?preset=cnn stays under 250 MB private while training and after Done: peak 214 MB, after Done 184 MB, tester ended after Done \(an empty page: 25 MB\)/);
  assert.match(md, /FAIL {2}page served \?preset=cnn-best stays under 250 MB private while training and after Done: peak 260 MB, after Done 240 MB \(an empty page/);
  assert.match(md, /\| cnn \| 25\.5 \| 20\.0 \/ 40\.0 \/ 60\.0 \| 3 \| 61 \| 51 \| 120 \/ 300 \| 1 \|/);
  assert.match(md, /FAIL {2}\?preset=cnn: a 200-move stroke at <= 20 ms per move, no long task over 50 ms: 25\.5 ms per move, 3 long tasks, the longest 61 ms/);
  assert.doesNotMatch(md, /BENCH_QUICK/);
});

test('docs/benchmarks.md: suites without rows are left out; a quick run says so', () => {
  const quick = rows().filter((r) => r.net === 'cnn').map((r) => ({ ...r, quick: true }));
  const md = benchmarksMarkdown(quick);
  assert.deepEqual([...md.matchAll(/^## (.+)$/gm)].map((m) => m[1]), ['Machine', 'CNN']);
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
