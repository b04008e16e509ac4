'use strict';
/**
 * The page with convolutional networks, in headless Chromium (served): the layer list the
 * core describes as the user types (shapes, parameters, and a bad text marked at the layer
 * where it breaks with the core's sentence); the optimiser, schedule and augmentation
 * fields from the address into the worker's config, live changes, refused values; the
 * first convolution's filters and the feature maps of a picked test image and of a drawing,
 * changing with training; the mistakes, confusion matrix and per-class views of a CNN.
 * Screenshots: build/screenshots/cnn-layers.png, cnn-layers-error.png, cnn-filters.png,
 * cnn-feature-maps.png.
 */

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');

const { ROOT, WASM_PATH, MnistEngine } = require('./helpers');
const {
  SKIP, SHOTS, useBrowser, serve, openPage, waitForStatus, workerMessage, waitForIterations, workerCounts, nextWorkerMessage,
} = require('./browser-helpers');

useBrowser();

const DATA = path.join(ROOT, 'data');

/** The layer list as the page shows it: one row per token. */
function readLayers(page) {
  return page.$$eval('#arch-layers > li', (rows) => rows.map((r) => ({
    token: r.querySelector('.arch-token').textContent,
    shape: (r.querySelector('.arch-shape') || {}).textContent || null,
    params: Number(((r.querySelector('.arch-params') || {}).textContent || '0').replace(/[^\d]/g, '')),
    bad: r.classList.contains('is-bad'),
    unchecked: r.classList.contains('is-unchecked'),
    message: (r.querySelector('.arch-message') || {}).textContent || null,
  })));
}

/** Types `text` into the layers field key by key (as a person does: every keystroke asks the
 *  core, the answers of earlier texts must not win) and waits for the list of that text. */
async function typeArch(page, text) {
  await page.fill('#arch', '');
  await page.type('#arch', text, { delay: 15 });
  await page.waitForFunction((want) => document.querySelector('#arch-layers').dataset.arch === want,
    `784-${text}-10`, { timeout: 30000 });
  return readLayers(page);
}

/** Parameters of a convolution (O filters of K x K over C channels) and of a dense layer. */
const convParams = (O, K, C) => O * K * K * C + O;
const denseParams = (I, O) => I * O + O;

test('the core\'s description of a layer text: every preset as the network built from it; faults at their token; any text is safe JSON', async () => {
  const engine = await MnistEngine.create(fs.readFileSync(WASM_PATH));
  for (const [name, preset] of Object.entries(engine.rules.presets)) {
    const d = engine.describeArch(preset.arch);
    const built = engine.init(preset);
    assert.equal(d.ok, true, name);
    assert.equal(d.params, built.parameters, `${name}: the parameters of the network built`);
    assert.deepEqual(d.layers.map((l) => l.size), built.arch, `${name}: each layer's values`);
    assert.deepEqual(d.tokens, preset.arch.split('-'));
    d.layers.filter((l) => l.h != null).forEach((l) => assert.equal(l.h * l.w * l.c, l.size, name));
  }
  const faults = [
    ['784-c16k3-p5-p5-p5-64-10', 4, /after layer 3 the image is 1×1, too small for a 5×5 pool/],
    ['784-64-c8k3-10', 2, /layer 2 \(a convolution\) follows a dense layer/],
    ['784-c16k3-q2-10', 2, /layer 2 \('q2'\) is not a width/],
    ['784-0-10', 1, /hidden layer 1 has 0 units/],
    ['784-64-12', 2, /output layer has 12 units/],
    ['784-c99k3-10', 1, /layer 1 has 99 filters/],
    ['784-8-8-8-8-8-8-8-8-10', 9, /at most 8 weight layers/],
    ['784', 1, /need at least input and output/],
  ];
  for (const [text, at, message] of faults) {
    const d = engine.describeArch(text);
    assert.deepEqual([d.ok, d.at], [false, at], text);
    assert.match(d.message, message, text);
    assert.ok(d.layers.length <= at, `${text}: only the layers before the fault are described`);
    // the same sentence as building it
    assert.throws(() => engine.init({ ...engine.rules.presets.default, arch: text }), (e) => e.message === d.message && e.field === 'arch');
  }
  const odd = engine.describeArch('784-"\\\n\t-10');
  assert.deepEqual([odd.ok, odd.at, odd.tokens[1]], [false, 1, '"\\\n\t']);
});

test('layer list: each layer\'s shape and parameters as the user types, a bad text marked at its layer with the core\'s sentence', { skip: SKIP, timeout: 600000 }, async (t) => {
  const url = await serve(t, DATA);
  const { page, problems } = await openPage(t, `${url}?preset=cnn`);
  await waitForStatus(page, /Ready/, 120000);
  await page.waitForFunction(() => document.querySelector('#arch-layers').dataset.arch === '784-c16k3-p2-c32k3-p2-64-10');
  const cnn = await readLayers(page);
  assert.deepEqual(cnn.map((l) => [l.token, l.shape]), [['784', '28×28×1'], ['c16k3', '26×26×16'], ['p2', '13×13×16'],
    ['c32k3', '11×11×32'], ['p2', '5×5×32'], ['64', '64'], ['10', '10']]);
  const params = [0, convParams(16, 3, 1), 0, convParams(32, 3, 16), 0, denseParams(5 * 5 * 32, 64), denseParams(64, 10)];
  assert.deepEqual(cnn.map((l) => l.params), params);
  const total = params.reduce((a, b) => a + b, 0);
  assert.equal(await page.textContent('#arch-total'), `Total: ${total.toLocaleString('en-US')} parameters.`);
  assert.match(await page.textContent('#arch-summary'), new RegExp(`784-c16k3-p2-c32k3-p2-64-10 \\(convolutional\\): ${total.toLocaleString('en-US')} parameters`));
  await page.locator('#arch').scrollIntoViewIfNeeded();
  await page.locator('#arch').locator('xpath=ancestor::div[contains(@class,"field")][1]').screenshot({ path: path.join(SHOTS, 'cnn-layers.png') });

  // the network the worker builds has the parameters the list promised
  const counts = await workerCounts(page);
  await page.click('#reset');
  const configured = await nextWorkerMessage(page, ['configured'], counts);
  assert.equal(configured.parameters, total);
  await waitForStatus(page, /fresh weights/, 60000);

  // a 5x5 pool on a 1x1 image: marked at that pool (token 4), the layers before it shaped, the rest unchecked
  let layers = await typeArch(page, 'c16k3-p5-p5-p5-64');
  assert.deepEqual(layers.map((l) => l.shape), ['28×28×1', '26×26×16', '5×5×16', '1×1×16', null, null, null]);
  assert.deepEqual(layers.map((l) => l.bad), [false, false, false, false, true, false, false]);
  assert.deepEqual(layers.map((l) => l.unchecked), [false, false, false, false, false, true, true]);
  assert.match(layers[4].message, /after layer 3 the image is 1×1, too small for a 5×5 pool/);
  assert.equal(await page.textContent('#arch-total'), 'This network cannot be built.');
  await page.locator('#arch').locator('xpath=ancestor::div[contains(@class,"field")][1]').screenshot({ path: path.join(SHOTS, 'cnn-layers-error.png') });
  // committing it (Enter) puts the core's sentence at the field too; Train refuses it
  await page.press('#arch', 'Enter');
  await page.waitForFunction(() => !document.querySelector('#arch-error').hidden);
  assert.match(await page.textContent('#arch-error'), /too small for a 5×5 pool/);
  assert.equal(await page.getAttribute('#arch', 'aria-invalid'), 'true');

  // a convolution after a dense layer
  layers = await typeArch(page, '64-c8k3');
  assert.deepEqual(layers.map((l) => l.bad), [false, false, true, false]);
  assert.match(layers[2].message, /layer 2 \(a convolution\) follows a dense layer/);
  // a token that is no layer
  layers = await typeArch(page, 'c16k3-q2-64');
  assert.equal(layers.findIndex((l) => l.bad), 2);
  assert.match(layers[2].message, /layer 2 \('q2'\) is not a width like 128, a convolution like c16k3/);
  // too many layers: the first one beyond the core's limit
  layers = await typeArch(page, '8-8-8-8-8-8-8-8');
  assert.equal(layers.findIndex((l) => l.bad), 9);
  assert.match(layers[9].message, /at most 8 weight layers/);
  // a dense network: widths and parameters; the field's message goes as soon as the text is fine
  layers = await typeArch(page, '256-128');
  assert.deepEqual(layers.map((l) => [l.shape, l.params]), [['28×28×1', 0], ['256', denseParams(784, 256)],
    ['128', denseParams(256, 128)], ['10', denseParams(128, 10)]]);
  assert.ok(layers.every((l) => !l.bad));
  await page.waitForFunction(() => document.querySelector('#arch-error').hidden);
  assert.equal(await page.textContent('#arch-total'),
    `Total: ${(denseParams(784, 256) + denseParams(256, 128) + denseParams(128, 10)).toLocaleString('en-US')} parameters.`);
  assert.deepEqual(problems, []);
});

test('optimiser, schedule and augmentation: from the address into the fields and the worker\'s config, live changes, refused values', { skip: SKIP, timeout: 600000 }, async (t) => {
  // settings that differ from the default preset's, whatever it holds (the core's rules)
  const engine = await MnistEngine.create(fs.readFileSync(WASM_PATH));
  const preset = engine.rules.presets.default;
  const other = (list, value) => list.find((v) => v !== value);
  const want = { optimizer: other(engine.rules.optimizers, preset.optimizer), schedule: other(engine.rules.schedules, preset.schedule),
    shift: preset.shift === 2 ? 3 : 2 };
  const url = await serve(t, DATA);
  const query = `optimizer=${want.optimizer}&schedule=${want.schedule}&shift=${want.shift}`;
  // 50 epochs: a run that cannot end between "Training" showing and Pause being pressed
  // (3 epochs once ended in 4.2 s, before the click arrived)
  const { page, problems } = await openPage(t, `${url}?preset=default&${query}&epochs=50`);
  await waitForStatus(page, /Ready/, 120000);
  assert.deepEqual(await page.evaluate(() => ['optimizer', 'schedule', 'shift'].map((id) => document.getElementById(id).value)),
    [want.optimizer, want.schedule, String(want.shift)]);
  assert.match(await page.textContent('#run-summary'), want.optimizer === 'adam' ? /Adam ·/ : /^(?!.*Adam)/);
  assert.match(await page.textContent('#run-summary'), want.schedule === 'onecycle' ? /one-cycle learning rate/ : /after each epoch|constant/);
  assert.match(await page.textContent('#run-summary'), new RegExp(`images shifted by up to ${want.shift} pixels`));
  assert.match(await page.textContent('#preset-hint'), /Changed here: .*optimizer, schedule, .*shift/);
  // the hint is the core's help for the setting (its table)
  const help = engine.rules.settings.find((s) => s.key === 'schedule').help;
  assert.ok((await page.textContent('#schedule-hint')).includes(help.slice(1)), 'the schedule\'s hint is the core\'s help');
  const linked = async () => Object.fromEntries(new URL(await page.inputValue('#share-url')).searchParams);
  assert.deepEqual(await linked().then((l) => [l.optimizer, l.schedule, l.shift]), [want.optimizer, want.schedule, String(want.shift)]);

  // Train: the network the worker built (the page's first one, or one built now) has them
  await page.click('#train');
  await waitForStatus(page, /Training/, 120000);
  await page.click('#pause');
  await waitForStatus(page, /Paused/, 120000);
  const { config } = await workerMessage(page, 'configure', 'sent');
  assert.deepEqual([config.optimizer, config.schedule, config.shift, config.arch],
    [want.optimizer, want.schedule, want.shift, preset.arch]);

  // live: the optimiser and the shift change the running network (set-hyper)
  const hyperAfter = async (field, value) => {
    const counts = await workerCounts(page);
    if (await page.$eval(`#${field}`, (e) => e.tagName === 'SELECT')) {
      await page.selectOption(`#${field}`, value);
    } else {
      await page.fill(`#${field}`, value);
      await page.press(`#${field}`, 'Enter');
    }
    const m = await nextWorkerMessage(page, ['hyper', 'error'], counts);
    return m.type === 'hyper' ? m.hyper : { error: m.message };
  };
  // (the worker's answer: every hyperparameter in force, the address's optimiser and schedule among them)
  const first = await hyperAfter('shift', '1');
  assert.deepEqual([first.shift, first.optimizer, first.schedule], [1, want.optimizer, want.schedule]);
  const hyper = await hyperAfter('optimizer', preset.optimizer);
  assert.deepEqual([hyper.optimizer, hyper.shift, hyper.schedule], [preset.optimizer, 1, want.schedule]);
  assert.match(await page.textContent('#optimizer-hint'), /starts the new optimiser from zero/);
  assert.deepEqual(await linked().then((l) => [l.optimizer, l.schedule, l.shift]), [preset.optimizer, want.schedule, '1']);
  assert.deepEqual(problems, []);

  // values the core does not know are refused: marked at the field, listed in the note
  const { page: bad } = await openPage(t, `${url}?optimizer=rmsprop&schedule=cosine&shift=9`);
  await waitForStatus(bad, /Ready/, 120000);
  const note = await bad.textContent('#note');
  assert.match(note, /optimizer \(Optimizer must be sgd or adam, not "rmsprop"\)/);
  assert.match(note, /schedule \(Schedule must be step or onecycle, not "cosine"\)/);
  assert.match(note, /shift \(Shift \(pixels\) must be a whole number from 0 to 4\)/);
  for (const id of ['optimizer', 'schedule', 'shift']) assert.equal(await bad.getAttribute(`#${id}`, 'aria-invalid'), 'true', id);
});

/** The pixels of every canvas under `selector`, one string each (as PNG data: reading them
 *  again and again with getImageData makes Chromium warn on the page's console). */
function canvases(page, selector) {
  return page.$$eval(selector, (cs) => cs.map((c) => c.toDataURL()));
}

test('?preset=cnn: the first convolution\'s filters and the feature maps, changing with training; mistakes, confusion and per-class views', { skip: SKIP, timeout: 600000 }, async (t) => {
  const url = await serve(t, DATA);
  const { page, problems } = await openPage(t, `${url}?preset=cnn`);
  await waitForStatus(page, /Ready/, 120000);
  // the untrained network's filters: 16 images of 3x3
  await page.waitForFunction(() => document.querySelectorAll('#weights canvas').length === 16, null, { timeout: 60000 });
  assert.deepEqual(await page.$$eval('#weights canvas', (cs) => [...new Set(cs.map((c) => `${c.width}x${c.height}`))]), ['3x3']);
  assert.equal(await page.textContent('#weights-title'), "First convolution's filters");
  const filtersBefore = await canvases(page, '#weights canvas');

  // a test image's feature maps, layer by layer, with the layer's shape as heading
  await page.click('#predictions > :first-child');
  await page.waitForFunction(() => document.querySelectorAll('#activations .act-layer').length === 7, null, { timeout: 60000 });
  const rows = await page.$$eval('#activations .act-layer', (rs) => rs.map((r) => ({
    name: r.querySelector('.act-name').textContent,
    maps: [...r.querySelectorAll('.act-map')].map((c) => `${c.width}x${c.height}`),
    cells: r.querySelectorAll('.act-cell').length,
  })));
  const expect = [['Input', 0, null, 0], ['26×26×16', 16, '26x26', 0], ['13×13×16', 16, '13x13', 0],
    ['11×11×32', 32, '11x11', 0], ['5×5×32', 32, '5x5', 0], ['Hidden layer 5', 0, null, 64], ['Output', 0, null, 10]];
  expect.forEach(([name, maps, size, cells], k) => {
    assert.ok(rows[k].name.includes(name), `${rows[k].name} names ${name}`);
    assert.equal(rows[k].maps.length, maps, rows[k].name);
    if (size) assert.ok(rows[k].maps.every((m) => m === size), rows[k].name);
    assert.equal(rows[k].cells, cells, rows[k].name);
  });
  const mapsBefore = await canvases(page, '#activations .act-map');
  assert.ok(new Set(mapsBefore.slice(0, 16)).size > 1, 'the channels differ from one another');

  // train a few dozen batches, pause, then one step (an evaluation: the views follow it)
  await page.click('#train');
  await waitForIterations(page, 30, 300000);
  await page.click('#pause');
  await waitForStatus(page, /Paused/, 120000);
  await page.click('#step');
  await waitForStatus(page, /stepped one batch/, 120000);
  await page.waitForFunction((before) => {
    const cs = [...document.querySelectorAll('#weights canvas')];
    return cs.length === 16 && cs.map((c) => c.toDataURL()).join('|') !== before;
  }, filtersBefore.join('|'), { timeout: 60000 });
  await page.waitForFunction((before) => {
    const cs = [...document.querySelectorAll('#activations .act-map')];
    return cs.length === 96 && cs.map((c) => c.toDataURL()).join('|') !== before;
  }, mapsBefore.join('|'), { timeout: 60000 });
  await page.locator('#weights').scrollIntoViewIfNeeded();
  await page.locator('#weights').locator('xpath=ancestor::section[1]').screenshot({ path: path.join(SHOTS, 'cnn-filters.png') });
  await page.locator('#activations').locator('xpath=ancestor::section[1]').screenshot({ path: path.join(SHOTS, 'cnn-feature-maps.png') });

  // a drawing: its feature maps too
  await page.locator('#draw-pad').scrollIntoViewIfNeeded();
  const box = await page.locator('#draw-pad').boundingBox();
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.8, { steps: 12 });
  await page.mouse.up();
  await page.waitForFunction(() => /Your drawing/.test(document.querySelector('#activations-source').textContent) &&
    document.querySelectorAll('#activations .act-map').length === 96, null, { timeout: 60000 });

  // the galleries and the matrix of a CNN
  await page.waitForFunction(() => document.querySelectorAll('#mistakes > *').length > 0, null, { timeout: 60000 });
  const counts = await page.$$eval('#confusion > *', (items) => items.map((el) => Number(el.dataset.count)));
  assert.equal(counts.length, 100);
  assert.equal(counts.reduce((a, b) => a + b, 0), 10000);
  const diagonal = counts.filter((_, i) => i % 11 === 0).reduce((a, b) => a + b, 0);
  const mistakes = Number((await page.textContent('#mistakes-summary')).replace(/,/g, '').match(/^(\d+)/)[1]);
  assert.equal(mistakes, 10000 - diagonal, 'every mistake of the matrix is in the gallery\'s count');
  assert.equal(await page.$$eval('#class-accuracy > *', (items) => items.length), 10);
  const cell = counts.findIndex((c, i) => i % 11 !== 0 && c > 0);
  await page.click(`#confusion > :nth-child(${cell + 1})`);
  await page.waitForFunction((n) => document.querySelectorAll('#cell-images > *').length === n, Math.min(60, counts[cell]));
  assert.deepEqual(problems, []);
});
