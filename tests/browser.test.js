'use strict';
/**
 * The page in headless Chromium, as a person uses it: served by scripts/serve.js,
 * then opened straight from disk (file://), then with corrupt and missing data.
 * Screenshots go to build/screenshots/ (looked at for the closing notes).
 */

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');
const { test } = require('node:test');
const { threadsFor } = require('../web/worker/engine-threads.js');
const { pathToFileURL } = require('node:url');

const { ROOT, MNIST_DIR, tempDir } = require('./helpers');
const { FILE_NAMES } = require('../common/datasets.js');

const {
  SKIP, SHOTS, WEB, useBrowser, serve, openPage, waitForStatus, waitForAccuracy, choosePreset, workerMessage,
  waitForIterations, waitForBars,
} = require('./browser-helpers');

useBrowser();

/** Train, reach the threshold, check predictions, pause and resume. */
async function trainAndCheck(t, page, problems, label) {
  const ready = await waitForStatus(page, /Ready/);
  assert.match(ready, /60,000 training and 10,000 test images/);
  assert.equal(await page.textContent('#test-accuracy').then((s) => s.trim()).then((s) => /%/.test(s) ? 'shown' : 'none'), 'none');

  // 10 epochs: 97% comes within about 3, so the run cannot end before Pause is pressed
  await choosePreset(page, 'default', 10);
  const startedAt = Date.now();
  await page.click('#train');
  await waitForStatus(page, /Training/);
  const at90 = await waitForAccuracy(page, 0.9);
  const secondsTo90 = (Date.now() - startedAt) / 1000;
  const at97 = await waitForAccuracy(page, 0.97);
  const secondsTo97 = (Date.now() - startedAt) / 1000;
  t.diagnostic(`${label}: ${(at90 * 100).toFixed(2)}% after ${secondsTo90.toFixed(1)} s, ${(at97 * 100).toFixed(2)}% after ${secondsTo97.toFixed(1)} s from pressing Train`);
  const speed = await page.textContent('#speed');
  t.diagnostic(`${label}: samples/s shown: ${speed.trim()}`);

  const predictions = await page.$$eval('#predictions > *', (items) => items.map((el) => ({
    label: el.dataset.label, predicted: el.dataset.predicted, correct: el.dataset.correct, text: el.textContent,
  })));
  assert.ok(predictions.length >= 24, `only ${predictions.length} predictions shown`);
  for (const p of predictions) {
    assert.match(p.label, /^\d$/);
    assert.match(p.predicted, /^\d$/);
    assert.equal(p.correct, String(p.label === p.predicted));
  }
  assert.ok(predictions.filter((p) => p.correct === 'true').length >= 20, 'a 97% network gets most shown images right');

  // pause, check that nothing moves, resume
  await page.click('#pause');
  await waitForStatus(page, /Paused/);
  const frozen = await page.textContent('#progress-text').catch(() => '');
  await page.waitForTimeout(400);
  assert.equal(await page.textContent('#progress-text').catch(() => ''), frozen, 'progress moved while paused');
  await page.click('#pause');
  await waitForStatus(page, /Training|Done/);
  await page.screenshot({ path: path.join(SHOTS, `${label}-training.png`), fullPage: true });
  await waitForStatus(page, /Done/, 120000);
  await page.screenshot({ path: path.join(SHOTS, `${label}-done.png`), fullPage: true });
  assert.deepEqual(problems, [], 'console errors or warnings');
  return { secondsTo97 };
}

test('served page: train to 97%, predictions, pause and resume, no console errors', { skip: SKIP }, async (t) => {
  const url = await serve(t, path.join(ROOT, 'data'));
  const { page, problems } = await openPage(t, url);
  assert.equal(await page.evaluate(() => self.crossOriginIsolated), true, 'COOP/COEP make the page cross-origin isolated');
  await waitForStatus(page, /Ready/);
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  assert.match(await page.textContent('#version'), cores > 1 ? new RegExp(`${threadsFor(cores)} threads`) : /one thread/);
  await trainAndCheck(t, page, problems, 'served');
  // the page defines no globals of its own (its modules talk through imports)
  assert.deepEqual(await page.evaluate(() => Object.keys(window).filter((k) => k.startsWith('Mnist'))), []);

  // The page's worker in Chromium answers what is not a request (names every object inherits
  // among them) and a second init with one error each, and still answers a real request.
  const answers = await page.evaluate(() => new Promise((resolve) => {
    const worker = window.__workers[0].worker, got = [];
    const listen = (e) => {
      got.push({ type: e.data.type, request: e.data.request, message: e.data.message });
      if (e.data.type === 'arch-description') { worker.removeEventListener('message', listen); resolve(got); }
    };
    worker.addEventListener('message', listen);
    for (const type of ['hasOwnProperty', 'toString', 'constructor', 'valueOf', '__proto__']) worker.postMessage({ type });
    worker.postMessage({ type: 'init', wasm: new ArrayBuffer(8), threads: 64 });
    worker.postMessage({ type: 'describe-arch', id: 'after', arch: '784-10' });
  }));
  assert.deepEqual(answers.map((a) => a.type), ['error', 'error', 'error', 'error', 'error', 'error', 'arch-description']);
  assert.match(answers[0].message, /unknown request type "hasOwnProperty"/);
  assert.equal(answers[5].request, 'init');
  assert.match(answers[5].message, /already initialised/);
});

test('?preset=cnn: the page trains that CNN in the worker (Adam, one-cycle), and a bad layer text is shown at the field', { skip: SKIP }, async (t) => {
  const url = await serve(t, path.join(ROOT, 'data'));
  const { page, problems } = await openPage(t, `${url}?preset=cnn`);
  await waitForStatus(page, /Ready/, 120000);
  assert.equal(await page.inputValue('#preset'), 'cnn');
  assert.equal(await page.inputValue('#arch'), 'c16k3-p2-c32k3-p2-64');
  assert.match(await page.textContent('#arch-summary'), /784-c16k3-p2-c32k3-p2-64-10 \(convolutional\)/);
  assert.match(await page.textContent('#run-summary'), /Adam · one-cycle/);
  await page.click('#train');
  await waitForStatus(page, /Training/, 120000);
  // a few batches of the CNN, not a whole run
  await waitForIterations(page, 3);
  await page.click('#pause');
  await waitForStatus(page, /Paused/, 60000);
  const { config } = await workerMessage(page, 'configure', 'sent');
  assert.deepEqual([config.arch, config.optimizer, config.schedule, config.batch],
    ['784-c16k3-p2-c32k3-p2-64-10', 'adam', 'onecycle', 128]);
  await page.screenshot({ path: path.join(SHOTS, 'cnn-training.png'), fullPage: true });
  // the core checks a layer text the form passes on, and the page shows its sentence at the field
  await page.fill('#arch', 'c16k30-64');
  await page.press('#arch', 'Enter');
  await page.click('#reset');
  await page.waitForFunction(() => !document.querySelector('#arch-error').hidden, null, { timeout: 60000 });
  assert.match(await page.textContent('#arch-error'), /too small for a 30×30 convolution/);
  assert.deepEqual(problems, [], 'console errors or warnings');
});

test('the form is the core\'s settings table: a field per row in its order, the address carries every key, a setting only the table knows reaches the worker', { skip: SKIP }, async (t) => {
  const url = await serve(t, path.join(ROOT, 'data'));
  // beta2 and eps: settings the page had no fields for before its form came from the table
  const { page, problems } = await openPage(t, `${url}?beta2=0.99&eps=1e-7`);
  await waitForStatus(page, /Ready/);
  const { rules } = await workerMessage(page, 'ready');
  const keys = rules.settings.map((s) => s.key);
  const fields = await page.$$eval('#setting-fields [data-setting]', (els) => els.map((e) => ({
    id: e.id,
    label: e.labels.length === 1 ? e.labels[0].textContent : null,
    described: (e.getAttribute('aria-describedby') || '').split(' ').map((id) => !!document.getElementById(id)),
    describedBy: e.getAttribute('aria-describedby'),
    hint: (document.getElementById(`${e.id}-hint`) || {}).textContent,
    choices: e.tagName === 'SELECT' ? [...e.options].map((o) => o.value) : null,
  })));
  assert.deepEqual(fields.map((f) => f.id), keys, 'one field per row of rules.settings, in its order');
  const twice = await page.$$eval('[id]', (els) => els.map((e) => e.id).filter((id, k, all) => all.indexOf(id) !== k));
  assert.deepEqual(twice, [], 'a setting\'s key is the id of its field alone');
  rules.settings.forEach((row, k) => {
    const f = fields[k];
    assert.ok(f.label && f.label.toLowerCase().startsWith(row.words.toLowerCase()), `${row.key}: label "${f.label}", words "${row.words}"`);
    assert.ok(f.described.every(Boolean) && f.describedBy.includes(`${row.key}-hint`) && f.describedBy.includes(`${row.key}-error`),
      `${row.key}: aria-describedby "${f.describedBy}"`);
    assert.ok(f.hint.includes(row.help.slice(1)), `${row.key}: the hint is the core's help`);
    assert.deepEqual(f.choices, row.kind === 'choice' ? row.choices : null, `${row.key}: a select of the row's choices`);
  });

  // the address's table-only settings: in their fields (shown, though rarely changed) and in the worker's config
  assert.deepEqual([await page.inputValue('#beta2'), await page.inputValue('#eps')], ['0.99', '1e-7']);
  assert.ok(await page.isVisible('#beta2'), 'a setting the link sets is shown');
  const { config } = await workerMessage(page, 'configure', 'sent');
  assert.deepEqual(Object.keys(config), keys, 'the config the page sends: the table\'s keys, nothing else');
  assert.deepEqual([config.beta2, config.eps], [0.99, 1e-7]);

  // a change rewrites the address: the dataset, the preset and every key of the table
  await page.fill('#lr', '0.05');
  await page.press('#lr', 'Enter');
  await page.waitForFunction(() => /[?&]lr=0\.05(&|$)/.test(document.querySelector('#share-url').value));
  const link = new URL(await page.inputValue('#share-url'));
  assert.deepEqual([...link.searchParams.keys()], ['dataset', 'preset', ...keys]);
  assert.deepEqual([link.searchParams.get('beta2'), link.searchParams.get('eps')], ['0.99', '1e-7']);
  assert.equal(await page.evaluate(() => location.search), link.search);
  assert.deepEqual(problems, [], 'console errors or warnings');
});

test('file:// page: trains with no server and no user action', { skip: SKIP }, async (t) => {
  const { page, problems } = await openPage(t, pathToFileURL(path.join(WEB, 'index.html')).href);
  await waitForStatus(page, /Ready/);
  assert.match(await page.textContent('#version'), /one thread/, 'no shared memory without cross-origin isolation');
  const testedBeside = page.waitForFunction(() => /by a second worker/.test(document.querySelector('#accuracy-note').textContent),
    null, { timeout: 120000 });
  await trainAndCheck(t, page, problems, 'file');
  await testedBeside; // one thread trains; the tests while training ran in the tester (worker/tester.js)
});

test('phone (375×812, touch): preset, Train and progress on the first screen, the form folded; a tap trains, a finger draws', { skip: SKIP }, async (t) => {
  const url = await serve(t, path.join(ROOT, 'data'));
  const { page, problems } = await openPage(t, url, { width: 375, height: 812 }, { hasTouch: true, isMobile: true });
  await waitForStatus(page, /Ready/);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `the page is ${overflow}px wider than a 375px screen`);
  for (const selector of ['#preset', '#train', '#progress']) {
    const box = await page.locator(selector).boundingBox();
    assert.ok(box && box.y >= 0 && box.y + box.height <= 812, `${selector} at ${JSON.stringify(box)}: not within the first 812 px`);
  }
  assert.equal(await page.getAttribute('#all-settings', 'open'), null, 'the rest of the form is folded');
  await page.screenshot({ path: path.join(SHOTS, 'phone.png'), fullPage: true });

  await page.tap('#train');
  await waitForStatus(page, /Training/);
  await page.tap('#pause');
  await waitForStatus(page, /Paused/, 60000);

  // a "1" drawn with a finger: touch events through the browser, which the pad gets as touch pointers
  await page.locator('#draw-pad').scrollIntoViewIfNeeded();
  await page.evaluate(() => document.querySelector('#draw-pad').addEventListener('pointerdown',
    (e) => { document.body.dataset.lastPointer = e.pointerType; }));
  const box = await page.locator('#draw-pad').boundingBox();
  const at = (x, y) => ({ x: box.x + x * box.width, y: box.y + y * box.height });
  const cdp = await page.context().newCDPSession(page);
  const touch = (type, points) => cdp.send('Input.dispatchTouchEvent', { type, touchPoints: points });
  await touch('touchStart', [at(0.5, 0.15)]);
  for (let k = 1; k <= 8; k++) await touch('touchMove', [at(0.5 + k * 0.005, 0.15 + k * 0.09)]);
  await touch('touchEnd', []);
  const bars = await waitForBars(page, 1);
  assert.equal(await page.getAttribute('body', 'data-last-pointer'), 'touch');
  assert.ok(bars.best >= 0 && bars.best <= 9, `the bars answer the drawing: ${bars.texts.join(' | ')}`);
  assert.match(await page.textContent('#draw-verdict'), /The network says \d/);
  const inked = await page.$eval('#draw-pad', (c) => {
    const blank = document.createElement('canvas');
    blank.width = c.width;
    blank.height = c.height;
    return c.toDataURL() !== blank.toDataURL();
  });
  assert.ok(inked, 'the finger left ink on the pad');
  await page.screenshot({ path: path.join(SHOTS, 'phone-drawn.png') });
  assert.deepEqual(problems, []);
});

test('keyboard: Train can be reached with Tab and pressed with Enter', { skip: SKIP }, async (t) => {
  const url = await serve(t, path.join(ROOT, 'data'));
  const { page } = await openPage(t, url);
  await waitForStatus(page, /Ready/);
  await choosePreset(page, 'seed');
  let focused = '';
  for (let i = 0; i < 60 && focused !== 'train'; i++) {
    await page.keyboard.press('Tab');
    focused = await page.evaluate(() => document.activeElement && document.activeElement.id);
  }
  assert.equal(focused, 'train', 'Tab never reached #train');
  await page.keyboard.press('Enter');
  await waitForStatus(page, /Training/);
  await page.focus('#pause');
  await page.keyboard.press('Enter');
  await waitForStatus(page, /Paused/);
});

/** A data folder with MNIST's real files except where `overrides` says otherwise. */
function dataFolder(t, overrides) {
  const root = tempDir(t);
  const dir = path.join(root, 'mnist');
  fs.mkdirSync(dir);
  for (const name of FILE_NAMES) {
    if (name in overrides) {
      if (overrides[name] !== null) fs.writeFileSync(path.join(dir, name), overrides[name]);
    } else {
      fs.copyFileSync(path.join(MNIST_DIR, name), path.join(dir, name));
    }
  }
  return root;
}

test('bad data is reported in #status: corrupt gzip, 404, wrong format, mismatched counts', { skip: SKIP }, async (t) => {
  const good = fs.readFileSync(path.join(MNIST_DIR, 't10k-labels-idx1-ubyte.gz'));
  const corrupt = Buffer.from(good);
  for (let i = 20; i < 200; i++) corrupt[i] ^= 0x5a;
  const cases = [
    ['corrupt gzip', { 't10k-labels-idx1-ubyte.gz': corrupt }, /t10k-labels.*(corrupt|gzip)/i],
    ['missing file', { 't10k-labels-idx1-ubyte.gz': null }, /t10k-labels-idx1-ubyte\.gz.*404/],
    ['labels given as images', { 't10k-images-idx3-ubyte.gz': good }, /t10k-images.*not an IDX image file/],
    ['mismatched counts', { 't10k-labels-idx1-ubyte.gz': zlib.gzipSync(Buffer.concat([Buffer.from([0, 0, 8, 1, 0, 0, 0, 5]), Buffer.alloc(5)])) },
      /10000 images but .* 5 labels/],
  ];
  for (const [name, overrides, pattern] of cases) {
    const url = await serve(t, dataFolder(t, overrides));
    const { page } = await openPage(t, url);
    const status = await waitForStatus(page, pattern);
    assert.match(status, pattern, name);
    assert.equal(await page.isDisabled('#train'), true, `${name}: Train stays disabled`);
    if (name === 'corrupt gzip') await page.screenshot({ path: path.join(SHOTS, 'bad-data.png') });
  }
});

test('make dist: the folder works from a static host and from disk', { skip: SKIP }, async (t) => {
  const dist = path.join(ROOT, 'build', 'dist');
  assert.ok(fs.existsSync(path.join(dist, 'index.html')), 'run make dist first (tests/run.js does)');
  // a static host serving the folder as it is (the page at /, its data at /data/), then the disk
  const host = await serve(t, path.join(dist, 'data'), dist);
  for (const address of [host, pathToFileURL(path.join(dist, 'index.html')).href]) {
    const { page, problems } = await openPage(t, address);
    await waitForStatus(page, /Ready/);
    // 5 epochs: 90% comes in the first, long before the end, so Pause is still there to press
    await choosePreset(page, 'default', 5);
    await page.click('#train');
    assert.ok(await waitForAccuracy(page, 0.9) >= 0.9);
    await page.click('#pause');
    assert.deepEqual(problems, [], `${address}: console errors`);
  }
});

test('no data beside the page: the file picker loads the four .gz files', { skip: SKIP }, async (t) => {
  const url = await serve(t, tempDir(t)); // an empty data folder: every file is a 404
  const { page } = await openPage(t, url);
  await waitForStatus(page, /404/);
  assert.equal(await page.isDisabled('#train'), true);
  const files = FILE_NAMES
    .map((name) => path.join(MNIST_DIR, name));
  await page.setInputFiles('#data-files', files.slice(0, 3));
  await waitForStatus(page, /t10k-labels/); // says which file is missing
  await page.setInputFiles('#data-files', files);
  await waitForStatus(page, /Ready: 60,000 training and 10,000 test images/);
  await choosePreset(page, 'seed');
  await page.click('#step');
  await waitForStatus(page, /Paused/);
  // the step's test runs as a job after `paused` is sent: wait for its evaluation to be shown
  await waitForAccuracy(page, 0, 60000);
  assert.match(await page.textContent('#test-accuracy'), /\d+\.\d+%/);
});
