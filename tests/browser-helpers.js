'use strict';
/**
 * Shared by the headless-Chromium tests: the browser, a server for the page, pages that
 * record console problems and the messages of the workers they start, and waiting for
 * what the page says. The page exposes nothing to them: a test sees its DOM and, through
 * a wrapper of window.Worker installed before the page's scripts (recordWorkers), what
 * passes between the page and its workers.
 */

const fs = require('node:fs');
const path = require('node:path');
const { before, after } = require('node:test');

const { ROOT } = require('./helpers');
const { createServer } = require('../scripts/serve.js');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SHOTS = path.join(ROOT, 'build', 'screenshots');
const WEB = path.join(ROOT, 'web');

let playwright = null;
try {
  playwright = require('playwright-core');
} catch {
  playwright = null;
}
const SKIP = !playwright ? 'playwright-core is not installed (run npm ci)'
  : !fs.existsSync(CHROMIUM) ? `no Chromium at ${CHROMIUM} (apt-get install chromium)` : false;

let browser = null;

/** Registers the launch and the close of one Chromium for the calling test file. */
function useBrowser() {
  before(async () => {
    if (SKIP) return;
    fs.mkdirSync(SHOTS, { recursive: true });
    browser = await playwright.chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
        '--no-first-run', '--disable-sync', '--disable-quic'],
    });
  });

  after(async () => {
    if (browser) await browser.close();
  });
}

async function serve(t, dataRoot, webRoot = WEB) {
  const server = createServer({ webRoot, dataRoot });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => server.close(resolve)));
  return `http://127.0.0.1:${server.address().port}/`;
}

/** A page (in a context of its own: fresh storage) that records console errors and
 *  uncaught exceptions. `options` are the context's (permissions, acceptDownloads...). */
async function openPage(t, url, viewport = { width: 1280, height: 900 }, options = {}) {
  const context = await browser.newContext({ viewport, ...options });
  t.after(() => context.close());
  await context.addInitScript(recordWorkers);
  await context.addInitScript(recordStatus);
  const page = await context.newPage();
  pollOnTimer(page);
  const problems = watch(page);
  await page.goto(url);
  return { page, problems, context };
}

/** Every wait on a page's DOM (page.waitForFunction) polls on a timer unless it says
 *  otherwise. Playwright's and Puppeteer's defaults poll at animation frames, and headless
 *  Chromium on a loaded machine has been seen to give a page no frame for minutes while its
 *  tasks (and its #status) went on: such a wait then never looks again. Set once, on the
 *  class every page of that browser shares; optionsAt: where waitForFunction takes its
 *  options (Playwright: third, Puppeteer: second). */
const POLL_MS = 100;
function pollOnTimer(page, optionsAt = 2) {
  const proto = Object.getPrototypeOf(page);
  if (proto.waitForFunction.pollsOnTimer) return;
  const onFrames = proto.waitForFunction;
  const onTimer = function (...args) {
    args[optionsAt] = { polling: POLL_MS, ...args[optionsAt] };
    return onFrames.apply(this, args);
  };
  onTimer.pollsOnTimer = true;
  proto.waitForFunction = onTimer;
}

/** Collects a page's console errors and warnings and its uncaught exceptions. */
function watch(page) {
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console.${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  return problems;
}

async function statusText(page) {
  return (await page.textContent('#status')).trim();
}

/** Whether the page is given animation frames now (a diagnostic for a failed wait). */
async function framesSeen(page) {
  return page.evaluate(() => new Promise((resolve) => {
    const timer = setTimeout(() => resolve(`no animation frame in 2 s, the page is ${document.visibilityState}`), 2000);
    requestAnimationFrame(() => { clearTimeout(timer); resolve('animation frames come'); });
  })).catch((e) => `the page did not answer: ${e.message}`);
}

/** Waits until #status says what `pattern` matches, now or at any moment since the wait
 *  began (recordStatus: a status shown only briefly, such as "Ready" before a saved model
 *  is restored, counts as said); -> that text. */
async function waitForStatus(page, pattern, timeout = 60000) {
  const since = Date.now(); // (the page's clock is this machine's)
  try {
    const said = await page.waitForFunction(({ source, flags, since }) => {
      const matches = (text) => new RegExp(source, flags).test(text);
      const now = document.querySelector('#status').textContent;
      if (matches(now)) return now;
      const seen = (window.__statusSeen || []).find(([at, text]) => at >= since && matches(text));
      return seen ? seen[1] : false;
    }, { source: pattern.source, flags: pattern.flags, since }, { timeout });
    return (await said.jsonValue()).trim();
  } catch (error) {
    throw new Error(`#status never matched ${pattern} within ${timeout} ms; it says: "${await statusText(page)}" ` +
      `(${await framesSeen(page)})`);
  }
}

/** Installed before the page's scripts: every text #status shows, with the time it came
 *  (window.__statusSeen: [[Date.now(), text], ...], the latest 200 at most). */
function recordStatus() {
  if (typeof document === 'undefined' || window.__statusSeen) return;
  const seen = [];
  Object.defineProperty(window, '__statusSeen', { value: seen });
  const watch = () => {
    const status = document.getElementById('status');
    if (!status) return;
    const note = () => {
      seen.push([Date.now(), status.textContent]);
      if (seen.length > 200) seen.splice(0, seen.length - 200);
    };
    new MutationObserver(note).observe(status, { childList: true, characterData: true, subtree: true });
  };
  // the document is parsed and the page's deferred scripts have not run yet
  if (document.readyState === 'loading') document.addEventListener('readystatechange', watch, { once: true }); else watch();
}

function accuracyOf(text) {
  const m = /([\d.]+)%/.exec(text);
  return m ? Number(m[1]) / 100 : 0;
}

async function waitForAccuracy(page, threshold, timeout = 120000) {
  await page.waitForFunction((min) => {
    const m = /([\d.]+)%/.exec(document.querySelector('#test-accuracy').textContent);
    return m && Number(m[1]) / 100 >= min;
  }, threshold, { timeout, polling: 50 });
  return accuracyOf(await page.textContent('#test-accuracy'));
}

async function choosePreset(page, name, epochs) {
  await page.selectOption('#preset', name);
  if (epochs) await page.fill('#epochs', String(epochs));
}

/* ---- the page's workers, seen from outside ---- */

/**
 * Runs in a page before its scripts (Playwright's addInitScript, Puppeteer's
 * evaluateOnNewDocument): wraps window.Worker so that a test sees every worker the page
 * starts and what passes through it. window.__workers[k] = {worker, count: {type: n},
 * last: {type: the latest message of that type from the worker}, sent: {type: the latest
 * message of that type posted to it}}, in the order the page started them: the first is
 * the training worker (client.js starts it before the tester). Only the latest message of
 * each type is kept, so a long run holds little.
 */
function recordWorkers() {
  const Native = window.Worker;
  if (typeof Native !== 'function' || window.__workers) return;
  const workers = [];
  const entries = new WeakMap();
  class RecordedWorker extends Native {
    constructor(...args) {
      super(...args);
      const entry = { worker: this, count: {}, last: {}, sent: {} };
      entries.set(this, entry);
      workers.push(entry);
      this.addEventListener('message', (e) => {
        const m = e.data;
        if (!m || typeof m.type !== 'string') return;
        entry.count[m.type] = (entry.count[m.type] || 0) + 1;
        entry.last[m.type] = m;
      });
    }

    postMessage(message, ...rest) {
      const entry = entries.get(this);
      if (entry && message && typeof message.type === 'string') entry.sent[message.type] = message;
      return super.postMessage(message, ...rest);
    }
  }
  Object.defineProperty(window, '__workers', { value: workers });
  window.Worker = RecordedWorker;
}

/** The latest message of `type` from the page's training worker (from: 'last'), or the
 *  latest the page posted to it (from: 'sent'); null when there is none. */
function workerMessage(page, type, from = 'last') {
  return page.evaluate(([t, f]) => {
    const w = window.__workers && window.__workers[0];
    return (w && w[f][t]) || null;
  }, [type, from]);
}

/** Waits until the training worker has reported `iterations` updates (its `progress`). */
async function waitForIterations(page, iterations, timeout = 180000) {
  await page.waitForFunction((n) => {
    const w = window.__workers && window.__workers[0];
    const p = w && w.last.progress;
    return !!p && p.iterations >= n;
  }, iterations, { timeout, polling: 100 });
}

/** Posts `message` to the page's training worker, as the page would, and resolves to the
 *  first message back whose type is one of `replies`. */
function askWorker(page, message, replies) {
  return page.evaluate(([m, types]) => new Promise((resolve) => {
    const worker = window.__workers[0].worker;
    const listen = (e) => {
      if (!e.data || !types.includes(e.data.type)) return;
      worker.removeEventListener('message', listen);
      resolve(e.data);
    };
    worker.addEventListener('message', listen);
    worker.postMessage(m);
  }), [message, replies]);
}

/** How many messages of each type the training worker has sent so far ({type: n}). */
function workerCounts(page) {
  return page.evaluate(() => ({ ...((window.__workers && window.__workers[0] || {}).count || {}) }));
}

/** Waits until the training worker sends a message of one of `types` beyond `counts`
 *  (workerCounts before the action that causes it); resolves to the latest such message. */
async function nextWorkerMessage(page, types, counts, timeout = 60000) {
  const handle = await page.waitForFunction(([ts, before]) => {
    const w = window.__workers && window.__workers[0];
    const type = w && ts.find((x) => (w.count[x] || 0) > (before[x] || 0));
    return type ? w.last[type] : false;
  }, [types, counts], { timeout, polling: 50 });
  return handle.jsonValue();
}

/* ---- the drawing pad ---- */

/** Draws with the mouse (real input events through the browser), then waits until the bars
 *  answer this drawing. -> { best: the top class, texts: each bar's text } */
async function drawWithMouse(page, strokes) {
  await page.locator('#draw-pad').scrollIntoViewIfNeeded();
  const box = await page.locator('#draw-pad').boundingBox();
  const at = (x, y) => [box.x + x * box.width, box.y + y * box.height];
  const before = Number(await page.getAttribute('#draw-probabilities', 'data-strokes')) || 0;
  for (const [x0, y0, x1, y1] of strokes) {
    await page.mouse.move(...at(x0, y0));
    await page.mouse.down();
    if (x1 !== x0 || y1 !== y0) await page.mouse.move(...at(x1, y1), { steps: 3 });
    await page.mouse.up();
  }
  return waitForBars(page, before + strokes.length);
}

/** Waits until the bars answer the drawing of `strokes` strokes. -> as drawWithMouse */
async function waitForBars(page, strokes) {
  await page.waitForFunction((n) => document.querySelector('#draw-probabilities').getAttribute('data-strokes') === String(n),
    strokes, { timeout: 30000 }); // generous: the machine may be busy
  return page.$$eval('#draw-probabilities > *', (items) => {
    const best = items.findIndex((li) => li.classList.contains('best'));
    return { best, texts: items.map((li) => li.textContent.replace(/\s+/g, ' ').trim()) };
  });
}

/** Clears the pad and waits until the bars say so. */
async function clearPad(page) {
  await page.click('#draw-clear');
  await page.waitForFunction(() => document.querySelector('#draw-probabilities').getAttribute('data-strokes') === '0');
}

module.exports = {
  SKIP, SHOTS, WEB, useBrowser, pollOnTimer, serve, openPage, watch, statusText, waitForStatus, accuracyOf, waitForAccuracy, choosePreset,
  drawWithMouse, waitForBars, clearPad, recordWorkers, recordStatus, workerMessage, waitForIterations, askWorker, workerCounts,
  nextWorkerMessage,
};
