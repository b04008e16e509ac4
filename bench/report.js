'use strict';
/**
 * A bench run's results as sections (dense nets, CNN, the tab's memory, the drawing pad): each a title,
 * what it measured and how, its table, and blocks of lines that follow it (the targets,
 * the page's responsiveness); printed on the console by bench/run.js and written to
 * docs/benchmarks.md by bench/markdown.js, from the same rows (build/bench.jsonl).
 *
 * Public: sections(rows) -> [{title, about: [text], table: {head, right, cells},
 * blocks: [{title, lines}]}], machineLine(machine) -> text, printReport(rows).
 */

const { CNN_RECIPE, LR, WARMUP, QUICK_STEPS, PAGE_CNN_PRESET } = require('./config.js');
const { denseTable, cnnTable, memoryTable, drawpadTable, textTable } = require('./tables.js');
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
  const r = CNN_RECIPE;
  const quick = rows.some((row) => row.quick);
  const blocks = [{ title: 'Targets', lines: cnnTargets(rows) }];
  const kept = pageResponsiveness(rows);
  if (kept.length) {
    blocks.push({ title: `The page while it trains ?preset=${PAGE_CNN_PRESET} (between pressing Train and the end of the run)`, lines: kept.flat() });
  }
  return {
    title: 'CNN',
    about: [
      `${r.arch}, batch ${r.batch}, ${r.epochs} epochs, ${r.optimizer} (beta2 ${r.beta2}, eps ${r.eps}; beta1 cycled by `
        + `the schedule), ${r.schedule} (max lr ${r.lr}, PyTorch's OneCycleLR defaults), x/255, ${r.init} init, seed ${r.seed}; `
        + `no warm-up.${quick ? ` BENCH_QUICK: ${QUICK_STEPS} updates timed per row, seconds extrapolated.` : ''}`,
      'train samples/s: training steps only. s, 2 epochs + tests: the whole run, training and the test evaluation after each '
        + 'epoch, not data loading (~: extrapolated from the timed subset). s / PyTorch: that over PyTorch\'s (1 or 2 threads); '
        + 'samples/s / native: training speed over the native build\'s (1 thread), same run.',
    ],
    table: cnnTable(rows),
    blocks,
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

/** The sections that have rows, in the order dense, CNN, memory, drawing pad. */
function sections(rows) {
  const of = (net) => rows.filter((r) => r.net === net);
  return [['dense', denseSection], ['cnn', cnnSection], ['memory', memorySection], ['drawpad', drawpadSection]]
    .filter(([net]) => of(net).length > 0)
    .map(([net, section]) => section(of(net)));
}

function machineLine(m) {
  return `${m.cpu}, ${m.cores} cores, Node ${m.node}, ${m.os}, load average ${m.loadavg_1min} at start`;
}

/** The run's sections on stdout, as aligned text. */
function printReport(rows) {
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

module.exports = { sections, machineLine, printReport };
