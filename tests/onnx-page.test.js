'use strict';
/**
 * ONNX export in the page, proved in Chromium: a padded CNN trained by the CLI is loaded
 * into the page, which tests it; its "Download as ONNX" file is byte for byte the CLI's
 * `export --onnx --data` of the same model file; and onnxruntime-web (pinned; its wasm
 * backend, one thread, its dist files served from node_modules through a route) runs that
 * file on all 10,000 test images inside Chromium: the core's top class for every image and
 * probabilities within 1e-4 of the core's (the core's answers from the engine in Node).
 */

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');

const { ROOT, BIN, MNIST_DIR, runBinary, tempDir, engineWithMnist, mnistSet } = require('./helpers');
const { SKIP, useBrowser, serve, openPage, waitForStatus } = require('./browser-helpers');
const { metadataOf, coreOutputs, agreement, CLASSES } = require('./onnx-helpers');

useBrowser();

const DATA = path.join(ROOT, 'data');
const ORT_DIST = path.join(ROOT, 'node_modules', 'onnxruntime-web', 'dist');
const ARCH = '784-c8k3pad1-p2-c12k5pad2-p2-32-10';
const TOLERANCE = 1e-4;

/** Runs in the browser: onnxruntime-web on the model at /__ort/model.onnx over the IDX test
 *  images at /__ort/images, in batches; -> the probabilities (n × 10) as a plain array. */
async function runInBrowser() {
  const ort = await import('/__ort/ort.wasm.min.mjs');
  ort.env.wasm.wasmPaths = '/__ort/';
  ort.env.wasm.numThreads = 1;
  const model = new Uint8Array(await (await fetch('/__ort/model.onnx')).arrayBuffer());
  const idx = new Uint8Array(await (await fetch('/__ort/images')).arrayBuffer());
  const n = (idx[4] << 24 | idx[5] << 16 | idx[6] << 8 | idx[7]) >>> 0, pixels = idx.subarray(16);
  const scale = Float32Array.from({ length: 256 }, (_, v) => v / 255); // (float32, as the core's table)
  const session = await ort.InferenceSession.create(model, { executionProviders: ['wasm'] });
  const out = [];
  for (let first = 0; first < n; first += 500) {
    const m = Math.min(500, n - first), input = new Float32Array(m * 784);
    for (let i = 0; i < input.length; i++) input[i] = scale[pixels[first * 784 + i]];
    const r = await session.run({ pixels: new ort.Tensor('float32', input, [m, 1, 28, 28]) });
    out.push(...r.probabilities.data);
  }
  return { names: [session.inputNames, session.outputNames], probabilities: out };
}

test('onnx in the page: Download as ONNX is the CLI\'s export, and onnxruntime-web in Chromium agrees with the core on all 10,000 test images', { skip: SKIP }, async (t) => {
  const dir = tempDir(t);
  const model = path.join(dir, 'padded.model'), cliOnnx = path.join(dir, 'cli.onnx');
  const trained = runBinary(BIN.mnist, ['train', '--data', MNIST_DIR, '--preset', 'cnn', '--arch', ARCH, '--iterations', '150', '--save', model]);
  assert.equal(trained.status, 0, trained.stderr);
  const exported = runBinary(BIN.mnist, ['export', '--onnx', cliOnnx, '--model', model, '--data', MNIST_DIR]);
  assert.equal(exported.status, 0, exported.stderr);

  const url = await serve(t, DATA);
  const { page, problems } = await openPage(t, url);
  await waitForStatus(page, /Ready/);
  await page.setInputFiles('#model-upload', model);
  await waitForStatus(page, new RegExp(`Loaded padded\\.model: a ${ARCH} network`));
  // the page's own test of the loaded network gives the CLI's accuracy: that is the one exported
  const accuracy = `${(trained.json.test_accuracy * 100).toFixed(2)}%`;
  await page.waitForFunction((a) => document.querySelector('#test-accuracy').textContent.trim() === a, accuracy);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#model-onnx')]);
  assert.match(download.suggestedFilename(), new RegExp(`^mnist-${ARCH}-\\d+\\.\\d\\d\\.onnx$`));
  const pageOnnx = fs.readFileSync(await download.path());
  assert.ok(pageOnnx.equals(fs.readFileSync(cliOnnx)), 'the page\'s export is byte for byte the CLI\'s');
  assert.equal(Number(metadataOf(pageOnnx).test_accuracy), trained.json.test_accuracy);
  await page.waitForFunction(() => /Downloaded mnist-.*\.onnx/.test(document.querySelector('#model-note').textContent));

  // onnxruntime-web on the page's file, in a page of the same origin (routes: nothing is fetched from outside)
  const images = Buffer.from(mnistSet('t10k').images);
  const ortPage = await page.context().newPage();
  await ortPage.route('**/__ort/**', (route) => {
    const name = new URL(route.request().url()).pathname.replace('/__ort/', '');
    if (name === 'index.html') return route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>onnxruntime-web</title>' });
    if (name === 'model.onnx') return route.fulfill({ contentType: 'application/octet-stream', body: pageOnnx });
    if (name === 'images') return route.fulfill({ contentType: 'application/octet-stream', body: images });
    const file = path.join(ORT_DIST, path.basename(name));
    if (!fs.existsSync(file)) return route.fulfill({ status: 404, body: 'not found' });
    const type = file.endsWith('.wasm') ? 'application/wasm' : 'text/javascript';
    return route.fulfill({ contentType: type, body: fs.readFileSync(file), headers: { 'Cross-Origin-Resource-Policy': 'same-origin' } });
  });
  await ortPage.goto(`${url}__ort/index.html`);
  const browser = await ortPage.evaluate(runInBrowser);
  assert.deepEqual(browser.names, [['pixels'], ['probabilities']]);

  const engine = await engineWithMnist();
  engine.loadModel(new Uint8Array(fs.readFileSync(model)));
  const n = engine.count('test');
  assert.equal(browser.probabilities.length, n * CLASSES, 'all 10,000 test images');
  const { mismatches, worst } = agreement(coreOutputs(engine, n), { probabilities: Float32Array.from(browser.probabilities) });
  t.diagnostic(`onnxruntime-web in Chromium, ${n} images: largest probability difference from the core ${worst.toExponential(2)}`);
  assert.deepEqual(mismatches, [], 'the top class of every image is the core\'s');
  assert.ok(worst <= TOLERANCE, `probabilities within ${TOLERANCE} of the core's (largest difference ${worst})`);
  assert.deepEqual(problems, []);
});
