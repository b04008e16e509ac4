'use strict';
/**
 * Shared by the headless-Chromium tests: the browser, a server for the page, pages that
 * record console problems, and waiting for what the page says.
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
  const page = await context.newPage();
  const problems = watch(page);
  await page.goto(url);
  return { page, problems, context };
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

async function waitForStatus(page, pattern, timeout = 60000) {
  try {
    await page.waitForFunction((source) => new RegExp(source).test(document.querySelector('#status').textContent),
      pattern.source, { timeout });
  } catch (error) {
    throw new Error(`#status never matched ${pattern} within ${timeout} ms; it says: "${await statusText(page)}"`);
  }
  return statusText(page);
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
  SKIP, SHOTS, WEB, useBrowser, serve, openPage, watch, statusText, waitForStatus, accuracyOf, waitForAccuracy, choosePreset,
  drawWithMouse, waitForBars, clearPad,
};
