'use strict';
/**
 * Shared by the Firefox tests: Debian's firefox-esr driven by puppeteer-core over WebDriver
 * BiDi, one browser per test file, a fresh browser context (storage, downloads) per test.
 * Waiting for what the page says is tests/browser-helpers.js's, through a small
 * Playwright-shaped view of a puppeteer page, so the two browsers wait the same way.
 */

const fs = require('node:fs');
const path = require('node:path');
const { after } = require('node:test');

const { SHOTS, pollOnTimer, recordWorkers, recordStatus } = require('./browser-helpers');

const FIREFOX = process.env.FIREFOX || '/usr/bin/firefox-esr';

let puppeteer = null;
try {
  puppeteer = require('puppeteer-core');
} catch {
  puppeteer = null;
}

/** What is missing to run Firefox, said as what to install; null when nothing is. Not a
 *  reason to skip: a test that cannot run fails with this message (tests/run.js installs both). */
const MISSING = !puppeteer ? 'puppeteer-core is not installed: run `npm ci` (or `node tests/run.js`, which runs it)'
  : !fs.existsSync(FIREFOX) ? `no Firefox ESR at ${FIREFOX}: \`apt-get install firefox-esr\` (or set FIREFOX=/path/to/firefox)`
    : null;

let launching = null;
after(() => launching && launching.then((browser) => browser.close(), () => {}));

/** The file's one Firefox, launched on first use, closed after the file's tests. Automation
 *  loosens the file:// policy (puppeteer sets security.fileuri.strict_origin_policy to false);
 *  the pref is put back to Firefox's own default so that file:// pages meet the real rules. */
function firefox() {
  if (MISSING) throw new Error(`Firefox tests cannot run: ${MISSING}`);
  if (!launching) {
    launching = puppeteer.launch({
      browser: 'firefox',
      executablePath: FIREFOX,
      headless: true,
      protocolTimeout: 240000, // two shared cores: a screenshot or a long wait can be slow
      extraPrefsFirefox: { 'security.fileuri.strict_origin_policy': true },
    });
  }
  return launching;
}

/** A page in a fresh browser context (its own storage; downloads saved into `downloads`, a
 *  folder, when given) that records console errors and warnings and uncaught exceptions, and
 *  the messages of the workers the page starts (browser-helpers.js: recordWorkers). */
async function openPage(t, url, { viewport = { width: 1280, height: 900 }, downloads } = {}) {
  const browser = await firefox();
  const context = await browser.createBrowserContext(
    downloads ? { downloadBehavior: { policy: 'allow', downloadPath: downloads } } : {});
  t.after(() => context.close());
  const page = await context.newPage();
  pollOnTimer(page, 1); // (Puppeteer takes the options second)
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warn') problems.push(`console.${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  await page.setViewport(viewport);
  await page.evaluateOnNewDocument(recordWorkers); // the page's workers, seen from outside (browser-helpers.js)
  await page.evaluateOnNewDocument(recordStatus); // what #status said, for waitForStatus (browser-helpers.js)
  await page.goto(url);
  fs.mkdirSync(SHOTS, { recursive: true });
  return { page, problems, pw: playwrightView(page) };
}

/** The few Playwright page methods browser-helpers.js's waits and settings use, on a
 *  puppeteer page (whose waitForFunction takes its options before the argument). */
function playwrightView(page) {
  return {
    textContent: (selector) => page.$eval(selector, (el) => el.textContent),
    waitForFunction: (fn, arg, options) => page.waitForFunction(fn, options, arg),
    selectOption: (selector, value) => page.select(selector, value),
    fill: (selector, value) => page.locator(selector).fill(value),
  };
}

/** Waits until `folder` holds a finished download (Firefox writes NAME.part first). -> its path */
async function downloaded(folder, timeout = 30000) {
  const until = Date.now() + timeout;
  for (;;) {
    const names = fs.readdirSync(folder);
    const done = names.filter((n) => !n.endsWith('.part'));
    if (done.length && names.length === done.length) return path.join(folder, done[0]);
    if (Date.now() > until) throw new Error(`no download finished in ${folder} within ${timeout} ms (it holds: ${names.join(', ') || 'nothing'})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Draws strokes ([[x0, y0, x1, y1], ...] in 0..1 of the pad) with the mouse, as real input
 *  events, then waits until the bars answer this drawing. -> { best, texts } */
async function drawWithMouse(page, strokes) {
  const pad = await page.$('#draw-pad');
  await pad.scrollIntoView();
  const box = await pad.boundingBox();
  const at = (x, y) => [box.x + x * box.width, box.y + y * box.height];
  const before = Number(await page.$eval('#draw-probabilities', (el) => el.getAttribute('data-strokes'))) || 0;
  for (const [x0, y0, x1, y1] of strokes) {
    await page.mouse.move(...at(x0, y0));
    await page.mouse.down();
    await page.mouse.move(...at(x1, y1), { steps: 3 });
    await page.mouse.up();
  }
  await page.waitForFunction((n) => document.querySelector('#draw-probabilities').getAttribute('data-strokes') === String(n),
    { timeout: 10000 }, before + strokes.length);
  return page.$$eval('#draw-probabilities > *', (items) => ({
    best: items.findIndex((li) => li.classList.contains('best')),
    texts: items.map((li) => li.textContent.replace(/\s+/g, ' ').trim()),
  }));
}

async function clearPad(page) {
  await page.click('#draw-clear');
  await page.waitForFunction(() => document.querySelector('#draw-probabilities').getAttribute('data-strokes') === '0');
}

module.exports = { FIREFOX, MISSING, firefox, openPage, playwrightView, downloaded, drawWithMouse, clearPad };
