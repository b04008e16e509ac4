'use strict';
/**
 * The page rows of `make bench`: the page in headless Chromium (bench/page.js), the
 * tab's memory (bench/memory.js) and the drawing pad (bench/drawpad.js), through
 * playwright-core, or a `skipped` row when it or Chromium is missing.
 *
 * Public: pageInChromium(mode, preset, target, untilDone, probe) -> pageRun's row or {skipped},
 * pageMemory(item, presets) -> memoryRun's row (emptyPageRun's for item.page 'empty') or {skipped},
 * pageDrawpad(item) -> drawpadRun's row or {skipped}.
 */

const fs = require('node:fs');
const path = require('node:path');

const { ROOT, CHROMIUM, DATA_DIR, TIMEOUT_MS, PAGE_PROBE_MS, QUICK } = require('./config.js');
const { pageRun } = require('./page.js');
const { memoryRun, emptyPageRun, boundedIterations } = require('./memory.js');
const { drawpadRun } = require('./drawpad.js');

const WEB_ROOT = path.join(ROOT, 'web');

/** playwright-core, or {skipped} when it or Chromium is missing. */
function browserDriver() {
  let playwright;
  try {
    playwright = require(require.resolve('playwright-core', { paths: [ROOT] }));
  } catch {
    return { skipped: 'playwright-core is not installed (npm ci at the root)' };
  }
  if (!fs.existsSync(CHROMIUM)) return { skipped: `no Chromium at ${CHROMIUM}` };
  return { playwright };
}

/**
 * The page in headless Chromium, served by scripts/serve.js (mode 'served':
 * cross-origin isolated, so the page runs its threaded build when there are cores
 * to spare) or from file:// (one thread), opened with ?preset=NAME: seconds from
 * pressing Train until #test-accuracy shows the target. The thread count is read
 * from the page's own #version line. untilDone: the whole run, and how the page and
 * the worker kept up (frames, long tasks, evaluations), with probe (its default: untilDone)
 * answers to a drawing's predict every PAGE_PROBE_MS too.
 */
async function pageInChromium(mode, preset, target, untilDone, probe = untilDone) {
  const { playwright, skipped } = browserDriver();
  if (skipped) return { skipped };
  return pageRun({ playwright, chromium: CHROMIUM, mode, webRoot: WEB_ROOT, dataDir: DATA_DIR, preset, target,
    untilDone, probeMs: probe ? PAGE_PROBE_MS : 0, timeoutMs: TIMEOUT_MS });
}

/** The tab's memory (bench/memory.js) while the page trains `preset`'s whole run (BENCH_QUICK:
 *  a bounded run, as tests/page-memory.test.js trains), or an empty page's. presets: the core's
 *  rules.presets. */
async function pageMemory(item, presets) {
  const { playwright, skipped } = browserDriver();
  if (skipped) return { skipped };
  if (item.page === 'empty') return emptyPageRun({ playwright, chromium: CHROMIUM });
  return memoryRun({ playwright, chromium: CHROMIUM, mode: item.page, webRoot: WEB_ROOT, dataDir: DATA_DIR,
    preset: item.preset, iterations: QUICK ? boundedIterations(presets[item.preset]) : 0, timeoutMs: TIMEOUT_MS });
}

/** A pen's stroke on the drawing pad (bench/drawpad.js) with `preset`'s network, untrained. */
async function pageDrawpad(item) {
  const { playwright, skipped } = browserDriver();
  if (skipped) return { skipped };
  return drawpadRun({ playwright, chromium: CHROMIUM, mode: item.page, webRoot: WEB_ROOT, dataDir: DATA_DIR,
    preset: item.preset, timeoutMs: TIMEOUT_MS });
}

module.exports = { pageInChromium, pageMemory, pageDrawpad };
