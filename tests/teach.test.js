'use strict';
/**
 * "Teach it your handwriting" (mnist_teach, src/core/teach.c) and the model file that keeps
 * the taught examples (format version 3): the core's own checks (core_check teach), the
 * engine in Node (a misread drawing read right after teaching, the test accuracy kept, the
 * examples saved and loaded, the native trainer's eval, the same bits natively and in
 * WebAssembly on 1 and 2 threads), and the page in headless Chromium (draw, press the right
 * digit, the bars change; a CNN model downloads, loads back, and evaluates the same natively).
 */

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');

const {
  ROOT, BIN, MNIST_DIR, runBinary, tempDir, readGz, WASM_PATH, MnistEngine, DEFAULT, engineWithMnist, mnistSet,
  inkStrokes, mnistTestDigits,
} = require('./helpers');
const { fileOf } = require('../common/datasets.js');
const {
  SKIP, SHOTS, useBrowser, serve, openPage, watch, waitForStatus, choosePreset, drawWithMouse, askWorker,
} = require('./browser-helpers');

const THREADED_PATH = path.join(ROOT, 'web', 'build', 'mnist-mt.wasm');
const TEACH_MAX_STEPS = 24; // src/core/teach.c

/** Trains exactly `iterations` updates of `batch`. */
function trainIterations(engine, iterations, batch) {
  let p = { iterations: 0 };
  while (p.iterations < iterations) p = engine.step(Math.min(8192, (iterations - p.iterations) * batch));
  return p;
}

/** Training image i as a drawing: 784 floats in 0..1. */
const drawingOf = (engine, i) => Float32Array.from(engine.image('train', i).pixels, (v) => v / 255);

/** A drawing with a thicker pen: each pixel the darkest of its 3×3 neighbourhood (people press
 *  harder than MNIST's writers; MNIST's own ambiguous images are not what the user teaches). */
function thick(image) {
  const out = new Float32Array(784);
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const yy = y + dy, xx = x + dx;
          if (yy >= 0 && yy < 28 && xx >= 0 && xx < 28) out[y * 28 + x] = Math.max(out[y * 28 + x], image[yy * 28 + xx]);
        }
      }
    }
  }
  return out;
}

/** The first `n` training images the network misreads (drawings it gets wrong, none of them test images). */
function misread(engine, n) {
  const { predicted } = engine.classify('train');
  const labels = engine.labels('train');
  const out = [];
  for (let i = 0; i < labels.length && out.length < n; i++) if (predicted[i] !== labels[i]) out.push({ index: i, label: labels[i], was: predicted[i] });
  return out;
}

// ---- the core ------------------------------------------------------------------------------

test('core: teaching reads the drawing as taught, leaves the training run as it was, checks its inputs, keeps at most 100 examples, saves them', () => {
  for (const bin of [BIN.coreCheck, BIN.asanCoreCheck]) {
    const r = runBinary(bin, ['teach']);
    assert.equal(r.status, 0, r.stderr);
    const j = r.json;
    assert.ok(j.taught.ok && j.taught.before !== j.taught.label, JSON.stringify(j.taught));
    assert.equal(j.taught.after, j.taught.label, `taught ${j.taught.label}, read as ${j.taught.after}`);
    assert.equal(j.taught.resultPredicted, j.taught.label);
    assert.ok(j.taught.steps >= 4 && j.taught.steps <= TEACH_MAX_STEPS);
    assert.deepEqual([j.taught.count, j.taught.kept, j.taught.outside], [1, true, true]);
    assert.deepEqual(j.undisturbed, { dense: true, cnn: true }, 'a run taught mid-batch went on differently');
    assert.equal(j.repeatable, true);
    const expected = {
      'label -1': ['label', /from 0 to 9, got -1/], 'label 10': ['label', /from 0 to 9, got 10/],
      'NaN pixel': ['pixels', /pixel 100 \(row 3, column 16\) .* is nan, not a number in 0\.\.1/],
      'pixel 1.5': ['pixels', /pixel 783 .* is 1\.5/], 'no mix': ['', /load the training set first/],
      'empty mix': ['', /load the training set first/],
    };
    assert.equal(j.rejected.length, Object.keys(expected).length);
    for (const c of j.rejected) {
      assert.notEqual(c.code, 0, c.name);
      assert.equal(c.field, expected[c.name][0], c.name);
      assert.match(c.message, expected[c.name][1], c.name);
      assert.equal(c.unchanged, true, `${c.name} changed the network`);
    }
    assert.deepEqual(j.limit, { ok: true, taught: 105, count: 100, oldestIs5: true, afterRelabel: 100, relabelNewest: true });
    const params = 784 * 16 + 16 + 16 * 10 + 10;
    const v3Bytes = 8 + 4 + 4 + 2 * 16 + 4 + 4 * params + 4 + 7 * (1 + 784) + 4;
    assert.ok(j.model.bytes > v3Bytes + 4, 'version 4 adds the configuration');
    assert.deepEqual(j.model, {
      version: 4, bytes: j.model.bytes, roundtrip: true, v3Bytes, v3Roundtrip: true,
      clearedVersion: 4, clearedBytes: j.model.bytes - 7 * (1 + 784),
    });
  }
});

// ---- the engine ----------------------------------------------------------------------------

test('engine: misread drawings are read as taught, the test accuracy stays within 0.3 points, the examples go with the model file and the native eval', async (t) => {
  const dir = tempDir(t);
  const engine = await engineWithMnist();
  engine.init({ ...DEFAULT, epochs: 1 });
  trainIterations(engine, 600, DEFAULT.batch);
  const progress = engine.progress();
  const before = engine.evaluate('test');
  // drawings: training images (not the test set's) drawn with a thick pen, the first 5 misread
  const wrong = [], results = [], drawings = [], labels = engine.labels('train');
  for (let i = 0; wrong.length < 5; i++) {
    const drawing = thick(drawingOf(engine, i)), was = engine.predict(drawing).predicted;
    if (was === labels[i]) continue;
    const w = { index: i, label: labels[i], was }, k = wrong.push(w) - 1;
    drawings.push(drawing);
    const t0 = performance.now();
    const r = engine.teach(drawing, w.label);
    results.push({ ...w, steps: r.steps, ms: Math.round(performance.now() - t0), p: r.probabilities[w.label].toFixed(3) });
    assert.equal(r.predicted, w.label, `training image ${w.index} (${w.label}, read ${w.was}) after teaching`);
    assert.equal(r.taught, k + 1);
    assert.ok(r.steps >= 4 && r.steps <= TEACH_MAX_STEPS, `${r.steps} steps`);
    assert.deepEqual(engine.predict(drawing).probabilities, r.probabilities, 'the reply is the drawing\'s prediction');
    assert.equal(r.activations.length, 2);
  }
  assert.equal(wrong.length, 5);
  const after = engine.evaluate('test');
  t.diagnostic(`taught ${JSON.stringify(results)}; test accuracy ${before.accuracy} -> ${after.accuracy}`);
  assert.ok(after.accuracy >= before.accuracy - 0.003,
    `test accuracy fell from ${before.accuracy} to ${after.accuracy} (more than 0.3 points)`);
  assert.deepEqual(engine.progress(), progress, 'teaching moved the training run');
  // the examples as kept: the drawings' bytes and their labels, oldest first
  const kept = engine.taught();
  assert.deepEqual(kept.map((e) => e.label), wrong.map((w) => w.label));
  kept.forEach((e, k) => assert.deepEqual(e.pixels, Uint8Array.from(drawings[k], (v) => Math.round(v * 255))));

  // bad input: a clear message naming the field, nothing changes
  const model = engine.saveModel();
  for (const [label, pixels, field, message] of [
    [10, drawingOf(engine, 0), 'label', /from 0 to 9, got 10/],
    [1.5, drawingOf(engine, 0), 'label', /from 0 to 9, got 1\.5/],
    [3, new Float32Array(783), 'pixels', /784 values/],
    [3, Float32Array.from(drawingOf(engine, 0), (v, i) => (i === 5 ? NaN : v)), 'pixels', /pixel 5 .* is nan/],
  ]) {
    assert.throws(() => engine.teach(pixels, label), (e) => e.field === field && message.test(e.message));
  }
  assert.deepEqual(engine.saveModel(), model, 'a refused teach changed the network');

  // the model file: version 4, loads back with the same bytes, examples and accuracy
  assert.equal(model[8], 4, 'format version 4');
  const file = path.join(dir, 'taught.model');
  fs.writeFileSync(file, model);
  const other = await engineWithMnist();
  other.loadModel(model);
  assert.deepEqual(other.saveModel(), model);
  assert.deepEqual(other.taught(), kept);
  assert.equal(other.evaluate('test').accuracy, after.accuracy);
  // the native trainer reads it, reports the examples and measures the same accuracy
  const evaluated = runBinary(BIN.mnist, ['eval', '--data', MNIST_DIR, '--model', file]);
  assert.equal(evaluated.status, 0, evaluated.stderr);
  assert.equal(evaluated.json.taught, 5);
  assert.match(evaluated.stdout, /the model keeps 5 taught examples/);
  assert.equal(evaluated.json.test_accuracy.toFixed(4), after.accuracy.toFixed(4));
  // forgetting them: the weights stay, the file holds no examples
  other.clearTaught();
  assert.deepEqual(other.taught(), []);
  const plain = other.saveModel();
  assert.equal(plain[8], 4);
  assert.equal(plain.length, model.length - 5 * 785);
});

test('a taught CNN: the same bits natively and in WebAssembly on 1 and 2 threads', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'cnn.model');
  const native = runBinary(BIN.mnist, ['train', '--data', MNIST_DIR, '--arch', '784-c4k3-p2-c8k3-p2-16-10', '--batch', '32',
    '--lr', '0.05', '--iterations', '60', '--save', file]);
  assert.equal(native.status, 0, native.stderr);
  const train = mnistSet('train');
  const models = [];
  let taught = null;
  for (const threads of [1, 2]) {
    const engine = await MnistEngine.create(fs.readFileSync(WASM_PATH), { threads, threadedWasm: fs.readFileSync(THREADED_PATH) });
    engine.loadSet('train', new Uint8Array(train.images), new Uint8Array(train.labels));
    engine.loadModel(fs.readFileSync(file));
    taught = taught || misread(engine, 1)[0];
    const r = engine.teach(drawingOf(engine, taught.index), taught.label);
    assert.equal(r.taught, 1);
    models.push(Buffer.from(engine.saveModel()));
    engine.destroy();
  }
  assert.ok(models[0].equals(models[1]), 'teaching on 1 and 2 threads differs');
  // natively: the same model, set and drawing through core_check teach-model
  const images = path.join(dir, 'train-images'), labels = path.join(dir, 'train-labels'), drawing = path.join(dir, 'drawing');
  fs.writeFileSync(images, readGz(path.join(MNIST_DIR, fileOf('train', 'images').file)));
  fs.writeFileSync(labels, readGz(path.join(MNIST_DIR, fileOf('train', 'labels').file)));
  const pixels = readGz(path.join(MNIST_DIR, fileOf('train', 'images').file)).subarray(16 + 784 * taught.index, 16 + 784 * (taught.index + 1));
  fs.writeFileSync(drawing, Buffer.from(Float32Array.from(pixels, (v) => v / 255).buffer));
  const out = path.join(dir, 'native-taught.model');
  const r = runBinary(BIN.coreCheck, ['teach-model', file, images, labels, drawing, String(taught.label), out]);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(fs.readFileSync(out).equals(models[0]), 'a CNN taught natively and in WebAssembly differs');
});

// ---- the page ------------------------------------------------------------------------------

useBrowser();

/** The bars now: the best class and each bar's text. */
function bars(page) {
  return page.$$eval('#draw-probabilities > *', (items) => ({
    best: items.findIndex((li) => li.classList.contains('best')),
    texts: items.map((li) => li.textContent.replace(/\s+/g, ' ').trim()),
  }));
}

test('page: a drawing read wrong, the right digit pressed: the bars change at once, the example is listed and kept in the browser copy', { skip: SKIP }, async (t) => {
  const url = await serve(t, path.join(ROOT, 'data'));
  const { page, problems } = await openPage(t, url);
  await waitForStatus(page, /Ready/, 120000);
  await choosePreset(page, 'default', 1);
  await page.click('#train');
  await waitForStatus(page, /Done/, 180000);
  assert.equal(await page.isDisabled('#teach-digits button >> nth=0'), true, 'nothing to teach before a drawing');
  // an MNIST test digit retraced with the mouse
  const set = mnistTestDigits();
  const shown = await drawWithMouse(page, inkStrokes(set.image(0)));
  const wrongLabel = (shown.best + 3) % 10; // teach it something else than it reads: its bars must follow
  await page.locator(`#teach-digits button >> nth=${wrongLabel}`).focus();
  await page.keyboard.press('Enter'); // keyboard-reachable
  await page.waitForFunction((n) => /Taught/.test(document.querySelector('#teach-status').textContent), null, { timeout: 30000 });
  const after = await bars(page);
  assert.equal(after.best, wrongLabel, `taught ${wrongLabel}, the bars say ${after.best}: ${after.texts.join(' | ')}`);
  assert.match(await page.textContent('#draw-verdict'), new RegExp(`says ${wrongLabel} `));
  // the list of examples is asked for once the lesson is answered: it follows shortly
  await page.waitForFunction(() => /1 example taught/.test(document.querySelector('#teach-count').textContent), null, { timeout: 20000 });
  // the test accuracy after the lesson is shown (an evaluation follows it at rest)
  await page.waitForFunction(() => /\d%/.test(document.querySelector('#test-accuracy').textContent));
  assert.equal(await page.$$eval('#teach-examples canvas', (l) => l.length), 1);
  await page.locator('section:has(#draw-title)').screenshot({ path: path.join(SHOTS, 'teach.png') });
  // the browser's copy keeps it: a fresh page restores the model with its example
  await page.waitForFunction(() => /Saved in this browser/.test(document.querySelector('#model-note').textContent), null, { timeout: 30000 });
  const { page: again, problems: againProblems } = await openPageIn(t, page, url);
  await waitForStatus(again, /Restored your saved model/, 120000);
  await again.waitForFunction(() => /1 example taught/.test(document.querySelector('#teach-count').textContent), null, { timeout: 20000 });
  // a bad request is refused by the worker, naming its field, and the run goes on
  const refused = await askWorker(again, { type: 'teach', id: 'x', pixels: new Float32Array(784), label: 12 }, ['taught', 'error']);
  assert.deepEqual([refused.stage, refused.field], ['teach', 'label']);
  assert.match(refused.message, /label` must be a whole number from 0 to 9, not 12/);
  assert.doesNotMatch(await again.textContent('#status'), /stopped|error/i);
  // forgetting the examples
  await again.click('#teach-forget');
  await again.waitForFunction(() => /No examples taught yet/.test(document.querySelector('#teach-count').textContent), null, { timeout: 20000 });
  assert.equal(await again.$$eval('#teach-examples canvas', (l) => l.length), 0);
  assert.deepEqual([...problems, ...againProblems], [], 'console errors or warnings');
});

/** A second page in the same browser context as `page` (the same storage). */
async function openPageIn(t, page, url) {
  const next = await page.context().newPage();
  t.after(() => next.close());
  const problems = watch(next);
  await next.goto(url);
  return { page: next, problems };
}

test('page: a CNN model downloads, loads back in the page, and evaluates the same in build/mnist eval', { skip: SKIP }, async (t) => {
  const dir = tempDir(t);
  const url = await serve(t, path.join(ROOT, 'data'));
  const { page, problems } = await openPage(t, `${url}?preset=cnn&arch=c4k3-p2-c8k3-p2-16&iterations=150&epochs=1`, undefined, { acceptDownloads: true });
  await waitForStatus(page, /Ready/, 120000);
  await page.click('#train');
  await waitForStatus(page, /Done/, 300000);
  const pageAccuracy = (await page.textContent('#test-accuracy')).trim();
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#model-download')]);
  assert.match(download.suggestedFilename(), /^mnist-784-c4k3-p2-c8k3-p2-16-10-\d+\.\d\d\.model$/);
  const file = path.join(dir, 'page-cnn.model');
  await download.saveAs(file);
  assert.equal(fs.readFileSync(file).readUInt32LE(8), 4, 'format version 4');
  const evaluated = runBinary(BIN.mnist, ['eval', '--data', MNIST_DIR, '--model', file]);
  assert.equal(evaluated.status, 0, evaluated.stderr);
  assert.equal(evaluated.json.arch, '784-c4k3-p2-c8k3-p2-16-10');
  assert.equal(`${(evaluated.json.test_accuracy * 100).toFixed(2)}%`, pageAccuracy);
  // back into the page: a fresh network first, then the file
  await page.click('#reset');
  await waitForStatus(page, /fresh weights/, 60000);
  await page.setInputFiles('#model-upload', file);
  await waitForStatus(page, /Loaded page-cnn\.model: a 784-c4k3-p2-c8k3-p2-16-10 network/, 60000);
  await page.waitForFunction((a) => document.querySelector('#test-accuracy').textContent.trim() === a, pageAccuracy, { timeout: 60000 });
  assert.deepEqual(problems, [], 'console errors or warnings');
});
