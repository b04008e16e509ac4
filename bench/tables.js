'use strict';
/**
 * The tables of a bench run, as data ({head, right, cells}: right-aligned columns
 * marked) and rendered as aligned text (the console) or Markdown (docs/benchmarks.md):
 * one for the dense rows, one for the CNN rows, one for the WebAssembly build's thread
 * scaling on the CNN, one for the tab's memory, one for the drawing pad. The timed tables
 * end with the machine's load during each row (bench/load.js): the other processes' CPU
 * in cores, BUSY when a row's figures are not the machine's.
 *
 * Public: fmtInt(n), fmtFixed(n, digits), pageName(row), loadCell(row), denseTable(rows), cnnTable(rows),
 * scalingTable(rows), memoryTable(rows), drawpadTable(rows), textTable(table), markdownTable(table).
 */

const { busyText } = require('./load.js');

function fmtInt(n) {
  return n === null || n === undefined || !Number.isFinite(n) ? '—' : Math.round(n).toLocaleString('en-US');
}
function fmtFixed(n, digits) {
  return n === null || n === undefined || !Number.isFinite(n) ? '—' : n.toFixed(digits);
}

/** A page row's name: how it was opened. */
function pageName(r) {
  return r.page === 'file://' ? 'page, file://' : `page, served${r.cross_origin_isolated ? ' (isolated)' : ''}`;
}

const LOAD_HEAD = 'others\' CPU';

/** A row's load cell: the cores other processes took during it (its mean), BUSY if any window was over the bound. */
function loadCell(r) {
  if (!r.load) return '—';
  return `${fmtFixed(r.load.others_cores_during, 2)}${r.load.busy ? ' BUSY' : ''}`;
}

/** The notes of a busy row start with why. */
function withBusy(r, notes) {
  const busy = busyText(r.load);
  return [busy ? `BUSY: ${busy}` : '', notes].filter(Boolean).join('; ');
}

function denseTable(rows) {
  const head = ['implementation', 'arch', 'batch', 'threads', 'train samples/s*', 'train s/epoch*', 'test acc.', 'peak RSS MB', 'x tfjs-wasm',
    LOAD_HEAD, 'notes'];
  const right = [false, false, true, true, true, true, true, true, true, true, false];
  const cells = rows.map((r) => {
    if (r.error) return [r.impl, r.arch, String(r.batch), '', '', '', '', '', '', loadCell(r), `FAILED: ${r.error}`];
    const notes = [];
    if (r.skipped) notes.push(`skipped: ${r.skipped}`);
    if (r.seconds_to_97 !== undefined) notes.push(`${r.page}: 97% test accuracy ${r.seconds_to_97.toFixed(2)} s after pressing Train; samples/s as shown then; default preset`);
    if (r.samples_timed && r.samples_timed < 60000) notes.push(`timed ${fmtInt(r.samples_timed)} samples, s/epoch extrapolated`);
    if (r.wasm_file) notes.push(`${r.wasm_file}, ${r.wasm_threads} thread`);
    if (r.impl === 'native') notes.push('no warm-up');
    return [r.impl, r.arch, String(r.batch), r.skipped ? '' : String(r.threads ?? ''), fmtInt(r.samples_per_second),
      fmtFixed(r.seconds_per_epoch, 2), fmtFixed(r.test_accuracy, 4), fmtFixed(r.peak_rss_mb, 0),
      r.ratio_to_tfjs_wasm ? `${r.ratio_to_tfjs_wasm.toFixed(2)}x` : '—', loadCell(r), withBusy(r, notes.join('; '))];
  });
  return { head, right, cells };
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
  if (r.augmentation_note) notes.push(r.augmentation_note);
  if (r.torch) notes.push(`PyTorch ${r.torch}`);
  if (r.repeats) {
    const values = r.repeats.values.map((v) => (v === null ? '—' : r.repeats.of === 'samples_per_second' ? fmtInt(v) : fmtFixed(v, 2)));
    notes.push(`the median of ${values.length} ${r.repeats.rounds ? 'rounds (one run each, in turn with the rows it is compared with)' : 'runs'}`
      + ` by ${r.repeats.of.replace(/_/g, ' ')} (${values.join(', ')})`);
  }
  return withBusy(r, notes.join('; '));
}

function cnnTable(rows) {
  const head = ['implementation', 'threads', 'train samples/s', 's, 2 epochs + tests', 'test acc.', 's / PyTorch 1T', 's / PyTorch 2T',
    'samples/s / native', 'peak RSS MB', LOAD_HEAD, 'notes'];
  const right = [false, true, true, true, true, true, true, true, true, true, false];
  const x = (v) => (!v ? '—' : v < 0.1 ? `${v.toPrecision(2)}x` : `${v.toFixed(2)}x`);
  const cells = rows.map((r) => {
    const page = r.impl === 'page-chromium';
    if (r.error) return [page ? pageName(r) : r.impl, String(r.threads), '', '', '', '', '', '', '', loadCell(r), `FAILED: ${r.error}`];
    if (r.unsupported) return [r.impl, String(r.threads), '—', '—', '—', '—', '—', '—', fmtFixed(r.peak_rss_mb, 0), loadCell(r), cnnNotes(r)];
    if (r.skipped) return [pageName(r), '', '', '', '', '', '', '', '', '', `skipped: ${r.skipped}`];
    const name = page ? pageName(r) : r.preset ? `${r.impl}, preset ${r.preset} (${r.epochs} epochs)` : r.impl;
    const seconds = page ? (r.reached_target ? `${fmtFixed(r.seconds_to_target, 1)} to 99%` : 'no 99%')
      : `${r.run_extrapolated ? '~' : ''}${fmtFixed(r.seconds_run, 1)}`;
    return [name, String(r.threads), fmtInt(r.samples_per_second), seconds,
      fmtFixed(r.test_accuracy, 4), x(r.seconds_vs_pytorch_1), x(r.seconds_vs_pytorch_2), x(r.speed_vs_native),
      fmtFixed(r.peak_rss_mb, 0), loadCell(r), cnnNotes(r)];
  });
  return { head, right, cells };
}

/** The WebAssembly build's CNN rows by thread count: samples/s, speedup over 1 thread, efficiency (speedup / threads). */
function scalingTable(rows) {
  const head = ['threads', 'train samples/s', 'speedup over 1', 'efficiency', LOAD_HEAD, 'notes'];
  const right = [true, true, true, true, true, false];
  const wasm = rows.filter((r) => r.impl === 'wasm' && !r.preset).sort((a, b) => a.threads - b.threads);
  const one = wasm.find((r) => r.threads === 1 && !r.error && r.samples_per_second);
  const cells = wasm.map((r) => {
    if (r.error) return [String(r.threads), '', '', '', loadCell(r), `FAILED: ${r.error}`];
    const speedup = one ? r.samples_per_second / one.samples_per_second : null;
    const busy = [r, one].some((x) => x && x.load && x.load.busy);
    return [String(r.threads), fmtInt(r.samples_per_second), speedup === null ? '—' : `${speedup.toFixed(2)}x`,
      speedup === null ? '—' : `${(speedup / r.threads * 100).toFixed(0)}%`, loadCell(r),
      withBusy(r, busy && !(r.load && r.load.busy) ? 'the 1-thread row was taken on a busy machine' : '')];
  });
  return { head, right, cells };
}

/** The memory rows: private MB at each moment of the run, and the peak RSS; an empty page's first. */
function memoryTable(rows) {
  const head = ['page', 'preset', 'before data', 'data loaded', 'peak training', 'after Done', 'peak RSS', 'notes'];
  const right = [false, false, true, true, true, true, true, false];
  const cells = rows.map((r) => {
    const name = r.page === 'file://' ? 'file://' : r.page === 'empty' ? 'empty page' : 'served';
    const preset = r.preset || '—';
    if (r.error) return [name, preset, '', '', '', '', '', `FAILED: ${r.error}`];
    if (r.skipped) return [name, preset, '', '', '', '', '', `skipped: ${r.skipped}`];
    if (!r.preset) return [name, preset, fmtFixed(r.private_mb, 0), '', '', '', fmtFixed(r.mb, 0), 'a blank page: where every page starts'];
    const p = r.private_mb, s = (n) => (n === 1 ? '' : 's');
    return [name, preset, fmtFixed(p.before_data, 0), fmtFixed(p.data_loaded, 0), fmtFixed(p.peak_training, 0), fmtFixed(p.after_done, 0),
      fmtFixed(r.mb.peak_training, 0),
      `${r.threads} thread${s(r.threads)}; worker threads ${r.workers_training} training, ${r.workers_after} after Done; `
        + `${r.iterations ? `${fmtInt(r.iterations)} updates` : 'the whole run'}, ${fmtFixed(r.seconds_training, 1)} s, test accuracy ${fmtFixed(r.test_accuracy, 4)}`];
  });
  return { head, right, cells };
}

/** The drawing pad's rows: a pen's stroke with each preset's network. */
function drawpadTable(rows) {
  const head = ['preset', 'ms per move', 'per move: median / p90 / max', 'long tasks', 'longest task ms', 'longest frame gap ms',
    'predicts / frames', 'most in flight', LOAD_HEAD, 'notes'];
  const right = [false, true, true, true, true, true, true, true, true, false];
  const cells = rows.map((r) => {
    if (r.error) return [r.preset, '', '', '', '', '', '', '', loadCell(r), `FAILED: ${r.error}`];
    if (r.skipped) return [r.preset, '', '', '', '', '', '', '', '', `skipped: ${r.skipped}`];
    const m = r.move_ms;
    return [r.preset, fmtFixed(r.ms_per_move, 1), `${fmtFixed(m.median_ms, 1)} / ${fmtFixed(m.p90_ms, 1)} / ${fmtFixed(m.max_ms, 1)}`,
      r.longtask_supported ? String(r.longtasks) : '—', fmtFixed(r.longest_longtask_ms, 0), fmtFixed(r.frame_gap_ms.max_ms, 0),
      `${r.predicts} / ${r.frames}`, String(r.max_in_flight), loadCell(r),
      withBusy(r, `${r.moves} moves in ${fmtFixed(r.stroke_seconds, 2)} s; listeners per move max ${fmtFixed(r.pointermove_handler_ms.max_ms, 1)} ms; `
        + `last answer ${fmtFixed(r.settle_ms, 0)} ms after the pen lifted`)];
  });
  return { head, right, cells };
}

/** Columns padded to their widest cell (right: right-aligned); the last column as it is. */
function textTable({ head, right, cells }) {
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c) => c.map((s, i) => (i === c.length - 1 ? s : right[i] ? s.padStart(widths[i]) : s.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/** A Markdown (GitHub) table; a | inside a cell is escaped. */
function markdownTable({ head, right, cells }) {
  const cell = (s) => String(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const line = (c) => `| ${c.map(cell).join(' | ')} |`;
  return [line(head), `|${right.map((r) => (r ? ' ---: ' : ' --- ')).join('|')}|`, ...cells.map(line)].join('\n');
}

module.exports = {
  fmtInt, fmtFixed, pageName, loadCell, denseTable, cnnTable, scalingTable, memoryTable, drawpadTable, textTable, markdownTable,
};
