'use strict';
/**
 * A bench run's results as sections (dense nets, CNN, the WebAssembly build's thread scaling on
 * the CNN, the tab's memory, the drawing pad): each a title,
 * what it measured and how, its table, and blocks of lines that follow it (the targets,
 * the page's responsiveness); printed on the console by bench/run.js and written to
 * docs/benchmarks.md by bench/markdown.js, from the same rows (build/bench.jsonl).
 *
 * Public: sections(rows) -> [{title, about: [text], table: {head, right, cells},
 * blocks: [{title, lines}]}], machineLine(machine) -> text, loadLines(rows) -> [text] (how the
 * machine's load was watched, how many rows were busy), printReport(rows).
 */

const { LR, WARMUP, QUICK_STEPS, PAGE_CNN_PRESET } = require('./config.js');
const { describeRecipe } = require('./recipe.js');
const { BUSY_CORES, SAMPLE_MS, WINDOW_MS } = require('./load.js');
const { denseTable, cnnTable, scalingTable, memoryTable, drawpadTable, textTable } = require('./tables.js');
const { cnnTargets, memoryTargets, pageResponsiveness, drawpadTargets } = require('./targets.js');

function denseSection(rows) {
  return {
    title: 'Dense nets',
    about: [
      `Each run: ${WARMUP} warm-up batches (untimed, throwaway network), then a fresh network trains one epoch of 60,000 images `
        + `(shuffled once per epoch) with plain SGD, lr ${LR}, momentum 0; then the 10,000 test images.`,
      '* training time only: forward, backward, update and the uint8->float (/255) conversion of each batch; '
        + 'not data loading, decompression, warm-up or test evaluation. x tfjs-wasm: samples/s over tfjs-wasm\'s at the same arch and batch.',
    ],
    table: denseTable(rows),
    blocks: [],
  };
}

function cnnSection(rows) {
  const r = (rows.find((row) => row.recipe) || {}).recipe;
  const quick = rows.some((row) => row.quick);
  const blocks = [{ title: 'Targets', lines: cnnTargets(rows) }];
  const kept = pageResponsiveness(rows);
  if (kept.length) {
    blocks.push({ title: `The page while it trains ?preset=${PAGE_CNN_PRESET} (between pressing Train and the end of the run)`, lines: kept.flat() });
  }
  return {
    title: 'CNN',
    about: [
      `${r ? `The recipe of ${describeRecipe(r)}` : 'The recipe was not recorded'}; the test set after each epoch; `
        + `no warm-up.${quick ? ` BENCH_QUICK: ${QUICK_STEPS} updates timed per row, seconds extrapolated.` : ''}`,
      'train samples/s: training steps only. s, 2 epochs + tests: the whole run, training and the test evaluation after each '
        + 'epoch, not data loading (~: extrapolated from the timed subset). s / PyTorch: that over PyTorch\'s (1 or 2 threads); '
        + 'samples/s / native: training speed over the native build\'s (1 thread), same run. This project\'s rows (native, '
        + 'WebAssembly, the page\'s time to 99%) are each the median of several fresh runs (their notes list them), native and '
        + 'WebAssembly in rounds, one run of each per round, so that the machine\'s drift falls on the rows compared alike; PyTorch '
        + 'and the JS peers run once.',
    ],
    table: cnnTable(rows),
    blocks,
  };
}

function scalingSection(rows) {
  const most = Math.max(...rows.map((r) => r.threads));
  const cores = (rows.find((r) => r.machine) || {}).machine?.cores;
  return {
    title: 'WebAssembly threads on the CNN',
    about: [
      'The WebAssembly build\'s CNN rows above by thread count (the threaded module with N - 1 helper threads, as the page runs it '
        + 'served): training samples/s, the speedup over its 1-thread row and the efficiency (speedup / threads). '
        + `Measured up to ${most} thread${most === 1 ? '' : 's'}${cores ? ` on this ${cores}-core machine` : ''}: the engine runs at most `
        + 'threadsFor(cores) (web/worker/engine-threads.js), so a machine with more cores gives more points.',
    ],
    table: scalingTable(rows),
    blocks: [],
  };
}

function memorySection(rows) {
  return {
    title: 'The tab\'s memory',
    about: [
      'Private MB (10^6 bytes: RssAnon + RssShmem, the resident pages less those of files, nearly all Chromium\'s own code) of '
        + 'Chromium\'s renderer process for the page and its workers (bench/memory.js): before the data, with it loaded and Ready, '
        + 'the peak between pressing Train and Done (polled every 100 ms), and after Done, once the tester worker has ended; '
        + 'peak RSS: the whole resident size (VmHWM). Served: cross-origin isolated, the threaded module; file://: one thread '
        + 'and a tester worker while the run tests.',
    ],
    table: memoryTable(rows),
    blocks: [{ title: 'Targets', lines: memoryTargets(rows) }],
  };
}

function drawpadSection(rows) {
  return {
    title: 'The drawing pad',
    about: [
      'One stroke of pointer moves on #draw-pad (bench/drawpad.js), the page served, each preset\'s network built and untrained, '
        + 'nothing training; each move is one mouse event sent by Playwright. ms per move: from sending a move until the browser '
        + 'has handled it (an idle page: about one frame, 16.7 ms). Long tasks (> 50 ms, PerformanceObserver) and frame gaps: from '
        + 'the pen\'s press until the bars answer the final drawing. predicts: the requests the page sent meanwhile.',
    ],
    table: drawpadTable(rows),
    blocks: [{ title: 'Targets', lines: drawpadTargets(rows) }],
  };
}

/** The sections that have rows, in the order dense, CNN, its thread scaling, memory, drawing pad. */
function sections(rows) {
  const of = (net) => rows.filter((r) => r.net === net);
  const wasmCnn = of('cnn').filter((r) => r.impl === 'wasm' && !r.preset);
  return [
    ['dense', denseSection(of('dense'))], ['cnn', cnnSection(of('cnn'))], ['cnn', wasmCnn.length ? scalingSection(wasmCnn) : null],
    ['memory', memorySection(of('memory'))], ['drawpad', drawpadSection(of('drawpad'))],
  ].filter(([net, section]) => section && of(net).length > 0).map(([, section]) => section);
}

function machineLine(m) {
  return `${m.cpu}, ${m.cores} cores, Node ${m.node}, ${m.os}, load average ${m.loadavg_1min} at start`;
}

/** How the load was watched, and how many rows were busy. */
function loadLines(rows) {
  const watched = rows.filter((r) => r.load), busy = watched.filter((r) => r.load.busy);
  if (!watched.length) return ['The machine\'s load was not recorded for these rows (no /proc, or rows of an older run).'];
  return [`The machine's load, for every row (bench/load.js): the CPU taken by processes outside the benchmark's own process tree, `
    + `in cores, over ${WINDOW_MS / 1000} s before the row, every ${SAMPLE_MS / 1000} s during it (the "others' CPU" column: their mean) `
    + `and ${WINDOW_MS / 1000} s after it, with /proc/loadavg before and after (build/bench.jsonl). A row where they took more than `
    + `${BUSY_CORES} of a core in any of these is BUSY: its figures are not the machine's speed, and the targets that need it are `
    + `not judged. ${busy.length} of ${watched.length} rows were busy${busy.length ? ' (marked BUSY in the tables)' : ''}.`];
}

/** The run's sections on stdout, as aligned text. */
function printReport(rows) {
  console.log(loadLines(rows).join('\n'));
  for (const s of sections(rows)) {
    console.log('');
    console.log(`${s.title}. ${s.about.join('\n')}`);
    console.log(textTable(s.table));
    for (const block of s.blocks) {
      console.log('');
      console.log(`${block.title}:`);
      for (const line of block.lines) console.log(`  ${line}`);
    }
  }
}

module.exports = { sections, machineLine, loadLines, printReport };
