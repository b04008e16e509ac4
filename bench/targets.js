'use strict';
/**
 * What a bench run's rows say beyond their own figures: ratios between rows of the same
 * run (to TF.js's wasm backend, to PyTorch, to the native build), the project's targets
 * as PASS/FAIL lines (a timed target whose rows were taken on a busy machine, bench/load.js,
 * is "not judged: machine busy" instead), and how the page kept up while it trained.
 *
 * Public: denseRatios(rows), cnnRatios(rows) (both add fields to the rows in place),
 * cnnTargets(rows) -> [line], memoryTargets(rows) -> [line], pageResponsiveness(rows) -> [block of lines],
 * drawpadTargets(rows) -> [line] (one per preset: the pad keeps up with a pen).
 */

const { TARGETS, DRAWPAD_TARGETS } = require('./config.js');
const { COMPARE_EPOCHS } = require('./recipe.js');
const { busyText } = require('./load.js');
const { fmtInt, fmtFixed, pageName } = require('./tables.js');

/** A target's line: n/a without its rows, "not judged" when one was taken on a busy machine, else PASS/FAIL. */
function verdict(name, rowsNeeded, test, caveat = () => '') {
  if (rowsNeeded.some((r) => !r)) return `n/a   ${name}: a row it needs is missing or failed`;
  const { pass, text } = test();
  const busy = rowsNeeded.map((r) => busyText(r.load)).find(Boolean);
  if (busy) return `n/j   ${name}: not judged: machine busy (${busy}); measured ${text}${caveat(...rowsNeeded)}`;
  return `${pass ? 'PASS' : 'FAIL'}  ${name}: ${text}${caveat(...rowsNeeded)}`;
}

/** Each dense row's samples/s over TF.js's wasm backend's at the same arch and batch. */
function denseRatios(rows) {
  for (const row of rows) {
    const ref = rows.find((r) => r.impl === 'tfjs-wasm' && r.arch === row.arch && r.batch === row.batch && !r.error);
    if (ref && !row.error && row.samples_per_second && row.impl !== 'page-chromium') {
      row.ratio_to_tfjs_wasm = row.samples_per_second / ref.samples_per_second;
    }
  }
}

/** The seconds a CNN row is compared by: the run's, or for the page the time until it showed 99%. */
function cnnSeconds(r) {
  return r.impl === 'page-chromium' ? r.seconds_to_target : r.seconds_run;
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

/** The targets, one PASS/FAIL line each, from the rows of this run. */
function cnnTargets(rows) {
  const find = (impl, threads) => rows.find((r) => r.impl === impl && r.threads === threads && !r.error && !r.unsupported);
  const native = rows.find((r) => r.impl === 'native' && !r.preset && !r.error), wasm1 = find('wasm', 1), wasm2 = find('wasm', 2);
  const pt1 = find('pytorch', 1), pt2 = find('pytorch', 2);
  const nativePreset = rows.find((r) => r.impl === 'native' && r.preset && !r.error) || native;
  const epochs = (rows.find((r) => r.recipe) || {}).recipe?.epochs ?? COMPARE_EPOCHS;
  const caveat = (...used) => {
    const c = [];
    if (used.some((r) => r.run_extrapolated)) c.push('from a subset of the run, seconds extrapolated');
    if (used.some((r) => r.stand_in)) c.push('WASM stand-in recipe');
    return c.length ? ` [${c.join('; ')}]` : '';
  };
  const line = (name, rowsNeeded, test) => verdict(name, rowsNeeded, test, caveat);
  const T = TARGETS;
  return [
    line(`native 1 thread finishes its cnn run in <= ${T.nativeVsPytorch1}x PyTorch 1 thread's time for ${epochs} epochs, at >= ${(T.accuracy * 100).toFixed(1)}%`,
      [nativePreset, pt1], () => {
        const ratio = nativePreset.seconds_run / pt1.seconds_run;
        const accOk = nativePreset.test_accuracy !== null && nativePreset.test_accuracy >= T.accuracy;
        return { pass: ratio <= T.nativeVsPytorch1 && accOk,
          text: `${nativePreset.preset ? `preset ${nativePreset.preset}, ${nativePreset.epochs} epochs` : `${epochs} epochs`}: `
            + `${nativePreset.seconds_run.toFixed(1)} s vs ${pt1.seconds_run.toFixed(1)} s = ${ratio.toFixed(2)}x, accuracy ${fmtFixed(nativePreset.test_accuracy, 4)}` };
      }),
    line(`WASM 2 threads >= ${T.wasmThreadScaling}x its 1-thread speed`, [wasm1, wasm2], () => {
      const ratio = wasm2.samples_per_second / wasm1.samples_per_second;
      return { pass: ratio >= T.wasmThreadScaling, text: `${fmtInt(wasm2.samples_per_second)} vs ${fmtInt(wasm1.samples_per_second)} samples/s = ${ratio.toFixed(2)}x` };
    }),
    line(`WASM 1 thread >= ${T.wasmVsNative}x the native build's speed`, [wasm1, native], () => {
      const ratio = wasm1.samples_per_second / native.samples_per_second;
      return { pass: ratio >= T.wasmVsNative, text: `${fmtInt(wasm1.samples_per_second)} vs ${fmtInt(native.samples_per_second)} samples/s = ${ratio.toFixed(2)}x` };
    }),
    pageLine('served', T.pageServedVsPytorch2, pt2),
    pageLine('file://', T.pageFileVsPytorch1, pt1),
  ];

  /** The page (?preset=cnn) shows 99% within `limit` x PyTorch's time for the recipe's 2 epochs. */
  function pageLine(mode, limit, pt) {
    const page = rows.find((r) => r.impl === 'page-chromium' && pageName(r).startsWith(`page, ${mode}`) && !r.error && !r.skipped);
    const pct = `${(T.accuracy * 100).toFixed(1)}%`;
    const peer = pt ? `PyTorch ${pt.threads} thread${pt.threads === 1 ? "'s" : "s'"}` : 'PyTorch\'s';
    return line(`page ${mode} shows ${pct} in <= ${limit}x ${peer} time for ${epochs} epochs`,
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

/** The tab's memory target, a line per preset and page: under TARGETS.pagePrivateMb private while
 *  training and after Done, and the tester worker (one thread, more than one core) ended after Done. */
function memoryTargets(rows) {
  const limit = TARGETS.pagePrivateMb;
  const empty = rows.find((r) => !r.preset && !r.error && !r.skipped);
  const beside = empty ? ` (an empty page: ${fmtFixed(empty.private_mb, 0)} MB)` : '';
  return rows.filter((r) => r.preset).map((r) => {
    const name = `page ${r.page === 'file://' ? 'file://' : 'served'} ?preset=${r.preset} stays under ${limit} MB private while training and after Done`;
    if (r.error || r.skipped) return `n/a   ${name}: ${r.error ? 'the run failed' : 'skipped'}`;
    const p = r.private_mb;
    const testerGone = !r.tester || r.workers_after < r.workers_training;
    const pass = p.peak_training < limit && p.after_done < limit && testerGone;
    return `${pass ? 'PASS' : 'FAIL'}  ${name}: peak ${fmtFixed(p.peak_training, 0)} MB, after Done ${fmtFixed(p.after_done, 0)} MB`
      + `${r.tester ? `, tester ${testerGone ? 'ended' : 'still running'} after Done` : ''}${beside}`;
  });
}

/** How the page and the worker kept up during each page row's cnn run: a block of lines per row. */
function pageResponsiveness(rows) {
  const ms = (s) => (s.max_ms === null ? '—' : `median ${s.median_ms}, p90 ${s.p90_ms}, max ${s.max_ms} ms`);
  return rows.filter((r) => r.impl === 'page-chromium' && !r.error && !r.skipped).map((row) => {
    // a row's second run, with a drawing's predicts, when it has one (the first is the row's time to 99%)
    const r = row.while_drawing || row, m = r.main_thread, p = r.predict;
    const second = row.while_drawing ? `; a second run, drawing while it trains: ${r.reached_target ? `99% shown after ${fmtFixed(r.seconds_to_target, 1)} s` : 'no 99%'}` : '';
    return [
      `${pageName(row)} (${r.threads} thread${r.threads === 1 ? '' : 's'}, ${fmtFixed(r.seconds_run, 1)} s run${second}):`,
      `  test evaluations: ${r.evaluation_ms.count}, each ${ms(r.evaluation_ms)}; `
        + (r.evaluations_in_background ? `${r.evaluations_in_background} of them in the tester beside the training worker, which trained on; ` : '')
        + `training stood still for tests ${fmtFixed(r.evaluation_share * 100, 0)}% of the run`,
      `  main thread: ${m.frames} frames, gaps ${ms(m.frame_gap_ms)}, ${m.frame_gaps_over_100ms} over 100 ms; `
        + (m.longtask_supported ? `${m.longtasks} long tasks (> 50 ms), the longest ${m.longest_longtask_ms} ms`
          + ` (handling: ${Object.entries(m.longtasks_by_message).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'})` : 'no longtask entries in this browser'),
      `  progress messages: gaps ${ms(r.progress_gap_ms)}`,
      p ? `  a drawing's predict, every ${p.every_ms} ms: answered in ${ms(p.all)} (${p.all.count}); while training ${ms(p.while_training)}; `
        + `during an evaluation ${ms(p.while_evaluating)} (${p.while_evaluating.count})${p.unanswered ? `; ${p.unanswered} unanswered` : ''}` : '',
    ].filter(Boolean);
  });
}

/** Each drawing pad row against DRAWPAD_TARGETS: ms per move, and no long task over the bound. */
function drawpadTargets(rows) {
  const T = DRAWPAD_TARGETS;
  return rows.map((r) => {
    const name = `?preset=${r.preset}: a ${r.moves || 200}-move stroke at <= ${T.msPerMove} ms per move, no long task over ${T.longestTaskMs} ms`;
    if (r.error || r.skipped) return `n/a   ${name}: ${r.error ? 'the run failed' : 'skipped'}`;
    return verdict(name, [r], () => ({
      pass: r.ms_per_move <= T.msPerMove && r.longest_longtask_ms <= T.longestTaskMs,
      text: `${fmtFixed(r.ms_per_move, 1)} ms per move, ${r.longtasks} long tasks, the longest ${fmtFixed(r.longest_longtask_ms, 0)} ms`,
    }));
  });
}

module.exports = { denseRatios, cnnRatios, cnnTargets, memoryTargets, pageResponsiveness, drawpadTargets };
