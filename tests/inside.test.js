'use strict';
/**
 * "See inside the network" in headless Chromium, as a person uses it: drawing digits
 * (mouse, touch, pen, keyboard), the confusion matrix and its cells, the weights, the
 * mistakes, the activations, model files in and out (against the native trainer both
 * ways), the copy kept in the browser, Fashion-MNIST, and settings in the address.
 * Screenshots go to build/screenshots/.
 */

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');
const { pathToFileURL } = require('node:url');

const { ROOT, BIN, MNIST_DIR, runBinary, tempDir, inkStrokes, mnistTestDigits } = require('./helpers');
const {
  SKIP, SHOTS, WEB, useBrowser, serve, openPage, watch, waitForStatus, choosePreset, drawWithMouse, waitForBars, clearPad,
} = require('./browser-helpers');

useBrowser();

const DATA = path.join(ROOT, 'data');
const FILE_URL = pathToFileURL(path.join(WEB, 'index.html')).href;

/** Trains the `default` network for `epochs` and waits for the end. */
async function trainDefault(page, epochs = 1) {
  await choosePreset(page, 'default', epochs);
  await page.click('#train');
  await waitForStatus(page, /Done/, 120000);
}

/* ---- drawing ---- */

/** Pointer events of another kind (touch, pen), as the pad receives them from a tablet. */
async function drawWithPointer(page, pointerType, points) {
  await page.$eval('#draw-pad', (pad, { pointerType, points }) => {
    const r = pad.getBoundingClientRect();
    const event = (type, [x, y], buttons) => new PointerEvent(type, {
      pointerId: 7, pointerType, isPrimary: true, bubbles: true, cancelable: true, button: 0, buttons,
      clientX: r.left + x * r.width, clientY: r.top + y * r.height, pressure: buttons ? 0.5 : 0,
    });
    pad.dispatchEvent(event('pointerdown', points[0], 1));
    for (const p of points.slice(1)) pad.dispatchEvent(event('pointermove', p, 1));
    pad.dispatchEvent(event('pointerup', points[points.length - 1], 0));
  }, { pointerType, points });
}

test('draw a digit: replayed test digits are read right, live while training; touch, pen and keyboard draw too', { skip: SKIP }, async (t) => {
  const set = mnistTestDigits();
  const url = await serve(t, DATA);
  const { page, problems } = await openPage(t, url);
  await waitForStatus(page, /Ready/);
  assert.equal(await page.$$eval('#draw-probabilities > *', (l) => l.length), 10);

  // before training: a 7, the untrained network's guess; then it changes as the network learns
  const seven = 0; // test image 0 is a 7
  assert.equal(set.label(seven), 7);
  const untrained = await drawWithMouse(page, inkStrokes(set.image(seven)));
  assert.match(await page.textContent('#draw-verdict'), /untrained/);
  const seen = new Set([untrained.texts.join('|')]);
  await choosePreset(page, 'default', 3);
  await page.click('#train');
  await waitForStatus(page, /Training/);
  while (!/Done/.test(await page.textContent('#status'))) {
    seen.add((await page.$$eval('#draw-probabilities > *', (l) => l.map((li) => li.textContent))).join('|'));
    await page.waitForTimeout(100);
  }
  t.diagnostic(`the drawing's bars showed ${seen.size} different states while training`);
  assert.ok(seen.size >= 3, 'the bars follow the training');

  // the 28x28 input the network sees is drawn, and looks like the digit
  const input = await page.$eval('#draw-input', (c) => {
    const d = c.getContext('2d').getImageData(0, 0, 28, 28).data;
    let ink = 0;
    for (let i = 0; i < d.length; i += 4) ink += d[i];
    return { width: c.width, height: c.height, ink };
  });
  assert.deepEqual([input.width, input.height], [28, 28]);
  assert.ok(input.ink > 255 * 40, 'the preview shows the drawing');

  // 20 test digits, two of each class, retraced with the mouse on the trained network
  const picks = [];
  for (let d = 0; d < 10; d++) {
    for (let i = 0, found = 0; found < 2; i++) if (set.label(i) === d) { picks.push(i); found++; }
  }
  let right = 0;
  const wrong = [];
  for (const i of picks) {
    await clearPad(page);
    const bars = await drawWithMouse(page, inkStrokes(set.image(i)));
    if (bars.best === set.label(i)) right++; else wrong.push(`${i}: ${set.label(i)} read as ${bars.best}`);
    assert.match(bars.texts[bars.best], new RegExp(`^${bars.best} .*\\d+\\.\\d%$`), 'each bar: its class and a percentage');
  }
  t.diagnostic(`replayed drawings: ${right} of ${picks.length} read right${wrong.length ? ` (${wrong.join('; ')})` : ''}`);
  assert.ok(right >= 17, `only ${right} of 20 replayed digits read right`);
  await page.screenshot({ path: path.join(SHOTS, 'draw.png'), clip: await page.locator('#draw-pad').evaluate((el) => {
    const r = el.closest('.split').getBoundingClientRect();
    return { x: r.left + scrollX, y: r.top + scrollY, width: r.width, height: r.height };
  }) }).catch(() => page.screenshot({ path: path.join(SHOTS, 'draw.png') }));

  // a hand-drawn 1 and 0 with the mouse
  await clearPad(page);
  assert.equal((await drawWithMouse(page, [[0.5, 0.12, 0.5, 0.88]])).best, 1, 'a vertical stroke is a 1');
  await clearPad(page);
  const ring = [];
  for (let k = 0; k <= 24; k++) ring.push([0.5 + 0.28 * Math.sin(k * Math.PI / 12), 0.5 - 0.38 * Math.cos(k * Math.PI / 12)]);
  const zero = [];
  for (let k = 1; k < ring.length; k++) zero.push([...ring[k - 1], ...ring[k]]);
  assert.equal((await drawWithMouse(page, zero)).best, 0, 'an oval is a 0');

  // touch and pen strokes: a 1 each
  for (const kind of ['touch', 'pen']) {
    await clearPad(page);
    await drawWithPointer(page, kind, [[0.52, 0.1], [0.51, 0.3], [0.5, 0.5], [0.49, 0.7], [0.48, 0.9]]);
    assert.equal((await waitForBars(page, 1)).best, 1, `${kind}: a vertical stroke is a 1`);
  }

  // the keyboard: pen down, 20 steps down, pen up
  await clearPad(page);
  await page.focus('#draw-pad');
  for (let k = 0; k < 3; k++) await page.keyboard.press('ArrowUp');
  await page.keyboard.press('Shift+ArrowUp');
  await page.keyboard.press('Space');
  for (let k = 0; k < 20; k++) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Space');
  assert.equal((await waitForBars(page, 1)).best, 1, 'keyboard: a vertical line is a 1');
  await page.keyboard.press('Delete');
  await page.waitForFunction(() => document.querySelector('#draw-probabilities').getAttribute('data-strokes') === '0');
  assert.match(await page.textContent('#draw-verdict'), /Draw a digit/);
  assert.deepEqual(problems, []);
});

test('confusion matrix: 100 cells that add up, per-class accuracy, a cell\'s images by click and by keyboard; activations of a picked image', { skip: SKIP }, async (t) => {
  const url = await serve(t, DATA);
  const { page, problems } = await openPage(t, url);
  await waitForStatus(page, /Ready/);
  const cells = () => page.$$eval('#confusion > *', (items) => items.map((el) => ({
    label: Number(el.dataset.label), predicted: Number(el.dataset.predicted), count: Number(el.dataset.count) })));
  await page.waitForFunction(() => Number(document.querySelector('#confusion > *').dataset.count) >= 0 &&
    [...document.querySelectorAll('#confusion > *')].reduce((s, el) => s + Number(el.dataset.count), 0) === 10000);
  const untrained = await cells();
  await trainDefault(page, 1);
  const trained = await cells();
  assert.equal(trained.length, 100);
  trained.forEach((c, i) => assert.deepEqual([c.label, c.predicted], [Math.floor(i / 10), i % 10], 'row-major, true label by row'));
  assert.equal(trained.reduce((s, c) => s + c.count, 0), 10000);
  assert.notDeepEqual(trained, untrained, 'updated by the evaluations');
  const diagonal = trained.filter((c) => c.label === c.predicted).reduce((s, c) => s + c.count, 0);
  const shown = Number(/([\d.]+)%/.exec(await page.textContent('#test-accuracy'))[1]);
  assert.equal((diagonal / 100).toFixed(2), shown.toFixed(2), 'the diagonal is the accuracy shown');

  const perClass = await page.$$eval('#class-accuracy > *', (items) => items.map((el) => el.textContent.trim()));
  assert.equal(perClass.length, 10);
  for (let k = 0; k < 10; k++) {
    const row = trained.filter((c) => c.label === k);
    const expected = (100 * row[k].count / row.reduce((s, c) => s + c.count, 0)).toFixed(1) + '%';
    assert.equal(perClass[k], expected, `class ${k}`);
  }

  // click the largest mistake: its images, all of that (true, predicted) pair
  const worst = trained.filter((c) => c.label !== c.predicted).sort((a, b) => b.count - a.count)[0];
  await page.click(`#confusion > :nth-child(${worst.label * 10 + worst.predicted + 1})`);
  await page.waitForFunction((n) => document.querySelectorAll('#cell-images > *').length === n, Math.min(60, worst.count));
  const images = await page.$$eval('#cell-images > *', (items) => items.map((el) => [Number(el.dataset.label), Number(el.dataset.predicted)]));
  assert.ok(images.every(([l, p]) => l === worst.label && p === worst.predicted));
  assert.match(await page.textContent('#cell-title'), new RegExp(`True ${worst.label}, predicted ${worst.predicted}: ${worst.count} images`));
  await page.locator('#confusion').scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(SHOTS, 'confusion.png'), fullPage: true });

  // the keyboard: Tab reaches the grid once, arrows move, Enter opens (here: true 2, predicted 2)
  await page.focus('#confusion > :nth-child(1)');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  assert.deepEqual(await page.evaluate(() => [document.activeElement.dataset.label, document.activeElement.dataset.predicted]), ['2', '2']);
  await page.keyboard.press('Enter');
  const cell22 = trained[22].count;
  await page.waitForFunction((n) => document.querySelectorAll('#cell-images > *').length === n, Math.min(60, cell22));
  assert.equal(await page.$$eval('#confusion > [tabindex="0"]', (l) => l.length), 1, 'one tab stop for the whole grid');

  // pick a test image with the keyboard: its activations, layer by layer
  await page.focus('#cell-images > :first-child button');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelectorAll('#activations .act-layer').length === 3);
  const layers = await page.$$eval('#activations .act-layer', (rows) => rows.map((r) => r.querySelectorAll('.act-cell').length));
  assert.deepEqual(layers, [0, 128, 10], 'input image, 128 hidden units, 10 outputs');
  assert.match(await page.textContent('#activations-source'), /Test image [\d,]+ \(2\): predicted 2/);
  // a prediction tile works the same (click)
  await page.click('#predictions > :first-child');
  const index = await page.getAttribute('#predictions > :first-child', 'data-index');
  await page.waitForFunction((i) => document.querySelector('#activations-source').textContent.includes(`Test image ${Number(i).toLocaleString('en-US')} `), index);
  await page.locator('#activations').scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(SHOTS, 'activations.png') });
  assert.deepEqual(problems, []);
});

test('weights grid and mistakes gallery: live detectors, most or least confident mistakes first', { skip: SKIP }, async (t) => {
  const url = await serve(t, DATA);
  const { page, problems } = await openPage(t, url);
  await waitForStatus(page, /Ready/);
  await page.waitForFunction(() => document.querySelectorAll('#weights > *').length === 64, null, { timeout: 10000 });
  const weightsOf = () => page.$eval('#weights canvas', (c) => Array.from(c.getContext('2d').getImageData(0, 0, 28, 28).data).join(','));
  const before = await weightsOf();
  await trainDefault(page, 1);
  await page.waitForFunction(() => document.querySelectorAll('#mistakes > *').length > 0, null, { timeout: 10000 });
  assert.notEqual(await weightsOf(), before, 'the weights images follow the training');
  const units = await page.$$eval('#weights canvas', (cs) => cs.map((c) => [c.width, c.height]));
  assert.equal(units.length, 64);
  assert.deepEqual(units[0], [28, 28]);
  const read = () => page.$$eval('#mistakes > *', (items) => items.map((el) => ({
    label: el.dataset.label, predicted: el.dataset.predicted, text: el.textContent,
    confidence: Number(/(\d+)%/.exec(el.textContent)[1]) })));
  const most = await read();
  assert.equal(most.length, 60);
  assert.ok(most.every((m) => m.label !== m.predicted && /→/.test(m.text)));
  for (let k = 1; k < most.length; k++) assert.ok(most[k - 1].confidence >= most[k].confidence, 'most confident first');
  const total = Number((await page.textContent('#mistakes-summary')).replace(/,/g, '').match(/^(\d+)/)[1]);
  const accuracy = Number(/([\d.]+)%/.exec(await page.textContent('#test-accuracy'))[1]);
  assert.equal(total, Math.round(10000 - accuracy * 100), 'every mistake is counted');

  await page.selectOption('#mistakes-sort', 'least');
  await page.waitForFunction(() => /least confident first/.test(document.querySelector('#mistakes-summary').textContent));
  const least = await read();
  for (let k = 1; k < least.length; k++) assert.ok(least[k - 1].confidence <= least[k].confidence, 'least confident first');
  assert.ok(least[0].confidence <= most[most.length - 1].confidence, 'the least confident of all the mistakes');
  assert.ok(least[0].confidence < 60, 'a least-confident mistake is a near tie');
  await page.locator('#weights').scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(SHOTS, 'inside.png'), fullPage: true });
  assert.deepEqual(problems, []);
});

/* ---- models ---- */

test('models: download evaluates the same in the native trainer; a native model loads by picker and by drop; a corrupt one changes nothing', { skip: SKIP }, async (t) => {
  const dir = tempDir(t);
  const url = await serve(t, DATA);
  const { page, problems } = await openPage(t, url);
  await waitForStatus(page, /Ready/);
  await trainDefault(page, 1);
  const pageAccuracy = await page.textContent('#test-accuracy');

  // page -> native
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#model-download')]);
  assert.match(download.suggestedFilename(), /^mnist-784-128-10-\d+\.\d\d\.model$/);
  const pageModel = path.join(dir, 'page.model');
  await download.saveAs(pageModel);
  const evaluated = runBinary(BIN.mnist, ['eval', '--data', MNIST_DIR, '--model', pageModel]);
  assert.equal(evaluated.status, 0, evaluated.stderr);
  assert.equal(`${(evaluated.json.test_accuracy * 100).toFixed(2)}%`, pageAccuracy.trim());

  // native -> page, by the file picker: the layers follow the model, the accuracy is the CLI's
  const nativeModel = path.join(dir, 'native.model');
  const trained = runBinary(BIN.mnist, ['train', '--data', MNIST_DIR, '--arch', '784-32-10', '--iterations', '300', '--save', nativeModel]);
  assert.equal(trained.status, 0, trained.stderr);
  const nativeAccuracy = `${(trained.json.test_accuracy * 100).toFixed(2)}%`;
  await page.setInputFiles('#model-upload', nativeModel);
  await waitForStatus(page, /Loaded native\.model: a 784-32-10 network/);
  await page.waitForFunction((a) => document.querySelector('#test-accuracy').textContent.trim() === a, nativeAccuracy);
  assert.equal(await page.inputValue('#arch'), '32');
  assert.match(page.url(), /arch=32/);
  assert.equal(await page.$$eval('#weights > *', (l) => l.length), 32);

  // Train goes on from the loaded weights (not from fresh ones)
  await page.fill('#epochs', '1');
  await page.click('#train');
  await waitForStatus(page, /Done/, 60000);
  const after = accuracyNumber(await page.textContent('#test-accuracy'));
  assert.ok(after >= accuracyNumber(nativeAccuracy) - 0.5, `training on from ${nativeAccuracy} gave ${after}%`);

  // a corrupt file: a clear message, nothing changes
  const before = await page.textContent('#test-accuracy');
  const corrupt = Buffer.from(fs.readFileSync(nativeModel));
  corrupt[100] ^= 0xff;
  const corruptPath = path.join(dir, 'broken.model');
  fs.writeFileSync(corruptPath, corrupt);
  await page.setInputFiles('#model-upload', corruptPath);
  await waitForStatus(page, /Could not load broken\.model: .*checksum.*Nothing changed/);
  assert.match(await page.textContent('#model-note'), /checksum/);
  assert.equal(await page.textContent('#test-accuracy'), before);
  assert.equal(await page.inputValue('#arch'), '32');
  await page.screenshot({ path: path.join(SHOTS, 'model-error.png') });
  // not a model at all (a data file dropped alone is one of the four, so use a text file)
  fs.writeFileSync(path.join(dir, 'notes.txt'), 'These are notes, not a network. '.repeat(10));
  await page.setInputFiles('#model-upload', path.join(dir, 'notes.txt'));
  await waitForStatus(page, /Could not load notes\.txt: .*not a model file/);

  // native -> page again, dropped on the page this time (the 784-128-10 the page saved)
  await page.evaluate(async (b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], 'dropped.model'));
    for (const type of ['dragenter', 'dragover', 'drop']) {
      document.body.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
    }
  }, fs.readFileSync(pageModel).toString('base64'));
  await waitForStatus(page, /Loaded dropped\.model: a 784-128-10 network/);
  await page.waitForFunction((a) => document.querySelector('#test-accuracy').textContent.trim() === a, pageAccuracy.trim());
  assert.equal(await page.inputValue('#arch'), '128');
  assert.deepEqual(problems.filter((p) => !/Failed to load resource/.test(p)), []);
});

function accuracyNumber(text) {
  return Number(/([\d.]+)%/.exec(text)[1]);
}

test('models: saved in the browser automatically, restored on the next visit, deleted on request', { skip: SKIP }, async (t) => {
  const url = await serve(t, DATA);
  const { page, problems, context } = await openPage(t, url);
  await waitForStatus(page, /Ready/);
  assert.equal(await page.isHidden('#model-saved'), true, 'nothing saved yet');
  await trainDefault(page, 1);
  await page.waitForSelector('#model-saved:not([hidden])');
  const accuracy = (await page.textContent('#test-accuracy')).trim();
  const entry = await page.textContent('#model-saved-text');
  assert.match(entry, new RegExp(`^Saved model from .*\\d{4}.*, ${accuracy.replace('.', '\\.')} test accuracy \\(784-128-10\\), made by the run “default · sgd lr 0\\.1”$`));

  // the next visit: restored by itself (the address now holds the same settings)
  const again = await context.newPage();
  const problems2 = watch(again);
  await again.goto(page.url());
  await waitForStatus(again, /Restored your saved model/);
  await again.waitForFunction((a) => document.querySelector('#test-accuracy').textContent.trim() === a, accuracy);
  assert.match(await again.textContent('#accuracy-note'), /loaded model/);
  assert.equal(await again.textContent('#model-saved-text'), entry);
  await again.screenshot({ path: path.join(SHOTS, 'restored.png') });

  // delete: gone, and the visit after that starts fresh
  await again.click('#model-delete');
  await again.waitForSelector('#model-saved', { state: 'hidden' });
  assert.match(await again.textContent('#model-note'), /Deleted/);
  const third = await context.newPage();
  const problems3 = watch(third);
  await third.goto(url);
  await waitForStatus(third, /Ready/);
  await third.waitForTimeout(300);
  assert.doesNotMatch(await third.textContent('#status'), /Restored/);
  assert.equal(await third.isHidden('#model-saved'), true);
  assert.deepEqual([...problems, ...problems2, ...problems3], []);
});

/* ---- datasets and settings ---- */

test('Fashion-MNIST: the network resets with a note, class names everywhere', { skip: SKIP }, async (t) => {
  const url = await serve(t, DATA);
  const { page, problems } = await openPage(t, url);
  await waitForStatus(page, /Ready/);
  await choosePreset(page, 'default', 1);
  await page.click('#step');
  await waitForStatus(page, /Paused/);
  await page.selectOption('#dataset', 'fashion-mnist');
  await waitForStatus(page, /Ready: 60,000 training and 10,000 test images \(Fashion-MNIST\)/, 60000);
  assert.match(await page.textContent('#note'), /Switched to Fashion-MNIST: the network starts again from fresh weights/);
  assert.match(page.url(), /dataset=fashion-mnist/);
  const bars = await page.$$eval('#draw-probabilities > *', (l) => l.map((li) => li.textContent));
  assert.equal(bars.length, 10);
  assert.match(bars[1], /^Trouser/);
  assert.match(bars[9], /^Ankle boot/);
  assert.match(await page.getAttribute('#confusion > :nth-child(2)', 'aria-label'), /True T-shirt\/top, predicted Trouser/);
  await page.click('#train');
  await waitForStatus(page, /Done/, 120000);
  await page.waitForFunction(() => document.querySelectorAll('#mistakes > *').length > 0);
  const names = /T-shirt\/top|Trouser|Pullover|Dress|Coat|Sandal|Shirt|Sneaker|Bag|Ankle boot/;
  const first = await page.textContent('#mistakes > :first-child');
  assert.match(first, new RegExp(`${names.source} → ${names.source}`));
  assert.ok(accuracyNumber(await page.textContent('#test-accuracy')) > 80);
  await page.screenshot({ path: path.join(SHOTS, 'fashion.png'), fullPage: true });
  assert.deepEqual(problems, []);
});

test('settings in the address: a link sets up the run, edits rewrite it, copy link copies it; served and from disk', { skip: SKIP }, async (t) => {
  const query = '?dataset=mnist&preset=seed&arch=16&lr=0.5&batch=100&epochs=2&momentum=0.5&seed=7';
  const url = await serve(t, DATA);
  for (const base of [url, FILE_URL]) {
    const { page, problems } = await openPage(t, base + query, undefined, { permissions: ['clipboard-read', 'clipboard-write'] });
    await waitForStatus(page, /Ready/);
    const fields = await page.evaluate(() => Object.fromEntries(['dataset', 'preset', 'arch', 'lr', 'batch', 'epochs', 'momentum', 'seed']
      .map((id) => [id, document.getElementById(id).value])));
    assert.deepEqual(fields, { dataset: 'mnist', preset: 'seed', arch: '16', lr: '0.5', batch: '100', epochs: '2', momentum: '0.5', seed: '7' }, base);
    assert.match(await page.textContent('#arch-summary'), /784-16-10/);
    await page.click('#train');
    await waitForStatus(page, /Done/, 60000);
    assert.match(await page.textContent('#epoch'), /Epoch 2 \/ 2/);
    const firstRun = await page.textContent('#test-accuracy');

    // edits rewrite the address and the box; the copied link reproduces the run exactly
    await page.fill('#lr', '0.2');
    await page.press('#lr', 'Enter');
    await page.waitForFunction(() => /lr=0\.2(&|$)/.test(document.getElementById('share-url').value));
    if (base === url) assert.match(page.url(), /lr=0\.2(&|$)/);
    await page.click('#copy-link');
    await page.waitForFunction(() => /copied|Selected/.test(document.getElementById('share-hint').textContent));
    const link = await page.inputValue('#share-url');
    if (/copied/.test(await page.textContent('#share-hint'))) {
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), link);
    }
    const { page: other } = await openPage(t, link);
    await waitForStatus(other, /Ready/);
    assert.equal(await other.inputValue('#lr'), '0.2');
    assert.equal(await other.inputValue('#seed'), '7');
    await other.fill('#lr', '0.5');
    await other.press('#lr', 'Enter');
    await other.click('#train');
    await waitForStatus(other, /Done/, 60000);
    assert.equal(await other.textContent('#test-accuracy'), firstRun, 'the same settings, the same run');
    if (base === url) await page.screenshot({ path: path.join(SHOTS, 'settings.png') });
    assert.deepEqual(problems, []);
  }

  // a bad value in a link is shown, not silently dropped
  const { page } = await openPage(t, `${url}?lr=abc&preset=nope`);
  await waitForStatus(page, /Ready/);
  assert.match(await page.textContent('#note'), /lr \(Learning rate must be a number > 0\)/);
  assert.match(await page.textContent('#note'), /preset \(unknown preset "nope"/);
  assert.equal(await page.getAttribute('#lr', 'aria-invalid'), 'true');
});

test('from disk (file://): drawing, a confusion cell, the activations and a model round trip work without a server', { skip: SKIP }, async (t) => {
  const set = mnistTestDigits();
  const dir = tempDir(t);
  const { page, problems } = await openPage(t, FILE_URL);
  await waitForStatus(page, /Ready/);
  await trainDefault(page, 1);
  await clearPad(page);
  const bars = await drawWithMouse(page, inkStrokes(set.image(1)));
  assert.equal(bars.best, set.label(1));
  await page.click('#confusion > :nth-child(1)');
  await page.waitForFunction(() => document.querySelectorAll('#cell-images > *').length === 60);
  await page.click('#cell-images > :first-child');
  await page.waitForFunction(() => document.querySelectorAll('#activations .act-layer').length === 3);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#model-download')]);
  const saved = path.join(dir, 'disk.model');
  await download.saveAs(saved);
  const evaluated = runBinary(BIN.mnist, ['eval', '--data', MNIST_DIR, '--model', saved]);
  assert.equal(evaluated.status, 0, evaluated.stderr);
  assert.equal(`${(evaluated.json.test_accuracy * 100).toFixed(2)}%`, (await page.textContent('#test-accuracy')).trim());
  await page.setInputFiles('#model-upload', saved);
  await waitForStatus(page, /Loaded disk\.model/);
  assert.match(await page.textContent('#model-saved-text'), /Saved model from/, 'the browser copy works from disk too');
  assert.deepEqual(problems, []);
});
