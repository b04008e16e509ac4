'use strict';
/**
 * The memory of the tab in headless Chromium, for `make bench` (bench/run.js) and
 * tests/memory.test.js: the resident memory of the renderer process that holds the page and
 * its workers, at four moments of one run of a preset:
 *   before_data    the page is up and its worker(s) have their WebAssembly module, no data yet
 *                  (the page's data requests are held back until this is read);
 *   data_loaded    the data is in the worker and the page says Ready;
 *   peak_training  the largest resident size between pressing Train and the end of the run
 *                  (the kernel's VmHWM, reset just before Train; polling gives the same or less);
 *   after          a second after the run ended.
 *
 * Which process: Chromium runs each site's pages in a renderer process (a descendant of the
 * browser process, through its zygote, with --type=renderer on its command line); a page's
 * dedicated workers are threads of that same process, named "DedicatedWorker thread" (as
 * /proc/PID/task/TID/comm shows them). One browser is launched per measurement with one page,
 * so the page's renderer is the renderer that runs dedicated workers (Chromium keeps other
 * renderers beside it, a spare and its own UI's: they run none). The browser process is found
 * by a switch of our own on its command line. (Chromium rewrites its processes' command lines
 * as one space-separated string, so /proc/PID/cmdline is searched for --type=renderer as a word.)
 * Sizes, in MB (10^6 bytes): VmRSS and VmHWM from /proc/PID/status; private = VmRSS less
 * RssFile, the pages of mapped files, nearly all Chromium's own code, which every Chromium
 * process maps (an empty page's renderer holds ~100 MB of them); Pss from
 * /proc/PID/smaps_rollup (each shared page split among the processes that map it).
 *
 *   const { memoryRun } = require('./memory.js');
 *   const row = await memoryRun({ playwright, chromium, mode: 'served' | 'file', webRoot, dataDir,
 *                                 preset, epochs, timeoutMs });
 *   row.mb = { before_data, data_loaded, peak_training, after }   (RSS), row.private_mb likewise
 *   (its peak polled every 100 ms), row.pss_mb (no peak); epochs: 0 keeps the preset's
 * mode 'served': scripts/serve.js (cross-origin isolated: the threaded module); 'file':
 * web/index.html from disk (one thread and a tester worker; data/mnist beside web/ only).
 * Linux only (/proc). Throws with the page's status when the page fails.
 */

const fs = require('node:fs');
const path = require('node:path');

const { openPreset, LAUNCH_ARGS } = require('./page.js');

const READY_TIMEOUT_MS = 120000;
const POLL_MS = 100;
const MB = 1e6;

/* ---- /proc ------------------------------------------------------------------------ */

function readText(file) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null; // the process (or thread) ended meanwhile
  }
}

/** The parent of pid, or null if it is gone. */
function parentOf(pid) {
  const stat = readText(`/proc/${pid}/stat`);
  // pid (comm) state ppid ...: comm may hold spaces and parentheses, so split after the last ')'
  return stat ? Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) : null;
}

/** Every descendant of pid (children, their children, ...). */
function descendants(pid) {
  const parents = new Map();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const ppid = parentOf(Number(name));
    if (ppid !== null) parents.set(Number(name), ppid);
  }
  const out = [];
  const wanted = new Set([pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [child, parent] of parents) {
      if (wanted.has(parent) && !wanted.has(child)) {
        wanted.add(child);
        out.push(child);
        grew = true;
      }
    }
  }
  return out;
}

function statusKb(pid, field) {
  const text = readText(`/proc/${pid}/status`);
  const m = text && new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
  return m ? Number(m[1]) : null;
}

function pssKb(pid) {
  const text = readText(`/proc/${pid}/smaps_rollup`);
  const m = text && /^Pss:\s+(\d+) kB/m.exec(text);
  return m ? Number(m[1]) : null;
}

function threadNames(pid) {
  try {
    return fs.readdirSync(`/proc/${pid}/task`).map((tid) => (readText(`/proc/${pid}/task/${tid}/comm`) || '').trim());
  } catch {
    return [];
  }
}

function isRenderer(pid) {
  const cmdline = readText(`/proc/${pid}/cmdline`);
  return !!cmdline && /(^|[\0 ])--type=renderer([\0 ]|$)/.test(cmdline);
}

/** The browser's renderers, each with its dedicated-worker threads counted. */
function renderers(browserPid) {
  return descendants(browserPid).filter(isRenderer).map((pid) => ({
    pid, workers: threadNames(pid).filter((n) => /^DedicatedWorker/.test(n)).length,
  }));
}

/** The renderer that runs the page's workers (see the header); throws if there is not exactly one. */
function pageRenderer(browserPid) {
  const all = renderers(browserPid);
  const withWorkers = all.filter((r) => r.workers > 0);
  if (withWorkers.length !== 1) {
    throw new Error(`expected one renderer running dedicated workers, found ${withWorkers.length} ` +
      `(renderers: ${all.map((r) => `${r.pid} with ${r.workers} workers`).join(', ') || 'none'})`);
  }
  return withWorkers[0];
}

/** Resident sizes of pid in MB: { rss, hwm, pss, private }; private is RSS less RssFile (the
 *  pages of files, mostly Chromium's own code, mapped by every Chromium process alike). */
function sizes(pid) {
  const mb = (kb) => (kb === null ? null : Math.round((kb * 1024) / MB * 10) / 10);
  const rss = statusKb(pid, 'VmRSS'), file = statusKb(pid, 'RssFile');
  return { rss: mb(rss), hwm: mb(statusKb(pid, 'VmHWM')), pss: mb(pssKb(pid)), private: rss === null || file === null ? null : mb(rss - file) };
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

/* ---- the page --------------------------------------------------------------------- */

/* Runs in the page before its scripts: holds back the page's data (the fetches of the .gz
 * files, or on file:// the script tags of their copies) until window.__memGo(), and records
 * the messages of the page's workers. */
function instrumentPage() {
  const M = { ready: 0, done: false, doneAccuracy: null };
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
        if (m.type === 'done') { M.done = true; M.doneAccuracy = m.testAccuracy; }
      });
    }
  };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The browser process launched with `marker` among its arguments (Chromium ignores a switch
 *  it does not know): Playwright's launch() does not say its pid, and Debian's /usr/bin/chromium
 *  wrapper leaves it a child of init, not of this process. Its children that carry the marker
 *  too are left out by asking for the one whose parent does not. */
function browserProcess(marker) {
  const marked = fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number)
    .filter((pid) => (readText(`/proc/${pid}/cmdline`) || '').split('\0').includes(marker));
  const top = marked.filter((pid) => !marked.includes(parentOf(pid)));
  if (top.length !== 1) throw new Error(`cannot tell the browser process: ${top.length} processes carry ${marker} first`);
  return top[0];
}

async function memoryRun({ playwright, chromium, mode, webRoot, dataDir, preset = 'default', epochs = 0, timeoutMs = 300000 }) {
  if (process.platform !== 'linux') return { skipped: 'reads /proc (Linux only)' };
  const { createServer } = require('../scripts/serve.js');
  const marker = `--mnist-memory-run=${process.pid}-${Date.now()}`;
  const server = createServer({ webRoot, dataRoot: path.dirname(dataDir) });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const browser = await playwright.chromium.launch({ executablePath: chromium, args: [...LAUNCH_ARGS, marker] });
  try {
    const browserPid = browserProcess(marker);
    const { page, errors, skipped } = await openPreset(browser, server, { mode, webRoot, dataDir, preset, init: instrumentPage });
    if (skipped) return { skipped };
    const status = async () => (await page.textContent('#status').catch(() => '')).trim();
    const isolated = await page.evaluate(() => self.crossOriginIsolated === true);
    const readyCount = isolated ? 1 : 2; // without threads a tester worker starts too
    await page.waitForFunction((n) => window.__mem.ready >= n, readyCount, { timeout: READY_TIMEOUT_MS })
      .catch(async () => { throw new Error(`the worker never became ready: ${await status()} ${errors.join('; ')}`.trim()); });
    await sleep(1000);
    const pid = pageRenderer(browserPid).pid;
    const beforeData = sizes(pid);

    await page.evaluate(() => window.__memGo());
    try {
      await page.waitForFunction(() => /Ready/.test(document.querySelector('#status').textContent)
        && !document.querySelector('#train').disabled, null, { timeout: READY_TIMEOUT_MS });
    } catch {
      throw new Error(`the page never became ready: ${await status()} ${errors.join('; ')}`.trim());
    }
    const chosen = await page.inputValue('#preset');
    if (chosen !== preset) throw new Error(`?preset=${preset} left the preset field at "${chosen}"`);
    if (epochs > 0) await page.fill('#epochs', String(epochs));
    await sleep(1000);
    const dataLoaded = sizes(pid);
    const loadPeak = dataLoaded.hwm;

    const hwmReset = resetPeak(pid);
    let polledRss = 0, polledPrivate = 0;
    const series = []; // RSS every 5 polls
    const poll = setInterval(() => {
      const s = sizes(pid);
      if (s.rss === null) return;
      polledRss = Math.max(polledRss, s.rss);
      polledPrivate = Math.max(polledPrivate, s.private);
      series.push(Math.round(s.rss));
    }, POLL_MS);
    const t0 = Date.now();
    let training;
    try {
      await page.click('#train');
      // the end of the run, or an error the page shows (a worker that failed)
      await page.waitForFunction(() => window.__mem.done || document.querySelector('#status').getAttribute('data-kind') === 'error',
        null, { timeout: timeoutMs, polling: 200 })
        .catch(async () => { throw new Error(`the run did not end within ${timeoutMs / 1000} s: ${await status()} ${errors.join('; ')}`.trim()); });
      if (!(await page.evaluate(() => window.__mem.done))) throw new Error(`the run failed: ${await status()} ${errors.join('; ')}`.trim());
      training = sizes(pid);
    } finally {
      clearInterval(poll);
    }
    const seconds = (Date.now() - t0) / 1000;
    await sleep(1000);
    const after = sizes(pid);
    if (errors.length) throw new Error(`the page reported errors: ${errors.join('; ')}`);
    const version = (await page.textContent('#version').catch(() => '')).trim();
    const threadsMatch = /(\d+) threads/.exec(version);
    return {
      mode,
      preset,
      epochs: epochs > 0 ? epochs : null,
      cross_origin_isolated: isolated,
      threads: threadsMatch ? Number(threadsMatch[1]) : /one thread/.test(version) ? 1 : null,
      workers: pageRenderer(browserPid).workers,
      mb: { before_data: beforeData.rss, data_loaded: dataLoaded.rss, peak_training: Math.max(hwmReset ? training.hwm : 0, polledRss), after: after.rss },
      private_mb: { before_data: beforeData.private, data_loaded: dataLoaded.private, peak_training: polledPrivate, after: after.private },
      pss_mb: { before_data: beforeData.pss, data_loaded: dataLoaded.pss, after: after.pss },
      peak_loading_mb: dataLoaded.hwm,
      peak_from: hwmReset ? 'VmHWM' : `polling every ${POLL_MS} ms`,
      rss_every_500ms: series.filter((x, i) => i % 5 === 0),
      seconds_training: seconds,
      test_accuracy: await page.evaluate(() => window.__mem.doneAccuracy),
      browser: `Chromium ${browser.version()}`,
    };
  } finally {
    await browser.close();
    await new Promise((resolve) => server.close(resolve));
  }
}

module.exports = { memoryRun, pageRenderer, sizes };
