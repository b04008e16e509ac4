'use strict';
/**
 * The memory of the tab in headless Chromium, for `make bench` (bench/run.js) and
 * tests/page-memory.test.js: the private memory of the renderer process that holds the page
 * and its workers, while a preset trains, served and from file://, and of an empty page.
 *
 * What is measured: private = RssAnon + RssShmem of /proc/PID/status (= VmRSS less RssFile):
 * the resident pages that are the process's own, anonymous or shared memory (a threaded
 * module's WebAssembly.Memory is shared memory, so RssShmem counts), without the pages of
 * mapped files, nearly all Chromium's own code (~100 MB in every renderer, an empty page's
 * too), which every Chromium process maps and the kernel keeps once. Also VmRSS, its peak
 * (VmHWM, reset before Train) and Pss (/proc/PID/smaps_rollup). MB: 10^6 bytes.
 *
 * Which process: Chromium runs each site's pages in a renderer process (a descendant of the
 * browser, with --type=renderer on its command line, beside a spare renderer and others that
 * run no page); a page's dedicated workers are threads of that same process ("DedicatedWorker
 * thread" in /proc/PID/task/TID/comm). One browser is launched per measurement with one page,
 * so the page's renderer is the one that runs dedicated workers; the empty page's is measured
 * first, then told apart by an idle worker it starts. The browser process is found by a switch
 * of our own on its command line.
 *
 * The moments of a run (the page's data requests are held back until the first is read):
 *   before_data    the page is up and its worker(s) have their WebAssembly module, no data;
 *   data_loaded    the data is in the worker and the page says Ready;
 *   peak_training  the largest private size, polled every 100 ms from Train until `done`;
 *   after_done     once the run's `done` has come and the page's workers are down to the
 *                  training worker (the tester ends after each run, web/js/client.js), the
 *                  private size a moment later.
 *
 *   const { memoryRun, emptyPageRun, boundedIterations, TESTER_GONE_MS } = require('./memory.js');
 *   const row = await memoryRun({ playwright, chromium, mode: 'served' | 'file', webRoot, dataDir,
 *                                 preset, iterations, timeoutMs });
 *   row.private_mb = { before_data, data_loaded, peak_training, after_done }, row.mb (RSS) likewise
 *   (peak: VmHWM), row.workers_training (the most dedicated-worker threads seen while training:
 *   the training worker, its helper threads, a tester) / row.workers_after (after Done),
 *   row.tester (whether a tester worker ran); iterations: 0 trains the preset's whole run,
 *   N > 0 stops it after N updates (the run still ends with its last test, in the tester);
 *   boundedIterations(rules.presets[name]) -> N for a short run that reaches the steady state.
 *   const empty = await emptyPageRun({ playwright, chromium })   {private_mb, mb}: a blank page's
 * mode 'served': scripts/serve.js (cross-origin isolated: the threaded module); 'file':
 * web/index.html from disk (one thread and a tester worker; data/mnist beside web/ only).
 * Linux only (/proc). Throws with the page's status when the page fails.
 */

const fs = require('node:fs');
const path = require('node:path');

const { openPreset, LAUNCH_ARGS } = require('./page.js');

const READY_TIMEOUT_MS = 120000;
const TESTER_GONE_MS = 20000; // after `done`, the tester worker's thread must be gone within this
const POLL_MS = 100;
const SETTLE_MS = 1000;       // after a moment is reached, before it is read
const MB = 1e6;
const BOUNDED_SAMPLES = 4096; // a bounded run (boundedIterations) trains about this many samples
const MNIST_TRAIN = 60000;     // a batch larger than the training set is the whole set

/** The updates of a bounded run of `preset` (the core's rules.presets[name]): about
 *  BOUNDED_SAMPLES samples and at least 2 updates. Enough for the steady state: the
 *  networks are built before the first update, and the run ends with a test in the tester. */
function boundedIterations(preset) {
  return Math.max(2, Math.ceil(BOUNDED_SAMPLES / Math.min(preset.batch, MNIST_TRAIN)));
}

/* ---- /proc ------------------------------------------------------------------------ */

function readText(file) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null; // the process (or thread) ended meanwhile
  }
}

/** Fields of /proc/PID/stat after the command (which may hold spaces and parentheses). */
function statFields(pid) {
  const stat = readText(`/proc/${pid}/stat`);
  return stat ? stat.slice(stat.lastIndexOf(')') + 2).split(' ') : null;
}

const parentOf = (pid) => { const f = statFields(pid); return f ? Number(f[1]) : null; };
const pids = () => fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number);

/** Every descendant of pid (children, their children, ...). */
function descendants(pid) {
  const parents = new Map(pids().map((p) => [p, parentOf(p)]));
  const wanted = new Set([pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [child, parent] of parents) {
      if (wanted.has(parent) && !wanted.has(child)) { wanted.add(child); grew = true; }
    }
  }
  wanted.delete(pid);
  return [...wanted];
}

function statusKb(pid, field) {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readText(`/proc/${pid}/status`) || '');
  return m ? Number(m[1]) : null;
}

/** The dedicated-worker threads of pid. */
function workerThreads(pid) {
  let tids = [];
  try { tids = fs.readdirSync(`/proc/${pid}/task`); } catch { /* gone */ }
  return tids.filter((tid) => /^DedicatedWorker/.test((readText(`/proc/${pid}/task/${tid}/comm`) || '').trim())).length;
}

const isRenderer = (pid) => /(^|[\0 ])--type=renderer([\0 ]|$)/.test(readText(`/proc/${pid}/cmdline`) || '');

/** Sizes of pid in MB: { rss, hwm, private (RssAnon + RssShmem), pss }; null where gone. */
function sizes(pid) {
  const mb = (kb) => (kb === null ? null : Math.round((kb * 1024) / MB * 10) / 10);
  const anon = statusKb(pid, 'RssAnon'), shmem = statusKb(pid, 'RssShmem');
  const pss = /^Pss:\s+(\d+) kB/m.exec(readText(`/proc/${pid}/smaps_rollup`) || '');
  return { rss: mb(statusKb(pid, 'VmRSS')), hwm: mb(statusKb(pid, 'VmHWM')),
    private: anon === null || shmem === null ? null : mb(anon + shmem), pss: pss ? mb(Number(pss[1])) : null };
}

/** Starts VmHWM over from the current RSS (writing 5 to clear_refs); false if not allowed. */
function resetPeak(pid) {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** The browser process launched with `marker` among its arguments (Chromium ignores a switch
 *  it does not know): Playwright's launch() does not say its pid, and Debian's /usr/bin/chromium
 *  wrapper leaves it a child of init. Its children that carry the marker too are left out. */
function browserProcess(marker) {
  const marked = pids().filter((pid) => (readText(`/proc/${pid}/cmdline`) || '').split('\0').includes(marker));
  const top = marked.filter((pid) => !marked.includes(parentOf(pid)));
  if (top.length !== 1) throw new Error(`cannot tell the browser process: ${top.length} processes carry ${marker} first`);
  return top[0];
}

/** The browser's renderers, each with its dedicated-worker threads counted. */
function renderers(browserPid) {
  return descendants(browserPid).filter(isRenderer).map((pid) => ({ pid, workers: workerThreads(pid) }));
}

/** The renderer that runs the page's workers (see the header); throws if there is not exactly one. */
function pageRenderer(browserPid) {
  const all = renderers(browserPid);
  const withWorkers = all.filter((r) => r.workers > 0);
  if (withWorkers.length !== 1) {
    throw new Error(`expected one renderer running dedicated workers, found ${withWorkers.length} `
      + `(renderers: ${all.map((r) => `${r.pid} with ${r.workers} workers`).join(', ') || 'none'})`);
  }
  return withWorkers[0].pid;
}

/* ---- the page --------------------------------------------------------------------- */

/* Runs in the page before its scripts: holds back the page's data (the fetches of the .gz
 * files, or on file:// the script tags of their copies) until window.__memGo(), and records
 * the messages of the page's workers. */
function instrumentPage() {
  const M = { ready: 0, done: false, doneAccuracy: null, doneReason: null };
  window.__mem = M;
  let go;
  const gate = new Promise((resolve) => { go = resolve; });
  window.__memGo = () => go();
  const isData = (url) => /\.gz(\.js)?([?#]|$)/.test(String(url));
  const fetch = window.fetch;
  window.fetch = (input, init) => (isData(input && input.url ? input.url : input)
    ? gate.then(() => fetch.call(window, input, init)) : fetch.call(window, input, init));
  const appendChild = Node.prototype.appendChild;
  Node.prototype.appendChild = function (child) {
    if (child instanceof HTMLScriptElement && isData(child.src)) {
      gate.then(() => appendChild.call(this, child));
      return child;
    }
    return appendChild.call(this, child);
  };
  const Base = window.Worker;
  window.Worker = class extends Base {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (ev) => {
        const m = ev.data;
        if (!m || typeof m.type !== 'string') return;
        if (m.type === 'ready') M.ready++;
        if (m.type === 'done') Object.assign(M, { done: true, doneAccuracy: m.testAccuracy, doneReason: m.reason });
      });
    }
  };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs fn(browser, browserPid) in a fresh headless Chromium, closed afterwards. */
async function withBrowser(playwright, chromium, fn) {
  const marker = `--mnist-memory-run=${process.pid}-${Date.now()}`;
  const browser = await playwright.chromium.launch({ executablePath: chromium, args: [...LAUNCH_ARGS, marker] });
  try {
    return await fn(browser, browserProcess(marker));
  } finally {
    await browser.close();
  }
}

/** A blank page's renderer: the figure every page starts from. */
async function emptyPageRun({ playwright, chromium }) {
  if (process.platform !== 'linux') return { skipped: 'reads /proc (Linux only)' };
  return withBrowser(playwright, chromium, async (browser, browserPid) => {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await page.goto('data:text/html,<!doctype html><title>empty</title>');
    await sleep(SETTLE_MS);
    // every renderer as it is, then the one that runs the worker the page starts now
    const before = new Map(renderers(browserPid).map((r) => [r.pid, sizes(r.pid)]));
    await page.evaluate(() => { self.__idle = new Worker(URL.createObjectURL(new Blob([''], { type: 'text/javascript' }))); });
    await page.waitForFunction(() => true);
    const gone = Date.now() + READY_TIMEOUT_MS;
    let pid = null;
    while (pid === null && Date.now() < gone) {
      try { pid = pageRenderer(browserPid); } catch { await sleep(POLL_MS); }
    }
    const s = pid === null ? null : before.get(pid);
    if (!s) throw new Error('cannot tell the empty page\'s renderer: its worker never showed up');
    return { private_mb: s.private, mb: s.rss, pss_mb: s.pss, browser: `Chromium ${browser.version()}` };
  });
}

/** Polls pid every POLL_MS until stop() is called: { stop() -> {private, rss, workers} peaks }. */
function pollPeak(pid) {
  const peak = { private: 0, rss: 0, workers: 0 };
  const timer = setInterval(() => {
    const s = sizes(pid);
    if (s.private !== null) { peak.private = Math.max(peak.private, s.private); peak.rss = Math.max(peak.rss, s.rss); }
    peak.workers = Math.max(peak.workers, workerThreads(pid));
  }, POLL_MS);
  return { stop() { clearInterval(timer); return peak; } };
}

async function memoryRun({ playwright, chromium, mode, webRoot, dataDir, preset = 'default', iterations = 0, timeoutMs = 300000 }) {
  if (process.platform !== 'linux') return { skipped: 'reads /proc (Linux only)' };
  const { createServer } = require('../scripts/serve.js');
  const server = createServer({ webRoot, dataRoot: path.dirname(dataDir) });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await withBrowser(playwright, chromium, async (browser, browserPid) => {
      const settings = iterations > 0 ? { iterations: String(iterations) } : {};
      const { page, errors, skipped } = await openPreset(browser, server, { mode, webRoot, dataDir, preset, settings, init: instrumentPage });
      if (skipped) return { skipped };
      const status = async () => (await page.textContent('#status').catch(() => '')).trim();
      const failed = async (what) => new Error(`${what}: ${await status()} ${errors.join('; ')}`.trim());
      const isolated = await page.evaluate(() => self.crossOriginIsolated === true);
      const cores = await page.evaluate(() => navigator.hardwareConcurrency || 1);
      const tester = !isolated && cores > 1; // without threads a tester worker starts too (when it runs)
      await page.waitForFunction(() => window.__mem.ready >= 1, null, { timeout: READY_TIMEOUT_MS })
        .catch(async () => { throw await failed('the worker never became ready'); });
      await sleep(SETTLE_MS);
      const pid = pageRenderer(browserPid);
      const beforeData = sizes(pid);

      await page.evaluate(() => window.__memGo());
      await page.waitForFunction(() => /Ready/.test(document.querySelector('#status').textContent)
        && !document.querySelector('#train').disabled, null, { timeout: READY_TIMEOUT_MS })
        .catch(async () => { throw await failed('the page never became ready'); });
      const chosen = await page.inputValue('#preset');
      if (chosen !== preset) throw new Error(`?preset=${preset} left the preset field at "${chosen}"`);
      const version = (await page.textContent('#version').catch(() => '')).trim();
      const threadsMatch = /(\d+) threads/.exec(version);
      const threads = threadsMatch ? Number(threadsMatch[1]) : /one thread/.test(version) ? 1 : null;
      await sleep(SETTLE_MS);
      const dataLoaded = sizes(pid);

      const hwmReset = resetPeak(pid);
      const poll = pollPeak(pid);
      const t0 = Date.now();
      let peak;
      try {
        await page.click('#train');
        // the end of the run, or an error the page shows (a worker that failed)
        await page.waitForFunction(() => window.__mem.done || document.querySelector('#status').getAttribute('data-kind') === 'error',
          null, { timeout: timeoutMs, polling: 200 })
          .catch(async () => { throw await failed(`the run did not end within ${timeoutMs / 1000} s`); });
        if (!(await page.evaluate(() => window.__mem.done))) throw await failed('the run failed');
      } finally {
        peak = poll.stop();
      }
      const seconds = (Date.now() - t0) / 1000;
      const trainingHwm = sizes(pid).hwm;
      // the tester's thread ends once the run is done (web/js/client.js), leaving the training
      // worker and its helper threads (threads - 1 of them); then the figure settles
      const gone = Date.now() + TESTER_GONE_MS;
      while (workerThreads(pid) > (threads || 1) && Date.now() < gone) await sleep(POLL_MS);
      await sleep(SETTLE_MS);
      const after = sizes(pid);
      if (errors.length) throw new Error(`the page reported errors: ${errors.join('; ')}`);
      const M = await page.evaluate(() => window.__mem);
      return {
        mode,
        preset,
        iterations: iterations > 0 ? iterations : null,
        cross_origin_isolated: isolated,
        threads,
        tester,
        workers_training: peak.workers,
        workers_after: workerThreads(pid),
        private_mb: { before_data: beforeData.private, data_loaded: dataLoaded.private, peak_training: peak.private, after_done: after.private },
        mb: { before_data: beforeData.rss, data_loaded: dataLoaded.rss, peak_training: Math.max(hwmReset ? trainingHwm : 0, peak.rss), after_done: after.rss },
        pss_mb: { before_data: beforeData.pss, data_loaded: dataLoaded.pss, after_done: after.pss },
        peak_loading_mb: dataLoaded.hwm,
        seconds_training: seconds,
        done_reason: M.doneReason,
        test_accuracy: M.doneAccuracy,
        browser: `Chromium ${browser.version()}`,
      };
    });
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

module.exports = { memoryRun, emptyPageRun, boundedIterations, sizes, TESTER_GONE_MS };
