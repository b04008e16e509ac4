'use strict';
/**
 * The page's main paths in Firefox ESR (puppeteer-core over WebDriver BiDi), as a person
 * uses them: served by scripts/serve.js it trains to 97%; opened from disk (file://) with
 * Firefox's real file policy it trains with no server; a digit drawn with the mouse is read;
 * a model downloads and loads back. Screenshots go to build/screenshots/firefox-*.png.
 * A missing Firefox or puppeteer-core fails these tests (saying what to install); never skips.
 */

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');
const { threadsFor } = require('../web/worker/engine-threads.js');
const { pathToFileURL } = require('node:url');

const { ROOT, BIN, MNIST_DIR, runBinary, tempDir, crc32, modelLayout, mnistTestDigits, inkStrokes } = require('./helpers');
const {
  SHOTS, WEB, serve, waitForStatus, waitForAccuracy, choosePreset, accuracyOf, waitForIterations,
} = require('./browser-helpers');
const { openPage, downloaded, drawWithMouse, clearPad } = require('./firefox-helpers');

const DATA = path.join(ROOT, 'data');
const FILE_URL = pathToFileURL(path.join(WEB, 'index.html')).href;
const READY = /Ready: 60,000 training and 10,000 test images/;

/** Trains `default` from pressing Train to 97% test accuracy on the page, checks the
 *  predictions shown, pauses. -> seconds to 97% */
async function trainTo97(t, page, pw, label) {
  await choosePreset(pw, 'default', 5);
  const startedAt = Date.now();
  await page.click('#train');
  await waitForStatus(pw, /Training/);
  const accuracy = await waitForAccuracy(pw, 0.97);
  const seconds = (Date.now() - startedAt) / 1000;
  t.diagnostic(`${label}: ${(accuracy * 100).toFixed(2)}% after ${seconds.toFixed(1)} s from pressing Train; ` +
    `samples/s shown: ${(await pw.textContent('#speed')).trim()}`);
  await page.click('#pause');
  await waitForStatus(pw, /Paused/);
  const predictions = await page.$$eval('#predictions > *', (items) => items.map((el) => ({ ...el.dataset })));
  assert.ok(predictions.length >= 24, `only ${predictions.length} predictions shown`);
  for (const p of predictions) assert.equal(p.correct, String(p.label === p.predicted));
  assert.ok(predictions.filter((p) => p.correct === 'true').length >= 20, 'a 97% network gets most shown images right');
  await page.screenshot({ path: path.join(SHOTS, `firefox-${label}.png`), fullPage: true });
  return seconds;
}

/** Trains `default` for one epoch, to the end. -> the test accuracy shown */
async function trainOneEpoch(page, pw) {
  await choosePreset(pw, 'default', 1);
  await page.click('#train');
  await waitForStatus(pw, /Done/, 180000);
  return (await pw.textContent('#test-accuracy')).trim();
}

test('Firefox, served: cross-origin isolated, threads, trains default to 97%, no console errors', async (t) => {
  const url = await serve(t, DATA);
  const { page, problems, pw } = await openPage(t, url);
  assert.equal(await page.evaluate(() => self.crossOriginIsolated), true, 'COOP/COEP make the page cross-origin isolated');
  assert.match(await waitForStatus(pw, READY), READY);
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  assert.match(await pw.textContent('#version'), cores > 1 ? new RegExp(`${threadsFor(cores)} threads`) : /one thread/);
  await trainTo97(t, page, pw, 'served');
  assert.deepEqual(problems, [], 'console errors or warnings');
});

test('Firefox, file:// with the strict file policy: no fetch() of files beside the page, trains to 97% all the same', async (t) => {
  const { page, problems, pw } = await openPage(t, FILE_URL);
  await waitForStatus(pw, READY);
  assert.match(await pw.textContent('#version'), /one thread/, 'no shared memory without cross-origin isolation');
  await trainTo97(t, page, pw, 'file');
  // one thread trains; the tests while training run in a second worker (worker/tester.js)
  assert.match(await pw.textContent('#accuracy-note'), /by a second worker/);
  assert.deepEqual(problems, [], 'console errors or warnings');
  // The policy in force is Firefox's own: a file beside the page cannot be fetched (with
  // automation's loose default it can), yet the data came (<script src> copies).
  const sibling = await page.evaluate(() => fetch('styles.css').then((r) => `read (HTTP ${r.status})`, (e) => `refused: ${e.message}`));
  assert.match(sibling, /^refused/, 'a file beside the page must be refused (security.fileuri.strict_origin_policy = true)');
});

test('Firefox: digits drawn with the mouse are read after training', async (t) => {
  const digits = mnistTestDigits();
  const url = await serve(t, DATA);
  const { page, problems, pw } = await openPage(t, url);
  await waitForStatus(pw, READY);
  await trainOneEpoch(page, pw);

  // one test digit of each class, retraced row by row
  let right = 0;
  const wrong = [];
  for (let d = 0; d < 10; d++) {
    let i = 0;
    while (digits.label(i) !== d) i++;
    await clearPad(page);
    const bars = await drawWithMouse(page, inkStrokes(digits.image(i)));
    assert.match(bars.texts[bars.best], new RegExp(`^${bars.best} .*\\d+\\.\\d%$`), 'the top bar: its class and a percentage');
    if (bars.best === d) right++; else wrong.push(`test image ${i}, a ${d}, read as ${bars.best}`);
  }
  t.diagnostic(`Firefox: ${right} of 10 retraced test digits read right${wrong.length ? ` (${wrong.join('; ')})` : ''}`);
  assert.ok(right >= 8, `only ${right} of 10 retraced digits read right`);

  // a hand-drawn 1: one vertical stroke
  await clearPad(page);
  const one = await drawWithMouse(page, [[0.5, 0.12, 0.5, 0.88]]);
  assert.equal(one.best, 1, `a vertical stroke is a 1 (bars: ${one.texts.join(' | ')})`);
  assert.match(await pw.textContent('#draw-verdict'), /^The network says 1 \(\d+\.\d% sure\)/);
  // the pad down to its bars, by their ids alone
  const clip = await page.evaluate(() => {
    const [pad, bars] = ['#draw-pad', '#draw-probabilities'].map((id) => document.querySelector(id).getBoundingClientRect());
    return { x: pad.left + scrollX, y: pad.top + scrollY, width: Math.max(pad.right, bars.right) - pad.left, height: bars.bottom - pad.top };
  });
  await page.screenshot({ path: path.join(SHOTS, 'firefox-draw.png'), clip, captureBeyondViewport: true });
  assert.deepEqual(problems, [], 'console errors or warnings');
});

test('Firefox, file://: the model downloads (a MNISTNET file the native trainer reads) and loads back in a fresh page', async (t) => {
  const downloads = tempDir(t);
  const first = await openPage(t, FILE_URL, { downloads });
  await waitForStatus(first.pw, READY);
  const accuracy = await trainOneEpoch(first.page, first.pw);
  await first.page.click('#model-download');
  const file = await downloaded(downloads);
  assert.match(path.basename(file), /^mnist-784-128-10-\d+\.\d\d\.model$/);
  const bytes = fs.readFileSync(file);
  assert.equal(bytes.subarray(0, 8).toString('latin1'), 'MNISTNET');
  const layout = modelLayout(bytes);
  assert.equal(layout.paramCount, 784 * 128 + 128 + 128 * 10 + 10, 'the parameters of a 784-128-10 network');
  assert.equal(layout.config.arch, '784-128-10', 'the file carries how the network was trained');
  assert.equal(bytes.readUInt32LE(bytes.length - 4), crc32(bytes.subarray(0, bytes.length - 4)), 'CRC-32');
  const evaluated = runBinary(BIN.mnist, ['eval', '--data', MNIST_DIR, '--model', file]);
  assert.equal(evaluated.status, 0, evaluated.stderr);
  assert.equal(`${(evaluated.json.test_accuracy * 100).toFixed(2)}%`, accuracy, 'the native trainer agrees with the page');
  assert.deepEqual(first.problems, [], 'console errors or warnings');

  // a fresh context (nothing kept in the browser): the file picker loads it back
  const again = await openPage(t, FILE_URL);
  await waitForStatus(again.pw, READY);
  assert.doesNotMatch(await again.pw.textContent('#test-accuracy'), /%/, 'a fresh page has no accuracy yet');
  const input = await again.page.$('#model-upload');
  await input.uploadFile(file);
  const status = await waitForStatus(again.pw, /Loaded mnist-784-128-10-.*\.model: a 784-128-10 network/);
  t.diagnostic(`Firefox: ${status}`);
  await again.page.waitForFunction((a) => document.querySelector('#test-accuracy').textContent.trim() === a, { timeout: 30000 }, accuracy);
  assert.equal(accuracyOf(await again.pw.textContent('#test-accuracy')), accuracyOf(accuracy));
  assert.deepEqual(again.problems, [], 'console errors or warnings');
});

test('Firefox, ?preset=cnn&shift=2: the layer list (and a bad text marked at its layer), the filters and the feature maps follow training', async (t) => {
  const url = await serve(t, DATA);
  const { page, problems, pw } = await openPage(t, `${url}?preset=cnn&shift=2`);
  await waitForStatus(pw, READY, 120000);
  assert.equal(await page.$eval('#shift', (el) => el.value), '2');
  const layers = () => page.$$eval('#arch-layers > li', (rows) => rows.map((r) => ({
    shape: (r.querySelector('.arch-shape') || {}).textContent || null,
    bad: r.classList.contains('is-bad'), message: (r.querySelector('.arch-message') || {}).textContent || null })));
  const listOf = (text) => page.waitForFunction((want) => document.querySelector('#arch-layers').dataset.arch === want,
    { timeout: 30000 }, `784-${text}-10`);
  await listOf('c16k3-p2-c32k3-p2-64');
  assert.deepEqual((await layers()).map((l) => l.shape), ['28×28×1', '26×26×16', '13×13×16', '11×11×32', '5×5×32', '64', '10']);

  // typed key by key: a 5x5 pool on a 1x1 image is marked at that pool with the core's sentence
  const retype = async (text) => {
    await page.$eval('#arch', (el) => { el.value = ''; });
    await page.type('#arch', text);
    await listOf(text);
  };
  await retype('c16k3-p5-p5-p5-64');
  const bad = await layers();
  assert.deepEqual(bad.map((l) => l.bad), [false, false, false, false, true, false, false]);
  assert.match(bad[4].message, /after layer 3 the image is 1×1, too small for a 5×5 pool/);
  await retype('c16k3-p2-c32k3-p2-64');

  // the untrained network's 16 filters (3x3) and a test image's feature maps
  const pixels = (selector) => page.$$eval(selector, (cs) => cs.map((c) => Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data).join(',')).join('|'));
  await page.waitForFunction(() => document.querySelectorAll('#weights canvas').length === 16, { timeout: 60000 });
  const filters = await pixels('#weights canvas');
  await page.click('#predictions > :first-child');
  await page.waitForFunction(() => document.querySelectorAll('#activations .act-map').length === 96, { timeout: 60000 });
  const maps = await pixels('#activations .act-map');

  // a few batches, a pause, one step (an evaluation): both follow the training
  await page.click('#train');
  await waitForIterations(pw, 10, 300000);
  await page.click('#pause');
  await waitForStatus(pw, /Paused/, 120000);
  await page.click('#step');
  await waitForStatus(pw, /stepped one batch/, 120000);
  const changed = (selector, before) => page.waitForFunction((s, b) => {
    const cs = [...document.querySelectorAll(s)];
    return cs.length > 0 && cs.map((c) => Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data).join(',')).join('|') !== b;
  }, { timeout: 60000 }, selector, before);
  await changed('#weights canvas', filters);
  await changed('#activations .act-map', maps);
  await page.screenshot({ path: path.join(SHOTS, 'firefox-cnn.png'), fullPage: true });
  assert.deepEqual(problems, [], 'console errors or warnings');
});
