'use strict';
/**
 * The page checked by an accessibility engine (axe-core, through @axe-core/playwright) in
 * headless Chromium: no serious or critical violation idle, training, done, with a CNN's
 * views open, in the dark scheme and on a phone, served and from file://. Then the page
 * used with the keyboard alone (trains, draws, teaches, downloads a model), every stop of
 * the tab order with a visible focus ring, the live regions' pace, and reduced motion.
 * Screenshots: build/screenshots/dark.png (after a run) and phone.png (375x812).
 */

const assert = require('node:assert/strict');
const path = require('node:path');
const { test } = require('node:test');
const { pathToFileURL } = require('node:url');

const { ROOT } = require('./helpers');
const {
  SKIP, SHOTS, WEB, useBrowser, serve, openPage, waitForStatus, choosePreset, waitForIterations, waitForBars,
} = require('./browser-helpers');

let AxeBuilder = null;
let axe = null;
try {
  ({ AxeBuilder } = require('@axe-core/playwright'));
  axe = require('axe-core');
} catch {
  AxeBuilder = null;
}
const SKIP_AXE = SKIP || (!AxeBuilder && 'axe-core or @axe-core/playwright is not installed (run npm ci)');

useBrowser();

const DATA = path.join(ROOT, 'data');
const PHONE = [{ width: 375, height: 812 }, { hasTouch: true, isMobile: true }];
const FILE_URL = pathToFileURL(path.join(WEB, 'index.html')).href;

/** axe's default rules (WCAG A and AA, best practices) and its experimental ones too
 *  (label-content-name-mismatch among them), nothing turned off. */
function experimentalRules() {
  return Object.fromEntries(axe.getRules(['experimental']).map((r) => [r.ruleId, { enabled: true }]));
}

/** One line per violation: id, impact, help, then each element it names. */
function describeViolations(violations) {
  return violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n` +
    v.nodes.map((n) => `    ${n.target.join(' ')}: ${(n.failureSummary || '').replace(/\s+/g, ' ')}`).join('\n')).join('\n');
}

/** Runs axe on the page as it is; fails on any serious or critical violation, listing every one. */
async function checkAxe(t, page, where) {
  // from file:// axe cannot fetch the stylesheet for its CSSOM rules (the browser refuses, on the
  // page's console): those (css-orientation-lock) run served only
  const fromDisk = page.url().startsWith('file:');
  const results = await new AxeBuilder({ page }).options({ rules: experimentalRules(), ...(fromDisk ? { preload: false } : {}) }).analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const minor = results.violations.filter((v) => !serious.includes(v));
  t.diagnostic(`${where}: ${results.passes.length} rules pass, ${serious.length} serious or critical violations, ` +
    `${minor.length} minor or moderate${minor.length ? `: ${minor.map((v) => `${v.id} (${v.impact}, ${v.nodes.length})`).join(', ')}` : ''}`);
  assert.equal(serious.length, 0, `${where}: axe finds\n${describeViolations(results.violations)}`);
}

/** Train the default preset for `epochs`, checking the page while it trains and when done. */
async function trainChecked(t, page, where, epochs = 1) {
  await choosePreset(page, 'default', epochs);
  await page.click('#train');
  await waitForStatus(page, /Training/);
  await waitForIterations(page, 50);
  await checkAxe(t, page, `${where}, training`);
  await waitForStatus(page, /Done/, 180000);
  await page.waitForFunction(() => document.querySelectorAll('#mistakes > *').length > 0, null, { timeout: 60000 });
  await checkAxe(t, page, `${where}, done`);
}

test('axe, served: idle, training, done, a test image and a cell open; light and dark', { skip: SKIP_AXE, timeout: 600000 }, async (t) => {
  const url = await serve(t, DATA);
  const { page, problems } = await openPage(t, url);
  await waitForStatus(page, /Ready/);
  await checkAxe(t, page, 'served, idle');
  await page.emulateMedia({ colorScheme: 'dark' });
  await checkAxe(t, page, 'served, idle, dark');
  await page.emulateMedia({ colorScheme: 'light' });
  await trainChecked(t, page, 'served');
  await page.click('#predictions > :first-child');
  await page.waitForFunction(() => document.querySelectorAll('#activations .act-layer').length > 0, null, { timeout: 60000 });
  await page.click('#confusion > :nth-child(2)');
  await page.waitForFunction(() => !document.querySelector('#cell-box').hidden && /image/.test(document.querySelector('#cell-title').textContent),
    null, { timeout: 60000 });
  await page.locator('.chart-data summary').click();
  await checkAxe(t, page, 'served, done, views open');
  await page.emulateMedia({ colorScheme: 'dark' });
  await checkAxe(t, page, 'served, done, views open, dark');
  await page.screenshot({ path: path.join(SHOTS, 'dark.png'), fullPage: true });
  assert.deepEqual(problems, []);
});

test('axe, file://: idle, training, done', { skip: SKIP_AXE, timeout: 600000 }, async (t) => {
  const { page, problems } = await openPage(t, FILE_URL);
  await waitForStatus(page, /Ready/);
  await checkAxe(t, page, 'file://, idle');
  await trainChecked(t, page, 'file://');
  await page.emulateMedia({ colorScheme: 'dark' });
  await checkAxe(t, page, 'file://, done, dark');
  assert.deepEqual(problems, []);
});

test('axe, ?preset=cnn: filters, feature maps, confusion and mistakes of a CNN', { skip: SKIP_AXE, timeout: 600000 }, async (t) => {
  const url = await serve(t, DATA);
  const { page, problems } = await openPage(t, `${url}?preset=cnn`);
  await waitForStatus(page, /Ready/, 120000);
  await page.waitForFunction(() => document.querySelectorAll('#weights canvas').length === 16, null, { timeout: 60000 });
  await page.click('#predictions > :first-child');
  await page.waitForFunction(() => document.querySelectorAll('#activations .act-map').length > 0, null, { timeout: 60000 });
  await page.click('#train');
  await waitForIterations(page, 20, 300000);
  await checkAxe(t, page, 'cnn, training');
  await page.click('#pause');
  await waitForStatus(page, /Paused/, 120000);
  await page.waitForFunction(() => document.querySelectorAll('#mistakes > *').length > 0, null, { timeout: 120000 });
  await page.click('#confusion > :nth-child(2)');
  await page.waitForFunction(() => /image/.test(document.querySelector('#cell-title').textContent), null, { timeout: 60000 });
  await checkAxe(t, page, 'cnn, paused, views open');
  await page.emulateMedia({ colorScheme: 'dark' });
  await checkAxe(t, page, 'cnn, paused, views open, dark');
  assert.deepEqual(problems, []);
});

test('axe, phone (375x812, touch): idle, training, done, the settings unfolded', { skip: SKIP_AXE, timeout: 600000 }, async (t) => {
  const url = await serve(t, DATA);
  const { page, problems } = await openPage(t, url, ...PHONE);
  await waitForStatus(page, /Ready/);
  await checkAxe(t, page, 'phone, idle');
  await page.emulateMedia({ colorScheme: 'dark' });
  await checkAxe(t, page, 'phone, idle, dark');
  await page.emulateMedia({ colorScheme: 'light' });
  await page.tap('#all-settings > summary');
  await trainChecked(t, page, 'phone');
  await page.tap('#all-settings > summary'); // folded again: the preset, Train and the results first
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(SHOTS, 'phone.png'), fullPage: true });
  assert.deepEqual(problems, []);
});

/* ---- the chart's text alternative, in plain Node ---- */

/** Just enough of a document for chart-table.js: its two elements, and frames run on demand. */
function fakeDocument() {
  const node = () => ({ children: [], textContent: '', scope: '', appendChild(c) { this.children.push(c); },
    replaceChildren(...c) { this.children = c; } });
  const body = node();
  const details = { open: true, addEventListener() {} };
  const frames = [];
  const elements = { 'chart-summary': node(), 'chart-table': { tBodies: [body], closest: () => details } };
  return {
    doc: { getElementById: (id) => elements[id] || null, createElement: node,
      defaultView: { requestAnimationFrame: (f) => frames.push(f) } },
    summary: elements['chart-summary'], body, frames,
    rows: () => body.children.map((tr) => tr.children.map((c) => c.textContent)),
  };
}

test('chart-table: a row per slice of epochs with the latest of each series, at most 60 rows, and the figures in a sentence', async () => {
  const { createChartTable, mergeRows } = require('../web/js/chart-table.js');
  assert.deepEqual(mergeRows([{ x: 0.05, loss: 1, train: 0.2, test: null }, { x: 0.1, loss: 0.8, train: null, test: 0.5 },
    { x: 0.15, loss: 0.7, train: 0.6, test: null }], 0.1),
  [{ x: 0.1, loss: 0.8, train: 0.2, test: 0.5 }, { x: 0.15, loss: 0.7, train: 0.6, test: null }]);

  const page = fakeDocument();
  const table = createChartTable(page.doc);
  assert.match(page.summary.textContent, /^No points yet/);
  // the seed preset's length: 500 epochs, a point each (and a test accuracy every 10)
  for (let e = 1; e <= 500; e++) {
    table.add({ x: e, loss: 1 / e, trainAccuracy: 0.5 + e / 1200, testAccuracy: e % 10 === 0 ? 0.5 + e / 1100 : undefined });
  }
  while (page.frames.length) page.frames.shift()();
  const rows = page.rows();
  assert.ok(rows.length <= 60 && rows.length >= 30, `${rows.length} rows`);
  assert.deepEqual(rows[rows.length - 1], ['500.00', '0.0020', '91.67%', '95.45%']);
  assert.equal(page.summary.textContent,
    'Latest: test accuracy 95.45% at epoch 500.00, train accuracy 91.67%, train loss 0.0020. Best test accuracy: 95.45% at epoch 500.00.');
  table.clear();
  while (page.frames.length) page.frames.shift()();
  assert.deepEqual(page.rows(), []);
  assert.match(page.summary.textContent, /^No points yet/);
});

/* ---- the keyboard alone ---- */

/** Presses Tab until `selector` has the focus (-> how many presses); fails past `max`. */
async function tabTo(page, selector, max = 400) {
  for (let k = 0; k <= max; k++) {
    if (await page.evaluate((s) => !!document.activeElement && document.activeElement.matches(s), selector)) return k;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${selector} in ${max} presses`);
}

/** Walks the whole tab order once from the top: each stop's name and how its focus shows. */
async function tabOrder(page) {
  await page.evaluate(() => { document.activeElement.blur(); window.scrollTo(0, 0); });
  const stops = [];
  for (let k = 0; k < 600; k++) {
    await page.keyboard.press('Tab');
    const stop = await page.evaluate(() => {
      const e = document.activeElement;
      if (!e || e === document.body) return null;
      const s = getComputedStyle(e);
      const box = e.getBoundingClientRect();
      return {
        what: e.id ? `#${e.id}` : `${e.tagName.toLowerCase()}.${e.className}${e.closest('[id]') ? ` in #${e.closest('[id]').id}` : ''}`,
        ring: e.matches(':focus-visible') && s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2,
        size: box.width > 0 && box.height > 0,
      };
    });
    if (!stop || (stops.length && stop.what === stops[0].what)) break;
    stops.push(stop);
  }
  return stops;
}

test('keyboard only: every stop shows its focus; train, draw a digit, teach it, download the model', { skip: SKIP, timeout: 600000 }, async (t) => {
  const url = await serve(t, DATA);
  const { page, problems } = await openPage(t, url, undefined, { acceptDownloads: true });
  await page.evaluate(() => {
    window.__pointer = 0;
    for (const type of ['pointerdown', 'mousedown', 'touchstart', 'click']) {
      document.addEventListener(type, (e) => { if (e.detail > 0 || type !== 'click') window.__pointer++; }, true);
    }
  });
  await waitForStatus(page, /Ready/);

  // the tab order: every stop visible with a ring of at least 2px, in the page's reading order
  const stops = await tabOrder(page);
  t.diagnostic(`${stops.length} tab stops: ${stops.map((s) => s.what).join(', ')}`);
  assert.deepEqual(stops.filter((s) => !s.ring || !s.size), [], 'stops without a visible focus ring');
  const main = ['a.skip-link', '#preset', '#epochs', '#train', '#draw-pad', '#confusion', '#model-download'];
  const at = main.map((what) => stops.findIndex((s) => s.what === what || s.what.endsWith(` in ${what}`)));
  assert.ok(at.every((i) => i >= 0), `every main control is a tab stop: ${main.filter((_, k) => at[k] < 0).join(', ')}`);
  assert.deepEqual(at, [...at].sort((a, b) => a - b), `in reading order: ${main.join(', ')}`);

  // a fast run: one epoch of the default preset
  await tabTo(page, '#epochs');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('1');
  await tabTo(page, '#train');
  await page.keyboard.press('Enter');
  await waitForStatus(page, /Training/);
  await waitForStatus(page, /Done/, 180000);
  assert.match(await page.textContent('#chart-summary'), /Latest: test accuracy \d+\.\d+% at epoch 1\.00/);

  // the curves' table, opened with the keyboard
  await tabTo(page, '.chart-data > summary');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelectorAll('#chart-table tbody tr').length > 1);

  // a 1, drawn with the keyboard: up from the middle, pen down, down, pen up
  await tabTo(page, '#draw-pad');
  for (let k = 0; k < 2; k++) await page.keyboard.press('Shift+ArrowUp');
  await page.keyboard.press('Space');
  for (let k = 0; k < 4; k++) await page.keyboard.press('Shift+ArrowDown');
  await page.keyboard.press('Space');
  const { best } = await waitForBars(page, 1);
  t.diagnostic(`the keyboard's 1 reads as ${best}`);

  // teach it as the digit after the one read
  const label = (best + 1) % 10;
  await tabTo(page, `#teach-digits > :nth-child(${label + 1})`);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => /^Taught/.test(document.querySelector('#teach-status').textContent), null, { timeout: 60000 });
  await page.waitForFunction(() => /^1 example taught/.test(document.querySelector('#teach-count').textContent), null, { timeout: 30000 });

  // a test image picked from the gallery: its activations
  await tabTo(page, '#predictions button');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => /^Test image/.test(document.querySelector('#activations-source').textContent), null, { timeout: 60000 });

  // the model downloaded
  await tabTo(page, '#model-download');
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60000 }), page.keyboard.press('Enter')]);
  const saved = await download.path();
  assert.ok(saved && require('node:fs').statSync(saved).size > 1000, 'the model file has its weights');
  t.diagnostic(`downloaded ${download.suggestedFilename()}`);

  assert.equal(await page.evaluate(() => window.__pointer), 0, 'no pointer, mouse or touch event reached the page');
  assert.deepEqual(problems, []);
});

/* ---- live regions, motion, colour scheme ---- */

test('live regions: progress said at most every 5 s, the run\'s end at once; reduced motion; the dark scheme', { skip: SKIP, timeout: 600000 }, async (t) => {
  const url = await serve(t, DATA);
  const { page, problems } = await openPage(t, url);
  await waitForStatus(page, /Ready/);
  // a drawing on the pad: its verdict changes as the network learns
  await page.focus('#draw-pad');
  await page.keyboard.press('Space');
  for (let k = 0; k < 4; k++) await page.keyboard.press('Shift+ArrowDown');
  await page.keyboard.press('Space');
  await waitForBars(page, 1);
  await page.evaluate(() => {
    window.__said = [];
    const live = document.querySelectorAll('[aria-live]:not([aria-live="off"]), [role="status"], [role="alert"], [role="log"]');
    for (const region of live) {
      new MutationObserver(() => window.__said.push({ at: performance.now(), id: region.id, text: region.textContent.trim() }))
        .observe(region, { childList: true, subtree: true, characterData: true });
    }
  });
  await choosePreset(page, 'default', 3);
  await page.click('#train');
  await waitForStatus(page, /Done/, 300000);
  // the verdict follows the training: said once the announcer's time is up
  await page.waitForFunction(() => window.__said.some((s) => s.id === 'announcer' && /The network says/.test(s.text)),
    null, { timeout: 30000 });
  const said = await page.evaluate(() => window.__said);
  const progress = (await page.evaluate(() => window.__workers[0].count.progress)) || 0;
  t.diagnostic(`${progress} progress messages; said: ${said.map((s) => `${(s.at / 1000).toFixed(1)} s ${s.id}: ${s.text.slice(0, 60)}`).join(' | ')}`);

  // #status: "Training: ..." at most every 5 s (the first is Train's own), the end at once
  const training = said.filter((s) => s.id === 'status' && /^Training: /.test(s.text));
  for (let k = 2; k < training.length; k++) {
    assert.ok(training[k].at - training[k - 1].at >= 4900, `#status said progress ${(training[k].at - training[k - 1].at).toFixed(0)} ms after the last`);
  }
  assert.ok(training.length < progress, 'not every progress message is said');
  assert.match(said.filter((s) => s.id === 'status').pop().text, /^Done: \d+\.\d+% test accuracy/);
  // the announcer: at most every 5 s, and it said the drawing's verdict
  const announced = said.filter((s) => s.id === 'announcer');
  for (let k = 1; k < announced.length; k++) {
    assert.ok(announced[k].at - announced[k - 1].at >= 4900, `the announcer spoke ${(announced[k].at - announced[k - 1].at).toFixed(0)} ms after the last`);
  }
  assert.ok(announced.some((s) => /The network says/.test(s.text)), 'the verdict is said');
  // no region that changes by itself while training is live apart from those two
  const others = [...new Set(said.map((s) => s.id))].filter((id) => id !== 'status' && id !== 'announcer');
  for (const id of others) assert.ok(said.filter((s) => s.id === id).length <= 3, `#${id} spoke ${said.filter((s) => s.id === id).length} times`);

  // reduced motion: nothing animates, no smooth scrolling
  await page.emulateMedia({ reducedMotion: 'reduce' });
  const moving = await page.evaluate(() => [...document.querySelectorAll('*')].filter((e) => {
    const s = getComputedStyle(e);
    const seconds = (v) => v.split(',').some((d) => parseFloat(d) > 0);
    return (s.animationName !== 'none' && seconds(s.animationDuration)) || seconds(s.transitionDuration) || s.scrollBehavior === 'smooth';
  }).map((e) => e.id || e.tagName));
  assert.deepEqual(moving, [], 'elements that move with prefers-reduced-motion: reduce');
  assert.ok(await page.evaluate(() => matchMedia('(prefers-reduced-motion: reduce)').matches));

  // the dark scheme: the page's own colours follow it
  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const light = await background();
  await page.emulateMedia({ colorScheme: 'dark' });
  const dark = await background();
  const level = (rgb) => rgb.match(/\d+/g).slice(0, 3).map(Number).reduce((a, b) => a + b, 0) / 3;
  assert.ok(level(light) > 200 && level(dark) < 50, `body background ${light} in light, ${dark} in dark`);
  assert.deepEqual(problems, []);
});
