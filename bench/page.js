'use strict';
/**
 * The page in headless Chromium for `make bench` (bench/run.js): opens
 * web/index.html?preset=NAME, waits until the data is loaded, Train is
 * enabled and the fresh network's test is in (the page is idle), presses Train
 * and measures, inside the page:
 *   - the seconds from the click to the first time #test-accuracy shows
 *     `target` or more (as the page rounds it, "99.00%"), the samples/s shown
 *     then, and the evaluation that showed it (epochFloat, how many came before);
 *   - with untilDone, the rest of the run too: the final and the best accuracy;
 *   - the main thread's responsiveness while training: the gaps between
 *     requestAnimationFrame callbacks and the PerformanceObserver `longtask`
 *     entries between the click and the end;
 *   - every test-set evaluation: its `evaluation` message (arrival on the main
 *     thread, and the worker's own `seconds` spent on it, in slices between which
 *     it answers messages: how long training stands still for it, unless the
 *     tester ran it beside the training, `background`);
 *   - the worker's `progress` messages: the longest gap between two while training;
 *   - with probeMs, how quickly the worker answers a drawing's `predict` while
 *     it trains: one request every probeMs ms (a drawn "1", 784 floats, the
 *     drawing pad's path), from posting it to its `prediction` arriving on the
 *     main thread; split by whether an evaluation was running when it was sent.
 *
 *   const { pageRun } = require('./page.js');
 *   const row = await pageRun({ playwright, chromium, mode: 'served' | 'file', webRoot, dataDir,
 *                               preset, target, untilDone, probeMs, timeoutMs });
 *   summary(values) -> {count, median_ms, p90_ms, max_ms}   (also bench/drawpad.js's)
 * mode 'served': scripts/serve.js (COOP/COEP: cross-origin isolated, so the page
 * runs its threaded build); 'file': web/index.html from disk (one thread; the
 * page then reads data/mnist only). Throws with the page's status when it fails.
 */

const path = require('node:path');
const { pathToFileURL } = require('node:url');

const { checkRequest, replyTypesOf, REPLIES } = require('../common/protocol.js');

const READY_TIMEOUT_MS = 120000;

/* The messages the measurement sends and reads, as the contract (common/protocol.js)
 * names them, checked once here so that a change of the protocol fails the benchmark at
 * once instead of leaving it waiting for messages that never come: the probe, a drawn
 * "1" (a 3-pixel-wide stroke down the middle, 784 floats: the drawing pad's path), its
 * reply, and the run's reports the page is timed by. */
const PROBE_PIXELS = Array.from({ length: 784 }, (_, i) => {
  const r = Math.floor(i / 28), c = i % 28;
  return r >= 5 && r < 23 && c >= 13 && c < 16 ? (c === 14 ? 1 : 0.6) : 0;
});
checkRequest({ type: 'predict', id: 'bench-0', pixels: PROBE_PIXELS });
const CONTRACT = { probeReply: replyTypesOf('predict')[0], watched: ['progress', 'evaluation', 'epoch-end', 'done'] };
for (const type of [CONTRACT.probeReply, ...CONTRACT.watched]) {
  if (!REPLIES[type]) throw new Error(`bench/page.js: the protocol has no '${type}' message any more`);
}

/* Runs in the page before its own scripts: the frame loop, the long-task
 * observer, and a Worker that records the messages it receives before anyone
 * else (so the evaluation that updates #test-accuracy is already recorded when
 * the page shows it). Times: the page's performance.now(). */
function instrumentPage({ probeReply, watched }) {
  const B = { frames: [], longtasks: [], messages: [], arrivals: [], probes: [], t0: null, hit: null, done: null };
  window.__bench = B;
  const frame = () => { B.frames.push(performance.now()); requestAnimationFrame(frame); };
  requestAnimationFrame(frame);
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) B.longtasks.push([e.startTime, e.duration]);
    }).observe({ type: 'longtask', buffered: true });
    B.longtaskSupported = true;
  } catch {
    B.longtaskSupported = false;
  }
  const Base = window.Worker;
  window.Worker = class extends Base {
    constructor(...args) {
      super(...args);
      if (!B.worker) B.worker = this; // the training worker (a tester may follow: worker/tester.js)
      this.addEventListener('message', (ev) => {
        const m = ev.data, t = performance.now();
        if (!m || typeof m.type !== 'string') return;
        B.arrivals.push([t, m.type]); // every message: what a long task was handling
        if (m.type === probeReply && typeof m.id === 'string' && m.id.startsWith('bench-')) {
          const probe = B.probes[Number(m.id.slice(6))];
          if (probe) probe.answered = t;
          return;
        }
        if (!watched.includes(m.type)) return;
        B.messages.push({ type: m.type, t, samples: m.samples, epochFloat: m.epochFloat, testAccuracy: m.testAccuracy,
          state: m.state, samplesPerSecond: m.samplesPerSecond, epoch: m.epoch, seconds: m.seconds, background: m.background });
        if (m.type === 'done' && B.t0 !== null && B.done === null) B.done = { t, testAccuracy: m.testAccuracy };
      });
    }
  };
}

/* In the page once it is ready: the click's time, the first display of the
 * target, and the probes. */
function arm({ target, probeMs, probePixels }) {
  const B = window.__bench;
  document.querySelector('#train').addEventListener('click', () => { B.t0 = performance.now(); }, { capture: true, once: true });
  const el = document.querySelector('#test-accuracy');
  const check = () => {
    const m = /([\d.]+)%/.exec(el.textContent);
    if (B.t0 === null || B.hit !== null || !m || Number(m[1]) < target * 100) return;
    const evaluations = B.messages.filter((x) => x.type === 'evaluation' && x.t >= B.t0);
    B.hit = { t: performance.now(), text: el.textContent.trim(), speed: document.querySelector('#speed').textContent,
      evaluation: evaluations[evaluations.length - 1] || null };
  };
  new MutationObserver(check).observe(el, { childList: true, characterData: true, subtree: true });
  if (probeMs > 0) {
    const timer = setInterval(() => {
      if (B.done !== null) { clearInterval(timer); return; }
      if (B.t0 === null || !B.messages.some((x) => x.t > B.t0 && x.type === 'progress' && x.samples > 0)) return;
      const id = B.probes.length;
      B.probes.push({ sent: performance.now(), answered: null });
      B.worker.postMessage({ type: 'predict', id: `bench-${id}`, pixels: probePixels });
    }, probeMs);
  }
}

function quantile(sorted, q) {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}
const r1 = (x) => (x === null || x === undefined ? null : Math.round(x * 10) / 10);

function summary(values) {
  const s = values.slice().sort((a, b) => a - b);
  return { count: s.length, median_ms: r1(quantile(s, 0.5)), p90_ms: r1(quantile(s, 0.9)), max_ms: r1(s.length ? s[s.length - 1] : null) };
}

/** How many long tasks began by handling each type of worker message (a message's
 *  listeners run at the start of its task); 'other': none arrived within the task. */
function longtaskCauses(longtasks, arrivals) {
  const out = {};
  for (const [start, duration] of longtasks) {
    const hit = arrivals.find(([t]) => t >= start && t <= start + duration);
    const type = hit ? hit[1] : 'other';
    out[type] = (out[type] || 0) + 1;
  }
  return out;
}

const LAUNCH_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--no-first-run', '--disable-sync', '--disable-quic'];

/** Opens web/index.html?preset=NAME (and `settings`, {name: value} of the page's address,
 *  web/js/settings.js) in a fresh context of `browser`: from `server`
 *  (scripts/serve.js) or, mode 'file', from disk; `init` runs before the page's scripts,
 *  onPage(page) before it loads. -> { page, errors (uncaught ones and crashes, as they
 *  come) } or { skipped } (file:// reads data/mnist beside web/ only). */
async function openPreset(browser, server, { mode, webRoot, dataDir, preset, settings = {}, init, initArg, onPage }) {
  if (mode === 'file' && path.resolve(dataDir) !== path.join(path.dirname(webRoot), 'data', 'mnist')) {
    return { skipped: 'the file:// page reads data/mnist only' };
  }
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('crash', () => errors.push('the page crashed'));
  if (onPage) onPage(page);
  await page.addInitScript(init, initArg);
  const query = `?${new URLSearchParams({ preset, ...settings })}`;
  await page.goto(mode === 'file' ? pathToFileURL(path.join(webRoot, 'index.html')).href + query
    : `http://127.0.0.1:${server.address().port}/${query}`);
  return { page, errors };
}

async function pageRun({ playwright, chromium, mode, webRoot, dataDir, preset, target, untilDone = false, probeMs = 0, timeoutMs }) {
  const { createServer } = require('../scripts/serve.js');
  const server = createServer({ webRoot, dataRoot: path.dirname(dataDir) });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const browser = await playwright.chromium.launch({ executablePath: chromium, args: LAUNCH_ARGS });
  try {
    const { page, errors, skipped } = await openPreset(browser, server, { mode, webRoot, dataDir, preset, init: instrumentPage, initArg: CONTRACT });
    if (skipped) return { skipped };
    try {
      await page.waitForFunction(() => /Ready/.test(document.querySelector('#status').textContent)
        && !document.querySelector('#train').disabled, null, { timeout: READY_TIMEOUT_MS });
    } catch {
      throw new Error(`the page never became ready: ${(await page.textContent('#status')).trim()} ${errors.join('; ')}`.trim());
    }
    // the page is idle once the fresh network's test is in (the worker runs it as the network
    // is built, and Train would wait for it): a person reads the page before pressing Train
    try {
      await page.waitForFunction(() => window.__bench.messages.some((m) => m.type === 'evaluation'), null, { timeout: READY_TIMEOUT_MS });
    } catch {
      throw new Error(`the fresh network's test never came: ${(await page.textContent('#status')).trim()} ${errors.join('; ')}`.trim());
    }
    const chosen = await page.inputValue('#preset');
    if (chosen !== preset) throw new Error(`?preset=${preset} left the preset field at "${chosen}"`);
    const version = (await page.textContent('#version').catch(() => '')).trim();
    const threadsMatch = /(\d+) threads/.exec(version);
    const threads = threadsMatch ? Number(threadsMatch[1]) : /one thread/.test(version) ? 1 : null;
    const isolated = await page.evaluate(() => self.crossOriginIsolated === true);
    await page.evaluate(arm, { target, probeMs, probePixels: PROBE_PIXELS });
    await page.click('#train');
    const finished = untilDone ? 'window.__bench.done !== null' : 'window.__bench.hit !== null || window.__bench.done !== null';
    try {
      await page.waitForFunction(finished, null, { timeout: timeoutMs, polling: 200 });
    } catch {
      throw new Error(`no ${untilDone ? 'end of the run' : `${target * 100}%`} within ${timeoutMs / 1000} s: `
        + `${(await page.textContent('#status')).trim()}; test accuracy ${(await page.textContent('#test-accuracy')).trim()} ${errors.join('; ')}`.trim());
    }
    await page.waitForTimeout(probeMs > 0 ? 2 * probeMs : 0); // the last probes' answers
    const B = await page.evaluate(() => {
      const b = window.__bench;
      return { ...b, worker: undefined, timeOrigin: performance.timeOrigin };
    });
    const end = B.done ? B.done.t : B.hit.t;
    const during = (t) => t >= B.t0 && t <= end;

    // evaluations: as the worker reports them (its seconds on each, ending as its message arrives)
    const evalMessages = B.messages.filter((m) => m.type === 'evaluation' && during(m.t));
    const evaluations = evalMessages.map((m) => {
      const ms = typeof m.seconds === 'number' ? m.seconds * 1000 : 0;
      return { epochFloat: Math.round(m.epochFloat * 1000) / 1000, samples: m.samples, testAccuracy: m.testAccuracy,
        ms: r1(ms), background: !!m.background, start: m.t - ms, end: m.t };
    });
    const trained = evaluations.filter((e) => e.samples > 0); // not the fresh network's, before its first step
    const reached = B.hit !== null;
    const hitEval = reached && B.hit.evaluation ? B.hit.evaluation : null;
    const accuracies = evalMessages.filter((m) => m.samples > 0).map((m) => m.testAccuracy);

    // the main thread: frame gaps and long tasks between the click and the end
    const frames = B.frames.filter(during);
    const gaps = frames.slice(1).map((t, i) => t - frames[i]);
    const longtasks = B.longtasks.filter(([t]) => during(t));
    const progress = B.messages.filter((m) => m.type === 'progress' && during(m.t) && m.state === 'training');
    const progressGaps = progress.slice(1).map((m, i) => m.t - progress[i].t);
    const inEval = (t) => trained.some((e) => t >= e.start && t <= e.end);
    const probes = B.probes.filter((p) => p.answered !== null);
    const lost = B.probes.length - probes.length;
    const latency = (list) => summary(list.map((p) => p.answered - p.sent));

    const speed = reached ? Number(String(B.hit.speed).replace(/[^\d.]/g, '')) : NaN;
    const hitIndex = hitEval ? trained.findIndex((e) => e.samples === hitEval.samples) : -1;
    return {
      preset,
      target,
      reached_target: reached,
      seconds_to_target: reached ? Math.round(B.hit.t - B.t0) / 1000 : null,
      accuracy_shown: reached ? B.hit.text : null,
      accuracy_at_target: hitEval ? hitEval.testAccuracy : null,
      test_accuracy: B.done ? B.done.testAccuracy : hitEval ? hitEval.testAccuracy : null, // the run's last, or the one shown
      epoch_at_target: hitEval ? Math.round(hitEval.epochFloat * 1000) / 1000 : null,
      evaluations_to_target: hitIndex >= 0 ? hitIndex + 1 : null,
      samples_per_second: Number.isFinite(speed) && speed > 0 ? speed : null,
      best_test_accuracy: accuracies.length ? Math.max(...accuracies) : null,
      seconds_run: B.done ? Math.round(B.done.t - B.t0) / 1000 : null,
      evaluations: trained.map(({ start, end, ...e }) => e),
      evaluation_ms: summary(trained.map((e) => e.ms)),
      // the share of the run that training stood still for a test (a tester's run beside it)
      evaluation_share: trained.length && end > B.t0
        ? Math.round((trained.filter((e) => !e.background).reduce((s, e) => s + e.ms, 0) / (end - B.t0)) * 1000) / 1000 : null,
      evaluations_in_background: trained.filter((e) => e.background).length,
      main_thread: {
        frames: frames.length, frame_gap_ms: summary(gaps), frame_gaps_over_100ms: gaps.filter((g) => g > 100).length,
        longtask_supported: B.longtaskSupported, longtasks: longtasks.length,
        longest_longtask_ms: r1(longtasks.length ? Math.max(...longtasks.map(([, d]) => d)) : 0),
        longtasks_by_message: longtaskCauses(longtasks, B.arrivals),
      },
      progress_gap_ms: summary(progressGaps),
      predict: probeMs > 0 ? {
        every_ms: probeMs, unanswered: lost, all: latency(probes),
        while_training: latency(probes.filter((p) => !inEval(p.sent))), while_evaluating: latency(probes.filter((p) => inEval(p.sent))),
      } : null,
      threads,
      cross_origin_isolated: isolated,
      page_version: version,
      browser: `Chromium ${browser.version()}`,
    };
  } finally {
    await browser.close();
    await new Promise((resolve) => server.close(resolve));
  }
}

module.exports = { pageRun, openPreset, summary, LAUNCH_ARGS };
