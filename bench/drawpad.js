'use strict';
/**
 * How the drawing pad keeps up with a pen, for `make bench` (bench/run.js) and by hand:
 * the page in headless Chromium opened with ?preset=NAME (the network built, untrained,
 * nothing training), one stroke of MOVES pointer moves drawn on #draw-pad with real
 * input events (Playwright's mouse, one event per move), measuring:
 *   - ms per move: the wall time of each move as the driver sees it, from sending the
 *     event until the browser has handled it (a busy main thread holds it back);
 *   - in the page: each pointermove's wait (its timeStamp to its first listener) and its
 *     listeners' time; the PerformanceObserver `longtask` entries and the gaps between
 *     animation frames from the pen's press until the bars answer the final drawing;
 *   - the `predict` requests the page posted meanwhile, the most in flight at once, and
 *     the ms from lifting the pen until the last answer arrived.
 *
 *   const { drawpadRun } = require('./drawpad.js');
 *   const row = await drawpadRun({ playwright, chromium, mode: 'served' | 'file', webRoot, dataDir, preset,
 *                                  moves, timeoutMs });
 *   node bench/drawpad.js [PRESET...]     prints a row per preset (default: every preset), served
 *
 * Public: drawpadRun(options) -> row, strokePath(moves) -> [{x, y}] (0..1 of the pad),
 * MOVES (200).
 */

const path = require('node:path');

const { openPreset, summary, LAUNCH_ARGS } = require('./page.js');

const MOVES = 200;
const READY_TIMEOUT_MS = 120000;
const SETTLE_FRAMES = 3; // frames with nothing in flight and nothing new posted: the pad has settled

/** A "0" traced once: MOVES points on an ellipse, in 0..1 of the pad, from its top. */
function strokePath(moves = MOVES) {
  return Array.from({ length: moves + 1 }, (_, i) => {
    const a = (2 * Math.PI * i) / moves;
    return { x: 0.5 + 0.28 * Math.sin(a), y: 0.5 - 0.36 * Math.cos(a) };
  });
}

/* Runs in the page before its own scripts: frames, long tasks, pointermove timing and
 * the worker's predict traffic. Times: the page's performance.now(). */
function instrument() {
  const B = { frames: [], longtasks: [], moves: [], posted: [], answered: [], inFlight: 0, maxInFlight: 0, longtaskSupported: false };
  window.__pad = B;
  const frame = () => { B.frames.push(performance.now()); requestAnimationFrame(frame); };
  requestAnimationFrame(frame);
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) B.longtasks.push([e.startTime, e.duration]);
    }).observe({ type: 'longtask', buffered: true });
    B.longtaskSupported = true;
  } catch { /* no longtask entries in this browser */ }
  // first and last listeners of every pointermove: window, capture and bubble phases
  let started = 0;
  window.addEventListener('pointermove', (e) => { started = performance.now(); B.moves.push([e.timeStamp, started, 0]); }, true);
  window.addEventListener('pointermove', () => { const m = B.moves[B.moves.length - 1]; if (m) m[2] = performance.now() - started; });
  const Base = window.Worker;
  window.Worker = class extends Base {
    constructor(...args) {
      super(...args);
      if (B.worker) return; // the training worker only (a tester may follow)
      B.worker = this;
      this.addEventListener('message', (ev) => {
        if (!ev.data || ev.data.type !== 'prediction') return;
        B.answered.push(performance.now());
        B.inFlight = Math.max(0, B.inFlight - 1);
      });
    }

    postMessage(m, ...rest) {
      if (this === B.worker && m && m.type === 'predict') {
        B.posted.push(performance.now());
        B.inFlight++;
        B.maxInFlight = Math.max(B.maxInFlight, B.inFlight);
      }
      return super.postMessage(m, ...rest);
    }
  };
}

/** Resolves once the pad has settled: nothing in flight, nothing new posted for a few frames. */
function settled(frames) {
  const B = window.__pad;
  return new Promise((resolve) => {
    let quiet = 0, posted = B.posted.length;
    const check = () => {
      quiet = B.inFlight === 0 && B.posted.length === posted ? quiet + 1 : 0;
      posted = B.posted.length;
      if (quiet >= frames) resolve(performance.now()); else requestAnimationFrame(check);
    };
    requestAnimationFrame(check);
  });
}

const r1 = (x) => Math.round(x * 10) / 10;

async function drawpadRun({ playwright, chromium, mode = 'served', webRoot, dataDir, preset, moves = MOVES, timeoutMs = READY_TIMEOUT_MS }) {
  const { createServer } = require('../scripts/serve.js');
  const server = createServer({ webRoot, dataRoot: path.dirname(dataDir) });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const browser = await playwright.chromium.launch({ executablePath: chromium, args: LAUNCH_ARGS });
  try {
    const { page, errors, skipped } = await openPreset(browser, server, { mode, webRoot, dataDir, preset, init: instrument });
    if (skipped) return { skipped };
    try {
      await page.waitForFunction(() => /Ready/.test(document.querySelector('#status').textContent)
        && !document.querySelector('#train').disabled, null, { timeout: Math.min(timeoutMs, READY_TIMEOUT_MS) });
    } catch {
      throw new Error(`the page never became ready: ${(await page.textContent('#status')).trim()} ${errors.join('; ')}`.trim());
    }
    const pad = page.locator('#draw-pad');
    await pad.scrollIntoViewIfNeeded();
    const box = await pad.boundingBox();
    const at = (p) => [box.x + p.x * box.width, box.y + p.y * box.height];
    const points = strokePath(moves);
    await page.mouse.move(...at(points[0]));
    const t0 = await page.evaluate(() => performance.now());
    await page.mouse.down();
    const wall = [];
    for (const p of points.slice(1)) {
      const started = process.hrtime.bigint();
      await page.mouse.move(...at(p));
      wall.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    const up = await page.evaluate(() => performance.now());
    await page.mouse.up();
    const end = await page.evaluate(settled, SETTLE_FRAMES);
    const B = await page.evaluate(() => ({ ...window.__pad, worker: undefined }));
    const during = (t) => t >= t0 && t <= end;
    const frames = B.frames.filter(during);
    const gaps = frames.slice(1).map((t, i) => t - frames[i]);
    const longtasks = B.longtasks.filter(([t]) => during(t));
    const handled = B.moves.filter(([, t]) => during(t));
    const answers = B.answered.filter(during);
    const perMove = summary(wall);
    return {
      preset,
      moves,
      ms_per_move: r1(wall.reduce((s, x) => s + x, 0) / wall.length),
      move_ms: perMove,
      stroke_seconds: Math.round(wall.reduce((s, x) => s + x, 0)) / 1000,
      pointermoves: handled.length,
      pointermove_wait_ms: summary(handled.map(([stamp, start]) => start - stamp)),
      pointermove_handler_ms: summary(handled.map(([, , ms]) => ms)),
      longtask_supported: B.longtaskSupported,
      longtasks: longtasks.length,
      longest_longtask_ms: r1(longtasks.length ? Math.max(...longtasks.map(([, d]) => d)) : 0),
      frames: frames.length,
      frame_gap_ms: summary(gaps),
      predicts: B.posted.filter(during).length,
      max_in_flight: B.maxInFlight,
      settle_ms: r1(Math.max(0, (answers.length ? answers[answers.length - 1] : up) - up)),
      errors,
      browser: `Chromium ${browser.version()}`,
    };
  } finally {
    await browser.close();
    await new Promise((resolve) => server.close(resolve));
  }
}

module.exports = { drawpadRun, strokePath, MOVES };

if (require.main === module) {
  (async () => {
    const { ROOT, CHROMIUM, DATA_DIR } = require('./config.js');
    const presets = process.argv.slice(2).length ? process.argv.slice(2) : ['seed', 'default', 'wide', 'cnn', 'cnn-best'];
    const playwright = require(require.resolve('playwright-core', { paths: [ROOT] }));
    for (const preset of presets) {
      const row = await drawpadRun({ playwright, chromium: CHROMIUM, webRoot: path.join(ROOT, 'web'), dataDir: DATA_DIR, preset });
      console.log(JSON.stringify(row));
    }
  })().catch((err) => {
    console.error(`bench/drawpad.js: ${err.stack || err}`);
    process.exit(1);
  });
}
