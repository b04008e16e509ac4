'use strict';
/**
 * The tables of a bench run, as data ({head, right, cells}: right-aligned columns
 * marked) and rendered as aligned text (the console) or Markdown (docs/benchmarks.md):
 * one for the dense rows, one for the CNN rows, one for the tab's memory, one for the
 * drawing pad.
 *
 * Public: fmtInt(n), fmtFixed(n, digits), pageName(row), denseTable(rows), cnnTable(rows),
 * memoryTable(rows), drawpadTable(rows), textTable(table), markdownTable(table).
 */

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

function denseTable(rows) {
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
    'predicts / frames', 'most in flight', 'notes'];
  const right = [false, true, true, true, true, true, true, true, false];
  const cells = rows.map((r) => {
    if (r.error) return [r.preset, '', '', '', '', '', '', '', `FAILED: ${r.error}`];
    if (r.skipped) return [r.preset, '', '', '', '', '', '', '', `skipped: ${r.skipped}`];
    const m = r.move_ms;
    return [r.preset, fmtFixed(r.ms_per_move, 1), `${fmtFixed(m.median_ms, 1)} / ${fmtFixed(m.p90_ms, 1)} / ${fmtFixed(m.max_ms, 1)}`,
      r.longtask_supported ? String(r.longtasks) : '—', fmtFixed(r.longest_longtask_ms, 0), fmtFixed(r.frame_gap_ms.max_ms, 0),
      `${r.predicts} / ${r.frames}`, String(r.max_in_flight),
      `${r.moves} moves in ${fmtFixed(r.stroke_seconds, 2)} s; listeners per move max ${fmtFixed(r.pointermove_handler_ms.max_ms, 1)} ms; `
        + `last answer ${fmtFixed(r.settle_ms, 0)} ms after the pen lifted`];
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

module.exports = { fmtInt, fmtFixed, pageName, denseTable, cnnTable, memoryTable, drawpadTable, textTable, markdownTable };
